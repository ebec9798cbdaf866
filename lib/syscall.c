/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Raw wrappers of the vserver system call (ABI §1, §4-5).  Each wrapper
 * passes exactly the structure the ABI names for the command and returns
 * the kernel's answer or -errno. */
#include "internal.h"

#include <arpa/inet.h>
#include <linux/vserver.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#ifndef __NR_vserver
# if defined(__x86_64__)
#  define __NR_vserver 236
# elif defined(__i386__)
#  define __NR_vserver 273
# endif
#endif

long vs_vx_call(uint32_t cmd, uint32_t id, void *data)
{
#ifdef __NR_vserver
	long r = syscall(__NR_vserver, cmd, id, data);
	return r < 0 ? -errno : r;
#else
	(void)cmd; (void)id; (void)data;
	return -ENOSYS;
#endif
}

int vs_vx_get_version(void)
{
	/* util-vserver passes id 63 (VC_CAT_COMPAT); the kernel ignores it */
	return (int)vs_vx_call(VCMD_get_version, VC_CAT_COMPAT, NULL);
}

int vs_vx_get_vci(uint32_t *vci)
{
	long r = vs_vx_call(VCMD_get_vci, 0, NULL);
	if (r < 0)
		return (int)r;
	*vci = (uint32_t)r;
	return 0;
}

int vs_vx_get_iattr(const char *path, uint32_t *flags, uint32_t *mask)
{
	struct vcmd_ctx_iattr_v1 d = { .name = path };
	long r;

	if (!path)
		return -EINVAL;
	r = vs_vx_call(VCMD_get_iattr, 0, &d);
	if (r < 0)
		return (int)r;
	if (flags)
		*flags = d.flags;
	if (mask)
		*mask = d.mask;
	return 0;
}

int vs_vx_set_iattr(const char *path, uint32_t flags, uint32_t mask)
{
	struct vcmd_ctx_iattr_v1 d = { .name = path, .flags = flags, .mask = mask };

	if (!path)
		return -EINVAL;
	return (int)vs_vx_call(VCMD_set_iattr, 0, &d);
}

int vs_vx_ctx_create(uint32_t xid, uint64_t flags)
{
	struct vcmd_ctx_create d = { .flagword = flags };
	return (int)vs_vx_call(VCMD_ctx_create, xid, &d);
}

int vs_vx_ctx_migrate(uint32_t xid, uint64_t flags)
{
	struct vcmd_ctx_migrate d = { .flagword = flags };
	return (int)vs_vx_call(VCMD_ctx_migrate, xid, &d);
}

int vs_vx_task_xid(pid_t pid, uint32_t *xid)
{
	long r = vs_vx_call(VCMD_task_xid, (uint32_t)pid, NULL);
	if (r < 0)
		return (int)r;
	*xid = (uint32_t)r;
	return 0;
}

int vs_vx_task_nid(pid_t pid, uint32_t *nid)
{
	long r = vs_vx_call(VCMD_task_nid, (uint32_t)pid, NULL);
	if (r < 0)
		return (int)r;
	*nid = (uint32_t)r;
	return 0;
}

int vs_vx_info(uint32_t xid, uint32_t *initpid)
{
	struct vcmd_vx_info_v0 d = { 0 };
	long r = vs_vx_call(VCMD_vx_info, xid, &d);
	if (r < 0)
		return (int)r;
	if (initpid)
		*initpid = d.initpid;
	return 0;
}

int vs_vx_ctx_stat(uint32_t xid, uint32_t *usecnt, uint32_t *tasks)
{
	struct vcmd_ctx_stat_v0 d = { 0 };
	long r = vs_vx_call(VCMD_ctx_stat, xid, &d);
	if (r < 0)
		return (int)r;
	if (usecnt)
		*usecnt = d.usecnt;
	if (tasks)
		*tasks = d.tasks;
	return 0;
}

int vs_vx_virt_stat(uint32_t xid, uint64_t *uptime_ns, uint32_t *nr_threads)
{
	struct vcmd_virt_stat_v0 d = { 0 };
	long r = vs_vx_call(VCMD_virt_stat, xid, &d);
	if (r < 0)
		return (int)r;
	if (uptime_ns)
		*uptime_ns = d.uptime;
	if (nr_threads)
		*nr_threads = d.nr_threads;
	return 0;
}

static int get_flagword(uint32_t cmd, uint32_t id, uint64_t *value, uint64_t *mask)
{
	struct vcmd_ctx_flags_v0 d = { 0 };
	long r = vs_vx_call(cmd, id, &d);
	if (r < 0)
		return (int)r;
	if (value)
		*value = d.flagword;
	if (mask)
		*mask = d.mask;
	return 0;
}

static int set_flagword(uint32_t cmd, uint32_t id, uint64_t value, uint64_t mask)
{
	struct vcmd_ctx_flags_v0 d = { .flagword = value, .mask = mask };
	return (int)vs_vx_call(cmd, id, &d);
}

int vs_vx_get_cflags(uint32_t xid, uint64_t *flags, uint64_t *mask)
{
	return get_flagword(VCMD_get_cflags, xid, flags, mask);
}

int vs_vx_set_cflags(uint32_t xid, uint64_t flags, uint64_t mask)
{
	return set_flagword(VCMD_set_cflags, xid, flags, mask);
}

/* util-vserver reads ccaps and then bcaps for one library call (§5.3) */
int vs_vx_get_ccaps(uint32_t xid, uint64_t *ccaps, uint64_t *bcaps)
{
	struct vcmd_ctx_caps_v1 c = { 0 };
	struct vcmd_bcaps b = { 0 };
	long r = vs_vx_call(VCMD_get_ccaps, xid, &c);
	if (r < 0)
		return (int)r;
	r = vs_vx_call(VCMD_get_bcaps, xid, &b);
	if (r < 0)
		return (int)r;
	if (ccaps)
		*ccaps = c.ccaps;
	if (bcaps)
		*bcaps = b.bcaps;
	return 0;
}

int vs_vx_set_ccaps(uint32_t xid, uint64_t ccaps, uint64_t cmask)
{
	struct vcmd_ctx_caps_v1 c = { .ccaps = ccaps, .cmask = cmask };
	return (int)vs_vx_call(VCMD_set_ccaps, xid, &c);
}

int vs_vx_set_bcaps(uint32_t xid, uint64_t bcaps, uint64_t bmask)
{
	struct vcmd_bcaps b = { .bcaps = bcaps, .bmask = bmask };
	return (int)vs_vx_call(VCMD_set_bcaps, xid, &b);
}

int vs_vx_get_umask(uint32_t xid, uint64_t *umask)
{
	struct vcmd_umask d = { 0 };
	long r = vs_vx_call(VCMD_get_umask, xid, &d);
	if (r < 0)
		return (int)r;
	*umask = d.umask;
	return 0;
}

int vs_vx_set_umask(uint32_t xid, uint64_t umask, uint64_t mask)
{
	struct vcmd_umask d = { .umask = umask, .mask = mask };
	return (int)vs_vx_call(VCMD_set_umask, xid, &d);
}

int vs_vx_get_vhi_name(uint32_t xid, uint32_t field, char *buf, size_t len)
{
	struct vcmd_vhi_name_v0 d = { .field = field };
	long r = vs_vx_call(VCMD_get_vhi_name, xid, &d);
	if (r < 0)
		return (int)r;
	d.name[VHILEN - 1] = '\0';
	if (strlen(d.name) >= len)
		return -ENOSPC;
	strcpy(buf, d.name);
	return 0;
}

int vs_vx_set_vhi_name(uint32_t xid, uint32_t field, const char *value)
{
	struct vcmd_vhi_name_v0 d = { .field = field };
	if (strlen(value) >= VHILEN)
		return -E2BIG;
	strcpy(d.name, value);
	return (int)vs_vx_call(VCMD_set_vhi_name, xid, &d);
}

int vs_vx_set_space(uint32_t xid, uint64_t mask, uint32_t index)
{
	struct vcmd_space_mask_v2 d = { .mask = mask, .index = index };
	return (int)vs_vx_call(VCMD_set_space, xid, &d);
}

int vs_vx_enter_space(uint32_t xid, uint64_t mask, uint32_t index)
{
	struct vcmd_space_mask_v2 d = { .mask = mask, .index = index };
	return (int)vs_vx_call(VCMD_enter_space, xid, &d);
}

int vs_vx_get_space_mask(uint64_t *mask)
{
	struct vcmd_space_mask_v1 d = { 0 };
	long r = vs_vx_call(VCMD_get_space_mask, 0, &d);
	if (r < 0)
		return (int)r;
	*mask = d.mask;
	return 0;
}

int vs_vx_ctx_kill(uint32_t xid, pid_t pid, int sig)
{
	struct vcmd_ctx_kill_v0 d = { .pid = pid, .sig = sig };
	return (int)vs_vx_call(VCMD_ctx_kill, xid, &d);
}

int vs_vx_wait_exit(uint32_t xid, int *reboot_cmd, int *exit_code)
{
	struct vcmd_wait_exit_v0 d = { 0 };
	long r = vs_vx_call(VCMD_wait_exit, xid, &d);
	if (reboot_cmd)
		*reboot_cmd = d.reboot_cmd;
	if (exit_code)
		*exit_code = d.exit_code;
	return (int)r;
}

int vs_vx_get_rlimit(uint32_t xid, uint32_t id, uint64_t *soft, uint64_t *hard)
{
	struct vcmd_ctx_rlimit_v0 d = { .id = id };
	long r = vs_vx_call(VCMD_get_rlimit, xid, &d);
	if (r < 0)
		return (int)r;
	if (soft)
		*soft = d.softlimit;
	if (hard)
		*hard = d.maximum;
	return 0;
}

int vs_vx_set_rlimit(uint32_t xid, uint32_t id, uint64_t soft, uint64_t hard)
{
	struct vcmd_ctx_rlimit_v0 d = {
		.id = id, .minimum = CRLIM_KEEP, .softlimit = soft, .maximum = hard,
	};
	return (int)vs_vx_call(VCMD_set_rlimit, xid, &d);
}

int vs_vx_rlimit_stat(uint32_t xid, uint32_t id, uint64_t *value, uint32_t *hits)
{
	struct vcmd_rlimit_stat_v0 d = { .id = id };
	long r = vs_vx_call(VCMD_rlimit_stat, xid, &d);
	if (r < 0)
		return (int)r;
	if (value)
		*value = d.value;
	if (hits)
		*hits = d.hits;
	return 0;
}

int vs_vx_net_create(uint32_t nid)
{
	/* util-vserver passes NULL: the kernel's default network flags */
	return (int)vs_vx_call(VCMD_net_create, nid, NULL);
}

int vs_vx_net_migrate(uint32_t nid)
{
	return (int)vs_vx_call(VCMD_net_migrate, nid, NULL);
}

int vs_vx_net_add(uint32_t nid, const struct vs_iface *ifc)
{
	if (ifc->family == AF_INET) {
		struct vcmd_net_addr_ipv4_v1 d = { .type = NXA_TYPE_ADDR };
		uint32_t mask = ifc->prefix ? htonl(~0U << (32 - ifc->prefix)) : 0;
		memcpy(&d.ip, ifc->addr, 4);
		d.mask = mask;
		return (int)vs_vx_call(VCMD_net_add_ipv4_v1, nid, &d);
	} else {
		struct vcmd_net_addr_ipv6_v1 d = { .type = NXA_TYPE_ADDR, .prefix = ifc->prefix };
		memcpy(d.ip, ifc->addr, 16);
		/* the kernel replaces the mask of an ADDR entry by all-ones */
		memset(d.mask, 0xff, 16);
		return (int)vs_vx_call(VCMD_net_add_ipv6, nid, &d);
	}
}

int vs_vx_get_nflags(uint32_t nid, uint64_t *flags, uint64_t *mask)
{
	return get_flagword(VCMD_get_nflags, nid, flags, mask);
}

int vs_vx_set_nflags(uint32_t nid, uint64_t flags, uint64_t mask)
{
	return set_flagword(VCMD_set_nflags, nid, flags, mask);
}

int vs_vx_set_ncaps(uint32_t nid, uint64_t ncaps, uint64_t mask)
{
	struct vcmd_net_caps_v0 d = { .ncaps = ncaps, .cmask = mask };
	return (int)vs_vx_call(VCMD_set_ncaps, nid, &d);
}

int vs_vx_get_ncaps(uint32_t nid, uint64_t *ncaps)
{
	struct vcmd_net_caps_v0 d = { 0 };
	long r = vs_vx_call(VCMD_get_ncaps, nid, &d);
	if (r < 0)
		return (int)r;
	*ncaps = d.ncaps;
	return 0;
}

/* The inode attributes of the directory open as fd (ABI: fget_iattr /
 * fset_iattr, the descriptor as the id): by descriptor, so the caller
 * checks what it opened and no path is looked up twice. */
int vs_vx_fget_iattr(int fd, uint32_t *flags, uint32_t *mask)
{
	struct vcmd_ctx_fiattr_v0 d = { 0 };
	long r;

	if (fd < 0)
		return -EBADF;
	r = vs_vx_call(VCMD_fget_iattr, (uint32_t)fd, &d);
	if (r < 0)
		return (int)r;
	if (flags)
		*flags = d.flags;
	if (mask)
		*mask = d.mask;
	return 0;
}

int vs_vx_fset_iattr(int fd, uint32_t flags, uint32_t mask)
{
	struct vcmd_ctx_fiattr_v0 d = { .flags = flags, .mask = mask };

	if (fd < 0)
		return -EBADF;
	return (int)vs_vx_call(VCMD_fset_iattr, (uint32_t)fd, &d);
}

/* Per-context limits (ABI §5.8). */
int vs_vx_get_rlimit_mask(uint32_t *min, uint32_t *soft, uint32_t *max)
{
	struct vcmd_ctx_rlimit_mask_v0 m = { 0 };
	long r = vs_vx_call(VCMD_get_rlimit_mask, 0, &m);

	if (r < 0)
		return (int)r;
	if (min)
		*min = m.minimum;
	if (soft)
		*soft = m.softlimit;
	if (max)
		*max = m.maximum;
	return 0;
}

int vs_vx_reset_hits(uint32_t xid)
{
	return (int)vs_vx_call(VCMD_reset_hits, xid, NULL);
}

int vs_vx_reset_minmax(uint32_t xid)
{
	return (int)vs_vx_call(VCMD_reset_minmax, xid, NULL);
}
