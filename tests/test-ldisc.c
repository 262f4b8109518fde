/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the userspace line discipline (core/ldisc.c): what n_tty does with the same
 * flags, byte for byte -- tests/integration/test-serial-tty.c checks the kernel's own n_tty on a
 * PTY with the same inputs, so the two can be compared.
 */
#include <string.h>

#include "ldisc.h"
#include "test-common.h"

static struct vw_ldisc ld;
static struct vw_ldisc_effects fx;
static struct termios2 t;
static struct vw_ldisc_column col;

/* The kernel's defaults for a new tty (stty sane), 9600 8N1. */
static void cooked(void)
{
        memset(&t, 0, sizeof(t));
        t.c_iflag = ICRNL | IXON;
        t.c_oflag = OPOST | ONLCR;
        t.c_cflag = B9600 | CS8 | CREAD;
        t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
        t.c_cc[VINTR] = 003;
        t.c_cc[VQUIT] = 034;
        t.c_cc[VERASE] = 0177;
        t.c_cc[VKILL] = 025;
        t.c_cc[VEOF] = 004;
        t.c_cc[VSTART] = 021;
        t.c_cc[VSTOP] = 023;
        t.c_cc[VSUSP] = 032;
        t.c_cc[VWERASE] = 027;
        t.c_cc[VLNEXT] = 026;
        t.c_cc[VMIN] = 1;
}

/* cfmakeraw() */
static void raw(void)
{
        cooked();
        t.c_iflag = 0;
        t.c_oflag = 0;
        t.c_lflag = 0;
}

static void setup(void)
{
        vw_ldisc_init(&ld);
        memset(&fx, 0, sizeof(fx));
        memset(&col, 0, sizeof(col));
        cooked();
}

static size_t feed(const char *s)
{
        return vw_ldisc_receive(&ld, &t, &col, (const uint8_t *)s, strlen(s), &fx);
}

/* Read what there is (up to 255 bytes) as a string. */
static const char *take(void)
{
        static char buf[256];
        uint8_t x;
        size_t n = vw_ldisc_read(&ld, &t, (uint8_t *)buf, sizeof(buf) - 1, &x);

        buf[n] = 0;
        return buf;
}

static bool echo_is(const char *s)
{
        bool ok = fx.echo_len == strlen(s) && memcmp(fx.echo, s, fx.echo_len) == 0;

        fx.echo_len = 0;
        return ok;
}

START_TEST(test_raw_passes_everything)
{
        static const uint8_t all[] = { 0, '\r', '\n', 0x11, 0x13, 0x03, 0x7f, 0xff };
        uint8_t out[16], x;

        raw();
        ck_assert(vw_ldisc_input_raw(&t));
        ck_assert(vw_ldisc_output_raw(&t));
        ck_assert_uint_eq(vw_ldisc_receive(&ld, &t, &col, all, sizeof(all), &fx), sizeof(all));
        ck_assert_uint_eq(fx.echo_len, 0);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, sizeof(out), &x), sizeof(all));
        ck_assert_mem_eq(out, all, sizeof(all));
        cooked();
        ck_assert(!vw_ldisc_input_raw(&t));
        ck_assert(!vw_ldisc_output_raw(&t));
}
END_TEST

START_TEST(test_vmin_vtime)
{
        raw();
        /* VMIN 0, VTIME 0: never waits */
        t.c_cc[VMIN] = 0;
        ck_assert(vw_ldisc_read_ready(&ld, &t, 10, 0, false));
        /* VMIN 0, VTIME 5: the first byte or the timeout */
        t.c_cc[VTIME] = 5;
        ck_assert(!vw_ldisc_read_ready(&ld, &t, 10, 0, false));
        ck_assert(vw_ldisc_read_ready(&ld, &t, 10, 0, true));
        ck_assert(vw_ldisc_read_ready(&ld, &t, 10, 1, false));
        ck_assert(!vw_ldisc_readable(&ld, &t, 0));
        ck_assert(vw_ldisc_readable(&ld, &t, 1));
        /* VMIN 4, VTIME 0: four bytes, or fewer when the read asks for fewer */
        t.c_cc[VMIN] = 4;
        t.c_cc[VTIME] = 0;
        ck_assert(!vw_ldisc_read_ready(&ld, &t, 10, 3, true));
        ck_assert(vw_ldisc_read_ready(&ld, &t, 10, 4, false));
        ck_assert(vw_ldisc_read_ready(&ld, &t, 2, 2, false));
        ck_assert(!vw_ldisc_readable(&ld, &t, 3)); /* poll waits for VMIN too */
        ck_assert(vw_ldisc_readable(&ld, &t, 4));
        /* VMIN 4, VTIME 3: four bytes, or the inter-byte timeout once one came */
        t.c_cc[VTIME] = 3;
        ck_assert(!vw_ldisc_read_ready(&ld, &t, 10, 0, true));
        ck_assert(!vw_ldisc_read_ready(&ld, &t, 10, 2, false));
        ck_assert(vw_ldisc_read_ready(&ld, &t, 10, 2, true));
        ck_assert(vw_ldisc_readable(&ld, &t, 1));
        /* bytes held in the module count as well as those outside */
        feed("ab");
        ck_assert(vw_ldisc_read_ready(&ld, &t, 10, 2, false));
}
END_TEST

START_TEST(test_input_mapping)
{
        raw();
        t.c_iflag = ICRNL;
        feed("a\rb\n");
        ck_assert_str_eq(take(), "a\nb\n");
        t.c_iflag = INLCR;
        feed("a\rb\n");
        ck_assert_str_eq(take(), "a\rb\r");
        t.c_iflag = IGNCR | ICRNL;
        feed("a\r\nb");
        ck_assert_str_eq(take(), "a\nb");
        t.c_iflag = ISTRIP;
        ck_assert_uint_eq(vw_ldisc_receive(&ld, &t, &col, (const uint8_t *)"\xc1\xe2", 2, &fx), 2);
        ck_assert_str_eq(take(), "Ab");
}
END_TEST

START_TEST(test_canonical_editing)
{
        feed("ab");
        ck_assert(!vw_ldisc_has_line(&ld));
        ck_assert(!vw_ldisc_read_ready(&ld, &t, 100, 0, true));
        ck_assert(!vw_ldisc_readable(&ld, &t, 0));
        feed("\177c\r"); /* DEL erases b; CR is NL (ICRNL) */
        ck_assert(vw_ldisc_has_line(&ld));
        ck_assert(vw_ldisc_readable(&ld, &t, 0));
        ck_assert_str_eq(take(), "ac\n");
        /* kill, word erase, and a read that takes one line at a time, in pieces */
        feed("junk\025one two\027three\nsecond\n");
        ck_assert_uint_eq(vw_ldisc_available(&ld), 10); /* "one three\n" */
        {
                uint8_t b[4], x;
                ck_assert_uint_eq(vw_ldisc_read(&ld, &t, b, 4, &x), 4);
                ck_assert_mem_eq(b, "one ", 4);
        }
        ck_assert_str_eq(take(), "three\n");
        ck_assert_str_eq(take(), "second\n");
        ck_assert(!vw_ldisc_has_line(&ld));
        /* VEOF: ends a line without itself; on an empty line a read returns 0 */
        feed("abc\004\004");
        ck_assert_str_eq(take(), "abc");
        ck_assert(vw_ldisc_has_line(&ld));
        ck_assert_str_eq(take(), "");
        ck_assert(!vw_ldisc_has_line(&ld));
        /* VEOL ends a line with itself; VLNEXT makes the next byte a plain one */
        t.c_cc[VEOL] = ';';
        feed("x;\026\025y\n");
        ck_assert_str_eq(take(), "x;");
        ck_assert_str_eq(take(), "\025y\n");
}
END_TEST

START_TEST(test_echo)
{
        feed("ab\177c\r");
        ck_assert(echo_is("ab\b \bc\r\n")); /* the echo is post-processed: ONLCR */
        feed("\001\177");
        ck_assert(echo_is("^A\b \b\b \b"));
        t.c_lflag &= ~(tcflag_t)ECHOE;
        feed("z\177");
        ck_assert(echo_is("z^?"));
        t.c_lflag |= ECHOE;
        t.c_lflag &= ~(tcflag_t)ECHOKE;
        feed("xy\025");
        ck_assert(echo_is("xy^U\r\n")); /* ECHOK: the kill character, then NL */
        t.c_lflag &= ~(tcflag_t)ECHO;
        feed("hidden\n");
        ck_assert(echo_is(""));
        t.c_lflag |= ECHONL;
        feed("x\n");
        ck_assert(echo_is("\r\n"));
        take();
        /* ISIG: ^C is echoed and flushes the line; no byte reaches the reader */
        t.c_lflag |= ECHO;
        feed("lost\003kept\n");
        ck_assert(echo_is("^Ckept\r\n")); /* the echo of the same batch goes too, as in n_tty */
        ck_assert_str_eq(take(), "kept\n");
        feed("late");
        fx.echo_len = 0; /* written out by now */
        feed("\003\n");
        ck_assert(echo_is("^C\r\n"));
        ck_assert_str_eq(take(), "\n");
}
END_TEST

START_TEST(test_ixon)
{
        raw();
        t.c_iflag = IXON;
        feed("a\023b");
        ck_assert(ld.stopped);
        ck_assert(fx.output_changed);
        fx.output_changed = false;
        feed("c\021d");
        ck_assert(!ld.stopped);
        ck_assert(fx.output_changed);
        ck_assert_str_eq(take(), "abcd"); /* the flow characters are not data */
        /* without IXANY other bytes leave output stopped; with it any byte restarts */
        feed("\023x");
        ck_assert(ld.stopped);
        t.c_iflag |= IXANY;
        feed("y");
        ck_assert(!ld.stopped);
        ck_assert_str_eq(take(), "xy");
        /* without IXON they are plain data */
        t.c_iflag = 0;
        feed("\023\021");
        ck_assert(!ld.stopped);
        ck_assert_str_eq(take(), "\023\021");
}
END_TEST

START_TEST(test_ixoff_and_backpressure)
{
        static uint8_t block[VW_LDISC_BUF];
        uint8_t out[VW_LDISC_BUF], x;

        raw();
        memset(block, 'q', sizeof(block));
        t.c_iflag = IXOFF;
        ck_assert_uint_eq(vw_ldisc_receive(&ld, &t, &col, block, VW_LDISC_BUF / 2, &fx), VW_LDISC_BUF / 2);
        ck_assert(!fx.xchar_set);
        /* three quarters full: ask the peer to stop; a full buffer takes no more */
        ck_assert_uint_eq(vw_ldisc_receive(&ld, &t, &col, block, sizeof(block), &fx), VW_LDISC_BUF / 2);
        ck_assert(fx.xchar_set);
        ck_assert_uint_eq(fx.xchar, 023);
        ck_assert_uint_eq(vw_ldisc_receive(&ld, &t, &col, block, 1, &fx), 0);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, VW_LDISC_BUF / 2, &x), VW_LDISC_BUF / 2);
        ck_assert_uint_eq(x, 0);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, VW_LDISC_BUF / 2, &x), VW_LDISC_BUF / 2);
        ck_assert_uint_eq(x, 021); /* drained: let it go on */
}
END_TEST

START_TEST(test_canonical_full_line)
{
        static uint8_t block[VW_LDISC_BUF + 10];

        memset(block, 'w', sizeof(block));
        t.c_lflag &= ~(tcflag_t)ECHO;
        /* an endless line: bytes past the last place are dropped, the newline still fits */
        ck_assert_uint_eq(vw_ldisc_receive(&ld, &t, &col, block, sizeof(block), &fx), sizeof(block));
        ck_assert(!vw_ldisc_has_line(&ld));
        feed("\n");
        ck_assert(vw_ldisc_has_line(&ld));
        ck_assert_uint_eq(vw_ldisc_available(&ld), VW_LDISC_BUF);
}
END_TEST

START_TEST(test_parmrk_and_literal)
{
        uint8_t out[8], x;

        raw();
        t.c_iflag = PARMRK;
        ck_assert_uint_eq(vw_ldisc_receive(&ld, &t, &col, (const uint8_t *)"\377", 1, &fx), 1);
        ck_assert_uint_eq(vw_ldisc_receive_literal(&ld, &t, (const uint8_t *)"\377\0\0", 3), 3);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, sizeof(out), &x), 5);
        ck_assert_mem_eq(out, "\377\377\377\0\0", 5);
}
END_TEST

/* A framing or parity error is reported only with INPCK, as a UART driver does; then n_tty's
 * IGNPAR / PARMRK / NUL. Without INPCK the byte is plain input, cooked like any other. */
START_TEST(test_inpck)
{
        uint8_t out[16], mark[3], x;

        raw();
        ck_assert_uint_eq(vw_ldisc_error_mark(&t, 'a', mark), 0);
        t.c_iflag = PARMRK | IGNPAR;
        ck_assert_uint_eq(vw_ldisc_error_mark(&t, 'a', mark), 0); /* no INPCK: not reported at all */
        t.c_iflag = INPCK | IGNPAR | PARMRK;
        ck_assert_uint_eq(vw_ldisc_error_mark(&t, 'a', mark), 0);
        t.c_iflag = INPCK | PARMRK;
        ck_assert_uint_eq(vw_ldisc_error_mark(&t, 'a', mark), 3);
        ck_assert_mem_eq(mark, "\377\0a", 3);
        t.c_iflag = INPCK;
        ck_assert_uint_eq(vw_ldisc_error_mark(&t, 'a', mark), 1);
        ck_assert_uint_eq(mark[0], 0);

        /* without INPCK: data, with PARMRK's doubling and the rest of the input flags */
        t.c_iflag = PARMRK | ICRNL;
        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"a\r\377", 3, &fx), 3);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, sizeof(out), &x), 4);
        ck_assert_mem_eq(out, "a\n\377\377", 4);
        t.c_iflag = IGNPAR; /* drops only what is reported */
        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"ab", 2, &fx), 2);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, sizeof(out), &x), 2);
        ck_assert_mem_eq(out, "ab", 2);
        /* INPCK: every byte a mark; a real \377 is not doubled inside one */
        t.c_iflag = INPCK | PARMRK | ICRNL;
        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"a\r\377", 3, &fx), 3);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, sizeof(out), &x), 9);
        ck_assert_mem_eq(out, "\377\0a\377\0\r\377\0\377", 9);
        t.c_iflag = INPCK;
        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"ab", 2, &fx), 2);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, sizeof(out), &x), 2);
        ck_assert_mem_eq(out, "\0\0", 2);
        t.c_iflag = INPCK | IGNPAR;
        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"ab", 2, &fx), 2);
        ck_assert_uint_eq(ld.len, 0);
}
END_TEST

/* Canonical: without INPCK an error byte edits and echoes as typed; with it, the mark is
 * literal (no echo, no editing) and a mark never goes in half when the buffer is full. */
START_TEST(test_inpck_canonical_and_full)
{
        uint8_t out[16], x;
        size_t n;

        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"ab\177\r", 4, &fx), 4);
        ck_assert(echo_is("ab\b \b\r\n"));
        ck_assert_str_eq(take(), "a\n");
        t.c_iflag |= INPCK | PARMRK;
        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"\177\r", 2, &fx), 2);
        ck_assert(echo_is(""));
        ck_assert(!vw_ldisc_has_line(&ld));
        ck_assert_uint_eq(feed("\n"), 1);
        ck_assert_uint_eq(vw_ldisc_read(&ld, &t, out, sizeof(out), &x), 7);
        ck_assert_mem_eq(out, "\377\0\177\377\0\r\n", 7);

        /* raw, nearly full: a 3-byte mark waits whole for the reader */
        raw();
        t.c_iflag = INPCK | PARMRK;
        vw_ldisc_init(&ld);
        for (n = 0; n < VW_LDISC_BUF - 2; n++)
                ck_assert_uint_eq(vw_ldisc_receive(&ld, &t, &col, (const uint8_t *)"x", 1, &fx), 1);
        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"y", 1, &fx), 0);
        ck_assert_uint_eq(ld.len, VW_LDISC_BUF - 2);
        t.c_iflag = INPCK;
        ck_assert_uint_eq(vw_ldisc_receive_errors(&ld, &t, &col, (const uint8_t *)"yz", 2, &fx), 2);
        ck_assert_uint_eq(ld.len, VW_LDISC_BUF);
}
END_TEST

START_TEST(test_mode_switch)
{
        raw();
        feed("abc");
        cooked();
        vw_ldisc_set_termios(&ld, &t);
        ck_assert(vw_ldisc_has_line(&ld)); /* raw bytes waiting are one line */
        ck_assert_str_eq(take(), "abc");
        feed("half");
        raw();
        vw_ldisc_set_termios(&ld, &t);
        ck_assert_uint_eq(vw_ldisc_available(&ld), 4); /* the edit is readable at once */
        ck_assert_str_eq(take(), "half");
}
END_TEST

START_TEST(test_output)
{
        uint8_t out[16];
        size_t used, n;

        n = vw_ldisc_output(&t, &col, (const uint8_t *)"a\nb\r", 4, out, sizeof(out), &used);
        ck_assert_uint_eq(used, 4);
        ck_assert_uint_eq(n, 5);
        ck_assert_mem_eq(out, "a\r\nb\r", 5);
        t.c_oflag |= OCRNL;
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"\r", 1, out, sizeof(out), &used);
        ck_assert_uint_ge(n, 1);
        ck_assert_uint_eq(out[0], '\n');
        /* an expansion is never split: with room for 2, "a\n" gives "a" and waits */
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"a\n", 2, out, 2, &used);
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(used, 1);
        t.c_oflag = ONLCR; /* without OPOST nothing changes */
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"\n", 1, out, sizeof(out), &used);
        ck_assert_uint_eq(n, 1);
}
END_TEST

/* n_tty's output step: XTABS, ONOCR, ONLRET, OLCUC, with the column kept across calls. */
START_TEST(test_output_column)
{
        uint8_t out[64];
        size_t used, n;

        t.c_oflag = OPOST | XTABS;
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"ab\tc", 4, out, sizeof(out), &used);
        ck_assert_uint_eq(used, 4);
        ck_assert_uint_eq(n, 9);
        ck_assert_mem_eq(out, "ab      c", 9);
        ck_assert_uint_eq(col.column, 9);
        /* the next call goes on from column 9: the tab is 7 spaces */
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"\t", 1, out, sizeof(out), &used);
        ck_assert_uint_eq(n, 7);
        /* a tab that does not fit waits whole */
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"x\t", 2, out, 4, &used);
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(used, 1);
        ck_assert_uint_eq(col.column, 17);
        /* ONOCR: no CR at column 0; ONLRET: NL goes to column 0 */
        t.c_oflag = OPOST | ONOCR | ONLRET;
        col.column = 0;
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"\rab\r", 4, out, sizeof(out), &used);
        ck_assert_uint_eq(used, 4);
        ck_assert_uint_eq(n, 3);
        ck_assert_mem_eq(out, "ab\r", 3);
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"xy\n\r", 4, out, sizeof(out), &used);
        ck_assert_uint_eq(n, 3);
        ck_assert_mem_eq(out, "xy\n", 3);
        /* OLCUC; backspace moves the column back */
        t.c_oflag = OPOST | OLCUC;
        col.column = 0;
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"ab1\b", 4, out, sizeof(out), &used);
        ck_assert_uint_eq(n, 4);
        ck_assert_mem_eq(out, "AB1\b", 4);
        ck_assert_uint_eq(col.column, 2);
        /* without OPOST: nothing, and the column stays */
        t.c_oflag = OLCUC | XTABS | ONLCR;
        n = vw_ldisc_output(&t, &col, (const uint8_t *)"a\t\n", 3, out, sizeof(out), &used);
        ck_assert_uint_eq(n, 3);
        ck_assert_mem_eq(out, "a\t\n", 3);
        ck_assert_uint_eq(col.column, 2);
        ck_assert(vw_ldisc_output_raw(&t));
}
END_TEST

/* Rubbing out a tab goes back to where it came from: counted from the start of the line, which
 * began after a prompt the program wrote (canon_column), or from the previous tab. */
START_TEST(test_erase_tab)
{
        uint8_t out[16];
        size_t used;

        (void)vw_ldisc_output(&t, &col, (const uint8_t *)"$ ", 2, out, sizeof(out), &used);
        feed("a\tb");
        ck_assert(echo_is("a\tb"));
        ck_assert_uint_eq(col.column, 9);
        feed("\177");
        ck_assert(echo_is("\b \b"));
        feed("\177"); /* the tab: from column 8 back to 3 */
        ck_assert(echo_is("\b\b\b\b\b"));
        ck_assert_uint_eq(col.column, 3);
        /* after another tab, the count starts at that tab */
        feed("\txy\t");
        ck_assert(echo_is("\txy\t"));
        feed("\177");
        ck_assert(echo_is("\b\b\b\b\b\b")); /* xy took 2 of the 8 */
        /* XTABS: the tab is echoed as spaces, and rubbed out the same way */
        t.c_oflag |= XTABS;
        feed("\025");
        fx.echo_len = 0;
        ck_assert_uint_eq(col.column, 2); /* back after the prompt */
        feed("\t");
        ck_assert(echo_is("      "));
        feed("\177");
        ck_assert(echo_is("\b\b\b\b\b\b"));
        feed("\n");
        ck_assert_str_eq(take(), "\n");
}
END_TEST

/* ECHOPRT (a hardcopy terminal): erased characters are printed between \ and /; VREPRINT
 * prints the line again; VWERASE is n_tty's (BSD's ALTWERASE); a kill of an empty line and an
 * erased control character that was echoed as itself show nothing. */
START_TEST(test_echoprt_reprint_werase)
{
        t.c_lflag = ISIG | ICANON | ECHO | ECHOPRT | IEXTEN;
        feed("abc\177\177d");
        ck_assert(echo_is("abc\\cb/d"));
        feed("\177\177");
        ck_assert(echo_is("\\da/"));
        feed("\n");
        ck_assert_str_eq(take(), "\n");
        fx.echo_len = 0;
        t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
        t.c_cc[VREPRINT] = 022;
        feed("ab\177c\022");
        ck_assert(echo_is("ab\b \bc^R\r\nac"));
        feed("\025");
        fx.echo_len = 0;
        feed("foo.bar\027\n");
        ck_assert_str_eq(take(), "foo.\n");
        feed("one two  \027\n");
        ck_assert_str_eq(take(), "one \n");
        fx.echo_len = 0;
        t.c_lflag &= ~(tcflag_t)ECHOKE;
        feed("\025");
        ck_assert(echo_is("")); /* nothing to kill: n_tty echoes nothing */
        t.c_lflag &= ~(tcflag_t)ECHOCTL;
        feed("\001\177");
        ck_assert(echo_is("\001")); /* shown as itself, takes no column: nothing to rub out */
        feed("\n");
        ck_assert_str_eq(take(), "\n");
}
END_TEST

/* IUCLC (with IEXTEN), IUTF8 erase, the echo of a NL in raw mode, ISIG restarting output, and
 * BRKINT taking the raw path away. */
START_TEST(test_input_extras)
{
        raw();
        t.c_iflag = IUCLC;
        feed("AbC");
        ck_assert_str_eq(take(), "AbC"); /* IUCLC needs IEXTEN, as in Linux */
        t.c_lflag = IEXTEN;
        ck_assert(!vw_ldisc_input_raw(&t));
        feed("AbC");
        ck_assert_str_eq(take(), "abc");
        /* raw with echo: a NL typed is ^J under ECHOCTL, a CR made NL by ICRNL is a NL */
        t.c_lflag = ECHO | ECHOCTL;
        t.c_iflag = ICRNL;
        feed("\n\r");
        ck_assert(echo_is("^J\n"));
        take();
        /* ECHONL alone echoes nothing when not canonical */
        t.c_lflag = ECHONL;
        feed("\n");
        ck_assert(echo_is(""));
        take();
        /* IUTF8: one erase takes a whole character */
        cooked();
        t.c_iflag |= IUTF8;
        feed("x\xc3\xa9\177\n");
        ck_assert_str_eq(take(), "x\n");
        fx.echo_len = 0;
        /* ISIG: ^C restarts output stopped by XOFF (IXON) */
        feed("\023");
        ck_assert(ld.stopped);
        feed("\003");
        ck_assert(!ld.stopped);
        /* VSTART == VSTOP: n_tty takes it as start */
        t.c_cc[VSTOP] = t.c_cc[VSTART];
        feed("\021");
        ck_assert(!ld.stopped);
        /* BRKINT: a break flushes the input (not with NOFLSH) */
        raw();
        t.c_iflag = BRKINT;
        ck_assert(!vw_ldisc_input_raw(&t));
        feed("gone");
        vw_ldisc_interrupt(&ld, &t);
        ck_assert_uint_eq(vw_ldisc_available(&ld), 0);
        t.c_lflag = NOFLSH;
        feed("kept");
        vw_ldisc_interrupt(&ld, &t);
        ck_assert_str_eq(take(), "kept");
        t.c_iflag = BRKINT | IGNBRK;
        t.c_lflag = 0;
        ck_assert(vw_ldisc_input_raw(&t));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("ldisc");
        TCase *tc = vw_test_case(s, "ldisc");

        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_raw_passes_everything);
        tcase_add_test(tc, test_vmin_vtime);
        tcase_add_test(tc, test_input_mapping);
        tcase_add_test(tc, test_canonical_editing);
        tcase_add_test(tc, test_echo);
        tcase_add_test(tc, test_ixon);
        tcase_add_test(tc, test_ixoff_and_backpressure);
        tcase_add_test(tc, test_canonical_full_line);
        tcase_add_test(tc, test_parmrk_and_literal);
        tcase_add_test(tc, test_inpck);
        tcase_add_test(tc, test_inpck_canonical_and_full);
        tcase_add_test(tc, test_mode_switch);
        tcase_add_test(tc, test_output);
        tcase_add_test(tc, test_output_column);
        tcase_add_test(tc, test_erase_tab);
        tcase_add_test(tc, test_echoprt_reprint_werase);
        tcase_add_test(tc, test_input_extras);
        return vw_test_run(s);
}
