/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "skeleton" and "busybox" build methods: an empty directory tree, and
 * a minimal working guest made of the host's statically linked busybox and
 * the files in templates/busybox (compiled in). */
#include "internal.h"
#include "busybox-files.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/sendfile.h>
#include <sys/wait.h>

static const struct {
	const char *path;
	mode_t mode;
} skeleton_dirs[] = {
	{ "bin", 0755 }, { "dev", 0755 }, { "etc", 0755 }, { "etc/init.d", 0755 },
	{ "home", 0755 }, { "proc", 0555 }, { "root", 0700 }, { "run", 0755 },
	{ "sbin", 0755 }, { "sys", 0555 }, { "tmp", 01777 }, { "usr", 0755 },
	{ "usr/bin", 0755 }, { "usr/sbin", 0755 }, { "var", 0755 }, { "var/log", 0755 },
	{ "var/run", 0755 },
	{ "var/tmp", 01777 },
};

/* Opens the directory of rel below rootfd without following any link. */
static int open_parent(int rootfd, const char *rel, const char **base)
{
	char buf[PATH_MAX];
	const char *slash = strrchr(rel, '/');
	int fd, next;

	*base = slash ? slash + 1 : rel;
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!slash || fd < 0)
		return fd < 0 ? -errno : fd;
	if ((size_t)(slash - rel) >= sizeof(buf)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	memcpy(buf, rel, (size_t)(slash - rel));
	buf[slash - rel] = '\0';
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "..") || !strcmp(c, ".")) {
			close(fd);
			return -EINVAL;
		}
		next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return -errno;
		fd = next;
	}
	return fd;
}

/* Writes a file into a guest tree that may already contain the guest's own
 * symbolic links: nothing on the way, nor the file itself, is followed. */
int vs_guest_write_file(struct vs_ctx *ctx, int rootfd, const char *rel, const char *data,
			mode_t mode)
{
	const char *base;
	_cleanup_close_ int dfd = open_parent(rootfd, rel, &base);
	_cleanup_close_ int fd = -1;
	size_t len = strlen(data);

	if (dfd < 0)
		return vs_err(ctx, dfd, "guest file %s: %s", rel, strerror(-dfd));
	if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
		return vs_err(ctx, -errno, "guest file %s: %m", rel);
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return vs_err(ctx, -errno, "guest file %s: %m", rel);
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return vs_err(ctx, -errno, "guest file %s: %m", rel);
		}
		data += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0)
		return vs_err(ctx, -errno, "guest file %s: %m", rel);
	return 0;
}

int vs_build_skeleton(struct vs_ctx *ctx, int rootfd, const char *hostname)
{
	char hn[80];

	for (size_t i = 0; i < ARRAY_SIZE(skeleton_dirs); i++) {
		if (mkdirat(rootfd, skeleton_dirs[i].path, skeleton_dirs[i].mode) < 0 &&
		    errno != EEXIST)
			return vs_err(ctx, -errno, "cannot create %s in the guest: %m",
				      skeleton_dirs[i].path);
		/* mkdir applies the umask; the modes here are meant */
		if (fchmodat(rootfd, skeleton_dirs[i].path, skeleton_dirs[i].mode, 0) < 0)
			return vs_err(ctx, -errno, "chmod %s: %m", skeleton_dirs[i].path);
	}
	snprintf(hn, sizeof(hn), "%s\n", hostname);
	return vs_guest_write_file(ctx, rootfd, "etc/hostname", hn, 0644);
}

static int copy_binary(struct vs_ctx *ctx, int src, int rootfd, const char *rel)
{
	_cleanup_close_ int dst = -1;
	struct stat st;
	off_t off = 0;

	if (fstat(src, &st) < 0)
		return -errno;
	dst = openat(rootfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
	if (dst < 0)
		return vs_err(ctx, -errno, "cannot create %s in the guest: %m", rel);
	while (off < st.st_size) {
		ssize_t n = sendfile(dst, src, &off, (size_t)(st.st_size - off));
		if (n <= 0)
			return vs_err(ctx, n < 0 ? -errno : -EIO, "copying busybox: %m");
	}
	return fchmod(dst, 0755) < 0 ? -errno : 0;
}

/* Asks busybox itself which applets it has and where they belong. */
static int applet_list(struct vs_ctx *ctx, const char *busybox, char **out, bool *full)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int p[2], status;
		pid_t pid;
		_cleanup_free_ char *buf = NULL;
		size_t len = 0, cap = 0;

		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			char *argv[] = { (char *)busybox, attempt ? "--list" : "--list-full", NULL };
			char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
			int null = open("/dev/null", O_RDWR);
			dup2(p[1], 1);
			if (null >= 0) {
				dup2(null, 0);
				dup2(null, 2);
			}
			execve(busybox, argv, envp);
			_exit(127);
		}
		close(p[1]);
		for (;;) {
			ssize_t n;
			if (len + 4096 > cap) {
				char *nb = realloc(buf, cap + 65536);
				if (!nb) {
					close(p[0]);
					waitpid(pid, NULL, 0);
					return -ENOMEM;
				}
				buf = nb;
				cap += 65536;
			}
			n = read(p[0], buf + len, cap - len - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		close(p[0]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && len) {
			buf[len] = '\0';
			*out = TAKE_PTR(buf);
			*full = attempt == 0;
			return 0;
		}
	}
	return vs_err(ctx, -EINVAL, "%s does not list its applets (is it busybox?)", busybox);
}

static bool applet_path_ok(const char *p)
{
	int slashes = 0;

	if (!*p || *p == '/' || strstr(p, ".."))
		return false;
	for (const char *c = p; *c; c++) {
		if (*c == '/')
			slashes++;
		else if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '_' || *c == '-' ||
			   *c == '[' || *c == ']'))
			return false;
	}
	return slashes >= 1 && slashes <= 2;
}

int vs_build_busybox(struct vs_ctx *ctx, int rootfd, const char *busybox, const char *hostname)
{
	_cleanup_close_ int bfd = -1;
	_cleanup_free_ char *list = NULL;
	unsigned links = 0;
	bool full = false;
	int r;

	bfd = open(busybox, O_RDONLY | O_CLOEXEC);
	if (bfd < 0)
		return vs_err(ctx, -errno, "busybox %s: %m (install busybox-static, or pass "
			      "--busybox PATH)", busybox);
	r = vs_elf_is_static(bfd);
	if (r < 0)
		return vs_err(ctx, r, "%s is not an executable", busybox);
	if (r == 0)
		return vs_err(ctx, -ENOEXEC, "%s is dynamically linked; the guest has no "
			      "libraries (install busybox-static)", busybox);
	r = vs_build_skeleton(ctx, rootfd, hostname);
	if (r < 0)
		return r;
	r = copy_binary(ctx, bfd, rootfd, "bin/busybox");
	if (r < 0)
		return r;
	r = applet_list(ctx, busybox, &list, &full);
	if (r < 0)
		return r;
	for (char *save = NULL, *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char rel[PATH_MAX];
		l = vs_strip(l);
		snprintf(rel, sizeof(rel), full ? "%s" : "bin/%s", l);
		if (!applet_path_ok(rel) || !strcmp(rel, "bin/busybox"))
			continue;
		if (symlinkat("/bin/busybox", rootfd, rel) < 0 && errno != EEXIST)
			return vs_err(ctx, -errno, "applet link %s: %m", rel);
		links++;
	}
	if (faccessat(rootfd, "sbin/init", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return vs_err(ctx, -ENOENT, "%s has no init applet; it cannot run a guest", busybox);
	for (const struct vs_embedded_file *f = vs_busybox_files; f->path; f++) {
		_cleanup_free_ char *data = NULL;
		const char *at = strstr(f->data, "@HOSTNAME@");
		if (at)
			data = vs_strdup_printf("%.*s%s%s", (int)(at - f->data), f->data, hostname,
						at + strlen("@HOSTNAME@"));
		r = vs_guest_write_file(ctx, rootfd, f->path, data ? data : f->data, f->mode);
		if (r < 0)
			return r;
	}
	if (mkdirat(rootfd, "etc/rc.d", 0755) < 0 && errno != EEXIST)
		return vs_err(ctx, -errno, "etc/rc.d: %m");
	vs_info(ctx, "busybox guest: %u applets linked", links);
	return 0;
}
