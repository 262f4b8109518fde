/* SPDX-License-Identifier: MIT */
/* io.vwire.Monitor: who may watch what, and the stream of taps (events past the backlog are
 * dropped and counted, never queued without bound). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "endpoint.h"
#include "list.h"
#include "log.h"
#include "manager.h"
#include "manager-persist.h"
#include "varlink.h"

#include "control-internal.h"

static int monitor_check(struct vw_call *cl, const char *name, const struct vw_section *s)
{
        if (cl->tier == TIER_FULL)
                return 0;
        if (cl->tier == TIER_MEMBER && s && s->caller && s->caller->uid == cl->caller.uid)
                return 0;
        if (cl->tier == TIER_MEMBER)
                return call_failf(cl, "io.vwire.PermissionDenied",
                                  "uid %u may not monitor '%s' (rule: a member of group vwire monitors only the "
                                  "objects it added)", (unsigned)cl->caller.uid, name);
        return call_failf(cl, "io.vwire.PermissionDenied",
                          "uid %u may not use io.vwire.Monitor (rule: only root, vwired's user%s may monitor)",
                          (unsigned)cl->caller.uid, geteuid() == 0 ? " and members of group vwire" : "");
}

void method_monitor(struct vw_call *cl, json_object *params, bool more)
{
        struct vw_manager *m = cl->control->manager;
        const char *name = vw_call_get_string(params, "name");
        struct vw_endpoint *ep;
        struct vw_mroute *r;
        json_object *p;

        if (!name)
                return vw_call_invalid_parameter(cl, "name");
        if (!more)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "Monitor needs \"more\": true");
        if (cl->tier == TIER_READ_ONLY) /* before the lookup: this tier learns nothing here */
                return (void)monitor_check(cl, name, NULL);
        ep = vw_manager_find_endpoint(m, name);
        r = ep ? NULL : vw_manager_find_route(m, name);
        if (!ep && !r)
                return vw_call_no_such(cl, name);
        if (monitor_check(cl, name, ep ? ep->section : r->section) < 0)
                return;
        if (cl->monitor)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "this connection already monitors");
        cl->monitor = strdup(name);
        if (!cl->monitor)
                return vw_call_fail(cl, "io.vwire.Failed", "message", "out of memory");
        vw_manager_set_monitored(m, name, true);
        p = json_object_new_object();
        json_object_object_add(p, "name", json_object_new_string(name));
        client_send(cl, vw_varlink_reply(p, true));
}

static json_object *tap_event(const char *name, const char *direction, const char *via,
                              const struct vw_chunk *chunk, const struct timespec *ts)
{
        _cleanup_free_ char *hex = vw_hex_encode(chunk->data, chunk->len);
        json_object *p;

        if (!hex)
                return NULL;
        p = json_object_new_object();
        json_object_object_add(p, "name", json_object_new_string(name));
        json_object_object_add(p, "direction", json_object_new_string(direction));
        if (via)
                json_object_object_add(p, "via", json_object_new_string(via));
        json_object_object_add(p, "type", json_object_new_string(vw_chunk_type_to_string(chunk->type)));
        json_object_object_add(p, "len", json_object_new_int64(chunk->len));
        json_object_object_add(p, "hex", json_object_new_string(hex));
        json_object_object_add(p, "realtime_usec", json_object_new_int64((int64_t)ts->tv_sec * 1000000 + ts->tv_nsec / 1000));
        return p;
}

/* Write now what can be written; a client that cannot take it is closed from on_later(). */
static void client_push(struct vw_call *cl)
{
        if (client_flush(cl) < 0)
                client_kill(cl, NULL);
        else
                client_update_events(cl);
}

void vw_control_tap(struct vw_control *c, const char *name, const char *direction, const char *via,
                    const struct vw_chunk *chunk)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        vw_list_for_each(i, &c->clients) {
                struct vw_call *cl = vw_list_entry(i, struct vw_call, link);
                json_object *p;

                if (!cl->monitor || cl->dead || !streq(cl->monitor, name))
                        continue;
                if (cl->out.len > MONITOR_BACKLOG) {
                        cl->lost++;
                        continue;
                }
                p = tap_event(name, direction, via, chunk, &ts);
                if (!p)
                        continue;
                if (cl->lost) {
                        json_object_object_add(p, "lost", json_object_new_int64((int64_t)cl->lost));
                        cl->lost = 0;
                }
                client_send(cl, vw_varlink_reply(p, true));
                client_push(cl);
        }
}

void vw_control_object_gone(struct vw_control *c, const char *name)
{
        vw_list_for_each(i, &c->clients) {
                struct vw_call *cl = vw_list_entry(i, struct vw_call, link);
                json_object *p;

                if (!cl->monitor || !streq(cl->monitor, name))
                        continue;
                p = json_object_new_object();
                json_object_object_add(p, "name", json_object_new_string(name));
                json_object_object_add(p, "ended", json_object_new_string("removed"));
                client_send(cl, vw_varlink_reply(p, false));
                vw_manager_set_monitored(c->manager, cl->monitor, false);
                free(cl->monitor);
                cl->monitor = NULL;
                client_push(cl);
        }
}

void vw_control_tap_hook(void *userdata, const char *name, const char *direction, const char *via,
                         const struct vw_chunk *chunk)
{
        vw_control_tap(userdata, name, direction, via, chunk);
}

void vw_control_object_gone_hook(void *userdata, const char *name)
{
        vw_control_object_gone(userdata, name);
}

