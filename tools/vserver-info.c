/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-info — what this machine offers: backend, kernel interface. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] [backend|apiver|vci|dirs|xid PID]\n"
	       "Without argument: a summary.  backend: the backend guests use by default\n"
	       "here (ns or vx); apiver: the vserver kernel interface version (exit 1 if\n"
	       "there is none); vci: its configuration word; xid PID: the context id of a\n"
	       "process (vx kernel); dirs: the configuration, guest root and run\n"
	       "directories in force (built-in defaults, environment, options).\n"
	       "\n"
	       COMMON_OPTIONS_HELP, prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	int c, v;
	uint32_t vci;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "vqhV", opts, NULL)) != -1)
		if (!common_option(c, optarg, help))
			usage_error("invalid option");
	v = vs_vx_get_version();
	if (optind == argc) {
		printf("default backend: %s\n", vs_backend_name(vs_backend_detect()));
		if (v >= 0)
			printf("vserver kernel interface: 0x%08x\n", (unsigned)v);
		else
			printf("vserver kernel interface: none (%s)\n", strerror(-v));
		if (vs_vx_get_vci(&vci) == 0)
			printf("vserver kernel configuration: 0x%08x\n", vci);
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "backend") && argc - optind == 1) {
		puts(vs_backend_name(vs_backend_detect()));
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "apiver") && argc - optind == 1) {
		if (v < 0)
			die(EXIT_FAIL, "no vserver kernel interface: %s", strerror(-v));
		printf("0x%08x\n", (unsigned)v);
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "dirs") && argc - optind == 1) {
		struct vs_ctx *ctx = tool_ctx();
		printf("confdir %s\nvdirbase %s\nrundir %s\n", vs_ctx_get_confdir(ctx),
		       vs_ctx_get_vdirbase(ctx), vs_ctx_get_rundir(ctx));
		vs_ctx_unref(ctx);
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "vci") && argc - optind == 1) {
		int r = vs_vx_get_vci(&vci);
		if (r < 0)
			die(EXIT_FAIL, "no vserver kernel interface: %s", strerror(-r));
		printf("0x%08x\n", vci);
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "xid") && argc - optind == 2) {
		uint64_t pid;
		uint32_t xid;
		int r;
		if (vs_parse_u64(argv[optind + 1], 0, 0x7fffffff, &pid) < 0)
			usage_error("'%s' is not a pid", argv[optind + 1]);
		r = vs_vx_task_xid((pid_t)pid, &xid);
		if (r < 0)
			die(EXIT_FAIL, "task_xid %s: %s", argv[optind + 1], strerror(-r));
		printf("%u\n", xid);
		return EXIT_OK;
	}
	usage_error("unknown query");
}
