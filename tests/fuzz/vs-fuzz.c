// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vs-fuzz: the project's own fuzzer of the vserver(2) system call.
 *
 *   vs-fuzz [--seconds N] [--calls N] [--seed S] [--procs N]
 *           [--xid-base X] [--xid-count N] [--avoid ID]... [--force] [-v]
 *
 * Random commands (every command number the ABI knows, mutated versions
 * and random numbers), ids, flag words and argument structures (right
 * sized, truncated at an unmapped page, read-only, unmapped or kernel
 * pointers, pointers into pages that another thread unmaps/mprotects or
 * another process truncates at the same time) are thrown at the kernel by
 * worker processes in four roles:
 *
 *   host   a task in xid 0 (administers the fuzzer's contexts)
 *   setup  a task in a context that is still in VXF_STATE_SETUP
 *   guest  a task in a context after setup (created or migrated in,
 *          setup ended, bounding set applied): it must get ENOSYS for
 *          every call, which is checked
 *   racer  host or setup task with a second thread that remaps and
 *          mprotects the pages its pointers point into
 *
 * One call in ten goes through the i386 entry (int $0x80, 273), the
 * compat paths, with its pointers below 4 GiB.  All this happens
 * while a churn process creates, migrates into, ends, kills and destroys
 * contexts and network contexts of the same ids.  Workers live for a few
 * thousand calls and are replaced, so tasks keep entering and leaving
 * contexts.  Runs are bounded in time and calls; the worker k of a run
 * makes the same call sequence for the same --seed (interleavings with the
 * other processes are not reproducible, as with any concurrent fuzzer).
 *
 * It creates contexts, so it refuses to run outside the test VM
 * (VSERVER_IN_VM) unless --force is given.  Contexts that exist when it
 * starts (other guests) and --avoid ids are never targeted: the fuzzer
 * must not disturb the guests that the caller checks afterwards.
 *
 * Output: the seed, then the calls made, the results (errno histogram),
 * workers started and how they ended.  Exit 0 when the calls were made and
 * no invariant broke; 1 on a broken invariant (a guest after setup that
 * got anything but ENOSYS, a task outside the host that created a context,
 * a context with no tasks left behind) or when no call was made; 2 usage;
 * 77 when it cannot run here (no vserver(2), not root, not in the VM).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vserver.h>

#ifndef __NR_vserver
#define __NR_vserver 236	/* x86_64; the slot mainline reserves */
#endif

/* --------------------------------------------------------------- commands */

/* How the data argument of a command is shaped. */
enum dkind {
	D_NONE,		/* ignored by the kernel */
	D_U64,		/* one u64 (ctx_create/migrate, badness, space mask v1) */
	D_FLAGS,	/* value + mask, 16 bytes */
	D_SPACE2,	/* vcmd_space_mask_v2 */
	D_VHI,		/* vcmd_vhi_name_v0 */
	D_KILL,		/* vcmd_ctx_kill_v0 */
	D_OUT8,		/* 8 bytes written by the kernel */
	D_OUT4,
	D_OUT12,
	D_OUT48,
	D_PRIO,		/* vcmd_prio_bias */
	D_ADDR0,	/* vcmd_net_addr_v0 */
	D_IPV4V1,
	D_IPV4V2,
	D_IPV6,
	D_RLIMIT,	/* vcmd_ctx_rlimit_v0 */
	D_RLSTAT,	/* vcmd_rlimit_stat_v0 */
	D_IATTR,	/* vcmd_ctx_iattr_v1: has a path pointer */
	D_FIATTR,
	D_DLIMBASE,	/* vs2.3 dlimit base: path pointer + flags */
	D_DLIM,		/* vs2.3 dlimit: path pointer + 6 u32 */
	D_MAPPING,	/* vs2.3 set_mapping: two path pointers + flags */
	D_RAW,		/* unknown layout: random bytes */
};

/* What the id argument means. */
enum ikind { I_XID, I_NID, I_PID, I_FD, I_TAG, I_ANY };

struct cmd {
	uint32_t nr;
	const char *name;
	enum dkind d;
	enum ikind i;
};

#define C(n, d, i) { VCMD_##n, #n, d, i }
/* Every command of VSERVER-ABI.md §4.2, also those the kernel answers
 * with ENOSYS (their numbers must stay harmless). */
static const struct cmd cmds[] = {
	C(get_version, D_NONE, I_ANY),
	C(get_vci, D_NONE, I_ANY),
	C(set_vhi_name, D_VHI, I_XID),
	C(get_vhi_name, D_VHI, I_XID),
	{ 0x06010000, "set_mapping", D_MAPPING, I_XID },
	{ 0x06020000, "unset_mapping", D_MAPPING, I_XID },
	C(ctx_create_v0, D_NONE, I_XID),
	C(ctx_create, D_U64, I_XID),
	{ 0x09010002, "ctx_create_v2", D_U64, I_XID },
	C(enter_space_v0, D_NONE, I_XID),
	C(enter_space_v1, D_U64, I_XID),
	C(enter_space, D_SPACE2, I_XID),
	{ 0x0A020000, "cleanup_namespace", D_NONE, I_XID },
	{ 0x0A030000, "set_space_v0", D_NONE, I_XID },
	C(set_space_v1, D_U64, I_XID),
	C(set_space, D_SPACE2, I_XID),
	C(get_space_mask_v0, D_U64, I_ANY),
	{ 0x0A050000, "get_pflags", D_RAW, I_XID },
	{ 0x0A060000, "set_pflags", D_RAW, I_XID },
	C(ctx_migrate_v0, D_NONE, I_XID),
	C(ctx_migrate, D_U64, I_XID),
	{ 0x0B010002, "ctx_migrate_v2", D_U64, I_XID },
	C(ctx_kill, D_KILL, I_XID),
	{ 0x0E010002, "set_sched_v2", D_RAW, I_XID },
	{ 0x0E010003, "set_sched_v3", D_RAW, I_XID },
	{ 0x0E010004, "set_sched_v4", D_RAW, I_XID },
	{ 0x0E010005, "set_sched", D_RAW, I_XID },
	{ 0x0E020005, "get_sched", D_RAW, I_XID },
	{ 0x0E030000, "sched_info", D_RAW, I_XID },
	C(set_prio_bias, D_PRIO, I_XID),
	C(get_prio_bias, D_PRIO, I_XID),
	C(get_badness, D_OUT8, I_XID),
	C(set_badness, D_U64, I_XID),
	C(net_create_v0, D_NONE, I_NID),
	C(net_create, D_U64, I_NID),
	C(net_add, D_ADDR0, I_NID),
	C(net_remove, D_ADDR0, I_NID),
	C(net_add_ipv4_v1, D_IPV4V1, I_NID),
	C(net_rem_ipv4_v1, D_IPV4V1, I_NID),
	C(net_add_ipv4, D_IPV4V2, I_NID),
	C(net_rem_ipv4, D_IPV4V2, I_NID),
	C(net_add_ipv6, D_IPV6, I_NID),
	C(net_remove_ipv6, D_IPV6, I_NID),
	{ 0x1A050000, "add_match_ipv4", D_RAW, I_NID },
	{ 0x1A060000, "get_match_ipv4", D_RAW, I_NID },
	{ 0x1A070000, "add_match_ipv6", D_RAW, I_NID },
	{ 0x1A080000, "get_match_ipv6", D_RAW, I_NID },
	C(net_migrate, D_NONE, I_NID),
	C(tag_migrate, D_NONE, I_TAG),
	C(add_dlimit, D_DLIMBASE, I_TAG),
	C(rem_dlimit, D_DLIMBASE, I_TAG),
	C(set_dlimit, D_DLIM, I_TAG),
	C(get_dlimit, D_DLIM, I_TAG),
	C(get_iattr, D_IATTR, I_ANY),
	C(set_iattr, D_IATTR, I_ANY),
	C(fget_iattr, D_FIATTR, I_FD),
	C(fset_iattr, D_FIATTR, I_FD),
	C(ctx_stat, D_OUT8, I_XID),
	C(rlimit_stat, D_RLSTAT, I_XID),
	C(virt_stat, D_OUT48, I_XID),
	C(sock_stat, D_RAW, I_XID),
	C(task_xid, D_NONE, I_PID),
	C(task_nid, D_NONE, I_PID),
	C(task_tag, D_NONE, I_PID),
	C(vx_info, D_OUT8, I_XID),
	C(nx_info, D_OUT4, I_NID),
	C(wait_exit, D_OUT8, I_XID),
	C(get_cflags, D_FLAGS, I_XID),
	C(set_cflags, D_FLAGS, I_XID),
	{ 0x34030000, "get_ccaps_v0", D_RAW, I_XID },
	{ 0x34040000, "set_ccaps_v0", D_RAW, I_XID },
	C(get_ccaps, D_FLAGS, I_XID),
	C(set_ccaps, D_FLAGS, I_XID),
	C(get_nflags, D_FLAGS, I_NID),
	C(set_nflags, D_FLAGS, I_NID),
	C(get_ncaps, D_FLAGS, I_NID),
	C(set_ncaps, D_FLAGS, I_NID),
	C(get_bcaps, D_FLAGS, I_XID),
	C(set_bcaps, D_FLAGS, I_XID),
	C(get_umask, D_FLAGS, I_XID),
	C(set_umask, D_FLAGS, I_XID),
	C(get_wmask, D_FLAGS, I_XID),
	C(set_wmask, D_FLAGS, I_XID),
	C(get_space_mask, D_U64, I_ANY),
	C(get_space_default, D_U64, I_ANY),
	{ 0x38010000, "dump_history", D_NONE, I_ANY },
	{ 0x38050000, "read_history", D_RAW, I_ANY },
	{ 0x38060000, "read_monitor", D_RAW, I_ANY },
	C(get_rlimit, D_RLIMIT, I_XID),
	C(set_rlimit, D_RLIMIT, I_XID),
	C(get_rlimit_mask, D_OUT12, I_ANY),
	C(reset_hits, D_NONE, I_XID),
	C(reset_minmax, D_NONE, I_XID),
	{ 0x01010000, "create_context", D_RAW, I_XID },
	{ 0x3F010001, "new_s_context", D_RAW, I_XID },
	{ 0x3F020003, "set_ipv4root", D_RAW, I_XID },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))
#define NSLOTS_CMD (NCMDS + 1)	/* the last one counts unknown numbers */

static size_t dsize(enum dkind d)
{
	switch (d) {
	case D_NONE: return 0;
	case D_U64: case D_KILL: case D_OUT8: case D_PRIO: return 8;
	case D_OUT4: return 4;
	case D_OUT12: case D_FIATTR: case D_IPV4V1: return 12;
	case D_FLAGS: case D_SPACE2: case D_IPV4V2: case D_DLIMBASE: return 16;
	case D_OUT48: return 48;
	case D_VHI: return sizeof(struct vcmd_vhi_name_v0);
	case D_ADDR0: return sizeof(struct vcmd_net_addr_v0);
	case D_IPV6: return sizeof(struct vcmd_net_addr_ipv6_v1);
	case D_RLIMIT: return sizeof(struct vcmd_ctx_rlimit_v0);
	case D_RLSTAT: return sizeof(struct vcmd_rlimit_stat_v0);
	case D_IATTR: case D_MAPPING: return 24;
	case D_DLIM: return 32;
	case D_RAW: return 64;
	}
	return 64;
}

/* ----------------------------------------------------------------- random */

/* splitmix64: small, good enough, and the same on every machine. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

struct rng { uint64_t s; };
static uint64_t rnd(struct rng *r) { r->s += 0x9E3779B97F4A7C15ULL; return mix64(r->s); }
static uint32_t below(struct rng *r, uint32_t n) { return n ? (uint32_t)(rnd(r) % n) : 0; }
static bool chance(struct rng *r, unsigned pct) { return below(r, 100) < pct; }

/* ------------------------------------------------------------ shared state */

#define MAXERR 200		/* errno histogram; larger values go to [0] */
#define MAXSLOTS 32
#define RING 16
enum role { R_HOST, R_SETUP, R_GUEST, R_RACER, NROLES };
static const char *const rolename[NROLES] = { "host", "setup", "guest", "racer" };

struct last {			/* the last calls of a worker, for a report */
	uint32_t cmd, id;
	uint64_t data;
	int64_t ret;
};

struct shared {
	volatile int stop;
	uint64_t calls;
	uint64_t ok;
	uint64_t err[MAXERR];
	uint64_t role_calls[NROLES];
	uint64_t cmd_calls[NSLOTS_CMD];
	uint64_t cmd_ok[NSLOTS_CMD];
	uint64_t user_faults;		/* fills skipped: the page went away */
	uint64_t compat_calls;		/* through the i386 entry */
	uint64_t violations;
	char violation[4][200];
	uint64_t churn_ops, churn_created, churn_netcreated;
	struct {
		volatile int incall;
		uint32_t n;
		struct last ring[RING];
	} slot[MAXSLOTS];
	uint8_t created_xid[65536 / 8];	/* ids any worker created */
	uint8_t created_nid[65536 / 8];
};
static struct shared *sh;

static void add(uint64_t *p, uint64_t v) { __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static void setbit8(uint8_t *m, uint32_t b) { __atomic_fetch_or(&m[(b >> 3) & 8191], 1U << (b & 7), __ATOMIC_RELAXED); }
static bool getbit8(const uint8_t *m, uint32_t b) { return m[(b >> 3) & 8191] & (1U << (b & 7)); }

static void violation(const char *fmt, ...)
{
	uint64_t n = __atomic_fetch_add(&sh->violations, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (n < 4) {
		va_start(ap, fmt);
		vsnprintf(sh->violation[n], sizeof(sh->violation[n]), fmt, ap);
		va_end(ap);
	}
}

/* ---------------------------------------------------------------- options */

static unsigned opt_seconds = 60;
static uint64_t opt_calls;	/* 0: no bound */
static uint64_t opt_seed;
static bool have_seed;
static unsigned opt_procs = 4;
static uint32_t xid_base = 40000, xid_count = 64;
static uint32_t avoid[64];
static unsigned navoid;
static int verbose;
static struct timespec t_end;
static char scratch[256];
static const char *paths[6];
static int memfd = -1;

static bool avoided(uint32_t id)
{
	for (unsigned i = 0; i < navoid; i++)
		if (avoid[i] == id)
			return true;
	return false;
}

static void add_avoid(uint32_t id)
{
	if (!avoided(id) && navoid < sizeof(avoid) / sizeof(avoid[0]))
		avoid[navoid++] = id;
}

static bool past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static long vs(uint32_t cmd, uint32_t id, void *data)
{
	return syscall(__NR_vserver, cmd, id, data);
}

/* The i386 entry (273) through int $0x80 from this 64-bit process: the
 * kernel takes the compat paths (4-byte pointers inside structures, the
 * 28-byte rlimit layout...), with the pointer's low 32 bits. */
static long vs32(uint32_t cmd, uint32_t id, uint64_t data)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(273L), "b"((uint64_t)cmd), "c"((uint64_t)id), "d"(data & 0xffffffffULL)
			 : "memory", "r8", "r9", "r10", "r11");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* --------------------------------------------------------------- memory */

#define PG 4096UL
/*
 * The arena of a worker: page 0..1 read-write, page 2 a guard (never
 * mapped), page 3 read-only, page 4 a guard.  Structures that end inside
 * page 2 are truncated: the kernel must copy them all or fail with EFAULT.
 */
static char *arena;
static char *race;		/* racer: 8 pages the second thread churns */
#define RACEPAGES 8
static char *shm;		/* 4 pages of the memfd that churn truncates */
/* the same below 4 GiB, for the calls through the i386 entry */
static char *arena64, *arena32, *shm64, *shm32, *race64;
#define SHMPAGES 4

static sigjmp_buf fill_jmp;
static volatile sig_atomic_t in_fill;

static void on_fault(int sig, siginfo_t *si, void *uc)
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

static void on_alarm(int sig) { (void)sig; }

/* A pointer that is bad in one of the ways the kernel must survive. */
static uint64_t bad_pointer(struct rng *r)
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

static uint64_t flagword(struct rng *r)
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
static void fill(struct rng *r, enum dkind d, char *p, size_t n, char *pathbuf)
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

/* ----------------------------------------------------------------- worker */

struct worker {
	int slot;
	enum role role;
	struct rng r;
	pid_t pid;
	uint32_t my_xid;	/* the xid it lives in (0 host) */
	bool locked;		/* in a context that ended setup */
	int fds[4];
};

static uint32_t pick_pool(struct rng *r) { return xid_base + below(r, xid_count); }

static uint32_t pick_id(struct worker *w, enum ikind k)
{
	static const uint32_t special[] = { 0, 1, 2, 3, 65535, 65536, 49151, 49152,
					    0x7fffffff, 0x80000000, VX_ID_SELF, VX_ID_DYNAMIC };
	struct rng *r = &w->r;
	uint32_t id;

	switch (k) {
	case I_PID:
		switch (below(r, 6)) {
		case 0: return 0;
		case 1: return getpid();
		case 2: return getppid();
		case 3: return 1;
		case 4: return below(r, 4096);
		default: return (uint32_t)rnd(r);
		}
	case I_FD:
		switch (below(r, 4)) {
		case 0: return (uint32_t)-1;
		case 1: return (uint32_t)rnd(r);
		default: return (uint32_t)w->fds[below(r, 4)];
		}
	default:
		break;
	}
	switch (below(r, 20)) {
	case 0: case 1: case 2:
		id = special[below(r, sizeof(special) / sizeof(special[0]))];
		break;
	case 3: case 4:
		id = VX_ID_SELF - below(r, 2);		/* "own context" forms */
		break;
	case 5:
		id = (uint32_t)rnd(r);
		break;
	case 6: case 7:
		id = 2 + below(r, 65534);
		break;
	default:
		id = pick_pool(r);
		break;
	}
	/* Someone else's guest (or an --avoid id): take one of ours. */
	if (avoided(id))
		id = pick_pool(r);
	return id;
}

static uint32_t pick_cmd(struct rng *r, int *idx)
{
	uint32_t c;

	switch (below(r, 20)) {
	case 0:		/* a known command with another version */
		c = cmds[below(r, NCMDS)].nr;
		c = (c & ~0xFFFU) | below(r, 8);
		break;
	case 1:		/* a known category, random command */
		c = (cmds[below(r, NCMDS)].nr & 0x3F000000) | (below(r, 256) << 16) | below(r, 4);
		break;
	case 2:		/* anything */
		c = (uint32_t)rnd(r);
		break;
	default:
		*idx = (int)below(r, NCMDS);
		return cmds[*idx].nr;
	}
	*idx = -1;
	for (size_t i = 0; i < NCMDS; i++)
		if (cmds[i].nr == c)
			*idx = (int)i;
	return c;
}

/* Where the data argument points and what is there. */
static uint64_t pick_data(struct worker *w, enum dkind d, bool *filled)
{
	struct rng *r = &w->r;
	size_t n = dsize(d);
	char *pathbuf = arena + PG + 2048;	/* below 4 GiB for compat calls */
	char *p;

	*filled = false;
	switch (below(r, 20)) {
	case 0: case 1:
		return 0;						/* NULL */
	case 2: case 3:
		return bad_pointer(r);					/* unmapped, kernel, non-canonical */
	case 4: case 5:							/* truncated at the guard page */
		p = arena + 2 * PG - (n ? 1 + below(r, n) : 1);
		break;
	case 6:								/* read-only page */
		return (uint64_t)(arena + 3 * PG + below(r, PG - 64));
	case 7: case 8:							/* racing pages */
		if (race)	/* straddling a page boundary half the time */
			return (uint64_t)(race + 8 + below(r, RACEPAGES * PG - 8) - (chance(r, 50) ? 0 : 8));
		p = shm + below(r, SHMPAGES) * PG - (chance(r, 50) ? 0 : below(r, n + 1));
		if (p < shm)
			p = shm;
		break;
	default:							/* right-sized (or oversized: */
		p = arena + below(r, PG - 128);				/* the page goes on after it) */
		break;
	}
	in_fill = 1;
	if (sigsetjmp(fill_jmp, 1) == 0) {
		/* a truncated structure: only the mapped head is written */
		size_t room = (p < arena + 2 * PG && p >= arena) ? (size_t)(arena + 2 * PG - p) : n;
		char tmp[128];

		fill(r, d, tmp, n < sizeof(tmp) ? n : sizeof(tmp), pathbuf);
		memcpy(p, tmp, n < room ? n : room);
		*filled = true;
	} else {
		add(&sh->user_faults, 1);	/* the page went away under us */
	}
	in_fill = 0;
	return (uint64_t)p;
}

static const char *errname(int e)
{
	static char b[16];
	const char *s = strerrorname_np(e);

	if (s)
		return s;
	snprintf(b, sizeof(b), "errno%d", e);
	return b;
}

static bool is_create_or_migrate(uint32_t c)
{
	return c == VCMD_ctx_create || c == VCMD_ctx_create_v0 || c == 0x09010002 ||
	       c == VCMD_ctx_migrate || c == VCMD_ctx_migrate_v0 || c == 0x0B010002;
}

/* The xid the worker is in now, from /proc (works after setup too). */
static uint32_t own_xid(void)
{
	char line[128];
	uint32_t x = (uint32_t)-1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return x;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VxID: %" SCNu32, &x) == 1)
			break;
	fclose(f);
	return x;
}

static void one_call(struct worker *w)
{
	struct rng *r = &w->r;
	int idx;
	uint32_t cmd = pick_cmd(r, &idx);
	enum dkind d = idx >= 0 ? cmds[idx].d : D_RAW;
	uint32_t id = pick_id(w, idx >= 0 ? cmds[idx].i : I_ANY);
	bool filled, compat = chance(r, 10);
	uint64_t data;
	long ret;
	int e = 0;
	struct last *l = &sh->slot[w->slot].ring[sh->slot[w->slot].n++ % RING];

	/* one call in ten goes through the i386 entry, with its pointers
	 * below 4 GiB (no racing thread's pages there) */
	arena = compat ? arena32 : arena64;
	shm = compat ? shm32 : shm64;
	race = compat ? NULL : race64;
	data = pick_data(w, d, &filled);
	l->cmd = cmd;
	l->id = id;
	l->data = data;
	l->ret = 0x7fffffff;
	sh->slot[w->slot].incall = 1;
	ret = compat ? vs32(cmd, id, data) : vs(cmd, id, (void *)data);
	if (ret < 0)
		e = errno;
	sh->slot[w->slot].incall = 0;
	l->ret = ret < 0 ? -e : ret;

	add(&sh->calls, 1);
	add(&sh->role_calls[w->role], 1);
	if (compat)
		add(&sh->compat_calls, 1);
	add(&sh->cmd_calls[idx >= 0 ? (size_t)idx : NCMDS], 1);
	if (ret >= 0) {
		add(&sh->ok, 1);
		add(&sh->cmd_ok[idx >= 0 ? (size_t)idx : NCMDS], 1);
	} else {
		add(&sh->err[e > 0 && e < MAXERR ? e : 0], 1);
	}

	/* Invariants. A task in a context that ended setup has no interface. */
	if (w->locked && !(ret < 0 && e == ENOSYS))
		violation("a task in context %u after setup got %s from %s (cmd %#x id %#x)",
			  w->my_xid, ret >= 0 ? "success" : errname(e),
			  idx >= 0 ? cmds[idx].name : "?", cmd, id);
	if (ret >= 0 && (cmd == VCMD_ctx_create || cmd == VCMD_ctx_create_v0 || cmd == 0x09010002)) {
		if (w->my_xid != 0)
			violation("a task in xid %u created context %ld", w->my_xid, ret);
		if (ret >= 2 && ret <= 65535)
			setbit8(sh->created_xid, (uint32_t)ret);
	}
	if (ret >= 0 && (cmd == VCMD_net_create || cmd == VCMD_net_create_v0) && ret >= 2 && ret <= 65535)
		setbit8(sh->created_nid, (uint32_t)ret);
	if (ret >= 0 && is_create_or_migrate(cmd)) {
		/* it moved: learn where, and whether it still has the interface */
		w->my_xid = own_xid();
		errno = 0;
		if (vs(VCMD_get_version, 0, NULL) < 0 && errno == ENOSYS)
			w->locked = true;
	}
	if (!w->locked && ret >= 0 && w->my_xid >= 2 && cmd == VCMD_set_cflags) {
		errno = 0;
		if (vs(VCMD_get_version, 0, NULL) < 0 && errno == ENOSYS)
			w->locked = true;
	}
	if (verbose > 1)
		fprintf(stderr, "[%d] %s %#x id=%#x data=%#" PRIx64 " -> %ld %s\n", w->slot,
			idx >= 0 ? cmds[idx].name : "?", cmd, id, data, ret, ret < 0 ? errname(e) : "");
}

/* The racer thread: remaps, fills and mprotects the pages the main
 * thread's pointers point into, all the time. */
static void *racer(void *arg)
{
	struct rng r = { (uint64_t)(uintptr_t)arg };

	while (!sh->stop) {
		char *pg = race64 + below(&r, RACEPAGES) * PG;
		void *m;

		switch (below(&r, 5)) {
		case 0:
			munmap(pg, PG);
			/* NOREPLACE: never clobber what took the hole meanwhile */
			m = mmap(pg, PG, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (m == pg)
				memset(pg, (int)rnd(&r), PG);
			break;
		case 1:
			mprotect(pg, PG, PROT_NONE);
			break;
		case 2:
			mprotect(pg, PG, PROT_READ);
			break;
		case 3:
			if (mprotect(pg, PG, PROT_READ | PROT_WRITE) == 0)
				memset(pg + below(&r, PG / 2), (int)rnd(&r), below(&r, PG / 2));
			break;
		default:
			madvise(pg, PG, MADV_DONTNEED);
			break;
		}
		if (chance(&r, 5))
			sched_yield();
	}
	return NULL;
}

/* Enter a context of the pool, the way the userland does: create it (or
 * migrate in if it exists), then stay in setup or end it. */
static bool enter_context(struct worker *w, bool end_setup)
{
	struct vcmd_ctx_create cc = { VXF_STATE_SETUP | VXF_STATE_INIT | VXF_STATE_ADMIN };
	uint32_t xid = 0;
	bool in = false;

	if (chance(&w->r, 30))
		cc.flagword |= flagword(&w->r) & ~(VXF_SC_HELPER | VXF_STATE_SETUP);
	/* A pool id may be taken by a context that is private, not ADMIN or
	 * going away, and over a long run the fuzzer itself fills the pool
	 * with contexts nobody may enter (persistent without STATE_ADMIN):
	 * try a few, then any free id (recorded, so it is cleaned up). */
	for (int tries = 0; tries < 12 && !in; tries++) {
		struct vcmd_ctx_migrate m = { 0 };

		xid = tries < 6 ? pick_pool(&w->r) : 2 + below(&w->r, 65534);
		if (avoided(xid))
			continue;
		if (vs(VCMD_ctx_create, xid, &cc) >= 0) {
			setbit8(sh->created_xid, xid);
			in = true;
		} else if (vs(VCMD_ctx_migrate, xid, &m) >= 0) {
			in = true;
		}
	}
	if (!in)
		return false;
	w->my_xid = xid;
	if (end_setup) {
		struct vcmd_ctx_flags_v0 f = { 0, VXF_STATE_SETUP };
		vs(VCMD_set_cflags, VX_ID_SELF, &f);	/* ENOSYS if it had ended already */
	}
	errno = 0;
	if (vs(VCMD_get_version, 0, NULL) < 0 && errno == ENOSYS)
		w->locked = true;
	return end_setup ? w->locked : true;
}

static void set_timer(void)
{
	struct sigaction sa = { 0 };
	struct itimerval it = { { 0, 30000 }, { 0, 30000 } };

	/* wait_exit blocks until a context ends: a periodic signal with no
	 * SA_RESTART turns every blocking call into EINTR after 30 ms. */
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void worker_main(struct worker *w, uint64_t budget)
{
	struct sigaction sa = { 0 };
	pthread_t th;
	int nul;

	/* The workers' own descriptors are /dev/null and scratch files only:
	 * fset_iattr gets fds, and the caller's stdout is not ours to mark. */
	nul = open("/dev/null", O_RDWR);
	for (int i = 0; i < 3; i++)
		dup2(nul, i);
	if (nul > 2)
		close(nul);
	w->fds[0] = open(scratch, O_RDONLY | O_DIRECTORY);
	w->fds[1] = open(paths[1], O_RDONLY | O_DIRECTORY);
	w->fds[2] = open(paths[3], O_RDWR);
	w->fds[3] = memfd;

	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	for (int low = 0; low < 2; low++) {
		int f = low ? MAP_32BIT : 0;
		char *a = mmap(NULL, 5 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | f, -1, 0);
		char *m = mmap(NULL, SHMPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED | f, memfd, 0);

		if (a == MAP_FAILED || m == MAP_FAILED)
			_exit(3);
		munmap(a + 2 * PG, PG);
		munmap(a + 4 * PG, PG);
		memset(a + 3 * PG, 0x5a, PG);
		mprotect(a + 3 * PG, PG, PROT_READ);
		if (low) {
			arena32 = a;
			shm32 = m;
		} else {
			arena = arena64 = a;
			shm = shm64 = m;
		}
	}

	switch (w->role) {
	case R_HOST:
		break;
	case R_SETUP:
		if (!enter_context(w, false))
			_exit(4);
		break;
	case R_GUEST:
		if (!enter_context(w, true))
			_exit(4);
		break;
	case R_RACER:
		/* a multi-threaded task cannot migrate: enter first */
		if (chance(&w->r, 50) && !enter_context(w, false))
			_exit(4);
		race = race64 = mmap(NULL, RACEPAGES * PG, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (race == MAP_FAILED)
			_exit(3);
		{
			sigset_t s, old;
			sigemptyset(&s);
			sigaddset(&s, SIGALRM);
			pthread_sigmask(SIG_BLOCK, &s, &old);	/* the racer never takes it */
			if (pthread_create(&th, NULL, racer, (void *)(uintptr_t)rnd(&w->r)) != 0)
				_exit(3);
			pthread_sigmask(SIG_SETMASK, &old, NULL);
		}
		break;
	default:
		break;
	}
	set_timer();

	/* A task outside a context after setup is ENOSYS for every call: cheap
	 * for the kernel.  Guests are replaced sooner, so that contexts keep
	 * being entered and locked; a host or setup worker that got locked
	 * (it migrated into a locked context, or someone ended its context's
	 * setup) makes a few more calls and is replaced by a fresh one. */
	if (w->role == R_GUEST)
		budget = budget / 4 + 1;
	for (uint64_t i = 0; i < budget && !sh->stop; i++) {
		if ((i & 31) == 0) {
			if (past(&t_end) || (opt_calls && sh->calls >= opt_calls))
				break;
			if (w->role != R_GUEST && !w->locked) {
				errno = 0;
				if (vs(VCMD_get_version, 0, NULL) < 0 && errno == ENOSYS) {
					w->locked = true;
					if (budget > i + 64)
						budget = i + 64;
				}
			}
		}
		one_call(w);
	}
	_exit(0);
}

/* ------------------------------------------------------------------ churn */

/* Waits for a child for at most ~1 s, then kills it (a fuzzer may have
 * stopped it with ctx_kill SIGSTOP). */
static void reap(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void churn_main(uint64_t seed)
{
	struct rng r = { seed };

	signal(SIGALRM, SIG_IGN);
	while (!sh->stop && !past(&t_end)) {
		uint32_t xid = pick_pool(&r);
		pid_t pid;

		add(&sh->churn_ops, 1);
		switch (below(&r, 8)) {
		case 0: case 1: case 2:		/* a context is born; maybe ends setup, lives a moment */
			pid = fork();
			if (pid == 0) {
				struct vcmd_ctx_create cc = { VXF_STATE_SETUP | VXF_STATE_INIT | VXF_STATE_ADMIN };
				if (chance(&r, 30))
					cc.flagword |= VXF_PERSISTENT;
				if (chance(&r, 20))
					cc.flagword |= flagword(&r) & ~(VXF_SC_HELPER | VXF_STATE_ADMIN);
				if (vs(VCMD_ctx_create, xid, &cc) < 0) {
					struct vcmd_ctx_migrate m = { chance(&r, 30) ? VXM_SET_INIT : 0 };
					if (vs(VCMD_ctx_migrate, xid, &m) < 0)
						_exit(1);
				} else {
					add(&sh->churn_created, 1);
					setbit8(sh->created_xid, xid);
				}
				if (chance(&r, 50)) {
					struct vcmd_ctx_flags_v0 f = { 0, VXF_STATE_SETUP |
						(chance(&r, 50) ? VXF_STATE_INIT : 0) };
					vs(VCMD_set_cflags, VX_ID_SELF, &f);
				}
				if (chance(&r, 50) && fork() == 0)	/* a child that outlives it */
					usleep(below(&r, 20000));
				usleep(below(&r, 10000));
				_exit(0);
			}
			if (pid > 0)
				reap(pid);
			break;
		case 3:				/* the host drops persistence: the context may go */
		{
			struct vcmd_ctx_flags_v0 f = { 0, VXF_PERSISTENT };
			vs(VCMD_set_cflags, xid, &f);
			break;
		}
		case 4:				/* the host kills everything in it */
		{
			struct vcmd_ctx_kill_v0 k = { 0, SIGKILL };
			vs(VCMD_ctx_kill, xid, &k);
			break;
		}
		case 5: case 6:			/* network contexts: create / migrate, short-lived */
			pid = fork();
			if (pid == 0) {
				struct vcmd_net_create nc = { NXF_STATE_ADMIN | (chance(&r, 30) ? NXF_PERSISTENT : 0) };
				if (vs(VCMD_net_create, xid, chance(&r, 50) ? &nc : NULL) >= 0) {
					add(&sh->churn_netcreated, 1);
					setbit8(sh->created_nid, xid);
				} else if (vs(VCMD_net_migrate, xid, NULL) < 0) {
					_exit(1);
				}
				usleep(below(&r, 10000));
				_exit(0);
			}
			if (pid > 0)
				reap(pid);
			if (chance(&r, 30)) {
				struct vcmd_net_flags_v0 f = { 0, NXF_PERSISTENT };
				vs(VCMD_set_nflags, xid, &f);
			}
			break;
		default:			/* pages under the workers' pointers vanish and return */
			if (ftruncate(memfd, (off_t)below(&r, SHMPAGES + 1) * PG) < 0)
				break;
			break;
		}
	}
	_exit(0);
}

/* -------------------------------------------------------------- supervisor */

static void prepare_scratch(void)
{
	const char *tmp = getenv("TMPDIR");
	static char p[6][300];

	snprintf(scratch, sizeof(scratch), "%s/vs-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch)) {
		perror("vs-fuzz: mkdtemp");
		exit(1);
	}
	snprintf(p[0], sizeof(p[0]), "%s", scratch);
	snprintf(p[1], sizeof(p[1]), "%s/d", scratch);
	snprintf(p[2], sizeof(p[2]), "%s/d/e", scratch);
	snprintf(p[3], sizeof(p[3]), "%s/f", scratch);
	snprintf(p[4], sizeof(p[4]), "%s/missing", scratch);
	snprintf(p[5], sizeof(p[5]), "%s", "");
	mkdir(p[1], 0755);
	mkdir(p[2], 0755);
	close(open(p[3], O_CREAT | O_WRONLY, 0644));
	for (int i = 0; i < 6; i++)
		paths[i] = p[i];
}

static void remove_scratch(void)
{
	char cmd[400];

	/* barrier marks are in-core and harmless; the tree is ours */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "vs-fuzz: could not remove %s\n", scratch);
}

/* Ids in use before the run belong to someone else's guests. */
static void avoid_existing(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		unsigned long v = strtoul(e->d_name, &end, 10);
		if (*e->d_name && !*end)
			add_avoid((uint32_t)v);
	}
	closedir(d);
}

/* After the run: nothing of ours may stay.  Drops persistence and kills
 * what is left; then a context that has no task and is not persistent
 * must be gone (its last reference went with its last task). */
static unsigned cleanup_contexts(bool report)
{
	unsigned left = 0;

	for (uint32_t id = 2; id <= 65535; id++) {
		bool x = getbit8(sh->created_xid, id) || (id >= xid_base && id < xid_base + xid_count);
		bool n = getbit8(sh->created_nid, id) || (id >= xid_base && id < xid_base + xid_count);

		if (avoided(id))
			continue;
		if (x) {
			struct vcmd_ctx_flags_v0 f = { 0, VXF_PERSISTENT };
			struct vcmd_ctx_kill_v0 k = { 0, SIGKILL };
			vs(VCMD_set_cflags, id, &f);
			vs(VCMD_ctx_kill, id, &k);
		}
		if (n) {
			struct vcmd_net_flags_v0 f = { 0, NXF_PERSISTENT };
			vs(VCMD_set_nflags, id, &f);
		}
		if (report && x) {
			struct vcmd_ctx_stat_v0 st;
			struct vcmd_ctx_flags_v0 fl;
			if (vs(VCMD_ctx_stat, id, &st) == 0 &&
			    vs(VCMD_get_cflags, id, &fl) == 0) {
				/* a context that never had STATE_ADMIN cannot be
				 * unpinned by the host: that is the ABI, not a leak */
				if (st.tasks == 0 && !((fl.flagword & VXF_PERSISTENT) &&
						       !(fl.flagword & VXF_STATE_ADMIN))) {
					if (left < 4)
						fprintf(stderr, "vs-fuzz: context %u is left with %u tasks, usecnt %u, flags %#llx\n",
							id, st.tasks, st.usecnt, (unsigned long long)fl.flagword);
					left++;
				}
			}
		}
	}
	return left;
}

static void dump_ring(int slot)
{
	unsigned n = sh->slot[slot].n;

	fprintf(stderr, "vs-fuzz: last calls of worker slot %d (oldest first):\n", slot);
	for (unsigned i = n > RING ? n - RING : 0; i < n; i++) {
		struct last *l = &sh->slot[slot].ring[i % RING];
		const char *name = "?";
		for (size_t j = 0; j < NCMDS; j++)
			if (cmds[j].nr == l->cmd)
				name = cmds[j].name;
		fprintf(stderr, "  %s cmd=%#x id=%#x data=%#" PRIx64 " ret=%" PRId64 "\n",
			name, l->cmd, l->id, l->data, l->ret);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vs-fuzz [--seconds N] [--calls N] [--seed S] [--procs N]\n"
		"               [--xid-base X] [--xid-count N] [--avoid ID]... [--force] [-v]\n"
		"Fuzzes vserver(2) from the host, from contexts in setup and after setup,\n"
		"while contexts are created and destroyed.  Creates contexts: runs only in\n"
		"the test VM (VSERVER_IN_VM=1) unless --force.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seconds", 1, NULL, 's' }, { "calls", 1, NULL, 'n' }, { "seed", 1, NULL, 'S' },
		{ "procs", 1, NULL, 'p' }, { "xid-base", 1, NULL, 'b' }, { "xid-count", 1, NULL, 'c' },
		{ "avoid", 1, NULL, 'a' }, { "force", 0, NULL, 'f' }, { "verbose", 0, NULL, 'v' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	bool force = false;
	struct timespec t0, t1;
	pid_t churn, pids[MAXSLOTS] = { 0 };
	unsigned spawned = 0, died_sig[65] = { 0 }, exit_codes[8] = { 0 }, dumps = 0;
	uint64_t spawn_index = 0;
	bool stuck = false;
	int c;

	while ((c = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		char *end = NULL;
		unsigned long long v = 0;

		if (optarg) {
			errno = 0;
			v = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "vs-fuzz: bad number: %s\n", optarg);
				return 2;
			}
		}
		switch (c) {
		case 's': opt_seconds = (unsigned)v; break;
		case 'n': opt_calls = v; break;
		case 'S': opt_seed = v; have_seed = true; break;
		case 'p': opt_procs = (unsigned)v; break;
		case 'b': xid_base = (uint32_t)v; break;
		case 'c': xid_count = (uint32_t)v; break;
		case 'a': add_avoid((uint32_t)v); break;
		case 'f': force = true; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || opt_procs < 1 || opt_procs > MAXSLOTS || xid_count < 1 ||
	    xid_base < 2 || xid_base + xid_count - 1 > 65535 || opt_seconds < 1) {
		usage(stderr);
		return 2;
	}
	if (!force && !getenv("VSERVER_IN_VM")) {
		fprintf(stderr, "vs-fuzz: refusing to run outside the test VM (it creates and kills "
			"contexts); run it through tests/vm/run, or give --force\n");
		return 77;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "vs-fuzz: needs root (CAP_SYS_ADMIN gives the vserver interface)\n");
		return 77;
	}
	errno = 0;
	if (vs(VCMD_get_version, 0, NULL) < 0) {
		fprintf(stderr, "vs-fuzz: this kernel has no vserver(2) (%s)\n", strerror(errno));
		return 77;
	}
	if (!have_seed) {
		clock_gettime(CLOCK_REALTIME, &t0);
		opt_seed = mix64((uint64_t)t0.tv_nsec ^ ((uint64_t)t0.tv_sec << 20) ^ (uint64_t)getpid()) & 0xffffffffffffULL;
	}
	avoid_existing("/proc/virtual");
	avoid_existing("/proc/virtnet");
	printf("vs-fuzz: seed %" PRIu64 " (reproduce with --seed %" PRIu64 " --procs %u --seconds %u%s)\n",
	       opt_seed, opt_seed, opt_procs, opt_seconds, opt_calls ? " --calls ..." : "");
	printf("vs-fuzz: contexts %u..%u, never touched:", xid_base, xid_base + xid_count - 1);
	for (unsigned i = 0; i < navoid; i++)
		printf(" %u", avoid[i]);
	printf("%s\n", navoid ? "" : " none");
	fflush(stdout);

	/* Our own UTS and IPC namespaces: set_space records the caller's and
	 * set_vhi_name then writes into them; the machine's hostname is not
	 * the fuzzer's to change. */
	if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0)
		perror("vs-fuzz: unshare (going on in the machine's namespaces)");

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("vs-fuzz: mmap");
		return 1;
	}
	prepare_scratch();
	memfd = memfd_create("vs-fuzz", 0);
	if (memfd < 0 || ftruncate(memfd, SHMPAGES * PG) < 0) {
		perror("vs-fuzz: memfd");
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	t_end = t0;
	t_end.tv_sec += opt_seconds;

	churn = fork();
	if (churn == 0)
		churn_main(mix64(opt_seed ^ 0xC4u));
	for (;;) {
		int st;
		pid_t p;
		bool done = past(&t_end) || (opt_calls && sh->calls >= opt_calls);

		if (done)
			sh->stop = 1;
		for (unsigned s = 0; s < opt_procs && !done; s++) {
			struct worker w;
			uint64_t budget;

			if (pids[s])
				continue;
			memset(&w, 0, sizeof(w));
			w.slot = (int)s;
			w.role = (enum role)(s % NROLES);
			w.r.s = mix64(opt_seed ^ mix64(++spawn_index));
			budget = 200 + below(&w.r, 3000);
			if (verbose)
				fprintf(stderr, "vs-fuzz: worker %" PRIu64 " slot %u role %s\n",
					spawn_index, s, rolename[w.role]);
			sh->slot[s].incall = 0;
			p = fork();
			if (p == 0) {
				signal(SIGCHLD, SIG_DFL);
				worker_main(&w, budget);
			}
			if (p > 0) {
				pids[s] = p;
				spawned++;
			}
		}
		/* reap, and wake workers that ctx_kill stopped */
		while ((p = waitpid(-1, &st, WNOHANG | WUNTRACED)) > 0) {
			unsigned s;

			if (WIFSTOPPED(st)) {
				kill(p, SIGCONT);
				continue;
			}
			if (p == churn) {
				churn = 0;
				continue;
			}
			for (s = 0; s < opt_procs && pids[s] != p; s++)
				;
			if (s == opt_procs)
				continue;	/* a grandchild reparented here */
			pids[s] = 0;
			if (WIFSIGNALED(st)) {
				int sig = WTERMSIG(st);
				died_sig[sig < 65 ? sig : 0]++;
				/* died inside a call that was not a kill: could be
				 * the kernel (an oops kills the task); show what ran */
				if (sh->slot[s].incall && !sh->stop && dumps < 3 &&
				    sh->slot[s].ring[(sh->slot[s].n - 1) % RING].cmd != VCMD_ctx_kill &&
				    (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL)) {
					dumps++;
					fprintf(stderr, "vs-fuzz: worker slot %u died of signal %d inside a call\n", s, sig);
					dump_ring((int)s);
				}
			} else if (WIFEXITED(st)) {
				exit_codes[WEXITSTATUS(st) < 8 ? WEXITSTATUS(st) : 7]++;
			}
		}
		if (done) {
			bool any = false;
			for (unsigned s = 0; s < opt_procs; s++)
				any |= pids[s] != 0;
			if (!any && !churn)
				break;
			/* give them a moment to notice, then make sure */
			clock_gettime(CLOCK_MONOTONIC, &t1);
			long late = (t1.tv_sec - t_end.tv_sec) * 1000 + (t1.tv_nsec - t_end.tv_nsec) / 1000000;
			if (late > 30000) {
				/* SIGKILL did not end it in 28 s: it hangs in the
				 * kernel (an uninterruptible wait that never ends) */
				for (unsigned s = 0; s < opt_procs; s++) {
					char path[64], wchan[64] = "?";
					FILE *f;

					if (!pids[s])
						continue;
					snprintf(path, sizeof(path), "/proc/%d/wchan", pids[s]);
					if ((f = fopen(path, "r"))) {
						if (!fgets(wchan, sizeof(wchan), f))
							strcpy(wchan, "?");
						fclose(f);
					}
					violation("worker pid %d does not die of SIGKILL (wchan %s)", pids[s], wchan);
					dump_ring((int)s);
					pids[s] = 0;
				}
				if (churn)
					violation("the churn process (pid %d) does not die of SIGKILL", churn);
				churn = 0;
				stuck = true;
				break;
			}
			if (late > 2000) {
				for (unsigned s = 0; s < opt_procs; s++)
					if (pids[s])
						kill(pids[s], SIGKILL);
				if (churn)
					kill(churn, SIGKILL);
			}
			if (opt_calls && sh->calls >= opt_calls && !past(&t_end))
				t_end = t1;	/* the budget ended it: count the grace from now */
		}
		usleep(20000);
	}
	/* reparented grandchildren (churn's) */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (stuck)
		printf("vs-fuzz: tasks hang in the kernel; the context check is skipped\n");
	clock_gettime(CLOCK_MONOTONIC, &t1);

	cleanup_contexts(false);
	usleep(300000);
	unsigned left = 0;
	for (int tries = 0; tries < 20 && !stuck; tries++) {
		left = cleanup_contexts(tries == 19);
		if (!left)
			break;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		usleep(250000);
	}
	remove_scratch();

	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("vs-fuzz: %" PRIu64 " calls in %.1f s (host %" PRIu64 ", setup %" PRIu64
	       ", guest %" PRIu64 ", racer %" PRIu64 "), %u workers\n",
	       sh->calls, secs, sh->role_calls[R_HOST], sh->role_calls[R_SETUP],
	       sh->role_calls[R_GUEST], sh->role_calls[R_RACER], spawned);
	printf("vs-fuzz: results: ok %" PRIu64, sh->ok);
	for (int e = 1; e < MAXERR; e++)
		if (sh->err[e])
			printf(", %s %" PRIu64, errname(e), sh->err[e]);
	if (sh->err[0])
		printf(", other %" PRIu64, sh->err[0]);
	printf("\n");
	unsigned distinct = 0;
	for (size_t i = 0; i < NCMDS; i++)
		distinct += sh->cmd_calls[i] != 0;
	printf("vs-fuzz: %u of %zu known commands called, %" PRIu64 " calls with unknown numbers, %"
	       PRIu64 " through the i386 entry\n", distinct, NCMDS, sh->cmd_calls[NCMDS], sh->compat_calls);
	if (verbose) {
		for (size_t i = 0; i < NCMDS; i++)
			printf("vs-fuzz:   %-18s %10" PRIu64 " calls %8" PRIu64 " ok\n", cmds[i].name,
			       sh->cmd_calls[i], sh->cmd_ok[i]);
	}
	printf("vs-fuzz: workers ended: exit 0 %u, could not enter a context %u",
	       exit_codes[0], exit_codes[4]);
	for (int s = 1; s < 65; s++) {
		const char *a = sigabbrev_np(s);

		if (died_sig[s] && a)
			printf(", SIG%s %u", a, died_sig[s]);
		else if (died_sig[s])
			printf(", signal %d %u", s, died_sig[s]);
	}
	printf(" (signals come from ctx_kill)\n");
	printf("vs-fuzz: churn: %" PRIu64 " operations, %" PRIu64 " contexts and %" PRIu64
	       " network contexts created; %" PRIu64 " fills lost to racing pages\n",
	       sh->churn_ops, sh->churn_created, sh->churn_netcreated, sh->user_faults);
	printf("vs-fuzz: invariant violations: %" PRIu64 ", contexts left behind: %u\n",
	       sh->violations, left);
	for (unsigned i = 0; i < 4 && i < sh->violations; i++)
		printf("vs-fuzz: violation: %s\n", sh->violation[i]);
	if (sh->calls == 0) {
		printf("vs-fuzz: FAIL: no call was made\n");
		return 1;
	}
	if (sh->violations || left) {
		printf("vs-fuzz: FAIL (seed %" PRIu64 ")\n", opt_seed);
		return 1;
	}
	printf("vs-fuzz: PASS\n");
	return 0;
}
