/* SPDX-License-Identifier: MIT */
/* Unit tests for proto/flat.c, the fast way for flat calls: what it takes, what it leaves to the
 * general way, and that what it takes reads the same to json-c (tests/flat-agree.c). */
#include <string.h>

#include "flat-agree.h"
#include "flat.h"
#include "macro.h"
#include "test-common.h"
#include "varlink.h"

/* Parse s both ways; returns whether the fast way took it (then they must agree). */
static bool takes(struct vw_flat *f, const char *s)
{
        bool taken;
        const char *why = vw_flat_disagreement(f, s, strlen(s), &taken);

        ck_assert_msg(!why, "%s: %s", s, why);
        return taken;
}

START_TEST(test_event_call)
{
        _cleanup_(vw_flat_done) struct vw_flat f = {};
        const struct vw_flat_value *v;

        ck_assert(takes(&f, "{\"method\": \"io.vwire.Event\", \"parameters\": {\"name\": \"kbd0\", "
                            "\"type\": \"EV_KEY\", \"code\": \"KEY_A\", \"value\": 1}}"));
        ck_assert_str_eq(vw_flat_method(&f), "io.vwire.Event");
        ck_assert(!f.more && !f.oneway);
        ck_assert_str_eq(vw_flat_string(&f, vw_flat_param(&f, "name")), "kbd0");
        ck_assert_str_eq(vw_flat_string(&f, vw_flat_param(&f, "code")), "KEY_A");
        v = vw_flat_param(&f, "value");
        ck_assert_ptr_nonnull(v);
        ck_assert_int_eq(v->type, VW_FLAT_INT);
        ck_assert_int_eq(v->i, 1);
        ck_assert_ptr_null(vw_flat_param(&f, "events"));
        ck_assert_ptr_null(vw_flat_string(&f, v)); /* an integer has no text */
}
END_TEST

START_TEST(test_scalars_and_flags)
{
        _cleanup_(vw_flat_done) struct vw_flat f = {};
        const struct vw_flat_value *v;

        ck_assert(takes(&f, "{\"oneway\":true,\"method\":\"io.vwire.X\",\"more\":false,"
                            "\"parameters\":{\"a\":null,\"b\":true,\"c\":-9223372036854775807,\"d\":\"\",\"e\":0}}"));
        ck_assert(f.oneway && !f.more);
        ck_assert_int_eq(vw_flat_param(&f, "a")->type, VW_FLAT_NULL);
        v = vw_flat_param(&f, "b");
        ck_assert(v->type == VW_FLAT_BOOL && v->i == 1);
        ck_assert_int_eq(vw_flat_param(&f, "c")->i, -INT64_MAX);
        ck_assert_str_eq(vw_flat_string(&f, vw_flat_param(&f, "d")), "");
        /* no parameters at all, an escape that decodes to ASCII, whitespace of JSON */
        ck_assert(takes(&f, " {\"method\":\"io.vwire.Hello\"}\r\n\t"));
        ck_assert_uint_eq(f.n_params, 0);
        ck_assert(takes(&f, "{\"method\":\"io.vwire.Show\",\"parameters\":{\"na\\u006de\":\"k\\/b\\\"d\"}}"));
        ck_assert_str_eq(vw_flat_string(&f, vw_flat_param(&f, "name")), "k/b\"d");
        ck_assert(takes(&f, "{\"method\":\"m\",\"parameters\":{\"a\":\"\\\\ud83d\"}}"));
        ck_assert_str_eq(vw_flat_string(&f, vw_flat_param(&f, "a")), "\\ud83d");
        ck_assert(takes(&f, "{\"method\":\"m\",\"more\":true,\"parameters\":{}}"));
        ck_assert(f.more);
}
END_TEST

START_TEST(test_lists)
{
        _cleanup_(vw_flat_done) struct vw_flat f = {};
        const struct vw_flat_value *list, *other;

        ck_assert(takes(&f, "{\"method\":\"io.vwire.Event\",\"parameters\":{\"name\":\"kbd0\",\"events\":["
                            "{\"type\":\"EV_KEY\",\"code\":30,\"value\":1},{\"type\":0,\"code\":0,\"value\":0}],"
                            "\"x\":[],\"y\":[{}]}}"));
        list = vw_flat_param(&f, "events");
        ck_assert_int_eq(list->type, VW_FLAT_LIST);
        ck_assert_uint_eq(list->n, 2);
        ck_assert_str_eq(vw_flat_string(&f, vw_flat_item(&f, list, 0, "type")), "EV_KEY");
        ck_assert_int_eq(vw_flat_item(&f, list, 0, "code")->i, 30);
        ck_assert_int_eq(vw_flat_item(&f, list, 1, "type")->i, 0);
        ck_assert_ptr_null(vw_flat_item(&f, list, 2, "type"));
        ck_assert_ptr_null(vw_flat_item(&f, list, 0, "nothing"));
        ck_assert_uint_eq(vw_flat_param(&f, "x")->n, 0);
        other = vw_flat_param(&f, "y");
        ck_assert_uint_eq(other->n, 1);
        ck_assert_ptr_null(vw_flat_item(&f, other, 0, "type"));
        /* a second parse reuses the storage and forgets the first */
        ck_assert(takes(&f, "{\"method\":\"m\",\"parameters\":{\"events\":[{\"a\":1}]}}"));
        ck_assert_uint_eq(vw_flat_param(&f, "events")->n, 1);
        ck_assert_ptr_null(vw_flat_param(&f, "name"));
}
END_TEST

/* Everything below goes the general way: the fast way declines, whatever json-c makes of it. */
START_TEST(test_declined)
{
        static const char *const msgs[] = {
                "",
                " ",
                "[]",
                "1",
                "\"m\"",
                "null",
                "{}",
                "{\"parameters\":{}}",
                "{\"method\":1}",
                "{\"method\":null}",
                "{\"method\":\"m\",\"more\":1}",
                "{\"method\":\"m\",\"oneway\":null}",
                "{\"method\":\"m\",\"parameters\":null}",
                "{\"method\":\"m\",\"parameters\":[]}",
                "{\"method\":\"m\",\"upgrade\":true}",
                "{\"method\":\"m\",\"method\":\"m\"}", /* a key twice */
                "{\"method\":\"m\",\"parameters\":{\"a\":1,\"a\":1}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":1,\"\\u0061\":1}}",
                "{\"method\":\"m\",\"parameters\":{\"e\":[{\"a\":1,\"a\":2}]}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":{}}}", /* nested */
                "{\"method\":\"m\",\"parameters\":{\"a\":[1]}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":[[]]}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":[{\"b\":[]}]}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":[{\"b\":{}}]}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":1.5}}", /* numbers */
                "{\"method\":\"m\",\"parameters\":{\"a\":1e3}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":9223372036854775808}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":-9223372036854775809}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":-9223372036854775808}}", /* yajl: overflow */
                "{\"method\":\"m\",\"parameters\":{\"a\":01}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":NaN}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":\"\\u00e9\"}}", /* not ASCII */
                "{\"method\":\"m\",\"parameters\":{\"a\":\"\xc3\xa9\"}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":\"\\u0000\"}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":\"\\ud83d[ude00\"}}", /* yajl: '?' */
                "{\"method\":\"m\",\"parameters\":{\"a\":\"\\ud83d\\ude00\"}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":\"\\u007f\"}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":\"\\n\"}}",
                "{\"method\":\"m\",\"parameters\":{\"a\":\"\t\"}}",
                "{\"method\":\"m\"}\f",
                "\v{\"method\":\"m\"}", /* whitespace elsewhere */
                "{\"method\":\"m\"} {}",
                "{\"method\":\"m\"}x",
                "{\"method\":\"m\"}\"",
                "{\"method\":\"m\"} 1",
                "{\"method\":\"m\"}t",
                "{\"method\":\"m\",}", /* after it */
                "{\"method\":\"m\" /* c */}",
                "{'method':'m'}",
                "{\"method\":\"m\"",
        };
        _cleanup_(vw_flat_done) struct vw_flat f = {};

        for (size_t i = 0; i < ELEMENTSOF(msgs); i++)
                ck_assert_msg(!takes(&f, msgs[i]), "taken: %s", msgs[i]);
}
END_TEST

START_TEST(test_limits)
{
        _cleanup_(vw_flat_done) struct vw_flat f = {};
        _cleanup_free_ char *big = NULL;
        char msg[4096];
        size_t len, cap = 64 + (VW_FLAT_MAX_ITEMS + 1) * 8;

        /* VW_FLAT_MAX_PARAMS keys, then one more */
        for (unsigned n = VW_FLAT_MAX_PARAMS; n <= VW_FLAT_MAX_PARAMS + 1; n++) {
                len = (size_t)snprintf(msg, sizeof(msg), "{\"method\":\"m\",\"parameters\":{");
                for (unsigned i = 0; i < n; i++)
                        len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s\"k%u\":%u", i ? "," : "", i, i);
                snprintf(msg + len, sizeof(msg) - len, "}}");
                ck_assert_int_eq(takes(&f, msg), n == VW_FLAT_MAX_PARAMS);
        }
        /* item keys */
        for (unsigned n = VW_FLAT_MAX_ITEM_KEYS; n <= VW_FLAT_MAX_ITEM_KEYS + 1; n++) {
                len = (size_t)snprintf(msg, sizeof(msg), "{\"method\":\"m\",\"parameters\":{\"e\":[{");
                for (unsigned i = 0; i < n; i++)
                        len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s\"k%u\":%u", i ? "," : "", i, i);
                snprintf(msg + len, sizeof(msg) - len, "}]}}");
                ck_assert_int_eq(takes(&f, msg), n == VW_FLAT_MAX_ITEM_KEYS);
        }
        /* items, over all lists */
        big = malloc(cap);
        ck_assert_ptr_nonnull(big);
        for (unsigned n = VW_FLAT_MAX_ITEMS; n <= VW_FLAT_MAX_ITEMS + 1; n++) {
                len = (size_t)snprintf(big, cap, "{\"method\":\"m\",\"parameters\":{\"e\":[");
                for (unsigned i = 0; i < n; i++)
                        len += (size_t)snprintf(big + len, cap - len, "%s{}", i ? "," : "");
                snprintf(big + len, cap - len, "]}}");
                ck_assert_int_eq(takes(&f, big), n == VW_FLAT_MAX_ITEMS);
        }
}
END_TEST

/* vw_varlink_append_reply_ints writes what json-c writes for the same tree. */
START_TEST(test_reply_ints)
{
        static const char *const keys[] = { "events", "busy_usec", "a_1", "Z" };
        static const int64_t values[][4] = { { 0, 0, 0, 0 }, { 2, 1000, -1, 9 }, { INT64_MAX, INT64_MIN, 10, -10 } };

        for (size_t n = 0; n <= ELEMENTSOF(keys); n++)
                for (size_t v = 0; v < ELEMENTSOF(values); v++) {
                        _cleanup_(vw_msgbuf_done) struct vw_msgbuf fast = {}, tree = {};
                        json_object *p = json_object_new_object(), *reply;

                        for (size_t i = 0; i < n; i++)
                                json_object_object_add(p, keys[i], json_object_new_int64(values[v][i]));
                        reply = vw_varlink_reply(p, false);
                        ck_assert_int_eq(vw_varlink_append(&tree, reply), 0);
                        json_object_put(reply);
                        ck_assert_int_eq(vw_varlink_append_reply_ints(&fast, n, keys, values[v]), 0);
                        ck_assert_uint_eq(fast.len, tree.len);
                        ck_assert_mem_eq(fast.data, tree.data, tree.len);
                }
}
END_TEST

START_TEST(test_reply_ints_refused)
{
        static const char *const bad[] = { "", "a b", "a\"", "\xc3\xa9",
                                           "a234567890123456789012345678901234567890123456789012345678901234" };
        static const char *const nine[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i" };
        _cleanup_(vw_msgbuf_done) struct vw_msgbuf out = {};
        int64_t v[9] = {};

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_int_eq(vw_varlink_append_reply_ints(&out, 1, &bad[i], v), -EINVAL);
        ck_assert_int_eq(vw_varlink_append_reply_ints(&out, 9, nine, v), -EINVAL);
        ck_assert_uint_eq(out.len, 0);
}
END_TEST

static Suite *flat_suite(void)
{
        Suite *s = suite_create("flat");
        TCase *tc;

        tc = vw_test_case(s, "parse");
        tcase_add_test(tc, test_event_call);
        tcase_add_test(tc, test_scalars_and_flags);
        tcase_add_test(tc, test_lists);
        tcase_add_test(tc, test_declined);
        tcase_add_test(tc, test_limits);
        tc = vw_test_case(s, "reply");
        tcase_add_test(tc, test_reply_ints);
        tcase_add_test(tc, test_reply_ints_refused);
        return s;
}

int main(void)
{
        return vw_test_run(flat_suite());
}
