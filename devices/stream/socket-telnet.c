/* SPDX-License-Identifier: MIT */
/*
 * Telnet and RFC 2217 sessions of [socket] connections (socket-telnet.h). What maps to what:
 *
 *   server (listen)                               client (connect)
 *   SET-BAUDRATE..STOPSIZE, flow -> PARAMS signal  local PARAMS signal -> SETs (changed ones only)
 *   SET-CONTROL DTR/RTS -> MODEM signal            local MODEM signal -> SET-CONTROL DTR/RTS
 *   SET-CONTROL BREAK ON/OFF, IAC BRK -> break     local break (timed or TIOCSBRK) -> BREAK ON/OFF
 *   PURGE-DATA 1, 2 -> PURGE signal RX, TX         local PURGE signal RX, TX -> PURGE-DATA 1, 2
 *   port's MODEM -> NOTIFY-MODEMSTATE              NOTIFY-MODEMSTATE -> MODEM (VW_MODEM_DIRECT)
 *   port's line events -> NOTIFY-LINESTATE         NOTIFY-LINESTATE -> line events into the port
 *   FLOWCONTROL-SUSPEND: hold our data             FLOWCONTROL-SUSPEND: hold our data
 *   routes full: FLOWCONTROL-SUSPEND to the peer   (the socket is simply not read)
 *
 * Data decoded from the peer is collected in place and written to the port as one chunk; any
 * signal or line event the stream carries first sends the data before it, so order holds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "config.h"
#include "log.h"
#include "rfc2217.h"
#include "serial-line.h"
#include "socket-telnet.h"
#include "telnet.h"
#include "tty-params.h"
#include "varlink.h"

#define OUT_DATA (32u * 1024u)        /* data escaped per take: at most twice this in the buffer */
#define OUT_CAP (2 * OUT_DATA + 4096) /* room for commands beside it; more is a peer that reads nothing */
#define IAC_BRK_MS 250u
#define NEGOTIATE_USEC (5u * 1000u * 1000u) /* doctor: no COM-PORT-OPTION this long after connecting */

const char *const vw_sock_protocol_names[] = { "raw", "telnet", "rfc2217", NULL };

struct vw_tn {
        struct vw_endpoint *ep;
        int protocol;
        bool server;
        vw_tn_kick_fn kick;
        void *userdata;
        struct vw_sink *sink;
        struct vw_telnet t;
        struct vw_rfc2217_server srv;
        struct vw_rfc2217_client cli;
        bool connected, comport;
        uint64_t connected_at;
        bool suspended; /* the peer sent FLOWCONTROL-SUSPEND */
        /* server: a port that applies settings (backend = device) answers a PARAMS signal with
         * what took effect, at once: that is what the SET is answered with */
        bool want_echo, got_echo;
        struct vw_line_params echo;
        bool told_suspend; /* we sent it */

        /* decoding in place during vw_tn_input() */
        uint8_t *dec;
        size_t dec_len;
        /* Chunks the routes refused (overflow = block): one read can split into more chunks than
         * the room it was sized for (a SET or a break between data). Kept in order as records
         * [type, u32 length, bytes] and written before the socket is read again. */
        uint8_t *held;
        size_t held_len;
        uint64_t held_dropped;

        uint8_t *out;
        size_t out_off, out_len;
        uint64_t out_dropped;

        /* client: the local port as it asked, kept across connections */
        struct vw_rfc2217_port want;
        bool have_want;
        uint32_t lines; /* the input lines last given to the port */
        bool lines_told;
        sd_event_source *brk_timer;
        bool brk_timing; /* a timed break in progress: data waits */
        uint64_t breaks_out, purges_out, linestate_in;
        char signature[96];
};

/* ---- output ---- */

static void out_append(struct vw_tn *tn, const uint8_t *p, size_t n)
{
        if (tn->out_off > 0 && tn->out_len + n > OUT_CAP) {
                memmove(tn->out, tn->out + tn->out_off, tn->out_len - tn->out_off);
                tn->out_len -= tn->out_off;
                tn->out_off = 0;
        }
        if (tn->out_len + n > OUT_CAP) {
                tn->out_dropped += n;
                return;
        }
        memcpy(tn->out + tn->out_len, p, n);
        tn->out_len += n;
}

static void tn_send(void *userdata, const uint8_t *p, size_t n)
{
        struct vw_tn *tn = userdata;

        if (tn->connected)
                out_append(tn, p, n);
}

static void cpo_send(void *userdata, const uint8_t *p, size_t n)
{
        struct vw_tn *tn = userdata;

        vw_telnet_send_subneg(&tn->t, VW_TELOPT_COM_PORT, p, n);
}

size_t vw_tn_out(struct vw_tn *tn, const uint8_t **ret)
{
        *ret = tn->out + tn->out_off;
        return tn->out_len - tn->out_off;
}

void vw_tn_out_done(struct vw_tn *tn, size_t n)
{
        tn->out_off += n;
        if (tn->out_off >= tn->out_len)
                tn->out_off = tn->out_len = 0;
}

bool vw_tn_may_send(const struct vw_tn *tn)
{
        return !tn->suspended && !tn->brk_timing;
}

/* ---- into the port ---- */

#define HELD_CAP (128u * 1024u) /* a read's bytes (64 KiB at most) with their events */
#define HELD_HDR 5u

static void hold(struct vw_tn *tn, enum vw_chunk_type type, const void *data, size_t len)
{
        uint32_t l = (uint32_t)len;

        if (!tn->held)
                tn->held = malloc(HELD_CAP);
        if (!tn->held || tn->held_len + HELD_HDR + len > HELD_CAP) {
                tn->held_dropped += len;
                vw_port_count_dropped(tn->ep->port, len);
                return;
        }
        tn->held[tn->held_len] = (uint8_t)type;
        memcpy(tn->held + tn->held_len + 1, &l, sizeof(l));
        memcpy(tn->held + tn->held_len + HELD_HDR, data, len);
        tn->held_len += HELD_HDR + len;
}

/* Into the port, behind whatever is held; what the routes refuse waits (they wake us with room). */
static void to_port(struct vw_tn *tn, enum vw_chunk_type type, const void *data, size_t len)
{
        int r = -EAGAIN;

        if (tn->held_len == 0)
                r = vw_port_write(tn->ep->port, type, data, len);
        if (r == -EAGAIN) {
                hold(tn, type, data, len);
        } else if (r < 0) {
                log_error_errno(r, "socket %s: routes refused a %zu-byte chunk", tn->ep->name, len);
                vw_port_count_dropped(tn->ep->port, len);
        }
}

bool vw_tn_deliver_held(struct vw_tn *tn)
{
        size_t off = 0;

        while (off < tn->held_len) {
                uint32_t len;
                int r;

                memcpy(&len, tn->held + off + 1, sizeof(len));
                r = vw_port_write(tn->ep->port, (enum vw_chunk_type)tn->held[off], tn->held + off + HELD_HDR, len);
                if (r == -EAGAIN)
                        break;
                if (r < 0)
                        vw_port_count_dropped(tn->ep->port, len);
                off += HELD_HDR + len;
        }
        /* nothing held (tn->held may still be NULL then): memmove() must not see a NULL */
        if (off > 0 && off < tn->held_len)
                memmove(tn->held, tn->held + off, tn->held_len - off);
        tn->held_len -= off;
        return tn->held_len == 0;
}

static void flush_decoded(struct vw_tn *tn)
{
        if (!tn->dec || tn->dec_len == 0)
                return;
        to_port(tn, VW_CHUNK_BYTES, tn->dec, tn->dec_len);
        /* what follows is decoded after what was taken: never beyond the input read so far */
        tn->dec_len = 0;
}

static void line_event(struct vw_tn *tn, enum vw_line_event_type type, uint32_t ms)
{
        struct vw_line_event ev = { .type = (uint8_t)type, .duration_ms = ms };

        flush_decoded(tn);
        to_port(tn, VW_CHUNK_LINE, &ev, sizeof(ev));
}

static void port_signal(struct vw_tn *tn, struct vw_signal *sig)
{
        flush_decoded(tn);
        vw_port_signal(tn->ep->port, sig);
}

static void tn_data(void *userdata, const uint8_t *p, size_t n)
{
        struct vw_tn *tn = userdata;

        if (!tn->dec) /* outside vw_tn_input(): nothing to decode into */
                return;
        if (p != tn->dec + tn->dec_len) /* nothing was taken out before: already in place */
                memmove(tn->dec + tn->dec_len, p, n);
        tn->dec_len += n;
}

static void tn_command(void *userdata, uint8_t cmd)
{
        struct vw_tn *tn = userdata;

        if (cmd == VW_TELNET_BRK && tn->server)
                line_event(tn, VW_LINE_BREAK, IAC_BRK_MS);
}

/* ---- server ---- */

static void srv_changed(void *userdata, unsigned what)
{
        struct vw_tn *tn = userdata;
        struct vw_signal sig = { .type = VW_SIGNAL_PARAMS };

        if (what & VW_RFC2217_CHANGED_LINE) {
                vw_rfc2217_port_to_params(&tn->srv.port, &sig.params);
                tn->want_echo = true;
                tn->got_echo = false;
                port_signal(tn, &sig);
                tn->want_echo = false;
                if (tn->got_echo)
                        vw_rfc2217_port_from_params(&tn->srv.port, &tn->echo);
        }
        if (what & VW_RFC2217_CHANGED_MODEM) {
                sig = (struct vw_signal){ .type = VW_SIGNAL_MODEM };
                sig.modem = (tn->srv.port.dtr ? TIOCM_DTR : 0) | (tn->srv.port.rts ? TIOCM_RTS : 0);
                port_signal(tn, &sig);
        }
        if (what & VW_RFC2217_CHANGED_BREAK)
                line_event(tn, tn->srv.port.brk ? VW_LINE_BREAK : VW_LINE_BREAK_END, 0);
}

static void srv_purge(void *userdata, uint8_t what)
{
        struct vw_tn *tn = userdata;
        struct vw_signal sig = { .type = VW_SIGNAL_PURGE };

        /* 1: what the port's line gave and the client has not got (ours too); 2: what the client
         * sent that has not gone out on the port's line */
        if ((what & VW_RFC2217_PURGE_RX) && tn->sink)
                vw_sink_discard(tn->sink);
        sig.purge = ((what & VW_RFC2217_PURGE_RX) ? VW_PURGE_RX : 0) | ((what & VW_RFC2217_PURGE_TX) ? VW_PURGE_TX : 0);
        port_signal(tn, &sig);
}

static void tn_suspend(void *userdata, bool on)
{
        struct vw_tn *tn = userdata;

        tn->suspended = on;
        if (!on)
                tn->kick(tn->userdata);
}

static const struct vw_rfc2217_server_ops srv_ops = {
        .send = cpo_send,
        .changed = srv_changed,
        .purge = srv_purge,
        .suspend = tn_suspend,
};

/* ---- client ---- */

/* The remote port's input lines become the local port's, as they are; DTR/RTS beside them are
 * the crossed-back approximation for receivers that drive outputs (see VW_MODEM_DIRECT). */
static void give_lines(struct vw_tn *tn, uint32_t lines)
{
        struct vw_signal sig = { .type = VW_SIGNAL_MODEM };

        sig.modem =
                VW_MODEM_DIRECT | lines | ((lines & TIOCM_CTS) ? TIOCM_RTS : 0) | ((lines & TIOCM_DSR) ? TIOCM_DTR : 0);

        if (tn->lines_told && lines == tn->lines)
                return;
        tn->lines = lines;
        tn->lines_told = true;
        port_signal(tn, &sig);
}

static void cli_modem(void *userdata, uint8_t m)
{
        give_lines(userdata, vw_rfc2217_modem_to_tiocm(m));
}

static void cli_linestate(void *userdata, uint8_t ls)
{
        struct vw_tn *tn = userdata;

        tn->linestate_in++;
        if (ls & VW_RFC2217_LINE_BREAK)
                line_event(tn, VW_LINE_BREAK, IAC_BRK_MS);
        if (ls & VW_RFC2217_LINE_FRAMING)
                line_event(tn, VW_LINE_FRAME_ERROR, 0);
        if (ls & VW_RFC2217_LINE_PARITY)
                line_event(tn, VW_LINE_PARITY_ERROR, 0);
}

static const struct vw_rfc2217_client_ops cli_ops = {
        .send = cpo_send,
        .modem = cli_modem,
        .linestate = cli_linestate,
        .suspend = tn_suspend,
};

static void cli_update(struct vw_tn *tn)
{
        if (tn->connected && tn->comport) {
                vw_rfc2217_client_set(&tn->cli, &tn->want);
                tn->kick(tn->userdata);
        }
}

static int brk_done(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct vw_tn *tn = userdata;

        tn->brk_timing = false;
        tn->want.brk = false;
        cli_update(tn);
        tn->kick(tn->userdata); /* the data after the break goes now */
        return 0;
}

static void cli_break(struct vw_tn *tn, uint32_t ms)
{
        int r;

        tn->breaks_out++;
        if (tn->protocol == VW_SOCK_PROTO_TELNET) {
                vw_telnet_send_command(&tn->t, VW_TELNET_BRK);
                return;
        }
        tn->want.brk = true;
        cli_update(tn);
        if (ms == 0)
                return; /* until VW_LINE_BREAK_END */
        if (!tn->brk_timer)
                r = sd_event_add_time_relative(vw_endpoint_event(tn->ep), &tn->brk_timer, CLOCK_MONOTONIC,
                                               (uint64_t)ms * 1000u, 1000, brk_done, tn);
        else if ((r = sd_event_source_set_time_relative(tn->brk_timer, (uint64_t)ms * 1000u)) >= 0)
                r = sd_event_source_set_enabled(tn->brk_timer, SD_EVENT_ONESHOT);
        if (r < 0) {
                log_warning_errno(r, "socket %s: cannot time a break", tn->ep->name);
                tn->want.brk = false;
                cli_update(tn);
                return;
        }
        tn->brk_timing = true;
}

/* ---- telnet ---- */

static void tn_option(void *userdata, uint8_t opt, bool remote, bool on)
{
        struct vw_tn *tn = userdata;

        if (opt != VW_TELOPT_COM_PORT || !on || tn->comport || tn->protocol != VW_SOCK_PROTO_RFC2217)
                return;
        tn->comport = true;
        if (tn->server)
                vw_rfc2217_server_start(&tn->srv);
        else
                vw_rfc2217_client_start(&tn->cli, tn->signature, &tn->want);
}

static void tn_subneg(void *userdata, uint8_t opt, const uint8_t *p, size_t n)
{
        struct vw_tn *tn = userdata;

        if (opt != VW_TELOPT_COM_PORT || tn->protocol != VW_SOCK_PROTO_RFC2217)
                return;
        if (!tn->comport)
                tn_option(tn, opt, true, true);
        if (tn->server)
                vw_rfc2217_server_input(&tn->srv, p, n);
        else
                vw_rfc2217_client_input(&tn->cli, p, n);
}

static const struct vw_telnet_ops telnet_ops = {
        .send = tn_send,
        .data = tn_data,
        .command = tn_command,
        .option = tn_option,
        .subneg = tn_subneg,
};

int vw_tn_new(struct vw_endpoint *ep, int protocol, bool server, vw_tn_kick_fn kick, void *userdata, struct vw_tn **ret)
{
        struct vw_tn *tn = calloc(1, sizeof(*tn));

        if (!tn)
                return -ENOMEM;
        tn->out = malloc(OUT_CAP);
        if (!tn->out) {
                free(tn);
                return -ENOMEM;
        }
        tn->ep = ep;
        tn->protocol = protocol;
        tn->server = server;
        tn->kick = kick;
        tn->userdata = userdata;
        vw_rfc2217_port_default(&tn->want);
        snprintf(tn->signature, sizeof(tn->signature), "vwire %s %s", VWIRE_VERSION, ep->name);
        *ret = tn;
        return 0;
}

void vw_tn_free(struct vw_tn *tn)
{
        if (!tn)
                return;
        sd_event_source_disable_unref(tn->brk_timer);
        free(tn->held);
        free(tn->out);
        free(tn);
}

void vw_tn_set_sink(struct vw_tn *tn, struct vw_sink *sink)
{
        tn->sink = sink;
}

void vw_tn_connected(struct vw_tn *tn)
{
        static const uint8_t opts[] = { VW_TELOPT_BINARY, VW_TELOPT_SGA };

        vw_telnet_init(&tn->t, &telnet_ops, tn);
        /* a serial port's bytes: a CR NUL from a client that never asked for BINARY is data too */
        tn->t.nvt_cr = tn->protocol != VW_SOCK_PROTO_RFC2217;
        vw_rfc2217_server_init(&tn->srv, &srv_ops, tn, tn->signature);
        if (!tn->server) {
                /* a client's own state (the local port's settings, the remote's answers) lives on */
                struct vw_rfc2217_client old = tn->cli;

                vw_rfc2217_client_init(&tn->cli, &cli_ops, tn);
                tn->cli.remote = old.remote;
                memcpy(tn->cli.signature, old.signature, sizeof(old.signature));
        }
        tn->connected = true;
        tn->comport = tn->suspended = tn->told_suspend = false;
        tn->out_off = tn->out_len = 0;
        (void)sd_event_now(vw_endpoint_event(tn->ep), CLOCK_MONOTONIC, &tn->connected_at);
        for (size_t i = 0; i < sizeof(opts); i++) {
                vw_telnet_support(&tn->t, opts[i], true, true);
                vw_telnet_request(&tn->t, opts[i], false, true);
                vw_telnet_request(&tn->t, opts[i], true, true);
        }
        if (tn->protocol == VW_SOCK_PROTO_RFC2217) {
                /* either side's COM-PORT-OPTION carries the subnegotiations; ask for the one RFC 2217
                 * names: the client's WILL, the server's DO */
                vw_telnet_support(&tn->t, VW_TELOPT_COM_PORT, true, true);
                vw_telnet_request(&tn->t, VW_TELOPT_COM_PORT, tn->server, true);
        }
        if (tn->protocol == VW_SOCK_PROTO_RFC2217 && tn->server) {
                /* a client that connects is a device that is switched on: DTR and RTS up */
                struct vw_signal sig = { .type = VW_SIGNAL_MODEM, .modem = TIOCM_DTR | TIOCM_RTS };

                vw_port_signal(tn->ep->port, &sig);
        } else if (tn->protocol == VW_SOCK_PROTO_RFC2217) {
                /* a connected line until the server's modem state says otherwise */
                give_lines(tn, TIOCM_CTS | TIOCM_DSR | TIOCM_CD);
        }
        tn->kick(tn->userdata);
}

void vw_tn_disconnected(struct vw_tn *tn, bool last)
{
        struct vw_signal sig = { .type = VW_SIGNAL_MODEM, .modem = 0 };

        tn->connected = false;
        tn->comport = tn->suspended = false;
        tn->out_off = tn->out_len = 0;
        if (tn->brk_timer)
                (void)sd_event_source_set_enabled(tn->brk_timer, SD_EVENT_OFF);
        tn->brk_timing = false;
        tn->want.brk = false;
        if (tn->protocol != VW_SOCK_PROTO_RFC2217)
                return;
        if (!tn->server)
                give_lines(tn, 0); /* no carrier while there is no connection */
        else if (last)
                vw_port_signal(tn->ep->port, &sig);
}

void vw_tn_input(struct vw_tn *tn, uint8_t *buf, size_t n)
{
        tn->dec = buf;
        tn->dec_len = 0;
        vw_telnet_input(&tn->t, buf, n);
        flush_decoded(tn);
        tn->dec = NULL;
}

size_t vw_tn_take(struct vw_tn *tn, const struct vw_chunk *c)
{
        size_t used = 0, room = OUT_CAP - tn->out_len;

        if (c->type == VW_CHUNK_LINE) {
                const struct vw_line_event *ev = (const void *)c->data;

                if (c->len < sizeof(*ev))
                        return c->len;
                if (tn->server && tn->protocol == VW_SOCK_PROTO_RFC2217)
                        vw_rfc2217_server_linestate(&tn->srv,
                                                    ev->type == VW_LINE_BREAK          ? VW_RFC2217_LINE_BREAK
                                                    : ev->type == VW_LINE_FRAME_ERROR  ? VW_RFC2217_LINE_FRAMING
                                                    : ev->type == VW_LINE_PARITY_ERROR ? VW_RFC2217_LINE_PARITY
                                                                                       : 0);
                else if (!tn->server && ev->type == VW_LINE_BREAK)
                        cli_break(tn, ev->duration_ms);
                else if (!tn->server && ev->type == VW_LINE_BREAK_END && tn->want.brk) {
                        tn->want.brk = false;
                        cli_update(tn);
                }
                return c->len;
        }
        tn->out_len += vw_telnet_escape(c->data, MIN((size_t)c->len, (size_t)OUT_DATA), tn->out + tn->out_len,
                                        MIN(room, 2 * (size_t)OUT_DATA), &used);
        return used;
}

void vw_tn_signal(struct vw_tn *tn, const struct vw_signal *sig)
{
        if (tn->protocol != VW_SOCK_PROTO_RFC2217)
                return;
        if (tn->server) {
                if (sig->type == VW_SIGNAL_PARAMS && tn->want_echo) {
                        tn->echo = sig->params;
                        tn->got_echo = true;
                }
                /* a null-modem peer's outputs, crossed; a device's lines as they are (VW_MODEM_DIRECT) */
                if (sig->type != VW_SIGNAL_MODEM)
                        return;
                vw_rfc2217_server_modem(&tn->srv, vw_rfc2217_modem_from_tiocm(vw_serial_crossed(sig->modem)));
                tn->kick(tn->userdata);
                return;
        }
        switch (sig->type) {
        case VW_SIGNAL_PARAMS:
                vw_rfc2217_port_from_params(&tn->want, &sig->params);
                tn->have_want = true;
                break;
        case VW_SIGNAL_MODEM:
                tn->want.dtr = (sig->modem & TIOCM_DTR) != 0;
                tn->want.rts = (sig->modem & TIOCM_RTS) != 0;
                break;
        case VW_SIGNAL_PURGE:
                /* the local port flushed: RX, what it would get from the remote; TX, what it sent */
                if ((sig->purge & VW_PURGE_TX) && tn->sink)
                        vw_sink_discard(tn->sink);
                if (tn->connected && tn->comport) {
                        tn->purges_out++;
                        vw_rfc2217_client_purge(&tn->cli,
                                                (uint8_t)(((sig->purge & VW_PURGE_RX) ? VW_RFC2217_PURGE_RX : 0) |
                                                          ((sig->purge & VW_PURGE_TX) ? VW_RFC2217_PURGE_TX : 0)));
                        tn->kick(tn->userdata);
                }
                return;
        default:
                return;
        }
        cli_update(tn);
}

void vw_tn_paused(struct vw_tn *tn, bool paused)
{
        uint8_t cmd = paused ? VW_RFC2217_FLOWCONTROL_SUSPEND : VW_RFC2217_FLOWCONTROL_RESUME;

        if (tn->protocol != VW_SOCK_PROTO_RFC2217 || !tn->comport || paused == tn->told_suspend)
                return;
        tn->told_suspend = paused;
        if (tn->server)
                cmd += VW_RFC2217_SERVER;
        vw_telnet_send_subneg(&tn->t, VW_TELOPT_COM_PORT, &cmd, 1);
        tn->kick(tn->userdata);
}

/* ---- show, doctor ---- */

static json_object *options_json(const struct vw_tn *tn, bool remote)
{
        static const struct {
                uint8_t opt;
                const char *name;
        } names[] = { { VW_TELOPT_BINARY, "binary" }, { VW_TELOPT_SGA, "sga" }, { VW_TELOPT_COM_PORT, "com-port" } };
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (vw_telnet_enabled(&tn->t, names[i].opt, remote))
                        json_object_array_add(a, json_object_new_string(names[i].name));
        return a;
}

static json_object *port_json(const struct vw_rfc2217_port *p)
{
        json_object *o = json_object_new_object();
        struct vw_line_params lp;
        char buf[64];

        vw_rfc2217_port_to_params(p, &lp);
        json_object_object_add(o, "line", json_object_new_string(vw_line_params_to_string(&lp, buf, sizeof(buf))));
        json_object_object_add(o, "dtr", json_object_new_boolean(p->dtr));
        json_object_object_add(o, "rts", json_object_new_boolean(p->rts));
        json_object_object_add(o, "break", json_object_new_boolean(p->brk));
        return o;
}

void vw_tn_describe(struct vw_tn *tn, json_object *o)
{
        char buf[512];

        json_object_object_add(o, "protocol", json_object_new_string(vw_sock_protocol_names[tn->protocol]));
        if (tn->connected) {
                json_object_object_add(o, "options_local", options_json(tn, false));
                json_object_object_add(o, "options_remote", options_json(tn, true));
                json_object_object_add(o, "refused_options", json_object_new_int64((int64_t)tn->t.stats.refused));
        }
        if (tn->protocol != VW_SOCK_PROTO_RFC2217)
                return;
        json_object_object_add(o, "com_port", json_object_new_boolean(tn->comport));
        json_object_object_add(o, "peer_suspended", json_object_new_boolean(tn->suspended));
        if (tn->server) {
                json_object_object_add(o, "port", port_json(&tn->srv.port));
                json_object_object_add(o, "client_signature", json_object_new_string(tn->srv.client_signature));
                json_object_object_add(o, "linestate_mask", json_object_new_int(tn->srv.linestate_mask));
                json_object_object_add(o, "modemstate_mask", json_object_new_int(tn->srv.modemstate_mask));
                json_object_object_add(o, "commands", json_object_new_int64((int64_t)tn->srv.commands));
                return;
        }
        json_object_object_add(o, "local", port_json(&tn->want));
        json_object_object_add(o, "remote", port_json(&tn->cli.remote));
        json_object_object_add(o, "remote_signature", json_object_new_string(tn->cli.signature));
        json_object_object_add(o, "refused",
                               json_object_new_string(vw_rfc2217_client_refusals(&tn->cli, buf, sizeof(buf))));
        if (tn->cli.have_modem) {
                uint32_t m = vw_rfc2217_modem_to_tiocm(tn->cli.modem);
                json_object *mo = json_object_new_object();

                json_object_object_add(mo, "cts", json_object_new_boolean((m & TIOCM_CTS) != 0));
                json_object_object_add(mo, "dsr", json_object_new_boolean((m & TIOCM_DSR) != 0));
                json_object_object_add(mo, "ri", json_object_new_boolean((m & TIOCM_RI) != 0));
                json_object_object_add(mo, "dcd", json_object_new_boolean((m & TIOCM_CD) != 0));
                json_object_object_add(o, "remote_modem", mo);
        }
        json_object_object_add(o, "answers", json_object_new_int64((int64_t)tn->cli.answers));
        json_object_object_add(o, "deviations", json_object_new_int64((int64_t)tn->cli.deviations));
        json_object_object_add(o, "cisco_baud_codes", json_object_new_boolean(tn->cli.cisco));
        json_object_object_add(o, "breaks_sent", json_object_new_int64((int64_t)tn->breaks_out));
        json_object_object_add(o, "purges_sent", json_object_new_int64((int64_t)tn->purges_out));
}

void vw_tn_doctor(struct vw_tn *tn, json_object *checks)
{
        const char *name = tn->ep->name;
        uint64_t now = 0;
        char buf[512];

        if (tn->protocol != VW_SOCK_PROTO_RFC2217 || tn->server || !tn->connected)
                return;
        (void)sd_event_now(vw_endpoint_event(tn->ep), CLOCK_MONOTONIC, &now);
        if (!tn->comport && now - tn->connected_at >= NEGOTIATE_USEC)
                vw_doctor_check_add(checks, "rfc2217", "fail", name,
                                    "check that the remote speaks RFC 2217 (ser2net: 'telnet(rfc2217)' in its "
                                    "accepter)",
                                    "socket %s: the remote never agreed to COM-PORT-OPTION: it carries data only, no "
                                    "settings or modem lines",
                                    name);
        else if (tn->cli.refused)
                vw_doctor_check_add(checks, "rfc2217", "warn", name,
                                    "set what the remote port can do, or fix its config", "socket %s: %s", name,
                                    vw_rfc2217_client_refusals(&tn->cli, buf, sizeof(buf)));
        else if (tn->comport)
                vw_doctor_check_add(checks, "rfc2217", "ok", name, NULL, "socket %s: RFC 2217 with %s", name,
                                    tn->cli.signature[0] ? tn->cli.signature : "a remote without a signature");
}
