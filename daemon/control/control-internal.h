/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Inside the control server: a client connection (struct vw_call) and the server (struct
 * vw_control). server.c owns both (transport, limits, descriptors); methods.c answers the
 * io.vwire methods; monitor.c streams taps. Nothing outside daemon/control/ includes this.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "caller.h"
#include "control.h"
#include "flat.h"
#include "list.h"
#include "varlink.h"

#define USEC_PER_SECOND 1000000ULL

#define MAX_CLIENTS 256
#define RESERVED_CLIENTS 32                   /* of MAX_CLIENTS, only for root and vwired's user */
#define MAX_CLIENTS_PER_UID 16                /* for every other uid */
#define OUTPUT_PAUSE (1u * 1024u * 1024u)     /* queued replies above which a client is not read */
#define OUTPUT_MAX (8u * 1024u * 1024u)       /* ... and above which it is disconnected */
#define MONITOR_BACKLOG (1u * 1024u * 1024u)  /* queued output above which monitor events are lost */
#define READ_SIZE 65536u                      /* one read per wake-up */
#define MESSAGES_PER_WAKEUP 32
#define MAX_FDS 8                             /* descriptors with one message */
#define MAX_SETTINGS 64                       /* settings of one Add */
#define PARTIAL_TIMEOUT (10 * USEC_PER_SECOND)
#define IDLE_TIMEOUT (300 * USEC_PER_SECOND)
#define ACCEPT_RETRY (100 * 1000ULL)          /* after accept() ran out of descriptors */
#define REFUSED_LOG_INTERVAL (10 * USEC_PER_SECOND)
#define BUFFER_KEEP (256u * 1024u)            /* an empty buffer larger than this is freed */

enum tier {
        TIER_READ_ONLY, /* Hello, Status, List, Show, GetInfo, Doctor; no Monitor */
        TIER_MEMBER,    /* may change state; what it adds is confined to its own rights */
        TIER_FULL,      /* root and vwired's own user: the power of the config files */
};


/* Descriptors (SCM_RIGHTS) that came with a message not handled yet, or why that message is
 * refused. A message is named by the stream offset where it begins. */
struct fdset {
        bool used;
        uint64_t pos;
        unsigned n;
        int fds[MAX_FDS];     /* -1 once taken */
        const char *refuse;   /* set: the message gets InvalidArgument{refuse}, it has no fds */
};

struct vw_call {
        struct vw_control *control;
        struct vw_list link;
        int fd;
        sd_event_source *io;
        struct vw_msgbuf in, out;
        uint64_t in_pos;          /* stream offset of in.data[0] */
        struct vw_caller caller;
        enum tier tier;
        bool closing;             /* flush what is queued, then close */
        bool dead;                /* close without flushing (output cap, abuse, a write failed) */
        bool eof;                 /* the peer sent all it will: handle what is buffered, then close */
        bool backlog;             /* complete messages wait in `in` (handled from control->later) */
        char *monitor;            /* name being monitored, NULL if none */
        uint64_t lost;
        uint64_t last_active;     /* CLOCK_MONOTONIC of the last byte in or out */
        uint64_t partial_since;   /* when the unfinished message at the end of `in` began; 0: none */
        struct fdset fdsets[2];   /* one with descriptors, one refused: more never wait at once */
        struct fdset *current;    /* those of the message being handled */
        bool waiting;             /* a reply is held (vw_call_hold): nothing else is handled */
        bool mismatched;          /* Hello failed: every other call is refused (methods.c) */
        bool waiting_oneway;      /* ... and the caller asked for no reply */
        unsigned turn_left;       /* messages this turn may still handle after the current one */
        size_t in_current;        /* bytes of `in` that are the message being handled the fast way */
};

struct vw_control {
        struct vw_manager *manager;
        int fd;
        char *path;
        bool unlink_path;
        gid_t gid;                /* group vwire; (gid_t)-1 when it is absent or vwired is not root */
        sd_event_source *accept_io;
        bool accepting;           /* vwired is ready (vw_control_ready_hook) */
        sd_event_source *later;   /* 0-delay timer: backlogs, dead clients */
        sd_event_source *sweep;   /* timer: timeouts, the end of an accept pause */
        uint64_t sweep_at;        /* when it is armed for; UINT64_MAX: off */
        uint64_t accept_paused_until;
        struct vw_list clients;
        unsigned n_clients;
        uint64_t refused_logged_at;
        unsigned refused_quiet;
        uint64_t n_calls, n_flat_calls; /* Status: calls, flat_calls */
        struct vw_flat flat; /* the flat call being handled (client_next_flat), storage reused */
};

/* Shared by server.c, methods.c and monitor.c. */
void client_send(struct vw_call *cl, json_object *msg);
void client_kill(struct vw_call *cl, const char *why);
int client_flush(struct vw_call *cl);
void client_update_events(struct vw_call *cl);
void call_failf_(struct vw_call *cl, const char *error, const char *fmt, ...) _printf_(3, 4);
/* An error {message: ...}; -EINVAL, for checks that reply and stop. A macro, so that static
 * analysis sees the value (it cannot see into server.c). */
#define call_failf(cl, error, ...) (call_failf_((cl), (error), __VA_ARGS__), -EINVAL)
const struct vw_method *find_method(const char *name);
void method_monitor(struct vw_call *cl, json_object *params, bool more);
/* A method that answers later (a start that is pending): hold the connection's next messages,
 * so replies stay in order. After the late reply, vw_call_release(). */
void vw_call_hold(struct vw_call *cl);
void vw_call_release(struct vw_call *cl, size_t out_before);
