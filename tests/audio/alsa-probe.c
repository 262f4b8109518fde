/* SPDX-License-Identifier: MIT */
/*
 * alsa-probe DEVICE: what an ALSA program relies on, checked through alsa-lib's own API on a
 * cable's PCM (run by test-audio-cable's alsa_api case against a running vwired):
 *  - poll: the descriptors report POLLIN/POLLOUT only when avail >= avail_min, and always then;
 *    a reader that waits in poll() wakes about once per avail_min, not in a busy loop;
 *  - delay(): capture, the frames captured and not yet read; playback, written and not yet
 *    played, exactly so before the stream starts;
 *  - xruns: a reader that stops reading, and a writer that stops writing, get -EPIPE, and
 *    snd_pcm_prepare() makes the stream work again.
 * Prints one line per check; exit 0 when all hold, 1 at the first that does not.
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE 48000
#define CHANNELS 2
#define PERIOD 1024
#define BUFFER 16384 /* 340 ms: the cable's largest, so a loaded machine does not overrun it */

#define CHECK(cond, ...)                                                     \
        do {                                                                 \
                if (!(cond)) {                                               \
                        fprintf(stderr, "alsa-probe: FAILED: " __VA_ARGS__); \
                        fprintf(stderr, " (%s:%d)\n", __FILE__, __LINE__);   \
                        exit(1);                                             \
                }                                                            \
        } while (0)

static int16_t buf[BUFFER * CHANNELS];

static void sleep_ms(unsigned ms)
{
        struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
        }
}

static snd_pcm_t *open_pcm(const char *dev, snd_pcm_stream_t stream, snd_pcm_uframes_t start_threshold)
{
        snd_pcm_hw_params_t *hw;
        snd_pcm_sw_params_t *sw;
        snd_pcm_uframes_t period = PERIOD, buffer = BUFFER;
        unsigned rate = RATE;
        snd_pcm_t *pcm;
        int r;

        r = snd_pcm_open(&pcm, dev, stream, SND_PCM_NONBLOCK);
        CHECK(r == 0, "open %s: %s", dev, snd_strerror(r));
        snd_pcm_hw_params_alloca(&hw);
        snd_pcm_hw_params_any(pcm, hw);
        CHECK(snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED) == 0, "access");
        CHECK(snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE) == 0, "format");
        CHECK(snd_pcm_hw_params_set_channels(pcm, hw, CHANNELS) == 0, "channels");
        CHECK(snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, NULL) == 0 && rate == RATE, "rate");
        CHECK(snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, NULL) == 0 && period == PERIOD, "period %lu",
              (unsigned long)period);
        CHECK(snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer) == 0 && buffer == BUFFER, "buffer %lu",
              (unsigned long)buffer);
        r = snd_pcm_hw_params(pcm, hw);
        CHECK(r == 0, "hw_params: %s", snd_strerror(r));
        snd_pcm_sw_params_alloca(&sw);
        snd_pcm_sw_params_current(pcm, sw);
        CHECK(snd_pcm_sw_params_set_avail_min(pcm, sw, PERIOD) == 0, "avail_min");
        CHECK(snd_pcm_sw_params_set_start_threshold(pcm, sw, start_threshold) == 0, "start_threshold");
        r = snd_pcm_sw_params(pcm, sw);
        CHECK(r == 0, "sw_params: %s", snd_strerror(r));
        return pcm;
}

/* poll(timeout) on the PCM's descriptors; the revents alsa-lib makes of them. */
static unsigned short pcm_poll(snd_pcm_t *pcm, int timeout)
{
        struct pollfd pfd[8];
        unsigned short rev = 0;
        int n = snd_pcm_poll_descriptors(pcm, pfd, 8);

        CHECK(n > 0, "poll_descriptors: %d", n);
        CHECK(poll(pfd, (nfds_t)n, timeout) >= 0, "poll: %s", strerror(errno));
        CHECK(snd_pcm_poll_descriptors_revents(pcm, pfd, (unsigned)n, &rev) == 0, "poll_descriptors_revents");
        return rev;
}

static void check_capture(const char *dev)
{
        snd_pcm_t *pcm = open_pcm(dev, SND_PCM_STREAM_CAPTURE, 1);
        unsigned wakeups = 0, readable = 0, agreed = 0;
        long frames = 0;
        snd_pcm_sframes_t a1, a2, d, n;

        CHECK(snd_pcm_start(pcm) == 0, "capture start");
        /* one second of audio read by a program that waits in poll() */
        while (frames < RATE) {
                unsigned short rev = pcm_poll(pcm, 1000);

                wakeups++;
                a1 = snd_pcm_avail_update(pcm);
                CHECK(a1 >= 0, "avail_update: %s", snd_strerror((int)a1));
                if (rev & POLLIN) {
                        /* avail only grows after poll said so */
                        CHECK(a1 >= PERIOD, "POLLIN with avail %ld < avail_min %d", (long)a1, PERIOD);
                        readable++;
                }
                /* and the other way round: avail >= avail_min now means readable now */
                if (a1 >= PERIOD) {
                        CHECK(pcm_poll(pcm, 0) & POLLIN, "avail %ld >= avail_min but not readable", (long)a1);
                        agreed++;
                }
                /* delay() of a capture: captured, not yet read (between two avails taken around it) */
                a1 = snd_pcm_avail(pcm);
                CHECK(snd_pcm_delay(pcm, &d) == 0, "capture delay");
                a2 = snd_pcm_avail(pcm);
                CHECK(a1 <= d && d <= a2, "capture delay %ld not within avail %ld..%ld", (long)d, (long)a1, (long)a2);
                n = snd_pcm_readi(pcm, buf, PERIOD);
                if (n == -EAGAIN)
                        continue;
                CHECK(n > 0, "readi: %s", snd_strerror((int)n));
                frames += n;
        }
        printf("capture: 1 s read in %u wake-ups (%u readable, %u checked both ways), delay() within avail\n", wakeups,
               readable, agreed);
        /* at most about one per avail_min (47 a second), plus the races of a loaded machine: no busy loop */
        CHECK(wakeups <= 2 * RATE / PERIOD + 10, "%u wake-ups for one second: a busy loop", wakeups);
        CHECK(readable >= RATE / PERIOD / 2, "only %u readable wake-ups", readable);

        /* a reader that stops reading overruns: -EPIPE, then prepare + start recover */
        sleep_ms(3 * BUFFER * 1000 / RATE);
        do
                n = snd_pcm_readi(pcm, buf, PERIOD);
        while (n > 0);
        CHECK(n == -EPIPE, "a stopped reader got %s, expected EPIPE", snd_strerror((int)n));
        CHECK(snd_pcm_state(pcm) == SND_PCM_STATE_XRUN, "state after the overrun: %s",
              snd_pcm_state_name(snd_pcm_state(pcm)));
        CHECK(pcm_poll(pcm, 0) != 0, "an xrun must wake poll()");
        CHECK(snd_pcm_prepare(pcm) == 0, "prepare after the overrun");
        CHECK(snd_pcm_start(pcm) == 0, "start after the overrun");
        frames = 0;
        for (int i = 0; i < 100 && frames < PERIOD; i++) {
                (void)pcm_poll(pcm, 1000);
                n = snd_pcm_readi(pcm, buf, PERIOD);
                CHECK(n > 0 || n == -EAGAIN, "readi after recovery: %s", snd_strerror((int)n));
                frames += n > 0 ? n : 0;
        }
        CHECK(frames >= PERIOD, "nothing read after recovery");
        printf("capture: overrun -> EPIPE, XRUN state, prepare + start recover\n");
        snd_pcm_close(pcm);
}

static void check_playback(const char *dev)
{
        /* a start threshold above the buffer: the stream starts when we say so */
        snd_pcm_t *pcm = open_pcm(dev, SND_PCM_STREAM_PLAYBACK, 2 * BUFFER);
        snd_pcm_sframes_t n, d, a1, a2;
        unsigned short rev;

        memset(buf, 0, sizeof(buf));
        rev = pcm_poll(pcm, 0);
        CHECK(rev & POLLOUT, "an empty playback buffer must be writable");
        n = snd_pcm_writei(pcm, buf, BUFFER - PERIOD / 2);
        CHECK(n == BUFFER - PERIOD / 2, "writei: %ld", (long)n);
        CHECK(snd_pcm_delay(pcm, &d) == 0 && d == BUFFER - PERIOD / 2, "playback delay before start: %ld, expected %d",
              (long)d, BUFFER - PERIOD / 2);
        /* room PERIOD / 2 < avail_min: not writable */
        CHECK(!(pcm_poll(pcm, 0) & POLLOUT), "writable with avail %ld < avail_min %d", (long)snd_pcm_avail(pcm),
              PERIOD);
        CHECK(snd_pcm_start(pcm) == 0, "playback start");
        /* it waits in poll() until the clock has played enough */
        rev = pcm_poll(pcm, 1000);
        CHECK(rev & POLLOUT, "the cable did not make room within a second");
        a1 = snd_pcm_avail(pcm);
        CHECK(a1 >= PERIOD, "POLLOUT with avail %ld < avail_min %d", (long)a1, PERIOD);
        /* delay() of a playback: written, not yet played = buffer - room */
        CHECK(snd_pcm_delay(pcm, &d) == 0, "playback delay");
        a2 = snd_pcm_avail(pcm);
        CHECK(BUFFER - a2 <= d && d <= BUFFER - a1, "playback delay %ld not within %ld..%ld", (long)d,
              (long)(BUFFER - a2), (long)(BUFFER - a1));
        printf("playback: delay() exact before start, buffer - avail after; POLLOUT only with avail >= avail_min\n");

        /* a writer that stops writing underruns: -EPIPE, then prepare recovers */
        sleep_ms(2 * BUFFER * 1000 / RATE + 50);
        n = snd_pcm_writei(pcm, buf, PERIOD);
        CHECK(n == -EPIPE, "a stopped writer got %s, expected EPIPE", n < 0 ? snd_strerror((int)n) : "frames");
        CHECK(snd_pcm_prepare(pcm) == 0, "prepare after the underrun");
        n = snd_pcm_writei(pcm, buf, PERIOD);
        CHECK(n == PERIOD, "writei after recovery: %ld", (long)n);
        printf("playback: underrun -> EPIPE, prepare recovers\n");
        snd_pcm_close(pcm);
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: alsa-probe DEVICE\n");
                return 2;
        }
        check_capture(argv[1]);
        check_playback(argv[1]);
        printf("alsa-probe: all checks hold\n");
        return 0;
}
