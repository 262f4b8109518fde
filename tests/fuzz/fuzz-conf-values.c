/* SPDX-License-Identifier: MIT */
/*
 * common/conf-parse.c: the typed value parsers (vw_parse_*) that every config key and every
 * runtime Add goes through. The first byte picks the parser, the rest is the value.
 * Invariants (the parser contract of conf-parse.h and test-conf-parse.c): on failure the output
 * is untouched and there is an explanation; on success there is none, and the value written
 * back in canonical form parses to the same value.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/types.h>

#include "conf-parse.h"
#include "conffile.h"
#include "fuzz.h"
#include "macro.h"

static const char *const enum_names[] = { "block", "drop-new", "drop-old", NULL };
static const struct vw_key enum_key = { "overflow", vw_parse_enum, 0, enum_names };

union value {
        bool b;
        mode_t mode;
        size_t size;
        uint64_t u64;
        unsigned u;
        int i;
        uid_t uid;
        gid_t gid;
        char *s;
        struct vw_bytes bytes;
        struct vw_names names;
        struct vw_address addr;
        unsigned char raw[64];
};

struct parser {
        vw_key_parse_t parse;
        const struct vw_key *key;
        bool owns_memory; /* the output holds pointers: start from zero, free afterwards */
};

static const struct parser parsers[] = {
        { vw_parse_string, NULL, true },   { vw_parse_path, NULL, true },   { vw_parse_text, NULL, true },
        { vw_parse_bool, NULL, false },    { vw_parse_mode, NULL, false },  { vw_parse_size, NULL, false },
        { vw_parse_rate, NULL, false },    { vw_parse_uint, NULL, false },  { vw_parse_duration, NULL, false },
        { vw_parse_enum, &enum_key, false }, { vw_parse_names, NULL, true }, { vw_parse_address, NULL, true },
        { vw_parse_user, NULL, false },    { vw_parse_group, NULL, false },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        vw_conf_set_runtime_dir("/run/vwire");
        return 0;
}

static void free_value(const struct parser *p, union value *v)
{
        if (p->parse == vw_parse_string || p->parse == vw_parse_path)
                free(v->s);
        else if (p->parse == vw_parse_text)
                free(v->bytes.data);
        else if (p->parse == vw_parse_names)
                vw_names_done(&v->names);
        else if (p->parse == vw_parse_address)
                vw_address_done(&v->addr);
}

/* Parse text; enforce the contract; returns the parser's result. */
static int parse_checked(const struct parser *p, const char *text, union value *out)
{
        union value before;
        char *err = NULL;
        int r;

        memset(out, p->owns_memory ? 0 : 0xa5, sizeof(*out));
        before = *out;
        r = p->parse(text, out, p->key, &err);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
                FUZZ_CHECK(memcmp(&before, out, sizeof(*out)) == 0);
                FUZZ_CHECK(r == -ENOMEM || (err && err[0]));
        } else {
                FUZZ_CHECK(r == 0);
                FUZZ_CHECK(!err);
        }
        free(err);
        return r;
}

/* The value in a form the parser must read back to the same value, or NULL to skip. */
static char *canonical(const struct parser *p, const union value *v)
{
        char *s = NULL;
        FILE *f;
        size_t len;

        if (p->parse == vw_parse_size)
                return asprintf(&s, "%zu", v->size) < 0 ? NULL : s;
        if (p->parse == vw_parse_rate)
                return asprintf(&s, "%" PRIu64, v->u64) < 0 ? NULL : s;
        if (p->parse == vw_parse_uint)
                return asprintf(&s, "%u", v->u) < 0 ? NULL : s;
        if (p->parse == vw_parse_mode)
                return asprintf(&s, "0%o", (unsigned)v->mode) < 0 ? NULL : s;
        if (p->parse == vw_parse_bool)
                return strdup(v->b ? "yes" : "no");
        if (p->parse == vw_parse_enum)
                return strdup(enum_names[v->i]);
        if (p->parse == vw_parse_address)
                return strdup(v->addr.text);
        if (p->parse == vw_parse_string)
                return strdup(v->s);
        if (p->parse == vw_parse_text) {
                f = open_memstream(&s, &len);
                FUZZ_CHECK(f);
                for (size_t i = 0; i < v->bytes.len; i++) {
                        unsigned char c = v->bytes.data[i];
                        if (c == '\\' || c < 0x20 || c >= 0x7f)
                                fprintf(f, "\\x%02x", c);
                        else
                                fputc(c, f);
                }
                FUZZ_CHECK(fclose(f) == 0);
                return s;
        }
        if (p->parse == vw_parse_names) {
                f = open_memstream(&s, &len);
                FUZZ_CHECK(f);
                for (size_t i = 0; i < v->names.n; i++)
                        fprintf(f, "%s%s", i ? ", " : "", v->names.names[i]);
                FUZZ_CHECK(fclose(f) == 0);
                return s;
        }
        return NULL; /* path: expansion is not idempotent; duration: a double; user/group: NSS */
}

static void check_same(const struct parser *p, const union value *a, const union value *b)
{
        if (p->parse == vw_parse_size)
                FUZZ_CHECK(a->size == b->size);
        else if (p->parse == vw_parse_rate)
                FUZZ_CHECK(a->u64 == b->u64);
        else if (p->parse == vw_parse_uint)
                FUZZ_CHECK(a->u == b->u);
        else if (p->parse == vw_parse_mode)
                FUZZ_CHECK(a->mode == b->mode);
        else if (p->parse == vw_parse_bool)
                FUZZ_CHECK(a->b == b->b);
        else if (p->parse == vw_parse_enum)
                FUZZ_CHECK(a->i == b->i);
        else if (p->parse == vw_parse_string)
                FUZZ_CHECK(strcmp(a->s, b->s) == 0);
        else if (p->parse == vw_parse_text)
                FUZZ_CHECK(a->bytes.len == b->bytes.len &&
                           (a->bytes.len == 0 || memcmp(a->bytes.data, b->bytes.data, a->bytes.len) == 0));
        else if (p->parse == vw_parse_names) {
                FUZZ_CHECK(a->names.n == b->names.n);
                for (size_t i = 0; i < a->names.n; i++)
                        FUZZ_CHECK(strcmp(a->names.names[i], b->names.names[i]) == 0);
        } else if (p->parse == vw_parse_address) {
                FUZZ_CHECK(a->addr.family == b->addr.family);
                FUZZ_CHECK(a->addr.port == b->addr.port);
                FUZZ_CHECK(!a->addr.path == !b->addr.path && (!a->addr.path || streq(a->addr.path, b->addr.path)));
                FUZZ_CHECK(!a->addr.host == !b->addr.host && (!a->addr.host || streq(a->addr.host, b->addr.host)));
        }
}

/* What a successful parse promises about its value. */
static void check_value(const struct parser *p, const char *text, const union value *v)
{
        if (p->parse == vw_parse_path) {
                FUZZ_CHECK(v->s && v->s[0] == '/' && strlen(v->s) < PATH_MAX);
        } else if (p->parse == vw_parse_mode) {
                FUZZ_CHECK(v->mode <= 07777);
        } else if (p->parse == vw_parse_enum) {
                FUZZ_CHECK(v->i >= 0 && v->i < (int)ELEMENTSOF(enum_names) - 1);
                FUZZ_CHECK(strcasecmp(text, enum_names[v->i]) == 0);
        } else if (p->parse == vw_parse_names) {
                FUZZ_CHECK(v->names.n > 0);
                for (size_t i = 0; i < v->names.n; i++) {
                        FUZZ_CHECK(vw_name_is_valid(v->names.names[i]));
                        for (size_t j = 0; j < i; j++)
                                FUZZ_CHECK(!streq(v->names.names[i], v->names.names[j]));
                }
        } else if (p->parse == vw_parse_address) {
                FUZZ_CHECK(v->addr.text && streq(v->addr.text, text));
                if (v->addr.family == VW_ADDR_UNIX)
                        FUZZ_CHECK(v->addr.path && strlen(v->addr.path) < 108 &&
                                   (v->addr.path[0] == '/' || v->addr.path[0] == '@') &&
                                   strneq(text,
                                          v->addr.kind == VW_SOCK_SEQPACKET ? "unix-seqpacket:"
                                          : v->addr.kind == VW_SOCK_DGRAM   ? "unix-dgram:"
                                                                            : "unix:",
                                          v->addr.kind == VW_SOCK_SEQPACKET ? 15
                                          : v->addr.kind == VW_SOCK_DGRAM   ? 11
                                                                            : 5));
                else
                        FUZZ_CHECK((v->addr.family == VW_ADDR_TCP || v->addr.family == VW_ADDR_UDP) &&
                                   v->addr.kind == (v->addr.family == VW_ADDR_UDP ? VW_SOCK_DGRAM : VW_SOCK_STREAM) &&
                                   v->addr.host && v->addr.host[0] && v->addr.port > 0 &&
                                   strneq(text, v->addr.family == VW_ADDR_UDP ? "udp:" : "tcp:", 4));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const struct parser *p = &parsers[fuzz_take_byte(&data, &size) % ELEMENTSOF(parsers)];
        char *text = fuzz_strndup(data, size);
        union value v, again;

        if (parse_checked(p, text, &v) == 0) {
                char *c;

                check_value(p, text, &v);
                c = canonical(p, &v);
                if (c) {
                        FUZZ_CHECK(parse_checked(p, c, &again) == 0);
                        check_same(p, &v, &again);
                        free_value(p, &again);
                        free(c);
                }
                free_value(p, &v);
        }
        /* %t and %% expansion never shortens a value more than its specifiers allow */
        if (p->parse == vw_parse_path) {
                char *x = vw_conf_expand(text);
                FUZZ_CHECK(x);
                FUZZ_CHECK(strlen(x) >= strlen(text) / 2);
                free(x);
        }
        free(text);
        return 0;
}
