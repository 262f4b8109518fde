/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * SLIP (RFC 1055) and KISS framing of packets over a byte stream: a packet is sent as its bytes
 * with END (0xC0) and ESC (0xDB) escaped as ESC 0xDC and ESC 0xDD, between two ENDs. KISS (the
 * TNC protocol of packet radio) frames the same way (FEND, FESC, TFEND, TFESC) and puts a
 * command byte first: 0x00 is "data frame, port 0", the only one vwire sends or passes on.
 * Pure byte code: no fds, no allocation but the decoder's frame buffer.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VW_SLIP_END 0xC0
#define VW_SLIP_ESC 0xDB
#define VW_SLIP_ESC_END 0xDC
#define VW_SLIP_ESC_ESC 0xDD
/* Largest frame a decoder assembles; a longer one is dropped (counted) up to the next END. */
#define VW_SLIP_MAX_FRAME 65536u

/* Bytes vw_slip_encode() may write for len bytes: every byte escaped, a KISS command, two ENDs. */
static inline size_t vw_slip_encoded_max(size_t len)
{
        return 2 * len + 4;
}

/* END [KISS data command] escaped bytes END into out (vw_slip_encoded_max(len) bytes); returns the length. */
size_t vw_slip_encode(const uint8_t *in, size_t len, bool kiss, uint8_t *out);

struct vw_slip_decoder {
        uint8_t *frame;         /* VW_SLIP_MAX_FRAME bytes */
        size_t len;
        bool kiss;
        bool esc;               /* the previous byte was ESC */
        bool bad;               /* the frame so far is broken (bad escape, too long): drop it at END */
        uint64_t frames, dropped;
};

int vw_slip_decoder_init(struct vw_slip_decoder *d, bool kiss);
void vw_slip_decoder_done(struct vw_slip_decoder *d);

typedef int (*vw_slip_frame_fn)(void *userdata, const uint8_t *frame, size_t len);

/*
 * Feed bytes; calls frame() for every complete frame (a KISS frame without its command byte,
 * only data frames of port 0). Empty frames (back-to-back ENDs) are skipped. Returns 0, or
 * -EILSEQ when a frame was dropped in these bytes (a bad escape, too long, a KISS frame that is
 * not data), or the first negative result of frame(). Frames split between calls are kept.
 */
int vw_slip_decode(struct vw_slip_decoder *d, const uint8_t *in, size_t len, vw_slip_frame_fn frame, void *userdata);
