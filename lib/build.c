/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building guests: configuration first (marked incomplete until the very
 * end), then the guest tree by one of the methods skeleton, busybox,
 * debootstrap, clone and template.  A build that fails removes what it
 * made; a build that is killed leaves the "incomplete" mark, and such a
 * guest refuses to start until it is rebuilt or deleted. */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>

static bool hostname_ok(const char *h)
{
	size_t n = strlen(h);
	if (!n || n > 64 || h[0] == '-' || h[0] == '.')
		return false;
	for (const char *p = h; *p; p++)
		if (!isascii((unsigned char)*p) || !(isalnum((unsigned char)*p) || *p == '-' || *p == '.'))
			return false;
	return true;
}

static bool word_ok(const char *s, const char *extra)
{
	if (!s || !*s || strlen(s) > 64 || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isascii((unsigned char)*s) ||
		    !(isalnum((unsigned char)*s) || strchr(extra, *s)))
			return false;
	return true;
}

static bool mirror_ok(const char *m)
{
	if (strncmp(m, "http://", 7) && strncmp(m, "https://", 8) && strncmp(m, "file:///", 8))
		return false;
	for (; *m; m++)
		if (!isascii((unsigned char)*m) || !isgraph((unsigned char)*m))
			return false;
	return true;
}

/* A global lock while a context id is chosen and written. */
static int xid_lock(struct vs_ctx *ctx)
{
	return vs_lock_global(ctx, -1, ".context-ids.lock");
}

/* Which guest (other than `self`) uses context id xid?  "" if none. */
static int xid_user(struct vs_ctx *ctx, uint32_t xid, const char *self, char *who, size_t len)
{
	_cleanup_strv_ char **names = NULL;
	int r = vs_guest_list(ctx, &names);

	who[0] = '\0';
	if (r < 0)
		return r;
	for (char **n = names; *n; n++) {
		_cleanup_free_ char *v = NULL;
		uint32_t x;
		if (!strcmp(*n, self) || vs_config_get(ctx, *n, "context", &v) < 0)
			continue;
		if (vs_parse_xid(v, &x) == 0 && x == xid) {
			snprintf(who, len, "%s", *n);
			return 1;
		}
	}
	return 0;
}

int vs_xid_allocate(struct vs_ctx *ctx, uint32_t *xid)
{
	_cleanup_strv_ char **names = NULL;
	unsigned char *used;
	int r = vs_guest_list(ctx, &names);

	if (r < 0)
		return r;
	used = calloc(VS_XID_MAX + 1, 1);
	if (!used)
		return -ENOMEM;
	for (char **n = names; *n; n++) {
		_cleanup_free_ char *v = NULL;
		uint32_t x;
		if (vs_config_get(ctx, *n, "context", &v) == 0 && vs_parse_xid(v, &x) == 0)
			used[x] = 1;
	}
	for (uint32_t x = VS_XID_MIN; x <= VS_XID_MAX; x++)
		if (!used[x]) {
			*xid = x;
			free(used);
			return 0;
		}
	free(used);
	return vs_err(ctx, -ENOSPC, "no free context id left");
}

static int put(struct vs_ctx *ctx, int gfd, const char *key, const char *value)
{
	_cleanup_free_ char *v = vs_strdup_printf("%s\n", value);
	return v ? vs_write_at(ctx, gfd, key, v, strlen(v), 0644) : -ENOMEM;
}

static int write_config(struct vs_ctx *ctx, int gfd, const char *name, uint32_t xid,
			const char *vdir, const char *hostname, const char *style,
			const struct vs_build_opts *o)
{
	char buf[64];
	int r;

	snprintf(buf, sizeof(buf), "%u", xid);
	if ((r = put(ctx, gfd, "context", buf)) < 0 || (r = put(ctx, gfd, "name", name)) < 0 ||
	    (r = put(ctx, gfd, "uts/nodename", hostname)) < 0 ||
	    (r = put(ctx, gfd, "apps/init/style", style)) < 0)
		return r;
	if (o->backend && (r = put(ctx, gfd, "backend", o->backend)) < 0)
		return r;
	if (symlinkat(vdir, gfd, "vdir") < 0)
		return vs_err(ctx, -errno, "vdir link: %m");
	for (size_t i = 0; i < o->n_ifaces; i++) {
		const struct vs_iface *ifc = &o->ifaces[i];
		char dir[64], key[128], spec[128], *slash;
		if (ifc->name[0])
			snprintf(dir, sizeof(dir), "interfaces/%s", ifc->name);
		else
			snprintf(dir, sizeof(dir), "interfaces/%zu", i);
		struct vs_iface plain = *ifc;
		plain.name[0] = plain.dev[0] = '\0';
		vs_iface_format(&plain, spec, sizeof(spec));
		slash = strrchr(spec, '/');
		*slash = '\0';
		snprintf(key, sizeof(key), "%s/ip", dir);
		if ((r = put(ctx, gfd, key, spec)) < 0)
			return r;
		snprintf(key, sizeof(key), "%s/prefix", dir);
		if ((r = put(ctx, gfd, key, slash + 1)) < 0)
			return r;
		if (ifc->name[0]) {
			snprintf(key, sizeof(key), "%s/name", dir);
			if ((r = put(ctx, gfd, key, ifc->name)) < 0)
				return r;
		}
		if (ifc->dev[0]) {
			snprintf(key, sizeof(key), "%s/dev", dir);
			if ((r = put(ctx, gfd, key, ifc->dev)) < 0)
				return r;
		}
	}
	return vs_fsync_dir(gfd);
}

/* ---- methods ------------------------------------------------------------- */

static int method_debootstrap(struct vs_ctx *ctx, const char *name, const char *vdir,
			      const struct vs_build_opts *o)
{
	const char *prog = o->debootstrap ? o->debootstrap : "debootstrap";
	const char *suite = o->suite ? o->suite : "bookworm";
	const char *mirror = o->mirror ? o->mirror : "http://deb.debian.org/debian";
	_cleanup_free_ char *variant = vs_strdup_printf("--variant=%s",
							o->variant ? o->variant : "minbase");
	char *argv[] = { (char *)prog, variant, "--include=sysv-rc", (char *)suite, (char *)vdir,
			 (char *)mirror, NULL };

	if (!variant)
		return -ENOMEM;
	vs_notice(ctx, "running %s %s %s %s %s %s", prog, variant, argv[2], suite, vdir, mirror);
	/* in a process group and mount namespace of its own (build-run.c) */
	return vs_build_run(ctx, name, argv);
}

static int refuse_running(struct vs_ctx *ctx, const char *name)
{
	struct vs_guest *g = NULL;
	struct vs_runstate rs;
	_cleanup_close_ int rundfd = -1;
	int state;

	if (vs_guest_open(ctx, name, &g) < 0)
		return 0;	/* no usable configuration: nothing can run */
	rundfd = vs_rundir_open(ctx);
	state = rundfd < 0 ? rundfd : vs_guest_lookup_state(g, rundfd, &rs);
	if (state >= 0)
		vs_runstate_clear(&rs);
	vs_guest_unref(g);
	if (state == VS_ST_RUNNING)
		return vs_err(ctx, -EBUSY, "guest '%s' is running; stop it before replacing it "
			      "(build --force does not stop a guest)", name);
	return 0;
}

static int method_template(struct vs_ctx *ctx, int rootfd, const struct vs_build_opts *o)
{
	struct vs_tar_stats st = { 0 };
	_cleanup_close_ int fd = open(o->source, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat sb;
	int r;

	if (fd < 0)
		return vs_err(ctx, -errno, "template %s: %m", o->source);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		return vs_err(ctx, -EINVAL, "template %s is not a regular file", o->source);
	r = vs_tar_extract(ctx, fd, rootfd, &st);
	if (r < 0)
		return r;
	vs_notice(ctx, "template: %u files, %u directories, %u symbolic links, %u hard links; "
		  "%u entries refused, %u neutralised", st.files, st.dirs, st.symlinks, st.links,
		  st.refused, st.neutralised);
	return 0;
}

/* ---- orchestration --------------------------------------------------------- */

static int check_opts(struct vs_ctx *ctx, const char *name, const struct vs_build_opts *o,
		      int *style)
{
	static const char *const methods[] = { "skeleton", "busybox", "debootstrap", "clone",
					       "template" };
	bool known = false;

	if (vs_name_check(name) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid guest name (letters, digits, '.', "
			      "'_', '-'; first a letter or digit; at most %d characters)",
			      name ? name : "", VS_NAME_MAX);
	if (!o->method)
		return vs_err(ctx, -EINVAL, "no build method given (-m skeleton, busybox, "
			      "debootstrap, clone or template)");
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		known |= !strcmp(o->method, methods[i]);
	if (!known)
		return vs_err(ctx, -EINVAL, "unknown build method '%s' (skeleton, busybox, "
			      "debootstrap, clone, template)", o->method);
	if (o->xid && (o->xid < VS_XID_MIN || o->xid > VS_XID_MAX))
		return vs_err(ctx, -EINVAL, "context id %u is outside %d..%d", o->xid, VS_XID_MIN,
			      VS_XID_MAX);
	if (o->hostname && !hostname_ok(o->hostname))
		return vs_err(ctx, -EINVAL, "'%s' is not a valid host name", o->hostname);
	if (o->backend && vs_backend_parse(o->backend) < 0)
		return vs_err(ctx, -EINVAL, "unknown backend '%s' (auto, ns, vx)", o->backend);
	if (o->vdir && (vs_path_check(o->vdir) < 0 || !strcmp(o->vdir, "/")))
		return vs_err(ctx, -EINVAL, "guest root '%s' must be an absolute path other than / "
			      "without '.' or '..'", o->vdir);
	*style = -1;
	if (o->initstyle && (*style = vs_initstyle_parse(o->initstyle)) < 0)
		return vs_err(ctx, -EINVAL, "unknown init style '%s' (plain, sysv, minit)",
			      o->initstyle);
	if (*style == VS_INIT_MINIT)
		return vs_err(ctx, -EINVAL, "the minit style needs apps/init/cmd.start; build with "
			      "another style and configure it afterwards");
	for (size_t i = 0; i < o->n_ifaces; i++) {
		const struct vs_iface *ifc = &o->ifaces[i];
		if (ifc->family != AF_INET && ifc->family != AF_INET6)
			return vs_err(ctx, -EINVAL, "interface %zu: invalid address family", i);
		for (size_t j = 0; j < i; j++)
			if (ifc->name[0] && !strcmp(ifc->name, o->ifaces[j].name))
				return vs_err(ctx, -EINVAL, "interface name '%s' is used twice",
					      ifc->name);
			else if (ifc->family == o->ifaces[j].family &&
				 !memcmp(ifc->addr, o->ifaces[j].addr, sizeof(ifc->addr)))
				return vs_err(ctx, -EINVAL, "interface %zu: the address is given "
					      "twice", i);
	}
	if (!strcmp(o->method, "clone")) {
		if (!o->source || vs_name_check(o->source) < 0)
			return vs_err(ctx, -EINVAL, "clone needs --source GUEST (a valid guest name)");
		if (!strcmp(o->source, name))
			return vs_err(ctx, -EINVAL, "a guest cannot be cloned from itself");
		if (o->unify && strcmp(o->unify, "auto") && strcmp(o->unify, "reflink") &&
		    strcmp(o->unify, "overlay"))
			return vs_err(ctx, -EINVAL, "unknown --unify mode '%s' (auto, reflink, "
				      "overlay)", o->unify);
	} else if (o->unify) {
		return vs_err(ctx, -EINVAL, "--unify needs the clone method (-m clone -- "
			      "--source GUEST)");
	}
	if (o->no_freeze && strcmp(o->method, "clone"))
		return vs_err(ctx, -EINVAL, "--no-freeze is an option of the clone method");
	if (!strcmp(o->method, "template") && (!o->source || !*o->source))
		return vs_err(ctx, -EINVAL, "template needs --source ARCHIVE (a tar file)");
	if (!strcmp(o->method, "debootstrap")) {
		if (o->suite && !word_ok(o->suite, "-."))
			return vs_err(ctx, -EINVAL, "'%s' is not a Debian suite name", o->suite);
		if (o->variant && !word_ok(o->variant, "-"))
			return vs_err(ctx, -EINVAL, "'%s' is not a debootstrap variant", o->variant);
		if (o->mirror && !mirror_ok(o->mirror))
			return vs_err(ctx, -EINVAL, "'%s' is not a mirror URL (http://, https:// or "
				      "file:///)", o->mirror);
	}
	return 0;
}

/* Refuses a guest root that is in the way, before anything is made. */
static int check_vdir(struct vs_ctx *ctx, const char *vdir, bool force)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (lstat(vdir, &st) < 0)
		return errno == ENOENT ? 0 : vs_err(ctx, -errno, "%s: %m", vdir);
	if (!S_ISDIR(st.st_mode))
		return vs_err(ctx, -EEXIST, "%s exists and is not a directory", vdir);
	fd = open(vdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vs_err(ctx, -errno, "%s: %m", vdir);
	r = vs_dir_empty(fd);
	if (r < 0)
		return vs_err(ctx, r, "%s: %s", vdir, strerror(-r));
	if (r == 0 && !force)
		return vs_err(ctx, -EEXIST, "the guest root %s exists and is not empty "
			      "(use --force to replace it)", vdir);
	return 0;
}

static int prepare_vdir(struct vs_ctx *ctx, const char *vdir, bool force)
{
	struct stat st;
	char parent[PATH_MAX], *slash;
	_cleanup_close_ int pfd = -1, fd = -1;
	int r;

	snprintf(parent, sizeof(parent), "%s", vdir);
	slash = strrchr(parent, '/');
	*slash = '\0';
	if (parent[0] && (r = vs_mkdir_p(ctx, parent, 0755)) < 0)
		return r;
	pfd = open(parent[0] ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return vs_err(ctx, -errno, "%s: %m", parent);
	if (fstatat(pfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISDIR(st.st_mode))
			return vs_err(ctx, -EEXIST, "%s exists and is not a directory", vdir);
		fd = openat(pfd, slash + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return vs_err(ctx, -errno, "%s: %m", vdir);
		r = vs_dir_empty(fd);
		if (r == 0 && !force)
			return vs_err(ctx, -EEXIST, "the guest root %s exists and is not empty "
				      "(use --force to replace it)", vdir);
		if (r == 0 && (r = vs_rm_rf_at(ctx, pfd, slash + 1)) < 0)
			return r;
		if (r == 1)
			return 0;
	}
	if (mkdirat(pfd, slash + 1, 0755) < 0 && errno != EEXIST)
		return vs_err(ctx, -errno, "cannot create %s: %m", vdir);
	return 0;
}

int vs_build(struct vs_ctx *ctx, const char *name, const struct vs_build_opts *o)
{
	struct vs_lock *lock = NULL;
	_cleanup_close_ int cfd = -1, gfd = -1, rootfd = -1, xlock = -1, ovfd = -1;
	int treefd;	/* where the guest's own files go: rootfd, or an overlay's upper */
	_cleanup_free_ char *vdir = NULL;
	const char *hostname = o->hostname ? o->hostname : name;
	const char *m = o->method;
	char who[VS_NAME_MAX + 1];
	uint32_t xid = o->xid;
	struct stat st;
	int style = -1, r;
	bool created = false, root_made = false;

	r = check_opts(ctx, name, o, &style);
	if (r < 0)
		return r;
	/* busybox guests run busybox's rcS/rcK under the helper: start waits
	 * for rcS and stop is quick; --initstyle plain runs busybox init */
	if (style < 0)
		style = !strcmp(m, "debootstrap") || !strcmp(m, "busybox") ? VS_INIT_SYSV :
			VS_INIT_PLAIN;
	if (!hostname_ok(hostname))
		return vs_err(ctx, -EINVAL, "'%s' is not a valid host name; pass --hostname",
			      hostname);
	r = vs_lock_guest(ctx, name, 0, &lock);
	if (r < 0)
		return r;
	/* a build killed earlier may have left processes (never mounts) */
	if ((r = vs_build_leftovers(ctx, name)) < 0)
		goto out;
	cfd = vs_open_confdir(ctx, true);
	if (cfd < 0) {
		r = cfd;
		goto out;
	}
	if (fstatat(cfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!o->force) {
			r = vs_err(ctx, -EEXIST, "guest '%s' exists already (use --force to replace it)",
				   name);
			goto out;
		}
		/* refused before anything is said or done: a running guest
		 * is never replaced, --force or not */
		if ((r = refuse_running(ctx, name)) < 0)
			goto out;
		vs_notice(ctx, "%s: replacing the existing guest", name);
		if ((r = vs_delete_locked(ctx, name, 0)) < 0)
			goto out;
	}
	vdir = o->vdir ? strdup(o->vdir) : vs_strdup_printf("%s/%s", ctx->vdirbase, name);
	if (!vdir) {
		r = -ENOMEM;
		goto out;
	}
	while (strlen(vdir) > 1 && vdir[strlen(vdir) - 1] == '/')
		vdir[strlen(vdir) - 1] = '\0';
	xlock = xid_lock(ctx);
	if (xlock < 0) {
		r = xlock;
		goto out;
	}
	if (xid && (r = xid_user(ctx, xid, name, who, sizeof(who))) != 0) {
		if (r > 0)
			r = vs_err(ctx, -EEXIST, "context id %u is used by guest '%s'", xid, who);
		goto out;
	}
	if (!xid && (r = vs_xid_allocate(ctx, &xid)) < 0)
		goto out;
	if ((r = check_vdir(ctx, vdir, o->force)) < 0)
		goto out;
	if (mkdirat(cfd, name, 0755) < 0) {
		r = vs_err(ctx, -errno, "cannot create %s/%s: %m", ctx->confdir, name);
		goto out;
	}
	created = true;
	gfd = vs_open_guest_confdir(ctx, name);
	if (gfd < 0) {
		r = gfd;
		goto fail;
	}
	/* the mark comes first and goes last */
	if ((r = vs_write_at(ctx, gfd, VS_INCOMPLETE_MARK, "building\n", 9, 0644)) < 0 ||
	    (r = vs_fsync_dir(cfd)) < 0)
		goto fail;
	r = write_config(ctx, gfd, name, xid, vdir, hostname, vs_initstyle_name(style), o);
	if (r == 0 && style == VS_INIT_SYSV && !strcmp(m, "busybox") &&
	    (r = put(ctx, gfd, "apps/init/cmd.start", "/etc/init.d/rcS")) == 0)
		r = put(ctx, gfd, "apps/init/cmd.stop", "/etc/init.d/rcK");
	close(xlock);
	xlock = -1;
	if (r < 0)
		goto fail;
	if ((r = prepare_vdir(ctx, vdir, o->force)) < 0)
		goto fail;
	root_made = true;
	rootfd = open(vdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0) {
		r = vs_err(ctx, -errno, "%s: %m", vdir);
		goto fail;
	}
	if (fchmod(rootfd, 0755) < 0) {
		r = vs_err(ctx, -errno, "%s: %m", vdir);
		goto fail;
	}
	if (!strcmp(m, "skeleton"))
		r = vs_build_skeleton(ctx, rootfd, hostname);
	else if (!strcmp(m, "busybox"))
		r = vs_build_busybox(ctx, rootfd, o->busybox ? o->busybox : "/bin/busybox", hostname);
	else if (!strcmp(m, "debootstrap"))
		r = method_debootstrap(ctx, name, vdir, o);
	else if (!strcmp(m, "clone"))
		r = vs_build_clone(ctx, name, gfd, rootfd, vdir, o, &ovfd);
	else
		r = method_template(ctx, rootfd, o);
	if (r < 0)
		goto fail;
	treefd = ovfd >= 0 ? ovfd : rootfd;
	if (strcmp(m, "skeleton") && strcmp(m, "busybox")) {
		/* the guest's own name, whatever the template or source said */
		char hn[80];
		snprintf(hn, sizeof(hn), "%s\n", hostname);
		if (faccessat(treefd, "etc", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
		    vs_guest_write_file(ctx, treefd, "etc/hostname", hn, 0644) < 0)
			vs_warn(ctx, "%s: %s", name, ctx->errmsg);
		for (const char *const *d = (const char *const[]){ "proc", "sys", "dev", "tmp", NULL };
		     *d; d++)
			if (ovfd < 0)	/* an overlay guest has the base's */
				mkdirat(rootfd, *d, 0755);
	}
	if ((r = vs_sync_tree(treefd)) < 0 || (r = vs_unlink_at(ctx, gfd, VS_INCOMPLETE_MARK)) < 0)
		goto fail;
	r = 0;
	goto out;
fail:
	if (created) {
		/* remove what this build made: the configuration, and the guest
		 * root only if this build created or emptied it */
		VS_KEEP_ERRMSG(ctx);
		int e;

		e = root_made ? vs_delete_locked(ctx, name, 0) : vs_rm_rf_at(ctx, cfd, name);
		if (e < 0)
			vs_warn(ctx, "%s: the failed build could not be removed: %s", name,
				ctx->errmsg);
	}
out:
	vs_lock_release(lock);
	return r;
}
