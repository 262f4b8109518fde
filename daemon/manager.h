/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The manager owns the loop and everything on it: the sd_event, the router (buffer core), the
 * endpoint and route tables, the control server and the signal handlers. main() builds it,
 * runs it and frees it.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "conffile.h"
#include "endpoint.h"
#include "router.h"

struct vw_manager;
struct vw_owned;

/* A route as configured, with the core route it created. */
struct vw_mroute {
        struct vw_section *section;
        struct vw_names from, to;
        struct vw_route_params params;
        struct vw_route *route;
};

struct vw_manager_options {
        const char *config_file;   /* NULL: the default file and its .d directory */
        const char *control_socket; /* NULL: from [daemon] or the default */
        const char *runtime_dir;    /* NULL: from [daemon] or the default */
        bool log_level_set;         /* --log-level/-v given: [daemon] log-level does not apply */
};

int vw_manager_new(const struct vw_manager_options *opts, struct vw_manager **ret);
void vw_manager_free(struct vw_manager *m);
DEFINE_CLEANUP(struct vw_manager *, vw_manager_free);

/* Load the config, create everything, open the control socket. Errors are logged. */
/* Read the config, take the runtime directory, watch signals. Nothing is created yet. */
int vw_manager_start(struct vw_manager *m);
/* Create the configured objects, then READY=1. main() sets the hooks before. */
int vw_manager_create_objects(struct vw_manager *m);

/*
 * What the manager tells the control server, wired up by main(): the manager never calls the
 * server itself (daemon/control/ sits above it). Any hook may be NULL.
 */
struct vw_manager_hooks {
        /* traffic of a monitored object: "rx"/"tx" (endpoint) or "forward"/"reverse" (route) */
        void (*tap)(void *userdata, const char *name, const char *direction, const char *via,
                    const struct vw_chunk *chunk);
        /* an object went away: end its monitors */
        void (*object_gone)(void *userdata, const char *name);
        /* every configured device exists (just before READY=1) */
        void (*ready)(void *userdata);
        void *userdata;
};
void vw_manager_set_hooks(struct vw_manager *m, const struct vw_manager_hooks *hooks);
int vw_manager_run(struct vw_manager *m);

/* --check: load and validate without creating anything; errors printed to stderr. */
int vw_config_check(const struct vw_manager_options *opts);

sd_event *vw_manager_event(struct vw_manager *m);
struct vw_router *vw_manager_router(struct vw_manager *m);
const char *vw_manager_runtime_dir(struct vw_manager *m);
const char *vw_manager_control_path(struct vw_manager *m);
uint64_t vw_manager_start_time(struct vw_manager *m);

size_t vw_manager_n_endpoints(struct vw_manager *m);
struct vw_endpoint *vw_manager_endpoint(struct vw_manager *m, size_t i);
size_t vw_manager_n_routes(struct vw_manager *m);
struct vw_mroute *vw_manager_route(struct vw_manager *m, size_t i);
struct vw_endpoint *vw_manager_find_endpoint(struct vw_manager *m, const char *name);
/* Run the work endpoints put off with vw_endpoint_hold(): the control server calls this after the
 * calls of one turn, before it sends their replies. */
void vw_manager_release_held(struct vw_manager *m);
struct vw_mroute *vw_manager_find_route(struct vw_manager *m, const char *name);
const struct vw_config *vw_manager_config(struct vw_manager *m);
const char *vw_manager_config_file(struct vw_manager *m);
const char *vw_manager_dropin_dir(struct vw_manager *m);   /* NULL with --config FILE */
/* What this vwired made in the file system (daemon/owned.h). */
size_t vw_manager_n_owned(struct vw_manager *m);
const struct vw_owned *vw_manager_owned(struct vw_manager *m, size_t i);
bool vw_manager_owns_path(struct vw_manager *m, const char *path);
/*
 * Wait for endpoints whose start is still pending (VW_START_PENDING): the one named, or every
 * one (name NULL). Returns 0 when nothing is pending (done is not called), 1 when done(userdata,
 * r, error) will be called from the loop: r is 0, or the first failure with its message.
 * vw_manager_cancel_waits() drops the waits of `owner` (a client that went away): cancel(userdata)
 * is called instead of done.
 */
typedef void (*vw_started_fn)(void *userdata, int r, const char *error);
int vw_manager_when_started(struct vw_manager *m, const char *name, vw_started_fn done, void (*cancel)(void *),
                            void *userdata, const void *owner);
void vw_manager_cancel_waits(struct vw_manager *m, const void *owner);

/* A monitor starts or stops watching an endpoint or route. */
void vw_manager_set_monitored(struct vw_manager *m, const char *name, bool on);

/*
 * Runtime changes from the control socket. Errors: a message for the client in *error.
 * -EEXIST name taken, -ENOENT no such object, -EINVAL bad settings, -EBUSY endpoint in use.
 */
int vw_manager_add(struct vw_manager *m, struct vw_section *s, char **error);
int vw_manager_remove(struct vw_manager *m, const char *name, char **error);
/* Names of the routes that use an endpoint (for the InUse error). */
json_object *vw_manager_routes_using(struct vw_manager *m, const char *endpoint);
int vw_manager_reload(struct vw_manager *m, json_object **result, char **error);
/* Deliver bytes to an endpoint as if they came from a route. Returns bytes accepted. */
int vw_manager_send(struct vw_manager *m, struct vw_endpoint *ep, const void *data, size_t len, char **error);

/* JSON views for the control socket. */
json_object *vw_endpoint_to_json(struct vw_endpoint *ep, bool details);
json_object *vw_mroute_to_json(struct vw_mroute *r);
