/* SPDX-License-Identifier: MIT */
/*
 * [file NAME] with format = wav or flac: a sound file on one end of the routes, through
 * libsndfile. The routes carry raw PCM in the cable's format, which the section states
 * (sample-format, rate, channels: they must be the cable's).
 *  mode = capture  what is routed to it (a cable's mix) is written as frames; a WAV's header
 *                  is brought up to date on every write, so the file is valid while it grows
 *                  and after a crash; FLAC is finished when the endpoint stops.
 *  mode = replay   the file's frames go into the routes, converted by libsndfile to the
 *                  sample format; as fast as the routes take them, which for a route into a
 *                  cable is the cable's clock. `loop = yes` starts over at the end.
 * The file is opened as for any [file] (vw_file_open(): a member's comes as a descriptor).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio-proto.h"
#include "endpoint.h"
#include "file.h"
#include "log.h"

#define STEP_FRAMES 4096u
#define REPLAY_BATCH 8

enum { SF_CAPTURE, SF_REPLAY };

static const char *const sf_modes[] = { "capture", "replay", NULL };
static const char *const sample_formats[] = { "S16_LE", "S32_LE", "FLOAT_LE", NULL };

struct sf_config {
        int mode;
        char *path;
        int sample_format; /* enum vw_audio_format */
        unsigned rate;
        unsigned channels;
        bool loop;
};

struct sf_ep {
        int fd;
        SNDFILE *sf;
        struct vw_sink *sink;
        sd_event_source *timer;  /* replay: run again on the next turn of the loop */
        uint8_t *buf;            /* STEP_FRAMES frames */
        size_t buf_len, buf_off; /* replay: bytes read, bytes routed */
        unsigned frame_bytes;
        uint64_t frames;  /* written or replayed */
        uint64_t dropped; /* capture: bytes that were not whole frames */
        int error;
        bool running, done;
};

static const struct vw_key sf_keys[] = { { "mode", vw_parse_enum, offsetof(struct sf_config, mode), sf_modes, true },
                                         { "path", vw_parse_path, offsetof(struct sf_config, path), NULL, true, true },
                                         { "sample-format", vw_parse_enum, offsetof(struct sf_config, sample_format),
                                           sample_formats },
                                         { "rate", vw_parse_uint, offsetof(struct sf_config, rate) },
                                         { "channels", vw_parse_uint, offsetof(struct sf_config, channels) },
                                         { "loop", vw_parse_bool, offsetof(struct sf_config, loop) },
                                         {} };

static void sf_init_config(void *config)
{
        struct sf_config *c = config;

        c->sample_format = VW_AUDIO_S16_LE;
        c->rate = 48000;
        c->channels = 2;
}

static bool is_flac(const struct vw_endpoint_ops *ops)
{
        return streq(ops->backend, "flac");
}

static void sf_check_common(const struct vw_section *s, const void *config, struct vw_errors *errs, bool flac)
{
        const struct sf_config *c = config;
        const struct vw_setting *st;

        if (c->rate < VW_AUDIO_RATE_MIN || c->rate > VW_AUDIO_RATE_MAX)
                vw_errors_add(errs, s->file, (st = vw_section_get(s, "rate")) ? st->line : s->line,
                              "rate: expected %u to %u, got %u", VW_AUDIO_RATE_MIN, VW_AUDIO_RATE_MAX, c->rate);
        if (c->channels < 1 || c->channels > VW_AUDIO_CHANNELS_MAX)
                vw_errors_add(errs, s->file, (st = vw_section_get(s, "channels")) ? st->line : s->line,
                              "channels: expected 1 to %u, got %u", VW_AUDIO_CHANNELS_MAX, c->channels);
        if (flac && c->sample_format != VW_AUDIO_S16_LE)
                vw_errors_add(errs, s->file, (st = vw_section_get(s, "sample-format")) ? st->line : s->line,
                              "sample-format: a FLAC file holds S16_LE here (use format = wav for %s)",
                              sample_formats[c->sample_format]);
        if (c->mode == SF_CAPTURE && (st = vw_section_get(s, "loop")))
                vw_errors_add(errs, s->file, st->line, "'loop' only applies to mode = replay");
}

static void wav_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        sf_check_common(s, config, errs, false);
}

static void flac_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        sf_check_common(s, config, errs, true);
}

static void sf_fail(struct vw_endpoint *ep, const char *what)
{
        struct sf_config *c = ep->config;
        struct sf_ep *f = ep->data;

        log_error("file %s: %s %s failed (%s), stopping", ep->name, what, c->path, sf_strerror(f->sf));
        f->error = -EIO;
        f->done = true;
        f->running = false;
        ep->state = VW_STATE_FAILED;
        if (f->timer)
                (void)sd_event_source_set_enabled(f->timer, SD_EVENT_OFF);
}

/* ---- capture ---- */

static sf_count_t write_frames(struct sf_ep *f, enum vw_audio_format fmt, const void *data, sf_count_t n)
{
        switch (fmt) {
        case VW_AUDIO_S16_LE:
                return sf_writef_short(f->sf, data, n);
        case VW_AUDIO_S32_LE:
                return sf_writef_int(f->sf, data, n);
        default:
                return sf_writef_float(f->sf, data, n);
        }
}

static void capture_flush(struct vw_endpoint *ep)
{
        struct sf_config *c = ep->config;
        struct sf_ep *f = ep->data;
        struct vw_chunk ch;

        if (f->error) {
                vw_sink_discard(f->sink);
                return;
        }
        while (vw_sink_peek(f->sink, &ch)) {
                size_t n = MIN((size_t)ch.len / f->frame_bytes, (size_t)STEP_FRAMES);

                if (ch.type != VW_CHUNK_BYTES || n == 0) {
                        /* not whole frames: a cable never sends these */
                        f->dropped += ch.len;
                        vw_port_count_dropped(ep->port, ch.len);
                        vw_sink_consume(f->sink, ch.len);
                        continue;
                }
                /* through buf: the samples must be aligned for libsndfile */
                memcpy(f->buf, ch.data, n * f->frame_bytes);
                if (write_frames(f, c->sample_format, f->buf, (sf_count_t)n) != (sf_count_t)n) {
                        sf_fail(ep, "writing to");
                        vw_sink_discard(f->sink);
                        return;
                }
                f->frames += n;
                vw_sink_consume(f->sink, n * f->frame_bytes);
        }
}

/* ---- replay ---- */

static sf_count_t read_frames(struct sf_ep *f, enum vw_audio_format fmt, void *data, sf_count_t n)
{
        switch (fmt) {
        case VW_AUDIO_S16_LE:
                return sf_readf_short(f->sf, data, n);
        case VW_AUDIO_S32_LE:
                return sf_readf_int(f->sf, data, n);
        default:
                return sf_readf_float(f->sf, data, n);
        }
}

static void replay_schedule(struct vw_endpoint *ep)
{
        struct sf_ep *f = ep->data;
        uint64_t now;

        (void)sd_event_now(vw_endpoint_event(ep), CLOCK_MONOTONIC, &now);
        (void)sd_event_source_set_time(f->timer, now);
        (void)sd_event_source_set_enabled(f->timer, SD_EVENT_ONESHOT);
}

/* 1: there are frames in buf; 0: stop (the end, or a failure) */
static int replay_fill(struct vw_endpoint *ep)
{
        struct sf_config *c = ep->config;
        struct sf_ep *f = ep->data;
        sf_count_t n = read_frames(f, c->sample_format, f->buf, STEP_FRAMES);

        if (n == 0 && c->loop && f->frames > 0 && sf_seek(f->sf, 0, SEEK_SET) == 0)
                n = read_frames(f, c->sample_format, f->buf, STEP_FRAMES);
        if (n < 0 || (n == 0 && sf_error(f->sf) != SF_ERR_NO_ERROR)) {
                sf_fail(ep, "reading");
                return 0;
        }
        if (n == 0) {
                log_info("file %s: replay of %s finished: %" PRIu64 " frames", ep->name, c->path, f->frames);
                f->done = true;
                f->running = false;
                ep->state = VW_STATE_CLOSED;
                return 0;
        }
        f->buf_len = (size_t)n * f->frame_bytes;
        f->buf_off = 0;
        return 1;
}

static void replay_run(struct vw_endpoint *ep)
{
        struct sf_ep *f = ep->data;

        if (f->done || !vw_port_has_outbound(ep->port)) {
                f->running = false;
                return;
        }
        f->running = true;
        for (unsigned i = 0; i < REPLAY_BATCH; i++) {
                size_t room, n;
                int r;

                if (f->buf_off == f->buf_len && replay_fill(ep) <= 0)
                        return;
                room = vw_port_room(ep->port);
                if (room == 0)
                        return; /* a block route is full: ep->room brings us back */
                /* Whole frames only, so the cable never gets half a sample. Room for less than
                 * a frame: write one anyway, so that the router says no (-EAGAIN) and marks the
                 * port blocked, or nothing would ever wake us (ARCHITECTURE.md, room wake-ups). */
                n = MAX(MIN(f->buf_len - f->buf_off, room) / f->frame_bytes * f->frame_bytes, (size_t)f->frame_bytes);
                r = vw_port_write(ep->port, VW_CHUNK_BYTES, f->buf + f->buf_off, n);
                if (r == -EAGAIN)
                        return;
                if (r < 0) {
                        sf_fail(ep, "routing the frames of");
                        return;
                }
                f->buf_off += n;
                f->frames += n / f->frame_bytes;
        }
        replay_schedule(ep); /* more to do: let the rest of the loop run first */
}

static int replay_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        replay_run(userdata);
        return 0;
}

static void sf_room(struct vw_endpoint *ep)
{
        struct sf_config *c = ep->config;

        /* not from inside the router's dispatch: from the loop */
        if (c->mode == SF_REPLAY)
                replay_schedule(ep);
}

/* ---- common ---- */

static void sf_ready(struct vw_sink *s, void *userdata)
{
        struct vw_endpoint *ep = userdata;
        struct sf_config *c = ep->config;

        if (c->mode == SF_CAPTURE)
                capture_flush(ep);
        else
                vw_sink_discard(s); /* a replay takes nothing in */
}

static void sf_routes_changed(struct vw_endpoint *ep)
{
        struct sf_config *c = ep->config;
        struct sf_ep *f = ep->data;

        if (f && c->mode == SF_REPLAY && !f->done && vw_port_has_outbound(ep->port) && !f->running)
                replay_schedule(ep);
}

static int sf_format(const struct vw_endpoint_ops *ops, const struct sf_config *c)
{
        static const int subtypes[] = { SF_FORMAT_PCM_16, SF_FORMAT_PCM_32, SF_FORMAT_FLOAT };

        return (is_flac(ops) ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | subtypes[c->sample_format];
}

/* A capture starts a new file: libsndfile rewrites the header in place, which O_APPEND would
 * turn into appends. */
static int capture_prepare_fd(struct vw_endpoint *ep, int fd)
{
        struct sf_config *c = ep->config;
        struct stat st;
        int fl = fcntl(fd, F_GETFL);

        if (fstat(fd, &st) < 0 || fl < 0)
                return log_error_errno(errno, "file %s: cannot stat %s", ep->name, c->path);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(ESPIPE, "file %s: %s must be a regular file for format = %s", ep->name, c->path,
                                       ep->ops->backend);
        if (fcntl(fd, F_SETFL, fl & ~O_APPEND) < 0 || ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                return log_error_errno(errno, "file %s: cannot start %s afresh", ep->name, c->path);
        return 0;
}

static int sf_open_file(struct vw_endpoint *ep)
{
        struct sf_config *c = ep->config;
        struct sf_ep *f = ep->data;
        SF_INFO info = {};
        int r;

        r = vw_file_open(ep, c->path, c->mode == SF_CAPTURE, false, &f->fd);
        if (r < 0)
                return r;
        if (c->mode == SF_CAPTURE) {
                r = capture_prepare_fd(ep, f->fd);
                if (r < 0)
                        return r;
                info = (SF_INFO){ .samplerate = (int)c->rate,
                                  .channels = (int)c->channels,
                                  .format = sf_format(ep->ops, c) };
        }
        f->sf = sf_open_fd(f->fd, c->mode == SF_CAPTURE ? SFM_WRITE : SFM_READ, &info, SF_FALSE);
        if (!f->sf)
                return log_error_errno(EINVAL, "file %s: %s: %s", ep->name, c->path, sf_strerror(NULL));
        if (c->mode == SF_CAPTURE && !is_flac(ep->ops))
                (void)sf_command(f->sf, SFC_SET_UPDATE_HEADER_AUTO, NULL, SF_TRUE);
        if (c->mode == SF_REPLAY && (info.samplerate != (int)c->rate || info.channels != (int)c->channels))
                return log_error_errno(EINVAL, "file %s: %s is %d Hz, %d channel(s); the section says %u Hz, %u",
                                       ep->name, c->path, info.samplerate, info.channels, c->rate, c->channels);
        return 0;
}

static int sf_start(struct vw_endpoint *ep)
{
        struct sf_config *c = ep->config;
        struct sf_ep *f;
        int r;

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->fd = -1;
        ep->data = f;
        f->frame_bytes = c->channels * vw_audio_format_bytes(c->sample_format);
        f->buf = malloc((size_t)STEP_FRAMES * f->frame_bytes);
        if (!f->buf)
                return -ENOMEM;
        r = sf_open_file(ep);
        if (r < 0)
                return r;
        r = vw_sink_new(ep->port, sf_ready, ep, &f->sink);
        if (r < 0)
                return log_error_errno(r, "file %s: cannot attach to the routes", ep->name);
        if (c->mode == SF_REPLAY) {
                r = sd_event_add_time(vw_endpoint_event(ep), &f->timer, CLOCK_MONOTONIC, 0, 1, replay_timer, ep);
                if (r < 0)
                        return log_error_errno(r, "file %s: cannot add a timer", ep->name);
                (void)sd_event_source_set_enabled(f->timer, SD_EVENT_OFF);
                ep->room = sf_room;
                sf_routes_changed(ep);
        }
        r = vw_endpoint_set_path(ep, c->path);
        if (r < 0)
                return r;
        ep->state = VW_STATE_ACTIVE;
        log_info("file %s: %s %s (%s, %s %u Hz %u ch)", ep->name, c->mode == SF_CAPTURE ? "capturing to" : "replaying",
                 c->path, ep->ops->backend, sample_formats[c->sample_format], c->rate, c->channels);
        return 0;
}

static void sf_stop(struct vw_endpoint *ep)
{
        struct sf_ep *f = ep->data;

        if (!f)
                return;
        sd_event_source_disable_unref(f->timer);
        vw_sink_free(f->sink);
        if (f->sf)
                sf_close(f->sf); /* writes a FLAC's last frames and a WAV's final header */
        safe_close(f->fd);
        free(f->buf);
        free(f);
        ep->data = NULL;
        ep->room = NULL;
}

static void sf_describe(struct vw_endpoint *ep, json_object *d)
{
        struct sf_config *c = ep->config;
        struct sf_ep *f = ep->data;

        json_object_object_add(d, "mode", json_object_new_string(sf_modes[c->mode]));
        json_object_object_add(d, "file", json_object_new_string(c->path));
        json_object_object_add(d, "format", json_object_new_string(ep->ops->backend));
        json_object_object_add(d, "sample_format", json_object_new_string(sample_formats[c->sample_format]));
        json_object_object_add(d, "rate", json_object_new_int64(c->rate));
        json_object_object_add(d, "channels", json_object_new_int64(c->channels));
        if (!f)
                return;
        json_object_object_add(d, c->mode == SF_CAPTURE ? "frames_written" : "frames_replayed",
                               json_object_new_int64((int64_t)f->frames));
        if (c->mode == SF_CAPTURE)
                json_object_object_add(d, "dropped_bytes", json_object_new_int64((int64_t)f->dropped));
        if (f->error)
                json_object_object_add(d, "error", json_object_new_string(strerror(-f->error)));
}

static char *sf_claim(const struct vw_section *s, const struct vw_setting **st)
{
        return vw_claim_setting(s, "path", st);
}

#define SNDFILE_OPS(fmt, check_fn)                                                                                \
        {                                                                                                         \
                .kind = "file", .backend = (fmt), .selector = "format", .keys = sf_keys,                          \
                .config_size = sizeof(struct sf_config), .init_config = sf_init_config, .check = (check_fn),      \
                .start = sf_start, .stop = sf_stop, .describe = sf_describe, .routes_changed = sf_routes_changed, \
                .claim = sf_claim,                                                                                \
        }

const struct vw_endpoint_ops vw_file_wav_ops = SNDFILE_OPS("wav", wav_check);
const struct vw_endpoint_ops vw_file_flac_ops = SNDFILE_OPS("flac", flac_check);
