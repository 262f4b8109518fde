/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Host names for [socket] addresses without blocking the loop: numeric addresses, "*" and
 * "localhost" are answered at once; any other name is looked up with c-ares, driven by the
 * sd-event loop (its sockets as io sources, its timeouts as one timer).
 */

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "socket-addr.h"

struct vw_resolve;

/* r: 0 and *al, or a negative errno with `why` (the resolver's words, may be NULL). */
typedef void (*vw_resolve_done_t)(int r, const struct vw_addr_list *al, const char *why, void *userdata);

/*
 * Resolve a (tcp) address. Returns 1 when the answer is in *ret already (no lookup needed),
 * 0 when a lookup was started (done() is called later from the loop, never from here; *query
 * identifies it for vw_resolve_cancel()), or a negative errno.
 */
int vw_resolve_start(sd_event *e, const struct vw_address *a, bool passive, struct vw_addr_list *ret,
                     vw_resolve_done_t done, void *userdata, struct vw_resolve **query);
/* done() is not called any more; NULL-safe. */
void vw_resolve_cancel(struct vw_resolve *q);
/* Drop the resolver (at exit): pending queries are cancelled. */
void vw_resolve_shutdown(void);
