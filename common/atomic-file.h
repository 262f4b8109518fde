/* SPDX-License-Identifier: MIT */
#pragma once

/* Files replaced whole: readers see the old content or the new one, never a part. */

#include <sys/types.h>

/*
 * Write text to dir/name through a temporary file in dir (".name.XXXXXX", never matched by
 * "*.conf"), fsync, rename over dir/name, fsync dir. Returns 0 or a negative errno.
 */
int vw_write_file_atomic(const char *dir, const char *name, const char *text, mode_t mode);
/* Unlink dir/name and fsync dir. -ENOENT when it was not there. */
int vw_unlink_durable(const char *dir, const char *name);
