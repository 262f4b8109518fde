/* SPDX-License-Identifier: MIT */
/*
 * [socket NAME]: a stream socket, either `listen = ADDR` (any number of clients, up to
 * max-clients) or `connect = ADDR` (one connection, retried with exponential backoff).
 *
 * Every connected client shares the endpoint's traffic. Towards the clients each one has its own
 * sink (its own cursor in the rings: fan-out without copies; a slow client holds a block route,
 * or loses data under the drop policies). From the clients, every read becomes one chunk in the
 * port (fan-in); a read takes at most what the routes have room for, and when they have none no
 * client is read at all until ep->room.
 *
 * udp: and unix-dgram: addresses go to socket-udp.c: one datagram socket, a datagram per chunk.
 * unix-seqpacket: is handled here like a stream, but every read is one packet and becomes one
 * datagram chunk, and every chunk is sent as one packet.
 *
 * A connect endpoint keeps one sink across reconnects: while it is not connected, what is
 * routed to it is discarded (counted as dropped), so a dead peer never holds a route.
 *
 * protocol = telnet | rfc2217: each connection has a session (socket-telnet.c) that encodes
 * what goes out (IAC doubled, commands) and decodes what comes in; line state travels as signals.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "endpoint.h"
#include "list.h"
#include "log.h"
#include "policy.h"
#include "resolve.h"
#include "socket-addr.h"
#include "socket-telnet.h"
#include "socket-udp.h"
#include "varlink.h"

#define SOCKET_READ_MAX (64u * 1024u)
#define ACCEPT_BATCH 16
#define ACCEPT_RETRY_USEC (1000u * 1000u)
#define RECONNECT_MIN_USEC (10u * 1000u)
#define DEFAULT_MODE 0660
#define MAX_PENDING_HANGUPS 64

struct socket_config {
        struct vw_address listen;
        struct vw_address connect;
        unsigned max_clients;
        uint64_t reconnect;
        uint64_t reconnect_max;
        mode_t mode;
        uid_t owner;
        gid_t group;
        int protocol;
};

struct sock;

struct client {
        struct vw_list link;
        struct sock *sk;
        int fd;
        sd_event_source *io;
        struct vw_sink *sink;  /* listen: its own; connect: the endpoint's */
        struct vw_tn *tn;      /* telnet / RFC 2217 session (listen: its own; connect: the endpoint's) */
        char peer[128];
        uint16_t source; /* its chunks' source tag (router.h): never 0 */
        uint64_t bytes_in, bytes_out;
        bool connecting;       /* connect(): waiting for EPOLLOUT */
        bool want_out;         /* the socket was full: waiting for EPOLLOUT */
        bool write_dead;       /* writing failed: discard output, read until EOF */
        bool parked;           /* hung up while input was paused: quiet until ep->room */
        bool flushing;         /* in tn_flush(): a session's kick from inside only asks for another round */
        bool flush_again;
};

struct listener {
        int fd;
        sd_event_source *io;
};

struct sock {
        struct vw_endpoint *ep;
        const struct vw_address *addr;
        bool listening;
        bool paused;           /* the routes have no room: read no client */
        bool stopping;
        struct vw_signal port_lines; /* the port's last modem signal, for sessions that start later */
        bool have_port_lines;

        /* listen */
        struct listener listeners[VW_SOCKET_MAX_ADDRS];
        size_t n_listeners;
        struct vw_owned *bound; /* the socket file we bound at addr->path */
        struct vw_resolve *query; /* a name lookup in flight (listen or connect) */
        sd_event_source *accept_retry;
        struct vw_list clients;
        unsigned n_clients;
        uint64_t accepted, refused;
        size_t packet_need; /* unix-seqpacket: room a read must find (the largest packet so far) */
        uint16_t last_source;
        /* hangups the routes had no room for yet: sent before anything else is read */
        uint16_t pending_hangups[MAX_PENDING_HANGUPS];
        size_t n_pending_hangups;

        /* connect */
        struct client *conn;
        struct vw_sink *sink;
        struct vw_tn *tn;
        sd_event_source *retry;
        struct vw_addr_list targets;
        size_t next_target;
        uint64_t delay;        /* before the next attempt */
        unsigned failures;     /* attempts since the last connection */
        int round_error;       /* of the last target tried */
        int last_error;        /* of the last failed round or lost connection */
        uint64_t connections;

        uint8_t buf[SOCKET_READ_MAX];
};

static const struct vw_key socket_keys[] = {
        { "listen", vw_parse_address, offsetof(struct socket_config, listen), .host = true },
        { "connect", vw_parse_address, offsetof(struct socket_config, connect), .host = true },
        { "max-clients", vw_parse_uint, offsetof(struct socket_config, max_clients) },
        { "reconnect", vw_parse_duration, offsetof(struct socket_config, reconnect) },
        { "reconnect-max", vw_parse_duration, offsetof(struct socket_config, reconnect_max) },
        { "mode", vw_parse_mode, offsetof(struct socket_config, mode) },
        { "owner", vw_parse_user, offsetof(struct socket_config, owner), .host = true },
        { "group", vw_parse_group, offsetof(struct socket_config, group), .host = true },
        { "protocol", vw_parse_enum, offsetof(struct socket_config, protocol), vw_sock_protocol_names },
        {}
};

static void socket_init_config(void *config)
{
        struct socket_config *c = config;

        c->max_clients = 16;
        c->reconnect = 1000u * 1000u;
        c->reconnect_max = 30u * 1000u * 1000u;
        c->mode = (mode_t)-1;
        c->owner = (uid_t)-1;
        c->group = (gid_t)-1;
}

/* udp: or unix-dgram: (socket-udp.c) */
static bool is_udp(const struct socket_config *c)
{
        return (c->listen.text && c->listen.kind == VW_SOCK_DGRAM) ||
               (c->connect.text && c->connect.kind == VW_SOCK_DGRAM);
}

static int socket_type(const struct vw_address *a)
{
        return a->kind == VW_SOCK_SEQPACKET ? SOCK_SEQPACKET : SOCK_STREAM;
}

static bool key_in(const char *const *list, const char *key)
{
        for (; *list; list++)
                if (streq(*list, key))
                        return true;
        return false;
}

static void socket_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        static const char *const listen_only[] = { "max-clients", "mode", "owner", "group", NULL };
        static const char *const file_only[] = { "mode", "owner", "group", NULL };
        static const char *const connect_only[] = { "reconnect", "reconnect-max", NULL };
        const struct socket_config *c = config;
        const struct vw_setting *l = vw_section_get(s, "listen"), *k = vw_section_get(s, "connect");
        bool unix_file = l && c->listen.family == VW_ADDR_UNIX && c->listen.path[0] == '/';
        bool dgram_file = unix_file && c->listen.kind == VW_SOCK_DGRAM;
        char label[128];

        if (!l && !k) {
                vw_errors_add(errs, s->file, s->line, "[%s] needs 'listen' or 'connect'",
                              vw_section_label(s, label, sizeof(label)));
                return;
        }
        if (l && k) {
                vw_errors_add(errs, s->file, MAX(l->line, k->line), "'listen' and 'connect' exclude each other");
                return;
        }
        for (size_t i = 0; i < s->n_settings; i++) {
                const struct vw_setting *st = &s->settings[i];

                if (dgram_file && key_in(file_only, st->key))
                        continue; /* a unix-dgram: socket file has a mode and owners */
                if (streq(st->key, "protocol") && c->protocol != VW_SOCK_PROTO_RAW &&
                    (l ? c->listen.kind : c->connect.kind) != VW_SOCK_STREAM)
                        vw_errors_add(errs, s->file, st->line, "protocol = %s needs a stream (tcp: or unix:)",
                                      vw_sock_protocol_names[c->protocol]);
                else if (is_udp(c) && (key_in(listen_only, st->key) || key_in(connect_only, st->key)))
                        vw_errors_add(errs, s->file, st->line, "'%s' does not apply to %s (no connections)", st->key,
                                      l ? (c->listen.family == VW_ADDR_UDP ? "udp:" : "unix-dgram:")
                                        : (c->connect.family == VW_ADDR_UDP ? "udp:" : "unix-dgram:"));
                else if (k && key_in(listen_only, st->key))
                        vw_errors_add(errs, s->file, st->line, "'%s' only applies to listen", st->key);
                else if (l && key_in(connect_only, st->key))
                        vw_errors_add(errs, s->file, st->line, "'%s' only applies to connect", st->key);
                else if (!unix_file && key_in(file_only, st->key))
                        vw_errors_add(errs, s->file, st->line, "'%s' only applies to listen = unix:/path", st->key);
                else if (streq(st->key, "max-clients") && c->max_clients == 0)
                        vw_errors_add(errs, s->file, st->line, "max-clients: expected at least 1");
                else if (streq(st->key, "reconnect-max") && c->reconnect_max < c->reconnect)
                        vw_errors_add(errs, s->file, st->line, "reconnect-max must not be less than reconnect");
        }
}

/* ---- helpers ---- */

static const char *format_usec(uint64_t usec, char *buf, size_t size)
{
        if (usec >= 1000u * 1000u)
                snprintf(buf, size, "%.1fs", (double)usec / 1e6);
        else
                snprintf(buf, size, "%" PRIu64 "ms", usec / 1000u);
        return buf;
}

/* ---- clients: what listen and connect share ---- */

static void conn_lost(struct sock *sk, int err);
static void sock_pause(struct sock *sk, bool pause);

static void client_update(struct client *c)
{
        uint32_t ev = 0;

        if (c->connecting)
                ev = EPOLLOUT;
        else if (!c->parked) {
                if (!c->sk->paused)
                        ev |= EPOLLIN;
                if (c->want_out && !c->write_dead)
                        ev |= EPOLLOUT;
        }
        if (ev)
                (void)sd_event_source_set_io_events(c->io, ev);
        (void)sd_event_source_set_enabled(c->io, ev ? SD_EVENT_ON : SD_EVENT_OFF);
}

static void client_free(struct client *c)
{
        struct sock *sk;

        if (!c)
                return;
        sk = c->sk;
        vw_list_remove(&c->link);
        sd_event_source_disable_unref(c->io);
        if (c->tn && !sk->stopping && !c->connecting)
                vw_tn_disconnected(c->tn, !sk->listening || vw_list_empty(&sk->clients));
        if (c->tn != sk->tn)
                vw_tn_free(c->tn);
        if (c->sink != c->sk->sink)
                vw_sink_free(c->sink);
        safe_close(c->fd);
        free(c);
}

static void sock_update_state(struct sock *sk)
{
        struct vw_endpoint *ep = sk->ep;

        if (sk->listening) {
                ep->clients = sk->n_clients;
                ep->state = sk->n_clients > 0 ? VW_STATE_ACTIVE : VW_STATE_LISTENING;
        } else {
                ep->clients = sk->conn && !sk->conn->connecting ? 1 : 0;
                ep->state = sk->conn ? (sk->conn->connecting ? VW_STATE_CONNECTING : VW_STATE_ACTIVE) : VW_STATE_CLOSED;
        }
}

/* Tell the routes a client is gone (an input device releases the keys it held). */
static bool send_hangup(struct sock *sk, uint16_t source)
{
        struct vw_line_event ev = { .type = VW_LINE_HANGUP };

        return vw_port_write_from(sk->ep->port, source, VW_CHUNK_LINE, &ev, sizeof(ev)) != -EAGAIN;
}

/* Hangups still waiting for room; false while some still wait. */
static bool flush_hangups(struct sock *sk)
{
        size_t done = 0;

        while (done < sk->n_pending_hangups && send_hangup(sk, sk->pending_hangups[done]))
                done++;
        memmove(sk->pending_hangups, sk->pending_hangups + done, (sk->n_pending_hangups - done) * sizeof(uint16_t));
        sk->n_pending_hangups -= done;
        return sk->n_pending_hangups == 0;
}

static void client_hangup(struct client *c)
{
        struct sock *sk = c->sk;

        if (flush_hangups(sk) && send_hangup(sk, c->source))
                return;
        if (sk->n_pending_hangups < MAX_PENDING_HANGUPS)
                sk->pending_hangups[sk->n_pending_hangups++] = c->source;
        else
                log_warning("socket %s: too many hangups wait for room: client %s's is lost", sk->ep->name, c->peer);
        sock_pause(sk, true); /* ep->room sends them */
}

/* The client is gone (EOF: err 0) or broken: forget it. */
static void client_lost(struct client *c, int err)
{
        struct sock *sk = c->sk;

        client_hangup(c);
        if (!sk->listening) {
                conn_lost(sk, err);
                return;
        }
        if (err == 0)
                log_info("socket %s: client %s disconnected", sk->ep->name, c->peer);
        else
                log_info("socket %s: client %s lost: %s", sk->ep->name, c->peer, strerror(-err));
        client_free(c);
        sk->n_clients--;
        sock_update_state(sk);
}

static void tn_flush_round(struct client *c);

static void set_want_out(struct client *c, bool want_out)
{
        if (want_out != c->want_out || c->write_dead) {
                c->want_out = want_out;
                client_update(c);
        }
}

/* A session's client: its encoded output first, then what the routes hold, escaped. A chunk
 * the session takes may make it kick (a break's SET-CONTROL): that must not peek the same
 * chunk again from a nested call, so the kick only asks this loop for another round. */
static void tn_flush(struct client *c)
{
        if (c->flushing) {
                c->flush_again = true;
                return;
        }
        c->flushing = true;
        do {
                c->flush_again = false;
                tn_flush_round(c);
        } while (c->flush_again && !c->write_dead);
        c->flushing = false;
}

static void tn_flush_round(struct client *c)
{
        struct vw_chunk ch;

        for (;;) {
                const uint8_t *p;
                size_t len = vw_tn_out(c->tn, &p);
                ssize_t n;

                if (len == 0) {
                        if (!vw_tn_may_send(c->tn) || !vw_sink_peek(c->sink, &ch))
                                break;
                        vw_sink_consume(c->sink, vw_tn_take(c->tn, &ch));
                        continue;
                }
                n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                set_want_out(c, true);
                                return;
                        }
                        log_debug_errno(errno, "socket %s: cannot write to %s", c->sk->ep->name, c->peer);
                        c->write_dead = true;
                        vw_sink_discard(c->sink);
                        set_want_out(c, false);
                        return;
                }
                c->bytes_out += (uint64_t)n;
                vw_tn_out_done(c->tn, (size_t)n);
                if ((size_t)n < len) {
                        set_want_out(c, true);
                        return;
                }
        }
        set_want_out(c, false);
}

/* Write what the routes hold for this client until its socket is full. Never frees c. */
static void client_flush(struct client *c)
{
        struct vw_chunk ch;
        bool want_out = false;

        if (c->write_dead) {
                vw_sink_discard(c->sink);
                return;
        }
        if (c->tn) {
                tn_flush(c);
                return;
        }
        while (vw_sink_peek(c->sink, &ch)) {
                ssize_t n = send(c->fd, ch.data, ch.len, MSG_NOSIGNAL | MSG_DONTWAIT);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                want_out = true;
                                break;
                        }
                        if (errno == EMSGSIZE && c->sk->addr->kind == VW_SOCK_SEQPACKET) {
                                /* larger than the socket's buffer: this packet only */
                                vw_port_count_dropped(c->sk->ep->port, ch.len);
                                vw_sink_consume(c->sink, ch.len);
                                continue;
                        }
                        /* EPIPE, ECONNRESET, ...: keep reading what the peer sent until EOF */
                        log_debug_errno(errno, "socket %s: cannot write to %s", c->sk->ep->name, c->peer);
                        c->write_dead = true;
                        vw_sink_discard(c->sink);
                        break;
                }
                c->bytes_out += (uint64_t)n;
                vw_sink_consume(c->sink, (size_t)n);
                if ((size_t)n < ch.len) {
                        want_out = true;
                        break;
                }
        }
        if (want_out != c->want_out || c->write_dead) {
                c->want_out = want_out;
                client_update(c);
        }
}

static void sock_pause(struct sock *sk, bool pause)
{
        if (sk->paused == pause)
                return;
        sk->paused = pause;
        vw_list_for_each(i, &sk->clients) {
                struct client *c = vw_list_entry(i, struct client, link);

                c->parked = false;
                client_update(c);
                if (c->tn)
                        vw_tn_paused(c->tn, pause);
        }
        if (sk->conn) {
                sk->conn->parked = false;
                client_update(sk->conn);
                if (sk->conn->tn && !sk->conn->connecting)
                        vw_tn_paused(sk->conn->tn, pause);
        }
}

/* One read into the port. May free c. */
static void client_read(struct client *c)
{
        struct sock *sk = c->sk;
        struct vw_endpoint *ep = sk->ep;
        size_t room = vw_port_room(ep->port);
        bool packets = sk->addr->kind == VW_SOCK_SEQPACKET;
        ssize_t n;
        int r;

        /* a packet is taken whole or not at all: wait for room for the largest one seen */
        if (room == 0 || (packets && !vw_port_has_room(ep->port, sk->packet_need))) {
                sock_pause(sk, true); /* ep->room resumes every client */
                return;
        }
        n = recv(c->fd, sk->buf, packets ? sizeof(sk->buf) : MIN(room, sizeof(sk->buf)),
                 MSG_DONTWAIT | (packets ? MSG_TRUNC : 0));
        if (n < 0) {
                if (errno != EINTR && errno != EAGAIN)
                        client_lost(c, -errno);
                return;
        }
        if (n == 0) {
                client_lost(c, 0);
                return;
        }
        if (packets && (size_t)n > sizeof(sk->buf)) { /* MSG_TRUNC: the real length */
                log_warning("socket %s: dropped a %zd-byte packet from %s (at most %zu)", ep->name, n, c->peer,
                            sizeof(sk->buf));
                vw_port_count_dropped(ep->port, (size_t)n);
                return;
        }
        c->bytes_in += (uint64_t)n;
        if (c->tn) {
                vw_tn_input(c->tn, sk->buf, (size_t)n);
                if (!vw_tn_deliver_held(c->tn))
                        sock_pause(sk, true); /* the refusal armed ep->room, which delivers the rest */
                client_flush(c); /* answers */
                return;
        }
        if (packets && (size_t)n > sk->packet_need)
                sk->packet_need = (size_t)n;
        r = vw_port_write_from(ep->port, c->source, packets ? VW_CHUNK_DATAGRAM : VW_CHUNK_BYTES, sk->buf, (size_t)n);
        if (r < 0) {
                log_error_errno(r, "socket %s: routes refused %zd bytes they had room for", ep->name, n);
                vw_port_count_dropped(ep->port, (size_t)n);
        }
}

static void conn_established(struct sock *sk);

static int client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct client *c = userdata;
        struct sock *sk = c->sk;

        if (c->connecting) {
                conn_established(sk);
                return 0;
        }
        if ((revents & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && c->want_out && !c->write_dead)
                client_flush(c);
        if (!sk->paused) {
                if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                        client_read(c); /* may free c */
        } else if (revents & (EPOLLHUP | EPOLLERR)) {
                /* the peer is gone but may have left data we cannot take yet: read it after ep->room */
                c->parked = true;
                client_update(c);
        }
        vw_endpoint_dispatch(sk->ep); /* the bytes go on now, not after another epoll_wait */
        return 0;
}

static void client_ready(struct vw_sink *s, void *userdata)
{
        client_flush(userdata);
}

static void client_kick(void *userdata)
{
        client_flush(userdata);
}

static int client_new(struct sock *sk, int fd, const char *peer, struct client **ret)
{
        struct vw_endpoint *ep = sk->ep;
        struct client *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c) {
                safe_close(fd);
                return -ENOMEM;
        }
        c->sk = sk;
        c->fd = fd;
        sk->last_source = sk->last_source == UINT16_MAX ? 1 : sk->last_source + 1;
        c->source = sk->last_source;
        vw_list_init(&c->link);
        snprintf(c->peer, sizeof(c->peer), "%s", peer);
        if (sk->listening) {
                struct socket_config *cfg = ep->config;

                r = vw_sink_new(ep->port, client_ready, c, &c->sink);
                if (r < 0)
                        goto fail;
                if (cfg->protocol != VW_SOCK_PROTO_RAW) {
                        r = vw_tn_new(ep, cfg->protocol, true, client_kick, c, &c->tn);
                        if (r < 0)
                                goto fail;
                        vw_tn_set_sink(c->tn, c->sink);
                        vw_sink_set_accept_line(c->sink, true);
                }
        } else {
                c->sink = sk->sink;
                c->tn = sk->tn;
        }
        r = sd_event_add_io(vw_endpoint_event(ep), &c->io, fd, EPOLLIN, client_io, c);
        if (r < 0)
                goto fail;
        *ret = c;
        return 0;
fail:
        client_free(c);
        return r;
}

/* ---- listen ---- */

static void accept_one(struct sock *sk, int fd, const union vw_sockaddr *sa)
{
        struct socket_config *cfg = sk->ep->config;
        struct client *c;
        char peer[128];
        int r;

        vw_sockaddr_peer_to_string(fd, sa, peer, sizeof(peer));
        if (sk->n_clients >= cfg->max_clients) {
                sk->refused++;
                /* a client retrying in a loop must not flood the log */
                if (sk->refused <= 3 || sk->refused % 100 == 0)
                        log_warning("socket %s: refused client %s: max-clients (%u) reached (%" PRIu64 " refused)",
                                    sk->ep->name, peer, cfg->max_clients, sk->refused);
                safe_close(fd);
                return;
        }
        r = client_new(sk, fd, peer, &c);
        if (r < 0) {
                log_error_errno(r, "socket %s: cannot take client %s", sk->ep->name, peer);
                return;
        }
        vw_list_insert_tail(&sk->clients, &c->link);
        sk->n_clients++;
        sk->accepted++;
        client_update(c);
        sock_update_state(sk);
        if (c->tn) {
                /* the negotiation goes out at once; then the port's lines as they are */
                vw_tn_connected(c->tn);
                if (sk->have_port_lines)
                        vw_tn_signal(c->tn, &sk->port_lines);
        }
        log_info("socket %s: client %s connected (%u connected)", sk->ep->name, peer, sk->n_clients);
}

static void listeners_enable(struct sock *sk, bool on)
{
        for (size_t i = 0; i < sk->n_listeners; i++)
                (void)sd_event_source_set_enabled(sk->listeners[i].io, on ? SD_EVENT_ON : SD_EVENT_OFF);
}

static int accept_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
        listeners_enable(userdata, true);
        return 0;
}

/* accept() fails for want of resources: the connection stays queued; retry in a while, not in a loop. */
static void accept_pause(struct sock *sk)
{
        int r;

        listeners_enable(sk, false);
        /* made when first needed: sd-event keeps a timerfd open for a clock once anything uses it */
        if (!sk->accept_retry) {
                r = sd_event_add_time_relative(vw_endpoint_event(sk->ep), &sk->accept_retry, CLOCK_MONOTONIC,
                                               ACCEPT_RETRY_USEC, 0, accept_retry, sk);
        } else {
                r = sd_event_source_set_time_relative(sk->accept_retry, ACCEPT_RETRY_USEC);
                if (r >= 0)
                        r = sd_event_source_set_enabled(sk->accept_retry, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                listeners_enable(sk, true); /* rather busy than deaf */
}

static int listener_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct sock *sk = userdata;

        for (unsigned i = 0; i < ACCEPT_BATCH; i++) {
                union vw_sockaddr sa = {};
                socklen_t len = sizeof(sa);
                int cfd = accept4(fd, &sa.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

                if (cfd >= 0) {
                        accept_one(sk, cfd, &sa);
                        continue;
                }
                if (errno == EINTR || errno == ECONNABORTED)
                        continue;
                if (errno == EAGAIN)
                        return 0;
                /* EMFILE, ENFILE, ENOBUFS... */
                log_warning_errno(errno, "socket %s: cannot accept, pausing for a second", sk->ep->name);
                accept_pause(sk);
                return 0;
        }
        return 0;
}

static int listen_one(struct sock *sk, const union vw_sockaddr *sa, socklen_t len)
{
        struct socket_config *cfg = sk->ep->config;
        struct vw_endpoint *ep = sk->ep;
        struct listener *l = &sk->listeners[sk->n_listeners];
        _cleanup_close_ int fd = -1;
        int r, one = 1;

        fd = socket(sa->sa.sa_family, socket_type(sk->addr) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (sa->sa.sa_family != AF_UNIX)
                (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (sa->sa.sa_family == AF_INET6)
                (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (sa->sa.sa_family == AF_UNIX && sk->addr->path[0] == '/') {
                mode_t mode = cfg->mode == (mode_t)-1 ? DEFAULT_MODE : cfg->mode;

                r = vw_endpoint_bind_unix(ep, fd, sk->addr->path, mode, cfg->owner, cfg->group, &sk->bound);
                if (r < 0)
                        return r;
        } else if (bind(fd, &sa->sa, len) < 0) {
                return negative_errno();
        }
        if (listen(fd, SOMAXCONN) < 0)
                return negative_errno();
        r = sd_event_add_io(vw_endpoint_event(ep), &l->io, fd, EPOLLIN, listener_io, sk);
        if (r < 0)
                return r;
        l->fd = TAKE_FD(fd);
        sk->n_listeners++;
        return 0;
}

static int listen_on(struct sock *sk, const struct vw_addr_list *al)
{
        struct vw_endpoint *ep = sk->ep;
        int r, skipped = 0;

        for (size_t i = 0; i < al->n; i++) {
                r = listen_one(sk, &al->a[i].sa, al->a[i].len);
                /* e.g. "localhost" on a host without IPv6: one family is enough */
                if ((r == -EAFNOSUPPORT || r == -EADDRNOTAVAIL) && al->n > 1) {
                        skipped = r;
                        continue;
                }
                if (r < 0 && sk->addr->family == VW_ADDR_UNIX && sk->addr->path[0] == '/')
                        return r; /* vw_endpoint_bind_unix() said why */
                if (r < 0) /* EADDRINUSE: "cannot listen on tcp:...: Address already in use" */
                        return log_error_errno(r, "socket %s: cannot listen on %s", ep->name, sk->addr->text);
        }
        if (sk->n_listeners == 0)
                return log_error_errno(skipped, "socket %s: cannot listen on %s", ep->name, sk->addr->text);
        log_info("socket %s: listening on %s", ep->name, sk->addr->text);
        return 0;
}

static int resolve_error(struct sock *sk, int r, const char *why)
{
        if (why)
                return log_error("socket %s: cannot resolve %s: %s", sk->ep->name, sk->addr->text, why), r;
        return log_error_errno(r, "socket %s: cannot resolve %s", sk->ep->name, sk->addr->text);
}

/* A listen address that named a host: the lookup ended. Failing now leaves the endpoint
 * "failed" (vwirectl show says why); it was added already. */
static void listen_resolved(int r, const struct vw_addr_list *al, const char *why, void *userdata)
{
        struct sock *sk = userdata;

        sk->query = NULL;
        if (r >= 0)
                r = listen_on(sk, al);
        else
                resolve_error(sk, r, why);
        sock_update_state(sk);
        if (r < 0)
                sk->ep->state = VW_STATE_FAILED;
}

static int socket_listen(struct sock *sk)
{
        struct vw_addr_list al;
        int r;

        if (sk->addr->family == VW_ADDR_UNIX) {
                r = vw_address_resolve_numeric(sk->addr, true, &al, NULL);
                return r < 0 ? resolve_error(sk, r, NULL) : listen_on(sk, &al);
        }
        r = vw_resolve_start(vw_endpoint_event(sk->ep), sk->addr, true, &al, listen_resolved, sk, &sk->query);
        if (r < 0)
                return resolve_error(sk, r, NULL);
        if (r == 0) {
                log_info("socket %s: looking up %s", sk->ep->name, sk->addr->host);
                return 0;
        }
        return listen_on(sk, &al);
}

/* ---- connect ---- */

static void conn_attempt(struct sock *sk);

static void conn_schedule(struct sock *sk)
{
        struct socket_config *cfg = sk->ep->config;
        uint64_t now;

        (void)sd_event_now(vw_endpoint_event(sk->ep), CLOCK_MONOTONIC, &now);
        (void)sd_event_source_set_time(sk->retry, now + sk->delay);
        (void)sd_event_source_set_enabled(sk->retry, SD_EVENT_ONESHOT);
        sk->delay = MIN(sk->delay * 2, MAX(MAX(cfg->reconnect_max, cfg->reconnect), (uint64_t)RECONNECT_MIN_USEC));
}

/* Every target failed this round: wait, with backoff, and log without flooding. */
static void conn_failed(struct sock *sk, int err, const char *why)
{
        char buf[32];

        sk->targets.n = 0; /* the next round resolves the name again */
        sk->failures++;
        if (sk->failures == 1 || sk->failures % 10 == 0 || err != sk->last_error)
                log_info("socket %s: cannot connect to %s: %s (attempt %u, next in %s)", sk->ep->name,
                         sk->addr->text, why ? why : strerror(-err), sk->failures,
                         format_usec(sk->delay, buf, sizeof(buf)));
        sk->last_error = err;
        conn_schedule(sk);
        sock_update_state(sk);
}

static void conn_lost(struct sock *sk, int err)
{
        struct socket_config *cfg = sk->ep->config;
        bool was_connecting = sk->conn && sk->conn->connecting;

        client_free(sk->conn);
        sk->conn = NULL;
        if (was_connecting) {
                /* this target refused: try the next one of the name, or wait */
                conn_attempt(sk);
                return;
        }
        if (err == 0)
                log_info("socket %s: connection to %s closed by the peer", sk->ep->name, sk->addr->text);
        else
                log_info("socket %s: connection to %s lost: %s", sk->ep->name, sk->addr->text, strerror(-err));
        sk->last_error = err;
        sk->delay = MAX(cfg->reconnect, (uint64_t)RECONNECT_MIN_USEC);
        conn_schedule(sk);
        sock_update_state(sk);
}

static void conn_established(struct sock *sk)
{
        struct socket_config *cfg = sk->ep->config;
        struct client *c = sk->conn;
        union vw_sockaddr sa = {};
        socklen_t len = sizeof(int), salen = sizeof(sa);
        int err = 0;

        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
        if (err != 0) {
                sk->round_error = -err;
                client_lost(c, -err); /* goes on with the next target */
                return;
        }
        c->connecting = false;
        if (getpeername(c->fd, &sa.sa, &salen) == 0)
                vw_sockaddr_peer_to_string(c->fd, &sa, c->peer, sizeof(c->peer));
        if (sk->failures > 0)
                log_info("socket %s: connected to %s (%s) after %u failed attempts", sk->ep->name, sk->addr->text,
                         c->peer, sk->failures);
        else
                log_info("socket %s: connected to %s (%s)", sk->ep->name, sk->addr->text, c->peer);
        sk->targets.n = 0;
        sk->failures = 0;
        sk->last_error = 0;
        sk->connections++;
        sk->delay = MAX(cfg->reconnect, (uint64_t)RECONNECT_MIN_USEC);
        client_update(c);
        sock_update_state(sk);
        if (c->tn)
                vw_tn_connected(c->tn);
        client_flush(c);
}

static void conn_resolved(int r, const struct vw_addr_list *al, const char *why, void *userdata)
{
        struct sock *sk = userdata;

        sk->query = NULL;
        if (r < 0) {
                conn_failed(sk, r, why);
                return;
        }
        sk->targets = *al;
        sk->next_target = 0;
        sk->round_error = -ECONNREFUSED;
        conn_attempt(sk);
}

/* Try the targets of this round from the next one on; a round that runs out of them failed. */
static void conn_attempt(struct sock *sk)
{
        struct vw_endpoint *ep = sk->ep;
        const char *why;
        int r;

        /* A confined caller's unix path is checked again before every attempt: what is there
         * may have been replaced since the last one (a symlink to someone else's socket). */
        if (sk->addr->family == VW_ADDR_UNIX && (r = vw_policy_connect_unix(ep, sk->addr->path)) < 0) {
                conn_failed(sk, r, "refused by the caller's rights");
                return;
        }
        if (sk->query)
                return; /* a lookup is in flight; its answer goes on from here */
        if (sk->targets.n == 0) {
                if (sk->addr->family == VW_ADDR_UNIX)
                        r = vw_address_resolve_numeric(sk->addr, false, &sk->targets, &why) < 0 ? -ENAMETOOLONG : 1;
                else
                        r = vw_resolve_start(vw_endpoint_event(ep), sk->addr, false, &sk->targets, conn_resolved, sk,
                                             &sk->query);
                if (r < 0) {
                        conn_failed(sk, r, NULL);
                        return;
                }
                if (r == 0)
                        return; /* conn_resolved() goes on */
                sk->next_target = 0;
                sk->round_error = -ECONNREFUSED;
        }
        while (sk->next_target < sk->targets.n) {
                const union vw_sockaddr *sa = &sk->targets.a[sk->next_target].sa;
                socklen_t len = sk->targets.a[sk->next_target].len;
                int fd;

                sk->next_target++;
                fd = socket(sa->sa.sa_family, socket_type(sk->addr) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        sk->round_error = -errno;
                        continue;
                }
                if (connect(fd, &sa->sa, len) < 0 && errno != EINPROGRESS) {
                        /* unix sockets answer at once; EAGAIN there means a full backlog */
                        sk->round_error = -errno;
                        safe_close(fd);
                        continue;
                }
                r = client_new(sk, fd, sk->addr->text, &sk->conn);
                if (r < 0) {
                        log_error_errno(r, "socket %s: cannot watch the connection", ep->name);
                        sk->round_error = r;
                        break;
                }
                /* completion (or failure) shows as EPOLLOUT, even when connect() succeeded at once */
                sk->conn->connecting = true;
                client_update(sk->conn);
                sock_update_state(sk);
                return;
        }
        conn_failed(sk, sk->round_error, NULL);
}

static int conn_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
        conn_attempt(userdata);
        return 0;
}

static void conn_ready(struct vw_sink *s, void *userdata)
{
        struct sock *sk = userdata;

        if (sk->conn && !sk->conn->connecting)
                client_flush(sk->conn);
        else
                vw_sink_discard(s); /* not connected: nobody to give it to */
}

static void conn_kick(void *userdata)
{
        struct sock *sk = userdata;

        if (sk->conn && !sk->conn->connecting)
                client_flush(sk->conn);
}

static int socket_connect(struct sock *sk)
{
        struct socket_config *cfg = sk->ep->config;
        struct vw_endpoint *ep = sk->ep;
        int r;

        r = vw_sink_new(ep->port, conn_ready, sk, &sk->sink);
        if (r < 0)
                return log_error_errno(r, "socket %s: cannot attach to the routes", ep->name);
        if (cfg->protocol != VW_SOCK_PROTO_RAW) {
                r = vw_tn_new(ep, cfg->protocol, false, conn_kick, sk, &sk->tn);
                if (r < 0)
                        return r;
                vw_tn_set_sink(sk->tn, sk->sink);
                vw_sink_set_accept_line(sk->sink, true);
        }
        r = sd_event_add_time(vw_endpoint_event(ep), &sk->retry, CLOCK_MONOTONIC, 0, 0, conn_retry, sk);
        if (r < 0)
                return log_error_errno(r, "socket %s: cannot add a timer", ep->name);
        (void)sd_event_source_set_enabled(sk->retry, SD_EVENT_OFF);
        sk->delay = MAX(cfg->reconnect, (uint64_t)RECONNECT_MIN_USEC);
        conn_attempt(sk);
        return 0;
}

/* ---- the endpoint ---- */

/* Sessions' chunks the routes refused; false while some still wait. */
static bool deliver_held(struct sock *sk)
{
        if (sk->tn && !vw_tn_deliver_held(sk->tn))
                return false;
        vw_list_for_each(i, &sk->clients) {
                struct client *c = vw_list_entry(i, struct client, link);

                if (c->tn && !vw_tn_deliver_held(c->tn))
                        return false;
        }
        return true;
}

static void socket_room(struct vw_endpoint *ep)
{
        struct sock *sk = ep->data;

        if (flush_hangups(sk) && deliver_held(sk))
                sock_pause(sk, false);
}

static int socket_start(struct vw_endpoint *ep)
{
        struct socket_config *cfg = ep->config;
        struct sock *sk;
        int r;

        if (is_udp(cfg)) {
                r = vw_policy_owner(ep, cfg->owner, cfg->group, cfg->mode); /* unix-dgram: files */
                if (r < 0)
                        return r;
                return vw_udp_start(ep, cfg->listen.text ? &cfg->listen : &cfg->connect, cfg->listen.text != NULL,
                                    cfg->mode, cfg->owner, cfg->group);
        }
        sk = calloc(1, sizeof(*sk));
        if (!sk)
                return -ENOMEM;
        ep->data = sk;
        sk->ep = ep;
        vw_list_init(&sk->clients);
        sk->listening = cfg->listen.text != NULL;
        sk->addr = sk->listening ? &cfg->listen : &cfg->connect;
        sk->packet_need = 2048;
        ep->room = socket_room;

        r = vw_policy_owner(ep, cfg->owner, cfg->group, cfg->mode);
        if (r >= 0 && sk->listening)
                r = vw_policy_listen(ep, sk->addr);
        if (r >= 0 && !sk->listening && sk->addr->family == VW_ADDR_UNIX)
                r = vw_policy_connect_unix(ep, sk->addr->path);
        if (r < 0)
                return r;
        r = vw_endpoint_set_path(ep, sk->addr->text);
        if (r < 0)
                return r;
        r = sk->listening ? socket_listen(sk) : socket_connect(sk);
        if (r < 0)
                return r;
        sock_update_state(sk);
        return 0;
}

static void socket_stop(struct vw_endpoint *ep)
{
        struct sock *sk = ep->data;

        if (is_udp(ep->config)) {
                vw_udp_stop(ep);
                return;
        }
        if (!sk)
                return;
        sk->stopping = true;
        vw_list_for_each_safe(i, tmp, &sk->clients)
                client_free(vw_list_entry(i, struct client, link));
        client_free(sk->conn);
        for (size_t i = 0; i < sk->n_listeners; i++) {
                sd_event_source_disable_unref(sk->listeners[i].io);
                safe_close(sk->listeners[i].fd);
        }
        vw_endpoint_unmake(ep, sk->bound);
        sk->bound = NULL;
        vw_resolve_cancel(sk->query);
        sd_event_source_disable_unref(sk->accept_retry);
        sd_event_source_disable_unref(sk->retry);
        vw_sink_free(sk->sink);
        vw_tn_free(sk->tn);
        free(sk);
        ep->data = NULL;
        ep->room = NULL;
        ep->clients = 0;
}

static json_object *client_to_json(const struct client *c)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "peer", json_object_new_string(c->peer));
        json_object_object_add(o, "bytes_in", json_object_new_int64((int64_t)c->bytes_in));
        json_object_object_add(o, "bytes_out", json_object_new_int64((int64_t)c->bytes_out));
        json_object_object_add(o, "pending_out", json_object_new_int64((int64_t)vw_sink_pending(c->sink)));
        if (c->tn && c->sk->listening)
                vw_tn_describe(c->tn, o);
        return o;
}

static void socket_describe(struct vw_endpoint *ep, json_object *d)
{
        struct socket_config *cfg = ep->config;
        struct sock *sk = ep->data;
        json_object *clients;

        if (cfg->listen.text) {
                json_object_object_add(d, "listen", json_object_new_string(cfg->listen.text));
                if (!is_udp(cfg))
                        json_object_object_add(d, "max_clients", json_object_new_int64(cfg->max_clients));
        } else if (is_udp(cfg)) {
                json_object_object_add(d, "connect", json_object_new_string(cfg->connect.text));
        } else {
                json_object_object_add(d, "connect", json_object_new_string(cfg->connect.text));
                json_object_object_add(d, "reconnect_usec", json_object_new_int64((int64_t)cfg->reconnect));
                json_object_object_add(d, "reconnect_max_usec", json_object_new_int64((int64_t)cfg->reconnect_max));
        }
        if (is_udp(cfg)) {
                vw_udp_describe(ep, d);
                return;
        }
        if (!sk)
                return;
        clients = json_object_new_array();
        vw_list_for_each(i, &sk->clients)
                json_object_array_add(clients, client_to_json(vw_list_entry(i, struct client, link)));
        if (sk->conn && !sk->conn->connecting)
                json_object_array_add(clients, client_to_json(sk->conn));
        json_object_object_add(d, "clients", clients);
        json_object_object_add(d, "paused", json_object_new_boolean(sk->paused));
        if (sk->listening) {
                json_object_object_add(d, "accepted", json_object_new_int64((int64_t)sk->accepted));
                json_object_object_add(d, "refused", json_object_new_int64((int64_t)sk->refused));
                return;
        }
        if (sk->tn)
                vw_tn_describe(sk->tn, d);
        json_object_object_add(d, "connections", json_object_new_int64((int64_t)sk->connections));
        json_object_object_add(d, "failed_attempts", json_object_new_int64(sk->failures));
        if (sk->last_error)
                json_object_object_add(d, "last_error", json_object_new_string(strerror(-sk->last_error)));
        if (!sk->conn) {
                uint64_t at = 0, now = 0;

                (void)sd_event_source_get_time(sk->retry, &at);
                (void)sd_event_now(vw_endpoint_event(ep), CLOCK_MONOTONIC, &now);
                json_object_object_add(d, "retry_in_usec", json_object_new_int64(at > now ? (int64_t)(at - now) : 0));
        }
}

/* A tcp: address that is not loopback ("tcp:HOST:PORT" as written). */
static bool remote_tcp(const char *address)
{
        const char *host;

        if (!strneq(address, "tcp:", 4) && !strneq(address, "udp:", 4))
                return false;
        host = address + 4;
        return !strneq(host, "127.", 4) && !strneq(host, "localhost:", 10) && !strneq(host, "[::1]:", 6) &&
               !strneq(host, "::1:", 4);
}

static void socket_doctor(struct vw_endpoint *ep, json_object *checks)
{
        const char *path = ep->path ? ep->path : "-";
        /* the packaged unit admits only localhost: say so where it could be the cause */
        const char *ip = remote_tcp(path) && getenv("INVOCATION_ID")
                                 ? "; under systemd, vwired.service reaches only this machine unless a "
                                   "drop-in sets IPAddressAllow= (systemctl edit vwired)"
                                 : "";
        char fix[512];

        if (ep->state == VW_STATE_LISTENING) {
                snprintf(fix, sizeof(fix), "connect the client that should use it%s", ip);
                vw_doctor_check_add(checks, "open", "warn", ep->name, fix, "socket %s: no client is connected to %s",
                                    ep->name, path);
        } else if (ep->state == VW_STATE_CONNECTING || ep->state == VW_STATE_CLOSED) {
                snprintf(fix, sizeof(fix), "check that the peer is up and reachable%s", ip);
                vw_doctor_check_add(checks, "open", "warn", ep->name, fix, "socket %s: not connected to %s (%s)",
                                    ep->name, path, vw_endpoint_state_to_string(ep->state));
        } else {
                vw_doctor_check_add(checks, "open", "ok", ep->name, NULL, "socket %s: %u client%s on %s", ep->name,
                                    ep->clients, ep->clients == 1 ? "" : "s", path);
        }
        if (!is_udp(ep->config) && ep->data && ((struct sock *)ep->data)->tn)
                vw_tn_doctor(((struct sock *)ep->data)->tn, checks);
}

/* A peer port's line state: to every session (a client's settings go the other way, as signals). */
static void socket_signal(struct vw_endpoint *ep, const struct vw_signal *sig)
{
        struct sock *sk = ep->data;

        if (!sk || is_udp(ep->config))
                return;
        if (sig->type == VW_SIGNAL_MODEM) {
                sk->port_lines = *sig;
                sk->have_port_lines = true;
        }
        if (sk->tn)
                vw_tn_signal(sk->tn, sig);
        vw_list_for_each(i, &sk->clients) {
                struct client *c = vw_list_entry(i, struct client, link);

                if (c->tn)
                        vw_tn_signal(c->tn, sig);
        }
}

/* listen = unix:/path makes a socket file there; listen = tcp:... or unix:@name holds an
 * address no other endpoint can listen on at the same time. */
static char *socket_claim(const struct vw_section *s, const struct vw_setting **st)
{
        const struct vw_setting *l = vw_section_get(s, "listen");

        if (!l)
                return NULL;
        *st = l;
        if (strneq(l->value, "unix:", 5) && l->value[5] != '@')
                return vw_conf_expand(l->value + 5);
        return strdup(l->value);
}

const struct vw_endpoint_ops vw_socket_ops = {
        .kind = "socket",
        .backend = "socket",
        .selector = NULL,
        .keys = socket_keys,
        .config_size = sizeof(struct socket_config),
        .init_config = socket_init_config,
        .check = socket_check,
        .start = socket_start,
        .stop = socket_stop,
        .describe = socket_describe,
        .signal = socket_signal,
        .doctor = socket_doctor,
        .claim = socket_claim,
};
