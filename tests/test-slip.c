/* SPDX-License-Identifier: MIT */
/* Unit tests for codecs/slip.c, codecs/lenframe.c and the packet converters (codecs/packet-convert.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lenframe.h"
#include "macro.h"
#include "packet-convert.h"
#include "slip.h"
#include "test-common.h"

struct frames {
        uint8_t data[64][2048];
        size_t len[64];
        unsigned n;
};

static int collect(void *userdata, const uint8_t *frame, size_t len)
{
        struct frames *f = userdata;

        ck_assert_uint_lt(f->n, 64);
        ck_assert_uint_le(len, sizeof(f->data[0]));
        memcpy(f->data[f->n], frame, len);
        f->len[f->n++] = len;
        return 0;
}

START_TEST(test_encode_escapes)
{
        static const uint8_t in[] = { 0x01, VW_SLIP_END, 0x02, VW_SLIP_ESC, 0x03 };
        static const uint8_t want[] = { 0xC0, 0x01, 0xDB, 0xDC, 0x02, 0xDB, 0xDD, 0x03, 0xC0 };
        static const uint8_t want_kiss[] = { 0xC0, 0x00, 0x01, 0xDB, 0xDC, 0x02, 0xDB, 0xDD, 0x03, 0xC0 };
        uint8_t out[32];

        ck_assert_uint_eq(vw_slip_encode(in, sizeof(in), false, out), sizeof(want));
        ck_assert_mem_eq(out, want, sizeof(want));
        ck_assert_uint_eq(vw_slip_encode(in, sizeof(in), true, out), sizeof(want_kiss));
        ck_assert_mem_eq(out, want_kiss, sizeof(want_kiss));
}
END_TEST

/* Random frames, encoded and fed to the decoder in random pieces, come out whole and in order. */
START_TEST(test_round_trip_split)
{
        for (int kiss = 0; kiss <= 1; kiss++) {
                static uint8_t stream[64 * (2 * 1500 + 4)];
                static struct frames want, got;
                struct vw_slip_decoder d;
                uint64_t seed = 42 + (uint64_t)kiss;
                size_t n = 0;

                memset(&want, 0, sizeof(want));
                memset(&got, 0, sizeof(got));
                for (unsigned i = 0; i < 40; i++) {
                        want.len[i] = vw_test_range(&seed, 1, 1500);
                        for (size_t j = 0; j < want.len[i]; j++) /* many ENDs and ESCs */
                                want.data[i][j] = (uint8_t)(vw_test_range(&seed, 0, 3) == 0 ? 0xC0 + (j & 0x1b)
                                                                                             : vw_test_rand(&seed));
                        n += vw_slip_encode(want.data[i], want.len[i], kiss, stream + n);
                        want.n++;
                }
                ck_assert_int_eq(vw_slip_decoder_init(&d, kiss), 0);
                for (size_t off = 0; off < n;) {
                        size_t piece = MIN(n - off, vw_test_range(&seed, 1, 700));

                        ck_assert_int_eq(vw_slip_decode(&d, stream + off, piece, collect, &got), 0);
                        off += piece;
                }
                ck_assert_uint_eq(got.n, want.n);
                for (unsigned i = 0; i < want.n; i++) {
                        ck_assert_uint_eq(got.len[i], want.len[i]);
                        ck_assert_mem_eq(got.data[i], want.data[i], want.len[i]);
                }
                ck_assert_uint_eq(d.frames, want.n);
                ck_assert_uint_eq(d.dropped, 0);
                vw_slip_decoder_done(&d);
        }
}
END_TEST

START_TEST(test_broken_frames_dropped)
{
        /* a bad escape, then a good frame; a KISS command frame, then a KISS data frame */
        static const uint8_t slip[] = { 0xC0, 0x01, 0xDB, 0x41, 0x02, 0xC0, 0x05, 0x06, 0xC0, 0xC0, 0xC0 };
        static const uint8_t kiss[] = { 0xC0, 0x01, 0x32, 0xC0, 0x00, 0x07, 0xC0, 0xC0, 0x10, 0x08, 0xC0 };
        static struct frames got;
        struct vw_slip_decoder d;

        memset(&got, 0, sizeof(got));
        ck_assert_int_eq(vw_slip_decoder_init(&d, false), 0);
        ck_assert_int_eq(vw_slip_decode(&d, slip, sizeof(slip), collect, &got), -EILSEQ);
        ck_assert_uint_eq(got.n, 1);
        ck_assert_uint_eq(got.len[0], 2);
        ck_assert_uint_eq(got.data[0][0], 0x05);
        ck_assert_uint_eq(d.dropped, 1);
        vw_slip_decoder_done(&d);

        memset(&got, 0, sizeof(got));
        ck_assert_int_eq(vw_slip_decoder_init(&d, true), 0);
        /* TXDELAY (0x01) and a frame for port 1 (0x10) are not passed on */
        ck_assert_int_eq(vw_slip_decode(&d, kiss, sizeof(kiss), collect, &got), -EILSEQ);
        ck_assert_uint_eq(got.n, 1);
        ck_assert_uint_eq(got.len[0], 1);
        ck_assert_uint_eq(got.data[0][0], 0x07);
        ck_assert_uint_eq(d.dropped, 2);
        vw_slip_decoder_done(&d);
}
END_TEST

START_TEST(test_too_long_dropped)
{
        static uint8_t big[VW_SLIP_MAX_FRAME + 10];
        static struct frames got;
        static const uint8_t tail[] = { 0xC0, 0x09, 0xC0 };
        struct vw_slip_decoder d;

        memset(big, 0x55, sizeof(big));
        memset(&got, 0, sizeof(got));
        ck_assert_int_eq(vw_slip_decoder_init(&d, false), 0);
        ck_assert_int_eq(vw_slip_decode(&d, big, sizeof(big), collect, &got), 0);
        ck_assert_int_eq(vw_slip_decode(&d, tail, sizeof(tail), collect, &got), -EILSEQ);
        ck_assert_uint_eq(got.n, 1);
        ck_assert_uint_eq(got.data[0][0], 0x09);
        vw_slip_decoder_done(&d);
}
END_TEST

struct emitted {
        unsigned n;
        enum vw_chunk_type type[8];
        size_t len[8];
        uint8_t data[8][64];
};

static int emit(void *ctx, enum vw_chunk_type type, const void *data, size_t len)
{
        struct emitted *e = ctx;

        ck_assert_uint_lt(e->n, 8);
        e->type[e->n] = type;
        e->len[e->n] = len;
        memcpy(e->data[e->n], data, MIN(len, (size_t)64));
        e->n++;
        return 0;
}

START_TEST(test_converters)
{
        struct vw_converter enc, dec, none = {};
        static const uint8_t pkt[] = { 0x45, 0xC0, 0x00, 0xDB };
        struct vw_chunk in = { .type = VW_CHUNK_DATAGRAM, .len = sizeof(pkt), .data = pkt };
        struct emitted e1 = {}, e2 = {};
        struct vw_chunk wire;

        ck_assert_int_eq(vw_packet_converter_new("slip-encode", &enc), 0);
        ck_assert_int_eq(vw_packet_converter_new("slip-decode", &dec), 0);
        ck_assert_int_eq(vw_packet_converter_new("no-such", &none), -ENOENT);
        ck_assert_ptr_null(none.ops);
        ck_assert_int_eq(enc.ops->convert(enc.state, &in, emit, &e1), 0);
        ck_assert_uint_eq(e1.n, 1);
        ck_assert_int_eq(e1.type[0], VW_CHUNK_BYTES);
        ck_assert_uint_le(e1.len[0] + 16, enc.ops->expansion * sizeof(pkt) + 16);
        wire = (struct vw_chunk){ .type = VW_CHUNK_BYTES, .len = (uint32_t)e1.len[0], .data = e1.data[0] };
        ck_assert_int_eq(dec.ops->convert(dec.state, &wire, emit, &e2), 0);
        ck_assert_uint_eq(e2.n, 1);
        ck_assert_int_eq(e2.type[0], VW_CHUNK_DATAGRAM);
        ck_assert_uint_eq(e2.len[0], sizeof(pkt));
        ck_assert_mem_eq(e2.data[0], pkt, sizeof(pkt));
        in.type = VW_CHUNK_EVENTS;
        ck_assert_int_eq(enc.ops->convert(enc.state, &in, emit, &e1), -EINVAL);
        enc.ops->free(enc.state);
        dec.ops->free(dec.state);
}
END_TEST

/* Three packets (one of them 300 bytes, one a keep-alive between) fed in every piece size. */
START_TEST(test_lenframe_split)
{
        static uint8_t big[300];
        uint8_t stream[2 + 3 + 2 + 2 + 300 + 2 + 1];
        size_t n = 0;

        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (uint8_t)(i * 7);
        vw_lenframe_header(3, stream + n);
        n += 2;
        stream[n++] = 'a';
        stream[n++] = 'b';
        stream[n++] = 'c';
        vw_lenframe_header(0, stream + n); /* keep-alive */
        n += 2;
        vw_lenframe_header(sizeof(big), stream + n);
        ck_assert_uint_eq(stream[n], 1);
        ck_assert_uint_eq(stream[n + 1], 44);
        n += 2;
        memcpy(stream + n, big, sizeof(big));
        n += sizeof(big);
        vw_lenframe_header(1, stream + n);
        n += 2;
        stream[n++] = 0xff;
        ck_assert_uint_eq(n, sizeof(stream));

        for (size_t piece = 1; piece <= sizeof(stream); piece++) {
                struct vw_lenframe_decoder *d = malloc(sizeof(*d));
                struct frames *f = calloc(1, sizeof(*f));

                ck_assert_ptr_nonnull(d);
                ck_assert_ptr_nonnull(f);
                vw_lenframe_decoder_init(d);
                for (size_t off = 0; off < n; off += piece)
                        ck_assert_int_eq(vw_lenframe_decode(d, stream + off, MIN(piece, n - off), collect, f), 0);
                ck_assert_uint_eq(f->n, 3);
                ck_assert_uint_eq(f->len[0], 3);
                ck_assert_mem_eq(f->data[0], "abc", 3);
                ck_assert_uint_eq(f->len[1], sizeof(big));
                ck_assert_mem_eq(f->data[1], big, sizeof(big));
                ck_assert_uint_eq(f->len[2], 1);
                ck_assert_uint_eq(f->data[2][0], 0xff);
                ck_assert_uint_eq(d->frames, 3);
                ck_assert_uint_eq(d->keepalives, 1);
                /* nothing half-read is left over at the end */
                ck_assert_uint_eq(d->need, 0);
                ck_assert_uint_eq(d->hdr_have, 0);
                free(d);
                free(f);
        }
}
END_TEST

static int refuse(void *userdata, const uint8_t *frame, size_t len)
{
        (void)frame;
        (void)len;
        ++*(unsigned *)userdata;
        return -ENOBUFS;
}

/* frame()'s first error comes back, and decoding went on past it (the stream stays in step);
 * the largest packet is 65535 bytes. */
START_TEST(test_lenframe_errors_and_limits)
{
        struct vw_lenframe_decoder *d = malloc(sizeof(*d));
        struct vw_converter enc;
        static uint8_t big[VW_LENFRAME_MAX + 1];
        struct vw_chunk in = { .type = VW_CHUNK_DATAGRAM, .len = sizeof(big), .data = big };
        struct emitted e = {};
        static const uint8_t two[] = { 0, 1, 'x', 0, 1, 'y' };
        unsigned calls = 0;

        ck_assert_ptr_nonnull(d);
        vw_lenframe_decoder_init(d);
        ck_assert_int_eq(vw_lenframe_decode(d, two, sizeof(two), refuse, &calls), -ENOBUFS);
        ck_assert_uint_eq(calls, 2);
        ck_assert_uint_eq(vw_lenframe_held(d), 0);
        ck_assert_int_eq(vw_lenframe_decode(d, two, 3 + 1, refuse, &calls), -ENOBUFS);
        ck_assert_uint_eq(vw_lenframe_held(d), 1); /* one header byte of the next frame */
        free(d);

        ck_assert_int_eq(vw_packet_converter_new("length-encode", &enc), 0);
        ck_assert_int_eq(enc.ops->convert(enc.state, &in, emit, &e), -EMSGSIZE);
        ck_assert_uint_eq(e.n, 0);
        in.len = VW_LENFRAME_MAX;
        ck_assert_int_eq(enc.ops->convert(enc.state, &in, emit, &e), 0);
        ck_assert_uint_eq(e.n, 1);
        ck_assert_uint_eq(e.len[0], VW_LENFRAME_MAX + 2);
        ck_assert_uint_eq(e.data[0][0], 0xff);
        ck_assert_uint_eq(e.data[0][1], 0xff);
        enc.ops->free(enc.state);
}
END_TEST

/* length-encode then length-decode gives back the packet, as a datagram. */
START_TEST(test_length_converters)
{
        struct vw_converter enc, dec;
        static const uint8_t pkt[] = { 0x60, 0x00, 0x00, 0x00, 0x00, 0x08 };
        struct vw_chunk in = { .type = VW_CHUNK_DATAGRAM, .len = sizeof(pkt), .data = pkt };
        struct emitted e1 = {}, e2 = {};
        struct vw_chunk wire;

        ck_assert_int_eq(vw_packet_converter_new("length-encode", &enc), 0);
        ck_assert_int_eq(vw_packet_converter_new("length-decode", &dec), 0);
        ck_assert_int_eq(enc.ops->convert(enc.state, &in, emit, &e1), 0);
        ck_assert_uint_eq(e1.n, 1);
        ck_assert_int_eq(e1.type[0], VW_CHUNK_BYTES);
        ck_assert_uint_eq(e1.len[0], sizeof(pkt) + 2);
        ck_assert_uint_eq(e1.data[0][0], 0);
        ck_assert_uint_eq(e1.data[0][1], sizeof(pkt));
        /* the stream arrives in two pieces, split inside the header */
        wire = (struct vw_chunk){ .type = VW_CHUNK_BYTES, .len = 1, .data = e1.data[0] };
        ck_assert_int_eq(dec.ops->convert(dec.state, &wire, emit, &e2), 0);
        ck_assert_uint_eq(e2.n, 0);
        wire = (struct vw_chunk){ .type = VW_CHUNK_BYTES, .len = (uint32_t)e1.len[0] - 1, .data = e1.data[0] + 1 };
        ck_assert_int_eq(dec.ops->convert(dec.state, &wire, emit, &e2), 0);
        ck_assert_uint_eq(e2.n, 1);
        ck_assert_int_eq(e2.type[0], VW_CHUNK_DATAGRAM);
        ck_assert_uint_eq(e2.len[0], sizeof(pkt));
        ck_assert_mem_eq(e2.data[0], pkt, sizeof(pkt));
        in.type = VW_CHUNK_EVENTS;
        ck_assert_int_eq(enc.ops->convert(enc.state, &in, emit, &e1), -EINVAL);
        enc.ops->free(enc.state);
        dec.ops->free(dec.state);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("slip");
        TCase *tc = vw_test_case(s, "framing");

        tcase_add_test(tc, test_encode_escapes);
        tcase_add_test(tc, test_round_trip_split);
        tcase_add_test(tc, test_broken_frames_dropped);
        tcase_add_test(tc, test_too_long_dropped);
        tcase_add_test(tc, test_converters);
        tcase_add_test(tc, test_lenframe_split);
        tcase_add_test(tc, test_lenframe_errors_and_limits);
        tcase_add_test(tc, test_length_converters);
        return vw_test_run(s);
}
