/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vkill — send a signal to the processes of a guest. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] [--xid GUEST] [-s SIGNAL] [PID...]\n"
	       "Sends SIGNAL (default TERM) to every process of GUEST (a name or context\n"
	       "id), or to the given host pids, each of which must belong to GUEST, or,\n"
	       "without --xid, to a guest.\n"
	       "\n"
	       "  -c, --xid GUEST      the guest\n"
	       "  -s, --signal SIGNAL  name (TERM, SIGHUP, RTMIN+1) or number\n"
	       COMMON_OPTIONS_HELP, prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "xid", required_argument, NULL, 'c' },
		{ "signal", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_ctx *ctx;
	const char *guest = NULL;
	int sig = SIGTERM, c, rc = EXIT_OK;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "c:s:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		if (c == 'c')
			guest = optarg;
		else if (c == 's') {
			/* 0 checks that the processes exist, as with kill(1) */
			sig = !strcmp(optarg, "0") ? 0 : vs_parse_signal(optarg);
			if (sig < 0)
				usage_error("'%s' is not a signal", optarg);
		} else
			usage_error("invalid option");
	}
	if (!guest && optind == argc)
		usage_error("give --xid GUEST, or pids");
	for (int i = optind; i < argc; i++) {
		uint64_t v;
		if (vs_parse_u64(argv[i], 1, 0x7fffffff, &v) < 0)
			usage_error("'%s' is not a pid", argv[i]);
	}
	ctx = tool_ctx();
	if (guest && optind == argc) {
		struct vs_guest *g = open_guest(ctx, guest);
		int r = vs_guest_kill(g, 0, sig);
		if (r < 0)
			die_lib(ctx, r);
		vs_guest_unref(g);
		vs_ctx_unref(ctx);
		return EXIT_OK;
	}
	for (int i = optind; i < argc; i++) {
		pid_t pid = (pid_t)strtol(argv[i], NULL, 10);
		struct vs_guest *g;
		char *name = NULL;
		uint32_t xid;
		int r;

		if (guest) {
			g = open_guest(ctx, guest);
		} else {
			if (vs_pid_guest(ctx, pid, &name, &xid) < 0) {
				warnmsg("process %d does not belong to a guest", (int)pid);
				rc = EXIT_FAIL;
				continue;
			}
			g = open_guest(ctx, name);
			free(name);
		}
		r = vs_guest_kill(g, pid, sig);
		if (r < 0) {
			warnmsg("%s", vs_ctx_errmsg(ctx));
			rc = EXIT_FAIL;
		}
		vs_guest_unref(g);
	}
	vs_ctx_unref(ctx);
	return rc;
}
