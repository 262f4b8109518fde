/* SPDX-License-Identifier: MIT */
/* Input codecs, part one: keymaps (text -> key strokes per layout) and key combinations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/input-event-codes.h>

#include "input-test.h"
#include "keymap.h"
#include "macro.h"
#include "test-common.h"

/* ---- helpers ---- */

enum { SHIFT = 1, ALTGR = 2, CTRL = 4 };

/* One key stroke of the expected output: modifiers and a key. */
struct stroke {
        unsigned mods;
        uint16_t code;
};

#define S(code) { 0, code }
#define SH(code) { SHIFT, code }
#define AG(code) { ALTGR, code }
#define SAG(code) { SHIFT | ALTGR, code }

static size_t put(struct vw_input_event *ev, size_t n, uint16_t type, uint16_t code, int32_t value)
{
        ev[n] = (struct vw_input_event){ .type = type, .code = code, .value = value };
        return n + 1;
}

/* The events a list of strokes must give: mods down, key down, SYN, key up, mods up reversed, SYN. */
static size_t expand(const struct stroke *s, size_t n_strokes, struct vw_input_event *ev)
{
        size_t n = 0;

        for (size_t i = 0; i < n_strokes; i++) {
                if (s[i].mods & CTRL)
                        n = put(ev, n, EV_KEY, KEY_LEFTCTRL, 1);
                if (s[i].mods & SHIFT)
                        n = put(ev, n, EV_KEY, KEY_LEFTSHIFT, 1);
                if (s[i].mods & ALTGR)
                        n = put(ev, n, EV_KEY, KEY_RIGHTALT, 1);
                n = put(ev, n, EV_KEY, s[i].code, 1);
                n = put(ev, n, EV_SYN, SYN_REPORT, 0);
                n = put(ev, n, EV_KEY, s[i].code, 0);
                if (s[i].mods & ALTGR)
                        n = put(ev, n, EV_KEY, KEY_RIGHTALT, 0);
                if (s[i].mods & SHIFT)
                        n = put(ev, n, EV_KEY, KEY_LEFTSHIFT, 0);
                if (s[i].mods & CTRL)
                        n = put(ev, n, EV_KEY, KEY_LEFTCTRL, 0);
                n = put(ev, n, EV_SYN, SYN_REPORT, 0);
        }
        return n;
}


static void check_typed(const char *layout, const char *text, const struct stroke *s, size_t n_strokes)
{
        const struct vw_keymap *km;
        _cleanup_free_ struct vw_input_event *ev = NULL, *want = NULL;
        _cleanup_free_ char *error = NULL;
        size_t n = 0, n_want;

        ck_assert_int_eq(vw_keymap_find(layout, &km), 0);
        want = calloc(n_strokes * 10 + 1, sizeof(*want));
        n_want = expand(s, n_strokes, want);
        ck_assert_msg(vw_keymap_type(km, text, strlen(text), &ev, &n, &error) == 0, "%s: %s", layout, error);
        check_events(ev, n, want, n_want);
}

/* ---- keymaps ---- */

START_TEST(test_keymap_find)
{
        const struct vw_keymap *km;

        ck_assert_int_eq(vw_keymap_find("de", &km), 0);
        ck_assert_str_eq(vw_keymap_name(km), "de");
        ck_assert_int_eq(vw_keymap_find("FR", &km), 0);
        ck_assert_str_eq(vw_keymap_name(km), "fr");
        ck_assert_int_eq(vw_keymap_find("klingon", &km), -ENOENT);
        ck_assert_str_eq(vw_keymap_names(), "us, de, fr, gb");
}
END_TEST

START_TEST(test_keymap_us)
{
        static const struct stroke s[] = {
                SH(KEY_H), S(KEY_E), S(KEY_L), S(KEY_L), S(KEY_O), S(KEY_COMMA), S(KEY_SPACE), SH(KEY_W), S(KEY_O),
                S(KEY_R), S(KEY_L), S(KEY_D), SH(KEY_1), S(KEY_SPACE), SH(KEY_COMMA), S(KEY_A), SH(KEY_MINUS),
                S(KEY_B), SH(KEY_DOT), SH(KEY_SLASH), S(KEY_APOSTROPHE), S(KEY_5), S(KEY_SEMICOLON),
        };
        static const struct stroke shifted[] = {
                SH(KEY_1), SH(KEY_2), SH(KEY_3), SH(KEY_4), SH(KEY_5), SH(KEY_6), SH(KEY_7), SH(KEY_8),
                SH(KEY_9), SH(KEY_0), SH(KEY_MINUS), SH(KEY_EQUAL), SH(KEY_LEFTBRACE), SH(KEY_RIGHTBRACE),
                SH(KEY_BACKSLASH), SH(KEY_SEMICOLON), SH(KEY_APOSTROPHE), SH(KEY_COMMA), SH(KEY_DOT),
                SH(KEY_SLASH), SH(KEY_GRAVE),
        };
        static const struct stroke plain[] = {
                S(KEY_GRAVE), S(KEY_MINUS), S(KEY_EQUAL), S(KEY_LEFTBRACE), S(KEY_RIGHTBRACE), S(KEY_BACKSLASH),
                S(KEY_SEMICOLON), S(KEY_APOSTROPHE), S(KEY_COMMA), S(KEY_DOT), S(KEY_SLASH), S(KEY_Z), S(KEY_Y),
        };

        check_typed("us", "Hello, World! <a_b>?'5;", s, ELEMENTSOF(s));
        check_typed("us", "!@#$%^&*()_+{}|:\"<>?~", shifted, ELEMENTSOF(shifted));
        check_typed("us", "`-=[]\\;',./zy", plain, ELEMENTSOF(plain));
}
END_TEST

START_TEST(test_keymap_de)
{
        /* QWERTZ: y/z swapped, umlauts and ß on their own keys, AltGr symbols, dead ^ ` ´ */
        static const struct stroke s[] = {
                SH(KEY_G), S(KEY_R), S(KEY_SEMICOLON), S(KEY_MINUS), S(KEY_E), SH(KEY_DOT), S(KEY_SPACE),
                S(KEY_5), AG(KEY_E), S(KEY_COMMA), S(KEY_SPACE), SH(KEY_Y), S(KEY_O), AG(KEY_LEFTBRACE), S(KEY_E),
                S(KEY_SPACE), SH(KEY_6), S(KEY_SPACE), SH(KEY_Z), S(KEY_A), S(KEY_K), AG(KEY_Q), AG(KEY_8),
                S(KEY_X), AG(KEY_9), AG(KEY_MINUS), AG(KEY_RIGHTBRACE), AG(KEY_102ND), S(KEY_102ND),
                SH(KEY_102ND), S(KEY_LEFTBRACE), SH(KEY_APOSTROPHE), S(KEY_BACKSLASH), SH(KEY_3), SH(KEY_2),
                SH(KEY_7), SH(KEY_0), SH(KEY_MINUS), AG(KEY_M), AG(KEY_2), S(KEY_GRAVE), S(KEY_SPACE),
                S(KEY_GRAVE), S(KEY_E), SH(KEY_EQUAL), S(KEY_SPACE), S(KEY_EQUAL), S(KEY_E), SH(KEY_BACKSLASH),
                S(KEY_Y), S(KEY_Z), AG(KEY_7), AG(KEY_0), SH(KEY_RIGHTBRACE), S(KEY_RIGHTBRACE), S(KEY_SLASH),
                SH(KEY_SLASH), SH(KEY_COMMA), SH(KEY_GRAVE), S(KEY_EQUAL), S(KEY_EQUAL), SH(KEY_1), SH(KEY_8),
                SH(KEY_9), SH(KEY_4), SH(KEY_5),
        };

        check_typed("de", "Größe: 5€, Zoë & Yak@[x]\\~|<>üÄ#§\"/=?µ²^ê`é'zy{}*+-_;°´!()$%", s, ELEMENTSOF(s));
}
END_TEST

START_TEST(test_keymap_fr)
{
        /* AZERTY: digits with Shift, a/q z/w swapped, m right of l, dead ^ and ¨, AltGr row */
        static const struct stroke s[] = {
                SH(KEY_O), S(KEY_APOSTROPHE), S(KEY_SPACE), S(KEY_LEFTBRACE), S(KEY_E), S(KEY_T), S(KEY_E),
                S(KEY_S), S(KEY_6), S(KEY_V), S(KEY_O), S(KEY_U), S(KEY_S), SH(KEY_M), S(KEY_SPACE), SH(KEY_1),
                SH(KEY_0), AG(KEY_E), S(KEY_SPACE), S(KEY_0), S(KEY_SPACE), SH(KEY_P), S(KEY_Q), S(KEY_R),
                S(KEY_I), S(KEY_S), S(KEY_COMMA), S(KEY_SPACE), S(KEY_Q), S(KEY_EQUAL), S(KEY_B), S(KEY_DOT),
                S(KEY_SPACE), S(KEY_C), S(KEY_SLASH), S(KEY_M), S(KEY_SPACE), S(KEY_W), S(KEY_Z), S(KEY_A),
                S(KEY_SEMICOLON), SH(KEY_COMMA), SH(KEY_DOT),
        };
        static const struct stroke row[] = {
                S(KEY_1), S(KEY_2), S(KEY_3), S(KEY_4), S(KEY_5), S(KEY_6), S(KEY_7), S(KEY_8), S(KEY_9),
                S(KEY_0), S(KEY_MINUS), S(KEY_EQUAL),
        };
        static const struct stroke altgr[] = {
                AG(KEY_2), AG(KEY_3), AG(KEY_4), AG(KEY_5), AG(KEY_6), AG(KEY_7), AG(KEY_8), AG(KEY_9),
                AG(KEY_0), AG(KEY_MINUS), AG(KEY_EQUAL),
        };
        static const struct stroke more[] = {
                S(KEY_BACKSLASH), S(KEY_102ND), SH(KEY_102ND), SH(KEY_BACKSLASH), SH(KEY_SLASH), S(KEY_GRAVE),
                SH(KEY_APOSTROPHE), SH(KEY_LEFTBRACE), S(KEY_E), AG(KEY_9), AG(KEY_M),
                SH(KEY_E), SH(KEY_RIGHTBRACE), S(KEY_RIGHTBRACE), SH(KEY_MINUS), SH(KEY_EQUAL),
        };

        check_typed("fr", "Où êtes-vous? 10€ à Paris; a=b: c!, zwqm./", s, ELEMENTSOF(s));
        check_typed("fr", "&é\"'(-è_çà)=", row, ELEMENTSOF(row));
        check_typed("fr", "~#{[|`\\^@]}", altgr, ELEMENTSOF(altgr));
        check_typed("fr", "*<>µ§²%ë^É£$°+", more, ELEMENTSOF(more));
}
END_TEST

START_TEST(test_keymap_gb)
{
        static const struct stroke s[] = {
                SH(KEY_2), SH(KEY_APOSTROPHE), SH(KEY_3), AG(KEY_4), S(KEY_BACKSLASH), SH(KEY_BACKSLASH),
                S(KEY_102ND), SH(KEY_102ND), SH(KEY_GRAVE),
        };

        check_typed("gb", "\"@£€#~\\|¬", s, ELEMENTSOF(s));
}
END_TEST

START_TEST(test_keymap_controls)
{
        static const struct stroke us[] = {
                S(KEY_A), S(KEY_ENTER), S(KEY_B), S(KEY_ENTER), S(KEY_TAB), S(KEY_C), S(KEY_ENTER), S(KEY_ENTER),
                S(KEY_BACKSPACE), S(KEY_BACKSPACE), S(KEY_ESC), { CTRL, KEY_C }, { CTRL, KEY_A },
        };
        static const struct stroke fr[] = { { CTRL, KEY_Q }, { CTRL, KEY_W } };

        /* \r\n is one Enter, \n\r two */
        check_typed("us", "a\r\nb\n\tc\n\r\b\x7f\x1b\x03\x01", us, ELEMENTSOF(us));
        /* Ctrl+letter uses the layout's key for the letter */
        check_typed("fr", "\x01\x1a", fr, ELEMENTSOF(fr));
}
END_TEST

START_TEST(test_keymap_every_char)
{
        /* Whatever a layout types: whole frames, every key released, within VW_KEYMAP_MAX_EVENTS. */
        for (size_t l = 0; vw_keymap_table[l]; l++) {
                const struct vw_keymap *km = vw_keymap_table[l];
                unsigned typed = 0;

                for (uint32_t cp = 0; cp < 0x2200; cp++) {
                        struct vw_input_event ev[VW_KEYMAP_MAX_EVENTS];
                        uint32_t down[KEY_CNT / 32] = {};
                        int n = vw_keymap_char(km, cp, ev);

                        if (cp >= 0x20 && cp < 0x7f)
                                ck_assert_msg(n > 0, "%s cannot type ASCII '%c'", km->name, (char)cp);
                        if (n < 0)
                                continue;
                        typed++;
                        ck_assert_int_le(n, VW_KEYMAP_MAX_EVENTS);
                        ck_assert_int_eq(ev[n - 1].type, EV_SYN);
                        for (int i = 0; i < n; i++) {
                                if (ev[i].type != EV_KEY)
                                        continue;
                                if (ev[i].value)
                                        down[ev[i].code / 32] |= 1u << (ev[i].code % 32);
                                else
                                        down[ev[i].code / 32] &= ~(1u << (ev[i].code % 32));
                        }
                        for (size_t i = 0; i < ELEMENTSOF(down); i++)
                                ck_assert_uint_eq(down[i], 0);
                }
                ck_assert_uint_gt(typed, 95);
        }
}
END_TEST

START_TEST(test_keymap_untypeable)
{
        const struct vw_keymap *km;
        struct vw_input_event *ev = (void *)0x1;
        size_t n = 77;
        char *error = NULL;

        ck_assert_int_eq(vw_keymap_find("us", &km), 0);
        ck_assert_int_eq(vw_keymap_type(km, "abc€d", strlen("abc€d"), &ev, &n, &error), -EINVAL);
        ck_assert_str_eq(error, "cannot type '€' (U+20AC) at position 4 with layout us");
        ck_assert_ptr_eq(ev, (void *)0x1);
        ck_assert_uint_eq(n, 77);
        free(error);

        ck_assert_int_eq(vw_keymap_find("de", &km), 0);
        ck_assert_int_eq(vw_keymap_type(km, "Grüße aus 北京", strlen("Grüße aus 北京"), &ev, &n, &error), -EINVAL);
        ck_assert_str_eq(error, "cannot type '北' (U+5317) at position 11 with layout de");
        free(error);

        ck_assert_int_eq(vw_keymap_type(km, "a\x00" "b", 3, &ev, &n, &error), -EINVAL);
        ck_assert_str_eq(error, "cannot type U+0000 at position 2 with layout de");
        free(error);

        ck_assert_int_eq(vw_keymap_find("fr", &km), 0);
        ck_assert_int_eq(vw_keymap_type(km, "Ça", strlen("Ça"), &ev, &n, &error), -EINVAL);
        ck_assert_str_eq(error, "cannot type 'Ç' (U+00C7) at position 1 with layout fr");
        free(error);
        ck_assert_ptr_eq(ev, (void *)0x1);

        /* empty text: nothing to type, no error */
        ck_assert_int_eq(vw_keymap_type(km, "", 0, &ev, &n, NULL), 0);
        ck_assert_ptr_null(ev);
        ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_keymap_bad_utf8)
{
        static const struct {
                const char *text;
                const char *error;
        } cases[] = {
                { "ab\xff", "invalid UTF-8 at byte offset 2" },
                { "a\xc3(", "invalid UTF-8 at byte offset 1" },
                { "ab\xc3", "incomplete UTF-8 sequence at the end (byte offset 2)" },
                { "\xc0\xaf", "invalid UTF-8 at byte offset 0" },           /* overlong '/' */
                { "x\xe0\x80\xaf", "invalid UTF-8 at byte offset 1" },      /* overlong */
                { "\xed\xa0\x80", "invalid UTF-8 at byte offset 0" },       /* surrogate */
                { "\xf4\x90\x80\x80", "invalid UTF-8 at byte offset 0" },   /* above U+10FFFF */
                { "\x80", "invalid UTF-8 at byte offset 0" },
        };
        const struct vw_keymap *km;

        ck_assert_int_eq(vw_keymap_find("us", &km), 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct vw_input_event *ev = NULL;
                size_t n = 0;
                _cleanup_free_ char *error = NULL;

                ck_assert_int_eq(vw_keymap_type(km, cases[i].text, strlen(cases[i].text), &ev, &n, &error),
                                 -EILSEQ);
                ck_assert_str_eq(error, cases[i].error);
                ck_assert_ptr_null(ev);
        }
}
END_TEST

START_TEST(test_utf8_decode)
{
        uint32_t cp;

        ck_assert_int_eq(vw_utf8_decode((const uint8_t *)"\xf0\x9f\x98\x80", 4, &cp), 4);
        ck_assert_uint_eq(cp, 0x1f600);
        ck_assert_int_eq(vw_utf8_decode((const uint8_t *)"\xf0\x9f\x98", 3, &cp), 0);
        ck_assert_int_eq(vw_utf8_decode((const uint8_t *)"\xe2\x82\xac", 3, &cp), 3);
        ck_assert_uint_eq(cp, 0x20ac);
        ck_assert_int_eq(vw_utf8_decode((const uint8_t *)"\xef\xbf\xbf", 3, &cp), 3);
        ck_assert_int_eq(vw_utf8_decode((const uint8_t *)"\xc1\xbf", 2, &cp), -EILSEQ);
        ck_assert_int_eq(vw_utf8_decode((const uint8_t *)"\xc1", 1, &cp), -EILSEQ);
        ck_assert_int_eq(vw_utf8_decode((const uint8_t *)"\xf0\x80", 2, &cp), -EILSEQ);
}
END_TEST

/* ---- combinations ---- */

static void check_combo(const char *spec, const uint16_t *keys, size_t n_keys)
{
        _cleanup_free_ struct vw_input_event *ev = NULL;
        _cleanup_free_ char *error = NULL;
        struct vw_input_event want[2 * VW_COMBO_MAX_KEYS + 2];
        size_t n = 0, w = 0;

        for (size_t i = 0; i < n_keys; i++)
                w = put(want, w, EV_KEY, keys[i], 1);
        w = put(want, w, EV_SYN, SYN_REPORT, 0);
        for (size_t i = n_keys; i > 0; i--)
                w = put(want, w, EV_KEY, keys[i - 1], 0);
        w = put(want, w, EV_SYN, SYN_REPORT, 0);
        ck_assert_msg(vw_keys_parse_combo(spec, &ev, &n, &error) == 0, "%s: %s", spec, error);
        check_events(ev, n, want, w);
}

START_TEST(test_combo)
{
        check_combo("KEY_LEFTCTRL+KEY_C", (const uint16_t[]){ KEY_LEFTCTRL, KEY_C }, 2);
        check_combo("ctrl+alt+delete", (const uint16_t[]){ KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE }, 3);
        check_combo(" Shift + f1 ", (const uint16_t[]){ KEY_LEFTSHIFT, KEY_F1 }, 2);
        check_combo("super+l", (const uint16_t[]){ KEY_LEFTMETA, KEY_L }, 2);
        check_combo("leftctrl+rightalt+key_4", (const uint16_t[]){ KEY_LEFTCTRL, KEY_RIGHTALT, KEY_4 }, 3);
        check_combo("BTN_LEFT", (const uint16_t[]){ BTN_LEFT }, 1);
        check_combo("right", (const uint16_t[]){ KEY_RIGHT }, 1);
        check_combo("altgr+e", (const uint16_t[]){ KEY_RIGHTALT, KEY_E }, 2);
        check_combo("enter", (const uint16_t[]){ KEY_ENTER }, 1);
}
END_TEST

START_TEST(test_combo_errors)
{
        static const struct {
                const char *spec;
                const char *error_start;
        } cases[] = {
                { "ctrl+foo", "unknown key 'foo' in 'ctrl+foo'" },
                { "ctrl++c", "empty key name in 'ctrl++c'" },
                { "", "empty key name in ''" },
                { "ctrl+", "empty key name in 'ctrl+'" },
                { "ctrl+LEFTCTRL", "key 'LEFTCTRL' appears twice in 'ctrl+LEFTCTRL'" },
                { "a+b+c+d+e+f+g+h+i", "too many keys in 'a+b+c+d+e+f+g+h+i' (at most 8)" },
                { "REL_X", "unknown key 'REL_X'" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct vw_input_event *ev = NULL;
                _cleanup_free_ char *error = NULL;
                size_t n = 0;

                ck_assert_int_eq(vw_keys_parse_combo(cases[i].spec, &ev, &n, &error), -EINVAL);
                ck_assert_msg(strneq(error, cases[i].error_start, strlen(cases[i].error_start)), "got: %s", error);
                ck_assert_ptr_null(ev);
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("keymap");
        TCase *tc;

        tc = vw_test_case(s, "keymap");
        tcase_add_test(tc, test_keymap_find);
        tcase_add_test(tc, test_keymap_us);
        tcase_add_test(tc, test_keymap_de);
        tcase_add_test(tc, test_keymap_fr);
        tcase_add_test(tc, test_keymap_gb);
        tcase_add_test(tc, test_keymap_controls);
        tcase_add_test(tc, test_keymap_every_char);
        tcase_add_test(tc, test_keymap_untypeable);
        tcase_add_test(tc, test_keymap_bad_utf8);
        tcase_add_test(tc, test_utf8_decode);
        tc = vw_test_case(s, "combo");
        tcase_add_test(tc, test_combo);
        tcase_add_test(tc, test_combo_errors);
        return vw_test_run(s);
}
