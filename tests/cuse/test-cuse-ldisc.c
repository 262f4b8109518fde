/* SPDX-License-Identifier: MIT */
/*
 * The line discipline of CUSE ports in a real kernel (core/ldisc.c behind a CUSE node): VMIN and
 * VTIME, XON/XOFF, canonical input and echo, byte for byte against a PTY's n_tty, line errors
 * under INPCK, and a port that starts cooked (raw = no). Run through tests/vm/kernel-test.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cuse-test.h"
#include "harness.h"

/* The line discipline of a CUSE port (core/ldisc.c), with the same inputs as the PTY tests in
 * tests/integration/test-serial-tty.c, whose answers are the kernel's n_tty's. */
static void set_flags(int fd, tcflag_t iflag, tcflag_t oflag, tcflag_t lflag, int vmin, int vtime)
{
        struct termios2 t;

        ck_assert_int_eq(ioctl(fd, TCGETS2, &t), 0);
        t.c_iflag = iflag;
        t.c_oflag = oflag;
        t.c_lflag = lflag;
        t.c_cc[VMIN] = (cc_t)vmin;
        t.c_cc[VTIME] = (cc_t)vtime;
        ck_assert_int_eq(ioctl(fd, TCSETS2, &t), 0);
}

VWT_TEST(test_ldisc_vmin_vtime)
{
        char buf[16];
        uint64_t t0, dt;
        int fa, fb;

        pair_config("", "", "");
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR);
        fb = open_dev(dev("b"), O_RDWR);
        set_flags(fa, 0, 0, 0, 0, 5); /* VMIN 0, VTIME 5: 0.5 s, then 0 */
        t0 = vwt_now_ms();
        ck_assert_int_eq(read(fa, buf, sizeof(buf)), 0);
        dt = vwt_now_ms() - t0;
        ck_assert_msg(dt >= 400 && dt < 5000, "VTIME=5 read took %llu ms", (unsigned long long)dt);
        set_flags(fa, 0, 0, 0, 4, 3); /* VMIN 4, VTIME 3: what came, 0.3 s after the last byte */
        ck_assert_int_eq(write(fb, "xy", 2), 2);
        t0 = vwt_now_ms();
        ck_assert_int_eq(read(fa, buf, sizeof(buf)), 2);
        dt = vwt_now_ms() - t0;
        ck_assert_msg(dt >= 200 && dt < 5000, "VMIN=4 VTIME=3 read took %llu ms", (unsigned long long)dt);
        set_flags(fa, 0, 0, 0, 3, 0); /* VMIN 3, VTIME 0: three bytes, however long */
        ck_assert_int_eq(write(fb, "12", 2), 2);
        pid_t child = fork();
        if (child == 0) {
                usleep(600 * 1000);
                _exit(write(fb, "3", 1) == 1 ? 0 : 1);
        }
        t0 = vwt_now_ms();
        ck_assert_int_eq(read(fa, buf, sizeof(buf)), 3);
        ck_assert_int_ge(vwt_now_ms() - t0, 400);
        ck_assert_int_eq(memcmp(buf, "123", 3), 0);
        ck_assert_int_eq(wait_child(child, 5000), 0);
        set_flags(fa, 0, 0, 0, 0, 0); /* VMIN 0, VTIME 0: never waits */
        ck_assert_int_eq(read(fa, buf, sizeof(buf)), 0);
        close(fa);
        close(fb);
        vwt_stop();
}

VWT_TEST(test_ldisc_xoff_xon)
{
        char buf[16];
        pid_t child;
        int fa, fb;

        pair_config("", "", "");
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR);
        fb = open_dev(dev("b"), O_RDWR);
        set_flags(fa, IXON, 0, 0, 1, 0);
        ck_assert_int_eq(write(fb, "\023", 1), 1); /* XOFF */
        vwt_sleep_ms(300);
        child = fork();
        if (child == 0)
                _exit(write(fa, "held back", 9) == 9 ? 0 : 1);
        ck_assert_msg(vwt_quiet(fb, 500), "a's output went on after XOFF");
        ck_assert_int_eq(wait_child(child, 1), -1);
        ck_assert_int_eq(write(fb, "\021", 1), 1); /* XON */
        ck_assert(vwt_read_exact(fb, buf, 9, NULL, 5000));
        ck_assert_int_eq(memcmp(buf, "held back", 9), 0);
        ck_assert_int_eq(wait_child(child, 5000), 0);
        ck_assert(vwt_quiet(fa, 200)); /* the flow characters were not data */
        close(fa);
        close(fb);
        vwt_stop();
}

/* fa (O_NONBLOCK) has the kernel's terminal defaults: what fb types is cooked into lines. */
static void check_cooked(int fa, int fb)
{
        char buf[64];
        size_t got;
        ssize_t n;

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
}

VWT_TEST(test_ldisc_canonical_echo)
{
        int fa, fb;

        pair_config("", "", "");
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR | O_NONBLOCK);
        fb = open_dev(dev("b"), O_RDWR);
        /* the kernel's defaults for a terminal (stty sane) */
        set_flags(fa, ICRNL | IXON, OPOST | ONLCR, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN, 1,
                  0);
        check_cooked(fa, fb);
        close(fa);
        close(fb);
        vwt_stop();
}

/* pyserial's test_WriteTimeout (tests/integration/serial_xonxoff.py) on a CUSE port with a plug. */
VWT_TEST(test_ldisc_pyserial_write_timeout)
{
        vwt_configf("[serial a]\nbackend = cuse\npath = %s\n"
                    "[loopback plug]\nmode = echo\nlines = loop\n"
                    "[route r]\nfrom = a\nto = plug\nduplex = yes\n",
                    dev("a"));
        vwt_start();
        py_ok(60000, (const char *const[]){ "xonxoff", dev("a"), NULL });
        vwt_stop();
}

/*
 * The same termios and the same bytes on a CUSE port (core/ldisc.c) and on a PTY port (the
 * kernel's n_tty): what the peer sees echoed or written, and what reads return, must be byte
 * for byte the same.
 */
struct ldisc_case {
        const char *name;
        tcflag_t iflag, oflag, lflag;
        const char *written; /* by the port's program first (a prompt, or output to check) */
        const char *typed;   /* then by the peer, in one write */
};

#define SANE_L (ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN)

static const struct ldisc_case ldisc_cases[] = {
        { "tab erase after a prompt", ICRNL | IXON, OPOST | ONLCR, SANE_L, "$ ", "a\tb\177\177\txy\t\177\r" },
        { "xtabs echo and erase", ICRNL, OPOST | ONLCR | XTABS, SANE_L, "ab", "\tc\177\177d\r" },
        { "echoprt", ICRNL, OPOST | ONLCR, ISIG | ICANON | ECHO | ECHOPRT | IEXTEN, "", "abc\177\177d\177\177e\r" },
        { "reprint and word erase", ICRNL, OPOST | ONLCR, SANE_L, "", "ab\177c\022 foo.bar\027x\r" },
        { "kill without echoke", ICRNL, OPOST | ONLCR, SANE_L & ~(tcflag_t)ECHOKE, "", "\025xy\025z\r" },
        { "control char erase without echoctl", ICRNL, OPOST | ONLCR, SANE_L & ~(tcflag_t)ECHOCTL, "",
          "a\001\177\177b\r" },
        { "isig flushes", ICRNL | IXON, OPOST | ONLCR, SANE_L, "", "lost\003kept\r" },
        { "iuclc and raw echo", IUCLC | ICRNL, OPOST | ONLCR, IEXTEN | ECHO | ECHOCTL, "", "AbC\n\r" },
        { "output: onocr onlret olcuc", 0, OPOST | ONOCR | ONLRET | OLCUC, 0, "\rab\r\nxy\r\tz\r", "" },
        { "output: xtabs onlcr", 0, OPOST | ONLCR | XTABS, 0, "a\tbc\t\nx\b\t|", "" },
};

static const char *escaped(const uint8_t *b, size_t n)
{
        static char out[4 * 4096 + 1];
        size_t o = 0;

        for (size_t i = 0; i < n && o + 5 < sizeof(out); i++)
                o += (size_t)(b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\' ? sprintf(out + o, "%c", b[i])
                                                                          : sprintf(out + o, "\\%03o", b[i]));
        out[o] = 0;
        return vwt_strf("%s", out);
}

/* Everything fd has within a settle time, reads separated by '|' (a canonical read is a line). */
static const char *read_all(int fd, bool mark_reads)
{
        uint8_t all[4096], buf[512];
        size_t n = 0;

        for (int quiet = 0; quiet < 3 && n < sizeof(all) - 600;) {
                ssize_t k = read(fd, buf, sizeof(buf));

                if (k > 0) {
                        memcpy(all + n, buf, (size_t)k);
                        n += (size_t)k;
                        if (mark_reads)
                                all[n++] = '|';
                        quiet = 0;
                        continue;
                }
                ck_assert_msg(k < 0 && errno == EAGAIN, "read: %zd %s", k, strerror(errno));
                quiet++;
                vwt_sleep_ms(150);
        }
        return escaped(all, n);
}

static void run_case(const struct ldisc_case *c, int port, int peer, const char **echo, const char **reads)
{
        struct termios2 t;

        ck_assert_int_eq(ioctl(port, TCGETS2, &t), 0);
        t.c_iflag = c->iflag;
        t.c_oflag = c->oflag;
        t.c_lflag = c->lflag;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        ck_assert_int_eq(ioctl(port, TCSETS2, &t), 0);
        vwt_sleep_ms(200);
        if (*c->written)
                ck_assert_int_eq(write(port, c->written, strlen(c->written)), (ssize_t)strlen(c->written));
        vwt_sleep_ms(300);
        if (*c->typed)
                ck_assert_int_eq(write(peer, c->typed, strlen(c->typed)), (ssize_t)strlen(c->typed));
        vwt_sleep_ms(300);
        *echo = read_all(peer, false);
        *reads = read_all(port, true);
        /* back to raw, and nothing left over for the next case */
        t.c_iflag = t.c_oflag = t.c_lflag = 0;
        ck_assert_int_eq(ioctl(port, TCSETS2, &t), 0);
        (void)read_all(port, false);
}

VWT_TEST(test_ldisc_matches_pty)
{
        struct termios2 tc, tp;
        int fa, fb, fc, fd;
        unsigned bad = 0;

        vwt_configf("[serial a]\nbackend = cuse\npath = %s\n"
                    "[serial b]\nbackend = cuse\npath = %s\n"
                    "[route cable]\nfrom = a\nto = b\nduplex = yes\n"
                    "[serial c]\nbackend = pty\npath = %%t/c\n"
                    "[serial d]\nbackend = pty\npath = %%t/d\n"
                    "[route pcable]\nfrom = c\nto = d\nduplex = yes\n",
                    dev("a"), dev("b"));
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR | O_NONBLOCK);
        fb = open_dev(dev("b"), O_RDWR | O_NONBLOCK);
        fc = open_dev(vwt_run_path("c"), O_RDWR | O_NONBLOCK);
        fd = vwt_serial_open(vwt_run_path("d"));
        /* a new port's control characters are the kernel's own */
        ck_assert_int_eq(ioctl(fa, TCGETS2, &tc), 0);
        ck_assert_int_eq(ioctl(fc, TCGETS2, &tp), 0);
        for (unsigned i = 0; i < NCCS; i++)
                if (i != VMIN && i != VTIME)
                        ck_assert_msg(tc.c_cc[i] == tp.c_cc[i], "c_cc[%u]: cuse %u, pty %u", i, tc.c_cc[i], tp.c_cc[i]);
        for (size_t i = 0; i < (sizeof(ldisc_cases) / sizeof(ldisc_cases[0])); i++) {
                const struct ldisc_case *c = &ldisc_cases[i];
                const char *ce, *cr, *pe, *pr;

                run_case(c, fa, fb, &ce, &cr);
                run_case(c, fc, fd, &pe, &pr);
                fprintf(stderr, "%s: pty echo '%s' reads '%s'; cuse echo '%s' reads '%s'\n", c->name, pe, pr, ce, cr);
                /* the kernel's answer is never empty here: the case reached the peer or the reader */
                ck_assert_msg(*pe || *pr, "%s: nothing came through the pty", c->name);
                if (strcmp(ce, pe) != 0 || strcmp(cr, pr) != 0) {
                        fprintf(stderr, "MISMATCH %s:\n  pty  echo '%s' reads '%s'\n  cuse echo '%s' reads '%s'\n",
                                c->name, pe, pr, ce, cr);
                        bad++;
                }
        }
        ck_assert_msg(bad == 0, "%u of %zu cases differ from the kernel's n_tty (see above)", bad,
                      (sizeof(ldisc_cases) / sizeof(ldisc_cases[0])));
        close(fa);
        close(fb);
        close(fc);
        close(fd);
        vwt_stop();
}
/* The serial_icounter_struct of TIOCGICOUNT: cts dsr rng dcd rx tx frame overrun parity brk ... */
static int frame_errors(int fd)
{
        struct {
                int v[20];
        } ic;

        ck_assert_int_eq(ioctl(fd, TIOCGICOUNT, &ic), 0);
        return ic.v[6];
}

static void set_baud(int fd, unsigned baud)
{
        struct termios2 t;

        ck_assert_int_eq(ioctl(fd, TCGETS2, &t), 0);
        t.c_cflag = (t.c_cflag & ~(tcflag_t)CBAUD) | BOTHER;
        t.c_ispeed = t.c_ospeed = baud;
        ck_assert_int_eq(ioctl(fd, TCSETS2, &t), 0);
}

static int64_t peer_baud(const char *name)
{
        json_object *b = vwt_jget(vwt_ctl_json("show", name), "endpoint.details.peer_line.baud");

        return b ? json_object_get_int64(b) : -1;
}

/* Write `sent` at a, read `want` bytes at b (which has iflag) and compare. */
static void expect(int fa, int fb, tcflag_t iflag, const char *sent, size_t sent_len, const char *want, size_t want_len)
{
        char buf[32];
        size_t got = 0;

        set_flags(fb, iflag, 0, 0, 1, 0);
        ck_assert_int_eq(write(fa, sent, sent_len), (ssize_t)sent_len);
        ck_assert_msg(vwt_read_exact(fb, buf, want_len, &got, 5000), "iflag %o: %zu of %zu bytes", iflag, got,
                      want_len);
        ck_assert_msg(memcmp(buf, want, want_len) == 0, "iflag %o: read '%s'", iflag,
                      escaped((const uint8_t *)buf, want_len));
        ck_assert_msg(vwt_quiet(fb, 200), "iflag %o: more than %zu bytes", iflag, want_len);
}

/*
 * a at 19200, b at 9600: every byte is a framing error at b. A UART driver reports it only with
 * INPCK (then n_tty makes it a NUL, \377 \0 c with PARMRK, nothing with IGNPAR); without INPCK
 * the byte is data, IGNPAR and PARMRK notwithstanding. TIOCGICOUNT counts it either way.
 */
VWT_TEST(test_ldisc_inpck_line_errors)
{
        int fa, fb, frames;

        pair_config("", "", "");
        vwt_start();
        fa = open_dev(dev("a"), O_RDWR);
        fb = open_dev(dev("b"), O_RDWR | O_NONBLOCK);
        set_baud(fa, 19200);
        ck_assert(VWT_WAIT_FOR(3000, peer_baud("b") == 19200));
        frames = frame_errors(fb);
        expect(fa, fb, 0, "ab", 2, "ab", 2);
        expect(fa, fb, PARMRK | IGNPAR, "c\377", 2, "c\377", 2); /* raw bytes: no INPCK, no marks */
        ck_assert_int_eq(frame_errors(fb), frames + 4);
        expect(fa, fb, INPCK, "de", 2, "\0\0", 2);
        expect(fa, fb, INPCK | PARMRK, "f\377", 2, "\377\0f\377\0\377", 6);
        expect(fa, fb, INPCK | IGNPAR, "gh", 2, "", 0);
        ck_assert_int_eq(frame_errors(fb), frames + 10);
        /* the ends agree again: the same bytes are plain data, even with INPCK */
        set_baud(fa, 9600);
        ck_assert(VWT_WAIT_FOR(3000, peer_baud("b") == 9600));
        expect(fa, fb, INPCK | PARMRK, "i", 1, "i", 1);
        ck_assert_int_eq(frame_errors(fb), frames + 10);
        close(fa);
        close(fb);
        vwt_stop();
}

/* `vwirectl show`'s raw: 1, 0, or -1 when it is missing. */
static int shown_raw(const char *name)
{
        json_object *r = vwt_jget(vwt_ctl_json("show", name), "endpoint.details.raw");

        return r && json_object_is_type(r, json_type_boolean) ? json_object_get_boolean(r) : -1;
}

/* raw = no: the port starts with the kernel's terminal defaults (tty_std_termios), and every
 * open's line discipline cooks with them: lines edited with erase, CR -> NL, echo, NL -> CR NL. */
VWT_TEST(test_cuse_raw_no_cooks)
{
        struct termios2 t;
        char buf[64];
        ssize_t n;
        int fa, fb;

        pair_config("raw = no", "", "");
        vwt_start();
        ck_assert_int_eq(shown_raw("a"), 0);
        ck_assert_int_eq(shown_raw("b"), 1);
        fa = open_dev(dev("a"), O_RDWR | O_NONBLOCK);
        fb = open_dev(dev("b"), O_RDWR);
        ck_assert_int_eq(ioctl(fa, TCGETS2, &t), 0);
        ck_assert_uint_eq(t.c_iflag, ICRNL | IXON);
        ck_assert_uint_eq(t.c_oflag, OPOST | ONLCR);
        ck_assert_uint_eq(t.c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN);
        ck_assert_uint_eq(t.c_cflag, B9600 | CS8 | CREAD | HUPCL | CLOCAL);
        ck_assert_uint_eq(t.c_cc[VMIN], 1);
        ck_assert_uint_eq(t.c_cc[VEOF], 004);
        check_cooked(fa, fb);
        /* a later open cooks the same (the termios is the port's), a kill (^U) takes the line */
        close(fa);
        fa = open_dev(dev("a"), O_RDWR | O_NONBLOCK);
        ck_assert_int_eq(write(fb, "zz\025ok\r", 6), 6);
        ck_assert(VWT_WAIT_FOR(3000, (n = read(fa, buf, sizeof(buf))) > 0));
        ck_assert_int_eq(n, 3);
        ck_assert_int_eq(memcmp(buf, "ok\n", 3), 0);
        close(fa);
        close(fb);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("cuse-ldisc");

        VWT_ADD(s, test_ldisc_vmin_vtime);
        VWT_ADD(s, test_ldisc_xoff_xon);
        VWT_ADD(s, test_ldisc_canonical_echo);
        VWT_ADD(s, test_ldisc_pyserial_write_timeout);
        VWT_ADD(s, test_ldisc_matches_pty);
        VWT_ADD(s, test_ldisc_inpck_line_errors);
        VWT_ADD(s, test_cuse_raw_no_cooks);
        return vwt_main(s);
}
