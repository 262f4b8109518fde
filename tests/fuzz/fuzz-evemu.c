/* SPDX-License-Identifier: MIT */
/*
 * codecs/evemu.c: evemu-record text from files, clients (io.vwire.Play) and routes
 * (convert=evemu-to-events). The first byte says how to split the rest between feeds and
 * whether the writer adds its comments.
 * Invariants: splitting the text differently changes neither the events nor whether there was
 * an error; event times never go backwards; a recording that parses, written out again by the
 * writer, parses to the same description and the same events.
 */
#include <errno.h>
#include <stdbool.h>

#include "evemu.h"
#include "fuzz.h"
#include "macro.h"

struct collected {
        struct vw_input_event *ev;
        size_t n, allocated;
};

static int collect(void *userdata, const struct vw_input_event *ev)
{
        struct collected *c = userdata;

        if (c->n == c->allocated) {
                c->allocated = MAX(c->allocated * 2, (size_t)64);
                c->ev = realloc(c->ev, c->allocated * sizeof(*c->ev));
                FUZZ_CHECK(c->ev);
        }
        FUZZ_CHECK(c->n == 0 || ev->usec >= c->ev[c->n - 1].usec || ev->usec == 0);
        c->ev[c->n++] = *ev;
        return 0;
}

/* Feed text in pieces of `step` bytes (0: at once); returns whether any line was bad. */
static bool feed(unsigned flags, const uint8_t *text, size_t len, size_t step, struct collected *out)
{
        struct vw_evemu_parser *p = NULL;
        bool failed = false;
        char *error = NULL;
        int r;

        FUZZ_CHECK(vw_evemu_parser_new(flags, &p) == 0);
        for (size_t off = 0; off < len;) {
                size_t n = step ? MIN(step, len - off) : len;

                r = vw_evemu_parser_feed(p, text + off, n, collect, out, &error);
                FUZZ_CHECK(r == 0 || r == -EINVAL);
                FUZZ_CHECK((r < 0) == !!error);
                failed |= r < 0;
                free(error);
                error = NULL;
                off += n;
        }
        r = vw_evemu_parser_finish(p, collect, out, &error);
        FUZZ_CHECK(r == 0 || r == -EINVAL);
        FUZZ_CHECK((r < 0) == !!error);
        failed |= r < 0;
        free(error);
        vw_evemu_parser_free(p);
        return failed;
}

static void check_same_events(const struct vw_input_event *a, size_t na, const struct vw_input_event *b,
                              size_t nb)
{
        FUZZ_CHECK(na == nb);
        for (size_t i = 0; i < na; i++)
                FUZZ_CHECK(a[i].usec == b[i].usec && a[i].type == b[i].type && a[i].code == b[i].code &&
                           a[i].value == b[i].value);
}

static void round_trip(const struct vw_evemu_device *d, const struct vw_input_event *ev, size_t n, bool describe)
{
        struct vw_evemu_device *d2 = NULL;
        struct vw_input_event *ev2 = NULL;
        char *text = NULL, *error = NULL;
        size_t len = 0, n2 = 0;
        int r;

        r = vw_evemu_format(d, ev, n, describe, &text, &len);
        if (r == -EINVAL) {
                /* only a name the format cannot carry */
                FUZZ_CHECK(d && (d->name[0] == '\0' || strpbrk(d->name, "\r\n")));
                return;
        }
        FUZZ_CHECK(r == 0);
        FUZZ_CHECK(strlen(text) == len);
        r = vw_evemu_parse(text, len, &d2, &ev2, &n2, &error);
        if (r < 0)
                fprintf(stderr, "the writer's text does not parse: %s\n%s", error ? error : "", text);
        FUZZ_CHECK(r == 0);
        FUZZ_CHECK(!d == !d2);
        if (d)
                FUZZ_CHECK(memcmp(d, d2, sizeof(*d)) == 0);
        check_same_events(ev, n, ev2, n2);
        free(d2);
        free(ev2);
        free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t mode = fuzz_take_byte(&data, &size);
        size_t step = mode & 0x3f;
        bool describe = mode & 0x40;
        struct collected whole = {}, split = {};
        bool whole_failed, split_failed;
        struct vw_evemu_device *d = NULL;
        struct vw_input_event *ev = NULL;
        char *error = NULL;
        size_t n = 0;
        int r;

        /* the same text at once and in pieces: same events, same verdict */
        whole_failed = feed(mode & 0x80 ? VW_EVEMU_PARSE_RESTART : 0, data, size, 0, &whole);
        split_failed = feed(mode & 0x80 ? VW_EVEMU_PARSE_RESTART : 0, data, size, step, &split);
        FUZZ_CHECK(whole_failed == split_failed);
        check_same_events(whole.ev, whole.n, split.ev, split.n);
        free(whole.ev);
        free(split.ev);

        r = vw_evemu_parse((const char *)data, size, &d, &ev, &n, &error);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL && error);
                FUZZ_CHECK(!d && !ev);
                free(error);
                return 0;
        }
        FUZZ_CHECK(!error);
        FUZZ_CHECK(n == 0 || ev[0].usec == 0);
        if (d) {
                FUZZ_CHECK(d->name[0] && strnlen(d->name, sizeof(d->name)) < sizeof(d->name));
                FUZZ_CHECK(vw_evemu_has_type(d, EV_SYN));
        }
        round_trip(d, ev, n, describe);
        free(d);
        free(ev);
        return 0;
}
