/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The tty ioctls of a CUSE serial port as a table, {cmd, in size, out size, handler}, and the one
 * function that runs CUSE's unrestricted-ioctl retry protocol for every row. It knows neither
 * libfuse nor the port: it answers through struct vw_cuse_reply_ops and reaches the port through
 * struct vw_cuse_port_ops, so unit tests and fuzzers call it without a kernel. serial-cuse.c
 * supplies both for the real device; nothing here calls back into it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iovec;
struct termios2;
struct vw_cuse_ioctl;
struct winsize;
struct vw_serial_line;

/* What vw_cuse_ioctl_dispatch() did with the request (or a negative errno: answered with that error). */
enum {
        VW_CUSE_IOCTL_ANSWERED = 0, /* replied with success, and out_size bytes when the row has any */
        VW_CUSE_IOCTL_RETRY = 1,    /* asked the kernel to call again with the data (or the room) */
        VW_CUSE_IOCTL_PARKED = 2,   /* the port took the request (wait_modem, wait_drain) and answers it later */
};

/* How a request is answered. `req` is the caller's, passed through untouched. */
struct vw_cuse_reply_ops {
        /* Call again with `in` copied from the caller, and with room for `out` (fuse_reply_ioctl_retry). */
        void (*retry)(void *req, const struct iovec *in, size_t n_in, const struct iovec *out, size_t n_out);
        /* Success: ioctl() returns 0 and `size` bytes of `buf` go to the caller (size 0: buf is NULL). */
        void (*ok)(void *req, const void *buf, size_t size);
        /* Failure with a positive errno. */
        void (*error)(void *req, int err);
};

/*
 * The port as the tty ioctls see it; `userdata` is the open file the ioctl came on. Every op
 * is required. Tty semantics (which bits, which order, what a baud rate of 0 means) live in the
 * table; an op only reads or changes the port.
 */
struct vw_cuse_port_ops {
        void (*get_termios)(void *userdata, struct termios2 *ret);
        /* Take these settings and tell the peers (and the pacing) about them. */
        void (*set_termios)(void *userdata, const struct termios2 *t);
        /* Own outputs (TIOCM_DTR, TIOCM_RTS), the peer's lines as inputs, the interrupt counters. */
        void (*get_line)(void *userdata, struct vw_serial_line *ret);
        /* Assert exactly these of TIOCM_DTR | TIOCM_RTS and tell the peers. */
        void (*set_outputs)(void *userdata, uint32_t outputs);
        /* TIOCMIWAIT: keep `req` and answer it (ok, no data) when an input line in `mask` changes.
         * 0 when it took the request; a negative errno when not, and the table answers. */
        int (*wait_modem)(void *userdata, void *req, uint32_t mask);
        /* tcdrain() before a row that waits for output (TCSETSW/TCSETSF, the break ioctls), as the
         * kernel's tty_wait_until_sent(): 0 when nothing written is still waiting for the routes
         * (the row goes on at once); VW_CUSE_IOCTL_PARKED when the port kept `req` and a copy of
         * `call` (its `in` bytes too) and will hand the copy to vw_cuse_ioctl_dispatch() again
         * once all of it has gone; or a negative errno, which the table answers. */
        int (*wait_drain)(void *userdata, void *req, const struct vw_cuse_ioctl *call);
        void (*get_winsize)(void *userdata, struct winsize *ret);
        void (*set_winsize)(void *userdata, const struct winsize *ws);
        /* Bytes this open could read now, and bytes written but not yet taken by the routes. */
        size_t (*input_pending)(void *userdata);
        size_t (*output_pending)(void *userdata);
        /* Drop what this open has not read. */
        void (*flush_input)(void *userdata);
        /* tcflush() ran with this queue selector (TCIFLUSH, TCOFLUSH, TCIOFLUSH): tell the peers. */
        void (*flushed)(void *userdata, int queue);
        /* TCOOFF / TCOON: hold written data back, or let it go again (and take parked writes). */
        void (*stop_output)(void *userdata, bool stopped);
        /* One byte into the stream at once, past flow control and pacing (TCIOFF/TCION). */
        void (*send_char)(void *userdata, uint8_t ch);
        /* A break of `ms` milliseconds into the stream (0: a break that lasts until TIOCCBRK). */
        void (*send_break)(void *userdata, uint32_t ms);
        /* TIOCSBRK / TIOCCBRK state; returns whether it was on before. */
        bool (*set_break)(void *userdata, bool on);
        /* TIOCEXCL / TIOCNXCL: refuse further opens while set. */
        void (*set_exclusive)(void *userdata, bool on);
};

/* One ioctl as CUSE delivers it (unrestricted: the kernel copies only what a retry asked for). */
struct vw_cuse_ioctl {
        unsigned cmd;
        void *arg;      /* the caller's pointer, or a plain number (TCFLSH, TCSBRK, TIOCMIWAIT...) */
        const void *in; /* in_size bytes copied from the caller, when a retry asked for them */
        size_t in_size;
        size_t out_size; /* room for the answer the kernel gave */
};

/*
 * Answer one tty ioctl: exactly one reply through `reply` (or the request handed to wait_modem).
 * A row whose data is missing is answered with a retry naming `arg` and the row's sizes; with
 * enough data the handler runs on plain, aligned buffers. An unknown cmd is ENOTTY. Returns
 * VW_CUSE_IOCTL_ANSWERED, _RETRY, _PARKED, or the negative errno it answered with.
 */
int vw_cuse_ioctl_dispatch(const struct vw_cuse_ioctl *call, const struct vw_cuse_reply_ops *reply, void *req,
                           const struct vw_cuse_port_ops *port, void *userdata);

/* The i-th row of the table (for tests and fuzzers): its command and sizes; -ERANGE past the end. */
int vw_cuse_ioctl_row(size_t i, unsigned *ret_cmd, size_t *ret_in, size_t *ret_out);

/* The settings a new port starts with: 9600 8N1, CREAD | CLOCAL | HUPCL, the kernel's control
 * characters (INIT_C_CC); raw as cfmakeraw() leaves a port, else with the terminal flags a real
 * serial port starts with (the kernel's tty_std_termios: ICRNL IXON, OPOST ONLCR, ICANON, ECHO...). */
void vw_cuse_default_termios(struct termios2 *t, bool raw);
