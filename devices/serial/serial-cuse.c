/* SPDX-License-Identifier: MIT */
/*
 * [serial NAME] backend = cuse: /dev/NAME is a character device whose every open, read, write,
 * ioctl and poll vwired answers through CUSE (libfuse3's cuse_lowlevel), one /dev/cuse session
 * per port, driven from the sd-event loop (never cuse_lowlevel_main/setup, which daemonize and
 * take signals). Blocking reads and writes are parked and answered when data or room arrives;
 * interrupts answer them with EINTR; poll answers at once and wakes waiters later.
 * tty ioctls are cuse-ioctl.c's table; serial-cuse-tty.c answers them for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cuse-ioctl.h"
#include "log.h"
#include "policy.h"
#include "serial-cuse.h"
#include "tty-params.h"
#include "udev-hint.h"
#include "varlink.h"

#define INIT_TIMEOUT_MS 5000

static const char *const readers_names[] = { "broadcast", "exclusive", NULL };
static const char *const when_closed_names[] = { "drop", "buffer", "block", NULL };

static const struct vw_key cuse_keys[] = {
        { "path", vw_parse_string, offsetof(struct cuse_config, path), NULL, true, true },
        { "mode", vw_parse_mode, offsetof(struct cuse_config, mode) },
        { "owner", vw_parse_user, offsetof(struct cuse_config, owner), .host = true },
        { "group", vw_parse_group, offsetof(struct cuse_config, group), .host = true },
        { "readers", vw_parse_enum, offsetof(struct cuse_config, readers), readers_names },
        { "when-closed", vw_parse_enum, offsetof(struct cuse_config, when_closed), when_closed_names },
        { "pacing", vw_parse_bool, offsetof(struct cuse_config, pacing) },
        { "raw", vw_parse_bool, offsetof(struct cuse_config, raw) },
        {}
};

static void cuse_init_config(void *config)
{
        struct cuse_config *c = config;

        c->mode = 0660;
        c->owner = (uid_t)-1;
        c->group = (gid_t)-1;
        c->readers = READERS_BROADCAST;
        c->when_closed = WHEN_CLOSED_BUFFER;
        c->raw = true;
}

static const char *devname_of(const char *path)
{
        return strncmp(path, "/dev/", 5) == 0 ? path + 5 : path;
}

static void cuse_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        const struct cuse_config *c = config;
        const char *name = devname_of(c->path);
        const struct vw_setting *st = vw_section_get(s, "path");

        if (!*name || strlen(name) > 60 || strchr(name, '/') || name[0] == '.')
                vw_errors_add(errs, s->file, st->line,
                              "path: expected a device name such as ttyVGPS0 (or /dev/ttyVGPS0), got '%s'", c->path);
}

static bool cuse_available(void)
{
        return access("/dev/cuse", R_OK | W_OK) == 0;
}

static void cuse_termios_to_params(const struct termios2 *t, struct vw_line_params *ret)
{
        vw_termios2_to_params(t, ret);
}

static struct cuse_open *open_of(struct fuse_file_info *fi)
{
        /* NOLINTNEXTLINE(performance-no-int-to-ptr): libfuse hands our pointer back as fi->fh */
        return (struct cuse_open *)(uintptr_t)fi->fh;
}

static void parked_free(struct parked *pk)
{
        vw_list_remove(&pk->link);
        free(pk->data);
        free(pk);
}

/* ---- reads ---- */

/* Keep at most a ring's worth of unread data while closed, dropping the oldest (when-closed = buffer). */
static void holder_trim(struct cuse_port *p)
{
        size_t limit = vw_sink_capacity(p->holder) / 2;
        struct vw_chunk c;

        while (vw_sink_pending(p->holder) > limit && vw_sink_peek(p->holder, &c)) {
                vw_port_count_dropped(p->ep->port, c.len);
                vw_sink_consume(p->holder, c.len);
        }
}

static void sink_ready(struct vw_sink *s, void *userdata)
{
        struct cuse_port *p = userdata;
        struct cuse_config *c = p->ep->config;

        if (s == p->holder) {
                if (c->when_closed == WHEN_CLOSED_DROP)
                        vw_sink_discard(s);
                else if (c->when_closed == WHEN_CLOSED_BUFFER)
                        holder_trim(p);
                return;
        }
        vw_list_for_each(i, &p->opens) {
                struct cuse_open *o = vw_list_entry(i, struct cuse_open, link);
                if (o->sink != s)
                        continue;
                cuse_input(o);
        }
}

/* ---- writes ---- */

/*
 * Accept what the routes and the line rate allow; returns bytes taken. Whatever is left over
 * must have a wake-up armed, or a parked write waits for good (issue 10): the router wakes a
 * port only after vw_port_room() said 0 to it, so this goes on until the room is 0 (the port is
 * then marked blocked), output is stopped (TCOON wakes it) or the pace says no (the pace timer).
 * Stopping at a room that was merely smaller than the write left nothing armed at all.
 */
static size_t accept_bytes(struct cuse_port *p, const uint8_t *data, size_t len)
{
        struct cuse_config *c = p->ep->config;
        bool post = !vw_ldisc_output_raw(&p->termios);
        size_t done = 0;

        while (done < len && !cuse_output_held(p)) {
                size_t allow = vw_port_room(p->ep->port), n, used;
                const uint8_t *w = data + done;
                struct vw_ldisc_column col;
                uint8_t out[2 * 4096];

                if (c->pacing)
                        allow = MIN(allow, vw_pace_allow(&p->pace, cuse_now(p)));
                n = used = MIN(len - done, allow);
                col = p->col;
                if (n > 0 && post) {
                        /* OPOST: NL may become CR NL, a tab spaces. An expansion that does not fit
                         * waits: for room (vw_port_has_room marks the port blocked, so the wake-up
                         * comes) or the pace */
                        n = vw_ldisc_output(&p->termios, &col, w, MIN(n, sizeof(out)), out, MIN(allow, sizeof(out)),
                                            &used);
                        if (used == 0) {
                                (void)vw_port_has_room(p->ep->port, 8);
                                break;
                        }
                        w = out;
                }
                if (used == 0 || (n > 0 && vw_port_write(p->ep->port, VW_CHUNK_BYTES, w, n) < 0))
                        break;
                p->col = col; /* moved only by what went out (ONOCR may have dropped all of it) */
                if (c->pacing)
                        vw_pace_take(&p->pace, n);
                done += used;
        }
        p->line.counts.tx += (uint32_t)done;
        return done;
}

static void arm_pace_timer(struct cuse_port *p)
{
        struct cuse_config *c = p->ep->config;
        struct parked *pk;
        uint64_t when;

        if (!c->pacing || vw_list_empty(&p->writes) || cuse_output_held(p))
                return;
        /* A parked request leaves p->writes before it is freed (parked_free unlinks first); the
         * analyzer loses the list link across calls and reports a use after free here. */
        pk = vw_list_entry(p->writes.next, struct parked, link);
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
        when = vw_pace_when(&p->pace, vw_pace_want(&p->pace, pk->size - pk->done));
        (void)sd_event_source_set_time(p->timer, when);
        (void)sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
}

static void write_interrupted(fuse_req_t req, void *data)
{
        struct parked *pk = data;
        struct cuse_port *p = pk->port;

        if (pk->done > 0)
                fuse_reply_write(req, pk->done);
        else
                fuse_reply_err(req, EINTR);
        parked_free(pk);
        cuse_wake_drains(p); /* a tcdrain() waiting behind it waits no more */
}

/* Move parked writes along, oldest first: a tty keeps the order of writes. */
static void serve_parked_writes(struct cuse_port *p)
{
        vw_list_for_each_safe(i, tmp, &p->writes) {
                struct parked *pk = vw_list_entry(i, struct parked, link);

                pk->done += accept_bytes(p, pk->data + pk->done, pk->size - pk->done);
                if (pk->done < pk->size)
                        break;
                fuse_reply_write(pk->req, pk->size);
                parked_free(pk);
        }
        arm_pace_timer(p);
        cuse_wake_drains(p);
}

static void port_room(struct vw_endpoint *ep)
{
        struct cuse_port *p = ep->data;

        serve_parked_writes(p);
        if (vw_list_empty(&p->writes))
                vw_list_for_each(i, &p->opens)
                        cuse_notify_poll(vw_list_entry(i, struct cuse_open, link));
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        port_room(((struct cuse_port *)userdata)->ep);
        return 0;
}

static void park_write(struct cuse_port *p, struct parked *pk)
{
        vw_list_insert_tail(&p->writes, &pk->link);
        fuse_req_interrupt_func(pk->req, write_interrupted, pk);
        arm_pace_timer(p);
}

/* ---- CUSE operations ---- */

static void start_done(struct cuse_port *p, int r, const char *why);

/* The device number the kernel gave our CUSE device, from /sys/class/cuse/NAME/dev. */
static int cuse_devnum(const char *name, dev_t *ret)
{
        char path[256], buf[32];
        unsigned maj, min;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/sys/class/cuse/%s/dev", name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        buf[n] = 0;
        if (sscanf(buf, "%u:%u", &maj, &min) != 2) /* NOLINT(cert-err34-c): the kernel's own "MAJ:MIN" */
                return -EIO;
        *ret = makedev(maj, min);
        return 0;
}

/* chmod/chown the node by an O_PATH descriptor, only when it is the character device the kernel
 * made for this port: never a file or link someone put at /dev/NAME. */
static void node_set_owner(struct cuse_port *p, const struct cuse_config *c)
{
        _cleanup_close_ int fd = -1;
        char proc[64];
        struct stat st;
        dev_t want = 0;

        if (cuse_devnum(p->devname, &want) < 0)
                return (void)log_debug("serial %s: no /sys/class/cuse/%s yet; udev applies the mode", p->ep->name,
                                       p->devname);
        fd = open(p->devnode, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return (void)log_debug_errno(errno, "serial %s: %s not there yet; udev applies the mode",
                                             p->ep->name, p->devnode);
        if (!S_ISCHR(st.st_mode) || st.st_rdev != want)
                return (void)log_warning("serial %s: %s is not this port's device (%u:%u); not changing it",
                                         p->ep->name, p->devnode, major(st.st_rdev), minor(st.st_rdev));
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (chmod(proc, c->mode) < 0)
                log_warning_errno(errno, "serial %s: cannot chmod %s", p->ep->name, p->devnode);
        if ((c->owner != (uid_t)-1 || c->group != (gid_t)-1) && fchownat(fd, "", c->owner, c->group, AT_EMPTY_PATH) < 0)
                log_warning_errno(errno, "serial %s: cannot chown %s", p->ep->name, p->devnode);
}

static void op_init_done(void *userdata)
{
        struct cuse_port *p = userdata;
        struct cuse_config *c = p->ep->config;

        p->ready = true;
        node_set_owner(p, c);
        start_done(p, 0, NULL);
}

static void op_open(fuse_req_t req, struct fuse_file_info *fi)
{
        struct cuse_port *p = fuse_req_userdata(req);
        struct cuse_config *c = p->ep->config;
        struct cuse_open *o;
        int r;

        p->stats.other++;
        if (p->n_opens > 0 && (c->readers == READERS_EXCLUSIVE || p->excl)) {
                fuse_reply_err(req, EBUSY);
                return;
        }
        o = calloc(1, sizeof(*o));
        if (!o) {
                fuse_reply_err(req, ENOMEM);
                return;
        }
        o->port = p;
        r = cuse_input_open(o);
        if (r < 0) {
                cuse_input_close(o, 0);
                free(o);
                fuse_reply_err(req, -r);
                return;
        }
        if (p->n_opens == 0 && p->holder && c->when_closed != WHEN_CLOSED_DROP) {
                o->sink = TAKE_PTR(p->holder); /* what arrived while closed is read first */
        } else {
                r = vw_sink_new(p->ep->port, sink_ready, p, &o->sink);
                if (r < 0) {
                        cuse_input_close(o, 0);
                        free(o);
                        fuse_reply_err(req, -r);
                        return;
                }
        }
        vw_sink_set_accept_line(o->sink, true);
        if (p->n_opens == 0) {
                vw_sink_free(TAKE_PTR(p->holder));
                /* like a serial driver: opening raises DTR and RTS unless the baud rate is 0 */
                if ((p->termios.c_cflag & CBAUD) != B0)
                        cuse_set_outputs(p, p->line.outputs | TIOCM_DTR | TIOCM_RTS);
        }
        vw_list_insert_tail(&p->opens, &o->link);
        p->n_opens++;
        p->ep->clients = p->n_opens;
        fi->fh = (uintptr_t)o;
        fi->direct_io = 1;
        fi->nonseekable = 1;
        fuse_reply_open(req, fi);
}

static void op_release(fuse_req_t req, struct fuse_file_info *fi)
{
        struct cuse_open *o = open_of(fi);
        struct cuse_port *p = o->port;

        p->stats.other++;
        cuse_input_close(o, EBADF);
        vw_list_remove(&o->link);
        p->n_opens--;
        p->ep->clients = p->n_opens;
        if (p->n_opens == 0) {
                p->excl = false;
                p->holder = TAKE_PTR(o->sink); /* keeps its place: unread data stays for the next open */
                sink_ready(p->holder, p);
                if (p->termios.c_cflag & HUPCL)
                        cuse_set_outputs(p, p->line.outputs & ~(uint32_t)(TIOCM_DTR | TIOCM_RTS));
        }
        vw_sink_free(o->sink);
        free(o);
        fuse_reply_err(req, 0);
}

static void op_read(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi)
{
        open_of(fi)->port->stats.read++;
        cuse_read(open_of(fi), req, size, fi->flags & O_NONBLOCK);
}

static void op_write(fuse_req_t req, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
        struct cuse_open *o = open_of(fi);
        struct cuse_port *p = o->port;
        struct parked *pk;
        size_t n = 0;

        p->stats.write++;
        if (vw_list_empty(&p->writes))
                n = accept_bytes(p, (const uint8_t *)buf, size);
        if (n == size) {
                fuse_reply_write(req, size);
                return;
        }
        if (fi->flags & O_NONBLOCK) {
                if (n > 0) {
                        fuse_reply_write(req, n);
                } else {
                        p->stats.eagain++;
                        fuse_reply_err(req, EAGAIN);
                }
                return;
        }
        pk = calloc(1, sizeof(*pk));
        if (pk)
                pk->data = malloc(size);
        if (!pk || !pk->data) {
                free(pk);
                if (n > 0)
                        fuse_reply_write(req, n);
                else
                        fuse_reply_err(req, ENOMEM);
                return;
        }
        /* the rest waits for room; the reply will count all of it */
        memcpy(pk->data, buf, size);
        pk->kind = PARKED_WRITE;
        pk->req = req;
        pk->port = p;
        pk->open = o;
        pk->size = size;
        pk->done = n;
        park_write(p, pk);
}

/*
 * POLLOUT: a write now would take something. Each "no" has its wake-up: room 0 marks the port
 * blocked (ep->room), a parked write or TCOOFF ends in port_room(), and a pace that allows
 * nothing yet arms the pace timer here (else a poll loop would spin on EAGAIN).
 */
static bool can_write_now(struct cuse_port *p)
{
        struct cuse_config *c = p->ep->config;

        if (!vw_list_empty(&p->writes) || cuse_output_held(p) || vw_port_room(p->ep->port) == 0)
                return false;
        if (c->pacing && vw_pace_allow(&p->pace, cuse_now(p)) == 0) {
                (void)sd_event_source_set_time(p->timer, vw_pace_when(&p->pace, 1));
                (void)sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
                return false;
        }
        return true;
}

static void op_poll(fuse_req_t req, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
        struct cuse_open *o = open_of(fi);
        struct cuse_port *p = o->port;
        unsigned revents = 0;

        p->stats.poll++;
        if (cuse_readable(o))
                revents |= POLLIN | POLLRDNORM;
        if (can_write_now(p))
                revents |= POLLOUT | POLLWRNORM;
        if (ph) {
                if (o->ph)
                        fuse_pollhandle_destroy(o->ph);
                o->ph = ph;
        }
        fuse_reply_poll(req, revents);
}

static void op_flush(fuse_req_t req, struct fuse_file_info *fi)
{
        fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, int datasync, struct fuse_file_info *fi)
{
        fuse_reply_err(req, 0);
}

static const struct cuse_lowlevel_ops cuse_ops = {
        .init_done = op_init_done,
        .open = op_open,
        .read = op_read,
        .write = op_write,
        .flush = op_flush,
        .release = op_release,
        .fsync = op_fsync,
        .ioctl = cuse_ioctl,
        .poll = op_poll,
};

/* ---- line state ---- */

static void cuse_signal(struct vw_endpoint *ep, const struct vw_signal *sig)
{
        struct cuse_port *p = ep->data;
        uint32_t changed;

        if (!p)
                return;
        switch (sig->type) {
        case VW_SIGNAL_MODEM:
                changed = vw_serial_line_peer_modem(&p->line, sig->modem);
                if (changed)
                        cuse_wake_miwait(p, changed);
                if ((changed & TIOCM_CTS) && (p->termios.c_cflag & CRTSCTS))
                        ep->room(ep); /* CRTSCTS: CTS came back, parked writes go on */
                break;
        case VW_SIGNAL_PARAMS:
                p->line.peer = sig->params;
                p->line.have_peer = true;
                break;
        case VW_SIGNAL_PURGE:
                /* what waits to go out on our line: what the peers sent that no open has read */
                if (sig->purge & VW_PURGE_TX) {
                        vw_list_for_each(i, &p->opens)
                                cuse_flush_input(vw_list_entry(i, struct cuse_open, link));
                        if (p->holder)
                                vw_sink_discard(p->holder);
                }
                break;
        default:
                break;
        }
}

static void cuse_routes_changed(struct vw_endpoint *ep)
{
        struct cuse_port *p = ep->data;
        struct vw_signal sig = { .type = VW_SIGNAL_PARAMS };

        if (!p)
                return;
        cuse_termios_to_params(&p->termios, &sig.params);
        vw_port_signal(ep->port, &sig);
        cuse_send_outputs(p);
}

/* ---- the session ---- */

static void process_requests(struct cuse_port *p, unsigned budget)
{
        while (budget-- > 0) {
                int r = fuse_session_receive_buf(p->se, &p->fbuf);

                if (r == -EAGAIN || r == -EINTR)
                        return;
                if (r <= 0) {
                        log_error("serial %s: the CUSE session ended (%s)", p->ep->name, r < 0 ? strerror(-r) : "closed");
                        p->ep->state = VW_STATE_FAILED;
                        sd_event_source_set_enabled(p->io, SD_EVENT_OFF);
                        if (p->start_pending) {
                                char why[160];
                                snprintf(why, sizeof(why), "CUSE device %s could not be created (is the name taken?)",
                                         p->devnode);
                                start_done(p, -EIO, why);
                        }
                        return;
                }
                fuse_session_process_buf(p->se, &p->fbuf);
        }
}

static uint64_t monotonic_usec(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int on_cuse_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct cuse_port *p = userdata;
        uint64_t t0 = monotonic_usec();

        process_requests(p, 64);
        vw_endpoint_dispatch(p->ep);
        p->stats.wakeups++;
        p->stats.busy_usec += monotonic_usec() - t0;
        return 0;
}

static int start_finish(struct cuse_port *p)
{
        struct vw_endpoint *ep = p->ep;
        int r;

        p->init_timer = sd_event_source_disable_unref(p->init_timer);
        r = vw_endpoint_set_path(ep, p->devnode);
        if (r < 0)
                return r;
        ep->state = VW_STATE_ACTIVE;
        log_info("serial %s: CUSE device %s", ep->name, p->devnode);
        return 0;
}

/* The end of a start that returned VW_START_PENDING. */
static void start_done(struct cuse_port *p, int r, const char *why)
{
        if (!p->start_pending)
                return;
        p->start_pending = false;
        if (r >= 0)
                r = start_finish(p);
        if (r < 0) {
                p->init_timer = sd_event_source_disable_unref(p->init_timer);
                p->ep->state = VW_STATE_FAILED;
        }
        vw_endpoint_started(p->ep, r, why);
}

static int on_init_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct cuse_port *p = userdata;
        char why[160];

        snprintf(why, sizeof(why), "the kernel did not start the CUSE device %s within %d ms", p->devnode,
                 INIT_TIMEOUT_MS);
        log_error("serial %s: %s", p->ep->name, why);
        start_done(p, -ETIMEDOUT, why);
        return 0;
}

static int cuse_start(struct vw_endpoint *ep)
{
        struct cuse_config *c = ep->config;
        char devinfo[96], mnt[32];
        const char *dev_info_argv[] = { devinfo };
        char *argv[] = { (char *)"vwired", NULL };
        struct fuse_args args = FUSE_ARGS_INIT(1, argv);
        struct cuse_info ci = {
                .dev_info_argc = 1,
                .dev_info_argv = dev_info_argv,
                .flags = CUSE_UNRESTRICTED_IOCTL,
        };
        struct cuse_port *p;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        ep->data = p;
        p->ep = ep;
        p->fd = -1;
        vw_list_init(&p->opens);
        vw_list_init(&p->writes);
        vw_list_init(&p->waits);
        vw_list_init(&p->drains);
        vw_cuse_default_termios(&p->termios, c->raw);
        r = vw_policy_cuse_name(ep, devname_of(c->path));
        if (r >= 0)
                r = vw_policy_owner(ep, c->owner, c->group, c->mode);
        if (r < 0)
                return r;
        snprintf(p->devname, sizeof(p->devname), "%s", devname_of(c->path));
        snprintf(p->devnode, sizeof(p->devnode), "/dev/%s", p->devname);
        snprintf(devinfo, sizeof(devinfo), "DEVNAME=%s", p->devname);

        if (access(p->devnode, F_OK) == 0)
                return log_error_errno(EEXIST, "serial %s: %s already exists; choose another path", ep->name,
                                       p->devnode);
        vw_udev_hint_write(ep, p->devname, c->mode, c->owner, c->group);
        p->fd = open("/dev/cuse", O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (p->fd < 0) {
                r = -errno;
                if (r == -ENOENT || r == -ENODEV)
                        return log_error_errno(r, "serial %s: /dev/cuse is missing: load the cuse module "
                                               "(modprobe cuse) or use backend = pty", ep->name);
                return log_error_errno(r, "serial %s: cannot open /dev/cuse (vwired needs root or the "
                                       "vwire group's udev rule)", ep->name);
        }
        p->se = cuse_lowlevel_new(&args, &ci, &cuse_ops, p);
        fuse_opt_free_args(&args);
        if (!p->se)
                return log_error_errno(ENOMEM, "serial %s: cannot create the CUSE session", ep->name);
        snprintf(mnt, sizeof(mnt), "/dev/fd/%d", p->fd);
        if (fuse_session_mount(p->se, mnt) != 0)
                return log_error_errno(EIO, "serial %s: cannot attach the CUSE session", ep->name);

        r = vw_sink_new(ep->port, sink_ready, p, &p->holder);
        if (r < 0)
                return r;
        r = sd_event_add_io(vw_endpoint_event(ep), &p->io, p->fd, EPOLLIN, on_cuse_io, p);
        if (r < 0)
                return log_error_errno(r, "serial %s: cannot watch /dev/cuse", ep->name);
        r = sd_event_add_time(vw_endpoint_event(ep), &p->timer, CLOCK_MONOTONIC, 0, 0, on_timer, p);
        if (r < 0)
                return r;
        sd_event_source_set_enabled(p->timer, SD_EVENT_OFF);
        ep->room = port_room;
        ep->state = VW_STATE_STARTING;
        if (c->pacing) {
                struct vw_line_params lp;
                cuse_termios_to_params(&p->termios, &lp);
                vw_pace_init(&p->pace, vw_line_bytes_per_sec(&lp), 16);
                vw_pace_start(&p->pace, cuse_now(p));
        }

        /* CUSE_INIT is usually queued already: answer it now, and the node exists when start()
         * returns. Otherwise the loop answers it (on_cuse_io) and the start completes then: the
         * manager holds READY=1 and the Add's reply meanwhile, and nothing waits in the loop. */
        /* VWIRE_TEST_DEFER_START=1 (tests only): take the loop's path even when INIT is queued */
        if (!getenv("VWIRE_TEST_DEFER_START"))
                process_requests(p, 16);
        if (p->ready)
                return start_finish(p);
        if (ep->state == VW_STATE_FAILED)
                return log_error_errno(EIO, "serial %s: CUSE device %s could not be created (is the name taken?)",
                                       ep->name, p->devnode);
        r = sd_event_add_time_relative(vw_endpoint_event(ep), &p->init_timer, CLOCK_MONOTONIC,
                                       INIT_TIMEOUT_MS * 1000ULL, 0, on_init_timeout, p);
        if (r < 0)
                return log_error_errno(r, "serial %s: cannot add a timer", ep->name);
        ep->state = VW_STATE_STARTING;
        p->start_pending = true;
        return VW_START_PENDING;
}

static void cuse_stop(struct vw_endpoint *ep)
{
        struct cuse_port *p = ep->data;

        if (!p)
                return;
        p->init_timer = sd_event_source_disable_unref(p->init_timer);
        vw_list_for_each_safe(i, tmp, &p->writes) {
                struct parked *pk = vw_list_entry(i, struct parked, link);
                fuse_reply_err(pk->req, EIO);
                parked_free(pk);
        }
        vw_list_for_each_safe(i, tmp, &p->waits) {
                struct parked *pk = vw_list_entry(i, struct parked, link);
                fuse_reply_err(pk->req, EIO);
                parked_free(pk);
        }
        vw_list_for_each_safe(i, tmp, &p->drains) {
                struct parked *pk = vw_list_entry(i, struct parked, link);
                fuse_reply_err(pk->req, EIO);
                parked_free(pk);
        }
        vw_list_for_each_safe(i, tmp, &p->opens) {
                struct cuse_open *o = vw_list_entry(i, struct cuse_open, link);
                cuse_input_close(o, EIO);
                vw_sink_free(o->sink);
                vw_list_remove(&o->link);
                free(o);
        }
        vw_sink_free(p->holder);
        sd_event_source_disable_unref(p->io);
        sd_event_source_disable_unref(p->timer);
        vw_udev_hint_remove(ep, p->devname);
        if (p->se)
                fuse_session_destroy(p->se); /* closes the /dev/cuse fd: the device goes away */
        else
                safe_close(p->fd);
        free(p->fbuf.mem);
        free(p);
        ep->data = NULL;
        ep->room = NULL;
}

static void cuse_describe(struct vw_endpoint *ep, json_object *d)
{
        struct cuse_port *p = ep->data;
        struct cuse_config *c = ep->config;
        struct vw_line_params lp;
        json_object *m;

        if (!p)
                return;
        cuse_termios_to_params(&p->termios, &lp);
        json_object_object_add(d, "device", json_object_new_string(p->devnode));
        json_object_object_add(d, "opens", json_object_new_int((int)p->n_opens));
        json_object_object_add(d, "readers", json_object_new_string(readers_names[c->readers]));
        json_object_object_add(d, "when_closed", json_object_new_string(when_closed_names[c->when_closed]));
        json_object_object_add(d, "pacing", json_object_new_boolean(c->pacing));
        json_object_object_add(d, "raw", json_object_new_boolean(c->raw));
        json_object_object_add(d, "line", vw_line_params_to_json(&lp));
        m = json_object_new_object();
        json_object_object_add(m, "dtr", json_object_new_boolean((p->line.outputs & TIOCM_DTR) != 0));
        json_object_object_add(m, "rts", json_object_new_boolean((p->line.outputs & TIOCM_RTS) != 0));
        json_object_object_add(m, "cts", json_object_new_boolean((p->line.inputs & TIOCM_CTS) != 0));
        json_object_object_add(m, "dsr", json_object_new_boolean((p->line.inputs & TIOCM_DSR) != 0));
        json_object_object_add(m, "dcd", json_object_new_boolean((p->line.inputs & TIOCM_CD) != 0));
        json_object_object_add(m, "ri", json_object_new_boolean((p->line.inputs & TIOCM_RI) != 0));
        json_object_object_add(d, "modem", m);
        m = json_object_new_object();
        json_object_object_add(m, "rx", json_object_new_int64(p->line.counts.rx));
        json_object_object_add(m, "tx", json_object_new_int64(p->line.counts.tx));
        json_object_object_add(m, "brk", json_object_new_int64(p->line.counts.brk));
        json_object_object_add(m, "frame", json_object_new_int64(p->line.counts.frame));
        json_object_object_add(m, "parity", json_object_new_int64(p->line.counts.parity));
        json_object_object_add(d, "counts", m);
        m = json_object_new_object();
        json_object_object_add(m, "read", json_object_new_int64((int64_t)p->stats.read));
        json_object_object_add(m, "write", json_object_new_int64((int64_t)p->stats.write));
        json_object_object_add(m, "poll", json_object_new_int64((int64_t)p->stats.poll));
        json_object_object_add(m, "ioctl", json_object_new_int64((int64_t)p->stats.ioctl));
        json_object_object_add(m, "other", json_object_new_int64((int64_t)p->stats.other));
        json_object_object_add(m, "eagain", json_object_new_int64((int64_t)p->stats.eagain));
        json_object_object_add(m, "poll_notify", json_object_new_int64((int64_t)p->stats.notify));
        json_object_object_add(m, "wakeups", json_object_new_int64((int64_t)p->stats.wakeups));
        json_object_object_add(m, "busy_usec", json_object_new_int64((int64_t)p->stats.busy_usec));
        json_object_object_add(d, "requests", m);
}

static void cuse_doctor(struct vw_endpoint *ep, json_object *checks)
{
        struct cuse_port *p = ep->data;
        const char *path = ep->path ? ep->path : "-";

        if (!p)
                return;
        if (p->n_opens == 0)
                vw_doctor_check_add(checks, "open", "warn", ep->name, "start the program that should use it",
                                    "serial %s: no program has %s open", ep->name, path);
        else
                vw_doctor_check_add(checks, "open", "ok", ep->name, NULL, "serial %s: %s is open (%u)", ep->name,
                                    path, p->n_opens);
}

static char *cuse_claim(const struct vw_section *s, const struct vw_setting **st)
{
        return vw_claim_setting(s, "path", st);
}

static void cuse_doctor_host(json_object *checks, bool in_use)
{
        vw_doctor_device_node(checks, "cuse", "CUSE (backend = cuse)", "/dev/cuse", "cuse", in_use);
}

const struct vw_endpoint_ops vw_serial_cuse_ops = {
        .kind = "serial",
        .backend = "cuse",
        .selector = "backend",
        .keys = cuse_keys,
        .config_size = sizeof(struct cuse_config),
        .init_config = cuse_init_config,
        .check = cuse_check,
        .available = cuse_available,
        .start = cuse_start,
        .stop = cuse_stop,
        .describe = cuse_describe,
        .signal = cuse_signal,
        .routes_changed = cuse_routes_changed,
        .doctor = cuse_doctor,
        .doctor_host = cuse_doctor_host,
        .claim = cuse_claim,
        .udev_hints = true,
};
