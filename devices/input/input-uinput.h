/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * [input NAME] backend = uinput, as the control methods (daemon/control-input.c) see it.
 *
 * Everything written to a device goes through one queue per device, in order: frames from the
 * control methods (with their delays) and frames from routes (with their recorded timing).
 * Frames due now are written at once, in the call that queued them; later ones by a timer.
 */

#include <linux/input.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"
#include "input-event.h"
#include "input-profiles.h"
#include "method.h"

struct vw_input;

extern const struct vw_endpoint_ops vw_input_uinput_ops;

/* The running device of an endpoint; NULL if it is not an [input] endpoint or not started. */
struct vw_input *vw_input_of(struct vw_endpoint *ep);
const struct vw_input_config *vw_input_config(const struct vw_input *in);
bool vw_input_has(const struct vw_input *in, unsigned type, unsigned code);
/* NULL when the device has no such axis. */
const struct input_absinfo *vw_input_absinfo(const struct vw_input *in, unsigned code);

/*
 * Queue frames. Every frame ends with EV_SYN/SYN_REPORT (one is added after trailing events);
 * the usec of a frame's first event is the delay before it, after the frame queued before it.
 * Returns the number of events queued (frames due now are already written), -EBUSY when the
 * queue is full (nothing queued). With `hold` (another call follows in this control turn,
 * vw_call_more_this_turn()), an unpaced device writes frames due now at the end of the turn,
 * together with those of the calls after it: one write instead of one per call.
 */
int vw_input_submit(struct vw_input *in, const struct vw_input_event *ev, size_t n, bool hold);
/* Microseconds until everything queued so far is written (0: nothing pending). */
uint64_t vw_input_busy_usec(const struct vw_input *in);

/* Multi-touch state once everything queued is written. */
unsigned vw_input_n_slots(const struct vw_input *in);
bool vw_input_slot_active(const struct vw_input *in, unsigned slot);
void vw_input_slot_position(const struct vw_input *in, unsigned slot, int32_t *x, int32_t *y);
unsigned vw_input_n_contacts(const struct vw_input *in);
/* The oldest contact but `except` (-1: none excepted): it drives the single-touch axes; -1 if none. */
int vw_input_oldest_slot(const struct vw_input *in, int except);
/* A tracking id for a new contact. */
int32_t vw_input_new_tracking_id(struct vw_input *in);

/* io.vwire.Key, Type, Pointer, Abs, Touch, Gamepad, Event (input-methods.c). */
extern const struct vw_method vw_input_methods[];
