/* SPDX-License-Identifier: MIT */
/*
 * The doctor check of a kernel device node a backend needs (/dev/cuse, /dev/uinput): is it
 * there, may vwired open it, and if not, what to do about it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoint.h"
#include "varlink.h"

void vw_doctor_device_node(json_object *checks, const char *check, const char *what, const char *node,
                           const char *module, bool in_use)
{
        const char *bad = in_use ? "fail" : "warn";
        char fix[512], sysmod[64];
        struct stat st;
        int fd;

        if (stat(node, &st) < 0) {
                snprintf(sysmod, sizeof(sysmod), "/sys/module/%s", module);
                snprintf(fix, sizeof(fix),
                         "modprobe %s; to load it at every boot: echo %s > "
                         "/etc/modules-load.d/%s.conf",
                         module, module, module);
                if (access(sysmod, F_OK) == 0)
                        vw_doctor_check_add(checks, check, bad, node,
                                            "check that /dev is devtmpfs and systemd-udevd runs",
                                            "the %s module is loaded but %s does not exist", module, node);
                else
                        vw_doctor_check_add(checks, check, bad, node, fix,
                                            "%s is not available: %s does not exist (the %s kernel module is not "
                                            "loaded)",
                                            what, node, module);
                return;
        }
        fd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
                close(fd);
                vw_doctor_check_add(checks, check, "ok", node, NULL, "%s is available: vwired can open %s", what, node);
                return;
        }
        if (errno == EACCES) {
                struct group *gr = getgrgid(st.st_gid);
                snprintf(fix, sizeof(fix),
                         "install vwire's udev rule 60-vwire.rules (group vwire, mode 0660), then "
                         "udevadm control --reload && udevadm trigger --action=add %s; run vwired as root or in "
                         "group vwire",
                         node);
                vw_doctor_check_add(checks, check, bad, node, fix,
                                    "vwired (uid %u) may not open %s (mode %04o, group %s)", (unsigned)geteuid(), node,
                                    (unsigned)(st.st_mode & 07777), gr ? gr->gr_name : "?");
        } else if (errno == EPERM) {
                snprintf(fix, sizeof(fix), "add \"DeviceAllow=%s rw\" to vwired's unit (systemctl edit vwired)", node);
                vw_doctor_check_add(checks, check, bad, node, fix, "vwired's sandbox forbids %s (device policy)", node);
        } else {
                vw_doctor_check_add(checks, check, bad, node, NULL, "cannot open %s: %s", node, strerror(errno));
        }
}
