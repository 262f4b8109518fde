/* SPDX-License-Identifier: MIT */
/*
 * What [net] reads from outside: address and MAC values of a section (common/net-addr.c), the
 * ifalias mark of any adapter on the machine (common/net-mark.c, which decides what vwire may
 * delete), the records of <runtime>/owned-netdevs (devices/net/net-ledger.c), and SLIP/KISS
 * byte streams from a serial line (codecs/slip.c), and length-prefixed packet streams from a
 * stream socket (codecs/lenframe.c). The first byte picks the parser (modulo 7); for SLIP, KISS
 * and length framing the second byte sets the piece size the stream is fed in. Invariants: a parsed prefix
 * printed and parsed again is the same prefix; a parsed mark formatted again parses to the same
 * name and pid; a ledger record has a valid namespace and interface name; every decoded frame is
 * at most VW_SLIP_MAX_FRAME bytes and, encoded again and decoded, is itself; length-prefixed
 * packets come out the same whatever the piece size, and are never empty.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "lenframe.h"
#include "net-addr.h"
#include "net-ledger.h"
#include "net-mark.h"
#include "rtnl.h"
#include "slip.h"

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

struct again {
        const uint8_t *want;
        size_t len;
        unsigned n;
};

static int same_frame(void *userdata, const uint8_t *frame, size_t len)
{
        struct again *a = userdata;

        FUZZ_CHECK(len == a->len && memcmp(frame, a->want, len) == 0);
        a->n++;
        return 0;
}

static int reencode(void *userdata, const uint8_t *frame, size_t len)
{
        bool kiss = *(bool *)userdata;
        static uint8_t out[2 * VW_SLIP_MAX_FRAME + 4];
        struct vw_slip_decoder d;
        struct again a = { .want = frame, .len = len };
        size_t n;

        FUZZ_CHECK(len > 0 && len <= VW_SLIP_MAX_FRAME);
        n = vw_slip_encode(frame, len, kiss, out);
        FUZZ_CHECK(n <= vw_slip_encoded_max(len));
        FUZZ_CHECK(vw_slip_decoder_init(&d, kiss) == 0);
        FUZZ_CHECK(vw_slip_decode(&d, out, n, same_frame, &a) == 0 && a.n == 1);
        vw_slip_decoder_done(&d);
        return 0;
}

static void slip(const uint8_t *data, size_t size, bool kiss)
{
        struct vw_slip_decoder d;
        size_t piece;

        if (size < 1)
                return;
        piece = (size_t)data[0] + 1;
        data++;
        size--;
        FUZZ_CHECK(vw_slip_decoder_init(&d, kiss) == 0);
        for (size_t off = 0; off < size; off += piece) {
                int r = vw_slip_decode(&d, data + off, size - off < piece ? size - off : piece, reencode, &kiss);
                FUZZ_CHECK(r == 0 || r == -EILSEQ);
        }
        vw_slip_decoder_done(&d);
}

struct lf_log {
        uint8_t h[32]; /* a running fold of the packets, to compare two feeds */
        size_t n, bytes;
};

static int lf_collect(void *userdata, const uint8_t *frame, size_t len)
{
        struct lf_log *l = userdata;

        FUZZ_CHECK(len > 0 && len <= VW_LENFRAME_MAX);
        for (size_t i = 0; i < len; i++)
                l->h[(l->bytes + i) % sizeof(l->h)] ^= (uint8_t)(frame[i] + len);
        l->n++;
        l->bytes += len;
        return 0;
}

static void lenframe(const uint8_t *data, size_t size)
{
        static struct vw_lenframe_decoder d, whole;
        struct lf_log a = {}, b = {};
        size_t piece;

        if (size < 1)
                return;
        piece = (size_t)data[0] + 1;
        data++;
        size--;
        vw_lenframe_decoder_init(&d);
        vw_lenframe_decoder_init(&whole);
        for (size_t off = 0; off < size; off += piece)
                FUZZ_CHECK(vw_lenframe_decode(&d, data + off, size - off < piece ? size - off : piece, lf_collect,
                                              &a) == 0);
        FUZZ_CHECK(vw_lenframe_decode(&whole, data, size, lf_collect, &b) == 0);
        FUZZ_CHECK(a.n == b.n && a.bytes == b.bytes && memcmp(a.h, b.h, sizeof(a.h)) == 0);
        FUZZ_CHECK(d.frames == a.n && vw_lenframe_held(&d) == vw_lenframe_held(&whole));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s;
        uint8_t mac[6];

        if (size < 1)
                return 0;
        if (data[0] % 7 == 6) {
                lenframe(data + 1, size - 1);
                return 0;
        }
        if (data[0] % 7 >= 4) {
                slip(data + 1, size - 1, data[0] % 7 == 5);
                return 0;
        }
        s = fuzz_strndup(data + 1, size - 1);
        switch (data[0] % 7) {
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
