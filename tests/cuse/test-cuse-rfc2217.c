/* SPDX-License-Identifier: MIT */
/*
 * RFC 2217 with CUSE ports in a real kernel (through tests/vm/kernel-test): a local CUSE port
 * routed to vwire's client, vwire's server routed to a far CUSE port, so both ends have real
 * tty ioctls (termios2, TIOCMGET, TIOCMIWAIT, TIOCGICOUNT, PARMRK). The host suite
 * (tests/integration/test-rfc2217.c) has the same paths with PTYs and the third-party peers.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static const char *dev(const char *suffix)
{
        return vwt_strf("/dev/ttyVR%d%s", (int)getpid() % 1000, suffix);
}

VWT_TEST(test_remote_port_as_cuse_device)
{
        unsigned port = vwt_free_port();
        struct vwt_output o;
        int r;

        vwt_configf("[serial l]\nbackend = cuse\npath = %s\n"
                    "[socket c]\nconnect = tcp:127.0.0.1:%u\nprotocol = rfc2217\nreconnect = 100ms\n"
                    "reconnect-max = 500ms\n"
                    "[route rl]\nfrom = l\nto = c\nduplex = yes\noverflow = block\n"
                    "[socket s]\nlisten = tcp:127.0.0.1:%u\nprotocol = rfc2217\n"
                    "[serial r]\nbackend = cuse\npath = %s\n"
                    "[route rr]\nfrom = r\nto = s\nduplex = yes\noverflow = block\n",
                    dev("l"), port, port, dev("r"));
        vwt_start();
        r = vwt_py(&o, 120000, "cuse_rfc2217.py", dev("l"), dev("r"), vwt_strf("%u", port), vwt_vwirectl_path(),
                   vwt()->sock);
        if (r != 0 || !strstr(o.out, "OK"))
                vwt_fail("cuse_rfc2217.py failed (%d):\n%s%s", r, o.out, o.err);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("kernel-cuse-rfc2217");

        VWT_ADD(s, test_remote_port_as_cuse_device);
        return vwt_main(s);
}
