/* SPDX-License-Identifier: MIT */
/*
 * [audio NAME]: a virtual audio cable. ALSA programs reach it through the vwire plugin
 * (alsa/pcm_vwire.c) over a SOCK_SEQPACKET socket (audio-client.c); routes reach it through
 * the buffer core (raw PCM bytes in the cable's format).
 *
 * The cable is the clock. From CLOCK_MONOTONIC it computes how many frames are due since the
 * clock started (by elapsed time, so rounding never accumulates into drift), and on each tick
 * (one per `period`, or per several periods when every client can wait that long: see
 * cable_tick_frames()) moves exactly that many: it takes them from every running writer's ring
 * and from its routes, mixes them (saturating, codecs/audio-mix.c), and gives the mix to every
 * running reader's ring and to its routes. With no writer the readers get silence; with no
 * reader the writers' frames are consumed and discarded; either way at the cable's rate. A
 * writer with too little data counts an underrun, a reader with too little room an overrun;
 * that stream stops (the plugin reports -EPIPE, snd_pcm_prepare() recovers).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "audio-internal.h"
#include "audio-mix.h"
#include "config.h"
#include "log.h"
#include "policy.h"
#include "varlink.h"

#define DEFAULT_RATE 48000u
#define DEFAULT_CHANNELS 2u
#define DEFAULT_PERIOD 256u
#define DEFAULT_BUFFER 4096u
#define DEFAULT_MODE 0660
#define DEFAULT_MAX_CLIENTS 32u
#define ACCEPT_BATCH 8
/* A loop later than this many frames skips ahead instead of catching up in one burst. */
#define LATE_SECONDS 1

static const char *const format_names[] = { "S16_LE", "S32_LE", "FLOAT_LE", NULL };

/* "1024" frames or "20ms" */
static int parse_frames(const char *v, void *dst, const struct vw_key *k, char **err)
{
        struct audio_frames *f = dst;
        char *end;
        unsigned long n;

        errno = 0;
        n = strtoul(v, &end, 10);
        if (errno || end == v || n == 0 || n > 1000000 || (*end && strcmp(end, "ms") != 0))
                return vw_errorf(err, "expected a number of frames or milliseconds (\"1024\", \"20ms\"), got '%s'", v);
        *f = (struct audio_frames){ .n = (uint32_t)n, .ms = *end != '\0' };
        return 0;
}

static const struct vw_key audio_keys[] = {
        { "format", vw_parse_enum, offsetof(struct audio_config, format), format_names },
        { "rate", vw_parse_uint, offsetof(struct audio_config, rate) },
        { "channels", vw_parse_uint, offsetof(struct audio_config, channels) },
        { "period", parse_frames, offsetof(struct audio_config, period) },
        { "buffer", parse_frames, offsetof(struct audio_config, buffer) },
        { "socket", vw_parse_path, offsetof(struct audio_config, socket), .host = true },
        { "mode", vw_parse_mode, offsetof(struct audio_config, mode) },
        { "group", vw_parse_group, offsetof(struct audio_config, group), .host = true },
        { "max-clients", vw_parse_uint, offsetof(struct audio_config, max_clients) },
        {}
};

static void audio_init_config(void *config)
{
        struct audio_config *c = config;

        c->format = VW_AUDIO_S16_LE;
        c->rate = DEFAULT_RATE;
        c->channels = DEFAULT_CHANNELS;
        c->period = (struct audio_frames){ .n = DEFAULT_PERIOD };
        c->buffer = (struct audio_frames){ .n = DEFAULT_BUFFER };
        c->mode = DEFAULT_MODE;
        c->group = (gid_t)-1;
        c->max_clients = DEFAULT_MAX_CLIENTS;
}

static uint32_t to_frames(const struct audio_frames *f, unsigned rate)
{
        return f->ms ? (uint32_t)((uint64_t)f->n * rate / 1000) : f->n;
}

static unsigned line_of(const struct vw_section *s, const char *key)
{
        const struct vw_setting *st = vw_section_get(s, key);

        return st ? st->line : s->line;
}

static void audio_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        const struct audio_config *c = config;
        uint32_t period = to_frames(&c->period, c->rate), buffer = to_frames(&c->buffer, c->rate);
        uint64_t bytes = (uint64_t)buffer * c->channels * vw_audio_format_bytes(c->format);

        if (!vw_audio_name_is_valid(s->name))
                vw_errors_add(errs, s->file, s->line, "audio %s: a cable name is 1 to %d printable characters, no '/'",
                              s->name, VW_AUDIO_NAME_MAX);
        if (c->rate < VW_AUDIO_RATE_MIN || c->rate > VW_AUDIO_RATE_MAX)
                vw_errors_add(errs, s->file, line_of(s, "rate"), "rate: expected %u to %u, got %u", VW_AUDIO_RATE_MIN,
                              VW_AUDIO_RATE_MAX, c->rate);
        if (c->channels < 1 || c->channels > VW_AUDIO_CHANNELS_MAX)
                vw_errors_add(errs, s->file, line_of(s, "channels"), "channels: expected 1 to %u, got %u",
                              VW_AUDIO_CHANNELS_MAX, c->channels);
        if (period < 16 || period > VW_AUDIO_STEP_FRAMES)
                vw_errors_add(errs, s->file, line_of(s, "period"), "period: expected 16 to %u frames, got %" PRIu32,
                              VW_AUDIO_STEP_FRAMES, period);
        if (buffer < 2 * period || bytes > VW_AUDIO_RING_BYTES_MAX || buffer > 2 * c->rate)
                vw_errors_add(errs, s->file, line_of(s, "buffer"),
                              "buffer: expected at least two periods (%" PRIu32 " frames) and at most 2 s or %u MiB, "
                              "got %" PRIu32 " frames",
                              2 * period, VW_AUDIO_RING_BYTES_MAX >> 20, buffer);
        if (c->max_clients < 1)
                vw_errors_add(errs, s->file, line_of(s, "max-clients"), "max-clients: expected at least 1");
}

static char *audio_claim(const struct vw_section *s, const struct vw_setting **ret_setting)
{
        return vw_claim_setting(s, "socket", ret_setting);
}

/* ---- the clock ---- */

/* Frames due at `now`: by elapsed time from t0, never by adding up ticks. */
static uint64_t frames_due(const struct cable *cb, uint64_t now)
{
        return now <= cb->t0 ? 0 : (uint64_t)((unsigned __int128)(now - cb->t0) * cb->rate / 1000000u);
}

/* The time at which frame count `frames` falls due (rounded up, so it is due then). */
static uint64_t due_time(const struct cable *cb, uint64_t frames)
{
        return cb->t0 + (uint64_t)(((unsigned __int128)frames * 1000000u + cb->rate - 1) / cb->rate);
}

/* Copy n frames between a ring and a flat buffer, across the ring's end. */
static void ring_copy(struct audio_client *c, uint64_t pos, uint8_t *flat, uint32_t n, bool to_ring)
{
        unsigned fb = c->cb->frame_bytes;
        uint32_t at = (uint32_t)(pos % c->ring_frames), first = MIN(n, c->ring_frames - at);

        if (to_ring) {
                memcpy(c->ring + (size_t)at * fb, flat, (size_t)first * fb);
                memcpy(c->ring, flat + (size_t)first * fb, (size_t)(n - first) * fb);
        } else {
                memcpy(flat, c->ring + (size_t)at * fb, (size_t)first * fb);
                memcpy(flat + (size_t)first * fb, c->ring, (size_t)(n - first) * fb);
        }
}

static void client_stop_xrun(struct audio_client *c, uint64_t *counter)
{
        c->running = c->draining = false;
        c->xruns++;
        (*counter)++;
        __atomic_or_fetch(&c->shm->flags, VW_AUDIO_SHM_XRUN, __ATOMIC_RELEASE);
        audio_client_signal(c);
        log_debug("audio %s: %s of pid %" PRIu32 " (%s)", c->cb->ep->name,
                  c->stream == VW_AUDIO_PLAYBACK ? "underrun" : "overrun", c->pid, c->program);
}

/* One writer's n frames into the accumulator; true if it took part. */
static bool take_writer(struct audio_client *c, uint32_t n)
{
        struct cable *cb = c->cb;
        uint32_t have = c->ring_frames - audio_client_avail(c), take = MIN(have, n);
        uint64_t hw = c->shm->hw;

        /* mix through cb->mix: the ring may wrap inside these frames */
        ring_copy(c, hw, cb->mix, take, false);
        vw_audio_mix_add(cb->format, cb->acc, cb->mix, (size_t)take * cb->channels);
        c->frames += take;
        __atomic_store_n(&c->shm->hw, hw + take, __ATOMIC_RELEASE);
        if (take < n && c->draining) {
                c->running = c->draining = false;
                __atomic_or_fetch(&c->shm->flags, VW_AUDIO_SHM_DRAINED, __ATOMIC_RELEASE);
                audio_client_signal(c);
        } else if (take < n) {
                client_stop_xrun(c, &cb->underruns);
        } else if (audio_client_avail(c) >= __atomic_load_n(&c->shm->avail_min, __ATOMIC_ACQUIRE)) {
                audio_client_signal(c);
        }
        return take > 0 || c->running;
}

/* What routes bring: up to n frames of bytes, mixed like a writer; true if there was any. */
static bool take_routes(struct cable *cb, uint32_t n)
{
        size_t want = (size_t)n * cb->frame_bytes, got = 0;
        struct vw_chunk ch;

        if (!cb->sink || vw_sink_pending(cb->sink) == 0)
                return false;
        while (got < want && vw_sink_peek(cb->sink, &ch)) {
                size_t k = MIN((size_t)ch.len, want - got);

                if (ch.type != VW_CHUNK_BYTES) {
                        vw_sink_consume(cb->sink, ch.len); /* not audio: skipped whole */
                        continue;
                }
                memcpy(cb->mix + got, ch.data, k);
                got += k;
                vw_sink_consume(cb->sink, k);
        }
        memset(cb->mix + got, 0, want - got);
        vw_audio_mix_add(cb->format, cb->acc, cb->mix, (size_t)n * cb->channels);
        return got > 0;
}

static bool give_reader(struct audio_client *c, uint32_t n)
{
        struct cable *cb = c->cb;
        uint64_t hw = c->shm->hw;

        if (c->ring_frames - audio_client_avail(c) < n) {
                client_stop_xrun(c, &cb->overruns);
                return false;
        }
        ring_copy(c, hw, cb->mix, n, true);
        c->frames += n;
        __atomic_store_n(&c->shm->hw, hw + n, __ATOMIC_RELEASE);
        if (audio_client_avail(c) >= __atomic_load_n(&c->shm->avail_min, __ATOMIC_ACQUIRE))
                audio_client_signal(c);
        return true;
}

static bool give_routes(struct cable *cb, uint32_t n)
{
        size_t len = (size_t)n * cb->frame_bytes;
        int r;

        if (!vw_port_has_outbound(cb->ep->port))
                return false;
        r = vw_port_write(cb->ep->port, VW_CHUNK_BYTES, cb->mix, len);
        if (r < 0) {
                /* a full block route, or one smaller than a step: the audio cannot wait */
                cb->route_dropped += len;
                vw_port_count_dropped(cb->ep->port, len);
        }
        return true;
}

/* Move n (<= VW_AUDIO_STEP_FRAMES) frames through the cable. */
static void cable_step(struct cable *cb, uint32_t n)
{
        bool writers = false, readers = false;

        memset(cb->acc, 0, (size_t)n * cb->channels * sizeof(double));
        vw_list_for_each(l, &cb->clients) {
                struct audio_client *c = vw_list_entry(l, struct audio_client, link);

                if (c->running && c->stream == VW_AUDIO_PLAYBACK)
                        writers |= take_writer(c, n);
        }
        writers |= take_routes(cb, n);
        vw_audio_mix_out(cb->format, cb->acc, cb->mix, (size_t)n * cb->channels);

        vw_list_for_each(l, &cb->clients) {
                struct audio_client *c = vw_list_entry(l, struct audio_client, link);

                if (c->running && c->stream == VW_AUDIO_CAPTURE)
                        readers |= give_reader(c, n);
        }
        readers |= give_routes(cb, n);
        cb->frames += n;
        if (!writers)
                cb->silence_frames += n;
        else if (!readers)
                cb->discarded_frames += n;
}

static void cable_tick(struct cable *cb, uint64_t now)
{
        uint64_t due = frames_due(cb, now);

        if (due - cb->done > (uint64_t)cb->rate * LATE_SECONDS) {
                /* vwired was stopped or starved: skip, do not burst a second of audio at once */
                cb->late_ticks++;
                cb->done = due - cb->period;
        }
        while (cb->done < due) {
                uint32_t n = (uint32_t)MIN(due - cb->done, (uint64_t)VW_AUDIO_STEP_FRAMES);

                cable_step(cb, n);
                cb->done += n;
        }
        vw_endpoint_dispatch(cb->ep);
}

/*
 * Frames between two wake-ups of the clock. Waking once per period costs a context switch each
 * time, most of what a cable costs; a program only looks at its ring when avail_min frames are
 * there, so the clock may wait for half the smallest avail_min of the running clients (and a
 * quarter of their rings: a writer keeps time to refill, a late tick never takes what it has
 * not had the chance to write), in whole periods, at most one step.
 * With a route, which has no avail_min, it stays at the period.
 */
static uint32_t cable_tick_frames(struct cable *cb)
{
        uint32_t t = VW_AUDIO_STEP_FRAMES;

        if (vw_port_n_routes(cb->ep->port) > 0)
                return cb->period;
        vw_list_for_each(l, &cb->clients) {
                struct audio_client *c = vw_list_entry(l, struct audio_client, link);

                if (c->shm && c->running)
                        t = MIN(t, MIN(__atomic_load_n(&c->shm->avail_min, __ATOMIC_RELAXED) / 2, c->ring_frames / 4));
        }
        t = MAX(t, cb->period);
        return t - t % cb->period;
}

/* The next wake-up: `tick` frames after the last period boundary (from t0, so the schedule
 * never drifts with the loop's lateness). */
static uint64_t next_wakeup(struct cable *cb)
{
        return due_time(cb, cb->done / cb->period * cb->period + cb->tick);
}

static int cable_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct cable *cb = userdata;
        uint64_t now;

        (void)sd_event_now(vw_endpoint_event(cb->ep), CLOCK_MONOTONIC, &now);
        cable_tick(cb, now);
        cb->tick = cable_tick_frames(cb);
        (void)sd_event_source_set_time(s, next_wakeup(cb));
        return 0;
}

void cable_retime(struct cable *cb)
{
        uint64_t at = 0;

        if (!cb->ticking)
                return;
        cb->tick = cable_tick_frames(cb);
        /* sooner only: a client that needs frames more often than the clock now wakes */
        if (sd_event_source_get_time(cb->timer, &at) >= 0 && next_wakeup(cb) < at)
                (void)sd_event_source_set_time(cb->timer, next_wakeup(cb));
}

/* Anyone to clock for: a client past HELLO, or a route. */
static bool cable_needs_clock(struct cable *cb)
{
        if (vw_port_n_routes(cb->ep->port) > 0)
                return true;
        vw_list_for_each(l, &cb->clients)
                if (vw_list_entry(l, struct audio_client, link)->hello)
                        return true;
        return false;
}

void cable_update_clock(struct cable *cb)
{
        bool need = cb->timer && cable_needs_clock(cb);

        if (need == cb->ticking)
                return;
        cb->ticking = need;
        if (!need) {
                (void)sd_event_source_set_enabled(cb->timer, SD_EVENT_OFF);
                return;
        }
        (void)sd_event_now(vw_endpoint_event(cb->ep), CLOCK_MONOTONIC, &cb->t0);
        cb->done = 0;
        cb->tick = cable_tick_frames(cb);
        (void)sd_event_source_set_time(cb->timer, next_wakeup(cb));
        (void)sd_event_source_set_enabled(cb->timer, SD_EVENT_ON);
}

/* ---- the socket ---- */

static int listener_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct cable *cb = userdata;
        struct audio_config *cfg = cb->ep->config;

        for (unsigned i = 0; i < ACCEPT_BATCH; i++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                int r;

                if (cfd < 0) {
                        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                                log_warning_errno(errno, "audio %s: cannot accept", cb->ep->name);
                        return 0;
                }
                if (cb->n_clients >= cfg->max_clients) {
                        log_warning("audio %s: %u clients already, refusing one more", cb->ep->name, cb->n_clients);
                        close(cfd);
                        continue;
                }
                r = audio_client_new(cb, cfd);
                if (r < 0)
                        log_warning_errno(r, "audio %s: cannot take a client", cb->ep->name);
        }
        return 0;
}

static int cable_listen(struct cable *cb)
{
        struct vw_endpoint *ep = cb->ep;
        struct audio_config *cfg = ep->config;
        _cleanup_close_ int fd = -1;
        int r;

        if (strlen(cb->socket_path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path))
                return log_error_errno(ENAMETOOLONG, "audio %s: socket path %s is longer than 107 bytes", ep->name,
                                       cb->socket_path);
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(errno, "audio %s: cannot make a socket", ep->name);
        r = vw_endpoint_bind_unix(ep, fd, cb->socket_path, cfg->mode, (uid_t)-1, cfg->group, &cb->bound);
        if (r < 0)
                return r; /* it said why */
        if (listen(fd, 64) < 0)
                return log_error_errno(errno, "audio %s: cannot listen on %s", ep->name, cb->socket_path);
        r = sd_event_add_io(vw_endpoint_event(ep), &cb->listen_io, fd, EPOLLIN, listener_io, cb);
        if (r < 0)
                return log_error_errno(r, "audio %s: cannot watch its socket", ep->name);
        cb->listen_fd = TAKE_FD(fd);
        return 0;
}

/* ---- the endpoint ---- */

static void audio_ready(struct vw_sink *s, void *userdata)
{
        /* routed audio waits in the ring until the clock takes it */
}

static void audio_routes_changed(struct vw_endpoint *ep)
{
        if (ep->data) {
                cable_update_clock(ep->data);
                cable_retime(ep->data);
        }
}

static int cable_setup(struct cable *cb)
{
        struct vw_endpoint *ep = cb->ep;
        struct audio_config *cfg = ep->config;

        cb->format = cfg->format;
        cb->rate = cfg->rate;
        cb->channels = cfg->channels;
        cb->frame_bytes = cfg->channels * vw_audio_format_bytes(cb->format);
        cb->period = to_frames(&cfg->period, cfg->rate);
        cb->buffer = to_frames(&cfg->buffer, cfg->rate);
        cb->acc = calloc((size_t)VW_AUDIO_STEP_FRAMES * cb->channels, sizeof(double));
        cb->mix = calloc(VW_AUDIO_STEP_FRAMES, cb->frame_bytes);
        if (!cb->acc || !cb->mix)
                return -ENOMEM;
        if (cfg->socket)
                cb->socket_path = strdup(cfg->socket);
        else if (asprintf(&cb->socket_path, "%s/audio-%s.sock", vw_endpoint_runtime_dir(ep), ep->name) < 0)
                cb->socket_path = NULL;
        if (!cb->socket_path)
                return -ENOMEM;
        return 0;
}

static int audio_start(struct vw_endpoint *ep)
{
        struct audio_config *cfg = ep->config;
        struct cable *cb;
        int r;

        r = vw_policy_owner(ep, (uid_t)-1, cfg->group, cfg->mode);
        if (r < 0)
                return r;
        cb = calloc(1, sizeof(*cb));
        if (!cb)
                return -ENOMEM;
        ep->data = cb;
        cb->ep = ep;
        cb->listen_fd = -1;
        vw_list_init(&cb->clients);
        r = cable_setup(cb);
        if (r < 0)
                return log_error_errno(r, "audio %s: cannot set up", ep->name);
        r = vw_sink_new(ep->port, audio_ready, ep, &cb->sink);
        if (r < 0)
                return log_error_errno(r, "audio %s: cannot attach to the routes", ep->name);
        r = sd_event_add_time(vw_endpoint_event(ep), &cb->timer, CLOCK_MONOTONIC, 0, 1, cable_timer, cb);
        if (r < 0)
                return log_error_errno(r, "audio %s: cannot add its clock", ep->name);
        (void)sd_event_source_set_enabled(cb->timer, SD_EVENT_OFF);
        r = cable_listen(cb);
        if (r < 0)
                return r;
        r = vw_endpoint_set_path(ep, cb->socket_path);
        if (r < 0)
                return r;
        cable_update_clock(cb);
        ep->state = VW_STATE_ACTIVE;
        log_info("audio %s: %s %u Hz %u ch, period %" PRIu32 ", buffer %" PRIu32 " frames, on %s", ep->name,
                 vw_audio_format_to_string(cb->format), cb->rate, cb->channels, cb->period, cb->buffer,
                 cb->socket_path);
        return 0;
}

static void audio_stop(struct vw_endpoint *ep)
{
        struct cable *cb = ep->data;

        if (!cb)
                return;
        vw_list_for_each_safe(l, t, &cb->clients)
                audio_client_free(vw_list_entry(l, struct audio_client, link));
        sd_event_source_disable_unref(cb->listen_io);
        safe_close(cb->listen_fd);
        vw_endpoint_unmake(ep, cb->bound);
        sd_event_source_disable_unref(cb->timer);
        vw_sink_free(cb->sink);
        free(cb->socket_path);
        free(cb->acc);
        free(cb->mix);
        free(cb);
        ep->data = NULL;
}

static json_object *client_json(struct audio_client *c)
{
        json_object *o = json_object_new_object();
        const char *state = !c->shm ? "open" : c->draining ? "draining" : c->running ? "running" : "stopped";
        /* frames waiting in its ring: to be played, or to be read */
        uint32_t avail = audio_client_avail(c);
        uint32_t filled = c->stream == VW_AUDIO_PLAYBACK ? c->ring_frames - avail : avail;

        json_object_object_add(o, "stream",
                               json_object_new_string(c->stream == VW_AUDIO_PLAYBACK ? "playback" : "capture"));
        json_object_object_add(o, "pid", json_object_new_int64(c->pid));
        json_object_object_add(o, "program", json_object_new_string(c->program));
        json_object_object_add(o, "version", json_object_new_string(c->package));
        json_object_object_add(o, "state", json_object_new_string(state));
        json_object_object_add(o, "buffer", json_object_new_int64(c->ring_frames));
        json_object_object_add(o, "filled", json_object_new_int64(filled));
        json_object_object_add(o, "frames", json_object_new_int64((int64_t)c->frames));
        json_object_object_add(o, "xruns", json_object_new_int64((int64_t)c->xruns));
        return o;
}

static void add_u64(json_object *d, const char *key, uint64_t v)
{
        json_object_object_add(d, key, json_object_new_int64((int64_t)v));
}

static void audio_describe(struct vw_endpoint *ep, json_object *d)
{
        struct audio_config *cfg = ep->config;
        struct cable *cb = ep->data;
        json_object *clients;
        unsigned writers = 0, readers = 0;

        json_object_object_add(d, "format", json_object_new_string(format_names[cfg->format]));
        add_u64(d, "rate", cfg->rate);
        add_u64(d, "channels", cfg->channels);
        add_u64(d, "period", to_frames(&cfg->period, cfg->rate));
        add_u64(d, "buffer", to_frames(&cfg->buffer, cfg->rate));
        add_u64(d, "protocol", VW_AUDIO_PROTOCOL);
        if (!cb)
                return;
        json_object_object_add(d, "socket", json_object_new_string(cb->socket_path));
        clients = json_object_new_array();
        vw_list_for_each(l, &cb->clients) {
                struct audio_client *c = vw_list_entry(l, struct audio_client, link);

                if (!c->hello)
                        continue;
                if (c->stream == VW_AUDIO_PLAYBACK)
                        writers++;
                else
                        readers++;
                json_object_array_add(clients, client_json(c));
        }
        add_u64(d, "writers", writers);
        add_u64(d, "readers", readers);
        json_object_object_add(d, "clocked", json_object_new_boolean(cb->ticking));
        add_u64(d, "tick", cb->tick);
        add_u64(d, "frames", cb->frames);
        add_u64(d, "silence_frames", cb->silence_frames);
        add_u64(d, "discarded_frames", cb->discarded_frames);
        add_u64(d, "underruns", cb->underruns);
        add_u64(d, "overruns", cb->overruns);
        add_u64(d, "late_ticks", cb->late_ticks);
        add_u64(d, "route_dropped_bytes", cb->route_dropped);
        add_u64(d, "version_mismatches", cb->mismatches);
        json_object_object_add(d, "clients", clients);
}

static void audio_doctor(struct vw_endpoint *ep, json_object *checks)
{
        struct cable *cb = ep->data;

        if (!cb || cb->mismatches == 0) {
                vw_doctor_check_add(checks, "audio-protocol", "ok", ep->name, NULL,
                                    "audio %s: no plugin of another protocol version has connected (vwired speaks %d)",
                                    ep->name, VW_AUDIO_PROTOCOL);
                return;
        }
        vw_doctor_check_add(checks, "audio-protocol", "warn", ep->name,
                            "install the ALSA plugin (libasound_module_pcm_vwire.so) of the same vwire version as "
                            "vwired",
                            "audio %s: %" PRIu64
                            " connection(s) from %s; this vwired speaks audio protocol %d (vwire %s)",
                            ep->name, cb->mismatches, cb->mismatch, VW_AUDIO_PROTOCOL, VWIRE_VERSION);
}

const struct vw_endpoint_ops vw_audio_ops = {
        .kind = "audio",
        .backend = "cable",
        .selector = NULL,
        .keys = audio_keys,
        .config_size = sizeof(struct audio_config),
        .init_config = audio_init_config,
        .check = audio_check,
        .start = audio_start,
        .stop = audio_stop,
        .describe = audio_describe,
        .doctor = audio_doctor,
        .claim = audio_claim,
        .routes_changed = audio_routes_changed,
};
