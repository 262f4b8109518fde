/* SPDX-License-Identifier: MIT */
/*
 * Integration: [serial] backend = device on this machine, with a PTY pair standing in for the
 * hardware: the test holds the master (the far end of the cable), vwired opens the slave as the
 * device (through a symlink in the case's directory, as /dev/serial/by-id names a USB port).
 *
 * What a pty cannot show, and the kernel suite (tests/cuse/test-serial-device.c, a CUSE port
 * opened as a device) covers instead: the kernel's pty forces CS8 and no parity, so only the
 * rate and stop bits of the settings are checked here; a pty has no modem lines (TIOCMGET is
 * ENOTTY) and no breaks (no break_ctl), which `vwirectl show` says (modem.supported = no).
 *
 * Unplug = closing the master (the slave hangs up: EIO, POLLHUP) and removing the link; replug =
 * a new pty linked at the same name.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

struct hw {
        int master;
        char slave[64];
};

/* A new pty linked at the case's "hw", replacing the link atomically (as udev does). */
static struct hw hw_plug(void)
{
        struct hw h = { .master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC) };
        struct termios2 t;
        const char *tmp = vwt_path("hw.new");

        if (h.master < 0 || grantpt(h.master) < 0 || unlockpt(h.master) < 0 ||
            ptsname_r(h.master, h.slave, sizeof(h.slave)) != 0)
                vwt_fail("cannot make a pty: %s", strerror(errno));
        /* the far end raw too, so what vwired writes arrives as it was written */
        if (ioctl(h.master, TCGETS2, &t) == 0) {
                t.c_iflag = 0;
                t.c_oflag = 0;
                t.c_lflag = 0;
                (void)ioctl(h.master, TCSETS2, &t);
        }
        (void)unlink(tmp);
        if (symlink(h.slave, tmp) < 0 || rename(tmp, vwt_path("hw")) < 0)
                vwt_fail("cannot link %s: %s", h.slave, strerror(errno));
        vwt_note("plugged %s at %s", h.slave, vwt_path("hw"));
        return h;
}

static void hw_unplug(struct hw *h)
{
        (void)unlink(vwt_path("hw"));
        close(h->master);
        h->master = -1;
        vwt_note("unplugged %s", h->slave);
}

/* The settings vwired gave the device, seen through another open of the slave. */
static bool hw_termios(const struct hw *h, struct termios2 *ret)
{
        int fd = open(h->slave, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        bool ok;

        if (fd < 0)
                return false;
        ok = ioctl(fd, TCGETS2, ret) == 0;
        close(fd);
        return ok;
}

static bool hw_has_rate(const struct hw *h, unsigned baud, bool two_stop)
{
        struct termios2 t;

        unsigned code;

        if (!hw_termios(h, &t))
                return false;
        /* vwired asks for a rate with a Bxxx code by its code, any other as BOTHER */
        code = t.c_cflag & CBAUD;
        if (!(code == BOTHER && t.c_ospeed == baud) && !(code == B230400 && baud == 230400))
                return false;
        return !!(t.c_cflag & CSTOPB) == two_stop && !(t.c_lflag & ICANON) && !(t.c_oflag & OPOST);
}

/* A custom rate and 2 stop bits on the app's pty, as pyserial or stty would set them. */
static void app_set_rate(int fd, unsigned baud)
{
        struct termios2 t;

        if (ioctl(fd, TCGETS2, &t) < 0)
                vwt_fail("TCGETS2: %s", strerror(errno));
        t.c_cflag &= ~(tcflag_t)CBAUD;
        t.c_cflag |= BOTHER | CSTOPB;
        t.c_ispeed = t.c_ospeed = baud;
        if (ioctl(fd, TCSETS2, &t) < 0)
                vwt_fail("TCSETS2: %s", strerror(errno));
}

static const char *show_str(const char *key)
{
        json_object *v = vwt_jget(vwt_ctl_json("show", "hw"), key);

        return v ? json_object_get_string(v) : "";
}

static bool show_is(const char *key, const char *want)
{
        return streq(show_str(key), want);
}

static void config(void)
{
        vwt_configf("[serial hw]\nbackend = device\ndevice = %s\nreopen = 50ms\nreopen-max = 400ms\n\n"
                    "[serial app]\nbackend = pty\npath = %%t/app\n\n"
                    "[route cable]\nfrom = hw\nto = app\nduplex = yes\n",
                    vwt_path("hw"));
}

/* Both ways through the device: what the app writes reaches the far end, and back. */
static void check_data(const struct hw *h, int app, const char *tag)
{
        char out[64], back[64];

        snprintf(out, sizeof(out), "%s: app to hw\n", tag);
        if (!vwt_serial_roundtrip(app, out, strlen(out), h->master, out, strlen(out), 5000))
                vwt_fail("%s: app -> device lost bytes", tag);
        snprintf(back, sizeof(back), "%s: hw to app\n", tag);
        if (!vwt_serial_roundtrip(h->master, back, strlen(back), app, back, strlen(back), 5000))
                vwt_fail("%s: device -> app lost bytes", tag);
}

static json_object *doctor_check(const char *object)
{
        struct vwt_output o;
        json_object *all, *checks;

        (void)vwt_ctl(&o, "--json", "doctor");
        all = vwt_parse_json(o.out);
        checks = all ? vwt_jget(all, "checks") : NULL;
        for (size_t i = 0; checks && i < json_object_array_length(checks); i++) {
                json_object *c = json_object_array_get_idx(checks, i), *obj = vwt_jget(c, "object"),
                            *name = vwt_jget(c, "check");

                if (obj && name && streq(json_object_get_string(name), "device") &&
                    streq(json_object_get_string(obj), object))
                        return c;
        }
        return NULL;
}

VWT_TEST(device_data_and_settings)
{
        struct hw h = hw_plug();
        static uint8_t big[65536];
        struct termios2 t;
        int app;

        config();
        vwt_start();
        ck_assert(VWT_WAIT_FOR(5000, show_is("endpoint.details.device_state", "open")));
        ck_assert_str_eq(show_str("endpoint.state"), "active");
        app = vwt_serial_open(vwt_run_path("app"));
        /* raw mode is the device's from the start (the slave was cooked: ICANON, OPOST) */
        ck_assert(hw_termios(&h, &t) && !(t.c_lflag & (ICANON | ECHO)) && !(t.c_oflag & OPOST) && (t.c_cflag & CLOCAL));
        app_set_rate(app, 250000);
        if (!VWT_WAIT_FOR(5000, hw_has_rate(&h, 250000, true)))
                vwt_fail("the device did not get 250000 baud and 2 stop bits");
        ck_assert(VWT_WAIT_FOR(5000, vwt_jint(vwt_ctl_json("show", "hw"), "endpoint.details.line.baud") == 250000));
        /* what the driver took goes back to the peer */
        ck_assert(
                VWT_WAIT_FOR(5000, vwt_jint(vwt_ctl_json("show", "app"), "endpoint.details.peer_line.baud") == 250000));
        ck_assert(!json_object_get_boolean(vwt_jget(vwt_ctl_json("show", "hw"), "endpoint.details.modem.supported")));
        check_data(&h, app, "first");

        /* 64 KiB of every byte value, both directions, nothing changed on the way */
        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (uint8_t)(i * 7 + i / 256);
        if (!vwt_serial_roundtrip(app, big, sizeof(big), h.master, big, sizeof(big), 10000))
                vwt_fail("64 KiB app -> device differ");
        if (!vwt_serial_roundtrip(h.master, big, sizeof(big), app, big, sizeof(big), 10000))
                vwt_fail("64 KiB device -> app differ");
        ck_assert(doctor_check("hw") && streq(vwt_jstr(doctor_check("hw"), "status"), "ok"));
        close(app);
        vwt_stop();
        close(h.master);
}

VWT_TEST(device_unplug_and_replug)
{
        struct hw h = hw_plug();
        json_object *c;
        int app;

        config();
        vwt_start();
        ck_assert(VWT_WAIT_FOR(5000, show_is("endpoint.details.device_state", "open")));
        app = vwt_serial_open(vwt_run_path("app"));
        app_set_rate(app, 230400);
        ck_assert(VWT_WAIT_FOR(5000, hw_has_rate(&h, 230400, true)));
        check_data(&h, app, "before");

        hw_unplug(&h);
        if (!VWT_WAIT_FOR(5000, show_is("endpoint.details.device_state", "gone")))
                vwt_fail("vwired did not notice the unplug: %s", show_str("endpoint.details.device_state"));
        ck_assert_str_eq(show_str("endpoint.state"), "connecting");
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "hw"), "endpoint.details.losses"), 1);
        c = doctor_check("hw");
        if (!c || !streq(vwt_jstr(c, "status"), "fail") || !strstr(vwt_jstr(c, "message"), "gone"))
                vwt_fail("doctor does not report the missing device: %s",
                         c ? json_object_to_json_string(c) : "(no check)");
        /* a missing device holds no route: what the app writes meanwhile is dropped, counted */
        ck_assert_int_eq(write(app, "lost\n", 5), 5);
        ck_assert(VWT_WAIT_FOR(5000, vwt_jint(vwt_ctl_json("show", "hw"), "endpoint.dropped_bytes") >= 5));

        vwt_sleep_ms(300); /* a few failed opens: backoff, then the name appears */
        h = hw_plug();
        if (!VWT_WAIT_FOR(5000, show_is("endpoint.details.device_state", "open")))
                vwt_fail("vwired did not reopen the device");
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "hw"), "endpoint.details.opens"), 2);
        /* the app's settings again, on the new device */
        if (!VWT_WAIT_FOR(5000, hw_has_rate(&h, 230400, true)))
                vwt_fail("the replugged device did not get the app's settings");
        ck_assert(vwt_quiet(h.master, 200)); /* nothing of what was written while it was gone */
        check_data(&h, app, "after");
        close(app);
        vwt_stop();
        close(h.master);
}

VWT_TEST(device_missing_at_start_and_not_a_tty)
{
        struct hw h;
        int app;

        vwt_configf("[serial hw]\nbackend = device\ndevice = %s\nreopen = 50ms\nreopen-max = 200ms\n\n"
                    "[serial null]\nbackend = device\ndevice = /dev/null\n\n"
                    "[serial app]\nbackend = pty\npath = %%t/app\n\n"
                    "[route cable]\nfrom = hw\nto = app\nduplex = yes\n",
                    vwt_path("hw"));
        vwt_start(); /* a device that is not there yet is no reason to fail */
        ck_assert_str_eq(show_str("endpoint.details.device_state"), "missing");
        ck_assert_str_eq(show_str("endpoint.details.last_error"), "No such file or directory");
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "null"), "endpoint.details.last_error"), "not a tty");
        ck_assert(doctor_check("null") && streq(vwt_jstr(doctor_check("null"), "status"), "fail"));
        ck_assert(doctor_check("hw") && strstr(vwt_jstr(doctor_check("hw"), "message"), "missing"));
        h = hw_plug();
        ck_assert(VWT_WAIT_FOR(5000, show_is("endpoint.details.device_state", "open")));
        app = vwt_serial_open(vwt_run_path("app"));
        check_data(&h, app, "late");
        close(app);
        vwt_stop();
        close(h.master);
}

VWT_TEST(device_config_errors)
{
        struct vwt_output o;

        vwt_config("[serial hw]\nbackend = device\n\n[serial x]\nbackend = device\ndevice = /dev/null\nreopen = 1ms\n");
        if (vwt_run(&o, vwt_vwired_path(), "--check", "--config", vwt()->config) == 0)
                vwt_fail("--check accepted a device without device =");
        ck_assert_ptr_nonnull(strstr(o.err, "needs device = PATH"));
        ck_assert_ptr_nonnull(strstr(o.err, "reopen must be at least 10ms"));
}

int main(void)
{
        Suite *s = suite_create("serial-device");

        VWT_ADD(s, device_data_and_settings);
        VWT_ADD(s, device_unplug_and_replug);
        VWT_ADD(s, device_missing_at_start_and_not_a_tty);
        VWT_ADD(s, device_config_errors);
        return vwt_main(s);
}
