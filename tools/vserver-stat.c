/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-stat — one line per running guest. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json-fmt.h"
#include "limits-fmt.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS]\n"
	       "One line per running guest: context id, number of processes, memory,\n"
	       "CPU time, uptime, limit hits (sum of the hit counters of every limit\n"
	       "except the CPU cap), backend and name.  --json also lists every limit\n"
	       "with its use and hits (as 'vserver NAME limit --json').\n"
	       "\n"
	       "  -j, --json           a JSON array instead of the table\n"
	       "  -n, --net            network view: network context, mode, addresses\n"
	       COMMON_OPTIONS_HELP, prog);
}

/* NAME MODE NID ADDRESSES */
static void net_line(struct vs_guest *g, const char *name)
{
	struct vs_net_info ni;

	if (vs_guest_net_info(g, &ni) < 0)
		return;
	printf("%-5u %-6s ", ni.nid, vs_net_mode_name(ni.mode));
	for (size_t i = 0; ni.addrs && ni.addrs[i]; i++)
		printf("%s%s", i ? "," : "", ni.addrs[i]);
	printf("%s %s\n", ni.addrs && ni.addrs[0] ? "" : "-", name);
	vs_net_info_clear(&ni);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "net", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_ctx *ctx;
	struct vs_running_stat *all;
	size_t nall;
	struct json_object *arr = NULL;
	bool json = false, net = false;
	int c, r, failed = 0;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "jnvqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		if (c == 'j')
			json = true;
		else if (c == 'n')
			net = true;
		else
			usage_error("invalid option");
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	ctx = tool_ctx();
	/* the guests that run, each read once (run state, cgroup): the cost
	 * grows with what runs, not with what is configured */
	r = vs_running_stats(ctx, &all, &nall);
	if (r < 0)
		die_lib(ctx, r);
	if (json)
		arr = json_object_new_array();
	else if (net)
		printf("%-5s %-6s %s %s\n", "NID", "NET", "ADDRESSES", "NAME");
	else
		printf("%-5s %5s %8s %10s %10s %6s %-7s %s\n", "CTX", "PROC", "MEMORY", "CPU",
		       "UPTIME", "HITS", "BACKEND", "NAME");
	for (size_t i = 0; i < nall; i++) {
		const struct vs_running_stat *e = &all[i];
		const struct vs_status *st = &e->st;
		const char *problem = e->problem[0] ? e->problem : NULL;
		struct vs_guest *g = NULL;
		struct vs_limit *lim = NULL;
		size_t nlim = 0;
		char b1[32], b2[32], b3[32], b4[32];

		/* the JSON form lists the configured limits, --net the
		 * configured network context: those read the configuration;
		 * a guest whose configuration is bad is listed all the same,
		 * with its problem (it still runs, and stops from its run
		 * state) */
		if ((json || net) && vs_guest_open(ctx, e->name, &g) < 0) {
			if (!problem)
				problem = vs_ctx_errmsg(ctx);
			if (vs_guest_open_deferred(ctx, e->name, &g) < 0)
				g = NULL;
		}
		if (problem) {
			warnmsg("%s: %s", e->name, problem);
			failed = 1;
		}
		if (json && g && !problem && vs_guest_limits(g, &lim, &nlim) < 0)
			nlim = 0;
		if (json) {
			json_object_array_add(arr, json_guest_status(e->name, g, st, lim, nlim,
								     e->limit_hits, problem));
		} else if (net) {
			if (g)
				net_line(g, e->name);
		} else {
			if (e->limit_hits == VS_VALUE_UNKNOWN)
				snprintf(b4, sizeof(b4), "-");
			else
				snprintf(b4, sizeof(b4), "%llu", (unsigned long long)e->limit_hits);
			printf("%-5u %5u %8s %10s %10s %6s %-7s %s\n", st->xid, st->nproc,
			       fmt_bytes(st->mem_bytes, b1, sizeof(b1)),
			       fmt_duration(st->cpu_usec / 1000, b2, sizeof(b2)),
			       fmt_duration(st->uptime_ms, b3, sizeof(b3)), b4,
			       vs_backend_name(st->backend), e->name);
		}
		free(lim);
		vs_guest_unref(g);
	}
	if (json)
		json_print(stdout, arr);
	free(all);
	vs_ctx_unref(ctx);
	return failed ? EXIT_FAIL : EXIT_OK;
}
