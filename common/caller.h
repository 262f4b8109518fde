/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Who asked: the peer credentials of a control client, kept with every object it adds at run
 * time. Names a client gives (paths, owners, groups, ports) are resolved and checked with these
 * rights, never with vwired's own (docs/SECURITY.md). A section with no caller came from a
 * config file, which only root can write: it has full power.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define VW_CALLER_MAX_GROUPS 256

struct vw_caller {
        uid_t uid;
        gid_t gid;
        pid_t pid;
        size_t n_groups;                      /* supplementary groups, from SO_PEERGROUPS */
        gid_t groups[VW_CALLER_MAX_GROUPS];
};

/* Credentials of the peer of a connected unix socket. 0 or -errno. */
int vw_caller_from_socket(int fd, struct vw_caller *ret);
/* The rights of this process (for tests and for vwired's own objects). */
void vw_caller_self(struct vw_caller *ret);
struct vw_caller *vw_caller_dup(const struct vw_caller *c);

/* NULL (a config object) and uid 0 are root. */
static inline bool vw_caller_is_root(const struct vw_caller *c) { return !c || c->uid == 0; }
bool vw_caller_in_group(const struct vw_caller *c, gid_t gid);
/* May the caller read (4), write (2) or search (1) an inode with this owner, group and mode,
 * by the ordinary permission rules (owner, then group, then other)? Root may do anything. */
bool vw_caller_may(const struct vw_caller *c, uid_t owner, gid_t group, mode_t mode, int want);
