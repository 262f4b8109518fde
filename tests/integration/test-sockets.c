/* SPDX-License-Identifier: MIT */
/*
 * Integration: socket and file endpoints, with socat as the network peer.
 *  - a TCP listen endpoint on an echo loopback round-trips data for socat;
 *  - two clients of one listen endpoint both get a source's stream (fan-out), and both get
 *    exactly what `vwirectl send` sends;
 *  - a unix-socket listen endpoint works with socat UNIX-CONNECT and its file goes at SIGTERM;
 *  - a connect endpoint reaches a socat listener started after vwired, and again after that
 *    listener went away and came back;
 *  - a listen address in use: vwired refuses to start, `vwirectl add` fails clearly, and vwired
 *    keeps serving;
 *  - file capture writes exactly what a source generated; file replay delivers a file exactly.
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define IO_TIMEOUT 10000

static const char echo_pty_conf[] =
        "[serial e]\n"
        "backend = pty\n"
        "path = %t/e\n"
        "\n"
        "[loopback echo]\n"
        "mode = echo\n"
        "\n"
        "[route e-echo]\n"
        "from = e\n"
        "to = echo\n"
        "duplex = yes\n";

/* Test data: every byte value, then a seeded pseudo-random tail. */
static unsigned char *test_bytes(size_t len, uint64_t seed)
{
        unsigned char *b = malloc(len);

        ck_assert_ptr_nonnull(b);
        for (size_t i = 0; i < len; i++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                b[i] = i < 256 ? (unsigned char)i : (unsigned char)(seed >> 56);
        }
        return b;
}

/* Send len bytes through p and expect them back. */
static void expect_echo(struct vwt_proc *p, size_t len, uint64_t seed)
{
        unsigned char *data = test_bytes(len, seed), *back = malloc(len);
        size_t got = 0;

        ck_assert_ptr_nonnull(back);
        ck_assert_msg(vwt_proc_exchange(p, data, len, back, len, &got, IO_TIMEOUT),
                      "%s: %zu of %zu bytes came back", p->name, got, len);
        ck_assert_msg(memcmp(data, back, len) == 0, "%s: the %zu bytes that came back differ", p->name, len);
        free(data);
        free(back);
}

static bool clients_are(const char *endpoint, int64_t n)
{
        json_object *c = vwt_jget(vwt_ctl_json("show", endpoint), "endpoint.clients");

        return c && json_object_get_int64(c) == n;
}

static bool state_is(const char *endpoint, const char *state)
{
        json_object *s = vwt_jget(vwt_ctl_json("show", endpoint), "endpoint.state");

        return s && strcmp(json_object_get_string(s), state) == 0;
}

/* The serial echo path in echo_pty_conf still answers. */
static void echo_pty_works(void)
{
        int fd = vwt_serial_open(vwt_run_path("e"));

        ck_assert_msg(vwt_serial_roundtrip(fd, "still here", 10, fd, "still here", 10, IO_TIMEOUT),
                      "the serial echo path stopped working");
        close(fd);
}

VWT_TEST(tcp_listen_echo)
{
        unsigned port = vwt_free_port();
        struct vwt_proc *p, *extra;

        vwt_configf("[socket s]\n"
                    "listen = tcp:127.0.0.1:%u\n"
                    "max-clients = 1\n"
                    "\n"
                    "[loopback echo]\n"
                    "mode = echo\n"
                    "\n"
                    "[route s-echo]\n"
                    "from = s\n"
                    "to = echo\n"
                    "duplex = yes\n",
                    port);
        vwt_start();
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "s"), "endpoint.state"), "listening");

        p = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, vwt_socat_path(), "-", vwt_strf("TCP:127.0.0.1:%u", port));
        expect_echo(p, 14, 1);
        expect_echo(p, 256 * 1024, 2);
        ck_assert_msg(VWT_WAIT_FOR(3000, clients_are("s", 1)), "s does not report its one client");
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "s"), "endpoint.state"), "active");

        /* max-clients = 1: a second client is turned away, the first one carries on */
        extra = vwt_proc_start(VWT_PIPE_OUT, vwt_socat_path(), "-u", vwt_strf("TCP:127.0.0.1:%u", port), "-");
        ck_assert_int_eq(vwt_proc_wait(extra, IO_TIMEOUT), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "s"), "endpoint.details.refused"), 1);
        expect_echo(p, 300, 11);

        vwt_proc_close_in(p);
        ck_assert_int_eq(vwt_proc_wait(p, IO_TIMEOUT), 0);
        ck_assert_msg(VWT_WAIT_FOR(3000, clients_are("s", 0)), "s still counts a client after it left");

        /* a second client after the first left */
        p = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, vwt_socat_path(), "-", vwt_strf("TCP:127.0.0.1:%u", port));
        expect_echo(p, 4096, 3);
        vwt_proc_close_in(p);
        ck_assert_int_eq(vwt_proc_wait(p, IO_TIMEOUT), 0);

        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "s"), "endpoint.dropped_bytes"), 0);
        vwt_stop();
}

static const char pattern[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/* buf is a piece of pattern repeated. */
static void expect_pattern(const char *who, const char *buf, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                const char *at = memchr(pattern, buf[i], sizeof(pattern) - 1);

                ck_assert_msg(at, "%s: byte %zu is 0x%02x, not from the pattern", who, i, (unsigned char)buf[i]);
                if (i + 1 < len)
                        ck_assert_msg(buf[i + 1] == pattern[(size_t)(at - pattern + 1) % (sizeof(pattern) - 1)],
                                      "%s: the stream skips or repeats at byte %zu", who, i + 1);
        }
}

VWT_TEST(tcp_fan_out)
{
        unsigned port = vwt_free_port();
        struct vwt_proc *c[2];
        static char buf[2][16384];
        unsigned char *data;
        size_t got;

        vwt_configf("[loopback gen]\n"
                    "mode = source\n"
                    "pattern = %s\n"
                    "rate = 256K\n"
                    "\n"
                    "[socket fan]\n"
                    "listen = tcp:127.0.0.1:%u\n"
                    "\n"
                    "[route spread]\n"
                    "from = gen\n"
                    "to = fan\n"
                    "\n"
                    "[socket fan2]\n"
                    "listen = unix:%%t/fan2.sock\n",
                    pattern, port);
        vwt_start();

        /* two clients at once both receive the source's stream */
        for (int i = 0; i < 2; i++)
                c[i] = vwt_proc_start(VWT_PIPE_OUT, vwt_socat_path(), "-u", vwt_strf("TCP:127.0.0.1:%u", port), "-");
        ck_assert_msg(VWT_WAIT_FOR(5000, clients_are("fan", 2)), "fan does not report two clients");
        for (int i = 0; i < 2; i++) {
                ck_assert_msg(vwt_proc_read(c[i], buf[i], sizeof(buf[i]), &got, IO_TIMEOUT),
                              "client %d got %zu of %zu bytes", i, got, sizeof(buf[i]));
                expect_pattern(i ? "client 1" : "client 0", buf[i], sizeof(buf[i]));
        }
        for (int i = 0; i < 2; i++)
                ck_assert_int_ge(vwt_proc_kill(c[i], SIGTERM, IO_TIMEOUT), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "spread"), "route.lanes.0.bytes_dropped"), 0);

        /* exactly the same bytes to every client of a unix listen endpoint */
        for (int i = 0; i < 2; i++)
                c[i] = vwt_proc_start(VWT_PIPE_OUT, vwt_socat_path(), "-u",
                                      vwt_strf("UNIX-CONNECT:%s", vwt_run_path("fan2.sock")), "-");
        ck_assert_msg(VWT_WAIT_FOR(5000, clients_are("fan2", 2)), "fan2 does not report two clients");
        vwt_ctl_ok("send", "--hex", "fan2", "00ff10130d0a");
        vwt_ctl_ok("send", "fan2", "hello both");
        for (int i = 0; i < 2; i++) {
                ck_assert_msg(vwt_proc_read(c[i], buf[i], 16, &got, IO_TIMEOUT), "client %d got %zu of 16 bytes", i,
                              got);
                ck_assert_msg(memcmp(buf[i], "\x00\xff\x10\x13\r\nhello both", 16) == 0, "client %d got other bytes",
                              i);
        }
        /* a larger one, in hex through vwirectl's stdin */
        data = test_bytes(8192, 9);
        {
                char *hex = malloc(8192 * 2 + 1);
                struct vwt_output o;

                ck_assert_ptr_nonnull(hex);
                for (size_t i = 0; i < 8192; i++)
                        sprintf(hex + 2 * i, "%02x", data[i]);
                ck_assert_int_eq(vwt_runv(&o, VWT_CMD_TIMEOUT, hex, 8192 * 2,
                                          (const char *const[]){ vwt_vwirectl_path(), "--socket", vwt()->sock,
                                                                 "send", "--hex", "fan2", "-", NULL }),
                                 0);
                free(hex);
        }
        for (int i = 0; i < 2; i++) {
                ck_assert_msg(vwt_proc_read(c[i], buf[i], 8192, &got, IO_TIMEOUT), "client %d got %zu of 8192 bytes",
                              i, got);
                ck_assert_msg(memcmp(buf[i], data, 8192) == 0, "client %d got other bytes", i);
        }
        free(data);
        vwt_stop();
}

/* Two clients write at once into one listen endpoint routed to a PTY: every byte of each arrives,
 * each client's bytes in their order. */
VWT_TEST(tcp_fan_in)
{
        const size_t each = 100000;
        unsigned port = vwt_free_port();
        struct vwt_proc *c[2];
        char *data[2], *got;
        size_t n[2] = { 0, 0 };
        int fd;

        vwt_configf("[socket in]\n"
                    "listen = tcp:127.0.0.1:%u\n"
                    "\n"
                    "[serial p]\n"
                    "backend = pty\n"
                    "path = %%t/p\n"
                    "\n"
                    "[route gather]\n"
                    "from = in\n"
                    "to = p\n"
                    "buffer = 4K\n",
                    port);
        vwt_start();
        fd = vwt_serial_open(vwt_run_path("p"));
        got = malloc(2 * each);
        ck_assert_ptr_nonnull(got);
        /* client 0 sends a..m, client 1 n..z: the reader can tell them apart */
        for (int k = 0; k < 2; k++) {
                data[k] = malloc(each);
                ck_assert_ptr_nonnull(data[k]);
                for (size_t i = 0; i < each; i++)
                        data[k][i] = (char)('a' + 13 * k + (int)((i * 7 + i / 13) % 13));
                c[k] = vwt_proc_start(VWT_PIPE_IN, vwt_socat_path(), "-u", "-", vwt_strf("TCP:127.0.0.1:%u", port));
        }
        ck_assert_msg(VWT_WAIT_FOR(5000, vwt_jint(vwt_ctl_json("show", "in"), "endpoint.clients") == 2),
                      "in does not report two clients");
        for (int k = 0; k < 2; k++) {
                ck_assert(vwt_proc_write(c[k], data[k], each / 2, IO_TIMEOUT));
        }
        for (int k = 0; k < 2; k++) {
                ck_assert(vwt_proc_write(c[k], data[k] + each / 2, each - each / 2, IO_TIMEOUT));
                vwt_proc_close_in(c[k]);
        }
        {
                size_t total = 0;

                ck_assert_msg(vwt_read_exact(fd, got, 2 * each, &total, IO_TIMEOUT), "%zu of %zu bytes arrived", total,
                              2 * each);
        }
        for (size_t i = 0; i < 2 * each; i++) {
                int k = got[i] >= 'n';

                ck_assert_msg(got[i] >= 'a' && got[i] <= 'z', "byte %zu is 0x%02x", i, (unsigned char)got[i]);
                ck_assert_msg(n[k] < each && got[i] == data[k][n[k]], "client %d's byte %zu is out of order", k, n[k]);
                n[k]++;
        }
        ck_assert(vwt_quiet(fd, 200));
        for (int k = 0; k < 2; k++) {
                ck_assert_int_eq(vwt_proc_wait(c[k], IO_TIMEOUT), 0);
                free(data[k]);
        }
        free(got);
        close(fd);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "gather"), "route.lanes.0.bytes_dropped"), 0);
        vwt_stop();
}

VWT_TEST(unix_listen_echo)
{
        const char *path = vwt_run_path("u.sock");
        struct vwt_proc *p, *other;
        struct vwt_output o;
        struct stat st;

        vwt_config("[socket u]\n"
                   "listen = unix:%t/u.sock\n"
                   "\n"
                   "[loopback echo]\n"
                   "mode = echo\n"
                   "\n"
                   "[route u-echo]\n"
                   "from = u\n"
                   "to = echo\n"
                   "duplex = yes\n");
        vwt_start();
        ck_assert_int_eq(lstat(path, &st), 0);
        ck_assert(S_ISSOCK(st.st_mode));
        ck_assert_int_eq(st.st_mode & 0777, 0660);

        p = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, vwt_socat_path(), "-", vwt_strf("UNIX-CONNECT:%s", path));
        expect_echo(p, 100, 4);
        expect_echo(p, 128 * 1024, 5);
        vwt_proc_close_in(p);
        ck_assert_int_eq(vwt_proc_wait(p, IO_TIMEOUT), 0);

        /* paths in the way: a file, another program's live socket, our own endpoint's socket */
        vwt_write_file(vwt_path("file"), "precious\n");
        other = vwt_proc_start(0, vwt_socat_path(), vwt_strf("UNIX-LISTEN:%s,fork", vwt_path("live.sock")),
                               "/dev/null");
        ck_assert_msg(VWT_WAIT_FOR(5000, lstat(vwt_path("live.sock"), &st) == 0), "socat did not listen");
        ck_assert_int_eq(vwt_ctl(&o, "add", "socket", "u2", vwt_strf("listen=unix:%s", vwt_path("file"))), 1);
        ck_assert_int_eq(vwt_ctl(&o, "add", "socket", "u2", vwt_strf("listen=unix:%s", vwt_path("live.sock"))), 1);
        ck_assert_int_eq(vwt_ctl(&o, "add", "socket", "u2", vwt_strf("listen=unix:%s", path)), 1);
        ck_assert(!vwt_listed("u2"));
        ck_assert_str_eq(vwt_read_file(vwt_path("file")), "precious\n");
        ck_assert_int_eq(vwt_run(&o, vwt_socat_path(), "-u", "/dev/null",
                                 vwt_strf("UNIX-CONNECT:%s", vwt_path("live.sock"))), 0);
        p = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, vwt_socat_path(), "-", vwt_strf("UNIX-CONNECT:%s", path));
        expect_echo(p, 10, 12);
        vwt_proc_close_in(p);
        ck_assert_int_eq(vwt_proc_wait(p, IO_TIMEOUT), 0);
        vwt_proc_kill(other, SIGTERM, IO_TIMEOUT);

        vwt_stop();
        ck_assert_msg(lstat(path, &st) < 0, "%s is still there after vwired stopped", path);
}

VWT_TEST(connect_reconnects)
{
        unsigned port = vwt_free_port();
        const char *listen = vwt_strf("TCP-LISTEN:%u,bind=127.0.0.1,reuseaddr", port);
        struct vwt_proc *p;
        json_object *c;

        vwt_configf("[socket c]\n"
                    "connect = tcp:127.0.0.1:%u\n"
                    "reconnect = 100ms\n"
                    "reconnect-max = 300ms\n"
                    "\n"
                    "[loopback echo]\n"
                    "mode = echo\n"
                    "\n"
                    "[route c-echo]\n"
                    "from = c\n"
                    "to = echo\n"
                    "duplex = yes\n",
                    port);
        vwt_start();

        /* nobody listens yet: it keeps trying */
        ck_assert_msg(VWT_WAIT_FOR(5000, vwt_jint(vwt_ctl_json("show", "c"), "endpoint.details.failed_attempts") >= 2),
                      "c does not retry");
        ck_assert(!state_is("c", "active"));

        /* the listener comes after vwired */
        p = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, vwt_socat_path(), listen, "-");
        ck_assert_msg(VWT_WAIT_FOR(5000, state_is("c", "active")), "c did not connect to the late listener");
        expect_echo(p, 1000, 6);
        expect_echo(p, 100 * 1024, 7);
        c = vwt_ctl_json("show", "c");
        ck_assert_int_eq(vwt_jint(c, "endpoint.clients"), 1);
        ck_assert_int_eq(vwt_jint(c, "endpoint.details.connections"), 1);

        /* the listener goes away: c notices and waits for it */
        vwt_proc_close_in(p);
        ck_assert_int_eq(vwt_proc_wait(p, IO_TIMEOUT), 0);
        ck_assert_msg(VWT_WAIT_FOR(5000, !state_is("c", "active")), "c did not notice the peer left");

        /* and comes back */
        p = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, vwt_socat_path(), listen, "-");
        ck_assert_msg(VWT_WAIT_FOR(5000, state_is("c", "active")), "c did not reconnect");
        expect_echo(p, 5000, 8);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "c"), "endpoint.details.connections"), 2);
        vwt_proc_close_in(p);
        ck_assert_int_eq(vwt_proc_wait(p, IO_TIMEOUT), 0);
        vwt_stop();
}

/* A listening TCP socket of our own on 127.0.0.1. */
static int hold_port(unsigned *port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(fd, 4), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
        *port = ntohs(sa.sin_port);
        return fd;
}

VWT_TEST(listen_address_in_use)
{
        struct vwt_output o;
        unsigned port;
        int busy = hold_port(&port);
        int st;

        /* at startup: vwired refuses to start, and says why */
        vwt_configf("%s\n[socket s]\nlisten = tcp:127.0.0.1:%u\n", echo_pty_conf, port);
        st = vwt_start_fails();
        ck_assert_int_eq(st, 1);
        ck_assert_msg(strstr(vwt_log(), "already in use") && strstr(vwt_log(), vwt_strf("127.0.0.1:%u", port)),
                      "the log does not say the address is in use");

        /* at runtime: the add fails, the daemon goes on */
        vwt_config(echo_pty_conf);
        vwt_start();
        ck_assert_int_eq(vwt_ctl(&o, "add", "socket", "s", vwt_strf("listen=tcp:127.0.0.1:%u", port)), 1);
        ck_assert_msg(strstr(o.err, "in use"), "vwirectl add said: %s", o.err);
        ck_assert(!vwt_listed("s"));
        ck_assert_int_eq(vwt_ctl(NULL, "status"), 0);
        echo_pty_works();

        /* once the port is free, the same add works */
        close(busy);
        vwt_ctl_ok("add", "socket", "s", vwt_strf("listen=tcp:127.0.0.1:%u", port));
        ck_assert(vwt_listed("s"));
        vwt_stop();
}

VWT_TEST(file_capture_and_replay)
{
        const char *cap = vwt_run_path("cap.bin"), *in = vwt_path("in.bin");
        unsigned char *data = test_bytes(200000, 10), back[4096];
        char *captured;
        size_t got;
        FILE *f;
        int fd;

        f = fopen(in, "we");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fwrite(data, 1, 200000, f), 200000);
        ck_assert_int_eq(fclose(f), 0);
        vwt_configf("[loopback gen]\n"
                    "mode = source\n"
                    "pattern = 0123456789\n"
                    "count = 100000\n"
                    "\n"
                    "[file cap]\n"
                    "mode = capture\n"
                    "path = %%t/cap.bin\n"
                    "\n"
                    "[route record]\n"
                    "from = gen\n"
                    "to = cap\n"
                    "\n"
                    "[file rep]\n"
                    "mode = replay\n"
                    "path = %s\n"
                    "\n"
                    "[serial p]\n"
                    "backend = pty\n"
                    "path = %%t/p\n"
                    "\n"
                    "[route play]\n"
                    "from = rep\n"
                    "to = p\n",
                    in);
        vwt_start();

        /* capture: exactly what the source generated */
        ck_assert_msg(VWT_WAIT_FOR(10000, vwt_jint(vwt_ctl_json("show", "cap"), "endpoint.tx_bytes") == 100000),
                      "cap did not take 100000 bytes");
        captured = vwt_read_file(cap);
        ck_assert_ptr_nonnull(captured);
        ck_assert_int_eq(strlen(captured), 100000);
        for (size_t i = 0; i < 100000; i++)
                ck_assert_msg(captured[i] == "0123456789"[i % 10], "capture differs at byte %zu", i);

        /* replay: the file, byte for byte, to whoever opens the port (held back meanwhile) */
        fd = vwt_serial_open(vwt_run_path("p"));
        for (size_t off = 0; off < 200000; off += got) {
                size_t want = MIN(sizeof(back), (size_t)200000 - off);

                ck_assert_msg(vwt_read_exact(fd, back, want, &got, IO_TIMEOUT), "replay stopped after %zu bytes",
                              off + got);
                ck_assert_msg(memcmp(back, data + off, want) == 0, "replay differs in bytes %zu..%zu", off, off + want);
        }
        ck_assert(vwt_quiet(fd, 300));
        close(fd);
        ck_assert_msg(VWT_WAIT_FOR(3000, state_is("rep", "closed")), "rep is not closed after the end of the file");
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "play"), "route.lanes.0.bytes_dropped"), 0);
        free(data);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("integration-sockets");

        VWT_ADD(s, tcp_listen_echo);
        VWT_ADD(s, tcp_fan_out);
        VWT_ADD(s, tcp_fan_in);
        VWT_ADD(s, unix_listen_echo);
        VWT_ADD(s, connect_reconnects);
        VWT_ADD(s, listen_address_in_use);
        VWT_ADD(s, file_capture_and_replay);
        return vwt_main(s);
}
