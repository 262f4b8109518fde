/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lenframe.h"
#include "macro.h"
#include "packet-convert.h"
#include "slip.h"

struct encoder {
        bool kiss;
        uint8_t out[2 * VW_SLIP_MAX_FRAME + 4];
};

static int encode(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct encoder *e = state;
        size_t n;

        if (in->type == VW_CHUNK_LINE)
                return 0;
        if (in->type != VW_CHUNK_DATAGRAM && in->type != VW_CHUNK_BYTES)
                return -EINVAL;
        if (in->len > VW_SLIP_MAX_FRAME)
                return -EMSGSIZE;
        n = vw_slip_encode(in->data, in->len, e->kiss, e->out);
        return emit(ctx, VW_CHUNK_BYTES, e->out, n);
}

struct emit_to {
        vw_emit_fn emit;
        void *ctx;
};

static int frame_out(void *userdata, const uint8_t *frame, size_t len)
{
        struct emit_to *t = userdata;

        return t->emit(t->ctx, VW_CHUNK_DATAGRAM, frame, len);
}

static int decode(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct emit_to t = { .emit = emit, .ctx = ctx };

        if (in->type == VW_CHUNK_LINE)
                return 0;
        if (in->type != VW_CHUNK_DATAGRAM && in->type != VW_CHUNK_BYTES)
                return -EINVAL;
        return vw_slip_decode(state, in->data, in->len, frame_out, &t);
}

static void decoder_free(void *state)
{
        if (!state)
                return;
        vw_slip_decoder_done(state);
        free(state);
}

/* A decoder holds the frame collected so far: the router reserves room for its completion. */
static size_t decoder_held(const void *state)
{
        const struct vw_slip_decoder *d = state;

        return d->bad ? 0 : d->len + 1; /* the END that began it */
}

/* Worst case per input byte, a 16-byte record header per chunk included: 2n + 4 + 16 <= 4n for
 * a packet of 10 bytes or more (no IP packet or Ethernet frame is shorter). Decoding: a packet of
 * n bytes came as at least n + 1 (an END) and becomes a record of at most n + 15 (header,
 * padding), <= 2 (n + 1) from 13 bytes on; what began in earlier chunks is reserved too (held). */
static const struct vw_converter_ops slip_encode_ops = { "slip-encode", 4, encode, free };
static const struct vw_converter_ops kiss_encode_ops = { "kiss-encode", 4, encode, free };
static const struct vw_converter_ops slip_decode_ops = { "slip-decode", 2, decode, decoder_free, decoder_held };
static const struct vw_converter_ops kiss_decode_ops = { "kiss-decode", 2, decode, decoder_free, decoder_held };

static int length_encode(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct encoder *e = state;

        if (in->type == VW_CHUNK_LINE || in->len == 0)
                return 0;
        if (in->type != VW_CHUNK_DATAGRAM && in->type != VW_CHUNK_BYTES)
                return -EINVAL;
        if (in->len > VW_LENFRAME_MAX)
                return -EMSGSIZE;
        vw_lenframe_header(in->len, e->out);
        memcpy(e->out + VW_LENFRAME_HEADER, in->data, in->len);
        return emit(ctx, VW_CHUNK_BYTES, e->out, VW_LENFRAME_HEADER + in->len);
}

static int length_decode(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        struct emit_to t = { .emit = emit, .ctx = ctx };

        if (in->type == VW_CHUNK_LINE)
                return 0;
        if (in->type != VW_CHUNK_DATAGRAM && in->type != VW_CHUNK_BYTES)
                return -EINVAL;
        return vw_lenframe_decode(state, in->data, in->len, frame_out, &t);
}

static size_t length_held(const void *state)
{
        return vw_lenframe_held(state);
}

/* Encoding: n + 2 <= 3n for every packet of one byte or more. Decoding: a frame of n + 2 input
 * bytes becomes a record of at most n + 15 (header, padding), <= 2 (n + 2) for every packet of 11
 * bytes or more (no IP packet is shorter); the part held from earlier chunks is reserved too. */
static const struct vw_converter_ops length_encode_ops = { "length-encode", 3, length_encode, free };
static const struct vw_converter_ops length_decode_ops = { "length-decode", 2, length_decode, free, length_held };

int vw_packet_converter_new(const char *name, struct vw_converter *ret)
{
        static const struct vw_converter_ops *const all[] = {
                &slip_encode_ops, &kiss_encode_ops,   &slip_decode_ops,
                &kiss_decode_ops, &length_encode_ops, &length_decode_ops
        };

        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                bool kiss = all[i] == &kiss_encode_ops || all[i] == &kiss_decode_ops;
                void *state;
                int r;

                if (!streq(all[i]->name, name))
                        continue;
                if (all[i] == &length_decode_ops) {
                        struct vw_lenframe_decoder *d = malloc(sizeof(*d));

                        if (!d)
                                return -ENOMEM;
                        vw_lenframe_decoder_init(d);
                        state = d;
                } else if (all[i]->convert == encode || all[i] == &length_encode_ops) {
                        struct encoder *e = calloc(1, sizeof(*e));

                        if (!e)
                                return -ENOMEM;
                        e->kiss = kiss;
                        state = e;
                } else {
                        struct vw_slip_decoder *d = calloc(1, sizeof(*d));

                        if (!d)
                                return -ENOMEM;
                        r = vw_slip_decoder_init(d, kiss);
                        if (r < 0) {
                                free(d);
                                return r;
                        }
                        state = d;
                }
                *ret = (struct vw_converter){ .ops = all[i], .state = state };
                return 0;
        }
        return -ENOENT;
}
