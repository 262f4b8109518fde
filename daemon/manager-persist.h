/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * `vwirectl add/remove --persist`: runtime changes written to (or deleted from) a drop-in,
 * <config dir>/vwire.conf.d/50-NAME.conf, so they survive a restart. Each change is checked
 * first (prepare: no side effects), then the object is added or removed, then the file is
 * written or deleted (commit). Errors: -EOPNOTSUPP no drop-in directory (vwired --config FILE),
 * -EINVAL the object cannot be persisted (message in *error), other negative errnos from I/O.
 */

#include <json-c/json.h>
#include <stdbool.h>

#include "conffile.h"

struct vw_manager;
struct vw_call;

/* The drop-in a persisted object NAME lives in (malloc'd), or NULL without a drop-in directory. */
char *vw_persist_path(struct vw_manager *m, const char *name);

/* Before Add: may s be persisted? On success *ret_text is the drop-in's content. */
int vw_persist_add_prepare(struct vw_manager *m, const struct vw_section *s, char **ret_text, char **error);
/* After Add succeeded: write the drop-in and make the running object a config object of that
 * file, so a reload finds it unchanged. *ret_path: the file written. */
int vw_persist_add_commit(struct vw_manager *m, const char *name, const char *text, char **ret_path,
                          char **error);

/* Before Remove: the drop-in to delete afterwards (*ret_path, NULL when there is none).
 * Refuses an object defined in another config file. -ENOENT when no such object runs. */
int vw_persist_remove_prepare(struct vw_manager *m, const char *name, char **ret_path, char **error);
/* After Remove succeeded: delete the drop-in. */
int vw_persist_remove_commit(struct vw_manager *m, const char *path, char **error);
