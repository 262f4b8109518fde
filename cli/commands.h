/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The commands of vwirectl. argv[0] is the command's name; main() has checked the number of
 * arguments. Each returns 0 or a negative errno (see client.h for the ones that pick an exit code).
 */

#include "client.h"

int verb_status(struct ctl *c, int argc, char **argv);
int verb_list(struct ctl *c, int argc, char **argv);
int verb_show(struct ctl *c, int argc, char **argv);
int verb_add(struct ctl *c, int argc, char **argv);
int verb_remove(struct ctl *c, int argc, char **argv);
int verb_route(struct ctl *c, int argc, char **argv);
int verb_send(struct ctl *c, int argc, char **argv);
int verb_monitor(struct ctl *c, int argc, char **argv);
int verb_reload(struct ctl *c, int argc, char **argv);
int verb_version(struct ctl *c, int argc, char **argv);
/* cli/exec-full.c: run vwirectl-full with the whole command line; returns only on failure. */
int vwirectl_exec_full(const char *verb, char **argv);
/* cli/net-orphans.c (vwirectl-full only) */
int verb_net(struct ctl *c, int argc, char **argv);
/* Leftover adapters as DoctorCheck objects, for `vwirectl doctor`. */
void net_orphans_doctor(json_object *checks);
/* cli/audio-commands.c: audio default; --unset, --user, --system (0 or CTL_ERR_USAGE, printed) */
int verb_audio(struct ctl *c, int argc, char **argv);
int audio_set_option(const char *name);
/* The audio lines of `vwirectl doctor`: plugin, snippet, default device, snd-aloop. */
void audio_doctor(struct ctl *c, json_object *checks, bool daemon_has_audio);
/* cli/doctor.c (vwirectl-full only) */
int verb_doctor(struct ctl *c, int argc, char **argv);

/* Input devices (input-commands.c). */
int verb_key(struct ctl *c, int argc, char **argv);
int verb_type(struct ctl *c, int argc, char **argv);
int verb_pointer(struct ctl *c, int argc, char **argv);
int verb_abs(struct ctl *c, int argc, char **argv);
int verb_touch(struct ctl *c, int argc, char **argv);
int verb_gamepad(struct ctl *c, int argc, char **argv);
int verb_event(struct ctl *c, int argc, char **argv);
int verb_pen(struct ctl *c, int argc, char **argv);
/* --layout, --delay, --hold, --no-wait: 0 or CTL_ERR_USAGE (printed). */
int input_set_option(const char *name, const char *value);
bool input_options_given(void);
/* Hide arguments like "-5" from getopt, and put them back after it (orig: argv as it was). */
void input_protect_numbers(int argc, char **argv);
void input_restore_numbers(int argc, char **argv, char **orig, int n_orig);
/* A VW_CHUNK_EVENTS payload as "EV_KEY KEY_A 1, SYN_REPORT" (malloc'd; NULL without memory). */
char *input_format_events(const uint8_t *data, size_t len);
