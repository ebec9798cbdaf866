/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest configuration: CONFDIR/NAME/ in util-vserver's one-value-per-file
 * layout.  Every file is read relative to the guest directory fd, without
 * following links, and only when root owns it and nobody else can write it;
 * every value is validated before it is stored in struct vs_config. */
#include "internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vserver.h>
#include <signal.h>

#define MAX_VALUE	(64 * 1024)

/* Prefixes the current error message with the guest's directory. */
static int cfg_err(struct vs_ctx *ctx, const char *name, int r)
{
	return vs_err_prefix(ctx, r, "%s/%s/", ctx->confdir, name);
}

int vs_open_confdir(struct vs_ctx *ctx, bool create)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (create) {
		r = vs_mkdir_p(ctx, ctx->confdir, 0755);
		if (r < 0)
			return r;
	}
	fd = open(ctx->confdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vs_err(ctx, -errno, "configuration directory %s: %m", ctx->confdir);
	r = vs_check_trusted(ctx, fd, ctx->confdir);
	if (r < 0)
		return r;
	return vs_take_fd(&fd);
}

int vs_open_guest_confdir(struct vs_ctx *ctx, const char *name)
{
	_cleanup_close_ int cfd = -1, gfd = -1;
	char shown[PATH_MAX];
	int r;

	if (vs_name_check(name) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid guest name "
			      "(letters, digits, '.', '_', '-'; first a letter or digit; "
			      "at most %d characters)", name ? name : "", VS_NAME_MAX);
	cfd = vs_open_confdir(ctx, false);
	if (cfd < 0)
		return cfd;
	snprintf(shown, sizeof(shown), "%s/%s", ctx->confdir, name);
	gfd = openat(cfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (gfd < 0) {
		if (errno == ENOENT)
			return vs_err(ctx, -ENOENT, "guest '%s' does not exist (no %s)", name, shown);
		if (errno == ELOOP || errno == ENOTDIR)
			return vs_err(ctx, -ELOOP, "%s is a symbolic link or not a directory; "
				      "refusing to follow it", shown);
		return vs_err(ctx, -errno, "%s: %m", shown);
	}
	r = vs_check_trusted(ctx, gfd, shown);
	if (r < 0)
		return r;
	return vs_take_fd(&gfd);
}

/* The subdirectories of the guest's directory that one load has opened.
 * A configuration is some sixty small files, most under uts/, apps/init/,
 * rlimits/ or cgroup/: opening and checking the directory again for each
 * key cost four system calls per key, and a directory that does not exist
 * costs nothing after the first miss.  Only keys read relative to the
 * load's own guest directory are cached; the cache lives for one
 * config_load() in the calling thread. */
struct keydir {
	char dir[64];
	int fd;			/* -1: the directory does not exist */
};
static __thread struct {
	int gfd;		/* -1: not loading */
	size_t n;
	struct keydir d[12];
} keydirs = { .gfd = -1 };

static void keydirs_begin(int gfd)
{
	keydirs.gfd = gfd;
	keydirs.n = 0;
}

static void keydirs_end(void)
{
	for (size_t i = 0; i < keydirs.n; i++)
		if (keydirs.d[i].fd >= 0)
			close(keydirs.d[i].fd);
	keydirs.n = 0;
	keydirs.gfd = -1;
}

/* Reads gfd/key through the cached directory; -ENOENT when absent. */
static int read_cached(struct vs_ctx *ctx, int gfd, const char *key, char **raw)
{
	const char *slash = strrchr(key, '/');
	size_t len = slash ? (size_t)(slash - key) : 0;
	struct keydir *k = NULL;
	int r;

	if (!slash || gfd != keydirs.gfd || len >= sizeof(keydirs.d[0].dir))
		return vs_read_at(ctx, gfd, key, MAX_VALUE, raw);
	for (size_t i = 0; i < keydirs.n && !k; i++)
		if (strlen(keydirs.d[i].dir) == len && !strncmp(keydirs.d[i].dir, key, len))
			k = &keydirs.d[i];
	if (!k) {
		char dir[64];
		int fd;

		if (keydirs.n == ARRAY_SIZE(keydirs.d))
			return vs_read_at(ctx, gfd, key, MAX_VALUE, raw);
		memcpy(dir, key, len);
		dir[len] = '\0';
		fd = vs_open_dir_at(ctx, gfd, dir, false, ".");
		if (fd < 0 && fd != -ENOENT)
			return fd;
		k = &keydirs.d[keydirs.n++];
		memcpy(k->dir, dir, len + 1);
		k->fd = fd < 0 ? -1 : fd;
	}
	if (k->fd < 0)
		return -ENOENT;
	r = vs_read_at(ctx, k->fd, slash + 1, MAX_VALUE, raw);
	if (r < 0 && r != -ENOENT)
		/* the message names the file relative to its directory */
		return vs_err_prefix(ctx, r, "%s/", k->dir);
	return r;
}

/* Reads one value; *out = NULL when absent.  Blanks around it are removed. */
static int get_value(struct vs_ctx *ctx, int gfd, const char *key, char **out)
{
	_cleanup_free_ char *raw = NULL;
	int r = read_cached(ctx, gfd, key, &raw);

	*out = NULL;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	{
		char *s = vs_strip(raw);
		memmove(raw, s, strlen(s) + 1);
	}
	*out = TAKE_PTR(raw);
	return 1;
}

static bool exists_at(int gfd, const char *key)
{
	struct stat st;
	return fstatat(gfd, key, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int load_vdir(struct vs_ctx *ctx, struct vs_config *c, int gfd)
{
	struct stat st;
	char target[PATH_MAX];
	_cleanup_free_ char *val = NULL;
	int r;

	if (fstatat(gfd, "vdir", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return vs_err(ctx, -errno, "vdir: %m");
		c->vdir = vs_strdup_printf("%s/%s", ctx->vdirbase, c->name);
		return c->vdir ? 0 : -ENOMEM;
	}
	if (S_ISLNK(st.st_mode)) {
		/* util-vserver keeps the guest root as a symlink; we read the
		 * link itself, which is as trustworthy as its owner. */
		ssize_t n;
		if (st.st_uid != ctx->owner)
			return vs_err(ctx, -EPERM, "vdir is owned by uid %u, not by root; "
				      "refusing to use it", (unsigned)st.st_uid);
		n = readlinkat(gfd, "vdir", target, sizeof(target) - 1);
		if (n < 0)
			return vs_err(ctx, -errno, "vdir: %m");
		target[n] = '\0';
		val = strdup(target);
		if (!val)
			return -ENOMEM;
	} else {
		r = get_value(ctx, gfd, "vdir", &val);
		if (r < 0)
			return r;
	}
	if (vs_path_check(val) < 0)
		return vs_err(ctx, -EINVAL, "vdir: '%s' is not an absolute path without "
			      "'.' or '..'", val);
	if (!strcmp(val, "/") || strspn(val, "/") == strlen(val))
		return vs_err(ctx, -EINVAL, "vdir: the host's root cannot be a guest root");
	{
		/* nor a link to it (the admin's links, not the guest's:
		 * this is the path to the guest root on the host) */
		_cleanup_free_ char *real = realpath(val, NULL);
		if (real && !strcmp(real, "/"))
			return vs_err(ctx, -EINVAL, "vdir: %s is the host's root, which cannot "
				      "be a guest root", val);
	}
	while (strlen(val) > 1 && val[strlen(val) - 1] == '/')
		val[strlen(val) - 1] = '\0';
	c->vdir = TAKE_PTR(val);
	return 0;
}

static int load_xid(struct vs_ctx *ctx, int gfd, const char *key, uint32_t *out)
{
	_cleanup_free_ char *v = NULL;
	int r = get_value(ctx, gfd, key, &v);

	if (r <= 0)
		return r;
	if (vs_parse_xid(v, out) < 0)
		return vs_err(ctx, -EINVAL, "%s: '%s' is not a context id (%d..%d)", key, v,
			      VS_XID_MIN, VS_XID_MAX);
	return 1;
}

static int load_flags(struct vs_ctx *ctx, int gfd, const char *key, enum vs_flagset set,
		      uint64_t *on, uint64_t *off)
{
	_cleanup_free_ char *v = NULL;
	char err[160];
	int r = get_value(ctx, gfd, key, &v);

	*on = *off = 0;
	if (r <= 0)
		return r;
	if (vs_flags_parse(set, v, on, off, err, sizeof(err)) < 0)
		return vs_err(ctx, -EINVAL, "%s: %s", key, err);
	return 0;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (!isascii((unsigned char)*s) || !isprint((unsigned char)*s))
			return false;
	return true;
}

static int load_uts(struct vs_ctx *ctx, struct vs_config *c, int gfd)
{
	static const char *const fields[VS_UTS_FIELDS] = {
		"context", "sysname", "nodename", "release", "version", "machine", "domainname",
	};
	char key[64];

	for (int i = 0; i < VS_UTS_FIELDS; i++) {
		_cleanup_free_ char *v = NULL;
		int r;
		snprintf(key, sizeof(key), "uts/%s", fields[i]);
		r = get_value(ctx, gfd, key, &v);
		if (r < 0)
			return r;
		if (!r)
			continue;
		if (strlen(v) > 64 || !printable(v))
			return vs_err(ctx, -EINVAL, "%s: must be at most 64 printable characters",
				      key);
		if (i == VHIN_NODENAME) {
			/* a host name: be as strict as RFC 1123 labels allow */
			for (const char *p = v; *p; p++)
				if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
					return vs_err(ctx, -EINVAL, "%s: '%s' is not a valid host name",
						      key, v);
			if (!*v)
				return vs_err(ctx, -EINVAL, "%s: empty host name", key);
		}
		c->uts[i] = TAKE_PTR(v);
	}
	return 0;
}

/* Calls fn for every entry of a trusted subdirectory; absent = no entries. */
static int cmp_version(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* Calls fn for each entry of dir in version order (interfaces/2 before
 * interfaces/10), so that the order never depends on the file system. */
static int each_entry(struct vs_ctx *ctx, int gfd, const char *dir,
		      int (*fn)(struct vs_ctx *, struct vs_config *, int, const char *),
		      struct vs_config *c)
{
	_cleanup_strv_ char **names = NULL;
	int dfd;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (!exists_at(gfd, dir))
		return 0;
	dfd = vs_open_dir_at(ctx, gfd, dir, false, ".");
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
		if ((r = vs_strv_push(&names, de->d_name)) < 0)
			break;
	}
	if (r == 0 && names) {
		qsort(names, vs_strv_len(names), sizeof(char *), cmp_version);
		for (char **n = names; *n && r == 0; n++)
			r = fn(ctx, c, dirfd(d), *n);
	}
	closedir(d);
	return r;
}

static int one_cgroup(struct vs_ctx *ctx, struct vs_config *c, int dfd, const char *file)
{
	_cleanup_free_ char *v = NULL;
	char err[256];
	unsigned ctl;
	char *val;
	int r;

	r = vs_read_at(ctx, dfd, file, 256, &v);
	if (r < 0)
		return vs_err(ctx, r, "cgroup/%s", ctx->errmsg);
	val = vs_strip(v);
	if (vs_cg_setting_check(file, val, &ctl, err, sizeof(err)) < 0)
		return vs_err(ctx, -EINVAL, "%s%s", strncmp(err, "cgroup/", 7) ? "cgroup/" : "",
			      err);
	if (c->n_cg >= VS_MAX_CGSET || strlen(val) >= sizeof(c->cg[0].value))
		return vs_err(ctx, -E2BIG, "cgroup/%s: too many settings or value too long", file);
	snprintf(c->cg[c->n_cg].key, sizeof(c->cg[0].key), "%s", file);
	snprintf(c->cg[c->n_cg].value, sizeof(c->cg[0].value), "%s", val);
	c->n_cg++;
	c->cg_required |= ctl;
	return 0;
}

static int load_lback(struct vs_ctx *ctx, struct vs_config *c, int gfd)
{
	_cleanup_free_ char *v = NULL;
	int r = get_value(ctx, gfd, "interfaces/lback", &v);

	if (r < 0 || !v)
		return r;
	if (inet_pton(AF_INET, v, c->lback) != 1 || c->lback[0] != 127)
		return vs_err(ctx, -EINVAL, "interfaces/lback: '%s' is not an address in "
			      "127.0.0.0/8", v);
	c->lback_set = true;
	return 0;
}

static int one_iface(struct vs_ctx *ctx, struct vs_config *c, int dfd, const char *dir)
{
	_cleanup_close_ int ifd = -1;
	_cleanup_free_ char *ip = NULL, *prefix = NULL, *mask = NULL, *dev = NULL;
	_cleanup_free_ char *label = NULL;
	char spec[256], err[160];
	struct vs_iface ifc, *n;
	int r;

	if (!strcmp(dir, "lback"))
		return 0;	/* the loopback address, see load_lback */
	if (vs_name_check(dir) < 0)
		return vs_err(ctx, -EINVAL, "interfaces/%s: invalid entry name", dir);
	ifd = vs_open_dir_at(ctx, dfd, dir, false, ".");
	if (ifd < 0)
		return vs_err(ctx, ifd, "interfaces/%s", ctx->errmsg);
	if (exists_at(ifd, "disabled"))
		return 0;
	if ((r = get_value(ctx, ifd, "ip", &ip)) < 0 ||
	    (r = get_value(ctx, ifd, "prefix", &prefix)) < 0 ||
	    (r = get_value(ctx, ifd, "mask", &mask)) < 0 ||
	    (r = get_value(ctx, ifd, "dev", &dev)) < 0 ||
	    (r = get_value(ctx, ifd, "name", &label)) < 0)
		return vs_err(ctx, r, "interfaces/%s/%s", dir, ctx->errmsg);
	if (!ip)
		return vs_err(ctx, -EINVAL, "interfaces/%s: no ip file", dir);
	if (exists_at(ifd, "nodev"))
		dev = (free(dev), NULL);
	snprintf(spec, sizeof(spec), "%s%s%s%s%s%s%s", label ? label : "", label ? "=" : "",
		 dev ? dev : "", dev ? ":" : "", ip, (prefix || mask) ? "/" : "",
		 prefix ? prefix : mask ? mask : "");
	if (vs_iface_parse(spec, &ifc, err, sizeof(err)) < 0)
		return vs_err(ctx, -EINVAL, "interfaces/%s: %s", dir, err);
	if (!ifc.name[0])
		snprintf(ifc.name, sizeof(ifc.name), "%.31s", dir);
	/* one address, one guest interface: a duplicate would be added to
	 * (and removed from) the host twice */
	for (size_t i = 0; i < c->n_ifaces; i++)
		if (c->ifaces[i].family == ifc.family &&
		    !memcmp(c->ifaces[i].addr, ifc.addr, sizeof(ifc.addr)))
			return vs_err(ctx, -EINVAL, "interfaces/%s: address %s is configured "
				      "twice (also interfaces/%s)", dir, ip, c->ifaces[i].name);
	n = realloc(c->ifaces, (c->n_ifaces + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->ifaces = n;
	c->ifaces[c->n_ifaces++] = ifc;
	return 0;
}

static int load_init(struct vs_ctx *ctx, struct vs_config *c, int gfd)
{
	_cleanup_free_ char *style = NULL, *start = NULL, *stop = NULL;
	_cleanup_free_ char *sig = NULL, *tmo = NULL;
	int r;

	if ((r = get_value(ctx, gfd, "apps/init/style", &style)) < 0 ||
	    (r = get_value(ctx, gfd, "apps/init/cmd.start", &start)) < 0 ||
	    (r = get_value(ctx, gfd, "apps/init/cmd.stop", &stop)) < 0 ||
	    (r = get_value(ctx, gfd, "apps/init/mark", &c->mark)) < 0 ||
	    (r = get_value(ctx, gfd, "apps/init/stop-signal", &sig)) < 0 ||
	    (r = get_value(ctx, gfd, "apps/init/stop-timeout", &tmo)) < 0)
		return r;
	c->initstyle = VS_INIT_PLAIN;
	if (style) {
		c->initstyle = vs_initstyle_parse(style);
		if (c->initstyle < 0)
			return vs_err(ctx, -EINVAL, "apps/init/style: unknown init style '%s' "
				      "(plain, sysv, minit)", style);
	}
	/* cmd.start and cmd.stop hold one argument per line, as in util-vserver */
	if (start && (r = vs_split_lines(start, &c->cmd_start)) < 0)
		return r;
	if (stop && (r = vs_split_lines(stop, &c->cmd_stop)) < 0)
		return r;
	if (c->cmd_start && !c->cmd_start[0])
		c->cmd_start = (vs_strv_free(c->cmd_start), NULL);
	if (c->cmd_stop && !c->cmd_stop[0])
		c->cmd_stop = (vs_strv_free(c->cmd_stop), NULL);
	if (c->initstyle == VS_INIT_MINIT && !c->cmd_start)
		return vs_err(ctx, -EINVAL, "apps/init/style is minit but apps/init/cmd.start "
			      "is missing");
	c->stop_signal = SIGTERM;
	if (sig) {
		c->stop_signal = vs_parse_signal(sig);
		if (c->stop_signal < 0 || c->stop_signal == SIGKILL || c->stop_signal == SIGSTOP)
			return vs_err(ctx, -EINVAL, "apps/init/stop-signal: '%s' is not a usable "
				      "signal", sig);
	}
	c->stop_timeout_ms = 10000;
	if (tmo && vs_parse_duration_ms(tmo, &c->stop_timeout_ms) < 0)
		return vs_err(ctx, -EINVAL, "apps/init/stop-timeout: '%s' is not a duration "
			      "(seconds, or with s/ms suffix, at most a day)", tmo);
	if (c->mark && (strlen(c->mark) > 64 || !printable(c->mark)))
		return vs_err(ctx, -EINVAL, "apps/init/mark: must be at most 64 printable characters");
	return 0;
}

void vs_config_free(struct vs_config *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->vdir);
	for (int i = 0; i < VS_UTS_FIELDS; i++)
		free(c->uts[i]);
	free(c->ifaces);
	vs_strv_free(c->cmd_start);
	vs_strv_free(c->cmd_stop);
	free(c->mark);
	free(c->fstab);
	free(c->ov_lower);
	free(c->ov_upper);
	free(c->ov_work);
	vs_strv_free(c->lim.notes);
	free(c);
}

static int config_load(struct vs_ctx *ctx, struct vs_config *c, int gfd)
{
	_cleanup_free_ char *backend = NULL;
	int r;

	c->incomplete = exists_at(gfd, VS_INCOMPLETE_MARK);
	if ((r = load_xid(ctx, gfd, "context", &c->xid)) < 0)
		return r;
	if (r == 0)
		c->xid = 0;
	if ((r = load_xid(ctx, gfd, "ncontext", &c->nid)) < 0)
		return r;
	if (r == 0)
		c->nid = c->xid;
	if ((r = load_vdir(ctx, c, gfd)) < 0)
		return r;
	if ((r = vs_unify_load(ctx, c, gfd)) < 0)
		return r;
	if ((r = get_value(ctx, gfd, "backend", &backend)) < 0)
		return r;
	c->backend = VS_BACKEND_AUTO;
	if (backend && (c->backend = vs_backend_parse(backend)) < 0)
		return vs_err(ctx, -EINVAL, "backend: '%s' is not auto, ns or vx", backend);
	if ((r = load_uts(ctx, c, gfd)) < 0)
		return r;
	if ((r = load_flags(ctx, gfd, "bcapabilities", VS_FLAGS_BCAPS, &c->bcaps_on,
			    &c->bcaps_off)) < 0 ||
	    (r = load_flags(ctx, gfd, "ccapabilities", VS_FLAGS_CCAPS, &c->ccaps_on,
			    &c->ccaps_off)) < 0 ||
	    (r = load_flags(ctx, gfd, "flags", VS_FLAGS_CFLAGS, &c->cflags_on,
			    &c->cflags_off)) < 0 ||
	    (r = load_flags(ctx, gfd, "nflags", VS_FLAGS_NFLAGS, &c->nflags_on,
			    &c->nflags_off)) < 0 ||
	    (r = load_flags(ctx, gfd, "ncapabilities", VS_FLAGS_NCAPS, &c->ncaps_on,
			    &c->ncaps_off)) < 0)
		return r;
	if ((r = vs_limits_load(ctx, c, gfd)) < 0)
		return r;
	if ((r = each_entry(ctx, gfd, "cgroup", one_cgroup, c)) < 0)
		return r;
	if ((r = vs_limits_check_conflicts(ctx, c)) < 0)
		return r;
	if ((r = each_entry(ctx, gfd, "interfaces", one_iface, c)) < 0 ||
	    (r = load_lback(ctx, c, gfd)) < 0)
		return r;
	c->netns = exists_at(gfd, "spaces/net");
	c->monitor = exists_at(gfd, "apps/init/monitor");
	if ((r = load_init(ctx, c, gfd)) < 0)
		return r;
	if ((r = get_value(ctx, gfd, "fstab", &c->fstab)) < 0)
		return r;
	return 0;
}

int vs_config_load(struct vs_ctx *ctx, const char *name, struct vs_config **out)
{
	_cleanup_close_ int gfd = -1;
	struct vs_config *c;
	int r;

	gfd = vs_open_guest_confdir(ctx, name);
	if (gfd < 0)
		return gfd;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->name = strdup(name);
	if (!c->name) {
		vs_config_free(c);
		return -ENOMEM;
	}
	keydirs_begin(gfd);
	r = config_load(ctx, c, gfd);
	keydirs_end();
	if (r < 0) {
		vs_config_free(c);
		return r == -ENOMEM ? r : cfg_err(ctx, name, r);
	}
	*out = c;
	return 0;
}

/* ---- public accessors --------------------------------------------------- */

static int key_check(const char *key)
{
	const char *p = key;
	size_t n = 0;

	if (!key || !*key || key[0] == '/' || strlen(key) > 200)
		return -EINVAL;
	for (; *p; p++, n++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '/') {
			if (n == 0)
				return -EINVAL;
			n = (size_t)-1;
			continue;
		}
		/* components may not start with '.', which also rules out ".." */
		if (n == 0 && ch == '.')
			return -EINVAL;
		if (!isascii(ch) || !(isalnum(ch) || ch == '.' || ch == '_' || ch == '-'))
			return -EINVAL;
	}
	return key[strlen(key) - 1] == '/' ? -EINVAL : 0;
}

int vs_config_get(struct vs_ctx *ctx, const char *name, const char *key, char **value)
{
	_cleanup_close_ int gfd = -1;
	int r;

	if (key_check(key) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid configuration key", key);
	gfd = vs_open_guest_confdir(ctx, name);
	if (gfd < 0)
		return gfd;
	r = get_value(ctx, gfd, key, value);
	if (r < 0)
		return cfg_err(ctx, name, r);
	if (r == 0)
		return vs_err(ctx, -ENOENT, "%s/%s/%s is not set", ctx->confdir, name, key);
	return 0;
}

int vs_config_set(struct vs_ctx *ctx, const char *name, const char *key, const char *value)
{
	_cleanup_close_ int gfd = -1;
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r;

	if (key_check(key) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid configuration key", key);
	if (!value)
		return vs_err(ctx, -EINVAL, "no value for %s", key);
	gfd = vs_open_guest_confdir(ctx, name);
	if (gfd < 0)
		return gfd;
	len = strlen(value);
	data = malloc(len + 2);
	if (!data)
		return -ENOMEM;
	memcpy(data, value, len);
	if (!len || value[len - 1] != '\n')
		data[len++] = '\n';
	data[len] = '\0';
	r = vs_write_at(ctx, gfd, key, data, len, 0644);
	return r < 0 ? cfg_err(ctx, name, r) : 0;
}

int vs_config_unset(struct vs_ctx *ctx, const char *name, const char *key)
{
	_cleanup_close_ int gfd = -1;
	int r;

	if (key_check(key) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid configuration key", key);
	gfd = vs_open_guest_confdir(ctx, name);
	if (gfd < 0)
		return gfd;
	r = vs_unlink_at(ctx, gfd, key);
	return r < 0 ? cfg_err(ctx, name, r) : 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vs_guest_list(struct vs_ctx *ctx, char ***names)
{
	_cleanup_strv_ char **v = NULL;
	int fd;
	DIR *d;
	struct dirent *de;
	int r = 0;

	fd = vs_open_confdir(ctx, false);
	if (fd == -ENOENT) {
		*names = calloc(1, sizeof(char *));
		return *names ? 0 : -ENOMEM;
	}
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (vs_name_check(de->d_name) < 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		r = vs_strv_push(&v, de->d_name);
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (!v && !(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	qsort(v, vs_strv_len(v), sizeof(char *), cmpstr);
	*names = TAKE_PTR(v);
	return 0;
}

/* The bounding set a guest keeps unless its configuration says otherwise:
 * what an ordinary system's root needs to run services (file ownership and
 * permission overrides, set*id, kill, binding low ports, chroot, reboot of
 * itself).  Dropped, because with a shared kernel they reach beyond the
 * guest: SYS_PTRACE (it overrides "not dumpable", which is what keeps the
 * guest away from the host's processes joining it, and guest processes can
 * trace each other without it), SYS_ADMIN (mount, namespaces, ...),
 * SYS_MODULE, SYS_RAWIO, SYS_TIME, SYS_RESOURCE, SYS_NICE, NET_ADMIN and
 * NET_RAW (the host's network when the stack is shared), MKNOD, SETPCAP,
 * LINUX_IMMUTABLE, IPC_LOCK/OWNER, AUDIT_CONTROL, everything >= 32 — and
 * DAC_READ_SEARCH, which allows open_by_handle_at() on the host's file
 * system that the guest root lives on. */
uint64_t vs_default_bcaps(void)
{
	static const int keep[] = { 0 /* CHOWN */, 1 /* DAC_OVERRIDE */, 3 /* FOWNER */,
		4 /* FSETID */, 5 /* KILL */, 6 /* SETGID */, 7 /* SETUID */,
		10 /* NET_BIND_SERVICE */, 18 /* SYS_CHROOT */, 22 /* SYS_BOOT */, 26 /* SYS_TTY_CONFIG */, 28 /* LEASE */,
		29 /* AUDIT_WRITE */, 31 /* SETFCAP */ };
	uint64_t m = 0;

	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		m |= 1ULL << keep[i];
	return m;
}

uint64_t vs_config_bcaps(const struct vs_config *c)
{
	return ((vs_default_bcaps() & ~c->bcaps_off) | c->bcaps_on) & ~(1ULL << CAP_CONTEXT);
}
