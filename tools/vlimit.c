/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vlimit — show or change the per-context limits of a context (vx), in the
 * manner of util-vserver's vlimit:
 *   vlimit -c XID -a                      every limit: current, min/max, soft/hard, hits
 *   vlimit -c XID [-S|-H] --nproc 100 ... set (both, or only soft / hard)
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "vx-common.h"


static void help(void)
{
	printf("Usage: %s [OPTIONS] -c XID -a\n"
	       "       %s [OPTIONS] -c XID [[-S|-H|-M] --RES VALUE]...\n"
	       "       %s [OPTIONS] -c XID --reset-hits | --reset-minmax\n"
	       "Shows or changes the per-context limits of a context (vx kernel).\n"
	       "RES is a limit name (nproc, nofile, locks, msgqueue, nsock, openfd, shmem,\n"
	       "dentry, as, rss, ...) or its number; VALUE a number, a size with K/M/G/T\n"
	       "suffix for byte and page limits, or inf.  -S and -H make the next --RES set\n"
	       "only the soft or the hard limit (default: both); -M (minimum) is accepted\n"
	       "and ignored, as by the kernel.  Without -a and without --RES, the limits\n"
	       "that are not unlimited are shown.  The ns backend has no contexts: use\n"
	       "'vserver NAME limit' there.\n"
	       "\n"
	       "  -c, --xid GUEST      context id, guest name or \"self\" (default self)\n"
	       "  -a, --all            show every limit the kernel supports\n"
	       "      --reset-hits     set every hit counter to 0\n"
	       "      --reset-minmax   set minimum and maximum to the current value\n"
	       "      --mask           print the kernel's limit mask (ids it can limit)\n"
	       COMMON_OPTIONS_HELP, prog, prog, prog);
}

struct change {
	int id;
	int part;		/* 0 both, 1 soft, 2 hard, 3 min */
	uint64_t value;
};

static const char *num(uint64_t v, bool sgn, char *b, size_t len)
{
	if (v == CRLIM_INFINITY)
		snprintf(b, len, sgn ? "-1" : "inf");
	else
		snprintf(b, len, "%" PRIu64, v);
	return b;
}

static void show(uint32_t xid, bool all, uint32_t mask)
{
	bool header = false;

	for (int id = 0; id < VS_RLIMIT_NUM; id++) {
		uint64_t soft = CRLIM_INFINITY, hard = CRLIM_INFINITY, cur = 0, lo = 0, hi = 0;
		uint32_t hits = 0;
		char a[24], b[24], c[24], d[24], e[24], f[24], u[32];
		bool limitable = mask & (1U << id), stat;

		if (!limitable && !(all && ((1U << id) & 0x00B00000U)))
			continue;
		if (limitable) {
			int r = vs_vx_get_rlimit(xid, (uint32_t)id, &soft, &hard);
			/* a context that does not exist has no limits to show:
			 * saying "no limits set" would pass for an answer */
			if (r == -ESRCH)
				die(EXIT_FAIL, "context %u does not exist", xid);
			if (r < 0)
				continue;
		}
		if (!all && soft == CRLIM_INFINITY && hard == CRLIM_INFINITY)
			continue;
		stat = vs_vx_rlimit_stat_full(xid, (uint32_t)id, &cur, &lo, &hi, &hits) == 0;
		if (!header) {
			printf("%-9s %10s %10s %10s %10s %10s %6s  %s\n", "LIMIT", "CURRENT", "MIN",
			       "MAX", "SOFT", "HARD", "HITS", "UNIT");
			header = true;
		}
		snprintf(u, sizeof(u), "%s%s%s", vs_limit_unit(id),
			 !limitable && vs_limit_unit(id)[0] ? ", " : "", limitable ? "" : "accounting");
		printf("%-9s %10s %10s %10s %10s %10s %6s  %s\n", vs_rlimit_name(id),
		       stat ? num(cur, false, a, sizeof(a)) : "-",
		       stat ? num(lo, false, b, sizeof(b)) : "-",
		       stat ? num(hi, false, c, sizeof(c)) : "-",
		       limitable ? num(soft, false, d, sizeof(d)) : "-",
		       limitable ? num(hard, false, e, sizeof(e)) : "-",
		       stat ? (snprintf(f, sizeof(f), "%u", hits), f) : "-", u);
	}
	if (!header)
		printf("no limits set\n");
}

int main(int argc, char **argv)
{
	enum { O_RESET_HITS = OPT_TOOL_BASE, O_RESET_MINMAX, O_MASK,
	       O_RES = OPT_TOOL_BASE + 0x10 };
	struct option opts[64] = { COMMON_LONG_OPTIONS };
	size_t no = 0;
	const char *xs = "self";
	struct change *ch = NULL;
	size_t nch = 0;
	bool all = false, rh = false, rm = false, showmask = false;
	int part = 0, c;
	uint32_t xid, mask = 0;
	struct vs_ctx *ctx;

	while (opts[no].name)
		no++;
	opts[no++] = (struct option){ "xid", required_argument, NULL, 'c' };
	opts[no++] = (struct option){ "all", no_argument, NULL, 'a' };
	opts[no++] = (struct option){ "reset-hits", no_argument, NULL, O_RESET_HITS };
	opts[no++] = (struct option){ "reset-minmax", no_argument, NULL, O_RESET_MINMAX };
	opts[no++] = (struct option){ "mask", no_argument, NULL, O_MASK };
	for (int id = 0; id < VS_RLIMIT_NUM; id++)
		opts[no++] = (struct option){ vs_rlimit_name(id), required_argument, NULL,
					      O_RES + id };
	opts[no] = (struct option){ NULL, 0, NULL, 0 };

	tool_init(argc, argv);
	while ((c = getopt_long(argc, argv, "c:x:aSHMvqhV", opts, NULL)) != -1) {
		if (common_option(c, optarg, help))
			continue;
		if (c >= O_RES && c < O_RES + VS_RLIMIT_NUM) {
			struct change *n = realloc(ch, (nch + 1) * sizeof(*ch));
			int id = c - O_RES;
			if (!n)
				die(EXIT_FAIL, "out of memory");
			ch = n;
			if (vs_limit_parse_value(id, optarg, &ch[nch].value) < 0)
				usage_error("--%s: '%s' is not %s", vs_rlimit_name(id), optarg,
					    vs_limit_unit(id)[0] ? "a number, a size or inf" :
					    "a number or inf");
			ch[nch].id = id;
			ch[nch].part = part;
			nch++;
			part = 0;
			continue;
		}
		switch (c) {
		case 'c': case 'x': xs = optarg; break;
		case 'a': all = true; break;
		case 'S': part = 1; break;
		case 'H': part = 2; break;
		case 'M': part = 3; break;
		case O_RESET_HITS: rh = true; break;
		case O_RESET_MINMAX: rm = true; break;
		case O_MASK: showmask = true; break;
		default: usage_error("invalid option");
		}
	}
	/* numeric resources, util-vserver style: "--6 100" is not an option
	 * getopt knows, so numbers come as "RES=VALUE" arguments too */
	for (; optind < argc; optind++) {
		char *eq = strchr(argv[optind], '=');
		struct change *n;
		int id;
		if (!eq)
			usage_error("unexpected argument '%s'", argv[optind]);
		*eq = '\0';
		id = vs_rlimit_id(argv[optind]);
		if (id < 0)
			usage_error("unknown limit '%s'", argv[optind]);
		n = realloc(ch, (nch + 1) * sizeof(*ch));
		if (!n)
			die(EXIT_FAIL, "out of memory");
		ch = n;
		if (vs_limit_parse_value(id, eq + 1, &ch[nch].value) < 0)
			usage_error("%s: '%s' is not a limit value", argv[optind], eq + 1);
		ch[nch].id = id;
		ch[nch].part = 0;
		nch++;
	}
	if (part)
		usage_error("-S, -H or -M must be followed by --RES VALUE");
	if (all && nch)
		usage_error("give either -a or limits to set");
	ctx = tool_ctx();
	xid = vx_parse_xid(ctx, xs);
	vx_require();
	{
		int r = vs_vx_get_rlimit_mask(NULL, NULL, &mask);
		if (r == -ENOSYS || r == -EINVAL)
			die(EXIT_FAIL, "this kernel has no per-context limits (get_rlimit_mask: %s)",
			    strerror(-r));
		vx_check(r, "get_rlimit_mask");
	}
	if (showmask) {
		char names[512] = "";
		for (int id = 0; id < VS_RLIMIT_NUM; id++)
			if (mask & (1U << id))
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 names[0] ? " " : "", vs_rlimit_name(id));
		printf("0x%08x %s\n", mask, names);
		return EXIT_OK;
	}
	for (size_t i = 0; i < nch; i++) {
		uint64_t v = ch[i].value == VS_LIMIT_INF ? CRLIM_INFINITY : ch[i].value;
		if (ch[i].part == 3) {
			warnmsg("--%s: minimums are not implemented by the kernel; ignored",
				vs_rlimit_name(ch[i].id));
			continue;
		}
		if (!(mask & (1U << ch[i].id)))
			die(EXIT_FAIL, "--%s: the kernel cannot limit it per context (limit mask "
			    "0x%08x)", vs_rlimit_name(ch[i].id), mask);
		vx_check(vs_vx_set_rlimit(xid, (uint32_t)ch[i].id, ch[i].part == 2 ? CRLIM_KEEP : v,
					  ch[i].part == 1 ? CRLIM_KEEP : v), "set_rlimit");
	}
	if (rh)
		vx_check(vs_vx_reset_hits(xid), "reset_hits");
	if (rm)
		vx_check(vs_vx_reset_minmax(xid), "reset_minmax");
	if (!nch && !rh && !rm)
		show(xid, all, mask);
	free(ch);
	vs_ctx_unref(ctx);
	return EXIT_OK;
}
