/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The telnet protocol (RFC 854, 855) as a byte codec: no fds, no loop, no allocation. It parses
 * a peer's stream in pieces of any size (a command, an option or a subnegotiation may be split
 * anywhere), hands data, commands and whole subnegotiations to callbacks, and runs option
 * negotiation with RFC 1143's Q method, so that two ends that both ask never loop and every
 * option a peer offers or asks for is answered, WONT/DONT for those not supported.
 *
 * Output (negotiation, subnegotiations with IAC doubled, escaped data) goes through ops->send.
 * Callbacks run inside vw_telnet_input() and the vw_telnet_* calls; they may call back in.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
        VW_TELNET_SE = 240,
        VW_TELNET_NOP = 241,
        VW_TELNET_DM = 242,
        VW_TELNET_BRK = 243,
        VW_TELNET_IP = 244,
        VW_TELNET_AO = 245,
        VW_TELNET_AYT = 246,
        VW_TELNET_EC = 247,
        VW_TELNET_EL = 248,
        VW_TELNET_GA = 249,
        VW_TELNET_SB = 250,
        VW_TELNET_WILL = 251,
        VW_TELNET_WONT = 252,
        VW_TELNET_DO = 253,
        VW_TELNET_DONT = 254,
        VW_TELNET_IAC = 255,
};

enum {
        VW_TELOPT_BINARY = 0,    /* RFC 856 */
        VW_TELOPT_ECHO = 1,      /* RFC 857 */
        VW_TELOPT_SGA = 3,       /* RFC 858 */
        VW_TELOPT_COM_PORT = 44, /* RFC 2217 */
};

/* Longest subnegotiation kept; a longer one is dropped (counted) up to its IAC SE. */
#define VW_TELNET_SB_MAX 512u

struct vw_telnet_ops {
        /* Bytes for the peer, in order (required). */
        void (*send)(void *userdata, const uint8_t *p, size_t n);
        /* Data received, IAC IAC undone (and CR NUL made CR while the peer is not in BINARY, if nvt_cr). */
        void (*data)(void *userdata, const uint8_t *p, size_t n);
        /* A command received: VW_TELNET_BRK, _IP, _AO, _AYT, _EC, _EL (NOP, DM and GA are dropped). */
        void (*command)(void *userdata, uint8_t cmd);
        /* An option became enabled or disabled; remote: the peer's side (its WILL), else ours. */
        void (*option)(void *userdata, uint8_t opt, bool remote, bool enabled);
        /* A whole subnegotiation, IAC SB opt ... IAC SE, payload unescaped, for an option that is
         * enabled on either side (others are counted and dropped). */
        void (*subneg)(void *userdata, uint8_t opt, const uint8_t *p, size_t n);
};

struct vw_telnet_stats {
        uint64_t refused;    /* options offered or asked for that we answered WONT/DONT */
        uint64_t bad;        /* malformed sequences: IAC + a byte that is no command, a broken SB */
        uint64_t sb_dropped; /* subnegotiations too long, or for an option not enabled */
};

struct vw_telnet {
        const struct vw_telnet_ops *ops;
        void *userdata;
        uint8_t state;
        uint8_t verb; /* WILL/WONT/DO/DONT waiting for its option */
        uint8_t sb_opt;
        bool sb_long;
        size_t sb_len;
        uint8_t sb[VW_TELNET_SB_MAX];
        uint8_t us[256], him[256]; /* Q-method state per option (telnet.c) */
        uint8_t support[256];      /* bit 0: we may enable it; bit 1: the peer may */
        struct vw_telnet_stats stats;
        /* Undo CR NUL (RFC 854's bare CR) while the peer is not in BINARY; on after init. An RFC
         * 2217 port clears it: a program that never asked for BINARY still sends binary data. */
        bool nvt_cr;
};

void vw_telnet_init(struct vw_telnet *t, const struct vw_telnet_ops *ops, void *userdata);
/* Which options this end accepts: ours (local: a DO is answered WILL) and the peer's (remote: a WILL is answered DO).
 */
void vw_telnet_support(struct vw_telnet *t, uint8_t opt, bool local, bool remote);
/* Ask for an option to be enabled or disabled, ours (WILL/WONT) or the peer's (DO/DONT), by RFC 1143. */
void vw_telnet_request(struct vw_telnet *t, uint8_t opt, bool remote, bool enable);
bool vw_telnet_enabled(const struct vw_telnet *t, uint8_t opt, bool remote);
/* Is a request for this option still unanswered? */
bool vw_telnet_pending(const struct vw_telnet *t, uint8_t opt, bool remote);
void vw_telnet_input(struct vw_telnet *t, const uint8_t *in, size_t len);
/* IAC SB opt payload IAC SE, with IAC doubled in the payload. */
void vw_telnet_send_subneg(struct vw_telnet *t, uint8_t opt, const uint8_t *p, size_t n);
void vw_telnet_send_command(struct vw_telnet *t, uint8_t cmd);

/*
 * Data for the peer with IAC doubled: escapes from `in` while `out` has room and returns the
 * bytes written; *ret_used: the bytes of `in` taken. out_size >= 2 takes at least one byte.
 */
size_t vw_telnet_escape(const uint8_t *in, size_t len, uint8_t *out, size_t out_size, size_t *ret_used);
