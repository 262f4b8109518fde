/* SPDX-License-Identifier: MIT */
#include <ares.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "macro.h"
#include "resolve.h"

#define MAX_FDS 16

struct vw_resolve {
        vw_resolve_done_t done; /* NULL: cancelled */
        void *userdata;
        /* c-ares answered inside ares_getaddrinfo(): the answer waits for a defer event, so
         * done() never runs inside vw_resolve_start() */
        bool starting, answered;
        int r;
        const char *why;
        struct vw_addr_list al;
        sd_event_source *later;
};

/* One channel for the daemon: the loop is single-threaded. */
static struct {
        ares_channel channel;
        sd_event *event;
        sd_event_source *timer;
        struct {
                int fd;
                sd_event_source *io;
        } fds[MAX_FDS];
        unsigned pending;
} R;

static void rearm_timer(void)
{
        struct timeval tv, *t;
        uint64_t now;

        if (!R.timer)
                return;
        if (R.pending == 0) {
                (void)sd_event_source_set_enabled(R.timer, SD_EVENT_OFF);
                return;
        }
        t = ares_timeout(R.channel, NULL, &tv);
        (void)sd_event_now(R.event, CLOCK_MONOTONIC, &now);
        (void)sd_event_source_set_time(R.timer, now + (t ? (uint64_t)t->tv_sec * 1000000u + (uint64_t)t->tv_usec
                                                         : 1000000u));
        (void)sd_event_source_set_enabled(R.timer, SD_EVENT_ONESHOT);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        ares_process_fd(R.channel, revents & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
                        revents & EPOLLOUT ? fd : ARES_SOCKET_BAD);
        rearm_timer();
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        ares_process_fd(R.channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        rearm_timer();
        return 0;
}

/* c-ares tells us which of its sockets to watch for what. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
        uint32_t ev = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
        int free_slot = -1;

        for (int i = 0; i < MAX_FDS; i++) {
                if (R.fds[i].io && R.fds[i].fd == fd) {
                        if (!ev) {
                                R.fds[i].io = sd_event_source_disable_unref(R.fds[i].io);
                                return;
                        }
                        (void)sd_event_source_set_io_events(R.fds[i].io, ev);
                        return;
                }
                if (!R.fds[i].io && free_slot < 0)
                        free_slot = i;
        }
        if (!ev)
                return;
        if (free_slot < 0 || sd_event_add_io(R.event, &R.fds[free_slot].io, fd, ev, on_io, NULL) < 0) {
                log_warning("resolver: cannot watch a c-ares socket; lookups may time out");
                return;
        }
        R.fds[free_slot].fd = fd;
}

static int channel_init(sd_event *e)
{
        struct ares_options o = { .sock_state_cb = sock_state };
        int r;

        if (R.channel)
                return 0;
        r = ares_library_init(ARES_LIB_INIT_ALL);
        if (r != ARES_SUCCESS)
                return -ENOMEM;
        r = ares_init_options(&R.channel, &o, ARES_OPT_SOCK_STATE_CB);
        if (r != ARES_SUCCESS) {
                R.channel = NULL;
                return log_error_errno(ENOMEM, "resolver: %s", ares_strerror(r));
        }
        R.event = sd_event_ref(e);
        r = sd_event_add_time(e, &R.timer, CLOCK_MONOTONIC, 0, 1000, on_timer, NULL);
        if (r < 0) {
                vw_resolve_shutdown();
                return r;
        }
        (void)sd_event_source_set_enabled(R.timer, SD_EVENT_OFF);
        return 0;
}

void vw_resolve_shutdown(void)
{
        if (R.channel)
                ares_destroy(R.channel); /* runs the callbacks with ARES_EDESTRUCTION */
        for (int i = 0; i < MAX_FDS; i++)
                R.fds[i].io = sd_event_source_disable_unref(R.fds[i].io);
        sd_event_source_disable_unref(R.timer);
        sd_event_unref(R.event);
        if (R.channel)
                ares_library_cleanup();
        memset(&R, 0, sizeof(R));
}

static int ares_to_errno(int status)
{
        switch (status) {
        case ARES_ENOMEM:
                return -ENOMEM;
        case ARES_ETIMEOUT:
        case ARES_ECONNREFUSED:
        case ARES_ESERVFAIL:
                return -EAGAIN;
        case ARES_ECANCELLED:
        case ARES_EDESTRUCTION:
                return -ECANCELED;
        default:
                return -EADDRNOTAVAIL;
        }
}

static void on_answer(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
        struct vw_resolve *q = arg;
        struct vw_addr_list al = {};
        int r = 0;

        R.pending--;
        if (status == ARES_SUCCESS) {
                for (struct ares_addrinfo_node *n = res->nodes; n && al.n < VW_SOCKET_MAX_ADDRS; n = n->ai_next) {
                        if ((size_t)n->ai_addrlen > sizeof(al.a[0].sa))
                                continue;
                        memcpy(&al.a[al.n].sa, n->ai_addr, (size_t)n->ai_addrlen);
                        al.a[al.n++].len = (socklen_t)n->ai_addrlen;
                }
                if (al.n == 0)
                        r = -EADDRNOTAVAIL;
        } else {
                r = ares_to_errno(status);
        }
        if (res)
                ares_freeaddrinfo(res);
        if (q->starting) {
                q->answered = true;
                q->r = r;
                q->al = al;
                q->why = r < 0 ? ares_strerror(status) : NULL;
                return;
        }
        if (q->done)
                q->done(r, &al, r < 0 ? ares_strerror(status) : NULL, q->userdata);
        free(q);
}

static int on_later(sd_event_source *s, void *userdata)
{
        struct vw_resolve *q = userdata;

        sd_event_source_disable_unref(q->later);
        if (q->done)
                q->done(q->r, &q->al, q->why, q->userdata);
        free(q);
        return 0;
}

/* No lookup: a numeric address, "*" (any, or loopback when connecting) or localhost. */
static int resolve_now(const struct vw_address *a, bool passive, struct vw_addr_list *ret, const char **why)
{
        struct vw_address local = *a;

        if (strcasecmp(a->host, "localhost") == 0 || strcasecmp(a->host, "localhost.") == 0) {
                /* RFC 6761: localhost is the loopback, never a DNS question */
                struct vw_addr_list v6;
                int r;

                local.host = (char *)"127.0.0.1";
                r = vw_address_resolve_numeric(&local, passive, ret, why);
                local.host = (char *)"::1";
                if (r >= 0 && ret->n < VW_SOCKET_MAX_ADDRS && vw_address_resolve_numeric(&local, passive, &v6, NULL) >= 0)
                        ret->a[ret->n++] = v6.a[0];
                return r;
        }
        return vw_address_resolve_numeric(a, passive, ret, why);
}

int vw_resolve_start(sd_event *e, const struct vw_address *a, bool passive, struct vw_addr_list *ret,
                     vw_resolve_done_t done, void *userdata, struct vw_resolve **query)
{
        struct ares_addrinfo_hints hints = { .ai_socktype = SOCK_STREAM, .ai_flags = ARES_AI_NUMERICSERV };
        struct vw_resolve *q;
        char port[8];
        int r;

        *query = NULL;
        if (a->family == VW_ADDR_UNIX || vw_address_is_numeric(a) || strcasecmp(a->host, "localhost") == 0 ||
            strcasecmp(a->host, "localhost.") == 0) {
                r = resolve_now(a, passive, ret, NULL);
                return r < 0 ? r : 1;
        }
        r = channel_init(e);
        if (r < 0)
                return r;
        q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        q->done = done;
        q->userdata = userdata;
        if (passive)
                hints.ai_flags |= ARES_AI_PASSIVE;
        snprintf(port, sizeof(port), "%u", a->port);
        R.pending++;
        q->starting = true;
        ares_getaddrinfo(R.channel, a->host, port, &hints, on_answer, q);
        q->starting = false;
        /* c-ares may answer at once (hosts file, or an error) */
        if (q->answered && (r = sd_event_add_defer(e, &q->later, on_later, q)) < 0) {
                free(q);
                return r;
        }
        rearm_timer();
        *query = q;
        return 0;
}

void vw_resolve_cancel(struct vw_resolve *q)
{
        if (q)
                q->done = NULL;
}
