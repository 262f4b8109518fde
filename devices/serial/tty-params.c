/* SPDX-License-Identifier: MIT */
#include <asm/termbits.h>
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "macro.h"
#include "tty-params.h"

static const struct { unsigned code; uint32_t baud; } bauds[] = {
        { B50, 50 }, { B75, 75 }, { B110, 110 }, { B134, 134 }, { B150, 150 }, { B200, 200 },
        { B300, 300 }, { B600, 600 }, { B1200, 1200 }, { B1800, 1800 }, { B2400, 2400 },
        { B4800, 4800 }, { B9600, 9600 }, { B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 },
        { B115200, 115200 }, { B230400, 230400 }, { B460800, 460800 }, { B500000, 500000 },
        { B576000, 576000 }, { B921600, 921600 }, { B1000000, 1000000 }, { B1152000, 1152000 },
        { B1500000, 1500000 }, { B2000000, 2000000 }, { B2500000, 2500000 }, { B3000000, 3000000 },
        { B3500000, 3500000 }, { B4000000, 4000000 },
};

uint32_t vw_baud_of_code(unsigned code)
{
        for (size_t i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++)
                if (bauds[i].code == code)
                        return bauds[i].baud;
        return 0;
}

void vw_termios2_to_params(const struct termios2 *t, struct vw_line_params *ret)
{
        unsigned code = t->c_cflag & CBAUD;

        *ret = (struct vw_line_params){};
        ret->baud = code == BOTHER ? t->c_ospeed : vw_baud_of_code(code);
        switch (t->c_cflag & CSIZE) {
        case CS5: ret->data_bits = 5; break;
        case CS6: ret->data_bits = 6; break;
        case CS7: ret->data_bits = 7; break;
        default: ret->data_bits = 8; break;
        }
        if (!(t->c_cflag & PARENB))
                ret->parity = 'N';
        else if (t->c_cflag & CMSPAR)
                ret->parity = (t->c_cflag & PARODD) ? 'M' : 'S';
        else
                ret->parity = (t->c_cflag & PARODD) ? 'O' : 'E';
        ret->stop_bits = (t->c_cflag & CSTOPB) ? 2 : 1;
        ret->rtscts = !!(t->c_cflag & CRTSCTS);
        ret->xonxoff = !!(t->c_iflag & IXON);
}

void vw_params_to_termios2(const struct vw_line_params *lp, struct termios2 *t)
{
        if (lp->baud != 0) {
                unsigned code = BOTHER;

                for (size_t i = 0; i < ELEMENTSOF(bauds); i++)
                        if (bauds[i].baud == lp->baud)
                                code = bauds[i].code;
                /* input speed = output speed (IBSHIFT bits 0), both set for drivers that read c_ispeed */
                t->c_cflag &= ~(tcflag_t)(CBAUD | (CBAUD << IBSHIFT));
                t->c_cflag |= code;
                t->c_ispeed = t->c_ospeed = lp->baud;
        }
        t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CRTSCTS);
        switch (lp->data_bits) {
        case 5:
                t->c_cflag |= CS5;
                break;
        case 6:
                t->c_cflag |= CS6;
                break;
        case 7:
                t->c_cflag |= CS7;
                break;
        default:
                t->c_cflag |= CS8;
                break;
        }
        switch (lp->parity) {
        case 'E':
                t->c_cflag |= PARENB;
                break;
        case 'O':
                t->c_cflag |= PARENB | PARODD;
                break;
        case 'M':
                t->c_cflag |= PARENB | PARODD | CMSPAR;
                break;
        case 'S':
                t->c_cflag |= PARENB | CMSPAR;
                break;
        default:
                break;
        }
        if (lp->stop_bits == 2)
                t->c_cflag |= CSTOPB;
        if (lp->rtscts)
                t->c_cflag |= CRTSCTS;
        t->c_iflag &= ~(tcflag_t)(IXON | IXOFF | INPCK);
        if (lp->xonxoff)
                t->c_iflag |= IXON | IXOFF;
        if (t->c_cflag & PARENB)
                t->c_iflag |= INPCK;
}

int vw_tty_get_params(int fd, struct vw_line_params *ret)
{
        struct termios2 t;

        if (ioctl(fd, TCGETS2, &t) < 0)
                return negative_errno();
        vw_termios2_to_params(&t, ret);
        return 0;
}

const char *vw_line_params_to_string(const struct vw_line_params *p, char *buf, size_t size)
{
        snprintf(buf, size, "%u %u%c%u%s%s", p->baud, p->data_bits, p->parity ? p->parity : 'N',
                 p->stop_bits, p->rtscts ? " rtscts" : "", p->xonxoff ? " xonxoff" : "");
        return buf;
}

json_object *vw_line_params_to_json(const struct vw_line_params *p)
{
        json_object *o = json_object_new_object();
        char parity[2] = { (char)(p->parity ? p->parity : 'N'), 0 }, buf[64];

        json_object_object_add(o, "baud", json_object_new_int64(p->baud));
        json_object_object_add(o, "data_bits", json_object_new_int(p->data_bits));
        json_object_object_add(o, "parity", json_object_new_string(parity));
        json_object_object_add(o, "stop_bits", json_object_new_int(p->stop_bits));
        json_object_object_add(o, "rtscts", json_object_new_boolean(p->rtscts));
        json_object_object_add(o, "xonxoff", json_object_new_boolean(p->xonxoff));
        json_object_object_add(o, "text", json_object_new_string(vw_line_params_to_string(p, buf, sizeof(buf))));
        return o;
}
