/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create, start and the hooks.
 *
 * create clones the init straight into the container's cgroup
 * (CLONE_INTO_CGROUP) and new namespaces, records it, runs the
 * createRuntime and prestart hooks, lets the init build the container and
 * waits for its "ready" (or its error, naming the field).  The init then
 * blocks on exec.fifo — opened read-write by create before the clone, so
 * the init holds it without any path — until start opens the fifo (which
 * fails with ENXIO when the init died) and writes one byte.  create exits
 * and leaves the init to the caller's subreaper (conmon, containerd-shim),
 * which receives its exit status, as with runc. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

static void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char b[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", b, ts.tv_nsec);
}

static unsigned long long starttime_of(pid_t pid)
{
	char p[64], buf[1024], *c;
	unsigned long long st = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	if (!(f = fopen(p, "re")))
		return 0;
	if (fgets(buf, sizeof(buf), f) && (c = strrchr(buf, ')')))
		sscanf(c + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
		       "%*d %*d %*d %llu", &st);
	fclose(f);
	return st;
}

int oci_write_pidfile(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], v[24];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid());
	snprintf(v, sizeof(v), "%d", pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, v, strlen(v)) < 0 || close(fd) < 0 || rename(tmp, path) < 0)
		return oci_err(-errno, "--pid-file %s: %s", path, strerror(errno));
	return 0;
}

int oci_console_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return oci_err(-ENAMETOOLONG, "--console-socket %s: path too long", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return oci_err(-e, "--console-socket %s: %s", path, strerror(e));
	}
	return fd;
}

/* One hook: the state on its stdin, its own args and env, a timeout. */
static int run_hook(const struct oci_hook *h, const char *state, const char *what)
{
	int in[2], st;
	pid_t p;
	int waited = 0, limit = h->timeout > 0 ? h->timeout * 1000 : -1;

	if (pipe2(in, O_CLOEXEC) < 0)
		return oci_err(-errno, "pipe: %s", strerror(errno));
	p = fork();
	if (p < 0)
		return oci_err(-errno, "fork: %s", strerror(errno));
	if (p == 0) {
		dup2(in[0], 0);
		syscall(SYS_close_range, 3, ~0U, 0);
		execve(h->path, h->args ? h->args : (char *[]){ h->path, NULL },
		       h->env ? h->env : (char *[]){ NULL });
		_exit(127);
	}
	close(in[0]);
	signal(SIGPIPE, SIG_IGN);
	if (write(in[1], state, strlen(state)) < 0)
		(void)0;	/* a hook that does not read its input is fine */
	close(in[1]);
	while (waitpid(p, &st, WNOHANG) == 0) {
		if (limit >= 0 && waited >= limit) {
			kill(p, SIGKILL);
			waitpid(p, &st, 0);
			return oci_err(-ETIMEDOUT, "hooks.%s %s: timed out after %d s", what, h->path,
				       h->timeout);
		}
		usleep(5000);
		waited += 5;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return oci_err(-EIO, "hooks.%s %s: %s %d", what, h->path,
			       WIFEXITED(st) ? "exit status" : "killed by signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}

int oci_run_hooks(const struct oci_spec *s, int which, struct oci_state *st,
		  enum oci_status status)
{
	static const char *const names[] = { "prestart", "createRuntime", "poststart",
		"poststop" };
	char *state;
	int r = 0;

	if (!s->hooks[which].n)
		return 0;
	state = oci_state_json(st, status);
	for (size_t i = 0; i < s->hooks[which].n && r == 0; i++) {
		r = run_hook(&s->hooks[which].h[i], state, names[which]);
		/* a failing poststart or poststop hook is a warning, and the
		 * hooks after it still run (the spec says so) */
		if (r < 0 && (which == HOOK_POSTSTART || which == HOOK_POSTSTOP)) {
			oci_warn("%s", oci_errmsg);
			r = 0;
		}
	}
	free(state);
	return r;
}

static int copy_config(const struct oci_spec *s, struct oci_state *st)
{
	char src[PATH_MAX], dst[PATH_MAX], buf[65536];
	int in, out, r = 0;
	ssize_t n;

	snprintf(src, sizeof(src), "%s/config.json", s->bundle);
	snprintf(dst, sizeof(dst), "%s/config.json", st->dir);
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		r = oci_err(-errno, "%s: %s", in < 0 ? src : dst, strerror(errno));
	while (r == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			r = oci_err(-errno, "%s: %s", dst, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return r;
}

/* Removes whatever a failed create made: the init, cgroups, the state. */
void oci_undo_create(struct oci_state *st, pid_t child)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	oci_cgroup_kill_all(st, SIGKILL);
	oci_cgroup_remove(st);
	oci_barrier_release(st);
	oci_state_remove(st);
}

int oci_create(const char *id, const char *bundle, const char *pidfile, const char *console,
	       struct oci_state *st, struct oci_spec *s, pid_t *child_out)
{
	char fifo[PATH_MAX], created[64];
	int sync[2] = { -1, -1 }, errp[2] = { -1, -1 }, v2fd = -1, r;
	int nsfds[64];
	struct oci_launch L = { .s = s, .fifofd = -1, .consfd = -1, .nsfds = nsfds,
				.helperfd = -1, .id = id };
	struct oci_childerr ce;
	struct clone_args ca = { .exit_signal = SIGCHLD };
	pid_t child = -1;
	ssize_t got;

	*child_out = -1;
	if ((r = oci_spec_load(bundle, NULL, s)) < 0)
		return r;
	if (s->n_ns > 64)
		return oci_err(-E2BIG, "linux.namespaces: too many");
	if ((r = oci_vx_resolve(s, id)) < 0)
		return r;
	if (s->proc.terminal && !console)
		return oci_err(-EINVAL, "process.terminal is true: --console-socket is required");
	if (!s->proc.terminal && console)
		return oci_err(-EINVAL, "--console-socket given, but process.terminal is false");
	if ((r = oci_state_create(id, st)) < 0)
		return r;
	st->bundle = strdup(s->bundle);
	now_rfc3339(created, sizeof(created));
	st->created = strdup(created);
	if (s->annotations) {
		size_t n = 0;
		while (s->annotations[n])
			n++;
		st->annotations = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			st->annotations[i] = strdup(s->annotations[i]);
	}
	for (size_t i = 0; i < s->n_ns; i++) {
		nsfds[i] = -1;
		if (s->ns[i].path && (nsfds[i] = open(s->ns[i].path, O_RDONLY | O_CLOEXEC)) < 0) {
			r = oci_err(-errno, "linux.namespaces[%zu].path %s: %s", i, s->ns[i].path,
				    strerror(errno));
			goto fail;
		}
	}
	/* the barrier before any process of the container runs */
	if ((r = copy_config(s, st)) < 0 || (r = oci_barrier_take(s, st)) < 0 ||
	    (r = oci_state_save(st)) < 0)
		goto fail;
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
	if (mkfifo(fifo, 0600) < 0 || (L.fifofd = open(fifo, O_RDWR | O_CLOEXEC)) < 0) {
		r = oci_err(-errno, "%s: %s", fifo, strerror(errno));
		goto fail;
	}
	if (console && (L.consfd = oci_console_connect(console)) < 0) {
		r = L.consfd;
		goto fail;
	}
	if ((r = oci_helper_open(&L.helperfd)) < 0 || (r = oci_cgroup_setup(s, id, st, &v2fd)) < 0)
		goto fail;
	if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		r = oci_err(-errno, "pipe: %s", strerror(errno));
		goto fail;
	}
	L.syncfd = sync[0];
	L.errfd = errp[1];
	ca.flags = s->clone_flags | CLONE_INTO_CGROUP;
	ca.cgroup = (uint64_t)v2fd;
	child = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (child < 0) {
		r = oci_err(-errno, "cannot create the container's init: %s", strerror(errno));
		goto fail;
	}
	if (child == 0) {
		/* the lock is create's: an init holding it would block every
		 * later command on this container until its exec */
		close(st->dirfd);
		close(sync[1]);
		close(errp[0]);
		oci_init_child(&L);
	}
	close(sync[0]);
	close(errp[1]);
	sync[0] = errp[1] = -1;
	st->pid = child;
	st->starttime = starttime_of(child);
	if ((r = oci_cgroup_enter(st, child)) < 0 || (r = oci_state_save(st)) < 0 ||
	    (r = oci_run_hooks(s, HOOK_CREATE_RUNTIME, st, ST_CREATING)) < 0 ||
	    (r = oci_run_hooks(s, HOOK_PRESTART, st, ST_CREATING)) < 0)
		goto fail;
	if (write(sync[1], "g", 1) != 1) {
		r = oci_err(-errno, "the container's init died before its setup");
		goto fail;
	}
	got = read(errp[0], &ce, sizeof(ce));
	if (got != sizeof(ce) || ce.err != 0) {
		if (got == sizeof(ce)) {
			ce.msg[sizeof(ce.msg) - 1] = '\0';
			r = oci_err(ce.err < 0 ? ce.err : -EIO, "%s", ce.msg);
		} else {
			r = oci_err(-ECHILD, "the container's init died during its setup");
		}
		goto fail;
	}
	if ((r = oci_vx_end_setup(child)) < 0)
		goto fail;
	if (pidfile && (r = oci_write_pidfile(pidfile, child)) < 0)
		goto fail;
	*child_out = child;
	r = 0;
	goto out;
fail:
	{
		char msg[sizeof(oci_errmsg)];
		snprintf(msg, sizeof(msg), "%s", oci_errmsg);
		oci_undo_create(st, child);
		snprintf(oci_errmsg, sizeof(oci_errmsg), "%s", msg);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (sync[i] >= 0)
			close(sync[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	for (size_t i = 0; i < s->n_ns && i < 64; i++)
		if (nsfds[i] >= 0)
			close(nsfds[i]);
	if (L.fifofd >= 0)
		close(L.fifofd);
	if (L.consfd >= 0)
		close(L.consfd);
	if (v2fd >= 0)
		close(v2fd);
	if (L.helperfd >= 0)
		close(L.helperfd);
	return r;
}

int oci_start(struct oci_state *st)
{
	struct oci_spec s;
	char fifo[PATH_MAX], cfgp[PATH_MAX];
	enum oci_status status = oci_state_status(st);
	int fd, r;

	if (status != ST_CREATED)
		return oci_err(-EINVAL, "container %s is %s, not created: cannot start it", st->id,
			       oci_status_name(status));
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st->dir);
	/* non-blocking: with the init gone there is no reader, and open fails
	 * with ENXIO instead of waiting forever */
	fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return oci_err(errno == ENXIO ? -ESRCH : -errno, "container %s: %s", st->id,
			       errno == ENXIO ? "its init is gone" : strerror(errno));
	if (write(fd, "s", 1) != 1) {
		r = oci_err(-errno, "%s: %s", fifo, strerror(errno));
		close(fd);
		return r;
	}
	close(fd);
	unlink(fifo);
	st->started = true;
	if ((r = oci_state_save(st)) < 0)
		return r;
	snprintf(cfgp, sizeof(cfgp), "%s/config.json", st->dir);
	if (oci_spec_load(st->bundle, cfgp, &s) == 0) {
		/* the spec: a failing poststart hook is a warning, not a failure */
		if (oci_run_hooks(&s, HOOK_POSTSTART, st, ST_RUNNING) < 0)
			oci_warn("%s", oci_errmsg);
		oci_spec_free(&s);
	}
	return 0;
}
