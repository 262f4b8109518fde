/* SPDX-License-Identifier: MIT */
/*
 * The input side of a CUSE serial port: what a read() of one open gets, and when. The port's
 * termios is applied by core/ldisc.c as n_tty would: bytes from the open's sink are cooked into
 * the open's line discipline (IXON, ICANON editing, ECHO, ICRNL...), and VMIN/VTIME decide when
 * a parked read returns (a per-open timer for VTIME). With no input flag set and nothing held
 * by the line discipline, reads take the sink's bytes directly (no copy), as before.
 *
 * Echo and IXON belong to the port, not to each reader: the first open (the oldest) echoes and
 * stops or starts output; other opens (readers = broadcast) only read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "serial-cuse.h"
#include "tty-params.h"

#define READ_IOV_MAX 64
#define USEC_PER_DECISECOND 100000ULL

/* One of each for the whole loop: it is single-threaded, and both are emptied before returning. */
static struct vw_ldisc_effects effects;
static uint8_t cooked_buf[VW_LDISC_BUF];

static bool is_tty_open(const struct cuse_open *o)
{
        return o->port->opens.next == &o->link;
}

/* The bytes a line event reads as, following the reader's termios (like a UART driver and n_tty:
 * a framing or parity error is reported only with INPCK, a break always). */
static size_t line_event_bytes(struct cuse_open *o, const struct vw_line_event *ev, uint8_t out[3])
{
        struct cuse_port *p = o->port;
        tcflag_t iflag = p->termios.c_iflag;

        if (ev->type != VW_LINE_BREAK && ev->type != VW_LINE_FRAME_ERROR && ev->type != VW_LINE_PARITY_ERROR)
                return 0; /* VW_LINE_BREAK_END: the line left break; VW_LINE_HANGUP: a socket client left */
        if (ev->type == VW_LINE_BREAK) {
                p->line.counts.brk++;
                if (iflag & IGNBRK)
                        return 0;
                if (iflag & BRKINT) {
                        /* n_tty's interrupt (never on the raw path: vw_ldisc_input_raw says no) */
                        vw_ldisc_interrupt(&o->ld, &p->termios);
                        return 0;
                }
        } else {
                if (ev->type == VW_LINE_FRAME_ERROR)
                        p->line.counts.frame++;
                else
                        p->line.counts.parity++;
                return vw_ldisc_error_mark(&p->termios, 0, out);
        }
        if (iflag & PARMRK) {
                out[0] = 0377;
                out[1] = 0;
                out[2] = 0;
                return 3;
        }
        out[0] = 0;
        return 1;
}

/* The ends disagree on the line settings: every byte would be a framing error on a real line. */
static bool mismatched(const struct cuse_port *p)
{
        struct vw_line_params own;

        vw_termios2_to_params(&p->termios, &own);
        return p->line.have_peer && !vw_line_params_compatible(&p->line.peer, &own);
}

/* The driver's icount: framing errors count with or without INPCK. */
static void count_rx(struct cuse_port *p, size_t n)
{
        if (mismatched(p))
                p->line.counts.frame += (uint32_t)n;
        p->line.counts.rx += (uint32_t)n;
}

/* May bytes from the sink bypass the line discipline? Not when they must be marked (INPCK). */
static bool bypass(const struct cuse_port *p)
{
        return vw_ldisc_input_raw(&p->termios) && !((p->termios.c_iflag & INPCK) && mismatched(p));
}

static bool raw_input(const struct cuse_open *o)
{
        return bypass(o->port) && o->ld.len == 0;
}

/* Bytes the raw path could read beside the line discipline's. */
static size_t extra(const struct cuse_open *o)
{
        return bypass(o->port) ? vw_sink_pending(o->sink) : 0;
}

/* Send echo and flow characters to the line (the echo is post-processed already). */
static void apply_effects(struct cuse_open *o, struct vw_ldisc_effects *fx)
{
        struct cuse_port *p = o->port;
        size_t off = 0;

        if (fx->xchar_set)
                (void)vw_port_write(p->ep->port, VW_CHUNK_BYTES, &fx->xchar, 1);
        while (off < fx->echo_len) {
                size_t n = MIN(fx->echo_len - off, (size_t)512);

                /* echo never blocks the line: what a full route cannot take is dropped, and counted */
                if (!vw_port_has_room(p->ep->port, n) ||
                    vw_port_write(p->ep->port, VW_CHUNK_BYTES, fx->echo + off, n) < 0)
                        vw_port_count_dropped(p->ep->port, n);
                off += n;
        }
        if (fx->output_changed && o->ld.stopped != p->flow_stopped) {
                p->flow_stopped = o->ld.stopped;
                if (!p->flow_stopped)
                        p->ep->room(p->ep); /* parked writes go on, pollers hear of it */
        }
        fx->echo_len = 0;
        fx->xchar_set = false;
        fx->output_changed = false;
}

/* Bytes into the line discipline; each a framing error when the ends disagree (INPCK marks it). */
static size_t receive(struct cuse_open *o, struct vw_ldisc_column *col, const struct vw_chunk *c, bool errors)
{
        const struct termios2 *t = &o->port->termios;

        if (errors)
                return vw_ldisc_receive_errors(&o->ld, t, col, c->data, c->len, &effects);
        return vw_ldisc_receive(&o->ld, t, col, c->data, c->len, &effects);
}

/* Cook what the sink holds into the line discipline, until it is full (the rest waits there). */
static void pump(struct cuse_open *o)
{
        struct cuse_port *p = o->port;
        const struct termios2 *t = &p->termios;
        bool errors;
        struct vw_chunk c;

        if (raw_input(o))
                return;
        errors = mismatched(p);
        while (vw_sink_peek(o->sink, &c)) {
                size_t k;

                if (c.type == VW_CHUNK_LINE) {
                        struct vw_line_event ev = {};
                        uint8_t bytes[3];
                        size_t n;

                        memcpy(&ev, c.data, MIN(sizeof(ev), (size_t)c.len));
                        n = line_event_bytes(o, &ev, bytes);
                        if (n > VW_LDISC_BUF - o->ld.len)
                                break;
                        (void)vw_ldisc_receive_literal(&o->ld, t, bytes, n);
                        vw_sink_consume(o->sink, c.len);
                        continue;
                }
                if (is_tty_open(o)) {
                        k = receive(o, &p->col, &c, errors);
                        apply_effects(o, &effects);
                } else {
                        struct vw_ldisc_column col = p->col; /* its echo goes nowhere */

                        k = receive(o, &col, &c, errors);
                }
                count_rx(p, k);
                effects.echo_len = 0; /* another reader's echo is the tty's already */
                effects.xchar_set = effects.output_changed = false;
                vw_sink_consume(o->sink, k);
                if (k < c.len && k == 0)
                        break;
        }
}

/* The raw path: the sink's bytes straight into the reply (1). 0: nothing could be sent, because
 * the first thing is a line event's mark longer than the read -- it went to the line discipline,
 * which hands it out in pieces. -1: nothing sent, because all there was were line events the
 * termios ignores (IGNBRK, IGNPAR): a reply now would be a read of 0 bytes, which means a hang-up. */
static int reply_raw(struct cuse_open *o, fuse_req_t req, size_t size)
{
        struct cuse_port *p = o->port;
        struct iovec iov[READ_IOV_MAX];
        uint8_t stash[READ_IOV_MAX][3];
        unsigned n = 0;
        size_t got = 0;
        bool skipped = false;
        struct vw_chunk c;

        /* Consuming does not overwrite the ring: the iovecs stay valid until the reply is sent. */
        while (got < size && n < READ_IOV_MAX && vw_sink_peek(o->sink, &c)) {
                if (c.type == VW_CHUNK_LINE) {
                        struct vw_line_event ev = {};
                        size_t k;

                        memcpy(&ev, c.data, MIN(sizeof(ev), (size_t)c.len));
                        k = line_event_bytes(o, &ev, stash[n]);
                        if (k > size - got) {
                                if (got > 0)
                                        break;
                                (void)vw_ldisc_receive_literal(&o->ld, &p->termios, stash[n], k);
                                vw_sink_consume(o->sink, c.len);
                                return 0;
                        }
                        vw_sink_consume(o->sink, c.len);
                        if (k) {
                                iov[n] = (struct iovec){ .iov_base = stash[n], .iov_len = k };
                                n++;
                                got += k;
                        } else {
                                skipped = true;
                        }
                        continue;
                }
                size_t k = MIN((size_t)c.len, size - got);
                iov[n++] = (struct iovec){ .iov_base = (void *)c.data, .iov_len = k };
                got += k;
                vw_sink_consume(o->sink, k);
        }
        if (got == 0 && skipped)
                return -1;
        count_rx(p, got);
        fuse_reply_iov(req, iov, (int)n);
        return 1;
}

/* O_NONBLOCK: whatever there is, VMIN aside (n_tty returns what it has rather than EAGAIN). */
static bool nonblock_ready(const struct cuse_open *o)
{
        const struct termios2 *t = &o->port->termios;

        if (t->c_lflag & ICANON)
                return vw_ldisc_has_line(&o->ld);
        return o->ld.len + extra(o) > 0 || (t->c_cc[VMIN] == 0 && t->c_cc[VTIME] == 0);
}

/*
 * CRTSCTS on the receiving side, as a UART driver's throttle: RTS goes down once three quarters
 * of what the first open can hold (its line discipline and the route's buffer) waits unread,
 * and up again at a quarter, so a peer that honours CTS stops before the route is full.
 */
static void check_throttle(struct cuse_open *o)
{
        struct cuse_port *p = o->port;
        size_t cap, held;

        if (!is_tty_open(o))
                return;
        if (!(p->termios.c_cflag & CRTSCTS)) {
                cuse_throttle(p, false);
                return;
        }
        cap = VW_LDISC_BUF + vw_sink_capacity(o->sink);
        held = cuse_input_pending(o);
        if (held >= cap / 4 * 3)
                cuse_throttle(p, true);
        else if (held <= cap / 4)
                cuse_throttle(p, false);
}

/* Answer one read with what the termios allows now; false (nothing sent) when it must wait. */
static bool serve(struct cuse_open *o, fuse_req_t req, size_t size, bool timed_out, bool nonblock)
{
        struct cuse_port *p = o->port;
        size_t n;
        uint8_t x;

        for (;;) {
                int r;

                pump(o);
                if (nonblock ? !nonblock_ready(o)
                             : !vw_ldisc_read_ready(&o->ld, &p->termios, size, extra(o), timed_out))
                        return false;
                if (!raw_input(o))
                        break;
                r = reply_raw(o, req, size);
                if (r > 0)
                        return true;
                if (r == 0)
                        break;
                /* only ignored line events were there (each pass consumed some): look again */
        }
        n = vw_ldisc_read(&o->ld, &p->termios, cooked_buf, MIN(size, sizeof(cooked_buf)), &x);
        fuse_reply_buf(req, (const char *)cooked_buf, n);
        if (x)
                (void)vw_port_write(p->ep->port, VW_CHUNK_BYTES, &x, 1); /* IXOFF: go on */
        pump(o);                                                         /* room again: the sink may hold more */
        return true;
}

static bool serve_and_unthrottle(struct cuse_open *o, fuse_req_t req, size_t size, bool timed_out, bool nonblock)
{
        bool r = serve(o, req, size, timed_out, nonblock);

        if (r)
                check_throttle(o);
        return r;
}

static void read_interrupted(fuse_req_t req, void *data)
{
        struct parked *pk = data;

        fuse_reply_err(req, EINTR);
        vw_list_remove(&pk->link);
        free(pk);
}

/* VTIME: for VMIN 0 counted from the oldest parked read, else from the last byte that came. */
static void arm_vtime(struct cuse_open *o)
{
        const struct termios2 *t = &o->port->termios;
        uint64_t from;

        if (vw_list_empty(&o->reads) || (t->c_lflag & ICANON) || t->c_cc[VTIME] == 0) {
                (void)sd_event_source_set_enabled(o->vtimer, SD_EVENT_OFF);
                return;
        }
        if (t->c_cc[VMIN] == 0)
                from = o->read_since;
        else if (o->ld.len + extra(o) > 0)
                from = o->last_rx;
        else {
                (void)sd_event_source_set_enabled(o->vtimer, SD_EVENT_OFF);
                return;
        }
        (void)sd_event_source_set_time(o->vtimer, from + t->c_cc[VTIME] * USEC_PER_DECISECOND);
        (void)sd_event_source_set_enabled(o->vtimer, SD_EVENT_ONESHOT);
}

static void serve_parked(struct cuse_open *o, bool timed_out)
{
        vw_list_for_each_safe(i, tmp, &o->reads) {
                struct parked *pk = vw_list_entry(i, struct parked, link);

                if (!serve_and_unthrottle(o, pk->req, pk->size, timed_out, false))
                        break;
                vw_list_remove(&pk->link);
                free(pk);
                timed_out = false;
                o->read_since = cuse_now(o->port); /* the next read's VTIME starts now */
        }
        arm_vtime(o);
}

static int on_vtime(sd_event_source *s, uint64_t usec, void *userdata)
{
        serve_parked(userdata, true);
        return 0;
}

void cuse_notify_poll(struct cuse_open *o)
{
        if (!o->ph)
                return;
        o->port->stats.notify++;
        (void)fuse_lowlevel_notify_poll(o->ph);
        fuse_pollhandle_destroy(o->ph);
        o->ph = NULL;
}

void cuse_input(struct cuse_open *o)
{
        o->last_rx = cuse_now(o->port);
        pump(o);
        serve_parked(o, false);
        check_throttle(o);
        if (cuse_readable(o))
                cuse_notify_poll(o);
}

void cuse_read(struct cuse_open *o, fuse_req_t req, size_t size, bool nonblock)
{
        struct parked *pk;

        if (size == 0) {
                fuse_reply_buf(req, NULL, 0);
                return;
        }
        /* older parked reads go first; O_NONBLOCK takes what there is, VMIN aside (as n_tty) */
        if (vw_list_empty(&o->reads) && serve_and_unthrottle(o, req, size, false, nonblock))
                return;
        if (nonblock) {
                o->port->stats.eagain++;
                fuse_reply_err(req, EAGAIN);
                return;
        }
        pk = calloc(1, sizeof(*pk));
        if (!pk) {
                fuse_reply_err(req, ENOMEM);
                return;
        }
        *pk = (struct parked){ .kind = PARKED_READ, .req = req, .port = o->port, .open = o, .size = size };
        if (vw_list_empty(&o->reads))
                o->read_since = cuse_now(o->port);
        vw_list_insert_tail(&o->reads, &pk->link);
        fuse_req_interrupt_func(req, read_interrupted, pk);
        arm_vtime(o);
}

bool cuse_readable(struct cuse_open *o)
{
        pump(o);
        return vw_ldisc_readable(&o->ld, &o->port->termios, extra(o));
}

size_t cuse_input_pending(struct cuse_open *o)
{
        return o->ld.len + vw_sink_pending(o->sink);
}

void cuse_flush_input(struct cuse_open *o)
{
        vw_ldisc_flush(&o->ld);
        vw_sink_discard(o->sink);
}

void cuse_input_termios_changed(struct cuse_port *p)
{
        vw_list_for_each(i, &p->opens) {
                struct cuse_open *o = vw_list_entry(i, struct cuse_open, link);

                vw_ldisc_set_termios(&o->ld, &p->termios);
                serve_parked(o, false);
                if (cuse_readable(o))
                        cuse_notify_poll(o);
        }
}

int cuse_input_open(struct cuse_open *o)
{
        int r;

        vw_ldisc_init(&o->ld);
        vw_list_init(&o->reads);
        r = sd_event_add_time(vw_endpoint_event(o->port->ep), &o->vtimer, CLOCK_MONOTONIC, 0, 1000, on_vtime, o);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(o->vtimer, SD_EVENT_OFF);
}

void cuse_input_close(struct cuse_open *o, int err)
{
        vw_list_for_each_safe(i, tmp, &o->reads) {
                struct parked *pk = vw_list_entry(i, struct parked, link);

                fuse_reply_err(pk->req, err);
                vw_list_remove(&pk->link);
                free(pk);
        }
        o->vtimer = sd_event_source_disable_unref(o->vtimer);
        if (o->ph)
                fuse_pollhandle_destroy(o->ph);
        o->ph = NULL;
}
