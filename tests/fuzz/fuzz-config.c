/* SPDX-License-Identifier: MIT */
/*
 * Config files (common/conffile.c) and their validation as `vwired --check` and a reload do it
 * (manager_validate: [daemon], routes, every backend's key table and check, path claims).
 * The input is the main file and up to three drop-ins after it, separated by form feeds.
 * Invariants: every message names its file (and a line where there is one); every section kept
 * has a known kind and a valid name, is found again by kind and name, and equals its copy.
 */
#include <errno.h>
#include <stdbool.h>

#include "conf-parse.h"
#include "conffile.h"
#include "fuzz.h"
#include "macro.h"
#include "manager-internal.h"
#include "manager.h"

#define MAX_FILES 4

static struct vw_manager *manager;
static const char *const labels[MAX_FILES] = { "vwire.conf", "vwire.conf.d/10-a.conf", "vwire.conf.d/20-b.conf",
                                               "vwire.conf.d/30-c.conf" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        /* a manager that has loaded nothing: validation looks up running endpoints in it */
        struct vw_manager_options opts = { .config_file = "/nonexistent/vwire.conf",
                                           .runtime_dir = "/run/vwire-fuzz" };

        fuzz_quiet();
        if (vw_manager_new(&opts, &manager) < 0)
                abort();
        vw_conf_set_runtime_dir("/run/vwire-fuzz");
        return 0;
}

static bool names_a_file(const char *msg)
{
        for (size_t i = 0; i < MAX_FILES; i++) {
                size_t n = strlen(labels[i]);
                if (strneq(msg, labels[i], n) && msg[n] == ':')
                        return true;
        }
        return false;
}

static void check_config(const struct vw_config *c)
{
        for (size_t i = 0; i < c->n_sections; i++) {
                const struct vw_section *s = c->sections[i];
                struct vw_section *copy;

                FUZZ_CHECK(vw_section_kinds_contains(s->kind));
                FUZZ_CHECK(streq(s->kind, "daemon") ? !s->name : s->name && vw_name_is_valid(s->name));
                FUZZ_CHECK(s->line > 0);
                FUZZ_CHECK(vw_config_find(c, s->kind, s->name) == s);
                if (s->name)
                        FUZZ_CHECK(vw_config_find_name(c, s->name) == s);
                for (size_t j = 0; j < s->n_settings; j++) {
                        FUZZ_CHECK(s->settings[j].line > 0);
                        FUZZ_CHECK(vw_section_get(s, s->settings[j].key) == &s->settings[j]);
                }
                copy = vw_section_dup(s);
                FUZZ_CHECK(copy);
                FUZZ_CHECK(vw_section_equal(s, copy));
                vw_section_free(copy);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = fuzz_strndup(data, size), *p = text;
        struct vw_errors errs = {};
        struct vw_config *c = vw_config_new();

        FUZZ_CHECK(c);
        for (size_t i = 0; i < MAX_FILES && p; i++) {
                char *next = i + 1 < MAX_FILES ? strchr(p, '\f') : NULL;

                if (next)
                        *next++ = '\0';
                FUZZ_CHECK(vw_config_parse_string(c, p, labels[i], &errs) == 0);
                p = next;
        }
        check_config(c);
        FUZZ_CHECK(manager_validate(manager, c, &errs) == 0 || errs.n > 0);
        for (size_t i = 0; i < errs.n; i++) {
                if (!names_a_file(errs.msgs[i]))
                        fprintf(stderr, "message without its file: %s\n", errs.msgs[i]);
                FUZZ_CHECK(names_a_file(errs.msgs[i]));
        }
        vw_errors_done(&errs);
        vw_config_free(c);
        free(text);
        return 0;
}
