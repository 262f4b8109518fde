/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Network addresses as [net] sections write them: "10.9.0.1/24", "fd00::1/64", "10.9.0.2",
 * MAC addresses "02:00:00:00:00:01". Pure text code (inet_pton), no lookups, fuzzed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct vw_ip_prefix {
        int family;         /* AF_INET or AF_INET6 */
        uint8_t addr[16];   /* network byte order; 4 bytes used for AF_INET */
        uint8_t prefixlen;  /* 32 / 128 when written without "/N" */
};

/* 0, or -EINVAL: not a numeric address, or a prefix length out of range for its family. */
int vw_ip_prefix_parse(const char *s, struct vw_ip_prefix *ret);
size_t vw_ip_prefix_addr_len(const struct vw_ip_prefix *p);
/* "10.9.0.1/24"; buf of at least 64 bytes. */
const char *vw_ip_prefix_to_string(const struct vw_ip_prefix *p, char *buf, size_t size);

/* Six hex pairs separated by ':' (or '-'). -EINVAL otherwise, and for a multicast address. */
int vw_mac_parse(const char *s, uint8_t ret[6]);
