/* SPDX-License-Identifier: MIT */
/*
 * [net NAME]: a TUN (IP packets) or TAP (Ethernet frames) adapter that vwired owns.
 *
 * Made through /dev/net/tun (TUNSETIFF: rtnetlink cannot create tun devices), inside the
 * configured namespace when `netns` is set, then configured through rtnetlink (common/rtnl.h):
 * the mark "vwire:NAME pid=PID" as ifalias, mtu, mac, addresses, up. Every packet read from the
 * adapter is one datagram chunk in the port, and every chunk routed to it is written as one
 * packet: the buffer core keeps chunks whole, so packets are never split or merged.
 *
 * persist = no (the default): the adapter lives exactly as long as vwired's descriptor, so a
 * crash leaves nothing behind. persist = yes sets TUNSETPERSIST (other programs may attach by
 * name, with owner/group) and is recorded in <runtime>/owned-netdevs (net-ledger.h); a clean stop
 * removes it, the next vwired after a crash does.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "endpoint.h"
#include "log.h"
#include "net-ledger.h"
#include "net-mark.h"
#include "policy.h"
#include "rtnl.h"
#include "varlink.h"

/* Largest packet a tun/tap read returns: the 64 KiB of an IP datagram (GSO is not enabled). */
#define NET_READ_MAX (64u * 1024u)
/* Packets read per wake-up before the loop serves everything else. */
#define NET_READ_BATCH 64
#define NET_MAX_ADDRS 16
#define ETHER_HEADER 18 /* destination, source, a VLAN tag, type */

enum { NET_TUN, NET_TAP };
static const char *const net_types[] = { "tun", "tap", NULL };

struct net_addrs {
        size_t n;
        struct vw_ip_prefix a[NET_MAX_ADDRS];
};

struct net_peer {
        bool set;
        struct vw_ip_prefix p;
};

struct net_mac {
        bool set;
        uint8_t mac[6];
};

struct net_config {
        int type;
        char *ifname;
        struct net_addrs address;
        struct net_peer peer;
        unsigned mtu;
        bool up;
        struct net_mac mac;
        char *netns;
        uid_t owner;
        gid_t group;
        bool persist;
};

struct net {
        struct vw_endpoint *ep;
        int fd;
        sd_event_source *io;
        struct vw_sink *sink;
        char ifname[IFNAMSIZ];
        int ifindex;
        size_t need;            /* room a read must have: the largest packet seen, at least mtu + header */
        bool paused;            /* the routes had no room: not reading */
        bool want_out;
        bool recorded;          /* in the ledger (persist = yes) */
        uint64_t rx_packets, tx_packets, tx_errors, oversize;
        uint8_t buf[NET_READ_MAX];
};

/* address = A[/N] [A[/N] ...]: IPv4 and IPv6, separated by spaces or commas. */
static int parse_addresses(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct net_addrs out = {};
        const char *p = v;

        while (*p) {
                char word[64];
                size_t n;

                p += strspn(p, " \t,");
                n = strcspn(p, " \t,");
                if (n == 0)
                        break;
                if (n >= sizeof(word))
                        return vw_errorf(err, "expected ADDRESS[/PREFIX], got '%.*s'", (int)n, p);
                memcpy(word, p, n);
                word[n] = '\0';
                if (out.n == NET_MAX_ADDRS)
                        return vw_errorf(err, "at most %u addresses", NET_MAX_ADDRS);
                if (vw_ip_prefix_parse(word, &out.a[out.n]) < 0)
                        return vw_errorf(err, "expected ADDRESS[/PREFIX] (10.9.0.1/24, fd00::1/64), got '%s'", word);
                out.n++;
                p += n;
        }
        if (out.n == 0)
                return vw_errorf(err, "expected at least one address");
        *(struct net_addrs *)dst = out;
        return 0;
}

static int parse_peer(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct net_peer *out = dst;
        struct vw_ip_prefix p;

        if (strchr(v, '/') || vw_ip_prefix_parse(v, &p) < 0)
                return vw_errorf(err, "expected an IPv4 or IPv6 address (no prefix), got '%s'", v);
        *out = (struct net_peer){ .set = true, .p = p };
        return 0;
}

static int parse_mac(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct net_mac *out = dst;
        uint8_t mac[6];

        if (vw_mac_parse(v, mac) < 0)
                return vw_errorf(err, "expected six hex pairs of a unicast address (02:00:00:00:00:01), got '%s'", v);
        out->set = true;
        memcpy(out->mac, mac, 6);
        return 0;
}

static const struct vw_key net_keys[] = {
        { "type", vw_parse_enum, offsetof(struct net_config, type), net_types },
        { "ifname", vw_parse_string, offsetof(struct net_config, ifname), .host = true },
        { "address", parse_addresses, offsetof(struct net_config, address) },
        { "peer", parse_peer, offsetof(struct net_config, peer) },
        { "mtu", vw_parse_uint, offsetof(struct net_config, mtu) },
        { "up", vw_parse_bool, offsetof(struct net_config, up) },
        { "mac", parse_mac, offsetof(struct net_config, mac) },
        { "netns", vw_parse_string, offsetof(struct net_config, netns), .host = true },
        { "owner", vw_parse_user, offsetof(struct net_config, owner), .host = true },
        { "group", vw_parse_group, offsetof(struct net_config, group), .host = true },
        { "persist", vw_parse_bool, offsetof(struct net_config, persist) },
        {}
};

static void net_init_config(void *config)
{
        struct net_config *c = config;

        c->up = true;
        c->owner = (uid_t)-1;
        c->group = (gid_t)-1;
}

/*
 * An interface name as the kernel takes it, kept to characters that need no quoting anywhere
 * (ledger lines, udev rules, the NetworkManager match): [A-Za-z0-9_.-], at most one "%d".
 */
static bool ifname_is_valid(const char *s)
{
        const char *pct = strchr(s, '%');

        if (!*s || strlen(s) >= IFNAMSIZ || streq(s, ".") || streq(s, ".."))
                return false;
        if (pct && (pct[1] != 'd' || strchr(pct + 1, '%')))
                return false;
        for (const char *p = s; *p; p++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-%", *p))
                        return false;
        return true;
}

/* The name when none is given: "vw-NAME", cut to what the kernel takes. */
static void default_ifname(const char *name, char *buf)
{
        snprintf(buf, IFNAMSIZ, "vw-%s", name);
        for (char *p = buf; *p; p++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-", *p))
                        *p = '_';
}

static unsigned setting_line(const struct vw_section *s, const char *key)
{
        const struct vw_setting *st = vw_section_get(s, key);

        return st ? st->line : s->line;
}

static void net_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        const struct net_config *c = config;

        if (c->ifname && !ifname_is_valid(c->ifname))
                vw_errors_add(errs, s->file, setting_line(s, "ifname"),
                              "ifname: expected at most 15 of [A-Za-z0-9_.-] (and one %%d), got '%s'", c->ifname);
        if (c->peer.set) {
                bool same = false;

                for (size_t i = 0; i < c->address.n; i++)
                        same |= c->address.a[i].family == c->peer.p.family;
                if (!same)
                        vw_errors_add(errs, s->file, setting_line(s, "peer"),
                                      "peer: needs an address of the same family to pair it with");
        }
        if (vw_section_get(s, "mtu") && (c->mtu < 68 || c->mtu > 65535))
                vw_errors_add(errs, s->file, setting_line(s, "mtu"), "mtu: expected 68..65535, got %u", c->mtu);
        if (c->mac.set && c->type != NET_TAP)
                vw_errors_add(errs, s->file, setting_line(s, "mac"), "mac: only a tap has a MAC address");
        if (c->netns && !vw_netns_name_is_valid(c->netns))
                vw_errors_add(errs, s->file, setting_line(s, "netns"),
                              "netns: expected a name under /run/netns ([A-Za-z0-9_.-]), got '%s'", c->netns);
}

/* ---- packets ---- */

static void net_update_io(struct net *n)
{
        uint32_t ev = (n->paused ? 0 : EPOLLIN) | (n->want_out ? EPOLLOUT : 0);

        if (ev)
                (void)sd_event_source_set_io_events(n->io, ev);
        (void)sd_event_source_set_enabled(n->io, ev ? SD_EVENT_ON : SD_EVENT_OFF);
}

/* Read packets into the port while the routes have room for the largest one we may get. */
static void net_read(struct net *n)
{
        struct vw_endpoint *ep = n->ep;

        for (unsigned i = 0; i < NET_READ_BATCH; i++) {
                ssize_t len;

                if (!vw_port_has_room(ep->port, n->need)) {
                        n->paused = true; /* ep->room resumes */
                        net_update_io(n);
                        return;
                }
                len = read(n->fd, n->buf, sizeof(n->buf));
                if (len < 0) {
                        if (errno != EAGAIN && errno != EINTR)
                                log_warning_errno(errno, "net %s: cannot read from %s", ep->name, n->ifname);
                        return;
                }
                if (len == 0)
                        return;
                n->rx_packets++;
                if ((size_t)len > n->need)
                        n->need = (size_t)len; /* an mtu raised behind our back: wait for that much room */
                if (vw_port_write(ep->port, VW_CHUNK_DATAGRAM, n->buf, (size_t)len) < 0) {
                        n->oversize++;
                        vw_port_count_dropped(ep->port, (size_t)len);
                }
        }
}

/* Write every pending chunk as one packet. A tun write takes a packet whole or not at all. */
static void net_flush(struct net *n)
{
        struct vw_chunk ch;
        bool want_out = false;

        while (vw_sink_peek(n->sink, &ch)) {
                ssize_t w = write(n->fd, ch.data, ch.len);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0 && errno == EAGAIN) {
                        want_out = true;
                        break;
                }
                if (w < 0) {
                        /* not a packet the kernel takes (EINVAL, EIO while down): drop it, counted */
                        n->tx_errors++;
                        vw_port_count_dropped(n->ep->port, ch.len);
                } else {
                        n->tx_packets++;
                }
                vw_sink_consume(n->sink, ch.len);
        }
        if (want_out != n->want_out) {
                n->want_out = want_out;
                net_update_io(n);
        }
}

static int net_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct net *n = userdata;

        if (revents & EPOLLOUT)
                net_flush(n);
        if (revents & EPOLLIN)
                net_read(n);
        vw_endpoint_dispatch(n->ep);
        return 0;
}

static void net_ready(struct vw_sink *s, void *userdata)
{
        net_flush(userdata);
}

static void net_room(struct vw_endpoint *ep)
{
        struct net *n = ep->data;

        if (!n || !n->paused)
                return;
        n->paused = false;
        net_update_io(n);
        net_read(n);
}

/* ---- making the adapter ---- */

struct create_ctx {
        struct net *n;
        const struct net_config *c;
        const char *ifname;
        struct vw_rtnl *nl;
        const char *why;
};

/* Runs inside the target namespace: the device and the netlink socket are made there. */
static int create_here(void *userdata)
{
        struct create_ctx *x = userdata;
        struct net *n = x->n;
        struct ifreq ifr = {};
        struct vw_link_info li;
        int r;

        r = vw_rtnl_open(NULL, &x->nl);
        if (r < 0)
                return x->why = "cannot open rtnetlink", r;
        /* TUNSETIFF attaches to an existing persistent device of that name: never someone else's */
        if (!strchr(x->ifname, '%') && vw_rtnl_link_get(x->nl, x->ifname, &li) == 0)
                return x->why = "an adapter of that name exists (not made by this vwired)", -EEXIST;
        n->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (n->fd < 0)
                return x->why = errno == EPERM || errno == EACCES ? "cannot open /dev/net/tun (under systemd: "
                                "install the [net] drop-in, vwired(8) SYSTEMD)" : "cannot open /dev/net/tun", -errno;
        ifr.ifr_flags = (short)((x->c->type == NET_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", x->ifname);
        if (ioctl(n->fd, TUNSETIFF, &ifr) < 0)
                return x->why = errno == EPERM ? "TUNSETIFF needs CAP_NET_ADMIN (under systemd: install the [net] "
                                "drop-in, vwired(8) SYSTEMD)" : "TUNSETIFF", -errno;
        snprintf(n->ifname, sizeof(n->ifname), "%s", ifr.ifr_name);
        if (x->c->owner != (uid_t)-1 && ioctl(n->fd, TUNSETOWNER, (unsigned long)x->c->owner) < 0)
                return x->why = "TUNSETOWNER", -errno;
        if (x->c->group != (gid_t)-1 && ioctl(n->fd, TUNSETGROUP, (unsigned long)x->c->group) < 0)
                return x->why = "TUNSETGROUP", -errno;
        if (x->c->persist && ioctl(n->fd, TUNSETPERSIST, 1UL) < 0)
                return x->why = "TUNSETPERSIST", -errno;
        r = vw_rtnl_link_get(x->nl, n->ifname, &li);
        if (r < 0)
                return x->why = "the new adapter is not visible", r;
        n->ifindex = li.ifindex;
        return 0;
}

static int net_configure(struct net *n, struct vw_rtnl *nl, const struct net_config *c, const char **why)
{
        struct vw_endpoint *ep = n->ep;
        struct vw_link_change ch = { .up = -1, .mtu = c->mtu, .mac = c->mac.set ? c->mac.mac : NULL };
        char mark[256];
        int r;

        r = vw_net_mark_format(ep->name, getpid(), mark, sizeof(mark));
        if (r < 0)
                return *why = "mark", r;
        ch.alias = mark;
        r = vw_rtnl_link_change(nl, n->ifindex, &ch);
        if (r < 0)
                return *why = "cannot set ifalias, mtu or mac", r;
        for (size_t i = 0; i < c->address.n; i++) {
                const struct vw_ip_prefix *a = &c->address.a[i];
                struct vw_ip_prefix peer = c->peer.p;
                bool has_peer = c->peer.set && peer.family == a->family;

                peer.prefixlen = a->prefixlen;
                r = vw_rtnl_addr_add(nl, n->ifindex, a, has_peer ? &peer : NULL);
                if (r < 0)
                        return *why = "cannot add an address", r;
        }
        if (c->up) {
                r = vw_rtnl_link_change(nl, n->ifindex, &(struct vw_link_change){ .up = 1 });
                if (r < 0)
                        return *why = "cannot set the adapter up", r;
        }
        return 0;
}

static int net_start(struct vw_endpoint *ep)
{
        const struct net_config *c = ep->config;
        struct net *n;
        char dflt[IFNAMSIZ];
        struct create_ctx x = { .c = c };
        int r;

        r = vw_policy_net_admin(ep);
        if (r < 0)
                return r;
        n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        ep->data = n;
        n->ep = ep;
        n->fd = -1;
        n->need = (c->mtu ? c->mtu : 1500) + (c->type == NET_TAP ? ETHER_HEADER : 0);
        default_ifname(ep->name, dflt);
        x.n = n;
        x.ifname = c->ifname ? c->ifname : dflt;
        r = vw_netns_run(c->netns, create_here, &x);
        if (r >= 0 && c->persist) {
                r = vw_net_ledger_add(vw_endpoint_runtime_dir(ep), ep->name, c->netns, n->ifname, n->ifindex);
                n->recorded = r >= 0;
                x.why = "cannot record it in the ledger";
        }
        if (r >= 0)
                r = net_configure(n, x.nl, c, &x.why);
        vw_rtnl_close(x.nl);
        if (r < 0)
                return log_error_errno(r, "net %s: %s%s%s: %s", ep->name, x.ifname, c->netns ? " in netns " : "",
                                       c->netns ? c->netns : "", x.why ? x.why : "failed");
        r = vw_sink_new(ep->port, net_ready, n, &n->sink);
        if (r >= 0)
                r = sd_event_add_io(vw_endpoint_event(ep), &n->io, n->fd, EPOLLIN, net_io, n);
        if (r < 0)
                return log_error_errno(r, "net %s: cannot watch %s", ep->name, n->ifname);
        ep->room = net_room;
        ep->state = VW_STATE_ACTIVE;
        (void)vw_endpoint_set_path(ep, n->ifname);
        log_info("net %s: %s %s%s%s (ifindex %d)%s", ep->name, net_types[c->type], n->ifname,
                 c->netns ? " in netns " : "", c->netns ? c->netns : "", n->ifindex, c->persist ? ", persistent" : "");
        return 0;
}

static void net_stop(struct vw_endpoint *ep)
{
        const struct net_config *c = ep->config;
        struct net *n = ep->data;

        if (!n)
                return;
        sd_event_source_disable_unref(n->io);
        vw_sink_free(n->sink);
        /* without persist the last close removes the adapter; so it does for a persistent one we made */
        if (n->fd >= 0 && c->persist && ioctl(n->fd, TUNSETPERSIST, 0UL) < 0)
                log_warning_errno(errno, "net %s: cannot clear persist on %s", ep->name, n->ifname);
        safe_close(n->fd);
        if (n->recorded)
                vw_net_ledger_remove(vw_endpoint_runtime_dir(ep), ep->name);
        free(n);
        ep->data = NULL;
        ep->room = NULL;
}

static void net_describe(struct vw_endpoint *ep, json_object *d)
{
        const struct net_config *c = ep->config;
        struct net *n = ep->data;
        json_object *a = json_object_new_array();

        json_object_object_add(d, "type", json_object_new_string(net_types[c->type]));
        char buf[64];

        for (size_t i = 0; i < c->address.n; i++)
                json_object_array_add(a, json_object_new_string(vw_ip_prefix_to_string(&c->address.a[i], buf,
                                                                                        sizeof(buf))));
        json_object_object_add(d, "addresses", a);
        if (c->peer.set) {
                vw_ip_prefix_to_string(&c->peer.p, buf, sizeof(buf));
                buf[strcspn(buf, "/")] = '\0';
                json_object_object_add(d, "peer", json_object_new_string(buf));
        }
        if (c->netns)
                json_object_object_add(d, "netns", json_object_new_string(c->netns));
        json_object_object_add(d, "persist", json_object_new_boolean(c->persist));
        if (!n)
                return;
        json_object_object_add(d, "ifname", json_object_new_string(n->ifname));
        json_object_object_add(d, "ifindex", json_object_new_int(n->ifindex));
        json_object_object_add(d, "rx_packets", json_object_new_int64((int64_t)n->rx_packets));
        json_object_object_add(d, "tx_packets", json_object_new_int64((int64_t)n->tx_packets));
        json_object_object_add(d, "tx_errors", json_object_new_int64((int64_t)n->tx_errors));
        json_object_object_add(d, "dropped_oversize", json_object_new_int64((int64_t)n->oversize));
}

static void net_doctor(struct vw_endpoint *ep, json_object *checks)
{
        const struct net_config *c = ep->config;
        struct net *n = ep->data;
        struct vw_rtnl *nl = NULL;
        struct vw_link_info li = {};
        int r;

        if (!n || n->fd < 0)
                return;
        r = vw_rtnl_open(c->netns, &nl);
        if (r >= 0)
                r = vw_rtnl_link_get(nl, n->ifname, &li);
        vw_rtnl_close(nl);
        if (r < 0 || li.ifindex != n->ifindex)
                vw_doctor_check_add(checks, "net-adapter", "fail", ep->name, "vwirectl restart or reload",
                                    "adapter %s (ifindex %d) is gone: someone deleted or renamed it", n->ifname,
                                    n->ifindex);
        else if (c->up && !(li.flags & IFF_UP))
                vw_doctor_check_add(checks, "net-adapter", "warn", ep->name, "ip link set dev IFNAME up",
                                    "adapter %s was set down behind vwired's back", n->ifname);
        else
                vw_doctor_check_add(checks, "net-adapter", "ok", ep->name, NULL, "adapter %s is up, ifindex %d",
                                    n->ifname, n->ifindex);
}

/* Two sections must not name one adapter (a template such as "vw%d" names none in particular). */
static char *net_claim(const struct vw_section *s, const struct vw_setting **ret_setting)
{
        const struct vw_setting *st = vw_section_get(s, "ifname"), *ns = vw_section_get(s, "netns");
        char *p;

        /* without ifname the name comes from the section's, which is unique already */
        if (!st || strchr(st->value, '%'))
                return NULL;
        if (asprintf(&p, "netdev %s/%s", ns ? ns->value : "-", st->value) < 0)
                return NULL;
        *ret_setting = st;
        return p;
}

const struct vw_endpoint_ops vw_net_tun_ops = {
        .kind = "net",
        .backend = "tun",
        .keys = net_keys,
        .config_size = sizeof(struct net_config),
        .init_config = net_init_config,
        .check = net_check,
        .start = net_start,
        .stop = net_stop,
        .describe = net_describe,
        .doctor = net_doctor,
        .claim = net_claim,
};
