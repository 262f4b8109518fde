/* SPDX-License-Identifier: MIT */
/* The io.vwire methods of the daemon itself: Hello, Status, List, Show, Add, Remove, Send, Reload,
 * and org.varlink.service. Backends add theirs through struct vw_endpoint_ops.methods. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "endpoint.h"
#include "list.h"
#include "log.h"
#include "manager.h"
#include "manager-persist.h"
#include "varlink.h"

#include "control-internal.h"

/* ---- methods ---- */

static json_object *hello_params(void)
{
        json_object *p = json_object_new_object();

        json_object_object_add(p, "version", json_object_new_string(VWIRE_VERSION));
        json_object_object_add(p, "protocol", json_object_new_int(VWIRE_PROTOCOL));
        json_object_object_add(p, "pid", json_object_new_int(getpid()));
        return p;
}

/*
 * Hello names the client's release and protocol. A client may send its first call right behind
 * it (vwirectl does: one round trip); so when Hello fails, every later call on the connection is
 * refused too (server.c), and nothing runs on a daemon the client would not talk to. "strict":
 * the releases must match as well, not only the protocol.
 */
static void method_hello(struct vw_call *cl, json_object *params)
{
        const char *version = vw_call_get_string(params, "version");
        json_object *proto, *strict;

        if (!version || !json_object_object_get_ex(params, "protocol", &proto) ||
            !json_object_is_type(proto, json_type_int)) {
                cl->mismatched = true;
                return vw_call_invalid_parameter(cl, version ? "protocol" : "version");
        }
        if (json_object_get_int(proto) != VWIRE_PROTOCOL ||
            (json_object_object_get_ex(params, "strict", &strict) && json_object_get_boolean(strict) &&
             !streq(version, VWIRE_VERSION))) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "client_version", json_object_new_string(version));
                json_object_object_add(p, "client_protocol", json_object_new_int(json_object_get_int(proto)));
                json_object_object_add(p, "daemon_version", json_object_new_string(VWIRE_VERSION));
                json_object_object_add(p, "daemon_protocol", json_object_new_int(VWIRE_PROTOCOL));
                cl->mismatched = true;
                return vw_call_error(cl, "io.vwire.VersionMismatch", p);
        }
        cl->mismatched = false;
        vw_call_reply(cl, hello_params());
}

static void method_status(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        const struct vw_config *c = vw_manager_config(m);
        json_object *p = hello_params(), *files = json_object_new_array();
        uint64_t now = 0, rx = 0, tx = 0, dropped = 0;

        (void)sd_event_now(vw_manager_event(m), CLOCK_MONOTONIC, &now);
        for (size_t i = 0; c && i < c->n_files; i++)
                json_object_array_add(files, json_object_new_string(c->files[i]));
        for (size_t i = 0; i < vw_manager_n_endpoints(m); i++) {
                struct vw_counters k;
                vw_port_get_counters(vw_manager_endpoint(m, i)->port, &k);
                rx += k.rx_bytes;
                tx += k.tx_bytes;
                dropped += k.dropped_bytes;
        }
        json_object_object_add(p, "uptime_usec", json_object_new_int64((int64_t)(now - vw_manager_start_time(m))));
        json_object_object_add(p, "config_files", files);
        json_object_object_add(p, "control_socket", json_object_new_string(vw_manager_control_path(m)));
        json_object_object_add(p, "endpoints", json_object_new_int64((int64_t)vw_manager_n_endpoints(m)));
        json_object_object_add(p, "routes", json_object_new_int64((int64_t)vw_manager_n_routes(m)));
        json_object_object_add(p, "clients", json_object_new_int64(cl->control->n_clients));
        json_object_object_add(p, "rx_bytes", json_object_new_int64((int64_t)rx));
        json_object_object_add(p, "tx_bytes", json_object_new_int64((int64_t)tx));
        json_object_object_add(p, "dropped_bytes", json_object_new_int64((int64_t)dropped));
        json_object_object_add(p, "calls", json_object_new_int64((int64_t)cl->control->n_calls));
        json_object_object_add(p, "flat_calls", json_object_new_int64((int64_t)cl->control->n_flat_calls));
        vw_call_reply(cl, p);
}

static void method_list(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        json_object *p = json_object_new_object(), *eps = json_object_new_array(), *rts = json_object_new_array();

        for (size_t i = 0; i < vw_manager_n_endpoints(m); i++)
                json_object_array_add(eps, vw_endpoint_to_json(vw_manager_endpoint(m, i), false));
        for (size_t i = 0; i < vw_manager_n_routes(m); i++)
                json_object_array_add(rts, vw_mroute_to_json(vw_manager_route(m, i)));
        json_object_object_add(p, "endpoints", eps);
        json_object_object_add(p, "routes", rts);
        vw_call_reply(cl, p);
}

void vw_call_no_such(struct vw_call *cl, const char *name)
{
        vw_call_fail(cl, "io.vwire.NoSuchObject", "name", name);
}

static void method_show(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        const char *name = vw_call_get_string(params, "name");
        struct vw_endpoint *ep;
        struct vw_mroute *r;
        json_object *p;

        if (!name)
                return vw_call_invalid_parameter(cl, "name");
        ep = vw_manager_find_endpoint(m, name);
        r = vw_manager_find_route(m, name);
        if (!ep && !r)
                return vw_call_no_such(cl, name);
        p = json_object_new_object();
        if (ep)
                json_object_object_add(p, "endpoint", vw_endpoint_to_json(ep, true));
        if (r)
                json_object_object_add(p, "route", vw_mroute_to_json(r));
        vw_call_reply(cl, p);
}

void vw_call_errno(struct vw_call *cl, int r, const char *name, const char *error)
{
        switch (r) {
        case -ENOENT:
                return vw_call_no_such(cl, name);
        case -EEXIST:
                return vw_call_fail(cl, "io.vwire.ObjectExists", "name", name);
        case -EINVAL:
                return vw_call_fail(cl, "io.vwire.InvalidConfig", "message", error);
        case -EPERM:
                return vw_call_fail(cl, "io.vwire.PermissionDenied", "message", error ? error : strerror(-r));
        case -EBADF: /* a descriptor that does not fit the request */
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", error ? error : strerror(-r));
        default:
                return vw_call_fail(cl, "io.vwire.Failed", "message", error ? error : strerror(-r));
        }
}

/* ---- Add: what a client may put into a section ---- */

static bool has_control_chars(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        return true;
        return false;
}

/* s with control characters as \xNN, cut to fit: for messages that name a bad key. */
static const char *escaped(const char *s, char *buf, size_t size)
{
        size_t n = 0;

        for (; *s && n + 5 < size; s++)
                n += (unsigned char)*s < 0x20 || *s == 0x7f
                             ? (size_t)snprintf(buf + n, size - n, "\\x%02x", (unsigned char)*s)
                             : (size_t)snprintf(buf + n, size - n, "%c", *s);
        buf[n] = 0;
        return buf;
}

#define CONTROL_RULE "control characters (0x00-0x1f, 0x7f) are not allowed " \
                     "(rule: no control characters in names, keys or values)"

/* A string parameter, whole: a C string would end at an embedded \u0000 and hide it. */
static int add_get_name(struct vw_call *cl, json_object *params, const char *key, const char **ret)
{
        json_object *v;

        if (!json_object_object_get_ex(params, key, &v) || !json_object_is_type(v, json_type_string)) {
                vw_call_invalid_parameter(cl, key);
                return -EINVAL;
        }
        if (has_control_chars(json_object_get_string(v), (size_t)json_object_get_string_len(v)))
                return call_failf(cl, "io.vwire.InvalidArgument", "%s: " CONTROL_RULE, key);
        *ret = json_object_get_string(v);
        return 0;
}

static int cmp_strp(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Each key once, found by sorting (a json-c object has unique keys, but the check must not
 * depend on that, nor take quadratic time). */
static int add_check_unique(struct vw_call *cl, const char **keys, size_t n)
{
        qsort(keys, n, sizeof(*keys), cmp_strp);
        for (size_t i = 1; i < n; i++)
                if (streq(keys[i - 1], keys[i]))
                        return call_failf(cl, "io.vwire.InvalidArgument", "settings: '%s' is given twice", keys[i]);
        return 0;
}

static int add_check_settings(struct vw_call *cl, json_object *settings)
{
        size_t n = settings ? (size_t)json_object_object_length(settings) : 0, i = 0;
        _cleanup_free_ const char **keys = NULL;
        char buf[128];

        if (n > MAX_SETTINGS)
                return call_failf(cl, "io.vwire.InvalidArgument",
                                  "settings: %zu given, at most %d (rule: an Add takes at most %d settings)", n,
                                  MAX_SETTINGS, MAX_SETTINGS);
        if (n == 0)
                return 0;
        keys = calloc(n, sizeof(*keys));
        if (!keys)
                return call_failf(cl, "io.vwire.Failed", "out of memory");
        json_object_object_foreach(settings, key, val) {
                if (json_object_is_type(val, json_type_object) || json_object_is_type(val, json_type_array) ||
                    json_object_is_type(val, json_type_null)) {
                        vw_call_invalid_parameter(cl, "settings");
                        return -EINVAL;
                }
                if (has_control_chars(key, strlen(key)))
                        return call_failf(cl, "io.vwire.InvalidArgument", "settings: key '%s': " CONTROL_RULE,
                                          escaped(key, buf, sizeof(buf)));
                if (has_control_chars(json_object_get_string(val), (size_t)json_object_get_string_len(val)))
                        return call_failf(cl, "io.vwire.InvalidArgument", "settings: %s: " CONTROL_RULE " in the value",
                                          key);
                keys[i++] = key;
        }
        return add_check_unique(cl, keys, i);
}

/* Whose the section is, and the descriptor it came with. A section of a client below the full
 * tier keeps the caller: its names are checked with the caller's rights (common/caller.h). */
static int add_set_origin(struct vw_call *cl, struct vw_section *s, json_object *params)
{
        json_object *v;
        int64_t index;

        if (cl->tier != TIER_FULL && !(s->caller = vw_caller_dup(&cl->caller)))
                return call_failf(cl, "io.vwire.Failed", "out of memory");
        if (!json_object_object_get_ex(params, "fd", &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_int)) {
                vw_call_invalid_parameter(cl, "fd");
                return -EINVAL;
        }
        if (!streq(s->kind, "file"))
                return call_failf(cl, "io.vwire.InvalidArgument", "fd: only a [file] endpoint takes a descriptor");
        index = json_object_get_int64(v);
        s->fd = index >= 0 && index <= INT_MAX ? vw_call_take_fd(cl, (int)index) : -EBADF;
        if (s->fd < 0) {
                s->fd = -1;
                return call_failf(cl, "io.vwire.InvalidArgument",
                                  "fd: no descriptor %" PRId64 " came with this message (pass it with SCM_RIGHTS)", index);
        }
        return 0;
}

/* The section an Add describes, checked (docs/SECURITY.md): no control characters anywhere, at
 * most MAX_SETTINGS settings, each key once. Replies the error itself. */
static int add_section(struct vw_call *cl, json_object *params, struct vw_section **ret)
{
        _cleanup_(vw_section_freep) struct vw_section *s = NULL;
        const char *kind, *name;
        json_object *settings = NULL;
        int r;

        if (add_get_name(cl, params, "kind", &kind) < 0 || add_get_name(cl, params, "name", &name) < 0)
                return -EINVAL;
        if (json_object_object_get_ex(params, "settings", &settings) && !json_object_is_type(settings, json_type_object)) {
                vw_call_invalid_parameter(cl, "settings");
                return -EINVAL;
        }
        r = add_check_settings(cl, settings);
        if (r < 0)
                return r;
        s = vw_section_new(kind, name, "vwirectl add", 0);
        if (!s)
                return call_failf(cl, "io.vwire.Failed", "out of memory");
        if (settings) {
                json_object_object_foreach(settings, key, val)
                        if (vw_section_set(s, key, json_object_get_string(val), 0) < 0)
                                return call_failf(cl, "io.vwire.Failed", "out of memory");
        }
        r = add_set_origin(cl, s, params);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

/* ---- what a member may touch: what it added ---- */

#define MEMBER_MAX_OBJECTS 64          /* objects one member uid may have at a time */
#define MEMBER_MAX_BUFFER (1024u * 1024u) /* per route lane */

static bool added_by(const struct vw_section *s, const struct vw_caller *who)
{
        return s && s->caller && s->caller->uid == who->uid;
}

static const struct vw_section *object_section(struct vw_manager *m, const char *name)
{
        struct vw_endpoint *ep = vw_manager_find_endpoint(m, name);
        struct vw_mroute *r = vw_manager_find_route(m, name);

        return ep ? ep->section : r ? r->section : NULL;
}

/* Members send into, route and remove only objects they added: a route from someone else's
 * port to one of theirs would read what Monitor refuses to show, a Send would type into it. */
static int member_may_touch(struct vw_call *cl, const char *what, const char *name)
{
        const struct vw_section *s;

        if (vw_call_is_full(cl))
                return 0;
        s = object_section(cl->control->manager, name);
        if (!s || added_by(s, &cl->caller))
                return 0; /* absent: the method says NoSuchObject */
        return call_failf(cl, "io.vwire.PermissionDenied",
                          "uid %u may not %s '%s': it was not added by uid %u (rule: a member of group vwire "
                          "acts only on the objects it added)", (unsigned)cl->caller.uid, what, name,
                          (unsigned)cl->caller.uid);
}

/* A member's Add: its routes join only its own endpoints; bounded count and buffers. */
static int member_add_limits(struct vw_call *cl, const struct vw_section *s)
{
        struct vw_manager *m = cl->control->manager;
        size_t mine = 0;
        int r;

        if (vw_call_is_full(cl))
                return 0;
        for (size_t i = 0; i < vw_manager_n_endpoints(m); i++)
                mine += added_by(vw_manager_endpoint(m, i)->section, &cl->caller);
        for (size_t i = 0; i < vw_manager_n_routes(m); i++)
                mine += added_by(vw_manager_route(m, i)->section, &cl->caller);
        if (mine >= MEMBER_MAX_OBJECTS)
                return call_failf(cl, "io.vwire.PermissionDenied",
                                  "uid %u has %zu objects (rule: a member of group vwire adds at most %u)",
                                  (unsigned)cl->caller.uid, mine, MEMBER_MAX_OBJECTS);
        if (!streq(s->kind, "route"))
                return 0;
        for (size_t i = 0; i < s->n_settings; i++) {
                const struct vw_setting *st = &s->settings[i];
                _cleanup_free_ char *err = NULL;
                struct vw_names n = {};
                size_t buffer;

                if (streq(st->key, "buffer") && vw_parse_size(st->value, &buffer, NULL, &err) >= 0 &&
                    buffer > MEMBER_MAX_BUFFER)
                        return call_failf(cl, "io.vwire.PermissionDenied",
                                          "route %s: buffer %s is over %u KiB (rule: a member's route lanes are "
                                          "at most 1 MiB)", s->name, st->value, MEMBER_MAX_BUFFER / 1024);
                if ((!streq(st->key, "from") && !streq(st->key, "to")) || vw_parse_names(st->value, &n, NULL, &err) < 0)
                        continue;
                for (size_t j = 0; j < n.n; j++)
                        if ((r = member_may_touch(cl, "route", n.names[j])) < 0) {
                                vw_names_done(&n);
                                return r;
                        }
                vw_names_done(&n);
        }
        return 0;
}

/* After the object exists: write the drop-in (--persist), then answer. */
static void add_finish(struct vw_call *cl, const char *name, const char *text)
{
        _cleanup_free_ char *error = NULL, *file = NULL;
        json_object *p;
        int r;

        if (text && (r = vw_persist_add_commit(cl->control->manager, name, text, &file, &error)) < 0) {
                _cleanup_free_ char *ignored = NULL;
                (void)vw_manager_remove(cl->control->manager, name, &ignored); /* all or nothing */
                return vw_call_persist_error(cl, r, name, error);
        }
        p = json_object_new_object();
        json_object_object_add(p, "name", json_object_new_string(name));
        if (file)
                json_object_object_add(p, "file", json_object_new_string(file));
        vw_call_reply(cl, p);
}

/* An Add whose device appears later (a CUSE node): the reply waits for it. */
struct add_wait {
        struct vw_call *cl;
        char *name, *text;
        size_t out_before;
};

static void add_wait_free(void *userdata)
{
        struct add_wait *w = userdata;

        free(w->name);
        free(w->text);
        free(w);
}

static void add_started(void *userdata, int r, const char *error)
{
        struct add_wait *w = userdata;

        if (r < 0) {
                _cleanup_free_ char *ignored = NULL;
                (void)vw_manager_remove(w->cl->control->manager, w->name, &ignored); /* all or nothing */
                vw_call_errno(w->cl, r == -EEXIST || r == -ENOENT ? -EIO : r, w->name, error);
        } else {
                add_finish(w->cl, w->name, w->text);
        }
        vw_call_release(w->cl, w->out_before);
        add_wait_free(w);
}

static void method_add(struct vw_call *cl, json_object *params)
{
        _cleanup_(vw_section_freep) struct vw_section *s = NULL;
        _cleanup_free_ char *error = NULL, *text = NULL;
        struct add_wait *w;
        bool persist;
        int r;

        if (add_section(cl, params, &s) < 0)
                return;
        if (member_add_limits(cl, s) < 0)
                return;
        if (vw_call_get_persist(cl, params, &persist) < 0)
                return;
        if (persist && (r = vw_persist_add_prepare(cl->control->manager, s, &text, &error)) < 0)
                return vw_call_persist_error(cl, r, s->name, error);
        r = vw_manager_add(cl->control->manager, s, &error);
        if (r < 0)
                return vw_call_errno(cl, r, s->name, error);
        w = calloc(1, sizeof(*w));
        if (!w || !(w->name = strdup(s->name))) {
                free(w);
                return add_finish(cl, s->name, text);
        }
        w->cl = cl;
        w->text = TAKE_PTR(text);
        w->out_before = cl->out.len;
        r = vw_manager_when_started(cl->control->manager, s->name, add_started, add_wait_free, w, cl);
        if (r > 0)
                return vw_call_hold(cl);
        add_finish(cl, s->name, w->text);
        add_wait_free(w);
}

static void method_remove(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        const char *name = vw_call_get_string(params, "name");
        _cleanup_free_ char *error = NULL, *file = NULL;
        json_object *out = NULL;
        bool persist;
        int r;

        if (!name)
                return vw_call_invalid_parameter(cl, "name");
        if (member_may_touch(cl, "remove", name) < 0)
                return;
        if (vw_call_get_persist(cl, params, &persist) < 0)
                return;
        if (persist && (r = vw_persist_remove_prepare(m, name, &file, &error)) < 0)
                return vw_call_persist_error(cl, r, name, error);
        r = vw_manager_remove(m, name, &error);
        if (r == -EBUSY) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "name", json_object_new_string(name));
                json_object_object_add(p, "by", vw_manager_routes_using(m, name));
                return vw_call_error(cl, "io.vwire.InUse", p);
        }
        if (r < 0)
                return vw_call_errno(cl, r, name, error);
        if (file && (r = vw_persist_remove_commit(m, file, &error)) < 0)
                return vw_call_persist_error(cl, r, name, error);
        if (file) {
                out = json_object_new_object();
                json_object_object_add(out, "file", json_object_new_string(file));
        }
        vw_call_reply(cl, out);
}

static void method_send(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        const char *name = vw_call_get_string(params, "name"), *hex = vw_call_get_string(params, "hex"), *text = vw_call_get_string(params, "text");
        _cleanup_free_ unsigned char *data = NULL;
        _cleanup_free_ char *error = NULL;
        struct vw_endpoint *ep;
        size_t len = 0;
        json_object *p;
        int r;

        if (!name)
                return vw_call_invalid_parameter(cl, "name");
        if (!!hex == !!text)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "give exactly one of hex or text");
        ep = vw_manager_find_endpoint(m, name);
        if (!ep)
                return vw_call_no_such(cl, name);
        if (member_may_touch(cl, "send to", name) < 0)
                return;
        if (hex && vw_hex_decode(hex, &data, &len) < 0)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "hex: not a hex string");
        r = vw_manager_send(m, ep, hex ? (const void *)data : text, hex ? len : strlen(text), &error);
        if (r < 0)
                return vw_call_errno(cl, r, name, error);
        if (error)
                return vw_call_fail(cl, "io.vwire.Failed", "message", error);
        p = json_object_new_object();
        json_object_object_add(p, "bytes", json_object_new_int(r));
        vw_call_reply(cl, p);
}

struct reload_wait {
        struct vw_call *cl;
        json_object *result;
        size_t out_before;
};

static void reload_wait_free(void *userdata)
{
        struct reload_wait *w = userdata;

        json_object_put(w->result);
        free(w);
}

/* Endpoints the reload started whose device appears later: answered when they are there. A
 * late failure is reported; the reload is not undone (the endpoint shows as failed). */
static void reload_started(void *userdata, int r, const char *error)
{
        struct reload_wait *w = userdata;

        if (r < 0)
                vw_call_fail(w->cl, "io.vwire.Failed", "message", error ? error : strerror(-r));
        else
                vw_call_reply(w->cl, TAKE_PTR(w->result));
        vw_call_release(w->cl, w->out_before);
        reload_wait_free(w);
}

static void method_reload(struct vw_call *cl, json_object *params)
{
        _cleanup_free_ char *error = NULL;
        json_object *result = NULL;
        struct reload_wait *w;
        int r;

        log_info("reload requested by pid %d (uid %u)", (int)cl->caller.pid, (unsigned)cl->caller.uid);
        r = vw_manager_reload(cl->control->manager, &result, &error);
        if (r < 0)
                return vw_call_fail(cl, r == -EINVAL ? "io.vwire.InvalidConfig" : "io.vwire.Failed", "message",
                                     error ? error : strerror(-r));
        w = calloc(1, sizeof(*w));
        if (!w)
                return vw_call_reply(cl, result);
        *w = (struct reload_wait){ .cl = cl, .result = result, .out_before = cl->out.len };
        r = vw_manager_when_started(cl->control->manager, NULL, reload_started, reload_wait_free, w, cl);
        if (r > 0)
                return vw_call_hold(cl);
        w->result = NULL;
        reload_wait_free(w);
        vw_call_reply(cl, result);
}

/* Who may watch an object's traffic (docs/SECURITY.md, R8): it carries what people type. */
static void method_get_info(struct vw_call *cl, json_object *params)
{
        json_object *p = json_object_new_object(), *ifaces = json_object_new_array();

        json_object_object_add(p, "vendor", json_object_new_string("vwire"));
        json_object_object_add(p, "product", json_object_new_string("vwired"));
        json_object_object_add(p, "version", json_object_new_string(VWIRE_VERSION));
        json_object_object_add(p, "url", json_object_new_string("man:vwired(8)"));
        json_object_array_add(ifaces, json_object_new_string("org.varlink.service"));
        json_object_array_add(ifaces, json_object_new_string(VW_INTERFACE));
        json_object_object_add(p, "interfaces", ifaces);
        vw_call_reply(cl, p);
}

static const char service_description[] =
        "# The Varlink Service Interface is provided by every varlink service.\n"
        "interface org.varlink.service\n\n"
        "method GetInfo() -> (vendor: string, product: string, version: string, url: string, interfaces: []string)\n"
        "method GetInterfaceDescription(interface: string) -> (description: string)\n\n"
        "error InterfaceNotFound (interface: string)\n"
        "error MethodNotFound (method: string)\n"
        "error MethodNotImplemented (method: string)\n"
        "error InvalidParameter (parameter: string)\n";

static void method_get_description(struct vw_call *cl, json_object *params)
{
        const char *iface = vw_call_get_string(params, "interface");
        json_object *p;

        if (!iface)
                return vw_call_invalid_parameter(cl, "interface");
        if (!streq(iface, VW_INTERFACE) && !streq(iface, "org.varlink.service"))
                return vw_call_fail(cl, "org.varlink.service.InterfaceNotFound", "interface", iface);
        p = json_object_new_object();
        json_object_object_add(p, "description", json_object_new_string(streq(iface, VW_INTERFACE)
                                                                          ? vw_interface_description
                                                                          : service_description));
        vw_call_reply(cl, p);
}

static const struct vw_method core_methods[] = {
        { "org.varlink.service.GetInfo", method_get_info },
        { "org.varlink.service.GetInterfaceDescription", method_get_description },
        { "io.vwire.Hello", method_hello },
        { "io.vwire.Status", method_status },
        { "io.vwire.List", method_list },
        { "io.vwire.Show", method_show },
        { "io.vwire.Add", method_add, true },
        { "io.vwire.Remove", method_remove, true },
        { "io.vwire.Send", method_send, true },
        { "io.vwire.Reload", method_reload, true },
        { "io.vwire.Monitor", NULL },
        {}
};

extern const struct vw_method vw_doctor_methods[];

static const struct vw_method *const method_tables[] = {
        core_methods,
        vw_doctor_methods,
        NULL,
};

static const struct vw_method *lookup_method(const char *name)
{
        for (const struct vw_method *const *t = method_tables; *t; t++)
                for (const struct vw_method *mt = *t; mt->name; mt++)
                        if (streq(mt->name, name))
                                return mt;
        for (size_t i = 0; vw_backends[i]; i++)
                for (const struct vw_method *mt = vw_backends[i]->methods; mt && mt->name; mt++)
                        if (streq(mt->name, name))
                                return mt;
        return NULL;
}

/* The daemon's own tables, then every backend's (struct vw_endpoint_ops.methods). The tables
 * are constant: the last method found is kept, as a client calling fast calls one method. */
const struct vw_method *find_method(const char *name)
{
        static const struct vw_method *last;

        if (!last || !streq(last->name, name)) {
                const struct vw_method *mt = lookup_method(name);

                if (!mt)
                        return NULL;
                last = mt;
        }
        return last;
}

struct vw_endpoint *vw_call_find_endpoint(struct vw_call *c, const char *name)
{
        return vw_manager_find_endpoint(c->control->manager, name);
}

