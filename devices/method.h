/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Control methods a backend adds to io.vwire (struct vw_endpoint_ops.methods), and what a method
 * may do with its call. The control server (daemon/control/) implements these; a backend sees
 * only this header. A method answers with exactly one vw_call_reply()/vw_call_error()/
 * vw_call_fail(); changes_state methods are refused to clients without the right credentials.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flat.h"

struct vw_call;
struct vw_endpoint;

typedef void (*vw_method_fn)(struct vw_call *call, json_object *params);
/*
 * The fast way of a method (proto/flat.h), for calls whose parameters are flat: it answers the
 * call and returns true, or returns false having done nothing at all, and the call then goes
 * to `call` with a JSON tree. It answers at once (no vw_call_hold), and only with what `call`
 * would answer: whatever `call` would refuse it leaves to `call`, so every error has one text.
 */
typedef bool (*vw_method_flat_fn)(struct vw_call *call, const struct vw_flat *params);
struct vw_method {
        const char *name;      /* "io.vwire.Something" */
        vw_method_fn call;
        bool changes_state;
        vw_method_flat_fn call_flat; /* optional */
};

void vw_call_reply(struct vw_call *c, json_object *params);          /* steals params (may be NULL) */
/* A reply whose parameters are n integers, {keys[0]: values[0], ...}, in that order; the same
 * bytes json-c would write for them, without building the tree. Keys are plain names. */
void vw_call_reply_ints(struct vw_call *c, size_t n, const char *const keys[], const int64_t values[]);
void vw_call_error(struct vw_call *c, const char *error, json_object *params);
/* An error whose parameters are one string: {key: value}. */
void vw_call_fail(struct vw_call *c, const char *error, const char *key, const char *value);
void vw_call_invalid_parameter(struct vw_call *c, const char *name);
void vw_call_no_such(struct vw_call *c, const char *name);
/* -ENOENT NoSuchObject, -EEXIST ObjectExists, -EINVAL InvalidConfig{message}, -EPERM
 * PermissionDenied{message}, -EBADF InvalidArgument{message}, else Failed{message}. */
void vw_call_errno(struct vw_call *c, int r, const char *name, const char *error);
const char *vw_call_get_string(json_object *params, const char *key);
/*
 * Whether another call of this client is already here and is handled before any reply of this
 * turn is sent: a method may then put off writing (one write for the calls of one read), as
 * long as what it put off is written before its reply can reach the client.
 */
bool vw_call_more_this_turn(const struct vw_call *c);
/* The running endpoint of that name, or NULL. */
struct vw_endpoint *vw_call_find_endpoint(struct vw_call *c, const char *name);
