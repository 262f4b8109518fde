/* SPDX-License-Identifier: MIT */
/*
 * The audio cable protocol (audio-proto.h): messages to and from bytes. Each type is a list of
 * fields at fixed places; a string is a u16 length and its bytes. No global state.
 */
#include <errno.h>
#include <string.h>

#include "audio-proto.h"

static const char *const format_names[_VW_AUDIO_FORMAT_MAX] = {
        [VW_AUDIO_S16_LE] = "S16_LE",
        [VW_AUDIO_S32_LE] = "S32_LE",
        [VW_AUDIO_FLOAT_LE] = "FLOAT_LE",
};

static const unsigned format_bytes[_VW_AUDIO_FORMAT_MAX] = {
        [VW_AUDIO_S16_LE] = 2,
        [VW_AUDIO_S32_LE] = 4,
        [VW_AUDIO_FLOAT_LE] = 4,
};

const char *vw_audio_format_to_string(enum vw_audio_format f)
{
        return (unsigned)f < _VW_AUDIO_FORMAT_MAX ? format_names[f] : NULL;
}

int vw_audio_format_from_string(const char *s)
{
        for (unsigned i = 0; i < _VW_AUDIO_FORMAT_MAX; i++)
                if (strcmp(format_names[i], s) == 0)
                        return (int)i;
        return -EINVAL;
}

unsigned vw_audio_format_bytes(enum vw_audio_format f)
{
        return (unsigned)f < _VW_AUDIO_FORMAT_MAX ? format_bytes[f] : 0;
}

static bool printable(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
                        return false;
        return true;
}

bool vw_audio_name_is_valid(const char *s)
{
        size_t len = strlen(s);

        return len > 0 && len <= VW_AUDIO_NAME_MAX && printable(s, len) && !strchr(s, '/');
}

static bool is_graph(uint8_t c)
{
        return c > 0x20 && c <= 0x7e;
}

static bool is_digit(uint8_t c)
{
        return c >= '0' && c <= '9';
}

int vw_audio_plugin_id_find(const uint8_t *buf, size_t len, char version[VW_AUDIO_VERSION_MAX + 1], unsigned *protocol)
{
        static const char mark[] = VW_AUDIO_PLUGIN_ID, sep[] = " protocol ";
        size_t at = 0;

        for (;;) {
                const uint8_t *hit = memmem(buf + at, len - at, mark, sizeof(mark) - 1);
                size_t v, i, vlen;
                unsigned long n = 0;

                if (!hit)
                        return -ENOENT;
                v = (size_t)(hit - buf) + sizeof(mark) - 1;
                at = v;
                for (i = v; i < len && is_graph(buf[i]);)
                        i++;
                vlen = i - v;
                if (vlen == 0 || vlen > VW_AUDIO_VERSION_MAX || len - i < sizeof(sep) - 1 ||
                    memcmp(buf + i, sep, sizeof(sep) - 1) != 0)
                        continue;
                i += sizeof(sep) - 1;
                if (i >= len || !is_digit(buf[i]))
                        continue;
                for (; i < len && is_digit(buf[i]) && n <= 65535; i++)
                        n = n * 10 + (unsigned long)(buf[i] - '0');
                if (i >= len || buf[i] != '\0' || n > 65535)
                        continue;
                memcpy(version, buf + v, vlen);
                version[vlen] = '\0';
                *protocol = (unsigned)n;
                return 0;
        }
}

size_t vw_audio_shm_size(uint32_t ring_frames, uint32_t frame_bytes)
{
        uint64_t data = (uint64_t)ring_frames * frame_bytes;

        if (ring_frames == 0 || frame_bytes == 0 || data > VW_AUDIO_RING_BYTES_MAX)
                return 0;
        return VW_AUDIO_SHM_DATA + (size_t)data;
}

/* ---- writing ---- */

struct writer {
        uint8_t *p;
        size_t len, size;
        bool overflow;
};

static void put(struct writer *w, const void *data, size_t n)
{
        if (w->overflow || w->size - w->len < n) {
                w->overflow = true;
                return;
        }
        memcpy(w->p + w->len, data, n);
        w->len += n;
}

static void put_u8(struct writer *w, uint8_t v)
{
        put(w, &v, 1);
}

static void put_u16(struct writer *w, uint16_t v)
{
        uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

        put(w, b, sizeof(b));
}

static void put_u32(struct writer *w, uint32_t v)
{
        uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

        put(w, b, sizeof(b));
}

/* false when s is too long or not printable */
static bool put_str(struct writer *w, const char *s, size_t max)
{
        size_t len = strnlen(s, max + 1);

        if (len > max || !printable(s, len))
                return false;
        put_u16(w, (uint16_t)len);
        put(w, s, len);
        return true;
}

/* NOLINTNEXTLINE(readability-non-const-parameter): written through struct writer's p */
int vw_audio_msg_encode(const struct vw_audio_msg *m, uint8_t *buf, size_t size)
{
        struct writer w = { .p = buf, .size = size };
        bool ok = true;

        put_u32(&w, VW_AUDIO_MAGIC);
        put_u16(&w, m->type == VW_AUDIO_VERSION ? m->version : VW_AUDIO_PROTOCOL);
        put_u16(&w, m->type);
        switch (m->type) {
        case VW_AUDIO_VERSION:
                ok = put_str(&w, m->package, VW_AUDIO_VERSION_MAX);
                break;
        case VW_AUDIO_HELLO:
                put_u8(&w, m->stream);
                put_u8(&w, 0);
                put_u16(&w, 0);
                put_u32(&w, m->pid);
                ok = put_str(&w, m->cable, VW_AUDIO_NAME_MAX) && put_str(&w, m->program, VW_AUDIO_PROGRAM_MAX) &&
                     put_str(&w, m->package, VW_AUDIO_VERSION_MAX);
                break;
        case VW_AUDIO_HELLO_REPLY:
                put_u32(&w, (uint32_t)m->status);
                put_u8(&w, m->format);
                put_u8(&w, m->channels);
                put_u16(&w, 0);
                put_u32(&w, m->rate);
                put_u32(&w, m->period);
                put_u32(&w, m->buffer);
                put_u32(&w, m->max_ring);
                ok = put_str(&w, m->package, VW_AUDIO_VERSION_MAX) && put_str(&w, m->message, VW_AUDIO_MESSAGE_MAX);
                break;
        case VW_AUDIO_SETUP:
                put_u32(&w, m->ring_frames);
                put_u32(&w, m->avail_min);
                break;
        case VW_AUDIO_PREPARE:
        case VW_AUDIO_START:
        case VW_AUDIO_STOP:
        case VW_AUDIO_DRAIN:
                break;
        case VW_AUDIO_REPLY:
                put_u32(&w, (uint32_t)m->status);
                ok = put_str(&w, m->message, VW_AUDIO_MESSAGE_MAX);
                break;
        default:
                return -EINVAL;
        }
        if (!ok)
                return -EINVAL;
        if (w.overflow)
                return -ENOBUFS;
        return (int)w.len;
}

/* ---- reading ---- */

struct reader {
        const uint8_t *p;
        size_t len, off;
        bool bad;
};

static const uint8_t *take(struct reader *r, size_t n)
{
        const uint8_t *p;

        if (r->bad || r->len - r->off < n) {
                r->bad = true;
                return NULL;
        }
        p = r->p + r->off;
        r->off += n;
        return p;
}

static uint8_t get_u8(struct reader *r)
{
        const uint8_t *p = take(r, 1);

        return p ? p[0] : 0;
}

static uint16_t get_u16(struct reader *r)
{
        const uint8_t *p = take(r, 2);

        return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

static uint32_t get_u32(struct reader *r)
{
        const uint8_t *p = take(r, 4);

        return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

/* dst holds max + 1 bytes */
static void get_str(struct reader *r, char *dst, size_t max)
{
        uint16_t len = get_u16(r);
        const uint8_t *p;

        if (len > max) {
                r->bad = true;
                return;
        }
        p = take(r, len);
        if (!p || !printable((const char *)p, len)) {
                r->bad = true;
                return;
        }
        memcpy(dst, p, len);
        dst[len] = '\0';
}

/* Reserved bytes must be zero, so that a later version can give them a meaning. */
static void get_zero(struct reader *r, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (get_u8(r) != 0)
                        r->bad = true;
}

static bool cable_params_valid(const struct vw_audio_msg *m)
{
        if (m->status < 0)
                return true; /* a refusal carries no cable */
        return m->format < _VW_AUDIO_FORMAT_MAX && m->channels >= 1 && m->channels <= VW_AUDIO_CHANNELS_MAX &&
               m->rate >= VW_AUDIO_RATE_MIN && m->rate <= VW_AUDIO_RATE_MAX && m->period > 0 &&
               m->buffer >= m->period && m->max_ring >= m->buffer;
}

static bool decode_body(struct reader *r, struct vw_audio_msg *m)
{
        switch (m->type) {
        case VW_AUDIO_VERSION:
                get_str(r, m->package, VW_AUDIO_VERSION_MAX);
                return true;
        case VW_AUDIO_HELLO:
                m->stream = get_u8(r);
                get_zero(r, 3);
                m->pid = get_u32(r);
                get_str(r, m->cable, VW_AUDIO_NAME_MAX);
                get_str(r, m->program, VW_AUDIO_PROGRAM_MAX);
                get_str(r, m->package, VW_AUDIO_VERSION_MAX);
                return m->stream <= VW_AUDIO_CAPTURE && (r->bad || vw_audio_name_is_valid(m->cable));
        case VW_AUDIO_HELLO_REPLY:
                m->status = (int32_t)get_u32(r);
                m->format = get_u8(r);
                m->channels = get_u8(r);
                get_zero(r, 2);
                m->rate = get_u32(r);
                m->period = get_u32(r);
                m->buffer = get_u32(r);
                m->max_ring = get_u32(r);
                get_str(r, m->package, VW_AUDIO_VERSION_MAX);
                get_str(r, m->message, VW_AUDIO_MESSAGE_MAX);
                return m->status <= 0 && cable_params_valid(m);
        case VW_AUDIO_SETUP:
                m->ring_frames = get_u32(r);
                m->avail_min = get_u32(r);
                return true;
        case VW_AUDIO_PREPARE:
        case VW_AUDIO_START:
        case VW_AUDIO_STOP:
        case VW_AUDIO_DRAIN:
                return true;
        case VW_AUDIO_REPLY:
                m->status = (int32_t)get_u32(r);
                get_str(r, m->message, VW_AUDIO_MESSAGE_MAX);
                return m->status <= 0;
        default:
                return false;
        }
}

int vw_audio_msg_decode(const uint8_t *buf, size_t len, struct vw_audio_msg *ret)
{
        struct reader r = { .p = buf, .len = len };
        struct vw_audio_msg m = {};

        *ret = m;
        if (get_u32(&r) != VW_AUDIO_MAGIC)
                return -EBADMSG;
        m.version = get_u16(&r);
        m.type = get_u16(&r);
        if (r.bad)
                return -EBADMSG;
        if (m.version != VW_AUDIO_PROTOCOL) {
                /* Only VERSION is readable across versions; its layout is frozen. */
                if (m.type == VW_AUDIO_VERSION) {
                        get_str(&r, m.package, VW_AUDIO_VERSION_MAX);
                        if (r.bad || r.off != r.len)
                                m.package[0] = '\0';
                }
                ret->version = m.version;
                ret->type = m.type;
                memcpy(ret->package, m.package, sizeof(m.package));
                return -EPROTO;
        }
        if (!decode_body(&r, &m) || r.bad || r.off != r.len)
                return -EBADMSG;
        *ret = m;
        return 0;
}
