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
#include "fuzz.h"

/* ------------------------------------------------------------ shared state */

const char *const rolename[NROLES] = { "host", "setup", "guest", "racer" };
struct shared *sh;

void violation(const char *fmt, ...)
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
uint64_t opt_calls;	/* 0: no bound */
static uint64_t opt_seed;
static bool have_seed;
static unsigned opt_procs = 4;
uint32_t xid_base = 40000, xid_count = 64;
static uint32_t avoid[64];
static unsigned navoid;
int verbose;
struct timespec t_end;
char scratch[256];
const char *paths[6];
int memfd = -1;

bool avoided(uint32_t id)
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

bool past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

long vs(uint32_t cmd, uint32_t id, void *data)
{
	return syscall(__NR_vserver, cmd, id, data);
}

/* The i386 entry (273) through int $0x80 from this 64-bit process: the
 * kernel takes the compat paths (4-byte pointers inside structures, the
 * 28-byte rlimit layout...), with the pointer's low 32 bits. */
long vs32(uint32_t cmd, uint32_t id, uint64_t data)
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
