/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vuname — show or set a context's virtual host information (vx). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vx-common.h"

static const char *const fields[] = {
	"context", "sysname", "nodename", "release", "version", "machine", "domainname",
};

static void help(void)
{
	printf("Usage: %s [OPTIONS] [--xid GUEST] --get [FIELD...]\n"
	       "       %s [OPTIONS] [--xid GUEST] --set -t FIELD=VALUE...\n"
	       "FIELD: context, sysname, nodename, release, version, machine, domainname.\n"
	       "Needs the vx kernel.\n"
	       "\n"
	       "  -x, --xid GUEST      context id, guest name or \"self\"\n"
	       "  -t, --tag FIELD=VALUE  with --set; may be repeated\n"
	       COMMON_OPTIONS_HELP, prog, prog);
}

static int field_id(const char *name)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(name, fields[i]))
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	enum { O_GET = OPT_TOOL_BASE, O_SET };
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "xid", required_argument, NULL, 'x' },
		{ "get", no_argument, NULL, O_GET },
		{ "set", no_argument, NULL, O_SET },
		{ "tag", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *xs = "self";
	const char *tags[16];
	int ntags = 0, c;
	bool get = false, set = false;
	struct vs_ctx *ctx;
	uint32_t xid;
	char buf[80];

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "x:t:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		switch (c) {
		case 'x': xs = optarg; break;
		case O_GET: get = true; break;
		case O_SET: set = true; break;
		case 't': {
			const char *eq = strchr(optarg, '=');
			char name[32];
			if (!eq || (size_t)(eq - optarg) >= sizeof(name))
				usage_error("-t: expected FIELD=VALUE, got '%s'", optarg);
			memcpy(name, optarg, (size_t)(eq - optarg));
			name[eq - optarg] = '\0';
			if (field_id(name) < 0)
				usage_error("unknown field '%s'", name);
			if (strlen(eq + 1) > 64)
				usage_error("%s: at most 64 characters", name);
			if (ntags == 16)
				usage_error("too many -t");
			tags[ntags++] = optarg;
			break;
		}
		default: usage_error("invalid option");
		}
	}
	if (get == set)
		usage_error("give exactly one of --get and --set");
	if (set && (!ntags || optind < argc))
		usage_error("--set takes -t FIELD=VALUE options only");
	if (get && ntags)
		usage_error("-t only goes with --set");
	for (int i = optind; i < argc; i++)
		if (field_id(argv[i]) < 0)
			usage_error("unknown field '%s'", argv[i]);
	ctx = tool_ctx();
	xid = vx_parse_xid(ctx, xs);
	vx_require();
	if (set) {
		for (int i = 0; i < ntags; i++) {
			char name[32];
			const char *eq = strchr(tags[i], '=');
			memcpy(name, tags[i], (size_t)(eq - tags[i]));
			name[eq - tags[i]] = '\0';
			vx_check(vs_vx_set_vhi_name(xid, (uint32_t)field_id(name), eq + 1),
				 "set_vhi_name");
		}
		return EXIT_OK;
	}
	for (int f = 0; f < 7; f++) {
		bool want = optind == argc;
		for (int i = optind; i < argc; i++)
			want |= field_id(argv[i]) == f;
		if (!want)
			continue;
		vx_check(vs_vx_get_vhi_name(xid, (uint32_t)f, buf, sizeof(buf)), "get_vhi_name");
		if (optind == argc)
			printf("%s: %s\n", fields[f], buf);
		else
			puts(buf);
	}
	return EXIT_OK;
}
