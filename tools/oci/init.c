/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's init, from clone() until it execs process.args.
 *
 * It runs in the new namespaces (linux.namespaces), joins those given by
 * path, waits until the runtime has put it into its cgroups and run the
 * createRuntime/prestart hooks, builds the root (mounts, devices), pivots
 * into it, masks paths, takes the process settings (process.c), reports
 * "ready" to create, and then blocks on exec.fifo until start writes to it.
 * Every failure before that goes back to create over errfd, naming the
 * field, and nothing is exec'd.
 *
 * Mount targets are resolved inside the new root with openat2
 * (RESOLVE_IN_ROOT): a symbolic link in the image that points at /etc of
 * the host resolves to the container's /etc, never the host's. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "oci.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void oci_child_fail(int fd, int err, const char *fmt, ...)
{
	struct oci_childerr ce = { .err = err };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ce.msg, sizeof(ce.msg), fmt, ap);
	va_end(ap);
	if (write(fd, &ce, sizeof(ce)) < 0)
		(void)0;
}

#define FAIL(r, ...) do { oci_child_fail(L->errfd, (r), __VA_ARGS__); _exit(127); } while (0)

static int in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* creates PATH (and its parents) inside the root: a directory, or an empty
 * file when file is true; returns an O_PATH fd of it */
static int make_in_root(int rootfd, const char *path, bool file)
{
	char buf[4096], *c;
	int fd;

	snprintf(buf, sizeof(buf), "%s", path);
	for (c = buf + 1; ; c++) {
		char save = *c;
		if (*c != '/' && *c != '\0')
			continue;
		*c = '\0';
		fd = in_root(rootfd, buf, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			char *slash = strrchr(buf, '/');
			int parent;
			*slash = '\0';
			parent = in_root(rootfd, *buf ? buf : "/", O_PATH | O_DIRECTORY);
			*slash = '/';
			if (parent < 0)
				return -1;
			if (save == '\0' && file)
				fd = openat(parent, slash + 1, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
			else
				fd = mkdirat(parent, slash + 1, 0755);
			close(parent);
			if (fd < 0 && errno != EEXIST)
				return -1;
			if (fd >= 0 && save == '\0' && file)
				close(fd);
			fd = in_root(rootfd, buf, O_PATH);
		}
		if (fd < 0)
			return -1;
		*c = save;
		if (save == '\0')
			return fd;
		close(fd);
	}
}

static void fdpath(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* fd was opened before the mount: it names what is underneath.  The
 * remount and the propagation change must name the new mount on top. */
static void reopen(struct oci_launch *L, int rootfd, size_t i, int *fd, char *tgt, size_t len)
{
	close(*fd);
	*fd = in_root(rootfd, L->s->mounts[i].dest, O_PATH);
	if (*fd < 0)
		FAIL(-errno, "mounts[%zu]: %s: %s", i, L->s->mounts[i].dest, strerror(errno));
	fdpath(*fd, tgt, len);
}

static void do_mount(struct oci_launch *L, int rootfd, size_t i)
{
	const struct oci_mount *m = &L->s->mounts[i];
	const char *type = m->type;
	bool file = false;
	char tgt[64];
	struct stat st;
	int fd;

	if (m->bind && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode))
		file = true;
	fd = make_in_root(rootfd, m->dest, file);
	if (fd < 0)
		FAIL(-errno, "mounts[%zu].destination %s: %s", i, m->dest, strerror(errno));
	fdpath(fd, tgt, sizeof(tgt));
	if (m->bind) {
		if (mount(m->source, tgt, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
			FAIL(-errno, "mounts[%zu]: bind %s on %s: %s", i, m->source, m->dest,
			     strerror(errno));
		reopen(L, rootfd, i, &fd, tgt, sizeof(tgt));
		/* bind mounts take their flags only in a remount */
		if ((m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) &&
		    mount(NULL, tgt, NULL, MS_BIND | MS_REMOUNT | (m->flags & ~MS_REC), NULL) < 0)
			FAIL(-errno, "mounts[%zu]: %s: cannot apply the options: %s", i, m->dest,
			     strerror(errno));
	} else {
		if (!strcmp(type, "cgroup"))
			type = "cgroup2";	/* the container's cgroup namespace, v2 */
		if (mount(m->source ? m->source : type, tgt, type, m->flags & ~MS_REMOUNT,
			  m->data) < 0) {
			int e = errno;
			/* sysfs without a network namespace of our own: a bind of
			 * the host's, read-only, as runc does */
			if (!strcmp(type, "sysfs") && e == EPERM &&
			    mount("/sys", tgt, NULL, MS_BIND | MS_REC, NULL) == 0 &&
			    mount(NULL, tgt, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
				  MS_NODEV | MS_NOEXEC, NULL) == 0) {
				close(fd);
				return;
			}
			FAIL(-e, "mounts[%zu]: %s on %s: %s", i, type, m->dest, strerror(e));
		}
	}
	if (!m->bind)
		reopen(L, rootfd, i, &fd, tgt, sizeof(tgt));
	if (m->propagation && mount(NULL, tgt, NULL, m->propagation, NULL) < 0)
		FAIL(-errno, "mounts[%zu]: %s: propagation: %s", i, m->dest, strerror(errno));
	close(fd);
}

static void make_dev(struct oci_launch *L, int rootfd, const char *path, char type,
		     long long maj, long long min, mode_t mode, uid_t uid, gid_t gid,
		     const char *field)
{
	char buf[4096], *slash;
	int parent, fd;
	mode_t t = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	*slash = '\0';
	if ((fd = make_in_root(rootfd, *buf ? buf : "/", false)) < 0)
		FAIL(-errno, "%s: %s: %s", field, path, strerror(errno));
	close(fd);
	parent = in_root(rootfd, *buf ? buf : "/", O_PATH | O_DIRECTORY);
	if (parent < 0)
		FAIL(-errno, "%s: %s: %s", field, path, strerror(errno));
	unlinkat(parent, slash + 1, 0);
	if (mknodat(parent, slash + 1, t | (mode & 07777),
		    makedev((unsigned)maj, (unsigned)min)) < 0 ||
	    fchownat(parent, slash + 1, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    ((fd = openat(parent, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0))
		FAIL(-errno, "%s: %s: %s", field, path, strerror(errno));
	{
		/* mknod applies the umask; the mode is the spec's */
		char p[64];
		fdpath(fd, p, sizeof(p));
		chmod(p, mode & 07777);
		close(fd);
	}
	close(parent);
}

static void setup_dev(struct oci_launch *L, int rootfd)
{
	static const struct { const char *p; long long maj, min; } defs[] = {
		{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
	};
	static const struct { const char *l, *t; } links[] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
		{ "ptmx", "pts/ptmx" },
	};
	const struct oci_spec *s = L->s;
	bool devtmpfs = false;
	int dev;

	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].dest, "/dev") && !s->mounts[i].bind)
			devtmpfs = true;
	if (devtmpfs) {
		for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
			make_dev(L, rootfd, defs[i].p, 'c', defs[i].maj, defs[i].min, 0666, 0, 0,
				 "linux.devices (default)");
		dev = in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
		for (size_t i = 0; dev >= 0 && i < sizeof(links) / sizeof(links[0]); i++)
			if (symlinkat(links[i].t, dev, links[i].l) < 0 && errno != EEXIST)
				FAIL(-errno, "/dev/%s: %s", links[i].l, strerror(errno));
		if (dev >= 0)
			close(dev);
	}
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct oci_device *d = &s->devices[i];
		char field[40];
		snprintf(field, sizeof(field), "linux.devices[%zu]", i);
		make_dev(L, rootfd, d->path, d->type, d->major, d->minor,
			 d->has_mode ? d->mode : 0666, d->has_uid ? d->uid : 0,
			 d->has_gid ? d->gid : 0, field);
	}
}

static void mask_paths(struct oci_launch *L)
{
	const struct oci_spec *s = L->s;
	struct stat st;

	for (size_t i = 0; s->masked && s->masked[i]; i++) {
		const char *p = s->masked[i];
		if (lstat(p, &st) < 0) {
			if (errno == ENOENT)
				continue;	/* nothing to hide */
			FAIL(-errno, "linux.maskedPaths[%zu] %s: %s", i, p, strerror(errno));
		}
		if (S_ISDIR(st.st_mode) ?
		    mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0,mode=0") < 0 :
		    mount("/dev/null", p, NULL, MS_BIND, NULL) < 0)
			FAIL(-errno, "linux.maskedPaths[%zu] %s: %s%s", i, p, strerror(errno),
			     S_ISDIR(st.st_mode) ? "" : " (is /dev/null in the container?)");
	}
	for (size_t i = 0; s->readonly && s->readonly[i]; i++) {
		const char *p = s->readonly[i];
		if (lstat(p, &st) < 0 && errno == ENOENT)
			continue;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV |
			  MS_NOEXEC, NULL) < 0)
			FAIL(-errno, "linux.readonlyPaths[%zu] %s: %s", i, p, strerror(errno));
	}
}

static void set_sysctls(struct oci_launch *L)
{
	for (size_t i = 0; i < L->s->n_sysctl; i++) {
		char p[512];
		int fd;
		snprintf(p, sizeof(p), "/proc/sys/%s", L->s->sysctl[i].key);
		for (char *c = p + 10; *c; c++)
			if (*c == '.')
				*c = '/';
		fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, L->s->sysctl[i].value, strlen(L->s->sysctl[i].value)) < 0)
			FAIL(-errno, "linux.sysctl.%s: %s (%s)", L->s->sysctl[i].key, strerror(errno),
			     p);
		close(fd);
	}
}

_Noreturn void oci_init_child(struct oci_launch *L)
{
	const struct oci_spec *s = L->s;
	char err[900] = "", file[4096], go;
	bool late = false;
	int rootfd, r;

	/* not dumpable until the exec: the container's processes must not
	 * open /proc/PID/exe (the host's runtime) or /proc/PID/fd of this one
	 * while it waits for start */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* until the exec: a broken pipe to create is reported by write() */
	signal(SIGPIPE, SIG_IGN);
	/* never the caller's session: its terminal's signals are not ours */
	setsid();
	/* nothing of the runtime crosses the exec but fds 0-2 and those the
	 * engine asked for (--preserve-fds) */
	syscall(SYS_close_range, 3 + oci_preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	for (size_t i = 0; i < s->n_ns; i++)
		if (L->nsfds[i] >= 0 && setns(L->nsfds[i], s->ns[i].type) < 0)
			FAIL(-errno, "linux.namespaces[%zu].path %s: %s", i, s->ns[i].path,
			     strerror(errno));
	if (read(L->syncfd, &go, 1) != 1)
		_exit(127);	/* create gave up; it reports why */
	close(L->syncfd);
	/* our mounts must not propagate to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		FAIL(-errno, "cannot make / a slave mount: %s", strerror(errno));
	if (mount(s->rootfs, s->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		FAIL(-errno, "root.path %s: cannot bind it: %s", s->rootfs, strerror(errno));
	rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		FAIL(-errno, "root.path %s: %s", s->rootfs, strerror(errno));
	for (size_t i = 0; i < s->n_mounts; i++)
		do_mount(L, rootfd, i);
	setup_dev(L, rootfd);
	close(rootfd);
	if (chdir(s->rootfs) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		FAIL(-errno, "root.path %s: cannot pivot into it: %s", s->rootfs, strerror(errno));
	if (s->root_propagation && mount(NULL, "/", NULL, s->root_propagation, NULL) < 0)
		FAIL(-errno, "linux.rootfsPropagation: %s", strerror(errno));
	set_sysctls(L);
	mask_paths(L);
	if (s->root_ro && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0 &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		FAIL(-errno, "root.readonly: %s", strerror(errno));
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		FAIL(-errno, "hostname: %s", strerror(errno));
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		FAIL(-errno, "domainname: %s", strerror(errno));
	if (s->proc.terminal) {
		if (L->consfd < 0)
			FAIL(-EINVAL, "process.terminal: needs --console-socket");
		if ((r = oci_console_setup(L->consfd, &s->proc, err, sizeof(err))) < 0)
			FAIL(r, "%s", err);
		close(L->consfd);
	}
	if (chdir(s->proc.cwd ? s->proc.cwd : "/") < 0)
		FAIL(-errno, "process.cwd %s: %s", s->proc.cwd, strerror(errno));
	/* the context while we hold every capability; the process settings
	 * below are taken in its SETUP state, which create ends (vx.c) */
	if ((r = oci_vx_setup(s, L->id, err, sizeof(err))) < 0)
		FAIL(r, "%s", err);
	if ((r = oci_apply_process(&s->proc, s->has_seccomp ? &s->seccomp : NULL, &late, err,
				   sizeof(err))) < 0)
		FAIL(r, "%s", err);
	if (oci_exec_path(s->proc.args[0], s->proc.env, file, sizeof(file)) < 0)
		FAIL(-ENOENT, "process.args[0]: %s: not found in the container's PATH",
		     s->proc.args[0]);
	/* ready: create may return; start's byte on exec.fifo lets us go */
	oci_child_fail(L->errfd, 0, "ready");
	while ((r = (int)read(L->fifofd, &go, 1)) < 0 && errno == EINTR)
		;
	if (r != 1)
		_exit(127);
	close(L->fifofd);
	if (late && (r = oci_seccomp_load(&s->seccomp, err, sizeof(err))) < 0) {
		dprintf(2, "vserver-oci: %s\n", err);
		_exit(127);
	}
	signal(SIGPIPE, SIG_DFL);
	r = oci_exec_trampoline(L->helperfd, -1, file, s->proc.args, s->proc.env);
	dprintf(2, "vserver-oci: cannot execute the trampoline for %s: %s\n", file, strerror(-r));
	_exit(126);
}
