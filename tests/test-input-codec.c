/* SPDX-License-Identifier: MIT */
/* Input codecs, part two: evemu text, wire records, route converters (keymaps: test-keymap.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/input-event-codes.h>

#include "evemu.h"
#include "input-convert.h"
#include "input-wire.h"
#include "input-test.h"
#include "keymap.h"
#include "macro.h"
#include "test-common.h"

/* ---- helpers ---- */

static char *read_data(const char *name, size_t *len)
{
        const char *dir = getenv("VW_INPUT_DATA");
        _cleanup_free_ char *path = NULL;
        char *text;
        long size;
        FILE *f;

        ck_assert_ptr_nonnull(dir);
        ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
        f = fopen(path, "re");
        ck_assert_msg(f, "cannot open %s", path);
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        size = ftell(f);
        rewind(f);
        text = malloc((size_t)size + 1);
        ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
        text[size] = '\0';
        fclose(f);
        *len = (size_t)size;
        return text;
}

/* ---- evemu ---- */

static const struct vw_input_event combo_events[] = {
        { 0, EV_MSC, MSC_SCAN, 458756 }, { 0, EV_KEY, KEY_A, 1 }, { 0, EV_SYN, SYN_REPORT, 0 },
        { 95011, EV_MSC, MSC_SCAN, 458756 }, { 95011, EV_KEY, KEY_A, 0 }, { 95011, EV_SYN, SYN_REPORT, 0 },
        { 1199999, EV_REL, REL_X, -5 }, { 1199999, EV_REL, REL_Y, 3 }, { 1199999, EV_SYN, SYN_REPORT, 0 },
        { 1249999, EV_REL, REL_WHEEL, -1 }, { 1249999, EV_SYN, SYN_REPORT, 0 },
        { 1999999, EV_ABS, ABS_X, 1919 }, { 1999999, EV_ABS, ABS_Y, -540 }, { 1999999, EV_SYN, SYN_REPORT, 0 },
        { 2999999, EV_KEY, KEY_CAPSLOCK, 1 }, { 2999999, EV_SYN, SYN_REPORT, 0 },
        { 3000009, EV_LED, LED_CAPSL, 0 }, { 3000009, EV_SYN, SYN_REPORT, 0 },
        { 3079999, EV_KEY, KEY_CAPSLOCK, 0 }, { 3079999, EV_SYN, SYN_REPORT, 0 },
        { 3499999, EV_KEY, BTN_LEFT, 1 }, { 3499999, EV_SYN, SYN_REPORT, 0 },
        { 3599999, EV_KEY, BTN_LEFT, 0 }, { 3599999, EV_SYN, SYN_REPORT, 0 },
};

START_TEST(test_evemu_parse_sample)
{
        _cleanup_free_ char *text = NULL, *error = NULL;
        _cleanup_free_ struct vw_evemu_device *d = NULL;
        _cleanup_free_ struct vw_input_event *ev = NULL;
        size_t len, n;
        unsigned keys = 0;

        text = read_data("combo.evemu", &len);
        ck_assert_msg(vw_evemu_parse(text, len, &d, &ev, &n, &error) == 0, "%s", error);
        ck_assert_str_eq(d->name, "vwire Test Combo Device");
        ck_assert_uint_eq(d->bustype, BUS_USB);
        ck_assert_uint_eq(d->vendor, 0x1d6b);
        ck_assert_uint_eq(d->product, 0x0104);
        ck_assert_uint_eq(d->version, 0x0111);
        for (unsigned c = 0; c < KEY_CNT; c++)
                keys += vw_evemu_has_code(d, EV_KEY, c);
        ck_assert_uint_eq(keys, 89);
        ck_assert(vw_evemu_has_code(d, EV_KEY, KEY_A));
        ck_assert(vw_evemu_has_code(d, EV_KEY, KEY_102ND));
        ck_assert(!vw_evemu_has_code(d, EV_KEY, 84));
        ck_assert(vw_evemu_has_code(d, EV_KEY, BTN_MIDDLE));
        ck_assert(vw_evemu_has_code(d, EV_REL, REL_WHEEL));
        ck_assert(vw_evemu_has_code(d, EV_MSC, MSC_SCAN));
        ck_assert(vw_evemu_has_code(d, EV_REP, REP_PERIOD));
        ck_assert(vw_evemu_has_type(d, EV_LED));
        ck_assert(!vw_evemu_has_type(d, EV_SW));
        ck_assert_int_eq(d->abs[ABS_X].maximum, 1919);
        ck_assert_int_eq(d->abs[ABS_Y].minimum, -540);
        ck_assert_int_eq(d->abs[ABS_Y].fuzz, 4);
        ck_assert_int_eq(d->abs[ABS_Y].flat, 8);
        ck_assert_int_eq(d->abs[ABS_Y].resolution, 12);
        ck_assert(vw_bit_test(d->led_on, LED_CAPSL));
        ck_assert(!vw_bit_test(d->led_on, LED_NUML));
        check_events(ev, n, combo_events, ELEMENTSOF(combo_events));
}
END_TEST

/* Member by member: the struct has padding (and name bytes past its NUL), which memcmp would
 * compare too. The byte and absinfo arrays have none. */
static void assert_device_eq(const struct vw_evemu_device *a, const struct vw_evemu_device *b)
{
        ck_assert_str_eq(a->name, b->name);
        ck_assert_uint_eq(a->bustype, b->bustype);
        ck_assert_uint_eq(a->vendor, b->vendor);
        ck_assert_uint_eq(a->product, b->product);
        ck_assert_uint_eq(a->version, b->version);
        ck_assert_mem_eq(a->props, b->props, sizeof(a->props));
        ck_assert_mem_eq(a->bits, b->bits, sizeof(a->bits));
        ck_assert_mem_eq(a->abs, b->abs, sizeof(a->abs));
        ck_assert_mem_eq(a->led_on, b->led_on, sizeof(a->led_on));
        ck_assert_mem_eq(a->sw_on, b->sw_on, sizeof(a->sw_on));
}

START_TEST(test_evemu_round_trip)
{
        _cleanup_free_ char *text = NULL, *out = NULL, *error = NULL, *dtext = NULL;
        _cleanup_free_ struct vw_evemu_device *d = NULL, *d2 = NULL;
        _cleanup_free_ struct vw_input_event *ev = NULL, *ev2 = NULL;
        size_t len, out_len, n, n2;

        text = read_data("combo.evemu", &len);
        ck_assert_int_eq(vw_evemu_parse(text, len, &d, &ev, &n, NULL), 0);
        for (int describe = 0; describe < 2; describe++) {
                ck_assert_int_eq(vw_evemu_format(d, ev, n, describe, &out, &out_len), 0);
                ck_assert_uint_eq(strlen(out), out_len);
                ck_assert(strneq(out, "# EVEMU 1.3\n", 12));
                ck_assert_ptr_nonnull(strstr(out, "\nN: vwire Test Combo Device\nI: 0003 1d6b 0104 0111\n"));
                ck_assert_ptr_nonnull(strstr(out, "\nA: 01 -540 539 4 8 12\nL: 01 1\n"));
                ck_assert_ptr_nonnull(strstr(out, "\nE: 0.000001 0004 0004 458756"));
                ck_assert_ptr_nonnull(strstr(out, "\nE: 1.200000 0002 0000 -005"));
                if (describe) {
                        ck_assert_ptr_nonnull(strstr(out, "E: 0.000001 0001 001e 0001\t# EV_KEY / KEY_A "));
                        ck_assert_ptr_nonnull(strstr(out, "E: 0.095012 0000 0000 0000\t# ------------ "
                                                          "SYN_REPORT (0) ---------- +95ms\n"));
                }
                ck_assert_msg(vw_evemu_parse(out, out_len, &d2, &ev2, &n2, &error) == 0, "%s\n%s", error, out);
                assert_device_eq(d, d2);
                check_events(ev2, n2, ev, n);
                free(out);
                free(d2);
                free(ev2);
                out = NULL;
                d2 = NULL;
                ev2 = NULL;
        }

        /* a description made from scratch */
        free(d);
        d = calloc(1, sizeof(*d));
        vw_evemu_device_init(d);
        ck_assert_int_eq(vw_evemu_format_device(d, &dtext, NULL), -EINVAL);  /* no name */
        strcpy(d->name, "vwire keyboard");
        d->bustype = BUS_VIRTUAL;
        ck_assert_int_eq(vw_evemu_set_code(d, EV_KEY, KEY_A), 0);
        ck_assert_int_eq(vw_evemu_set_code(d, EV_KEY, KEY_MAX + 1), -EINVAL);
        ck_assert_int_eq(vw_evemu_set_code(d, EV_ABS, ABS_MT_SLOT), 0);
        d->abs[ABS_MT_SLOT].maximum = 9;
        ck_assert_int_eq(vw_evemu_format_device(d, &dtext, &len), 0);
        ck_assert_int_eq(vw_evemu_parse(dtext, len, &d2, &ev2, &n2, &error), 0);
        assert_device_eq(d, d2);
        ck_assert_uint_eq(n2, 0);
}
END_TEST

struct collected {
        struct vw_input_event ev[4096];
        size_t n;
};

static int collect(void *userdata, const struct vw_input_event *ev)
{
        struct collected *c = userdata;

        ck_assert_uint_lt(c->n, ELEMENTSOF(c->ev));
        c->ev[c->n++] = *ev;
        return 0;
}

START_TEST(test_evemu_incremental)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ struct collected *c = calloc(1, sizeof(*c));
        struct vw_evemu_parser *p;
        uint64_t seed = 42;
        size_t len;

        text = read_data("combo.evemu", &len);

        /* byte by byte */
        ck_assert_int_eq(vw_evemu_parser_new(0, &p), 0);
        for (size_t i = 0; i < len; i++)
                ck_assert_int_eq(vw_evemu_parser_feed(p, text + i, 1, collect, c, NULL), 0);
        ck_assert_int_eq(vw_evemu_parser_finish(p, collect, c, NULL), 0);
        ck_assert_str_eq(vw_evemu_parser_device(p)->name, "vwire Test Combo Device");
        check_events(c->ev, c->n, combo_events, ELEMENTSOF(combo_events));
        vw_evemu_parser_free(p);

        /* random pieces, and without the last newline */
        for (int round = 0; round < 50; round++) {
                size_t end = round % 2 ? len - 1 : len;

                c->n = 0;
                ck_assert_int_eq(vw_evemu_parser_new(0, &p), 0);
                for (size_t i = 0; i < end;) {
                        size_t k = vw_test_range(&seed, 1, 40);

                        k = MIN(k, end - i);

                        ck_assert_int_eq(vw_evemu_parser_feed(p, text + i, k, collect, c, NULL), 0);
                        i += k;
                }
                ck_assert_int_eq(vw_evemu_parser_finish(p, collect, c, NULL), 0);
                check_events(c->ev, c->n, combo_events, ELEMENTSOF(combo_events));
                vw_evemu_parser_free(p);
        }
}
END_TEST

static void check_parse_error(const char *text, const char *want)
{
        _cleanup_free_ char *error = NULL;
        struct vw_evemu_device *d = NULL;
        struct vw_input_event *ev = NULL;
        size_t n = 0;

        ck_assert_msg(vw_evemu_parse(text, strlen(text), &d, &ev, &n, &error) == -EINVAL, "accepted: %s", text);
        ck_assert_msg(error && streq(error, want), "for %s\ngot:  %s\nwant: %s", text, error, want);
        ck_assert_ptr_null(d);
        ck_assert_ptr_null(ev);
}

#define HEAD "# EVEMU 1.3\nN: test\nI: 0003 0001 0002 0003\n"

START_TEST(test_evemu_errors)
{
        check_parse_error(HEAD "E: 0.5 0001 001e 1\n", "line 4: expected 6 digits of microseconds in E: sec.usec");
        check_parse_error(HEAD "E: 0.000001 0001 001e\n", "line 4: expected E: sec.usec type code (hex) value (decimal)");
        check_parse_error(HEAD "E: 0.000001 0001 001e 1 x\n", "line 4: unexpected text after E: sec.usec type code value");
        check_parse_error(HEAD "E: 0.000001 0020 0000 0\n", "line 4: unknown event type 0x0020");
        check_parse_error(HEAD "E: 0.000001 0003 0040 0\n", "line 4: event code 0x0040 is beyond the last EV_ABS code");
        check_parse_error(HEAD "E: 0.000001 0001 001e 4294967296\n",
                          "line 4: expected E: sec.usec type code (hex) value (decimal)");
        check_parse_error(HEAD "X: foo\n", "line 4: unknown line type 'X:'");
        check_parse_error(HEAD "hello\n", "line 4: expected a line starting with N:, I:, P:, B:, A:, L:, S:, E: or #");
        check_parse_error("B: 01 00\n", "line 1: B: line before the N: line");
        check_parse_error("N: x\nB: 01 00\n", "line 2: B: line before the I: line");
        check_parse_error(HEAD "I: 0003 0001 0002 0003\n", "line 4: I: line after I: (the order is N: I: P: B: A: L: S:)");
        check_parse_error(HEAD "B: 01 02\nP: 00\n", "line 5: P: line after B: (the order is N: I: P: B: A: L: S:)");
        check_parse_error(HEAD "N: again\n", "line 4: a second N: line");
        check_parse_error(HEAD "E: 0.000001 0000 0000 0\nN: again\nI: 0 0 0 0\n",
                          "line 5: a second device description after events (one recording per file)");
        /* events with no description, then one (found by fuzz-evemu) */
        check_parse_error("E: 0.000001 0000 0000 0\nN: late\nI: 0 0 0 0\n",
                          "line 2: a device description after events (one recording per file)");
        check_parse_error("E: 18446744073709.551616 0000 0000 0\n", "line 1: event time too large");
        check_parse_error("E: 0.000000 0000 0000 0\nE: 18446744073709.551615 0000 0000 0\n",
                          "line 2: event time too large");
        check_parse_error(HEAD "E: 0.000001 0000 0000 0\nB: 01 02\n",
                          "line 5: B: line among the events (the description comes first)");
        check_parse_error(HEAD "A: 00 0 100 0 0 0\n", "line 4: A: for axis 0x00 (ABS_X) that no B: 03 line enables");
        check_parse_error(HEAD "B: 03 01\nA: 00 0 100\n",
                          "line 5: expected A: axis min max fuzz flat [resolution]: 4 or 5 numbers");
        check_parse_error(HEAD "B: 03 00 00 00 00 00 00 00 00 01\n",
                          "line 4: expected 1 to 8 hex bytes of the event code bitmap");
        check_parse_error(HEAD "B: 03 00 00 00 00 00 00 00 00\nB: 03 01\n",
                          "line 5: B: code 0x40 is beyond the last EV_ABS code");
        check_parse_error(HEAD "B: 22 01\n", "line 4: expected B: with an event type (hex, at most 1f)");
        check_parse_error(HEAD "B: 11 01\nL: 02 1\n", "line 5: L: for code 0x02 that no B: line enables");
        check_parse_error("N: x\n", "line 2: the description ends before its I: line");
        check_parse_error("N: x\nE: 0.000001 0000 0000 0\n", "line 2: event before the I: line of the description");
        check_parse_error("N: \n", "line 1: empty device name");
        check_parse_error("N: 0123456789012345678901234567890123456789012345678901234567890123456789012345678901\n",
                          "line 1: device name longer than 79 bytes");
        check_parse_error(HEAD "I: 0003 0001 0002 10000\n", "line 4: I: line after I: (the order is N: I: P: B: A: L: S:)");
        check_parse_error("N: x\nI: 0003 0001 0002 10000\n", "line 2: expected I: bus vendor product version (4 hex numbers)");
}
END_TEST

START_TEST(test_evemu_lenient)
{
        /* events only, CRLF, blank lines, long comments, times going backwards (kept, not reordered) */
        _cleanup_free_ struct vw_input_event *ev = NULL;
        struct vw_evemu_device *d = (void *)1;
        static char text[5000];
        size_t n;

        strcpy(text, "\r\n# ");
        memset(text + 4, 'x', 3000);
        strcpy(text + 3004, "\nE: 5.000000 0001 001e 1\r\n\n   E: 4.000000 0000 0000 0   # comment\n"
               "E: 6.500000 0001 001e -2\n");
        ck_assert_int_eq(vw_evemu_parse(text, strlen(text), &d, &ev, &n, NULL), 0);
        ck_assert_ptr_null(d);
        ck_assert_uint_eq(n, 3);
        ck_assert_uint_eq(ev[0].usec, 0);
        ck_assert_uint_eq(ev[1].usec, 0);
        ck_assert_uint_eq(ev[2].usec, 1500000);
        ck_assert_int_eq(ev[2].value, -2);

        /* an over-long line that is not a comment is an error */
        memset(text, 'E', 2000);
        strcpy(text + 2000, "\n");
        check_parse_error(text, "line 1: line longer than 1023 bytes");
}
END_TEST

START_TEST(test_evemu_restart)
{
        static const char text[] = HEAD "E: 10.000000 0001 001e 1\nE: 10.500000 0000 0000 0\n"
                                   "N: second\nI: 0003 0001 0002 0004\nE: 3.000000 0001 001f 1\n";
        _cleanup_free_ struct collected *c = calloc(1, sizeof(*c));
        _cleanup_free_ char *error = NULL;
        struct vw_evemu_parser *p;

        ck_assert_int_eq(vw_evemu_parser_new(VW_EVEMU_PARSE_RESTART, &p), 0);
        ck_assert_int_eq(vw_evemu_parser_feed(p, text, strlen(text), collect, c, &error), 0);
        ck_assert_uint_eq(c->n, 3);
        ck_assert_uint_eq(c->ev[1].usec, 500000);
        ck_assert_uint_eq(c->ev[2].usec, 0);
        ck_assert_str_eq(vw_evemu_parser_device(p)->name, "second");
        ck_assert_uint_eq(vw_evemu_parser_device(p)->version, 4);

        /* a bad line is skipped, the next ones still parse, the first error is reported */
        c->n = 0;
        ck_assert_int_eq(vw_evemu_parser_feed(p, "E: x\nE: 4.000000 0000 0000 0\nE: y\n", 34, collect, c, &error),
                         -EINVAL);
        ck_assert_str_eq(error, "line 9: expected E: sec.usec type code value");
        ck_assert_uint_eq(c->n, 1);
        ck_assert_uint_eq(c->ev[0].usec, 1000000);
        vw_evemu_parser_free(p);
}
END_TEST

START_TEST(test_evemu_writer)
{
        struct vw_evemu_writer w = { .describe = true };
        char line[VW_EVEMU_LINE_MAX];
        struct vw_input_event ev = { UINT64_MAX - 5, 0x1f, 0xffff, INT32_MIN };

        vw_evemu_writer_event(&w, &(struct vw_input_event){ 7000000, EV_KEY, KEY_A, 1 }, line);
        ck_assert_str_eq(line, "E: 0.000001 0001 001e 0001\t# EV_KEY / KEY_A                1\n");
        vw_evemu_writer_event(&w, &(struct vw_input_event){ 7012000, EV_SYN, SYN_REPORT, 0 }, line);
        ck_assert_str_eq(line, "E: 0.012001 0000 0000 0000\t# ------------ SYN_REPORT (0) ---------- +12ms\n");
        vw_evemu_writer_event(&w, &(struct vw_input_event){ 6000000, EV_SYN, SYN_MT_REPORT, 0 }, line);
        ck_assert_str_eq(line, "E: 0.012001 0000 0002 0000\t# ++++++++++++ SYN_MT_REPORT (0) ++++++++++\n");
        vw_evemu_writer_event(&w, &ev, line);
        ck_assert_uint_lt(strlen(line), VW_EVEMU_LINE_MAX);
        ck_assert(strneq(line, "E: 18446744073702.551611 001f ffff -2147483648\t# ", 47));

        w = (struct vw_evemu_writer){};
        ck_assert_uint_eq(vw_evemu_writer_event(&w, &(struct vw_input_event){ 0, EV_REL, REL_X, -3 }, line), 27);
        ck_assert_str_eq(line, "E: 0.000001 0002 0000 -003\n");
}
END_TEST

/* ---- wire ---- */

START_TEST(test_wire_encode)
{
        static const uint8_t want[] = {
                0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x01, 0x00, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x35, 0x00, 0xff, 0xff, 0xff, 0xff,
        };
        const struct vw_input_event ev[] = {
                { UINT64_C(0x0102030405060708), EV_KEY, KEY_A, 1 },
                { 0, EV_ABS, ABS_MT_POSITION_X, -1 },
        };
        struct vw_input_event back;
        uint8_t out[32];

        vw_input_wire_encode(ev, 2, out);
        ck_assert_int_eq(memcmp(out, want, sizeof(want)), 0);
        vw_input_wire_decode_one(out + 16, &back);
        check_events(&back, 1, &ev[1], 1);
}
END_TEST

START_TEST(test_wire_stream)
{
        struct vw_input_event ev[300], got[300];
        struct vw_input_wire_decoder d = {};
        uint8_t bytes[sizeof(ev)];
        uint64_t seed = 7;
        size_t n_got = 0;

        for (size_t i = 0; i < ELEMENTSOF(ev); i++)
                ev[i] = (struct vw_input_event){ vw_test_rand(&seed), (uint16_t)vw_test_rand(&seed),
                                                 (uint16_t)vw_test_rand(&seed), (int32_t)vw_test_rand(&seed) };
        vw_input_wire_encode(ev, ELEMENTSOF(ev), bytes);
        for (size_t off = 0; off < sizeof(bytes);) {
                const uint8_t *p = bytes + off;
                size_t k = vw_test_range(&seed, 0, 40), len;

                k = MIN(k, sizeof(bytes) - off);
                len = k;

                /* a small output array: the decoder stops and goes on */
                while (len > 0 || k == 0) {
                        n_got += vw_input_wire_decode(&d, &p, &len, got + n_got, 2);
                        if (k == 0)
                                break;
                }
                off += k;
                ck_assert_uint_eq(vw_input_wire_pending(&d), off % 16);
        }
        check_events(got, n_got, ev, ELEMENTSOF(ev));
}
END_TEST

/* ---- converters ---- */

struct sink {
        struct vw_input_event ev[8192];
        size_t n_ev;
        char text[65536];
        size_t n_text;
        size_t chunks, bytes;           /* this call: chunks emitted and ring bytes they take */
        size_t max_chunk_events;
        bool frames;                    /* every EVENTS chunk ends with SYN_REPORT */
        int fail;                       /* make emit fail */
        size_t hangups;                 /* VW_LINE_HANGUP chunks passed on */
};

static int sink_emit(void *ctx, enum vw_chunk_type type, const void *data, size_t len)
{
        struct sink *s = ctx;

        ck_assert_uint_gt(len, 0);
        if (s->fail)
                return s->fail;
        s->chunks++;
        s->bytes += len + 16;
        if (type == VW_CHUNK_EVENTS) {
                const struct vw_input_event *ev = data;
                size_t n = len / sizeof(*ev);

                ck_assert_uint_eq(len % sizeof(*ev), 0);
                ck_assert_uint_le(s->n_ev + n, ELEMENTSOF(s->ev));
                memcpy(s->ev + s->n_ev, ev, len);
                s->n_ev += n;
                s->max_chunk_events = MAX(s->max_chunk_events, n);
                if (ev[n - 1].type != EV_SYN || ev[n - 1].code != SYN_REPORT)
                        s->frames = false;
        } else if (type == VW_CHUNK_LINE) {
                struct vw_line_event le;

                ck_assert_uint_eq(len, sizeof(le));
                memcpy(&le, data, sizeof(le));
                ck_assert_int_eq(le.type, VW_LINE_HANGUP);
                s->hangups++;
        } else {
                ck_assert_int_eq(type, VW_CHUNK_BYTES);
                ck_assert_uint_le(s->n_text + len, sizeof(s->text));
                memcpy(s->text + s->n_text, data, len);
                s->n_text += len;
        }
        return 0;
}

/* One chunk through a converter; checks the expansion bound the router relies on. */
static int convert(struct vw_converter *c, struct sink *s, enum vw_chunk_type type, const void *data, size_t len)
{
        struct vw_chunk in = { .type = type, .len = (uint32_t)len, .data = data };
        int r;

        s->chunks = s->bytes = 0;
        r = c->ops->convert(c->state, &in, sink_emit, s);
        ck_assert_msg(s->bytes <= len * c->ops->expansion, "%s: %zu bytes in, %zu ring bytes out (expansion %zu)",
                      c->ops->name, len, s->bytes, c->ops->expansion);
        return r;
}

/* The same, from the writer with this source tag. */
static int convert_from(struct vw_converter *c, struct sink *s, uint16_t source, enum vw_chunk_type type,
                        const void *data, size_t len)
{
        struct vw_chunk in = { .type = type, .flags = source, .len = (uint32_t)len, .data = data };
        int r;

        s->chunks = s->bytes = 0;
        r = c->ops->convert(c->state, &in, sink_emit, s);
        ck_assert_uint_le(s->bytes, len * c->ops->expansion);
        return r;
}

static struct sink *sink_new(void)
{
        struct sink *s = calloc(1, sizeof(*s));

        s->frames = true;
        return s;
}

START_TEST(test_convert_new)
{
        struct vw_converter c = {};
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL;

        ck_assert_int_eq(vw_converter_new("text-to-keys", NULL, &c, NULL), 0);
        ck_assert_ptr_eq(c.ops, &vw_text_to_keys_ops);
        vw_converter_done(&c);
        ck_assert_ptr_null(c.ops);
        ck_assert_int_eq(vw_converter_new("text-to-keys", "de", &c, NULL), 0);
        vw_converter_done(&c);
        ck_assert_int_eq(vw_converter_new("text-to-keys", "xx", &c, &e1), -ENOENT);
        ck_assert_str_eq(e1, "unknown layout 'xx' (known: us, de, fr, gb)");
        ck_assert_int_eq(vw_converter_new("wire-to-events", "de", &c, &e2), -EINVAL);
        ck_assert_str_eq(e2, "a layout applies only to text-to-keys, not to wire-to-events");
        ck_assert_int_eq(vw_converter_new("morse", NULL, &c, &e3), -ENOENT);
        ck_assert_str_eq(e3, "unknown converter 'morse' (known: text-to-keys, evemu-to-events, events-to-evemu, "
                             "wire-to-events, events-to-wire, ydotool-to-events, slip-encode, slip-decode, "
                             "kiss-encode, kiss-decode, length-encode, length-decode)");
        ck_assert_ptr_null(c.ops);
        for (const char *n = "evemu-to-events\0events-to-evemu\0wire-to-events\0events-to-wire\0"; *n;
             n += strlen(n) + 1) {
                ck_assert_int_eq(vw_converter_new(n, NULL, &c, NULL), 0);
                ck_assert_str_eq(c.ops->name, n);
                vw_converter_done(&c);
        }
}
END_TEST

START_TEST(test_convert_text)
{
        static const char text[] = "Hé\r\nxß€ok";
        const struct vw_keymap *km;
        _cleanup_free_ struct vw_input_event *want = NULL;
        _cleanup_free_ struct sink *s = sink_new();
        struct vw_converter c;
        size_t n_want;

        ck_assert_int_eq(vw_keymap_find("de", &km), 0);
        ck_assert_int_eq(vw_keymap_type(km, text, strlen(text), &want, &n_want, NULL), 0);

        /* byte by byte: characters and \r\n complete across chunks */
        ck_assert_int_eq(vw_converter_new("text-to-keys", "de", &c, NULL), 0);
        for (size_t i = 0; i < strlen(text); i++)
                ck_assert_int_eq(convert(&c, s, VW_CHUNK_BYTES, text + i, 1), 0);
        check_events(s->ev, s->n_ev, want, n_want);
        ck_assert(s->frames);

        /* serial line events are ignored, events are refused */
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_LINE, "\1\0\0\0\0\0\0\0", 8), 0);
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_EVENTS, want, sizeof(*want)), -EINVAL);
        ck_assert_uint_eq(s->n_ev, n_want);
        vw_converter_done(&c);
}
END_TEST

START_TEST(test_convert_text_bad)
{
        _cleanup_free_ struct sink *s = sink_new();
        _cleanup_free_ struct vw_input_event *want = NULL;
        const struct vw_keymap *km;
        struct vw_converter c;
        size_t n_want;

        ck_assert_int_eq(vw_keymap_find("us", &km), 0);
        ck_assert_int_eq(vw_keymap_type(km, "abcd", 4, &want, &n_want, NULL), 0);
        ck_assert_int_eq(vw_converter_new("text-to-keys", "us", &c, NULL), 0);
        /* an untypeable character and invalid UTF-8 are dropped, the rest is typed */
        /* the return is how many characters were dropped: € (3 bytes) is one */
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_BYTES, "a€b", strlen("a€b")), 1);
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_BYTES, "\xe2\x82", 2), 0);  /* pending */
        /* "c" breaks the pending sequence (one), \xff is not UTF-8 (another) */
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_BYTES, "c\xff", 2), 2);
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_DATAGRAM, "d", 1), 0);
        check_events(s->ev, s->n_ev, want, n_want);

        /* an emit error is returned */
        s->fail = -ENOBUFS;
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_BYTES, "e", 1), -ENOBUFS);
        vw_converter_done(&c);
}
END_TEST

START_TEST(test_convert_text_large)
{
        _cleanup_free_ struct sink *s = sink_new();
        _cleanup_free_ char *text = malloc(2000);
        struct vw_converter c;
        size_t n_want = 0;

        /* 500 characters of 8 events (ê: dead key + e), 1000 of 4 */
        for (size_t i = 0; i < 500; i++)
                /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): 1500 bytes, passed with their length */
                memcpy(text + 3 * i, "ê.", 3);
        ck_assert_int_eq(vw_converter_new("text-to-keys", "fr", &c, NULL), 0);
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_BYTES, text, 1500), 0);
        n_want = 500 * 8 + 500 * 6;
        ck_assert_uint_eq(s->n_ev, n_want);
        ck_assert(s->frames);
        ck_assert_uint_le(s->max_chunk_events, VW_CONVERT_CHUNK_EVENTS);
        ck_assert_uint_gt(s->chunks, 1);
        vw_converter_done(&c);
}
END_TEST

START_TEST(test_convert_evemu)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ struct sink *s = sink_new(), *s2 = sink_new();
        struct vw_converter in, out;
        uint64_t seed = 3;
        size_t len;

        text = read_data("combo.evemu", &len);
        ck_assert_int_eq(vw_converter_new("evemu-to-events", NULL, &in, NULL), 0);
        for (size_t i = 0; i < len;) {
                size_t k = vw_test_range(&seed, 1, 64);

                k = MIN(k, len - i);

                ck_assert_int_eq(convert(&in, s, VW_CHUNK_BYTES, text + i, k), 0);
                i += k;
        }
        check_events(s->ev, s->n_ev, combo_events, ELEMENTSOF(combo_events));

        /* a bad line is dropped and reported, the stream goes on */
        s->n_ev = 0;
        ck_assert_int_eq(convert(&in, s, VW_CHUNK_BYTES, "E: 9.000000 0001 001e 1\nE: bad\n", 31), -EINVAL);
        ck_assert_uint_eq(s->n_ev, 1);
        ck_assert_int_eq(convert(&in, s, VW_CHUNK_BYTES, "E: 9.100000 0000 0000 0\n", 24), 0);
        ck_assert_uint_eq(s->n_ev, 2);
        ck_assert_uint_eq(s->ev[1].usec - s->ev[0].usec, 100000);

        /* events -> evemu text -> events: the same, times relative to the first */
        ck_assert_int_eq(vw_converter_new("events-to-evemu", NULL, &out, NULL), 0);
        s->n_ev = 0;
        for (size_t i = 0; i < ELEMENTSOF(combo_events); i += 3) {
                struct vw_input_event ev[3];

                for (size_t j = 0; j < 3 && i + j < ELEMENTSOF(combo_events); j++) {
                        ev[j] = combo_events[i + j];
                        ev[j].usec += 123456789;
                }
                ck_assert_int_eq(convert(&out, s2, VW_CHUNK_EVENTS, ev,
                                         MIN((size_t)3, ELEMENTSOF(combo_events) - i) * sizeof(ev[0])), 0);
        }
        ck_assert(strneq(s2->text, "E: 0.000001 0004 0004 458756\t# EV_MSC / MSC_SCAN", 47));
        vw_converter_done(&in);
        ck_assert_int_eq(vw_converter_new("evemu-to-events", NULL, &in, NULL), 0);
        ck_assert_int_eq(convert(&in, s, VW_CHUNK_BYTES, s2->text, s2->n_text), 0);
        check_events(s->ev, s->n_ev, combo_events, ELEMENTSOF(combo_events));

        /* chunks that are not whole events are refused */
        ck_assert_int_eq(convert(&out, s2, VW_CHUNK_EVENTS, combo_events, 15), -EINVAL);
        ck_assert_int_eq(convert(&out, s2, VW_CHUNK_BYTES, "E: 1", 4), -EINVAL);
        ck_assert_int_eq(convert(&in, s2, VW_CHUNK_EVENTS, combo_events, 16), -EINVAL);
        vw_converter_done(&in);
        vw_converter_done(&out);
}
END_TEST

START_TEST(test_convert_evemu_large)
{
        _cleanup_free_ struct sink *s = sink_new();
        _cleanup_free_ struct vw_input_event *ev = calloc(500, sizeof(*ev));
        struct vw_converter out;

        /* long lines: the longest code name there is, the longest value */
        for (size_t i = 0; i < 500; i++)
                ev[i] = (struct vw_input_event){ i * 1000, EV_KEY, KEY_KBDINPUTASSIST_PREVGROUP, INT32_MIN };
        ck_assert_int_eq(vw_converter_new("events-to-evemu", NULL, &out, NULL), 0);
        ck_assert_int_eq(convert(&out, s, VW_CHUNK_EVENTS, ev, 500 * sizeof(*ev)), 0);
        ck_assert_uint_gt(s->chunks, 1);
        vw_converter_done(&out);
}
END_TEST

START_TEST(test_convert_wire)
{
        _cleanup_free_ struct sink *s = sink_new(), *s2 = sink_new();
        struct vw_input_event ev[600];
        struct vw_converter in, out;
        uint64_t seed = 11;

        for (size_t i = 0; i < ELEMENTSOF(ev); i++)
                ev[i] = (struct vw_input_event){ i, EV_REL, REL_X, (int32_t)i - 300 };
        ck_assert_int_eq(vw_converter_new("events-to-wire", NULL, &out, NULL), 0);
        ck_assert_int_eq(vw_converter_new("wire-to-events", NULL, &in, NULL), 0);
        ck_assert_int_eq(convert(&out, s, VW_CHUNK_EVENTS, ev, sizeof(ev)), 0);
        ck_assert_uint_eq(s->n_text, sizeof(ev));
        ck_assert_uint_eq(s->chunks, 3);
        for (size_t i = 0; i < s->n_text;) {
                size_t k = vw_test_range(&seed, 1, 50);

                k = MIN(k, s->n_text - i);

                ck_assert_int_eq(convert(&in, s2, VW_CHUNK_BYTES, s->text + i, k), 0);
                i += k;
        }
        check_events(s2->ev, s2->n_ev, ev, ELEMENTSOF(ev));
        ck_assert_int_eq(convert(&in, s2, VW_CHUNK_EVENTS, ev, 16), -EINVAL);
        ck_assert_int_eq(convert(&out, s2, VW_CHUNK_EVENTS, ev, 17), -EINVAL);
        s2->n_ev = 0;
        /* half a record of one client is not continued by another's bytes: discarded, counted */
        ck_assert_int_eq(convert_from(&in, s2, 1, VW_CHUNK_BYTES, s->text, 10), 0);
        ck_assert_int_eq(convert_from(&in, s2, 2, VW_CHUNK_BYTES, s->text + 16, 16), 1);
        check_events(s2->ev, s2->n_ev, ev + 1, 1);

        /* a large chunk decodes into chunks of at most VW_CONVERT_CHUNK_EVENTS */
        s2->n_ev = 0;
        s2->max_chunk_events = 0;
        ck_assert_int_eq(convert(&in, s2, VW_CHUNK_BYTES, s->text, s->n_text), 0);
        ck_assert_uint_eq(s2->n_ev, ELEMENTSOF(ev));
        ck_assert_uint_eq(s2->max_chunk_events, VW_CONVERT_CHUNK_EVENTS);
        vw_converter_done(&in);
        vw_converter_done(&out);
}
END_TEST

/* Through a real route: the router reserves `expansion` per byte, so nothing is refused or lost. */
static void route_through(const char *convert, const char *layout, const uint8_t *data, size_t len,
                          struct vw_input_event *got, size_t max, size_t *n_got)
{
        struct vw_route_params params = { .overflow = VW_OVERFLOW_BLOCK, .buffer = 4096 };
        struct vw_router *router;
        struct vw_port *a, *b;
        struct vw_route *route;
        struct vw_sink *sink;
        struct vw_counters cnt;
        struct vw_chunk c;

        ck_assert_int_eq(vw_router_new(NULL, NULL, &router), 0);
        ck_assert_int_eq(vw_port_new(router, "a", NULL, NULL, &a), 0);
        ck_assert_int_eq(vw_port_new(router, "b", NULL, NULL, &b), 0);
        ck_assert_int_eq(vw_sink_new(b, NULL, NULL, &sink), 0);
        ck_assert_int_eq(vw_converter_new(convert, layout, &params.convert[0], NULL), 0);
        ck_assert_int_eq(vw_route_new(router, "r", &params, &a, 1, &b, 1, &route), 0);
        *n_got = 0;
        for (size_t off = 0; off < len;) {
                size_t room = vw_port_room(a);

                if (room > 0) {
                        size_t k = MIN(room, len - off);

                        ck_assert_int_eq(vw_port_write(a, VW_CHUNK_BYTES, data + off, k), 0);
                        off += k;
                }
                /* drain what arrived: a full ring blocks the writer until then */
                while (vw_sink_peek(sink, &c)) {
                        ck_assert_int_eq(c.type, VW_CHUNK_EVENTS);
                        ck_assert_uint_le(*n_got + c.len / sizeof(*got), max);
                        memcpy(got + *n_got, c.data, c.len);
                        *n_got += c.len / sizeof(*got);
                        vw_sink_consume(sink, c.len);
                }
        }
        vw_port_get_counters(a, &cnt);
        ck_assert_uint_eq(cnt.dropped_chunks, 0);
        vw_route_free(route);
        vw_router_free(router);
}

START_TEST(test_convert_route)
{
        _cleanup_free_ struct vw_input_event *got = calloc(20000, sizeof(*got)), *want = NULL;
        _cleanup_free_ uint8_t *wire = malloc(2000 * VW_INPUT_WIRE_SIZE);
        _cleanup_free_ char *text = malloc(4000);
        const struct vw_keymap *km;
        size_t n_got, n_want, len = 0;

        /* text with characters of 4 to 10 events, split anywhere by the room the route gives */
        while (len < 3900)
                len = (size_t)(stpcpy(text + len, "Grüße, `ê` & 42 € !\n") - text);
        ck_assert_int_eq(vw_keymap_find("de", &km), 0);
        ck_assert_int_eq(vw_keymap_type(km, text, len, &want, &n_want, NULL), 0);
        route_through("text-to-keys", "de", (const uint8_t *)text, len, got, 20000, &n_got);
        check_events(got, n_got, want, n_want);

        free(want);
        want = calloc(2000, sizeof(*want));
        for (size_t i = 0; i < 2000; i++)
                want[i] = (struct vw_input_event){ i * 7, EV_ABS, ABS_X, (int32_t)i };
        vw_input_wire_encode(want, 2000, wire);
        route_through("wire-to-events", NULL, wire, 2000 * VW_INPUT_WIRE_SIZE, got, 20000, &n_got);
        check_events(got, n_got, want, 2000);
}
END_TEST

/* ydotool's client records (8 bytes, host order) in pieces; a client's hangup passes on. */
START_TEST(test_convert_ydotool)
{
        _cleanup_free_ struct sink *s = sink_new();
        static const struct vw_input_event want[] = {
                { 0, EV_KEY, KEY_LEFTCTRL, 1 }, { 0, EV_SYN, SYN_REPORT, 0 }, { 0, EV_KEY, KEY_A, 1 },
                { 0, EV_SYN, SYN_REPORT, 0 },   { 0, EV_REL, REL_X, -5 },     { 0, EV_SYN, SYN_REPORT, 0 },
        };
        const struct vw_line_event hup = { .type = VW_LINE_HANGUP }, brk = { .type = VW_LINE_BREAK };
        uint8_t rec[ELEMENTSOF(want) * VW_YDOTOOL_RECORD_SIZE];
        struct vw_converter c;
        uint64_t seed = 5;

        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                uint16_t t = want[i].type, k = want[i].code;
                int32_t v = want[i].value;

                memcpy(rec + i * 8, &t, 2);
                memcpy(rec + i * 8 + 2, &k, 2);
                memcpy(rec + i * 8 + 4, &v, 4);
        }
        ck_assert_int_eq(vw_converter_new("ydotool-to-events", NULL, &c, NULL), 0);
        for (size_t i = 0; i < sizeof(rec);) {
                size_t k = MIN((size_t)vw_test_range(&seed, 1, 11), sizeof(rec) - i);

                ck_assert_int_eq(convert_from(&c, s, 3, VW_CHUNK_BYTES, rec + i, k), 0);
                i += k;
        }
        check_events(s->ev, s->n_ev, want, ELEMENTSOF(want));
        /* a break means nothing here; a hangup goes on; a hangup with half a record of its client drops it */
        ck_assert_int_eq(convert_from(&c, s, 3, VW_CHUNK_LINE, &brk, sizeof(brk)), 0);
        ck_assert_uint_eq(s->hangups, 0);
        ck_assert_int_eq(convert_from(&c, s, 3, VW_CHUNK_BYTES, rec, 5), 0);
        ck_assert_int_eq(convert_from(&c, s, 4, VW_CHUNK_LINE, &hup, sizeof(hup)), 0); /* another client's */
        ck_assert_uint_eq(s->hangups, 1);
        ck_assert_int_eq(convert_from(&c, s, 3, VW_CHUNK_LINE, &hup, sizeof(hup)), 1);
        ck_assert_uint_eq(s->hangups, 2);
        ck_assert_int_eq(convert_from(&c, s, 5, VW_CHUNK_BYTES, rec + 16, 8), 0);
        ck_assert_uint_eq(s->n_ev, ELEMENTSOF(want) + 1);
        ck_assert_int_eq(s->ev[s->n_ev - 1].code, KEY_A);
        ck_assert_int_eq(convert(&c, s, VW_CHUNK_EVENTS, want, sizeof(want[0])), -EINVAL);
        vw_converter_done(&c);
}
END_TEST

/* Issue 14: "xy ñ z\n" typed with de: ñ alone is dropped, and counted on the route (1), not the
 * writer's 8 bytes as dropped. */
START_TEST(test_convert_route_counts_drops)
{
        struct vw_route_params params = { .overflow = VW_OVERFLOW_BLOCK, .buffer = 4096 };
        static const char text[] = "xy \xc3\xb1 z\n";
        struct vw_router *router;
        struct vw_port *a, *b;
        struct vw_route *route;
        struct vw_sink *sink;
        struct vw_counters cnt;
        struct vw_ring_stats st;
        struct vw_chunk c;
        size_t n = 0;

        ck_assert_int_eq(vw_router_new(NULL, NULL, &router), 0);
        ck_assert_int_eq(vw_port_new(router, "a", NULL, NULL, &a), 0);
        ck_assert_int_eq(vw_port_new(router, "b", NULL, NULL, &b), 0);
        ck_assert_int_eq(vw_sink_new(b, NULL, NULL, &sink), 0);
        ck_assert_int_eq(vw_converter_new("text-to-keys", "de", &params.convert[0], NULL), 0);
        ck_assert_int_eq(vw_route_new(router, "r", &params, &a, 1, &b, 1, &route), 0);
        ck_assert_int_eq(vw_port_write(a, VW_CHUNK_BYTES, text, sizeof(text) - 1), 0);
        while (vw_sink_peek(sink, &c)) {
                n += c.len / sizeof(struct vw_input_event);
                vw_sink_consume(sink, c.len);
        }
        /* x y space space z Enter: 6 keys, a press frame and a release frame each */
        ck_assert_uint_eq(n, 6 * 4);
        ck_assert_int_eq(vw_route_get_stats(route, false, &st), 0);
        ck_assert_uint_eq(st.convert_dropped, 1);
        vw_port_get_counters(a, &cnt);
        ck_assert_uint_eq(cnt.dropped_bytes, 0);
        ck_assert_uint_eq(cnt.dropped_chunks, 0);
        /* a chunk the converter refuses whole: counted once on the route, and on the writer */
        ck_assert_int_eq(vw_port_write(a, VW_CHUNK_EVENTS, text, 8), 0);
        ck_assert_int_eq(vw_route_get_stats(route, false, &st), 0);
        ck_assert_uint_eq(st.convert_dropped, 2);
        vw_port_get_counters(a, &cnt);
        ck_assert_uint_eq(cnt.dropped_chunks, 1);
        vw_route_free(route);
        vw_router_free(router);
}
END_TEST

/* Garbage in: errors, never a crash or an overrun (run under the sanitizer build). */
START_TEST(test_garbage)
{
        static const char alphabet[] = "ENIPBALS: 0123456789abcdefx.-+#\t\r\n\n\n\xc3\xa9\xff";
        _cleanup_free_ struct sink *s = sink_new();
        uint64_t seed = 99;
        uint8_t buf[512];

        for (int round = 0; round < 300; round++) {
                struct vw_converter c[3];
                size_t len = vw_test_range(&seed, 1, sizeof(buf));

                for (size_t i = 0; i < len; i++)
                        buf[i] = round % 3 ? (uint8_t)alphabet[vw_test_range(&seed, 0, sizeof(alphabet) - 2)]
                                           : (uint8_t)vw_test_rand(&seed);
                ck_assert_int_eq(vw_converter_new("evemu-to-events", NULL, &c[0], NULL), 0);
                ck_assert_int_eq(vw_converter_new("text-to-keys", round % 2 ? "fr" : "de", &c[1], NULL), 0);
                ck_assert_int_eq(vw_converter_new("wire-to-events", NULL, &c[2], NULL), 0);
                for (size_t k = 0; k < 3; k++) {
                        for (size_t off = 0; off < len;) {
                                size_t n = vw_test_range(&seed, 1, 64);

                                n = MIN(n, len - off);
                                s->n_ev = s->n_text = 0;
                                (void)convert(&c[k], s, VW_CHUNK_BYTES, buf + off, n);
                                off += n;
                        }
                        vw_converter_done(&c[k]);
                }
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("input-codec");
        TCase *tc;

        tc = vw_test_case(s, "evemu");
        tcase_add_test(tc, test_evemu_parse_sample);
        tcase_add_test(tc, test_evemu_round_trip);
        tcase_add_test(tc, test_evemu_incremental);
        tcase_add_test(tc, test_evemu_errors);
        tcase_add_test(tc, test_evemu_lenient);
        tcase_add_test(tc, test_evemu_restart);
        tcase_add_test(tc, test_evemu_writer);
        tc = vw_test_case(s, "wire");
        tcase_add_test(tc, test_wire_encode);
        tcase_add_test(tc, test_wire_stream);
        tc = vw_test_case(s, "convert");
        tcase_add_test(tc, test_convert_new);
        tcase_add_test(tc, test_convert_text);
        tcase_add_test(tc, test_convert_text_bad);
        tcase_add_test(tc, test_convert_text_large);
        tcase_add_test(tc, test_convert_evemu);
        tcase_add_test(tc, test_convert_evemu_large);
        tcase_add_test(tc, test_convert_wire);
        tcase_add_test(tc, test_convert_route);
        tcase_add_test(tc, test_convert_ydotool);
        tcase_add_test(tc, test_convert_route_counts_drops);
        tcase_add_test(tc, test_garbage);
        return vw_test_run(s);
}
