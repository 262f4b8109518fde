/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* Worst case per input byte, a 16-byte record header per chunk included: 2n + 4 + 16 <= 4n for
 * a packet of 10 bytes or more (no IP packet or Ethernet frame is shorter). A decoder's output
 * is at most its input, but a frame ending here may have begun in earlier chunks (see the header). */
static const struct vw_converter_ops slip_encode_ops = { "slip-encode", 4, encode, free };
static const struct vw_converter_ops kiss_encode_ops = { "kiss-encode", 4, encode, free };
static const struct vw_converter_ops slip_decode_ops = { "slip-decode", 1, decode, decoder_free };
static const struct vw_converter_ops kiss_decode_ops = { "kiss-decode", 1, decode, decoder_free };

int vw_packet_converter_new(const char *name, struct vw_converter *ret)
{
        static const struct vw_converter_ops *const all[] = { &slip_encode_ops, &kiss_encode_ops, &slip_decode_ops,
                                                              &kiss_decode_ops };

        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                bool kiss = all[i] == &kiss_encode_ops || all[i] == &kiss_decode_ops;
                void *state;
                int r;

                if (!streq(all[i]->name, name))
                        continue;
                if (all[i]->convert == encode) {
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
