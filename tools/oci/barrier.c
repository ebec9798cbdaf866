/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The chroot barrier of vx containers: the directory that holds the
 * container's root (root.path's parent: the bundle, podman's layer
 * directory) gets IATTR_BARRIER, as Linux-VServer marks /vservers.  The
 * kernel then refuses that directory to every task of a context, so a
 * process that gets outside its root (an escaped chroot, a directory
 * descriptor handed in) cannot walk up past it.
 *
 * Several containers may share that directory (absolute root.path values
 * under one /srv/roots, containers of different --root directories), so
 * the mark is counted, host-wide, in BARRIERS/DEV-INO/: one file per
 * container holding it (named by its state directory's device and inode,
 * unique while it exists) and "owner" when a container of ours set the
 * mark.  The first holder sets it when it is not set yet; the last one to
 * let go clears it only if it was ours.  A barrier someone else set (an
 * admin, util-vserver) is never cleared.  Every change happens under
 * flock on BARRIERS.
 *
 * The mark lives in the in-core inode (docs/kernel.md); the directory is
 * kept in core while the container's root is mounted below it. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/vserver.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

static const char *barriers_dir(void)
{
	return "/run/vserver-oci.barriers";
}

static int lock_registry(void)
{
	const char *d = barriers_dir();
	int fd;

	if (mkdir(d, 0700) < 0 && errno != EEXIST)
		return oci_err(-errno, "%s: %s", d, strerror(errno));
	fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return oci_err(-errno, "%s: %s", d, strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return oci_err(-e, "lock %s: %s", d, strerror(e));
	}
	return fd;
}

static void key_of(const struct stat *sb, char *buf, size_t len)
{
	snprintf(buf, len, "%llx-%llx", (unsigned long long)sb->st_dev,
		 (unsigned long long)sb->st_ino);
}

/* nothing but "owner" (or nothing) left in the key's directory */
static bool no_holders(int regfd, const char *key)
{
	int fd = openat(regfd, key, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	bool none = true;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strcmp(e->d_name, "owner"))
			none = false;
	closedir(d);
	return none;
}

int oci_barrier_take(const struct oci_spec *s, struct oci_state *st)
{
	char real[PATH_MAX], parent[PATH_MAX], key[64], holder[64], p[PATH_MAX + 80];
	struct stat sb, sd;
	uint32_t flags = 0, mask = 0;
	int regfd, fd, r, hf;

	if (!s->vx.on)
		return 0;
	if (!realpath(s->rootfs, real))
		return oci_err(-errno, "root.path %s: %s", s->rootfs, strerror(errno));
	/* dirname() works in place: on a copy, and from there into parent */
	{
		char tmp[PATH_MAX];
		snprintf(tmp, sizeof(tmp), "%s", real);
		snprintf(parent, sizeof(parent), "%s", dirname(tmp));
	}
	/* a barrier on / would close the whole host to every context */
	if (!strcmp(parent, "/"))
		return oci_err(-EINVAL, "root.path %s: its parent is /, which cannot get the chroot "
			       "barrier; put the root in a directory of its own", s->rootfs);
	if ((regfd = lock_registry()) < 0)
		return regfd;
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || fstat(st->dirfd, &sd) < 0) {
		r = oci_err(-errno, "root.path: the directory above it, %s: %s", parent,
			    strerror(errno));
		goto out;
	}
	key_of(&sb, key, sizeof(key));
	key_of(&sd, holder, sizeof(holder));
	if ((r = vs_vx_fget_iattr(fd, &flags, &mask)) < 0) {
		r = oci_err(r, "root.path: cannot read the attributes of %s: %s", parent,
			    strerror(-r));
		goto out;
	}
	if (!(mask & IATTR_BARRIER)) {
		r = oci_err(-EOPNOTSUPP, "root.path: %s cannot carry the chroot barrier", parent);
		goto out;
	}
	if (mkdirat(regfd, key, 0700) < 0 && errno != EEXIST) {
		r = oci_err(-errno, "%s/%s: %s", barriers_dir(), key, strerror(errno));
		goto out;
	}
	snprintf(p, sizeof(p), "%s/%s", key, holder);
	if ((hf = openat(regfd, p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		r = oci_err(-errno, "%s/%s: %s", barriers_dir(), p, strerror(errno));
		goto out;
	}
	/* what the holder is, for an admin reading the registry */
	if (write(hf, st->dir, strlen(st->dir)) < 0 || close(hf) < 0) {
		r = oci_err(-errno, "%s/%s: %s", barriers_dir(), p, strerror(errno));
		goto out;
	}
	st->barrier = strdup(parent);
	st->barrier_key = strdup(key);
	if (!(flags & IATTR_BARRIER)) {
		if ((r = vs_vx_fset_iattr(fd, IATTR_BARRIER, IATTR_BARRIER)) < 0) {
			r = oci_err(r, "root.path: cannot set the chroot barrier on %s: %s", parent,
				    strerror(-r));
			goto out;
		}
		snprintf(p, sizeof(p), "%s/owner", key);
		if ((hf = openat(regfd, p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0)
			close(hf);
		oci_debug("root.path: set the chroot barrier on %s", parent);
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	close(regfd);
	return r;
}

void oci_barrier_release(struct oci_state *st)
{
	char p[PATH_MAX], holder[64], key[64];
	struct stat sb, sd;
	int regfd, fd;

	if (!st->barrier_key || !*st->barrier_key || fstat(st->dirfd, &sd) < 0)
		return;
	if ((regfd = lock_registry()) < 0) {
		oci_warn("the chroot barrier on %s: %s", st->barrier, oci_errmsg);
		return;
	}
	key_of(&sd, holder, sizeof(holder));
	snprintf(p, sizeof(p), "%s/%s", st->barrier_key, holder);
	unlinkat(regfd, p, 0);
	if (no_holders(regfd, st->barrier_key)) {
		snprintf(p, sizeof(p), "%s/owner", st->barrier_key);
		/* ours, and still the same directory: clear it */
		if (faccessat(regfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0 && st->barrier &&
		    (fd = open(st->barrier, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			if (fstat(fd, &sb) == 0 && (key_of(&sb, key, sizeof(key)),
						    !strcmp(key, st->barrier_key)))
				vs_vx_fset_iattr(fd, 0, IATTR_BARRIER);
			close(fd);
		}
		unlinkat(regfd, p, 0);
		unlinkat(regfd, st->barrier_key, AT_REMOVEDIR);
	}
	close(regfd);
	free(st->barrier_key);
	st->barrier_key = NULL;
}
