/* SPDX-License-Identifier: MIT */
/* The router suites' fixture (see router-world.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "router-world.h"
#include "test-common.h"

struct world w;

static void on_wakeup(struct vw_router *r, void *userdata)
{
        ck_assert_ptr_eq(r, w.router);
        ck_assert_ptr_eq(userdata, &w);
        w.n_wakeup++;
}

static void on_port_tap(struct vw_port *p, enum vw_dir dir, const struct vw_chunk *c, void *userdata)
{
        ck_assert_uint_lt(w.n_port_taps, 64);
        w.port_taps[w.n_port_taps++] = (struct tap){
                .port = p, .dir = dir, .len = c->len, .first = c->len ? c->data[0] : 0,
        };
}

static void on_route_tap(struct vw_route *r, bool reverse, struct vw_port *writer, const struct vw_chunk *c,
                         void *userdata)
{
        ck_assert_uint_lt(w.n_route_taps, 64);
        w.route_taps[w.n_route_taps++] = (struct tap){
                .port = writer, .route = r, .dir = reverse, .len = c->len, .first = c->len ? c->data[0] : 0,
        };
}

static const struct vw_router_hooks hooks = {
        .wakeup = on_wakeup,
        .port_tap = on_port_tap,
        .route_tap = on_route_tap,
};

static void on_room(struct vw_port *p, void *userdata)
{
        struct tport *t = userdata;

        ck_assert_msg(!w.in_call, "room callback run from inside a router call");
        ck_assert_ptr_eq(t->port, p);
        t->n_room++;
}

static void on_signal(struct vw_port *p, const struct vw_signal *sig, void *userdata)
{
        struct tport *t = userdata;

        ck_assert_ptr_eq(t->port, p);
        t->n_signal++;
        t->last_signal = *sig;
}

static const struct vw_port_ops port_ops = {
        .room = on_room,
        .signal = on_signal,
};

static void on_ready(struct vw_sink *s, void *userdata)
{
        struct tsink *t = userdata;

        ck_assert_msg(!w.in_call, "ready callback run from inside a router call");
        ck_assert_ptr_eq(t->sink, s);
        t->n_ready++;
        t->readable = true;
}

void setup(void)
{
        memset(&w, 0, sizeof(w));
        ck_assert_int_eq(vw_router_new(&hooks, &w, &w.router), 0);
}

void teardown(void)
{
        /* Frees whatever a test left: its routes, ports and their sinks. */
        vw_router_free(w.router);
        w.router = NULL;
}

struct tport *tport_of(struct vw_port *p)
{
        return vw_port_userdata(p);
}

struct vw_port *port(const char *name)
{
        struct tport *t;

        ck_assert_uint_lt(w.n_ports, 8);
        t = &w.ports[w.n_ports++];
        memset(t, 0, sizeof(*t));
        ck_assert_int_eq(vw_port_new(w.router, name, &port_ops, t, &t->port), 0);
        ck_assert_str_eq(vw_port_name(t->port), name);
        return t->port;
}

struct tsink *sink(struct vw_port *p)
{
        struct tsink *t;

        ck_assert_uint_lt(w.n_sinks, 16);
        t = &w.sinks[w.n_sinks++];
        memset(t, 0, sizeof(*t));
        ck_assert_int_eq(vw_sink_new(p, on_ready, t, &t->sink), 0);
        ck_assert_ptr_eq(vw_sink_port(t->sink), p);
        return t;
}

struct vw_route *route(const char *name, enum vw_overflow o, size_t buffer, bool duplex,
                              struct vw_port *const *from, size_t n_from, struct vw_port *const *to, size_t n_to)
{
        struct vw_route_params params = { .overflow = o, .buffer = buffer, .duplex = duplex };
        struct vw_route *r = NULL;

        ck_assert_int_eq(vw_route_new(w.router, name, &params, from, n_from, to, n_to, &r), 0);
        ck_assert_str_eq(vw_route_name(r), name);
        return r;
}

/* The common case: one port on each side. */
struct vw_route *route1(enum vw_overflow o, size_t buffer, bool duplex, struct vw_port *a, struct vw_port *b)
{
        return route("r", o, buffer, duplex, &a, 1, &b, 1);
}

int port_write(struct vw_port *p, const void *data, size_t len)
{
        int r;

        w.in_call = true;
        r = vw_port_write(p, VW_CHUNK_BYTES, data, len);
        w.in_call = false;
        return r;
}

void sink_consume(struct tsink *s, size_t n)
{
        w.in_call = true;
        vw_sink_consume(s->sink, n);
        w.in_call = false;
}

void dispatch(void)
{
        vw_router_dispatch(w.router);
        ck_assert(!vw_router_has_pending(w.router));
}

/* Read one whole chunk and check its contents. */
void expect_chunk(struct tsink *s, const void *data, size_t len)
{
        struct vw_chunk c;

        ck_assert_msg(vw_sink_peek(s->sink, &c), "expected a %zu-byte chunk", len);
        ck_assert_uint_eq(c.len, len);
        ck_assert_mem_eq(c.data, data, len);
        sink_consume(s, c.len);
}

/* Read every pending chunk whole; returns how many there were. */
unsigned drain(struct tsink *s)
{
        struct vw_chunk c;
        unsigned n = 0;

        while (vw_sink_peek(s->sink, &c)) {
                sink_consume(s, c.len);
                n++;
        }
        return n;
}

void expect_nothing(struct tsink *s)
{
        struct vw_chunk c;

        ck_assert(!vw_sink_peek(s->sink, &c));
        ck_assert_uint_eq(vw_sink_pending(s->sink), 0);
}

struct vw_counters counters(struct vw_port *p)
{
        struct vw_counters c;

        vw_port_get_counters(p, &c);
        return c;
}

struct vw_ring_stats route_stats(struct vw_route *r, bool reverse)
{
        struct vw_ring_stats st;

        ck_assert_int_eq(vw_route_get_stats(r, reverse, &st), 0);
        return st;
}

/* A chunk that says who wrote it: writer id, sequence number, then a pattern to its end. */
size_t make_chunk(uint8_t *buf, size_t len, uint8_t writer, uint32_t seq)
{
        ck_assert_uint_ge(len, 5);
        buf[0] = writer;
        memcpy(buf + 1, &seq, 4);
        for (size_t i = 5; i < len; i++)
                buf[i] = (uint8_t)(writer * 59 + seq * 13 + i);
        return len;
}
