/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf-parse.h"


int vw_parse_string(const char *v, void *dst, const struct vw_key *k, char **err)
{
        char **p = dst, *s;

        if (!*v)
                return vw_errorf(err, "expected a value");
        s = strdup(v);
        if (!s)
                return -ENOMEM;
        free(*p);
        *p = s;
        return 0;
}

static char *runtime_dir;

void vw_conf_set_runtime_dir(const char *dir)
{
        free(runtime_dir);
        runtime_dir = dir ? strdup(dir) : NULL;
}

char *vw_conf_expand(const char *value)
{
        size_t len = strlen(value) + 1;
        char *out, *o;

        for (const char *p = value; *p; p++)
                if (p[0] == '%' && p[1] == 't')
                        len += runtime_dir ? strlen(runtime_dir) : 0;
        out = o = malloc(len);
        if (!out)
                return NULL;
        for (const char *p = value; *p; p++) {
                if (p[0] == '%' && p[1] == 't') {
                        o = stpcpy(o, runtime_dir ? runtime_dir : "");
                        p++;
                } else if (p[0] == '%' && p[1] == '%') {
                        *o++ = '%';
                        p++;
                } else {
                        *o++ = *p;
                }
        }
        *o = 0;
        return out;
}

int vw_parse_path(const char *v, void *dst, const struct vw_key *k, char **err)
{
        _cleanup_free_ char *x = vw_conf_expand(v);
        int r;

        if (!x)
                return -ENOMEM;
        if (x[0] != '/')
                return vw_errorf(err, "expected an absolute path (or one starting with %%t), got '%s'", v);
        if (strlen(x) >= PATH_MAX)
                return vw_errorf(err, "path too long");
        r = vw_parse_string(x, dst, k, err);
        return r;
}

int vw_parse_text(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct vw_bytes *b = dst;
        size_t n = 0, len = strlen(v);
        unsigned char *out = malloc(len + 1);

        if (!out)
                return -ENOMEM;
        for (const char *p = v; *p; p++) {
                if (*p != '\\') {
                        out[n++] = (unsigned char)*p;
                        continue;
                }
                p++;
                switch (*p) {
                case 'n': out[n++] = '\n'; break;
                case 'r': out[n++] = '\r'; break;
                case 't': out[n++] = '\t'; break;
                case '0': out[n++] = 0; break;
                case '\\': out[n++] = '\\'; break;
                case 'x':
                        if (isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
                                char hex[3] = { p[1], p[2], 0 };
                                out[n++] = (unsigned char)strtoul(hex, NULL, 16);
                                p += 2;
                                break;
                        }
                        free(out);
                        return vw_errorf(err, "'\\x' needs two hex digits, as in \\x0d");
                case 0:
                        free(out);
                        return vw_errorf(err, "'\\' at the end of the value (write \\\\ for a backslash)");
                default:
                        free(out);
                        return vw_errorf(err, "unknown escape '\\%c' (use \\n \\r \\t \\0 \\\\ \\xNN)", *p);
                }
        }
        free(b->data);
        b->data = out;
        b->len = n;
        return 0;
}

int vw_parse_bool(const char *v, void *dst, const struct vw_key *k, char **err)
{
        static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return *(bool *)dst = true, 0;
                if (strcasecmp(v, no[i]) == 0)
                        return *(bool *)dst = false, 0;
        }
        return vw_errorf(err, "expected yes or no, got '%s'", v);
}

int vw_parse_mode(const char *v, void *dst, const struct vw_key *k, char **err)
{
        char *end;
        unsigned long m;

        errno = 0;
        m = strtoul(v, &end, 8);
        if (!isdigit((unsigned char)*v) || *end || errno || m > 07777)
                return vw_errorf(err, "expected an octal mode such as 0660, got '%s'", v);
        *(mode_t *)dst = (mode_t)m;
        return 0;
}

/* "64K", "1M", "1.5M"? no: integers with optional K/M/G (1024-based) and optional B. */
static int parse_scaled(const char *v, uint64_t *ret)
{
        char *end;
        unsigned long long n;
        uint64_t mult = 1;

        if (!isdigit((unsigned char)*v))
                return -EINVAL;
        errno = 0;
        n = strtoull(v, &end, 10);
        if (errno)
                return -EINVAL;
        switch (toupper((unsigned char)*end)) {
        case 'K': mult = 1024ULL; end++; break;
        case 'M': mult = 1024ULL * 1024; end++; break;
        case 'G': mult = 1024ULL * 1024 * 1024; end++; break;
        }
        if (mult > 1 && toupper((unsigned char)*end) == 'I') /* KiB, MiB, GiB */
                end++;
        if (toupper((unsigned char)*end) == 'B')
                end++;
        if (*end && !streq(end, "/s"))
                return -EINVAL;
        if (n > UINT64_MAX / mult)
                return -ERANGE;
        *ret = n * mult;
        return 0;
}

int vw_parse_size(const char *v, void *dst, const struct vw_key *k, char **err)
{
        uint64_t n;

        if (parse_scaled(v, &n) < 0 || strstr(v, "/s"))
                return vw_errorf(err, "expected a size such as 4096, 64K or 1M, got '%s'", v);
        if (n > SIZE_MAX)
                return vw_errorf(err, "size '%s' too large", v);
        *(size_t *)dst = (size_t)n;
        return 0;
}

int vw_parse_rate(const char *v, void *dst, const struct vw_key *k, char **err)
{
        uint64_t n;

        if (parse_scaled(v, &n) < 0)
                return vw_errorf(err, "expected bytes per second such as 9600, 10K or 1M/s, got '%s'", v);
        *(uint64_t *)dst = n;
        return 0;
}

int vw_parse_uint(const char *v, void *dst, const struct vw_key *k, char **err)
{
        char *end;
        unsigned long n;

        errno = 0;
        n = strtoul(v, &end, 10); /* decimal: "010" is ten, not eight */
        if (!isdigit((unsigned char)*v) || *end || errno || n > UINT_MAX)
                return vw_errorf(err, "expected a non-negative number, got '%s'", v);
        *(unsigned *)dst = (unsigned)n;
        return 0;
}

int vw_parse_duration(const char *v, void *dst, const struct vw_key *k, char **err)
{
        static const struct { const char *suffix; uint64_t usec; } units[] = {
                { "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "sec", 1000000 },
                { "min", 60000000 }, { "m", 60000000 }, { "h", 3600000000ULL }, { "", 1000000 },
        };
        const char *end = v + strspn(v, "0123456789");
        double d;

        /* digits with an optional fraction, then a unit: no sign, exponent or hex that strtod would take */
        if (end == v)
                goto bad;
        if (*end == '.')
                end += 1 + strspn(end + 1, "0123456789");
        d = strtod(v, NULL);
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (streq(end, units[i].suffix)) {
                        d *= (double)units[i].usec;
                        if (d >= 18446744073709551616.0) /* 2^64: the conversion would be undefined */
                                break;
                        *(uint64_t *)dst = (uint64_t)d;
                        return 0;
                }
bad:
        return vw_errorf(err, "expected a duration such as 500ms, 2s or 1min, got '%s'", v);
}

int vw_parse_enum(const char *v, void *dst, const struct vw_key *k, char **err)
{
        const char *const *names = k->arg;
        char list[256] = "";

        for (size_t i = 0; names[i]; i++) {
                if (strcasecmp(v, names[i]) == 0)
                        return *(int *)dst = (int)i, 0;
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", names[i]);
        }
        return vw_errorf(err, "expected one of %s, got '%s'", list, v);
}

void vw_names_done(struct vw_names *n)
{
        for (size_t i = 0; i < n->n; i++)
                free(n->names[i]);
        free(n->names);
        *n = (struct vw_names){};
}

bool vw_names_contains(const struct vw_names *n, const char *name)
{
        for (size_t i = 0; i < n->n; i++)
                if (streq(n->names[i], name))
                        return true;
        return false;
}

int vw_parse_names(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct vw_names *out = dst, n = {};
        char *copy = strdup(v), *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *t = strtok_r(copy, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
                char **nn;
                if (!vw_name_is_valid(t) || vw_names_contains(&n, t)) {
                        /* t points into copy: explain before freeing it */
                        int r = vw_name_is_valid(t) ? vw_errorf(err, "'%s' is listed twice", t)
                                                    : vw_errorf(err, "invalid name '%s'", t);
                        free(copy);
                        vw_names_done(&n);
                        return r;
                }
                nn = realloc(n.names, (n.n + 1) * sizeof(char *));
                if (nn)
                        n.names = nn;
                if (!nn || !(nn[n.n] = strdup(t))) {
                        vw_names_done(&n);
                        free(copy);
                        return -ENOMEM;
                }
                n.names = nn;
                n.n++;
        }
        free(copy);
        if (n.n == 0)
                return vw_errorf(err, "expected one or more names");
        vw_names_done(out);
        *out = n;
        return 0;
}

void vw_address_done(struct vw_address *a)
{
        free(a->path);
        free(a->host);
        free(a->text);
        *a = (struct vw_address){};
}

int vw_parse_address(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct vw_address a = {}, *out = dst;

        static const struct {
                const char *prefix;
                enum vw_socket_kind kind;
        } unix_kinds[] = { { "unix:", VW_SOCK_STREAM },
                           { "unix-seqpacket:", VW_SOCK_SEQPACKET },
                           { "unix-dgram:", VW_SOCK_DGRAM } };
        size_t u = ELEMENTSOF(unix_kinds);

        for (size_t i = 0; i < ELEMENTSOF(unix_kinds); i++)
                if (strneq(v, unix_kinds[i].prefix, strlen(unix_kinds[i].prefix)))
                        u = i;
        if (u < ELEMENTSOF(unix_kinds)) {
                char *x = vw_conf_expand(v + strlen(unix_kinds[u].prefix));
                int r = 0;

                if (!x)
                        return -ENOMEM;
                if (x[0] != '/' && x[0] != '@')
                        r = vw_errorf(err, "expected %s/absolute/path (or %s@abstract), got '%s'", unix_kinds[u].prefix,
                                      unix_kinds[u].prefix, v);
                else if (strlen(x) >= 108)
                        r = vw_errorf(err, "unix socket path longer than 107 bytes: '%s'", x);
                if (r < 0) {
                        free(x);
                        return r;
                }
                a.family = VW_ADDR_UNIX;
                a.kind = unix_kinds[u].kind;
                a.path = x;
        } else if (strneq(v, "tcp:", 4) || strneq(v, "udp:", 4)) {
                /* "tcp" or "udp": the same HOST:PORT after it */
                const char *proto = strneq(v, "udp:", 4) ? "UDP" : "TCP", *h = v + 4, *colon;
                char *end;
                unsigned long port;

                if (*h == '[') {
                        const char *close = strchr(h, ']');
                        if (!close || close == h + 1 || close[1] != ':')
                                return vw_errorf(err, "expected %.3s:[IPV6]:PORT, got '%s'", v, v);
                        a.host = strndup(h + 1, (size_t)(close - h - 1));
                        colon = close + 1;
                } else {
                        colon = strrchr(h, ':');
                        if (!colon || colon == h)
                                return vw_errorf(err, "expected %.3s:HOST:PORT, got '%s'", v, v);
                        a.host = strndup(h, (size_t)(colon - h));
                }
                if (!a.host)
                        return -ENOMEM;
                errno = 0;
                port = strtoul(colon + 1, &end, 10);
                if (!colon[1] || *end || errno || port == 0 || port > 65535) {
                        vw_address_done(&a);
                        return vw_errorf(err, "invalid %s port in '%s' (1..65535)", proto, v);
                }
                a.family = proto[0] == 'U' ? VW_ADDR_UDP : VW_ADDR_TCP;
                a.kind = proto[0] == 'U' ? VW_SOCK_DGRAM : VW_SOCK_STREAM;
                a.port = (uint16_t)port;
        } else {
                return vw_errorf(err,
                                 "expected unix:PATH, unix-seqpacket:PATH, unix-dgram:PATH, tcp:HOST:PORT or "
                                 "udp:HOST:PORT, got '%s'",
                                 v);
        }
        a.text = strdup(v);
        if (!a.text) {
                vw_address_done(&a);
                return -ENOMEM;
        }
        vw_address_done(out);
        *out = a;
        return 0;
}

int vw_parse_user(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct passwd *pw = getpwnam(v);
        char *end;
        unsigned long n;

        if (pw)
                return *(uid_t *)dst = pw->pw_uid, 0;
        n = strtoul(v, &end, 10);
        if (isdigit((unsigned char)*v) && !*end)
                return *(uid_t *)dst = (uid_t)n, 0;
        return vw_errorf(err, "no such user '%s'", v);
}

int vw_parse_group(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct group *gr = getgrnam(v);
        char *end;
        unsigned long n;

        if (gr)
                return *(gid_t *)dst = gr->gr_gid, 0;
        n = strtoul(v, &end, 10);
        if (isdigit((unsigned char)*v) && !*end)
                return *(gid_t *)dst = (gid_t)n, 0;
        return vw_errorf(err, "no such group '%s'", v);
}

static const struct vw_key *find_key(const struct vw_key *keys, const char *name)
{
        for (; keys && keys->name; keys++)
                if (streq(keys->name, name))
                        return keys;
        return NULL;
}

static bool in_list(const char *const *list, const char *s)
{
        for (; list && *list; list++)
                if (streq(*list, s))
                        return true;
        return false;
}

int vw_keys_apply(const struct vw_key *keys, const struct vw_section *s, const char *const *skip, void *dst,
                  struct vw_errors *errs)
{
        size_t before = errs->n;
        char label[128];

        for (size_t i = 0; i < s->n_settings; i++) {
                const struct vw_setting *st = &s->settings[i];
                const struct vw_key *k = find_key(keys, st->key);
                char *err = NULL;

                if (in_list(skip, st->key))
                        continue;
                if (!k) {
                        vw_errors_add(errs, vw_setting_file(s, st), st->line, "unknown key '%s' in [%s]", st->key,
                                      vw_section_label(s, label, sizeof(label)));
                        continue;
                }
                if (k->parse(st->value, (char *)dst + k->offset, k, &err) < 0) {
                        vw_errors_add(errs, vw_setting_file(s, st), st->line, "%s: %s", st->key,
                                      err ? err : "invalid value");
                        free(err);
                }
        }
        for (const struct vw_key *k = keys; k && k->name; k++)
                if (k->required && !vw_section_get(s, k->name))
                        vw_errors_add(errs, s->file, s->line, "[%s] needs '%s'",
                                      vw_section_label(s, label, sizeof(label)), k->name);
        return errs->n > before ? -EINVAL : 0;
}

void vw_keys_free(const struct vw_key *keys, void *dst)
{
        for (const struct vw_key *k = keys; k && k->name; k++) {
                void *f = (char *)dst + k->offset;
                if (k->parse == vw_parse_string || k->parse == vw_parse_path) {
                        free(*(char **)f);
                        *(char **)f = NULL;
                } else if (k->parse == vw_parse_names) {
                        vw_names_done(f);
                } else if (k->parse == vw_parse_address) {
                        vw_address_done(f);
                } else if (k->parse == vw_parse_text) {
                        free(((struct vw_bytes *)f)->data);
                        *(struct vw_bytes *)f = (struct vw_bytes){};
                }
        }
}
