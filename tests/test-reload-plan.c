/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the reload plan (daemon/reload-plan.c): old config + new config -> the steps
 * a reload runs, checked against golden files. Pure: linked with common/ and the plan alone.
 *
 * Data-driven from tests/data/reload/<case>/ (see its README.md); the test changes into each
 * case's directory, so messages read "new.conf:3: ...":
 *   old.conf (+ old.conf.d/)   what runs, as started from these files
 *   runtime.conf               optional: objects added with vwirectl since (origin runtime)
 *   new.conf (+ new.conf.d/)   what the reload reads
 *   plan                       the plan as vw_reload_plan_format() writes it, or "error <message>"
 * Every case is also checked for two things that hold whatever the files say: starting from
 * nothing starts everything, and planning the new config once it runs keeps everything.
 * Environment: VW_RELOAD_DATA (the data directory), set by meson.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-parse.h"
#include "conffile.h"
#include "macro.h"
#include "reload-plan.h"
#include "test-common.h"

static const char *data_dir;
static glob_t cases;

/* ---- a running daemon, as the plan sees it ---- */

struct world {
        struct vw_config *config, *runtime;  /* the files it started from; what was added since */
        struct vw_reload_object *endpoints, *routes;
        size_t n_endpoints, n_routes;
        struct vw_names *names;              /* from and to of each route */
        size_t n_names;
};

static struct vw_config *load(const char *main)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_free_ char *dropins = NULL;
        _cleanup_free_ char *msgs = NULL;
        struct vw_config *c = NULL;
        int r;

        ck_assert_int_ge(asprintf(&dropins, "%s.d", main), 0);
        r = vw_config_load(main, true, dropins, &c, &errs);
        msgs = vw_errors_join(&errs);
        ck_assert_msg(r == 0, "%s: cannot load:\n%s", main, msgs ? msgs : "");
        return c;
}

static void world_add(struct world *w, const struct vw_section *s)
{
        struct vw_reload_object o = { .section = s };

        if (streq(s->kind, "daemon"))
                return;
        if (!streq(s->kind, "route")) {
                w->endpoints[w->n_endpoints++] = o;
                return;
        }
        for (int side = 0; side < 2; side++) {
                const char *v = vw_section_value(s, side ? "to" : "from");
                _cleanup_free_ char *err = NULL;
                struct vw_names *n = &w->names[w->n_names++];

                ck_assert_msg(v, "[route %s] needs from and to", s->name);
                ck_assert_msg(vw_parse_names(v, n, NULL, &err) == 0, "[route %s]: %s", s->name, err ? err : "?");
                if (side)
                        o.to = n;
                else
                        o.from = n;
        }
        w->routes[w->n_routes++] = o;
}

/* What runs after starting from `config` (NULL: nothing) and adding runtime.conf's objects, if asked. */
static void world_init(struct world *w, struct vw_config *config, bool with_runtime)
{
        size_t n = config ? config->n_sections : 0;

        *w = (struct world){ .config = config };
        if (with_runtime && access("runtime.conf", F_OK) == 0) {
                _cleanup_(vw_errors_done) struct vw_errors errs = {};

                w->runtime = vw_config_new();
                ck_assert_ptr_nonnull(w->runtime);
                ck_assert_int_eq(vw_config_parse_file(w->runtime, "runtime.conf", &errs), 0);
                ck_assert_msg(errs.n == 0, "runtime.conf: %s", errs.msgs[0]);
                for (size_t i = 0; i < w->runtime->n_sections; i++)
                        w->runtime->sections[i]->origin = VW_ORIGIN_RUNTIME;
                n += w->runtime->n_sections;
        }
        w->endpoints = calloc(n + 1, sizeof(*w->endpoints));
        w->routes = calloc(n + 1, sizeof(*w->routes));
        w->names = calloc(2 * n + 1, sizeof(*w->names));
        ck_assert(w->endpoints && w->routes && w->names);
        /* the manager's tables: a start creates in config order, an Add appends */
        for (size_t i = 0; config && i < config->n_sections; i++)
                world_add(w, config->sections[i]);
        for (size_t i = 0; w->runtime && i < w->runtime->n_sections; i++)
                world_add(w, w->runtime->sections[i]);
}

static void world_done(struct world *w)
{
        for (size_t i = 0; i < w->n_names; i++)
                vw_names_done(&w->names[i]);
        free(w->names);
        free(w->endpoints);
        free(w->routes);
        vw_config_free(w->runtime);
        vw_config_free(w->config);
        *w = (struct world){};
}

/* What the backends' claim() say, for the planner: the `path` or `listen` value. */
static char *test_claim(const struct vw_section *s)
{
        const char *v = vw_section_value(s, "listen");

        if (!v)
                v = vw_section_value(s, "path");
        return v ? strdup(v) : NULL;
}

static int plan(const struct world *w, const struct vw_config *next, struct vw_reload_plan **ret, char **error)
{
        return vw_reload_plan_new(&(struct vw_reload_running){
                                          .endpoints = w->endpoints,
                                          .n_endpoints = w->n_endpoints,
                                          .routes = w->routes,
                                          .n_routes = w->n_routes,
                                          .config = w->config,
                                          .claim = test_claim,
                                  },
                                  next, ret, error);
}

/* ---- golden files ---- */

static char *read_text(const char *path)
{
        FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t len = 0;

        ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
        if (getdelim(&text, &len, 0, f) < 0) {
                free(text);
                text = strdup("");
        }
        fclose(f);
        ck_assert_ptr_nonnull(text);
        return text;
}

static void enter_case(int i)
{
        char dir[PATH_MAX];

        ck_assert_int_lt(i, (int)cases.gl_pathc);
        snprintf(dir, sizeof(dir), "%s/%s", data_dir, cases.gl_pathv[i]);
        ck_assert_msg(chdir(dir) == 0, "%s: %s", dir, strerror(errno));
}

START_TEST(test_data_present)
{
        ck_assert_msg(cases.gl_pathc >= 12, "only %zu cases in %s", cases.gl_pathc, data_dir);
}
END_TEST

START_TEST(test_golden)
{
        _cleanup_(vw_reload_plan_freep) struct vw_reload_plan *p = NULL;
        _cleanup_(vw_config_freep) struct vw_config *next = NULL;
        _cleanup_free_ char *error = NULL, *got = NULL, *want = NULL;
        struct world w;
        int r;

        enter_case(_i);
        world_init(&w, load("old.conf"), true);
        next = load("new.conf");
        r = plan(&w, next, &p, &error);
        if (r < 0) {
                ck_assert_msg(r == -EEXIST || r == -EBUSY, "%s: %s", cases.gl_pathv[_i], strerror(-r));
                ck_assert_ptr_nonnull(error);
                ck_assert_int_ge(asprintf(&got, "error %s\n", error), 0);
        } else {
                ck_assert_ptr_null(error);
                got = vw_reload_plan_format(p);
                ck_assert_ptr_nonnull(got);
        }
        want = read_text("plan");
        ck_assert_msg(streq(got, want), "%s: the plan differs\n--- expected (plan)\n%s--- got\n%s",
                      cases.gl_pathv[_i], want, got);
        world_done(&w);
}
END_TEST

/* Start-up is a reload from nothing: every endpoint starts fresh and is committed, then every route starts. */
START_TEST(test_start_from_nothing)
{
        _cleanup_(vw_reload_plan_freep) struct vw_reload_plan *p = NULL;
        _cleanup_free_ char *error = NULL;
        struct vw_config *old;
        struct world w;
        size_t n_objects = 0, fresh = 0, committed = 0, routes = 0;

        enter_case(_i);
        old = load("old.conf");
        world_init(&w, NULL, false);
        ck_assert_int_eq(plan(&w, old, &p, &error), 0);
        for (size_t i = 0; i < old->n_sections; i++)
                n_objects += !streq(old->sections[i]->kind, "daemon");
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct vw_reload_step *st = &p->steps[i];
                bool is_route = streq(st->now->kind, "route");

                ck_assert_ptr_null(st->old);
                ck_assert_ptr_null(st->beside);
                ck_assert(!st->recreate);
                switch (st->op) {
                case VW_RELOAD_START_FRESH:
                        ck_assert(!is_route);
                        ck_assert_uint_eq(committed, 0);  /* every fresh start comes first */
                        ck_assert_int_eq(st->reply, VW_RELOAD_REPLY_NONE);
                        fresh++;
                        break;
                case VW_RELOAD_COMMIT:
                        ck_assert(!is_route);
                        ck_assert_uint_eq(routes, 0);
                        ck_assert_int_eq(st->reply, VW_RELOAD_REPLY_ADDED);
                        committed++;
                        break;
                case VW_RELOAD_START:
                        ck_assert(is_route);
                        ck_assert_int_eq(st->reply, VW_RELOAD_REPLY_ADDED);
                        routes++;
                        break;
                default:
                        ck_abort_msg("%s: step %zu: op %d starting from nothing", cases.gl_pathv[_i], i, st->op);
                }
        }
        ck_assert_uint_eq(fresh, committed);
        ck_assert_uint_eq(fresh + routes, n_objects);
        world_done(&w);
        vw_config_free(old);
}
END_TEST

/* Once the new config runs, reloading it again changes nothing. */
START_TEST(test_reload_again_keeps_all)
{
        _cleanup_(vw_reload_plan_freep) struct vw_reload_plan *p = NULL, *again = NULL;
        _cleanup_(vw_config_freep) struct vw_config *next = NULL;
        _cleanup_free_ char *error = NULL;
        struct world w;
        size_t n_objects = 0;

        enter_case(_i);
        world_init(&w, load("old.conf"), true);
        next = load("new.conf");
        if (plan(&w, next, &p, &error) < 0) {
                world_done(&w);
                return;  /* a refused reload leaves the old config running */
        }
        world_done(&w);
        world_init(&w, load("new.conf"), true);
        ck_assert_int_eq(plan(&w, next, &again, &error), 0);
        for (size_t i = 0; i < next->n_sections; i++)
                n_objects += !streq(next->sections[i]->kind, "daemon");
        ck_assert_uint_eq(again->n_steps, n_objects);
        for (size_t i = 0; i < again->n_steps; i++)
                ck_assert_msg(again->steps[i].op == VW_RELOAD_KEEP, "%s: step %zu is op %d, not keep",
                              cases.gl_pathv[_i], i, again->steps[i].op);
        ck_assert(!again->daemon_changed);
        world_done(&w);
}
END_TEST

/* The refusals leave *ret alone; an empty config stops every config object and nothing else. */
START_TEST(test_api)
{
        _cleanup_(vw_config_freep) struct vw_config *empty = vw_config_new();
        struct vw_reload_plan *p = (struct vw_reload_plan *)&p;  /* not written on failure */
        struct vw_section *a = vw_section_new("serial", "a", "x.conf", 1);
        struct vw_section *b = vw_section_new("serial", "b", "x.conf", 1);
        struct vw_reload_object ep[] = { { .section = a }, { .section = b } };
        _cleanup_free_ char *error = NULL, *text = NULL;

        ck_assert(empty && a && b);
        b->origin = VW_ORIGIN_RUNTIME;
        ck_assert_int_eq(vw_section_set(a, "path", "/tmp/a", 2), 0);
        ck_assert_int_eq(vw_config_parse_string(empty, "[serial b]\n", "y.conf", &(struct vw_errors){}), 0);
        ck_assert_int_eq(vw_reload_plan_new(&(struct vw_reload_running){ .endpoints = ep, .n_endpoints = 2 }, empty,
                                            &p, &error),
                         -EEXIST);
        ck_assert_ptr_eq(p, (struct vw_reload_plan *)&p);
        ck_assert_str_eq(error, "y.conf:1: 'b' is taken by an object added with vwirectl; remove it first");
        vw_config_free(empty);
        empty = vw_config_new();
        ck_assert_int_eq(vw_reload_plan_new(&(struct vw_reload_running){ .endpoints = ep, .n_endpoints = 2 }, empty,
                                            &p, &error),
                         0);
        text = vw_reload_plan_format(p);
        ck_assert_str_eq(text, "stop serial a\nadded:\nremoved: a\nchanged:\nunchanged: 0\n");
        vw_reload_plan_free(p);
        vw_reload_plan_free(NULL);
        vw_section_free(a);
        vw_section_free(b);
}
END_TEST

START_TEST(test_can_start_beside)
{
        struct vw_section *a = vw_section_new("serial", "a", "x.conf", 1);
        struct vw_section *b = vw_section_new("serial", "a", "x.conf", 5);

        ck_assert(a && b);
        ck_assert(vw_reload_can_start_beside(a, b, test_claim));  /* nothing claimed */
        ck_assert_int_eq(vw_section_set(a, "path", "/tmp/a", 2), 0);
        ck_assert(vw_reload_can_start_beside(a, b, test_claim));  /* only one side names a path */
        ck_assert_int_eq(vw_section_set(b, "path", "/tmp/b", 6), 0);
        ck_assert(vw_reload_can_start_beside(a, b, test_claim));
        ck_assert_int_eq(vw_section_set(a, "listen", "127.0.0.1:5000", 3), 0);
        ck_assert_int_eq(vw_section_set(b, "listen", "127.0.0.1:5000", 7), 0);
        ck_assert(!vw_reload_can_start_beside(a, b, test_claim));  /* the same address */
        vw_section_free(a);
        vw_section_free(b);
}
END_TEST

static Suite *reload_plan_suite(void)
{
        Suite *s = suite_create("reload-plan");
        TCase *tc;

        tc = vw_test_case(s, "golden");
        tcase_add_test(tc, test_data_present);
        tcase_add_loop_test(tc, test_golden, 0, (int)cases.gl_pathc);
        tc = vw_test_case(s, "properties");
        tcase_add_loop_test(tc, test_start_from_nothing, 0, (int)cases.gl_pathc);
        tcase_add_loop_test(tc, test_reload_again_keeps_all, 0, (int)cases.gl_pathc);
        tc = vw_test_case(s, "api");
        tcase_add_test(tc, test_api);
        tcase_add_test(tc, test_can_start_beside);
        return s;
}

int main(void)
{
        int r;

        data_dir = getenv("VW_RELOAD_DATA");
        if (!data_dir || chdir(data_dir) < 0) {
                fprintf(stderr, "test-reload-plan: set VW_RELOAD_DATA to tests/data/reload (meson test does)\n");
                return EXIT_FAILURE;
        }
        /* sorted, so a loop index names the same case on every run */
        (void)glob("*/", GLOB_ONLYDIR, NULL, &cases);
        r = vw_test_run(reload_plan_suite());
        globfree(&cases);
        return r;
}
