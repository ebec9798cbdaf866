/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resource limits of a guest: the configuration (rlimits/, limits/, the old
 * token-bucket sched/ files), its values and their validation; how each
 * setting is enforced and applied on each backend is limits-apply.c.
 *
 *   rlimits/RES{,.soft,.hard,.min}  util-vserver's per-context limits (ABI
 *                     §3.13).  On vx the kernel enforces the ids of its
 *                     limit mask for the whole context; the Linux rlimits
 *                     it does not take (as, memlock, stack ...) are set on
 *                     the guest's init and inherited, as on ns.  nproc and
 *                     rss map onto pids.max and memory.max on both.
 *   limits/memory, limits/memory-soft, limits/swap
 *                     memory.max, memory.high, memory.swap.max
 *   limits/cpu        a hard cap, "50%" or "0.5" (of one CPU) → cpu.max
 *   limits/cpu-weight cpu.weight (1..10000), limits/cpu-shares the cgroup v1
 *                     value (2..262144), converted as systemd does
 *   sched/fill-rate + sched/interval
 *                     util-vserver's token bucket: the guest got fill-rate
 *                     tokens (ticks) every interval ticks, i.e. the fraction
 *                     fill-rate/interval of one CPU — that fraction becomes
 *                     the cap.  The bucket's size and the idle-time rate
 *                     have no cgroup v2 equivalent: they are reported.
 *
 * Whatever a backend cannot enforce is reported (start, status), never
 * dropped silently. */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/vserver.h>
#include <sys/resource.h>

#define LIM_VALUE_MAX (UINT64_MAX - 2)	/* INFINITY and KEEP are markers */

enum { LU_COUNT, LU_BYTES, LU_PAGES };

/* Unit of each limit id, as util-vserver and the vs2.3 kernel count it. */
static const unsigned char lim_unit[VS_RLIMIT_NUM] = {
	[RLIMIT_FSIZE] = LU_BYTES, [RLIMIT_DATA] = LU_BYTES, [RLIMIT_STACK] = LU_BYTES,
	[RLIMIT_CORE] = LU_BYTES, [RLIMIT_RSS] = LU_PAGES, [RLIMIT_MEMLOCK] = LU_BYTES,
	[RLIMIT_AS] = LU_PAGES, [RLIMIT_MSGQUEUE] = LU_BYTES, [VLIMIT_ANON] = LU_PAGES,
	[VLIMIT_SHMEM] = LU_PAGES, [VLIMIT_MAPPED] = LU_PAGES,
};

const char *vs_limit_unit(int id)
{
	if (id < 0 || id >= VS_RLIMIT_NUM)
		return NULL;
	switch (lim_unit[id]) {
	case LU_BYTES: return "bytes";
	case LU_PAGES: return "pages";
	}
	return "";
}

uint64_t vs_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);
	return p > 0 ? (uint64_t)p : 4096;
}

bool vs_limit_in_pages(int id)
{
	return id >= 0 && id < VS_RLIMIT_NUM && lim_unit[id] == LU_PAGES;
}

int vs_limit_parse_value(int id, const char *s, uint64_t *out)
{
	uint64_t v;
	bool suffixed;
	int r;

	if (id < 0 || id >= VS_RLIMIT_NUM || !s)
		return -EINVAL;
	if (!strcasecmp(s, "inf") || !strcasecmp(s, "infinity") ||
	    !strcasecmp(s, "unlimited") || !strcmp(s, "-1") || !strcmp(s, "max")) {
		*out = VS_LIMIT_INF;
		return 0;
	}
	r = vs_parse_suffixed(s, LIM_VALUE_MAX, true, &v, &suffixed);
	if (r < 0)
		return r;
	if (suffixed) {
		if (lim_unit[id] == LU_COUNT)
			return -EINVAL;	/* "10K processes" is not a size */
		if (lim_unit[id] == LU_PAGES)
			v = (v + vs_page_size() - 1) / vs_page_size();
	}
	if (v > LIM_VALUE_MAX)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Decimal with up to 8 fraction digits, as value * 1e8, without locale. */
static int parse_decimal8(const char *s, uint64_t *out)
{
	uint64_t ip = 0, frac = 0, scale = 100000000;
	const char *p = s;

	if (!isdigit((unsigned char)*p) && *p != '.')
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		ip = ip * 10 + (uint64_t)(*p - '0');
		if (ip > 100000)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p) && p - 1 == s)
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (*p)
		return -EINVAL;
	*out = ip * 100000000 + frac;
	return 0;
}

#define CPU_PPM_MIN	1000ULL			/* 0.1% of a CPU: cpu.max's floor */
#define CPU_PPM_MAX	(1024ULL * 1000000)

int vs_parse_cpu_share(const char *s, uint64_t *ppm)
{
	char buf[32];
	size_t len;
	uint64_t v;
	bool pct = false;
	int r;

	if (!s || !*s || (len = strlen(s)) >= sizeof(buf))
		return -EINVAL;
	if (!strcasecmp(s, "max") || !strcasecmp(s, "inf") || !strcasecmp(s, "unlimited")) {
		*ppm = UINT64_MAX;
		return 0;
	}
	memcpy(buf, s, len + 1);
	if (buf[len - 1] == '%') {
		pct = true;
		buf[--len] = '\0';
	}
	r = parse_decimal8(buf, &v);
	if (r < 0)
		return r;
	v = pct ? v / 10000 : v / 100;
	if (v < CPU_PPM_MIN || v > CPU_PPM_MAX)
		return -ERANGE;
	*ppm = v;
	return 0;
}

void vs_cpu_max_from_ppm(uint64_t ppm, uint64_t *quota, uint64_t *period)
{
	if (ppm == UINT64_MAX) {
		*quota = UINT64_MAX;
		*period = 100000;
		return;
	}
	/* 100 ms periods, as the kernel's default; a cap below 1% needs the
	 * longest period for the quota to reach cpu.max's 1 ms minimum */
	*period = 100000;
	*quota = ppm / 10;
	if (*quota < 1000) {
		*period = 1000000;
		*quota = ppm;
	}
}

int vs_token_bucket_ppm(uint64_t fill_rate, uint64_t interval, uint64_t *ppm)
{
	uint64_t v;

	if (!fill_rate || !interval || fill_rate > UINT32_MAX || interval > UINT32_MAX)
		return -EINVAL;
	v = fill_rate * 1000000 / interval;
	if (v < CPU_PPM_MIN || v > CPU_PPM_MAX)
		return -ERANGE;
	*ppm = v;
	return 0;
}

int vs_cpu_shares_to_weight(uint64_t shares, uint32_t *weight)
{
	if (shares < 2 || shares > 262144)
		return -ERANGE;
	*weight = (uint32_t)(1 + (shares - 2) * 9999 / 262142);
	return 0;
}

/* ---- configuration --------------------------------------------------------- */

static int note(struct vs_config *c, const char *fmt, ...) VS_PRINTF(2, 3);
static int note(struct vs_config *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return vs_strv_push(&c->lim.notes, buf);
}

static int read_value(struct vs_ctx *ctx, int dfd, const char *dir, const char *file,
		      char **out)
{
	int r = vs_read_at(ctx, dfd, file, 256, out);

	if (r < 0 && r != -ENOENT)
		return vs_err(ctx, r, "%s/%s", dir, ctx->errmsg);
	if (r == 0) {
		char *s = vs_strip(*out);
		memmove(*out, s, strlen(s) + 1);
	}
	return r;
}

static int one_rlimit(struct vs_ctx *ctx, struct vs_config *c, int dfd, const char *file)
{
	char name[64], *dot;
	_cleanup_free_ char *v = NULL;
	uint64_t val;
	int id, r;

	if (strlen(file) >= sizeof(name))
		return vs_err(ctx, -EINVAL, "rlimits/%s: unknown limit", file);
	strcpy(name, file);
	dot = strchr(name, '.');
	if (dot)
		*dot++ = '\0';
	id = vs_rlimit_id(name);
	if (id < 0 || (dot && strcmp(dot, "soft") && strcmp(dot, "hard") && strcmp(dot, "min")))
		return vs_err(ctx, -EINVAL, "rlimits/%s: unknown limit (names: nproc, nofile, "
			      "as, rss, nsock, openfd, ... with optional .soft/.hard/.min)", file);
	r = read_value(ctx, dfd, "rlimits", file, &v);
	if (r < 0)
		return r;
	r = vs_limit_parse_value(id, v, &val);
	if (r < 0)
		return vs_err(ctx, -EINVAL, "rlimits/%s: '%s' is not %s", file, v,
			      lim_unit[id] == LU_COUNT ? "a number or 'inf'" :
			      "a number, a size with K/M/G/T suffix, or 'inf'");
	c->rlim[id].set = true;
	if (!dot) {
		c->rlim[id].plain = val;
		c->rlim[id].plain_set = true;
	} else if (!strcmp(dot, "soft")) {
		c->rlim[id].soft = val;
		c->rlim[id].soft_set = true;
	} else if (!strcmp(dot, "hard")) {
		c->rlim[id].hard = val;
		c->rlim[id].hard_set = true;
	} else {
		/* a guaranteed minimum: vs2.3 ignores it (ABI §5.8); kept
		 * for display and reported when it is not 0 */
		c->rlim[id].min = val;
	}
	return 0;
}

/* RES.soft/RES.hard beat RES; soft above hard is a mistake, not a clamp. */
static int rlimits_finish(struct vs_ctx *ctx, struct vs_config *c)
{
	for (int id = 0; id < VS_RLIMIT_NUM; id++) {
		struct vs_rlim *l = &c->rlim[id];
		uint64_t base;
		if (!l->set)
			continue;
		base = l->plain_set ? l->plain : VS_LIMIT_INF;
		if (!l->soft_set)
			l->soft = base;
		if (!l->hard_set)
			l->hard = base;
		if (l->soft != VS_LIMIT_INF && (l->hard == VS_LIMIT_INF ? false : l->soft > l->hard))
			return vs_err(ctx, -EINVAL, "rlimits/%s: the soft limit (%llu) is above the "
				      "hard limit (%llu)", vs_rlimit_name(id),
				      (unsigned long long)l->soft, (unsigned long long)l->hard);
		if (l->min && l->min != VS_LIMIT_INF) {
			int r = note(c, "rlimits/%s.min (guaranteed minimums are not implemented by "
				     "the kernel interface; ignored)", vs_rlimit_name(id));
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int one_limit(struct vs_ctx *ctx, struct vs_config *c, int dfd, const char *file)
{
	_cleanup_free_ char *v = NULL;
	struct vs_climits *L = &c->lim;
	uint64_t x;
	int r = read_value(ctx, dfd, "limits", file, &v);

	if (r < 0)
		return r;
	if (!strcmp(file, "memory") || !strcmp(file, "memory-soft") || !strcmp(file, "swap")) {
		if (!strcmp(v, "-1") || !strcasecmp(v, "inf") || !strcasecmp(v, "unlimited"))
			x = UINT64_MAX;
		else if (vs_parse_size(v, &x) < 0)
			return vs_err(ctx, -EINVAL, "limits/%s: '%s' is not a size (bytes, K/M/G/T "
				      "suffix, or max)", file, v);
		if (!strcmp(file, "memory"))
			L->mem_max = x, L->mem_max_set = true;
		else if (!strcmp(file, "memory-soft"))
			L->mem_high = x, L->mem_high_set = true;
		else
			L->swap_max = x, L->swap_set = true;
		c->cg_required |= VS_CG_MEMORY;
		return 0;
	}
	if (!strcmp(file, "cpu")) {
		r = vs_parse_cpu_share(v, &L->cpu_ppm);
		if (r < 0)
			return vs_err(ctx, -EINVAL, "limits/cpu: '%s' is not a CPU share (\"50%%\", "
				      "\"0.5\" or \"2\" CPUs, at least 0.1%%, or max)", v);
		L->cpu_set = true;
		snprintf(L->cpu_from, sizeof(L->cpu_from), "limits/cpu");
		c->cg_required |= VS_CG_CPU;
		return 0;
	}
	if (!strcmp(file, "cpu-weight") || !strcmp(file, "cpu-shares")) {
		bool shares = !strcmp(file, "cpu-shares");
		if (L->weight_set)
			return vs_err(ctx, -EINVAL, "limits/cpu-weight and limits/cpu-shares are "
				      "both set; keep one");
		if (vs_parse_u64(v, shares ? 2 : 1, shares ? 262144 : 10000, &x) < 0)
			return vs_err(ctx, -EINVAL, "limits/%s: '%s' is not in %s", file, v,
				      shares ? "2..262144" : "1..10000");
		if (shares)
			vs_cpu_shares_to_weight(x, &L->cpu_weight);
		else
			L->cpu_weight = (uint32_t)x;
		L->weight_set = true;
		c->cg_required |= VS_CG_CPU;
		return 0;
	}
	return vs_err(ctx, -EINVAL, "limits/%s: unknown setting (memory, memory-soft, swap, "
		      "cpu, cpu-weight, cpu-shares)", file);
}

static int load_sched(struct vs_ctx *ctx, struct vs_config *c, int gfd)
{
	static const char *const unmapped[] = {
		"tokens", "tokens-min", "tokens-max", "fill-rate2", "interval2", "idle-time",
		"priority-bias", "cpu-id", "bucket-id",
	};
	_cleanup_free_ char *fr = NULL, *iv = NULL;
	struct stat st;
	uint64_t f, i;
	int dfd, r;
	DIR *d;
	struct dirent *de;

	if (fstatat(gfd, "sched", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	dfd = vs_open_dir_at(ctx, gfd, "sched", false, "sched");
	if (dfd < 0)
		return dfd;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	r = 0;
	while ((de = readdir(d))) {
		bool known = !strcmp(de->d_name, "fill-rate") || !strcmp(de->d_name, "interval");
		if (de->d_name[0] == '.')
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(unmapped) && !known; k++)
			if (!strcmp(de->d_name, unmapped[k])) {
				known = true;
				r = note(c, "sched/%s (the token bucket's %s has no cgroup v2 "
					 "equivalent; only fill-rate/interval is applied, as the "
					 "cpu.max cap)", de->d_name, de->d_name);
			}
		if (!known && isdigit((unsigned char)de->d_name[0]))
			r = note(c, "sched/%s/ (per-CPU token buckets are not supported; the "
				 "guest-wide fill-rate/interval is applied)", de->d_name);
		else if (!known) {
			r = vs_err(ctx, -EINVAL, "sched/%s: unknown setting (fill-rate, interval, "
				   "tokens-max ...)", de->d_name);
		}
		if (r < 0)
			break;
	}
	if (r >= 0) {
		if ((r = read_value(ctx, dirfd(d), "sched", "fill-rate", &fr)) == -ENOENT)
			r = 0;
		if (r >= 0 && (r = read_value(ctx, dirfd(d), "sched", "interval", &iv)) == -ENOENT)
			r = 0;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (!fr && !iv)
		return 0;
	if (!fr || !iv)
		return vs_err(ctx, -EINVAL, "sched/%s is set without sched/%s; the CPU cap is "
			      "their ratio", fr ? "fill-rate" : "interval", fr ? "interval" : "fill-rate");
	if (vs_parse_u64(fr, 1, UINT32_MAX, &f) < 0 || vs_parse_u64(iv, 1, UINT32_MAX, &i) < 0)
		return vs_err(ctx, -EINVAL, "sched/fill-rate and sched/interval must be positive "
			      "numbers ('%s', '%s')", fr, iv);
	if (c->lim.cpu_set)
		return vs_err(ctx, -EINVAL, "limits/cpu and sched/fill-rate+interval are both set; "
			      "keep one");
	r = vs_token_bucket_ppm(f, i, &c->lim.cpu_ppm);
	if (r < 0)
		return vs_err(ctx, -EINVAL, "sched/fill-rate/interval = %llu/%llu is %s",
			      (unsigned long long)f, (unsigned long long)i,
			      f * 1000 < i ? "below 0.1% of a CPU, the smallest cap cpu.max allows" :
			      "more than 1024 CPUs");
	c->lim.cpu_set = true;
	snprintf(c->lim.cpu_from, sizeof(c->lim.cpu_from), "sched/fill-rate");
	c->cg_required |= VS_CG_CPU;
	return 0;
}

static int each_file(struct vs_ctx *ctx, struct vs_config *c, int gfd, const char *dir,
		     int (*fn)(struct vs_ctx *, struct vs_config *, int, const char *))
{
	struct stat st;
	struct dirent *de;
	int dfd, r = 0;
	DIR *d;

	if (fstatat(gfd, dir, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	dfd = vs_open_dir_at(ctx, gfd, dir, false, dir);
	if (dfd < 0)
		return dfd;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;	/* also our own temporary files */
		if ((r = fn(ctx, c, dirfd(d), de->d_name)) < 0)
			break;
	}
	closedir(d);
	return r;
}

bool vs_limits_cg_has(const struct vs_config *c, const char *key)
{
	for (size_t i = 0; i < c->n_cg; i++)
		if (!strcmp(c->cg[i].key, key))
			return true;
	return false;
}

int vs_limits_load(struct vs_ctx *ctx, struct vs_config *c, int gfd)
{
	int r;

	if ((r = each_file(ctx, c, gfd, "rlimits", one_rlimit)) < 0 ||
	    (r = rlimits_finish(ctx, c)) < 0 ||
	    (r = each_file(ctx, c, gfd, "limits", one_limit)) < 0 ||
	    (r = load_sched(ctx, c, gfd)) < 0)
		return r;
	if (c->rlim[RLIMIT_NPROC].set)
		c->cg_required |= VS_CG_PIDS;
	if (c->rlim[RLIMIT_RSS].set && c->rlim[RLIMIT_RSS].hard != VS_LIMIT_INF)
		c->cg_required |= VS_CG_MEMORY;
	return 0;
}

/* After cgroup/ was read too: one setting, one place. */
int vs_limits_check_conflicts(struct vs_ctx *ctx, const struct vs_config *c)
{
	const struct vs_climits *L = &c->lim;
	bool rss = c->rlim[RLIMIT_RSS].set && c->rlim[RLIMIT_RSS].hard != VS_LIMIT_INF;

	if ((L->mem_max_set + rss + vs_limits_cg_has(c, "memory.max")) > 1)
		return vs_err(ctx, -EINVAL, "the memory limit is set more than once (limits/memory, "
			      "rlimits/rss, cgroup/memory.max); keep one");
	if (L->mem_high_set && vs_limits_cg_has(c, "memory.high"))
		return vs_err(ctx, -EINVAL, "limits/memory-soft and cgroup/memory.high are both "
			      "set; keep one");
	if (L->swap_set && vs_limits_cg_has(c, "memory.swap.max"))
		return vs_err(ctx, -EINVAL, "limits/swap and cgroup/memory.swap.max are both set; "
			      "keep one");
	if (L->cpu_set && vs_limits_cg_has(c, "cpu.max"))
		return vs_err(ctx, -EINVAL, "%s and cgroup/cpu.max are both set; keep one",
			      L->cpu_from);
	if (L->weight_set && vs_limits_cg_has(c, "cpu.weight"))
		return vs_err(ctx, -EINVAL, "limits/cpu-weight and cgroup/cpu.weight are both "
			      "set; keep one");
	if (c->rlim[RLIMIT_NPROC].set && vs_limits_cg_has(c, "pids.max"))
		return vs_err(ctx, -EINVAL, "rlimits/nproc and cgroup/pids.max are both set; "
			      "keep one");
	return 0;
}

/* ---- cgroup settings ----------------------------------------------------------- */
