/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File access with the rules the configuration tree needs: relative to a
 * directory fd, never following symbolic links, trusting only files that
 * root owns and nobody else may write; atomic and durable replacement; and
 * tree walks (remove, copy) that never leave the tree they were given. */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/xattr.h>

#define MAX_DEPTH 512

int vs_check_trusted_stat(struct vs_ctx *ctx, const struct stat *st, const char *what)
{
	if (st->st_uid != ctx->owner)
		return vs_err(ctx, -EPERM, "%s is owned by uid %u, not by %s; refusing to use it",
			      what, (unsigned)st->st_uid, ctx->owner == 0 ? "root" : "the caller");
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return vs_err(ctx, -EPERM, "%s is writable by group or others (mode %04o); "
			      "refusing to use it", what, (unsigned)(st->st_mode & 07777));
	return 0;
}

int vs_check_trusted(struct vs_ctx *ctx, int fd, const char *what)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return vs_err(ctx, -errno, "%s: %m", what);
	return vs_check_trusted_stat(ctx, &st, what);
}

/* Splits "a/b/c" into components, rejecting ".", ".." and empty ones so
 * that a relative path can never climb out of the directory it starts at. */
static int next_component(const char **p, char *buf, size_t len)
{
	const char *s = *p, *e;
	size_t n;

	while (*s == '/')
		s++;
	if (!*s)
		return 0;
	e = strchr(s, '/');
	n = e ? (size_t)(e - s) : strlen(s);
	if (n >= len || n >= NAME_MAX)
		return -ENAMETOOLONG;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*p = s + n;
	return 1;
}

int vs_open_dir_at(struct vs_ctx *ctx, int dirfd, const char *relpath, bool create,
		   const char *what)
{
	_cleanup_close_ int cur = -1;
	const char *p = relpath;
	char comp[NAME_MAX + 1];
	char shown[PATH_MAX];
	int r;

	cur = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return vs_err(ctx, -errno, "%s: %m", what);
	/* what == "." means "name paths relative to dirfd" in messages */
	snprintf(shown, sizeof(shown), "%s", strcmp(what, ".") ? what : "");
	while ((r = next_component(&p, comp, sizeof(comp))) > 0) {
		int fd;
		size_t l = strlen(shown);
		snprintf(shown + l, sizeof(shown) - l, l ? "/%s" : "%s", comp);
		fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
				return vs_err(ctx, -errno, "cannot create %s: %m", shown);
			fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			if (errno == ELOOP || errno == ENOTDIR)
				return vs_err(ctx, -ELOOP, "%s is a symbolic link or not a directory; "
					      "refusing to follow it", shown);
			return vs_err(ctx, -errno, "%s: %m", shown);
		}
		close(cur);
		cur = fd;
		r = vs_check_trusted(ctx, cur, shown);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return vs_err(ctx, r, "%s/%s: invalid path", what, relpath);
	return vs_take_fd(&cur);
}

static int split_rel(const char *relpath, char *dir, size_t dlen, char *base, size_t blen)
{
	const char *slash = strrchr(relpath, '/');
	const char *b = slash ? slash + 1 : relpath;
	size_t dl = slash ? (size_t)(slash - relpath) : 0;

	if (!*b || strlen(b) >= blen || dl >= dlen || !strcmp(b, ".") || !strcmp(b, ".."))
		return -EINVAL;
	memcpy(dir, relpath, dl);
	dir[dl] = '\0';
	strcpy(base, b);
	return 0;
}

int vs_read_at(struct vs_ctx *ctx, int dirfd, const char *relpath, size_t max, char **out)
{
	char dir[PATH_MAX], base[NAME_MAX + 1], shown[PATH_MAX];
	_cleanup_close_ int dfd = -1, fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t got = 0;
	int r;

	if (split_rel(relpath, dir, sizeof(dir), base, sizeof(base)) < 0)
		return vs_err(ctx, -EINVAL, "%s: invalid path", relpath);
	snprintf(shown, sizeof(shown), "%s", relpath);
	/* a file right in dirfd (most configuration keys) needs no second
	 * descriptor of the directory, which the caller has checked */
	if (dir[0]) {
		dfd = vs_open_dir_at(ctx, dirfd, dir, false, ".");
		if (dfd < 0)
			return dfd;
	}
	/* O_NONBLOCK: a FIFO planted in place of a file must not hang us. */
	fd = openat(dir[0] ? dfd : dirfd, base,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == ELOOP)
			return vs_err(ctx, -ELOOP, "%s is a symbolic link; refusing to follow it",
				      shown);
		return vs_err(ctx, -errno, "%s: %m", shown);
	}
	if (fstat(fd, &st) < 0)
		return vs_err(ctx, -errno, "%s: %m", shown);
	if (!S_ISREG(st.st_mode))
		return vs_err(ctx, -EINVAL, "%s is not a regular file", shown);
	r = vs_check_trusted_stat(ctx, &st, shown);
	if (r < 0)
		return r;
	if ((size_t)st.st_size > max)
		return vs_err(ctx, -EFBIG, "%s is larger than %zu bytes", shown, max);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return vs_err(ctx, -errno, "%s: %m", shown);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (strlen(buf) != got)
		return vs_err(ctx, -EINVAL, "%s contains NUL bytes", shown);
	*out = TAKE_PTR(buf);
	return 0;
}

int vs_fsync_dir(int dirfd)
{
	/* Some file systems refuse fsync on directories; that is not an error
	 * we could do anything about. */
	if (fsync(dirfd) < 0 && errno != EINVAL && errno != EROFS)
		return -errno;
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int vs_write_at(struct vs_ctx *ctx, int dirfd, const char *relpath, const char *data,
		size_t len, mode_t mode)
{
	return vs_write_at_sync(ctx, dirfd, relpath, data, len, mode, true);
}

int vs_write_at_sync(struct vs_ctx *ctx, int dirfd, const char *relpath, const char *data,
		     size_t len, mode_t mode, bool durable)
{
	char dir[PATH_MAX], base[NAME_MAX + 1], tmp[NAME_MAX + 1];
	_cleanup_close_ int dfd = -1, fd = -1;
	struct stat st;
	uint32_t rnd = 0;
	int r;

	if (split_rel(relpath, dir, sizeof(dir), base, sizeof(base)) < 0 ||
	    strlen(base) > NAME_MAX - 16)
		return vs_err(ctx, -EINVAL, "%s: invalid path", relpath);
	dfd = vs_open_dir_at(ctx, dirfd, dir, true, ".");
	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
		return vs_err(ctx, -EEXIST, "%s exists and is not a regular file", relpath);
	for (int tries = 0; tries < 16; tries++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd ^= (uint32_t)getpid() * 2654435761U + (uint32_t)tries;
		snprintf(tmp, sizeof(tmp), ".%s.%08x", base, rnd);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return vs_err(ctx, -errno, "cannot create a temporary file for %s: %m", relpath);
	r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && durable && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && close(vs_take_fd(&fd)) < 0)
		r = -errno;
	if (r == 0 && renameat(dfd, tmp, dfd, base) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
		return vs_err(ctx, r, "cannot write %s: %s", relpath, strerror(-r));
	}
	r = durable ? vs_fsync_dir(dfd) : 0;
	if (r < 0)
		return vs_err(ctx, r, "cannot sync the directory of %s: %s", relpath, strerror(-r));
	return 0;
}

int vs_unlink_at(struct vs_ctx *ctx, int dirfd, const char *relpath)
{
	char dir[PATH_MAX], base[NAME_MAX + 1];
	_cleanup_close_ int dfd = -1;

	if (split_rel(relpath, dir, sizeof(dir), base, sizeof(base)) < 0)
		return vs_err(ctx, -EINVAL, "%s: invalid path", relpath);
	dfd = vs_open_dir_at(ctx, dirfd, dir, false, ".");
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, base, 0) < 0) {
		if (errno == ENOENT)
			return 0;
		return vs_err(ctx, -errno, "cannot remove %s: %m", relpath);
	}
	return vs_fsync_dir(dfd);
}

int vs_mkdir_p(struct vs_ctx *ctx, const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf) || path[0] != '/')
		return vs_err(ctx, -EINVAL, "%s: not an absolute path", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, c ? 0755 : mode) < 0 && errno != EEXIST)
				return vs_err(ctx, -errno, "cannot create %s: %m", buf);
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static bool is_mount_root(int fd)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx) < 0)
		return false;
	return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int rm_rf(struct vs_ctx *ctx, int pfd, const char *name, dev_t dev, int depth)
{
	struct stat st;
	_cleanup_close_ int fd = -1;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : vs_err(ctx, -errno, "%s: %m", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
			return vs_err(ctx, -errno, "cannot remove %s: %m", name);
		return 0;
	}
	if (st.st_dev != dev)
		return vs_err(ctx, -EBUSY, "%s is on another file system (a mount point?); "
			      "not removing it", name);
	if (depth > MAX_DEPTH)
		return vs_err(ctx, -ELOOP, "directory tree deeper than %d levels", MAX_DEPTH);
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vs_err(ctx, -errno, "%s: %m", name);
	/* a bind mount of the same file system has the same st_dev: only the
	 * mount root attribute tells it (Linux 5.8), and descending into it
	 * would remove what it shows — the host's files */
	if (is_mount_root(fd))
		return vs_err(ctx, -EBUSY, "%s is a mount point that vserver did not make; not "
			      "removing it (unmount it first)", name);
	d = fdopendir(fd);
	if (!d)
		return vs_err(ctx, -errno, "%s: %m", name);
	fd = -1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = rm_rf(ctx, dirfd(d), de->d_name, dev, depth + 1);
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return vs_err(ctx, -errno, "cannot remove directory %s: %m", name);
	return 0;
}

int vs_rm_rf_at(struct vs_ctx *ctx, int dirfd, const char *name)
{
	struct stat st;

	if (fstat(dirfd, &st) < 0)
		return -errno;
	return rm_rf(ctx, dirfd, name, st.st_dev, 0);
}

/* ---- plain files ------------------------------------------------------- */

int vs_read_file_at(int dirfd, const char *path, size_t max, char **out)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t got = 0, cap = max + 1 < 4096 ? max + 1 : 4096;

	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;
		if (got == cap) {
			char *nb;
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max)
			return -EFBIG;
	}
	buf[got] = '\0';
	*out = TAKE_PTR(buf);
	return 0;
}

int vs_read_file(const char *path, size_t max, char **out)
{
	return vs_read_file_at(AT_FDCWD, path, max, out);
}

int vs_write_file_at(int dirfd, const char *path, const char *data)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, strlen(data));
	if (n < 0)
		return -errno;
	if ((size_t)n != strlen(data))
		return -EIO;
	return 0;
}

int vs_write_file(const char *path, const char *data)
{
	return vs_write_file_at(AT_FDCWD, path, data);
}

int vs_dir_empty(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int empty = 1;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

int vs_sync_tree(int fd)
{
	return syncfs(fd) < 0 ? -errno : 0;
}
