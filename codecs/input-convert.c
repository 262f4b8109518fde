/* SPDX-License-Identifier: MIT */
/* Route converters between byte streams (text, evemu, wire records) and input events. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evemu.h"
#include "input-convert.h"
#include "packet-convert.h"
#include "input-wire.h"
#include "keymap.h"
#include "macro.h"

#define EV_SIZE sizeof(struct vw_input_event)
#define CHUNK_HEADER 16 /* what router.h counts per emitted chunk */
#define TEXT_CHUNK_MAX 4096

/* Events collected for emitting, in chunks of at most VW_CONVERT_CHUNK_EVENTS. */
struct batch {
        struct vw_input_event ev[VW_CONVERT_CHUNK_EVENTS];
        size_t n;
        vw_emit_fn emit;
        void *ctx;
        int r;  /* first emit error */
};

static void batch_flush(struct batch *b)
{
        int r;

        if (b->n == 0)
                return;
        r = b->emit(b->ctx, VW_CHUNK_EVENTS, b->ev, b->n * EV_SIZE);
        if (r < 0 && b->r == 0)
                b->r = r;
        b->n = 0;
}

/* Append n events, flushing first if they would not fit: a group (a frame) stays in one chunk. */
static void batch_add(struct batch *b, const struct vw_input_event *ev, size_t n)
{
        if (b->n + n > VW_CONVERT_CHUNK_EVENTS)
                batch_flush(b);
        memcpy(b->ev + b->n, ev, n * EV_SIZE);
        b->n += n;
}

static bool is_byte_chunk(const struct vw_chunk *in)
{
        return in->type == VW_CHUNK_BYTES || in->type == VW_CHUNK_DATAGRAM;
}

static bool is_hangup(const struct vw_chunk *in)
{
        struct vw_line_event ev;

        if (in->type != VW_CHUNK_LINE || in->len != sizeof(ev))
                return false;
        memcpy(&ev, in->data, sizeof(ev));
        return ev.type == VW_LINE_HANGUP;
}

/*
 * Line chunks into an events converter: a client's hangup goes on to the device, which releases
 * what that client still holds down (its source tag says whose); other line events mean nothing
 * to input. Returns r, or the emit error.
 */
static int pass_hangup(const struct vw_chunk *in, vw_emit_fn emit, void *ctx, int r)
{
        int q;

        if (!is_hangup(in))
                return r;
        q = emit(ctx, VW_CHUNK_LINE, in->data, in->len);
        return q < 0 ? q : r;
}

/* ---- text-to-keys ---- */

struct text_state {
        const struct vw_keymap *km;
        uint8_t partial[4];     /* an incomplete UTF-8 sequence from the previous chunk */
        size_t n_partial;
        uint16_t source; /* whose chunk that was */
        bool after_cr;
};

static bool text_char(struct text_state *t, struct batch *b, uint32_t cp)
{
        struct vw_input_event ev[VW_KEYMAP_MAX_EVENTS];
        int n;

        if (cp == '\n' && t->after_cr) {
                t->after_cr = false;
                return true;
        }
        t->after_cr = cp == '\r';
        n = vw_keymap_char(t->km, cp, ev);
        if (n < 0)
                return false;
        batch_add(b, ev, (size_t)n);
        return true;
}

static int text_convert(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct text_state *t = state;
        struct batch b = { .emit = emit, .ctx = ctx };
        const uint8_t *s = in->data;
        size_t len = in->len, i = 0;
        unsigned bad = 0;
        uint32_t cp;
        int k;

        if (in->type == VW_CHUNK_LINE) {
                /* a client that left mid-character: its bytes do not begin the next client's */
                if (is_hangup(in) && t->n_partial > 0 && t->source == in->flags) {
                        t->n_partial = 0;
                        bad++;
                }
                return pass_hangup(in, emit, ctx, (int)bad);
        }
        if (!is_byte_chunk(in))
                return -EINVAL;
        if (t->n_partial > 0 && t->source != in->flags) {
                t->n_partial = 0;
                bad++;
        }
        t->source = in->flags;

        /* finish the character left incomplete by the previous chunk */
        while (t->n_partial > 0 && i < len) {
                t->partial[t->n_partial++] = s[i++];
                k = vw_utf8_decode(t->partial, t->n_partial, &cp);
                if (k == 0)
                        continue;
                if (k < 0) {
                        /* start again at the byte that did not fit: it may begin a character */
                        bad++;
                        i--;
                } else if (!text_char(t, &b, cp))
                        bad++;
                t->n_partial = 0;
        }
        while (i < len) {
                k = vw_utf8_decode(s + i, len - i, &cp);
                if (k == 0) {
                        memcpy(t->partial, s + i, len - i);
                        t->n_partial = len - i;
                        break;
                }
                if (k < 0) {
                        bad++;
                        i++;
                        continue;
                }
                i += (size_t)k;
                if (!text_char(t, &b, cp))
                        bad++;
        }
        batch_flush(&b);
        return b.r < 0 ? b.r : (int)MIN(bad, (unsigned)INT_MAX);
}

const struct vw_converter_ops vw_text_to_keys_ops = {
        .name = "text-to-keys",
        /* one byte can complete a character of VW_KEYMAP_MAX_EVENTS events: that and a chunk header */
        .expansion = VW_KEYMAP_MAX_EVENTS * EV_SIZE + CHUNK_HEADER,
        .convert = text_convert,
        .free = free,
};

/* ---- evemu-to-events ---- */

struct evemu_in_state {
        struct vw_evemu_parser *parser;
};

static int evemu_in_event(void *userdata, const struct vw_input_event *ev)
{
        batch_add(userdata, ev, 1);
        return 0;
}

static int evemu_in_convert(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct evemu_in_state *e = state;
        struct batch b = { .emit = emit, .ctx = ctx };
        int r;

        if (in->type == VW_CHUNK_LINE)
                return pass_hangup(in, emit, ctx, 0);
        if (!is_byte_chunk(in))
                return -EINVAL;
        r = vw_evemu_parser_feed(e->parser, in->data, in->len, evemu_in_event, &b, NULL);
        batch_flush(&b);
        return b.r < 0 ? b.r : r;
}

static void evemu_in_free(void *state)
{
        struct evemu_in_state *e = state;

        if (!e)
                return;
        vw_evemu_parser_free(e->parser);
        free(e);
}

const struct vw_converter_ops vw_evemu_to_events_ops = {
        .name = "evemu-to-events",
        /* one byte can end a line of one event; every other event takes a line of 17 bytes or more */
        .expansion = EV_SIZE + CHUNK_HEADER,
        .convert = evemu_in_convert,
        .free = evemu_in_free,
};

/* ---- events-to-evemu ---- */

static int check_events_chunk(const struct vw_chunk *in)
{
        if (in->type != VW_CHUNK_EVENTS || in->len % EV_SIZE != 0)
                return -EINVAL;
        return 0;
}

static int evemu_out_convert(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct vw_evemu_writer *w = state;
        char text[TEXT_CHUNK_MAX];
        size_t n = 0;
        int r = 0, q;

        if (in->type == VW_CHUNK_LINE)
                return 0;
        if (check_events_chunk(in) < 0)
                return -EINVAL;
        for (size_t off = 0; off < in->len; off += EV_SIZE) {
                struct vw_input_event ev;
                char line[VW_EVEMU_LINE_MAX];
                size_t l;

                memcpy(&ev, in->data + off, EV_SIZE);
                l = vw_evemu_writer_event(w, &ev, line);
                if (n + l > sizeof(text)) {
                        q = emit(ctx, VW_CHUNK_BYTES, text, n);
                        if (q < 0 && r == 0)
                                r = q;
                        n = 0;
                }
                memcpy(text + n, line, l);
                n += l;
        }
        if (n > 0) {
                q = emit(ctx, VW_CHUNK_BYTES, text, n);
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

const struct vw_converter_ops vw_events_to_evemu_ops = {
        .name = "events-to-evemu",
        /* a 16-byte event gives a line of less than VW_EVEMU_LINE_MAX bytes; input chunks are >= 16 bytes */
        .expansion = (VW_EVEMU_LINE_MAX + CHUNK_HEADER) / EV_SIZE,
        .convert = evemu_out_convert,
        .free = free,
};

/* ---- wire-to-events ---- */

struct wire_in_state {
        struct vw_input_wire_decoder d;
        uint16_t source; /* whose record is partial */
};

static int wire_in_convert(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct wire_in_state *w = state;
        struct batch b = { .emit = emit, .ctx = ctx };
        const uint8_t *data = in->data;
        size_t len = in->len;
        int dropped = 0;

        /* half a record of a client that left, or of another client, is not the start of this one's */
        if (vw_input_wire_pending(&w->d) > 0 && (is_hangup(in) ? w->source == in->flags : w->source != in->flags)) {
                w->d.n_partial = 0;
                dropped = 1;
        }
        if (in->type == VW_CHUNK_LINE)
                return pass_hangup(in, emit, ctx, dropped);
        if (!is_byte_chunk(in))
                return -EINVAL;
        w->source = in->flags;
        while (len > 0) {
                b.n = vw_input_wire_decode(&w->d, &data, &len, b.ev, VW_CONVERT_CHUNK_EVENTS);
                batch_flush(&b);
        }
        return b.r < 0 ? b.r : dropped;
}

const struct vw_converter_ops vw_wire_to_events_ops = {
        .name = "wire-to-events",
        /* one byte can complete a record held from before */
        .expansion = EV_SIZE + CHUNK_HEADER,
        .convert = wire_in_convert,
        .free = free,
};

/* ---- ydotool-to-events ---- */

struct ydotool_state {
        uint8_t partial[VW_YDOTOOL_RECORD_SIZE];
        size_t n_partial;
        uint16_t source;
};

static int ydotool_in_convert(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct ydotool_state *y = state;
        struct batch b = { .emit = emit, .ctx = ctx };
        const uint8_t *data = in->data;
        size_t len = in->len;
        int dropped = 0;

        if (y->n_partial > 0 && (is_hangup(in) ? y->source == in->flags : y->source != in->flags)) {
                y->n_partial = 0;
                dropped = 1;
        }
        if (in->type == VW_CHUNK_LINE)
                return pass_hangup(in, emit, ctx, dropped);
        if (!is_byte_chunk(in))
                return -EINVAL;
        y->source = in->flags;
        while (len > 0) {
                size_t take = MIN(len, sizeof(y->partial) - y->n_partial);

                memcpy(y->partial + y->n_partial, data, take);
                y->n_partial += take;
                data += take;
                len -= take;
                if (y->n_partial < sizeof(y->partial))
                        break;
                if (b.n == VW_CONVERT_CHUNK_EVENTS)
                        batch_flush(&b);
                vw_ydotool_decode(y->partial, &b.ev[b.n++]);
                y->n_partial = 0;
        }
        batch_flush(&b);
        return b.r < 0 ? b.r : dropped;
}

const struct vw_converter_ops vw_ydotool_to_events_ops = {
        .name = "ydotool-to-events",
        /* one byte can complete a record held from before; a hangup's 8 bytes pass as they are */
        .expansion = EV_SIZE + CHUNK_HEADER,
        .convert = ydotool_in_convert,
        .free = free,
};

/* ---- events-to-wire ---- */

static int wire_out_convert(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        uint8_t out[VW_CONVERT_CHUNK_EVENTS * VW_INPUT_WIRE_SIZE];
        int r = 0, q;

        if (in->type == VW_CHUNK_LINE)
                return 0;
        if (check_events_chunk(in) < 0)
                return -EINVAL;
        for (size_t off = 0; off < in->len;) {
                size_t n = MIN((in->len - off) / EV_SIZE, (size_t)VW_CONVERT_CHUNK_EVENTS);

                for (size_t i = 0; i < n; i++) {
                        struct vw_input_event ev;

                        memcpy(&ev, in->data + off + i * EV_SIZE, EV_SIZE);
                        vw_input_wire_encode(&ev, 1, out + i * VW_INPUT_WIRE_SIZE);
                }
                q = emit(ctx, VW_CHUNK_BYTES, out, n * VW_INPUT_WIRE_SIZE);
                if (q < 0 && r == 0)
                        r = q;
                off += n * EV_SIZE;
        }
        return r;
}

const struct vw_converter_ops vw_events_to_wire_ops = {
        .name = "events-to-wire",
        /* 16 bytes stay 16 bytes, plus a chunk header per input chunk of 16 bytes or more */
        .expansion = 2,
        .convert = wire_out_convert,
        .free = NULL,
};

/* ---- lookup ---- */

static int text_new(const struct vw_keymap *km, void **ret)
{
        struct text_state *t = calloc(1, sizeof(*t));

        if (!t)
                return -ENOMEM;
        t->km = km;
        *ret = t;
        return 0;
}

static int evemu_in_new(const struct vw_keymap *km, void **ret)
{
        struct evemu_in_state *e = calloc(1, sizeof(*e));
        int r;

        if (!e)
                return -ENOMEM;
        r = vw_evemu_parser_new(VW_EVEMU_PARSE_RESTART, &e->parser);
        if (r < 0) {
                free(e);
                return r;
        }
        *ret = e;
        return 0;
}

static int evemu_out_new(const struct vw_keymap *km, void **ret)
{
        struct vw_evemu_writer *w = calloc(1, sizeof(*w));

        if (!w)
                return -ENOMEM;
        w->describe = true;
        *ret = w;
        return 0;
}

static int wire_in_new(const struct vw_keymap *km, void **ret)
{
        *ret = calloc(1, sizeof(struct wire_in_state));
        return *ret ? 0 : -ENOMEM;
}

static int ydotool_in_new(const struct vw_keymap *km, void **ret)
{
        *ret = calloc(1, sizeof(struct ydotool_state));
        return *ret ? 0 : -ENOMEM;
}

static int stateless_new(const struct vw_keymap *km, void **ret)
{
        *ret = NULL;
        return 0;
}

static const struct {
        const struct vw_converter_ops *ops;
        bool layout;
        int (*new_state)(const struct vw_keymap *km, void **ret);
} converters[] = {
        /* clang-format off */
        { &vw_text_to_keys_ops, true, text_new },
        { &vw_evemu_to_events_ops, false, evemu_in_new },
        { &vw_events_to_evemu_ops, false, evemu_out_new },
        { &vw_wire_to_events_ops, false, wire_in_new },
        { &vw_events_to_wire_ops, false, stateless_new },
        { &vw_ydotool_to_events_ops, false, ydotool_in_new },
        /* clang-format on */
};

const char *vw_converter_names(void)
{
        return "text-to-keys, evemu-to-events, events-to-evemu, wire-to-events, events-to-wire, "
               "ydotool-to-events, " VW_PACKET_CONVERTER_NAMES;
}


int vw_converter_new(const char *name, const char *layout, struct vw_converter *ret, char **error)
{
        const struct vw_keymap *km = NULL;
        void *state;
        int r;

        /* the packet framings (packet-convert.h) are in the same namespace of names */
        r = vw_packet_converter_new(name, ret);
        if (r != -ENOENT) {
                if (r >= 0 && layout) {
                        vw_converter_done(ret);
                        vw_errorf(error, "a layout applies only to text-to-keys, not to %s", name);
                        return -EINVAL;
                }
                return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(converters); i++) {
                if (!streq(converters[i].ops->name, name))
                        continue;
                if (converters[i].layout) {
                        if (vw_keymap_find(layout ? layout : "us", &km) < 0) {
                                vw_errorf(error, "unknown layout '%s' (known: %s)", layout, vw_keymap_names());
                                return -ENOENT;
                        }
                } else if (layout) {
                        vw_errorf(error, "a layout applies only to text-to-keys, not to %s", name);
                        return -EINVAL;
                }
                r = converters[i].new_state(km, &state);
                if (r < 0)
                        return r;
                *ret = (struct vw_converter){ .ops = converters[i].ops, .state = state };
                return 0;
        }
        vw_errorf(error, "unknown converter '%s' (known: %s)", name, vw_converter_names());
        return -ENOENT;
}

void vw_converter_done(struct vw_converter *c)
{
        if (c->ops && c->ops->free)
                c->ops->free(c->state);
        *c = (struct vw_converter){};
}
