/* SPDX-License-Identifier: MIT */
/*
 * Symlinks and sockets vwired makes at configured or client-given paths, and the ledger that
 * lets the next vwired remove them after a crash. Every path is opened through its directory
 * (policy.h: with the creator's rights), made relative to that directory fd, and removed only
 * while it is still the inode vwired made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "endpoint.h"
#include "log.h"
#include "manager-internal.h"
#include "owned.h"
#include "policy.h"

static int on_ledger(sd_event_source *s, void *userdata)
{
        manager_ledger_save(userdata);
        return 0;
}

/* Batch ledger writes: starting 1000 ports must not rewrite the file 1000 times. */
static void ledger_dirty(struct vw_manager *m)
{
        if (!m->ledger_event && sd_event_add_defer(m->event, &m->ledger_event, on_ledger, m) < 0) {
                manager_ledger_save(m);
                return;
        }
        (void)sd_event_source_set_enabled(m->ledger_event, SD_EVENT_ONESHOT);
}

void manager_ledger_save(struct vw_manager *m)
{
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        FILE *f;
        int fd;

        if (asprintf(&path, "%s/owned-paths", m->runtime_dir) < 0 ||
            asprintf(&tmp, "%s/.owned-paths.tmp", m->runtime_dir) < 0)
                return;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || !(f = fdopen(fd, "we"))) {
                log_warning_errno(errno, "cannot write %s", tmp);
                safe_close(fd);
                return;
        }
        fprintf(f, "%s\n", VW_LEDGER_HEADER);
        for (size_t i = 0; i < m->n_owned; i++) {
                const struct vw_owned *o = m->owned[i];
                (void)vw_ledger_write_entry(f, o->type, o->confined, o->dev, o->ino, o->path);
        }
        if (fclose(f) != 0 || rename(tmp, path) < 0) {
                log_warning_errno(errno, "cannot update %s", path);
                (void)unlink(tmp);
        }
}

static void remove_one(const struct vw_ledger_entry *e, void *userdata)
{
        _cleanup_close_ int dirfd = -1;
        const char *base;
        int r = vw_ledger_entry_open(e, &dirfd, &base);

        if (r == -ENOENT)
                return;
        if (r < 0) {
                log_warning("not removing %s left by a previous run: it is no longer the %s that run made",
                            e->path, e->type == 'l' ? "symlink" : "socket");
                return;
        }
        if (unlinkat(dirfd, base, 0) == 0)
                log_notice("removed %s left behind by a previous vwired that did not stop cleanly", e->path);
}

void manager_remove_stale(struct vw_manager *m)
{
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "%s/owned-paths", m->runtime_dir) < 0)
                return;
        if (vw_ledger_read(path, remove_one, m) != -ENOENT)
                (void)unlink(path);
}

static int record(struct vw_endpoint *ep, struct vw_owned *o)
{
        struct vw_manager *m = ep->manager;
        struct vw_owned **n;
        struct stat st;

        if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        o->dev = st.st_dev;
        o->ino = st.st_ino;
        o->ctime = st.st_ctim;
        n = realloc(m->owned, (m->n_owned + 1) * sizeof(struct vw_owned *));
        if (!n)
                return -ENOMEM;
        m->owned = n;
        n[m->n_owned++] = o;
        ledger_dirty(m);
        return 0;
}

static void forget(struct vw_manager *m, struct vw_owned *o)
{
        for (size_t i = 0; i < m->n_owned; i++)
                if (m->owned[i] == o) {
                        memmove(m->owned + i, m->owned + i + 1, (m->n_owned - i - 1) * sizeof(struct vw_owned *));
                        m->n_owned--;
                        ledger_dirty(m);
                        return;
                }
}

/* A record of ours for the file that is at dirfd/base now? */
static struct vw_owned *find_ours(struct vw_manager *m, int dirfd, const char *base, const struct stat *st)
{
        for (size_t i = 0; i < m->n_owned; i++) {
                struct vw_owned *o = m->owned[i];
                if (vw_owned_matches(o, st))
                        return o;
        }
        (void)dirfd;
        (void)base;
        return NULL;
}

static int owned_new(struct vw_endpoint *ep, const char *path, char type, struct vw_owned **ret)
{
        _cleanup_(vw_owned_freep) struct vw_owned *o = calloc(1, sizeof(*o));
        int r;

        if (!o)
                return -ENOMEM;
        o->dirfd = -1;
        o->type = type;
        o->confined = !vw_caller_is_root(ep->section->caller);
        o->path = strdup(path);
        if (!o->path)
                return -ENOMEM;
        r = vw_policy_open_parent(ep, path, &o->dirfd, &o->base);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

int vw_endpoint_make_symlink(struct vw_endpoint *ep, const char *path, const char *target, struct vw_owned **ret)
{
        _cleanup_(vw_owned_freep) struct vw_owned *o = NULL;
        struct stat st;
        int r;

        r = owned_new(ep, path, 'l', &o);
        if (r < 0)
                return r;
        if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                /* ours: an endpoint being replaced by a reload; its stop() leaves ours alone */
                if (!find_ours(ep->manager, o->dirfd, o->base, &st))
                        return log_error_errno(EEXIST, "%s %s: %s already exists and is not ours; "
                                               "remove it or choose another path", ep->section->kind, ep->name, path);
                (void)unlinkat(o->dirfd, o->base, 0);
        }
        if (symlinkat(target, o->dirfd, o->base) < 0)
                return log_error_errno(errno, "%s %s: cannot create symlink %s -> %s", ep->section->kind, ep->name,
                                       path, target);
        r = record(ep, o);
        if (r < 0) {
                (void)unlinkat(o->dirfd, o->base, 0);
                return r;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

static bool socket_is_dead(int dirfd, const char *base)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return false;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, base);
        return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ECONNREFUSED;
}

/* Set mode and owner of the socket at dirfd/base, by an O_PATH descriptor of it (no symlink
 * can be swapped in between: O_NOFOLLOW and a type check). */
static int socket_fix(struct vw_endpoint *ep, int dirfd, const char *base, const char *path, mode_t mode, uid_t owner,
                      gid_t group)
{
        _cleanup_close_ int fd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        char proc[64];
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return log_error_errno(errno, "%s %s: cannot open %s", ep->section->kind, ep->name, path);
        if (!S_ISSOCK(st.st_mode))
                return log_error_errno(EEXIST, "%s %s: %s was replaced while binding", ep->section->kind, ep->name,
                                       path);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (chmod(proc, mode) < 0)
                return log_error_errno(errno, "%s %s: cannot chmod %s to %04o", ep->section->kind, ep->name, path,
                                       (unsigned)mode);
        if ((owner != (uid_t)-1 || group != (gid_t)-1) && fchownat(fd, "", owner, group, AT_EMPTY_PATH) < 0)
                return log_error_errno(errno, "%s %s: cannot chown %s", ep->section->kind, ep->name, path);
        return 0;
}

static int bind_at(int fd, int dirfd, const char *base)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, base) >=
            sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
}

/* Bind in vwired's private directory, set mode and owner there, then rename into place: the
 * socket appears at its path already with its final permissions. */
static int bind_private(struct vw_endpoint *ep, int fd, struct vw_owned *o, mode_t mode, uid_t owner, gid_t group)
{
        struct vw_manager *m = ep->manager;
        char tmp[64];
        int r;

        if (m->private_fd < 0)
                return -EXDEV;
        snprintf(tmp, sizeof(tmp), "sock.%u", ++m->private_seq);
        (void)unlinkat(m->private_fd, tmp, 0);
        r = bind_at(fd, m->private_fd, tmp);
        if (r < 0)
                return r;
        r = socket_fix(ep, m->private_fd, tmp, o->path, mode, owner, group);
        if (r >= 0 && renameat2(m->private_fd, tmp, o->dirfd, o->base, RENAME_NOREPLACE) < 0)
                r = -errno;
        if (r < 0)
                (void)unlinkat(m->private_fd, tmp, 0);
        return r;
}

int vw_endpoint_bind_unix(struct vw_endpoint *ep, int fd, const char *path, mode_t mode, uid_t owner, gid_t group,
                          struct vw_owned **ret)
{
        _cleanup_(vw_owned_freep) struct vw_owned *o = NULL;
        struct stat st;
        int r;

        r = owned_new(ep, path, 's', &o);
        if (r < 0)
                return r;
        if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (!S_ISSOCK(st.st_mode) || !find_ours(ep->manager, o->dirfd, o->base, &st))
                        return log_error_errno(EEXIST, "%s %s: %s: path exists and is not ours; "
                                               "remove it or choose another path", ep->section->kind, ep->name, path);
                if (!socket_is_dead(o->dirfd, o->base))
                        return log_error_errno(EADDRINUSE, "%s %s: %s: another endpoint listens on it",
                                               ep->section->kind, ep->name, path);
                (void)unlinkat(o->dirfd, o->base, 0);
        }
        r = bind_private(ep, fd, o, mode, owner, group);
        if (r == -EXDEV || r == -ENAMETOOLONG) {
                /* another file system: bind in place, created 0700 by the umask until fixed */
                mode_t old = umask(0077);
                r = bind_at(fd, o->dirfd, o->base);
                umask(old);
                if (r >= 0)
                        r = socket_fix(ep, o->dirfd, o->base, path, mode, owner, group);
        }
        if (r == -EEXIST)
                return log_error_errno(EEXIST, "%s %s: %s: path exists and is not ours", ep->section->kind, ep->name,
                                       path);
        if (r < 0)
                return log_error_errno(r, "%s %s: cannot bind %s", ep->section->kind, ep->name, path);
        r = record(ep, o);
        if (r < 0) {
                (void)unlinkat(o->dirfd, o->base, 0);
                return r;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

void vw_endpoint_unmake(struct vw_endpoint *ep, struct vw_owned *o)
{
        if (!o)
                return;
        if (vw_owned_is_intact(o))
                (void)unlinkat(o->dirfd, o->base, 0);
        forget(ep->manager, o);
        vw_owned_free(o);
}

bool manager_owns_path(struct vw_manager *m, const char *path)
{
        for (size_t i = 0; i < m->n_owned; i++)
                if (streq(m->owned[i]->path, path))
                        return true;
        return false;
}
