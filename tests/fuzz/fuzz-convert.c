/* SPDX-License-Identifier: MIT */
/*
 * codecs/input-convert.c: every route converter, on what a peer may write into a route.
 *
 *   byte 0   bits 0-2: the converter (input-convert.h order, modulo 5)
 *            bits 3-4: the layout for text-to-keys (keymap.h order)
 *            bits 5-6: the chunk type: bytes, datagram, events, line (a wrong type is refused)
 *   byte 1   chunk size: the rest is cut into chunks of this many bytes (0: one chunk), rounded
 *            up to whole events for event chunks
 *   rest     the payload; for the events-in converters, whole struct vw_input_event records
 *
 * Invariants: what a converter emits fits the worst case it declares (ops->expansion, which the
 * router reserves ring room with); event chunks are whole events, at most
 * VW_CONVERT_CHUNK_EVENTS; text-to-keys emits whole frames; events written as wire records or
 * as evemu text and read back by the opposite converter are the same events.
 */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <linux/input-event-codes.h>
#include <stdbool.h>

#include "fuzz.h"
#include "input-convert.h"
#include "keymap.h"
#include "macro.h"
#include "ring.h"

#define EV_SIZE sizeof(struct vw_input_event)
/* what one chunk costs in a ring (core/ring.c: header, then 8-byte alignment) */
#define RING_COST(len) ALIGN_TO((size_t)(len) + 16, 8)

static const char *const names[] = { "text-to-keys",   "evemu-to-events", "events-to-evemu",
                                     "wire-to-events", "events-to-wire",  "ydotool-to-events" };
static const char *const layouts[] = { "us", "de", "fr", "gb" };
static const enum vw_chunk_type types[] = { VW_CHUNK_BYTES, VW_CHUNK_DATAGRAM, VW_CHUNK_EVENTS, VW_CHUNK_LINE };

struct output {
        const struct vw_converter_ops *ops;
        size_t cost;            /* ring bytes emitted for the current input chunk */
        uint8_t *bytes;         /* everything emitted, concatenated */
        size_t len, allocated;
};

static int emit(void *ctx, enum vw_chunk_type type, const void *data, size_t len)
{
        struct output *o = ctx;
        bool events_out = o->ops == &vw_text_to_keys_ops || o->ops == &vw_evemu_to_events_ops ||
                          o->ops == &vw_wire_to_events_ops || o->ops == &vw_ydotool_to_events_ops;

        FUZZ_CHECK(len > 0);
        if (events_out && type == VW_CHUNK_LINE) {
                /* a hangup passed on as it came */
                FUZZ_CHECK(len == sizeof(struct vw_line_event));
                o->cost += RING_COST(len);
                return 0;
        }
        if (events_out) {
                FUZZ_CHECK(type == VW_CHUNK_EVENTS);
                FUZZ_CHECK(len % EV_SIZE == 0 && len / EV_SIZE <= VW_CONVERT_CHUNK_EVENTS);
                if (o->ops == &vw_text_to_keys_ops)
                        FUZZ_CHECK(((const struct vw_input_event *)data)[len / EV_SIZE - 1].type == EV_SYN);
        } else {
                FUZZ_CHECK(type == VW_CHUNK_BYTES);
        }
        o->cost += RING_COST(len);
        if (o->len + len > o->allocated) {
                o->allocated = MAX(o->allocated * 2, o->len + len);
                o->bytes = realloc(o->bytes, o->allocated);
                FUZZ_CHECK(o->bytes);
        }
        memcpy(o->bytes + o->len, data, len);
        o->len += len;
        return 0;
}

/* Run converter `name` over data in chunks; everything emitted goes to *out. */
static void run(const char *name, const char *layout, enum vw_chunk_type type, const uint8_t *data, size_t size,
                size_t step, struct output *out)
{
        struct vw_converter c;
        char *error = NULL;

        FUZZ_CHECK(vw_converter_new(name, layout, &c, &error) == 0);
        FUZZ_CHECK(!error);
        out->ops = c.ops;
        for (size_t off = 0; off < size;) {
                size_t n = step ? MIN(step, size - off) : size;
                struct vw_chunk in = { .type = type, .len = (uint32_t)n, .data = data + off };
                int r;

                out->cost = 0;
                r = c.ops->convert(c.state, &in, emit, out);
                FUZZ_CHECK(r <= (int)n + 1); /* drops: at most one per byte, and a held partial */
                /* the router reserved len * expansion bytes of ring for this chunk */
                FUZZ_CHECK(out->cost <= n * MAX(c.ops->expansion, (size_t)1));
                /* a line chunk passes on at most as itself (a hangup into an events converter) */
                if (type == VW_CHUNK_LINE)
                        FUZZ_CHECK(r >= 0 && out->cost <= n + 16);
                off += n;
        }
        vw_converter_done(&c);
        FUZZ_CHECK(!c.ops && !c.state);
}

static void check_same_events(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, bool times)
{
        FUZZ_CHECK(na == nb && na % EV_SIZE == 0);
        for (size_t i = 0; i < na; i += EV_SIZE) {
                struct vw_input_event x, y;

                memcpy(&x, a + i, EV_SIZE);
                memcpy(&y, b + i, EV_SIZE);
                FUZZ_CHECK(x.type == y.type && x.code == y.code && x.value == y.value);
                if (times)
                        FUZZ_CHECK(x.usec == y.usec);
        }
}

/* evemu-to-events reads only what evemu can carry: types up to EV_MAX, codes up to the type's maximum. */
static bool evemu_can_carry(const uint8_t *data, size_t size)
{
        for (size_t i = 0; i + EV_SIZE <= size; i += EV_SIZE) {
                struct vw_input_event e;

                memcpy(&e, data + i, EV_SIZE);
                if (e.type > EV_MAX)
                        return false;
                if (libevdev_event_type_get_max(e.type) >= 0 && e.code > libevdev_event_type_get_max(e.type))
                        return false;
        }
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t sel = fuzz_take_byte(&data, &size);
        size_t step = fuzz_take_byte(&data, &size);
        const char *name = names[(sel & 7) % ELEMENTSOF(names)];
        bool text = streq(name, "text-to-keys");
        const char *layout = text ? layouts[(sel >> 3) & 3] : NULL;
        enum vw_chunk_type type = types[(sel >> 5) & 3];
        bool events_in = streq(name, "events-to-evemu") || streq(name, "events-to-wire");
        struct output out = {};

        /* the router's event chunks are whole events: cut them at event boundaries */
        if (type == VW_CHUNK_EVENTS)
                step = ALIGN_TO(step, EV_SIZE);

        /* a layout for a converter that takes none, an unknown layout: refused with a message */
        if (!text) {
                struct vw_converter c = {};
                char *error = NULL;

                FUZZ_CHECK(vw_converter_new(name, "us", &c, &error) == -EINVAL && error && !c.ops);
                free(error);
        }

        run(name, layout, type, data, size, step, &out);

        /* the opposite converter reads back what was written, in chunks of another size */
        if (events_in && type == VW_CHUNK_EVENTS && size % EV_SIZE == 0 && out.len > 0) {
                struct output back = {};
                bool wire = streq(name, "events-to-wire");

                if (wire || evemu_can_carry(data, size)) {
                        run(wire ? "wire-to-events" : "evemu-to-events", NULL, VW_CHUNK_BYTES, out.bytes, out.len,
                            step ? step + 7 : 0, &back);
                        /* wire records keep times; evemu text makes them relative to the first event */
                        if (wire)
                                check_same_events(data, size, back.bytes, back.len, true);
                        else
                                check_same_events(data, size, back.bytes, back.len, false);
                }
                free(back.bytes);
        }
        free(out.bytes);
        return 0;
}
