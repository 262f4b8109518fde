/* SPDX-License-Identifier: MIT */
/*
 * vwirectl's input commands: key, type, pointer, abs, touch, gamepad, event. Each is one call
 * of an io.vwire input method (see io.vwire.varlink); codes travel by name and vwired resolves
 * them against the device. A reply's busy_usec says how long the device still writes what was
 * queued (typing with --delay/--hold); vwirectl waits that long before it exits, so
 * `vwirectl type kbd text && next-command` runs next-command after the text was typed
 * (--no-wait returns at once).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "log.h"
#include "output.h"

#if HAVE_UINPUT
#include <libevdev/libevdev.h>
#endif

#include "input-event.h"

static struct {
        const char *layout;
        int64_t delay_ms, hold_ms;
        bool no_wait;
        bool given;  /* --layout, --delay or --hold */
} opts = { .delay_ms = -1, .hold_ms = -1 };

static int parse_ms(const char *what, const char *s, int64_t *ret)
{
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (!*s || *end || errno || v < 0 || v > 60000) {
                log_error("%s: expected milliseconds from 0 to 60000, not '%s'", what, s);
                return CTL_ERR_USAGE;
        }
        *ret = v;
        return 0;
}

int input_set_option(const char *name, const char *value)
{
        if (streq(name, "no-wait")) {
                opts.no_wait = true;
                return 0;
        }
        opts.given = true;
        if (streq(name, "layout")) {
                opts.layout = value;
                return 0;
        }
        if (streq(name, "delay"))
                return parse_ms("--delay", value, &opts.delay_ms);
        if (streq(name, "hold"))
                return parse_ms("--hold", value, &opts.hold_ms);
        return CTL_ERR_USAGE;
}

bool input_options_given(void)
{
        return opts.given;
}

/*
 * getopt takes "-5" for an option. Numbers are arguments here ("pointer mouse move 10 -5"), so
 * main() hides them before getopt (pointing past the '-') and restores them after.
 */
void input_protect_numbers(int argc, char **argv)
{
        for (int i = 1; i < argc; i++)
                if (argv[i][0] == '-' && isdigit((unsigned char)argv[i][1]))
                        argv[i]++;
}

void input_restore_numbers(int argc, char **argv, char **orig, int n_orig)
{
        /* getopt only permuted the pointers: find each hidden one again */
        for (int i = 1; i < argc; i++)
                for (int k = 1; k < n_orig; k++)
                        if (orig[k][0] == '-' && isdigit((unsigned char)orig[k][1]) && argv[i] == orig[k] + 1)
                                argv[i] = orig[k];
}

/* ---- arguments ---- */

static int parse_int(const char *what, const char *s, int64_t *ret)
{
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 0);
        if (!*s || *end || errno || v < INT32_MIN || v > INT32_MAX) {
                log_error("%s: expected an integer, not '%s'", what, s);
                return CTL_ERR_USAGE;
        }
        *ret = v;
        return 0;
}

static json_object *request(const char *name)
{
        json_object *p = json_object_new_object();

        if (p)
                json_object_object_add(p, "name", json_object_new_string(name));
        return p;
}

static int add_int_arg(json_object *p, const char *key, const char *what, const char *s)
{
        int64_t v;
        int r = parse_int(what, s, &v);

        if (r < 0)
                return r;
        json_object_object_add(p, key, json_object_new_int64(v));
        return 0;
}

static int usage(const char *text)
{
        log_error("usage: vwirectl %s", text);
        return CTL_ERR_USAGE;
}

/* Call, print with --json, and wait until the device wrote what was queued. */
static int call(struct ctl *c, const char *method, json_object *params)
{
        _cleanup_json_ json_object *reply = NULL, *p = params;
        int64_t busy = 0;
        int r;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        json_object_get(p);  /* ctl_call takes one reference; the name is needed below */
        r = ctl_call(c, method, p, false, &reply, NULL);
        if (r < 0)
                return r;
        if (c->json)
                print_json(stdout, reply);
        if (opts.no_wait || !ctl_get_int(reply, "busy_usec", &busy))
                return 0;
        (void)fflush(stdout);
        /*
         * busy_usec is vwired's estimate; ask again until the device's queue is empty. The wait is
         * a poll() of the connection, not a sleep: vwired says nothing between calls, so anything
         * there (its end of the connection closing, above all) ends the wait at once and the Show
         * call below reports it.
         */
        for (unsigned i = 0; busy > 0 && i < 1000; i++) {
                _cleanup_json_ json_object *show = NULL;
                json_object *d = NULL, *q;
                struct pollfd pfd = { .fd = c->fd, .events = POLLIN | POLLRDHUP };
                int ms = (int)MIN((busy + 999) / 1000, (int64_t)INT_MAX);

                while (poll(&pfd, 1, ms) < 0 && errno == EINTR)
                        ;
                q = json_object_new_object();
                if (!q)
                        return log_error_errno(ENOMEM, "cannot build the request");
                json_object_object_add(q, "name", json_object_new_string(ctl_get_string(p, "name")));
                r = ctl_call(c, VW_INTERFACE ".Show", q, false, &show, NULL);
                if (r < 0)
                        return r;
                if (!json_object_object_get_ex(show, "endpoint", &d) || !json_object_object_get_ex(d, "details", &d) ||
                    !ctl_get_int(d, "busy_usec", &busy))
                        break;
                busy = MIN(busy, (int64_t)100000);
        }
        return 0;
}

/* ---- commands ---- */

/* key NAME COMBO [tap|press|release] [--hold MS] */
int verb_key(struct ctl *c, int argc, char **argv)
{
        json_object *p = request(argv[1]);

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        json_object_object_add(p, "combo", json_object_new_string(argv[2]));
        if (argc > 3)
                json_object_object_add(p, "action", json_object_new_string(argv[3]));
        if (opts.hold_ms >= 0)
                json_object_object_add(p, "hold_ms", json_object_new_int64(opts.hold_ms));
        if (opts.layout || opts.delay_ms >= 0) {
                json_object_put(p);
                return usage("key NAME COMBO [tap|press|release] [--hold MS]");
        }
        return call(c, VW_INTERFACE ".Key", p);
}

static char *read_stdin(void)
{
        size_t len = 0, cap = 0;
        char *buf = NULL;

        for (;;) {
                size_t n;

                if (cap - len < 4096) {
                        char *nb = realloc(buf, cap + 65536);
                        if (!nb) {
                                free(buf);
                                return NULL;
                        }
                        buf = nb;
                        cap += 65536;
                }
                n = fread(buf + len, 1, cap - len - 1, stdin);
                len += n;
                if (n == 0)
                        break;
        }
        buf[len] = 0;
        return buf;
}

/* type NAME TEXT|- [--layout L] [--delay MS] [--hold MS] */
int verb_type(struct ctl *c, int argc, char **argv)
{
        _cleanup_free_ char *in = NULL;
        const char *text = argv[2];
        json_object *p;

        if (streq(text, "-")) {
                in = read_stdin();
                if (!in)
                        return log_error_errno(ENOMEM, "cannot read stdin");
                text = in;
        }
        p = request(argv[1]);
        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        json_object_object_add(p, "text", json_object_new_string(text));
        if (opts.layout)
                json_object_object_add(p, "layout", json_object_new_string(opts.layout));
        if (opts.delay_ms >= 0)
                json_object_object_add(p, "delay_ms", json_object_new_int64(opts.delay_ms));
        if (opts.hold_ms >= 0)
                json_object_object_add(p, "hold_ms", json_object_new_int64(opts.hold_ms));
        return call(c, VW_INTERFACE ".Type", p);
}

/* pointer NAME move DX DY | click [BUTTON [COUNT]] | press BUTTON | release BUTTON | scroll V [H] */
int verb_pointer(struct ctl *c, int argc, char **argv)
{
        static const char use[] = "pointer NAME move DX DY | click [BUTTON [COUNT]] | press BUTTON | "
                                  "release BUTTON | scroll AMOUNT [HORIZONTAL]";
        const char *action = argv[2];
        _cleanup_json_ json_object *p = request(argv[1]);
        int r = 0;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        json_object_object_add(p, "action", json_object_new_string(action));
        if (streq(action, "move")) {
                if (argc != 5)
                        return usage(use);
                r = add_int_arg(p, "x", "DX", argv[3]);
                if (r >= 0)
                        r = add_int_arg(p, "y", "DY", argv[4]);
        } else if (streq(action, "click")) {
                if (argc > 5)
                        return usage(use);
                if (argc > 3)
                        json_object_object_add(p, "button", json_object_new_string(argv[3]));
                if (argc > 4)
                        r = add_int_arg(p, "count", "COUNT", argv[4]);
        } else if (streq(action, "press") || streq(action, "release")) {
                if (argc != 4)
                        return usage(use);
                json_object_object_add(p, "button", json_object_new_string(argv[3]));
        } else if (streq(action, "scroll")) {
                if (argc < 4 || argc > 5)
                        return usage(use);
                r = add_int_arg(p, "amount", "AMOUNT", argv[3]);
                if (r >= 0 && argc > 4)
                        r = add_int_arg(p, "horizontal", "HORIZONTAL", argv[4]);
        } else {
                return usage(use);
        }
        if (r < 0)
                return r;
        return call(c, VW_INTERFACE ".Pointer", TAKE_PTR(p));
}

/* abs NAME X Y [AXIS=VALUE...] */
int verb_abs(struct ctl *c, int argc, char **argv)
{
        _cleanup_json_ json_object *p = request(argv[1]);
        json_object *axes = NULL;
        int r;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        r = add_int_arg(p, "x", "X", argv[2]);
        if (r >= 0)
                r = add_int_arg(p, "y", "Y", argv[3]);
        for (int i = 4; r >= 0 && i < argc; i++) {
                const char *eq = strchr(argv[i], '=');
                _cleanup_free_ char *axis = NULL;
                int64_t v;

                if (!eq || eq == argv[i])
                        return usage("abs NAME X Y [AXIS=VALUE...]");
                axis = strndup(argv[i], (size_t)(eq - argv[i]));
                r = parse_int(axis ? axis : "axis", eq + 1, &v);
                if (r < 0)
                        return r;
                if (!axes) {
                        axes = json_object_new_object();
                        json_object_object_add(p, "axes", axes);
                }
                json_object_object_add(axes, axis, json_object_new_int64(v));
        }
        if (r < 0)
                return r;
        return call(c, VW_INTERFACE ".Abs", TAKE_PTR(p));
}

/* touch NAME down SLOT X Y | move SLOT X Y | up SLOT */
int verb_touch(struct ctl *c, int argc, char **argv)
{
        static const char use[] = "touch NAME down SLOT X Y | move SLOT X Y | up SLOT";
        const char *action = argv[2];
        _cleanup_json_ json_object *p = request(argv[1]);
        int r;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        if ((streq(action, "down") || streq(action, "move")) ? argc != 6 : !streq(action, "up") || argc != 4)
                return usage(use);
        json_object_object_add(p, "action", json_object_new_string(action));
        r = add_int_arg(p, "slot", "SLOT", argv[3]);
        if (r >= 0 && argc == 6) {
                r = add_int_arg(p, "x", "X", argv[4]);
                if (r >= 0)
                        r = add_int_arg(p, "y", "Y", argv[5]);
        }
        if (r < 0)
                return r;
        return call(c, VW_INTERFACE ".Touch", TAKE_PTR(p));
}

/* gamepad NAME stick left|right X Y | button BUTTON [press|release|tap] | trigger left|right VALUE | hat X Y|DIRECTION */
int verb_gamepad(struct ctl *c, int argc, char **argv)
{
        static const char use[] = "gamepad NAME stick left|right X Y | button BUTTON [press|release|tap] | "
                                  "trigger left|right VALUE | hat X Y | hat up|down|left|right|center";
        static const struct {
                const char *name;
                int x, y;
        } hats[] = {
                { "center", 0, 0 }, { "up", 0, -1 }, { "down", 0, 1 }, { "left", -1, 0 }, { "right", 1, 0 },
                { "up-left", -1, -1 }, { "up-right", 1, -1 }, { "down-left", -1, 1 }, { "down-right", 1, 1 },
        };
        const char *action = argv[2];
        _cleanup_json_ json_object *p = request(argv[1]);
        int r = 0;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        json_object_object_add(p, "action", json_object_new_string(action));
        if (streq(action, "stick")) {
                if (argc != 6)
                        return usage(use);
                json_object_object_add(p, "side", json_object_new_string(argv[3]));
                r = add_int_arg(p, "x", "X", argv[4]);
                if (r >= 0)
                        r = add_int_arg(p, "y", "Y", argv[5]);
        } else if (streq(action, "button")) {
                if (argc < 4 || argc > 5)
                        return usage(use);
                json_object_object_add(p, "button", json_object_new_string(argv[3]));
                if (argc > 4)
                        json_object_object_add(p, "state", json_object_new_string(argv[4]));
        } else if (streq(action, "trigger")) {
                if (argc != 5)
                        return usage(use);
                json_object_object_add(p, "side", json_object_new_string(argv[3]));
                r = add_int_arg(p, "value", "VALUE", argv[4]);
        } else if (streq(action, "hat")) {
                if (argc == 4) {
                        size_t i;
                        for (i = 0; i < ELEMENTSOF(hats); i++)
                                if (streq(argv[3], hats[i].name))
                                        break;
                        if (i == ELEMENTSOF(hats))
                                return usage(use);
                        json_object_object_add(p, "x", json_object_new_int(hats[i].x));
                        json_object_object_add(p, "y", json_object_new_int(hats[i].y));
                } else if (argc == 5) {
                        r = add_int_arg(p, "x", "X", argv[3]);
                        if (r >= 0)
                                r = add_int_arg(p, "y", "Y", argv[4]);
                } else {
                        return usage(use);
                }
        } else {
                return usage(use);
        }
        if (r < 0)
                return r;
        return call(c, VW_INTERFACE ".Gamepad", TAKE_PTR(p));
}

/* ---- pen: frames of raw events, as a pen tablet's driver sends them ---- */

#define PEN_DEFAULT_PRESSURE 2048 /* half of profile = pen's 0..4095 */

static void pen_add(json_object *events, const char *type, const char *code, int64_t value)
{
        json_object *e = json_object_new_object();

        json_object_object_add(e, "type", json_object_new_string(type));
        json_object_object_add(e, "code", json_object_new_string(code));
        json_object_object_add(e, "value", json_object_new_int64(value));
        json_object_array_add(events, e);
}

/* X Y [PRESSURE [TILT_X TILT_Y]] from argv[at...] */
static int pen_position(json_object *events, int argc, char **argv, int at)
{
        static const char *const axes[] = { "ABS_X", "ABS_Y", "ABS_PRESSURE", "ABS_TILT_X", "ABS_TILT_Y" };
        static const char *const what[] = { "X", "Y", "PRESSURE", "TILT_X", "TILT_Y" };

        for (int i = 0; at + i < argc; i++) {
                int64_t v;
                int r = parse_int(what[i], argv[at + i], &v);

                if (r < 0)
                        return r;
                pen_add(events, "EV_ABS", axes[i], v);
        }
        return 0;
}

/*
 * pen NAME in X Y [PRESSURE [TX TY]] | move X Y [PRESSURE [TX TY]] | down [PRESSURE] | up | out |
 * button stylus|stylus2 [press|release|tap]. Every frame but `out` says the pen is in proximity
 * (BTN_TOOL_PEN 1): the kernel passes it on only when it changes, so a `down` without `in` still
 * reaches a tablet client as a pen.
 */
int verb_pen(struct ctl *c, int argc, char **argv)
{
        static const char use[] = "pen NAME in|move X Y [PRESSURE [TILT_X TILT_Y]] | down [PRESSURE] | up | out | "
                                  "button stylus|stylus2 [press|release|tap]";
        const char *action = argv[2];
        _cleanup_json_ json_object *p = request(argv[1]);
        json_object *events;
        int r = 0;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        events = json_object_new_array();
        json_object_object_add(p, "events", events);
        if (streq(action, "in") || streq(action, "move")) {
                if (argc != 5 && argc != 6 && argc != 8)
                        return usage(use);
                pen_add(events, "EV_KEY", "BTN_TOOL_PEN", 1);
                r = pen_position(events, argc, argv, 3);
        } else if (streq(action, "down")) {
                int64_t pressure = PEN_DEFAULT_PRESSURE;

                if (argc > 4 || (argc == 4 && (r = parse_int("PRESSURE", argv[3], &pressure)) < 0))
                        return r < 0 ? r : usage(use);
                pen_add(events, "EV_KEY", "BTN_TOOL_PEN", 1);
                pen_add(events, "EV_KEY", "BTN_TOUCH", 1);
                pen_add(events, "EV_ABS", "ABS_PRESSURE", pressure);
        } else if (streq(action, "up") || streq(action, "out")) {
                if (argc != 3)
                        return usage(use);
                pen_add(events, "EV_ABS", "ABS_PRESSURE", 0);
                pen_add(events, "EV_KEY", "BTN_TOUCH", 0);
                if (streq(action, "out"))
                        pen_add(events, "EV_KEY", "BTN_TOOL_PEN", 0);
        } else if (streq(action, "button")) {
                const char *state = argc > 4 ? argv[4] : "tap", *code;

                if (argc < 4 || argc > 5)
                        return usage(use);
                code = streq(argv[3], "stylus") ? "BTN_STYLUS" : streq(argv[3], "stylus2") ? "BTN_STYLUS2" : NULL;
                if (!code || (!streq(state, "press") && !streq(state, "release") && !streq(state, "tap")))
                        return usage(use);
                pen_add(events, "EV_KEY", "BTN_TOOL_PEN", 1);
                pen_add(events, "EV_KEY", code, !streq(state, "release"));
                if (streq(state, "tap")) {
                        pen_add(events, "EV_SYN", "SYN_REPORT", 0);
                        pen_add(events, "EV_KEY", code, 0);
                }
        } else {
                return usage(use);
        }
        if (r < 0)
                return r;
        return call(c, VW_INTERFACE ".Event", TAKE_PTR(p));
}

/* event NAME TYPE CODE VALUE [TYPE CODE VALUE...]: one frame (SYN_REPORT added) */
int verb_event(struct ctl *c, int argc, char **argv)
{
        _cleanup_json_ json_object *p = request(argv[1]);
        json_object *events;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        if ((argc - 2) % 3 != 0)
                return usage("event NAME TYPE CODE VALUE [TYPE CODE VALUE...]");
        events = json_object_new_array();
        json_object_object_add(p, "events", events);
        for (int i = 2; i + 2 < argc; i += 3) {
                json_object *e = json_object_new_object();

                char *end;
                long long v;

                json_object_object_add(e, "type", json_object_new_string(argv[i]));
                json_object_object_add(e, "code", json_object_new_string(argv[i + 1]));
                /* a number as a number; a name (of a value libevdev knows) as a string */
                errno = 0;
                v = strtoll(argv[i + 2], &end, 0);
                if (*argv[i + 2] && !*end && !errno)
                        json_object_object_add(e, "value", json_object_new_int64(v));
                else
                        json_object_object_add(e, "value", json_object_new_string(argv[i + 2]));
                json_object_array_add(events, e);
        }
        return call(c, VW_INTERFACE ".Event", TAKE_PTR(p));
}

/* ---- monitor ---- */

/* "EV_KEY KEY_A 1, SYN_REPORT" for a VW_CHUNK_EVENTS payload; malloc'd. */
char *input_format_events(const uint8_t *data, size_t len)
{
        size_t n = len / sizeof(struct vw_input_event), size = n * 64 + 32, at = 0;
        char *out = malloc(size);

        if (!out)
                return NULL;
        out[0] = 0;
        for (size_t i = 0; i < n; i++) {
                struct vw_input_event e;
                const char *t = NULL, *code = NULL;
                char tb[16], cb[16];

                memcpy(&e, data + i * sizeof(e), sizeof(e));
#if HAVE_UINPUT
                t = libevdev_event_type_get_name(e.type);
                code = libevdev_event_code_get_name(e.type, e.code);
#endif
                /* EV_FF below FF_RUMBLE: an effect id (play count or 0 to stop), not a name */
                if (e.type == 0x15 && e.code < 0x50)
                        code = NULL;
                if (e.type == 0x101) { /* EV_UINPUT: a force feedback request vwired answered */
                        t = "EV_UINPUT";
                        code = e.code == 1 ? "UI_FF_UPLOAD" : e.code == 2 ? "UI_FF_ERASE" : NULL;
                }
                if (!t) {
                        snprintf(tb, sizeof(tb), "%u", e.type);
                        t = tb;
                }
                if (!code) {
                        snprintf(cb, sizeof(cb), "%u", e.code);
                        code = cb;
                }
                if (e.type == 0 && e.code == 0)
                        at += (size_t)snprintf(out + at, size - at, "%sSYN_REPORT", i ? ", " : "");
                else
                        at += (size_t)snprintf(out + at, size - at, "%s%s %s %" PRId32, i ? ", " : "", t, code,
                                               e.value);
                if (at >= size)
                        break;
        }
        return out;
}
