/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest objects and their life cycle apart from start (start.c),
 * exec/enter (exec.c) and delete (delete.c): state, status, stop, kill,
 * wait. */
#include "internal.h"
#include "helper.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

int vs_guest_open(struct vs_ctx *ctx, const char *name, struct vs_guest **out)
{
	struct vs_guest *g;
	struct vs_config *c;
	int r;

	r = vs_config_load(ctx, name, &c);
	if (r < 0)
		return r;
	g = calloc(1, sizeof(*g));
	if (!g) {
		vs_config_free(c);
		return -ENOMEM;
	}
	g->refs = 1;
	g->ctx = vs_ctx_ref(ctx);
	g->cfg = c;
	g->backend = vs_guest_resolve_backend(ctx, c);
	*out = g;
	return 0;
}

static bool has_runstate(struct vs_ctx *ctx, const char *name)
{
	char file[VS_NAME_MAX + 8];
	_cleanup_close_ int rundfd = -1;
	char msg[sizeof(ctx->errmsg)];
	bool r;

	if (vs_name_check(name) < 0)
		return false;
	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	rundfd = vs_rundir_open(ctx);
	snprintf(file, sizeof(file), "%s.state", name);
	r = rundfd >= 0 && faccessat(rundfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	/* the caller reports its own error, not ours */
	snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
	return r;
}

int vs_guest_open_deferred(struct vs_ctx *ctx, const char *name, struct vs_guest **out)
{
	_cleanup_close_ int gfd = vs_open_guest_confdir(ctx, name);
	struct vs_config *c;
	struct vs_guest *g;

	if (gfd < 0 && !has_runstate(ctx, name))
		return gfd;
	/* no configuration, but a run state: the guest still runs and
	 * must be stoppable (vs_guest_stop works from the run state) */
	c = calloc(1, sizeof(*c));
	g = calloc(1, sizeof(*g));
	if (!c || !g || !(c->name = strdup(name))) {
		free(g);
		vs_config_free(c);
		return -ENOMEM;
	}
	c->backend = VS_BACKEND_AUTO;
	g->refs = 1;
	g->ctx = vs_ctx_ref(ctx);
	g->cfg = c;
	g->backend = vs_guest_resolve_backend(ctx, c);
	*out = g;
	return 0;
}

/* Reads the configuration again (under the guest's lock, so that what we
 * act on is what is on disk now). */
int vs_guest_reload(struct vs_guest *g)
{
	struct vs_config *c;
	int r = vs_config_load(g->ctx, g->cfg->name, &c);

	if (r < 0)
		return r;
	vs_config_free(g->cfg);
	g->cfg = c;
	g->backend = vs_guest_resolve_backend(g->ctx, c);
	return 0;
}

struct vs_guest *vs_guest_ref(struct vs_guest *g)
{
	if (g)
		g->refs++;
	return g;
}

void vs_guest_unref(struct vs_guest *g)
{
	if (!g || --g->refs > 0)
		return;
	vs_config_free(g->cfg);
	vs_ctx_unref(g->ctx);
	free(g);
}

const char *vs_guest_name(const struct vs_guest *g) { return g->cfg->name; }
uint32_t vs_guest_xid(const struct vs_guest *g) { return g->cfg->xid; }
const char *vs_guest_vdir(const struct vs_guest *g) { return g->cfg->vdir; }
int vs_guest_backend(const struct vs_guest *g) { return g->backend; }
bool vs_guest_incomplete(const struct vs_guest *g) { return g->cfg->incomplete; }

/* ---- processes of a guest ------------------------------------------------ */

int vs_guest_pids(const struct vs_runstate *rs, pid_t **pids, size_t *n)
{
	unsigned long long pidns = 0, ino;
	pid_t *all;
	size_t cnt, k = 0;
	int r;

	*pids = NULL;
	*n = 0;
	if (!rs->cgroup[0])
		return 0;
	r = vs_cgroup_procs(rs->cgroup, &all, &cnt);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* Only processes inside the guest's pid namespace count: a process
	 * that is joining the guest right now is in the cgroup but not yet
	 * in the namespace. */
	if (rs->init_pid > 0 && vs_proc_alive(rs->init_pid, rs->init_start))
		vs_proc_ns_ino(rs->init_pid, "pid", &pidns);
	for (size_t i = 0; i < cnt; i++) {
		if (pidns && (vs_proc_ns_ino(all[i], "pid", &ino) < 0 || ino != pidns))
			continue;
		all[k++] = all[i];
	}
	*pids = all;
	*n = k;
	return 0;
}

int vs_guest_pidfd(const struct vs_runstate *rs)
{
	int fd;

	if (rs->init_pid <= 0)
		return -ESRCH;
	fd = vs_pidfd_open(rs->init_pid);
	if (fd < 0)
		return fd;
	/* checked after opening: from now on the pid cannot be recycled */
	if (!vs_proc_alive(rs->init_pid, rs->init_start)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* ---- state ---------------------------------------------------------------- */

static bool cgroup_exists(const char *path)
{
	return path[0] && access(path, F_OK) == 0;
}

int vs_guest_lookup_state(struct vs_guest *g, int rundfd, struct vs_runstate *rs)
{
	struct vs_ctx *ctx = g->ctx;
	char cg[PATH_MAX];
	int r;

	r = vs_runstate_read(ctx, rundfd, g->cfg->name, rs);
	if (r == -ENOENT) {
		memset(rs, 0, sizeof(*rs));
		rs->backend = g->backend;
		rs->xid = g->cfg->xid;
		if (vs_cgroup_path(ctx, g->cfg->name, cg, sizeof(cg)) == 0)
			snprintf(rs->cgroup, sizeof(rs->cgroup), "%s", cg);
		return cgroup_exists(rs->cgroup) ? VS_ST_LEFTOVER : VS_ST_STOPPED;
	}
	if (r == -EINVAL) {
		/* damaged: whatever it described is treated as leftovers */
		vs_warn(ctx, "%s", ctx->errmsg);
		memset(rs, 0, sizeof(*rs));
		rs->backend = g->backend;
		if (vs_cgroup_path(ctx, g->cfg->name, cg, sizeof(cg)) == 0)
			snprintf(rs->cgroup, sizeof(rs->cgroup), "%s", cg);
		return VS_ST_LEFTOVER;
	}
	if (r < 0)
		return r;
	if (rs->complete && vs_proc_alive(rs->init_pid, rs->init_start))
		return VS_ST_RUNNING;
	return VS_ST_LEFTOVER;
}

/* Waits until no process of the guest is left, killing again and again so
 * that processes forked in the meantime die too. */
static int wait_gone(struct vs_guest *g, const struct vs_runstate *rs, int timeout_ms)
{
	const struct vs_backend_ops *ops = vs_backend_ops(rs->backend);
	uint64_t deadline = vs_now_ms(CLOCK_MONOTONIC) + (uint64_t)timeout_ms;
	unsigned delay_us = 1000;

	for (;;) {
		pid_t *pids = NULL;
		size_t n = 0;
		bool init_alive = rs->init_pid > 0 && vs_proc_alive(rs->init_pid, rs->init_start);

		if (cgroup_exists(rs->cgroup) && vs_cgroup_procs(rs->cgroup, &pids, &n) < 0)
			n = 0;
		free(pids);
		if (!n && !init_alive)
			return 0;
		if (vs_now_ms(CLOCK_MONOTONIC) > deadline)
			return vs_err(g->ctx, -ETIMEDOUT, "%s: %zu process(es) did not go away "
				      "(uninterruptible sleep?); run stop again", g->cfg->name, n);
		if (ops)
			ops->kill_all(g->ctx, rs, SIGKILL);
		if (cgroup_exists(rs->cgroup))
			vs_cgroup_kill(g->ctx, rs->cgroup);
		if (init_alive)
			kill(rs->init_pid, SIGKILL);
		usleep(delay_us);
		if (delay_us < 50000)
			delay_us *= 2;
	}
}

int vs_guest_cleanup(struct vs_guest *g, int rundfd, struct vs_runstate *rs)
{
	char cg[PATH_MAX];
	int r;

	r = wait_gone(g, rs, 30000);
	if (r < 0)
		return r;
	/* the console's socket, if a monitor died without removing it; the
	 * log stays readable until the next start or the deletion */
	vs_console_remove(rundfd, g->cfg->name, false);
	vs_netcfg_cleanup(g, rs);
	if (rs->cgroup[0]) {
		r = vs_cgroup_remove(g->ctx, rs->cgroup);
		if (r < 0)
			return r;
	}
	/* the configured place too, in case the state named another one */
	if (vs_cgroup_path(g->ctx, g->cfg->name, cg, sizeof(cg)) == 0 && strcmp(cg, rs->cgroup)) {
		struct vs_runstate tmp = { .backend = rs->backend };
		snprintf(tmp.cgroup, sizeof(tmp.cgroup), "%s", cg);
		if (cgroup_exists(cg)) {
			r = wait_gone(g, &tmp, 30000);
			if (r == 0)
				r = vs_cgroup_remove(g->ctx, cg);
			if (r < 0)
				return r;
		}
	}
	return vs_runstate_remove(g->ctx, rundfd, g->cfg->name);
}

/* No host process watches a running guest (start.c), so a guest that
 * halted itself is tidied up by the next command that looks at it — unless
 * another command holds its lock: a start in progress, or a stop, which
 * will.  Returns the state afterwards. */
int vs_guest_tidy(struct vs_guest *g, int rundfd, struct vs_runstate *rs, int state)
{
	struct vs_lock *lock = NULL;
	char msg[sizeof(g->ctx->errmsg)];

	if (state != VS_ST_LEFTOVER)
		return state;
	/* looking must not change the message of an earlier failure */
	snprintf(msg, sizeof(msg), "%s", g->ctx->errmsg);
	if (vs_lock_guest(g->ctx, g->cfg->name, VS_LOCK_NOWAIT, &lock) == 0) {
		vs_runstate_clear(rs);
		state = vs_guest_lookup_state(g, rundfd, rs);
		if (state == VS_ST_LEFTOVER && vs_guest_cleanup(g, rundfd, rs) == 0)
			state = VS_ST_STOPPED;
		else if (state == VS_ST_LEFTOVER)
			vs_warn(g->ctx, "%s", g->ctx->errmsg);
		vs_lock_release(lock);
	}
	snprintf(g->ctx->errmsg, sizeof(g->ctx->errmsg), "%s", msg);
	return state;
}

/* ---- status --------------------------------------------------------------- */

int vs_guest_status(struct vs_guest *g, struct vs_status *st)
{
	struct vs_runstate rs;
	_cleanup_close_ int rundfd = -1;
	int state;

	memset(st, 0, sizeof(*st));
	st->backend = g->backend;
	st->xid = g->cfg->xid;
	rundfd = vs_rundir_open(g->ctx);
	if (rundfd < 0)
		return rundfd;
	state = vs_guest_lookup_state(g, rundfd, &rs);
	if (state < 0)
		return state;
	state = vs_guest_tidy(g, rundfd, &rs, state);
	st->leftovers = state == VS_ST_LEFTOVER;
	if (state == VS_ST_RUNNING) {
		pid_t *pids = NULL;
		size_t n = 0;
		uint64_t mem, cpu, rss_pages = 0, ticks = 0, now;
		struct vs_procstat ps;
		long tck = sysconf(_SC_CLK_TCK);

		st->running = true;
		st->backend = rs.backend;
		st->xid = rs.xid;
		st->init_pid = rs.init_pid;
		st->missing_cg = rs.missing_cg;
		st->host_network = rs.host_network;
		vs_guest_pids(&rs, &pids, &n);
		st->nproc = (unsigned)n;
		vs_cgroup_usage(rs.cgroup, &mem, &cpu);
		/* without a memory or cpu controller, the sums over the
		 * processes (resident sets: shared pages counted per process)
		 * are the best estimate; with both, /proc is not read at all:
		 * vserver-stat's cost per guest is a few small files */
		if (mem == UINT64_MAX || cpu == UINT64_MAX)
			for (size_t i = 0; i < n; i++)
				if (vs_proc_stat(pids[i], &ps) == 0) {
					rss_pages += ps.rss > 0 ? (uint64_t)ps.rss : 0;
					ticks += ps.utime + ps.stime;
				}
		free(pids);
		st->mem_bytes = mem != UINT64_MAX ? mem :
			rss_pages * (uint64_t)sysconf(_SC_PAGESIZE);
		st->cpu_usec = cpu != UINT64_MAX ? cpu :
			ticks * 1000000 / (uint64_t)tck;
		/* the init's start time (in clock ticks since boot) was checked
		 * against the run state just now; /proc/uptime is the boot
		 * clock, which clock_gettime reads without a file */
		now = vs_now_ms(CLOCK_BOOTTIME);
		if (tck > 0) {
			uint64_t started = rs.init_start * 1000ULL / (uint64_t)tck;
			st->uptime_ms = now > started ? now - started : 0;
		}
	}
	vs_runstate_clear(&rs);
	return 0;
}

/* ---- stop ----------------------------------------------------------------- */

int vs_guest_stop(struct vs_guest *g, unsigned flags, int timeout_ms)
{
	struct vs_ctx *ctx = g->ctx;
	struct vs_lock *lock = NULL;
	struct vs_runstate rs;
	_cleanup_close_ int rundfd = -1, pidfd = -1;
	int state, r;

	(void)flags;
	r = vs_lock_guest(ctx, g->cfg->name, 0, &lock);
	if (r < 0)
		return r;
	r = vs_guest_reload(g);
	if (r < 0 && has_runstate(ctx, g->cfg->name)) {
		/* A running guest whose configuration turned bad (made
		 * writable by others, moved away) is stopped from its run
		 * state alone: what it started with is recorded there, and
		 * cleanup removes exactly that.  Defaults: SIGTERM, 10 s. */
		vs_warn(ctx, "%s; stopping the guest from its run state", ctx->errmsg);
		g->cfg->stop_signal = SIGTERM;
		g->cfg->stop_timeout_ms = 10000;
		vs_strv_free(g->cfg->cmd_stop);	/* nothing of the bad configuration runs */
		g->cfg->cmd_stop = NULL;
		r = 0;
	}
	if (r < 0)
		goto out;
	if (timeout_ms < 0)
		timeout_ms = (int)g->cfg->stop_timeout_ms;
	rundfd = vs_rundir_open(ctx);
	if (rundfd < 0) {
		r = rundfd;
		goto out;
	}
	state = vs_guest_lookup_state(g, rundfd, &rs);
	if (state < 0) {
		r = state;
		goto out;
	}
	if (state == VS_ST_STOPPED) {
		r = 1;
		goto out_rs;
	}
	if (state == VS_ST_LEFTOVER)
		vs_notice(ctx, "%s: cleaning up what is left of the guest", g->cfg->name);
	if (state == VS_ST_RUNNING && (pidfd = vs_guest_pidfd(&rs)) >= 0) {
		bool helper = rs.initstyle != VS_INIT_PLAIN;
		int sig = helper ? SIGTERM : g->cfg->stop_signal;

		/* The helper runs cmd.stop itself; for the guest's own init
		 * we run it from outside first, if one is configured. */
		if (!helper && g->cfg->cmd_stop)
			vs_guest_stop_cmd(g, &rs, timeout_ms);
		vs_debug(ctx, "%s: sending SIG%s to the guest's init (pid %d)", g->cfg->name,
			 vs_signal_name(sig), (int)rs.init_pid);
		if (vs_pidfd_signal(pidfd, sig) == 0 &&
		    vs_pidfd_wait(pidfd, timeout_ms + (helper ? 2000 : 0)) == -ETIMEDOUT)
			vs_notice(ctx, "%s: still running after %d ms; killing it", g->cfg->name,
				  timeout_ms);
	}
	r = vs_guest_cleanup(g, rundfd, &rs);
out_rs:
	vs_runstate_clear(&rs);
out:
	vs_lock_release(lock);
	return r;
}

/* ---- kill, wait ------------------------------------------------------------- */

int vs_guest_kill(struct vs_guest *g, pid_t pid, int sig)
{
	struct vs_runstate rs;
	_cleanup_close_ int rundfd = -1;
	int state, r;

	if (sig < 0 || sig > 64)
		return vs_err(g->ctx, -EINVAL, "invalid signal %d", sig);
	rundfd = vs_rundir_open(g->ctx);
	if (rundfd < 0)
		return rundfd;
	state = vs_guest_lookup_state(g, rundfd, &rs);
	if (state < 0)
		return state;
	if (state != VS_ST_RUNNING) {
		vs_runstate_clear(&rs);
		return vs_err(g->ctx, -ESRCH, "guest '%s' is not running", g->cfg->name);
	}
	if (pid == 0) {
		r = vs_backend_ops(rs.backend)->kill_all(g->ctx, &rs, sig);
		if (r < 0)
			vs_err(g->ctx, r, "%s: no process could be signalled", g->cfg->name);
	} else {
		pid_t *pids;
		size_t n;
		bool member = false;
		int fd = vs_pidfd_open(pid);

		r = -ESRCH;
		if (fd >= 0 && vs_guest_pids(&rs, &pids, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				member |= pids[i] == pid;
			free(pids);
			if (member)
				r = vs_pidfd_signal(fd, sig);
		}
		if (fd >= 0)
			close(fd);
		if (r < 0)
			vs_err(g->ctx, r, "process %d is not a process of guest '%s'", (int)pid,
			       g->cfg->name);
	}
	vs_runstate_clear(&rs);
	return r;
}

int vs_guest_wait(struct vs_guest *g, int timeout_ms)
{
	struct vs_runstate rs;
	_cleanup_close_ int rundfd = -1, pidfd = -1;
	int state, r;

	rundfd = vs_rundir_open(g->ctx);
	if (rundfd < 0)
		return rundfd;
	state = vs_guest_lookup_state(g, rundfd, &rs);
	if (state < 0)
		return state;
	pidfd = state == VS_ST_RUNNING ? vs_guest_pidfd(&rs) : -1;
	vs_runstate_clear(&rs);
	if (pidfd < 0)
		return 0;
	r = vs_pidfd_wait(pidfd, timeout_ms);
	if (r == -ETIMEDOUT)
		return vs_err(g->ctx, r, "guest '%s' is still running", g->cfg->name);
	return r;
}

/* ---- which guest a process belongs to ---------------------------------------- */

int vs_pid_guest(struct vs_ctx *ctx, pid_t pid, char **name, uint32_t *xid)
{
	char cg[PATH_MAX], mine[PATH_MAX];
	const char *base, *rest;
	size_t blen;
	struct vs_guest *g;

	if (vs_cgroup_of_pid(pid, cg, sizeof(cg)) < 0)
		return -ENOENT;
	/* guests live in /<ctx->cgroup>/vs-<name> */
	snprintf(mine, sizeof(mine), "/%s/" VS_CG_PREFIX, ctx->cgroup);
	base = mine;
	blen = strlen(base);
	if (strncmp(cg, base, blen))
		return -ENOENT;
	rest = cg + blen;
	{
		/* NAME, or its leaf and whatever the guest made below it */
		const char *sl = strchr(rest, '/');
		size_t ll = strlen("/" VS_CG_LEAF);
		if (sl && (strncmp(sl, "/" VS_CG_LEAF, ll) || (sl[ll] && sl[ll] != '/')))
			return -ENOENT;
		*name = sl ? strndup(rest, (size_t)(sl - rest)) : strdup(rest);
	}
	if (!*name)
		return -ENOMEM;
	if (vs_name_check(*name) < 0) {
		free(*name);
		*name = NULL;
		return -ENOENT;
	}
	*xid = 0;
	if (vs_guest_open(ctx, *name, &g) == 0) {
		*xid = g->cfg->xid;
		vs_guest_unref(g);
	}
	return 0;
}

/* ---- confinement of guest processes ------------------------------------------ */

int vs_guest_confine(const struct vs_config *c, int backend, char *err, size_t errlen)
{
	/* The Linux rlimits that no cgroup or context limit covers apply
	 * per process, inherited from here (limits.c). */
	int r = vs_limits_set_process(c, backend, err, errlen);

	if (r < 0)
		return r;
	r = vs_caps_bound(vs_config_bcaps(c), err, errlen);
	if (r < 0)
		return r;
	/* syslog(2) refused (seccomp.c); CAP_SYS_ADMIN is still effective
	 * here, so the filter needs no no_new_privs.  Without seccomp in the
	 * kernel there is none: vx refuses syslog(2) to contexts anyway, and
	 * an ns start has said so. */
	r = vs_guest_seccomp(err, errlen);
	return r == -ENOSYS ? 0 : r;
}

bool vs_term_valid(const char *term)
{
	if (!term || !*term || strlen(term) > 64)
		return false;
	for (const char *p = term; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '+'))
			return false;
	return true;
}

char **vs_guest_env(const char *term)
{
	char **env = NULL;
	char t[80];

	if (vs_strv_push(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
	    vs_strv_push(&env, "HOME=/root") < 0 || vs_strv_push(&env, "USER=root") < 0 ||
	    vs_strv_push(&env, "LOGNAME=root") < 0) {
		vs_strv_free(env);
		return NULL;
	}
	if (vs_term_valid(term)) {
		snprintf(t, sizeof(t), "TERM=%s", term);
		if (vs_strv_push(&env, t) < 0) {
			vs_strv_free(env);
			return NULL;
		}
	}
	return env;
}

void vs_child_fail(int fd, int err, const char *fmt, ...)
{
	struct vs_childerr e = { .err = err < 0 ? err : -err };
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	if (e.err == 0)
		e.err = -EIO;
	do
		n = write(fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
}
