/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The binary input event format of socket endpoints ("wire" format).
 *
 * A stream of fixed-size records, 16 bytes each, with no header, no framing and no padding;
 * every field little-endian, whatever the architecture of either side:
 *
 *     offset  size  field
 *          0     8  usec   unsigned: microseconds; a CLOCK_MONOTONIC timestamp, or an offset
 *                          from the start of a recording, or 0 for "now"
 *          8     2  type   unsigned: EV_* from <linux/input-event-codes.h> (EV_KEY = 1, ...)
 *         10     2  code   unsigned: KEY_*, REL_*, ABS_*, SYN_REPORT, ...
 *         12     4  value  signed, two's complement: 1 press, 0 release, 2 autorepeat, ...
 *
 * Events come in frames, each ended by an EV_SYN/SYN_REPORT (type 0, code 0) event, as from the
 * kernel. Readers must not assume that a read returns whole records: a record may be split
 * between reads, and the decoder below keeps the partial record until the rest arrives.
 *
 * Example: "a" pressed: 00..00 0100 1e00 01000000 | 00..00 0000 0000 00000000
 */

#include <stddef.h>
#include <stdint.h>

#include "input-event.h"

#define VW_INPUT_WIRE_SIZE 16

/* Serialize n events into out (n * VW_INPUT_WIRE_SIZE bytes). */
void vw_input_wire_encode(const struct vw_input_event *ev, size_t n, uint8_t *out);
/* Deserialize one record. */
void vw_input_wire_decode_one(const uint8_t in[VW_INPUT_WIRE_SIZE], struct vw_input_event *ret);

/* Streaming decoder: bytes in arbitrary pieces, whole events out. Zero-initialize it. */
struct vw_input_wire_decoder {
        uint8_t partial[VW_INPUT_WIRE_SIZE];
        size_t n_partial;
};

/*
 * Decode from *data (*len bytes) into out (room for max events), starting with a partial record
 * left by the previous call. Advances *data and *len past what it consumed (a trailing partial
 * record is consumed into the decoder) and returns the number of events written. Call again
 * while *len > 0 if it returned max.
 */
size_t vw_input_wire_decode(struct vw_input_wire_decoder *d, const uint8_t **data, size_t *len,
                            struct vw_input_event *out, size_t max);
/* Bytes of a partial record being held. */
static inline size_t vw_input_wire_pending(const struct vw_input_wire_decoder *d) { return d->n_partial; }

/*
 * The records ydotool 0.1.8 sends to ydotoold's unix stream socket (/tmp/.ydotool_socket): 8
 * bytes each, no header, in the byte order of the machine (both ends are on it):
 *
 *     offset  size  field
 *          0     2  type   unsigned: EV_*
 *          2     2  code   unsigned
 *          4     4  value  signed
 *
 * The client sends its own SYN_REPORTs; there is no reply. A record may be split between reads.
 */
#define VW_YDOTOOL_RECORD_SIZE 8

void vw_ydotool_decode(const uint8_t in[VW_YDOTOOL_RECORD_SIZE], struct vw_input_event *ret);
