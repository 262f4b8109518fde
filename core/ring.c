/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "list.h"
#include "macro.h"
#include "ring.h"

/*
 * Layout: a power-of-two byte array addressed by monotonic 64-bit positions (pos & mask).
 * Every record is an 8-byte header plus payload, padded to 8 bytes, and never wraps: when the
 * tail of the array is too short, a PAD record fills it. The oldest byte still needed is the
 * smallest cursor position ("tail"); head - tail bytes are in use.
 */
struct record {
        uint32_t len;
        uint16_t type;
        uint16_t flags;
};

struct vw_ring {
        uint8_t *buf;
        size_t cap;
        uint64_t head, tail;
        uint64_t payload_total; /* payload bytes ever stored, for O(1) per-cursor pending */
        enum vw_overflow policy;
        struct vw_list cursors;
        unsigned n_cursors;
        struct vw_ring_stats stats;
};

struct vw_cursor {
        struct vw_list link;
        struct vw_ring *ring;
        void *owner;
        uint64_t pos;      /* header of the current record */
        uint32_t off;      /* payload bytes of the current record already read */
        uint64_t base;     /* payload_total when the cursor was made */
        uint64_t taken;    /* payload bytes read or dropped since */
        uint64_t dropped;
};

static const char *const overflow_names[_VW_OVERFLOW_MAX] = {
        [VW_OVERFLOW_BLOCK] = "block",
        [VW_OVERFLOW_DROP_NEW] = "drop-new",
        [VW_OVERFLOW_DROP_OLD] = "drop-old",
};

static const char *const chunk_names[_VW_CHUNK_TYPE_MAX] = {
        [VW_CHUNK_PAD] = "pad",
        [VW_CHUNK_BYTES] = "bytes",
        [VW_CHUNK_DATAGRAM] = "datagram",
        [VW_CHUNK_EVENTS] = "events",
        [VW_CHUNK_LINE] = "line",
};

const char *vw_overflow_to_string(enum vw_overflow o)
{
        return (unsigned)o < _VW_OVERFLOW_MAX ? overflow_names[o] : NULL;
}

int vw_overflow_from_string(const char *s)
{
        for (unsigned i = 0; i < _VW_OVERFLOW_MAX; i++)
                if (strcasecmp(s, overflow_names[i]) == 0)
                        return (int)i;
        return -EINVAL;
}

const char *vw_chunk_type_to_string(enum vw_chunk_type t)
{
        return (unsigned)t < _VW_CHUNK_TYPE_MAX ? chunk_names[t] : "unknown";
}

static inline struct record *rec_at(const struct vw_ring *r, uint64_t pos)
{
        return (struct record *)(r->buf + (pos & (r->cap - 1)));
}

static inline size_t rec_size(uint32_t len)
{
        return ALIGN_TO((size_t)len + VW_CHUNK_HEADER, 8);
}

int vw_ring_new(size_t capacity, enum vw_overflow policy, struct vw_ring **ret)
{
        struct vw_ring *r;
        size_t cap = VW_RING_MIN_CAPACITY;

        if ((unsigned)policy >= _VW_OVERFLOW_MAX || capacity > VW_RING_MAX_CAPACITY)
                return -EINVAL;
        while (cap < capacity)
                cap <<= 1;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->buf = malloc(cap);
        if (!r->buf) {
                free(r);
                return -ENOMEM;
        }
        r->cap = cap;
        r->policy = policy;
        r->stats.capacity = cap;
        vw_list_init(&r->cursors);
        *ret = r;
        return 0;
}

void vw_ring_free(struct vw_ring *r)
{
        if (!r)
                return;
        vw_list_for_each_safe(i, tmp, &r->cursors) {
                struct vw_cursor *c = vw_list_entry(i, struct vw_cursor, link);
                vw_list_remove(&c->link);
                c->ring = NULL;
        }
        free(r->buf);
        free(r);
}

size_t vw_ring_capacity(const struct vw_ring *r) { return r->cap; }
enum vw_overflow vw_ring_policy(const struct vw_ring *r) { return r->policy; }
unsigned vw_ring_n_cursors(const struct vw_ring *r) { return r->n_cursors; }
size_t vw_ring_max_chunk(const struct vw_ring *r) { return r->cap - VW_CHUNK_HEADER; }

void vw_ring_get_stats(const struct vw_ring *r, struct vw_ring_stats *ret)
{
        *ret = r->stats;
        ret->used = (size_t)(r->head - r->tail);
}

static void update_tail(struct vw_ring *r)
{
        uint64_t t = r->head;

        vw_list_for_each(i, &r->cursors) {
                struct vw_cursor *c = vw_list_entry(i, struct vw_cursor, link);
                if (c->pos < t)
                        t = c->pos;
        }
        r->tail = t;
}

/* When nothing is held, move everyone to the start of the array so a large record fits. */
static void realign_if_empty(struct vw_ring *r)
{
        uint64_t p;

        if (r->head != r->tail || (r->head & (r->cap - 1)) == 0)
                return;
        p = (r->head + r->cap) & ~((uint64_t)r->cap - 1);
        vw_list_for_each(i, &r->cursors)
                vw_list_entry(i, struct vw_cursor, link)->pos = p;
        r->head = r->tail = p;
}

/* Bytes needed to append a record of `size` now: the record, plus the pad if it must wrap. */
static size_t space_needed(const struct vw_ring *r, size_t size)
{
        size_t till_end = r->cap - (size_t)(r->head & (r->cap - 1));

        return size <= till_end ? size : size + till_end;
}

size_t vw_ring_room(const struct vw_ring *r)
{
        size_t used = (size_t)(r->head - r->tail), free_ = r->cap - used, till_end, best;

        if (r->n_cursors == 0 || used == 0)
                return vw_ring_max_chunk(r);
        till_end = r->cap - (size_t)(r->head & (r->cap - 1));
        best = free_ <= till_end ? free_ : MAX(till_end, free_ - till_end);
        return best > VW_CHUNK_HEADER ? best - VW_CHUNK_HEADER : 0;
}

/* Advance a cursor past its current record, counting what it had not read as dropped. */
static void cursor_skip_record(struct vw_cursor *c, bool count_drop)
{
        struct vw_ring *r = c->ring;
        struct record *h = rec_at(r, c->pos);

        if (h->type != VW_CHUNK_PAD) {
                uint32_t rest = h->len - c->off;
                c->taken += rest;
                if (count_drop) {
                        c->dropped += rest;
                        r->stats.bytes_dropped += rest;
                        r->stats.chunks_dropped++;
                }
        }
        c->pos += rec_size(h->len);
        c->off = 0;
}

/* drop-old: discard the oldest record of every cursor that holds the tail. */
static void drop_oldest(struct vw_ring *r)
{
        uint64_t t = r->tail;

        vw_list_for_each(i, &r->cursors) {
                struct vw_cursor *c = vw_list_entry(i, struct vw_cursor, link);
                if (c->pos == t)
                        cursor_skip_record(c, true);
        }
        update_tail(r);
}

int vw_ring_writev(struct vw_ring *r, enum vw_chunk_type type, uint16_t flags,
                   const struct iovec *iov, unsigned n_iov)
{
        size_t len = 0, size;
        struct record *h;
        uint8_t *p;

        for (unsigned i = 0; i < n_iov; i++)
                len += iov[i].iov_len;
        if (type == VW_CHUNK_PAD || (unsigned)type >= _VW_CHUNK_TYPE_MAX)
                return -EINVAL;
        if (len > vw_ring_max_chunk(r))
                return -EMSGSIZE;
        if (r->n_cursors == 0)
                return 0;

        size = rec_size((uint32_t)len);
        realign_if_empty(r);
        while (space_needed(r, size) > r->cap - (size_t)(r->head - r->tail)) {
                switch (r->policy) {
                case VW_OVERFLOW_BLOCK:
                        r->stats.blocked++;
                        return -EAGAIN;
                case VW_OVERFLOW_DROP_NEW:
                        r->stats.bytes_dropped += len;
                        r->stats.chunks_dropped++;
                        return -ENOBUFS;
                default:
                        drop_oldest(r);
                        realign_if_empty(r);
                }
        }

        if (size > r->cap - (size_t)(r->head & (r->cap - 1))) {
                size_t pad = r->cap - (size_t)(r->head & (r->cap - 1));
                h = rec_at(r, r->head);
                *h = (struct record){ .len = (uint32_t)(pad - VW_CHUNK_HEADER), .type = VW_CHUNK_PAD };
                r->head += pad;
        }
        h = rec_at(r, r->head);
        *h = (struct record){ .len = (uint32_t)len, .type = (uint16_t)type, .flags = flags };
        p = (uint8_t *)(h + 1);
        for (unsigned i = 0; i < n_iov; i++) {
                if (iov[i].iov_len)
                        memcpy(p, iov[i].iov_base, iov[i].iov_len);
                p += iov[i].iov_len;
        }
        r->head += size;
        r->payload_total += len;
        r->stats.bytes_in += len;
        r->stats.chunks_in++;
        if (r->head - r->tail > r->stats.high_water)
                r->stats.high_water = (size_t)(r->head - r->tail);
        return 0;
}

void vw_ring_count_blocked(struct vw_ring *r)
{
        r->stats.blocked++;
}

int vw_ring_write(struct vw_ring *r, enum vw_chunk_type type, uint16_t flags, const void *data, size_t len)
{
        struct iovec iov = { .iov_base = (void *)data, .iov_len = len };

        return vw_ring_writev(r, type, flags, &iov, 1);
}

int vw_cursor_new(struct vw_ring *r, void *owner, struct vw_cursor **ret)
{
        struct vw_cursor *c = calloc(1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        c->ring = r;
        c->owner = owner;
        c->pos = r->head;
        c->base = r->payload_total;
        vw_list_insert_tail(&r->cursors, &c->link);
        r->n_cursors++;
        update_tail(r);
        *ret = c;
        return 0;
}

void vw_cursor_free(struct vw_cursor *c)
{
        if (!c)
                return;
        if (c->ring) {
                vw_list_remove(&c->link);
                c->ring->n_cursors--;
                update_tail(c->ring);
        }
        free(c);
}

void *vw_cursor_owner(const struct vw_cursor *c) { return c->owner; }
struct vw_ring *vw_cursor_ring(const struct vw_cursor *c) { return c->ring; }
uint64_t vw_cursor_dropped(const struct vw_cursor *c) { return c->dropped; }

bool vw_cursor_peek(struct vw_cursor *c, struct vw_chunk *ret)
{
        struct vw_ring *r = c->ring;

        if (!r)
                return false;
        while (c->pos != r->head) {
                struct record *h = rec_at(r, c->pos);

                if (h->type == VW_CHUNK_PAD) {
                        cursor_skip_record(c, false);
                        continue;
                }
                *ret = (struct vw_chunk){
                        .type = h->type,
                        .flags = h->flags,
                        .len = h->len - c->off,
                        .data = (const uint8_t *)(h + 1) + c->off,
                };
                return true;
        }
        return false;
}

bool vw_cursor_consume(struct vw_cursor *c, size_t n)
{
        struct vw_ring *r = c->ring;
        uint64_t old_tail;
        struct record *h;

        if (!r || c->pos == r->head)
                return false;
        old_tail = r->tail;
        h = rec_at(r, c->pos);
        n = MIN(n, (size_t)(h->len - c->off));
        c->off += (uint32_t)n;
        c->taken += n;
        r->stats.bytes_out += n;
        if (c->off >= h->len) {
                r->stats.chunks_out++;
                c->pos += rec_size(h->len);
                c->off = 0;
        }
        if (c->off != 0)
                return false;   /* mid-record: nothing freed */
        update_tail(r);
        return r->tail != old_tail;
}

bool vw_cursor_skip_all(struct vw_cursor *c)
{
        struct vw_ring *r = c->ring;
        uint64_t old_tail;

        if (!r)
                return false;
        old_tail = r->tail;
        while (c->pos != r->head)
                cursor_skip_record(c, true);
        update_tail(r);
        return r->tail != old_tail;
}

size_t vw_cursor_pending(const struct vw_cursor *c)
{
        if (!c->ring)
                return 0;
        return (size_t)(c->ring->payload_total - c->base - c->taken);
}

bool vw_cursor_has_data(const struct vw_cursor *c)
{
        return c->ring && vw_cursor_pending(c) > 0;
}
