/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared between manager.c (lifecycle) and manager-objects.c (endpoints, routes, reload). */

#include "list.h"
#include "manager.h"

/* The manager's side of an endpoint: the backend sees only `pub`. */
struct endpoint_entry {
        struct vw_endpoint pub;
        struct vw_port *inject_port;    /* source of `vwirectl send` */
        struct vw_route *inject_route;
        unsigned monitors;
        bool started;
        bool fresh;     /* started by a reload that is not finished yet */
        bool pending;   /* start() returned VW_START_PENDING; vw_endpoint_started() not yet */
};

struct route_entry {
        struct vw_mroute pub;
        unsigned monitors;
};

struct vw_manager {
        sd_event *event;
        struct vw_router *router;
        sd_event_source *dispatch;        /* defer: deliver router wake-ups after this event */
        sd_event_source *dispatch_later;  /* 0-delay timer: when a dispatch left work over */
        bool dispatching;
        struct vw_list held; /* endpoints with work put off (vw_endpoint_hold) */
        sd_event_source *sig_term, *sig_int, *sig_hup;
        struct vw_manager_hooks hooks;

        struct endpoint_entry **endpoints;
        size_t n_endpoints;
        struct route_entry **routes;
        size_t n_routes;

        struct vw_config *config;
        struct vw_config *pending_config; /* loaded by vw_manager_start(), applied by create_objects */
        char *config_file;   /* main file */
        char *dropin_dir;    /* NULL with --config */
        bool config_required;
        char *runtime_dir;
        char *control_path;
        char *opt_control, *opt_runtime;
        bool log_level_set;
        int lock_fd;

        struct vw_owned **owned; /* files we made, mirrored in <runtime>/owned-paths */
        int private_fd;          /* <runtime>/.private: sockets are bound there, then renamed */
        unsigned private_seq;
        sd_event_source *ledger_event; /* deferred write of owned-paths */
        size_t n_owned;

        struct vw_list waits;           /* struct start_wait: replies held for pending starts */
        size_t n_pending;
        sd_event_source *waits_event;   /* defer: run the waits whose endpoints finished */

        uint64_t start_usec;
        bool stopping;
};

int manager_apply(struct vw_manager *m, struct vw_config *config, bool starting, json_object **result,
                  char **error);
void manager_remove_all(struct vw_manager *m);
int manager_validate(struct vw_manager *m, const struct vw_config *c, struct vw_errors *errs);
/* STATUS= for systemd, with `extra` (e.g. "READY=1\n") in front. */
void manager_notify_status(struct vw_manager *m, const char *extra);
int manager_parse_daemon(const struct vw_section *s, struct vw_errors *errs);
void manager_ledger_save(struct vw_manager *m);
void manager_waits_free(struct vw_manager *m);
/* At start: remove what a crashed vwired recorded, where it is still the same inode. */
void manager_remove_stale(struct vw_manager *m);
bool manager_owns_path(struct vw_manager *m, const char *path);
int manager_load(struct vw_manager *m, struct vw_config **ret, struct vw_errors *errs);
