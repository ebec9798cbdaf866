/* SPDX-License-Identifier: GPL-2.0-or-later */
/* naddress — add, remove or replace the addresses of a network context. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nx-common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] --nid N --add|--remove|--set ADDRESSES [-- COMMAND...]\n"
	       "Changes the address list of network context N (vx kernel); --set first\n"
	       "removes every address.  Then COMMAND, if given, is executed.\n"
	       "\n"
	       "  -n, --nid N          network context id (2..65535)\n"
	       "      --add            add the addresses\n"
	       "      --remove         remove them (single addresses only)\n"
	       "      --set            replace all addresses by them\n"
	       "      --ip IP[/P]      an address (IPv4 or IPv6; an interface name takes its\n"
	       "                       IPv4 address and netmask); repeatable\n"
	       "      --mask IP/P      a whole network (removed only by --set)\n"
	       "      --range A-B[/P]  an IPv4 range, B excluded (removed only by --set)\n"
	       "      --bcast IP       the broadcast address\n"
	       "      --lback IP       the loopback address\n"
	       "      --silentexist    an address that is there already is fine (--add)\n"
	       COMMON_OPTIONS_HELP, prog);
}

int main(int argc, char **argv)
{
	enum { O_ADD = OPT_TOOL_BASE, O_REMOVE, O_SET, O_IP, O_MASK, O_RANGE, O_BCAST, O_LBACK,
	       O_SILENTEXIST };
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "nid", required_argument, NULL, 'n' },
		{ "add", no_argument, NULL, O_ADD },
		{ "remove", no_argument, NULL, O_REMOVE },
		{ "set", no_argument, NULL, O_SET },
		{ "ip", required_argument, NULL, O_IP },
		{ "mask", required_argument, NULL, O_MASK },
		{ "range", required_argument, NULL, O_RANGE },
		{ "bcast", required_argument, NULL, O_BCAST },
		{ "lback", required_argument, NULL, O_LBACK },
		{ "silentexist", no_argument, NULL, O_SILENTEXIST },
		{ NULL, 0, NULL, 0 }
	};
	struct nx_list addrs = { 0 };
	int op = 0, c, r;
	bool silentexist = false;
	uint32_t nid = 0;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "+n:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		switch (c) {
		case 'n': nid = nx_parse_nid(optarg); break;
		case O_ADD: case O_REMOVE: case O_SET:
			if (op && op != c)
				usage_error("give one of --add, --remove and --set");
			op = c;
			break;
		case O_IP: nx_parse(&addrs, VS_NX_IP, "--ip", optarg); break;
		case O_MASK: nx_parse(&addrs, VS_NX_MASK, "--mask", optarg); break;
		case O_RANGE: nx_parse(&addrs, VS_NX_RANGE, "--range", optarg); break;
		case O_BCAST: nx_parse(&addrs, VS_NX_BCAST, "--bcast", optarg); break;
		case O_LBACK: nx_parse(&addrs, VS_NX_LBACK, "--lback", optarg); break;
		case O_SILENTEXIST: silentexist = true; break;
		default: usage_error("invalid option");
		}
	}
	if (!nid)
		usage_error("--nid is required");
	if (!op)
		usage_error("give one of --add, --remove and --set");
	if (!addrs.n && op != O_SET)
		usage_error("no address given");
	if (op == O_REMOVE)
		for (size_t i = 0; i < addrs.n; i++)
			if (addrs.a[i].type == 0x0020 || addrs.a[i].type == 0x0040 ||
			    addrs.a[i].type & 0x0300)
				usage_error("--remove takes single addresses (--ip); networks, "
					    "ranges, broadcast and loopback go with --set");
	nx_require();
	r = vs_vx_nx_info(nid);
	if (r == -ESRCH)
		die(EXIT_FAIL, "network context %u does not exist", nid);
	vx_check(r, "nx_info");
	if (op == O_SET) {
		r = vs_vx_net_remove_all(nid, AF_INET6);
		if (r != -ENOSYS)
			vx_check(r, "removing the IPv6 addresses");
		vx_check(vs_vx_net_remove_all(nid, AF_INET), "removing the IPv4 addresses");
	}
	nx_apply(nid, op != O_REMOVE, &addrs, silentexist);
	if (optind < argc) {
		execvp(argv[optind], &argv[optind]);
		die(127, "cannot execute %s: %s", argv[optind], strerror(errno));
	}
	return EXIT_OK;
}
