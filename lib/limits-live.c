/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Limits of a running guest: what is in force, the use and the hits (from
 * the context on vx — get_rlimit/rlimit_stat — and from the guest's cgroup
 * on both backends), and changing them live, optionally saving the new
 * value in the configuration. */
#include "internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/vserver.h>
#include <sys/resource.h>

#define ACCOUNTING_IDS 0x00B00000U	/* semary, nsems, mapped in vs2.3 (ABI §3.13) */

static int vx_stat(uint32_t xid, uint32_t id, struct vs_limit *row)
{
	struct vcmd_rlimit_stat_v0 d = { .id = id };
	long r = vs_vx_call(VCMD_rlimit_stat, xid, &d);

	if (r < 0)
		return (int)r;
	row->cur = d.value;
	row->lo = d.minimum;
	row->hi = d.maximum;
	row->hits = d.hits;
	return 0;
}

int vs_vx_rlimit_stat_full(uint32_t xid, uint32_t id, uint64_t *value, uint64_t *min,
			   uint64_t *max, uint32_t *hits)
{
	struct vs_limit r = { 0 };
	int e = vx_stat(xid, id, &r);

	if (e < 0)
		return e;
	if (value)
		*value = r.cur;
	if (min)
		*min = r.lo;
	if (max)
		*max = r.hi;
	if (hits)
		*hits = (uint32_t)r.hits;
	return 0;
}

/* One number from a cgroup file: "max" → UINT64_MAX; key != NULL picks
 * "key N" from a flat-keyed file. */
static int cg_read(const char *cg, const char *file, const char *key, uint64_t *out)
{
	char path[4200];
	_cleanup_free_ char *s = NULL;
	char *p;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (vs_read_file(path, 8192, &s) < 0)
		return -ENOENT;
	p = s;
	if (key) {
		size_t kl = strlen(key);
		for (p = s; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			if (!strncmp(p, key, kl) && p[kl] == ' ')
				break;
		if (!p)
			return -ENOENT;
		p += kl + 1;
	}
	if (!strncmp(p, "max", 3)) {
		*out = UINT64_MAX;
		return 0;
	}
	return sscanf(p, "%" SCNu64, out) == 1 ? 0 : -EINVAL;
}

static struct vs_limit *row_new(struct vs_limit **rows, size_t *n, const char *name, int id)
{
	struct vs_limit *v = realloc(*rows, (*n + 1) * sizeof(**rows)), *r;

	if (!v)
		return NULL;
	*rows = v;
	r = &v[(*n)++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->id = id;
	r->unit = id >= 0 ? vs_limit_unit(id) : "";
	r->soft = r->hard = VS_LIMIT_INF;
	r->cur = r->lo = r->hi = r->hits = VS_VALUE_UNKNOWN;
	r->via = "not enforced";
	return r;
}

static void row_from_config(const struct vs_config *c, int id, struct vs_limit *r)
{
	r->soft = c->rlim[id].soft;
	r->hard = c->rlim[id].hard;
	r->min = c->rlim[id].min;
}

static int rlimit_rows(struct vs_guest *g, const struct vs_runstate *rs, bool running,
		       uint32_t kmask, struct vs_limit **rows, size_t *n)
{
	const struct vs_config *c = g->cfg;
	int backend = running ? rs->backend : g->backend;

	for (int id = 0; id < VS_RLIMIT_NUM; id++) {
		bool ctxrow = backend == VS_BACKEND_VX && ((kmask | ACCOUNTING_IDS) & (1U << id)) &&
			      kmask;
		enum vs_lim_via via = vs_limit_via(id, backend, kmask);
		struct vs_limit *r;

		if (!c->rlim[id].set && !(running && ctxrow))
			continue;
		if (id == RLIMIT_RSS && via == VS_VIA_CGROUP)
			continue;	/* the "memory" row shows it */
		r = row_new(rows, n, vs_rlimit_name(id), id);
		if (!r)
			return -ENOMEM;
		r->via = vs_limit_via_name(via);
		if (c->rlim[id].set)
			row_from_config(c, id, r);
		if (!running)
			continue;
		if (via == VS_VIA_CONTEXT || (ctxrow && !(kmask & (1U << id)))) {
			uint64_t s, h;
			if (!(kmask & (1U << id)))
				r->via = "accounting";
			if (kmask & (1U << id) && vs_vx_get_rlimit(rs->xid, (uint32_t)id, &s, &h) == 0) {
				r->soft = s == CRLIM_INFINITY ? VS_LIMIT_INF : s;
				r->hard = h == CRLIM_INFINITY ? VS_LIMIT_INF : h;
			}
			vx_stat(rs->xid, (uint32_t)id, r);
		} else if (via == VS_VIA_CGROUP && id == RLIMIT_NPROC) {
			cg_read(rs->cgroup, "pids.max", NULL, &r->hard);
			r->soft = r->hard;
			cg_read(rs->cgroup, "pids.current", NULL, &r->cur);
			cg_read(rs->cgroup, "pids.peak", NULL, &r->hi);
			cg_read(rs->cgroup, "pids.events", "max", &r->hits);
		} else if (via == VS_VIA_PROCESS) {
			struct rlimit rl;
			if (prlimit(rs->init_pid, id, NULL, &rl) == 0) {
				uint64_t div = vs_limit_unit(id)[0] == 'p' ?
					(uint64_t)sysconf(_SC_PAGESIZE) : 1;
				r->soft = rl.rlim_cur == RLIM_INFINITY ? VS_LIMIT_INF : rl.rlim_cur / div;
				r->hard = rl.rlim_max == RLIM_INFINITY ? VS_LIMIT_INF : rl.rlim_max / div;
			}
		}
	}
	return 0;
}

static int cgroup_rows(struct vs_guest *g, const struct vs_runstate *rs, bool running,
		       struct vs_limit **rows, size_t *n)
{
	const struct vs_climits *L = &g->cfg->lim;
	struct vs_limit *r;
	uint64_t v;

	/* memory */
	if (running ? (cg_read(rs->cgroup, "memory.max", NULL, &v) == 0) :
	    (L->mem_max_set || L->mem_high_set ||
	     (g->cfg->rlim[RLIMIT_RSS].set && g->cfg->rlim[RLIMIT_RSS].hard != VS_LIMIT_INF))) {
		if (!(r = row_new(rows, n, "memory", -1)))
			return -ENOMEM;
		r->unit = "bytes";
		r->via = "cgroup";
		if (running) {
			r->hard = v;
			cg_read(rs->cgroup, "memory.high", NULL, &r->soft);
			cg_read(rs->cgroup, "memory.current", NULL, &r->cur);
			cg_read(rs->cgroup, "memory.peak", NULL, &r->hi);
			cg_read(rs->cgroup, "memory.events", "max", &r->hits);
		} else {
			if (L->mem_max_set)
				r->hard = L->mem_max;
			else if (g->cfg->rlim[RLIMIT_RSS].set)
				r->hard = g->cfg->rlim[RLIMIT_RSS].hard * (uint64_t)sysconf(_SC_PAGESIZE);
			if (L->mem_high_set)
				r->soft = L->mem_high;
		}
	}
	if (running ? (cg_read(rs->cgroup, "memory.swap.max", NULL, &v) == 0) : L->swap_set) {
		if (!(r = row_new(rows, n, "swap", -1)))
			return -ENOMEM;
		r->unit = "bytes";
		r->via = "cgroup";
		r->hard = r->soft = running ? v : L->swap_max;
		if (running) {
			cg_read(rs->cgroup, "memory.swap.current", NULL, &r->cur);
			cg_read(rs->cgroup, "memory.swap.events", "max", &r->hits);
		}
	}
	/* cpu: the cap in millionths of a CPU; use = CPU time in µs; hits =
	 * periods in which the guest was throttled */
	{
		char path[4200];
		_cleanup_free_ char *s = NULL;
		bool have = false;
		uint64_t ppm = UINT64_MAX;

		if (running) {
			snprintf(path, sizeof(path), "%s/cpu.max", rs->cgroup);
			if (vs_read_file(path, 128, &s) == 0) {
				uint64_t q, p;
				have = true;
				if (sscanf(s, "%" SCNu64 " %" SCNu64, &q, &p) == 2 && p)
					ppm = q * 1000000 / p;
			}
		} else if (L->cpu_set) {
			have = true;
			ppm = L->cpu_ppm;
		}
		if (have) {
			if (!(r = row_new(rows, n, "cpu", -1)))
				return -ENOMEM;
			r->unit = "ppm";
			r->via = "cgroup";
			r->hard = r->soft = ppm;
			if (running) {
				cg_read(rs->cgroup, "cpu.stat", "usage_usec", &r->cur);
				cg_read(rs->cgroup, "cpu.stat", "nr_throttled", &r->hits);
			}
		}
	}
	if (running ? (cg_read(rs->cgroup, "cpu.weight", NULL, &v) == 0) : L->weight_set) {
		if (!(r = row_new(rows, n, "cpu-weight", -1)))
			return -ENOMEM;
		r->unit = "weight";
		r->via = "cgroup";
		r->hard = r->soft = running ? v : L->cpu_weight;
	}
	return 0;
}

int vs_guest_limits(struct vs_guest *g, struct vs_limit **rows, size_t *n)
{
	struct vs_runstate rs;
	_cleanup_close_ int rundfd = -1;
	struct vs_limit *v = NULL;
	size_t cnt = 0;
	uint32_t kmask;
	bool running;
	int state, r;

	*rows = NULL;
	*n = 0;
	rundfd = vs_rundir_open(g->ctx);
	if (rundfd < 0)
		return rundfd;
	state = vs_guest_lookup_state(g, rundfd, &rs);
	if (state < 0)
		return state;
	running = state == VS_ST_RUNNING;
	vs_backend_limit_mask(running ? rs.backend : g->backend, &kmask);
	r = rlimit_rows(g, &rs, running, kmask, &v, &cnt);
	if (r == 0)
		r = cgroup_rows(g, &rs, running, &v, &cnt);
	vs_runstate_clear(&rs);
	if (r < 0) {
		free(v);
		return r;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

/* The sum of the hit counters of a running guest's limits (every row of
 * vs_guest_limits but the CPU cap, whose "hits" are throttled periods),
 * from a run state the caller has read already. */
int vs_limits_hits(struct vs_guest *g, const struct vs_runstate *rs, uint64_t *hits)
{
	struct vs_limit *v = NULL;
	size_t cnt = 0;
	uint32_t kmask;
	int r;

	*hits = 0;
	vs_backend_limit_mask(rs->backend, &kmask);
	r = rlimit_rows(g, rs, true, kmask, &v, &cnt);
	if (r == 0)
		r = cgroup_rows(g, rs, true, &v, &cnt);
	for (size_t i = 0; r == 0 && i < cnt; i++)
		if (v[i].hits != VS_VALUE_UNKNOWN && strcmp(v[i].unit, "ppm"))
			*hits += v[i].hits;
	free(v);
	return r;
}

int vs_guest_limit_warnings(struct vs_guest *g, char ***msgs)
{
	uint32_t kmask;

	vs_backend_limit_mask(g->backend, &kmask);
	*msgs = NULL;
	return vs_limits_unenforced(g->cfg, g->backend, kmask, msgs);
}

/* ---- changing a limit -------------------------------------------------------------- */

enum spec_kind { SK_RLIM, SK_MEMORY, SK_MEMSOFT, SK_SWAP, SK_CPU, SK_WEIGHT };

struct spec {
	enum spec_kind kind;
	int id;			/* SK_RLIM */
	int part;		/* 0 both, 1 soft, 2 hard */
	uint64_t value;
	char file[48];		/* configuration file */
};

static int parse_spec(struct vs_ctx *ctx, const char *what, const char *value, struct spec *s)
{
	static const struct { const char *name; enum spec_kind kind; } other[] = {
		{ "memory", SK_MEMORY }, { "memory-soft", SK_MEMSOFT }, { "swap", SK_SWAP },
		{ "cpu", SK_CPU }, { "cpu-weight", SK_WEIGHT },
	};
	char name[32], *dot;
	int r;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < ARRAY_SIZE(other); i++) {
		if (strcmp(what, other[i].name))
			continue;
		s->kind = other[i].kind;
		snprintf(s->file, sizeof(s->file), "limits/%s", what);
		if (s->kind == SK_CPU) {
			r = vs_parse_cpu_share(value, &s->value);
		} else if (s->kind == SK_WEIGHT) {
			r = vs_parse_u64(value, 1, 10000, &s->value);
		} else if (!strcmp(value, "-1") || !strcasecmp(value, "inf") ||
			   !strcasecmp(value, "unlimited")) {
			s->value = UINT64_MAX;
			r = 0;
		} else {
			r = vs_parse_size(value, &s->value);
		}
		if (r < 0)
			return vs_err(ctx, -EINVAL, "%s: '%s' is not %s", what, value,
				      s->kind == SK_CPU ? "a CPU share (50%, 0.5, 2 or max)" :
				      s->kind == SK_WEIGHT ? "a weight in 1..10000" :
				      "a size (bytes, K/M/G/T suffix, or max)");
		return 0;
	}
	if (strlen(what) >= sizeof(name))
		return vs_err(ctx, -EINVAL, "unknown limit '%s'", what);
	strcpy(name, what);
	dot = strchr(name, '.');
	if (dot) {
		*dot++ = '\0';
		if (!strcmp(dot, "soft"))
			s->part = 1;
		else if (!strcmp(dot, "hard"))
			s->part = 2;
		else
			return vs_err(ctx, -EINVAL, "unknown limit '%s' (RES, RES.soft or RES.hard)",
				      what);
	}
	s->kind = SK_RLIM;
	s->id = vs_rlimit_id(name);
	if (s->id < 0)
		return vs_err(ctx, -EINVAL, "unknown limit '%s' (nproc, nofile, nsock, openfd, "
			      "locks, shmem, msgqueue, dentry, as, rss, memlock, ..., memory, "
			      "memory-soft, swap, cpu, cpu-weight)", what);
	if (vs_limit_parse_value(s->id, value, &s->value) < 0)
		return vs_err(ctx, -EINVAL, "%s: '%s' is not %s", what, value,
			      vs_limit_unit(s->id)[0] ? "a number, a size with K/M/G/T suffix or inf" :
			      "a number or inf");
	snprintf(s->file, sizeof(s->file), "rlimits/%s%s%s", vs_rlimit_name(s->id),
		 s->part ? "." : "", s->part == 1 ? "soft" : s->part == 2 ? "hard" : "");
	return 0;
}

static int cg_set(struct vs_ctx *ctx, const char *cg, const char *key, const char *val)
{
	char path[4200];
	int r;

	snprintf(path, sizeof(path), "%s/%s", cg, key);
	r = vs_write_file(path, val);
	if (r < 0)
		return vs_err(ctx, r, "cannot set %s to %s: %s", path, val, strerror(-r));
	return 0;
}

static void fmt_u(char *b, size_t len, uint64_t v)
{
	if (v == UINT64_MAX)
		snprintf(b, len, "max");
	else
		snprintf(b, len, "%" PRIu64, v);
}

static int apply_live(struct vs_guest *g, int rundfd, struct vs_runstate *rs,
		      const struct spec *s)
{
	struct vs_ctx *ctx = g->ctx;
	char b[64];
	uint32_t kmask;
	int r;

	switch (s->kind) {
	case SK_MEMORY:
		fmt_u(b, sizeof(b), s->value);
		return cg_set(ctx, rs->cgroup, "memory.max", b);
	case SK_MEMSOFT:
		fmt_u(b, sizeof(b), s->value);
		return cg_set(ctx, rs->cgroup, "memory.high", b);
	case SK_SWAP:
		fmt_u(b, sizeof(b), s->value);
		return cg_set(ctx, rs->cgroup, "memory.swap.max", b);
	case SK_WEIGHT:
		fmt_u(b, sizeof(b), s->value);
		return cg_set(ctx, rs->cgroup, "cpu.weight", b);
	case SK_CPU: {
		uint64_t q, p;
		char qs[32];
		vs_cpu_max_from_ppm(s->value, &q, &p);
		fmt_u(qs, sizeof(qs), q);
		snprintf(b, sizeof(b), "%s %" PRIu64, qs, p);
		return cg_set(ctx, rs->cgroup, "cpu.max", b);
	}
	case SK_RLIM:
		break;
	}
	vs_backend_limit_mask(rs->backend, &kmask);
	{
		struct vs_rlim cur = g->cfg->rlim[s->id];
		enum vs_lim_via via = vs_limit_via(s->id, rs->backend, kmask);
		uint64_t soft = s->part == 2 ? CRLIM_KEEP : s->value;
		uint64_t hard = s->part == 1 ? CRLIM_KEEP : s->value;

		if (via == VS_VIA_NONE)
			return vs_err(ctx, -EOPNOTSUPP, "%s: rlimits/%s cannot be enforced on this "
				      "backend/kernel (%s)", g->cfg->name, vs_rlimit_name(s->id),
				      rs->backend == VS_BACKEND_NS ? "it needs the vx kernel" :
				      "not in the kernel's limit mask");
		if (via == VS_VIA_CONTEXT) {
			if (soft != CRLIM_KEEP && soft == VS_LIMIT_INF)
				soft = CRLIM_INFINITY;
			if (hard != CRLIM_KEEP && hard == VS_LIMIT_INF)
				hard = CRLIM_INFINITY;
			r = vs_vx_set_rlimit(rs->xid, (uint32_t)s->id, soft, hard);
			if (r < 0)
				return vs_err(ctx, r, "%s: set_rlimit %s: %s", g->cfg->name,
					      vs_rlimit_name(s->id), strerror(-r));
		}
		if (s->id == RLIMIT_NPROC && s->part != 1 && via == VS_VIA_CGROUP) {
			fmt_u(b, sizeof(b), s->value == VS_LIMIT_INF ? UINT64_MAX : s->value);
			if ((r = cg_set(ctx, rs->cgroup, "pids.max", b)) < 0)
				return r;
		}
		if (s->id == RLIMIT_RSS && s->part != 1) {
			uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
			fmt_u(b, sizeof(b), s->value == VS_LIMIT_INF || s->value > UINT64_MAX / ps ?
			      UINT64_MAX : s->value * ps);
			if ((r = cg_set(ctx, rs->cgroup, "memory.max", b)) < 0)
				return r;
		}
		if (via == VS_VIA_PROCESS) {
			/* every process of the guest; new ones inherit it */
			pid_t *pids;
			size_t n;
			struct rlimit old;
			if (prlimit(rs->init_pid, s->id, NULL, &old) < 0)
				return vs_err(ctx, -errno, "prlimit: %m");
			cur.soft = s->part == 2 ? (old.rlim_cur == RLIM_INFINITY ? VS_LIMIT_INF :
						   old.rlim_cur) : s->value;
			cur.hard = s->part == 1 ? (old.rlim_max == RLIM_INFINITY ? VS_LIMIT_INF :
						   old.rlim_max) : s->value;
			if (vs_limit_unit(s->id)[0] == 'p') {
				/* the old values came in bytes */
				uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
				if (s->part == 2 && cur.soft != VS_LIMIT_INF)
					cur.soft /= ps;
				if (s->part == 1 && cur.hard != VS_LIMIT_INF)
					cur.hard /= ps;
			}
			if (cur.soft != VS_LIMIT_INF && cur.hard != VS_LIMIT_INF && cur.soft > cur.hard)
				cur.soft = cur.hard;
			r = vs_guest_pids(rs, &pids, &n);
			if (r < 0)
				return vs_err(ctx, r, "%s: listing its processes: %s", g->cfg->name,
					      strerror(-r));
			for (size_t i = 0; i < n; i++) {
				int e = vs_limits_set_pid(s->id, &cur, pids[i]);
				if (e < 0 && e != -ESRCH) {
					pid_t p = pids[i];	/* named after the array is freed */

					free(pids);
					return vs_err(ctx, e, "%s: prlimit %s on pid %d: %s%s",
						      g->cfg->name, vs_rlimit_name(s->id), (int)p,
						      strerror(-e), e == -EPERM && s->id == RLIMIT_NOFILE ?
						      " (above fs.nr_open?)" : "");
				}
			}
			free(pids);
			/* and every process that enters later (exec.c) */
			cur.set = true;
			if (s->id < 16)
				rs->live_rlim[s->id] = cur;
			r = vs_runstate_write(ctx, rundfd, g->cfg->name, rs);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Writes the setting, then loads the whole configuration again: a value
 * that conflicts with another file is taken back. */
static int save(struct vs_guest *g, const struct spec *s, const char *value)
{
	struct vs_ctx *ctx = g->ctx;
	const char *name = g->cfg->name;
	_cleanup_free_ char *old = NULL;
	struct vs_config *c = NULL;
	char msg[sizeof(ctx->errmsg)];
	bool had;
	int r;

	had = vs_config_get(ctx, name, s->file, &old) == 0;
	if ((r = vs_config_set(ctx, name, s->file, value)) < 0)
		return r;
	r = vs_config_load(ctx, name, &c);
	if (r == 0) {
		vs_config_free(c);
		if (s->kind == SK_RLIM && !s->part) {
			/* RES.soft / RES.hard would beat the new RES */
			char f[64];
			for (int k = 0; k < 2; k++) {
				_cleanup_free_ char *v = NULL;
				snprintf(f, sizeof(f), "%s.%s", s->file, k ? "hard" : "soft");
				if (vs_config_get(ctx, name, f, &v) == 0)
					vs_notice(ctx, "%s: %s/%s/%s remains and overrides the new "
						  "value", name, ctx->confdir, name, f);
			}
		}
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	if (had)
		vs_config_set(ctx, name, s->file, old);
	else
		vs_config_unset(ctx, name, s->file);
	return vs_err(ctx, -EEXIST, "not saved: %s", msg);
}

int vs_guest_set_limit(struct vs_guest *g, const char *what, const char *value, unsigned flags)
{
	struct vs_ctx *ctx = g->ctx;
	struct vs_lock *lock = NULL;
	struct vs_runstate rs;
	_cleanup_close_ int rundfd = -1;
	struct spec s;
	int state, r;

	if (!what || !value)
		return vs_err(ctx, -EINVAL, "no limit or value given");
	if ((r = parse_spec(ctx, what, value, &s)) < 0)
		return r;
	if ((r = vs_lock_guest(ctx, g->cfg->name, 0, &lock)) < 0)
		return r;
	if ((r = vs_guest_reload(g)) < 0)
		goto out;
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
	if (state != VS_ST_RUNNING) {
		vs_runstate_clear(&rs);
		if (!(flags & VS_LIMIT_SAVE)) {
			r = vs_err(ctx, -ESRCH, "%s is not running (--save changes the "
				   "configuration only)", g->cfg->name);
			goto out;
		}
		r = save(g, &s, value);
		goto out;
	}
	/* save first: a value the configuration would refuse is not applied */
	if ((flags & VS_LIMIT_SAVE) && (r = save(g, &s, value)) < 0) {
		vs_runstate_clear(&rs);
		goto out;
	}
	r = apply_live(g, rundfd, &rs, &s);
	vs_runstate_clear(&rs);
out:
	vs_lock_release(lock);
	return r;
}
