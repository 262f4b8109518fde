/* SPDX-License-Identifier: MIT */
/*
 * io.vwire.Event on an open control connection, in a real kernel (uinput + evdev), run through
 * tests/vm/kernel-test like test-input.c: the two ways a call is read (proto/flat.h's fast way,
 * json-c's tree) must answer with the same bytes and write the same frames, and calls that come
 * in one read share one write, each frame written before its reply.
 */
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define streq(a, b) (strcmp((a), (b)) == 0)
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define EVENT_MS 20000

static const char *devnode(const char *name)
{
        const char *p = vwt_jstr(vwt_ctl_json("show", name), "endpoint.path");

        if (strncmp(p, "/dev/input/event", 16) != 0)
                vwt_fail("%s: path %s is not an event node", name, p);
        return vwt_strf("%s", p);
}

/* The next reply on fd as its bytes (without the NUL), exactly as vwired wrote them. */
static const char *recv_raw(int fd)
{
        char buf[4096];
        size_t len = 0;

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, EVENT_MS) <= 0)
                        vwt_fail("no reply within %d ms", EVENT_MS);
                n = recv(fd, buf + len, 1, 0); /* a byte at a time: the next reply stays in the socket */
                if (n <= 0)
                        vwt_fail("the control connection closed");
                if (buf[len] == 0)
                        return vwt_strf("%s", buf);
                if (++len == sizeof(buf) - 1)
                        vwt_fail("a reply of over %zu bytes", sizeof(buf));
        }
}

/* Every event the device has for us now (the node is non-blocking). */
static size_t read_all(int fd, struct input_event *got, size_t max)
{
        size_t n_ev = 0;
        ssize_t n;

        while (n_ev < max && (n = read(fd, got + n_ev, (max - n_ev) * sizeof(got[0]))) > 0)
                n_ev += (size_t)n / sizeof(got[0]);
        return n_ev;
}

/* Both keys the calls below press up again, through the general way; its frames are read away. */
static void release_keys(int ctl, int fd)
{
        static const char msg[] = "{\"method\":\"io.vwire.Event\",\"parameters\":{\"name\":\"k\",\"x\":{},\"events\":["
                                  "{\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":0},"
                                  "{\"type\":\"EV_KEY\",\"code\":\"KEY_B\",\"value\":0},"
                                  "{\"type\":\"EV_SYN\",\"code\":\"SYN_REPORT\",\"value\":0}]}}";
        struct input_event ev[8];
        const char *reply;

        ck_assert(vwt_send_all(ctl, msg, sizeof(msg)));
        reply = recv_raw(ctl);
        ck_assert_msg(!strstr(reply, "\"error\""), "%s", reply);
        (void)read_all(fd, ev, ELEMENTSOF(ev));
}

/*
 * Each call is sent as it is (the parameters are flat: the fast way) and with one more parameter
 * that Event ignores but that is no scalar, which sends it the general way. Replies must be the
 * same bytes; frames the same events. Errors included: the fast way leaves every refusal to the
 * general way, so there is one text for each.
 */
VWT_TEST(test_event_fast_and_general_agree)
{
        static const struct {
                const char *params; /* without the closing brace */
                int events;         /* events written, 0: an error */
                size_t read;        /* what a reader gets (a key that is up already going up: none) */
        } calls[] = {
                { "{\"name\":\"k\",\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":1", 1, 2 },
                { "{\"name\":\"k\",\"type\":1,\"code\":30,\"value\":0", 1, 0 },
                { "{\"name\":\"k\",\"type\":\"0x1\",\"code\":\"30\",\"value\":\"1\"", 1, 2 },
                { "{\"name\":\"k\",\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":\"0\",\"events\":null", 1, 0 },
                { "{\"name\":\"k\",\"events\":[{\"type\":\"EV_KEY\",\"code\":\"KEY_B\",\"value\":1},"
                  "{\"type\":\"EV_SYN\",\"code\":\"SYN_REPORT\",\"value\":0},"
                  "{\"type\":\"EV_KEY\",\"code\":48,\"value\":0},{\"type\":0,\"code\":0,\"value\":0}]",
                  4, 4 },
                /* refused: the same error both ways */
                { "{\"name\":\"nothing\",\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":1", 0, 0 },
                { "{\"name\":\"lp\",\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":1", 0, 0 },
                { "{\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":1", 0, 0 },
                { "{\"name\":\"k\",\"type\":\"EV_KEY\",\"code\":\"BTN_LEFT\",\"value\":1", 0, 0 },
                { "{\"name\":\"k\",\"type\":\"EV_NOPE\",\"code\":\"KEY_A\",\"value\":1", 0, 0 },
                { "{\"name\":\"k\",\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":4294967296", 0, 0 },
                { "{\"name\":\"k\",\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":null", 0, 0 },
                { "{\"name\":\"k\",\"type\":\"EV_KEY\",\"code\":\"KEY_A\"", 0, 0 },
                { "{\"name\":\"k\",\"events\":[]", 0, 0 },
                { "{\"name\":\"k\",\"events\":[{\"type\":\"EV_KEY\",\"code\":\"KEY_A\"}]", 0, 0 },
                { "{\"name\":\"k\",\"events\":7", 0, 0 },
        };
        struct input_event fast_ev[16], general_ev[16];
        int64_t flat_before, flat_calls = 0;
        int fd, ctl;

        vwt_config("[input k]\nprofile = keyboard\npace = 0\n\n[loopback lp]\nmode = echo\n");
        vwt_start();
        fd = open(devnode("k"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        flat_before = vwt_jint(vwt_call("io.vwire.Status", NULL), "parameters.flat_calls");
        ctl = vwt_control_connect();
        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                const char *fast = vwt_strf("{\"method\":\"io.vwire.Event\",\"parameters\":%s}}", calls[i].params);
                const char *general =
                        vwt_strf("{\"method\":\"io.vwire.Event\",\"parameters\":%s,\"x\":{}}}", calls[i].params);
                const char *fast_reply, *general_reply;
                size_t n_fast, n_general;

                release_keys(ctl, fd);
                ck_assert(vwt_send_all(ctl, fast, strlen(fast) + 1));
                fast_reply = recv_raw(ctl);
                n_fast = read_all(fd, fast_ev, ELEMENTSOF(fast_ev));
                release_keys(ctl, fd);
                ck_assert(vwt_send_all(ctl, general, strlen(general) + 1));
                general_reply = recv_raw(ctl);
                n_general = read_all(fd, general_ev, ELEMENTSOF(general_ev));
                vwt_note("call %zu: %s -> %s", i, fast, fast_reply);
                ck_assert_str_eq(fast_reply, general_reply);
                ck_assert_int_eq(strstr(fast_reply, "\"error\"") == NULL, calls[i].events > 0);
                if (calls[i].events)
                        ck_assert_str_eq(fast_reply,
                                         vwt_strf("{\"parameters\":{\"events\":%d,\"busy_usec\":0}}", calls[i].events));
                ck_assert_uint_eq(n_fast, n_general);
                ck_assert_uint_eq(n_fast, calls[i].read);
                flat_calls += calls[i].events > 0; /* what was refused went the general way */
                for (size_t e = 0; e < n_fast; e++)
                        ck_assert(fast_ev[e].type == general_ev[e].type && fast_ev[e].code == general_ev[e].code &&
                                  fast_ev[e].value == general_ev[e].value);
        }

        /* a oneway call the fast way: no reply (the next one is Show's), the frame is written */
        release_keys(ctl, fd);
        {
                static const char msgs[] =
                        "{\"method\":\"io.vwire.Event\",\"oneway\":true,\"parameters\":{\"name\":\"k\","
                        "\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":1}}\0"
                        "{\"method\":\"io.vwire.Show\",\"parameters\":{\"name\":\"k\"}}";
                const char *reply;

                ck_assert(vwt_send_all(ctl, msgs, sizeof(msgs)));
                reply = recv_raw(ctl);
                ck_assert_msg(strstr(reply, "\"endpoint\""), "not Show's reply: %s", reply);
                ck_assert_uint_eq(read_all(fd, fast_ev, ELEMENTSOF(fast_ev)), 2);
                ck_assert(fast_ev[0].type == EV_KEY && fast_ev[0].code == KEY_A && fast_ev[0].value == 1);
                flat_calls++;
        }
        /* the fast way answered exactly the calls it should: none sent the general way */
        ck_assert_int_eq(vwt_jint(vwt_call("io.vwire.Status", NULL), "parameters.flat_calls") - flat_before,
                         flat_calls);
        close(ctl);
        close(fd);
        vwt_stop();
}

/*
 * Calls that come in one read are written to an unpaced device together (one write at the end of
 * the turn), and still no reply leaves before its frame: once the last reply is read, every frame
 * is in the reader's buffer, in order, also when the turn ends with a call that is no Event.
 */
VWT_TEST(test_event_burst_frames_before_replies)
{
        struct input_event got[64];
        char msgs[4096];
        size_t len = 0, n_ev = 0;
        ssize_t n;
        int fd, ctl;

        vwt_config("[input k]\nprofile = keyboard\npace = 0\n");
        vwt_start();
        fd = open(devnode("k"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 16; i++)
                        len += (size_t)snprintf(msgs + len, sizeof(msgs) - len,
                                                "{\"method\":\"io.vwire.Event\",\"parameters\":{\"name\":\"k\","
                                                "\"type\":\"EV_KEY\",\"code\":\"KEY_A\",\"value\":%d}}%c",
                                                (i + 1) % 2, 0);
                if (round == 1) /* the turn ends with another call */
                        len += (size_t)snprintf(msgs + len, sizeof(msgs) - len,
                                                "{\"method\":\"io.vwire.Show\",\"parameters\":{\"name\":\"k\"}}%c", 0);
                ctl = vwt_control_connect();
                ck_assert(vwt_send_all(ctl, msgs, len));
                for (int i = 0; i < 16 + round; i++) {
                        bool eof = false;
                        json_object *r = vwt_recv_msg(ctl, EVENT_MS, &eof);

                        ck_assert_msg(r && !eof, "reply %d of round %d missing", i, round);
                        ck_assert_msg(!vwt_jget(r, "error"), "call %d: %s", i, json_object_to_json_string(r));
                }
                /* every frame is there now, without waiting */
                n_ev = 0;
                while ((n = read(fd, got + n_ev, sizeof(got) - n_ev * sizeof(got[0]))) > 0)
                        n_ev += (size_t)n / sizeof(got[0]);
                ck_assert_int_eq(n_ev, 32);
                for (size_t i = 0; i < 32; i += 2) {
                        ck_assert_int_eq(got[i].type, EV_KEY);
                        ck_assert_int_eq(got[i].code, KEY_A);
                        ck_assert_int_eq(got[i].value, (int)((i / 2 + 1) % 2));
                        ck_assert_int_eq(got[i + 1].type, EV_SYN);
                }
                close(ctl);
                len = 0;
        }
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "k"), "endpoint.details.events_written"), 64);
        close(fd);
        vwt_stop();
}

int main(void)
{
        Suite *s = suite_create("input-event");

        VWT_ADD(s, test_event_fast_and_general_agree);
        VWT_ADD(s, test_event_burst_frames_before_replies);
        return vwt_main(s);
}
