/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Disk use of a guest: what its files cost, split into what the file
 * system shares with other files and what is the guest's alone.
 *
 * Extents come from FIEMAP: FIEMAP_EXTENT_SHARED marks an extent that
 * another file (a reflink copy, a deduplicated twin) also points to.  The
 * split is per extent, not per file, so a shared file that a guest wrote
 * one block of counts that block as private.  An overlay guest's upper
 * layer is private and its base shared, whatever the extents say. */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <dirent.h>

#define MAX_DEPTH 512

struct walk {
	struct vs_ctx *ctx;
	dev_t dev;
	struct vs_disk_usage *du;
	struct { dev_t dev; ino_t ino; } *seen;	/* inodes with more than one link */
	size_t n_seen, cap_seen;
};

/* Bytes of fd's extents that the file system shares with another file. */
static uint64_t shared_bytes(int fd)
{
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + 64 * sizeof(struct fiemap_extent)];
	} u;
	uint64_t start = 0, shared = 0;

	for (;;) {
		memset(&u.fm, 0, sizeof(u.fm));
		u.fm.fm_start = start;
		u.fm.fm_length = FIEMAP_MAX_OFFSET - start;
		u.fm.fm_extent_count = 64;
		if (ioctl(fd, FS_IOC_FIEMAP, &u.fm) < 0 || !u.fm.fm_mapped_extents)
			return shared;	/* no FIEMAP here: nothing is known to be shared */
		for (unsigned i = 0; i < u.fm.fm_mapped_extents; i++) {
			const struct fiemap_extent *e = &u.fm.fm_extents[i];
			if (e->fe_flags & FIEMAP_EXTENT_SHARED)
				shared += e->fe_length;
			start = e->fe_logical + e->fe_length;
			if (e->fe_flags & FIEMAP_EXTENT_LAST)
				return shared;
		}
	}
}

static bool seen_before(struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return true;
	if (w->n_seen == w->cap_seen) {
		size_t cap = w->cap_seen ? 2 * w->cap_seen : 64;
		void *n = realloc(w->seen, cap * sizeof(*w->seen));
		if (!n)
			return false;	/* counted twice rather than failing */
		w->seen = n;
		w->cap_seen = cap;
	}
	w->seen[w->n_seen].dev = st->st_dev;
	w->seen[w->n_seen].ino = st->st_ino;
	w->n_seen++;
	return false;
}

static int walk_dir(struct walk *w, int dfd, int depth)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		struct stat st;
		uint64_t alloc;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* gone meanwhile */
		if (st.st_dev != w->dev)
			continue;	/* another file system mounted inside */
		if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && seen_before(w, &st))
			continue;
		alloc = (uint64_t)st.st_blocks * 512;
		w->du->allocated += alloc;
		if (S_ISREG(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name,
					O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
			uint64_t sh = 0;
			w->du->files++;
			w->du->apparent += (uint64_t)st.st_size;
			if (fd >= 0) {
				sh = shared_bytes(fd);
				close(fd);
			}
			w->du->shared += sh < alloc ? sh : alloc;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0 && (r = walk_dir(w, sub, depth + 1)) < 0)
				break;
		}
	}
	closedir(d);
	return r;
}

int vs_tree_disk_usage(struct vs_ctx *ctx, const char *dir, struct vs_disk_usage *du)
{
	struct walk w = { .ctx = ctx, .du = du };
	struct stat st;
	int fd, r;

	memset(du, 0, sizeof(*du));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vs_err(ctx, -errno, "%s: %m", dir);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return vs_err(ctx, -errno, "%s: %m", dir);
	}
	w.dev = st.st_dev;
	du->allocated = (uint64_t)st.st_blocks * 512;
	r = walk_dir(&w, fd, 0);
	free(w.seen);
	if (r < 0)
		return vs_err(ctx, r, "%s: %s", dir, strerror(-r));
	du->private_bytes = du->allocated - du->shared;
	return 0;
}

int vs_guest_disk_usage(struct vs_ctx *ctx, const char *name, struct vs_disk_usage *du)
{
	struct vs_unify_info ui;
	struct vs_disk_usage base;
	_cleanup_free_ char *vdir = NULL;
	int r;

	memset(du, 0, sizeof(*du));
	if ((r = vs_guest_unify_info(ctx, name, &ui)) < 0)
		return r;
	if (ui.mode != VS_UNIFY_OVERLAY) {
		if ((r = vs_config_vdir(ctx, name, &vdir)) < 0)
			return r;
		return vs_tree_disk_usage(ctx, vdir, du);
	}
	/* the guest root on the host is only a mount point: the layers hold it */
	if ((r = vs_tree_disk_usage(ctx, ui.upper, du)) < 0 ||
	    (r = vs_tree_disk_usage(ctx, ui.base, &base)) < 0)
		return r;
	du->files += base.files;
	du->apparent += base.apparent;
	du->private_bytes = du->allocated;
	du->shared = base.allocated;
	du->allocated += base.allocated;
	return 0;
}
