/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

/* Log levels are syslog's LOG_ERR .. LOG_DEBUG. Under systemd (JOURNAL_STREAM set and
 * matching stderr) lines carry "<N>" priority prefixes that journald understands. */
typedef void (*vw_log_sink_t)(int level, const char *msg, void *userdata);

void vw_log_set_level(int level);
int vw_log_get_level(void);
int vw_log_level_from_string(const char *s);
const char *vw_log_level_to_string(int level);
void vw_log_set_sink(vw_log_sink_t sink, void *userdata);
void vw_log_set_ident(const char *ident);

/* Remember the last error logged between begin and end (it is still logged as usual), so a
 * failure can be reported to a client in the backend's own words. end returns it malloc'd or NULL. */
void vw_log_capture_begin(void);
char *vw_log_capture_end(void);

void vw_log(int level, const char *fmt, ...) _printf_(2, 3);
void vw_logv(int level, const char *fmt, va_list ap) _printf_(2, 0);
/* Log and return -abs(err) so callers can write "return log_error_errno(r, ...)". */
int vw_log_errno(int level, int err, const char *fmt, ...) _printf_(3, 4);

#define log_debug(...) vw_log(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) vw_log(LOG_INFO, __VA_ARGS__)
#define log_notice(...) vw_log(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) vw_log(LOG_WARNING, __VA_ARGS__)
#define log_error(...) vw_log(LOG_ERR, __VA_ARGS__)
/* The value, -abs(e), is computed here and not only inside vw_log_errno(), so the static analyzer,
 * which sees one file at a time, knows that "return log_error_errno(r, ...)" returns < 0 and does
 * not follow a failed call into code that uses what it did not set. An e of 0 (errno left unset
 * by a failing call) still returns an error, -EIO: a failure path must never return success. */
#define vw_log_errno_full(level, e, ...)                          \
        ({                                                        \
                int _vw_e_ = (e);                                 \
                (void)vw_log_errno((level), _vw_e_, __VA_ARGS__); \
                _vw_e_ < 0 ? _vw_e_ : (_vw_e_ ? -_vw_e_ : -EIO);  \
        })
#define log_error_errno(e, ...) vw_log_errno_full(LOG_ERR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) vw_log_errno_full(LOG_WARNING, (e), __VA_ARGS__)
#define log_debug_errno(e, ...) vw_log_errno_full(LOG_DEBUG, (e), __VA_ARGS__)
