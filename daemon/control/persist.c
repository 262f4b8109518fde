/* SPDX-License-Identifier: MIT */
/* The control-socket side of --persist: the "persist" parameter and the replies to a failed
 * prepare or commit step of daemon/manager-persist.c (which knows no Varlink). */
#include <errno.h>
#include <string.h>

#include "control.h"
#include "manager-persist.h"

int vw_call_get_persist(struct vw_call *cl, json_object *params, bool *ret)
{
        json_object *v;

        *ret = false;
        if (!json_object_object_get_ex(params, "persist", &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_boolean)) {
                vw_call_invalid_parameter(cl, "persist");
                return -EINVAL;
        }
        *ret = json_object_get_boolean(v);
        return 0;
}

void vw_call_persist_error(struct vw_call *cl, int r, const char *name, const char *error)
{
        if (r == -ENOENT)
                return vw_call_no_such(cl, name);
        if (r == -ENOMEM)
                return vw_call_fail(cl, "io.vwire.Failed", "message", "out of memory");
        if (r == -EPERM)
                return vw_call_fail(cl, "io.vwire.PermissionDenied", "message", error ? error : strerror(-r));
        if (r == -EOPNOTSUPP || r == -EINVAL || r == -EEXIST)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", error ? error : strerror(-r));
        vw_call_fail(cl, "io.vwire.Failed", "message", error ? error : strerror(-r));
}
