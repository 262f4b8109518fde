/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Token bucket for the generators (loopback source, file replay): `rate` bytes per second over
 * the long run. Credit is kept in byte-microseconds, so nothing is lost to rounding between
 * writes and a late timer is made up by the next write. Writes come in quanta of about 10 ms
 * worth (at least 1 byte, at most a chunk); saved-up credit is capped at a quarter second worth
 * (or one quantum), so a generator that was held back by a full route does not burst afterwards.
 * No clock here: callers pass CLOCK_MONOTONIC microseconds. rate 0 means unpaced.
 */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define VW_USEC_PER_SEC 1000000ULL
/* 64 GiB/s: keeps rate * usec within 64 bits for the longest refill step below. */
#define VW_PACE_RATE_MAX (1ULL << 36)
#define VW_PACE_STEP_MAX (10 * VW_USEC_PER_SEC)

struct vw_pace {
        uint64_t rate;    /* bytes per second; 0: unpaced */
        uint64_t credit;  /* byte-microseconds */
        uint64_t cap;     /* byte-microseconds */
        uint64_t last;    /* time of the last refill */
        size_t quantum;   /* bytes worth waiting for */
};

static inline void vw_pace_init(struct vw_pace *p, uint64_t rate, size_t chunk)
{
        *p = (struct vw_pace){ .rate = MIN(rate, VW_PACE_RATE_MAX) };
        if (p->rate == 0)
                return;
        p->quantum = (size_t)MAX(MIN(p->rate / 100, (uint64_t)chunk), 1ULL);
        p->cap = MAX(p->rate / 4, (uint64_t)p->quantum) * VW_USEC_PER_SEC;
}

/* Start (again) from an empty bucket: after an idle period, nothing was saved up. */
static inline void vw_pace_start(struct vw_pace *p, uint64_t now)
{
        p->credit = 0;
        p->last = now;
}

/* Bytes that may be written at `now` (SIZE_MAX when unpaced). */
static inline size_t vw_pace_allow(struct vw_pace *p, uint64_t now)
{
        if (p->rate == 0)
                return SIZE_MAX;
        if (now > p->last) {
                uint64_t step = MIN(now - p->last, VW_PACE_STEP_MAX);

                p->credit = MIN(p->credit + p->rate * step, p->cap);
                p->last = now;
        }
        return (size_t)(p->credit / VW_USEC_PER_SEC);
}

static inline void vw_pace_take(struct vw_pace *p, size_t n)
{
        uint64_t c = (uint64_t)n * VW_USEC_PER_SEC;

        if (p->rate > 0)
                p->credit = c < p->credit ? p->credit - c : 0;
}

/* The bytes a paced writer should wait for before writing, given what is left to write. */
static inline size_t vw_pace_want(const struct vw_pace *p, size_t left)
{
        return p->rate == 0 ? MIN(left, (size_t)1) : MIN(left, p->quantum);
}

/* When `want` bytes of credit will be there (want <= the quantum). */
static inline uint64_t vw_pace_when(const struct vw_pace *p, size_t want)
{
        uint64_t need = (uint64_t)want * VW_USEC_PER_SEC;

        if (p->rate == 0 || p->credit >= need)
                return p->last;
        return p->last + (need - p->credit + p->rate - 1) / p->rate;
}
