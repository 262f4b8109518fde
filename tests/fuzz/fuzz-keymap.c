/* SPDX-License-Identifier: MIT */
/*
 * codecs/keymap.c: text typed through every layout (io.vwire.Type, route convert=text-to-keys)
 * and key combinations by name (io.vwire.Key). The whole input is tried as text on every layout
 * and as a combination.
 * Invariants: typed text is whole strokes (every key pressed is released, every frame ends in
 * SYN_REPORT, only EV_KEY/EV_SYN, usec 0); an error comes with a message and no events; the
 * text-to-keys converter types exactly the same events, however the text is split into chunks;
 * a combination presses n distinct keys and releases them in reverse order.
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdbool.h>

#include "fuzz.h"
#include "input-convert.h"
#include "keymap.h"
#include "macro.h"

struct collected {
        struct vw_input_event *ev;
        size_t n, allocated;
};

static int collect(void *ctx, enum vw_chunk_type type, const void *data, size_t len)
{
        struct collected *c = ctx;
        size_t k = len / sizeof(struct vw_input_event);

        FUZZ_CHECK(type == VW_CHUNK_EVENTS);
        FUZZ_CHECK(len % sizeof(struct vw_input_event) == 0);
        FUZZ_CHECK(k > 0 && k <= VW_CONVERT_CHUNK_EVENTS);
        /* text-to-keys emits whole frames */
        FUZZ_CHECK(((const struct vw_input_event *)data)[k - 1].type == EV_SYN);
        if (c->n + k > c->allocated) {
                c->allocated = MAX(c->allocated * 2, c->n + k);
                c->ev = realloc(c->ev, c->allocated * sizeof(*c->ev));
                FUZZ_CHECK(c->ev);
        }
        memcpy(c->ev + c->n, data, len);
        c->n += k;
        return 0;
}

/* Whole strokes: balanced presses, SYN_REPORT at frame ends, nothing held at the end. */
static void check_strokes(const struct vw_input_event *ev, size_t n)
{
        unsigned char down[KEY_CNT] = {};
        size_t held = 0;

        FUZZ_CHECK(n == 0 || ev[n - 1].type == EV_SYN);
        for (size_t i = 0; i < n; i++) {
                FUZZ_CHECK(ev[i].usec == 0);
                if (ev[i].type == EV_SYN) {
                        FUZZ_CHECK(ev[i].code == SYN_REPORT && ev[i].value == 0);
                        continue;
                }
                FUZZ_CHECK(ev[i].type == EV_KEY && ev[i].code < KEY_CNT);
                if (ev[i].value == 1) {
                        FUZZ_CHECK(!down[ev[i].code]);
                        down[ev[i].code] = 1;
                        held++;
                } else {
                        FUZZ_CHECK(ev[i].value == 0 && down[ev[i].code]);
                        down[ev[i].code] = 0;
                        held--;
                }
        }
        FUZZ_CHECK(held == 0);
}

static void check_same(const struct vw_input_event *a, size_t na, const struct vw_input_event *b, size_t nb)
{
        FUZZ_CHECK(na == nb);
        for (size_t i = 0; i < na; i++)
                FUZZ_CHECK(a[i].type == b[i].type && a[i].code == b[i].code && a[i].value == b[i].value &&
                           a[i].usec == b[i].usec);
}

/* The converter on the same text, in chunks of `step` bytes (0: one chunk). */
static int convert(const char *layout, const uint8_t *text, size_t len, size_t step, struct collected *out)
{
        struct vw_converter c;
        int result = 0;

        FUZZ_CHECK(vw_converter_new("text-to-keys", layout, &c, NULL) == 0);
        for (size_t off = 0; off < len || (off == 0 && len == 0);) {
                size_t n = step ? MIN(step, len - off) : len;
                struct vw_chunk in = { .type = VW_CHUNK_BYTES, .len = (uint32_t)n, .data = text + off };
                int r = c.ops->convert(c.state, &in, collect, out);

                FUZZ_CHECK(r >= 0 && (size_t)r <= n + 1); /* characters dropped: at most a byte each, + a held one */
                if (r > 0)
                        result = -EILSEQ;
                off += n;
                if (n == 0)
                        break;
        }
        vw_converter_done(&c);
        return result;
}

static void type_text(const struct vw_keymap *km, const uint8_t *data, size_t size)
{
        struct vw_input_event *ev = (struct vw_input_event *)(uintptr_t)1;
        size_t n = 12345;
        char *error = NULL;
        int r;

        r = vw_keymap_type(km, (const char *)data, size, &ev, &n, &error);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -EILSEQ);
                FUZZ_CHECK(error && error[0]);
                /* nothing returned: no half-typed output */
                FUZZ_CHECK(ev == (struct vw_input_event *)(uintptr_t)1 && n == 12345);
                free(error);
                return;
        }
        FUZZ_CHECK(!error);
        FUZZ_CHECK((n == 0) == (ev == NULL));
        check_strokes(ev, n);

        /* the route converter types the same, in one chunk and split at every byte or every 3 */
        for (size_t step = 0; step <= 3; step += step ? 2 : 1) {
                struct collected got = {};

                FUZZ_CHECK(convert(vw_keymap_name(km), data, size, step, &got) == 0);
                check_same(ev, n, got.ev, got.n);
                free(got.ev);
        }
        free(ev);
}

static void combo(const uint8_t *data, size_t size)
{
        char *spec = fuzz_strndup(data, size);
        struct vw_input_event *ev = NULL;
        char *error = NULL;
        size_t n = 0, keys;
        int r;

        r = vw_keys_parse_combo(spec, &ev, &n, &error);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL && error && error[0]);
                FUZZ_CHECK(!ev);
                free(error);
                free(spec);
                return;
        }
        FUZZ_CHECK(!error);
        FUZZ_CHECK(n >= 4 && n % 2 == 0);
        keys = n / 2 - 1;
        FUZZ_CHECK(keys >= 1 && keys <= VW_COMBO_MAX_KEYS);
        FUZZ_CHECK(ev[keys].type == EV_SYN && ev[n - 1].type == EV_SYN);
        for (size_t i = 0; i < keys; i++) {
                FUZZ_CHECK(ev[i].type == EV_KEY && ev[i].value == 1);
                /* released in reverse order */
                FUZZ_CHECK(ev[n - 2 - i].type == EV_KEY && ev[n - 2 - i].code == ev[i].code &&
                           ev[n - 2 - i].value == 0);
        }
        check_strokes(ev, n);
        free(ev);
        free(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint32_t cp;

        for (size_t i = 0; vw_keymap_table[i]; i++)
                type_text(vw_keymap_table[i], data, size);
        combo(data, size);

        /* UTF-8 decoding: a length within the input, a code point a character can have */
        if (size > 0) {
                int k = vw_utf8_decode(data, size, &cp);

                FUZZ_CHECK(k == -EILSEQ || (k >= 0 && k <= 4 && (size_t)k <= size));
                if (k > 0)
                        FUZZ_CHECK(cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff));
        }
        return 0;
}
