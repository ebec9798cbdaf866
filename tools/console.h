/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver NAME console | log (console.c); each returns the exit status. */
#ifndef VS_TOOLS_CONSOLE_H
#define VS_TOOLS_CONSOLE_H

#include <vserver.h>

int cmd_console(struct vs_ctx *ctx, struct vs_guest *g, const char *name, int argc,
		char **argv);
int cmd_log(struct vs_ctx *ctx, struct vs_guest *g, int argc, char **argv);

#endif
