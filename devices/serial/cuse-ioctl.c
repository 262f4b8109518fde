/* SPDX-License-Identifier: MIT */
/*
 * tty ioctls of a CUSE serial port, answered with the kernel's structures: struct termios is
 * 36 bytes and termios2 44 (glibc's termios is 60 -- answering with it would smash the caller's
 * stack). Data-carrying ioctls use CUSE's unrestricted-ioctl retry protocol: the first call
 * tells the kernel which user memory to copy in or out, the second carries it. The table says
 * how much each command moves; vw_cuse_ioctl_dispatch() runs the protocol once for all of them,
 * so a handler only sees plain buffers. Rows marked drain first wait, through the port, until
 * what was written has left (tcdrain), as the kernel does for them. Anything not in the table is
 * ENOTTY.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <linux/serial.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "cuse-ioctl.h"
#include "macro.h"
#include "serial-line.h"
#include "tty-params.h"

#define KERNEL_TERMIOS_SIZE 36u /* struct termios in <asm/termbits.h> */
#define KERNEL_TERMIOS2_SIZE 44u

_Static_assert(sizeof(struct termios) == KERNEL_TERMIOS_SIZE, "kernel struct termios");
_Static_assert(sizeof(struct termios2) == KERNEL_TERMIOS2_SIZE, "kernel struct termios2");

/* Every row's data, copied in from (or out to) the caller; aligned, unlike libfuse's buffers. */
union arg {
        struct termios2 termios; /* TCGETS and TCSETS* move only its first 36 bytes */
        struct winsize winsize;
        struct serial_struct serial;
        struct serial_icounter_struct icount;
        int value;
};

struct row;

/* One call as a handler sees it. */
struct call {
        const struct row *row;
        const struct vw_cuse_port_ops *port;
        void *userdata;
        void *req;
        unsigned long value; /* the argument as a number */
};

/* Returns 0 (answer with `out`, row->out_size bytes), VW_CUSE_IOCTL_PARKED or a negative errno. */
typedef int handler_fn(const struct call *c, const union arg *in, union arg *out);

struct row {
        unsigned cmd;
        size_t in_size;
        size_t out_size;
        handler_fn *handler;
        bool drain; /* waits until written data has left first, as the kernel's tty_ioctl() does */
};

void vw_cuse_default_termios(struct termios2 *t, bool raw)
{
        *t = (struct termios2){
                .c_cflag = B9600 | CS8 | CREAD | CLOCAL | HUPCL,
                .c_ispeed = 9600,
                .c_ospeed = 9600,
        };
        if (!raw) {
                t->c_iflag = ICRNL | IXON;
                t->c_oflag = OPOST | ONLCR;
                t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
        }
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
        /* the rest of the kernel's INIT_C_CC, so that stty shows what a real port does */
        t->c_cc[VREPRINT] = 022;
        t->c_cc[VDISCARD] = 017;
        t->c_cc[VWERASE] = 027;
        t->c_cc[VLNEXT] = 026;
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

static int get_termios(const struct call *c, const union arg *in, union arg *out)
{
        c->port->get_termios(c->userdata, &out->termios);
        return 0;
}

static int set_termios(const struct call *c, const union arg *in, union arg *out)
{
        struct termios2 t;

        /* TCSETS carries no speeds: they stay, then follow the Bxxx code */
        c->port->get_termios(c->userdata, &t);
        memcpy(&t, &in->termios, c->row->in_size);
        if (c->row->in_size == KERNEL_TERMIOS_SIZE || (t.c_cflag & CBAUD) != BOTHER)
                fix_speeds(&t);
        if (c->row->cmd == TCSETSF || c->row->cmd == TCSETSF2)
                c->port->flush_input(c->userdata);
        /* A baud rate of 0 hangs up: drop DTR and RTS. The peers hear it before the new settings,
         * in the order they always have. */
        if ((t.c_cflag & CBAUD) == B0)
                c->port->set_outputs(c->userdata, 0);
        c->port->set_termios(c->userdata, &t);
        return 0;
}

static int modem_get(const struct call *c, const union arg *in, union arg *out)
{
        struct vw_serial_line l;

        c->port->get_line(c->userdata, &l);
        out->value = (int)(l.outputs | l.inputs);
        return 0;
}

static int modem_set(const struct call *c, const union arg *in, union arg *out)
{
        uint32_t bits = (uint32_t)in->value, outputs;
        struct vw_serial_line l;

        c->port->get_line(c->userdata, &l);
        if (c->row->cmd == TIOCMSET)
                outputs = bits;
        else if (c->row->cmd == TIOCMBIS)
                outputs = l.outputs | bits;
        else
                outputs = l.outputs & ~bits;
        /* the other bits are the peer's (inputs) or no line at all */
        c->port->set_outputs(c->userdata, outputs & (TIOCM_DTR | TIOCM_RTS));
        return 0;
}

static int modem_wait(const struct call *c, const union arg *in, union arg *out)
{
        uint32_t mask = (uint32_t)c->value & (TIOCM_RNG | TIOCM_DSR | TIOCM_CD | TIOCM_CTS);
        int r;

        if (mask == 0)
                return -EINVAL;
        r = c->port->wait_modem(c->userdata, c->req, mask);
        return r < 0 ? r : VW_CUSE_IOCTL_PARKED;
}

static int get_icount(const struct call *c, const union arg *in, union arg *out)
{
        struct vw_serial_line l;

        c->port->get_line(c->userdata, &l);
        out->icount = (struct serial_icounter_struct){
                .cts = (int)l.counts.cts,
                .dsr = (int)l.counts.dsr,
                .rng = (int)l.counts.rng,
                .dcd = (int)l.counts.dcd,
                .rx = (int)l.counts.rx,
                .tx = (int)l.counts.tx,
                .frame = (int)l.counts.frame,
                .overrun = (int)l.counts.overrun,
                .parity = (int)l.counts.parity,
                .brk = (int)l.counts.brk,
                .buf_overrun = (int)l.counts.buf_overrun,
        };
        return 0;
}

static int get_winsize(const struct call *c, const union arg *in, union arg *out)
{
        c->port->get_winsize(c->userdata, &out->winsize);
        return 0;
}

static int set_winsize(const struct call *c, const union arg *in, union arg *out)
{
        c->port->set_winsize(c->userdata, &in->winsize);
        return 0;
}

static int input_queue(const struct call *c, const union arg *in, union arg *out)
{
        out->value = (int)MIN(c->port->input_pending(c->userdata), (size_t)INT32_MAX);
        return 0;
}

static int output_queue(const struct call *c, const union arg *in, union arg *out)
{
        out->value = (int)MIN(c->port->output_pending(c->userdata), (size_t)INT32_MAX);
        return 0;
}

static int flush(const struct call *c, const union arg *in, union arg *out)
{
        if (c->value > TCIOFLUSH)
                return -EINVAL;
        /* our output has left already: only the input has something to drop */
        if (c->value == TCIFLUSH || c->value == TCIOFLUSH)
                c->port->flush_input(c->userdata);
        c->port->flushed(c->userdata, (int)c->value);
        return 0;
}

static int flow(const struct call *c, const union arg *in, union arg *out)
{
        struct termios2 t;

        switch (c->value) {
        case TCOOFF:
                c->port->stop_output(c->userdata, true);
                return 0;
        case TCOON:
                c->port->stop_output(c->userdata, false);
                return 0;
        case TCIOFF:
        case TCION:
                c->port->get_termios(c->userdata, &t);
                c->port->send_char(c->userdata, t.c_cc[c->value == TCIOFF ? VSTOP : VSTART]);
                return 0;
        default:
                return -EINVAL;
        }
}

static int send_break(const struct call *c, const union arg *in, union arg *out)
{
        /* TCSBRK 0 sends a break; anything else is tcdrain(), which the drain row has done */
        if (c->value == 0)
                c->port->send_break(c->userdata, 250);
        return 0;
}

static int send_break_tenths(const struct call *c, const union arg *in, union arg *out)
{
        c->port->send_break(c->userdata, c->value ? (uint32_t)c->value * 100 : 250);
        return 0;
}

static int break_on(const struct call *c, const union arg *in, union arg *out)
{
        /* the stream carries one break event when the line goes into break, not one per call */
        if (!c->port->set_break(c->userdata, true))
                c->port->send_break(c->userdata, 0);
        return 0;
}

static int break_off(const struct call *c, const union arg *in, union arg *out)
{
        (void)c->port->set_break(c->userdata, false);
        return 0;
}

static int exclusive_on(const struct call *c, const union arg *in, union arg *out)
{
        c->port->set_exclusive(c->userdata, true);
        return 0;
}

static int exclusive_off(const struct call *c, const union arg *in, union arg *out)
{
        c->port->set_exclusive(c->userdata, false);
        return 0;
}

/* What setserial and USB-serial-aware programs expect to see: a 16550A with a 4 MHz clock. */
static int get_serial(const struct call *c, const union arg *in, union arg *out)
{
        out->serial = (struct serial_struct){
                .type = PORT_16550A,
                .line = 0,
                .flags = ASYNC_SKIP_TEST,
                .xmit_fifo_size = 16,
                .baud_base = 4000000 / 16,
                .close_delay = 50,
                .closing_wait = 3000,
        };
        return 0;
}

/* Accepted and ignored, as USB serial adapters do (low-latency flag, closing_wait). */
static int ignore(const struct call *c, const union arg *in, union arg *out)
{
        return 0;
}

#define SIZE_OF(member) sizeof(((union arg *)NULL)->member)

/* FIONREAD is TIOCINQ. A row moves data one way only; the retry asks for both when a row has both. */
/* clang-format off */
static const struct row rows[] = {
        { TCGETS,      0,                      KERNEL_TERMIOS_SIZE,    get_termios },
        { TCSETS,      KERNEL_TERMIOS_SIZE,    0,                      set_termios },
        { TCSETSW,     KERNEL_TERMIOS_SIZE,    0,                      set_termios, true },
        { TCSETSF,     KERNEL_TERMIOS_SIZE,    0,                      set_termios, true },
        { TCGETS2,     0,                      KERNEL_TERMIOS2_SIZE,   get_termios },
        { TCSETS2,     KERNEL_TERMIOS2_SIZE,   0,                      set_termios },
        { TCSETSW2,    KERNEL_TERMIOS2_SIZE,   0,                      set_termios, true },
        { TCSETSF2,    KERNEL_TERMIOS2_SIZE,   0,                      set_termios, true },
        { TIOCMGET,    0,                      SIZE_OF(value),         modem_get },
        { TIOCMSET,    SIZE_OF(value),         0,                      modem_set },
        { TIOCMBIS,    SIZE_OF(value),         0,                      modem_set },
        { TIOCMBIC,    SIZE_OF(value),         0,                      modem_set },
        { TIOCMIWAIT,  0,                      0,                      modem_wait },
        { TIOCGICOUNT, 0,                      SIZE_OF(icount),        get_icount },
        { TIOCGWINSZ,  0,                      SIZE_OF(winsize),       get_winsize },
        { TIOCSWINSZ,  SIZE_OF(winsize),       0,                      set_winsize },
        { FIONREAD,    0,                      SIZE_OF(value),         input_queue },
        { TIOCOUTQ,    0,                      SIZE_OF(value),         output_queue },
        { TCFLSH,      0,                      0,                      flush },
        { TCXONC,      0,                      0,                      flow },
        { TCSBRK,      0,                      0,                      send_break, true },
        { TCSBRKP,     0,                      0,                      send_break_tenths, true },
        { TIOCSBRK,    0,                      0,                      break_on, true },
        { TIOCCBRK,    0,                      0,                      break_off },
        { TIOCEXCL,    0,                      0,                      exclusive_on },
        { TIOCNXCL,    0,                      0,                      exclusive_off },
        { TIOCGSERIAL, 0,                      SIZE_OF(serial),        get_serial },
        { TIOCSSERIAL, SIZE_OF(serial),        0,                      ignore },
};
/* clang-format on */

static const struct row *row_of(unsigned cmd)
{
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                if (rows[i].cmd == cmd)
                        return &rows[i];
        return NULL;
}

int vw_cuse_ioctl_row(size_t i, unsigned *ret_cmd, size_t *ret_in, size_t *ret_out)
{
        if (i >= ELEMENTSOF(rows))
                return -ERANGE;
        *ret_cmd = rows[i].cmd;
        *ret_in = rows[i].in_size;
        *ret_out = rows[i].out_size;
        return 0;
}

/* The retry protocol: name the caller's memory at arg, `in` bytes to copy to us and `out` of room. */
static void ask_retry(const struct row *row, void *arg, const struct vw_cuse_reply_ops *reply, void *req)
{
        struct iovec in = { .iov_base = arg, .iov_len = row->in_size };
        struct iovec out = { .iov_base = arg, .iov_len = row->out_size };

        reply->retry(req, row->in_size ? &in : NULL, row->in_size ? 1 : 0, row->out_size ? &out : NULL,
                     row->out_size ? 1 : 0);
}

int vw_cuse_ioctl_dispatch(const struct vw_cuse_ioctl *call, const struct vw_cuse_reply_ops *reply, void *req,
                           const struct vw_cuse_port_ops *port, void *userdata)
{
        const struct row *row = row_of(call->cmd);
        union arg in = {}, out = {};
        struct call c;
        int r;

        if (!row) {
                reply->error(req, ENOTTY);
                return -ENOTTY;
        }
        /* more than asked for is fine (the kernel gives exactly that); less is asked for again */
        if (call->in_size < row->in_size || call->out_size < row->out_size) {
                ask_retry(row, call->arg, reply, req);
                return VW_CUSE_IOCTL_RETRY;
        }
        if (row->in_size > 0)
                memcpy(&in, call->in, row->in_size);
        c = (struct call){
                .row = row,
                .port = port,
                .userdata = userdata,
                .req = req,
                .value = (unsigned long)(uintptr_t)call->arg,
        };
        if (row->drain) {
                r = port->wait_drain(userdata, req, call);
                if (r == VW_CUSE_IOCTL_PARKED)
                        return r;
                if (r < 0) {
                        reply->error(req, -r);
                        return r;
                }
        }
        r = row->handler(&c, &in, &out);
        if (r < 0) {
                reply->error(req, -r);
                return r;
        }
        if (r == VW_CUSE_IOCTL_PARKED)
                return r;
        reply->ok(req, row->out_size ? &out : NULL, row->out_size);
        return VW_CUSE_IOCTL_ANSWERED;
}
