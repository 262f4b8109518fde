/* SPDX-License-Identifier: MIT */
/* Unit tests for proto/varlink.c: NUL-terminated JSON framing, duplicate keys, the parts of a
 * call, message builders, hex payloads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "test-common.h"
#include "varlink.h"

#define MAX_MSG VW_VARLINK_MAX_MESSAGE

static void feed_str(struct vw_msgbuf *b, const char *s)
{
        /* the NUL of s is part of the stream: "{}" feeds three bytes */
        ck_assert_int_eq(vw_msgbuf_feed(b, s, strlen(s) + 1), 0);
}

/* The next message, which must be an object; returned as its plain JSON text (caller frees). */
static char *next_text(struct vw_msgbuf *b)
{
        json_object *o = NULL;
        char *s;

        ck_assert_int_eq(vw_msgbuf_next(b, &o), 1);
        ck_assert_ptr_nonnull(o);
        ck_assert(json_object_is_type(o, json_type_object));
        s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return s;
}

static void assert_next(struct vw_msgbuf *b, const char *json)
{
        _cleanup_free_ char *s = next_text(b);

        ck_assert_str_eq(s, json);
}

static void assert_empty(struct vw_msgbuf *b)
{
        json_object *o = NULL;

        ck_assert_int_eq(vw_msgbuf_next(b, &o), 0);
        ck_assert_ptr_null(o);
        ck_assert_uint_eq(b->len, 0);
}

/* A JSON object of exactly `len` bytes: {"a":"xxx…"} */
static char *object_of_size(size_t len)
{
        char *s = malloc(len + 1);

        ck_assert_ptr_nonnull(s);
        ck_assert_uint_ge(len, 8);
        /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): a prefix; the copy of "\"}" ends the string */
        memcpy(s, "{\"a\":\"", 6);
        memset(s + 6, 'x', len - 8);
        memcpy(s + len - 2, "\"}", 3);
        return s;
}

/* ---- framing ---- */

START_TEST(test_one_message)
{
        struct vw_msgbuf b = {};
        json_object *o = NULL, *v;

        assert_empty(&b);
        feed_str(&b, "{\"method\":\"io.vwire.List\",\"parameters\":{\"n\":1}}");
        ck_assert_int_eq(vw_msgbuf_next(&b, &o), 1);
        ck_assert(json_object_object_get_ex(o, "method", &v));
        ck_assert_str_eq(json_object_get_string(v), "io.vwire.List");
        json_object_put(o);
        assert_empty(&b);
        vw_msgbuf_done(&b);
        ck_assert_ptr_null(b.data);
        ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_two_in_one_feed)
{
        static const char stream[] = "{\"a\":1}\0{\"b\":[1,2]}";
        struct vw_msgbuf b = {};

        ck_assert_int_eq(vw_msgbuf_feed(&b, stream, sizeof(stream)), 0);
        assert_next(&b, "{\"a\":1}");
        assert_next(&b, "{\"b\":[1,2]}");
        assert_empty(&b);
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_byte_by_byte)
{
        static const char stream[] = "{\"method\":\"io.vwire.Monitor\",\"more\":true}\0{}\0 {\"x\":\"\\u00e9\"}";
        /* json-c writes the \u00e9 it read as UTF-8 */
        static const char *const want[] = { "{\"method\":\"io.vwire.Monitor\",\"more\":true}", "{}",
                                            "{\"x\":\"\xc3\xa9\"}" };
        struct vw_msgbuf b = {};
        size_t got = 0;

        for (size_t i = 0; i < sizeof(stream); i++) {
                json_object *o = NULL;
                int r;

                ck_assert_int_eq(vw_msgbuf_feed(&b, stream + i, 1), 0);
                r = vw_msgbuf_next(&b, &o);
                if (stream[i] != 0) {
                        ck_assert_msg(r == 0, "byte %zu: a message before its NUL", i);
                        continue;
                }
                ck_assert_msg(r == 1, "byte %zu: r=%d", i, r);
                ck_assert_uint_lt(got, ELEMENTSOF(want));
                ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), want[got]);
                json_object_put(o);
                got++;
        }
        ck_assert_uint_eq(got, 3);
        assert_empty(&b);
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_reserve_commit)
{
        static const char msg[] = "{\"parameters\":{},\"continues\":true}";
        struct vw_msgbuf b = {};
        char *p;

        p = vw_msgbuf_reserve(&b, 10);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_ge(b.cap - b.len, 10);
        memcpy(p, msg, 10);
        ck_assert_int_eq(vw_msgbuf_commit(&b, 10), 0);
        ck_assert_int_eq(vw_msgbuf_next(&b, &(json_object *){ NULL }), 0);
        p = vw_msgbuf_reserve(&b, sizeof(msg) - 10);
        ck_assert_uint_ge(b.cap - b.len, sizeof(msg) - 10);
        memcpy(p, msg + 10, sizeof(msg) - 10);
        ck_assert_int_eq(vw_msgbuf_commit(&b, sizeof(msg) - 10), 0);
        assert_next(&b, msg);
        assert_empty(&b);

        /* reserving more than the buffer holds grows it and keeps what is there */
        feed_str(&b, "{\"k\":");
        b.len--; /* take the NUL back: the message continues */
        p = vw_msgbuf_reserve(&b, 100000);
        ck_assert_uint_ge(b.cap - b.len, 100000);
        memcpy(p, "2}", 3);
        ck_assert_int_eq(vw_msgbuf_commit(&b, 3), 0);
        assert_next(&b, "{\"k\":2}");
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_empty_object)
{
        struct vw_msgbuf b = {};

        feed_str(&b, "{}");
        assert_next(&b, "{}");
        feed_str(&b, " { } ");
        assert_next(&b, "{}");
        assert_empty(&b);
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_not_an_object)
{
        static const char *const bad[] = {
                "[1,2]",      "42",  "\"text\"",   "null",          "true", "",  "   ",
                "{\"a\":",    "{",   "}",          "{\"a\" 1}",     "{a:1}", "[{}]",
                "{\"a\":1,}", "\x80", "{\"a\":\"\\x\"}", "{\"a\":[1,]}", "{\"a\":1 /* c */}",
                "{\"a\":01}", "{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}",
                /* json-c reads these; JSON has no such numbers (found by fuzz-varlink) */
                "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":[1,{\"b\":nan}]}",
                "{\"a\":-.5e3}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":1.e5}", "{\"a\":1e}", "{\"a\":+1}",
        };
        struct vw_msgbuf b = {};

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                json_object *o = NULL;
                int r;

                /* the bad message and a good one behind it, in one feed */
                feed_str(&b, bad[i]);
                feed_str(&b, "{\"ok\":true}");
                r = vw_msgbuf_next(&b, &o);
                ck_assert_msg(r == -EBADMSG, "'%s': r=%d", bad[i], r);
                ck_assert_ptr_null(o);
                assert_next(&b, "{\"ok\":true}");
                assert_empty(&b);
        }
        vw_msgbuf_done(&b);
}
END_TEST

/* found by fuzz-varlink: an empty feed into an empty buffer was -ENOMEM (NULL + 0 under UBSan) */
START_TEST(test_empty_feed)
{
        struct vw_msgbuf b = {};

        ck_assert_int_eq(vw_msgbuf_feed(&b, "", 0), 0);
        ck_assert_ptr_nonnull(vw_msgbuf_reserve(&b, 0));
        assert_empty(&b);
        feed_str(&b, "{}");
        assert_next(&b, "{}");
        assert_empty(&b);
        vw_msgbuf_done(&b);
}
END_TEST

/* every form of JSON number goes through (1e999 too: json-c keeps its text) */
START_TEST(test_json_numbers)
{
        struct vw_msgbuf b = {};

        feed_str(&b, "{\"a\":-0.5e-3,\"b\":1e999,\"c\":0,\"d\":-12.25E+2,\"e\":[0.0,10]}");
        assert_next(&b, "{\"a\":-0.5e-3,\"b\":1e999,\"c\":0,\"d\":-12.25E+2,\"e\":[0.0,10]}");
        assert_empty(&b);
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_trailing_garbage)
{
        static const char *const bad[] = { "{}x", "{}{}", "{} 1", "{\"a\":1}]", "{}\x01" };
        static const char *const good[] = { "{} ", "{}\n", " \t{}\r\n", "\n{\"a\":1}\n" };
        struct vw_msgbuf b = {};

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                json_object *o = NULL;

                feed_str(&b, bad[i]);
                ck_assert_msg(vw_msgbuf_next(&b, &o) == -EBADMSG, "'%s' accepted", bad[i]);
                assert_empty(&b);
        }
        /* whitespace is not garbage: JSON allows it around a value */
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                feed_str(&b, good[i]);
                free(next_text(&b)); /* which asserts that one object came out */
                assert_empty(&b);
        }
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_deep_nesting)
{
        /* deeper than json-c parses: refused, and the stream goes on */
        struct vw_msgbuf b = {};
        char deep[1024] = "{\"a\":";
        size_t n = strlen(deep);

        for (int i = 0; i < 200; i++)
                deep[n++] = '[';
        for (int i = 0; i < 200; i++)
                deep[n++] = ']';
        deep[n++] = '}';
        deep[n] = 0;
        feed_str(&b, deep);
        feed_str(&b, "{}");
        ck_assert_int_eq(vw_msgbuf_next(&b, &(json_object *){ NULL }), -EBADMSG);
        assert_next(&b, "{}");
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_cap_exact)
{
        _cleanup_free_ char *big = object_of_size(MAX_MSG);
        struct vw_msgbuf b = {};
        json_object *o = NULL, *v;

        /* MAX_MSG bytes of JSON and its NUL, in 64 KiB reads */
        for (size_t off = 0; off < MAX_MSG; off += 65536) {
                ck_assert_int_eq(vw_msgbuf_feed(&b, big + off, MIN((size_t)65536, MAX_MSG - off)), 0);
                ck_assert_int_eq(vw_msgbuf_next(&b, &o), 0);
        }
        ck_assert_uint_eq(b.len, MAX_MSG);
        ck_assert_int_eq(vw_msgbuf_feed(&b, "", 1), 0);
        ck_assert_int_eq(vw_msgbuf_next(&b, &o), 1);
        ck_assert(json_object_object_get_ex(o, "a", &v));
        ck_assert_uint_eq(json_object_get_string_len(v), MAX_MSG - 8);
        json_object_put(o);
        assert_empty(&b);

        /* a small message, then a full-size one, in a single feed of more than the cap */
        feed_str(&b, "{}");
        ck_assert_int_eq(vw_msgbuf_feed(&b, big, MAX_MSG + 1), 0);
        assert_next(&b, "{}");
        o = NULL;
        ck_assert_int_eq(vw_msgbuf_next(&b, &o), 1);
        json_object_put(o);
        assert_empty(&b);
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_cap_exceeded)
{
        _cleanup_free_ char *big = object_of_size(MAX_MSG + 1);
        struct vw_msgbuf b = {};
        char *p;

        /* one byte over the cap without a NUL */
        ck_assert_int_eq(vw_msgbuf_feed(&b, big, MAX_MSG), 0);
        ck_assert_int_eq(vw_msgbuf_next(&b, &(json_object *){ NULL }), 0);
        ck_assert_int_eq(vw_msgbuf_feed(&b, big + MAX_MSG, 1), -EMSGSIZE);
        ck_assert_int_eq(vw_msgbuf_next(&b, &(json_object *){ NULL }), -EMSGSIZE);
        vw_msgbuf_done(&b);

        /* with its NUL right behind: still too long, even in one feed */
        ck_assert_int_eq(vw_msgbuf_feed(&b, big, MAX_MSG + 2), -EMSGSIZE);
        vw_msgbuf_done(&b);

        /* through reserve and commit */
        p = vw_msgbuf_reserve(&b, MAX_MSG + 1);
        ck_assert_ptr_nonnull(p);
        memset(p, ' ', MAX_MSG + 1);
        ck_assert_int_eq(vw_msgbuf_commit(&b, MAX_MSG + 1), -EMSGSIZE);
        vw_msgbuf_done(&b);

        /* a good message first, then endless bytes: the good one still comes out, then the error */
        feed_str(&b, "{\"first\":1}");
        ck_assert_int_eq(vw_msgbuf_feed(&b, big, MAX_MSG + 1), 0);
        assert_next(&b, "{\"first\":1}");
        ck_assert_int_eq(vw_msgbuf_next(&b, &(json_object *){ NULL }), -EMSGSIZE);
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_drop)
{
        struct vw_msgbuf b = {};

        ck_assert_int_eq(vw_msgbuf_feed(&b, "abcdef", 6), 0);
        vw_msgbuf_drop(&b, 0);
        ck_assert_uint_eq(b.len, 6);
        vw_msgbuf_drop(&b, 2);
        ck_assert_uint_eq(b.len, 4);
        ck_assert_mem_eq(b.data, "cdef", 4);
        vw_msgbuf_drop(&b, 4);
        ck_assert_uint_eq(b.len, 0);
        ck_assert_int_eq(vw_msgbuf_feed(&b, "xy", 2), 0);
        vw_msgbuf_drop(&b, 100);
        ck_assert_uint_eq(b.len, 0);
        vw_msgbuf_drop(&b, 1);
        ck_assert_uint_eq(b.len, 0);

        /* an outgoing buffer written in part: the rest stays, in order */
        {
                json_object *x = vw_varlink_reply(NULL, false), *y = vw_varlink_error("io.vwire.Busy", NULL);
                size_t first;

                ck_assert_int_eq(vw_varlink_append(&b, x), 0);
                first = b.len;
                ck_assert_int_eq(vw_varlink_append(&b, y), 0);
                vw_msgbuf_drop(&b, first - 3); /* a short write stopped 3 bytes before the end of x */
                ck_assert_mem_eq(b.data, "}}", 3);
                vw_msgbuf_drop(&b, 3);
                assert_next(&b, "{\"error\":\"io.vwire.Busy\",\"parameters\":{}}");
                json_object_put(x);
                json_object_put(y);
        }
        vw_msgbuf_done(&b);
}
END_TEST

/* ---- builders ---- */

static void assert_json(json_object *o, const char *json)
{
        ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), json);
}

/* Serialize onto a buffer, take it back, and compare with the original. */
static void assert_round_trip(json_object *o)
{
        struct vw_msgbuf b = {};
        json_object *back = NULL;
        size_t len;

        ck_assert_int_eq(vw_varlink_append(&b, o), 0);
        len = strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        ck_assert_uint_eq(b.len, len + 1);
        ck_assert_int_eq(b.data[len], 0);
        ck_assert_ptr_null(memchr(b.data, 0, len));
        ck_assert_int_eq(vw_msgbuf_next(&b, &back), 1);
        ck_assert(json_object_equal(o, back));
        json_object_put(back);
        assert_empty(&b);
        vw_msgbuf_done(&b);
}

START_TEST(test_message_start)
{
        struct vw_msgbuf b = {};

        /* "{}\0{"a"  : the NUL ends the first message, the second begins right after it */
        ck_assert_int_eq(vw_msgbuf_feed(&b, "{}\0{\"a\"", 7), 0);
        ck_assert(vw_msgbuf_has_message(&b));
        ck_assert_uint_eq(vw_msgbuf_message_start(&b, 0), 0);
        ck_assert_uint_eq(vw_msgbuf_message_start(&b, 2), 0);
        ck_assert_uint_eq(vw_msgbuf_message_start(&b, 3), 3);
        ck_assert_uint_eq(vw_msgbuf_message_start(&b, 6), 3);
        ck_assert_uint_eq(vw_msgbuf_message_start(&b, 100), 3);
        assert_next(&b, "{}");
        ck_assert(!vw_msgbuf_has_message(&b));
        ck_assert_uint_eq(vw_msgbuf_message_start(&b, 3), 0);
        vw_msgbuf_done(&b);
        ck_assert(!vw_msgbuf_has_message(&b));
        ck_assert_uint_eq(vw_msgbuf_message_start(&b, 5), 0);
}
END_TEST

START_TEST(test_own_max)
{
        /* vwirectl reads replies up to 8 MiB; the default stays 1 MiB, and done() keeps the limit */
        _cleanup_free_ char *big = object_of_size(2 * MAX_MSG);
        struct vw_msgbuf b = { .max = VW_VARLINK_MAX_REPLY };
        json_object *o = NULL;

        ck_assert_int_eq(vw_msgbuf_feed(&b, big, 2 * MAX_MSG + 1), 0);
        ck_assert_int_eq(vw_msgbuf_next(&b, &o), 1);
        json_object_put(o);
        vw_msgbuf_done(&b);
        ck_assert_uint_eq(b.max, VW_VARLINK_MAX_REPLY);
        b.max = 0;
        ck_assert_int_eq(vw_msgbuf_feed(&b, big, 2 * MAX_MSG + 1), -EMSGSIZE);
        vw_msgbuf_done(&b);
}
END_TEST

/* ---- duplicate keys ---- */

START_TEST(test_duplicate_keys)
{
        static const char *const dup[] = {
                "{\"a\":1,\"a\":2}",
                "{\"method\":\"io.vwire.Remove\",\"method\":\"io.vwire.Status\"}",
                "{\"p\":{\"name\":\"x\",\"name\":\"y\"}}",
                "{\"p\":{\"s\":{\"mode\":\"echo\",\"mode\":\"sink\"}}}",
                "{\"l\":[1,{\"b\":1,\"b\":1}]}",
                "{\"a\" : 1 ,\n\"a\"\t:\r2}",
                "{\"q\\\"\":1,\"q\\\"\":2}",        /* keys with an escaped quote */
                "{\"\\u0061\":1,\"a\":2}",          /* the same key, spelt two ways */
                "{\"\":1,\"\":2}",
        };
        static const char *const unique[] = {
                "{}",
                "{\"a\":{\"a\":{\"a\":1}}}",       /* the same name in different objects */
                "{\"l\":[{\"b\":1},{\"b\":2}]}",
                "{\"a\":\"x\\\":\",\"b\":\"\\\\\"}", /* a value that looks like a key, a trailing backslash */
                "{\"a\":[\"b\",\"c\"],\"d\":\":\"}",   /* strings in arrays are no keys */
                "{\"a\\\\\":1,\"a\":2}",
        };
        struct vw_msgbuf b = {};

        for (size_t i = 0; i < ELEMENTSOF(dup); i++) {
                json_object *o = NULL;
                int r;

                feed_str(&b, dup[i]);
                feed_str(&b, "{\"ok\":true}");
                r = vw_msgbuf_next(&b, &o);
                ck_assert_msg(r == -ENOTUNIQ, "'%s': r=%d", dup[i], r);
                ck_assert_ptr_null(o);
                assert_next(&b, "{\"ok\":true}");
                assert_empty(&b);
        }
        for (size_t i = 0; i < ELEMENTSOF(unique); i++) {
                json_object *o = NULL;
                int r;

                feed_str(&b, unique[i]);
                r = vw_msgbuf_next(&b, &o);
                ck_assert_msg(r == 1, "'%s': r=%d", unique[i], r);
                ck_assert(!vw_json_has_duplicate_keys(unique[i], strlen(unique[i]), o));
                json_object_put(o);
        }
        vw_msgbuf_done(&b);
}
END_TEST

START_TEST(test_duplicate_keys_large)
{
        /* 100000 keys, the last one twice: found, and in linear time (the test's timeout) */
        size_t n = 100000, len = 0, cap = n * 16 + 64;
        _cleanup_free_ char *s = malloc(cap);
        struct vw_msgbuf b = { .max = VW_VARLINK_MAX_REPLY };

        s[len++] = '{';
        for (size_t i = 0; i < n; i++)
                len += (size_t)snprintf(s + len, cap - len, "\"k%zu\":\"\",", i);
        len += (size_t)snprintf(s + len, cap - len, "\"k%zu\":1}", n - 1);
        ck_assert_int_eq(vw_msgbuf_feed(&b, s, len + 1), 0);
        ck_assert_int_eq(vw_msgbuf_next(&b, &(json_object *){ NULL }), -ENOTUNIQ);
        vw_msgbuf_done(&b);
}
END_TEST

/* ---- the parts of a call ---- */

static const char *parse_request(const char *text, struct vw_varlink_request *q)
{
        json_object *o = json_tokener_parse(text);
        const char *bad = NULL;
        int r;

        ck_assert_ptr_nonnull(o);
        r = vw_varlink_parse_request(o, q, &bad);
        ck_assert_int_eq(r, bad ? -EINVAL : 0);
        json_object_put(o); /* q's pointers are not used after this */
        return bad;
}

START_TEST(test_parse_request)
{
        static const struct {
                const char *text, *bad;
        } cases[] = {
                { "{\"method\":\"io.vwire.Status\"}", NULL },
                { "{\"method\":\"m\",\"more\":true,\"oneway\":false}", NULL },
                { "{\"method\":\"m\",\"parameters\":{}}", NULL },
                { "{}", "method" },
                { "{\"method\":1}", "method" },
                { "{\"method\":null}", "method" },
                { "{\"method\":\"m\",\"parameters\":[]}", "parameters" },
                { "{\"method\":\"m\",\"parameters\":null}", "parameters" },
                { "{\"method\":\"m\",\"more\":1}", "more" },
                { "{\"method\":\"m\",\"more\":\"true\"}", "more" },
                { "{\"method\":\"m\",\"more\":null}", "more" },
                { "{\"method\":\"m\",\"more\":{}}", "more" },
                { "{\"method\":\"m\",\"oneway\":1}", "oneway" },
                { "{\"method\":\"m\",\"oneway\":\"yes\"}", "oneway" },
                { "{\"method\":\"m\",\"more\":true,\"oneway\":0}", "oneway" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct vw_varlink_request q = { .method = "untouched" };
                const char *bad = parse_request(cases[i].text, &q);

                if (cases[i].bad) {
                        ck_assert_msg(bad && streq(bad, cases[i].bad), "%s: bad=%s", cases[i].text, bad ? bad : "(none)");
                        ck_assert_str_eq(q.method, "untouched"); /* *ret is written only on success */
                } else
                        ck_assert_msg(!bad, "%s refused for %s", cases[i].text, bad);
        }
}
END_TEST

START_TEST(test_parse_request_values)
{
        json_object *o = json_tokener_parse("{\"method\":\"io.vwire.Monitor\",\"parameters\":{\"name\":\"a\"},"
                                            "\"more\":true,\"oneway\":true}");
        struct vw_varlink_request q;
        const char *bad = NULL;

        ck_assert_int_eq(vw_varlink_parse_request(o, &q, &bad), 0);
        ck_assert_str_eq(q.method, "io.vwire.Monitor");
        ck_assert(json_object_is_type(q.parameters, json_type_object));
        ck_assert(q.more && q.oneway);
        json_object_put(o);

        o = json_tokener_parse("{\"method\":\"m\"}");
        ck_assert_int_eq(vw_varlink_parse_request(o, &q, &bad), 0);
        ck_assert_ptr_null(q.parameters);
        ck_assert(!q.more && !q.oneway);
        json_object_put(o);
}
END_TEST

START_TEST(test_builders)
{
        json_object *o, *p;

        o = vw_varlink_call("io.vwire.List", NULL, false);
        assert_json(o, "{\"method\":\"io.vwire.List\",\"parameters\":{}}");
        assert_round_trip(o);
        json_object_put(o);

        p = json_object_new_object();
        json_object_object_add(p, "name", json_object_new_string("gps"));
        o = vw_varlink_call("io.vwire.Monitor", p, true);
        assert_json(o, "{\"method\":\"io.vwire.Monitor\",\"parameters\":{\"name\":\"gps\"},\"more\":true}");
        assert_round_trip(o);
        json_object_put(o);

        o = vw_varlink_reply(NULL, false);
        assert_json(o, "{\"parameters\":{}}");
        assert_round_trip(o);
        json_object_put(o);

        p = json_object_new_object();
        json_object_object_add(p, "data", json_object_new_string("0d0a"));
        o = vw_varlink_reply(p, true);
        assert_json(o, "{\"parameters\":{\"data\":\"0d0a\"},\"continues\":true}");
        assert_round_trip(o);
        json_object_put(o);

        o = vw_varlink_error("io.vwire.NoSuchObject", NULL);
        assert_json(o, "{\"error\":\"io.vwire.NoSuchObject\",\"parameters\":{}}");
        assert_round_trip(o);
        json_object_put(o);

        p = json_object_new_object();
        json_object_object_add(p, "name", json_object_new_string("a \"quoted\"\nname\t\\"));
        o = vw_varlink_error("io.vwire.InvalidParameter", p);
        assert_json(o, "{\"error\":\"io.vwire.InvalidParameter\","
                       "\"parameters\":{\"name\":\"a \\\"quoted\\\"\\nname\\t\\\\\"}}");
        assert_round_trip(o);
        json_object_put(o);
}
END_TEST

START_TEST(test_append_stream)
{
        /* several messages appended, read back in order, whatever the read sizes */
        struct vw_msgbuf out = {}, in = {};
        json_object *msgs[3];
        size_t got = 0;

        msgs[0] = vw_varlink_call("io.vwire.Send", NULL, false);
        msgs[1] = vw_varlink_reply(json_object_new_object(), true);
        msgs[2] = vw_varlink_error("io.vwire.Busy", NULL);
        for (size_t i = 0; i < ELEMENTSOF(msgs); i++)
                ck_assert_int_eq(vw_varlink_append(&out, msgs[i]), 0);
        for (size_t off = 0, step = 1; off < out.len; off += step, step = step * 2 + 1) {
                json_object *o = NULL;
                int r;

                ck_assert_int_eq(vw_msgbuf_feed(&in, out.data + off, MIN(step, out.len - off)), 0);
                while ((r = vw_msgbuf_next(&in, &o)) == 1) {
                        ck_assert_uint_lt(got, ELEMENTSOF(msgs));
                        ck_assert(json_object_equal(o, msgs[got]));
                        json_object_put(o);
                        got++;
                }
                ck_assert_int_eq(r, 0);
        }
        ck_assert_uint_eq(got, 3);
        for (size_t i = 0; i < ELEMENTSOF(msgs); i++)
                json_object_put(msgs[i]);
        vw_msgbuf_done(&out);
        vw_msgbuf_done(&in);
}
END_TEST

START_TEST(test_append_max)
{
        /* a reply too large is not appended at all, so vwired can send an error in its place */
        struct vw_msgbuf out = {};
        json_object *o = vw_varlink_reply(NULL, false); /* {"parameters":{}}: 17 bytes */

        ck_assert_int_eq(vw_varlink_append_max(&out, o, 16), -EMSGSIZE);
        ck_assert_uint_eq(out.len, 0);
        ck_assert_int_eq(vw_varlink_append_max(&out, o, 17), 0);
        ck_assert_uint_eq(out.len, 18);
        ck_assert_int_eq(out.data[17], 0);
        json_object_put(o);
        vw_msgbuf_done(&out);
}
END_TEST

/* ---- hex ---- */

START_TEST(test_hex_encode)
{
        static const unsigned char bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
        _cleanup_free_ char *e = vw_hex_encode(bytes, sizeof(bytes)), *empty = vw_hex_encode("", 0);

        ck_assert_str_eq(e, "00017f80abff");
        ck_assert_str_eq(empty, "");
}
END_TEST

START_TEST(test_hex_decode)
{
        static const struct {
                const char *in;
                const char *out; /* NULL: rejected */
                size_t len;
        } cases[] = {
                { "", "", 0 },
                { "00", "\0", 1 },
                { "deadBEEF", "\xde\xad\xbe\xef", 4 },
                { "DE:AD:be:ef", "\xde\xad\xbe\xef", 4 },
                { "de ad\tbe\nef", "\xde\xad\xbe\xef", 4 },
                { "  de  ", "\xde", 1 },
                { " : ", "", 0 },
                { "0d0a", "\r\n", 2 },
                { "abc", NULL },
                { "a", NULL },
                { "zz", NULL },
                { "0x12", NULL },
                { "12g4", NULL },
                { "d e", NULL },
                { "1:2", NULL },
                { "de-ad", NULL },
                { "de,ad", NULL },
                { "\xc3\xa9", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned char *data = (unsigned char *)"untouched";
                size_t len = 12345;
                int r = vw_hex_decode(cases[i].in, &data, &len);

                if (!cases[i].out) {
                        ck_assert_msg(r == -EINVAL, "'%s' accepted", cases[i].in);
                        ck_assert_str_eq((char *)data, "untouched");
                        ck_assert_uint_eq(len, 12345);
                        continue;
                }
                ck_assert_msg(r == (int)cases[i].len, "'%s': r=%d", cases[i].in, r);
                ck_assert_uint_eq(len, cases[i].len);
                ck_assert_mem_eq(data, cases[i].out, len);
                free(data);
        }
}
END_TEST

START_TEST(test_hex_round_trip)
{
        uint64_t seed = 7;

        for (size_t n = 0; n < 300; n += 7) {
                unsigned char in[300], *out = NULL;
                _cleanup_free_ char *hex = NULL;
                size_t len = 0;

                for (size_t i = 0; i < n; i++)
                        in[i] = (unsigned char)vw_test_rand(&seed);
                hex = vw_hex_encode(in, n);
                ck_assert_uint_eq(strlen(hex), 2 * n);
                ck_assert_int_eq(vw_hex_decode(hex, &out, &len), (int)n);
                ck_assert_uint_eq(len, n);
                ck_assert(n == 0 || memcmp(in, out, n) == 0);
                free(out);
        }
}
END_TEST

static Suite *protocol_suite(void)
{
        Suite *s = suite_create("protocol");
        TCase *tc;

        tc = vw_test_case(s, "framing");
        tcase_add_test(tc, test_one_message);
        tcase_add_test(tc, test_two_in_one_feed);
        tcase_add_test(tc, test_byte_by_byte);
        tcase_add_test(tc, test_reserve_commit);
        tcase_add_test(tc, test_empty_object);
        tcase_add_test(tc, test_not_an_object);
        tcase_add_test(tc, test_trailing_garbage);
        tcase_add_test(tc, test_empty_feed);
        tcase_add_test(tc, test_json_numbers);
        tcase_add_test(tc, test_deep_nesting);
        tcase_add_test(tc, test_cap_exact);
        tcase_add_test(tc, test_cap_exceeded);
        tcase_add_test(tc, test_drop);
        tcase_add_test(tc, test_message_start);
        tcase_add_test(tc, test_own_max);

        tc = vw_test_case(s, "strict");
        tcase_add_test(tc, test_duplicate_keys);
        tcase_add_test(tc, test_duplicate_keys_large);
        tcase_add_test(tc, test_parse_request);
        tcase_add_test(tc, test_parse_request_values);

        tc = vw_test_case(s, "builders");
        tcase_add_test(tc, test_builders);
        tcase_add_test(tc, test_append_stream);
        tcase_add_test(tc, test_append_max);

        tc = vw_test_case(s, "hex");
        tcase_add_test(tc, test_hex_encode);
        tcase_add_test(tc, test_hex_decode);
        tcase_add_test(tc, test_hex_round_trip);
        return s;
}

int main(void)
{
        return vw_test_run(protocol_suite());
}
