/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What the ALSA plugin (alsa/pcm_vwire.c) and an [audio] cable in vwired say to each other.
 *
 * One SOCK_SEQPACKET unix socket per cable (<runtime dir>/audio-NAME.sock by default); one
 * message per packet, little-endian fields at fixed places, never a C struct on the wire. Every
 * message starts with the same 8 bytes: magic "VWAU", the protocol version, the type. The
 * conversation:
 *
 *   plugin                               vwired
 *   HELLO (stream, cable, versions) ->
 *                                   <-   HELLO_REPLY (status, the cable's format, rate, ...)
 *   SETUP (ring frames, avail_min)  ->
 *                                   <-   REPLY + SCM_RIGHTS [memfd (struct vw_audio_shm + ring), eventfd]
 *   PREPARE / START / STOP / DRAIN  ->
 *                                   <-   REPLY (status)
 *
 * The audio itself never crosses the socket: it goes through the sealed memfd ring, whose
 * positions are 64-bit frame counters (hw: written by vwired only; appl: by the plugin only),
 * and vwired writes the eventfd when the plugin has something to do.
 *
 * A peer of another protocol version gets VERSION and the connection ends. VERSION's layout
 * (header + the sender's package version) never changes, so either side can always name both
 * versions in its error.
 *
 * Pure encoding and decoding, no global state: the plugin runs inside arbitrary programs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A test build of the plugin passes another value, to meet vwired as a plugin of another version. */
#ifndef VW_AUDIO_PROTOCOL
#define VW_AUDIO_PROTOCOL 1
#endif
#define VW_AUDIO_MAGIC 0x55415756u /* "VWAU" read as a little-endian u32 */
#define VW_AUDIO_MSG_MAX 512       /* the largest message of any version */

#define VW_AUDIO_NAME_MAX 64     /* a cable name */
#define VW_AUDIO_VERSION_MAX 32  /* a package version string */
#define VW_AUDIO_PROGRAM_MAX 64  /* the plugin's program name, for `vwirectl show` */
#define VW_AUDIO_MESSAGE_MAX 200 /* an error message */

enum vw_audio_msg_type {
        VW_AUDIO_VERSION = 0, /* frozen: the sender's package version; the peer must hang up */
        VW_AUDIO_HELLO = 1,
        VW_AUDIO_HELLO_REPLY = 2,
        VW_AUDIO_SETUP = 3,
        VW_AUDIO_PREPARE = 4,
        VW_AUDIO_START = 5,
        VW_AUDIO_STOP = 6,
        VW_AUDIO_DRAIN = 7,
        VW_AUDIO_REPLY = 8,
        _VW_AUDIO_MSG_MAX,
};

enum vw_audio_stream {
        VW_AUDIO_PLAYBACK = 0, /* a writer into the cable */
        VW_AUDIO_CAPTURE = 1,  /* a reader of the cable */
};

/* The cable's sample formats. Silence is all-zero bytes in each. */
enum vw_audio_format {
        VW_AUDIO_S16_LE = 0,
        VW_AUDIO_S32_LE = 1,
        VW_AUDIO_FLOAT_LE = 2,
        _VW_AUDIO_FORMAT_MAX,
};

/* "S16_LE", ... or NULL; the index of a name or -EINVAL. */
const char *vw_audio_format_to_string(enum vw_audio_format f);
int vw_audio_format_from_string(const char *s);
unsigned vw_audio_format_bytes(enum vw_audio_format f);

/* Limits both ends check. */
#define VW_AUDIO_RATE_MIN 8000u
#define VW_AUDIO_RATE_MAX 192000u
#define VW_AUDIO_CHANNELS_MAX 8u
/* A client's ring: at most 2 s of the cable or 8 MiB, whichever is less. */
#define VW_AUDIO_RING_BYTES_MAX (8u * 1024u * 1024u)

/*
 * One decoded message: the fields of every type, of which each type uses a subset
 * (see vw_audio_msg_encode()). Strings are NUL-terminated, printable ASCII only.
 */
struct vw_audio_msg {
        uint16_t version; /* protocol version of the sender */
        uint16_t type;    /* enum vw_audio_msg_type */
        int32_t status;   /* HELLO_REPLY, REPLY: 0 or a negative errno */
        /* HELLO */
        uint8_t stream; /* enum vw_audio_stream */
        uint32_t pid;
        char cable[VW_AUDIO_NAME_MAX + 1];
        char program[VW_AUDIO_PROGRAM_MAX + 1];
        /* HELLO, HELLO_REPLY, VERSION: the sender's package version */
        char package[VW_AUDIO_VERSION_MAX + 1];
        /* HELLO_REPLY: the cable */
        uint8_t format; /* enum vw_audio_format */
        uint8_t channels;
        uint32_t rate;
        uint32_t period;   /* frames per tick of the cable's clock */
        uint32_t buffer;   /* the cable's latency knob, frames: the client buffer it suggests */
        uint32_t max_ring; /* frames: the largest SETUP ring it accepts */
        /* SETUP */
        uint32_t ring_frames;
        uint32_t avail_min;
        /* HELLO_REPLY, REPLY: why, when status < 0 */
        char message[VW_AUDIO_MESSAGE_MAX + 1];
};

/*
 * Encode m (m->version is ignored: VW_AUDIO_PROTOCOL is written, except for VERSION, which
 * carries m->version so tests can pose as another version). Returns the length, or -EINVAL
 * (unknown type, a string too long or not printable), -ENOBUFS (size too small).
 */
int vw_audio_msg_encode(const struct vw_audio_msg *m, uint8_t *buf, size_t size);

/*
 * Decode one packet into *ret (zeroed first). Returns 0; -EBADMSG for anything malformed (bad
 * magic, short, trailing bytes, a bad string, an unknown type or value out of range); -EPROTO
 * when the version is not VW_AUDIO_PROTOCOL: then ret->version and ret->type are set, and, when
 * the packet is a well-formed VERSION, ret->package too (otherwise it stays "").
 */
int vw_audio_msg_decode(const uint8_t *buf, size_t len, struct vw_audio_msg *ret);

/*
 * The plugin's file names its version, so `vwirectl doctor` can report a plugin and a vwired of
 * different versions without loading the plugin: the bytes VW_AUDIO_PLUGIN_ID, the package
 * version, " protocol ", the protocol number, NUL.
 */
#define VW_AUDIO_PLUGIN_ID "vwire-alsa-plugin version "
/* Find that mark in the bytes of a file: 0 with version (printable, <= VW_AUDIO_VERSION_MAX)
 * and *protocol set, or -ENOENT when there is none that is well formed. */
int vw_audio_plugin_id_find(const uint8_t *buf, size_t len, char version[VW_AUDIO_VERSION_MAX + 1], unsigned *protocol);

/* printable ASCII, 1..max bytes, no '/': what a cable name may be (it is in a socket path). */
bool vw_audio_name_is_valid(const char *s);

/*
 * The shared memory of one client: this header, then at VW_AUDIO_SHM_DATA the ring of
 * ring_frames frames. vwired creates it (memfd, sealed against shrinking and growing) and both
 * sides map it. Positions are frame counters that only grow; frame i is at i % ring_frames.
 * Access hw, appl, avail_min and flags with __atomic (release after writing frames, acquire
 * before reading them). vwired never trusts appl: it clamps what it implies to the ring.
 */
#define VW_AUDIO_SHM_MAGIC 0x4d485356u /* "VSHM" */
#define VW_AUDIO_SHM_DATA 4096u

enum {
        VW_AUDIO_SHM_XRUN = 1u << 0,    /* vwired stopped this stream: underrun or overrun */
        VW_AUDIO_SHM_DRAINED = 1u << 1, /* a draining playback has played its last frame */
};

struct vw_audio_shm {
        uint32_t magic;
        uint32_t version; /* VW_AUDIO_PROTOCOL */
        uint32_t ring_frames;
        uint32_t frame_bytes;
        uint64_t hw;    /* vwired: frames consumed (playback) or produced (capture) */
        uint32_t flags; /* vwired: VW_AUDIO_SHM_* */
        uint32_t pad0;
        uint8_t pad1[32];   /* keeps the plugin's fields off vwired's cache line */
        uint64_t appl;      /* plugin: frames written (playback) or read (capture) */
        uint32_t avail_min; /* plugin: wake it when at least this much is available */
        uint32_t pad2;
};

/* Bytes of the memfd for a ring; 0 when it would pass VW_AUDIO_RING_BYTES_MAX. */
size_t vw_audio_shm_size(uint32_t ring_frames, uint32_t frame_bytes);
