/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness-internal.h"

#define CASE_TIMEOUT_SEC 150  /* under meson's 300 s for the binary; sanitizers make cases slower */

#define DUMP_TAIL (48 * 1024)

static char base_dir[128];
struct vwt current;
static const char *env_vwired, *env_vwirectl, *env_scripts, *env_python, *env_socat;

struct vwt *vwt(void)
{
        return &current;
}

/* ---- small things ---- */

void vwt_fail_at(const char *file, int line, const char *fmt, ...)
{
        char msg[4096];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        vwt_note("FAILED at %s:%d: %s", file, line, msg);
        _ck_assert_failed(file, line, "Failed", "%s", msg);
}

uint64_t vwt_now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void vwt_sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int vwt_remaining(uint64_t end)
{
        uint64_t now = vwt_now_ms();

        return now >= end ? 0 : (int)(end - now);
}

void *vwt_keep(void *p)
{
        void **n;

        if (!p)
                vwt_fail("out of memory");
        n = realloc(current.garbage, (current.n_garbage + 1) * sizeof(void *));
        if (!n)
                vwt_fail("out of memory");
        current.garbage = n;
        n[current.n_garbage++] = p;
        return p;
}

json_object *vwt_keep_json(json_object *o)
{
        json_object **n;

        if (!o)
                return NULL;
        n = realloc(current.json, (current.n_json + 1) * sizeof(json_object *));
        if (!n)
                vwt_fail("out of memory");
        current.json = n;
        n[current.n_json++] = o;
        return o;
}

const char *vwt_strf(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                vwt_fail("out of memory");
        return vwt_keep(s);
}

const char *vwt_path(const char *name)
{
        return vwt_strf("%s/%s", current.dir, name);
}

const char *vwt_run_path(const char *name)
{
        return vwt_strf("%s/%s", current.run, name);
}

void vwt_note(const char *fmt, ...)
{
        char path[300];
        va_list ap;
        FILE *f;

        if (!current.dir[0])
                return;
        snprintf(path, sizeof(path), "%s/transcript.log", current.dir);
        f = fopen(path, "ae");
        if (!f)
                return;
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        fputc('\n', f);
        fclose(f);
}

unsigned vwt_free_port(void)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
                vwt_fail("cannot find a free TCP port: %s", strerror(errno));
        close(fd);
        return ntohs(sa.sin_port);
}

static char *slurp(const char *path, size_t *ret_len)
{
        char *buf = NULL;
        size_t len = 0, cap = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return NULL;
        for (;;) {
                ssize_t n;

                if (cap - len < 4097) {
                        char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
                        if (!nb) {
                                free(buf);
                                close(fd);
                                return NULL;
                        }
                        buf = nb;
                }
                n = read(fd, buf + len, cap - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        close(fd);
        buf[len] = 0;
        if (ret_len)
                *ret_len = len;
        return buf;
}

char *vwt_read_file(const char *path)
{
        char *s = slurp(path, NULL);

        return s ? vwt_keep(s) : NULL;
}

void vwt_write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");

        if (!f)
                vwt_fail("cannot write %s: %s", path, strerror(errno));
        fputs(text, f);
        if (fclose(f) != 0)
                vwt_fail("cannot write %s: %s", path, strerror(errno));
}

/* ---- vwired ---- */

void vwt_config(const char *text)
{
        vwt_write_file(current.config, text);
        vwt_note("config %s:\n%s", current.config, text);
}

void vwt_configf(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                vwt_fail("out of memory");
        vwt_config(s);
        free(s);
}

static pid_t daemon_spawn(void)
{
        const char *argv[] = { env_vwired, "--config", current.config, "--runtime-dir", current.run, "-v", NULL };
        int log = open(current.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        pid_t pid;

        if (log < 0)
                vwt_fail("cannot create %s: %s", current.log, strerror(errno));
        pid = vwt_spawn(argv, -1, log, log);
        close(log);
        vwt_note_argv(argv, -2, NULL);
        return pid;
}

/* One Status call answered: vwired has made its endpoints and runs its loop. */
static bool daemon_answers(void)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        static const char call[] = "{\"method\":\"io.vwire.Status\"}";
        json_object *reply;
        int fd;

        vwt_sun_path(&sa, current.sock);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || !vwt_send_all(fd, call, sizeof(call))) {
                close(fd);
                return false;
        }
        reply = vwt_recv_msg(fd, 2000, NULL);
        close(fd);
        return reply && vwt_jget(reply, "parameters.pid");
}

void vwt_start_at(const char *file, int line)
{
        uint64_t end = vwt_now_ms() + VWT_START_TIMEOUT;

        if (current.pid > 0)
                vwt_fail_at(file, line, "vwired is already running");
        current.pid = daemon_spawn();
        for (;;) {
                int st = vwt_wait_pid(current.pid, 0);

                if (st >= 0) {
                        current.pid = 0;
                        vwt_fail_at(file, line, "vwired exited with %d while starting; its log:\n%s", st, vwt_log());
                }
                if (daemon_answers())
                        break;
                if (vwt_now_ms() >= end)
                        vwt_fail_at(file, line, "vwired did not answer on %s within %d ms", current.sock,
                                    VWT_START_TIMEOUT);
                vwt_sleep_ms(20);
        }
        vwt_note("vwired (pid %d) is ready", (int)current.pid);
}

int vwt_start_fails(void)
{
        uint64_t end = vwt_now_ms() + VWT_START_TIMEOUT;
        pid_t pid = daemon_spawn();
        int st;

        for (;;) {
                st = vwt_wait_pid(pid, 20);
                if (st >= 0)
                        break;
                if (daemon_answers()) {
                        current.pid = pid;
                        vwt_fail("vwired started although it should have refused to");
                }
                if (vwt_now_ms() >= end) {
                        (void)vwt_kill_wait(pid);
                        vwt_fail("vwired neither started nor exited within %d ms", VWT_START_TIMEOUT);
                }
        }
        vwt_note("vwired (pid %d) exited with %d as expected", (int)pid, st);
        return st;
}

void vwt_stop_at(const char *file, int line)
{
        int st;

        if (current.pid <= 0)
                vwt_fail_at(file, line, "vwired is not running");
        (void)kill(current.pid, SIGTERM);
        st = vwt_wait_pid(current.pid, VWT_STOP_TIMEOUT);
        if (st < 0) {
                (void)vwt_kill_wait(current.pid);
                current.pid = 0;
                vwt_fail_at(file, line, "vwired did not exit within %d ms of SIGTERM", VWT_STOP_TIMEOUT);
        }
        current.pid = 0;
        vwt_note("vwired exited with %d after SIGTERM", st);
        if (st != 0)
                vwt_fail_at(file, line, "vwired exited with %d after SIGTERM (expected 0); its log:\n%s", st,
                            vwt_log());
}

void vwt_signal(int sig)
{
        if (current.pid <= 0)
                vwt_fail("vwired is not running");
        vwt_note("sending signal %d to vwired", sig);
        (void)kill(current.pid, sig);
}

int vwt_wait_exit(int timeout_ms)
{
        int st;

        if (current.pid <= 0)
                vwt_fail("vwired is not running");
        st = vwt_wait_pid(current.pid, timeout_ms);
        if (st < 0) {
                (void)vwt_kill_wait(current.pid);
                current.pid = 0;
                vwt_fail("vwired did not exit within %d ms", timeout_ms);
        }
        vwt_note("vwired exited with %d", st);
        current.pid = 0;
        return st;
}

void vwt_set_control_socket(const char *path)
{
        /* sun_path (108 bytes) is the limit; current.sock is larger */
        _Static_assert(sizeof(current.sock) >= sizeof(((struct sockaddr_un *)0)->sun_path), "sock too small");
        if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                vwt_fail("control socket path too long: %s", path);
        memcpy(current.sock, path, strlen(path) + 1);
}

int vwt_daemon_fds(void)
{
        char dir[64];
        struct dirent *de;
        int n = 0;
        DIR *d;

        if (current.pid <= 0)
                vwt_fail("vwired is not running");
        snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)current.pid);
        d = opendir(dir);
        if (!d)
                vwt_fail("cannot list %s: %s", dir, strerror(errno));
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        closedir(d);
        return n;
}

bool vwt_alive(void)
{
        int st;

        if (current.pid <= 0)
                return false;
        st = vwt_wait_pid(current.pid, 0);
        if (st < 0)
                return true;
        vwt_note("vwired exited unexpectedly with %d", st);
        current.pid = 0;
        return false;
}

char *vwt_log(void)
{
        char *s = vwt_read_file(current.log);

        return s ? s : (char *)"(no log)";
}

/* ---- suite ---- */

static void setup(void)
{
        memset(&current, 0, sizeof(current));
}

void vwt_begin(const char *name)
{
        snprintf(current.name, sizeof(current.name), "%s", name);
        if (snprintf(current.dir, sizeof(current.dir), "%s/%s", base_dir, current.name) >= (int)sizeof(current.dir) ||
            snprintf(current.run, sizeof(current.run), "%s/run", current.dir) >= (int)sizeof(current.run) ||
            snprintf(current.config, sizeof(current.config), "%s/vwire.conf", current.dir) >= (int)sizeof(current.config) ||
            snprintf(current.log, sizeof(current.log), "%s/vwired.log", current.dir) >= (int)sizeof(current.log) ||
            snprintf(current.sock, sizeof(current.sock), "%s/control.sock", current.run) >= 108)
                vwt_fail("the case's paths are too long: %s", current.dir);
        if (mkdir(current.dir, 0755) < 0)
                vwt_fail("cannot create %s: %s", current.dir, strerror(errno));
        vwt_note("case %s in %s", current.name, current.dir);
}

static void teardown(void)
{
        for (size_t i = 0; i < VWT_MAX_PROCS; i++)
                if (current.procs[i])
                        vwt_proc_free(current.procs[i]);
        if (current.pid > 0) {
                vwt_note("killing vwired (pid %d) left running", (int)current.pid);
                (void)vwt_kill_wait(current.pid);
        }
        for (size_t i = 0; i < current.n_json; i++)
                json_object_put(current.json[i]);
        for (size_t i = 0; i < current.n_garbage; i++)
                free(current.garbage[i]);
        free(current.json);
        free(current.garbage);
        memset(&current, 0, sizeof(current));
}

void vwt_add(Suite *s, const char *name, const TTest *test)
{
        TCase *tc = tcase_create(name);

        tcase_set_timeout(tc, CASE_TIMEOUT_SEC);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test);
        suite_add_tcase(s, tc);
}

static void dump_file(const char *tcname, const char *path, const char *label)
{
        size_t len = 0;
        char *s = slurp(path, &len);

        if (!s)
                return;
        fprintf(stderr, "\n===== %s: %s (%zu bytes%s) =====\n", tcname, label, len,
                len > DUMP_TAIL ? ", the end of it" : "");
        fwrite(len > DUMP_TAIL ? s + len - DUMP_TAIL : s, 1, MIN(len, (size_t)DUMP_TAIL), stderr);
        if (len && s[len - 1] != '\n')
                fputc('\n', stderr);
        free(s);
}

static void dump_case(const char *tcname)
{
        char dir[300], path[600];
        struct dirent *de;
        DIR *d;

        snprintf(dir, sizeof(dir), "%s/%s", base_dir, tcname);
        snprintf(path, sizeof(path), "%s/vwired.log", dir);
        dump_file(tcname, path, "vwired's log");
        snprintf(path, sizeof(path), "%s/transcript.log", dir);
        dump_file(tcname, path, "transcript");
        d = opendir(dir);
        while (d && (de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n > 4 && strcmp(de->d_name + n - 4, ".err") == 0) {
                        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                        dump_file(tcname, path, de->d_name);
                }
        }
        if (d)
                closedir(d);
        snprintf(path, sizeof(path), "%s/vwire.conf", dir);
        dump_file(tcname, path, "config");
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)remove(path);
        return 0;
}

static const char *need_env(const char *name)
{
        const char *v = getenv(name);

        if (!v || !*v) {
                fprintf(stderr, "%s is not set: run the integration tests with 'meson test --suite integration'\n",
                        name);
                exit(EXIT_FAILURE);
        }
        return v;
}

int vwt_main(Suite *s)
{
        SRunner *sr;
        TestResult **failures;
        int failed;

        env_vwired = need_env("VWIRE_TEST_VWIRED");
        env_vwirectl = need_env("VWIRE_TEST_VWIRECTL");
        env_scripts = need_env("VWIRE_TEST_SCRIPTS");
        env_python = getenv("VWIRE_TEST_PYTHON") ? getenv("VWIRE_TEST_PYTHON") : "/usr/bin/python3";
        env_socat = getenv("VWIRE_TEST_SOCAT") ? getenv("VWIRE_TEST_SOCAT") : "/usr/bin/socat";
        signal(SIGPIPE, SIG_IGN);

        snprintf(base_dir, sizeof(base_dir), "/tmp/vwit-XXXXXX");
        if (!mkdtemp(base_dir)) {
                fprintf(stderr, "cannot create a directory in /tmp: %s\n", strerror(errno));
                return EXIT_FAILURE;
        }

        sr = srunner_create(s);
        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        failures = srunner_failures(sr);
        for (int i = 0; i < failed; i++)
                dump_case(tr_tcname(failures[i]));
        free(failures);
        srunner_free(sr);

        if (getenv("VWIRE_TEST_KEEP"))
                fprintf(stderr, "test directories kept in %s\n", base_dir);
        else
                (void)nftw(base_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *vwt_scripts_dir(void) { return env_scripts; }
const char *vwt_vwired_path(void) { return env_vwired; }
const char *vwt_vwirectl_path(void) { return env_vwirectl; }
const char *vwt_python_path(void) { return env_python; }
const char *vwt_socat_path(void) { return env_socat; }
