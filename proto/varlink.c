/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "varlink.h"

void vw_msgbuf_done(struct vw_msgbuf *b)
{
        if (b->tok)
                json_tokener_free(b->tok);
        free(b->data);
        *b = (struct vw_msgbuf){ .max = b->max };
}

char *vw_msgbuf_reserve(struct vw_msgbuf *b, size_t want)
{
        /* an empty buffer has no storage yet: even a reservation of 0 bytes gets some, so the
         * caller never computes NULL + 0 */
        if (b->cap - b->len < want || !b->data) {
                size_t ncap = MAX(b->cap * 2, b->len + want);
                char *n;

                ncap = MAX(ncap, (size_t)4096);
                n = realloc(b->data, ncap);
                if (!n)
                        return NULL;
                b->data = n;
                b->cap = ncap;
        }
        return b->data + b->len;
}

static size_t msgbuf_max(const struct vw_msgbuf *b)
{
        return b->max ? b->max : VW_VARLINK_MAX_MESSAGE;
}

/* An incoming buffer that holds no NUL within the cap can never become a valid message. */
static int check_cap(const struct vw_msgbuf *b)
{
        size_t max = msgbuf_max(b);

        if (b->len <= max)
                return 0;
        return memchr(b->data, 0, max + 1) ? 0 : -EMSGSIZE;
}

int vw_msgbuf_commit(struct vw_msgbuf *b, size_t n)
{
        b->len += n;
        return check_cap(b);
}

int vw_msgbuf_feed(struct vw_msgbuf *b, const void *data, size_t len)
{
        char *p;

        if (len == 0)
                return 0;
        p = vw_msgbuf_reserve(b, len);
        if (!p)
                return -ENOMEM;
        memcpy(p, data, len);
        return vw_msgbuf_commit(b, len);
}

void vw_msgbuf_drop(struct vw_msgbuf *b, size_t n)
{
        if (n >= b->len) {
                b->len = 0;
                return;
        }
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
}

int vw_msgbuf_next(struct vw_msgbuf *b, json_object **ret)
{
        json_tokener *tok;
        json_object *obj;
        char *end;
        size_t n;

        if (b->len == 0)
                return 0;
        end = memchr(b->data, 0, b->len);
        if (!end)
                return check_cap(b);
        n = (size_t)(end - b->data);

        if (!b->tok) {
                b->tok = json_tokener_new();
                if (!b->tok)
                        return -ENOMEM;
                /* no trailing commas, comments or invalid UTF-8: whatever we pass on must be JSON again */
                json_tokener_set_flags(b->tok, JSON_TOKENER_STRICT
#ifdef JSON_TOKENER_VALIDATE_UTF8
                                                       | JSON_TOKENER_VALIDATE_UTF8
#endif
                );
        }
        tok = b->tok;
        json_tokener_reset(tok);
        obj = json_tokener_parse_ex(tok, b->data, (int)n);
        /* The whole message must be one complete object, nothing after it (the tokener eats whitespace). */
        if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
            (size_t)json_tokener_get_parse_end(tok) != n ||
            !json_object_is_type(obj, json_type_object)) {
                json_object_put(obj);
                vw_msgbuf_drop(b, n + 1);
                return -EBADMSG;
        }
        /* json-c reads NaN, Infinity and -.5 even in strict mode; they are not JSON (RFC 8259 §6) */
        if (!vw_json_numbers_valid(obj)) {
                json_object_put(obj);
                vw_msgbuf_drop(b, n + 1);
                return -EBADMSG;
        }
        if (vw_json_has_duplicate_keys(b->data, n, obj)) {
                json_object_put(obj);
                vw_msgbuf_drop(b, n + 1);
                return -ENOTUNIQ;
        }
        vw_msgbuf_drop(b, n + 1);
        *ret = obj;
        return 1;
}

bool vw_msgbuf_has_message(const struct vw_msgbuf *b)
{
        return b->len > 0 && memchr(b->data, 0, b->len);
}

size_t vw_msgbuf_message_start(const struct vw_msgbuf *b, size_t at)
{
        const char *nul;

        if (at == 0 || b->len == 0)
                return 0;
        nul = memrchr(b->data, 0, MIN(at, b->len));
        return nul ? (size_t)(nul - b->data) + 1 : 0;
}

static bool is_json_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Keys in JSON text are the strings followed by a colon. The text parsed, so every string in
 * it is well-formed and a backslash always escapes the next character. */
static size_t count_text_keys(const char *s, size_t n)
{
        size_t keys = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] != '"')
                        continue;
                for (i++; i < n && s[i] != '"'; i++)
                        if (s[i] == '\\')
                                i++;
                while (i + 1 < n && is_json_space(s[i + 1]))
                        i++;
                if (i + 1 < n && s[i + 1] == ':')
                        keys++;
        }
        return keys;
}

/* json-c's parser limits the depth (32 by default), which bounds this recursion. */
static size_t count_tree_keys(json_object *o)
{
        size_t keys = 0;

        if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, k, v) {
                        (void)k;
                        keys += 1 + count_tree_keys(v);
                }
        } else if (json_object_is_type(o, json_type_array)) {
                size_t n = json_object_array_length(o);

                for (size_t i = 0; i < n; i++)
                        keys += count_tree_keys(json_object_array_get_idx(o, i));
        }
        return keys;
}

static bool skip_digits(const char **s)
{
        const char *p = *s;

        while (**s >= '0' && **s <= '9')
                (*s)++;
        return *s > p;
}

/* RFC 8259 §6: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
static bool is_json_number(const char *s)
{
        if (*s == '-')
                s++;
        if (*s == '0')
                s++;
        else if (!skip_digits(&s))
                return false;
        if (*s == '.') {
                s++;
                if (!skip_digits(&s))
                        return false;
        }
        if (*s == 'e' || *s == 'E') {
                s++;
                if (*s == '+' || *s == '-')
                        s++;
                if (!skip_digits(&s))
                        return false;
        }
        return *s == '\0';
}

/* Same recursion bound as count_tree_keys(). A double keeps the text it was read from, which is
 * what goes out again: that text must be a JSON number (json-c also reads NaN, Infinity, -.5, 1.). */
bool vw_json_numbers_valid(json_object *o)
{
        if (json_object_is_type(o, json_type_double)) {
                const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
                return text && is_json_number(text);
        }
        if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, k, v) {
                        (void)k;
                        if (!vw_json_numbers_valid(v))
                                return false;
                }
        } else if (json_object_is_type(o, json_type_array)) {
                size_t n = json_object_array_length(o);

                for (size_t i = 0; i < n; i++)
                        if (!vw_json_numbers_valid(json_object_array_get_idx(o, i)))
                                return false;
        }
        return true;
}

bool vw_json_has_duplicate_keys(const char *text, size_t len, json_object *parsed)
{
        return count_text_keys(text, len) != count_tree_keys(parsed);
}

static int get_optional_bool(json_object *msg, const char *key, bool *ret)
{
        json_object *v;

        if (!json_object_object_get_ex(msg, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_boolean)) /* null too: "more": null is no answer */
                return -EINVAL;
        *ret = json_object_get_boolean(v);
        return 0;
}

int vw_varlink_parse_request(json_object *msg, struct vw_varlink_request *ret, const char **ret_bad)
{
        struct vw_varlink_request q = {};
        json_object *v;

        if (!json_object_object_get_ex(msg, "method", &v) || !json_object_is_type(v, json_type_string))
                return *ret_bad = "method", -EINVAL;
        q.method = json_object_get_string(v);
        if (json_object_object_get_ex(msg, "parameters", &v)) {
                if (!json_object_is_type(v, json_type_object))
                        return *ret_bad = "parameters", -EINVAL;
                q.parameters = v;
        }
        if (get_optional_bool(msg, "more", &q.more) < 0)
                return *ret_bad = "more", -EINVAL;
        if (get_optional_bool(msg, "oneway", &q.oneway) < 0)
                return *ret_bad = "oneway", -EINVAL;
        *ret = q;
        return 0;
}

int vw_varlink_append(struct vw_msgbuf *out, json_object *obj)
{
        return vw_varlink_append_max(out, obj, SIZE_MAX - 1);
}

int vw_varlink_append_max(struct vw_msgbuf *out, json_object *obj, size_t max)
{
        size_t len;
        const char *s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &len);
        char *p;

        if (!s)
                return -ENOMEM;
        if (len > max)
                return -EMSGSIZE;
        p = vw_msgbuf_reserve(out, len + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p, s, len);
        p[len] = 0;
        out->len += len + 1;
        return 0;
}

#define REPLY_INT_KEY_MAX 63

/* The decimal digits of v at p (at most a sign and 20); their count. */
static size_t format_int64(char *p, int64_t v)
{
        uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
        char digits[20];
        size_t n = 0, len = 0;

        do {
                digits[n++] = (char)('0' + u % 10);
                u /= 10;
        } while (u);
        if (v < 0)
                p[len++] = '-';
        while (n)
                p[len++] = digits[--n];
        return len;
}

static size_t put(char *p, const char *s, size_t n)
{
        memcpy(p, s, n);
        return n;
}

static bool plain_key(const char *k)
{
        size_t n = strlen(k);

        if (n == 0 || n > REPLY_INT_KEY_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') ||
                      k[i] == '_'))
                        return false;
        return true;
}

int vw_varlink_append_reply_ints(struct vw_msgbuf *out, size_t n, const char *const keys[], const int64_t values[])
{
        /* {"parameters":{ + n * ("key": + 21 digits, a comma) + }} and the NUL */
        size_t len = 0, max = 15 + VW_REPLY_INTS_MAX * (REPLY_INT_KEY_MAX + 25) + 3;
        char *p;

        if (n > VW_REPLY_INTS_MAX)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!plain_key(keys[i]))
                        return -EINVAL;
        p = vw_msgbuf_reserve(out, max);
        if (!p)
                return -ENOMEM;
        len += put(p + len, "{\"parameters\":{", 15);
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        p[len++] = ',';
                p[len++] = '"';
                len += put(p + len, keys[i], strlen(keys[i]));
                len += put(p + len, "\":", 2);
                len += format_int64(p + len, values[i]);
        }
        len += put(p + len, "}}", 3); /* with the NUL */
        out->len += len;
        return 0;
}

json_object *vw_varlink_call(const char *method, json_object *parameters, bool more)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "method", json_object_new_string(method));
        json_object_object_add(o, "parameters", parameters ? parameters : json_object_new_object());
        if (more)
                json_object_object_add(o, "more", json_object_new_boolean(true));
        return o;
}

json_object *vw_varlink_reply(json_object *parameters, bool continues)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "parameters", parameters ? parameters : json_object_new_object());
        if (continues)
                json_object_object_add(o, "continues", json_object_new_boolean(true));
        return o;
}

json_object *vw_varlink_error(const char *error, json_object *parameters)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "error", json_object_new_string(error));
        json_object_object_add(o, "parameters", parameters ? parameters : json_object_new_object());
        return o;
}

void vw_doctor_check_add(json_object *checks, const char *check, const char *status, const char *object,
                         const char *fix, const char *fmt, ...)
{
        json_object *o = json_object_new_object();
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        json_object_object_add(o, "check", json_object_new_string(check));
        json_object_object_add(o, "status", json_object_new_string(status));
        json_object_object_add(o, "message", json_object_new_string(msg));
        if (fix)
                json_object_object_add(o, "fix", json_object_new_string(fix));
        if (object)
                json_object_object_add(o, "object", json_object_new_string(object));
        json_object_array_add(checks, o);
}

char *vw_hex_encode(const void *data, size_t len)
{
        static const char digits[] = "0123456789abcdef";
        const unsigned char *p = data;
        char *s = malloc(len * 2 + 1);

        if (!s)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                s[2 * i] = digits[p[i] >> 4];
                s[2 * i + 1] = digits[p[i] & 15];
        }
        s[len * 2] = 0;
        return s;
}

static int unhex(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int vw_hex_decode(const char *hex, unsigned char **ret, size_t *ret_len)
{
        size_t n = 0, cap = strlen(hex) / 2 + 1;
        unsigned char *buf = malloc(cap);
        int hi = -1;

        if (!buf)
                return -ENOMEM;
        for (const char *p = hex; *p; p++) {
                int v;

                if (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t') {
                        if (hi >= 0) /* a separator between the two digits of a byte: "1 2" is not 0x12 */
                                break;
                        continue;
                }
                v = unhex(*p);
                if (v < 0) {
                        free(buf);
                        return -EINVAL;
                }
                if (hi < 0) {
                        hi = v;
                        continue;
                }
                buf[n++] = (unsigned char)(hi << 4 | v);
                hi = -1;
        }
        if (hi >= 0) { /* odd number of digits, or a byte split by a separator */
                free(buf);
                return -EINVAL;
        }
        *ret = buf;
        *ret_len = n;
        return (int)n;
}
