/* SPDX-License-Identifier: MIT */
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

static const char *const tier_names[] = { "read-only", "member", "full" };

static void client_free(struct vw_call *cl);

struct vw_manager *vw_call_manager(struct vw_call *c) { return c->control->manager; }
const struct vw_caller *vw_call_caller(struct vw_call *cl) { return &cl->caller; }
bool vw_call_is_full(struct vw_call *cl) { return cl->tier == TIER_FULL; }

unsigned vw_control_n_clients(const struct vw_control *c) { return c ? c->n_clients : 0; }

static uint64_t control_now(const struct vw_control *c)
{
        uint64_t t = 0;

        (void)sd_event_now(vw_manager_event(c->manager), CLOCK_MONOTONIC, &t);
        return t;
}

/* Run on_later() in the next loop iteration (a timer, not a defer: sd-event runs an enabled
 * defer before I/O of the same priority, which would starve the other clients). */
static void control_later(struct vw_control *c)
{
        (void)sd_event_source_set_time(c->later, 0);
        (void)sd_event_source_set_enabled(c->later, SD_EVENT_ONESHOT);
}

static void control_sweep_at(struct vw_control *c, uint64_t when)
{
        if (when >= c->sweep_at)
                return;
        c->sweep_at = when;
        (void)sd_event_source_set_time(c->sweep, when);
        (void)sd_event_source_set_enabled(c->sweep, SD_EVENT_ONESHOT);
}

/* ---- privilege ---- */

static enum tier caller_tier(const struct vw_control *c, const struct vw_caller *who)
{
        if (who->uid == 0 || who->uid == geteuid())
                return TIER_FULL;
        /* c->gid is -1 unless vwired runs as root: a user's own vwired trusts no group */
        if (c->gid != (gid_t)-1 && vw_caller_in_group(who, c->gid))
                return TIER_MEMBER;
        return TIER_READ_ONLY;
}

static const char *state_rule(void)
{
        return geteuid() == 0 ? "only root, vwired's user and members of group vwire may change state"
                              : "a vwired not run as root lets only root and its own user change state";
}

/* ---- replies ---- */

void client_kill(struct vw_call *cl, const char *why)
{
        if (cl->dead)
                return;
        if (why)
                log_warning("control: closing the connection of pid %d uid %u: %s", (int)cl->caller.pid,
                            (unsigned)cl->caller.uid, why);
        cl->dead = true;
        control_later(cl->control);
}

/* Queue a message. A reply too large for any client is replaced by an error; a client whose
 * queue passes OUTPUT_MAX is dropped (it is not read from OUTPUT_PAUSE on, so only a reply
 * of many MiB gets it there). */
void client_send(struct vw_call *cl, json_object *msg)
{
        int r = cl->dead ? 0 : vw_varlink_append_max(&cl->out, msg, VW_VARLINK_MAX_REPLY);

        json_object_put(msg);
        if (r == -EMSGSIZE) {
                json_object *p = json_object_new_object();

                log_warning("control: a reply to uid %u was larger than %u bytes; it got an error instead",
                            (unsigned)cl->caller.uid, VW_VARLINK_MAX_REPLY);
                json_object_object_add(p, "message", json_object_new_string("reply too large (limit 8 MiB)"));
                msg = vw_varlink_error("io.vwire.Failed", p);
                r = vw_varlink_append(&cl->out, msg);
                json_object_put(msg);
        }
        if (r < 0)
                client_kill(cl, "out of memory for its replies");
        else if (cl->out.len > OUTPUT_MAX)
                client_kill(cl, "more than 8 MiB of replies not read");
}

/* Whether client_work() may handle another message in this turn. */
static bool client_may_take(const struct vw_call *cl)
{
        return !cl->closing && !cl->dead && !cl->waiting && cl->out.len <= OUTPUT_PAUSE;
}

bool vw_call_more_this_turn(const struct vw_call *cl)
{
        /* the next message is complete and client_work() will take it before client_flush();
         * a message handled the fast way is still at the start of `in` */
        return cl->turn_left > 0 && client_may_take(cl) && cl->in.len > cl->in_current &&
               memchr(cl->in.data + cl->in_current, 0, cl->in.len - cl->in_current);
}

void vw_call_reply(struct vw_call *cl, json_object *params)
{
        client_send(cl, vw_varlink_reply(params, false));
}

void vw_call_reply_ints(struct vw_call *cl, size_t n, const char *const keys[], const int64_t values[])
{
        int r;

        if (cl->dead)
                return;
        r = vw_varlink_append_reply_ints(&cl->out, n, keys, values);
        if (r == -EINVAL) { /* keys none of ours would have */
                json_object *p = json_object_new_object();

                for (size_t k = 0; k < n; k++)
                        json_object_object_add(p, keys[k], json_object_new_int64(values[k]));
                return vw_call_reply(cl, p);
        }
        if (r < 0)
                client_kill(cl, "out of memory for its replies");
        else if (cl->out.len > OUTPUT_MAX)
                client_kill(cl, "more than 8 MiB of replies not read");
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

/* An error {message: ...}; returns -EINVAL, for checks that reply and stop. */
void call_failf_(struct vw_call *cl, const char *error, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        vw_call_fail(cl, error, "message", msg);
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

/* ---- descriptors that came with a message ---- */

static void fdset_release(struct fdset *f)
{
        if (!f)
                return;
        for (unsigned i = 0; i < f->n; i++)
                safe_close(f->fds[i]);
        *f = (struct fdset){};
}

int vw_call_take_fd(struct vw_call *cl, int index)
{
        struct fdset *f = cl->current;
        int fd;

        if (!f || index < 0 || (unsigned)index >= f->n || f->fds[index] < 0)
                return -EBADF;
        fd = f->fds[index];
        f->fds[index] = -1;
        return fd;
}

static struct fdset *fdset_find(struct vw_call *cl, uint64_t pos)
{
        for (size_t i = 0; i < ELEMENTSOF(cl->fdsets); i++)
                if (cl->fdsets[i].used && cl->fdsets[i].pos == pos)
                        return &cl->fdsets[i];
        return NULL;
}

/* The set of the message about to be handled, which begins at pos. Sets of messages before it
 * are stale (none should be: a set is always given to where a message begins) and closed. */
static struct fdset *fdset_current(struct vw_call *cl, uint64_t pos)
{
        for (size_t i = 0; i < ELEMENTSOF(cl->fdsets); i++)
                if (cl->fdsets[i].used && cl->fdsets[i].pos < pos)
                        fdset_release(&cl->fdsets[i]);
        return fdset_find(cl, pos);
}

static bool fdset_pending(const struct vw_call *cl)
{
        for (size_t i = 0; i < ELEMENTSOF(cl->fdsets); i++)
                if (cl->fdsets[i].used && cl->fdsets[i].n > 0)
                        return true;
        return false;
}

/* The message at pos is to be refused (its descriptors are closed already). */
static void fdset_refuse(struct vw_call *cl, uint64_t pos, const char *why)
{
        struct fdset *f = fdset_find(cl, pos);

        for (size_t i = 0; !f && i < ELEMENTSOF(cl->fdsets); i++)
                if (!cl->fdsets[i].used)
                        f = &cl->fdsets[i];
        if (!f)
                return client_kill(cl, "descriptors with too many messages at once");
        fdset_release(f);
        *f = (struct fdset){ .used = true, .pos = pos, .refuse = why };
}

/* Keep n descriptors for the message at pos. The kernel ends a read after the bytes of a write
 * that carried descriptors, and vwirectl writes each message from its start: so they belong to
 * the message holding the last byte read. */
static void fdset_add(struct vw_call *cl, uint64_t pos, const int *fds, unsigned n, bool truncated)
{
        const char *why = truncated ? "too many descriptors with one message (limit 8)"
                        : fdset_pending(cl) ? "descriptors came while those of an earlier message were not used yet"
                        : NULL;

        for (size_t i = 0; !why && i < ELEMENTSOF(cl->fdsets); i++) {
                struct fdset *f = &cl->fdsets[i];

                if (f->used)
                        continue;
                *f = (struct fdset){ .used = true, .pos = pos, .n = n };
                memcpy(f->fds, fds, n * sizeof(int));
                return;
        }
        for (unsigned i = 0; i < n; i++)
                close(fds[i]);
        fdset_refuse(cl, pos, why ? why : "descriptors with too many messages at once");
}

static void client_take_fds(struct vw_call *cl, struct msghdr *mh, size_t last)
{
        bool truncated = mh->msg_flags & MSG_CTRUNC;
        int fds[MAX_FDS];
        unsigned n = 0;

        for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
                size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < k; i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                        if (n < MAX_FDS)
                                fds[n++] = fd;
                        else {
                                close(fd);
                                truncated = true;
                        }
                }
        }
        if (n > 0 || truncated)
                fdset_add(cl, cl->in_pos + vw_msgbuf_message_start(&cl->in, last), fds, n, truncated);
}

static void method_not_found(struct vw_call *cl, const char *method)
{
        if (!strneq(method, "io.vwire.", 9) && !strneq(method, "org.varlink.service.", 20)) {
                char iface[256];
                const char *dot = strrchr(method, '.');
                snprintf(iface, sizeof(iface), "%.*s", dot ? (int)(dot - method) : (int)strlen(method), method);
                return vw_call_fail(cl, "org.varlink.service.InterfaceNotFound", "interface", iface);
        }
        vw_call_fail(cl, "org.varlink.service.MethodNotFound", "method", method);
}

/* After a method: a oneway call's reply is dropped (or, when it comes later, will be). */
static void call_done(struct vw_call *cl, bool oneway, size_t out_before)
{
        if (cl->waiting)
                cl->waiting_oneway = oneway; /* the reply comes later */
        else if (oneway && !cl->monitor && !cl->dead)
                cl->out.len = out_before; /* the caller asked for no reply */
}

static void handle_message(struct vw_call *cl, json_object *msg)
{
        struct vw_varlink_request q;
        const struct vw_method *mt;
        size_t out_before = cl->out.len;
        const char *bad;

        if (vw_varlink_parse_request(msg, &q, &bad) < 0) {
                if (streq(bad, "more") || streq(bad, "oneway"))
                        return (void)call_failf(cl, "io.vwire.InvalidArgument", "\"%s\" must be true or false", bad);
                return vw_call_invalid_parameter(cl, bad);
        }
        if (!q.parameters) {
                q.parameters = json_object_new_object();
                json_object_object_add(msg, "parameters", q.parameters);
        }
        if (cl->monitor)
                return vw_call_fail(cl, "io.vwire.InvalidArgument", "message",
                                     "this connection is streaming a monitor; open another one");
        mt = find_method(q.method);
        if (!mt)
                return method_not_found(cl, q.method);
        if (cl->mismatched && !streq(q.method, "io.vwire.Hello"))
                return (void)call_failf(cl, "io.vwire.Failed",
                                        "this connection's Hello failed: vwired is %s (protocol %d)", VWIRE_VERSION,
                                        VWIRE_PROTOCOL);
        if (mt->changes_state && cl->tier == TIER_READ_ONLY)
                return (void)call_failf(cl, "io.vwire.PermissionDenied", "uid %u may not use %s (rule: %s)",
                                        (unsigned)cl->caller.uid, q.method, state_rule());
        if (!mt->call)
                method_monitor(cl, q.parameters, q.more);
        else
                mt->call(cl, q.parameters);
        call_done(cl, q.oneway, out_before);
}

void vw_call_hold(struct vw_call *cl)
{
        cl->waiting = true;
        client_update_events(cl);
}

void vw_call_release(struct vw_call *cl, size_t out_before)
{
        if (cl->waiting_oneway && !cl->dead)
                cl->out.len = out_before;
        cl->waiting = cl->waiting_oneway = false;
        cl->backlog = vw_msgbuf_has_message(&cl->in);
        (void)client_flush(cl);
        client_update_events(cl);
        control_later(cl->control); /* messages that arrived meanwhile */
}

/* ---- I/O ---- */

/* Not read while replies back up, while complete messages wait, or once it is ending. */
static bool client_reading(const struct vw_call *cl)
{
        return !cl->closing && !cl->dead && !cl->eof && !cl->backlog && !cl->waiting && cl->out.len <= OUTPUT_PAUSE;
}

int client_flush(struct vw_call *cl)
{
        while (cl->out.len > 0) {
                ssize_t n = send(cl->fd, cl->out.data, cl->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return negative_errno();
                }
                vw_msgbuf_drop(&cl->out, (size_t)n);
                cl->last_active = control_now(cl->control);
        }
        if (cl->out.cap > BUFFER_KEEP) /* one large reply must not pin its memory for good */
                vw_msgbuf_done(&cl->out);
        return 0;
}

void client_update_events(struct vw_call *cl)
{
        uint32_t ev = (client_reading(cl) ? EPOLLIN : 0) | (cl->out.len ? EPOLLOUT : 0);

        sd_event_source_set_io_events(cl->io, ev);
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* When did the unfinished message at the end of the input begin (the partial-message
 * timeout)? Whitespace after a message is no message. */
static void note_partial(struct vw_call *cl, size_t start, size_t n)
{
        const char *data = cl->in.data + start, *end = data + n, *tail = memrchr(data, 0, n);

        if (!tail) {
                if (!cl->partial_since)
                        cl->partial_since = cl->last_active;
                return;
        }
        cl->partial_since = 0;
        for (tail++; tail < end; tail++)
                if (!is_space(*tail)) {
                        cl->partial_since = cl->last_active;
                        break;
                }
}

/* A message that passed the cap can never end: say so, drop the input, close. */
static void client_too_large(struct vw_call *cl)
{
        log_warning("control: client pid %d sent a message over %u bytes; closing it", (int)cl->caller.pid,
                    VW_VARLINK_MAX_MESSAGE);
        vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "message too large (limit 1 MiB)");
        cl->closing = true;
        vw_msgbuf_done(&cl->in);
}

/* One read of at most READ_SIZE bytes and the descriptors that came with them. */
static int client_read(struct vw_call *cl)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        } control;
        struct iovec iov = { .iov_len = READ_SIZE };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf) };
        size_t start = cl->in.len;
        ssize_t n;
        int r;

        iov.iov_base = vw_msgbuf_reserve(&cl->in, READ_SIZE);
        if (!iov.iov_base)
                return -ENOMEM;
        do
                n = recvmsg(cl->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? 0 : -errno;
        if (n == 0) {
                cl->eof = true; /* a partial message is simply dropped */
                return 0;
        }
        cl->last_active = control_now(cl->control);
        r = vw_msgbuf_commit(&cl->in, (size_t)n); /* -EMSGSIZE still keeps the bytes */
        note_partial(cl, start, (size_t)n);
        client_take_fds(cl, &mh, start + (size_t)n - 1);
        if (r == -EMSGSIZE)
                client_too_large(cl);
        return 0;
}

/*
 * The fast way (proto/flat.h): a complete message that is a flat call of a method with a
 * call_flat, on a connection where handle_message() would only find the method and call it
 * (no monitor, no failed Hello, the right tier, no descriptors with it). 1 when it was handled,
 * 0 when it takes the general way, with nothing done.
 */
static int client_next_flat(struct vw_call *cl)
{
        struct vw_flat *f = &cl->control->flat;
        size_t n, out_before = cl->out.len;
        const struct vw_method *mt;
        const char *end;
        bool handled;

        if (cl->monitor || cl->mismatched || cl->in.len == 0)
                return 0;
        end = memchr(cl->in.data, 0, cl->in.len);
        if (!end)
                return 0;
        n = (size_t)(end - cl->in.data);
        if (fdset_current(cl, cl->in_pos))
                return 0;
        if (vw_flat_parse(f, cl->in.data, n) <= 0)
                return 0;
        mt = find_method(vw_flat_method(f));
        if (!mt || !mt->call_flat || (mt->changes_state && cl->tier == TIER_READ_ONLY))
                return 0;
        cl->in_current = n + 1;
        handled = mt->call_flat(cl, f);
        cl->in_current = 0;
        if (!handled)
                return 0;
        vw_msgbuf_drop(&cl->in, n + 1);
        cl->in_pos += n + 1;
        call_done(cl, f->oneway, out_before);
        cl->control->n_calls++;
        cl->control->n_flat_calls++;
        return 1;
}

/* Take one message from the input and handle it: 1 when one was there, 0 when none is
 * complete, or a negative errno. */
static int client_next(struct vw_call *cl)
{
        size_t before = cl->in.len;
        uint64_t pos = cl->in_pos;
        json_object *msg = NULL;
        int r;

        if (client_next_flat(cl))
                return 1;

        r = vw_msgbuf_next(&cl->in, &msg);
        if (r == -EMSGSIZE) {
                client_too_large(cl);
                return 0;
        }
        if (r == 0 || (r < 0 && r != -EBADMSG && r != -ENOTUNIQ))
                return r; /* nothing taken from the input */
        cl->in_pos += before - cl->in.len;
        cl->control->n_calls++;
        cl->current = fdset_current(cl, pos);
        if (r == -EBADMSG)
                vw_call_fail(cl, "io.vwire.InvalidArgument", "message", "not a JSON object terminated by a NUL byte");
        else if (r == -ENOTUNIQ)
                vw_call_fail(cl, "io.vwire.InvalidArgument", "message",
                             "a key is given twice in one object (rule: every key once)");
        else if (cl->current && cl->current->refuse)
                vw_call_fail(cl, "io.vwire.InvalidArgument", "message", cl->current->refuse);
        else
                handle_message(cl, msg);
        json_object_put(msg);
        fdset_release(cl->current); /* what the method did not take */
        cl->current = NULL;
        return 1;
}

/* At most MESSAGES_PER_WAKEUP, fewer when replies back up; the rest waits for a later turn. */
static int client_work(struct vw_call *cl)
{
        int r = 0;

        for (unsigned i = 0; i < MESSAGES_PER_WAKEUP; i++) {
                if (!client_may_take(cl))
                        break;
                cl->turn_left = MESSAGES_PER_WAKEUP - 1 - i;
                r = client_next(cl);
                if (r <= 0)
                        break;
        }
        cl->turn_left = 0;
        vw_manager_release_held(cl->control->manager); /* before client_flush() sends the replies */
        cl->backlog = vw_msgbuf_has_message(&cl->in);
        if (cl->in.len == 0 && cl->in.cap > BUFFER_KEEP)
                vw_msgbuf_done(&cl->in);
        return r < 0 ? r : 0;
}

static uint64_t client_deadline(const struct vw_call *cl)
{
        uint64_t d = UINT64_MAX;

        if (cl->partial_since)
                d = cl->partial_since + PARTIAL_TIMEOUT;
        if (cl->tier != TIER_FULL && !cl->monitor)
                d = MIN(d, cl->last_active + IDLE_TIMEOUT);
        return d;
}

static bool client_done(const struct vw_call *cl)
{
        return cl->dead || (cl->out.len == 0 && !cl->waiting && (cl->closing || (cl->eof && !cl->backlog)));
}

/* One turn of a client: write, read once, handle what came, write; then close or wait. */
static void client_run(struct vw_call *cl, uint32_t revents)
{
        int r = 0;

        if (revents & EPOLLOUT)
                r = client_flush(cl);
        if (r >= 0 && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && client_reading(cl))
                r = client_read(cl);
        if (r >= 0 && !cl->dead)
                r = client_work(cl);
        if (r >= 0 && !cl->dead)
                r = client_flush(cl);
        if (r < 0 || client_done(cl)) {
                if (r < 0 && r != -ECONNRESET && r != -EPIPE)
                        log_debug_errno(r, "control: client pid %d", (int)cl->caller.pid);
                return client_free(cl);
        }
        client_update_events(cl);
        if (cl->backlog && cl->out.len <= OUTPUT_PAUSE)
                control_later(cl->control);
        control_sweep_at(cl->control, client_deadline(cl));
}

static int client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        client_run(userdata, revents);
        return 0;
}

/* Clients with messages left from their last turn, and dead ones. */
static int on_later(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct vw_control *c = userdata;

        vw_list_for_each_safe(i, tmp, &c->clients) {
                struct vw_call *cl = vw_list_entry(i, struct vw_call, link);

                if (cl->dead || (cl->backlog && cl->out.len <= OUTPUT_PAUSE))
                        client_run(cl, 0);
        }
        return 0;
}

static void client_expire(struct vw_call *cl, uint64_t now)
{
        if (cl->partial_since && now >= cl->partial_since + PARTIAL_TIMEOUT)
                log_notice("control: closing the connection of pid %d uid %u: a message unfinished for %llu s",
                           (int)cl->caller.pid, (unsigned)cl->caller.uid, PARTIAL_TIMEOUT / USEC_PER_SECOND);
        else
                log_debug("control: closing the connection of pid %d uid %u: idle for %llu s",
                          (int)cl->caller.pid, (unsigned)cl->caller.uid, IDLE_TIMEOUT / USEC_PER_SECOND);
        client_free(cl);
}

/* Timeouts (docs/SECURITY.md): one timer for all clients, set to the earliest deadline. */
static int on_sweep(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct vw_control *c = userdata;
        uint64_t now = control_now(c), next = UINT64_MAX;

        c->sweep_at = UINT64_MAX;
        if (c->accept_paused_until) {
                if (now >= c->accept_paused_until) {
                        c->accept_paused_until = 0;
                        if (c->accepting)
                                (void)sd_event_source_set_enabled(c->accept_io, SD_EVENT_ON);
                } else
                        next = c->accept_paused_until;
        }
        vw_list_for_each_safe(i, tmp, &c->clients) {
                struct vw_call *cl = vw_list_entry(i, struct vw_call, link);
                uint64_t d = client_deadline(cl);

                if (d <= now)
                        client_expire(cl, now);
                else
                        next = MIN(next, d);
        }
        if (next != UINT64_MAX)
                control_sweep_at(c, next);
        return 0;
}

static void client_free(struct vw_call *cl)
{
        if (!cl)
                return;
        if (cl->monitor)
                vw_manager_set_monitored(cl->control->manager, cl->monitor, false);
        free(cl->monitor);
        vw_manager_cancel_waits(cl->control->manager, cl);
        for (size_t i = 0; i < ELEMENTSOF(cl->fdsets); i++)
                fdset_release(&cl->fdsets[i]);
        sd_event_source_disable_unref(cl->io);
        safe_close(cl->fd);
        vw_msgbuf_done(&cl->in);
        vw_msgbuf_done(&cl->out);
        vw_list_remove(&cl->link);
        cl->control->n_clients--;
        free(cl);
}

/* ---- connections ---- */

/* A flood of refused connections must not flood the journal: a line per 10 s, with a count. */
static void log_refused(struct vw_control *c, const char *why)
{
        uint64_t now = control_now(c);

        if (c->refused_logged_at && now < c->refused_logged_at + REFUSED_LOG_INTERVAL) {
                c->refused_quiet++;
                return;
        }
        if (c->refused_quiet)
                log_warning("control: refused a connection: %s (and %u more since the last message)", why,
                            c->refused_quiet);
        else
                log_warning("control: refused a connection: %s", why);
        c->refused_logged_at = now ? now : 1;
        c->refused_quiet = 0;
}

/* The limits at accept (docs/SECURITY.md): per uid, and room kept for root and vwired's user
 * when everybody else has filled theirs. */
static bool connection_refused(const struct vw_control *c, const struct vw_caller *who, enum tier tier,
                               char *why, size_t size)
{
        unsigned same = 0;

        if (c->n_clients >= MAX_CLIENTS) {
                snprintf(why, size, "too many connections (limit %d)", MAX_CLIENTS);
                return true;
        }
        if (tier == TIER_FULL)
                return false;
        if (c->n_clients >= MAX_CLIENTS - RESERVED_CLIENTS) {
                snprintf(why, size, "too many connections (limit %d; the last %d are kept for root)", MAX_CLIENTS,
                         RESERVED_CLIENTS);
                return true;
        }
        vw_list_for_each(i, &c->clients)
                same += vw_list_entry(i, struct vw_call, link)->caller.uid == who->uid;
        if (same >= MAX_CLIENTS_PER_UID) {
                snprintf(why, size, "too many connections for uid %u (limit %d)", (unsigned)who->uid,
                         MAX_CLIENTS_PER_UID);
                return true;
        }
        return false;
}

/* Say why before closing, if the socket takes it right away; never wait for it. */
static void refuse_connection(struct vw_control *c, int fd, const char *why)
{
        json_object *p = json_object_new_object(), *msg;
        struct vw_msgbuf out = {};

        log_refused(c, why);
        json_object_object_add(p, "message", json_object_new_string(why));
        msg = vw_varlink_error("io.vwire.Failed", p);
        if (vw_varlink_append(&out, msg) == 0)
                (void)send(fd, out.data, out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
        json_object_put(msg);
        vw_msgbuf_done(&out);
        close(fd);
}

/* Out of descriptors: the listening socket stays readable, so stop polling it for a moment
 * instead of spinning on it. */
static void accept_pause(struct vw_control *c)
{
        log_refused(c, "vwired has no descriptors left");
        (void)sd_event_source_set_enabled(c->accept_io, SD_EVENT_OFF);
        c->accept_paused_until = control_now(c) + ACCEPT_RETRY;
        control_sweep_at(c, c->accept_paused_until);
}

/* Takes cfd (closed on failure). */
static int client_new(struct vw_control *c, int cfd, const struct vw_caller *who, enum tier tier)
{
        struct vw_call *cl = calloc(1, sizeof(*cl));
        int r;

        if (!cl) {
                close(cfd);
                return -ENOMEM;
        }
        cl->fd = cfd;
        cl->control = c;
        cl->caller = *who;
        cl->tier = tier;
        cl->last_active = control_now(c);
        vw_list_insert_tail(&c->clients, &cl->link);
        c->n_clients++;
        r = sd_event_add_io(vw_manager_event(c->manager), &cl->io, cfd, EPOLLIN, client_io, cl);
        if (r < 0) {
                client_free(cl);
                return r;
        }
        control_sweep_at(c, client_deadline(cl));
        log_debug("control: client pid %d uid %u (%s)", (int)who->pid, (unsigned)who->uid, tier_names[tier]);
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct vw_control *c = userdata;
        struct vw_caller who;
        enum tier tier;
        char why[128];
        int cfd, r;

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                if (errno == EMFILE || errno == ENFILE)
                        accept_pause(c);
                else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        log_warning_errno(errno, "control: accept failed");
                return 0;
        }
        /* with more groups than we keep, a member could not be told from an outsider: refuse */
        r = vw_caller_from_socket(cfd, &who);
        if (r < 0) {
                snprintf(why, sizeof(why), "cannot read the peer's credentials: %s", strerror(-r));
                refuse_connection(c, cfd, why);
                return 0;
        }
        tier = caller_tier(c, &who);
        if (connection_refused(c, &who, tier, why, sizeof(why))) {
                refuse_connection(c, cfd, why);
                return 0;
        }
        r = client_new(c, cfd, &who, tier);
        if (r < 0)
                log_warning_errno(r, "control: cannot take a client");
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
                return negative_errno();
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

/* A root vwired lets group vwire in (0660 root:vwire); a user's own vwired only that user and
 * root (0600, whatever group the directory gives): it trusts no group. Nobody can connect before
 * listen(), so the mode is right before the first client. */
static int bind_socket(struct vw_control *c, const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r;

        r = check_existing(path);
        if (r < 0)
                return r;
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->fd < 0)
                return negative_errno();
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return log_error_errno(errno, "cannot bind control socket %s", path);
        c->unlink_path = true;
        if (chmod(path, geteuid() == 0 ? 0660 : 0600) < 0)
                return log_error_errno(errno, "cannot chmod %s", path);
        if (c->gid != (gid_t)-1 && chown(path, (uid_t)-1, c->gid) < 0)
                log_warning_errno(errno, "cannot give %s to group vwire", path);
        if (listen(c->fd, 64) < 0)
                return log_error_errno(errno, "cannot listen on %s", path);
        return 0;
}

static int control_add_sources(struct vw_control *c)
{
        sd_event *e = vw_manager_event(c->manager);
        int r;

        r = sd_event_add_io(e, &c->accept_io, c->fd, EPOLLIN, on_accept, c);
        /* no client before vwired is ready: an answer must mean the configured devices exist */
        if (r >= 0)
                r = sd_event_source_set_enabled(c->accept_io, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time(e, &c->later, CLOCK_MONOTONIC, 0, 1, on_later, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->later, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time(e, &c->sweep, CLOCK_MONOTONIC, 0, 100 * 1000, on_sweep, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->sweep, SD_EVENT_OFF);
        return r;
}

int vw_control_new(struct vw_manager *m, const char *path, int listen_fd, struct vw_control **ret)
{
        struct sockaddr_un sa;
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
        c->sweep_at = UINT64_MAX;
        vw_list_init(&c->clients);
        /* group vwire means something only to a root vwired (docs/SECURITY.md) */
        gr = geteuid() == 0 ? getgrnam("vwire") : NULL;
        c->gid = gr ? gr->gr_gid : (gid_t)-1;
        c->path = strdup(path);
        if (!c->path) {
                r = -ENOMEM;
                goto fail;
        }
        if (listen_fd >= 0) {
                c->fd = listen_fd;
                (void)fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        } else if ((r = bind_socket(c, path)) < 0)
                goto fail;
        r = control_add_sources(c);
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
        sd_event_source_disable_unref(c->later);
        sd_event_source_disable_unref(c->sweep);
        safe_close(c->fd);
        if (c->unlink_path)
                (void)unlink(c->path);
        vw_flat_done(&c->flat);
        free(c->path);
        free(c);
}

void vw_control_ready_hook(void *userdata)
{
        struct vw_control *c = userdata;

        c->accepting = true;
        if (!c->accept_paused_until)
                (void)sd_event_source_set_enabled(c->accept_io, SD_EVENT_ON);
}
