/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "conffile.h"
#include "log.h"
#include "macro.h"
#include "net-ledger.h"
#include "net-mark.h"
#include "rtnl.h"

#define LEDGER_DIR "owned-netdevs"
#define RECORD_MAX 160

static int dir_path(const char *runtime_dir, char **ret)
{
        return asprintf(ret, "%s/" LEDGER_DIR, runtime_dir) < 0 ? -ENOMEM : 0;
}

int vw_net_ledger_add(const char *runtime_dir, const char *endpoint, const char *netns, const char *ifname,
                      int ifindex)
{
        _cleanup_free_ char *dir = NULL;
        char rec[RECORD_MAX];

        if (!vw_name_is_valid(endpoint) || endpoint[0] == '.' || dir_path(runtime_dir, &dir) < 0)
                return -EINVAL;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        snprintf(rec, sizeof(rec), "vwire-netdev 1 %d %s %s\n", ifindex, netns ? netns : "-", ifname);
        return vw_write_file_atomic(dir, endpoint, rec, 0600);
}

void vw_net_ledger_remove(const char *runtime_dir, const char *endpoint)
{
        _cleanup_free_ char *dir = NULL, *path = NULL;

        if (dir_path(runtime_dir, &dir) < 0 || asprintf(&path, "%s/%s", dir, endpoint) < 0)
                return;
        (void)unlink(path);
        (void)rmdir(dir); /* only when it was the last one */
}

int vw_net_ledger_parse(const char *text, struct vw_net_record *ret)
{
        static const char head[] = "vwire-netdev 1 ";
        struct vw_net_record rec = {};
        const char *p;
        char *end;
        long idx;
        int n = 0;

        /* the index by strtol: sscanf's %d has no defined result past INT_MAX */
        if (strncmp(text, head, strlen(head)) != 0)
                return -EINVAL;
        p = text + strlen(head);
        if (*p < '1' || *p > '9')
                return -EINVAL;
        errno = 0;
        idx = strtol(p, &end, 10);
        if (errno != 0 || idx > INT_MAX || *end != ' ')
                return -EINVAL;
        rec.ifindex = (int)idx;
        text = end;
        if (sscanf(text, " %64s %15s%n", rec.netns, rec.ifname, &n) != 2 || (text[n] != '\n' && text[n] != '\0') ||
            (text[n] == '\n' && text[n + 1] != '\0'))
                return -EINVAL;
        if (!streq(rec.netns, "-") && !vw_netns_name_is_valid(rec.netns))
                return -EINVAL;
        /* what net-tun.c accepts as an ifname, after the kernel filled in a %d */
        if (strspn(rec.ifname, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
            strlen(rec.ifname))
                return -EINVAL;
        *ret = rec;
        return 0;
}

/* Delete the adapter of one record if it is still vwire's, from a vwired that is gone. */
static void remove_recorded(const struct vw_net_record *rec)
{
        const char *netns = streq(rec->netns, "-") ? NULL : rec->netns;
        struct vw_rtnl *nl = NULL;
        struct vw_link_info li;
        char name[65];
        pid_t pid;
        int r;

        r = vw_rtnl_open(netns, &nl);
        if (r >= 0)
                r = vw_rtnl_link_get(nl, rec->ifname, &li);
        if (r < 0)
                goto done; /* the namespace or the adapter is gone already */
        if (li.ifindex != rec->ifindex || vw_net_mark_parse(li.alias, name, sizeof(name), &pid) < 0 ||
            vw_pid_is_vwired(pid)) {
                log_warning("not removing adapter %s left by a previous run: it is no longer the one that run made",
                            rec->ifname);
                goto done;
        }
        r = vw_rtnl_link_del(nl, li.ifindex);
        if (r < 0)
                log_warning_errno(r, "cannot remove adapter %s left by a previous vwired", rec->ifname);
        else
                log_notice("removed persistent adapter %s%s%s (of [net %s]) left behind by a vwired that did not "
                           "stop cleanly", rec->ifname, netns ? " in netns " : "", netns ? netns : "", name);
done:
        vw_rtnl_close(nl);
}

void vw_net_remove_stale(const char *runtime_dir)
{
        _cleanup_free_ char *dir = NULL;
        struct dirent *de;
        DIR *d;

        if (dir_path(runtime_dir, &dir) < 0 || !(d = opendir(dir)))
                return;
        while ((de = readdir(d))) {
                char text[RECORD_MAX] = "";
                struct vw_net_record rec;
                ssize_t n;
                int fd;

                if (de->d_name[0] == '.')
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
                safe_close(fd);
                if (n > 0 && vw_net_ledger_parse(text, &rec) == 0)
                        remove_recorded(&rec);
                else
                        log_warning("%s/%s: not an adapter record, ignored", dir, de->d_name);
                (void)unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
        (void)rmdir(dir);
}
