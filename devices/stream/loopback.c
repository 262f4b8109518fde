/* SPDX-License-Identifier: MIT */
/*
 * [loopback NAME]: an endpoint with no device behind it.
 *  mode = echo    what its routes deliver goes straight back out into its routes, chunk by
 *                 chunk (same boundaries, same types). It takes a chunk only once every block
 *                 route has room for it, so nothing is lost under overflow = block.
 *                 `lines = loop` makes it a serial loopback plug for the modem lines too: the
 *                 line state a port sends it (its DTR and RTS, its line settings) comes straight
 *                 back, so the port sees RTS on CTS and DTR on DSR and DCD, as with the plugs
 *                 serial test suites expect.
 *  mode = sink    takes and discards everything (the router counts it as tx).
 *  mode = source  generates `pattern` over and over (zero bytes by default): byte i of the
 *                 stream is pattern[i % len]. `rate` bytes/s (0: as fast as the routes take it),
 *                 writes of up to `chunk` bytes, `count` bytes in all (0: no end). It generates
 *                 only while it has an outbound route; what is routed to it is dropped.
 *                 For audio cables: the default zero bytes are silence in every sample
 *                 format, and `tone = HZ` makes the pattern one period of a sine
 *                 (codecs/audio-mix.c) in `sample-format`, `sample-rate` and `channels`,
 *                 which must be the cable's; writes are then whole frames, and with `rate`
 *                 unset the cable's clock paces it through a block route.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio-mix.h"
#include "endpoint.h"
#include "log.h"
#include "pace.h"

#define SOURCE_CHUNK_DEFAULT (4u * 1024u)
#define SOURCE_CHUNK_MAX (64u * 1024u)
/* Writes per turn of the loop before a source yields to everything else. */
#define SOURCE_BATCH 16

enum { LOOPBACK_ECHO, LOOPBACK_SINK, LOOPBACK_SOURCE };

static const char *const loopback_modes[] = { "echo", "sink", "source", NULL };

enum { LINES_NONE, LINES_LOOP };

static const char *const lines_names[] = { "none", "loop", NULL };

static const char *const sample_formats[] = { "S16_LE", "S32_LE", "FLOAT_LE", NULL };

struct loopback_config {
        int mode;
        struct vw_bytes pattern;
        uint64_t rate;
        size_t chunk;
        size_t count;
        int lines;
        /* tone */
        unsigned tone; /* Hz; 0: the pattern */
        double level;  /* of full scale */
        int sample_format;
        unsigned sample_rate;
        unsigned channels;
};

struct loopback {
        struct vw_sink *sink;
        /* source */
        sd_event_source *timer;  /* run again: on the next turn of the loop, or when the rate allows */
        struct vw_pace pace;
        uint8_t *pattern;        /* the pattern repeated over chunk + len - 1 bytes */
        size_t pattern_len;
        size_t unit; /* bytes of one write are a multiple of it: a frame of a tone */
        uint64_t produced;
        bool running;            /* has an outbound route and is generating */
        bool done;               /* count reached, or failed */
        bool signalling;         /* lines = loop: sending a signal back (two plugs on one route) */
};

/* "0.5" of full scale, or "-6dB" (dBFS) */
static int parse_level(const char *v, void *dst, const struct vw_key *k, char **err)
{
        double *level = dst, x;
        char *end;

        errno = 0;
        x = strtod(v, &end);
        if (errno == 0 && end != v && streq(end, "dB") && x <= 0 && x >= -200)
                x = pow(10, x / 20);
        else if (errno || end == v || *end || !(x >= 0 && x <= 1))
                return vw_errorf(err, "expected a level from 0 to 1 or in dB up to 0 (\"0.5\", \"-6dB\"), got '%s'", v);
        *level = x;
        return 0;
}

static const struct vw_key loopback_keys[] = {
        { "mode", vw_parse_enum, offsetof(struct loopback_config, mode), loopback_modes, true },
        { "pattern", vw_parse_text, offsetof(struct loopback_config, pattern) },
        { "rate", vw_parse_rate, offsetof(struct loopback_config, rate) },
        { "chunk", vw_parse_size, offsetof(struct loopback_config, chunk) },
        { "count", vw_parse_size, offsetof(struct loopback_config, count) },
        { "lines", vw_parse_enum, offsetof(struct loopback_config, lines), lines_names },
        { "tone", vw_parse_uint, offsetof(struct loopback_config, tone) },
        { "level", parse_level, offsetof(struct loopback_config, level) },
        { "sample-format", vw_parse_enum, offsetof(struct loopback_config, sample_format), sample_formats },
        { "sample-rate", vw_parse_uint, offsetof(struct loopback_config, sample_rate) },
        { "channels", vw_parse_uint, offsetof(struct loopback_config, channels) },
        {}
};

static void loopback_init_config(void *config)
{
        struct loopback_config *c = config;

        c->chunk = SOURCE_CHUNK_DEFAULT;
        c->level = 0.5;
        c->sample_format = VW_AUDIO_S16_LE;
        c->sample_rate = 48000;
        c->channels = 2;
}

static bool key_in(const char *const *list, const char *key)
{
        for (; *list; list++)
                if (streq(*list, key))
                        return true;
        return false;
}

static void loopback_check(const struct vw_section *s, const void *config, struct vw_errors *errs)
{
        static const char *const source_keys[] = { "pattern", "rate",          "chunk",       "count",    "tone",
                                                   "level",   "sample-format", "sample-rate", "channels", NULL };
        static const char *const tone_keys[] = { "level", "sample-format", "sample-rate", "channels", NULL };
        const struct loopback_config *c = config;

        for (size_t i = 0; i < s->n_settings; i++) {
                const struct vw_setting *st = &s->settings[i];

                if (c->mode != LOOPBACK_SOURCE && key_in(source_keys, st->key))
                        vw_errors_add(errs, s->file, st->line, "'%s' only applies to mode = source", st->key);
                else if (c->mode != LOOPBACK_ECHO && streq(st->key, "lines"))
                        vw_errors_add(errs, s->file, st->line, "'lines' only applies to mode = echo");
                else if (streq(st->key, "chunk") && (c->chunk == 0 || c->chunk > SOURCE_CHUNK_MAX))
                        vw_errors_add(errs, s->file, st->line, "chunk: expected 1 to 64K bytes, got '%s'", st->value);
                else if (c->tone == 0 && key_in(tone_keys, st->key))
                        vw_errors_add(errs, s->file, st->line, "'%s' only applies with tone = HZ", st->key);
                else if (c->tone != 0 && streq(st->key, "pattern"))
                        vw_errors_add(errs, s->file, st->line, "'pattern' and 'tone': give one of them");
                else if (streq(st->key, "sample-rate") &&
                         (c->sample_rate < VW_AUDIO_RATE_MIN || c->sample_rate > VW_AUDIO_RATE_MAX))
                        vw_errors_add(errs, s->file, st->line, "sample-rate: expected %u to %u, got '%s'",
                                      VW_AUDIO_RATE_MIN, VW_AUDIO_RATE_MAX, st->value);
                else if (streq(st->key, "channels") && (c->channels < 1 || c->channels > VW_AUDIO_CHANNELS_MAX))
                        vw_errors_add(errs, s->file, st->line, "channels: expected 1 to %u, got '%s'",
                                      VW_AUDIO_CHANNELS_MAX, st->value);
                else if (streq(st->key, "tone") && c->mode == LOOPBACK_SOURCE &&
                         (c->tone == 0 || c->tone > c->sample_rate / 2))
                        vw_errors_add(errs, s->file, st->line,
                                      "tone: expected 1 to %u Hz (half the sample rate), got '%s'", c->sample_rate / 2,
                                      st->value);
        }
}

/* ---- echo and sink ---- */

static void echo_pump(struct vw_endpoint *ep)
{
        struct loopback *lb = ep->data;
        struct vw_chunk c;

        /* Bounded by what the inbound rings hold: nothing refills them while we run. */
        while (vw_sink_peek(lb->sink, &c)) {
                size_t n = c.len;
                int r = vw_port_write(ep->port, c.type, c.data, c.len);

                if (r == -EMSGSIZE && c.type == VW_CHUNK_BYTES) {
                        /* larger than some outbound ring can ever hold: a byte stream may go in pieces */
                        n = MIN(vw_port_room(ep->port), (size_t)c.len);
                        r = n > 0 ? vw_port_write(ep->port, c.type, c.data, n) : -EAGAIN;
                }
                if (r == -EAGAIN)
                        return; /* a block route is full: ep->room brings us back */
                if (r < 0) {
                        log_warning_errno(r, "loopback %s: dropping a %" PRIu32 "-byte %s chunk no route can hold",
                                          ep->name, c.len, vw_chunk_type_to_string(c.type));
                        vw_port_count_dropped(ep->port, c.len);
                        n = c.len;
                }
                vw_sink_consume(lb->sink, n);
        }
}

static void sink_drain(struct vw_endpoint *ep)
{
        struct loopback *lb = ep->data;
        struct vw_chunk c;

        while (vw_sink_peek(lb->sink, &c))
                vw_sink_consume(lb->sink, c.len);
}

/* ---- source ---- */

static void source_finish(struct vw_endpoint *ep, enum vw_endpoint_state state)
{
        struct loopback *lb = ep->data;

        lb->done = true;
        lb->running = false;
        ep->state = state;
        sd_event_source_set_enabled(lb->timer, SD_EVENT_OFF);
}

/*
 * Run again from the loop, at `usec` or (0) on its next turn. A time event rather than a
 * deferred one: sd-event ranks a deferred event by when it was created, so of several that keep
 * re-arming themselves one would starve the others; elapsed timers take turns.
 */
static void source_schedule(struct vw_endpoint *ep, uint64_t usec)
{
        struct loopback *lb = ep->data;

        if (usec == 0)
                (void)sd_event_now(vw_endpoint_event(ep), CLOCK_MONOTONIC, &usec);
        (void)sd_event_source_set_time(lb->timer, usec);
        (void)sd_event_source_set_enabled(lb->timer, SD_EVENT_ONESHOT);
}

static void source_run(struct vw_endpoint *ep)
{
        struct loopback_config *c = ep->config;
        struct loopback *lb = ep->data;
        uint64_t now;

        if (lb->done)
                return;
        if (!vw_port_has_outbound(ep->port)) {
                lb->running = false;
                return;
        }
        (void)sd_event_now(vw_endpoint_event(ep), CLOCK_MONOTONIC, &now);
        if (!lb->running) {
                lb->running = true;
                vw_pace_start(&lb->pace, now);
        }
        for (unsigned i = 0; i < SOURCE_BATCH; i++) {
                size_t left = c->count > 0 ? c->count - (size_t)lb->produced : SIZE_MAX;
                size_t room, allow, n;
                int r;

                if (left == 0) {
                        log_info("loopback %s: generated %" PRIu64 " bytes, done", ep->name, lb->produced);
                        source_finish(ep, VW_STATE_CLOSED);
                        return;
                }
                room = vw_port_room(ep->port);
                if (room == 0)
                        return; /* a block route is full: ep->room brings us back */
                allow = vw_pace_allow(&lb->pace, now);
                if (allow < vw_pace_want(&lb->pace, left)) {
                        source_schedule(ep, vw_pace_when(&lb->pace, vw_pace_want(&lb->pace, left)));
                        return;
                }
                n = MIN(MIN(c->chunk, room), MIN(allow, left));
                if (lb->unit > 1) {
                        /* whole frames only: a route that drops a write keeps the rest in step */
                        n -= n % lb->unit;
                        if (n == 0) {
                                if (room < lb->unit && !vw_port_has_room(ep->port, lb->unit))
                                        return; /* ep->room brings us back */
                                source_schedule(ep, vw_pace_when(&lb->pace, lb->unit));
                                return;
                        }
                }
                r = vw_port_write(ep->port, VW_CHUNK_BYTES, lb->pattern + lb->produced % lb->pattern_len, n);
                if (r == -EAGAIN)
                        return;
                if (r < 0) {
                        log_error_errno(r, "loopback %s: routes refused a %zu-byte chunk", ep->name, n);
                        source_finish(ep, VW_STATE_FAILED);
                        return;
                }
                vw_pace_take(&lb->pace, n);
                lb->produced += n;
        }
        source_schedule(ep, 0); /* more to do: let the rest of the loop run first */
}

static int source_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        source_run(userdata);
        return 0;
}

static int source_setup(struct vw_endpoint *ep)
{
        struct loopback_config *c = ep->config;
        struct loopback *lb = ep->data;
        const uint8_t *pattern = c->pattern.data;
        _cleanup_free_ uint8_t *tone = NULL;
        size_t len = c->pattern.len;
        int r;

        lb->unit = 1;
        if (c->tone != 0) {
                r = vw_audio_tone(c->sample_format, c->sample_rate, c->channels, c->tone, c->level, &tone, &len);
                if (r < 0)
                        return log_error_errno(r, "loopback %s: cannot make a %u Hz tone", ep->name, c->tone);
                pattern = tone;
                lb->unit = (size_t)c->channels * vw_audio_format_bytes(c->sample_format);
        }
        lb->pattern_len = len > 0 ? len : 1;
        lb->pattern = calloc(c->chunk + lb->pattern_len - 1, 1);
        if (!lb->pattern)
                return -ENOMEM;
        if (len > 0)
                for (size_t i = 0; i < c->chunk + lb->pattern_len - 1; i++)
                        lb->pattern[i] = pattern[i % len];
        vw_pace_init(&lb->pace, c->rate, c->chunk);

        r = sd_event_add_time(vw_endpoint_event(ep), &lb->timer, CLOCK_MONOTONIC, 0, 1, source_timer, ep);
        if (r < 0)
                return log_error_errno(r, "loopback %s: cannot add a timer", ep->name);
        sd_event_source_set_enabled(lb->timer, SD_EVENT_OFF);
        return 0;
}

/* ---- common ---- */

static void loopback_ready(struct vw_sink *s, void *userdata)
{
        struct vw_endpoint *ep = userdata;
        struct loopback_config *c = ep->config;

        switch (c->mode) {
        case LOOPBACK_ECHO:
                echo_pump(ep);
                break;
        case LOOPBACK_SINK:
                sink_drain(ep);
                break;
        default:
                vw_sink_discard(s); /* a source takes nothing in */
                break;
        }
}

static void loopback_room(struct vw_endpoint *ep)
{
        struct loopback_config *c = ep->config;

        if (c->mode == LOOPBACK_ECHO)
                echo_pump(ep);
        else if (c->mode == LOOPBACK_SOURCE)
                /* Not from here: we are inside the router's dispatch, and generating again at once
                 * would keep it busy (write, drain, room, write...) while I/O waits. */
                source_schedule(ep, 0);
}

/*
 * lines = loop: a port's modem outputs come back as its peer's outputs, and the router's
 * null-modem crossing (vw_serial_crossed: RTS -> CTS, DTR -> DSR + DCD) turns them into exactly
 * the plug's wiring. Line settings come back too, so the port's peer_line is its own. A signal
 * that arrives while we send one (another plug on the route) is not sent back again.
 */
static void loopback_signal(struct vw_endpoint *ep, const struct vw_signal *sig)
{
        struct loopback_config *c = ep->config;
        struct loopback *lb = ep->data;

        if (!lb || c->mode != LOOPBACK_ECHO || c->lines != LINES_LOOP || lb->signalling)
                return;
        if (sig->type != VW_SIGNAL_MODEM && sig->type != VW_SIGNAL_PARAMS)
                return;
        lb->signalling = true;
        vw_port_signal(ep->port, sig);
        lb->signalling = false;
}

static void loopback_routes_changed(struct vw_endpoint *ep)
{
        struct loopback_config *c = ep->config;
        struct loopback *lb = ep->data;

        if (!lb || c->mode != LOOPBACK_SOURCE || lb->done)
                return;
        if (vw_port_has_outbound(ep->port)) {
                if (!lb->running)
                        source_schedule(ep, 0);
        } else {
                lb->running = false;
                sd_event_source_set_enabled(lb->timer, SD_EVENT_OFF);
        }
}

static int loopback_start(struct vw_endpoint *ep)
{
        struct loopback_config *c = ep->config;
        struct loopback *lb;
        int r;

        lb = calloc(1, sizeof(*lb));
        if (!lb)
                return -ENOMEM;
        ep->data = lb;

        r = vw_sink_new(ep->port, loopback_ready, ep, &lb->sink);
        if (r < 0)
                return log_error_errno(r, "loopback %s: cannot attach to the routes", ep->name);
        if (c->mode == LOOPBACK_SOURCE) {
                r = source_setup(ep);
                if (r < 0)
                        return r;
                loopback_routes_changed(ep);
        }
        ep->room = loopback_room;
        ep->state = VW_STATE_ACTIVE;
        log_debug("loopback %s: %s", ep->name, loopback_modes[c->mode]);
        return 0;
}

static void loopback_stop(struct vw_endpoint *ep)
{
        struct loopback *lb = ep->data;

        if (!lb)
                return;
        sd_event_source_disable_unref(lb->timer);
        vw_sink_free(lb->sink);
        free(lb->pattern);
        free(lb);
        ep->data = NULL;
        ep->room = NULL;
}

static void loopback_describe(struct vw_endpoint *ep, json_object *d)
{
        struct loopback_config *c = ep->config;
        struct loopback *lb = ep->data;

        json_object_object_add(d, "mode", json_object_new_string(loopback_modes[c->mode]));
        if (c->mode == LOOPBACK_ECHO)
                json_object_object_add(d, "lines", json_object_new_string(lines_names[c->lines]));
        if (!lb)
                return;
        json_object_object_add(d, "pending", json_object_new_int64((int64_t)vw_sink_pending(lb->sink)));
        if (c->mode != LOOPBACK_SOURCE)
                return;
        json_object_object_add(d, "rate", json_object_new_int64((int64_t)c->rate));
        json_object_object_add(d, "chunk", json_object_new_int64((int64_t)c->chunk));
        json_object_object_add(d, "count", json_object_new_int64((int64_t)c->count));
        json_object_object_add(d, "pattern_len", json_object_new_int64((int64_t)c->pattern.len));
        if (c->tone != 0) {
                json_object_object_add(d, "tone", json_object_new_int64(c->tone));
                json_object_object_add(d, "level", json_object_new_double(c->level));
                json_object_object_add(d, "sample_format", json_object_new_string(sample_formats[c->sample_format]));
                json_object_object_add(d, "sample_rate", json_object_new_int64(c->sample_rate));
                json_object_object_add(d, "channels", json_object_new_int64(c->channels));
        }
        json_object_object_add(d, "generated", json_object_new_int64((int64_t)lb->produced));
        json_object_object_add(d, "generating", json_object_new_boolean(lb->running));
}

const struct vw_endpoint_ops vw_loopback_ops = {
        .kind = "loopback",
        .backend = "loopback",
        .selector = NULL,
        .keys = loopback_keys,
        .config_size = sizeof(struct loopback_config),
        .init_config = loopback_init_config,
        .check = loopback_check,
        .start = loopback_start,
        .stop = loopback_stop,
        .describe = loopback_describe,
        .routes_changed = loopback_routes_changed,
        .signal = loopback_signal,
};
