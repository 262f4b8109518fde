/* SPDX-License-Identifier: MIT */
/* Unit tests for core/router.c: wake-ups, several sinks, lifetimes, signals and taps. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "router-world.h"
#include "test-common.h"

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

static Suite *router_life_suite(void)
{
        Suite *s = suite_create("router-life");
        TCase *tc;

        tc = vw_test_case(s, "wakeups");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_ready_after_dispatch);
        tcase_add_test(tc, test_reentrant_dispatch);
        tcase_add_test(tc, test_two_sinks);
        tcase_add_test(tc, test_late_sink);
        tcase_add_test(tc, test_sink_discard);

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
        return vw_test_run(router_life_suite());
}
