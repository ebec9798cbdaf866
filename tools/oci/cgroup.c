/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's cgroups.
 *
 * Every container gets a cgroup v2 directory (CGROUP2/PATH): it tracks the
 * processes (ps, kill --all, delete), freezes them (pause: cgroup.freeze,
 * a core file that needs no controller) and is the root of the
 * container's cgroup namespace.  Limits go where the host has the
 * controller: in v2 when it delegates it, else in the v1 hierarchy of a
 * hybrid host (/sys/fs/cgroup/memory, pids, cpu, devices), the same PATH.
 * A limit neither can enforce is refused, naming the field.
 *
 * PATH is linux.cgroupsPath: "/a/b" or "a/b" as is; systemd's
 * "slice:prefix:name" becomes "slice/prefix-name.scope" (--systemd-cgroup:
 * the directory systemd would use, created by us — systemd is not asked);
 * none: "vserver-oci/ID". */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "devices-bpf.h"
#include "oci.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int oci_cg_v2_root(char *buf, size_t len)
{
	struct statfs sf;

	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
		snprintf(buf, len, "/sys/fs/cgroup");
		return 0;
	}
	if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
		snprintf(buf, len, "/sys/fs/cgroup/unified");
		return 0;
	}
	return oci_err(-ENOENT, "no cgroup2 file system at /sys/fs/cgroup or "
		       "/sys/fs/cgroup/unified; vserver-oci needs one to track containers");
}

static int mkdir_p(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *c = p + 1; *c; c++)
		if (*c == '/') {
			*c = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return -errno;
			*c = '/';
		}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int oci_cg_write(const char *dir, const char *file, const char *val, const char *field)
{
	char p[PATH_MAX];
	int fd, e;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) < 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		return oci_err(-e, "%s: cannot write \"%s\" to %s: %s", field, val, p, strerror(e));
	}
	close(fd);
	return 0;
}

bool oci_cg_v2_has(const char *root, const char *ctrl)
{
	char p[PATH_MAX], buf[512];
	FILE *f;
	bool r = false;

	snprintf(p, sizeof(p), "%s/cgroup.controllers", root);
	if (!(f = fopen(p, "re")))
		return false;
	if (fgets(buf, sizeof(buf), f))
		for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
			if (!strcmp(t, ctrl))
				r = true;
	fclose(f);
	return r;
}

/* enables ctrl in every ancestor of PATH below the root */
int oci_cg_v2_enable(const char *root, const char *path, const char *ctrl, const char *field)
{
	char p[PATH_MAX], val[32];
	size_t rl = strlen(root);
	int r;

	snprintf(p, sizeof(p), "%s/%s", root, path);
	snprintf(val, sizeof(val), "+%s", ctrl);
	for (char *c = p + rl; c; c = strchr(c + 1, '/')) {
		char save = *c;
		*c = '\0';
		r = oci_cg_write(p, "cgroup.subtree_control", val, field);
		*c = save;
		if (r < 0)
			return r;
	}
	return 0;
}

bool oci_cg_v1_has(const char *ctrl)
{
	char p[64];
	struct statfs sf;

	snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", ctrl);
	return statfs(p, &sf) == 0 && sf.f_type == 0x27e0eb /* CGROUP_SUPER_MAGIC */;
}

int oci_cg_v1_dir(const char *ctrl, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/fs/cgroup/%s/%s", ctrl, path);
	return mkdir_p(buf) < 0 ? oci_err(-errno, "%s: %s", buf, strerror(errno)) : 0;
}

static char *cg_path(const struct oci_spec *s, const char *id)
{
	char buf[PATH_MAX];
	const char *p = s ? s->cgroups_path : NULL;

	if (!p || !*p) {
		snprintf(buf, sizeof(buf), "vserver-oci/%s", id);
	} else if (strchr(p, ':')) {
		char slice[256] = "", prefix[256] = "", name[256] = "";
		sscanf(p, "%255[^:]:%255[^:]:%255s", slice, prefix, name);
		snprintf(buf, sizeof(buf), "%s/%s-%s.scope", *slice ? slice : "system.slice",
			 prefix, *name ? name : id);
	} else {
		while (*p == '/')
			p++;
		snprintf(buf, sizeof(buf), "%s", p);
	}
	return strdup(buf);
}

/* one limit: v2 if delegated, else v1, else refused */
static int limit(const char *v2, const char *root, struct oci_state *st, const char *ctrl,
		 bool *v1flag, const char *v2file, const char *v2val, const char *v1file,
		 const char *v1val, const char *field)
{
	char d[PATH_MAX];
	int r;

	if (oci_cg_v2_has(root, ctrl)) {
		if ((r = oci_cg_v2_enable(root, st->cgroup, ctrl, field)) < 0)
			return r;
		return oci_cg_write(v2, v2file, v2val, field);
	}
	if (oci_cg_v1_has(ctrl)) {
		if ((r = oci_cg_v1_dir(ctrl, st->cgroup, d, sizeof(d))) < 0)
			return r;
		*v1flag = true;
		return oci_cg_write(d, v1file, v1val, field);
	}
	return oci_err(-EOPNOTSUPP, "%s: the host has no %s cgroup controller for this "
		       "container (neither delegated in cgroup v2 nor a v1 hierarchy)", field, ctrl);
}

/* linux.resources.devices and, as runc does, the nodes every container
 * gets (init.c makes them) and those of linux.devices: they stay usable
 * whatever the rules say, being last. */
static int devrules_all(const struct oci_spec *s, struct oci_devrule **out, size_t *n)
{
	static const struct { int64_t major, minor; } defaults[] = { { 1, 3 }, { 1, 5 },
		{ 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 }, { 5, 1 }, { 5, 2 }, { 136, -1 } };
	const size_t nd = sizeof(defaults) / sizeof(defaults[0]);
	struct oci_devrule *v = calloc(s->n_devrules + nd + s->n_devices, sizeof(*v));
	size_t k = 0;

	if (!v)
		return oci_err(-ENOMEM, "linux.resources.devices: out of memory");
	for (size_t i = 0; i < s->n_devrules; i++)
		v[k++] = s->devrules[i];
	for (size_t i = 0; i < nd; i++)
		v[k++] = (struct oci_devrule){ .allow = true, .type = 'c', .major = defaults[i].major,
					       .minor = defaults[i].minor, .access = "rwm" };
	for (size_t i = 0; i < s->n_devices; i++)
		if (s->devices[i].type != 'p')
			v[k++] = (struct oci_devrule){ .allow = true, .type = s->devices[i].type,
						       .major = s->devices[i].major,
						       .minor = s->devices[i].minor, .access = "rwm" };
	*out = v;
	*n = k;
	return 0;
}

/* the field a rule of devrules_all() came from, for errors */
static void devrule_field(const struct oci_spec *s, size_t i, char *buf, size_t len)
{
	if (i < s->n_devrules)
		snprintf(buf, len, "linux.resources.devices[%zu]", i);
	else
		snprintf(buf, len, "linux.resources.devices (the default nodes, linux.devices)");
}

/* the v1 devices controller: its cgroup starts with the parent's list,
 * so first "deny all", which makes a device no rule names denied as on
 * eBPF (and as the runtime spec's rules expect) */
static int devices_v1(const struct oci_spec *s, struct oci_state *st)
{
	struct oci_devrule *v;
	char d[PATH_MAX], rule[64], maj[24], min[24], field[96];
	size_t n;
	int r;

	if ((r = oci_cg_v1_dir("devices", st->cgroup, d, sizeof(d))) < 0)
		return r;
	st->v1_devices = true;
	if ((r = oci_cg_write(d, "devices.deny", "a", "linux.resources.devices")) < 0 ||
	    (r = devrules_all(s, &v, &n)) < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		snprintf(maj, sizeof(maj), v[i].major >= 0 ? "%lld" : "*", (long long)v[i].major);
		snprintf(min, sizeof(min), v[i].minor >= 0 ? "%lld" : "*", (long long)v[i].minor);
		devrule_field(s, i, field, sizeof(field));
		/* v1's "a" is every device with every access (it resets the
		 * list); a narrower "a" rule is the same rule for c and b */
		if (v[i].type == 'a' && v[i].major < 0 && v[i].minor < 0 &&
		    strchr(v[i].access, 'r') && strchr(v[i].access, 'w') &&
		    strchr(v[i].access, 'm')) {
			r = oci_cg_write(d, v[i].allow ? "devices.allow" : "devices.deny", "a", field);
			continue;
		}
		for (const char *t = v[i].type == 'a' ? "cb" : (char[]){ v[i].type, 0 };
		     *t && r == 0; t++) {
			snprintf(rule, sizeof(rule), "%c %s:%s %s", *t, maj, min, v[i].access);
			if (*v[i].access)
				r = oci_cg_write(d, v[i].allow ? "devices.allow" : "devices.deny",
					       rule, field);
		}
	}
	free(v);
	return r;
}

static int devices_ebpf(const struct oci_spec *s, int cgfd)
{
	struct oci_devrule *v;
	struct bpf_insn *p;
	size_t n, len;
	int r;

	if ((r = devrules_all(s, &v, &n)) < 0)
		return r;
	r = oci_devbpf_build(v, n, &p, &len);
	free(v);
	if (r < 0)
		return r;
	oci_debug("linux.resources.devices: %zu rules, an eBPF device filter of %zu "
		  "instructions", n, len);
	r = oci_devbpf_attach(cgfd, p, len);
	free(p);
	if (r < 0 && !oci_cg_v1_has("devices"))
		strncat(oci_errmsg, "; the host has no cgroup v1 devices controller either",
			sizeof(oci_errmsg) - strlen(oci_errmsg) - 1);
	return r;
}

/* v1 where the host has the devices controller (a hybrid host), else the
 * eBPF filter on the v2 cgroup; VSERVER_OCI_DEVICES forces either.  *ebpf:
 * the filter is to be attached once the cgroup is open. */
static int devices_setup(const struct oci_spec *s, struct oci_state *st, bool *ebpf)
{
	enum oci_devmode m;
	int r;

	if ((r = oci_devices_mode(&m)) < 0)
		return r;
	if (m == OCI_DEV_V1 || (m == OCI_DEV_AUTO && oci_cg_v1_has("devices"))) {
		if (!oci_cg_v1_has("devices"))
			return oci_err(-EOPNOTSUPP, "linux.resources.devices: VSERVER_OCI_DEVICES=v1, "
				       "but the host has no cgroup v1 devices controller");
		return devices_v1(s, st);
	}
	*ebpf = true;
	return 0;
}

const char *oci_cgroup_devices(void)
{
	static char buf[sizeof(oci_errmsg) + 16];
	enum oci_devmode m;
	char root[PATH_MAX];

	if (oci_devices_mode(&m) < 0)
		snprintf(buf, sizeof(buf), "none: %s", oci_errmsg);
	else if (m != OCI_DEV_EBPF && oci_cg_v1_has("devices"))
		snprintf(buf, sizeof(buf), "v1");
	else if (m == OCI_DEV_V1)
		snprintf(buf, sizeof(buf), "none: VSERVER_OCI_DEVICES=v1, but no v1 devices controller");
	else if (oci_cg_v2_root(root, sizeof(root)) < 0 || oci_devbpf_probe() < 0)
		snprintf(buf, sizeof(buf), "none: %s", oci_errmsg);
	else
		snprintf(buf, sizeof(buf), "ebpf");
	return buf;
}

int oci_cgroup_setup(const struct oci_spec *s, const char *id, struct oci_state *st, int *v2fd)
{
	char root[PATH_MAX], v2[PATH_MAX], a[64], b[64];
	bool ebpf = false;
	int r;

	*v2fd = -1;
	if ((r = oci_cg_v2_root(root, sizeof(root))) < 0)
		return r;
	st->cgroup = cg_path(s, id);
	snprintf(v2, sizeof(v2), "%s/%s", root, st->cgroup);
	if (mkdir_p(v2) < 0)
		return oci_err(-errno, "linux.cgroupsPath: cannot create %s: %s", v2, strerror(errno));
	if (s->has_mem) {
		if (s->mem_limit > 0) {
			snprintf(a, sizeof(a), "%lld", (long long)s->mem_limit);
			if ((r = limit(v2, root, st, "memory", &st->v1_memory, "memory.max", a,
				       "memory.limit_in_bytes", a,
				       "linux.resources.memory.limit")) < 0)
				return r;
		}
		if (s->mem_reservation > 0) {
			snprintf(a, sizeof(a), "%lld", (long long)s->mem_reservation);
			if ((r = limit(v2, root, st, "memory", &st->v1_memory, "memory.low", a,
				       "memory.soft_limit_in_bytes", a,
				       "linux.resources.memory.reservation")) < 0)
				return r;
		}
		if (s->mem_swap > 0 && s->mem_limit > 0 && s->mem_swap >= s->mem_limit) {
			/* OCI's swap is memory+swap (v1); v2 wants swap alone */
			snprintf(a, sizeof(a), "%lld", (long long)(s->mem_swap - s->mem_limit));
			snprintf(b, sizeof(b), "%lld", (long long)s->mem_swap);
			r = limit(v2, root, st, "memory", &st->v1_memory, "memory.swap.max", a,
				  "memory.memsw.limit_in_bytes", b, "linux.resources.memory.swap");
			if (r == -ENOENT)
				r = oci_err(-EOPNOTSUPP, "linux.resources.memory.swap: the kernel "
					    "does not account swap (swapaccount)");
			if (r < 0)
				return r;
		}
	}
	if (s->has_pids) {
		snprintf(a, sizeof(a), "%lld", (long long)s->pids_limit);
		if ((r = limit(v2, root, st, "pids", &st->v1_pids, "pids.max", a, "pids.max", a,
			       "linux.resources.pids.limit")) < 0)
			return r;
	}
	if (s->has_cpu && s->cpu_shares) {
		uint32_t w;
		if (vs_cpu_shares_to_weight(s->cpu_shares, &w) < 0)
			return oci_err(-EINVAL, "linux.resources.cpu.shares: %llu is out of range",
				       (unsigned long long)s->cpu_shares);
		snprintf(a, sizeof(a), "%u", w);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)s->cpu_shares);
		if ((r = limit(v2, root, st, "cpu", &st->v1_cpu, "cpu.weight", a, "cpu.shares", b,
			       "linux.resources.cpu.shares")) < 0)
			return r;
	}
	if (s->has_cpu && s->cpu_quota > 0) {
		unsigned long long per = s->cpu_period ? s->cpu_period : 100000;
		char d[PATH_MAX];
		snprintf(a, sizeof(a), "%lld %llu", (long long)s->cpu_quota, per);
		if (oci_cg_v2_has(root, "cpu")) {
			if ((r = limit(v2, root, st, "cpu", &st->v1_cpu, "cpu.max", a, "", "",
				       "linux.resources.cpu.quota")) < 0)
				return r;
		} else if (oci_cg_v1_has("cpu")) {
			if ((r = oci_cg_v1_dir("cpu", st->cgroup, d, sizeof(d))) < 0)
				return r;
			st->v1_cpu = true;
			snprintf(a, sizeof(a), "%llu", per);
			snprintf(b, sizeof(b), "%lld", (long long)s->cpu_quota);
			if ((r = oci_cg_write(d, "cpu.cfs_period_us", a, "linux.resources.cpu.period")) < 0 ||
			    (r = oci_cg_write(d, "cpu.cfs_quota_us", b, "linux.resources.cpu.quota")) < 0)
				return r;
		} else {
			return oci_err(-EOPNOTSUPP, "linux.resources.cpu.quota: the host has no cpu "
				       "cgroup controller for this container");
		}
	}
	if (s->n_devrules && (r = devices_setup(s, st, &ebpf)) < 0)
		return r;
	*v2fd = open(v2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*v2fd < 0)
		return oci_err(-errno, "%s: %s", v2, strerror(errno));
	/* before the init is cloned into the cgroup: it never runs unfiltered */
	if (ebpf)
		return devices_ebpf(s, *v2fd);
	return 0;
}

int oci_cgroup_enter(const struct oci_state *st, pid_t pid)
{
	static const char *const c[] = { "memory", "pids", "cpu", "devices" };
	const bool use[] = { st->v1_memory, st->v1_pids, st->v1_cpu, st->v1_devices };
	char d[PATH_MAX], v[24];
	int r;

	snprintf(v, sizeof(v), "%d", pid);
	for (size_t i = 0; i < 4; i++) {
		if (!use[i])
			continue;
		snprintf(d, sizeof(d), "/sys/fs/cgroup/%s/%s", c[i], st->cgroup);
		if ((r = oci_cg_write(d, "cgroup.procs", v, "cgroup")) < 0)
			return r;
	}
	return 0;
}

int oci_cg_v2_dir(const struct oci_state *st, char *buf, size_t len)
{
	char root[PATH_MAX];
	int r;

	if (!st->cgroup || !*st->cgroup)
		return -ENOENT;
	if ((r = oci_cg_v2_root(root, sizeof(root))) < 0)
		return r;
	snprintf(buf, len, "%s/%s", root, st->cgroup);
	return 0;
}

static void collect(const char *dir, pid_t **pids, size_t *n)
{
	char p[PATH_MAX];
	FILE *f;
	DIR *d;
	struct dirent *e;
	long x;

	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	if ((f = fopen(p, "re"))) {
		while (fscanf(f, "%ld", &x) == 1) {
			pid_t *nv = realloc(*pids, (*n + 1) * sizeof(pid_t));
			if (!nv)
				break;
			*pids = nv;
			(*pids)[(*n)++] = (pid_t)x;
		}
		fclose(f);
	}
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			collect(p, pids, n);
		}
	closedir(d);
}

int oci_cgroup_join_v2(const struct oci_state *st)
{
	char d[PATH_MAX];
	int r;

	if ((r = oci_cg_v2_dir(st, d, sizeof(d))) < 0)
		return r;
	return oci_cg_write(d, "cgroup.procs", "0", "cgroup");
}

int oci_cgroup_pids(const struct oci_state *st, pid_t **pids, size_t *n)
{
	char d[PATH_MAX];
	int r;

	*pids = NULL;
	*n = 0;
	if ((r = oci_cg_v2_dir(st, d, sizeof(d))) < 0)
		return r;
	collect(d, pids, n);
	return 0;
}

bool oci_cgroup_frozen(const struct oci_state *st)
{
	char d[PATH_MAX], buf[256];
	bool fr = false;
	FILE *f;

	if (oci_cg_v2_dir(st, d, sizeof(d)) < 0)
		return false;
	strncat(d, "/cgroup.events", sizeof(d) - strlen(d) - 1);
	if (!(f = fopen(d, "re")))
		return false;
	while (fgets(buf, sizeof(buf), f))
		if (!strcmp(buf, "frozen 1\n"))
			fr = true;
	fclose(f);
	return fr;
}

int oci_cgroup_freeze(const struct oci_state *st, bool freeze)
{
	char d[PATH_MAX];
	int r;

	if ((r = oci_cg_v2_dir(st, d, sizeof(d))) < 0)
		return oci_err(r, "the container has no cgroup");
	if ((r = oci_cg_write(d, "cgroup.freeze", freeze ? "1" : "0", "cgroup.freeze")) < 0)
		return r;
	/* the freeze completes asynchronously: wait for cgroup.events */
	for (int i = 0; i < 500 && oci_cgroup_frozen(st) != freeze; i++)
		usleep(10000);
	if (oci_cgroup_frozen(st) != freeze)
		return oci_err(-ETIMEDOUT, "the container did not %s within 5 s",
			       freeze ? "freeze" : "thaw");
	return 0;
}

int oci_cgroup_kill_all(const struct oci_state *st, int sig)
{
	char d[PATH_MAX];
	pid_t *pids;
	size_t n;
	int r;

	if ((r = oci_cg_v2_dir(st, d, sizeof(d))) < 0)
		return r;
	if (sig == SIGKILL && oci_cg_write(d, "cgroup.kill", "1", "cgroup.kill") == 0)
		return 0;
	if ((r = oci_cgroup_pids(st, &pids, &n)) < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		kill(pids[i], sig);
	free(pids);
	return 0;
}

static void rmdir_tree(const char *dir)
{
	char p[PATH_MAX];
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (e->d_type == DT_DIR && e->d_name[0] != '.') {
				snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
				rmdir_tree(p);
			}
		closedir(d);
	}
	/* a cgroup empties asynchronously after its last process died */
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
		usleep(10000);
}

void oci_cgroup_remove(const struct oci_state *st)
{
	static const char *const c[] = { "memory", "pids", "cpu", "devices" };
	const bool use[] = { st->v1_memory, st->v1_pids, st->v1_cpu, st->v1_devices };
	char d[PATH_MAX];

	if (oci_cg_v2_dir(st, d, sizeof(d)) == 0)
		rmdir_tree(d);
	for (size_t i = 0; i < 4; i++)
		if (use[i]) {
			snprintf(d, sizeof(d), "/sys/fs/cgroup/%s/%s", c[i], st->cgroup);
			rmdir_tree(d);
		}
}
