/* SPDX-License-Identifier: MIT */
#pragma once

/* The datagram half of [socket] (socket-udp.c), which socket.c hands udp: and unix-dgram:
 * addresses to. */

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf-parse.h"

struct vw_endpoint;

/* ep->data becomes the UDP state; vw_udp_stop() frees it, also after a failed start. For a
 * unix-dgram: listen address on a path, mode/owner/group are the socket file's ((mode_t)-1 and
 * (uid_t)-1/(gid_t)-1: the defaults). */
int vw_udp_start(struct vw_endpoint *ep, const struct vw_address *a, bool listening, mode_t mode, uid_t owner,
                 gid_t group);
void vw_udp_stop(struct vw_endpoint *ep);
void vw_udp_describe(struct vw_endpoint *ep, json_object *d);
