/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Route converters between packets and a byte stream (route key `convert`), for a [net] adapter
 * on a serial line: a SLIP link, or a KISS TNC of packet radio (slip.h), and for a packet tunnel
 * over a stream socket (lenframe.h).
 *
 *   slip-encode, kiss-encode   DATAGRAM (or BYTES: each chunk taken as one packet) -> BYTES:
 *                              one framed packet per chunk. A packet over VW_SLIP_MAX_FRAME is
 *                              dropped (-EMSGSIZE, counted by the route).
 *   slip-decode, kiss-decode   BYTES -> DATAGRAM: one chunk per frame, frames split between
 *                              chunks kept until their END. A broken frame is dropped and the
 *                              call returns -EILSEQ (counted); KISS frames other than data
 *                              frames of port 0 are dropped that way too. The frame collected so
 *                              far counts in the room the route reserves (ops->held), so under
 *                              overflow = block a frame split between reads is never lost.
 *   length-encode              DATAGRAM (or BYTES) -> BYTES: a 16-bit big-endian length and the
 *                              packet (lenframe.h), for a TCP or unix stream socket. A packet
 *                              over 65535 bytes is dropped (-EMSGSIZE, counted by the route).
 *   length-decode              BYTES -> DATAGRAM: one chunk per length-prefixed packet, however
 *                              the stream was split.
 * VW_CHUNK_LINE chunks are ignored. The input-convert.h registry finds these by name too.
 */

#include "router.h"

#define VW_PACKET_CONVERTER_NAMES "slip-encode, slip-decode, kiss-encode, kiss-decode, length-encode, length-decode"

/* -ENOENT for a name that is not one of these (nothing is written then). */
int vw_packet_converter_new(const char *name, struct vw_converter *ret);
