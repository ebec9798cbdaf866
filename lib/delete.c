/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deleting a guest: stop it (with --force), then its root, configuration
 * and whatever of it is left in the run directory. */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>

int vs_config_vdir(struct vs_ctx *ctx, const char *name, char **vdir)
{
	_cleanup_close_ int gfd = vs_open_guest_confdir(ctx, name);
	char target[PATH_MAX];
	ssize_t n;

	if (gfd < 0)
		return gfd;
	n = readlinkat(gfd, "vdir", target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		while (n > 1 && target[n - 1] == '/')
			target[--n] = '\0';
		if (vs_path_check(target) < 0 || !strcmp(target, "/"))
			return vs_err(ctx, -EINVAL, "%s/%s/vdir: unusable path '%s'", ctx->confdir,
				      name, target);
		*vdir = strdup(target);
	} else {
		*vdir = vs_strdup_printf("%s/%s", ctx->vdirbase, name);
	}
	return *vdir ? 0 : -ENOMEM;
}

/* Something mounted at or below the guest root in our mount namespace (a
 * guest's own mounts live in its namespace, a build's in the build's): an
 * admin's bind mount, say.  Refused before anything is removed, as
 * removing the tree would remove what such a mount shows. */
static int foreign_mount(struct vs_ctx *ctx, const char *vdir)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096 + 256], mp[PATH_MAX];
	size_t vl = strlen(vdir);

	if (!f)
		return 0;	/* no /proc: rm_rf's own check still stops at one */
	while (fgets(line, sizeof(line), f)) {
		size_t k = 0;
		const char *p = line;
		/* the fifth field, with \040-style escapes */
		for (int i = 0; i < 4 && p; i++)
			if ((p = strchr(p, ' ')))
				p++;
		if (!p)
			continue;
		while (*p && *p != ' ' && k < sizeof(mp) - 1) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
				mp[k++] = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
				p += 4;
			} else {
				mp[k++] = *p++;
			}
		}
		mp[k] = '\0';
		if (!strncmp(mp, vdir, vl) && (mp[vl] == '\0' || mp[vl] == '/'))
			return vs_err(ctx, -EBUSY, "%s is mounted (not by vserver); unmount it "
				      "before deleting the guest", mp);
	}
	return 0;
}

static int remove_vdir(struct vs_ctx *ctx, const char *vdir)
{
	char parent[PATH_MAX], *slash;
	_cleanup_close_ int pfd = -1;
	struct stat st;

	snprintf(parent, sizeof(parent), "%s", vdir);
	slash = strrchr(parent, '/');
	if (!slash || !slash[1])
		return vs_err(ctx, -EINVAL, "refusing to remove '%s'", vdir);
	*slash = '\0';
	pfd = open(parent[0] ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return errno == ENOENT ? 0 : vs_err(ctx, -errno, "%s: %m", parent);
	if (fstatat(pfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : vs_err(ctx, -errno, "%s: %m", vdir);
	if (!S_ISDIR(st.st_mode))
		return vs_err(ctx, -ENOTDIR, "guest root %s is not a directory; not removing it",
			      vdir);
	return vs_rm_rf_at(ctx, pfd, slash + 1);
}

/* Deletes a guest; the caller holds its lock. */
int vs_delete_locked(struct vs_ctx *ctx, const char *name, unsigned flags)
{
	struct vs_guest *g = NULL;
	_cleanup_close_ int cfd = -1, rundfd = -1;
	_cleanup_free_ char *vdir = NULL;
	char tmpname[VS_NAME_MAX + 32];
	int r;

	/* what an interrupted build left running must end before its tree
	 * goes, or it would write into (and recreate) it afterwards */
	r = vs_build_leftovers(ctx, name);
	if (r < 0)
		goto out;
	r = vs_config_vdir(ctx, name, &vdir);
	if (r < 0)
		goto out;
	/* A guest whose configuration no longer loads (say, an interrupted
	 * build) must still be deletable; then nothing can run either. */
	if (vs_guest_open(ctx, name, &g) == 0) {
		struct vs_runstate rs;
		rundfd = vs_rundir_open(ctx);
		if (rundfd < 0) {
			r = rundfd;
			goto out;
		}
		r = vs_guest_lookup_state(g, rundfd, &rs);
		if (r == VS_ST_RUNNING && !(flags & VS_DELETE_FORCE)) {
			vs_runstate_clear(&rs);
			r = vs_err(ctx, -EBUSY, "guest '%s' is running; stop it first or use --force",
				   name);
			goto out;
		}
		if (r == VS_ST_RUNNING || r == VS_ST_LEFTOVER) {
			/* the lock is ours already: stop inline */
			if (r == VS_ST_RUNNING) {
				_cleanup_close_ int pfd = vs_guest_pidfd(&rs);
				if (pfd >= 0 && vs_pidfd_signal(pfd, SIGTERM) == 0)
					vs_pidfd_wait(pfd, (int)g->cfg->stop_timeout_ms);
			}
			r = vs_guest_cleanup(g, rundfd, &rs);
		}
		vs_runstate_clear(&rs);
		if (r < 0)
			goto out;
	}
	/* after the stop: a running guest's mounts are gone then */
	r = foreign_mount(ctx, vdir);
	if (r < 0)
		goto out;
	/* From here on an interruption leaves a guest that refuses to start. */
	r = vs_config_set(ctx, name, VS_INCOMPLETE_MARK, "deleting");
	if (r < 0)
		goto out;
	r = remove_vdir(ctx, vdir);
	if (r < 0)
		goto out;
	/* an overlay guest's layers; its base when it was the last user */
	r = vs_unify_delete(ctx, name);
	if (r < 0)
		goto out;
	cfd = vs_open_confdir(ctx, false);
	if (cfd < 0) {
		r = cfd;
		goto out;
	}
	/* Take the name away atomically, then remove the rest at leisure. */
	snprintf(tmpname, sizeof(tmpname), ".%s.deleted-%d", name, (int)getpid());
	if (renameat(cfd, name, cfd, tmpname) < 0) {
		r = vs_err(ctx, -errno, "cannot remove %s/%s: %m", ctx->confdir, name);
		goto out;
	}
	vs_fsync_dir(cfd);
	r = vs_rm_rf_at(ctx, cfd, tmpname);
	if (r == 0) {
		char file[VS_NAME_MAX + 8];
		if (rundfd < 0)
			rundfd = vs_rundir_open(ctx);
		if (rundfd >= 0) {
			vs_console_remove(rundfd, name, true);
			snprintf(file, sizeof(file), "%s.state", name);
			unlinkat(rundfd, file, 0);
		}
	}
out:
	vs_guest_unref(g);
	return r;
}

int vs_guest_delete(struct vs_ctx *ctx, const char *name, unsigned flags)
{
	struct vs_lock *lock = NULL;
	int r = vs_lock_guest(ctx, name, 0, &lock);

	if (r < 0)
		return r;
	r = vs_delete_locked(ctx, name, flags);
	vs_lock_release(lock);
	return r;
}
