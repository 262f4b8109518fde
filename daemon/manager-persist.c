/* SPDX-License-Identifier: MIT */
/*
 * --persist: a runtime Add or Remove also writes or deletes <dropin dir>/50-NAME.conf. The
 * drop-in holds exactly the section as added, so the next start (or reload) builds the same
 * object; once written, the running object becomes a config object of that file, which makes a
 * reload see it as unchanged instead of refusing a file that claims a runtime object's name.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic-file.h"
#include "conf-parse.h"
#include "config.h"
#include "manager-internal.h"
#include "manager-persist.h"
#include "endpoint.h"

#define MARKER "# Written by `vwirectl add --persist`"

static int fail(char **error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **error, int r, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(error, fmt, ap) < 0)
                *error = NULL;
        va_end(ap);
        return r;
}

static char *file_name(const char *name)
{
        char *s;

        return asprintf(&s, "50-%s.conf", name) < 0 ? NULL : s;
}

char *vw_persist_path(struct vw_manager *m, const char *name)
{
        char *s;

        if (!m->dropin_dir || asprintf(&s, "%s/50-%s.conf", m->dropin_dir, name) < 0)
                return NULL;
        return s;
}

static int no_dropin_dir(struct vw_manager *m, char **error)
{
        return fail(error, -EOPNOTSUPP,
                    "--persist needs vwired's drop-in directory, and this vwired reads only %s (--config FILE); "
                    "edit that file instead", m->config_file ? m->config_file : "one file");
}

/* Whether path is a drop-in we wrote (or absent: *exists false). */
static bool is_ours(const char *path, bool *exists)
{
        char line[sizeof(MARKER) + 1];
        FILE *f = fopen(path, "re");
        bool ours;

        *exists = f != NULL || errno != ENOENT;
        if (!f)
                return false;
        ours = fgets(line, sizeof(line), f) && strneq(line, MARKER, strlen(MARKER));
        fclose(f);
        return ours;
}

static struct vw_section *running_section(struct vw_manager *m, const char *name)
{
        struct vw_endpoint *ep = vw_manager_find_endpoint(m, name);
        struct vw_mroute *r = vw_manager_find_route(m, name);

        return ep ? ep->section : r ? r->section : NULL;
}

/* A persisted route must name only endpoints that come back at the next start too. */
static int check_route_ends(struct vw_manager *m, const struct vw_section *s, char **error)
{
        static const char *const sides[] = { "from", "to" };

        for (size_t i = 0; i < ELEMENTSOF(sides); i++) {
                const char *v = vw_section_value(s, sides[i]);
                _cleanup_free_ char *err = NULL;
                struct vw_names n = {};

                if (!v || vw_parse_names(v, &n, NULL, &err) < 0)
                        continue; /* Add reports it */
                for (size_t j = 0; j < n.n; j++) {
                        struct vw_endpoint *ep = vw_manager_find_endpoint(m, n.names[j]);
                        if (ep && ep->section->origin != VW_ORIGIN_CONFIG) {
                                int r = fail(error, -EINVAL,
                                             "route '%s' cannot be persisted: endpoint '%s' was added without "
                                             "--persist and would not exist after a restart; add it again with "
                                             "--persist first", s->name, n.names[j]);
                                vw_names_done(&n);
                                return r;
                        }
                }
                vw_names_done(&n);
        }
        return 0;
}

int vw_persist_add_prepare(struct vw_manager *m, const struct vw_section *s, char **ret_text, char **error)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = NULL;
        _cleanup_free_ char *path = NULL, *text = NULL;
        const struct vw_section *back;
        const char *key;
        size_t len = 0;
        bool exists;
        FILE *f;
        int r;

        if (!m->dropin_dir)
                return no_dropin_dir(m, error);
        if (!s->name || !vw_name_is_valid(s->name))
                return 0; /* Add refuses it with the usual message */
        if (!vw_caller_is_root(s->caller) && !streq(s->kind, "route") && (key = vw_section_host_key(s)))
                return fail(error, -EPERM,
                            "uid %u may not persist [%s %s]: '%s' names a host resource, and a drop-in is read "
                            "with root's rights at the next start (rule: members persist only what needs no "
                            "confinement; ask root to add it to the config)",
                            (unsigned)s->caller->uid, s->kind, s->name, key);
        path = vw_persist_path(m, s->name);
        if (!path)
                return -ENOMEM;
        if (!is_ours(path, &exists) && exists)
                return fail(error, -EEXIST, "%s exists and was not written by --persist; not replacing it", path);
        if (streq(s->kind, "route")) {
                r = check_route_ends(m, s, error);
                if (r < 0)
                        return r;
        }

        f = open_memstream(&text, &len);
        if (!f)
                return -ENOMEM;
        fprintf(f, "%s (vwired %s). Delete it with\n"
                   "# `vwirectl remove --persist %s`, or edit it and run `vwirectl reload`.\n"
                   "[%s %s]\n", MARKER, VWIRE_VERSION, s->name, s->kind, s->name);
        for (size_t i = 0; i < s->n_settings; i++)
                fprintf(f, "%s = %s\n", s->settings[i].key, s->settings[i].value);
        if (fclose(f) != 0)
                return -ENOMEM;

        /* What a restart will read must be what was added: parse it back and compare. */
        c = vw_config_new();
        if (!c)
                return -ENOMEM;
        (void)vw_config_parse_string(c, text, path, &errs);
        back = vw_config_find(c, s->kind, s->name);
        if (errs.n > 0 || !back || !vw_section_equal(s, back)) {
                for (size_t i = 0; i < s->n_settings; i++) {
                        const char *v = back ? vw_section_value(back, s->settings[i].key) : NULL;
                        if (!v || !streq(v, s->settings[i].value))
                                return fail(error, -EINVAL,
                                            "cannot persist '%s': the value of %s does not survive being written "
                                            "to a config file (a line break, leading or trailing blanks, or ' ;' "
                                            "which starts a comment)", s->name, s->settings[i].key);
                }
                return fail(error, -EINVAL, "cannot persist '%s': %s", s->name,
                            errs.n > 0 ? errs.msgs[0] : "it does not read back as written");
        }
        *ret_text = TAKE_PTR(text);
        return 0;
}

int vw_persist_add_commit(struct vw_manager *m, const char *name, const char *text, char **ret_path, char **error)
{
        _cleanup_free_ char *path = vw_persist_path(m, name), *fname = file_name(name), *file = NULL;
        struct vw_section *s = running_section(m, name);
        unsigned line;
        int r;

        if (!path || !fname || !s)
                return -ENOMEM;
        if (mkdir(m->dropin_dir, 0755) < 0 && errno != EEXIST)
                return fail(error, -errno, "cannot create %s: %s", m->dropin_dir, strerror(errno));
        r = vw_write_file_atomic(m->dropin_dir, fname, text, 0644);
        if (r < 0)
                return fail(error, r, "cannot write %s: %s", path, strerror(-r));

        /* The object is now defined by that file: header on line 3, one key per line after it. */
        file = strdup(path);
        if (!file)
                return -ENOMEM;
        free(s->file);
        s->file = TAKE_PTR(file);
        s->line = line = 3;
        s->origin = VW_ORIGIN_CONFIG;
        for (size_t i = 0; i < s->n_settings; i++) {
                free(s->settings[i].file);
                s->settings[i].file = NULL;
                s->settings[i].line = ++line;
        }
        *ret_path = TAKE_PTR(path);
        return 0;
}

int vw_persist_remove_prepare(struct vw_manager *m, const char *name, char **ret_path, char **error)
{
        _cleanup_free_ char *path = NULL;
        struct vw_section *s;
        bool exists;

        if (!m->dropin_dir)
                return no_dropin_dir(m, error);
        s = running_section(m, name);
        if (!s)
                return -ENOENT;
        path = vw_persist_path(m, name);
        if (!path)
                return -ENOMEM;
        if (s->origin == VW_ORIGIN_CONFIG && !streq(s->file, path))
                return fail(error, -EINVAL,
                            "'%s' is defined in %s:%u, not by --persist: delete it there and run `vwirectl reload`",
                            name, s->file, s->line);
        if (s->origin == VW_ORIGIN_CONFIG || is_ours(path, &exists))
                *ret_path = TAKE_PTR(path);
        else
                *ret_path = NULL;
        return 0;
}

int vw_persist_remove_commit(struct vw_manager *m, const char *path, char **error)
{
        const char *slash = strrchr(path, '/');
        int r;

        if (!slash)
                return -EINVAL;
        r = vw_unlink_durable(m->dropin_dir, slash + 1);
        if (r < 0 && r != -ENOENT)
                return fail(error, r, "removed, but cannot delete %s (it comes back at the next start): %s", path,
                            strerror(-r));
        return 0;
}
