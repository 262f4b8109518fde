/* SPDX-License-Identifier: MIT */
/*
 * Control methods of [input] devices: injection by name (io.vwire.Key, Type, Pointer, Abs,
 * Touch, Gamepad, Event). Each builds frames of events, every frame ending with SYN_REPORT,
 * checks that the device has every code it uses (nothing is written otherwise), and queues
 * them on the device (devices/input/input-uinput.h).
 *
 * Replies come at once: frames due now are already written; with delays or holds the rest is
 * queued, and busy_usec says how long until the device's queue is empty. Later injections on
 * the same device wait behind queued ones, so their order is kept. (vwirectl waits busy_usec
 * before it exits, so `vwirectl type` returns once the text is typed.)
 */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "input-uinput.h"
#include "keymap.h"
#include "log.h"
#include "method.h"

#define INVALID "io.vwire.InvalidArgument"
#define MAX_DELAY_MS 60000
#define MAX_EVENTS 4096   /* per Event or Key call */

#define FRAMES_MAX 512   /* events one pointer/button/touch/abs call may build */

/* Events being built for one call. More than fit is refused as a whole, never cut short. */
struct frames {
        struct vw_input_event ev[FRAMES_MAX];
        size_t n;
        bool overflow;
};

static void add(struct frames *f, unsigned type, unsigned code, int32_t value)
{
        if (f->n < ELEMENTSOF(f->ev))
                f->ev[f->n++] = (struct vw_input_event){ .type = (uint16_t)type, .code = (uint16_t)code, .value = value };
        else
                f->overflow = true;
}

static void syn(struct frames *f, uint64_t delay_before_next)
{
        add(f, EV_SYN, SYN_REPORT, 0);
        /* the delay belongs to the next frame's first event */
        if (f->n < ELEMENTSOF(f->ev))
                f->ev[f->n].usec = delay_before_next;
}

static void fail(struct vw_call *c, const char *fmt, ...) _printf_(2, 3);
static void fail(struct vw_call *c, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        vw_call_fail(c, INVALID, "message", msg ? msg : "invalid argument");
}

static void submit(struct vw_call *c, struct vw_input *in, json_object *params, const struct vw_input_event *ev,
                   size_t n);

static void submit_frames(struct vw_call *c, struct vw_input *in, json_object *params, struct frames *f)
{
        if (f->overflow)
                return fail(c, "this call needs more than %u input events; split it into several calls",
                            FRAMES_MAX);
        submit(c, in, params, f->ev, f->n);
}

/* The device named by params.name; answers the call itself when there is none. */
static struct vw_input *get_device(struct vw_call *c, json_object *params)
{
        const char *name = vw_call_get_string(params, "name");
        struct vw_endpoint *ep;
        struct vw_input *in;

        if (!name) {
                vw_call_invalid_parameter(c, "name");
                return NULL;
        }
        ep = vw_call_find_endpoint(c, name);
        if (!ep) {
                vw_call_no_such(c, name);
                return NULL;
        }
        in = vw_input_of(ep);
        if (!in)
                fail(c, "'%s' is a %s endpoint, not an input device", name, ep->ops->kind);
        return in;
}

static const char *dev_name(const struct vw_input *in, json_object *params)
{
        return vw_call_get_string(params, "name");
}

/* An optional integer parameter: false (and the call answered) when it is there but no integer. */
static bool get_int(struct vw_call *c, json_object *params, const char *key, int64_t *v, bool *present)
{
        json_object *o;

        *present = false;
        if (!json_object_object_get_ex(params, key, &o) || json_object_is_type(o, json_type_null))
                return true;
        if (!json_object_is_type(o, json_type_int)) {
                vw_call_invalid_parameter(c, key);
                return false;
        }
        *v = json_object_get_int64(o);
        *present = true;
        return true;
}

static bool get_int_default(struct vw_call *c, json_object *params, const char *key, int64_t def, int64_t min,
                            int64_t max, int64_t *v)
{
        bool present;

        *v = def;
        if (!get_int(c, params, key, v, &present))
                return false;
        if (present && (*v < min || *v > max)) {
                fail(c, "%s: %lld is outside %lld..%lld", key, (long long)*v, (long long)min, (long long)max);
                return false;
        }
        return true;
}

static bool get_required_int(struct vw_call *c, json_object *params, const char *key, int64_t *v)
{
        bool present;

        if (!get_int(c, params, key, v, &present))
                return false;
        if (!present) {
                vw_call_invalid_parameter(c, key);
                return false;
        }
        if (*v < INT32_MIN || *v > INT32_MAX) {
                fail(c, "%s: %lld does not fit an event value", key, (long long)*v);
                return false;
        }
        return true;
}

static const char *code_name(unsigned type, unsigned code, char buf[static 32])
{
        const char *n = libevdev_event_code_get_name(type, code);

        if (n)
                return n;
        snprintf(buf, 32, "%u", code);
        return buf;
}

/* The first event whose code the device lacks, or n. */
static size_t missing_code(const struct vw_input *in, const struct vw_input_event *ev, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++)
                if (!vw_input_has(in, ev[i].type, ev[i].code))
                        break;
        return i;
}

/* Every code the frames use must be the device's; answers the call when one is not. */
static bool check_codes(struct vw_call *c, const struct vw_input *in, json_object *params,
                        const struct vw_input_event *ev, size_t n)
{
        size_t i = missing_code(in, ev, n);

        if (i < n) {
                const char *t = libevdev_event_type_get_name(ev[i].type);
                char buf[32];

                fail(c, "%s has no %s %s (see vwirectl show %s)%s", dev_name(in, params), t ? t : "type",
                     code_name(ev[i].type, ev[i].code, buf), dev_name(in, params),
                     ev[i].type == EV_KEY && ev[i].code == KEY_SYSRQ
                             ? "; SysRq is off unless the config sets allow-sysrq = yes" : "");
                return false;
        }
        return true;
}

/* A value for an axis, inside its range. */
static bool check_abs(struct vw_call *c, const struct vw_input *in, json_object *params, unsigned code, int64_t v)
{
        const struct input_absinfo *a = vw_input_absinfo(in, code);
        char buf[32];

        if (!a) {
                fail(c, "%s has no axis %s", dev_name(in, params), code_name(EV_ABS, code, buf));
                return false;
        }
        if (v < a->minimum || v > a->maximum) {
                fail(c, "%lld is outside %s's range %d..%d", (long long)v, code_name(EV_ABS, code, buf), a->minimum,
                     a->maximum);
                return false;
        }
        return true;
}

/* Queue events whose codes were checked, and answer: {events, busy_usec} or the error. */
static void send_events(struct vw_call *c, struct vw_input *in, const char *name, const struct vw_input_event *ev,
                        size_t n)
{
        static const char *const keys[] = { "events", "busy_usec" };
        int r = vw_input_submit(in, ev, n, vw_call_more_this_turn(c));

        if (r == -EBUSY)
                return vw_call_fail(c, "io.vwire.Failed", "message", "too many events queued on this device; wait");
        if (r < 0)
                return vw_call_errno(c, r, name, NULL);
        vw_call_reply_ints(c, ELEMENTSOF(keys), keys, (const int64_t[]){ r, (int64_t)vw_input_busy_usec(in) });
}

static void submit(struct vw_call *c, struct vw_input *in, json_object *params, const struct vw_input_event *ev,
                   size_t n)
{
        if (check_codes(c, in, params, ev, n))
                send_events(c, in, dev_name(in, params), ev, n);
}

/* ---- Key ---- */

static void method_key(struct vw_call *c, json_object *params)
{
        const char *combo = vw_call_get_string(params, "combo"), *action = vw_call_get_string(params, "action");
        _cleanup_free_ struct vw_input_event *ev = NULL;
        _cleanup_free_ char *error = NULL;
        struct vw_input *in = get_device(c, params);
        size_t n, split = 0, from = 0, to;
        int64_t hold;

        if (!in)
                return;
        if (!combo)
                return vw_call_invalid_parameter(c, "combo");
        if (!get_int_default(c, params, "hold_ms", 0, 0, MAX_DELAY_MS, &hold))
                return;
        if (vw_keys_parse_combo(combo, &ev, &n, &error) < 0)
                return fail(c, "%s", error ? error : "bad key combination");
        /* press frame, release frame */
        while (split < n && !(ev[split].type == EV_SYN && ev[split].code == SYN_REPORT))
                split++;
        split++;
        to = n;
        if (!action || streq(action, "tap")) {
                if (split < n)
                        ev[split].usec = (uint64_t)hold * 1000u;
        } else if (streq(action, "press")) {
                to = split;
        } else if (streq(action, "release")) {
                from = split;
        } else {
                return fail(c, "action: expected tap, press or release, not '%s'", action);
        }
        if (from >= to)
                return fail(c, "'%s' gives no events", combo);
        ev[from].usec = 0;
        submit(c, in, params, ev + from, to - from);
}

/* ---- Type ---- */

static void method_type(struct vw_call *c, json_object *params)
{
        const char *text = vw_call_get_string(params, "text"), *layout = vw_call_get_string(params, "layout");
        _cleanup_free_ struct vw_input_event *ev = NULL;
        _cleanup_free_ char *error = NULL;
        struct vw_input *in = get_device(c, params);
        const struct vw_keymap *km;
        int64_t delay, hold;
        bool first = true;
        size_t n;

        if (!in)
                return;
        if (!text)
                return vw_call_invalid_parameter(c, "text");
        if (!get_int_default(c, params, "delay_ms", 0, 0, MAX_DELAY_MS, &delay) ||
            !get_int_default(c, params, "hold_ms", 0, 0, MAX_DELAY_MS, &hold))
                return;
        if (!layout)
                layout = vw_input_config(in)->layout ?: "us";
        if (vw_keymap_find(layout, &km) < 0)
                return fail(c, "unknown layout '%s' (known: %s)", layout, vw_keymap_names());
        if (vw_keymap_type(km, text, strlen(text), &ev, &n, &error) < 0)
                return fail(c, "%s", error ? error : "cannot type this text");
        if (n == 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "events", json_object_new_int(0));
                json_object_object_add(p, "busy_usec", json_object_new_int64((int64_t)vw_input_busy_usec(in)));
                return vw_call_reply(c, p);
        }
        /* hold: before a frame that releases; delay: before a frame that presses (not the first) */
        for (size_t i = 0; i < n;) {
                size_t end = i;
                bool press = false;

                while (end < n && !(ev[end].type == EV_SYN && ev[end].code == SYN_REPORT)) {
                        press |= ev[end].type == EV_KEY && ev[end].value == 1;
                        end++;
                }
                ev[i].usec = first ? 0 : (uint64_t)(press ? delay : hold) * 1000u;
                first = false;
                i = end + 1;
        }
        submit(c, in, params, ev, n);
}

/* ---- Pointer ---- */

static int button_code(const char *name)
{
        static const struct {
                const char *name;
                unsigned code;
        } buttons[] = {
                { "left", BTN_LEFT }, { "right", BTN_RIGHT }, { "middle", BTN_MIDDLE }, { "side", BTN_SIDE },
                { "extra", BTN_EXTRA }, { "forward", BTN_FORWARD }, { "back", BTN_BACK }, { "task", BTN_TASK },
                { "touch", BTN_TOUCH }, { "stylus", BTN_STYLUS },
                /* gamepad, by position and by the usual letters */
                { "south", BTN_SOUTH }, { "east", BTN_EAST }, { "north", BTN_NORTH }, { "west", BTN_WEST },
                { "a", BTN_SOUTH }, { "b", BTN_EAST }, { "x", BTN_NORTH }, { "y", BTN_WEST },
                { "tl", BTN_TL }, { "tr", BTN_TR }, { "tl2", BTN_TL2 }, { "tr2", BTN_TR2 },
                { "lb", BTN_TL }, { "rb", BTN_TR }, { "select", BTN_SELECT }, { "back-button", BTN_SELECT },
                { "start", BTN_START }, { "mode", BTN_MODE }, { "home", BTN_MODE },
                { "thumbl", BTN_THUMBL }, { "thumbr", BTN_THUMBR }, { "l3", BTN_THUMBL }, { "r3", BTN_THUMBR },
                { "dpad-up", BTN_DPAD_UP }, { "dpad-down", BTN_DPAD_DOWN }, { "dpad-left", BTN_DPAD_LEFT },
                { "dpad-right", BTN_DPAD_RIGHT },
        };

        for (size_t i = 0; i < ELEMENTSOF(buttons); i++)
                if (strcasecmp(name, buttons[i].name) == 0)
                        return (int)buttons[i].code;
        return libevdev_event_code_from_name(EV_KEY, name);
}

static int get_button(struct vw_call *c, json_object *params, const char *def)
{
        const char *b = vw_call_get_string(params, "button");
        int code;

        if (!b)
                b = def;
        if (!b) {
                vw_call_invalid_parameter(c, "button");
                return -EINVAL;
        }
        code = button_code(b);
        if (code < 0)
                fail(c, "unknown button '%s' (left, right, middle, side, extra, south, east, ... or a BTN_ name)", b);
        return code;
}

/* press, release or tap (press then release) of one key or button */
static bool build_button(struct vw_call *c, struct frames *f, unsigned code, const char *state, int64_t count)
{
        if (!state || streq(state, "tap") || streq(state, "click")) {
                for (int64_t i = 0; i < count; i++) {
                        add(f, EV_KEY, code, 1);
                        syn(f, 0);
                        add(f, EV_KEY, code, 0);
                        syn(f, 0);
                }
        } else if (streq(state, "press")) {
                add(f, EV_KEY, code, 1);
                syn(f, 0);
        } else if (streq(state, "release")) {
                add(f, EV_KEY, code, 0);
                syn(f, 0);
        } else {
                fail(c, "expected press, release or tap, not '%s'", state);
                return false;
        }
        return true;
}

static void add_wheel(const struct vw_input *in, struct frames *f, unsigned lo, unsigned hi, int64_t v)
{
        if (v == 0)
                return;
        add(f, EV_REL, lo, (int32_t)v);
        if (vw_input_has(in, EV_REL, hi))
                add(f, EV_REL, hi, (int32_t)(v * 120));
}

static void method_pointer(struct vw_call *c, json_object *params)
{
        const char *action = vw_call_get_string(params, "action");
        struct vw_input *in = get_device(c, params);
        struct frames f = {};
        int64_t x, y, amount, hamount, count;
        int code;

        if (!in)
                return;
        if (!action)
                return vw_call_invalid_parameter(c, "action");
        if (streq(action, "move")) {
                if (!get_int_default(c, params, "x", 0, INT32_MIN, INT32_MAX, &x) ||
                    !get_int_default(c, params, "y", 0, INT32_MIN, INT32_MAX, &y))
                        return;
                if (x != 0)
                        add(&f, EV_REL, REL_X, (int32_t)x);
                if (y != 0)
                        add(&f, EV_REL, REL_Y, (int32_t)y);
                if (f.n == 0)
                        return fail(c, "a move of 0, 0 moves nothing");
                syn(&f, 0);
        } else if (streq(action, "click") || streq(action, "press") || streq(action, "release")) {
                code = get_button(c, params, streq(action, "click") ? "left" : NULL);
                if (code < 0)
                        return;
                if (!get_int_default(c, params, "count", 1, 1, 100, &count))
                        return;
                if (!build_button(c, &f, (unsigned)code, action, count))
                        return;
        } else if (streq(action, "scroll")) {
                if (!get_int_default(c, params, "amount", 0, -10000, 10000, &amount) ||
                    !get_int_default(c, params, "horizontal", 0, -10000, 10000, &hamount))
                        return;
                add_wheel(in, &f, REL_WHEEL, REL_WHEEL_HI_RES, amount);
                add_wheel(in, &f, REL_HWHEEL, REL_HWHEEL_HI_RES, hamount);
                if (f.n == 0)
                        return fail(c, "a scroll of 0 scrolls nothing");
                syn(&f, 0);
        } else {
                return fail(c, "action: expected move, click, press, release or scroll, not '%s'", action);
        }
        submit_frames(c, in, params, &f);
}

/* ---- Abs ---- */

static void method_abs(struct vw_call *c, json_object *params)
{
        struct vw_input *in = get_device(c, params);
        struct frames f = {};
        json_object *axes;
        int64_t v;
        bool present;

        if (!in)
                return;
        if (!get_int(c, params, "x", &v, &present))
                return;
        if (present) {
                if (!check_abs(c, in, params, ABS_X, v))
                        return;
                add(&f, EV_ABS, ABS_X, (int32_t)v);
        }
        if (!get_int(c, params, "y", &v, &present))
                return;
        if (present) {
                if (!check_abs(c, in, params, ABS_Y, v))
                        return;
                add(&f, EV_ABS, ABS_Y, (int32_t)v);
        }
        if (json_object_object_get_ex(params, "axes", &axes) && !json_object_is_type(axes, json_type_null)) {
                if (!json_object_is_type(axes, json_type_object))
                        return vw_call_invalid_parameter(c, "axes");
                json_object_object_foreach(axes, key, val) {
                        int code = libevdev_event_code_from_name(EV_ABS, key);

                        if (code < 0)
                                return fail(c, "unknown axis '%s' (names like ABS_PRESSURE)", key);
                        if (!json_object_is_type(val, json_type_int))
                                return vw_call_invalid_parameter(c, "axes");
                        if (!check_abs(c, in, params, (unsigned)code, json_object_get_int64(val)))
                                return;
                        add(&f, EV_ABS, (unsigned)code, (int32_t)json_object_get_int64(val));
                }
        }
        if (f.n == 0)
                return fail(c, "give x, y or axes");
        syn(&f, 0);
        submit_frames(c, in, params, &f);
}

/* ---- Touch (type B slots) ---- */

/* BTN_TOOL_FINGER ... QUINTTAP for n contacts, where the device has them */
static void add_tools(const struct vw_input *in, struct frames *f, unsigned before, unsigned after)
{
        static const unsigned tools[] = { BTN_TOOL_FINGER, BTN_TOOL_DOUBLETAP, BTN_TOOL_TRIPLETAP,
                                          BTN_TOOL_QUADTAP, BTN_TOOL_QUINTTAP };

        if (before == after)
                return;
        if (before > 0 && before <= ELEMENTSOF(tools) && vw_input_has(in, EV_KEY, tools[before - 1]))
                add(f, EV_KEY, tools[before - 1], 0);
        if (after > 0 && after <= ELEMENTSOF(tools) && vw_input_has(in, EV_KEY, tools[after - 1]))
                add(f, EV_KEY, tools[after - 1], 1);
}

static void add_single_touch(const struct vw_input *in, struct frames *f, int32_t x, int32_t y)
{
        if (vw_input_has(in, EV_ABS, ABS_X))
                add(f, EV_ABS, ABS_X, x);
        if (vw_input_has(in, EV_ABS, ABS_Y))
                add(f, EV_ABS, ABS_Y, y);
}

static void method_touch(struct vw_call *c, json_object *params)
{
        const char *action = vw_call_get_string(params, "action");
        struct vw_input *in = get_device(c, params);
        struct frames f = {};
        int64_t slot, x = 0, y = 0;
        unsigned before, nslots;
        int primary;

        if (!in)
                return;
        nslots = vw_input_n_slots(in);
        if (nslots == 0)
                return fail(c, "%s is not a multi-touch device (no ABS_MT_SLOT)", dev_name(in, params));
        if (!action)
                return vw_call_invalid_parameter(c, "action");
        if (!get_int_default(c, params, "slot", 0, 0, (int64_t)nslots - 1, &slot))
                return;
        before = vw_input_n_contacts(in);
        if (streq(action, "down") || streq(action, "move")) {
                if (!get_required_int(c, params, "x", &x) || !get_required_int(c, params, "y", &y) ||
                    !check_abs(c, in, params, ABS_MT_POSITION_X, x) || !check_abs(c, in, params, ABS_MT_POSITION_Y, y))
                        return;
        }
        if (streq(action, "down")) {
                if (vw_input_slot_active(in, (unsigned)slot))
                        return fail(c, "slot %lld is already down; move or up it", (long long)slot);
                add(&f, EV_ABS, ABS_MT_SLOT, (int32_t)slot);
                add(&f, EV_ABS, ABS_MT_TRACKING_ID, vw_input_new_tracking_id(in));
                add(&f, EV_ABS, ABS_MT_POSITION_X, (int32_t)x);
                add(&f, EV_ABS, ABS_MT_POSITION_Y, (int32_t)y);
                if (before == 0) {
                        add(&f, EV_KEY, BTN_TOUCH, 1);
                        add_single_touch(in, &f, (int32_t)x, (int32_t)y);
                }
                add_tools(in, &f, before, before + 1);
        } else if (streq(action, "move")) {
                if (!vw_input_slot_active(in, (unsigned)slot))
                        return fail(c, "slot %lld is not down", (long long)slot);
                add(&f, EV_ABS, ABS_MT_SLOT, (int32_t)slot);
                add(&f, EV_ABS, ABS_MT_POSITION_X, (int32_t)x);
                add(&f, EV_ABS, ABS_MT_POSITION_Y, (int32_t)y);
                if (vw_input_oldest_slot(in, -1) == slot)
                        add_single_touch(in, &f, (int32_t)x, (int32_t)y);
        } else if (streq(action, "up")) {
                if (!vw_input_slot_active(in, (unsigned)slot))
                        return fail(c, "slot %lld is not down", (long long)slot);
                primary = vw_input_oldest_slot(in, -1);
                add(&f, EV_ABS, ABS_MT_SLOT, (int32_t)slot);
                add(&f, EV_ABS, ABS_MT_TRACKING_ID, -1);
                if (before == 1) {
                        add(&f, EV_KEY, BTN_TOUCH, 0);
                } else if (primary == slot) {
                        /* the single-touch axes follow the next oldest contact */
                        int next = vw_input_oldest_slot(in, primary);
                        int32_t nx, ny;

                        if (next >= 0) {
                                vw_input_slot_position(in, (unsigned)next, &nx, &ny);
                                add_single_touch(in, &f, nx, ny);
                        }
                }
                add_tools(in, &f, before, before - 1);
        } else {
                return fail(c, "action: expected down, move or up, not '%s'", action);
        }
        syn(&f, 0);
        submit_frames(c, in, params, &f);
}

/* ---- Gamepad ---- */

static void method_gamepad(struct vw_call *c, json_object *params)
{
        const char *action = vw_call_get_string(params, "action");
        const char *side = vw_call_get_string(params, "side");
        struct vw_input *in = get_device(c, params);
        struct frames f = {};
        int64_t x, y, value;
        int code;

        if (!in)
                return;
        if (!action)
                return vw_call_invalid_parameter(c, "action");
        if (side && !streq(side, "left") && !streq(side, "right"))
                return fail(c, "side: expected left or right, not '%s'", side);
        if (streq(action, "stick")) {
                unsigned ax = side && streq(side, "right") ? ABS_RX : ABS_X;
                unsigned ay = side && streq(side, "right") ? ABS_RY : ABS_Y;

                if (!get_required_int(c, params, "x", &x) || !get_required_int(c, params, "y", &y) ||
                    !check_abs(c, in, params, ax, x) || !check_abs(c, in, params, ay, y))
                        return;
                add(&f, EV_ABS, ax, (int32_t)x);
                add(&f, EV_ABS, ay, (int32_t)y);
        } else if (streq(action, "trigger")) {
                unsigned az = side && streq(side, "right") ? ABS_RZ : ABS_Z;

                if (!get_required_int(c, params, "value", &value) || !check_abs(c, in, params, az, value))
                        return;
                add(&f, EV_ABS, az, (int32_t)value);
        } else if (streq(action, "hat")) {
                if (!get_required_int(c, params, "x", &x) || !get_required_int(c, params, "y", &y) ||
                    !check_abs(c, in, params, ABS_HAT0X, x) || !check_abs(c, in, params, ABS_HAT0Y, y))
                        return;
                add(&f, EV_ABS, ABS_HAT0X, (int32_t)x);
                add(&f, EV_ABS, ABS_HAT0Y, (int32_t)y);
        } else if (streq(action, "button")) {
                code = get_button(c, params, NULL);
                if (code < 0)
                        return;
                if (!build_button(c, &f, (unsigned)code, vw_call_get_string(params, "state"), 1))
                        return;
                return submit_frames(c, in, params, &f);
        } else {
                return fail(c, "action: expected stick, trigger, hat or button, not '%s'", action);
        }
        syn(&f, 0);
        submit_frames(c, in, params, &f);
}

/* ---- Event (raw, by name or number) ---- */

/* One of an event's type, code and value, given as a string (s) or an integer (is_int, i):
 * a name (EV_KEY, KEY_A, a value name), else a number, decimal, hex or octal, in a string too. */
enum event_part { PART_TYPE, PART_CODE, PART_VALUE };

/*
 * libevdev's value of a name (a binary search of its tables), or -1. The last name found for
 * each part is kept: a client sending fast sends the same few names again and again.
 */
static int name_lookup(enum event_part part, unsigned type, unsigned code, const char *s)
{
        static struct {
                bool set;
                char name[32];
                unsigned type, code;
                int value;
        } last[3];
        size_t len = strlen(s);
        int r;

        if (last[part].set && len < sizeof(last[part].name) && last[part].type == type && last[part].code == code &&
            memcmp(last[part].name, s, len + 1) == 0)
                return last[part].value;
        r = part == PART_TYPE   ? libevdev_event_type_from_name(s)
            : part == PART_CODE ? libevdev_event_code_from_name(type, s)
                                : libevdev_event_value_from_name(type, code, s);
        if (r >= 0 && len < sizeof(last[part].name)) {
                last[part].set = true;
                memcpy(last[part].name, s, len + 1);
                last[part].type = part == PART_TYPE ? 0 : type;
                last[part].code = part == PART_VALUE ? code : 0;
                last[part].value = r;
        }
        return r;
}

static bool event_part(enum event_part part, unsigned type, unsigned code, const char *s, bool is_int, int64_t i,
                       int64_t *ret)
{
        static const int64_t min[] = { 0, 0, INT32_MIN }, max[] = { EV_MAX, 0xffff, INT32_MAX };
        long long v;
        char *end;
        int r;

        if (s) {
                r = name_lookup(part, type, code, s);
                if (r >= 0) {
                        *ret = r;
                        return true;
                }
                errno = 0;
                v = strtoll(s, &end, 0);
                if (!*s || *end || errno)
                        return false;
        } else if (is_int) {
                v = i;
        } else {
                return false;
        }
        if (v < min[part] || v > max[part])
                return false;
        *ret = v;
        return true;
}

static bool json_event_part(enum event_part part, unsigned type, unsigned code, json_object *o, int64_t *ret)
{
        bool is_int = json_object_is_type(o, json_type_int);

        return event_part(part, type, code, json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL,
                          is_int, is_int ? json_object_get_int64(o) : 0, ret);
}

static bool parse_event(struct vw_call *c, json_object *o, struct vw_input_event *ret)
{
        json_object *jt, *jc, *jv;
        int64_t t, code, v;

        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "type", &jt) ||
            !json_object_object_get_ex(o, "code", &jc) || !json_object_object_get_ex(o, "value", &jv)) {
                fail(c, "an event needs type, code and value");
                return false;
        }
        if (!json_event_part(PART_TYPE, 0, 0, jt, &t)) {
                fail(c, "unknown event type '%s' (EV_KEY, EV_REL, EV_ABS, ... or a number)", json_object_get_string(jt));
                return false;
        }
        if (!json_event_part(PART_CODE, (unsigned)t, 0, jc, &code)) {
                fail(c, "unknown %s code '%s'", libevdev_event_type_get_name((unsigned)t) ?: "event",
                     json_object_get_string(jc));
                return false;
        }
        if (!json_event_part(PART_VALUE, (unsigned)t, (unsigned)code, jv, &v)) {
                fail(c, "bad value '%s'", json_object_get_string(jv));
                return false;
        }
        *ret = (struct vw_input_event){ .type = (uint16_t)t, .code = (uint16_t)code, .value = (int32_t)v };
        return true;
}

static void method_event(struct vw_call *c, json_object *params)
{
        _cleanup_free_ struct vw_input_event *ev = NULL;
        struct vw_input *in = get_device(c, params);
        json_object *events;
        size_t n = 0, max;

        if (!in)
                return;
        if (json_object_object_get_ex(params, "events", &events) && !json_object_is_type(events, json_type_null)) {
                if (!json_object_is_type(events, json_type_array))
                        return vw_call_invalid_parameter(c, "events");
                max = json_object_array_length(events);
                if (max == 0 || max > MAX_EVENTS)
                        return fail(c, "events: give 1 to %d events", MAX_EVENTS);
                ev = calloc(max, sizeof(*ev));
                if (!ev)
                        return vw_call_errno(c, -ENOMEM, NULL, NULL);
                for (size_t i = 0; i < max; i++)
                        if (!parse_event(c, json_object_array_get_idx(events, i), &ev[n++]))
                                return;
        } else {
                ev = calloc(1, sizeof(*ev));
                if (!ev)
                        return vw_call_errno(c, -ENOMEM, NULL, NULL);
                if (!parse_event(c, params, &ev[n++]))
                        return;
        }
        submit(c, in, params, ev, n);
}

/* The flat form of an event part: a string or an integer, nothing else (null is not one). */
static bool flat_event_part(const struct vw_flat *f, enum event_part part, unsigned type, unsigned code,
                            const struct vw_flat_value *v, int64_t *ret)
{
        return v && event_part(part, type, code, vw_flat_string(f, v), v->type == VW_FLAT_INT, v->i, ret);
}

/* An event of the flat form: the parameters (item NULL) or object i of the list `item`. */
static bool flat_event(const struct vw_flat *f, const struct vw_flat_value *list, size_t i, struct vw_input_event *ret)
{
        const struct vw_flat_value *jt, *jc, *jv;
        int64_t t, code, v;

        jt = list ? vw_flat_item(f, list, i, "type") : vw_flat_param(f, "type");
        jc = list ? vw_flat_item(f, list, i, "code") : vw_flat_param(f, "code");
        jv = list ? vw_flat_item(f, list, i, "value") : vw_flat_param(f, "value");
        if (!flat_event_part(f, PART_TYPE, 0, 0, jt, &t) || !flat_event_part(f, PART_CODE, (unsigned)t, 0, jc, &code) ||
            !flat_event_part(f, PART_VALUE, (unsigned)t, (unsigned)code, jv, &v))
                return false;
        *ret = (struct vw_input_event){ .type = (uint16_t)t, .code = (uint16_t)code, .value = (int32_t)v };
        return true;
}

/* Event the fast way: what method_event() would accept, else nothing (method.h). */
static bool method_event_flat(struct vw_call *c, const struct vw_flat *f)
{
        const char *name = vw_flat_string(f, vw_flat_param(f, "name"));
        const struct vw_flat_value *events = vw_flat_param(f, "events");
        struct vw_input_event one, *ev = &one;
        _cleanup_free_ struct vw_input_event *many = NULL;
        struct vw_endpoint *ep;
        struct vw_input *in;
        size_t n = 1;

        if (!name)
                return false;
        ep = vw_call_find_endpoint(c, name);
        in = ep ? vw_input_of(ep) : NULL;
        if (!in)
                return false;
        if (events && events->type != VW_FLAT_NULL) {
                if (events->type != VW_FLAT_LIST || events->n == 0 || events->n > MAX_EVENTS)
                        return false;
                n = events->n;
                ev = many = calloc(n, sizeof(*many));
                if (!many)
                        return false;
                for (size_t i = 0; i < n; i++)
                        if (!flat_event(f, events, i, &many[i]))
                                return false;
        } else if (!flat_event(f, NULL, 0, &one)) {
                return false;
        }
        if (missing_code(in, ev, n) < n)
                return false;
        send_events(c, in, name, ev, n);
        return true;
}

const struct vw_method vw_input_methods[] = {
        { "io.vwire.Key", method_key, true },
        { "io.vwire.Type", method_type, true },
        { "io.vwire.Pointer", method_pointer, true },
        { "io.vwire.Abs", method_abs, true },
        { "io.vwire.Touch", method_touch, true },
        { "io.vwire.Gamepad", method_gamepad, true },
        { "io.vwire.Event", method_event, true, method_event_flat },
        {},
};
