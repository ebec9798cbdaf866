/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resource limits, how each is enforced: the cgroup files a configuration
 * maps onto, the kernel's limit mask, which mechanism enforces which limit
 * on which backend (and what none does, which is reported), and applying
 * them — the Linux rlimits of the guest's processes, the vx context's
 * limits.  The configuration itself is read in limits.c. */
#include "internal.h"

#include <linux/vserver.h>
#include <sys/resource.h>

static int cg_add(struct vs_cgset *out, size_t max, size_t *n, const char *key,
		  const char *fmt, ...) VS_PRINTF(5, 6);
static int cg_add(struct vs_cgset *out, size_t max, size_t *n, const char *key,
		  const char *fmt, ...)
{
	va_list ap;

	if (*n >= max)
		return -E2BIG;
	snprintf(out[*n].key, sizeof(out[*n].key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(out[*n].value, sizeof(out[*n].value), fmt, ap);
	va_end(ap);
	(*n)++;
	return 0;
}

static void fmt_max(char *buf, size_t len, uint64_t v)
{
	if (v == UINT64_MAX)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

int vs_limits_cgroup(const struct vs_config *c, int backend, uint32_t kmask,
		     struct vs_cgset *out, size_t max, size_t *n)
{
	const struct vs_climits *L = &c->lim;
	char b[32];
	int r = 0;

	*n = 0;
	/* nproc: the context counts (and its hit counter sees) it where the
	 * kernel limits it; the cgroup's pids.max otherwise */
	if (c->rlim[RLIMIT_NPROC].set && vs_limit_via(RLIMIT_NPROC, backend, kmask) == VS_VIA_CGROUP) {
		fmt_max(b, sizeof(b), c->rlim[RLIMIT_NPROC].hard);
		r = cg_add(out, max, n, "pids.max", "%s", b);
	}
	if (r == 0 && c->rlim[RLIMIT_RSS].set && c->rlim[RLIMIT_RSS].hard != VS_LIMIT_INF) {
		uint64_t pages = c->rlim[RLIMIT_RSS].hard;
		if (pages > UINT64_MAX / vs_page_size() - 1)
			return -ERANGE;
		r = cg_add(out, max, n, "memory.max", "%llu",
			   (unsigned long long)(pages * vs_page_size()));
	}
	if (r == 0 && L->mem_max_set) {
		fmt_max(b, sizeof(b), L->mem_max);
		r = cg_add(out, max, n, "memory.max", "%s", b);
	}
	if (r == 0 && L->mem_high_set) {
		fmt_max(b, sizeof(b), L->mem_high);
		r = cg_add(out, max, n, "memory.high", "%s", b);
	}
	if (r == 0 && L->swap_set) {
		fmt_max(b, sizeof(b), L->swap_max);
		r = cg_add(out, max, n, "memory.swap.max", "%s", b);
	}
	if (r == 0 && L->cpu_set) {
		uint64_t q, p;
		vs_cpu_max_from_ppm(L->cpu_ppm, &q, &p);
		fmt_max(b, sizeof(b), q);
		r = cg_add(out, max, n, "cpu.max", "%s %llu", b, (unsigned long long)p);
	}
	if (r == 0 && L->weight_set)
		r = cg_add(out, max, n, "cpu.weight", "%u", L->cpu_weight);
	return r;
}

/* ---- what each backend enforces ---------------------------------------------------- */

/* Linux per-process rlimits, applied to the init (inherited) where the
 * context itself does not limit the id. */
static bool per_process(int id)
{
	return id < 16 && id != RLIMIT_RSS && id != RLIMIT_NPROC;
}

/* The kernel's limit mask, asked once per process: the answer does not
 * change, and the guest's init, inside its new context, inherits the one
 * its parent got on the host (a context's processes may lose the right to
 * ask).  Returns the kernel's error (ENOSYS: no limit commands). */
int vs_limits_kmask(uint32_t *kmask)
{
	static int cached_r = 1;
	static uint32_t cached;

	if (cached_r > 0)
		cached_r = vs_vx_get_rlimit_mask(NULL, NULL, &cached);
	*kmask = cached_r == 0 ? cached : 0;
	return cached_r;
}

/* Flags a limited guest gets unless its flags file clears them: with a
 * memory limit, /proc/meminfo and sysinfo inside show that limit. */
uint64_t vs_limits_default_cflags(const struct vs_config *c)
{
	if (c->lim.mem_max_set || (c->rlim[RLIMIT_RSS].set && c->rlim[RLIMIT_RSS].hard != VS_LIMIT_INF) ||
	    vs_limits_cg_has(c, "memory.max"))
		return VXF_VIRT_MEM;
	return 0;
}

/* How a configured limit id is enforced.  kmask: the kernel's maximum
 * mask (vx), 0 on ns or without the commands. */
enum vs_lim_via vs_limit_via(int id, int backend, uint32_t kmask)
{
	if (backend == VS_BACKEND_VX && (kmask & (1U << id)))
		return VS_VIA_CONTEXT;
	if (id == RLIMIT_NPROC || id == RLIMIT_RSS)
		return VS_VIA_CGROUP;
	if (per_process(id))
		return VS_VIA_PROCESS;
	return VS_VIA_NONE;
}

const char *vs_limit_via_name(enum vs_lim_via v)
{
	switch (v) {
	case VS_VIA_CONTEXT: return "context";
	case VS_VIA_CGROUP: return "cgroup";
	case VS_VIA_PROCESS: return "per-process";
	case VS_VIA_NONE: break;
	}
	return "not enforced";
}

int vs_limits_unenforced(const struct vs_config *c, int backend, uint32_t kmask,
			 char ***out)
{
	char **v = NULL;
	int r = 0;

	for (int id = 0; id < VS_RLIMIT_NUM && r == 0; id++) {
		char buf[256];
		if (!c->rlim[id].set || vs_limit_via(id, backend, kmask) != VS_VIA_NONE)
			continue;
		if (c->rlim[id].hard == VS_LIMIT_INF && c->rlim[id].soft == VS_LIMIT_INF)
			continue;	/* "inf" asks for nothing */
		snprintf(buf, sizeof(buf), "rlimits/%s (%s)", vs_rlimit_name(id),
			 backend == VS_BACKEND_NS ? "the ns backend has no per-guest limit for it; "
			 "it needs the vx kernel" : "this kernel's limit mask does not include it");
		r = vs_strv_push(&v, buf);
	}
	for (char **n = c->lim.notes; n && *n && r == 0; n++)
		r = vs_strv_push(&v, *n);
	if (r < 0) {
		vs_strv_free(v);
		return r;
	}
	*out = v;
	return 0;
}

/* Before anything starts: refuse what cannot work, report what will not
 * be enforced. */
int vs_limits_check(struct vs_ctx *ctx, const struct vs_config *c, int backend)
{
	uint32_t kmask = 0;
	char **un = NULL;
	int r;

	if ((r = vs_limits_check_conflicts(ctx, c)) < 0)
		return r;
	r = vs_backend_limit_mask(backend, &kmask);
	if (r == -ENOSYS || r == -EINVAL) {
		/* nproc and rss have exact cgroup equivalents; the others
		 * would be weaker per-process limits: refuse */
		for (int id = 0; id < VS_RLIMIT_NUM; id++)
			if (c->rlim[id].set && id != RLIMIT_NPROC && id != RLIMIT_RSS)
				return vs_err(ctx, -ENOSYS, "%s: rlimits/%s is configured, but "
					      "this kernel has no per-context limits "
					      "(get_rlimit_mask: %s); remove the limit or boot "
					      "a kernel with them", c->name, vs_rlimit_name(id),
					      strerror(-r));
		kmask = 0;
	} else if (r < 0) {
		return vs_err(ctx, r, "get_rlimit_mask: %s", strerror(-r));
	}
	if ((r = vs_limits_unenforced(c, backend, kmask, &un)) < 0)
		return r;
	for (char **n = un; n && *n; n++)
		vs_warn(ctx, "%s: not enforced: %s", c->name, *n);
	vs_strv_free(un);
	return 0;
}

static int rlim_set_one(int id, const struct vs_rlim *l, pid_t pid)
{
	struct rlimit rl;
	uint64_t s = l->soft, h = l->hard;

	if (vs_limit_in_pages(id)) {
		/* util-vserver counts as in pages; the Linux rlimit is bytes */
		if (s != VS_LIMIT_INF)
			s = s > UINT64_MAX / vs_page_size() ? VS_LIMIT_INF : s * vs_page_size();
		if (h != VS_LIMIT_INF)
			h = h > UINT64_MAX / vs_page_size() ? VS_LIMIT_INF : h * vs_page_size();
	}
	rl.rlim_cur = s == VS_LIMIT_INF ? RLIM_INFINITY : s;
	rl.rlim_max = h == VS_LIMIT_INF ? RLIM_INFINITY : h;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	return prlimit(pid, id, &rl, NULL) < 0 ? -errno : 0;
}

/* In the guest's init before exec (and in every process entering the
 * guest): the Linux rlimits the backend does not enforce per guest. */
int vs_limits_set_process(const struct vs_config *c, int backend, char *err, size_t errlen)
{
	uint32_t kmask = 0;

	vs_backend_limit_mask(backend, &kmask);
	for (int id = 0; id < 16; id++) {
		int r;
		if (!c->rlim[id].set || vs_limit_via(id, backend, kmask) != VS_VIA_PROCESS)
			continue;
		r = rlim_set_one(id, &c->rlim[id], 0);
		if (r < 0) {
			snprintf(err, errlen, "rlimits/%s: %s", vs_rlimit_name(id), strerror(-r));
			return r;
		}
	}
	return 0;
}

int vs_limits_set_pid(int id, const struct vs_rlim *l, pid_t pid)
{
	return rlim_set_one(id, l, pid);
}

static uint64_t to_kernel(uint64_t v)
{
	return v == VS_LIMIT_INF ? CRLIM_INFINITY : v;
}

/* vx, inside the new context while it is in STATE_SETUP. */
int vs_limits_apply_vx(const struct vs_config *c, char *err, size_t errlen)
{
	uint32_t kmask = 0;
	int r;

	vs_limits_kmask(&kmask);	/* checked before the start: 0 = cgroup limits only */
	for (int id = 0; id < VS_RLIMIT_NUM; id++) {
		if (!c->rlim[id].set || !(kmask & (1U << id)))
			continue;
		r = vs_vx_set_rlimit(VX_ID_SELF, (uint32_t)id, to_kernel(c->rlim[id].soft),
				     to_kernel(c->rlim[id].hard));
		if (r < 0) {
			snprintf(err, errlen, "rlimits/%s: the kernel refuses it: %s",
				 vs_rlimit_name(id), strerror(-r));
			return r;
		}
	}
	return 0;
}
