/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Records of <runtime>/owned-paths, the ledger of symlinks and sockets vwired made (see
 * daemon/owned.h). Pure text code, shared with vwirectl's offline doctor. After the version
 * line, one record per line: "TYPE DEV INO PATH", TYPE l (symlink) or s (socket), upper case
 * when made for a confined caller; PATH escaped (backslash, control characters as \xNN), so no
 * name can forge a second record.
 */

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define VW_LEDGER_HEADER "vwire-owned-paths 2"

struct vw_ledger_entry {
        char type;
        bool confined;
        dev_t dev;
        ino_t ino;
        char path[4096];
};

int vw_ledger_write_entry(FILE *f, char type, bool confined, dev_t dev, ino_t ino, const char *path);
/* Parse one line (without the newline). 0, or -EINVAL for a line that is not a record. */
int vw_ledger_parse_line(const char *line, struct vw_ledger_entry *ret);
