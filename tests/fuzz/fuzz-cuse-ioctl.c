/* SPDX-License-Identifier: MIT */
/*
 * devices/serial/cuse-ioctl.c: the tty ioctls any program may send to a CUSE serial port, run
 * through the table's retry protocol against a fake port, as test-cuse-ioctl.c does. The input
 * is a sequence of calls, each:
 *
 *   byte 0   the command: row (byte % rows) of the table; 0xff: four more bytes are a raw cmd
 *   byte 1   bit 0: the port takes TIOCMIWAIT and parks drains (TCSETSW, TCSBRK...); bit 1: the kernel plays fair
 * (retries with exactly the sizes asked for); otherwise bits 2-7 are the sizes it gives (too small, too big) 4 bytes
 * the argument (a number, or the caller's address: never touched by the table) n bytes  the caller's data, as much as
 * the row copies in (the rest of the input if shorter)
 *
 * Invariants: one reply per call (none when parked), of the kind the return value says; a retry
 * names the argument and the row's sizes, and a fair second call never asks again; a success
 * carries exactly the row's out size; the port is given only DTR and RTS as outputs; the
 * line settings of any termios a caller sets convert (tty-params.c) to a sane line.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "cuse-ioctl.h"
#include "fuzz.h"
#include "macro.h"
#include "serial-line.h"
#include "tty-params.h"

enum reply_kind { REPLY_NONE, REPLY_RETRY, REPLY_OK, REPLY_ERROR };

struct reply {
        enum reply_kind kind;
        unsigned n;
        size_t n_in, n_out;
        struct iovec in, out;
        size_t size;
        uint8_t sum; /* of the answer's bytes: reads them all */
        int err;
};

static struct reply rep;

static void rec_retry(void *req, const struct iovec *in, size_t n_in, const struct iovec *out, size_t n_out)
{
        FUZZ_CHECK(req == &rep);
        FUZZ_CHECK(n_in <= 1 && n_out <= 1 && (n_in == 0 || in) && (n_out == 0 || out));
        rep.n++;
        rep.kind = REPLY_RETRY;
        rep.n_in = n_in;
        rep.n_out = n_out;
        rep.in = n_in ? in[0] : (struct iovec){};
        rep.out = n_out ? out[0] : (struct iovec){};
}

static void rec_ok(void *req, const void *buf, size_t size)
{
        FUZZ_CHECK(req == &rep);
        FUZZ_CHECK((size == 0) == (buf == NULL));
        /* every byte of the answer is readable (ASan checks), and initialized (MSan would) */
        rep.sum = 0;
        for (size_t i = 0; i < size; i++)
                rep.sum ^= ((const uint8_t *)buf)[i];
        rep.n++;
        rep.kind = REPLY_OK;
        rep.size = size;
}

static void rec_error(void *req, int err)
{
        FUZZ_CHECK(req == &rep);
        FUZZ_CHECK(err > 0);
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
        bool take_wait;
        bool parked;
        bool stopped, brk, exclusive;
};

static struct fake port;

static void f_get_termios(void *u, struct termios2 *ret) { *ret = port.termios; }

static void f_set_termios(void *u, const struct termios2 *t)
{
        struct vw_line_params p;
        char text[64];

        port.termios = *t;
        /* what serial-cuse.c makes of it: the line settings the peers are told */
        vw_termios2_to_params(t, &p);
        FUZZ_CHECK(p.data_bits >= 5 && p.data_bits <= 8);
        FUZZ_CHECK(p.stop_bits == 1 || p.stop_bits == 2);
        FUZZ_CHECK(strchr("NEOMS", p.parity) && p.parity);
        FUZZ_CHECK(vw_line_params_to_string(&p, text, sizeof(text)) && text[0]);
        (void)vw_line_bytes_per_sec(&p);
        FUZZ_CHECK(vw_line_bits_per_char(&p) >= 7 && vw_line_bits_per_char(&p) <= 12);
}

static void f_get_line(void *u, struct vw_serial_line *ret) { *ret = port.line; }

static void f_set_outputs(void *u, uint32_t outputs)
{
        FUZZ_CHECK((outputs & ~(uint32_t)(TIOCM_DTR | TIOCM_RTS)) == 0);
        port.line.outputs = outputs;
}

static int f_wait_modem(void *u, void *req, uint32_t mask)
{
        FUZZ_CHECK(req == &rep);
        if (!port.take_wait)
                return -EIO;
        port.parked = true;
        return 0;
}

/* Drains park on the same bit as TIOCMIWAIT: with a copy of the call, whose data must be whole. */
static int f_wait_drain(void *u, void *req, const struct vw_cuse_ioctl *call)
{
        uint8_t sum = 0;

        FUZZ_CHECK(req == &rep);
        for (size_t i = 0; i < call->in_size; i++)
                sum ^= ((const uint8_t *)call->in)[i];
        rep.sum = sum;
        if (!port.take_wait)
                return 0;
        port.parked = true;
        return VW_CUSE_IOCTL_PARKED;
}

static void f_get_winsize(void *u, struct winsize *ret) { *ret = port.winsize; }
static void f_set_winsize(void *u, const struct winsize *ws) { port.winsize = *ws; }
static size_t f_input_pending(void *u) { return port.line.counts.rx; }
static size_t f_output_pending(void *u) { return port.line.counts.tx; }
static void f_flush_input(void *u) { port.line.counts.rx = 0; }
static void f_stop_output(void *u, bool stopped) { port.stopped = stopped; }
static void f_send_char(void *u, uint8_t ch) { (void)ch; }
static void f_send_break(void *u, uint32_t ms) { (void)ms; }

static bool f_set_break(void *u, bool on)
{
        bool was = port.brk;

        port.brk = on;
        return was;
}

static void f_set_exclusive(void *u, bool on) { port.exclusive = on; }
static void f_flushed(void *u, int queue)
{
        FUZZ_CHECK(queue >= TCIFLUSH && queue <= TCIOFLUSH);
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

static size_t n_rows(void)
{
        unsigned cmd;
        size_t in, out, n = 0;

        while (vw_cuse_ioctl_row(n, &cmd, &in, &out) == 0)
                n++;
        return n;
}

/* One dispatch; checks that the reply matches what it returned. */
static int dispatch(const struct vw_cuse_ioctl *call)
{
        int r;

        rep = (struct reply){};
        port.parked = false;
        r = vw_cuse_ioctl_dispatch(call, &recorder, &rep, &fake_ops, NULL);
        if (r == VW_CUSE_IOCTL_PARKED) {
                FUZZ_CHECK(port.parked && rep.n == 0);
                return r;
        }
        FUZZ_CHECK(!port.parked && rep.n == 1);
        if (r == VW_CUSE_IOCTL_RETRY)
                FUZZ_CHECK(rep.kind == REPLY_RETRY);
        else if (r == VW_CUSE_IOCTL_ANSWERED)
                FUZZ_CHECK(rep.kind == REPLY_OK);
        else
                FUZZ_CHECK(r < 0 && rep.kind == REPLY_ERROR && rep.err == -r);
        return r;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t rows = n_rows();

        FUZZ_CHECK(rows > 0);
        memset(&port, 0, sizeof(port));
        vw_cuse_default_termios(&port.termios, true);
        port.line.inputs = TIOCM_CTS | TIOCM_DSR;

        while (size >= 6) {
                unsigned cmd;
                size_t row_in = 0, row_out = 0, give_in, give_out;
                uint8_t sel = data[0], flags = data[1];
                uint32_t arg;
                uint8_t in[256] = {};
                struct vw_cuse_ioctl call;
                bool known;
                int r;

                memcpy(&arg, data + 2, 4);
                data += 6, size -= 6;
                if (sel == 0xff && size >= 4) {
                        memcpy(&cmd, data, 4);
                        data += 4, size -= 4;
                } else
                        FUZZ_CHECK(vw_cuse_ioctl_row(sel % rows, &cmd, &row_in, &row_out) == 0);
                known = false;
                for (size_t i = 0; i < rows; i++) {
                        unsigned c;
                        size_t a, b;
                        FUZZ_CHECK(vw_cuse_ioctl_row(i, &c, &a, &b) == 0);
                        if (c == cmd) {
                                known = true, row_in = a, row_out = b;
                                break;
                        }
                }
                FUZZ_CHECK(row_in <= sizeof(in));
                port.take_wait = flags & 1;

                /* the first call carries nothing: an unrestricted ioctl */
                call = (struct vw_cuse_ioctl){ .cmd = cmd, .arg = (void *)(uintptr_t)arg };
                r = dispatch(&call);
                if (!known) {
                        FUZZ_CHECK(r == -ENOTTY);
                        continue;
                }
                if (r != VW_CUSE_IOCTL_RETRY) {
                        FUZZ_CHECK(row_in == 0 && row_out == 0);
                        continue;
                }
                /* the retry names the caller's memory at arg and exactly the row's sizes */
                FUZZ_CHECK(rep.n_in == (row_in > 0) && rep.n_out == (row_out > 0));
                FUZZ_CHECK(!rep.n_in || (rep.in.iov_base == call.arg && rep.in.iov_len == row_in));
                FUZZ_CHECK(!rep.n_out || (rep.out.iov_base == call.arg && rep.out.iov_len == row_out));

                /* the second call: the caller's data, from the input */
                give_in = flags & 2 ? row_in : (size_t)(flags >> 2) * 8 % (sizeof(in) + 1);
                give_out = flags & 2 ? row_out : (size_t)(flags >> 5) * 16;
                memcpy(in, data, MIN(size, MIN(give_in, sizeof(in))));
                data += MIN(size, row_in), size -= MIN(size, row_in);
                call.in = in;
                call.in_size = give_in;
                call.out_size = give_out;
                r = dispatch(&call);
                if (give_in >= row_in && give_out >= row_out)
                        FUZZ_CHECK(r != VW_CUSE_IOCTL_RETRY); /* asked once, given: never again */
                else
                        FUZZ_CHECK(r == VW_CUSE_IOCTL_RETRY);
                if (r == VW_CUSE_IOCTL_ANSWERED)
                        FUZZ_CHECK(rep.size == row_out);
        }
        return 0;
}
