/* SPDX-License-Identifier: MIT */
#pragma once

/* Line settings read from a tty with the kernel's termios2 (custom baud rates included).
 * Kept in its own file: <asm/termbits.h> and glibc's <termios.h> cannot meet. */

#include "router.h"

int vw_tty_get_params(int fd, struct vw_line_params *ret);
/* "9600 8N1", "250000 8E2 rtscts" */
const char *vw_line_params_to_string(const struct vw_line_params *p, char *buf, size_t size);

#include <json-c/json.h>
json_object *vw_line_params_to_json(const struct vw_line_params *p);
