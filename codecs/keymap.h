/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Text to key presses through a keyboard layout, and key combinations by name. Pure: no file
 * descriptors, no event loop; events in struct vw_input_event with usec 0 ("now").
 *
 * Every character is typed as two frames: modifiers down (KEY_LEFTSHIFT, then KEY_RIGHTALT for
 * AltGr), key down, SYN_REPORT; key up, modifiers up in reverse order, SYN_REPORT. A character
 * the layout has on no key but can compose with a dead key (ê on de: ^ then e) is typed as the
 * dead key's two frames followed by the base character's two frames, the way a person types it;
 * this assumes the target uses the usual X11/Wayland compose rules (e.g. de: dead acute then
 * space gives an apostrophe, so ´ is typed as two dead acutes).
 *
 * Control characters: \r and \n give KEY_ENTER (\r\n is a single Enter), \t KEY_TAB, \b and DEL
 * (0x7f) KEY_BACKSPACE, ESC KEY_ESC, and the other bytes 0x01..0x1a Ctrl plus the layout's key
 * for that letter (0x03: Ctrl+C; on fr, Ctrl+A presses KEY_LEFTCTRL and KEY_Q).
 */

#include <stddef.h>
#include <stdint.h>

#include "input-event.h"

struct vw_keymap;

/* Most events one character can need: two strokes of (2 modifiers + key) down and up + SYN. */
#define VW_KEYMAP_MAX_EVENTS 16

/* Look a layout up by name ("us", "de", "fr", "gb"); -ENOENT if unknown. */
int vw_keymap_find(const char *name, const struct vw_keymap **ret);
/* The known layout names, for messages: "us, de, fr, gb". */
const char *vw_keymap_names(void);
const char *vw_keymap_name(const struct vw_keymap *km);
const char *vw_keymap_description(const struct vw_keymap *km);

/*
 * The complete event sequence for typing the UTF-8 text `utf8` (len bytes, need not be
 * NUL-terminated). On success *ret is a malloc'd array of *n_ret events (NULL and 0 for empty
 * text). A character the layout cannot type gives -EINVAL and *error "cannot type 'ł' (U+0142)
 * at position 7 with layout us" (position counts characters from 1); invalid UTF-8 gives -EILSEQ
 * and *error naming the byte offset. On error nothing is returned: no half-typed output.
 * error may be NULL.
 */
int vw_keymap_type(const struct vw_keymap *km, const char *utf8, size_t len, struct vw_input_event **ret,
                   size_t *n_ret, char **error);

/*
 * The events for one character (a code point, control characters as above) into out. Returns
 * the number of events, or -EINVAL when the layout cannot type it. \n after \r is not special
 * here: callers merge \r\n themselves.
 */
int vw_keymap_char(const struct vw_keymap *km, uint32_t cp, struct vw_input_event out[VW_KEYMAP_MAX_EVENTS]);

/*
 * A key combination: "KEY_LEFTCTRL+KEY_C", or case-insensitive short names "ctrl+alt+delete",
 * "shift+f1", "super+l", "BTN_LEFT". Names are libevdev's EV_KEY names with or without the KEY_
 * prefix, plus the aliases ctrl/control, shift, alt, altgr, super/meta/win, esc, enter/return,
 * del, ins, pgup, pgdn, bksp. The events: every key pressed in order, SYN_REPORT, released in
 * reverse order, SYN_REPORT. -EINVAL with *error for an unknown or repeated name.
 */
#define VW_COMBO_MAX_KEYS 8
int vw_keys_parse_combo(const char *spec, struct vw_input_event **ret, size_t *n_ret, char **error);

/*
 * Decode one UTF-8 character from s (len > 0 bytes). Returns the number of bytes it took (1..4)
 * and *ret; 0 when s is a valid but incomplete prefix (more bytes needed); -EILSEQ when invalid
 * (overlong forms, surrogates and values above U+10FFFF included).
 */
int vw_utf8_decode(const uint8_t *s, size_t len, uint32_t *ret);

/* ---- layout tables (keymap-layouts.c) ---- */

/* Dead keys in the tables: values above the Unicode range. */
enum vw_dead_key {
        VW_DEAD_GRAVE = 0x110000,
        VW_DEAD_ACUTE,
        VW_DEAD_CIRCUMFLEX,
        VW_DEAD_TILDE,
        VW_DEAD_MACRON,
        VW_DEAD_BREVE,
        VW_DEAD_ABOVEDOT,
        VW_DEAD_DIAERESIS,
        VW_DEAD_ABOVERING,
        VW_DEAD_DOUBLEACUTE,
        VW_DEAD_CARON,
        VW_DEAD_CEDILLA,
        VW_DEAD_OGONEK,
        VW_DEAD_BELOWDOT,
        VW_DEAD_HOOK,
        VW_DEAD_HORN,
        VW_DEAD_BELOWMACRON,
};

/* One key: what it types alone, with Shift, with AltGr, with Shift+AltGr (0: nothing). */
struct vw_keymap_key {
        uint16_t code;
        uint32_t sym[4];
};

struct vw_keymap {
        const char *name;
        const char *description;
        const struct vw_keymap_key *keys;
        size_t n_keys;
};

/* A dead key followed by base (a character or another dead key) gives result. */
struct vw_compose {
        uint32_t dead;
        uint32_t base;
        uint32_t result;
};

extern const struct vw_keymap *const vw_keymap_table[];  /* NULL-terminated */
extern const struct vw_compose vw_compose_table[];
extern const size_t vw_compose_table_size;
