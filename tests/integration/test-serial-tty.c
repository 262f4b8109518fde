/* SPDX-License-Identifier: MIT */
/*
 * Integration: tty behaviour of PTY serial ports (issue 10). The kernel's n_tty does the line
 * discipline on the slave, as on a real UART, because vwired no longer sets EXTPROC:
 *  - a client that clears EXTPROC (minicom, tio, screen, `stty -extproc`) still has every later
 *    line-setting change reach the peer; picocom's settings too;
 *  - XOFF from the peer stops the port's output and XON resumes it (IXON), from C and with
 *    pyserial's own write-timeout test on a loopback plug;
 *  - `raw = no` cooks: canonical reads wait for the newline, VERASE edits, CR becomes NL, echo;
 *  - VMIN/VTIME: a blocking reader times out between bytes as termios(3) says;
 *  - [loopback] lines = loop is accepted on an echo loopback only;
 *  - tio and minicom, run as a person does, set the rate the peer sees and move text both ways;
 *  - GNU screen too, driven without a terminal: a detached session (-D -m) on the port, read with
 *    `screen -X hardcopy` and typed into with `screen -X stuff`.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness.h"

static const char null_modem_conf[] = "[serial a]\nbackend = pty\npath = %t/a\n\n"
                                      "[serial b]\nbackend = pty\npath = %t/b\n\n"
                                      "[route cable]\nfrom = a\nto = b\nduplex = yes\n";

static int64_t peer_baud(const char *endpoint)
{
        json_object *b = vwt_jget(vwt_ctl_json("show", endpoint), "endpoint.details.peer_line.baud");

        return b ? json_object_get_int64(b) : -1;
}

static void stty_ok(const char *const *args)
{
        const char *argv[8] = { "/usr/bin/stty", "-F" };
        struct vwt_output o;
        size_t n = 2;

        for (; *args && n < 7; args++)
                argv[n++] = *args;
        argv[n] = NULL;
        if (vwt_runv(&o, VWT_CMD_TIMEOUT, NULL, 0, argv) != 0)
                vwt_fail("stty failed: %s", o.err);
}

/* Open a port without touching its settings (vwt_serial_open makes it raw). */
static int open_plain(const char *path, int flags)
{
        int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | flags);

        if (fd < 0)
                vwt_fail("open %s: %s", path, strerror(errno));
        return fd;
}

VWT_TEST(extproc_cleared_baud_still_reaches_peer)
{
        const char *a;
        struct vwt_output o;

        vwt_config(null_modem_conf);
        vwt_start();
        a = vwt_run_path("a");
        /* vwired leaves EXTPROC alone */
        ck_assert_int_eq(vwt_run(&o, "/usr/bin/stty", "-F", a, "-a"), 0);
        ck_assert_msg(strstr(o.out, "-extproc"), "stty -a: %s", o.out);

        /* minicom-style: the client clears EXTPROC with its first settings, then changes the rate */
        stty_ok((const char *const[]){ a, "-extproc", "57600", NULL });
        ck_assert_msg(VWT_WAIT_FOR(3000, peer_baud("b") == 57600), "b's peer_line is not 57600");
        stty_ok((const char *const[]){ a, "115200", NULL });
        ck_assert_msg(VWT_WAIT_FOR(3000, peer_baud("b") == 115200), "b's peer_line did not follow to 115200");
        /* and a client that sets EXTPROC itself is heard too */
        stty_ok((const char *const[]){ a, "extproc", "19200", NULL });
        ck_assert_msg(VWT_WAIT_FOR(3000, peer_baud("b") == 19200), "b's peer_line did not follow to 19200");
        stty_ok((const char *const[]){ a, "-extproc", "2400", NULL });
        ck_assert_msg(VWT_WAIT_FOR(3000, peer_baud("b") == 2400), "b's peer_line did not follow to 2400");
        vwt_stop();
}

/* picocom sets its own c_lflag; its rate reaches the peer while it runs, and the next one's too. */
VWT_TEST(picocom_rates_reach_peer)
{
        struct vwt_proc *pc;

        vwt_config(null_modem_conf);
        vwt_start();
        for (int i = 0; i < 2; i++) {
                const char *baud = i ? "9600" : "38400";
                /* picocom wants a terminal on stdin: script(1) gives it one */
                pc = vwt_proc_start(0, "/usr/bin/script", "-qec",
                                    vwt_strf("picocom -q -b %s --exit-after 2500 %s", baud, vwt_run_path("a")),
                                    "/dev/null");
                ck_assert_msg(VWT_WAIT_FOR(5000, peer_baud("b") == (i ? 9600 : 38400)),
                              "b's peer_line did not show picocom's %s", baud);
                ck_assert_int_eq(vwt_proc_wait(pc, 10000), 0);
                vwt_proc_done(pc);
        }
        vwt_stop();
}

/* XOFF from the peer stops a's output (IXON on a), XON resumes it; nothing is lost or shown as data. */
VWT_TEST(xoff_stops_output_xon_resumes)
{
        struct termios t;
        char buf[16];
        pid_t child;
        int fa, fb, st;

        vwt_config(null_modem_conf);
        vwt_start();
        fa = vwt_serial_open(vwt_run_path("a"));
        fb = vwt_serial_open(vwt_run_path("b"));
        ck_assert_int_eq(tcgetattr(fa, &t), 0);
        t.c_iflag |= IXON;
        ck_assert_int_eq(tcsetattr(fa, TCSANOW, &t), 0);

        ck_assert_int_eq(write(fb, "\023", 1), 1); /* XOFF */
        vwt_sleep_ms(300);
        child = fork();
        if (child == 0) {
                /* a blocking write, which waits while output is stopped */
                (void)fcntl(fa, F_SETFL, fcntl(fa, F_GETFL) & ~O_NONBLOCK);
                _exit(write(fa, "held back", 9) == 9 ? 0 : 1);
        }
        ck_assert_msg(vwt_quiet(fb, 500), "a's output went on after XOFF");
        ck_assert_int_eq(waitpid(child, &st, WNOHANG), 0);
        ck_assert_int_eq(write(fb, "\021", 1), 1); /* XON */
        ck_assert(vwt_read_exact(fb, buf, 9, NULL, 5000));
        ck_assert_int_eq(memcmp(buf, "held back", 9), 0);
        ck_assert_int_eq(waitpid(child, &st, 0), child);
        ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        /* the flow characters were the line discipline's, not a's data */
        ck_assert(vwt_quiet(fa, 200));
        close(fa);
        close(fb);
        vwt_stop();
}

VWT_TEST(pyserial_xonxoff_write_timeout)
{
        struct vwt_output o;

        vwt_config("[serial e]\nbackend = pty\npath = %t/e\n\n"
                   "[loopback plug]\nmode = echo\n\n"
                   "[route r]\nfrom = e\nto = plug\nduplex = yes\n");
        vwt_start();
        if (vwt_py(&o, 60000, "serial_xonxoff.py", vwt_run_path("e")) != 0)
                vwt_fail("serial_xonxoff.py exited %d: %s %s", o.status, o.out, o.err);
        ck_assert_ptr_nonnull(strstr(o.out, "OK"));
        vwt_stop();
}

/* raw = no: the port is cooked by the kernel as a terminal is: the peer types, a reads lines. */
VWT_TEST(raw_no_cooks)
{
        char buf[64];
        size_t got;
        ssize_t n;
        int fa, fb;

        vwt_config("[serial a]\nbackend = pty\npath = %t/a\nraw = no\n\n"
                   "[serial b]\nbackend = pty\npath = %t/b\n\n"
                   "[route cable]\nfrom = a\nto = b\nduplex = yes\n");
        vwt_start();
        fa = open_plain(vwt_run_path("a"), O_NONBLOCK);
        fb = vwt_serial_open(vwt_run_path("b"));
        ck_assert_int_eq(write(fb, "ab", 2), 2);
        vwt_sleep_ms(300);
        n = read(fa, buf, sizeof(buf));
        ck_assert_msg(n < 0 && errno == EAGAIN, "a canonical read returned %zd before the newline", n);
        /* DEL erases the b, CR ends the line as NL (ICRNL) */
        ck_assert_int_eq(write(fb, "\177c\r", 3), 3);
        ck_assert(VWT_WAIT_FOR(3000, (n = read(fa, buf, sizeof(buf))) > 0));
        ck_assert_int_eq(n, 3);
        ck_assert_int_eq(memcmp(buf, "ac\n", 3), 0);
        /* what b typed was echoed back to it, the erase as backspace-space-backspace, NL as CR NL */
        ck_assert(vwt_read_exact(fb, buf, 8, &got, 3000));
        ck_assert_int_eq(memcmp(buf, "ab\b \bc\r\n", 8), 0);
        /* and a's output is post-processed: NL goes out as CR NL (ONLCR) */
        ck_assert_int_eq(write(fa, "x\n", 2), 2);
        ck_assert(vwt_read_exact(fb, buf, 3, &got, 3000));
        ck_assert_int_eq(memcmp(buf, "x\r\n", 3), 0);
        close(fa);
        close(fb);
        vwt_stop();
}

/* A blocking reader with VMIN = 0, VTIME = 5 waits 0.5 s and returns 0; VMIN = 4, VTIME = 3
 * returns what came once 0.3 s pass after a byte, before VMIN is reached. */
VWT_TEST(vmin_vtime_blocking_reader)
{
        struct termios t;
        char buf[16];
        uint64_t t0, dt;
        ssize_t n;
        int fa, fb;

        vwt_config(null_modem_conf);
        vwt_start();
        fa = vwt_serial_open(vwt_run_path("a"));
        fb = vwt_serial_open(vwt_run_path("b"));
        ck_assert_int_eq(fcntl(fa, F_SETFL, fcntl(fa, F_GETFL) & ~O_NONBLOCK), 0);
        ck_assert_int_eq(tcgetattr(fa, &t), 0);
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 5;
        ck_assert_int_eq(tcsetattr(fa, TCSANOW, &t), 0);
        t0 = vwt_now_ms();
        n = read(fa, buf, sizeof(buf));
        dt = vwt_now_ms() - t0;
        ck_assert_int_eq(n, 0);
        ck_assert_msg(dt >= 400 && dt < 3000, "VTIME=5 read returned after %llu ms", (unsigned long long)dt);

        t.c_cc[VMIN] = 4;
        t.c_cc[VTIME] = 3;
        ck_assert_int_eq(tcsetattr(fa, TCSANOW, &t), 0);
        ck_assert_int_eq(write(fb, "xy", 2), 2);
        t0 = vwt_now_ms();
        n = read(fa, buf, sizeof(buf));
        dt = vwt_now_ms() - t0;
        ck_assert_int_eq(n, 2);
        ck_assert_int_eq(memcmp(buf, "xy", 2), 0);
        ck_assert_msg(dt >= 200 && dt < 3000, "VMIN=4 VTIME=3 read returned after %llu ms", (unsigned long long)dt);
        close(fa);
        close(fb);
        vwt_stop();
}

/* [loopback] lines = loop is an echo plug's key (the modem-line half is tested on CUSE in the VM). */
VWT_TEST(loopback_lines_key)
{
        vwt_config("[loopback plug]\nmode = sink\nlines = loop\n");
        ck_assert_int_ne(vwt_start_fails(), 0);
        ck_assert_ptr_nonnull(strstr(vwt_log(), "'lines' only applies to mode = echo"));
        vwt_config("[loopback plug]\nmode = echo\nlines = loop\n");
        vwt_start();
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "plug"), "endpoint.details.lines"), "loop");
        vwt_stop();
}

/*
 * Terminal programs (tio, minicom) on a port, as a person runs them: script(1) gives each a
 * terminal. Its rate reaches the peer, what the peer sends shows on its screen, and what is
 * typed goes out to the peer.
 */
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

static void terminal_program(const char *cmd, const char *peer, int64_t baud)
{
        struct vwt_proc *t;
        char buf[16];
        int fb;

        fb = vwt_serial_open(vwt_run_path(peer));
        t = vwt_proc_start(VWT_PIPE_IN | VWT_PIPE_OUT, "/usr/bin/env", "TERM=vt100", "/usr/bin/script", "-qfec", cmd,
                           "/dev/null");
        ck_assert_msg(VWT_WAIT_FOR(10000, peer_baud(peer) == baud), "%s: the peer's line is not %lld: %lld", cmd,
                      (long long)baud, (long long)peer_baud(peer));
        vwt_sleep_ms(500); /* the program is past its start-up output */
        ck_assert_int_eq(write(fb, "peer-says-hi\r\n", 14), 14);
        ck_assert_msg(proc_saw(t, "peer-says-hi", 10000), "%s did not show what the peer sent", cmd);
        ck_assert(vwt_proc_write(t, "typed", 5, 5000));
        ck_assert_msg(vwt_read_exact(fb, buf, 5, NULL, 10000), "%s: what was typed did not reach the peer", cmd);
        ck_assert_int_eq(memcmp(buf, "typed", 5), 0);
        vwt_proc_kill(t, SIGTERM, 5000);
        vwt_proc_done(t);
        close(fb);
}

VWT_TEST(tio_on_pty)
{
        vwt_config(null_modem_conf);
        vwt_start();
        terminal_program(vwt_strf("tio --mute -b 57600 %s", vwt_run_path("a")), "b", 57600);
        /* and after tio, another rate from another client still reaches the peer */
        stty_ok((const char *const[]){ vwt_run_path("a"), "4800", NULL });
        ck_assert(VWT_WAIT_FOR(3000, peer_baud("b") == 4800));
        vwt_stop();
}

VWT_TEST(minicom_on_pty)
{
        vwt_config(null_modem_conf);
        vwt_start();
        /* -o: no modem init strings; hardware flow control is minicom's default */
        terminal_program(vwt_strf("minicom -o -b 38400 -D %s", vwt_run_path("a")), "b", 38400);
        vwt_stop();
}

/* `screen -S vw -X ARGS...` in the case's SCREENDIR: true when screen found the session. */
static bool screen_cmd(const char *const *args)
{
        const char *argv[12] = {
                "/usr/bin/env", vwt_strf("SCREENDIR=%s", vwt_path("scr")), "/usr/bin/screen", "-S", "vw", "-X"
        };
        struct vwt_output o;
        size_t n = 6;

        for (; *args && n < 11; args++)
                argv[n++] = *args;
        argv[n] = NULL;
        return vwt_runv(&o, VWT_CMD_TIMEOUT, NULL, 0, argv) == 0;
}

/* What screen's window shows now contains `want`. */
static bool screen_shows(const char *want)
{
        const char *file = vwt_path("hardcopy");
        char *text;

        (void)unlink(file);
        if (!screen_cmd((const char *const[]){ "hardcopy", file, NULL }))
                return false;
        /* screen writes the file after answering -X: give it a moment */
        for (int i = 0; i < 25; i++) {
                text = vwt_read_file(file);
                if (text && strstr(text, want))
                        return true;
                vwt_sleep_ms(20);
        }
        return false;
}

/* GNU screen opening a PTY port as a serial line (`screen DEVICE BAUD`), in a detached session:
 * its rate reaches the peer, the peer's text shows in its window, what is "typed" (stuff) goes
 * out to the peer; then a second session at another rate. */
VWT_TEST(screen_on_pty)
{
        static const int bauds[] = { 19200, 57600 };
        char buf[16];
        int fb;

        vwt_config(null_modem_conf);
        vwt_start();
        ck_assert_int_eq(mkdir(vwt_path("scr"), 0700), 0); /* screen refuses a SCREENDIR others may enter */
        fb = vwt_serial_open(vwt_run_path("b"));
        for (size_t i = 0; i < 2; i++) {
                struct vwt_proc *scr = vwt_proc_start(0, "/usr/bin/env", vwt_strf("SCREENDIR=%s", vwt_path("scr")),
                                                      "TERM=vt100", "/usr/bin/screen", "-D", "-m", "-S", "vw",
                                                      vwt_run_path("a"), vwt_strf("%d", bauds[i]));
                const char *hi = vwt_strf("peer-says-hi-%zu", i);

                ck_assert_msg(VWT_WAIT_FOR(10000, peer_baud("b") == bauds[i]), "b's peer_line is not screen's %d: %lld",
                              bauds[i], (long long)peer_baud("b"));
                ck_assert_int_eq(write(fb, hi, strlen(hi)), (ssize_t)strlen(hi));
                ck_assert_int_eq(write(fb, "\r\n", 2), 2);
                ck_assert_msg(VWT_WAIT_FOR(10000, screen_shows(hi)), "screen did not show what the peer sent");
                ck_assert(screen_cmd((const char *const[]){ "stuff", "typed", NULL }));
                ck_assert_msg(vwt_read_exact(fb, buf, 5, NULL, 10000), "what was typed into screen did not reach b");
                ck_assert_int_eq(memcmp(buf, "typed", 5), 0);
                ck_assert(screen_cmd((const char *const[]){ "quit", NULL }));
                ck_assert_int_eq(vwt_proc_wait(scr, 10000), 0);
                vwt_proc_done(scr);
        }
        close(fb);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("serial-tty");

        VWT_ADD(s, extproc_cleared_baud_still_reaches_peer);
        VWT_ADD(s, picocom_rates_reach_peer);
        VWT_ADD(s, xoff_stops_output_xon_resumes);
        VWT_ADD(s, pyserial_xonxoff_write_timeout);
        VWT_ADD(s, raw_no_cooks);
        VWT_ADD(s, vmin_vtime_blocking_reader);
        VWT_ADD(s, loopback_lines_key);
        VWT_ADD(s, tio_on_pty);
        VWT_ADD(s, minicom_on_pty);
        VWT_ADD(s, screen_on_pty);
        return vwt_main(s);
}
