/* SPDX-License-Identifier: MIT */
/*
 * rtnetlink requests with libmnl (Debian's libmnl-dev): one small, well-kept library that does
 * the message layout and attribute walking, so this file only says which attributes go where.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "rtnl.h"

#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

struct vw_rtnl {
        struct mnl_socket *sock;
        unsigned portid;
        unsigned seq;
};

bool vw_netns_name_is_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > 64 || streq(name, ".") || streq(name, ".."))
                return false;
        return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int vw_netns_run(const char *netns, int (*fn)(void *userdata), void *userdata)
{
        _cleanup_close_ int old = -1, target = -1;
        char path[96];
        int r;

        if (!netns)
                return fn(userdata);
        if (!vw_netns_name_is_valid(netns))
                return -EINVAL;
        snprintf(path, sizeof(path), "/run/netns/%s", netns);
        old = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (old < 0)
                return -errno;
        target = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (target < 0)
                return -errno;
        if (setns(target, CLONE_NEWNET) < 0)
                return -errno;
        r = fn(userdata);
        if (setns(old, CLONE_NEWNET) < 0) {
                /* every socket made from here on would land in the wrong namespace */
                log_error_errno(errno, "cannot return from network namespace %s", netns);
                abort();
        }
        return r;
}

struct open_ctx {
        struct vw_rtnl *nl;
};

static int open_here(void *userdata)
{
        struct open_ctx *ctx = userdata;
        struct vw_rtnl *nl = calloc(1, sizeof(*nl));

        if (!nl)
                return -ENOMEM;
        nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = -errno;
                vw_rtnl_close(nl);
                return r;
        }
        nl->portid = mnl_socket_get_portid(nl->sock);
        nl->seq = (unsigned)time(NULL);
        ctx->nl = nl;
        return 0;
}

int vw_rtnl_open(const char *netns, struct vw_rtnl **ret)
{
        struct open_ctx ctx = {};
        int r = vw_netns_run(netns, open_here, &ctx);

        if (r < 0)
                return r;
        *ret = ctx.nl;
        return 0;
}

void vw_rtnl_close(struct vw_rtnl *nl)
{
        if (!nl)
                return;
        if (nl->sock)
                mnl_socket_close(nl->sock);
        free(nl);
}

/* Send one request and read until its ACK (or, for a dump, its DONE), feeding cb. */
static int transact(struct vw_rtnl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
        _cleanup_free_ char *buf = malloc(MNL_SOCKET_DUMP_SIZE);
        unsigned seq = ++nl->seq;
        ssize_t n;
        int r;

        if (!buf)
                return -ENOMEM;
        nlh->nlmsg_seq = seq;
        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                n = mnl_socket_recvfrom(nl->sock, buf, MNL_SOCKET_DUMP_SIZE);
                if (n < 0)
                        return errno == EINTR ? -EINTR : -errno;
                r = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, data);
                if (r == MNL_CB_ERROR)
                        return -errno;
                if (r < 0)
                        return r; /* a callback's own -errno */
                if (r == MNL_CB_STOP)
                        return 0;
        }
}

static struct nlmsghdr *link_request(char *buf, uint16_t type, uint16_t flags, int ifindex)
{
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        return nlh;
}

int vw_rtnl_link_change(struct vw_rtnl *nl, int ifindex, const struct vw_link_change *c)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_request(buf, RTM_NEWLINK, NLM_F_ACK, ifindex);
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

        if (c->mtu)
                mnl_attr_put_u32(nlh, IFLA_MTU, c->mtu);
        if (c->alias)
                mnl_attr_put(nlh, IFLA_IFALIAS, strlen(c->alias), c->alias);
        if (c->mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, c->mac);
        if (c->up >= 0) {
                ifi->ifi_change = IFF_UP;
                ifi->ifi_flags = c->up ? IFF_UP : 0;
        }
        return transact(nl, nlh, NULL, NULL);
}

int vw_rtnl_addr_add(struct vw_rtnl *nl, int ifindex, const struct vw_ip_prefix *local,
                     const struct vw_ip_prefix *peer)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        size_t len = vw_ip_prefix_addr_len(local);
        struct ifaddrmsg *ifa;

        if (peer && peer->family != local->family)
                return -EINVAL;
        nlh->nlmsg_type = RTM_NEWADDR;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (uint8_t)local->family;
        ifa->ifa_prefixlen = peer ? peer->prefixlen : local->prefixlen;
        ifa->ifa_index = (unsigned)ifindex;
        /* IFA_LOCAL is our address; IFA_ADDRESS the peer's on a point-to-point link, else ours */
        mnl_attr_put(nlh, IFA_LOCAL, len, local->addr);
        mnl_attr_put(nlh, IFA_ADDRESS, len, peer ? peer->addr : local->addr);
        return transact(nl, nlh, NULL, NULL);
}

int vw_rtnl_link_del(struct vw_rtnl *nl, int ifindex)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];

        return transact(nl, link_request(buf, RTM_DELLINK, NLM_F_ACK, ifindex), NULL, NULL);
}

/* ---- link dumps ---- */

struct attrs {
        const struct nlattr *tb[IFLA_MAX + 1];
};

static int attr_collect(const struct nlattr *a, void *data)
{
        const struct nlattr **tb = ((struct attrs *)data)->tb;
        int type = mnl_attr_get_type(a);

        if (type <= IFLA_MAX)
                tb[type] = a;
        return MNL_CB_OK;
}

static void nested(const struct nlattr *a, const struct nlattr **tb, int max)
{
        struct attrs all = {};

        size_t size = sizeof(const struct nlattr *) * ((size_t)max + 1);

        memset(tb, 0, size);
        if (!a || mnl_attr_parse_nested(a, attr_collect, &all) < 0)
                return;
        memcpy(tb, all.tb, size);
}

static void copy_str(char *dst, size_t size, const struct nlattr *a)
{
        size_t n = a ? mnl_attr_get_payload_len(a) : 0;

        if (n > 0 && ((const char *)mnl_attr_get_payload(a))[n - 1] == '\0')
                n--;
        n = MIN(n, size - 1);
        if (n)
                memcpy(dst, mnl_attr_get_payload(a), n);
        dst[n] = '\0';
}

static uint32_t get_u32_or(const struct nlattr *a, uint32_t dflt)
{
        return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : dflt;
}

static void parse_tun_info(const struct nlattr *data, struct vw_link_info *l)
{
        const struct nlattr *tb[IFLA_TUN_MAX + 1];

        nested(data, tb, IFLA_TUN_MAX);
        l->has_tun_info = tb[IFLA_TUN_TYPE] != NULL;
        l->tun_tap = tb[IFLA_TUN_TYPE] && mnl_attr_get_u8(tb[IFLA_TUN_TYPE]) == IFF_TAP;
        l->tun_persist = tb[IFLA_TUN_PERSIST] && mnl_attr_get_u8(tb[IFLA_TUN_PERSIST]);
        l->tun_owner = get_u32_or(tb[IFLA_TUN_OWNER], VW_TUN_NONE);
        l->tun_group = get_u32_or(tb[IFLA_TUN_GROUP], VW_TUN_NONE);
        l->tun_queues = get_u32_or(tb[IFLA_TUN_NUM_QUEUES], 0);
}

static int parse_link(const struct nlmsghdr *nlh, struct vw_link_info *l)
{
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *info[IFLA_INFO_MAX + 1];
        struct attrs a = {};

        if (nlh->nlmsg_type != RTM_NEWLINK || mnl_attr_parse(nlh, sizeof(*ifi), attr_collect, &a) < 0)
                return -EINVAL;
        *l = (struct vw_link_info){ .ifindex = ifi->ifi_index, .flags = ifi->ifi_flags, .link_netnsid = -1 };
        copy_str(l->name, sizeof(l->name), a.tb[IFLA_IFNAME]);
        copy_str(l->alias, sizeof(l->alias), a.tb[IFLA_IFALIAS]);
        l->link = (int)get_u32_or(a.tb[IFLA_LINK], 0);
        if (a.tb[IFLA_LINK_NETNSID]) {
                l->has_link_netnsid = true;
                l->link_netnsid = (int)get_u32_or(a.tb[IFLA_LINK_NETNSID], (uint32_t)-1);
        }
        if (a.tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(a.tb[IFLA_ADDRESS]) == 6) {
                memcpy(l->mac, mnl_attr_get_payload(a.tb[IFLA_ADDRESS]), 6);
                l->has_mac = true;
        }
        nested(a.tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
        copy_str(l->kind, sizeof(l->kind), info[IFLA_INFO_KIND]);
        if (streq(l->kind, "tun"))
                parse_tun_info(info[IFLA_INFO_DATA], l);
        return 0;
}

struct dump_ctx {
        int (*cb)(const struct vw_link_info *l, void *userdata);
        void *userdata;
        int r;
};

static int dump_one(const struct nlmsghdr *nlh, void *data)
{
        struct dump_ctx *ctx = data;
        struct vw_link_info l;

        if (ctx->r < 0 || parse_link(nlh, &l) < 0)
                return MNL_CB_OK;
        ctx->r = ctx->cb(&l, ctx->userdata);
        return MNL_CB_OK; /* read the dump to its end, so the socket stays usable */
}

int vw_rtnl_links(struct vw_rtnl *nl, int (*cb)(const struct vw_link_info *l, void *userdata), void *userdata)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct dump_ctx ctx = { .cb = cb, .userdata = userdata };
        int r = transact(nl, link_request(buf, RTM_GETLINK, NLM_F_DUMP, 0), dump_one, &ctx);

        return r < 0 ? r : ctx.r;
}

static int get_one(const struct nlmsghdr *nlh, void *data)
{
        return parse_link(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int vw_rtnl_link_get(struct vw_rtnl *nl, const char *name, struct vw_link_info *ret)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_request(buf, RTM_GETLINK, NLM_F_ACK, 0);
        struct vw_link_info l = {};
        int r;

        if (strlen(name) >= IFNAMSIZ)
                return -ENODEV;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        r = transact(nl, nlh, get_one, &l);
        if (r < 0)
                return r;
        if (l.ifindex == 0)
                return -ENODEV;
        *ret = l;
        return 0;
}

static int nsid_one(const struct nlmsghdr *nlh, void *data)
{
        const struct nlattr *a;

        if (nlh->nlmsg_type != RTM_NEWNSID)
                return MNL_CB_OK;
        mnl_attr_for_each(a, nlh, sizeof(struct rtgenmsg))
                if (mnl_attr_get_type(a) == NETNSA_NSID && mnl_attr_get_payload_len(a) >= 4)
                        *(int *)data = (int)mnl_attr_get_u32(a);
        return MNL_CB_OK;
}

int vw_rtnl_netns_id(struct vw_rtnl *nl, int fd, int *ret)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct rtgenmsg *g;
        int id = -1, r;

        nlh->nlmsg_type = RTM_GETNSID;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->rtgen_family = AF_UNSPEC;
        mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
        r = transact(nl, nlh, nsid_one, &id);
        if (r < 0)
                return r;
        *ret = id;
        return 0;
}
