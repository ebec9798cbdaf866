/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network contexts (ABI §5.7): address records in the shapes of the
 * kernel's v2 IPv4 and v1 IPv6 commands, their textual forms as naddress
 * and chbind take them, and the network side of a vx guest's start: create
 * the network context (nid), give it the guest's addresses, its loopback
 * address, flags and capabilities, and join it from exec/enter. */
#include "internal.h"

#include <arpa/inet.h>
#include <linux/vserver.h>
#include <sys/socket.h>

/* ---- system call wrappers ------------------------------------------------ */

int vs_vx_net_create_flags(uint32_t nid, uint64_t flags)
{
	struct vcmd_net_create d = { .flagword = flags };
	return (int)vs_vx_call(VCMD_net_create, nid, &d);
}

int vs_vx_nx_info(uint32_t nid)
{
	struct vcmd_nx_info_v0 d = { 0 };
	long r = vs_vx_call(VCMD_nx_info, nid, &d);
	return r < 0 ? (int)r : 0;
}

static void mask4(unsigned prefix, unsigned char m[4])
{
	uint32_t v = prefix ? htonl(~0U << (32 - prefix)) : 0;
	memcpy(m, &v, 4);
}

static void mask6(unsigned prefix, unsigned char m[16])
{
	memset(m, 0, 16);
	for (unsigned i = 0; i < 16 && prefix; i++) {
		unsigned b = prefix >= 8 ? 8 : prefix;
		m[i] = (unsigned char)(0xff00 >> b);
		prefix -= b;
	}
}

int vs_vx_net_addr(uint32_t nid, bool add, const struct vs_nx_addr *a)
{
	if (a->family == AF_INET) {
		struct vcmd_net_addr_ipv4_v2 d = { .type = a->type, .flags = a->flags };
		memcpy(&d.ip, a->ip, 4);
		memcpy(&d.ip2, a->ip2, 4);
		memcpy(&d.mask, a->mask, 4);
		return (int)vs_vx_call(add ? VCMD_net_add_ipv4 : VCMD_net_rem_ipv4, nid, &d);
	}
	if (a->family == AF_INET6) {
		struct vcmd_net_addr_ipv6_v1 d = { .type = a->type, .flags = a->flags,
						   .prefix = a->prefix };
		memcpy(d.ip, a->ip, 16);
		memcpy(d.mask, a->mask, 16);
		return (int)vs_vx_call(add ? VCMD_net_add_ipv6 : VCMD_net_remove_ipv6, nid, &d);
	}
	return -EAFNOSUPPORT;
}

int vs_vx_net_remove_all(uint32_t nid, int family)
{
	struct vs_nx_addr a = { .family = family, .type = NXA_TYPE_ANY };
	return vs_vx_net_addr(nid, false, &a);
}

/* ---- textual forms --------------------------------------------------------- */

static int prefix_of(const char *s, int family, unsigned *prefix, char *err, size_t errlen)
{
	uint64_t v;

	if (family == AF_INET && strchr(s, '.')) {
		struct in_addr m;
		uint32_t h;
		unsigned bits = 0;
		if (inet_pton(AF_INET, s, &m) != 1) {
			snprintf(err, errlen, "'%s' is not a netmask", s);
			return -EINVAL;
		}
		h = ntohl(m.s_addr);
		while (bits < 32 && (h & (0x80000000U >> bits)))
			bits++;
		if (bits < 32 && (h << bits) != 0) {
			snprintf(err, errlen, "netmask '%s' is not contiguous", s);
			return -EINVAL;
		}
		*prefix = bits;
		return 0;
	}
	if (!*s || strncmp(s, "0x", 2) == 0 ||
	    vs_parse_u64(s, 0, family == AF_INET ? 32 : 128, &v) < 0) {
		snprintf(err, errlen, "'%s' is not a valid prefix length", s);
		return -EINVAL;
	}
	*prefix = (unsigned)v;
	return 0;
}

static int one_ip(const char *s, struct vs_nx_addr *a, int want_family)
{
	unsigned char buf[16] = { 0 };

	if ((want_family == 0 || want_family == AF_INET) && inet_pton(AF_INET, s, buf) == 1) {
		a->family = AF_INET;
	} else if ((want_family == 0 || want_family == AF_INET6) &&
		   inet_pton(AF_INET6, s, buf) == 1) {
		a->family = AF_INET6;
	} else {
		return -EINVAL;
	}
	memcpy(want_family ? a->ip2 : a->ip, buf, 16);
	return 0;
}

int vs_nx_addr_parse(enum vs_nx_kind kind, const char *spec, struct vs_nx_addr *out,
		     char *err, size_t errlen)
{
	struct vs_nx_addr a = { 0 };
	char buf[128], dummy[8], *slash, *dash = NULL;
	unsigned prefix;
	int r;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (!spec || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "address too long");
		return -EINVAL;
	}
	strcpy(buf, spec);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (kind == VS_NX_RANGE) {
		dash = strchr(buf, '-');
		if (!dash) {
			snprintf(err, errlen, "'%s' is not a range FIRST-LAST[/PREFIX]", spec);
			return -EINVAL;
		}
		*dash++ = '\0';
	}
	if (one_ip(buf, &a, 0) < 0) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", buf);
		return -EINVAL;
	}
	prefix = a.family == AF_INET ? 32 : 128;
	if (slash && (r = prefix_of(slash, a.family, &prefix, err, errlen)) < 0)
		return r;
	a.prefix = prefix;
	switch (kind) {
	case VS_NX_IP:
		/* util-vserver: 0.0.0.0 means "any address", sent as a mask entry */
		a.type = NXA_TYPE_ADDR;
		if (a.family == AF_INET && !memcmp(a.ip, "\0\0\0\0", 4)) {
			a.type = NXA_TYPE_MASK;
			a.prefix = 0;
		}
		break;
	case VS_NX_MASK:
		a.type = NXA_TYPE_MASK;
		break;
	case VS_NX_RANGE:
		if (a.family != AF_INET || one_ip(dash, &a, AF_INET) < 0) {
			snprintf(err, errlen, "'%s': ranges are IPv4 FIRST-LAST", spec);
			return -EINVAL;
		}
		if (ntohl(*(uint32_t *)(void *)a.ip2) <= ntohl(*(uint32_t *)(void *)a.ip)) {
			snprintf(err, errlen, "'%s': the range is empty", spec);
			return -EINVAL;
		}
		a.type = NXA_TYPE_RANGE;
		break;
	case VS_NX_BCAST:
	case VS_NX_LBACK:
		if (a.family != AF_INET || slash) {
			snprintf(err, errlen, "'%s': %s addresses are plain IPv4 addresses", spec,
				 kind == VS_NX_BCAST ? "broadcast" : "loopback");
			return -EINVAL;
		}
		a.type = NXA_TYPE_ADDR | (kind == VS_NX_BCAST ? NXA_MOD_BCAST : NXA_MOD_LBACK);
		if (kind == VS_NX_LBACK && a.ip[0] != 127) {
			snprintf(err, errlen, "'%s': a loopback address lies in 127.0.0.0/8", spec);
			return -EINVAL;
		}
		break;
	default:
		return -EINVAL;
	}
	if (a.family == AF_INET) {
		mask4(a.prefix, a.mask);
		if (a.type == NXA_TYPE_MASK)
			for (int i = 0; i < 4; i++)
				a.ip[i] &= a.mask[i];
	} else {
		mask6(a.prefix, a.mask);
		if (a.type == NXA_TYPE_MASK)
			for (int i = 0; i < 16; i++)
				a.ip[i] &= a.mask[i];
	}
	*out = a;
	return 0;
}

int vs_nx_addr_from_iface(const struct vs_iface *ifc, struct vs_nx_addr *out)
{
	struct vs_nx_addr a = { .family = ifc->family, .type = NXA_TYPE_ADDR,
				.prefix = ifc->prefix };

	if (ifc->family != AF_INET && ifc->family != AF_INET6)
		return -EAFNOSUPPORT;
	memcpy(a.ip, ifc->addr, 16);
	if (a.family == AF_INET) {
		/* the IPv4 mask of an address entry gives its broadcast */
		mask4(a.prefix, a.mask);
	} else {
		/* the kernel stores all-ones for an IPv6 address entry */
		memset(a.mask, 0xff, 16);
	}
	*out = a;
	return 0;
}

int vs_nx_addr_format(const struct vs_nx_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN], ip2[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(a->family, a->ip, ip, sizeof(ip)))
		return -EINVAL;
	if ((a->type & NXA_MASK_ALL) == NXA_TYPE_RANGE) {
		inet_ntop(AF_INET, a->ip2, ip2, sizeof(ip2));
		n = snprintf(buf, len, "%s-%s", ip, ip2);
	} else if (a->type & (NXA_MOD_BCAST | NXA_MOD_LBACK)) {
		n = snprintf(buf, len, "%s", ip);
	} else {
		n = snprintf(buf, len, "%s/%u", ip, a->prefix);
	}
	return (n < 0 || (size_t)n >= len) ? -ENOSPC : 0;
}

/* ---- guests ------------------------------------------------------------------ */

/* The loopback address the ABI gives a new network context (127.x.y.1, x.y
 * the nid's bytes), unless interfaces/lback names another. */
void vs_nx_lback(const struct vs_config *c, unsigned char ip[4])
{
	if (c->lback_set) {
		memcpy(ip, c->lback, 4);
		return;
	}
	ip[0] = 127;
	ip[1] = (unsigned char)((c->nid >> 8) & 0xff);
	ip[2] = (unsigned char)(c->nid & 0xff);
	ip[3] = 1;
}

uint64_t vs_nx_flags(const struct vs_config *c)
{
	uint64_t f = VS_NX_DEFAULT_NFLAGS;
	size_t v4 = 0;

	for (size_t i = 0; i < c->n_ifaces; i++)
		v4 += c->ifaces[i].family == AF_INET;
	/* one IPv4 address: a wildcard bind becomes that address */
	if (v4 == 1)
		f |= NXF_SINGLE_IP;
	f = (f | c->nflags_on) & ~c->nflags_off;
	/* the host must be able to move exec/enter into the context */
	return (f | NXF_STATE_ADMIN) & ~NXF_STATE_SETUP;
}

int vs_nx_supported(void)
{
	/* task_nid exists without network contexts; nx_info does not.  Id 1
	 * (the spectator) is never a network context: ESRCH when supported */
	int r = vs_vx_nx_info(1);

	return r == -ENOSYS ? 0 : 1;
}

int vs_nx_check(struct vs_ctx *ctx, const struct vs_config *c)
{
	int r = vs_nx_supported();

	if (r > 0)
		return 0;
	if (c->n_ifaces)
		return vs_err(ctx, -EOPNOTSUPP, "%s: the guest has network addresses "
			      "(interfaces/), but this kernel has no network contexts (the "
			      "net_* commands answer ENOSYS); it cannot be confined to them",
			      c->name);
	vs_warn(ctx, "%s: this kernel has no network contexts: the guest is NOT network "
		"isolated (it can use every address of the host)", c->name);
	return 0;
}

int vs_nx_setup(const struct vs_config *c, char *err, size_t errlen)
{
	struct vs_nx_addr a;
	unsigned char lb[4];
	char s[64];
	int r;

	r = vs_vx_net_create_flags(c->nid, vs_nx_flags(c));
	if (r == -ENOSYS && !c->n_ifaces)
		return 0;	/* said at start: no network isolation */
	if (r == -EEXIST || r == -EBUSY) {
		snprintf(err, errlen, "network context %u already exists (is another guest "
			 "using this ncontext?)", c->nid);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "net_create %u: %s", c->nid, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < c->n_ifaces; i++) {
		vs_nx_addr_from_iface(&c->ifaces[i], &a);
		r = vs_vx_net_addr(c->nid, true, &a);
		if (r < 0 && r != -EEXIST) {
			vs_nx_addr_format(&a, s, sizeof(s));
			snprintf(err, errlen, "net_add %s (interface %s): %s", s,
				 c->ifaces[i].name, strerror(-r));
			return r;
		}
	}
	vs_nx_lback(c, lb);
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.type = NXA_TYPE_ADDR | NXA_MOD_LBACK;
	memcpy(a.ip, lb, 4);
	memset(a.mask, 0xff, 4);
	a.prefix = 32;
	r = vs_vx_net_addr(c->nid, true, &a);
	if (r < 0) {
		snprintf(err, errlen, "setting the loopback address %u.%u.%u.%u: %s", lb[0], lb[1],
			 lb[2], lb[3], strerror(-r));
		return r;
	}
	if (c->ncaps_on || c->ncaps_off) {
		r = vs_vx_set_ncaps(c->nid, c->ncaps_on, c->ncaps_on | c->ncaps_off);
		if (r < 0) {
			snprintf(err, errlen, "set_ncaps: %s", strerror(-r));
			return r;
		}
	}
	return 0;
}

int vs_nx_join(const struct vs_config *c, char *err, size_t errlen)
{
	int r = vs_vx_net_migrate(c->nid);

	if (r == -ENOSYS && !c->n_ifaces)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "net_migrate %u: %s", c->nid, strerror(-r));
		return r;
	}
	return 0;
}
