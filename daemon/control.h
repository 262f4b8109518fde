/* SPDX-License-Identifier: MIT */
#pragma once

/* The control server: Varlink (io.vwire) on a unix stream socket. See common/io.vwire.varlink. */

#include <stdbool.h>
#include <sys/types.h>

#include "ring.h"

struct vw_manager;
struct vw_control;

/* Binds path (refusing if another vwired answers there), mode 0660, group "vwire" if it exists.
 * listen_fd >= 0: use this already-bound socket (socket activation). */
int vw_control_new(struct vw_manager *m, const char *path, int listen_fd, struct vw_control **ret);
void vw_control_free(struct vw_control *c);
unsigned vw_control_n_clients(const struct vw_control *c);

/* Traffic of a monitored object: direction "rx"/"tx" (endpoint) or "forward"/"reverse" (route). */
void vw_control_tap(struct vw_control *c, const char *name, const char *direction, const char *via,
                    const struct vw_chunk *chunk);
/* An object went away: end its monitors. */
void vw_control_object_gone(struct vw_control *c, const char *name);

/* Introspection text of io.vwire (GetInterfaceDescription). */
extern const char vw_interface_description[];
