/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Run state of a started guest: RUNDIR/NAME.state, written atomically.  It
 * records what is needed to find, watch and tear down the guest later —
 * also after the command that started it was killed. */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>

void vs_runstate_clear(struct vs_runstate *rs)
{
	vs_strv_free(rs->addrs);
	vs_strv_free(rs->net);
	memset(rs, 0, sizeof(*rs));
}

int vs_runstate_parse(const char *text, struct vs_runstate *rs)
{
	_cleanup_strv_ char **lines = NULL;
	int r;

	memset(rs, 0, sizeof(*rs));
	r = vs_split_lines(text, &lines);
	if (r < 0)
		return r;
	for (char **l = lines; *l; l++) {
		char *eq = strchr(*l, '=');
		uint64_t v;
		const char *key, *val;

		if (!eq)
			goto bad;
		*eq = '\0';
		key = *l;
		val = eq + 1;
		if (!strcmp(key, "backend")) {
			rs->backend = vs_backend_parse(val);
			if (rs->backend <= 0)
				goto bad;
		} else if (!strcmp(key, "xid")) {
			if (vs_parse_u64(val, 0, UINT32_MAX, &v) < 0)
				goto bad;
			rs->xid = (uint32_t)v;
		} else if (!strcmp(key, "init_pid") || !strcmp(key, "monitor_pid")) {
			if (vs_parse_u64(val, 1, INT_MAX, &v) < 0)
				goto bad;
			if (key[0] == 'i')
				rs->init_pid = (pid_t)v;
			else
				rs->monitor_pid = (pid_t)v;
		} else if (!strcmp(key, "init_start")) {
			if (vs_parse_u64(val, 0, UINT64_MAX, &v) < 0)
				goto bad;
			rs->init_start = v;
		} else if (!strcmp(key, "started_ms")) {
			if (vs_parse_u64(val, 0, UINT64_MAX, &v) < 0)
				goto bad;
			rs->started_ms = v;
		} else if (!strcmp(key, "cgroup")) {
			if (strlen(val) >= sizeof(rs->cgroup) || vs_path_check(val) < 0)
				goto bad;
			strcpy(rs->cgroup, val);
		} else if (!strcmp(key, "missing_cg")) {
			if (vs_parse_u64(val, 0, 7, &v) < 0)
				goto bad;
			rs->missing_cg = (unsigned)v;
		} else if (!strcmp(key, "host_network")) {
			rs->host_network = !strcmp(val, "1");
		} else if (!strcmp(key, "initstyle")) {
			rs->initstyle = vs_initstyle_parse(val);
			if (rs->initstyle < 0)
				goto bad;
		} else if (!strcmp(key, "complete")) {
			rs->complete = !strcmp(val, "1");
		} else if (!strcmp(key, "rlimit")) {
			unsigned id;
			unsigned long long so, ha;
			if (sscanf(val, "%u %llu %llu", &id, &so, &ha) != 3 || id >= 16)
				goto bad;
			rs->live_rlim[id].set = true;
			rs->live_rlim[id].soft = so;
			rs->live_rlim[id].hard = ha;
		} else if (!strcmp(key, "addr") || !strcmp(key, "net")) {
			if (vs_strv_push(key[0] == 'a' ? &rs->addrs : &rs->net, val) < 0) {
				vs_runstate_clear(rs);
				return -ENOMEM;
			}
		}
		/* unknown keys: written by a newer version, ignore */
	}
	return 0;
bad:
	vs_runstate_clear(rs);
	return -EINVAL;
}

char *vs_runstate_format(const struct vs_runstate *rs)
{
	char *s = NULL, *t;
	size_t n;

	if (asprintf(&s, "backend=%s\nxid=%u\n", vs_backend_name(rs->backend), rs->xid) < 0)
		return NULL;
#define ADD(fmt, ...) do { \
		if (asprintf(&t, "%s" fmt, s, __VA_ARGS__) < 0) { free(s); return NULL; } \
		free(s); s = t; \
	} while (0)
	if (rs->init_pid > 0)
		ADD("init_pid=%d\ninit_start=%llu\n", (int)rs->init_pid, rs->init_start);
	if (rs->monitor_pid > 0)
		ADD("monitor_pid=%d\n", (int)rs->monitor_pid);
	ADD("started_ms=%llu\n", rs->started_ms);
	if (rs->cgroup[0])
		ADD("cgroup=%s\n", rs->cgroup);
	ADD("missing_cg=%u\nhost_network=%d\ninitstyle=%s\ncomplete=%d\n", rs->missing_cg,
	    rs->host_network ? 1 : 0, vs_initstyle_name(rs->initstyle) ?: "plain",
	    rs->complete ? 1 : 0);
	for (unsigned i = 0; i < 16; i++)
		if (rs->live_rlim[i].set)
			ADD("rlimit=%u %llu %llu\n", i, (unsigned long long)rs->live_rlim[i].soft,
			    (unsigned long long)rs->live_rlim[i].hard);
	n = vs_strv_len(rs->addrs);
	for (size_t i = 0; i < n; i++)
		ADD("addr=%s\n", rs->addrs[i]);
	n = vs_strv_len(rs->net);
	for (size_t i = 0; i < n; i++)
		ADD("net=%s\n", rs->net[i]);
#undef ADD
	return s;
}

int vs_runstate_read(struct vs_ctx *ctx, int rundfd, const char *name, struct vs_runstate *rs)
{
	char file[VS_NAME_MAX + 8];
	_cleanup_free_ char *text = NULL;
	int r;

	snprintf(file, sizeof(file), "%s.state", name);
	r = vs_read_at(ctx, rundfd, file, 16384, &text);
	if (r < 0)
		return r;
	r = vs_runstate_parse(text, rs);
	if (r < 0)
		return vs_err(ctx, r, "%s/%s is damaged", ctx->rundir, file);
	return 0;
}

int vs_runstate_write(struct vs_ctx *ctx, int rundfd, const char *name,
		      const struct vs_runstate *rs)
{
	char file[VS_NAME_MAX + 8];
	_cleanup_free_ char *text = vs_runstate_format(rs);

	if (!text)
		return -ENOMEM;
	snprintf(file, sizeof(file), "%s.state", name);
	/* Atomic, not durable: the state describes processes, cgroups and
	 * addresses that a crash or reboot removes with it (and the run
	 * directory is a tmpfs in production); a start writes it four times. */
	return vs_write_at_sync(ctx, rundfd, file, text, strlen(text), 0600, false);
}

int vs_runstate_remove(struct vs_ctx *ctx, int rundfd, const char *name)
{
	char file[VS_NAME_MAX + 8];

	snprintf(file, sizeof(file), "%s.state", name);
	return vs_unlink_at(ctx, rundfd, file);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vs_runstate_names(struct vs_ctx *ctx, int rundfd, char ***out)
{
	_cleanup_strv_ char **v = NULL;
	int dfd = dup(rundfd);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (dfd < 0)
		return vs_err(ctx, -errno, "%s: %m", ctx->rundir);
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return vs_err(ctx, -errno, "%s: %m", ctx->rundir);
	}
	while ((de = readdir(d))) {
		char name[VS_NAME_MAX + 1];
		size_t n = strlen(de->d_name);

		if (n <= 6 || strcmp(de->d_name + n - 6, ".state") || n - 6 > VS_NAME_MAX)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 6), de->d_name);
		if (vs_name_check(name) < 0)
			continue;
		if ((r = vs_strv_push(&v, name)) < 0)
			break;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (!v && !(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	qsort(v, vs_strv_len(v), sizeof(char *), cmp_str);
	*out = TAKE_PTR(v);
	return 0;
}

/* What runs is what has run state: O(started guests), and no configuration
 * is read for a guest that runs.  One whose init is gone is looked at once
 * more (status), which tidies it up. */
int vs_running_list(struct vs_ctx *ctx, char ***names)
{
	_cleanup_strv_ char **all = NULL, **v = NULL;
	_cleanup_close_ int rundfd = vs_rundir_open(ctx);
	int r;

	if (rundfd < 0)
		return rundfd;
	if ((r = vs_runstate_names(ctx, rundfd, &all)) < 0)
		return r;
	for (char **n = all; *n; n++) {
		struct vs_runstate rs;
		bool live = false;

		if (vs_runstate_read(ctx, rundfd, *n, &rs) == 0) {
			live = rs.complete && vs_proc_alive(rs.init_pid, rs.init_start);
			vs_runstate_clear(&rs);
		}
		if (!live) {
			struct vs_guest *g;
			struct vs_status st;

			if (vs_guest_open(ctx, *n, &g) < 0)
				continue;
			live = vs_guest_status(g, &st) == 0 && st.running;
			vs_guest_unref(g);
		}
		if (live && (r = vs_strv_push(&v, *n)) < 0)
			return r;
	}
	if (!v && !(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*names = TAKE_PTR(v);
	return 0;
}
