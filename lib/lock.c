/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One exclusive lock per guest: flock() on RUNDIR/NAME.lock.  The run
 * directory is root's alone (0700), so nobody else can hold, replace or
 * pre-create a lock file.  The file exists only while a command holds it:
 * the holder unlinks it before it lets go, and whoever locked a file must
 * check that it is still the one under the name (a waiter that got the
 * lock of an unlinked file starts over) — so two holders are impossible
 * and nothing of a guest stays in the run directory after a stop. */
#include "internal.h"

#include <fcntl.h>
#include <sys/file.h>

struct vs_lock {
	int fd;
	int dirfd;
	pid_t owner;		/* the process that took it */
	char file[VS_NAME_MAX + 8];
};

int vs_rundir_open(struct vs_ctx *ctx)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	/* it exists but for the first command after boot: no mkdir of every
	 * component each time (the checks below hold either way) */
	fd = open(ctx->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		r = vs_mkdir_p(ctx, ctx->rundir, 0700);
		if (r < 0)
			return r;
		fd = open(ctx->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return vs_err(ctx, -errno, "run directory %s: %m", ctx->rundir);
	if (fstat(fd, &st) < 0)
		return vs_err(ctx, -errno, "run directory %s: %m", ctx->rundir);
	if (st.st_uid != ctx->owner || (st.st_mode & 077))
		return vs_err(ctx, -EPERM, "run directory %s must belong to root and be "
			      "accessible only by it (it is uid %u, mode %04o)", ctx->rundir,
			      (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return vs_take_fd(&fd);
}

int vs_lock_global(struct vs_ctx *ctx, int rundfd, const char *file)
{
	_cleanup_close_ int own = -1, fd = -1;

	/* a dot first: no guest name can start with one, so no guest's
	 * NAME.lock is ever one of these (a guest called "network") */
	if (file[0] != '.')
		return vs_err(ctx, -EINVAL, "%s: a global lock's name starts with a dot", file);
	if (rundfd < 0) {
		own = vs_rundir_open(ctx);
		if (own < 0)
			return own;
		rundfd = own;
	}
	/* these files stay: a waiter never finds one unlinked under it */
	fd = openat(rundfd, file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return vs_err(ctx, -errno, "%s/%s: %m", ctx->rundir, file);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return vs_err(ctx, -errno, "lock %s/%s: %m", ctx->rundir, file);
	return vs_take_fd(&fd);
}

/* Is fd (locked) still the file called name in dfd? */
static bool still_linked(int dfd, const char *name, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || a.st_nlink == 0)
		return false;
	if (fstatat(dfd, name, &b, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int vs_lock_guest(struct vs_ctx *ctx, const char *name, unsigned flags, struct vs_lock **out)
{
	_cleanup_close_ int dfd = -1, fd = -1;
	char file[VS_NAME_MAX + 8];
	struct vs_lock *l;
	bool told = false;

	if (vs_name_check(name) < 0)
		return vs_err(ctx, -EINVAL, "'%s' is not a valid guest name", name ? name : "");
	dfd = vs_rundir_open(ctx);
	if (dfd < 0)
		return dfd;
	snprintf(file, sizeof(file), "%s.lock", name);
	for (;;) {
		fd = openat(dfd, file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return vs_err(ctx, -errno, "%s/%s: %m", ctx->rundir, file);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK)
				return vs_err(ctx, -errno, "lock %s/%s: %m", ctx->rundir, file);
			if (flags & VS_LOCK_NOWAIT)
				return vs_err(ctx, -EBUSY, "guest '%s' is busy: another vserver "
					      "command holds its lock", name);
			if (!told)
				vs_notice(ctx, "%s: waiting for another vserver command to finish",
					  name);
			told = true;
			while (flock(fd, LOCK_EX) < 0) {
				if (errno != EINTR)
					return vs_err(ctx, -errno, "lock %s/%s: %m", ctx->rundir,
						      file);
			}
		}
		if (still_linked(dfd, file, fd))
			break;
		/* the holder we waited for removed it: take the new one */
		close(vs_take_fd(&fd));
	}
	l = malloc(sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->fd = vs_take_fd(&fd);
	l->dirfd = vs_take_fd(&dfd);
	l->owner = getpid();
	snprintf(l->file, sizeof(l->file), "%s", file);
	*out = l;
	return 0;
}

void vs_lock_release(struct vs_lock *l)
{
	if (!l)
		return;
	/* unlinked while still held (see the top of the file) — by the
	 * process that took it only: a child that drops the descriptors it
	 * inherited must not take the file from under its parent */
	if (l->owner == getpid())
		unlinkat(l->dirfd, l->file, 0);
	close(l->fd);
	close(l->dirfd);
	free(l);
}
