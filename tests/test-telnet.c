/* SPDX-License-Identifier: MIT */
/* Unit tests for codecs/telnet.c (RFC 854/855, RFC 1143) and codecs/rfc2217.c (both roles). */
#include <string.h>
#include <sys/ioctl.h>

#include "macro.h"
#include "rfc2217.h"
#include "telnet.h"
#include "test-common.h"

#define IAC VW_TELNET_IAC
#define WILL VW_TELNET_WILL
#define WONT VW_TELNET_WONT
#define DO VW_TELNET_DO
#define DONT VW_TELNET_DONT
#define SB VW_TELNET_SB
#define SE VW_TELNET_SE
#define CPO VW_TELOPT_COM_PORT

/* One end: its telnet state, what it sent, what it received. */
struct end {
        struct vw_telnet t;
        uint8_t out[8192];
        size_t n_out;
        uint8_t data[8192];
        size_t n_data;
        uint8_t sb[32][VW_TELNET_SB_MAX];
        size_t sb_len[32];
        uint8_t sb_opt[32];
        unsigned n_sb;
        uint8_t commands[16];
        unsigned n_commands;
        unsigned option_events;
};

static void end_send(void *u, const uint8_t *p, size_t n)
{
        struct end *e = u;

        ck_assert_uint_le(e->n_out + n, sizeof(e->out));
        memcpy(e->out + e->n_out, p, n);
        e->n_out += n;
}

static void end_data(void *u, const uint8_t *p, size_t n)
{
        struct end *e = u;

        ck_assert_uint_le(e->n_data + n, sizeof(e->data));
        memcpy(e->data + e->n_data, p, n);
        e->n_data += n;
}

static void end_command(void *u, uint8_t cmd)
{
        struct end *e = u;

        ck_assert_uint_lt(e->n_commands, ELEMENTSOF(e->commands));
        e->commands[e->n_commands++] = cmd;
}

static void end_option(void *u, uint8_t opt, bool remote, bool on)
{
        ((struct end *)u)->option_events++;
}

static void end_subneg(void *u, uint8_t opt, const uint8_t *p, size_t n)
{
        struct end *e = u;

        ck_assert_uint_lt(e->n_sb, ELEMENTSOF(e->sb_len));
        memcpy(e->sb[e->n_sb], p, n);
        e->sb_len[e->n_sb] = n;
        e->sb_opt[e->n_sb++] = opt;
}

static const struct vw_telnet_ops end_ops = {
        .send = end_send,
        .data = end_data,
        .command = end_command,
        .option = end_option,
        .subneg = end_subneg,
};

static void end_init(struct end *e)
{
        memset(e, 0, sizeof(*e));
        vw_telnet_init(&e->t, &end_ops, e);
        vw_telnet_support(&e->t, VW_TELOPT_BINARY, true, true);
        vw_telnet_support(&e->t, VW_TELOPT_SGA, true, true);
        vw_telnet_support(&e->t, CPO, true, true);
}

/* Feed what `from` sent so far to `to`, one byte per call. */
static void deliver(struct end *from, struct end *to)
{
        uint8_t buf[8192];
        size_t n = from->n_out;

        memcpy(buf, from->out, n);
        from->n_out = 0;
        for (size_t i = 0; i < n; i++)
                vw_telnet_input(&to->t, buf + i, 1);
}

static void exchange(struct end *a, struct end *b)
{
        for (int i = 0; i < 20 && (a->n_out || b->n_out); i++) {
                deliver(a, b);
                deliver(b, a);
        }
        ck_assert_uint_eq(a->n_out, 0);
        ck_assert_uint_eq(b->n_out, 0);
}

/* Both ends ask for everything at once: they agree, and nothing is sent twice (no loop). */
START_TEST(test_negotiation_both_ask)
{
        static struct end a, b;
        static const uint8_t opts[] = { VW_TELOPT_BINARY, VW_TELOPT_SGA, CPO };
        size_t sent;

        end_init(&a);
        end_init(&b);
        for (size_t i = 0; i < ELEMENTSOF(opts); i++) {
                vw_telnet_request(&a.t, opts[i], false, true);
                vw_telnet_request(&a.t, opts[i], true, true);
                vw_telnet_request(&b.t, opts[i], false, true);
                vw_telnet_request(&b.t, opts[i], true, true);
        }
        sent = a.n_out;
        ck_assert_uint_eq(sent, 3 * 2 * 3);
        /* asking again while unanswered sends nothing */
        vw_telnet_request(&a.t, CPO, true, true);
        ck_assert_uint_eq(a.n_out, sent);
        exchange(&a, &b);
        for (size_t i = 0; i < ELEMENTSOF(opts); i++) {
                ck_assert(vw_telnet_enabled(&a.t, opts[i], false));
                ck_assert(vw_telnet_enabled(&a.t, opts[i], true));
                ck_assert(vw_telnet_enabled(&b.t, opts[i], false));
                ck_assert(vw_telnet_enabled(&b.t, opts[i], true));
                ck_assert(!vw_telnet_pending(&a.t, opts[i], true));
        }
        ck_assert_uint_eq(a.t.stats.bad, 0);
        ck_assert_uint_eq(b.t.stats.bad, 0);
}
END_TEST

/* Every unknown option is answered, once: DO -> WONT, WILL -> DONT; WONT/DONT to an off option: silence. */
START_TEST(test_unknown_options_refused)
{
        static struct end e;
        static const uint8_t in[] = { IAC, DO,   47 /* KERMIT */,
                                      IAC, WILL, 24 /* TTYPE */,
                                      IAC, DO,   1 /* ECHO */,
                                      IAC, DONT, 5,
                                      IAC, WONT, 6,
                                      IAC, DO,   47 };
        static const uint8_t want[] = { IAC, WONT, 47, IAC, DONT, 24, IAC, WONT, 1, IAC, WONT, 47 };

        end_init(&e);
        for (size_t i = 0; i < sizeof(in); i++)
                vw_telnet_input(&e.t, in + i, 1);
        ck_assert_uint_eq(e.n_out, sizeof(want));
        ck_assert_mem_eq(e.out, want, sizeof(want));
        ck_assert_uint_eq(e.t.stats.refused, 4);
        ck_assert_uint_eq(e.n_data, 0);
        ck_assert_uint_eq(e.option_events, 0);
}
END_TEST

/* Data with IAC IAC, commands and a subnegotiation containing IAC IAC, split at every point. */
START_TEST(test_parser_any_split)
{
        static const uint8_t in[] = { 'a', IAC, IAC, 'b', IAC, VW_TELNET_NOP, 'c', IAC, SB,  CPO,           1,   0,
                                      IAC, IAC, 0,   IAC, IAC, IAC,           SE,  'd', IAC, VW_TELNET_BRK, IAC, IAC };
        static const uint8_t want_data[] = { 'a', IAC, 'b', 'c', 'd', IAC };
        static const uint8_t want_sb[] = { 1, 0, IAC, 0, IAC };

        for (size_t cut1 = 0; cut1 <= sizeof(in); cut1++) {
                for (size_t cut2 = cut1; cut2 <= sizeof(in); cut2++) {
                        static struct end e;

                        end_init(&e);
                        /* the option must be on for its subnegotiation to count */
                        vw_telnet_request(&e.t, CPO, true, true);
                        vw_telnet_input(&e.t, (const uint8_t[]){ IAC, WILL, CPO }, 3);
                        e.n_out = 0;
                        vw_telnet_input(&e.t, in, cut1);
                        vw_telnet_input(&e.t, in + cut1, cut2 - cut1);
                        vw_telnet_input(&e.t, in + cut2, sizeof(in) - cut2);
                        ck_assert_uint_eq(e.n_data, sizeof(want_data));
                        ck_assert_mem_eq(e.data, want_data, sizeof(want_data));
                        ck_assert_uint_eq(e.n_sb, 1);
                        ck_assert_uint_eq(e.sb_opt[0], CPO);
                        ck_assert_uint_eq(e.sb_len[0], sizeof(want_sb));
                        ck_assert_mem_eq(e.sb[0], want_sb, sizeof(want_sb));
                        ck_assert_uint_eq(e.n_commands, 1);
                        ck_assert_uint_eq(e.commands[0], VW_TELNET_BRK);
                        ck_assert_uint_eq(e.t.stats.bad, 0);
                }
        }
}
END_TEST

/* A subnegotiation of an option nobody enabled is dropped; so is one too long; a broken one ends. */
START_TEST(test_subneg_dropped)
{
        static struct end e;
        static uint8_t big[VW_TELNET_SB_MAX + 100];
        static const uint8_t broken[] = { IAC, SB, CPO, 5, IAC, DO, 47, 'x' };

        end_init(&e);
        vw_telnet_input(&e.t, (const uint8_t[]){ IAC, SB, 24, 1, IAC, SE }, 6);
        ck_assert_uint_eq(e.n_sb, 0);
        ck_assert_uint_eq(e.t.stats.sb_dropped, 1);

        vw_telnet_input(&e.t, (const uint8_t[]){ IAC, DO, CPO }, 3);
        ck_assert(vw_telnet_enabled(&e.t, CPO, false));
        memset(big, 7, sizeof(big));
        vw_telnet_input(&e.t, (const uint8_t[]){ IAC, SB, CPO }, 3);
        vw_telnet_input(&e.t, big, sizeof(big));
        vw_telnet_input(&e.t, (const uint8_t[]){ IAC, SE, 'y' }, 3);
        ck_assert_uint_eq(e.n_sb, 0);
        ck_assert_uint_eq(e.t.stats.sb_dropped, 2);
        ck_assert_uint_eq(e.n_data, 1);

        /* IAC DO inside an SB: the SB is cut short, the DO is still answered */
        e.n_out = 0;
        vw_telnet_input(&e.t, broken, sizeof(broken));
        ck_assert_uint_eq(e.n_sb, 0);
        ck_assert_uint_eq(e.n_out, 3);
        ck_assert_uint_eq(e.out[1], WONT);
        ck_assert_uint_eq(e.n_data, 2);
        ck_assert_uint_eq(e.data[1], 'x');
}
END_TEST

/* Without BINARY from the peer, CR NUL is a CR; with it, bytes pass as they are. */
START_TEST(test_cr_nul)
{
        static struct end e;
        static const uint8_t in[] = { 'a', '\r', 0, 'b', '\r', '\n', '\r' };

        end_init(&e);
        for (size_t i = 0; i < sizeof(in); i++)
                vw_telnet_input(&e.t, in + i, 1);
        vw_telnet_input(&e.t, (const uint8_t[]){ 0 }, 1);
        ck_assert_uint_eq(e.n_data, 6);
        ck_assert_mem_eq(e.data, "a\rb\r\n\r", 6);

        e.n_data = 0;
        vw_telnet_input(&e.t, (const uint8_t[]){ IAC, WILL, VW_TELOPT_BINARY }, 3);
        vw_telnet_input(&e.t, in, sizeof(in));
        ck_assert_uint_eq(e.n_data, sizeof(in));
        ck_assert_mem_eq(e.data, in, sizeof(in));

        /* nvt_cr off (RFC 2217 ports): bytes pass as they are even without BINARY */
        end_init(&e);
        e.t.nvt_cr = false;
        vw_telnet_input(&e.t, in, sizeof(in));
        ck_assert_uint_eq(e.n_data, sizeof(in));
        ck_assert_mem_eq(e.data, in, sizeof(in));
}
END_TEST

START_TEST(test_escape_bounded)
{
        static const uint8_t in[] = { 1, IAC, 2, IAC, IAC };
        uint8_t out[16];
        size_t used;

        ck_assert_uint_eq(vw_telnet_escape(in, sizeof(in), out, sizeof(out), &used), 8);
        ck_assert_uint_eq(used, 5);
        ck_assert_mem_eq(out, ((const uint8_t[]){ 1, IAC, IAC, 2, IAC, IAC, IAC, IAC }), 8);
        /* no room for a doubled IAC: stop before it */
        ck_assert_uint_eq(vw_telnet_escape(in, sizeof(in), out, 2, &used), 1);
        ck_assert_uint_eq(used, 1);
        ck_assert_uint_eq(vw_telnet_escape(in, sizeof(in), out, 3, &used), 3);
        ck_assert_uint_eq(used, 2);

        static struct end e;
        end_init(&e);
        vw_telnet_send_subneg(&e.t, CPO, (const uint8_t[]){ 101, 0, 0, IAC, 0 }, 5);
        ck_assert_uint_eq(e.n_out, 3 + 6 + 2);
        ck_assert_mem_eq(e.out, ((const uint8_t[]){ IAC, SB, CPO, 101, 0, 0, IAC, IAC, 0, IAC, SE }), 11);
}
END_TEST

/* ---- RFC 2217 ---- */

struct srv {
        struct vw_rfc2217_server s;
        uint8_t msg[64][140];
        size_t len[64];
        unsigned n;
        unsigned changes[8];
        unsigned n_changes;
        uint8_t purged;
        int suspended;
};

static void srv_send(void *u, const uint8_t *p, size_t n)
{
        struct srv *s = u;

        ck_assert_uint_lt(s->n, 64);
        memcpy(s->msg[s->n], p, n);
        s->len[s->n++] = n;
}

static void srv_changed(void *u, unsigned what)
{
        struct srv *s = u;

        ck_assert_uint_lt(s->n_changes, 8);
        s->changes[s->n_changes++] = what;
}

static void srv_purge(void *u, uint8_t what)
{
        ((struct srv *)u)->purged = what;
}

static void srv_suspend(void *u, bool on)
{
        ((struct srv *)u)->suspended = on;
}

static const struct vw_rfc2217_server_ops srv_ops = {
        .send = srv_send,
        .changed = srv_changed,
        .purge = srv_purge,
        .suspend = srv_suspend,
};

#define SRV_IN(S, ...)                                              \
        do {                                                        \
                static const uint8_t in_[] = { __VA_ARGS__ };       \
                vw_rfc2217_server_input(&(S)->s, in_, sizeof(in_)); \
        } while (0)

static void assert_msg(struct srv *s, unsigned i, const uint8_t *want, size_t n)
{
        ck_assert_uint_lt(i, s->n);
        ck_assert_uint_eq(s->len[i], n);
        ck_assert_mem_eq(s->msg[i], want, n);
}

#define ASSERT_MSG(S, I, ...)                                \
        do {                                                 \
                static const uint8_t w_[] = { __VA_ARGS__ }; \
                assert_msg((S), (I), w_, sizeof(w_));        \
        } while (0)

/* Every SET is answered with the value in effect; a repeated one changes nothing (pyserial #376). */
START_TEST(test_server_sets_idempotent)
{
        static struct srv s;

        memset(&s, 0, sizeof(s));
        vw_rfc2217_server_init(&s.s, &srv_ops, &s, "vwire");
        SRV_IN(&s, 1, 0x00, 0x03, 0xd0, 0x90); /* 250000 */
        ASSERT_MSG(&s, 0, 101, 0x00, 0x03, 0xd0, 0x90);
        ck_assert_uint_eq(s.n_changes, 1);
        ck_assert_uint_eq(s.changes[0], VW_RFC2217_CHANGED_LINE);
        SRV_IN(&s, 1, 0x00, 0x03, 0xd0, 0x90);
        SRV_IN(&s, 1, 0, 0, 0, 0); /* a query */
        ASSERT_MSG(&s, 1, 101, 0x00, 0x03, 0xd0, 0x90);
        ASSERT_MSG(&s, 2, 101, 0x00, 0x03, 0xd0, 0x90);
        ck_assert_uint_eq(s.n_changes, 1);

        SRV_IN(&s, 2, 7);
        SRV_IN(&s, 2, 9); /* no such size: refused with the one in effect */
        SRV_IN(&s, 3, 3);
        SRV_IN(&s, 4, 2);
        SRV_IN(&s, 2, 7);
        ASSERT_MSG(&s, 3, 102, 7);
        ASSERT_MSG(&s, 4, 102, 7);
        ASSERT_MSG(&s, 5, 103, 3);
        ASSERT_MSG(&s, 6, 104, 2);
        ASSERT_MSG(&s, 7, 102, 7);
        ck_assert_uint_eq(s.n_changes, 4);
        ck_assert_uint_eq(s.s.bad, 1);

        /* DTR/RTS start up: setting them on again is no change */
        SRV_IN(&s, 5, VW_RFC2217_DTR_ON);
        SRV_IN(&s, 5, VW_RFC2217_RTS_ON);
        ck_assert_uint_eq(s.n_changes, 4);
        SRV_IN(&s, 5, VW_RFC2217_DTR_OFF);
        SRV_IN(&s, 5, VW_RFC2217_DTR_REQUEST);
        SRV_IN(&s, 5, VW_RFC2217_BREAK_ON);
        SRV_IN(&s, 5, VW_RFC2217_BREAK_OFF);
        SRV_IN(&s, 5, VW_RFC2217_FLOW_HARDWARE);
        SRV_IN(&s, 5, VW_RFC2217_FLOW_REQUEST);
        ASSERT_MSG(&s, 8, 105, VW_RFC2217_DTR_ON);
        ASSERT_MSG(&s, 10, 105, VW_RFC2217_DTR_OFF);
        ASSERT_MSG(&s, 11, 105, VW_RFC2217_DTR_OFF);
        ASSERT_MSG(&s, 12, 105, VW_RFC2217_BREAK_ON);
        ASSERT_MSG(&s, 13, 105, VW_RFC2217_BREAK_OFF);
        ASSERT_MSG(&s, 15, 105, VW_RFC2217_FLOW_HARDWARE);
        ck_assert_uint_eq(s.n_changes, 8);
        ck_assert_uint_eq(s.changes[4], VW_RFC2217_CHANGED_MODEM);
        ck_assert_uint_eq(s.changes[5], VW_RFC2217_CHANGED_BREAK);
        ck_assert(!s.s.port.dtr && s.s.port.rts && s.s.port.flow == VW_RFC2217_FLOW_HARDWARE);

        struct vw_line_params lp;
        vw_rfc2217_port_to_params(&s.s.port, &lp);
        ck_assert_uint_eq(lp.baud, 250000);
        ck_assert_uint_eq(lp.data_bits, 7);
        ck_assert_int_eq(lp.parity, 'E');
        ck_assert_uint_eq(lp.stop_bits, 2);
        ck_assert(lp.rtscts);
}
END_TEST

START_TEST(test_server_misc)
{
        static struct srv s;

        memset(&s, 0, sizeof(s));
        vw_rfc2217_server_init(&s.s, &srv_ops, &s, "vwire 1");
        SRV_IN(&s, 0);
        ASSERT_MSG(&s, 0, 100, 'v', 'w', 'i', 'r', 'e', ' ', '1');
        SRV_IN(&s, 0, 'p', 'y', 0x01);
        ck_assert_str_eq(s.s.client_signature, "py?");
        ck_assert_uint_eq(s.n, 1);
        SRV_IN(&s, 12, 1);
        ck_assert_uint_eq(s.purged, 1);
        ASSERT_MSG(&s, 1, 112, 1);
        SRV_IN(&s, 12, 4);
        ck_assert_uint_eq(s.n, 2);
        SRV_IN(&s, 8);
        ck_assert_int_eq(s.suspended, 1);
        SRV_IN(&s, 9);
        ck_assert_int_eq(s.suspended, 0);
        ck_assert_uint_eq(s.n, 2);

        /* modem state: nothing before start; then once, then on change with deltas, through the mask */
        vw_rfc2217_server_modem(&s.s, VW_RFC2217_MODEM_CTS | VW_RFC2217_MODEM_DSR | VW_RFC2217_MODEM_DCD);
        ck_assert_uint_eq(s.n, 2);
        vw_rfc2217_server_start(&s.s);
        ASSERT_MSG(&s, 2, 107, 0xb0);
        vw_rfc2217_server_modem(&s.s, VW_RFC2217_MODEM_CTS | VW_RFC2217_MODEM_DSR | VW_RFC2217_MODEM_DCD);
        ck_assert_uint_eq(s.n, 3);
        vw_rfc2217_server_modem(&s.s, VW_RFC2217_MODEM_CTS);
        ASSERT_MSG(&s, 3, 107, 0x10 | VW_RFC2217_MODEM_DELTA_DSR | VW_RFC2217_MODEM_DELTA_DCD);
        SRV_IN(&s, 11, VW_RFC2217_MODEM_DCD | VW_RFC2217_MODEM_DELTA_DCD);
        ASSERT_MSG(&s, 4, 111, 0x88);
        vw_rfc2217_server_modem(&s.s, 0); /* CTS only: masked out */
        ck_assert_uint_eq(s.n, 5);
        vw_rfc2217_server_modem(&s.s, VW_RFC2217_MODEM_DCD);
        ASSERT_MSG(&s, 5, 107, 0x88);
        SRV_IN(&s, 7); /* a poll */
        ASSERT_MSG(&s, 6, 107, 0x80);

        /* line state: mask 0 by default */
        vw_rfc2217_server_linestate(&s.s, VW_RFC2217_LINE_BREAK);
        ck_assert_uint_eq(s.n, 7);
        SRV_IN(&s, 10, VW_RFC2217_LINE_BREAK);
        ASSERT_MSG(&s, 7, 110, 0x10);
        vw_rfc2217_server_linestate(&s.s, VW_RFC2217_LINE_BREAK | VW_RFC2217_LINE_PARITY);
        ASSERT_MSG(&s, 8, 106, 0x10);
        /* garbage: counted, no answer */
        SRV_IN(&s, 1, 0);
        SRV_IN(&s, 105, 1);
        SRV_IN(&s, 5);
        ck_assert_uint_eq(s.n, 9);
        ck_assert_uint_ge(s.s.bad, 3);
}
END_TEST

struct cli {
        struct vw_rfc2217_client c;
        uint8_t msg[64][140];
        size_t len[64];
        unsigned n;
        uint8_t modem;
        int suspended;
};

static void cli_send(void *u, const uint8_t *p, size_t n)
{
        struct cli *c = u;

        ck_assert_uint_lt(c->n, 64);
        memcpy(c->msg[c->n], p, n);
        c->len[c->n++] = n;
}

static void cli_modem(void *u, uint8_t m)
{
        ((struct cli *)u)->modem = m;
}

static void cli_suspend(void *u, bool on)
{
        ((struct cli *)u)->suspended = on;
}

static const struct vw_rfc2217_client_ops cli_ops = {
        .send = cli_send,
        .modem = cli_modem,
        .suspend = cli_suspend,
};

#define CLI_IN(C, ...)                                              \
        do {                                                        \
                static const uint8_t in_[] = { __VA_ARGS__ };       \
                vw_rfc2217_client_input(&(C)->c, in_, sizeof(in_)); \
        } while (0)

START_TEST(test_client_sends_changes_only)
{
        static struct cli c;
        struct vw_rfc2217_port want;
        char buf[256];

        memset(&c, 0, sizeof(c));
        vw_rfc2217_client_init(&c.c, &cli_ops, &c);
        vw_rfc2217_port_default(&want);
        want.baud = 250000;
        vw_rfc2217_client_start(&c.c, "vwire", &want);
        /* signature, signature request, the line-state mask (the modem-state one stays 255), 5
         * settings, DTR, RTS */
        ck_assert_uint_eq(c.n, 3 + 5 + 2);
        ck_assert_uint_eq(c.msg[2][0], VW_RFC2217_SET_LINESTATE_MASK);
        ck_assert_uint_eq(c.msg[3][0], VW_RFC2217_SET_BAUDRATE);
        ck_assert_uint_eq(c.len[3], 5);
        c.n = 0;
        vw_rfc2217_client_set(&c.c, &want);
        ck_assert_uint_eq(c.n, 0);
        want.dtr = false;
        want.brk = true;
        vw_rfc2217_client_set(&c.c, &want);
        ck_assert_uint_eq(c.n, 2);
        ck_assert_mem_eq(c.msg[0], ((const uint8_t[]){ 5, VW_RFC2217_DTR_OFF }), 2);
        ck_assert_mem_eq(c.msg[1], ((const uint8_t[]){ 5, VW_RFC2217_BREAK_ON }), 2);

        /* answers: baud padded (sredird), control answers in order, one naming another setting */
        CLI_IN(&c, 101, 0x00, 0x03, 0xd0, 0x90, 0, 0);
        CLI_IN(&c, 105, VW_RFC2217_FLOW_NONE);
        CLI_IN(&c, 105, 1); /* DTR ON answered with 1 (sredird) */
        CLI_IN(&c, 105, VW_RFC2217_RTS_ON);
        CLI_IN(&c, 105, VW_RFC2217_DTR_OFF);
        CLI_IN(&c, 105, VW_RFC2217_BREAK_ON);
        ck_assert_str_eq(vw_rfc2217_client_refusals(&c.c, buf, sizeof(buf)), "");
        ck_assert_uint_eq(c.c.deviations, 1);
        ck_assert_uint_eq(c.c.remote.baud, 250000);

        /* a refusal is kept and worded, and cleared by a later agreeing answer */
        CLI_IN(&c, 101, 0x00, 0x01, 0xc2, 0x00);
        ck_assert_str_eq(vw_rfc2217_client_refusals(&c.c, buf, sizeof(buf)),
                         "remote refused 250000 baud (it has 115200)");
        CLI_IN(&c, 102, 7);
        ck_assert_str_eq(vw_rfc2217_client_refusals(&c.c, buf, sizeof(buf)),
                         "remote refused 250000 baud (it has 115200); remote refused 8 data bits (it has 7)");
        CLI_IN(&c, 101, 0x00, 0x03, 0xd0, 0x90);
        CLI_IN(&c, 102, 8);
        ck_assert_str_eq(vw_rfc2217_client_refusals(&c.c, buf, sizeof(buf)), "");

        /* Cisco: a one-byte answer; later rates go as codes */
        CLI_IN(&c, 101, 8);
        ck_assert_uint_eq(c.c.remote.baud, 9600);
        ck_assert(c.c.cisco);
        c.n = 0;
        want.baud = 115200;
        vw_rfc2217_client_set(&c.c, &want);
        ck_assert_uint_eq(c.n, 1);
        ck_assert_mem_eq(c.msg[0], ((const uint8_t[]){ 1, 14 }), 2);

        CLI_IN(&c, 107, 0xb1);
        ck_assert_uint_eq(c.modem, 0xb1);
        ck_assert_uint_eq(vw_rfc2217_modem_to_tiocm(0xb1), TIOCM_CTS | TIOCM_DSR | TIOCM_CD);
        CLI_IN(&c, 108);
        ck_assert_int_eq(c.suspended, 1);
        CLI_IN(&c, 100, 'S', 'e', 'r');
        ck_assert_str_eq(c.c.signature, "Ser");
        CLI_IN(&c, 5, 1);
        ck_assert_uint_eq(c.c.bad, 1);
}
END_TEST

/* A client and a server through two telnet ends, one byte at a time: the server ends up with
 * what the client asked for, and the client sees no refusal. */
struct pair {
        struct end ct, st;
        struct vw_rfc2217_client c;
        struct vw_rfc2217_server s;
        unsigned changes;
};

static struct pair P;

static void pc_send(void *u, const uint8_t *p, size_t n)
{
        vw_telnet_send_subneg(&P.ct.t, CPO, p, n);
}

static void ps_send(void *u, const uint8_t *p, size_t n)
{
        vw_telnet_send_subneg(&P.st.t, CPO, p, n);
}

static void ps_changed(void *u, unsigned what)
{
        P.changes++;
}

START_TEST(test_client_server_through_telnet)
{
        static const struct vw_rfc2217_client_ops cops = { .send = pc_send };
        static const struct vw_rfc2217_server_ops sops = { .send = ps_send, .changed = ps_changed };
        struct vw_line_params lp = { .baud = 1234567, .data_bits = 6, .parity = 'O', .stop_bits = 2, .xonxoff = true };
        struct vw_rfc2217_port want;
        char buf[128];

        memset(&P, 0, sizeof(P));
        end_init(&P.ct);
        end_init(&P.st);
        vw_rfc2217_client_init(&P.c, &cops, NULL);
        vw_rfc2217_server_init(&P.s, &sops, NULL, "srv");
        vw_telnet_request(&P.ct.t, CPO, false, true);
        vw_telnet_request(&P.st.t, CPO, true, true);
        exchange(&P.ct, &P.st);
        ck_assert(vw_telnet_enabled(&P.ct.t, CPO, false));
        vw_rfc2217_port_default(&want);
        vw_rfc2217_port_from_params(&want, &lp);
        want.rts = false;
        vw_rfc2217_client_start(&P.c, "cli", &want);
        for (int round = 0; round < 4; round++) {
                deliver(&P.ct, &P.st);
                for (unsigned i = 0; i < P.st.n_sb; i++)
                        vw_rfc2217_server_input(&P.s, P.st.sb[i], P.st.sb_len[i]);
                P.st.n_sb = 0;
                deliver(&P.st, &P.ct);
                for (unsigned i = 0; i < P.ct.n_sb; i++)
                        vw_rfc2217_client_input(&P.c, P.ct.sb[i], P.ct.sb_len[i]);
                P.ct.n_sb = 0;
        }
        ck_assert_uint_eq(P.s.port.baud, 1234567);
        ck_assert_uint_eq(P.s.port.datasize, 6);
        ck_assert_uint_eq(P.s.port.parity, VW_RFC2217_PARITY_ODD);
        ck_assert_uint_eq(P.s.port.stopsize, VW_RFC2217_STOP_2);
        ck_assert_uint_eq(P.s.port.flow, VW_RFC2217_FLOW_XONXOFF);
        ck_assert(!P.s.port.rts && P.s.port.dtr);
        ck_assert_str_eq(P.c.signature, "srv");
        ck_assert_str_eq(P.s.client_signature, "cli");
        ck_assert_str_eq(vw_rfc2217_client_refusals(&P.c, buf, sizeof(buf)), "");
        ck_assert_uint_eq(P.c.answered & P.c.sent, P.c.sent);
        ck_assert_uint_eq(P.c.deviations, 0);
        ck_assert_uint_eq(P.s.linestate_mask, 0x1e);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("telnet");
        TCase *tc = vw_test_case(s, "telnet");

        tcase_add_test(tc, test_negotiation_both_ask);
        tcase_add_test(tc, test_unknown_options_refused);
        tcase_add_test(tc, test_parser_any_split);
        tcase_add_test(tc, test_subneg_dropped);
        tcase_add_test(tc, test_cr_nul);
        tcase_add_test(tc, test_escape_bounded);
        tc = vw_test_case(s, "rfc2217");
        tcase_add_test(tc, test_server_sets_idempotent);
        tcase_add_test(tc, test_server_misc);
        tcase_add_test(tc, test_client_sends_changes_only);
        tcase_add_test(tc, test_client_server_through_telnet);
        return vw_test_run(s);
}
