/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net-addr.h"

/* INET6_ADDRSTRLEN plus "/128" and a NUL, rounded up. */
#define PREFIX_TEXT_MAX 64

int vw_ip_prefix_parse(const char *s, struct vw_ip_prefix *ret)
{
        struct vw_ip_prefix p = {};
        char buf[PREFIX_TEXT_MAX];
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        unsigned long len;
        char *end;

        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (inet_pton(AF_INET, buf, p.addr) == 1)
                p.family = AF_INET;
        else if (inet_pton(AF_INET6, buf, p.addr) == 1)
                p.family = AF_INET6;
        else
                return -EINVAL;
        p.prefixlen = p.family == AF_INET ? 32 : 128;
        if (slash) {
                /* digits only: strtoul would take "+8", " 8" or "0x8" */
                if (!isdigit((unsigned char)slash[1]) || strlen(slash + 1) > 3)
                        return -EINVAL;
                len = strtoul(slash + 1, &end, 10);
                if (*end || len > p.prefixlen)
                        return -EINVAL;
                p.prefixlen = (uint8_t)len;
        }
        *ret = p;
        return 0;
}

size_t vw_ip_prefix_addr_len(const struct vw_ip_prefix *p)
{
        return p->family == AF_INET ? 4 : 16;
}

const char *vw_ip_prefix_to_string(const struct vw_ip_prefix *p, char *buf, size_t size)
{
        char a[INET6_ADDRSTRLEN];

        if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
                snprintf(a, sizeof(a), "?");
        snprintf(buf, size, "%s/%u", a, p->prefixlen);
        return buf;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)tolower((unsigned char)c);
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int vw_mac_parse(const char *s, uint8_t ret[6])
{
        uint8_t mac[6];

        if (strlen(s) != 17)
                return -EINVAL;
        for (unsigned i = 0; i < 6; i++) {
                int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
                char sep = s[3 * i + 2];

                if (hi < 0 || lo < 0 || (i < 5 && sep != ':' && sep != '-'))
                        return -EINVAL;
                mac[i] = (uint8_t)(hi << 4 | lo);
        }
        if (mac[0] & 1) /* a multicast address cannot be an interface's own */
                return -EINVAL;
        memcpy(ret, mac, 6);
        return 0;
}
