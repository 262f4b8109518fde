/* SPDX-License-Identifier: MIT */
/*
 * `vwirectl net orphans [--json] [--grace SECONDS] [--force [NETNS/]IFNAME]`: virtual adapters
 * that look left over, system-wide, each with its evidence. Runs in vwirectl with the rights of
 * its user (root sees every namespace and descriptor), needs no vwired, and deletes nothing
 * unless one adapter is named with --force; that one is looked at again right before, must still
 * be an orphan with the same ifindex and must be older than the grace period.
 *
 * Looks left over:
 *  - an adapter marked "vwire:NAME pid=PID" whose vwired is gone (vwire's own);
 *  - a persistent tun/tap with no queue attached (IFLA_TUN_NUM_QUEUES 0; /proc/PID/fdinfo of no
 *    process names it), the leftover of VPN and VM software;
 *  - a veth in a named namespace (/run/netns/NAME) that no process is in, or whose peer is in one.
 * Namespaces scanned: vwirectl's own and every /run/netns/NAME.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "log.h"
#include "net-mark.h"
#include "output.h"
#include "rtnl.h"

#define MAX_NETNS 256
#define MAX_ORPHANS 1024

struct netns {
        char name[65];       /* "" for vwirectl's own */
        dev_t dev;
        ino_t ino;
        bool in_use;         /* a process is in it (or it is ours) */
        int nsid;            /* its id as our namespace knows it, -1 for none */
};

struct orphan {
        const struct netns *ns;
        struct vw_link_info l;
        char reason[160];
        char vwire_name[65];
        pid_t vwire_pid;
        bool vwire;
        int64_t age;         /* seconds, at least; -1 unknown */
        char holders[128];   /* pids whose fdinfo names the tun */
};

struct scan {
        struct netns ns[MAX_NETNS];
        size_t n_ns;
        struct orphan *o;
        size_t n;
        const struct netns *cur;
        bool own_only;       /* doctor as non-root: entering a namespace needs CAP_SYS_ADMIN */
};

/* ---- namespaces ---- */

static int netns_inode(const char *path, dev_t *dev, ino_t *ino)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        *dev = st.st_dev;
        *ino = st.st_ino;
        return 0;
}

/* Mark the namespaces some process is in: /proc/PID/ns/net of every process. */
static void mark_used(struct scan *sc)
{
        DIR *d = opendir("/proc");
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                char path[300];
                dev_t dev = 0;
                ino_t ino = 0;

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
                if (netns_inode(path, &dev, &ino) < 0)
                        continue;
                for (size_t i = 0; i < sc->n_ns; i++)
                        if (sc->ns[i].dev == dev && sc->ns[i].ino == ino)
                                sc->ns[i].in_use = true;
        }
        closedir(d);
}

static int list_netns(struct scan *sc, struct vw_rtnl *self)
{
        DIR *d;
        struct dirent *de;

        sc->ns[0] = (struct netns){ .in_use = true, .nsid = -1 };
        if (netns_inode("/proc/self/ns/net", &sc->ns[0].dev, &sc->ns[0].ino) < 0)
                return -errno;
        sc->n_ns = 1;
        d = opendir("/run/netns");
        while (d && (de = readdir(d)) && sc->n_ns < MAX_NETNS) {
                struct netns *n = &sc->ns[sc->n_ns];
                char path[96];
                int fd;

                if (!vw_netns_name_is_valid(de->d_name) || de->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "/run/netns/%.64s", de->d_name);
                *n = (struct netns){ .nsid = -1 };
                snprintf(n->name, sizeof(n->name), "%.64s", de->d_name);
                if (netns_inode(path, &n->dev, &n->ino) < 0)
                        continue;
                if (n->dev == sc->ns[0].dev && n->ino == sc->ns[0].ino)
                        continue; /* a name for our own namespace */
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                        (void)vw_rtnl_netns_id(self, fd, &n->nsid);
                        close(fd);
                }
                sc->n_ns++;
        }
        if (d)
                closedir(d);
        mark_used(sc);
        return 0;
}

static const struct netns *netns_by_id(const struct scan *sc, int nsid)
{
        for (size_t i = 1; i < sc->n_ns; i++)
                if (nsid >= 0 && sc->ns[i].nsid == nsid)
                        return &sc->ns[i];
        return NULL;
}

/* ---- evidence ---- */

/* Age from sysfs, our namespace only: the inode is made at (or after) registration, so a lower bound. */
static int64_t link_age(const struct netns *ns, const char *ifname)
{
        char path[64];
        struct stat st;

        if (ns->name[0])
                return -1;
        snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
        if (lstat(path, &st) < 0)
                return -1;
        return (int64_t)time(NULL) - (int64_t)st.st_ctim.tv_sec;
}

/* Pids with a tun descriptor for ifname ("iff:\tNAME" in /proc/PID/fdinfo/FD); any namespace. */
static void tun_holders(const char *ifname, char *buf, size_t size)
{
        DIR *proc = opendir("/proc");
        struct dirent *p;
        char want[32];

        buf[0] = '\0';
        snprintf(want, sizeof(want), "iff:\t%s\n", ifname);
        while (proc && (p = readdir(proc))) {
                char dir[300];
                DIR *fds;
                struct dirent *f;
                bool found = false;

                if (p->d_name[0] < '1' || p->d_name[0] > '9')
                        continue;
                snprintf(dir, sizeof(dir), "/proc/%s/fdinfo", p->d_name);
                fds = opendir(dir);
                while (fds && !found && (f = readdir(fds))) {
                        char path[600], text[1024];
                        ssize_t n;
                        int fd;

                        snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
                        fd = open(path, O_RDONLY | O_CLOEXEC);
                        n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
                        if (fd >= 0)
                                close(fd);
                        if (n <= 0)
                                continue;
                        text[n] = '\0';
                        found = strstr(text, want) != NULL;
                }
                if (fds)
                        closedir(fds);
                if (found && strlen(buf) + strlen(p->d_name) + 2 < size)
                        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? " " : "", p->d_name);
        }
        if (proc)
                closedir(proc);
}

/* ---- classification ---- */

static bool classify(const struct scan *sc, const struct netns *ns, const struct vw_link_info *l, struct orphan *o)
{
        const struct netns *peer_ns;

        *o = (struct orphan){ .ns = ns, .l = *l, .age = -1 };
        if (vw_net_mark_parse(l->alias, o->vwire_name, sizeof(o->vwire_name), &o->vwire_pid) == 0) {
                o->vwire = true;
                if (vw_pid_is_vwired(o->vwire_pid))
                        return false; /* its vwired runs: it is in use */
                snprintf(o->reason, sizeof(o->reason), "vwire adapter of [net %s], its vwired (pid %d) is gone",
                         o->vwire_name, (int)o->vwire_pid);
                return true;
        }
        if (streq(l->kind, "tun") && l->has_tun_info && l->tun_persist && l->tun_queues == 0) {
                snprintf(o->reason, sizeof(o->reason), "persistent %s with nothing attached", l->tun_tap ? "tap" : "tun");
                return true;
        }
        if (!streq(l->kind, "veth"))
                return false;
        if (!ns->in_use) {
                snprintf(o->reason, sizeof(o->reason), "veth in namespace %s, which no process is in", ns->name);
                return true;
        }
        peer_ns = ns == &sc->ns[0] && l->has_link_netnsid ? netns_by_id(sc, l->link_netnsid) : NULL;
        if (peer_ns && !peer_ns->in_use) {
                snprintf(o->reason, sizeof(o->reason), "veth whose peer (ifindex %d) is in namespace %s, which no "
                         "process is in", l->link, peer_ns->name);
                return true;
        }
        return false;
}

static int collect(const struct vw_link_info *l, void *userdata)
{
        struct scan *sc = userdata;
        struct orphan o;

        if (!classify(sc, sc->cur, l, &o))
                return 0;
        if (sc->n == MAX_ORPHANS)
                return -E2BIG;
        o.age = link_age(sc->cur, l->name);
        if (streq(l->kind, "tun"))
                tun_holders(l->name, o.holders, sizeof(o.holders));
        sc->o[sc->n++] = o;
        return 0;
}

static int scan_all(struct scan *sc)
{
        struct vw_rtnl *self = NULL;
        int r;

        sc->o = calloc(MAX_ORPHANS, sizeof(struct orphan));
        if (!sc->o)
                return -ENOMEM;
        r = vw_rtnl_open(NULL, &self);
        if (r < 0)
                return log_error_errno(r, "cannot open rtnetlink");
        r = list_netns(sc, self);
        vw_rtnl_close(self);
        if (r < 0)
                return log_error_errno(r, "cannot list network namespaces");
        for (size_t i = 0; i < sc->n_ns; i++) {
                struct vw_rtnl *nl = NULL;

                if (i > 0 && sc->own_only)
                        break;

                sc->cur = &sc->ns[i];
                r = vw_rtnl_open(sc->ns[i].name[0] ? sc->ns[i].name : NULL, &nl);
                if (r >= 0)
                        r = vw_rtnl_links(nl, collect, sc);
                vw_rtnl_close(nl);
                if (r < 0)
                        log_warning_errno(r, "cannot list the links of namespace %s",
                                          sc->ns[i].name[0] ? sc->ns[i].name : "(own)");
        }
        return 0;
}

/* ---- output ---- */

static json_object *orphan_json(const struct orphan *o)
{
        json_object *j = json_object_new_object();

        json_object_object_add(j, "netns", o->ns->name[0] ? json_object_new_string(o->ns->name) : NULL);
        json_object_object_add(j, "ifname", json_object_new_string(o->l.name));
        json_object_object_add(j, "ifindex", json_object_new_int(o->l.ifindex));
        json_object_object_add(j, "kind", json_object_new_string(o->l.kind[0] ? o->l.kind : "none"));
        if (streq(o->l.kind, "tun"))
                json_object_object_add(j, "tun_type", json_object_new_string(o->l.tun_tap ? "tap" : "tun"));
        json_object_object_add(j, "reason", json_object_new_string(o->reason));
        json_object_object_add(j, "vwire", json_object_new_boolean(o->vwire));
        if (o->vwire) {
                json_object_object_add(j, "vwire_endpoint", json_object_new_string(o->vwire_name));
                json_object_object_add(j, "vwire_pid", json_object_new_int(o->vwire_pid));
        }
        if (o->l.tun_owner != VW_TUN_NONE && streq(o->l.kind, "tun"))
                json_object_object_add(j, "owner_uid", json_object_new_int64(o->l.tun_owner));
        if (o->l.tun_group != VW_TUN_NONE && streq(o->l.kind, "tun"))
                json_object_object_add(j, "group_gid", json_object_new_int64(o->l.tun_group));
        if (streq(o->l.kind, "tun"))
                json_object_object_add(j, "attached_queues", json_object_new_int64(o->l.tun_queues));
        json_object_object_add(j, "carrier", json_object_new_boolean(!!(o->l.flags & IFF_LOWER_UP)));
        json_object_object_add(j, "age_sec", o->age >= 0 ? json_object_new_int64(o->age) : NULL);
        json_object_object_add(j, "holders", json_object_new_string(o->holders));
        json_object_object_add(j, "alias", json_object_new_string(o->l.alias));
        return j;
}

static void orphan_evidence(const struct orphan *o, char *buf, size_t size)
{
        size_t n = 0;

        n += (size_t)snprintf(buf + n, size - n, "%s", o->reason);
        if (streq(o->l.kind, "tun")) {
                n += (size_t)snprintf(buf + n, size - n, "; %u queue%s attached", o->l.tun_queues,
                                      o->l.tun_queues == 1 ? "" : "s");
                if (o->l.tun_owner != VW_TUN_NONE && n < size)
                        n += (size_t)snprintf(buf + n, size - n, ", owner uid %u", o->l.tun_owner);
                if (n < size)
                        n += (size_t)snprintf(buf + n, size - n, o->holders[0] ? ", held by pid %s" :
                                                                 ", no process holds it (fdinfo)%s", o->holders);
        }
        if (n < size)
                n += (size_t)snprintf(buf + n, size - n, "; carrier %s", o->l.flags & IFF_LOWER_UP ? "up" : "down");
        if (n < size && o->age >= 0)
                snprintf(buf + n, size - n, "; at least %" PRId64 "s old", o->age);
        else if (n < size)
                snprintf(buf + n, size - n, "; age unknown (another namespace)");
}

static int print_orphans(struct ctl *c, const struct scan *sc)
{
        json_object *a;

        if (c->json) {
                a = json_object_new_array();
                for (size_t i = 0; i < sc->n; i++)
                        json_object_array_add(a, orphan_json(&sc->o[i]));
                printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
                json_object_put(a);
                return 0;
        }
        if (sc->n == 0) {
                printf("no leftover adapters found (%zu namespace%s looked at)\n", sc->n_ns, sc->n_ns == 1 ? "" : "s");
                return 0;
        }
        for (size_t i = 0; i < sc->n; i++) {
                const struct orphan *o = &sc->o[i];
                char ev[512];

                orphan_evidence(o, ev, sizeof(ev));
                printf("%s%s%s (%s, ifindex %d): %s\n", o->ns->name, o->ns->name[0] ? "/" : "", o->l.name,
                       o->l.kind[0] ? o->l.kind : "none", o->l.ifindex, ev);
        }
        printf("nothing was deleted; 'vwirectl net orphans --force [NETNS/]IFNAME' deletes one of them\n");
        return 0;
}

/* ---- --force ---- */

static const struct orphan *find(const struct scan *sc, const char *spec)
{
        const char *slash = strchr(spec, '/');
        size_t nslen = slash ? (size_t)(slash - spec) : 0;
        const char *ifname = slash ? slash + 1 : spec;

        for (size_t i = 0; i < sc->n; i++) {
                const struct orphan *o = &sc->o[i];

                if (!streq(o->l.name, ifname) || strlen(o->ns->name) != nslen || !strneq(o->ns->name, spec, nslen))
                        continue;
                return o;
        }
        return NULL;
}

static int force_delete(const struct scan *sc, const char *spec, unsigned grace)
{
        const struct orphan *o = find(sc, spec);
        struct vw_rtnl *nl = NULL;
        struct vw_link_info now;
        int r;

        if (!o) {
                log_error("%s is not a leftover adapter (or does not exist): not deleted; a name in another "
                          "namespace is NETNS/IFNAME", spec);
                return CTL_ERR_REFUSED;
        }
        if (o->age >= 0 && o->age < (int64_t)grace) {
                log_error("%s is only %" PRId64 "s old (grace period %us): its creator may be about to use it; "
                          "not deleted", spec, o->age, grace);
                return CTL_ERR_REFUSED;
        }
        r = vw_rtnl_open(o->ns->name[0] ? o->ns->name : NULL, &nl);
        /* the same link still: same name and ifindex right before the delete */
        if (r >= 0)
                r = vw_rtnl_link_get(nl, o->l.name, &now);
        if (r >= 0 && now.ifindex != o->l.ifindex)
                r = -ESTALE;
        if (r >= 0)
                r = vw_rtnl_link_del(nl, o->l.ifindex);
        vw_rtnl_close(nl);
        if (r < 0)
                return log_error_errno(r, "cannot delete %s", spec), CTL_ERR_REFUSED;
        printf("deleted %s (%s, ifindex %d): %s\n", spec, o->l.kind, o->l.ifindex, o->reason);
        return 0;
}

int verb_net(struct ctl *c, int argc, char **argv)
{
        struct scan sc = {};
        int r;

        if (!streq(argv[1], "orphans")) {
                log_error("usage: vwirectl net orphans [--json] [--grace SECONDS] [--force [NETNS/]IFNAME]");
                return CTL_ERR_USAGE;
        }
        r = scan_all(&sc);
        if (r >= 0)
                r = c->force ? force_delete(&sc, c->force, c->grace) : print_orphans(c, &sc);
        free(sc.o);
        return r;
}

void net_orphans_doctor(json_object *checks)
{
        struct scan sc = { .own_only = geteuid() != 0 };

        if (scan_all(&sc) < 0) {
                free(sc.o);
                return;
        }
        for (size_t i = 0; i < sc.n; i++) {
                const struct orphan *o = &sc.o[i];
                char ev[512], fix[192], name[96];

                snprintf(name, sizeof(name), "%s%s%s", o->ns->name, o->ns->name[0] ? "/" : "", o->l.name);
                orphan_evidence(o, ev, sizeof(ev));
                snprintf(fix, sizeof(fix), "if nothing needs it: vwirectl net orphans --force %s", name);
                vw_doctor_check_add(checks, "net-orphan", "warn", name, fix, "leftover adapter %s: %s", name, ev);
        }
        if (sc.n == 0)
                vw_doctor_check_add(checks, "net-orphan", "ok", NULL, NULL, "no leftover virtual adapters (%zu "
                                    "namespace%s looked at)", sc.own_only ? (size_t)1 : sc.n_ns,
                                    sc.n_ns == 1 || sc.own_only ? "" : "s");
        free(sc.o);
}
