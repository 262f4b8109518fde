/* SPDX-License-Identifier: MIT */
/* evemu text recordings: an incremental line parser and a writer (format in evemu.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libevdev/libevdev.h>

#include "evemu.h"
#include "macro.h"

#define PARSER_LINE_MAX 1024

/* Description lines in the order they must come. */
enum stage { STAGE_NONE, STAGE_N, STAGE_I, STAGE_P, STAGE_B, STAGE_A, STAGE_L, STAGE_S };

struct vw_evemu_parser {
        unsigned flags;
        unsigned line;          /* number of the line being read, from 1 */
        char buf[PARSER_LINE_MAX];
        size_t len;
        bool overlong;          /* the line did not fit: skipping to its end */
        struct vw_evemu_device *dev;
        enum stage stage;
        uint8_t rows[EV_CNT];   /* B: lines seen per type */
        unsigned prop_rows;
        bool in_events;
        bool have_first;
        uint64_t first, prev;
        char *error;            /* first error of the current feed */
};

void vw_evemu_device_init(struct vw_evemu_device *d)
{
        memset(d, 0, sizeof(*d));
        d->bits[EV_SYN][0] = 0x0b;
}

bool vw_evemu_has_type(const struct vw_evemu_device *d, unsigned type)
{
        if (type == EV_SYN)
                return true;
        if (type >= EV_CNT)
                return false;
        for (size_t i = 0; i < VW_EVEMU_BITS_BYTES; i++)
                if (d->bits[type][i])
                        return true;
        return false;
}

bool vw_evemu_has_code(const struct vw_evemu_device *d, unsigned type, unsigned code)
{
        return type < EV_CNT && code < VW_EVEMU_BITS_BYTES * 8 && vw_bit_test(d->bits[type], code);
}

static int type_max(unsigned type)
{
        return type < EV_CNT ? libevdev_event_type_get_max(type) : -1;
}

int vw_evemu_set_code(struct vw_evemu_device *d, unsigned type, unsigned code)
{
        if (type >= EV_CNT || (int)code > type_max(type))
                return -EINVAL;
        vw_bit_set(d->bits[type], code);
        return 0;
}

int vw_evemu_parser_new(unsigned flags, struct vw_evemu_parser **ret)
{
        struct vw_evemu_parser *p = calloc(1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        p->flags = flags;
        p->line = 1;
        *ret = p;
        return 0;
}

void vw_evemu_parser_free(struct vw_evemu_parser *p)
{
        if (!p)
                return;
        free(p->dev);
        free(p->error);
        free(p);
}

const struct vw_evemu_device *vw_evemu_parser_device(const struct vw_evemu_parser *p) { return p->dev; }
unsigned vw_evemu_parser_line(const struct vw_evemu_parser *p) { return p->line; }

static int bad(struct vw_evemu_parser *p, const char *fmt, ...) _printf_(2, 3);
static int bad(struct vw_evemu_parser *p, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        if (p->error)
                return -EINVAL;
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0 || asprintf(&p->error, "line %u: %s", p->line, msg) < 0)
                p->error = NULL;
        return -EINVAL;
}

static const char *skip_blank(const char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        return s;
}

/* End of the fields: nothing left but blanks and maybe a comment. */
static bool at_end(const char *s)
{
        s = skip_blank(s);
        return *s == '\0' || *s == '#';
}

/* A hex number of 1..max_digits digits, then a blank or the end. */
static bool parse_hex(const char **s, unsigned max_digits, uint32_t *ret)
{
        const char *q = skip_blank(*s);
        uint32_t v = 0;
        unsigned n = 0;

        for (; n < max_digits + 1; n++, q++) {
                unsigned d;

                if (*q >= '0' && *q <= '9')
                        d = (unsigned)(*q - '0');
                else if (*q >= 'a' && *q <= 'f')
                        d = (unsigned)(*q - 'a' + 10);
                else if (*q >= 'A' && *q <= 'F')
                        d = (unsigned)(*q - 'A' + 10);
                else
                        break;
                v = v * 16 + d;
        }
        if (n == 0 || n > max_digits || (*q && *q != ' ' && *q != '\t' && *q != '#'))
                return false;
        *s = q;
        *ret = v;
        return true;
}

/* A decimal int32 with an optional sign, then a blank or the end. */
static bool parse_int(const char **s, int32_t *ret)
{
        const char *q = skip_blank(*s);
        bool neg = false;
        int64_t v = 0;
        unsigned n = 0;

        if (*q == '-' || *q == '+')
                neg = *q++ == '-';
        for (; *q >= '0' && *q <= '9'; q++, n++) {
                v = v * 10 + (*q - '0');
                if (v > (int64_t)INT32_MAX + 1)
                        return false;
        }
        if (neg)
                v = -v;
        if (n == 0 || v > INT32_MAX || v < INT32_MIN || (*q && *q != ' ' && *q != '\t' && *q != '#'))
                return false;
        *s = q;
        *ret = (int32_t)v;
        return true;
}

static const char *stage_names[] = { "", "N:", "I:", "P:", "B:", "A:", "L:", "S:" };

/* A description line of kind `stage`: in order, after N: and I:, and not among the events. */
static int check_order(struct vw_evemu_parser *p, enum stage stage)
{
        if (p->in_events)
                return bad(p, "%s line among the events (the description comes first)", stage_names[stage]);
        if (p->stage == STAGE_NONE || (stage > STAGE_I && p->stage < STAGE_I))
                return bad(p, "%s line before the %s line", stage_names[stage],
                           p->stage == STAGE_NONE ? "N:" : "I:");
        if (stage < p->stage || (stage == STAGE_I && p->stage == STAGE_I))
                return bad(p, "%s line after %s (the order is N: I: P: B: A: L: S:)", stage_names[stage],
                           stage_names[p->stage]);
        p->stage = stage;
        return 0;
}

static int parse_name(struct vw_evemu_parser *p, const char *s)
{
        size_t n;

        if (p->dev && !p->in_events)
                return bad(p, "a second N: line");
        /* after events (with or without a description before them) a description starts a new
         * recording, which only a restarting reader takes */
        if (p->in_events && !(p->flags & VW_EVEMU_PARSE_RESTART))
                return bad(p, "a %sdevice description after events (one recording per file)",
                           p->dev ? "second " : "");
        s = skip_blank(s);
        n = strlen(s);
        if (n == 0)
                return bad(p, "empty device name");
        if (n >= UINPUT_MAX_NAME_SIZE)
                return bad(p, "device name longer than %d bytes", UINPUT_MAX_NAME_SIZE - 1);
        if (!p->dev) {
                p->dev = malloc(sizeof(*p->dev));
                if (!p->dev)
                        return -ENOMEM;
        }
        /* a new recording: new description, times start again */
        vw_evemu_device_init(p->dev);
        p->dev->bits[EV_SYN][0] = 0;
        memcpy(p->dev->name, s, n + 1);
        memset(p->rows, 0, sizeof(p->rows));
        p->prop_rows = 0;
        p->stage = STAGE_N;
        p->in_events = false;
        p->have_first = false;
        return 0;
}

static int parse_id(struct vw_evemu_parser *p, const char *s)
{
        uint32_t v[4];

        if (check_order(p, STAGE_I) < 0)
                return -EINVAL;
        for (size_t i = 0; i < 4; i++)
                if (!parse_hex(&s, 4, &v[i]))
                        return bad(p, "expected I: bus vendor product version (4 hex numbers)");
        if (!at_end(s))
                return bad(p, "unexpected text after I: bus vendor product version");
        p->dev->bustype = (uint16_t)v[0];
        p->dev->vendor = (uint16_t)v[1];
        p->dev->product = (uint16_t)v[2];
        p->dev->version = (uint16_t)v[3];
        return 0;
}

/* Up to 8 hex bytes continuing a bitmap at byte offset `at` of one of `size` bytes. */
static int parse_bitmap_row(struct vw_evemu_parser *p, const char *s, uint8_t *bitmap, size_t size, size_t at,
                            const char *what)
{
        uint32_t b;
        size_t i;

        for (i = 0; i < 8 && !at_end(s); i++) {
                if (!parse_hex(&s, 2, &b))
                        return bad(p, "expected hex bytes in the %s bitmap", what);
                if (at + i < size)
                        bitmap[at + i] = (uint8_t)b;
                else if (b != 0)
                        return bad(p, "%s bitmap longer than %zu bytes", what, size);
        }
        if (i == 0 || !at_end(s))
                return bad(p, "expected 1 to 8 hex bytes of the %s bitmap", what);
        return 0;
}

static int parse_props(struct vw_evemu_parser *p, const char *s)
{
        if (check_order(p, STAGE_P) < 0)
                return -EINVAL;
        return parse_bitmap_row(p, s, p->dev->props, sizeof(p->dev->props), 8 * p->prop_rows++, "property");
}

static int parse_bits(struct vw_evemu_parser *p, const char *s)
{
        uint8_t row[8] = {};
        uint32_t type;
        size_t at;
        int max;

        if (check_order(p, STAGE_B) < 0)
                return -EINVAL;
        if (!parse_hex(&s, 2, &type) || type > EV_MAX)
                return bad(p, "expected B: with an event type (hex, at most %02x)", EV_MAX);
        if (parse_bitmap_row(p, s, row, sizeof(row), 0, "event code") < 0)
                return -EINVAL;
        at = 8 * (size_t)p->rows[type];
        if (p->rows[type] < UINT8_MAX)
                p->rows[type]++;
        max = type_max(type);
        for (unsigned bit = 0; bit < 64; bit++) {
                unsigned code = (unsigned)at * 8 + bit;

                if (!vw_bit_test(row, bit))
                        continue;
                if (type != EV_SYN && (int)code > max) {
                        const char *t = libevdev_event_type_get_name(type);
                        return bad(p, "B: code 0x%x is beyond the last %s code", code,
                                   t ? t : "(unknown type)");
                }
                if (type == EV_SYN && code > SYN_MAX)
                        return bad(p, "B: code 0x%x is beyond the last EV_SYN code", code);
                vw_bit_set(p->dev->bits[type], code);
        }
        return 0;
}

static int parse_abs(struct vw_evemu_parser *p, const char *s)
{
        int32_t v[5] = {};
        uint32_t code;
        size_t n = 0;

        if (check_order(p, STAGE_A) < 0)
                return -EINVAL;
        if (!parse_hex(&s, 2, &code) || code > ABS_MAX)
                return bad(p, "expected A: with an axis (hex, at most %02x)", ABS_MAX);
        while (n < 5 && !at_end(s))
                if (!parse_int(&s, &v[n++]))
                        return bad(p, "expected A: axis min max fuzz flat [resolution] (decimal numbers)");
        if (n < 4 || !at_end(s))
                return bad(p, "expected A: axis min max fuzz flat [resolution]: 4 or 5 numbers");
        if (!vw_bit_test(p->dev->bits[EV_ABS], code))
                return bad(p, "A: for axis 0x%02x (%s) that no B: 03 line enables", code,
                           libevdev_event_code_get_name(EV_ABS, code) ?: "unknown");
        p->dev->abs[code] = (struct input_absinfo){
                .minimum = v[0], .maximum = v[1], .fuzz = v[2], .flat = v[3], .resolution = v[4],
        };
        return 0;
}

static int parse_state(struct vw_evemu_parser *p, const char *s, bool led)
{
        unsigned type = led ? EV_LED : EV_SW, max = led ? LED_MAX : SW_MAX;
        uint32_t code;
        int32_t state;

        if (check_order(p, led ? STAGE_L : STAGE_S) < 0)
                return -EINVAL;
        if (!parse_hex(&s, 2, &code) || code > max || !parse_int(&s, &state) || !at_end(s))
                return bad(p, "expected %s code (hex) state", led ? "L:" : "S:");
        if (!vw_bit_test(p->dev->bits[type], code))
                return bad(p, "%s for code 0x%02x that no B: line enables", led ? "L:" : "S:", code);
        if (state)
                vw_bit_set(led ? p->dev->led_on : p->dev->sw_on, code);
        return 0;
}

static int parse_event(struct vw_evemu_parser *p, const char *s, vw_evemu_event_fn event, void *userdata)
{
        struct vw_input_event ev;
        uint64_t sec = 0, t;
        uint32_t usec = 0, type, code;
        int32_t value;
        int max;

        if (p->dev && p->stage < STAGE_I)
                return bad(p, "event before the I: line of the description");
        s = skip_blank(s);
        if (*s < '0' || *s > '9')
                return bad(p, "expected E: sec.usec type code value");
        for (; *s >= '0' && *s <= '9'; s++) {
                if (sec > (UINT64_MAX / 1000000 - 1) / 10)
                        return bad(p, "event time too large");
                sec = sec * 10 + (uint64_t)(*s - '0');
        }
        if (*s != '.')
                return bad(p, "expected E: sec.usec with a '.' and 6 digits of microseconds");
        s++;
        for (int i = 0; i < 6; i++, s++) {
                if (*s < '0' || *s > '9')
                        return bad(p, "expected 6 digits of microseconds in E: sec.usec");
                usec = usec * 10 + (uint32_t)(*s - '0');
        }
        if (*s != ' ' && *s != '\t')
                return bad(p, "expected 6 digits of microseconds in E: sec.usec");
        if (!parse_hex(&s, 4, &type) || !parse_hex(&s, 4, &code) || !parse_int(&s, &value))
                return bad(p, "expected E: sec.usec type code (hex) value (decimal)");
        if (!at_end(s))
                return bad(p, "unexpected text after E: sec.usec type code value");
        if (type > EV_MAX)
                return bad(p, "unknown event type 0x%04x", type);
        max = type_max(type);
        if (max >= 0 && (int)code > max)
                return bad(p, "event code 0x%04x is beyond the last %s code", code,
                           libevdev_event_type_get_name(type));

        /* The digit loop bounds sec only roughly: sec * 10^6 + usec must fit in 64 bits */
        if (sec > (UINT64_MAX - usec) / 1000000)
                return bad(p, "event time too large");
        t = sec * 1000000 + usec;
        if (!p->have_first) {
                p->have_first = true;
                p->first = p->prev = t;
        }
        if (t < p->prev)
                t = p->prev;
        /* the writer starts a recording at 1 us: a span of 2^64 - 1 us could not be written back */
        if (t - p->first == UINT64_MAX)
                return bad(p, "event time too large");
        p->prev = t;
        p->in_events = true;
        ev = (struct vw_input_event){ .usec = t - p->first, .type = (uint16_t)type, .code = (uint16_t)code,
                                      .value = value };
        return event ? event(userdata, &ev) : 0;
}

/* One complete line, without its newline: 0, -EINVAL (recorded in p->error), or the callback's error. */
static int parse_line(struct vw_evemu_parser *p, vw_evemu_event_fn event, void *userdata)
{
        char *s = p->buf;
        size_t len = p->len;

        if (len > 0 && s[len - 1] == '\r')
                len--;
        s[len] = '\0';
        if (strlen(s) != len)
                return bad(p, "NUL byte in the text");
        s = (char *)skip_blank(s);
        if (*s == '\0' || *s == '#')
                return 0;
        if (s[0] == '\0' || s[1] != ':')
                return bad(p, "expected a line starting with N:, I:, P:, B:, A:, L:, S:, E: or #");
        switch (s[0]) {
        case 'E':
                return parse_event(p, s + 2, event, userdata);
        case 'N':
                return parse_name(p, s + 2);
        case 'I':
                return parse_id(p, s + 2);
        case 'P':
                return parse_props(p, s + 2);
        case 'B':
                return parse_bits(p, s + 2);
        case 'A':
                return parse_abs(p, s + 2);
        case 'L':
        case 'S':
                return parse_state(p, s + 2, s[0] == 'L');
        }
        return bad(p, "unknown line type '%c:'", s[0]);
}

static int end_line(struct vw_evemu_parser *p, vw_evemu_event_fn event, void *userdata)
{
        int r = 0;

        if (p->overlong) {
                if (p->buf[0] != '#')
                        r = bad(p, "line longer than %d bytes", PARSER_LINE_MAX - 1);
        } else
                r = parse_line(p, event, userdata);
        p->len = 0;
        p->overlong = false;
        p->line++;
        return r;
}

/* The result of a feed: its first error, with the message of the first bad line. */
static int feed_result(struct vw_evemu_parser *p, int r, char **error)
{
        if (r < 0 && error)
                *error = TAKE_PTR(p->error);
        free(p->error);
        p->error = NULL;
        return r;
}

int vw_evemu_parser_feed(struct vw_evemu_parser *p, const void *data, size_t len, vw_evemu_event_fn event,
                         void *userdata, char **error)
{
        const char *s = data;
        int result = 0;

        while (len > 0) {
                const char *nl = memchr(s, '\n', len);
                size_t n = nl ? (size_t)(nl - s) : len;
                int r;

                if (!p->overlong && p->len + n < PARSER_LINE_MAX) {
                        memcpy(p->buf + p->len, s, n);
                        p->len += n;
                } else if (!p->overlong) {
                        /* keep the start: a comment is still recognized and skipped */
                        memcpy(p->buf + p->len, s, MIN(n, PARSER_LINE_MAX - 1 - p->len));
                        p->len = PARSER_LINE_MAX - 1;
                        p->overlong = true;
                }
                s += n;
                len -= n;
                if (!nl)
                        break;
                s++;
                len--;
                r = end_line(p, event, userdata);
                if (r < 0 && result == 0)
                        result = r;
                if (r < 0 && r != -EINVAL)
                        return feed_result(p, r, error);
        }
        return feed_result(p, result, error);
}

int vw_evemu_parser_finish(struct vw_evemu_parser *p, vw_evemu_event_fn event, void *userdata, char **error)
{
        int r = 0;

        if (p->len > 0 || p->overlong)
                r = end_line(p, event, userdata);
        if (r >= 0 && p->dev && p->stage < STAGE_I)
                r = bad(p, "the description ends before its I: line");
        return feed_result(p, r, error);
}

struct collect {
        struct vw_input_event *ev;
        size_t n, allocated;
};

static int collect_event(void *userdata, const struct vw_input_event *ev)
{
        struct collect *c = userdata;

        if (c->n == c->allocated) {
                size_t a = MAX(c->allocated * 2, (size_t)256);
                struct vw_input_event *p = realloc(c->ev, a * sizeof(*p));

                if (!p)
                        return -ENOMEM;
                c->ev = p;
                c->allocated = a;
        }
        c->ev[c->n++] = *ev;
        return 0;
}

int vw_evemu_parse(const char *text, size_t len, struct vw_evemu_device **ret_device,
                   struct vw_input_event **ret_events, size_t *n_ret, char **error)
{
        struct vw_evemu_parser *p = NULL;
        struct collect c = {};
        int r;

        r = vw_evemu_parser_new(0, &p);
        if (r < 0)
                return r;
        r = vw_evemu_parser_feed(p, text, len, collect_event, &c, error);
        if (r >= 0)
                r = vw_evemu_parser_finish(p, collect_event, &c, error);
        if (r < 0)
                goto fail;
        if (ret_device)
                *ret_device = TAKE_PTR(p->dev);
        *ret_events = c.ev;
        *n_ret = c.n;
        vw_evemu_parser_free(p);
        return 0;
fail:
        free(c.ev);
        vw_evemu_parser_free(p);
        return r;
}

/* ---- writing ---- */

int vw_evemu_format_device(const struct vw_evemu_device *d, char **ret, size_t *ret_len)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f;

        if (d->name[0] == '\0' || strnlen(d->name, sizeof(d->name)) == sizeof(d->name) || strpbrk(d->name, "\r\n"))
                return -EINVAL;
        f = open_memstream(&text, &len);
        if (!f)
                return -ENOMEM;
        fprintf(f, "# EVEMU 1.3\n");
        fprintf(f, "# Input device name: \"%s\"\n", d->name);
        fprintf(f, "# Input device ID: bus %#04x vendor %#04x product %#04x version %#04x\n", d->bustype,
                d->vendor, d->product, d->version);
        fprintf(f, "N: %s\n", d->name);
        fprintf(f, "I: %04x %04x %04x %04x\n", d->bustype, d->vendor, d->product, d->version);
        fprintf(f, "P:");
        for (size_t i = 0; i < 8; i++)
                fprintf(f, " %02x", d->props[i]);
        fprintf(f, "\n");
        for (unsigned type = 0; type < EV_CNT; type++) {
                int max = type == EV_SYN ? 63 : type_max(type);
                size_t bytes = max < 0 ? 0 : ((size_t)max + 1 + 7) / 8;

                for (size_t row = 0; row < bytes; row += 8) {
                        fprintf(f, "B: %02x", type);
                        for (size_t i = row; i < row + 8; i++)
                                fprintf(f, " %02x", i < VW_EVEMU_BITS_BYTES ? d->bits[type][i] : 0);
                        fprintf(f, "\n");
                }
        }
        for (unsigned code = 0; code <= ABS_MAX; code++)
                if (vw_bit_test(d->bits[EV_ABS], code))
                        fprintf(f, "A: %02x %d %d %d %d %d\n", code, d->abs[code].minimum, d->abs[code].maximum,
                                d->abs[code].fuzz, d->abs[code].flat, d->abs[code].resolution);
        for (unsigned code = 0; code <= LED_MAX; code++)
                if (vw_bit_test(d->bits[EV_LED], code) && vw_bit_test(d->led_on, code))
                        fprintf(f, "L: %02x 1\n", code);
        for (unsigned code = 0; code <= SW_MAX; code++)
                if (vw_bit_test(d->bits[EV_SW], code) && vw_bit_test(d->sw_on, code))
                        fprintf(f, "S: %02x 1\n", code);
        if (fclose(f) != 0 || !text) {
                free(text);
                return -ENOMEM;
        }
        *ret = text;
        if (ret_len)
                *ret_len = len;
        return 0;
}

static int describe(char *buf, size_t size, const struct vw_evemu_writer *w, const struct vw_input_event *ev,
                    uint64_t t)
{
        const char *type = libevdev_event_type_get_name(ev->type);
        const char *code = libevdev_event_code_get_name(ev->type, ev->code);
        char tbuf[16], cbuf[16];

        if (!type) {
                snprintf(tbuf, sizeof(tbuf), "0x%04x", ev->type);
                type = tbuf;
        }
        if (!code) {
                snprintf(cbuf, sizeof(cbuf), "0x%04x", ev->code);
                code = cbuf;
        }
        if (ev->type == EV_SYN && ev->code == SYN_MT_REPORT)
                return snprintf(buf, size, "# ++++++++++++ %s (%d) ++++++++++", code, ev->value);
        if (ev->type == EV_SYN)
                return snprintf(buf, size, "# ------------ %s (%d) ---------- %+" PRId64 "ms", code, ev->value,
                                (int64_t)(t / 1000) - (int64_t)(w->last_syn / 1000));
        return snprintf(buf, size, "# %s / %-20s %d", type, code, ev->value);
}

size_t vw_evemu_writer_event(struct vw_evemu_writer *w, const struct vw_input_event *ev,
                             char buf[VW_EVEMU_LINE_MAX])
{
        uint64_t t;
        int n, c;

        if (!w->started) {
                w->started = true;
                w->base = ev->usec;
                w->last = w->last_syn = 1;
        }
        /* relative to the first event, which is at 1us; never backwards */
        if (ev->usec < w->base)
                t = w->last;
        else if (ev->usec - w->base == UINT64_MAX) /* saturates instead of wrapping to 0 */
                t = UINT64_MAX;
        else
                t = ev->usec - w->base + 1;
        if (t < w->last)
                t = w->last;
        w->last = t;

        n = snprintf(buf, VW_EVEMU_LINE_MAX, "E: %" PRIu64 ".%06u %04x %04x %04d", t / 1000000,
                     (unsigned)(t % 1000000), ev->type, ev->code, ev->value);
        if (w->describe) {
                /* the comment goes only if it fits whole */
                c = describe(buf + n + 1, VW_EVEMU_LINE_MAX - (size_t)n - 2, w, ev, t);
                if (c > 0 && (size_t)n + 1 + (size_t)c < VW_EVEMU_LINE_MAX - 1) {
                        buf[n] = '\t';
                        n += 1 + c;
                }
        }
        if (ev->type == EV_SYN && ev->code == SYN_REPORT)
                w->last_syn = t;
        buf[n++] = '\n';
        buf[n] = '\0';
        return (size_t)n;
}

int vw_evemu_format(const struct vw_evemu_device *d, const struct vw_input_event *ev, size_t n,
                    bool describe_events, char **ret, size_t *ret_len)
{
        struct vw_evemu_writer w = { .describe = describe_events };
        char *text = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        f = open_memstream(&text, &len);
        if (!f)
                return -ENOMEM;
        if (d) {
                _cleanup_free_ char *desc = NULL;
                size_t desc_len;

                r = vw_evemu_format_device(d, &desc, &desc_len);
                if (r < 0) {
                        fclose(f);
                        free(text);
                        return r;
                }
                fwrite(desc, 1, desc_len, f);
        }
        for (size_t i = 0; i < n; i++) {
                char line[VW_EVEMU_LINE_MAX];
                size_t l = vw_evemu_writer_event(&w, &ev[i], line);

                fwrite(line, 1, l, f);
        }
        if (fclose(f) != 0 || !text) {
                free(text);
                return -ENOMEM;
        }
        *ret = text;
        if (ret_len)
                *ret_len = len;
        return 0;
}
