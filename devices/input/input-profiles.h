/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * [input NAME] configuration: the profiles (keyboard, mouse, absolute-pointer (or tablet, its
 * old name), pen, touchscreen, gamepad, custom), the keys that add capabilities by evdev code name, and the step that
 * turns a config into a struct libevdev ready for libevdev_uinput_create_from_device(). No file descriptors here: the
 * backend (input-uinput.c) creates the device.
 */

#include <linux/input.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf-parse.h"
#include "conffile.h"

struct libevdev;

enum vw_input_profile {
        VW_INPUT_KEYBOARD,
        VW_INPUT_MOUSE,
        VW_INPUT_TABLET,           /* the old name of VW_INPUT_ABSOLUTE_POINTER, kept for configs that use it */
        VW_INPUT_TOUCHSCREEN,      /* multi-touch, type B slots */
        VW_INPUT_GAMEPAD,          /* two sticks, triggers, hat, buttons, force feedback */
        VW_INPUT_CUSTOM,           /* only what keys/rel/abs/props name */
        VW_INPUT_ABSOLUTE_POINTER, /* an absolute mouse (like QEMU's usb-tablet): a pointer to libinput */
        VW_INPUT_PEN, /* a pen tablet: tool, tip, two stylus buttons, pressure, tilt (a tablet to libinput) */
        _VW_INPUT_PROFILE_MAX,
};

const char *vw_input_profile_to_string(enum vw_input_profile p);

/* Capabilities by code; every array is indexed by the evdev code. */
struct vw_input_caps {
        bool key[KEY_CNT];
        bool rel[REL_CNT];
        bool abs[ABS_CNT];
        bool prop[INPUT_PROP_CNT];
        bool ff[FF_CNT];
        bool msc[MSC_CNT];
        bool led[LED_CNT];
        struct input_absinfo absinfo[ABS_CNT];
};

struct vw_input_config {
        int profile;                 /* enum vw_input_profile */
        struct vw_input_caps add;    /* keys, rel, abs, props: added to (abs: overriding) the profile */
        int ff;                      /* -1: the profile's default (gamepad yes), 0 no, 1 yes */
        char *name;                  /* device name after the "vwire " prefix; NULL: "<profile> <NAME>" */
        unsigned vendor, product, version;
        int bus;                     /* BUS_*; -1: BUS_VIRTUAL */
        char *layout;                /* default typing layout; NULL: us */
        uint64_t pace;               /* minimum gap between frames, usec; UINT64_MAX: the profile's default */
        bool vendor_set, product_set;
        bool allow_sysrq;            /* KEY_SYSRQ in the capabilities: off unless asked (docs/SECURITY.md) */
};

extern const struct vw_key vw_input_keys[];
void vw_input_init_config(void *config);
/* Checks between keys (custom without capabilities, layout known, ...). */
void vw_input_check_config(const struct vw_section *s, const void *config, struct vw_errors *errs);

/* The capabilities a config asks for: the profile's, plus what the keys add. */
void vw_input_config_caps(const struct vw_input_config *c, struct vw_input_caps *ret);
/* The default pace of a config (usec): 1 ms for keyboards (like a 1000 Hz USB keyboard), else 0. */
uint64_t vw_input_config_pace(const struct vw_input_config *c);

/*
 * A libevdev description of the device: name "vwire <name>" (the prefix lets remappers skip
 * vwire's own devices), phys "vwire/<endpoint>", ids, capabilities.
 */
int vw_input_build_device(const struct vw_input_config *c, const char *endpoint, struct libevdev **ret);

/* Names of buses for describe(). */
const char *vw_input_bus_to_string(int bus);
