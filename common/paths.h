/* SPDX-License-Identifier: MIT */
#pragma once

/* Where things live by default. Root: /etc/vwire and /run/vwire. Anyone else:
 * $XDG_RUNTIME_DIR/vwire for both (config and runtime state), so no root is needed. */

/* Each returns a malloc'd string or NULL (errno set, e.g. ENXIO without XDG_RUNTIME_DIR). */
char *vw_default_config_dir(void);
char *vw_default_runtime_dir(void);
/* $VWIRE_SOCKET if set, else <runtime dir>/control.sock. */
char *vw_default_control_socket(void);
