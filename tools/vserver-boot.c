/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-boot — start the guests marked to start at boot; stop them. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] start|stop|list\n"
	       "start: starts every guest whose apps/init/mark is MARK (default\n"
	       "       \"default\"), in name order, continuing after a failure;\n"
	       "stop:  stops the running guests with that mark (with --all: every running\n"
	       "       guest), in reverse order;\n"
	       "list:  names the guests with that mark.\n"
	       "With --jobs N, up to N guests start or stop at the same time (no order).\n"
	       "Exit status 1 if any guest failed.\n"
	       "\n"
	       "  -m, --mark MARK      the mark (default \"default\")\n"
	       "  -a, --all            stop: every running guest, marked or not\n"
	       "  -j, --jobs N         N guests at a time (1-1024, default 1: one after the other)\n"
	       COMMON_OPTIONS_HELP, prog);
}

static bool marked(struct vs_ctx *ctx, const char *name, const char *mark)
{
	char *v = NULL;
	bool yes = vs_config_get(ctx, name, "apps/init/mark", &v) == 0 && !strcmp(v, mark);
	free(v);
	return yes;
}

/* Starts or stops one guest; 0, or -1 after saying why. */
static int one(struct vs_ctx *ctx, const char *name, bool start)
{
	struct vs_guest *g;
	int r;

	/* stop reads the configuration itself, under the guest's lock */
	r = start ? vs_guest_open(ctx, name, &g) : vs_guest_open_deferred(ctx, name, &g);
	if (r < 0) {
		warnmsg("%s", vs_ctx_errmsg(ctx));
		return -1;
	}
	r = start ? vs_guest_start(g, 0) : vs_guest_stop(g, 0, -1);
	if (r < 0)
		warnmsg("%s: %s", name, vs_ctx_errmsg(ctx));
	else if (r == 0)
		note("%s: %s", name, start ? "started" : "stopped");
	vs_guest_unref(g);
	return r < 0 ? -1 : 0;
}

/* Waits for one worker; false if it failed. */
static bool reap(size_t *running)
{
	int st;
	pid_t p;

	while ((p = wait(&st)) < 0 && errno == EINTR)
		;
	if (p < 0)
		return true;
	(*running)--;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "mark", required_argument, NULL, 'm' },
		{ "all", no_argument, NULL, 'a' },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_ctx *ctx;
	const char *mark = AUTOSTART_MARK, *what;
	bool all = false, start;
	char **names, *end;
	size_t n = 0, running = 0;
	long jobs = 1;
	int c, r, rc = EXIT_OK;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "m:aj:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		if (c == 'm') {
			mark = optarg;
		} else if (c == 'a') {
			all = true;
		} else if (c == 'j') {
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || jobs < 1 || jobs > 1024)
				usage_error("--jobs: '%s' is not a number from 1 to 1024", optarg);
		} else {
			usage_error("invalid option");
		}
	}
	if (argc - optind != 1)
		usage_error("expected start, stop or list");
	what = argv[optind];
	if (strcmp(what, "start") && strcmp(what, "stop") && strcmp(what, "list"))
		usage_error("unknown command '%s'", what);
	start = !strcmp(what, "start");
	ctx = tool_ctx();
	/* stop needs only the guests that run: the run state lists them,
	 * whatever the number configured */
	r = !strcmp(what, "stop") ? vs_running_list(ctx, &names) : vs_guest_list(ctx, &names);
	if (r < 0)
		die_lib(ctx, r);
	while (names[n])
		n++;
	fflush(stdout);
	for (size_t k = 0; k < n; k++) {
		/* stop in reverse order of start */
		const char *name = !strcmp(what, "stop") ? names[n - 1 - k] : names[k];
		pid_t p;

		if (!(all && !strcmp(what, "stop")) && !marked(ctx, name, mark))
			continue;
		if (!strcmp(what, "list")) {
			puts(name);
			continue;
		}
		if (jobs == 1) {
			if (one(ctx, name, start) < 0)
				rc = EXIT_FAIL;
			continue;
		}
		/* a worker per guest, at most `jobs` at a time: starting and
		 * stopping mostly wait for the guest's own scripts */
		if (running == (size_t)jobs && !reap(&running))
			rc = EXIT_FAIL;
		p = fork();
		if (p < 0) {
			warnmsg("fork: %s", strerror(errno));
			rc = EXIT_FAIL;
			break;
		}
		if (p == 0)
			_exit(one(ctx, name, start) < 0 ? EXIT_FAIL : EXIT_OK);
		running++;
	}
	while (running > 0)
		if (!reap(&running))
			rc = EXIT_FAIL;
	vs_strv_free(names);
	vs_ctx_unref(ctx);
	return rc;
}
