/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands of vserver(8) that live outside tools/vserver.c. */
#ifndef VS_TOOLS_VSERVER_CMDS_H
#define VS_TOOLS_VSERVER_CMDS_H

#include <stdbool.h>

#include "vserver.h"

enum list_form { LIST_NAMES, LIST_FANCY, LIST_JSON };
/* vserver --list: exit 1 when some guest has a problem (it is listed). */
int cmd_list(struct vs_ctx *ctx, enum list_form form);
/* vserver NAME mark [MARK] (set) / unmark; argv[0] is the command. */
int cmd_mark(struct vs_ctx *ctx, const char *name, bool set, int argc, char **argv);
/* vserver NAME rename NEWNAME */
int cmd_rename(struct vs_ctx *ctx, const char *name, int argc, char **argv);
/* vserver-status.c: NAME status [--json] (exit 0 running, 3 not), NAME limit
 * (argv[0] is the command), NAME du. */
int cmd_status(struct vs_ctx *ctx, struct vs_guest *g, bool json);
int cmd_limit(struct vs_ctx *ctx, struct vs_guest *g, int argc, char **argv);
int cmd_du(struct vs_ctx *ctx, const char *name, int argc, char **argv);

#endif
