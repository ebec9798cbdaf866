// SPDX-License-Identifier: GPL-2.0-or-later
/* vs-fuzz: the workers (host, setup, guest, racer) and their calls. */
#include "fuzz.h"

uint32_t pick_pool(struct rng *r) { return xid_base + below(r, xid_count); }

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

const char *errname(int e)
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

void worker_main(struct worker *w, uint64_t budget)
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
