/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "ns" backend: a stock kernel.  Processes are isolated by a pid
 * namespace, the file system by a mount namespace and pivot_root, host and
 * domain name by a uts namespace, SysV IPC by an ipc namespace, networking
 * optionally by a network namespace (loopback only); limits come from
 * cgroup v2.  What the vx kernel adds on top (context flags and
 * capabilities, per-context limits on sockets, fds, dentries ...) has no
 * equivalent here: such settings are refused or reported. */
#include "internal.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>

static int ns_available(struct vs_ctx *ctx)
{
	static const char *const needed[] = { "pid", "mnt", "uts", "ipc", "cgroup" };
	char root[256];

	for (size_t i = 0; i < ARRAY_SIZE(needed); i++) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/ns/%s", needed[i]);
		if (access(p, F_OK) < 0)
			return vs_err(ctx, -EOPNOTSUPP, "the kernel lacks %s namespaces, which the "
				      "ns backend needs", needed[i]);
	}
	if (vs_cgroup_root(root, sizeof(root)) < 0)
		return vs_err(ctx, -EOPNOTSUPP, "no cgroup v2 file system is mounted; the ns "
			      "backend needs one to track the processes of a guest");
	return 0;
}

static int ns_check_config(struct vs_ctx *ctx, const struct vs_config *c)
{
	int r = vs_limits_check(ctx, c, VS_BACKEND_NS);

	if (r < 0)
		return r;
	if (c->ccaps_on || c->ccaps_off || c->cflags_on || c->cflags_off ||
	    c->nflags_on || c->nflags_off || c->ncaps_on || c->ncaps_off)
		vs_warn(ctx, "%s: flags, ccapabilities, nflags and ncapabilities act only on the "
			"vx backend; the ns backend does not apply them", c->name);
	for (size_t i = 0; i < c->n_ifaces && !c->netns; i++)
		if (!c->ifaces[i].dev[0])
			vs_warn(ctx, "%s: interface %s has no device; the ns backend has nothing to "
				"configure for it", c->name, c->ifaces[i].name);
	return 0;
}

static int ns_nothing(struct vs_ctx *ctx, const struct vs_config *c, char *err, size_t errlen)
{
	(void)ctx; (void)c; (void)err; (void)errlen;
	return 0;
}

static int ns_join(const struct vs_config *c, const struct vs_runstate *rs, char *err,
		   size_t errlen)
{
	(void)c; (void)rs; (void)err; (void)errlen;
	return 0;
}

static int ns_kill_all(struct vs_ctx *ctx, const struct vs_runstate *rs, int sig)
{
	pid_t *pids;
	size_t n;
	int r, sent = 0;

	if (!rs->cgroup[0])
		return -ESRCH;
	if (sig == SIGKILL)
		return vs_cgroup_kill(ctx, rs->cgroup);
	r = vs_guest_pids(rs, &pids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		/* pidfd first, membership second: the pid cannot be reused
		 * in between, so we never signal a stranger */
		int fd = vs_pidfd_open(pids[i]);
		char cg[4096];
		if (fd < 0)
			continue;
		if (vs_cgroup_of_pid(pids[i], cg, sizeof(cg)) == 0 &&
		    vs_cgroup_member(rs->cgroup, cg) && vs_pidfd_signal(fd, sig) == 0)
			sent++;
		close(fd);
	}
	free(pids);
	return sent ? 0 : -ESRCH;
}

/* No limit is the kernel's per guest here: cgroups and rlimits do it. */
static int ns_limit_mask(uint32_t *kmask)
{
	*kmask = 0;
	return 0;
}

const struct vs_backend_ops vs_backend_ns_ops = {
	.name = "ns",
	.available = ns_available,
	.clone_flags = vs_guest_clone_flags,
	.check_config = ns_check_config,
	.child_setup = ns_nothing,
	.child_finish = ns_nothing,
	.join = ns_join,
	.kill_all = ns_kill_all,
	.limit_mask = ns_limit_mask,
};
