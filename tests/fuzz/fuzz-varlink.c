/* SPDX-License-Identifier: MIT */
/*
 * proto/varlink.c: what a client writes to the control socket, and the hex payloads inside.
 *
 *   byte 0   bits 0-5: the stream is fed in pieces of this many bytes (0: at once)
 *            bit 6: an empty piece is fed first
 *            bit 7: the rest is also a hex payload for vw_hex_decode
 *   rest     the byte stream: NUL-terminated JSON messages
 *
 * Invariants: every message taken is a JSON object whose numbers are JSON numbers (json-c also
 * reads NaN and Infinity); the request fields are typed, or the bad one is named; written back with
 * vw_varlink_append it is one NUL-terminated message that reads back equal; the buffer never
 * holds more than was fed; hex decoding of hex encoding is the identity, and a payload that
 * decodes re-encodes to one that decodes to the same bytes.
 *
 * Request dispatch (daemon/control/) is fuzz-control.c: a real server behind a socket.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "macro.h"
#include "varlink.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

/*
 * What vw_msgbuf_next passes on must be JSON again. json-c reads the tokens NaN, Infinity and
 * -Infinity even in strict mode, and writes them back as such; 1e999 is JSON (it keeps its text).
 */
static void check_json_numbers(json_object *o)
{
        if (json_object_is_type(o, json_type_double)) {
                const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
                bool json = text && (text[0] == '-' ? text[1] : text[0]) >= '0' &&
                            (text[0] == '-' ? text[1] : text[0]) <= '9';

                if (!json)
                        fprintf(stderr, "vw_msgbuf_next passed on a number that is not JSON: %s\n", text);
                FUZZ_CHECK(json);
        } else if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, k, v) {
                        (void)k;
                        check_json_numbers(v);
                }
        } else if (json_object_is_type(o, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        check_json_numbers(json_object_array_get_idx(o, i));
        }
}

/* The request fields the control server dispatches on: present and typed, or named as bad. */
static void check_request(json_object *msg)
{
        struct vw_varlink_request q = { .method = (const char *)(uintptr_t)1 };
        const char *bad = NULL;
        json_object *v;

        if (vw_varlink_parse_request(msg, &q, &bad) < 0) {
                FUZZ_CHECK(bad);
                FUZZ_CHECK(streq(bad, "method") || streq(bad, "parameters") || streq(bad, "more") ||
                           streq(bad, "oneway"));
                FUZZ_CHECK(q.method == (const char *)(uintptr_t)1);
                return;
        }
        FUZZ_CHECK(json_object_object_get_ex(msg, "method", &v) && json_object_is_type(v, json_type_string));
        FUZZ_CHECK(q.method && streq(q.method, json_object_get_string(v)));
        FUZZ_CHECK(!q.parameters || json_object_is_type(q.parameters, json_type_object));
}

static void check_reply_path(json_object *obj)
{
        struct vw_msgbuf out = {};
        json_object *again = NULL;

        FUZZ_CHECK(vw_varlink_append(&out, obj) == 0);
        FUZZ_CHECK(out.len > 0 && out.data[out.len - 1] == '\0');
        FUZZ_CHECK(memchr(out.data, '\0', out.len) == out.data + out.len - 1);
        FUZZ_CHECK(vw_msgbuf_next(&out, &again) == 1);
        FUZZ_CHECK(json_object_equal(obj, again));
        FUZZ_CHECK(out.len == 0);
        json_object_put(again);
        vw_msgbuf_done(&out);
}

static void drain(struct vw_msgbuf *b)
{
        for (;;) {
                json_object *obj = NULL;
                size_t before = b->len;
                int r = vw_msgbuf_next(b, &obj);

                if (r == 0) {
                        /* more bytes needed: only when no NUL is buffered */
                        FUZZ_CHECK(b->len == before && (b->len == 0 || !memchr(b->data, '\0', b->len)));
                        return;
                }
                if (r == -EMSGSIZE)
                        return;
                FUZZ_CHECK(b->len < before);
                /* not a JSON object, or one with a key twice: dropped, the next message is read */
                if (r == -EBADMSG || r == -ENOTUNIQ)
                        continue;
                FUZZ_CHECK(r == 1 && obj && json_object_is_type(obj, json_type_object));
                check_json_numbers(obj);
                check_request(obj);
                check_reply_path(obj);
                json_object_put(obj);
        }
}

static void hex(const uint8_t *data, size_t size)
{
        char *text = fuzz_strndup(data, size), *enc;
        unsigned char *bytes = NULL, *again = NULL;
        size_t n = 0, n2 = 0;
        int r;

        /* encode then decode: the identity */
        enc = vw_hex_encode(data, size);
        FUZZ_CHECK(enc && strlen(enc) == 2 * size);
        FUZZ_CHECK(vw_hex_decode(enc, &bytes, &n) == (int)size && n == size);
        FUZZ_CHECK(size == 0 || memcmp(bytes, data, size) == 0);
        free(bytes);
        free(enc);
        bytes = NULL;

        /* decode what a client sent; if it decodes, its canonical form decodes to the same */
        r = vw_hex_decode(text, &bytes, &n);
        if (r >= 0) {
                FUZZ_CHECK((size_t)r == n && n <= strlen(text) / 2);
                enc = vw_hex_encode(bytes, n);
                FUZZ_CHECK(enc);
                FUZZ_CHECK(vw_hex_decode(enc, &again, &n2) == (int)n && n2 == n);
                FUZZ_CHECK(n == 0 || memcmp(bytes, again, n) == 0);
                free(again);
                free(enc);
                free(bytes);
        } else {
                FUZZ_CHECK(r == -EINVAL);
        }
        free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t mode = fuzz_take_byte(&data, &size);
        size_t step = mode & 0x3f;
        struct vw_msgbuf in = {};

        if (mode & 0x40)
                FUZZ_CHECK(vw_msgbuf_feed(&in, "", 0) == 0 && in.len == 0);
        for (size_t off = 0; off < size;) {
                size_t n = step ? MIN(step, size - off) : size;
                int r = vw_msgbuf_feed(&in, data + off, n);

                FUZZ_CHECK(r == 0 || r == -EMSGSIZE);
                FUZZ_CHECK(in.len <= size);
                if (r < 0)
                        break;
                drain(&in);
                off += n;
        }
        vw_msgbuf_done(&in);

        if (mode & 0x80)
                hex(data, size);
        return 0;
}
