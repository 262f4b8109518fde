/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "owned.h"

void vw_owned_free(struct vw_owned *o)
{
        if (!o)
                return;
        safe_close(o->dirfd);
        free(o->path);
        free(o->base);
        free(o);
}

static bool type_matches(char type, mode_t mode)
{
        return (type == 'l' && S_ISLNK(mode)) || (type == 's' && S_ISSOCK(mode));
}

bool vw_owned_matches(const struct vw_owned *o, const struct stat *st)
{
        return type_matches(o->type, st->st_mode) && st->st_dev == o->dev && st->st_ino == o->ino &&
               st->st_ctim.tv_sec == o->ctime.tv_sec && st->st_ctim.tv_nsec == o->ctime.tv_nsec;
}

bool vw_owned_is_intact(const struct vw_owned *o)
{
        struct stat st;

        return fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && vw_owned_matches(o, &st);
}

int vw_ledger_read(const char *path, void (*cb)(const struct vw_ledger_entry *e, void *userdata), void *userdata)
{
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        int fd;

        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        f = fdopen(fd, "re");
        if (!f) {
                close(fd);
                return negative_errno();
        }
        n = getline(&line, &cap, f);
        if (n < 0)
                return 0;
        line[strcspn(line, "\n")] = 0;
        if (!streq(line, VW_LEDGER_HEADER)) {
                log_warning("%s: not a version 2 ledger; its entries cannot be checked and are ignored", path);
                return -EPROTO;
        }
        while ((n = getline(&line, &cap, f)) >= 0) {
                struct vw_ledger_entry e;
                if (n == 0 || line[n - 1] != '\n')
                        break; /* a torn last line */
                line[n - 1] = 0;
                if (vw_ledger_parse_line(line, &e) < 0) {
                        log_warning("%s: ignoring a malformed record", path);
                        continue;
                }
                cb(&e, userdata);
        }
        return 0;
}

int vw_ledger_entry_open(const struct vw_ledger_entry *e, int *ret_dirfd, const char **ret_base)
{
        _cleanup_close_ int fd = -1;
        char buf[sizeof(e->path)];
        const char *base;
        struct stat st;
        char *slash;

        memcpy(buf, e->path, sizeof(buf));
        slash = strrchr(buf, '/');
        *slash = 0;
        base = e->path + (slash - buf) + 1;
        if (!e->confined) {
                fd = open(buf[0] ? buf : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        } else {
                fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                for (char *p = buf + 1, *next; fd >= 0 && p && *p; p = next) {
                        int nfd;
                        next = strchr(p, '/');
                        if (next)
                                *next++ = 0;
                        nfd = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        close(fd);
                        fd = nfd;
                }
        }
        if (fd < 0)
                return negative_errno();
        if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!type_matches(e->type, st.st_mode) || st.st_dev != e->dev || st.st_ino != e->ino)
                return -ESTALE;
        *ret_base = base;
        *ret_dirfd = TAKE_FD(fd);
        return 0;
}
