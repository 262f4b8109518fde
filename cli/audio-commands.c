/* SPDX-License-Identifier: MIT */
/*
 * `vwirectl audio default [NAME | --unset] [--user | --system]`: make an [audio] cable ALSA's
 * default device, or stop doing so, through one small file of vwire's own that nothing else
 * writes: the system's (root's default) ALSA_CONF_D/99-vwire-default.conf, which alsa-lib's
 * alsa.conf loads; a user's $XDG_CONFIG_HOME/alsa/asoundrc (~/.config/alsa/asoundrc), which it
 * loads too. A file there that vwire did not write is never touched. Installing vwire writes
 * neither, and --unset leaves ALSA as it was. No vwired is needed: the file only names the
 * cable, and the plugin says clearly when it is not there.
 *
 * And what `vwirectl doctor` adds about audio on this machine: the installed plugin and its
 * version against vwired's, the alsa.conf.d snippet, the default device, snd-aloop.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "atomic-file.h"
#include "audio-proto.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "varlink.h"

#define DEFAULT_FILE_SYSTEM "99-vwire-default.conf"
#define DEFAULT_MARK "# vwire: written by `vwirectl audio default`"
#define PLUGIN_FILE "libasound_module_pcm_vwire.so"
#define PLUGIN_MAX_BYTES (16u * 1024u * 1024u)

static int opt_scope; /* 0: root's is the system's, anyone else's their own; 1 user; 2 system */
static bool opt_unset;

int audio_set_option(const char *name)
{
        if (streq(name, "unset")) {
                opt_unset = true;
                return 0;
        }
        if (opt_scope != 0) {
                log_error("--user and --system: give one of them");
                return CTL_ERR_USAGE;
        }
        opt_scope = streq(name, "user") ? 1 : 2;
        return 0;
}

/* The directory and file name of the default-device file of a scope. */
static int default_file(bool system, char dir[PATH_MAX], const char **ret_name)
{
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        int n;

        if (system) {
                n = snprintf(dir, PATH_MAX, "%s", ALSA_CONF_D);
                *ret_name = DEFAULT_FILE_SYSTEM;
        } else {
                /* the place alsa.conf's hook loads: $XDG_CONFIG_HOME (default ~/.config)/alsa/asoundrc */
                if (xdg && xdg[0] == '/')
                        n = snprintf(dir, PATH_MAX, "%s/alsa", xdg);
                else if (home && home[0] == '/')
                        n = snprintf(dir, PATH_MAX, "%s/.config/alsa", home);
                else {
                        log_error("neither XDG_CONFIG_HOME nor HOME is an absolute path: no place for a user's ALSA "
                                  "file");
                        return -ENOENT;
                }
                *ret_name = "asoundrc";
        }
        if (n < 0 || n >= PATH_MAX)
                return log_error_errno(ENAMETOOLONG, "the directory of ALSA's file is too long");
        return 0;
}

/* The cable a file of ours names ("" for none); -ENOENT no file, -EEXIST someone else's. */
static int read_default(const char *dir, const char *name, char cable[VW_AUDIO_NAME_MAX + 1])
{
        _cleanup_free_ char *path = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        char line[256];

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        f = fopen(path, "re");
        if (!f)
                return -errno;
        if (!fgets(line, sizeof(line), f) || !strneq(line, DEFAULT_MARK "\n", sizeof(DEFAULT_MARK)))
                return -EEXIST;
        cable[0] = '\0';
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "pcm.!default \"vwire:%64[^\"]\"", cable) == 1)
                        break;
        return 0;
}

/* mkdir -p, 0755 */
static int make_dirs(const char *dir)
{
        char p[PATH_MAX];

        if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
                return -ENAMETOOLONG;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* What ALSA's configuration syntax and the vwire:NAME argument take without quoting games. */
static bool name_is_plain(const char *s)
{
        if (!vw_audio_name_is_valid(s))
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
                      *s == '-' || *s == '.'))
                        return false;
        return true;
}

int verb_audio(struct ctl *c, int argc, char **argv)
{
        bool system = opt_scope == 2 || (opt_scope == 0 && geteuid() == 0);
        char cable[VW_AUDIO_NAME_MAX + 1], dir[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        const char *name;
        int r;

        if (!streq(argv[1], "default")) {
                log_error("usage: vwirectl audio default [--user|--system] NAME | audio default --unset");
                return CTL_ERR_USAGE;
        }
        if (opt_unset && argc > 2) {
                log_error("audio default --unset takes no cable name");
                return CTL_ERR_USAGE;
        }
        r = default_file(system, dir, &name);
        if (r < 0)
                return r;
        r = read_default(dir, name, cable);
        if (r < 0 && r != -ENOENT && r != -EEXIST)
                return log_error_errno(r, "cannot read %s/%s", dir, name);

        if (argc == 2 && !opt_unset) {
                /* show it */
                if (r == 0)
                        printf("ALSA's default device is vwire cable '%s' (%s/%s)\n", cable[0] ? cable : "?", dir,
                               name);
                else if (r == -EEXIST)
                        printf("%s/%s is not vwire's: ALSA's default device there is not set by vwire\n", dir, name);
                else
                        printf("vwire does not set ALSA's default device (no %s/%s)\n", dir, name);
                return 0;
        }
        if (r == -EEXIST) {
                log_error("%s/%s was not written by vwirectl: left alone (to use a cable there, add the line "
                          "pcm.!default \"vwire:NAME\" yourself)",
                          dir, name);
                return CTL_ERR_REFUSED;
        }
        if (opt_unset) {
                if (r == -ENOENT) {
                        printf("vwire does not set ALSA's default device (no %s/%s)\n", dir, name);
                        return 0;
                }
                r = vw_unlink_durable(dir, name);
                if (r < 0 && r != -ENOENT)
                        return log_error_errno(r, "cannot remove %s/%s", dir, name);
                printf("removed %s/%s: ALSA's default device is what it was before\n", dir, name);
                return 0;
        }
        if (!name_is_plain(argv[2])) {
                log_error("audio default: '%s' is not a cable name this command writes (letters, digits, '_', '-', "
                          "'.')",
                          argv[2]);
                return CTL_ERR_USAGE;
        }
        r = make_dirs(dir);
        if (r < 0)
                return log_error_errno(r, "cannot make %s", dir);
        if (asprintf(&text,
                     DEFAULT_MARK "\n"
                                  "# ALSA's default device is the vwire audio cable %s ([audio %s] of vwired).\n"
                                  "# `vwirectl audio default --unset` removes this file.\n"
                                  "pcm.!default \"vwire:%s\"\n",
                     argv[2], argv[2], argv[2]) < 0)
                return log_error_errno(ENOMEM, "out of memory");
        r = vw_write_file_atomic(dir, name, text, 0644);
        if (r < 0)
                return log_error_errno(r, "cannot write %s/%s", dir, name);
        printf("ALSA's default device is vwire cable '%s' (%s/%s)\n", argv[2], dir, name);
        return 0;
}

/* ---- doctor ---- */

/* alsa-lib's plugin directory; $VWIRE_ALSA_PLUGIN_DIR for a plugin installed elsewhere (tests). */
static const char *plugin_dir(void)
{
        const char *e = getenv("VWIRE_ALSA_PLUGIN_DIR");

        return e && e[0] == '/' ? e : ALSA_PLUGIN_DIR;
}

/* The version mark of the installed plugin: 0, -ENOENT no plugin, -EBADMSG no mark. */
static int plugin_version(const char *path, char version[VW_AUDIO_VERSION_MAX + 1], unsigned *protocol)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        void *p;
        int r;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > PLUGIN_MAX_BYTES)
                return -EBADMSG;
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return -errno;
        r = vw_audio_plugin_id_find(p, (size_t)st.st_size, version, protocol);
        munmap(p, (size_t)st.st_size);
        return r == -ENOENT ? -EBADMSG : r;
}

static void check_plugin(struct ctl *c, json_object *checks)
{
        _cleanup_free_ char *path = NULL;
        char version[VW_AUDIO_VERSION_MAX + 1];
        const char *daemon = c->daemon_version;
        unsigned protocol = 0;
        int r;

        if (asprintf(&path, "%s/%s", plugin_dir(), PLUGIN_FILE) < 0)
                return;
        r = plugin_version(path, version, &protocol);
        if (r == -ENOENT) {
                vw_doctor_check_add(checks, "alsa-plugin", "warn", path,
                                    "meson install (the plugin goes to alsa-lib's plugin directory)",
                                    "the ALSA plugin of audio cables is not installed: %s does not exist; "
                                    "ALSA programs cannot open vwire:NAME",
                                    path);
        } else if (r < 0) {
                vw_doctor_check_add(checks, "alsa-plugin", "warn", path, "reinstall vwire",
                                    "%s carries no vwire version mark (%s): not a plugin of this vwire", path,
                                    r == -EBADMSG ? "not found" : strerror(-r));
        } else if (protocol != VW_AUDIO_PROTOCOL || (daemon && !streq(version, daemon))) {
                vw_doctor_check_add(checks, "alsa-plugin", protocol != VW_AUDIO_PROTOCOL ? "fail" : "warn", path,
                                    "install the plugin and vwired of one release, then restart vwired",
                                    "the installed ALSA plugin is vwire %s (audio protocol %u), vwired is vwire %s "
                                    "(audio protocol %d)%s",
                                    version, protocol, daemon ? daemon : VWIRE_VERSION, VW_AUDIO_PROTOCOL,
                                    protocol != VW_AUDIO_PROTOCOL ? ": ALSA programs cannot use its cables" : "");
        } else {
                vw_doctor_check_add(checks, "alsa-plugin", "ok", path, NULL,
                                    "the ALSA plugin %s is vwire %s (audio protocol %u), like vwired", path, version,
                                    protocol);
        }
}

static void check_snippet(json_object *checks)
{
        _cleanup_free_ char *path = NULL;
        struct stat st;

        if (asprintf(&path, "%s/50-vwire.conf", ALSA_CONF_D) < 0)
                return;
        if (stat(path, &st) == 0)
                vw_doctor_check_add(checks, "alsa-conf", "ok", path, NULL,
                                    "%s defines vwire:NAME and vwire_raw:NAME for ALSA programs", path);
        else
                vw_doctor_check_add(checks, "alsa-conf", "warn", path,
                                    "meson install, or ln -s <datadir>/alsa/alsa.conf.d/50-vwire.conf into it",
                                    "%s is missing: ALSA programs do not know vwire:NAME", path);
}

static void check_default(json_object *checks, bool system)
{
        char cable[VW_AUDIO_NAME_MAX + 1], dir[PATH_MAX];
        const char *name;

        if (default_file(system, dir, &name) < 0)
                return;
        if (read_default(dir, name, cable) == 0)
                vw_doctor_check_add(checks, "alsa-default", "ok", cable, "vwirectl audio default --unset",
                                    "ALSA's default device is vwire cable '%s' (%s/%s)", cable, dir, name);
}

/* Where the kernel has snd-aloop, say so; nothing of vwire needs it. */
static void check_aloop(json_object *checks)
{
        struct utsname u;
        char path[512];
        struct stat st;

        if (stat("/proc/asound/Loopback", &st) == 0 || stat("/sys/module/snd_aloop", &st) == 0) {
                vw_doctor_check_add(checks, "snd-aloop", "ok", "snd-aloop", NULL,
                                    "the kernel's snd-aloop is loaded (hw:Loopback); audio cables do not need it");
                return;
        }
        if (uname(&u) < 0)
                return;
        snprintf(path, sizeof(path), "/lib/modules/%s/kernel/sound/drivers", u.release);
        for (const char *const *ext = (const char *const[]){ ".ko", ".ko.xz", ".ko.zst", NULL }; *ext; ext++) {
                char ko[600];

                snprintf(ko, sizeof(ko), "%s/snd-aloop%s", path, *ext);
                if (stat(ko, &st) == 0) {
                        vw_doctor_check_add(checks, "snd-aloop", "ok", "snd-aloop", NULL,
                                            "the kernel has snd-aloop as a module (not loaded); audio cables do "
                                            "not need it");
                        return;
                }
        }
}

void audio_doctor(struct ctl *c, json_object *checks, bool daemon_has_audio)
{
        struct stat st;
        _cleanup_free_ char *plugin = NULL;
        bool installed = asprintf(&plugin, "%s/%s", plugin_dir(), PLUGIN_FILE) >= 0 && stat(plugin, &st) == 0;

        /* a setup without cables or the plugin hears nothing of audio */
        if (plugin_dir()[0] != '\0' && (daemon_has_audio || installed)) {
                check_plugin(c, checks);
                check_snippet(checks);
        }
        check_default(checks, geteuid() == 0);
        check_aloop(checks);
}
