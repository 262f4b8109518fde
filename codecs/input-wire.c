/* SPDX-License-Identifier: MIT */
/* The 16-byte little-endian input event records of socket endpoints (format in input-wire.h). */
#include <string.h>

#include "input-wire.h"

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
        for (unsigned i = 0; i < bytes; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned bytes)
{
        uint64_t v = 0;

        for (unsigned i = 0; i < bytes; i++)
                v |= (uint64_t)p[i] << (8 * i);
        return v;
}

void vw_input_wire_encode(const struct vw_input_event *ev, size_t n, uint8_t *out)
{
        for (size_t i = 0; i < n; i++, out += VW_INPUT_WIRE_SIZE) {
                put_le(out, ev[i].usec, 8);
                put_le(out + 8, ev[i].type, 2);
                put_le(out + 10, ev[i].code, 2);
                put_le(out + 12, (uint32_t)ev[i].value, 4);
        }
}

void vw_input_wire_decode_one(const uint8_t in[VW_INPUT_WIRE_SIZE], struct vw_input_event *ret)
{
        *ret = (struct vw_input_event){
                .usec = get_le(in, 8),
                .type = (uint16_t)get_le(in + 8, 2),
                .code = (uint16_t)get_le(in + 10, 2),
                .value = (int32_t)(uint32_t)get_le(in + 12, 4),
        };
}

size_t vw_input_wire_decode(struct vw_input_wire_decoder *d, const uint8_t **data, size_t *len,
                            struct vw_input_event *out, size_t max)
{
        size_t n = 0;

        if (d->n_partial > 0 && max > 0) {
                size_t take = VW_INPUT_WIRE_SIZE - d->n_partial;

                if (take > *len)
                        take = *len;
                memcpy(d->partial + d->n_partial, *data, take);
                d->n_partial += take;
                *data += take;
                *len -= take;
                if (d->n_partial < VW_INPUT_WIRE_SIZE)
                        return 0;
                vw_input_wire_decode_one(d->partial, &out[n++]);
                d->n_partial = 0;
        }
        while (n < max && *len >= VW_INPUT_WIRE_SIZE) {
                vw_input_wire_decode_one(*data, &out[n++]);
                *data += VW_INPUT_WIRE_SIZE;
                *len -= VW_INPUT_WIRE_SIZE;
        }
        if (n < max && *len > 0) {
                /* *len < VW_INPUT_WIRE_SIZE here, and the partial buffer is empty */
                memcpy(d->partial, *data, *len);
                d->n_partial = *len;
                *data += *len;
                *len = 0;
        }
        return n;
}

void vw_ydotool_decode(const uint8_t in[VW_YDOTOOL_RECORD_SIZE], struct vw_input_event *ret)
{
        uint16_t type, code;
        int32_t value;

        memcpy(&type, in, sizeof(type));
        memcpy(&code, in + 2, sizeof(code));
        memcpy(&value, in + 4, sizeof(value));
        *ret = (struct vw_input_event){ .type = type, .code = code, .value = value };
}
