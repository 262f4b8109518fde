/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "endpoint.h"

/*
 * Open the file of a [file] endpoint (any format) the way docs/SECURITY.md rule 4 says: the
 * descriptor that came with the Add when there is one (it must fit the mode: writable for a
 * capture, readable for a replay; no directory, no socket), else, for a configuration file or
 * root only, path itself (a capture truncates unless `append`). Nonblocking, close-on-exec.
 * Logs why and returns a negative errno on failure.
 */
int vw_file_open(struct vw_endpoint *ep, const char *path, bool capture, bool append, int *ret_fd);
