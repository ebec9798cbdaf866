// SPDX-License-Identifier: GPL-2.0-or-later
/* vs-fuzz: argument values near what the kernel checks, and bad pointers. */
#include "fuzz.h"

/*
 * The arena of a worker: page 0..1 read-write, page 2 a guard (never
 * mapped), page 3 read-only, page 4 a guard.  Structures that end inside
 * page 2 are truncated: the kernel must copy them all or fail with EFAULT.
 */
char *arena;
char *race;		/* racer: 8 pages the second thread churns */
char *shm;		/* 4 pages of the memfd that churn truncates */
/* the same below 4 GiB, for the calls through the i386 entry */
char *arena64, *arena32, *shm64, *shm32, *race64;

sigjmp_buf fill_jmp;
volatile sig_atomic_t in_fill;

void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (in_fill)
		siglongjmp(fill_jmp, 1);
	/* Sent by kill/ctx_kill (si_code <= 0 or SI_KERNEL): ignore.  A real
	 * fault outside a fill is a fuzzer bug: die of it. */
	if (si->si_code > 0 && si->si_code != SI_KERNEL) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

void on_alarm(int sig) { (void)sig; }

/* A pointer that is bad in one of the ways the kernel must survive. */
uint64_t bad_pointer(struct rng *r)
{
	static const uint64_t fixed[] = {
		1, 8, 4095, 0xffffffffffffffffULL, 0xffff888000000000ULL,
		0xffffffff81000000ULL, 0x8000000000000000ULL, 0x00007ffffffff000ULL,
		0x0000800000000000ULL, 0xfffffffffffff000ULL,
	};
	switch (below(r, 4)) {
	case 0: return (uint64_t)(arena + 2 * PG + below(r, PG));	/* guard */
	case 1: return (uint64_t)(arena + 4 * PG + below(r, PG));	/* guard */
	case 2: return rnd(r);
	default: return fixed[below(r, sizeof(fixed) / sizeof(fixed[0]))];
	}
}

/* A path pointer for iattr/dlimit/mapping: mostly the fuzzer's own
 * scratch files (never a host path: marking "/" as a barrier is an admin's
 * right and would only break the other guests), sometimes bad. */
static uint64_t path_pointer(struct rng *r, char *buf)
{
	switch (below(r, 8)) {
	case 0: return bad_pointer(r);
	case 1: {	/* unterminated: runs into the guard page */
		char *s = arena + 2 * PG - 64;
		memset(s, 'a', 64);
		return (uint64_t)s;
	}
	case 2: return race ? (uint64_t)(race + below(r, RACEPAGES * PG)) : 0;
	default: {
		const char *p = paths[below(r, 6)];
		strcpy(buf, p);
		return (uint64_t)buf;
	}
	}
}

uint64_t flagword(struct rng *r)
{
	static const uint64_t bits[] = {
		VXF_INFO_PRIVATE, VXF_INFO_INIT, VXF_INFO_HIDE, VXF_SCHED_PRIO,
		VXF_SCHED_PAUSE, VXF_VIRT_MEM, VXF_VIRT_UPTIME, VXF_VIRT_LOAD,
		VXF_VIRT_TIME, VXF_HIDE_MOUNT, VXF_HIDE_VINFO, VXF_STATE_SETUP,
		VXF_STATE_INIT, VXF_STATE_ADMIN, VXF_SC_HELPER, VXF_REBOOT_KILL,
		VXF_PERSISTENT, VXF_FORK_RSS, VXF_PROLIFIC, VXF_IGNEG_NICE,
		NXF_SINGLE_IP, NXF_LBACK_REMAP, NXF_LBACK_ALLOW, NXF_HIDE_NETIF,
		NXF_HIDE_LBACK, 1ULL << 63, 1,
	};
	uint64_t w = 0;

	switch (below(r, 6)) {
	case 0: return 0;
	case 1: return ~0ULL;
	case 2: return rnd(r);
	default:
		for (unsigned n = below(r, 5); n; n--)
			w |= bits[below(r, sizeof(bits) / sizeof(bits[0]))];
		return w;
	}
}

static uint64_t limit_value(struct rng *r)
{
	static const uint64_t v[] = { CRLIM_UNSET, CRLIM_INFINITY, CRLIM_KEEP, 1, 2, 5,
				      100, 0x7fffffffffffffffULL, 0xfffffffdULL };
	return chance(r, 70) ? v[below(r, sizeof(v) / sizeof(v[0]))] : rnd(r);
}

static uint32_t ipv4(struct rng *r)
{
	static const uint32_t v[] = { 0, 0xffffffff, 0x7f000001, 0xc0000201, 0xc0000202,
				      0x0a000001, 0xe0000001, 0x7f2a0001, 0xffffff00 };
	uint32_t a = chance(r, 80) ? v[below(r, sizeof(v) / sizeof(v[0]))] : (uint32_t)rnd(r);

	return __builtin_bswap32(a);
}

static uint16_t addrtype(struct rng *r)
{
	static const uint16_t t[] = {
		NXA_TYPE_NONE, NXA_TYPE_ANY, NXA_TYPE_ADDR, NXA_TYPE_MASK, NXA_TYPE_RANGE,
		NXA_TYPE_ADDR | NXA_MOD_BCAST, NXA_TYPE_ADDR | NXA_MOD_LBACK, NXA_TYPE_IPV4,
		NXA_TYPE_IPV4 | NXA_MOD_BCAST, NXA_TYPE_IPV4 | NXA_MOD_LBACK, NXA_LOOPBACK,
		NXA_MASK_ALL, NXA_TYPE_IPV6,
	};
	return chance(r, 90) ? t[below(r, sizeof(t) / sizeof(t[0]))] : (uint16_t)rnd(r);
}

/* Fill a structure of kind d at p with values near the ones the kernel
 * checks.  May fault (racing pages): the caller guards it. */
void fill(struct rng *r, enum dkind d, char *p, size_t n, char *pathbuf)
{
	uint64_t v[8];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		v[i] = rnd(r);
	memcpy(p, v, n < sizeof(v) ? n : sizeof(v));
	switch (d) {
	case D_U64: {
		uint64_t w = flagword(r);
		if (chance(r, 30))
			w = below(r, 4) | (chance(r, 20) ? rnd(r) << 2 : 0);	/* VXM_* / badness */
		if (chance(r, 20))	/* space masks */
			w = (uint64_t)(0x7C020200 & rnd(r)) | (chance(r, 10) ? rnd(r) : 0);
		memcpy(p, &w, 8);
		break;
	}
	case D_FLAGS: {
		uint64_t w[2] = { flagword(r), flagword(r) };
		memcpy(p, w, 16);
		break;
	}
	case D_SPACE2: {
		struct vcmd_space_mask_v2 s = { 0x7C020200 & rnd(r), below(r, 4) };
		if (chance(r, 10))
			s.mask = rnd(r);
		if (chance(r, 5))
			s.index = (uint32_t)rnd(r);
		memcpy(p, &s, n);
		break;
	}
	case D_VHI: {
		struct vcmd_vhi_name_v0 s;
		s.field = chance(r, 90) ? below(r, 8) : (uint32_t)rnd(r);
		memset(s.name, 'a' + below(r, 26), sizeof(s.name));
		if (chance(r, 70))
			s.name[below(r, sizeof(s.name))] = 0;	/* else unterminated */
		memcpy(p, &s, n);
		break;
	}
	case D_KILL: {
		static const int sigs[] = { 0, SIGKILL, SIGSTOP, SIGCONT, SIGTERM, SIGUSR1,
					    SIGSEGV, SIGALRM, SIGCHLD };
		struct vcmd_ctx_kill_v0 s;
		switch (below(r, 5)) {
		case 0: s.pid = 0; break;
		case 1: s.pid = -1; break;
		case 2: s.pid = 1; break;
		case 3: s.pid = getpid(); break;
		default: s.pid = (int32_t)rnd(r); break;
		}
		s.sig = chance(r, 80) ? sigs[below(r, sizeof(sigs) / sizeof(sigs[0]))] : (int32_t)below(r, 70) - 2;
		memcpy(p, &s, n);
		break;
	}
	case D_PRIO: {
		struct vcmd_prio_bias s = { (int32_t)below(r, 4) - 1, (int32_t)below(r, 50) - 25 };
		memcpy(p, &s, n);
		break;
	}
	case D_ADDR0: {
		struct vcmd_net_addr_v0 s;
		memset(&s, 0, sizeof(s));
		s.type = addrtype(r);
		s.count = below(r, 7);
		for (int i = 0; i < 4; i++) {
			s.ip[i] = ipv4(r);
			s.mask[i] = ipv4(r);
		}
		memcpy(p, &s, n);
		break;
	}
	case D_IPV4V1: {
		struct vcmd_net_addr_ipv4_v1 s = { addrtype(r), chance(r, 80) ? 0 : (uint16_t)rnd(r), ipv4(r), ipv4(r) };
		memcpy(p, &s, n);
		break;
	}
	case D_IPV4V2: {
		struct vcmd_net_addr_ipv4_v2 s = { addrtype(r), chance(r, 80) ? 0 : (uint16_t)rnd(r),
						   ipv4(r), ipv4(r), ipv4(r) };
		memcpy(p, &s, n);
		break;
	}
	case D_IPV6: {
		struct vcmd_net_addr_ipv6_v1 s;
		memcpy(&s, v, sizeof(s));
		s.type = addrtype(r);
		s.flags = chance(r, 80) ? 0 : (uint16_t)rnd(r);
		s.prefix = chance(r, 80) ? below(r, 130) : (uint32_t)rnd(r);
		if (chance(r, 50)) {
			memset(s.ip, 0, 16);
			s.ip[0] = 0x20; s.ip[1] = 0x01; s.ip[2] = 0x0d; s.ip[3] = 0xb8;
			s.ip[15] = below(r, 4);
			memset(s.mask, 0xff, 16);
		}
		memcpy(p, &s, n);
		break;
	}
	case D_RLIMIT: {
		struct vcmd_ctx_rlimit_v0 s;
		s.id = chance(r, 90) ? below(r, 26) : (uint32_t)rnd(r);
		s.minimum = limit_value(r);
		s.softlimit = limit_value(r);
		s.maximum = limit_value(r);
		memcpy(p, &s, n);
		break;
	}
	case D_RLSTAT: {
		struct vcmd_rlimit_stat_v0 s;
		memcpy(&s, v, sizeof(s));
		s.id = chance(r, 90) ? below(r, 26) : (uint32_t)rnd(r);
		memcpy(p, &s, n);
		break;
	}
	case D_IATTR: {
		struct vcmd_ctx_iattr_v1 s;
		s.name = (const char *)path_pointer(r, pathbuf);
		s.tag = chance(r, 50) ? below(r, 5) : (uint32_t)rnd(r);
		s.flags = chance(r, 60) ? (uint32_t)(rnd(r) & (IATTR_FLAGS | IATTR_BARRIER | IATTR_IXUNLINK |
							      IATTR_IMMUTABLE | IATTR_COW | IATTR_TAG)) : (uint32_t)rnd(r);
		s.mask = chance(r, 60) ? (uint32_t)(rnd(r) & (IATTR_FLAGS | IATTR_BARRIER | IATTR_IXUNLINK |
							     IATTR_IMMUTABLE | IATTR_COW | IATTR_TAG)) : (uint32_t)rnd(r);
		memcpy(p, &s, n);
		break;
	}
	case D_FIATTR: {
		struct vcmd_ctx_fiattr_v0 s = { below(r, 5), (uint32_t)rnd(r) & IATTR_BARRIER,
						(uint32_t)rnd(r) & (IATTR_BARRIER | IATTR_TAG | IATTR_FLAGS) };
		if (chance(r, 20)) {
			s.flags = (uint32_t)rnd(r);
			s.mask = (uint32_t)rnd(r);
		}
		memcpy(p, &s, n);
		break;
	}
	case D_DLIMBASE: case D_DLIM: {
		uint64_t ptr = path_pointer(r, pathbuf);
		memcpy(p, &ptr, 8);
		break;
	}
	case D_MAPPING: {
		uint64_t ptr[2] = { path_pointer(r, pathbuf), path_pointer(r, pathbuf + 128) };
		memcpy(p, ptr, 16);
		break;
	}
	default:
		break;
	}
}
