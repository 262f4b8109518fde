/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Reload by difference, as a plan: what runs now and the new configuration go in; the steps
 * that turn one into the other come out, in the order they must run. Pure (no loop, router or
 * fd), so tests/test-reload-plan.c checks it against golden files with common/ alone;
 * manager_apply() (manager-objects.c) runs the steps and undoes them when a start fails.
 *
 * The order, and why:
 *   1. new endpoints, and new versions of changed ones that claim nothing their old version
 *      holds, start first, marked fresh: if one cannot start, nothing running was touched;
 *   2. routes that go (removed, changed, or over an endpoint that goes) stop, in reverse table
 *      order, before the endpoints they join;
 *   3. endpoints that go (removed or changed) stop, in reverse table order;
 *   4. in config order, endpoints: a fresh one is committed, a running one is kept, the rest
 *      start; then routes the same way, once every endpoint they name runs.
 * Objects added at run time are never touched: a config claiming one's name is refused, and so
 * is a reload that would take down an endpoint a runtime route uses.
 */

#include <stdbool.h>
#include <stddef.h>

#include "conf-parse.h"
#include "conffile.h"
#include "macro.h"

/* One running object, as the manager's tables hold it. */
struct vw_reload_object {
        const struct vw_section *section;  /* kind, name, origin and the settings it runs with */
        const struct vw_names *from, *to;  /* a route's endpoints; NULL for an endpoint */
};

typedef char *(*vw_reload_claim_fn)(const struct vw_section *s);

struct vw_reload_running {
        const struct vw_reload_object *endpoints;  /* in table order */
        size_t n_endpoints;
        const struct vw_reload_object *routes;     /* in table order */
        size_t n_routes;
        const struct vw_config *config;  /* the running configuration, for [daemon]; NULL at start */
        /* The file or address a section's endpoint holds (its backend's claim()), malloc'd, or
         * NULL for none; the plan knows no backend. NULL callback: nothing is claimed. */
        vw_reload_claim_fn claim;
};

enum vw_reload_op {
        VW_RELOAD_START_FRESH, /* endpoint: start `now` before anything is torn down, marked fresh */
        VW_RELOAD_STOP,        /* take down the running object of section `old` */
        VW_RELOAD_COMMIT,      /* the fresh endpoint named now->name is no longer fresh */
        VW_RELOAD_START,       /* create `now` */
        VW_RELOAD_KEEP,        /* `now` runs already, as it is: untouched */
};

/* Where the Reload reply lists the object's name at this step. */
enum vw_reload_reply {
        VW_RELOAD_REPLY_NONE,      /* not at this step (a fresh start; the start half of a change) */
        VW_RELOAD_REPLY_ADDED,
        VW_RELOAD_REPLY_REMOVED,
        VW_RELOAD_REPLY_CHANGED,
        VW_RELOAD_REPLY_UNCHANGED, /* counted */
};

struct vw_reload_step {
        enum vw_reload_op op;
        enum vw_reload_reply reply;
        const struct vw_section *old;     /* STOP: the running object's section */
        const struct vw_section *now;     /* every other op: the section in the new config */
        /* START_FRESH: the running object of that name it starts beside (NULL: a new name).
         * STOP: the section of a fresh object of that name already running beside it. */
        const struct vw_section *beside;
        bool recreate;                    /* one half of a stop + start of the same kind and name */
};

struct vw_reload_plan {
        struct vw_reload_step *steps;
        size_t n_steps;
        bool daemon_changed;  /* [daemon] differs: its changes take effect at the next restart */
};

/*
 * The plan from `running` to `next` (already validated). It points into both: it is valid while
 * neither changes, and a STOP step's `old` only until that step ran. Returns 0, -ENOMEM, or a
 * refusal with *error a message for the client (NULL when out of memory for it):
 * -EEXIST a section claims a runtime object's name, -EBUSY a runtime route uses an endpoint
 * that would go.
 */
int vw_reload_plan_new(const struct vw_reload_running *running, const struct vw_config *next,
                       struct vw_reload_plan **ret, char **error);
void vw_reload_plan_free(struct vw_reload_plan *p);
DEFINE_CLEANUP(struct vw_reload_plan *, vw_reload_plan_free);

/* Can a changed endpoint's new version run beside the old one? Not when both claim the same path or address. */
bool vw_reload_can_start_beside(const struct vw_section *old, const struct vw_section *now, vw_reload_claim_fn claim);

/*
 * The plan as text, one line per step (a COMMIT has none: it only moves where the reply names
 * the object), then the reply and [daemon]; the golden files' format (tests/data/reload/README.md).
 * malloc'd; NULL when out of memory.
 */
char *vw_reload_plan_format(const struct vw_reload_plan *p);
