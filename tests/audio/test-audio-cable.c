/* SPDX-License-Identifier: MIT */
/*
 * Audio cables with the programs people use: aplay, arecord, speaker-test and sox, through the
 * vwire ALSA plugin as built (ALSA_CONFIG_PATH points alsa-lib at build/alsa/, nothing is
 * installed), against a real vwired. No sound card is involved anywhere.
 *  - a sine aplay'd into a cable comes out of arecord sample for sample, and sox measures its
 *    frequency and level;
 *  - the cable is the clock: 10 s of audio take 10 s (±1 %, beyond the programs' start-up) to
 *    play and to record; with no writer a reader gets silence at rate, with no reader a writer
 *    is consumed at rate;
 *  - a reader held with SIGSTOP counts an overrun and records on after it;
 *  - two readers get the same frames; two writers are mixed, saturating;
 *  - a reader at 44.1 kHz of a 48 kHz cable (ALSA's plug converts) gets the right frequency;
 *  - [file] format = wav / flac records a cable into a file sox reads (the WAV also while it
 *    grows), and a WAV replayed into a cable plays at the cable's clock, sample for sample;
 *  - a missing cable, a stopped vwired and a plugin of another protocol version fail at once
 *    with an error that says so; doctor reports the version skew; aplay -L lists vwire.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define RATE 48000
#define FRAME 4 /* S16_LE stereo */

/* buffer: 1 s (arecord and aplay take all of it, -B), so that programs keep up on a loaded
 * machine: the tests run beside builds and VMs */
static const char cable_conf[] = "[audio c1]\n"
                                 "format = S16_LE\n"
                                 "rate = 48000\n"
                                 "channels = 2\n"
                                 "period = 256\n"
                                 "buffer = 48000\n";

static const char *env_or(const char *name, const char *def)
{
        const char *v = getenv(name);

        return v && *v ? v : def;
}

/* vwired on `conf`, and the plugin pointed at it */
static void cable_start(const char *conf)
{
        vwt_config(conf);
        vwt_start();
        setenv("VWIRE_RUNTIME_DIR", vwt()->run, 1);
        setenv("ALSA_CONFIG_PATH", env_or("VWIRE_TEST_ALSA_CONFIG", ""), 1);
}

/* Where `prog` is on PATH, into buf (the harness runs programs by path). */
static bool find_on_path(const char *prog, char *buf, size_t size)
{
        const char *path = env_or("PATH", "/usr/bin:/bin");

        for (const char *p = path; *p;) {
                size_t n = strcspn(p, ":");

                snprintf(buf, size, "%.*s/%s", (int)n, p, prog);
                if (access(buf, X_OK) == 0)
                        return true;
                p += n + (p[n] == ':');
        }
        return false;
}

static const char *prog(const char *name)
{
        char buf[4096];

        if (!find_on_path(name, buf, sizeof(buf)))
                vwt_fail("%s is not on PATH", name);
        return vwt_strf("%s", buf);
}

/*
 * In a sanitizer build the plugin needs the sanitizer runtimes in the program that loads it:
 * VWIRE_TEST_ALSA_PRELOAD names them. Leak checks are off there: they would report alsa-lib's
 * configuration cache, kept until exit, not the plugin.
 */
static const char *alsa_env(void)
{
        const char *p = env_or("VWIRE_TEST_ALSA_PRELOAD", "");

        return *p ? vwt_strf("LD_PRELOAD='%s' ASAN_OPTIONS=detect_leaks=0 ", p) : "";
}

/* Run an ALSA program (argv[0] a name on PATH) with alsa_env(), through sh. */
static int run_alsa(struct vwt_output *o, int timeout_ms, const char *cmd)
{
        return vwt_runv(o, timeout_ms, NULL, 0,
                        (const char *const[]){ "/bin/sh", "-c", vwt_strf("%sexec %s", alsa_env(), cmd), NULL });
}

static const char *sox(void)
{
        return prog("sox");
}

/* A stereo S16 sine of `secs` seconds at `freq` Hz and amplitude `vol` (of full scale). */
static const char *make_sine(const char *name, double secs, unsigned freq, double vol, unsigned rate)
{
        const char *path = vwt_path(name);
        struct vwt_output o;

        ck_assert_int_eq(vwt_run(&o, sox(), "-n", "-r", vwt_strf("%u", rate), "-c", "2", "-b", "16", "-e",
                                 "signed-integer", path, "synth", vwt_strf("%g", secs), "sine", vwt_strf("%u", freq),
                                 "vol", vwt_strf("%g", vol)),
                         0);
        return path;
}

/* Raw S16 stereo frames, every sample `value`. */
static const char *make_constant(const char *name, size_t frames, int16_t value)
{
        const char *path = vwt_path(name);
        int16_t *s = malloc(frames * FRAME);
        FILE *f = fopen(path, "we");

        ck_assert_ptr_nonnull(s);
        ck_assert_ptr_nonnull(f);
        for (size_t i = 0; i < frames * 2; i++)
                s[i] = value;
        ck_assert_uint_eq(fwrite(s, FRAME, frames, f), frames);
        ck_assert_int_eq(fclose(f), 0);
        free(s);
        return path;
}

struct pcm {
        const uint8_t *data;
        size_t len;
};

/* The samples of a WAV file: the "data" chunk, found by walking the RIFF chunks. */
static struct pcm read_wav(const char *path)
{
        struct stat st;
        char *f;
        size_t off = 12;

        ck_assert_msg(stat(path, &st) == 0, "%s is missing", path);
        f = vwt_read_file(path);
        ck_assert_ptr_nonnull(f);
        ck_assert_msg(st.st_size > 44 && memcmp(f, "RIFF", 4) == 0 && memcmp(f + 8, "WAVE", 4) == 0,
                      "%s is not a WAV file", path);
        while (off + 8 <= (size_t)st.st_size) {
                uint32_t len;

                memcpy(&len, f + off + 4, 4);
                if (memcmp(f + off, "data", 4) == 0) {
                        size_t have = (size_t)st.st_size - off - 8;

                        return (struct pcm){ (const uint8_t *)f + off + 8, MIN((size_t)len, have) };
                }
                off += 8 + len + (len & 1);
        }
        vwt_fail("%s has no data chunk", path);
}

static size_t count_nonzero_frames(struct pcm p)
{
        size_t n = 0;

        for (size_t i = 0; i + FRAME <= p.len; i += FRAME)
                n += memcmp(p.data + i, "\0\0\0\0", FRAME) != 0;
        return n;
}

/*
 * Every frame of src in rec, in order and unchanged, where rec may have runs of silent frames
 * inserted between them (a cable whose route ran short plays silence meanwhile); fails the
 * case otherwise. Returns the frames of silence inserted inside the sound.
 */
static size_t find_in_order(struct pcm rec, struct pcm src, const char *what)
{
        size_t i = 0, j = 0, inserted = 0, n = src.len / FRAME, m = rec.len / FRAME;

        /* the sound starts at its first non-silent frame, in both */
        while (i < n && memcmp(src.data + i * FRAME, "\0\0\0\0", FRAME) == 0)
                i++;
        while (j < m && memcmp(rec.data + j * FRAME, "\0\0\0\0", FRAME) == 0)
                j++;
        for (; i < n; i++, j++) {
                size_t gap = 0;

                while (j < m && memcmp(rec.data + j * FRAME, src.data + i * FRAME, FRAME) != 0 &&
                       memcmp(rec.data + j * FRAME, "\0\0\0\0", FRAME) == 0)
                        j++, gap++;
                ck_assert_msg(j < m && memcmp(rec.data + j * FRAME, src.data + i * FRAME, FRAME) == 0,
                              "%s: frame %zu of the played sound is not in the recording (at %zu)", what, i, j);
                inserted += gap;
        }
        return inserted;
}

/* Where src's samples are in rec, byte for byte and whole; fails the case if they are not. */
static size_t find_exact(struct pcm rec, struct pcm src, const char *what)
{
        /* the first frames of a sine are tiny: anchor on frames from its first hundredth */
        size_t anchor = 480 * FRAME, needle = 256 * FRAME;
        const uint8_t *hit;
        size_t at;

        ck_assert(src.len > anchor + needle);
        hit = memmem(rec.data, rec.len, src.data + anchor, needle);
        ck_assert_msg(hit, "%s: the played samples are not in the recording", what);
        at = (size_t)(hit - rec.data);
        ck_assert_msg(at >= anchor && at - anchor + src.len <= rec.len,
                      "%s: the recording starts or ends inside the played sound", what);
        at -= anchor;
        ck_assert_msg(memcmp(rec.data + at, src.data, src.len) == 0, "%s: the recording differs from what was played",
                      what);
        return at / FRAME;
}

/* sox's `stat` of the left channel of `frames` frames from frame `from`: rough frequency, RMS. */
static void sox_stat(const char *path, size_t from, size_t frames, double *freq, double *rms)
{
        struct vwt_output o;
        const char *f, *r;

        /* the left channel alone: sox's rough frequency of a stereo file is off by sqrt(2) */
        ck_assert_int_eq(vwt_run(&o, sox(), path, "-n", "remix", "1", "trim", vwt_strf("%zus", from),
                                 vwt_strf("%zus", frames), "stat"),
                         0);
        f = strstr(o.err, "Rough   frequency:");
        r = strstr(o.err, "RMS     amplitude:");
        ck_assert_msg(f && r, "sox stat said: %s", o.err);
        {
                char *end1, *end2;

                *freq = strtod(f + strlen("Rough   frequency:"), &end1);
                *rms = strtod(r + strlen("RMS     amplitude:"), &end2);
                ck_assert_msg(end1 != f + strlen("Rough   frequency:") && end2 != r + strlen("RMS     amplitude:"),
                              "sox stat said: %s", o.err);
        }
        vwt_note("sox stat: frequency %g Hz, RMS %g", *freq, *rms);
}

/* A background arecord of the cable (`args` after -D): stderr to <name>.stderr. */
static struct vwt_proc *record_start(const char *device, const char *file, const char *secs, const char *rate)
{
        return vwt_proc_start(0, "/bin/sh", "-c",
                              vwt_strf("%sexec arecord -q -B 1000000 -D %s -f S16_LE -c 2 -r %s -d %s %s 2>%s.stderr",
                                       alsa_env(), device, rate, secs, file, file));
}

static int play(struct vwt_output *o, int timeout_ms, const char *device, const char *file)
{
        return run_alsa(o, timeout_ms, vwt_strf("aplay -q -B 1000000 -D %s %s", device, file));
}

/* A background ALSA player: `cmd` and the file. */
static struct vwt_proc *play_start(const char *cmd, const char *file)
{
        return vwt_proc_start(0, "/bin/sh", "-c", vwt_strf("%sexec %s %s", alsa_env(), cmd, file));
}

static int64_t detail(const char *key)
{
        return vwt_jint(vwt_ctl_json("show", "c1"), vwt_strf("endpoint.details.%s", key));
}

/* Has an arecord of the cable connected? */
static bool readers_are(int64_t n)
{
        return detail("readers") == n;
}

VWT_TEST(sine_roundtrip_exact)
{
        const char *sine = make_sine("sine.wav", 2, 1000, 0.5, RATE), *rec = vwt_path("rec.wav");
        struct vwt_proc *r;
        struct vwt_output o;
        struct pcm got, src;
        double freq, rms;
        size_t at;

        cable_start(cable_conf);
        r = record_start("vwire:c1", rec, "4", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        ck_assert_msg(play(&o, 15000, "vwire:c1", sine) == 0, "aplay failed: %s", o.err);
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);

        src = read_wav(sine);
        got = read_wav(rec);
        ck_assert_uint_eq(got.len, 4 * RATE * FRAME);
        at = find_exact(got, src, "aplay -> arecord");
        sox_stat(rec, at, 2 * RATE, &freq, &rms);
        ck_assert_msg(freq > 990 && freq < 1010, "frequency %g Hz, expected 1000", freq);
        ck_assert_msg(rms > 0.35 && rms < 0.357, "RMS %g, expected 0.3536 (a sine at half scale)", rms);
        ck_assert_int_eq(detail("underruns"), 0);
        ck_assert_int_eq(detail("overruns"), 0);
        vwt_stop();
}

/* Wall time of aplay of `file`, in ms. */
static uint64_t time_play(const char *file)
{
        struct vwt_output o;
        uint64_t t0 = vwt_now_ms();

        ck_assert_msg(play(&o, 30000, "vwire:c1", file) == 0, "aplay failed: %s", o.err);
        return vwt_now_ms() - t0;
}

/* Wall time of arecord -d secs into `file`, in ms. */
static uint64_t time_record(const char *file, const char *secs)
{
        uint64_t t0 = vwt_now_ms();
        struct vwt_proc *r = record_start("vwire:c1", file, secs, "48000");

        ck_assert_int_eq(vwt_proc_wait(r, 30000), 0);
        return vwt_now_ms() - t0;
}

/*
 * 10 s of audio take 10 s +-1 %. Measured as the difference between 11 s and 1 s of it, so
 * that what a program spends starting (loading alsa-lib's configuration, on a loaded machine
 * up to a tenth of a second) is not counted as the cable's pacing. A program that the machine's
 * load held up at start or exit is not the cable's doing either: of up to three pairs, one must
 * be within 1 % (a cable that runs 1 % off fails all three).
 */
#define PACE_TRIES 3

static bool within_one_percent(uint64_t a, uint64_t b)
{
        return b >= a && b - a >= 9900 && b - a <= 10100;
}

VWT_TEST(cable_is_the_clock)
{
        const char *one = make_sine("one.wav", 1, 440, 0.3, RATE),
                   *eleven = make_sine("eleven.wav", 11, 440, 0.3, RATE);
        const char *rec1 = vwt_path("rec1.wav"), *rec11 = vwt_path("rec11.wav");
        uint64_t p1, p11, r1, r11;

        cable_start(cable_conf);
        /* playing with nobody reading: consumed at rate, not at disk speed */
        for (int i = 0;; i++) {
                p1 = time_play(one);
                p11 = time_play(eleven);
                vwt_note("aplay: 1 s in %llu ms, 11 s in %llu ms", (unsigned long long)p1, (unsigned long long)p11);
                if (within_one_percent(p1, p11))
                        break;
                ck_assert_msg(i + 1 < PACE_TRIES, "10 s more audio played in %lld ms more (%d tries)",
                              (long long)(p11 - p1), PACE_TRIES);
        }
        ck_assert_int_ge(detail("discarded_frames"), 12 * RATE - 48000);

        /* recording with nobody playing: silence, at rate */
        for (int i = 0;; i++) {
                r1 = time_record(rec1, "1");
                r11 = time_record(rec11, "11");
                vwt_note("arecord: 1 s in %llu ms, 11 s in %llu ms", (unsigned long long)r1, (unsigned long long)r11);
                if (within_one_percent(r1, r11))
                        break;
                ck_assert_msg(i + 1 < PACE_TRIES, "10 s more recorded in %lld ms more (%d tries)",
                              (long long)(r11 - r1), PACE_TRIES);
        }
        ck_assert_uint_eq(read_wav(rec11).len, 11 * RATE * FRAME);
        ck_assert_uint_eq(count_nonzero_frames(read_wav(rec11)), 0);
        ck_assert_int_ge(detail("silence_frames"), 12 * RATE);
        vwt_stop();
}

VWT_TEST(stopped_reader_overruns_and_recovers)
{
        const char *rec = vwt_path("rec.wav");
        struct vwt_proc *r;
        char *err;

        cable_start(cable_conf);
        r = record_start("vwire:c1", rec, "3", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        vwt_sleep_ms(500);
        /* arecord's buffer is the cable's 1 s: 2.5 s stopped overruns it */
        ck_assert_int_eq(kill(r->pid, SIGSTOP), 0);
        vwt_sleep_ms(2500);
        ck_assert_int_ge(detail("overruns"), 1);
        ck_assert_int_eq(kill(r->pid, SIGCONT), 0);
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        err = vwt_read_file(vwt_strf("%s.stderr", rec));
        ck_assert_msg(err && strstr(err, "overrun"), "arecord did not report the overrun: %s", err ? err : "");
        /* recovered: it recorded its 3 s in full after the overrun */
        ck_assert_uint_eq(read_wav(rec).len, 3 * RATE * FRAME);
        /* one for the stop (a loaded machine may add another while arecord catches up) */
        ck_assert_int_ge(detail("overruns"), 1);
        vwt_stop();
}

VWT_TEST(two_readers_same_frames)
{
        const char *sine = make_sine("sine.wav", 1, 1000, 0.5, RATE);
        const char *rec1 = vwt_path("rec1.wav"), *rec2 = vwt_path("rec2.wav");
        struct vwt_proc *r1, *r2;
        struct vwt_output o;
        struct pcm src;

        cable_start(cable_conf);
        r1 = record_start("vwire:c1", rec1, "3", "48000");
        r2 = record_start("vwire:c1", rec2, "3", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(2)));
        ck_assert_msg(play(&o, 15000, "vwire:c1", sine) == 0, "aplay failed: %s", o.err);
        ck_assert_int_eq(vwt_proc_wait(r1, 15000), 0);
        ck_assert_int_eq(vwt_proc_wait(r2, 15000), 0);
        src = read_wav(sine);
        (void)find_exact(read_wav(rec1), src, "first reader");
        (void)find_exact(read_wav(rec2), src, "second reader");
        vwt_stop();
}

/* Frames of rec whose both samples are `v`. */
static size_t count_frames_of(struct pcm p, int16_t v)
{
        size_t n = 0;

        for (size_t i = 0; i + FRAME <= p.len; i += FRAME) {
                int16_t s[2];

                memcpy(s, p.data + i, FRAME);
                n += s[0] == v && s[1] == v;
        }
        return n;
}

VWT_TEST(two_writers_mix_saturating)
{
        const char *a = make_constant("a.raw", 2 * RATE, 1000), *b = make_constant("b.raw", 2 * RATE, 2000);
        const char *big = make_constant("big.raw", 2 * RATE, 30000), *rec = vwt_path("rec.wav");
        const char *raw = "aplay -q -D vwire:c1 -t raw -f S16_LE -c 2 -r 48000";
        struct vwt_proc *r, *pa, *pb;
        struct pcm got;

        cable_start(cable_conf);
        r = record_start("vwire:c1", rec, "5", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        pa = play_start(raw, a);
        pb = play_start(raw, b);
        ck_assert_int_eq(vwt_proc_wait(pa, 15000), 0);
        ck_assert_int_eq(vwt_proc_wait(pb, 15000), 0);
        /* two writers at 30000: the sum saturates at 32767 */
        pa = play_start(raw, big);
        pb = play_start(raw, big);
        ck_assert_int_eq(vwt_proc_wait(pa, 15000), 0);
        ck_assert_int_eq(vwt_proc_wait(pb, 15000), 0);
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        got = read_wav(rec);
        /* the two start within a few periods of each other: most of the 2 s overlap */
        ck_assert_msg(count_frames_of(got, 3000) > 3 * RATE / 2, "only %zu frames of 1000 + 2000 = 3000",
                      count_frames_of(got, 3000));
        ck_assert_msg(count_frames_of(got, 32767) > 3 * RATE / 2, "only %zu saturated frames",
                      count_frames_of(got, 32767));
        vwt_stop();
}

VWT_TEST(rate_converted_reader)
{
        const char *sine = make_sine("sine.wav", 2, 1000, 0.5, RATE), *rec = vwt_path("rec.wav");
        struct vwt_proc *r;
        struct vwt_output o;
        double freq, rms;

        cable_start(cable_conf);
        /* 6 s for a 2 s sine: on a loaded machine aplay may start a second or two late */
        r = record_start("vwire:c1", rec, "6", "44100");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        ck_assert_msg(play(&o, 15000, "vwire:c1", sine) == 0, "aplay failed: %s", o.err);
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        ck_assert_int_eq(vwt_run(&o, prog("soxi"), "-r", rec), 0);
        ck_assert_str_eq(o.out, "44100\n");
        /* the middle second of the sine, wherever it starts: the loudest stretch */
        ck_assert_uint_gt(count_nonzero_frames(read_wav(rec)), 2 * 44100 - 4410);
        {
                struct pcm p = read_wav(rec);
                size_t first = 0;

                while (first + FRAME <= p.len && memcmp(p.data + first, "\0\0\0\0", FRAME) == 0)
                        first += FRAME;
                sox_stat(rec, first / FRAME + 22050, 44100, &freq, &rms);
        }
        ck_assert_msg(freq > 980 && freq < 1020, "frequency %g Hz at 44.1 kHz, expected 1000", freq);
        ck_assert_msg(rms > 0.33 && rms < 0.37, "RMS %g, expected about 0.354", rms);
        vwt_stop();
}

VWT_TEST(speaker_test_tone)
{
        const char *rec = vwt_path("rec.wav");
        struct vwt_proc *r;
        struct vwt_output o;
        double freq, rms;
        struct pcm p;
        size_t first = 0;

        cable_start(cable_conf);
        r = record_start("vwire:c1", rec, "4", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        ck_assert_msg(run_alsa(&o, 20000, "speaker-test -D vwire:c1 -c 2 -r 48000 -t sine -f 440 -l 1 -s 1") == 0,
                      "speaker-test failed: %s%s", o.out, o.err);
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        p = read_wav(rec);
        while (first + FRAME <= p.len && memcmp(p.data + first, "\0\0\0\0", FRAME) == 0)
                first += FRAME;
        ck_assert_msg(first + RATE * FRAME / 2 < p.len, "speaker-test's tone is not in the recording");
        sox_stat(rec, first / FRAME + 2400, RATE / 4, &freq, &rms);
        ck_assert_msg(freq > 430 && freq < 450, "speaker-test's sine at %g Hz, expected 440", freq);
        vwt_stop();
}

VWT_TEST(wav_and_flac_capture)
{
        const char *sine = make_sine("sine.wav", 2, 1000, 0.5, RATE);
        const char *wav = vwt_path("cap.wav"), *flac = vwt_path("cap.flac"), *dec = vwt_path("dec.wav");
        struct vwt_output o;
        struct pcm src;

        cable_start(vwt_strf("%s\n"
                             "[file cap]\nformat = wav\nmode = capture\npath = %s\n\n"
                             "[file capf]\nformat = flac\nmode = capture\npath = %s\n\n"
                             "[route r1]\nfrom = c1\nto = cap\n\n"
                             "[route r2]\nfrom = c1\nto = capf\n",
                             cable_conf, wav, flac));
        vwt_sleep_ms(300);
        ck_assert_msg(play(&o, 15000, "vwire:c1", sine) == 0, "aplay failed: %s", o.err);
        vwt_sleep_ms(300);
        ck_assert_int_eq(detail("underruns"), 0);
        ck_assert_int_eq(detail("route_dropped_bytes"), 0);
        /* a WAV capture is a valid file while it grows */
        ck_assert_int_eq(vwt_run(&o, prog("soxi"), "-r", wav), 0);
        ck_assert_str_eq(o.out, "48000\n");
        vwt_stop();

        src = read_wav(sine);
        ck_assert_int_eq(vwt_run(&o, prog("soxi"), "-c", wav), 0);
        ck_assert_str_eq(o.out, "2\n");
        (void)find_exact(read_wav(wav), src, "WAV capture");
        ck_assert_int_eq(vwt_run(&o, prog("soxi"), "-t", flac), 0);
        ck_assert_str_eq(o.out, "flac\n");
        ck_assert_int_eq(vwt_run(&o, sox(), flac, dec), 0);
        (void)find_exact(read_wav(dec), src, "FLAC capture");
}

static bool state_of(const char *name, const char *state)
{
        json_object *s = vwt_jget(vwt_ctl_json("show", name), "endpoint.state");

        return s && strcmp(json_object_get_string(s), state) == 0;
}

VWT_TEST(wav_replay_at_the_cable_clock)
{
        const char *sine = make_sine("sine.wav", 2, 1000, 0.5, RATE), *rec = vwt_path("rec.wav");
        struct vwt_proc *r;
        uint64_t t0;

        cable_start(vwt_strf("%s\n[file rep]\nformat = wav\nmode = replay\npath = %s\n", cable_conf, sine));
        r = record_start("vwire:c1", rec, "4", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        t0 = vwt_now_ms();
        vwt_ctl_ok("route", "add", "rp", "from=rep", "to=c1");
        /* 2 s of sound: not at disk speed */
        vwt_sleep_ms(1000);
        ck_assert(!state_of("rep", "closed"));
        ck_assert(VWT_WAIT_FOR(5000, state_of("rep", "closed")));
        vwt_note("replay of 2 s closed after %llu ms", (unsigned long long)(vwt_now_ms() - t0));
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        /* every frame in order; when vwired was held up longer than the route holds (64K,
         * 340 ms), the clock catching up plays silence for what the replay has not put in yet */
        vwt_note("WAV replay: %zu frames of silence inserted",
                 find_in_order(read_wav(rec), read_wav(sine), "WAV replay -> arecord"));
        vwt_stop();
}

VWT_TEST(fails_fast_and_clearly)
{
        const char *sine = make_sine("sine.wav", 1, 1000, 0.5, RATE);
        struct vwt_output o;
        uint64_t t0;

        cable_start(cable_conf);
        t0 = vwt_now_ms();
        ck_assert_int_ne(play(&o, 15000, "vwire:nosuch", sine), 0);
        ck_assert_msg(strstr(o.err, "no cable 'nosuch'") && strstr(o.err, "[audio nosuch]"), "aplay said: %s", o.err);
        ck_assert_uint_lt(vwt_now_ms() - t0, 2000);
        vwt_stop();

        /* vwired gone: its socket went with it */
        ck_assert_int_ne(play(&o, 15000, "vwire:c1", sine), 0);
        ck_assert_msg(strstr(o.err, "vwired is not running"), "aplay said: %s", o.err);
}

VWT_TEST(other_protocol_version)
{
        const char *sine = make_sine("sine.wav", 1, 1000, 0.5, RATE);
        struct vwt_output o;
        json_object *doc;
        const char *text, *plugin, *plugin99;

        cable_start(cable_conf);
        /* vwire99: the same plugin built to speak protocol 99 */
        ck_assert_int_ne(play(&o, 15000, "vwire99:c1", sine), 0);
        ck_assert_msg(strstr(o.err, "this plugin speaks audio protocol 99") &&
                              strstr(o.err, "vwired speaks protocol 1 (vwire "),
                      "aplay said: %s", o.err);
        ck_assert_int_eq(detail("version_mismatches"), 1);
        doc = vwt_ctl_json("doctor");
        text = json_object_to_json_string(doc);
        ck_assert_msg(strstr(text, "audio protocol 99") && strstr(text, "\"warn\""), "doctor: %s", text);

        /* doctor reads the version mark of the plugin file installed, without loading it */
        plugin = getenv("VWIRE_TEST_ALSA_PLUGIN");
        plugin99 = getenv("VWIRE_TEST_ALSA_PLUGIN99");
        ck_assert_ptr_nonnull(plugin);
        ck_assert_ptr_nonnull(plugin99);
        ck_assert_int_eq(mkdir(vwt_path("plugins"), 0755), 0);
        ck_assert_int_eq(symlink(plugin, vwt_path("plugins/libasound_module_pcm_vwire.so")), 0);
        setenv("VWIRE_ALSA_PLUGIN_DIR", vwt_path("plugins"), 1);
        text = json_object_to_json_string(vwt_ctl_json("doctor"));
        ck_assert_msg(strstr(text, "the ALSA plugin ") && strstr(text, "(audio protocol 1), like vwired"), "doctor: %s",
                      text);
        ck_assert_int_eq(unlink(vwt_path("plugins/libasound_module_pcm_vwire.so")), 0);
        ck_assert_int_eq(symlink(plugin99, vwt_path("plugins/libasound_module_pcm_vwire.so")), 0);
        /* a plugin that cannot talk to vwired is a failure: exit 1 */
        ck_assert_int_eq(vwt_ctl(&o, "doctor"), 1);
        ck_assert_msg(strstr(o.out, "FAIL  the installed ALSA plugin is vwire ") &&
                              strstr(o.out, "(audio protocol 99), vwired is vwire "),
                      "doctor: %s", o.out);
        unsetenv("VWIRE_ALSA_PLUGIN_DIR");
        vwt_stop();
}

/*
 * What programs rely on, through alsa-lib's API (tests/audio/alsa-probe.c): poll readable
 * exactly when avail >= avail_min, delay(), -EPIPE on xruns and snd_pcm_prepare() recovery;
 * on the plugin's raw PCM and through plug.
 */
VWT_TEST(alsa_api)
{
        const char *probe = env_or("VWIRE_TEST_ALSA_PROBE", "");
        struct vwt_output o;

        cable_start(cable_conf);
        ck_assert_msg(*probe, "VWIRE_TEST_ALSA_PROBE is not set");
        ck_assert_msg(run_alsa(&o, 30000, vwt_strf("%s vwire_raw:c1", probe)) == 0, "alsa-probe vwire_raw:c1: %s%s",
                      o.out, o.err);
        vwt_note("%s", o.out);
        ck_assert_msg(run_alsa(&o, 30000, vwt_strf("%s vwire:c1", probe)) == 0, "alsa-probe vwire:c1: %s%s", o.out,
                      o.err);
        ck_assert_int_ge(detail("overruns"), 2);
        ck_assert_int_ge(detail("underruns"), 2);
        vwt_stop();
}

/* [loopback] mode = source, tone = 1000: a sine sox measures; with no tone, silence. */
VWT_TEST(tone_source)
{
        const char *rec = vwt_path("rec.wav"), *rec0 = vwt_path("rec0.wav");
        struct vwt_proc *r;
        double freq, rms;
        struct pcm p;

        cable_start(vwt_strf("%s\n"
                             "[loopback beep]\nmode = source\ntone = 1000\nlevel = -6dB\n\n"
                             "[loopback hush]\nmode = source\n",
                             cable_conf));
        vwt_ctl_ok("route", "add", "tone", "from=beep", "to=c1");
        r = record_start("vwire:c1", rec, "2", "48000");
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        p = read_wav(rec);
        ck_assert_uint_eq(p.len, 2 * RATE * FRAME);
        /* the tone throughout, from the first frame (the route was full before arecord came):
         * the only silent frames are the sine's two zero crossings per period */
        ck_assert_uint_ge(count_nonzero_frames(p), 2 * RATE - 2 * 2 * 1000 - 2);
        sox_stat(rec, RATE / 2, RATE, &freq, &rms);
        ck_assert_msg(freq > 990 && freq < 1010, "tone at %g Hz, expected 1000", freq);
        /* -6 dB is 0.501 of full scale; a sine's RMS is that / sqrt(2) */
        ck_assert_msg(rms > 0.350 && rms < 0.358, "RMS %g, expected 0.354", rms);
        ck_assert_int_eq(detail("underruns"), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "tone"), "route.lanes.0.bytes_dropped"), 0);

        vwt_ctl_ok("remove", "tone");
        vwt_ctl_ok("route", "add", "quiet", "from=hush", "to=c1");
        r = record_start("vwire:c1", rec0, "1", "48000");
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        ck_assert_uint_eq(read_wav(rec0).len, RATE * FRAME);
        ck_assert_uint_eq(count_nonzero_frames(read_wav(rec0)), 0);
        vwt_stop();
}

/* A cable's output into another cable's input, through the buffer core: the second cable's
 * reader gets what was played into the first, sample for sample. The route holds more than the
 * second of audio a stalled vwired catches up on at once (256K: 1.4 s), which the first cable
 * writes before the second one's timer runs. */
VWT_TEST(route_between_cables)
{
        const char *sine = make_sine("sine.wav", 2, 1000, 0.5, RATE), *rec = vwt_path("rec.wav");
        struct vwt_proc *r;
        struct vwt_output o;

        cable_start(vwt_strf("%s\n[audio c2]\nbuffer = 48000\n\n[route c1-c2]\nfrom = c1\nto = c2\nbuffer = 256K\n",
                             cable_conf));
        r = record_start("vwire:c2", rec, "4", "48000");
        ck_assert(VWT_WAIT_FOR(5000, vwt_jint(vwt_ctl_json("show", "c2"), "endpoint.details.readers") == 1));
        ck_assert_msg(play(&o, 15000, "vwire:c1", sine) == 0, "aplay failed: %s", o.err);
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        /* bit for bit, in order; when vwired was held up past a period, c2's clock may have run
         * ahead of what c1 had given the route yet, and played silence meanwhile */
        vwt_note("c1 -> c2: %zu frames of silence inserted",
                 find_in_order(read_wav(rec), read_wav(sine), "aplay -> c1 -> route -> c2 -> arecord"));
        ck_assert_int_eq(detail("route_dropped_bytes"), 0);
        ck_assert_int_eq(vwt_jint(vwt_ctl_json("show", "c2"), "endpoint.details.overruns"), 0);
        vwt_stop();
}

/*
 * `vwirectl audio default --user c1` makes the cable what `aplay` with no -D plays into, through
 * a file of its own in $XDG_CONFIG_HOME/alsa; --unset removes it; a user's own file is left alone.
 */
VWT_TEST(default_device)
{
        const char *sine = make_sine("sine.wav", 1, 1000, 0.5, RATE), *rec = vwt_path("rec.wav");
        const char *xdg = vwt_path("xdg"), *file = vwt_path("xdg/alsa/asoundrc");
        struct vwt_proc *r;
        struct vwt_output o;
        struct stat st;

        setenv("XDG_CONFIG_HOME", xdg, 1);
        cable_start(cable_conf);
        vwt_ctl_ok("audio", "default", "--user", "c1");
        ck_assert_int_eq(stat(file, &st), 0);
        ck_assert_int_eq(vwt_ctl(&o, "audio", "default", "--user"), 0);
        ck_assert_msg(strstr(o.out, "vwire cable 'c1'"), "audio default said: %s", o.out);

        r = record_start("vwire:c1", rec, "3", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        ck_assert_msg(run_alsa(&o, 15000, vwt_strf("aplay -q -B 1000000 %s", sine)) == 0,
                      "aplay (default device) failed: %s", o.err);
        ck_assert_int_eq(vwt_proc_wait(r, 15000), 0);
        /* what matters here is where it went: every frame, in order (a loaded machine may make
         * aplay underrun, which the cable plays as silence) */
        vwt_note("default device: %zu frames of silence inserted",
                 find_in_order(read_wav(rec), read_wav(sine), "aplay to the default device"));

        vwt_ctl_ok("audio", "default", "--unset", "--user");
        ck_assert_int_ne(stat(file, &st), 0);
        /* no card here: with the file gone, the default device is no cable any more */
        ck_assert_int_ne(run_alsa(&o, 15000, vwt_strf("aplay -q %s", sine)), 0);

        /* a file vwire did not write is not replaced and not removed */
        vwt_write_file(file, "# mine\n");
        ck_assert_int_eq(vwt_ctl(&o, "audio", "default", "--user", "c1"), 1);
        ck_assert_msg(strstr(o.err, "not written by vwirectl"), "audio default said: %s", o.err);
        ck_assert_int_eq(vwt_ctl(&o, "audio", "default", "--unset", "--user"), 1);
        ck_assert_str_eq(vwt_read_file(file), "# mine\n");
        unsetenv("XDG_CONFIG_HOME");
        vwt_stop();
}

/* A PortAudio program (python3-pyaudio) on its default device, made the cable by audio default. */
VWT_TEST(portaudio_default_device)
{
        const char *sine = make_sine("sine.wav", 1, 1000, 0.5, RATE), *rec = vwt_path("rec.wav");
        const char *scripts = env_or("VWIRE_TEST_AUDIO_SCRIPTS", "");
        struct vwt_output o;
        struct vwt_proc *r;

        /* the test packages include it: a missing one is a failure, never a silent pass */
        if (vwt_run(&o, "/usr/bin/python3", "-c", "import pyaudio") != 0)
                vwt_fail("python3-pyaudio is missing (tools/install-deps --test)");
        setenv("XDG_CONFIG_HOME", vwt_path("xdg"), 1);
        cable_start(cable_conf);
        vwt_ctl_ok("audio", "default", "--user", "c1");
        /* 8 s: PortAudio opens every ALSA device it lists first, which takes seconds in a
         * sanitizer build on a loaded machine */
        r = record_start("vwire:c1", rec, "8", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        ck_assert_msg(run_alsa(&o, 20000, vwt_strf("/usr/bin/python3 %s/portaudio-play.py %s", scripts, sine)) == 0,
                      "PortAudio failed: %s%s", o.out, o.err);
        vwt_note("%s", o.out);
        ck_assert_int_eq(vwt_proc_wait(r, 20000), 0);
        /* every frame, in order; a loaded machine may make PortAudio underrun, which the
         * cable plays as silence until it writes again */
        vwt_note("PortAudio: %zu frames of silence inserted",
                 find_in_order(read_wav(rec), read_wav(sine), "PortAudio -> default device -> arecord"));
        unsetenv("XDG_CONFIG_HOME");
        vwt_stop();
}

/* The first frame of a WAV file that is not silence. */
static size_t first_nonzero_frame(const char *wav)
{
        struct pcm p = read_wav(wav);
        size_t first = 0;

        while (first + FRAME <= p.len && memcmp(p.data + first, "\0\0\0\0", FRAME) == 0)
                first += FRAME;
        return first / FRAME;
}

/* ffmpeg's ALSA output plays into a cable at the cable's pace, and its ALSA input records from
 * one: sox finds the 1 kHz sine, at its level, in both directions. */
VWT_TEST(ffmpeg_plays_and_records)
{
        const char *sine = make_sine("sine.wav", 2, 1000, 0.5, RATE), *rec = vwt_path("rec.wav");
        const char *rec2 = vwt_path("rec2.wav");
        struct vwt_output o;
        struct vwt_proc *r, *p;
        double freq, rms;
        uint64_t t0, took;

        prog("ffmpeg");
        cable_start(cable_conf);
        r = record_start("vwire:c1", rec, "6", "48000");
        ck_assert(VWT_WAIT_FOR(5000, readers_are(1)));
        t0 = vwt_now_ms();
        ck_assert_msg(run_alsa(&o, 20000,
                               vwt_strf("ffmpeg -hide_banner -loglevel error -nostdin -i %s -f alsa vwire:c1", sine)) ==
                              0,
                      "ffmpeg (playing) failed: %s", o.err);
        took = vwt_now_ms() - t0;
        vwt_note("ffmpeg played 2 s in %llu ms", (unsigned long long)took);
        /* paced by the cable, not written at disk speed */
        ck_assert_uint_ge(took, 1900);
        ck_assert_int_eq(vwt_proc_wait(r, 20000), 0);
        sox_stat(rec, first_nonzero_frame(rec) + 24000, 48000, &freq, &rms);
        ck_assert_msg(freq > 980 && freq < 1020, "frequency %g Hz, expected 1000", freq);
        ck_assert_msg(rms > 0.33 && rms < 0.37, "RMS %g, expected about 0.354", rms);

        p = play_start("aplay -q -B 1000000 -D vwire:c1", sine);
        ck_assert_msg(run_alsa(&o, 20000,
                               vwt_strf("ffmpeg -hide_banner -loglevel error -nostdin -y -f alsa -channels 2 "
                                        "-sample_rate 48000 -i vwire:c1 -t 4 -c:a pcm_s16le %s",
                                        rec2)) == 0,
                      "ffmpeg (recording) failed: %s", o.err);
        ck_assert_int_eq(vwt_proc_wait(p, 20000), 0);
        sox_stat(rec2, first_nonzero_frame(rec2) + 24000, 48000, &freq, &rms);
        ck_assert_msg(freq > 980 && freq < 1020, "ffmpeg's recording: frequency %g Hz, expected 1000", freq);
        ck_assert_msg(rms > 0.33 && rms < 0.37, "ffmpeg's recording: RMS %g, expected about 0.354", rms);
        vwt_stop();
}

VWT_TEST(aplay_lists_vwire)
{
        struct vwt_output o;

        setenv("ALSA_CONFIG_PATH", env_or("VWIRE_TEST_ALSA_CONFIG", ""), 1);
        ck_assert_int_eq(run_alsa(&o, VWT_CMD_TIMEOUT, "aplay -L"), 0);
        ck_assert_msg(strstr(o.out, "\nvwire\n") || strncmp(o.out, "vwire\n", 6) == 0, "aplay -L: %s", o.out);
        ck_assert_msg(strstr(o.out, "vwire virtual audio cable"), "aplay -L: %s", o.out);
}

int main(void)
{
        static const char *const progs[] = { "aplay", "arecord", "speaker-test", "sox", "soxi" };
        Suite *s = suite_create("audio");
        char buf[4096];

        for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
                if (!find_on_path(progs[i], buf, sizeof(buf))) {
                        fprintf(stderr,
                                "\n*** SKIPPED: suite audio needs %s (alsa-utils, sox: tools/install-deps "
                                "--test) ***\n\n",
                                progs[i]);
                        return 77;
                }

        VWT_ADD(s, sine_roundtrip_exact);
        VWT_ADD(s, cable_is_the_clock);
        VWT_ADD(s, stopped_reader_overruns_and_recovers);
        VWT_ADD(s, two_readers_same_frames);
        VWT_ADD(s, two_writers_mix_saturating);
        VWT_ADD(s, rate_converted_reader);
        VWT_ADD(s, speaker_test_tone);
        VWT_ADD(s, wav_and_flac_capture);
        VWT_ADD(s, wav_replay_at_the_cable_clock);
        VWT_ADD(s, fails_fast_and_clearly);
        VWT_ADD(s, other_protocol_version);
        VWT_ADD(s, aplay_lists_vwire);
        VWT_ADD(s, default_device);
        VWT_ADD(s, tone_source);
        VWT_ADD(s, alsa_api);
        VWT_ADD(s, route_between_cables);
        VWT_ADD(s, portaudio_default_device);
        VWT_ADD(s, ffmpeg_plays_and_records);
        return vwt_main(s);
}
