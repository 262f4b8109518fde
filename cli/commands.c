/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "log.h"
#include "monitor-pcap.h"
#include "output.h"

static json_object *get_member(json_object *o, const char *key, json_type type)
{
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

static uint64_t get_u64(json_object *o, const char *key)
{
        int64_t v;

        return ctl_get_int(o, key, &v) && v > 0 ? (uint64_t)v : 0;
}

/* "key: 1234" or "key: -" when the daemon left the member out. */
static void add_int(struct table *t, const char *key, json_object *o, const char *member)
{
        int64_t v;

        if (ctl_get_int(o, member, &v))
                table_add_pair(t, key, "%" PRId64, v);
        else
                table_add_pair(t, key, "-");
}

/* "key: 1.5K (1536 bytes)". */
static void add_bytes(struct table *t, const char *key, json_object *o, const char *member)
{
        char buf[FORMAT_BYTES_MAX];
        int64_t v;

        if (!ctl_get_int(o, member, &v) || v < 0)
                table_add_pair(t, key, "-");
        else if (v < 1024)
                table_add_pair(t, key, "%" PRId64 " bytes", v);
        else
                table_add_pair(t, key, "%s (%" PRId64 " bytes)", format_bytes(buf, (uint64_t)v), v);
}

/* Print the parameters as JSON and return true in --json mode. */
static bool json_out(struct ctl *c, json_object *p)
{
        if (!c->json)
                return false;
        print_json(stdout, p);
        return true;
}

static int print_table(const struct table *t)
{
        int r = table_print(t, stdout);

        if (r < 0)
                return log_error_errno(r, "cannot format the output");
        return 0;
}

int verb_status(struct ctl *c, int argc, char **argv)
{
        _cleanup_json_ json_object *p = NULL;
        _cleanup_table_ struct table *t = NULL;
        _cleanup_free_ char *files = NULL;
        char buf[FORMAT_DURATION_MAX];
        int64_t proto = -1, uptime;
        int r;

        r = ctl_call(c, VW_INTERFACE ".Status", NULL, false, &p, NULL);
        if (r < 0)
                return r;
        if (json_out(c, p))
                return 0;

        r = table_new(2, &t);
        if (r < 0)
                return log_error_errno(r, "cannot format the output");
        (void)ctl_get_int(p, "protocol", &proto);
        table_add_pair(t, "version", "%s (protocol %" PRId64 ")", ctl_get_string(p, "version") ?: "?",
                       proto);
        add_int(t, "pid", p, "pid");
        if (ctl_get_int(p, "uptime_usec", &uptime) && uptime >= 0)
                table_add_pair(t, "uptime", "%s", format_duration(buf, (uint64_t)uptime));
        table_add_pair(t, "control socket", "%s", ctl_get_string(p, "control_socket") ?: "-");
        files = json_join(get_member(p, "config_files", json_type_array), ", ");
        table_add_pair(t, "config files", "%s", files ?: "?");
        add_int(t, "endpoints", p, "endpoints");
        add_int(t, "routes", p, "routes");
        add_int(t, "clients", p, "clients");
        add_bytes(t, "received", p, "rx_bytes");
        add_bytes(t, "sent", p, "tx_bytes");
        add_bytes(t, "dropped", p, "dropped_bytes");
        return print_table(t);
}

static const char *bytes_cell(char buf[static FORMAT_BYTES_MAX], json_object *o, const char *member)
{
        int64_t v;

        if (!ctl_get_int(o, member, &v) || v < 0)
                return "-";
        return format_bytes(buf, (uint64_t)v);
}

/* A table with a header row; columns from first_right on are numbers, aligned right. */
static int table_with_header(const char *const *header, size_t n, size_t first_right, struct table **ret)
{
        struct table *t;
        int r;

        r = table_new(n, &t);
        if (r < 0)
                return log_error_errno(r, "cannot format the output");
        for (size_t i = 0; i < n; i++)
                table_add(t, header[i]);
        for (size_t col = first_right; col < n; col++)
                table_align_right(t, col);
        *ret = t;
        return 0;
}

static int list_endpoints(json_object *endpoints)
{
        static const char *const header[] = { "NAME", "KIND", "BACKEND", "STATE",
                                              "PATH", "RX", "TX", "DROPPED" };
        _cleanup_table_ struct table *t = NULL;
        size_t n = json_object_array_length(endpoints);
        int r;

        r = table_with_header(header, ELEMENTSOF(header), 5, &t);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(endpoints, i);
                char b[FORMAT_BYTES_MAX];

                table_add(t, ctl_get_string(e, "name"));
                table_add(t, ctl_get_string(e, "kind"));
                table_add(t, ctl_get_string(e, "backend"));
                table_add(t, ctl_get_string(e, "state"));
                table_add(t, ctl_get_string(e, "path"));
                table_add(t, bytes_cell(b, e, "rx_bytes"));
                table_add(t, bytes_cell(b, e, "tx_bytes"));
                table_add(t, bytes_cell(b, e, "dropped_bytes"));
        }
        return print_table(t);
}

/* A byte count of every lane, "12/0" for a duplex route. */
static void add_lanes_cell(struct table *t, json_object *lanes, const char *member)
{
        size_t n = lanes ? json_object_array_length(lanes) : 0;
        char cell[128] = "", b[FORMAT_BYTES_MAX];
        size_t len = 0;

        for (size_t i = 0; i < n && len < sizeof(cell); i++)
                len += (size_t)snprintf(cell + len, sizeof(cell) - len, "%s%s", i > 0 ? "/" : "",
                                        bytes_cell(b, json_object_array_get_idx(lanes, i), member));
        table_add(t, n > 0 ? cell : "-");
}

static int list_routes(json_object *routes)
{
        static const char *const header[] = { "NAME", "FROM", "TO", "DUPLEX", "OVERFLOW",
                                              "BUFFER", "USED", "HIGH", "DROPPED" };
        _cleanup_table_ struct table *t = NULL;
        size_t n = json_object_array_length(routes);
        int r;

        r = table_with_header(header, ELEMENTSOF(header), 5, &t);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                json_object *rt = json_object_array_get_idx(routes, i);
                json_object *lanes = get_member(rt, "lanes", json_type_array);
                json_object *duplex = get_member(rt, "duplex", json_type_boolean);
                _cleanup_free_ char *from = json_join(get_member(rt, "from", json_type_array), ",");
                _cleanup_free_ char *to = json_join(get_member(rt, "to", json_type_array), ",");
                size_t nlanes = lanes ? json_object_array_length(lanes) : 0;
                uint64_t dropped = 0;
                char b[FORMAT_BYTES_MAX];

                table_add(t, ctl_get_string(rt, "name"));
                table_add(t, from);
                table_add(t, to);
                table_add(t, duplex ? (json_object_get_boolean(duplex) ? "yes" : "no") : "-");
                table_add(t, ctl_get_string(rt, "overflow"));
                table_add(t, bytes_cell(b, rt, "buffer"));
                add_lanes_cell(t, lanes, "used");
                add_lanes_cell(t, lanes, "high_water");
                for (size_t l = 0; l < nlanes; l++)
                        dropped += get_u64(json_object_array_get_idx(lanes, l), "bytes_dropped");
                table_add(t, nlanes > 0 ? format_bytes(b, dropped) : "-");
        }
        return print_table(t);
}

int verb_list(struct ctl *c, int argc, char **argv)
{
        _cleanup_json_ json_object *p = NULL;
        json_object *endpoints, *routes;
        size_t ne, nr;
        int r;

        r = ctl_call(c, VW_INTERFACE ".List", NULL, false, &p, NULL);
        if (r < 0)
                return r;
        if (json_out(c, p))
                return 0;

        endpoints = get_member(p, "endpoints", json_type_array);
        routes = get_member(p, "routes", json_type_array);
        ne = endpoints ? json_object_array_length(endpoints) : 0;
        nr = routes ? json_object_array_length(routes) : 0;
        if (ne == 0 && nr == 0) {
                printf("no endpoints and no routes\n");
                return 0;
        }
        if (ne > 0) {
                r = list_endpoints(endpoints);
                if (r < 0)
                        return r;
        }
        if (nr > 0) {
                if (ne > 0)
                        putchar('\n');
                r = list_routes(routes);
        }
        return r;
}

static int show_route(json_object *route)
{
        static const char *const skip_route[] = { "lanes", NULL };
        static const char *const skip_lane[] = { "from", "to", NULL };
        _cleanup_table_ struct table *t = NULL;
        json_object *lanes = get_member(route, "lanes", json_type_array);
        size_t n = lanes ? json_object_array_length(lanes) : 0;
        int r;

        r = table_new(2, &t);
        if (r < 0)
                return log_error_errno(r, "cannot format the output");
        table_add_flat(t, NULL, route, skip_route);
        r = print_table(t);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                _cleanup_table_ struct table *lt = NULL;
                json_object *lane = json_object_array_get_idx(lanes, i);
                _cleanup_free_ char *from = json_join(get_member(lane, "from", json_type_array), ", ");
                _cleanup_free_ char *to = json_join(get_member(lane, "to", json_type_array), ", ");

                r = table_new(2, &lt);
                if (r < 0)
                        return log_error_errno(r, "cannot format the output");
                table_set_indent(lt, 2);
                table_add_flat(lt, NULL, lane, skip_lane);
                printf("lane %zu: %s -> %s\n", i + 1, from ?: "?", to ?: "?");
                r = print_table(lt);
                if (r < 0)
                        return r;
        }
        return 0;
}

int verb_show(struct ctl *c, int argc, char **argv)
{
        _cleanup_json_ json_object *p = NULL;
        _cleanup_table_ struct table *t = NULL;
        json_object *endpoint, *route;
        json_object *req = json_object_new_object();
        int r;

        if (!req)
                return log_error_errno(ENOMEM, "cannot build the request");
        json_object_object_add(req, "name", json_object_new_string(argv[1]));
        r = ctl_call(c, VW_INTERFACE ".Show", req, false, &p, NULL);
        if (r < 0)
                return r;
        if (json_out(c, p))
                return 0;

        route = get_member(p, "route", json_type_object);
        if (route)
                return show_route(route);
        endpoint = get_member(p, "endpoint", json_type_object);
        if (!endpoint) {
                log_error("vwired's answer to Show holds neither an endpoint nor a route");
                return CTL_ERR_PROTOCOL;
        }
        r = table_new(2, &t);
        if (r < 0)
                return log_error_errno(r, "cannot format the output");
        table_add_flat(t, NULL, endpoint, NULL);
        return print_table(t);
}

/* key=value arguments into a settings object, split at the first '='. */
/* vwired refuses them too; saying so here keeps a [file] path with a newline from being created. */
static bool has_control_chars(const char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static int parse_settings(int argc, char **argv, json_object **ret)
{
        _cleanup_json_ json_object *settings = json_object_new_object();

        if (!settings)
                return log_error_errno(ENOMEM, "cannot build the request");
        for (int i = 0; i < argc; i++) {
                const char *eq = strchr(argv[i], '=');
                _cleanup_free_ char *key = NULL;

                if (!eq || eq == argv[i]) {
                        log_error("'%s' is not a key=value setting", argv[i]);
                        return CTL_ERR_USAGE;
                }
                key = strndup(argv[i], (size_t)(eq - argv[i]));
                if (!key)
                        return log_error_errno(ENOMEM, "cannot build the request");
                if (has_control_chars(argv[i])) {
                        log_error("'%s': control characters (0x00-0x1f, 0x7f) are not allowed in keys or values",
                                  key);
                        return CTL_ERR_USAGE;
                }
                if (json_object_object_get_ex(settings, key, NULL)) {
                        log_error("the setting '%s' is given twice", key);
                        return CTL_ERR_USAGE;
                }
                json_object_object_add(settings, key, json_object_new_string(eq + 1));
        }
        *ret = TAKE_PTR(settings);
        return 0;
}

/* yes and no as vwired's config reader spells them (common/conf-parse.c). */
static int parse_yes_no(const char *v, bool *ret)
{
        static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return *ret = true, 0;
                if (strcasecmp(v, no[i]) == 0)
                        return *ret = false, 0;
        }
        return -EINVAL;
}

static int make_absolute(const char *path, char **ret)
{
        _cleanup_free_ char *cwd = NULL;

        if (path[0] == '/')
                *ret = strdup(path);
        else if (!(cwd = getcwd(NULL, 0)))
                return log_error_errno(errno, "cannot make %s absolute: no current directory", path);
        else if (asprintf(ret, "%s/%s", cwd, path) < 0)
                *ret = NULL;
        return *ret ? 0 : log_error_errno(ENOMEM, "cannot build the request");
}

/*
 * A [file] endpoint's file is opened here, with the user's own rights, and the descriptor goes
 * to vwired with the Add (SCM_RIGHTS, "fd": 0): vwired does not open a file a client names
 * (docs/SECURITY.md). `path` stays in the settings, made absolute, for list and show.
 * *ret_fd is -1 when there is nothing to open (no path, or no mode we know: vwired says what
 * is wrong with the settings).
 */
static int open_file_endpoint(const char *name, json_object *settings, int *ret_fd)
{
        const char *path = ctl_get_string(settings, "path"), *mode = ctl_get_string(settings, "mode");
        const char *append = ctl_get_string(settings, "append");
        _cleanup_free_ char *abs = NULL;
        bool capture, keep = false;
        int flags, fd, r;

        *ret_fd = -1;
        if (!path || !mode || (strcasecmp(mode, "capture") != 0 && strcasecmp(mode, "replay") != 0))
                return 0;
        capture = strcasecmp(mode, "capture") == 0;
        /* checked before the open, which truncates */
        if (capture && append && parse_yes_no(append, &keep) < 0) {
                log_error("append: expected yes or no, got '%s'", append);
                return CTL_ERR_USAGE;
        }
        r = make_absolute(path, &abs);
        if (r < 0)
                return r;
        flags = capture ? O_WRONLY | O_CREAT | O_APPEND | (keep ? 0 : O_TRUNC) : O_RDONLY;
        /* make_absolute() sets abs whenever it returns 0; clang 14's analyzer loses that log_error_errno() returns < 0
         * (it assumes -e >= 0 for e > 0) and follows the failed call on with the result unset */
        /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
        fd = open(abs, flags | O_NOCTTY | O_CLOEXEC | O_NONBLOCK, 0644);
        if (fd < 0) {
                log_error_errno(errno, "[file %s]: cannot start: cannot open %s for %s", name, abs,
                                capture ? "capture" : "replay");
                return CTL_ERR_REFUSED;
        }
        json_object_object_add(settings, "path", json_object_new_string(abs));
        *ret_fd = fd;
        return 0;
}

static int do_add(struct ctl *c, const char *kind, const char *name, int argc, char **argv)
{
        _cleanup_json_ json_object *p = NULL, *reply = NULL;
        _cleanup_close_ int fd = -1;
        json_object *settings = NULL;
        int r;

        if (has_control_chars(name)) {
                log_error("name: control characters (0x00-0x1f, 0x7f) are not allowed in names");
                return CTL_ERR_USAGE;
        }
        r = parse_settings(argc, argv, &settings);
        if (r < 0)
                return r;
        p = json_object_new_object();
        if (!p) {
                json_object_put(settings);
                return log_error_errno(ENOMEM, "cannot build the request");
        }
        json_object_object_add(p, "kind", json_object_new_string(kind));
        json_object_object_add(p, "name", json_object_new_string(name));
        json_object_object_add(p, "settings", settings);
        if (c->persist)
                json_object_object_add(p, "persist", json_object_new_boolean(true));
        if (streq(kind, "file")) {
                r = open_file_endpoint(name, settings, &fd);
                if (r < 0)
                        return r;
                if (fd >= 0)
                        json_object_object_add(p, "fd", json_object_new_int(0));
        }

        r = ctl_call_with_fds(c, VW_INTERFACE ".Add", TAKE_PTR(p), &fd, fd >= 0 ? 1 : 0, false, &reply, NULL);
        if (r < 0)
                return r;
        if (json_out(c, reply))
                return 0;
        printf("added %s '%s'\n", kind, ctl_get_string(reply, "name") ?: name);
        if (ctl_get_string(reply, "file"))
                printf("persisted in %s\n", ctl_get_string(reply, "file"));
        return 0;
}

int verb_add(struct ctl *c, int argc, char **argv)
{
        return do_add(c, argv[1], argv[2], argc - 3, argv + 3);
}

static int do_remove(struct ctl *c, const char *name)
{
        _cleanup_json_ json_object *reply = NULL;
        json_object *p = json_object_new_object();
        int r;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        json_object_object_add(p, "name", json_object_new_string(name));
        if (c->persist)
                json_object_object_add(p, "persist", json_object_new_boolean(true));
        r = ctl_call(c, VW_INTERFACE ".Remove", p, false, &reply, NULL);
        if (r < 0)
                return r;
        if (json_out(c, reply))
                return 0;
        printf("removed '%s'\n", name);
        if (ctl_get_string(reply, "file"))
                printf("deleted %s\n", ctl_get_string(reply, "file"));
        return 0;
}

int verb_remove(struct ctl *c, int argc, char **argv)
{
        return do_remove(c, argv[1]);
}

int verb_route(struct ctl *c, int argc, char **argv)
{
        if (streq(argv[1], "add") && argc >= 3)
                return do_add(c, "route", argv[2], argc - 3, argv + 3);
        if (streq(argv[1], "remove") && argc == 3)
                return do_remove(c, argv[2]);
        log_error("usage: vwirectl route add NAME from=A to=B [key=value...] | route remove NAME");
        return CTL_ERR_USAGE;
}

/* All of stdin, NUL-terminated; -E2BIG past `max` bytes. */
static int read_stdin(size_t max, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                ssize_t n;

                if (cap - len < 4096 + 1) {
                        char *nb;

                        cap = cap ? cap * 2 : 65536;
                        nb = realloc(buf, cap);
                        if (!nb)
                                return log_error_errno(ENOMEM, "cannot read stdin");
                        buf = nb;
                }
                n = read(STDIN_FILENO, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "cannot read stdin");
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max) {
                        log_error("stdin holds more than %zu bytes; send it in parts (one request to vwired "
                                  "carries at most 1 MiB, and hex doubles the size)", max);
                        return -E2BIG;
                }
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int decode_hex(const char *hex, unsigned char **ret, size_t *ret_len)
{
        int r = hex ? vw_hex_decode(hex, ret, ret_len) : -EINVAL;

        if (r == -EINVAL) {
                log_error("the data is not hex: use pairs of 0-9a-f digits, "
                          "optionally split by spaces or colons");
                return CTL_ERR_USAGE;
        }
        if (r < 0)
                return log_error_errno(r, "cannot decode the hex data");
        return 0;
}

int verb_send(struct ctl *c, int argc, char **argv)
{
        const char *name = argv[1], *data = argv[2];
        _cleanup_json_ json_object *p = NULL, *reply = NULL;
        _cleanup_free_ unsigned char *bytes = NULL;
        _cleanup_free_ char *in = NULL;
        size_t len = 0;
        int64_t sent;
        int r;

        p = json_object_new_object();
        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        json_object_object_add(p, "name", json_object_new_string(name));

        if (streq(data, "-")) {
                /* Hex doubles the size: half the message limit is as much as can travel. */
                r = read_stdin(c->hex ? VW_VARLINK_MAX_MESSAGE : VW_VARLINK_MAX_MESSAGE / 2, &in, &len);
                if (r < 0)
                        return r;
                if (c->hex) {
                        /* A NUL byte would end the hex text early: refuse it like any non-hex.
                         * read_stdin() sets in whenever it returns 0; clang 14's analyzer loses
                         * that log_error_errno() returns < 0 and goes on with in unset. */
                        /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
                        r = decode_hex(memchr(in, 0, len) ? NULL : in, &bytes, &len);
                        if (r < 0)
                                return r;
                } else
                        bytes = (unsigned char *)TAKE_PTR(in);
        } else if (c->hex) {
                r = decode_hex(data, &bytes, &len);
                if (r < 0)
                        return r;
        } else if (utf8_is_valid(data)) {
                json_object_object_add(p, "text", json_object_new_string(data));
        } else {
                /* Not UTF-8, so not a JSON string: the bytes travel as they are, in hex. */
                len = strlen(data);
                bytes = (unsigned char *)strdup(data);
                if (!bytes)
                        return log_error_errno(ENOMEM, "cannot build the request");
        }

        if (bytes) {
                _cleanup_free_ char *hex = vw_hex_encode(bytes, len);

                if (!hex)
                        return log_error_errno(ENOMEM, "cannot build the request");
                json_object_object_add(p, "hex", json_object_new_string(hex));
        }

        r = ctl_call(c, VW_INTERFACE ".Send", TAKE_PTR(p), false, &reply, NULL);
        if (r < 0)
                return r;
        if (json_out(c, reply))
                return 0;
        if (ctl_get_int(reply, "bytes", &sent))
                printf("sent %" PRId64 " byte%s\n", sent, sent == 1 ? "" : "s");
        else
                printf("sent\n");
        return 0;
}

/* One line per event: "12:00:01.123 gps rx 5 | "hello"". */
static int monitor_print(struct ctl *c, const char *subscribed, json_object *p)
{
        const char *name = ctl_get_string(p, "name") ?: subscribed;
        const char *dir = ctl_get_string(p, "direction");
        const char *via = ctl_get_string(p, "via");
        const char *type = ctl_get_string(p, "type");
        const char *hex = ctl_get_string(p, "hex");
        _cleanup_free_ unsigned char *data = NULL;
        _cleanup_free_ char *shown = NULL;
        char clock[FORMAT_CLOCK_MAX];
        int64_t usec, lost, len;
        size_t n = 0;

        if (c->json) {
                print_json(stdout, p);
                return fflush(stdout) == 0 ? 0 : log_error_errno(errno, "cannot write the output");
        }

        if (!ctl_get_int(p, "realtime_usec", &usec) || usec < 0) {
                struct timespec ts;

                clock_gettime(CLOCK_REALTIME, &ts);
                usec = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        }
        format_clock(clock, (uint64_t)usec);

        if (ctl_get_int(p, "lost", &lost) && lost > 0)
                printf("%s %s lost %" PRId64 " event%s (the monitor could not keep up)\n", clock, name, lost,
                       lost == 1 ? "" : "s");

        if (hex) {
                if (vw_hex_decode(hex, &data, &n) < 0) {
                        log_error("vwired sent an event whose data is not hex");
                        return CTL_ERR_PROTOCOL;
                }
                if (!ctl_get_int(p, "len", &len))
                        len = (int64_t)n;
                if (!c->hex && type && streq(type, "events"))
                        shown = input_format_events(data, n);
                else if (c->hex || !data_is_text(data, n))
                        shown = data_to_hex(data, n);
                else
                        shown = data_to_quoted(data, n);
                if (!shown)
                        return log_error_errno(ENOMEM, "cannot format the output");

                printf("%s %s", clock, name);
                if (dir)
                        printf(" %s", dir);
                if (via)
                        printf(" %s", via);
                printf(" %" PRId64, len);
                if (type && !streq(type, "bytes"))
                        printf(" (%s)", type);
                printf(" | %s\n", shown);
        }
        return fflush(stdout) == 0 ? 0 : log_error_errno(errno, "cannot write the output");
}

int verb_monitor(struct ctl *c, int argc, char **argv)
{
        const char *name = argv[1];
        _cleanup_json_ json_object *reply = NULL;
        _cleanup_close_ int sigfd = -1;
        json_object *p;
        bool continues;
        sigset_t mask;
        int r;

        /*
         * ^C and SIGTERM end the monitor cleanly: they arrive on a signalfd polled next to the
         * socket. They stay blocked afterwards, so a pending one cannot kill us on the way out.
         */
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "cannot block signals");
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd < 0)
                return log_error_errno(errno, "cannot create a signalfd");
        c->sigfd = sigfd;

        p = json_object_new_object();
        if (!p) {
                r = log_error_errno(ENOMEM, "cannot build the request");
                goto finish;
        }
        json_object_object_add(p, "name", json_object_new_string(name));
        if (c->pcap_path) {
                r = monitor_pcap_open(c, name);
                if (r < 0) {
                        json_object_put(p);
                        goto finish;
                }
        }
        r = ctl_call(c, VW_INTERFACE ".Monitor", p, true, &reply, &continues);
        if (r < 0)
                goto finish;

        /* The first reply only confirms the subscription. */
        if (c->json && !c->pcap)
                r = monitor_print(c, name, reply);
        else if (isatty(STDERR_FILENO))
                fprintf(stderr, "monitoring %s, press ^C to stop\n", name);

        while (r >= 0 && continues) {
                json_object_put(TAKE_PTR(reply));
                r = ctl_next(c, &reply, &continues);
                if (r == CTL_ERR_CLOSED)
                        log_error("vwired closed the connection; the monitor of '%s' ended", name);
                if (r < 0)
                        goto finish;
                r = c->pcap ? monitor_pcap_write(c, reply) : monitor_print(c, name, reply);
        }
        if (r >= 0) {
                const char *ended = ctl_get_string(reply, "ended");

                if (ended && streq(ended, "removed"))
                        log_info("'%s' was removed; the monitor ended", name);
                else if (ended)
                        log_info("the monitor of '%s' ended: %s", name, ended);
                else
                        log_info("vwired ended the monitor of '%s'", name);
        }

finish:
        c->sigfd = -1;
        monitor_pcap_close(c);
        return r == -EINTR ? 0 : r;
}

int verb_reload(struct ctl *c, int argc, char **argv)
{
        static const char *const lists[] = { "added", "removed", "changed" };
        _cleanup_json_ json_object *p = NULL;
        int64_t unchanged;
        int r;

        r = ctl_call(c, VW_INTERFACE ".Reload", NULL, false, &p, NULL);
        if (r < 0)
                return r;
        if (json_out(c, p))
                return 0;

        for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
                _cleanup_free_ char *names = json_join(get_member(p, lists[i], json_type_array), " ");

                if (!names)
                        return log_error_errno(ENOMEM, "cannot format the output");
                printf("%s: %s\n", lists[i], names);
        }
        if (ctl_get_int(p, "unchanged", &unchanged))
                printf("unchanged: %" PRId64 "\n", unchanged);
        else
                printf("unchanged: -\n");
        return 0;
}

int verb_version(struct ctl *c, int argc, char **argv)
{
        _cleanup_json_ json_object *o = NULL;
        json_object *me, *daemon;
        int r;

        /* Print what is known even when the daemon is missing or out of step, then fail. */
        r = ctl_open(c);

        if (!c->json) {
                printf("vwirectl %s (protocol %d)\n", VWIRE_VERSION, VWIRE_PROTOCOL);
                if (c->daemon_version) {
                        printf("vwired %s (protocol %" PRId64, c->daemon_version, c->daemon_protocol);
                        if (c->daemon_pid >= 0)
                                printf(", pid %" PRId64, c->daemon_pid);
                        printf(")\n");
                }
                return r;
        }

        o = json_object_new_object();
        me = json_object_new_object();
        if (!o || !me) {
                json_object_put(me);
                return log_error_errno(ENOMEM, "cannot format the output");
        }
        json_object_object_add(me, "version", json_object_new_string(VWIRE_VERSION));
        json_object_object_add(me, "protocol", json_object_new_int(VWIRE_PROTOCOL));
        json_object_object_add(o, "vwirectl", me);
        if (c->daemon_version) {
                daemon = json_object_new_object();
                if (!daemon)
                        return log_error_errno(ENOMEM, "cannot format the output");
                json_object_object_add(daemon, "version", json_object_new_string(c->daemon_version));
                json_object_object_add(daemon, "protocol", json_object_new_int64(c->daemon_protocol));
                if (c->daemon_pid >= 0)
                        json_object_object_add(daemon, "pid", json_object_new_int64(c->daemon_pid));
                json_object_object_add(o, "vwired", daemon);
        }
        print_json(stdout, o);
        return r;
}
