/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "macro.h"

#include "serial-line.h"

uint32_t vw_serial_crossed(uint32_t peer_outputs)
{
        uint32_t in = 0;

        if (peer_outputs & VW_MODEM_DIRECT)
                return peer_outputs & (TIOCM_CTS | TIOCM_DSR | TIOCM_CD | TIOCM_RI);
        if (peer_outputs & TIOCM_RTS)
                in |= TIOCM_CTS;
        if (peer_outputs & TIOCM_DTR)
                in |= TIOCM_DSR | TIOCM_CD;
        return in;
}

uint32_t vw_serial_line_peer_modem(struct vw_serial_line *l, uint32_t peer_outputs)
{
        uint32_t in = vw_serial_crossed(peer_outputs), changed = in ^ l->inputs;

        if (changed & TIOCM_CTS)
                l->counts.cts++;
        if (changed & TIOCM_DSR)
                l->counts.dsr++;
        if (changed & TIOCM_CD)
                l->counts.dcd++;
        if (changed & TIOCM_RI)
                l->counts.rng++;
        l->inputs = in;
        return changed;
}

void vw_serial_line_send_modem(struct vw_serial_line *l, struct vw_port *port)
{
        struct vw_signal sig = { .type = VW_SIGNAL_MODEM, .modem = l->outputs };

        vw_port_signal(port, &sig);
}

unsigned vw_line_bits_per_char(const struct vw_line_params *p)
{
        unsigned data = p->data_bits ? p->data_bits : 8;

        return 1 + data + (p->parity && p->parity != 'N' ? 1 : 0) + (p->stop_bits == 2 ? 2 : 1);
}

uint64_t vw_line_bytes_per_sec(const struct vw_line_params *p)
{
        if (p->baud == 0)
                return 0;
        return MAX((uint64_t)p->baud / vw_line_bits_per_char(p), 1);
}

bool vw_line_params_compatible(const struct vw_line_params *a, const struct vw_line_params *b)
{
        uint64_t lo, hi;

        if (a->baud == 0 || b->baud == 0)
                return true;
        lo = MIN(a->baud, b->baud);
        hi = MAX(a->baud, b->baud);
        /* UARTs tolerate a few percent of clock error */
        if ((hi - lo) * 100 > hi * 3)
                return false;
        return a->data_bits == b->data_bits && (a->parity ? a->parity : 'N') == (b->parity ? b->parity : 'N');
}

int vw_serial_send_line_event(struct vw_port *port, enum vw_line_event_type type, uint32_t duration_ms)
{
        struct vw_line_event ev = { .type = (uint8_t)type, .duration_ms = duration_ms };

        return vw_port_write(port, VW_CHUNK_LINE, &ev, sizeof(ev));
}
