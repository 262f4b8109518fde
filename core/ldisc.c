/* SPDX-License-Identifier: MIT */
/*
 * The line discipline (ldisc.h). The order of the input steps is n_tty's: ISTRIP and IUCLC, a
 * literal after VLNEXT, IXON's start/stop characters, ISIG's characters, IXANY, CR/NL mapping,
 * then canonical editing or plain queueing, each with its echo; echo and written data go
 * through n_tty's output step (do_output_char) with one column per port. What vwire leaves out
 * (signals: a CUSE port is nobody's controlling tty; VDISCARD and XCASE, which Linux ignores
 * too) is listed in vwire.conf(5).
 */
#include <string.h>

#include "ldisc.h"
#include "macro.h"

static uint8_t cc(const struct termios2 *t, unsigned i)
{
        return t->c_cc[i];
}

/* A control character with that value is set (0 disables it, _POSIX_VDISABLE). */
static bool is_cc(const struct termios2 *t, unsigned i, uint8_t c)
{
        return cc(t, i) != 0 && cc(t, i) == c;
}

void vw_ldisc_init(struct vw_ldisc *ld)
{
        memset(ld, 0, sizeof(*ld));
}

void vw_ldisc_flush(struct vw_ldisc *ld)
{
        ld->head = ld->len = ld->edit = 0;
        ld->first_line = ld->n_lines = 0;
        ld->lnext = false;
}

bool vw_ldisc_input_raw(const struct termios2 *t)
{
        return !(t->c_lflag & (ICANON | ECHO | ECHONL | ISIG)) &&
               !(t->c_iflag & (ISTRIP | ICRNL | INLCR | IGNCR | IXON | PARMRK)) &&
               !((t->c_iflag & IUCLC) && (t->c_lflag & IEXTEN)) && !((t->c_iflag & BRKINT) && !(t->c_iflag & IGNBRK));
}

bool vw_ldisc_output_raw(const struct termios2 *t)
{
        /* with OPOST every byte moves the column, which later output and echo depend on */
        return !(t->c_oflag & OPOST);
}

static uint8_t at(const struct vw_ldisc *ld, size_t i)
{
        return ld->buf[(ld->head + i) % VW_LDISC_BUF];
}

static void push_line(struct vw_ldisc *ld, size_t n)
{
        ld->lines[(ld->first_line + ld->n_lines) % VW_LDISC_MAX_LINES] = (uint16_t)n;
        ld->n_lines++;
}

/* Everything held becomes committed: one line when canonical, none otherwise. */
void vw_ldisc_set_termios(struct vw_ldisc *ld, const struct termios2 *t)
{
        ld->erasing = false;
        if (!(t->c_lflag & ICANON)) {
                ld->first_line = ld->n_lines = 0;
                ld->edit = 0;
                return;
        }
        if (ld->n_lines == 0 && ld->edit == 0 && ld->len > 0)
                push_line(ld, ld->len); /* raw bytes waiting: n_tty hands them out as a line */
}

static bool put(struct vw_ldisc *ld, uint8_t c)
{
        if (ld->len >= VW_LDISC_BUF)
                return false;
        ld->buf[(ld->head + ld->len) % VW_LDISC_BUF] = c;
        ld->len++;
        return true;
}

static bool is_cntrl(uint8_t c)
{
        return c < 0x20 || c == 0x7f;
}

static bool is_continuation(const struct termios2 *t, uint8_t c)
{
        return (t->c_iflag & IUTF8) && (c & 0xc0) == 0x80;
}

/*
 * One byte out, as n_tty's do_output_char(): returns the bytes it became (0: ONOCR dropped it),
 * or -1 when they do not fit in `room`.
 */
static int output_char(const struct termios2 *t, struct vw_ldisc_column *col, uint8_t c, uint8_t *out, size_t room)
{
        tcflag_t o = t->c_oflag;
        unsigned spaces;

        if (room == 0)
                return -1;
        switch (c) {
        case '\n':
                if (o & ONLRET)
                        col->column = 0;
                if (o & ONLCR) {
                        if (room < 2)
                                return -1;
                        col->canon_column = col->column = 0;
                        out[0] = '\r';
                        out[1] = '\n';
                        return 2;
                }
                col->canon_column = col->column;
                break;
        case '\r':
                if ((o & ONOCR) && col->column == 0)
                        return 0;
                if (o & OCRNL) {
                        c = '\n';
                        if (o & ONLRET)
                                col->canon_column = col->column = 0;
                        break;
                }
                col->canon_column = col->column = 0;
                break;
        case '\t':
                spaces = 8 - (col->column & 7);
                if ((o & TABDLY) == XTABS) {
                        if (room < spaces)
                                return -1;
                        memset(out, ' ', spaces);
                        col->column += spaces;
                        return (int)spaces;
                }
                col->column += spaces;
                break;
        case '\b':
                if (col->column > 0)
                        col->column--;
                break;
        default:
                if (!is_cntrl(c) && c < 0x80) {
                        if ((o & OLCUC) && c >= 'a' && c <= 'z')
                                c = (uint8_t)(c - 'a' + 'A');
                        col->column++;
                } else if (c >= 0x80 && !is_continuation(t, c)) {
                        col->column++;
                }
                break;
        }
        out[0] = c;
        return 1;
}

/* ---- echo: post-processed at once, the column moving with it ---- */

static void echo_bytes(struct vw_ldisc_effects *fx, const uint8_t *s, size_t n)
{
        if (fx->echo_len + n > sizeof(fx->echo))
                return; /* cannot happen: receive checks the room before each byte */
        memcpy(fx->echo + fx->echo_len, s, n);
        fx->echo_len += n;
}

/* n_tty's echo_char_raw: through OPOST when it is on (NL as CR NL, tabs, the column). */
static void echo_raw(const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        uint8_t out[8];
        int n;

        if (!(t->c_oflag & OPOST)) {
                echo_bytes(fx, &c, 1);
                return;
        }
        n = output_char(t, fx->col, c, out, sizeof(out));
        if (n > 0)
                echo_bytes(fx, out, (size_t)n);
}

static void echo_str(const struct termios2 *t, struct vw_ldisc_effects *fx, const char *s)
{
        for (; *s; s++)
                echo_raw(t, fx, (uint8_t)*s);
}

static bool echoed_as_ctl(const struct termios2 *t, uint8_t c)
{
        return (t->c_lflag & ECHOCTL) && is_cntrl(c) && c != '\t';
}

/* Echo one input byte: ^X for control characters under ECHOCTL (two columns, written as they
 * are), else the byte itself. */
static void echo_char(const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        if (echoed_as_ctl(t, c)) {
                uint8_t s[2] = { '^', (uint8_t)(c ^ 0x40) };
                echo_bytes(fx, s, 2);
                fx->col->column += 2;
        } else {
                echo_raw(t, fx, c);
        }
}

/* The first byte of a line is echoed: remember where the line began (tab erase counts from it). */
static void echo_set_canon_col(struct vw_ldisc_effects *fx)
{
        fx->col->canon_column = fx->col->column;
}

/* ECHOPRT: close a "\erased" run with '/'. */
static void finish_erasing(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx)
{
        if (!ld->erasing)
                return;
        echo_raw(t, fx, '/');
        ld->erasing = false;
}

/* Rub out a tab: back to the tab stop it went to, counted from the previous tab or from where
 * the line began (n_tty's ECHO_OP_ERASE_TAB), with backspaces only. */
static void echo_erase_tab(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx)
{
        unsigned cols = 0, back;
        bool after_tab = false;

        for (size_t i = ld->edit; i > 0; i--) {
                uint8_t c = at(ld, ld->len - ld->edit + i - 1);

                if (c == '\t') {
                        after_tab = true;
                        break;
                }
                if (is_cntrl(c)) {
                        if (t->c_lflag & ECHOCTL)
                                cols += 2;
                } else if (!is_continuation(t, c)) {
                        cols++;
                }
        }
        if (!after_tab)
                cols += fx->col->canon_column;
        back = 8 - (cols & 7);
        while (back--) {
                echo_bytes(fx, (const uint8_t *)"\b", 1);
                if (fx->col->column > 0)
                        fx->col->column--;
        }
}

enum erase_kind { ERASE, WERASE, KILL };

/* Take back the last character of the line being edited (a UTF-8 one whole, with IUTF8), and
 * rub it out on the screen as n_tty's eraser() does. false: nothing (more) to erase. */
static bool erase_one(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, enum erase_kind kind)
{
        size_t cnt = 0;
        uint8_t c;

        do {
                cnt++;
                c = at(ld, ld->len - cnt);
        } while (is_continuation(t, c) && cnt < ld->edit);
        if (is_continuation(t, c))
                return false; /* never half a character */
        ld->len -= cnt;
        ld->edit -= cnt;
        if (!(t->c_lflag & ECHO))
                return true;
        if (t->c_lflag & ECHOPRT) {
                if (!ld->erasing) {
                        echo_raw(t, fx, '\\');
                        ld->erasing = true;
                }
                echo_char(t, fx, c);
                for (size_t i = 1; i < cnt; i++)
                        echo_raw(t, fx, at(ld, ld->len + i));
        } else if (kind == ERASE && !(t->c_lflag & ECHOE)) {
                echo_char(t, fx, cc(t, VERASE));
        } else if (c == '\t') {
                echo_erase_tab(ld, t, fx);
        } else {
                if (is_cntrl(c) && (t->c_lflag & ECHOCTL))
                        echo_str(t, fx, "\b \b");
                if (!is_cntrl(c) || (t->c_lflag & ECHOCTL))
                        echo_str(t, fx, "\b \b");
        }
        return true;
}

static bool is_word(uint8_t c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* VERASE, VWERASE (BSD's ALTWERASE, as n_tty: back over non-word bytes, then the word) and VKILL. */
static void eraser(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, enum erase_kind kind)
{
        unsigned seen_word = 0;

        if (ld->edit == 0)
                return;
        if (kind == KILL) {
                if (!(t->c_lflag & ECHO)) {
                        ld->len -= ld->edit;
                        ld->edit = 0;
                        return;
                }
                if ((t->c_lflag & (ECHOK | ECHOKE | ECHOE)) != (ECHOK | ECHOKE | ECHOE)) {
                        ld->len -= ld->edit;
                        ld->edit = 0;
                        finish_erasing(ld, t, fx);
                        echo_char(t, fx, cc(t, VKILL));
                        if (t->c_lflag & ECHOK)
                                echo_raw(t, fx, '\n');
                        return;
                }
        }
        while (ld->edit > 0) {
                if (kind == WERASE) {
                        if (is_word(at(ld, ld->len - 1)))
                                seen_word++;
                        else if (seen_word)
                                break;
                }
                if (!erase_one(ld, t, fx, kind) || kind == ERASE)
                        break;
        }
        if (ld->edit == 0 && (t->c_lflag & ECHO))
                finish_erasing(ld, t, fx);
}

static void commit(struct vw_ldisc *ld)
{
        push_line(ld, ld->edit);
        ld->edit = 0;
}

/* A byte that is data, echoed (n_tty_receive_char). */
static void echo_data(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c, bool first,
                      bool from_cr)
{
        if (!(t->c_lflag & ECHO))
                return;
        finish_erasing(ld, t, fx);
        /* a NL that ICRNL made of a CR is echoed as a NL; a NL that came as one is a control
         * character like any other (^J under ECHOCTL), as in n_tty */
        if (from_cr) {
                echo_raw(t, fx, c);
                return;
        }
        if (first)
                echo_set_canon_col(fx);
        echo_char(t, fx, c);
}

/* Canonical input of one (mapped) byte. Returns false when it cannot be taken now. */
static bool canon_char(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        bool iexten = t->c_lflag & IEXTEN;
        bool is_eol = is_cc(t, VEOL, c) || (iexten && is_cc(t, VEOL2, c));

        if (ld->n_lines >= VW_LDISC_MAX_LINES && (c == '\n' || is_eol || is_cc(t, VEOF, c)))
                return false;
        if (is_cc(t, VERASE, c)) {
                eraser(ld, t, fx, ERASE);
                return true;
        }
        if (is_cc(t, VKILL, c)) {
                eraser(ld, t, fx, KILL);
                return true;
        }
        if (iexten && is_cc(t, VWERASE, c)) {
                eraser(ld, t, fx, WERASE);
                return true;
        }
        if (iexten && is_cc(t, VLNEXT, c)) {
                ld->lnext = true;
                if (t->c_lflag & ECHO) {
                        finish_erasing(ld, t, fx);
                        if (t->c_lflag & ECHOCTL) {
                                echo_raw(t, fx, '^');
                                echo_raw(t, fx, '\b');
                        }
                }
                return true;
        }
        if (iexten && (t->c_lflag & ECHO) && is_cc(t, VREPRINT, c)) {
                /* ^R: the line as it stands, on a new line */
                finish_erasing(ld, t, fx);
                echo_char(t, fx, c);
                echo_raw(t, fx, '\n');
                for (size_t i = ld->len - ld->edit; i < ld->len; i++)
                        echo_char(t, fx, at(ld, i));
                return true;
        }
        if (c == '\n') {
                if (!put(ld, c))
                        return false;
                ld->edit++;
                commit(ld);
                if (t->c_lflag & (ECHO | ECHONL))
                        echo_raw(t, fx, '\n');
                return true;
        }
        if (is_cc(t, VEOF, c)) {
                commit(ld);
                return true;
        }
        if (is_eol) {
                bool first = ld->edit == 0;

                if (!put(ld, c))
                        return false;
                ld->edit++;
                commit(ld);
                if (t->c_lflag & ECHO) {
                        if (first)
                                echo_set_canon_col(fx);
                        echo_char(t, fx, c);
                }
                return true;
        }
        /* a full line keeps its last place for the newline, as n_tty does: the byte is lost;
         * a buffer full of complete lines waits for the reader instead */
        if (ld->len >= VW_LDISC_BUF - 1)
                return ld->edit > 0;
        echo_data(ld, t, fx, c, ld->edit == 0, false);
        (void)put(ld, c);
        ld->edit++;
        return true;
}

/* A byte past all editing (raw mode, or after VLNEXT); PARMRK doubles a real 0377. */
static bool literal_char(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c,
                         bool from_cr)
{
        bool dbl = c == 0377 && (t->c_iflag & PARMRK) && !(t->c_iflag & (IGNPAR | ISTRIP));
        bool canon = t->c_lflag & ICANON;

        if (ld->len + (dbl ? 2 : 1) > VW_LDISC_BUF - (canon ? 1 : 0))
                return canon && ld->edit > 0; /* canonical: dropped; raw: wait for the reader */
        echo_data(ld, t, fx, c, canon ? ld->edit == 0 : ld->len == 0, from_cr);
        (void)put(ld, c);
        if (dbl)
                (void)put(ld, c);
        if (canon)
                ld->edit += dbl ? 2 : 1;
        return true;
}

/* IXON: the start and stop characters are flow control, not data. Returns true when c was one. */
static bool flow_char(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        if (!(t->c_iflag & IXON))
                return false;
        /* n_tty looks at VSTART first: when both are the same character it always starts */
        if (is_cc(t, VSTART, c) || is_cc(t, VSTOP, c)) {
                bool stop = !is_cc(t, VSTART, c);

                if (ld->stopped != stop)
                        fx->output_changed = true;
                ld->stopped = stop;
                return true;
        }
        return false;
}

static void restart_output(struct vw_ldisc *ld, struct vw_ldisc_effects *fx)
{
        if (ld->stopped) {
                ld->stopped = false;
                fx->output_changed = true;
        }
}

void vw_ldisc_interrupt(struct vw_ldisc *ld, const struct termios2 *t)
{
        if (!(t->c_lflag & NOFLSH))
                vw_ldisc_flush(ld);
}

/* ISIG: interrupt, quit and suspend flush the input (unless NOFLSH), restart output (IXON) and
 * are echoed; no signal (see vwire.conf(5)). */
static bool signal_char(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        if (!(t->c_lflag & ISIG) || !(is_cc(t, VINTR, c) || is_cc(t, VQUIT, c) || is_cc(t, VSUSP, c)))
                return false;
        vw_ldisc_interrupt(ld, t);
        if (!(t->c_lflag & NOFLSH)) {
                /* n_tty clears the echo not yet written too: what came in the same batch */
                fx->echo_len = 0;
                *fx->col = fx->col_start;
        }
        ld->erasing = false;
        if (t->c_iflag & IXON)
                restart_output(ld, fx);
        if (t->c_lflag & ECHO)
                echo_char(t, fx, c);
        return true;
}

static void check_ixoff(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx)
{
        if ((t->c_iflag & IXOFF) && !ld->sent_stop && ld->len >= VW_LDISC_BUF * 3 / 4 && cc(t, VSTOP)) {
                ld->sent_stop = true;
                fx->xchar = cc(t, VSTOP);
                fx->xchar_set = true;
        }
}

static uint8_t pre_ops(const struct termios2 *t, uint8_t c)
{
        if (t->c_iflag & ISTRIP)
                c &= 0x7f;
        if ((t->c_iflag & IUCLC) && (t->c_lflag & IEXTEN) && c >= 'A' && c <= 'Z')
                c = (uint8_t)(c - 'A' + 'a');
        return c;
}

static bool receive_one(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        bool from_cr = false;

        c = pre_ops(t, c);
        if (ld->lnext) {
                if ((t->c_iflag & IXON) && (t->c_iflag & IXANY))
                        restart_output(ld, fx);
                if (!literal_char(ld, t, fx, c, false))
                        return false;
                ld->lnext = false;
                return true;
        }
        if (flow_char(ld, t, fx, c) || signal_char(ld, t, fx, c))
                return true;
        if ((t->c_iflag & IXON) && (t->c_iflag & IXANY))
                restart_output(ld, fx);
        if (c == '\r') {
                if (t->c_iflag & IGNCR)
                        return true;
                if (t->c_iflag & ICRNL)
                        c = '\n', from_cr = true;
        } else if (c == '\n' && (t->c_iflag & INLCR)) {
                c = '\r';
        }
        if (t->c_lflag & ICANON)
                return canon_char(ld, t, fx, c);
        return literal_char(ld, t, fx, c, from_cr);
}

size_t vw_ldisc_receive(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_column *col, const uint8_t *in,
                        size_t n, struct vw_ldisc_effects *fx)
{
        size_t i;

        fx->col = col;
        if (fx->echo_len == 0)
                fx->col_start = *col;
        for (i = 0; i < n; i++) {
                /* room for the worst this byte can echo: a kill or reprint of the whole line */
                size_t worst = (ld->edit + 4) * VW_LDISC_ECHO_PER_BYTE;

                if (fx->echo_len + worst > sizeof(fx->echo))
                        break;
                if (!receive_one(ld, t, fx, in[i]))
                        break;
        }
        check_ixoff(ld, t, fx);
        return i;
}

size_t vw_ldisc_receive_literal(struct vw_ldisc *ld, const struct termios2 *t, const uint8_t *in, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++) {
                bool canon = t->c_lflag & ICANON;

                if (ld->len >= VW_LDISC_BUF - (canon ? 1 : 0))
                        break;
                (void)put(ld, in[i]);
                if (canon)
                        ld->edit++;
        }
        return i;
}

size_t vw_ldisc_error_mark(const struct termios2 *t, uint8_t c, uint8_t out[3])
{
        if (!(t->c_iflag & INPCK) || (t->c_iflag & IGNPAR))
                return 0;
        if (t->c_iflag & PARMRK) {
                out[0] = 0377;
                out[1] = 0;
                out[2] = c;
                return 3;
        }
        out[0] = 0;
        return 1;
}

size_t vw_ldisc_receive_errors(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_column *col,
                               const uint8_t *in, size_t n, struct vw_ldisc_effects *fx)
{
        size_t i;

        if (!(t->c_iflag & INPCK))
                return vw_ldisc_receive(ld, t, col, in, n, fx);
        for (i = 0; i < n; i++) {
                bool canon = t->c_lflag & ICANON;
                uint8_t mark[3];
                size_t k = vw_ldisc_error_mark(t, in[i], mark);

                if (ld->len + k > VW_LDISC_BUF - (canon ? 1 : 0)) {
                        if (canon && ld->edit > 0)
                                continue; /* a full line: dropped, as literal_char() drops */
                        break;            /* wait for the reader */
                }
                (void)vw_ldisc_receive_literal(ld, t, mark, k);
        }
        return i;
}

bool vw_ldisc_has_line(const struct vw_ldisc *ld)
{
        return ld->n_lines > 0;
}

size_t vw_ldisc_available(const struct vw_ldisc *ld)
{
        if (ld->n_lines > 0)
                return ld->lines[ld->first_line];
        return ld->edit > 0 ? 0 : ld->len;
}

bool vw_ldisc_readable(const struct vw_ldisc *ld, const struct termios2 *t, size_t extra)
{
        size_t amt;

        if (t->c_lflag & ICANON)
                return vw_ldisc_has_line(ld);
        amt = cc(t, VTIME) == 0 && cc(t, VMIN) > 0 ? cc(t, VMIN) : 1;
        return ld->len + extra >= amt;
}

bool vw_ldisc_read_ready(const struct vw_ldisc *ld, const struct termios2 *t, size_t size, size_t extra, bool timed_out)
{
        size_t avail = ld->len + extra, want;

        if (t->c_lflag & ICANON)
                return vw_ldisc_has_line(ld);
        if (cc(t, VMIN) == 0)
                return cc(t, VTIME) == 0 || avail > 0 || timed_out;
        want = MIN((size_t)cc(t, VMIN), size);
        return avail >= MAX(want, (size_t)1) || (cc(t, VTIME) > 0 && avail > 0 && timed_out);
}

static size_t copy_out(struct vw_ldisc *ld, uint8_t *out, size_t n)
{
        for (size_t i = 0; i < n; i++)
                out[i] = at(ld, i);
        ld->head = (ld->head + n) % VW_LDISC_BUF;
        ld->len -= n;
        return n;
}

size_t vw_ldisc_read(struct vw_ldisc *ld, const struct termios2 *t, uint8_t *out, size_t size, uint8_t *ret_xchar)
{
        size_t n = 0;

        *ret_xchar = 0;
        if (ld->n_lines > 0) {
                uint16_t *line = &ld->lines[ld->first_line];

                n = copy_out(ld, out, MIN(size, (size_t)*line));
                *line -= (uint16_t)n;
                if (*line == 0) {
                        ld->first_line = (ld->first_line + 1) % VW_LDISC_MAX_LINES;
                        ld->n_lines--;
                }
        } else if (!(t->c_lflag & ICANON)) {
                n = copy_out(ld, out, MIN(size, ld->len));
        }
        if (ld->sent_stop && ld->len <= VW_LDISC_BUF / 4) {
                ld->sent_stop = false;
                if (t->c_iflag & IXOFF)
                        *ret_xchar = cc(t, VSTART);
        }
        return n;
}

size_t vw_ldisc_output(const struct termios2 *t, struct vw_ldisc_column *col, const uint8_t *in, size_t n, uint8_t *out,
                       size_t out_size, size_t *consumed)
{
        struct vw_ldisc_column scratch = {};
        size_t i, o = 0;

        if (!col)
                col = &scratch;
        if (!(t->c_oflag & OPOST)) {
                i = MIN(n, out_size);
                memcpy(out, in, i);
                *consumed = i;
                return i;
        }
        for (i = 0; i < n; i++) {
                struct vw_ldisc_column before = *col;
                int k = output_char(t, col, in[i], out + o, out_size - o);

                if (k < 0) {
                        *col = before;
                        break;
                }
                o += (size_t)k;
        }
        *consumed = i;
        return o;
}
