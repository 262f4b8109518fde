/* SPDX-License-Identifier: MIT */
#pragma once

/* The UDP half of [socket] (socket-udp.c), which socket.c hands udp: addresses to. */

#include <json-c/json.h>
#include <stdbool.h>

#include "conf-parse.h"

struct vw_endpoint;

/* ep->data becomes the UDP state; vw_udp_stop() frees it, also after a failed start. */
int vw_udp_start(struct vw_endpoint *ep, const struct vw_address *a, bool listening);
void vw_udp_stop(struct vw_endpoint *ep);
void vw_udp_describe(struct vw_endpoint *ep, json_object *d);
