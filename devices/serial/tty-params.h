/* SPDX-License-Identifier: MIT */
#pragma once

/* Line settings read from a tty with the kernel's termios2 (custom baud rates included).
 * Kept in its own file: <asm/termbits.h> and glibc's <termios.h> cannot meet. */

#include "router.h"

struct termios2;

int vw_tty_get_params(int fd, struct vw_line_params *ret);
void vw_termios2_to_params(const struct termios2 *t, struct vw_line_params *ret);
/* The other way: change only the rate (when known: BOTHER for one without a Bxxx code), CSIZE,
 * parity (INPCK with it), CSTOPB, CRTSCTS and IXON/IXOFF of t. */
void vw_params_to_termios2(const struct vw_line_params *lp, struct termios2 *t);
/* Baud rate of a Bxxx code (0 for B0 or an unknown code). */
uint32_t vw_baud_of_code(unsigned code);
/* "9600 8N1", "250000 8E2 rtscts" */
const char *vw_line_params_to_string(const struct vw_line_params *p, char *buf, size_t size);

#include <json-c/json.h>
json_object *vw_line_params_to_json(const struct vw_line_params *p);
