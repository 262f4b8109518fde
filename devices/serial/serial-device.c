/* SPDX-License-Identifier: MIT */
/*
 * [serial NAME] backend = device: a tty that exists already (`device = /dev/ttyUSB0`, a
 * /dev/serial/by-id link, a pty slave, another daemon's CUSE node), opened O_NONBLOCK|O_NOCTTY
 * and put in raw mode. This is how a physical port is exported (routed to a [socket]) or given
 * a second name.
 *
 * What crosses, beside the bytes:
 *  - line settings: the peer's (VW_SIGNAL_PARAMS) are applied with TCSETS2, a rate without a
 *    Bxxx code as BOTHER; what the driver made of them is read back and sent to the peers;
 *  - modem lines: the peer's DTR/RTS become ours (TIOCMBIS/TIOCMBIC: a pass-through, not a
 *    null modem), and our inputs CTS/DSR/DCD/RI are read with TIOCMGET every `modem-poll` and
 *    sent as they are (VW_MODEM_DIRECT). Polling rather than TIOCMIWAIT: TIOCMIWAIT sleeps in
 *    the kernel, so it would need a thread per port that cannot be woken for shutdown except by
 *    a signal, and ptys and many drivers do not implement it; one TIOCMGET per 50 ms is cheap
 *    and works on every tty. The same tick reads TIOCGICOUNT where the driver has it, and a
 *    break or framing/parity error counted there goes on in the stream as a line event in
 *    place of the byte (IGNBRK, IGNPAR: the driver drops it), though up to a tick after the
 *    bytes around it;
 *  - breaks (VW_CHUNK_LINE in the stream, so in their place among the bytes): once the bytes
 *    before it have left (TIOCOUTQ 0), TIOCSBRK, a timer, TIOCCBRK; a break of 0 ms is held
 *    until VW_LINE_BREAK_END (TIOCSBRK ... TIOCCBRK at the peer). Never TCSBRK, which sleeps;
 *  - purges (VW_SIGNAL_PURGE): TCFLSH, and what the routes hold for the device is discarded.
 *
 * The device may go away (a USB unplug: the tty hangs up, reads fail with EIO/ENXIO, poll says
 * HUP). Then the fd is closed, the peers see every line down (DCD off), what is routed here is
 * discarded (counted) so a missing device never holds a route, and the open is retried with
 * exponential backoff from `reopen` to `reopen-max`, and at once when inotify sees the name
 * appear in its directory. A device missing at start is the same state: start succeeds.
 *
 * Every call on the fd returns at once: no TCSETSW, no tcdrain. (A close with output pending can
 * wait for the driver's closing_wait; stop() flushes the output queue first.) The node must not
 * be a CUSE port of this same vwired: every open and ioctl of it is a request to this loop.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoint.h"
#include "log.h"
#include "macro.h"
#include "policy.h"
#include "serial-line.h"
#include "tty-params.h"
#include "varlink.h"

#define DEV_READ_MAX (64u * 1024u)
#define DEV_DRAIN_POLL_USEC (2u * 1000u) /* how often the output queue is asked before a break */
#define DEV_LINE_EVENTS_MAX 16u          /* line events sent per tick, whatever the counters jumped by */
#define TIOCM_INPUTS (TIOCM_CTS | TIOCM_DSR | TIOCM_CD | TIOCM_RI)

struct dev_config {
        char *device;
        uint64_t modem_poll; /* usec; 0: never */
        uint64_t reopen, reopen_max;
};

/*
 * A break from the stream: DRAINING until the bytes before it have left, then ON for its duration
 * (a timer) or, for one of 0 ms, HELD until a VW_LINE_BREAK_END, which drains (ENDING) before
 * TIOCCBRK. Writing waits in DRAINING, ON and ENDING; the break's chunk is consumed when it is done
 * (HELD: when the line went into break).
 */
enum brk_state { BRK_NONE, BRK_DRAINING, BRK_ON, BRK_HELD, BRK_ENDING };

struct dev {
        struct vw_endpoint *ep;
        int fd;
        sd_event_source *io, *tick, *retry, *brk_timer, *watch;
        int inotify_fd;
        char *dir, *base; /* where the name appears, for inotify */
        struct vw_sink *sink;
        bool reading, writing;

        struct vw_line_params params; /* in effect on the device */
        uint32_t want_outputs;        /* DTR/RTS the peer asks for */
        bool have_want;
        uint32_t inputs; /* last TIOCMGET inputs sent */
        bool modem_ok;   /* TIOCMGET works on this driver */
        struct serial_icounter_struct icount;
        bool icount_ok;
        enum brk_state brk;
        uint32_t brk_ms;

        uint64_t delay;    /* next retry's wait */
        unsigned failures; /* opens failed since the device was last there */
        int last_error;
        uint64_t opens, losses, events_in;
};

static uint8_t read_buf[DEV_READ_MAX];

static const struct vw_key dev_keys[] = {
        { "device", vw_parse_path, offsetof(struct dev_config, device), .host = true },
        { "modem-poll", vw_parse_duration, offsetof(struct dev_config, modem_poll) },
        { "reopen", vw_parse_duration, offsetof(struct dev_config, reopen) },
        { "reopen-max", vw_parse_duration, offsetof(struct dev_config, reopen_max) },
        {},
};

static void dev_init_config(void *config)
{
        struct dev_config *c = config;

        c->modem_poll = 50u * 1000u;
        c->reopen = 250u * 1000u;
        c->reopen_max = 5u * 1000u * 1000u;
}

static void dev_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        const struct dev_config *c = config;

        if (!c->device)
                vw_errors_add(errs, s->file, s->line, "[serial %s] backend = device needs device = PATH", s->name);
        if (c->reopen < 10u * 1000u || c->reopen_max < c->reopen)
                vw_errors_add(errs, s->file, s->line,
                              "[serial %s] reopen must be at least 10ms and reopen-max not less than it", s->name);
        if (c->modem_poll != 0 && c->modem_poll < 1000u)
                vw_errors_add(errs, s->file, s->line, "[serial %s] modem-poll must be 0 (off) or at least 1ms",
                              s->name);
}

/* ---- line settings ---- */

/* Raw bytes both ways; the modem lines never hang the port up (CLOCAL); breaks and bytes with a
 * framing or parity error are counted (TIOCGICOUNT, sent on as line events), not read. */
static void make_raw(struct termios2 *t)
{
        t->c_iflag &= ~(tcflag_t)(BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXANY | IUCLC | IMAXBEL);
        t->c_iflag |= IGNBRK | IGNPAR;
        t->c_oflag &= ~(tcflag_t)OPOST;
        t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ECHOE | ECHOK | ICANON | ISIG | IEXTEN | TOSTOP);
        t->c_cflag |= CREAD | CLOCAL;
        t->c_cc[VMIN] = 1;
        t->c_cc[VTIME] = 0;
}

static void send_params(struct dev *d)
{
        struct vw_signal sig = { .type = VW_SIGNAL_PARAMS, .params = d->params };

        vw_port_signal(d->ep->port, &sig);
}

/* Apply the peer's settings (or only raw mode when none came yet); tell the peers what took. */
static int apply_params(struct dev *d, bool announce)
{
        struct vw_endpoint *ep = d->ep;
        struct vw_line_params got;
        struct termios2 t;
        char buf[64];

        if (ioctl(d->fd, TCGETS2, &t) < 0)
                return log_warning_errno(errno, "serial %s: TCGETS2 on %s", ep->name,
                                         ((struct dev_config *)ep->config)->device);
        make_raw(&t);
        if (ep->have_peer_params)
                vw_params_to_termios2(&ep->peer_params, &t);
        if (ioctl(d->fd, TCSETS2, &t) < 0)
                log_warning_errno(errno, "serial %s: the device refused %s", ep->name,
                                  vw_line_params_to_string(&ep->peer_params, buf, sizeof(buf)));
        if (vw_tty_get_params(d->fd, &got) < 0)
                return 0;
        if (ep->have_peer_params && got.baud != ep->peer_params.baud)
                log_info("serial %s: asked for %u baud, the driver set %u", ep->name, ep->peer_params.baud, got.baud);
        /* Only a change is sent: two devices routed to each other settle instead of echoing. */
        if (announce || !vw_line_params_equal(&got, &d->params)) {
                d->params = got;
                send_params(d);
        }
        return 0;
}

/* ---- modem lines ---- */

/* Our inputs as the peers see them: as they are, and crossed back to outputs for a device peer. */
static void send_inputs(struct dev *d, uint32_t inputs)
{
        struct vw_signal sig = { .type = VW_SIGNAL_MODEM, .modem = VW_MODEM_DIRECT | (inputs & TIOCM_INPUTS) };

        if (inputs & TIOCM_CTS)
                sig.modem |= TIOCM_RTS;
        if (inputs & (TIOCM_DSR | TIOCM_CD))
                sig.modem |= TIOCM_DTR;
        vw_port_signal(d->ep->port, &sig);
}

static void apply_outputs(struct dev *d)
{
        int set = (int)(d->want_outputs & (TIOCM_DTR | TIOCM_RTS));
        int clear = (int)(~d->want_outputs & (TIOCM_DTR | TIOCM_RTS));

        if (d->fd < 0 || !d->have_want)
                return;
        /* A pty has no lines (EINVAL/ENOTTY): nothing to drive, nothing to say. */
        if ((set && ioctl(d->fd, TIOCMBIS, &set) < 0) || (clear && ioctl(d->fd, TIOCMBIC, &clear) < 0))
                if (errno != EINVAL && errno != ENOTTY)
                        log_debug_errno(errno, "serial %s: cannot set DTR/RTS", d->ep->name);
}

static void dev_lost(struct dev *d, int err);

static void send_line_events(struct dev *d, uint32_t n, enum vw_line_event_type type)
{
        for (uint32_t i = 0; i < MIN(n, DEV_LINE_EVENTS_MAX); i++)
                if (vw_serial_send_line_event(d->ep->port, type, 0) == 0)
                        d->events_in++;
}

static void poll_lines(struct dev *d)
{
        struct serial_icounter_struct ic;
        int m;

        if (d->fd < 0)
                return;
        if (d->modem_ok) {
                if (ioctl(d->fd, TIOCMGET, &m) < 0) {
                        if (errno == EIO || errno == ENXIO || errno == ENODEV) {
                                dev_lost(d, -errno);
                                return;
                        }
                        d->modem_ok = false;
                } else if (((uint32_t)m & TIOCM_INPUTS) != d->inputs) {
                        d->inputs = (uint32_t)m & TIOCM_INPUTS;
                        send_inputs(d, d->inputs);
                }
        }
        if (d->icount_ok && ioctl(d->fd, TIOCGICOUNT, &ic) == 0) {
                send_line_events(d, (uint32_t)(ic.brk - d->icount.brk), VW_LINE_BREAK);
                send_line_events(d, (uint32_t)(ic.frame - d->icount.frame), VW_LINE_FRAME_ERROR);
                send_line_events(d, (uint32_t)(ic.parity - d->icount.parity), VW_LINE_PARITY_ERROR);
                d->icount = ic;
        }
}

static int dev_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct dev *d = userdata;
        struct dev_config *c = d->ep->config;

        poll_lines(d);
        vw_endpoint_dispatch(d->ep);
        (void)sd_event_source_set_time_relative(s, c->modem_poll);
        return 0;
}

/* ---- data ---- */

static void update_events(struct dev *d)
{
        uint32_t ev = (d->reading ? EPOLLIN : 0) | (d->writing ? EPOLLOUT : 0);

        if (!d->io)
                return;
        /* EPOLLHUP/EPOLLERR come anyway: an unplug is seen even while a full route stops reads */
        (void)sd_event_source_set_io_events(d->io, ev);
        (void)sd_event_source_set_enabled(d->io, SD_EVENT_ON);
}

static bool is_gone(int err)
{
        /* ENOTCONN: a CUSE node whose server went away */
        return err == EIO || err == ENXIO || err == ENODEV || err == EBADF || err == ENOTCONN;
}

static void break_step(struct dev *d);

/* Write what the routes hold until the device is full, or a break must wait for its turn. */
static void dev_flush(struct dev *d)
{
        struct vw_chunk c;
        bool want_out = false;

        if (d->fd < 0) {
                vw_sink_discard(d->sink); /* nobody to give it to: counted as dropped */
                return;
        }
        while ((d->brk == BRK_NONE || d->brk == BRK_HELD) && vw_sink_peek(d->sink, &c)) {
                ssize_t n;

                if (c.type == VW_CHUNK_LINE) {
                        struct vw_line_event ev = {};

                        memcpy(&ev, c.data, MIN(c.len, sizeof(ev)));
                        if (ev.type == VW_LINE_BREAK && d->brk == BRK_NONE) {
                                d->brk = BRK_DRAINING;
                                d->brk_ms = ev.duration_ms;
                        } else if (ev.type == VW_LINE_BREAK_END && d->brk == BRK_HELD) {
                                d->brk = BRK_ENDING;
                        } else {
                                /* a UART cannot send a parity error; a break already on stays on */
                                vw_sink_consume(d->sink, c.len);
                                continue;
                        }
                        break_step(d);
                        break;
                }
                n = write(d->fd, c.data, c.len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                want_out = true;
                                break;
                        }
                        if (is_gone(errno)) {
                                dev_lost(d, -errno);
                                return;
                        }
                        log_warning_errno(errno, "serial %s: write to the device failed", d->ep->name);
                        vw_sink_discard(d->sink);
                        break;
                }
                vw_sink_consume(d->sink, (size_t)n);
                if ((size_t)n < c.len) {
                        want_out = true;
                        break;
                }
        }
        if (want_out != d->writing) {
                d->writing = want_out;
                update_events(d);
        }
}

static int break_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        break_step(userdata);
        vw_endpoint_dispatch(((struct dev *)userdata)->ep);
        return 0;
}

static void break_arm(struct dev *d, uint64_t usec)
{
        (void)sd_event_source_set_time_relative(d->brk_timer, usec);
        (void)sd_event_source_set_enabled(d->brk_timer, SD_EVENT_ONESHOT);
}

static void break_set(struct dev *d, bool on)
{
        if (ioctl(d->fd, on ? TIOCSBRK : TIOCCBRK) < 0)
                log_debug_errno(errno, "serial %s: %s", d->ep->name, on ? "TIOCSBRK" : "TIOCCBRK");
}

/* One step of enum brk_state, from dev_flush() or the break timer. */
static void break_step(struct dev *d)
{
        int queued = 0;

        if (d->fd < 0)
                return;
        if (d->brk == BRK_DRAINING || d->brk == BRK_ENDING) {
                if (ioctl(d->fd, TIOCOUTQ, &queued) == 0 && queued > 0) {
                        break_arm(d, DEV_DRAIN_POLL_USEC);
                        return;
                }
                break_set(d, d->brk == BRK_DRAINING);
                if (d->brk == BRK_DRAINING && d->brk_ms > 0) {
                        d->brk = BRK_ON;
                        break_arm(d, (uint64_t)d->brk_ms * 1000u);
                        return;
                }
                d->brk = d->brk == BRK_DRAINING ? BRK_HELD : BRK_NONE;
        } else if (d->brk == BRK_ON) {
                break_set(d, false);
                d->brk = BRK_NONE;
        } else {
                return;
        }
        vw_sink_consume(d->sink, sizeof(struct vw_line_event));
        dev_flush(d);
}

static void dev_ready(struct vw_sink *s, void *userdata)
{
        dev_flush(userdata);
}

static void dev_read(struct dev *d)
{
        for (unsigned rounds = 0; rounds < 16 && d->fd >= 0; rounds++) {
                size_t room = MIN(vw_port_room(d->ep->port), (size_t)DEV_READ_MAX);
                ssize_t n;

                if (room == 0) {
                        d->reading = false; /* a full block route: the kernel holds the bytes until ep->room */
                        update_events(d);
                        return;
                }
                n = read(d->fd, read_buf, room);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return;
                        if (is_gone(errno))
                                dev_lost(d, -errno);
                        else
                                log_warning_errno(errno, "serial %s: read from the device failed", d->ep->name);
                        return;
                }
                if (n == 0) { /* a hung-up tty reads as end of file */
                        dev_lost(d, -EIO);
                        return;
                }
                if (vw_port_write(d->ep->port, VW_CHUNK_BYTES, read_buf, (size_t)n) < 0)
                        log_error("serial %s: route refused %zd bytes it had room for", d->ep->name, n);
                if ((size_t)n < room)
                        return;
        }
}

static int dev_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct dev *d = userdata;

        if (revents & EPOLLIN)
                dev_read(d);
        if (d->fd >= 0 && (revents & EPOLLOUT))
                dev_flush(d);
        if (d->fd >= 0 && (revents & (EPOLLHUP | EPOLLERR))) {
                /* what is still readable comes first; then the device is gone */
                if (d->reading)
                        dev_read(d);
                if (d->fd >= 0)
                        dev_lost(d, -EIO);
        }
        vw_endpoint_dispatch(d->ep);
        return 0;
}

static void dev_room(struct vw_endpoint *ep)
{
        struct dev *d = ep->data;

        if (d->fd >= 0 && !d->reading) {
                d->reading = true;
                update_events(d);
                dev_read(d);
        }
}

/* ---- open, lose, retry ---- */

static const char *dev_path(const struct dev *d)
{
        return ((const struct dev_config *)d->ep->config)->device;
}

static void retry_schedule(struct dev *d)
{
        struct dev_config *c = d->ep->config;

        (void)sd_event_source_set_time_relative(d->retry, d->delay);
        (void)sd_event_source_set_enabled(d->retry, SD_EVENT_ONESHOT);
        d->delay = MIN(d->delay * 2, c->reopen_max);
}

static void close_fd(struct dev *d, bool flush_output)
{
        d->io = sd_event_source_disable_unref(d->io);
        if (d->fd >= 0) {
                if (d->brk != BRK_NONE && d->brk != BRK_DRAINING)
                        (void)ioctl(d->fd, TIOCCBRK);
                /* a close with output queued behind flow control would wait closing_wait (30 s) */
                if (flush_output)
                        (void)ioctl(d->fd, TCFLSH, TCOFLUSH);
        }
        d->fd = safe_close(d->fd);
        d->brk = BRK_NONE;
        (void)sd_event_source_set_enabled(d->brk_timer, SD_EVENT_OFF);
        (void)sd_event_source_set_enabled(d->tick, SD_EVENT_OFF);
        d->reading = d->writing = false;
}

static int dev_try_open(struct dev *d)
{
        struct vw_endpoint *ep = d->ep;
        struct dev_config *c = ep->config;
        struct termios2 t;
        int fd, r, m;

        fd = open(c->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (ioctl(fd, TCGETS2, &t) < 0) {
                r = negative_errno();
                close(fd);
                return r == -ENOTTY || r == -EINVAL ? -ENOTTY : r;
        }
        d->fd = fd;
        r = sd_event_add_io(vw_endpoint_event(ep), &d->io, fd, EPOLLIN, dev_io, d);
        if (r < 0) {
                close_fd(d, false);
                return r;
        }
        d->reading = true;
        (void)apply_params(d, true);
        apply_outputs(d);
        d->modem_ok = ioctl(fd, TIOCMGET, &m) == 0;
        d->inputs = d->modem_ok ? (uint32_t)m & TIOCM_INPUTS : TIOCM_CTS | TIOCM_DSR | TIOCM_CD;
        /* a device without modem lines looks like one that is always there, as a pty does */
        send_inputs(d, d->inputs);
        d->icount_ok = ioctl(fd, TIOCGICOUNT, &d->icount) == 0;
        if (c->modem_poll && (d->modem_ok || d->icount_ok)) {
                (void)sd_event_source_set_time_relative(d->tick, c->modem_poll);
                (void)sd_event_source_set_enabled(d->tick, SD_EVENT_ON);
        }
        if (d->failures > 0 || d->losses > 0)
                log_info("serial %s: %s is back after %u failed opens", ep->name, c->device, d->failures);
        else
                log_info("serial %s: opened %s", ep->name, c->device);
        d->opens++;
        d->failures = 0;
        d->last_error = 0;
        d->delay = c->reopen;
        ep->state = VW_STATE_ACTIVE;
        dev_flush(d);
        return 0;
}

static void dev_attempt(struct dev *d)
{
        int r;

        if (d->fd >= 0)
                return;
        r = dev_try_open(d);
        if (r == 0)
                return;
        d->failures++;
        if (d->failures == 1 || d->failures % 20 == 0 || r != d->last_error)
                log_info("serial %s: cannot open %s: %s (attempt %u, next in %" PRIu64 " ms)", d->ep->name, dev_path(d),
                         r == -ENOTTY ? "not a tty" : strerror(-r), d->failures, d->delay / 1000);
        d->last_error = r;
        d->ep->state = VW_STATE_CONNECTING;
        retry_schedule(d);
}

static void dev_lost(struct dev *d, int err)
{
        struct dev_config *c = d->ep->config;

        log_info("serial %s: %s went away (%s); reopening", d->ep->name, c->device, strerror(-err));
        close_fd(d, false);
        d->losses++;
        d->last_error = err;
        d->ep->state = VW_STATE_CONNECTING;
        d->inputs = 0;
        send_inputs(d, 0); /* DCD off: the peers see the cable pulled */
        vw_sink_discard(d->sink);
        d->delay = c->reopen;
        retry_schedule(d);
}

static int dev_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct dev *d = userdata;

        dev_attempt(d);
        vw_endpoint_dispatch(d->ep);
        return 0;
}

static int dev_watch(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct dev *d = userdata;
        union {
                struct inotify_event ev;
                char buf[4096];
        } u;
        bool ours = false;
        ssize_t n;

        while ((n = read(fd, u.buf, sizeof(u.buf))) > 0) {
                for (char *p = u.buf; p < u.buf + n;) {
                        struct inotify_event *ev = (struct inotify_event *)(void *)p;

                        if (ev->len > 0 && streq(ev->name, d->base))
                                ours = true;
                        p += sizeof(*ev) + ev->len;
                }
        }
        /* udev makes the node, then gives it its group and mode: a failed open retries on the timer */
        if (ours && d->fd < 0) {
                log_debug("serial %s: %s appeared in %s", d->ep->name, d->base, d->dir);
                dev_attempt(d);
                vw_endpoint_dispatch(d->ep);
        }
        return 0;
}

/* The directory of the device's name, watched for it to (re)appear; optional: the timer suffices. */
static void watch_setup(struct dev *d)
{
        const char *path = dev_path(d), *slash = strrchr(path, '/');

        if (!slash || !slash[1])
                return;
        d->dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
        d->base = strdup(slash + 1);
        if (!d->dir || !d->base)
                return;
        d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (d->inotify_fd < 0)
                return;
        if (inotify_add_watch(d->inotify_fd, d->dir, IN_CREATE | IN_ATTRIB | IN_MOVED_TO) < 0 ||
            sd_event_add_io(vw_endpoint_event(d->ep), &d->watch, d->inotify_fd, EPOLLIN, dev_watch, d) < 0) {
                log_debug("serial %s: cannot watch %s; the retry timer alone reopens %s", d->ep->name, d->dir, path);
                d->inotify_fd = safe_close(d->inotify_fd);
        }
}

static int dev_start(struct vw_endpoint *ep)
{
        struct dev_config *c = ep->config;
        struct dev *d;
        int r;

        r = vw_policy_device(ep, c->device);
        if (r < 0)
                return r;
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->ep = ep;
        d->fd = d->inotify_fd = -1;
        d->delay = c->reopen;
        ep->data = d;

        r = vw_sink_new(ep->port, dev_ready, d, &d->sink);
        if (r < 0)
                return r;
        vw_sink_set_accept_line(d->sink, true);
        r = sd_event_add_time_relative(vw_endpoint_event(ep), &d->retry, CLOCK_MONOTONIC, c->reopen, 1000, dev_retry,
                                       d);
        if (r >= 0)
                r = sd_event_add_time_relative(vw_endpoint_event(ep), &d->tick, CLOCK_MONOTONIC, c->modem_poll + 1,
                                               1000, dev_tick, d);
        if (r >= 0)
                r = sd_event_add_time_relative(vw_endpoint_event(ep), &d->brk_timer, CLOCK_MONOTONIC, 0, 0, break_timer,
                                               d);
        if (r < 0)
                return log_error_errno(r, "serial %s: cannot add timers", ep->name);
        (void)sd_event_source_set_enabled(d->retry, SD_EVENT_OFF);
        (void)sd_event_source_set_enabled(d->tick, SD_EVENT_OFF);
        (void)sd_event_source_set_enabled(d->brk_timer, SD_EVENT_OFF);
        ep->room = dev_room;
        watch_setup(d);
        r = vw_endpoint_set_path(ep, c->device);
        if (r < 0)
                return r;
        dev_attempt(d);
        return 0;
}

static void dev_stop(struct vw_endpoint *ep)
{
        struct dev *d = ep->data;

        if (!d)
                return;
        close_fd(d, true);
        sd_event_source_disable_unref(d->watch);
        safe_close(d->inotify_fd);
        sd_event_source_disable_unref(d->retry);
        sd_event_source_disable_unref(d->tick);
        sd_event_source_disable_unref(d->brk_timer);
        vw_sink_free(d->sink);
        free(d->dir);
        free(d->base);
        free(d);
        ep->data = NULL;
        ep->room = NULL;
}

/* ---- signals from the peers ---- */

static void dev_purge(struct dev *d, uint32_t what)
{
        int arg;

        if (what & VW_PURGE_TX) {
                /* the break's own chunk goes with the rest: a timed break ends now, a held one stays */
                if (d->fd >= 0 && (d->brk == BRK_ON || d->brk == BRK_ENDING))
                        break_set(d, false);
                if (d->brk != BRK_HELD)
                        d->brk = BRK_NONE;
                (void)sd_event_source_set_enabled(d->brk_timer, SD_EVENT_OFF);
                vw_sink_discard(d->sink);
        }
        if (d->fd < 0)
                return;
        arg = (what & VW_PURGE_RX) && (what & VW_PURGE_TX) ? TCIOFLUSH : (what & VW_PURGE_RX) ? TCIFLUSH : TCOFLUSH;
        if (what && ioctl(d->fd, TCFLSH, arg) < 0)
                log_debug_errno(errno, "serial %s: TCFLSH", d->ep->name);
}

static void dev_signal(struct vw_endpoint *ep, const struct vw_signal *sig)
{
        struct dev *d = ep->data;

        if (!d)
                return;
        switch (sig->type) {
        case VW_SIGNAL_PARAMS:
                /* the manager keeps it in ep->peer_params, which a reopen applies again */
                if (d->fd >= 0)
                        (void)apply_params(d, false);
                break;
        case VW_SIGNAL_MODEM:
                d->want_outputs = sig->modem & (TIOCM_DTR | TIOCM_RTS);
                d->have_want = true;
                apply_outputs(d);
                break;
        case VW_SIGNAL_PURGE:
                dev_purge(d, sig->purge);
                break;
        default:
                break;
        }
}

static void dev_routes_changed(struct vw_endpoint *ep)
{
        struct dev *d = ep->data;

        if (!d)
                return;
        if (d->fd >= 0)
                send_params(d);
        send_inputs(d, d->fd >= 0 ? d->inputs : 0);
}

/* ---- show, doctor ---- */

static const char *dev_state_text(const struct dev *d)
{
        if (d->fd >= 0)
                return "open";
        return d->opens ? "gone" : "missing";
}

static void dev_describe(struct vw_endpoint *ep, json_object *o)
{
        struct dev_config *c = ep->config;
        struct dev *d = ep->data;
        json_object *m;

        if (!d)
                return;
        json_object_object_add(o, "device", json_object_new_string(c->device));
        json_object_object_add(o, "device_state", json_object_new_string(dev_state_text(d)));
        if (d->last_error)
                json_object_object_add(o, "last_error",
                                       json_object_new_string(d->last_error == -ENOTTY ? "not a tty"
                                                                                       : strerror(-d->last_error)));
        json_object_object_add(o, "opens", json_object_new_int64((int64_t)d->opens));
        json_object_object_add(o, "losses", json_object_new_int64((int64_t)d->losses));
        json_object_object_add(o, "failed_opens", json_object_new_int64(d->failures));
        json_object_object_add(o, "reopen_usec", json_object_new_int64((int64_t)c->reopen));
        json_object_object_add(o, "reopen_max_usec", json_object_new_int64((int64_t)c->reopen_max));
        json_object_object_add(o, "modem_poll_usec", json_object_new_int64((int64_t)c->modem_poll));
        if (d->fd < 0)
                return;
        json_object_object_add(o, "line", vw_line_params_to_json(&d->params));
        m = json_object_new_object();
        json_object_object_add(m, "supported", json_object_new_boolean(d->modem_ok));
        if (d->have_want) {
                json_object_object_add(m, "dtr", json_object_new_boolean((d->want_outputs & TIOCM_DTR) != 0));
                json_object_object_add(m, "rts", json_object_new_boolean((d->want_outputs & TIOCM_RTS) != 0));
        }
        if (d->modem_ok) {
                json_object_object_add(m, "cts", json_object_new_boolean((d->inputs & TIOCM_CTS) != 0));
                json_object_object_add(m, "dsr", json_object_new_boolean((d->inputs & TIOCM_DSR) != 0));
                json_object_object_add(m, "dcd", json_object_new_boolean((d->inputs & TIOCM_CD) != 0));
                json_object_object_add(m, "ri", json_object_new_boolean((d->inputs & TIOCM_RI) != 0));
        }
        json_object_object_add(o, "modem", m);
        if (d->icount_ok) {
                m = json_object_new_object();
                json_object_object_add(m, "brk", json_object_new_int64(d->icount.brk));
                json_object_object_add(m, "frame", json_object_new_int64(d->icount.frame));
                json_object_object_add(m, "parity", json_object_new_int64(d->icount.parity));
                json_object_object_add(m, "overrun", json_object_new_int64(d->icount.overrun));
                json_object_object_add(m, "buf_overrun", json_object_new_int64(d->icount.buf_overrun));
                json_object_object_add(o, "counts", m);
        }
        json_object_object_add(o, "line_events_in", json_object_new_int64((int64_t)d->events_in));
        json_object_object_add(o, "break",
                               json_object_new_boolean(d->brk == BRK_ON || d->brk == BRK_HELD || d->brk == BRK_ENDING));
        json_object_object_add(o, "pending_out", json_object_new_int64((int64_t)vw_sink_pending(d->sink)));
}

static void dev_doctor(struct vw_endpoint *ep, json_object *checks)
{
        struct dev_config *c = ep->config;
        struct dev *d = ep->data;
        char fix[256];

        if (!d)
                return;
        if (d->fd >= 0) {
                vw_doctor_check_add(checks, "device", "ok", ep->name, NULL, "serial %s: %s is open", ep->name,
                                    c->device);
                return;
        }
        if (d->last_error == -EACCES || d->last_error == -EPERM)
                snprintf(fix, sizeof(fix),
                         "give vwired access to %s: run it in the device's group (SupplementaryGroups=dialout) and "
                         "allow the device in its unit (DeviceAllow=char-ttyUSB rw)",
                         c->device);
        else
                snprintf(fix, sizeof(fix), "plug the device in or correct device = (ls -l /dev/serial/by-id/)");
        vw_doctor_check_add(checks, "device", "fail", ep->name, fix, "serial %s: device %s is %s: %s (%u attempts)",
                            ep->name, c->device, d->opens ? "gone" : "missing",
                            d->last_error == -ENOTTY ? "not a tty" : strerror(-d->last_error), d->failures);
}

const struct vw_endpoint_ops vw_serial_device_ops = {
        .kind = "serial",
        .backend = "device",
        .selector = "backend",
        .keys = dev_keys,
        .config_size = sizeof(struct dev_config),
        .init_config = dev_init_config,
        .check = dev_check,
        .start = dev_start,
        .stop = dev_stop,
        .describe = dev_describe,
        .signal = dev_signal,
        .routes_changed = dev_routes_changed,
        .doctor = dev_doctor,
};
