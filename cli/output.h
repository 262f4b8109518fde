/* SPDX-License-Identifier: MIT */
#pragma once

/* Formatting helpers of vwirectl: tables, key/value lists, byte counts, payload rendering. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "macro.h"

DEFINE_CLEANUP(json_object *, json_object_put)
#define _cleanup_json_ _cleanup_(json_object_putp)

/* One JSON object per line, as --json promises. */
void print_json(FILE *f, json_object *o);

/*
 * A table of text cells, filled row by row; the first row is usually the header. Adding never
 * fails visibly: an allocation failure sticks and table_print() reports it instead of printing.
 */
struct table;
int table_new(size_t ncols, struct table **ret);
void table_free(struct table *t);
DEFINE_CLEANUP(struct table *, table_free)
#define _cleanup_table_ _cleanup_(table_freep)
/* Right-align a column (numbers). */
void table_align_right(struct table *t, size_t col);
/* Prefix every printed line with `indent` spaces. */
void table_set_indent(struct table *t, unsigned indent);
void table_add(struct table *t, const char *cell);
void table_addf(struct table *t, const char *fmt, ...) _printf_(2, 3);
/* A "key:" / value row. */
void table_add_pair(struct table *t, const char *key, const char *fmt, ...) _printf_(3, 4);
size_t table_rows(const struct table *t);
/* Returns -ENOMEM, printing nothing, when an earlier add failed. */
int table_print(const struct table *t, FILE *f);

/*
 * Add "key:" / value rows for every member of `o`, nested objects flattened as "a.b", arrays of
 * scalars joined with ", ", null members left out. Keys listed in `skip` (NULL-terminated, may
 * be NULL) are not added at the top level.
 */
void table_add_flat(struct table *t, const char *prefix, json_object *o, const char *const *skip);

/* A JSON scalar or array of scalars as text: strings as is, booleans yes/no, null "-". malloc'd. */
char *json_to_text(json_object *v);
/* The strings of an array joined by `sep`; "-" when empty or absent. malloc'd. */
char *json_join(json_object *array, const char *sep);

#define FORMAT_BYTES_MAX 32
/* 1536 -> "1.5K". */
const char *format_bytes(char buf[static FORMAT_BYTES_MAX], uint64_t n);
#define FORMAT_DURATION_MAX 64
/* 93784000000 -> "1d 2h 3min 4s". */
const char *format_duration(char buf[static FORMAT_DURATION_MAX], uint64_t usec);
#define FORMAT_CLOCK_MAX 32
/* Wall clock time of day with milliseconds: "12:00:01.123". */
const char *format_clock(char buf[static FORMAT_CLOCK_MAX], uint64_t realtime_usec);

/* True when the bytes read well as text (few bytes other than printable ASCII, \t, \r, \n). */
bool data_is_text(const uint8_t *p, size_t n);
/* "hello\r\n" -> "\"hello\\r\\n\"" with other non-printable bytes as \xNN. malloc'd. */
char *data_to_quoted(const uint8_t *p, size_t n);
/* "hi" -> "68 69". malloc'd. */
char *data_to_hex(const uint8_t *p, size_t n);
/* Whether s is valid UTF-8, so it can travel as a JSON string. */
bool utf8_is_valid(const char *s);
