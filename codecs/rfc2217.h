/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * RFC 2217 (Telnet Com Port Control Option) over codecs/telnet.h: the meaning of the
 * COM-PORT-OPTION subnegotiations, for both roles, as pure state machines. The access server
 * (vw_rfc2217_server) keeps the port's settings as the client set them, answers every SET with
 * the value in effect (0 = a query), reports only what changed, and sends NOTIFY-MODEMSTATE /
 * NOTIFY-LINESTATE through the client's masks. The client (vw_rfc2217_client) sends the local
 * port's settings, only those that changed, never waits for an answer, and records what the
 * server answered, so a refusal is visible.
 *
 * A payload here is what follows the option byte: command, then value. ops->send gets one such
 * payload; the caller wraps it with vw_telnet_send_subneg(t, VW_TELOPT_COM_PORT, ...).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "router.h"

enum {
        VW_RFC2217_SIGNATURE = 0,
        VW_RFC2217_SET_BAUDRATE = 1,
        VW_RFC2217_SET_DATASIZE = 2,
        VW_RFC2217_SET_PARITY = 3,
        VW_RFC2217_SET_STOPSIZE = 4,
        VW_RFC2217_SET_CONTROL = 5,
        VW_RFC2217_NOTIFY_LINESTATE = 6,
        VW_RFC2217_NOTIFY_MODEMSTATE = 7,
        VW_RFC2217_FLOWCONTROL_SUSPEND = 8,
        VW_RFC2217_FLOWCONTROL_RESUME = 9,
        VW_RFC2217_SET_LINESTATE_MASK = 10,
        VW_RFC2217_SET_MODEMSTATE_MASK = 11,
        VW_RFC2217_PURGE_DATA = 12,
        VW_RFC2217_SERVER = 100, /* added to a command sent by the access server */
};

/* SET-PARITY values */
enum {
        VW_RFC2217_PARITY_NONE = 1,
        VW_RFC2217_PARITY_ODD,
        VW_RFC2217_PARITY_EVEN,
        VW_RFC2217_PARITY_MARK,
        VW_RFC2217_PARITY_SPACE
};
/* SET-STOPSIZE values */
enum { VW_RFC2217_STOP_1 = 1, VW_RFC2217_STOP_2 = 2, VW_RFC2217_STOP_1_5 = 3 };

/* SET-CONTROL values */
enum {
        VW_RFC2217_FLOW_REQUEST = 0,
        VW_RFC2217_FLOW_NONE = 1,
        VW_RFC2217_FLOW_XONXOFF = 2,
        VW_RFC2217_FLOW_HARDWARE = 3,
        VW_RFC2217_BREAK_REQUEST = 4,
        VW_RFC2217_BREAK_ON = 5,
        VW_RFC2217_BREAK_OFF = 6,
        VW_RFC2217_DTR_REQUEST = 7,
        VW_RFC2217_DTR_ON = 8,
        VW_RFC2217_DTR_OFF = 9,
        VW_RFC2217_RTS_REQUEST = 10,
        VW_RFC2217_RTS_ON = 11,
        VW_RFC2217_RTS_OFF = 12,
        VW_RFC2217_INFLOW_REQUEST = 13,
        VW_RFC2217_INFLOW_NONE = 14,
        VW_RFC2217_INFLOW_XONXOFF = 15,
        VW_RFC2217_INFLOW_HARDWARE = 16,
        VW_RFC2217_FLOW_DCD = 17,
        VW_RFC2217_INFLOW_DTR = 18,
        VW_RFC2217_FLOW_DSR = 19,
};

/* NOTIFY-LINESTATE bits */
enum {
        VW_RFC2217_LINE_DATA_READY = 0x01,
        VW_RFC2217_LINE_OVERRUN = 0x02,
        VW_RFC2217_LINE_PARITY = 0x04,
        VW_RFC2217_LINE_FRAMING = 0x08,
        VW_RFC2217_LINE_BREAK = 0x10,
        VW_RFC2217_LINE_THRE = 0x20,
        VW_RFC2217_LINE_TSRE = 0x40,
        VW_RFC2217_LINE_TIMEOUT = 0x80,
};

/* NOTIFY-MODEMSTATE bits */
enum {
        VW_RFC2217_MODEM_DELTA_CTS = 0x01,
        VW_RFC2217_MODEM_DELTA_DSR = 0x02,
        VW_RFC2217_MODEM_RI_TRAILING = 0x04,
        VW_RFC2217_MODEM_DELTA_DCD = 0x08,
        VW_RFC2217_MODEM_CTS = 0x10,
        VW_RFC2217_MODEM_DSR = 0x20,
        VW_RFC2217_MODEM_RI = 0x40,
        VW_RFC2217_MODEM_DCD = 0x80,
};

/* PURGE-DATA values */
enum { VW_RFC2217_PURGE_RX = 1, VW_RFC2217_PURGE_TX = 2, VW_RFC2217_PURGE_BOTH = 3 };

/* A com port's settings as RFC 2217 words them. */
struct vw_rfc2217_port {
        uint32_t baud;
        uint8_t datasize; /* 5..8 */
        uint8_t parity;   /* VW_RFC2217_PARITY_* */
        uint8_t stopsize; /* VW_RFC2217_STOP_* */
        uint8_t flow;     /* VW_RFC2217_FLOW_NONE, _XONXOFF, _HARDWARE */
        bool dtr, rts, brk;
};

/* 9600 8N1, no flow control, DTR and RTS up. */
void vw_rfc2217_port_default(struct vw_rfc2217_port *ret);
/* The line settings part (baud, size, parity, stop bits, flow control), in both directions. */
void vw_rfc2217_port_from_params(struct vw_rfc2217_port *port, const struct vw_line_params *p);
void vw_rfc2217_port_to_params(const struct vw_rfc2217_port *port, struct vw_line_params *ret);
/* The modem-state bits of TIOCM_CTS | TIOCM_DSR | TIOCM_RI | TIOCM_CD, and back. */
uint8_t vw_rfc2217_modem_from_tiocm(uint32_t tiocm);
uint32_t vw_rfc2217_modem_to_tiocm(uint8_t modemstate);
/* A baud rate of Cisco IOS's one-byte SET-BAUDRATE codes (0 for an unknown code). */
uint32_t vw_rfc2217_cisco_baud(uint8_t code);
/* The name of a command (client numbering, "SET-BAUDRATE"), or NULL. */
const char *vw_rfc2217_command_name(uint8_t cmd);

/* ---- the access server ---- */

enum {
        VW_RFC2217_CHANGED_LINE = 0x01,  /* baud, data size, parity, stop size, flow control */
        VW_RFC2217_CHANGED_MODEM = 0x02, /* DTR, RTS */
        VW_RFC2217_CHANGED_BREAK = 0x04,
};

struct vw_rfc2217_server_ops {
        void (*send)(void *userdata, const uint8_t *payload, size_t n);
        /* The client changed what VW_RFC2217_CHANGED_* says; server->port has the new values.
         * Never called for a SET that repeats the value in effect. */
        void (*changed)(void *userdata, unsigned what);
        /* PURGE-DATA: VW_RFC2217_PURGE_RX (what the port sent, not yet at the client), _TX, _BOTH. */
        void (*purge)(void *userdata, uint8_t what);
        /* FLOWCONTROL-SUSPEND (true) / -RESUME: the client wants no more data for now. */
        void (*suspend)(void *userdata, bool suspend);
};

struct vw_rfc2217_server {
        const struct vw_rfc2217_server_ops *ops;
        void *userdata;
        struct vw_rfc2217_port port;
        uint8_t inflow;          /* SET-CONTROL 14..16, kept and answered */
        uint8_t linestate_mask;  /* RFC 2217 default 0: no line state unless asked */
        uint8_t modemstate_mask; /* default 255 */
        uint8_t modem;           /* the port's input lines (state bits only) */
        uint8_t modem_told;      /* what the client was last told */
        bool told;
        bool suspended;
        const char *signature; /* ours */
        char client_signature[64];
        uint64_t commands, bad;
};

/* signature: what SIGNATURE answers (kept as a pointer). */
void vw_rfc2217_server_init(struct vw_rfc2217_server *s, const struct vw_rfc2217_server_ops *ops, void *userdata,
                            const char *signature);
/* COM-PORT-OPTION is enabled: tell the client the modem state once. */
void vw_rfc2217_server_start(struct vw_rfc2217_server *s);
/* A subnegotiation payload from the client. */
void vw_rfc2217_server_input(struct vw_rfc2217_server *s, const uint8_t *p, size_t n);
/* The port's input lines now (VW_RFC2217_MODEM_CTS | _DSR | _RI | _DCD): NOTIFY-MODEMSTATE with
 * delta bits when a line in the mask changed. */
void vw_rfc2217_server_modem(struct vw_rfc2217_server *s, uint8_t lines);
/* A line event (VW_RFC2217_LINE_BREAK, _FRAMING, _PARITY, _OVERRUN): NOTIFY-LINESTATE if masked in. */
void vw_rfc2217_server_linestate(struct vw_rfc2217_server *s, uint8_t bits);

/* ---- the client ---- */

enum {
        VW_RFC2217_SET_BAUD_BIT = 0x01,
        VW_RFC2217_SET_SIZE_BIT = 0x02,
        VW_RFC2217_SET_PARITY_BIT = 0x04,
        VW_RFC2217_SET_STOP_BIT = 0x08,
        VW_RFC2217_SET_FLOW_BIT = 0x10,
        VW_RFC2217_SET_DTR_BIT = 0x20,
        VW_RFC2217_SET_RTS_BIT = 0x40,
        VW_RFC2217_SET_BREAK_BIT = 0x80,
};

struct vw_rfc2217_client_ops {
        void (*send)(void *userdata, const uint8_t *payload, size_t n);
        /* NOTIFY-MODEMSTATE from the server: the remote port's lines (and delta bits). */
        void (*modem)(void *userdata, uint8_t modemstate);
        /* NOTIFY-LINESTATE. */
        void (*linestate)(void *userdata, uint8_t linestate);
        /* FLOWCONTROL-SUSPEND (true) / -RESUME from the server: hold our data back, or go on. */
        void (*suspend)(void *userdata, bool suspend);
};

#define VW_RFC2217_CONTROL_QUEUE 16

struct vw_rfc2217_client {
        const struct vw_rfc2217_client_ops *ops;
        void *userdata;
        struct vw_rfc2217_port want;   /* last sent */
        struct vw_rfc2217_port remote; /* as the server answered */
        unsigned sent;                 /* VW_RFC2217_SET_*_BIT: sent at least once */
        unsigned answered;             /* answered since last sent */
        unsigned refused;              /* the last answer differs from what was sent */
        /* SET-CONTROL requests in flight, oldest first: answers come in order, and one that
         * names another setting (sredird answers every SET-CONTROL with 1) is no refusal */
        uint8_t control[VW_RFC2217_CONTROL_QUEUE];
        unsigned n_control;
        bool cisco; /* the server answered a baud rate as one byte */
        bool suspended;
        uint8_t modem; /* last NOTIFY-MODEMSTATE */
        bool have_modem;
        char signature[128]; /* the server's */
        uint64_t answers, deviations, bad;
};

void vw_rfc2217_client_init(struct vw_rfc2217_client *c, const struct vw_rfc2217_client_ops *ops, void *userdata);
/* COM-PORT-OPTION is enabled: send our signature, ask for the server's, set the masks, and send
 * every setting of `want` (what was sent before belongs to an older connection). */
void vw_rfc2217_client_start(struct vw_rfc2217_client *c, const char *signature, const struct vw_rfc2217_port *want);
/* Send the settings of `want` that differ from what was last sent; nothing when none does. */
void vw_rfc2217_client_set(struct vw_rfc2217_client *c, const struct vw_rfc2217_port *want);
void vw_rfc2217_client_purge(struct vw_rfc2217_client *c, uint8_t what);
/* A subnegotiation payload from the server. */
void vw_rfc2217_client_input(struct vw_rfc2217_client *c, const uint8_t *p, size_t n);
/* "remote refused 250000 baud (it has 115200)"-style text for every refusal; "" when none. */
const char *vw_rfc2217_client_refusals(const struct vw_rfc2217_client *c, char *buf, size_t size);
