/* SPDX-License-Identifier: MIT */
/*
 * [input NAME]: profiles, the keys that name capabilities by evdev code name, and the
 * libevdev description built from them. Code names are resolved with libevdev's tables, so
 * every name the running libevdev knows (KEY_A, BTN_LEFT, ABS_MT_SLOT, INPUT_PROP_DIRECT, ...)
 * works, and a typo is a config error with file:line.
 */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <linux/uinput.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input-profiles.h"
#include "keymap.h"
#include "log.h"

#define VWIRE_DEVICE_PREFIX "vwire "

static const char *const profile_names[] = {
        [VW_INPUT_KEYBOARD] = "keyboard",
        [VW_INPUT_MOUSE] = "mouse",
        [VW_INPUT_TABLET] = "tablet",
        [VW_INPUT_TOUCHSCREEN] = "touchscreen",
        [VW_INPUT_GAMEPAD] = "gamepad",
        [VW_INPUT_CUSTOM] = "custom",
        [VW_INPUT_ABSOLUTE_POINTER] = "absolute-pointer",
        [VW_INPUT_PEN] = "pen",
        NULL,
};

const char *vw_input_profile_to_string(enum vw_input_profile p)
{
        return p >= 0 && p < _VW_INPUT_PROFILE_MAX ? profile_names[p] : "?";
}

static const struct {
        const char *name;
        int bus;
} buses[] = {
        { "usb", BUS_USB },
        { "bluetooth", BUS_BLUETOOTH },
        { "virtual", BUS_VIRTUAL },
        { "i8042", BUS_I8042 },
        { "i2c", BUS_I2C },
        { "host", BUS_HOST },
};

const char *vw_input_bus_to_string(int bus)
{
        for (size_t i = 0; i < ELEMENTSOF(buses); i++)
                if (buses[i].bus == bus)
                        return buses[i].name;
        return NULL;
}


/* ---- key parsers (fixed-size results: nothing for vw_keys_free to release) ---- */

static int parse_u16(const char *v, void *dst, const struct vw_key *k, char **err)
{
        char *end;
        unsigned long n;

        errno = 0;
        n = strtoul(v, &end, 0);
        if (!*v || *v == '-' || *end || errno || n > 0xffff)
                return vw_errorf(err, "expected a number from 0 to 0xffff (decimal or 0x hex), got '%s'", v);
        *(unsigned *)dst = (unsigned)n;
        return 0;
}

static int parse_vendor(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct vw_input_config *c = (struct vw_input_config *)((char *)dst - offsetof(struct vw_input_config, vendor));

        c->vendor_set = true;
        return parse_u16(v, dst, k, err);
}

static int parse_product(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct vw_input_config *c = (struct vw_input_config *)((char *)dst - offsetof(struct vw_input_config, product));

        c->product_set = true;
        return parse_u16(v, dst, k, err);
}

static int parse_bus(const char *v, void *dst, const struct vw_key *k, char **err)
{
        char *end;
        unsigned long n;

        for (size_t i = 0; i < ELEMENTSOF(buses); i++)
                if (strcasecmp(v, buses[i].name) == 0)
                        return *(int *)dst = buses[i].bus, 0;
        errno = 0;
        n = strtoul(v, &end, 0);
        if (*v && *v != '-' && !*end && !errno && n <= 0xffff)
                return *(int *)dst = (int)n, 0;
        return vw_errorf(err, "expected usb, bluetooth, virtual, i8042, i2c, host or a bus number, got '%s'", v);
}

/* Split on blanks and commas; calls fn for every word until it fails. */
static int for_each_word(const char *v, char **err, int (*fn)(const char *word, void *dst, char **err), void *dst)
{
        char word[128];

        for (const char *p = v; *p;) {
                size_t n;

                p += strspn(p, " \t,");
                n = strcspn(p, " \t,");
                if (n == 0)
                        break;
                if (n >= sizeof(word))
                        return vw_errorf(err, "'%.40s...' is too long for a code name", p);
                memcpy(word, p, n);
                word[n] = 0;
                if (fn(word, dst, err) < 0)
                        return -EINVAL;
                p += n;
        }
        return 0;
}

static int code_of(unsigned type, const char *word, const char *what, const char *example, char **err)
{
        int code = libevdev_event_code_from_name(type, word);

        if (code < 0)
                return vw_errorf(err, "unknown %s code name '%s' (names as in linux/input-event-codes.h, e.g. %s)",
                            what, word, example);
        return code;
}

static int key_word(const char *word, void *dst, char **err)
{
        struct vw_input_caps *caps = dst;
        int code = code_of(EV_KEY, word, "key", "KEY_A or BTN_LEFT", err);

        if (code < 0)
                return code;
        caps->key[code] = true;
        return 0;
}

static int rel_word(const char *word, void *dst, char **err)
{
        struct vw_input_caps *caps = dst;
        int code = code_of(EV_REL, word, "relative axis", "REL_X", err);

        if (code < 0)
                return code;
        caps->rel[code] = true;
        return 0;
}

static int prop_word(const char *word, void *dst, char **err)
{
        struct vw_input_caps *caps = dst;
        int prop = libevdev_property_from_name(word);

        if (prop < 0)
                return vw_errorf(err, "unknown property name '%s' (e.g. INPUT_PROP_DIRECT, INPUT_PROP_POINTER)", word);
        caps->prop[prop] = true;
        return 0;
}

static int ff_word(const char *word, void *dst, char **err)
{
        struct vw_input_caps *caps = dst;
        int code = code_of(EV_FF, word, "force feedback", "FF_RUMBLE", err);

        if (code < 0)
                return code;
        caps->ff[code] = true;
        return 0;
}

static int parse_int_field(const char *s, size_t n, int *ret)
{
        char buf[32], *end;
        long v;

        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = 0;
        errno = 0;
        v = strtol(buf, &end, 10);
        if (*end || errno || v < INT_MIN || v > INT_MAX)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

/* ABS_X:min:max[:fuzz[:flat[:resolution]]] */
static int abs_word(const char *word, void *dst, char **err)
{
        struct vw_input_caps *caps = dst;
        const char *colon = strchr(word, ':');
        char name[64];
        int f[5] = { 0, 0, 0, 0, 0 }, nf = 0, code;
        const char *p;

        if (!colon || (size_t)(colon - word) >= sizeof(name))
                return vw_errorf(err, "'%s': an axis needs a range, as in ABS_X:0:32767 (NAME:min:max[:fuzz[:flat[:resolution]]])",
                            word);
        memcpy(name, word, (size_t)(colon - word));
        name[colon - word] = 0;
        code = code_of(EV_ABS, name, "absolute axis", "ABS_X", err);
        if (code < 0)
                return code;
        for (p = colon + 1;; nf++) {
                size_t n = strcspn(p, ":");

                if (nf >= 5 || parse_int_field(p, n, &f[nf]) < 0)
                        return vw_errorf(err, "'%s': expected %s:min:max[:fuzz[:flat[:resolution]]] with integers", word,
                                    name);
                p += n;
                if (!*p) {
                        nf++;
                        break;
                }
                p++;
        }
        if (nf < 2)
                return vw_errorf(err, "'%s': %s needs at least min:max", word, name);
        if (f[0] > f[1])
                return vw_errorf(err, "'%s': minimum %d is above maximum %d", word, f[0], f[1]);
        if (f[2] < 0 || f[3] < 0 || f[4] < 0)
                return vw_errorf(err, "'%s': fuzz, flat and resolution cannot be negative", word);
        if (code == ABS_MT_SLOT && (f[0] != 0 || f[1] > 63))
                return vw_errorf(err, "'%s': ABS_MT_SLOT must be 0:N with N below 64", word);
        caps->abs[code] = true;
        caps->absinfo[code] = (struct input_absinfo){
                .minimum = f[0], .maximum = f[1], .fuzz = f[2], .flat = f[3], .resolution = f[4],
        };
        return 0;
}

#define CAPS_OF(dst, field) ((struct vw_input_caps *)((char *)(dst) - offsetof(struct vw_input_config, field) + \
                                                      offsetof(struct vw_input_config, add)))

static int parse_keys(const char *v, void *dst, const struct vw_key *k, char **err)
{
        return for_each_word(v, err, key_word, dst);
}

static int parse_rel(const char *v, void *dst, const struct vw_key *k, char **err)
{
        return for_each_word(v, err, rel_word, dst);
}

static int parse_abs(const char *v, void *dst, const struct vw_key *k, char **err)
{
        return for_each_word(v, err, abs_word, dst);
}

static int parse_props(const char *v, void *dst, const struct vw_key *k, char **err)
{
        return for_each_word(v, err, prop_word, dst);
}

/* ff = yes | no | FF_RUMBLE FF_PERIODIC ... */
static int parse_ff(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct vw_input_config *c = (struct vw_input_config *)((char *)dst - offsetof(struct vw_input_config, ff));
        bool b;
        char *e = NULL;

        if (vw_parse_bool(v, &b, NULL, &e) == 0) {
                c->ff = b;
                return 0;
        }
        free(e);
        c->ff = 1;
        return for_each_word(v, err, ff_word, &c->add);
}

const struct vw_key vw_input_keys[] = {
        { "profile", vw_parse_enum, offsetof(struct vw_input_config, profile), profile_names },
        { "keys", parse_keys, offsetof(struct vw_input_config, add) },
        { "rel", parse_rel, offsetof(struct vw_input_config, add) },
        { "abs", parse_abs, offsetof(struct vw_input_config, add) },
        { "props", parse_props, offsetof(struct vw_input_config, add) },
        { "ff", parse_ff, offsetof(struct vw_input_config, ff) },
        { "name", vw_parse_string, offsetof(struct vw_input_config, name) },
        { "vendor", parse_vendor, offsetof(struct vw_input_config, vendor) },
        { "product", parse_product, offsetof(struct vw_input_config, product) },
        { "version", parse_u16, offsetof(struct vw_input_config, version) },
        { "bus", parse_bus, offsetof(struct vw_input_config, bus) },
        { "layout", vw_parse_string, offsetof(struct vw_input_config, layout) },
        { "pace", vw_parse_duration, offsetof(struct vw_input_config, pace) },
        { "allow-sysrq", vw_parse_bool, offsetof(struct vw_input_config, allow_sysrq), .host = true },
        {}
};

void vw_input_init_config(void *config)
{
        struct vw_input_config *c = config;

        c->profile = VW_INPUT_KEYBOARD;
        c->ff = -1;
        c->bus = -1;
        c->version = 1;
        c->pace = UINT64_MAX;
}

/* ---- profiles ---- */

static void set_abs(struct vw_input_caps *caps, unsigned code, int min, int max, int fuzz, int flat, int res)
{
        caps->abs[code] = true;
        caps->absinfo[code] = (struct input_absinfo){
                .minimum = min, .maximum = max, .fuzz = fuzz, .flat = flat, .resolution = res,
        };
}

static void set_keys(struct vw_input_caps *caps, const unsigned *codes, size_t n)
{
        for (size_t i = 0; i < n; i++)
                caps->key[codes[i]] = true;
}

static const unsigned mouse_buttons[] = {
        BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA, BTN_FORWARD, BTN_BACK, BTN_TASK,
};

static const unsigned pen_keys[] = {
        BTN_TOOL_PEN,
        BTN_TOUCH,
        BTN_STYLUS,
        BTN_STYLUS2,
};

static const unsigned gamepad_buttons[] = {
        BTN_SOUTH, BTN_EAST, BTN_NORTH, BTN_WEST, BTN_TL, BTN_TR, BTN_SELECT, BTN_START, BTN_MODE,
        BTN_THUMBL, BTN_THUMBR,
};

static const unsigned gamepad_ff[] = {
        FF_RUMBLE, FF_PERIODIC, FF_SQUARE, FF_TRIANGLE, FF_SINE, FF_SAW_UP, FF_SAW_DOWN, FF_CONSTANT, FF_RAMP,
        FF_GAIN,
};

static void profile_caps(enum vw_input_profile p, struct vw_input_caps *caps)
{
        switch (p) {
        case VW_INPUT_KEYBOARD:
                /* the keys of a full PC keyboard with media keys; no pointer buttons */
                for (unsigned k = KEY_ESC; k <= KEY_MICMUTE; k++)
                        caps->key[k] = true;
                caps->msc[MSC_SCAN] = true;
                caps->led[LED_NUML] = caps->led[LED_CAPSL] = caps->led[LED_SCROLLL] = true;
                break;
        case VW_INPUT_MOUSE:
                set_keys(caps, mouse_buttons, ELEMENTSOF(mouse_buttons));
                caps->rel[REL_X] = caps->rel[REL_Y] = true;
                caps->rel[REL_WHEEL] = caps->rel[REL_HWHEEL] = true;
                caps->rel[REL_WHEEL_HI_RES] = caps->rel[REL_HWHEEL_HI_RES] = true;
                break;
        case VW_INPUT_TABLET:
        case VW_INPUT_ABSOLUTE_POINTER:
                set_keys(caps, mouse_buttons, 3);
                set_abs(caps, ABS_X, 0, 32767, 0, 0, 0);
                set_abs(caps, ABS_Y, 0, 32767, 0, 0, 0);
                caps->rel[REL_WHEEL] = caps->rel[REL_HWHEEL] = true;
                break;
        case VW_INPUT_PEN:
                /* 320 x 200 mm at 100 units/mm; tilt -64..63 at 57 units/radian (about +-64 degrees),
                 * the ranges of a common pen tablet. An external tablet (INPUT_PROP_POINTER); a
                 * config adding INPUT_PROP_DIRECT makes it a display tablet instead. */
                set_keys(caps, pen_keys, ELEMENTSOF(pen_keys));
                set_abs(caps, ABS_X, 0, 31999, 0, 0, 100);
                set_abs(caps, ABS_Y, 0, 19999, 0, 0, 100);
                set_abs(caps, ABS_PRESSURE, 0, 4095, 0, 0, 0);
                set_abs(caps, ABS_TILT_X, -64, 63, 0, 0, 57);
                set_abs(caps, ABS_TILT_Y, -64, 63, 0, 0, 57);
                caps->prop[INPUT_PROP_POINTER] = true;
                break;
        case VW_INPUT_TOUCHSCREEN:
                caps->key[BTN_TOUCH] = true;
                set_abs(caps, ABS_X, 0, 4095, 0, 0, 0);
                set_abs(caps, ABS_Y, 0, 4095, 0, 0, 0);
                set_abs(caps, ABS_MT_SLOT, 0, 9, 0, 0, 0);
                set_abs(caps, ABS_MT_TRACKING_ID, 0, 65535, 0, 0, 0);
                set_abs(caps, ABS_MT_POSITION_X, 0, 4095, 0, 0, 0);
                set_abs(caps, ABS_MT_POSITION_Y, 0, 4095, 0, 0, 0);
                caps->prop[INPUT_PROP_DIRECT] = true;
                break;
        case VW_INPUT_GAMEPAD:
                set_keys(caps, gamepad_buttons, ELEMENTSOF(gamepad_buttons));
                set_abs(caps, ABS_X, -32768, 32767, 16, 128, 0);
                set_abs(caps, ABS_Y, -32768, 32767, 16, 128, 0);
                set_abs(caps, ABS_RX, -32768, 32767, 16, 128, 0);
                set_abs(caps, ABS_RY, -32768, 32767, 16, 128, 0);
                set_abs(caps, ABS_Z, 0, 255, 0, 0, 0);
                set_abs(caps, ABS_RZ, 0, 255, 0, 0, 0);
                set_abs(caps, ABS_HAT0X, -1, 1, 0, 0, 0);
                set_abs(caps, ABS_HAT0Y, -1, 1, 0, 0, 0);
                break;
        case VW_INPUT_CUSTOM:
        default:
                break;
        }
}

void vw_input_config_caps(const struct vw_input_config *c, struct vw_input_caps *ret)
{
        const struct vw_input_caps *a = &c->add;
        bool ff;

        memset(ret, 0, sizeof(*ret));
        profile_caps((enum vw_input_profile)c->profile, ret);
        for (size_t i = 0; i < KEY_CNT; i++)
                ret->key[i] |= a->key[i];
        for (size_t i = 0; i < REL_CNT; i++)
                ret->rel[i] |= a->rel[i];
        for (size_t i = 0; i < INPUT_PROP_CNT; i++)
                ret->prop[i] |= a->prop[i];
        for (size_t i = 0; i < ABS_CNT; i++)
                if (a->abs[i]) {
                        ret->abs[i] = true;
                        ret->absinfo[i] = a->absinfo[i];
                }
        /* SysRq talks to the kernel, not to programs (reboot, kill all, ...): a virtual keyboard
         * may press it only where the config says so. */
        if (!c->allow_sysrq)
                ret->key[KEY_SYSRQ] = false;
        /* a display pen tablet is direct, not both */
        if (c->profile == VW_INPUT_PEN && a->prop[INPUT_PROP_DIRECT])
                ret->prop[INPUT_PROP_POINTER] = a->prop[INPUT_PROP_POINTER];
        /* a touchscreen's single-touch axes follow its multi-touch ranges unless given */
        if (c->profile == VW_INPUT_TOUCHSCREEN) {
                if (a->abs[ABS_MT_POSITION_X] && !a->abs[ABS_X])
                        ret->absinfo[ABS_X] = ret->absinfo[ABS_MT_POSITION_X];
                if (a->abs[ABS_MT_POSITION_Y] && !a->abs[ABS_Y])
                        ret->absinfo[ABS_Y] = ret->absinfo[ABS_MT_POSITION_Y];
        }
        ff = c->ff < 0 ? c->profile == VW_INPUT_GAMEPAD : c->ff > 0;
        if (ff) {
                bool any = false;
                for (size_t i = 0; i < FF_CNT; i++)
                        any |= a->ff[i];
                if (any)
                        memcpy(ret->ff, a->ff, sizeof(ret->ff));
                else
                        for (size_t i = 0; i < ELEMENTSOF(gamepad_ff); i++)
                                ret->ff[gamepad_ff[i]] = true;
        }
}

uint64_t vw_input_config_pace(const struct vw_input_config *c)
{
        if (c->pace != UINT64_MAX)
                return c->pace;
        return c->profile == VW_INPUT_KEYBOARD ? 1000 : 0;
}

void vw_input_check_config(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        const struct vw_input_config *c = config;
        _cleanup_free_ struct vw_input_caps *caps = calloc(1, sizeof(*caps));
        const struct vw_keymap *km;
        const struct vw_setting *st;
        bool any = false, mt = false;

        if (!caps) {
                vw_errors_add(errs, s->file, s->line, "out of memory");
                return;
        }
        vw_input_config_caps(c, caps);
        if (c->add.key[KEY_SYSRQ] && !c->allow_sysrq && (st = vw_section_get(s, "keys")))
                vw_errors_add(errs, s->file, st->line, "keys: KEY_SYSRQ needs allow-sysrq = yes (SysRq commands "
                              "reach the kernel: reboot, kill every process)");
        for (size_t i = 0; i < KEY_CNT; i++)
                any |= caps->key[i];
        for (size_t i = 0; i < REL_CNT; i++)
                any |= caps->rel[i];
        for (size_t i = 0; i < ABS_CNT; i++)
                any |= caps->abs[i];
        if (!any)
                vw_errors_add(errs, s->file, s->line,
                              "[input %s]: a custom device needs capabilities: keys = ..., rel = ... or abs = ...",
                              s->name);
        if (caps->abs[ABS_MT_SLOT] || caps->abs[ABS_MT_TRACKING_ID])
                mt = true;
        if (mt && !(caps->abs[ABS_MT_SLOT] && caps->abs[ABS_MT_TRACKING_ID])) {
                st = vw_section_get(s, "abs");
                vw_errors_add(errs, s->file, st ? st->line : s->line,
                              "abs: type B multi-touch needs both ABS_MT_SLOT and ABS_MT_TRACKING_ID");
        }
        if (c->name && strlen(c->name) + strlen(VWIRE_DEVICE_PREFIX) >= UINPUT_MAX_NAME_SIZE) {
                st = vw_section_get(s, "name");
                vw_errors_add(errs, s->file, st ? st->line : s->line, "name: longer than %d characters",
                              (int)(UINPUT_MAX_NAME_SIZE - strlen(VWIRE_DEVICE_PREFIX) - 1));
        }
        if (c->layout && vw_keymap_find(c->layout, &km) < 0) {
                st = vw_section_get(s, "layout");
                vw_errors_add(errs, s->file, st ? st->line : s->line, "layout: unknown layout '%s' (known: %s)",
                              c->layout, vw_keymap_names());
        }
}

/* ---- the libevdev description ---- */

static int enable(struct libevdev *d, unsigned type, unsigned code, const void *data)
{
        int r = libevdev_enable_event_code(d, type, code, data);

        return r < 0 ? -EINVAL : 0;
}

int vw_input_build_device(const struct vw_input_config *c, const char *endpoint, struct libevdev **ret)
{
        _cleanup_free_ struct vw_input_caps *caps = calloc(1, sizeof(*caps));
        struct libevdev *d;
        char name[UINPUT_MAX_NAME_SIZE], phys[128];
        int r = 0;

        if (!caps)
                return -ENOMEM;
        vw_input_config_caps(c, caps);
        d = libevdev_new();
        if (!d)
                return -ENOMEM;
        if (c->name)
                snprintf(name, sizeof(name), VWIRE_DEVICE_PREFIX "%s", c->name);
        else
                snprintf(name, sizeof(name), VWIRE_DEVICE_PREFIX "%s %s",
                         vw_input_profile_to_string((enum vw_input_profile)c->profile), endpoint);
        snprintf(phys, sizeof(phys), "vwire/%s", endpoint);
        libevdev_set_name(d, name);
        libevdev_set_phys(d, phys);
        libevdev_set_id_bustype(d, c->bus >= 0 ? c->bus : BUS_VIRTUAL);
        libevdev_set_id_vendor(d, c->vendor_set ? (int)c->vendor : 0);
        libevdev_set_id_product(d, c->product_set ? (int)c->product : 0x0100 + c->profile);
        libevdev_set_id_version(d, (int)c->version);

        for (unsigned i = 0; i < KEY_CNT && r >= 0; i++)
                if (caps->key[i])
                        r = enable(d, EV_KEY, i, NULL);
        for (unsigned i = 0; i < REL_CNT && r >= 0; i++)
                if (caps->rel[i])
                        r = enable(d, EV_REL, i, NULL);
        for (unsigned i = 0; i < ABS_CNT && r >= 0; i++)
                if (caps->abs[i])
                        r = enable(d, EV_ABS, i, &caps->absinfo[i]);
        for (unsigned i = 0; i < MSC_CNT && r >= 0; i++)
                if (caps->msc[i])
                        r = enable(d, EV_MSC, i, NULL);
        for (unsigned i = 0; i < LED_CNT && r >= 0; i++)
                if (caps->led[i])
                        r = enable(d, EV_LED, i, NULL);
        for (unsigned i = 0; i < FF_CNT && r >= 0; i++)
                if (caps->ff[i])
                        r = enable(d, EV_FF, i, NULL);
        for (unsigned i = 0; i < INPUT_PROP_CNT && r >= 0; i++)
                if (caps->prop[i])
                        r = libevdev_enable_property(d, i) < 0 ? -EINVAL : 0;
        if (r < 0) {
                libevdev_free(d);
                return r;
        }
        *ret = d;
        return 0;
}
