/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for what a confined caller may name (devices/policy.c) and for the owned-paths
 * ledger records (common/ledger.c): the rules of docs/SECURITY.md checked without a daemon.
 * Directory walks run on a temporary tree with a made-up uid, so permission bits decide.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"
#include "endpoint.h"
#include "ledger.h"
#include "policy.h"
#include "test-common.h"

#define UID 54321
#define GID 54321

static struct vw_caller caller = { .uid = UID, .gid = GID, .n_groups = 1, .groups = { 100 } };
static struct vw_section section = { .kind = (char *)"serial", .name = (char *)"p", .caller = &caller, .fd = -1 };
static struct vw_endpoint ep = { .section = &section, .name = "p" };
static char top[64];

static void tree_setup(void)
{
        char p[128];

        snprintf(top, sizeof(top), "/tmp/vw-policy.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(top));
        ck_assert_int_eq(chmod(top, 0755), 0);
        snprintf(p, sizeof(p), "%s/mine", top);   /* the caller's own directory */
        ck_assert_int_eq(mkdir(p, 0755), 0);
        ck_assert_int_eq(chown(p, UID, GID), 0);
        snprintf(p, sizeof(p), "%s/root", top);   /* root's, not writable by the caller */
        ck_assert_int_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/other", top);  /* another user's, group-writable for the caller */
        ck_assert_int_eq(mkdir(p, 0775), 0);
        ck_assert_int_eq(chown(p, 4242, 100), 0);
        ck_assert_int_eq(chmod(p, 0775), 0);
        snprintf(p, sizeof(p), "%s/open", top);   /* world-writable, not sticky */
        ck_assert_int_eq(mkdir(p, 0777), 0);
        ck_assert_int_eq(chmod(p, 0777), 0);
        snprintf(p, sizeof(p), "%s/tmp", top);    /* world-writable, sticky: like /tmp */
        ck_assert_int_eq(mkdir(p, 0777), 0);
        ck_assert_int_eq(chmod(p, 01777), 0);
        snprintf(p, sizeof(p), "%s/closed", top); /* not searchable by the caller */
        ck_assert_int_eq(mkdir(p, 0700), 0);
        snprintf(p, sizeof(p), "%s/closed/in", top);
        ck_assert_int_eq(mkdir(p, 0777), 0);
        snprintf(p, sizeof(p), "%s/link", top);   /* a symlink to the caller's own directory */
        ck_assert_int_eq(symlink("mine", p), 0);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        return remove(path);
}

/* nftw, not system("rm -rf ..."): no shell reads a path made from $TMPDIR (cert-env33-c) */
static void tree_teardown(void)
{
        ck_assert_int_eq(nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static int parent(const char *rel)
{
        char path[256];
        char *base = NULL;
        int fd = -1, r;

        snprintf(path, sizeof(path), "%s/%s", top, rel);
        r = vw_policy_open_parent(&ep, path, &fd, &base);
        if (r >= 0) {
                ck_assert_int_ge(fd, 0);
                ck_assert_ptr_nonnull(base);
                ck_assert_ptr_null(strchr(base, '/'));
                close(fd);
                free(base);
        }
        return r;
}

START_TEST(test_parent_rules)
{
        if (geteuid() != 0)
                return; /* chown to a made-up uid needs root; CI runs as root */
        tree_setup();
        ck_assert_int_eq(parent("mine/port"), 0);
        ck_assert_int_eq(parent("tmp/port"), 0);
        ck_assert_int_eq(parent("root/port"), -EPERM);
        ck_assert_int_eq(parent("other/port"), -EPERM);   /* writable, but another user's */
        ck_assert_int_eq(parent("open/port"), -EPERM);    /* world-writable without sticky */
        ck_assert_int_eq(parent("closed/in/port"), -EPERM); /* cannot search on the way */
        ck_assert_int_eq(parent("link/port"), -EPERM);    /* a symlink in the path */
        ck_assert_int_eq(parent("mine/../root/port"), -EPERM);
        /* root (a config object) may do all of it, and follows symlinks in directories */
        section.caller = NULL;
        ck_assert_int_eq(parent("root/port"), 0);
        ck_assert_int_eq(parent("link/port"), 0);
        section.caller = &caller;
        tree_teardown();
}
END_TEST

START_TEST(test_owner_rules)
{
        ck_assert_int_eq(vw_policy_owner(&ep, (uid_t)-1, (gid_t)-1, (mode_t)-1), 0);
        ck_assert_int_eq(vw_policy_owner(&ep, UID, GID, 0660), 0);
        ck_assert_int_eq(vw_policy_owner(&ep, UID, 100, 0666), 0);       /* a supplementary group */
        ck_assert_int_eq(vw_policy_owner(&ep, 0, (gid_t)-1, 0600), -EPERM);
        ck_assert_int_eq(vw_policy_owner(&ep, (uid_t)-1, 0, 0600), -EPERM);
        ck_assert_int_eq(vw_policy_owner(&ep, (uid_t)-1, (gid_t)-1, 04755), -EPERM);
        ck_assert_int_eq(vw_policy_owner(&ep, (uid_t)-1, (gid_t)-1, 01777), -EPERM);
        section.caller = NULL;
        ck_assert_int_eq(vw_policy_owner(&ep, 0, 0, 04755), 0);
        section.caller = &caller;
}
END_TEST

START_TEST(test_listen_rules)
{
        struct vw_address a = { .family = VW_ADDR_TCP, .host = (char *)"127.0.0.1", .port = 4000, .text = (char *)"x" };

        ck_assert_int_eq(vw_policy_listen(&ep, &a), 0);
        a.port = 80;
        ck_assert_int_eq(vw_policy_listen(&ep, &a), -EPERM);
        a.port = 4000;
        for (const char *const *h = (const char *const[]){ "*", "0.0.0.0", "::", "", NULL }; *h; h++) {
                a.host = (char *)*h;
                ck_assert_msg(vw_policy_listen(&ep, &a) == -EPERM, "wildcard '%s' allowed", *h);
        }
        a = (struct vw_address){ .family = VW_ADDR_UNIX, .path = (char *)"@vw", .text = (char *)"unix:@vw" };
        ck_assert_int_eq(vw_policy_listen(&ep, &a), -EPERM);
        ck_assert_int_eq(vw_policy_connect_unix(&ep, "@vw"), -EPERM);
        section.caller = NULL;
        ck_assert_int_eq(vw_policy_listen(&ep, &a), 0);
        section.caller = &caller;
}
END_TEST

START_TEST(test_cuse_names)
{
        ck_assert(vw_cuse_name_is_valid("ttyVGPS0"));
        ck_assert(vw_cuse_name_is_valid("my_port-1.a"));
        ck_assert(!vw_cuse_name_is_valid("vwsecdir!probe"));
        ck_assert(!vw_cuse_name_is_valid("a/b"));
        ck_assert(!vw_cuse_name_is_valid(".."));
        ck_assert(!vw_cuse_name_is_valid(""));
        ck_assert(!vw_cuse_name_is_valid("a\nb"));
        ck_assert(vw_cuse_name_is_reserved("ttyUSB0"));
        ck_assert(vw_cuse_name_is_reserved("ttyS1"));
        ck_assert(vw_cuse_name_is_reserved("ttyACM0"));
        ck_assert(vw_cuse_name_is_reserved("tty3"));
        ck_assert(vw_cuse_name_is_reserved("console"));
        ck_assert(!vw_cuse_name_is_reserved("ttyVGPS0"));
        ck_assert(!vw_cuse_name_is_reserved("gps"));
        ck_assert_int_eq(vw_policy_cuse_name(&ep, "ttyUSB0"), -EPERM);
        ck_assert_int_eq(vw_policy_cuse_name(&ep, "null"), -EPERM);
        ck_assert_int_eq(vw_policy_cuse_name(&ep, "x!y"), -EPERM);
        section.caller = NULL;
        ck_assert_int_eq(vw_policy_cuse_name(&ep, "ttyUSB0"), 0);
        ck_assert_int_eq(vw_policy_cuse_name(&ep, "x!y"), -EPERM); /* for everyone */
        section.caller = &caller;
}
END_TEST

START_TEST(test_caller_may)
{
        ck_assert(vw_caller_may(&caller, UID, 0, 0700, 7));
        ck_assert(!vw_caller_may(&caller, UID, 0, 0077, 4));   /* owner bits win, like the kernel */
        ck_assert(vw_caller_may(&caller, 1, 100, 0070, 6));    /* supplementary group */
        ck_assert(!vw_caller_may(&caller, 1, 101, 0070, 4));
        ck_assert(vw_caller_may(&caller, 1, 101, 0004, 4));
        ck_assert(vw_caller_may(NULL, 1, 1, 0, 7));
}
END_TEST

/* A record survives a write/parse round trip whatever its path holds, and a path cannot
 * smuggle in a second record. */
START_TEST(test_ledger_roundtrip)
{
        static const char *const paths[] = { "/run/vwire/gps", "/tmp/a b", "/tmp/x\nl 1 2 /etc/passwd",
                                             "/tmp/back\\slash", "/tmp/\x01\x7f" };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                char *buf = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&buf, &len);
                struct vw_ledger_entry e;
                char *nl;

                ck_assert_int_eq(vw_ledger_write_entry(f, 'l', i % 2, 2049, 1234 + i, paths[i]), 0);
                fclose(f);
                nl = strchr(buf, '\n');
                ck_assert_ptr_nonnull(nl);
                ck_assert_ptr_eq(nl, buf + len - 1); /* exactly one line */
                *nl = 0;
                ck_assert_int_eq(vw_ledger_parse_line(buf, &e), 0);
                ck_assert_str_eq(e.path, paths[i]);
                ck_assert_int_eq(e.type, 'l');
                ck_assert_int_eq(e.confined, i % 2);
                ck_assert_uint_eq(e.dev, 2049);
                ck_assert_uint_eq(e.ino, 1234 + i);
                free(buf);
        }
}
END_TEST

START_TEST(test_ledger_bad_lines)
{
        static const char *const bad[] = { "", "/etc/passwd", "x 1 2 /a", "l 1 /a", "l 1 2 relative", "l 1 2 /a\\q",
                                           "l 1 2 /a\\x0", "l 1 2 /a\\x00b",
                                           /* only what vw_ledger_write_entry() writes: no sign, no
                                            * extra blanks, numbers that fit */
                                           "l -1 2 /a", "l +1 2 /a", "l  1 2 /a", "l 1 2/a", "l1 2 /a", "l 1  2 /a",
                                           "l 18446744073709551616 2 /a", "l 1 99999999999999999999 /a", "l 1 2 " };
        struct vw_ledger_entry e;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(vw_ledger_parse_line(bad[i], &e) == -EINVAL, "accepted '%s'", bad[i]);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("policy");
        TCase *tc = vw_test_case(s, "policy");

        tcase_add_test(tc, test_parent_rules);
        tcase_add_test(tc, test_owner_rules);
        tcase_add_test(tc, test_listen_rules);
        tcase_add_test(tc, test_cuse_names);
        tcase_add_test(tc, test_caller_may);
        tcase_add_test(tc, test_ledger_roundtrip);
        tcase_add_test(tc, test_ledger_bad_lines);
        return vw_test_run(s);
}
