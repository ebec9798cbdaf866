/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renaming a stopped guest: its configuration directory, its root when
 * that is the default VDIRBASE/NAME, the "name" file and the console log.
 *
 * Two directories move, so the order is chosen for what an interruption
 * leaves: the root moves first and the old configuration is pointed at it
 * (a vdir link, written atomically) before the configuration moves.  A
 * failure at any step undoes the ones before, so the guest keeps its old
 * name, root and configuration; only a SIGKILL between the first two
 * renames (two system calls apart) leaves the old configuration without
 * its root, and moving VDIRBASE/NEW back repairs that. */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>

static int rename_noreplace(int fromfd, const char *from, int tofd, const char *to)
{
	return renameat2(fromfd, from, tofd, to, RENAME_NOREPLACE) < 0 ? -errno : 0;
}

/* CONFDIR/NAME/vdir -> target, replacing whatever is there atomically. */
static int set_vdir_link(struct vs_ctx *ctx, const char *name, const char *target)
{
	_cleanup_close_ int gfd = vs_open_guest_confdir(ctx, name);

	if (gfd < 0)
		return gfd;
	unlinkat(gfd, ".vdir.new", 0);
	if (symlinkat(target, gfd, ".vdir.new") < 0 ||
	    renameat(gfd, ".vdir.new", gfd, "vdir") < 0) {
		int e = -errno;
		unlinkat(gfd, ".vdir.new", 0);
		return vs_err(ctx, e, "%s/%s/vdir: %s", ctx->confdir, name, strerror(-e));
	}
	vs_fsync_dir(gfd);
	return 0;
}

/* Refuses what must not be renamed; the caller holds both locks. */
static int check(struct vs_ctx *ctx, const char *old, const char *new)
{
	_cleanup_close_ int rundfd = -1, nfd = -1;
	struct vs_guest *g = NULL;
	struct vs_runstate rs;
	int r;

	if ((r = vs_guest_open(ctx, old, &g)) < 0)
		return r;
	if (vs_guest_incomplete(g)) {
		vs_guest_unref(g);
		return vs_err(ctx, -EBUSY, "guest '%s' is incomplete: rebuild or delete it", old);
	}
	rundfd = vs_rundir_open(ctx);
	if (rundfd < 0) {
		vs_guest_unref(g);
		return rundfd;
	}
	r = vs_guest_lookup_state(g, rundfd, &rs);
	vs_guest_unref(g);
	if (r < 0)
		return r;
	vs_runstate_clear(&rs);
	if (r == VS_ST_RUNNING)
		return vs_err(ctx, -EBUSY, "guest '%s' is running; stop it before renaming it", old);
	if (r == VS_ST_LEFTOVER)
		return vs_err(ctx, -EBUSY, "guest '%s' has leftovers of its last run; "
			      "'vserver %s stop' removes them", old, old);
	nfd = vs_open_guest_confdir(ctx, new);
	if (nfd >= 0)
		return vs_err(ctx, -EEXIST, "a guest named '%s' exists already", new);
	return nfd == -ENOENT ? 0 : nfd;
}

static int rename_locked(struct vs_ctx *ctx, const char *old, const char *new)
{
	_cleanup_close_ int cfd = -1, vfd = -1, rundfd = -1;
	_cleanup_free_ char *vdir = NULL, *defroot = NULL, *newroot = NULL, *nm = NULL;
	bool root_moved = false, had_link;
	char target[PATH_MAX];
	char a[VS_NAME_MAX + 8], b[VS_NAME_MAX + 8];
	int r;

	if ((r = check(ctx, old, new)) < 0)
		return r;
	if ((r = vs_config_vdir(ctx, old, &vdir)) < 0)
		return r;
	defroot = vs_strdup_printf("%s/%s", ctx->vdirbase, old);
	newroot = vs_strdup_printf("%s/%s", ctx->vdirbase, new);
	if (!defroot || !newroot)
		return -ENOMEM;
	cfd = vs_open_confdir(ctx, false);
	if (cfd < 0)
		return cfd;
	/* build writes the link even for the default root; kept, it must
	 * follow the root */
	snprintf(a, sizeof(a), "%s/vdir", old);
	had_link = readlinkat(cfd, a, target, sizeof(target)) > 0;
	/* a root of its own (a vdir link) stays where it is; the default one
	 * follows the name, or the renamed guest would not find it */
	if (!strcmp(vdir, defroot)) {
		vfd = open(ctx->vdirbase, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (vfd < 0)
			return vs_err(ctx, -errno, "%s: %m", ctx->vdirbase);
		r = rename_noreplace(vfd, old, vfd, new);
		if (r == -EEXIST)
			return vs_err(ctx, r, "%s exists already (the root of no configured "
				      "guest?); not renaming over it", newroot);
		if (r < 0 && r != -ENOENT)
			return vs_err(ctx, r, "renaming %s to %s: %s", defroot, newroot,
				      strerror(-r));
		root_moved = r == 0;
		vs_fsync_dir(vfd);
		if (root_moved && (r = set_vdir_link(ctx, old, newroot)) < 0)
			goto undo_root;
	}
	r = rename_noreplace(cfd, old, cfd, new);
	if (r < 0) {
		r = vs_err(ctx, r, "renaming %s/%s to %s/%s: %s", ctx->confdir, old, ctx->confdir,
			   new, r == -EEXIST ? "a guest of that name exists already" :
			   strerror(-r));
		goto undo_link;
	}
	vs_fsync_dir(cfd);
	/* the root is the default one of the new name: a link that was not
	 * there before has done its job (left over, it still points to the
	 * right place) */
	if (root_moved && !had_link) {
		_cleanup_close_ int gfd = vs_open_guest_confdir(ctx, new);
		if (gfd >= 0 && unlinkat(gfd, "vdir", 0) == 0)
			vs_fsync_dir(gfd);
	}
	/* util-vserver's "name" file, when it says the old name */
	if (vs_config_get(ctx, new, "name", &nm) == 0 && !strcmp(nm, old) &&
	    (r = vs_config_set(ctx, new, "name", new)) < 0)
		vs_warn(ctx, "%s: the name file still says '%s': %s", new, old, vs_ctx_errmsg(ctx));
	rundfd = vs_rundir_open(ctx);
	if (rundfd >= 0) {
		snprintf(a, sizeof(a), "%s.log", old);
		snprintf(b, sizeof(b), "%s.log", new);
		renameat(rundfd, a, rundfd, b);
	}
	return 0;

undo_link:
	if (root_moved && had_link) {
		set_vdir_link(ctx, old, defroot);
	} else if (root_moved) {
		/* back to the default root: no link */
		_cleanup_close_ int gfd = vs_open_guest_confdir(ctx, old);
		if (gfd >= 0)
			unlinkat(gfd, "vdir", 0);
	}
undo_root:
	if (root_moved && renameat(vfd, new, vfd, old) < 0)
		vs_warn(ctx, "could not move %s back to %s: %m", newroot, defroot);
	return r;
}

int vs_guest_rename(struct vs_ctx *ctx, const char *old, const char *new)
{
	struct vs_lock *l1 = NULL, *l2 = NULL;
	int r;

	if (vs_name_check(old) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid guest name", old);
	if (vs_name_check(new) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid guest name (letters, digits, "
			      "'.', '_', '-'; first a letter or digit; at most %d characters)",
			      new, VS_NAME_MAX);
	if (!strcmp(old, new))
		return vs_err(ctx, -EINVAL, "'%s' is the guest's name already", new);
	/* both names: nothing may build NEW or start OLD meanwhile; the new
	 * name's holder would be a build of a guest of that name */
	if ((r = vs_lock_guest(ctx, old, 0, &l1)) < 0)
		return r;
	r = vs_lock_guest(ctx, new, VS_LOCK_NOWAIT, &l2);
	if (r == 0)
		r = rename_locked(ctx, old, new);
	vs_lock_release(l2);
	vs_lock_release(l1);
	return r;
}
