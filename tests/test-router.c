/* SPDX-License-Identifier: MIT */
/* Unit tests for core/router.c: routes, fan-out and fan-in, flow control (wake-ups, sinks,
 * lifetimes, signals and taps: test-router-life.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "router-world.h"
#include "test-common.h"

/*
 * [net] adapters and datagram sockets rely on this: a datagram chunk comes out exactly as it went
 * in, one per write, through fan-in from two writers, fan-out to two readers, ring wrap-around and
 * both drop policies (which discard whole datagrams, never a piece of one).
 */
static void dgram_fill(uint8_t *buf, size_t len, unsigned seq)
{
        for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)(seq * 31u + i);
}

static unsigned dgram_check(struct tsink *s, unsigned seq_bits)
{
        struct vw_chunk ch;
        uint8_t want[1500];
        unsigned n = 0;

        while (vw_sink_peek(s->sink, &ch)) {
                unsigned seq = ch.data[0] | (unsigned)ch.data[1] << 8;
                size_t len = 40 + (seq * 97u) % 1400u;

                ck_assert_uint_eq(ch.type, VW_CHUNK_DATAGRAM);
                ck_assert_uint_eq(ch.len, len);
                dgram_fill(want, len, seq);
                want[0] = (uint8_t)seq;
                want[1] = (uint8_t)(seq >> 8);
                ck_assert_mem_eq(ch.data, want, len);
                ck_assert_uint_eq(seq >> seq_bits, 0);
                vw_sink_consume(s->sink, ch.len);
                n++;
        }
        return n;
}

static int dgram_write(struct vw_port *p, unsigned seq)
{
        uint8_t buf[1500];
        size_t len = 40 + (seq * 97u) % 1400u;

        dgram_fill(buf, len, seq);
        buf[0] = (uint8_t)seq;
        buf[1] = (uint8_t)(seq >> 8);
        return vw_port_write(p, VW_CHUNK_DATAGRAM, buf, len);
}

START_TEST(test_has_room_wakes)
{
        struct vw_port *a = port("a"), *b = port("b");
        struct tsink *sb = sink(b);
        struct tport *ta = tport_of(a);
        struct vw_chunk ch;

        route1(VW_OVERFLOW_BLOCK, 4096, false, a, b);
        /* fill until less than 1500 bytes are left, but more than 0 */
        while (vw_port_room(a) >= 1500)
                ck_assert_int_eq(dgram_write(a, 1), 0);
        ck_assert_uint_gt(vw_port_room(a), 0);
        ck_assert(!vw_port_has_room(a, 1500));
        dispatch();
        ck_assert_uint_eq(ta->n_room, 0);
        /* one datagram read: the writer hears of it and finds its room */
        ck_assert(vw_sink_peek(sb->sink, &ch));
        sink_consume(sb, ch.len);
        dispatch();
        ck_assert_uint_eq(ta->n_room, 1);
        /* 145 bytes freed may still be short: it asks again, blocked again, until enough is read */
        while (!vw_port_has_room(a, 1500)) {
                ck_assert(vw_sink_peek(sb->sink, &ch));
                sink_consume(sb, ch.len);
                dispatch();
        }
        ck_assert_uint_gt(ta->n_room, 1);
}
END_TEST

/* A converter that passes chunks on as they are and says it holds `held` bytes of a frame. */
static size_t fake_held_bytes;

static int fake_convert(void *state, const struct vw_chunk *in, vw_emit_fn emit, void *ctx)
{
        (void)state;
        return emit(ctx, in->type, in->data, in->len);
}

static void fake_free(void *state)
{
        (void)state;
}

static size_t fake_held(const void *state)
{
        (void)state;
        return fake_held_bytes;
}

/* What a decoder holds of a split frame counts in the room a writer is offered and must find
 * (so overflow = block never loses a frame's completion), but never stops the writer for good. */
START_TEST(test_converter_held_reserved)
{
        static const struct vw_converter_ops ops = { "fake", 2, fake_convert, fake_free, fake_held };
        struct vw_port *a = port("a"), *b = port("b");
        struct vw_route_params params = { .overflow = VW_OVERFLOW_BLOCK, .buffer = 4096 };
        struct vw_route *r = NULL;
        struct tsink *sb = sink(b);
        uint8_t data[512] = { 0 };
        size_t empty_room, room;

        params.convert[0] = (struct vw_converter){ .ops = &ops };
        ck_assert_int_eq(vw_route_new(w.router, "r", &params, &a, 1, &b, 1, &r), 0);
        fake_held_bytes = 0;
        empty_room = vw_port_room(a);
        ck_assert_int_eq(vw_port_write(a, VW_CHUNK_DATAGRAM, data, sizeof(data)), 0);
        room = vw_port_room(a);
        ck_assert_uint_lt(room, empty_room);
        fake_held_bytes = 100; /* 200 ring bytes to come for what is held */
        ck_assert_uint_le(vw_port_room(a), room - 100);
        /* a write that fits without the held frame, not with it, waits */
        fake_held_bytes = 1000;
        ck_assert_int_eq(vw_port_write(a, VW_CHUNK_DATAGRAM, data, vw_port_room(a) + 16), -EAGAIN);
        /* held more than the ring can ever give: once the ring is empty the writer goes on */
        fake_held_bytes = 1 << 20;
        ck_assert_uint_eq(vw_port_room(a), 0);
        {
                struct vw_chunk ch;

                while (vw_sink_peek(sb->sink, &ch))
                        sink_consume(sb, ch.len);
        }
        ck_assert_uint_gt(vw_port_room(a), 0);
        ck_assert_int_eq(vw_port_write(a, VW_CHUNK_DATAGRAM, data, 16), 0);
        fake_held_bytes = 0;
}
END_TEST

START_TEST(test_datagrams_kept_whole)
{
        struct vw_port *a = port("a"), *b = port("b"), *c = port("c");
        struct vw_port *from[] = { a, b };
        struct tsink *s1, *s2;
        unsigned seq = 0, got1 = 0, got2 = 0;

        route("r", VW_OVERFLOW_BLOCK, 8192, false, from, 2, &c, 1);
        s1 = sink(c);
        s2 = sink(c);
        /* 8 KiB wraps every few datagrams of up to 1.4 KiB: pads never show, records never split */
        for (unsigned round = 0; round < 500; round++) {
                while (vw_port_room(a) >= 1500 && vw_port_room(b) >= 1500) {
                        ck_assert_int_eq(dgram_write(round % 2 ? a : b, seq), 0);
                        seq++;
                }
                got1 += dgram_check(s1, 16);
                got2 += dgram_check(s2, 16);
        }
        ck_assert_uint_eq(got1, seq);
        ck_assert_uint_eq(got2, seq);
        ck_assert_uint_eq(counters(c).tx_chunks, 2u * seq);
}
END_TEST

START_TEST(test_datagrams_dropped_whole)
{
        for (int policy = VW_OVERFLOW_DROP_NEW; policy <= VW_OVERFLOW_DROP_OLD; policy++) {
                struct vw_port *a = port(policy == VW_OVERFLOW_DROP_NEW ? "dn" : "do");
                struct vw_port *b = port(policy == VW_OVERFLOW_DROP_NEW ? "dn-b" : "do-b");
                struct tsink *sb = sink(b);
                struct vw_route *r = route1((enum vw_overflow)policy, 4096, false, a, b);
                struct vw_ring_stats st;
                unsigned got;

                for (unsigned seq = 0; seq < 200; seq++)
                        ck_assert_int_eq(dgram_write(a, seq), 0);
                got = dgram_check(sb, 8); /* every one it sees is complete and correct */
                st = route_stats(r, false);
                ck_assert_uint_gt(got, 0);
                ck_assert_uint_lt(got, 200);
                ck_assert_uint_eq(got + st.chunks_dropped, 200);
        }
}
END_TEST

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

/* Line settings that differ only in padding bytes are equal (clang-tidy found a memcmp over
 * this struct in serial-pty.c: a spurious "changed" every time the padding differed). */
START_TEST(test_line_params_equal)
{
        struct vw_line_params a, b;

        memset(&a, 0x00, sizeof(a));
        memset(&b, 0xff, sizeof(b));
        a.baud = b.baud = 9600;
        a.data_bits = b.data_bits = 8;
        a.parity = b.parity = 'N';
        a.stop_bits = b.stop_bits = 1;
        a.rtscts = b.rtscts = false;
        a.xonxoff = b.xonxoff = true;
        ck_assert(vw_line_params_equal(&a, &b));
        b.stop_bits = 2;
        ck_assert(!vw_line_params_equal(&a, &b));
        b.stop_bits = 1;
        b.parity = 'E';
        ck_assert(!vw_line_params_equal(&a, &b));
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
        tcase_add_test(tc, test_sink_consume_bounds);
        tcase_add_test(tc, test_line_params_equal);
        tcase_add_test(tc, test_datagrams_kept_whole);
        tcase_add_test(tc, test_datagrams_dropped_whole);
        tcase_add_test(tc, test_has_room_wakes);
        tcase_add_test(tc, test_converter_held_reserved);

        return s;
}

int main(void)
{
        return vw_test_run(router_suite());
}
