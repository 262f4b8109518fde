/* SPDX-License-Identifier: MIT */
/*
 * Integration: the control interface, through vwirectl and without it.
 *  - a plain python varlink client (GetInfo, List, GetInterfaceDescription), and the standard
 *    errors for unknown methods, interfaces and protocol versions;
 *  - vwirectl status, list, show, version, and --json for each; exit codes 1, 2 and 3;
 *  - add / route add / remove at runtime, with data flowing through what was added, and remove
 *    refusing an endpoint a route uses;
 *  - send (text and --hex) read back with pyserial; monitor of an endpoint and of a route;
 *  - reload after editing the config, with a pyserial client keeping an untouched port open;
 *  - SIGTERM removes every symlink and socket file vwired made; SIGHUP reloads.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define IO_TIMEOUT 10000

static const char null_modem_conf[] =
        "[serial a]\n"
        "backend = pty\n"
        "path = %t/a\n"
        "\n"
        "[serial b]\n"
        "backend = pty\n"
        "path = %t/b\n"
        "\n"
        "[route cable]\n"
        "from = a\n"
        "to = b\n"
        "duplex = yes\n";

/* A line from a serial_agent.py, which must be `expect`. */
static void agent_says(struct vwt_proc *agent, const char *expect)
{
        char *line = vwt_proc_line(agent, IO_TIMEOUT);

        ck_assert_msg(line && strcmp(line, expect) == 0, "serial_agent.py said '%s', not '%s'",
                      line ? line : "(nothing)", expect);
}

static void agent_cmd(struct vwt_proc *agent, const char *cmd)
{
        const char *l = vwt_strf("%s\n", cmd);

        ck_assert_msg(vwt_proc_write(agent, l, strlen(l), IO_TIMEOUT), "cannot talk to serial_agent.py");
}

static bool path_exists(const char *path)
{
        struct stat st;

        return lstat(path, &st) == 0;
}

VWT_TEST(varlink_without_vwirectl)
{
        struct vwt_output o;
        json_object *r;

        vwt_config(null_modem_conf);
        vwt_start();
        if (vwt_py(&o, VWT_CMD_TIMEOUT, "varlink_raw.py", vwt()->sock, "a", "b") != 0)
                vwt_fail("varlink_raw.py exited %d: %s %s", o.status, o.out, o.err);
        ck_assert_msg(strncmp(o.out, "OK vwired ", 10) == 0, "varlink_raw.py said: %s", o.out);

        /* the service interface describes itself too */
        r = vwt_call("org.varlink.service.GetInterfaceDescription", "{\"interface\":\"org.varlink.service\"}");
        ck_assert(strstr(vwt_jstr(r, "parameters.description"), "interface org.varlink.service"));
        r = vwt_call("org.varlink.service.GetInterfaceDescription", "{\"interface\":\"io.vwire\"}");
        ck_assert(strstr(vwt_jstr(r, "parameters.description"), "interface io.vwire"));
        ck_assert(strstr(vwt_jstr(r, "parameters.description"), "method Monitor("));

        /* the standard errors */
        r = vwt_call("io.vwire.NoSuchMethod", NULL);
        ck_assert_str_eq(vwt_jstr(r, "error"), "org.varlink.service.MethodNotFound");
        r = vwt_call("com.example.Thing", NULL);
        ck_assert_str_eq(vwt_jstr(r, "error"), "org.varlink.service.InterfaceNotFound");
        r = vwt_call("org.varlink.service.GetInterfaceDescription", "{\"interface\":\"com.example\"}");
        ck_assert_str_eq(vwt_jstr(r, "error"), "org.varlink.service.InterfaceNotFound");
        r = vwt_call("io.vwire.Show", "{}");
        ck_assert_str_eq(vwt_jstr(r, "error"), "org.varlink.service.InvalidParameter");
        r = vwt_call("io.vwire.Show", "{\"name\":\"nope\"}");
        ck_assert_str_eq(vwt_jstr(r, "error"), "io.vwire.NoSuchObject");
        r = vwt_call("io.vwire.Hello", "{\"version\":\"9.9\",\"protocol\":99}");
        ck_assert_str_eq(vwt_jstr(r, "error"), "io.vwire.VersionMismatch");
        ck_assert_int_eq(vwt_jint(r, "parameters.daemon_protocol"), 1);
        r = vwt_call("io.vwire.Hello", "{\"version\":\"0\",\"protocol\":1}");
        ck_assert_int_eq(vwt_jint(r, "parameters.protocol"), 1);
        r = vwt_call("io.vwire.Monitor", "{\"name\":\"a\"}");
        ck_assert_str_eq(vwt_jstr(r, "error"), "io.vwire.InvalidArgument");
        vwt_stop();
}

VWT_TEST(vwirectl_queries)
{
        struct vwt_output o;
        json_object *j;

        vwt_config(null_modem_conf);
        vwt_start();

        /* status */
        ck_assert_int_eq(vwt_ctl(&o, "status"), 0);
        ck_assert_msg(strstr(o.out, "endpoints") && strstr(o.out, vwt()->sock), "status: %s", o.out);
        j = vwt_ctl_json("status");
        ck_assert_int_eq(vwt_jint(j, "endpoints"), 2);
        ck_assert_int_eq(vwt_jint(j, "routes"), 1);
        ck_assert_int_eq(vwt_jint(j, "protocol"), 1);
        ck_assert_str_eq(vwt_jstr(j, "control_socket"), vwt()->sock);
        ck_assert_str_eq(vwt_jstr(j, "config_files.0"), vwt()->config);

        /* list */
        ck_assert_int_eq(vwt_ctl(&o, "list"), 0);
        ck_assert_msg(strstr(o.out, "NAME") && strstr(o.out, vwt_run_path("a")) && strstr(o.out, "cable"),
                      "list: %s", o.out);
        j = vwt_ctl_json("list");
        ck_assert_str_eq(vwt_jstr(j, "endpoints.0.name"), "a");
        ck_assert_str_eq(vwt_jstr(j, "endpoints.1.name"), "b");
        ck_assert_str_eq(vwt_jstr(j, "endpoints.0.origin"), "config");
        ck_assert_str_eq(vwt_jstr(j, "endpoints.0.file"), vwt_strf("%s:1", vwt()->config));
        ck_assert_str_eq(vwt_jstr(j, "routes.0.name"), "cable");

        /* show an endpoint */
        ck_assert_int_eq(vwt_ctl(&o, "show", "a"), 0);
        ck_assert_msg(strstr(o.out, "serial") && strstr(o.out, "/dev/pts/"), "show a: %s", o.out);
        j = vwt_ctl_json("show", "a");
        ck_assert_str_eq(vwt_jstr(j, "endpoint.kind"), "serial");
        ck_assert_str_eq(vwt_jstr(j, "endpoint.backend"), "pty");
        ck_assert_str_eq(vwt_jstr(j, "endpoint.state"), "active");
        ck_assert_str_eq(vwt_jstr(j, "endpoint.path"), vwt_run_path("a"));
        ck_assert(strncmp(vwt_jstr(j, "endpoint.details.pty"), "/dev/pts/", 9) == 0);
        ck_assert_str_eq(vwt_jstr(j, "endpoint.details.routes.0"), "cable");

        /* show a route */
        ck_assert_int_eq(vwt_ctl(&o, "show", "cable"), 0);
        ck_assert_msg(strstr(o.out, "lane 1: a -> b") && strstr(o.out, "lane 2: b -> a"), "show cable: %s", o.out);
        j = vwt_ctl_json("show", "cable");
        ck_assert(json_object_get_boolean(vwt_jget(j, "route.duplex")));
        ck_assert_str_eq(vwt_jstr(j, "route.overflow"), "block");
        ck_assert_int_eq(vwt_jint(j, "route.buffer"), 65536);
        ck_assert_int_eq(json_object_array_length(vwt_jget(j, "route.lanes")), 2);

        /* version */
        ck_assert_int_eq(vwt_ctl(&o, "version"), 0);
        ck_assert_msg(strstr(o.out, "vwirectl ") && strstr(o.out, "vwired "), "version: %s", o.out);
        j = vwt_ctl_json("version");
        ck_assert_str_eq(vwt_jstr(j, "vwirectl.version"), vwt_jstr(j, "vwired.version"));
        ck_assert_int_eq(vwt_jint(j, "vwired.pid"), vwt()->pid);

        /* exit codes: refused, usage, no daemon */
        ck_assert_int_eq(vwt_ctl(&o, "show", "nope"), 1);
        ck_assert_msg(strstr(o.err, "nope"), "show nope: %s", o.err);
        ck_assert_int_eq(vwt_ctl(&o, "frobnicate"), 2);
        ck_assert_int_eq(vwt_ctl(&o, "show"), 2);
        ck_assert_int_eq(vwt_run(&o, vwt_vwirectl_path(), "--socket", vwt_path("no-such.sock"), "status"), 3);
        ck_assert_int_eq(vwt_run(&o, vwt_vwirectl_path(), "--help"), 0);
        ck_assert_msg(strstr(o.out, "Exit codes"), "--help: %s", o.out);
        vwt_stop();
}

VWT_TEST(runtime_add_remove)
{
        const char *x = vwt_run_path("x");
        struct vwt_output o;
        json_object *j;
        int fd;

        vwt_config(null_modem_conf);
        vwt_start();

        j = vwt_ctl_json("add", "serial", "x", "backend=pty", vwt_strf("path=%s", x));
        ck_assert_str_eq(vwt_jstr(j, "name"), "x");
        vwt_ctl_ok("add", "loopback", "y", "mode=echo");
        ck_assert_int_eq(vwt_ctl(&o, "route", "add", "xy", "from=x", "to=y", "duplex=yes", "buffer=16K"), 0);
        ck_assert_msg(strstr(o.out, "xy"), "route add: %s", o.out);
        ck_assert(path_exists(x));
        j = vwt_ctl_json("show", "xy");
        ck_assert_str_eq(vwt_jstr(j, "route.origin"), "runtime");
        ck_assert_int_eq(vwt_jint(j, "route.buffer"), 16384);
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "x"), "endpoint.origin"), "runtime");

        /* data flows through what was added */
        fd = vwt_serial_open(x);
        ck_assert(vwt_serial_roundtrip(fd, "through x and y", 15, fd, "through x and y", 15, IO_TIMEOUT));

        /* the same name twice, and removing what a route uses, are refused */
        ck_assert_int_eq(vwt_ctl(&o, "add", "loopback", "y", "mode=sink"), 1);
        ck_assert_msg(strstr(o.err, "already exists"), "add y again: %s", o.err);
        ck_assert_int_eq(vwt_ctl(&o, "remove", "x"), 1);
        ck_assert_msg(strstr(o.err, "xy"), "remove x does not name the route: %s", o.err);
        ck_assert_int_eq(vwt_ctl(&o, "remove", "a"), 1);
        ck_assert_msg(strstr(o.err, "cable"), "remove a does not name the route: %s", o.err);
        ck_assert(vwt_listed("x") && vwt_listed("a"));
        ck_assert(vwt_serial_roundtrip(fd, "still", 5, fd, "still", 5, IO_TIMEOUT));
        close(fd);

        /* in order, it works; the symlink goes with its endpoint, even with a client on it */
        fd = vwt_serial_open(x);
        ck_assert_int_eq(vwt_ctl(&o, "route", "remove", "xy"), 0);
        ck_assert_int_eq(vwt_ctl(&o, "--json", "remove", "x"), 0);
        ck_assert_ptr_nonnull(vwt_parse_json(o.out));
        vwt_ctl_ok("remove", "y");
        ck_assert(!vwt_listed("x") && !vwt_listed("y") && !vwt_listed("xy"));
        ck_assert_msg(!path_exists(x), "%s is still there after remove", x);
        {
                char c;
                ssize_t n = read(fd, &c, 1);

                /* the pty is gone under the client: EOF or EIO, not data and not EAGAIN */
                ck_assert_msg(n == 0 || (n < 0 && errno == EIO), "read after remove: %zd (%s)", n,
                              n < 0 ? strerror(errno) : "data");
        }
        close(fd);
        ck_assert_int_eq(vwt_ctl(&o, "remove", "x"), 1);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("status"), "endpoints"), 2);
        vwt_stop();
}

VWT_TEST(send_and_monitor)
{
        struct vwt_proc *agent, *mon, *rmon;
        struct vwt_output o;
        json_object *j;
        char *line;
        int b;

        vwt_config(null_modem_conf);
        vwt_start();
        agent = vwt_py_start(VWT_PIPE_IN | VWT_PIPE_OUT, "serial_agent.py", vwt_run_path("a"));
        agent_says(agent, "READY");
        b = vwt_serial_open(vwt_run_path("b"));

        mon = vwt_proc_start(VWT_PIPE_OUT, vwt_vwirectl_path(), "--socket", vwt()->sock, "--json", "monitor", "a");
        line = vwt_proc_line(mon, IO_TIMEOUT);
        ck_assert_msg(line, "the monitor printed nothing");
        j = vwt_parse_json(line);
        ck_assert_msg(j && strcmp(vwt_jstr(j, "name"), "a") == 0, "first monitor line: %s", line);
        rmon = vwt_proc_start(VWT_PIPE_OUT, vwt_vwirectl_path(), "--socket", vwt()->sock, "--json", "monitor",
                              "cable");
        ck_assert_ptr_nonnull(vwt_proc_line(rmon, IO_TIMEOUT));

        /* text: out of a to its client (not into the route) */
        ck_assert_int_eq(vwt_ctl(&o, "send", "a", "hello"), 0);
        ck_assert_msg(strstr(o.out, "sent 5 bytes"), "send: %s", o.out);
        agent_cmd(agent, "r 5 5");
        agent_says(agent, "DATA 68656c6c6f");
        line = vwt_proc_line(mon, IO_TIMEOUT);
        ck_assert_ptr_nonnull(line);
        j = vwt_parse_json(line);
        ck_assert_msg(j, "monitor line is not JSON: %s", line);
        ck_assert_str_eq(vwt_jstr(j, "name"), "a");
        ck_assert_str_eq(vwt_jstr(j, "direction"), "tx");
        ck_assert_str_eq(vwt_jstr(j, "hex"), "68656c6c6f");
        ck_assert_int_eq(vwt_jint(j, "len"), 5);

        /* hex, every awkward byte */
        j = vwt_ctl_json("send", "--hex", "a", "00ff0d0a1b5c22");
        ck_assert_int_eq(vwt_jint(j, "bytes"), 7);
        agent_cmd(agent, "r 7 5");
        agent_says(agent, "DATA 00ff0d0a1b5c22");
        j = vwt_parse_json(vwt_proc_line(mon, IO_TIMEOUT) ?: "");
        ck_assert_msg(j && strcmp(vwt_jstr(j, "hex"), "00ff0d0a1b5c22") == 0, "monitor did not show the hex send");
        ck_assert_msg(vwt_quiet(b, 200), "send to a leaked into the route to b");

        /* traffic through the route: a's rx, and the route's forward lane via a */
        agent_cmd(agent, "w 6162630a");
        agent_says(agent, "OK");
        {
                char got[4];

                ck_assert(vwt_read_exact(b, got, 4, NULL, IO_TIMEOUT) && memcmp(got, "abc\n", 4) == 0);
        }
        j = vwt_parse_json(vwt_proc_line(mon, IO_TIMEOUT) ?: "");
        ck_assert_msg(j, "no monitor line for a's rx");
        ck_assert_str_eq(vwt_jstr(j, "direction"), "rx");
        ck_assert_str_eq(vwt_jstr(j, "hex"), "6162630a");
        j = vwt_parse_json(vwt_proc_line(rmon, IO_TIMEOUT) ?: "");
        ck_assert_msg(j, "no monitor line on the route");
        ck_assert_str_eq(vwt_jstr(j, "name"), "cable");
        ck_assert_str_eq(vwt_jstr(j, "direction"), "forward");
        ck_assert_str_eq(vwt_jstr(j, "via"), "a");
        ck_assert_str_eq(vwt_jstr(j, "hex"), "6162630a");

        /* ^C ends a monitor cleanly */
        ck_assert_int_eq(vwt_proc_kill(mon, SIGINT, IO_TIMEOUT), 0);
        ck_assert_int_eq(vwt_proc_kill(rmon, SIGINT, IO_TIMEOUT), 0);

        /* a monitor of something removed ends by itself */
        vwt_ctl_ok("add", "loopback", "gone", "mode=sink");
        mon = vwt_proc_start(VWT_PIPE_OUT, vwt_vwirectl_path(), "--socket", vwt()->sock, "--json", "monitor", "gone");
        ck_assert_ptr_nonnull(vwt_proc_line(mon, IO_TIMEOUT));
        vwt_ctl_ok("remove", "gone");
        j = vwt_parse_json(vwt_proc_line(mon, IO_TIMEOUT) ?: "");
        ck_assert_msg(j && strcmp(vwt_jstr(j, "ended"), "removed") == 0, "the monitor of a removed object");
        ck_assert_int_eq(vwt_proc_wait(mon, IO_TIMEOUT), 0);

        /* text that is not UTF-8 travels as bytes; stdin is taken as bytes, NULs included */
        ck_assert_int_eq(vwt_ctl(&o, "send", "a", "\xff\xfeok"), 0);
        agent_cmd(agent, "r 4 5");
        agent_says(agent, "DATA fffe6f6b");
        ck_assert_int_eq(vwt_runv(&o, VWT_CMD_TIMEOUT, "\0bin\0\n", 6,
                                  (const char *const[]){ vwt_vwirectl_path(), "--socket", vwt()->sock, "send", "a", "-",
                                                         NULL }),
                         0);
        agent_cmd(agent, "r 6 5");
        agent_says(agent, "DATA 0062696e000a");

        /* send to nothing, or without data */
        ck_assert_int_eq(vwt_ctl(&o, "send", "nope", "x"), 1);
        ck_assert_int_eq(vwt_ctl(&o, "send", "--hex", "a", "zz"), 2);

        agent_cmd(agent, "q");
        ck_assert_int_eq(vwt_proc_wait(agent, IO_TIMEOUT), 0);
        close(b);
        vwt_stop();
}

/*
 * vwirectl accepts up to 512 KiB on stdin for send. Whatever vwired does with that much, it must
 * not deliver a part and then report failure: the caller cannot retry without duplicating data.
 */
VWT_TEST(send_large_all_or_nothing)
{
        const size_t len = 400 * 1024;
        unsigned char *data = malloc(len), *back = malloc(len);
        struct vwt_proc *p;
        size_t got = 0;
        int fd, st;

        ck_assert(data && back);
        for (size_t i = 0; i < len; i++)
                data[i] = (unsigned char)(i * 131 + (i >> 9));
        vwt_config(null_modem_conf);
        vwt_start();
        fd = vwt_serial_open(vwt_run_path("a"));
        p = vwt_proc_start(VWT_PIPE_IN, vwt_vwirectl_path(), "--socket", vwt()->sock, "send", "a", "-");
        ck_assert(vwt_proc_write(p, data, len, IO_TIMEOUT));
        vwt_proc_close_in(p);
        (void)vwt_read_exact(fd, back, len, &got, 5000);
        st = vwt_proc_wait(p, IO_TIMEOUT);
        ck_assert_msg((st == 0 && got == len && memcmp(data, back, len) == 0) || (st == 1 && got == 0),
                      "vwirectl send of %zu bytes exited %d and %zu bytes arrived", len, st, got);
        close(fd);
        free(data);
        free(back);
        vwt_stop();
}

static const char reload_before[] =
        "[serial a]\n"
        "backend = pty\n"
        "path = %t/a\n"
        "\n"
        "[serial b]\n"
        "backend = pty\n"
        "path = %t/b\n"
        "\n"
        "[route cable]\n"
        "from = a\n"
        "to = b\n"
        "duplex = yes\n"
        "\n"
        "[serial c]\n"
        "backend = pty\n"
        "path = %t/c\n";

static const char reload_after[] =
        "[serial a]\n"
        "backend = pty\n"
        "path = %t/a\n"
        "\n"
        "[serial b]\n"
        "backend = pty\n"
        "path = %t/b\n"
        "\n"
        "[route cable]\n"
        "from = a\n"
        "to = b\n"
        "duplex = yes\n"
        "\n"
        "[serial d]\n"
        "backend = pty\n"
        "path = %t/d\n"
        "\n"
        "[loopback d-echo]\n"
        "mode = echo\n"
        "\n"
        "[route d-cable]\n"
        "from = d\n"
        "to = d-echo\n"
        "duplex = yes\n";

/* reload_after with b moved to another path. */
static const char reload_changed[] =
        "[serial a]\n"
        "backend = pty\n"
        "path = %t/a\n"
        "\n"
        "[serial b]\n"
        "backend = pty\n"
        "path = %t/b2\n"
        "\n"
        "[route cable]\n"
        "from = a\n"
        "to = b\n"
        "duplex = yes\n"
        "\n"
        "[serial d]\n"
        "backend = pty\n"
        "path = %t/d\n"
        "\n"
        "[loopback d-echo]\n"
        "mode = echo\n"
        "\n"
        "[route d-cable]\n"
        "from = d\n"
        "to = d-echo\n"
        "duplex = yes\n";

/* The pyserial client on a and a C reader on b still talk both ways. */
static void pair_still_works(struct vwt_proc *agent, int b)
{
        char got[3];

        agent_cmd(agent, "w 010203");
        agent_says(agent, "OK");
        ck_assert_msg(vwt_read_exact(b, got, 3, NULL, IO_TIMEOUT) && memcmp(got, "\x01\x02\x03", 3) == 0,
                      "a -> b broke");
        ck_assert_int_eq(write(b, "\x04\x05", 2), 2);
        agent_cmd(agent, "r 2 5");
        agent_says(agent, "DATA 0405");
}

/* Edit, then reload (vwirectl reload, or SIGHUP): what was added or removed follows, the
 * rest keeps running, paths and open clients included. */
static void reload_case(bool sighup)
{
        const char *pty_a;
        struct vwt_proc *agent;
        struct vwt_output o;
        int b, d;

        vwt_config(reload_before);
        vwt_start();
        pty_a = vwt_jstr(vwt_ctl_json("show", "a"), "endpoint.details.pty");
        agent = vwt_py_start(VWT_PIPE_IN | VWT_PIPE_OUT, "serial_agent.py", vwt_run_path("a"));
        agent_says(agent, "READY");
        b = vwt_serial_open(vwt_run_path("b"));
        pair_still_works(agent, b);
        ck_assert(path_exists(vwt_run_path("c")));

        vwt_config(reload_after);
        if (sighup) {
                vwt_signal(SIGHUP);
                ck_assert_msg(VWT_WAIT_FOR(5000, vwt_listed("d-cable")), "SIGHUP did not add d-cable");
        } else {
                ck_assert_int_eq(vwt_ctl(&o, "reload"), 0);
                ck_assert_msg(strstr(o.out, "added: d d-echo d-cable") && strstr(o.out, "removed: c"), "reload: %s",
                              o.out);
        }
        ck_assert(vwt_listed("d") && vwt_listed("d-echo") && !vwt_listed("c"));
        ck_assert_msg(!path_exists(vwt_run_path("c")), "c's symlink outlived c");

        /* untouched: same path, same pty, the open client still works */
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "a"), "endpoint.path"), vwt_run_path("a"));
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "a"), "endpoint.details.pty"), pty_a);
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "cable"), "route.origin"), "config");
        pair_still_works(agent, b);

        /* what came works */
        d = vwt_serial_open(vwt_run_path("d"));
        ck_assert(vwt_serial_roundtrip(d, "new", 3, d, "new", 3, IO_TIMEOUT));
        close(d);

        /* reloading the same file again changes nothing */
        {
                json_object *j = vwt_ctl_json("reload");

                ck_assert_int_eq(json_object_array_length(vwt_jget(j, "added")), 0);
                ck_assert_int_eq(json_object_array_length(vwt_jget(j, "removed")), 0);
                ck_assert_int_eq(json_object_array_length(vwt_jget(j, "changed")), 0);
                ck_assert_int_eq(vwt_jint(j, "unchanged"), 6);
        }
        pair_still_works(agent, b);

        /* b changes: b and the route over it are recreated, a and its client stay */
        close(b);
        vwt_config(reload_changed);
        {
                json_object *j = vwt_ctl_json("reload");
                const char *changed = json_object_to_json_string(vwt_jget(j, "changed"));

                ck_assert_msg(strstr(changed, "\"b\"") && strstr(changed, "\"cable\""), "changed: %s", changed);
                ck_assert_int_eq(json_object_array_length(vwt_jget(j, "changed")), 2);
                ck_assert_int_eq(json_object_array_length(vwt_jget(j, "added")), 0);
                ck_assert_int_eq(json_object_array_length(vwt_jget(j, "removed")), 0);
        }
        ck_assert_msg(!path_exists(vwt_run_path("b")), "b's old symlink outlived the change");
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "a"), "endpoint.details.pty"), pty_a);
        b = vwt_serial_open(vwt_run_path("b2"));
        pair_still_works(agent, b);

        agent_cmd(agent, "q");
        ck_assert_int_eq(vwt_proc_wait(agent, IO_TIMEOUT), 0);
        close(b);
        vwt_stop();
}

VWT_TEST(reload_by_vwirectl)
{
        reload_case(false);
}

VWT_TEST(reload_by_sighup)
{
        reload_case(true);
}

VWT_TEST(sigterm_removes_files)
{
        const char *made[] = {
                vwt_run_path("a"),         vwt_path("links/z"), vwt_run_path("u.sock"),
                vwt_path("links/v.sock"),  vwt_path("links/r"), vwt_path("links/w.sock"),
                vwt()->sock,
        };
        const char *keep = vwt_run_path("not-ours.txt");
        struct vwt_proc *client, *mon;
        char *line;
        int fd;

        ck_assert_int_eq(mkdir(vwt_path("links"), 0755), 0);
        vwt_configf("[serial a]\n"
                    "backend = pty\n"
                    "path = %%t/a\n"
                    "\n"
                    "[serial z]\n"
                    "backend = pty\n"
                    "path = %s\n"
                    "\n"
                    "[route cable]\n"
                    "from = a\n"
                    "to = z\n"
                    "duplex = yes\n"
                    "\n"
                    "[socket u]\n"
                    "listen = unix:%%t/u.sock\n"
                    "\n"
                    "[socket v]\n"
                    "listen = unix:%s\n"
                    "\n"
                    "[route uv]\n"
                    "from = u\n"
                    "to = v\n",
                    vwt_path("links/z"), vwt_path("links/v.sock"));
        vwt_start();
        vwt_write_file(keep, "mine\n");
        vwt_ctl_ok("add", "serial", "r", "backend=pty", vwt_strf("path=%s", vwt_path("links/r")));
        vwt_ctl_ok("add", "socket", "w", vwt_strf("listen=unix:%s", vwt_path("links/w.sock")));
        for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
                ck_assert_msg(path_exists(made[i]), "%s was not made", made[i]);

        /* busy at the time: an open port, a socket client, a monitor */
        fd = vwt_serial_open(made[0]);
        client = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, vwt_socat_path(), "-",
                                vwt_strf("UNIX-CONNECT:%s", made[2]));
        ck_assert_msg(VWT_WAIT_FOR(5000, vwt_jint(vwt_ctl_json("show", "u"), "endpoint.clients") == 1),
                      "the socket client did not connect");
        mon = vwt_proc_start(VWT_PIPE_OUT, vwt_vwirectl_path(), "--socket", vwt()->sock, "--json", "monitor", "a");
        ck_assert_ptr_nonnull(vwt_proc_line(mon, IO_TIMEOUT));

        vwt_stop();
        line = vwt_proc_line(mon, IO_TIMEOUT);
        ck_assert_msg(line && strstr(line, "\"ended\":\"shutdown\""), "the monitor's last line: %s", line ?: "(none)");
        ck_assert_int_eq(vwt_proc_wait(mon, IO_TIMEOUT), 0);
        ck_assert_int_eq(vwt_proc_wait(client, IO_TIMEOUT), 0);
        close(fd);
        for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
                ck_assert_msg(!path_exists(made[i]), "%s is still there after SIGTERM", made[i]);
        ck_assert_msg(path_exists(keep), "vwired removed a file it did not make");
        ck_assert(strstr(vwt_log(), "stopped"));

        /* and it starts again on the same paths */
        vwt_start();
        for (size_t i = 0; i < 4; i++)
                ck_assert_msg(path_exists(made[i]), "%s was not made again", made[i]);
        vwt_stop();
}

/* Adding and removing, over and over, leaks no file descriptor and leaves no file behind. */
VWT_TEST(runtime_churn)
{
        unsigned port = vwt_free_port();
        int before, fd;

        vwt_config(null_modem_conf);
        vwt_start();
        /* control connections just closed may still be open on vwired's side for a moment */
        before = vwt_daemon_fds();
        for (int i = 0; i < 10; i++) {
                vwt_sleep_ms(30);
                before = MIN(before, vwt_daemon_fds());
        }
        for (int i = 0; i < 25; i++) {
                struct vwt_proc *c;
                const char *x = vwt_run_path("x");

                vwt_ctl_ok("add", "serial", "x", "backend=pty", vwt_strf("path=%s", x));
                vwt_ctl_ok("add", "loopback", "y", "mode=echo");
                vwt_ctl_ok("route", "add", "xy", "from=x", "to=y", "duplex=yes");
                vwt_ctl_ok("add", "socket", "s", vwt_strf("listen=tcp:127.0.0.1:%u", port));
                vwt_ctl_ok("route", "add", "sy", "from=s", "to=y");
                c = vwt_proc_start(VWT_PIPE_OUT, vwt_socat_path(), "-u", vwt_strf("TCP:127.0.0.1:%u", port), "-");
                ck_assert_msg(VWT_WAIT_FOR(5000, vwt_jint(vwt_ctl_json("show", "s"), "endpoint.clients") == 1),
                              "round %d: the socket client did not connect", i);
                fd = vwt_serial_open(x);
                ck_assert_msg(vwt_serial_roundtrip(fd, "churn", 5, fd, "churn", 5, IO_TIMEOUT), "round %d", i);
                /* x's client stays open across the removal on odd rounds */
                if (i % 2 == 0)
                        close(fd);
                vwt_ctl_ok("remove", "sy");
                vwt_ctl_ok("remove", "xy");
                vwt_ctl_ok("remove", "x");
                vwt_ctl_ok("remove", "y");
                vwt_ctl_ok("remove", "s");
                ck_assert_int_eq(vwt_proc_wait(c, IO_TIMEOUT), 0);
                vwt_proc_done(c);
                if (i % 2 == 1)
                        close(fd);
                ck_assert(!path_exists(x));
        }
        ck_assert_msg(VWT_WAIT_FOR(3000, vwt_daemon_fds() <= before), "vwired had %d file descriptors, now %d",
                      before, vwt_daemon_fds());
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("status"), "endpoints"), 2);
        vwt_stop();
}

/* [daemon] control-socket moves the control socket; SIGTERM removes it there too. */
VWT_TEST(control_socket_from_config)
{
        const char *sock = vwt_run_path("elsewhere.sock");

        vwt_configf("[daemon]\n"
                    "control-socket = %%t/elsewhere.sock\n"
                    "\n"
                    "%s",
                    null_modem_conf);
        vwt_set_control_socket(sock);
        vwt_start();
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("status"), "control_socket"), sock);
        ck_assert(!path_exists(vwt_run_path("control.sock")));
        vwt_stop();
        ck_assert(!path_exists(sock));
}

VWT_TEST(restart_after_kill)
{
        const char *a = vwt_run_path("a"), *u = vwt_run_path("u.sock");
        struct vwt_output o;
        int fd;

        vwt_config("[serial a]\n"
                   "backend = pty\n"
                   "path = %t/a\n"
                   "\n"
                   "[loopback echo]\n"
                   "mode = echo\n"
                   "\n"
                   "[route a-echo]\n"
                   "from = a\n"
                   "to = echo\n"
                   "duplex = yes\n"
                   "\n"
                   "[socket u]\n"
                   "listen = unix:%t/u.sock\n");
        vwt_start();

        /* a second vwired on the same runtime directory is refused, the first goes on */
        ck_assert_int_eq(vwt_run(&o, vwt_vwired_path(), "--config", vwt()->config, "--runtime-dir", vwt()->run), 1);
        ck_assert_msg(strstr(o.err, "already running"), "the second vwired said: %s", o.err);
        ck_assert_int_eq(vwt_ctl(NULL, "status"), 0);

        /* killed: its files stay behind ... */
        vwt_signal(SIGKILL);
        ck_assert_int_eq(vwt_wait_exit(VWT_STOP_TIMEOUT), 128 + SIGKILL);
        ck_assert(path_exists(a) && path_exists(u));

        /* ... until the next start, which replaces them and works */
        vwt_start();
        ck_assert_msg(strstr(vwt_log(), "left behind"), "the log does not mention the stale files");
        fd = vwt_serial_open(a);
        ck_assert(vwt_serial_roundtrip(fd, "again", 5, fd, "again", 5, IO_TIMEOUT));
        close(fd);
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "u"), "endpoint.state"), "listening");

        /* killed again, and someone puts a file where the symlink was: that file is not ours */
        vwt_signal(SIGKILL);
        ck_assert_int_eq(vwt_wait_exit(VWT_STOP_TIMEOUT), 128 + SIGKILL);
        ck_assert_int_eq(unlink(a), 0);
        vwt_write_file(a, "someone else's\n");
        ck_assert_int_eq(vwt_start_fails(), 1);
        ck_assert_str_eq(vwt_read_file(a), "someone else's\n");
        ck_assert_int_eq(unlink(a), 0);
        vwt_start();
        ck_assert(path_exists(a));
        vwt_stop();
        ck_assert(!path_exists(a) && !path_exists(u));
}

/* Reload and objects added with vwirectl: the reload may not take their names, nor remove or
 * recreate what a runtime route uses; either is refused whole. */
VWT_TEST(reload_vs_runtime_objects)
{
        struct vwt_output o;
        const char *pty_b;

        vwt_config(null_modem_conf);
        vwt_start();
        pty_b = vwt_jstr(vwt_ctl_json("show", "b"), "endpoint.details.pty");
        vwt_ctl_ok("add", "loopback", "tap", "mode=sink");
        vwt_ctl_ok("route", "add", "to-tap", "from=b", "to=tap");

        /* the file claims a runtime name */
        vwt_configf("%s\n[loopback tap]\nmode = echo\n", null_modem_conf);
        ck_assert_int_eq(vwt_ctl(&o, "reload"), 1);
        ck_assert_msg(strstr(o.err, "tap"), "reload: %s", o.err);

        /* the file changes b, which the runtime route to-tap uses */
        vwt_config("[serial a]\nbackend = pty\npath = %t/a\n\n"
                   "[serial b]\nbackend = pty\npath = %t/b-moved\n\n"
                   "[route cable]\nfrom = a\nto = b\nduplex = yes\n");
        ck_assert_int_eq(vwt_ctl(&o, "reload"), 1);
        ck_assert_msg(strstr(o.err, "to-tap"), "reload: %s", o.err);
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "b"), "endpoint.details.pty"), pty_b);
        ck_assert(vwt_listed("to-tap") && vwt_listed("cable"));

        /* without the runtime route, the same reload goes through */
        vwt_ctl_ok("route", "remove", "to-tap");
        vwt_ctl_ok("reload");
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "b"), "endpoint.path"), vwt_run_path("b-moved"));
        ck_assert(vwt_listed("tap"));
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("integration-control");

        VWT_ADD(s, varlink_without_vwirectl);
        VWT_ADD(s, vwirectl_queries);
        VWT_ADD(s, runtime_add_remove);
        VWT_ADD(s, send_and_monitor);
        VWT_ADD(s, send_large_all_or_nothing);
        VWT_ADD(s, reload_by_vwirectl);
        VWT_ADD(s, reload_by_sighup);
        VWT_ADD(s, reload_vs_runtime_objects);
        VWT_ADD(s, sigterm_removes_files);
        VWT_ADD(s, restart_after_kill);
        VWT_ADD(s, runtime_churn);
        VWT_ADD(s, control_socket_from_config);
        return vwt_main(s);
}
