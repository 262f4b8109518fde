/* SPDX-License-Identifier: MIT */
/*
 * Long checksummed streams through a CUSE null-modem pair (issue 10): serial-stream, a plain C
 * client, opens both ends raw in one process; a writer thread does blocking 4096-byte write()s
 * while a reader does blocking 64 KiB read()s (the pattern that stalled after ~1-3 MiB: a
 * parked write nobody woke), then the same with the ends swapped, both directions at once, and
 * O_NONBLOCK with poll(). 64 MiB a direction, on the default ring and on a ring smaller than
 * one write; and a CRTSCTS stream whose reader stops for a while. A stall (no byte moved for
 * 20 s) fails with the route's counters.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define STREAM_BYTES "67108864"

static const char *dev(const char *suffix)
{
        return vwt_strf("/dev/ttyVS%d%s", (int)getpid() % 1000, suffix);
}

static void pair(const char *buffer)
{
        vwt_configf("[serial a]\nbackend = cuse\npath = %s\n"
                    "[serial b]\nbackend = cuse\npath = %s\n"
                    "[route cable]\nfrom = a\nto = b\nduplex = yes\noverflow = block\nbuffer = %s\n",
                    dev("a"), dev("b"), buffer);
}

/* serial-stream with these options from `from` to `to`; fails with its report and the route's. */
static void stream(const char *buffer, const char *from, const char *to, const char *const *opts)
{
        const char *argv[16] = { getenv("VWIRE_TEST_SERIAL_STREAM"), "--bytes", STREAM_BYTES, "--stall", "20" };
        struct vwt_output o, route;
        size_t n = 5;
        int r;

        if (!argv[0])
                vwt_fail("VWIRE_TEST_SERIAL_STREAM is not set (meson sets it)");
        for (; *opts && n < 13; opts++)
                argv[n++] = *opts;
        argv[n++] = dev(from);
        argv[n++] = dev(to);
        argv[n] = NULL;
        pair(buffer);
        vwt_start();
        r = vwt_runv(&o, 400000, NULL, 0, argv);
        vwt_note("serial-stream: %d\n%s%s", r, o.out, o.err);
        if (r != 0) {
                (void)vwt_ctl(&route, "show", "cable");
                vwt_fail("serial-stream exited %d:\n%s%s\nroute:\n%s", r, o.out, o.err, route.out);
        }
        ck_assert_ptr_nonnull(strstr(o.out, "ok in"));
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "cable"), "route.lanes.0.bytes_dropped"), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "cable"), "route.lanes.1.bytes_dropped"), 0);
        vwt_stop();
}

static const char *const none[] = { NULL };
static const char *const both[] = { "--both", NULL };
static const char *const nonblock[] = { "--nonblock", NULL };
static const char *const nonblock_both[] = { "--nonblock", "--both", NULL };
/* CRTSCTS on both ends; the reader stops for 6 s after 8 MiB: the writer must be held by CTS
 * (the reader's port drops RTS as its input backs up), then all 64 MiB arrive intact */
static const char *const rtscts_pause[] = { "--rtscts", "--pause-at", "8388608", "--pause", "6", NULL };

/* clang-format off */
VWT_TEST(test_blocking_writer_default_ring) { stream("64K", "a", "b", none); }
VWT_TEST(test_blocking_writer_small_ring) { stream("2K", "a", "b", none); }
VWT_TEST(test_blocking_writer_swapped) { stream("64K", "b", "a", none); }
VWT_TEST(test_blocking_swapped_small_ring) { stream("2K", "b", "a", none); }
VWT_TEST(test_blocking_both_ways) { stream("64K", "a", "b", both); }
VWT_TEST(test_blocking_both_ways_small_ring) { stream("2K", "a", "b", both); }
VWT_TEST(test_nonblock_poll) { stream("64K", "a", "b", nonblock); }
VWT_TEST(test_nonblock_poll_both_small_ring) { stream("2K", "a", "b", nonblock_both); }
VWT_TEST(test_rtscts_reader_stops) { stream("64K", "a", "b", rtscts_pause); }
/* clang-format on */

int main(void)
{
        Suite *s = suite_create("cuse-stream");

        VWT_ADD(s, test_blocking_writer_default_ring);
        VWT_ADD(s, test_blocking_writer_small_ring);
        VWT_ADD(s, test_blocking_writer_swapped);
        VWT_ADD(s, test_blocking_swapped_small_ring);
        VWT_ADD(s, test_blocking_both_ways);
        VWT_ADD(s, test_blocking_both_ways_small_ring);
        VWT_ADD(s, test_nonblock_poll);
        VWT_ADD(s, test_nonblock_poll_both_small_ring);
        VWT_ADD(s, test_rtscts_reader_stops);
        return vwt_main(s);
}
