/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json: the top level and "process".
 *
 * Parsed with json-c, never by hand.  Every object is checked against the
 * list of members this runtime honours: anything else — a field of a
 * newer spec, a typo, a setting we cannot apply — is an error naming the
 * field, so that nothing a caller asked for is silently dropped.  The
 * file is size-limited and its nesting depth bounded before anything is
 * looked at.  Paths that must stay inside the container (mount
 * destinations, masked paths) are checked for ".." here and resolved
 * inside the root at mount time (init.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

static int get_str(struct json_object *o, const char *key, const char *field, char **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return oci_err(-EINVAL, "%s.%s: must be a string", field, key);
	if (!(*out = strdup(json_object_get_string(v))))
		return oci_err(-ENOMEM, "out of memory");
	return 1;
}

static int get_u64(struct json_object *o, const char *key, const char *field, uint64_t max,
		   uint64_t *out)
{
	struct json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return oci_err(-EINVAL, "%s.%s: must be an integer", field, key);
	errno = 0;
	x = json_object_get_int64(v);
	if (x < 0 && json_object_get_uint64(v) > INT64_MAX)
		*out = json_object_get_uint64(v);
	else if (x < 0)
		return oci_err(-ERANGE, "%s.%s: must not be negative", field, key);
	else
		*out = (uint64_t)x;
	if (*out > max)
		return oci_err(-ERANGE, "%s.%s: %llu is out of range", field, key,
			       (unsigned long long)*out);
	return 1;
}

static int get_bool(struct json_object *o, const char *key, const char *field, bool *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return oci_err(-EINVAL, "%s.%s: must be true or false", field, key);
	*out = json_object_get_boolean(v);
	return 1;
}

static int caps_from(struct json_object *c, const char *key, uint64_t *mask)
{
	struct json_object *a;
	char field[64];

	*mask = 0;
	if (!json_object_object_get_ex(c, key, &a))
		return 0;
	snprintf(field, sizeof(field), "process.capabilities.%s", key);
	if (!json_object_is_type(a, json_type_array))
		return oci_err(-EINVAL, "%s: must be an array of strings", field);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		cap_value_t cv;
		if (!json_object_is_type(e, json_type_string))
			return oci_err(-EINVAL, "%s[%zu]: must be a string", field, i);
		if (cap_from_name(json_object_get_string(e), &cv) < 0 || cv < 0 || cv > 63 ||
		    strncasecmp(json_object_get_string(e), "CAP_", 4))
			return oci_err(-EINVAL, "%s[%zu]: unknown capability \"%s\"", field, i,
				       json_object_get_string(e));
		if (!CAP_IS_SUPPORTED(cv))
			return oci_err(-EOPNOTSUPP, "%s[%zu]: %s is not supported by this kernel",
				       field, i, json_object_get_string(e));
		*mask |= 1ULL << cv;
	}
	return 0;
}

static const struct { const char *name; int res; } rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(struct json_object *a, struct oci_process *p)
{
	static const char *const keys[] = { "type", "soft", "hard", NULL };
	size_t n;
	int r;

	if (!json_object_is_type(a, json_type_array))
		return oci_err(-EINVAL, "process.rlimits: must be an array");
	n = json_object_array_length(a);
	p->rlimits = calloc(n + 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return oci_err(-ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		struct oci_rlimit *l = &p->rlimits[i];
		char field[48], *type = NULL;
		bool found = false;

		snprintf(field, sizeof(field), "process.rlimits[%zu]", i);
		if ((r = oci_check_keys(e, field, keys)) < 0 ||
		    (r = get_str(e, "type", field, &type)) < 0)
			return r;
		for (size_t k = 0; type && k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
			if (!strcmp(type, rlimit_names[k].name)) {
				l->resource = rlimit_names[k].res;
				found = true;
			}
		if (!found) {
			r = oci_err(-EINVAL, "%s.type: unknown limit \"%s\"", field,
				    type ? type : "(missing)");
			free(type);
			return r;
		}
		free(type);
		if ((r = get_u64(e, "soft", field, UINT64_MAX, &l->soft)) <= 0 ||
		    (r = get_u64(e, "hard", field, UINT64_MAX, &l->hard)) <= 0)
			return r < 0 ? r : oci_err(-EINVAL, "%s: needs soft and hard", field);
		if (l->soft > l->hard)
			return oci_err(-EINVAL, "%s: soft %llu is above hard %llu", field,
				       (unsigned long long)l->soft, (unsigned long long)l->hard);
		p->n_rlimits++;
	}
	return 0;
}

static int parse_user(struct json_object *u, struct oci_process *p)
{
	static const char *const keys[] = { "uid", "gid", "umask", "additionalGids", NULL };
	struct json_object *g;
	uint64_t v;
	int r;

	if ((r = oci_check_keys(u, "process.user", keys)) < 0)
		return r;
	if ((r = get_u64(u, "uid", "process.user", UINT32_MAX - 1, &v)) < 0)
		return r;
	p->uid = r ? (uid_t)v : 0;
	if ((r = get_u64(u, "gid", "process.user", UINT32_MAX - 1, &v)) < 0)
		return r;
	p->gid = r ? (gid_t)v : 0;
	if ((r = get_u64(u, "umask", "process.user", 0777, &v)) < 0)
		return r;
	p->has_umask = r;
	p->umask = (mode_t)v;
	if (json_object_object_get_ex(u, "additionalGids", &g)) {
		if (!json_object_is_type(g, json_type_array))
			return oci_err(-EINVAL, "process.user.additionalGids: must be an array");
		p->n_gids = json_object_array_length(g);
		if (p->n_gids > 65536)
			return oci_err(-E2BIG, "process.user.additionalGids: too many groups");
		p->gids = calloc(p->n_gids + 1, sizeof(gid_t));
		if (!p->gids)
			return oci_err(-ENOMEM, "out of memory");
		for (size_t i = 0; i < p->n_gids; i++) {
			struct json_object *e = json_object_array_get_idx(g, i);
			int64_t x = json_object_get_int64(e);
			if (!json_object_is_type(e, json_type_int) || x < 0 || x >= UINT32_MAX)
				return oci_err(-EINVAL, "process.user.additionalGids[%zu]: must be "
					       "a group id", i);
			p->gids[i] = (gid_t)x;
		}
	}
	return 0;
}

int oci_process_parse(struct json_object *o, const char *where, struct oci_process *p,
		      bool need_args)
{
	static const char *const keys[] = { "terminal", "consoleSize", "user", "args", "env",
		"cwd", "capabilities", "rlimits", "noNewPrivileges", "apparmorProfile",
		"oomScoreAdj", "selinuxLabel", NULL };
	static const char *const capkeys[] = { "bounding", "effective", "inheritable",
		"permitted", "ambient", NULL };
	struct json_object *v;
	char *s = NULL;
	int r;

	(void)where;
	memset(p, 0, sizeof(*p));
	if ((r = oci_check_keys(o, "process", keys)) < 0 ||
	    (r = get_bool(o, "terminal", "process", &p->terminal)) < 0 ||
	    (r = get_bool(o, "noNewPrivileges", "process", &p->nnp)) < 0)
		return r;
	if (json_object_object_get_ex(o, "consoleSize", &v)) {
		static const char *const ck[] = { "height", "width", NULL };
		uint64_t h = 0, w = 0;
		if ((r = oci_check_keys(v, "process.consoleSize", ck)) < 0 ||
		    (r = get_u64(v, "height", "process.consoleSize", 65535, &h)) < 0 ||
		    (r = get_u64(v, "width", "process.consoleSize", 65535, &w)) < 0)
			return r;
		p->cons_h = (unsigned)h;
		p->cons_w = (unsigned)w;
	}
	if (json_object_object_get_ex(o, "user", &v) && (r = parse_user(v, p)) < 0)
		return r;
	if (json_object_object_get_ex(o, "args", &v) &&
	    (r = oci_strv_from_json(v, "process.args", &p->args)) < 0)
		return r;
	if (need_args && (!p->args || !p->args[0]))
		return oci_err(-EINVAL, "process.args: needs at least the program to run");
	if (json_object_object_get_ex(o, "env", &v)) {
		if ((r = oci_strv_from_json(v, "process.env", &p->env)) < 0)
			return r;
		for (size_t i = 0; p->env[i]; i++)
			if (!strchr(p->env[i], '=') || p->env[i][0] == '=')
				return oci_err(-EINVAL, "process.env[%zu]: \"%s\" is not NAME=VALUE",
					       i, p->env[i]);
	}
	if ((r = get_str(o, "cwd", "process", &p->cwd)) < 0)
		return r;
	if (p->cwd && p->cwd[0] != '/')
		return oci_err(-EINVAL, "process.cwd: \"%s\" is not an absolute path", p->cwd);
	if (json_object_object_get_ex(o, "capabilities", &v)) {
		p->caps_given = true;
		if ((r = oci_check_keys(v, "process.capabilities", capkeys)) < 0 ||
		    (r = caps_from(v, "bounding", &p->cap_bounding)) < 0 ||
		    (r = caps_from(v, "effective", &p->cap_effective)) < 0 ||
		    (r = caps_from(v, "inheritable", &p->cap_inheritable)) < 0 ||
		    (r = caps_from(v, "permitted", &p->cap_permitted)) < 0 ||
		    (r = caps_from(v, "ambient", &p->cap_ambient)) < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "rlimits", &v) && (r = parse_rlimits(v, p)) < 0)
		return r;
	if ((r = get_str(o, "apparmorProfile", "process", &p->apparmor)) < 0)
		return r;
	if (p->apparmor && !*p->apparmor) {
		free(p->apparmor);
		p->apparmor = NULL;
	}
	if ((r = get_str(o, "selinuxLabel", "process", &s)) < 0)
		return r;
	if (s && *s) {
		free(s);
		return oci_err(-EOPNOTSUPP, "process.selinuxLabel: SELinux labels are not "
			       "supported by vserver-oci");
	}
	free(s);
	if (json_object_object_get_ex(o, "oomScoreAdj", &v)) {
		int64_t x = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || x < -1000 || x > 1000)
			return oci_err(-EINVAL, "process.oomScoreAdj: must be -1000..1000");
		p->has_oom = true;
		p->oom_score_adj = (int)x;
	}
	return 0;
}

void oci_process_free(struct oci_process *p)
{
	oci_strv_free(p->args);
	oci_strv_free(p->env);
	free(p->cwd);
	free(p->gids);
	free(p->rlimits);
	free(p->apparmor);
	memset(p, 0, sizeof(*p));
}

static int parse_hooks(struct json_object *o, struct oci_spec *s)
{
	static const char *const names[] = { "prestart", "createRuntime", "poststart",
		"poststop", NULL };
	static const char *const hk[] = { "path", "args", "env", "timeout", NULL };
	int r;

	json_object_object_foreach(o, key, val) {
		int which = -1;
		for (int i = 0; names[i]; i++)
			if (!strcmp(names[i], key))
				which = i;
		if (which < 0)
			return oci_err(-EOPNOTSUPP, "hooks.%s: not supported by vserver-oci "
				       "(supported: prestart, createRuntime, poststart, poststop)",
				       key);
		if (!json_object_is_type(val, json_type_array))
			return oci_err(-EINVAL, "hooks.%s: must be an array", key);
		s->hooks[which].n = json_object_array_length(val);
		s->hooks[which].h = calloc(s->hooks[which].n + 1, sizeof(struct oci_hook));
		if (!s->hooks[which].h)
			return oci_err(-ENOMEM, "out of memory");
		for (size_t i = 0; i < s->hooks[which].n; i++) {
			struct json_object *e = json_object_array_get_idx(val, i), *x;
			struct oci_hook *h = &s->hooks[which].h[i];
			char field[64];
			uint64_t t = 0;

			snprintf(field, sizeof(field), "hooks.%s[%zu]", key, i);
			if ((r = oci_check_keys(e, field, hk)) < 0 ||
			    (r = get_str(e, "path", field, &h->path)) < 0 ||
			    (r = get_u64(e, "timeout", field, 86400, &t)) < 0)
				return r;
			if (!h->path || h->path[0] != '/')
				return oci_err(-EINVAL, "%s.path: must be an absolute path", field);
			if (r && t == 0)
				return oci_err(-EINVAL, "%s.timeout: must be positive", field);
			h->timeout = (int)t;
			if (json_object_object_get_ex(e, "args", &x) &&
			    (r = oci_strv_from_json(x, field, &h->args)) < 0)
				return r;
			if (json_object_object_get_ex(e, "env", &x) &&
			    (r = oci_strv_from_json(x, field, &h->env)) < 0)
				return r;
		}
	}
	return 0;
}

static int parse_annotations(struct json_object *o, struct oci_spec *s)
{
	size_t n = 0;

	if (!json_object_is_type(o, json_type_object))
		return oci_err(-EINVAL, "annotations: must be an object");
	s->annotations = calloc(2 * (size_t)json_object_object_length(o) + 1, sizeof(char *));
	if (!s->annotations)
		return oci_err(-ENOMEM, "out of memory");
	json_object_object_foreach(o, key, val) {
		if (!json_object_is_type(val, json_type_string))
			return oci_err(-EINVAL, "annotations.%s: must be a string", key);
		if (!strncmp(key, "org.vserver.", 12)) {
			int r = oci_vx_annotation(key, json_object_get_string(val), &s->vx);

			if (r < 0)
				return r;
		}
		s->annotations[n++] = strdup(key);
		s->annotations[n++] = strdup(json_object_get_string(val));
	}
	return 0;
}

int oci_spec_load(const char *bundle, const char *path, struct oci_spec *s)
{
	static const char *const top[] = { "ociVersion", "root", "process", "hostname",
		"domainname", "mounts", "hooks", "annotations", "linux", NULL };
	static const char *const rootk[] = { "path", "readonly", NULL };
	struct json_object *o = NULL, *v;
	char cfg[PATH_MAX], *ver = NULL, *rp = NULL;
	char abs[PATH_MAX];
	int r;

	memset(s, 0, sizeof(*s));
	if (!realpath(bundle, abs))
		return oci_err(-errno, "bundle %s: %s", bundle, strerror(errno));
	if (!(s->bundle = strdup(abs)))
		return oci_err(-ENOMEM, "out of memory");
	if (!path) {
		snprintf(cfg, sizeof(cfg), "%s/config.json", abs);
		path = cfg;
	}
	if ((r = oci_json_read_file(path, &o)) < 0)
		return r;
	if ((r = oci_check_keys(o, "", top)) < 0)
		goto out;
	if ((r = get_str(o, "ociVersion", "", &ver)) <= 0) {
		r = r < 0 ? r : oci_err(-EINVAL, "ociVersion: missing");
		goto out;
	}
	if (strncmp(ver, "1.", 2)) {
		r = oci_err(-EOPNOTSUPP, "ociVersion: \"%s\" is not a 1.x version", ver);
		goto out;
	}
	if (!json_object_object_get_ex(o, "root", &v)) {
		r = oci_err(-EINVAL, "root: missing");
		goto out;
	}
	if ((r = oci_check_keys(v, "root", rootk)) < 0 ||
	    (r = get_str(v, "path", "root", &rp)) < 0 ||
	    (r = get_bool(v, "readonly", "root", &s->root_ro)) < 0)
		goto out;
	if (!rp || !*rp) {
		r = oci_err(-EINVAL, "root.path: missing");
		goto out;
	}
	/* relative to the bundle; it must not climb out of it through ".." —
	 * an absolute path is the caller's explicit choice (podman uses one) */
	if (rp[0] != '/' && (!strcmp(rp, "..") || !strncmp(rp, "../", 3) || strstr(rp, "/../") ||
			     (strlen(rp) >= 3 && !strcmp(rp + strlen(rp) - 3, "/.."))))
	{
		r = oci_err(-EINVAL, "root.path: \"%s\" escapes the bundle", rp);
		goto out;
	}
	snprintf(cfg, sizeof(cfg), "%s%s%s", rp[0] == '/' ? "" : abs, rp[0] == '/' ? "" : "/", rp);
	if (!realpath(cfg, abs)) {
		r = oci_err(-errno, "root.path: %s: %s", cfg, strerror(errno));
		goto out;
	}
	if (rp[0] != '/' && (strncmp(abs, s->bundle, strlen(s->bundle)) ||
			     (abs[strlen(s->bundle)] != '/' && abs[strlen(s->bundle)])))
	{
		r = oci_err(-EINVAL, "root.path: \"%s\" leads out of the bundle (to %s)", rp, abs);
		goto out;
	}
	if (!strcmp(abs, "/")) {
		r = oci_err(-EINVAL, "root.path: the host's / cannot be a container's root");
		goto out;
	}
	s->rootfs = strdup(abs);
	if (!json_object_object_get_ex(o, "process", &v)) {
		r = oci_err(-EINVAL, "process: missing");
		goto out;
	}
	if ((r = oci_process_parse(v, "process", &s->proc, true)) < 0)
		goto out;
	if ((r = get_str(o, "hostname", "", &s->hostname)) < 0 ||
	    (r = get_str(o, "domainname", "", &s->domainname)) < 0)
		goto out;
	if (s->hostname && strlen(s->hostname) > 64) {
		r = oci_err(-EINVAL, "hostname: longer than 64 characters");
		goto out;
	}
	if (json_object_object_get_ex(o, "hooks", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			r = oci_err(-EINVAL, "hooks: must be an object");
			goto out;
		}
		if ((r = parse_hooks(v, s)) < 0)
			goto out;
	}
	if (json_object_object_get_ex(o, "annotations", &v) && (r = parse_annotations(v, s)) < 0)
		goto out;
	if (json_object_object_get_ex(o, "mounts", &v) &&
	    (r = oci_parse_mounts(v, s)) < 0)
		goto out;
	if (!json_object_object_get_ex(o, "linux", &v)) {
		r = oci_err(-EINVAL, "linux: missing (vserver-oci runs Linux containers only)");
		goto out;
	}
	if ((r = oci_parse_linux(v, s)) < 0)
		goto out;
	if (s->hostname && !(s->clone_flags & CLONE_NEWUTS)) {
		r = oci_err(-EINVAL, "hostname: needs a new uts namespace in linux.namespaces");
		goto out;
	}
	r = 0;
out:
	free(ver);
	free(rp);
	json_object_put(o);
	return r;
}

void oci_spec_free(struct oci_spec *s)
{
	free(s->bundle);
	free(s->rootfs);
	oci_process_free(&s->proc);
	free(s->hostname);
	oci_vx_free(&s->vx);
	free(s->domainname);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].dest);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		free(s->mounts[i].data);
	}
	free(s->mounts);
	for (int k = 0; k < HOOK_NUM; k++) {
		for (size_t i = 0; i < s->hooks[k].n; i++) {
			free(s->hooks[k].h[i].path);
			oci_strv_free(s->hooks[k].h[i].args);
			oci_strv_free(s->hooks[k].h[i].env);
		}
		free(s->hooks[k].h);
	}
	oci_strv_free(s->annotations);
	for (size_t i = 0; i < s->n_ns; i++)
		free(s->ns[i].path);
	free(s->ns);
	free(s->cgroups_path);
	free(s->cpuset_cpus);
	free(s->cpuset_mems);
	free(s->devrules);
	for (size_t i = 0; i < s->n_devices; i++)
		free(s->devices[i].path);
	free(s->devices);
	oci_strv_free(s->masked);
	oci_strv_free(s->readonly);
	for (size_t i = 0; i < s->n_sysctl; i++) {
		free(s->sysctl[i].key);
		free(s->sysctl[i].value);
	}
	free(s->sysctl);
	for (size_t i = 0; i < s->seccomp.n_rules; i++) {
		oci_strv_free(s->seccomp.rules[i].names);
		free(s->seccomp.rules[i].args);
	}
	free(s->seccomp.rules);
	free(s->seccomp.arches);
	memset(s, 0, sizeof(*s));
}
