/* SPDX-License-Identifier: MIT */
/*
 * vwirectl doctor: a checklist of what is wrong with this vwire setup, each line OK, WARN or
 * FAIL with the fix. The daemon's own checks come from io.vwire.Doctor; the client adds what
 * only it can tell (is vwired there, do the versions match, is the caller in group vwire) and,
 * when vwired does not answer, what can be seen without it (kernel devices, leftovers of a
 * vwired that did not stop cleanly). Exit status 0 when nothing FAILs, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "varlink.h"
#include "output.h"
#include "paths.h"


/* While connecting, keep client.c's messages for the checklist instead of printing them. */
static char last_message[1024];

static void capture_sink(int level, const char *msg, void *userdata)
{
        if (level <= LOG_ERR && !strneq(msg, "hint:", 5))
                snprintf(last_message, sizeof(last_message), "%s", msg);
}

static void stderr_sink(int level, const char *msg, void *userdata)
{
        fprintf(stderr, "vwirectl: %s\n", msg);
}

/* ---- checks made here ---- */

static bool in_group(gid_t gid)
{
        gid_t groups[1024];
        int n;

        if (getegid() == gid)
                return true;
        n = getgroups((int)ELEMENTSOF(groups), groups);
        for (int i = 0; i < n; i++)
                if (groups[i] == gid)
                        return true;
        return false;
}

static void check_caller(json_object *checks, bool daemon_checked)
{
        struct group *gr = getgrnam("vwire");
        struct passwd *pw = getpwuid(geteuid());
        const char *user = pw ? pw->pw_name : "this user";
        char fix[256];

        if (geteuid() == 0)
                return;
        if (!gr) {
                if (!daemon_checked)
                        vw_doctor_check_add(checks, "group", "warn", "vwire",
                            "systemd-sysusers (vwire's sysusers.d entry creates it), or groupadd --system vwire",
                            "group vwire does not exist: only root may change the system vwired's state");
                return;
        }
        if (in_group(gr->gr_gid)) {
                vw_doctor_check_add(checks, "group", "ok", user, NULL, "%s is in group vwire: vwirectl may change vwired's state", user);
                return;
        }
        snprintf(fix, sizeof(fix), "usermod -aG vwire %s, then log in again", user);
        vw_doctor_check_add(checks, "group", "warn", user, fix,
            "%s is not in group vwire: vwirectl can show the system vwired's state but not change it "
            "(a vwired of your own accepts you anyway)", user);
}

static void check_node(json_object *checks, const char *check, const char *what, const char *node,
                       const char *module)
{
        char fix[256];
        struct stat st;

        if (stat(node, &st) < 0) {
                snprintf(fix, sizeof(fix), "modprobe %s; to load it at every boot: echo %s > "
                         "/etc/modules-load.d/%s.conf", module, module, module);
                vw_doctor_check_add(checks, check, "warn", node, fix, "%s is not available: %s does not exist", what, node);
        } else {
                struct group *gr = getgrgid(st.st_gid);
                vw_doctor_check_add(checks, check, "ok", node, NULL, "%s exists (mode %04o, group %s)", node,
                    (unsigned)(st.st_mode & 07777), gr ? gr->gr_name : "?");
        }
}

/* The runtime directory of the vwired we tried: the socket's directory when it is the default name. */
static char *runtime_dir_of(const char *socket_path)
{
        const char *slash = socket_path ? strrchr(socket_path, '/') : NULL;

        if (!slash || !streq(slash, "/control.sock"))
                return NULL;
        return strndup(socket_path, (size_t)(slash - socket_path));
}

/* vwired does not answer: what did an earlier one leave in its runtime directory? */
static void check_leftovers(json_object *checks, const char *dir)
{
        _cleanup_free_ char *ledger = NULL, *pidfile = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        char line[4096], fix[4200];
        unsigned found = 0;
        struct stat st;
        int fd;

        if (asprintf(&pidfile, "%s/vwired.pid", dir) < 0 || asprintf(&ledger, "%s/owned-paths", dir) < 0)
                return;
        fd = open(pidfile, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                char pid[32] = "";
                ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
                pid[n > 0 ? n : 0] = 0;
                pid[strcspn(pid, "\n")] = 0;
                if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
                        vw_doctor_check_add(checks, "daemon", "fail", pidfile, "look at `journalctl -u vwired`; restart it",
                            "a vwired (pid %s) holds %s but does not answer on its control socket", pid[0] ? pid : "?",
                            dir);
                else
                        vw_doctor_check_add(checks, "stale", "warn", pidfile, "start vwired (it cleans up), or delete the file",
                            "%s is left by a vwired (pid %s) that did not stop cleanly", pidfile, pid[0] ? pid : "?");
                close(fd);
        }
        f = fopen(ledger, "re");
        if (f && (!fgets(line, sizeof(line), f) || !strneq(line, VW_LEDGER_HEADER "\n", sizeof(VW_LEDGER_HEADER)))) {
                vw_doctor_check_add(checks, "stale", "warn", ledger, "check what it lists by hand, then delete it",
                                    "%s is not a version 2 ledger (an older vwired's); its entries cannot be checked",
                                    ledger);
                fclose(f);
                f = NULL;
        }
        while (f && fgets(line, sizeof(line), f)) {
                struct vw_ledger_entry e;
                line[strcspn(line, "\n")] = 0;
                if (vw_ledger_parse_line(line, &e) < 0 || lstat(e.path, &st) < 0)
                        continue;
                snprintf(line, sizeof(line), "%s", e.path);
                snprintf(fix, sizeof(fix), "start vwired (it removes what it recorded), or rm %s", line);
                vw_doctor_check_add(checks, "stale", "warn", line, fix,
                    "%s (%s) was made by a vwired that did not stop cleanly and is still there", line,
                    S_ISLNK(st.st_mode) ? "symlink" : S_ISSOCK(st.st_mode) ? "socket" : "file");
                found++;
        }
        if (found == 0 && fd < 0)
                vw_doctor_check_add(checks, "stale", "ok", dir, NULL, "no leftovers of an earlier vwired in %s", dir);
}

/* Does vwired have an [audio] cable (its checks name one)? */
static bool has_audio(json_object *checks)
{
        for (size_t i = 0; i < json_object_array_length(checks); i++) {
                const char *k = ctl_get_string(json_object_array_get_idx(checks, i), "check");

                if (k && streq(k, "audio-protocol"))
                        return true;
        }
        return false;
}

/* ---- output ---- */

static const char *status_label(const char *s)
{
        return streq(s, "fail") ? "FAIL" : streq(s, "warn") ? "WARN" : "OK";
}

static int print_checks(struct ctl *c, json_object *checks)
{
        size_t n = json_object_array_length(checks), ok = 0, warn = 0, fail = 0;

        for (size_t i = 0; i < n; i++) {
                const char *s = ctl_get_string(json_object_array_get_idx(checks, i), "status") ?: "ok";
                fail += streq(s, "fail");
                warn += streq(s, "warn");
                ok += !streq(s, "fail") && !streq(s, "warn");
        }
        if (c->json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                json_object_object_add(o, "checks", json_object_get(checks));
                json_object_object_add(o, "ok", json_object_new_int64((int64_t)ok));
                json_object_object_add(o, "warnings", json_object_new_int64((int64_t)warn));
                json_object_object_add(o, "failures", json_object_new_int64((int64_t)fail));
                print_json(stdout, o);
        } else {
                for (size_t i = 0; i < n; i++) {
                        json_object *k = json_object_array_get_idx(checks, i);
                        const char *fix = ctl_get_string(k, "fix");
                        printf("%-5s %s\n", status_label(ctl_get_string(k, "status") ?: "ok"),
                               ctl_get_string(k, "message") ?: "?");
                        if (fix)
                                printf("      fix: %s\n", fix);
                }
                printf("\n%zu ok, %zu warning%s, %zu failure%s\n", ok, warn, warn == 1 ? "" : "s", fail,
                       fail == 1 ? "" : "s");
        }
        return fail > 0 ? CTL_ERR_REFUSED : 0;
}

int verb_doctor(struct ctl *c, int argc, char **argv)
{
        _cleanup_json_ json_object *checks = json_object_new_array(), *reply = NULL;
        _cleanup_free_ char *rundir = NULL;
        bool daemon_ok = false;
        json_object *dc;
        int r;

        if (!checks)
                return log_error_errno(ENOMEM, "cannot build the report");

        last_message[0] = 0;
        vw_log_set_sink(capture_sink, NULL);
        r = ctl_open(c);
        vw_log_set_sink(stderr_sink, NULL);
        rundir = runtime_dir_of(c->path);

        if (r == 0) {
                vw_doctor_check_add(checks, "daemon", "ok", c->path, NULL, "vwired %s is running (pid %" PRId64 ") on %s",
                    c->daemon_version, c->daemon_pid, c->path);
                vw_doctor_check_add(checks, "version", "ok", NULL, NULL, "vwirectl and vwired are the same release: %s (protocol %d)",
                    VWIRE_VERSION, VWIRE_PROTOCOL);
                daemon_ok = true;
        } else if (r == CTL_ERR_MISMATCH) {
                vw_doctor_check_add(checks, "daemon", "ok", c->path, NULL, "vwired is running on %s", c->path);
                vw_doctor_check_add(checks, "version", "fail", NULL,
                    "restart vwired after an upgrade (systemctl restart vwired), or use the vwirectl that came with it",
                    "vwirectl %s (protocol %d) and vwired %s (protocol %" PRId64 ") are out of step: "
                    "vwired's own checks are skipped", VWIRE_VERSION, VWIRE_PROTOCOL,
                    c->daemon_version ?: "?", c->daemon_protocol);
        } else if (r == CTL_ERR_CONNECT) {
                vw_doctor_check_add(checks, "daemon", "fail", c->path,
                    "systemctl start vwired (a user's own: vwired &), or --socket PATH / VWIRE_SOCKET for another one",
                    "vwired does not answer: %s", last_message[0] ? last_message : "cannot connect");
        } else {
                vw_doctor_check_add(checks, "daemon", "fail", c->path, NULL, "vwired does not answer properly: %s",
                    last_message[0] ? last_message : strerror(-r));
        }

        if (daemon_ok) {
                r = ctl_call(c, VW_INTERFACE ".Doctor", NULL, false, &reply, NULL);
                if (r < 0)
                        vw_doctor_check_add(checks, "daemon", "fail", NULL, NULL, "vwired did not answer Doctor (see above)");
                else if (json_object_object_get_ex(reply, "checks", &dc) && json_object_is_type(dc, json_type_array))
                        for (size_t i = 0; i < json_object_array_length(dc); i++)
                                json_object_array_add(checks, json_object_get(json_object_array_get_idx(dc, i)));
        } else {
                check_node(checks, "cuse", "CUSE (backend = cuse)", "/dev/cuse", "cuse");
                check_node(checks, "uinput", "uinput ([input] devices)", "/dev/uinput", "uinput");
                if (rundir)
                        check_leftovers(checks, rundir);
        }
        check_caller(checks, daemon_ok);
        audio_doctor(c, checks, has_audio(checks));
        net_orphans_doctor(checks);
        return print_checks(c, checks);
}
