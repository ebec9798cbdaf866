/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vwait — wait until a guest has stopped. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static int fcntl_ok(int fd)
{
	return fcntl(fd, F_GETFD);
}

enum { W_FINISHED = 0, W_KILLED = 1, W_TIMEOUT = 2, W_ERROR = 127 };

static void help(void)
{
	printf("Usage: %s [OPTIONS] [--timeout SEC] [--terminate] [--status-fd FD] GUEST\n"
	       "Waits until GUEST (a name or context id) has stopped, then prints\n"
	       "FINISHED (exit 0); after --timeout prints TIMEOUT (exit 2), or with\n"
	       "--terminate stops the guest and prints KILLED (exit 1); ERROR (exit 127).\n"
	       "\n"
	       "  -t, --timeout SEC    give up after SEC seconds (\"ms\" suffix allowed)\n"
	       "      --terminate      stop the guest when the timeout expires\n"
	       "      --status-fd FD   write the result there instead of standard output\n"
	       COMMON_OPTIONS_HELP, prog);
}

static int result(int fd, const char *word, int code)
{
	dprintf(fd, "%s\n", word);
	return code;
}

int main(int argc, char **argv)
{
	enum { O_TERMINATE = OPT_TOOL_BASE, O_STATUSFD };
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "timeout", required_argument, NULL, 't' },
		{ "terminate", no_argument, NULL, O_TERMINATE },
		{ "status-fd", required_argument, NULL, O_STATUSFD },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_ctx *ctx;
	struct vs_guest *g;
	bool terminate = false;
	int timeout = -1, fd = 1, c, r;
	uint64_t v;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "t:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		switch (c) {
		case 't':
			if (vs_parse_duration_ms(optarg, &v) < 0)
				usage_error("--timeout: '%s' is not a duration", optarg);
			timeout = (int)v;
			break;
		case O_TERMINATE: terminate = true; break;
		case O_STATUSFD:
			if (vs_parse_u64(optarg, 0, 1024, &v) < 0 || fcntl_ok((int)v) < 0)
				usage_error("--status-fd: '%s' is not an open file descriptor", optarg);
			fd = (int)v;
			break;
		default: usage_error("invalid option");
		}
	}
	if (argc - optind != 1)
		usage_error("expected exactly one guest");
	ctx = tool_ctx();
	g = open_guest(ctx, argv[optind]);
	r = vs_guest_wait(g, timeout);
	if (r == 0)
		return result(fd, "FINISHED", W_FINISHED);
	if (r != -ETIMEDOUT) {
		warnmsg("%s", vs_ctx_errmsg(ctx));
		return result(fd, "ERROR", W_ERROR);
	}
	if (!terminate)
		return result(fd, "TIMEOUT", W_TIMEOUT);
	r = vs_guest_stop(g, 0, 0);
	if (r < 0) {
		warnmsg("%s", vs_ctx_errmsg(ctx));
		return result(fd, "ERROR", W_ERROR);
	}
	return result(fd, "KILLED", W_KILLED);
}
