/* SPDX-License-Identifier: MIT */
/*
 * Line settings <-> termios2 (devices/serial/tty-params.c), which backend = device applies to a
 * real tty, and the modem-line crossing of a null-modem cable vs a pass-through's lines as they
 * are (devices/serial/serial-line.c). No tty needed.
 */
#include <asm/termbits.h>
#include <string.h>
#include <sys/ioctl.h>

#include "serial-line.h"
#include "test-common.h"
#include "tty-params.h"

static struct vw_line_params lp(uint32_t baud, uint8_t data, char parity, uint8_t stop, bool rtscts, bool xon)
{
        return (struct vw_line_params){ baud, data, parity, stop, rtscts, xon };
}

START_TEST(test_round_trip)
{
        const struct vw_line_params cases[] = {
                lp(9600, 8, 'N', 1, false, false),   lp(250000, 7, 'E', 2, false, false),
                lp(115200, 8, 'O', 1, true, false),  lp(31250, 5, 'M', 1, false, true),
                lp(4000000, 6, 'S', 2, true, true),  lp(1, 8, 'N', 1, false, false),
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct termios2 t = { .c_cflag = B38400 | CS8 | CREAD | CLOCAL | HUPCL, .c_iflag = IGNBRK };
                struct vw_line_params back;

                vw_params_to_termios2(&cases[i], &t);
                vw_termios2_to_params(&t, &back);
                ck_assert_msg(vw_line_params_equal(&cases[i], &back), "case %zu", i);
                /* what the settings do not name stays */
                ck_assert(t.c_cflag & CREAD && t.c_cflag & CLOCAL && t.c_cflag & HUPCL);
                ck_assert(t.c_iflag & IGNBRK);
                ck_assert_uint_eq(t.c_ispeed, cases[i].baud);
                ck_assert(!!(t.c_iflag & INPCK) == (cases[i].parity != 'N'));
        }
}
END_TEST

START_TEST(test_rate_codes)
{
        struct termios2 t = { .c_cflag = B9600 | CS8 };
        struct vw_line_params p = lp(230400, 8, 'N', 1, false, false);

        /* a rate with a Bxxx code keeps it (drivers and stty know it); others are BOTHER */
        vw_params_to_termios2(&p, &t);
        ck_assert_uint_eq(t.c_cflag & CBAUD, B230400);
        p.baud = 250000;
        vw_params_to_termios2(&p, &t);
        ck_assert_uint_eq(t.c_cflag & CBAUD, BOTHER);
        ck_assert_uint_eq(t.c_ospeed, 250000);
        ck_assert_uint_eq(t.c_cflag & (CBAUD << IBSHIFT), 0); /* input speed = output speed */
        /* an unknown rate (0) leaves the rate alone */
        p.baud = 0;
        vw_params_to_termios2(&p, &t);
        ck_assert_uint_eq(t.c_cflag & CBAUD, BOTHER);
        ck_assert_uint_eq(t.c_ospeed, 250000);
}
END_TEST

START_TEST(test_crossing)
{
        ck_assert_uint_eq(vw_serial_crossed(TIOCM_RTS), TIOCM_CTS);
        ck_assert_uint_eq(vw_serial_crossed(TIOCM_DTR), TIOCM_DSR | TIOCM_CD);
        /* a pass-through's inputs arrive as they are: DCD without DSR, RI */
        ck_assert_uint_eq(vw_serial_crossed(VW_MODEM_DIRECT | TIOCM_CD | TIOCM_RI | TIOCM_DTR), TIOCM_CD | TIOCM_RI);
        ck_assert_uint_eq(vw_serial_crossed(VW_MODEM_DIRECT | TIOCM_RTS), 0);
}
END_TEST

START_TEST(test_peer_modem_counts)
{
        struct vw_serial_line l = {};
        uint32_t changed = vw_serial_line_peer_modem(&l, VW_MODEM_DIRECT | TIOCM_RI | TIOCM_CTS);

        ck_assert_uint_eq(changed, TIOCM_RI | TIOCM_CTS);
        ck_assert_uint_eq(l.counts.rng, 1);
        ck_assert_uint_eq(l.counts.cts, 1);
        ck_assert_uint_eq(vw_serial_line_peer_modem(&l, VW_MODEM_DIRECT | TIOCM_CTS), TIOCM_RI);
        ck_assert_uint_eq(l.counts.rng, 2);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("tty-params");
        TCase *tc = vw_test_case(s, "params");

        tcase_add_test(tc, test_round_trip);
        tcase_add_test(tc, test_rate_codes);
        tcase_add_test(tc, test_crossing);
        tcase_add_test(tc, test_peer_modem_counts);
        return vw_test_run(s);
}
