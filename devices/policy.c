/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoint.h"
#include "log.h"
#include "policy.h"

static const struct vw_caller *caller_of(struct vw_endpoint *ep)
{
        return ep->section ? ep->section->caller : NULL;
}

int vw_policy_owner(struct vw_endpoint *ep, uid_t owner, gid_t group, mode_t mode)
{
        const struct vw_caller *c = caller_of(ep);

        if (vw_caller_is_root(c))
                return 0;
        if (owner != (uid_t)-1 && owner != c->uid)
                return log_error_errno(EPERM, "%s %s: uid %u may not give it to owner %u "
                                       "(rule: owner = only the caller's own uid)",
                                       ep->section->kind, ep->name, (unsigned)c->uid, (unsigned)owner);
        if (group != (gid_t)-1 && !vw_caller_in_group(c, group))
                return log_error_errno(EPERM, "%s %s: uid %u may not give it to group %u "
                                       "(rule: group = only one of the caller's groups)",
                                       ep->section->kind, ep->name, (unsigned)c->uid, (unsigned)group);
        if (mode != (mode_t)-1 && (mode & 07000))
                return log_error_errno(EPERM, "%s %s: mode %04o: setuid, setgid and sticky bits are refused "
                                       "(rule: mode = permission bits only)",
                                       ep->section->kind, ep->name, (unsigned)mode);
        return 0;
}

static int refuse_path(struct vw_endpoint *ep, const char *path, const char *fmt, const char *arg)
        _printf_(3, 0);
static int refuse_path(struct vw_endpoint *ep, const char *path, const char *fmt, const char *arg)
{
        const struct vw_caller *c = caller_of(ep);
        char why[512];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(why, sizeof(why), fmt, arg); /* fmt: a literal with one %s, from this file */
#pragma GCC diagnostic pop
        return log_error_errno(EPERM, "%s %s: %s: uid %u: %s (rule: names are resolved with the caller's rights)",
                               ep->section->kind, ep->name, path, c ? (unsigned)c->uid : 0u, why);
}

/* Walk `path` up to (not including) its last component. */
static int walk_parent(struct vw_endpoint *ep, const char *path, bool need_write, int *ret_dirfd, char **ret_base)
{
        const struct vw_caller *c = caller_of(ep);
        bool confined = !vw_caller_is_root(c);
        _cleanup_free_ char *copy = NULL;
        _cleanup_close_ int fd = -1;
        char *p, *slash, *base;
        struct stat st;

        if (path[0] != '/')
                return log_error_errno(EINVAL, "%s %s: %s: not an absolute path", ep->section->kind, ep->name, path);
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        slash = strrchr(copy, '/');
        base = slash + 1;
        *slash = 0;
        if (!*base || streq(base, ".") || streq(base, ".."))
                return log_error_errno(EINVAL, "%s %s: %s: does not name a file", ep->section->kind, ep->name, path);
        if (!confined) {
                /* root's word: one open of the directory, symlinks in it followed (/var/run) */
                fd = open(copy[0] ? copy : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(errno, "%s %s: %s: cannot open its directory", ep->section->kind,
                                               ep->name, path);
                goto done;
        }
        fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        for (p = copy + 1; p && *p;) {
                char *next = strchr(p, '/');
                int nfd;

                if (next)
                        *next++ = 0;
                if (!*p) { /* "//" */
                        p = next;
                        continue;
                }
                if (confined && (streq(p, ".") || streq(p, "..")))
                        return refuse_path(ep, path, "'%s' in a path is refused", p);
                if (confined) {
                        if (fstat(fd, &st) < 0)
                                return negative_errno();
                        if (!vw_caller_may(c, st.st_uid, st.st_gid, st.st_mode, 1))
                                return refuse_path(ep, path, "may not search a directory on the way to '%s'", p);
                }
                nfd = openat(fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC | (confined ? O_NOFOLLOW : 0));
                if (nfd < 0) {
                        int e = errno;
                        if (confined && (e == ELOOP || e == ENOTDIR) &&
                            fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                                return refuse_path(ep, path, "'%s' is a symlink: give the real path", p);
                        return log_error_errno(e, "%s %s: %s: cannot open directory '%s'", ep->section->kind,
                                               ep->name, path, p);
                }
                close(fd);
                fd = nfd;
                p = next;
        }
        if (confined) {
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                if (!vw_caller_may(c, st.st_uid, st.st_gid, st.st_mode, need_write ? 3 : 1))
                        return refuse_path(ep, path, "may not %s in its directory",
                                           need_write ? "create files" : "look");
                if (need_write && (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
                        return refuse_path(ep, path, "%s", "its directory is world-writable without the sticky bit");
                if (need_write && st.st_uid != 0 && st.st_uid != c->uid)
                        return refuse_path(ep, path, "%s", "its directory belongs to another user");
        }
done:
        if (ret_base && !(*ret_base = strdup(base)))
                return -ENOMEM;
        *ret_dirfd = TAKE_FD(fd);
        return 0;
}

int vw_policy_open_parent(struct vw_endpoint *ep, const char *path, int *ret_dirfd, char **ret_base)
{
        return walk_parent(ep, path, true, ret_dirfd, ret_base);
}

int vw_policy_connect_unix(struct vw_endpoint *ep, const char *path)
{
        const struct vw_caller *c = caller_of(ep);
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dirfd = -1;
        struct stat st;
        int r;

        if (vw_caller_is_root(c))
                return 0;
        if (path[0] == '@')
                return refuse_path(ep, path, "%s", "abstract unix sockets are open to every local user; root only");
        r = walk_parent(ep, path, false, &dirfd, &base);
        if (r < 0)
                return r;
        /* walk_parent() sets base whenever it returns 0; clang 14's analyzer loses that log_error_errno() returns < 0
         * (it assumes -e >= 0 for e > 0) and follows the failed call on with the result unset */
        /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
        if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0; /* nothing there yet: connect() fails (and retries) on its own */
        if (S_ISLNK(st.st_mode))
                return refuse_path(ep, path, "%s", "is a symlink: give the real path");
        if (!vw_caller_may(c, st.st_uid, st.st_gid, st.st_mode, 2))
                return refuse_path(ep, path, "%s", "may not connect to this socket");
        return 0;
}

static bool is_wildcard(const char *host)
{
        return !host || !*host || streq(host, "*") || streq(host, "0.0.0.0") || streq(host, "::") ||
               streq(host, "[::]");
}

int vw_policy_listen(struct vw_endpoint *ep, const struct vw_address *a)
{
        const struct vw_caller *c = caller_of(ep);

        if (vw_caller_is_root(c))
                return 0;
        if (a->family == VW_ADDR_UNIX && a->path && a->path[0] == '@')
                return log_error_errno(EPERM, "%s %s: listen = %s: abstract unix sockets are open to every "
                                       "local user (rule: abstract names are root's)",
                                       ep->section->kind, ep->name, a->text);
        if (a->family != VW_ADDR_TCP && a->family != VW_ADDR_UDP)
                return 0;
        if (a->port < 1024)
                return log_error_errno(EPERM, "%s %s: listen = %s: uid %u may not listen on a port below 1024 "
                                       "(rule: privileged ports are root's)",
                                       ep->section->kind, ep->name, a->text, (unsigned)c->uid);
        if (is_wildcard(a->host))
                return log_error_errno(EPERM, "%s %s: listen = %s: uid %u may not listen on every interface; "
                                       "name an address such as 127.0.0.1 (rule: wildcard addresses are root's)",
                                       ep->section->kind, ep->name, a->text, (unsigned)c->uid);
        return 0;
}

int vw_policy_net_admin(struct vw_endpoint *ep)
{
        const struct vw_caller *c = caller_of(ep);

        if (vw_caller_is_root(c))
                return 0;
        return log_error_errno(EPERM, "%s %s: uid %u may not create network adapters or move them between "
                               "namespaces (rule: [net] is root's, it needs CAP_NET_ADMIN)",
                               ep->section->kind, ep->name, (unsigned)c->uid);
}

int vw_policy_device(struct vw_endpoint *ep, const char *path)
{
        const struct vw_caller *c = caller_of(ep);

        if (vw_caller_is_root(c))
                return 0;
        return log_error_errno(EPERM,
                               "serial %s: uid %u may not open %s (rule: backend = device only in "
                               "configuration files or for root: vwired would open it with its own rights)",
                               ep->name, (unsigned)c->uid, path);
}

bool vw_cuse_name_is_valid(const char *name)
{
        if (!*name || streq(name, ".") || streq(name, ".."))
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
                        return false;
        return true;
}

bool vw_cuse_name_is_reserved(const char *name)
{
        /* Names the kernel or common drivers give their own devices: a port there would be
         * mistaken for hardware, or pre-claim a name a real device needs. */
        static const char *const prefixes[] = {
                "ttyS", "ttyUSB", "ttyACM", "ttyAMA", "ttyGS", "ttyO", "ttyHS", "ttyMFD", "ttymxc",
                "ttySAC", "ttyTHS", "ttyPS", "ttyLP", "ttyEQ", "rfcomm", "hidraw", "uinput", "cuse",
                "fuse", "console", "ptmx", "pts", "null", "zero", "full", "mem", "kmem", "port",
                "random", "urandom", "kmsg", "vcs", "vhost", "net", "snd", "input", "dri", "nvme",
                "sd", "hd", "sr", "loop", "nbd", "md", "dm-", "mapper", "shm", "mqueue", "hugepages",
                "watchdog", "rtc", "tpm", "usb", "bus", "disk", "block", "char", "fd", "std", "core",
                "log", "initctl", "autofs", "btrfs-control", "kvm", "cpu", "mei", "i2c", "spidev",
                "gpiochip", "video", "media", "ttyprintk", NULL,
        };

        if (strneq(name, "tty", 3) && (name[3] == 0 || isdigit((unsigned char)name[3])))
                return true;
        for (size_t i = 0; prefixes[i]; i++)
                if (strneq(name, prefixes[i], strlen(prefixes[i])))
                        return true;
        return false;
}

int vw_policy_cuse_name(struct vw_endpoint *ep, const char *name)
{
        const struct vw_caller *c = caller_of(ep);
        char buf[512];
        struct stat st;

        if (!vw_cuse_name_is_valid(name))
                return log_error_errno(EPERM, "serial %s: device name '%s': only letters, digits, '_', '.' and '-' "
                                       "(rule: CUSE names are [A-Za-z0-9_.-]+; '!' would make a subdirectory)",
                                       ep->name, name);
        if (vw_caller_is_root(c))
                return 0;
        if (vw_cuse_name_is_reserved(name))
                return log_error_errno(EPERM, "serial %s: device name '%s' looks like a kernel device; uid %u may not "
                                       "claim it (rule: kernel name patterns such as ttyS*, ttyUSB*, ttyACM* are root's)",
                                       ep->name, name, (unsigned)c->uid);
        snprintf(buf, sizeof(buf), "/dev/%s", name);
        if (lstat(buf, &st) == 0)
                return log_error_errno(EPERM, "serial %s: %s exists (rule: a CUSE name must be new)", ep->name, buf);
        snprintf(buf, sizeof(buf), "/sys/class/cuse/%s", name);
        if (lstat(buf, &st) == 0)
                return log_error_errno(EPERM, "serial %s: a CUSE device '%s' exists (rule: a CUSE name must be new)",
                                       ep->name, name);
        return 0;
}
