/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * An endpoint is one configured device-like thing ([serial], [loopback], [socket], [file],
 * [input]). Each backend lives in one file under devices/ and exports exactly one const
 * struct vw_endpoint_ops; the manager owns the endpoint and calls the ops.
 *
 * What a backend does in start():
 *  - make its OS resources (pty, socket, file, device node), nonblocking, registered on
 *    vw_endpoint_event(ep) with sd_event_add_io/time/...;
 *  - data read from the device goes to vw_port_write(ep->port, ...) after vw_port_room();
 *    when room is 0 (or -EAGAIN), stop reading (disable EPOLLIN) until ops->room fires;
 *  - data for the device comes from one or more sinks (vw_sink_new(ep->port, ready, ...)): on
 *    ready, and on EPOLLOUT, loop vw_sink_peek() / write() / vw_sink_consume() until the fd is
 *    full (then enable EPOLLOUT) or the sink is empty;
 *  - set ep->path (what a client opens) and ep->state;
 *  - files it creates are recorded with vw_endpoint_own_path() and released with
 *    vw_endpoint_disown_path() after unlinking them in stop().
 * stop() must release everything start() made, whether start() finished or not.
 * Errors: log with log_error*() naming the endpoint, return a negative errno.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "conf-parse.h"
#include "conffile.h"
#include "list.h"
#include "router.h"

struct vw_manager;
struct vw_endpoint;
struct vw_method;

struct vw_endpoint_ops {
        const char *kind;     /* section kind: "serial", "loopback", ... */
        const char *backend;  /* this backend's name: "pty", "echo", "listen", ... */
        /* Key whose value selects among several backends of one kind ("backend" for serial), or
         * NULL when the kind has one ops table. */
        const char *selector;
        bool is_default;      /* chosen when the selector key is absent */
        /* More values of the selector that choose this backend (NULL-terminated, optional). A
         * backend whose own key table has the selector key parses it itself, e.g. [file]'s
         * format = raw | pcap, beside format = wav | flac of another backend. */
        const char *const *selector_values;
        const struct vw_key *keys;   /* accepted keys, NULL-terminated; the selector is implied */
        size_t config_size;          /* size of the struct the keys fill */
        void (*init_config)(void *config);   /* defaults, before keys are applied (optional) */
        /* Checks between keys, after parsing; append "file:line: ..." errors (optional). */
        void (*check)(const struct vw_section *s, const void *config, struct vw_errors *errs);
        /* Is this backend usable here? For "auto" selection and doctor (optional: NULL = yes). */
        bool (*available)(void);
        int (*start)(struct vw_endpoint *ep);
        void (*stop)(struct vw_endpoint *ep);
        /* Backend-specific facts for `vwirectl show` (optional). */
        void (*describe)(struct vw_endpoint *ep, json_object *details);
        /* A peer on a route changed its line state (optional). */
        void (*signal)(struct vw_endpoint *ep, const struct vw_signal *sig);
        /* A route gained or lost this endpoint, e.g. to create or drop sinks (optional). */
        void (*routes_changed)(struct vw_endpoint *ep);
        /* `vwirectl doctor`: append this endpoint's DoctorCheck objects (vw_doctor_check_add()),
         * e.g. whether a program has it open (optional). Failed state and drops are generic. */
        void (*doctor)(struct vw_endpoint *ep, json_object *checks);
        /* `vwirectl doctor`, once per backend: checks of what it needs from the host (a kernel
         * device node: vw_doctor_device_node()). in_use: the configuration or a running endpoint
         * uses this backend, so a problem is a failure rather than a warning (optional). */
        void (*doctor_host)(json_object *checks, bool in_use);
        /* The file this section's endpoint makes (symlink, socket, node), so that two sections
         * cannot claim one path; malloc'd, NULL if none. *ret_setting: where it is written. */
        char *(*claim)(const struct vw_section *s, const struct vw_setting **ret_setting);
        /* The device as an evemu description ("# EVEMU 1.3", N:, I:, P:, B:, A: lines), malloc'd:
         * a route with convert = events-to-evemu from this endpoint starts with it, so its capture
         * is a whole evemu file (optional; -ENODEV while the device is not there). */
        int (*evemu_description)(struct vw_endpoint *ep, char **ret, size_t *ret_len);
        /* io.vwire methods this backend adds (e.g. input injection), NULL-terminated (optional). */
        const struct vw_method *methods;
        /* Makes a udev hint file per endpoint (<runtime>/udev/NAME), which doctor checks. */
        bool udev_hints;
};

/* What `vwirectl list` shows in STATE; vw_endpoint_state_to_string() gives the word. */
enum vw_endpoint_state {
        VW_STATE_CREATED,     /* made, start() not finished */
        VW_STATE_STARTING,    /* waiting for the kernel (a CUSE node) */
        VW_STATE_ACTIVE,
        VW_STATE_LISTENING,   /* a socket with no client */
        VW_STATE_CONNECTING,
        VW_STATE_CLOSED,      /* nothing more will happen: a replay that ended, a lost connection */
        VW_STATE_FAILED,
        _VW_STATE_MAX,
};

const char *vw_endpoint_state_to_string(enum vw_endpoint_state s);

struct vw_endpoint {
        struct vw_manager *manager;
        const struct vw_endpoint_ops *ops;
        struct vw_section *section;  /* owned copy of what defined it */
        const char *name;            /* section->name */
        void *config;                /* filled by ops->keys */
        void *data;                  /* backend state, owned by the backend */
        struct vw_port *port;        /* made by the manager before start() */
        /* ops->room is delivered here; the backend sets it (NULL: nothing to resume). */
        void (*room)(struct vw_endpoint *ep);
        char *path;                  /* what clients open, or NULL */
        enum vw_endpoint_state state;
        unsigned clients;
        struct vw_line_params peer_params; /* last line settings received from a peer */
        bool have_peer_params;
        uint32_t peer_modem; /* last modem outputs (VW_SIGNAL_MODEM) received from a peer */
        bool have_peer_modem;
        uint64_t peer_params_signals, peer_modem_signals; /* how many times a peer told them */
        struct vw_list held; /* in the manager's list while vw_endpoint_hold() is pending */
        void (*release_held)(struct vw_endpoint *ep);
};

/*
 * start() may return VW_START_PENDING when the device appears later (a CUSE node the kernel
 * makes after CUSE_INIT is answered): state VW_STATE_STARTING, no waiting in the loop. The
 * backend then calls vw_endpoint_started() exactly once, from the loop, with 0, or a negative
 * errno and why (the Add or the start-up is answered with it). The manager holds READY=1 and
 * the caller's reply until then.
 */
#define VW_START_PENDING 1
void vw_endpoint_started(struct vw_endpoint *ep, int r, const char *why);

sd_event *vw_endpoint_event(struct vw_endpoint *ep);
/* Deliver the router's wake-ups now, at the end of an I/O callback, instead of from the next
 * loop iteration: one epoll_wait less per hop on the latency path. */
void vw_endpoint_dispatch(struct vw_endpoint *ep);
/*
 * Put work off to the end of the control calls being handled: release() runs once, after the
 * last call of this turn and before any of their replies is sent (so one write can serve many
 * calls, and a client that has its reply also has what the call did). Only while
 * vw_call_more_this_turn() is true; not after the endpoint is gone.
 */
void vw_endpoint_hold(struct vw_endpoint *ep, void (*release)(struct vw_endpoint *ep));
const char *vw_endpoint_runtime_dir(struct vw_endpoint *ep);
int vw_endpoint_set_path(struct vw_endpoint *ep, const char *path);
/*
 * Files vwired makes at a configured or client-given path (daemon/manager-owned.c). The
 * directory is opened and checked with the creator's rights (policy.h), the file made relative
 * to it and recorded in the ledger, so the next vwired after a crash removes it; a symlink or
 * socket of ours already there (an endpoint a reload replaces) is replaced, anything else is
 * EEXIST. The socket gets mode, owner and group before it appears at its path.
 */
struct vw_owned;
int vw_endpoint_make_symlink(struct vw_endpoint *ep, const char *path, const char *target, struct vw_owned **ret);
int vw_endpoint_bind_unix(struct vw_endpoint *ep, int fd, const char *path, mode_t mode, uid_t owner, gid_t group,
                          struct vw_owned **ret);
/* Remove it, only if it is still the inode made; forget it; free. NULL-safe. */
void vw_endpoint_unmake(struct vw_endpoint *ep, struct vw_owned *o);

/* The doctor check named `check` of kernel device `node` (made by kernel module `module`):
 * exists, openable by vwired, else why not and the fix; a failure when `in_use`, else a warning. */
void vw_doctor_device_node(json_object *checks, const char *check, const char *what, const char *node,
                           const char *module, bool in_use);

/* Backend registry (devices/backends.c). */
extern const struct vw_endpoint_ops *const vw_backends[];
/* Find the ops for a section; "auto" picks the first available backend of the kind. */
const struct vw_endpoint_ops *vw_backend_for_section(const struct vw_section *s, struct vw_errors *errs);

/* A claim() for backends whose `key` setting is the path they make (after %t expansion). */
char *vw_claim_setting(const struct vw_section *s, const char *key, const struct vw_setting **ret_setting);

/* The first key of s that names a host resource (struct vw_key.host), or NULL. */
const char *vw_section_host_key(const struct vw_section *s);

/* Parse and check an endpoint section into a new config struct (NULL on errors, which go to errs). */
void *vw_endpoint_parse_config(const struct vw_endpoint_ops *ops, const struct vw_section *s,
                               struct vw_errors *errs);
void vw_endpoint_free_config(const struct vw_endpoint_ops *ops, void *config);
