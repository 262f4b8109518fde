/* SPDX-License-Identifier: MIT */
/*
 * CUSE serial ports in a real kernel: run through tests/vm/kernel-test, so inside a VM where
 * this machine has no /dev/cuse. Third-party clients (pyserial, stty, picocom, tio, minicom) and
 * raw syscalls.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cuse-test.h"
#include "harness.h"

VWT_TEST(test_node_and_stty)
{
        struct vwt_output o;
        struct stat st;

        pair_config("mode = 0666", "", "");
        vwt_start();
        if (stat(dev("a"), &st) < 0 || !S_ISCHR(st.st_mode))
                vwt_fail("%s is not a character device", dev("a"));
        ck_assert_int_eq(st.st_mode & 07777, 0666);
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "a"), "endpoint.backend"), "cuse");
        if (vwt_run(&o, "/bin/stty", "-F", dev("a"), "-a") != 0)
                vwt_fail("stty -a failed: %s", o.err);
        ck_assert_ptr_nonnull(strstr(o.out, "speed 9600 baud"));
        if (vwt_run(&o, "/bin/stty", "-F", dev("a"), "19200", "cs7", "parenb") != 0)
                vwt_fail("stty 19200 failed: %s", o.err);
        ck_assert(VWT_WAIT_FOR(3000, vwt_jint(vwt_ctl_json("show", "b"), "endpoint.details.peer_line.baud") == 19200));
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "b"), "endpoint.details.peer_line.text"), "19200 7E1");
        vwt_stop();
        ck_assert_int_ne(access(dev("a"), F_OK), 0);
        ck_assert_int_ne(access(dev("b"), F_OK), 0);
}

VWT_TEST(test_pyserial_baud_rates)
{
        pair_config("", "", "");
        vwt_start();
        py_ok(60000, (const char *const[]){ "baud", dev("a"), "115200", NULL });
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "b"), "endpoint.details.peer_line.baud"), 115200);
        py_ok(60000, (const char *const[]){ "baud", dev("a"), "250000", NULL });
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "b"), "endpoint.details.peer_line.baud"), 250000);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "a"), "endpoint.details.line.baud"), 250000);
        vwt_stop();
}

VWT_TEST(test_modem_lines_and_miwait)
{
        pair_config("", "", "");
        vwt_start();
        py_ok(60000, (const char *const[]){ "modem", dev("a"), dev("b"), NULL });
        vwt_stop();
}

VWT_TEST(test_broadcast_readers)
{
        pair_config("", "readers = broadcast", "");
        vwt_start();
        py_ok(60000, (const char *const[]){ "broadcast", dev("a"), dev("b"), NULL });
        vwt_stop();
}

VWT_TEST(test_exclusive_and_tiocexcl)
{
        int fd, fd2;

        pair_config("readers = exclusive", "", "");
        vwt_start();
        fd = open_dev(dev("a"), O_RDWR);
        ck_assert_int_lt(open(dev("a"), O_RDWR | O_NOCTTY), 0);
        ck_assert_int_eq(errno, EBUSY);
        close(fd);
        fd = open_dev(dev("a"), O_RDWR);
        close(fd);

        /* broadcast port b: a second open works until TIOCEXCL */
        fd = open_dev(dev("b"), O_RDWR);
        fd2 = open_dev(dev("b"), O_RDWR);
        close(fd2);
        ck_assert_int_eq(ioctl(fd, TIOCEXCL), 0);
        ck_assert_int_lt(open(dev("b"), O_RDWR | O_NOCTTY), 0);
        ck_assert_int_eq(errno, EBUSY);
        ck_assert_int_eq(ioctl(fd, TIOCNXCL), 0);
        fd2 = open_dev(dev("b"), O_RDWR);
        close(fd2);
        close(fd);
        vwt_stop();
}

static void on_alarm(int sig)
{
        (void)sig;
}

VWT_TEST(test_blocking_read_eintr)
{
        struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
        char buf[16];
        ssize_t n;
        int fd;

        pair_config("", "", "");
        vwt_start();
        fd = open_dev(dev("a"), O_RDWR);
        sigaction(SIGALRM, &sa, NULL);
        alarm(1);
        n = read(fd, buf, sizeof(buf));
        ck_assert_int_eq(n, -1);
        ck_assert_int_eq(errno, EINTR);
        signal(SIGALRM, SIG_DFL);
        /* the port still works after the interrupted read */
        int fb = open_dev(dev("b"), O_RDWR);
        ck_assert(vwt_serial_roundtrip(fb, "ping", 4, fd, "ping", 4, 10000));
        close(fb);
        close(fd);
        vwt_stop();
}

VWT_TEST(test_nonblocking_and_poll)
{
        struct pollfd pfd;
        char buf[16];
        int fa, fb, r;
        pid_t child;

        pair_config("", "", "");
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR | O_NONBLOCK);
        fb = open_dev(dev("b"), O_RDWR);
        ck_assert_int_eq(read(fa, buf, sizeof(buf)), -1);
        ck_assert_int_eq(errno, EAGAIN);
        pfd = (struct pollfd){ .fd = fa, .events = POLLIN };
        ck_assert_int_eq(poll(&pfd, 1, 200), 0);
        pfd.events = POLLOUT;
        ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
        child = fork();
        if (child == 0) {
                usleep(300 * 1000);
                _exit(write(fb, "wake", 4) == 4 ? 0 : 1);
        }
        pfd = (struct pollfd){ .fd = fa, .events = POLLIN };
        r = poll(&pfd, 1, 10000);
        ck_assert_int_eq(r, 1);
        ck_assert(pfd.revents & POLLIN);
        ck_assert_int_eq(read(fa, buf, sizeof(buf)), 4);
        ck_assert_int_eq(memcmp(buf, "wake", 4), 0);
        waitpid(child, NULL, 0);
        /* select() goes through the same poll op */
        fd_set rs;
        struct timeval tv = { .tv_sec = 5 };
        ck_assert_int_eq(write(fb, "s", 1), 1);
        FD_ZERO(&rs);
        FD_SET(fa, &rs);
        ck_assert_int_eq(select(fa + 1, &rs, NULL, NULL, &tv), 1);
        close(fa);
        close(fb);
        vwt_stop();
}

VWT_TEST(test_ioctls)
{
        struct termios t;
        struct termios2 t2;
        struct winsize ws = { .ws_row = 24, .ws_col = 80 }, ws2;
        int fd, fb, n, lines;

        pair_config("", "", "");
        vwt_start();
        fd = open_dev(dev("a"), O_RDWR);
        fb = open_dev(dev("b"), O_RDWR);
        ck_assert_int_eq(ioctl(fd, TCGETS, &t), 0);
        ck_assert_int_eq(t.c_cflag & CBAUD, B9600);
        ck_assert_int_eq(ioctl(fd, TCGETS2, &t2), 0);
        t2.c_cflag = (t2.c_cflag & ~CBAUD) | BOTHER;
        t2.c_ospeed = t2.c_ispeed = 123456;
        ck_assert_int_eq(ioctl(fd, TCSETS2, &t2), 0);
        memset(&t2, 0, sizeof(t2));
        ck_assert_int_eq(ioctl(fd, TCGETS2, &t2), 0);
        ck_assert_uint_eq(t2.c_ospeed, 123456);
        ck_assert_int_eq(ioctl(fd, TIOCSWINSZ, &ws), 0);
        ck_assert_int_eq(ioctl(fd, TIOCGWINSZ, &ws2), 0);
        ck_assert_int_eq(ws2.ws_col, 80);
        ck_assert_int_eq(write(fb, "12345", 5), 5);
        ck_assert(VWT_WAIT_FOR(3000, ioctl(fd, FIONREAD, &n) == 0 && n == 5));
        ck_assert_int_eq(ioctl(fd, TCFLSH, TCIFLUSH), 0);
        ck_assert_int_eq(ioctl(fd, FIONREAD, &n), 0);
        ck_assert_int_eq(n, 0);
        ck_assert_int_eq(ioctl(fd, TIOCOUTQ, &n), 0);
        ck_assert_int_eq(ioctl(fd, TIOCMGET, &lines), 0);
        ck_assert(lines & TIOCM_DTR);
        lines = TIOCM_RTS;
        ck_assert_int_eq(ioctl(fd, TIOCMBIC, &lines), 0);
        ck_assert_int_eq(ioctl(fb, TIOCMGET, &lines), 0);
        ck_assert(!(lines & TIOCM_CTS));
        ck_assert(lines & TIOCM_DSR);
        struct serial_icounter_struct { int v[20]; } ic;
        ck_assert_int_eq(ioctl(fb, TIOCGICOUNT, &ic), 0);
        ck_assert_int_ge(ic.v[0], 1); /* cts changed at least once */
        ck_assert_int_eq(ioctl(fd, 0x5490 /* TIOCGPTN-like nonsense */, &n), -1);
        ck_assert_int_eq(errno, ENOTTY);
        close(fd);
        close(fb);
        vwt_stop();
}

VWT_TEST(test_break_reaches_peer)
{
        struct termios2 t;
        unsigned char buf[8];
        size_t got;
        int fa, fb;

        pair_config("", "", "");
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR);
        fb = open_dev(dev("b"), O_RDWR);
        ck_assert_int_eq(ioctl(fb, TCGETS2, &t), 0);
        t.c_iflag |= PARMRK;
        ck_assert_int_eq(ioctl(fb, TCSETS2, &t), 0);
        ck_assert_int_eq(write(fa, "A", 1), 1);
        ck_assert_int_eq(ioctl(fa, TCSBRK, 0), 0);
        ck_assert_int_eq(write(fa, "B", 1), 1);
        ck_assert(vwt_read_exact(fb, buf, 5, &got, 10000));
        ck_assert_int_eq(memcmp(buf, "A\377\0\0B", 5), 0);
        close(fa);
        close(fb);
        vwt_stop();
}

VWT_TEST(test_stream_both_ways_block)
{
        pair_config("", "", "overflow = block\nbuffer = 16K");
        vwt_start();
        py_ok(280000, (const char *const[]){ "stream", dev("a"), dev("b"), "1048576", NULL });
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "cable"), "route.lanes.0.bytes_dropped"), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "cable"), "route.lanes.1.bytes_dropped"), 0);
        vwt_stop();
}

VWT_TEST(test_pacing)
{
        pair_config("pacing = yes", "", "");
        vwt_start();
        py_ok(120000, (const char *const[]){ "pacing", dev("a"), dev("b"), "9600", "3000", NULL });
        vwt_stop();
}

VWT_TEST(test_when_closed)
{
        char buf[8];
        size_t got;
        int fa, fb;

        vwt_configf("[serial a]\nbackend = cuse\npath = %s\n"
                    "[serial keep]\nbackend = cuse\npath = %s\nwhen-closed = buffer\n"
                    "[serial drop]\nbackend = cuse\npath = %s\nwhen-closed = drop\n"
                    "[route r1]\nfrom = a\nto = keep drop\n",
                    dev("a"), dev("k"), dev("d"));
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR);
        ck_assert_int_eq(write(fa, "early", 5), 5);
        ck_assert(VWT_WAIT_FOR(3000, vwt_jint(vwt_ctl_json("show", "drop"), "endpoint.dropped_bytes") == 5));
        fb = open_dev(dev("k"), O_RDWR);
        ck_assert(vwt_read_exact(fb, buf, 5, &got, 5000));
        ck_assert_int_eq(memcmp(buf, "early", 5), 0);
        close(fb);
        fb = open_dev(dev("d"), O_RDWR);
        ck_assert(vwt_quiet(fb, 300));
        close(fb);
        close(fa);
        vwt_stop();
}

VWT_TEST(test_cuse_to_pty)
{
        int fc, fp, lines;

        vwt_configf("[serial c]\nbackend = cuse\npath = %s\n"
                    "[serial p]\nbackend = pty\npath = %%t/p\n"
                    "[route r]\nfrom = c\nto = p\nduplex = yes\n", dev("c"));
        vwt_start();
        fc = open_dev(dev("c"), O_RDWR);
        fp = vwt_serial_open(vwt_run_path("p"));
        ck_assert(vwt_serial_roundtrip(fc, "to pty", 6, fp, "to pty", 6, 10000));
        ck_assert(vwt_serial_roundtrip(fp, "to cuse", 7, fc, "to cuse", 7, 10000));
        ck_assert_int_eq(ioctl(fc, TIOCMGET, &lines), 0);
        ck_assert(lines & TIOCM_CTS);
        ck_assert(lines & TIOCM_DSR);
        close(fc);
        close(fp);
        vwt_stop();
}

VWT_TEST(test_picocom_opens)
{
        struct vwt_output o;
        const char *cmd;

        pair_config("", "", "");
        vwt_start();
        /* picocom wants a terminal on stdin: script(1) gives it one */
        cmd = vwt_strf("picocom -q -b 115200 --exit-after 1500 %s", dev("a"));
        if (vwt_run(&o, "/usr/bin/script", "-qec", cmd, "/dev/null") != 0)
                vwt_fail("picocom failed: %s %s", o.out, o.err);
        vwt_stop();
}

/* A CUSE start that completes from the loop (VWIRE_TEST_DEFER_START makes vwired take that path
 * although CUSE_INIT is queued at once): vwired answers no client before the configured nodes
 * exist, an Add is answered only once its node exists, and a name the kernel refuses fails the
 * Add without leaving the endpoint behind. */
VWT_TEST(test_deferred_start)
{
        struct vwt_output o;
        struct stat st;

        setenv("VWIRE_TEST_DEFER_START", "1", 1);
        pair_config("", "", "");
        vwt_start();
        ck_assert_msg(stat(dev("a"), &st) == 0 && S_ISCHR(st.st_mode), "%s missing after start", dev("a"));
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "a"), "endpoint.state"), "active");
        vwt_ctl_ok("add", "serial", "c", "backend=cuse", vwt_strf("path=%s", dev("c")));
        ck_assert_msg(stat(dev("c"), &st) == 0 && S_ISCHR(st.st_mode), "%s missing when Add returned", dev("c"));
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "c"), "endpoint.state"), "active");
        /* a name another CUSE device has: the kernel refuses it after INIT */
        ck_assert_int_ne(vwt_ctl(&o, "add", "serial", "d", "backend=cuse", vwt_strf("path=%s", dev("a"))), 0);
        ck_assert_int_ne(vwt_ctl(&o, "show", "d"), 0);
        vwt_stop();
        unsetenv("VWIRE_TEST_DEFER_START");
}

/* A '!' in a CUSE name makes devtmpfs put the node in a subdirectory, where vwired's chmod and
 * chown would miss it: refused for everyone (docs/SECURITY.md rule 6). Root may take a kernel
 * name pattern; members may not (tests/security, without a kernel, checks the rule). */
VWT_TEST(test_cuse_name_rules)
{
        struct vwt_output o;
        const char *sub = vwt_strf("vwsecdir%d", (int)getpid() % 1000);

        pair_config("", "", "");
        vwt_start();
        ck_assert_int_ne(vwt_ctl(&o, "add", "serial", "bang", "backend=cuse", vwt_strf("path=%s!probe", sub)), 0);
        ck_assert_ptr_nonnull(strstr(o.err, "rule"));
        ck_assert_int_ne(access(vwt_strf("/dev/%s", sub), F_OK), 0);
        ck_assert_int_ne(vwt_ctl(&o, "show", "bang"), 0);
        vwt_stop();
}

/* tcdrain() (TCSBRK 1) and TCSETSW wait while a blocking write of another process is parked
 * behind a full route, and go on once the peer reads (issue 10's drain audit). */
VWT_TEST(test_drain_waits_for_parked_write)
{
        static char big[8192], got[8192];
        struct termios2 t;
        size_t n;
        pid_t writer, drainer, setter;
        int fa, fb, q;

        pair_config("", "", "overflow = block\nbuffer = 1K");
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR);
        fb = open_dev(dev("b"), O_RDWR); /* open, not reading: the route fills */
        memset(big, 'x', sizeof(big));
        writer = fork();
        if (writer == 0)
                _exit(write(fa, big, sizeof(big)) == (ssize_t)sizeof(big) ? 0 : 1);
        ck_assert(VWT_WAIT_FOR(5000, ioctl(fa, TIOCOUTQ, &q) == 0 && q > 0));
        drainer = fork();
        if (drainer == 0)
                _exit(ioctl(fa, TCSBRK, 1) == 0 ? 0 : 1);
        ck_assert_int_eq(ioctl(fa, TCGETS2, &t), 0);
        t.c_cflag = (t.c_cflag & ~CBAUD) | B38400;
        setter = fork();
        if (setter == 0)
                _exit(ioctl(fa, TCSETSW2, &t) == 0 ? 0 : 1);
        ck_assert_int_eq(wait_child(drainer, 500), -1);
        ck_assert_int_eq(wait_child(setter, 1), -1);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "a"), "endpoint.details.line.baud"), 9600);
        ck_assert(vwt_read_exact(fb, got, sizeof(got), &n, 20000));
        ck_assert_int_eq(wait_child(writer, 10000), 0);
        ck_assert_int_eq(wait_child(drainer, 10000), 0);
        ck_assert_int_eq(wait_child(setter, 10000), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "a"), "endpoint.details.line.baud"), 38400);
        close(fa);
        close(fb);
        vwt_stop();
}

/* [loopback] lines = loop: a CUSE port on the plug passes pyserial's loopback-adapter checks. */
VWT_TEST(test_loopback_plug_lines)
{
        vwt_configf("[serial a]\nbackend = cuse\npath = %s\n"
                    "[loopback plug]\nmode = echo\nlines = loop\n"
                    "[route r]\nfrom = a\nto = plug\nduplex = yes\n",
                    dev("a"));
        vwt_start();
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "plug"), "endpoint.details.lines"), "loop");
        py_ok(60000, (const char *const[]){ "plug", dev("a"), NULL });
        vwt_stop();
}

/* CRTSCTS: a's written data waits while its CTS (b's RTS) is down, and goes when it comes up. */
VWT_TEST(test_crtscts_holds_output)
{
        struct termios2 t;
        char buf[16];
        pid_t child;
        int fa, fb, rts = TIOCM_RTS;

        pair_config("", "", "");
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR);
        fb = open_dev(dev("b"), O_RDWR);
        ck_assert_int_eq(ioctl(fa, TCGETS2, &t), 0);
        t.c_cflag |= CRTSCTS;
        ck_assert_int_eq(ioctl(fa, TCSETS2, &t), 0);
        ck_assert_int_eq(ioctl(fb, TIOCMBIC, &rts), 0);
        vwt_sleep_ms(200);
        child = fork();
        if (child == 0)
                _exit(write(fa, "rts", 3) == 3 ? 0 : 1);
        ck_assert_msg(vwt_quiet(fb, 500), "a sent with CTS down");
        ck_assert_int_eq(wait_child(child, 1), -1);
        ck_assert_int_eq(ioctl(fb, TIOCMBIS, &rts), 0);
        ck_assert(vwt_read_exact(fb, buf, 3, NULL, 5000));
        ck_assert_int_eq(memcmp(buf, "rts", 3), 0);
        ck_assert_int_eq(wait_child(child, 5000), 0);
        close(fa);
        close(fb);
        vwt_stop();
}

/* tio and minicom on a CUSE port, as a person runs them (script(1) gives each a terminal): the
 * rate reaches the peer, the peer's text shows on the screen, what is typed reaches the peer. */
static bool proc_saw(struct vwt_proc *p, const char *want, int timeout_ms)
{
        static char seen[65536];
        size_t n = 0;
        uint64_t end = vwt_now_ms() + (uint64_t)timeout_ms;

        while (vwt_now_ms() < end && n < sizeof(seen) - 1) {
                struct pollfd pfd = { .fd = p->out, .events = POLLIN };
                ssize_t k;

                if (poll(&pfd, 1, 100) <= 0)
                        continue;
                k = read(p->out, seen + n, sizeof(seen) - 1 - n);
                if (k <= 0)
                        break;
                n += (size_t)k;
                if (memmem(seen, n, want, strlen(want)))
                        return true;
        }
        return false;
}

static int64_t peer_baud_of(const char *name)
{
        json_object *b = vwt_jget(vwt_ctl_json("show", name), "endpoint.details.peer_line.baud");

        return b ? json_object_get_int64(b) : -1;
}

static void terminal_program(const char *cmd, int64_t baud)
{
        struct vwt_proc *t;
        char buf[16];
        int fb;

        pair_config("", "", "");
        vwt_start();
        fb = vwt_serial_open(dev("b"));
        t = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, "/usr/bin/env", "TERM=vt100", "/usr/bin/script", "-qfec", cmd,
                           "/dev/null");
        ck_assert_msg(VWT_WAIT_FOR(20000, peer_baud_of("b") == baud), "%s: the peer's line is not %lld: %lld", cmd,
                      (long long)baud, (long long)peer_baud_of("b"));
        vwt_sleep_ms(1000); /* the program is past its start-up output */
        ck_assert_int_eq(write(fb, "peer-says-hi\r\n", 14), 14);
        ck_assert_msg(proc_saw(t, "peer-says-hi", 20000), "%s did not show what the peer sent", cmd);
        ck_assert(vwt_proc_write(t, "typed", 5, 5000));
        ck_assert_msg(vwt_read_exact(fb, buf, 5, NULL, 20000), "%s: what was typed did not reach the peer", cmd);
        ck_assert_int_eq(memcmp(buf, "typed", 5), 0);
        vwt_proc_kill(t, SIGTERM, 5000);
        vwt_proc_done(t);
        close(fb);
        vwt_stop();
}

VWT_TEST(test_tio_on_cuse)
{
        terminal_program(vwt_strf("tio --mute -b 57600 %s", dev("a")), 57600);
}

VWT_TEST(test_minicom_on_cuse)
{
        /* -o: no modem init strings; minicom's default hardware flow control meets b's RTS */
        terminal_program(vwt_strf("minicom -o -b 38400 -D %s", dev("a")), 38400);
}

int main(void)
{
        Suite *s = suite_create("cuse");

        VWT_ADD(s, test_node_and_stty);
        VWT_ADD(s, test_pyserial_baud_rates);
        VWT_ADD(s, test_modem_lines_and_miwait);
        VWT_ADD(s, test_broadcast_readers);
        VWT_ADD(s, test_exclusive_and_tiocexcl);
        VWT_ADD(s, test_blocking_read_eintr);
        VWT_ADD(s, test_nonblocking_and_poll);
        VWT_ADD(s, test_ioctls);
        VWT_ADD(s, test_break_reaches_peer);
        VWT_ADD(s, test_stream_both_ways_block);
        VWT_ADD(s, test_pacing);
        VWT_ADD(s, test_when_closed);
        VWT_ADD(s, test_cuse_to_pty);
        VWT_ADD(s, test_picocom_opens);
        VWT_ADD(s, test_deferred_start);
        VWT_ADD(s, test_cuse_name_rules);
        VWT_ADD(s, test_drain_waits_for_parked_write);
        VWT_ADD(s, test_loopback_plug_lines);
        VWT_ADD(s, test_crtscts_holds_output);
        VWT_ADD(s, test_tio_on_cuse);
        VWT_ADD(s, test_minicom_on_cuse);
        return vwt_main(s);
}
