/* SPDX-License-Identifier: MIT */
/*
 * [serial NAME] backend = pty: a PTY master owned by vwired, the slave exposed at `path` (a
 * symlink). vwired keeps a slave fd open, so the master never sees EIO/HUP when clients close.
 * The kernel's own n_tty does the line discipline on the slave (IXON/IXOFF, ICANON, ECHO, ICRNL,
 * OPOST...), exactly as on a real UART, so vwired never sets EXTPROC: EXTPROC would switch that
 * processing off, and clients that build c_lflag themselves (minicom, tio, screen) clear it
 * anyway. The line settings reach the peer within PTY_PARAMS_POLL_MS: vwired reads the slave's
 * termios (one TCGETS2) whenever the master wakes, on every packet-mode status byte (TIOCPKT
 * raises one for IXON and start/stop character changes, and TIOCPKT_IOCTL for clients that set
 * EXTPROC themselves), and from a timer. (The kernel's pty forces CS8 and no parity, so those two
 * always read 8N; baud and stop bits are what the client set.)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "endpoint.h"
#include "log.h"
#include "varlink.h"
#include "policy.h"
#include "serial-line.h"
#include "tty-params.h"

#define PTY_READ_MAX (64u * 1024u)
/* The bound on how late a peer hears of a tcsetattr() that nothing else woke us for. */
#define PTY_PARAMS_POLL_MS 100u

struct pty_config {
        char *path;
        mode_t mode;
        uid_t owner;
        gid_t group;
        bool raw;
};

struct pty {
        int master, slave;
        char slave_name[64];
        sd_event_source *io;
        sd_event_source *params_timer;
        struct vw_sink *sink;
        struct vw_line_params params;
        bool reading, writing;
        /* what a pty cannot show its client, counted for `vwirectl show` */
        uint64_t breaks_in, flushes_in;
        struct vw_owned *link;   /* the symlink at `path` */
};

/* One read buffer for every port: the loop is single-threaded and reads are handed on at once. */
static uint8_t read_buf[PTY_READ_MAX + 1];

static const struct vw_key pty_keys[] = {
        { "path", vw_parse_path, offsetof(struct pty_config, path), .host = true },
        { "mode", vw_parse_mode, offsetof(struct pty_config, mode) },
        { "owner", vw_parse_user, offsetof(struct pty_config, owner), .host = true },
        { "group", vw_parse_group, offsetof(struct pty_config, group), .host = true },
        { "raw", vw_parse_bool, offsetof(struct pty_config, raw) },
        {}
};

static void pty_init_config(void *config)
{
        struct pty_config *c = config;

        c->raw = true;
        c->owner = (uid_t)-1;
        c->group = (gid_t)-1;
        c->mode = (mode_t)-1;
}

static void update_events(struct vw_endpoint *ep)
{
        struct pty *p = ep->data;
        uint32_t ev = (p->reading ? EPOLLIN : 0) | (p->writing ? EPOLLOUT : 0);

        sd_event_source_set_io_events(p->io, ev);
        sd_event_source_set_enabled(p->io, ev ? SD_EVENT_ON : SD_EVENT_OFF);
}

/* Write what the routes hold for us until the master is full. */
static void pty_flush(struct vw_endpoint *ep)
{
        struct pty *p = ep->data;
        struct vw_chunk c;
        bool want_out = false;

        while (vw_sink_peek(p->sink, &c)) {
                ssize_t n;

                if (c.type == VW_CHUNK_LINE) {
                        /* a pty master cannot send a break: count it */
                        const struct vw_line_event *ev = (const void *)c.data;

                        if (c.len >= sizeof(*ev) && ev->type == VW_LINE_BREAK)
                                p->breaks_in++;
                        vw_sink_consume(p->sink, c.len);
                        continue;
                }
                n = write(p->master, c.data, c.len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                want_out = true;
                                break;
                        }
                        log_warning_errno(errno, "serial %s: write to pty master failed", ep->name);
                        vw_sink_discard(p->sink);
                        break;
                }
                vw_sink_consume(p->sink, (size_t)n);
                if ((size_t)n < c.len) {
                        want_out = true;
                        break;
                }
        }
        if (want_out != p->writing) {
                p->writing = want_out;
                update_events(ep);
        }
}

static void pty_ready(struct vw_sink *s, void *userdata)
{
        pty_flush(userdata);
}

static void pty_params_changed(struct vw_endpoint *ep)
{
        struct pty *p = ep->data;
        struct vw_line_params np;
        struct vw_signal sig = { .type = VW_SIGNAL_PARAMS };
        char buf[64];

        if (vw_tty_get_params(p->slave, &np) < 0 || vw_line_params_equal(&np, &p->params))
                return;
        p->params = np;
        log_debug("serial %s: client set %s", ep->name, vw_line_params_to_string(&np, buf, sizeof(buf)));
        sig.params = np;
        vw_port_signal(ep->port, &sig);
}

/* The client ran tcflush(): packet mode says which queue; the far end flushes too (see serial-cuse-tty.c). */
static void pty_flushed(struct vw_endpoint *ep, uint8_t status)
{
        struct vw_signal sig = { .type = VW_SIGNAL_PURGE };

        sig.purge =
                ((status & TIOCPKT_FLUSHREAD) ? VW_PURGE_RX : 0) | ((status & TIOCPKT_FLUSHWRITE) ? VW_PURGE_TX : 0);
        if (sig.purge)
                vw_port_signal(ep->port, &sig);
}

static void pty_read(struct vw_endpoint *ep)
{
        struct pty *p = ep->data;

        for (unsigned rounds = 0; rounds < 16; rounds++) {
                size_t room = MIN(vw_port_room(ep->port), (size_t)PTY_READ_MAX);
                ssize_t n;

                if (room == 0) {
                        /* A full block route: leave the bytes in the kernel until ep->room. */
                        p->reading = false;
                        update_events(ep);
                        return;
                }
                n = read(p->master, read_buf, room + 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                log_warning_errno(errno, "serial %s: read from pty master failed", ep->name);
                        return;
                }
                if (n == 0)
                        return;
                /* Packet mode: a status byte first; TIOCPKT_DATA (0) is followed by data. Any
                 * other (IXON changed, output stopped by XOFF, EXTPROC's TIOCPKT_IOCTL) may come
                 * with new settings. */
                if (read_buf[0] != TIOCPKT_DATA) {
                        pty_params_changed(ep);
                        pty_flushed(ep, read_buf[0]);
                        continue;
                }
                if (n > 1 && vw_port_write(ep->port, VW_CHUNK_BYTES, read_buf + 1, (size_t)n - 1) < 0)
                        log_error("serial %s: route refused %zd bytes it had room for", ep->name, n - 1);
        }
}

static int pty_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct vw_endpoint *ep = userdata;

        pty_params_changed(ep); /* settings first: they apply to the bytes that follow */
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                pty_read(ep);
        if (revents & EPOLLOUT)
                pty_flush(ep);
        vw_endpoint_dispatch(ep);
        return 0;
}

static int pty_params_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
        pty_params_changed(userdata);
        (void)sd_event_source_set_time_relative(s, PTY_PARAMS_POLL_MS * 1000ULL);
        return 0;
}

static void pty_room(struct vw_endpoint *ep)
{
        struct pty *p = ep->data;

        if (!p->reading) {
                p->reading = true;
                update_events(ep);
        }
}

static int pty_start(struct vw_endpoint *ep)
{
        struct pty_config *c = ep->config;
        struct termios t;
        struct pty *p;
        int r, one = 1;

        r = vw_policy_owner(ep, c->owner, c->group, c->mode);
        if (r < 0)
                return r;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->master = p->slave = -1;
        ep->data = p;

        p->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (p->master < 0)
                return log_error_errno(errno, "serial %s: cannot open a pty", ep->name);
        if (grantpt(p->master) < 0 || unlockpt(p->master) < 0 ||
            ptsname_r(p->master, p->slave_name, sizeof(p->slave_name)) != 0)
                return log_error_errno(errno, "serial %s: cannot set up the pty", ep->name);
        p->slave = open(p->slave_name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (p->slave < 0)
                return log_error_errno(errno, "serial %s: cannot open %s", ep->name, p->slave_name);

        if (tcgetattr(p->slave, &t) < 0)
                return log_error_errno(errno, "serial %s: tcgetattr", ep->name);
        /* raw = no keeps the kernel's cooked defaults: the slave's n_tty edits, echoes, maps CR */
        if (c->raw) {
                cfmakeraw(&t);
                if (tcsetattr(p->slave, TCSANOW, &t) < 0)
                        return log_error_errno(errno, "serial %s: tcsetattr", ep->name);
        }
        if (ioctl(p->master, TIOCPKT, &one) < 0)
                return log_error_errno(errno, "serial %s: TIOCPKT", ep->name);
        (void)vw_tty_get_params(p->slave, &p->params);

        if (c->mode != (mode_t)-1 && fchmod(p->slave, c->mode) < 0)
                return log_error_errno(errno, "serial %s: cannot chmod %s to %04o", ep->name, p->slave_name,
                                       (unsigned)c->mode);
        if ((c->owner != (uid_t)-1 || c->group != (gid_t)-1) && fchown(p->slave, c->owner, c->group) < 0)
                return log_error_errno(errno, "serial %s: cannot chown %s", ep->name, p->slave_name);

        r = vw_sink_new(ep->port, pty_ready, ep, &p->sink);
        if (r < 0)
                return r;
        vw_sink_set_accept_line(p->sink, true);
        r = sd_event_add_io(vw_endpoint_event(ep), &p->io, p->master, EPOLLIN, pty_io, ep);
        if (r < 0)
                return log_error_errno(r, "serial %s: cannot watch the pty", ep->name);
        /* accuracy 10 ms: the timers of many ports wake the loop together */
        r = sd_event_add_time_relative(vw_endpoint_event(ep), &p->params_timer, CLOCK_MONOTONIC,
                                       PTY_PARAMS_POLL_MS * 1000ULL, 10 * 1000ULL, pty_params_tick, ep);
        if (r < 0)
                return log_error_errno(r, "serial %s: cannot add a timer", ep->name);
        (void)sd_event_source_set_enabled(p->params_timer, SD_EVENT_ON);
        p->reading = true;
        ep->room = pty_room;

        if (c->path) {
                r = vw_endpoint_make_symlink(ep, c->path, p->slave_name, &p->link);
                if (r < 0)
                        return r;
        }
        r = vw_endpoint_set_path(ep, c->path ? c->path : p->slave_name);
        if (r < 0)
                return r;
        ep->state = VW_STATE_ACTIVE;
        log_info("serial %s: pty %s%s%s", ep->name, p->slave_name, c->path ? " at " : "", c->path ? c->path : "");
        return 0;
}

static void pty_stop(struct vw_endpoint *ep)
{
        struct pty *p = ep->data;

        if (!p)
                return;
        vw_endpoint_unmake(ep, p->link);
        sd_event_source_disable_unref(p->io);
        sd_event_source_disable_unref(p->params_timer);
        vw_sink_free(p->sink);
        safe_close(p->slave);
        safe_close(p->master);
        free(p);
        ep->data = NULL;
        ep->room = NULL;
}

/* A pty has no modem lines: to a peer it looks like a device that is always there (DTR and RTS up). */
static void pty_routes_changed(struct vw_endpoint *ep)
{
        struct pty *p = ep->data;
        struct vw_serial_line line = { .outputs = TIOCM_DTR | TIOCM_RTS };
        struct vw_signal sig = { .type = VW_SIGNAL_PARAMS };

        if (!p)
                return;
        (void)vw_tty_get_params(p->slave, &p->params);
        sig.params = p->params;
        vw_port_signal(ep->port, &sig);
        vw_serial_line_send_modem(&line, ep->port);
}

/* A purge of what waits to go out on our line: what the peers sent that the client has not read. */
static void pty_signal(struct vw_endpoint *ep, const struct vw_signal *sig)
{
        struct pty *p = ep->data;

        if (!p || sig->type != VW_SIGNAL_PURGE || !(sig->purge & VW_PURGE_TX))
                return;
        p->flushes_in++;
        vw_sink_discard(p->sink);
        (void)tcflush(p->slave, TCIFLUSH);
}

static void pty_describe(struct vw_endpoint *ep, json_object *d)
{
        struct pty *p = ep->data;
        struct pty_config *c = ep->config;

        if (!p)
                return;
        json_object_object_add(d, "pty", json_object_new_string(p->slave_name));
        json_object_object_add(d, "raw", json_object_new_boolean(c->raw));
        /* the client may have changed them since the last look: tell the peers first, so
         * what is shown here is never newer than what they know */
        pty_params_changed(ep);
        json_object_object_add(d, "line", vw_line_params_to_json(&p->params));
        json_object_object_add(d, "pending_out", json_object_new_int64((int64_t)vw_sink_pending(p->sink)));
        json_object_object_add(d, "breaks_in", json_object_new_int64((int64_t)p->breaks_in));
        json_object_object_add(d, "flushes_in", json_object_new_int64((int64_t)p->flushes_in));
}

static void pty_doctor(struct vw_endpoint *ep, json_object *checks)
{
        vw_doctor_check_add(checks, "open", "ok", ep->name, NULL,
                            "serial %s: whether a program has %s open cannot be known for a PTY "
                            "(use backend = cuse to see opens)", ep->name, ep->path ? ep->path : "-");
}

static char *pty_claim(const struct vw_section *s, const struct vw_setting **st)
{
        return vw_claim_setting(s, "path", st);
}

const struct vw_endpoint_ops vw_serial_pty_ops = {
        .kind = "serial",
        .backend = "pty",
        .selector = "backend",
        .is_default = true,
        .keys = pty_keys,
        .config_size = sizeof(struct pty_config),
        .init_config = pty_init_config,
        .start = pty_start,
        .stop = pty_stop,
        .describe = pty_describe,
        .signal = pty_signal,
        .routes_changed = pty_routes_changed,
        .doctor = pty_doctor,
        .claim = pty_claim,
};
