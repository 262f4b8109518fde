/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * vwirectl's side of the control connection: connect, Hello, one call at a time, streamed
 * replies. Blocking I/O; the only wait that can be cut short is the one on ctl->sigfd.
 *
 * Every function returns 0 (or a count) or a negative errno, and prints its own message before
 * failing. A few errnos stand for a failure class that picks vwirectl's exit code:
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "varlink.h"

#define CTL_ERR_USAGE (-EINVAL)               /* bad command line: exit 2 */
#define CTL_ERR_REFUSED (-EREMOTEIO)          /* vwired answered with an error: exit 1 */
#define CTL_ERR_CONNECT (-EHOSTDOWN)          /* no connection to vwired: exit 3 */
#define CTL_ERR_MISMATCH (-EPROTONOSUPPORT)   /* vwired is another release or protocol: exit 4 */
#define CTL_ERR_PROTOCOL (-EPROTO)            /* malformed or cut-off reply: exit 5 */
#define CTL_ERR_CLOSED (-ECONNRESET)          /* vwired hung up between two messages (not printed) */

struct ctl {
        /* Settings, filled by main(). */
        const char *socket_path;        /* --socket, or NULL for $VWIRE_SOCKET / the default */
        bool json;                      /* --json */
        bool hex;                       /* --hex */
        bool persist;                   /* --persist (add, remove, route) */
        const char *pcap_path;          /* --pcap (monitor) */
        FILE *pcap;                     /* monitor-pcap.c, while the monitor runs */
        uint64_t pcap_packets;
        const char *force;              /* --force (net orphans) */
        unsigned grace;                 /* --grace (net orphans), seconds */
        int sigfd;                      /* when >= 0, waits end with -EINTR once it is readable */

        /* Connection state. */
        char *path;                     /* the socket actually used */
        int fd;
        bool hello_done;
        struct vw_msgbuf in;

        /* What Hello told about the daemon, valid after ctl_open() returned 0 or CTL_ERR_MISMATCH. */
        char *daemon_version;
        int64_t daemon_protocol;
        int64_t daemon_pid;
};

#define CTL_INIT { .fd = -1, .sigfd = -1, .daemon_protocol = -1, .daemon_pid = -1, .grace = 60 }

void ctl_done(struct ctl *c);

/* Connect and say Hello, unless already done. */
int ctl_open(struct ctl *c);

/*
 * Call `method` (steals `parameters`, may be NULL) and wait for the first reply. On success,
 * *ret_parameters is the reply's parameters object (caller puts it). An error reply is printed
 * (and, with --json, written to stdout) and turns into CTL_ERR_REFUSED or CTL_ERR_MISMATCH.
 * With `more`, *ret_continues tells whether further replies follow (read them with ctl_next()).
 */
int ctl_call(struct ctl *c, const char *method, json_object *parameters, bool more,
             json_object **ret_parameters, bool *ret_continues);

/*
 * ctl_call() with descriptors passed along (SCM_RIGHTS, at most CTL_MAX_FDS): the parameters
 * refer to them by index, e.g. "fd": 0 for fds[0]. They stay the caller's to close; vwired
 * gets its own copies.
 */
#define CTL_MAX_FDS 8
int ctl_call_with_fds(struct ctl *c, const char *method, json_object *parameters, const int *fds, size_t n_fds,
                      bool more, json_object **ret_parameters, bool *ret_continues);

/* The next reply of a streamed call; same results as ctl_call(). */
int ctl_next(struct ctl *c, json_object **ret_parameters, bool *ret_continues);

/* Member lookups that tolerate absent or mistyped members. */
const char *ctl_get_string(json_object *o, const char *key);
/* Returns false when the member is missing or no integer. */
bool ctl_get_int(json_object *o, const char *key, int64_t *ret);
