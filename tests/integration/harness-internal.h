/* SPDX-License-Identifier: MIT */
#pragma once

/* What harness.c and harness-io.c share. */

#include <sys/un.h>

#include "harness.h"

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

extern struct vwt current;

/* Milliseconds left until `end` (a vwt_now_ms() time), 0 when past. */
int vwt_remaining(uint64_t end);
/* Free p / put o at the end of the case (p NULL: out of memory, fails the case). */
void *vwt_keep(void *p);
json_object *vwt_keep_json(json_object *o);
/* Append to a growing NUL-terminated buffer. */
void vwt_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n);
/* Put path into sa (fails the case when it does not fit). */
void vwt_sun_path(struct sockaddr_un *sa, const char *path);

/* Where the python helpers are. */
const char *vwt_scripts_dir(void);
/* Start argv with the given stdin/stdout/stderr (-1: /dev/null); it dies with the test. */
pid_t vwt_spawn(const char *const *argv, int in, int out, int err);
/* Exit status of pid, or -1 if it is still running after timeout_ms. */
int vwt_wait_pid(pid_t pid, int timeout_ms);
/* SIGKILL and reap: the status. */
int vwt_kill_wait(pid_t pid);
/* Log a command line and its result (status -2: started in the background) to the transcript. */
void vwt_note_argv(const char *const *argv, int status, const struct vwt_output *o);
/* Kill (if running), close and free a background process. */
void vwt_proc_free(struct vwt_proc *p);
