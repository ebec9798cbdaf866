/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stopping a guest and what goes with it: the cleanup of what a start left
 * (processes, mounts, cgroup, network, run state), tidying a stale run
 * state, kill and wait. */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

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

		if (vs_cgroup_exists(rs->cgroup) && vs_cgroup_procs(rs->cgroup, &pids, &n) < 0)
			n = 0;
		free(pids);
		if (!n && !init_alive)
			return 0;
		if (vs_now_ms(CLOCK_MONOTONIC) > deadline)
			return vs_err(g->ctx, -ETIMEDOUT, "%s: %zu process(es) did not go away "
				      "(uninterruptible sleep?); run stop again", g->cfg->name, n);
		if (ops)
			ops->kill_all(g->ctx, rs, SIGKILL);
		if (vs_cgroup_exists(rs->cgroup))
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
		if (vs_cgroup_exists(cg)) {
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
	if (r < 0 && vs_has_runstate(ctx, g->cfg->name)) {
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

