/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Bounded chunk ring with many read cursors: the storage of the buffer core.
 *
 * A writer appends whole chunks (a header and a contiguous payload; a chunk never wraps, a
 * pad record fills the tail instead). Every reader owns a cursor; a byte is freed once every
 * cursor has passed it, so one ring feeds N readers without copies (fan-out), and any number
 * of writers append whole chunks that never interleave (fan-in).
 *
 * Knows no file descriptors, no event loop and no clock.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum vw_chunk_type {
        VW_CHUNK_PAD = 0,       /* internal: fills the tail before a wrap */
        VW_CHUNK_BYTES = 1,     /* a piece of a byte stream; readers may consume it partially */
        VW_CHUNK_DATAGRAM = 2,  /* a message kept whole (datagram sockets) */
        VW_CHUNK_EVENTS = 3,    /* a batch of input events (fixed-width records) */
        VW_CHUNK_LINE = 4,      /* a serial line event in the stream: struct vw_line_event */
        _VW_CHUNK_TYPE_MAX,
};

enum vw_overflow {
        VW_OVERFLOW_BLOCK = 0,  /* writer is refused until there is room: nothing is lost */
        VW_OVERFLOW_DROP_NEW,   /* a chunk that does not fit is discarded */
        VW_OVERFLOW_DROP_OLD,   /* the oldest chunks are discarded to make room */
        _VW_OVERFLOW_MAX,
};

const char *vw_overflow_to_string(enum vw_overflow o);
int vw_overflow_from_string(const char *s);
const char *vw_chunk_type_to_string(enum vw_chunk_type t);

/* A view of (the unread rest of) one chunk. Valid until the cursor moves or the ring is written. */
struct vw_chunk {
        uint16_t type;
        uint16_t flags;
        uint32_t len;
        const uint8_t *data;
};

struct vw_ring_stats {
        uint64_t bytes_in, chunks_in;           /* accepted from writers */
        uint64_t bytes_out, chunks_out;         /* consumed by readers, summed over readers */
        uint64_t bytes_dropped, chunks_dropped; /* refused (drop-new) or discarded (drop-old) */
        uint64_t blocked;                       /* writes refused with -EAGAIN (block) */
        uint64_t convert_dropped;               /* a route's: units its converter dropped (router.h) */
        size_t used;                            /* bytes held now, headers included */
        size_t high_water;                      /* largest "used" ever seen */
        size_t capacity;
};

struct vw_ring;
struct vw_cursor;

#define VW_RING_MIN_CAPACITY 256u
#define VW_RING_MAX_CAPACITY (256u << 20)
#define VW_CHUNK_HEADER 8u

/* capacity is rounded up to a power of two within the limits above. */
int vw_ring_new(size_t capacity, enum vw_overflow policy, struct vw_ring **ret);
void vw_ring_free(struct vw_ring *r);

size_t vw_ring_capacity(const struct vw_ring *r);
enum vw_overflow vw_ring_policy(const struct vw_ring *r);
void vw_ring_get_stats(const struct vw_ring *r, struct vw_ring_stats *ret);
unsigned vw_ring_n_cursors(const struct vw_ring *r);

/* Largest payload a single chunk may ever have in this ring. */
size_t vw_ring_max_chunk(const struct vw_ring *r);
/* Largest payload that can be appended right now without dropping anything. */
size_t vw_ring_room(const struct vw_ring *r);

/*
 * Append one chunk. Returns 0 when stored; -EAGAIN when the policy is block and there is no room
 * (nothing stored, nothing lost: retry once readers made room); -ENOBUFS when the chunk was
 * discarded under drop-new; -EMSGSIZE when len exceeds vw_ring_max_chunk().
 * A ring with no cursor stores nothing and returns 0 (nobody would ever read it).
 */
int vw_ring_write(struct vw_ring *r, enum vw_chunk_type type, uint16_t flags, const void *data, size_t len);
int vw_ring_writev(struct vw_ring *r, enum vw_chunk_type type, uint16_t flags,
                   const struct iovec *iov, unsigned n_iov);

/* Count a write refused before it reached the ring (a writer into several rings checks them all first). */
void vw_ring_count_blocked(struct vw_ring *r);

/* A new cursor starts at the current end: it sees what is written from now on. */
int vw_cursor_new(struct vw_ring *r, void *owner, struct vw_cursor **ret);
void vw_cursor_free(struct vw_cursor *c);
void *vw_cursor_owner(const struct vw_cursor *c);
struct vw_ring *vw_cursor_ring(const struct vw_cursor *c);

/* Fill *ret with the unread rest of the next chunk; false when nothing is pending. */
bool vw_cursor_peek(struct vw_cursor *c, struct vw_chunk *ret);
/*
 * Mark n bytes of the current chunk as read (n <= the len peek returned; a datagram or event
 * chunk should be consumed whole). Returns true when this freed room in the ring, i.e. blocked
 * writers may now go on.
 */
bool vw_cursor_consume(struct vw_cursor *c, size_t n);
/* Skip everything pending. Returns true when it freed room. */
bool vw_cursor_skip_all(struct vw_cursor *c);
/* Payload bytes not yet read by this cursor (approximate: includes the pending chunks' payload only). */
size_t vw_cursor_pending(const struct vw_cursor *c);
bool vw_cursor_has_data(const struct vw_cursor *c);
/* Bytes this cursor lost to drop-old. */
uint64_t vw_cursor_dropped(const struct vw_cursor *c);
