/* SPDX-License-Identifier: MIT */
/*
 * vwirectl: the command-line client of vwired.
 *
 * Exit codes (also in --help):
 *   0  success
 *   1  vwired refused the request, or the command failed
 *   2  usage error (bad command line or arguments)
 *   3  cannot connect to vwired
 *   4  vwirectl and vwired are different versions or protocols
 *   5  protocol error (malformed or oversized reply, connection closed mid-reply)
 *
 * Inside, failures travel as negative errnos; the few listed in client.h pick codes 2-5.
 */

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "output.h"

enum {
        EXIT_OK = 0,
        EXIT_REFUSED = 1,
        EXIT_USAGE = 2,
        EXIT_NO_DAEMON = 3,
        EXIT_MISMATCH = 4,
        EXIT_PROTOCOL = 5,
};

enum {
        VERB_HEX = 1 << 0,     /* takes --hex */
        VERB_PERSIST = 1 << 1, /* takes --persist */
        VERB_TYPING = 1 << 2,  /* takes --layout, --delay, --hold (input-commands.c checks which) */
        VERB_INJECT = 1 << 3,  /* takes --no-wait */
        VERB_AUDIO = 1 << 4,   /* takes --unset, --user, --system */
};

#define ANY_ARGS (-1)

struct verb {
        const char *name;
        int min_args, max_args;         /* counting the command itself */
        unsigned flags;
        const char *usage;
        int (*run)(struct ctl *c, int argc, char **argv);
};

static int verb_help(struct ctl *c, int argc, char **argv);

#if !VWIRECTL_FULL
/* The lean, static vwirectl: these two run in vwirectl-full (cli/exec-full.c says why). */
static char **orig_argv;

int verb_net(struct ctl *c, int argc, char **argv)
{
        return vwirectl_exec_full("net", orig_argv);
}

int verb_doctor(struct ctl *c, int argc, char **argv)
{
        return vwirectl_exec_full("doctor", orig_argv);
}
#endif

static const struct verb verbs[] = {
        { "status", 1, 1, 0, "status", verb_status },
        { "list", 1, 1, 0, "list", verb_list },
        { "show", 2, 2, 0, "show NAME", verb_show },
        { "add", 3, ANY_ARGS, VERB_PERSIST, "add [--persist] KIND NAME [key=value...]", verb_add },
        { "remove", 2, 2, VERB_PERSIST, "remove [--persist] NAME", verb_remove },
        { "route", 3, ANY_ARGS, VERB_PERSIST,
          "route add [--persist] NAME from=A to=B [key=value...] | route remove [--persist] NAME", verb_route },
        { "send", 3, 3, VERB_HEX, "send [--hex] NAME DATA|-", verb_send },
        { "monitor", 2, 2, VERB_HEX, "monitor [--hex] [--pcap FILE] NAME", verb_monitor },
        { "net", 2, 2, 0, "net orphans [--json] [--grace SECONDS] [--force [NETNS/]IFNAME]", verb_net },
        { "reload", 1, 1, 0, "reload", verb_reload },
        { "version", 1, 1, 0, "version", verb_version },
        { "audio", 2, 3, VERB_AUDIO, "audio default [--user|--system] [NAME] | audio default --unset", verb_audio },
        { "doctor", 1, 1, 0, "doctor", verb_doctor },
        { "key", 3, 4, VERB_TYPING | VERB_INJECT, "key NAME COMBO [tap|press|release] [--hold MS]", verb_key },
        { "type", 3, 3, VERB_TYPING | VERB_INJECT, "type NAME TEXT|- [--layout L] [--delay MS] [--hold MS]",
          verb_type },
        { "pointer", 3, 6, VERB_INJECT,
          "pointer NAME move DX DY | click [BUTTON [COUNT]] | press BUTTON | "
          "release BUTTON | scroll AMOUNT [HORIZONTAL]",
          verb_pointer },
        { "abs", 4, ANY_ARGS, VERB_INJECT, "abs NAME X Y [AXIS=VALUE...]", verb_abs },
        { "touch", 4, 6, VERB_INJECT, "touch NAME down|move SLOT X Y | touch NAME up SLOT", verb_touch },
        { "gamepad", 4, 6, VERB_INJECT,
          "gamepad NAME stick left|right X Y | button BUTTON [press|release] | "
          "trigger left|right VALUE | hat X Y",
          verb_gamepad },
        { "pen", 3, 8, VERB_INJECT,
          "pen NAME in|move X Y [PRESSURE [TILT_X TILT_Y]] | down [PRESSURE] | up | out | "
          "button stylus|stylus2 [press|release|tap]",
          verb_pen },
        { "event", 5, ANY_ARGS, VERB_INJECT, "event NAME TYPE CODE VALUE [TYPE CODE VALUE...]", verb_event },
        { "help", 1, 1, 0, "help", verb_help },
};

static void help(FILE *f)
{
        fprintf(f,
                "Usage: vwirectl [OPTIONS] COMMAND [ARGS...]\n"
                "\n"
                "Control vwired, the virtual device daemon.\n"
                "\n"
                "Commands:\n"
                "  status                          Show the daemon's state and totals\n"
                "  list                            List endpoints and routes\n"
                "  show NAME                       Show one endpoint or route in detail\n"
                "  add KIND NAME [key=value...]    Add an endpoint (serial, loopback, socket, file, input, audio)\n"
                "  remove NAME                     Remove an endpoint or route\n"
                "  route add NAME from=A to=B [duplex=yes overflow=... buffer=...]\n"
                "                                  Add a route\n"
                "  route remove NAME               Remove a route\n"
                "  send NAME DATA                  Send DATA (text) out of an endpoint\n"
                "  send --hex NAME HEX             Send bytes given in hex\n"
                "  send NAME -                     Send what stdin holds (bytes; with --hex, hex text)\n"
                "  monitor [--hex] NAME            Print the traffic of an endpoint or route until ^C\n"
                "  monitor --pcap FILE NAME        Write the packets of an endpoint or route as pcap\n"
                "  net orphans [--force [NS/]IF]   List leftover virtual adapters; delete one by name\n"
                "  reload                          Re-read the configuration and apply the changes\n"
                "  version                         Show the versions of vwirectl and vwired\n"
                "  doctor                          Check the setup and report problems with their fixes\n"
                "  audio default [--user|--system] NAME\n"
                "                                  Make audio cable NAME ALSA's default device\n"
                "  audio default --unset           Leave ALSA's default device as it was\n"
                "\n"
                "Input devices ([input NAME]; codes by evdev name, e.g. KEY_A, BTN_LEFT, ABS_X):\n"
                "  key NAME COMBO [press|release]  Press and release a key combination: KEY_LEFTCTRL+KEY_C\n"
                "  type NAME TEXT|-                Type text through a keyboard layout\n"
                "  pointer NAME move DX DY         Move a mouse; also: click [BUTTON [COUNT]],\n"
                "                                  press BUTTON, release BUTTON, scroll AMOUNT [HORIZONTAL]\n"
                "  abs NAME X Y [AXIS=VALUE...]    Move an absolute pointer (absolute-pointer, tablet)\n"
                "  pen NAME in X Y [P [TX TY]]     A pen (profile = pen) comes near at X,Y; also: move X Y\n"
                "                                  [P [TX TY]], down [P], up, button stylus|stylus2, out\n"
                "  touch NAME down|move SLOT X Y   Multi-touch contacts; touch NAME up SLOT\n"
                "  gamepad NAME stick left X Y     Also: button BUTTON [press|release],\n"
                "                                  trigger left|right VALUE, hat X Y | hat up|down|left|right|center\n"
                "  event NAME TYPE CODE VALUE...   Raw events, one frame (SYN_REPORT added)\n"
                "\n"
                "Options:\n"
                "  --socket PATH    Talk to vwired at PATH (default: $VWIRE_SOCKET, else\n"
                "                   " RUNSTATEDIR "/vwire/control.sock for root,\n"
                "                   $XDG_RUNTIME_DIR/vwire/control.sock for other users;\n"
                "                   \"@NAME\" is an abstract socket)\n"
                "  --json           Print replies as JSON, one object per line\n"
                "  --hex            Data in hex (send, monitor)\n"
                "  --persist        add, remove, route: also write or delete a drop-in in\n"
                "                   vwire.conf.d, so the change survives a restart\n"
                "  --layout NAME    type: keyboard layout (us, de, fr, ...; default: the device's)\n"
                "  --delay MS       type: pause between two keys\n"
                "  --hold MS        type, key: how long each key is held down\n"
                "  --no-wait        Input commands: return before queued keys are typed\n"
                "  -h --help        Show this help\n"
                "  --version        Show vwirectl's version\n"
                "Options may also follow the command; \"--\" ends them (to send text that starts\n"
                "with '-').\n"
                "\n"
                "Exit codes:\n"
                "  0  success\n"
                "  1  vwired refused the request, or the command failed\n"
                "  2  usage error\n"
                "  3  cannot connect to vwired\n"
                "  4  vwirectl and vwired are different versions\n"
                "  5  protocol error (malformed or oversized reply, connection closed mid-reply)\n");
}

static int verb_help(struct ctl *c, int argc, char **argv)
{
        help(stdout);
        return 0;
}

static int exit_code(int r)
{
        switch (r) {
        case 0:
                return EXIT_OK;
        case CTL_ERR_USAGE:
                return EXIT_USAGE;
        case CTL_ERR_CONNECT:
                return EXIT_NO_DAEMON;
        case CTL_ERR_MISMATCH:
                return EXIT_MISMATCH;
        case CTL_ERR_PROTOCOL:
                return EXIT_PROTOCOL;
        default:
                return EXIT_REFUSED;
        }
}

static void log_to_stderr(int level, const char *msg, void *userdata)
{
        fprintf(stderr, "vwirectl: %s\n", msg);
}

static const struct verb *find_verb(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...)
{
        va_list ap;

        fputs("vwirectl: ", stderr);
        va_start(ap, fmt);
        /* va_start is the line above; clang-14's analyzer loses it in the lean build's unit */
        /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'vwirectl --help' for more information.\n", stderr);
        return CTL_ERR_USAGE;
}

/*
 * Options go anywhere (getopt permutes), so "vwirectl --json list" and "vwirectl list --json"
 * both work. Returns 1 to go on with a command, 0 when done (--help, --version).
 */
static bool opt_typing, opt_no_wait, opt_audio;
static bool net_opts;  /* --force or --grace given */  /* input options given (input-commands.c keeps the values) */

static int parse_argv(int argc, char **argv, struct ctl *c)
{
        enum { ARG_VERSION = 0x100, ARG_SOCKET, ARG_JSON, ARG_HEX, ARG_PERSIST, ARG_INPUT, ARG_PCAP, ARG_FORCE, ARG_GRACE };
        enum { ARG_AUDIO = ARG_GRACE + 1 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "json", no_argument, NULL, ARG_JSON },
                { "hex", no_argument, NULL, ARG_HEX },
                { "persist", no_argument, NULL, ARG_PERSIST },
                { "pcap", required_argument, NULL, ARG_PCAP },
                { "force", required_argument, NULL, ARG_FORCE },
                { "grace", required_argument, NULL, ARG_GRACE },
                { "layout", required_argument, NULL, ARG_INPUT },
                { "delay", required_argument, NULL, ARG_INPUT },
                { "hold", required_argument, NULL, ARG_INPUT },
                { "no-wait", no_argument, NULL, ARG_INPUT },
                { "unset", no_argument, NULL, ARG_AUDIO },
                { "user", no_argument, NULL, ARG_AUDIO },
                { "system", no_argument, NULL, ARG_AUDIO },
                {},
        };
        int o, idx = 0, r;

        while ((o = getopt_long(argc, argv, "h", options, &idx)) >= 0) {
                switch (o) {
                case 'h':
                        help(stdout);
                        return 0;
                case ARG_VERSION:
                        printf("vwirectl %s (protocol %d)\n", VWIRE_VERSION, VWIRE_PROTOCOL);
                        return 0;
                case ARG_SOCKET:
                        if (!*optarg)
                                return usage_error("--socket needs a path");
                        c->socket_path = optarg;
                        break;
                case ARG_JSON:
                        c->json = true;
                        break;
                case ARG_HEX:
                        c->hex = true;
                        break;
                case ARG_PERSIST:
                        c->persist = true;
                        break;
                case ARG_PCAP:
                        if (!*optarg)
                                return usage_error("--pcap needs a file name (or - for standard output)");
                        c->pcap_path = optarg;
                        break;
                case ARG_FORCE:
                        if (!*optarg)
                                return usage_error("--force needs an adapter: [NETNS/]IFNAME");
                        c->force = optarg;
                        net_opts = true;
                        break;
                case ARG_GRACE: {
                        char *end;
                        unsigned long g = strtoul(optarg, &end, 10);

                        if (!*optarg || *end || g > 86400u * 365u)
                                return usage_error("--grace: expected seconds, got '%s'", optarg);
                        c->grace = (unsigned)g;
                        net_opts = true;
                        break;
                }
                case ARG_AUDIO:
                        r = audio_set_option(options[idx].name);
                        if (r < 0)
                                return r;
                        opt_audio = true;
                        break;
                case ARG_INPUT:
                        r = input_set_option(options[idx].name, optarg);
                        if (r < 0)
                                return r;
                        if (streq(options[idx].name, "no-wait"))
                                opt_no_wait = true;
                        else
                                opt_typing = true;
                        break;
                default:
                        /* getopt has said what is wrong. */
                        fputs("Try 'vwirectl --help' for more information.\n", stderr);
                        return CTL_ERR_USAGE;
                }
        }
        return 1;
}

int main(int argc, char **argv)
{
        struct ctl c = CTL_INIT;
        _cleanup_free_ char **orig = NULL;
        const struct verb *v;
        int r, nargs;

        vw_log_set_sink(log_to_stderr, NULL);

        /* "pointer mouse move 10 -5": a negative number is an argument, not an option */
        orig = calloc((size_t)argc + 1, sizeof(char *));
        if (!orig) {
                r = log_error_errno(ENOMEM, "out of memory");
                goto finish;
        }
        memcpy(orig, argv, sizeof(char *) * (size_t)argc);
#if !VWIRECTL_FULL
        orig_argv = orig;
#endif
        input_protect_numbers(argc, argv);
        r = parse_argv(argc, argv, &c);
        input_restore_numbers(argc, argv, orig, argc);
        if (r <= 0)
                goto finish;

        if (optind >= argc) {
                r = usage_error("no command given");
                goto finish;
        }
        v = find_verb(argv[optind]);
        if (!v) {
                r = usage_error("unknown command '%s'", argv[optind]);
                goto finish;
        }
        nargs = argc - optind;
        if (nargs < v->min_args || (v->max_args != ANY_ARGS && nargs > v->max_args)) {
                r = usage_error("usage: vwirectl %s", v->usage);
                goto finish;
        }
        if (c.hex && !(v->flags & VERB_HEX)) {
                r = usage_error("--hex does not apply to '%s'", v->name);
                goto finish;
        }
        if ((opt_typing && !(v->flags & VERB_TYPING)) || (opt_no_wait && !(v->flags & VERB_INJECT))) {
                r = usage_error(opt_typing ? "--layout, --delay and --hold are for key and type, not '%s'"
                                           : "--no-wait is for the input commands, not '%s'", v->name);
                goto finish;
        }

        if (net_opts && !streq(v->name, "net")) {
                r = usage_error("--force and --grace are for 'net orphans', not '%s'", v->name);
                goto finish;
        }
        if (opt_audio && !(v->flags & VERB_AUDIO)) {
                r = usage_error("--unset, --user and --system are for 'audio default', not '%s'", v->name);
                goto finish;
        }
        if (c.pcap_path && !streq(v->name, "monitor")) {
                r = usage_error("--pcap is for monitor, not '%s'", v->name);
                goto finish;
        }
        if (c.persist && !(v->flags & VERB_PERSIST)) {
                r = usage_error("--persist does not apply to '%s'", v->name);
                goto finish;
        }

        r = v->run(&c, nargs, argv + optind);

finish:
        ctl_done(&c);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                log_error_errno(errno, "cannot write the output");
                if (r >= 0)
                        r = -EIO;
        }
        return exit_code(r < 0 ? r : 0);
}
