/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"

const char *const vw_section_kinds[] = {
        "daemon", "serial", "loopback", "socket", "file", "route", "input", "net", "audio", NULL,
};

#define MAX_NAME 64
#define MAX_LINE 4096

void vw_errors_done(struct vw_errors *e)
{
        for (size_t i = 0; i < e->n; i++)
                free(e->msgs[i]);
        free(e->msgs);
        *e = (struct vw_errors){};
}

void vw_errors_add(struct vw_errors *e, const char *file, unsigned line, const char *fmt, ...)
{
        char *msg = NULL, *full = NULL, **n;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        if (file && line > 0)
                r = asprintf(&full, "%s:%u: %s", file, line, msg);
        else if (file)
                r = asprintf(&full, "%s: %s", file, msg);
        else
                full = TAKE_PTR(msg), r = 0;
        free(msg);
        if (r < 0)
                return;
        n = realloc(e->msgs, (e->n + 1) * sizeof(char *));
        if (!n) {
                free(full);
                return;
        }
        n[e->n++] = full;
        e->msgs = n;
}

char *vw_errors_join(const struct vw_errors *e)
{
        size_t len = 1;
        char *s, *p;

        for (size_t i = 0; i < e->n; i++)
                len += strlen(e->msgs[i]) + 1;
        s = p = malloc(len);
        if (!s)
                return NULL;
        *p = 0;
        for (size_t i = 0; i < e->n; i++)
                p += sprintf(p, "%s%s", i ? "\n" : "", e->msgs[i]);
        return s;
}

bool vw_name_is_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > MAX_NAME || name[0] == '-' || name[0] == '.')
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("_-.:@", *p))
                        return false;
        return true;
}

struct vw_section *vw_section_new(const char *kind, const char *name, const char *file, unsigned line)
{
        struct vw_section *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        s->kind = strdup(kind);
        s->name = name ? strdup(name) : NULL;
        s->file = strdup(file ? file : "");
        s->line = line;
        s->fd = -1;
        if (!s->kind || !s->file || (name && !s->name)) {
                vw_section_free(s);
                return NULL;
        }
        return s;
}

void vw_section_free(struct vw_section *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n_settings; i++) {
                free(s->settings[i].key);
                free(s->settings[i].value);
                free(s->settings[i].file);
        }
        free(s->settings);
        free(s->caller);
        safe_close(s->fd);
        free(s->kind);
        free(s->name);
        free(s->file);
        free(s);
}

int vw_section_set(struct vw_section *s, const char *key, const char *value, unsigned line)
{
        struct vw_setting *n = realloc(s->settings, (s->n_settings + 1) * sizeof(*n));

        if (!n)
                return -ENOMEM;
        s->settings = n;
        n[s->n_settings] = (struct vw_setting){ .key = strdup(key), .value = strdup(value), .line = line };
        if (!n[s->n_settings].key || !n[s->n_settings].value) {
                free(n[s->n_settings].key);
                free(n[s->n_settings].value);
                return -ENOMEM;
        }
        s->n_settings++;
        return 0;
}

const struct vw_setting *vw_section_get(const struct vw_section *s, const char *key)
{
        for (size_t i = 0; i < s->n_settings; i++)
                if (streq(s->settings[i].key, key))
                        return &s->settings[i];
        return NULL;
}

const char *vw_section_value(const struct vw_section *s, const char *key)
{
        const struct vw_setting *v = vw_section_get(s, key);

        return v ? v->value : NULL;
}

const char *vw_setting_file(const struct vw_section *s, const struct vw_setting *st)
{
        return st && st->file ? st->file : s->file;
}

/* Record that st was read from `file` (NULL or the section's own file: nothing to record). */
static int setting_set_file(const struct vw_section *s, struct vw_setting *st, const char *file)
{
        char *f = NULL;

        if (file && !streq(file, s->file) && !(f = strdup(file)))
                return -ENOMEM;
        free(st->file);
        st->file = f;
        return 0;
}

struct vw_section *vw_section_dup(const struct vw_section *s)
{
        struct vw_section *d = vw_section_new(s->kind, s->name, s->file, s->line);

        if (!d)
                return NULL;
        d->origin = s->origin;
        if ((s->caller && !(d->caller = vw_caller_dup(s->caller))) ||
            (s->fd >= 0 && (d->fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 3)) < 0)) {
                vw_section_free(d);
                return NULL;
        }
        for (size_t i = 0; i < s->n_settings; i++)
                if (vw_section_set(d, s->settings[i].key, s->settings[i].value, s->settings[i].line) < 0 ||
                    setting_set_file(d, &d->settings[i], s->settings[i].file) < 0) {
                        vw_section_free(d);
                        return NULL;
                }
        return d;
}

bool vw_section_equal(const struct vw_section *a, const struct vw_section *b)
{
        if (!streq(a->kind, b->kind) || !!a->name != !!b->name || (a->name && !streq(a->name, b->name)))
                return false;
        if (a->n_settings != b->n_settings)
                return false;
        for (size_t i = 0; i < a->n_settings; i++) {
                const char *v = vw_section_value(b, a->settings[i].key);
                if (!v || !streq(v, a->settings[i].value))
                        return false;
        }
        return true;
}

const char *vw_section_label(const struct vw_section *s, char *buf, size_t size)
{
        if (s->name)
                snprintf(buf, size, "%s %s", s->kind, s->name);
        else
                snprintf(buf, size, "%s", s->kind);
        return buf;
}

struct vw_config *vw_config_new(void)
{
        return calloc(1, sizeof(struct vw_config));
}

void vw_config_free(struct vw_config *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n_sections; i++)
                vw_section_free(c->sections[i]);
        for (size_t i = 0; i < c->n_files; i++)
                free(c->files[i]);
        free(c->sections);
        free(c->files);
        free(c);
}

struct vw_section *vw_config_find(const struct vw_config *c, const char *kind, const char *name)
{
        for (size_t i = 0; i < c->n_sections; i++) {
                struct vw_section *s = c->sections[i];
                if (streq(s->kind, kind) && !!name == !!s->name && (!name || streq(name, s->name)))
                        return s;
        }
        return NULL;
}

struct vw_section *vw_config_find_name(const struct vw_config *c, const char *name)
{
        for (size_t i = 0; i < c->n_sections; i++)
                if (c->sections[i]->name && streq(c->sections[i]->name, name))
                        return c->sections[i];
        return NULL;
}

/*
 * libinih tokenizes; we feed it line by line through our own reader so that every key and
 * every section header (even one without keys) is known with its line number.
 */
struct parse_state {
        struct vw_config *config;
        struct vw_errors *errs;
        const char *file;
        const char *text; /* for string input */
        FILE *f;
        unsigned line;
        struct vw_section *current; /* NULL before the first header, or after a bad one */
        bool bad_section;
        bool continuation;  /* the current line is indented: it continues the previous value */
        char last_key[128]; /* the key of the last key line since the section header, or "" */
        bool last_key_kept; /* ... and whether it was stored (continuations of a rejected key are dropped) */
        char **long_values; /* values of lines longer than libinih's line buffer, see reader() */
        size_t n_long;
};

static char *strip(char *s)
{
        char *e;

        while (isspace((unsigned char)*s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
                *--e = 0;
        return s;
}

bool vw_section_kinds_contains(const char *kind)
{
        for (size_t i = 0; vw_section_kinds[i]; i++)
                if (streq(kind, vw_section_kinds[i]))
                        return true;
        return false;
}

static void start_section(struct parse_state *st, char *header)
{
        char *kind, *name, *extra, *save = NULL, lbl[128];
        struct vw_section *s, *dup, **n;

        st->current = NULL;
        st->bad_section = true;
        kind = strtok_r(header, " \t", &save);
        name = strtok_r(NULL, " \t", &save);
        extra = strtok_r(NULL, " \t", &save);
        if (!kind) {
                vw_errors_add(st->errs, st->file, st->line, "empty section header");
                return;
        }
        if (!vw_section_kinds_contains(kind)) {
                vw_errors_add(st->errs, st->file, st->line,
                              "unknown section kind '%s' (expected daemon, serial, loopback, socket, file, route or input)",
                              kind);
                return;
        }
        if (extra) {
                vw_errors_add(st->errs, st->file, st->line, "section header [%s %s %s...] has more than one name",
                              kind, name, extra);
                return;
        }
        if (streq(kind, "daemon") && name) {
                vw_errors_add(st->errs, st->file, st->line, "[daemon] takes no name");
                return;
        }
        if (!streq(kind, "daemon")) {
                if (!name) {
                        vw_errors_add(st->errs, st->file, st->line, "[%s] needs a name: [%s NAME]", kind, kind);
                        return;
                }
                if (!vw_name_is_valid(name)) {
                        vw_errors_add(st->errs, st->file, st->line,
                                      "invalid name '%s': use up to 64 letters, digits and _-.:@", name);
                        return;
                }
        }
        dup = name ? vw_config_find_name(st->config, name) : vw_config_find(st->config, "daemon", NULL);
        if (dup && !(streq(kind, "daemon") && streq(dup->kind, "daemon"))) {
                vw_errors_add(st->errs, st->file, st->line, "[%s %s] conflicts with [%s] defined at %s:%u", kind,
                              name, vw_section_label(dup, lbl, sizeof(lbl)), dup->file, dup->line);
                return;
        }
        if (dup) {
                /* [daemon] may appear in several files: later keys override earlier ones. */
                st->current = dup;
                st->bad_section = false;
                return;
        }
        s = vw_section_new(kind, name, st->file, st->line);
        n = s ? realloc(st->config->sections, (st->config->n_sections + 1) * sizeof(struct vw_section *)) : NULL;
        if (!n) {
                vw_section_free(s);
                vw_errors_add(st->errs, st->file, st->line, "out of memory");
                return;
        }
        n[st->config->n_sections++] = s;
        st->config->sections = n;
        st->current = s;
        st->bad_section = false;
}

/* Remove leading whitespace from the line inih will see, so that it does not take it for a continuation. */
static void unindent(char *buf)
{
        size_t lead = strspn(buf, " \t\v\f\r");

        if (lead > 0)
                memmove(buf, buf + lead, strlen(buf + lead) + 1);
}

/* inih ends a value at an inline comment: a ';' after whitespace. */
static void strip_inline_comment(char *s)
{
        for (char *p = s; *p; p++)
                if (*p == ';' && p > s && isspace((unsigned char)p[-1])) {
                        *p = 0;
                        break;
                }
        strip(s);
}

/*
 * Look at each raw line before inih does: syntax errors and section headers are ours. Lines in
 * error are blanked; what is left is either a comment, a header, "key = value" or a continuation
 * line, each of which inih splits the way we checked.
 */
static void inspect_line(struct parse_state *st, char *buf)
{
        char copy[MAX_LINE], *s, *end, *eq, *rest;
        bool indented;

        if (st->line == 1 && strneq(buf, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte order mark */
                memmove(buf, buf + 3, strlen(buf) - 2);      /* with the NUL */
        indented = isspace((unsigned char)buf[0]);
        snprintf(copy, sizeof(copy), "%s", buf);
        s = strip(copy);
        st->continuation = false;
        if (!*s || *s == ';' || *s == '#')
                return;
        if (*s == '[') {
                st->last_key[0] = 0;
                end = strchr(s, ']');
                if (!end) {
                        vw_errors_add(st->errs, st->file, st->line, "section header without ']'");
                        strcpy(buf, "\n");
                        st->current = NULL;
                        st->bad_section = true;
                        return;
                }
                *end = 0;
                rest = strip(end + 1);
                if (*rest && *rest != ';' && *rest != '#')
                        vw_errors_add(st->errs, st->file, st->line, "unexpected text after ']': '%s'", rest);
                unindent(buf);
                start_section(st, s + 1);
                return;
        }
        eq = strchr(s, '=');
        if (indented && !eq && st->last_key[0]) {
                /* continuation of the previous value; inih joins it unless we drop it */
                if (!st->last_key_kept) {
                        strcpy(buf, "\n");
                        return;
                }
                strip_inline_comment(s);
                memmove(buf + 1, s, strlen(s) + 1); /* still indented, and no shorter than s */
                buf[0] = ' ';
                st->continuation = true;
                return;
        }
        /* inih splits "key = value" at the first '=' or ':', and a ';' after a space starts a comment */
        if (!eq || strcspn(s, ":;") < (size_t)(eq - s)) {
                vw_errors_add(st->errs, st->file, st->line, "expected 'key = value', got '%s'", s);
                strcpy(buf, "\n");
                return;
        }
        if (eq == s) {
                vw_errors_add(st->errs, st->file, st->line, "missing key before '='");
                strcpy(buf, "\n");
                return;
        }
        /* an indented "key = value" is a key, not a continuation (inih would join it) */
        unindent(buf);
}

/*
 * Debian's libinih reads lines into a 200-byte buffer. A longer "key = value" line keeps its key
 * and hands libinih a placeholder for the value ("\001N"); handler() puts the value back.
 */
static size_t stash_long_value(struct parse_state *st, char *line, size_t size)
{
        char *eq = strchr(line, '='), *v, *e, **n;
        size_t indent = strspn(line, " \t");
        bool continuation = indent > 0 && !eq;

        if (line[indent] == '[' || line[indent] == ';' || line[indent] == '#' || (!eq && !continuation))
                return strlen(line);
        v = continuation ? line + indent : eq + 1;
        v += strspn(v, " \t");
        e = v + strcspn(v, "\n");
        /* an inline comment starts at a ';' after whitespace, as libinih has it */
        for (char *q = v + 1; q < e; q++)
                if (*q == ';' && isspace((unsigned char)q[-1])) {
                        e = q;
                        break;
                }
        while (e > v && isspace((unsigned char)e[-1]))
                e--;
        n = realloc(st->long_values, (st->n_long + 1) * sizeof(char *));
        if (!n)
                return strlen(line);
        st->long_values = n;
        if (!(n[st->n_long] = strndup(v, (size_t)(e - v))))
                return strlen(line);
        snprintf(v, size - (size_t)(v - line), "\001%zu\n", st->n_long++);
        return strlen(line);
}

static char *reader(char *buf, int size, void *userdata)
{
        struct parse_state *st = userdata;
        char line[MAX_LINE + 2];
        size_t len;

        if (st->f) {
                if (!fgets(line, sizeof(line), st->f))
                        return NULL;
        } else {
                const char *nl;
                if (!*st->text)
                        return NULL;
                nl = strchr(st->text, '\n');
                len = nl ? (size_t)(nl - st->text + 1) : strlen(st->text);
                snprintf(line, MIN(len + 1, sizeof(line)), "%s", st->text);
                st->text += len;
        }
        st->line++;
        len = strlen(line);
        if (len <= MAX_LINE && (size_t)size <= len)
                len = stash_long_value(st, line, sizeof(line));
        if (len > MAX_LINE || (size_t)size <= len) {
                vw_errors_add(st->errs, st->file, st->line, "line too long (more than %d characters)",
                              len > MAX_LINE ? MAX_LINE - 2 : size - 2);
                /* swallow the rest of an over-long line */
                if (st->f && line[len - 1] != '\n') {
                        int ch;
                        while ((ch = fgetc(st->f)) != EOF && ch != '\n')
                                ;
                }
                snprintf(buf, (size_t)size, "\n");
                return buf;
        }
        memcpy(buf, line, len + 1);
        inspect_line(st, buf);
        return buf;
}

static int handler(void *userdata, const char *section, const char *key, const char *value)
{
        struct parse_state *st = userdata;
        struct vw_setting *prev;

        if (value[0] == '\001') {
                size_t i = strtoul(value + 1, NULL, 10);
                if (i < st->n_long)
                        value = st->long_values[i];
        }
        if (st->continuation) {
                /* inih hands a continuation line over as a repeat of its key: join it to the value */
                char *joined;

                prev = st->current ? (struct vw_setting *)vw_section_get(st->current, st->last_key) : NULL;
                if (!prev || !*value)
                        return 1;
                if (asprintf(&joined, "%s%s%s", prev->value, *prev->value ? " " : "", value) < 0) {
                        vw_errors_add(st->errs, st->file, st->line, "out of memory");
                        return 1;
                }
                free(prev->value);
                prev->value = joined;
                return 1;
        }
        snprintf(st->last_key, sizeof(st->last_key), "%s", key);
        st->last_key_kept = false;
        if (!st->current) {
                if (!st->bad_section)
                        vw_errors_add(st->errs, st->file, st->line, "'%s' outside of any section", key);
                return 1;
        }
        prev = (struct vw_setting *)vw_section_get(st->current, key);
        if (prev && !streq(st->current->kind, "daemon")) {
                vw_errors_add(st->errs, st->file, st->line, "'%s' already set at line %u", key, prev->line);
                return 1;
        }
        if (prev) {
                /* [daemon] again, in this file or a later one: the later value wins */
                char *v = strdup(value);

                if (!v || setting_set_file(st->current, prev, st->file) < 0) {
                        free(v);
                        vw_errors_add(st->errs, st->file, st->line, "out of memory");
                        return 1;
                }
                free(prev->value);
                prev->value = v;
                prev->line = st->line;
        } else if (vw_section_set(st->current, key, value, st->line) < 0 ||
                   setting_set_file(st->current, &st->current->settings[st->current->n_settings - 1], st->file) < 0) {
                vw_errors_add(st->errs, st->file, st->line, "out of memory");
                return 1;
        }
        st->last_key_kept = true;
        return 1;
}

static int add_file(struct vw_config *c, const char *label)
{
        char **n = realloc(c->files, (c->n_files + 1) * sizeof(char *));

        if (!n)
                return -ENOMEM;
        c->files = n;
        n[c->n_files] = strdup(label);
        if (!n[c->n_files])
                return -ENOMEM;
        c->n_files++;
        return 0;
}

static int parse(struct vw_config *c, FILE *f, const char *text, const char *label, struct vw_errors *errs)
{
        struct parse_state st = { .config = c, .errs = errs, .file = label, .f = f, .text = text };
        size_t before = errs->n;
        int r = add_file(c, label);

        if (r < 0)
                return r;
        r = ini_parse_stream(reader, &st, handler, &st);
        for (size_t i = 0; i < st.n_long; i++)
                free(st.long_values[i]);
        free(st.long_values);
        if (r < 0)
                return -ENOMEM;
        /* inih found a line it could not split although we passed it: never silently drop a line */
        if (r > 0 && errs->n == before)
                vw_errors_add(errs, label, (unsigned)r, "syntax error");
        return 0;
}

/*
 * Open a config file without hanging and without being redirected: O_NONBLOCK (a FIFO or a
 * tty there must not stall start-up or reload), regular files only, and for drop-ins no
 * symlink and, when vwired runs as root, only root's files that nobody else may write — a
 * drop-in is a root-power config.
 */
static int open_config(const char *path, bool dropin, FILE **ret)
{
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (dropin ? O_NOFOLLOW : 0));
        struct stat st;

        if (fd < 0)
                return errno == ELOOP ? -ELOOP : -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                int r = S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD;
                close(fd);
                return r;
        }
        if (dropin && geteuid() == 0 && (st.st_uid != 0 || (st.st_mode & 022))) {
                close(fd);
                return -EPERM;
        }
        *ret = fdopen(fd, "re");
        if (!*ret) {
                close(fd);
                return -ENOMEM;
        }
        return 0;
}

static const char *open_error(int r, bool dropin)
{
        switch (r) {
        case -ELOOP:
                return "is a symlink; drop-ins must be regular files";
        case -EBADFD:
                return "not a regular file";
        case -EPERM:
                return "not used: a drop-in must belong to root and be writable by root only "
                       "(chown root:root, chmod go-w)";
        default:
                return NULL;
        }
}

static int parse_file(struct vw_config *c, const char *path, bool dropin, struct vw_errors *errs)
{
        _cleanup_fclose_ FILE *f = NULL;
        int r = open_config(path, dropin, &f);

        if (r < 0)
                return r;
        return parse(c, f, NULL, path, errs);
}

int vw_config_parse_file(struct vw_config *c, const char *path, struct vw_errors *errs)
{
        return parse_file(c, path, false, errs);
}

static void add_open_error(struct vw_errors *errs, const char *path, int r, bool dropin)
{
        const char *why = open_error(r, dropin);

        vw_errors_add(errs, path, 0, "cannot read: %s", why ? why : strerror(-r));
}

int vw_config_parse_string(struct vw_config *c, const char *text, const char *label, struct vw_errors *errs)
{
        return parse(c, NULL, text, label, errs);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int vw_config_load(const char *main, bool main_required, const char *dropin_dir, struct vw_config **ret,
                   struct vw_errors *errs)
{
        _cleanup_(vw_config_freep) struct vw_config *c = vw_config_new();
        char **names = NULL;
        size_t n_names = 0;
        DIR *d;
        int r;

        if (!c)
                return -ENOMEM;
        if (main) {
                r = parse_file(c, main, false, errs);
                if (r == -ENOENT && !main_required)
                        r = 0;
                if (r < 0)
                        add_open_error(errs, main, r, false);
        }
        d = dropin_dir ? opendir(dropin_dir) : NULL;
        if (!d && dropin_dir && errno != ENOENT)
                vw_errors_add(errs, dropin_dir, 0, "cannot read directory: %s", strerror(errno));
        if (d) {
                struct dirent *de;
                while ((de = readdir(d))) {
                        size_t l = strlen(de->d_name);
                        char **nn;
                        if (de->d_name[0] == '.' || l < 6 || !streq(de->d_name + l - 5, ".conf"))
                                continue;
                        nn = realloc(names, (n_names + 1) * sizeof(char *));
                        if (!nn)
                                break;
                        names = nn;
                        if (asprintf(&names[n_names], "%s/%s", dropin_dir, de->d_name) >= 0)
                                n_names++;
                }
                closedir(d);
                if (n_names > 0)
                        qsort(names, n_names, sizeof(char *), cmp_str);
                for (size_t i = 0; i < n_names; i++) {
                        r = parse_file(c, names[i], true, errs);
                        if (r < 0)
                                add_open_error(errs, names[i], r, true);
                        free(names[i]);
                }
                free(names);
        }
        if (errs->n > 0)
                return -EINVAL;
        *ret = TAKE_PTR(c);
        return 0;
}
