/* SPDX-License-Identifier: MIT */
/*
 * The line discipline (ldisc.h). The order of the input steps is n_tty's: ISTRIP, a literal
 * after VLNEXT, IXON's start/stop characters, ISIG's characters, CR/NL mapping, then canonical
 * editing or plain queueing, each with its echo. What vwire leaves out (columns for tab erase,
 * ONOCR, IUCLC/OLCUC, signals: a CUSE port has no session) is listed in vwire.conf(5).
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
               !(t->c_iflag & (ISTRIP | ICRNL | INLCR | IGNCR | IXON | PARMRK));
}

bool vw_ldisc_output_raw(const struct termios2 *t)
{
        return !(t->c_oflag & OPOST) || !(t->c_oflag & (ONLCR | OCRNL));
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

static void echo_raw(struct vw_ldisc_effects *fx, const char *s, size_t n)
{
        if (fx->echo_len + n > sizeof(fx->echo))
                return; /* cannot happen: receive checks the room before each byte */
        memcpy(fx->echo + fx->echo_len, s, n);
        fx->echo_len += n;
}

static bool echoed_as_ctl(const struct termios2 *t, uint8_t c)
{
        return (t->c_lflag & ECHOCTL) && ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f);
}

/* Echo one input byte: ^X for control characters under ECHOCTL, else itself. */
static void echo_char(const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        if (echoed_as_ctl(t, c)) {
                char s[2] = { '^', (char)(c ^ 0x40) };
                echo_raw(fx, s, 2);
        } else {
                echo_raw(fx, (const char *)&c, 1);
        }
}

/* Take back the last byte of the line being edited, and rub it out on the screen. */
static void erase_one(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx)
{
        uint8_t c;

        if (ld->edit == 0)
                return;
        c = at(ld, ld->len - 1);
        ld->len--;
        ld->edit--;
        if (!(t->c_lflag & ECHO))
                return;
        if (t->c_lflag & ECHOE) {
                echo_raw(fx, "\b \b", 3);
                if (echoed_as_ctl(t, c))
                        echo_raw(fx, "\b \b", 3);
        } else {
                echo_char(t, fx, cc(t, VERASE));
        }
}

static void erase_word(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx)
{
        while (ld->edit > 0 && (at(ld, ld->len - 1) == ' ' || at(ld, ld->len - 1) == '\t'))
                erase_one(ld, t, fx);
        while (ld->edit > 0 && at(ld, ld->len - 1) != ' ' && at(ld, ld->len - 1) != '\t')
                erase_one(ld, t, fx);
}

static void kill_line(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx)
{
        bool visual = (t->c_lflag & (ECHO | ECHOE | ECHOKE)) == (ECHO | ECHOE | ECHOKE);

        if (visual) {
                while (ld->edit > 0)
                        erase_one(ld, t, fx);
                return;
        }
        ld->len -= ld->edit;
        ld->edit = 0;
        if (t->c_lflag & ECHO) {
                echo_char(t, fx, cc(t, VKILL));
                if (t->c_lflag & ECHOK)
                        echo_raw(fx, "\n", 1);
        }
}

static void commit(struct vw_ldisc *ld)
{
        push_line(ld, ld->edit);
        ld->edit = 0;
}

/* Canonical input of one (mapped) byte. Returns false when it cannot be taken now. */
static bool canon_char(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        bool iexten = t->c_lflag & IEXTEN;
        bool is_nl = c == '\n' || is_cc(t, VEOL, c) || (iexten && is_cc(t, VEOL2, c));

        if (ld->n_lines >= VW_LDISC_MAX_LINES && (is_nl || is_cc(t, VEOF, c)))
                return false;
        if (iexten && is_cc(t, VLNEXT, c)) {
                ld->lnext = true;
                if ((t->c_lflag & ECHO) && (t->c_lflag & ECHOCTL))
                        echo_raw(fx, "^\b", 2);
                return true;
        }
        if (is_cc(t, VERASE, c)) {
                erase_one(ld, t, fx);
                return true;
        }
        if (iexten && is_cc(t, VWERASE, c)) {
                erase_word(ld, t, fx);
                return true;
        }
        if (is_cc(t, VKILL, c)) {
                kill_line(ld, t, fx);
                return true;
        }
        if (is_cc(t, VEOF, c)) {
                commit(ld);
                return true;
        }
        if (is_nl) {
                if (!put(ld, c))
                        return false;
                ld->edit++;
                commit(ld);
                if ((t->c_lflag & ECHO) || (c == '\n' && (t->c_lflag & ECHONL)))
                        echo_char(t, fx, c);
                return true;
        }
        /* a full line keeps its last place for the newline, as n_tty does: the byte is lost;
         * a buffer full of complete lines waits for the reader instead */
        if (ld->len >= VW_LDISC_BUF - 1)
                return ld->edit > 0;
        (void)put(ld, c);
        ld->edit++;
        if (t->c_lflag & ECHO)
                echo_char(t, fx, c);
        return true;
}

/* A byte past all editing (raw mode, or after VLNEXT); PARMRK doubles a real 0377. */
static bool literal_char(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        bool dbl = c == 0377 && (t->c_iflag & PARMRK) && !(t->c_iflag & (IGNPAR | ISTRIP));
        bool canon = t->c_lflag & ICANON;

        if (ld->len + (dbl ? 2 : 1) > VW_LDISC_BUF - (canon ? 1 : 0))
                return canon && ld->edit > 0; /* canonical: dropped; raw: wait for the reader */
        (void)put(ld, c);
        if (dbl)
                (void)put(ld, c);
        if (canon)
                ld->edit += dbl ? 2 : 1;
        if (fx && (t->c_lflag & ECHO))
                echo_char(t, fx, c);
        else if (fx && c == '\n' && (t->c_lflag & ECHONL))
                echo_raw(fx, "\n", 1);
        return true;
}

/* IXON: the start and stop characters are flow control, not data. Returns true when c was one. */
static bool flow_char(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        bool start = is_cc(t, VSTART, c), stop = is_cc(t, VSTOP, c);

        if (!(t->c_iflag & IXON))
                return false;
        if (start && stop) /* the same character toggles */
                start = ld->stopped, stop = !ld->stopped;
        if (stop || start) {
                if (ld->stopped != stop)
                        fx->output_changed = true;
                ld->stopped = stop;
                return true;
        }
        if (ld->stopped && (t->c_iflag & IXANY)) {
                ld->stopped = false;
                fx->output_changed = true;
        }
        return false;
}

/* ISIG: interrupt, quit and suspend flush the input (unless NOFLSH) and are echoed; no signal. */
static bool signal_char(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        if (!(t->c_lflag & ISIG) || !(is_cc(t, VINTR, c) || is_cc(t, VQUIT, c) || is_cc(t, VSUSP, c)))
                return false;
        if (!(t->c_lflag & NOFLSH))
                vw_ldisc_flush(ld);
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

static bool receive_one(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_effects *fx, uint8_t c)
{
        if (t->c_iflag & ISTRIP)
                c &= 0x7f;
        if (ld->lnext) {
                if (!literal_char(ld, t, fx, c))
                        return false;
                ld->lnext = false;
                return true;
        }
        if (flow_char(ld, t, fx, c) || signal_char(ld, t, fx, c))
                return true;
        if (c == '\r') {
                if (t->c_iflag & IGNCR)
                        return true;
                if (t->c_iflag & ICRNL)
                        c = '\n';
        } else if (c == '\n' && (t->c_iflag & INLCR)) {
                c = '\r';
        }
        if (t->c_lflag & ICANON)
                return canon_char(ld, t, fx, c);
        return literal_char(ld, t, fx, c);
}

size_t vw_ldisc_receive(struct vw_ldisc *ld, const struct termios2 *t, const uint8_t *in, size_t n,
                        struct vw_ldisc_effects *fx)
{
        size_t i;

        for (i = 0; i < n; i++) {
                /* room for the worst this byte can echo: a kill rubbing out the whole line */
                size_t worst = (ld->edit + 2) * VW_LDISC_ECHO_PER_BYTE;

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

size_t vw_ldisc_output(const struct termios2 *t, const uint8_t *in, size_t n, uint8_t *out, size_t out_size,
                       size_t *consumed)
{
        bool post = t->c_oflag & OPOST;
        size_t i, o = 0;

        for (i = 0; i < n; i++) {
                uint8_t c = in[i];

                if (post && c == '\n' && (t->c_oflag & ONLCR)) {
                        if (o + 2 > out_size)
                                break;
                        out[o++] = '\r';
                        out[o++] = '\n';
                        continue;
                }
                if (o + 1 > out_size)
                        break;
                if (post && c == '\r' && (t->c_oflag & OCRNL))
                        c = '\n';
                out[o++] = c;
        }
        *consumed = i;
        return o;
}
