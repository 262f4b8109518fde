/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Table-driven typed parsing of a section's keys: every backend lists its keys as
 * { name, parser, offsetof(struct its_config, field) } and vw_keys_apply() fills the struct,
 * reporting file:line and the key for every bad value, unknown key and missing required key.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conffile.h"

struct vw_key;
typedef int (*vw_key_parse_t)(const char *value, void *dst, const struct vw_key *k, char **err);

struct vw_key {
        const char *name;
        vw_key_parse_t parse;
        size_t offset;
        const void *arg;   /* vw_parse_enum: NULL-terminated const char *const[] of names */
        bool required;
        /* Names a host resource (a path, a user, an address, SysRq): a confined caller's value is
         * checked at start and may not be persisted (a drop-in is loaded with root's rights). */
        bool host;
};

enum vw_address_family { VW_ADDR_UNIX, VW_ADDR_TCP, VW_ADDR_UDP };
/* What a socket of the address carries: a byte stream (tcp:, unix:), packets with a connection
 * (unix-seqpacket:) or datagrams (udp:, unix-dgram:). */
enum vw_socket_kind { VW_SOCK_STREAM, VW_SOCK_SEQPACKET, VW_SOCK_DGRAM };

struct vw_address {
        enum vw_address_family family;
        enum vw_socket_kind kind;
        char *path;      /* unix */
        char *host;      /* tcp, udp: numeric or name; "*" listens on all */
        uint16_t port;
        char *text;      /* as written */
};

/* Parsers: return 0 or -EINVAL with *err a malloc'd explanation ("expected ..."). */
int vw_parse_string(const char *v, void *dst, const struct vw_key *k, char **err);     /* char * */
int vw_parse_path(const char *v, void *dst, const struct vw_key *k, char **err);       /* char *, absolute */
int vw_parse_text(const char *v, void *dst, const struct vw_key *k, char **err);       /* struct vw_bytes, C escapes */
int vw_parse_bool(const char *v, void *dst, const struct vw_key *k, char **err);       /* bool */
int vw_parse_mode(const char *v, void *dst, const struct vw_key *k, char **err);       /* mode_t, octal */
int vw_parse_size(const char *v, void *dst, const struct vw_key *k, char **err);       /* size_t, K/M/G */
int vw_parse_rate(const char *v, void *dst, const struct vw_key *k, char **err);       /* uint64_t bytes/s */
int vw_parse_uint(const char *v, void *dst, const struct vw_key *k, char **err);       /* unsigned */
int vw_parse_duration(const char *v, void *dst, const struct vw_key *k, char **err);   /* uint64_t usec */
int vw_parse_enum(const char *v, void *dst, const struct vw_key *k, char **err);       /* int index */
int vw_parse_names(const char *v, void *dst, const struct vw_key *k, char **err);      /* struct vw_names */
int vw_parse_address(const char *v, void *dst, const struct vw_key *k, char **err);    /* struct vw_address */
int vw_parse_user(const char *v, void *dst, const struct vw_key *k, char **err);       /* uid_t, must exist */
int vw_parse_group(const char *v, void *dst, const struct vw_key *k, char **err);      /* gid_t, must exist */

struct vw_bytes {
        unsigned char *data;
        size_t len;
};

struct vw_names {
        char **names;
        size_t n;
};

/*
 * Fill dst from s using keys. Keys named in `skip` are accepted without parsing (e.g. the
 * selector "backend"). Every problem goes to errs; returns -EINVAL if there was any.
 */
int vw_keys_apply(const struct vw_key *keys, const struct vw_section *s, const char *const *skip, void *dst,
                  struct vw_errors *errs);
/* Free what the parsers allocated inside dst (strings, name lists, addresses, bytes). */
void vw_keys_free(const struct vw_key *keys, void *dst);

/* Specifiers in paths and unix addresses: %t is vwired's runtime directory, %% a percent sign. */
void vw_conf_set_runtime_dir(const char *dir);
char *vw_conf_expand(const char *value);

void vw_address_done(struct vw_address *a);
void vw_names_done(struct vw_names *n);
bool vw_names_contains(const struct vw_names *n, const char *name);
