/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vserver-stat — one line per running guest. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
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
	       COMMON_OPTIONS_HELP, prog);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_ctx *ctx;
	char **names;
	bool json = false, first = true;
	int c, r, failed = 0;

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "jvqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		if (c == 'j')
			json = true;
		else
			usage_error("invalid option");
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	ctx = tool_ctx();
	r = vs_guest_list(ctx, &names);
	if (r < 0)
		die_lib(ctx, r);
	if (json)
		putchar('[');
	else
		printf("%-5s %5s %8s %10s %10s %6s %-7s %s\n", "CTX", "PROC", "MEMORY", "CPU",
		       "UPTIME", "HITS", "BACKEND", "NAME");
	for (char **n = names; *n; n++) {
		struct vs_guest *g;
		struct vs_status st;
		struct vs_limit *lim = NULL;
		size_t nlim = 0;
		char b1[32], b2[32], b3[32], b4[32];

		if (vs_guest_open(ctx, *n, &g) < 0) {
			/* a broken configuration must not hide the others */
			warnmsg("%s", vs_ctx_errmsg(ctx));
			failed = 1;
			continue;
		}
		r = vs_guest_status(g, &st);
		if (r == 0 && st.running && vs_guest_limits(g, &lim, &nlim) < 0)
			nlim = 0;
		if (r < 0) {
			warnmsg("%s: %s", *n, vs_ctx_errmsg(ctx));
			failed = 1;
		} else if (st.running && json) {
			printf("%s\n  {\"name\": ", first ? "" : ",");
			json_str(*n);
			printf(", \"context\": %u, \"backend\": \"%s\", \"init_pid\": %d, "
			       "\"processes\": %u, \"memory_bytes\": %llu, \"cpu_usec\": %llu, "
			       "\"uptime_ms\": %llu, \"missing_controllers\": [%s%s%s%s%s], "
			       "\"limit_hits\": %llu, \"limits\": ",
			       st.xid, vs_backend_name(st.backend), (int)st.init_pid, st.nproc,
			       (unsigned long long)st.mem_bytes, (unsigned long long)st.cpu_usec,
			       (unsigned long long)st.uptime_ms,
			       st.missing_cg & VS_CG_MEMORY ? "\"memory\"" : "",
			       (st.missing_cg & VS_CG_MEMORY) && (st.missing_cg & 6) ? ", " : "",
			       st.missing_cg & VS_CG_PIDS ? "\"pids\"" : "",
			       (st.missing_cg & VS_CG_PIDS) && (st.missing_cg & 4) ? ", " : "",
			       st.missing_cg & VS_CG_CPU ? "\"cpu\"" : "",
			       (unsigned long long)limits_hits(lim, nlim));
			print_limits_json(stdout, lim, nlim);
			putchar('}');
			first = false;
		} else if (st.running) {
			snprintf(b4, sizeof(b4), "%llu", (unsigned long long)limits_hits(lim, nlim));
			printf("%-5u %5u %8s %10s %10s %6s %-7s %s\n", st.xid, st.nproc,
			       fmt_bytes(st.mem_bytes, b1, sizeof(b1)),
			       fmt_duration(st.cpu_usec / 1000, b2, sizeof(b2)),
			       fmt_duration(st.uptime_ms, b3, sizeof(b3)), b4,
			       vs_backend_name(st.backend), *n);
		}
		free(lim);
		vs_guest_unref(g);
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	vs_strv_free(names);
	vs_ctx_unref(ctx);
	return failed ? EXIT_FAIL : EXIT_OK;
}
