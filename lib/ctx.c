/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: configurable roots, backend choice, log and errors. */
#include "internal.h"

#include <limits.h>

/* DEFAULT_CONFDIR, DEFAULT_VDIRBASE and DEFAULT_RUNDIR come from configure
 * (--sysconfdir, --localstatedir, --runstatedir, --with-vdirbase): its
 * vs_confdir, vs_vdirbase and vs_rundir, which lib/Makefile.am and
 * tools/Makefile.am pass alike, so the library and the tools agree */
#define DEFAULT_CGROUP		"vserver"

const char *vs_version(void)
{
	return PACKAGE_VERSION;
}

void vs_strvp(char ***v)
{
	vs_strv_free(*v);
	*v = NULL;
}

void vs_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t vs_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

int vs_strv_push(char ***v, const char *s)
{
	size_t n = vs_strv_len(*v);
	char **nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[n] = strdup(s);
	if (!nv[n])
		return -ENOMEM;
	nv[n + 1] = NULL;
	return 0;
}

char *vs_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int vs_err(struct vs_ctx *ctx, int err, const char *fmt, ...)
{
	if (ctx) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
		va_end(ap);
	}
	return err;
}

int vs_err_prefix(struct vs_ctx *ctx, int err, const char *fmt, ...)
{
	char pre[sizeof(ctx->errmsg)], msg[sizeof(ctx->errmsg)];
	va_list ap;

	if (!ctx)
		return err;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s%s", pre, ctx->errmsg);
	snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
	return err;
}

void vs_log(struct vs_ctx *ctx, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!ctx || !ctx->log_fn || level > ctx->log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_data, level, buf);
}

const char *vs_ctx_errmsg(const struct vs_ctx *ctx)
{
	return ctx ? ctx->errmsg : "";
}

/* Absolute, no "." or ".." components, no empty components except a single
 * trailing slash, bounded length. */
int vs_path_check(const char *path)
{
	const char *p;
	size_t len;

	if (!path || path[0] != '/')
		return -EINVAL;
	len = strlen(path);
	if (len >= PATH_MAX - 128)
		return -ENAMETOOLONG;
	for (p = path; *p;) {
		const char *c;
		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		if ((p - c == 1 && c[0] == '.') ||
		    (p - c == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
	}
	for (p = path; *p; p++)
		if (*p == '\n' || *p == '\r')
			return -EINVAL;
	return 0;
}

static int set_path(struct vs_ctx *ctx, char **slot, const char *path, const char *what)
{
	char *dup;
	size_t len;
	int r = vs_path_check(path);

	if (r < 0)
		return vs_err(ctx, r, "%s '%s' must be an absolute path without '.' or '..'",
			      what, path ? path : "(null)");
	dup = strdup(path);
	if (!dup)
		return -ENOMEM;
	len = strlen(dup);
	while (len > 1 && dup[len - 1] == '/')
		dup[--len] = '\0';
	free(*slot);
	*slot = dup;
	return 0;
}

int vs_ctx_set_confdir(struct vs_ctx *ctx, const char *path)
{
	return set_path(ctx, &ctx->confdir, path, "configuration directory");
}

int vs_ctx_set_vdirbase(struct vs_ctx *ctx, const char *path)
{
	return set_path(ctx, &ctx->vdirbase, path, "guest base directory");
}

int vs_ctx_set_rundir(struct vs_ctx *ctx, const char *path)
{
	return set_path(ctx, &ctx->rundir, path, "run directory");
}

int vs_ctx_set_helperdir(struct vs_ctx *ctx, const char *path)
{
	return set_path(ctx, &ctx->helperdir, path, "helper directory");
}

int vs_ctx_set_cgroup(struct vs_ctx *ctx, const char *rel)
{
	char *dup, *save = NULL, *tmp;

	/* A relative path of name components: each must itself be a valid name
	 * so it can never walk out of the cgroup2 mount. */
	if (!rel || !*rel || rel[0] == '/' || strlen(rel) > 200)
		return vs_err(ctx, -EINVAL, "cgroup '%s' must be a relative path", rel ? rel : "");
	tmp = strdup(rel);
	if (!tmp)
		return -ENOMEM;
	for (char *t = strtok_r(tmp, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (vs_name_check(t) < 0) {
			vs_err(ctx, -EINVAL, "cgroup component '%s' is not a valid name", t);
			free(tmp);
			return -EINVAL;
		}
	}
	free(tmp);
	dup = strdup(rel);
	if (!dup)
		return -ENOMEM;
	free(ctx->cgroup);
	ctx->cgroup = dup;
	return 0;
}

const char *vs_ctx_get_confdir(const struct vs_ctx *ctx) { return ctx->confdir; }
const char *vs_ctx_get_vdirbase(const struct vs_ctx *ctx) { return ctx->vdirbase; }
const char *vs_ctx_get_rundir(const struct vs_ctx *ctx) { return ctx->rundir; }
const char *vs_ctx_get_cgroup(const struct vs_ctx *ctx) { return ctx->cgroup; }

int vs_ctx_set_backend(struct vs_ctx *ctx, const char *name)
{
	int b = vs_backend_parse(name);
	if (b < 0)
		return vs_err(ctx, -EINVAL, "unknown backend '%s' (use auto, ns or vx)", name);
	ctx->backend = b;
	return 0;
}

void vs_ctx_set_log(struct vs_ctx *ctx, vs_log_fn fn, void *userdata, int max_level)
{
	ctx->log_fn = fn;
	ctx->log_data = userdata;
	ctx->log_max = max_level;
}

struct vs_ctx *vs_ctx_ref(struct vs_ctx *ctx)
{
	if (ctx)
		ctx->refs++;
	return ctx;
}

void vs_ctx_unref(struct vs_ctx *ctx)
{
	if (!ctx || --ctx->refs > 0)
		return;
	free(ctx->confdir);
	free(ctx->vdirbase);
	free(ctx->rundir);
	free(ctx->cgroup);
	free(ctx->helperdir);
	free(ctx);
}

int vs_ctx_new(struct vs_ctx **out)
{
	struct vs_ctx *ctx = calloc(1, sizeof(*ctx));
	int r;

	if (!ctx)
		return -ENOMEM;
	ctx->refs = 1;
	ctx->owner = 0;
	ctx->log_max = VS_LOG_NOTICE;
	r = vs_ctx_set_confdir(ctx, DEFAULT_CONFDIR);
	if (r >= 0)
		r = vs_ctx_set_vdirbase(ctx, DEFAULT_VDIRBASE);
	if (r >= 0)
		r = vs_ctx_set_rundir(ctx, DEFAULT_RUNDIR);
	if (r >= 0)
		r = vs_ctx_set_helperdir(ctx, PKGLIBEXECDIR);
	if (r >= 0)
		r = vs_ctx_set_cgroup(ctx, DEFAULT_CGROUP);
	if (r < 0) {
		vs_ctx_unref(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

int vs_ctx_load_env(struct vs_ctx *ctx)
{
	static const struct {
		const char *var;
		int (*set)(struct vs_ctx *, const char *);
	} vars[] = {
		{ "VSERVER_CONFDIR", vs_ctx_set_confdir },
		{ "VSERVER_VDIRBASE", vs_ctx_set_vdirbase },
		{ "VSERVER_RUNDIR", vs_ctx_set_rundir },
		{ "VSERVER_HELPERDIR", vs_ctx_set_helperdir },
		{ "VSERVER_CGROUP", vs_ctx_set_cgroup },
		{ "VSERVER_BACKEND", vs_ctx_set_backend },
	};

	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *e = getenv(vars[i].var);
		int r;
		if (!e || !*e)
			continue;
		r = vars[i].set(ctx, e);
		if (r < 0)
			return vs_err_prefix(ctx, r, "%s: ", vars[i].var);
	}
	return 0;
}
