/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The helper executable that guest processes are started through.
 *
 * Every process that enters a guest from the host (the guest's init with
 * the sysv/minit styles, every `vserver exec`/`enter`) execs the static
 * vserver-init first, never a program of the host that the guest could
 * reach: after that exec /proc/PID/exe names the helper, and whatever the
 * guest's capabilities, it must not be able to write through that link
 * (CVE-2019-5736: a guest binary that is a link to /proc/self/exe made the
 * joining process re-execute the host's binary, which the guest then
 * overwrote).
 *
 * The helper is opened as a detached bind mount of its own file
 * (open_tree(OPEN_TREE_CLONE)), made read-only, nodev and nosuid
 * (mount_setattr): opening it for writing, truncating, chmod and chown all
 * fail with EROFS, the mount belongs to no namespace (nothing can be
 * mounted over or next to it, and a guest cannot clone it: open_tree of a
 * mount outside one's own namespace is refused), it costs no copy and all
 * guests share the page cache of the one file.  Kernels before 5.12 lack
 * mount_setattr: there the helper is copied into a sealed memfd, as the
 * init was started before. */
#include "helper.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>

#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif

static int helper_mount(int fd)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID,
	};
	int m;

	m = (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			 AT_EMPTY_PATH);
	if (m < 0)
		return -errno;
	if (syscall(SYS_mount_setattr, m, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		int e = errno;
		close(m);	/* the last reference: the clone is unmounted */
		return -e;
	}
	return m;
}

static int helper_memfd(struct vs_ctx *ctx, int fd, const char *path, int *out)
{
	_cleanup_close_ int m = -1;
	struct stat st;
	off_t off = 0;

	if (fstat(fd, &st) < 0)
		return vs_err(ctx, -errno, "%s: %m", path);
	m = memfd_create("vserver-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0)
		return vs_err(ctx, -errno, "memfd_create: %m");
	while (off < st.st_size) {
		ssize_t n = sendfile(m, fd, &off, (size_t)(st.st_size - off));
		if (n <= 0)
			return vs_err(ctx, n < 0 ? -errno : -EIO, "copying %s: %m", path);
	}
	if (fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return vs_err(ctx, -errno, "sealing the helper copy: %m");
	*out = vs_take_fd(&m);
	return 0;
}

int vs_helper_open(struct vs_ctx *ctx, int *out)
{
	char path[4096];
	_cleanup_close_ int fd = -1;
	int r, m;

	snprintf(path, sizeof(path), "%s/vserver-init", ctx->helperdir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return vs_err(ctx, -errno, "guest helper %s: %m (set VSERVER_HELPERDIR?)", path);
	r = vs_elf_is_static(fd);
	if (r <= 0)
		return vs_err(ctx, r < 0 ? r : -ENOEXEC, "%s is not a statically linked "
			      "program; it has to run inside guests without a C library", path);
	m = helper_mount(fd);
	if (m >= 0) {
		*out = m;
		return 0;
	}
	/* ENOSYS: no new mount API; EINVAL: an older kernel that does not know
	 * an attribute.  Anything else (EPERM …) is a real refusal. */
	if (m != -ENOSYS && m != -EINVAL)
		return vs_err(ctx, m, "cannot make a read-only mount of %s: %s", path,
			      strerror(-m));
	return helper_memfd(ctx, fd, path, out);
}

int vs_helper_fd(struct vs_ctx *ctx, int *fd)
{
	return vs_helper_open(ctx, fd);
}
