/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The fast way to read a Varlink call whose parameters are flat: scalars, and lists of objects
 * of scalars (io.vwire.Event's {name, type, code, value} or {name, events: [...]}). A streaming
 * parser (yajl) fills reused arrays, so such a call costs no JSON tree and no allocation once the
 * arrays have grown. Anything else is "not flat" and takes the general way (varlink.h,
 * vw_msgbuf_next): the general way stays the one that answers every error.
 *
 * The promise, checked by tests/fuzz/fuzz-flat.c: when vw_flat_parse() accepts a message, the
 * general way parses it too, into the same method, flags and parameter values. To keep that
 * promise simple the fast way refuses more than JSON does: every byte of the message and of
 * every decoded string must be printable ASCII (or JSON whitespace between tokens), numbers must
 * be integers that fit int64, no key twice, no top-level key but method, parameters, more and
 * oneway.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VW_FLAT_MAX_PARAMS 32   /* keys of the parameters object */
#define VW_FLAT_MAX_ITEM_KEYS 8 /* keys of one object in a list */
#define VW_FLAT_MAX_ITEMS 4096  /* objects in all lists of one call */

enum vw_flat_type {
        VW_FLAT_NULL,
        VW_FLAT_BOOL,
        VW_FLAT_INT,
        VW_FLAT_STRING,
        VW_FLAT_LIST, /* of objects */
};

struct vw_flat_value {
        enum vw_flat_type type;
        int64_t i;    /* BOOL: 0 or 1; INT */
        size_t off;   /* STRING: offset in the arena (vw_flat_string) */
        size_t first; /* LIST: its objects are items[first .. first + n) */
        size_t n;
};

struct vw_flat_field {
        size_t key; /* offset in the arena */
        struct vw_flat_value v;
};

/* An object: fields[first .. first + n) of the array it lives in. */
struct vw_flat_object {
        size_t first, n;
};

struct vw_flat {
        /* the call, once vw_flat_parse() returned 1 */
        size_t method; /* offset in the arena */
        bool more, oneway;
        struct vw_flat_object params; /* in params[] */

        /* storage, kept for the next message */
        char *arena;
        size_t arena_len, arena_cap;
        struct vw_flat_field param_fields[VW_FLAT_MAX_PARAMS];
        size_t n_params;
        struct vw_flat_field *item_fields;
        size_t n_item_fields, item_fields_cap;
        struct vw_flat_object *items;
        size_t n_items, items_cap;

        /* the parse */
        int state;
        int top_key; /* which top-level value comes next */
        unsigned top_seen;
        void *yajl;  /* the handle of the parse */
        size_t end;  /* where the top-level object ended */
        bool failed; /* not flat, or out of memory */
        bool nomem;
};

/* 1: a flat call, read into f; 0: not one (take the general way); -ENOMEM. */
int vw_flat_parse(struct vw_flat *f, const char *text, size_t len);
void vw_flat_done(struct vw_flat *f);

const char *vw_flat_method(const struct vw_flat *f);
/* The value of key in the parameters, or NULL. */
const struct vw_flat_value *vw_flat_param(const struct vw_flat *f, const char *key);
/* The value of key in object i of a list, or NULL. */
const struct vw_flat_value *vw_flat_item(const struct vw_flat *f, const struct vw_flat_value *list, size_t i,
                                         const char *key);
/* A STRING value's text (NUL-terminated, printable ASCII); NULL for any other type. */
const char *vw_flat_string(const struct vw_flat *f, const struct vw_flat_value *v);
/* Every parameter in order, for checks: *key and *v of field i < n_params. */
void vw_flat_param_at(const struct vw_flat *f, size_t i, const char **key, const struct vw_flat_value **v);
