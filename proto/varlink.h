/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Varlink framing shared by vwired and vwirectl: NUL-terminated JSON objects on a stream.
 * Pure buffer code; the caller does the I/O.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VW_VARLINK_MAX_MESSAGE (1024u * 1024u)     /* a call: what vwired reads */
#define VW_VARLINK_MAX_REPLY (8u * 1024u * 1024u)  /* a reply: what vwired sends, vwirectl reads */
#define VW_INTERFACE "io.vwire"

struct vw_msgbuf {
        char *data;
        size_t len, cap;
        size_t max;         /* longest message accepted; 0: VW_VARLINK_MAX_MESSAGE */
        json_tokener *tok;  /* reused for every message read through this buffer */
};

/* Frees the buffer; keeps `max`, so a buffer can be reused with the same limit. */
void vw_msgbuf_done(struct vw_msgbuf *b);
/* Append raw bytes received from the peer. -EMSGSIZE when an unterminated message passes the cap (max). */
int vw_msgbuf_feed(struct vw_msgbuf *b, const void *data, size_t len);
/* Room to read into directly: returns a pointer with at least `want` bytes free. */
char *vw_msgbuf_reserve(struct vw_msgbuf *b, size_t want);
int vw_msgbuf_commit(struct vw_msgbuf *b, size_t n);
/*
 * Take the next complete message. Returns 1 and *ret (caller puts it) when one was parsed,
 * 0 when more bytes are needed, -EBADMSG when the message is not a JSON object (whitespace
 * around it is fine, anything else after it is not), -ENOTUNIQ when an object in it has a key
 * twice (json-c would silently keep the last one, so what we check and what we act on could
 * differ); the bad message is dropped either way.
 */
int vw_msgbuf_next(struct vw_msgbuf *b, json_object **ret);
/* Is a complete (NUL-terminated) message waiting? */
bool vw_msgbuf_has_message(const struct vw_msgbuf *b);
/* The offset of the message that byte `at` belongs to: 0, or just after the last NUL before it. */
size_t vw_msgbuf_message_start(const struct vw_msgbuf *b, size_t at);
/* Drop the first n bytes (after they were written). */
void vw_msgbuf_drop(struct vw_msgbuf *b, size_t n);

/* Serialize obj plus the NUL terminator onto out. */
int vw_varlink_append(struct vw_msgbuf *out, json_object *obj);
/* The same, but -EMSGSIZE (and nothing appended) when the JSON text is longer than max bytes. */
int vw_varlink_append_max(struct vw_msgbuf *out, json_object *obj, size_t max);

/* Does the JSON text that parsed into `parsed` name a key twice in one object (anywhere)?
 * O(len): counts the keys in the text and in the tree. */
bool vw_json_has_duplicate_keys(const char *text, size_t len, json_object *parsed);
/* false when a number in the tree is not a JSON number (json-c reads NaN, Infinity, -.5, 1.) */
bool vw_json_numbers_valid(json_object *o);

/* The parts of a call. "method" must be a string, "parameters" (when present) an object,
 * "more" and "oneway" (when present) booleans: anything else is -EINVAL, *ret_bad naming it. */
struct vw_varlink_request {
        const char *method;
        json_object *parameters;  /* NULL when absent */
        bool more, oneway;
};
int vw_varlink_parse_request(json_object *msg, struct vw_varlink_request *ret, const char **ret_bad);

/* Append a reply whose parameters are n integers, {keys[0]: values[0], ...}: the bytes
 * vw_varlink_append(vw_varlink_reply(tree)) writes, without the tree. Keys are plain names of
 * [A-Za-z0-9_], at most VW_REPLY_INTS_MAX of them: -EINVAL otherwise. */
#define VW_REPLY_INTS_MAX 8
int vw_varlink_append_reply_ints(struct vw_msgbuf *out, size_t n, const char *const keys[], const int64_t values[]);

/* Build messages. Each steals `parameters` (may be NULL). */
json_object *vw_varlink_call(const char *method, json_object *parameters, bool more);
json_object *vw_varlink_reply(json_object *parameters, bool continues);
json_object *vw_varlink_error(const char *error, json_object *parameters);

/* Append one io.vwire DoctorCheck {check, status, message, fix?, object?} to the array `checks`
 * (the daemon's and vwirectl's own checks have the same shape). */
void vw_doctor_check_add(json_object *checks, const char *check, const char *status, const char *object,
                         const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Hex encoding for byte payloads. */
char *vw_hex_encode(const void *data, size_t len);
/*
 * Returns length or -EINVAL; *ret malloc'd. Accepts upper/lower case; spaces, colons, tabs and
 * newlines may separate bytes ("de:ad be ef") but not split one ("d e" is rejected).
 */
int vw_hex_decode(const char *hex, unsigned char **ret, size_t *ret_len);
