/* SPDX-License-Identifier: MIT */
#pragma once

/* The router suites' fixture: a router whose hooks and callbacks record what they see. */

#include <stdbool.h>
#include <stdint.h>

#include "router.h"

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

struct world {
        struct vw_router *router;
        unsigned n_wakeup;
        bool in_call;           /* inside a router call that must not run callbacks */
        struct tport ports[8];
        unsigned n_ports;
        struct tsink sinks[16];
        unsigned n_sinks;
        struct tap port_taps[64], route_taps[64];
        unsigned n_port_taps, n_route_taps;
};

extern struct world w;

void setup(void);
void teardown(void);
struct tport *tport_of(struct vw_port *p);
struct vw_port *port(const char *name);
struct tsink *sink(struct vw_port *p);
struct vw_route *route(const char *name, enum vw_overflow o, size_t buffer, bool duplex,
                              struct vw_port *const *from, size_t n_from, struct vw_port *const *to, size_t n_to);
struct vw_route *route1(enum vw_overflow o, size_t buffer, bool duplex, struct vw_port *a, struct vw_port *b);
int port_write(struct vw_port *p, const void *data, size_t len);
void sink_consume(struct tsink *s, size_t n);
void dispatch(void);
void expect_chunk(struct tsink *s, const void *data, size_t len);
unsigned drain(struct tsink *s);
void expect_nothing(struct tsink *s);
struct vw_counters counters(struct vw_port *p);
struct vw_ring_stats route_stats(struct vw_route *r, bool reverse);
size_t make_chunk(uint8_t *buf, size_t len, uint8_t writer, uint32_t seq);
