/* SPDX-License-Identifier: MIT */
/*
 * vwire's RFC 2217 client against an independent server: Debian's ser2net 4.x exporting a vwire
 * CUSE port, so that the modem lines and breaks at the far end are real tty ioctls.
 *
 *   test -- app (cuse) == c ([socket] connect, rfc2217) --unix--> ser2net --open()--> far (cuse)
 *                                                                        far == farend (cuse) -- test
 *
 * What the test does at app must arrive at farend through ser2net, and back: data, the rate and
 * framing (SET-BAUDRATE/DATASIZE/PARITY at far's termios, seen by farend as its peer's), DTR
 * (SET-CONTROL at far, farend's DSR/DCD), farend's RTS (far's CTS, ser2net's NOTIFY-MODEMSTATE,
 * app's CTS), a break (SET-CONTROL BREAK-ON/OFF, farend reads it as a PARMRK mark), and a server
 * that goes away (app's DCD drops; the client reconnects when it is back).
 * ser2net is a separate process, so opening a CUSE node of this vwired is fine.
 * Runs through tests/vm/kernel-test, so in a VM where this machine has no /dev/cuse.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *dev(const char *suffix)
{
        return vwt_strf("/dev/ttyVS%d%s", (int)getpid() % 1000, suffix);
}

static const char *ser2net_path(void)
{
        static const char *const paths[] = { "/usr/sbin/ser2net", "/usr/bin/ser2net" };

        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
                if (access(paths[i], X_OK) == 0)
                        return paths[i];
        return NULL;
}

/* A unix socket, not TCP: the VM has only lo, and ser2net's name lookup (AI_ADDRCONFIG) finds
 * no address at all, not even 127.0.0.1, on a machine without a non-loopback one. The host's
 * suite (tests/integration/test-rfc2217-ser2net.c) does it over TCP. */
static struct vwt_proc *start_ser2net(void)
{
        const char *conf = vwt_path("ser2net.yaml");

        vwt_write_file(conf, vwt_strf("connection: &far\n"
                                      "  accepter: telnet(rfc2217),unix,%s\n"
                                      "  connector: serialdev,%s,9600n81,local\n"
                                      "  options:\n    kickolduser: true\n",
                                      vwt_path("ser2net.sock"), dev("far")));
        return vwt_proc_start(0, ser2net_path(), "-n", "-u", "-c", conf, "-P", vwt_path("ser2net.pid"));
}

static bool connected(void)
{
        json_object *v = vwt_jget(vwt_ctl_json("show", "c"), "endpoint.details.com_port");

        return v && json_object_get_boolean(v);
}

static int lines_of(int fd)
{
        int m = 0;

        if (ioctl(fd, TIOCMGET, &m) < 0)
                vwt_fail("TIOCMGET: %s", strerror(errno));
        return m;
}

static void set_line(int fd, int line, bool on)
{
        if (ioctl(fd, on ? TIOCMBIS : TIOCMBIC, &line) < 0)
                vwt_fail("TIOCMBIS/BIC: %s", strerror(errno));
}

static void data_both_ways(int app, int farend, const char *tag)
{
        const char *a = vwt_strf("%s app->farend\n", tag), *f = vwt_strf("%s farend->app\n", tag);

        if (!vwt_serial_roundtrip(app, a, strlen(a), farend, a, strlen(a), 15000))
                vwt_fail("%s: app -> farend lost bytes", tag);
        if (!vwt_serial_roundtrip(farend, f, strlen(f), app, f, strlen(f), 15000))
                vwt_fail("%s: farend -> app lost bytes", tag);
}

VWT_TEST(ser2net_serves_a_cuse_port_to_vwires_client)
{
        static const uint8_t mark[3] = { 0377, 0, 0 };
        struct vwt_proc *s2n;
        struct termios2 t;
        uint8_t got[3];
        size_t n = 0;
        int app, farend;

        if (!ser2net_path())
                vwt_fail("ser2net is not installed (tools/install-deps --test installs it)");
        vwt_configf("[serial far]\nbackend = cuse\npath = %s\n\n"
                    "[serial farend]\nbackend = cuse\npath = %s\n\n"
                    "[route cable]\nfrom = far\nto = farend\nduplex = yes\n\n"
                    "[serial app]\nbackend = cuse\npath = %s\n\n"
                    "[socket c]\nconnect = unix:%s\nprotocol = rfc2217\nreconnect = 100ms\n"
                    "reconnect-max = 500ms\n\n"
                    "[route remote]\nfrom = app\nto = c\nduplex = yes\noverflow = block\n",
                    dev("far"), dev("farend"), dev("app"), vwt_path("ser2net.sock"));
        vwt_start();
        s2n = start_ser2net();
        if (!VWT_WAIT_FOR(20000, connected()))
                vwt_fail("vwire's client never negotiated COM-PORT-OPTION with ser2net");
        ck_assert_ptr_nonnull(
                strstr(vwt_jstr(vwt_ctl_json("show", "c"), "endpoint.details.remote_signature"), "ser2net"));
        app = vwt_serial_open(dev("app"));
        farend = vwt_serial_open(dev("farend"));
        data_both_ways(app, farend, "first");

        /* 250000 baud 7E1 at app: ser2net sets them on far, which tells farend */
        ck_assert_int_eq(ioctl(app, TCGETS2, &t), 0);
        t.c_cflag &= ~(tcflag_t)(CBAUD | CSIZE | PARODD);
        t.c_cflag |= BOTHER | CS7 | PARENB;
        t.c_ispeed = t.c_ospeed = 250000;
        ck_assert_int_eq(ioctl(app, TCSETS2, &t), 0);
        if (!VWT_WAIT_FOR(15000, streq(vwt_jstr(vwt_ctl_json("show", "farend"), "endpoint.details.peer_line.text"),
                                       "250000 7E1")))
                vwt_fail("far did not get 250000 7E1 through ser2net: %s",
                         vwt_jstr(vwt_ctl_json("show", "farend"), "endpoint.details.peer_line.text"));
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "c"), "endpoint.details.refused"), "");

        /* DTR at app -> SET-CONTROL -> far's DTR -> farend's DSR/DCD */
        ck_assert(VWT_WAIT_FOR(10000, lines_of(farend) & TIOCM_DSR));
        set_line(app, TIOCM_DTR, false);
        if (!VWT_WAIT_FOR(10000, !(lines_of(farend) & (TIOCM_DSR | TIOCM_CD))))
                vwt_fail("farend still sees DSR/DCD after app dropped DTR");
        set_line(app, TIOCM_DTR, true);
        ck_assert(VWT_WAIT_FOR(10000, lines_of(farend) & TIOCM_DSR));

        /* farend's RTS -> far's CTS -> NOTIFY-MODEMSTATE (ser2net polls it) -> app's CTS */
        ck_assert(VWT_WAIT_FOR(10000, lines_of(app) & TIOCM_CTS));
        set_line(farend, TIOCM_RTS, false);
        if (!VWT_WAIT_FOR(15000, !(lines_of(app) & TIOCM_CTS)))
                vwt_fail("app still sees CTS after farend dropped RTS");
        set_line(farend, TIOCM_RTS, true);
        ck_assert(VWT_WAIT_FOR(15000, lines_of(app) & TIOCM_CTS));

        /* a break at app reaches farend's stream */
        ck_assert_int_eq(ioctl(farend, TCGETS2, &t), 0);
        t.c_iflag |= PARMRK;
        t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT);
        ck_assert_int_eq(ioctl(farend, TCSETS2, &t), 0);
        ck_assert_int_eq(ioctl(app, TCSBRKP, 2), 0); /* 200 ms */
        if (!vwt_read_exact(farend, got, sizeof(got), &n, 15000) || memcmp(got, mark, sizeof(mark)) != 0)
                vwt_fail("farend did not read app's break as a PARMRK mark (%zu bytes); c: %s; far: %s", n,
                         json_object_to_json_string(vwt_jget(vwt_ctl_json("show", "c"), "endpoint.details")),
                         json_object_to_json_string(vwt_jget(vwt_ctl_json("show", "far"), "endpoint.details")));
        t.c_iflag &= ~(tcflag_t)PARMRK;
        ck_assert_int_eq(ioctl(farend, TCSETS2, &t), 0);

        /* ser2net goes away: app's DCD drops; it comes back, so does the connection */
        ck_assert(lines_of(app) & TIOCM_CD);
        ck_assert_int_eq(vwt_proc_kill(s2n, SIGTERM, 10000) >= 0, 1);
        if (!VWT_WAIT_FOR(10000, !(lines_of(app) & TIOCM_CD)))
                vwt_fail("app's DCD stayed up with the server gone");
        s2n = start_ser2net();
        if (!VWT_WAIT_FOR(20000, connected() && (lines_of(app) & TIOCM_CD)))
                vwt_fail("the client did not reconnect to ser2net");
        data_both_ways(app, farend, "reconnected");
        close(app);
        close(farend);
        ck_assert_int_ge(vwt_proc_kill(s2n, SIGTERM, 10000), 0);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("rfc2217-ser2net");

        VWT_ADD(s, ser2net_serves_a_cuse_port_to_vwires_client);
        return vwt_main(s);
}
