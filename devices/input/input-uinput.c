/* SPDX-License-Identifier: MIT */
/*
 * [input NAME] backend = uinput: a virtual keyboard, mouse, absolute pointer, touchscreen,
 * gamepad or custom device made with libevdev's uinput API.
 *
 *  - into the device: one queue of frames (each ending with SYN_REPORT), fed by the control
 *    methods (vw_input_submit, with delays) and by routes (a sink of VW_CHUNK_EVENTS chunks,
 *    whose usec are a recording's timeline: frames are scheduled relative to the first). Due
 *    frames are written with one write() per batch; later ones wait for a timer. `pace` is the
 *    least time between two frames (1 ms for keyboards, so an evdev reader's small buffer keeps
 *    up with typed text); up to PACE_BURST frames go out at once before it applies (a key press
 *    and release in one write()). The sink is read only while the queue is short, so a fast route is
 *    held back by its ring, not buffered here without bound.
 *  - out of the device: what was written, and what the kernel passes to the device (LEDs,
 *    force feedback play/stop/gain, upload/erase requests as EV_UINPUT events), as
 *    VW_CHUNK_EVENTS chunks on the port, for routes and `vwirectl monitor`.
 *  - force feedback: the uinput fd is watched; UI_FF_UPLOAD / UI_FF_ERASE requests are answered
 *    at once (a client's EVIOCSFF blocks until then), the effects kept in input-ff.c.
 *  - stop: the queue is dropped, held keys and touches are released, pending requests answered,
 *    effects reported erased; then the device is destroyed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>
#include <linux/uinput.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evemu.h"
#include "input-ff.h"
#include "input-uinput.h"
#include "log.h"

#define WRITE_MAX 256u             /* events per write() */
#define QUEUE_LOW 4096u            /* read routes while fewer events than this wait */
#define QUEUE_MAX (1u << 20)       /* events the control methods may queue */
#define MAX_SLOTS 64u
#define NODE_WAIT_USEC (2u * 1000000u)
/* In the queue, a control frame's time is its delay after the frame before it was written. */
#define DUE_RELATIVE (1ULL << 63)
#define HELD_SOURCES 64u
/*
 * Frames the pace lets out at once (then one per pace). A keyboard frame is at most 8 events (a
 * character with Shift and AltGr, press or release), so 4 frames are 32 events: half of the 64
 * the kernel gives each evdev reader of a keyboard, the smallest buffer. A reader that keeps up
 * with one frame per pace never overflows, as before the burst.
 */
#define PACE_BURST 4u /* route clients whose held keys are tracked (socket max-clients: 64) */

/* What the device's state is (or will be): pressed keys and touch contacts. */
struct tracker {
        bool key[KEY_CNT];
        int slot;
        struct {
                int32_t id, x, y;
                uint64_t seq;
        } mt[MAX_SLOTS];
        uint64_t seq;
};

struct vw_input {
        struct vw_endpoint *ep;
        const struct vw_input_config *config;
        struct libevdev *dev;
        struct libevdev_uinput *ui;
        int fd;
        sd_event_source *io, *timer;
        sd_event_source *node_wait;  /* the event node has not appeared yet */
        uint64_t node_deadline;
        struct vw_sink *sink;

        /* the queue: usec of every event is its frame's due time (or DUE_RELATIVE | delay) */
        struct vw_input_event *q;
        size_t q_head, q_n, q_cap;
        uint64_t tail_due;
        uint64_t pace, last_emit;
        unsigned pace_tokens; /* frames the pace allows now (pace_refill()) */
        uint64_t pace_at;     /* when pace_tokens was last refilled */
        struct {
                bool valid;
                uint64_t src0, local0, last_src;
        } timeline;

        /* a route frame still waiting for its SYN_REPORT */
        struct vw_input_event partial[WRITE_MAX];
        size_t n_partial;

        /* keys each route client (a chunk's source tag, router.h) pressed and did not release */
        struct {
                uint16_t source; /* 0: a free entry */
                uint8_t keys[(KEY_CNT + 7) / 8];
        } held[HELD_SOURCES];

        struct tracker sent, queued;
        int32_t next_tracking_id;
        unsigned n_slots;

        struct vw_ff ff;
        bool led[LED_CNT];

        uint64_t events_written, frames_written, write_errors, route_events, route_dropped, route_released;
        bool warned_bytes, warned_write;
        struct input_event wbuf[WRITE_MAX];
        struct vw_input_event obuf[WRITE_MAX + 1];
};

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * The time of this loop wake-up (sd_event_now(): no clock read; where the clock is not in the
 * vDSO, as in the project's VM, each read is a system call, and this path made four per frame).
 * Frames are timed from when vwired woke: a delay or the pace counts from then, so a frame can
 * go out at most the length of one callback early; the pace's promise (no more than PACE_BURST
 * frames at once, then one per pace on average) is about rates, which this does not change.
 */
static uint64_t loop_now(const struct vw_input *in)
{
        uint64_t t;

        if (sd_event_now(vw_endpoint_event(in->ep), CLOCK_MONOTONIC, &t) < 0)
                return now_usec();
        return t;
}

static bool is_syn_report(const struct vw_input_event *e)
{
        return e->type == EV_SYN && e->code == SYN_REPORT;
}

/* ---- state tracking ---- */

static void tracker_init(struct tracker *t)
{
        memset(t, 0, sizeof(*t));
        for (size_t i = 0; i < MAX_SLOTS; i++)
                t->mt[i].id = -1;
}

static void tracker_observe(struct tracker *t, const struct vw_input_event *e)
{
        if (e->type == EV_KEY && e->code < KEY_CNT) {
                t->key[e->code] = e->value != 0;
                return;
        }
        if (e->type != EV_ABS)
                return;
        switch (e->code) {
        case ABS_MT_SLOT:
                if (e->value >= 0 && (unsigned)e->value < MAX_SLOTS)
                        t->slot = e->value;
                break;
        case ABS_MT_TRACKING_ID:
                if (e->value < 0) {
                        t->mt[t->slot].id = -1;
                } else {
                        if (t->mt[t->slot].id < 0)
                                t->mt[t->slot].seq = ++t->seq;
                        t->mt[t->slot].id = e->value;
                }
                break;
        case ABS_MT_POSITION_X:
                t->mt[t->slot].x = e->value;
                break;
        case ABS_MT_POSITION_Y:
                t->mt[t->slot].y = e->value;
                break;
        default:
                break;
        }
}

/* ---- output: the port ---- */

/* Events the device emitted (or was sent by the kernel) go to routes and monitors. */
static void port_out(struct vw_input *in, struct vw_input_event *ev, size_t n, uint64_t now)
{
        struct vw_port *p = in->ep->port;
        size_t len = n * sizeof(*ev);

        if (n == 0 || (!vw_port_has_outbound(p) && !vw_port_is_monitored(p)))
                return;
        for (size_t i = 0; i < n; i++)
                ev[i].usec = now;
        /* input is never held back for a slow capture: what does not fit is counted as dropped */
        if (vw_port_has_outbound(p) && vw_port_room(p) < len) {
                vw_port_count_dropped(p, len);
                return;
        }
        if (vw_port_write(p, VW_CHUNK_EVENTS, ev, len) < 0)
                vw_port_count_dropped(p, len);
}

/* ---- output: the device ---- */

static void write_events(struct vw_input *in, const struct vw_input_event *ev, size_t n, uint64_t now)
{
        while (n > 0) {
                size_t k = MIN(n, (size_t)WRITE_MAX);
                ssize_t w;

                for (size_t i = 0; i < k; i++)
                        in->wbuf[i] = (struct input_event){ .type = ev[i].type, .code = ev[i].code, .value = ev[i].value };
                do
                        w = write(in->fd, in->wbuf, k * sizeof(struct input_event));
                while (w < 0 && errno == EINTR);
                if (w < 0) {
                        in->write_errors++;
                        if (!in->warned_write)
                                log_warning_errno(errno, "input %s: cannot write to uinput", in->ep->name);
                        in->warned_write = true;
                } else {
                        for (size_t i = 0; i < k; i++) {
                                tracker_observe(&in->sent, &ev[i]);
                                in->frames_written += is_syn_report(&ev[i]);
                        }
                        in->events_written += k;
                        memcpy(in->obuf, ev, k * sizeof(*ev));
                        port_out(in, in->obuf, k, now);
                }
                ev += k;
                n -= k;
        }
}

/* ---- the queue ---- */

static size_t q_len(const struct vw_input *in)
{
        return in->q_n - in->q_head;
}

/* When the frame starting at q[i] is due, if the frame before it is written at `prev`. */
static uint64_t frame_due(const struct vw_input *in, size_t i, uint64_t prev)
{
        uint64_t u = in->q[i].usec;

        return u & DUE_RELATIVE ? prev + (u & ~DUE_RELATIVE) : u;
}

static int q_reserve(struct vw_input *in, size_t more)
{
        struct vw_input_event *nq;
        size_t cap;

        if (in->q_head > 0 && (in->q_head >= in->q_n / 2 || in->q_n + more > in->q_cap)) {
                memmove(in->q, in->q + in->q_head, q_len(in) * sizeof(*in->q));
                in->q_n -= in->q_head;
                in->q_head = 0;
        }
        if (in->q_n + more <= in->q_cap)
                return 0;
        cap = MAX(in->q_cap * 2, in->q_n + more);
        cap = MAX(cap, (size_t)1024);
        nq = realloc(in->q, cap * sizeof(*nq));
        if (!nq)
                return -ENOMEM;
        in->q = nq;
        in->q_cap = cap;
        return 0;
}

/* Append one frame (events up to and including its SYN_REPORT, or without it: one is added). */
static void q_frame(struct vw_input *in, const struct vw_input_event *ev, size_t n, uint64_t due)
{
        for (size_t i = 0; i < n; i++) {
                struct vw_input_event *e = &in->q[in->q_n++];

                *e = ev[i];
                e->usec = due;
                tracker_observe(&in->queued, e);
        }
        if (n == 0 || !is_syn_report(&ev[n - 1]))
                in->q[in->q_n++] = (struct vw_input_event){ .usec = due, .type = EV_SYN, .code = SYN_REPORT };
        in->tail_due = due;
}

static void arm_timer(struct vw_input *in, uint64_t when)
{
        if (when == 0) {
                (void)sd_event_source_set_enabled(in->timer, SD_EVENT_OFF);
                return;
        }
        (void)sd_event_source_set_time(in->timer, when);
        (void)sd_event_source_set_enabled(in->timer, SD_EVENT_ONESHOT);
}

static size_t pull_routes(struct vw_input *in);

/*
 * The pace as a bucket of PACE_BURST frames that refills by one frame per `pace`: a key press and
 * release, or a short combination, go out at once (the evdev reader's buffer takes them), and
 * only longer runs of frames are paced. Returns the frames that may be written now.
 */
static unsigned pace_refill(struct vw_input *in, uint64_t now)
{
        uint64_t k;

        if (in->pace_tokens >= PACE_BURST || in->pace_at == 0) {
                in->pace_tokens = PACE_BURST;
                in->pace_at = now;
                return in->pace_tokens;
        }
        k = (now - in->pace_at) / in->pace;
        if (k > 0) {
                in->pace_tokens = (unsigned)MIN((uint64_t)PACE_BURST, in->pace_tokens + k);
                in->pace_at = in->pace_tokens == PACE_BURST ? now : in->pace_at + k * in->pace;
        }
        return in->pace_tokens;
}

/* Write every frame that is due; arm the timer for the next one. */
static void dispatch(struct vw_input *in)
{
        uint64_t wake = 0;

        for (;;) {
                uint64_t now = loop_now(in);

                while (q_len(in) > 0) {
                        const struct vw_input_event *first = &in->q[in->q_head];
                        uint64_t due = frame_due(in, in->q_head, in->last_emit > 0 ? in->last_emit : now);
                        size_t end = in->q_head;

                        if (due > now) {
                                wake = due;
                                break;
                        }
                        if (in->pace > 0 && pace_refill(in, now) == 0) {
                                wake = in->pace_at + in->pace;
                                break;
                        }
                        /* whole frames: all that are due and the pace allows, about WRITE_MAX at a time */
                        while (end < in->q_n) {
                                size_t f = end;

                                while (f < in->q_n && !is_syn_report(&in->q[f]))
                                        f++;
                                if (f == in->q_n)
                                        f--;
                                if (end > in->q_head && f + 1 - in->q_head > WRITE_MAX)
                                        break;
                                end = f + 1;
                                if (in->pace > 0 && --in->pace_tokens == 0)
                                        break;
                                if (end < in->q_n && frame_due(in, end, now) > now)
                                        break;
                        }
                        write_events(in, first, end - in->q_head, now);
                        in->q_head = end;
                        in->last_emit = now;
                        wake = 0;
                }
                if (q_len(in) < QUEUE_LOW && in->sink && pull_routes(in) > 0)
                        continue;
                break;
        }
        if (q_len(in) == 0)
                in->q_head = in->q_n = 0;
        arm_timer(in, q_len(in) > 0 ? wake : 0);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        dispatch(userdata);
        return 0;
}

static void release_held(struct vw_endpoint *ep)
{
        dispatch(vw_input_of(ep));
}

int vw_input_submit(struct vw_input *in, const struct vw_input_event *ev, size_t n, bool hold)
{
        uint64_t now = loop_now(in);
        size_t frames = 0, done = 0;
        int r;

        if (n == 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                frames += is_syn_report(&ev[i]);
        if (q_len(in) + n + frames + 1 > QUEUE_MAX)
                return -EBUSY;
        r = q_reserve(in, n + 1);
        if (r < 0)
                return r;
        while (done < n) {
                size_t end = done;
                uint64_t base = MAX(now, in->tail_due);

                while (end < n && !is_syn_report(&ev[end]))
                        end++;
                end = MIN(end + 1, n);
                /* kept relative: a late timer does not shorten the next delay */
                q_frame(in, ev + done, end - done, DUE_RELATIVE | ev[done].usec);
                in->tail_due = base + ev[done].usec;
                done = end;
        }
        /* paced devices keep their own timing; an unpaced one may write a turn's calls at once */
        if (hold && in->pace == 0)
                vw_endpoint_hold(in->ep, release_held);
        else
                dispatch(in);
        return (int)n;
}

uint64_t vw_input_busy_usec(const struct vw_input *in)
{
        uint64_t now = loop_now(in);

        if (q_len(in) == 0)
                return 0;
        return in->tail_due > now ? in->tail_due - now + in->pace : in->pace;
}

/* ---- routes into the device ---- */

/* When a route frame whose timeline stamp is `usec` is due. */
static uint64_t route_due(struct vw_input *in, uint64_t usec, uint64_t now)
{
        uint64_t base = MAX(now, in->tail_due), due;

        /* 0, a first frame, or time going backwards (a new recording) starts a timeline */
        if (usec == 0 || !in->timeline.valid || usec < in->timeline.last_src) {
                in->timeline.valid = true;
                in->timeline.src0 = usec;
                in->timeline.local0 = base;
        }
        in->timeline.last_src = usec;
        due = in->timeline.local0 + (usec - in->timeline.src0);
        return MAX(due, in->tail_due);
}

/* Only what a device emits is replayed; LEDs, sounds and force feedback go the other way. */
static bool route_event_ok(const struct vw_input_event *e)
{
        switch (e->type) {
        case EV_SYN:
        case EV_KEY:
        case EV_REL:
        case EV_ABS:
        case EV_MSC:
        case EV_SW:
                return true;
        default:
                return false;
        }
}

static int held_find(struct vw_input *in, uint16_t source, bool make)
{
        int free_slot = -1;

        for (unsigned i = 0; i < HELD_SOURCES; i++) {
                if (in->held[i].source == source)
                        return (int)i;
                if (in->held[i].source == 0 && free_slot < 0)
                        free_slot = (int)i;
        }
        if (!make || free_slot < 0)
                return -1;
        memset(in->held[free_slot].keys, 0, sizeof(in->held[free_slot].keys));
        in->held[free_slot].source = source;
        return free_slot;
}

/* Who holds which key: a press is its client's, a release (by anyone) frees the key for all. */
static void held_observe(struct vw_input *in, uint16_t source, const struct vw_input_event *e)
{
        int i;

        if (e->type != EV_KEY || e->code >= KEY_CNT)
                return;
        if (e->value == 0) {
                for (unsigned k = 0; k < HELD_SOURCES; k++)
                        in->held[k].keys[e->code / 8] &= (uint8_t) ~(1u << (e->code % 8));
                return;
        }
        if (source == 0 || e->value != 1)
                return;
        i = held_find(in, source, true);
        if (i >= 0)
                vw_bit_set(in->held[i].keys, e->code);
}

/* A route frame is complete: queue it at the time its timeline says. */
static void route_commit(struct vw_input *in, uint64_t now)
{
        uint64_t due;

        if (in->n_partial == 0)
                return;
        if (q_reserve(in, in->n_partial + 1) < 0) {
                in->route_dropped += in->n_partial;
                in->n_partial = 0;
                return;
        }
        due = route_due(in, in->partial[0].usec, now);
        q_frame(in, in->partial, in->n_partial, due);
        in->route_events += in->n_partial;
        in->n_partial = 0;
}

/* The route client with this source tag is gone: release what it still holds down. */
static void route_hangup(struct vw_input *in, uint16_t source, uint64_t now)
{
        struct vw_input_event ev[WRITE_MAX];
        size_t n = 0;
        int i = held_find(in, source, false);

        if (source == 0 || i < 0)
                return;
        route_commit(in, now); /* what it sent of an open frame goes first, as a whole frame */
        for (unsigned k = 0; k < KEY_CNT; k++) {
                if (!vw_bit_test(in->held[i].keys, k) || !in->queued.key[k])
                        continue;
                if (n + 2 > ELEMENTSOF(ev))
                        break;
                ev[n++] = (struct vw_input_event){ .type = EV_KEY, .code = (uint16_t)k, .value = 0 };
        }
        in->held[i].source = 0;
        if (n == 0 || q_reserve(in, n + 1) < 0)
                return;
        ev[n++] = (struct vw_input_event){ .type = EV_SYN, .code = SYN_REPORT };
        log_info("input %s: a route client left with %zu key%s down: released", in->ep->name, n - 1, n == 2 ? "" : "s");
        q_frame(in, ev, n, MAX(now, in->tail_due));
        in->route_released += n - 1;
}

/*
 * Events of a chunk. A chunk may end inside a frame (byte-stream converters emit what they
 * have): the open frame waits here for its SYN_REPORT, so a control injection cannot split it.
 * Codes the device does not have are refused (the kernel would drop them without a word).
 */
static void route_chunk(struct vw_input *in, const struct vw_chunk *c, uint64_t now)
{
        size_t n = c->len / sizeof(struct vw_input_event);

        for (size_t i = 0; i < n; i++) {
                struct vw_input_event e;

                memcpy(&e, c->data + i * sizeof(e), sizeof(e));
                if (!route_event_ok(&e) || !vw_input_has(in, e.type, e.code)) {
                        in->route_dropped++;
                        continue;
                }
                held_observe(in, c->flags, &e);
                if (in->n_partial == ELEMENTSOF(in->partial))
                        route_commit(in, now);  /* a frame this long is cut (a SYN_REPORT is added) */
                in->partial[in->n_partial++] = e;
                if (is_syn_report(&e))
                        route_commit(in, now);
        }
}

static size_t pull_routes(struct vw_input *in)
{
        uint64_t now = loop_now(in);
        struct vw_chunk c;
        size_t pulled = 0;

        while (q_len(in) < QUEUE_LOW && vw_sink_peek(in->sink, &c)) {
                if (c.type == VW_CHUNK_EVENTS) {
                        route_chunk(in, &c, now);
                } else if (c.type == VW_CHUNK_LINE) {
                        struct vw_line_event le;

                        if (c.len == sizeof(le)) {
                                memcpy(&le, c.data, sizeof(le));
                                if (le.type == VW_LINE_HANGUP)
                                        route_hangup(in, c.flags, now);
                        }
                } else {
                        if (!in->warned_bytes)
                                log_warning("input %s: a route delivers %s, not input events; give the route "
                                            "convert = text-to-keys, evemu-to-events or wire-to-events",
                                            in->ep->name, vw_chunk_type_to_string((enum vw_chunk_type)c.type));
                        in->warned_bytes = true;
                        vw_port_count_dropped(in->ep->port, c.len);
                }
                vw_sink_consume(in->sink, c.len);
                pulled++;
        }
        return pulled;
}

static void on_sink_ready(struct vw_sink *s, void *userdata)
{
        dispatch(userdata);
}

/* ---- from the kernel: LEDs, force feedback ---- */

static void ff_upload(struct vw_input *in, int32_t request, struct vw_input_event *out, size_t *n_out)
{
        struct uinput_ff_upload up = { .request_id = (uint32_t)request };
        char desc[192];

        if (ioctl(in->fd, UI_BEGIN_FF_UPLOAD, &up) < 0) {
                log_warning_errno(errno, "input %s: UI_BEGIN_FF_UPLOAD", in->ep->name);
                return;
        }
        up.retval = vw_ff_upload(&in->ff, &up.effect);
        if (ioctl(in->fd, UI_END_FF_UPLOAD, &up) < 0)
                log_warning_errno(errno, "input %s: UI_END_FF_UPLOAD", in->ep->name);
        if (up.retval < 0)
                return;
        vw_ff_effect_describe(&up.effect, desc, sizeof(desc));
        log_info("input %s: force feedback effect %d uploaded: %s", in->ep->name, up.effect.id, desc);
        out[(*n_out)++] = (struct vw_input_event){ .type = EV_UINPUT, .code = UI_FF_UPLOAD, .value = up.effect.id };
}

static void ff_erase(struct vw_input *in, int32_t request, struct vw_input_event *out, size_t *n_out)
{
        struct uinput_ff_erase er = { .request_id = (uint32_t)request };

        if (ioctl(in->fd, UI_BEGIN_FF_ERASE, &er) < 0) {
                log_warning_errno(errno, "input %s: UI_BEGIN_FF_ERASE", in->ep->name);
                return;
        }
        er.retval = 0;
        (void)vw_ff_erase(&in->ff, (int)er.effect_id);
        if (ioctl(in->fd, UI_END_FF_ERASE, &er) < 0)
                log_warning_errno(errno, "input %s: UI_END_FF_ERASE", in->ep->name);
        log_info("input %s: force feedback effect %u erased", in->ep->name, er.effect_id);
        out[(*n_out)++] = (struct vw_input_event){ .type = EV_UINPUT, .code = UI_FF_ERASE, .value = (int32_t)er.effect_id };
}

/* Read what the kernel passed to the device; answer requests. */
static void read_uinput(struct vw_input *in)
{
        struct input_event buf[64];
        struct vw_input_event out[ELEMENTSOF(buf) + 1];

        for (unsigned rounds = 0; rounds < 64; rounds++) {
                uint64_t now;
                size_t n_out = 0;
                ssize_t n = read(in->fd, buf, sizeof(buf));

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                log_warning_errno(errno, "input %s: read from uinput", in->ep->name);
                        return;
                }
                if (n < (ssize_t)sizeof(buf[0]))
                        return;
                now = loop_now(in);
                for (size_t i = 0; i < (size_t)n / sizeof(buf[0]); i++) {
                        const struct input_event *e = &buf[i];

                        switch (e->type) {
                        case EV_UINPUT:
                                if (e->code == UI_FF_UPLOAD)
                                        ff_upload(in, e->value, out, &n_out);
                                else if (e->code == UI_FF_ERASE)
                                        ff_erase(in, e->value, out, &n_out);
                                continue;
                        case EV_FF:
                                vw_ff_event(&in->ff, e->code, e->value, now);
                                log_debug("input %s: force feedback %s %d", in->ep->name,
                                          e->code == FF_GAIN ? "gain" : e->value ? "play" : "stop", e->value);
                                break;
                        case EV_LED:
                                if (e->code < LED_CNT)
                                        in->led[e->code] = e->value != 0;
                                break;
                        case EV_SND:
                        case EV_REP:
                                break;
                        default:
                                /* EV_MSC and the like: the kernel echoing what we wrote */
                                continue;
                        }
                        out[n_out++] = (struct vw_input_event){ .type = e->type, .code = e->code, .value = e->value };
                }
                if (n_out > 0) {
                        out[n_out++] = (struct vw_input_event){ .type = EV_SYN, .code = SYN_REPORT };
                        port_out(in, out, n_out, now);
                }
        }
}

static int on_uinput(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        read_uinput(userdata);
        return 0;
}

/* ---- lifecycle ---- */

static bool input_available(void)
{
        return access("/dev/uinput", R_OK | W_OK) == 0;
}

/* devtmpfs makes the node before UI_DEV_CREATE returns; for slower setups the start completes
 * when it appears (polled every millisecond from the loop, at most NODE_WAIT_USEC). */
static int node_state(const char *node)
{
        struct stat st;

        if (stat(node, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        return S_ISCHR(st.st_mode) ? 1 : -ENOTTY;
}

static int input_finish(struct vw_input *in)
{
        struct vw_endpoint *ep = in->ep;
        const char *node = libevdev_uinput_get_devnode(in->ui);
        int r;

        in->node_wait = sd_event_source_disable_unref(in->node_wait);
        r = vw_endpoint_set_path(ep, node);
        if (r < 0)
                return r;
        ep->state = VW_STATE_ACTIVE;
        log_info("input %s: %s \"%s\" at %s", ep->name,
                 vw_input_profile_to_string((enum vw_input_profile)in->config->profile), libevdev_get_name(in->dev),
                 node);
        return 0;
}

static int on_node_wait(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct vw_input *in = userdata;
        const char *node = libevdev_uinput_get_devnode(in->ui);
        int r = node_state(node);
        char why[256];

        if (r == 0 && usec < in->node_deadline) {
                (void)sd_event_source_set_time(s, usec + 1000);
                (void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return 0;
        }
        if (r > 0)
                r = input_finish(in);
        else if (r == 0)
                r = -ETIMEDOUT;
        if (r < 0) {
                snprintf(why, sizeof(why), "%s did not appear: %s", node, strerror(-r));
                log_error("input %s: %s", in->ep->name, why);
                in->ep->state = VW_STATE_FAILED;
        }
        vw_endpoint_started(in->ep, r, r < 0 ? why : NULL);
        return 0;
}

static int input_start(struct vw_endpoint *ep)
{
        const struct vw_input_config *c = ep->config;
        struct vw_input *in;
        const char *node;
        int r;

        in = calloc(1, sizeof(*in));
        if (!in)
                return -ENOMEM;
        in->ep = ep;
        in->config = c;
        in->fd = -1;
        if (c->allow_sysrq && !vw_caller_is_root(ep->section->caller)) {
                free(in);
                return log_error_errno(EPERM, "input %s: uid %u may not set allow-sysrq (rule: SysRq is for "
                                       "config files and root only)", ep->name, (unsigned)ep->section->caller->uid);
        }
        in->pace = vw_input_config_pace(c);
        tracker_init(&in->sent);
        tracker_init(&in->queued);
        vw_ff_init(&in->ff);
        ep->data = in;

        r = vw_input_build_device(c, ep->name, &in->dev);
        if (r < 0)
                return log_error_errno(r, "input %s: cannot describe the device", ep->name);
        if (libevdev_has_event_code(in->dev, EV_ABS, ABS_MT_SLOT))
                in->n_slots = MIN((unsigned)libevdev_get_abs_maximum(in->dev, ABS_MT_SLOT) + 1, MAX_SLOTS);

        in->fd = open("/dev/uinput", O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (in->fd < 0)
                return log_error_errno(errno, "input %s: cannot open /dev/uinput (is the uinput module loaded, "
                                       "and may vwired open it?)", ep->name);
        /* libevdev does not pass phys on; set it before the device is created */
        if (ioctl(in->fd, UI_SET_PHYS, libevdev_get_phys(in->dev)) < 0)
                log_warning_errno(errno, "input %s: cannot set phys", ep->name);
        r = libevdev_uinput_create_from_device(in->dev, in->fd, &in->ui);
        if (r < 0)
                return log_error_errno(r, "input %s: cannot create the uinput device", ep->name);
        node = libevdev_uinput_get_devnode(in->ui);
        if (!node)
                return log_error_errno(ENODEV, "input %s: the device has no event node", ep->name);
        r = node_state(node);
        if (r < 0)
                return log_error_errno(r, "input %s: %s did not appear", ep->name, node);
        /* VWIRE_TEST_DEFER_START=1 (tests only): take the loop's path although the node is there */
        if (r == 0 || getenv("VWIRE_TEST_DEFER_START")) {
                in->node_deadline = now_usec() + NODE_WAIT_USEC;
                r = sd_event_add_time(vw_endpoint_event(ep), &in->node_wait, CLOCK_MONOTONIC, now_usec() + 1000, 0,
                                      on_node_wait, in);
                if (r < 0)
                        return log_error_errno(r, "input %s: cannot add a timer", ep->name);
        }

        r = sd_event_add_io(vw_endpoint_event(ep), &in->io, in->fd, EPOLLIN, on_uinput, in);
        if (r < 0)
                return log_error_errno(r, "input %s: cannot watch uinput", ep->name);
        r = sd_event_add_time(vw_endpoint_event(ep), &in->timer, CLOCK_MONOTONIC, 0, 1, on_timer, in);
        if (r < 0)
                return log_error_errno(r, "input %s: cannot add a timer", ep->name);
        (void)sd_event_source_set_enabled(in->timer, SD_EVENT_OFF);
        r = vw_sink_new(ep->port, on_sink_ready, in, &in->sink);
        if (r < 0)
                return r;
        vw_sink_set_accept_line(in->sink, true); /* a route client's VW_LINE_HANGUP */
        if (in->node_wait) {
                ep->state = VW_STATE_STARTING;
                return VW_START_PENDING;
        }
        return input_finish(in);
}

/* Release what is held: keys and buttons, touch contacts. */
static void release_all(struct vw_input *in)
{
        struct vw_input_event ev[WRITE_MAX];
        uint64_t now = loop_now(in);
        size_t n = 0;

        for (unsigned s = 0; s < MAX_SLOTS; s++) {
                if (in->sent.mt[s].id < 0)
                        continue;
                if (n + 3 > ELEMENTSOF(ev))
                        break;
                ev[n++] = (struct vw_input_event){ .type = EV_ABS, .code = ABS_MT_SLOT, .value = (int32_t)s };
                ev[n++] = (struct vw_input_event){ .type = EV_ABS, .code = ABS_MT_TRACKING_ID, .value = -1 };
        }
        for (unsigned k = 0; k < KEY_CNT; k++) {
                if (!in->sent.key[k])
                        continue;
                if (n + 2 > ELEMENTSOF(ev)) {
                        ev[n++] = (struct vw_input_event){ .type = EV_SYN, .code = SYN_REPORT };
                        write_events(in, ev, n, now);
                        n = 0;
                }
                ev[n++] = (struct vw_input_event){ .type = EV_KEY, .code = (uint16_t)k, .value = 0 };
        }
        if (n == 0)
                return;
        ev[n++] = (struct vw_input_event){ .type = EV_SYN, .code = SYN_REPORT };
        log_info("input %s: releasing what is still held", in->ep->name);
        write_events(in, ev, n, now);
}

static void input_stop(struct vw_endpoint *ep)
{
        struct vw_input *in = ep->data;

        if (!in)
                return;
        if (in->ui) {
                struct vw_input_event out[VW_FF_SLOTS + 1];
                size_t n = 0;

                if (q_len(in) > 0)
                        log_notice("input %s: %zu queued events not written", ep->name, q_len(in));
                in->q_head = in->q_n = 0;
                release_all(in);
                /* answer requests still pending, then report every effect erased */
                read_uinput(in);
                for (int i = 0; i < VW_FF_SLOTS; i++)
                        if (vw_ff_erase(&in->ff, i) == 0)
                                out[n++] = (struct vw_input_event){ .type = EV_UINPUT, .code = UI_FF_ERASE, .value = i };
                if (n > 0) {
                        out[n++] = (struct vw_input_event){ .type = EV_SYN, .code = SYN_REPORT };
                        port_out(in, out, n, loop_now(in));
                }
                libevdev_uinput_destroy(in->ui);
        }
        sd_event_source_disable_unref(in->io);
        sd_event_source_disable_unref(in->timer);
        sd_event_source_disable_unref(in->node_wait);
        vw_sink_free(in->sink);
        safe_close(in->fd);
        libevdev_free(in->dev);
        free(in->q);
        free(in);
        ep->data = NULL;
}

/* ---- describe ---- */

static json_object *code_names(unsigned type, const struct libevdev *d, unsigned max)
{
        json_object *a = json_object_new_array();

        for (unsigned i = 0; i <= max; i++)
                if (libevdev_has_event_code(d, type, i)) {
                        const char *n = libevdev_event_code_get_name(type, i);
                        json_object_array_add(a, n ? json_object_new_string(n) : json_object_new_int((int)i));
                }
        return a;
}

static json_object *abs_json(const struct libevdev *d)
{
        json_object *o = json_object_new_object();

        for (unsigned i = 0; i < ABS_CNT; i++) {
                const struct input_absinfo *a;
                json_object *x;

                if (!libevdev_has_event_code(d, EV_ABS, i))
                        continue;
                a = libevdev_get_abs_info(d, i);
                x = json_object_new_object();
                json_object_object_add(x, "min", json_object_new_int(a->minimum));
                json_object_object_add(x, "max", json_object_new_int(a->maximum));
                json_object_object_add(x, "fuzz", json_object_new_int(a->fuzz));
                json_object_object_add(x, "flat", json_object_new_int(a->flat));
                json_object_object_add(x, "resolution", json_object_new_int(a->resolution));
                json_object_object_add(o, libevdev_event_code_get_name(EV_ABS, i) ?: "ABS_?", x);
        }
        return o;
}

static void input_describe(struct vw_endpoint *ep, json_object *d)
{
        struct vw_input *in = ep->data;
        const struct vw_input_config *c = ep->config;
        json_object *dev, *caps, *held = json_object_new_array(), *contacts = json_object_new_array(), *leds, *props;
        char id[8];
        unsigned n_keys = 0;

        if (!in || !in->ui) {
                json_object_put(held);
                json_object_put(contacts);
                return;
        }
        dev = json_object_new_object();
        json_object_object_add(dev, "name", json_object_new_string(libevdev_get_name(in->dev)));
        json_object_object_add(dev, "phys", json_object_new_string(libevdev_get_phys(in->dev)));
        json_object_object_add(dev, "devnode", json_object_new_string(libevdev_uinput_get_devnode(in->ui)));
        json_object_object_add(dev, "syspath", libevdev_uinput_get_syspath(in->ui)
                                                       ? json_object_new_string(libevdev_uinput_get_syspath(in->ui))
                                                       : NULL);
        json_object_object_add(dev, "bus", json_object_new_string(vw_input_bus_to_string(libevdev_get_id_bustype(in->dev)) ?: "other"));
        snprintf(id, sizeof(id), "0x%04x", (unsigned)libevdev_get_id_vendor(in->dev));
        json_object_object_add(dev, "vendor", json_object_new_string(id));
        snprintf(id, sizeof(id), "0x%04x", (unsigned)libevdev_get_id_product(in->dev));
        json_object_object_add(dev, "product", json_object_new_string(id));
        snprintf(id, sizeof(id), "0x%04x", (unsigned)libevdev_get_id_version(in->dev));
        json_object_object_add(dev, "version", json_object_new_string(id));
        json_object_object_add(d, "device", dev);
        json_object_object_add(d, "profile", json_object_new_string(vw_input_profile_to_string((enum vw_input_profile)c->profile)));
        json_object_object_add(d, "layout", json_object_new_string(c->layout ? c->layout : "us"));
        json_object_object_add(d, "pace_usec", json_object_new_int64((int64_t)in->pace));

        caps = json_object_new_object();
        for (unsigned i = 0; i < KEY_CNT; i++)
                n_keys += libevdev_has_event_code(in->dev, EV_KEY, i);
        /* a keyboard's 248 key names would drown the rest */
        json_object_object_add(caps, "keys", n_keys <= 32 ? code_names(EV_KEY, in->dev, KEY_MAX)
                                                          : json_object_new_int((int)n_keys));
        json_object_object_add(caps, "rel", code_names(EV_REL, in->dev, REL_MAX));
        json_object_object_add(caps, "abs", abs_json(in->dev));
        props = json_object_new_array();
        for (unsigned i = 0; i < INPUT_PROP_CNT; i++)
                if (libevdev_has_property(in->dev, i))
                        json_object_array_add(props, json_object_new_string(libevdev_property_get_name(i) ?: "?"));
        json_object_object_add(caps, "props", props);
        json_object_object_add(caps, "ff", code_names(EV_FF, in->dev, FF_MAX));
        json_object_object_add(d, "capabilities", caps);

        for (unsigned k = 0; k < KEY_CNT; k++)
                if (in->sent.key[k])
                        json_object_array_add(held, json_object_new_string(libevdev_event_code_get_name(EV_KEY, k) ?: "?"));
        json_object_object_add(d, "held", held);
        for (unsigned s = 0; s < in->n_slots; s++) {
                json_object *t;

                if (in->sent.mt[s].id < 0)
                        continue;
                t = json_object_new_object();
                json_object_object_add(t, "slot", json_object_new_int((int)s));
                json_object_object_add(t, "tracking_id", json_object_new_int(in->sent.mt[s].id));
                json_object_object_add(t, "x", json_object_new_int(in->sent.mt[s].x));
                json_object_object_add(t, "y", json_object_new_int(in->sent.mt[s].y));
                json_object_array_add(contacts, t);
        }
        json_object_object_add(d, "contacts", contacts);
        if (libevdev_has_event_type(in->dev, EV_LED)) {
                leds = json_object_new_array();
                for (unsigned i = 0; i < LED_CNT; i++)
                        if (in->led[i])
                                json_object_array_add(leds, json_object_new_string(libevdev_event_code_get_name(EV_LED, i) ?: "?"));
                json_object_object_add(d, "leds_on", leds);
        }
        json_object_object_add(d, "queued_events", json_object_new_int64((int64_t)q_len(in)));
        json_object_object_add(d, "busy_usec", json_object_new_int64((int64_t)vw_input_busy_usec(in)));
        json_object_object_add(d, "events_written", json_object_new_int64((int64_t)in->events_written));
        json_object_object_add(d, "frames_written", json_object_new_int64((int64_t)in->frames_written));
        json_object_object_add(d, "route_events", json_object_new_int64((int64_t)in->route_events));
        json_object_object_add(d, "route_events_refused", json_object_new_int64((int64_t)in->route_dropped));
        json_object_object_add(d, "route_keys_released", json_object_new_int64((int64_t)in->route_released));
        json_object_object_add(d, "write_errors", json_object_new_int64((int64_t)in->write_errors));
        if (libevdev_has_event_type(in->dev, EV_FF))
                json_object_object_add(d, "ff", vw_ff_to_json(&in->ff, loop_now(in)));
}

/* ---- for the control methods ---- */

struct vw_input *vw_input_of(struct vw_endpoint *ep)
{
        return ep && ep->ops == &vw_input_uinput_ops ? ep->data : NULL;
}

const struct vw_input_config *vw_input_config(const struct vw_input *in)
{
        return in->config;
}

bool vw_input_has(const struct vw_input *in, unsigned type, unsigned code)
{
        if (type == EV_SYN)
                return true;
        return libevdev_has_event_code(in->dev, type, code);
}

const struct input_absinfo *vw_input_absinfo(const struct vw_input *in, unsigned code)
{
        return libevdev_has_event_code(in->dev, EV_ABS, code) ? libevdev_get_abs_info(in->dev, code) : NULL;
}

unsigned vw_input_n_slots(const struct vw_input *in)
{
        return in->n_slots;
}

bool vw_input_slot_active(const struct vw_input *in, unsigned slot)
{
        return slot < MAX_SLOTS && in->queued.mt[slot].id >= 0;
}

void vw_input_slot_position(const struct vw_input *in, unsigned slot, int32_t *x, int32_t *y)
{
        *x = slot < MAX_SLOTS ? in->queued.mt[slot].x : 0;
        *y = slot < MAX_SLOTS ? in->queued.mt[slot].y : 0;
}

unsigned vw_input_n_contacts(const struct vw_input *in)
{
        unsigned n = 0;

        for (unsigned s = 0; s < MAX_SLOTS; s++)
                n += in->queued.mt[s].id >= 0;
        return n;
}

int vw_input_oldest_slot(const struct vw_input *in, int except)
{
        int best = -1;

        for (unsigned s = 0; s < MAX_SLOTS; s++)
                if ((int)s != except && in->queued.mt[s].id >= 0 &&
                    (best < 0 || in->queued.mt[s].seq < in->queued.mt[best].seq))
                        best = (int)s;
        return best;
}

int32_t vw_input_new_tracking_id(struct vw_input *in)
{
        const struct input_absinfo *a = vw_input_absinfo(in, ABS_MT_TRACKING_ID);
        int32_t max = a && a->maximum > 0 ? a->maximum : 65535;
        int32_t id = in->next_tracking_id;

        in->next_tracking_id = id >= max ? 0 : id + 1;
        return id;
}

static int input_evemu_description(struct vw_endpoint *ep, char **ret, size_t *ret_len)
{
        struct vw_input *in = ep->data;
        _cleanup_free_ struct vw_evemu_device *d = NULL;

        if (!in || !in->dev)
                return -ENODEV;
        d = malloc(sizeof(*d));
        if (!d)
                return -ENOMEM;
        vw_evemu_device_init(d);
        snprintf(d->name, sizeof(d->name), "%s", libevdev_get_name(in->dev));
        d->bustype = (uint16_t)libevdev_get_id_bustype(in->dev);
        d->vendor = (uint16_t)libevdev_get_id_vendor(in->dev);
        d->product = (uint16_t)libevdev_get_id_product(in->dev);
        d->version = (uint16_t)libevdev_get_id_version(in->dev);
        for (unsigned p = 0; p < INPUT_PROP_CNT && p < 64; p++)
                if (libevdev_has_property(in->dev, p))
                        vw_bit_set(d->props, p);
        for (unsigned type = 1; type < EV_CNT; type++) {
                int max = libevdev_event_type_get_max(type);

                if (!libevdev_has_event_type(in->dev, type) || max < 0)
                        continue;
                for (unsigned code = 0; code <= (unsigned)max; code++)
                        if (libevdev_has_event_code(in->dev, type, code))
                                (void)vw_evemu_set_code(d, type, code);
        }
        for (unsigned code = 0; code < ABS_CNT; code++)
                if (libevdev_has_event_code(in->dev, EV_ABS, code))
                        d->abs[code] = *libevdev_get_abs_info(in->dev, code);
        return vw_evemu_format_device(d, ret, ret_len);
}

static void input_doctor_host(json_object *checks, bool in_use)
{
        vw_doctor_device_node(checks, "uinput", "uinput ([input] devices)", "/dev/uinput", "uinput", in_use);
}

const struct vw_endpoint_ops vw_input_uinput_ops = {
        .kind = "input",
        .backend = "uinput",
        .selector = "backend",
        .is_default = true,
        .keys = vw_input_keys,
        .config_size = sizeof(struct vw_input_config),
        .init_config = vw_input_init_config,
        .check = vw_input_check_config,
        .available = input_available,
        .start = input_start,
        .stop = input_stop,
        .describe = input_describe,
        .doctor_host = input_doctor_host,
        .evemu_description = input_evemu_description,
        .methods = vw_input_methods,
};
