/* SPDX-License-Identifier: MIT */
/*
 * [serial] backend = device on a tty with real modem lines and breaks: a CUSE port of one vwired
 * (the harness's: "far" <-> "hw", far being the far end of the cable) opened as the device of a
 * second vwired ("dev" <-> "app"). Two daemons because a vwired must never open its own CUSE
 * node: every open and ioctl of it is a request to its own loop.
 *
 *     test -- far (cuse) == hw (cuse, /dev/ttyVT..hw) <- open() -- dev (device) == app (cuse) -- test
 *             \________________ vwired A _____________/             \_________ vwired B ________/
 *
 * Unplug = a reload of A without hw (the node goes away), replug = a reload with it again.
 * Runs through tests/vm/kernel-test, so in a VM where this machine has no /dev/cuse.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/serial.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *dev(const char *suffix)
{
        return vwt_strf("/dev/ttyVD%d%s", (int)getpid() % 1000, suffix);
}

static const char *sock_b(void)
{
        return vwt_path("b/control.sock");
}

static void config_a(bool with_hw)
{
        if (with_hw)
                vwt_configf("[serial far]\nbackend = cuse\npath = %s\n\n"
                            "[serial hw]\nbackend = cuse\npath = %s\n\n"
                            "[route cable]\nfrom = far\nto = hw\nduplex = yes\n",
                            dev("far"), dev("hw"));
        else
                vwt_configf("[serial far]\nbackend = cuse\npath = %s\n", dev("far"));
}

/* vwired B: the device backend on A's hw node, routed to its own CUSE port app. */
static struct vwt_proc *start_b(void)
{
        const char *conf = vwt_path("b.conf");
        struct vwt_output o = { .err = (char *)"" };

        vwt_write_file(conf, vwt_strf("[serial dev]\nbackend = device\ndevice = %s\nmodem-poll = 20ms\n"
                                      "reopen = 50ms\nreopen-max = 500ms\n\n"
                                      "[serial app]\nbackend = cuse\npath = %s\n\n"
                                      "[route r]\nfrom = dev\nto = app\nduplex = yes\n",
                                      dev("hw"), dev("app")));
        struct vwt_proc *p =
                vwt_proc_start(0, vwt_vwired_path(), "--config", conf, "--runtime-dir", vwt_path("b"), "-v");

        if (!VWT_WAIT_FOR(VWT_START_TIMEOUT, vwt_run(&o, vwt_vwirectl_path(), "--socket", sock_b(), "status") == 0 &&
                                                     access(dev("app"), F_OK) == 0))
                vwt_fail("the second vwired did not come up: %s", o.err);
        return p;
}

static json_object *show_b(const char *name)
{
        struct vwt_output o;
        json_object *j;

        if (vwt_run(&o, vwt_vwirectl_path(), "--socket", sock_b(), "--json", "show", name) != 0 ||
            !(j = vwt_parse_json(o.out)))
                vwt_fail("show %s in the second vwired failed: %s", name, o.err);
        return j;
}

static const char *dev_state(void)
{
        json_object *v = vwt_jget(show_b("dev"), "endpoint.details.device_state");

        return v ? json_object_get_string(v) : "";
}

static int lines_of(int fd)
{
        int m = 0;

        if (ioctl(fd, TIOCMGET, &m) < 0)
                vwt_fail("TIOCMGET: %s", strerror(errno));
        return m;
}

static void set_line(int fd, int line, bool on)
{
        if (ioctl(fd, on ? TIOCMBIS : TIOCMBIC, &line) < 0)
                vwt_fail("TIOCMBIS/BIC: %s", strerror(errno));
}

static bool rate_is(const char *node, unsigned baud)
{
        int fd = open(node, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        struct termios2 t;
        bool ok;

        if (fd < 0)
                return false;
        ok = ioctl(fd, TCGETS2, &t) == 0 && (t.c_cflag & CBAUD) == BOTHER && t.c_ospeed == baud &&
             (t.c_cflag & CSIZE) == CS7 && (t.c_cflag & PARENB) && !(t.c_cflag & PARODD);
        close(fd);
        return ok;
}

/* 250000 baud 7E1 on the app's port, as a program would set it. */
static void app_settings(int fd)
{
        struct termios2 t;

        ck_assert_int_eq(ioctl(fd, TCGETS2, &t), 0);
        t.c_cflag &= ~(tcflag_t)(CBAUD | CSIZE | PARODD);
        t.c_cflag |= BOTHER | CS7 | PARENB;
        t.c_ispeed = t.c_ospeed = 250000;
        ck_assert_int_eq(ioctl(fd, TCSETS2, &t), 0);
}

static void parmrk(int fd)
{
        struct termios2 t;

        ck_assert_int_eq(ioctl(fd, TCGETS2, &t), 0);
        t.c_iflag |= PARMRK;
        t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT);
        ck_assert_int_eq(ioctl(fd, TCSETS2, &t), 0);
}

static void data_both_ways(int app, int far, const char *tag)
{
        const char *a = vwt_strf("%s app->far\n", tag), *f = vwt_strf("%s far->app\n", tag);

        if (!vwt_serial_roundtrip(app, a, strlen(a), far, a, strlen(a), 10000))
                vwt_fail("%s: app -> far lost bytes", tag);
        if (!vwt_serial_roundtrip(far, f, strlen(f), app, f, strlen(f), 10000))
                vwt_fail("%s: far -> app lost bytes", tag);
}

static uint32_t brk_count(int fd)
{
        struct serial_icounter_struct ic;

        if (ioctl(fd, TIOCGICOUNT, &ic) < 0)
                vwt_fail("TIOCGICOUNT: %s", strerror(errno));
        return (uint32_t)ic.brk;
}

VWT_TEST(device_on_cuse_lines_breaks_and_replug)
{
        static const uint8_t mark[3] = { 0377, 0, 0 };
        struct vwt_proc *b;
        int app, far;

        config_a(true);
        vwt_start();
        b = start_b();
        if (!VWT_WAIT_FOR(10000, streq(dev_state(), "open")))
                vwt_fail("dev did not open %s: %s", dev("hw"), dev_state());
        app = vwt_serial_open(dev("app"));
        far = vwt_serial_open(dev("far"));
        data_both_ways(app, far, "first");

        /* the app's settings are the device's, and what A's far end hears of; the far end agrees
         * (a CUSE port counts every byte from a peer with other settings as a framing error,
         * which the device passes on) */
        app_settings(app);
        app_settings(far);
        if (!VWT_WAIT_FOR(10000, rate_is(dev("hw"), 250000)))
                vwt_fail("hw did not get 250000 7E1");
        ck_assert(VWT_WAIT_FOR(10000,
                               vwt_jint(vwt_ctl_json("show", "far"), "endpoint.details.peer_line.baud") == 250000));
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "far"), "endpoint.details.peer_line.text"), "250000 7E1");

        /* DTR: app -> dev -> hw's DTR -> far's DSR and DCD (A's null modem) */
        ck_assert(VWT_WAIT_FOR(5000, (lines_of(far) & (TIOCM_DSR | TIOCM_CD)) == (TIOCM_DSR | TIOCM_CD)));
        set_line(app, TIOCM_DTR, false);
        if (!VWT_WAIT_FOR(5000, !(lines_of(far) & (TIOCM_DSR | TIOCM_CD))))
                vwt_fail("far still sees DSR/DCD after the app dropped DTR");
        set_line(app, TIOCM_DTR, true);
        ck_assert(VWT_WAIT_FOR(5000, lines_of(far) & TIOCM_DSR));
        /* RTS of far -> hw's CTS -> polled by dev -> app's CTS, as it is */
        ck_assert(VWT_WAIT_FOR(5000, lines_of(app) & TIOCM_CTS));
        set_line(far, TIOCM_RTS, false);
        if (!VWT_WAIT_FOR(5000, !(lines_of(app) & TIOCM_CTS)))
                vwt_fail("the app still sees CTS after far dropped RTS");
        ck_assert(lines_of(app) & TIOCM_DSR); /* only CTS moved */
        set_line(far, TIOCM_RTS, true);
        ck_assert(VWT_WAIT_FOR(5000, lines_of(app) & TIOCM_CTS));
        ck_assert(json_object_get_boolean(vwt_jget(show_b("dev"), "endpoint.details.modem.supported")));

        /* a break from the app: TIOCSBRK/TIOCCBRK on hw, a break in far's stream, in its place */
        parmrk(far);
        ck_assert_int_eq(write(app, "ab", 2), 2);
        ck_assert_int_eq(ioctl(app, TCSBRKP, 1), 0); /* 100 ms */
        ck_assert_int_eq(write(app, "cd", 2), 2);
        {
                static const uint8_t want[] = { 'a', 'b', 0377, 0, 0, 'c', 'd' };
                uint8_t got[sizeof(want)];
                size_t n = 0;

                if (!vwt_read_exact(far, got, sizeof(got), &n, 10000) || memcmp(got, want, sizeof(want)) != 0)
                        vwt_fail("far did not read ab, a break, cd (%zu bytes)", n);
        }
        /* a held break (TIOCSBRK ... TIOCCBRK at the app): hw stays in break until the app ends it */
        ck_assert_int_eq(ioctl(app, TIOCSBRK), 0);
        {
                uint8_t got[3];
                size_t n = 0;

                if (!vwt_read_exact(far, got, sizeof(got), &n, 10000) || memcmp(got, mark, sizeof(mark)) != 0)
                        vwt_fail("far did not read the app's held break (%zu bytes)", n);
        }
        ck_assert(VWT_WAIT_FOR(5000, json_object_get_boolean(vwt_jget(show_b("dev"), "endpoint.details.break"))));
        ck_assert_int_eq(ioctl(app, TIOCCBRK), 0);
        ck_assert(VWT_WAIT_FOR(5000, !json_object_get_boolean(vwt_jget(show_b("dev"), "endpoint.details.break"))));
        data_both_ways(app, far, "after the held break");

        /* a break from far: counted on hw (TIOCGICOUNT), sent on by dev, read by the app */
        parmrk(app);
        {
                uint32_t before = brk_count(app);
                uint8_t got[3];
                size_t n = 0;

                ck_assert_int_eq(ioctl(far, TCSBRKP, 1), 0);
                if (!vwt_read_exact(app, got, sizeof(got), &n, 10000) || memcmp(got, mark, sizeof(mark)) != 0)
                        vwt_fail("the app did not read far's break as PARMRK marks (%zu bytes)", n);
                ck_assert_uint_eq(brk_count(app), before + 1);
        }

        /* unplug: A reloads without hw, its node goes away; the app sees every line down */
        config_a(false);
        vwt_signal(SIGHUP);
        if (!VWT_WAIT_FOR(10000, streq(dev_state(), "gone")))
                vwt_fail("dev did not notice that %s went away: %s", dev("hw"), dev_state());
        ck_assert(VWT_WAIT_FOR(5000, !(lines_of(app) & (TIOCM_CD | TIOCM_DSR | TIOCM_CTS))));

        /* replug: the node comes back, dev opens it again with the app's settings */
        config_a(true);
        vwt_signal(SIGHUP);
        if (!VWT_WAIT_FOR(10000, streq(dev_state(), "open")))
                vwt_fail("dev did not reopen %s: %s", dev("hw"), dev_state());
        ck_assert_int_eq(vwt_jint(show_b("dev"), "endpoint.details.opens"), 2);
        ck_assert(VWT_WAIT_FOR(5000, (lines_of(app) & (TIOCM_CD | TIOCM_DSR | TIOCM_CTS)) ==
                                             (TIOCM_CD | TIOCM_DSR | TIOCM_CTS)));
        ck_assert(VWT_WAIT_FOR(10000, rate_is(dev("hw"), 250000)));
        close(far);
        far = vwt_serial_open(dev("far"));
        app_settings(far);
        data_both_ways(app, far, "replugged");
        /* nothing else came: no line events from errors counted on hw */
        ck_assert(vwt_quiet(app, 300));
        ck_assert_int_eq(vwt_jint(show_b("dev"), "endpoint.details.line_events_in"), 1);
        close(app);
        close(far);
        ck_assert_int_eq(vwt_proc_kill(b, SIGTERM, VWT_STOP_TIMEOUT), 0);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("serial-device");

        VWT_ADD(s, device_on_cuse_lines_breaks_and_replug);
        return vwt_main(s);
}
