/* SPDX-License-Identifier: MIT */
/*
 * serial-stream: push a checksummed byte stream through a pair of serial ports the way a plain
 * program does, and say so when it stops moving. One process opens both ends raw (cfmakeraw,
 * VMIN=1, VTIME=0); per direction a writer thread does blocking write()s of --block bytes while
 * a reader thread does blocking read()s of --read bytes (issue 10's stall). --nonblock does the
 * same with O_NONBLOCK and one poll() loop over both ends instead.
 *
 *   serial-stream [--bytes N] [--block N] [--read N] [--both] [--nonblock] [--stall SEC]
 *                 [--rtscts] [--pause-at N --pause SEC] A B
 *
 * --rtscts sets CRTSCTS on both ends; --pause-at makes the (blocking) reader stop for --pause
 * seconds once N bytes arrived, and checks that the writer was held back meanwhile: it may get
 * at most --held bytes (default 1 MiB: the route's buffer and what is in flight) ahead.
 *
 * Every byte is checked in place (the stream is a fixed pseudo-random pattern indexed by its
 * offset), so a lost, doubled or reordered byte is a mismatch at a named offset. Exit status:
 * 0 all arrived intact; 1 a mismatch; 2 no byte moved for --stall seconds (a stall: the
 * counters are printed); 3 usage or a system call failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PATTERN_LEN 65521u /* prime: no block or ring size lines up with it */

struct flow {
        const char *name;
        int wfd, rfd;
        uint64_t total;
        _Atomic uint64_t written, got;
        _Atomic int failed; /* 1 mismatch, 3 error */
        uint32_t crc;
        uint8_t *wbuf, *rbuf;
};

static uint8_t pattern[PATTERN_LEN];
static size_t block_size = 4096, read_size = 65536;
static bool rtscts;
static uint64_t pause_at = UINT64_MAX, held_max = 1u << 20;
static unsigned pause_s;

static void make_pattern(void)
{
        uint32_t x = 2463534242u;

        for (size_t i = 0; i < PATTERN_LEN; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                pattern[i] = (uint8_t)x;
        }
}

/* CRC-32 (IEEE), bitwise: the checksum the report prints, independent of the pattern check. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
        crc = ~crc;
        while (n--) {
                crc ^= *p++;
                for (int k = 0; k < 8; k++)
                        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
        return ~crc;
}

static void fill(uint8_t *buf, uint64_t off, size_t n)
{
        for (size_t i = 0; i < n; i++)
                buf[i] = pattern[(off + i) % PATTERN_LEN];
}

/* Check n received bytes at stream offset off; false (and a message) on the first wrong one. */
static bool check(struct flow *f, const uint8_t *buf, uint64_t off, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (buf[i] != pattern[(off + i) % PATTERN_LEN]) {
                        fprintf(stderr, "%s: byte %" PRIu64 " is 0x%02x, expected 0x%02x\n", f->name, off + i, buf[i],
                                pattern[(off + i) % PATTERN_LEN]);
                        return false;
                }
        f->crc = crc32_update(f->crc, buf, n);
        return true;
}

static int set_raw(int fd)
{
        struct termios t;

        if (tcgetattr(fd, &t) < 0)
                return -errno;
        cfmakeraw(&t);
        t.c_cflag |= CLOCAL | CREAD;
        if (rtscts)
                t.c_cflag |= CRTSCTS;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        cfsetspeed(&t, B115200);
        if (tcsetattr(fd, TCSANOW, &t) < 0)
                return -errno;
        return 0;
}

/* One write step: returns bytes written, 0 for "try later" (EAGAIN), -errno on failure. */
static ssize_t write_step(struct flow *f)
{
        uint64_t off = atomic_load(&f->written);
        size_t n = (size_t)(f->total - off < block_size ? f->total - off : block_size);
        ssize_t k;

        fill(f->wbuf, off, n);
        k = write(f->wfd, f->wbuf, n);
        if (k < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        atomic_fetch_add(&f->written, (uint64_t)k);
        return k;
}

static ssize_t read_step(struct flow *f)
{
        uint64_t off = atomic_load(&f->got);
        size_t want = (size_t)(f->total - off < read_size ? f->total - off : read_size);
        ssize_t k = read(f->rfd, f->rbuf, want);

        if (k < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (k == 0)
                return -EPIPE;
        if (!check(f, f->rbuf, off, (size_t)k)) {
                atomic_store(&f->failed, 1);
                return -EILSEQ;
        }
        atomic_fetch_add(&f->got, (uint64_t)k);
        return k;
}

static void *writer_main(void *arg)
{
        struct flow *f = arg;

        while (atomic_load(&f->written) < f->total && !atomic_load(&f->failed)) {
                ssize_t r = write_step(f);
                if (r < 0) {
                        fprintf(stderr, "%s: write: %s\n", f->name, strerror((int)-r));
                        atomic_store(&f->failed, 3);
                }
        }
        return NULL;
}

/* The reader stops for pause_s seconds: the writer must stop too, within held_max bytes. */
static void reader_pause(struct flow *f)
{
        uint64_t w0, w1;

        sleep(pause_s / 2);
        w0 = atomic_load(&f->written);
        sleep(pause_s - pause_s / 2);
        w1 = atomic_load(&f->written);
        if (w1 - atomic_load(&f->got) > held_max || w1 != w0) {
                fprintf(stderr,
                        "%s: the writer was not held back: %" PRIu64 " bytes ahead, %" PRIu64
                        " written while the reader paused\n",
                        f->name, w1 - atomic_load(&f->got), w1 - w0);
                atomic_store(&f->failed, 1);
        }
        if (rtscts) {
                int lines = 0;
                /* CRTSCTS: the reader's port dropped RTS, so the writer sees CTS down */
                if (ioctl(f->wfd, TIOCMGET, &lines) < 0 || (lines & TIOCM_CTS)) {
                        fprintf(stderr, "%s: CTS still up at the writer while the reader paused\n", f->name);
                        atomic_store(&f->failed, 1);
                }
        }
        printf("%s: paused at %" PRIu64 ", the writer held %" PRIu64 " bytes ahead\n", f->name, atomic_load(&f->got),
               w1 - atomic_load(&f->got));
        pause_at = UINT64_MAX;
}

static void *reader_main(void *arg)
{
        struct flow *f = arg;

        while (atomic_load(&f->got) < f->total && !atomic_load(&f->failed)) {
                if (atomic_load(&f->got) >= pause_at)
                        reader_pause(f);
                ssize_t r = read_step(f);
                if (r < 0 && r != -EILSEQ) {
                        fprintf(stderr, "%s: read: %s\n", f->name, strerror((int)-r));
                        atomic_store(&f->failed, 3);
                }
        }
        return NULL;
}

static bool all_done(struct flow *flows, unsigned n)
{
        for (unsigned i = 0; i < n; i++)
                if (atomic_load(&flows[i].got) < flows[i].total && !atomic_load(&flows[i].failed))
                        return false;
        return true;
}

static uint64_t progress(struct flow *flows, unsigned n)
{
        uint64_t sum = 0;

        for (unsigned i = 0; i < n; i++)
                sum += atomic_load(&flows[i].written) + atomic_load(&flows[i].got);
        return sum;
}

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The O_NONBLOCK variant: one poll() loop; fds[i] is both ends' descriptor. */
static int run_poll(struct flow *flows, unsigned n, const int fds[2], unsigned stall_s)
{
        uint64_t last = now_ms(), seen = 0;

        while (!all_done(flows, n)) {
                struct pollfd pfd[2] = { { .fd = fds[0] }, { .fd = fds[1] } };

                for (unsigned i = 0; i < n; i++) {
                        struct flow *f = &flows[i];
                        if (atomic_load(&f->written) < f->total)
                                pfd[f->wfd == fds[1]].events |= POLLOUT;
                        if (atomic_load(&f->got) < f->total)
                                pfd[f->rfd == fds[1]].events |= POLLIN;
                }
                if (poll(pfd, 2, 1000) < 0 && errno != EINTR) {
                        perror("poll");
                        return 3;
                }
                for (unsigned i = 0; i < n; i++) {
                        struct flow *f = &flows[i];
                        ssize_t r = 0;

                        if (pfd[f->rfd == fds[1]].revents & (POLLIN | POLLERR | POLLHUP))
                                r = read_step(f);
                        if (r >= 0 && (pfd[f->wfd == fds[1]].revents & (POLLOUT | POLLERR)))
                                r = write_step(f);
                        if (r < 0) {
                                if (r != -EILSEQ)
                                        fprintf(stderr, "%s: %s\n", f->name, strerror((int)-r));
                                return r == -EILSEQ ? 1 : 3;
                        }
                }
                if (progress(flows, n) != seen) {
                        seen = progress(flows, n);
                        last = now_ms();
                } else if (now_ms() - last > stall_s * 1000ull) {
                        return 2;
                }
        }
        return 0;
}

/* The blocking variant: a writer and a reader thread per flow; this thread only watches. */
static int run_threads(struct flow *flows, unsigned n, unsigned stall_s)
{
        pthread_t th[4];
        uint64_t last = now_ms(), seen = 0;

        for (unsigned i = 0; i < n; i++) {
                if (pthread_create(&th[2 * i], NULL, writer_main, &flows[i]) != 0 ||
                    pthread_create(&th[2 * i + 1], NULL, reader_main, &flows[i]) != 0) {
                        perror("pthread_create");
                        return 3;
                }
        }
        while (!all_done(flows, n)) {
                usleep(50 * 1000);
                if (progress(flows, n) != seen) {
                        seen = progress(flows, n);
                        last = now_ms();
                } else if (now_ms() - last > stall_s * 1000ull) {
                        return 2; /* threads stay blocked in the kernel: exit() ends them */
                }
        }
        for (unsigned i = 0; i < 2 * n; i++)
                pthread_join(th[i], NULL);
        return 0;
}

static void usage(void)
{
        fprintf(stderr, "usage: serial-stream [--bytes N] [--block N] [--read N] [--both] [--nonblock] "
                        "[--stall SEC] A B\n");
        exit(3);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "bytes", required_argument, NULL, 'n' },
                { "block", required_argument, NULL, 'w' },
                { "read", required_argument, NULL, 'r' },
                { "both", no_argument, NULL, 'b' },
                { "nonblock", no_argument, NULL, 'N' },
                { "stall", required_argument, NULL, 's' },
                { "rtscts", no_argument, NULL, 'c' },
                { "pause-at", required_argument, NULL, 'p' },
                { "pause", required_argument, NULL, 'P' },
                { "held", required_argument, NULL, 'H' },
                {},
        };
        uint64_t total = 64ull << 20;
        unsigned stall_s = 10, n_flows = 1;
        bool both = false, nonblock = false;
        struct flow flows[2] = {};
        int fds[2], c, r;
        uint64_t t0;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                switch (c) {
                case 'n':
                        total = strtoull(optarg, NULL, 0);
                        break;
                case 'w':
                        block_size = strtoul(optarg, NULL, 0);
                        break;
                case 'r':
                        read_size = strtoul(optarg, NULL, 0);
                        break;
                case 'b':
                        both = true;
                        break;
                case 'N':
                        nonblock = true;
                        break;
                case 's':
                        stall_s = (unsigned)strtoul(optarg, NULL, 0);
                        break;
                case 'c':
                        rtscts = true;
                        break;
                case 'p':
                        pause_at = strtoull(optarg, NULL, 0);
                        break;
                case 'P':
                        pause_s = (unsigned)strtoul(optarg, NULL, 0);
                        break;
                case 'H':
                        held_max = strtoull(optarg, NULL, 0);
                        break;
                default:
                        usage();
                }
        }
        if (argc - optind != 2 || block_size == 0 || read_size == 0 || total == 0)
                usage();
        make_pattern();
        for (int i = 0; i < 2; i++) {
                fds[i] = open(argv[optind + i], O_RDWR | O_NOCTTY | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
                r = fds[i] < 0 ? -errno : set_raw(fds[i]);
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", argv[optind + i], strerror(-r));
                        return 3;
                }
        }
        flows[0] = (struct flow){ .name = "a->b", .wfd = fds[0], .rfd = fds[1], .total = total };
        if (both) {
                flows[1] = (struct flow){ .name = "b->a", .wfd = fds[1], .rfd = fds[0], .total = total };
                n_flows = 2;
        }
        for (unsigned i = 0; i < n_flows; i++) {
                flows[i].wbuf = malloc(block_size);
                flows[i].rbuf = malloc(read_size);
                if (!flows[i].wbuf || !flows[i].rbuf)
                        return 3;
        }
        t0 = now_ms();
        r = nonblock ? run_poll(flows, n_flows, fds, stall_s) : run_threads(flows, n_flows, stall_s);
        for (unsigned i = 0; i < n_flows; i++) {
                struct flow *f = &flows[i];
                if (!r && atomic_load(&f->failed))
                        r = atomic_load(&f->failed);
                printf("%s: written %" PRIu64 " read %" PRIu64 " of %" PRIu64 " crc32 %08x\n", f->name,
                       atomic_load(&f->written), atomic_load(&f->got), f->total, f->crc);
        }
        if (r == 2)
                printf("STALLED: no byte moved for %u s\n", stall_s);
        else if (r == 0)
                printf("ok in %" PRIu64 " ms\n", now_ms() - t0);
        fflush(stdout);
        _exit(r);
}
