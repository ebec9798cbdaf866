/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest objects: opening, the run state looked up, status, which guest a
 * process belongs to, what confines a process that enters.  Start is
 * start.c, stop/kill/wait stop.c, exec/enter exec.c, delete delete.c. */
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

bool vs_has_runstate(struct vs_ctx *ctx, const char *name)
{
	/* the caller reports its own error, not ours */
	VS_KEEP_ERRMSG(ctx);
	char file[VS_NAME_MAX + 8];
	_cleanup_close_ int rundfd = -1;

	if (vs_name_check(name) < 0)
		return false;
	rundfd = vs_rundir_open(ctx);
	snprintf(file, sizeof(file), "%s.state", name);
	return rundfd >= 0 && faccessat(rundfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int vs_guest_open_deferred(struct vs_ctx *ctx, const char *name, struct vs_guest **out)
{
	_cleanup_close_ int gfd = vs_open_guest_confdir(ctx, name);
	struct vs_config *c;
	struct vs_guest *g;

	if (gfd < 0 && !vs_has_runstate(ctx, name))
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

bool vs_cgroup_exists(const char *path)
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
		return vs_cgroup_exists(rs->cgroup) ? VS_ST_LEFTOVER : VS_ST_STOPPED;
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
