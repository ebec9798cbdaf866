/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest's file system view, built by the guest's init in its new mount
 * namespace before it executes anything of the guest.
 *
 * Order matters for safety: the guest tree is guest-controlled (a guest root
 * may have replaced /proc or /dev by symbolic links to anywhere), so after
 * the bind of the guest root onto itself nothing is resolved below it until
 * pivot_root() has made it "/": from then on every path, even through a
 * planted link, stays inside the guest.  Host paths (bind sources of the
 * guest's fstab) are opened before the pivot, as detached mount trees. */
#include "internal.h"
#include "libmount-dl.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

struct bind {
	int fd;
	char *target;
};

struct fstab_entry {
	char *source, *target, *type, *data;
	unsigned long flags;
	bool bind;
};

static void free_entries(struct fstab_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].source);
		free(e[i].target);
		free(e[i].type);
		free(e[i].data);
	}
	free(e);
}

static int parse_errcb(struct libmnt_table *tb, const char *filename, int line)
{
	(void)tb;
	(void)filename;
	return line > 0 ? -line : -1;	/* stop; the line number comes back */
}

static bool target_ok(const char *t)
{
	if (vs_path_check(t) < 0 || !strcmp(t, "/"))
		return false;
	if (!strncmp(t, "/proc", 5) && (t[5] == '\0' || t[5] == '/'))
		return false;
	if (!strncmp(t, "/sys", 4) && (t[4] == '\0' || t[4] == '/'))
		return false;
	return true;
}

/* Parses the guest's fstab with libmount and validates every entry. */
static int fstab_parse(const char *text, struct fstab_entry **out, size_t *n_out,
		       char *err, size_t errlen)
{
	const struct vs_libmount *lm;
	struct libmnt_table *tb = NULL;
	struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;
	struct fstab_entry *v = NULL;
	size_t n = 0;
	FILE *f = NULL;
	int r = 0;

	*out = NULL;
	*n_out = 0;
	if (!text || !*text)
		return 0;
	lm = vs_libmount(err, errlen);
	if (!lm)
		return -ENOSYS;
	tb = lm->new_table();
	it = lm->new_iter(MNT_ITER_FORWARD);
	f = fmemopen((void *)text, strlen(text), "r");
	if (!tb || !it || !f) {
		r = -ENOMEM;
		goto out;
	}
	lm->table_set_parser_errcb(tb, parse_errcb);
	r = lm->table_parse_stream(tb, f, "fstab");
	if (r < 0) {
		snprintf(err, errlen, "fstab: line %d cannot be parsed", -r);
		r = -EINVAL;
		goto out;
	}
	while (lm->table_next_fs(tb, it, &fs) == 0) {
		const char *src = lm->fs_get_source(fs), *tgt = lm->fs_get_target(fs);
		const char *type = lm->fs_get_fstype(fs), *vfs = lm->fs_get_vfs_options(fs);
		const char *fso = lm->fs_get_fs_options(fs);
		unsigned long flags = 0;
		struct fstab_entry *nv, *e;

		if (vfs && lm->optstr_get_flags(vfs, &flags, lm->get_builtin_optmap(MNT_LINUX_MAP)) < 0) {
			snprintf(err, errlen, "fstab: %s: bad options '%s'", tgt ? tgt : "?", vfs);
			r = -EINVAL;
			goto out;
		}
		if (!tgt || !target_ok(tgt)) {
			snprintf(err, errlen, "fstab: '%s' is not an allowed mount point (absolute, "
				 "not /, /proc or /sys)", tgt ? tgt : "");
			r = -EINVAL;
			goto out;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			r = -ENOMEM;
			goto out;
		}
		v = nv;
		e = &v[n++];
		memset(e, 0, sizeof(*e));
		e->bind = (flags & MS_BIND) || (type && !strcmp(type, "bind"));
		e->flags = flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT | MS_MOVE |
						    MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE);
		e->target = strdup(tgt);
		e->source = strdup(src ? src : "none");
		e->type = strdup(type ? type : "none");
		e->data = fso ? strdup(fso) : NULL;
		if (!e->target || !e->source || !e->type || (fso && !e->data)) {
			r = -ENOMEM;
			goto out;
		}
		if (e->bind) {
			if (vs_path_check(e->source) < 0) {
				snprintf(err, errlen, "fstab: bind source '%s' must be an absolute "
					 "host path", e->source);
				r = -EINVAL;
				goto out;
			}
		} else if (strcmp(e->type, "tmpfs") && strcmp(e->type, "mqueue")) {
			snprintf(err, errlen, "fstab: %s: file system type '%s' is not supported "
				 "(tmpfs, mqueue, or bind mounts of host directories)", tgt, e->type);
			r = -EINVAL;
			goto out;
		}
	}
	*out = TAKE_PTR(v);
	*n_out = n;
	n = 0;
out:
	free_entries(v, n);
	if (f)
		fclose(f);
	if (it)
		lm->free_iter(it);
	if (tb)
		lm->unref_table(tb);
	return r;
}

/* mkdir inside the guest (after pivot_root), refusing anything that is not
 * a plain directory where we are about to mount. */
static int guest_dir(const char *path, mode_t mode, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "the guest's %s is not a directory", path);
			return -ENOTDIR;
		}
		return 0;
	}
	if (errno != ENOENT || mkdir(path, mode) < 0) {
		snprintf(err, errlen, "cannot create %s in the guest: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

static int guest_mkdir_p(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	int r;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		r = guest_dir(buf, 0755, err, errlen);
		*p = '/';
		if (r < 0)
			return r;
	}
	return guest_dir(buf, 0755, err, errlen);
}

static int do_mount(const char *src, const char *tgt, const char *type, unsigned long flags,
		    const char *data, char *err, size_t errlen)
{
	if (mount(src, tgt, type, flags, data) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot mount %s on %s: %s", type ? type : src, tgt, strerror(e));
		return -e;
	}
	return 0;
}

/* Makes a path below /proc read-only (directories) or hides it (files that
 * reach outside the guest: sysrq-trigger, kcore, ...). */
static int proc_protect(const char *path, bool hide, char *err, size_t errlen)
{
	struct stat st;
	const unsigned long locked = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (lstat(path, &st) < 0)
		return 0;	/* not present on this kernel */
	int r;

	if (hide) {
		if (S_ISDIR(st.st_mode))
			return do_mount("tmpfs", path, "tmpfs", MS_RDONLY | locked,
					"size=4k,nr_inodes=1,mode=0555", err, errlen);
		return do_mount("/dev/null", path, NULL, MS_BIND, NULL, err, errlen);
	}
	if ((r = do_mount(path, path, NULL, MS_BIND | MS_REC, NULL, err, errlen)) < 0)
		return r;
	return do_mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked, NULL,
			err, errlen);
}

static int setup_proc(char *err, size_t errlen)
{
	/* Writable for root (by file mode alone) and reaching the whole host:
	 * core_pattern, sysrq, ... — so /proc/sys and friends become
	 * read-only; kernel memory and timer/key listings are hidden. */
	static const char *const ro[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
		"/proc/bus", "/proc/fs" };
	static const char *const hidden[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list",
		"/proc/sched_debug", "/proc/latency_stats", "/proc/kallsyms", "/proc/kmsg",
		"/proc/acpi", "/proc/scsi" };
	int r;

	if ((r = guest_dir("/proc", 0555, err, errlen)) < 0)
		return r;
	if ((r = do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			  err, errlen)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(ro); i++)
		if ((r = proc_protect(ro[i], false, err, errlen)) < 0)
			return r;
	for (size_t i = 0; i < ARRAY_SIZE(hidden); i++)
		if ((r = proc_protect(hidden[i], true, err, errlen)) < 0)
			return r;
	return 0;
}

static int setup_dev(char *err, size_t errlen)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const char *const links[][2] = {
		{ "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	};
	int r;

	if ((r = guest_dir("/dev", 0755, err, errlen)) < 0)
		return r;
	if ((r = do_mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
			  "mode=0755,size=65536k,nr_inodes=4096", err, errlen)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		char p[32];
		snprintf(p, sizeof(p), "/dev/%s", nodes[i].name);
		if (mknod(p, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0 ||
		    chmod(p, 0666) < 0) {
			snprintf(err, errlen, "cannot create %s: %s", p, strerror(errno));
			return -errno;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		char p[32];
		snprintf(p, sizeof(p), "/dev/%s", links[i][0]);
		if (symlink(links[i][1], p) < 0) {
			snprintf(err, errlen, "cannot create %s: %s", p, strerror(errno));
			return -errno;
		}
	}
	if (mkdir("/dev/pts", 0755) < 0 || mkdir("/dev/shm", 01777) < 0 ||
	    mkdir("/dev/mqueue", 01777) < 0) {
		snprintf(err, errlen, "cannot create /dev directories: %s", strerror(errno));
		return -errno;
	}
	/* a private devpts instance: the guest sees only its own ptys */
	if ((r = do_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			  "newinstance,ptmxmode=0666,mode=0620,gid=5", err, errlen)) < 0)
		return r;
	if ((r = do_mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
			  "mode=1777,size=65536k", err, errlen)) < 0)
		return r;
	return 0;
}

int vs_mount_guest_root(const struct vs_config *c, char *err, size_t errlen)
{
	struct fstab_entry *fst = NULL;
	struct bind *binds = NULL;
	size_t n_fst = 0, n_binds = 0;
	int r;

	r = fstab_parse(c->fstab, &fst, &n_fst, err, errlen);
	if (r < 0)
		return r;
	binds = calloc(n_fst ? n_fst : 1, sizeof(*binds));
	if (!binds) {
		r = -ENOMEM;
		goto out;
	}
	/* Nothing we do here may propagate back to the host. */
	if ((r = do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, err, errlen)) < 0)
		goto out;
	/* Host-side sources of bind mounts: open them while "/" is the host's. */
	for (size_t i = 0; i < n_fst; i++) {
		int fd;
		if (!fst[i].bind)
			continue;
		fd = (int)syscall(SYS_open_tree, AT_FDCWD, fst[i].source,
				  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (fd < 0) {
			r = -errno;
			snprintf(err, errlen, "fstab: cannot open bind source %s: %s",
				 fst[i].source, strerror(errno));
			goto out;
		}
		binds[n_binds].fd = fd;
		binds[n_binds].target = fst[i].target;
		n_binds++;
		if (fst[i].flags & MS_RDONLY) {
			struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
			if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
				    &attr, sizeof(attr)) < 0) {
				r = -errno;
				snprintf(err, errlen, "fstab: cannot make %s read-only: %s",
					 fst[i].target, strerror(errno));
				goto out;
			}
		}
	}
	/* an overlay guest's root is assembled here, in its own namespace:
	 * nothing of it exists on the host, and it goes when the guest does */
	if ((r = vs_unify_mount(c, err, errlen)) < 0)
		goto out;
	if ((r = do_mount(c->vdir, c->vdir, NULL, MS_BIND | MS_REC, NULL, err, errlen)) < 0)
		goto out;
	if (chdir(c->vdir) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot enter the guest root %s: %s", c->vdir, strerror(errno));
		goto out;
	}
	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * detaching it leaves the guest root alone, with no way back. */
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		r = -errno;
		snprintf(err, errlen, "pivot_root to %s failed: %s", c->vdir, strerror(errno));
		goto out;
	}
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot detach the host's root: %s", strerror(errno));
		goto out;
	}
	/* /dev first: hiding files below /proc binds /dev/null over them */
	if ((r = setup_dev(err, errlen)) < 0)
		goto out;
	if ((r = setup_proc(err, errlen)) < 0)
		goto out;
	if (guest_dir("/sys", 0555, err, errlen) == 0 &&
	    (r = do_mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL, err, errlen)) < 0)
		goto out;
	for (size_t i = 0, b = 0; i < n_fst; i++) {
		if ((r = guest_mkdir_p(fst[i].target, err, errlen)) < 0)
			goto out;
		if (fst[i].bind) {
			if (syscall(SYS_move_mount, binds[b].fd, "", AT_FDCWD, fst[i].target,
				    MOVE_MOUNT_F_EMPTY_PATH) < 0) {
				r = -errno;
				snprintf(err, errlen, "fstab: cannot attach %s: %s", fst[i].target,
					 strerror(errno));
				goto out;
			}
			b++;
			continue;
		}
		r = do_mount(fst[i].source, fst[i].target, fst[i].type,
			     fst[i].flags | MS_NOSUID | MS_NODEV, fst[i].data, err, errlen);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	for (size_t i = 0; i < n_binds; i++)
		close(binds[i].fd);
	free(binds);
	free_entries(fst, n_fst);
	return r;
}
