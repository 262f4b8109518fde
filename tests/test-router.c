/* SPDX-License-Identifier: MIT */
/* Unit tests for daemon/router.c: ports, sinks, routes, wake-ups, signals and taps. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "router.h"
#include "test-common.h"

/*
 * One world per test: a router whose hooks and callbacks record what they see. Ports and sinks
 * live in fixed tables so the callbacks find their records through userdata.
 */
struct tport {
        struct vw_port *port;
        unsigned n_room;
        unsigned n_signal;
        struct vw_signal last_signal;
};

struct tsink {
        struct vw_sink *sink;
        unsigned n_ready;
        bool readable;  /* set by the ready callback, cleared by the reader when drained */
};

struct tap {
        struct vw_port *port;   /* port_tap: the port; route_tap: the writer */
        struct vw_route *route;
        int dir;                /* port_tap: enum vw_dir; route_tap: reverse */
        uint32_t len;
        uint8_t first;
};

static struct world {
        struct vw_router *router;
        unsigned n_wakeup;
        bool in_call;           /* inside a router call that must not run callbacks */
        struct tport ports[8];
        unsigned n_ports;
        struct tsink sinks[16];
        unsigned n_sinks;
        struct tap port_taps[64], route_taps[64];
        unsigned n_port_taps, n_route_taps;
} w;

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

static void setup(void)
{
        memset(&w, 0, sizeof(w));
        ck_assert_int_eq(vw_router_new(&hooks, &w, &w.router), 0);
}

static void teardown(void)
{
        /* Frees whatever a test left: its routes, ports and their sinks. */
        vw_router_free(w.router);
        w.router = NULL;
}

static struct tport *tport_of(struct vw_port *p)
{
        return vw_port_userdata(p);
}

static struct vw_port *port(const char *name)
{
        struct tport *t;

        ck_assert_uint_lt(w.n_ports, 8);
        t = &w.ports[w.n_ports++];
        memset(t, 0, sizeof(*t));
        ck_assert_int_eq(vw_port_new(w.router, name, &port_ops, t, &t->port), 0);
        ck_assert_str_eq(vw_port_name(t->port), name);
        return t->port;
}

static struct tsink *sink(struct vw_port *p)
{
        struct tsink *t;

        ck_assert_uint_lt(w.n_sinks, 16);
        t = &w.sinks[w.n_sinks++];
        memset(t, 0, sizeof(*t));
        ck_assert_int_eq(vw_sink_new(p, on_ready, t, &t->sink), 0);
        ck_assert_ptr_eq(vw_sink_port(t->sink), p);
        return t;
}

static struct vw_route *route(const char *name, enum vw_overflow o, size_t buffer, bool duplex,
                              struct vw_port *const *from, size_t n_from, struct vw_port *const *to, size_t n_to)
{
        struct vw_route_params params = { .overflow = o, .buffer = buffer, .duplex = duplex };
        struct vw_route *r = NULL;

        ck_assert_int_eq(vw_route_new(w.router, name, &params, from, n_from, to, n_to, &r), 0);
        ck_assert_str_eq(vw_route_name(r), name);
        return r;
}

/* The common case: one port on each side. */
static struct vw_route *route1(enum vw_overflow o, size_t buffer, bool duplex, struct vw_port *a, struct vw_port *b)
{
        return route("r", o, buffer, duplex, &a, 1, &b, 1);
}

static int port_write(struct vw_port *p, const void *data, size_t len)
{
        int r;

        w.in_call = true;
        r = vw_port_write(p, VW_CHUNK_BYTES, data, len);
        w.in_call = false;
        return r;
}

static void sink_consume(struct tsink *s, size_t n)
{
        w.in_call = true;
        vw_sink_consume(s->sink, n);
        w.in_call = false;
}

static void dispatch(void)
{
        vw_router_dispatch(w.router);
        ck_assert(!vw_router_has_pending(w.router));
}

/* Read one whole chunk and check its contents. */
static void expect_chunk(struct tsink *s, const void *data, size_t len)
{
        struct vw_chunk c;

        ck_assert_msg(vw_sink_peek(s->sink, &c), "expected a %zu-byte chunk", len);
        ck_assert_uint_eq(c.len, len);
        ck_assert_mem_eq(c.data, data, len);
        sink_consume(s, c.len);
}

/* Read every pending chunk whole; returns how many there were. */
static unsigned drain(struct tsink *s)
{
        struct vw_chunk c;
        unsigned n = 0;

        while (vw_sink_peek(s->sink, &c)) {
                sink_consume(s, c.len);
                n++;
        }
        return n;
}

static void expect_nothing(struct tsink *s)
{
        struct vw_chunk c;

        ck_assert(!vw_sink_peek(s->sink, &c));
        ck_assert_uint_eq(vw_sink_pending(s->sink), 0);
}

static struct vw_counters counters(struct vw_port *p)
{
        struct vw_counters c;

        vw_port_get_counters(p, &c);
        return c;
}

static struct vw_ring_stats route_stats(struct vw_route *r, bool reverse)
{
        struct vw_ring_stats st;

        ck_assert_int_eq(vw_route_get_stats(r, reverse, &st), 0);
        return st;
}

/* A chunk that says who wrote it: writer id, sequence number, then a pattern to its end. */
static size_t make_chunk(uint8_t *buf, size_t len, uint8_t writer, uint32_t seq)
{
        ck_assert_uint_ge(len, 5);
        buf[0] = writer;
        memcpy(buf + 1, &seq, 4);
        for (size_t i = 5; i < len; i++)
                buf[i] = (uint8_t)(writer * 59 + seq * 13 + i);
        return len;
}

START_TEST(test_simplex)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sa = sink(a), *sb = sink(b);
        struct vw_route *r = route1(VW_OVERFLOW_BLOCK, 1024, false, a, b);
        struct vw_ring_stats st;

        ck_assert(vw_port_has_outbound(a) && !vw_port_has_inbound(a));
        ck_assert(!vw_port_has_outbound(b) && vw_port_has_inbound(b));
        ck_assert_uint_eq(vw_port_n_routes(a), 1);
        ck_assert_uint_eq(vw_port_n_routes(b), 1);
        ck_assert_uint_eq(vw_route_params(r)->buffer, 1024);
        ck_assert(!vw_route_params(r)->duplex);
        ck_assert_int_eq(vw_route_get_stats(r, true, &st), -ENOENT);

        ck_assert_int_eq(port_write(a, "hello", 5), 0);
        dispatch();
        ck_assert_uint_eq(sb->n_ready, 1);
        ck_assert_uint_eq(sa->n_ready, 0);
        ck_assert_uint_eq(vw_sink_pending(sb->sink), 5);
        expect_chunk(sb, "hello", 5);
        expect_nothing(sa);

        /* Nothing flows back: b has no outbound lane, so its write is counted as dropped. */
        ck_assert_int_eq(port_write(b, "back", 4), 0);
        dispatch();
        expect_nothing(sa);
        ck_assert_uint_eq(sa->n_ready, 0);
        ck_assert_uint_eq(counters(b).dropped_bytes, 4);

        ck_assert_uint_eq(counters(a).rx_bytes, 5);
        ck_assert_uint_eq(counters(a).rx_chunks, 1);
        ck_assert_uint_eq(counters(b).tx_bytes, 5);
        ck_assert_uint_eq(counters(b).tx_chunks, 1);
        ck_assert_uint_eq(counters(a).tx_bytes + counters(b).rx_bytes, 0);
        st = route_stats(r, false);
        ck_assert_uint_eq(st.bytes_in, 5);
        ck_assert_uint_eq(st.bytes_out, 5);

        vw_route_set_userdata(r, &w);
        ck_assert_ptr_eq(vw_route_get_userdata(r), &w);
}
END_TEST

START_TEST(test_duplex)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sa = sink(a), *sb = sink(b);
        struct vw_route *r = route1(VW_OVERFLOW_BLOCK, 512, true, a, b);

        ck_assert_uint_eq(vw_port_n_routes(a), 1);
        ck_assert_uint_eq(vw_port_n_routes(b), 1);
        ck_assert(vw_port_has_outbound(a) && vw_port_has_inbound(a));
        ck_assert(vw_port_has_outbound(b) && vw_port_has_inbound(b));

        ck_assert_int_eq(port_write(a, "ping", 4), 0);
        ck_assert_int_eq(port_write(b, "pong!", 5), 0);
        dispatch();
        expect_chunk(sb, "ping", 4);
        expect_chunk(sa, "pong!", 5);
        /* Neither side hears itself. */
        expect_nothing(sa);
        expect_nothing(sb);

        ck_assert_uint_eq(route_stats(r, false).bytes_in, 4);
        ck_assert_uint_eq(route_stats(r, true).bytes_in, 5);
        ck_assert_uint_eq(route_stats(r, true).capacity, 512);
        ck_assert_uint_eq(counters(a).rx_bytes, 4);
        ck_assert_uint_eq(counters(a).tx_bytes, 5);
        ck_assert_uint_eq(counters(b).rx_bytes, 5);
        ck_assert_uint_eq(counters(b).tx_bytes, 4);
}
END_TEST

START_TEST(test_fanout)
{
        struct vw_port *a = port("a"), *b = port("b"), *c = port("c"), *d = port("d");
        struct vw_port *to[] = { b, c };
        struct tsink *sb = sink(b), *sc = sink(c), *sd = sink(d);
        struct vw_route *r = route("fan", VW_OVERFLOW_BLOCK, 4096, false, &a, 1, to, 2);
        struct vw_route *r2 = route1(VW_OVERFLOW_BLOCK, 4096, false, a, d);
        uint8_t buf[100];

        for (uint32_t i = 0; i < 20; i++)
                ck_assert_int_eq(port_write(a, buf, make_chunk(buf, 20 + i, 1, i)), 0);
        dispatch();
        ck_assert_uint_eq(sb->n_ready + sc->n_ready + sd->n_ready, 3);

        for (uint32_t i = 0; i < 20; i++) {
                struct vw_chunk cb, cc, cd;

                ck_assert(vw_sink_peek(sb->sink, &cb));
                ck_assert(vw_sink_peek(sc->sink, &cc));
                ck_assert(vw_sink_peek(sd->sink, &cd));
                make_chunk(buf, 20 + i, 1, i);
                ck_assert_uint_eq(cb.len, 20 + i);
                ck_assert_mem_eq(cb.data, buf, cb.len);
                /* Within a route, one ring serves every reader; another route holds its own copy. */
                ck_assert_ptr_eq(cb.data, cc.data);
                ck_assert_ptr_ne(cb.data, cd.data);
                ck_assert_mem_eq(cd.data, buf, cd.len);
                sink_consume(sb, cb.len);
                sink_consume(sc, cc.len);
                sink_consume(sd, cd.len);
        }
        expect_nothing(sb);
        expect_nothing(sc);
        expect_nothing(sd);
        ck_assert_uint_eq(route_stats(r, false).bytes_out, 2 * route_stats(r, false).bytes_in);
        ck_assert_uint_eq(route_stats(r2, false).bytes_out, route_stats(r2, false).bytes_in);
        ck_assert_uint_eq(counters(b).tx_chunks, 20);
        ck_assert_uint_eq(counters(c).tx_chunks, 20);
        ck_assert_uint_eq(counters(a).rx_chunks, 20);
        ck_assert_uint_eq(vw_port_n_routes(a), 2);
}
END_TEST

/*
 * Pull everything pending out of a sink in random bites, appending to out. Returns bytes read.
 * Bites end mid-chunk on purpose: the rest of a chunk must come before any other chunk.
 */
static size_t drain_bites(struct tsink *s, uint8_t *out, size_t max, uint64_t *rng, size_t budget)
{
        struct vw_chunk c;
        size_t n = 0;

        while (n < budget && vw_sink_peek(s->sink, &c)) {
                size_t bite = vw_test_range(rng, 1, c.len);

                ck_assert_uint_le(n + bite, max);
                memcpy(out + n, c.data, bite);
                n += bite;
                sink_consume(s, bite);
        }
        return n;
}

/* Split a received stream back into chunks: each must be whole, and each writer's in order. */
static unsigned check_stream(const uint8_t *out, size_t n, const size_t *lens, unsigned n_writers,
                             const uint32_t *expected_count)
{
        uint32_t next[8] = { 0 };
        unsigned chunks = 0;
        uint8_t buf[300];

        for (size_t off = 0; off < n; chunks++) {
                uint8_t writer = out[off];
                uint32_t seq;
                size_t len;

                ck_assert_uint_lt(writer, n_writers);
                memcpy(&seq, out + off + 1, 4);
                ck_assert_uint_eq(seq, next[writer]);
                len = lens[writer * 1000 + seq];
                ck_assert_uint_le(off + len, n);
                make_chunk(buf, len, writer, seq);
                ck_assert_msg(memcmp(out + off, buf, len) == 0, "chunk %u of writer %u torn at offset %zu", seq, writer,
                              off);
                next[writer]++;
                off += len;
        }
        for (unsigned i = 0; i < n_writers; i++)
                ck_assert_uint_eq(next[i], expected_count[i]);
        return chunks;
}

START_TEST(test_fanin)
{
        /* One route from a and b to c, and (second pass) two routes into c: chunks stay whole. */
        for (int two_routes = 0; two_routes <= 1; two_routes++) {
                struct vw_port *a = port("a"), *b = port("b"), *c = port("c");
                struct vw_port *from[] = { a, b };
                struct tsink *sc = sink(c);
                static size_t lens[2000];
                static uint8_t out[128 * 1024];
                uint32_t count[2] = { 0, 0 };
                uint64_t rng = 11 + two_routes;
                size_t n = 0;

                if (two_routes) {
                        route1(VW_OVERFLOW_BLOCK, 8192, false, a, c);
                        route1(VW_OVERFLOW_BLOCK, 8192, false, b, c);
                } else {
                        route("in", VW_OVERFLOW_BLOCK, 8192, false, from, 2, &c, 1);
                }
                for (int round = 0; round < 200; round++) {
                        /* Both write a few, in turns; the reader takes random bites in between. */
                        for (int k = 0; k < 2; k++) {
                                struct vw_port *p = k ? b : a;
                                uint8_t buf[300];

                                for (size_t m = vw_test_range(&rng, 0, 2); m > 0; m--) {
                                        size_t len = vw_test_range(&rng, 5, 120);

                                        make_chunk(buf, len, (uint8_t)k, count[k]);
                                        if (port_write(p, buf, len) < 0)
                                                break;
                                        lens[k * 1000 + count[k]++] = len;
                                }
                        }
                        n += drain_bites(sc, out + n, sizeof(out) - n, &rng, vw_test_range(&rng, 1, 300));
                }
                n += drain_bites(sc, out + n, sizeof(out) - n, &rng, SIZE_MAX);
                ck_assert_uint_gt(count[0], 100);
                ck_assert_uint_gt(count[1], 100);
                ck_assert_uint_eq(check_stream(out, n, lens, 2, count), count[0] + count[1]);
                ck_assert_uint_eq(counters(c).tx_chunks, count[0] + count[1]);
                ck_assert_uint_eq(counters(c).tx_bytes, n);

                vw_port_free(a);
                vw_port_free(b);
                vw_port_free(c);
                w.n_ports = w.n_sinks = 0;
        }
}
END_TEST

START_TEST(test_fanin_partial_then_other_lane)
{
        /* The exact sequence that would tear a chunk: a bite of b's chunk, then a chunk from a arrives. */
        struct vw_port *a = port("a"), *b = port("b"), *c = port("c");
        struct tsink *sc = sink(c);
        struct vw_chunk ch;

        route1(VW_OVERFLOW_BLOCK, 1024, false, a, c);
        route1(VW_OVERFLOW_BLOCK, 1024, false, b, c);
        ck_assert_int_eq(port_write(b, "BBBBBBBB", 8), 0);
        ck_assert(vw_sink_peek(sc->sink, &ch));
        ck_assert_mem_eq(ch.data, "BBBBBBBB", 8);
        sink_consume(sc, 3);
        ck_assert_int_eq(port_write(a, "AAAA", 4), 0);
        expect_chunk(sc, "BBBBB", 5);
        expect_chunk(sc, "AAAA", 4);
        expect_nothing(sc);
        ck_assert_uint_eq(counters(c).tx_chunks, 2);
        ck_assert_uint_eq(counters(c).tx_bytes, 12);
}
END_TEST

START_TEST(test_fanin_partial_route_removed)
{
        /* Half of x's chunk delivered, then another lane of the sink goes away: x's chunk goes on. */
        struct vw_port *a = port("a"), *b = port("b"), *x = port("x"), *c = port("c");
        struct tsink *sc = sink(c);
        struct vw_route *ra = route1(VW_OVERFLOW_BLOCK, 1024, false, a, c);
        struct vw_route *rb = route1(VW_OVERFLOW_BLOCK, 1024, false, b, c);
        struct vw_chunk ch;

        route1(VW_OVERFLOW_BLOCK, 1024, false, x, c);
        ck_assert_int_eq(port_write(x, "XXXXXXXX", 8), 0);
        ck_assert(vw_sink_peek(sc->sink, &ch));
        sink_consume(sc, 3);
        ck_assert_int_eq(port_write(b, "BBBB", 4), 0);
        vw_route_free(ra);
        expect_chunk(sc, "XXXXX", 5);
        expect_chunk(sc, "BBBB", 4);
        expect_nothing(sc);

        /* The lane of the chunk last peeked goes away: a consume then does nothing. */
        ck_assert_int_eq(port_write(a, "gone", 4), 0);
        ck_assert_int_eq(port_write(b, "next", 4), 0);
        ck_assert(vw_sink_peek(sc->sink, &ch));
        ck_assert_mem_eq(ch.data, "next", 4);
        vw_route_free(rb);
        sink_consume(sc, 4);
        ck_assert_uint_eq(counters(c).tx_bytes, 12);
        expect_nothing(sc);
}
END_TEST

START_TEST(test_sink_consume_bounds)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sb = sink(b);
        struct vw_chunk ch;

        route1(VW_OVERFLOW_BLOCK, 1024, false, a, b);
        ck_assert_int_eq(port_write(a, "hello", 5), 0);
        ck_assert_int_eq(port_write(a, "world", 5), 0);

        /* Nothing peeked yet: a consume has nothing to refer to. */
        sink_consume(sb, 3);
        ck_assert_uint_eq(counters(b).tx_bytes, 0);
        ck_assert_uint_eq(vw_sink_pending(sb->sink), 10);

        /* More than the chunk: only the chunk is consumed and counted. */
        ck_assert(vw_sink_peek(sb->sink, &ch));
        sink_consume(sb, 100);
        ck_assert_uint_eq(counters(b).tx_bytes, 5);
        ck_assert_uint_eq(counters(b).tx_chunks, 1);
        /* Consumed already: a second consume does not eat into the next chunk. */
        sink_consume(sb, 2);
        ck_assert_uint_eq(counters(b).tx_bytes, 5);
        expect_chunk(sb, "world", 5);
        ck_assert_uint_eq(counters(b).tx_chunks, 2);
        ck_assert_uint_eq(counters(b).tx_bytes, 10);
}
END_TEST

START_TEST(test_fanin_round_robin)
{
        struct vw_port *p[3] = { port("a"), port("b"), port("c") };
        struct vw_port *c = port("sink");
        struct tsink *sc = sink(c);
        unsigned got[3] = { 0 }, last = 3, run = 0;
        uint8_t buf[16];

        for (int k = 0; k < 3; k++)
                route("r", VW_OVERFLOW_BLOCK, 4096, false, &p[k], 1, &c, 1);
        /* a writes 30, b 20, c 10, all before the reader looks. */
        for (int k = 0; k < 3; k++)
                for (uint32_t i = 0; i < 30u - 10u * k; i++)
                        ck_assert_int_eq(port_write(p[k], buf, make_chunk(buf, 16, (uint8_t)k, i)), 0);

        for (unsigned i = 0; i < 60; i++) {
                struct vw_chunk ch;
                unsigned k, active = 0;

                /* Lanes still holding data before this read. */
                for (unsigned j = 0; j < 3; j++)
                        active += got[j] < 30 - 10 * j;
                ck_assert(vw_sink_peek(sc->sink, &ch));
                k = ch.data[0];
                ck_assert_uint_lt(k, 3);
                /* Strict rotation: nobody goes twice while another lane waits. */
                run = k == last ? run + 1 : 1;
                ck_assert_msg(run == 1 || active == 1, "lane %u served twice in a row with %u lanes waiting", k,
                              active);
                /* Each lane's chunks come in order. */
                ck_assert_uint_eq(ch.data[1], got[k]);
                got[k]++;
                last = k;
                sink_consume(sc, ch.len);
        }
        ck_assert_uint_eq(got[0], 30);
        ck_assert_uint_eq(got[1], 20);
        ck_assert_uint_eq(got[2], 10);
        expect_nothing(sc);
}
END_TEST

START_TEST(test_block_room)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sb = sink(b);
        struct vw_route *r = route1(VW_OVERFLOW_BLOCK, 256, false, a, b);
        struct tport *ta = tport_of(a);
        uint8_t buf[56];
        uint32_t n = 0;
        int ret;

        ck_assert_uint_eq(vw_port_room(a), 248);
        while ((ret = port_write(a, buf, make_chunk(buf, 56, 0, n))) == 0)
                n++;
        ck_assert_int_eq(ret, -EAGAIN);
        ck_assert_uint_eq(n, 4);
        ck_assert_uint_eq(vw_port_room(a), 0);
        ck_assert_uint_eq(route_stats(r, false).blocked, 1);   /* the route's own counter shows the refusal */
        ck_assert_uint_eq(route_stats(r, false).bytes_dropped, 0);
        ck_assert_uint_eq(counters(a).rx_chunks, 4);
        ck_assert_uint_eq(counters(a).dropped_chunks, 0);
        dispatch();
        ck_assert_uint_eq(ta->n_room, 0);

        /* A consume frees room, but the callback waits for dispatch. */
        n = w.n_wakeup;
        expect_chunk(sb, buf, make_chunk(buf, 56, 0, 0));
        ck_assert_uint_eq(ta->n_room, 0);
        ck_assert(vw_router_has_pending(w.router));
        ck_assert_uint_gt(w.n_wakeup, n);
        dispatch();
        ck_assert_uint_eq(ta->n_room, 1);
        ck_assert_uint_ge(vw_port_room(a), 56);
        ck_assert_int_eq(port_write(a, buf, make_chunk(buf, 56, 0, 4)), 0);

        /* No second callback without a new refusal. */
        for (uint32_t i = 1; i < 5; i++)
                expect_chunk(sb, buf, make_chunk(buf, 56, 0, i));
        dispatch();
        ck_assert_uint_eq(ta->n_room, 1);
}
END_TEST

START_TEST(test_block_stream)
{
        /* Event-loop style: the writer only resumes on room(), the reader only on ready(). */
        static const size_t buffers[] = { 256, 1024, 4096 };

        for (size_t k = 0; k < sizeof(buffers) / sizeof(buffers[0]); k++) {
                struct vw_port *a = port("a"), *b = port("b");
                struct tsink *sb = sink(b);
                struct vw_route *r = route1(VW_OVERFLOW_BLOCK, buffers[k], false, a, b);
                struct tport *ta = tport_of(a);
                const uint64_t total = 200 * 1024;
                uint64_t rng = k + 1, sent = 0, received = 0, h_in = VW_TEST_FNV_INIT, h_out = VW_TEST_FNV_INIT;
                unsigned rooms = 0, refusals = 0;
                bool writable = true;
                uint8_t buf[4096];
                size_t len = 0;

                while (received < total) {
                        if (writable && sent < total) {
                                for (size_t m = vw_test_range(&rng, 1, 8); m > 0 && sent < total; m--) {
                                        if (len == 0) {
                                                len = vw_test_range(&rng, 1, buffers[k] - VW_CHUNK_HEADER);
                                                len = MIN(len, total - sent);
                                                for (size_t i = 0; i < len; i++)
                                                        buf[i] = vw_test_pattern(sent + i);
                                        }
                                        int ret = port_write(a, buf, len);
                                        if (ret == -EAGAIN) {
                                                writable = false;
                                                refusals++;
                                                break;
                                        }
                                        ck_assert_int_eq(ret, 0);
                                        h_in = vw_test_fnv(h_in, buf, len);
                                        sent += len;
                                        len = 0;
                                }
                        }
                        if (sb->readable) {
                                struct vw_chunk c;
                                size_t budget = vw_test_range(&rng, 1, buffers[k]);

                                /* A device that takes a random amount, then reports "would block". */
                                while (budget > 0 && vw_sink_peek(sb->sink, &c)) {
                                        size_t bite = vw_test_range(&rng, 1, c.len);

                                        bite = MIN(bite, budget);
                                        h_out = vw_test_fnv(h_out, c.data, bite);
                                        received += bite;
                                        budget -= bite;
                                        sink_consume(sb, bite);
                                }
                                if (budget > 0)
                                        sb->readable = false;   /* drained: wait for ready() */
                        }
                        /* Nobody may be left waiting for a wake-up that will never come. */
                        ck_assert_msg(vw_router_has_pending(w.router) || sb->readable || (writable && sent < total) ||
                                      received == total, "stalled at %" PRIu64 " of %" PRIu64, received, total);
                        rooms = ta->n_room;
                        dispatch();
                        if (ta->n_room != rooms)
                                writable = true;
                }
                ck_assert_uint_eq(h_in, h_out);
                ck_assert_uint_eq(received, total);
                ck_assert_uint_gt(refusals, 10);
                ck_assert_uint_eq(ta->n_room, refusals);
                ck_assert_uint_eq(route_stats(r, false).bytes_dropped, 0);
                ck_assert_uint_eq(route_stats(r, false).bytes_in, total);
                ck_assert_uint_eq(counters(a).rx_bytes, total);
                ck_assert_uint_eq(counters(b).tx_bytes, total);
                ck_assert_uint_eq(counters(a).dropped_bytes + counters(b).dropped_bytes, 0);

                vw_route_free(r);
                vw_port_free(a);
                vw_port_free(b);
                w.n_ports = w.n_sinks = 0;
        }
}
END_TEST

START_TEST(test_overflow_counters)
{
        /* 256-byte lanes hold four 56-byte chunks; a writes six before b reads. */
        for (int o = VW_OVERFLOW_DROP_NEW; o <= VW_OVERFLOW_DROP_OLD; o++) {
                struct vw_port *a = port("a"), *b = port("b");
                struct tsink *sb = sink(b);
                struct vw_route *r = route1(o, 256, false, a, b);
                uint32_t first = o == VW_OVERFLOW_DROP_NEW ? 0 : 2;
                struct vw_ring_stats st;
                uint8_t buf[56];

                /* Never refused: these policies lose data instead. */
                ck_assert_uint_eq(vw_port_room(a), 248);
                for (uint32_t i = 0; i < 6; i++)
                        ck_assert_int_eq(port_write(a, buf, make_chunk(buf, 56, 0, i)), 0);
                ck_assert_uint_eq(vw_port_room(a), 248);

                st = route_stats(r, false);
                ck_assert_uint_eq(st.chunks_dropped, 2);
                ck_assert_uint_eq(st.bytes_dropped, 112);
                ck_assert_uint_eq(st.chunks_in, 6 - (o == VW_OVERFLOW_DROP_NEW ? 2 : 0));
                ck_assert_uint_eq(st.blocked, 0);
                ck_assert_uint_eq(counters(a).rx_chunks, 6);
                /* The port counts what its own write lost (drop-new); drop-old losses are the reader's. */
                ck_assert_uint_eq(counters(a).dropped_chunks, o == VW_OVERFLOW_DROP_NEW ? 2 : 0);
                ck_assert_uint_eq(counters(a).dropped_bytes, o == VW_OVERFLOW_DROP_NEW ? 112 : 0);

                for (uint32_t i = first; i < first + 4; i++)
                        expect_chunk(sb, buf, make_chunk(buf, 56, 0, i));
                expect_nothing(sb);

                vw_port_free(a);
                vw_port_free(b);
                vw_route_free(r);
                w.n_ports = w.n_sinks = 0;
        }
}
END_TEST

START_TEST(test_ready_after_dispatch)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *s1 = sink(b);
        unsigned wakeups;

        route1(VW_OVERFLOW_BLOCK, 1024, false, a, b);
        ck_assert(!vw_router_has_pending(w.router));
        ck_assert_uint_eq(w.n_wakeup, 0);

        ck_assert_int_eq(port_write(a, "x", 1), 0);
        ck_assert_uint_eq(s1->n_ready, 0);
        ck_assert(vw_router_has_pending(w.router));
        ck_assert_uint_eq(w.n_wakeup, 1);

        /* Queued once: more data before the dispatch does not queue (or wake) again. */
        ck_assert_int_eq(port_write(a, "y", 1), 0);
        ck_assert_uint_eq(w.n_wakeup, 1);
        dispatch();
        ck_assert_uint_eq(s1->n_ready, 1);
        dispatch();
        ck_assert_uint_eq(s1->n_ready, 1);

        /* A sink freed while queued is never called. */
        wakeups = w.n_wakeup;
        ck_assert_int_eq(port_write(a, "z", 1), 0);
        ck_assert_uint_eq(w.n_wakeup, wakeups + 1);
        vw_sink_free(s1->sink);
        ck_assert(!vw_router_has_pending(w.router));
        dispatch();
        ck_assert_uint_eq(s1->n_ready, 1);
}
END_TEST

static void on_ready_reads(struct vw_sink *s, void *userdata)
{
        /* Callbacks may call back into the router: read, and write a reply. */
        struct tsink *t = userdata;
        struct vw_chunk c;

        t->n_ready++;
        while (vw_sink_peek(s, &c)) {
                struct vw_port *p = vw_sink_port(s);

                ck_assert_int_eq(vw_port_write(p, VW_CHUNK_BYTES, c.data, c.len), 0);
                vw_sink_consume(s, c.len);
        }
}

START_TEST(test_reentrant_dispatch)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sa = sink(a);
        struct tsink *t = &w.sinks[w.n_sinks++];

        route1(VW_OVERFLOW_BLOCK, 1024, true, a, b);
        ck_assert_int_eq(vw_sink_new(b, on_ready_reads, t, &t->sink), 0);

        /* b echoes from inside its ready callback; one dispatch delivers the echo as well. */
        ck_assert_int_eq(port_write(a, "echo", 4), 0);
        vw_router_dispatch(w.router);
        ck_assert_uint_eq(t->n_ready, 1);
        ck_assert_uint_eq(sa->n_ready, 1);
        ck_assert(!vw_router_has_pending(w.router));
        expect_chunk(sa, "echo", 4);
}
END_TEST

START_TEST(test_two_sinks)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *s1 = sink(b), *s2 = sink(b);
        struct vw_route *r = route1(VW_OVERFLOW_BLOCK, 256, false, a, b);
        struct tport *ta = tport_of(a);
        struct vw_chunk c1, c2;
        uint8_t buf[56];
        uint32_t n = 0;

        while (port_write(a, buf, make_chunk(buf, 56, 0, n)) == 0)
                n++;
        dispatch();
        ck_assert_uint_eq(s1->n_ready, 1);
        ck_assert_uint_eq(s2->n_ready, 1);
        ck_assert(vw_sink_peek(s1->sink, &c1));
        ck_assert(vw_sink_peek(s2->sink, &c2));
        ck_assert_ptr_eq(c1.data, c2.data);

        /* One client reads everything; the other still has it all, and holds the room. */
        for (uint32_t i = 0; i < n; i++)
                expect_chunk(s1, buf, make_chunk(buf, 56, 0, i));
        expect_nothing(s1);
        ck_assert_uint_eq(vw_sink_pending(s2->sink), 56 * n);
        dispatch();
        ck_assert_uint_eq(ta->n_room, 0);
        ck_assert_int_eq(port_write(a, buf, 56), -EAGAIN);

        for (uint32_t i = 0; i < 2; i++)
                expect_chunk(s2, buf, make_chunk(buf, 56, 0, i));
        dispatch();
        ck_assert_uint_eq(ta->n_room, 1);
        ck_assert_uint_eq(counters(b).tx_chunks, n + 2);
        ck_assert_uint_eq(route_stats(r, false).bytes_out, 56 * (n + 2));

        /* The slow client goes away: its share is released and a blocked writer gets room. */
        while (port_write(a, buf, 56) == 0)
                ;
        ck_assert_uint_eq(drain(s1), 2);
        vw_sink_free(s2->sink);
        dispatch();
        ck_assert_uint_eq(ta->n_room, 2);
        ck_assert_uint_eq(vw_port_room(a), 248);
}
END_TEST

START_TEST(test_late_sink)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *early = sink(b), *late;

        route1(VW_OVERFLOW_BLOCK, 1024, false, a, b);
        ck_assert_int_eq(port_write(a, "old", 3), 0);
        late = sink(b);
        ck_assert_uint_eq(vw_sink_pending(late->sink), 0);
        expect_nothing(late);
        ck_assert_int_eq(port_write(a, "new", 3), 0);
        dispatch();
        ck_assert_uint_eq(late->n_ready, 1);
        expect_chunk(late, "new", 3);
        expect_nothing(late);
        expect_chunk(early, "old", 3);
        expect_chunk(early, "new", 3);
}
END_TEST

START_TEST(test_sink_discard)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sb = sink(b);
        struct vw_route *r = route1(VW_OVERFLOW_BLOCK, 256, false, a, b);
        uint8_t buf[56] = { 0 };

        while (port_write(a, buf, 56) == 0)
                ;
        ck_assert_uint_eq(vw_port_room(a), 0);
        ck_assert(vw_sink_peek(sb->sink, &(struct vw_chunk){ 0 }));
        sink_consume(sb, 10);
        vw_sink_discard(sb->sink);
        expect_nothing(sb);
        ck_assert_uint_eq(counters(b).dropped_bytes, 4 * 56 - 10);
        ck_assert_uint_eq(counters(b).tx_bytes, 10);
        ck_assert_uint_eq(route_stats(r, false).used, 0);
        dispatch();
        ck_assert_uint_eq(tport_of(a)->n_room, 1);
        ck_assert_uint_eq(vw_port_room(a), 248);
}
END_TEST

START_TEST(test_route_free_pending)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sb = sink(b);
        struct vw_route *r = route1(VW_OVERFLOW_BLOCK, 1024, false, a, b);

        ck_assert_int_eq(port_write(a, "pending", 7), 0);
        ck_assert_uint_eq(vw_sink_pending(sb->sink), 7);
        vw_route_free(r);
        expect_nothing(sb);
        ck_assert_uint_eq(vw_port_n_routes(a), 0);
        ck_assert_uint_eq(vw_port_n_routes(b), 0);
        ck_assert(!vw_port_has_outbound(a));
        ck_assert(!vw_port_has_inbound(b));
        /* The ready queued by the write may still run; it finds nothing. */
        dispatch();
        expect_nothing(sb);

        /* Unrouted now: writes are accepted and counted as dropped. */
        ck_assert_int_eq(port_write(a, "more", 4), 0);
        ck_assert_uint_eq(counters(a).dropped_bytes, 4);
        ck_assert_uint_eq(counters(a).rx_bytes, 7);
        expect_nothing(sb);
}
END_TEST

START_TEST(test_route_free_blocked)
{
        struct vw_port *a = port("a"), *b = port("b"), *c = port("c");
        struct vw_route *r = route1(VW_OVERFLOW_BLOCK, 256, false, a, b);
        struct vw_route *r2 = route1(VW_OVERFLOW_BLOCK, 256, false, a, c);
        struct tsink *sc = sink(c);
        uint8_t buf[56] = { 0 };
        unsigned rooms;

        sink(b);
        while (port_write(a, buf, 56) == 0)
                ;
        ck_assert_uint_eq(vw_port_room(a), 0);

        /* c is drained but b's route is full: a is still refused (nothing written to c either). */
        for (int i = 0; i < 4; i++)
                expect_chunk(sc, buf, 56);
        dispatch();
        ck_assert_int_eq(port_write(a, buf, 56), -EAGAIN);
        expect_nothing(sc);
        rooms = tport_of(a)->n_room;

        /* Removing the full route unblocks the writer: room() after dispatch, and writes flow to c. */
        vw_route_free(r);
        ck_assert_uint_eq(tport_of(a)->n_room, rooms);
        dispatch();
        ck_assert_uint_eq(tport_of(a)->n_room, rooms + 1);
        ck_assert_uint_eq(vw_port_room(a), 248);
        ck_assert_int_eq(port_write(a, "go", 2), 0);
        expect_chunk(sc, "go", 2);

        /* Without any route the room is unlimited. */
        vw_route_free(r2);
        ck_assert_uint_eq(vw_port_room(a), SIZE_MAX);
}
END_TEST

START_TEST(test_port_free_in_route)
{
        struct vw_port *a = port("a"), *b = port("b"), *c = port("c"), *d = port("d");
        struct vw_port *from[] = { a, b }, *to[] = { c, d };
        struct tsink *sb = sink(b), *sc = sink(c), *sd = sink(d);
        struct vw_route *r = route("r", VW_OVERFLOW_BLOCK, 256, true, from, 2, to, 2);
        uint8_t buf[56] = { 0 };

        /* a is blocked when it goes away: it must not be called back afterwards. */
        while (port_write(a, buf, 56) == 0)
                ;
        vw_port_free(a);
        for (int i = 0; i < 4; i++) {
                expect_chunk(sc, buf, 56);
                expect_chunk(sd, buf, 56);
        }
        dispatch();
        ck_assert_uint_eq(w.ports[0].n_room, 0);

        /* The route keeps b -> c, d and back. */
        ck_assert_int_eq(port_write(b, "from b", 6), 0);
        expect_chunk(sc, "from b", 6);
        expect_chunk(sd, "from b", 6);
        ck_assert_uint_eq(vw_port_n_routes(b), 1);
        ck_assert_int_eq(port_write(c, "to b", 4), 0);
        expect_chunk(sb, "to b", 4);
        ck_assert_uint_eq(route_stats(r, true).bytes_in, 4);

        /* Without readers the lane keeps nothing: b's writes are accepted and counted as dropped. */
        vw_port_free(c);
        vw_port_free(d);
        ck_assert_int_eq(port_write(b, "void", 4), 0);
        ck_assert_uint_eq(counters(b).dropped_bytes, 4);
        ck_assert_uint_eq(route_stats(r, false).used, 0);
}
END_TEST

START_TEST(test_signal)
{
        /* Routes: a <-> b (duplex), {a, c} -> d; who hears a signal from whom. */
        struct vw_port *a = port("a"), *b = port("b"), *c = port("c"), *d = port("d");
        struct vw_port *from[] = { a, c };
        static const struct {
                unsigned sender;
                unsigned hears; /* bit mask of receivers: a=1, b=2, c=4, d=8 */
        } table[] = {
                { 0, 2 | 8 },   /* a: its duplex peer b and the reader d, not c beside it */
                { 1, 1 },       /* b: a only */
                { 2, 8 },       /* c: d only */
                { 3, 1 | 4 },   /* d: the writers into it */
        };
        struct vw_port *ports[] = { a, b, c, d };

        route1(VW_OVERFLOW_BLOCK, 256, true, a, b);
        route("in", VW_OVERFLOW_BLOCK, 256, false, from, 2, &d, 1);
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
                struct vw_signal sig = { .type = VW_SIGNAL_BREAK, .duration_ms = 100 + (uint32_t)i };
                unsigned before[4];

                for (int k = 0; k < 4; k++)
                        before[k] = tport_of(ports[k])->n_signal;
                vw_port_signal(ports[table[i].sender], &sig);
                for (unsigned k = 0; k < 4; k++) {
                        struct tport *t = tport_of(ports[k]);
                        bool hears = table[i].hears & (1u << k);

                        ck_assert_msg(t->n_signal == before[k] + hears, "signal from %u: port %u heard %u", table[i].sender,
                                      k, t->n_signal - before[k]);
                        if (hears) {
                                ck_assert_int_eq(t->last_signal.type, VW_SIGNAL_BREAK);
                                ck_assert_uint_eq(t->last_signal.duration_ms, 100 + i);
                        }
                }
        }

        /* Line parameters travel whole. */
        struct vw_signal params = {
                .type = VW_SIGNAL_PARAMS,
                .params = { .baud = 115200, .data_bits = 7, .parity = 'E', .stop_bits = 2, .rtscts = true },
        };
        vw_port_signal(b, &params);
        ck_assert_int_eq(tport_of(a)->last_signal.type, VW_SIGNAL_PARAMS);
        ck_assert_uint_eq(tport_of(a)->last_signal.params.baud, 115200);
        ck_assert_int_eq(tport_of(a)->last_signal.params.parity, 'E');
        ck_assert(tport_of(a)->last_signal.params.rtscts);

        /* A port without routes signals nobody. */
        struct vw_port *e = port("e");
        unsigned total = 0;
        vw_port_signal(e, &params);
        for (int k = 0; k < 4; k++)
                total += tport_of(ports[k])->n_signal;
        ck_assert_uint_eq(total, 7);  /* a: 3 (two breaks, params), b: 1, c: 1, d: 2 */
}
END_TEST

START_TEST(test_taps)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sa = sink(a), *sb = sink(b);
        struct vw_route *r = route1(VW_OVERFLOW_BLOCK, 1024, true, a, b);

        /* Unmonitored: no tap at all. */
        ck_assert_int_eq(port_write(a, "1234", 4), 0);
        expect_chunk(sb, "1234", 4);
        ck_assert_uint_eq(w.n_port_taps + w.n_route_taps, 0);

        /* a monitored: its rx (what it wrote) and its tx (what its sink delivered), nothing of b. */
        vw_port_set_monitored(a, true);
        ck_assert_int_eq(port_write(a, "abcdef", 6), 0);
        ck_assert_uint_eq(w.n_port_taps, 1);
        ck_assert_ptr_eq(w.port_taps[0].port, a);
        ck_assert_int_eq(w.port_taps[0].dir, VW_DIR_RX);
        ck_assert_uint_eq(w.port_taps[0].len, 6);
        ck_assert_uint_eq(w.port_taps[0].first, 'a');
        expect_chunk(sb, "abcdef", 6);
        ck_assert_uint_eq(w.n_port_taps, 1);

        ck_assert_int_eq(port_write(b, "xyz", 3), 0);
        ck_assert_uint_eq(w.n_port_taps, 1);
        ck_assert(vw_sink_peek(sa->sink, &(struct vw_chunk){ 0 }));
        sink_consume(sa, 2);    /* tx tap shows what was delivered: a part */
        ck_assert_uint_eq(w.n_port_taps, 2);
        ck_assert_ptr_eq(w.port_taps[1].port, a);
        ck_assert_int_eq(w.port_taps[1].dir, VW_DIR_TX);
        ck_assert_uint_eq(w.port_taps[1].len, 2);
        ck_assert_uint_eq(w.port_taps[1].first, 'x');
        expect_chunk(sa, "z", 1);
        ck_assert_uint_eq(w.n_port_taps, 3);
        ck_assert_uint_eq(w.port_taps[2].first, 'z');
        ck_assert_uint_eq(w.n_route_taps, 0);

        /* Route monitored: every accepted chunk, with its lane and writer. */
        vw_port_set_monitored(a, false);
        vw_route_set_monitored(r, true);
        ck_assert_int_eq(port_write(a, "fwd", 3), 0);
        ck_assert_int_eq(port_write(b, "rev!", 4), 0);
        ck_assert_uint_eq(w.n_route_taps, 2);
        ck_assert_ptr_eq(w.route_taps[0].route, r);
        ck_assert_ptr_eq(w.route_taps[0].port, a);
        ck_assert_int_eq(w.route_taps[0].dir, false);
        ck_assert_uint_eq(w.route_taps[0].len, 3);
        ck_assert_ptr_eq(w.route_taps[1].port, b);
        ck_assert_int_eq(w.route_taps[1].dir, true);
        ck_assert_uint_eq(w.route_taps[1].first, 'r');
        expect_chunk(sb, "fwd", 3);
        expect_chunk(sa, "rev!", 4);
        ck_assert_uint_eq(w.n_port_taps, 3);

        vw_route_set_monitored(r, false);
        ck_assert_int_eq(port_write(a, "off", 3), 0);
        ck_assert_uint_eq(w.n_route_taps, 2);
}
END_TEST

START_TEST(test_invalid_routes)
{
        struct vw_port *a = port("a"), *b = port("b"), *c = port("c");
        struct vw_route_params ok = { .overflow = VW_OVERFLOW_BLOCK, .buffer = 1024 };
        struct vw_route_params bad_policy = { .overflow = _VW_OVERFLOW_MAX, .buffer = 1024 };
        struct vw_route_params too_big = { .overflow = VW_OVERFLOW_BLOCK, .buffer = VW_RING_MAX_CAPACITY + 1 };
        struct vw_port *aa[] = { a, a }, *ab[] = { a, b }, *bc[] = { b, c }, *an[] = { a, NULL };
        static const struct {
                int from, n_from, to, n_to, params;
        } table[] = {
                /* lists: 0 = {a,a}, 1 = {a,b}, 2 = {b,c}, 3 = {a,NULL}; params: 0 ok, 1 bad policy, 2 too big */
                { 1, 1, 1, 1, 0 },     /* a -> a */
                { 1, 2, 2, 1, 0 },     /* {a, b} -> b */
                { 2, 1, 1, 2, 0 },     /* b -> {a, b} */
                { 1, 0, 2, 1, 0 },     /* nobody -> b */
                { 1, 1, 2, 0, 0 },     /* a -> nobody */
                { 0, 2, 2, 1, 0 },     /* {a, a} -> b */
                { 2, 1, 0, 2, 0 },     /* b -> {a, a} */
                { 3, 2, 2, 1, 0 },     /* {a, NULL} -> b */
                { 1, 1, 2, 1, 1 },     /* bad policy */
                { 1, 1, 2, 1, 2 },     /* too big */
        };
        struct vw_port **lists[] = { aa, ab, bc, an };
        const struct vw_route_params *params[] = { &ok, &bad_policy, &too_big };

        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
                struct vw_route *r = (struct vw_route *)&w;

                ck_assert_msg(vw_route_new(w.router, "bad", params[table[i].params], lists[table[i].from],
                                           table[i].n_from, lists[table[i].to], table[i].n_to, &r) == -EINVAL,
                              "case %zu accepted", i);
                ck_assert_ptr_eq(r, (struct vw_route *)&w);
        }
        /* Nothing was left attached by the refusals. */
        for (int k = 0; k < 3; k++)
                ck_assert_uint_eq(vw_port_n_routes(w.ports[k].port), 0);

        /* A chunk bigger than a lane can ever hold. */
        route1(VW_OVERFLOW_BLOCK, 256, false, a, b);
        uint8_t buf[300] = { 0 };
        ck_assert_int_eq(port_write(a, buf, 249), -EMSGSIZE);
        ck_assert_uint_le(vw_port_room(a), 248);
        ck_assert_int_eq(port_write(a, buf, 248), 0);
}
END_TEST

START_TEST(test_unrouted)
{
        struct vw_port *a = port("a");
        struct tsink *sa = sink(a);

        ck_assert_uint_eq(vw_port_room(a), SIZE_MAX);
        ck_assert_int_eq(port_write(a, "lost", 4), 0);
        ck_assert_int_eq(port_write(a, "", 0), 0);
        ck_assert_uint_eq(counters(a).dropped_bytes, 4);
        ck_assert_uint_eq(counters(a).dropped_chunks, 1);
        ck_assert_uint_eq(counters(a).rx_bytes, 0);
        vw_port_count_dropped(a, 10);
        ck_assert_uint_eq(counters(a).dropped_bytes, 14);
        ck_assert_uint_eq(counters(a).dropped_chunks, 2);
        dispatch();
        ck_assert_uint_eq(sa->n_ready, 0);
        expect_nothing(sa);
        ck_assert_uint_eq(tport_of(a)->n_room, 0);
}
END_TEST

static Suite *router_suite(void)
{
        Suite *s = suite_create("router");
        TCase *tc;

        tc = vw_test_case(s, "routes");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_simplex);
        tcase_add_test(tc, test_duplex);
        tcase_add_test(tc, test_fanout);
        tcase_add_test(tc, test_fanin);
        tcase_add_test(tc, test_fanin_partial_then_other_lane);
        tcase_add_test(tc, test_fanin_partial_route_removed);
        tcase_add_test(tc, test_fanin_round_robin);
        tcase_add_test(tc, test_invalid_routes);
        tcase_add_test(tc, test_unrouted);

        tc = vw_test_case(s, "flow");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_block_room);
        tcase_add_test(tc, test_block_stream);
        tcase_add_test(tc, test_overflow_counters);
        tcase_add_test(tc, test_sink_discard);
        tcase_add_test(tc, test_sink_consume_bounds);

        tc = vw_test_case(s, "wakeups");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_ready_after_dispatch);
        tcase_add_test(tc, test_reentrant_dispatch);
        tcase_add_test(tc, test_two_sinks);
        tcase_add_test(tc, test_late_sink);

        tc = vw_test_case(s, "lifetime");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_route_free_pending);
        tcase_add_test(tc, test_route_free_blocked);
        tcase_add_test(tc, test_port_free_in_route);

        tc = vw_test_case(s, "monitor");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_signal);
        tcase_add_test(tc, test_taps);
        return s;
}

int main(void)
{
        return vw_test_run(router_suite());
}
