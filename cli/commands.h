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
