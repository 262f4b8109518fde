/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the CUSE tty ioctl table (devices/serial/cuse-ioctl.c) without a kernel: a
 * recorder stands in for libfuse's replies and a fake port for the CUSE port, and `kernel()`
 * plays the kernel's half of the unrestricted-ioctl retry protocol. tests/cuse/ proves the
 * same commands against a real /dev/cuse.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <linux/serial.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "cuse-ioctl.h"
#include "macro.h"
#include "serial-line.h"
#include "test-common.h"

/* ---- the reply recorder ---- */

enum reply_kind { REPLY_NONE, REPLY_RETRY, REPLY_OK, REPLY_ERROR };

struct reply {
        enum reply_kind kind;
        unsigned n; /* replies seen: always 1 per dispatch, or 0 when parked */
        size_t n_in, n_out;
        struct iovec in, out; /* retry: the first iovec of each */
        uint8_t data[256];    /* ok: what the caller gets */
        size_t size;
        bool data_null;
        int err;
};

static struct reply rep;

static void rec_retry(void *req, const struct iovec *in, size_t n_in, const struct iovec *out, size_t n_out)
{
        ck_assert_ptr_eq(req, &rep);
        rep.n++;
        rep.kind = REPLY_RETRY;
        rep.n_in = n_in;
        rep.n_out = n_out;
        ck_assert(n_in == 0 || in);
        ck_assert(n_out == 0 || out);
        rep.in = n_in ? in[0] : (struct iovec){};
        rep.out = n_out ? out[0] : (struct iovec){};
}

static void rec_ok(void *req, const void *buf, size_t size)
{
        ck_assert_ptr_eq(req, &rep);
        ck_assert_uint_le(size, sizeof(rep.data));
        ck_assert(size == 0 || buf);
        rep.n++;
        rep.kind = REPLY_OK;
        rep.size = size;
        rep.data_null = buf == NULL;
        if (size && buf)
                memcpy(rep.data, buf, size);
}

static void rec_error(void *req, int err)
{
        ck_assert_ptr_eq(req, &rep);
        rep.n++;
        rep.kind = REPLY_ERROR;
        rep.err = err;
}

static const struct vw_cuse_reply_ops recorder = { .retry = rec_retry, .ok = rec_ok, .error = rec_error };

/* ---- the fake port ---- */

struct fake {
        struct termios2 termios;
        struct vw_serial_line line;
        struct winsize winsize;
        size_t in_pending, out_pending;
        bool stopped, break_on, excl;
        unsigned flushes, termios_sets, stop_calls;
        int flushed; /* the last tcflush() queue + 1 */
        uint32_t breaks[8];
        unsigned n_breaks;
        uint8_t chars[8];
        unsigned n_chars;
        void *wait_req;
        uint32_t wait_mask;
        int wait_result; /* what wait_modem returns */
        struct vw_cuse_ioctl drain_call; /* the call wait_drain kept */
        uint8_t drain_in[64];
        void *drain_req;
        unsigned drains;
        char log[256];   /* the order of changes: "flush outputs=0 termios " */
};

static struct fake port;

static void _printf_(1, 2) note(const char *fmt, ...)
{
        size_t n = strlen(port.log);
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(port.log + n, sizeof(port.log) - n, fmt, ap);
        va_end(ap);
}

static void f_get_termios(void *u, struct termios2 *ret)
{
        ck_assert_ptr_eq(u, &port);
        *ret = port.termios;
}

static void f_set_termios(void *u, const struct termios2 *t)
{
        port.termios = *t;
        port.termios_sets++;
        note("termios ");
}

static void f_get_line(void *u, struct vw_serial_line *ret)
{
        *ret = port.line;
}

static void f_set_outputs(void *u, uint32_t outputs)
{
        port.line.outputs = outputs;
        note("outputs=%x ", outputs);
}

static int f_wait_modem(void *u, void *req, uint32_t mask)
{
        if (port.wait_result < 0)
                return port.wait_result;
        port.wait_req = req;
        port.wait_mask = mask;
        return 0;
}

/* Parks while out_pending says written data is still waiting, as serial-cuse-tty.c does. */
static int f_wait_drain(void *u, void *req, const struct vw_cuse_ioctl *call)
{
        port.drains++;
        if (port.out_pending == 0)
                return 0;
        ck_assert_uint_le(call->in_size, sizeof(port.drain_in));
        port.drain_req = req;
        port.drain_call = *call;
        if (call->in_size)
                memcpy(port.drain_in, call->in, call->in_size);
        port.drain_call.in = port.drain_in;
        note("drain ");
        return VW_CUSE_IOCTL_PARKED;
}

static void f_get_winsize(void *u, struct winsize *ret)
{
        *ret = port.winsize;
}

static void f_set_winsize(void *u, const struct winsize *ws)
{
        port.winsize = *ws;
}

static size_t f_input_pending(void *u)
{
        return port.in_pending;
}

static size_t f_output_pending(void *u)
{
        return port.out_pending;
}

static void f_flush_input(void *u)
{
        port.flushes++;
        note("flush ");
}

static void f_stop_output(void *u, bool stopped)
{
        port.stopped = stopped;
        port.stop_calls++;
}

static void f_send_char(void *u, uint8_t ch)
{
        ck_assert_uint_lt(port.n_chars, 8);
        port.chars[port.n_chars++] = ch;
}

static void f_send_break(void *u, uint32_t ms)
{
        ck_assert_uint_lt(port.n_breaks, 8);
        port.breaks[port.n_breaks++] = ms;
}

static bool f_set_break(void *u, bool on)
{
        bool was = port.break_on;

        port.break_on = on;
        return was;
}

static void f_flushed(void *u, int queue)
{
        ((struct fake *)u)->flushed = queue + 1;
}

static void f_set_exclusive(void *u, bool on)
{
        port.excl = on;
}

static const struct vw_cuse_port_ops fake_ops = {
        .get_termios = f_get_termios,
        .set_termios = f_set_termios,
        .get_line = f_get_line,
        .set_outputs = f_set_outputs,
        .wait_modem = f_wait_modem,
        .wait_drain = f_wait_drain,
        .get_winsize = f_get_winsize,
        .set_winsize = f_set_winsize,
        .input_pending = f_input_pending,
        .output_pending = f_output_pending,
        .flush_input = f_flush_input,
        .flushed = f_flushed,
        .stop_output = f_stop_output,
        .send_char = f_send_char,
        .send_break = f_send_break,
        .set_break = f_set_break,
        .set_exclusive = f_set_exclusive,
};

static void setup(void)
{
        memset(&rep, 0, sizeof(rep));
        memset(&port, 0, sizeof(port));
        vw_cuse_default_termios(&port.termios, true);
}

/* One call of the table, as CUSE delivers it. */
static int call(unsigned cmd, void *arg, const void *in, size_t in_size, size_t out_size)
{
        struct vw_cuse_ioctl c = { .cmd = cmd, .arg = arg, .in = in, .in_size = in_size, .out_size = out_size };

        memset(&rep, 0, sizeof(rep));
        return vw_cuse_ioctl_dispatch(&c, &recorder, &rep, &fake_ops, &port);
}

/*
 * The kernel's half: call without data; on a retry copy in what it names from `user` and call
 * again with room for what it asks; copy an answer out to `user`. Returns what ioctl() would
 * (0 or -errno); -EAGAIN when the table parked the request.
 */
static int kernel(unsigned cmd, void *user)
{
        uint8_t in[256];
        int r = call(cmd, user, NULL, 0, 0);

        if (r == VW_CUSE_IOCTL_RETRY) {
                ck_assert_uint_le(rep.in.iov_len, sizeof(in));
                if (rep.n_in)
                        memcpy(in, rep.in.iov_base, rep.in.iov_len);
                r = call(cmd, user, in, rep.in.iov_len, rep.out.iov_len);
                ck_assert_int_ne(r, VW_CUSE_IOCTL_RETRY); /* one retry is always enough */
        }
        if (r == VW_CUSE_IOCTL_PARKED) {
                ck_assert_uint_eq(rep.n, 0);
                return -EAGAIN;
        }
        ck_assert_uint_eq(rep.n, 1);
        if (rep.kind == REPLY_ERROR)
                return -rep.err;
        ck_assert_int_eq(rep.kind, REPLY_OK);
        if (rep.size)
                memcpy(user, rep.data, rep.size);
        return 0;
}

static int kernel_value(unsigned cmd, unsigned long value)
{
        /* NOLINTNEXTLINE(performance-no-int-to-ptr): a number in the pointer's place, as ioctl(2) passes it */
        return kernel(cmd, (void *)(uintptr_t)value);
}

/* ---- the table ---- */

/* What each command moves, written down independently of the table: 36 and 44 are the kernel's
 * struct termios and termios2, not glibc's. */
static const struct {
        unsigned cmd;
        size_t in, out;
} expected[] = {
        { TCGETS, 0, 36 },
        { TCSETS, 36, 0 },
        { TCSETSW, 36, 0 },
        { TCSETSF, 36, 0 },
        { TCGETS2, 0, 44 },
        { TCSETS2, 44, 0 },
        { TCSETSW2, 44, 0 },
        { TCSETSF2, 44, 0 },
        { TIOCMGET, 0, sizeof(int) },
        { TIOCMSET, sizeof(int), 0 },
        { TIOCMBIS, sizeof(int), 0 },
        { TIOCMBIC, sizeof(int), 0 },
        { TIOCMIWAIT, 0, 0 },
        { TIOCGICOUNT, 0, sizeof(struct serial_icounter_struct) },
        { TIOCGWINSZ, 0, sizeof(struct winsize) },
        { TIOCSWINSZ, sizeof(struct winsize), 0 },
        { FIONREAD, 0, sizeof(int) },
        { TIOCOUTQ, 0, sizeof(int) },
        { TCFLSH, 0, 0 },
        { TCXONC, 0, 0 },
        { TCSBRK, 0, 0 },
        { TCSBRKP, 0, 0 },
        { TIOCSBRK, 0, 0 },
        { TIOCCBRK, 0, 0 },
        { TIOCEXCL, 0, 0 },
        { TIOCNXCL, 0, 0 },
        { TIOCGSERIAL, 0, sizeof(struct serial_struct) },
        { TIOCSSERIAL, sizeof(struct serial_struct), 0 },
};

START_TEST(test_table_sizes)
{
        size_t n = 0, in, out;
        unsigned cmd;

        ck_assert_uint_eq(TIOCINQ, FIONREAD);
        for (size_t i = 0; vw_cuse_ioctl_row(i, &cmd, &in, &out) == 0; i++, n++) {
                bool found = false;

                for (size_t j = 0; j < ELEMENTSOF(expected); j++) {
                        if (expected[j].cmd != cmd)
                                continue;
                        found = true;
                        ck_assert_msg(in == expected[j].in && out == expected[j].out,
                                      "%#x: in %zu out %zu, expected %zu %zu", cmd, in, out, expected[j].in,
                                      expected[j].out);
                }
                ck_assert_msg(found, "row %zu: unexpected command %#x", i, cmd);
                for (size_t k = 0; k < i; k++) {
                        unsigned other;
                        size_t a, b;
                        ck_assert_int_eq(vw_cuse_ioctl_row(k, &other, &a, &b), 0);
                        ck_assert_msg(other != cmd, "%#x twice", cmd);
                }
        }
        ck_assert_uint_eq(n, ELEMENTSOF(expected));
        ck_assert_int_eq(vw_cuse_ioctl_row(n, &cmd, &in, &out), -ERANGE);
}
END_TEST

/* ---- the retry protocol, for every row ---- */

START_TEST(test_first_call_asks_for_data)
{
        static uint8_t user[128];

        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                int r;

                if (expected[i].in == 0 && expected[i].out == 0)
                        continue;
                r = call(expected[i].cmd, user, NULL, 0, 0);
                ck_assert_int_eq(r, VW_CUSE_IOCTL_RETRY);
                ck_assert_uint_eq(rep.n, 1);
                ck_assert_int_eq(rep.kind, REPLY_RETRY);
                ck_assert_uint_eq(rep.n_in, expected[i].in ? 1 : 0);
                ck_assert_uint_eq(rep.n_out, expected[i].out ? 1 : 0);
                if (expected[i].in) {
                        ck_assert_ptr_eq(rep.in.iov_base, user);
                        ck_assert_uint_eq(rep.in.iov_len, expected[i].in);
                }
                if (expected[i].out) {
                        ck_assert_ptr_eq(rep.out.iov_base, user);
                        ck_assert_uint_eq(rep.out.iov_len, expected[i].out);
                }
                /* nothing happened to the port before the data came */
                ck_assert_str_eq(port.log, "");
                ck_assert_uint_eq(port.n_breaks + port.n_chars + port.flushes, 0);
        }
}
END_TEST

START_TEST(test_dataless_rows_answer_at_once)
{
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                unsigned cmd = expected[i].cmd;

                if (expected[i].in || expected[i].out || cmd == TIOCMIWAIT)
                        continue;
                ck_assert_int_eq(call(cmd, NULL, NULL, 0, 0), VW_CUSE_IOCTL_ANSWERED);
                ck_assert_uint_eq(rep.n, 1);
                ck_assert_int_eq(rep.kind, REPLY_OK);
                ck_assert_uint_eq(rep.size, 0);
                ck_assert(rep.data_null);
        }
}
END_TEST

START_TEST(test_second_call_carries_data)
{
        struct winsize ws = { .ws_row = 24, .ws_col = 80, .ws_xpixel = 640, .ws_ypixel = 480 };

        /* what a retry asked for arrives: the handler gets exactly those bytes */
        ck_assert_int_eq(call(TIOCSWINSZ, &ws, &ws, sizeof(ws), 0), VW_CUSE_IOCTL_ANSWERED);
        ck_assert_int_eq(rep.kind, REPLY_OK);
        ck_assert_uint_eq(rep.size, 0);
        ck_assert_mem_eq(&port.winsize, &ws, sizeof(ws));

        /* out rows answer with exactly their size, even with more room */
        port.winsize.ws_row = 50;
        ck_assert_int_eq(call(TIOCGWINSZ, &ws, NULL, 0, 4096), VW_CUSE_IOCTL_ANSWERED);
        ck_assert_uint_eq(rep.size, sizeof(struct winsize));
        ck_assert_uint_eq(((struct winsize *)rep.data)->ws_row, 50);
}
END_TEST

START_TEST(test_wrong_sizes)
{
        uint8_t buf[64] = {};
        int bits = TIOCM_DTR;

        /* one byte short of the data, or of the room: asked again, the port untouched */
        ck_assert_int_eq(call(TIOCMSET, &bits, &bits, sizeof(int) - 1, 0), VW_CUSE_IOCTL_RETRY);
        ck_assert_uint_eq(rep.in.iov_len, sizeof(int));
        ck_assert_uint_eq(port.line.outputs, 0);
        ck_assert_int_eq(call(TCSETS2, buf, buf, 36, 0), VW_CUSE_IOCTL_RETRY);
        ck_assert_uint_eq(rep.in.iov_len, 44);
        ck_assert_uint_eq(port.termios_sets, 0);
        ck_assert_int_eq(call(TCGETS2, buf, NULL, 0, 36), VW_CUSE_IOCTL_RETRY);
        ck_assert_uint_eq(rep.out.iov_len, 44);
        ck_assert_uint_eq(rep.n_in, 0);
        /* data for an out row does not stand in for room */
        ck_assert_int_eq(call(TIOCMGET, buf, buf, sizeof(buf), 0), VW_CUSE_IOCTL_RETRY);
        ck_assert_uint_eq(rep.n_out, 1);
        /* more data than the row takes: its first bytes are used */
        bits = TIOCM_RTS;
        memcpy(buf, &bits, sizeof(bits));
        ck_assert_int_eq(call(TIOCMSET, buf, buf, sizeof(buf), 0), VW_CUSE_IOCTL_ANSWERED);
        ck_assert_uint_eq(port.line.outputs, TIOCM_RTS);
        /* room on a row that returns nothing: still answered without data */
        ck_assert_int_eq(call(TIOCEXCL, NULL, buf, sizeof(buf), sizeof(buf)), VW_CUSE_IOCTL_ANSWERED);
        ck_assert_uint_eq(rep.size, 0);
        ck_assert(port.excl);
}
END_TEST

START_TEST(test_unknown_command)
{
        static const unsigned unknown[] = { 0x5490, 0, TIOCGPTN, TIOCSTI, 0xdeadbeef };
        uint8_t buf[64];

        for (size_t i = 0; i < ELEMENTSOF(unknown); i++) {
                /* never a retry: the kernel would copy memory for a command nobody knows */
                ck_assert_int_eq(call(unknown[i], buf, NULL, 0, 0), -ENOTTY);
                ck_assert_uint_eq(rep.n, 1);
                ck_assert_int_eq(rep.kind, REPLY_ERROR);
                ck_assert_int_eq(rep.err, ENOTTY);
                ck_assert_int_eq(call(unknown[i], buf, buf, sizeof(buf), sizeof(buf)), -ENOTTY);
                ck_assert_int_eq(rep.err, ENOTTY);
        }
        ck_assert_str_eq(port.log, "");
}
END_TEST

/* ---- termios ---- */

START_TEST(test_default_termios)
{
        struct termios2 t;

        ck_assert_int_eq(kernel(TCGETS2, &t), 0);
        ck_assert_uint_eq(t.c_cflag, B9600 | CS8 | CREAD | CLOCAL | HUPCL);
        ck_assert_uint_eq(t.c_ispeed, 9600);
        ck_assert_uint_eq(t.c_ospeed, 9600);
        ck_assert_uint_eq(t.c_iflag | t.c_oflag | t.c_lflag, 0);
        ck_assert_uint_eq(t.c_cc[VMIN], 1);
        ck_assert_uint_eq(t.c_cc[VSTART], 021);
        ck_assert_uint_eq(t.c_cc[VSTOP], 023);
}
END_TEST

/* raw = no: the kernel's tty_std_termios as a UART driver starts it (9600, CLOCAL), INIT_C_CC */
START_TEST(test_default_termios_cooked)
{
        struct termios2 raw, t;

        vw_cuse_default_termios(&raw, true);
        vw_cuse_default_termios(&port.termios, false);
        ck_assert_int_eq(kernel(TCGETS2, &t), 0);
        ck_assert_uint_eq(t.c_iflag, ICRNL | IXON);
        ck_assert_uint_eq(t.c_oflag, OPOST | ONLCR);
        ck_assert_uint_eq(t.c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN);
        ck_assert_uint_eq(t.c_cflag, B9600 | CS8 | CREAD | CLOCAL | HUPCL);
        ck_assert_uint_eq(t.c_ispeed, 9600);
        ck_assert_uint_eq(t.c_ospeed, 9600);
        ck_assert_mem_eq(t.c_cc, raw.c_cc, sizeof(t.c_cc));
        ck_assert_uint_eq(t.c_cc[VEOF], 004);
        ck_assert_uint_eq(t.c_cc[VERASE], 0177);
        ck_assert_uint_eq(t.c_cc[VKILL], 025);
        ck_assert_uint_eq(t.c_cc[VEOL], 0);
}
END_TEST

START_TEST(test_tcgets_is_36_bytes)
{
        uint8_t user[64];

        memset(user, 0xAA, sizeof(user));
        ck_assert_int_eq(kernel(TCGETS, user), 0);
        ck_assert_uint_eq(rep.size, 36);
        ck_assert_mem_eq(user, &port.termios, 36);
        ck_assert_uint_eq(user[36], 0xAA); /* glibc's 60-byte termios would smash the caller */
}
END_TEST

START_TEST(test_tcsets_applies_termios)
{
        static const unsigned cmds[] = { TCSETS, TCSETSW, TCSETSF };

        for (size_t i = 0; i < ELEMENTSOF(cmds); i++) {
                struct termios2 t;

                setup();
                t = port.termios;
                t.c_cflag = (t.c_cflag & ~(tcflag_t)CBAUD) | B115200 | PARENB;
                t.c_iflag = IXON;
                t.c_ispeed = t.c_ospeed = 12345; /* beyond TCSETS's 36 bytes: not sent */
                ck_assert_int_eq(kernel(cmds[i], &t), 0);
                ck_assert_uint_eq(port.termios_sets, 1);
                ck_assert_uint_eq(port.termios.c_cflag, t.c_cflag);
                ck_assert_uint_eq(port.termios.c_iflag, IXON);
                /* the speeds follow the Bxxx code, as the kernel makes them on TCSETS */
                ck_assert_uint_eq(port.termios.c_ospeed, 115200);
                ck_assert_uint_eq(port.termios.c_ispeed, 115200);
                ck_assert_uint_eq(port.flushes, cmds[i] == TCSETSF ? 1 : 0);
                ck_assert_str_eq(port.log, cmds[i] == TCSETSF ? "flush termios " : "termios ");
        }
}
END_TEST

START_TEST(test_tcsets2_custom_speed)
{
        static const unsigned cmds[] = { TCSETS2, TCSETSW2, TCSETSF2 };

        for (size_t i = 0; i < ELEMENTSOF(cmds); i++) {
                struct termios2 t;

                setup();
                t = port.termios;
                t.c_cflag = (t.c_cflag & ~(tcflag_t)CBAUD) | BOTHER;
                t.c_ispeed = t.c_ospeed = 250000;
                ck_assert_int_eq(kernel(cmds[i], &t), 0);
                ck_assert_uint_eq(port.termios.c_ospeed, 250000);
                ck_assert_uint_eq(port.termios.c_ispeed, 250000);
                ck_assert_uint_eq(port.flushes, cmds[i] == TCSETSF2 ? 1 : 0);

                /* a Bxxx code wins over the speed fields, and a separate input code counts */
                t.c_cflag = (t.c_cflag & ~(tcflag_t)CBAUD) | B19200 | ((tcflag_t)B2400 << IBSHIFT);
                t.c_ispeed = t.c_ospeed = 7;
                ck_assert_int_eq(kernel(cmds[i], &t), 0);
                ck_assert_uint_eq(port.termios.c_ospeed, 19200);
                ck_assert_uint_eq(port.termios.c_ispeed, 2400);
        }
}
END_TEST

START_TEST(test_tcsets_keeps_custom_speed)
{
        struct termios2 t = port.termios;

        /* set by TCSETS2 earlier; TCSETS cannot carry speeds, so BOTHER keeps the output speed
         * and an input code of 0 still means "as the output" */
        port.termios.c_cflag = (port.termios.c_cflag & ~(tcflag_t)CBAUD) | BOTHER;
        port.termios.c_ospeed = 250000;
        port.termios.c_ispeed = 300;
        t.c_cflag = (t.c_cflag & ~(tcflag_t)CBAUD) | BOTHER | PARENB;
        ck_assert_int_eq(kernel(TCSETS, &t), 0);
        ck_assert_uint_eq(port.termios.c_cflag & PARENB, PARENB);
        ck_assert_uint_eq(port.termios.c_ospeed, 250000);
        ck_assert_uint_eq(port.termios.c_ispeed, 250000);
}
END_TEST

START_TEST(test_tcsets_tcgets_round_trip)
{
        struct termios2 t = port.termios, back;

        t.c_cflag = (t.c_cflag & ~(tcflag_t)(CBAUD | CSIZE)) | B57600 | CS7 | CSTOPB | CRTSCTS;
        t.c_lflag = ICANON | ECHO;
        t.c_cc[VTIME] = 5;
        ck_assert_int_eq(kernel(TCSETS, &t), 0);
        ck_assert_int_eq(kernel(TCGETS2, &back), 0);
        ck_assert_uint_eq(back.c_cflag, t.c_cflag);
        ck_assert_uint_eq(back.c_lflag, t.c_lflag);
        ck_assert_uint_eq(back.c_cc[VTIME], 5);
        ck_assert_uint_eq(back.c_ospeed, 57600);
}
END_TEST

START_TEST(test_b0_hangs_up)
{
        struct termios2 t = port.termios;

        port.line.outputs = TIOCM_DTR | TIOCM_RTS;
        t.c_cflag = (t.c_cflag & ~(tcflag_t)CBAUD) | B0;
        ck_assert_int_eq(kernel(TCSETSF2, &t), 0);
        ck_assert_uint_eq(port.line.outputs, 0);
        /* the peers hear the lines drop before the new settings */
        ck_assert_str_eq(port.log, "flush outputs=0 termios ");
        ck_assert_uint_eq(port.termios.c_ospeed, 0);
}
END_TEST

/* ---- modem lines ---- */

START_TEST(test_tiocm_bits)
{
        int bits;

        port.line.outputs = TIOCM_DTR;
        port.line.inputs = TIOCM_CTS | TIOCM_CD;
        ck_assert_int_eq(kernel(TIOCMGET, &bits), 0);
        ck_assert_int_eq(bits, TIOCM_DTR | TIOCM_CTS | TIOCM_CD);

        /* only DTR and RTS are ours to set; the rest are the peer's or no line at all */
        bits = TIOCM_RTS | TIOCM_CTS | TIOCM_RI | TIOCM_LE;
        ck_assert_int_eq(kernel(TIOCMSET, &bits), 0);
        ck_assert_uint_eq(port.line.outputs, TIOCM_RTS);
        bits = TIOCM_DTR | TIOCM_DSR;
        ck_assert_int_eq(kernel(TIOCMBIS, &bits), 0);
        ck_assert_uint_eq(port.line.outputs, TIOCM_DTR | TIOCM_RTS);
        bits = TIOCM_RTS | TIOCM_CD;
        ck_assert_int_eq(kernel(TIOCMBIC, &bits), 0);
        ck_assert_uint_eq(port.line.outputs, TIOCM_DTR);
        bits = TIOCM_DTR;
        ck_assert_int_eq(kernel(TIOCMBIS, &bits), 0); /* already set: asked again all the same */
        ck_assert_uint_eq(port.line.outputs, TIOCM_DTR);
        bits = 0;
        ck_assert_int_eq(kernel(TIOCMSET, &bits), 0);
        ck_assert_uint_eq(port.line.outputs, 0);
        ck_assert_str_eq(port.log, "outputs=4 outputs=6 outputs=2 outputs=2 outputs=0 ");
        ck_assert_uint_eq(port.line.inputs, TIOCM_CTS | TIOCM_CD); /* untouched */
}
END_TEST

START_TEST(test_tiocmiwait)
{
        ck_assert_int_eq(kernel_value(TIOCMIWAIT, 0), -EINVAL);
        /* our own outputs never change by themselves */
        ck_assert_int_eq(kernel_value(TIOCMIWAIT, TIOCM_DTR | TIOCM_RTS), -EINVAL);
        ck_assert_ptr_null(port.wait_req);

        /* NOLINTNEXTLINE(performance-no-int-to-ptr): TIOCMIWAIT's mask comes in the pointer's place */
        ck_assert_int_eq(call(TIOCMIWAIT, (void *)(uintptr_t)(TIOCM_CTS | TIOCM_DTR | TIOCM_RNG), NULL, 0, 0),
                         VW_CUSE_IOCTL_PARKED);
        ck_assert_uint_eq(rep.n, 0); /* the port answers it later */
        ck_assert_ptr_eq(port.wait_req, &rep);
        ck_assert_uint_eq(port.wait_mask, TIOCM_CTS | TIOCM_RNG);

        port.wait_result = -ENOMEM;
        ck_assert_int_eq(kernel_value(TIOCMIWAIT, TIOCM_CD | TIOCM_DSR), -ENOMEM);
}
END_TEST

START_TEST(test_tiocgicount)
{
        struct serial_icounter_struct ic;

        port.line.counts = (struct vw_serial_counts){
                .cts = 1,
                .dsr = 2,
                .rng = 3,
                .dcd = 4,
                .rx = 5,
                .tx = 6,
                .frame = 7,
                .overrun = 8,
                .parity = 9,
                .brk = 10,
                .buf_overrun = 11,
        };
        memset(&ic, 0xff, sizeof(ic));
        ck_assert_int_eq(kernel(TIOCGICOUNT, &ic), 0);
        ck_assert_int_eq(ic.cts, 1);
        ck_assert_int_eq(ic.dsr, 2);
        ck_assert_int_eq(ic.rng, 3);
        ck_assert_int_eq(ic.dcd, 4);
        ck_assert_int_eq(ic.rx, 5);
        ck_assert_int_eq(ic.tx, 6);
        ck_assert_int_eq(ic.frame, 7);
        ck_assert_int_eq(ic.overrun, 8);
        ck_assert_int_eq(ic.parity, 9);
        ck_assert_int_eq(ic.brk, 10);
        ck_assert_int_eq(ic.buf_overrun, 11);
        ck_assert_int_eq(ic.reserved[0], 0);
}
END_TEST

/* ---- queues, flushing, flow ---- */

START_TEST(test_queues)
{
        int n = -1;

        port.in_pending = 5;
        port.out_pending = 7;
        ck_assert_int_eq(kernel(FIONREAD, &n), 0);
        ck_assert_int_eq(n, 5);
        ck_assert_int_eq(kernel(TIOCINQ, &n), 0);
        ck_assert_int_eq(n, 5);
        ck_assert_int_eq(kernel(TIOCOUTQ, &n), 0);
        ck_assert_int_eq(n, 7);
        port.in_pending = port.out_pending = SIZE_MAX;
        ck_assert_int_eq(kernel(FIONREAD, &n), 0);
        ck_assert_int_eq(n, INT32_MAX);
        ck_assert_int_eq(kernel(TIOCOUTQ, &n), 0);
        ck_assert_int_eq(n, INT32_MAX);
}
END_TEST

START_TEST(test_tcflsh)
{
        ck_assert_int_eq(kernel_value(TCFLSH, TCIFLUSH), 0);
        ck_assert_uint_eq(port.flushes, 1);
        ck_assert_int_eq(port.flushed, TCIFLUSH + 1);
        ck_assert_int_eq(kernel_value(TCFLSH, TCOFLUSH), 0); /* our output has left already */
        ck_assert_uint_eq(port.flushes, 1);
        ck_assert_int_eq(port.flushed, TCOFLUSH + 1); /* but the peers hear of it (an RFC 2217 purge) */
        ck_assert_int_eq(kernel_value(TCFLSH, TCIOFLUSH), 0);
        ck_assert_uint_eq(port.flushes, 2);
        ck_assert_int_eq(port.flushed, TCIOFLUSH + 1);
        port.flushed = 0;
        ck_assert_int_eq(kernel_value(TCFLSH, TCIOFLUSH + 1), -EINVAL);
        ck_assert_int_eq(kernel_value(TCFLSH, ~0UL), -EINVAL);
        ck_assert_uint_eq(port.flushes, 2);
        ck_assert_int_eq(port.flushed, 0);
}
END_TEST

START_TEST(test_tcxonc)
{
        ck_assert_int_eq(kernel_value(TCXONC, TCOOFF), 0);
        ck_assert(port.stopped);
        ck_assert_int_eq(kernel_value(TCXONC, TCOON), 0);
        ck_assert(!port.stopped);
        ck_assert_int_eq(kernel_value(TCXONC, TCOON), 0); /* not stopped: told all the same */
        ck_assert_uint_eq(port.stop_calls, 3);

        port.termios.c_cc[VSTOP] = 0x13;
        port.termios.c_cc[VSTART] = 0x11;
        ck_assert_int_eq(kernel_value(TCXONC, TCIOFF), 0);
        ck_assert_int_eq(kernel_value(TCXONC, TCION), 0);
        port.termios.c_cc[VSTOP] = 'S'; /* the port's own characters, not the usual ones */
        ck_assert_int_eq(kernel_value(TCXONC, TCIOFF), 0);
        ck_assert_uint_eq(port.n_chars, 3);
        ck_assert_uint_eq(port.chars[0], 0x13);
        ck_assert_uint_eq(port.chars[1], 0x11);
        ck_assert_uint_eq(port.chars[2], 'S');

        ck_assert_int_eq(kernel_value(TCXONC, TCION + 1), -EINVAL);
        ck_assert_uint_eq(port.stop_calls + port.n_chars, 6);
}
END_TEST

/* ---- breaks, exclusive, serial_struct ---- */

START_TEST(test_breaks)
{
        ck_assert_int_eq(kernel_value(TCSBRK, 0), 0); /* tcsendbreak() */
        ck_assert_int_eq(kernel_value(TCSBRK, 1), 0); /* tcdrain(): nothing to wait for */
        ck_assert_int_eq(kernel_value(TCSBRKP, 0), 0);
        ck_assert_int_eq(kernel_value(TCSBRKP, 3), 0); /* tenths of a second */
        ck_assert_uint_eq(port.n_breaks, 3);
        ck_assert_uint_eq(port.breaks[0], 250);
        ck_assert_uint_eq(port.breaks[1], 250);
        ck_assert_uint_eq(port.breaks[2], 300);

        /* TIOCSBRK puts one open-ended break into the stream until TIOCCBRK, however often it is called */
        ck_assert_int_eq(kernel(TIOCSBRK, NULL), 0);
        ck_assert_int_eq(kernel(TIOCSBRK, NULL), 0);
        ck_assert(port.break_on);
        ck_assert_uint_eq(port.n_breaks, 4);
        ck_assert_uint_eq(port.breaks[3], 0);
        ck_assert_int_eq(kernel(TIOCCBRK, NULL), 0);
        ck_assert(!port.break_on);
        ck_assert_int_eq(kernel(TIOCCBRK, NULL), 0);
        ck_assert_int_eq(kernel(TIOCSBRK, NULL), 0);
        ck_assert_uint_eq(port.n_breaks, 5);
}
END_TEST

/* TCSETSW/TCSETSF and the break ioctls wait for written data to leave (tcdrain), as in the
 * kernel; TCSETS and TIOCCBRK do not. Once drained, the kept call runs as if it came now. */
START_TEST(test_drains)
{
        static const unsigned waits[] = { TCSETSW, TCSETSF, TCSETSW2, TCSETSF2, TCSBRK, TCSBRKP, TIOCSBRK };
        struct termios2 t = port.termios;

        port.out_pending = 10;
        ck_assert_int_eq(kernel_value(TCSBRK, 1), -EAGAIN); /* tcdrain() with data still queued */
        ck_assert_ptr_eq(port.drain_req, &rep);
        port.out_pending = 0;
        memset(&rep, 0, sizeof(rep));
        ck_assert_int_eq(vw_cuse_ioctl_dispatch(&port.drain_call, &recorder, &rep, &fake_ops, &port),
                         VW_CUSE_IOCTL_ANSWERED);
        ck_assert_int_eq(rep.kind, REPLY_OK);
        ck_assert_uint_eq(port.n_breaks, 0);

        /* TCSETSW: the settings apply only after the drain, from the kept copy of the caller's data */
        port.out_pending = 10;
        t.c_cflag = (t.c_cflag & ~CBAUD) | B38400;
        ck_assert_int_eq(kernel(TCSETSW, &t), -EAGAIN);
        ck_assert_uint_eq(port.termios_sets, 0);
        memset(&t, 0, sizeof(t)); /* the caller's buffer is no longer read */
        port.out_pending = 0;
        memset(&rep, 0, sizeof(rep));
        ck_assert_int_eq(vw_cuse_ioctl_dispatch(&port.drain_call, &recorder, &rep, &fake_ops, &port),
                         VW_CUSE_IOCTL_ANSWERED);
        ck_assert_uint_eq(port.termios_sets, 1);
        ck_assert_uint_eq(port.termios.c_cflag & CBAUD, B38400);

        /* every waiting row parks; TCSETS and TIOCCBRK never ask */
        port.out_pending = 10;
        for (size_t i = 0; i < ELEMENTSOF(waits); i++) {
                struct termios2 t2 = port.termios;
                ck_assert_int_eq(kernel(waits[i], &t2), -EAGAIN);
        }
        port.drains = 0;
        ck_assert_int_eq(kernel(TCSETS, &t), 0);
        ck_assert_int_eq(kernel(TIOCCBRK, NULL), 0);
        ck_assert_uint_eq(port.drains, 0);
}
END_TEST

START_TEST(test_exclusive)
{
        ck_assert_int_eq(kernel(TIOCEXCL, NULL), 0);
        ck_assert(port.excl);
        ck_assert_int_eq(kernel(TIOCNXCL, NULL), 0);
        ck_assert(!port.excl);
}
END_TEST

START_TEST(test_serial_struct)
{
        struct serial_struct ss;

        memset(&ss, 0xff, sizeof(ss));
        ck_assert_int_eq(kernel(TIOCGSERIAL, &ss), 0);
        ck_assert_int_eq(ss.type, PORT_16550A);
        ck_assert_int_eq(ss.line, 0);
        ck_assert_int_eq(ss.flags, ASYNC_SKIP_TEST);
        ck_assert_int_eq(ss.xmit_fifo_size, 16);
        ck_assert_int_eq(ss.baud_base, 250000);
        ck_assert_int_eq(ss.close_delay, 50);
        ck_assert_int_eq(ss.closing_wait, 3000);
        ck_assert_int_eq(ss.irq, 0);

        /* setserial's changes are accepted and change nothing */
        ss.flags |= ASYNC_LOW_LATENCY;
        ck_assert_int_eq(kernel(TIOCSSERIAL, &ss), 0);
        ck_assert_str_eq(port.log, "");
        ck_assert_int_eq(kernel(TIOCGSERIAL, &ss), 0);
        ck_assert_int_eq(ss.flags, ASYNC_SKIP_TEST);
}
END_TEST

START_TEST(test_winsize)
{
        struct winsize ws = { .ws_row = 40, .ws_col = 132 }, back;

        ck_assert_int_eq(kernel(TIOCGWINSZ, &back), 0);
        ck_assert_uint_eq(back.ws_row + back.ws_col, 0);
        ck_assert_int_eq(kernel(TIOCSWINSZ, &ws), 0);
        ck_assert_int_eq(kernel(TIOCGWINSZ, &back), 0);
        ck_assert_mem_eq(&back, &ws, sizeof(ws));
}
END_TEST

/* Every row through the whole protocol with junk data: one reply each, never two, never a second retry. */
START_TEST(test_every_row_round_trip)
{
        uint8_t user[128];
        uint64_t seed = 9;

        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                int r;

                for (size_t k = 0; k < sizeof(user); k++)
                        user[k] = (uint8_t)vw_test_rand(&seed);
                r = kernel(expected[i].cmd, user);
                ck_assert_msg(r == 0 || r == -EINVAL || r == -EAGAIN, "%#x: %d", expected[i].cmd, r);
                if (r == 0)
                        ck_assert_uint_eq(rep.size, expected[i].out);
        }
}
END_TEST

static Suite *cuse_ioctl_suite(void)
{
        Suite *s = suite_create("cuse-ioctl");
        TCase *tc = vw_test_case(s, "table");

        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_table_sizes);
        tcase_add_test(tc, test_first_call_asks_for_data);
        tcase_add_test(tc, test_dataless_rows_answer_at_once);
        tcase_add_test(tc, test_second_call_carries_data);
        tcase_add_test(tc, test_wrong_sizes);
        tcase_add_test(tc, test_unknown_command);
        tcase_add_test(tc, test_every_row_round_trip);

        tc = vw_test_case(s, "termios");
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_default_termios);
        tcase_add_test(tc, test_default_termios_cooked);
        tcase_add_test(tc, test_tcgets_is_36_bytes);
        tcase_add_test(tc, test_tcsets_applies_termios);
        tcase_add_test(tc, test_tcsets2_custom_speed);
        tcase_add_test(tc, test_tcsets_keeps_custom_speed);
        tcase_add_test(tc, test_tcsets_tcgets_round_trip);
        tcase_add_test(tc, test_b0_hangs_up);

        tc = vw_test_case(s, "line");
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_tiocm_bits);
        tcase_add_test(tc, test_tiocmiwait);
        tcase_add_test(tc, test_tiocgicount);
        tcase_add_test(tc, test_queues);
        tcase_add_test(tc, test_tcflsh);
        tcase_add_test(tc, test_tcxonc);
        tcase_add_test(tc, test_breaks);
        tcase_add_test(tc, test_drains);
        tcase_add_test(tc, test_exclusive);
        tcase_add_test(tc, test_serial_struct);
        tcase_add_test(tc, test_winsize);
        return s;
}

int main(void)
{
        return vw_test_run(cuse_ioctl_suite());
}
