/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Force feedback bookkeeping of a virtual gamepad: the effects clients uploaded (EVIOCSFF
 * reaches vwired as a UI_FF_UPLOAD request), erased, played and stopped, and the gain.
 * Pure: the backend answers the uinput requests and feeds what they carried in here.
 * Times are CLOCK_MONOTONIC microseconds passed by the caller.
 */

#include <json-c/json.h>
#include <linux/input.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Effect ids the kernel hands out stay below the device's ff_effects_max (libevdev: 10). */
#define VW_FF_SLOTS 16

struct vw_ff_slot {
        bool used;
        struct ff_effect effect;
        bool playing;
        uint64_t started;   /* when the last play request came */
        int32_t count;      /* its play count */
};

struct vw_ff {
        struct vw_ff_slot slot[VW_FF_SLOTS];
        int gain;           /* last FF_GAIN, -1: never set */
        int autocenter;     /* last FF_AUTOCENTER, -1: never set */
        uint64_t uploads, erases, plays, stops;
};

void vw_ff_init(struct vw_ff *ff);
/* Store (or replace) an uploaded effect; -EINVAL when its id is out of range. */
int vw_ff_upload(struct vw_ff *ff, const struct ff_effect *e);
/* -ENOENT when no such effect was uploaded (the kernel checks this too, so it is unusual). */
int vw_ff_erase(struct vw_ff *ff, int id);
/* An EV_FF event the kernel passed to the device: play (value = count) / stop (0), FF_GAIN, FF_AUTOCENTER. */
void vw_ff_event(struct vw_ff *ff, unsigned code, int value, uint64_t now);
/* Playing: a play request came and neither a stop nor the end of its count * length passed. */
bool vw_ff_playing(const struct vw_ff *ff, int id, uint64_t now);
unsigned vw_ff_n_effects(const struct vw_ff *ff);

/* "FF_RUMBLE strong 0x8000 weak 0x4000, length 1000 ms" */
void vw_ff_effect_describe(const struct ff_effect *e, char *buf, size_t size);
json_object *vw_ff_effect_to_json(const struct ff_effect *e);
json_object *vw_ff_to_json(const struct vw_ff *ff, uint64_t now);
