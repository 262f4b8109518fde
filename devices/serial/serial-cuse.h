/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Internal to the CUSE serial backend: serial-cuse.c (session and I/O) calls serial-cuse-tty.c
 * (line state, TIOCMIWAIT, the ioctl entry), never the other way round. The tty ioctls
 * themselves are cuse-ioctl.c's table, which sees none of this (cuse-ioctl.h).
 */

#define FUSE_USE_VERSION 31
#include <asm/termbits.h>
#include <cuse_lowlevel.h>
#include <fuse_lowlevel.h>
#include <sys/ioctl.h>

#include "cuse-ioctl.h"
#include "endpoint.h"
#include "ldisc.h"
#include "list.h"
#include "pace.h"
#include "serial-line.h"

enum cuse_readers { READERS_BROADCAST, READERS_EXCLUSIVE };
enum cuse_when_closed { WHEN_CLOSED_DROP, WHEN_CLOSED_BUFFER, WHEN_CLOSED_BLOCK };

struct cuse_config {
        char *path;          /* device name under /dev (a leading /dev/ is accepted) */
        mode_t mode;
        uid_t owner;
        gid_t group;
        int readers;
        int when_closed;
        bool pacing;
        bool raw; /* start raw (cfmakeraw), else with a real serial port's terminal defaults */
};

struct cuse_port;

/* One open() of the device. */
struct cuse_open {
        struct cuse_port *port;
        struct vw_list link;
        struct vw_sink *sink;
        struct vw_list reads;      /* parked read requests */
        struct fuse_pollhandle *ph;
        sd_event_source *vtimer; /* VTIME of the oldest parked read */
        uint64_t last_rx;        /* when bytes last came for this open (VTIME between bytes) */
        uint64_t read_since;     /* when the oldest parked read began waiting (VMIN 0) */
        struct vw_ldisc ld;      /* the termios applied to what this open reads */
};

enum parked_kind { PARKED_READ, PARKED_WRITE, PARKED_MIWAIT, PARKED_DRAIN };

struct parked {
        struct vw_list link;
        enum parked_kind kind;
        fuse_req_t req;
        struct cuse_port *port;
        struct cuse_open *open;
        size_t size;               /* read: wanted; write: total */
        size_t done;               /* write: accepted so far */
        uint8_t *data;             /* write: copy of the caller's bytes */
        uint32_t mask;             /* miwait: lines to wait for */
        struct vw_cuse_ioctl call; /* drain: the ioctl to run again once output has gone (in: data) */
        struct vw_serial_counts snapshot;
        bool nonblock;
};

/* What the kernel asked of the port, for `vwirectl show` (requests per round trip, and how much
 * of a round trip vwired itself spends: docs/PERFORMANCE.md, issue 10). */
struct cuse_stats {
        uint64_t read, write, poll, ioctl, other;
        uint64_t eagain;    /* read and write requests answered EAGAIN */
        uint64_t notify;    /* poll wake-ups sent */
        uint64_t wakeups;   /* times the loop woke for this port's /dev/cuse */
        uint64_t busy_usec; /* time spent handling them */
};

struct cuse_port {
        struct vw_endpoint *ep;
        struct fuse_session *se;
        int fd;
        sd_event_source *io;
        sd_event_source *timer;    /* pacing and timed breaks */
        struct fuse_buf fbuf;
        char devname[64];
        char devnode[96];
        bool ready;                /* CUSE_INIT answered: the node exists */
        bool start_pending;        /* start() returned VW_START_PENDING: vw_endpoint_started() due */
        sd_event_source *init_timer; /* gives up on CUSE_INIT */

        struct vw_list opens;
        unsigned n_opens;
        bool excl;                 /* TIOCEXCL */
        struct vw_sink *holder;    /* holds data while nobody has the port open (when-closed) */

        struct termios2 termios;
        struct winsize winsize;
        struct vw_serial_line line;
        bool break_on;
        bool output_stopped;       /* TCXONC TCOOFF */
        bool flow_stopped;         /* IXON: the peer sent the stop character */
        bool throttled;            /* CRTSCTS: input backs up, RTS is shown down to the peers */
        struct vw_ldisc_column col; /* OPOST's output column, moved by writes and echo */
        struct cuse_stats stats;

        struct vw_list writes;     /* parked writes, in order */
        struct vw_list waits;      /* TIOCMIWAIT */
        struct vw_list drains;     /* TCSETSW, TCSBRK...: ioctls waiting for the parked writes */
        struct vw_pace pace;
};

static inline uint64_t cuse_now(struct cuse_port *p)
{
        uint64_t now = 0;

        (void)sd_event_now(vw_endpoint_event(p->ep), CLOCK_MONOTONIC, &now);
        return now;
}

/* Written data waits: TCOOFF, the peer's XOFF (IXON), or CRTSCTS with the peer's RTS (our CTS) down. */
static inline bool cuse_output_held(const struct cuse_port *p)
{
        return p->output_stopped || p->flow_stopped ||
               ((p->termios.c_cflag & CRTSCTS) && !(p->line.inputs & TIOCM_CTS));
}

/* serial-cuse-read.c: what reads get, and when (the line discipline, VMIN/VTIME) */
int cuse_input_open(struct cuse_open *o);
/* Answer the parked reads with err, stop the timer, drop the poll handle. */
void cuse_input_close(struct cuse_open *o, int err);
/* New data in the open's sink: cook it, answer reads that may return, tell pollers. */
void cuse_input(struct cuse_open *o);
void cuse_read(struct cuse_open *o, fuse_req_t req, size_t size, bool nonblock);
bool cuse_readable(struct cuse_open *o);
size_t cuse_input_pending(struct cuse_open *o);
void cuse_flush_input(struct cuse_open *o);
/* The port's termios changed: every open's line discipline follows, reads may return now. */
void cuse_input_termios_changed(struct cuse_port *p);
void cuse_notify_poll(struct cuse_open *o);

/* serial-cuse-tty.c */
/* Assert these of TIOCM_DTR | TIOCM_RTS (others are ignored) and tell the peers when they change. */
void cuse_set_outputs(struct cuse_port *p, uint32_t outputs);
/* Tell the peers our outputs as they are on the line (RTS down while throttled). */
void cuse_send_outputs(struct cuse_port *p);
/* CRTSCTS input flow control: hold the peer back (RTS down) or let it go. */
void cuse_throttle(struct cuse_port *p, bool on);
/* Answer the TIOCMIWAITs waiting for one of the `changed` input lines. */
void cuse_wake_miwait(struct cuse_port *p, uint32_t changed);
/* Run the ioctls that waited for output (wait_drain) once no write is parked any more. */
void cuse_wake_drains(struct cuse_port *p);
/* The CUSE ioctl op: cuse-ioctl.c's table, working on the open in fi->fh. */
void cuse_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi, unsigned flags, const void *in_buf,
                size_t in_bufsz, size_t out_bufsz);
