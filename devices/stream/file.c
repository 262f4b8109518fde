/* SPDX-License-Identifier: MIT */
/*
 * [file NAME]: a file on one end of the routes.
 *  mode = capture  what is routed to it is appended to `path` (truncated at start unless
 *                  `append = yes`). A regular file is always writable, so chunks are written at
 *                  once in the sink's ready callback; after a write error nothing more is
 *                  written (state "failed") and what arrives is dropped, so no route stalls.
 *  mode = replay   the bytes of `path` go into the routes, `chunk` bytes per read, at `rate`
 *                  bytes/s (0: as fast as the routes take them), from the start again with
 *                  `loop = yes`; only while it has an outbound route. What is routed to it is
 *                  dropped. At the end the state is "closed".
 *  format = pcap   capture: every chunk is one packet of a pcap file (common/pcap.h), with its
 *                  arrival time and `linktype` (raw IP for a tun, ethernet for a tap).
 * FIFOs and character devices work too: they are watched for EPOLLIN/EPOLLOUT when they are full
 * or empty; regular files never block and are not watched (epoll refuses them).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "endpoint.h"
#include "file.h"
#include "log.h"
#include "pace.h"
#include "pcap.h"

#define REPLAY_CHUNK_DEFAULT (4u * 1024u)
#define REPLAY_CHUNK_MAX (64u * 1024u)
/* Chunks per turn of the loop before a replay yields to everything else. */
#define REPLAY_BATCH 16

enum { FILE_CAPTURE, FILE_REPLAY };

static const char *const file_modes[] = { "capture", "replay", NULL };

enum { FORMAT_RAW, FORMAT_PCAP };
static const char *const file_formats[] = { "raw", "pcap", NULL };
/* the other value of `format` that selects this backend ("raw" is its name) */
static const char *const file_pcap_format[] = { "pcap", NULL };
static const char *const file_linktypes[] = { "raw", "ethernet", NULL };

struct file_config {
        int mode;
        char *path;
        bool append;
        uint64_t rate;
        bool loop;
        size_t chunk;
        int format;
        int linktype;
};

struct file_ep {
        int fd;
        struct vw_sink *sink;
        sd_event_source *io;     /* FIFOs and devices only */
        sd_event_source *timer;  /* replay: run again on the next turn of the loop, or when the rate allows */
        struct vw_pace pace;
        uint64_t bytes;          /* written (capture) or replayed */
        uint64_t passes;         /* replay: completed passes over the file */
        uint64_t pass_bytes;     /* replay: read in this pass */
        uint8_t *buf;            /* replay: read but not yet written */
        size_t buf_len, buf_off;
        uint8_t rec_hdr[VW_PCAP_RECORD_HEADER]; /* pcap: the header of the chunk being written */
        size_t rec_off;          /* pcap: bytes of the current record (header and data) written */
        uint64_t packets;        /* pcap: records written */
        int error;
        bool running;            /* replay: has an outbound route and is replaying */
        bool done;               /* replay ended, or failed */
};

static const struct vw_key file_keys[] = {
        { "mode", vw_parse_enum, offsetof(struct file_config, mode), file_modes, true },
        { "path", vw_parse_path, offsetof(struct file_config, path), NULL, true, true },
        { "append", vw_parse_bool, offsetof(struct file_config, append) },
        { "rate", vw_parse_rate, offsetof(struct file_config, rate) },
        { "loop", vw_parse_bool, offsetof(struct file_config, loop) },
        { "chunk", vw_parse_size, offsetof(struct file_config, chunk) },
        { "format", vw_parse_enum, offsetof(struct file_config, format), file_formats },
        { "linktype", vw_parse_enum, offsetof(struct file_config, linktype), file_linktypes },
        {}
};

static void file_init_config(void *config)
{
        struct file_config *c = config;

        c->chunk = REPLAY_CHUNK_DEFAULT;
}

static bool key_in(const char *const *list, const char *key)
{
        for (; *list; list++)
                if (streq(*list, key))
                        return true;
        return false;
}

static void file_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        static const char *const replay_keys[] = { "rate", "loop", "chunk", NULL };
        const struct file_config *c = config;

        for (size_t i = 0; i < s->n_settings; i++) {
                const struct vw_setting *st = &s->settings[i];

                if (c->mode != FILE_REPLAY && key_in(replay_keys, st->key))
                        vw_errors_add(errs, s->file, st->line, "'%s' only applies to mode = replay", st->key);
                else if (c->mode != FILE_CAPTURE && (streq(st->key, "format") || streq(st->key, "linktype")))
                        vw_errors_add(errs, s->file, st->line, "'%s' only applies to mode = capture", st->key);
                else if (c->format != FORMAT_PCAP && streq(st->key, "linktype"))
                        vw_errors_add(errs, s->file, st->line, "'linktype' only applies to format = pcap");
                else if (c->mode != FILE_CAPTURE && streq(st->key, "append"))
                        vw_errors_add(errs, s->file, st->line, "'append' only applies to mode = capture");
                else if (streq(st->key, "chunk") && (c->chunk == 0 || c->chunk > REPLAY_CHUNK_MAX))
                        vw_errors_add(errs, s->file, st->line, "chunk: expected 1 to 64K bytes, got '%s'", st->value);
        }
}

static void source_off(sd_event_source *s)
{
        if (s)
                (void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

static void file_fail(struct vw_endpoint *ep, int err, const char *what)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;

        log_error_errno(err, "file %s: %s %s failed, stopping", ep->name, what, c->path);
        f->error = -abs(err);
        f->done = true;
        f->running = false;
        ep->state = VW_STATE_FAILED;
        source_off(f->io);
        source_off(f->timer);
}

/* ---- capture ---- */

/*
 * One chunk as one pcap record: header and data in one writev. A FIFO may take part of it; the
 * rest goes on the next call, and the chunk is consumed only once its whole record is out, so
 * records never interleave or lose their headers. Returns the write's result, as write() does.
 */
static ssize_t capture_record(struct file_ep *f, const struct vw_chunk *c)
{
        struct iovec iov[2];
        size_t off = f->rec_off, n_iov = 0;
        ssize_t n;

        if (off == 0) {
                struct timespec ts;

                clock_gettime(CLOCK_REALTIME, &ts);
                vw_pcap_record_header((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, c->len, f->rec_hdr);
        }
        if (off < VW_PCAP_RECORD_HEADER)
                iov[n_iov++] = (struct iovec){ f->rec_hdr + off, VW_PCAP_RECORD_HEADER - off };
        off = off > VW_PCAP_RECORD_HEADER ? off - VW_PCAP_RECORD_HEADER : 0;
        iov[n_iov++] = (struct iovec){ (void *)(c->data + off), MIN((size_t)c->len, VW_PCAP_SNAPLEN) - off };
        n = writev(f->fd, iov, (int)n_iov);
        if (n > 0)
                f->rec_off += (size_t)n;
        return n;
}

static void capture_flush(struct vw_endpoint *ep)
{
        struct file_config *cfg = ep->config;
        struct file_ep *f = ep->data;
        struct vw_chunk c;

        if (f->error) {
                vw_sink_discard(f->sink);
                return;
        }
        while (vw_sink_peek(f->sink, &c)) {
                ssize_t n = cfg->format == FORMAT_PCAP ? capture_record(f, &c) : write(f->fd, c.data, c.len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN && f->io) {
                        /* a FIFO or device that is full: wait until it takes more */
                        sd_event_source_set_enabled(f->io, SD_EVENT_ONESHOT);
                        return;
                }
                if (n <= 0) {
                        file_fail(ep, n < 0 ? errno : EIO, "writing to");
                        vw_sink_discard(f->sink);
                        return;
                }
                f->bytes += (uint64_t)n;
                if (cfg->format != FORMAT_PCAP) {
                        vw_sink_consume(f->sink, (size_t)n); /* a short write leaves the rest to peek again */
                        continue;
                }
                if (f->rec_off < VW_PCAP_RECORD_HEADER + MIN((size_t)c.len, VW_PCAP_SNAPLEN))
                        continue; /* the rest of this record next */
                f->rec_off = 0;
                f->packets++;
                vw_sink_consume(f->sink, c.len);
        }
}

/* A new (or empty) capture file starts with the pcap file header; an appended one has it. */
static int capture_pcap_header(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;
        uint8_t hdr[VW_PCAP_FILE_HEADER];
        struct stat st;

        if (fstat(f->fd, &st) < 0)
                return -errno;
        if (S_ISREG(st.st_mode) && st.st_size > 0)
                return 0;
        vw_pcap_file_header(streq(file_linktypes[c->linktype], "ethernet") ? VW_PCAP_LINKTYPE_ETHERNET : VW_PCAP_LINKTYPE_RAW, hdr);
        /* at start, before any packet: a FIFO with a reader takes 24 bytes at once */
        if (write(f->fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr))
                return log_error_errno(errno ? errno : EIO, "file %s: cannot write the pcap header to %s", ep->name,
                                       c->path);
        return 0;
}

/* ---- replay ---- */

static void replay_finish(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;

        log_info("file %s: replay of %s finished: %" PRIu64 " bytes%s", ep->name, c->path, f->bytes,
                 c->loop ? " (cannot start over: empty or not seekable)" : "");
        f->done = true;
        f->running = false;
        ep->state = VW_STATE_CLOSED;
        sd_event_source_set_enabled(f->timer, SD_EVENT_OFF);
}

/*
 * Run again from the loop, at `usec` or (0) on its next turn. A time event rather than a
 * deferred one: sd-event ranks a deferred event by when it was created, so of several that keep
 * re-arming themselves one would starve the others; elapsed timers take turns.
 */
static void replay_schedule(struct vw_endpoint *ep, uint64_t usec)
{
        struct file_ep *f = ep->data;

        if (usec == 0)
                (void)sd_event_now(vw_endpoint_event(ep), CLOCK_MONOTONIC, &usec);
        (void)sd_event_source_set_time(f->timer, usec);
        (void)sd_event_source_set_enabled(f->timer, SD_EVENT_ONESHOT);
}

/* Read the next piece into buf. Returns 1 when there is data, 0 when replay_run must stop. */
static int replay_fill(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;

        for (;;) {
                ssize_t n = read(f->fd, f->buf, c->chunk);

                if (n > 0) {
                        f->buf_len = (size_t)n;
                        f->buf_off = 0;
                        f->pass_bytes += (uint64_t)n;
                        return 1;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN && f->io) {
                        /* a FIFO with nothing in it yet */
                        sd_event_source_set_enabled(f->io, SD_EVENT_ONESHOT);
                        return 0;
                }
                if (n < 0) {
                        file_fail(ep, errno, "reading");
                        return 0;
                }
                /* end of file: start over when looping over something that had content and can seek */
                if (!c->loop || f->pass_bytes == 0 || lseek(f->fd, 0, SEEK_SET) < 0) {
                        replay_finish(ep);
                        return 0;
                }
                f->passes++;
                f->pass_bytes = 0;
        }
}

static void replay_run(struct vw_endpoint *ep)
{
        struct file_ep *f = ep->data;
        uint64_t now;

        if (f->done)
                return;
        if (!vw_port_has_outbound(ep->port)) {
                f->running = false;
                return;
        }
        (void)sd_event_now(vw_endpoint_event(ep), CLOCK_MONOTONIC, &now);
        if (!f->running) {
                f->running = true;
                vw_pace_start(&f->pace, now);
        }
        for (unsigned i = 0; i < REPLAY_BATCH; i++) {
                size_t room, allow, left, n;
                int r;

                if (f->buf_off == f->buf_len && replay_fill(ep) <= 0)
                        return;
                left = f->buf_len - f->buf_off;
                room = vw_port_room(ep->port);
                if (room == 0)
                        return; /* a block route is full: ep->room brings us back */
                allow = vw_pace_allow(&f->pace, now);
                if (allow < vw_pace_want(&f->pace, left)) {
                        replay_schedule(ep, vw_pace_when(&f->pace, vw_pace_want(&f->pace, left)));
                        return;
                }
                n = MIN(left, MIN(room, allow));
                r = vw_port_write(ep->port, VW_CHUNK_BYTES, f->buf + f->buf_off, n);
                if (r == -EAGAIN)
                        return;
                if (r < 0) {
                        file_fail(ep, r, "routing the bytes of");
                        return;
                }
                vw_pace_take(&f->pace, n);
                f->buf_off += n;
                f->bytes += n;
        }
        replay_schedule(ep, 0); /* more to do: let the rest of the loop run first */
}

static int replay_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        replay_run(userdata);
        return 0;
}

/* ---- common ---- */

static int file_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct vw_endpoint *ep = userdata;
        struct file_config *c = ep->config;

        if (c->mode == FILE_CAPTURE)
                capture_flush(ep);
        else
                replay_run(ep);
        return 0;
}

static void file_ready(struct vw_sink *s, void *userdata)
{
        struct vw_endpoint *ep = userdata;
        struct file_config *c = ep->config;

        if (c->mode == FILE_CAPTURE)
                capture_flush(ep);
        else
                vw_sink_discard(s); /* a replay takes nothing in */
}

static void file_room(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;

        /* Not from here: we are inside the router's dispatch, and replaying again at once would
         * keep it busy (write, drain, room, write...) while I/O waits. */
        if (c->mode == FILE_REPLAY)
                replay_schedule(ep, 0);
}

static void file_routes_changed(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;

        if (!f || c->mode != FILE_REPLAY || f->done)
                return;
        if (vw_port_has_outbound(ep->port)) {
                if (!f->running)
                        replay_schedule(ep, 0);
        } else {
                f->running = false;
                sd_event_source_set_enabled(f->timer, SD_EVENT_OFF);
        }
}

static int file_watch(struct vw_endpoint *ep);

/* The descriptor came with the Add: the client opened the file with its own rights. */
static int file_adopt(struct vw_endpoint *ep, const char *path, bool capture, int *ret_fd)
{
        int fl, acc, fd;
        struct stat st;

        fl = fcntl(ep->section->fd, F_GETFL);
        if (fl < 0 || fstat(ep->section->fd, &st) < 0)
                return log_error_errno(errno, "file %s: the descriptor passed for %s is not usable", ep->name, path);
        acc = fl & O_ACCMODE;
        if (capture ? acc == O_RDONLY : acc == O_WRONLY)
                return log_error_errno(EBADF, "file %s: the descriptor passed for %s is not open for %s", ep->name,
                                       path, capture ? "writing" : "reading");
        if (S_ISSOCK(st.st_mode) || S_ISDIR(st.st_mode))
                return log_error_errno(EBADF, "file %s: the descriptor passed for %s is a %s, not a file", ep->name,
                                       path, S_ISDIR(st.st_mode) ? "directory" : "socket");
        fd = fcntl(ep->section->fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return negative_errno();
        if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
                int r = negative_errno();

                safe_close(fd);
                return r;
        }
        if (capture && (fl & O_APPEND) == 0)
                (void)lseek(fd, 0, SEEK_END);
        *ret_fd = fd;
        return 0;
}

int vw_file_open(struct vw_endpoint *ep, const char *path, bool capture, bool append, int *ret_fd)
{
        int flags, fd;

        if (ep->section->fd >= 0)
                return file_adopt(ep, path, capture, ret_fd);
        if (!vw_caller_is_root(ep->section->caller))
                return log_error_errno(EPERM,
                                       "file %s: uid %u must pass %s as a descriptor (vwirectl add opens it "
                                       "for you); vwired does not open files for other users "
                                       "(rule: names are resolved with the caller's rights)",
                                       ep->name, (unsigned)ep->section->caller->uid, path);
        if (capture)
                flags = O_WRONLY | O_CREAT | O_APPEND | (append ? 0 : O_TRUNC);
        else
                flags = O_RDONLY;
        /* O_NONBLOCK: a FIFO without a reader must not hang the daemon (ENXIO instead) */
        fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0)
                return log_error_errno(errno, "file %s: cannot open %s for %s", ep->name, path,
                                       capture ? "capture" : "replay");
        *ret_fd = fd;
        return 0;
}

static int file_open(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;
        int r;

        r = vw_file_open(ep, c->path, c->mode == FILE_CAPTURE, c->append, &f->fd);
        if (r < 0)
                return r;
        return file_watch(ep);
}

static int file_watch(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;
        struct stat st;
        int r;

        if (fstat(f->fd, &st) < 0)
                return log_error_errno(errno, "file %s: cannot stat %s", ep->name, c->path);
        if (S_ISDIR(st.st_mode))
                return log_error_errno(EISDIR, "file %s: %s is a directory", ep->name, c->path);
        if (S_ISREG(st.st_mode))
                return 0;
        r = sd_event_add_io(vw_endpoint_event(ep), &f->io, f->fd, c->mode == FILE_CAPTURE ? EPOLLOUT : EPOLLIN,
                            file_io, ep);
        if (r == -EPERM)
                return 0; /* not pollable (e.g. /dev/null): it never blocks either */
        if (r < 0)
                return log_error_errno(r, "file %s: cannot watch %s", ep->name, c->path);
        sd_event_source_set_enabled(f->io, SD_EVENT_OFF);
        return 0;
}

static int replay_setup(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;
        int r;

        f->buf = malloc(c->chunk);
        if (!f->buf)
                return -ENOMEM;
        vw_pace_init(&f->pace, c->rate, c->chunk);
        r = sd_event_add_time(vw_endpoint_event(ep), &f->timer, CLOCK_MONOTONIC, 0, 1, replay_timer, ep);
        if (r < 0)
                return log_error_errno(r, "file %s: cannot add a timer", ep->name);
        sd_event_source_set_enabled(f->timer, SD_EVENT_OFF);
        return 0;
}

static int file_start(struct vw_endpoint *ep)
{
        struct file_config *c = ep->config;
        struct file_ep *f;
        int r;

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->fd = -1;
        ep->data = f;

        r = file_open(ep);
        if (r >= 0 && c->mode == FILE_CAPTURE && c->format == FORMAT_PCAP)
                r = capture_pcap_header(ep);
        if (r < 0)
                return r;
        r = vw_sink_new(ep->port, file_ready, ep, &f->sink);
        if (r < 0)
                return log_error_errno(r, "file %s: cannot attach to the routes", ep->name);
        if (c->mode == FILE_REPLAY) {
                r = replay_setup(ep);
                if (r < 0)
                        return r;
                ep->room = file_room;
                file_routes_changed(ep);
        }
        r = vw_endpoint_set_path(ep, c->path);
        if (r < 0)
                return r;
        ep->state = VW_STATE_ACTIVE;
        log_info("file %s: %s %s", ep->name, c->mode == FILE_CAPTURE ? "capturing to" : "replaying", c->path);
        return 0;
}

static void file_stop(struct vw_endpoint *ep)
{
        struct file_ep *f = ep->data;

        if (!f)
                return;
        sd_event_source_disable_unref(f->io);
        sd_event_source_disable_unref(f->timer);
        vw_sink_free(f->sink);
        safe_close(f->fd);
        free(f->buf);
        free(f);
        ep->data = NULL;
        ep->room = NULL;
}

static void file_describe(struct vw_endpoint *ep, json_object *d)
{
        struct file_config *c = ep->config;
        struct file_ep *f = ep->data;

        json_object_object_add(d, "mode", json_object_new_string(file_modes[c->mode]));
        json_object_object_add(d, "file", json_object_new_string(c->path));
        if (c->mode == FILE_CAPTURE) {
                json_object_object_add(d, "append", json_object_new_boolean(c->append));
                json_object_object_add(d, "format", json_object_new_string(file_formats[c->format]));
                if (c->format == FORMAT_PCAP)
                        json_object_object_add(d, "linktype", json_object_new_string(file_linktypes[c->linktype]));
        } else {
                json_object_object_add(d, "rate", json_object_new_int64((int64_t)c->rate));
                json_object_object_add(d, "loop", json_object_new_boolean(c->loop));
                json_object_object_add(d, "chunk", json_object_new_int64((int64_t)c->chunk));
        }
        if (!f)
                return;
        json_object_object_add(d, c->mode == FILE_CAPTURE ? "written" : "replayed",
                               json_object_new_int64((int64_t)f->bytes));
        if (c->mode == FILE_REPLAY) {
                json_object_object_add(d, "passes", json_object_new_int64((int64_t)f->passes));
                json_object_object_add(d, "replaying", json_object_new_boolean(f->running));
        } else {
                json_object_object_add(d, "pending", json_object_new_int64((int64_t)vw_sink_pending(f->sink)));
                if (c->format == FORMAT_PCAP)
                        json_object_object_add(d, "packets", json_object_new_int64((int64_t)f->packets));
        }
        if (f->error)
                json_object_object_add(d, "error", json_object_new_string(strerror(-f->error)));
}

static char *file_claim(const struct vw_section *s, const struct vw_setting **st)
{
        return vw_claim_setting(s, "path", st);
}

const struct vw_endpoint_ops vw_file_ops = {
        .kind = "file",
        .backend = "raw",
        /* format = raw | pcap is this backend's (its table parses the key); wav and flac are
         * devices/audio/audio-file.c */
        .selector = "format",
        .is_default = true,
        .selector_values = file_pcap_format,
        .keys = file_keys,
        .config_size = sizeof(struct file_config),
        .init_config = file_init_config,
        .check = file_check,
        .start = file_start,
        .stop = file_stop,
        .describe = file_describe,
        .routes_changed = file_routes_changed,
        .claim = file_claim,
};
