/* SPDX-License-Identifier: MIT */
/*
 * The converter registry of a vwired built without libevdev: there are no input converters,
 * and asking for one says why. The manager calls the same functions either way.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "input-convert.h"
#include "macro.h"

int vw_converter_new(const char *name, const char *layout, struct vw_converter *ret, char **error)
{
        *ret = (struct vw_converter){};
        if (error && asprintf(error, "'%s': vwired was built without input support (libevdev)", name) < 0)
                *error = NULL;
        return -ENOENT;
}

void vw_converter_done(struct vw_converter *c)
{
        *c = (struct vw_converter){};
}

const char *vw_converter_names(void)
{
        return "";
}
