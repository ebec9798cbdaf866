/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "common.h"
#include "limits-fmt.h"

const char *fmt_limit(const struct vs_limit *r, uint64_t v, bool use, char *buf, size_t len)
{
	if (v == VS_VALUE_UNKNOWN) {
		snprintf(buf, len, "-");
	} else if (v == VS_LIMIT_INF) {
		snprintf(buf, len, "inf");
	} else if (!strcmp(r->unit, "bytes")) {
		fmt_bytes(v, buf, len);
	} else if (!strcmp(r->unit, "ppm")) {
		if (use)	/* CPU time used, µs */
			fmt_duration(v / 1000, buf, len);
		else if (v % 10000)
			snprintf(buf, len, "%.1f%%", (double)v / 10000);
		else
			snprintf(buf, len, "%" PRIu64 "%%", v / 10000);
	} else {
		snprintf(buf, len, "%" PRIu64, v);
	}
	return buf;
}

void print_limits(FILE *f, const struct vs_limit *rows, size_t n, const char *indent)
{
	char a[32], b[32], c[32], d[32], e[32], h[32];

	fprintf(f, "%s%-11s %-12s %9s %9s %9s %9s %9s %7s\n", indent, "LIMIT", "VIA", "CURRENT",
		"MIN", "MAX", "SOFT", "HARD", "HITS");
	for (size_t i = 0; i < n; i++) {
		const struct vs_limit *r = &rows[i];
		fprintf(f, "%s%-11s %-12s %9s %9s %9s %9s %9s %7s\n", indent, r->name, r->via,
			fmt_limit(r, r->cur, true, a, sizeof(a)),
			fmt_limit(r, r->lo, true, b, sizeof(b)),
			fmt_limit(r, r->hi, true, c, sizeof(c)),
			fmt_limit(r, r->soft, false, d, sizeof(d)),
			fmt_limit(r, r->hard, false, e, sizeof(e)),
			r->hits == VS_VALUE_UNKNOWN ? "-" :
			(snprintf(h, sizeof(h), "%" PRIu64, r->hits), h));
	}
}

uint64_t limits_hits(const struct vs_limit *rows, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		if (rows[i].hits != VS_VALUE_UNKNOWN && strcmp(rows[i].unit, "ppm"))
			s += rows[i].hits;
	return s;
}
