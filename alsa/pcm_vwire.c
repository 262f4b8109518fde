/* SPDX-License-Identifier: MIT */
/*
 * libasound_module_pcm_vwire.so: an ALSA I/O plugin (ioplug) that is one end of a vwire audio
 * cable. It runs inside whatever program opens the PCM, so: no global state, no threads, no
 * signal handlers, no exit(); every wait is bounded; every failure is one SNDERR that says what
 * to do. It speaks proto/audio-proto.h to the cable's socket; the audio goes through a ring in
 * shared memory that vwired makes and clocks. The raw PCM has exactly the cable's format, rate
 * and channels; the `vwire` PCM of alsa/50-vwire.conf wraps it in `plug` for conversion.
 *
 * Configuration: cable NAME (required), socket PATH (optional). Without `socket` it looks for
 * audio-NAME.sock in $VWIRE_RUNTIME_DIR, else in $XDG_RUNTIME_DIR/vwire (a user's vwired) and
 * /run/vwire (the system's).
 */
#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "audio-proto.h"
#include "config.h"
#include "macro.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Read from the file by `vwirectl doctor` (vw_audio_plugin_id_find), never at run time. */
__attribute__((used)) static const char plugin_id[] =
        VW_AUDIO_PLUGIN_ID VWIRE_VERSION " protocol " STR(VW_AUDIO_PROTOCOL);

/* How long vwired may take to answer: it answers from its loop at once, so this is "hung". */
#define ANSWER_TIMEOUT_MS 3000

struct vwire_pcm {
        snd_pcm_ioplug_t io;
        char cable[VW_AUDIO_NAME_MAX + 1];
        char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
        int fd;  /* the cable's socket */
        int efd; /* eventfd vwired writes; -1 before hw_params */
        struct vw_audio_shm *shm;
        size_t shm_size;
        uint8_t *ring;
        uint32_t ring_frames;
        unsigned frame_bytes;
        uint64_t appl;               /* our position, the 64-bit truth behind io.appl_ptr */
        snd_pcm_uframes_t appl_seen; /* io.appl_ptr when appl was last brought up to it (mmap capture) */
        snd_pcm_uframes_t boundary;
        enum vw_audio_format format;
        struct vw_audio_msg cablep; /* the HELLO_REPLY: the cable's parameters */
};

static const snd_pcm_format_t alsa_formats[_VW_AUDIO_FORMAT_MAX] = {
        [VW_AUDIO_S16_LE] = SND_PCM_FORMAT_S16_LE,
        [VW_AUDIO_S32_LE] = SND_PCM_FORMAT_S32_LE,
        [VW_AUDIO_FLOAT_LE] = SND_PCM_FORMAT_FLOAT_LE,
};

/* ---- talking to vwired ---- */

static int wait_fd(int fd, short events, int timeout_ms)
{
        struct pollfd p = { .fd = fd, .events = events };
        int r;

        do
                r = poll(&p, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        return r == 0 ? -ETIMEDOUT : 0;
}

/* Receive one message (and up to two descriptors) within the timeout. */
static int recv_msg(struct vwire_pcm *v, struct vw_audio_msg *m, int *fds, unsigned *n_fds)
{
        uint8_t buf[VW_AUDIO_MSG_MAX + 1];
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(2 * sizeof(int))];
        } ctl;
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl) };
        ssize_t n;
        int r;

        r = wait_fd(v->fd, POLLIN, ANSWER_TIMEOUT_MS);
        if (r < 0)
                return r;
        do
                n = recvmsg(v->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -ECONNRESET;
        *n_fds = 0;
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
                unsigned k;

                if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
                        continue;
                k = (unsigned)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                for (unsigned i = 0; i < k; i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
                        if (fds && *n_fds < 2)
                                fds[(*n_fds)++] = fd;
                        else
                                close(fd);
                }
        }
        if (mh.msg_flags & MSG_TRUNC)
                return -EBADMSG;
        return vw_audio_msg_decode(buf, (size_t)n, m);
}

static void close_fds(int *fds, unsigned n)
{
        for (unsigned i = 0; i < n; i++)
                close(fds[i]);
}

static int version_error(struct vwire_pcm *v, const struct vw_audio_msg *m)
{
        SNDERR("vwire: cable %s: this plugin speaks audio protocol %d (vwire %s), vwired speaks protocol %u "
               "(vwire %s); install the plugin that comes with the running vwired",
               v->cable, VW_AUDIO_PROTOCOL, VWIRE_VERSION, m->version, m->package[0] ? m->package : "unknown");
        return -EPROTO;
}

/* Send a request and wait for its answer. fds/n_fds: descriptors that came with it. */
static int call(struct vwire_pcm *v, const struct vw_audio_msg *req, struct vw_audio_msg *ret, int *fds,
                unsigned *n_fds)
{
        uint8_t buf[VW_AUDIO_MSG_MAX];
        unsigned got = 0;
        int len = vw_audio_msg_encode(req, buf, sizeof(buf)), r;

        /* an answer that fails to decode leaves nothing half-read behind for the error paths */
        memset(ret, 0, sizeof(*ret));
        if (len < 0)
                return len;
        if (send(v->fd, buf, (size_t)len, MSG_NOSIGNAL) != len) {
                SNDERR("vwire: cable %s: vwired went away (%s)", v->cable, strerror(errno));
                return -ENODEV;
        }
        r = recv_msg(v, ret, fds, &got);
        if (r == -EPROTO)
                r = version_error(v, ret);
        else if (r == -ETIMEDOUT)
                SNDERR("vwire: cable %s: vwired does not answer on %s", v->cable, v->path);
        else if (r == -ECONNRESET)
                SNDERR("vwire: cable %s: vwired closed the connection (the cable was removed?)", v->cable);
        else if (r < 0)
                SNDERR("vwire: cable %s: bad answer from vwired (%s)", v->cable, strerror(-r));
        if (r >= 0 && ret->type != VW_AUDIO_REPLY && ret->type != VW_AUDIO_HELLO_REPLY)
                r = -EBADMSG;
        if (r < 0) {
                if (fds)
                        close_fds(fds, got);
                return r == -EPROTO ? r : -EIO;
        }
        if (n_fds)
                *n_fds = got;
        return 0;
}

static int simple_call(struct vwire_pcm *v, enum vw_audio_msg_type type)
{
        struct vw_audio_msg req = { .type = type }, rep;
        int r = call(v, &req, &rep, NULL, NULL);

        if (r < 0)
                return r;
        if (rep.status < 0)
                SNDERR("vwire: cable %s: %s", v->cable, rep.message[0] ? rep.message : strerror(-rep.status));
        return rep.status;
}

/* ---- positions ---- */

static uint64_t hw_pos(const struct vwire_pcm *v)
{
        return __atomic_load_n(&v->shm->hw, __ATOMIC_ACQUIRE);
}

static bool xrun(const struct vwire_pcm *v)
{
        return __atomic_load_n(&v->shm->flags, __ATOMIC_ACQUIRE) & VW_AUDIO_SHM_XRUN;
}

/* Frames the program may move now (room or data), within the ring whatever vwired wrote. */
static uint64_t avail(const struct vwire_pcm *v)
{
        uint64_t hw = hw_pos(v), filled;

        if (v->io.stream == SND_PCM_STREAM_PLAYBACK) {
                filled = v->appl - hw;
                return filled > v->ring_frames ? 0 : v->ring_frames - filled;
        }
        filled = hw - v->appl;
        return filled > v->ring_frames ? v->ring_frames : filled;
}

/*
 * An mmap'ing reader (ALSA's rate plugin) reads the ring in mmap_begin but commits later, maybe
 * less: there appl follows io.appl_ptr (which alsa-lib moves at commit) instead of transfer().
 */
static bool mmap_capture(const struct vwire_pcm *v)
{
        return v->io.stream == SND_PCM_STREAM_CAPTURE && v->io.access == SND_PCM_ACCESS_MMAP_INTERLEAVED;
}

static void sync_appl(struct vwire_pcm *v)
{
        snd_pcm_uframes_t now = v->io.appl_ptr, delta;

        if (!mmap_capture(v) || !v->shm)
                return;
        delta = now >= v->appl_seen ? now - v->appl_seen : now + (v->boundary - v->appl_seen);
        v->appl_seen = now;
        v->appl += delta;
        __atomic_store_n(&v->shm->appl, v->appl, __ATOMIC_RELEASE);
}

/* The eventfd is readable exactly while avail >= avail_min: drained when it is not, set when
 * our own move (not vwired's) made it so. Drain first, then look, so no wake-up is lost. */
static void update_wakeup(struct vwire_pcm *v)
{
        uint64_t x = 1;

        if (v->efd < 0)
                return;
        if (read(v->efd, &x, sizeof(x)) < 0) {
                /* EAGAIN: it was not readable */
        }
        if (avail(v) >= __atomic_load_n(&v->shm->avail_min, __ATOMIC_RELAXED) || xrun(v)) {
                x = 1;
                if (write(v->efd, &x, sizeof(x)) < 0) {
                        /* a full counter is readable anyway */
                }
        }
}

/* ---- ioplug callbacks ---- */

static int vwire_start(snd_pcm_ioplug_t *io)
{
        return simple_call(io->private_data, VW_AUDIO_START);
}

static int vwire_stop(snd_pcm_ioplug_t *io)
{
        return simple_call(io->private_data, VW_AUDIO_STOP);
}

static snd_pcm_sframes_t vwire_pointer(snd_pcm_ioplug_t *io)
{
        struct vwire_pcm *v = io->private_data;
        uint64_t hw;

        if (!v->shm)
                return 0;
        sync_appl(v);
        if (xrun(v))
                return -EPIPE;
        hw = hw_pos(v);
        if (io->stream == SND_PCM_STREAM_CAPTURE && hw - v->appl > v->ring_frames)
                return -EPIPE;
        /* SND_PCM_IOPLUG_FLAG_BOUNDARY_WA: a position up to the boundary, so that a whole buffer
         * moved between two calls is not mistaken for none */
        return (snd_pcm_sframes_t)(v->boundary ? hw % v->boundary : hw % io->buffer_size);
}

static snd_pcm_sframes_t vwire_transfer(snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas,
                                        snd_pcm_uframes_t offset, snd_pcm_uframes_t size)
{
        struct vwire_pcm *v = io->private_data;
        uint8_t *buf = (uint8_t *)areas[0].addr + areas[0].first / 8 + offset * (areas[0].step / 8);
        uint64_t n = MIN((uint64_t)size, avail(v));
        uint32_t at = (uint32_t)(v->appl % v->ring_frames), first;
        size_t fb = v->frame_bytes;

        if (mmap_capture(v)) {
                /* the mmap area has the ring's size, so its offset is the ring's too */
                at = (uint32_t)(offset % v->ring_frames);
                n = size;
                first = (uint32_t)MIN(n, (uint64_t)(v->ring_frames - at));
                memcpy(buf, v->ring + at * fb, first * fb);
                memcpy(buf + first * fb, v->ring, (size_t)(n - first) * fb);
                return (snd_pcm_sframes_t)n;
        }
        first = (uint32_t)MIN(n, (uint64_t)(v->ring_frames - at));

        if (io->stream == SND_PCM_STREAM_PLAYBACK) {
                memcpy(v->ring + at * fb, buf, first * fb);
                memcpy(v->ring, buf + first * fb, (size_t)(n - first) * fb);
        } else {
                memcpy(buf, v->ring + at * fb, first * fb);
                memcpy(buf + first * fb, v->ring, (size_t)(n - first) * fb);
        }
        v->appl += n;
        __atomic_store_n(&v->shm->appl, v->appl, __ATOMIC_RELEASE);
        update_wakeup(v);
        return (snd_pcm_sframes_t)n;
}

static void unmap(struct vwire_pcm *v)
{
        if (v->shm)
                munmap(v->shm, v->shm_size);
        v->shm = NULL;
        v->ring = NULL;
        if (v->efd >= 0)
                close(v->efd);
        v->efd = -1;
}

static int map_ring(struct vwire_pcm *v, int memfd, uint32_t frames)
{
        struct stat st;
        size_t size = vw_audio_shm_size(frames, v->frame_bytes);
        void *p;

        if (size == 0 || fstat(memfd, &st) < 0 || (size_t)st.st_size != size)
                return -EBADMSG;
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if (p == MAP_FAILED)
                return -errno;
        v->shm = p;
        v->shm_size = size;
        v->ring = (uint8_t *)p + VW_AUDIO_SHM_DATA;
        v->ring_frames = frames;
        if (v->shm->magic != VW_AUDIO_SHM_MAGIC || v->shm->ring_frames != frames ||
            v->shm->frame_bytes != v->frame_bytes)
                return -EBADMSG;
        return 0;
}

static int vwire_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params)
{
        struct vwire_pcm *v = io->private_data;
        struct vw_audio_msg req = { .type = VW_AUDIO_SETUP }, rep;
        int fds[2];
        unsigned n = 0;
        int r;

        unmap(v);
        req.ring_frames = (uint32_t)io->buffer_size;
        req.avail_min = (uint32_t)io->period_size;
        r = call(v, &req, &rep, fds, &n);
        if (r < 0)
                return r;
        if (rep.status < 0) {
                SNDERR("vwire: cable %s: %s", v->cable, rep.message);
                close_fds(fds, n);
                return rep.status;
        }
        if (n != 2) {
                close_fds(fds, n);
                SNDERR("vwire: cable %s: vwired sent no ring", v->cable);
                return -EIO;
        }
        v->efd = fds[1];
        r = map_ring(v, fds[0], req.ring_frames);
        close(fds[0]);
        if (r < 0) {
                unmap(v);
                SNDERR("vwire: cable %s: the shared ring vwired sent does not fit (%s)", v->cable, strerror(-r));
        }
        return r;
}

static int vwire_hw_free(snd_pcm_ioplug_t *io)
{
        unmap(io->private_data);
        return 0;
}

static int vwire_sw_params(snd_pcm_ioplug_t *io, snd_pcm_sw_params_t *params)
{
        struct vwire_pcm *v = io->private_data;
        snd_pcm_uframes_t min = 1;

        (void)snd_pcm_sw_params_get_boundary(params, &v->boundary);
        (void)snd_pcm_sw_params_get_avail_min(params, &min);
        if (v->shm) {
                __atomic_store_n(&v->shm->avail_min, (uint32_t)MAX(min, (snd_pcm_uframes_t)1), __ATOMIC_RELEASE);
                update_wakeup(v);
        }
        return 0;
}

static int vwire_prepare(snd_pcm_ioplug_t *io)
{
        struct vwire_pcm *v = io->private_data;
        int r;

        if (!v->shm)
                return -EBADFD;
        r = simple_call(v, VW_AUDIO_PREPARE);
        if (r < 0)
                return r;
        /* vwired has stopped this stream and zeroed hw: appl is ours to reset */
        v->appl = 0;
        v->appl_seen = 0;
        __atomic_store_n(&v->shm->appl, 0, __ATOMIC_RELEASE);
        update_wakeup(v);
        return 0;
}

static int vwire_drain(snd_pcm_ioplug_t *io)
{
        struct vwire_pcm *v = io->private_data;
        int r;

        if (io->stream == SND_PCM_STREAM_CAPTURE)
                return simple_call(v, VW_AUDIO_STOP);
        r = simple_call(v, VW_AUDIO_DRAIN);
        if (r < 0)
                return r;
        for (;;) {
                uint32_t flags = __atomic_load_n(&v->shm->flags, __ATOMIC_ACQUIRE);
                struct pollfd p[2] = { { .fd = v->efd, .events = POLLIN }, { .fd = v->fd, .events = POLLIN } };
                uint64_t x;
                /* what is left, plus a second for a loaded machine */
                int timeout = (int)((v->appl - hw_pos(v)) * 1000 / io->rate) + 1000;

                if ((flags & (VW_AUDIO_SHM_DRAINED | VW_AUDIO_SHM_XRUN)) || hw_pos(v) >= v->appl)
                        return 0;
                if (io->nonblock)
                        return -EAGAIN;
                r = poll(p, 2, timeout);
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (r == 0) {
                        SNDERR("vwire: cable %s: vwired stopped playing (drain timed out)", v->cable);
                        return -EIO;
                }
                if (p[1].revents)
                        return -ENODEV; /* vwired went away: nothing more will play */
                if (p[0].revents & POLLIN && read(v->efd, &x, sizeof(x)) < 0) {
                        /* raced with another reader of the counter: poll again */
                }
        }
}

static int vwire_poll_count(snd_pcm_ioplug_t *io)
{
        return 2;
}

static int vwire_poll_descriptors(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int space)
{
        struct vwire_pcm *v = io->private_data;

        if (space < 2 || v->efd < 0)
                return -EINVAL;
        pfd[0] = (struct pollfd){ .fd = v->efd, .events = POLLIN };
        /* vwired never speaks unasked: anything on the socket means it went away */
        pfd[1] = (struct pollfd){ .fd = v->fd, .events = POLLIN };
        return 2;
}

static int vwire_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int nfds, unsigned short *revents)
{
        struct vwire_pcm *v = io->private_data;
        unsigned short ready = io->stream == SND_PCM_STREAM_PLAYBACK ? POLLOUT : POLLIN;

        if (nfds < 2 || !v->shm)
                return -EINVAL;
        if (pfd[1].revents) {
                *revents = POLLERR;
                return 0;
        }
        sync_appl(v);
        if (xrun(v) || avail(v) >= __atomic_load_n(&v->shm->avail_min, __ATOMIC_RELAXED))
                *revents = ready;
        else
                *revents = 0;
        if (*revents == 0)
                update_wakeup(v);
        return 0;
}

static int vwire_delay(snd_pcm_ioplug_t *io, snd_pcm_sframes_t *delayp)
{
        struct vwire_pcm *v = io->private_data;
        uint64_t hw;

        if (!v->shm)
                return -EBADFD;
        sync_appl(v);
        if (xrun(v))
                return -EPIPE;
        hw = hw_pos(v);
        /* playback: written, not yet taken by the cable's clock; capture: taken, not yet read */
        *delayp = (snd_pcm_sframes_t)(io->stream == SND_PCM_STREAM_PLAYBACK ? v->appl - hw : hw - v->appl);
        return 0;
}

static void vwire_free(struct vwire_pcm *v)
{
        unmap(v);
        if (v->fd >= 0)
                close(v->fd);
        free(v);
}

static int vwire_close(snd_pcm_ioplug_t *io)
{
        vwire_free(io->private_data);
        return 0;
}

static void vwire_dump(snd_pcm_ioplug_t *io, snd_output_t *out)
{
        struct vwire_pcm *v = io->private_data;

        snd_output_printf(out, "vwire cable %s (%s, %u Hz, %u channels) on %s\n", v->cable,
                          vw_audio_format_to_string(v->format), v->cablep.rate, v->cablep.channels, v->path);
        if (io->pcm && snd_pcm_state(io->pcm) != SND_PCM_STATE_OPEN) {
                snd_output_printf(out, "Its setup is:\n");
                snd_pcm_dump_setup(io->pcm, out);
        }
}

static const snd_pcm_ioplug_callback_t vwire_callbacks = {
        .start = vwire_start,
        .stop = vwire_stop,
        .pointer = vwire_pointer,
        .transfer = vwire_transfer,
        .close = vwire_close,
        .hw_params = vwire_hw_params,
        .hw_free = vwire_hw_free,
        .sw_params = vwire_sw_params,
        .prepare = vwire_prepare,
        .drain = vwire_drain,
        .poll_descriptors_count = vwire_poll_count,
        .poll_descriptors = vwire_poll_descriptors,
        .poll_revents = vwire_poll_revents,
        .delay = vwire_delay,
        .dump = vwire_dump,
};

/* ---- opening ---- */

/* Where the cable's socket is: the configured path, or the first that exists. */
static int find_socket(struct vwire_pcm *v, const char *socket_path)
{
        const char *dirs[3];
        char user[sizeof(v->path)];
        char tried[3 * sizeof(v->path)] = "";
        unsigned n = 0;
        const char *e = getenv("VWIRE_RUNTIME_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
        struct stat st;

        if (socket_path) {
                if (snprintf(v->path, sizeof(v->path), "%s", socket_path) >= (int)sizeof(v->path))
                        return -ENAMETOOLONG;
                return 0;
        }
        if (e && *e) {
                dirs[n++] = e;
        } else {
                if (xdg && xdg[0] == '/' && snprintf(user, sizeof(user), "%s/vwire", xdg) < (int)sizeof(user))
                        dirs[n++] = user;
                dirs[n++] = "/run/vwire";
        }
        for (unsigned i = 0; i < n; i++) {
                if (snprintf(v->path, sizeof(v->path), "%s/audio-%s.sock", dirs[i], v->cable) >= (int)sizeof(v->path))
                        continue;
                if (stat(v->path, &st) == 0)
                        return 0;
                snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s", i ? ", " : "", v->path);
        }
        SNDERR("vwire: no cable '%s': vwired is not running, or has no [audio %s] (looked for %s)", v->cable, v->cable,
               tried);
        return -ENOENT;
}

static int connect_cable(struct vwire_pcm *v)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r;

        v->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (v->fd < 0)
                return -errno;
        memcpy(sa.sun_path, v->path, strlen(v->path) + 1);
        if (connect(v->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                r = -errno;
                if (r == -ECONNREFUSED || r == -ENOENT)
                        SNDERR("vwire: cable %s: vwired is not running (%s: %s)", v->cable, v->path, strerror(-r));
                else
                        SNDERR("vwire: cable %s: cannot connect to %s: %s", v->cable, v->path, strerror(-r));
                return r;
        }
        return 0;
}

static int hello(struct vwire_pcm *v, snd_pcm_stream_t stream)
{
        struct vw_audio_msg req = { .type = VW_AUDIO_HELLO }, rep;
        int r;

        req.stream = stream == SND_PCM_STREAM_PLAYBACK ? VW_AUDIO_PLAYBACK : VW_AUDIO_CAPTURE;
        req.pid = (uint32_t)getpid();
        snprintf(req.cable, sizeof(req.cable), "%s", v->cable);
        snprintf(req.package, sizeof(req.package), "%s", VWIRE_VERSION);
        snprintf(req.program, sizeof(req.program), "%s", program_invocation_short_name);
        for (char *p = req.program; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                        *p = '?';
        r = call(v, &req, &rep, NULL, NULL);
        if (r < 0)
                return r;
        if (rep.type != VW_AUDIO_HELLO_REPLY || rep.status < 0) {
                SNDERR("vwire: cable %s: %s", v->cable, rep.message[0] ? rep.message : "refused by vwired");
                return rep.status < 0 ? rep.status : -EIO;
        }
        v->cablep = rep;
        v->format = rep.format;
        v->frame_bytes = rep.channels * vw_audio_format_bytes(rep.format);
        return 0;
}

/* The raw PCM takes exactly the cable's format; `plug` around it converts. */
static int constrain(struct vwire_pcm *v)
{
        /* mmap too: ALSA's rate plugin (plug converting rates) works on an mmap'able slave only */
        static const unsigned int access[] = { SND_PCM_ACCESS_RW_INTERLEAVED, SND_PCM_ACCESS_MMAP_INTERLEAVED };
        unsigned int format = (unsigned int)alsa_formats[v->format];
        const struct vw_audio_msg *c = &v->cablep;
        snd_pcm_ioplug_t *io = &v->io;
        int r;

        if ((r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS, 2, access)) < 0 ||
            (r = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT, 1, &format)) < 0 ||
            (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_CHANNELS, c->channels, c->channels)) < 0 ||
            (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_RATE, c->rate, c->rate)) < 0 ||
            (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIOD_BYTES, c->period * v->frame_bytes,
                                                 c->max_ring / 2 * v->frame_bytes)) < 0 ||
            (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_BUFFER_BYTES, 2 * c->period * v->frame_bytes,
                                                 c->max_ring * v->frame_bytes)) < 0 ||
            (r = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIODS, 2, 1024)) < 0)
                return r;
        return 0;
}

static int vwire_open(snd_pcm_t **pcmp, const char *name, const char *cable, const char *socket_path,
                      snd_pcm_stream_t stream, int mode)
{
        struct vwire_pcm *v;
        int r;

        if (!cable || !vw_audio_name_is_valid(cable)) {
                SNDERR("vwire: 'cable' must name an [audio] cable (1 to %d printable characters, no '/')",
                       VW_AUDIO_NAME_MAX);
                return -EINVAL;
        }
        v = calloc(1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        v->fd = v->efd = -1;
        snprintf(v->cable, sizeof(v->cable), "%s", cable);
        r = find_socket(v, socket_path);
        if (r >= 0)
                r = connect_cable(v);
        if (r >= 0)
                r = hello(v, stream);
        if (r < 0)
                goto fail;
        v->io.version = SND_PCM_IOPLUG_VERSION;
        v->io.name = "vwire audio cable";
        v->io.flags = SND_PCM_IOPLUG_FLAG_LISTED | SND_PCM_IOPLUG_FLAG_MONOTONIC | SND_PCM_IOPLUG_FLAG_BOUNDARY_WA;
        v->io.poll_fd = -1;
        v->io.mmap_rw = 0;
        v->io.callback = &vwire_callbacks;
        v->io.private_data = v;
        r = snd_pcm_ioplug_create(&v->io, name, stream, mode);
        if (r < 0)
                goto fail;
        r = constrain(v);
        if (r < 0) {
                snd_pcm_ioplug_delete(&v->io); /* calls vwire_close */
                return r;
        }
        *pcmp = v->io.pcm;
        return 0;
fail:
        vwire_free(v);
        return r;
}

/* The only symbols the module exports (alsa/vwire.map): the entry point and its version tag. */
SND_PCM_PLUGIN_DEFINE_FUNC(vwire)
{
        const char *cable = NULL, *socket_path = NULL;
        snd_config_iterator_t i, next;

        snd_config_for_each(i, next, conf)
        {
                snd_config_t *n = snd_config_iterator_entry(i);
                const char *id;

                if (snd_config_get_id(n, &id) < 0)
                        continue;
                if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 || strcmp(id, "hint") == 0)
                        continue;
                if (strcmp(id, "cable") == 0 && snd_config_get_string(n, &cable) >= 0)
                        continue;
                if (strcmp(id, "socket") == 0 && snd_config_get_string(n, &socket_path) >= 0) {
                        if (socket_path[0] == '\0')
                                socket_path = NULL;
                        continue;
                }
                SNDERR("vwire: unknown or bad field %s (known: cable, socket)", id);
                return -EINVAL;
        }
        return vwire_open(pcmp, name, cable, socket_path, stream, mode);
}

SND_PCM_PLUGIN_SYMBOL(vwire);
