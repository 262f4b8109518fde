/* SPDX-License-Identifier: MIT */
/*
 * vwire's RFC 2217 client against Debian's ser2net 4.x on this machine, ser2net exporting a
 * vwire PTY port ("far", whose other end "farend" the test reads): a checksummed stream both
 * ways under overflow = block, the local port's rate at far's termios, ser2net's signature in
 * `vwirectl show`, and a reconnection after ser2net restarts. A pty has no modem lines and no
 * breaks; tests/cuse/test-rfc2217-ser2net.c does those with CUSE ports in the VM.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *ser2net_path(void)
{
        return access("/usr/sbin/ser2net", X_OK) == 0 ? "/usr/sbin/ser2net" : NULL;
}

static struct vwt_proc *start_ser2net(unsigned port)
{
        const char *conf = vwt_path("ser2net.yaml");

        vwt_write_file(conf, vwt_strf("connection: &far\n"
                                      "  accepter: telnet(rfc2217),tcp,127.0.0.1,%u\n"
                                      "  connector: serialdev,%s,9600n81,local\n"
                                      "  options:\n    kickolduser: true\n",
                                      port, vwt_run_path("far")));
        return vwt_proc_start(0, ser2net_path(), "-n", "-u", "-c", conf, "-P", vwt_path("ser2net.pid"));
}

static bool connected(void)
{
        json_object *v = vwt_jget(vwt_ctl_json("show", "c"), "endpoint.details.com_port");

        return v && json_object_get_boolean(v);
}

static const char *farend_peer_line(void)
{
        json_object *v = vwt_jget(vwt_ctl_json("show", "farend"), "endpoint.details.peer_line.text");

        return v ? json_object_get_string(v) : "";
}

VWT_TEST(vwire_client_ser2net_server)
{
        unsigned port = vwt_free_port();
        struct vwt_proc *s2n;
        struct vwt_output o;
        json_object *c;

        if (!ser2net_path())
                vwt_fail("ser2net is not installed (tools/install-deps --test installs it)");
        vwt_configf("[serial far]\nbackend = pty\npath = %%t/far\n\n"
                    "[serial farend]\nbackend = pty\npath = %%t/farend\n\n"
                    "[route cable]\nfrom = far\nto = farend\nduplex = yes\n\n"
                    "[serial app]\nbackend = pty\npath = %%t/app\n\n"
                    "[socket c]\nconnect = tcp:127.0.0.1:%u\nprotocol = rfc2217\nreconnect = 100ms\n"
                    "reconnect-max = 500ms\n\n"
                    "[route remote]\nfrom = app\nto = c\nduplex = yes\noverflow = block\n",
                    port);
        vwt_start();
        s2n = start_ser2net(port);
        if (!VWT_WAIT_FOR(20000, connected()))
                vwt_fail("vwire's client never negotiated COM-PORT-OPTION with ser2net");
        c = vwt_ctl_json("show", "c");
        ck_assert_msg(strstr(vwt_jstr(c, "endpoint.details.remote_signature"), "ser2net"), "signature %s",
                      vwt_jstr(c, "endpoint.details.remote_signature"));

        /* 1 MiB each way at once, checked end to end, through ser2net */
        ck_assert_int_eq(vwt_py(&o, 120000, "serial_pair.py", vwt_run_path("app"), vwt_run_path("farend"), "1048576"),
                         0);
        ck_assert_msg(strstr(o.out, "OK"), "%s", o.out);

        /* rate and stop bits: SET-BAUDRATE and SET-STOPSIZE, ser2net sets them on far, far tells farend */
        if (vwt_run(&o, "/bin/stty", "-F", vwt_run_path("app"), "115200", "cstopb") != 0)
                vwt_fail("stty: %s", o.err);
        if (!VWT_WAIT_FOR(10000, streq(farend_peer_line(), "115200 8N2")))
                vwt_fail("far did not get 115200 8N2 through ser2net: %s", farend_peer_line());
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "c"), "endpoint.details.refused"), "");
        ck_assert_str_eq(vwt_jstr(vwt_ctl_json("show", "c"), "endpoint.details.remote.line"), "115200 8N2");

        /* ser2net restarts: the client reconnects and the data flows again */
        ck_assert_int_ge(vwt_proc_kill(s2n, SIGTERM, 10000), 0);
        ck_assert(VWT_WAIT_FOR(10000, !connected()));
        s2n = start_ser2net(port);
        if (!VWT_WAIT_FOR(20000, connected()))
                vwt_fail("the client did not reconnect to ser2net");
        ck_assert_int_eq(vwt_py(&o, 120000, "serial_pair.py", vwt_run_path("app"), vwt_run_path("farend"), "65536"), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "c"), "endpoint.dropped_bytes"), 0);
        ck_assert_int_ge(vwt_proc_kill(s2n, SIGTERM, 10000), 0);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("rfc2217-ser2net");

        VWT_ADD(s, vwire_client_ser2net_server);
        return vwt_main(s);
}
