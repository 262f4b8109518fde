/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Harness for the integration suites: vwired and vwirectl as built, real PTYs and sockets, and
 * outside clients (pyserial, socat, stty) as child processes.
 *
 * Every test case gets its own directory, <base>/<case>/, holding the config file, vwired's
 * runtime directory (run/), vwired's stderr (vwired.log), a transcript of every command run
 * (transcript.log) and the stderr of background processes (*.err). vwt_main() runs the suite and,
 * for every case that failed, prints those files; then it removes the base directory (unless
 * VWIRE_TEST_KEEP is set).
 *
 * No test may hang: every wait has a timeout, each case has Check's timeout (150 s, under meson's
 * 300 s per binary), and every child (vwired included) dies with the test process that started it
 * (PR_SET_PDEATHSIG): a failed case ends its process at once in Check's fork mode, without the
 * teardown, and still leaves nothing running.
 *
 * Environment (set by meson): VWIRE_TEST_VWIRED, VWIRE_TEST_VWIRECTL, VWIRE_TEST_SCRIPTS (this
 * directory, for the *.py helpers), VWIRE_TEST_PYTHON (a python3 with pyserial), VWIRE_TEST_SOCAT.
 */

#include <check.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/param.h>
#include <sys/types.h>

/* Timeouts (milliseconds). */
#define VWT_CMD_TIMEOUT 15000    /* one vwirectl, stty or short script */
#define VWT_START_TIMEOUT 15000  /* vwired answering its first call */
#define VWT_STOP_TIMEOUT 15000   /* vwired exiting after SIGTERM */

#define VWT_MAX_PROCS 16

/* What a finished command left. */
struct vwt_output {
        int status;   /* exit code, 128 + signal number, or -1 when it timed out (and was killed) */
        char *out;    /* stdout, NUL-terminated (may hold other NULs before) */
        size_t out_len;
        char *err;    /* stderr, NUL-terminated */
        size_t err_len;
};

/* A background process. */
struct vwt_proc {
        pid_t pid;        /* 0 once reaped */
        int in;           /* its stdin (write end), or -1 */
        int out;          /* its stdout (read end), or -1 */
        int status;       /* as in vwt_output, once reaped */
        char name[64];
        char buf[65536];  /* stdout read ahead by vwt_proc_line() */
        size_t buf_len;
};

/* One test case's world. */
struct vwt {
        char name[64];
        char dir[200];        /* this case's directory */
        char run[256];        /* vwired's runtime directory */
        char config[256];     /* the config file */
        char log[256];        /* vwired's stderr */
        char sock[256];       /* the control socket */
        pid_t pid;            /* vwired, 0 when not running */
        struct vwt_proc *procs[VWT_MAX_PROCS];
        void **garbage;       /* freed at the end of the case */
        size_t n_garbage;
        json_object **json;   /* put at the end of the case */
        size_t n_json;
        unsigned n_replies_noted;  /* control replies written to the transcript */
};

/* ---- suite ---- */

/* The current case (valid between the fixture's setup and teardown). */
struct vwt *vwt(void);
/*
 * A test case: VWT_TEST(name) { body }, added with VWT_ADD(suite, name). The case's directory is
 * named after it, so the runner finds its files when it fails.
 */
#define VWT_TEST(name)                                  \
        static void name##_body(void);                  \
        START_TEST(name)                                \
        {                                               \
                vwt_begin(#name);                       \
                name##_body();                          \
        }                                               \
        END_TEST                                        \
        static void name##_body(void)
void vwt_begin(const char *name);
/* Add a case with the harness fixture and its own timeout. */
#define VWT_ADD(suite, test) vwt_add((suite), #test, (test))
void vwt_add(Suite *s, const char *name, const TTest *test);
/* Run the suite, print the files of failed cases, clean up. Returns main()'s exit status. */
int vwt_main(Suite *s);

/* Fail the current case, naming the caller's file and line. */
#define vwt_fail(...) vwt_fail_at(__FILE__, __LINE__, __VA_ARGS__)
void vwt_fail_at(const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4), noreturn));

/* ---- small things ---- */

/* The programs under test and the outside clients. */
const char *vwt_vwired_path(void);
const char *vwt_vwirectl_path(void);
const char *vwt_python_path(void);
const char *vwt_socat_path(void);

uint64_t vwt_now_ms(void);
void vwt_sleep_ms(unsigned ms);
/* A formatted string freed at the end of the case. */
const char *vwt_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A path in the case's directory / in vwired's runtime directory. */
const char *vwt_path(const char *name);
const char *vwt_run_path(const char *name);
/* A TCP port on 127.0.0.1 that was free a moment ago. */
unsigned vwt_free_port(void);
/* Whole file, NUL-terminated, freed at the end of the case (NULL if unreadable). */
char *vwt_read_file(const char *path);
void vwt_write_file(const char *path, const char *text);
/* Append a line to the transcript. */
void vwt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Poll `cond` every 20 ms until it holds (true) or `ms` pass (false). */
#define VWT_WAIT_FOR(ms, cond)                                                  \
        ({                                                                      \
                uint64_t _vwt_end = vwt_now_ms() + (ms);                        \
                bool _vwt_ok;                                                   \
                for (;;) {                                                      \
                        if ((_vwt_ok = (cond)))                                 \
                                break;                                          \
                        if (vwt_now_ms() >= _vwt_end)                           \
                                break;                                          \
                        vwt_sleep_ms(20);                                       \
                }                                                               \
                _vwt_ok;                                                        \
        })

/* ---- vwired ---- */

/* Write the config file; `%t` in it is vwired's runtime directory, as in any config. */
void vwt_config(const char *text);
void vwt_configf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start vwired on the config and wait until it answers on its control socket; fail otherwise. */
#define vwt_start() vwt_start_at(__FILE__, __LINE__)
void vwt_start_at(const char *file, int line);
/* Start vwired expecting it to fail: its exit status (fails the case if it comes up). */
int vwt_start_fails(void);
/* SIGTERM, wait, and require exit status 0. */
#define vwt_stop() vwt_stop_at(__FILE__, __LINE__)
void vwt_stop_at(const char *file, int line);
/* Send a signal to vwired. */
void vwt_signal(int sig);
/* Where vwired's control socket is, when the config moves it (default: run/control.sock). */
void vwt_set_control_socket(const char *path);
/* How many file descriptors vwired has open. */
int vwt_daemon_fds(void);
/* Wait for vwired to exit (after a signal): its status (fails the case after timeout_ms). */
int vwt_wait_exit(int timeout_ms);
/* vwired's log so far. */
char *vwt_log(void);
/* vwired is still running (not exited). */
bool vwt_alive(void);

/* ---- commands ---- */

/* Run argv (NULL-terminated), feeding `in` (may be NULL) to its stdin; the output is freed at the
 * end of the case. Returns the exit status as in vwt_output. */
int vwt_runv(struct vwt_output *ret, int timeout_ms, const char *in, size_t in_len, const char *const *argv);
#define vwt_run(o, ...) vwt_runv((o), VWT_CMD_TIMEOUT, NULL, 0, (const char *const[]){ __VA_ARGS__, NULL })

/* vwirectl --socket <ours> ARGS...: the exit status; o may be NULL. */
#define vwt_ctl(o, ...) vwt_ctlv((o), (const char *const[]){ __VA_ARGS__, NULL })
int vwt_ctlv(struct vwt_output *o, const char *const *args);
/* vwirectl --json ARGS..., required to exit 0 and print one JSON value: that value. */
#define vwt_ctl_json(...) vwt_ctl_jsonv(__FILE__, __LINE__, (const char *const[]){ __VA_ARGS__, NULL })
json_object *vwt_ctl_jsonv(const char *file, int line, const char *const *args);
/* vwirectl ARGS..., required to exit 0. */
#define vwt_ctl_ok(...) vwt_ctl_okv(__FILE__, __LINE__, (const char *const[]){ __VA_ARGS__, NULL })
void vwt_ctl_okv(const char *file, int line, const char *const *args);

/* python3 tests/integration/SCRIPT ARGS...: the exit status. */
#define vwt_py(o, timeout_ms, script, ...) \
        vwt_pyv((o), (timeout_ms), (script), (const char *const[]){ __VA_ARGS__, NULL })
int vwt_pyv(struct vwt_output *o, int timeout_ms, const char *script, const char *const *args);

/* ---- background processes ---- */

enum {
        VWT_PIPE_IN = 1 << 0,   /* give it a stdin pipe (else /dev/null) */
        VWT_PIPE_OUT = 1 << 1,  /* give it a stdout pipe (else its stdout goes to its .err file) */
};

/* Start argv (NULL-terminated); stopped (SIGKILL) at the end of the case if still running. */
struct vwt_proc *vwt_proc_startv(unsigned flags, const char *const *argv);
#define vwt_proc_start(flags, ...) vwt_proc_startv((flags), (const char *const[]){ __VA_ARGS__, NULL })
/* The same for a python helper script. */
struct vwt_proc *vwt_py_startv(unsigned flags, const char *script, const char *const *args);
#define vwt_py_start(flags, script, ...) \
        vwt_py_startv((flags), (script), (const char *const[]){ __VA_ARGS__, NULL })
/* Write all of data to its stdin (false on error or timeout). */
bool vwt_proc_write(struct vwt_proc *p, const void *data, size_t len, int timeout_ms);
/* Read exactly len bytes of its stdout (false on EOF or timeout; *got says how many came). */
bool vwt_proc_read(struct vwt_proc *p, void *buf, size_t len, size_t *got, int timeout_ms);
/* Write data to its stdin while reading `want` bytes of its stdout into buf (both within the
 * timeout, so a pipeline that echoes cannot deadlock on full pipes). */
bool vwt_proc_exchange(struct vwt_proc *p, const void *data, size_t len, void *buf, size_t want, size_t *got,
                       int timeout_ms);
/* The next line of its stdout without the newline, freed at the end of the case; NULL on EOF or
 * timeout. */
char *vwt_proc_line(struct vwt_proc *p, int timeout_ms);
/* Close its stdin. */
void vwt_proc_close_in(struct vwt_proc *p);
/* Wait for it to exit: its status, or -1 after timeout_ms (then it is killed). */
int vwt_proc_wait(struct vwt_proc *p, int timeout_ms);
/* Forget it (killing it if still running) and free its slot. */
void vwt_proc_done(struct vwt_proc *p);
/* Send sig, then wait as vwt_proc_wait(). */
int vwt_proc_kill(struct vwt_proc *p, int sig, int timeout_ms);

/* ---- the control socket, without vwirectl ---- */

/* A new connection to the control socket (fails the case if none). */
int vwt_control_connect(void);
/* Send all of data (false if the peer is gone). */
bool vwt_send_all(int fd, const void *data, size_t len);
/* One NUL-terminated message, parsed (freed at the end of the case); NULL on EOF, timeout or
 * garbage. *eof (may be NULL) tells EOF apart. */
json_object *vwt_recv_msg(int fd, int timeout_ms, bool *eof);
/* Call method with params (JSON text or NULL) on a new connection; the reply. */
json_object *vwt_call(const char *method, const char *params_json);

/* ---- JSON ---- */

/* The member at a dotted path ("endpoint.details.line.baud", "route.lanes.0.bytes_dropped");
 * NULL when missing. */
json_object *vwt_jget(json_object *o, const char *path);
#define vwt_jint(o, path) vwt_jint_at(__FILE__, __LINE__, (o), (path))
int64_t vwt_jint_at(const char *file, int line, json_object *o, const char *path);
#define vwt_jstr(o, path) vwt_jstr_at(__FILE__, __LINE__, (o), (path))
const char *vwt_jstr_at(const char *file, int line, json_object *o, const char *path);
/* Parse text (freed at the end of the case); NULL if it is not exactly one JSON value. */
json_object *vwt_parse_json(const char *text);
/* Is there an endpoint or route of that name in `vwirectl --json list`? */
bool vwt_listed(const char *name);

/* ---- serial ports from C ---- */

/* Open a PTY path raw (fails the case if it cannot). */
int vwt_serial_open(const char *path);
/* Write data to fd and read exactly expect_len bytes back from rfd; true if they match `expect`. */
bool vwt_serial_roundtrip(int wfd, const void *data, size_t len, int rfd, const void *expect, size_t expect_len,
                          int timeout_ms);
/* Read exactly len bytes from fd within timeout_ms (false otherwise; *got says how many). */
bool vwt_read_exact(int fd, void *buf, size_t len, size_t *got, int timeout_ms);
/* Nothing more arrives on fd within ms. */
bool vwt_quiet(int fd, int ms);
