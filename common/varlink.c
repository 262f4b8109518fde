/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
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
        *b = (struct vw_msgbuf){};
}

char *vw_msgbuf_reserve(struct vw_msgbuf *b, size_t want)
{
        if (b->cap - b->len < want) {
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

/* An incoming buffer that holds no NUL within the cap can never become a valid message. */
static int check_cap(const struct vw_msgbuf *b)
{
        if (b->len <= VW_VARLINK_MAX_MESSAGE)
                return 0;
        return memchr(b->data, 0, VW_VARLINK_MAX_MESSAGE + 1) ? 0 : -EMSGSIZE;
}

int vw_msgbuf_commit(struct vw_msgbuf *b, size_t n)
{
        b->len += n;
        return check_cap(b);
}

int vw_msgbuf_feed(struct vw_msgbuf *b, const void *data, size_t len)
{
        char *p = vw_msgbuf_reserve(b, len);

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
        vw_msgbuf_drop(b, n + 1);
        *ret = obj;
        return 1;
}

int vw_varlink_append(struct vw_msgbuf *out, json_object *obj)
{
        size_t len;
        const char *s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &len);

        if (!s)
                return -ENOMEM;
        char *p = vw_msgbuf_reserve(out, len + 1);
        if (!p)
                return -ENOMEM;
        memcpy(p, s, len);
        p[len] = 0;
        out->len += len + 1;
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
