/* SPDX-License-Identifier: MIT */
/*
 * Integration: PTY serial ports and loopbacks, with pyserial and stty as the clients.
 *  - a null-modem pair carries 1 MiB each way at once, nothing lost (overflow = block);
 *  - a PTY on an echo loopback gives back what is written;
 *  - line settings a client makes on one end show up as the other end's peer_line, and stty
 *    works on the ports;
 *  - drop-new / drop-old routes from a fast source into an unread PTY count drops, and vwired
 *    keeps answering.
 */
#include <string.h>
#include <unistd.h>

#include "harness.h"

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
        "duplex = yes\n"
        "overflow = block\n";

/* What serial_pair.py sends besides the bulk data. */
#define PAIR_BULK (1 << 20)
#define PAIR_HELLO_A 14  /* "hello from a\r\n" */
#define PAIR_HELLO_B 16  /* "hello from b\0\xff\x11\x13" */

VWT_TEST(null_modem_pyserial)
{
        struct vwt_output o;
        json_object *r, *a;

        vwt_config(null_modem_conf);
        vwt_start();

        if (vwt_py(&o, 120000, "serial_pair.py", vwt_run_path("a"), vwt_run_path("b"), "1048576", "42") != 0)
                vwt_fail("serial_pair.py exited %d: %s %s", o.status, o.out, o.err);
        ck_assert_msg(strstr(o.out, "OK 1048576 bytes each way"), "serial_pair.py said: %s", o.out);

        /* the counters saw every byte once, and nothing was dropped */
        r = vwt_ctl_json("show", "cable");
        ck_assert_str_eq(vwt_jstr(r, "route.overflow"), "block");
        ck_assert_int_eq(vwt_jint(r, "route.lanes.0.bytes_in"), PAIR_BULK + PAIR_HELLO_A);
        ck_assert_int_eq(vwt_jint(r, "route.lanes.1.bytes_in"), PAIR_BULK + PAIR_HELLO_B);
        ck_assert_int_eq(vwt_jint(r, "route.lanes.0.bytes_dropped"), 0);
        ck_assert_int_eq(vwt_jint(r, "route.lanes.1.bytes_dropped"), 0);
        ck_assert_int_eq(vwt_jint(r, "route.lanes.0.used"), 0);
        ck_assert_int_eq(vwt_jint(r, "route.lanes.1.used"), 0);
        a = vwt_ctl_json("show", "a");
        ck_assert_int_eq(vwt_jint(a, "endpoint.rx_bytes"), PAIR_BULK + PAIR_HELLO_A);
        ck_assert_int_eq(vwt_jint(a, "endpoint.tx_bytes"), PAIR_BULK + PAIR_HELLO_B);
        ck_assert_int_eq(vwt_jint(a, "endpoint.dropped_bytes"), 0);

        /* and again, with other data: the pair is reusable after the clients closed */
        if (vwt_py(&o, 120000, "serial_pair.py", vwt_run_path("b"), vwt_run_path("a"), "65536", "7") != 0)
                vwt_fail("second serial_pair.py exited %d: %s %s", o.status, o.out, o.err);
        vwt_stop();
}

/* The smallest ring: 256 KiB each way still arrive whole, only in many more turns. */
VWT_TEST(null_modem_small_ring)
{
        struct vwt_output o;
        json_object *r;

        vwt_config("[serial a]\n"
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
                   "buffer = 256\n");
        vwt_start();
        if (vwt_py(&o, 120000, "serial_pair.py", vwt_run_path("a"), vwt_run_path("b"), "262144", "3") != 0)
                vwt_fail("serial_pair.py exited %d: %s %s", o.status, o.out, o.err);
        r = vwt_ctl_json("show", "cable");
        ck_assert_int_eq(vwt_jint(r, "route.lanes.0.capacity"), 256);
        ck_assert_int_eq(vwt_jint(r, "route.lanes.0.bytes_dropped"), 0);
        ck_assert_int_eq(vwt_jint(r, "route.lanes.1.bytes_dropped"), 0);
        ck_assert_int_le(vwt_jint(r, "route.lanes.0.high_water"), 256);
        vwt_stop();
}

VWT_TEST(echo_loopback_pyserial)
{
        struct vwt_output o;
        json_object *e;
        int64_t total;

        vwt_config("[serial e]\n"
                   "backend = pty\n"
                   "path = %t/e\n"
                   "\n"
                   "[loopback echo]\n"
                   "mode = echo\n"
                   "\n"
                   "[route echo-cable]\n"
                   "from = e\n"
                   "to = echo\n"
                   "duplex = yes\n");
        vwt_start();

        if (vwt_py(&o, 120000, "serial_echo.py", vwt_run_path("e")) != 0)
                vwt_fail("serial_echo.py exited %d: %s %s", o.status, o.out, o.err);

        e = vwt_ctl_json("show", "e");
        total = 1 + 12 + 256 + 4096 + 40000 + 256 * 1024;
        ck_assert_int_eq(vwt_jint(e, "endpoint.rx_bytes"), total);
        ck_assert_int_eq(vwt_jint(e, "endpoint.tx_bytes"), total);
        ck_assert_int_eq(vwt_jint(e, "endpoint.dropped_bytes"), 0);
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "echo"), "endpoint.details.mode"), "echo");
        vwt_stop();
}

static bool line_is(const char *endpoint, const char *member, int64_t baud, int64_t stop_bits)
{
        json_object *j = vwt_ctl_json("show", endpoint);
        json_object *b = vwt_jget(j, vwt_strf("endpoint.details.%s.baud", member));
        json_object *s = vwt_jget(j, vwt_strf("endpoint.details.%s.stop_bits", member));

        return b && s && json_object_get_int64(b) == baud && json_object_get_int64(s) == stop_bits;
}

VWT_TEST(termios_reaches_peer)
{
        const char *a = NULL;
        struct vwt_proc *agent;
        struct vwt_output o;
        char *line, got[5];
        int b;

        vwt_config(null_modem_conf);
        vwt_start();
        a = vwt_run_path("a");

        /* pyserial sets a custom rate and two stop bits on a: b's peer sees them */
        agent = vwt_py_start(VWT_PIPE_IN | VWT_PIPE_OUT, "serial_agent.py", a, "250000", "2");
        line = vwt_proc_line(agent, 10000);
        ck_assert_msg(line && strcmp(line, "READY") == 0, "serial_agent.py said '%s'", line ? line : "(nothing)");
        ck_assert_msg(VWT_WAIT_FOR(3000, line_is("b", "peer_line", 250000, 2)),
                      "b's details.peer_line never became 250000 baud, 2 stop bits");
        ck_assert_msg(line_is("a", "line", 250000, 2), "a's details.line is not 250000 baud, 2 stop bits");
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "b"), "endpoint.details.peer_line.parity"), "N");
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "b"), "endpoint.details.peer_line.data_bits"), 8);

        /* stty reads the port (this glibc cannot name 250000 and may print 0; the rest is there) */
        ck_assert_int_eq(vwt_run(&o, "/usr/bin/stty", "-F", a, "-a"), 0);
        ck_assert_msg(strstr(o.out, "speed ") && strstr(o.out, " cstopb") && !strstr(o.out, "-cstopb"),
                      "stty -a: %s", o.out);

        /* a standard rate set by pyserial: stty names it, and it reaches the peer */
        ck_assert_msg(vwt_proc_write(agent, "p 115200 2\n", 11, 5000), "cannot talk to serial_agent.py");
        line = vwt_proc_line(agent, 10000);
        ck_assert_msg(line && strcmp(line, "OK") == 0, "serial_agent.py said '%s'", line ? line : "(nothing)");
        ck_assert_int_eq(vwt_run(&o, "/usr/bin/stty", "-F", a, "-a"), 0);
        ck_assert_msg(strstr(o.out, "speed 115200 baud"), "stty -a: %s", o.out);
        ck_assert_msg(VWT_WAIT_FOR(3000, line_is("b", "peer_line", 115200, 2)),
                      "b's peer_line did not follow to 115200");

        /* stty changes it too */
        ck_assert_int_eq(vwt_run(&o, "/usr/bin/stty", "-F", a, "9600", "-cstopb"), 0);
        ck_assert_msg(VWT_WAIT_FOR(3000, line_is("a", "line", 9600, 1)), "a's details.line is not 9600 8N1");
        ck_assert_msg(VWT_WAIT_FOR(3000, line_is("b", "peer_line", 9600, 1)), "b's peer_line is not 9600 8N1");
        ck_assert_int_eq(vwt_run(&o, "/usr/bin/stty", "-F", a, "-a"), 0);
        ck_assert_msg(strstr(o.out, "speed 9600 baud"), "stty -a: %s", o.out);

        /* data still flows a -> b after all that */
        b = vwt_serial_open(vwt_run_path("b"));
        ck_assert(vwt_proc_write(agent, "w 74696f7321\n", 13, 5000));
        line = vwt_proc_line(agent, 10000);
        ck_assert_msg(line && strcmp(line, "OK") == 0, "serial_agent.py said '%s'", line ? line : "(nothing)");
        ck_assert_msg(vwt_read_exact(b, got, 5, NULL, 5000) && memcmp(got, "tios!", 5) == 0, "a -> b lost data");
        close(b);

        ck_assert(vwt_proc_write(agent, "q\n", 2, 5000));
        ck_assert_int_eq(vwt_proc_wait(agent, 10000), 0);
        vwt_stop();
}

static const char overflow_conf[] =
        "[loopback gen-new]\n"
        "mode = source\n"
        "pattern = 0123456789abcdef\n"
        "rate = 50M\n"
        "\n"
        "[serial sink-new]\n"
        "backend = pty\n"
        "path = %t/sink-new\n"
        "\n"
        "[route flood-new]\n"
        "from = gen-new\n"
        "to = sink-new\n"
        "overflow = drop-new\n"
        "buffer = 16K\n"
        "\n"
        "[loopback gen-old]\n"
        "mode = source\n"
        "pattern = 0123456789abcdef\n"
        "rate = 50M\n"
        "\n"
        "[serial sink-old]\n"
        "backend = pty\n"
        "path = %t/sink-old\n"
        "\n"
        "[route flood-old]\n"
        "from = gen-old\n"
        "to = sink-old\n"
        "overflow = drop-old\n"
        "buffer = 16K\n"
        "\n"
        "[loopback gen-block]\n"
        "mode = source\n"
        "rate = 50M\n"
        "\n"
        "[serial sink-block]\n"
        "backend = pty\n"
        "path = %t/sink-block\n"
        "\n"
        "[route flood-block]\n"
        "from = gen-block\n"
        "to = sink-block\n"
        "overflow = block\n"
        "buffer = 16K\n";

static int64_t lane0(const char *route, const char *member)
{
        return vwt_jint(vwt_ctl_json("show", route), vwt_strf("route.lanes.0.%s", member));
}

VWT_TEST(overflow_policies)
{
        uint64_t worst = 0;
        json_object *r;
        char buf[4096];
        int fd;

        vwt_config(overflow_conf);
        vwt_start();

        ck_assert_msg(VWT_WAIT_FOR(10000, lane0("flood-new", "bytes_dropped") > 0), "drop-new never dropped");
        ck_assert_msg(VWT_WAIT_FOR(10000, lane0("flood-old", "bytes_dropped") > 0), "drop-old never dropped");

        /* vwired answers promptly while the sources push */
        for (int i = 0; i < 20; i++) {
                uint64_t t0 = vwt_now_ms();
                struct vwt_output o;

                ck_assert_int_eq(vwt_ctl(&o, "status"), 0);
                worst = MAX(worst, vwt_now_ms() - t0);
        }
        ck_assert_msg(worst < 2000, "a status call took %llu ms under load", (unsigned long long)worst);

        for (int k = 0; k < 2; k++) {
                const char *name = k ? "flood-old" : "flood-new";

                r = vwt_ctl_json("show", name);
                ck_assert_str_eq(vwt_jstr(r, "route.overflow"), k ? "drop-old" : "drop-new");
                ck_assert_int_gt(vwt_jint(r, "route.lanes.0.bytes_dropped"), 0);
                ck_assert_int_gt(vwt_jint(r, "route.lanes.0.chunks_dropped"), 0);
                ck_assert_int_le(vwt_jint(r, "route.lanes.0.used"), vwt_jint(r, "route.lanes.0.capacity"));
                ck_assert_int_le(vwt_jint(r, "route.lanes.0.high_water"), vwt_jint(r, "route.lanes.0.capacity"));
                ck_assert_int_eq(vwt_jint(r, "route.lanes.0.capacity"), 16384);
        }
        /* the block route holds the source back instead */
        r = vwt_ctl_json("show", "flood-block");
        ck_assert_int_eq(vwt_jint(r, "route.lanes.0.bytes_dropped"), 0);
        ck_assert_int_gt(vwt_jint(r, "route.lanes.0.used"), 0);

        /* a reader on a flooded port gets data (the pattern), and vwired survives it */
        fd = vwt_serial_open(vwt_run_path("sink-new"));
        ck_assert(vwt_read_exact(fd, buf, sizeof(buf), NULL, 5000));
        for (size_t i = 0; i < sizeof(buf); i++)
                ck_assert_msg(strchr("0123456789abcdef", buf[i]) && buf[i], "byte %zu is 0x%02x", i,
                              (unsigned char)buf[i]);
        close(fd);

        /* take it apart while the data still pushes: route, then endpoints, each with data in flight */
        vwt_ctl_ok("remove", "flood-old");
        vwt_ctl_ok("remove", "sink-old");
        vwt_ctl_ok("remove", "gen-old");
        ck_assert(!vwt_listed("flood-old") && !vwt_listed("gen-old") && vwt_listed("flood-block"));
        ck_assert_int_eq(vwt_ctl(NULL, "status"), 0);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("integration-serial");

        VWT_ADD(s, null_modem_pyserial);
        VWT_ADD(s, null_modem_small_ring);
        VWT_ADD(s, echo_loopback_pyserial);
        VWT_ADD(s, termios_reaches_peer);
        VWT_ADD(s, overflow_policies);
        return vwt_main(s);
}
