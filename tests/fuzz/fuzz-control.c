/* SPDX-License-Identifier: MIT */
/*
 * daemon/control/: request dispatch as a client drives it. A real manager (two loopbacks and a
 * duplex route between them, from a config file in a private directory) and a real control
 * server on a unix socket there; each input is one client connection.
 *
 *   byte 0   bit 0: connect as nobody (a read-only client) instead of root
 *            bits 1-6: write the stream in pieces of this many bytes, the loop turning between
 *            them (0: at once)
 *   rest     what the client writes: NUL-terminated JSON messages
 *
 * Inputs that would touch the host are skipped: an Add of anything but a loopback or a route
 * (ptys, sockets, files, devices) and any call with "persist": true (drop-in files). The filter
 * reads the stream with the same framing code as the server, so it sees the same calls.
 * Invariants: once the client has sent everything, the server answers and closes the
 * connection (it never hangs); every reply is a JSON object with an "error" string or a
 * "parameters" object; every call gets one final reply, except oneway calls, which get none
 * or an error, and streams (more, Monitor), whose replies continue until the connection ends. After each input the objects
 * are put back as the config has them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "fuzz.h"
#include "macro.h"
#include "manager.h"
#include "varlink.h"

#define NOBODY 65534
#define DEADLINE_USEC (5 * 1000000ULL)

static struct vw_manager *manager;
static struct vw_control *control;
static char dir[256], sock_path[300];

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static void cleanup(void)
{
        char cmd[300];

        vw_manager_set_hooks(manager, NULL);
        vw_control_free(control);
        vw_manager_free(manager);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)system(cmd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        struct vw_manager_options opts = {};
        char conf[300], run[300];
        const char *tmp = getenv("TMPDIR");
        FILE *f;
        int r;

        fuzz_quiet();
        snprintf(dir, sizeof(dir), "%s/vwire-fuzz-control.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
                abort();
        snprintf(conf, sizeof(conf), "%s/vwire.conf", dir);
        snprintf(run, sizeof(run), "%s/run", dir);
        snprintf(sock_path, sizeof(sock_path), "%s/control.sock", run);
        f = fopen(conf, "we");
        if (!f)
                abort();
        fprintf(f, "[loopback lo]\nmode = sink\n[loopback echo]\nmode = echo\n[route r]\nfrom = lo\nto = echo\nduplex = yes\n");
        fclose(f);
        opts = (struct vw_manager_options){ .config_file = conf, .runtime_dir = run, .control_socket = sock_path };
        if ((r = vw_manager_new(&opts, &manager)) < 0 || (r = vw_manager_start(manager)) < 0 ||
            (r = vw_control_new(manager, sock_path, -1, &control)) < 0) {
                fprintf(stderr, "fuzz-control: cannot start a manager and a control server in %s: %s\n", dir,
                        strerror(-r));
                abort();
        }
        vw_manager_set_hooks(manager, &(struct vw_manager_hooks){
                                              .tap = vw_control_tap_hook,
                                              .object_gone = vw_control_object_gone_hook,
                                              .ready = vw_control_ready_hook,
                                              .userdata = control,
                                      });
        if ((r = vw_manager_create_objects(manager)) < 0) {
                fprintf(stderr, "fuzz-control: cannot create the objects: %s\n", strerror(-r));
                abort();
        }
        /* nobody must reach the socket to be a read-only client */
        if (chmod(run, 0755) < 0 || chmod(sock_path, 0666) < 0)
                abort();
        atexit(cleanup);
        return 0;
}

struct scan {
        size_t calls;   /* messages, good or bad */
        size_t oneway;  /* well-formed calls with oneway: true */
        size_t streams; /* calls with more, and Monitors: replies may continue, and a stream ends
                         * with the connection, without a final reply */
};

static bool is_true(json_object *params, const char *key)
{
        json_object *v;

        return params && json_object_object_get_ex(params, key, &v) && json_object_is_type(v, json_type_boolean) &&
               json_object_get_boolean(v);
}

/* Read the stream as the server will; false when it would touch the host. */
static bool scan(const uint8_t *data, size_t size, struct scan *ret)
{
        struct vw_msgbuf b = {};
        struct scan s = {};
        bool ok = true;
        json_object *msg;
        int r;

        if (size > 0 && vw_msgbuf_feed(&b, data, size) < 0) {
                vw_msgbuf_done(&b);
                return false;
        }
        while (ok && (r = vw_msgbuf_next(&b, &msg)) != 0) {
                struct vw_varlink_request q;
                const char *bad, *kind;

                if (r < 0) {
                        if (r != -EBADMSG && r != -ENOTUNIQ)
                                break;
                        s.calls++;
                        continue;
                }
                s.calls++;
                if (vw_varlink_parse_request(msg, &q, &bad) == 0) {
                        s.oneway += q.oneway;
                        s.streams += q.more || streq(q.method, "io.vwire.Monitor");
                        if (is_true(q.parameters, "persist"))
                                ok = false;
                        if (streq(q.method, "io.vwire.Add")) {
                                kind = q.parameters ? vw_call_get_string(q.parameters, "kind") : NULL;
                                ok = ok && kind && (streq(kind, "loopback") || streq(kind, "route"));
                        }
                }
                json_object_put(msg);
        }
        vw_msgbuf_done(&b);
        *ret = s;
        return ok;
}

static int connect_client(bool nobody)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        /* the server reads the peer's credentials as they were at connect() */
        if (nobody && seteuid(NOBODY) < 0)
                abort();
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        FUZZ_CHECK(fd >= 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
        r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
        if (nobody && seteuid(0) < 0)
                abort();
        FUZZ_CHECK(r == 0);
        return fd;
}

/* One turn of the loop, then everything the server has sent so far. Returns false at EOF. */
static bool pump(int fd, struct vw_msgbuf *in)
{
        sd_event *e = vw_manager_event(manager);
        bool got = false;
        int r;

        r = sd_event_run(e, 0);
        FUZZ_CHECK(r >= 0);
        for (;;) {
                char *p = vw_msgbuf_reserve(in, 65536);
                ssize_t n;

                FUZZ_CHECK(p);
                n = recv(fd, p, 65536, MSG_DONTWAIT);
                if (n > 0) {
                        in->len += (size_t)n;
                        got = true;
                        continue;
                }
                if (n == 0 || (errno != EAGAIN && errno != EINTR))
                        return false; /* closed by the server (ECONNRESET too) */
                break;
        }
        /* nothing happened: the server waits for a timer (or for us); wait a little */
        if (r == 0 && !got)
                FUZZ_CHECK(sd_event_run(e, 100) >= 0);
        return true;
}

static void check_replies(struct vw_msgbuf *in, const struct scan *s, bool closed_early)
{
        size_t final = 0, continued = 0;
        json_object *msg, *v;
        int r;

        while ((r = vw_msgbuf_next(in, &msg)) != 0) {
                bool continues;

                FUZZ_CHECK(r == 1);
                if (json_object_object_get_ex(msg, "error", &v))
                        FUZZ_CHECK(json_object_is_type(v, json_type_string));
                else
                        FUZZ_CHECK(json_object_object_get_ex(msg, "parameters", &v) &&
                                   json_object_is_type(v, json_type_object));
                if (json_object_object_get_ex(msg, "parameters", &v))
                        FUZZ_CHECK(json_object_is_type(v, json_type_object));
                continues = json_object_object_get_ex(msg, "continues", &v) && json_object_get_boolean(v);
                if (continues)
                        continued++;
                else
                        final++;
                json_object_put(msg);
        }
        /* what is left is an unterminated reply: the server never sends one */
        FUZZ_CHECK(in->len == 0);
        FUZZ_CHECK(s->streams || continued == 0);
        if (!closed_early) {
                if (final > s->calls || final + s->oneway + s->streams < s->calls)
                        fprintf(stderr, "%zu calls (%zu oneway, %zu streaming), %zu final replies\n", s->calls,
                                s->oneway, s->streams, final);
                FUZZ_CHECK(final <= s->calls && final + s->oneway + s->streams >= s->calls);
        }
}

/* Put the objects back as the config has them. */
static void reset(void)
{
        static const char *const keep[] = { "lo", "echo", "r" };
        char *names[64];
        size_t n = 0;
        char *error = NULL;
        json_object *result = NULL;

        for (size_t i = 0; i < vw_manager_n_routes(manager) && n < ELEMENTSOF(names); i++)
                names[n++] = strdup(vw_manager_route(manager, i)->section->name);
        for (size_t i = 0; i < vw_manager_n_endpoints(manager) && n < ELEMENTSOF(names); i++)
                names[n++] = strdup(vw_manager_endpoint(manager, i)->name);
        for (size_t i = 0; i < n; i++) {
                bool config = false;

                FUZZ_CHECK(names[i]);
                for (size_t k = 0; k < ELEMENTSOF(keep); k++)
                        config |= streq(names[i], keep[k]);
                if (!config && vw_manager_remove(manager, names[i], &error) < 0) {
                        fprintf(stderr, "cannot remove %s: %s\n", names[i], error ? error : "?");
                        abort();
                }
                free(error);
                error = NULL;
                free(names[i]);
        }
        if (!vw_manager_find_endpoint(manager, "lo") || !vw_manager_find_endpoint(manager, "echo") ||
            !vw_manager_find_route(manager, "r")) {
                if (vw_manager_reload(manager, &result, &error) < 0) {
                        fprintf(stderr, "cannot reload: %s\n", error ? error : "?");
                        abort();
                }
                json_object_put(result);
                free(error);
        }
        FUZZ_CHECK(vw_manager_n_endpoints(manager) == 2 && vw_manager_n_routes(manager) == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t mode = fuzz_take_byte(&data, &size);
        bool nobody = mode & 1;
        size_t step = (mode >> 1) & 0x3f;
        struct vw_msgbuf in = {};
        struct scan s;
        bool open = true, refused = false;
        uint64_t deadline;
        int fd;

        if (!scan(data, size, &s))
                return -1; /* not added to the corpus */
        fd = connect_client(nobody);
        for (size_t off = 0; off < size && open;) {
                size_t n = step ? MIN(step, size - off) : size - off;
                ssize_t w = send(fd, data + off, n, MSG_DONTWAIT | MSG_NOSIGNAL);

                if (w > 0)
                        off += (size_t)w;
                else
                        FUZZ_CHECK(errno == EAGAIN || errno == EPIPE || errno == ECONNRESET);
                if (w < 0 && errno != EAGAIN) {
                        refused = true; /* the server closed early */
                        break;
                }
                open = pump(fd, &in);
        }
        (void)shutdown(fd, SHUT_WR);
        deadline = now_usec() + DEADLINE_USEC;
        while (open) {
                open = pump(fd, &in);
                if (open && now_usec() > deadline) {
                        fprintf(stderr, "the server did not close a finished client within 5 s\n");
                        abort();
                }
        }
        close(fd);
        check_replies(&in, &s, refused);
        vw_msgbuf_done(&in);
        /* let the server free the client and the manager finish what the calls started */
        for (int i = 0; i < 4; i++)
                FUZZ_CHECK(sd_event_run(vw_manager_event(manager), 0) >= 0);
        FUZZ_CHECK(vw_control_n_clients(control) == 0);
        reset();
        return 0;
}
