/* SPDX-License-Identifier: MIT */
/*
 * The lean vwirectl hands `doctor` and `net` to vwirectl-full. The lean one is linked statically:
 * a static binary starts without the dynamic loader opening, mapping and relocating libraries,
 * which is most of a short call (a key, a send) where file access is slow (in the project's VM a
 * dynamic start costs 36 ms, a static one 7 ms; docs/PERFORMANCE.md). The two commands that need
 * what cannot be linked statically (libmnl for rtnetlink, glibc's NSS for group names) live in
 * the dynamic build of the same sources, which takes the whole command line unchanged.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"

/* Next to this binary first (a build tree), then where it is installed. */
static int full_path(char *buf, size_t size)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        if (n > 0) {
                char *slash;

                self[n] = '\0';
                slash = strrchr(self, '/');
                if (slash && (size_t)snprintf(buf, size, "%.*s/vwirectl-full", (int)(slash - self), self) < size &&
                    access(buf, X_OK) == 0)
                        return 0;
        }
        if ((size_t)snprintf(buf, size, "%s", VWIRECTL_FULL_PATH) >= size)
                return -ENAMETOOLONG;
        return 0;
}

int vwirectl_exec_full(const char *verb, char **argv)
{
        char path[PATH_MAX];
        int r = full_path(path, sizeof(path));

        if (r < 0)
                return log_error_errno(r, "cannot find vwirectl-full");
        fflush(stdout);
        execv(path, argv);
        return log_error_errno(errno, "'%s' needs %s, which cannot be run (is vwire installed whole?)", verb, path);
}
