/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Length-prefixed framing of packets over a byte stream (TCP, a unix stream socket): every packet
 * is a 16-bit big-endian length and that many bytes, as in RFC 4571 (RTP over TCP) and DNS and
 * OpenVPN over TCP. Packets of 1..65535 bytes; a zero length is a keep-alive and carries nothing.
 * A stream has no way back into step after a wrong length, so a decoder only ever sees what its
 * peer encoded; there are no bad frames to drop, only packets too long to encode.
 * Pure byte code: no fds, no allocation.
 */

#include <stddef.h>
#include <stdint.h>

#define VW_LENFRAME_MAX 65535u
#define VW_LENFRAME_HEADER 2u

/* The 2-byte header for a packet of len bytes (len <= VW_LENFRAME_MAX) into out. */
void vw_lenframe_header(size_t len, uint8_t out[VW_LENFRAME_HEADER]);

struct vw_lenframe_decoder {
        uint8_t frame[VW_LENFRAME_MAX];
        uint8_t hdr[VW_LENFRAME_HEADER];
        size_t hdr_have;   /* header bytes of the next frame seen so far */
        size_t need, have; /* the current frame's length and the bytes of it seen so far */
        uint64_t frames, keepalives;
};

void vw_lenframe_decoder_init(struct vw_lenframe_decoder *d);
/* Bytes of a frame begun and not yet complete (its header included). */
size_t vw_lenframe_held(const struct vw_lenframe_decoder *d);

typedef int (*vw_lenframe_fn)(void *userdata, const uint8_t *frame, size_t len);

/*
 * Feed bytes, split anywhere; calls frame() for every complete packet, in order. A frame that
 * arrives whole in `in` is handed on from `in` itself (no copy); one split between calls is
 * collected. Returns 0 or the first negative result of frame(); decoding goes on past a failed
 * frame all the same, since a stream that skipped bytes would never find its framing again.
 */
int vw_lenframe_decode(struct vw_lenframe_decoder *d, const uint8_t *in, size_t len, vw_lenframe_fn frame,
                       void *userdata);
