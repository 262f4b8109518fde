/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "lenframe.h"
#include "macro.h"

void vw_lenframe_header(size_t len, uint8_t out[VW_LENFRAME_HEADER])
{
        out[0] = (uint8_t)(len >> 8);
        out[1] = (uint8_t)len;
}

void vw_lenframe_decoder_init(struct vw_lenframe_decoder *d)
{
        d->hdr_have = d->need = d->have = 0;
        d->frames = d->keepalives = 0;
}

size_t vw_lenframe_held(const struct vw_lenframe_decoder *d)
{
        return d->need ? VW_LENFRAME_HEADER + d->have : d->hdr_have;
}

int vw_lenframe_decode(struct vw_lenframe_decoder *d, const uint8_t *in, size_t len, vw_lenframe_fn frame,
                       void *userdata)
{
        size_t i = 0;
        int ret = 0;

        while (i < len) {
                size_t take;
                int r;

                if (d->need == 0) {
                        /* a header: both bytes here at once is the common case */
                        d->hdr[d->hdr_have++] = in[i++];
                        if (d->hdr_have < VW_LENFRAME_HEADER)
                                continue;
                        d->hdr_have = 0;
                        d->need = (size_t)d->hdr[0] << 8 | d->hdr[1];
                        d->have = 0;
                        if (d->need == 0) {
                                d->keepalives++;
                                continue;
                        }
                        if (len - i >= d->need) { /* the whole frame is in this piece */
                                d->frames++;
                                take = d->need;
                                d->need = 0;
                                r = frame(userdata, in + i, take);
                                if (r < 0 && ret == 0)
                                        ret = r;
                                i += take;
                        }
                        continue;
                }
                take = MIN(d->need - d->have, len - i);
                memcpy(d->frame + d->have, in + i, take);
                d->have += take;
                i += take;
                if (d->have < d->need)
                        continue;
                take = d->need;
                d->need = d->have = 0;
                d->frames++;
                r = frame(userdata, d->frame, take);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}
