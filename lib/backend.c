/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Backend selection: the vserver system call if the kernel has it, else
 * namespaces; a guest's "backend" file or the caller (--backend) may pin one. */
#include "internal.h"

#include <sched.h>

#include <linux/vserver.h>

int vs_backend_detect(void)
{
	int v = vs_vx_get_version();
	return v >= 0x00020300 ? VS_BACKEND_VX : VS_BACKEND_NS;
}

const struct vs_backend_ops *vs_backend_ops(int backend)
{
	switch (backend) {
	case VS_BACKEND_NS: return &vs_backend_ns_ops;
	case VS_BACKEND_VX: return &vs_backend_vx_ops;
	}
	return NULL;
}

/* Both backends give a guest the same namespaces: its own mounts, host
 * name, IPC and pids (the vx context's isolation comes on top), and a
 * network namespace when configured (spaces/net or a veth). */
unsigned long vs_guest_clone_flags(const struct vs_config *c)
{
	return CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
	       (c->netns ? CLONE_NEWNET : 0);
}

int vs_backend_limit_mask(int backend, uint32_t *kmask)
{
	const struct vs_backend_ops *ops = vs_backend_ops(backend);

	*kmask = 0;
	return ops ? ops->limit_mask(kmask) : 0;
}

int vs_guest_resolve_backend(struct vs_ctx *ctx, const struct vs_config *c)
{
	if (ctx->backend != VS_BACKEND_AUTO)
		return ctx->backend;
	if (c && c->backend != VS_BACKEND_AUTO)
		return c->backend;
	return vs_backend_detect();
}
