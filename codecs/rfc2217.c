/* SPDX-License-Identifier: MIT */
/*
 * RFC 2217 subnegotiations, server and client. Numbers are big-endian on the wire. Known server
 * deviations the client takes: a baud answer longer than 4 bytes (padded: the first 4 count) or
 * of one byte (Cisco IOS's codes), a SET-CONTROL answer naming another setting than the one
 * asked (sredird answers every SET-CONTROL with 1), and no answer at all (pyserial's
 * PortManager never answers a query: nothing here waits for one).
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "macro.h"
#include "rfc2217.h"

#define LINESTATE_WANTED \
        (VW_RFC2217_LINE_OVERRUN | VW_RFC2217_LINE_PARITY | VW_RFC2217_LINE_FRAMING | VW_RFC2217_LINE_BREAK)

static const char *const command_names[] = {
        [VW_RFC2217_SIGNATURE] = "SIGNATURE",
        [VW_RFC2217_SET_BAUDRATE] = "SET-BAUDRATE",
        [VW_RFC2217_SET_DATASIZE] = "SET-DATASIZE",
        [VW_RFC2217_SET_PARITY] = "SET-PARITY",
        [VW_RFC2217_SET_STOPSIZE] = "SET-STOPSIZE",
        [VW_RFC2217_SET_CONTROL] = "SET-CONTROL",
        [VW_RFC2217_NOTIFY_LINESTATE] = "NOTIFY-LINESTATE",
        [VW_RFC2217_NOTIFY_MODEMSTATE] = "NOTIFY-MODEMSTATE",
        [VW_RFC2217_FLOWCONTROL_SUSPEND] = "FLOWCONTROL-SUSPEND",
        [VW_RFC2217_FLOWCONTROL_RESUME] = "FLOWCONTROL-RESUME",
        [VW_RFC2217_SET_LINESTATE_MASK] = "SET-LINESTATE-MASK",
        [VW_RFC2217_SET_MODEMSTATE_MASK] = "SET-MODEMSTATE-MASK",
        [VW_RFC2217_PURGE_DATA] = "PURGE-DATA",
};

const char *vw_rfc2217_command_name(uint8_t cmd)
{
        return cmd < ELEMENTSOF(command_names) ? command_names[cmd] : NULL;
}

void vw_rfc2217_port_default(struct vw_rfc2217_port *ret)
{
        *ret = (struct vw_rfc2217_port){
                .baud = 9600,
                .datasize = 8,
                .parity = VW_RFC2217_PARITY_NONE,
                .stopsize = VW_RFC2217_STOP_1,
                .flow = VW_RFC2217_FLOW_NONE,
                .dtr = true,
                .rts = true,
        };
}

static const char parity_chars[] = { [VW_RFC2217_PARITY_NONE] = 'N',
                                     [VW_RFC2217_PARITY_ODD] = 'O',
                                     [VW_RFC2217_PARITY_EVEN] = 'E',
                                     [VW_RFC2217_PARITY_MARK] = 'M',
                                     [VW_RFC2217_PARITY_SPACE] = 'S' };

void vw_rfc2217_port_from_params(struct vw_rfc2217_port *port, const struct vw_line_params *p)
{
        if (p->baud)
                port->baud = p->baud;
        if (p->data_bits >= 5 && p->data_bits <= 8)
                port->datasize = p->data_bits;
        port->parity = VW_RFC2217_PARITY_NONE;
        for (unsigned i = VW_RFC2217_PARITY_NONE; i <= VW_RFC2217_PARITY_SPACE; i++)
                if (parity_chars[i] == p->parity)
                        port->parity = (uint8_t)i;
        /* termios' two stop bits are 1.5 with 5 data bits, as on a UART */
        port->stopsize = p->stop_bits != 2     ? VW_RFC2217_STOP_1
                         : port->datasize == 5 ? VW_RFC2217_STOP_1_5
                                               : VW_RFC2217_STOP_2;
        port->flow = p->rtscts ? VW_RFC2217_FLOW_HARDWARE : p->xonxoff ? VW_RFC2217_FLOW_XONXOFF : VW_RFC2217_FLOW_NONE;
}

void vw_rfc2217_port_to_params(const struct vw_rfc2217_port *port, struct vw_line_params *ret)
{
        *ret = (struct vw_line_params){
                .baud = port->baud,
                .data_bits = port->datasize,
                .parity = 'N',
                .stop_bits = port->stopsize == VW_RFC2217_STOP_1 ? 1 : 2,
                .rtscts = port->flow == VW_RFC2217_FLOW_HARDWARE,
                .xonxoff = port->flow == VW_RFC2217_FLOW_XONXOFF,
        };
        if (port->parity >= VW_RFC2217_PARITY_NONE && port->parity <= VW_RFC2217_PARITY_SPACE)
                ret->parity = parity_chars[port->parity];
}

uint8_t vw_rfc2217_modem_from_tiocm(uint32_t tiocm)
{
        return (uint8_t)(((tiocm & TIOCM_CTS) ? VW_RFC2217_MODEM_CTS : 0) |
                         ((tiocm & TIOCM_DSR) ? VW_RFC2217_MODEM_DSR : 0) |
                         ((tiocm & TIOCM_RI) ? VW_RFC2217_MODEM_RI : 0) |
                         ((tiocm & TIOCM_CD) ? VW_RFC2217_MODEM_DCD : 0));
}

uint32_t vw_rfc2217_modem_to_tiocm(uint8_t m)
{
        return ((m & VW_RFC2217_MODEM_CTS) ? TIOCM_CTS : 0) | ((m & VW_RFC2217_MODEM_DSR) ? TIOCM_DSR : 0) |
               ((m & VW_RFC2217_MODEM_RI) ? TIOCM_RI : 0) | ((m & VW_RFC2217_MODEM_DCD) ? TIOCM_CD : 0);
}

/* Cisco IOS's access servers took a one-byte index into their own table of rates. */
static const uint32_t cisco_rates[] = {
        [3] = 300,    [4] = 600,    [5] = 1200,   [6] = 2400,    [7] = 4800,   [8] = 9600,
        [10] = 19200, [12] = 38400, [13] = 57600, [14] = 115200, [15] = 230400
};

uint32_t vw_rfc2217_cisco_baud(uint8_t code)
{
        return code < ELEMENTSOF(cisco_rates) ? cisco_rates[code] : 0;
}

static uint8_t cisco_code(uint32_t baud)
{
        for (unsigned i = 0; i < ELEMENTSOF(cisco_rates); i++)
                if (cisco_rates[i] == baud && baud)
                        return (uint8_t)i;
        return 0;
}

static uint32_t be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

/* Which setting a SET-CONTROL value is about: 0 flow, 1 break, 2 DTR, 3 RTS, 4 inbound flow. */
static int control_group(uint8_t v)
{
        if (v <= 3 || v == VW_RFC2217_FLOW_DCD || v == VW_RFC2217_FLOW_DSR)
                return 0;
        if (v <= 6)
                return 1;
        if (v <= 9)
                return 2;
        if (v <= 12)
                return 3;
        if (v <= 16 || v == VW_RFC2217_INFLOW_DTR)
                return 4;
        return -1;
}

/* ---- server ---- */

void vw_rfc2217_server_init(struct vw_rfc2217_server *s, const struct vw_rfc2217_server_ops *ops, void *userdata,
                            const char *signature)
{
        *s = (struct vw_rfc2217_server){
                .ops = ops,
                .userdata = userdata,
                .inflow = VW_RFC2217_INFLOW_NONE,
                .linestate_mask = 0,
                .modemstate_mask = 255,
                .signature = signature ? signature : "",
        };
        vw_rfc2217_port_default(&s->port);
}

static void server_reply(struct vw_rfc2217_server *s, uint8_t cmd, const uint8_t *v, size_t n)
{
        uint8_t buf[1 + 128];

        n = MIN(n, sizeof(buf) - 1);
        buf[0] = (uint8_t)(VW_RFC2217_SERVER + cmd);
        if (n)
                memcpy(buf + 1, v, n);
        s->ops->send(s->userdata, buf, 1 + n);
}

static void server_reply_byte(struct vw_rfc2217_server *s, uint8_t cmd, uint8_t v)
{
        server_reply(s, cmd, &v, 1);
}

static void server_notify_modem(struct vw_rfc2217_server *s, bool force)
{
        uint8_t changed = s->modem ^ s->modem_told, delta = 0;

        if (changed & VW_RFC2217_MODEM_CTS)
                delta |= VW_RFC2217_MODEM_DELTA_CTS;
        if (changed & VW_RFC2217_MODEM_DSR)
                delta |= VW_RFC2217_MODEM_DELTA_DSR;
        if (changed & VW_RFC2217_MODEM_DCD)
                delta |= VW_RFC2217_MODEM_DELTA_DCD;
        if ((s->modem_told & VW_RFC2217_MODEM_RI) && !(s->modem & VW_RFC2217_MODEM_RI))
                delta |= VW_RFC2217_MODEM_RI_TRAILING;
        if (!force && !((changed | delta) & s->modemstate_mask))
                return;
        server_reply_byte(s, VW_RFC2217_NOTIFY_MODEMSTATE, (uint8_t)((s->modem | delta) & s->modemstate_mask));
        s->modem_told = s->modem;
}

void vw_rfc2217_server_start(struct vw_rfc2217_server *s)
{
        if (s->told)
                return;
        s->told = true;
        s->modem_told = s->modem;
        server_notify_modem(s, true);
}

void vw_rfc2217_server_modem(struct vw_rfc2217_server *s, uint8_t lines)
{
        s->modem = lines & (VW_RFC2217_MODEM_CTS | VW_RFC2217_MODEM_DSR | VW_RFC2217_MODEM_RI | VW_RFC2217_MODEM_DCD);
        if (s->told)
                server_notify_modem(s, false);
}

void vw_rfc2217_server_linestate(struct vw_rfc2217_server *s, uint8_t bits)
{
        if (s->told && (bits & s->linestate_mask))
                server_reply_byte(s, VW_RFC2217_NOTIFY_LINESTATE, bits & s->linestate_mask);
}

static void changed(struct vw_rfc2217_server *s, unsigned what)
{
        if (s->ops->changed)
                s->ops->changed(s->userdata, what);
}

/* A one-byte setting: 0 asks, a value in [lo, hi] sets (when it differs), anything else is
 * refused by answering the value in effect. */
static void server_set_byte(struct vw_rfc2217_server *s, uint8_t cmd, const uint8_t *v, size_t n, uint8_t *field,
                            uint8_t lo, uint8_t hi)
{
        if (n < 1) {
                s->bad++;
                return;
        }
        if (v[0] >= lo && v[0] <= hi && v[0] != *field) {
                *field = v[0];
                changed(s, VW_RFC2217_CHANGED_LINE);
        } else if (v[0] != 0 && (v[0] < lo || v[0] > hi)) {
                s->bad++;
        }
        server_reply_byte(s, cmd, *field);
}

static bool set_flag(bool *field, bool on)
{
        if (*field == on)
                return false;
        *field = on;
        return true;
}

static void server_control(struct vw_rfc2217_server *s, uint8_t v)
{
        struct vw_rfc2217_port *p = &s->port;
        uint8_t answer;

        switch (control_group(v)) {
        case 0:
                if (v >= VW_RFC2217_FLOW_NONE && v <= VW_RFC2217_FLOW_HARDWARE && v != p->flow) {
                        p->flow = v;
                        changed(s, VW_RFC2217_CHANGED_LINE);
                }
                answer = p->flow; /* DCD and DSR flow control are not offered */
                break;
        case 1:
                if (v != VW_RFC2217_BREAK_REQUEST && set_flag(&p->brk, v == VW_RFC2217_BREAK_ON))
                        changed(s, VW_RFC2217_CHANGED_BREAK);
                answer = p->brk ? VW_RFC2217_BREAK_ON : VW_RFC2217_BREAK_OFF;
                break;
        case 2:
                if (v != VW_RFC2217_DTR_REQUEST && set_flag(&p->dtr, v == VW_RFC2217_DTR_ON))
                        changed(s, VW_RFC2217_CHANGED_MODEM);
                answer = p->dtr ? VW_RFC2217_DTR_ON : VW_RFC2217_DTR_OFF;
                break;
        case 3:
                if (v != VW_RFC2217_RTS_REQUEST && set_flag(&p->rts, v == VW_RFC2217_RTS_ON))
                        changed(s, VW_RFC2217_CHANGED_MODEM);
                answer = p->rts ? VW_RFC2217_RTS_ON : VW_RFC2217_RTS_OFF;
                break;
        case 4:
                if (v >= VW_RFC2217_INFLOW_NONE && v <= VW_RFC2217_INFLOW_HARDWARE)
                        s->inflow = v;
                answer = s->inflow;
                break;
        default:
                s->bad++;
                return;
        }
        server_reply_byte(s, VW_RFC2217_SET_CONTROL, answer);
}

/* A signature is shown by vwirectl: no control characters from a peer. */
static char printable(uint8_t b)
{
        if (b < 0x20 || b >= 0x7f)
                return '?';
        return (char)b;
}

static void server_signature(struct vw_rfc2217_server *s, const uint8_t *v, size_t n)
{
        size_t k = 0;

        if (n == 0) {
                server_reply(s, VW_RFC2217_SIGNATURE, (const uint8_t *)s->signature, strlen(s->signature));
                return;
        }
        /* the client's own, kept for `vwirectl show`: printable bytes only */
        for (size_t i = 0; i < n && k + 1 < sizeof(s->client_signature); i++)
                s->client_signature[k++] = printable(v[i]);
        s->client_signature[k] = '\0';
}

void vw_rfc2217_server_input(struct vw_rfc2217_server *s, const uint8_t *p, size_t n)
{
        const uint8_t *v = p + 1;
        size_t vn = n ? n - 1 : 0;
        uint8_t buf[4];

        if (n == 0) {
                s->bad++;
                return;
        }
        s->commands++;
        switch (p[0]) {
        case VW_RFC2217_SIGNATURE:
                server_signature(s, v, vn);
                break;
        case VW_RFC2217_SET_BAUDRATE:
                if (vn < 4) {
                        s->bad++;
                        break;
                }
                if (be32(v) != 0 && be32(v) != s->port.baud) {
                        s->port.baud = be32(v);
                        changed(s, VW_RFC2217_CHANGED_LINE);
                }
                put_be32(buf, s->port.baud);
                server_reply(s, VW_RFC2217_SET_BAUDRATE, buf, 4);
                break;
        case VW_RFC2217_SET_DATASIZE:
                server_set_byte(s, p[0], v, vn, &s->port.datasize, 5, 8);
                break;
        case VW_RFC2217_SET_PARITY:
                server_set_byte(s, p[0], v, vn, &s->port.parity, VW_RFC2217_PARITY_NONE, VW_RFC2217_PARITY_SPACE);
                break;
        case VW_RFC2217_SET_STOPSIZE:
                server_set_byte(s, p[0], v, vn, &s->port.stopsize, VW_RFC2217_STOP_1, VW_RFC2217_STOP_1_5);
                break;
        case VW_RFC2217_SET_CONTROL:
                if (vn < 1)
                        s->bad++;
                else
                        server_control(s, v[0]);
                break;
        case VW_RFC2217_NOTIFY_LINESTATE:
                /* a poll (pyserial sends these): nothing is pending on a virtual line */
                server_reply_byte(s, VW_RFC2217_NOTIFY_LINESTATE, 0);
                break;
        case VW_RFC2217_NOTIFY_MODEMSTATE:
                server_reply_byte(s, VW_RFC2217_NOTIFY_MODEMSTATE, s->modem & s->modemstate_mask);
                s->modem_told = s->modem;
                break;
        case VW_RFC2217_FLOWCONTROL_SUSPEND:
        case VW_RFC2217_FLOWCONTROL_RESUME:
                if (set_flag(&s->suspended, p[0] == VW_RFC2217_FLOWCONTROL_SUSPEND) && s->ops->suspend)
                        s->ops->suspend(s->userdata, s->suspended);
                break;
        case VW_RFC2217_SET_LINESTATE_MASK:
                if (vn >= 1)
                        s->linestate_mask = v[0];
                server_reply_byte(s, p[0], s->linestate_mask);
                break;
        case VW_RFC2217_SET_MODEMSTATE_MASK:
                if (vn >= 1)
                        s->modemstate_mask = v[0];
                server_reply_byte(s, p[0], s->modemstate_mask);
                break;
        case VW_RFC2217_PURGE_DATA:
                if (vn < 1 || v[0] < VW_RFC2217_PURGE_RX || v[0] > VW_RFC2217_PURGE_BOTH) {
                        s->bad++;
                        break;
                }
                if (s->ops->purge)
                        s->ops->purge(s->userdata, v[0]);
                server_reply_byte(s, p[0], v[0]);
                break;
        default:
                s->bad++; /* a server's command (>= 100) or an unknown one */
                s->commands--;
                break;
        }
}

/* ---- client ---- */

void vw_rfc2217_client_init(struct vw_rfc2217_client *c, const struct vw_rfc2217_client_ops *ops, void *userdata)
{
        *c = (struct vw_rfc2217_client){ .ops = ops, .userdata = userdata };
        vw_rfc2217_port_default(&c->want);
        vw_rfc2217_port_default(&c->remote);
}

static void client_send(struct vw_rfc2217_client *c, uint8_t cmd, const uint8_t *v, size_t n)
{
        uint8_t buf[1 + 128];

        n = MIN(n, sizeof(buf) - 1);
        buf[0] = cmd;
        if (n)
                memcpy(buf + 1, v, n);
        c->ops->send(c->userdata, buf, 1 + n);
}

static void client_send_byte(struct vw_rfc2217_client *c, uint8_t cmd, uint8_t v)
{
        client_send(c, cmd, &v, 1);
}

static void client_control(struct vw_rfc2217_client *c, uint8_t v)
{
        if (c->n_control == VW_RFC2217_CONTROL_QUEUE) {
                /* a server that answers nothing: forget the oldest */
                memmove(c->control, c->control + 1, sizeof(c->control) - 1);
                c->n_control--;
        }
        c->control[c->n_control++] = v;
        client_send_byte(c, VW_RFC2217_SET_CONTROL, v);
}

void vw_rfc2217_client_set(struct vw_rfc2217_client *c, const struct vw_rfc2217_port *w)
{
        struct vw_rfc2217_port *had = &c->want;
        unsigned todo = 0;

        /* what differs, or was never sent; a baud rate of 0 (a hang-up) would read as a query */
        if (w->baud && (w->baud != had->baud || !(c->sent & VW_RFC2217_SET_BAUD_BIT)))
                todo |= VW_RFC2217_SET_BAUD_BIT;
        if (w->datasize != had->datasize || !(c->sent & VW_RFC2217_SET_SIZE_BIT))
                todo |= VW_RFC2217_SET_SIZE_BIT;
        if (w->parity != had->parity || !(c->sent & VW_RFC2217_SET_PARITY_BIT))
                todo |= VW_RFC2217_SET_PARITY_BIT;
        if (w->stopsize != had->stopsize || !(c->sent & VW_RFC2217_SET_STOP_BIT))
                todo |= VW_RFC2217_SET_STOP_BIT;
        if (w->flow != had->flow || !(c->sent & VW_RFC2217_SET_FLOW_BIT))
                todo |= VW_RFC2217_SET_FLOW_BIT;
        if (w->dtr != had->dtr || !(c->sent & VW_RFC2217_SET_DTR_BIT))
                todo |= VW_RFC2217_SET_DTR_BIT;
        if (w->rts != had->rts || !(c->sent & VW_RFC2217_SET_RTS_BIT))
                todo |= VW_RFC2217_SET_RTS_BIT;
        /* a break is sent when it changes only: a new connection starts without one */
        if (w->brk != had->brk)
                todo |= VW_RFC2217_SET_BREAK_BIT;

        if (todo & VW_RFC2217_SET_BAUD_BIT) {
                uint8_t b[4], code = cisco_code(w->baud);

                if (c->cisco && code) {
                        client_send_byte(c, VW_RFC2217_SET_BAUDRATE, code);
                } else {
                        put_be32(b, w->baud);
                        client_send(c, VW_RFC2217_SET_BAUDRATE, b, 4);
                }
                had->baud = w->baud;
        }
        if (todo & VW_RFC2217_SET_SIZE_BIT)
                client_send_byte(c, VW_RFC2217_SET_DATASIZE, had->datasize = w->datasize);
        if (todo & VW_RFC2217_SET_PARITY_BIT)
                client_send_byte(c, VW_RFC2217_SET_PARITY, had->parity = w->parity);
        if (todo & VW_RFC2217_SET_STOP_BIT)
                client_send_byte(c, VW_RFC2217_SET_STOPSIZE, had->stopsize = w->stopsize);
        if (todo & VW_RFC2217_SET_FLOW_BIT)
                client_control(c, had->flow = w->flow);
        if (todo & VW_RFC2217_SET_DTR_BIT)
                client_control(c, (had->dtr = w->dtr) ? VW_RFC2217_DTR_ON : VW_RFC2217_DTR_OFF);
        if (todo & VW_RFC2217_SET_RTS_BIT)
                client_control(c, (had->rts = w->rts) ? VW_RFC2217_RTS_ON : VW_RFC2217_RTS_OFF);
        if (todo & VW_RFC2217_SET_BREAK_BIT)
                client_control(c, (had->brk = w->brk) ? VW_RFC2217_BREAK_ON : VW_RFC2217_BREAK_OFF);
        c->sent |= todo;
        c->answered &= ~todo;
}

void vw_rfc2217_client_start(struct vw_rfc2217_client *c, const char *signature, const struct vw_rfc2217_port *want)
{
        c->sent = c->answered = c->refused = 0;
        c->n_control = 0;
        c->want.brk = false;
        c->suspended = false;
        c->have_modem = false;
        c->signature[0] = '\0';
        if (signature && *signature)
                client_send(c, VW_RFC2217_SIGNATURE, (const uint8_t *)signature, strlen(signature));
        client_send(c, VW_RFC2217_SIGNATURE, (const uint8_t *)"", 0); /* empty: a request */
        /* the modem-state mask is left at its default, 255: sent, its value would be IAC doubled
         * inside the subnegotiation, which sredird takes for the end and writes an SE to its port */
        client_send_byte(c, VW_RFC2217_SET_LINESTATE_MASK, LINESTATE_WANTED);
        vw_rfc2217_client_set(c, want);
}

void vw_rfc2217_client_purge(struct vw_rfc2217_client *c, uint8_t what)
{
        if (what >= VW_RFC2217_PURGE_RX && what <= VW_RFC2217_PURGE_BOTH)
                client_send_byte(c, VW_RFC2217_PURGE_DATA, what);
}

static void answered(struct vw_rfc2217_client *c, unsigned bit, bool same)
{
        c->answered |= bit;
        if (!(c->sent & bit))
                return; /* a report of a setting we never made */
        if (same)
                c->refused &= ~bit;
        else
                c->refused |= bit;
}

static void client_control_answer(struct vw_rfc2217_client *c, uint8_t v)
{
        static const unsigned bits[] = { VW_RFC2217_SET_FLOW_BIT, VW_RFC2217_SET_BREAK_BIT, VW_RFC2217_SET_DTR_BIT,
                                         VW_RFC2217_SET_RTS_BIT, 0 };
        int g = control_group(v);
        uint8_t asked;

        if (g < 0) {
                c->bad++;
                return;
        }
        if (c->n_control == 0) {
                /* unasked: the server tells its state */
                if (g == 0)
                        c->remote.flow = v;
                return;
        }
        asked = c->control[0];
        memmove(c->control, c->control + 1, sizeof(c->control) - 1);
        c->n_control--;
        if (control_group(asked) != g) {
                c->deviations++; /* answered about another setting than the one asked */
                return;
        }
        switch (g) {
        case 0:
                c->remote.flow = v;
                break;
        case 1:
                c->remote.brk = v == VW_RFC2217_BREAK_ON;
                break;
        case 2:
                c->remote.dtr = v == VW_RFC2217_DTR_ON;
                break;
        case 3:
                c->remote.rts = v == VW_RFC2217_RTS_ON;
                break;
        default:
                return;
        }
        answered(c, bits[g], v == asked);
}

static void client_signature(struct vw_rfc2217_client *c, const uint8_t *v, size_t n)
{
        size_t k = 0;

        if (n == 0) {
                /* the server asks for ours: the one sent at the start said it; say it again */
                return;
        }
        for (size_t i = 0; i < n && k + 1 < sizeof(c->signature); i++)
                c->signature[k++] = printable(v[i]);
        c->signature[k] = '\0';
}

void vw_rfc2217_client_input(struct vw_rfc2217_client *c, const uint8_t *p, size_t n)
{
        const uint8_t *v = p + 1;
        size_t vn = n ? n - 1 : 0;
        uint32_t baud;

        if (n == 0 || p[0] < VW_RFC2217_SERVER) {
                c->bad++;
                return;
        }
        c->answers++;
        switch (p[0] - VW_RFC2217_SERVER) {
        case VW_RFC2217_SIGNATURE:
                client_signature(c, v, vn);
                break;
        case VW_RFC2217_SET_BAUDRATE:
                if (vn == 1) {
                        c->cisco = true;
                        baud = vw_rfc2217_cisco_baud(v[0]);
                } else if (vn >= 4) {
                        baud = be32(v); /* longer: padding after the value (sredird) */
                } else {
                        c->bad++;
                        break;
                }
                c->remote.baud = baud;
                answered(c, VW_RFC2217_SET_BAUD_BIT, baud == c->want.baud);
                break;
        case VW_RFC2217_SET_DATASIZE:
                if (vn >= 1) {
                        c->remote.datasize = v[0];
                        answered(c, VW_RFC2217_SET_SIZE_BIT, v[0] == c->want.datasize);
                }
                break;
        case VW_RFC2217_SET_PARITY:
                if (vn >= 1) {
                        c->remote.parity = v[0];
                        answered(c, VW_RFC2217_SET_PARITY_BIT, v[0] == c->want.parity);
                }
                break;
        case VW_RFC2217_SET_STOPSIZE:
                if (vn >= 1) {
                        c->remote.stopsize = v[0];
                        answered(c, VW_RFC2217_SET_STOP_BIT, v[0] == c->want.stopsize);
                }
                break;
        case VW_RFC2217_SET_CONTROL:
                if (vn >= 1)
                        client_control_answer(c, v[0]);
                break;
        case VW_RFC2217_NOTIFY_LINESTATE:
                if (vn >= 1 && c->ops->linestate)
                        c->ops->linestate(c->userdata, v[0]);
                break;
        case VW_RFC2217_NOTIFY_MODEMSTATE:
                if (vn >= 1) {
                        c->modem = v[0];
                        c->have_modem = true;
                        if (c->ops->modem)
                                c->ops->modem(c->userdata, v[0]);
                }
                break;
        case VW_RFC2217_FLOWCONTROL_SUSPEND:
        case VW_RFC2217_FLOWCONTROL_RESUME:
                if (set_flag(&c->suspended, p[0] == VW_RFC2217_SERVER + VW_RFC2217_FLOWCONTROL_SUSPEND) &&
                    c->ops->suspend)
                        c->ops->suspend(c->userdata, c->suspended);
                break;
        case VW_RFC2217_SET_LINESTATE_MASK:
        case VW_RFC2217_SET_MODEMSTATE_MASK:
        case VW_RFC2217_PURGE_DATA:
                break;
        default:
                c->bad++;
                break;
        }
}

static const char *parity_name(uint8_t p)
{
        static const char *const names[] = { "?", "none", "odd", "even", "mark", "space" };

        return p < ELEMENTSOF(names) ? names[p] : "?";
}

static const char *stop_name(uint8_t s)
{
        static const char *const names[] = { "?", "1", "2", "1.5" };

        return s < ELEMENTSOF(names) ? names[s] : "?";
}

static const char *flow_name(uint8_t f)
{
        static const char *const names[] = { "?", "no", "xonxoff", "rtscts" };

        return f < ELEMENTSOF(names) ? names[f] : "?";
}

#define APPEND(...)                                                \
        do {                                                       \
                int k_ = snprintf(buf + o, size - o, __VA_ARGS__); \
                o = k_ < 0 ? o : MIN(size - 1, o + (size_t)k_);    \
        } while (0)

const char *vw_rfc2217_client_refusals(const struct vw_rfc2217_client *c, char *buf, size_t size)
{
        const struct vw_rfc2217_port *w = &c->want, *r = &c->remote;
        size_t o = 0;

        if (size == 0)
                return buf;
        buf[0] = '\0';
        if (c->refused & VW_RFC2217_SET_BAUD_BIT)
                APPEND("%sremote refused %u baud (it has %u)", o ? "; " : "", w->baud, r->baud);
        if (c->refused & VW_RFC2217_SET_SIZE_BIT)
                APPEND("%sremote refused %u data bits (it has %u)", o ? "; " : "", w->datasize, r->datasize);
        if (c->refused & VW_RFC2217_SET_PARITY_BIT)
                APPEND("%sremote refused parity %s (it has %s)", o ? "; " : "", parity_name(w->parity),
                       parity_name(r->parity));
        if (c->refused & VW_RFC2217_SET_STOP_BIT)
                APPEND("%sremote refused %s stop bits (it has %s)", o ? "; " : "", stop_name(w->stopsize),
                       stop_name(r->stopsize));
        if (c->refused & VW_RFC2217_SET_FLOW_BIT)
                APPEND("%sremote refused %s flow control (it has %s)", o ? "; " : "", flow_name(w->flow),
                       flow_name(r->flow));
        if (c->refused & VW_RFC2217_SET_DTR_BIT)
                APPEND("%sremote refused DTR %s", o ? "; " : "", w->dtr ? "on" : "off");
        if (c->refused & VW_RFC2217_SET_RTS_BIT)
                APPEND("%sremote refused RTS %s", o ? "; " : "", w->rts ? "on" : "off");
        if (c->refused & VW_RFC2217_SET_BREAK_BIT)
                APPEND("%sremote refused break %s", o ? "; " : "", w->brk ? "on" : "off");
        return buf;
}
