/* SPDX-License-Identifier: MIT */
/*
 * [socket NAME] with `listen = udp:HOST:PORT` or `connect = udp:HOST:PORT`: one UDP socket, one
 * datagram per chunk both ways (a packet tunnel: [net] <-> udp <-> [net]).
 *
 * connect: a connected socket; what the peer sends comes in, what is routed goes to it. An ICMP
 * "port unreachable" (the peer is not up yet) fails one send with ECONNREFUSED: counted, not
 * fatal. listen: bound; every datagram from anyone comes in, and what is routed goes to the peer
 * heard from last (it may move, as a roaming tunnel peer does); until one is heard, routed
 * datagrams are dropped and counted. Addresses are numeric (no name lookups for UDP).
 *
 * unix-dgram: works the same way over a unix datagram socket. listen binds the path (a socket
 * file made and removed like any other, with its mode and owners); connect binds an abstract
 * name the kernel picks (so the other side can answer) and sends to the path without
 * connect(): a peer that is not there yet fails one send (ENOENT, ECONNREFUSED), counted.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "endpoint.h"
#include "log.h"
#include "policy.h"
#include "socket-addr.h"
#include "socket-udp.h"

/* Room a read must have: UDP datagrams reach 64 KiB, but we wait for that only once one came. */
#define UDP_NEED_MIN 2048u
#define UDP_READ_MAX (64u * 1024u)
#define UDP_READ_BATCH 64

struct udp {
        struct vw_endpoint *ep;
        int fd;
        sd_event_source *io;
        struct vw_sink *sink;
        bool listening;
        bool unix_dgram;
        struct vw_owned *bound; /* unix-dgram: listen on a path: the socket file we made */
        union vw_sockaddr peer;
        socklen_t peer_len;
        char peer_text[128];
        size_t need;
        bool paused, want_out;
        uint64_t rx, tx, tx_no_peer, tx_errors, rx_oversize, refused;
        uint8_t buf[UDP_READ_MAX];
};

static void udp_update_io(struct udp *u)
{
        uint32_t ev = (u->paused ? 0 : EPOLLIN) | (u->want_out ? EPOLLOUT : 0);

        if (ev)
                (void)sd_event_source_set_io_events(u->io, ev);
        (void)sd_event_source_set_enabled(u->io, ev ? SD_EVENT_ON : SD_EVENT_OFF);
}

static void udp_peer_text(struct udp *u)
{
        size_t n;

        if (!u->unix_dgram) {
                vw_sockaddr_peer_to_string(u->fd, &u->peer, u->peer_text, sizeof(u->peer_text));
                return;
        }
        /* no credentials on a datagram socket: the sender's address, '@' for an abstract one */
        n = u->peer_len > offsetof(struct sockaddr_un, sun_path) ? u->peer_len - offsetof(struct sockaddr_un, sun_path)
                                                                 : 0;
        if (n == 0) {
                snprintf(u->peer_text, sizeof(u->peer_text), "unnamed unix socket");
                return;
        }
        if (u->peer.un.sun_path[0] == '\0')
                snprintf(u->peer_text, sizeof(u->peer_text), "@%.*s", (int)MIN(n - 1, (size_t)100),
                         u->peer.un.sun_path + 1);
        else
                snprintf(u->peer_text, sizeof(u->peer_text), "%.*s",
                         (int)strnlen(u->peer.un.sun_path, MIN(n, (size_t)108)), u->peer.un.sun_path);
}

static void udp_set_peer(struct udp *u, const union vw_sockaddr *sa, socklen_t len)
{
        if (u->peer_len == len && memcmp(&u->peer, sa, len) == 0)
                return;
        memcpy(&u->peer, sa, len);
        u->peer_len = len;
        udp_peer_text(u);
        log_info("socket %s: peer is %s", u->ep->name, u->peer_text);
        u->ep->clients = 1;
        u->ep->state = VW_STATE_ACTIVE;
}

static void udp_read(struct udp *u)
{
        struct vw_endpoint *ep = u->ep;

        for (unsigned i = 0; i < UDP_READ_BATCH; i++) {
                union vw_sockaddr sa;
                socklen_t sl = sizeof(sa);
                ssize_t n;

                if (!vw_port_has_room(ep->port, u->need)) {
                        u->paused = true;
                        udp_update_io(u);
                        return;
                }
                n = recvfrom(u->fd, u->buf, sizeof(u->buf), MSG_DONTWAIT, &sa.sa, &sl);
                if (n < 0) {
                        if (errno == ECONNREFUSED) { /* an ICMP error for an earlier send */
                                u->refused++;
                                continue;
                        }
                        if (errno != EAGAIN && errno != EINTR)
                                log_warning_errno(errno, "socket %s: cannot receive", ep->name);
                        return;
                }
                if (u->listening && sl <= sizeof(sa))
                        udp_set_peer(u, &sa, sl);
                u->rx++;
                if ((size_t)n > u->need)
                        u->need = (size_t)n;
                if (n > 0 && vw_port_write(ep->port, VW_CHUNK_DATAGRAM, u->buf, (size_t)n) < 0) {
                        u->rx_oversize++;
                        vw_port_count_dropped(ep->port, (size_t)n);
                }
        }
}

static void udp_flush(struct udp *u)
{
        struct vw_chunk ch;
        bool want_out = false;

        while (vw_sink_peek(u->sink, &ch)) {
                ssize_t n;

                if (u->listening && u->peer_len == 0) {
                        u->tx_no_peer++;
                        vw_port_count_dropped(u->ep->port, ch.len);
                        vw_sink_consume(u->sink, ch.len);
                        continue;
                }
                /* an unconnected socket names its peer: udp listen, and unix-dgram both ways */
                bool named = u->listening || u->unix_dgram;

                n = sendto(u->fd, ch.data, ch.len, MSG_DONTWAIT | MSG_NOSIGNAL, named ? &u->peer.sa : NULL,
                           named ? u->peer_len : 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
                        want_out = true;
                        break;
                }
                if (n < 0) {
                        /* ECONNREFUSED (no one there yet), EMSGSIZE, a route gone: this datagram only */
                        u->tx_errors++;
                        vw_port_count_dropped(u->ep->port, ch.len);
                } else {
                        u->tx++;
                }
                vw_sink_consume(u->sink, ch.len);
        }
        if (want_out != u->want_out) {
                u->want_out = want_out;
                udp_update_io(u);
        }
}

static int udp_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct udp *u = userdata;

        if (revents & EPOLLOUT)
                udp_flush(u);
        if (revents & (EPOLLIN | EPOLLERR))
                udp_read(u);
        vw_endpoint_dispatch(u->ep);
        return 0;
}

static void udp_ready(struct vw_sink *s, void *userdata)
{
        udp_flush(userdata);
}

static void udp_room(struct vw_endpoint *ep)
{
        struct udp *u = ep->data;

        if (!u || !u->paused)
                return;
        u->paused = false;
        udp_update_io(u);
        udp_read(u);
}

/* "*" listens on IPv6 and IPv4 at once where the list offers an IPv6 wildcard. */
static size_t pick_address(const struct vw_addr_list *al, bool wildcard)
{
        for (size_t i = 0; wildcard && i < al->n; i++)
                if (al->a[i].sa.sa.sa_family == AF_INET6)
                        return i;
        return 0;
}

static int unix_dgram_open(struct udp *u, const struct vw_address *a, mode_t mode, uid_t owner, gid_t group)
{
        struct vw_endpoint *ep = u->ep;
        struct vw_addr_list al;
        sa_family_t af = AF_UNIX;
        int r;

        r = vw_address_resolve_numeric(a, u->listening, &al, NULL);
        if (r < 0)
                return log_error_errno(r, "socket %s: %s: invalid address", ep->name, a->text);
        u->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (u->fd < 0)
                return log_error_errno(errno, "socket %s: cannot make a unix datagram socket", ep->name);
        if (u->listening) {
                if (a->path[0] == '/')
                        return vw_endpoint_bind_unix(ep, u->fd, a->path, mode == (mode_t)-1 ? 0660 : mode, owner, group,
                                                     &u->bound); /* says why itself */
                if (bind(u->fd, &al.a[0].sa.sa, al.a[0].len) < 0)
                        return log_error_errno(errno, "socket %s: cannot bind %s", ep->name, a->text);
                return 0;
        }
        if (a->path[0] == '/') {
                r = vw_policy_connect_unix(ep, a->path);
                if (r < 0)
                        return r;
        }
        /* autobind: an abstract name of the kernel's choosing, the address answers come back to */
        if (bind(u->fd, (const struct sockaddr *)&af, sizeof(af)) < 0)
                return log_error_errno(errno, "socket %s: cannot bind an address for answers", ep->name);
        u->peer = al.a[0].sa;
        u->peer_len = al.a[0].len;
        udp_peer_text(u);
        return 0;
}

static int udp_open(struct udp *u, const struct vw_address *a)
{
        struct vw_endpoint *ep = u->ep;
        struct vw_addr_list al;
        const char *why = NULL;
        int r, off = 0, one = 1;
        size_t i;

        r = vw_address_resolve_numeric(a, u->listening, &al, &why);
        if (r < 0)
                return log_error_errno(r, "socket %s: %s: %s (UDP addresses are numeric)", ep->name, a->text,
                                       why ? why : strerror(-r));
        i = pick_address(&al, u->listening && streq(a->host, "*"));
        u->fd = socket(al.a[i].sa.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (u->fd < 0)
                return log_error_errno(errno, "socket %s: cannot make a UDP socket", ep->name);
        if (al.a[i].sa.sa.sa_family == AF_INET6 && u->listening)
                (void)setsockopt(u->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
        if (u->listening) {
                (void)setsockopt(u->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                if (bind(u->fd, &al.a[i].sa.sa, al.a[i].len) < 0)
                        return log_error_errno(errno, "socket %s: cannot bind %s", ep->name, a->text);
                return 0;
        }
        /* connect() on UDP only sets the default destination: it never waits */
        if (connect(u->fd, &al.a[i].sa.sa, al.a[i].len) < 0)
                return log_error_errno(errno, "socket %s: cannot connect to %s", ep->name, a->text);
        u->peer = al.a[i].sa;
        u->peer_len = al.a[i].len;
        vw_sockaddr_peer_to_string(u->fd, &u->peer, u->peer_text, sizeof(u->peer_text));
        return 0;
}

int vw_udp_start(struct vw_endpoint *ep, const struct vw_address *a, bool listening, mode_t mode, uid_t owner,
                 gid_t group)
{
        struct udp *u;
        int r;

        if (listening) {
                r = vw_policy_listen(ep, a);
                if (r < 0)
                        return r;
        }
        u = calloc(1, sizeof(*u));
        if (!u)
                return -ENOMEM;
        ep->data = u;
        u->ep = ep;
        u->fd = -1;
        u->listening = listening;
        u->unix_dgram = a->family == VW_ADDR_UNIX;
        u->need = UDP_NEED_MIN;
        r = vw_endpoint_set_path(ep, a->text);
        if (r >= 0)
                r = u->unix_dgram ? unix_dgram_open(u, a, mode, owner, group) : udp_open(u, a);
        if (r >= 0)
                r = vw_sink_new(ep->port, udp_ready, u, &u->sink);
        if (r >= 0)
                r = sd_event_add_io(vw_endpoint_event(ep), &u->io, u->fd, EPOLLIN, udp_io, u);
        if (r < 0)
                return r;
        ep->room = udp_room;
        ep->state = listening ? VW_STATE_LISTENING : VW_STATE_ACTIVE;
        ep->clients = listening ? 0 : 1;
        return 0;
}

void vw_udp_stop(struct vw_endpoint *ep)
{
        struct udp *u = ep->data;

        if (!u)
                return;
        sd_event_source_disable_unref(u->io);
        vw_sink_free(u->sink);
        safe_close(u->fd);
        vw_endpoint_unmake(ep, u->bound);
        free(u);
        ep->data = NULL;
        ep->room = NULL;
        ep->clients = 0;
}

void vw_udp_describe(struct vw_endpoint *ep, json_object *d)
{
        struct udp *u = ep->data;

        json_object_object_add(d, "protocol", json_object_new_string(u && u->unix_dgram ? "unix-dgram" : "udp"));
        if (!u)
                return;
        if (u->peer_len)
                json_object_object_add(d, "peer", json_object_new_string(u->peer_text));
        json_object_object_add(d, "rx_datagrams", json_object_new_int64((int64_t)u->rx));
        json_object_object_add(d, "tx_datagrams", json_object_new_int64((int64_t)u->tx));
        json_object_object_add(d, "tx_errors", json_object_new_int64((int64_t)u->tx_errors));
        json_object_object_add(d, "tx_no_peer", json_object_new_int64((int64_t)u->tx_no_peer));
        json_object_object_add(d, "refused", json_object_new_int64((int64_t)u->refused));
}
