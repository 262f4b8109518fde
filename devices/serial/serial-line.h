/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The null-modem side of a serial port, shared by the pty and CUSE backends: own modem outputs
 * (DTR, RTS), inputs crossed from the peer's outputs (CTS <- RTS, DSR and DCD <- DTR), the
 * interrupt counters serial drivers keep, and the character time for pacing.
 */

#include <stdbool.h>
#include <stdint.h>

#include "router.h"

struct vw_serial_counts {
        uint32_t cts, dsr, rng, dcd, rx, tx, frame, overrun, parity, brk, buf_overrun;
};

struct vw_serial_line {
        uint32_t outputs;   /* TIOCM_DTR | TIOCM_RTS we assert */
        uint32_t inputs;    /* TIOCM_CTS | TIOCM_DSR | TIOCM_CD | TIOCM_RI from the peer */
        struct vw_serial_counts counts;
        struct vw_line_params peer;
        bool have_peer;
};

/* The inputs a peer asserting `outputs` gives us (as they are when it sent VW_MODEM_DIRECT). */
uint32_t vw_serial_crossed(uint32_t peer_outputs);
/* Apply a peer's new outputs; returns the mask of input lines that changed (and counts them). */
uint32_t vw_serial_line_peer_modem(struct vw_serial_line *l, uint32_t peer_outputs);
/* Tell the peers our outputs. */
void vw_serial_line_send_modem(struct vw_serial_line *l, struct vw_port *port);
/* Bits on the wire per character (start + data + parity + stop). */
unsigned vw_line_bits_per_char(const struct vw_line_params *p);
/* Bytes per second a line with these settings carries (0 when the baud rate is unknown). */
uint64_t vw_line_bytes_per_sec(const struct vw_line_params *p);
/* Do two ends agree closely enough that a UART would decode the bytes? */
bool vw_line_params_compatible(const struct vw_line_params *a, const struct vw_line_params *b);
/* Put a line event (break, framing or parity error) into the stream. */
int vw_serial_send_line_event(struct vw_port *port, enum vw_line_event_type type, uint32_t duration_ms);
