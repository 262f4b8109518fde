/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "slip.h"

size_t vw_slip_encode(const uint8_t *in, size_t len, bool kiss, uint8_t *out)
{
        size_t n = 0;

        /* a leading END flushes whatever line noise the receiver has collected */
        out[n++] = VW_SLIP_END;
        if (kiss)
                out[n++] = 0x00; /* data frame, port 0: never END or ESC, so never escaped */
        for (size_t i = 0; i < len; i++) {
                if (in[i] == VW_SLIP_END) {
                        out[n++] = VW_SLIP_ESC;
                        out[n++] = VW_SLIP_ESC_END;
                } else if (in[i] == VW_SLIP_ESC) {
                        out[n++] = VW_SLIP_ESC;
                        out[n++] = VW_SLIP_ESC_ESC;
                } else {
                        out[n++] = in[i];
                }
        }
        out[n++] = VW_SLIP_END;
        return n;
}

int vw_slip_decoder_init(struct vw_slip_decoder *d, bool kiss)
{
        *d = (struct vw_slip_decoder){ .kiss = kiss };
        d->frame = malloc(VW_SLIP_MAX_FRAME);
        return d->frame ? 0 : -ENOMEM;
}

void vw_slip_decoder_done(struct vw_slip_decoder *d)
{
        free(d->frame);
        d->frame = NULL;
}

/* END: hand on the frame collected, or drop it. Returns 0, 1 when dropped, or frame()'s error. */
static int frame_end(struct vw_slip_decoder *d, vw_slip_frame_fn frame, void *userdata)
{
        const uint8_t *p = d->frame;
        size_t len = d->len;
        bool bad = d->bad || d->esc;

        d->len = 0;
        d->bad = d->esc = false;
        if (len == 0 && !bad)
                return 0;
        if (!bad && d->kiss) {
                /* the command byte: low nibble 0 is a data frame; port 0 only */
                bad = p[0] != 0x00;
                p++;
                len--;
                if (!bad && len == 0)
                        return 0;
        }
        if (bad) {
                d->dropped++;
                return 1;
        }
        d->frames++;
        return frame(userdata, p, len);
}

int vw_slip_decode(struct vw_slip_decoder *d, const uint8_t *in, size_t len, vw_slip_frame_fn frame, void *userdata)
{
        bool dropped = false;

        for (size_t i = 0; i < len; i++) {
                uint8_t c = in[i];
                int r;

                if (c == VW_SLIP_END) {
                        r = frame_end(d, frame, userdata);
                        if (r < 0)
                                return r;
                        dropped |= r > 0;
                        continue;
                }
                if (d->esc) {
                        d->esc = false;
                        if (c == VW_SLIP_ESC_END)
                                c = VW_SLIP_END;
                        else if (c == VW_SLIP_ESC_ESC)
                                c = VW_SLIP_ESC;
                        else
                                d->bad = true; /* RFC 1055 leaves it open; a broken frame is safer dropped */
                } else if (c == VW_SLIP_ESC) {
                        d->esc = true;
                        continue;
                }
                if (d->bad)
                        continue;
                if (d->len == VW_SLIP_MAX_FRAME) {
                        d->bad = true;
                        continue;
                }
                d->frame[d->len++] = c;
        }
        return dropped ? -EILSEQ : 0;
}
