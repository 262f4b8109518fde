/* SPDX-License-Identifier: MIT */
/*
 * The converter registry of a vwired built without libevdev: no input converters (asking for
 * one says why), only the packet framings. The manager calls the same functions either way.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "input-convert.h"
#include "macro.h"
#include "packet-convert.h"

int vw_converter_new(const char *name, const char *layout, struct vw_converter *ret, char **error)
{
        int r = vw_packet_converter_new(name, ret);

        if (r != -ENOENT) {
                if (r >= 0 && layout) {
                        vw_converter_done(ret);
                        if (error && asprintf(error, "a layout applies only to text-to-keys, not to %s", name) < 0)
                                *error = NULL;
                        return -EINVAL;
                }
                return r;
        }
        *ret = (struct vw_converter){};
        if (error && asprintf(error, "'%s': vwired was built without input support (libevdev)", name) < 0)
                *error = NULL;
        return -ENOENT;
}

void vw_converter_done(struct vw_converter *c)
{
        if (c->ops && c->ops->free)
                c->ops->free(c->state);
        *c = (struct vw_converter){};
}

const char *vw_converter_names(void)
{
        return VW_PACKET_CONVERTER_NAMES;
}
