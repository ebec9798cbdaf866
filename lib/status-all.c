/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every running guest in one pass (vserver-stat): each guest's run state,
 * its init's /proc stat and its cgroup files are read once, relative to
 * descriptors of the run directory, the configuration directory and the
 * guest's cgroup, instead of once per question (vs_running_list, then
 * vs_guest_status and vs_guest_limits each read the run state and walk the
 * cgroup again).  A guest with a problem — a configuration that is gone or
 * not trusted any more, a cgroup that vanished or is not a directory — is
 * listed with the problem, never left out: its processes run on. */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <time.h>

/* A kernfs or procfs file below DIRFD into BUF.  These are seq files:
 * a read fills the buffer as far as the content goes, so a read that
 * leaves room has all of it — three system calls per small file, and no
 * read for the end of the file. */
static int read_small(int dirfd, const char *file, char *buf, size_t len)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -errno;
	if ((size_t)n == len - 1)
		return -EFBIG;
	buf[n] = '\0';
	return 0;
}

/* The same for a file of any size (cgroup.procs), up to MAX bytes. */
static int read_seq(int dirfd, const char *file, size_t max, char **out)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	_cleanup_free_ char *buf = NULL;
	size_t got = 0, cap = 4096;

	if (fd < 0)
		return -errno;
	if (!(buf = malloc(cap + 1)))
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
		if (n == 0 || got < cap)
			break;
		if (cap >= max)
			return -EFBIG;
		cap *= 2;
		char *nb = realloc(buf, cap + 1);
		if (!nb)
			return -ENOMEM;
		buf = nb;
	}
	buf[got] = '\0';
	*out = TAKE_PTR(buf);
	return 0;
}

/* "KEY N" of a flat-keyed cgroup file, or a single number when key is NULL. */
static int cg_value(int cgfd, const char *file, const char *key, uint64_t *out)
{
	char buf[1024], *p = buf;
	int r = read_small(cgfd, file, buf, sizeof(buf));

	if (r < 0)
		return r;
	if (key) {
		size_t kl = strlen(key);
		for (; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			if (!strncmp(p, key, kl) && p[kl] == ' ')
				break;
		if (!p)
			return -ENOENT;
		p += kl + 1;
	}
	return sscanf(p, "%" SCNu64, out) == 1 ? 0 : -EINVAL;
}

static void problem(struct vs_running_stat *e, int err, const char *fmt, ...) VS_PRINTF(3, 4);
static void problem(struct vs_running_stat *e, int err, const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(e->problem);

	if (!e->error)
		e->error = err;
	if (l && l + 2 < sizeof(e->problem)) {
		strcpy(e->problem + l, "; ");
		l += 2;
	}
	va_start(ap, fmt);
	vsnprintf(e->problem + l, sizeof(e->problem) - l, fmt, ap);
	va_end(ap);
}

/* Appends the pids of DIRFD/FILE (a cgroup.procs). */
static int add_procs(int dirfd, const char *file, pid_t **v, size_t *cnt)
{
	_cleanup_free_ char *s = NULL;
	int r = read_seq(dirfd, file, 4 << 20, &s);

	if (r < 0)
		return r;
	return vs_pids_append(s, v, cnt);
}

/* Appends the pids of DIRFD's cgroup.procs and of the cgroups below (a guest
 * may make its own below its leaf).  Takes DIRFD. */
static int procs_below(int dirfd, pid_t **v, size_t *cnt, int depth)
{
	struct dirent *de;
	DIR *d;
	int r;

	r = add_procs(dirfd, "cgroup.procs", v, cnt);
	if (r < 0) {
		close(dirfd);
		return r;
	}
	if (depth >= 16 || !(d = fdopendir(dirfd))) {
		close(dirfd);
		return 0;
	}
	while ((de = readdir(d))) {
		int sub;
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;	/* removed in the meantime */
		r = procs_below(sub, v, cnt, depth + 1);
		if (r < 0 && r != -ENOENT) {
			closedir(d);
			return r;
		}
	}
	closedir(d);
	return 0;
}

/* The guest's processes: those of its cgroup and every cgroup below.  The
 * usual shape is the cgroup and its one leaf (cgroup.c): cgroup.stat says
 * so (nr_descendants 1), and then the two cgroup.procs files are all there
 * is to read, without listing directories.  Takes CGFD. */
static int guest_procs(int cgfd, pid_t **v, size_t *cnt)
{
	uint64_t below;
	int r;

	if (cg_value(cgfd, "cgroup.stat", "nr_descendants", &below) == 0 && below == 1) {
		r = add_procs(cgfd, "cgroup.procs", v, cnt);
		if (r == 0)
			r = add_procs(cgfd, VS_CG_LEAF "/cgroup.procs", v, cnt);
		if (r != -ENOENT) {
			close(cgfd);
			return r;
		}
		/* the one cgroup below is not the leaf: walk */
		free(*v);
		*v = NULL;
		*cnt = 0;
	}
	return procs_below(cgfd, v, cnt, 0);
}

/* The cgroup part of a running guest: processes, use and (ns) the hits of
 * the cgroup limits.  Without a memory or cpu controller the use is summed
 * over the processes' /proc stat (init's is given). */
static int cgroup_part(struct vs_running_stat *e, const struct vs_runstate *rs,
		       const struct vs_procstat *init, bool count_hits)
{
	_cleanup_free_ pid_t *pids = NULL;
	unsigned long long pidns = 0, ino;
	uint64_t mem = UINT64_MAX, cpu = UINT64_MAX, rss = 0, ticks = 0, v;
	size_t n = 0, k = 0;
	long tck = sysconf(_SC_CLK_TCK);
	int cgfd = -1, r;

	e->st.nproc = 1;	/* at least the init, which was seen alive */
	if (!rs->cgroup[0]) {
		problem(e, -ENOENT, "the run state names no cgroup");
		goto from_init;
	}
	cgfd = open(rs->cgroup, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cgfd < 0) {
		r = -errno;
		if (r == -ENOTDIR || r == -ELOOP)
			problem(e, r, "cgroup %s is not a directory", rs->cgroup);
		else
			problem(e, r, "cgroup %s: %s", rs->cgroup, strerror(-r));
		goto from_init;
	}
	if (!(rs->missing_cg & VS_CG_MEMORY) && cg_value(cgfd, "memory.current", NULL, &v) == 0)
		mem = v;
	if (!(rs->missing_cg & VS_CG_CPU) && cg_value(cgfd, "cpu.stat", "usage_usec", &v) == 0)
		cpu = v;
	if (count_hits) {
		/* every cgroup limit but the CPU cap, whose "hits" are
		 * throttled periods (as vs_guest_limits' rows) */
		e->limit_hits = 0;
		if (!(rs->missing_cg & VS_CG_MEMORY)) {
			if (cg_value(cgfd, "memory.events", "max", &v) == 0)
				e->limit_hits += v;
			if (cg_value(cgfd, "memory.swap.events", "max", &v) == 0)
				e->limit_hits += v;
		}
		if (!(rs->missing_cg & VS_CG_PIDS) && cg_value(cgfd, "pids.events", "max", &v) == 0)
			e->limit_hits += v;
	}
	r = guest_procs(cgfd, &pids, &n);	/* takes cgfd */
	if (r < 0) {
		problem(e, r, "cgroup %s: %s", rs->cgroup, strerror(-r));
		goto from_init;
	}
	/* Only processes inside the guest's pid namespace count: one that is
	 * joining the guest right now is in the cgroup but not yet inside.
	 * A guest of its init alone needs no look at the namespaces. */
	if (!(n == 1 && pids[0] == rs->init_pid))
		vs_proc_ns_ino(rs->init_pid, "pid", &pidns);
	for (size_t i = 0; i < n; i++) {
		struct vs_procstat ps;
		if (pidns && (vs_proc_ns_ino(pids[i], "pid", &ino) < 0 || ino != pidns))
			continue;
		k++;
		if (mem != UINT64_MAX && cpu != UINT64_MAX)
			continue;
		if (pids[i] == rs->init_pid)
			ps = *init;
		else if (vs_proc_stat(pids[i], &ps) < 0)
			continue;
		rss += ps.rss > 0 ? (uint64_t)ps.rss : 0;
		ticks += ps.utime + ps.stime;
	}
	e->st.nproc = (unsigned)k;
	goto out;
from_init:
	rss = init->rss > 0 ? (uint64_t)init->rss : 0;
	ticks = init->utime + init->stime;
out:
	e->st.mem_bytes = mem != UINT64_MAX ? mem : rss * (uint64_t)sysconf(_SC_PAGESIZE);
	e->st.cpu_usec = cpu != UINT64_MAX ? cpu : tck > 0 ? ticks * 1000000 / (uint64_t)tck : 0;
	return 0;
}

/* The configuration's problem, if any: gone or not trusted.  On vx it is
 * loaded, since the hits of the context's limits are counted over the
 * configured ones too (vs_guest_limits); on ns only its directory is
 * looked at — the table needs nothing from it. */
static void config_part(struct vs_ctx *ctx, int cfd, int cferr, struct vs_running_stat *e,
			const struct vs_runstate *rs)
{
	char shown[PATH_MAX];
	struct stat st;
	int r;

	if (cfd < 0) {
		problem(e, cferr, "configuration directory %s: %s", ctx->confdir, strerror(-cferr));
		return;
	}
	snprintf(shown, sizeof(shown), "%s/%s", ctx->confdir, e->name);
	/* what opening it would check (vs_open_guest_confdir), in one call */
	if (fstatat(cfd, e->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = -errno;
		if (r == -ENOENT)
			problem(e, r, "its configuration %s is gone", shown);
		else
			problem(e, r, "%s: %s", shown, strerror(-r));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		problem(e, -ELOOP, "%s is a symbolic link or not a directory", shown);
		return;
	}
	if (vs_check_trusted_stat(ctx, &st, shown) < 0) {
		problem(e, -EPERM, "%s", ctx->errmsg);
		return;
	}
	/* vx: the context's limit hits need the configuration (which limits
	 * are the guest's); the checks above named any problem with it the
	 * same way on both backends */
	if (rs->backend != VS_BACKEND_NS) {
		struct vs_guest *g;
		uint64_t hits;

		if (vs_guest_open(ctx, e->name, &g) < 0) {
			problem(e, -EINVAL, "%s", ctx->errmsg);
			return;
		}
		if (vs_limits_hits(g, rs, &hits) == 0)
			e->limit_hits = hits;
		vs_guest_unref(g);
	}
}

/* A run state whose init is gone (or that is damaged) is looked at through
 * vs_guest_status, which tidies up what is left; a start that finished in
 * the meantime makes it a running guest after all. */
static bool tidy(struct vs_ctx *ctx, const char *name, struct vs_status *st)
{
	struct vs_guest *g;
	bool live;

	if (vs_guest_open(ctx, name, &g) < 0 && vs_guest_open_deferred(ctx, name, &g) < 0)
		return false;
	live = vs_guest_status(g, st) == 0 && st->running;
	vs_guest_unref(g);
	return live;
}

/* What the parallel pass found of one guest. */
struct slot {
	struct vs_running_stat e;
	enum { SLOT_SLOW, SLOT_LIVE } kind;	/* SLOW: the serial pass looks */
	struct vs_runstate rs;
};

/* The run state by the fast path: a regular file of the trusted owner,
 * not writable by group or others, as vs_read_at checks — but without the
 * context's error message, which the threads must not share.  Anything
 * unusual returns -1 and the serial pass reads it the careful way, with
 * the message. */
static int read_state_fast(int rundfd, const char *name, uid_t owner, struct vs_runstate *rs)
{
	char file[VS_NAME_MAX + 8], buf[4096];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "%s.state", name);
	fd = openat(rundfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != owner ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size >= (off_t)sizeof(buf)) {
		close(fd);
		return -1;
	}
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n != st.st_size)
		return -1;
	buf[n] = '\0';
	return vs_runstate_parse(buf, rs) < 0 ? -1 : 0;
}

/* The part of one guest that needs no library context: its run state,
 * whether its init lives, its cgroup.  What needs the context (a careful
 * read with messages, tidying a stale run state, the configuration) is
 * left to the serial pass. */
static void look_fast(struct slot *sl, int rundfd, uid_t owner, long tck, uint64_t now)
{
	struct vs_running_stat *e = &sl->e;
	struct vs_runstate *rs = &sl->rs;
	struct vs_procstat init;
	char path[64], statbuf[1024];

	sl->kind = SLOT_SLOW;
	if (read_state_fast(rundfd, e->name, owner, rs) < 0)
		return;
	/* alive: the same process that the start recorded (a pid may
	 * be recycled), and its stat is the init's use as well */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)rs->init_pid);
	if (!rs->complete || rs->init_pid <= 0 ||
	    read_small(AT_FDCWD, path, statbuf, sizeof(statbuf)) < 0 ||
	    vs_proc_stat_parse(statbuf, &init) < 0 ||
	    init.state == 'Z' || init.state == 'X' || init.state == 'x' ||
	    init.starttime != rs->init_start) {
		vs_runstate_clear(rs);
		memset(rs, 0, sizeof(*rs));
		return;
	}
	e->st.running = true;
	e->st.backend = rs->backend;
	e->st.xid = rs->xid;
	e->st.init_pid = rs->init_pid;
	e->st.missing_cg = rs->missing_cg;
	e->st.host_network = rs->host_network;
	if (tck > 0) {
		uint64_t started = rs->init_start * 1000ULL / (uint64_t)tck;
		e->st.uptime_ms = now > started ? now - started : 0;
	}
	cgroup_part(e, rs, &init, rs->backend == VS_BACKEND_NS);
	sl->kind = SLOT_LIVE;
}

struct fast_pass {
	struct slot *slots;
	size_t n;
	size_t next;	/* atomically taken */
	int rundfd;
	uid_t owner;
	long tck;
	uint64_t now;
};

static void *fast_worker(void *arg)
{
	struct fast_pass *fp = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&fp->next, 1, __ATOMIC_RELAXED)) < fp->n)
		look_fast(&fp->slots[i], fp->rundfd, fp->owner, fp->tck, fp->now);
	return NULL;
}

/* Each guest costs some twenty system calls on procfs and cgroupfs, and
 * they are independent: with many running guests they are spread over the
 * CPUs (the threads touch only their own slots).  Few guests are not worth
 * a thread's start. */
static void fast_pass_run(struct fast_pass *fp)
{
	pthread_t th[8];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = fp->n / 64, started = 0;

	if (want > (size_t)(cpus > 1 ? cpus - 1 : 0))
		want = (size_t)(cpus > 1 ? cpus - 1 : 0);
	if (want > ARRAY_SIZE(th))
		want = ARRAY_SIZE(th);
	for (; started < want; started++)
		if (pthread_create(&th[started], NULL, fast_worker, fp) != 0)
			break;	/* fewer helpers; this thread does the rest */
	fast_worker(fp);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

int vs_running_stats(struct vs_ctx *ctx, struct vs_running_stat **out, size_t *count)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_close_ int rundfd = -1, cfd = -1;
	_cleanup_free_ struct slot *slots = NULL;
	struct vs_running_stat *v;
	struct fast_pass fp;
	size_t nn, n = 0;
	int cferr = 0, r;

	*out = NULL;
	*count = 0;
	rundfd = vs_rundir_open(ctx);
	if (rundfd < 0)
		return rundfd;
	r = vs_runstate_names(ctx, rundfd, &names);
	if (r < 0)
		return r;
	/* what goes wrong with one guest is its entry's problem, not the
	 * caller's error message */
	VS_KEEP_ERRMSG(ctx);
	cfd = vs_open_confdir(ctx, false);
	if (cfd < 0)
		cferr = cfd;
	nn = vs_strv_len(names);
	slots = calloc(nn + 1, sizeof(*slots));
	v = calloc(nn + 1, sizeof(*v));
	if (!slots || !v) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nn; i++) {
		snprintf(slots[i].e.name, sizeof(slots[i].e.name), "%s", names[i]);
		slots[i].e.limit_hits = VS_VALUE_UNKNOWN;
	}
	fp = (struct fast_pass){ .slots = slots, .n = nn, .rundfd = rundfd, .owner = ctx->owner,
				 .tck = sysconf(_SC_CLK_TCK),
				 .now = vs_now_ms(CLOCK_BOOTTIME) };
	fast_pass_run(&fp);
	/* in name order, with the context: the configuration, and what the
	 * fast path left (a run state to read carefully or to tidy) */
	for (size_t i = 0; i < nn; i++) {
		struct slot *sl = &slots[i];

		if (sl->kind == SLOT_SLOW) {
			if (tidy(ctx, sl->e.name, &sl->e.st))
				v[n++] = sl->e;
			continue;
		}
		config_part(ctx, cfd, cferr, &sl->e, &sl->rs);
		vs_runstate_clear(&sl->rs);
		v[n++] = sl->e;
	}
	*out = v;
	*count = n;
	return 0;
}
