/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the low-level vx tools (vcontext, vattribute, vuname). */
#ifndef VS_VX_COMMON_H
#define VS_VX_COMMON_H

#include <errno.h>
#include <string.h>

#include "common.h"
/* the series' uapi header (include/uapi, kept equal to the patch by
 * scripts/check-uapi): the flag and limit constants come from there */
#include <linux/vserver.h>

/* Parses --xid: a number, "self" (the caller's own context) or a guest. */
static inline uint32_t vx_parse_xid(struct vs_ctx *ctx, const char *s)
{
	uint64_t v;

	if (!strcmp(s, "self"))
		return 0xFFFFFFFEU;	/* VX_ID_SELF */
	if (vs_parse_u64(s, 2, 65535, &v) == 0)
		return (uint32_t)v;
	{
		struct vs_guest *g = open_guest(ctx, s);
		uint32_t x = vs_guest_xid(g);
		vs_guest_unref(g);
		if (!x)
			die(EXIT_FAIL, "guest '%s' has no context id", s);
		return x;
	}
}

/* Fails clearly when the kernel has no vserver interface. */
static inline void vx_require(void)
{
	int v = vs_vx_get_version();
	if (v == -ENOSYS)
		die(EXIT_FAIL, "this kernel has no vserver system call (ENOSYS); %s needs "
		    "the vx backend", prog);
	if (v < 0)
		die(EXIT_FAIL, "vserver system call: %s", strerror(-v));
}

static inline void vx_check(int r, const char *what)
{
	if (r < 0)
		die(EXIT_FAIL, "%s: %s", what, strerror(-r));
}

#endif
