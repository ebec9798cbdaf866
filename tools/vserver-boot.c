/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-boot — start the guests marked to start at boot; stop them. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] start|stop|list\n"
	       "start: starts every guest whose apps/init/mark is MARK (default\n"
	       "       \"default\"), in name order, continuing after a failure;\n"
	       "stop:  stops the running guests with that mark (with --all: every running\n"
	       "       guest), in reverse order;\n"
	       "list:  names the guests with that mark.\n"
	       "Exit status 1 if any guest failed.\n"
	       "\n"
	       "  -m, --mark MARK      the mark (default \"default\")\n"
	       "  -a, --all            stop: every running guest, marked or not\n"
	       COMMON_OPTIONS_HELP, prog);
}

static bool marked(struct vs_ctx *ctx, const char *name, const char *mark)
{
	char *v = NULL;
	bool yes = vs_config_get(ctx, name, "apps/init/mark", &v) == 0 && !strcmp(v, mark);
	free(v);
	return yes;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "mark", required_argument, NULL, 'm' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_ctx *ctx;
	const char *mark = "default", *what;
	bool all = false;
	char **names;
	size_t n = 0;
	int c, r, rc = EXIT_OK;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "m:avqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		if (c == 'm')
			mark = optarg;
		else if (c == 'a')
			all = true;
		else
			usage_error("invalid option");
	}
	if (argc - optind != 1)
		usage_error("expected start, stop or list");
	what = argv[optind];
	if (strcmp(what, "start") && strcmp(what, "stop") && strcmp(what, "list"))
		usage_error("unknown command '%s'", what);
	ctx = tool_ctx();
	r = vs_guest_list(ctx, &names);
	if (r < 0)
		die_lib(ctx, r);
	while (names[n])
		n++;
	for (size_t k = 0; k < n; k++) {
		/* stop in reverse order of start */
		const char *name = !strcmp(what, "stop") ? names[n - 1 - k] : names[k];
		struct vs_guest *g;

		if (!(all && !strcmp(what, "stop")) && !marked(ctx, name, mark))
			continue;
		if (!strcmp(what, "list")) {
			puts(name);
			continue;
		}
		if ((r = vs_guest_open(ctx, name, &g)) < 0) {
			warnmsg("%s", vs_ctx_errmsg(ctx));
			rc = EXIT_FAIL;
			continue;
		}
		r = !strcmp(what, "start") ? vs_guest_start(g, 0) : vs_guest_stop(g, 0, -1);
		if (r < 0) {
			warnmsg("%s: %s", name, vs_ctx_errmsg(ctx));
			rc = EXIT_FAIL;
		} else if (r == 0) {
			note("%s: %s", name, !strcmp(what, "start") ? "started" : "stopped");
		}
		vs_guest_unref(g);
	}
	vs_strv_free(names);
	vs_ctx_unref(ctx);
	return rc;
}
