/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What vwired made in the file system (PTY symlinks, unix sockets), mirrored in
 * <runtime>/owned-paths so that the next vwired after a crash removes exactly these and nothing
 * else. The ledger is one record per line, "TYPE DEV INO PATH", after a version line; PATH is
 * escaped, so no name can forge a second record, and a record is acted on only while the file
 * there is still the inode vwired made.
 */

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "ledger.h"
#include "macro.h"


struct vw_owned {
        char *path;
        char *base;    /* last component, relative to dirfd */
        int dirfd;     /* O_PATH of the directory it is in */
        char type;     /* 'l' symlink, 's' socket */
        bool confined; /* made for a confined caller: its directories are walked without symlinks */
        dev_t dev;
        ino_t ino;
        struct timespec ctime; /* inode numbers are reused at once on tmpfs: this tells them apart */
};

void vw_owned_free(struct vw_owned *o);
DEFINE_CLEANUP(struct vw_owned *, vw_owned_free);
/* Does the file at o still have the recorded type, inode and change time? */
bool vw_owned_matches(const struct vw_owned *o, const struct stat *st);
bool vw_owned_is_intact(const struct vw_owned *o);

/* Read a ledger file; calls cb for every valid record. A file without the version line (an older
 * vwired's) is ignored with a warning: its records cannot be checked. */
int vw_ledger_read(const char *path, void (*cb)(const struct vw_ledger_entry *e, void *userdata), void *userdata);
/* Is the file at e->path still the recorded inode? Opens the directories without following
 * symlinks for confined records. Returns a dir fd (caller closes) and *ret_base, or -errno. */
int vw_ledger_entry_open(const struct vw_ledger_entry *e, int *ret_dirfd, const char **ret_base);
