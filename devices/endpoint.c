/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "log.h"

static bool strv_contains(const char *const *v, const char *s)
{
        for (; *v; v++)
                if (streq(*v, s))
                        return true;
        return false;
}

static bool keys_have(const struct vw_key *keys, const char *name)
{
        for (const struct vw_key *k = keys; k && k->name; k++)
                if (streq(k->name, name))
                        return true;
        return false;
}

const struct vw_endpoint_ops *vw_backend_for_section(const struct vw_section *s, struct vw_errors *errs)
{
        const struct vw_endpoint_ops *first = NULL;
        const struct vw_setting *sel = NULL;
        char names[256] = "", label[128];
        bool kind_known = false;

        for (size_t i = 0; vw_backends[i]; i++) {
                const struct vw_endpoint_ops *o = vw_backends[i];

                if (!streq(o->kind, s->kind))
                        continue;
                kind_known = true;
                if (!o->selector)
                        return o;
                if (!sel)
                        sel = vw_section_get(s, o->selector);
                if (!first)
                        first = o;
                /* no selector given: the default backend of the kind */
                if (!sel) {
                        if (o->is_default)
                                return o;
                        continue;
                }
                if (streq(sel->value, o->backend) ||
                    (o->selector_values && strv_contains(o->selector_values, sel->value)))
                        return o;
                if (streq(sel->value, "auto") && (!o->available || o->available()))
                        return o;
                snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", names[0] ? ", " : "",
                         o->backend);
                for (const char *const *v = o->selector_values; v && *v; v++)
                        snprintf(names + strlen(names), sizeof(names) - strlen(names), ", %s", *v);
        }
        if (!sel && first)
                return first;
        vw_section_label(s, label, sizeof(label));
        if (!kind_known)
                vw_errors_add(errs, s->file, s->line, "[%s]: this vwired has no backend for '%s'", label, s->kind);
        else if (sel && streq(sel->value, "auto"))
                vw_errors_add(errs, s->file, sel->line, "[%s]: no %s backend is usable here", label, s->kind);
        else
                vw_errors_add(errs, s->file, sel ? sel->line : s->line, "%s: unknown %s backend '%s' (this vwired has: %s, auto)",
                              first ? first->selector : "backend", s->kind, sel ? sel->value : "", names);
        return NULL;
}

void *vw_endpoint_parse_config(const struct vw_endpoint_ops *ops, const struct vw_section *s,
                               struct vw_errors *errs)
{
        /* the selector is the registry's, unless the backend's own table parses it too */
        const char *skip[] = { ops->selector && !keys_have(ops->keys, ops->selector) ? ops->selector : NULL, NULL };
        size_t before = errs->n;
        void *config = calloc(1, MAX(ops->config_size, (size_t)1));

        if (!config) {
                vw_errors_add(errs, s->file, s->line, "out of memory");
                return NULL;
        }
        if (ops->init_config)
                ops->init_config(config);
        (void)vw_keys_apply(ops->keys, s, skip, config, errs);
        if (errs->n == before && ops->check)
                ops->check(s, config, errs);
        if (errs->n > before) {
                vw_endpoint_free_config(ops, config);
                return NULL;
        }
        return config;
}

void vw_endpoint_free_config(const struct vw_endpoint_ops *ops, void *config)
{
        if (!config)
                return;
        vw_keys_free(ops->keys, config);
        free(config);
}

int vw_endpoint_set_path(struct vw_endpoint *ep, const char *path)
{
        char *p = path ? strdup(path) : NULL;

        if (path && !p)
                return -ENOMEM;
        free(ep->path);
        ep->path = p;
        return 0;
}

const char *vw_section_host_key(const struct vw_section *s)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        const struct vw_endpoint_ops *ops = vw_backend_for_section(s, &errs);

        if (!ops)
                return NULL;
        for (size_t i = 0; i < s->n_settings; i++)
                for (const struct vw_key *k = ops->keys; k && k->name; k++)
                        if (k->host && streq(k->name, s->settings[i].key))
                                return k->name;
        return NULL;
}

const char *vw_endpoint_state_to_string(enum vw_endpoint_state s)
{
        static const char *const names[_VW_STATE_MAX] = {
                [VW_STATE_CREATED] = "created",       [VW_STATE_STARTING] = "starting",
                [VW_STATE_ACTIVE] = "active",         [VW_STATE_LISTENING] = "listening",
                [VW_STATE_CONNECTING] = "connecting", [VW_STATE_CLOSED] = "closed",
                [VW_STATE_FAILED] = "failed",
        };

        return (unsigned)s < _VW_STATE_MAX ? names[s] : "unknown";
}

char *vw_claim_setting(const struct vw_section *s, const char *key, const struct vw_setting **ret_setting)
{
        const struct vw_setting *st = vw_section_get(s, key);

        if (!st)
                return NULL;
        *ret_setting = st;
        return vw_conf_expand(st->value);
}
