/* SPDX-License-Identifier: MIT */
#include <json-c/json.h>
#include <stdbool.h>
#include <string.h>

#include "flat-agree.h"
#include "macro.h"
#include "varlink.h"

static const char *same_value(const struct vw_flat *f, const struct vw_flat_value *v, json_object *o);

/* An object of a list: the same keys, each with the same scalar. */
static const char *same_item(const struct vw_flat *f, const struct vw_flat_value *list, size_t i, json_object *o)
{
        size_t keys = 0;

        if (!json_object_is_type(o, json_type_object))
                return "a list item is no object to json-c";
        json_object_object_foreach(o, k, jv) {
                const struct vw_flat_value *v = vw_flat_item(f, list, i, k);
                const char *why;

                keys++;
                if (!v)
                        return "json-c has an item key the fast way lacks";
                if (v->type == VW_FLAT_LIST)
                        return "a list inside a list item";
                why = same_value(f, v, jv);
                if (why)
                        return why;
        }
        return keys == f->items[list->first + i].n ? NULL : "an item has other keys to json-c";
}

static const char *same_value(const struct vw_flat *f, const struct vw_flat_value *v, json_object *o)
{
        switch (v->type) {
        case VW_FLAT_NULL:
                return o == NULL ? NULL : "null differs";
        case VW_FLAT_BOOL:
                return json_object_is_type(o, json_type_boolean) && json_object_get_boolean(o) == (v->i != 0)
                               ? NULL
                               : "a boolean differs";
        case VW_FLAT_INT:
                /* json-c reads integers past INT64_MAX as uint64; the fast way declines them */
                return json_object_is_type(o, json_type_int) && json_object_get_int64(o) == v->i &&
                                       !(v->i == INT64_MAX && json_object_get_uint64(o) != (uint64_t)INT64_MAX)
                               ? NULL
                               : "an integer differs";
        case VW_FLAT_STRING:
                return json_object_is_type(o, json_type_string) &&
                                       (size_t)json_object_get_string_len(o) == strlen(vw_flat_string(f, v)) &&
                                       streq(json_object_get_string(o), vw_flat_string(f, v))
                               ? NULL
                               : "a string differs";
        case VW_FLAT_LIST:
                if (!json_object_is_type(o, json_type_array) || json_object_array_length(o) != v->n)
                        return "a list differs in length";
                for (size_t i = 0; i < v->n; i++) {
                        const char *why = same_item(f, v, i, json_object_array_get_idx(o, i));

                        if (why)
                                return why;
                }
                return NULL;
        }
        return "unknown type";
}

const char *vw_flat_disagreement(struct vw_flat *f, const char *text, size_t len, bool *taken)
{
        _cleanup_(vw_msgbuf_done) struct vw_msgbuf b = {};
        struct vw_varlink_request q;
        json_object *msg = NULL;
        const char *bad, *why = NULL;
        size_t keys = 0;
        int r;

        *taken = false;
        if (memchr(text, 0, len))
                return NULL; /* a frame never holds a NUL */
        r = vw_flat_parse(f, text, len);
        if (r < 0)
                return "out of memory";
        if (r == 0)
                return NULL;
        *taken = true;
        if (vw_msgbuf_feed(&b, text, len) < 0 || vw_msgbuf_feed(&b, "", 1) < 0)
                return "out of memory";
        if (vw_msgbuf_next(&b, &msg) != 1)
                return "the general way refuses the message";
        if (vw_varlink_parse_request(msg, &q, &bad) < 0)
                why = "the general way refuses the call";
        else if (!streq(q.method, vw_flat_method(f)))
                why = "the method differs";
        else if (q.more != f->more || q.oneway != f->oneway)
                why = "more or oneway differs";
        else if (q.parameters) {
                json_object_object_foreach(q.parameters, k, jv) {
                        const struct vw_flat_value *v = vw_flat_param(f, k);

                        keys++;
                        why = v ? same_value(f, v, jv) : "json-c has a parameter the fast way lacks";
                        if (why)
                                break;
                }
        }
        if (!why && keys != f->n_params)
                why = "the parameters differ in number";
        json_object_put(msg);
        return why;
}
