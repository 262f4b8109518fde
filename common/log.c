/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"

static int log_level = LOG_INFO;
static vw_log_sink_t log_sink;
static void *log_sink_userdata;
static const char *log_ident = "vwire";
static int use_prefix = -1;
static bool capturing;
static char *captured;

void vw_log_capture_begin(void)
{
        free(captured);
        captured = NULL;
        capturing = true;
}

char *vw_log_capture_end(void)
{
        char *c = captured;

        captured = NULL;
        capturing = false;
        return c;
}

static const char *const level_names[] = {
        [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
        [LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void vw_log_set_level(int level) { log_level = level; }
int vw_log_get_level(void) { return log_level; }
void vw_log_set_ident(const char *ident) { log_ident = ident; }

void vw_log_set_sink(vw_log_sink_t sink, void *userdata)
{
        log_sink = sink;
        log_sink_userdata = userdata;
}

int vw_log_level_from_string(const char *s)
{
        for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
                if (level_names[i] && strcasecmp(s, level_names[i]) == 0)
                        return (int)i;
        if (strcasecmp(s, "err") == 0)
                return LOG_ERR;
        if (strcasecmp(s, "warn") == 0)
                return LOG_WARNING;
        return -EINVAL;
}

const char *vw_log_level_to_string(int level)
{
        if (level < 0 || (size_t)level >= ELEMENTSOF(level_names))
                return "unknown";
        return level_names[level];
}

/* "DEV:INO", two decimal numbers. strtoull, not sscanf: sscanf cannot report an overflow, and
 * would take "-1" or "1:2junk". errno is left as it was (a log call may be formatting %m). */
static bool parse_dev_ino(const char *s, unsigned long long *dev, unsigned long long *ino)
{
        int saved = errno;
        char *end;
        bool ok = false;

        errno = 0;
        if (isdigit((unsigned char)s[0])) {
                *dev = strtoull(s, &end, 10);
                if (errno == 0 && *end == ':' && isdigit((unsigned char)end[1])) {
                        *ino = strtoull(end + 1, &end, 10);
                        ok = errno == 0 && *end == 0;
                }
        }
        errno = saved;
        return ok;
}

/* stderr is connected to the journal when JOURNAL_STREAM names its device:inode. */
static bool stderr_is_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || !parse_dev_ino(e, &dev, &ino))
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return st.st_dev == dev && st.st_ino == ino;
}

void vw_logv(int level, const char *fmt, va_list ap)
{
        char msg[2048];

        if (level > log_level && !(capturing && level <= LOG_ERR))
                return;
        vsnprintf(msg, sizeof(msg), fmt, ap);
        if (capturing && level <= LOG_ERR) {
                free(captured);
                captured = strdup(msg);
        }
        if (level > log_level)
                return;
        if (log_sink) {
                log_sink(level, msg, log_sink_userdata);
                return;
        }
        if (use_prefix < 0)
                use_prefix = stderr_is_journal();
        if (use_prefix)
                fprintf(stderr, "<%d>%s\n", level, msg);
        else if (level <= LOG_WARNING)
                fprintf(stderr, "%s: %s: %s\n", log_ident, level_names[level], msg);
        else
                fprintf(stderr, "%s: %s\n", log_ident, msg);
}

void vw_log(int level, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vw_logv(level, fmt, ap);
        va_end(ap);
}

int vw_log_errno(int level, int err, const char *fmt, ...)
{
        va_list ap;
        int saved = errno;

        err = err < 0 ? -err : err;
        if (level <= log_level) {
                char buf[1536];
                va_start(ap, fmt);
                vsnprintf(buf, sizeof(buf), fmt, ap);
                va_end(ap);
                errno = err;
                vw_log(level, "%s: %s", buf, strerror(err));
        }
        errno = saved;
        return err ? -err : -EIO; /* as vw_log_errno_full() */
}
