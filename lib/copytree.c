/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copying a tree (clone builds) with the rules of fileio.c: never follow a
 * symbolic link, never leave the file system, keep hard links, owners,
 * modes, times and extended attributes.  A reflink copy shares every
 * file's extents with the source (FICLONE): the file system's own
 * copy-on-write makes a later write private to the copy. */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/xattr.h>
#include <time.h>

#define MAX_DEPTH 512

struct hardlink {
	dev_t dev;
	ino_t ino;
	char *path;	/* relative to the destination root */
};

struct copy {
	struct vs_ctx *ctx;
	int dstroot;
	struct hardlink *links;
	size_t n_links;
	dev_t dev;
	bool reflink;	/* every file by FICLONE, or fail */
	/* progress: a large guest takes minutes to copy */
	unsigned long long files, bytes;
	uint64_t next_ms;
};

static void progress(struct copy *c)
{
	uint64_t now = vs_now_ms(CLOCK_MONOTONIC);

	if (now < c->next_ms)
		return;
	c->next_ms = now + 2000;
	vs_notice(c->ctx, "copied %llu files, %.1f MiB so far", c->files,
		  (double)c->bytes / (1024 * 1024));
}

static int copy_xattrs(int src, int dst)
{
	char names[8192], value[8192];
	ssize_t len = flistxattr(src, names, sizeof(names));

	if (len < 0)
		return (errno == ENOTSUP || errno == ERANGE) ? 0 : -errno;
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		ssize_t vl = fgetxattr(src, n, value, sizeof(value));
		if (vl < 0)
			continue;
		if (fsetxattr(dst, n, value, (size_t)vl, 0) < 0 && errno != ENOTSUP &&
		    errno != EPERM)
			return -errno;
	}
	return 0;
}

static int copy_range(int src, int dst, off_t off, off_t end)
{
	while (off < end) {
		loff_t in = off, out = off;
		ssize_t n = copy_file_range(src, &in, dst, &out, (size_t)(end - off), 0);
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
			      errno == EOPNOTSUPP)) {
			if (lseek(src, off, SEEK_SET) < 0 || lseek(dst, off, SEEK_SET) < 0)
				return -errno;
			n = sendfile(dst, src, NULL, (size_t)(end - off));
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		off += n;
	}
	return 0;
}

/* Copies only the data extents (SEEK_DATA/SEEK_HOLE): a hole stays a hole,
 * so a sparse 2 GB file costs the copy no more than its data.  A file
 * system without SEEK_DATA reports the whole file as data. */
static int copy_data(int src, int dst, off_t size, unsigned long long *bytes)
{
	off_t off = 0;
	int r;

	while (off < size) {
		off_t data = lseek(src, off, SEEK_DATA), hole;
		if (data < 0 && errno == ENXIO)
			break;		/* only a hole is left */
		if (data < 0) {
			data = off;	/* no SEEK_DATA here: copy everything */
			hole = size;
		} else {
			hole = lseek(src, data, SEEK_HOLE);
			if (hole < 0 || hole > size)
				hole = size;
		}
		if ((r = copy_range(src, dst, data, hole)) < 0)
			return r;
		*bytes += (unsigned long long)(hole - data);
		off = hole;
	}
	/* the size, with a trailing hole */
	return ftruncate(dst, size) < 0 ? -errno : 0;
}

static int set_owner_mode_times(int fd, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	/* chown first: it clears set-id bits, which fchmod then restores. */
	if (fchown(fd, st->st_uid, st->st_gid) < 0)
		return -errno;
	if (fchmod(fd, st->st_mode & 07777) < 0)
		return -errno;
	if (futimens(fd, ts) < 0)
		return -errno;
	return 0;
}

static int copy_dir(struct copy *c, int src, int dst, const char *rel, int depth);

static int copy_entry(struct copy *c, int src, int dst, const char *name, const char *rel,
		      int depth)
{
	struct stat st;
	char path[PATH_MAX];
	int r = 0;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return vs_err(c->ctx, -errno, "%s: %m", name);
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", name) >=
	    sizeof(path))
		return vs_err(c->ctx, -ENAMETOOLONG, "%s/%s: path too long", rel, name);

	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int s = -1, d = -1;
		if (st.st_dev != c->dev)
			return vs_err(c->ctx, -EXDEV, "%s is a mount point; not copying across it",
				      path);
		if (mkdirat(dst, name, 0700) < 0)
			return vs_err(c->ctx, -errno, "mkdir %s: %m", path);
		s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return vs_err(c->ctx, -errno, "%s: %m", path);
		r = copy_dir(c, s, d, path, depth + 1);
		if (r == 0)
			r = copy_xattrs(s, d);
		if (r == 0)
			r = set_owner_mode_times(d, &st);
		return r < 0 ? vs_err(c->ctx, r, "%s: %s", path, strerror(-r)) : 0;
	}
	if (S_ISREG(st.st_mode)) {
		_cleanup_close_ int s = -1, d = -1;
		struct stat st2;
		if (st.st_nlink > 1) {
			for (size_t i = 0; i < c->n_links; i++)
				if (c->links[i].dev == st.st_dev && c->links[i].ino == st.st_ino) {
					if (linkat(c->dstroot, c->links[i].path, dst, name, 0) < 0)
						return vs_err(c->ctx, -errno, "link %s: %m", path);
					return 0;
				}
		}
		s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (s < 0)
			return vs_err(c->ctx, -errno, "%s: %m", path);
		if (fstat(s, &st2) < 0 || st2.st_ino != st.st_ino || !S_ISREG(st2.st_mode))
			return vs_err(c->ctx, -EAGAIN, "%s changed while copying", path);
		d = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (d < 0)
			return vs_err(c->ctx, -errno, "create %s: %m", path);
		if (!c->reflink) {
			r = copy_data(s, d, st.st_size, &c->bytes);
		} else if (ioctl(d, FICLONE, s) < 0) {
			/* never a silent full copy: the caller asked for sharing */
			return vs_err(c->ctx, -errno, "%s: cannot share its extents (FICLONE): %m",
				      path);
		} else {
			c->bytes += (unsigned long long)st.st_size;
		}
		if (r == 0)
			r = set_owner_mode_times(d, &st);
		if (r == 0)
			r = copy_xattrs(s, d);
		if (r < 0)
			return vs_err(c->ctx, r, "%s: %s", path, strerror(-r));
		c->files++;
		progress(c);
		if (st.st_nlink > 1) {
			struct hardlink *nl = realloc(c->links, (c->n_links + 1) * sizeof(*nl));
			if (!nl)
				return -ENOMEM;
			c->links = nl;
			nl[c->n_links].dev = st.st_dev;
			nl[c->n_links].ino = st.st_ino;
			nl[c->n_links].path = strdup(path);
			if (!nl[c->n_links].path)
				return -ENOMEM;
			c->n_links++;
		}
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		struct timespec ts[2] = { st.st_atim, st.st_mtim };
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return vs_err(c->ctx, -errno, "%s: %m", path);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return vs_err(c->ctx, -errno, "symlink %s: %m", path);
		if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
			return vs_err(c->ctx, -errno, "%s: %m", path);
		return 0;
	}
	/* Device nodes, FIFOs and sockets are recreated as they were. */
	if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0)
		return vs_err(c->ctx, -errno, "mknod %s: %m", path);
	{
		struct timespec ts[2] = { st.st_atim, st.st_mtim };
		if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(dst, name, st.st_mode & 07777, 0) < 0 ||
		    utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
			return vs_err(c->ctx, -errno, "%s: %m", path);
	}
	return 0;
}

static int copy_dir(struct copy *c, int src, int dst, const char *rel, int depth)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	if (depth > MAX_DEPTH)
		return vs_err(c->ctx, -ELOOP, "directory tree deeper than %d levels", MAX_DEPTH);
	fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = copy_entry(c, src, dst, de->d_name, rel, depth);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int vs_copy_tree(struct vs_ctx *ctx, int srcfd, int dstfd)
{
	return vs_copy_tree_reflink(ctx, srcfd, dstfd, false);
}

int vs_copy_tree_reflink(struct vs_ctx *ctx, int srcfd, int dstfd, bool reflink)
{
	struct copy c = { .ctx = ctx, .dstroot = dstfd, .reflink = reflink };
	struct stat st;
	int r;

	if (fstat(srcfd, &st) < 0)
		return -errno;
	c.dev = st.st_dev;
	c.next_ms = vs_now_ms(CLOCK_MONOTONIC) + 2000;
	r = copy_dir(&c, srcfd, dstfd, "", 0);
	if (r == 0) {
		r = copy_xattrs(srcfd, dstfd);
		if (r == 0)
			r = set_owner_mode_times(dstfd, &st);
		if (r < 0)
			vs_err(ctx, r, "guest root: %s", strerror(-r));
		else
			vs_notice(ctx, reflink ? "shared the extents of %llu files, %.1f MiB" :
				  "copied %llu files, %.1f MiB of data (holes stay holes)",
				  c.files, (double)c.bytes / (1024 * 1024));
	}
	for (size_t i = 0; i < c.n_links; i++)
		free(c.links[i].path);
	free(c.links);
	return r;
}

