/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "harness-internal.h"

/* ---- the control socket ---- */

void vwt_sun_path(struct sockaddr_un *sa, const char *path)
{
        size_t n = strlen(path);

        if (n >= sizeof(sa->sun_path))
                vwt_fail("socket path too long: %s", path);
        memcpy(sa->sun_path, path, n + 1);
}

int vwt_control_connect(void)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        vwt_sun_path(&sa, current.sock);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                vwt_fail("cannot connect to %s: %s", current.sock, strerror(errno));
        return fd;
}

bool vwt_send_all(int fd, const void *data, size_t len)
{
        size_t done = 0;

        while (done < len) {
                ssize_t n = send(fd, (const char *)data + done, len - done, MSG_NOSIGNAL);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                done += (size_t)n;
        }
        return true;
}

json_object *vwt_recv_msg(int fd, int timeout_ms, bool *eof)
{
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;
        char *msg = NULL;
        size_t len = 0, cap = 0;
        json_object *o;

        if (eof)
                *eof = false;
        vwt_append(&msg, &len, &cap, "", 0);
        for (;;) {
                struct pollfd pf = { .fd = fd, .events = POLLIN };
                char buf[65536], *nul;
                ssize_t n;
                int r = poll(&pf, 1, vwt_remaining(end));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        goto fail;
                /* peek, so a message after ours stays in the socket for the next call */
                n = recv(fd, buf, sizeof(buf), MSG_PEEK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        if (eof)
                                *eof = true;
                        goto fail;
                }
                nul = memchr(buf, 0, (size_t)n);
                n = recv(fd, buf, nul ? (size_t)(nul - buf) + 1 : (size_t)n, 0);
                if (n <= 0)
                        goto fail;
                vwt_append(&msg, &len, &cap, buf, nul ? (size_t)n - 1 : (size_t)n);
                if (nul)
                        break;
        }
        /* a stream (a monitor) could flood the transcript: the first replies are enough */
        if (current.n_replies_noted < 200)
                vwt_note("  control reply: %.*s", (int)MIN(len, (size_t)2000), msg);
        else if (current.n_replies_noted == 200)
                vwt_note("  (further control replies not shown)");
        current.n_replies_noted++;
        o = vwt_parse_json(msg);
        free(msg);
        return o;
fail:
        free(msg);
        return NULL;
}

json_object *vwt_call(const char *method, const char *params_json)
{
        const char *msg = vwt_strf("{\"method\":\"%s\"%s%s}", method, params_json ? ",\"parameters\":" : "",
                                   params_json ? params_json : "");
        int fd = vwt_control_connect();
        json_object *reply;

        vwt_note("control call: %s", msg);
        if (!vwt_send_all(fd, msg, strlen(msg) + 1))
                vwt_fail("cannot send to the control socket: %s", strerror(errno));
        reply = vwt_recv_msg(fd, VWT_CMD_TIMEOUT, NULL);
        close(fd);
        if (!reply)
                vwt_fail("no reply to %s", method);
        return reply;
}

/* ---- JSON ---- */

json_object *vwt_parse_json(const char *text)
{
        json_tokener *tok = json_tokener_new();
        json_object *o;
        size_t len = strlen(text);
        size_t used;

        if (!tok)
                vwt_fail("out of memory");
        o = json_tokener_parse_ex(tok, text, (int)len);
        used = (size_t)json_tokener_get_parse_end(tok);
        if (json_tokener_get_error(tok) != json_tokener_success || strspn(text + used, " \t\r\n") != len - used) {
                json_object_put(o);
                o = NULL;
        }
        json_tokener_free(tok);
        return vwt_keep_json(o);
}

json_object *vwt_jget(json_object *o, const char *path)
{
        char buf[256], *save = NULL;

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save)) {
                if (json_object_is_type(o, json_type_array)) {
                        char *end;
                        unsigned long i = strtoul(k, &end, 10);
                        o = *end || i >= json_object_array_length(o) ? NULL : json_object_array_get_idx(o, i);
                } else if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k, &o)) {
                        o = NULL;
                }
        }
        return o;
}

int64_t vwt_jint_at(const char *file, int line, json_object *o, const char *path)
{
        json_object *v = vwt_jget(o, path);

        if (!v || !json_object_is_type(v, json_type_int))
                vwt_fail_at(file, line, "no integer at '%s' in %s", path,
                            o ? json_object_to_json_string(o) : "(null)");
        return json_object_get_int64(v);
}

const char *vwt_jstr_at(const char *file, int line, json_object *o, const char *path)
{
        json_object *v = vwt_jget(o, path);

        if (!v || !json_object_is_type(v, json_type_string))
                vwt_fail_at(file, line, "no string at '%s' in %s", path,
                            o ? json_object_to_json_string(o) : "(null)");
        return json_object_get_string(v);
}

bool vwt_listed(const char *name)
{
        json_object *l = vwt_ctl_json("list");
        static const char *const kinds[] = { "endpoints", "routes" };

        for (size_t k = 0; k < 2; k++) {
                json_object *a = vwt_jget(l, kinds[k]);
                for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                        json_object *n = vwt_jget(json_object_array_get_idx(a, i), "name");
                        if (n && strcmp(json_object_get_string(n), name) == 0)
                                return true;
                }
        }
        return false;
}

/* ---- serial ports from C ---- */

int vwt_serial_open(const char *path)
{
        struct termios t;
        int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

        if (fd < 0)
                vwt_fail("cannot open %s: %s", path, strerror(errno));
        if (tcgetattr(fd, &t) < 0)
                vwt_fail("tcgetattr %s: %s", path, strerror(errno));
        cfmakeraw(&t);
        if (tcsetattr(fd, TCSANOW, &t) < 0)
                vwt_fail("tcsetattr %s: %s", path, strerror(errno));
        return fd;
}

/* Write data to wfd while reading want bytes from rfd into buf, both within the deadline. */
static bool pump(int wfd, const void *data, size_t len, int rfd, void *buf, size_t want, size_t *got,
                 int timeout_ms)
{
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;
        size_t wdone = 0, rdone = 0;

        while (wdone < len || rdone < want) {
                struct pollfd p[2] = {
                        { .fd = wdone < len ? wfd : -1, .events = POLLOUT },
                        { .fd = rdone < want ? rfd : -1, .events = POLLIN },
                };
                ssize_t n;
                int r = poll(p, 2, vwt_remaining(end));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                if (p[0].revents) {
                        n = write(wfd, (const char *)data + wdone, len - wdone);
                        if (n < 0 && errno != EAGAIN && errno != EINTR)
                                break;
                        if (n > 0)
                                wdone += (size_t)n;
                }
                if (p[1].revents) {
                        n = read(rfd, (char *)buf + rdone, want - rdone);
                        if (n < 0 && errno != EAGAIN && errno != EINTR)
                                break;
                        if (n == 0)
                                break;
                        if (n > 0)
                                rdone += (size_t)n;
                }
        }
        if (got)
                *got = rdone;
        return wdone == len && rdone == want;
}

bool vwt_read_exact(int fd, void *buf, size_t len, size_t *got, int timeout_ms)
{
        return pump(-1, NULL, 0, fd, buf, len, got, timeout_ms);
}

bool vwt_serial_roundtrip(int wfd, const void *data, size_t len, int rfd, const void *expect, size_t expect_len,
                          int timeout_ms)
{
        char *buf = malloc(expect_len + 1);
        size_t got = 0;
        bool ok;

        if (!buf)
                vwt_fail("out of memory");
        ok = pump(wfd, data, len, rfd, buf, expect_len, &got, timeout_ms) && memcmp(buf, expect, expect_len) == 0;
        if (!ok)
                vwt_note("roundtrip of %zu bytes: got %zu of %zu expected bytes%s", len, got, expect_len,
                         got == expect_len ? ", but they differ" : "");
        free(buf);
        return ok;
}

bool vwt_quiet(int fd, int ms)
{
        char buf[4096];
        uint64_t end = vwt_now_ms() + (uint64_t)ms;

        for (;;) {
                struct pollfd pf = { .fd = fd, .events = POLLIN };
                int r = poll(&pf, 1, vwt_remaining(end));
                ssize_t n;

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return true;
                n = read(fd, buf, sizeof(buf));
                if (n > 0) {
                        vwt_note("unexpected %zd bytes on fd %d", n, fd);
                        return false;
                }
                if (n == 0 || (errno != EAGAIN && errno != EINTR))
                        return true;
        }
}
