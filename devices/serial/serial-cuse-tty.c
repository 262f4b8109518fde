/* SPDX-License-Identifier: MIT */
/*
 * The tty side of a CUSE serial port: the port ops and libfuse replies through which
 * cuse-ioctl.c's table answers ioctls, the modem outputs, and TIOCMIWAIT's parked waits.
 * serial-cuse.c (session and I/O) calls in here; nothing here calls back into it -- a port
 * that may write more after a settings change is told through its endpoint's room hook.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cuse-ioctl.h"
#include "log.h"
#include "macro.h"
#include "serial-cuse.h"
#include "tty-params.h"

static struct cuse_port *port_of(void *userdata)
{
        return ((struct cuse_open *)userdata)->port;
}

/* ---- line state ---- */

/* What the peers see: RTS is down while CRTSCTS input is throttled, whatever the program set. */
void cuse_send_outputs(struct cuse_port *p)
{
        struct vw_serial_line l = p->line;

        if (p->throttled)
                l.outputs &= ~(uint32_t)TIOCM_RTS;
        vw_serial_line_send_modem(&l, p->ep->port);
}

void cuse_set_outputs(struct cuse_port *p, uint32_t outputs)
{
        outputs &= TIOCM_DTR | TIOCM_RTS;
        if (outputs == p->line.outputs)
                return;
        p->line.outputs = outputs;
        cuse_send_outputs(p);
}

void cuse_throttle(struct cuse_port *p, bool on)
{
        if (p->throttled == on)
                return;
        p->throttled = on;
        if (p->line.outputs & TIOCM_RTS)
                cuse_send_outputs(p);
}

static void miwait_free(struct parked *pk)
{
        vw_list_remove(&pk->link);
        free(pk->data);
        free(pk);
}

void cuse_wake_miwait(struct cuse_port *p, uint32_t changed)
{
        vw_list_for_each_safe(i, tmp, &p->waits) {
                struct parked *pk = vw_list_entry(i, struct parked, link);

                if (!(changed & pk->mask))
                        continue;
                fuse_reply_ioctl(pk->req, 0, NULL, 0);
                miwait_free(pk);
        }
}

static void miwait_interrupted(fuse_req_t req, void *data)
{
        fuse_reply_err(req, EINTR);
        miwait_free(data);
}

static void drain_interrupted(fuse_req_t req, void *data)
{
        fuse_reply_err(req, EINTR);
        miwait_free(data);
}

static const struct vw_cuse_port_ops tty_ops;
static const struct vw_cuse_reply_ops fuse_replies;

void cuse_wake_drains(struct cuse_port *p)
{
        struct vw_list todo;

        if (!vw_list_empty(&p->writes) || vw_list_empty(&p->drains))
                return;
        /* Take them all first: running one may apply settings, which moves writes along and
         * comes back here (tty_set_termios -> ep->room), or park a new drain. */
        todo = p->drains;
        todo.next->prev = todo.prev->next = &todo;
        vw_list_init(&p->drains);
        vw_list_for_each_safe(i, tmp, &todo) {
                struct parked *pk = vw_list_entry(i, struct parked, link);

                vw_list_remove(&pk->link);
                (void)vw_cuse_ioctl_dispatch(&pk->call, &fuse_replies, pk->req, &tty_ops, pk->open);
                miwait_free(pk);
        }
}

/* ---- the port as cuse-ioctl.c's table sees it; userdata is the struct cuse_open ---- */

static void tty_set_termios(void *userdata, const struct termios2 *t)
{
        struct cuse_port *p = port_of(userdata);
        struct cuse_config *c = p->ep->config;
        struct vw_signal sig = { .type = VW_SIGNAL_PARAMS };

        p->termios = *t;
        vw_termios2_to_params(&p->termios, &sig.params);
        if (c->pacing) {
                vw_pace_init(&p->pace, vw_line_bytes_per_sec(&sig.params), 16);
                vw_pace_start(&p->pace, cuse_now(p));
        }
        vw_port_signal(p->ep->port, &sig);
        cuse_input_termios_changed(p);
        /* parked writes may go at the new rate, or were held by IXON/CRTSCTS no longer set */
        if (!(t->c_iflag & IXON))
                p->flow_stopped = false;
        p->ep->room(p->ep);
}

static int tty_wait_modem(void *userdata, void *req, uint32_t mask)
{
        struct cuse_open *o = userdata;
        struct parked *pk = calloc(1, sizeof(*pk));

        if (!pk)
                return -ENOMEM;
        *pk = (struct parked){ .kind = PARKED_MIWAIT, .req = req, .port = o->port, .open = o, .mask = mask };
        vw_list_insert_tail(&o->port->waits, &pk->link);
        fuse_req_interrupt_func(req, miwait_interrupted, pk);
        return 0;
}

static int tty_wait_drain(void *userdata, void *req, const struct vw_cuse_ioctl *call)
{
        struct cuse_open *o = userdata;
        struct parked *pk;
        uint8_t *in;

        if (vw_list_empty(&o->port->writes))
                return 0;
        pk = calloc(1, sizeof(*pk));
        in = malloc(MAX(call->in_size, (size_t)1));
        if (!pk || !in) {
                free(pk);
                free(in);
                return -ENOMEM;
        }
        /* libfuse's buffer is gone when we return: the copy keeps the caller's data */
        if (call->in_size)
                memcpy(in, call->in, call->in_size);
        *pk = (struct parked){
                .kind = PARKED_DRAIN, .req = req, .port = o->port, .open = o, .data = in, .call = *call
        };
        pk->call.in = in;
        vw_list_insert_tail(&o->port->drains, &pk->link);
        fuse_req_interrupt_func(req, drain_interrupted, pk);
        return VW_CUSE_IOCTL_PARKED;
}

static size_t tty_output_pending(void *userdata)
{
        size_t n = 0;

        vw_list_for_each(i, &port_of(userdata)->writes) {
                struct parked *pk = vw_list_entry(i, struct parked, link);
                n += pk->size - pk->done;
        }
        return n;
}

static void tty_stop_output(void *userdata, bool stopped)
{
        struct cuse_port *p = port_of(userdata);

        p->output_stopped = stopped;
        if (!stopped)
                p->ep->room(p->ep);
}

static void tty_send_break(void *userdata, uint32_t ms)
{
        struct cuse_port *p = port_of(userdata);

        if (vw_serial_send_line_event(p->ep->port, VW_LINE_BREAK, ms) < 0)
                log_debug("serial %s: a full route lost a break", p->ep->name);
}

static bool tty_set_break(void *userdata, bool on)
{
        struct cuse_port *p = port_of(userdata);
        bool was = p->break_on;

        p->break_on = on;
        /* an open-ended break (TIOCSBRK) ends: a peer that holds the line in break lets it go */
        if (was && !on && vw_serial_send_line_event(p->ep->port, VW_LINE_BREAK_END, 0) < 0)
                log_debug("serial %s: a full route lost the end of a break", p->ep->name);
        return was;
}

/* clang-format off */
static void tty_get_termios(void *u, struct termios2 *ret) { *ret = port_of(u)->termios; }
static void tty_get_line(void *u, struct vw_serial_line *ret) { *ret = port_of(u)->line; }
static void tty_set_outputs(void *u, uint32_t outputs) { cuse_set_outputs(port_of(u), outputs); }
static void tty_get_winsize(void *u, struct winsize *ret) { *ret = port_of(u)->winsize; }
static void tty_set_winsize(void *u, const struct winsize *ws) { port_of(u)->winsize = *ws; }
static size_t tty_input_pending(void *u) { return cuse_input_pending(u); }
static void tty_flush_input(void *u) { cuse_flush_input(u); }
static void tty_send_char(void *u, uint8_t ch) { (void)vw_port_write(port_of(u)->ep->port, VW_CHUNK_BYTES, &ch, 1); }
static void tty_set_exclusive(void *u, bool on) { port_of(u)->excl = on; }
/* clang-format on */

/* tcflush() of the port flushes the far end too, as on a remote port (an RFC 2217 client's
 * PURGE-DATA, a device's TCFLSH): our input is what the peers hold for us (their RX), our
 * output what they have of ours not yet on their line (their TX). */
static void tty_flushed(void *userdata, int queue)
{
        struct vw_signal sig = { .type = VW_SIGNAL_PURGE };

        sig.purge = (queue == TCOFLUSH ? 0 : VW_PURGE_RX) | (queue == TCIFLUSH ? 0 : VW_PURGE_TX);
        vw_port_signal(port_of(userdata)->ep->port, &sig);
}

static const struct vw_cuse_port_ops tty_ops = {
        .get_termios = tty_get_termios,
        .set_termios = tty_set_termios,
        .get_line = tty_get_line,
        .set_outputs = tty_set_outputs,
        .wait_modem = tty_wait_modem,
        .wait_drain = tty_wait_drain,
        .get_winsize = tty_get_winsize,
        .set_winsize = tty_set_winsize,
        .input_pending = tty_input_pending,
        .output_pending = tty_output_pending,
        .flush_input = tty_flush_input,
        .flushed = tty_flushed,
        .stop_output = tty_stop_output,
        .send_char = tty_send_char,
        .send_break = tty_send_break,
        .set_break = tty_set_break,
        .set_exclusive = tty_set_exclusive,
};

/* ---- libfuse's replies, for the table ---- */

static void reply_retry(void *req, const struct iovec *in_iov, size_t in_count, const struct iovec *out_iov,
                        size_t out_count)
{
        fuse_reply_ioctl_retry(req, in_iov, in_count, out_iov, out_count);
}

/* clang-format off */
static void reply_ok(void *req, const void *buf, size_t size) { fuse_reply_ioctl(req, 0, buf, size); }
static void reply_error(void *req, int err) { fuse_reply_err(req, err); }
/* clang-format on */

static const struct vw_cuse_reply_ops fuse_replies = {
        .retry = reply_retry,
        .ok = reply_ok,
        .error = reply_error,
};

void cuse_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi, unsigned flags, const void *in_buf,
                size_t in_bufsz, size_t out_bufsz)
{
        const struct vw_cuse_ioctl call = {
                .cmd = (unsigned)cmd,
                .arg = arg,
                .in = in_buf,
                .in_size = in_bufsz,
                .out_size = out_bufsz,
        };

        /* NOLINTNEXTLINE(performance-no-int-to-ptr): fh is where op_open keeps its struct cuse_open */
        struct cuse_open *o = (struct cuse_open *)(uintptr_t)fi->fh;

        o->port->stats.ioctl++;
        (void)vw_cuse_ioctl_dispatch(&call, &fuse_replies, req, &tty_ops, o);
}
