/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <stdio.h>
#include <string.h>

#include "input-ff.h"
#include "macro.h"

void vw_ff_init(struct vw_ff *ff)
{
        *ff = (struct vw_ff){ .gain = -1, .autocenter = -1 };
}

int vw_ff_upload(struct vw_ff *ff, const struct ff_effect *e)
{
        struct vw_ff_slot *s;

        if (e->id < 0 || e->id >= VW_FF_SLOTS)
                return -EINVAL;
        s = &ff->slot[e->id];
        /* an update of a playing effect keeps playing (the kernel allows that) */
        if (!s->used)
                *s = (struct vw_ff_slot){};
        s->used = true;
        s->effect = *e;
        ff->uploads++;
        return 0;
}

int vw_ff_erase(struct vw_ff *ff, int id)
{
        if (id < 0 || id >= VW_FF_SLOTS || !ff->slot[id].used)
                return -ENOENT;
        ff->slot[id] = (struct vw_ff_slot){};
        ff->erases++;
        return 0;
}

void vw_ff_event(struct vw_ff *ff, unsigned code, int value, uint64_t now)
{
        struct vw_ff_slot *s;

        if (code == FF_GAIN) {
                ff->gain = value;
                return;
        }
        if (code == FF_AUTOCENTER) {
                ff->autocenter = value;
                return;
        }
        if (code >= VW_FF_SLOTS)
                return;
        s = &ff->slot[code];
        if (value > 0) {
                s->playing = true;
                s->started = now;
                s->count = value;
                ff->plays++;
        } else {
                s->playing = false;
                ff->stops++;
        }
}

bool vw_ff_playing(const struct vw_ff *ff, int id, uint64_t now)
{
        const struct vw_ff_slot *s;
        uint64_t len;

        if (id < 0 || id >= VW_FF_SLOTS)
                return false;
        s = &ff->slot[id];
        if (!s->used || !s->playing)
                return false;
        /* length 0 plays until stopped */
        len = (uint64_t)s->effect.replay.length * 1000u;
        if (len == 0)
                return true;
        return now < s->started + (uint64_t)s->effect.replay.delay * 1000u + len * (uint64_t)MAX(s->count, 1);
}

unsigned vw_ff_n_effects(const struct vw_ff *ff)
{
        unsigned n = 0;

        for (size_t i = 0; i < VW_FF_SLOTS; i++)
                n += ff->slot[i].used;
        return n;
}

static const char *ff_name(unsigned code)
{
        const char *n = libevdev_event_code_get_name(EV_FF, code);

        return n ? n : "FF_?";
}

void vw_ff_effect_describe(const struct ff_effect *e, char *buf, size_t size)
{
        int n;

        switch (e->type) {
        case FF_RUMBLE:
                n = snprintf(buf, size, "FF_RUMBLE strong 0x%04x weak 0x%04x", e->u.rumble.strong_magnitude,
                             e->u.rumble.weak_magnitude);
                break;
        case FF_PERIODIC:
                n = snprintf(buf, size, "FF_PERIODIC %s period %u ms magnitude %d offset %d", ff_name(e->u.periodic.waveform),
                             e->u.periodic.period, e->u.periodic.magnitude, e->u.periodic.offset);
                break;
        case FF_CONSTANT:
                n = snprintf(buf, size, "FF_CONSTANT level %d", e->u.constant.level);
                break;
        case FF_RAMP:
                n = snprintf(buf, size, "FF_RAMP from %d to %d", e->u.ramp.start_level, e->u.ramp.end_level);
                break;
        default:
                n = snprintf(buf, size, "%s", ff_name(e->type));
                break;
        }
        if (n >= 0 && (size_t)n < size)
                snprintf(buf + n, size - (size_t)n, ", length %u ms, delay %u ms", e->replay.length, e->replay.delay);
}

static void add_int(json_object *o, const char *key, int64_t v)
{
        json_object_object_add(o, key, json_object_new_int64(v));
}

static json_object *envelope_json(const struct ff_envelope *env)
{
        json_object *o = json_object_new_object();

        add_int(o, "attack_length", env->attack_length);
        add_int(o, "attack_level", env->attack_level);
        add_int(o, "fade_length", env->fade_length);
        add_int(o, "fade_level", env->fade_level);
        return o;
}

json_object *vw_ff_effect_to_json(const struct ff_effect *e)
{
        json_object *o = json_object_new_object();

        add_int(o, "id", e->id);
        json_object_object_add(o, "type", json_object_new_string(ff_name(e->type)));
        add_int(o, "length_ms", e->replay.length);
        add_int(o, "delay_ms", e->replay.delay);
        add_int(o, "direction", e->direction);
        switch (e->type) {
        case FF_RUMBLE:
                add_int(o, "strong_magnitude", e->u.rumble.strong_magnitude);
                add_int(o, "weak_magnitude", e->u.rumble.weak_magnitude);
                break;
        case FF_PERIODIC:
                json_object_object_add(o, "waveform", json_object_new_string(ff_name(e->u.periodic.waveform)));
                add_int(o, "period_ms", e->u.periodic.period);
                add_int(o, "magnitude", e->u.periodic.magnitude);
                add_int(o, "offset", e->u.periodic.offset);
                add_int(o, "phase", e->u.periodic.phase);
                json_object_object_add(o, "envelope", envelope_json(&e->u.periodic.envelope));
                break;
        case FF_CONSTANT:
                add_int(o, "level", e->u.constant.level);
                json_object_object_add(o, "envelope", envelope_json(&e->u.constant.envelope));
                break;
        case FF_RAMP:
                add_int(o, "start_level", e->u.ramp.start_level);
                add_int(o, "end_level", e->u.ramp.end_level);
                json_object_object_add(o, "envelope", envelope_json(&e->u.ramp.envelope));
                break;
        default:
                break;
        }
        return o;
}

json_object *vw_ff_to_json(const struct vw_ff *ff, uint64_t now)
{
        json_object *o = json_object_new_object(), *effects = json_object_new_array();

        for (int i = 0; i < VW_FF_SLOTS; i++) {
                json_object *e;

                if (!ff->slot[i].used)
                        continue;
                e = vw_ff_effect_to_json(&ff->slot[i].effect);
                json_object_object_add(e, "playing", json_object_new_boolean(vw_ff_playing(ff, i, now)));
                json_object_array_add(effects, e);
        }
        json_object_object_add(o, "gain", ff->gain >= 0 ? json_object_new_int(ff->gain) : NULL);
        json_object_object_add(o, "autocenter", ff->autocenter >= 0 ? json_object_new_int(ff->autocenter) : NULL);
        add_int(o, "uploads", (int64_t)ff->uploads);
        add_int(o, "erases", (int64_t)ff->erases);
        add_int(o, "plays", (int64_t)ff->plays);
        add_int(o, "stops", (int64_t)ff->stops);
        json_object_object_add(o, "effects", effects);
        return o;
}
