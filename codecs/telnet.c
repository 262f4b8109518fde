/* SPDX-License-Identifier: MIT */
/*
 * Telnet parsing and RFC 1143 option negotiation. Each side of each option has one of four
 * states and a one-deep queue: NO, YES, WANTNO (we sent WONT/DONT, no answer yet), WANTYES
 * (we sent WILL/DO); the queue remembers that the opposite was asked for meanwhile. A request
 * never sends a second WILL or DO before the first is answered, and an answer is never answered,
 * which is what keeps two ends that both ask from looping.
 */
#include <string.h>

#include "telnet.h"

enum { Q_NO, Q_YES, Q_WANTNO, Q_WANTYES };
#define Q_STATE 0x03
#define Q_OPPOSITE 0x04 /* queued: the opposite of what the pending WANT asks */

enum {
        S_DATA,
        S_CR, /* CR seen from a peer not in BINARY: a NUL after it is padding */
        S_IAC,
        S_VERB,   /* WILL/WONT/DO/DONT: the option comes next */
        S_SB_OPT, /* IAC SB: the option comes next */
        S_SB,
        S_SB_IAC,
};

#define SUPPORT_LOCAL 0x01
#define SUPPORT_REMOTE 0x02

void vw_telnet_init(struct vw_telnet *t, const struct vw_telnet_ops *ops, void *userdata)
{
        memset(t, 0, sizeof(*t));
        t->ops = ops;
        t->userdata = userdata;
        t->nvt_cr = true;
}

void vw_telnet_support(struct vw_telnet *t, uint8_t opt, bool local, bool remote)
{
        t->support[opt] = (uint8_t)((local ? SUPPORT_LOCAL : 0) | (remote ? SUPPORT_REMOTE : 0));
}

static void send_verb(struct vw_telnet *t, uint8_t verb, uint8_t opt)
{
        const uint8_t b[3] = { VW_TELNET_IAC, verb, opt };

        t->ops->send(t->userdata, b, sizeof(b));
}

void vw_telnet_send_command(struct vw_telnet *t, uint8_t cmd)
{
        const uint8_t b[2] = { VW_TELNET_IAC, cmd };

        t->ops->send(t->userdata, b, sizeof(b));
}

static void notify(struct vw_telnet *t, uint8_t opt, bool remote, bool enabled)
{
        if (t->ops->option)
                t->ops->option(t->userdata, opt, remote, enabled);
}

/* The verbs of one side: remote (him) is asked with DO/DONT and answers WILL/WONT. */
static uint8_t verb_yes(bool remote)
{
        return remote ? VW_TELNET_DO : VW_TELNET_WILL;
}

static uint8_t verb_no(bool remote)
{
        return remote ? VW_TELNET_DONT : VW_TELNET_WONT;
}

static uint8_t *qstate(struct vw_telnet *t, uint8_t opt, bool remote)
{
        return remote ? &t->him[opt] : &t->us[opt];
}

/* The peer said it will (remote) or asked us to (local): WILL for remote, DO for local. */
static void got_yes(struct vw_telnet *t, uint8_t opt, bool remote)
{
        uint8_t *q = qstate(t, opt, remote);
        bool supported = t->support[opt] & (remote ? SUPPORT_REMOTE : SUPPORT_LOCAL);

        switch (*q & Q_STATE) {
        case Q_NO:
                if (supported) {
                        *q = Q_YES;
                        send_verb(t, verb_yes(remote), opt);
                        notify(t, opt, remote, true);
                } else {
                        t->stats.refused++;
                        send_verb(t, verb_no(remote), opt);
                }
                break;
        case Q_YES:
                break;
        case Q_WANTNO:
                /* our WONT/DONT answered with WILL/DO: a broken peer; take its word */
                t->stats.bad++;
                if (*q & Q_OPPOSITE) {
                        *q = Q_YES;
                } else {
                        *q = Q_NO;
                        return;
                }
                notify(t, opt, remote, true);
                break;
        case Q_WANTYES:
                if (*q & Q_OPPOSITE) {
                        *q = Q_WANTNO;
                        send_verb(t, verb_no(remote), opt);
                } else {
                        *q = Q_YES;
                }
                notify(t, opt, remote, true);
                break;
        }
}

static void got_no(struct vw_telnet *t, uint8_t opt, bool remote)
{
        uint8_t *q = qstate(t, opt, remote);

        switch (*q & Q_STATE) {
        case Q_NO:
                break;
        case Q_YES:
                *q = Q_NO;
                send_verb(t, verb_no(remote), opt);
                notify(t, opt, remote, false);
                break;
        case Q_WANTNO:
                /* the request already said "disabled" (vw_telnet_request) */
                if (*q & Q_OPPOSITE) {
                        *q = Q_WANTYES;
                        send_verb(t, verb_yes(remote), opt);
                } else {
                        *q = Q_NO;
                }
                break;
        case Q_WANTYES:
                *q = Q_NO; /* refused */
                break;
        }
}

void vw_telnet_request(struct vw_telnet *t, uint8_t opt, bool remote, bool enable)
{
        uint8_t *q = qstate(t, opt, remote);
        uint8_t st = *q & Q_STATE;

        if (enable) {
                if (st == Q_NO) {
                        *q = Q_WANTYES;
                        send_verb(t, verb_yes(remote), opt);
                } else if (st == Q_WANTNO) {
                        *q |= Q_OPPOSITE;
                } else if (st == Q_WANTYES) {
                        *q &= (uint8_t)~Q_OPPOSITE;
                }
        } else {
                if (st == Q_YES) {
                        *q = Q_WANTNO;
                        send_verb(t, verb_no(remote), opt);
                        notify(t, opt, remote, false);
                } else if (st == Q_WANTNO) {
                        *q &= (uint8_t)~Q_OPPOSITE;
                } else if (st == Q_WANTYES) {
                        *q |= Q_OPPOSITE;
                }
        }
}

bool vw_telnet_enabled(const struct vw_telnet *t, uint8_t opt, bool remote)
{
        return ((remote ? t->him[opt] : t->us[opt]) & Q_STATE) == Q_YES;
}

bool vw_telnet_pending(const struct vw_telnet *t, uint8_t opt, bool remote)
{
        uint8_t st = (remote ? t->him[opt] : t->us[opt]) & Q_STATE;

        return st == Q_WANTYES || st == Q_WANTNO;
}

static void got_verb(struct vw_telnet *t, uint8_t verb, uint8_t opt)
{
        switch (verb) {
        case VW_TELNET_WILL:
                got_yes(t, opt, true);
                break;
        case VW_TELNET_WONT:
                got_no(t, opt, true);
                break;
        case VW_TELNET_DO:
                got_yes(t, opt, false);
                break;
        default:
                got_no(t, opt, false);
                break;
        }
}

static void end_subneg(struct vw_telnet *t)
{
        if (t->sb_long || !(vw_telnet_enabled(t, t->sb_opt, false) || vw_telnet_enabled(t, t->sb_opt, true))) {
                t->stats.sb_dropped++;
                return;
        }
        if (t->ops->subneg)
                t->ops->subneg(t->userdata, t->sb_opt, t->sb, t->sb_len);
}

static void sb_byte(struct vw_telnet *t, uint8_t b)
{
        if (t->sb_len < sizeof(t->sb))
                t->sb[t->sb_len++] = b;
        else
                t->sb_long = true;
}

static void got_command(struct vw_telnet *t, uint8_t b)
{
        switch (b) {
        case VW_TELNET_WILL:
        case VW_TELNET_WONT:
        case VW_TELNET_DO:
        case VW_TELNET_DONT:
                t->verb = b;
                t->state = S_VERB;
                return;
        case VW_TELNET_SB:
                t->state = S_SB_OPT;
                return;
        case VW_TELNET_BRK:
        case VW_TELNET_IP:
        case VW_TELNET_AO:
        case VW_TELNET_AYT:
        case VW_TELNET_EC:
        case VW_TELNET_EL:
                t->state = S_DATA;
                if (t->ops->command)
                        t->ops->command(t->userdata, b);
                return;
        case VW_TELNET_NOP:
        case VW_TELNET_DM:
        case VW_TELNET_GA:
                break;
        default:
                /* SE outside a subnegotiation, or IAC + a byte below 240 (no command at all) */
                t->stats.bad++;
                break;
        }
        t->state = S_DATA;
}

void vw_telnet_input(struct vw_telnet *t, const uint8_t *in, size_t len)
{
        static const uint8_t iac = VW_TELNET_IAC, cr = '\r';
        size_t i = 0;

        while (i < len) {
                uint8_t b = in[i];

                switch (t->state) {
                case S_DATA: {
                        /* a run of plain data goes out in one call */
                        bool binary = !t->nvt_cr || vw_telnet_enabled(t, VW_TELOPT_BINARY, true);
                        size_t j = i;

                        if (binary) {
                                const uint8_t *e = memchr(in + i, VW_TELNET_IAC, len - i);

                                j = e ? (size_t)(e - in) : len;
                        } else {
                                while (j < len && in[j] != VW_TELNET_IAC && in[j] != '\r')
                                        j++;
                        }
                        if (j > i && t->ops->data)
                                t->ops->data(t->userdata, in + i, j - i);
                        if (j == len)
                                return;
                        t->state = in[j] == VW_TELNET_IAC ? S_IAC : S_CR;
                        if (t->state == S_CR && t->ops->data)
                                t->ops->data(t->userdata, &cr, 1);
                        i = j + 1;
                        continue;
                }
                case S_CR:
                        t->state = S_DATA;
                        if (b == 0) {
                                i++; /* CR NUL is a bare CR */
                        }
                        continue;
                case S_IAC:
                        if (b == VW_TELNET_IAC) {
                                t->state = S_DATA;
                                if (t->ops->data)
                                        t->ops->data(t->userdata, &iac, 1);
                        } else {
                                got_command(t, b);
                        }
                        break;
                case S_VERB:
                        t->state = S_DATA;
                        got_verb(t, t->verb, b);
                        break;
                case S_SB_OPT:
                        t->sb_opt = b;
                        t->sb_len = 0;
                        t->sb_long = false;
                        t->state = S_SB;
                        break;
                case S_SB: {
                        const uint8_t *e = memchr(in + i, VW_TELNET_IAC, len - i);
                        size_t n = e ? (size_t)(e - (in + i)) : len - i;
                        size_t room = sizeof(t->sb) - t->sb_len;

                        memcpy(t->sb + t->sb_len, in + i, n < room ? n : room);
                        t->sb_len += n < room ? n : room;
                        if (n > room)
                                t->sb_long = true;
                        i += n;
                        if (e) {
                                t->state = S_SB_IAC;
                                i++;
                        }
                        continue;
                }
                case S_SB_IAC:
                        if (b == VW_TELNET_IAC) {
                                sb_byte(t, b);
                                t->state = S_SB;
                        } else if (b == VW_TELNET_SE) {
                                t->state = S_DATA;
                                end_subneg(t);
                        } else {
                                /* a command inside a subnegotiation: the SB was cut short. Drop it
                                 * and take the command as if the SB had ended before it. */
                                t->stats.bad++;
                                got_command(t, b);
                        }
                        break;
                default:
                        t->state = S_DATA;
                        break;
                }
                i++;
        }
}

size_t vw_telnet_escape(const uint8_t *in, size_t len, uint8_t *out, size_t out_size, size_t *ret_used)
{
        size_t i = 0, o = 0;

        while (i < len && o < out_size) {
                const uint8_t *e = memchr(in + i, VW_TELNET_IAC, len - i);
                size_t n = e ? (size_t)(e - (in + i)) : len - i;

                if (n > out_size - o)
                        n = out_size - o;
                memcpy(out + o, in + i, n);
                o += n;
                i += n;
                if (i < len && in[i] == VW_TELNET_IAC) {
                        if (out_size - o < 2)
                                break;
                        out[o++] = VW_TELNET_IAC;
                        out[o++] = VW_TELNET_IAC;
                        i++;
                }
        }
        *ret_used = i;
        return o;
}

void vw_telnet_send_subneg(struct vw_telnet *t, uint8_t opt, const uint8_t *p, size_t n)
{
        uint8_t buf[2 * VW_TELNET_SB_MAX + 5];
        size_t o = 0, used = 0;

        if (n > VW_TELNET_SB_MAX)
                n = VW_TELNET_SB_MAX;
        buf[o++] = VW_TELNET_IAC;
        buf[o++] = VW_TELNET_SB;
        buf[o++] = opt;
        o += vw_telnet_escape(p, n, buf + o, 2 * n, &used);
        buf[o++] = VW_TELNET_IAC;
        buf[o++] = VW_TELNET_SE;
        t->ops->send(t->userdata, buf, o);
}
