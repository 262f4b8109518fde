/* SPDX-License-Identifier: MIT */
#pragma once

/* What the CUSE kernel suites share: a pair of CUSE ports and small helpers around the harness. */

#include <sys/types.h>

/* A device name unique per case (a failed case's vwired may linger until the case ends):
 * /dev/ttyVT<pid%1000><suffix>. Valid until the case ends (vwt_strf). */
const char *dev(const char *suffix);
/* [serial a] and [serial b], CUSE at dev("a") and dev("b"), cabled duplex by [route cable];
 * each extra is added to its section as it is. */
void pair_config(const char *extra_a, const char *extra_b, const char *route_extra);
/* cuse_client.py ARGS..., which must exit 0 within timeout_ms; else the case fails. */
void py_ok(int timeout_ms, const char *const *args);
/* open(2) with O_NOCTTY | O_CLOEXEC added; the case fails when it cannot. */
int open_dev(const char *path, int flags);
/* Wait up to ms for child to exit: its status, -1 if it is still running. */
int wait_child(pid_t child, int ms);
