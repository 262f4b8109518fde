/* SPDX-License-Identifier: MIT */
/*
 * One connection of the ALSA plugin to an [audio] cable (audio-proto.h): HELLO, SETUP, then
 * PREPARE/START/STOP/DRAIN, each answered at once. SETUP makes the client's ring: a memfd that
 * vwired creates and seals (so the plugin cannot shrink it under vwired's mapping) and an
 * eventfd vwired writes when the plugin has work; both go to the plugin with SCM_RIGHTS.
 * Everything here runs on the loop and never waits: a plugin that does not read its replies
 * is disconnected.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audio-internal.h"
#include "config.h"
#include "log.h"

uint32_t audio_client_avail(const struct audio_client *c)
{
        uint64_t hw, appl, filled;

        if (!c->shm)
                return 0;
        hw = __atomic_load_n(&c->shm->hw, __ATOMIC_ACQUIRE);
        appl = __atomic_load_n(&c->shm->appl, __ATOMIC_ACQUIRE);
        /* appl is the plugin's word: whatever it says, the answer stays within the ring */
        filled = c->stream == VW_AUDIO_PLAYBACK ? appl - hw : hw - appl;
        if (filled > c->ring_frames)
                filled = c->stream == VW_AUDIO_PLAYBACK ? 0 : c->ring_frames;
        return c->stream == VW_AUDIO_PLAYBACK ? c->ring_frames - (uint32_t)filled : (uint32_t)filled;
}

void audio_client_signal(struct audio_client *c)
{
        uint64_t one = 1;

        if (c->efd >= 0 && write(c->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
                log_debug_errno(errno, "audio %s: cannot wake pid %" PRIu32, c->cb->ep->name, c->pid);
}

static void shm_free(struct audio_client *c)
{
        if (c->shm)
                munmap(c->shm, c->shm_size);
        c->shm = NULL;
        c->ring = NULL;
        c->ring_frames = 0;
        c->running = c->draining = false;
}

void audio_client_free(struct audio_client *c)
{
        if (!c)
                return;
        vw_list_remove(&c->link);
        c->cb->n_clients--;
        c->cb->ep->clients = c->cb->n_clients;
        sd_event_source_disable_unref(c->io);
        safe_close(c->fd);
        safe_close(c->efd);
        shm_free(c);
        cable_update_clock(c->cb);
        free(c);
}

/* One packet, with descriptors; false when the plugin cannot take it (it is dropped then). */
static bool send_msg(struct audio_client *c, const struct vw_audio_msg *m, const int *fds, unsigned n_fds)
{
        uint8_t buf[VW_AUDIO_MSG_MAX];
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(2 * sizeof(int))];
        } ctl = {};
        struct iovec iov;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        int len = vw_audio_msg_encode(m, buf, sizeof(buf));

        if (len < 0) {
                log_warning_errno(len, "audio %s: cannot encode a reply", c->cb->ep->name);
                return false;
        }
        iov = (struct iovec){ buf, (size_t)len };
        if (n_fds > 0) {
                struct cmsghdr *h = &ctl.h;

                mh.msg_control = ctl.b;
                mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
                h->cmsg_level = SOL_SOCKET;
                h->cmsg_type = SCM_RIGHTS;
                h->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
                memcpy(CMSG_DATA(h), fds, n_fds * sizeof(int));
        }
        if (sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) != len) {
                log_debug_errno(errno, "audio %s: pid %" PRIu32 " does not take its reply", c->cb->ep->name, c->pid);
                return false;
        }
        return true;
}

static bool reply(struct audio_client *c, int status, const char *message)
{
        struct vw_audio_msg m = { .type = VW_AUDIO_REPLY, .status = status };

        if (message)
                snprintf(m.message, sizeof(m.message), "%s", message);
        return send_msg(c, &m, NULL, 0);
}

/* A plugin of another protocol: say ours, remember it for doctor, hang up. */
static void version_mismatch(struct audio_client *c, const struct vw_audio_msg *theirs)
{
        struct cable *cb = c->cb;
        struct vw_audio_msg m = { .type = VW_AUDIO_VERSION, .version = VW_AUDIO_PROTOCOL };

        snprintf(m.package, sizeof(m.package), "%s", VWIRE_VERSION);
        (void)send_msg(c, &m, NULL, 0);
        cb->mismatches++;
        snprintf(cb->mismatch, sizeof(cb->mismatch), "a plugin speaking audio protocol %u (vwire %s)", theirs->version,
                 theirs->package[0] ? theirs->package : "of unknown version");
        log_warning("audio %s: %s connected; this vwired speaks protocol %u (vwire %s)", cb->ep->name, cb->mismatch,
                    VW_AUDIO_PROTOCOL, VWIRE_VERSION);
}

static int on_hello(struct audio_client *c, const struct vw_audio_msg *m)
{
        struct cable *cb = c->cb;
        struct vw_audio_msg r = { .type = VW_AUDIO_HELLO_REPLY };

        snprintf(r.package, sizeof(r.package), "%s", VWIRE_VERSION);
        if (strcmp(m->cable, cb->ep->name) != 0) {
                r.status = -ENOENT;
                snprintf(r.message, sizeof(r.message), "this socket is cable '%s', not '%s'", cb->ep->name, m->cable);
                (void)send_msg(c, &r, NULL, 0);
                return -ENOENT;
        }
        c->hello = true;
        c->stream = m->stream;
        c->pid = m->pid;
        memcpy(c->program, m->program, sizeof(c->program));
        memcpy(c->package, m->package, sizeof(c->package));
        r.format = (uint8_t)cb->format;
        r.channels = (uint8_t)cb->channels;
        r.rate = cb->rate;
        r.period = cb->period;
        r.buffer = cb->buffer;
        r.max_ring = cb->buffer;
        log_debug("audio %s: %s pid %" PRIu32 " (%s, vwire %s)", cb->ep->name,
                  c->stream == VW_AUDIO_PLAYBACK ? "writer" : "reader", c->pid, c->program, c->package);
        return send_msg(c, &r, NULL, 0) ? 0 : -EPIPE;
}

static int shm_make(struct audio_client *c, uint32_t frames, int *ret_memfd)
{
        struct cable *cb = c->cb;
        size_t size = vw_audio_shm_size(frames, cb->frame_bytes);
        _cleanup_close_ int fd = -1;
        void *p;

        if (size == 0)
                return -EINVAL;
        fd = memfd_create("vwire-audio", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        if (ftruncate(fd, (off_t)size) < 0)
                return -errno;
        /* Sealed before the plugin sees it: a shrink would turn vwired's reads into SIGBUS. */
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
                return -errno;
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
                return -errno;
        shm_free(c);
        c->shm = p;
        c->shm_size = size;
        c->ring = (uint8_t *)p + VW_AUDIO_SHM_DATA;
        c->ring_frames = frames;
        *c->shm = (struct vw_audio_shm){
                .magic = VW_AUDIO_SHM_MAGIC,
                .version = VW_AUDIO_PROTOCOL,
                .ring_frames = frames,
                .frame_bytes = cb->frame_bytes,
                .avail_min = 1,
        };
        *ret_memfd = TAKE_FD(fd);
        return 0;
}

static int on_setup(struct audio_client *c, const struct vw_audio_msg *m)
{
        struct cable *cb = c->cb;
        struct vw_audio_msg r = { .type = VW_AUDIO_REPLY };
        _cleanup_close_ int memfd = -1;
        int fds[2], err;

        if (m->ring_frames < cb->period || m->ring_frames > cb->buffer) {
                char why[VW_AUDIO_MESSAGE_MAX];

                snprintf(why, sizeof(why), "a buffer of %" PRIu32 " frames is outside %" PRIu32 "..%" PRIu32,
                         m->ring_frames, cb->period, cb->buffer);
                return reply(c, -EINVAL, why) ? 0 : -EPIPE;
        }
        err = shm_make(c, m->ring_frames, &memfd);
        if (err < 0) {
                log_warning_errno(err, "audio %s: cannot make a ring of %" PRIu32 " frames", cb->ep->name,
                                  m->ring_frames);
                return reply(c, err, "vwired cannot make the shared ring") ? 0 : -EPIPE;
        }
        __atomic_store_n(&c->shm->avail_min, m->avail_min ? m->avail_min : 1, __ATOMIC_RELEASE);
        fds[0] = memfd;
        fds[1] = c->efd;
        return send_msg(c, &r, fds, 2) ? 0 : -EPIPE;
}

static int on_control(struct audio_client *c, const struct vw_audio_msg *m)
{
        if (!c->shm)
                return reply(c, -EBADFD, "no SETUP yet") ? 0 : -EPIPE;
        switch (m->type) {
        case VW_AUDIO_PREPARE:
                /* the plugin resets appl after this reply; vwired no longer reads it meanwhile */
                c->running = c->draining = false;
                __atomic_store_n(&c->shm->hw, 0, __ATOMIC_RELEASE);
                __atomic_store_n(&c->shm->flags, 0, __ATOMIC_RELEASE);
                break;
        case VW_AUDIO_START:
                c->running = true;
                c->draining = false;
                break;
        case VW_AUDIO_STOP:
                c->running = c->draining = false;
                break;
        case VW_AUDIO_DRAIN:
                if (c->stream == VW_AUDIO_PLAYBACK) {
                        c->running = c->draining = true;
                } else {
                        c->running = false;
                }
                break;
        default:
                return -EBADMSG;
        }
        cable_update_clock(c->cb);
        cable_retime(c->cb);
        return reply(c, 0, NULL) ? 0 : -EPIPE;
}

static int handle(struct audio_client *c, const uint8_t *buf, size_t len)
{
        struct vw_audio_msg m;
        int r = vw_audio_msg_decode(buf, len, &m);

        if (r == -EPROTO) {
                version_mismatch(c, &m);
                return r;
        }
        if (r < 0 || (m.type == VW_AUDIO_HELLO) == c->hello) {
                (void)reply(c, -EBADMSG, r < 0 ? "malformed message" : "HELLO comes first, once");
                return -EBADMSG;
        }
        switch (m.type) {
        case VW_AUDIO_HELLO:
                r = on_hello(c, &m);
                break;
        case VW_AUDIO_SETUP:
                r = on_setup(c, &m);
                break;
        case VW_AUDIO_PREPARE:
        case VW_AUDIO_START:
        case VW_AUDIO_STOP:
        case VW_AUDIO_DRAIN:
                r = on_control(c, &m);
                break;
        default:
                (void)reply(c, -EBADMSG, "not a request");
                return -EBADMSG;
        }
        return r;
}

static int client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct audio_client *c = userdata;
        uint8_t buf[VW_AUDIO_MSG_MAX + 1];

        /* a few messages per wake-up, so one chatty plugin cannot hold the loop */
        for (unsigned i = 0; i < 8; i++) {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n <= 0 || (size_t)n > VW_AUDIO_MSG_MAX || handle(c, buf, (size_t)n) < 0) {
                        log_debug("audio %s: pid %" PRIu32 " (%s) left", c->cb->ep->name, c->pid, c->program);
                        audio_client_free(c);
                        return 0;
                }
        }
        return 0;
}

int audio_client_new(struct cable *cb, int fd)
{
        _cleanup_close_ int cfd = fd;
        struct audio_client *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->cb = cb;
        c->fd = TAKE_FD(cfd);
        c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        vw_list_insert_tail(&cb->clients, &c->link);
        cb->n_clients++;
        cb->ep->clients = cb->n_clients;
        if (c->efd < 0) {
                r = -errno;
                audio_client_free(c);
                return r;
        }
        r = sd_event_add_io(vw_endpoint_event(cb->ep), &c->io, c->fd, EPOLLIN, client_io, c);
        if (r < 0) {
                audio_client_free(c);
                return r;
        }
        return 0;
}
