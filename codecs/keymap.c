/* SPDX-License-Identifier: MIT */
/* Text to key presses through a layout table (keymap-layouts.c); key combinations by name. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libevdev/libevdev.h>
#include <linux/input-event-codes.h>

#include "keymap.h"
#include "macro.h"

enum {
        LEVEL_SHIFT = 1 << 0,
        LEVEL_ALTGR = 1 << 1,
};

/* Where a symbol is: a key and the level (0..3) that types it. */
struct stroke {
        uint16_t code;
        uint8_t level;
};

int vw_keymap_find(const char *name, const struct vw_keymap **ret)
{
        if (!name)
                return -ENOENT;
        for (size_t i = 0; vw_keymap_table[i]; i++)
                if (strcasecmp(vw_keymap_table[i]->name, name) == 0) {
                        *ret = vw_keymap_table[i];
                        return 0;
                }
        return -ENOENT;
}

const char *vw_keymap_names(void)
{
        static char names[64];

        if (!names[0])
                for (size_t i = 0; vw_keymap_table[i]; i++) {
                        size_t n = strlen(names);
                        snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "", vw_keymap_table[i]->name);
                }
        return names;
}

const char *vw_keymap_name(const struct vw_keymap *km) { return km->name; }
const char *vw_keymap_description(const struct vw_keymap *km) { return km->description; }

int vw_utf8_decode(const uint8_t *s, size_t len, uint32_t *ret)
{
        uint32_t cp, min;
        size_t n;

        if (s[0] < 0x80) {
                *ret = s[0];
                return 1;
        }
        if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2) {
                n = 2, cp = s[0] & 0x1f, min = 0x80;
        } else if ((s[0] & 0xf0) == 0xe0) {
                n = 3, cp = s[0] & 0x0f, min = 0x800;
        } else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4) {
                n = 4, cp = s[0] & 0x07, min = 0x10000;
        } else
                return -EILSEQ;
        for (size_t i = 1; i < n; i++) {
                if (i >= len)
                        return 0;
                if ((s[i] & 0xc0) != 0x80)
                        return -EILSEQ;
                cp = (cp << 6) | (s[i] & 0x3f);
                /* reject overlong and out-of-range forms as early as their second byte allows */
                if (i == 1 && ((n == 3 && cp < 0x20) || (n == 4 && (cp < 0x10 || cp > 0x10f))))
                        return -EILSEQ;
                if (i == 1 && n == 3 && cp >= 0x360 && cp <= 0x37f)
                        return -EILSEQ;  /* surrogates D800..DFFF */
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return -EILSEQ;
        *ret = cp;
        return (int)n;
}

/* The simplest way to type sym directly: the lowest level wins, then the first key in the table. */
static bool find_sym(const struct vw_keymap *km, uint32_t sym, struct stroke *ret)
{
        for (uint8_t level = 0; level < 4; level++)
                for (size_t i = 0; i < km->n_keys; i++)
                        if (km->keys[i].sym[level] == sym) {
                                *ret = (struct stroke){ km->keys[i].code, level };
                                return true;
                        }
        return false;
}

static void put(struct vw_input_event *out, size_t *n, uint16_t type, uint16_t code, int32_t value)
{
        out[(*n)++] = (struct vw_input_event){ .type = type, .code = code, .value = value };
}

/* Modifiers down, key down, SYN; key up, modifiers up in reverse, SYN. */
static void put_stroke(struct vw_input_event *out, size_t *n, const uint16_t *mods, size_t n_mods,
                       uint16_t code)
{
        for (size_t i = 0; i < n_mods; i++)
                put(out, n, EV_KEY, mods[i], 1);
        put(out, n, EV_KEY, code, 1);
        put(out, n, EV_SYN, SYN_REPORT, 0);
        put(out, n, EV_KEY, code, 0);
        for (size_t i = n_mods; i > 0; i--)
                put(out, n, EV_KEY, mods[i - 1], 0);
        put(out, n, EV_SYN, SYN_REPORT, 0);
}

static void put_level_stroke(struct vw_input_event *out, size_t *n, const struct stroke *s)
{
        uint16_t mods[2];
        size_t n_mods = 0;

        if (s->level & LEVEL_SHIFT)
                mods[n_mods++] = KEY_LEFTSHIFT;
        if (s->level & LEVEL_ALTGR)
                mods[n_mods++] = KEY_RIGHTALT;
        put_stroke(out, n, mods, n_mods, s->code);
}

static int control_char(const struct vw_keymap *km, uint32_t cp, struct vw_input_event *out)
{
        static const uint16_t ctrl[] = { KEY_LEFTCTRL };
        uint16_t code;
        struct stroke s;
        size_t n = 0;

        switch (cp) {
        case '\r':
        case '\n':
                code = KEY_ENTER;
                break;
        case '\t':
                code = KEY_TAB;
                break;
        case '\b':
        case 0x7f:
                code = KEY_BACKSPACE;
                break;
        case 0x1b:
                code = KEY_ESC;
                break;
        default:
                /* Ctrl+letter, with the key that types the letter on this layout */
                if (cp < 0x01 || cp > 0x1a || !find_sym(km, 'a' + cp - 1, &s) || s.level != 0)
                        return -EINVAL;
                put_stroke(out, &n, ctrl, 1, s.code);
                return (int)n;
        }
        put_stroke(out, &n, NULL, 0, code);
        return (int)n;
}

int vw_keymap_char(const struct vw_keymap *km, uint32_t cp, struct vw_input_event out[VW_KEYMAP_MAX_EVENTS])
{
        struct stroke s, dead, base;
        size_t n = 0;

        if (cp < 0x20 || cp == 0x7f)
                return control_char(km, cp, out);
        if (cp >= VW_DEAD_GRAVE) /* not a character: our own marks for dead keys */
                return -EINVAL;
        if (find_sym(km, cp, &s)) {
                put_level_stroke(out, &n, &s);
                return (int)n;
        }
        for (size_t i = 0; i < vw_compose_table_size; i++) {
                const struct vw_compose *c = &vw_compose_table[i];

                if (c->result != cp || !find_sym(km, c->dead, &dead) || !find_sym(km, c->base, &base))
                        continue;
                put_level_stroke(out, &n, &dead);
                put_level_stroke(out, &n, &base);
                return (int)n;
        }
        return -EINVAL;
}

static char *describe_char(uint32_t cp)
{
        char *s = NULL;
        int r;

        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
                r = asprintf(&s, "U+%04X", (unsigned)cp);
        else if (cp < 0x80)
                r = asprintf(&s, "'%c' (U+%04X)", (char)cp, (unsigned)cp);
        else {
                char u[5] = {};

                if (cp < 0x800) {
                        u[0] = (char)(0xc0 | (cp >> 6));
                        u[1] = (char)(0x80 | (cp & 0x3f));
                } else if (cp < 0x10000) {
                        u[0] = (char)(0xe0 | (cp >> 12));
                        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                        u[2] = (char)(0x80 | (cp & 0x3f));
                } else {
                        u[0] = (char)(0xf0 | (cp >> 18));
                        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
                        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
                        u[3] = (char)(0x80 | (cp & 0x3f));
                }
                r = asprintf(&s, "'%s' (U+%04X)", u, (unsigned)cp);
        }
        return r < 0 ? NULL : s;
}


int vw_keymap_type(const struct vw_keymap *km, const char *utf8, size_t len, struct vw_input_event **ret,
                   size_t *n_ret, char **error)
{
        const uint8_t *s = (const uint8_t *)utf8;
        _cleanup_free_ struct vw_input_event *ev = NULL;
        size_t n = 0, allocated = 0, pos = 0;
        bool after_cr = false;

        for (size_t i = 0; i < len;) {
                uint32_t cp;
                int k = vw_utf8_decode(s + i, len - i, &cp);

                if (k <= 0) {
                        vw_errorf(error, k == 0 ? "incomplete UTF-8 sequence at the end (byte offset %zu)"
                                                : "invalid UTF-8 at byte offset %zu", i);
                        return -EILSEQ;
                }
                i += (size_t)k;
                pos++;
                if (cp == '\n' && after_cr) {
                        after_cr = false;
                        continue;
                }
                after_cr = cp == '\r';
                if (allocated - n < VW_KEYMAP_MAX_EVENTS) {
                        size_t a = MAX(allocated * 2, (size_t)64);
                        struct vw_input_event *p = realloc(ev, a * sizeof(*ev));

                        if (!p)
                                return -ENOMEM;
                        ev = p;
                        allocated = a;
                }
                k = vw_keymap_char(km, cp, ev + n);
                if (k < 0) {
                        _cleanup_free_ char *what = describe_char(cp);

                        vw_errorf(error, "cannot type %s at position %zu with layout %s", what ? what : "?",
                                  pos, km->name);
                        return -EINVAL;
                }
                n += (size_t)k;
        }
        *ret = n > 0 ? TAKE_PTR(ev) : NULL;
        *n_ret = n;
        return 0;
}

/* ---- combinations ---- */

static const struct {
        const char *alias;
        uint16_t code;
} key_aliases[] = {
        { "ctrl", KEY_LEFTCTRL },     { "control", KEY_LEFTCTRL }, { "shift", KEY_LEFTSHIFT },
        { "alt", KEY_LEFTALT },       { "altgr", KEY_RIGHTALT },   { "super", KEY_LEFTMETA },
        { "meta", KEY_LEFTMETA },     { "win", KEY_LEFTMETA },     { "esc", KEY_ESC },
        { "return", KEY_ENTER },      { "del", KEY_DELETE },       { "ins", KEY_INSERT },
        { "pgup", KEY_PAGEUP },       { "pgdn", KEY_PAGEDOWN },    { "bksp", KEY_BACKSPACE },
};

static int key_from_name(const char *name, size_t len, uint16_t *ret)
{
        char buf[64];
        int code;

        if (len == 0 || len > 40)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(key_aliases); i++)
                if (strlen(key_aliases[i].alias) == len && strncasecmp(key_aliases[i].alias, name, len) == 0) {
                        *ret = key_aliases[i].code;
                        return 0;
                }
        for (size_t i = 0; i < len; i++)
                buf[i] = (char)toupper((unsigned char)name[i]);
        buf[len] = '\0';
        code = libevdev_event_code_from_name(EV_KEY, buf);
        if (code < 0 && !strneq(buf, "KEY_", 4) && !strneq(buf, "BTN_", 4)) {
                char prefixed[sizeof(buf) + 4];

                snprintf(prefixed, sizeof(prefixed), "KEY_%s", buf);
                code = libevdev_event_code_from_name(EV_KEY, prefixed);
                if (code < 0) {
                        snprintf(prefixed, sizeof(prefixed), "BTN_%s", buf);
                        code = libevdev_event_code_from_name(EV_KEY, prefixed);
                }
        }
        if (code < 0)
                return -EINVAL;
        *ret = (uint16_t)code;
        return 0;
}

int vw_keys_parse_combo(const char *spec, struct vw_input_event **ret, size_t *n_ret, char **error)
{
        uint16_t keys[VW_COMBO_MAX_KEYS];
        struct vw_input_event *ev;
        size_t n_keys = 0, n = 0;
        const char *p = spec;

        for (;;) {
                const char *start, *end;
                uint16_t code;

                p += strspn(p, " \t");
                start = p;
                p += strcspn(p, "+");
                end = p;
                while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
                        end--;
                if (end == start) {
                        vw_errorf(error, "empty key name in '%s'", spec);
                        return -EINVAL;
                }
                if (key_from_name(start, (size_t)(end - start), &code) < 0) {
                        vw_errorf(error, "unknown key '%.*s' in '%s' (names are as in KEY_LEFTCTRL, KEY_A, "
                                  "BTN_LEFT, with or without KEY_, or ctrl, shift, alt, altgr, super)",
                                  (int)(end - start), start, spec);
                        return -EINVAL;
                }
                for (size_t i = 0; i < n_keys; i++)
                        if (keys[i] == code) {
                                vw_errorf(error, "key '%.*s' appears twice in '%s'", (int)(end - start), start,
                                          spec);
                                return -EINVAL;
                        }
                if (n_keys == VW_COMBO_MAX_KEYS) {
                        vw_errorf(error, "too many keys in '%s' (at most %d)", spec, VW_COMBO_MAX_KEYS);
                        return -EINVAL;
                }
                keys[n_keys++] = code;
                if (*p == '\0')
                        break;
                p++; /* the '+' */
        }

        ev = calloc(2 * n_keys + 2, sizeof(*ev));
        if (!ev)
                return -ENOMEM;
        for (size_t i = 0; i < n_keys; i++)
                put(ev, &n, EV_KEY, keys[i], 1);
        put(ev, &n, EV_SYN, SYN_REPORT, 0);
        for (size_t i = n_keys; i > 0; i--)
                put(ev, &n, EV_KEY, keys[i - 1], 0);
        put(ev, &n, EV_SYN, SYN_REPORT, 0);
        *ret = ev;
        *n_ret = n;
        return 0;
}
