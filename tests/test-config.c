/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the config files: common/conffile.c (INI files, file:line of everything),
 * common/conf-parse.c's key tables and, through `vwired --check`, the validation of a whole
 * configuration. The value parsers themselves are in test-conf-parse.c.
 *
 * Data-driven from tests/data/config/ (see its README.md): the test changes into that directory
 * and names files relative to it, so messages read "bad-x.conf:3: ...".
 *   good-*.conf    parse and pass the test key tables without a single error
 *   bad-*.conf     produce exactly the lines of bad-*.expected
 *   check-*.conf   `vwired --check` prints exactly check-*.expected on stderr (empty: exit 0)
 * Environment: VW_CONFIG_DATA (the data directory) and VWIRED (the daemon), set by meson.
 */
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf-parse.h"
#include "conffile.h"
#include "macro.h"
#include "test-common.h"

#define RUNTIME_DIR "/run/vwire-test"

static const char *vwired;
static glob_t good_files, bad_files, check_files;

/* ---- helpers ---- */

/* All of f, from its start (never NULL). */
static char *slurp(FILE *f)
{
        char *text = NULL;
        size_t len = 0;

        rewind(f);
        if (getdelim(&text, &len, 0, f) < 0) {
                ck_assert_msg(!ferror(f), "cannot read back a file");
                free(text);
                text = strdup("");
        }
        fclose(f);
        return text;
}

static char *read_text(const char *path)
{
        FILE *f = fopen(path, "re");

        ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
        return slurp(f);
}

/* The lines of `text` (modified in place); a final newline does not start another line. */
static size_t split_lines(char *text, char **lines, size_t max)
{
        size_t n = 0;

        for (char *p = text; *p && n < max;) {
                char *nl = strchr(p, '\n');
                lines[n++] = p;
                if (!nl)
                        break;
                *nl = 0;
                p = nl + 1;
        }
        return n;
}

/* An expected line matches exactly, or by prefix when it ends in "...". */
static bool line_matches(const char *expected, const char *got)
{
        size_t n = strlen(expected);

        if (n >= 3 && streq(expected + n - 3, "..."))
                return strneq(expected, got, n - 3);
        return streq(expected, got);
}

/* Compare messages with the lines of an expected file; on a mismatch show everything. */
static void assert_lines(const char *what, char **got, size_t n_got, const char *golden)
{
        _cleanup_free_ char *text = read_text(golden);
        char *want[256], all[16384] = "";
        size_t n_want = split_lines(text, want, ELEMENTSOF(want));

        for (size_t i = 0; i < n_got; i++)
                snprintf(all + strlen(all), sizeof(all) - strlen(all), "  %s\n", got[i]);
        ck_assert_msg(n_got == n_want, "%s: %zu lines, %s has %zu; got:\n%s", what, n_got, golden, n_want, all);
        for (size_t i = 0; i < n_got; i++)
                ck_assert_msg(line_matches(want[i], got[i]), "%s: line %zu\n  expected: %s\n  got:      %s\nall:\n%s",
                              what, i + 1, want[i], got[i], all);
}

static char *errors_text(const struct vw_errors *e)
{
        char *s = vw_errors_join(e);

        ck_assert_ptr_nonnull(s);
        return s;
}

static void assert_no_errors(const char *what, const struct vw_errors *e)
{
        _cleanup_free_ char *s = errors_text(e);

        ck_assert_msg(e->n == 0, "%s: %zu unexpected errors:\n%s", what, e->n, s);
}

static void assert_one_error(const struct vw_errors *e, const char *msg)
{
        _cleanup_free_ char *s = errors_text(e);

        ck_assert_msg(e->n == 1 && streq(e->msgs[0], msg), "expected the single error\n  %s\ngot:\n%s", msg, s);
}

static struct vw_config *parse_file(const char *path, struct vw_errors *errs)
{
        struct vw_config *c = vw_config_new();

        ck_assert_ptr_nonnull(c);
        ck_assert_msg(vw_config_parse_file(c, path, errs) == 0, "%s: cannot read", path);
        return c;
}

static const struct vw_section *section(const struct vw_config *c, size_t i, const char *kind, const char *name,
                                        unsigned line)
{
        const struct vw_section *s;

        ck_assert_uint_gt(c->n_sections, i);
        s = c->sections[i];
        ck_assert_str_eq(s->kind, kind);
        if (name)
                ck_assert_str_eq(s->name, name);
        else
                ck_assert_ptr_null(s->name);
        ck_assert_uint_eq(s->line, line);
        return s;
}

static void assert_setting(const struct vw_section *s, const char *key, const char *value, unsigned line)
{
        const struct vw_setting *st = vw_section_get(s, key);

        ck_assert_msg(st, "[%s %s]: no key '%s'", s->kind, s->name ? s->name : "", key);
        ck_assert_str_eq(st->value, value);
        ck_assert_uint_eq(st->line, line);
}

/* ---- a key schema shaped like vwired's backends, so files can carry bad values of every type ---- */

struct values {
        char *path, *control_socket, *runtime_dir, *log_level, *input_name;
        mode_t mode;
        uid_t owner;
        gid_t group;
        bool raw, duplex, append;
        int lb_mode, overflow;
        struct vw_bytes pattern;
        uint64_t rate, reconnect, reconnect_max;
        size_t chunk, count, buffer;
        struct vw_address listen, connect;
        unsigned max_clients;
        struct vw_names from, to;
};

static const char *const lb_modes[] = { "echo", "sink", "source", NULL };
static const char *const overflow_modes[] = { "block", "drop-new", "drop-old", NULL };

#define KEY(name, parser, field, ...) { name, parser, offsetof(struct values, field), __VA_ARGS__ }
static const struct vw_key daemon_keys[] = {
        KEY("control-socket", vw_parse_path, control_socket),
        KEY("runtime-directory", vw_parse_path, runtime_dir),
        KEY("log-level", vw_parse_string, log_level),
        {}
};
static const struct vw_key serial_keys[] = {
        KEY("path", vw_parse_path, path),
        KEY("mode", vw_parse_mode, mode),
        KEY("owner", vw_parse_user, owner),
        KEY("group", vw_parse_group, group),
        KEY("raw", vw_parse_bool, raw),
        {}
};
static const struct vw_key loopback_keys[] = {
        KEY("mode", vw_parse_enum, lb_mode, lb_modes, true),
        KEY("pattern", vw_parse_text, pattern),
        KEY("rate", vw_parse_rate, rate),
        KEY("chunk", vw_parse_size, chunk),
        KEY("count", vw_parse_size, count),
        {}
};
static const struct vw_key socket_keys[] = {
        KEY("listen", vw_parse_address, listen),
        KEY("connect", vw_parse_address, connect),
        KEY("max-clients", vw_parse_uint, max_clients),
        KEY("reconnect", vw_parse_duration, reconnect),
        KEY("reconnect-max", vw_parse_duration, reconnect_max),
        KEY("mode", vw_parse_mode, mode),
        {}
};
static const struct vw_key file_keys[] = {
        KEY("path", vw_parse_path, path, NULL, true),
        KEY("append", vw_parse_bool, append),
        {}
};
static const struct vw_key input_keys[] = {
        KEY("name", vw_parse_string, input_name),
        {}
};
static const struct vw_key route_keys[] = {
        KEY("from", vw_parse_names, from, NULL, true),
        KEY("to", vw_parse_names, to, NULL, true),
        KEY("duplex", vw_parse_bool, duplex),
        KEY("overflow", vw_parse_enum, overflow, overflow_modes),
        KEY("buffer", vw_parse_size, buffer),
        {}
};

static const struct vw_key *schema_keys(const char *kind)
{
        static const struct {
                const char *kind;
                const struct vw_key *keys;
        } schema[] = {
                { "daemon", daemon_keys }, { "serial", serial_keys }, { "loopback", loopback_keys },
                { "socket", socket_keys }, { "file", file_keys },     { "input", input_keys },
                { "route", route_keys },
        };

        for (size_t i = 0; i < ELEMENTSOF(schema); i++)
                if (streq(schema[i].kind, kind))
                        return schema[i].keys;
        ck_abort_msg("no test schema for [%s]", kind);
        return NULL;
}

static const char *const skip_backend[] = { "backend", NULL };

/* Apply the schema to s; the caller frees v with values_free(). */
static int values_apply(const struct vw_section *s, struct values *v, struct vw_errors *errs)
{
        *v = (struct values){};
        return vw_keys_apply(schema_keys(s->kind), s, skip_backend, v, errs);
}

static void values_free(const struct vw_section *s, struct values *v)
{
        vw_keys_free(schema_keys(s->kind), v);
}

static void schema_apply(const struct vw_config *c, struct vw_errors *errs)
{
        for (size_t i = 0; i < c->n_sections; i++) {
                struct values v;
                (void)values_apply(c->sections[i], &v, errs);
                values_free(c->sections[i], &v);
        }
}

/* ---- data files ---- */

START_TEST(test_data_present)
{
        /* a glob that silently matched nothing would make the loops below pass vacuously */
        ck_assert_uint_ge(good_files.gl_pathc, 6);
        ck_assert_uint_ge(bad_files.gl_pathc, 23);
        ck_assert_uint_ge(check_files.gl_pathc, 9);
        ck_assert_msg(vwired && access(vwired, X_OK) == 0, "VWIRED is not set to an executable: %s",
                      vwired ? vwired : "(unset)");
}
END_TEST

START_TEST(test_good_file)
{
        const char *file = good_files.gl_pathv[_i];
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = NULL;

        vw_conf_set_runtime_dir(RUNTIME_DIR);
        c = parse_file(file, &errs);
        assert_no_errors(file, &errs);
        schema_apply(c, &errs);
        assert_no_errors(file, &errs);
        ck_assert_uint_eq(c->n_files, 1);
        ck_assert_str_eq(c->files[0], file);
        for (size_t i = 0; i < c->n_sections; i++) {
                ck_assert_str_eq(c->sections[i]->file, file);
                ck_assert_uint_gt(c->sections[i]->line, 0);
                for (size_t j = 0; j < c->sections[i]->n_settings; j++)
                        ck_assert_uint_gt(c->sections[i]->settings[j].line, c->sections[i]->line);
        }
        vw_conf_set_runtime_dir(NULL);
}
END_TEST

START_TEST(test_bad_file)
{
        const char *file = bad_files.gl_pathv[_i];
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = NULL;
        char expected[PATH_MAX];

        vw_conf_set_runtime_dir(RUNTIME_DIR);
        c = parse_file(file, &errs);
        schema_apply(c, &errs);
        snprintf(expected, sizeof(expected), "%.*s.expected", (int)(strlen(file) - strlen(".conf")), file);
        assert_lines(file, errs.msgs, errs.n, expected);
        vw_conf_set_runtime_dir(NULL);
}
END_TEST

/* Run `vwired --check` on conf; returns its stderr, with its exit status and stdout. */
static char *run_check(const char *conf, int *status, char **out)
{
        FILE *fo = tmpfile(), *fe = tmpfile();
        pid_t pid;
        int st;

        ck_assert_ptr_nonnull(fo);
        ck_assert_ptr_nonnull(fe);
        fflush(NULL);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                dup2(fileno(fo), STDOUT_FILENO);
                dup2(fileno(fe), STDERR_FILENO);
                execl(vwired, "vwired", "--check", "--config", conf, "--runtime-dir", RUNTIME_DIR, (char *)NULL);
                _exit(127);
        }
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert_msg(WIFEXITED(st), "%s: vwired --check did not exit (status %#x)", conf, st);
        *status = WEXITSTATUS(st);
        *out = slurp(fo);
        return slurp(fe);
}

START_TEST(test_check_file)
{
        const char *file = check_files.gl_pathv[_i];
        _cleanup_free_ char *out = NULL, *err = NULL, *want = NULL;
        char expected[PATH_MAX], *lines[256], ok[PATH_MAX + 8];
        size_t n;
        int status;

        snprintf(expected, sizeof(expected), "%.*s.expected", (int)(strlen(file) - strlen(".conf")), file);
        want = read_text(expected);
        err = run_check(file, &status, &out);
        ck_assert_msg(status != 127, "cannot run %s", vwired);
        if (strstr(err, "this vwired has no backend for '") && !strstr(want, "this vwired has no backend for '")) {
                /* the backend this file needs is not built in: nothing to compare */
                fprintf(stderr, "%s: skipped, %s", file, err);
                return;
        }
        n = split_lines(err, lines, ELEMENTSOF(lines));
        assert_lines(file, lines, n, expected);
        if (*want) {
                ck_assert_msg(status == 1, "%s: vwired --check exited %d, expected 1", file, status);
                return;
        }
        ck_assert_msg(status == 0, "%s: vwired --check exited %d, expected 0", file, status);
        snprintf(ok, sizeof(ok), "%s: OK (", file);
        ck_assert_msg(strneq(out, ok, strlen(ok)), "%s: unexpected output '%s'", file, out);
}
END_TEST

/* ---- particular files ---- */

START_TEST(test_good_full)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = parse_file("good-full.conf", &errs);
        const struct vw_section *s;
        struct values v;

        assert_no_errors("good-full.conf", &errs);
        ck_assert_uint_eq(c->n_sections, 9);
        s = section(c, 0, "daemon", NULL, 2);
        assert_setting(s, "control-socket", "%t/control.sock", 3);
        s = section(c, 1, "serial", "gps", 6);
        assert_setting(s, "backend", "pty", 7);
        ck_assert_int_eq(values_apply(s, &v, &errs), 0);
        ck_assert_str_eq(v.path, "/dev/ttyV0");
        ck_assert_uint_eq(v.mode, 0660);
        ck_assert(v.raw);
        values_free(s, &v);
        section(c, 2, "loopback", "echo0", 12);
        s = section(c, 3, "loopback", "gen", 15);
        ck_assert_int_eq(values_apply(s, &v, &errs), 0);
        ck_assert_int_eq(v.lb_mode, 2);
        ck_assert_uint_eq(v.pattern.len, 8);
        ck_assert_mem_eq(v.pattern.data, "$GPGGA\r\n", 8);
        ck_assert_uint_eq(v.rate, 9600);
        ck_assert_uint_eq(v.chunk, 64);
        ck_assert_uint_eq(v.count, 1024 * 1024);
        values_free(s, &v);
        section(c, 4, "socket", "net", 22);
        s = section(c, 5, "socket", "uplink", 26);
        ck_assert_int_eq(values_apply(s, &v, &errs), 0);
        ck_assert_int_eq(v.connect.family, VW_ADDR_TCP);
        ck_assert_str_eq(v.connect.host, "::1");
        ck_assert_uint_eq(v.connect.port, 4002);
        ck_assert_uint_eq(v.reconnect, 500000);
        ck_assert_uint_eq(v.reconnect_max, 60000000);
        values_free(s, &v);
        section(c, 6, "file", "log", 31);
        s = section(c, 7, "input", "kbd", 34);
        assert_setting(s, "name", "vwire keyboard", 35);
        s = section(c, 8, "route", "gps-out", 37);
        ck_assert_int_eq(values_apply(s, &v, &errs), 0);
        ck_assert_uint_eq(v.to.n, 2);
        ck_assert_str_eq(v.to.names[0], "net");
        ck_assert_str_eq(v.to.names[1], "log");
        ck_assert_int_eq(v.overflow, 2);
        ck_assert_uint_eq(v.buffer, 65536);
        values_free(s, &v);
        ck_assert_ptr_eq(vw_config_find(c, "route", "gps-out"), s);
        ck_assert_ptr_eq(vw_config_find_name(c, "gps-out"), s);
        ck_assert_ptr_null(vw_config_find(c, "serial", "gps-out"));
        ck_assert_ptr_eq(vw_config_find(c, "daemon", NULL), c->sections[0]);
        assert_no_errors("good-full.conf", &errs);
}
END_TEST

START_TEST(test_good_continuation)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = parse_file("good-continuation.conf", &errs);
        const struct vw_section *s;

        assert_no_errors("good-continuation.conf", &errs);
        ck_assert_uint_eq(c->n_sections, 2);
        s = section(c, 0, "route", "fan", 2);
        ck_assert_uint_eq(s->n_settings, 4);
        assert_setting(s, "from", "a, b, c", 3);
        assert_setting(s, "to", "d e", 6);
        assert_setting(s, "duplex", "yes", 8);   /* indented keys are keys */
        assert_setting(s, "overflow", "drop-new", 9);
        s = section(c, 1, "route", "empty-first", 11);
        assert_setting(s, "from", "x", 12);
        assert_setting(s, "to", "y z", 14);
}
END_TEST

START_TEST(test_good_expand)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = parse_file("good-expand.conf", &errs);
        struct values v;

        vw_conf_set_runtime_dir("/run/user/1000/vwire");
        ck_assert_int_eq(values_apply(c->sections[0], &v, &errs), 0);
        ck_assert_str_eq(v.path, "/run/user/1000/vwire/ttyV0");
        values_free(c->sections[0], &v);
        ck_assert_int_eq(values_apply(c->sections[1], &v, &errs), 0);
        ck_assert_str_eq(v.path, "/dev/100%-/run/user/1000/vwire");
        values_free(c->sections[1], &v);
        ck_assert_int_eq(values_apply(c->sections[2], &v, &errs), 0);
        ck_assert_int_eq(v.listen.family, VW_ADDR_UNIX);
        ck_assert_str_eq(v.listen.path, "/run/user/1000/vwire/s.sock");
        ck_assert_str_eq(v.listen.text, "unix:%t/s.sock");
        values_free(c->sections[2], &v);
        /* the section keeps the text as written: a reload compares what the files say */
        assert_setting(c->sections[0], "path", "%t/ttyV0", 3);
        vw_conf_set_runtime_dir(NULL);
        assert_no_errors("good-expand.conf", &errs);
}
END_TEST

START_TEST(test_good_comments)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = parse_file("good-comments.conf", &errs);
        const struct vw_section *s;

        assert_no_errors("good-comments.conf", &errs);
        ck_assert_uint_eq(c->n_sections, 2);
        s = section(c, 0, "serial", "a", 4);
        ck_assert_uint_eq(s->n_settings, 3);
        assert_setting(s, "path", "/dev/ttyV0", 5);
        assert_setting(s, "mode", "0600", 6);
        assert_setting(s, "raw", "no", 7);
        section(c, 1, "loopback", "l", 9);
}
END_TEST

START_TEST(test_good_daemon_repeat)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = parse_file("good-daemon-repeat.conf", &errs);
        const struct vw_section *s;

        assert_no_errors("good-daemon-repeat.conf", &errs);
        ck_assert_uint_eq(c->n_sections, 2);
        s = section(c, 0, "daemon", NULL, 2);
        ck_assert_uint_eq(s->n_settings, 2);
        assert_setting(s, "log-level", "debug", 10);
        assert_setting(s, "runtime-directory", "/run/a", 4);
        ck_assert_str_eq(vw_setting_file(s, vw_section_get(s, "log-level")), "good-daemon-repeat.conf");
}
END_TEST

START_TEST(test_rejected_lines_change_nothing)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = parse_file("bad-dup-key.conf", &errs);
        _cleanup_(vw_config_freep) struct vw_config *c2 = NULL;
        _cleanup_(vw_config_freep) struct vw_config *c3 = NULL;
        const struct vw_section *s;

        /* the duplicate key and its continuation line leave the first value alone */
        s = section(c, 0, "serial", "a", 1);
        ck_assert_uint_eq(s->n_settings, 2);
        assert_setting(s, "path", "/dev/ttyV0", 2);
        assert_setting(s, "mode", "0660", 3);
        /* a duplicate section does not take the keys that follow it */
        c2 = parse_file("bad-dup-section.conf", &errs);
        ck_assert_uint_eq(c2->n_sections, 2);
        assert_setting(section(c2, 0, "serial", "a", 1), "path", "/dev/ttyV0", 2);
        /* an indented header is a header, not the continuation of the key above it */
        c3 = vw_config_new();
        ck_assert_int_eq(vw_config_parse_string(c3, "[serial a]\npath = /a\n  [serial b]\nmode = 1\n", "s", &errs),
                         0);
        ck_assert_uint_eq(c3->n_sections, 2);
        ck_assert_uint_eq(c3->sections[0]->n_settings, 1);
        assert_setting(c3->sections[0], "path", "/a", 2);
        assert_setting(section(c3, 1, "serial", "b", 3), "mode", "1", 4);
        ck_assert_uint_eq(c3->sections[1]->n_settings, 1);
}
END_TEST

/* ---- loading the standard set ---- */

START_TEST(test_dropin_order)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = NULL;
        const struct vw_section *d;

        ck_assert_int_eq(vw_config_load("dropin-order/vwire.conf", true, "dropin-order/vwire.conf.d", &c, &errs), 0);
        assert_no_errors("dropin-order", &errs);
        ck_assert_uint_eq(c->n_files, 3);
        ck_assert_str_eq(c->files[0], "dropin-order/vwire.conf");
        ck_assert_str_eq(c->files[1], "dropin-order/vwire.conf.d/10-x.conf");
        ck_assert_str_eq(c->files[2], "dropin-order/vwire.conf.d/20-y.conf");
        ck_assert_uint_eq(c->n_sections, 4);
        d = section(c, 0, "daemon", NULL, 2);
        ck_assert_str_eq(d->file, "dropin-order/vwire.conf");
        section(c, 1, "serial", "main", 6);
        ck_assert_str_eq(section(c, 2, "loopback", "x", 5)->file, "dropin-order/vwire.conf.d/10-x.conf");
        ck_assert_str_eq(section(c, 3, "loopback", "y", 5)->file, "dropin-order/vwire.conf.d/20-y.conf");
        /* later files win for [daemon], and every key remembers where it came from */
        assert_setting(d, "log-level", "debug", 3);
        ck_assert_str_eq(vw_setting_file(d, vw_section_get(d, "log-level")), "dropin-order/vwire.conf.d/20-y.conf");
        assert_setting(d, "runtime-directory", "/run/main", 4);
        ck_assert_str_eq(vw_setting_file(d, vw_section_get(d, "runtime-directory")), "dropin-order/vwire.conf");
        assert_setting(d, "control-socket", "relative.sock", 3);
        schema_apply(c, &errs);
        assert_one_error(&errs, "dropin-order/vwire.conf.d/10-x.conf:3: control-socket: expected an absolute path "
                                "(or one starting with %t), got 'relative.sock'");
        /* a copy keeps the origin of each key */
        {
                struct vw_section *dup = vw_section_dup(d);
                ck_assert_ptr_nonnull(dup);
                ck_assert(vw_section_equal(dup, d));
                ck_assert_str_eq(vw_setting_file(dup, vw_section_get(dup, "control-socket")),
                                 "dropin-order/vwire.conf.d/10-x.conf");
                vw_section_free(dup);
        }
}
END_TEST

START_TEST(test_dropin_duplicate)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        struct vw_config *c = NULL;

        ck_assert_int_eq(vw_config_load("dropin-dup/vwire.conf", true, "dropin-dup/vwire.conf.d", &c, &errs),
                         -EINVAL);
        ck_assert_ptr_null(c);
        assert_lines("dropin-dup", errs.msgs, errs.n, "dropin-dup.expected");
}
END_TEST

START_TEST(test_load_missing)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        struct vw_config *c = NULL;

        ck_assert_int_eq(vw_config_load("no-such.conf", true, NULL, &c, &errs), -EINVAL);
        ck_assert_ptr_null(c);
        assert_one_error(&errs, "no-such.conf: cannot read: No such file or directory");
        vw_errors_done(&errs);

        /* optional main file, missing drop-in directory: an empty configuration */
        ck_assert_int_eq(vw_config_load("no-such.conf", false, "no-such.conf.d", &c, &errs), 0);
        ck_assert_ptr_nonnull(c);
        ck_assert_uint_eq(c->n_sections, 0);
        ck_assert_uint_eq(c->n_files, 0);
        vw_config_free(c);
        c = NULL;

        /* drop-ins alone */
        ck_assert_int_eq(vw_config_load(NULL, false, "dropin-order/vwire.conf.d", &c, &errs), 0);
        ck_assert_uint_eq(c->n_files, 2);
        vw_config_free(c);
        c = NULL;

        /* a drop-in "directory" that is a file */
        ck_assert_int_eq(vw_config_load(NULL, false, "good-full.conf", &c, &errs), -EINVAL);
        ck_assert_ptr_null(c);
        assert_one_error(&errs, "good-full.conf: cannot read directory: Not a directory");

        /* one file: the caller reports -ENOENT */
        c = vw_config_new();
        ck_assert_int_eq(vw_config_parse_file(c, "no-such.conf", &errs), -ENOENT);
        vw_config_free(c);
}
END_TEST

/* ---- parsing strings ---- */

static struct vw_config *parse_string(const char *text, struct vw_errors *errs)
{
        struct vw_config *c = vw_config_new();

        ck_assert_int_eq(vw_config_parse_string(c, text, "text", errs), 0);
        return c;
}

START_TEST(test_parse_string)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        struct vw_config *c;
        char *long_text;

        /* CRLF line ends, no newline at the end, a byte order mark */
        c = parse_string("\xEF\xBB\xBF[serial a]\r\npath = /a\r\n\r\n[loopback b]\r\nmode = echo", &errs);
        assert_no_errors("crlf", &errs);
        ck_assert_uint_eq(c->n_sections, 2);
        assert_setting(section(c, 0, "serial", "a", 1), "path", "/a", 2);
        assert_setting(section(c, 1, "loopback", "b", 4), "mode", "echo", 5);
        ck_assert_str_eq(c->files[0], "text");
        vw_config_free(c);

        /* the label names the source in messages */
        c = parse_string("[serial a]\nbogus\n", &errs);
        assert_one_error(&errs, "text:2: expected 'key = value', got 'bogus'");
        vw_errors_done(&errs);
        vw_config_free(c);

        /* an over-long line in a string, and the line after it still counted */
        ck_assert_int_ge(asprintf(&long_text, "[serial a]\npath = /%0*d\nbogus\n", 9000, 0), 0);
        c = parse_string(long_text, &errs);
        ck_assert_uint_eq(errs.n, 2);
        ck_assert_str_eq(errs.msgs[0], "text:2: line too long (more than 4094 characters)");
        ck_assert_str_eq(errs.msgs[1], "text:3: expected 'key = value', got 'bogus'");
        free(long_text);
        vw_config_free(c);
        vw_errors_done(&errs);

        /* empty input */
        c = parse_string("", &errs);
        assert_no_errors("empty", &errs);
        ck_assert_uint_eq(c->n_sections, 0);
        vw_config_free(c);
}
END_TEST

/* ---- sections, names and error lists ---- */

START_TEST(test_section_api)
{
        _cleanup_(vw_section_freep) struct vw_section *a = vw_section_new("serial", "gps", "f.conf", 3);
        _cleanup_(vw_section_freep) struct vw_section *b = NULL, *d = vw_section_new("daemon", NULL, NULL, 1);
        char label[64];

        ck_assert_ptr_nonnull(a);
        ck_assert_int_eq(vw_section_set(a, "path", "/a", 4), 0);
        ck_assert_int_eq(vw_section_set(a, "mode", "0660", 5), 0);
        ck_assert_str_eq(vw_section_value(a, "mode"), "0660");
        ck_assert_ptr_null(vw_section_value(a, "raw"));
        ck_assert_ptr_null(vw_section_get(a, "raw"));
        ck_assert_str_eq(vw_section_label(a, label, sizeof(label)), "serial gps");
        ck_assert_str_eq(vw_section_label(d, label, sizeof(label)), "daemon");
        ck_assert_str_eq(d->file, "");
        ck_assert_str_eq(vw_setting_file(a, vw_section_get(a, "path")), "f.conf");

        /* equal ignores order, file and line; not values, keys, kind or name */
        b = vw_section_new("serial", "gps", "other.conf", 9);
        ck_assert_int_eq(vw_section_set(b, "mode", "0660", 1), 0);
        ck_assert(!vw_section_equal(a, b));
        ck_assert_int_eq(vw_section_set(b, "path", "/a", 2), 0);
        ck_assert(vw_section_equal(a, b));
        free(b->settings[1].value);
        b->settings[1].value = strdup("/b");
        ck_assert(!vw_section_equal(a, b));
        ck_assert(!vw_section_equal(a, d));
        vw_section_free(b);
        b = vw_section_dup(a);
        ck_assert(vw_section_equal(a, b));
        ck_assert_str_eq(b->file, "f.conf");
        ck_assert_uint_eq(b->line, 3);
        ck_assert_uint_eq(vw_section_get(b, "mode")->line, 5);
        free(b->name);
        b->name = strdup("gps2");
        ck_assert(!vw_section_equal(a, b));

        ck_assert(vw_section_kinds_contains("route"));
        ck_assert(!vw_section_kinds_contains("Route"));
        ck_assert(!vw_section_kinds_contains(""));
        vw_section_free(NULL);
        vw_config_free(NULL);
}
END_TEST

START_TEST(test_names)
{
        static const struct {
                const char *name;
                bool valid;
        } cases[] = {
                { "a", true },          { "gps0", true },   { "GPS_0", true },  { "a.b-c:d@e", true },
                { "0", true },          { "", false },      { "-a", false },    { ".a", false },
                { "a b", false },       { "a/b", false },   { "a,b", false },   { "a%t", false },
                { "ä", false },         { "a]", false },    { "a=b", false },
        };
        char name[80];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                ck_assert_msg(vw_name_is_valid(cases[i].name) == cases[i].valid, "'%s'", cases[i].name);
        memset(name, 'n', sizeof(name));
        name[64] = 0;
        ck_assert(vw_name_is_valid(name));
        name[64] = 'n';
        name[65] = 0;
        ck_assert(!vw_name_is_valid(name));
}
END_TEST

START_TEST(test_errors)
{
        _cleanup_(vw_errors_done) struct vw_errors e = {};
        _cleanup_free_ char *empty = NULL, *all = NULL;

        empty = errors_text(&e);
        ck_assert_str_eq(empty, "");
        vw_errors_add(&e, "f.conf", 3, "bad %s", "thing");
        vw_errors_add(&e, "f.conf", 0, "cannot read: %s", "reason");
        vw_errors_add(&e, NULL, 7, "no file");
        ck_assert_uint_eq(e.n, 3);
        all = errors_text(&e);
        ck_assert_str_eq(all, "f.conf:3: bad thing\nf.conf: cannot read: reason\nno file");
        vw_errors_done(&e);
        ck_assert_uint_eq(e.n, 0);
        ck_assert_ptr_null(e.msgs);
}
END_TEST

/* ---- key tables ---- */

START_TEST(test_keys_apply)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_section_freep) struct vw_section *s = vw_section_new("serial", "a", "f.conf", 10);
        struct values v;

        ck_assert_int_eq(vw_section_set(s, "backend", "anything", 11), 0);
        ck_assert_int_eq(vw_section_set(s, "path", "/dev/x", 12), 0);
        ck_assert_int_eq(values_apply(s, &v, &errs), 0);
        ck_assert_str_eq(v.path, "/dev/x");
        values_free(s, &v);
        ck_assert_ptr_null(v.path);

        /* without the skip list "backend" is just another unknown key */
        v = (struct values){};
        ck_assert_int_eq(vw_keys_apply(serial_keys, s, NULL, &v, &errs), -EINVAL);
        assert_one_error(&errs, "f.conf:11: unknown key 'backend' in [serial a]");
        vw_keys_free(serial_keys, &v);
        vw_errors_done(&errs);

        /* every problem is reported, not only the first; values parsed before stay parsed */
        ck_assert_int_eq(vw_section_set(s, "mode", "999", 13), 0);
        ck_assert_int_eq(vw_section_set(s, "raw", "perhaps", 14), 0);
        ck_assert_int_eq(values_apply(s, &v, &errs), -EINVAL);
        ck_assert_uint_eq(errs.n, 2);
        ck_assert_str_eq(errs.msgs[0], "f.conf:13: mode: expected an octal mode such as 0660, got '999'");
        ck_assert_str_eq(errs.msgs[1], "f.conf:14: raw: expected yes or no, got 'perhaps'");
        ck_assert_str_eq(v.path, "/dev/x");
        values_free(s, &v);
        vw_errors_done(&errs);

        /* no table at all: fine as long as every key is skipped */
        ck_assert_int_eq(vw_keys_apply(NULL, s, (const char *const[]){ "backend", "path", "mode", "raw", NULL },
                                       &v, &errs), 0);
        vw_keys_free(NULL, &v);
}
END_TEST

static Suite *config_suite(void)
{
        Suite *s = suite_create("config");
        TCase *tc;

        tc = vw_test_case(s, "files");
        tcase_add_test(tc, test_data_present);
        tcase_add_loop_test(tc, test_good_file, 0, (int)good_files.gl_pathc);
        tcase_add_loop_test(tc, test_bad_file, 0, (int)bad_files.gl_pathc);
        tcase_add_test(tc, test_good_full);
        tcase_add_test(tc, test_good_continuation);
        tcase_add_test(tc, test_good_expand);
        tcase_add_test(tc, test_good_comments);
        tcase_add_test(tc, test_good_daemon_repeat);
        tcase_add_test(tc, test_rejected_lines_change_nothing);
        tcase_add_test(tc, test_parse_string);

        tc = vw_test_case(s, "load");
        tcase_add_test(tc, test_dropin_order);
        tcase_add_test(tc, test_dropin_duplicate);
        tcase_add_test(tc, test_load_missing);

        tc = vw_test_case(s, "api");
        tcase_add_test(tc, test_section_api);
        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_errors);
        tcase_add_test(tc, test_keys_apply);

        tc = vw_test_case(s, "check");
        tcase_add_loop_test(tc, test_check_file, 0, (int)check_files.gl_pathc);
        return s;
}

int main(void)
{
        const char *data = getenv("VW_CONFIG_DATA");
        int r;

        if (!data || chdir(data) < 0) {
                fprintf(stderr, "test-config: set VW_CONFIG_DATA to tests/data/config (meson test does)\n");
                return EXIT_FAILURE;
        }
        vwired = getenv("VWIRED");
        /* sorted, so a loop index names the same file on every run */
        (void)glob("good-*.conf", 0, NULL, &good_files);
        (void)glob("bad-*.conf", 0, NULL, &bad_files);
        (void)glob("check-*.conf", 0, NULL, &check_files);
        r = vw_test_run(config_suite());
        globfree(&good_files);
        globfree(&bad_files);
        globfree(&check_files);
        return r;
}
