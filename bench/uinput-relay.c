/* SPDX-License-Identifier: MIT */
/*
 * uinput-relay: the smallest possible input injection daemon, as a floor for bench-input.py.
 * It makes a uinput device (KEY_A, REL_X and 64 multi-touch slots, as the benchmark's vwire
 * device), listens on a unix stream socket, and writes every 16-byte wire record a client sends
 * (codecs/input-wire.h: u64 usec, u16 type, u16 code, s32 value, little-endian) to uinput, one
 * write() per read(). No event loop, no parsing, no routing: what is left is the cost of a
 * second process (a wake-up, a read, a write).
 *
 *   cc -O2 -o uinput-relay bench/uinput-relay.c && ./uinput-relay SOCKET
 * prints the event node (/dev/input/eventN) once the device exists, then serves clients one
 * after the other until killed.
 */
#define _GNU_SOURCE /* accept4() */
#include <dirent.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
        perror(what);
        exit(1);
}

static void abs_axis(int fd, unsigned code, int max)
{
        struct uinput_abs_setup a = { .code = (uint16_t)code, .absinfo = { .maximum = max } };

        if (ioctl(fd, UI_SET_ABSBIT, code) < 0 || ioctl(fd, UI_ABS_SETUP, &a) < 0)
                die("UI_ABS_SETUP");
}

static void print_node(int fd)
{
        char sys[64], path[128];
        struct dirent *de;
        DIR *d;

        if (ioctl(fd, UI_GET_SYSNAME(sizeof(sys)), sys) < 0)
                die("UI_GET_SYSNAME");
        snprintf(path, sizeof(path), "/sys/devices/virtual/input/%s", sys);
        d = opendir(path);
        if (!d)
                die(path);
        while ((de = readdir(d)))
                if (strncmp(de->d_name, "event", 5) == 0) {
                        printf("/dev/input/%s\n", de->d_name);
                        fflush(stdout);
                        break;
                }
        closedir(d);
}

int main(int argc, char **argv)
{
        static const unsigned mt[] = {
                ABS_MT_TOUCH_MAJOR, ABS_MT_TOUCH_MINOR, ABS_MT_WIDTH_MAJOR, ABS_MT_WIDTH_MINOR, ABS_MT_ORIENTATION,
                ABS_MT_POSITION_X, ABS_MT_POSITION_Y, ABS_MT_TOOL_TYPE, ABS_MT_BLOB_ID, ABS_MT_PRESSURE,
                ABS_MT_DISTANCE, ABS_MT_TOOL_X, ABS_MT_TOOL_Y,
        };
        struct uinput_setup setup = { .id = { .bustype = BUS_VIRTUAL }, .name = "bench uinput relay" };
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int ui, ls;

        if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "usage: uinput-relay SOCKET\n");
                return 2;
        }
        ui = open("/dev/uinput", O_RDWR | O_CLOEXEC);
        if (ui < 0)
                die("/dev/uinput");
        if (ioctl(ui, UI_SET_EVBIT, EV_KEY) < 0 || ioctl(ui, UI_SET_KEYBIT, KEY_A) < 0 ||
            ioctl(ui, UI_SET_EVBIT, EV_REL) < 0 || ioctl(ui, UI_SET_RELBIT, REL_X) < 0 ||
            ioctl(ui, UI_SET_EVBIT, EV_ABS) < 0)
                die("UI_SET_*");
        abs_axis(ui, ABS_MT_SLOT, 63);
        abs_axis(ui, ABS_MT_TRACKING_ID, 65535);
        for (size_t i = 0; i < sizeof(mt) / sizeof(mt[0]); i++)
                abs_axis(ui, mt[i], 4095);
        if (ioctl(ui, UI_DEV_SETUP, &setup) < 0 || ioctl(ui, UI_DEV_CREATE) < 0)
                die("UI_DEV_CREATE");

        ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        strcpy(sa.sun_path, argv[1]);
        unlink(argv[1]);
        if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 4) < 0)
                die(argv[1]);
        print_node(ui);

        for (;;) {
                static uint8_t buf[16 * 4096 + 16];
                static struct input_event ev[4096];
                size_t have = 0;
                int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

                if (c < 0)
                        die("accept");
                for (;;) {
                        ssize_t n = read(c, buf + have, sizeof(buf) - 16 - have);
                        size_t k = 0;

                        if (n <= 0)
                                break;
                        have += (size_t)n;
                        for (; (k + 1) * 16 <= have; k++) {
                                const uint8_t *r = buf + k * 16;
                                ev[k] = (struct input_event){
                                        .type = (uint16_t)(r[8] | r[9] << 8),
                                        .code = (uint16_t)(r[10] | r[11] << 8),
                                        .value = (int32_t)((uint32_t)r[12] | (uint32_t)r[13] << 8 |
                                                           (uint32_t)r[14] << 16 | (uint32_t)r[15] << 24),
                                };
                        }
                        if (k > 0 && write(ui, ev, k * sizeof(ev[0])) < 0)
                                die("write");
                        memmove(buf, buf + k * 16, have - k * 16);
                        have -= k * 16;
                }
                close(c);
        }
}
