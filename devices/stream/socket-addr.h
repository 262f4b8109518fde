/* SPDX-License-Identifier: MIT */
#pragma once

/* Socket addresses for [socket]: from a parsed vw_address to sockaddrs, and peers to text. */

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "conf-parse.h"

#define VW_SOCKET_MAX_ADDRS 8

union vw_sockaddr {
        struct sockaddr sa;
        struct sockaddr_un un;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_storage ss;
};

struct vw_addr_list {
        size_t n;
        struct {
                union vw_sockaddr sa;
                socklen_t len;
        } a[VW_SOCKET_MAX_ADDRS];
};

/*
 * unix:/path, unix:@abstract (one address) or tcp:ADDRESS:PORT with a numeric ADDRESS ("*" is
 * every local address when passive, else the loopback). Never a name lookup: names go through
 * resolve.h. On failure *why may say more than the errno.
 */
int vw_address_resolve_numeric(const struct vw_address *a, bool passive, struct vw_addr_list *ret, const char **why);
/* unix, "*" or a numeric IPv4/IPv6 address: no lookup needed. */
bool vw_address_is_numeric(const struct vw_address *a);
/* "127.0.0.1:4242", "[::1]:4242", "pid 123 uid 1000" (unix peers, from SO_PEERCRED). */
void vw_sockaddr_peer_to_string(int fd, const union vw_sockaddr *sa, char *buf, size_t size);
/* A socket file nobody listens on any more (connecting is refused). */
bool vw_unix_socket_is_dead(const union vw_sockaddr *sa, socklen_t len);
