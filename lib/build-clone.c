/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The clone build method: the tree of another, stopped guest, copied or
 * (with --unify, see unify.c) shared, and the parts of its configuration
 * that describe how it runs (not its name, context id or addresses). */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>

static const char *const clone_keys[] = {
	"backend", "bcapabilities", "ccapabilities", "flags", "nflags", "ncapabilities",
	"fstab", "spaces/net", "apps/init/style", "apps/init/cmd.start", "apps/init/cmd.stop",
	"apps/init/stop-signal", "apps/init/stop-timeout", "uts/domainname",
};

static int copy_conf_dir(struct vs_ctx *ctx, int sfd, int gfd, const char *dir)
{
	int dfd;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (faccessat(sfd, dir, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	dfd = vs_open_dir_at(ctx, sfd, dir, false, ".");
	if (dfd < 0)
		return dfd;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		char key[PATH_MAX];
		_cleanup_free_ char *v = NULL;
		if (de->d_name[0] == '.')
			continue;
		snprintf(key, sizeof(key), "%s/%s", dir, de->d_name);
		r = vs_read_at(ctx, sfd, key, 65536, &v);
		if (r == 0)
			r = vs_write_at(ctx, gfd, key, v, strlen(v), 0644);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int vs_build_clone(struct vs_ctx *ctx, const char *name, int gfd, int rootfd,
		   const char *vdir, const struct vs_build_opts *o, int *treefd)
{
	struct vs_lock *slock = NULL;
	struct vs_guest *src = NULL;
	struct vs_status st;
	struct vs_freeze *frozen = NULL;
	_cleanup_close_ int sfd = -1, srcroot = -1;
	int r;

	/* Never wait for the source's lock while holding ours: two clones in
	 * opposite directions would wait for each other. */
	r = vs_lock_guest(ctx, o->source, VS_LOCK_NOWAIT, &slock);
	if (r < 0)
		return r;
	r = vs_guest_open(ctx, o->source, &src);
	if (r < 0)
		goto out;
	r = vs_guest_status(src, &st);
	if (r < 0)
		goto out;
	if (!st.running && st.leftovers) {
		r = vs_err(ctx, -EBUSY, "the source guest '%s' has leftovers of an earlier run; "
			   "stop it before cloning", o->source);
		goto out;
	}
	if (src->cfg->ov_lower) {
		/* its root on the host is an empty mount point: a copy of it
		 * would be an empty guest */
		r = vs_err(ctx, -EOPNOTSUPP, "'%s' is an overlay guest: its files are in its "
			   "layers, not in %s; clone its source guest instead", o->source,
			   src->cfg->vdir);
		goto out;
	}
	srcroot = open(src->cfg->vdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (srcroot < 0) {
		r = vs_err(ctx, -errno, "source guest root %s: %m", src->cfg->vdir);
		goto out;
	}
	/* a running source is frozen for the copy (freeze.c), so that its
	 * files are copied as of one moment; we hold its lock, so it can
	 * neither stop nor start meanwhile */
	if (st.running && o->no_freeze)
		vs_warn(ctx, "%s: copying the running guest '%s' without freezing it: files it "
			"changes meanwhile may be copied half-written", name, o->source);
	else if (st.running && (r = vs_freeze_guest(src, &frozen)) < 0)
		goto out;
	if (o->unify) {
		r = vs_unify_clone(ctx, name, gfd, srcroot, o->source, vdir, rootfd, o->unify,
				   treefd);
	} else {
		vs_notice(ctx, "%s: copying %s%s", name, src->cfg->vdir,
			  frozen ? " (the source is frozen meanwhile)" : "");
		r = vs_copy_tree(ctx, srcroot, rootfd);
	}
	if (frozen) {
		int t = vs_thaw_cgroup(frozen);

		frozen = NULL;
		if (t < 0 && r == 0)
			r = vs_err(ctx, t, "%s: cannot thaw the source guest '%s': %s", name,
				   o->source, strerror(-t));
	}
	if (r < 0)
		goto out;
	sfd = vs_open_guest_confdir(ctx, o->source);
	if (sfd < 0) {
		r = sfd;
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(clone_keys); i++) {
		_cleanup_free_ char *v = NULL;
		/* what the caller chose explicitly stays */
		if ((o->initstyle && !strcmp(clone_keys[i], "apps/init/style")) ||
		    (o->backend && !strcmp(clone_keys[i], "backend")))
			continue;
		r = vs_read_at(ctx, sfd, clone_keys[i], 65536, &v);
		if (r == -ENOENT)
			continue;
		if (r == 0)
			r = vs_write_at(ctx, gfd, clone_keys[i], v, strlen(v), 0644);
		if (r < 0)
			goto out;
	}
	if ((r = copy_conf_dir(ctx, sfd, gfd, "rlimits")) < 0 ||
	    (r = copy_conf_dir(ctx, sfd, gfd, "cgroup")) < 0)
		goto out;
	r = 0;
out:
	vs_guest_unref(src);
	vs_lock_release(slock);
	return r;
}
