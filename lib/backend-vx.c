/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "vx" backend: the Linux-VServer kernel.  The guest's init creates the
 * network context and the context (ABI §9.2 order: network first, then
 * ctx_create with SETUP|INIT|ADMIN) once its root file system is in place,
 * sets it up from inside while the context is in STATE_SETUP, and ends the
 * setup right before exec.  The
 * namespaces and the pivot-rooted file system are shared with the ns
 * backend and recorded in the context's space slot 0, so util-vserver's
 * enter_space works on our guests too. */
#include "internal.h"

#include <linux/vserver.h>
#include <sched.h>
#include <signal.h>

#define VX_DEFAULT_CFLAGS	VXF_VIRT_UPTIME

static int vx_available(struct vs_ctx *ctx)
{
	int v = vs_vx_get_version();

	if (v == -ENOSYS)
		return vs_err(ctx, -EOPNOTSUPP, "the vx backend needs a kernel with the vserver "
			      "system call (this one answers ENOSYS); use --backend ns");
	if (v < 0)
		return vs_err(ctx, v, "vserver system call: %s", strerror(-v));
	if (v < 0x00020300)
		return vs_err(ctx, -EOPNOTSUPP, "the kernel's vserver interface 0x%08x is older "
			      "than 0x00020300", (unsigned)v);
	return 0;
}

static int vx_check_config(struct vs_ctx *ctx, const struct vs_config *c)
{
	if (!c->xid)
		return vs_err(ctx, -EINVAL, "%s: the vx backend needs a context id "
			      "(%s/%s/context)", c->name, ctx->confdir, c->name);
	int r = vs_limits_check(ctx, c, VS_BACKEND_VX);

	if (r < 0)
		return r;
	return vs_nx_check(ctx, c);
}

static int vx_child_setup(struct vs_ctx *ctx, const struct vs_config *c, char *err,
			  size_t errlen)
{
	char cfgdir[VHILEN];
	int r;

	/* the network context first (ABI §9.2): net_create moves us in */
	r = vs_nx_setup(c, err, errlen);
	if (r < 0)
		return r;
	r = vs_vx_ctx_create(c->xid, VXF_STATE_SETUP | VXF_STATE_INIT | VXF_STATE_ADMIN);
	if (r < 0) {
		if (r == -EEXIST || r == -EBUSY)
			snprintf(err, errlen, "context %u already exists (is another guest using "
				 "this context id?)", c->xid);
		else
			snprintf(err, errlen, "ctx_create %u: %s", c->xid, strerror(-r));
		return r;
	}
	/* util-vserver maps contexts back to guests through this name; a
	 * configuration directory longer than the field gets the bare name */
	if ((size_t)snprintf(cfgdir, sizeof(cfgdir), "%s/%s", ctx->confdir, c->name) >=
	    sizeof(cfgdir))
		snprintf(cfgdir, sizeof(cfgdir), "%s", c->name);
	r = vs_vx_set_vhi_name(VX_ID_SELF, VHIN_CONTEXT, cfgdir);
	if (r < 0) {
		snprintf(err, errlen, "set_vhi_name(context): %s", strerror(-r));
		return r;
	}
	return 0;
}

static int vx_child_finish(struct vs_ctx *ctx, const struct vs_config *c, char *err,
			   size_t errlen)
{
	uint64_t cflags, cmask;
	int r;

	(void)ctx;
	/* Record the namespaces (and, with CLONE_FS, the pivot-rooted root)
	 * now that the file system is final. */
	r = vs_vx_set_space(VX_ID_SELF, CLONE_NEWNS | CLONE_FS, 0);
	if (r == 0)
		r = vs_vx_set_space(VX_ID_SELF, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
				    (c->netns ? CLONE_NEWNET : 0), 0);
	if (r < 0) {
		snprintf(err, errlen, "set_space: %s", strerror(-r));
		return r;
	}
	r = vs_limits_apply_vx(c, err, errlen);
	if (r < 0)
		return r;
	if (c->ccaps_on || c->ccaps_off) {
		r = vs_vx_set_ccaps(VX_ID_SELF, c->ccaps_on, c->ccaps_on | c->ccaps_off);
		if (r < 0) {
			snprintf(err, errlen, "set_ccaps: %s", strerror(-r));
			return r;
		}
	}
	r = vs_vx_set_bcaps(VX_ID_SELF, vs_config_bcaps(c), ~0ULL);
	if (r < 0) {
		snprintf(err, errlen, "set_bcaps: %s", strerror(-r));
		return r;
	}
	cflags = (VX_DEFAULT_CFLAGS | vs_limits_default_cflags(c) | c->cflags_on) & ~c->cflags_off &
		 ~VXF_ONE_TIME;
	cmask = (VX_DEFAULT_CFLAGS | vs_limits_default_cflags(c) | c->cflags_on | c->cflags_off) &
		~VXF_ONE_TIME;
	r = vs_vx_set_cflags(VX_ID_SELF, cflags, cmask);
	if (r < 0) {
		snprintf(err, errlen, "set_cflags: %s", strerror(-r));
		return r;
	}
	/* End of setup.  Clearing STATE_INIT from inside designates us —
	 * about to exec the guest's init — as the context's init and reaper. */
	r = vs_vx_set_cflags(VX_ID_SELF, 0, VXF_STATE_SETUP | VXF_STATE_INIT);
	if (r < 0) {
		snprintf(err, errlen, "ending the context setup: %s", strerror(-r));
		return r;
	}
	return 0;
}

static int vx_join(const struct vs_config *c, const struct vs_runstate *rs, char *err,
		   size_t errlen)
{
	int r;

	r = vs_nx_join(c, err, errlen);
	if (r < 0)
		return r;
	r = vs_vx_ctx_migrate(rs->xid, 0);
	if (r < 0) {
		snprintf(err, errlen, "ctx_migrate %u: %s", rs->xid, strerror(-r));
		return r;
	}
	return 0;
}

static int vx_kill_all(struct vs_ctx *ctx, const struct vs_runstate *rs, int sig)
{
	int r = vs_vx_ctx_kill(rs->xid, 0, sig);

	/* the cgroup holds the same processes; it also catches any that a
	 * kernel without context kill support would miss */
	if (sig == SIGKILL && rs->cgroup[0])
		vs_cgroup_kill(ctx, rs->cgroup);
	return r;
}

const struct vs_backend_ops vs_backend_vx_ops = {
	.name = "vx",
	.available = vx_available,
	.clone_flags = vs_guest_clone_flags,
	.check_config = vx_check_config,
	.child_setup = vx_child_setup,
	.child_finish = vx_child_finish,
	.join = vx_join,
	.kill_all = vx_kill_all,
	.limit_mask = vs_limits_kmask,
};
