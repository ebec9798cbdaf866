/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by chbind and naddress: network context ids and address options. */
#ifndef VS_NX_COMMON_H
#define VS_NX_COMMON_H

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vx-common.h"


struct nx_list {
	struct vs_nx_addr *a;
	size_t n;
};

static inline void nx_push(struct nx_list *l, const struct vs_nx_addr *a)
{
	struct vs_nx_addr *n = realloc(l->a, (l->n + 1) * sizeof(*n));
	if (!n)
		die(EXIT_FAIL, "out of memory");
	l->a = n;
	l->a[l->n++] = *a;
}

/* --nid: a number or a guest (its ncontext). */
static inline uint32_t nx_parse_nid(const char *s)
{
	uint64_t v;

	if (vs_parse_u64(s, 2, 65535, &v) < 0)
		usage_error("--nid: '%s' is not a network context id (2..65535)", s);
	return (uint32_t)v;
}

/* An --ip value may also name an interface: its current IPv4 address and
 * netmask, as util-vserver's naddress does. */
static inline bool nx_from_ifname(const char *name, char *spec, size_t len)
{
	struct ifaddrs *all, *i;
	bool found = false;

	if (strlen(name) >= IFNAMSIZ || strchr(name, '.') || strchr(name, ':') ||
	    getifaddrs(&all) < 0)
		return false;
	for (i = all; i && !found; i = i->ifa_next) {
		char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, name))
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, a,
			  sizeof(a));
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr, m,
			  sizeof(m));
		snprintf(spec, len, "%s/%s", a, m);
		found = true;
	}
	freeifaddrs(all);
	return found;
}

static inline void nx_parse(struct nx_list *l, enum vs_nx_kind kind, const char *opt,
			    const char *arg)
{
	struct vs_nx_addr a;
	char err[160], spec[64];

	if (kind == VS_NX_IP && vs_nx_addr_parse(kind, arg, &a, NULL, 0) < 0 &&
	    nx_from_ifname(arg, spec, sizeof(spec)))
		arg = spec;
	if (vs_nx_addr_parse(kind, arg, &a, err, sizeof(err)) < 0)
		usage_error("%s: %s", opt, err);
	nx_push(l, &a);
}

static inline void nx_apply(uint32_t nid, bool add, const struct nx_list *l, bool silentexist)
{
	for (size_t i = 0; i < l->n; i++) {
		char s[96], what[128];
		int r = vs_vx_net_addr(nid, add, &l->a[i]);
		if (r == -EEXIST && silentexist)
			continue;
		if (r < 0) {
			vs_nx_addr_format(&l->a[i], s, sizeof(s));
			snprintf(what, sizeof(what), "%s %s (network context %u)",
				 add ? "adding" : "removing", s, nid);
			vx_check(r, what);
		}
	}
}

/* Fails clearly when the kernel has no network contexts. */
static inline void nx_require(void)
{
	vx_require();
	/* nx_info of the spectator: ESRCH with network contexts, else ENOSYS */
	if (vs_vx_nx_info(1) == -ENOSYS)
		die(EXIT_FAIL, "this kernel has no network contexts (the net commands answer "
		    "ENOSYS); %s needs them", prog);
}

#endif
