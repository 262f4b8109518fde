/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Mixing the writers of an audio cable: samples are summed in a double accumulator (exact for
 * every sum of S16 and S32 samples a cable can have), then written back saturated: integers
 * clamp at their limits, floats at -1.0 and 1.0 (NaN becomes 0). One writer comes out bit for
 * bit as it went in, within those limits. Pure: no clock, no fds.
 */

#include <stddef.h>
#include <stdint.h>

#include "audio-proto.h"

/* acc[i] += sample i of src, for n samples (not frames) of format f. */
void vw_audio_mix_add(enum vw_audio_format f, double *acc, const void *src, size_t n);
/* Sample i of dst = acc[i], saturated to format f. */
void vw_audio_mix_out(enum vw_audio_format f, const double *acc, void *dst, size_t n);

/*
 * A test tone: exactly one period of a sine of `freq` Hz sampled at `rate`, which is
 * rate / gcd(rate, freq) frames (at most one second), every channel alike, at `level` (0..1) of
 * full scale, rounded to the nearest sample; repeated, it is the endless tone with no seam.
 * *ret is malloc'd. Returns 0, -EINVAL (freq not in 1..rate/2, level outside 0..1, a bad
 * format), -ENOMEM.
 */
int vw_audio_tone(enum vw_audio_format f, unsigned rate, unsigned channels, unsigned freq, double level, uint8_t **ret,
                  size_t *ret_len);
