/* SPDX-License-Identifier: MIT */
/* Unit tests for core/ring.c: the bounded chunk ring with many cursors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "ring.h"
#include "test-common.h"

static size_t rec_size(size_t len)
{
        return (len + VW_CHUNK_HEADER + 7) & ~(size_t)7;
}

static struct vw_ring *ring_new(size_t cap, enum vw_overflow policy)
{
        struct vw_ring *r = NULL;

        ck_assert_int_eq(vw_ring_new(cap, policy, &r), 0);
        ck_assert_ptr_nonnull(r);
        return r;
}

static struct vw_cursor *cursor_new(struct vw_ring *r)
{
        struct vw_cursor *c = NULL;

        ck_assert_int_eq(vw_cursor_new(r, r, &c), 0);
        ck_assert_ptr_nonnull(c);
        return c;
}

static struct vw_ring_stats stats(const struct vw_ring *r)
{
        struct vw_ring_stats st;

        vw_ring_get_stats(r, &st);
        return st;
}

/* Chunk number `seq` of a test sequence: `len` bytes whose first one names the chunk. */
static void fill_chunk(uint8_t *buf, size_t len, uint32_t seq)
{
        for (size_t i = 0; i < len; i++)
                buf[i] = vw_test_pattern((uint64_t)seq * 7919 + i);
}

static void check_chunk(const struct vw_chunk *c, size_t len, uint32_t seq)
{
        ck_assert_uint_eq(c->len, len);
        for (size_t i = 0; i < len; i++)
                ck_assert_msg(c->data[i] == vw_test_pattern((uint64_t)seq * 7919 + i),
                              "chunk %u: byte %zu differs", seq, i);
}

static int write_seq(struct vw_ring *r, size_t len, uint32_t seq)
{
        uint8_t buf[4096];

        ck_assert_uint_le(len, sizeof(buf));
        fill_chunk(buf, len, seq);
        return vw_ring_write(r, VW_CHUNK_DATAGRAM, (uint16_t)seq, buf, len);
}

/* Read one whole chunk and check it is chunk `seq` of `len` bytes. */
static void read_seq(struct vw_cursor *c, size_t len, uint32_t seq)
{
        struct vw_chunk ch;

        ck_assert_msg(vw_cursor_peek(c, &ch), "chunk %u missing", seq);
        ck_assert_uint_eq(ch.flags, (uint16_t)seq);
        check_chunk(&ch, len, seq);
        vw_cursor_consume(c, ch.len);
}

START_TEST(test_names)
{
        for (int o = 0; o < _VW_OVERFLOW_MAX; o++) {
                const char *s = vw_overflow_to_string(o);

                ck_assert_ptr_nonnull(s);
                ck_assert_int_eq(vw_overflow_from_string(s), o);
        }
        ck_assert_str_eq(vw_overflow_to_string(VW_OVERFLOW_DROP_OLD), "drop-old");
        ck_assert_int_eq(vw_overflow_from_string("Drop-New"), VW_OVERFLOW_DROP_NEW);
        ck_assert_int_eq(vw_overflow_from_string("dropold"), -EINVAL);
        ck_assert_int_eq(vw_overflow_from_string(""), -EINVAL);
        ck_assert_ptr_null(vw_overflow_to_string(_VW_OVERFLOW_MAX));
        ck_assert_str_eq(vw_chunk_type_to_string(VW_CHUNK_BYTES), "bytes");
        ck_assert_str_eq(vw_chunk_type_to_string(VW_CHUNK_EVENTS), "events");
        ck_assert_str_eq(vw_chunk_type_to_string(_VW_CHUNK_TYPE_MAX), "unknown");
}
END_TEST

START_TEST(test_capacity)
{
        static const struct {
                size_t requested, expected;
        } table[] = {
                { 0, VW_RING_MIN_CAPACITY },
                { 1, VW_RING_MIN_CAPACITY },
                { 255, 256 },
                { 256, 256 },
                { 257, 512 },
                { 1000, 1024 },
                { 4096, 4096 },
                { 4097, 8192 },
                { (1u << 20) + 1, 2u << 20 },
                { VW_RING_MAX_CAPACITY - 1, VW_RING_MAX_CAPACITY },
                { VW_RING_MAX_CAPACITY, VW_RING_MAX_CAPACITY },
        };
        struct vw_ring *r = (struct vw_ring *)&r;

        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
                struct vw_ring *x = ring_new(table[i].requested, VW_OVERFLOW_BLOCK);

                ck_assert_uint_eq(vw_ring_capacity(x), table[i].expected);
                ck_assert_uint_eq(stats(x).capacity, table[i].expected);
                ck_assert_uint_eq(vw_ring_max_chunk(x), table[i].expected - VW_CHUNK_HEADER);
                ck_assert_uint_eq(vw_ring_room(x), vw_ring_max_chunk(x));
                ck_assert_uint_eq(vw_ring_n_cursors(x), 0);
                ck_assert_int_eq(vw_ring_policy(x), VW_OVERFLOW_BLOCK);
                vw_ring_free(x);
        }

        /* Out of range: refused, *ret untouched. */
        ck_assert_int_eq(vw_ring_new(VW_RING_MAX_CAPACITY + 1, VW_OVERFLOW_BLOCK, &r), -EINVAL);
        ck_assert_int_eq(vw_ring_new(256, _VW_OVERFLOW_MAX, &r), -EINVAL);
        ck_assert_ptr_eq(r, (struct vw_ring *)&r);
        vw_ring_free(NULL);
        vw_cursor_free(NULL);
}
END_TEST

START_TEST(test_single_chunk)
{
        struct vw_ring *r = ring_new(256, VW_OVERFLOW_BLOCK);
        struct vw_cursor *c = cursor_new(r);
        struct vw_chunk ch, again;
        struct vw_ring_stats st;

        ck_assert_ptr_eq(vw_cursor_ring(c), r);
        ck_assert_ptr_eq(vw_cursor_owner(c), r);
        ck_assert_uint_eq(vw_ring_n_cursors(r), 1);
        ck_assert(!vw_cursor_peek(c, &ch));
        ck_assert(!vw_cursor_has_data(c));

        ck_assert_int_eq(vw_ring_write(r, VW_CHUNK_DATAGRAM, 0xbeef, "hello", 5), 0);
        ck_assert(vw_cursor_has_data(c));
        ck_assert_uint_eq(vw_cursor_pending(c), 5);
        ck_assert(vw_cursor_peek(c, &ch));
        ck_assert_uint_eq(ch.type, VW_CHUNK_DATAGRAM);
        ck_assert_uint_eq(ch.flags, 0xbeef);
        ck_assert_uint_eq(ch.len, 5);
        ck_assert_mem_eq(ch.data, "hello", 5);

        /* Peeking does not move the cursor. */
        ck_assert(vw_cursor_peek(c, &again));
        ck_assert_ptr_eq(again.data, ch.data);
        ck_assert_uint_eq(vw_cursor_pending(c), 5);

        st = stats(r);
        ck_assert_uint_eq(st.bytes_in, 5);
        ck_assert_uint_eq(st.chunks_in, 1);
        ck_assert_uint_eq(st.used, rec_size(5));

        /* The only cursor passed it: room was freed. */
        ck_assert(vw_cursor_consume(c, 5));
        ck_assert(!vw_cursor_peek(c, &ch));
        ck_assert_uint_eq(vw_cursor_pending(c), 0);
        ck_assert(!vw_cursor_consume(c, 5));    /* nothing left: a no-op */

        st = stats(r);
        ck_assert_uint_eq(st.bytes_out, 5);
        ck_assert_uint_eq(st.chunks_out, 1);
        ck_assert_uint_eq(st.used, 0);
        ck_assert_uint_eq(st.bytes_dropped + st.chunks_dropped + st.blocked, 0);

        vw_cursor_free(c);
        ck_assert_uint_eq(vw_ring_n_cursors(r), 0);
        vw_ring_free(r);
}
END_TEST

START_TEST(test_partial_consume)
{
        struct vw_ring *r = ring_new(256, VW_OVERFLOW_BLOCK);
        struct vw_cursor *c = cursor_new(r);
        static const char text[] = "abcdefghijklmnopqrstuvwxyz";
        static const size_t steps[] = { 1, 3, 0, 7, 5, 10 };    /* sums to 26 */
        struct vw_chunk ch;
        size_t done = 0;

        ck_assert_int_eq(vw_ring_write(r, VW_CHUNK_BYTES, 0, text, 26), 0);
        ck_assert_int_eq(vw_ring_write(r, VW_CHUNK_BYTES, 0, "XY", 2), 0);
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
                bool last = done + steps[i] == 26;

                ck_assert(vw_cursor_peek(c, &ch));
                ck_assert_uint_eq(ch.type, VW_CHUNK_BYTES);
                ck_assert_uint_eq(ch.len, 26 - done);
                ck_assert_mem_eq(ch.data, text + done, 26 - done);
                ck_assert_uint_eq(vw_cursor_pending(c), 26 - done + 2);
                /* Room is freed only when the whole record was passed. */
                ck_assert_int_eq(vw_cursor_consume(c, steps[i]), last);
                done += steps[i];
                ck_assert_uint_eq(stats(r).bytes_out, done);
                ck_assert_uint_eq(stats(r).chunks_out, last ? 1 : 0);
        }

        /* The chunk after it is intact; consuming more than is left stops at its end. */
        ck_assert(vw_cursor_peek(c, &ch));
        ck_assert_uint_eq(ch.len, 2);
        ck_assert_mem_eq(ch.data, "XY", 2);
        ck_assert(vw_cursor_consume(c, 1000));
        ck_assert_uint_eq(stats(r).bytes_out, 28);
        ck_assert_uint_eq(stats(r).chunks_out, 2);
        ck_assert(!vw_cursor_peek(c, &ch));

        vw_cursor_free(c);
        vw_ring_free(r);
}
END_TEST

/* Chunk sizes for the long runs: mostly small, some near the largest the ring takes. */
static size_t chunk_len(uint64_t *rng, size_t max)
{
        switch (vw_test_rand(rng) % 4) {
        case 0:
                return vw_test_range(rng, max / 2, max);
        default:
                return vw_test_range(rng, 1, 64);
        }
}

START_TEST(test_wraparound)
{
        static const size_t caps[] = { 256, 1024, 4096 };

        for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
                struct vw_ring *r = ring_new(caps[k], VW_OVERFLOW_BLOCK);
                struct vw_cursor *c = cursor_new(r);
                size_t lens[4096], max = vw_ring_max_chunk(r) / 3;
                uint32_t wseq = 0, rseq = 0;
                uint64_t rng = caps[k], total = 0;
                uint16_t types = 0;

                while (total < 12 * (uint64_t)caps[k] || rseq < wseq) {
                        /* Write a burst while it fits, then read a burst. */
                        size_t burst = vw_test_range(&rng, 1, 6);

                        for (size_t i = 0; i < burst && total < 12 * (uint64_t)caps[k]; i++) {
                                size_t len = chunk_len(&rng, max);
                                enum vw_chunk_type type = VW_CHUNK_BYTES + wseq % 3;
                                uint8_t buf[4096];

                                if (len > vw_ring_room(r))
                                        break;
                                fill_chunk(buf, len, wseq);
                                ck_assert_int_eq(vw_ring_write(r, type, (uint16_t)wseq, buf, len), 0);
                                lens[wseq++ % 4096] = len;
                                total += len;
                        }
                        burst = vw_test_range(&rng, 1, 6);
                        for (size_t i = 0; i < burst && rseq < wseq; i++, rseq++) {
                                struct vw_chunk ch;

                                ck_assert(vw_cursor_peek(c, &ch));
                                ck_assert_uint_eq(ch.type, VW_CHUNK_BYTES + rseq % 3);
                                ck_assert_uint_eq(ch.flags, (uint16_t)rseq);
                                check_chunk(&ch, lens[rseq % 4096], rseq);
                                types |= 1u << ch.type;
                                vw_cursor_consume(c, ch.len);
                        }
                }

                ck_assert(!vw_cursor_has_data(c));
                ck_assert_uint_eq(stats(r).bytes_in, total);
                ck_assert_uint_eq(stats(r).bytes_out, total);
                ck_assert_uint_eq(stats(r).chunks_out, wseq);
                ck_assert_uint_eq(stats(r).used, 0);
                ck_assert_uint_eq(types, 0xe);
                vw_cursor_free(c);
                vw_ring_free(r);
        }
}
END_TEST

START_TEST(test_pad_invisible)
{
        struct vw_ring *r = ring_new(256, VW_OVERFLOW_BLOCK);
        struct vw_cursor *c = cursor_new(r);
        struct vw_chunk ch;

        /* A (208 bytes with header) and B (24) leave 24 bytes before the end of the array. */
        ck_assert_int_eq(write_seq(r, 200, 1), 0);
        ck_assert_int_eq(write_seq(r, 16, 2), 0);
        read_seq(c, 200, 1);
        /* C (48) does not fit in the tail: it must go to the start, behind a pad. */
        ck_assert_int_eq(write_seq(r, 40, 3), 0);
        ck_assert_uint_eq(stats(r).used, 24 + 24 + 48);
        ck_assert_uint_eq(vw_cursor_pending(c), 16 + 40);

        read_seq(c, 16, 2);
        ck_assert(vw_cursor_peek(c, &ch));
        ck_assert_uint_ne(ch.type, VW_CHUNK_PAD);
        read_seq(c, 40, 3);
        ck_assert(!vw_cursor_peek(c, &ch));

        ck_assert_uint_eq(stats(r).chunks_in, 3);
        ck_assert_uint_eq(stats(r).chunks_out, 3);
        ck_assert_uint_eq(stats(r).bytes_out, 256);
        ck_assert_uint_eq(stats(r).used, 0);
        ck_assert_uint_eq(stats(r).bytes_dropped + stats(r).chunks_dropped, 0);

        /* Writing the pad type directly is refused. */
        ck_assert_int_eq(vw_ring_write(r, VW_CHUNK_PAD, 0, "x", 1), -EINVAL);
        ck_assert_int_eq(vw_ring_write(r, _VW_CHUNK_TYPE_MAX, 0, "x", 1), -EINVAL);
        ck_assert(!vw_cursor_peek(c, &ch));

        vw_cursor_free(c);
        vw_ring_free(r);
}
END_TEST

START_TEST(test_max_chunk)
{
        static const size_t caps[] = { 256, 512, 4096, 65536 };

        for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
                for (int policy = 0; policy < _VW_OVERFLOW_MAX; policy++) {
                        struct vw_ring *r = ring_new(caps[k], policy);
                        struct vw_cursor *c = cursor_new(r);
                        size_t max = vw_ring_max_chunk(r);
                        uint8_t *buf = malloc(max + 1);
                        struct iovec iov[3];
                        struct vw_chunk ch;

                        ck_assert_ptr_nonnull(buf);
                        ck_assert_uint_eq(max, caps[k] - VW_CHUNK_HEADER);
                        for (size_t i = 0; i <= max; i++)
                                buf[i] = vw_test_pattern(i);

                        ck_assert_int_eq(vw_ring_write(r, VW_CHUNK_BYTES, 0, buf, max + 1), -EMSGSIZE);
                        ck_assert_uint_eq(stats(r).chunks_in + stats(r).chunks_dropped, 0);

                        /* Move the head off the start: an empty ring still takes a full-size chunk. */
                        ck_assert_int_eq(vw_ring_write(r, VW_CHUNK_BYTES, 0, buf, 13), 0);
                        vw_cursor_consume(c, 13);
                        iov[0] = (struct iovec){ .iov_base = buf, .iov_len = 1 };
                        iov[1] = (struct iovec){ .iov_base = buf + 1, .iov_len = 0 };
                        iov[2] = (struct iovec){ .iov_base = buf + 1, .iov_len = max - 1 };
                        ck_assert_int_eq(vw_ring_writev(r, VW_CHUNK_EVENTS, 7, iov, 3), 0);
                        ck_assert_uint_eq(stats(r).used, caps[k]);
                        ck_assert_uint_eq(vw_ring_room(r), 0);
                        ck_assert(vw_cursor_peek(c, &ch));
                        ck_assert_uint_eq(ch.type, VW_CHUNK_EVENTS);
                        ck_assert_uint_eq(ch.len, max);
                        ck_assert_mem_eq(ch.data, buf, max);
                        ck_assert(vw_cursor_consume(c, ch.len));

                        /* Too big stays too big with no cursor at all. */
                        vw_cursor_free(c);
                        ck_assert_int_eq(vw_ring_write(r, VW_CHUNK_BYTES, 0, buf, max + 1), -EMSGSIZE);
                        free(buf);
                        vw_ring_free(r);
                }
        }
}
END_TEST

START_TEST(test_room_exact)
{
        struct vw_ring *r = ring_new(1024, VW_OVERFLOW_BLOCK);
        struct vw_cursor *c = cursor_new(r);
        uint64_t rng = 42, refused = 0;
        uint32_t wseq = 0, rseq = 0;
        size_t lens[1024];

        for (int step = 0; step < 3000; step++) {
                size_t room = vw_ring_room(r);
                int ret;

                /* One byte more than room() is refused and changes nothing... */
                if (room < vw_ring_max_chunk(r)) {
                        size_t used = stats(r).used;

                        ck_assert_int_eq(write_seq(r, room + 1, 0xffff), -EAGAIN);
                        refused++;
                        ck_assert_uint_eq(stats(r).blocked, refused);
                        ck_assert_uint_eq(stats(r).used, used);
                        ck_assert_uint_eq(vw_ring_room(r), room);
                } else {
                        ck_assert_int_eq(write_seq(r, room + 1, 0xffff), -EMSGSIZE);
                }

                /* ...and exactly room() is accepted (sometimes), else a random chunk that fits. */
                if (room > 0) {
                        size_t len = vw_test_rand(&rng) % 4 == 0 ? room : vw_test_range(&rng, 1, MIN(room, 300));

                        ret = write_seq(r, len, wseq);
                        ck_assert_int_eq(ret, 0);
                        lens[wseq++ % 1024] = len;
                }

                /* Read a few, so the head and tail wander all around the array. */
                for (size_t n = vw_test_range(&rng, 0, 3); n > 0 && rseq < wseq; n--, rseq++)
                        read_seq(c, lens[rseq % 1024], rseq);
        }
        ck_assert_uint_gt(stats(r).bytes_in, 20 * 1024);
        ck_assert_uint_eq(stats(r).chunks_dropped, 0);

        vw_cursor_free(c);
        vw_ring_free(r);
}
END_TEST

START_TEST(test_block_stream)
{
        /* A writer retrying after -EAGAIN and a reader taking random bites: the stream arrives whole. */
        static const size_t caps[] = { 256, 1024, 8192 };

        for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
                struct vw_ring *r = ring_new(caps[k], VW_OVERFLOW_BLOCK);
                struct vw_cursor *c = cursor_new(r);
                const uint64_t total = 64 * (uint64_t)caps[k];
                uint64_t rng = 7 + k, sent = 0, received = 0, h_in = VW_TEST_FNV_INIT, h_out = VW_TEST_FNV_INIT;
                uint64_t eagain = 0;
                uint8_t buf[8192];
                size_t pending = 0; /* size of the chunk the writer is retrying, 0: none */

                while (received < total) {
                        if (sent < total) {
                                if (pending == 0) {
                                        pending = chunk_len(&rng, vw_ring_max_chunk(r));
                                        pending = MIN(pending, total - sent);
                                        for (size_t i = 0; i < pending; i++)
                                                buf[i] = vw_test_pattern(sent + i);
                                }
                                int ret = vw_ring_write(r, VW_CHUNK_BYTES, 0, buf, pending);
                                if (ret == -EAGAIN) {
                                        eagain++;
                                } else {
                                        ck_assert_int_eq(ret, 0);
                                        h_in = vw_test_fnv(h_in, buf, pending);
                                        sent += pending;
                                        pending = 0;
                                }
                        }
                        if (vw_test_rand(&rng) % 3 == 0 || sent == total) {
                                struct vw_chunk ch;

                                for (size_t n = vw_test_range(&rng, 1, 8); n > 0 && vw_cursor_peek(c, &ch); n--) {
                                        size_t bite = vw_test_range(&rng, 1, ch.len);

                                        h_out = vw_test_fnv(h_out, ch.data, bite);
                                        received += bite;
                                        vw_cursor_consume(c, bite);
                                }
                        }
                }
                ck_assert_uint_eq(h_in, h_out);
                ck_assert_uint_eq(stats(r).bytes_in, total);
                ck_assert_uint_eq(stats(r).bytes_out, total);
                ck_assert_uint_eq(stats(r).bytes_dropped + stats(r).chunks_dropped, 0);
                ck_assert_uint_gt(eagain, 0);   /* the writer was really held back */
                ck_assert_uint_eq(stats(r).blocked, eagain);
                ck_assert(!vw_cursor_has_data(c));
                vw_cursor_free(c);
                vw_ring_free(r);
        }
}
END_TEST

START_TEST(test_drop_new)
{
        /* capacity, chunk payload: the ring holds capacity / record size chunks, the rest is refused. */
        static const struct {
                size_t cap, len;
        } table[] = {
                { 256, 56 }, { 256, 57 }, { 256, 1 }, { 512, 100 }, { 1024, 1016 }, { 4096, 333 },
        };

        for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++) {
                struct vw_ring *r = ring_new(table[k].cap, VW_OVERFLOW_DROP_NEW);
                struct vw_cursor *c = cursor_new(r);
                size_t fits = table[k].cap / rec_size(table[k].len), n = fits + 5;
                struct vw_ring_stats st;
                struct vw_chunk ch;

                for (uint32_t i = 0; i < n; i++)
                        ck_assert_int_eq(write_seq(r, table[k].len, i), i < fits ? 0 : -ENOBUFS);
                st = stats(r);
                ck_assert_uint_eq(st.chunks_in, fits);
                ck_assert_uint_eq(st.bytes_in, fits * table[k].len);
                ck_assert_uint_eq(st.chunks_dropped, 5);
                ck_assert_uint_eq(st.bytes_dropped, 5 * table[k].len);
                ck_assert_uint_eq(st.blocked, 0);
                ck_assert_uint_eq(vw_cursor_dropped(c), 0);

                /* The oldest are kept, in order; the refused ones never show up. */
                for (uint32_t i = 0; i < fits; i++)
                        read_seq(c, table[k].len, i);
                ck_assert(!vw_cursor_peek(c, &ch));

                /* With room again, writes are accepted again. */
                ck_assert_int_eq(write_seq(r, table[k].len, 99), 0);
                read_seq(c, table[k].len, 99);
                vw_cursor_free(c);
                vw_ring_free(r);
        }
}
END_TEST

START_TEST(test_drop_old)
{
        static const struct {
                size_t cap, len, n, consumed; /* consumed: bytes of the oldest chunk read before the overflow */
        } table[] = {
                { 256, 56, 10, 0 }, { 256, 56, 10, 20 }, { 256, 60, 9, 0 }, { 1024, 100, 50, 99 }, { 512, 300, 5, 0 },
        };

        for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++) {
                struct vw_ring *r = ring_new(table[k].cap, VW_OVERFLOW_DROP_OLD);
                struct vw_cursor *c = cursor_new(r), *fast = cursor_new(r);
                size_t len = table[k].len, n = table[k].n, lost;
                struct vw_ring_stats st;
                struct vw_chunk ch;
                uint32_t first;

                /* `fast` always keeps up; `c` reads a bit of the first chunk and then stalls. */
                for (uint32_t i = 0; i < n; i++) {
                        ck_assert_int_eq(write_seq(r, len, i), 0);
                        if (i == 0 && table[k].consumed > 0) {
                                ck_assert(vw_cursor_peek(c, &ch));
                                vw_cursor_consume(c, table[k].consumed);
                        }
                        read_seq(fast, len, i);
                }

                /* The newest are kept: as many as fit (a pad may cost one slot), up to the last one written. */
                st = stats(r);
                ck_assert(vw_cursor_peek(c, &ch));
                first = ch.flags;
                ck_assert_uint_gt(first, 0);
                ck_assert_uint_le(n - first, table[k].cap / rec_size(len));
                ck_assert_uint_ge(n - first + 1, table[k].cap / rec_size(len));
                lost = first * len - table[k].consumed;
                ck_assert_uint_eq(st.chunks_in, n);
                ck_assert_uint_eq(st.bytes_in, n * len);
                ck_assert_uint_eq(st.chunks_dropped, first);
                ck_assert_uint_eq(st.bytes_dropped, lost);
                ck_assert_uint_eq(vw_cursor_dropped(c), lost);
                ck_assert_uint_eq(vw_cursor_dropped(fast), 0);
                ck_assert_uint_eq(vw_cursor_pending(c), (n - first) * len);
                for (uint32_t i = first; i < n; i++)
                        read_seq(c, len, i);
                ck_assert(!vw_cursor_peek(c, &ch));
                ck_assert_uint_eq(stats(r).used, 0);
                /* Conservation: what went in was either read by `c` or lost by it. */
                ck_assert_uint_eq(stats(r).bytes_out - n * len, (n - first) * len + table[k].consumed);

                vw_cursor_free(c);
                vw_cursor_free(fast);
                vw_ring_free(r);
        }
}
END_TEST

START_TEST(test_fanout_zero_copy)
{
        struct vw_ring *r = ring_new(512, VW_OVERFLOW_BLOCK);
        struct vw_cursor *c[3];
        const uint8_t *seen[16][3];
        uint32_t n = 0;
        struct vw_chunk ch;

        for (int i = 0; i < 3; i++)
                c[i] = cursor_new(r);
        ck_assert_uint_eq(vw_ring_n_cursors(r), 3);

        /* Fill until the ring refuses. */
        while (write_seq(r, 40, n) == 0)
                n++;
        ck_assert_uint_eq(n, 512 / rec_size(40));

        /* Cursors 0 and 1 read everything; each chunk is the very same bytes for both. */
        for (uint32_t i = 0; i < n; i++)
                for (int k = 0; k < 2; k++) {
                        ck_assert(vw_cursor_peek(c[k], &ch));
                        check_chunk(&ch, 40, i);
                        seen[i][k] = ch.data;
                        /* Not the slowest: nothing is freed. */
                        ck_assert(!vw_cursor_consume(c[k], ch.len));
                }
        for (uint32_t i = 0; i < n; i++)
                ck_assert_ptr_eq(seen[i][0], seen[i][1]);
        ck_assert_uint_lt(vw_ring_room(r), 40);
        ck_assert_int_eq(write_seq(r, 40, 100), -EAGAIN);

        /* The slowest one frees room chunk by chunk: after its first step, the refused write fits. */
        for (uint32_t i = 0; i < n; i++) {
                size_t used = stats(r).used;

                ck_assert(vw_cursor_peek(c[2], &ch));
                ck_assert_ptr_eq(ch.data, seen[i][0]);
                check_chunk(&ch, 40, i);
                ck_assert(vw_cursor_consume(c[2], ch.len));
                ck_assert_uint_eq(stats(r).used, used - rec_size(40));
                if (i == 0)
                        ck_assert_int_eq(write_seq(r, 40, 100), 0);
        }
        ck_assert_uint_eq(stats(r).bytes_out, 3 * 40 * n);
        ck_assert_uint_eq(stats(r).chunks_out, 3 * n);
        for (int k = 0; k < 3; k++) {
                read_seq(c[k], 40, 100);
                ck_assert(!vw_cursor_has_data(c[k]));
        }

        /* Freeing the slowest cursor frees its share too. */
        ck_assert_int_eq(write_seq(r, 200, 101), 0);
        read_seq(c[0], 200, 101);
        read_seq(c[1], 200, 101);
        ck_assert_uint_eq(stats(r).used, rec_size(200));
        vw_cursor_free(c[2]);
        ck_assert_uint_eq(stats(r).used, 0);
        ck_assert_uint_eq(vw_ring_n_cursors(r), 2);

        vw_cursor_free(c[0]);
        vw_cursor_free(c[1]);
        vw_ring_free(r);
}
END_TEST

START_TEST(test_late_cursor)
{
        struct vw_ring *r = ring_new(256, VW_OVERFLOW_BLOCK);
        struct vw_cursor *early = cursor_new(r), *late;
        struct vw_chunk ch;

        ck_assert_int_eq(write_seq(r, 30, 1), 0);
        late = cursor_new(r);
        ck_assert(!vw_cursor_peek(late, &ch));
        ck_assert_uint_eq(vw_cursor_pending(late), 0);
        ck_assert(!vw_cursor_has_data(late));
        ck_assert(!vw_cursor_skip_all(late));
        ck_assert_uint_eq(vw_cursor_dropped(late), 0);

        ck_assert_int_eq(write_seq(r, 20, 2), 0);
        ck_assert_uint_eq(vw_cursor_pending(late), 20);
        ck_assert_uint_eq(vw_cursor_pending(early), 50);
        read_seq(late, 20, 2);
        ck_assert(!vw_cursor_peek(late, &ch));
        read_seq(early, 30, 1);
        read_seq(early, 20, 2);
        ck_assert_uint_eq(stats(r).used, 0);

        vw_cursor_free(late);
        vw_cursor_free(early);
        vw_ring_free(r);
}
END_TEST

START_TEST(test_pending)
{
        struct vw_ring *r = ring_new(1024, VW_OVERFLOW_DROP_OLD);
        struct vw_cursor *c = cursor_new(r);
        uint64_t rng = 3, expect = 0;
        struct vw_chunk ch;

        /* Track the unread payload by hand across writes, bites and drop-old losses. */
        for (int step = 0; step < 2000; step++) {
                if (vw_test_rand(&rng) % 2) {
                        size_t len = vw_test_range(&rng, 0, 200);
                        uint64_t lost = vw_cursor_dropped(c);

                        ck_assert_int_eq(write_seq(r, len, (uint32_t)step), 0);
                        expect += len;
                        expect -= vw_cursor_dropped(c) - lost;
                } else if (vw_cursor_peek(c, &ch)) {
                        size_t bite = vw_test_range(&rng, 0, ch.len);

                        vw_cursor_consume(c, bite);
                        expect -= bite;
                }
                ck_assert_uint_eq(vw_cursor_pending(c), expect);
                ck_assert_int_eq(vw_cursor_has_data(c), expect > 0);
        }
        ck_assert_uint_gt(vw_cursor_dropped(c), 0);

        vw_cursor_free(c);
        vw_ring_free(r);
}
END_TEST

START_TEST(test_skip_all)
{
        struct vw_ring *r = ring_new(256, VW_OVERFLOW_BLOCK);
        struct vw_cursor *a = cursor_new(r), *b = cursor_new(r);
        struct vw_ring_stats st;
        struct vw_chunk ch;

        for (uint32_t i = 0; i < 3; i++)
                ck_assert_int_eq(write_seq(r, 50, i), 0);
        ck_assert(vw_cursor_peek(a, &ch));
        vw_cursor_consume(a, 10);

        /* b still holds everything: skipping a frees nothing. */
        ck_assert(!vw_cursor_skip_all(a));
        ck_assert_uint_eq(vw_cursor_pending(a), 0);
        ck_assert(!vw_cursor_peek(a, &ch));
        ck_assert_uint_eq(stats(r).used, 3 * rec_size(50));

        read_seq(b, 50, 0);
        ck_assert(vw_cursor_skip_all(b));
        ck_assert_uint_eq(vw_cursor_pending(b), 0);
        st = stats(r);
        ck_assert_uint_eq(st.used, 0);
        /* Every byte written was either read or discarded, by each cursor. */
        ck_assert_uint_eq(st.bytes_out + st.bytes_dropped, 2 * st.bytes_in);
        ck_assert_uint_eq(st.bytes_out, 10 + 50);

        /* Both see what comes next. */
        ck_assert_int_eq(write_seq(r, 5, 9), 0);
        read_seq(a, 5, 9);
        read_seq(b, 5, 9);
        ck_assert(!vw_cursor_skip_all(a));

        vw_cursor_free(a);
        vw_cursor_free(b);
        vw_ring_free(r);
}
END_TEST

START_TEST(test_high_water)
{
        struct vw_ring *r = ring_new(512, VW_OVERFLOW_BLOCK);
        struct vw_cursor *c = cursor_new(r);

        ck_assert_uint_eq(stats(r).high_water, 0);
        ck_assert_int_eq(write_seq(r, 100, 0), 0);
        ck_assert_int_eq(write_seq(r, 50, 1), 0);
        ck_assert_uint_eq(stats(r).used, rec_size(100) + rec_size(50));
        ck_assert_uint_eq(stats(r).high_water, rec_size(100) + rec_size(50));
        read_seq(c, 100, 0);
        ck_assert_int_eq(write_seq(r, 10, 2), 0);
        ck_assert_uint_eq(stats(r).used, rec_size(50) + rec_size(10));
        ck_assert_uint_eq(stats(r).high_water, rec_size(100) + rec_size(50));
        read_seq(c, 50, 1);
        read_seq(c, 10, 2);
        ck_assert_uint_eq(stats(r).used, 0);
        ck_assert_uint_eq(stats(r).high_water, rec_size(100) + rec_size(50));

        /* Filling it up makes the mark reach the capacity, and it stays there. */
        while (write_seq(r, 24, 3) == 0)
                ;
        ck_assert_uint_eq(stats(r).high_water, 512);
        vw_cursor_skip_all(c);
        ck_assert_uint_eq(stats(r).used, 0);
        ck_assert_uint_eq(stats(r).high_water, 512);

        vw_cursor_free(c);
        vw_ring_free(r);
}
END_TEST

START_TEST(test_no_cursor)
{
        for (int policy = 0; policy < _VW_OVERFLOW_MAX; policy++) {
                struct vw_ring *r = ring_new(256, policy);
                struct vw_cursor *c;
                struct vw_chunk ch;

                /* Far more than fits: accepted, and nothing is kept or counted. */
                for (uint32_t i = 0; i < 100; i++)
                        ck_assert_int_eq(write_seq(r, 200, i), 0);
                ck_assert_uint_eq(stats(r).used, 0);
                ck_assert_uint_eq(stats(r).bytes_in, 0);
                ck_assert_uint_eq(stats(r).bytes_dropped + stats(r).blocked, 0);
                ck_assert_uint_eq(vw_ring_room(r), vw_ring_max_chunk(r));

                c = cursor_new(r);
                ck_assert(!vw_cursor_peek(c, &ch));
                ck_assert_int_eq(write_seq(r, 200, 7), 0);
                read_seq(c, 200, 7);

                /* The last cursor gone, the ring forgets what it held. */
                ck_assert_int_eq(write_seq(r, 200, 8), 0);
                vw_cursor_free(c);
                ck_assert_uint_eq(stats(r).used, 0);
                ck_assert_int_eq(write_seq(r, 200, 9), 0);
                ck_assert_uint_eq(stats(r).used, 0);
                vw_ring_free(r);
        }
}
END_TEST

START_TEST(test_ring_freed_first)
{
        /* A cursor outliving its ring is inert, and still safe to free. */
        struct vw_ring *r = ring_new(256, VW_OVERFLOW_BLOCK);
        struct vw_cursor *c = cursor_new(r);
        struct vw_chunk ch;

        ck_assert_int_eq(write_seq(r, 10, 0), 0);
        vw_ring_free(r);
        ck_assert_ptr_null(vw_cursor_ring(c));
        ck_assert(!vw_cursor_peek(c, &ch));
        ck_assert(!vw_cursor_consume(c, 10));
        ck_assert(!vw_cursor_skip_all(c));
        ck_assert_uint_eq(vw_cursor_pending(c), 0);
        ck_assert(!vw_cursor_has_data(c));
        vw_cursor_free(c);
}
END_TEST

static Suite *ring_suite(void)
{
        Suite *s = suite_create("ring");
        TCase *tc;

        tc = vw_test_case(s, "basics");
        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_capacity);
        tcase_add_test(tc, test_single_chunk);
        tcase_add_test(tc, test_partial_consume);
        tcase_add_test(tc, test_max_chunk);
        tcase_add_test(tc, test_no_cursor);
        tcase_add_test(tc, test_ring_freed_first);

        tc = vw_test_case(s, "layout");
        tcase_add_test(tc, test_wraparound);
        tcase_add_test(tc, test_pad_invisible);
        tcase_add_test(tc, test_room_exact);
        tcase_add_test(tc, test_high_water);

        tc = vw_test_case(s, "overflow");
        tcase_add_test(tc, test_block_stream);
        tcase_add_test(tc, test_drop_new);
        tcase_add_test(tc, test_drop_old);

        tc = vw_test_case(s, "cursors");
        tcase_add_test(tc, test_fanout_zero_copy);
        tcase_add_test(tc, test_late_cursor);
        tcase_add_test(tc, test_pending);
        tcase_add_test(tc, test_skip_all);
        return s;
}

int main(void)
{
        return vw_test_run(ring_suite());
}
