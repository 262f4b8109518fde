/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A [socket] connection that speaks telnet (`protocol = telnet`) or RFC 2217 (`protocol =
 * rfc2217`) instead of raw bytes: the codecs of codecs/telnet.h and codecs/rfc2217.h joined to
 * the endpoint's port. As an access server (listen) the peer is a remote program using the port
 * at the other end of the routes: its settings reach that port as the signals a peer port sends
 * (line settings, DTR/RTS, breaks, flushes), and that port's lines come back as
 * NOTIFY-MODEMSTATE. As a client (connect) the remote server's port stands in for the routed
 * local port's peer: the local port's settings go out as SETs, the remote modem state comes back
 * as the local port's input lines.
 *
 * socket.c owns the socket and the sink; a session owns the codec state and the bytes encoded
 * for the socket but not yet sent. A connect endpoint keeps one session across reconnects, so
 * the local port's settings and what the remote refused stay known.
 */

#include <json-c/json.h>

#include "endpoint.h"

enum { VW_SOCK_PROTO_RAW, VW_SOCK_PROTO_TELNET, VW_SOCK_PROTO_RFC2217 };
extern const char *const vw_sock_protocol_names[];

struct vw_tn;
/* Output is waiting in the session (or data may go again): write to the socket. */
typedef void (*vw_tn_kick_fn)(void *userdata);

int vw_tn_new(struct vw_endpoint *ep, int protocol, bool server, vw_tn_kick_fn kick, void *userdata,
              struct vw_tn **ret);
void vw_tn_free(struct vw_tn *tn);
/* The sink whose data goes to this connection (PURGE-DATA drops what it holds). */
void vw_tn_set_sink(struct vw_tn *tn, struct vw_sink *sink);
/* A connection opened: the negotiation goes out at once. */
void vw_tn_connected(struct vw_tn *tn);
/* It closed. last: no other connection of the endpoint speaks for the port (a server's DTR drops). */
void vw_tn_disconnected(struct vw_tn *tn, bool last);
/* n bytes from the peer in buf, decoded in place: data, breaks and line errors go into the port. */
void vw_tn_input(struct vw_tn *tn, uint8_t *buf, size_t n);
/* Write what the routes refused during vw_tn_input() (overflow = block); true when nothing is
 * held any more. While something is, the socket must not be read (the port has its room
 * wake-up armed by the refusal). */
bool vw_tn_deliver_held(struct vw_tn *tn);
/* Encoded bytes waiting for the socket; vw_tn_out_done() after n of them were sent. */
size_t vw_tn_out(struct vw_tn *tn, const uint8_t **ret);
void vw_tn_out_done(struct vw_tn *tn, size_t n);
/* May data from the routes go now (not held by FLOWCONTROL-SUSPEND or a break in progress)? */
bool vw_tn_may_send(const struct vw_tn *tn);
/* One chunk from the sink, while vw_tn_out() is empty: bytes are escaped into the output (the
 * count taken is returned), a line event becomes its command (the whole chunk is taken). */
size_t vw_tn_take(struct vw_tn *tn, const struct vw_chunk *c);
void vw_tn_signal(struct vw_tn *tn, const struct vw_signal *sig);
/* The routes have no room for what the peer sends (true), or again have (false). */
void vw_tn_paused(struct vw_tn *tn, bool paused);
void vw_tn_describe(struct vw_tn *tn, json_object *o);
void vw_tn_doctor(struct vw_tn *tn, json_object *checks);
