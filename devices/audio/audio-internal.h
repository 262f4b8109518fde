/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What the two halves of [audio] share: audio-cable.c (the endpoint, its socket and its clock)
 * and audio-client.c (one plugin connection: the protocol and the shared ring). Only these two
 * files include it.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "audio-proto.h"
#include "endpoint.h"
#include "list.h"

/* Frames mixed in one step of the clock; a longer tick is done in several steps. */
#define VW_AUDIO_STEP_FRAMES 4096u

struct audio_frames {
        uint32_t n;
        bool ms; /* n is milliseconds, converted at the cable's rate */
};

struct audio_config {
        int format; /* enum vw_audio_format */
        unsigned rate;
        unsigned channels;
        struct audio_frames period;
        struct audio_frames buffer;
        char *socket; /* NULL: <runtime dir>/audio-NAME.sock */
        mode_t mode;
        gid_t group;
        unsigned max_clients;
};

struct cable;

struct audio_client {
        struct vw_list link;
        struct cable *cb;
        int fd;
        sd_event_source *io;
        int efd;                  /* eventfd: the plugin polls it */
        struct vw_audio_shm *shm; /* NULL before SETUP */
        size_t shm_size;
        uint8_t *ring;
        uint32_t ring_frames;
        enum vw_audio_stream stream;
        bool hello;
        bool running;
        bool draining;
        uint32_t pid;
        char program[VW_AUDIO_PROGRAM_MAX + 1];
        char package[VW_AUDIO_VERSION_MAX + 1];
        uint64_t frames; /* moved in all */
        uint64_t xruns;
};

struct cable {
        struct vw_endpoint *ep;
        enum vw_audio_format format;
        unsigned rate, channels, frame_bytes;
        uint32_t period, buffer; /* frames */
        char *socket_path;
        int listen_fd;
        sd_event_source *listen_io;
        struct vw_owned *bound;
        struct vw_list clients;
        unsigned n_clients;
        struct vw_sink *sink; /* what routes bring in: mixed like a writer */

        /* the clock: frames `done` since t0 */
        sd_event_source *timer;
        bool ticking;
        uint64_t t0, done;
        uint32_t tick; /* frames between two wake-ups: a whole number of periods */

        double *acc;  /* VW_AUDIO_STEP_FRAMES frames of accumulator */
        uint8_t *mix; /* the same frames in the cable's format */

        /* statistics, like VB-CABLE's panel */
        uint64_t frames;           /* frames the clock has run */
        uint64_t silence_frames;   /* ... with no writer */
        uint64_t discarded_frames; /* ... written with no reader */
        uint64_t underruns, overruns;
        uint64_t late_ticks;    /* the loop was so late that the clock skipped ahead */
        uint64_t route_dropped; /* bytes a full route refused */
        uint64_t mismatches;    /* plugins of another protocol version */
        char mismatch[160];     /* the last one, for doctor */
};

/* audio-client.c */
int audio_client_new(struct cable *cb, int fd);
void audio_client_free(struct audio_client *c);
/* Wake the plugin (its eventfd). */
void audio_client_signal(struct audio_client *c);
/* Frames the plugin may move now: room (playback) or data (capture); 0 before SETUP. */
uint32_t audio_client_avail(const struct audio_client *c);

/* audio-cable.c */
/* Start or stop the clock as clients and routes come and go. */
void cable_update_clock(struct cable *cb);
/* A client started or left: wake sooner if it needs frames more often than the clock now runs. */
void cable_retime(struct cable *cb);
