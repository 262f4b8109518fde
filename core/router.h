/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Routing on top of rings: the rest of the buffer core. No file descriptors, no event loop.
 *
 *  - a port is one endpoint's attachment: it writes chunks into the rings of its outbound lanes
 *    (fan-out to several routes copies once per route; within a route, one ring serves every reader);
 *  - a sink is one reader of a port (the port itself, or each client of a socket, each open of a
 *    device): it owns one cursor in every inbound lane and merges them round-robin (fan-in);
 *  - a route owns one lane (a ring) per direction: from -> to, and to -> from when duplex.
 *
 * Wake-ups (data for a sink, room for a blocked port) are queued and delivered by
 * vw_router_dispatch(), never from inside a write or consume call, so callbacks may freely call
 * back into the router.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"

struct vw_router;
struct vw_port;
struct vw_sink;
struct vw_route;

enum vw_dir {
        VW_DIR_RX = 0, /* from the device into routes */
        VW_DIR_TX = 1, /* from routes out to the device */
};

/* Serial line settings as an endpoint sees them: what its client configured. */
struct vw_line_params {
        uint32_t baud;      /* 0: unknown */
        uint8_t data_bits;  /* 5..8 */
        char parity;        /* 'N', 'E', 'O', 'M', 'S' */
        uint8_t stop_bits;  /* 1 or 2 */
        bool rtscts;
        bool xonxoff;
};

/* Field by field: the struct has padding, which memcmp() would compare too. */
static inline bool vw_line_params_equal(const struct vw_line_params *a, const struct vw_line_params *b)
{
        return a->baud == b->baud && a->data_bits == b->data_bits && a->parity == b->parity &&
               a->stop_bits == b->stop_bits && a->rtscts == b->rtscts && a->xonxoff == b->xonxoff;
}

enum vw_signal_type {
        VW_SIGNAL_PARAMS, /* line settings of the sender changed */
        VW_SIGNAL_MODEM,  /* the sender's outputs: TIOCM_DTR | TIOCM_RTS (and see VW_MODEM_DIRECT) */
        VW_SIGNAL_BREAK,  /* the sender sent a break of `duration_ms` */
        VW_SIGNAL_PURGE,  /* discard buffered data: `purge` is VW_PURGE_RX | VW_PURGE_TX */
};

/*
 * In a VW_SIGNAL_MODEM: the sender passes a real port's lines through (backend = device), so the
 * TIOCM_CTS | TIOCM_DSR | TIOCM_CD | TIOCM_RI bits beside this flag are what the receiver sees
 * as they are, instead of crossing the sender's outputs (RTS -> CTS, DTR -> DSR + DCD). The
 * sender still sets DTR/RTS to the crossed-back approximation for receivers that drive outputs.
 */
#define VW_MODEM_DIRECT (1u << 30)

/* VW_SIGNAL_PURGE: what the receiver discards (RFC 2217 PURGE-DATA's two buffers). */
enum {
        VW_PURGE_RX = 1, /* what it received from its line (or device) and has not handed on */
        VW_PURGE_TX = 2, /* what waits to go out on its line */
};

struct vw_signal {
        enum vw_signal_type type;
        union {
                struct vw_line_params params;
                uint32_t modem;
                uint32_t duration_ms;
                uint32_t purge;
        };
};

/* Payload of a VW_CHUNK_LINE chunk: in-band, so a break keeps its place among the bytes. */
enum vw_line_event_type {
        VW_LINE_BREAK = 1, /* duration_ms 0: the line stays in break until VW_LINE_BREAK_END */
        VW_LINE_FRAME_ERROR = 2,
        VW_LINE_PARITY_ERROR = 3,
        VW_LINE_BREAK_END = 4, /* the end of an open-ended break (TIOCCBRK); reads as nothing */
        /* The writer's client with this chunk's source tag went away (a socket client closed). */
        VW_LINE_HANGUP = 5,
};

struct vw_line_event {
        uint8_t type;
        uint8_t pad[3];
        uint32_t duration_ms;
};

struct vw_counters {
        uint64_t rx_bytes, rx_chunks;   /* read from the device, accepted by routes */
        uint64_t tx_bytes, tx_chunks;   /* written to the device */
        uint64_t dropped_bytes, dropped_chunks; /* refused by drop-new routes or discarded unrouted */
};

struct vw_port_ops {
        /* A ring that refused this port (block) has room again: read from the device again. */
        void (*room)(struct vw_port *p, void *userdata);
        /* A peer on a route changed its line state. */
        void (*signal)(struct vw_port *p, const struct vw_signal *sig, void *userdata);
};

typedef void (*vw_sink_ready_t)(struct vw_sink *s, void *userdata);

struct vw_router_hooks {
        /* Something was queued: arrange for vw_router_dispatch() to run soon. */
        void (*wakeup)(struct vw_router *r, void *userdata);
        /* Traffic seen by a monitored port (rx: accepted from it; tx: delivered by one of its sinks). */
        void (*port_tap)(struct vw_port *p, enum vw_dir dir, const struct vw_chunk *c, void *userdata);
        /* A chunk accepted into a monitored route; reverse is true on the to -> from lane. */
        void (*route_tap)(struct vw_route *r, bool reverse, struct vw_port *writer, const struct vw_chunk *c,
                          void *userdata);
};

/*
 * A conversion applied to every chunk written into one lane of a route (route key `convert`,
 * e.g. text typed as key events). It emits zero or more chunks per input chunk.
 */
typedef int (*vw_emit_fn)(void *ctx, enum vw_chunk_type type, const void *data, size_t len);

struct vw_converter_ops {
        const char *name;
        /* Worst-case ring bytes per input byte, record headers (16 bytes a chunk) included. */
        size_t expansion;
        /*
         * in->flags is the writer's source tag (vw_port_write_from()); chunks emitted carry it too.
         * Returns 0; or a positive number of units (characters, lines, frames: the converter's own)
         * it had to drop while converting the rest, counted in the lane's convert_dropped; or a
         * negative errno: the whole chunk is dropped, counted once in convert_dropped and in the
         * writer's dropped counters.
         */
        int (*convert)(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx);
        void (*free)(void *state);
        /* Decoders: input bytes of a frame begun in earlier chunks, which the next chunk may
         * complete; the router reserves room for them too, so that under overflow = block a
         * frame split between reads is not lost. NULL: nothing is ever held. */
        size_t (*held)(const void *state);
};

struct vw_converter {
        const struct vw_converter_ops *ops;  /* NULL: no conversion */
        void *state;
};

struct vw_route_params {
        enum vw_overflow overflow;
        size_t buffer;  /* ring capacity in bytes */
        bool duplex;
        /* [0]: from -> to, [1]: to -> from. The route owns the states and frees them. */
        struct vw_converter convert[2];
};

int vw_router_new(const struct vw_router_hooks *hooks, void *userdata, struct vw_router **ret);
/* All routes and ports must have been freed. */
void vw_router_free(struct vw_router *r);
/* Deliver queued wake-ups until none is left (bounded: new ones queued meanwhile run too). */
void vw_router_dispatch(struct vw_router *r);
bool vw_router_has_pending(const struct vw_router *r);

int vw_port_new(struct vw_router *r, const char *name, const struct vw_port_ops *ops, void *userdata,
                struct vw_port **ret);
/* Detaches from every route (routes keep their other members) and frees the port's sinks. */
void vw_port_free(struct vw_port *p);
const char *vw_port_name(const struct vw_port *p);
void *vw_port_userdata(const struct vw_port *p);
unsigned vw_port_n_routes(const struct vw_port *p);
bool vw_port_has_outbound(const struct vw_port *p);
bool vw_port_has_inbound(const struct vw_port *p);
void vw_port_get_counters(const struct vw_port *p, struct vw_counters *ret);
void vw_port_set_monitored(struct vw_port *p, bool b);
bool vw_port_is_monitored(const struct vw_port *p);

/*
 * Largest chunk this port may write now without being refused. 0 means some block route is full:
 * the port is marked blocked and gets ops->room() once there is room. A port without outbound
 * routes has unlimited room (what it writes is counted as dropped).
 */
size_t vw_port_room(struct vw_port *p);
/*
 * Can a chunk of len bytes be written now? For writers that cannot take part of what they read
 * (a packet, a datagram: they need room for the largest one before reading). When not, the port
 * is marked blocked as with a room of 0 and gets ops->room() once any lane freed room; it asks
 * again then, as the room may still be short.
 */
bool vw_port_has_room(struct vw_port *p, size_t len);
/*
 * Write one chunk into every outbound lane. Returns 0 when accepted (drop-new lanes may have
 * discarded it: counted), -EAGAIN when a block lane lacked room (nothing written anywhere; the
 * port gets ops->room() later), -EMSGSIZE when a lane can never hold it.
 */
int vw_port_write(struct vw_port *p, enum vw_chunk_type type, const void *data, size_t len);
/*
 * The same, with a source tag (the chunk's flags, 0 for vw_port_write()): a writer with several
 * clients (a listening socket) names which one a chunk came from, so a reader can keep state per
 * client and undo what a client left behind when its VW_LINE_HANGUP arrives.
 */
int vw_port_write_from(struct vw_port *p, uint16_t source, enum vw_chunk_type type, const void *data, size_t len);
/* Send line state to every port on the other side of this port's routes. */
void vw_port_signal(struct vw_port *p, const struct vw_signal *sig);
/* Count bytes the endpoint had to discard itself (e.g. nobody has the device open). */
void vw_port_count_dropped(struct vw_port *p, size_t bytes);

int vw_sink_new(struct vw_port *p, vw_sink_ready_t ready, void *userdata, struct vw_sink **ret);
void vw_sink_free(struct vw_sink *s);
struct vw_port *vw_sink_port(const struct vw_sink *s);
/* Sinks skip VW_CHUNK_LINE chunks unless they ask for them (serial backends that understand breaks). */
void vw_sink_set_accept_line(struct vw_sink *s, bool b);
/* Next chunk for this sink across its inbound lanes (round-robin between lanes, whole chunks). */
bool vw_sink_peek(struct vw_sink *s, struct vw_chunk *ret);
/* n bytes of the chunk last peeked were delivered to the device. */
void vw_sink_consume(struct vw_sink *s, size_t n);
/* Discard everything pending for this sink (counted as dropped on its port). */
void vw_sink_discard(struct vw_sink *s);
size_t vw_sink_pending(const struct vw_sink *s);
/* Smallest ring capacity among the sink's inbound lanes (0 without lanes). */
size_t vw_sink_capacity(const struct vw_sink *s);

/* The route takes ownership of params->convert states, also when it fails. */
int vw_route_new(struct vw_router *r, const char *name, const struct vw_route_params *params,
                 struct vw_port *const *from, size_t n_from, struct vw_port *const *to, size_t n_to,
                 struct vw_route **ret);
void vw_route_free(struct vw_route *route);
/*
 * Store a chunk in one lane as it is, without its converter, for the lane's readers (a header
 * that a converted stream starts with, e.g. the device description before evemu events).
 * -ENOENT for the reverse lane of a simplex route; the ring's errors otherwise.
 */
int vw_route_prime(struct vw_route *route, bool reverse, enum vw_chunk_type type, const void *data, size_t len);
const char *vw_route_name(const struct vw_route *route);
void *vw_route_get_userdata(const struct vw_route *route);
void vw_route_set_userdata(struct vw_route *route, void *userdata);
const struct vw_route_params *vw_route_params(const struct vw_route *route);
/* reverse: the to -> from lane; returns -ENOENT for the reverse lane of a simplex route. */
int vw_route_get_stats(const struct vw_route *route, bool reverse, struct vw_ring_stats *ret);
void vw_route_set_monitored(struct vw_route *route, bool b);
