/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Input events as the buffer core carries them: a VW_CHUNK_EVENTS chunk is an array of
 * struct vw_input_event, one frame or more, each frame ending with EV_SYN/SYN_REPORT.
 * Fixed width and independent of the architecture's struct input_event (whose size differs
 * between 32- and 64-bit time). `usec` is a timestamp (CLOCK_MONOTONIC microseconds) or, for
 * recordings being replayed, the offset from the start of the recording; 0 means "now".
 */

#include <stdint.h>

struct vw_input_event {
        uint64_t usec;
        uint16_t type;
        uint16_t code;
        int32_t value;
};

_Static_assert(sizeof(struct vw_input_event) == 16, "vw_input_event is 16 bytes");

/* Flags on VW_CHUNK_EVENTS chunks are unused for now (always 0). */
