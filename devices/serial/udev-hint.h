/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Hints for udev (systemd/60-vwire.rules): before a backend makes the kernel create a device
 * node (CUSE), it writes <runtime>/udev/<kernel name> with the node's configured owner, group
 * and mode, so udev's rule applies exactly those instead of racing vwired's own chmod/chown.
 * With the packaged unit the runtime directory is /run/vwire, where the rule looks.
 */

#include <sys/types.h>

#include "endpoint.h"

/* uid/gid (uid_t)-1 / (gid_t)-1: leave as created. Failures are logged at debug level only:
 * without udev, or outside /run/vwire, the hint is not needed. */
void vw_udev_hint_write(struct vw_endpoint *ep, const char *kernel_name, mode_t mode, uid_t uid, gid_t gid);
void vw_udev_hint_remove(struct vw_endpoint *ep, const char *kernel_name);

/* The directory hints live in (malloc'd), for doctor. */
char *vw_udev_hint_dir(const char *runtime_dir);
