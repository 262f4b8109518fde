/* SPDX-License-Identifier: MIT */
/*
 * audio-latency: the measuring end of bench/bench-audio.py, one process, one thread, both PCMs
 * in one poll() loop, as a program would drive them:
 *
 *   audio-latency PLAYBACK CAPTURE PERIOD SECONDS
 *
 * Plays S16_LE stereo 48 kHz into PLAYBACK, one period at a time, keeping its buffer at two
 * periods (the shallowest an ALSA program runs with); every 100 ms one frame of that stream is
 * an impulse (a full-scale sample), the rest silence. Reads CAPTURE with the same period and
 * timestamps (CLOCK_MONOTONIC) the read that brings each impulse: latency = that time - the time
 * the impulse was written. Also counts every frame read and the time from the first read to
 * the last: the pacing of the capture end against CLOCK_MONOTONIC.
 *
 * Prints one JSON object: latencies in microseconds, frames, elapsed ns, xruns, its own CPU.
 * Exit 1 on an error. PLAYBACK "-" measures pacing only (no writer).
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define RATE 48000
#define CHANNELS 2
#define IMPULSE_EVERY (RATE / 10)
#define MAX_IMPULSES 100000
#define MAX_PERIOD 8192

static int16_t out[MAX_PERIOD * CHANNELS], in[MAX_PERIOD * CHANNELS];
static uint64_t sent[MAX_IMPULSES], lat[MAX_IMPULSES];

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static snd_pcm_t *open_pcm(const char *dev, snd_pcm_stream_t stream, snd_pcm_uframes_t period)
{
        snd_pcm_hw_params_t *hw;
        snd_pcm_sw_params_t *sw;
        snd_pcm_uframes_t buffer = (stream == SND_PCM_STREAM_PLAYBACK ? 2 : 4) * period, p = period;
        unsigned rate = RATE;
        snd_pcm_t *pcm;
        int r;

        if ((r = snd_pcm_open(&pcm, dev, stream, SND_PCM_NONBLOCK)) < 0) {
                fprintf(stderr, "audio-latency: %s: %s\n", dev, snd_strerror(r));
                exit(1);
        }
        snd_pcm_hw_params_alloca(&hw);
        snd_pcm_hw_params_any(pcm, hw);
        if (snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED) < 0 ||
            snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE) < 0 ||
            snd_pcm_hw_params_set_channels(pcm, hw, CHANNELS) < 0 ||
            snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, NULL) < 0 || rate != RATE ||
            snd_pcm_hw_params_set_period_size_near(pcm, hw, &p, NULL) < 0 ||
            snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer) < 0 || snd_pcm_hw_params(pcm, hw) < 0) {
                fprintf(stderr, "audio-latency: %s: cannot set S16_LE 2ch 48 kHz period %lu\n", dev,
                        (unsigned long)period);
                exit(1);
        }
        snd_pcm_sw_params_alloca(&sw);
        snd_pcm_sw_params_current(pcm, sw);
        snd_pcm_sw_params_set_avail_min(pcm, sw, p);
        snd_pcm_sw_params_set_start_threshold(pcm, sw, stream == SND_PCM_STREAM_PLAYBACK ? p : 1);
        if ((r = snd_pcm_sw_params(pcm, sw)) < 0) {
                fprintf(stderr, "audio-latency: %s: sw_params: %s\n", dev, snd_strerror(r));
                exit(1);
        }
        if (p != period)
                fprintf(stderr, "audio-latency: %s: period %lu instead of %lu\n", dev, (unsigned long)p,
                        (unsigned long)period);
        return pcm;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

        return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
        snd_pcm_t *play = NULL, *cap;
        snd_pcm_uframes_t period;
        uint64_t t_end, t_first = 0, t_last = 0, written = 0, frames = 0, first_n = 0;
        unsigned n_sent = 0, n_lat = 0, xruns = 0, lost = 0;
        double seconds;
        struct rusage ru;
        struct pollfd pfd[16];
        /* least squares of frames read against time: the capture end's rate, whatever the
         * wake-ups; one fit per stretch between two xruns (an xrun loses frames), and their
         * slopes averaged by duration */
        double sx = 0, sy = 0, sxx = 0, sxy = 0, nreads = 0, seg_t0 = 0, seg_f0 = 0, wsum = 0, wrate = 0;

        if (argc != 5) {
                fprintf(stderr, "usage: audio-latency PLAYBACK|- CAPTURE PERIOD SECONDS\n");
                return 2;
        }
        period = strtoul(argv[3], NULL, 10);
        seconds = strtod(argv[4], NULL);
        if (period < 16 || period > MAX_PERIOD)
                return 2;
        cap = open_pcm(argv[2], SND_PCM_STREAM_CAPTURE, period);
        if (strcmp(argv[1], "-") != 0)
                play = open_pcm(argv[1], SND_PCM_STREAM_PLAYBACK, period);
        snd_pcm_start(cap);
        t_end = now_ns() + (uint64_t)(seconds * 1e9);

        while (now_ns() < t_end) {
                int nc = snd_pcm_poll_descriptors(cap, pfd, 8), np = 0;
                unsigned short rev = 0;
                snd_pcm_sframes_t n;

                if (play)
                        np = snd_pcm_poll_descriptors(play, pfd + nc, 8);
                if (poll(pfd, (nfds_t)nc + (nfds_t)np, 1000) < 0 && errno != EINTR)
                        return 1;
                /* playback: a period whenever one fits; every 100 ms (rounded to periods) the
                 * first frame of a period is an impulse */
                while (play) {
                        snd_pcm_sframes_t a = snd_pcm_avail_update(play);
                        bool imp = written % IMPULSE_EVERY < period;

                        if (a == -EPIPE) {
                                xruns++;
                                snd_pcm_prepare(play);
                                continue;
                        }
                        if (a < (snd_pcm_sframes_t)period)
                                break;
                        memset(out, 0, period * CHANNELS * sizeof(int16_t));
                        if (imp) {
                                out[0] = out[1] = INT16_MAX;
                                if (n_sent < MAX_IMPULSES)
                                        sent[n_sent++] = now_ns();
                        }
                        n = snd_pcm_writei(play, out, period);
                        if (n == -EPIPE) {
                                xruns++;
                                snd_pcm_prepare(play);
                                if (imp)
                                        n_sent--;
                                continue;
                        }
                        if (n < 0)
                                break;
                        written += (uint64_t)n;
                }
                (void)snd_pcm_poll_descriptors_revents(cap, pfd, (unsigned)nc, &rev);
                for (;;) {
                        uint64_t t;

                        n = snd_pcm_readi(cap, in, period);
                        if (n == -EAGAIN)
                                break;
                        if (n == -EPIPE) {
                                double dur = frames ? (double)(t_last - t_first) / 1e9 - seg_t0 : 0;

                                if (nreads > 2 && dur >= 1.0) {
                                        wrate += dur * (nreads * sxy - sx * sy) / (nreads * sxx - sx * sx);
                                        wsum += dur;
                                }
                                sx = sy = sxx = sxy = nreads = 0;
                                seg_t0 = -1;
                                xruns++;
                                snd_pcm_prepare(cap);
                                snd_pcm_start(cap);
                                break;
                        }
                        if (n < 0) {
                                fprintf(stderr, "audio-latency: read: %s\n", snd_strerror((int)n));
                                return 1;
                        }
                        t = now_ns();
                        if (frames == 0) {
                                t_first = t;
                                first_n = (uint64_t)n;
                        }
                        t_last = t;
                        frames += (uint64_t)n;
                        {
                                double x = (double)(t - t_first) / 1e9, y;

                                if (seg_t0 < 0)
                                        seg_t0 = x, seg_f0 = (double)frames;
                                x -= seg_t0;
                                y = (double)frames - seg_f0;
                                sx += x, sy += y, sxx += x * x, sxy += x * y, nreads++;
                        }
                        /* an impulse belongs to the last one sent before this read: they are 100 ms
                         * apart, so an xrun that loses one does not shift the others */
                        for (snd_pcm_sframes_t i = 0; i < n; i++) {
                                unsigned k = n_sent;

                                if (in[i * CHANNELS] <= INT16_MAX / 2)
                                        continue;
                                while (k > 0 && sent[k - 1] > t)
                                        k--;
                                if (k > 0 && n_lat < MAX_IMPULSES && t - sent[k - 1] < 100000000u)
                                        lat[n_lat++] = (t - sent[k - 1]) / 1000;
                                else
                                        lost++;
                        }
                }
        }
        {
                double dur = frames ? (double)(t_last - t_first) / 1e9 - seg_t0 : 0;

                if (nreads > 2 && seg_t0 >= 0 && dur >= 1.0) {
                        wrate += dur * (nreads * sxy - sx * sy) / (nreads * sxx - sx * sx);
                        wsum += dur;
                }
        }
        getrusage(RUSAGE_SELF, &ru);
        qsort(lat, n_lat, sizeof(uint64_t), cmp_u64);
        printf("{\"period\": %lu, \"impulses_sent\": %u, \"impulses_seen\": %u, \"impulses_unmatched\": %u, \"xruns\": "
               "%u, "
               "\"frames\": %llu, \"first_read\": %llu, \"first_to_last_ns\": %llu, \"rate_fit\": %.4f, "
               "\"fit_seconds\": %.1f, \"cpu_us\": %llu, \"latency_us\": [",
               (unsigned long)period, n_sent, n_lat, lost, xruns, (unsigned long long)frames,
               (unsigned long long)first_n, (unsigned long long)(t_last - t_first), wsum > 0 ? wrate / wsum : 0.0, wsum,
               (unsigned long long)(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 +
                                    ru.ru_stime.tv_usec));
        for (unsigned i = 0; i < n_lat; i++)
                printf("%s%llu", i ? ", " : "", (unsigned long long)lat[i]);
        printf("]}\n");
        if (play)
                snd_pcm_close(play);
        snd_pcm_close(cap);
        return 0;
}
