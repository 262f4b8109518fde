/* SPDX-License-Identifier: MIT */
/* Saturating mix of cable writers (audio-mix.h). Samples are little-endian on the wire and in
 * the rings, whatever the host. */
#include <endian.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
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

static unsigned gcd(unsigned a, unsigned b)
{
        while (b) {
                unsigned t = a % b;

                a = b;
                b = t;
        }
        return a;
}

int vw_audio_tone(enum vw_audio_format f, unsigned rate, unsigned channels, unsigned freq, double level, uint8_t **ret,
                  size_t *ret_len)
{
        unsigned bytes = vw_audio_format_bytes(f);
        double scale = f == VW_AUDIO_S16_LE ? INT16_MAX : f == VW_AUDIO_S32_LE ? (double)INT32_MAX : 1.0;
        size_t frames, n;
        double *acc;
        uint8_t *out;

        if (bytes == 0 || rate == 0 || channels == 0 || freq == 0 || freq > rate / 2 || !(level >= 0 && level <= 1))
                return -EINVAL;
        frames = rate / gcd(rate, freq);
        n = frames * channels;
        acc = malloc(n * sizeof(double));
        out = malloc(n * bytes);
        if (!acc || !out) {
                free(acc);
                free(out);
                return -ENOMEM;
        }
        for (size_t i = 0; i < frames; i++) {
                /* the phase of frame i, reduced exactly in integers first: no error that grows with i */
                double v = level * sin(2.0 * M_PI * (double)((uint64_t)i * freq % rate) / rate) * scale;

                if (f != VW_AUDIO_FLOAT_LE)
                        v = nearbyint(v);
                for (unsigned c = 0; c < channels; c++)
                        acc[i * channels + c] = v;
        }
        vw_audio_mix_out(f, acc, out, n);
        free(acc);
        *ret = out;
        *ret_len = n * bytes;
        return 0;
}
