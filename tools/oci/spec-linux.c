/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json: "mounts" and "linux" (namespaces, resources, devices,
 * masked and read-only paths, sysctl, seccomp).  Same rule as spec.c:
 * what is not honoured is refused, naming the field. */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "oci.h"

/* ".." anywhere, or not absolute: the path could leave the container */
static int check_inner_path(const char *p, const char *field)
{
	const char *c = p;

	if (p[0] != '/')
		return oci_err(-EINVAL, "%s: \"%s\" is not an absolute path", field, p);
	while ((c = strstr(c, "..")) != NULL) {
		if (c[-1] == '/' && (c[2] == '/' || c[2] == '\0'))
			return oci_err(-EINVAL, "%s: \"%s\" contains \"..\"", field, p);
		c += 2;
	}
	return 0;
}

static const struct mopt {
	const char *name;
	unsigned long set, clear;
} mopts[] = {
	{ "ro", MS_RDONLY, 0 }, { "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 }, { "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 }, { "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 }, { "remount", MS_REMOUNT, 0 },
	{ "mand", MS_MANDLOCK, 0 }, { "nomand", 0, MS_MANDLOCK },
	{ "noatime", MS_NOATIME, 0 }, { "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 }, { "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
	{ "defaults", 0, 0 },
};
static const struct { const char *name; unsigned long flags; } props[] = {
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static int add_data(char **data, const char *opt)
{
	size_t l = *data ? strlen(*data) : 0;
	char *n = realloc(*data, l + strlen(opt) + 2);

	if (!n)
		return oci_err(-ENOMEM, "out of memory");
	if (l)
		n[l++] = ',';
	strcpy(n + l, opt);
	*data = n;
	return 0;
}

static int parse_mount(struct json_object *e, const char *field, struct oci_mount *m)
{
	static const char *const keys[] = { "destination", "type", "source", "options", NULL };
	struct json_object *v;
	int r;

	if ((r = oci_check_keys(e, field, keys)) < 0)
		return r;
	if (!json_object_object_get_ex(e, "destination", &v) ||
	    !json_object_is_type(v, json_type_string))
		return oci_err(-EINVAL, "%s.destination: missing or not a string", field);
	m->dest = strdup(json_object_get_string(v));
	if ((r = check_inner_path(m->dest, field)) < 0)
		return r;
	if (json_object_object_get_ex(e, "type", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return oci_err(-EINVAL, "%s.type: must be a string", field);
		m->type = strdup(json_object_get_string(v));
	}
	if (json_object_object_get_ex(e, "source", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return oci_err(-EINVAL, "%s.source: must be a string", field);
		m->source = strdup(json_object_get_string(v));
	}
	if (json_object_object_get_ex(e, "options", &v)) {
		char **o = NULL;
		if ((r = oci_strv_from_json(v, field, &o)) < 0)
			return r;
		for (size_t i = 0; o[i] && r == 0; i++) {
			bool done = false;
			if (!strcmp(o[i], "bind") || !strcmp(o[i], "rbind")) {
				m->bind = true;
				m->flags |= MS_BIND | (o[i][0] == 'r' ? MS_REC : 0);
				continue;
			}
			if (!strcmp(o[i], "tmpcopyup")) {
				m->tmpcopyup = true;
				continue;
			}
			for (size_t k = 0; k < sizeof(mopts) / sizeof(mopts[0]) && !done; k++)
				if (!strcmp(o[i], mopts[k].name)) {
					m->flags = (m->flags & ~mopts[k].clear) | mopts[k].set;
					m->clear = (m->clear & ~mopts[k].set) | mopts[k].clear;
					done = true;
				}
			for (size_t k = 0; k < sizeof(props) / sizeof(props[0]) && !done; k++)
				if (!strcmp(o[i], props[k].name)) {
					m->propagation = props[k].flags;
					done = true;
				}
			if (done)
				continue;
			if (!strcmp(o[i], "idmap") || !strcmp(o[i], "ridmap") ||
			    !strncmp(o[i], "X-mount.", 8) || !strcmp(o[i], "copy-symlink") ||
			    !strcmp(o[i], "notmpcopyup"))
				r = oci_err(-EOPNOTSUPP, "%s.options: \"%s\" is not supported by "
					    "vserver-oci", field, o[i]);
			else
				/* file-system specific (mode=755, size=65536k, newinstance):
				 * the kernel judges them at mount time */
				r = add_data(&m->data, o[i]);
		}
		oci_strv_free(o);
		if (r < 0)
			return r;
	}
	m->ro = m->flags & MS_RDONLY;
	if (!m->type && !m->bind)
		return oci_err(-EINVAL, "%s.type: missing (and not a bind mount)", field);
	if (m->type && !strcmp(m->type, "bind"))
		m->bind = true, m->flags |= MS_BIND;
	if (m->bind && (!m->source || !*m->source))
		return oci_err(-EINVAL, "%s.source: a bind mount needs a source", field);
	if (m->bind && m->source[0] != '/')
		return oci_err(-EINVAL, "%s.source: \"%s\" is not an absolute path", field,
			       m->source);
	return 0;
}

int oci_parse_mounts(struct json_object *a, struct oci_spec *s)
{
	size_t n;
	int r;

	if (!json_object_is_type(a, json_type_array))
		return oci_err(-EINVAL, "mounts: must be an array");
	n = json_object_array_length(a);
	s->mounts = calloc(n + 1, sizeof(*s->mounts));
	if (!s->mounts)
		return oci_err(-ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char field[32];
		snprintf(field, sizeof(field), "mounts[%zu]", i);
		s->n_mounts++;
		if ((r = parse_mount(json_object_array_get_idx(a, i), field, &s->mounts[i])) < 0)
			return r;
	}
	return 0;
}

static const struct { const char *name; int flag; } ns_names[] = {
	{ "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER }, { "time", 0x80 /* CLONE_NEWTIME */ },
};

static int parse_namespaces(struct json_object *a, struct oci_spec *s)
{
	static const char *const keys[] = { "type", "path", NULL };
	size_t n;
	int r;

	if (!json_object_is_type(a, json_type_array))
		return oci_err(-EINVAL, "linux.namespaces: must be an array");
	n = json_object_array_length(a);
	s->ns = calloc(n + 1, sizeof(*s->ns));
	if (!s->ns)
		return oci_err(-ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i), *v;
		char field[40];
		const char *t;

		snprintf(field, sizeof(field), "linux.namespaces[%zu]", i);
		if ((r = oci_check_keys(e, field, keys)) < 0)
			return r;
		if (!json_object_object_get_ex(e, "type", &v) ||
		    !json_object_is_type(v, json_type_string))
			return oci_err(-EINVAL, "%s.type: missing or not a string", field);
		t = json_object_get_string(v);
		for (size_t k = 0; k < sizeof(ns_names) / sizeof(ns_names[0]); k++)
			if (!strcmp(t, ns_names[k].name))
				s->ns[i].type = ns_names[k].flag;
		if (!s->ns[i].type)
			return oci_err(-EINVAL, "%s.type: unknown namespace \"%s\"", field, t);
		for (size_t k = 0; k < i; k++)
			if (s->ns[k].type == s->ns[i].type)
				return oci_err(-EINVAL, "%s: namespace \"%s\" given twice", field, t);
		if (s->ns[i].type == CLONE_NEWUSER || s->ns[i].type == 0x80)
			return oci_err(-EOPNOTSUPP, "%s: %s namespaces are not supported by "
				       "vserver-oci", field, t);
		s->n_ns++;
		if (json_object_object_get_ex(e, "path", &v)) {
			if (!json_object_is_type(v, json_type_string) ||
			    json_object_get_string(v)[0] != '/')
				return oci_err(-EINVAL, "%s.path: must be an absolute path", field);
			if (s->ns[i].type == CLONE_NEWPID || s->ns[i].type == CLONE_NEWNS)
				return oci_err(-EOPNOTSUPP, "%s.path: joining an existing %s "
					       "namespace is not supported", field, t);
			s->ns[i].path = strdup(json_object_get_string(v));
		} else {
			s->clone_flags |= (unsigned long)s->ns[i].type;
		}
	}
	if (!(s->clone_flags & CLONE_NEWNS))
		return oci_err(-EOPNOTSUPP, "linux.namespaces: vserver-oci needs a new mount "
			       "namespace (the container's root is pivoted into)");
	return 0;
}

static int get_i64(struct json_object *o, const char *key, const char *field, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return oci_err(-EINVAL, "%s.%s: must be an integer", field, key);
	*out = json_object_get_int64(v);
	return 1;
}

static int parse_devrules(struct json_object *a, struct oci_spec *s)
{
	static const char *const keys[] = { "allow", "type", "major", "minor", "access", NULL };
	size_t n;
	int r;

	if (!json_object_is_type(a, json_type_array))
		return oci_err(-EINVAL, "linux.resources.devices: must be an array");
	n = json_object_array_length(a);
	s->devrules = calloc(n + 1, sizeof(*s->devrules));
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i), *v;
		struct oci_devrule *d = &s->devrules[i];
		char field[48];
		int64_t x;

		snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
		if ((r = oci_check_keys(e, field, keys)) < 0)
			return r;
		if (!json_object_object_get_ex(e, "allow", &v) ||
		    !json_object_is_type(v, json_type_boolean))
			return oci_err(-EINVAL, "%s.allow: missing or not a boolean", field);
		d->allow = json_object_get_boolean(v);
		d->type = 'a';
		d->major = d->minor = -1;
		strcpy(d->access, "rwm");
		if (json_object_object_get_ex(e, "type", &v)) {
			const char *t = json_object_get_string(v);
			if (!json_object_is_type(v, json_type_string) || strlen(t) != 1 ||
			    !strchr("abc", t[0]))
				return oci_err(-EINVAL, "%s.type: must be a, b or c", field);
			d->type = t[0];
		}
		if ((r = get_i64(e, "major", field, &x)) < 0)
			return r;
		if (r)
			d->major = x;
		if ((r = get_i64(e, "minor", field, &x)) < 0)
			return r;
		if (r)
			d->minor = x;
		if (json_object_object_get_ex(e, "access", &v)) {
			const char *t = json_object_get_string(v);
			if (!json_object_is_type(v, json_type_string) || strlen(t) > 3 ||
			    strspn(t, "rwm") != strlen(t))
				return oci_err(-EINVAL, "%s.access: must be made of r, w, m", field);
			snprintf(d->access, sizeof(d->access), "%s", t);
		}
		s->n_devrules++;
	}
	return 0;
}

static int parse_resources(struct json_object *o, struct oci_spec *s)
{
	static const char *const keys[] = { "memory", "pids", "cpu", "devices", NULL };
	static const char *const memk[] = { "limit", "reservation", "swap",
		"disableOOMKiller", "swappiness", NULL };
	static const char *const cpuk[] = { "shares", "quota", "period", "cpus", "mems", NULL };
	static const char *const pidk[] = { "limit", NULL };
	struct json_object *v, *x;
	int r;

	if ((r = oci_check_keys(o, "linux.resources", keys)) < 0)
		return r;
	if (json_object_object_get_ex(o, "memory", &v)) {
		if ((r = oci_check_keys(v, "linux.resources.memory", memk)) < 0)
			return r;
		s->mem_limit = s->mem_reservation = s->mem_swap = -1;
		if ((r = get_i64(v, "limit", "linux.resources.memory", &s->mem_limit)) < 0 ||
		    (r = get_i64(v, "reservation", "linux.resources.memory",
				 &s->mem_reservation)) < 0 ||
		    (r = get_i64(v, "swap", "linux.resources.memory", &s->mem_swap)) < 0)
			return r;
		if (json_object_object_get_ex(v, "disableOOMKiller", &x) &&
		    json_object_get_boolean(x))
			return oci_err(-EOPNOTSUPP, "linux.resources.memory.disableOOMKiller: "
				       "not supported by vserver-oci");
		if (json_object_object_get_ex(v, "swappiness", &x) &&
		    json_object_get_int64(x) >= 0 && json_object_get_uint64(x) <= 100)
			return oci_err(-EOPNOTSUPP, "linux.resources.memory.swappiness: not "
				       "supported by vserver-oci");
		s->has_mem = s->mem_limit > 0 || s->mem_reservation > 0 || s->mem_swap > 0;
	}
	if (json_object_object_get_ex(o, "pids", &v)) {
		if ((r = oci_check_keys(v, "linux.resources.pids", pidk)) < 0 ||
		    (r = get_i64(v, "limit", "linux.resources.pids", &s->pids_limit)) < 0)
			return r;
		s->has_pids = r && s->pids_limit > 0;
	}
	if (json_object_object_get_ex(o, "cpu", &v)) {
		int64_t sh = 0, per = 0;
		if ((r = oci_check_keys(v, "linux.resources.cpu", cpuk)) < 0 ||
		    (r = get_i64(v, "shares", "linux.resources.cpu", &sh)) < 0 ||
		    (r = get_i64(v, "quota", "linux.resources.cpu", &s->cpu_quota)) < 0 ||
		    (r = get_i64(v, "period", "linux.resources.cpu", &per)) < 0)
			return r;
		if (sh < 0 || per < 0)
			return oci_err(-EINVAL, "linux.resources.cpu: shares and period must not "
				       "be negative");
		s->cpu_shares = (uint64_t)sh;
		s->cpu_period = (uint64_t)per;
		if (json_object_object_get_ex(v, "cpus", &x) && *json_object_get_string(x))
			s->cpuset_cpus = strdup(json_object_get_string(x));
		if (json_object_object_get_ex(v, "mems", &x) && *json_object_get_string(x))
			s->cpuset_mems = strdup(json_object_get_string(x));
		if (s->cpuset_cpus || s->cpuset_mems)
			return oci_err(-EOPNOTSUPP, "linux.resources.cpu.cpus/mems: cpusets are "
				       "not supported by vserver-oci");
		s->has_cpu = s->cpu_shares || s->cpu_quota > 0;
	}
	if (json_object_object_get_ex(o, "devices", &v) && (r = parse_devrules(v, s)) < 0)
		return r;
	return 0;
}

static int parse_devices(struct json_object *a, struct oci_spec *s)
{
	static const char *const keys[] = { "path", "type", "major", "minor", "fileMode",
		"uid", "gid", NULL };
	size_t n;
	int r;

	if (!json_object_is_type(a, json_type_array))
		return oci_err(-EINVAL, "linux.devices: must be an array");
	n = json_object_array_length(a);
	s->devices = calloc(n + 1, sizeof(*s->devices));
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i), *v;
		struct oci_device *d = &s->devices[i];
		char field[40];
		int64_t x;
		const char *t;

		snprintf(field, sizeof(field), "linux.devices[%zu]", i);
		if ((r = oci_check_keys(e, field, keys)) < 0)
			return r;
		if (!json_object_object_get_ex(e, "path", &v) ||
		    !json_object_is_type(v, json_type_string))
			return oci_err(-EINVAL, "%s.path: missing or not a string", field);
		d->path = strdup(json_object_get_string(v));
		s->n_devices++;
		if ((r = check_inner_path(d->path, field)) < 0)
			return r;
		if (!json_object_object_get_ex(e, "type", &v) ||
		    !json_object_is_type(v, json_type_string))
			return oci_err(-EINVAL, "%s.type: missing or not a string", field);
		t = json_object_get_string(v);
		if (strlen(t) != 1 || !strchr("cbup", t[0]))
			return oci_err(-EINVAL, "%s.type: must be c, b, u or p", field);
		d->type = t[0] == 'u' ? 'c' : t[0];
		if ((r = get_i64(e, "major", field, &d->major)) < 0 ||
		    (d->type != 'p' && r == 0))
			return r < 0 ? r : oci_err(-EINVAL, "%s.major: missing", field);
		if ((r = get_i64(e, "minor", field, &d->minor)) < 0 ||
		    (d->type != 'p' && r == 0))
			return r < 0 ? r : oci_err(-EINVAL, "%s.minor: missing", field);
		if ((r = get_i64(e, "fileMode", field, &x)) < 0)
			return r;
		if (r && (x < 0 || x > 07777))
			return oci_err(-EINVAL, "%s.fileMode: out of range", field);
		d->has_mode = r;
		d->mode = (uint32_t)x;
		if ((r = get_i64(e, "uid", field, &x)) < 0)
			return r;
		d->has_uid = r;
		d->uid = (uint32_t)x;
		if ((r = get_i64(e, "gid", field, &x)) < 0)
			return r;
		d->has_gid = r;
		d->gid = (uint32_t)x;
	}
	return 0;
}

static int parse_paths(struct json_object *a, const char *field, char ***out)
{
	int r = oci_strv_from_json(a, field, out);

	for (size_t i = 0; r == 0 && (*out)[i]; i++) {
		char f[64];
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		r = check_inner_path((*out)[i], f);
	}
	return r;
}

static bool has_ns(const struct oci_spec *s, int type)
{
	for (size_t i = 0; i < s->n_ns; i++)
		if (s->ns[i].type == type)
			return true;
	return false;
}

int oci_parse_linux(struct json_object *lin, struct oci_spec *s)
{
	static const char *const keys[] = { "namespaces", "resources", "cgroupsPath", "devices",
		"maskedPaths", "readonlyPaths", "sysctl", "seccomp", "rootfsPropagation",
		"uidMappings", "gidMappings", "mountLabel", NULL };
	struct json_object *v;
	int r;

	if ((r = oci_check_keys(lin, "linux", keys)) < 0)
		return r;
	if ((json_object_object_get_ex(lin, "uidMappings", &v) &&
	     json_object_array_length(v) > 0) ||
	    (json_object_object_get_ex(lin, "gidMappings", &v) && json_object_array_length(v) > 0))
		return oci_err(-EOPNOTSUPP, "linux.uidMappings/gidMappings: user namespaces are "
			       "not supported by vserver-oci");
	if (json_object_object_get_ex(lin, "mountLabel", &v) && *json_object_get_string(v))
		return oci_err(-EOPNOTSUPP, "linux.mountLabel: SELinux labels are not supported "
			       "by vserver-oci");
	if (!json_object_object_get_ex(lin, "namespaces", &v))
		return oci_err(-EINVAL, "linux.namespaces: missing");
	if ((r = parse_namespaces(v, s)) < 0)
		return r;
	if (json_object_object_get_ex(lin, "resources", &v) && (r = parse_resources(v, s)) < 0)
		return r;
	if (json_object_object_get_ex(lin, "cgroupsPath", &v)) {
		const char *p = json_object_get_string(v);
		if (!json_object_is_type(v, json_type_string) || strstr(p, ".."))
			return oci_err(-EINVAL, "linux.cgroupsPath: must be a path without \"..\"");
		s->cgroups_path = strdup(p);
	}
	if (json_object_object_get_ex(lin, "devices", &v) && (r = parse_devices(v, s)) < 0)
		return r;
	if (json_object_object_get_ex(lin, "maskedPaths", &v) &&
	    (r = parse_paths(v, "linux.maskedPaths", &s->masked)) < 0)
		return r;
	if (json_object_object_get_ex(lin, "readonlyPaths", &v) &&
	    (r = parse_paths(v, "linux.readonlyPaths", &s->readonly)) < 0)
		return r;
	if (json_object_object_get_ex(lin, "sysctl", &v)) {
		if (!json_object_is_type(v, json_type_object))
			return oci_err(-EINVAL, "linux.sysctl: must be an object");
		s->sysctl = calloc((size_t)json_object_object_length(v) + 1, sizeof(*s->sysctl));
		json_object_object_foreach(v, key, val) {
			if (!json_object_is_type(val, json_type_string))
				return oci_err(-EINVAL, "linux.sysctl.%s: must be a string", key);
			if (strstr(key, "..") || strchr(key, '/') || !*key)
				return oci_err(-EINVAL, "linux.sysctl.%s: not a sysctl name", key);
			if (strncmp(key, "net.", 4) && strncmp(key, "kernel.msg", 10) &&
			    strncmp(key, "kernel.sem", 10) && strncmp(key, "kernel.shm", 10) &&
			    strncmp(key, "fs.mqueue.", 10) && strcmp(key, "kernel.domainname") &&
			    strcmp(key, "kernel.hostname"))
				return oci_err(-EOPNOTSUPP, "linux.sysctl.%s: not namespaced; "
					       "refused (it would change the host)", key);
			if (!strncmp(key, "net.", 4) && !has_ns(s, CLONE_NEWNET))
				return oci_err(-EINVAL, "linux.sysctl.%s: needs a new network "
					       "namespace", key);
			s->sysctl[s->n_sysctl].key = strdup(key);
			s->sysctl[s->n_sysctl++].value = strdup(json_object_get_string(val));
		}
	}
	if (json_object_object_get_ex(lin, "rootfsPropagation", &v)) {
		const char *p = json_object_get_string(v);
		static const struct { const char *n; unsigned long f; } rp[] = {
			{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
			{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
			{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
			{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
		};
		for (size_t i = 0; i < sizeof(rp) / sizeof(rp[0]); i++)
			if (!strcmp(p, rp[i].n))
				s->root_propagation = rp[i].f;
		if (!s->root_propagation)
			return oci_err(-EINVAL, "linux.rootfsPropagation: unknown \"%s\"", p);
	}
	if (json_object_object_get_ex(lin, "seccomp", &v)) {
		s->has_seccomp = true;
		if ((r = oci_parse_seccomp(v, &s->seccomp)) < 0)
			return r;
	}
	return 0;
}
