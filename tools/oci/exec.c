/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: a new process in a running container.
 *
 * Three processes: P (this command) forks A; A moves itself into the
 * container's cgroups, joins all of the init's namespaces through its
 * pidfd (setns with several flags, one call: no window in which it is
 * half inside) and forks C, which is then inside the container's pid
 * namespace too.  C takes the process settings (the container's
 * process.* unless --process gives others, process.c), the console, the
 * working directory, and execs.  P learns C's host pid from A, C's setup
 * errors from a close-on-exec pipe (EOF = exec happened).  With --detach
 * A exits at once and C goes to the caller's subreaper; otherwise A waits
 * for C and exits with C's status, which P returns as runc does. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif


static volatile sig_atomic_t fwd_pid;
static void forward(int sig)
{
	if (fwd_pid > 0)
		kill((pid_t)fwd_pid, sig);
}

static int env_add(char ***env, const char *kv)
{
	size_t n = 0, klen = strcspn(kv, "=");
	char **v;

	for (; *env && (*env)[n]; n++)
		if (!strncmp((*env)[n], kv, klen) && (*env)[n][klen] == '=') {
			free((*env)[n]);
			(*env)[n] = strdup(kv);
			return 0;
		}
	v = realloc(*env, (n + 2) * sizeof(char *));
	if (!v)
		return oci_err(-ENOMEM, "out of memory");
	v[n] = strdup(kv);
	v[n + 1] = NULL;
	*env = v;
	return 0;
}

static int build_process(const struct exec_opts *o, struct oci_spec *s, struct oci_process *p)
{
	int r;

	if (o->process) {
		struct json_object *j;
		if ((r = oci_json_read_file(o->process, &j)) < 0)
			return r;
		oci_process_free(&s->proc);
		r = oci_process_parse(j, "process", &s->proc, true);
		json_object_put(j);
		if (r < 0)
			return r;
	} else {
		if (!o->args || !o->args[0])
			return oci_err(-EINVAL, "exec needs a command (or --process FILE)");
		oci_strv_free(s->proc.args);
		s->proc.args = NULL;
		for (size_t i = 0; o->args[i]; i++) {
			size_t n = i;
			s->proc.args = realloc(s->proc.args, (n + 2) * sizeof(char *));
			s->proc.args[n] = strdup(o->args[i]);
			s->proc.args[n + 1] = NULL;
		}
		s->proc.terminal = o->tty;
	}
	for (size_t i = 0; o->env && o->env[i]; i++) {
		if (!strchr(o->env[i], '=') || o->env[i][0] == '=')
			return oci_err(-EINVAL, "--env %s: not NAME=VALUE", o->env[i]);
		if ((r = env_add(&s->proc.env, o->env[i])) < 0)
			return r;
	}
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return oci_err(-EINVAL, "--cwd %s: not an absolute path", o->cwd);
		free(s->proc.cwd);
		s->proc.cwd = strdup(o->cwd);
	}
	if (o->user) {
		unsigned u, g = 0;
		if (sscanf(o->user, "%u:%u", &u, &g) < 1)
			return oci_err(-EINVAL, "--user %s: must be UID[:GID]", o->user);
		s->proc.uid = u;
		s->proc.gid = g;
	}
	if (o->nnp)
		s->proc.nnp = true;
	if (o->tty)
		s->proc.terminal = true;
	if (s->proc.terminal && !o->console)
		return oci_err(-EINVAL, "a terminal needs --console-socket");
	*p = s->proc;
	return 0;
}

static _Noreturn void child_c(const struct oci_spec *s, int errfd, int consfd, int helperfd)
{
	char err[900] = "", file[4096];
	bool late;
	int r;

	signal(SIGPIPE, SIG_IGN);
	setsid();
	syscall(SYS_close_range, 3 + oci_preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	if (s->proc.terminal && (r = oci_console_setup(consfd, &s->proc, err, sizeof(err))) < 0) {
		oci_child_fail(errfd, r, "%s", err);
		_exit(127);
	}
	if (chdir(s->proc.cwd ? s->proc.cwd : "/") < 0) {
		oci_child_fail(errfd, -errno, "process.cwd %s: %s", s->proc.cwd, strerror(errno));
		_exit(127);
	}
	if ((r = oci_apply_process(&s->proc, s->has_seccomp ? &s->seccomp : NULL, &late, err,
				   sizeof(err))) < 0) {
		oci_child_fail(errfd, r, "%s", err);
		_exit(127);
	}
	if (oci_exec_path(s->proc.args[0], s->proc.env, file, sizeof(file)) < 0) {
		oci_child_fail(errfd, -ENOENT, "process.args[0]: %s: not found in the container",
			       s->proc.args[0]);
		_exit(127);
	}
	if (late && (r = oci_seccomp_load(&s->seccomp, err, sizeof(err))) < 0) {
		oci_child_fail(errfd, r, "%s", err);
		_exit(127);
	}
	signal(SIGPIPE, SIG_DFL);
	r = oci_exec_trampoline(helperfd, errfd, file, s->proc.args, s->proc.env);
	oci_child_fail(errfd, r, "cannot execute the trampoline for %s: %s", file, strerror(-r));
	_exit(127);
}

int oci_exec(struct oci_state *st, const struct exec_opts *o, int *exit_code)
{
	struct oci_spec s;
	struct oci_process p;
	struct oci_childerr ce;
	char cfg[PATH_MAX];
	int pidp[2] = { -1, -1 }, errp[2] = { -1, -1 }, consfd = -1, pidfd = -1, r, status;
	int helperfd = -1;
	unsigned long nsflags = 0;
	int32_t cpid = 0;
	pid_t a;
	enum oci_status stt = oci_state_status(st);
	ssize_t got;

	if (stt != ST_RUNNING && stt != ST_CREATED)
		return oci_err(-EINVAL, "container %s is %s: cannot exec in it", st->id,
			       oci_status_name(stt));
	snprintf(cfg, sizeof(cfg), "%s/config.json", st->dir);
	if ((r = oci_spec_load(st->bundle, cfg, &s)) < 0)
		return r;
	if ((r = build_process(o, &s, &p)) < 0)
		goto out;
	for (size_t i = 0; i < s.n_ns; i++)
		nsflags |= (unsigned long)s.ns[i].type;
	pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (pidfd < 0) {
		r = oci_err(-errno, "container %s: its init is gone", st->id);
		goto out;
	}
	if ((r = oci_helper_open(&helperfd)) < 0)
		goto out;
	if (o->console && (consfd = oci_console_connect(o->console)) < 0) {
		r = consfd;
		goto out;
	}
	if (pipe2(pidp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		r = oci_err(-errno, "pipe: %s", strerror(errno));
		goto out;
	}
	a = fork();
	if (a < 0) {
		r = oci_err(-errno, "fork: %s", strerror(errno));
		goto out;
	}
	if (a == 0) {
		pid_t c;
		int32_t m;
		close(pidp[0]);
		close(errp[0]);
		close(st->dirfd);	/* the lock stays with P (see below) */
		/* cgroups first: C, forked after, is born inside them */
		if ((r = oci_cgroup_enter(st, getpid())) < 0) {
			oci_child_fail(errp[1], r, "%s", oci_errmsg);
			_exit(127);
		}
		if (oci_cgroup_join_v2(st) < 0 || setns(pidfd, (int)nsflags) < 0) {
			oci_child_fail(errp[1], -errno, "cannot join the container: %s",
				       strerror(errno));
			_exit(127);
		}
		/* its contexts last: entering one gives up what its bounding
		 * set does not allow */
		if ((r = oci_vx_join(st->pid, ce.msg, sizeof(ce.msg))) < 0) {
			oci_child_fail(errp[1], r, "%s", ce.msg);
			_exit(127);
		}
		c = fork();
		if (c == 0) {
			close(pidp[1]);
			child_c(&s, errp[1], consfd, helperfd);
		}
		m = c;
		if (write(pidp[1], &m, sizeof(m)) < 0 || c < 0 || o->detach)
			_exit(c < 0 ? 127 : 0);
		close(errp[1]);
		close(pidp[1]);
		while (waitpid(c, &status, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	close(pidp[1]);
	close(errp[1]);
	pidp[1] = errp[1] = -1;
	if (read(pidp[0], &cpid, sizeof(cpid)) != sizeof(cpid) || cpid <= 0)
		cpid = 0;
	got = read(errp[0], &ce, sizeof(ce));
	if (got == sizeof(int)) {
		/* from the trampoline: the command's exec errno */
		int e;
		memcpy(&e, &ce, sizeof(e));
		waitpid(a, NULL, 0);
		r = oci_err(e > 0 && e < 4096 ? -e : -EIO, "cannot execute %s in the container: %s",
			    s.proc.args[0], strerror(e > 0 && e < 4096 ? e : EIO));
		goto out;
	}
	if (got == sizeof(ce)) {
		ce.msg[sizeof(ce.msg) - 1] = '\0';
		waitpid(a, NULL, 0);
		r = oci_err(ce.err < 0 ? ce.err : -EIO, "%s", ce.msg);
		goto out;
	}
	if (!cpid) {
		waitpid(a, NULL, 0);
		r = oci_err(-ECHILD, "cannot create the process in the container");
		goto out;
	}
	if (o->pidfile && (r = oci_write_pidfile(o->pidfile, cpid)) < 0)
		goto out;
	/* the lock is the container's, not the command's: let delete and
	 * kill in while the process runs */
	close(st->dirfd);
	st->dirfd = -1;
	if (!o->detach) {
		struct sigaction sa = { .sa_handler = forward };
		static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
		fwd_pid = cpid;
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], &sa, NULL);
	}
	while (waitpid(a, &status, 0) < 0 && errno == EINTR)
		;
	*exit_code = o->detach ? 0 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (pidp[i] >= 0)
			close(pidp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (consfd >= 0)
		close(consfd);
	if (pidfd >= 0)
		close(pidfd);
	if (helperfd >= 0)
		close(helperfd);
	oci_spec_free(&s);
	return r;
}
