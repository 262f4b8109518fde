/* SPDX-License-Identifier: MIT */
/* Child processes: one-shot commands with their output captured, and background processes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness-internal.h"

static int decode_status(int st)
{
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        if (WIFSIGNALED(st))
                return 128 + WTERMSIG(st);
        return 255;
}

/* Exit status of pid, or -1 if it is still running after timeout_ms. */
int vwt_wait_pid(pid_t pid, int timeout_ms)
{
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;

        for (;;) {
                int st;
                pid_t r = waitpid(pid, &st, WNOHANG);

                if (r == pid)
                        return decode_status(st);
                if (r < 0 && errno != EINTR)
                        return 255;
                if (vwt_now_ms() >= end)
                        return -1;
                vwt_sleep_ms(5);
        }
}

int vwt_kill_wait(pid_t pid)
{
        int st;

        (void)kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return 255;
        return decode_status(st);
}

pid_t vwt_spawn(const char *const *argv, int in, int out, int err)
{
        pid_t parent = getpid(), pid;

        pid = fork();
        if (pid < 0)
                vwt_fail("fork: %s", strerror(errno));
        if (pid > 0)
                return pid;

        /* the child: dies with the test, whichever way the test ends */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(127);
        int null = open("/dev/null", O_RDWR);
        if (dup2(in >= 0 ? in : null, 0) < 0 || dup2(out >= 0 ? out : null, 1) < 0 ||
            dup2(err >= 0 ? err : null, 2) < 0)
                _exit(127);
        closefrom(3);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], (char *const *)argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
}

void vwt_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
        if (*len + n + 1 > *cap) {
                size_t ncap = *cap ? *cap : 4096;
                char *nb;

                while (*len + n + 1 > ncap)
                        ncap *= 2;
                nb = realloc(*buf, ncap);
                if (!nb)
                        vwt_fail("out of memory");
                *buf = nb;
                *cap = ncap;
        }
        memcpy(*buf + *len, data, n);
        *len += n;
        (*buf)[*len] = 0;
}

void vwt_note_argv(const char *const *argv, int status, const struct vwt_output *o)
{
        char line[2048];
        size_t len = 0;

        for (size_t i = 0; argv[i] && len < sizeof(line); i++)
                len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", i ? " " : "", argv[i]);
        if (status == -2)
                vwt_note("$ %s &", line);
        else
                vwt_note("$ %s  => exit %d", line, status);
        if (o && o->out_len)
                vwt_note("  stdout (%zu bytes): %.*s", o->out_len, (int)MIN(o->out_len, (size_t)4000), o->out);
        if (o && o->err_len)
                vwt_note("  stderr: %.*s", (int)MIN(o->err_len, (size_t)4000), o->err);
}

int vwt_runv(struct vwt_output *ret, int timeout_ms, const char *in, size_t in_len, const char *const *argv)
{
        struct vwt_output o = {};
        size_t out_cap = 0, err_cap = 0, in_done = 0;
        int pin[2] = { -1, -1 }, pout[2], perr[2];
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;
        bool timed_out = false;
        pid_t pid;

        if (pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0 || (in && pipe2(pin, O_CLOEXEC) < 0))
                vwt_fail("pipe: %s", strerror(errno));
        pid = vwt_spawn(argv, pin[0], pout[1], perr[1]);
        close(pout[1]);
        close(perr[1]);
        if (pin[0] >= 0) {
                close(pin[0]);
                fcntl(pin[1], F_SETFL, O_NONBLOCK);
        }
        vwt_append(&o.out, &o.out_len, &out_cap, "", 0);
        vwt_append(&o.err, &o.err_len, &err_cap, "", 0);

        while (pout[0] >= 0 || perr[0] >= 0) {
                struct pollfd p[3] = {
                        { .fd = pout[0], .events = POLLIN },
                        { .fd = perr[0], .events = POLLIN },
                        { .fd = pin[1], .events = POLLOUT },
                };
                int r = poll(p, 3, vwt_remaining(end));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0) {
                        timed_out = true;
                        break;
                }
                if (p[2].revents) {
                        ssize_t n = write(pin[1], in + in_done, in_len - in_done);
                        if (n > 0)
                                in_done += (size_t)n;
                        if ((n < 0 && errno != EAGAIN) || in_done == in_len) {
                                close(pin[1]);
                                pin[1] = -1;
                        }
                }
                for (int i = 0; i < 2; i++) {
                        char buf[65536];
                        int *fd = i == 0 ? &pout[0] : &perr[0];
                        ssize_t n;

                        if (!p[i].revents)
                                continue;
                        n = read(*fd, buf, sizeof(buf));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                close(*fd);
                                *fd = -1;
                                continue;
                        }
                        if (i == 0)
                                vwt_append(&o.out, &o.out_len, &out_cap, buf, (size_t)n);
                        else
                                vwt_append(&o.err, &o.err_len, &err_cap, buf, (size_t)n);
                }
        }
        if (pin[1] >= 0)
                close(pin[1]);
        if (pout[0] >= 0)
                close(pout[0]);
        if (perr[0] >= 0)
                close(perr[0]);
        o.status = timed_out ? -1 : vwt_wait_pid(pid, vwt_remaining(end));
        if (o.status < 0) {
                (void)vwt_kill_wait(pid);
                o.status = -1;
        }
        vwt_note_argv(argv, o.status, &o);
        if (ret) {
                vwt_keep(o.out);
                vwt_keep(o.err);
                *ret = o;
        } else {
                free(o.out);
                free(o.err);
        }
        return o.status;
}

int vwt_ctlv(struct vwt_output *o, const char *const *args)
{
        const char *argv[64] = { vwt_vwirectl_path(), "--socket", current.sock };
        size_t n = 3;

        for (size_t i = 0; args[i] && n < 63; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        return vwt_runv(o, VWT_CMD_TIMEOUT, NULL, 0, argv);
}

void vwt_ctl_okv(const char *file, int line, const char *const *args)
{
        struct vwt_output o;

        if (vwt_ctlv(&o, args) != 0)
                vwt_fail_at(file, line, "vwirectl %s ... exited %d: %s", args[0], o.status, o.err);
}

json_object *vwt_ctl_jsonv(const char *file, int line, const char *const *args)
{
        const char *argv[64] = { "--json" };
        struct vwt_output o;
        json_object *j;
        size_t n = 1;

        for (size_t i = 0; args[i] && n < 63; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        if (vwt_ctlv(&o, argv) != 0)
                vwt_fail_at(file, line, "vwirectl --json %s ... exited %d: %s", args[0], o.status, o.err);
        j = vwt_parse_json(o.out);
        if (!j)
                vwt_fail_at(file, line, "vwirectl --json %s ... printed no JSON value: '%s'", args[0], o.out);
        return j;
}

static const char *script_path(const char *script)
{
        return vwt_strf("%s/%s", vwt_scripts_dir(), script);
}

int vwt_pyv(struct vwt_output *o, int timeout_ms, const char *script, const char *const *args)
{
        const char *argv[64] = { vwt_python_path(), script_path(script) };
        size_t n = 2;

        for (size_t i = 0; args[i] && n < 63; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        return vwt_runv(o, timeout_ms, NULL, 0, argv);
}

/* ---- background processes ---- */

void vwt_proc_free(struct vwt_proc *p)
{
        if (p->pid > 0)
                (void)vwt_kill_wait(p->pid);
        if (p->in >= 0)
                close(p->in);
        if (p->out >= 0)
                close(p->out);
        free(p);
}

void vwt_proc_done(struct vwt_proc *p)
{
        for (size_t i = 0; i < VWT_MAX_PROCS; i++)
                if (current.procs[i] == p)
                        current.procs[i] = NULL;
        vwt_proc_free(p);
}

struct vwt_proc *vwt_proc_startv(unsigned flags, const char *const *argv)
{
        int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, err;
        struct vwt_proc *p = NULL;
        const char *base, *errpath;
        size_t slot;

        for (slot = 0; slot < VWT_MAX_PROCS && current.procs[slot]; slot++)
                ;
        if (slot == VWT_MAX_PROCS)
                vwt_fail("too many background processes");
        p = calloc(1, sizeof(*p));
        if (!p)
                vwt_fail("out of memory");
        current.procs[slot] = p;
        p->in = p->out = -1;
        base = strrchr(argv[argv[1] && strstr(argv[0], "python") ? 1 : 0], '/');
        snprintf(p->name, sizeof(p->name), "%s", base ? base + 1 : argv[0]);
        errpath = vwt_strf("%s/%zu-%s.err", current.dir, slot, p->name);
        err = open(errpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (err < 0)
                vwt_fail("cannot create %s: %s", errpath, strerror(errno));
        if (((flags & VWT_PIPE_IN) && pipe2(pin, O_CLOEXEC) < 0) ||
            ((flags & VWT_PIPE_OUT) && pipe2(pout, O_CLOEXEC) < 0))
                vwt_fail("pipe: %s", strerror(errno));
        p->pid = vwt_spawn(argv, pin[0], (flags & VWT_PIPE_OUT) ? pout[1] : err, err);
        close(err);
        if (pin[0] >= 0) {
                close(pin[0]);
                p->in = pin[1];
                fcntl(p->in, F_SETFL, O_NONBLOCK);
        }
        if (pout[1] >= 0) {
                close(pout[1]);
                p->out = pout[0];
                fcntl(p->out, F_SETFL, O_NONBLOCK);
        }
        vwt_note_argv(argv, -2, NULL);
        vwt_note("  (%s: pid %d, in the background)", p->name, (int)p->pid);
        return p;
}

struct vwt_proc *vwt_py_startv(unsigned flags, const char *script, const char *const *args)
{
        const char *argv[64] = { vwt_python_path(), script_path(script) };
        size_t n = 2;

        for (size_t i = 0; args[i] && n < 63; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        return vwt_proc_startv(flags, argv);
}

bool vwt_proc_write(struct vwt_proc *p, const void *data, size_t len, int timeout_ms)
{
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;
        size_t done = 0;

        while (done < len) {
                struct pollfd pf = { .fd = p->in, .events = POLLOUT };
                ssize_t n;

                if (p->in < 0)
                        return false;
                if (poll(&pf, 1, vwt_remaining(end)) <= 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                n = write(p->in, (const char *)data + done, len - done);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                continue;
                        return false;
                }
                done += (size_t)n;
        }
        return true;
}

/* More of its stdout into p->buf; false on EOF, error or timeout. */
static bool proc_fill(struct vwt_proc *p, uint64_t end)
{
        for (;;) {
                struct pollfd pf = { .fd = p->out, .events = POLLIN };
                ssize_t n;
                int r;

                if (p->out < 0 || p->buf_len == sizeof(p->buf))
                        return false;
                r = poll(&pf, 1, vwt_remaining(end));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return false;
                n = read(p->out, p->buf + p->buf_len, sizeof(p->buf) - p->buf_len);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n <= 0)
                        return false;
                p->buf_len += (size_t)n;
                return true;
        }
}

bool vwt_proc_read(struct vwt_proc *p, void *buf, size_t len, size_t *got, int timeout_ms)
{
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;
        size_t done = 0;

        for (;;) {
                size_t n = MIN(p->buf_len, len - done);

                memcpy((char *)buf + done, p->buf, n);
                memmove(p->buf, p->buf + n, p->buf_len - n);
                p->buf_len -= n;
                done += n;
                if (done == len || !proc_fill(p, end))
                        break;
        }
        if (got)
                *got = done;
        return done == len;
}

bool vwt_proc_exchange(struct vwt_proc *p, const void *data, size_t len, void *buf, size_t want, size_t *got,
                       int timeout_ms)
{
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;
        size_t wdone = 0, rdone = MIN(p->buf_len, want);

        /* what vwt_proc_line() read ahead comes first */
        memcpy(buf, p->buf, rdone);
        memmove(p->buf, p->buf + rdone, p->buf_len - rdone);
        p->buf_len -= rdone;
        while (wdone < len || rdone < want) {
                struct pollfd pf[2] = {
                        { .fd = wdone < len ? p->in : -1, .events = POLLOUT },
                        { .fd = rdone < want ? p->out : -1, .events = POLLIN },
                };
                ssize_t n;
                int r = poll(pf, 2, vwt_remaining(end));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                if (pf[0].revents) {
                        n = write(p->in, (const char *)data + wdone, len - wdone);
                        if (n < 0 && errno != EAGAIN && errno != EINTR)
                                break;
                        if (n > 0)
                                wdone += (size_t)n;
                }
                if (pf[1].revents) {
                        n = read(p->out, (char *)buf + rdone, want - rdone);
                        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                                break;
                        if (n > 0)
                                rdone += (size_t)n;
                }
        }
        if (got)
                *got = rdone;
        if (wdone < len || rdone < want)
                vwt_note("  %s: wrote %zu of %zu bytes, read %zu of %zu", p->name, wdone, len, rdone, want);
        return wdone == len && rdone == want;
}

char *vwt_proc_line(struct vwt_proc *p, int timeout_ms)
{
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;

        for (;;) {
                char *nl = memchr(p->buf, '\n', p->buf_len);

                if (nl) {
                        size_t n = (size_t)(nl - p->buf);
                        char *line = strndup(p->buf, n);

                        memmove(p->buf, nl + 1, p->buf_len - n - 1);
                        p->buf_len -= n + 1;
                        vwt_note("  %s said: %s", p->name, line ? line : "?");
                        return vwt_keep(line);
                }
                if (!proc_fill(p, end))
                        return NULL;
        }
}

void vwt_proc_close_in(struct vwt_proc *p)
{
        if (p->in >= 0)
                close(p->in);
        p->in = -1;
}

int vwt_proc_wait(struct vwt_proc *p, int timeout_ms)
{
        if (p->pid > 0) {
                p->status = vwt_wait_pid(p->pid, timeout_ms);
                if (p->status < 0) {
                        (void)vwt_kill_wait(p->pid);
                        p->status = -1;
                }
                vwt_note("  %s (pid %d) ended: %d", p->name, (int)p->pid, p->status);
                p->pid = 0;
        }
        return p->status;
}

int vwt_proc_kill(struct vwt_proc *p, int sig, int timeout_ms)
{
        if (p->pid > 0)
                (void)kill(p->pid, sig);
        return vwt_proc_wait(p, timeout_ms);
}
