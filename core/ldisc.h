/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A tty line discipline in userspace, for serial backends the kernel's n_tty does not serve
 * (CUSE): the termios input flags applied to bytes from the line, canonical line editing, echo,
 * XON/XOFF, output post-processing, and the VMIN/VTIME rules of when a read may return. It
 * follows n_tty's behaviour for the flags programs use (docs in vwire.conf(5), SERIAL LINE
 * DISCIPLINE). Pure: no file descriptors, no loop, no clock -- the backend owns timers and I/O
 * and asks this module what to do.
 *
 * One struct vw_ldisc per reader: it holds the bytes cooked for reading (at most VW_LDISC_BUF,
 * like n_tty's 4 KiB), the line being edited, and the flow-control state.
 */

#include <asm/termbits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VW_LDISC_BUF 4096u
#define VW_LDISC_MAX_LINES 256u
/* What one byte of the line can make the echo grow by, at most: a tab rubbed out (8 backspaces)
 * or echoed with XTABS (8 spaces); a kill or VREPRINT does this for every byte of the line. */
#define VW_LDISC_ECHO_PER_BYTE 8u
/* Echo room a caller gives vw_ldisc_receive(): enough for a kill that erases a full line. */
#define VW_LDISC_ECHO_MAX (VW_LDISC_BUF * VW_LDISC_ECHO_PER_BYTE + 64u)

/* The port's output column, as n_tty keeps it (tab stops for XTABS and for rubbing out a tab,
 * ONOCR): moved by written data and echo alike, when OPOST is on. canon_column is where the
 * line being edited began on the screen. */
struct vw_ldisc_column {
        unsigned column;
        unsigned canon_column;
};

struct vw_ldisc {
        uint8_t buf[VW_LDISC_BUF];
        size_t head; /* first unread byte */
        size_t len;  /* bytes from head: committed lines (canonical) or all input, then the edit */
        size_t edit; /* canonical: bytes of the line being edited, at the end of len */
        /* canonical: committed lines, oldest first: their lengths (an EOF-ended line has no
         * terminator in buf and may be 0 long: a read of it returns 0) */
        uint16_t lines[VW_LDISC_MAX_LINES];
        unsigned first_line, n_lines;
        bool lnext;     /* IEXTEN: the next byte is taken literally (VLNEXT) */
        bool stopped;   /* IXON: the peer sent VSTOP; output waits for VSTART (or any, IXANY) */
        bool sent_stop; /* IXOFF: we asked the peer to stop */
        bool was_canon; /* ICANON when the bytes in buf were taken */
        bool erasing;   /* ECHOPRT: inside a "\\erased/" run */
};

/* What vw_ldisc_receive() wants done: bytes to echo to the line (already post-processed, as
 * n_tty's echo is: ONLCR, XTABS, OLCUC... with the column moved), and a flow-control character
 * to send at once (0: none). */
struct vw_ldisc_effects {
        uint8_t echo[VW_LDISC_ECHO_MAX];
        size_t echo_len;
        uint8_t xchar;
        bool xchar_set;
        bool output_changed; /* ->stopped changed */
        struct vw_ldisc_column *col;      /* internal: the column vw_ldisc_receive() was given, */
        struct vw_ldisc_column col_start; /* and where it stood before the echo not yet taken */
};

void vw_ldisc_init(struct vw_ldisc *ld);
/* Drop all input (TCIFLUSH, TCSETSF). The flow state stays. */
void vw_ldisc_flush(struct vw_ldisc *ld);
/* The settings changed: canonical <-> raw commits or keeps the edit as n_tty does. */
void vw_ldisc_set_termios(struct vw_ldisc *ld, const struct termios2 *t);

/* Does this termios ask for any input processing? If not, bytes may bypass the module (when it
 * holds nothing) and VMIN/VTIME are all that applies. */
bool vw_ldisc_input_raw(const struct termios2 *t);
/* Does output need vw_ldisc_output()? */
bool vw_ldisc_output_raw(const struct termios2 *t);

/*
 * Take bytes from the line. Returns how many were taken: fewer than n when the buffer is full
 * (the rest stays with the caller, which is backpressure) or the echo room is short. Echo and
 * flow effects accumulate in *fx, which the caller empties between calls; the echo moves *col
 * (the port's output column; a reader whose echo is thrown away passes a copy).
 */
size_t vw_ldisc_receive(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_column *col, const uint8_t *in,
                        size_t n, struct vw_ldisc_effects *fx);
/* A break with BRKINT (and not IGNBRK): n_tty's interrupt, which flushes the input unless
 * NOFLSH (no signal: see vwire.conf(5)); nothing is read for it. */
void vw_ldisc_interrupt(struct vw_ldisc *ld, const struct termios2 *t);
/* Put bytes in as they are, past every input flag (a break or parity mark, PARMRK). Returns
 * how many fit. */
size_t vw_ldisc_receive_literal(struct vw_ldisc *ld, const struct termios2 *t, const uint8_t *in, size_t n);

/*
 * Line errors, as a UART driver and n_tty make of them together. A driver reports a framing or
 * parity error only with INPCK (Linux's 8250 puts UART_LSR_FE | UART_LSR_PE in its
 * read_status_mask only then); n_tty then drops the byte with IGNPAR, reads it as \377 \0 c
 * with PARMRK, else as \0. Breaks are not line errors here: INPCK does not touch them.
 *
 * vw_ldisc_error_mark: what one reported error reads as, into out (0 to 3 bytes: 0 without
 * INPCK, where nothing is reported, or with IGNPAR). `c` is the byte received with the error
 * (0 for an error that comes without one: a line-state report).
 *
 * vw_ldisc_receive_errors: bytes that all came with an error. Without INPCK they are ordinary
 * input, taken as vw_ldisc_receive() takes them (editing, echo, flow control); with INPCK each
 * becomes its mark, past editing, whole or not at all. Returns how many input bytes were taken
 * (fewer when the buffer is full). Counting the errors is the caller's: a driver's icount
 * counts them with or without INPCK.
 */
size_t vw_ldisc_error_mark(const struct termios2 *t, uint8_t c, uint8_t out[3]);
size_t vw_ldisc_receive_errors(struct vw_ldisc *ld, const struct termios2 *t, struct vw_ldisc_column *col,
                               const uint8_t *in, size_t n, struct vw_ldisc_effects *fx);

/* Bytes a read may take now: canonical, the first complete line (0 also for an EOF line, see
 * vw_ldisc_has_line); otherwise everything held. */
size_t vw_ldisc_available(const struct vw_ldisc *ld);
/* Canonical: a complete line (possibly empty, EOF) is there. */
bool vw_ldisc_has_line(const struct vw_ldisc *ld);
/* poll(): is the port readable, by n_tty's rule (canonical: a line; else VMIN bytes when VTIME
 * is 0, one byte otherwise). `extra` is what waits outside the module (raw bypass). */
bool vw_ldisc_readable(const struct vw_ldisc *ld, const struct termios2 *t, size_t extra);
/*
 * May a blocking read of `size` bytes return now? `extra` as above; `timed_out`: the VTIME timer
 * ran out (for VMIN 0 counted from the read, else from the last byte). Canonical reads wait for
 * a line; VMIN 0 VTIME 0 never waits.
 */
bool vw_ldisc_read_ready(const struct vw_ldisc *ld, const struct termios2 *t, size_t size, size_t extra,
                         bool timed_out);
/* Copy out at most `size` bytes (canonical: never past the end of the first line). Returns the
 * bytes copied; *ret_xchar gets VSTART when IXOFF lets the peer go on again (else 0). */
size_t vw_ldisc_read(struct vw_ldisc *ld, const struct termios2 *t, uint8_t *out, size_t size, uint8_t *ret_xchar);

/*
 * Output post-processing, n_tty's do_output_char (OPOST: ONLCR, OCRNL, ONOCR, ONLRET, OLCUC,
 * XTABS; the delays are ignored, as Linux does): transform as much of `in` as fits in `out`
 * without splitting one byte's expansion, moving *col. *consumed gets the input bytes done
 * (ONOCR may drop one, so the output can be shorter); returns the output bytes.
 */
size_t vw_ldisc_output(const struct termios2 *t, struct vw_ldisc_column *col, const uint8_t *in, size_t n, uint8_t *out,
                       size_t out_size, size_t *consumed);
