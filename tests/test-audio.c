/* SPDX-License-Identifier: MIT */
/* Unit tests for the audio cable's pure parts: the plugin protocol (proto/audio-proto.c) and
 * the saturating mix (codecs/audio-mix.c). */
#include <endian.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio-mix.h"
#include "audio-proto.h"
#include "test-common.h"

static struct vw_audio_msg roundtrip(const struct vw_audio_msg *m)
{
        uint8_t buf[VW_AUDIO_MSG_MAX];
        struct vw_audio_msg out;
        int len = vw_audio_msg_encode(m, buf, sizeof(buf));

        ck_assert_int_gt(len, 0);
        ck_assert_int_le(len, VW_AUDIO_MSG_MAX);
        ck_assert_int_eq(vw_audio_msg_decode(buf, (size_t)len, &out), 0);
        ck_assert_uint_eq(out.version, VW_AUDIO_PROTOCOL);
        ck_assert_uint_eq(out.type, m->type);
        return out;
}

START_TEST(test_hello_roundtrip)
{
        struct vw_audio_msg m = { .type = VW_AUDIO_HELLO, .stream = VW_AUDIO_CAPTURE, .pid = 4242 };
        struct vw_audio_msg o;

        strcpy(m.cable, "mic");
        strcpy(m.program, "arecord");
        strcpy(m.package, "0.1.0");
        o = roundtrip(&m);
        ck_assert_uint_eq(o.stream, VW_AUDIO_CAPTURE);
        ck_assert_uint_eq(o.pid, 4242);
        ck_assert_str_eq(o.cable, "mic");
        ck_assert_str_eq(o.program, "arecord");
        ck_assert_str_eq(o.package, "0.1.0");
}
END_TEST

START_TEST(test_hello_reply_roundtrip)
{
        struct vw_audio_msg m = { .type = VW_AUDIO_HELLO_REPLY,
                                  .format = VW_AUDIO_FLOAT_LE,
                                  .channels = 2,
                                  .rate = 44100,
                                  .period = 256,
                                  .buffer = 4096,
                                  .max_ring = 4096 };
        struct vw_audio_msg o;

        strcpy(m.package, "0.1.0");
        o = roundtrip(&m);
        ck_assert_int_eq(o.status, 0);
        ck_assert_uint_eq(o.format, VW_AUDIO_FLOAT_LE);
        ck_assert_uint_eq(o.channels, 2);
        ck_assert_uint_eq(o.rate, 44100);
        ck_assert_uint_eq(o.period, 256);
        ck_assert_uint_eq(o.buffer, 4096);
        ck_assert_uint_eq(o.max_ring, 4096);

        /* a refusal carries no cable, only why */
        m = (struct vw_audio_msg){ .type = VW_AUDIO_HELLO_REPLY, .status = -ENOENT };
        strcpy(m.message, "no such cable");
        o = roundtrip(&m);
        ck_assert_int_eq(o.status, -ENOENT);
        ck_assert_str_eq(o.message, "no such cable");
}
END_TEST

START_TEST(test_small_messages)
{
        struct vw_audio_msg m = { .type = VW_AUDIO_SETUP, .ring_frames = 4095, .avail_min = 1023 };
        struct vw_audio_msg o = roundtrip(&m);

        ck_assert_uint_eq(o.ring_frames, 4095);
        ck_assert_uint_eq(o.avail_min, 1023);
        for (unsigned t = VW_AUDIO_PREPARE; t <= VW_AUDIO_DRAIN; t++) {
                m = (struct vw_audio_msg){ .type = (uint16_t)t };
                (void)roundtrip(&m);
        }
        m = (struct vw_audio_msg){ .type = VW_AUDIO_REPLY, .status = -EPIPE };
        strcpy(m.message, "x");
        o = roundtrip(&m);
        ck_assert_int_eq(o.status, -EPIPE);
        ck_assert_str_eq(o.message, "x");
}
END_TEST

START_TEST(test_encode_refuses)
{
        uint8_t buf[VW_AUDIO_MSG_MAX];
        struct vw_audio_msg m = { .type = VW_AUDIO_HELLO };

        strcpy(m.cable, "a\nb");
        ck_assert_int_eq(vw_audio_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
        m.cable[1] = 'x';
        ck_assert_int_eq(vw_audio_msg_encode(&m, buf, 10), -ENOBUFS);
        m.type = 99;
        ck_assert_int_eq(vw_audio_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
}
END_TEST

static int decode_bytes(const uint8_t *b, size_t len)
{
        struct vw_audio_msg m;

        return vw_audio_msg_decode(b, len, &m);
}

START_TEST(test_decode_refuses)
{
        uint8_t buf[VW_AUDIO_MSG_MAX + 8];
        struct vw_audio_msg m = { .type = VW_AUDIO_HELLO, .stream = VW_AUDIO_PLAYBACK };
        int len;

        strcpy(m.cable, "c");
        len = vw_audio_msg_encode(&m, buf, sizeof(buf));
        ck_assert_int_gt(len, 0);
        ck_assert_int_eq(decode_bytes(buf, (size_t)len), 0);
        /* every truncation is malformed, and so is a trailing byte */
        for (int i = 0; i < len; i++)
                ck_assert_int_eq(decode_bytes(buf, (size_t)i), -EBADMSG);
        buf[len] = 0;
        ck_assert_int_eq(decode_bytes(buf, (size_t)len + 1), -EBADMSG);
        /* a stream that is neither, a reserved byte set, an empty or slashed cable name */
        buf[8] = 2;
        ck_assert_int_eq(decode_bytes(buf, (size_t)len), -EBADMSG);
        buf[8] = 0;
        buf[9] = 1;
        ck_assert_int_eq(decode_bytes(buf, (size_t)len), -EBADMSG);
        buf[9] = 0;
        buf[18] = '/';
        ck_assert_int_eq(decode_bytes(buf, (size_t)len), -EBADMSG);
        buf[18] = 'c';
        /* bad magic, unknown type */
        buf[0] ^= 1;
        ck_assert_int_eq(decode_bytes(buf, (size_t)len), -EBADMSG);
        buf[0] ^= 1;
        buf[6] = 77;
        ck_assert_int_eq(decode_bytes(buf, (size_t)len), -EBADMSG);
}
END_TEST

/* A peer of another version: its VERSION is readable, nothing else is. */
START_TEST(test_version_mismatch)
{
        uint8_t buf[VW_AUDIO_MSG_MAX];
        struct vw_audio_msg m = { .type = VW_AUDIO_VERSION, .version = 7 }, o;
        int len;

        strcpy(m.package, "9.9.9");
        len = vw_audio_msg_encode(&m, buf, sizeof(buf));
        ck_assert_int_gt(len, 0);
        ck_assert_int_eq(vw_audio_msg_decode(buf, (size_t)len, &o), -EPROTO);
        ck_assert_uint_eq(o.version, 7);
        ck_assert_uint_eq(o.type, VW_AUDIO_VERSION);
        ck_assert_str_eq(o.package, "9.9.9");

        /* a HELLO of version 7: -EPROTO, version known, no package */
        m = (struct vw_audio_msg){ .type = VW_AUDIO_START };
        len = vw_audio_msg_encode(&m, buf, sizeof(buf));
        buf[4] = 7;
        ck_assert_int_eq(vw_audio_msg_decode(buf, (size_t)len, &o), -EPROTO);
        ck_assert_uint_eq(o.version, 7);
        ck_assert_str_eq(o.package, "");
}
END_TEST

START_TEST(test_formats)
{
        ck_assert_int_eq(vw_audio_format_from_string("S16_LE"), VW_AUDIO_S16_LE);
        ck_assert_int_eq(vw_audio_format_from_string("FLOAT_LE"), VW_AUDIO_FLOAT_LE);
        ck_assert_int_eq(vw_audio_format_from_string("U8"), -EINVAL);
        ck_assert_str_eq(vw_audio_format_to_string(VW_AUDIO_S32_LE), "S32_LE");
        ck_assert_ptr_null(vw_audio_format_to_string(_VW_AUDIO_FORMAT_MAX));
        ck_assert_uint_eq(vw_audio_format_bytes(VW_AUDIO_S16_LE), 2);
        ck_assert_uint_eq(vw_audio_format_bytes(VW_AUDIO_FLOAT_LE), 4);
        ck_assert_uint_eq(vw_audio_shm_size(1024, 4), VW_AUDIO_SHM_DATA + 4096);
        ck_assert_uint_eq(vw_audio_shm_size(0, 4), 0);
        ck_assert_uint_eq(vw_audio_shm_size(VW_AUDIO_RING_BYTES_MAX, 8), 0);
        ck_assert(vw_audio_name_is_valid("speakers-1"));
        ck_assert(!vw_audio_name_is_valid(""));
        ck_assert(!vw_audio_name_is_valid("a/b"));
}
END_TEST

/* One writer comes out bit for bit. */
START_TEST(test_mix_identity)
{
        int16_t s16[6] = { 0, 1, -1, 32767, -32768, 1234 }, o16[6];
        int32_t s32[4] = { 0, INT32_MAX, INT32_MIN, -123456789 }, o32[4];
        float fl[4] = { 0.0f, 0.5f, -1.0f, 1e-7f }, ofl[4];
        double acc[6] = {};

        for (unsigned i = 0; i < 6; i++)
                s16[i] = (int16_t)htole16((uint16_t)s16[i]);
        vw_audio_mix_add(VW_AUDIO_S16_LE, acc, s16, 6);
        vw_audio_mix_out(VW_AUDIO_S16_LE, acc, o16, 6);
        ck_assert_mem_eq(s16, o16, sizeof(s16));

        memset(acc, 0, sizeof(acc));
        vw_audio_mix_add(VW_AUDIO_S32_LE, acc, s32, 4);
        vw_audio_mix_out(VW_AUDIO_S32_LE, acc, o32, 4);
        ck_assert_mem_eq(s32, o32, sizeof(s32));

        memset(acc, 0, sizeof(acc));
        vw_audio_mix_add(VW_AUDIO_FLOAT_LE, acc, fl, 4);
        vw_audio_mix_out(VW_AUDIO_FLOAT_LE, acc, ofl, 4);
        ck_assert_mem_eq(fl, ofl, sizeof(fl));
}
END_TEST

START_TEST(test_mix_saturates)
{
        int16_t a[3] = { 30000, -30000, 100 }, b[3] = { 30000, -30000, -50 }, o[3];
        int32_t a32[2] = { INT32_MAX, INT32_MIN }, o32[2];
        float fa[3] = { 0.75f, -0.75f, NAN }, fo[3];
        double acc[3] = {};

        vw_audio_mix_add(VW_AUDIO_S16_LE, acc, a, 3);
        vw_audio_mix_add(VW_AUDIO_S16_LE, acc, b, 3);
        vw_audio_mix_out(VW_AUDIO_S16_LE, acc, o, 3);
        ck_assert_int_eq(o[0], 32767);
        ck_assert_int_eq(o[1], -32768);
        ck_assert_int_eq(o[2], 50);

        memset(acc, 0, sizeof(acc));
        vw_audio_mix_add(VW_AUDIO_S32_LE, acc, a32, 2);
        vw_audio_mix_add(VW_AUDIO_S32_LE, acc, a32, 2);
        vw_audio_mix_out(VW_AUDIO_S32_LE, acc, o32, 2);
        ck_assert_int_eq(o32[0], INT32_MAX);
        ck_assert_int_eq(o32[1], INT32_MIN);

        memset(acc, 0, sizeof(acc));
        vw_audio_mix_add(VW_AUDIO_FLOAT_LE, acc, fa, 3);
        vw_audio_mix_add(VW_AUDIO_FLOAT_LE, acc, fa, 3);
        vw_audio_mix_out(VW_AUDIO_FLOAT_LE, acc, fo, 3);
        ck_assert(fo[0] == 1.0f);
        ck_assert(fo[1] == -1.0f);
        ck_assert(fo[2] == 0.0f);
}
END_TEST

/* One exact period, rounded samples, every channel alike; the seam repeats without a jump. */
START_TEST(test_tone)
{
        uint8_t *t;
        size_t len;
        int16_t v[2];
        float f;

        ck_assert_int_eq(vw_audio_tone(VW_AUDIO_S16_LE, 48000, 2, 1000, 0.5, &t, &len), 0);
        ck_assert_uint_eq(len, 48 * 4); /* 48 frames of S16 stereo */
        memcpy(v, t, 4);
        ck_assert_int_eq(v[0], 0);
        memcpy(v, t + 12 * 4, 4); /* a quarter period: the peak */
        ck_assert_int_eq(v[0], 16384);
        ck_assert_int_eq(v[1], 16384);
        memcpy(v, t + 36 * 4, 4);
        ck_assert_int_eq(v[0], -16384);
        free(t);

        /* 441 Hz at 48 kHz: gcd 3, so 16000 frames make the period */
        ck_assert_int_eq(vw_audio_tone(VW_AUDIO_FLOAT_LE, 48000, 1, 441, 1.0, &t, &len), 0);
        ck_assert_uint_eq(len, 16000 * 4);
        memcpy(&f, t + 4, 4);
        ck_assert(fabs(f - sin(2 * M_PI * 441 / 48000)) < 1e-6);
        free(t);

        ck_assert_int_eq(vw_audio_tone(VW_AUDIO_S32_LE, 48000, 2, 24001, 0.5, &t, &len), -EINVAL);
        ck_assert_int_eq(vw_audio_tone(VW_AUDIO_S32_LE, 48000, 2, 0, 0.5, &t, &len), -EINVAL);
        ck_assert_int_eq(vw_audio_tone(VW_AUDIO_S32_LE, 48000, 2, 1000, 1.5, &t, &len), -EINVAL);
        ck_assert_int_eq(vw_audio_tone(VW_AUDIO_S32_LE, 48000, 2, 1000, NAN, &t, &len), -EINVAL);
}
END_TEST

/* The version mark doctor reads from a plugin file. */
START_TEST(test_plugin_id)
{
        static const uint8_t file[] = "\x7f"
                                      "ELF vwire-alsa-plugin version \0"
                                      "vwire-alsa-plugin version 0.1.0 protocol 1\0tail";
        static const uint8_t bad[] = "vwire-alsa-plugin version 0.1.0 protocol 1"; /* no NUL: cut off */
        char version[VW_AUDIO_VERSION_MAX + 1];
        unsigned protocol = 0;

        ck_assert_int_eq(vw_audio_plugin_id_find(file, sizeof(file), version, &protocol), 0);
        ck_assert_str_eq(version, "0.1.0");
        ck_assert_uint_eq(protocol, 1);
        ck_assert_int_eq(vw_audio_plugin_id_find(bad, sizeof(bad) - 1, version, &protocol), -ENOENT);
        ck_assert_int_eq(vw_audio_plugin_id_find(file, 10, version, &protocol), -ENOENT);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("audio");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_hello_roundtrip);
        tcase_add_test(tc, test_hello_reply_roundtrip);
        tcase_add_test(tc, test_small_messages);
        tcase_add_test(tc, test_encode_refuses);
        tcase_add_test(tc, test_decode_refuses);
        tcase_add_test(tc, test_version_mismatch);
        tcase_add_test(tc, test_formats);
        tcase_add_test(tc, test_mix_identity);
        tcase_add_test(tc, test_mix_saturates);
        tcase_add_test(tc, test_tone);
        tcase_add_test(tc, test_plugin_id);
        suite_add_tcase(s, tc);
        return vw_test_run(s);
}
