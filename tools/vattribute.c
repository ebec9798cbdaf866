/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vattribute — show or change a context's flags and capabilities (vx). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "vx-common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] [--xid GUEST] --get\n"
	       "       %s [OPTIONS] [--xid GUEST] --set [--flag LIST] [--bcap LIST]\n"
	       "                                     [--ccap LIST]\n"
	       "Shows or changes context flags, context capabilities and the bounding\n"
	       "capabilities of a context (default: the caller's own).  LIST: names\n"
	       "separated by commas, '~' or '!' to clear, ^N for bit N.  Needs the vx\n"
	       "kernel.\n"
	       "\n"
	       "  -x, --xid GUEST      context id, guest name or \"self\"\n"
	       COMMON_OPTIONS_HELP, prog, prog);
}

int main(int argc, char **argv)
{
	enum { O_GET = OPT_TOOL_BASE, O_SET, O_FLAG, O_BCAP, O_CCAP };
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "xid", required_argument, NULL, 'x' },
		{ "get", no_argument, NULL, O_GET },
		{ "set", no_argument, NULL, O_SET },
		{ "flag", required_argument, NULL, O_FLAG },
		{ "bcap", required_argument, NULL, O_BCAP },
		{ "ccap", required_argument, NULL, O_CCAP },
		{ NULL, 0, NULL, 0 }
	};
	const char *xs = "self";
	bool get = false, set = false, hf = false, hb = false, hc = false;
	uint64_t fon = 0, foff = 0, bon = 0, boff = 0, con = 0, coff = 0;
	char err[160], buf[1024];
	struct vs_ctx *ctx;
	uint32_t xid;
	int c;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "x:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		switch (c) {
		case 'x': xs = optarg; break;
		case O_GET: get = true; break;
		case O_SET: set = true; break;
		case O_FLAG:
			hf = true;
			if (vs_flags_parse(VS_FLAGS_CFLAGS, optarg, &fon, &foff, err, sizeof(err)) < 0)
				usage_error("--flag: %s", err);
			break;
		case O_BCAP:
			hb = true;
			if (vs_flags_parse(VS_FLAGS_BCAPS, optarg, &bon, &boff, err, sizeof(err)) < 0)
				usage_error("--bcap: %s", err);
			break;
		case O_CCAP:
			hc = true;
			if (vs_flags_parse(VS_FLAGS_CCAPS, optarg, &con, &coff, err, sizeof(err)) < 0)
				usage_error("--ccap: %s", err);
			break;
		default: usage_error("invalid option");
		}
	}
	if (get == set)
		usage_error("give exactly one of --get and --set");
	if (set && !hf && !hb && !hc)
		usage_error("--set needs --flag, --bcap or --ccap");
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	ctx = tool_ctx();
	xid = vx_parse_xid(ctx, xs);
	vx_require();
	if (get) {
		uint64_t flags, ccaps, bcaps, umask;
		vx_check(vs_vx_get_cflags(xid, &flags, NULL), "get_cflags");
		vx_check(vs_vx_get_ccaps(xid, &ccaps, &bcaps), "get_ccaps");
		vs_flags_format(VS_FLAGS_CFLAGS, flags, buf, sizeof(buf));
		printf("flags: 0x%016llx %s\n", (unsigned long long)flags, buf);
		vs_flags_format(VS_FLAGS_CCAPS, ccaps, buf, sizeof(buf));
		printf("ccaps: 0x%016llx %s\n", (unsigned long long)ccaps, buf);
		vs_flags_format(VS_FLAGS_BCAPS, bcaps, buf, sizeof(buf));
		printf("bcaps: 0x%016llx %s\n", (unsigned long long)bcaps, buf);
		if (vs_vx_get_umask(xid, &umask) == 0)
			printf("umask: 0x%016llx\n", (unsigned long long)umask);
		return EXIT_OK;
	}
	/* util-vserver's order: ccaps, bcaps, then flags */
	if (hc)
		vx_check(vs_vx_set_ccaps(xid, con, con | coff), "set_ccaps");
	if (hb)
		vx_check(vs_vx_set_bcaps(xid, bon, bon | boff), "set_bcaps");
	if (hf)
		vx_check(vs_vx_set_cflags(xid, fon, fon | foff), "set_cflags");
	return EXIT_OK;
}
