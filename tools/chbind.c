/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chbind — run a command bound to a set of addresses: create (or join) a
 * network context, give it addresses, flags and capabilities, and exec. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nx-common.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] --nid N --ip IP[/PREFIX]... -- COMMAND [ARG...]\n"
	       "Creates network context N (vx kernel), gives it the addresses, flags and\n"
	       "capabilities, moves into it and runs COMMAND.  With --silentexist an\n"
	       "existing context N is joined (and left as it is) instead of refused.\n"
	       "\n"
	       "  -n, --nid N          network context id (2..65535)\n"
	       "      --ip IP[/P]      an address (IPv4 or IPv6; P prefix or dotted mask;\n"
	       "                       an interface name takes its IPv4 address); repeatable\n"
	       "      --mask IP/P      a whole network\n"
	       "      --range A-B[/P]  an IPv4 range (B excluded)\n"
	       "      --bcast IP       the broadcast address\n"
	       "      --lback IP       the loopback address (default 127.X.Y.1 from N)\n"
	       "      --flag LIST      network flags to set or clear (~name); default\n"
	       "                       lback_remap,hide_netif, plus single_ip with one IPv4\n"
	       "      --ncap LIST      network capabilities (e.g. raw_icmp)\n"
	       "      --secure         the flags and caps of util-vserver's --secure\n"
	       "                       (hide_netif, raw_icmp)\n"
	       "      --silentexist    join an existing context N\n"
	       COMMON_OPTIONS_HELP, prog);
}

int main(int argc, char **argv)
{
	enum { O_IP = OPT_TOOL_BASE, O_MASK, O_RANGE, O_BCAST, O_LBACK, O_FLAG, O_NCAP,
	       O_SECURE, O_SILENTEXIST };
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "nid", required_argument, NULL, 'n' },
		{ "ip", required_argument, NULL, O_IP },
		{ "mask", required_argument, NULL, O_MASK },
		{ "range", required_argument, NULL, O_RANGE },
		{ "bcast", required_argument, NULL, O_BCAST },
		{ "lback", required_argument, NULL, O_LBACK },
		{ "flag", required_argument, NULL, O_FLAG },
		{ "ncap", required_argument, NULL, O_NCAP },
		{ "secure", no_argument, NULL, O_SECURE },
		{ "silentexist", no_argument, NULL, O_SILENTEXIST },
		{ NULL, 0, NULL, 0 }
	};
	struct nx_list addrs = { 0 }, special = { 0 };
	uint64_t fon = 0, foff = 0, con = 0, coff = 0, flags;
	bool silentexist = false;
	uint32_t nid = 0;
	size_t v4 = 0;
	char err[160];
	int c, r;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "+n:vqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		switch (c) {
		case 'n': nid = nx_parse_nid(optarg); break;
		case O_IP: nx_parse(&addrs, VS_NX_IP, "--ip", optarg); break;
		case O_MASK: nx_parse(&addrs, VS_NX_MASK, "--mask", optarg); break;
		case O_RANGE: nx_parse(&addrs, VS_NX_RANGE, "--range", optarg); break;
		case O_BCAST: nx_parse(&special, VS_NX_BCAST, "--bcast", optarg); break;
		case O_LBACK: nx_parse(&special, VS_NX_LBACK, "--lback", optarg); break;
		case O_FLAG:
			if (vs_flags_parse(VS_FLAGS_NFLAGS, optarg, &fon, &foff, err, sizeof(err)) < 0)
				usage_error("--flag: %s", err);
			break;
		case O_NCAP:
			if (vs_flags_parse(VS_FLAGS_NCAPS, optarg, &con, &coff, err, sizeof(err)) < 0)
				usage_error("--ncap: %s", err);
			break;
		case O_SECURE:
			fon |= NXF_HIDE_NETIF;
			con |= NXC_RAW_ICMP;
			break;
		case O_SILENTEXIST: silentexist = true; break;
		default: usage_error("invalid option");
		}
	}
	if (!nid)
		usage_error("--nid is required");
	if (optind >= argc)
		usage_error("no command given");
	for (size_t i = 0; i < addrs.n; i++)
		v4 += addrs.a[i].family == AF_INET;
	nx_require();
	flags = NXF_LBACK_REMAP | NXF_HIDE_NETIF | (v4 == 1 ? NXF_SINGLE_IP : 0);
	flags = ((flags | fon) & ~foff) | NXF_STATE_ADMIN;
	r = vs_vx_net_create_flags(nid, flags);
	if ((r == -EEXIST || r == -EBUSY) && silentexist) {
		vx_check(vs_vx_net_migrate(nid), "net_migrate");
	} else {
		if (r == -EEXIST || r == -EBUSY)
			die(EXIT_FAIL, "network context %u exists already (--silentexist joins it)",
			    nid);
		vx_check(r, "net_create");
		nx_apply(nid, true, &addrs, false);
		nx_apply(nid, true, &special, false);
		if (con || coff)
			vx_check(vs_vx_set_ncaps(nid, con, con | coff), "set_ncaps");
	}
	execvp(argv[optind], &argv[optind]);
	die(127, "cannot execute %s: %s", argv[optind], strerror(errno));
}
