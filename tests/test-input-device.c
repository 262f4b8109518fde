/* SPDX-License-Identifier: MIT */
/*
 * [input] device descriptions without a kernel: profiles and capability keys into a libevdev
 * description (devices/input/input-profiles.c), and force feedback bookkeeping (devices/input/input-ff.c).
 * What the kernel then makes of them is tests/kernel/test-input.c.
 */
#include <errno.h>
#include <libevdev/libevdev.h>
#include <stdlib.h>
#include <string.h>

#include "input-ff.h"
#include "input-profiles.h"
#include "macro.h"
#include "test-common.h"

/* Parse `settings` ("key=value" lines) as [input NAME]; errors joined into *errors. */
static struct vw_input_config *parse(const char *name, const char *const *settings, char **errors)
{
        struct vw_section *s = vw_section_new("input", name, "test.conf", 1);
        struct vw_errors errs = {};
        struct vw_input_config *c = calloc(1, sizeof(*c));

        ck_assert_ptr_nonnull(s);
        ck_assert_ptr_nonnull(c);
        for (unsigned i = 0; settings[i]; i++) {
                const char *eq = strchr(settings[i], '=');
                char *key = strndup(settings[i], (size_t)(eq - settings[i]));

                ck_assert_int_eq(vw_section_set(s, key, eq + 1, i + 2), 0);
                free(key);
        }
        vw_input_init_config(c);
        if (vw_keys_apply(vw_input_keys, s, NULL, c, &errs) == 0)
                vw_input_check_config(s, c, &errs);
        *errors = errs.n ? vw_errors_join(&errs) : NULL;
        vw_errors_done(&errs);
        vw_section_free(s);
        if (*errors) {
                vw_keys_free(vw_input_keys, c);
                free(c);
                return NULL;
        }
        return c;
}

static void config_free(struct vw_input_config *c)
{
        vw_keys_free(vw_input_keys, c);
        free(c);
}

static struct libevdev *build(const char *name, const char *const *settings)
{
        char *errors = NULL;
        struct vw_input_config *c = parse(name, settings, &errors);
        struct libevdev *d = NULL;

        ck_assert_msg(c, "%s", errors ? errors : "");
        ck_assert_int_eq(vw_input_build_device(c, name, &d), 0);
        config_free(c);
        return d;
}

static void expect_error(const char *const *settings, const char *message)
{
        char *errors = NULL;
        struct vw_input_config *c = parse("bad", settings, &errors);

        ck_assert_ptr_null(c);
        ck_assert_msg(strstr(errors, message), "expected \"%s\" in:\n%s", message, errors);
        free(errors);
}

START_TEST(test_profiles)
{
        struct libevdev *d;
        const struct input_absinfo *a;

        d = build("kbd", (const char *const[]){ NULL });
        ck_assert_str_eq(libevdev_get_name(d), "vwire keyboard kbd");
        ck_assert_str_eq(libevdev_get_phys(d), "vwire/kbd");
        ck_assert_int_eq(libevdev_get_id_bustype(d), BUS_VIRTUAL);
        ck_assert(libevdev_has_event_code(d, EV_KEY, KEY_A));
        ck_assert(libevdev_has_event_code(d, EV_KEY, KEY_MICMUTE));
        ck_assert(libevdev_has_event_code(d, EV_LED, LED_CAPSL));
        ck_assert(!libevdev_has_event_code(d, EV_KEY, BTN_LEFT));  /* keyboards and pointers are separate */
        ck_assert(!libevdev_has_event_type(d, EV_REL));
        libevdev_free(d);

        d = build("mouse", (const char *const[]){ "profile=mouse", NULL });
        ck_assert(libevdev_has_event_code(d, EV_REL, REL_WHEEL_HI_RES));
        ck_assert(libevdev_has_event_code(d, EV_KEY, BTN_SIDE));
        ck_assert(!libevdev_has_event_code(d, EV_KEY, KEY_A));
        libevdev_free(d);

        d = build("screen", (const char *const[]){ "profile=touchscreen", "abs=ABS_MT_POSITION_X:0:1919:0:0:12",
                                                   "name=panel", "bus=usb", "vendor=0x1234", "product=22", NULL });
        ck_assert_str_eq(libevdev_get_name(d), "vwire panel");
        ck_assert_int_eq(libevdev_get_id_bustype(d), BUS_USB);
        ck_assert_int_eq(libevdev_get_id_vendor(d), 0x1234);
        ck_assert_int_eq(libevdev_get_id_product(d), 22);
        ck_assert(libevdev_has_property(d, INPUT_PROP_DIRECT));
        a = libevdev_get_abs_info(d, ABS_MT_POSITION_X);
        ck_assert_int_eq(a->maximum, 1919);
        ck_assert_int_eq(a->resolution, 12);
        /* the single-touch axis follows */
        ck_assert_int_eq(libevdev_get_abs_maximum(d, ABS_X), 1919);
        ck_assert_int_eq(libevdev_get_abs_maximum(d, ABS_Y), 4095);
        ck_assert_int_eq(libevdev_get_abs_maximum(d, ABS_MT_SLOT), 9);
        libevdev_free(d);

        d = build("pad", (const char *const[]){ "profile=gamepad", NULL });
        ck_assert(libevdev_has_event_code(d, EV_FF, FF_RUMBLE));
        ck_assert(libevdev_has_event_code(d, EV_FF, FF_SINE));
        ck_assert(libevdev_has_event_code(d, EV_FF, FF_GAIN));
        ck_assert_int_eq(libevdev_get_abs_minimum(d, ABS_RX), -32768);
        ck_assert_int_eq(libevdev_get_abs_flat(d, ABS_X), 128);
        libevdev_free(d);

        d = build("pad2", (const char *const[]){ "profile=gamepad", "ff=no", NULL });
        ck_assert(!libevdev_has_event_type(d, EV_FF));
        libevdev_free(d);

        d = build("c", (const char *const[]){ "profile=custom", "keys=BTN_LEFT, KEY_F13", "rel=REL_DIAL",
                                              "ff=FF_RUMBLE", "props=INPUT_PROP_POINTER", NULL });
        ck_assert(libevdev_has_event_code(d, EV_KEY, KEY_F13));
        ck_assert(libevdev_has_event_code(d, EV_REL, REL_DIAL));
        ck_assert(libevdev_has_event_code(d, EV_FF, FF_RUMBLE));
        ck_assert(!libevdev_has_event_code(d, EV_FF, FF_PERIODIC));
        ck_assert(!libevdev_has_event_code(d, EV_KEY, KEY_A));
        ck_assert(libevdev_has_property(d, INPUT_PROP_POINTER));
        libevdev_free(d);
}
END_TEST

START_TEST(test_config_errors)
{
        expect_error((const char *const[]){ "keys=KEY_A KEY_NOPE", NULL }, "test.conf:2: keys: unknown key code name 'KEY_NOPE'");
        expect_error((const char *const[]){ "profile=custom", "abs=ABS_X", NULL }, "test.conf:3: abs: 'ABS_X': an axis needs a range");
        expect_error((const char *const[]){ "profile=custom", "abs=ABS_X:9:1", NULL }, "minimum 9 is above maximum 1");
        expect_error((const char *const[]){ "profile=custom", "abs=ABS_X:0:1:x", NULL }, "with integers");
        expect_error((const char *const[]){ "profile=custom", "abs=ABS_X:0:1:-1", NULL }, "cannot be negative");
        expect_error((const char *const[]){ "profile=custom", "abs=ABS_MT_SLOT:0:99 ABS_MT_TRACKING_ID:0:9", NULL },
                     "below 64");
        expect_error((const char *const[]){ "profile=custom", "abs=ABS_MT_SLOT:0:3", NULL },
                     "needs both ABS_MT_SLOT and ABS_MT_TRACKING_ID");
        expect_error((const char *const[]){ "profile=custom", NULL }, "a custom device needs capabilities");
        expect_error((const char *const[]){ "profile=joystick", NULL }, "test.conf:2: profile:");
        expect_error((const char *const[]){ "bus=can", NULL }, "bus: expected usb");
        expect_error((const char *const[]){ "vendor=0x10000", NULL }, "vendor: expected a number");
        expect_error((const char *const[]){ "layout=qwertz", NULL }, "layout: unknown layout 'qwertz'");
        expect_error((const char *const[]){ "props=INPUT_PROP_NOPE", NULL }, "unknown property name");
        expect_error((const char *const[]){ "ff=FF_WOBBLE", NULL }, "unknown force feedback code name 'FF_WOBBLE'");
        expect_error((const char *const[]){ "pace=soon", NULL }, "test.conf:2: pace:");
        expect_error((const char *const[]){ "name=0123456789012345678901234567890123456789012345678901234567890123456789012345", NULL },
                     "name: longer than");
}
END_TEST

START_TEST(test_pace)
{
        char *errors = NULL;
        struct vw_input_config *c;

        c = parse("k", (const char *const[]){ NULL }, &errors);
        ck_assert_uint_eq(vw_input_config_pace(c), 1000);
        config_free(c);
        c = parse("m", (const char *const[]){ "profile=mouse", NULL }, &errors);
        ck_assert_uint_eq(vw_input_config_pace(c), 0);
        config_free(c);
        c = parse("k", (const char *const[]){ "pace=0", NULL }, &errors);
        ck_assert_uint_eq(vw_input_config_pace(c), 0);
        config_free(c);
        c = parse("k", (const char *const[]){ "pace=5ms", NULL }, &errors);
        ck_assert_uint_eq(vw_input_config_pace(c), 5000);
        config_free(c);
}
END_TEST

START_TEST(test_force_feedback)
{
        struct ff_effect rumble = { .type = FF_RUMBLE, .id = 3, .replay = { .length = 100 },
                                    .u.rumble = { .strong_magnitude = 0x8000 } };
        struct ff_effect bad = { .type = FF_CONSTANT, .id = VW_FF_SLOTS };
        struct vw_ff ff;
        json_object *j, *e;
        char desc[128];

        vw_ff_init(&ff);
        ck_assert_int_eq(vw_ff_upload(&ff, &rumble), 0);
        ck_assert_int_eq(vw_ff_upload(&ff, &bad), -EINVAL);
        ck_assert_uint_eq(vw_ff_n_effects(&ff), 1);
        vw_ff_effect_describe(&rumble, desc, sizeof(desc));
        ck_assert_str_eq(desc, "FF_RUMBLE strong 0x8000 weak 0x0000, length 100 ms, delay 0 ms");

        /* play twice: 2 x 100 ms; a stop ends it early */
        vw_ff_event(&ff, 3, 2, 1000000);
        ck_assert(vw_ff_playing(&ff, 3, 1150000));
        ck_assert(!vw_ff_playing(&ff, 3, 1200001));
        vw_ff_event(&ff, 3, 1, 2000000);
        vw_ff_event(&ff, 3, 0, 2010000);
        ck_assert(!vw_ff_playing(&ff, 3, 2020000));
        vw_ff_event(&ff, FF_GAIN, 0x4000, 0);
        ck_assert_int_eq(ff.gain, 0x4000);
        ck_assert_uint_eq(ff.plays, 2);
        ck_assert_uint_eq(ff.stops, 1);

        j = vw_ff_to_json(&ff, 0);
        ck_assert(json_object_object_get_ex(j, "effects", &e));
        ck_assert_uint_eq(json_object_array_length(e), 1);
        e = json_object_array_get_idx(e, 0);
        ck_assert_str_eq(json_object_get_string(json_object_object_get(e, "type")), "FF_RUMBLE");
        ck_assert_int_eq(json_object_get_int(json_object_object_get(e, "strong_magnitude")), 0x8000);
        json_object_put(j);

        ck_assert_int_eq(vw_ff_erase(&ff, 3), 0);
        ck_assert_int_eq(vw_ff_erase(&ff, 3), -ENOENT);
        ck_assert_uint_eq(vw_ff_n_effects(&ff), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("input-device");
        TCase *tc = vw_test_case(s, "input-device");

        tcase_add_test(tc, test_profiles);
        tcase_add_test(tc, test_config_errors);
        tcase_add_test(tc, test_pace);
        tcase_add_test(tc, test_force_feedback);
        return vw_test_run(s);
}
