/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * rtnetlink through libmnl: what [net] adapters and the leftover-adapter doctor need, and no
 * more. Every request waits for the kernel's ACK on a socket of its own (the kernel answers at
 * once; nothing here waits for another process). A vw_rtnl belongs to the network namespace it
 * was opened in, whatever namespace the caller is in later.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "net-addr.h"

struct vw_rtnl;

/* Open in the current network namespace, or in /run/netns/NETNS (netns NULL: the current one). */
int vw_rtnl_open(const char *netns, struct vw_rtnl **ret);
void vw_rtnl_close(struct vw_rtnl *nl);

/* Run fn(userdata) with the calling thread in /run/netns/NETNS, then come back. */
int vw_netns_run(const char *netns, int (*fn)(void *userdata), void *userdata);
/* [A-Za-z0-9_.-]+, at most 64 bytes, not "." or "..": a name under /run/netns. */
bool vw_netns_name_is_valid(const char *name);

struct vw_link_change {
        uint32_t mtu;           /* 0: keep */
        int up;                 /* -1 keep, 0 down, 1 up */
        const char *alias;      /* NULL: keep; "": clear */
        const uint8_t *mac;     /* NULL: keep */
};

int vw_rtnl_link_change(struct vw_rtnl *nl, int ifindex, const struct vw_link_change *c);
/* An address, with a point-to-point peer when peer is not NULL (same family). */
int vw_rtnl_addr_add(struct vw_rtnl *nl, int ifindex, const struct vw_ip_prefix *local,
                     const struct vw_ip_prefix *peer);
int vw_rtnl_link_del(struct vw_rtnl *nl, int ifindex);

#define VW_TUN_NONE UINT32_MAX

struct vw_link_info {
        int ifindex;
        char name[16];
        char kind[32];          /* IFLA_INFO_KIND: "tun", "veth", ... ("" for none) */
        char alias[256];
        unsigned flags;         /* IFF_UP, IFF_LOWER_UP, ... */
        int link;               /* IFLA_LINK: a veth's peer ifindex (0: none) */
        bool has_link_netnsid;  /* the peer is in another namespace */
        int link_netnsid;       /* -1 when that namespace has no id here (or is gone) */
        uint8_t mac[6];
        bool has_mac;
        /* kind "tun" only */
        bool tun_tap;           /* IFF_TAP, else IFF_TUN */
        bool tun_persist;
        uint32_t tun_owner, tun_group;  /* VW_TUN_NONE when unset */
        uint32_t tun_queues;    /* attached file descriptors (queues) */
        bool has_tun_info;
};

/* Call cb for every link of the namespace; stops at (and returns) the first negative cb result. */
int vw_rtnl_links(struct vw_rtnl *nl, int (*cb)(const struct vw_link_info *l, void *userdata), void *userdata);
/* The id this namespace gives the namespace of fd (an open /run/netns/NAME), or -1 for none. */
int vw_rtnl_netns_id(struct vw_rtnl *nl, int fd, int *ret);
/* One link by name: 0, -ENODEV. */
int vw_rtnl_link_get(struct vw_rtnl *nl, const char *name, struct vw_link_info *ret);
