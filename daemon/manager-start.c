/* SPDX-License-Identifier: MIT */
/*
 * Endpoints whose device appears after start() returned (VW_START_PENDING): who waits for them.
 * A waiter is a reply held back (an Add, a Reload) or the READY=1 of start-up; it runs from a
 * defer event, never inside the backend callback that reported the end of the start, so it may
 * remove the endpoint (an Add that failed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manager-internal.h"

struct start_wait {
        struct vw_list link;
        char *name;           /* NULL: every pending endpoint */
        vw_started_fn done;
        void (*cancel)(void *userdata);
        void *userdata;
        const void *owner;
        int r;                /* first failure seen while waiting */
        char *error;
};

static void wait_free(struct start_wait *w)
{
        vw_list_remove(&w->link);
        free(w->name);
        free(w->error);
        free(w);
}

static struct endpoint_entry *entry_of(struct vw_endpoint *ep)
{
        return (struct endpoint_entry *)ep; /* pub is the first member */
}

static bool still_pending(struct vw_manager *m, const struct start_wait *w)
{
        if (!w->name)
                return m->n_pending > 0;
        for (size_t i = 0; i < m->n_endpoints; i++)
                if (streq(m->endpoints[i]->pub.name, w->name))
                        return m->endpoints[i]->pending;
        return false; /* gone */
}

static int on_waits(sd_event_source *s, void *userdata)
{
        struct vw_manager *m = userdata;

        vw_list_for_each_safe(i, tmp, &m->waits) {
                struct start_wait *w = vw_list_entry(i, struct start_wait, link);
                if (still_pending(m, w))
                        continue;
                vw_list_remove(&w->link);
                vw_list_init(&w->link);
                w->done(w->userdata, w->r, w->error);
                wait_free(w);
                /* done() may have changed the list (an Add removing its endpoint): start over */
                (void)sd_event_source_set_enabled(m->waits_event, SD_EVENT_ONESHOT);
                return 0;
        }
        return 0;
}

void vw_endpoint_started(struct vw_endpoint *ep, int r, const char *why)
{
        struct vw_manager *m = ep->manager;
        struct endpoint_entry *e = entry_of(ep);

        if (!e->pending)
                return;
        e->pending = false;
        m->n_pending--;
        if (r < 0) {
                ep->state = VW_STATE_FAILED;
                vw_list_for_each(i, &m->waits) {
                        struct start_wait *w = vw_list_entry(i, struct start_wait, link);
                        if (w->r < 0 || (w->name && !streq(w->name, ep->name)))
                                continue;
                        w->r = r;
                        if (asprintf(&w->error, "[%s %s]: cannot start: %s", ep->section->kind, ep->name,
                                     why ? why : strerror(-r)) < 0)
                                w->error = NULL;
                }
        } else {
                log_debug("%s %s: started", ep->section->kind, ep->name);
        }
        manager_notify_status(m, NULL);
        if (m->waits_event)
                (void)sd_event_source_set_enabled(m->waits_event, SD_EVENT_ONESHOT);
}

int vw_manager_when_started(struct vw_manager *m, const char *name, vw_started_fn done, void (*cancel)(void *),
                            void *userdata, const void *owner)
{
        struct start_wait *w;
        int r;

        if (m->n_pending == 0)
                return 0;
        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        *w = (struct start_wait){ .done = done, .cancel = cancel, .userdata = userdata, .owner = owner };
        if (name && !(w->name = strdup(name))) {
                free(w);
                return -ENOMEM;
        }
        vw_list_init(&w->link);
        if (!still_pending(m, w)) {
                wait_free(w);
                return 0;
        }
        if (!m->waits_event && (r = sd_event_add_defer(m->event, &m->waits_event, on_waits, m)) < 0) {
                wait_free(w);
                return r;
        }
        (void)sd_event_source_set_enabled(m->waits_event, SD_EVENT_OFF);
        vw_list_insert_tail(&m->waits, &w->link);
        return 1;
}

void vw_manager_cancel_waits(struct vw_manager *m, const void *owner)
{
        vw_list_for_each_safe(i, tmp, &m->waits) {
                struct start_wait *w = vw_list_entry(i, struct start_wait, link);
                if (w->owner != owner)
                        continue;
                if (w->cancel)
                        w->cancel(w->userdata);
                wait_free(w);
        }
}

void manager_waits_free(struct vw_manager *m)
{
        vw_list_for_each_safe(i, tmp, &m->waits) {
                struct start_wait *w = vw_list_entry(i, struct start_wait, link);
                if (w->cancel)
                        w->cancel(w->userdata);
                wait_free(w);
        }
        m->waits_event = sd_event_source_disable_unref(m->waits_event);
}
