/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The config files as written: sections of key = value with the file:line of everything.
 * INI syntax tokenized by libinih; typed parsing of values lives in conf-parse.h and in each
 * backend's key table, validation of the whole set in manager-config.c.
 */

#include <stdbool.h>
#include <stddef.h>

#include "caller.h"
#include "macro.h"

enum vw_origin {
        VW_ORIGIN_CONFIG,   /* from a config file */
        VW_ORIGIN_RUNTIME,  /* added through the control socket */
};

struct vw_setting {
        char *key;
        char *value;
        unsigned line;
        char *file;   /* NULL: the section's file; set when a repeated [daemon] in a later file set it */
};

struct vw_section {
        char *kind;   /* daemon, serial, loopback, socket, file, route, input, audio */
        char *name;   /* NULL for [daemon] */
        char *file;
        unsigned line;
        enum vw_origin origin;
        struct vw_setting *settings;
        size_t n_settings;
        /* Runtime objects: the client that added it, whose rights its names are checked with
         * (common/caller.h). NULL for config files (root's word) and for root's own Add. */
        struct vw_caller *caller;
        /* A descriptor passed with the Add (SCM_RIGHTS; a [file] opened by vwirectl), owned;
         * -1 if none. vw_section_dup() dups it. */
        int fd;
};

/* A list of "file:line: message" strings: every error found, not only the first. */
struct vw_errors {
        char **msgs;
        size_t n;
};

struct vw_config {
        char **files;
        size_t n_files;
        struct vw_section **sections;
        size_t n_sections;
};

void vw_errors_done(struct vw_errors *e);
void vw_errors_add(struct vw_errors *e, const char *file, unsigned line, const char *fmt, ...) _printf_(4, 5);
/* All messages joined with newlines (malloc'd). */
char *vw_errors_join(const struct vw_errors *e);

extern const char *const vw_section_kinds[];
bool vw_section_kinds_contains(const char *kind);
bool vw_name_is_valid(const char *name);

struct vw_section *vw_section_new(const char *kind, const char *name, const char *file, unsigned line);
void vw_section_free(struct vw_section *s);
DEFINE_CLEANUP(struct vw_section *, vw_section_free);
int vw_section_set(struct vw_section *s, const char *key, const char *value, unsigned line);
const struct vw_setting *vw_section_get(const struct vw_section *s, const char *key);
const char *vw_section_value(const struct vw_section *s, const char *key);
/* The file a setting was read from, for "file:line" in messages. */
const char *vw_setting_file(const struct vw_section *s, const struct vw_setting *st);
struct vw_section *vw_section_dup(const struct vw_section *s);
/* Same kind, name and settings (order-insensitive; file and line ignored). */
bool vw_section_equal(const struct vw_section *a, const struct vw_section *b);
/* "serial gps" or "daemon" */
const char *vw_section_label(const struct vw_section *s, char *buf, size_t size);

struct vw_config *vw_config_new(void);
void vw_config_free(struct vw_config *c);
DEFINE_CLEANUP(struct vw_config *, vw_config_free);

/*
 * Parse one file (or a string, for tests and control requests) into c, appending errors to errs
 * (syntax, unknown section kinds, bad names, duplicate sections and keys).
 * Returns 0, -ENOENT if the file does not exist, or another negative errno it could not be read.
 */
int vw_config_parse_file(struct vw_config *c, const char *path, struct vw_errors *errs);
int vw_config_parse_string(struct vw_config *c, const char *text, const char *label, struct vw_errors *errs);
/*
 * The standard set: `main` (must exist when main_required) then `dropin_dir`/ *.conf in lexical order.
 * Returns 0 when everything parsed (errs empty), -EINVAL when errs has entries.
 */
int vw_config_load(const char *main, bool main_required, const char *dropin_dir, struct vw_config **ret,
                   struct vw_errors *errs);
struct vw_section *vw_config_find(const struct vw_config *c, const char *kind, const char *name);
/* Any section with this name (all kinds share one namespace except daemon). */
struct vw_section *vw_config_find_name(const struct vw_config *c, const char *name);
