/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "macro.h"
#include "router.h"

struct lane {
        struct vw_route *route;
        bool reverse;
        struct vw_ring *ring;
        struct vw_port **writers;
        size_t n_writers;
        struct vw_port **readers;
        size_t n_readers;
        uint64_t convert_dropped; /* what the converter could not convert (its own units) */
};

struct vw_route {
        struct vw_router *router;
        struct vw_list link;
        char *name;
        struct vw_route_params params;
        struct lane lanes[2];
        unsigned n_lanes;
        void *userdata;
        bool monitored;
};

struct vw_port {
        struct vw_router *router;
        struct vw_list link;
        char *name;
        const struct vw_port_ops *ops;
        void *userdata;
        struct lane **out;
        size_t n_out;
        struct lane **in;
        size_t n_in;
        struct vw_list sinks;
        struct vw_list pending;
        struct vw_counters counters;
        bool blocked;
        bool monitored;
};

struct sink_entry {
        struct lane *lane;
        struct vw_cursor *cursor;
};

struct vw_sink {
        struct vw_port *port;
        struct vw_list link;
        struct vw_list pending;
        vw_sink_ready_t ready;
        void *userdata;
        struct sink_entry *entries;
        size_t n_entries;
        size_t rr;       /* lane to try first: round-robin between inbound lanes */
        size_t current;  /* entry of the chunk last peeked */
        bool accept_line;
        uint32_t current_len;
};

struct vw_router {
        const struct vw_router_hooks *hooks;
        void *userdata;
        struct vw_list pending_sinks;
        struct vw_list pending_ports;
        struct vw_list ports;
        struct vw_list routes;
};

/* Small pointer arrays: membership lists are short and change rarely. */
static int ptr_append(void ***array, size_t *n, void *p)
{
        void **a = realloc(*array, (*n + 1) * sizeof(void *));

        if (!a)
                return -ENOMEM;
        a[(*n)++] = p;
        *array = a;
        return 0;
}

static void ptr_remove(void **array, size_t *n, void *p)
{
        for (size_t i = 0; i < *n; i++)
                if (array[i] == p) {
                        memmove(array + i, array + i + 1, (*n - i - 1) * sizeof(void *));
                        (*n)--;
                        return;
                }
}

#define PTR_APPEND(arr, n, p) ptr_append((void ***)&(arr), &(n), (p))
#define PTR_REMOVE(arr, n, p) ptr_remove((void **)(arr), &(n), (p))

static void router_wakeup(struct vw_router *r)
{
        if (r->hooks && r->hooks->wakeup)
                r->hooks->wakeup(r, r->userdata);
}

static void queue_sink(struct vw_sink *s)
{
        struct vw_router *r = s->port->router;

        if (vw_list_linked(&s->pending))
                return;
        vw_list_insert_tail(&r->pending_sinks, &s->pending);
        router_wakeup(r);
}

static void queue_port(struct vw_port *p)
{
        struct vw_router *r = p->router;

        if (vw_list_linked(&p->pending))
                return;
        vw_list_insert_tail(&r->pending_ports, &p->pending);
        router_wakeup(r);
}

/* Room was freed in this lane: wake its blocked writers. */
static void lane_room(struct lane *l)
{
        for (size_t i = 0; i < l->n_writers; i++)
                if (l->writers[i]->blocked) {
                        l->writers[i]->blocked = false;
                        queue_port(l->writers[i]);
                }
}

static void lane_data(struct lane *l)
{
        for (size_t i = 0; i < l->n_readers; i++)
                vw_list_for_each(j, &l->readers[i]->sinks)
                        queue_sink(vw_list_entry(j, struct vw_sink, link));
}

int vw_router_new(const struct vw_router_hooks *hooks, void *userdata, struct vw_router **ret)
{
        struct vw_router *r = calloc(1, sizeof(*r));

        if (!r)
                return -ENOMEM;
        r->hooks = hooks;
        r->userdata = userdata;
        vw_list_init(&r->pending_sinks);
        vw_list_init(&r->pending_ports);
        vw_list_init(&r->ports);
        vw_list_init(&r->routes);
        *ret = r;
        return 0;
}

void vw_router_free(struct vw_router *r)
{
        if (!r)
                return;
        vw_list_for_each_safe(i, tmp, &r->routes)
                vw_route_free(vw_list_entry(i, struct vw_route, link));
        vw_list_for_each_safe(i, tmp, &r->ports)
                vw_port_free(vw_list_entry(i, struct vw_port, link));
        free(r);
}

bool vw_router_has_pending(const struct vw_router *r)
{
        return !vw_list_empty(&r->pending_sinks) || !vw_list_empty(&r->pending_ports);
}

void vw_router_dispatch(struct vw_router *r)
{
        /* Bounded, so an endpoint that keeps producing cannot starve the event loop. */
        for (unsigned budget = 4096; budget > 0 && vw_router_has_pending(r); budget--) {
                if (!vw_list_empty(&r->pending_sinks)) {
                        struct vw_sink *s = vw_list_entry(r->pending_sinks.next, struct vw_sink, pending);
                        vw_list_remove(&s->pending);
                        if (s->ready)
                                s->ready(s, s->userdata);
                        continue;
                }
                struct vw_port *p = vw_list_entry(r->pending_ports.next, struct vw_port, pending);
                vw_list_remove(&p->pending);
                if (p->ops && p->ops->room)
                        p->ops->room(p, p->userdata);
        }
        if (vw_router_has_pending(r))
                router_wakeup(r);
}

int vw_port_new(struct vw_router *r, const char *name, const struct vw_port_ops *ops, void *userdata,
                struct vw_port **ret)
{
        struct vw_port *p = calloc(1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        p->name = strdup(name);
        if (!p->name) {
                free(p);
                return -ENOMEM;
        }
        p->router = r;
        p->ops = ops;
        p->userdata = userdata;
        vw_list_init(&p->sinks);
        vw_list_init(&p->pending);
        vw_list_insert_tail(&r->ports, &p->link);
        *ret = p;
        return 0;
}

static int sink_add_lane(struct vw_sink *s, struct lane *l)
{
        struct sink_entry *e = realloc(s->entries, (s->n_entries + 1) * sizeof(*e));
        int r;

        if (!e)
                return -ENOMEM;
        s->entries = e;
        r = vw_cursor_new(l->ring, s, &e[s->n_entries].cursor);
        if (r < 0)
                return r;
        e[s->n_entries++].lane = l;
        return 0;
}

static void sink_remove_lane(struct vw_sink *s, struct lane *l)
{
        for (size_t i = 0; i < s->n_entries; i++) {
                if (s->entries[i].lane != l)
                        continue;
                vw_cursor_free(s->entries[i].cursor);
                memmove(s->entries + i, s->entries + i + 1, (s->n_entries - i - 1) * sizeof(*s->entries));
                s->n_entries--;
                /* Keep pointing at the same lanes: a chunk half delivered from another lane goes on. */
                if (s->current == i)
                        s->current = SIZE_MAX;  /* the chunk last peeked went away with its lane */
                else if (s->current > i && s->current != SIZE_MAX)
                        s->current--;
                if (s->rr > i)
                        s->rr--;
                if (s->rr >= s->n_entries)
                        s->rr = 0;
                lane_room(l);
                return;
        }
}

void vw_sink_free(struct vw_sink *s)
{
        if (!s)
                return;
        while (s->n_entries > 0)
                sink_remove_lane(s, s->entries[0].lane);
        vw_list_remove(&s->link);
        vw_list_remove(&s->pending);
        free(s->entries);
        free(s);
}

void vw_port_free(struct vw_port *p)
{
        if (!p)
                return;
        vw_list_for_each_safe(i, tmp, &p->sinks)
                vw_sink_free(vw_list_entry(i, struct vw_sink, link));
        for (size_t i = 0; i < p->n_out; i++)
                PTR_REMOVE(p->out[i]->writers, p->out[i]->n_writers, p);
        for (size_t i = 0; i < p->n_in; i++)
                PTR_REMOVE(p->in[i]->readers, p->in[i]->n_readers, p);
        vw_list_remove(&p->pending);
        vw_list_remove(&p->link);
        free(p->out);
        free(p->in);
        free(p->name);
        free(p);
}

const char *vw_port_name(const struct vw_port *p) { return p->name; }
void *vw_port_userdata(const struct vw_port *p) { return p->userdata; }
bool vw_port_has_outbound(const struct vw_port *p) { return p->n_out > 0; }
bool vw_port_has_inbound(const struct vw_port *p) { return p->n_in > 0; }
void vw_port_get_counters(const struct vw_port *p, struct vw_counters *ret) { *ret = p->counters; }
void vw_port_set_monitored(struct vw_port *p, bool b) { p->monitored = b; }
bool vw_port_is_monitored(const struct vw_port *p) { return p->monitored; }

unsigned vw_port_n_routes(const struct vw_port *p)
{
        /* A duplex route shows up once in each list. */
        unsigned n = (unsigned)p->n_out;

        for (size_t i = 0; i < p->n_in; i++)
                if (!p->in[i]->route->params.duplex)
                        n++;
        return n;
}

void vw_port_count_dropped(struct vw_port *p, size_t bytes)
{
        p->counters.dropped_bytes += bytes;
        p->counters.dropped_chunks++;
}

static size_t lane_expansion(const struct lane *l)
{
        const struct vw_converter *c = &l->route->params.convert[l->reverse];

        return c->ops ? MAX(c->ops->expansion, (size_t)1) : 1;
}

/* Ring bytes a lane's converter may still emit for input it already holds (a split frame). */
static size_t lane_held(const struct lane *l)
{
        const struct vw_converter *c = &l->route->params.convert[l->reverse];

        return c->ops && c->ops->held ? c->ops->held(c->state) * lane_expansion(l) : 0;
}

/* What writing len bytes into a lane must find free in its ring: never more than the ring can
 * ever offer, or a held giant frame would stop the writer for good (it is dropped instead). */
static size_t lane_need(const struct lane *l, size_t len)
{
        return MIN(len * lane_expansion(l) + lane_held(l), MAX(vw_ring_max_chunk(l->ring), len));
}

struct emit_ctx {
        struct lane *lane;
        struct vw_port *writer;
        uint16_t source;
        unsigned stored;
        bool dropped;
};

static int lane_emit(void *userdata, enum vw_chunk_type type, const void *data, size_t len)
{
        struct emit_ctx *ctx = userdata;
        struct lane *l = ctx->lane;
        struct vw_router *router = ctx->writer->router;
        struct vw_chunk chunk = { .type = type, .flags = ctx->source, .len = (uint32_t)len, .data = data };
        int r;

        if (len == 0)
                return 0;
        r = vw_ring_write(l->ring, type, ctx->source, data, len);
        if (r < 0) {
                ctx->dropped = true;
                return r;
        }
        ctx->stored++;
        if (l->route->monitored && router->hooks && router->hooks->route_tap)
                router->hooks->route_tap(l->route, l->reverse, ctx->writer, &chunk, router->userdata);
        return 0;
}

size_t vw_port_room(struct vw_port *p)
{
        size_t room = SIZE_MAX;

        for (size_t i = 0; i < p->n_out; i++) {
                struct vw_ring *ring = p->out[i]->ring;
                size_t x = lane_expansion(p->out[i]);

                room = MIN(room, vw_ring_max_chunk(ring) / x);
                if (vw_ring_policy(ring) == VW_OVERFLOW_BLOCK) {
                        size_t free_ = vw_ring_room(ring), held = lane_held(p->out[i]);
                        size_t fits = free_ > held ? (free_ - held) / x : 0;

                        /* an empty ring takes anything lane_need() caps at its size */
                        if (fits == 0 && free_ >= vw_ring_max_chunk(ring))
                                fits = free_ / x;
                        room = MIN(room, fits);
                }
        }
        if (room == 0)
                p->blocked = true;
        return room;
}

bool vw_port_has_room(struct vw_port *p, size_t len)
{
        if (vw_port_room(p) >= len)
                return true;
        p->blocked = true;
        return false;
}

int vw_port_write(struct vw_port *p, enum vw_chunk_type type, const void *data, size_t len)
{
        return vw_port_write_from(p, 0, type, data, len);
}

int vw_port_write_from(struct vw_port *p, uint16_t source, enum vw_chunk_type type, const void *data, size_t len)
{
        struct vw_router *router = p->router;
        struct vw_chunk chunk = { .type = type, .flags = source, .len = (uint32_t)len, .data = data };
        bool dropped = false;

        if (len == 0)
                return 0;
        if (p->n_out == 0) {
                vw_port_count_dropped(p, len);
                /* a monitor still sees what an unrouted port produced */
                if (p->monitored && router->hooks && router->hooks->port_tap)
                        router->hooks->port_tap(p, VW_DIR_RX, &chunk, router->userdata);
                return 0;
        }
        for (size_t i = 0; i < p->n_out; i++) {
                struct vw_ring *ring = p->out[i]->ring;

                size_t need = lane_need(p->out[i], len);

                if (len * lane_expansion(p->out[i]) > vw_ring_max_chunk(ring))
                        return -EMSGSIZE;
                if (vw_ring_policy(ring) == VW_OVERFLOW_BLOCK && vw_ring_n_cursors(ring) > 0 &&
                    vw_ring_room(ring) < need) {
                        vw_ring_count_blocked(ring);
                        p->blocked = true;
                        return -EAGAIN;
                }
        }
        for (size_t i = 0; i < p->n_out; i++) {
                struct lane *l = p->out[i];
                const struct vw_converter *cv = &l->route->params.convert[l->reverse];
                int r;

                if (cv->ops && vw_ring_n_cursors(l->ring) > 0) {
                        struct emit_ctx ctx = { .lane = l, .writer = p, .source = source };

                        r = cv->ops->convert(cv->state, &chunk, lane_emit, &ctx);
                        if (r > 0) {
                                /* parts of the chunk the converter could not convert: the route's */
                                l->convert_dropped += (uint64_t)r;
                        } else if (r < 0) {
                                l->convert_dropped++;
                                dropped = true;
                        }
                        if (ctx.dropped)
                                dropped = true;
                        if (ctx.stored > 0)
                                lane_data(l);
                        continue;
                }
                r = vw_ring_write(l->ring, type, source, data, len);
                if (r == -ENOBUFS || vw_ring_n_cursors(l->ring) == 0) {
                        dropped = true;
                        continue;
                }
                if (r < 0) /* cannot happen: checked above */
                        return r;
                lane_data(l);
                if (l->route->monitored && router->hooks && router->hooks->route_tap)
                        router->hooks->route_tap(l->route, l->reverse, p, &chunk, router->userdata);
        }
        if (dropped)
                vw_port_count_dropped(p, len);
        p->counters.rx_bytes += len;
        p->counters.rx_chunks++;
        if (p->monitored && router->hooks && router->hooks->port_tap)
                router->hooks->port_tap(p, VW_DIR_RX, &chunk, router->userdata);
        return 0;
}

static bool ptr_contains(struct vw_port *const *a, size_t n, const struct vw_port *p)
{
        for (size_t i = 0; i < n; i++)
                if (a[i] == p)
                        return true;
        return false;
}

void vw_port_signal(struct vw_port *p, const struct vw_signal *sig)
{
        struct vw_port **peers = NULL;
        size_t n_peers = 0;

        /* Everyone on the other side of each route: readers of our lanes, writers of lanes we read. */
        for (size_t i = 0; i < p->n_out; i++)
                for (size_t j = 0; j < p->out[i]->n_readers; j++)
                        if (!ptr_contains(peers, n_peers, p->out[i]->readers[j]))
                                PTR_APPEND(peers, n_peers, p->out[i]->readers[j]);
        for (size_t i = 0; i < p->n_in; i++)
                for (size_t j = 0; j < p->in[i]->n_writers; j++)
                        if (!ptr_contains(peers, n_peers, p->in[i]->writers[j]))
                                PTR_APPEND(peers, n_peers, p->in[i]->writers[j]);
        for (size_t i = 0; i < n_peers; i++)
                if (peers[i] != p && peers[i]->ops && peers[i]->ops->signal)
                        peers[i]->ops->signal(peers[i], sig, peers[i]->userdata);
        free(peers);
}

int vw_sink_new(struct vw_port *p, vw_sink_ready_t ready, void *userdata, struct vw_sink **ret)
{
        struct vw_sink *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return -ENOMEM;
        s->port = p;
        s->ready = ready;
        s->userdata = userdata;
        vw_list_init(&s->pending);
        vw_list_insert_tail(&p->sinks, &s->link);
        for (size_t i = 0; i < p->n_in; i++) {
                r = sink_add_lane(s, p->in[i]);
                if (r < 0) {
                        vw_sink_free(s);
                        return r;
                }
        }
        *ret = s;
        return 0;
}

struct vw_port *vw_sink_port(const struct vw_sink *s) { return s->port; }

void vw_sink_set_accept_line(struct vw_sink *s, bool b) { s->accept_line = b; }

/* Peek one cursor, passing over line events this sink does not want. */
static bool cursor_peek_for(struct vw_sink *s, struct sink_entry *e, struct vw_chunk *ret)
{
        while (vw_cursor_peek(e->cursor, ret)) {
                if (ret->type != VW_CHUNK_LINE || s->accept_line)
                        return true;
                if (vw_cursor_consume(e->cursor, ret->len))
                        lane_room(e->lane);
        }
        return false;
}

bool vw_sink_peek(struct vw_sink *s, struct vw_chunk *ret)
{
        for (size_t i = 0; i < s->n_entries; i++) {
                size_t idx = (s->rr + i) % s->n_entries;

                if (cursor_peek_for(s, &s->entries[idx], ret)) {
                        s->current = idx;
                        s->current_len = ret->len;
                        return true;
                }
        }
        return false;
}

void vw_sink_consume(struct vw_sink *s, size_t n)
{
        struct vw_router *router = s->port->router;
        struct sink_entry *e;
        struct vw_chunk chunk;

        /* Never more than is left of the chunk last peeked (nothing when none is). */
        n = MIN(n, (size_t)s->current_len);
        if (s->current >= s->n_entries || n == 0)
                return;
        e = &s->entries[s->current];
        if (s->port->monitored && router->hooks && router->hooks->port_tap &&
            vw_cursor_peek(e->cursor, &chunk)) {
                chunk.len = (uint32_t)n;
                router->hooks->port_tap(s->port, VW_DIR_TX, &chunk, router->userdata);
        }
        s->port->counters.tx_bytes += n;
        s->current_len -= (uint32_t)n;
        if (s->current_len == 0) {
                s->port->counters.tx_chunks++;
                s->rr = (s->current + 1) % s->n_entries;
        } else {
                s->rr = s->current;     /* finish this chunk before another lane's: never interleave */
        }
        if (vw_cursor_consume(e->cursor, n))
                lane_room(e->lane);
}

void vw_sink_discard(struct vw_sink *s)
{
        for (size_t i = 0; i < s->n_entries; i++) {
                size_t pending = vw_cursor_pending(s->entries[i].cursor);

                if (pending == 0)
                        continue;
                vw_port_count_dropped(s->port, pending);
                if (vw_cursor_skip_all(s->entries[i].cursor))
                        lane_room(s->entries[i].lane);
        }
}

size_t vw_sink_capacity(const struct vw_sink *s)
{
        size_t cap = 0;

        for (size_t i = 0; i < s->n_entries; i++) {
                size_t c = vw_ring_capacity(s->entries[i].lane->ring);
                cap = cap == 0 ? c : MIN(cap, c);
        }
        return cap;
}

size_t vw_sink_pending(const struct vw_sink *s)
{
        size_t n = 0;

        for (size_t i = 0; i < s->n_entries; i++)
                n += vw_cursor_pending(s->entries[i].cursor);
        return n;
}

static void lane_detach(struct lane *l)
{
        for (size_t i = 0; i < l->n_writers; i++) {
                struct vw_port *p = l->writers[i];
                PTR_REMOVE(p->out, p->n_out, l);
                if (p->blocked) {
                        p->blocked = false;
                        queue_port(p);
                }
        }
        for (size_t i = 0; i < l->n_readers; i++) {
                struct vw_port *p = l->readers[i];
                PTR_REMOVE(p->in, p->n_in, l);
                vw_list_for_each(j, &p->sinks)
                        sink_remove_lane(vw_list_entry(j, struct vw_sink, link), l);
        }
        free(l->writers);
        free(l->readers);
        l->writers = l->readers = NULL;
        l->n_writers = l->n_readers = 0;
        vw_ring_free(l->ring);
        l->ring = NULL;
}

static int lane_attach(struct lane *l, struct vw_port *const *writers, size_t n_writers,
                       struct vw_port *const *readers, size_t n_readers)
{
        int r;

        for (size_t i = 0; i < n_writers; i++) {
                r = PTR_APPEND(l->writers, l->n_writers, writers[i]);
                if (r >= 0)
                        r = PTR_APPEND(writers[i]->out, writers[i]->n_out, l);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n_readers; i++) {
                r = PTR_APPEND(l->readers, l->n_readers, readers[i]);
                if (r >= 0)
                        r = PTR_APPEND(readers[i]->in, readers[i]->n_in, l);
                if (r < 0)
                        return r;
                vw_list_for_each(j, &readers[i]->sinks) {
                        r = sink_add_lane(vw_list_entry(j, struct vw_sink, link), l);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static bool has_duplicates(struct vw_port *const *a, size_t n, struct vw_port *const *b, size_t m)
{
        for (size_t i = 0; i < n; i++) {
                if (!a[i] || ptr_contains(a + i + 1, n - i - 1, a[i]) || ptr_contains(b, m, a[i]))
                        return true;
        }
        for (size_t i = 0; i < m; i++)
                if (!b[i] || ptr_contains(b + i + 1, m - i - 1, b[i]))
                        return true;
        return false;
}

int vw_route_new(struct vw_router *router, const char *name, const struct vw_route_params *params,
                 struct vw_port *const *from, size_t n_from, struct vw_port *const *to, size_t n_to,
                 struct vw_route **ret)
{
        struct vw_route *route;
        int r;

        r = 0;
        if (n_from == 0 || n_to == 0 || has_duplicates(from, n_from, to, n_to) ||
            (unsigned)params->overflow >= _VW_OVERFLOW_MAX || params->buffer > VW_RING_MAX_CAPACITY)
                r = -EINVAL;
        route = r < 0 ? NULL : calloc(1, sizeof(*route));
        if (!route) {
                /* the converters are ours whatever happens */
                for (unsigned i = 0; i < 2; i++)
                        if (params->convert[i].ops && params->convert[i].ops->free)
                                params->convert[i].ops->free(params->convert[i].state);
                return r < 0 ? r : -ENOMEM;
        }
        route->router = router;
        route->params = *params;
        vw_list_init(&route->link);
        route->name = strdup(name);
        if (!route->name) {
                r = -ENOMEM;
                goto fail;
        }
        route->n_lanes = params->duplex ? 2 : 1;
        for (unsigned i = 0; i < route->n_lanes; i++) {
                route->lanes[i].route = route;
                route->lanes[i].reverse = i == 1;
                r = vw_ring_new(params->buffer, params->overflow, &route->lanes[i].ring);
                if (r < 0)
                        goto fail;
        }
        route->params.buffer = vw_ring_capacity(route->lanes[0].ring);
        r = lane_attach(&route->lanes[0], from, n_from, to, n_to);
        if (r >= 0 && params->duplex)
                r = lane_attach(&route->lanes[1], to, n_to, from, n_from);
        if (r < 0)
                goto fail;
        vw_list_insert_tail(&router->routes, &route->link);
        *ret = route;
        return 0;
fail:
        vw_route_free(route);
        return r;
}

void vw_route_free(struct vw_route *route)
{
        if (!route)
                return;
        for (unsigned i = 0; i < route->n_lanes; i++)
                lane_detach(&route->lanes[i]);
        for (unsigned i = 0; i < 2; i++)
                if (route->params.convert[i].ops && route->params.convert[i].ops->free)
                        route->params.convert[i].ops->free(route->params.convert[i].state);
        vw_list_remove(&route->link);
        free(route->name);
        free(route);
}

const char *vw_route_name(const struct vw_route *route) { return route->name; }
void *vw_route_get_userdata(const struct vw_route *route) { return route->userdata; }
void vw_route_set_userdata(struct vw_route *route, void *userdata) { route->userdata = userdata; }
const struct vw_route_params *vw_route_params(const struct vw_route *route) { return &route->params; }
void vw_route_set_monitored(struct vw_route *route, bool b) { route->monitored = b; }

int vw_route_prime(struct vw_route *route, bool reverse, enum vw_chunk_type type, const void *data, size_t len)
{
        unsigned i = reverse ? 1 : 0;
        int r;

        if (i >= route->n_lanes || !route->lanes[i].ring)
                return -ENOENT;
        r = vw_ring_write(route->lanes[i].ring, type, 0, data, len);
        if (r < 0)
                return r;
        lane_data(&route->lanes[i]);
        return 0;
}

int vw_route_get_stats(const struct vw_route *route, bool reverse, struct vw_ring_stats *ret)
{
        unsigned i = reverse ? 1 : 0;

        if (i >= route->n_lanes || !route->lanes[i].ring)
                return -ENOENT;
        vw_ring_get_stats(route->lanes[i].ring, ret);
        ret->convert_dropped = route->lanes[i].convert_dropped;
        return 0;
}
