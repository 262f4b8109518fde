/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "macro.h"
#include "net-mark.h"

int vw_net_mark_format(const char *name, pid_t pid, char *buf, size_t size)
{
        int n = snprintf(buf, size, VW_NET_MARK_PREFIX "%s pid=%d", name, (int)pid);

        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int vw_net_mark_parse(const char *alias, char *name, size_t size, pid_t *ret_pid)
{
        const char *p, *sp;
        unsigned long pid;
        char *end;
        size_t n;

        if (!strneq(alias, VW_NET_MARK_PREFIX, strlen(VW_NET_MARK_PREFIX)))
                return -EINVAL;
        p = alias + strlen(VW_NET_MARK_PREFIX);
        sp = strchr(p, ' ');
        if (!sp || !strneq(sp, " pid=", 5) || sp[5] < '1' || sp[5] > '9')
                return -EINVAL;
        n = (size_t)(sp - p);
        if (n == 0 || n >= size)
                return -EINVAL;
        errno = 0;
        pid = strtoul(sp + 5, &end, 10);
        if (errno || *end || pid > 0x3fffffff) /* PID_MAX_LIMIT is 2^22; anything far above is not a pid */
                return -EINVAL;
        memcpy(name, p, n);
        name[n] = '\0';
        if (!vw_name_is_valid(name))
                return -EINVAL;
        *ret_pid = (pid_t)pid;
        return 0;
}

/* A zombie (killed, not reaped yet) runs nothing: /proc/PID/stat is "PID (COMM) STATE ...". */
bool vw_pid_is_vwired(pid_t pid)
{
        char path[64], stat[512] = "";
        _cleanup_close_ int fd = -1;
        const char *open_paren, *close_paren;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        n = read(fd, stat, sizeof(stat) - 1);
        if (n <= 0)
                return false;
        stat[n] = '\0';
        open_paren = strchr(stat, '(');
        close_paren = strrchr(stat, ')');
        if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ')
                return false;
        return (size_t)(close_paren - open_paren - 1) == strlen("vwired") && strneq(open_paren + 1, "vwired", 6) &&
               close_paren[2] != 'Z' && close_paren[2] != 'X';
}
