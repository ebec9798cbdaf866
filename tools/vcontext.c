/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcontext — create or enter a context (vx kernel) and run a command in it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vx-common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] --create|--migrate --xid N [--flag F]... [--endsetup]\n"
	       "       [--initpid] -- COMMAND [ARG...]\n"
	       "--create makes context N (flags state_setup,state_init,state_admin plus\n"
	       "--flag ones) and enters it; --migrate enters an existing one.  --endsetup\n"
	       "ends the setup phase, --initpid (with --endsetup) makes the caller the\n"
	       "context's init.  Then COMMAND is executed.  Needs the vx kernel.\n"
	       "\n"
	       "  -x, --xid N          context id (2..65535; with --migrate also 1, the\n"
	       "                       spectator, which sees every context's processes)\n"
	       "      --flag LIST      extra initial context flags (vattribute syntax)\n"
	       COMMON_OPTIONS_HELP, prog);
}

int main(int argc, char **argv)
{
	enum { O_CREATE = OPT_TOOL_BASE, O_MIGRATE, O_FLAG, O_ENDSETUP, O_INITPID };
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "create", no_argument, NULL, O_CREATE },
		{ "migrate", no_argument, NULL, O_MIGRATE },
		{ "xid", required_argument, NULL, 'x' },
		{ "flag", required_argument, NULL, O_FLAG },
		{ "endsetup", no_argument, NULL, O_ENDSETUP },
		{ "initpid", no_argument, NULL, O_INITPID },
		{ NULL, 0, NULL, 0 }
	};
	bool create = false, migrate = false, endsetup = false, initpid = false;
	uint64_t on = 0, off = 0, v;
	uint32_t xid = 0;
	char err[160];
	int c, r;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "+x:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		switch (c) {
		case O_CREATE: create = true; break;
		case O_MIGRATE: migrate = true; break;
		case 'x':
			if (vs_parse_u64(optarg, 1, 65535, &v) < 0)
				usage_error("--xid: '%s' is not a context id (1..65535)", optarg);
			xid = (uint32_t)v;
			break;
		case O_FLAG:
			if (vs_flags_parse(VS_FLAGS_CFLAGS, optarg, &on, &off, err, sizeof(err)) < 0)
				usage_error("--flag: %s", err);
			break;
		case O_ENDSETUP: endsetup = true; break;
		case O_INITPID: initpid = true; break;
		default: usage_error("invalid option");
		}
	}
	if (create == migrate)
		usage_error("give exactly one of --create and --migrate");
	if (!xid)
		usage_error("--xid is required");
	if (create && xid == 1)
		usage_error("--xid 1 is the spectator: it can only be entered (--migrate)");
	if (initpid && !endsetup)
		usage_error("--initpid needs --endsetup");
	if (optind >= argc)
		usage_error("no command given");
	vx_require();
	if (create) {
		r = vs_vx_ctx_create(xid, ((VXF_STATE_SETUP | VXF_STATE_INIT | VXF_STATE_ADMIN) |
					   on) & ~off);
		vx_check(r, "ctx_create");
	} else {
		vx_check(vs_vx_ctx_migrate(xid, 0), "ctx_migrate");
	}
	if (endsetup)
		vx_check(vs_vx_set_cflags(0xFFFFFFFEU, 0, VXF_STATE_SETUP |
					  (initpid ? VXF_STATE_INIT : 0)), "set_cflags");
	execvp(argv[optind], &argv[optind]);
	die(127, "cannot execute %s: %s", argv[optind], strerror(errno));
}
