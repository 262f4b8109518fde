/* SPDX-License-Identifier: MIT */
/*
 * vwired as a long-running service: reload by difference while data streams through an untouched
 * port, a kill -9 and restart, one instance per runtime directory.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static const char *const base =
        "[serial a]\nbackend = pty\npath = %t/a\n"
        "[serial b]\nbackend = pty\npath = %t/b\n"
        "[route cable]\nfrom = a\nto = b\nduplex = yes\n";

static char *link_target(const char *path)
{
        static char buf[256];
        ssize_t n = readlink(path, buf, sizeof(buf) - 1);

        if (n < 0)
                return NULL;
        buf[n] = 0;
        return buf;
}

static bool names_in(json_object *result, const char *key, const char *name)
{
        json_object *a = vwt_jget(result, key);

        for (size_t i = 0; a && i < json_object_array_length(a); i++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), name) == 0)
                        return true;
        return false;
}

VWT_TEST(reload_while_streaming)
{
        struct vwt_proc *stream;
        char target_a[256];
        json_object *r;

        vwt_configf("%s[serial x]\nbackend = pty\npath = %%t/x\n[loopback e]\nmode = echo\n"
                    "[route xe]\nfrom = x\nto = e\nduplex = yes\n", base);
        vwt_start();
        snprintf(target_a, sizeof(target_a), "%s", link_target(vwt_run_path("a")));

        /* 32 MiB each way through a <-> b, checksummed, while the rest of the config churns */
        stream = vwt_py_start(VWT_PIPE_OUT, "serial_pair.py", vwt_run_path("a"), vwt_run_path("b"), "33554432");

        /* remove x, e and xe; add y */
        vwt_configf("%s[serial y]\nbackend = pty\npath = %%t/y\n", base);
        r = vwt_ctl_json("reload");
        ck_assert(names_in(r, "removed", "x") && names_in(r, "removed", "e") && names_in(r, "removed", "xe"));
        ck_assert(names_in(r, "added", "y"));
        ck_assert_int_eq(vwt_jint(r, "unchanged"), 3);
        ck_assert_int_ne(access(vwt_run_path("x"), F_OK), 0);
        ck_assert_int_eq(access(vwt_run_path("y"), F_OK), 0);

        /* change y (raw = no): recreated; a, b and cable untouched; this time by SIGHUP */
        vwt_configf("%s[serial y]\nbackend = pty\npath = %%t/y\nraw = no\n", base);
        vwt_signal(SIGHUP);
        ck_assert(VWT_WAIT_FOR(5000, strstr(vwt_log(), "1 changed") != NULL));

        /* an invalid edit is refused whole */
        vwt_configf("%s[serial z]\nbackend = nonsense\n", base);
        struct vwt_output o;
        ck_assert_int_eq(vwt_ctl(&o, "reload"), 1);
        ck_assert_ptr_nonnull(strstr(o.err, "vwire.conf:"));
        ck_assert(vwt_listed("y"));

        ck_assert_int_eq(vwt_proc_wait(stream, 200000), 0);
        ck_assert_str_eq(link_target(vwt_run_path("a")), target_a);
        r = vwt_ctl_json("show", "cable");
        ck_assert_int_eq(vwt_jint(r, "route.lanes.0.bytes_dropped"), 0);
        ck_assert_int_ge(vwt_jint(r, "route.lanes.0.bytes_out"), 33554432);
        vwt_stop();
}

VWT_TEST(kill9_then_restart)
{
        struct stat st;
        int status;

        vwt_configf("%s[socket s]\nlisten = unix:%%t/s.sock\n", base);
        vwt_start();
        vwt_signal(SIGKILL);
        status = vwt_wait_exit(10000);
        ck_assert_int_eq(status, 128 + SIGKILL);
        /* what a killed instance leaves: symlinks and a socket file */
        ck_assert_int_eq(lstat(vwt_run_path("a"), &st), 0);
        ck_assert_int_eq(lstat(vwt_run_path("s.sock"), &st), 0);

        vwt_start();
        ck_assert_ptr_nonnull(strstr(vwt_log(), "left behind by a previous vwired"));
        /* every device is back, pointing at live ptys, and data flows */
        ck_assert_int_eq(stat(vwt_run_path("a"), &st), 0);
        ck_assert(S_ISCHR(st.st_mode));
        int fa = vwt_serial_open(vwt_run_path("a")), fb = vwt_serial_open(vwt_run_path("b"));
        ck_assert(vwt_serial_roundtrip(fa, "after restart", 13, fb, "after restart", 13, 5000));
        close(fa);
        close(fb);
        vwt_stop();
        ck_assert_int_ne(lstat(vwt_run_path("a"), &st), 0);
        ck_assert_int_ne(lstat(vwt_run_path("s.sock"), &st), 0);
        ck_assert_int_ne(lstat(vwt_run_path("vwired.pid"), &st), 0);
}

VWT_TEST(one_instance_per_runtime_dir)
{
        struct vwt_output o;

        vwt_config(base);
        vwt_start();
        ck_assert_int_eq(vwt_run(&o, vwt_vwired_path(), "--config", vwt()->config, "--runtime-dir", vwt()->run,
                                 "--control-socket", vwt_path("other.sock")), 1);
        ck_assert_ptr_nonnull(strstr(o.err, "another vwired"));
        ck_assert_ptr_nonnull(strstr(o.err, "is already running"));
        /* the first one is unharmed */
        ck_assert_int_eq(vwt_ctl(NULL, "status"), 0);
        ck_assert_int_eq(access(vwt_run_path("a"), F_OK), 0);
        vwt_stop();
}

/* A reload that renames an endpoint and keeps its path: the new one starts first and takes the
 * symlink over, and the old one's stop must not remove it (tmpfs gives the new link the freed
 * inode number at once, so vwired tells its files apart by inode and change time). The same
 * for a unix socket. */
VWT_TEST(reload_rename_keeps_path)
{
        struct stat st;

        vwt_configf("%s[serial p]\nbackend = pty\npath = %%t/p\n[socket s]\nlisten = unix:%%t/s.sock\n", base);
        vwt_start();
        vwt_configf("%s[serial pp]\nbackend = pty\npath = %%t/p\n[socket ss]\nlisten = unix:%%t/s.sock\n", base);
        vwt_ctl_ok("reload");
        ck_assert_int_eq(stat(vwt_run_path("p"), &st), 0);
        ck_assert(S_ISCHR(st.st_mode));
        ck_assert_int_eq(lstat(vwt_run_path("s.sock"), &st), 0);
        ck_assert(S_ISSOCK(st.st_mode));
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "pp"), "endpoint.path"), vwt_run_path("p"));
        vwt_stop();
        ck_assert_int_ne(lstat(vwt_run_path("p"), &st), 0);
}

int main(void)
{
        Suite *s = suite_create("lifecycle");

        VWT_ADD(s, reload_while_streaming);
        VWT_ADD(s, kill9_then_restart);
        VWT_ADD(s, one_instance_per_runtime_dir);
        VWT_ADD(s, reload_rename_keeps_path);
        return vwt_main(s);
}
