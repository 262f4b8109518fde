/* SPDX-License-Identifier: MIT */
/*
 * tty ioctls of a CUSE serial port, answered with the kernel's structures: struct termios is
 * 36 bytes and termios2 44 (glibc's termios is 60 -- answering with it would smash the caller's
 * stack). Data-carrying ioctls use CUSE's unrestricted-ioctl retry protocol: the first call
 * tells the kernel which user memory to copy in or out, the second carries it.
 * Anything not listed here is ENOTTY.
 */
#include <errno.h>
#include <linux/serial.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "serial-cuse.h"
#include "tty-params.h"

#define KERNEL_TERMIOS_SIZE 36u   /* struct termios in <asm/termbits.h> */
#define KERNEL_TERMIOS2_SIZE 44u

_Static_assert(sizeof(struct termios) == KERNEL_TERMIOS_SIZE, "kernel struct termios");
_Static_assert(sizeof(struct termios2) == KERNEL_TERMIOS2_SIZE, "kernel struct termios2");

void cuse_default_termios(struct termios2 *t)
{
        *t = (struct termios2){
                .c_cflag = B9600 | CS8 | CREAD | CLOCAL | HUPCL,
                .c_ispeed = 9600,
                .c_ospeed = 9600,
        };
        t->c_cc[VINTR] = 003;
        t->c_cc[VQUIT] = 034;
        t->c_cc[VERASE] = 0177;
        t->c_cc[VKILL] = 025;
        t->c_cc[VEOF] = 004;
        t->c_cc[VMIN] = 1;
        t->c_cc[VTIME] = 0;
        t->c_cc[VSTART] = 021;
        t->c_cc[VSTOP] = 023;
        t->c_cc[VSUSP] = 032;
}

void cuse_termios_to_params(const struct termios2 *t, struct vw_line_params *ret)
{
        vw_termios2_to_params(t, ret);
}

/* Keep c_ispeed/c_ospeed true to the Bxxx code, as the kernel does on TCSETS. */
static void fix_speeds(struct termios2 *t)
{
        unsigned code = t->c_cflag & CBAUD, icode = (t->c_cflag >> IBSHIFT) & CBAUD;

        if (code != BOTHER)
                t->c_ospeed = vw_baud_of_code(code);
        if (icode == B0)
                t->c_ispeed = t->c_ospeed;
        else if (icode != BOTHER)
                t->c_ispeed = vw_baud_of_code(icode);
}

void cuse_wake_miwait(struct cuse_port *p, uint32_t changed)
{
        vw_list_for_each_safe(i, tmp, &p->waits) {
                struct parked *pk = vw_list_entry(i, struct parked, link);

                if (!(changed & pk->mask))
                        continue;
                fuse_reply_ioctl(pk->req, 0, NULL, 0);
                vw_list_remove(&pk->link);
                free(pk);
        }
}

/* The retry protocol: ask the kernel for `in` bytes at arg, or room for `out` bytes. */
static bool need_retry(fuse_req_t req, void *arg, size_t in_need, size_t in_have, size_t out_need,
                       size_t out_have)
{
        struct iovec in = { .iov_base = arg, .iov_len = in_need };
        struct iovec out = { .iov_base = arg, .iov_len = out_need };

        if (in_have >= in_need && out_have >= out_need)
                return false;
        fuse_reply_ioctl_retry(req, in_need ? &in : NULL, in_need ? 1 : 0, out_need ? &out : NULL,
                               out_need ? 1 : 0);
        return true;
}

static void reply_int(fuse_req_t req, int v)
{
        fuse_reply_ioctl(req, 0, &v, sizeof(v));
}

static void set_termios(struct cuse_port *p, struct cuse_open *o, const void *in, size_t size, bool flush)
{
        struct termios2 t = p->termios;

        memcpy(&t, in, size);
        if (size == KERNEL_TERMIOS_SIZE || (t.c_cflag & CBAUD) != BOTHER)
                fix_speeds(&t);
        if (flush)
                cuse_flush_input(o);
        p->termios = t;
        /* a baud rate of 0 hangs up: drop DTR and RTS */
        if ((t.c_cflag & CBAUD) == B0)
                cuse_set_outputs(p, 0);
        cuse_params_changed(p);
}

static void send_break(struct cuse_port *p, uint32_t ms)
{
        if (vw_serial_send_line_event(p->ep->port, VW_LINE_BREAK, ms) < 0)
                log_debug("serial %s: a full route lost a break", p->ep->name);
}

void cuse_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi, unsigned flags,
                const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
        struct cuse_open *o = (struct cuse_open *)(uintptr_t)fi->fh;
        struct cuse_port *p = o->port;
        unsigned long value = (unsigned long)(uintptr_t)arg;
        unsigned int ucmd = (unsigned int)cmd;
        int v;

        switch (ucmd) {
        case TCGETS:
                if (need_retry(req, arg, 0, 0, KERNEL_TERMIOS_SIZE, out_bufsz))
                        return;
                fuse_reply_ioctl(req, 0, &p->termios, KERNEL_TERMIOS_SIZE);
                return;
        case TCGETS2:
                if (need_retry(req, arg, 0, 0, KERNEL_TERMIOS2_SIZE, out_bufsz))
                        return;
                fuse_reply_ioctl(req, 0, &p->termios, KERNEL_TERMIOS2_SIZE);
                return;
        case TCSETS:
        case TCSETSW:
        case TCSETSF:
                if (need_retry(req, arg, KERNEL_TERMIOS_SIZE, in_bufsz, 0, 0))
                        return;
                set_termios(p, o, in_buf, KERNEL_TERMIOS_SIZE, ucmd == TCSETSF);
                break;
        case TCSETS2:
        case TCSETSW2:
        case TCSETSF2:
                if (need_retry(req, arg, KERNEL_TERMIOS2_SIZE, in_bufsz, 0, 0))
                        return;
                set_termios(p, o, in_buf, KERNEL_TERMIOS2_SIZE, ucmd == TCSETSF2);
                break;
        case TIOCMGET:
                if (need_retry(req, arg, 0, 0, sizeof(int), out_bufsz))
                        return;
                reply_int(req, (int)(p->line.outputs | p->line.inputs));
                return;
        case TIOCMSET:
        case TIOCMBIS:
        case TIOCMBIC:
                if (need_retry(req, arg, sizeof(int), in_bufsz, 0, 0))
                        return;
                memcpy(&v, in_buf, sizeof(v));
                if (ucmd == TIOCMSET)
                        cuse_set_outputs(p, (uint32_t)v);
                else if (ucmd == TIOCMBIS)
                        cuse_set_outputs(p, p->line.outputs | (uint32_t)v);
                else
                        cuse_set_outputs(p, p->line.outputs & ~(uint32_t)v);
                break;
        case TIOCMIWAIT: {
                struct parked *pk;
                uint32_t mask = (uint32_t)value & (TIOCM_RNG | TIOCM_DSR | TIOCM_CD | TIOCM_CTS);

                if (mask == 0) {
                        fuse_reply_err(req, EINVAL);
                        return;
                }
                pk = calloc(1, sizeof(*pk));
                if (!pk) {
                        fuse_reply_err(req, ENOMEM);
                        return;
                }
                *pk = (struct parked){ .kind = PARKED_MIWAIT, .req = req, .port = p, .open = o, .mask = mask };
                cuse_park(p, pk);
                return;
        }
        case TIOCGICOUNT: {
                struct serial_icounter_struct ic = {
                        .cts = (int)p->line.counts.cts, .dsr = (int)p->line.counts.dsr,
                        .rng = (int)p->line.counts.rng, .dcd = (int)p->line.counts.dcd,
                        .rx = (int)p->line.counts.rx, .tx = (int)p->line.counts.tx,
                        .frame = (int)p->line.counts.frame, .overrun = (int)p->line.counts.overrun,
                        .parity = (int)p->line.counts.parity, .brk = (int)p->line.counts.brk,
                        .buf_overrun = (int)p->line.counts.buf_overrun,
                };
                if (need_retry(req, arg, 0, 0, sizeof(ic), out_bufsz))
                        return;
                fuse_reply_ioctl(req, 0, &ic, sizeof(ic));
                return;
        }
        case TIOCGWINSZ:
                if (need_retry(req, arg, 0, 0, sizeof(struct winsize), out_bufsz))
                        return;
                fuse_reply_ioctl(req, 0, &p->winsize, sizeof(struct winsize));
                return;
        case TIOCSWINSZ:
                if (need_retry(req, arg, sizeof(struct winsize), in_bufsz, 0, 0))
                        return;
                memcpy(&p->winsize, in_buf, sizeof(struct winsize));
                break;
        case FIONREAD: /* == TIOCINQ */
                if (need_retry(req, arg, 0, 0, sizeof(int), out_bufsz))
                        return;
                reply_int(req, (int)MIN(vw_sink_pending(o->sink), (size_t)INT32_MAX));
                return;
        case TIOCOUTQ: {
                size_t n = 0;
                if (need_retry(req, arg, 0, 0, sizeof(int), out_bufsz))
                        return;
                vw_list_for_each(i, &p->writes) {
                        struct parked *pk = vw_list_entry(i, struct parked, link);
                        n += pk->size - pk->done;
                }
                reply_int(req, (int)MIN(n, (size_t)INT32_MAX));
                return;
        }
        case TCFLSH:
                if (value > TCIOFLUSH) {
                        fuse_reply_err(req, EINVAL);
                        return;
                }
                if (value == TCIFLUSH || value == TCIOFLUSH)
                        cuse_flush_input(o);
                break;
        case TCXONC: {
                uint8_t ch;
                switch (value) {
                case TCOOFF:
                        p->output_stopped = true;
                        break;
                case TCOON:
                        p->output_stopped = false;
                        p->ep->room(p->ep);
                        break;
                case TCIOFF:
                case TCION:
                        ch = p->termios.c_cc[value == TCIOFF ? VSTOP : VSTART];
                        (void)vw_port_write(p->ep->port, VW_CHUNK_BYTES, &ch, 1);
                        break;
                default:
                        fuse_reply_err(req, EINVAL);
                        return;
                }
                break;
        }
        case TCSBRK:
                /* 0: send a break; anything else is tcdrain(), and our output has left already */
                if (value == 0)
                        send_break(p, 250);
                break;
        case TCSBRKP:
                send_break(p, value ? (uint32_t)value * 100 : 250);
                break;
        case TIOCSBRK:
                if (!p->break_on)
                        send_break(p, 0);
                p->break_on = true;
                break;
        case TIOCCBRK:
                p->break_on = false;
                break;
        case TIOCEXCL:
                p->excl = true;
                break;
        case TIOCNXCL:
                p->excl = false;
                break;
        case TIOCGSERIAL: {
                struct serial_struct ss = {
                        .type = PORT_16550A,
                        .line = 0,
                        .flags = ASYNC_SKIP_TEST,
                        .xmit_fifo_size = 16,
                        .baud_base = 4000000 / 16,
                        .close_delay = 50,
                        .closing_wait = 3000,
                };
                if (need_retry(req, arg, 0, 0, sizeof(ss), out_bufsz))
                        return;
                fuse_reply_ioctl(req, 0, &ss, sizeof(ss));
                return;
        }
        case TIOCSSERIAL:
                /* accepted and ignored, as USB serial adapters do (low-latency flag, closing_wait) */
                if (need_retry(req, arg, sizeof(struct serial_struct), in_bufsz, 0, 0))
                        return;
                break;
        default:
                fuse_reply_err(req, ENOTTY);
                return;
        }
        fuse_reply_ioctl(req, 0, NULL, 0);
}
