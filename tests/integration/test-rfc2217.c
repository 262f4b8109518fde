/* SPDX-License-Identifier: MIT */
/*
 * [socket] protocol = telnet | rfc2217 against independent peers: pyserial's rfc2217:// client
 * against vwire's server, raw telnet bytes (any split, unknown options, IAC in subnegotiations),
 * and vwire's client against servers (vwire's own, pyserial's PortManager, ser2net, sredird)
 * with PTY ports as the local ends. CUSE ports (modem lines, TIOCMIWAIT) are in the kernel suite.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define SCRIPT_TIMEOUT 120000

static void run_script(const char *script, const char *const *args)
{
        struct vwt_output o;
        int st = vwt_pyv(&o, SCRIPT_TIMEOUT, script, args);

        if (st == 77)
                vwt_fail("%s: SKIPPED where it must not be: %s", script, o.out);
        ck_assert_msg(st == 0, "%s exited %d: %s%s", script, st, o.out, o.err);
        ck_assert_msg(strstr(o.out, "OK"), "%s: %s", script, o.out);
}

VWT_TEST(pyserial_client)
{
        unsigned port = vwt_free_port();

        vwt_configf("[serial p]\nbackend = pty\npath = %%t/p\n"
                    "[socket s]\nlisten = tcp:127.0.0.1:%u\nprotocol = rfc2217\n"
                    "[route r]\nfrom = p\nto = s\nduplex = yes\n",
                    port);
        vwt_start();
        run_script("rfc2217_pyserial.py", (const char *const[]){ vwt_strf("%u", port), vwt_run_path("p"), "p",
                                                                 vwt_vwirectl_path(), vwt()->sock, NULL });
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "s"), "endpoint.dropped_bytes"), 0);
        vwt_stop();
}

/* gensio's sergensio as a second independent client of vwire's server. */
VWT_TEST(gensio_client)
{
        unsigned port = vwt_free_port();

        vwt_configf("[serial p]\nbackend = pty\npath = %%t/p\n"
                    "[socket s]\nlisten = tcp:127.0.0.1:%u\nprotocol = rfc2217\n"
                    "[route r]\nfrom = p\nto = s\nduplex = yes\n",
                    port);
        vwt_start();
        run_script("rfc2217_gensio.py", (const char *const[]){ vwt_strf("%u", port), vwt_run_path("p"), "p",
                                                               vwt_vwirectl_path(), vwt()->sock, NULL });
        vwt_stop();
}

VWT_TEST(raw_telnet_bytes)
{
        unsigned port = vwt_free_port(), tport = vwt_free_port();

        vwt_configf("[serial p]\nbackend = pty\npath = %%t/p\n"
                    "[socket s]\nlisten = tcp:127.0.0.1:%u\nprotocol = rfc2217\n"
                    "[route r]\nfrom = p\nto = s\nduplex = yes\n"
                    "[serial q]\nbackend = pty\npath = %%t/q\n"
                    "[socket t]\nlisten = tcp:127.0.0.1:%u\nprotocol = telnet\n"
                    "[route rt]\nfrom = q\nto = t\nduplex = yes\n",
                    port, tport);
        vwt_start();
        run_script("rfc2217_raw.py",
                   (const char *const[]){ vwt_strf("%u", port), vwt_run_path("p"), "p", vwt_strf("%u", tport),
                                          vwt_run_path("q"), vwt_vwirectl_path(), vwt()->sock, NULL });
        vwt_stop();
}

/* vwire's client and vwire's server, each with a pty, in one vwired: a checksummed stream both
 * ways under overflow = block, and the local port's settings and flushes at the far port. */
VWT_TEST(vwire_client_vwire_server)
{
        unsigned port = vwt_free_port();
        struct vwt_output o;
        json_object *c;

        vwt_configf("[serial a]\nbackend = pty\npath = %%t/a\n"
                    "[socket c]\nconnect = tcp:127.0.0.1:%u\nprotocol = rfc2217\nreconnect = 100ms\n"
                    "[route ra]\nfrom = a\nto = c\nduplex = yes\noverflow = block\nbuffer = 64K\n"
                    "[socket s]\nlisten = tcp:127.0.0.1:%u\nprotocol = rfc2217\n"
                    "[serial b]\nbackend = pty\npath = %%t/b\n"
                    "[route rb]\nfrom = b\nto = s\nduplex = yes\noverflow = block\nbuffer = 64K\n",
                    port, port);
        vwt_start();
        /* what a client sends while not connected is dropped: wait for the connection */
        ck_assert_msg(VWT_WAIT_FOR(10000, json_object_get_boolean(
                                                  vwt_jget(vwt_ctl_json("show", "c"), "endpoint.details.com_port"))),
                      "c never negotiated COM-PORT-OPTION with s");
        ck_assert_int_eq(vwt_py(&o, SCRIPT_TIMEOUT, "serial_pair.py", vwt_run_path("a"), vwt_run_path("b"), "8388608"),
                         0);
        ck_assert_msg(strstr(o.out, "OK"), "%s", o.out);
        run_script("rfc2217_client.py", (const char *const[]){ "vwire", vwt_run_path("a"), "c", vwt_vwirectl_path(),
                                                               vwt()->sock, "b", NULL });
        c = vwt_ctl_json("show", "c");
        ck_assert_msg(strstr(vwt_jstr(c, "endpoint.details.remote_signature"), "vwire"), "signature %s",
                      vwt_jstr(c, "endpoint.details.remote_signature"));
        ck_assert_str_eq(vwt_jstr(c, "endpoint.details.refused"), "");
        ck_assert_int_eq(vwt_jint(c, "endpoint.dropped_bytes"), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "s"), "endpoint.dropped_bytes"), 0);
        vwt_ctl_ok("doctor");
        vwt_stop();
}

/* pyserial's PortManager as the server: it answers SETs but no query; nothing may wait for one. */
VWT_TEST(vwire_client_portmanager)
{
        unsigned port = vwt_free_port();

        vwt_configf("[serial a]\nbackend = pty\npath = %%t/a\n"
                    "[socket c]\nconnect = tcp:127.0.0.1:%u\nprotocol = rfc2217\nreconnect = 100ms\n"
                    "[route ra]\nfrom = a\nto = c\nduplex = yes\noverflow = block\n",
                    port);
        vwt_start();
        run_script("rfc2217_client.py",
                   (const char *const[]){ "portmanager", vwt_run_path("a"), "c", vwt_vwirectl_path(), vwt()->sock,
                                          vwt_strf("%u", port), NULL });
        vwt_stop();
}

static const char *find_program(const char *name)
{
        static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                const char *p = vwt_strf("%s/%s", dirs[i], name);

                if (access(p, X_OK) == 0)
                        return p;
        }
        return NULL;
}

/* A local pty a routed to vwire's client c; the server serves pty d, which echoes. */
static void client_world(unsigned port)
{
        vwt_configf("[serial a]\nbackend = pty\npath = %%t/a\n"
                    "[socket c]\nconnect = tcp:127.0.0.1:%u\nprotocol = rfc2217\nreconnect = 100ms\n"
                    "reconnect-max = 500ms\n"
                    "[route ra]\nfrom = a\nto = c\nduplex = yes\n"
                    "[serial d]\nbackend = pty\npath = %%t/d\n"
                    "[loopback e]\nmode = echo\n"
                    "[route rd]\nfrom = d\nto = e\nduplex = yes\n",
                    port);
        vwt_start();
}

static bool client_active(void)
{
        return strcmp(vwt_jstr(vwt_ctl_json("show", "c"), "endpoint.state"), "active") == 0;
}

static void run_servers_script(const char *server)
{
        run_script("rfc2217_servers.py", (const char *const[]){ server, vwt_run_path("a"), "c", "d",
                                                                vwt_vwirectl_path(), vwt()->sock, NULL });
}

/* ser2net 4.x (Debian's ser2net) serving vwire's pty d, for vwire's client. */
VWT_TEST(vwire_client_ser2net)
{
        const char *ser2net = find_program("ser2net");
        unsigned port = vwt_free_port();

        if (!ser2net) {
                fprintf(stderr, "SKIPPED: ser2net is not installed (tools/install-deps --test installs it)\n");
                exit(77);
        }
        client_world(port);
        vwt_write_file(vwt_path("ser2net.yaml"), vwt_strf("connection: &c\n"
                                                          "  accepter: telnet(rfc2217),tcp,127.0.0.1,%u\n"
                                                          "  connector: serialdev,%s,9600n81,local\n",
                                                          port, vwt_run_path("d")));
        vwt_proc_start(0, ser2net, "-n", "-d", "-c", vwt_path("ser2net.yaml"));
        run_servers_script("ser2net");
        vwt_stop();
}

/* sredird, from socat as from inetd; -i: its Cisco IOS compatibility. */
static void sredird_case(bool cisco)
{
        const char *sredird = find_program("sredird");
        unsigned port = vwt_free_port();
        const char *exec;

        if (!sredird) {
                fprintf(stderr, "SKIPPED: sredird is not installed (tools/install-deps --test installs it)\n");
                exit(77);
        }
        client_world(port);
        exec = vwt_strf("EXEC:%s %s7 %s %s", sredird, cisco ? "-i " : "", vwt_run_path("d"), vwt_path("LCK..d"));
        vwt_proc_start(0, vwt_socat_path(), vwt_strf("TCP-LISTEN:%u,bind=127.0.0.1,reuseaddr,fork", port), exec);
        run_servers_script(cisco ? "sredird-i" : "sredird");
        vwt_stop();
}

VWT_TEST(vwire_client_sredird)
{
        sredird_case(false);
}

VWT_TEST(vwire_client_sredird_cisco)
{
        sredird_case(true);
}

/* A server that takes the connection and never negotiates: data only, which doctor must say. */
/* vwire's server routed to vwire's client: a proxy re-exporting a remote port. Breaks of both
 * kinds (open-ended from BREAK ON/OFF, timed from IAC BRK) go through the client. */
VWT_TEST(server_to_client_proxy)
{
        unsigned front = vwt_free_port(), port = vwt_free_port();

        vwt_configf("[socket s2]\nlisten = tcp:127.0.0.1:%u\nprotocol = rfc2217\n"
                    "[socket c]\nconnect = tcp:127.0.0.1:%u\nprotocol = rfc2217\nreconnect = 100ms\n"
                    "[route rp]\nfrom = s2\nto = c\nduplex = yes\n"
                    "[socket s]\nlisten = tcp:127.0.0.1:%u\nprotocol = rfc2217\n"
                    "[serial b]\nbackend = pty\npath = %%t/b\n"
                    "[route rb]\nfrom = b\nto = s\nduplex = yes\n",
                    front, port, port);
        vwt_start();
        run_script("rfc2217_proxy.py", (const char *const[]){ vwt_strf("%u", front), vwt_run_path("b"), "b",
                                                              vwt_vwirectl_path(), vwt()->sock, NULL });
        vwt_stop();
}

/* overflow = block loses nothing when SETs split what one read brought into more chunks. */
VWT_TEST(block_with_sets_between_data)
{
        unsigned port = vwt_free_port();
        json_object *sh;

        vwt_configf("[serial p]\nbackend = pty\npath = %%t/p\n"
                    "[socket s]\nlisten = tcp:127.0.0.1:%u\nprotocol = rfc2217\n"
                    "[route r]\nfrom = s\nto = p\noverflow = block\nbuffer = 4K\n",
                    port);
        vwt_start();
        run_script("rfc2217_block.py", (const char *const[]){ vwt_strf("%u", port), vwt_run_path("p"), NULL });
        sh = vwt_ctl_json("show", "r");
        ck_assert_int_eq(vwt_jint(sh, "route.lanes.0.bytes_dropped"), 0);
        ck_assert_int_ge(vwt_jint(sh, "route.lanes.0.blocked"), 1);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "s"), "endpoint.dropped_bytes"), 0);
        vwt_stop();
}

VWT_TEST(doctor_remote_never_negotiates)
{
        unsigned port = vwt_free_port();
        struct vwt_output o;
        json_object *checks, *found = NULL;

        client_world(port);
        vwt_proc_start(0, vwt_socat_path(), "-u", vwt_strf("TCP-LISTEN:%u,bind=127.0.0.1,reuseaddr", port),
                       "OPEN:/dev/null");
        ck_assert_msg(VWT_WAIT_FOR(10000, client_active()), "c never connected to the silent server");
        vwt_sleep_ms(5500); /* doctor waits 5 s for COM-PORT-OPTION before it calls it a failure */
        (void)vwt_ctl(&o, "--json", "doctor");
        checks = vwt_jget(vwt_parse_json(o.out), "checks");
        ck_assert_ptr_nonnull(checks);
        for (size_t i = 0; i < json_object_array_length(checks); i++) {
                json_object *c = json_object_array_get_idx(checks, i);

                if (strcmp(vwt_jstr(c, "check"), "rfc2217") == 0)
                        found = c;
        }
        ck_assert_msg(found, "doctor has no rfc2217 check: %s", o.out);
        ck_assert_str_eq(vwt_jstr(found, "status"), "fail");
        ck_assert_msg(strstr(vwt_jstr(found, "message"), "never agreed to COM-PORT-OPTION"), "%s",
                      vwt_jstr(found, "message"));
        vwt_stop();
}

VWT_TEST(protocol_needs_a_stream)
{
        struct vwt_output o;

        vwt_config("[socket u]\nlisten = udp:127.0.0.1:9\nprotocol = rfc2217\n");
        ck_assert_int_ne(vwt_run(&o, vwt_vwired_path(), "--check", "--config", vwt()->config), 0);
        ck_assert_msg(strstr(o.err, "protocol = rfc2217 needs a stream"), "%s", o.err);
        vwt_config("[socket u]\nlisten = tcp:127.0.0.1:9\nprotocol = ssh\n");
        ck_assert_int_ne(vwt_run(&o, vwt_vwired_path(), "--check", "--config", vwt()->config), 0);
}

int main(void)
{
        Suite *s = suite_create("integration-rfc2217");

        VWT_ADD(s, pyserial_client);
        VWT_ADD(s, gensio_client);
        VWT_ADD(s, raw_telnet_bytes);
        VWT_ADD(s, vwire_client_vwire_server);
        VWT_ADD(s, vwire_client_portmanager);
        VWT_ADD(s, vwire_client_ser2net);
        VWT_ADD(s, vwire_client_sredird);
        VWT_ADD(s, vwire_client_sredird_cisco);
        VWT_ADD(s, server_to_client_proxy);
        VWT_ADD(s, block_with_sets_between_data);
        VWT_ADD(s, doctor_remote_never_negotiates);
        VWT_ADD(s, protocol_needs_a_stream);
        return vwt_main(s);
}
