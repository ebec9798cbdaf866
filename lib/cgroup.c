/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v2: one cgroup per guest, ROOT/<ctx->cgroup>/vs-NAME (the prefix
 * keeps guest names such as "cgroup.procs" apart from cgroupfs files).  It tracks every
 * process of the guest (cgroup.procs, cgroup.kill) and, where the host
 * delegates the controllers, enforces memory, pids and cpu limits.  A
 * controller the host does not delegate is reported to the caller, never
 * silently ignored.
 *
 * The guest's processes live in a leaf below it, NAME/payload, and the
 * guest's cgroup namespace is rooted there: the limits sit on NAME, outside
 * anything the guest can see or write even when it may mount cgroup2 (with
 * CAP_SYS_ADMIN granted); NAME's subtree_control stays empty, so the leaf
 * has no controller files to raise either.  Limits, usage (memory.current,
 * pids.current, cpu.stat count the whole subtree) and cgroup.kill act on
 * NAME; the process list is that of the subtree. */
#include "internal.h"

#include <pthread.h>

#include <dirent.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>

static const struct {
	unsigned bit;
	const char *name;
} controllers[] = {
	{ VS_CG_MEMORY, "memory" },
	{ VS_CG_PIDS, "pids" },
	{ VS_CG_CPU, "cpu" },
};

/* The last answer, for the mount namespace it was found in: a start asked
 * four times, each time reading the whole mount table. */
static struct {
	pthread_mutex_t lock;
	ino_t mntns;
	dev_t mntns_dev;
	char root[PATH_MAX];
} root_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int find_cgroup_root(char *buf, size_t len);

/* Finds the cgroup2 mount of the caller's mount namespace.  Prefers a pure
 * v2 hierarchy at /sys/fs/cgroup over a hybrid's /sys/fs/cgroup/unified. */
int vs_cgroup_root(char *buf, size_t len)
{
	struct stat ns;
	int r;

	if (stat("/proc/self/ns/mnt", &ns) < 0)
		return find_cgroup_root(buf, len);
	pthread_mutex_lock(&root_cache.lock);
	if (root_cache.root[0] && root_cache.mntns == ns.st_ino &&
	    root_cache.mntns_dev == ns.st_dev) {
		r = strlen(root_cache.root) < len ? 0 : -ENAMETOOLONG;
		if (r == 0)
			strcpy(buf, root_cache.root);
		pthread_mutex_unlock(&root_cache.lock);
		return r;
	}
	r = find_cgroup_root(buf, len);
	if (r == 0 && strlen(buf) < sizeof(root_cache.root)) {
		strcpy(root_cache.root, buf);
		root_cache.mntns = ns.st_ino;
		root_cache.mntns_dev = ns.st_dev;
	}
	pthread_mutex_unlock(&root_cache.lock);
	return r;
}

static int find_cgroup_root(char *buf, size_t len)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], best[PATH_MAX] = "";

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char root[PATH_MAX], mnt[PATH_MAX];
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*d %*d %*s %4095s %4095s", root, mnt) != 2)
			continue;
		if (strcmp(root, "/"))
			continue;	/* a namespaced or bind-mounted view */
		if (strchr(mnt, '\\'))
			continue;	/* escaped characters: not a path we want */
		if (!best[0] || !strcmp(mnt, "/sys/fs/cgroup"))
			snprintf(best, sizeof(best), "%s", mnt);
	}
	if (!best[0])
		return -ENOENT;
	if (strlen(best) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, best);
	return 0;
}

int vs_cgroup_path(struct vs_ctx *ctx, const char *name, char *buf, size_t len)
{
	char root[PATH_MAX];
	int r = vs_cgroup_root(root, sizeof(root));

	if (r < 0)
		return vs_err(ctx, r, "no cgroup v2 file system is mounted (the ns backend "
			      "needs one to track the processes of a guest)");
	if ((size_t)snprintf(buf, len, "%s/%s/" VS_CG_PREFIX "%s", root, ctx->cgroup, name) >= len)
		return vs_err(ctx, -ENAMETOOLONG, "cgroup path too long");
	return 0;
}

static unsigned read_controllers(const char *dir)
{
	char path[PATH_MAX];
	_cleanup_free_ char *s = NULL;
	unsigned have = 0;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (vs_read_file(path, 4096, &s) < 0)
		return 0;
	for (char *save = NULL, *t = strtok_r(s, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		for (size_t i = 0; i < ARRAY_SIZE(controllers); i++)
			if (!strcmp(t, controllers[i].name))
				have |= controllers[i].bit;
	return have;
}

static void enable_controllers(const char *dir, unsigned want)
{
	char path[PATH_MAX], cmd[32];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	for (size_t i = 0; i < ARRAY_SIZE(controllers); i++) {
		if (!(want & controllers[i].bit))
			continue;
		snprintf(cmd, sizeof(cmd), "+%s", controllers[i].name);
		/* one at a time: one refusal must not hide the others */
		(void)vs_write_file(path, cmd);
	}
}

int vs_cgroup_create(struct vs_ctx *ctx, const char *path, unsigned *missing)
{
	char root[PATH_MAX], cur[PATH_MAX];
	const unsigned want = VS_CG_MEMORY | VS_CG_PIDS | VS_CG_CPU;
	const char *rel;
	size_t rootlen;
	int r;

	r = vs_cgroup_root(root, sizeof(root));
	if (r < 0)
		return vs_err(ctx, r, "no cgroup v2 file system is mounted");
	rootlen = strlen(root);
	if (strncmp(path, root, rootlen) || path[rootlen] != '/')
		return vs_err(ctx, -EINVAL, "%s is not below %s", path, root);
	snprintf(cur, sizeof(cur), "%s", root);
	rel = path + rootlen + 1;
	/* Walk down, delegating what each level has to the next. */
	while (*rel) {
		const char *slash = strchr(rel, '/');
		size_t n = slash ? (size_t)(slash - rel) : strlen(rel);
		size_t l = strlen(cur);

		enable_controllers(cur, read_controllers(cur) & want);
		if (l + 1 + n >= sizeof(cur))
			return vs_err(ctx, -ENAMETOOLONG, "cgroup path too long");
		cur[l] = '/';
		memcpy(cur + l + 1, rel, n);
		cur[l + 1 + n] = '\0';
		if (mkdir(cur, 0755) < 0 && errno != EEXIST)
			return vs_err(ctx, -errno, "cannot create cgroup %s: %m", cur);
		rel += n;
		while (*rel == '/')
			rel++;
	}
	*missing = want & ~read_controllers(path);
	return 0;
}

static const char *cg_name(unsigned bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(controllers); i++)
		if (controllers[i].bit == bit)
			return controllers[i].name;
	return "?";
}

static int cg_write(struct vs_ctx *ctx, const char *dir, const char *key, const char *val)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	r = vs_write_file(path, val);
	if (r < 0)
		return vs_err(ctx, r, "cannot set %s to '%s' in %s: %s", key, val, dir,
			      strerror(-r));
	return 0;
}

int vs_cgroup_apply(struct vs_ctx *ctx, const char *path, const struct vs_config *c,
		    unsigned missing)
{
	int r;

	for (size_t i = 0; i < c->n_cg; i++) {
		unsigned ctl = 0;
		char err[256];
		if (vs_cg_setting_check(c->cg[i].key, c->cg[i].value, &ctl, err, sizeof(err)) < 0)
			return vs_err(ctx, -EINVAL, "%s", err);
		if (ctl & missing)
			return vs_err(ctx, -EOPNOTSUPP, "cgroup/%s needs the %s controller, which "
				      "the host does not delegate", c->cg[i].key, cg_name(ctl));
		r = cg_write(ctx, path, c->cg[i].key, c->cg[i].value);
		if (r < 0)
			return r;
	}
	/* limits/, sched/ and util-vserver's per-context limits that cgroup
	 * v2 expresses exactly (nproc, rss), on both backends (vs2.3 itself
	 * counts memory through memcg); see limits.c */
	{
		struct vs_cgset set[16];
		int backend = vs_guest_resolve_backend(ctx, c);
		uint32_t kmask = 0;
		size_t n;
		vs_backend_limit_mask(backend, &kmask);
		r = vs_limits_cgroup(c, backend, kmask, set, ARRAY_SIZE(set), &n);
		if (r < 0)
			return vs_err(ctx, r, "%s: the limits cannot be expressed in cgroup v2: %s",
				      c->name, strerror(-r));
		for (size_t i = 0; i < n; i++) {
			unsigned ctl = 0;
			char err[256];
			if (vs_cg_setting_check(set[i].key, set[i].value, &ctl, err, sizeof(err)) < 0)
				return vs_err(ctx, -EINVAL, "%s", err);
			if (ctl & missing)
				return vs_err(ctx, -EOPNOTSUPP, "the limit %s needs the %s controller, "
					      "which the host does not delegate", set[i].key,
					      cg_name(ctl));
			if ((r = cg_write(ctx, path, set[i].key, set[i].value)) < 0)
				return r;
		}
	}
	return 0;
}

int vs_cgroup_leaf(const char *path, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/" VS_CG_LEAF, path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int vs_cgroup_create_leaf(struct vs_ctx *ctx, const char *path)
{
	char leaf[PATH_MAX];
	int r = vs_cgroup_leaf(path, leaf, sizeof(leaf));

	if (r < 0)
		return vs_err(ctx, r, "cgroup path too long");
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return vs_err(ctx, -errno, "cannot create cgroup %s: %m", leaf);
	return 0;
}

int vs_pids_append(char *s, pid_t **v, size_t *cnt)
{
	for (char *save = NULL, *t = strtok_r(s, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		uint64_t p;
		pid_t *nv;
		if (vs_parse_u64(t, 1, INT_MAX, &p) < 0)
			continue;
		nv = realloc(*v, (*cnt + 1) * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		(*v)[(*cnt)++] = (pid_t)p;
	}
	return 0;
}

/* Appends the pids of DIR/cgroup.procs and of every cgroup below it (a
 * guest may make its own below its leaf). */
static int procs_of(const char *dir, pid_t **v, size_t *cnt, int depth)
{
	char file[PATH_MAX];
	_cleanup_free_ char *s = NULL;
	DIR *d;
	struct dirent *de;
	int r;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	r = vs_read_file(file, 4 << 20, &s);
	if (r < 0)
		return r;
	r = vs_pids_append(s, v, cnt);
	if (r < 0)
		return r;
	if (depth >= 16 || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub))
			continue;
		r = procs_of(sub, v, cnt, depth + 1);
		if (r < 0 && r != -ENOENT) {
			closedir(d);
			return r;
		}
	}
	closedir(d);
	return 0;
}

int vs_cgroup_procs(const char *path, pid_t **pids, size_t *n)
{
	pid_t *v = NULL;
	size_t cnt = 0;
	int r;

	*pids = NULL;
	*n = 0;
	r = procs_of(path, &v, &cnt, 0);
	if (r < 0) {
		free(v);
		return r;
	}
	*pids = v;
	*n = cnt;
	return 0;
}

bool vs_cgroup_member(const char *path, const char *cg)
{
	char root[PATH_MAX];
	size_t rl, pl;
	const char *rel;

	if (vs_cgroup_root(root, sizeof(root)) < 0)
		return false;
	rl = strlen(root);
	if (strncmp(path, root, rl) || path[rl] != '/')
		return false;
	rel = path + rl;
	pl = strlen(rel);
	return !strncmp(cg, rel, pl) && (cg[pl] == '\0' || cg[pl] == '/');
}

int vs_cgroup_kill(struct vs_ctx *ctx, const char *path)
{
	char file[PATH_MAX];
	pid_t *pids;
	size_t n;
	int r;

	snprintf(file, sizeof(file), "%s/cgroup.kill", path);
	r = vs_write_file(file, "1");
	if (r == 0 || access(path, F_OK) < 0)
		return 0;	/* killed, or there is no such cgroup */
	/* Kernels before 5.14 have no cgroup.kill: signal each member through
	 * a pidfd, after checking it is still a member. */
	r = vs_cgroup_procs(path, &pids, &n);
	if (r < 0)
		return r == -ENOENT ? 0 : vs_err(ctx, r, "%s: %s", path, strerror(-r));
	for (size_t i = 0; i < n; i++) {
		char cg[PATH_MAX];
		int fd = vs_pidfd_open(pids[i]);
		if (fd < 0)
			continue;
		if (vs_cgroup_of_pid(pids[i], cg, sizeof(cg)) == 0 && vs_cgroup_member(path, cg))
			vs_pidfd_signal(fd, SIGKILL);
		close(fd);
	}
	free(pids);
	return 0;
}

/* Removes the cgroups below PATH (empty by now) deepest first. */
static void remove_below(const char *dir, int depth)
{
	DIR *d = depth < 16 ? opendir(dir) : NULL;
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub))
			continue;
		remove_below(sub, depth + 1);
		rmdir(sub);
	}
	closedir(d);
}

int vs_cgroup_remove(struct vs_ctx *ctx, const char *path)
{
	remove_below(path, 0);
	if (rmdir(path) < 0 && errno != ENOENT)
		return vs_err(ctx, -errno, "cannot remove cgroup %s: %m", path);
	return 0;
}

int vs_cgroup_usage(const char *path, uint64_t *mem, uint64_t *cpu_usec)
{
	char file[PATH_MAX];
	_cleanup_free_ char *s = NULL, *c = NULL;
	uint64_t v;

	*mem = UINT64_MAX;
	*cpu_usec = UINT64_MAX;
	snprintf(file, sizeof(file), "%s/memory.current", path);
	if (vs_read_file(file, 64, &s) == 0 && vs_parse_u64(vs_strip(s), 0, UINT64_MAX, &v) == 0)
		*mem = v;
	snprintf(file, sizeof(file), "%s/cpu.stat", path);
	if (vs_read_file(file, 4096, &c) == 0) {
		char *p = strstr(c, "usage_usec ");
		if (p && sscanf(p + 11, "%" SCNu64, &v) == 1)
			*cpu_usec = v;
	}
	return 0;
}

/* The process's cgroup in the v2 hierarchy, as shown by /proc/PID/cgroup
 * ("0::/path"), relative to the cgroup2 root. */
int vs_cgroup_of_pid(pid_t pid, char *buf, size_t len)
{
	char path[64];
	_cleanup_free_ char *s = NULL;
	char *line;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	r = vs_read_file(path, 65536, &s);
	if (r < 0)
		return r;
	for (char *save = NULL, *t = strtok_r(s, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		if (strncmp(t, "0::", 3))
			continue;
		line = t + 3;
		if (strlen(line) >= len)
			return -ENAMETOOLONG;
		strcpy(buf, line);
		return 0;
	}
	return -ENOENT;
}
