/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caller.h"
#include "macro.h"

int vw_caller_from_socket(int fd, struct vw_caller *ret)
{
        struct ucred cr;
        socklen_t len = sizeof(cr);
        socklen_t glen = sizeof(ret->groups);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
                return negative_errno();
        *ret = (struct vw_caller){ .uid = cr.uid, .gid = cr.gid, .pid = cr.pid };
        /* The groups the kernel recorded at connect(): no /proc lookup, no pid reuse race.
         * A peer with more than VW_CALLER_MAX_GROUPS groups is refused rather than guessed. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, ret->groups, &glen) < 0)
                return negative_errno();
        ret->n_groups = glen / sizeof(gid_t);
        return 0;
}

void vw_caller_self(struct vw_caller *ret)
{
        int n;

        *ret = (struct vw_caller){ .uid = geteuid(), .gid = getegid(), .pid = getpid() };
        n = getgroups(VW_CALLER_MAX_GROUPS, ret->groups);
        ret->n_groups = n > 0 ? (size_t)n : 0;
}

struct vw_caller *vw_caller_dup(const struct vw_caller *c)
{
        struct vw_caller *d;

        if (!c)
                return NULL;
        d = malloc(sizeof(*d));
        if (d)
                memcpy(d, c, sizeof(*d));
        return d;
}

bool vw_caller_in_group(const struct vw_caller *c, gid_t gid)
{
        if (!c)
                return true;
        if (c->gid == gid)
                return true;
        for (size_t i = 0; i < c->n_groups; i++)
                if (c->groups[i] == gid)
                        return true;
        return false;
}

bool vw_caller_may(const struct vw_caller *c, uid_t owner, gid_t group, mode_t mode, int want)
{
        mode_t bits;

        if (vw_caller_is_root(c))
                return true;
        if (c->uid == owner)
                bits = (mode >> 6) & 7;
        else if (vw_caller_in_group(c, group))
                bits = (mode >> 3) & 7;
        else
                bits = mode & 7;
        return ((int)bits & want) == want;
}
