/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What a control client may ask vwired to do with names it gives (docs/SECURITY.md). A backend
 * calls these from start() with ep->section->caller; NULL (a config file, root, vwired's own
 * user) is always allowed. Each refusal returns -EPERM and logs one error that names the rule,
 * so the Add reply carries it ("cannot start: ...").
 */

#include <stdbool.h>
#include <sys/types.h>

#include "caller.h"
#include "conf-parse.h"

struct vw_endpoint;

/* owner/group given to a node, link or socket: only the caller's own; no setuid/setgid/sticky. */
int vw_policy_owner(struct vw_endpoint *ep, uid_t owner, gid_t group, mode_t mode);

/*
 * Open the directory that will hold `path` (absolute) as an O_PATH descriptor, walking it one
 * component at a time. For a confined caller no component may be a symlink, "." or "..", each
 * directory must be searchable by the caller, and the parent writable by it, not world-writable
 * without the sticky bit and not another (non-root) user's. Root follows symlinks in the
 * directories (/var/run) but never in the last component. *ret_base: the last component.
 */
int vw_policy_open_parent(struct vw_endpoint *ep, const char *path, int *ret_dirfd, char **ret_base);

/* Could the caller connect() to the unix socket at path itself? Abstract names: root only. */
int vw_policy_connect_unix(struct vw_endpoint *ep, const char *path);

/* listen = ...: TCP and UDP ports below 1024, wildcard addresses and abstract unix names are root's. */
int vw_policy_listen(struct vw_endpoint *ep, const struct vw_address *a);

/* [net]: creating adapters, naming a namespace, owner and group of a tun: the full tier only. */
int vw_policy_net_admin(struct vw_endpoint *ep);

/* backend = device: an existing tty, opened with vwired's rights, so root's (or a config file's) only. */
int vw_policy_device(struct vw_endpoint *ep, const char *path);

/* A CUSE device name: [A-Za-z0-9_.-]+ for everyone; no existing node and no kernel name
 * pattern (ttyS*, ttyUSB*, ...) for a confined caller. */
int vw_policy_cuse_name(struct vw_endpoint *ep, const char *name);
bool vw_cuse_name_is_valid(const char *name);
bool vw_cuse_name_is_reserved(const char *name);
