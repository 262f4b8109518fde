/* SPDX-License-Identifier: MIT */
/*
 * The reload plan (reload-plan.h). It runs the manager's reload on a model of its tables:
 * every lookup by name answers as the manager's own would at that point of the reload (a
 * fresh endpoint beside an old one of its name, an object already stopped), so the steps are
 * exactly what the manager did when it decided and acted in the same loops.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reload-plan.h"

/* An endpoint or a route in the model of the manager's tables. */
struct model {
        const struct vw_section *s;
        const struct vw_names *from, *to;  /* routes */
        bool fresh;                        /* endpoints started by this reload, not committed yet */
        bool alive;
};

struct planner {
        const struct vw_config *next;
        vw_reload_claim_fn claim;
        struct model *ep, *rt;
        size_t n_ep, n_rt;
        const char **gone;     /* names of the config endpoints that go (removed or changed) */
        size_t n_gone;
        const char **changed;  /* names the reply lists as changed, so far */
        size_t n_changed;
        struct vw_reload_plan *plan;
};

static bool is_endpoint_kind(const char *kind)
{
        return !streq(kind, "daemon") && !streq(kind, "route");
}

static bool in_list(const char *const *list, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (streq(list[i], name))
                        return true;
        return false;
}

/* During a reload an endpoint's new version may run beside the old one: the old one is found first. */
static struct model *find_endpoint(struct planner *p, const char *name)
{
        struct model *fresh = NULL;

        for (size_t i = 0; i < p->n_ep; i++)
                if (p->ep[i].alive && streq(p->ep[i].s->name, name)) {
                        if (!p->ep[i].fresh)
                                return &p->ep[i];
                        fresh = &p->ep[i];
                }
        return fresh;
}

static struct model *find_fresh(struct planner *p, const char *name)
{
        for (size_t i = 0; i < p->n_ep; i++)
                if (p->ep[i].alive && p->ep[i].fresh && streq(p->ep[i].s->name, name))
                        return &p->ep[i];
        return NULL;
}

static struct model *find_route(struct planner *p, const char *name)
{
        for (size_t i = 0; i < p->n_rt; i++)
                if (p->rt[i].alive && streq(p->rt[i].s->name, name))
                        return &p->rt[i];
        return NULL;
}

static bool route_uses(const struct model *r, const char *endpoint)
{
        return vw_names_contains(r->from, endpoint) || vw_names_contains(r->to, endpoint);
}

/* The arrays are sized for the most steps a reload can take: emitting never fails. */
static void emit(struct planner *p, struct vw_reload_step st)
{
        p->plan->steps[p->plan->n_steps++] = st;
}

bool vw_reload_can_start_beside(const struct vw_section *old, const struct vw_section *now, vw_reload_claim_fn claim)
{
        _cleanup_free_ char *a = NULL, *b = NULL;

        if (!claim || !(a = claim(old)) || !(b = claim(now)))
                return true;
        return !streq(a, b);
}

/* Names the new config wants that runtime objects hold: refused, those belong to a client. */
static int check_runtime_names(struct planner *p, char **error)
{
        for (size_t i = 0; i < p->next->n_sections; i++) {
                const struct vw_section *s = p->next->sections[i];
                struct model *e = s->name ? find_endpoint(p, s->name) : NULL;
                struct model *rt = s->name ? find_route(p, s->name) : NULL;

                if ((e && e->s->origin == VW_ORIGIN_RUNTIME) || (rt && rt->s->origin == VW_ORIGIN_RUNTIME))
                        return asprintf(error, "%s:%u: '%s' is taken by an object added with vwirectl; remove it first",
                                        s->file, s->line, s->name) < 0 ? -ENOMEM : -EEXIST;
        }
        return 0;
}

static void collect_gone(struct planner *p)
{
        for (size_t i = 0; i < p->n_ep; i++) {
                const struct vw_section *old = p->ep[i].s;
                const struct vw_section *now = vw_config_find(p->next, old->kind, old->name);

                if (old->origin == VW_ORIGIN_CONFIG && !(now && vw_section_equal(old, now)))
                        p->gone[p->n_gone++] = old->name;
        }
}

/* A runtime route over an endpoint that goes would dangle: refused. */
static int check_runtime_routes(struct planner *p, char **error)
{
        for (size_t i = 0; i < p->n_rt; i++) {
                if (p->rt[i].s->origin != VW_ORIGIN_RUNTIME)
                        continue;
                for (size_t j = 0; j < p->n_gone; j++)
                        if (route_uses(&p->rt[i], p->gone[j]))
                                return asprintf(error, "the reload would remove or recreate '%s', which route '%s' "
                                                "(added with vwirectl) uses; remove that route first",
                                                p->gone[j], p->rt[i].s->name) < 0 ? -ENOMEM : -EBUSY;
        }
        return 0;
}

/* Would s claim what an endpoint that goes still holds (its own old version, or another one a
 * rename or a move frees)? Then it starts only after the stops. */
static bool conflicts_with_gone(struct planner *p, const struct vw_section *s)
{
        for (size_t i = 0; i < p->n_ep; i++) {
                const struct model *e = &p->ep[i];
                if (!e->fresh && in_list(p->gone, p->n_gone, e->s->name) &&
                    !vw_reload_can_start_beside(e->s, s, p->claim))
                        return true;
        }
        return false;
}

/* 1: new endpoints, and new versions that claim nothing the old version holds. */
static void plan_fresh_starts(struct planner *p)
{
        for (size_t i = 0; i < p->next->n_sections; i++) {
                const struct vw_section *s = p->next->sections[i];
                struct model *old;

                if (!is_endpoint_kind(s->kind) || find_route(p, s->name))
                        continue;
                old = find_endpoint(p, s->name);
                if ((old && vw_section_equal(old->s, s)) || conflicts_with_gone(p, s))
                        continue;
                emit(p, (struct vw_reload_step){
                        .op = VW_RELOAD_START_FRESH,
                        .now = s,
                        .beside = old ? old->s : NULL,
                        .recreate = old && streq(old->s->kind, s->kind),
                });
                p->ep[p->n_ep++] = (struct model){ .s = s, .fresh = true, .alive = true };
        }
}

static void plan_stop(struct planner *p, struct model *o, bool changed)
{
        struct model *fresh = find_fresh(p, o->s->name);

        emit(p, (struct vw_reload_step){
                .op = VW_RELOAD_STOP,
                .reply = changed ? VW_RELOAD_REPLY_CHANGED : VW_RELOAD_REPLY_REMOVED,
                .old = o->s,
                .beside = fresh ? fresh->s : NULL,
                .recreate = changed,
        });
        if (changed)
                p->changed[p->n_changed++] = o->s->name;
        o->alive = false;
}

/* 2: routes dropped, changed, or over an endpoint that goes. */
static void plan_route_stops(struct planner *p)
{
        for (size_t i = p->n_rt; i-- > 0;) {
                struct model *rt = &p->rt[i];
                const struct vw_section *now = vw_config_find(p->next, "route", rt->s->name);
                bool touches = false;

                if (rt->s->origin != VW_ORIGIN_CONFIG)
                        continue;
                for (size_t j = 0; j < p->n_gone; j++)
                        touches = touches || route_uses(rt, p->gone[j]);
                if (now && vw_section_equal(rt->s, now) && !touches)
                        continue;
                plan_stop(p, rt, now != NULL);
        }
}

/* 3: endpoints that go. */
static void plan_endpoint_stops(struct planner *p)
{
        for (size_t i = p->n_ep; i-- > 0;) {
                struct model *e = &p->ep[i];

                if (!e->alive || e->fresh || !in_list(p->gone, p->n_gone, e->s->name))
                        continue;
                plan_stop(p, e, vw_config_find(p->next, e->s->kind, e->s->name) != NULL);
        }
}

/* 4: what is not running, endpoints first, then routes; the rest is kept. */
static void plan_starts(struct planner *p)
{
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < p->next->n_sections; i++) {
                        const struct vw_section *s = p->next->sections[i];
                        bool is_route = streq(s->kind, "route");
                        struct model *fresh;
                        enum vw_reload_op op;
                        bool was_changed;

                        if (streq(s->kind, "daemon") || is_route != (pass == 1))
                                continue;
                        fresh = is_route ? NULL : find_fresh(p, s->name);
                        if (fresh) {
                                op = VW_RELOAD_COMMIT;
                                fresh->fresh = false;
                        } else if (find_endpoint(p, s->name) || find_route(p, s->name)) {
                                emit(p, (struct vw_reload_step){
                                        .op = VW_RELOAD_KEEP, .reply = VW_RELOAD_REPLY_UNCHANGED, .now = s });
                                continue;
                        } else {
                                op = VW_RELOAD_START;
                                if (is_route)
                                        p->rt[p->n_rt++] = (struct model){ .s = s, .alive = true };
                                else
                                        p->ep[p->n_ep++] = (struct model){ .s = s, .alive = true };
                        }
                        was_changed = in_list(p->changed, p->n_changed, s->name);
                        emit(p, (struct vw_reload_step){
                                .op = op,
                                .reply = was_changed ? VW_RELOAD_REPLY_NONE : VW_RELOAD_REPLY_ADDED,
                                .now = s,
                                .recreate = was_changed,
                        });
                }
}

static bool daemon_changed(const struct vw_config *old, const struct vw_config *now)
{
        const struct vw_section *od = old ? vw_config_find(old, "daemon", NULL) : NULL;
        const struct vw_section *nd = vw_config_find(now, "daemon", NULL);

        return !!od != !!nd || (od && !vw_section_equal(od, nd));
}

int vw_reload_plan_new(const struct vw_reload_running *running, const struct vw_config *next,
                       struct vw_reload_plan **ret, char **error)
{
        size_t n_sections = next->n_sections, n_old = running->n_endpoints + running->n_routes;
        struct vw_reload_plan *plan = calloc(1, sizeof(*plan));
        struct planner p = { .next = next, .claim = running->claim, .plan = plan };
        int r = -ENOMEM;

        /* every section starts at most twice (fresh, then committed), every running object stops once */
        if (!plan || !(plan->steps = calloc(2 * n_sections + n_old + 1, sizeof(*plan->steps))) ||
            !(p.ep = calloc(running->n_endpoints + n_sections + 1, sizeof(*p.ep))) ||
            !(p.rt = calloc(running->n_routes + n_sections + 1, sizeof(*p.rt))) ||
            !(p.gone = calloc(running->n_endpoints + 1, sizeof(*p.gone))) ||
            !(p.changed = calloc(n_old + 1, sizeof(*p.changed))))
                goto out;
        for (size_t i = 0; i < running->n_endpoints; i++)
                p.ep[p.n_ep++] = (struct model){ .s = running->endpoints[i].section, .alive = true };
        for (size_t i = 0; i < running->n_routes; i++)
                p.rt[p.n_rt++] = (struct model){
                        .s = running->routes[i].section,
                        .from = running->routes[i].from,
                        .to = running->routes[i].to,
                        .alive = true,
                };

        r = check_runtime_names(&p, error);
        if (r < 0)
                goto out;
        collect_gone(&p);
        r = check_runtime_routes(&p, error);
        if (r < 0)
                goto out;
        plan_fresh_starts(&p);
        plan_route_stops(&p);
        plan_endpoint_stops(&p);
        plan_starts(&p);
        plan->daemon_changed = daemon_changed(running->config, next);
        *ret = TAKE_PTR(plan);
        r = 0;
out:
        free(p.ep);
        free(p.rt);
        free(p.gone);
        free(p.changed);
        vw_reload_plan_free(plan);
        return r;
}

void vw_reload_plan_free(struct vw_reload_plan *p)
{
        if (!p)
                return;
        free(p->steps);
        free(p);
}

/* ---- text ---- */

static void format_step(FILE *f, const struct vw_reload_step *st)
{
        const struct vw_section *s = st->op == VW_RELOAD_STOP ? st->old : st->now;

        switch (st->op) {
        case VW_RELOAD_START_FRESH:
                if (st->recreate)
                        fprintf(f, "recreate %s %s (beside): start\n", s->kind, s->name);
                else if (st->beside)
                        fprintf(f, "start %s %s (beside %s %s)\n", s->kind, s->name, st->beside->kind,
                                st->beside->name);
                else
                        fprintf(f, "start %s %s\n", s->kind, s->name);
                break;
        case VW_RELOAD_STOP:
                if (st->recreate)
                        fprintf(f, "recreate %s %s%s: stop\n", s->kind, s->name, st->beside ? " (beside)" : "");
                else
                        fprintf(f, "stop %s %s\n", s->kind, s->name);
                break;
        case VW_RELOAD_START:
                if (st->recreate)
                        fprintf(f, "recreate %s %s: start\n", s->kind, s->name);
                else
                        fprintf(f, "start %s %s\n", s->kind, s->name);
                break;
        case VW_RELOAD_KEEP:
                fprintf(f, "untouched %s %s\n", s->kind, s->name);
                break;
        case VW_RELOAD_COMMIT:
                break;
        }
}

static void format_reply(FILE *f, const struct vw_reload_plan *p, const char *label, enum vw_reload_reply which)
{
        fprintf(f, "%s:", label);
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct vw_reload_step *st = &p->steps[i];
                if (st->reply == which)
                        fprintf(f, " %s", (st->op == VW_RELOAD_STOP ? st->old : st->now)->name);
        }
        fputc('\n', f);
}

char *vw_reload_plan_format(const struct vw_reload_plan *p)
{
        char *text = NULL;
        size_t len = 0, unchanged = 0;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                return NULL;
        for (size_t i = 0; i < p->n_steps; i++) {
                format_step(f, &p->steps[i]);
                unchanged += p->steps[i].reply == VW_RELOAD_REPLY_UNCHANGED;
        }
        format_reply(f, p, "added", VW_RELOAD_REPLY_ADDED);
        format_reply(f, p, "removed", VW_RELOAD_REPLY_REMOVED);
        format_reply(f, p, "changed", VW_RELOAD_REPLY_CHANGED);
        fprintf(f, "unchanged: %zu\n", unchanged);
        if (p->daemon_changed)
                fprintf(f, "daemon: changed; takes effect at the next restart\n");
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}
