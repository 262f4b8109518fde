/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "conf-parse.h"
#include "log.h"
#include "manager-internal.h"
#include "net-ledger.h"
#include "owned.h"
#include "paths.h"

/*
 * Router wake-ups run from a defer event right after the event that caused them. A dispatch
 * that leaves work over (its budget ran out, or callbacks keep producing) continues from a
 * 0-delay timer instead: sd-event runs an enabled defer before I/O of the same priority, so a
 * defer that re-armed itself would starve every fd, signals included.
 */
static int on_dispatch(sd_event_source *s, void *userdata)
{
        struct vw_manager *m = userdata;

        m->dispatching = true;
        vw_router_dispatch(m->router);
        m->dispatching = false;
        if (vw_router_has_pending(m->router)) {
                (void)sd_event_source_set_time(m->dispatch_later, 0);
                (void)sd_event_source_set_enabled(m->dispatch_later, SD_EVENT_ONESHOT);
        }
        return 0;
}

void vw_endpoint_hold(struct vw_endpoint *ep, void (*release)(struct vw_endpoint *ep))
{
        ep->release_held = release;
        if (!vw_list_linked(&ep->held))
                vw_list_insert_tail(&ep->manager->held, &ep->held);
}

void vw_manager_release_held(struct vw_manager *m)
{
        while (!vw_list_empty(&m->held)) {
                struct vw_endpoint *ep = vw_list_entry(m->held.next, struct vw_endpoint, held);

                vw_list_remove(&ep->held);
                ep->release_held(ep);
        }
}

void vw_endpoint_dispatch(struct vw_endpoint *ep)
{
        struct vw_manager *m = ep->manager;

        if (m->dispatching || !vw_router_has_pending(m->router))
                return;
        (void)on_dispatch(m->dispatch, m);
        if (!vw_router_has_pending(m->router))
                (void)sd_event_source_set_enabled(m->dispatch, SD_EVENT_OFF);
}

static int on_dispatch_later(sd_event_source *s, uint64_t usec, void *userdata)
{
        return on_dispatch(s, userdata);
}

static void hook_wakeup(struct vw_router *r, void *userdata)
{
        struct vw_manager *m = userdata;

        if (m->dispatch && !m->dispatching)
                sd_event_source_set_enabled(m->dispatch, SD_EVENT_ONESHOT);
}

static void hook_port_tap(struct vw_port *p, enum vw_dir dir, const struct vw_chunk *c, void *userdata)
{
        struct vw_manager *m = userdata;
        struct vw_endpoint *ep = vw_port_userdata(p);

        if (m->hooks.tap && ep)
                m->hooks.tap(m->hooks.userdata, ep->name, dir == VW_DIR_RX ? "rx" : "tx", NULL, c);
}

static void hook_route_tap(struct vw_route *r, bool reverse, struct vw_port *writer, const struct vw_chunk *c,
                           void *userdata)
{
        struct vw_manager *m = userdata;

        if (m->hooks.tap)
                m->hooks.tap(m->hooks.userdata, vw_route_name(r), reverse ? "reverse" : "forward",
                             vw_port_name(writer), c);
}

static const struct vw_router_hooks router_hooks = {
        .wakeup = hook_wakeup,
        .port_tap = hook_port_tap,
        .route_tap = hook_route_tap,
};

static int default_paths(struct vw_manager *m, const struct vw_manager_options *opts)
{
        _cleanup_free_ char *dir = NULL;

        if (opts->config_file) {
                m->config_file = strdup(opts->config_file);
                m->config_required = true;
                return m->config_file ? 0 : -ENOMEM;
        }
        dir = vw_default_config_dir();
        if (!dir)
                return log_error_errno(errno, "no config directory: XDG_RUNTIME_DIR is not set (use --config FILE)");
        if (asprintf(&m->config_file, "%s/vwire.conf", dir) < 0 ||
            asprintf(&m->dropin_dir, "%s/vwire.conf.d", dir) < 0)
                return -ENOMEM;
        /* root's config lives in /etc and must be there; a user's defaults are optional */
        m->config_required = geteuid() == 0;
        return 0;
}

int vw_manager_new(const struct vw_manager_options *opts, struct vw_manager **ret)
{
        _cleanup_(vw_manager_freep) struct vw_manager *m = calloc(1, sizeof(*m));
        int r;

        if (!m)
                return -ENOMEM;
        m->lock_fd = -1;
        m->private_fd = -1;
        vw_list_init(&m->waits);
        vw_list_init(&m->held);
        m->log_level_set = opts->log_level_set;
        r = default_paths(m, opts);
        if (r < 0)
                return r;
        if ((opts->control_socket && !(m->opt_control = strdup(opts->control_socket))) ||
            (opts->runtime_dir && !(m->opt_runtime = strdup(opts->runtime_dir))))
                return -ENOMEM;
        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "cannot create the event loop");
        r = vw_router_new(&router_hooks, m, &m->router);
        if (r < 0)
                return r;
        r = sd_event_add_defer(m->event, &m->dispatch, on_dispatch, m);
        if (r < 0)
                return r;
        sd_event_source_set_enabled(m->dispatch, SD_EVENT_OFF);
        (void)sd_event_source_set_description(m->dispatch, "router-dispatch");
        r = sd_event_add_time(m->event, &m->dispatch_later, CLOCK_MONOTONIC, 0, 0, on_dispatch_later, m);
        if (r < 0)
                return r;
        sd_event_source_set_enabled(m->dispatch_later, SD_EVENT_OFF);
        *ret = TAKE_PTR(m);
        return 0;
}


void vw_manager_free(struct vw_manager *m)
{
        if (!m)
                return;
        m->hooks = (struct vw_manager_hooks){}; /* main() frees the control server first */
        manager_waits_free(m);
        manager_remove_all(m);
        if (m->runtime_dir && m->lock_fd >= 0) {
                /* a clean stop leaves nothing behind: no owned files, no pid file */
                _cleanup_free_ char *ledger = NULL, *pid = NULL;
                if (m->n_owned > 0)
                        manager_ledger_save(m);
                else if (asprintf(&ledger, "%s/owned-paths", m->runtime_dir) >= 0)
                        (void)unlink(ledger);
                if (asprintf(&pid, "%s/vwired.pid", m->runtime_dir) >= 0)
                        (void)unlink(pid);
        }
        sd_event_source_disable_unref(m->dispatch);
        sd_event_source_disable_unref(m->dispatch_later);
        sd_event_source_disable_unref(m->ledger_event);
        sd_event_source_disable_unref(m->sig_term);
        sd_event_source_disable_unref(m->sig_int);
        sd_event_source_disable_unref(m->sig_hup);
        vw_router_free(m->router);
        sd_event_unref(m->event);
        vw_config_free(m->config);
        vw_config_free(m->pending_config);
        for (size_t i = 0; i < m->n_owned; i++)
                vw_owned_free(m->owned[i]);
        free(m->owned);
        safe_close(m->private_fd);
        free(m->endpoints);
        free(m->routes);
        free(m->config_file);
        free(m->dropin_dir);
        free(m->runtime_dir);
        free(m->control_path);
        free(m->opt_control);
        free(m->opt_runtime);
        safe_close(m->lock_fd);
        free(m);
}

sd_event *vw_manager_event(struct vw_manager *m) { return m->event; }
struct vw_router *vw_manager_router(struct vw_manager *m) { return m->router; }
const char *vw_manager_runtime_dir(struct vw_manager *m) { return m->runtime_dir; }
const char *vw_manager_control_path(struct vw_manager *m) { return m->control_path; }
uint64_t vw_manager_start_time(struct vw_manager *m) { return m->start_usec; }
const struct vw_config *vw_manager_config(struct vw_manager *m) { return m->config; }
const char *vw_manager_config_file(struct vw_manager *m) { return m->config_file; }
const char *vw_manager_dropin_dir(struct vw_manager *m) { return m->dropin_dir; }
size_t vw_manager_n_owned(struct vw_manager *m) { return m->n_owned; }
const struct vw_owned *vw_manager_owned(struct vw_manager *m, size_t i) { return m->owned[i]; }
bool vw_manager_owns_path(struct vw_manager *m, const char *path) { return manager_owns_path(m, path); }

sd_event *vw_endpoint_event(struct vw_endpoint *ep) { return ep->manager->event; }
const char *vw_endpoint_runtime_dir(struct vw_endpoint *ep) { return ep->manager->runtime_dir; }

static int mkdir_parents(const char *dir, mode_t mode)
{
        char buf[4096];

        snprintf(buf, sizeof(buf), "%s", dir);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

/* <runtime>/shared (root:vwire 1770) for a root vwired: where members of group vwire may put
 * their ports and sockets when the unit hides their homes (ProtectHome=, PrivateTmp=). Sticky:
 * no member removes another's. */
static void setup_shared_dir(struct vw_manager *m)
{
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -1;
        struct group *gr;
        struct stat st;

        if (geteuid() != 0 || !(gr = getgrnam("vwire")) || asprintf(&dir, "%s/shared", m->runtime_dir) < 0)
                return;
        if (mkdir(dir, 01770) < 0 && errno != EEXIST)
                return (void)log_warning_errno(errno, "cannot create %s", dir);
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != 0)
                return (void)log_warning("%s is not root's directory; members have no shared directory", dir);
        if (fchown(fd, 0, gr->gr_gid) < 0 || fchmod(fd, 01770) < 0)
                log_warning_errno(errno, "cannot give %s to group vwire", dir);
}

/* <runtime>/.private (0700): unix sockets are bound there and renamed into place. */
static int setup_private_dir(struct vw_manager *m)
{
        _cleanup_free_ char *dir = NULL;
        struct stat st;

        if (asprintf(&dir, "%s/.private", m->runtime_dir) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "cannot create %s", dir);
        m->private_fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (m->private_fd < 0)
                return log_error_errno(errno, "cannot open %s", dir);
        if (fstat(m->private_fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
                m->private_fd = safe_close(m->private_fd);
                return log_error_errno(EPERM, "%s is not vwired's private directory (owner or mode)", dir);
        }
        return 0;
}

static int setup_runtime_dir(struct vw_manager *m)
{
        _cleanup_free_ char *lock = NULL;
        char pid[32];
        int r;

        r = mkdir_parents(m->runtime_dir, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create runtime directory %s", m->runtime_dir);
        if (asprintf(&lock, "%s/vwired.pid", m->runtime_dir) < 0)
                return -ENOMEM;
        m->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m->lock_fd < 0)
                return log_error_errno(errno, "cannot open %s", lock);
        if (flock(m->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                char other[32] = "";
                ssize_t n = pread(m->lock_fd, other, sizeof(other) - 1, 0);
                other[n > 0 ? n : 0] = 0;
                other[strcspn(other, "\n")] = 0;
                m->lock_fd = safe_close(m->lock_fd);
                return log_error_errno(EBUSY, "another vwired (pid %s) is already running with runtime directory %s",
                                       other[0] ? other : "?", m->runtime_dir);
        }
        snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        if (ftruncate(m->lock_fd, 0) < 0 || pwrite(m->lock_fd, pid, strlen(pid), 0) < 0)
                log_warning_errno(errno, "cannot write %s", lock);
        manager_remove_stale(m);
        vw_net_remove_stale(m->runtime_dir);
        setup_shared_dir(m);
        return setup_private_dir(m);
}

/* [daemon] keys */
struct daemon_config {
        char *control_socket;
        char *runtime_dir;
        char *log_level;
};

static const struct vw_key daemon_keys[] = {
        { "control-socket", vw_parse_path, offsetof(struct daemon_config, control_socket) },
        { "runtime-directory", vw_parse_path, offsetof(struct daemon_config, runtime_dir) },
        { "log-level", vw_parse_string, offsetof(struct daemon_config, log_level) },
        {}
};

int manager_parse_daemon(const struct vw_section *s, struct vw_errors *errs)
{
        struct daemon_config dc = {};
        int r = vw_keys_apply(daemon_keys, s, NULL, &dc, errs);

        if (dc.log_level && vw_log_level_from_string(dc.log_level) < 0) {
                const struct vw_setting *st = vw_section_get(s, "log-level");
                vw_errors_add(errs, vw_setting_file(s, st), st->line,
                              "log-level: expected error, warning, notice, info or debug, got '%s'", dc.log_level);
                r = -EINVAL;
        }
        vw_keys_free(daemon_keys, &dc);
        return r;
}

/* Runtime dir and control socket: command line, then [daemon], then the defaults. */
static int resolve_daemon_paths(struct vw_manager *m, const struct vw_config *c)
{
        const struct vw_section *d = vw_config_find(c, "daemon", NULL);
        const char *v;

        free(m->runtime_dir);
        free(m->control_path);
        m->runtime_dir = m->control_path = NULL;
        v = m->opt_runtime ? m->opt_runtime : d ? vw_section_value(d, "runtime-directory") : NULL;
        m->runtime_dir = v ? strdup(v) : vw_default_runtime_dir();
        if (!m->runtime_dir)
                return log_error_errno(ENXIO, "no runtime directory: set XDG_RUNTIME_DIR, [daemon] runtime-directory "
                                       "or --runtime-dir");
        vw_conf_set_runtime_dir(m->runtime_dir);
        v = m->opt_control ? m->opt_control : d ? vw_section_value(d, "control-socket") : NULL;
        if (v)
                m->control_path = vw_conf_expand(v);
        else if (asprintf(&m->control_path, "%s/control.sock", m->runtime_dir) < 0)
                m->control_path = NULL;
        if (!m->control_path)
                return -ENOMEM;
        if (!m->log_level_set && d && (v = vw_section_value(d, "log-level")) && vw_log_level_from_string(v) >= 0)
                vw_log_set_level(vw_log_level_from_string(v));
        return 0;
}

int manager_load(struct vw_manager *m, struct vw_config **ret, struct vw_errors *errs)
{
        _cleanup_(vw_config_freep) struct vw_config *c = NULL;
        int r;

        r = vw_config_load(m->config_file, m->config_required, m->dropin_dir, &c, errs);
        if (r < 0)
                return r;
        r = manager_validate(m, c, errs);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct vw_manager *m = userdata;
        _cleanup_free_ char *error = NULL;
        json_object *result = NULL;

        if (si->ssi_signo == SIGHUP) {
                log_info("SIGHUP: reloading the configuration");
                if (vw_manager_reload(m, &result, &error) < 0)
                        log_error("reload refused, still running the previous configuration:\n%s",
                                  error ? error : "unknown error");
                json_object_put(result);
                return 0;
        }
        log_info("%s: shutting down", strsignal((int)si->ssi_signo));
        m->stopping = true;
        (void)sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

void manager_notify_status(struct vw_manager *m, const char *extra)
{
        (void)sd_notifyf(false, "%sSTATUS=%zu endpoints, %zu routes, control socket %s", extra ? extra : "",
                         m->n_endpoints, m->n_routes, m->control_path);
}

int vw_manager_start(struct vw_manager *m)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_config_freep) struct vw_config *c = NULL;
        sigset_t mask;
        int r;

        m->start_usec = 0;
        (void)sd_event_now(m->event, CLOCK_MONOTONIC, &m->start_usec);
        r = vw_config_load(m->config_file, m->config_required, m->dropin_dir, &c, &errs);
        if (r >= 0)
                r = resolve_daemon_paths(m, c);
        if (r >= 0)
                r = manager_validate(m, c, &errs);
        if (errs.n > 0) {
                for (size_t i = 0; i < errs.n; i++)
                        log_error("%s", errs.msgs[i]);
                log_error("configuration has %zu error%s; nothing was started", errs.n, errs.n == 1 ? "" : "s");
                return -EINVAL;
        }
        if (r < 0)
                return r;

        r = setup_runtime_dir(m);
        if (r < 0)
                return r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        if ((r = sd_event_add_signal(m->event, &m->sig_term, SIGTERM, on_signal, m)) < 0 ||
            (r = sd_event_add_signal(m->event, &m->sig_int, SIGINT, on_signal, m)) < 0 ||
            (r = sd_event_add_signal(m->event, &m->sig_hup, SIGHUP, on_signal, m)) < 0)
                return log_error_errno(r, "cannot watch signals");

        m->pending_config = TAKE_PTR(c);
        return 0;
}

void vw_manager_set_hooks(struct vw_manager *m, const struct vw_manager_hooks *hooks)
{
        m->hooks = hooks ? *hooks : (struct vw_manager_hooks){};
}

static void startup_done(void *userdata, int r, const char *error)
{
        struct vw_manager *m = userdata;

        if (r < 0) {
                log_error("%s", error ? error : "cannot create the configured endpoints");
                (void)sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%d", error ? error : strerror(-r), -r);
                (void)sd_event_exit(m->event, r);
                return;
        }
        if (m->hooks.ready)
                m->hooks.ready(m->hooks.userdata);
        log_info("vwired %s ready: %zu endpoints, %zu routes, control socket %s", VWIRE_VERSION, m->n_endpoints,
                 m->n_routes, m->control_path);
        manager_notify_status(m, "READY=1\n");
}

int vw_manager_create_objects(struct vw_manager *m)
{
        _cleanup_free_ char *error = NULL;
        int r;

        r = manager_apply(m, TAKE_PTR(m->pending_config), true, NULL, &error);
        if (r < 0) {
                log_error("%s", error ? error : "cannot create the configured endpoints");
                return r;
        }
        (void)sd_event_set_watchdog(m->event, true);
        /* READY=1 once every configured device exists: wait for the pending ones (CUSE nodes) */
        r = vw_manager_when_started(m, NULL, startup_done, NULL, m, m);
        if (r < 0)
                return r;
        if (r == 0)
                startup_done(m, 0, NULL);
        return 0;
}

int vw_manager_run(struct vw_manager *m)
{
        int r = sd_event_loop(m->event);

        if (r < 0)
                return log_error_errno(r, "event loop failed");
        return 0;
}

int vw_manager_reload(struct vw_manager *m, json_object **result, char **error)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        struct vw_config *c = NULL;
        struct timespec ts;
        int r;

        /* MONOTONIC_USEC: systemd (253+, Type=notify-reload) matches the reload to this message. */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        (void)sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading configuration",
                         (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL);
        r = manager_load(m, &c, &errs);
        if (r < 0) {
                *error = errs.n ? vw_errors_join(&errs) : strdup(strerror(-r));
                manager_notify_status(m, "READY=1\n");
                return -EINVAL;
        }
        r = manager_apply(m, c, false, result, error);
        manager_notify_status(m, "READY=1\n");
        return r;
}

int vw_config_check(const struct vw_manager_options *opts)
{
        _cleanup_(vw_errors_done) struct vw_errors errs = {};
        _cleanup_(vw_manager_freep) struct vw_manager *m = NULL;
        _cleanup_(vw_config_freep) struct vw_config *c = NULL;
        int r;

        r = vw_manager_new(opts, &m);
        if (r < 0)
                return r;
        r = vw_config_load(m->config_file, m->config_required, m->dropin_dir, &c, &errs);
        if (r >= 0)
                r = resolve_daemon_paths(m, c);
        if (r >= 0)
                r = manager_validate(m, c, &errs);
        for (size_t i = 0; i < errs.n; i++)
                fprintf(stderr, "%s\n", errs.msgs[i]);
        if (errs.n > 0 || r < 0) {
                fprintf(stderr, "vwired: configuration has %zu error%s\n", errs.n, errs.n == 1 ? "" : "s");
                return -EINVAL;
        }
        printf("%s: OK (%zu sections in %zu file%s)\n", m->config_file, c->n_sections, c->n_files,
               c->n_files == 1 ? "" : "s");
        return 0;
}
