/* SPDX-License-Identifier: MIT */
/*
 * core/ldisc.c: the line discipline CUSE ports apply to every byte a peer sends, under any
 * termios a program sets. The input is a sequence of steps, each one byte of opcode then its
 * operands:
 *
 *   0 SET   8 bytes: c_iflag (2), c_oflag (1), c_lflag (2) bits (mapped onto the flags the
 *           module reads), VMIN, VTIME, and one control character slot + value (2 more bytes)
 *   1 RECV  1 byte n, then n bytes from the line
 *   2 READ  1 byte: the read size (0 means 1)
 *   3 LIT   1 byte n, then n bytes put in literally (a break or parity mark)
 *   4 FLUSH
 *   5 OUT   1 byte n, then n bytes written, post-processed into a buffer of n + 1 bytes
 *   6 ERR   1 byte n, then n bytes from the line, each with a framing error (INPCK marks them)
 *
 * Invariants: counts never exceed the buffer; available() <= held bytes; a read returns at most
 * its size and, when canonical, never more than the first line; receive takes at most what it
 * was given and echoes within the room; output never splits an expansion or overruns its
 * buffer; a poll that says readable means a read may return at once (VMIN/VTIME aside).
 */
#include <asm/termbits.h>
#include <stdbool.h>

#include "fuzz.h"
#include "ldisc.h"
#include "macro.h"

static const tcflag_t iflags[] = { ISTRIP, ICRNL,  INLCR, IGNCR, IXON,  IXOFF,  IXANY,
                                   PARMRK, IGNPAR, INPCK, IUCLC, IUTF8, BRKINT, IGNBRK };
static const tcflag_t lflags[] = { ICANON, ECHO, ECHOE, ECHOK, ECHONL, ECHOCTL, ECHOKE, ISIG, IEXTEN, NOFLSH, ECHOPRT };
static const tcflag_t oflags[] = { OPOST, ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS };

static tcflag_t map(unsigned bits, const tcflag_t *flags, size_t n)
{
        tcflag_t f = 0;

        for (size_t i = 0; i < n; i++)
                if (bits & (1u << i))
                        f |= flags[i];
        return f;
}

static void defaults(struct termios2 *t)
{
        *t = (struct termios2){ .c_cflag = B9600 | CS8 | CREAD };
        t->c_cc[VINTR] = 003;
        t->c_cc[VQUIT] = 034;
        t->c_cc[VERASE] = 0177;
        t->c_cc[VKILL] = 025;
        t->c_cc[VEOF] = 004;
        t->c_cc[VSTART] = 021;
        t->c_cc[VSTOP] = 023;
        t->c_cc[VSUSP] = 032;
        t->c_cc[VWERASE] = 027;
        t->c_cc[VLNEXT] = 026;
        t->c_cc[VREPRINT] = 022;
        t->c_cc[VMIN] = 1;
}

static void check_state(const struct vw_ldisc *ld)
{
        size_t in_lines = 0;

        FUZZ_CHECK(ld->len <= VW_LDISC_BUF && ld->head < VW_LDISC_BUF);
        FUZZ_CHECK(ld->edit <= ld->len);
        FUZZ_CHECK(ld->n_lines <= VW_LDISC_MAX_LINES && ld->first_line < VW_LDISC_MAX_LINES);
        for (unsigned i = 0; i < ld->n_lines; i++)
                in_lines += ld->lines[(ld->first_line + i) % VW_LDISC_MAX_LINES];
        FUZZ_CHECK(in_lines + ld->edit <= ld->len);
        FUZZ_CHECK(vw_ldisc_available(ld) <= ld->len);
}

static struct vw_ldisc ld;
static struct vw_ldisc_effects fx;
static struct vw_ldisc_column col;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct termios2 t;
        size_t i = 0;

        defaults(&t);
        vw_ldisc_init(&ld);
        memset(&col, 0, sizeof(col));
        while (i < size) {
                uint8_t op = data[i++] % 7;

                if (op == 0 && size - i >= 8) {
                        const uint8_t *a = data + i;
                        t.c_iflag = map(a[0] | (unsigned)a[1] << 8, iflags, ELEMENTSOF(iflags));
                        t.c_oflag = map(a[2], oflags, ELEMENTSOF(oflags));
                        t.c_lflag = map(a[3] | (unsigned)a[4] << 8, lflags, ELEMENTSOF(lflags));
                        t.c_cc[VMIN] = a[5];
                        t.c_cc[VTIME] = a[6];
                        t.c_cc[a[7] % NCCS] = size - i > 8 ? a[8] : 0;
                        i += size - i > 8 ? 9 : 8;
                        vw_ldisc_set_termios(&ld, &t);
                } else if ((op == 1 || op == 3 || op == 5 || op == 6) && i < size) {
                        size_t n = data[i], took;
                        const uint8_t *in;

                        i++;
                        n = MIN(n, size - i);
                        in = data + i;
                        i += n;
                        if (op == 1) {
                                fx.echo_len = 0;
                                took = vw_ldisc_receive(&ld, &t, &col, in, n, &fx);
                                FUZZ_CHECK(took <= n && fx.echo_len <= sizeof(fx.echo));
                        } else if (op == 6) {
                                size_t had = ld.len;

                                fx.echo_len = 0;
                                took = vw_ldisc_receive_errors(&ld, &t, &col, in, n, &fx);
                                FUZZ_CHECK(took <= n && fx.echo_len <= sizeof(fx.echo));
                                if (t.c_iflag & INPCK)
                                        FUZZ_CHECK(fx.echo_len == 0 && ld.len <= had + 3 * took);
                        } else if (op == 3) {
                                took = vw_ldisc_receive_literal(&ld, &t, in, n);
                                FUZZ_CHECK(took <= n);
                        } else {
                                uint8_t out[256 * 2 + 1];
                                size_t o = vw_ldisc_output(&t, &col, in, n, out, n + 1, &took);
                                FUZZ_CHECK(took <= n && o <= n + 1 && o <= 8 * took);
                        }
                } else if (op == 2 && i < size) {
                        uint8_t out[256], x;
                        size_t want = data[i] ? data[i] : 1, first = vw_ldisc_available(&ld), got;
                        bool canon = t.c_lflag & ICANON, had_line = vw_ldisc_has_line(&ld);
                        bool readable = vw_ldisc_readable(&ld, &t, 0);

                        i++;
                        got = vw_ldisc_read(&ld, &t, out, want, &x);
                        FUZZ_CHECK(got <= want);
                        if (canon)
                                FUZZ_CHECK(got <= first && (had_line || got == 0));
                        if (readable && !canon)
                                FUZZ_CHECK(got > 0);
                } else if (op == 4) {
                        bool noflsh = t.c_lflag & NOFLSH;
                        size_t had = ld.len;

                        vw_ldisc_interrupt(&ld, &t);
                        FUZZ_CHECK(noflsh ? ld.len == had : ld.len == 0 && !vw_ldisc_has_line(&ld));
                } else {
                        break;
                }
                check_state(&ld);
        }
        return 0;
}
