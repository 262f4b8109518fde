/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "log.h"
#include "udev-hint.h"

char *vw_udev_hint_dir(const char *runtime_dir)
{
        char *d;

        if (!runtime_dir || asprintf(&d, "%s/udev", runtime_dir) < 0)
                return NULL;
        return d;
}

/* Hints left by a vwired that was killed: the runtime directory is ours alone (vwired.pid
 * lock), and before this process wrote its first hint every hint in it is stale. */
static void remove_stale_hints(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..") && unlinkat(dirfd(d), de->d_name, 0) == 0)
                        log_debug("removed stale udev hint %s/%s", dir, de->d_name);
        closedir(d);
}

void vw_udev_hint_write(struct vw_endpoint *ep, const char *kernel_name, mode_t mode, uid_t uid, gid_t gid)
{
        static bool cleaned;
        _cleanup_free_ char *dir = vw_udev_hint_dir(vw_endpoint_runtime_dir(ep)), *text = NULL;
        char owner[32] = "", group[32] = "";
        int r;

        if (!dir)
                return;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                log_debug_errno(errno, "cannot create %s; udev will not know %s's permissions", dir, kernel_name);
                return;
        }
        if (!cleaned) {
                remove_stale_hints(dir);
                cleaned = true;
        }
        if (uid != (uid_t)-1)
                snprintf(owner, sizeof(owner), "VWIRE_OWNER=%u\n", (unsigned)uid);
        if (gid != (gid_t)-1)
                snprintf(group, sizeof(group), "VWIRE_GROUP=%u\n", (unsigned)gid);
        if (asprintf(&text, "VWIRE_ENDPOINT=%s\nVWIRE_MODE=%04o\n%s%s", ep->name, (unsigned)(mode & 07777), owner,
                     group) < 0)
                return;
        r = vw_write_file_atomic(dir, kernel_name, text, 0644);
        if (r < 0)
                log_debug_errno(r, "cannot write the udev hint %s/%s", dir, kernel_name);
}

void vw_udev_hint_remove(struct vw_endpoint *ep, const char *kernel_name)
{
        _cleanup_free_ char *dir = vw_udev_hint_dir(vw_endpoint_runtime_dir(ep));

        if (dir && kernel_name && *kernel_name)
                (void)vw_unlink_durable(dir, kernel_name);
}
