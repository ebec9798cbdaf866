/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver NAME mark|unmark|rename: the small administrative commands. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "vserver-cmds.h"

/* mark [MARK] / unmark: util-vserver's apps/init/mark, which vserver-boot
 * (and the systemd unit, with "default") starts */
int cmd_mark(struct vs_ctx *ctx, const char *name, bool set, int argc, char **argv)
{
	const char *mark = AUTOSTART_MARK;
	struct vs_guest *g;
	int r;

	if (set && argc > 1)
		mark = argv[1];
	if (argc > (set ? 2 : 1))
		usage_error("%s: unexpected argument '%s'", set ? "mark" : "unmark",
			    argv[set ? 2 : 1]);
	/* what the configuration accepts, or the guest would not load */
	if (!*mark || strlen(mark) > 64)
		usage_error("mark: '%s' is not 1 to 64 characters", mark);
	for (const char *p = mark; *p; p++)
		if (!isascii((unsigned char)*p) || !isgraph((unsigned char)*p))
			usage_error("mark: only printable characters without spaces");
	g = open_guest(ctx, name);
	if (!set) {
		char *old = NULL;
		r = vs_config_get(ctx, name, "apps/init/mark", &old);
		free(old);
		if (r == -ENOENT) {
			vs_guest_unref(g);
			note("%s had no mark", name);
			return EXIT_OK;
		}
	}
	r = set ? vs_config_set(ctx, name, "apps/init/mark", mark) :
		  vs_config_unset(ctx, name, "apps/init/mark");
	vs_guest_unref(g);
	if (r < 0)
		die_lib(ctx, r);
	if (verbosity() >= 0)
		note(set ? "%s: marked '%s'%s" : "%s: unmarked%s%s", name, set ? mark : "",
		     !set ? "; not started at boot" : strcmp(mark, AUTOSTART_MARK) ? "" :
		     "; started at boot");
	return EXIT_OK;
}

int cmd_rename(struct vs_ctx *ctx, const char *name, int argc, char **argv)
{
	int r;

	if (argc < 2)
		usage_error("rename: NEWNAME is missing");
	if (argc > 2)
		usage_error("rename: unexpected argument '%s'", argv[2]);
	r = vs_guest_rename(ctx, name, argv[1]);
	if (r == -EINVAL)
		die(EXIT_USAGE, "%s", vs_ctx_errmsg(ctx));
	if (r < 0)
		die_lib(ctx, r);
	note("%s renamed to %s", name, argv[1]);
	return EXIT_OK;
}
