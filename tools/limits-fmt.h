/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Formatting of limit rows (vserver NAME limit/status, vserver-stat, vlimit). */
#ifndef VS_TOOLS_LIMITS_FMT_H
#define VS_TOOLS_LIMITS_FMT_H

#include <stdio.h>

#include "vserver.h"

/* A limit or use value of a row, for people: "inf", "-", 1.5G, 50%. */
const char *fmt_limit(const struct vs_limit *r, uint64_t v, bool use, char *buf, size_t len);
/* The table of vserver NAME limit / status (indent: prefix of each line). */
void print_limits(FILE *f, const struct vs_limit *rows, size_t n, const char *indent);
/* Sum of the hit counters that are known. */
uint64_t limits_hits(const struct vs_limit *rows, size_t n);

#endif
