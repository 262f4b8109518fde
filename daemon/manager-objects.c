/* SPDX-License-Identifier: MIT */
/* Endpoints and routes: validation, creation, removal, reload by difference, JSON views. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "conf-parse.h"
#include "config.h"
#include "log.h"
#include "manager-internal.h"
#include "reload-plan.h"
#include "input-convert.h"

#define DEFAULT_ROUTE_BUFFER (64u * 1024u)
/* `vwirectl send` delivers a message whole or not at all: the largest a control message can carry. */
#define INJECT_BUFFER (2u * 1024u * 1024u)

static const char *const overflow_names[] = { "block", "drop-new", "drop-old", NULL };

struct route_config {
        struct vw_names from, to;
        bool duplex;
        int overflow;
        size_t buffer;
        char *convert;  /* converter on the from -> to lane (input-convert.h) */
        char *layout;   /* its keyboard layout (text-to-keys) */
};

static const struct vw_key route_keys[] = {
        { "from", vw_parse_names, offsetof(struct route_config, from), NULL, true },
        { "to", vw_parse_names, offsetof(struct route_config, to), NULL, true },
        { "duplex", vw_parse_bool, offsetof(struct route_config, duplex) },
        { "overflow", vw_parse_enum, offsetof(struct route_config, overflow), overflow_names },
        { "buffer", vw_parse_size, offsetof(struct route_config, buffer) },
        { "convert", vw_parse_string, offsetof(struct route_config, convert) },
        { "layout", vw_parse_string, offsetof(struct route_config, layout) },
        {}
};

static bool is_endpoint_kind(const char *kind)
{
        return !streq(kind, "daemon") && !streq(kind, "route");
}

/* convert= and layout=: checked by making the converter once. */
static void route_check_convert(const struct vw_section *s, const struct route_config *rc, struct vw_errors *errs)
{
        const struct vw_setting *st = vw_section_get(s, rc->convert ? "convert" : "layout");
        _cleanup_free_ char *msg = NULL;
        struct vw_converter c = {};

        if (!rc->convert) {
                vw_errors_add(errs, s->file, st->line, "layout: needs convert = text-to-keys");
                return;
        }
        if (vw_converter_new(rc->convert, NULL, &c, &msg) < 0) {
                vw_errors_add(errs, s->file, st->line, "convert: %s", msg ?: "out of memory");
                return;
        }
        vw_converter_done(&c);
        if (rc->layout && vw_converter_new(rc->convert, rc->layout, &c, &msg) < 0) {
                vw_errors_add(errs, s->file, vw_section_get(s, "layout")->line, "layout: %s",
                              msg ?: "out of memory");
                return;
        }
        vw_converter_done(&c);
}

/* Parse a route section; endpoints named must be in `c` (a config) or running (when c is NULL). */
static int route_parse(struct vw_manager *m, const struct vw_config *c, const struct vw_section *s,
                       struct route_config *rc, struct vw_errors *errs)
{
        size_t before = errs->n;

        *rc = (struct route_config){ .overflow = VW_OVERFLOW_BLOCK, .buffer = DEFAULT_ROUTE_BUFFER };
        if (vw_keys_apply(route_keys, s, NULL, rc, errs) < 0)
                goto out;
        if (rc->buffer < VW_RING_MIN_CAPACITY || rc->buffer > VW_RING_MAX_CAPACITY)
                vw_errors_add(errs, s->file, vw_section_get(s, "buffer")->line,
                              "buffer: must be between %u bytes and %uM", VW_RING_MIN_CAPACITY, VW_RING_MAX_CAPACITY >> 20);
        if (rc->convert || rc->layout)
                route_check_convert(s, rc, errs);
        for (int side = 0; side < 2; side++) {
                const struct vw_names *n = side ? &rc->to : &rc->from;
                const struct vw_setting *st = vw_section_get(s, side ? "to" : "from");

                for (size_t i = 0; i < n->n; i++) {
                        const struct vw_section *target = c ? vw_config_find_name(c, n->names[i]) : NULL;
                        bool running = vw_manager_find_endpoint(m, n->names[i]) != NULL;

                        if (c && target && !is_endpoint_kind(target->kind))
                                vw_errors_add(errs, s->file, st->line, "%s: '%s' is a %s, not an endpoint",
                                              st->key, n->names[i], target->kind);
                        else if (!(c && target) && !running)
                                vw_errors_add(errs, s->file, st->line, "%s: no endpoint named '%s'", st->key,
                                              n->names[i]);
                        if (side == 1 && vw_names_contains(&rc->from, n->names[i]))
                                vw_errors_add(errs, s->file, st->line, "to: '%s' is also in 'from'", n->names[i]);
                }
        }
out:
        if (errs->n > before) {
                vw_keys_free(route_keys, rc);
                return -EINVAL;
        }
        return 0;
}

/* The file an endpoint section would make, as its backend says; NULL if none (or a bad section,
 * which the backend's own checks report). */
static char *section_claim(const struct vw_section *s, const struct vw_setting **st)
{
        _cleanup_(vw_errors_done) struct vw_errors ignored = {};
        const struct vw_endpoint_ops *ops;

        if (!is_endpoint_kind(s->kind) || !(ops = vw_backend_for_section(s, &ignored)) || !ops->claim)
                return NULL;
        return ops->claim(s, st);
}

struct claim {
        char *path;
        const struct vw_section *s;
        const struct vw_setting *st;
        size_t order;
};

static int cmp_claim(const void *a, const void *b)
{
        const struct claim *x = a, *y = b;
        int r = strcmp(x->path, y->path);

        return r ? r : (x->order > y->order) - (x->order < y->order);
}

/* Sorted, so 1000 ports cost n log n, not n squared. */
static void check_claims(const struct vw_config *c, struct vw_errors *errs)
{
        struct claim *v = calloc(c->n_sections ? c->n_sections : 1, sizeof(*v));
        size_t n = 0;

        if (!v)
                return;
        for (size_t i = 0; i < c->n_sections; i++) {
                const struct vw_setting *st = NULL;
                char *p = section_claim(c->sections[i], &st);
                if (p)
                        v[n++] = (struct claim){ .path = p, .s = c->sections[i], .st = st, .order = i };
        }
        qsort(v, n, sizeof(*v), cmp_claim);
        for (size_t i = 1; i < n; i++) {
                size_t first = i - 1;
                while (first > 0 && streq(v[first - 1].path, v[i].path))
                        first--;
                if (!streq(v[first].path, v[i].path))
                        continue;
                vw_errors_add(errs, vw_setting_file(v[i].s, v[i].st), v[i].st->line,
                              "%s: %s is already used by [%s %s] at %s:%u", v[i].st->key, v[i].path, v[first].s->kind,
                              v[first].s->name, vw_setting_file(v[first].s, v[first].st), v[first].st->line);
        }
        for (size_t i = 0; i < n; i++)
                free(v[i].path);
        free(v);
}

int manager_validate(struct vw_manager *m, const struct vw_config *c, struct vw_errors *errs)
{
        size_t before = errs->n;

        for (size_t i = 0; i < c->n_sections; i++) {
                const struct vw_section *s = c->sections[i];
                const struct vw_endpoint_ops *ops;
                struct route_config rc;
                void *config;

                if (streq(s->kind, "daemon")) {
                        (void)manager_parse_daemon(s, errs);
                        continue;
                }
                if (streq(s->kind, "route")) {
                        if (route_parse(m, c, s, &rc, errs) >= 0)
                                vw_keys_free(route_keys, &rc);
                        continue;
                }
                ops = vw_backend_for_section(s, errs);
                if (!ops)
                        continue;
                config = vw_endpoint_parse_config(ops, s, errs);
                vw_endpoint_free_config(ops, config);
        }
        /* two endpoints may not claim the same file: a path, or a unix socket they listen on */
        check_claims(c, errs);
        return errs->n > before ? -EINVAL : 0;
}

/* ---- lookup ---- */

size_t vw_manager_n_endpoints(struct vw_manager *m) { return m->n_endpoints; }
struct vw_endpoint *vw_manager_endpoint(struct vw_manager *m, size_t i) { return &m->endpoints[i]->pub; }
size_t vw_manager_n_routes(struct vw_manager *m) { return m->n_routes; }
struct vw_mroute *vw_manager_route(struct vw_manager *m, size_t i) { return &m->routes[i]->pub; }

/* During a reload an endpoint's new version may run beside the old one: the old one is found first. */
static struct endpoint_entry *find_endpoint(struct vw_manager *m, const char *name)
{
        struct endpoint_entry *fresh = NULL;

        for (size_t i = 0; i < m->n_endpoints; i++)
                if (streq(m->endpoints[i]->pub.name, name)) {
                        if (!m->endpoints[i]->fresh)
                                return m->endpoints[i];
                        fresh = m->endpoints[i];
                }
        return fresh;
}

/*
 * A capture of one device's events as evemu text starts with the device's description (as
 * evemu-record writes it), so evemu-play and evemu-device take the file as it is.
 */
static void route_prime_evemu(struct vw_manager *m, struct route_entry *e)
{
        const struct vw_converter *cv = &e->pub.params.convert[0];
        struct endpoint_entry *from;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r;

        if (cv->ops != &vw_events_to_evemu_ops || e->pub.from.n != 1)
                return;
        from = find_endpoint(m, e->pub.from.names[0]);
        if (!from || !from->pub.ops->evemu_description)
                return;
        r = from->pub.ops->evemu_description(&from->pub, &text, &len);
        if (r >= 0)
                r = vw_route_prime(e->pub.route, false, VW_CHUNK_BYTES, text, len);
        if (r < 0)
                log_warning_errno(r, "route %s: cannot start the capture with %s's evemu description",
                                  e->pub.section->name, from->pub.name);
}

static struct endpoint_entry *find_fresh(struct vw_manager *m, const char *name)
{
        for (size_t i = 0; i < m->n_endpoints; i++)
                if (m->endpoints[i]->fresh && streq(m->endpoints[i]->pub.name, name))
                        return m->endpoints[i];
        return NULL;
}

static struct route_entry *find_route(struct vw_manager *m, const char *name)
{
        for (size_t i = 0; i < m->n_routes; i++)
                if (streq(m->routes[i]->pub.section->name, name))
                        return m->routes[i];
        return NULL;
}

struct vw_endpoint *vw_manager_find_endpoint(struct vw_manager *m, const char *name)
{
        struct endpoint_entry *e = find_endpoint(m, name);

        return e ? &e->pub : NULL;
}

struct vw_mroute *vw_manager_find_route(struct vw_manager *m, const char *name)
{
        struct route_entry *r = find_route(m, name);

        return r ? &r->pub : NULL;
}

static bool route_uses(const struct vw_mroute *r, const char *endpoint)
{
        return vw_names_contains(&r->from, endpoint) || vw_names_contains(&r->to, endpoint);
}

json_object *vw_manager_routes_using(struct vw_manager *m, const char *endpoint)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < m->n_routes; i++)
                if (route_uses(&m->routes[i]->pub, endpoint))
                        json_object_array_add(a, json_object_new_string(m->routes[i]->pub.section->name));
        return a;
}

/* ---- endpoints ---- */

static void port_room(struct vw_port *p, void *userdata)
{
        struct vw_endpoint *ep = userdata;

        if (ep->room)
                ep->room(ep);
}

static void port_signal(struct vw_port *p, const struct vw_signal *sig, void *userdata)
{
        struct vw_endpoint *ep = userdata;

        if (sig->type == VW_SIGNAL_PARAMS) {
                ep->peer_params = sig->params;
                ep->have_peer_params = true;
                ep->peer_params_signals++;
        } else if (sig->type == VW_SIGNAL_MODEM) {
                ep->peer_modem = sig->modem;
                ep->have_peer_modem = true;
                ep->peer_modem_signals++;
        }
        if (ep->ops->signal)
                ep->ops->signal(ep, sig);
}

static const struct vw_port_ops endpoint_port_ops = {
        .room = port_room,
        .signal = port_signal,
};

static void endpoint_free(struct vw_manager *m, struct endpoint_entry *e)
{
        if (!e)
                return;
        if (vw_list_linked(&e->pub.held))
                vw_list_remove(&e->pub.held);
        if (e->pending) {
                e->pending = false;
                m->n_pending--;
                if (m->waits_event)
                        (void)sd_event_source_set_enabled(m->waits_event, SD_EVENT_ONESHOT);
        }
        /* stop first: monitors see what a backend does on its way out (keys released, effects erased) */
        if (e->started && e->pub.ops->stop)
                e->pub.ops->stop(&e->pub);
        if (m->hooks.object_gone)
                m->hooks.object_gone(m->hooks.userdata, e->pub.name);
        vw_route_free(e->inject_route);
        vw_port_free(e->inject_port);
        vw_port_free(e->pub.port);
        vw_endpoint_free_config(e->pub.ops, e->pub.config);
        vw_section_free(e->pub.section);
        free(e->pub.path);
        free(e);
}

static int endpoint_create(struct vw_manager *m, const struct vw_section *s, char **error)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        const struct vw_endpoint_ops *ops;
        struct endpoint_entry *e, **n;
        int r;

        ops = vw_backend_for_section(s, &errs);
        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        e->pub.manager = m;
        e->pub.ops = ops;
        e->pub.state = VW_STATE_CREATED;
        e->pub.section = vw_section_dup(s);
        if (ops && e->pub.section)
                e->pub.config = vw_endpoint_parse_config(ops, s, &errs);
        if (!ops || !e->pub.config) {
                *error = vw_errors_join(&errs);
                r = -EINVAL;
                goto fail;
        }
        e->pub.name = e->pub.section->name;
        r = vw_port_new(m->router, e->pub.name, &endpoint_port_ops, &e->pub, &e->pub.port);
        if (r < 0)
                goto fail;
        e->started = true;
        vw_log_capture_begin();
        r = ops->start(&e->pub);
        if (r < 0) {
                _cleanup_free_ char *why = vw_log_capture_end();
                if ((s->line > 0 ? asprintf(error, "%s:%u: [%s %s]: cannot start: %s", s->file, s->line, s->kind,
                                            s->name, why ? why : strerror(-r))
                                 : asprintf(error, "[%s %s]: cannot start: %s", s->kind, s->name,
                                            why ? why : strerror(-r))) < 0)
                        *error = NULL;
                /* the name was free: whatever went wrong is not a name conflict */
                r = r == -EEXIST || r == -ENOENT ? -EIO : r;
                goto fail;
        }
        free(vw_log_capture_end());
        if (r == VW_START_PENDING) {
                e->pending = true;
                m->n_pending++;
                e->pub.state = VW_STATE_STARTING;
        }
        n = realloc(m->endpoints, (m->n_endpoints + 1) * sizeof(struct endpoint_entry *));
        if (!n) {
                r = -ENOMEM;
                goto fail;
        }
        m->endpoints = n;
        n[m->n_endpoints++] = e;
        log_debug("%s %s: created (%s)", s->kind, s->name, ops->backend);
        return 0;
fail:
        endpoint_free(m, e);
        return r;
}

static void endpoint_remove(struct vw_manager *m, struct endpoint_entry *e)
{
        for (size_t i = 0; i < m->n_endpoints; i++)
                if (m->endpoints[i] == e) {
                        memmove(m->endpoints + i, m->endpoints + i + 1,
                                (m->n_endpoints - i - 1) * sizeof(struct endpoint_entry *));
                        m->n_endpoints--;
                        break;
                }
        log_debug("%s %s: removed", e->pub.section->kind, e->pub.name);
        endpoint_free(m, e);
}

static void notify_routes_changed(struct vw_manager *m, const struct vw_names *names)
{
        for (size_t i = 0; i < names->n; i++) {
                struct endpoint_entry *e = find_endpoint(m, names->names[i]);
                if (e && e->pub.ops->routes_changed)
                        e->pub.ops->routes_changed(&e->pub);
        }
}

/* ---- routes ---- */

static void route_free(struct vw_manager *m, struct route_entry *r)
{
        if (!r)
                return;
        /* no section: vw_section_dup() failed in route_create(), nobody can monitor it yet */
        if (m->hooks.object_gone && r->pub.section)
                m->hooks.object_gone(m->hooks.userdata, r->pub.section->name);
        vw_route_free(r->pub.route);
        vw_names_done(&r->pub.from);
        vw_names_done(&r->pub.to);
        vw_section_free(r->pub.section);
        free(r);
}

static int route_create(struct vw_manager *m, const struct vw_section *s, char **error)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        struct vw_port **from = NULL, **to = NULL;
        struct route_entry *e = NULL, **n;
        struct route_config rc;
        int r;

        r = route_parse(m, NULL, s, &rc, &errs);
        if (r < 0) {
                *error = vw_errors_join(&errs);
                return r;
        }
        e = calloc(1, sizeof(*e));
        from = calloc(rc.from.n, sizeof(struct vw_port *));
        to = calloc(rc.to.n, sizeof(struct vw_port *));
        if (!e || !from || !to || !(e->pub.section = vw_section_dup(s))) {
                r = -ENOMEM;
                goto fail;
        }
        e->pub.from = rc.from;
        e->pub.to = rc.to;
        rc.from = rc.to = (struct vw_names){};
        e->pub.params = (struct vw_route_params){
                .overflow = (enum vw_overflow)rc.overflow,
                .buffer = rc.buffer,
                .duplex = rc.duplex,
        };
        for (size_t i = 0; i < e->pub.from.n; i++)
                from[i] = find_endpoint(m, e->pub.from.names[i])->pub.port;
        for (size_t i = 0; i < e->pub.to.n; i++)
                to[i] = find_endpoint(m, e->pub.to.names[i])->pub.port;
        /* checked by route_parse(); the route owns it from here, also when vw_route_new() fails */
        if (rc.convert && (r = vw_converter_new(rc.convert, rc.layout, &e->pub.params.convert[0], error)) < 0)
                goto fail;
        r = vw_route_new(m->router, s->name, &e->pub.params, from, e->pub.from.n, to, e->pub.to.n, &e->pub.route);
        if (r < 0) {
                if (asprintf(error, "%s:%u: [route %s]: %s", s->file, s->line, s->name, strerror(-r)) < 0)
                        *error = NULL;
                goto fail;
        }
        e->pub.params = *vw_route_params(e->pub.route);
        vw_route_set_userdata(e->pub.route, e);
        route_prime_evemu(m, e);
        n = realloc(m->routes, (m->n_routes + 1) * sizeof(struct route_entry *));
        if (!n) {
                r = -ENOMEM;
                goto fail;
        }
        m->routes = n;
        n[m->n_routes++] = e;
        notify_routes_changed(m, &e->pub.from);
        notify_routes_changed(m, &e->pub.to);
        free(from);
        free(to);
        vw_keys_free(route_keys, &rc);
        return 0;
fail:
        free(from);
        free(to);
        vw_keys_free(route_keys, &rc);
        route_free(m, e);
        return r;
}

static void route_remove(struct vw_manager *m, struct route_entry *r)
{
        struct vw_names from = r->pub.from, to = r->pub.to;

        for (size_t i = 0; i < m->n_routes; i++)
                if (m->routes[i] == r) {
                        memmove(m->routes + i, m->routes + i + 1, (m->n_routes - i - 1) * sizeof(struct route_entry *));
                        m->n_routes--;
                        break;
                }
        /* tell the endpoints after the route is gone; keep the names alive until then */
        r->pub.from = r->pub.to = (struct vw_names){};
        route_free(m, r);
        notify_routes_changed(m, &from);
        notify_routes_changed(m, &to);
        vw_names_done(&from);
        vw_names_done(&to);
}

void manager_remove_all(struct vw_manager *m)
{
        while (m->n_routes > 0)
                route_remove(m, m->routes[m->n_routes - 1]);
        while (m->n_endpoints > 0)
                endpoint_remove(m, m->endpoints[m->n_endpoints - 1]);
}

static int create_section(struct vw_manager *m, const struct vw_section *s, char **error)
{
        return streq(s->kind, "route") ? route_create(m, s, error) : endpoint_create(m, s, error);
}

/* ---- runtime changes ---- */

/* The file a new object would make must not be one a running object made (the backends say
 * which file that is: their claim()). */
static int check_runtime_claim(struct vw_manager *m, const struct vw_section *s, char **error)
{
        const struct vw_setting *st = NULL;
        _cleanup_free_ char *want = section_claim(s, &st);

        if (!want)
                return 0;
        for (size_t i = 0; i < m->n_endpoints; i++) {
                const struct vw_setting *ost = NULL;
                _cleanup_free_ char *have = section_claim(m->endpoints[i]->pub.section, &ost);
                if (have && streq(have, want))
                        return asprintf(error, "%s: %s is already used by %s", st->key, want,
                                        m->endpoints[i]->pub.name) < 0 ? -ENOMEM : -EINVAL;
        }
        return 0;
}

int vw_manager_add(struct vw_manager *m, struct vw_section *s, char **error)
{
        int r;

        s->origin = VW_ORIGIN_RUNTIME;
        if (!vw_name_is_valid(s->name))
                return asprintf(error, "invalid name '%s': use up to 64 letters, digits and _-.:@", s->name) < 0
                               ? -ENOMEM : -EINVAL;
        if (streq(s->kind, "daemon") || !vw_section_kinds_contains(s->kind))
                return asprintf(error, "cannot add a '%s': kinds are serial, loopback, socket, file, input, route",
                                s->kind) < 0 ? -ENOMEM : -EINVAL;
        if (find_endpoint(m, s->name) || find_route(m, s->name))
                return asprintf(error, "'%s' already exists", s->name) < 0 ? -ENOMEM : -EEXIST;
        r = check_runtime_claim(m, s, error);
        if (r < 0)
                return r;
        r = create_section(m, s, error);
        if (r >= 0)
                manager_notify_status(m, NULL);
        return r;
}

int vw_manager_remove(struct vw_manager *m, const char *name, char **error)
{
        struct endpoint_entry *e = find_endpoint(m, name);
        struct route_entry *r = find_route(m, name);

        if (r) {
                route_remove(m, r);
                manager_notify_status(m, NULL);
                return 0;
        }
        if (!e)
                return -ENOENT;
        for (size_t i = 0; i < m->n_routes; i++)
                if (route_uses(&m->routes[i]->pub, name))
                        return -EBUSY;
        endpoint_remove(m, e);
        manager_notify_status(m, NULL);
        return 0;
}

int vw_manager_send(struct vw_manager *m, struct vw_endpoint *ep, const void *data, size_t len, char **error)
{
        struct endpoint_entry *e = (struct endpoint_entry *)ep;
        struct vw_route_params p = { .overflow = VW_OVERFLOW_BLOCK, .buffer = INJECT_BUFFER };
        size_t done = 0;
        int r;

        if (!e->inject_port) {
                _cleanup_free_ char *name = NULL;
                if (asprintf(&name, "%s@send", ep->name) < 0)
                        return -ENOMEM;
                r = vw_port_new(m->router, name, NULL, NULL, &e->inject_port);
                if (r < 0)
                        return r;
                r = vw_route_new(m->router, name, &p, &e->inject_port, 1, &ep->port, 1, &e->inject_route);
                if (r < 0) {
                        vw_port_free(TAKE_PTR(e->inject_port));
                        return r;
                }
                if (ep->ops->routes_changed)
                        ep->ops->routes_changed(ep);
        }
        if (len > vw_port_room(e->inject_port)) {
                struct vw_ring_stats st = {};
                (void)vw_route_get_stats(e->inject_route, false, &st);
                if (asprintf(error, "%s is not taking data fast enough: %zu bytes from earlier sends are still "
                             "waiting; nothing was sent", ep->name, st.used) < 0)
                        *error = NULL;
                return -EBUSY;
        }
        r = vw_port_write(e->inject_port, VW_CHUNK_BYTES, data, len);
        if (r < 0)
                return r;
        done = len;
        return (int)done;
}

void vw_manager_set_monitored(struct vw_manager *m, const char *name, bool on)
{
        struct endpoint_entry *e = find_endpoint(m, name);
        struct route_entry *r = find_route(m, name);

        if (e) {
                e->monitors = on ? e->monitors + 1 : e->monitors - (e->monitors > 0);
                vw_port_set_monitored(e->pub.port, e->monitors > 0);
        }
        if (r) {
                r->monitors = on ? r->monitors + 1 : r->monitors - (r->monitors > 0);
                vw_route_set_monitored(r->pub.route, r->monitors > 0);
        }
}

/* ---- reload by difference ---- */

static void json_add_name(json_object *o, const char *key, const char *name)
{
        json_object *a;

        if (!json_object_object_get_ex(o, key, &a)) {
                a = json_object_new_array();
                json_object_object_add(o, key, a);
        }
        json_object_array_add(a, json_object_new_string(name));
}

/* What a reload took down and put up, to put things back when a start fails half way. */
struct undo {
        struct vw_section **saved;  /* removed or changed objects, as they were */
        size_t n_saved;
        char **created;
        size_t n_created;
};

static void undo_save(struct undo *u, const struct vw_section *s)
{
        struct vw_section **n = realloc(u->saved, (u->n_saved + 1) * sizeof(struct vw_section *));

        if (!n)
                return;
        u->saved = n;
        if ((n[u->n_saved] = vw_section_dup(s)))
                u->n_saved++;
}

static void undo_created(struct undo *u, const char *name)
{
        char **n = realloc(u->created, (u->n_created + 1) * sizeof(*n));

        if (!n)
                return;
        u->created = n;
        if ((n[u->n_created] = strdup(name)))
                u->n_created++;
}

static void undo_done(struct undo *u)
{
        for (size_t i = 0; i < u->n_saved; i++)
                vw_section_free(u->saved[i]);
        for (size_t i = 0; i < u->n_created; i++)
                free(u->created[i]);
        free(u->saved);
        free(u->created);
        *u = (struct undo){};
}

/* Take down what this reload made, bring back what it took down; extend *error with the outcome. */
static void undo_apply(struct vw_manager *m, struct undo *u, char **error)
{
        unsigned failed = 0;
        char *msg;

        for (size_t i = m->n_endpoints; i-- > 0;)
                if (m->endpoints[i]->fresh)
                        endpoint_remove(m, m->endpoints[i]);
        for (size_t i = u->n_created; i-- > 0;) {
                struct route_entry *rt = find_route(m, u->created[i]);
                if (rt)
                        route_remove(m, rt);
        }
        for (size_t i = u->n_created; i-- > 0;) {
                struct endpoint_entry *e = find_endpoint(m, u->created[i]);
                if (e)
                        endpoint_remove(m, e);
        }
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < u->n_saved; i++) {
                        _cleanup_free_ char *why = NULL;
                        if (streq(u->saved[i]->kind, "route") != (pass == 1))
                                continue;
                        if (create_section(m, u->saved[i], &why) < 0) {
                                log_error("reload: could not bring back [%s %s]: %s", u->saved[i]->kind,
                                          u->saved[i]->name, why ? why : "unknown error");
                                failed++;
                        }
                }
        if (asprintf(&msg, "%s\n%s", *error ? *error : "a start failed",
                     failed ? "the reload was undone, but some objects could not be brought back (see vwired's log)"
                            : "the reload was undone: the previous configuration is running") >= 0) {
                free(*error);
                *error = msg;
        }
}

/* The running objects as the plan sees them (reload-plan.h): sections and route ends, in table order. */
static char *plan_claim(const struct vw_section *s)
{
        const struct vw_setting *st = NULL;

        return section_claim(s, &st);
}

static int plan_reload(struct vw_manager *m, const struct vw_config *config, struct vw_reload_plan **ret,
                       char **error)
{
        struct vw_reload_object *ep = calloc(m->n_endpoints + 1, sizeof(*ep));
        struct vw_reload_object *rt = calloc(m->n_routes + 1, sizeof(*rt));
        int r = -ENOMEM;

        if (ep && rt) {
                for (size_t i = 0; i < m->n_endpoints; i++)
                        ep[i] = (struct vw_reload_object){ .section = m->endpoints[i]->pub.section };
                for (size_t i = 0; i < m->n_routes; i++)
                        rt[i] = (struct vw_reload_object){
                                .section = m->routes[i]->pub.section,
                                .from = &m->routes[i]->pub.from,
                                .to = &m->routes[i]->pub.to,
                        };
                r = vw_reload_plan_new(&(struct vw_reload_running){
                                               .endpoints = ep,
                                               .n_endpoints = m->n_endpoints,
                                               .routes = rt,
                                               .n_routes = m->n_routes,
                                               .config = m->config,
                                               .claim = plan_claim,
                                       },
                                       config, ret, error);
        }
        free(ep);
        free(rt);
        return r;
}

/* A STOP names the running object by its section: the plan was made from these tables. */
static struct endpoint_entry *endpoint_of(struct vw_manager *m, const struct vw_section *s)
{
        for (size_t i = 0; i < m->n_endpoints; i++)
                if (m->endpoints[i]->pub.section == s)
                        return m->endpoints[i];
        return NULL;
}

static struct route_entry *route_of(struct vw_manager *m, const struct vw_section *s)
{
        for (size_t i = 0; i < m->n_routes; i++)
                if (m->routes[i]->pub.section == s)
                        return m->routes[i];
        return NULL;
}

/* Run one step of the plan; the reply collects its name, the undo what it changed. */
static int apply_step(struct vw_manager *m, const struct vw_reload_step *st, json_object *res, struct undo *undo,
                      size_t *unchanged, char **error)
{
        struct endpoint_entry *e;
        struct route_entry *rt;
        int r;

        switch (st->op) {
        case VW_RELOAD_START_FRESH:
                r = endpoint_create(m, st->now, error);
                if (r < 0)
                        return r;
                m->endpoints[m->n_endpoints - 1]->fresh = true;
                return 0;
        case VW_RELOAD_STOP:
                rt = streq(st->old->kind, "route") ? route_of(m, st->old) : NULL;
                e = rt ? NULL : endpoint_of(m, st->old);
                if (!rt && !e)
                        return -ESRCH;  /* a plan that does not fit the tables: a bug, change nothing more */
                json_add_name(res, st->reply == VW_RELOAD_REPLY_CHANGED ? "changed" : "removed", st->old->name);
                undo_save(undo, st->old);
                if (rt)
                        route_remove(m, rt);
                else
                        endpoint_remove(m, e);
                return 0;
        case VW_RELOAD_COMMIT:
                e = find_fresh(m, st->now->name);
                if (!e)
                        return -ESRCH;
                e->fresh = false;
                break;
        case VW_RELOAD_START:
                r = create_section(m, st->now, error);
                if (r < 0)
                        return r;
                break;
        case VW_RELOAD_KEEP:
                (*unchanged)++;
                return 0;
        }
        undo_created(undo, st->now->name);
        if (st->reply == VW_RELOAD_REPLY_ADDED)
                json_add_name(res, "added", st->now->name);
        return 0;
}

/* A fresh start failed: nothing running was touched yet, so dropping the fresh ones is the whole undo. */
static void fresh_start_failed(struct vw_manager *m, bool starting, char **error)
{
        char *msg;

        for (size_t k = m->n_endpoints; k-- > 0;)
                if (m->endpoints[k]->fresh)
                        endpoint_remove(m, m->endpoints[k]);
        if (starting)
                return;
        if (asprintf(&msg, "%s\nnothing was changed: the previous configuration is running",
                     *error ? *error : "a start failed") >= 0) {
                free(*error);
                *error = msg;
        }
}

/*
 * Make the running config-file objects match c (which is consumed) by the steps of a reload
 * plan (reload-plan.h): removed and changed ones go, added and changed ones come; routes over a
 * recreated endpoint are recreated too; everything else keeps running untouched. Runtime-added
 * objects are left alone, unless c claims their name (refused).
 */
int manager_apply(struct vw_manager *m, struct vw_config *c, bool starting, json_object **result, char **error)
{
        _cleanup_(vw_config_freep) struct vw_config *config = c;
        _cleanup_(vw_reload_plan_freep) struct vw_reload_plan *plan = NULL;
        json_object *res;
        size_t unchanged = 0;
        struct undo undo = {};
        int r;

        r = plan_reload(m, config, &plan, error);
        if (r < 0)
                return r;
        res = json_object_new_object();
        json_object_object_add(res, "added", json_object_new_array());
        json_object_object_add(res, "removed", json_object_new_array());
        json_object_object_add(res, "changed", json_object_new_array());

        for (size_t i = 0; i < plan->n_steps; i++) {
                const struct vw_reload_step *st = &plan->steps[i];

                r = apply_step(m, st, res, &undo, &unchanged, error);
                if (r >= 0)
                        continue;
                /* fresh starts come before anything is torn down; a later failure has things to put back */
                if (st->op == VW_RELOAD_START_FRESH)
                        fresh_start_failed(m, starting, error);
                else if (!starting)
                        undo_apply(m, &undo, error);
                goto out;
        }
        json_object_object_add(res, "unchanged", json_object_new_int64((int64_t)unchanged));
        if (!starting) {
                if (plan->daemon_changed)
                        log_warning("changes to [daemon] take effect at the next restart");
                log_info("reloaded: %zu added, %zu removed, %zu changed, %zu unchanged",
                         json_object_array_length(json_object_object_get(res, "added")),
                         json_object_array_length(json_object_object_get(res, "removed")),
                         json_object_array_length(json_object_object_get(res, "changed")), unchanged);
        }
        vw_config_free(m->config);
        m->config = TAKE_PTR(config);
out:
        undo_done(&undo);
        if (r >= 0 && result)
                *result = res;
        else
                json_object_put(res);
        return r;
}

/* ---- JSON views ---- */

json_object *vw_endpoint_to_json(struct vw_endpoint *ep, bool details)
{
        json_object *o = json_object_new_object(), *d;
        struct vw_counters c;
        char where[4096];

        vw_port_get_counters(ep->port, &c);
        json_object_object_add(o, "name", json_object_new_string(ep->name));
        json_object_object_add(o, "kind", json_object_new_string(ep->ops->kind));
        json_object_object_add(o, "backend", json_object_new_string(ep->ops->backend));
        json_object_object_add(o, "state", json_object_new_string(vw_endpoint_state_to_string(ep->state)));
        json_object_object_add(o, "path", ep->path ? json_object_new_string(ep->path) : NULL);
        json_object_object_add(o, "origin", json_object_new_string(ep->section->origin == VW_ORIGIN_CONFIG ? "config" : "runtime"));
        snprintf(where, sizeof(where), "%s:%u", ep->section->file, ep->section->line);
        json_object_object_add(o, "file", ep->section->origin == VW_ORIGIN_CONFIG ? json_object_new_string(where) : NULL);
        json_object_object_add(o, "rx_bytes", json_object_new_int64((int64_t)c.rx_bytes));
        json_object_object_add(o, "rx_chunks", json_object_new_int64((int64_t)c.rx_chunks));
        json_object_object_add(o, "tx_bytes", json_object_new_int64((int64_t)c.tx_bytes));
        json_object_object_add(o, "tx_chunks", json_object_new_int64((int64_t)c.tx_chunks));
        json_object_object_add(o, "dropped_bytes", json_object_new_int64((int64_t)c.dropped_bytes));
        json_object_object_add(o, "dropped_chunks", json_object_new_int64((int64_t)c.dropped_chunks));
        json_object_object_add(o, "clients", json_object_new_int64(ep->clients));
        if (!details)
                return o;
        d = json_object_new_object();
        if (ep->ops->describe)
                ep->ops->describe(ep, d);
        if (ep->have_peer_params) {
                char buf[64];
                snprintf(buf, sizeof(buf), "%u %u%c%u", ep->peer_params.baud, ep->peer_params.data_bits,
                         ep->peer_params.parity ? ep->peer_params.parity : 'N', ep->peer_params.stop_bits);
                json_object *pp = json_object_new_object();
                json_object_object_add(pp, "baud", json_object_new_int64(ep->peer_params.baud));
                json_object_object_add(pp, "data_bits", json_object_new_int(ep->peer_params.data_bits));
                json_object_object_add(pp, "parity", json_object_new_string_len(&ep->peer_params.parity, 1));
                json_object_object_add(pp, "stop_bits", json_object_new_int(ep->peer_params.stop_bits));
                json_object_object_add(pp, "text", json_object_new_string(buf));
                json_object_object_add(pp, "signals", json_object_new_int64((int64_t)ep->peer_params_signals));
                json_object_object_add(d, "peer_line", pp);
        }
        if (ep->have_peer_modem) {
                json_object *pm = json_object_new_object();

                json_object_object_add(pm, "dtr", json_object_new_boolean((ep->peer_modem & TIOCM_DTR) != 0));
                json_object_object_add(pm, "rts", json_object_new_boolean((ep->peer_modem & TIOCM_RTS) != 0));
                json_object_object_add(pm, "signals", json_object_new_int64((int64_t)ep->peer_modem_signals));
                json_object_object_add(d, "peer_modem", pm);
        }
        json_object_object_add(d, "routes", vw_manager_routes_using(ep->manager, ep->name));
        json_object_object_add(o, "details", d);
        return o;
}

static json_object *names_json(const struct vw_names *n)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n->n; i++)
                json_object_array_add(a, json_object_new_string(n->names[i]));
        return a;
}

json_object *vw_mroute_to_json(struct vw_mroute *r)
{
        json_object *o = json_object_new_object(), *lanes = json_object_new_array();
        char where[4096];

        json_object_object_add(o, "name", json_object_new_string(r->section->name));
        json_object_object_add(o, "from", names_json(&r->from));
        json_object_object_add(o, "to", names_json(&r->to));
        json_object_object_add(o, "duplex", json_object_new_boolean(r->params.duplex));
        json_object_object_add(o, "overflow", json_object_new_string(vw_overflow_to_string(r->params.overflow)));
        json_object_object_add(o, "buffer", json_object_new_int64((int64_t)r->params.buffer));
        json_object_object_add(o, "origin", json_object_new_string(r->section->origin == VW_ORIGIN_CONFIG ? "config" : "runtime"));
        snprintf(where, sizeof(where), "%s:%u", r->section->file, r->section->line);
        json_object_object_add(o, "file", r->section->origin == VW_ORIGIN_CONFIG ? json_object_new_string(where) : NULL);
        for (int rev = 0; rev < 2; rev++) {
                struct vw_ring_stats st;
                json_object *l;

                if (vw_route_get_stats(r->route, rev, &st) < 0)
                        continue;
                l = json_object_new_object();
                json_object_object_add(l, "from", names_json(rev ? &r->to : &r->from));
                json_object_object_add(l, "to", names_json(rev ? &r->from : &r->to));
                json_object_object_add(l, "bytes_in", json_object_new_int64((int64_t)st.bytes_in));
                json_object_object_add(l, "chunks_in", json_object_new_int64((int64_t)st.chunks_in));
                json_object_object_add(l, "bytes_out", json_object_new_int64((int64_t)st.bytes_out));
                json_object_object_add(l, "chunks_out", json_object_new_int64((int64_t)st.chunks_out));
                json_object_object_add(l, "bytes_dropped", json_object_new_int64((int64_t)st.bytes_dropped));
                json_object_object_add(l, "chunks_dropped", json_object_new_int64((int64_t)st.chunks_dropped));
                json_object_object_add(l, "blocked", json_object_new_int64((int64_t)st.blocked));
                json_object_object_add(l, "convert_dropped", json_object_new_int64((int64_t)st.convert_dropped));
                json_object_object_add(l, "used", json_object_new_int64((int64_t)st.used));
                json_object_object_add(l, "high_water", json_object_new_int64((int64_t)st.high_water));
                json_object_object_add(l, "capacity", json_object_new_int64((int64_t)st.capacity));
                json_object_array_add(lanes, l);
        }
        json_object_object_add(o, "lanes", lanes);
        return o;
}
