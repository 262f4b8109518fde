/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "flat.h"
#include "macro.h"

enum {
        S_START,
        S_TOP_KEY,
        S_TOP_VALUE,
        S_PARAM_KEY,
        S_PARAM_VALUE,
        S_LIST,
        S_ITEM_KEY,
        S_ITEM_VALUE,
        S_DONE,
};

enum { TOP_METHOD, TOP_PARAMETERS, TOP_MORE, TOP_ONEWAY };

/* yajl's callbacks return 0 to stop the parse: not flat (or out of memory). */
static int refuse(struct vw_flat *f)
{
        f->failed = true;
        return 0;
}

static bool printable(const unsigned char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (s[i] < 0x20 || s[i] > 0x7e)
                        return false;
        return true;
}

/* Copy a decoded string into the arena; its offset, or SIZE_MAX (and the parse refused). */
static size_t arena_add(struct vw_flat *f, const unsigned char *s, size_t len)
{
        size_t off = f->arena_len;

        if (!printable(s, len)) {
                f->failed = true;
                return SIZE_MAX;
        }
        if (f->arena_cap - f->arena_len < len + 1) {
                size_t ncap = MAX(MAX(f->arena_cap * 2, f->arena_len + len + 1), (size_t)1024);
                char *n = realloc(f->arena, ncap);

                if (!n) {
                        f->failed = f->nomem = true;
                        return SIZE_MAX;
                }
                f->arena = n;
                f->arena_cap = ncap;
        }
        memcpy(f->arena + off, s, len);
        f->arena[off + len] = 0;
        f->arena_len += len + 1;
        return off;
}

static bool grow(struct vw_flat *f, void **array, size_t *cap, size_t need, size_t size)
{
        size_t ncap;
        void *n;

        if (need <= *cap)
                return true;
        ncap = MAX(MAX(*cap * 2, need), (size_t)16);
        n = reallocarray(*array, ncap, size);
        if (!n) {
                f->failed = f->nomem = true;
                return false;
        }
        *array = n;
        *cap = ncap;
        return true;
}

/* Is key among fields[first .. first + n)? (fields may be NULL when n is 0) */
static bool key_in(const struct vw_flat *f, const struct vw_flat_field *fields, size_t first, size_t n, const char *key)
{
        for (size_t i = first; i < first + n; i++)
                if (streq(f->arena + fields[i].key, key))
                        return true;
        return false;
}

static int on_value(struct vw_flat *f, struct vw_flat_value v)
{
        switch (f->state) {
        case S_TOP_VALUE:
                if (f->top_key == TOP_METHOD && v.type == VW_FLAT_STRING)
                        f->method = v.off;
                else if (f->top_key == TOP_MORE && v.type == VW_FLAT_BOOL)
                        f->more = v.i;
                else if (f->top_key == TOP_ONEWAY && v.type == VW_FLAT_BOOL)
                        f->oneway = v.i;
                else
                        return refuse(f);
                f->state = S_TOP_KEY;
                return 1;
        case S_PARAM_VALUE:
                f->param_fields[f->n_params - 1].v = v;
                f->state = S_PARAM_KEY;
                return 1;
        case S_ITEM_VALUE:
                f->item_fields[f->n_item_fields - 1].v = v;
                f->state = S_ITEM_KEY;
                return 1;
        default:
                return refuse(f);
        }
}

static int on_null(void *ctx)
{
        return on_value(ctx, (struct vw_flat_value){ .type = VW_FLAT_NULL });
}

static int on_boolean(void *ctx, int b)
{
        return on_value(ctx, (struct vw_flat_value){ .type = VW_FLAT_BOOL, .i = !!b });
}

static int on_integer(void *ctx, long long i)
{
        return on_value(ctx, (struct vw_flat_value){ .type = VW_FLAT_INT, .i = i });
}

static int on_double(void *ctx, double d)
{
        (void)d; /* json-c keeps a double's text; the general way handles them */
        return refuse(ctx);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
        struct vw_flat *f = ctx;
        size_t off = arena_add(f, s, len);

        if (off == SIZE_MAX)
                return 0;
        return on_value(f, (struct vw_flat_value){ .type = VW_FLAT_STRING, .off = off });
}

static int on_start_map(void *ctx)
{
        struct vw_flat *f = ctx;

        if (f->state == S_START) {
                f->state = S_TOP_KEY;
        } else if (f->state == S_TOP_VALUE && f->top_key == TOP_PARAMETERS) {
                f->state = S_PARAM_KEY;
        } else if (f->state == S_LIST) {
                struct vw_flat_field *list = &f->param_fields[f->n_params - 1];

                if (f->n_items >= VW_FLAT_MAX_ITEMS ||
                    !grow(f, (void **)&f->items, &f->items_cap, f->n_items + 1, sizeof(*f->items)))
                        return refuse(f);
                f->items[f->n_items++] = (struct vw_flat_object){ .first = f->n_item_fields };
                list->v.n++;
                f->state = S_ITEM_KEY;
        } else {
                return refuse(f);
        }
        return 1;
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
        struct vw_flat *f = ctx;
        static const char *const top[] = {
                [TOP_METHOD] = "method", [TOP_PARAMETERS] = "parameters", [TOP_MORE] = "more", [TOP_ONEWAY] = "oneway"
        };
        size_t off = arena_add(f, s, len);
        const char *key;

        if (off == SIZE_MAX)
                return 0;
        key = f->arena + off;
        switch (f->state) {
        case S_TOP_KEY:
                for (int i = 0; i < (int)ELEMENTSOF(top); i++)
                        if (streq(key, top[i])) {
                                if (f->top_seen & (1u << i))
                                        return refuse(f); /* twice */
                                f->top_seen |= 1u << i;
                                f->top_key = i;
                                f->state = S_TOP_VALUE;
                                return 1;
                        }
                return refuse(f);
        case S_PARAM_KEY:
                if (f->n_params >= VW_FLAT_MAX_PARAMS || key_in(f, f->param_fields, 0, f->n_params, key))
                        return refuse(f);
                f->param_fields[f->n_params++] = (struct vw_flat_field){ .key = off };
                f->state = S_PARAM_VALUE;
                return 1;
        case S_ITEM_KEY: {
                struct vw_flat_object *item = &f->items[f->n_items - 1];

                if (item->n >= VW_FLAT_MAX_ITEM_KEYS || key_in(f, f->item_fields, item->first, item->n, key) ||
                    !grow(f, (void **)&f->item_fields, &f->item_fields_cap, f->n_item_fields + 1,
                          sizeof(*f->item_fields)))
                        return refuse(f);
                f->item_fields[f->n_item_fields++] = (struct vw_flat_field){ .key = off };
                item->n++;
                f->state = S_ITEM_VALUE;
                return 1;
        }
        default:
                return refuse(f);
        }
}

static int on_end_map(void *ctx)
{
        struct vw_flat *f = ctx;

        if (f->state == S_TOP_KEY) {
                f->state = S_DONE;
                f->end = yajl_get_bytes_consumed(f->yajl);
        } else if (f->state == S_PARAM_KEY)
                f->state = S_TOP_KEY;
        else if (f->state == S_ITEM_KEY)
                f->state = S_LIST;
        else
                return refuse(f);
        return 1;
}

static int on_start_array(void *ctx)
{
        struct vw_flat *f = ctx;

        if (f->state != S_PARAM_VALUE)
                return refuse(f);
        f->param_fields[f->n_params - 1].v = (struct vw_flat_value){ .type = VW_FLAT_LIST, .first = f->n_items };
        f->state = S_LIST;
        return 1;
}

static int on_end_array(void *ctx)
{
        struct vw_flat *f = ctx;

        if (f->state != S_LIST)
                return refuse(f);
        f->state = S_PARAM_KEY;
        return 1;
}

static const yajl_callbacks callbacks = {
        .yajl_null = on_null,
        .yajl_boolean = on_boolean,
        .yajl_integer = on_integer,
        .yajl_double = on_double,
        .yajl_string = on_string,
        .yajl_start_map = on_start_map,
        .yajl_map_key = on_map_key,
        .yajl_end_map = on_end_map,
        .yajl_start_array = on_start_array,
        .yajl_end_array = on_end_array,
};

static int hex_digit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Printable ASCII and the four whitespace characters of JSON, nothing else: no \f or \v
 * (whitespace to some parsers), no byte above 0x7e and no \u escape of one (no UTF-8 and no
 * surrogates to agree on: yajl reads a lone surrogate as '?'). */
static bool text_plain(const char *text, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)text[i];

                if (c > 0x7e || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
                        return false;
                if (c != '\\' || i + 1 >= len)
                        continue;
                i++; /* the escaped character */
                if (text[i] == 'u') {
                        unsigned v = 0;

                        for (size_t k = 1; k <= 4 && i + k < len && hex_digit(text[i + k]) >= 0; k++)
                                v = v << 4 | (unsigned)hex_digit(text[i + k]);
                        if (v > 0x7e) /* a short escape is yajl's to refuse */
                                return false;
                }
        }
        return true;
}

static bool only_space(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
                        return false;
        return true;
}

int vw_flat_parse(struct vw_flat *f, const char *text, size_t len)
{
        yajl_handle h;
        yajl_status st;

        f->method = SIZE_MAX;
        f->more = f->oneway = false;
        f->params = (struct vw_flat_object){};
        f->arena_len = f->n_params = f->n_item_fields = f->n_items = 0;
        f->state = S_START;
        f->top_seen = 0;
        f->failed = f->nomem = false;

        if (!text_plain(text, len))
                return 0;
        /* One handle for message after message: yajl has no reset, but with multiple values
         * allowed a handle that has just read a whole object starts over at the next. Any
         * other outcome leaves it somewhere inside a value: it is freed. */
        if (!f->yajl) {
                f->yajl = yajl_alloc(&callbacks, NULL, f);
                if (!f->yajl)
                        return -ENOMEM;
                (void)yajl_config(f->yajl, yajl_allow_multiple_values, 1);
        }
        h = f->yajl;
        st = yajl_parse(h, (const unsigned char *)text, len);
        /* a whole object, and after it nothing but whitespace (no unfinished token: "{...} \"") */
        if (st == yajl_status_ok && !f->failed && f->state == S_DONE && f->method != SIZE_MAX &&
            only_space(text + f->end, len - f->end)) {
                f->params = (struct vw_flat_object){ .first = 0, .n = f->n_params };
                return 1;
        }
        yajl_free(h);
        f->yajl = NULL;
        return f->nomem ? -ENOMEM : 0;
}

void vw_flat_done(struct vw_flat *f)
{
        if (f->yajl)
                yajl_free(f->yajl);
        free(f->arena);
        free(f->item_fields);
        free(f->items);
        *f = (struct vw_flat){};
}

const char *vw_flat_method(const struct vw_flat *f)
{
        return f->method == SIZE_MAX ? NULL : f->arena + f->method;
}

const struct vw_flat_value *vw_flat_param(const struct vw_flat *f, const char *key)
{
        for (size_t i = 0; i < f->n_params; i++)
                if (streq(f->arena + f->param_fields[i].key, key))
                        return &f->param_fields[i].v;
        return NULL;
}

const struct vw_flat_value *vw_flat_item(const struct vw_flat *f, const struct vw_flat_value *list, size_t i,
                                         const char *key)
{
        const struct vw_flat_object *item;

        if (!list || list->type != VW_FLAT_LIST || i >= list->n)
                return NULL;
        item = &f->items[list->first + i];
        for (size_t k = 0; k < item->n; k++) {
                const struct vw_flat_field *fl = &f->item_fields[item->first + k];

                if (streq(f->arena + fl->key, key))
                        return &fl->v;
        }
        return NULL;
}

const char *vw_flat_string(const struct vw_flat *f, const struct vw_flat_value *v)
{
        return v && v->type == VW_FLAT_STRING ? f->arena + v->off : NULL;
}

void vw_flat_param_at(const struct vw_flat *f, size_t i, const char **key, const struct vw_flat_value **v)
{
        *key = f->arena + f->param_fields[i].key;
        *v = &f->param_fields[i].v;
}
