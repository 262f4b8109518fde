/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "config.h"
#include "log.h"
#include "output.h"
#include "paths.h"

#define READ_CHUNK (64u * 1024u)

void ctl_done(struct ctl *c)
{
        c->fd = safe_close(c->fd);
        vw_msgbuf_done(&c->in);
        free(c->path);
        c->path = NULL;
        free(c->daemon_version);
        c->daemon_version = NULL;
        c->hello_done = false;
}

const char *ctl_get_string(json_object *o, const char *key)
{
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

bool ctl_get_int(json_object *o, const char *key, int64_t *ret)
{
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return false;
        *ret = json_object_get_int64(v);
        return true;
}

static void log_connect_hint(int err)
{
        if (err == ENXIO)
                log_error("hint: run vwirectl in the session vwired runs in, "
                          "or use --socket PATH / VWIRE_SOCKET");
        else if (err == EACCES || err == EPERM)
                log_error("hint: this user may not use that socket; run as root or as a user vwired lets "
                          "in, or use --socket PATH / VWIRE_SOCKET to reach another vwired");
        else
                log_error("hint: is vwired running? Use --socket PATH or set VWIRE_SOCKET to reach "
                          "its socket");
}

static int ctl_connect(struct ctl *c)
{
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } sa = { .un.sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        socklen_t salen;
        size_t len;

        c->path = c->socket_path ? strdup(c->socket_path) : vw_default_control_socket();
        if (!c->path) {
                if (errno == ENXIO)
                        log_error("cannot find vwired's socket: XDG_RUNTIME_DIR is not set");
                else
                        log_error_errno(errno, "cannot find vwired's socket");
                log_connect_hint(ENXIO);
                return CTL_ERR_CONNECT;
        }

        /* "@name" is a socket in the abstract namespace. */
        len = strlen(c->path);
        if (len == 0 || len >= sizeof(sa.un.sun_path)) {
                log_error("cannot connect to vwired at '%s': the socket path is %s", c->path,
                          len == 0 ? "empty" : "too long");
                return CTL_ERR_CONNECT;
        }
        memcpy(sa.un.sun_path, c->path, len);
        if (c->path[0] == '@') {
                sa.un.sun_path[0] = 0;
                salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
        } else
                salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                log_error_errno(errno, "cannot create a socket");
                return CTL_ERR_CONNECT;
        }
        if (connect(fd, &sa.sa, salen) < 0) {
                int err = errno;

                log_error_errno(err, "cannot connect to vwired at %s", c->path);
                log_connect_hint(err);
                return CTL_ERR_CONNECT;
        }
        c->fd = TAKE_FD(fd);
        c->in.max = VW_VARLINK_MAX_REPLY; /* vwired's replies may be larger than our calls */
        return 0;
}

/*
 * One write; the first carries the descriptors. vwired attaches them to the message whose bytes
 * they arrive with, so each message with descriptors must begin a write of its own (it does:
 * ctl_send() writes one message, from its start).
 */
static ssize_t send_with_fds(int fd, const char *data, size_t len, const int *fds, size_t n_fds)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)];
        } control = {};
        struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        struct cmsghdr *cm;

        if (n_fds == 0)
                return send(fd, data, len, MSG_NOSIGNAL);
        mh.msg_control = control.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
        return sendmsg(fd, &mh, MSG_NOSIGNAL);
}

static int ctl_receive(struct ctl *c, json_object **ret);
static int ctl_parse_reply(struct ctl *c, json_object *msg, json_object **ret_parameters, bool *ret_continues);

/* vwired closed the connection while we wrote: it may have said why first (a refused
 * connection gets "too many connections ..."). Print that if it is there. */
static int ctl_report_hangup(struct ctl *c)
{
        _cleanup_json_ json_object *msg = NULL, *p = NULL;
        bool continues;
        int r;

        r = ctl_receive(c, &msg); /* no wait: the socket is at its end, so readable */
        if (r < 0)
                goto closed;
        r = ctl_parse_reply(c, msg, &p, &continues);
        if (r < 0)
                return r;
closed:
        log_error("vwired closed the connection");
        return CTL_ERR_PROTOCOL;
}

/* Write messages (NUL-terminated JSON, in one buffer: one write for all); fds go with the first. */
static int ctl_send_msgs(struct ctl *c, json_object *const *msgs, size_t n_msgs, const int *fds, size_t n_fds)
{
        _cleanup_(vw_msgbuf_done) struct vw_msgbuf out = {};
        size_t done = 0, start = 0;
        int r;

        for (size_t i = 0; i < n_msgs; i++) {
                r = vw_varlink_append(&out, msgs[i]);
                if (r < 0)
                        return log_error_errno(r, "cannot build the request");
                if (out.len - start - 1 > VW_VARLINK_MAX_MESSAGE) {
                        log_error("the request is %zu bytes, more than the %u vwired accepts", out.len - start - 1,
                                  VW_VARLINK_MAX_MESSAGE);
                        return -EMSGSIZE;
                }
                start = out.len;
        }

        if (n_fds > CTL_MAX_FDS) {
                log_error("%zu descriptors for one request, more than the %d vwired accepts", n_fds, CTL_MAX_FDS);
                return -E2BIG;
        }
        while (done < out.len) {
                ssize_t n = send_with_fds(c->fd, out.data + done, out.len - done, done == 0 ? fds : NULL,
                                          done == 0 ? n_fds : 0);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EPIPE || errno == ECONNRESET)
                                return ctl_report_hangup(c);
                        log_error_errno(errno, "cannot write to vwired");
                        return CTL_ERR_PROTOCOL;
                }
                done += (size_t)n;
        }
        return 0;
}

static int ctl_send(struct ctl *c, json_object *msg, const int *fds, size_t n_fds)
{
        return ctl_send_msgs(c, &msg, 1, fds, n_fds);
}

static int ctl_send_two(struct ctl *c, json_object *first, json_object *second)
{
        json_object *const msgs[] = { first, second };

        return ctl_send_msgs(c, msgs, 2, NULL, 0);
}

/* Wait until the socket is readable; -EINTR when the signal fd fired first. */
static int ctl_wait(struct ctl *c)
{
        struct pollfd p[2] = {
                { .fd = c->fd, .events = POLLIN },
                { .fd = c->sigfd, .events = POLLIN },
        };

        if (c->sigfd < 0)
                return 0;
        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "cannot wait for vwired");
                }
                if (p[1].revents)
                        return -EINTR;
                if (p[0].revents)
                        return 0;
        }
}

/* One read into the input buffer. */
static int ctl_fill(struct ctl *c)
{
        char *p = vw_msgbuf_reserve(&c->in, READ_CHUNK);
        ssize_t n;
        int r;

        if (!p)
                return log_error_errno(ENOMEM, "cannot receive");
        do
                n = read(c->fd, p, READ_CHUNK);
        while (n < 0 && errno == EINTR);

        if (n < 0 && errno != ECONNRESET) {
                log_error_errno(errno, "cannot read from vwired");
                return CTL_ERR_PROTOCOL;
        }
        if (n <= 0) {
                if (c->in.len == 0)
                        return CTL_ERR_CLOSED;
                log_error("vwired closed the connection in the middle of a reply");
                return CTL_ERR_PROTOCOL;
        }
        r = vw_msgbuf_commit(&c->in, (size_t)n);
        if (r == -EMSGSIZE) {
                log_error("vwired sent a message larger than %u bytes, the protocol's limit",
                          VW_VARLINK_MAX_REPLY);
                return CTL_ERR_PROTOCOL;
        }
        return r;
}

static int ctl_receive(struct ctl *c, json_object **ret)
{
        for (;;) {
                int r = vw_msgbuf_next(&c->in, ret);

                if (r > 0)
                        return 0;
                if (r == -EBADMSG) {
                        log_error("vwired sent a malformed message (not a JSON object)");
                        return CTL_ERR_PROTOCOL;
                }
                if (r == -ENOTUNIQ) {
                        log_error("vwired sent a malformed message (a key twice in one object)");
                        return CTL_ERR_PROTOCOL;
                }
                if (r == -EMSGSIZE) {
                        log_error("vwired sent a message larger than %u bytes, the protocol's limit",
                                  VW_VARLINK_MAX_REPLY);
                        return CTL_ERR_PROTOCOL;
                }
                if (r < 0)
                        return log_error_errno(r, "cannot parse vwired's message");

                r = ctl_wait(c);
                if (r < 0)
                        return r;
                r = ctl_fill(c);
                if (r < 0)
                        return r;
        }
}

static void log_mismatch(const char *daemon_version, int64_t daemon_protocol)
{
        if (daemon_version && daemon_protocol >= 0)
                log_error("vwirectl %s (protocol %d) and vwired %s (protocol %" PRId64 ") are out of step; "
                          "restart vwired or use the matching vwirectl",
                          VWIRE_VERSION, VWIRE_PROTOCOL, daemon_version, daemon_protocol);
        else
                log_error("vwirectl %s (protocol %d) and this vwired are out of step; "
                          "restart vwired or use the matching vwirectl", VWIRE_VERSION, VWIRE_PROTOCOL);
}

/* The human message for an error reply. */
static int log_error_reply(struct ctl *c, const char *error, json_object *p)
{
        const char *name = ctl_get_string(p, "name");
        const char *message = ctl_get_string(p, "message");
        const char *n = name ? name : "?";

        if (streq(error, "io.vwire.VersionMismatch")) {
                const char *v = ctl_get_string(p, "daemon_version");
                int64_t proto = -1;

                (void)ctl_get_int(p, "daemon_protocol", &proto);
                if (v && !c->daemon_version) {
                        c->daemon_version = strdup(v);
                        c->daemon_protocol = proto;
                }
                log_mismatch(v, proto);
                return CTL_ERR_MISMATCH;
        }

        if (streq(error, "io.vwire.NoSuchObject"))
                log_error("no endpoint or route named '%s'", n);
        else if (streq(error, "io.vwire.ObjectExists"))
                log_error("an endpoint or route named '%s' already exists", n);
        else if (streq(error, "io.vwire.InUse")) {
                json_object *by = NULL;
                _cleanup_free_ char *list = NULL;

                if (json_object_object_get_ex(p, "by", &by) && json_object_is_type(by, json_type_array) &&
                    json_object_array_length(by) > 0 && (list = json_join(by, ", ")))
                        log_error("'%s' is used by route(s) %s", n, list);
                else
                        log_error("'%s' is in use", n);
        } else if (streq(error, "io.vwire.InvalidConfig"))
                log_error("%s", message ?: "invalid configuration");
        else if (streq(error, "io.vwire.InvalidArgument"))
                log_error("%s", message ?: "invalid argument");
        else if (streq(error, "io.vwire.PermissionDenied"))
                log_error("%s", message ?: "permission denied");
        else if (streq(error, "io.vwire.Failed"))
                log_error("%s", message ?: "the operation failed");
        else if (streq(error, "org.varlink.service.MethodNotFound") ||
                 streq(error, "org.varlink.service.MethodNotImplemented"))
                log_error("vwired does not know the method %s; is it older than vwirectl?",
                          ctl_get_string(p, "method") ?: "called");
        else if (streq(error, "org.varlink.service.InvalidParameter"))
                log_error("vwired refused the parameter '%s'", ctl_get_string(p, "parameter") ?: "?");
        else
                log_error("vwired answered %s %s", error,
                          json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
        return CTL_ERR_REFUSED;
}

/* Split a reply into its parts; error replies are reported here. */
static int ctl_parse_reply(struct ctl *c, json_object *msg, json_object **ret_parameters,
                           bool *ret_continues)
{
        json_object *parameters = NULL, *error = NULL, *continues = NULL;

        if (json_object_object_get_ex(msg, "parameters", &parameters) && parameters &&
            !json_object_is_type(parameters, json_type_object)) {
                log_error("vwired sent a reply whose parameters are not an object");
                return CTL_ERR_PROTOCOL;
        }
        if (json_object_object_get_ex(msg, "continues", &continues) && continues &&
            !json_object_is_type(continues, json_type_boolean)) {
                log_error("vwired sent a reply whose \"continues\" is not a boolean");
                return CTL_ERR_PROTOCOL;
        }

        if (json_object_object_get_ex(msg, "error", &error)) {
                _cleanup_json_ json_object *p = parameters ? json_object_get(parameters)
                                                           : json_object_new_object();

                if (!json_object_is_type(error, json_type_string)) {
                        log_error("vwired sent an error reply without an error name");
                        return CTL_ERR_PROTOCOL;
                }
                if (c->json) {
                        _cleanup_json_ json_object *o = json_object_new_object();

                        json_object_object_add(o, "error", json_object_get(error));
                        json_object_object_add(o, "parameters", json_object_get(p));
                        print_json(stdout, o);
                        fflush(stdout);
                }
                return log_error_reply(c, json_object_get_string(error), p);
        }

        *ret_parameters = parameters ? json_object_get(parameters) : json_object_new_object();
        *ret_continues = continues && json_object_get_boolean(continues);
        return 0;
}

int ctl_next(struct ctl *c, json_object **ret_parameters, bool *ret_continues)
{
        _cleanup_json_ json_object *msg = NULL;
        int r;

        r = ctl_receive(c, &msg);
        if (r < 0)
                return r;
        return ctl_parse_reply(c, msg, ret_parameters, ret_continues);
}

/* The reply to the call of `method` just sent. */
static int ctl_reply(struct ctl *c, const char *method, bool more, json_object **ret_parameters, bool *ret_continues)
{
        _cleanup_json_ json_object *reply = NULL;
        bool continues = false;
        int r;

        r = ctl_next(c, &reply, &continues);
        if (r == CTL_ERR_CLOSED) {
                log_error("vwired closed the connection without answering %s", method);
                return CTL_ERR_PROTOCOL;
        }
        if (r < 0)
                return r;
        if (continues && !more) {
                log_error("vwired sent a stream of replies to %s, which asks for one", method);
                return CTL_ERR_PROTOCOL;
        }
        *ret_parameters = TAKE_PTR(reply);
        if (ret_continues)
                *ret_continues = continues;
        return 0;
}

static int ctl_call_raw(struct ctl *c, const char *method, json_object *parameters, const int *fds, size_t n_fds,
                        bool more, json_object **ret_parameters, bool *ret_continues)
{
        _cleanup_json_ json_object *msg = vw_varlink_call(method, parameters, more);
        int r;

        if (!msg)
                return log_error_errno(ENOMEM, "cannot build the request");
        r = ctl_send(c, msg, fds, n_fds);
        if (r < 0)
                return r;
        return ctl_reply(c, method, more, ret_parameters, ret_continues);
}

/* Hello, strict: vwired refuses it, and every call after it on this connection, unless both
 * releases match, so a call sent right behind it never runs on a vwired of another release. */
static json_object *hello_params(void)
{
        json_object *p = json_object_new_object();

        if (!p)
                return NULL;
        json_object_object_add(p, "version", json_object_new_string(VWIRE_VERSION));
        json_object_object_add(p, "protocol", json_object_new_int(VWIRE_PROTOCOL));
        json_object_object_add(p, "strict", json_object_new_boolean(true));
        return p;
}

/* What Hello answered: the daemon's version, which must be ours. */
static int hello_check(struct ctl *c, json_object *reply)
{
        const char *version;
        int64_t protocol = -1;

        version = ctl_get_string(reply, "version");
        if (!version || !ctl_get_int(reply, "protocol", &protocol)) {
                log_error("vwired's answer to Hello lacks its version or protocol");
                return CTL_ERR_PROTOCOL;
        }
        c->daemon_version = strdup(version);
        if (!c->daemon_version)
                return log_error_errno(ENOMEM, "cannot store the daemon version");
        c->daemon_protocol = protocol;
        if (!ctl_get_int(reply, "pid", &c->daemon_pid))
                c->daemon_pid = -1;

        if (!streq(version, VWIRE_VERSION) || protocol != VWIRE_PROTOCOL) {
                log_mismatch(version, protocol);
                return CTL_ERR_MISMATCH;
        }
        c->hello_done = true;
        return 0;
}

static int ctl_hello(struct ctl *c)
{
        _cleanup_json_ json_object *reply = NULL;
        json_object *p = hello_params();
        int r;

        if (!p)
                return log_error_errno(ENOMEM, "cannot build the request");
        r = ctl_call_raw(c, VW_INTERFACE ".Hello", p, NULL, 0, false, &reply, NULL);
        if (r < 0)
                return r;
        return hello_check(c, reply);
}

/*
 * Hello and the first call in one write, then both replies: one round trip instead of two
 * (a vwirectl call is mostly its start and this). vwired handles a connection's messages in
 * order and refuses the call if Hello failed. Descriptors go with the first byte of a write, so
 * a call that passes some waits for Hello's answer instead.
 */
static int ctl_hello_and_call(struct ctl *c, const char *method, json_object *parameters, bool more,
                              json_object **ret_parameters, bool *ret_continues)
{
        _cleanup_json_ json_object *hello = vw_varlink_call(VW_INTERFACE ".Hello", hello_params(), false);
        _cleanup_json_ json_object *msg = vw_varlink_call(method, parameters, more), *reply = NULL;
        bool continues = false;
        int r;

        if (!hello || !msg)
                return log_error_errno(ENOMEM, "cannot build the request");
        r = ctl_send_two(c, hello, msg);
        if (r < 0)
                return r;
        r = ctl_next(c, &reply, &continues);
        if (r == CTL_ERR_CLOSED) {
                log_error("vwired closed the connection without answering Hello");
                return CTL_ERR_PROTOCOL;
        }
        if (r < 0)
                return r;
        r = hello_check(c, reply);
        if (r < 0)
                return r;
        return ctl_reply(c, method, more, ret_parameters, ret_continues);
}

int ctl_open(struct ctl *c)
{
        int r;

        if (c->hello_done)
                return 0;
        if (c->fd < 0) {
                r = ctl_connect(c);
                if (r < 0)
                        return r;
        }
        return ctl_hello(c);
}

int ctl_call(struct ctl *c, const char *method, json_object *parameters, bool more,
             json_object **ret_parameters, bool *ret_continues)
{
        return ctl_call_with_fds(c, method, parameters, NULL, 0, more, ret_parameters, ret_continues);
}

int ctl_call_with_fds(struct ctl *c, const char *method, json_object *parameters, const int *fds, size_t n_fds,
                      bool more, json_object **ret_parameters, bool *ret_continues)
{
        _cleanup_json_ json_object *p = parameters;
        int r;

        if (!c->hello_done && n_fds == 0) {
                if (c->fd < 0) {
                        r = ctl_connect(c);
                        if (r < 0)
                                return r;
                }
                return ctl_hello_and_call(c, method, TAKE_PTR(p), more, ret_parameters, ret_continues);
        }
        r = ctl_open(c);
        if (r < 0)
                return r;
        return ctl_call_raw(c, method, TAKE_PTR(p), fds, n_fds, more, ret_parameters, ret_continues);
}
