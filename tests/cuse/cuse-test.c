/* SPDX-License-Identifier: MIT */
/* Helpers of the CUSE kernel suites (cuse-test.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cuse-test.h"
#include "harness.h"

const char *dev(const char *suffix)
{
        return vwt_strf("/dev/ttyVT%d%s", (int)getpid() % 1000, suffix);
}

void pair_config(const char *extra_a, const char *extra_b, const char *route_extra)
{
        vwt_configf("[serial a]\nbackend = cuse\npath = %s\n%s\n"
                    "[serial b]\nbackend = cuse\npath = %s\n%s\n"
                    "[route cable]\nfrom = a\nto = b\nduplex = yes\n%s\n",
                    dev("a"), extra_a, dev("b"), extra_b, route_extra);
}

void py_ok(int timeout_ms, const char *const *args)
{
        struct vwt_output o;
        int r = vwt_pyv(&o, timeout_ms, "cuse_client.py", args);

        if (r != 0)
                vwt_fail("cuse_client.py %s failed (%d):\n%s%s", args[0], r, o.out, o.err);
}

int open_dev(const char *path, int flags)
{
        int fd = open(path, flags | O_NOCTTY | O_CLOEXEC);

        if (fd < 0)
                vwt_fail("open %s: %s", path, strerror(errno));
        return fd;
}

int wait_child(pid_t child, int ms)
{
        int st;

        for (int t = 0; t < ms; t += 20) {
                if (waitpid(child, &st, WNOHANG) == child)
                        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                usleep(20 * 1000);
        }
        return -1;
}
