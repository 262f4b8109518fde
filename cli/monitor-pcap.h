/* SPDX-License-Identifier: MIT */
#pragma once

/* `vwirectl monitor NAME --pcap FILE` (monitor-pcap.c). */

#include <json-c/json.h>

#include "client.h"

/* Create c->pcap_path and write the file header, with the link type NAME's endpoint has. */
int monitor_pcap_open(struct ctl *c, const char *name);
/* One Monitor reply: a record when it carries data. */
int monitor_pcap_write(struct ctl *c, json_object *event);
/* Close (not standard output) and say how many packets were written. */
void monitor_pcap_close(struct ctl *c);
