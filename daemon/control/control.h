/* SPDX-License-Identifier: MIT */
#pragma once

/* The control server: Varlink (io.vwire) on a unix stream socket. See proto/io.vwire.varlink. */

#include <stdbool.h>
#include <sys/types.h>

#include "ring.h"

struct vw_manager;
struct vw_control;

/* Binds path (refusing if another vwired answers there): as root mode 0660 and group "vwire" if it
 * exists, otherwise 0600 (a user's own vwired trusts no group). listen_fd >= 0: use this
 * already-bound socket (socket activation). */
int vw_control_new(struct vw_manager *m, const char *path, int listen_fd, struct vw_control **ret);
void vw_control_free(struct vw_control *c);
unsigned vw_control_n_clients(const struct vw_control *c);

/* Traffic of a monitored object: direction "rx"/"tx" (endpoint) or "forward"/"reverse" (route). */
void vw_control_tap(struct vw_control *c, const char *name, const char *direction, const char *via,
                    const struct vw_chunk *chunk);
/* An object went away: end its monitors. */
void vw_control_object_gone(struct vw_control *c, const char *name);
/* The same two as struct vw_manager_hooks members (userdata: the struct vw_control). */
void vw_control_tap_hook(void *userdata, const char *name, const char *direction, const char *via,
                         const struct vw_chunk *chunk);
void vw_control_object_gone_hook(void *userdata, const char *name);
/* vwired is ready: start accepting clients (none are accepted before). */
void vw_control_ready_hook(void *userdata);

/* Methods (backends add theirs through struct vw_endpoint_ops.methods). */
#include "method.h"

struct vw_manager *vw_call_manager(struct vw_call *c);
/* Who sent the call being handled: the peer credentials read at accept (common/caller.h). */
const struct vw_caller *vw_call_caller(struct vw_call *c);
/* Root or vwired's own user: the power of the config files. A section from an Add of anyone
 * else keeps the caller (s->caller) and is confined to its rights (docs/SECURITY.md). */
bool vw_call_is_full(struct vw_call *c);
/*
 * The descriptor passed with the message being handled (SCM_RIGHTS) at `index`, as a call
 * parameter names it ("fd": 0). Ownership goes to the caller; -EBADF when no descriptor has that
 * index or it was taken already. Descriptors a method does not take are closed after it returns.
 */
int vw_call_take_fd(struct vw_call *c, int index);

/* Introspection text of io.vwire (GetInterfaceDescription). */
extern const char vw_interface_description[];

/* --persist glue (control-persist.c). The optional boolean "persist" of a call: false when absent; -EINVAL
 * (after replying InvalidParameter) when it is not a boolean. */
int vw_call_get_persist(struct vw_call *cl, json_object *params, bool *ret);
/* Reply to a failed prepare or commit step. */
void vw_call_persist_error(struct vw_call *cl, int r, const char *name, const char *error);
