/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vs-fuzz: what its parts share.  vs-fuzz.c (options, supervisor),
 * cmds.c (the commands and their argument shapes), args.c (pointers and
 * argument values), worker.c (the workers in their four roles), churn.c
 * (contexts born and destroyed under the workers).
 */
#ifndef VS_FUZZ_H
#define VS_FUZZ_H

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

/* The number of entries of cmds[] (cmds.c checks it at build time): the
 * shared counters are sized by it. */
#define NCMDS ((size_t)96)
#define NSLOTS_CMD (NCMDS + 1)	/* the last one counts unknown numbers */
extern const struct cmd cmds[NCMDS];
size_t dsize(enum dkind d);

/* splitmix64: small, good enough, and the same on every machine. */
static inline uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

struct rng { uint64_t s; };
static inline uint64_t rnd(struct rng *r) { r->s += 0x9E3779B97F4A7C15ULL; return mix64(r->s); }
static inline uint32_t below(struct rng *r, uint32_t n) { return n ? (uint32_t)(rnd(r) % n) : 0; }
static inline bool chance(struct rng *r, unsigned pct) { return below(r, 100) < pct; }

/* ------------------------------------------------------------ shared state */

#define MAXERR 200		/* errno histogram; larger values go to [0] */
#define MAXSLOTS 32
#define RING 16
enum role { R_HOST, R_SETUP, R_GUEST, R_RACER, NROLES };
extern const char *const rolename[NROLES];

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
extern struct shared *sh;

static inline void add(uint64_t *p, uint64_t v) { __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline void setbit8(uint8_t *m, uint32_t b) { __atomic_fetch_or(&m[(b >> 3) & 8191], 1U << (b & 7), __ATOMIC_RELAXED); }
static inline bool getbit8(const uint8_t *m, uint32_t b) { return m[(b >> 3) & 8191] & (1U << (b & 7)); }
void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* options and the run's scratch tree (vs-fuzz.c) */
extern uint64_t opt_calls;
extern uint32_t xid_base, xid_count;
extern int verbose;
extern struct timespec t_end;
extern char scratch[256];
extern const char *paths[6];
extern int memfd;
bool avoided(uint32_t id);
bool past(const struct timespec *t);
long vs(uint32_t cmd, uint32_t id, void *data);
long vs32(uint32_t cmd, uint32_t id, uint64_t data);

/* ---------------------------------------------------------------- memory */

#define PG 4096UL
#define RACEPAGES 8
#define SHMPAGES 4
/* the worker's arena, racing pages and shared pages (args.c says how they
 * are laid out), and their copies below 4 GiB for the i386 entry */
extern char *arena, *race, *shm;
extern char *arena64, *arena32, *shm64, *shm32, *race64;
extern sigjmp_buf fill_jmp;
extern volatile sig_atomic_t in_fill;
void on_fault(int sig, siginfo_t *si, void *uc);
void on_alarm(int sig);
uint64_t bad_pointer(struct rng *r);
uint64_t flagword(struct rng *r);
void fill(struct rng *r, enum dkind d, char *p, size_t n, char *pathbuf);

/* ---------------------------------------------------------------- roles */

struct worker {
	int slot;
	enum role role;
	struct rng r;
	pid_t pid;
	uint32_t my_xid;	/* the xid it lives in (0 host) */
	bool locked;		/* in a context that ended setup */
	int fds[4];
};

uint32_t pick_pool(struct rng *r);
const char *errname(int e);
void worker_main(struct worker *w, uint64_t budget) __attribute__((noreturn));
void churn_main(uint64_t seed) __attribute__((noreturn));

#endif
