/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The text format of evemu-record / evemu-describe / evemu-play (evemu file format 1.3), parsed
 * and written without evemu. Pure: bytes in, descriptions and events out.
 *
 *     # EVEMU 1.3                          comments start with '#'; blank lines are skipped
 *     N: Example Keyboard                  device name
 *     I: 0003 046d c31c 0110               bus vendor product version, hex
 *     P: 00 00 00 00 00 00 00 00           input properties, 8 bitmap bytes a line
 *     B: 01 fe ff ff ff ff ff ff ff        type, then 8 bytes of that type's code bitmap; the
 *                                          lines of one type continue each other
 *     A: 00 0 1920 0 0 12                  axis (hex) min max fuzz flat [resolution]
 *     L: 01 1                              an LED that is on; S: a switch that is on
 *     E: 0.000001 0001 001e 0001           event: sec.usec (6 digits) type code (hex) value
 *
 * The description lines come in this order (N: I: P: B: A: L: S:), then the E: lines; a file of
 * E: lines only is a valid recording for an existing device (evemu-play /dev/input/eventX).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/input.h>
#include <linux/uinput.h>

#include "input-event.h"

/* Bytes of code bitmap per type: enough for EV_KEY, the largest (KEY_MAX + 1 codes). */
#define VW_EVEMU_BITS_BYTES ((KEY_MAX + 1 + 7) / 8)

struct vw_evemu_device {
        char name[UINPUT_MAX_NAME_SIZE];
        uint16_t bustype, vendor, product, version;
        uint8_t props[8];                       /* INPUT_PROP_* bits */
        /*
         * Code bitmaps per type; a type > 0 is supported when any of its bits is set. bits[EV_SYN]
         * is kept as the file has it (evemu always writes 0b: SYN_REPORT, SYN_CONFIG, SYN_DROPPED).
         */
        uint8_t bits[EV_CNT][VW_EVEMU_BITS_BYTES];
        struct input_absinfo abs[ABS_CNT];      /* for the axes set in bits[EV_ABS] */
        uint8_t led_on[(LED_CNT + 7) / 8];      /* initial LED and switch states (L:, S:) */
        uint8_t sw_on[(SW_CNT + 7) / 8];
};

static inline bool vw_bit_test(const uint8_t *bits, unsigned bit) { return bits[bit / 8] & (1u << (bit % 8)); }
static inline void vw_bit_set(uint8_t *bits, unsigned bit) { bits[bit / 8] |= (uint8_t)(1u << (bit % 8)); }

/* An empty description: no name, no codes, bits[EV_SYN] = 0b as evemu writes it. */
void vw_evemu_device_init(struct vw_evemu_device *d);
bool vw_evemu_has_type(const struct vw_evemu_device *d, unsigned type);
bool vw_evemu_has_code(const struct vw_evemu_device *d, unsigned type, unsigned code);
/* Returns -EINVAL for a type or code out of range (libevdev's maximum for the type). */
int vw_evemu_set_code(struct vw_evemu_device *d, unsigned type, unsigned code);

/* ---- parsing ---- */

struct vw_evemu_parser;

enum vw_evemu_parse_flags {
        /*
         * A description after events starts a new recording (streams that carry several
         * recordings one after the other): the description is replaced and times restart.
         * Without the flag that is an error.
         */
        VW_EVEMU_PARSE_RESTART = 1 << 0,
};

/* Called for every event line, in order; a negative return stops vw_evemu_parser_feed(). */
typedef int (*vw_evemu_event_fn)(void *userdata, const struct vw_input_event *ev);

int vw_evemu_parser_new(unsigned flags, struct vw_evemu_parser **ret);
void vw_evemu_parser_free(struct vw_evemu_parser *p);

/*
 * Feed the next piece of text, of any size (a line may be split anywhere between feeds). Event
 * usec is the offset from the first event of the recording, so the first event has 0 (a time
 * earlier than the previous event's is taken as the previous event's: events are never
 * dropped for their time). Bad lines are skipped and parsing goes on; returns 0, or -EINVAL
 * with *error (may be NULL) describing the first bad line ("line 7: ..."), or the callback's
 * negative return.
 */
int vw_evemu_parser_feed(struct vw_evemu_parser *p, const void *data, size_t len, vw_evemu_event_fn event,
                         void *userdata, char **error);
/* End of input: parses a last line that has no newline. Same returns as feed. */
int vw_evemu_parser_finish(struct vw_evemu_parser *p, vw_evemu_event_fn event, void *userdata, char **error);

/* The description, once an N: line was seen (it grows until the first E: line); else NULL. */
const struct vw_evemu_device *vw_evemu_parser_device(const struct vw_evemu_parser *p);
/* Lines seen so far (the number of the line being parsed, for messages). */
unsigned vw_evemu_parser_line(const struct vw_evemu_parser *p);

/*
 * A whole recording in one go: *ret_device (malloc'd; NULL when the text has no description,
 * pass NULL to ignore it) and the events (malloc'd array). -EINVAL with *error at the first bad
 * line; nothing is returned then.
 */
int vw_evemu_parse(const char *text, size_t len, struct vw_evemu_device **ret_device,
                   struct vw_input_event **ret_events, size_t *n_ret, char **error);

/* ---- writing ---- */

/* Longest line vw_evemu_writer_event() writes, newline and NUL included. */
#define VW_EVEMU_LINE_MAX 128

/*
 * The description as evemu-describe writes it ("# EVEMU 1.3", N:, I:, P:, B:, A:, L:, S:), in
 * a malloc'd NUL-terminated string. -EINVAL if the name is empty or has a newline.
 */
int vw_evemu_format_device(const struct vw_evemu_device *d, char **ret, size_t *ret_len);

/*
 * E: lines as evemu-record writes them: times relative to the first event written, which is at
 * 0.000001 (evemu-play does not wait before the second event if the first is at 0), never going
 * backwards; with `describe`, each line ends with evemu-record's comment
 * ("# EV_KEY / KEY_A  1", "# ------------ SYN_REPORT (0) ---------- +12ms").
 */
struct vw_evemu_writer {
        bool describe;
        bool started;
        uint64_t base;          /* usec of the first event, minus 1 */
        uint64_t last;          /* last time written */
        uint64_t last_syn;      /* time of the last SYN_REPORT, for the +ms comment */
};

/* Writes one line (with its newline) into buf; returns its length. */
size_t vw_evemu_writer_event(struct vw_evemu_writer *w, const struct vw_input_event *ev,
                             char buf[VW_EVEMU_LINE_MAX]);

/* A whole recording: the description (if d is not NULL) then the events; malloc'd, NUL-terminated. */
int vw_evemu_format(const struct vw_evemu_device *d, const struct vw_input_event *ev, size_t n, bool describe,
                    char **ret, size_t *ret_len);
