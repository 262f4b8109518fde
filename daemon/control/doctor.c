/* SPDX-License-Identifier: MIT */
/*
 * io.vwire.Doctor: what vwired sees wrong from where it runs (its user, its unit's sandbox),
 * each finding with a fix. vwirectl adds the checks only the client can make (versions, the
 * caller's group) and the ones that still make sense when vwired is not running.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "log.h"
#include "varlink.h"
#include "manager.h"
#include "owned.h"
#include "udev-hint.h"

/* ---- what the backends need from the host ---- */

/* Does the config (or the running set) use this backend? */
static bool uses_backend(struct vw_manager *m, const struct vw_endpoint_ops *ops)
{
        const struct vw_config *c = vw_manager_config(m);
        bool used = false;

        for (size_t i = 0; i < vw_manager_n_endpoints(m); i++)
                if (vw_manager_endpoint(m, i)->ops == ops)
                        return true;
        for (size_t i = 0; c && i < c->n_sections && !used; i++) {
                struct vw_errors errs = {};

                used = streq(c->sections[i]->kind, ops->kind) && vw_backend_for_section(c->sections[i], &errs) == ops;
                vw_errors_done(&errs);
        }
        return used;
}

/* ---- permissions and persistence ---- */

static void check_group(struct vw_manager *m, json_object *checks)
{
        struct group *gr = getgrnam("vwire");
        struct stat st;

        if (!gr) {
                vw_doctor_check_add(checks, "group", "warn", "vwire",
                          "systemd-sysusers (vwire's sysusers.d entry creates it), or groupadd --system vwire; then "
                          "restart vwired",
                          "group vwire does not exist: only root and vwired's own user may change vwired's state");
                return;
        }
        if (vw_manager_control_path(m) && stat(vw_manager_control_path(m), &st) == 0 && st.st_gid != gr->gr_gid && geteuid() == 0)
                vw_doctor_check_add(checks, "group", "warn", vw_manager_control_path(m), "restart vwired (or check vwired.socket's SocketGroup=)",
                          "the control socket %s does not belong to group vwire: its members cannot reach vwired",
                          vw_manager_control_path(m));
        else
                vw_doctor_check_add(checks, "group", "ok", "vwire", NULL,
                          "members of group vwire (gid %u) may change vwired's state", (unsigned)gr->gr_gid);
}

static void check_persist(struct vw_manager *m, json_object *checks)
{
        _cleanup_free_ char *parent = NULL;
        const char *dir = vw_manager_dropin_dir(m), *probe;
        char *slash;

        if (!dir) {
                vw_doctor_check_add(checks, "persist", "ok", vw_manager_config_file(m), NULL,
                          "vwired reads only %s (--config): `--persist` is not available", vw_manager_config_file(m));
                return;
        }
        probe = dir;
        if (access(dir, F_OK) < 0) {
                parent = strdup(dir);
                if (!parent)
                        return;
                if ((slash = strrchr(parent, '/')) && slash != parent)
                        *slash = 0;
                probe = parent;
        }
        if (access(probe, W_OK) < 0)
                vw_doctor_check_add(checks, "persist", "warn", dir,
                          "create it (systemd-tmpfiles --create) and restart vwired, whose unit makes it writable",
                          "`vwirectl add --persist` cannot write to %s: %s", dir, strerror(errno));
        else
                vw_doctor_check_add(checks, "persist", "ok", dir, NULL, "`--persist` writes drop-ins to %s", dir);
}

/* ---- leftovers ---- */

static void describe_path(const char *path, const struct stat *st, char *buf, size_t size)
{
        char target[512];
        ssize_t n;

        if (S_ISLNK(st->st_mode) && (n = readlink(path, target, sizeof(target) - 1)) >= 0) {
                target[n] = 0;
                snprintf(buf, size, "symlink to %s%s", target, access(path, F_OK) < 0 ? ", dangling" : "");
        } else if (S_ISSOCK(st->st_mode))
                snprintf(buf, size, "socket");
        else if (S_ISCHR(st->st_mode))
                snprintf(buf, size, "character device");
        else
                snprintf(buf, size, "file");
}

struct ledger_walk {
        struct vw_manager *m;
        json_object *checks;
        const char *ledger;
        unsigned found;
};

static void check_entry(const struct vw_ledger_entry *e, void *userdata)
{
        struct ledger_walk *w = userdata;
        char what[640], fix[4200];
        struct stat st;

        if (vw_manager_owns_path(w->m, e->path) || lstat(e->path, &st) < 0)
                return;
        describe_path(e->path, &st, what, sizeof(what));
        snprintf(fix, sizeof(fix), "rm %s", e->path);
        vw_doctor_check_add(w->checks, "stale", "warn", e->path, fix,
                            "%s (%s) is listed in %s, but no endpoint owns it: a leftover", e->path, what, w->ledger);
        w->found++;
}

static unsigned check_ledger(struct vw_manager *m, json_object *checks)
{
        _cleanup_free_ char *ledger = NULL;
        struct ledger_walk w = { .m = m, .checks = checks };

        if (!vw_manager_runtime_dir(m) || asprintf(&ledger, "%s/owned-paths", vw_manager_runtime_dir(m)) < 0)
                return 0;
        w.ledger = ledger;
        (void)vw_ledger_read(ledger, check_entry, &w);
        /* the other way round: made for a running endpoint, then deleted by someone */
        for (size_t i = 0; i < vw_manager_n_owned(m); i++) {
                const struct vw_owned *o = vw_manager_owned(m, i);
                struct stat st;
                if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
                        vw_doctor_check_add(checks, "stale", "warn", o->path,
                                            "restart vwired, or remove and add the endpoint, to make it again",
                                            "%s was made by vwired for a running endpoint but has been deleted",
                                            o->path);
                        w.found++;
                }
        }
        return w.found;
}

static bool hint_in_use(struct vw_manager *m, const char *name)
{
        char node[512];

        snprintf(node, sizeof(node), "/dev/%s", name);
        for (size_t i = 0; i < vw_manager_n_endpoints(m); i++) {
                const struct vw_endpoint *ep = vw_manager_endpoint(m, i);
                if (ep->ops->udev_hints && ep->path && streq(ep->path, node))
                        return true;
        }
        return false;
}

static unsigned check_udev_hints(struct vw_manager *m, json_object *checks)
{
        _cleanup_free_ char *dir = vw_udev_hint_dir(vw_manager_runtime_dir(m));
        struct dirent *de;
        unsigned found = 0;
        DIR *d;

        d = dir ? opendir(dir) : NULL;
        while (d && (de = readdir(d))) {
                char path[1024], fix[1100];
                if (de->d_name[0] == '.' || hint_in_use(m, de->d_name))
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                snprintf(fix, sizeof(fix), "rm %s (vwired also clears them when it next creates a CUSE port)", path);
                vw_doctor_check_add(checks, "stale", "warn", path, fix,
                          "udev hint %s is left from a CUSE port that no longer exists", path);
                found++;
        }
        if (d)
                closedir(d);
        return found;
}

/* ---- endpoints and routes ---- */

/* Returns 1 when the endpoint dropped data. */
static unsigned check_endpoint(json_object *checks, struct vw_endpoint *ep)
{
        const char *kind = ep->ops->kind;
        struct vw_counters c;

        if (ep->state == VW_STATE_FAILED) {
                vw_doctor_check_add(checks, "endpoint", "fail", ep->name, "see `journalctl -u vwired`; fix the cause, then "
                          "remove and add the endpoint, or restart vwired",
                          "%s %s has failed", kind, ep->name);
                return 0;
        }
        if (ep->ops->doctor)
                ep->ops->doctor(ep, checks);

        vw_port_get_counters(ep->port, &c);
        if (c.dropped_bytes == 0 && c.dropped_chunks == 0)
                return 0;
        vw_doctor_check_add(checks, "drops", "warn", ep->name,
                            "find the reader that does not keep up, or give its routes a larger buffer or overflow = block",
                            "%s %s dropped %llu bytes (%llu chunks)", kind, ep->name,
                            (unsigned long long)c.dropped_bytes, (unsigned long long)c.dropped_chunks);
        return 1;
}

static unsigned check_route(json_object *checks, struct vw_mroute *r)
{
        unsigned found = 0;

        for (int rev = 0; rev < 2; rev++) {
                struct vw_ring_stats st;
                char fix[256];

                if (vw_route_get_stats(r->route, rev, &st) < 0 || (st.bytes_dropped == 0 && st.chunks_dropped == 0))
                        continue;
                snprintf(fix, sizeof(fix), "give route %s a larger buffer (now %zu), or overflow = block so that "
                         "the writer waits instead", r->section->name, r->params.buffer);
                vw_doctor_check_add(checks, "drops", "warn", r->section->name, fix,
                          "route %s (%s, overflow = %s) dropped %llu bytes in %llu chunks", r->section->name,
                          rev ? "reverse" : "forward", vw_overflow_to_string(r->params.overflow),
                          (unsigned long long)st.bytes_dropped, (unsigned long long)st.chunks_dropped);
                found++;
        }
        return found;
}

static void method_doctor(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = vw_call_manager(cl);
        json_object *p = json_object_new_object(), *checks = json_object_new_array();
        unsigned stale, drops = 0;

        for (size_t i = 0; vw_backends[i]; i++)
                if (vw_backends[i]->doctor_host)
                        vw_backends[i]->doctor_host(checks, uses_backend(m, vw_backends[i]));
        check_group(m, checks);
        check_persist(m, checks);

        stale = check_ledger(m, checks) + check_udev_hints(m, checks);
        if (stale == 0)
                vw_doctor_check_add(checks, "stale", "ok", vw_manager_runtime_dir(m), NULL,
                          "no leftovers: every path in %s/owned-paths belongs to a running endpoint", vw_manager_runtime_dir(m));

        for (size_t i = 0; i < vw_manager_n_endpoints(m); i++)
                drops += check_endpoint(checks, vw_manager_endpoint(m, i));
        for (size_t i = 0; i < vw_manager_n_routes(m); i++)
                drops += check_route(checks, vw_manager_route(m, i));
        if (drops == 0)
                vw_doctor_check_add(checks, "drops", "ok", NULL, NULL, "no route or endpoint has dropped data");

        json_object_object_add(p, "version", json_object_new_string(VWIRE_VERSION));
        json_object_object_add(p, "protocol", json_object_new_int(VWIRE_PROTOCOL));
        json_object_object_add(p, "pid", json_object_new_int(getpid()));
        json_object_object_add(p, "runtime_directory", json_object_new_string(vw_manager_runtime_dir(m) ? vw_manager_runtime_dir(m) : ""));
        json_object_object_add(p, "checks", checks);
        vw_call_reply(cl, p);
}

const struct vw_method vw_doctor_methods[] = {
        { "io.vwire.Doctor", method_doctor },
        {}
};
