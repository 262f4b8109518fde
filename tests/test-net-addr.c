/* SPDX-License-Identifier: MIT */
/* Unit tests for common/net-addr.c and common/net-mark.c: what [net] sections and adapter marks say. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "net-addr.h"
#include "net-mark.h"
#include "test-common.h"

START_TEST(test_prefix)
{
        struct vw_ip_prefix p;
        char buf[64];

        ck_assert_int_eq(vw_ip_prefix_parse("10.9.0.1/24", &p), 0);
        ck_assert_int_eq(p.family, AF_INET);
        ck_assert_uint_eq(p.prefixlen, 24);
        ck_assert_str_eq(vw_ip_prefix_to_string(&p, buf, sizeof(buf)), "10.9.0.1/24");
        ck_assert_int_eq(vw_ip_prefix_parse("10.9.0.2", &p), 0);
        ck_assert_uint_eq(p.prefixlen, 32);
        ck_assert_int_eq(vw_ip_prefix_parse("fd00::1/64", &p), 0);
        ck_assert_int_eq(p.family, AF_INET6);
        ck_assert_uint_eq(p.prefixlen, 64);
        ck_assert_uint_eq(vw_ip_prefix_addr_len(&p), 16);
        ck_assert_int_eq(vw_ip_prefix_parse("fd00::1", &p), 0);
        ck_assert_uint_eq(p.prefixlen, 128);

        static const char *const bad[] = {
                "", "/24", "10.9.0.1/", "10.9.0.1/33", "10.9.0.1/+8", "10.9.0.1/ 8", "10.9.0.1/0x8",
                "fd00::1/129", "fd00::1/1000", "host.example/24", "10.9.0.1/24/1", "10.9.0", "::g",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(vw_ip_prefix_parse(bad[i], &p) == -EINVAL, "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(test_mac)
{
        uint8_t mac[6];

        ck_assert_int_eq(vw_mac_parse("02:00:00:aB:cd:01", mac), 0);
        ck_assert_uint_eq(mac[3], 0xab);
        ck_assert_int_eq(vw_mac_parse("02-00-00-00-00-01", mac), 0);
        ck_assert_int_eq(vw_mac_parse("01:00:5e:00:00:01", mac), -EINVAL); /* multicast */
        ck_assert_int_eq(vw_mac_parse("02:00:00:00:00", mac), -EINVAL);
        ck_assert_int_eq(vw_mac_parse("02:00:00:00:00:0g", mac), -EINVAL);
        ck_assert_int_eq(vw_mac_parse("02:00:00:00:00:001", mac), -EINVAL);
}
END_TEST

START_TEST(test_mark)
{
        char buf[128], name[65];
        pid_t pid = 0;

        ck_assert_int_eq(vw_net_mark_format("tun0", 4242, buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, "vwire:tun0 pid=4242");
        ck_assert_int_eq(vw_net_mark_parse(buf, name, sizeof(name), &pid), 0);
        ck_assert_str_eq(name, "tun0");
        ck_assert_int_eq(pid, 4242);
        ck_assert_int_eq(vw_net_mark_format("tun0", 1, buf, 8), -ENAMETOOLONG);

        static const char *const bad[] = {
                "", "vwire:", "vwire:x", "vwire:x pid=", "vwire:x pid=0", "vwire:x pid=12a", "vwire: pid=1",
                "vwire:a/b pid=1", "VWIRE:x pid=1", "wg0 peer", "vwire:x pid=99999999999",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(vw_net_mark_parse(bad[i], name, sizeof(name), &pid) == -EINVAL, "accepted '%s'",
                              bad[i]);
        ck_assert(!vw_pid_is_vwired(getpid())); /* this is test-net-addr, not vwired */
}
END_TEST

int main(void)
{
        Suite *s = suite_create("net-addr");
        TCase *tc = vw_test_case(s, "parse");

        tcase_add_test(tc, test_prefix);
        tcase_add_test(tc, test_mac);
        tcase_add_test(tc, test_mark);
        return vw_test_run(s);
}
