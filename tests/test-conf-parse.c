/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the typed value parsers of common/conf-parse.c (vw_parse_*): table-driven good
 * and bad values for every type, and %t expansion. The files that use them: test-config.c.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "conf-parse.h"
#include "conffile.h"
#include "macro.h"
#include "test-common.h"

/* ---- value parsers ---- */

/* Run one parser; on failure *dst must be untouched and *err set. */
static int parse_one(vw_key_parse_t parse, const char *in, void *dst, size_t size, const struct vw_key *k,
                     char **err)
{
        unsigned char before[256];
        int r;

        ck_assert_uint_le(size, sizeof(before));
        memcpy(before, dst, size);
        *err = NULL;
        r = parse(in, dst, k, err);
        if (r < 0) {
                ck_assert_msg(memcmp(before, dst, size) == 0, "'%s': output changed on failure", in);
                ck_assert_msg(*err && **err, "'%s': failure without an explanation", in);
        } else {
                ck_assert_msg(!*err, "'%s': success with an explanation", in);
        }
        return r;
}

struct num_case {
        const char *in;
        bool ok;
        uint64_t value;
};

static void num_cases(vw_key_parse_t parse, const struct num_case *cases, size_t n, size_t width)
{
        for (size_t i = 0; i < n; i++) {
                union {
                        bool b;
                        unsigned u;
                        uint32_t u32;
                        uint64_t u64;
                        unsigned char bytes[8];
                } out;
                _cleanup_free_ char *err = NULL;
                uint64_t got;
                int r;

                memset(&out, 0xa5, sizeof(out));
                r = parse_one(parse, cases[i].in, &out, sizeof(out), NULL, &err);
                ck_assert_msg((r == 0) == cases[i].ok, "'%s': r=%d (%s)", cases[i].in, r, err ? err : "");
                if (!cases[i].ok) {
                        ck_assert_int_eq(r, -EINVAL);
                        ck_assert_msg(strstr(err, cases[i].in), "'%s': the explanation '%s' does not quote it",
                                      cases[i].in, err);
                        continue;
                }
                got = width == 1 ? out.b : width == 4 ? out.u32 : out.u64;
                ck_assert_msg(got == cases[i].value, "'%s': got %" PRIu64 ", expected %" PRIu64, cases[i].in, got,
                              cases[i].value);
                if (width < 8) /* nothing written past the field */
                        ck_assert_uint_eq(out.bytes[7], 0xa5);
        }
}

START_TEST(test_parse_bool)
{
        static const struct num_case cases[] = {
                { "yes", true, 1 }, { "YES", true, 1 },  { "true", true, 1 },  { "on", true, 1 },
                { "1", true, 1 },   { "no", true, 0 },   { "False", true, 0 }, { "off", true, 0 },
                { "0", true, 0 },   { "", false },       { "2", false },       { "yess", false },
                { "y", false },     { "yes ", false },   { "enable", false },
        };

        num_cases(vw_parse_bool, cases, ELEMENTSOF(cases), sizeof(bool));
}
END_TEST

START_TEST(test_parse_mode)
{
        static const struct num_case cases[] = {
                { "0660", true, 0660 },  { "660", true, 0660 },  { "0", true, 0 },      { "7777", true, 07777 },
                { "04755", true, 04755 }, { "10000", false },     { "0689", false },    { "", false },
                { "-1", false },         { "-0", false },        { "+660", false },    { " 660", false },
                { "0x1ff", false },      { "rw-rw----", false }, { "0660 ", false },
        };

        ck_assert_uint_eq(sizeof(mode_t), 4);
        num_cases(vw_parse_mode, cases, ELEMENTSOF(cases), sizeof(mode_t));
}
END_TEST

START_TEST(test_parse_size)
{
        static const struct num_case cases[] = {
                { "0", true, 0 }, { "4096", true, 4096 }, { "64K", true, 65536 }, { "64k", true, 65536 },
                { "64KiB", true, 65536 }, { "64KB", true, 65536 }, { "1M", true, 1048576 }, { "2G", true, 2ULL << 30 },
                { "100B", true, 100 }, { "16777215G", true, 16777215ULL << 30 },
                { "18446744073709551615", true, UINT64_MAX }, { "", false }, { "K", false }, { "1.5M", false },
                { "64X", false }, { "-1", false }, { "+1", false }, { "4096/s", false },
                { "64 K", false }, { "10iB", false }, { "1T", false }, { "18446744073709551616", false },
                { "17179869184G", false },
        };

        num_cases(vw_parse_size, cases, ELEMENTSOF(cases), sizeof(size_t));
}
END_TEST

START_TEST(test_parse_rate)
{
        static const struct num_case cases[] = {
                { "9600", true, 9600 }, { "10K", true, 10240 },  { "1M/s", true, 1048576 }, { "1MiB/s", true, 1048576 },
                { "10/s", true, 10 },   { "0", true, 0 },        { "fast", false },         { "10K/min", false },
                { "1M /s", false },     { "/s", false },         { "1.5K", false },         { "", false },
        };

        num_cases(vw_parse_rate, cases, ELEMENTSOF(cases), sizeof(uint64_t));
}
END_TEST

START_TEST(test_parse_uint)
{
        static const struct num_case cases[] = {
                { "0", true, 0 },     { "16", true, 16 },          { "010", true, 10 },
                { "4294967295", true, UINT32_MAX }, { "4294967296", false }, { "-1", false },
                { "", false },        { "0x10", false },           { "1e3", false },
                { "+1", false },      { "12 ", false },            { "many", false },
        };

        num_cases(vw_parse_uint, cases, ELEMENTSOF(cases), sizeof(unsigned));
}
END_TEST

START_TEST(test_parse_duration)
{
        static const struct num_case cases[] = {
                { "2", true, 2000000 },       { "2s", true, 2000000 },      { "2sec", true, 2000000 },
                { "500ms", true, 500000 },    { "100us", true, 100 },       { "1min", true, 60000000 },
                { "5m", true, 300000000 },    { "1h", true, 3600000000ULL }, { "1.5s", true, 1500000 },
                { "0.25", true, 250000 },     { "0", true, 0 },             { "soon", false },
                { "", false },                { "5 s", false },             { "5d", false },
                { "-1s", false },             { "1e3", false },             { "0x10", false },
                { ".5s", false },             { "inf", false },             { "99999999999999999h", false },
                { "1s ", false },
        };

        num_cases(vw_parse_duration, cases, ELEMENTSOF(cases), sizeof(uint64_t));
}
END_TEST

START_TEST(test_parse_enum)
{
        static const char *const names[] = { "block", "drop-new", "drop-old", NULL };
        static const struct vw_key k = { "overflow", vw_parse_enum, 0, names };
        static const struct {
                const char *in;
                int value;
        } cases[] = {
                { "block", 0 }, { "drop-new", 1 }, { "DROP-OLD", 2 }, { "drop", -1 }, { "", -1 }, { "block ", -1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *err = NULL;
                int out = 42, r = parse_one(vw_parse_enum, cases[i].in, &out, sizeof(out), &k, &err);

                if (cases[i].value < 0) {
                        char want[128];

                        ck_assert_int_eq(r, -EINVAL);
                        snprintf(want, sizeof(want), "expected one of block, drop-new, drop-old, got '%s'",
                                 cases[i].in);
                        ck_assert_str_eq(err, want);
                } else {
                        ck_assert_int_eq(r, 0);
                        ck_assert_int_eq(out, cases[i].value);
                }
        }
}
END_TEST

START_TEST(test_parse_names)
{
        static const struct {
                const char *in;
                const char *joined; /* names joined by '|', or NULL: the explanation */
                const char *err;
        } cases[] = {
                { "a", "a" }, { "a, b c", "a|b|c" }, { "a,b,,c", "a|b|c" }, { " a\t,b ", "a|b" },
                { "gps.0@usb:1", "gps.0@usb:1" }, { "", NULL, "expected one or more names" },
                { " , ", NULL, "expected one or more names" }, { "a, b, a", NULL, "'a' is listed twice" },
                { "a -b", NULL, "invalid name '-b'" }, { "a/b", NULL, "invalid name 'a/b'" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct vw_names n = {};
                _cleanup_free_ char *err = NULL;
                char joined[256] = "";
                int r = parse_one(vw_parse_names, cases[i].in, &n, sizeof(n), NULL, &err);

                if (!cases[i].joined) {
                        ck_assert_int_eq(r, -EINVAL);
                        ck_assert_str_eq(err, cases[i].err);
                        continue;
                }
                ck_assert_int_eq(r, 0);
                for (size_t j = 0; j < n.n; j++)
                        snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", j ? "|" : "",
                                 n.names[j]);
                ck_assert_str_eq(joined, cases[i].joined);
                ck_assert(vw_names_contains(&n, n.names[0]));
                ck_assert(!vw_names_contains(&n, "zz"));
                vw_names_done(&n);
        }
}
END_TEST

START_TEST(test_parse_address)
{
        static const struct {
                const char *in;
                int family; /* -1: rejected */
                const char *host_or_path;
                unsigned port;
                enum vw_socket_kind kind; /* udp: is VW_SOCK_DGRAM, checked below */
        } cases[] = {
                { "tcp:localhost:4001", VW_ADDR_TCP, "localhost", 4001 },
                { "tcp:*:1", VW_ADDR_TCP, "*", 1 },
                { "tcp:192.0.2.1:65535", VW_ADDR_TCP, "192.0.2.1", 65535 },
                { "tcp:[::1]:80", VW_ADDR_TCP, "::1", 80 },
                { "tcp:[fe80::1%eth0]:80", VW_ADDR_TCP, "fe80::1%eth0", 80 },
                { "unix:/run/x.sock", VW_ADDR_UNIX, "/run/x.sock" },
                { "unix:@abstract", VW_ADDR_UNIX, "@abstract" },
                { "unix:%t/s", VW_ADDR_UNIX, "/run/t/s" },
                { "tcp:localhost:0", -1 },
                { "tcp:localhost:65536", -1 },
                { "tcp:localhost:99999999999999999999", -1 },
                { "tcp:localhost:http", -1 },
                { "tcp:localhost:80x", -1 },
                { "tcp:localhost:-1", -1 },
                { "tcp:localhost:", -1 },
                { "tcp::4001", -1 },
                { "tcp:localhost", -1 },
                { "tcp:", -1 },
                { "tcp:[::1]4001", -1 },
                { "tcp:[::1", -1 },
                { "tcp:[]:80", -1 },
                { "unix:relative.sock", -1 },
                { "unix:", -1 },
                { "unix:%%t/s", -1 },
                { "udp:localhost:1", VW_ADDR_UDP, "localhost", 1 },
                { "udp:[::1]:5000", VW_ADDR_UDP, "::1", 5000 },
                { "udp:localhost:0", -1 },
                { "sctp:localhost:1", -1 },
                { "unix-seqpacket:/run/p", VW_ADDR_UNIX, "/run/p", 0, VW_SOCK_SEQPACKET },
                { "unix-dgram:@d", VW_ADDR_UNIX, "@d", 0, VW_SOCK_DGRAM },
                { "unix-dgram:%t/d", VW_ADDR_UNIX, "/run/t/d", 0, VW_SOCK_DGRAM },
                { "unix-dgram:d", -1 },
                { "unix-seqpacket:", -1 },
                { "unix-stream:/x", -1 },
                { "/run/x.sock", -1 },
                { "", -1 },
        };
        char long_path[128];

        vw_conf_set_runtime_dir("/run/t");
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct vw_address a = {};
                _cleanup_free_ char *err = NULL;
                int r = parse_one(vw_parse_address, cases[i].in, &a, sizeof(a), NULL, &err);

                if (cases[i].family < 0) {
                        ck_assert_msg(r == -EINVAL, "'%s' accepted", cases[i].in);
                        ck_assert_msg(strstr(err, cases[i].in), "'%s': %s", cases[i].in, err);
                        continue;
                }
                ck_assert_msg(r == 0, "'%s': %s", cases[i].in, err);
                ck_assert_int_eq(a.family, cases[i].family);
                ck_assert_int_eq(a.kind, a.family == VW_ADDR_UDP ? VW_SOCK_DGRAM : cases[i].kind);
                ck_assert_str_eq(a.text, cases[i].in);
                if (a.family != VW_ADDR_UNIX) {
                        ck_assert_str_eq(a.host, cases[i].host_or_path);
                        ck_assert_uint_eq(a.port, cases[i].port);
                        ck_assert_ptr_null(a.path);
                } else {
                        ck_assert_str_eq(a.path, cases[i].host_or_path);
                        ck_assert_ptr_null(a.host);
                }
                vw_address_done(&a);
        }
        /* sun_path holds 107 bytes and the NUL */
        for (size_t len = 106; len <= 108; len++) {
                struct vw_address a = {};
                _cleanup_free_ char *err = NULL;

                snprintf(long_path, sizeof(long_path), "unix:/%0*d", (int)len - 1, 0);
                ck_assert_int_eq(parse_one(vw_parse_address, long_path, &a, sizeof(a), NULL, &err),
                                 len <= 107 ? 0 : -EINVAL);
                vw_address_done(&a);
        }
        /* a second value replaces the first */
        {
                struct vw_address a = {};
                char *err = NULL;
                ck_assert_int_eq(vw_parse_address("unix:/a", &a, NULL, &err), 0);
                ck_assert_int_eq(vw_parse_address("tcp:h:1", &a, NULL, &err), 0);
                ck_assert_ptr_null(a.path);
                ck_assert_str_eq(a.host, "h");
                vw_address_done(&a);
        }
        vw_conf_set_runtime_dir(NULL);
}
END_TEST

START_TEST(test_parse_path_and_expand)
{
        static const struct {
                const char *in;
                const char *out; /* NULL: rejected */
        } cases[] = {
                { "/dev/ttyV0", "/dev/ttyV0" }, { "%t/ttyV0", "/run/t/ttyV0" }, { "%t", "/run/t" },
                { "/a/%%t", "/a/%t" }, { "/a%b%", "/a%b%" }, { "/%t%t", "//run/t/run/t" }, { "ttyV0", NULL },
                { "%%t/ttyV0", NULL }, { "", NULL }, { "./x", NULL },
        };
        char *long_path;

        vw_conf_set_runtime_dir("/run/t");
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *p = NULL;
                _cleanup_free_ char *err = NULL;
                int r = parse_one(vw_parse_path, cases[i].in, &p, sizeof(p), NULL, &err);

                if (!cases[i].out) {
                        ck_assert_msg(r == -EINVAL, "'%s' accepted", cases[i].in);
                        continue;
                }
                ck_assert_msg(r == 0, "'%s': %s", cases[i].in, err);
                ck_assert_str_eq(p, cases[i].out);
                free(p);
        }
        long_path = malloc(PATH_MAX + 2);
        long_path[0] = '/';
        memset(long_path + 1, 'p', PATH_MAX);
        long_path[PATH_MAX - 1] = 0; /* PATH_MAX - 1 characters: fits with its NUL */
        {
                char *p = NULL, *err = NULL;
                ck_assert_int_eq(vw_parse_path(long_path, &p, NULL, &err), 0);
                free(p);
                long_path[PATH_MAX - 1] = 'p';
                long_path[PATH_MAX] = 0;
                p = NULL;
                ck_assert_int_eq(vw_parse_path(long_path, &p, NULL, &err), -EINVAL);
                ck_assert_str_eq(err, "path too long");
                ck_assert_ptr_null(p);
                free(err);
        }
        free(long_path);

        /* expansion by itself, and without a runtime directory */
        {
                _cleanup_free_ char *a = vw_conf_expand("%t-%%-%x-%"), *b = NULL;
                ck_assert_str_eq(a, "/run/t-%-%x-%");
                vw_conf_set_runtime_dir(NULL);
                b = vw_conf_expand("%t/x");
                ck_assert_str_eq(b, "/x");
        }
}
END_TEST

START_TEST(test_parse_string_and_text)
{
        static const struct {
                const char *in;
                const char *out; /* NULL: rejected, with the explanation in err */
                size_t len;
                const char *err;
        } cases[] = {
                { "plain", "plain", 5 }, { "a\\r\\n", "a\r\n", 3 }, { "\\t\\\\", "\t\\", 2 },
                { "\\x00\\xfF\\x41", "\0\xff" "A", 3 }, { "nul\\0end", "nul\0end", 7 }, { "", "", 0 },
                { "\\a", NULL, 0, "unknown escape '\\a' (use \\n \\r \\t \\0 \\\\ \\xNN)" },
                { "\\xZZ", NULL, 0, "'\\x' needs two hex digits, as in \\x0d" },
                { "\\x4", NULL, 0, "'\\x' needs two hex digits, as in \\x0d" },
                { "end\\", NULL, 0, "'\\' at the end of the value (write \\\\ for a backslash)" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct vw_bytes b = {};
                _cleanup_free_ char *err = NULL;
                int r = parse_one(vw_parse_text, cases[i].in, &b, sizeof(b), NULL, &err);

                if (!cases[i].out) {
                        ck_assert_msg(r == -EINVAL, "'%s' accepted", cases[i].in);
                        ck_assert_str_eq(err, cases[i].err);
                        continue;
                }
                ck_assert_msg(r == 0, "'%s': %s", cases[i].in, err);
                ck_assert_uint_eq(b.len, cases[i].len);
                ck_assert_mem_eq(b.data, cases[i].out, b.len);
                free(b.data);
        }
        {
                char *s = NULL, *err = NULL;
                ck_assert_int_eq(vw_parse_string("x y", &s, NULL, &err), 0);
                ck_assert_str_eq(s, "x y");
                ck_assert_int_eq(vw_parse_string("z", &s, NULL, &err), 0); /* replaces, frees the old one */
                ck_assert_str_eq(s, "z");
                ck_assert_int_eq(vw_parse_string("", &s, NULL, &err), -EINVAL);
                ck_assert_str_eq(err, "expected a value");
                ck_assert_str_eq(s, "z");
                free(err);
                free(s);
        }
}
END_TEST

START_TEST(test_parse_user_group)
{
        static const struct {
                vw_key_parse_t parse;
                const char *in;
                long id; /* -1: rejected */
        } cases[] = {
                { vw_parse_user, "root", 0 }, { vw_parse_user, "0", 0 }, { vw_parse_user, "4242", 4242 },
                { vw_parse_user, "no-such-user-vwire", -1 }, { vw_parse_user, "12ab", -1 }, { vw_parse_user, "", -1 },
                { vw_parse_group, "root", 0 }, { vw_parse_group, "4243", 4243 },
                { vw_parse_group, "no-such-group-vwire", -1 }, { vw_parse_group, "-1", -1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint32_t id = 0xdeadbeef;
                _cleanup_free_ char *err = NULL;
                int r = parse_one(cases[i].parse, cases[i].in, &id, sizeof(id), NULL, &err);

                if (cases[i].id < 0) {
                        ck_assert_msg(r == -EINVAL, "'%s' accepted", cases[i].in);
                        ck_assert_msg(strstr(err, cases[i].in) && strstr(err, "no such "), "%s", err);
                        continue;
                }
                ck_assert_msg(r == 0, "'%s': %s", cases[i].in, err);
                ck_assert_uint_eq(id, (uint32_t)cases[i].id);
        }
}
END_TEST

static Suite *conf_parse_suite(void)
{
        Suite *s = suite_create("conf-parse");
        TCase *tc = vw_test_case(s, "values");

        tcase_add_test(tc, test_parse_bool);
        tcase_add_test(tc, test_parse_mode);
        tcase_add_test(tc, test_parse_size);
        tcase_add_test(tc, test_parse_rate);
        tcase_add_test(tc, test_parse_uint);
        tcase_add_test(tc, test_parse_duration);
        tcase_add_test(tc, test_parse_enum);
        tcase_add_test(tc, test_parse_names);
        tcase_add_test(tc, test_parse_address);
        tcase_add_test(tc, test_parse_path_and_expand);
        tcase_add_test(tc, test_parse_string_and_text);
        tcase_add_test(tc, test_parse_user_group);
        return s;
}

int main(void)
{
        return vw_test_run(conf_parse_suite());
}
