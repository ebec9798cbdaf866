/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unification on a stock kernel: clones that share the files of their
 * source instead of copying them.
 *
 * reflink  every file of the clone shares its extents with the source's
 *          (FICLONE, xfs and btrfs); the file system's copy-on-write makes
 *          a write private to the guest that makes it.
 * overlay  a read-only base, made once per source under
 *          VDIRBASE/.unify/base/SOURCE, is the lower layer of an overlayfs
 *          that the guest start mounts on the guest root inside the guest's
 *          mount namespace; the guest's own files live in its upper layer
 *          VDIRBASE/.unify/guest/NAME/upper.
 *
 * The configuration says which (unify/mode, unify/source, and for overlay
 * unify/{base,upper,work}).  Who uses a base is found by reading every
 * guest's unify/base under one lock (.unify.lock in the run directory),
 * which builds hold from making the base until their configuration names
 * it and deletes hold while they count; so the last delete removes a base
 * and no delete removes one that a guest uses or is being built on.
 *
 * A killed build converges: a base appears by rename only when complete
 * (a half-made one, SOURCE.tmp-PID, is removed by the next build), and the
 * guest's configuration names its upper directory before it is made, so
 * deleting or rebuilding the incomplete guest removes it. */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>

const char *vs_unify_mode_name(int mode)
{
	switch (mode) {
	case VS_UNIFY_REFLINK: return "reflink";
	case VS_UNIFY_OVERLAY: return "overlay";
	default: return "none";
	}
}

static int unify_lock(struct vs_ctx *ctx)
{
	return vs_lock_global(ctx, -1, ".unify.lock");
}

/* overlayfs's option string separates with ',' and ':' and escapes with
 * '\': a path with one of them could name other layers than we mean. */
static bool layer_path_ok(const char *p)
{
	return p && vs_path_check(p) == 0 && strcmp(p, "/") && !strpbrk(p, ",:\\");
}

/* A path that this file made: below VDIRBASE/.unify/KIND/ and exactly one
 * or two components deeper (base/SOURCE, guest/NAME/upper). */
static bool ours(struct vs_ctx *ctx, const char *path, const char *kind)
{
	char prefix[PATH_MAX];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "%s/.unify/%s/", ctx->vdirbase, kind);

	return layer_path_ok(path) && !strncmp(path, prefix, n) && path[n] && path[n] != '/';
}

static int get_key(struct vs_ctx *ctx, int gfd, const char *key, char **out)
{
	int r = vs_read_at(ctx, gfd, key, PATH_MAX, out);

	if (r == 0) {
		char *s = vs_strip(*out);
		memmove(*out, s, strlen(s) + 1);
	}
	return r;
}

static int put_key(struct vs_ctx *ctx, int gfd, const char *key, const char *value)
{
	_cleanup_free_ char *v = vs_strdup_printf("%s\n", value);
	return v ? vs_write_at(ctx, gfd, key, v, strlen(v), 0644) : -ENOMEM;
}

/* Removes an absolute path recursively (see vs_rm_rf_at); absent is fine. */
static int rm_path(struct vs_ctx *ctx, const char *path)
{
	char parent[PATH_MAX], *slash;
	_cleanup_close_ int pfd = -1;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return vs_err(ctx, -EINVAL, "refusing to remove '%s'", path);
	*slash = '\0';
	pfd = open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return errno == ENOENT ? 0 : vs_err(ctx, -errno, "%s: %m", parent);
	if (faccessat(pfd, slash + 1, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return vs_rm_rf_at(ctx, pfd, slash + 1);
}

/* How many guests other than `except` name base as their unify/base. */
static int base_users(struct vs_ctx *ctx, const char *base, const char *except,
		      unsigned *users)
{
	_cleanup_strv_ char **names = NULL;
	int r = vs_guest_list(ctx, &names);

	*users = 0;
	if (r < 0)
		return r;
	for (char **n = names; *n; n++) {
		_cleanup_close_ int gfd = -1;
		_cleanup_free_ char *b = NULL;
		if (except && !strcmp(*n, except))
			continue;
		gfd = vs_open_guest_confdir(ctx, *n);
		if (gfd < 0)
			continue;
		if (get_key(ctx, gfd, "unify/base", &b) == 0 && !strcmp(b, base))
			(*users)++;
	}
	return 0;
}

/* ---- probes ------------------------------------------------------------------- */

/* Can the file system below rootfd share extents with srcroot's? */
static int reflink_probe(int srcroot, int rootfd)
{
	static const char block[4096] = "vserver reflink probe";
	_cleanup_close_ int a = -1, b = -1;
	struct stat s1, s2;

	if (fstat(srcroot, &s1) < 0 || fstat(rootfd, &s2) < 0)
		return -errno;
	if (s1.st_dev != s2.st_dev)
		return -EXDEV;
	a = openat(rootfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	b = openat(rootfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (a < 0 || b < 0)
		return -errno;
	if (write(a, block, sizeof(block)) != (ssize_t)sizeof(block))
		return -EIO;
	return ioctl(b, FICLONE, a) < 0 ? -errno : 0;
}

static bool overlay_known(void)
{
	_cleanup_free_ char *fs = NULL;
	_cleanup_strv_ char **lines = NULL;

	if (vs_read_file("/proc/filesystems", 65536, &fs) < 0 || vs_split_lines(fs, &lines) < 0)
		return false;
	for (char **l = lines; *l; l++) {
		char *w = strrchr(*l, '\t');
		if (!strcmp(vs_strip(w ? w + 1 : *l), "overlay"))
			return true;
	}
	return false;
}

static int overlay_options(const char *lower, const char *upper, const char *work,
			   char *buf, size_t len)
{
	if (!layer_path_ok(lower) || !layer_path_ok(upper) || !layer_path_ok(work))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper,
			     work) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Mounts the overlay once, in a throw-away mount namespace, so that a
 * layer overlayfs refuses (say, an upper directory on a file system
 * without the xattrs it needs) fails the build, not every start. */
static int overlay_probe(const char *vdir, const char *opts)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("overlay", vdir, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
			_exit(errno & 0x7f);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st))
		return -EIO;
	return -WEXITSTATUS(st);
}

/* ---- building ----------------------------------------------------------------- */

/* Makes VDIRBASE/.unify/base/SOURCE from srcroot unless it exists (under
 * the unify lock, which the caller holds). */
static int ensure_base(struct vs_ctx *ctx, int srcroot, const char *source, const char *base)
{
	char dir[PATH_MAX], tmp[VS_NAME_MAX + 32];
	_cleanup_close_ int dfd = -1, tfd = -1;
	struct stat st;
	size_t slen = strlen(source);
	int r;

	snprintf(dir, sizeof(dir), "%s/.unify/base", ctx->vdirbase);
	if ((r = vs_mkdir_p(ctx, dir, 0700)) < 0)
		return r;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return vs_err(ctx, -errno, "%s: %m", dir);
	/* what a killed build left half-made: nobody else makes one now */
	{
		_cleanup_close_ int lfd = dup(dfd);
		DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
		struct dirent *de;
		if (!d)
			return vs_err(ctx, -errno, "%s: %m", dir);
		lfd = -1;
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, source, slen) &&
			    !strncmp(de->d_name + slen, ".tmp-", 5) &&
			    vs_rm_rf_at(ctx, dfd, de->d_name) < 0) {
				closedir(d);
				return -EIO;
			}
		closedir(d);
	}
	if (fstatat(dfd, source, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISDIR(st.st_mode))
			return vs_err(ctx, -EEXIST, "%s exists and is not a directory", base);
		vs_notice(ctx, "sharing the existing base %s", base);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", source, (int)getpid());
	if (mkdirat(dfd, tmp, 0755) < 0)
		return vs_err(ctx, -errno, "%s/%s: %m", dir, tmp);
	tfd = openat(dfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tfd < 0)
		return vs_err(ctx, -errno, "%s/%s: %m", dir, tmp);
	vs_notice(ctx, "making the shared base %s", base);
	r = vs_copy_tree(ctx, srcroot, tfd);
	if (r == 0 && (r = vs_sync_tree(tfd)) < 0)
		vs_err(ctx, r, "%s: sync: %s", base, strerror(-r));
	if (r == 0 && renameat(dfd, tmp, dfd, source) < 0)
		r = vs_err(ctx, -errno, "%s: %m", base);
	if (r < 0) {
		VS_KEEP_ERRMSG(ctx);

		vs_rm_rf_at(ctx, dfd, tmp);
		return r;
	}
	return vs_fsync_dir(dfd);
}

static int clone_overlay(struct vs_ctx *ctx, const char *name, int gfd, int srcroot,
			 const char *source, const char *vdir, int *treefd)
{
	char base[PATH_MAX], gdir[PATH_MAX], upper[PATH_MAX], work[PATH_MAX], opts[3 * PATH_MAX];
	_cleanup_close_ int lock = -1, bfd = -1, ufd = -1;
	struct stat st;
	int r;

	snprintf(base, sizeof(base), "%s/.unify/base/%s", ctx->vdirbase, source);
	snprintf(gdir, sizeof(gdir), "%s/.unify/guest/%s", ctx->vdirbase, name);
	snprintf(upper, sizeof(upper), "%s/upper", gdir);
	snprintf(work, sizeof(work), "%s/work", gdir);
	if (overlay_options(base, upper, work, opts, sizeof(opts)) < 0 || !layer_path_ok(vdir))
		return vs_err(ctx, -EINVAL, "overlay: the paths below %s (or the guest root %s) "
			      "contain ',', ':' or '\\', which overlayfs cannot take",
			      ctx->vdirbase, vdir);
	lock = unify_lock(ctx);
	if (lock < 0)
		return lock;
	if ((r = ensure_base(ctx, srcroot, source, base)) < 0)
		return r;
	/* named before made: deleting this guest, built or not, removes them */
	if ((r = put_key(ctx, gfd, "unify/base", base)) < 0 ||
	    (r = put_key(ctx, gfd, "unify/upper", upper)) < 0 ||
	    (r = put_key(ctx, gfd, "unify/work", work)) < 0 ||
	    (r = put_key(ctx, gfd, "unify/source", source)) < 0 ||
	    (r = put_key(ctx, gfd, "unify/mode", "overlay")) < 0 ||
	    (r = vs_fsync_dir(gfd)) < 0)
		return r;
	close(lock);
	lock = -1;
	/* what a killed build of the same name left */
	if ((r = rm_path(ctx, gdir)) < 0)
		return r;
	if ((r = vs_mkdir_p(ctx, gdir, 0700)) < 0 || (r = vs_mkdir_p(ctx, upper, 0755)) < 0 ||
	    (r = vs_mkdir_p(ctx, work, 0700)) < 0)
		return r;
	bfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	ufd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0 || ufd < 0)
		return vs_err(ctx, -errno, "overlay layers: %m");
	/* the guest's "/" takes owner and mode from the upper layer's root */
	if (fstat(bfd, &st) < 0 || fchown(ufd, st.st_uid, st.st_gid) < 0 ||
	    fchmod(ufd, st.st_mode & 07777) < 0)
		return vs_err(ctx, -errno, "%s: %m", upper);
	r = overlay_probe(vdir, opts);
	if (r < 0)
		return vs_err(ctx, r, "overlayfs refuses the layers (lower %s, upper %s): %s",
			      base, upper, strerror(-r));
	/* the guest's own files (etc/hostname) go to its upper layer; a
	 * directory made there takes the base's owner and mode */
	if (fstatat(bfd, "etc", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		if (mkdirat(ufd, "etc", st.st_mode & 07777) < 0 ||
		    fchownat(ufd, "etc", st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(ufd, "etc", st.st_mode & 07777, 0) < 0)
			return vs_err(ctx, -errno, "%s/etc: %m", upper);
	}
	vs_notice(ctx, "%s: overlay over %s", name, base);
	*treefd = vs_take_fd(&ufd);
	return 0;
}

static int clone_reflink(struct vs_ctx *ctx, const char *name, int gfd, int srcroot,
			 const char *source, int rootfd)
{
	int r;

	if ((r = put_key(ctx, gfd, "unify/source", source)) < 0 ||
	    (r = put_key(ctx, gfd, "unify/mode", "reflink")) < 0)
		return r;
	vs_notice(ctx, "%s: sharing the extents of %s's files (reflink)", name, source);
	return vs_copy_tree_reflink(ctx, srcroot, rootfd, true);
}

int vs_unify_clone(struct vs_ctx *ctx, const char *name, int gfd, int srcroot,
		   const char *source, const char *vdir, int rootfd, const char *mode,
		   int *treefd)
{
	int rl;

	*treefd = -1;
	if (!strcmp(mode, "overlay")) {
		if (!overlay_known())
			return vs_err(ctx, -EOPNOTSUPP, "--unify=overlay: this kernel has no "
				      "overlayfs (no 'overlay' in /proc/filesystems; modprobe "
				      "overlay, or use --unify=reflink on xfs or btrfs)");
		return clone_overlay(ctx, name, gfd, srcroot, source, vdir, treefd);
	}
	rl = reflink_probe(srcroot, rootfd);
	if (!strcmp(mode, "reflink")) {
		if (rl == -EXDEV)
			return vs_err(ctx, -EXDEV, "--unify=reflink: the source guest's root and "
				      "%s are on different file systems; extents are shared only "
				      "within one", vdir);
		if (rl < 0)
			return vs_err(ctx, rl, "--unify=reflink: the file system of %s cannot share "
				      "extents (FICLONE: %s); it needs xfs (reflink=1) or btrfs",
				      vdir, strerror(-rl));
		return clone_reflink(ctx, name, gfd, srcroot, source, rootfd);
	}
	if (strcmp(mode, "auto"))
		return vs_err(ctx, -EINVAL, "unknown --unify mode '%s' (auto, reflink, overlay)",
			      mode);
	if (rl == 0)
		return clone_reflink(ctx, name, gfd, srcroot, source, rootfd);
	if (overlay_known())
		return clone_overlay(ctx, name, gfd, srcroot, source, vdir, treefd);
	return vs_err(ctx, -EOPNOTSUPP, "--unify: %s can share files neither by reflink "
		      "(FICLONE: %s) nor by overlayfs (not in /proc/filesystems); build "
		      "without --unify for a plain copy", vdir, strerror(-rl));
}

/* ---- reading, mounting, deleting ------------------------------------------------ */

int vs_unify_load(struct vs_ctx *ctx, struct vs_config *c, int gfd)
{
	_cleanup_free_ char *mode = NULL;
	int r = get_key(ctx, gfd, "unify/mode", &mode);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (!strcmp(mode, "reflink"))
		return 0;	/* an ordinary tree to everyone but the file system */
	if (strcmp(mode, "overlay"))
		return vs_err(ctx, -EINVAL, "unify/mode: '%s' is not reflink or overlay", mode);
	if ((r = get_key(ctx, gfd, "unify/base", &c->ov_lower)) < 0 ||
	    (r = get_key(ctx, gfd, "unify/upper", &c->ov_upper)) < 0 ||
	    (r = get_key(ctx, gfd, "unify/work", &c->ov_work)) < 0)
		return r == -ENOENT ? vs_err(ctx, -EINVAL, "unify/mode is overlay, but unify/base, "
					     "unify/upper or unify/work is missing") : r;
	if (!layer_path_ok(c->ov_lower) || !layer_path_ok(c->ov_upper) ||
	    !layer_path_ok(c->ov_work))
		return vs_err(ctx, -EINVAL, "unify/base, upper, work: absolute paths without '.', "
			      "'..', ',', ':' or '\\' needed");
	return 0;
}

int vs_unify_mount(const struct vs_config *c, char *err, size_t errlen)
{
	char opts[3 * PATH_MAX];

	if (!c->ov_lower)
		return 0;
	if (overlay_options(c->ov_lower, c->ov_upper, c->ov_work, opts, sizeof(opts)) < 0) {
		snprintf(err, errlen, "unify: unusable overlay layer paths");
		return -EINVAL;
	}
	if (mount("overlay", c->vdir, "overlay", MS_NOSUID | MS_NODEV, opts) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot mount the overlay (lower %s, upper %s) on %s: %s%s",
			 c->ov_lower, c->ov_upper, c->vdir, strerror(e),
			 e == ENODEV ? " (this kernel has no overlayfs)" : "");
		return -e;
	}
	return 0;
}

int vs_unify_delete(struct vs_ctx *ctx, const char *name)
{
	_cleanup_close_ int gfd = vs_open_guest_confdir(ctx, name), lock = -1;
	_cleanup_free_ char *mode = NULL, *base = NULL, *upper = NULL, *work = NULL;
	char gdir[PATH_MAX];
	unsigned users;
	int r;

	if (gfd < 0)
		return gfd;
	r = get_key(ctx, gfd, "unify/mode", &mode);
	if (r == -ENOENT) {
		/* a build killed after naming the base but before the mode */
		if (get_key(ctx, gfd, "unify/base", &base) < 0)
			return 0;
	} else if (r < 0) {
		return r;
	} else if (strcmp(mode, "overlay")) {
		return 0;
	}
	snprintf(gdir, sizeof(gdir), "%s/.unify/guest/%s", ctx->vdirbase, name);
	if (get_key(ctx, gfd, "unify/upper", &upper) == 0 && ours(ctx, upper, "guest") &&
	    (r = rm_path(ctx, upper)) < 0)
		return r;
	if (get_key(ctx, gfd, "unify/work", &work) == 0 && ours(ctx, work, "guest") &&
	    (r = rm_path(ctx, work)) < 0)
		return r;
	if ((r = rm_path(ctx, gdir)) < 0)
		return r;
	if (!base && get_key(ctx, gfd, "unify/base", &base) < 0)
		return 0;
	if (!ours(ctx, base, "base"))
		return 0;	/* not made by us: never removed by us */
	lock = unify_lock(ctx);
	if (lock < 0)
		return lock;
	if ((r = base_users(ctx, base, name, &users)) < 0)
		return r;
	if (users) {
		vs_info(ctx, "%s: the base %s stays: %u other guest%s use%s it", name, base,
			users, users == 1 ? "" : "s", users == 1 ? "s" : "");
		return 0;
	}
	vs_notice(ctx, "%s: removing the base %s (no other guest uses it)", name, base);
	/* the configuration must stop naming it first, or a delete killed
	 * half-way would leave a guest that mounts a half-removed base */
	if ((r = vs_unlink_at(ctx, gfd, "unify/base")) < 0 && r != -ENOENT)
		return r;
	return rm_path(ctx, base);
}

int vs_guest_unify_info(struct vs_ctx *ctx, const char *name, struct vs_unify_info *info)
{
	_cleanup_close_ int gfd = -1;
	_cleanup_free_ char *mode = NULL, *v = NULL;
	int r;

	memset(info, 0, sizeof(*info));
	if (vs_name_check(name) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid guest name", name);
	gfd = vs_open_guest_confdir(ctx, name);
	if (gfd < 0)
		return gfd;
	r = get_key(ctx, gfd, "unify/mode", &mode);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	info->mode = !strcmp(mode, "reflink") ? VS_UNIFY_REFLINK :
		     !strcmp(mode, "overlay") ? VS_UNIFY_OVERLAY : VS_UNIFY_NONE;
	if (get_key(ctx, gfd, "unify/source", &v) == 0)
		snprintf(info->source, sizeof(info->source), "%s", v);
	if (info->mode != VS_UNIFY_OVERLAY)
		return 0;
#define GET(key, field) do { \
		_cleanup_free_ char *s = NULL; \
		if (get_key(ctx, gfd, key, &s) == 0) \
			snprintf(info->field, sizeof(info->field), "%s", s); \
	} while (0)
	GET("unify/base", base);
	GET("unify/upper", upper);
	GET("unify/work", work);
#undef GET
	if (info->base[0] && (r = base_users(ctx, info->base, NULL, &info->users)) < 0)
		return r;
	return 0;
}
