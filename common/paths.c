/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "paths.h"

static char *user_dir(void)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        char *s;

        if (!xdg || xdg[0] != '/') {
                errno = ENXIO;
                return NULL;
        }
        if (asprintf(&s, "%s/vwire", xdg) < 0)
                return NULL;
        return s;
}

char *vw_default_config_dir(void)
{
        return geteuid() == 0 ? strdup(SYSCONFDIR "/vwire") : user_dir();
}

char *vw_default_runtime_dir(void)
{
        return geteuid() == 0 ? strdup(RUNSTATEDIR "/vwire") : user_dir();
}

char *vw_default_control_socket(void)
{
        const char *e = getenv("VWIRE_SOCKET");
        char *dir, *s;

        if (e && *e)
                return strdup(e);
        dir = vw_default_runtime_dir();
        if (!dir)
                return NULL;
        if (asprintf(&s, "%s/control.sock", dir) < 0)
                s = NULL;
        free(dir);
        return s;
}
