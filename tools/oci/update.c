/* SPDX-License-Identifier: GPL-2.0-or-later */
/* update: new memory, pids and cpu limits for a living container (runc's
 * update verb; podman update and the Kubernetes in-place resize reach it
 * through containerd's shim as `update --resources -`).
 *
 * All or nothing: every value is checked, then every controller the new
 * limits need is found (a limit nothing can enforce is refused, naming the
 * field), then the old values are read and the new ones written; a write
 * the kernel refuses puts back what was already written.  On the vx
 * backend the context's nproc and rss limits follow, as create set them.
 * The copy of config.json under --root records the result, so that exec
 * and a later update start from what the container has now.
 *
 * 0 (or a member left out) leaves a value as it is, as in runc; -1 lifts
 * a limit. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "oci.h"

#define PERIOD_MIN 1000ull	/* the kernel's bounds for cpu.max, in us */
#define PERIOD_MAX 1000000ull

/* ---- checking ------------------------------------------------------------ */

static int64_t cur_num(struct json_object *res, const char *obj, const char *key)
{
	struct json_object *o, *v;

	if (res && json_object_object_get_ex(res, obj, &o) && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return 0;
}

/* the limits the container will have: the update over what it has */
struct eff { int64_t mem, swap, res, pids, quota, period; uint64_t shares; };

static int check(const struct oci_update *u, struct json_object *res, struct eff *e)
{
	uint32_t w;

	e->mem = u->has_mem ? u->mem : cur_num(res, "memory", "limit");
	e->swap = u->has_swap ? u->swap : cur_num(res, "memory", "swap");
	e->res = u->has_res ? u->res : cur_num(res, "memory", "reservation");
	e->pids = u->has_pids ? u->pids : cur_num(res, "pids", "limit");
	e->quota = u->has_quota ? u->quota : cur_num(res, "cpu", "quota");
	e->period = u->has_period ? (int64_t)u->period : cur_num(res, "cpu", "period");
	e->shares = u->has_shares ? u->shares : (uint64_t)cur_num(res, "cpu", "shares");
	if (u->has_mem && u->mem < -1)
		return oci_err(-EINVAL, "memory.limit: %lld is neither a size nor -1",
			       (long long)u->mem);
	if (u->has_res && u->res < -1)
		return oci_err(-EINVAL, "memory.reservation: %lld is neither a size nor -1",
			       (long long)u->res);
	if (u->has_swap && u->swap < -1)
		return oci_err(-EINVAL, "memory.swap: %lld is neither a size nor -1",
			       (long long)u->swap);
	/* swap is memory+swap, as in the runtime spec (and cgroup v1) */
	if (e->swap > 0 && e->mem <= 0)
		return oci_err(-EINVAL, "memory.swap: %lld needs a memory limit (memory.limit) "
			       "as well", (long long)e->swap);
	if ((u->has_swap || u->has_mem) && e->swap > 0 && e->swap < e->mem)
		return oci_err(-EINVAL, "memory.swap: %lld (memory plus swap) is less than "
			       "memory.limit %lld", (long long)e->swap, (long long)e->mem);
	if (u->has_pids && u->pids < -1)
		return oci_err(-EINVAL, "pids.limit: %lld is neither a positive number nor -1",
			       (long long)u->pids);
	if (u->has_shares && vs_cpu_shares_to_weight(u->shares, &w) < 0)
		return oci_err(-EINVAL, "cpu.shares: %llu is out of range (2-262144)",
			       (unsigned long long)u->shares);
	if (u->has_period && (u->period < PERIOD_MIN || u->period > PERIOD_MAX))
		return oci_err(-EINVAL, "cpu.period: %llu is out of range (%llu-%llu us)",
			       (unsigned long long)u->period, PERIOD_MIN, PERIOD_MAX);
	if (u->has_quota && u->quota != -1 && u->quota < (int64_t)PERIOD_MIN)
		return oci_err(-EINVAL, "cpu.quota: %lld is neither -1 nor at least %llu us",
			       (long long)u->quota, PERIOD_MIN);
	return 0;
}

/* ---- where each controller's files are ---------------------------------- */

struct ctrl { const char *name, *field; bool needed, v1; char dir[PATH_MAX]; };

/* v2 when the host delegates the controller, else the v1 hierarchy the
 * container already is in, else a new v1 cgroup that its processes are
 * moved into (a container created without that limit is in none).
 * Without apply: only whether one exists. */
static int ctrl_find(struct oci_state *st, struct ctrl *c, bool apply)
{
	bool *flag = !strcmp(c->name, "memory") ? &st->v1_memory :
		     !strcmp(c->name, "pids") ? &st->v1_pids : &st->v1_cpu;
	char root[PATH_MAX], v[24];
	pid_t *pids;
	size_t n, moved = 0;
	int r;

	if ((r = oci_cg_v2_root(root, sizeof(root))) < 0)
		return r;
	if (oci_cg_v2_has(root, c->name)) {
		snprintf(c->dir, sizeof(c->dir), "%s/%s", root, st->cgroup);
		c->v1 = false;
		return apply ? oci_cg_v2_enable(root, st->cgroup, c->name, c->field) : 0;
	}
	if (!*flag && !oci_cg_v1_has(c->name))
		return oci_err(-EOPNOTSUPP, "%s: the host has no %s cgroup controller for this "
			       "container (neither delegated in cgroup v2 nor a v1 hierarchy)",
			       c->field, c->name);
	c->v1 = true;
	snprintf(c->dir, sizeof(c->dir), "/sys/fs/cgroup/%s/%s", c->name, st->cgroup);
	if (*flag || !apply)
		return 0;
	if ((r = oci_cg_v1_dir(c->name, st->cgroup, c->dir, sizeof(c->dir))) < 0)
		return r;
	*flag = true;
	/* a process forked meanwhile by one not yet moved shows up in the
	 * next round; its children follow it into the new cgroup */
	for (int round = 0; round < 8; round++) {
		size_t before = moved;
		if ((r = oci_cgroup_pids(st, &pids, &n)) < 0)
			return r;
		moved = n;
		for (size_t i = 0; i < n && r == 0; i++) {
			snprintf(v, sizeof(v), "%d", pids[i]);
			r = oci_cg_write(c->dir, "cgroup.procs", v, c->field);
			if (r == -ESRCH)
				r = 0;	/* it exited */
		}
		free(pids);
		if (r < 0 || (round && moved == before))
			return r;
	}
	return 0;
}

/* ---- writing, with the way back ------------------------------------------ */

struct wr { char dir[PATH_MAX]; const char *file, *field; char val[48], old[48]; };
struct plan { struct wr w[12]; size_t n, done; };

static int readval(const char *dir, const char *file, char *buf, size_t len)
{
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* one write: x, -1 as the controller's "no limit", or the string str */
static int add_val(struct plan *p, const struct ctrl *c, const char *file, const char *field,
		   long long x, const char *str)
{
	struct wr *w = &p->w[p->n];
	int r;

	snprintf(w->dir, sizeof(w->dir), "%s", c->dir);
	w->file = file;
	w->field = field;
	if (str)
		snprintf(w->val, sizeof(w->val), "%s", str);
	else if (x < 0)	/* v1 says so with -1, but pids */
		snprintf(w->val, sizeof(w->val), "%s",
			 c->v1 && strcmp(c->name, "pids") ? "-1" : "max");
	else
		snprintf(w->val, sizeof(w->val), "%lld", x);
	if ((r = readval(w->dir, file, w->old, sizeof(w->old))) < 0)
		return oci_err(r, "%s: cannot read %s/%s: %s%s", field, w->dir, file, strerror(-r),
			       r == -ENOENT && strstr(file, "sw") ?
			       " (the kernel does not account swap: swapaccount)" : "");
	p->n++;
	return 0;
}

static int add(struct plan *p, const struct ctrl *c, const char *file, const char *field,
	       long long x)
{
	return add_val(p, c, file, field, x, NULL);
}

static int plan_memory(struct plan *p, const struct oci_update *u, const struct eff *e,
		       const struct ctrl *c)
{
	char memsw[48] = "";
	int r = 0;

	if (u->has_res)
		r = add_val(p, c, c->v1 ? "memory.soft_limit_in_bytes" : "memory.low",
			    "memory.reservation", e->res, e->res < 0 && !c->v1 ? "0" : NULL);
	if (r < 0 || (!u->has_mem && !u->has_swap))
		return r;
	if (!c->v1) {
		if (u->has_mem)
			r = add(p, c, "memory.max", "memory.limit", e->mem);
		/* v2 wants the swap alone */
		if (r == 0 && e->swap != 0)
			r = add(p, c, "memory.swap.max", "memory.swap",
				e->swap < 0 ? -1 : e->swap - (e->mem > 0 ? e->mem : 0));
		return r;
	}
	/* v1 keeps memory <= memory+swap at every step: raise memsw first
	 * when the new memory limit is above the present memsw */
	if (e->swap != 0 || u->has_swap) {
		unsigned long long cur;
		readval(c->dir, "memory.memsw.limit_in_bytes", memsw, sizeof(memsw));
		cur = strtoull(memsw, NULL, 10);
		if (e->swap < 0 || (e->mem > 0 && (unsigned long long)e->mem > cur))
			r = add(p, c, "memory.memsw.limit_in_bytes", "memory.swap", e->swap);
		if (r == 0 && u->has_mem)
			r = add(p, c, "memory.limit_in_bytes", "memory.limit", e->mem);
		if (r == 0 && !(e->swap < 0 || (e->mem > 0 && (unsigned long long)e->mem > cur)))
			r = add(p, c, "memory.memsw.limit_in_bytes", "memory.swap", e->swap);
		return r;
	}
	return add(p, c, "memory.limit_in_bytes", "memory.limit", e->mem);
}

static int plan_cpu(struct plan *p, const struct oci_update *u, const struct eff *e,
		    const struct ctrl *c)
{
	char cur[48];
	uint32_t w;
	int r = 0;

	if (u->has_shares) {
		vs_cpu_shares_to_weight(u->shares, &w);
		r = c->v1 ? add(p, c, "cpu.shares", "cpu.shares", (long long)u->shares)
			  : add(p, c, "cpu.weight", "cpu.shares", (long long)w);
	}
	if (r < 0 || (!u->has_quota && !u->has_period))
		return r;
	if (c->v1) {
		if (u->has_period)
			r = add(p, c, "cpu.cfs_period_us", "cpu.period", (long long)u->period);
		if (r == 0 && u->has_quota)
			r = add(p, c, "cpu.cfs_quota_us", "cpu.quota", (long long)u->quota);
		return r;
	}
	/* cpu.max is "QUOTA PERIOD": the part not updated stays as it is */
	if ((r = readval(c->dir, "cpu.max", cur, sizeof(cur))) < 0)
		return oci_err(r, "cpu.quota: cannot read %s/cpu.max: %s", c->dir, strerror(-r));
	{
		char q[24];
		unsigned long long per = strtoull(strchr(cur, ' ') ? strchr(cur, ' ') + 1 : "100000",
						  NULL, 10);
		if (u->has_quota)
			if (u->quota < 0)
				snprintf(q, sizeof(q), "max");
			else
				snprintf(q, sizeof(q), "%lld", (long long)u->quota);
		else
			sscanf(cur, "%23s", q);
		if (u->has_period)
			per = u->period;
		char val[48];
		snprintf(val, sizeof(val), "%s %llu", q, per);
		r = add_val(p, c, "cpu.max", u->has_quota ? "cpu.quota" : "cpu.period", 0, val);
	}
	(void)e;
	return r;
}

static int run_plan(struct plan *p)
{
	for (p->done = 0; p->done < p->n; p->done++) {
		struct wr *w = &p->w[p->done];
		int r = oci_cg_write(w->dir, w->file, w->val, w->field);
		if (r < 0)
			return r;
	}
	return 0;
}

static void undo_plan(struct plan *p)
{
	char keep[sizeof(oci_errmsg)];

	memcpy(keep, oci_errmsg, sizeof(keep));
	while (p->done-- > 0) {
		struct wr *w = &p->w[p->done];
		/* v1 shows "no limit" as a number it does not take back */
		if (oci_cg_write(w->dir, w->file, w->old, w->field) < 0 &&
		    strtoull(w->old, NULL, 10) > (1ull << 62))
			oci_cg_write(w->dir, w->file, "-1", w->field);
	}
	memcpy(oci_errmsg, keep, sizeof(keep));
}

/* ---- the saved config.json ----------------------------------------------- */

static void set_num(struct json_object *res, const char *obj, const char *key, int64_t v)
{
	struct json_object *o;

	if (!json_object_object_get_ex(res, obj, &o) || !json_object_is_type(o, json_type_object)) {
		o = json_object_new_object();
		json_object_object_add(res, obj, o);
	}
	json_object_object_add(o, key, json_object_new_int64(v));
}

/* writes ROOT/ID/config.json.new; renamed over config.json once applied */
static int save_config(struct oci_state *st, struct json_object *cfg, struct json_object *res,
		       const struct oci_update *u, const struct eff *e, char *tmp, size_t len)
{
	const char *text;
	int fd, r = 0;

	if (u->has_mem) set_num(res, "memory", "limit", e->mem);
	if (u->has_swap || (u->has_mem && e->swap)) set_num(res, "memory", "swap", e->swap);
	if (u->has_res) set_num(res, "memory", "reservation", e->res);
	if (u->has_pids) set_num(res, "pids", "limit", e->pids);
	if (u->has_shares) set_num(res, "cpu", "shares", (int64_t)e->shares);
	if (u->has_quota) set_num(res, "cpu", "quota", e->quota);
	if (u->has_period) set_num(res, "cpu", "period", e->period);
	text = json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	snprintf(tmp, len, "%s/config.json.new", st->dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) < 0)
		r = oci_err(-errno, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlink(tmp);
	return r;
}

/* ---- the verb ------------------------------------------------------------ */

int oci_update(struct oci_state *st, const struct oci_update *u)
{
	struct ctrl c[] = {
		{ .name = "memory", .field = "memory",
		  .needed = u->has_mem || u->has_swap || u->has_res },
		{ .name = "pids", .field = "pids.limit", .needed = u->has_pids },
		{ .name = "cpu", .field = "cpu", .needed = u->has_shares || u->has_quota ||
							     u->has_period },
	};
	struct json_object *cfg = NULL, *lin, *res;
	struct plan p = { .n = 0 };
	struct oci_vx_saved vxs;
	char cfgp[PATH_MAX], tmp[PATH_MAX];
	enum oci_status s = oci_state_status(st);
	struct eff e;
	int r, rs;

	if (s == ST_STOPPED || s == ST_CREATING)
		return oci_err(-EINVAL, "container %s is %s: there is nothing to update", st->id,
			       oci_status_name(s));
	snprintf(cfgp, sizeof(cfgp), "%s/config.json", st->dir);
	if ((r = oci_json_read_file(cfgp, &cfg)) < 0)
		return r;
	if (!json_object_object_get_ex(cfg, "linux", &lin) ||
	    !json_object_is_type(lin, json_type_object)) {
		lin = json_object_new_object();
		json_object_object_add(cfg, "linux", lin);
	}
	if (!json_object_object_get_ex(lin, "resources", &res) ||
	    !json_object_is_type(res, json_type_object)) {
		res = json_object_new_object();
		json_object_object_add(lin, "resources", res);
	}
	if ((r = check(u, res, &e)) < 0)
		goto out;
	for (size_t i = 0; i < 3; i++)
		if (c[i].needed && (r = ctrl_find(st, &c[i], false)) < 0)
			goto out;
	if ((r = oci_vx_update_check(st->pid, u, &vxs)) < 0)
		goto out;
	/* from here on the system changes: a cgroup joined stays (it has
	 * no limit of its own until one is written), and is recorded */
	for (size_t i = 0; i < 3 && r == 0; i++)
		if (c[i].needed)
			r = ctrl_find(st, &c[i], true);
	rs = oci_state_save(st);
	if (r == 0)
		r = rs;
	if (r < 0)
		goto out;
	if ((c[0].needed && (r = plan_memory(&p, u, &e, &c[0])) < 0) ||
	    (c[1].needed && (r = add(&p, &c[1], "pids.max", "pids.limit", e.pids)) < 0) ||
	    (c[2].needed && (r = plan_cpu(&p, u, &e, &c[2])) < 0))
		goto out;
	if ((r = save_config(st, cfg, res, u, &e, tmp, sizeof(tmp))) < 0)
		goto out;
	/* the context's limits after the cgroup's: oci_vx_update puts its
	 * own back when the kernel refuses one */
	r = run_plan(&p);
	if (r == 0)
		r = oci_vx_update(e.mem, e.pids, &vxs);
	if (r == 0 && rename(tmp, cfgp) < 0) {
		r = oci_err(-errno, "%s: %s", cfgp, strerror(errno));
		oci_vx_update_undo(&vxs);
	}
	if (r < 0) {
		undo_plan(&p);
		unlink(tmp);
	}
out:
	json_object_put(cfg);
	return r;
}
