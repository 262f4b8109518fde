/* SPDX-License-Identifier: MIT */
/* Saturating mix of cable writers (audio-mix.h). Samples are little-endian on the wire and in
 * the rings, whatever the host. */
#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "audio-mix.h"

static double clamp(double v, double lo, double hi)
{
        if (v != v) /* NaN */
                return 0;
        return v < lo ? lo : v > hi ? hi : v;
}

void vw_audio_mix_add(enum vw_audio_format f, double *acc, const void *src, size_t n)
{
        const uint8_t *p = src;

        for (size_t i = 0; i < n; i++) {
                uint16_t u16;
                uint32_t u32;
                float fl;

                switch (f) {
                case VW_AUDIO_S16_LE:
                        memcpy(&u16, p + 2 * i, 2);
                        acc[i] += (int16_t)le16toh(u16);
                        break;
                case VW_AUDIO_S32_LE:
                        memcpy(&u32, p + 4 * i, 4);
                        acc[i] += (int32_t)le32toh(u32);
                        break;
                case VW_AUDIO_FLOAT_LE:
                        memcpy(&u32, p + 4 * i, 4);
                        u32 = le32toh(u32);
                        memcpy(&fl, &u32, 4);
                        acc[i] += fl;
                        break;
                default:
                        return;
                }
        }
}

void vw_audio_mix_out(enum vw_audio_format f, const double *acc, void *dst, size_t n)
{
        uint8_t *p = dst;

        for (size_t i = 0; i < n; i++) {
                uint16_t u16;
                uint32_t u32;
                float fl;

                switch (f) {
                case VW_AUDIO_S16_LE:
                        u16 = htole16((uint16_t)(int16_t)clamp(acc[i], INT16_MIN, INT16_MAX));
                        memcpy(p + 2 * i, &u16, 2);
                        break;
                case VW_AUDIO_S32_LE:
                        u32 = htole32((uint32_t)(int32_t)clamp(acc[i], INT32_MIN, INT32_MAX));
                        memcpy(p + 4 * i, &u32, 4);
                        break;
                case VW_AUDIO_FLOAT_LE:
                        fl = (float)clamp(acc[i], -1.0, 1.0);
                        memcpy(&u32, &fl, 4);
                        u32 = htole32(u32);
                        memcpy(p + 4 * i, &u32, 4);
                        break;
                default:
                        return;
                }
        }
}
