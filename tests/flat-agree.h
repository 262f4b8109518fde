/* SPDX-License-Identifier: MIT */
#pragma once

/* proto/flat.h's promise, checked by test-flat.c and fuzz-flat.c: a message the fast way takes
 * is one the general way (vw_msgbuf_next + vw_varlink_parse_request) takes, with the same
 * method, flags and parameter values. */

#include <stddef.h>

#include "flat.h"

/* NULL when they agree (or the fast way declined: *taken false); else what differs. */
const char *vw_flat_disagreement(struct vw_flat *f, const char *text, size_t len, bool *taken);
