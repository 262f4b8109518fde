/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The mark vwired puts on every adapter it creates (IFLA_IFALIAS): "vwire:NAME pid=PID". It is
 * how vwired and `vwirectl net orphans` tell vwire's adapters from everyone else's: nothing
 * without the mark is ever deleted unless a person names it with --force.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define VW_NET_MARK_PREFIX "vwire:"

int vw_net_mark_format(const char *name, pid_t pid, char *buf, size_t size);
/* 0 and the endpoint name (into name, size bytes) and pid; -EINVAL for an alias that is not a mark. */
int vw_net_mark_parse(const char *alias, char *name, size_t size, pid_t *ret_pid);
/* Is pid a running vwired? (Its /proc/PID/comm is "vwired".) */
bool vw_pid_is_vwired(pid_t pid);
