/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Route converters between byte streams and input events (route key `convert`, see router.h).
 * Each is a struct vw_converter_ops; vw_converter_new() makes one with its state by name.
 *
 *   text-to-keys     BYTES (UTF-8 text) -> EVENTS: key presses typing the text through the
 *                    route's `layout` (keymap.h: us, de, fr, gb). A character split between
 *                    chunks is kept until complete; \r\n is one Enter even when split. A
 *                    character the layout cannot type, or invalid UTF-8, is dropped and the rest
 *                    of the chunk is still typed; the call then returns how many characters (a
 *                    byte of invalid UTF-8 is one) were dropped, counted on the route. Every character is whole frames.
 *   evemu-to-events  BYTES (evemu-record text, evemu.h) -> EVENTS. usec is the offset from the
 *                    first event of the recording, so a device can replay with the recorded
 *                    timing. Description lines are checked and skipped (a new description after
 *                    events starts a new recording: offsets restart at 0). A bad line is dropped
 *                    and the call returns -EINVAL (counted), the other lines still go through.
 *   events-to-evemu  EVENTS -> BYTES: E: lines with evemu-record's comments, times relative to
 *                    the first event seen (evemu-play replays them, given the device).
 *   wire-to-events   BYTES (input-wire.h records) -> EVENTS; a record split between chunks is
 *                    kept until complete.
 *   events-to-wire   EVENTS -> BYTES (input-wire.h records).
 *   ydotool-to-events  BYTES (the 8-byte records of ydotool's client, input-wire.h) -> EVENTS:
 *                    a [socket] listening where ydotoold would makes vwire a drop-in ydotoold.
 *
 * Byte-stream converters keep what they hold (a partial record or character) per writer's
 * source tag: bytes of another client, or the VW_LINE_HANGUP of the client they came from,
 * discard them (counted: 1). Event converters pass a VW_LINE_HANGUP line chunk on (the input
 * device releases what that client held down) and ignore other line chunks.
 *
 * Byte-stream input may split a frame between chunks; the converters emit every complete event
 * at once (holding events back for whole frames would break the `expansion` bound), so an
 * EVENTS chunk from evemu-to-events or wire-to-events can end inside a frame. text-to-keys
 * always emits whole frames. Output is split into chunks of at most VW_CONVERT_CHUNK_EVENTS
 * events (at frame ends for text-to-keys). VW_CHUNK_LINE chunks are ignored; a chunk of the
 * wrong type gives -EINVAL.
 */

#include "router.h"

#define VW_CONVERT_CHUNK_EVENTS 256

extern const struct vw_converter_ops vw_text_to_keys_ops;
extern const struct vw_converter_ops vw_evemu_to_events_ops;
extern const struct vw_converter_ops vw_events_to_evemu_ops;
extern const struct vw_converter_ops vw_wire_to_events_ops;
extern const struct vw_converter_ops vw_events_to_wire_ops;
extern const struct vw_converter_ops vw_ydotool_to_events_ops;

/*
 * A converter by name, with a new state. layout: for text-to-keys (NULL: "us"); must be NULL
 * for the others. -ENOENT for an unknown name or layout and -EINVAL for a layout given to a
 * converter that takes none, with *error (may be NULL) saying so and listing the choices.
 */
int vw_converter_new(const char *name, const char *layout, struct vw_converter *ret, char **error);
/* Free the state (for converters not handed to a route) and reset *c. */
void vw_converter_done(struct vw_converter *c);
/* "text-to-keys, evemu-to-events, events-to-evemu, wire-to-events, events-to-wire" */
const char *vw_converter_names(void);
