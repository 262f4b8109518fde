/* SPDX-License-Identifier: MIT */
/*
 * What [net] reads from outside: address and MAC values of a section (common/net-addr.c), the
 * ifalias mark of any adapter on the machine (common/net-mark.c, which decides what vwire may
 * delete) and the records of <runtime>/owned-netdevs (devices/net/net-ledger.c). The first byte
 * picks the parser. Invariants: a parsed prefix printed and parsed again is the same prefix; a
 * parsed mark formatted again parses to the same name and pid; a ledger record has a valid
 * namespace and interface name.
 */
#include <arpa/inet.h>

#include "fuzz.h"
#include "net-addr.h"
#include "net-ledger.h"
#include "net-mark.h"
#include "rtnl.h"

static void prefix(const char *s)
{
        struct vw_ip_prefix p, q;
        char buf[64];

        if (vw_ip_prefix_parse(s, &p) < 0)
                return;
        FUZZ_CHECK(p.family == AF_INET || p.family == AF_INET6);
        FUZZ_CHECK(p.prefixlen <= (p.family == AF_INET ? 32 : 128));
        vw_ip_prefix_to_string(&p, buf, sizeof(buf));
        FUZZ_CHECK(vw_ip_prefix_parse(buf, &q) == 0);
        FUZZ_CHECK(q.family == p.family && q.prefixlen == p.prefixlen);
        FUZZ_CHECK(memcmp(q.addr, p.addr, vw_ip_prefix_addr_len(&p)) == 0);
}

static void mark(const char *s)
{
        char name[65], again[65], buf[256];
        pid_t pid, pid2;

        if (vw_net_mark_parse(s, name, sizeof(name), &pid) < 0)
                return;
        FUZZ_CHECK(pid > 0);
        FUZZ_CHECK(vw_net_mark_format(name, pid, buf, sizeof(buf)) == 0);
        FUZZ_CHECK(vw_net_mark_parse(buf, again, sizeof(again), &pid2) == 0);
        FUZZ_CHECK(strcmp(name, again) == 0 && pid == pid2);
}

static void record(const char *s)
{
        struct vw_net_record r;

        if (vw_net_ledger_parse(s, &r) < 0)
                return;
        FUZZ_CHECK(r.ifindex > 0);
        FUZZ_CHECK(strlen(r.ifname) > 0 && strlen(r.ifname) < 16 && !strchr(r.ifname, '/'));
        FUZZ_CHECK(strcmp(r.netns, "-") == 0 || vw_netns_name_is_valid(r.netns));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s;
        uint8_t mac[6];

        if (size < 1)
                return 0;
        s = fuzz_strndup(data + 1, size - 1);
        switch (data[0] % 4) {
        case 0:
                prefix(s);
                break;
        case 1:
                if (vw_mac_parse(s, mac) == 0)
                        FUZZ_CHECK((mac[0] & 1) == 0);
                break;
        case 2:
                mark(s);
                break;
        default:
                record(s);
        }
        free(s);
        return 0;
}
