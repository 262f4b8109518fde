/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"

void print_json(FILE *f, json_object *o)
{
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), f);
        fputc('\n', f);
}

struct table {
        size_t ncols;
        char **cells;           /* row-major */
        size_t ncells, cap;
        uint64_t right;         /* bit per column */
        unsigned indent;
        int error;              /* sticky, from the adds */
};

int table_new(size_t ncols, struct table **ret)
{
        struct table *t;

        if (ncols == 0 || ncols > 64)
                return -ERANGE;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->ncols = ncols;
        *ret = t;
        return 0;
}

void table_free(struct table *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->ncells; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
}

void table_align_right(struct table *t, size_t col)
{
        if (col < t->ncols)
                t->right |= UINT64_C(1) << col;
}

void table_set_indent(struct table *t, unsigned indent)
{
        t->indent = indent;
}

static void table_take(struct table *t, char *cell)
{
        if (!cell || t->error < 0) {
                free(cell);
                t->error = -ENOMEM;
                return;
        }
        if (t->ncells == t->cap) {
                size_t ncap = t->cap ? t->cap * 2 : 32;
                char **n = realloc(t->cells, ncap * sizeof(*n));

                if (!n) {
                        free(cell);
                        t->error = -ENOMEM;
                        return;
                }
                t->cells = n;
                t->cap = ncap;
        }
        t->cells[t->ncells++] = cell;
}

void table_add(struct table *t, const char *cell)
{
        table_take(t, strdup(cell ? cell : "-"));
}

_printf_(1, 0) static char *vformat(const char *fmt, va_list ap)
{
        char *s;

        return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

void table_addf(struct table *t, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        table_take(t, vformat(fmt, ap));
        va_end(ap);
}

void table_add_pair(struct table *t, const char *key, const char *fmt, ...)
{
        va_list ap;

        table_addf(t, "%s:", key);
        va_start(ap, fmt);
        table_take(t, vformat(fmt, ap));
        va_end(ap);
}

size_t table_rows(const struct table *t)
{
        return (t->ncells + t->ncols - 1) / t->ncols;
}

/* Display width, counting code points rather than bytes so UTF-8 names line up. */
static size_t text_width(const char *s)
{
        size_t w = 0;

        for (; *s; s++)
                if (((unsigned char)*s & 0xc0) != 0x80)
                        w++;
        return w;
}

int table_print(const struct table *t, FILE *f)
{
        size_t width[64] = {};
        size_t rows = table_rows(t);

        if (t->error < 0)
                return t->error;
        for (size_t i = 0; i < t->ncells; i++)
                width[i % t->ncols] = MAX(width[i % t->ncols], text_width(t->cells[i]));

        for (size_t row = 0; row < rows; row++) {
                fprintf(f, "%*s", (int)t->indent, "");
                for (size_t col = 0; col < t->ncols; col++) {
                        size_t i = row * t->ncols + col;
                        const char *cell = i < t->ncells ? t->cells[i] : "";
                        size_t pad = width[col] - text_width(cell);
                        bool last = col + 1 == t->ncols;

                        if (t->right & (UINT64_C(1) << col)) {
                                fprintf(f, "%*s%s", (int)pad, "", cell);
                        } else {
                                fputs(cell, f);
                                if (!last)
                                        fprintf(f, "%*s", (int)pad, "");
                        }
                        if (!last)
                                fputs("  ", f);
                }
                fputc('\n', f);
        }
        return 0;
}

static bool strv_contains(const char *const *l, const char *s)
{
        for (; l && *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

static bool array_has_objects(json_object *a)
{
        size_t n = json_object_array_length(a);

        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);

                if (json_object_is_type(e, json_type_object) || json_object_is_type(e, json_type_array))
                        return true;
        }
        return false;
}

static void add_flat_value(struct table *t, const char *key, json_object *v)
{
        if (json_object_is_type(v, json_type_object)) {
                table_add_flat(t, key, v, NULL);
                return;
        }

        if (json_object_is_type(v, json_type_array) && array_has_objects(v)) {
                size_t n = json_object_array_length(v);

                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *k = NULL;

                        if (asprintf(&k, "%s.%zu", key, i) < 0) {
                                t->error = -ENOMEM;
                                return;
                        }
                        add_flat_value(t, k, json_object_array_get_idx(v, i));
                }
                return;
        }

        table_addf(t, "%s:", key);
        table_take(t, json_to_text(v));
}

void table_add_flat(struct table *t, const char *prefix, json_object *o, const char *const *skip)
{
        if (!json_object_is_type(o, json_type_object))
                return;

        json_object_object_foreach(o, key, v) {
                _cleanup_free_ char *k = NULL;

                if (!v || strv_contains(skip, key))
                        continue;
                if (prefix ? asprintf(&k, "%s.%s", prefix, key) < 0 : !(k = strdup(key))) {
                        t->error = -ENOMEM;
                        return;
                }
                add_flat_value(t, k, v);
        }
}

char *json_to_text(json_object *v)
{
        char *s = NULL;

        switch (json_object_get_type(v)) {
        case json_type_null:
                return strdup("-");
        case json_type_string:
                return strdup(json_object_get_string(v));
        case json_type_boolean:
                return strdup(json_object_get_boolean(v) ? "yes" : "no");
        case json_type_int:
                if (asprintf(&s, "%" PRId64, json_object_get_int64(v)) < 0)
                        return NULL;
                return s;
        case json_type_double:
                if (asprintf(&s, "%g", json_object_get_double(v)) < 0)
                        return NULL;
                return s;
        case json_type_array:
                return json_join(v, ", ");
        case json_type_object:
        default:
                return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
        }
}

char *json_join(json_object *array, const char *sep)
{
        size_t n, len = 0;
        char *buf = NULL;
        FILE *f;

        if (!json_object_is_type(array, json_type_array) || json_object_array_length(array) == 0)
                return strdup("-");

        f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        n = json_object_array_length(array);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *e = json_to_text(json_object_array_get_idx(array, i));

                if (!e) {
                        fclose(f);
                        free(buf);
                        return NULL;
                }
                fprintf(f, "%s%s", i > 0 ? sep : "", e);
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

const char *format_bytes(char buf[static FORMAT_BYTES_MAX], uint64_t n)
{
        static const char suffix[] = "KMGTPE";
        double v = (double)n / 1024;
        int i = 0;

        if (n < 1024) {
                snprintf(buf, FORMAT_BYTES_MAX, "%" PRIu64, n);
                return buf;
        }
        while (v >= 1024 && i < 5) {
                v /= 1024;
                i++;
        }
        snprintf(buf, FORMAT_BYTES_MAX, v < 10 ? "%.1f%c" : "%.0f%c", v, suffix[i]);
        return buf;
}

const char *format_duration(char buf[static FORMAT_DURATION_MAX], uint64_t usec)
{
        static const struct {
                const char *unit;
                uint64_t sec;
        } units[] = { { "d", 86400 }, { "h", 3600 }, { "min", 60 }, { "s", 1 } };
        uint64_t left = usec / 1000000;
        size_t len = 0;

        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                uint64_t n = left / units[i].sec;

                if (n == 0)
                        continue;
                left -= n * units[i].sec;
                len += (size_t)snprintf(buf + len, FORMAT_DURATION_MAX - len, "%s%" PRIu64 "%s",
                                        len > 0 ? " " : "", n, units[i].unit);
        }
        if (len == 0)
                snprintf(buf, FORMAT_DURATION_MAX, "%" PRIu64 "ms", usec / 1000);
        return buf;
}

const char *format_clock(char buf[static FORMAT_CLOCK_MAX], uint64_t realtime_usec)
{
        time_t sec = (time_t)(realtime_usec / 1000000);
        struct tm tm;

        if (!localtime_r(&sec, &tm) || strftime(buf, FORMAT_CLOCK_MAX, "%H:%M:%S", &tm) == 0) {
                snprintf(buf, FORMAT_CLOCK_MAX, "?");
                return buf;
        }
        snprintf(buf + strlen(buf), FORMAT_CLOCK_MAX - strlen(buf), ".%03u",
                 (unsigned)(realtime_usec % 1000000 / 1000));
        return buf;
}

static bool byte_is_text(uint8_t c)
{
        return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n';
}

bool data_is_text(const uint8_t *p, size_t n)
{
        size_t binary = 0;

        for (size_t i = 0; i < n; i++)
                if (!byte_is_text(p[i]))
                        binary++;
        return binary * 4 <= n;
}

char *data_to_quoted(const uint8_t *p, size_t n)
{
        char *s = malloc(n * 4 + 3), *o = s;

        if (!s)
                return NULL;
        *o++ = '"';
        for (size_t i = 0; i < n; i++) {
                uint8_t c = p[i];

                switch (c) {
                case '\n': o = stpcpy(o, "\\n"); break;
                case '\r': o = stpcpy(o, "\\r"); break;
                case '\t': o = stpcpy(o, "\\t"); break;
                case '"': o = stpcpy(o, "\\\""); break;
                case '\\': o = stpcpy(o, "\\\\"); break;
                default:
                        if (c >= 0x20 && c < 0x7f)
                                *o++ = (char)c;
                        else
                                o += sprintf(o, "\\x%02x", c);
                }
        }
        *o++ = '"';
        *o = 0;
        return s;
}

char *data_to_hex(const uint8_t *p, size_t n)
{
        char *s = malloc(n * 3 + 1), *o = s;

        if (!s)
                return NULL;
        *o = 0;
        for (size_t i = 0; i < n; i++)
                o += sprintf(o, i > 0 ? " %02x" : "%02x", p[i]);
        return s;
}

bool utf8_is_valid(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;

        while (*p) {
                uint32_t cp;
                size_t len;

                if (*p < 0x80) {
                        p++;
                        continue;
                }
                if ((*p & 0xe0) == 0xc0) {
                        len = 2;
                        cp = *p & 0x1f;
                } else if ((*p & 0xf0) == 0xe0) {
                        len = 3;
                        cp = *p & 0x0f;
                } else if ((*p & 0xf8) == 0xf0) {
                        len = 4;
                        cp = *p & 0x07;
                } else
                        return false;
                for (size_t i = 1; i < len; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (p[i] & 0x3f);
                }
                /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return false;
                p += len;
        }
        return true;
}
