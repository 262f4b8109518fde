/* SPDX-License-Identifier: MIT */
/*
 * Varlink server for io.vwire. One listening unix socket; per client a nonblocking fd with an
 * input and an output buffer; messages are NUL-terminated JSON capped at 1 MiB. Peer
 * credentials are read at accept: only root, vwired's own user and members of the socket's
 * group may change state.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "list.h"
#include "log.h"
#include "manager-internal.h"
#include "manager-persist.h"
#include "varlink.h"

#define MAX_CLIENTS 256
#define MONITOR_BACKLOG (4u * 1024u * 1024u)  /* output queued before monitor events are lost */

struct vw_call {
        struct vw_control *control;
        struct vw_list link;
        int fd;
        sd_event_source *io;
        struct vw_msgbuf in, out;
        struct ucred cred;
        bool privileged;
        bool closing;     /* flush what is queued, then close */
        char *monitor;    /* name being monitored, NULL if none */
        uint64_t lost;
};

struct vw_control {
        struct vw_manager *manager;
        int fd;
        char *path;
        bool unlink_path;
        gid_t gid;
        sd_event_source *accept_io;
        struct vw_list clients;
        unsigned n_clients;
};

static void client_free(struct vw_call *cl);

struct vw_manager *vw_call_manager(struct vw_call *c) { return c->control->manager; }
static void client_update_events(struct vw_call *cl);

unsigned vw_control_n_clients(const struct vw_control *c) { return c ? c->n_clients : 0; }

/* ---- privilege ---- */

static bool pid_in_group(pid_t pid, gid_t gid)
{
        char path[64], line[4096];
        bool found = false;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        while (fgets(line, sizeof(line), f))
                if (strneq(line, "Groups:", 7)) {
                        char *save = NULL;
                        for (char *t = strtok_r(line + 7, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
                                if ((gid_t)strtoul(t, NULL, 10) == gid)
                                        found = true;
                        break;
                }
        fclose(f);
        return found;
}

/* The peer's supplementary groups as the kernel recorded them at connect(): no /proc lookup,
 * so it works under ProtectProc=invisible and cannot race a reused pid. -1: unknown (an old
 * kernel, or more than 256 groups). */
static int peer_in_group(int fd, gid_t gid)
{
        gid_t groups[256];
        socklen_t len = sizeof(groups);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
                return errno == ENOPROTOOPT || errno == ERANGE ? -1 : 0; /* -1: ask /proc */
        for (size_t i = 0; i < len / sizeof(gid_t); i++)
                if (groups[i] == gid)
                        return 1;
        return 0;
}

static bool is_privileged(const struct vw_control *c, int fd, const struct ucred *cr)
{
        int r;

        if (cr->uid == 0 || cr->uid == geteuid())
                return true;
        if (c->gid == (gid_t)-1)
                return false;
        if (cr->gid == c->gid)
                return true;
        r = peer_in_group(fd, c->gid);
        return r >= 0 ? r > 0 : pid_in_group(cr->pid, c->gid);
}

/* ---- replies ---- */

static void client_send(struct vw_call *cl, json_object *msg)
{
        if (vw_varlink_append(&cl->out, msg) < 0)
                cl->closing = true;
        json_object_put(msg);
}

void vw_call_reply(struct vw_call *cl, json_object *params)
{
        client_send(cl, vw_varlink_reply(params, false));
}

void vw_call_error(struct vw_call *cl, const char *error, json_object *params)
{
        client_send(cl, vw_varlink_error(error, params));
}

void vw_call_fail(struct vw_call *cl, const char *error, const char *key, const char *value)
{
        json_object *p = json_object_new_object();

        json_object_object_add(p, key, json_object_new_string(value ? value : "unknown error"));
        vw_call_error(cl, error, p);
}

void vw_call_invalid_parameter(struct vw_call *cl, const char *name)
{
        vw_call_fail(cl, "org.varlink.service.InvalidParameter", "parameter", name);
}

const char *vw_call_get_string(json_object *params, const char *key)
{
        json_object *v;

        if (!json_object_object_get_ex(params, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* ---- methods ---- */

static json_object *hello_params(void)
{
        json_object *p = json_object_new_object();

        json_object_object_add(p, "version", json_object_new_string(VWIRE_VERSION));
        json_object_object_add(p, "protocol", json_object_new_int(VWIRE_PROTOCOL));
        json_object_object_add(p, "pid", json_object_new_int(getpid()));
        return p;
}

static void method_hello(struct vw_call *cl, json_object *params)
{
        const char *version = vw_call_get_string(params, "version");
        json_object *proto;

        if (!version || !json_object_object_get_ex(params, "protocol", &proto) ||
            !json_object_is_type(proto, json_type_int))
                return vw_call_invalid_parameter(cl, version ? "protocol" : "version");
        if (json_object_get_int(proto) != VWIRE_PROTOCOL) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "client_version", json_object_new_string(version));
                json_object_object_add(p, "client_protocol", json_object_new_int(json_object_get_int(proto)));
                json_object_object_add(p, "daemon_version", json_object_new_string(VWIRE_VERSION));
                json_object_object_add(p, "daemon_protocol", json_object_new_int(VWIRE_PROTOCOL));
                return vw_call_error(cl, "io.vwire.VersionMismatch", p);
        }
        vw_call_reply(cl, hello_params());
}

static void method_status(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        const struct vw_config *c = vw_manager_config(m);
        json_object *p = hello_params(), *files = json_object_new_array();
        uint64_t now = 0, rx = 0, tx = 0, dropped = 0;

        (void)sd_event_now(vw_manager_event(m), CLOCK_MONOTONIC, &now);
        for (size_t i = 0; c && i < c->n_files; i++)
                json_object_array_add(files, json_object_new_string(c->files[i]));
        for (size_t i = 0; i < vw_manager_n_endpoints(m); i++) {
                struct vw_counters k;
                vw_port_get_counters(vw_manager_endpoint(m, i)->port, &k);
                rx += k.rx_bytes;
                tx += k.tx_bytes;
                dropped += k.dropped_bytes;
        }
        json_object_object_add(p, "uptime_usec", json_object_new_int64((int64_t)(now - vw_manager_start_time(m))));
        json_object_object_add(p, "config_files", files);
        json_object_object_add(p, "control_socket", json_object_new_string(vw_manager_control_path(m)));
        json_object_object_add(p, "endpoints", json_object_new_int64((int64_t)vw_manager_n_endpoints(m)));
        json_object_object_add(p, "routes", json_object_new_int64((int64_t)vw_manager_n_routes(m)));
        json_object_object_add(p, "clients", json_object_new_int64(cl->control->n_clients));
        json_object_object_add(p, "rx_bytes", json_object_new_int64((int64_t)rx));
        json_object_object_add(p, "tx_bytes", json_object_new_int64((int64_t)tx));
        json_object_object_add(p, "dropped_bytes", json_object_new_int64((int64_t)dropped));
        vw_call_reply(cl, p);
}

static void method_list(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        json_object *p = json_object_new_object(), *eps = json_object_new_array(), *rts = json_object_new_array();

        for (size_t i = 0; i < vw_manager_n_endpoints(m); i++)
                json_object_array_add(eps, vw_endpoint_to_json(vw_manager_endpoint(m, i), false));
        for (size_t i = 0; i < vw_manager_n_routes(m); i++)
                json_object_array_add(rts, vw_mroute_to_json(vw_manager_route(m, i)));
        json_object_object_add(p, "endpoints", eps);
        json_object_object_add(p, "routes", rts);
        vw_call_reply(cl, p);
}

void vw_call_no_such(struct vw_call *cl, const char *name)
{
        vw_call_fail(cl, "io.vwire.NoSuchObject", "name", name);
}

static void method_show(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        const char *name = vw_call_get_string(params, "name");
        struct vw_endpoint *ep;
        struct vw_mroute *r;
        json_object *p;

        if (!name)
                return vw_call_invalid_parameter(cl, "name");
        ep = vw_manager_find_endpoint(m, name);
        r = vw_manager_find_route(m, name);
        if (!ep && !r)
                return vw_call_no_such(cl, name);
        p = json_object_new_object();
        if (ep)
                json_object_object_add(p, "endpoint", vw_endpoint_to_json(ep, true));
        if (r)
                json_object_object_add(p, "route", vw_mroute_to_json(r));
        vw_call_reply(cl, p);
}

void vw_call_errno(struct vw_call *cl, int r, const char *name, const char *error)
{
        switch (r) {
        case -ENOENT:
                return vw_call_no_such(cl, name);
        case -EEXIST:
                return vw_call_fail(cl, "io.vwire.ObjectExists", "name", name);
        case -EINVAL:
                return vw_call_fail(cl, "io.vwire.InvalidConfig", "message", error);
        case -EPERM:
                return vw_call_fail(cl, "io.vwire.PermissionDenied", "message", error ? error : strerror(-r));
        default:
                return vw_call_fail(cl, "io.vwire.Failed", "message", error ? error : strerror(-r));
        }
}

static void method_add(struct vw_call *cl, json_object *params)
{
        const char *kind = vw_call_get_string(params, "kind"), *name = vw_call_get_string(params, "name");
        _cleanup_(vw_section_freep) struct vw_section *s = NULL;
        _cleanup_free_ char *error = NULL, *text = NULL, *file = NULL;
        json_object *settings = NULL, *p;
        bool persist;
        int r;

        if (!kind || !name)
                return vw_call_invalid_parameter(cl, kind ? "name" : "kind");
        if (vw_call_get_persist(cl, params, &persist) < 0)
                return;
        if (json_object_object_get_ex(params, "settings", &settings) && !json_object_is_type(settings, json_type_object))
                return vw_call_invalid_parameter(cl, "settings");
        s = vw_section_new(kind, name, "vwirectl add", 0);
        if (!s)
                return vw_call_fail(cl, "io.vwire.Failed", "message", "out of memory");
        if (settings) {
                json_object_object_foreach(settings, key, val) {
                        if (json_object_is_type(val, json_type_object) || json_object_is_type(val, json_type_array) ||
                            json_object_is_type(val, json_type_null))
                                return vw_call_invalid_parameter(cl, "settings");
                        if (vw_section_get(s, key))
                                return vw_call_invalid_parameter(cl, "settings");
                        vw_section_set(s, key, json_object_get_string(val), 0);
                }
        }
        if (persist && (r = vw_persist_add_prepare(cl->control->manager, s, &text, &error)) < 0)
                return vw_call_persist_error(cl, r, name, error);
        r = vw_manager_add(cl->control->manager, s, &error);
        if (r < 0)
                return vw_call_errno(cl, r, name, error);
        if (persist && (r = vw_persist_add_commit(cl->control->manager, name, text, &file, &error)) < 0) {
                _cleanup_free_ char *ignored = NULL;
                (void)vw_manager_remove(cl->control->manager, name, &ignored); /* all or nothing */
                return vw_call_persist_error(cl, r, name, error);
        }
        p = json_object_new_object();
        json_object_object_add(p, "name", json_object_new_string(name));
        if (file)
                json_object_object_add(p, "file", json_object_new_string(file));
        vw_call_reply(cl, p);
}

static void method_remove(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        const char *name = vw_call_get_string(params, "name");
        _cleanup_free_ char *error = NULL, *file = NULL;
        json_object *out = NULL;
        bool persist;
        int r;

        if (!name)
                return vw_call_invalid_parameter(cl, "name");
        if (vw_call_get_persist(cl, params, &persist) < 0)
                return;
        if (persist && (r = vw_persist_remove_prepare(m, name, &file, &error)) < 0)
                return vw_call_persist_error(cl, r, name, error);
        r = vw_manager_remove(m, name, &error);
        if (r == -EBUSY) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "name", json_object_new_string(name));
                json_object_object_add(p, "by", vw_manager_routes_using(m, name));
                return vw_call_error(cl, "io.vwire.InUse", p);
        }
        if (r < 0)
                return vw_call_errno(cl, r, name, error);
        if (file && (r = vw_persist_remove_commit(m, file, &error)) < 0)
                return vw_call_persist_error(cl, r, name, error);
        if (file) {
                out = json_object_new_object();
                json_object_object_add(out, "file", json_object_new_string(file));
        }
        vw_call_reply(cl, out);
}

static void method_send(struct vw_call *cl, json_object *params)
{
        struct vw_manager *m = cl->control->manager;
        const char *name = vw_call_get_string(params, "name"), *hex = vw_call_get_string(params, "hex"), *text = vw_call_get_string(params, "text");
        _cleanup_free_ unsigned char *data = NULL;
        _cleanup_free_ char *error = NULL;
        struct vw_endpoint *ep;
        size_t len = 0;
        json_object *p;
        int r;

        if (!name)
                return vw_call_invalid_parameter(cl, "name");
        if (!!hex == !!text)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "give exactly one of hex or text");
        ep = vw_manager_find_endpoint(m, name);
        if (!ep)
                return vw_call_no_such(cl, name);
        if (hex && vw_hex_decode(hex, &data, &len) < 0)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "hex: not a hex string");
        r = vw_manager_send(m, ep, hex ? (const void *)data : text, hex ? len : strlen(text), &error);
        if (r < 0)
                return vw_call_errno(cl, r, name, error);
        if (error)
                return vw_call_fail(cl, "io.vwire.Failed", "message", error);
        p = json_object_new_object();
        json_object_object_add(p, "bytes", json_object_new_int(r));
        vw_call_reply(cl, p);
}

static void method_reload(struct vw_call *cl, json_object *params)
{
        _cleanup_free_ char *error = NULL;
        json_object *result = NULL;
        int r;

        log_info("reload requested by pid %d (uid %d)", (int)cl->cred.pid, (int)cl->cred.uid);
        r = vw_manager_reload(cl->control->manager, &result, &error);
        if (r < 0)
                return vw_call_fail(cl, r == -EINVAL ? "io.vwire.InvalidConfig" : "io.vwire.Failed", "message",
                                     error ? error : strerror(-r));
        vw_call_reply(cl, result);
}

static void method_monitor(struct vw_call *cl, json_object *params, bool more)
{
        struct vw_manager *m = cl->control->manager;
        const char *name = vw_call_get_string(params, "name");
        json_object *p;

        if (!name)
                return vw_call_invalid_parameter(cl, "name");
        if (!more)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "Monitor needs \"more\": true");
        if (!vw_manager_find_endpoint(m, name) && !vw_manager_find_route(m, name))
                return vw_call_no_such(cl, name);
        if (cl->monitor)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "this connection already monitors");
        cl->monitor = strdup(name);
        if (!cl->monitor)
                return vw_call_fail(cl, "io.vwire.Failed", "message", "out of memory");
        manager_set_monitored(m, name, true);
        p = json_object_new_object();
        json_object_object_add(p, "name", json_object_new_string(name));
        client_send(cl, vw_varlink_reply(p, true));
}

static void method_get_info(struct vw_call *cl, json_object *params)
{
        json_object *p = json_object_new_object(), *ifaces = json_object_new_array();

        json_object_object_add(p, "vendor", json_object_new_string("vwire"));
        json_object_object_add(p, "product", json_object_new_string("vwired"));
        json_object_object_add(p, "version", json_object_new_string(VWIRE_VERSION));
        json_object_object_add(p, "url", json_object_new_string("man:vwired(8)"));
        json_object_array_add(ifaces, json_object_new_string("org.varlink.service"));
        json_object_array_add(ifaces, json_object_new_string(VW_INTERFACE));
        json_object_object_add(p, "interfaces", ifaces);
        vw_call_reply(cl, p);
}

static const char service_description[] =
        "# The Varlink Service Interface is provided by every varlink service.\n"
        "interface org.varlink.service\n\n"
        "method GetInfo() -> (vendor: string, product: string, version: string, url: string, interfaces: []string)\n"
        "method GetInterfaceDescription(interface: string) -> (description: string)\n\n"
        "error InterfaceNotFound (interface: string)\n"
        "error MethodNotFound (method: string)\n"
        "error MethodNotImplemented (method: string)\n"
        "error InvalidParameter (parameter: string)\n";

static void method_get_description(struct vw_call *cl, json_object *params)
{
        const char *iface = vw_call_get_string(params, "interface");
        json_object *p;

        if (!iface)
                return vw_call_invalid_parameter(cl, "interface");
        if (!streq(iface, VW_INTERFACE) && !streq(iface, "org.varlink.service"))
                return vw_call_fail(cl, "org.varlink.service.InterfaceNotFound", "interface", iface);
        p = json_object_new_object();
        json_object_object_add(p, "description", json_object_new_string(streq(iface, VW_INTERFACE)
                                                                          ? vw_interface_description
                                                                          : service_description));
        vw_call_reply(cl, p);
}

static const struct vw_method core_methods[] = {
        { "org.varlink.service.GetInfo", method_get_info },
        { "org.varlink.service.GetInterfaceDescription", method_get_description },
        { "io.vwire.Hello", method_hello },
        { "io.vwire.Status", method_status },
        { "io.vwire.List", method_list },
        { "io.vwire.Show", method_show },
        { "io.vwire.Add", method_add, true },
        { "io.vwire.Remove", method_remove, true },
        { "io.vwire.Send", method_send, true },
        { "io.vwire.Reload", method_reload, true },
        { "io.vwire.Monitor", NULL },
        {}
};

#if HAVE_INPUT_METHODS
extern const struct vw_method vw_input_methods[];
#endif
extern const struct vw_method vw_doctor_methods[];

static const struct vw_method *const method_tables[] = {
        core_methods,
        vw_doctor_methods,
#if HAVE_INPUT_METHODS
        vw_input_methods,
#endif
        NULL,
};

static void handle_message(struct vw_call *cl, json_object *msg)
{
        json_object *jmethod, *params = NULL, *jmore, *joneway;
        const char *method;
        bool more = false, oneway = false;
        size_t out_before = cl->out.len;

        if (!json_object_object_get_ex(msg, "method", &jmethod) || !json_object_is_type(jmethod, json_type_string))
                return vw_call_invalid_parameter(cl, "method");
        method = json_object_get_string(jmethod);
        if (json_object_object_get_ex(msg, "parameters", &params) && !json_object_is_type(params, json_type_object))
                return vw_call_invalid_parameter(cl, "parameters");
        if (json_object_object_get_ex(msg, "more", &jmore))
                more = json_object_get_boolean(jmore);
        if (json_object_object_get_ex(msg, "oneway", &joneway))
                oneway = json_object_get_boolean(joneway);
        if (!params) {
                params = json_object_new_object();
                json_object_object_add(msg, "parameters", params);
        }
        if (cl->monitor)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message",
                                     "this connection is streaming a monitor; open another one");

        for (const struct vw_method *const *t = method_tables; *t; t++)
                for (const struct vw_method *mt = *t; mt->name; mt++) {
                        if (!streq(mt->name, method))
                                continue;
                        if (mt->changes_state && !cl->privileged) {
                                char msgbuf[256];
                                snprintf(msgbuf, sizeof(msgbuf),
                                         "uid %d may not use %s: only root, vwired's user and the socket's group may change state",
                                         (int)cl->cred.uid, method);
                                return vw_call_fail(cl, "io.vwire.PermissionDenied", "message", msgbuf);
                        }
                        if (!mt->call)
                                method_monitor(cl, params, more);
                        else
                                mt->call(cl, params);
                        if (oneway && !cl->monitor)
                                cl->out.len = out_before; /* the caller asked for no reply */
                        return;
                }
        if (!strneq(method, "io.vwire.", 9) && !strneq(method, "org.varlink.service.", 20)) {
                char iface[256];
                const char *dot = strrchr(method, '.');
                snprintf(iface, sizeof(iface), "%.*s", dot ? (int)(dot - method) : (int)strlen(method), method);
                return vw_call_fail(cl, "org.varlink.service.InterfaceNotFound", "interface", iface);
        }
        vw_call_fail(cl, "org.varlink.service.MethodNotFound", "method", method);
}

/* ---- I/O ---- */

static int client_flush(struct vw_call *cl)
{
        while (cl->out.len > 0) {
                ssize_t n = send(cl->fd, cl->out.data, cl->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return -errno;
                }
                vw_msgbuf_drop(&cl->out, (size_t)n);
        }
        return 0;
}

static void client_update_events(struct vw_call *cl)
{
        uint32_t ev = (cl->closing ? 0 : EPOLLIN) | (cl->out.len ? EPOLLOUT : 0);

        sd_event_source_set_io_events(cl->io, ev);
}

static int client_read(struct vw_call *cl)
{
        for (;;) {
                char *p = vw_msgbuf_reserve(&cl->in, 65536);
                json_object *msg;
                ssize_t n;
                int r;

                if (!p)
                        return -ENOMEM;
                n = recv(cl->fd, p, 65536, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 0 : -errno;
                }
                if (n == 0)
                        return -ECONNRESET; /* a partial message is simply dropped */
                r = vw_msgbuf_commit(&cl->in, (size_t)n);
                if (r == -EMSGSIZE) {
                        log_warning("control: client pid %d sent a message over %u bytes; closing it",
                                    (int)cl->cred.pid, VW_VARLINK_MAX_MESSAGE);
                        vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "message too large (limit 1 MiB)");
                        cl->closing = true;
                        vw_msgbuf_done(&cl->in);
                        return 0;
                }
                while ((r = vw_msgbuf_next(&cl->in, &msg)) != 0) {
                        if (r == -EBADMSG) {
                                vw_call_fail(cl, "io.vwire.InvalidArgument", "message",
                                              "not a JSON object terminated by a NUL byte");
                                continue;
                        }
                        if (r < 0)
                                return r;
                        handle_message(cl, msg);
                        json_object_put(msg);
                        if (cl->closing)
                                return 0;
                }
                if ((size_t)n < 65536)
                        return 0;
        }
}

static int client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct vw_call *cl = userdata;
        int r = 0;

        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                r = client_read(cl);
        if (r >= 0)
                r = client_flush(cl);
        if (r < 0 || (cl->closing && cl->out.len == 0)) {
                if (r < 0 && r != -ECONNRESET && r != -EPIPE)
                        log_debug_errno(r, "control: client pid %d", (int)cl->cred.pid);
                client_free(cl);
                return 0;
        }
        client_update_events(cl);
        return 0;
}

static void client_free(struct vw_call *cl)
{
        if (!cl)
                return;
        if (cl->monitor)
                manager_set_monitored(cl->control->manager, cl->monitor, false);
        free(cl->monitor);
        sd_event_source_disable_unref(cl->io);
        safe_close(cl->fd);
        vw_msgbuf_done(&cl->in);
        vw_msgbuf_done(&cl->out);
        vw_list_remove(&cl->link);
        cl->control->n_clients--;
        free(cl);
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct vw_control *c = userdata;
        socklen_t len = sizeof(struct ucred);
        struct vw_call *cl;
        int cfd, r;

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        log_warning_errno(errno, "control: accept failed");
                return 0;
        }
        if (c->n_clients >= MAX_CLIENTS) {
                log_warning("control: too many clients (%d), refusing one", MAX_CLIENTS);
                close(cfd);
                return 0;
        }
        cl = calloc(1, sizeof(*cl));
        if (!cl) {
                close(cfd);
                return 0;
        }
        cl->fd = cfd;
        cl->control = c;
        vw_list_insert_tail(&c->clients, &cl->link);
        c->n_clients++;
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cl->cred, &len) < 0) {
                log_warning_errno(errno, "control: cannot read peer credentials");
                client_free(cl);
                return 0;
        }
        cl->privileged = is_privileged(c, cfd, &cl->cred);
        r = sd_event_add_io(vw_manager_event(c->manager), &cl->io, cfd, EPOLLIN, client_io, cl);
        if (r < 0) {
                client_free(cl);
                return 0;
        }
        log_debug("control: client pid %d uid %d%s", (int)cl->cred.pid, (int)cl->cred.uid,
                  cl->privileged ? "" : " (read-only)");
        return 0;
}

/* A socket file exists: is a live vwired behind it? */
static int check_existing(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int fd, r;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISSOCK(st.st_mode))
                return log_error_errno(EEXIST, "control socket %s exists and is not a socket", path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
        close(fd);
        if (r == 0)
                return log_error_errno(EADDRINUSE, "another vwired is already listening on %s", path);
        if (unlink(path) < 0)
                return log_error_errno(errno, "cannot remove stale control socket %s", path);
        log_notice("removed stale control socket %s", path);
        return 0;
}

int vw_control_new(struct vw_manager *m, const char *path, int listen_fd, struct vw_control **ret)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct vw_control *c;
        struct group *gr;
        int r;

        if (strlen(path) >= sizeof(sa.sun_path))
                return log_error_errno(ENAMETOOLONG, "control socket path too long: %s", path);
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->manager = m;
        c->fd = -1;
        vw_list_init(&c->clients);
        gr = getgrnam("vwire");
        c->gid = gr ? gr->gr_gid : (gid_t)-1;
        c->path = strdup(path);
        if (!c->path) {
                r = -ENOMEM;
                goto fail;
        }
        if (listen_fd >= 0) {
                c->fd = listen_fd;
                (void)fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        } else {
                r = check_existing(path);
                if (r < 0)
                        goto fail;
                c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (c->fd < 0) {
                        r = -errno;
                        goto fail;
                }
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
                if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                        r = log_error_errno(errno, "cannot bind control socket %s", path);
                        goto fail;
                }
                c->unlink_path = true;
                if (chmod(path, 0660) < 0)
                        log_warning_errno(errno, "cannot chmod %s", path);
                if (c->gid != (gid_t)-1 && chown(path, (uid_t)-1, c->gid) < 0)
                        log_warning_errno(errno, "cannot give %s to group vwire", path);
                if (listen(c->fd, 64) < 0) {
                        r = log_error_errno(errno, "cannot listen on %s", path);
                        goto fail;
                }
        }
        r = sd_event_add_io(vw_manager_event(m), &c->accept_io, c->fd, EPOLLIN, on_accept, c);
        if (r < 0)
                goto fail;
        *ret = c;
        return 0;
fail:
        vw_control_free(c);
        return r;
}

void vw_control_free(struct vw_control *c)
{
        if (!c)
                return;
        vw_list_for_each_safe(i, tmp, &c->clients) {
                struct vw_call *cl = vw_list_entry(i, struct vw_call, link);
                /* best effort: a monitor stream gets its last reply */
                if (cl->monitor) {
                        json_object *p = json_object_new_object();
                        json_object_object_add(p, "name", json_object_new_string(cl->monitor));
                        json_object_object_add(p, "ended", json_object_new_string("shutdown"));
                        client_send(cl, vw_varlink_reply(p, false));
                        (void)client_flush(cl);
                }
                client_free(cl);
        }
        sd_event_source_disable_unref(c->accept_io);
        safe_close(c->fd);
        if (c->unlink_path)
                (void)unlink(c->path);
        free(c->path);
        free(c);
}

void vw_control_tap(struct vw_control *c, const char *name, const char *direction, const char *via,
                    const struct vw_chunk *chunk)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        vw_list_for_each(i, &c->clients) {
                struct vw_call *cl = vw_list_entry(i, struct vw_call, link);
                json_object *p;
                char *hex;

                if (!cl->monitor || !streq(cl->monitor, name))
                        continue;
                if (cl->out.len > MONITOR_BACKLOG) {
                        cl->lost++;
                        continue;
                }
                hex = vw_hex_encode(chunk->data, chunk->len);
                if (!hex)
                        continue;
                p = json_object_new_object();
                json_object_object_add(p, "name", json_object_new_string(name));
                json_object_object_add(p, "direction", json_object_new_string(direction));
                if (via)
                        json_object_object_add(p, "via", json_object_new_string(via));
                json_object_object_add(p, "type", json_object_new_string(vw_chunk_type_to_string(chunk->type)));
                json_object_object_add(p, "len", json_object_new_int64(chunk->len));
                json_object_object_add(p, "hex", json_object_new_string(hex));
                json_object_object_add(p, "realtime_usec",
                                       json_object_new_int64((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000));
                if (cl->lost) {
                        json_object_object_add(p, "lost", json_object_new_int64((int64_t)cl->lost));
                        cl->lost = 0;
                }
                free(hex);
                client_send(cl, vw_varlink_reply(p, true));
                if (client_flush(cl) < 0)
                        cl->closing = true;
                client_update_events(cl);
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
                manager_set_monitored(c->manager, cl->monitor, false);
                free(cl->monitor);
                cl->monitor = NULL;
                (void)client_flush(cl);
                client_update_events(cl);
        }
}
