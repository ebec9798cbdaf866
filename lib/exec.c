/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running commands inside a running guest (vserver exec / enter).
 *
 * Two processes:
 *   A  the caller; stays on the host, relays the streams and the exit
 *      status.  It enters the guest's pid namespace for its children only,
 *      just long enough to clone C, and returns to its own at once.
 *   C  created by clone3() straight into the guest's cgroup and pid
 *      namespace, joins the guest's other namespaces and execs the command.
 *      A holds C's pidfd: it ends the relay and receives C's status.
 *
 * What C hands the guest: fds 0-2 only — pipes that A relays (relay.c),
 * the guest's /dev/null, or for interactive use a pty allocated from the
 * guest's own devpts; never a file or the terminal of the host — a
 * working directory inside the guest, a small clean environment, the
 * guest's bounding set and seccomp filter.  C is not dumpable from its
 * first instruction (A clears the flag around the clone) until its exec, so the guest's root (without
 * CAP_SYS_PTRACE) cannot ptrace them or open their /proc/PID/{root,cwd,
 * fd,environ,mem} while they still hold anything of the host.  C does not
 * exec the command itself but the static helper vserver-init (helper.c)
 * from a read-only mount, which then execs the command: no process in the
 * guest ever runs a host executable (CVE-2019-5736).  C starts a new
 * session, so the guest cannot push keystrokes into any terminal of the
 * admin (TIOCSTI needs a controlling tty). */
#include "internal.h"
#include "helper.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct exec_req {
	char *const *argv;	/* NULL: the guest's login shell */
	bool pty;
	bool null_stdio;
	unsigned null_mask;	/* fds 0-2 that become the guest's /dev/null */
	const char *cwd;
	const char *term;
	int timeout_ms;		/* < 0: none */
};

enum { FD_ERR = 3, FD_SOCK = 4, FD_PIDFD = 5, FD_HELPER = 6, FD_FIRST_FREE = 7 };

/* The command's pidfd while it runs: signals reach exactly that process,
 * never one that reused its pid after it was reaped. */
static volatile sig_atomic_t fwd_pidfd = -1;
static volatile sig_atomic_t winch;

/* The caller's INT/TERM/HUP go to the command; an interactive shell
 * ignores them, so a command still running a grace period later is
 * killed: `timeout 8 vserver G enter` must end in bounded time. */
#define EXEC_KILL_GRACE_S 3

static void forward_signal(int sig)
{
	int e = errno;

	if (fwd_pidfd >= 0) {
		vs_pidfd_signal(fwd_pidfd, sig);
		if (sig != SIGQUIT)
			alarm(EXEC_KILL_GRACE_S);	/* the first one counts */
	}
	errno = e;
}

static void kill_command(int sig)
{
	int e = errno;

	(void)sig;
	if (fwd_pidfd >= 0)
		vs_pidfd_signal(fwd_pidfd, SIGKILL);
	errno = e;
}

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

/* Forks C into the cgroup cgfd (if >= 0) and the pid namespace that A's
 * children are created in; *cpidfd: C's pidfd (in A). */
static pid_t clone_into_cgroup(int cgfd, int *cpidfd)
{
	int pfd = -1;
	struct clone_args args = {
		.flags = CLONE_PIDFD | (cgfd >= 0 ? CLONE_INTO_CGROUP : 0),
		.pidfd = (uint64_t)(uintptr_t)&pfd,
		.exit_signal = SIGCHLD,
		.cgroup = cgfd >= 0 ? (uint64_t)cgfd : 0,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
		/* kernels before 5.7: plain fork, the child moves itself */
		pid = fork();
		if (pid == 0 && cgfd >= 0) {
			int p = openat(cgfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
			if (p < 0 || write(p, "0", 1) != 1)
				_exit(126);
			close(p);
		}
		if (pid > 0 && (pfd = vs_pidfd_open((pid_t)pid)) < 0) {
			int e = -pfd;
			kill((pid_t)pid, SIGKILL);
			waitpid((pid_t)pid, NULL, 0);
			errno = e;
			return -1;
		}
	}
	if (pid > 0)
		*cpidfd = pfd;
	return (pid_t)pid;
}

static void reset_signals(void)
{
	sigset_t all;
	struct sigaction sa = { .sa_handler = SIG_DFL };

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* The root user's shell according to the guest's /etc/passwd; we are inside
 * the guest here, so whatever it says names a guest program. */
static void guest_shell(char *buf, size_t len)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[1024];

	snprintf(buf, len, "/bin/sh");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *fields[7], *p = line;
		int n = 0;
		if (strncmp(line, "root:", 5))
			continue;
		while (n < 7 && (fields[n] = strsep(&p, ":")))
			n++;
		if (n == 7) {
			char *sh = vs_strip(fields[6]);
			if (sh[0] == '/' && access(sh, X_OK) == 0)
				snprintf(buf, len, "%s", sh);
		}
		break;
	}
	fclose(f);
}

/* C: runs inside the guest.  Never returns. */
static _Noreturn void child_c(struct vs_guest *g, const struct vs_runstate *rs,
			      const struct exec_req *req)
{
	const struct vs_backend_ops *ops = vs_backend_ops(rs->backend);
	char err[400] = "";
	char shell[256], argv0[260], errfd[16];
	char *const *argv = req->argv;
	const char *file;
	char **env, **targv;
	size_t n;
	int r;

	if (setns(FD_PIDFD, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
		  CLONE_NEWCGROUP) < 0) {
		vs_child_fail(FD_ERR, -errno, "cannot join the guest's namespaces: %s",
			      strerror(errno));
		_exit(127);
	}
	close(FD_PIDFD);
	/* setns(mnt) made the guest's root our root and cwd.  Limits changed
	 * live beat the configuration's (our own copy: we are a child). */
	for (int id = 0; id < 16; id++)
		if (rs->live_rlim[id].set)
			g->cfg->rlim[id] = rs->live_rlim[id];
	r = vs_guest_confine(g->cfg, rs->backend, err, sizeof(err));
	if (r == 0)
		r = ops->join(g->cfg, rs, err, sizeof(err));
	if (r < 0) {
		vs_child_fail(FD_ERR, r, "%s", err);
		_exit(127);
	}
	if (req->cwd) {
		if (chdir(req->cwd) < 0) {
			/* not ENOENT: that would read as "command not found" */
			vs_child_fail(FD_ERR, -EINVAL, "cannot change to %s in the guest: %s",
				      req->cwd, strerror(errno));
			_exit(127);
		}
	} else if (!argv && chdir("/root") < 0 && chdir("/") < 0) {
		_exit(127);
	}
	if (req->null_mask) {
		/* the guest's own /dev/null, opened inside the guest */
		int nul = open("/dev/null", O_RDWR | O_NOCTTY);
		if (nul < 0) {
			vs_child_fail(FD_ERR, -EIO, "cannot open /dev/null in the guest");
			_exit(127);
		}
		for (int i = 0; i < 3; i++)
			if ((req->null_mask & (1u << i)) && dup2(nul, i) < 0) {
				vs_child_fail(FD_ERR, -errno, "dup2: %s", strerror(errno));
				_exit(127);
			}
		if (nul > 2)
			close(nul);
	}
	if (setsid() < 0) {
		vs_child_fail(FD_ERR, -errno, "setsid: %s", strerror(errno));
		_exit(127);
	}
	if (req->pty) {
		int m = -1, s = -1;
		r = vs_pty_open_guest(&m, &s, err, sizeof(err));
		if (r == 0 && (r = vs_send_fd(FD_SOCK, m)) < 0)
			snprintf(err, sizeof(err), "cannot pass the pty: %s", strerror(-r));
		if (r < 0) {
			vs_child_fail(FD_ERR, r, "%s", err);
			_exit(127);
		}
		close(m);
		close(FD_SOCK);
		if (ioctl(s, TIOCSCTTY, 0) < 0 || dup2(s, 0) < 0 || dup2(s, 1) < 0 ||
		    dup2(s, 2) < 0) {
			vs_child_fail(FD_ERR, -errno, "cannot attach the pty: %s", strerror(errno));
			_exit(127);
		}
		close(s);
	}
	env = vs_guest_env(req->term);
	if (!env) {
		vs_child_fail(FD_ERR, -ENOMEM, "out of memory");
		_exit(127);
	}
	if (!argv) {
		const char *base;
		guest_shell(shell, sizeof(shell));
		base = strrchr(shell, '/');
		snprintf(argv0, sizeof(argv0), "-%s", base ? base + 1 : shell);
		file = shell;
	} else {
		file = argv[0];
	}
	/* vserver-init --exec ERRFD FILE ARGV0 ARGS...: the trampoline reports
	 * an exec failure's errno on FD_ERR, which it keeps only until then */
	n = 0;
	for (size_t i = 1; argv && argv[i]; i++)
		n++;
	targv = calloc(n + 6, sizeof(char *));
	if (!targv) {
		vs_child_fail(FD_ERR, -ENOMEM, "out of memory");
		_exit(127);
	}
	targv[0] = "vserver-init";
	targv[1] = "--exec";
	targv[2] = errfd;
	targv[3] = (char *)file;
	targv[4] = argv ? argv[0] : argv0;
	for (size_t i = 0; i < n; i++)
		targv[5 + i] = argv[1 + i];
	snprintf(errfd, sizeof(errfd), "%d", FD_ERR);
	if (fcntl(FD_ERR, F_SETFD, 0) < 0) {
		vs_child_fail(FD_ERR, -errno, "fcntl: %s", strerror(errno));
		_exit(127);
	}
	reset_signals();
	/* Exec makes a process dumpable again unless its real and effective
	 * ids differ: with a real uid that is not 0 for the moment, the
	 * trampoline stays non-dumpable (unreadable for the guest) until it
	 * has closed FD_ERR and execs the command as plain root again. */
	if (setresuid(65534, 0, 0) < 0) {
		vs_child_fail(FD_ERR, -errno, "setresuid: %s", strerror(errno));
		_exit(127);
	}
	syscall(SYS_execveat, FD_HELPER, "", targv, env, AT_EMPTY_PATH);
	vs_child_fail(FD_ERR, -errno, "cannot execute the guest helper: %s", strerror(errno));
	_exit(127);
}

/* Creates C inside the guest's pid namespace and cgroup.  A enters that
 * pid namespace for its children only and goes back to its own before
 * returning, on every path: the caller's later children are the host's.
 * C inherits "not dumpable" from A, which is cleared around the clone and
 * then restored, so that no guest process can ptrace C or open its
 * /proc/PID entries while it still holds host descriptors and memory. */
static pid_t spawn_c(struct vs_guest *g, int pidfd, int cgfd, int *cpidfd)
{
	_cleanup_close_ int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	int dumpable, e;
	pid_t c;

	if (own < 0)
		return vs_err(g->ctx, -errno, "exec: cannot open our own pid namespace: %m");
	dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (setns(pidfd, CLONE_NEWPID) < 0) {
		e = errno;
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
		return vs_err(g->ctx, -e, "cannot join the guest's pid namespace: %s",
			      strerror(e));
	}
	c = clone_into_cgroup(cgfd, cpidfd);
	if (c == 0)
		return 0;
	e = errno;
	/* back to our own namespace for our children: entering the active
	 * pid namespace is always allowed.  Failing that, our next child
	 * would be the guest's: nothing safe is left to do but stop. */
	if (setns(own, CLONE_NEWPID) < 0)
		abort();
	prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	if (c < 0)
		return vs_err(g->ctx, -e, "cannot create a process in the guest: %s",
			      strerror(e));
	return c;
}

/* Puts what C needs at fixed numbers and drops the rest: the guest must
 * not inherit anything of the caller.  All are first copied out of the
 * way, so that no move clobbers another. */
static void c_fds(int errw, int sock, int pidfd, int helper, const struct vs_relay *rl)
{
	int fe = fcntl(errw, F_DUPFD_CLOEXEC, 100);
	int fs = sock >= 0 ? fcntl(sock, F_DUPFD_CLOEXEC, 100) : fe;
	int fp = fcntl(pidfd, F_DUPFD_CLOEXEC, 100);
	int fh = fcntl(helper, F_DUPFD_CLOEXEC, 100);
	int gi[3];

	for (int i = 0; i < 3; i++)
		if ((gi[i] = rl->guest[i]) >= 0 &&
		    (gi[i] = fcntl(rl->guest[i], F_DUPFD_CLOEXEC, 100)) < 0)
			_exit(127);
	if (fe < 0 || fs < 0 || fp < 0 || fh < 0 || dup3(fe, FD_ERR, O_CLOEXEC) < 0 ||
	    dup3(fs, FD_SOCK, O_CLOEXEC) < 0 || dup3(fp, FD_PIDFD, O_CLOEXEC) < 0 ||
	    dup3(fh, FD_HELPER, O_CLOEXEC) < 0)
		_exit(127);
	/* the guest's ends of the relay become C's fds 0-2 */
	for (int i = 0; i < 3; i++)
		if ((gi[i] >= 0 && dup2(gi[i], i) < 0) || (gi[i] == -2 && dup2(1, 2) < 0))
			_exit(127);
	syscall(SYS_close_range, FD_FIRST_FREE, ~0U, 0);
}

static int run(struct vs_guest *g, const struct vs_runstate *rs, int pidfd, int cgfd,
	       const struct exec_req *req_in, int *status)
{
	int errp[2] = { -1, -1 }, sv[2] = { -1, -1 };
	struct sigaction fwd = { .sa_handler = forward_signal }, wch = { .sa_handler = on_winch };
	struct sigaction old[5], pipe_old, alrm_old, ign = { .sa_handler = SIG_IGN };
	struct sigaction alrm = { .sa_handler = kill_command };
	unsigned alarm_old;
	static const int fwd_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct exec_req req = *req_in;
	struct vs_relay rl;
	union {
		struct vs_childerr ce;
		int exec_errno;
	} e;
	pid_t c;
	int r = 0, st = 0, master = -1, helper = -1, cpidfd = -1;

	for (int i = 0; i < 3; i++)
		rl.guest[i] = rl.host[i] = -1;
	if ((r = vs_helper_open(g->ctx, &helper)) < 0)
		goto out;
	/* A pty replaces all three; otherwise pipes, or the guest's
	 * /dev/null for what is /dev/null (or closed) here. */
	if (!req.pty && (r = vs_relay_prepare(&rl, req.null_stdio)) < 0) {
		r = vs_err(g->ctx, r, "exec: %s", strerror(-r));
		goto out;
	}
	req.null_mask = 0;
	for (int i = 0; i < 3 && !req.pty; i++)
		if (rl.guest[i] == -1)
			req.null_mask |= 1u << i;
	if (pipe2(errp, O_CLOEXEC) < 0 ||
	    (req.pty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)) {
		r = vs_err(g->ctx, -errno, "exec: %m");
		goto out;
	}
	c = spawn_c(g, pidfd, cgfd, &cpidfd);
	if (c < 0) {
		r = c;
		goto out;
	}
	if (c == 0) {
		c_fds(errp[1], req.pty ? sv[1] : -1, pidfd, helper, &rl);
		child_c(g, rs, &req);
	}
	close(errp[1]);
	errp[1] = -1;
	vs_relay_close_guest(&rl);
	if (req.pty) {
		close(sv[1]);
		sv[1] = -1;
	}
	/* forward the caller's signals to the command while it runs; a reader
	 * of our output that went away ends that stream, not us */
	/* the caller's own alarm, if any, is put back afterwards */
	alarm_old = alarm(0);
	sigemptyset(&alrm.sa_mask);
	sigaction(SIGALRM, &alrm, &alrm_old);
	fwd_pidfd = cpidfd;
	sigemptyset(&fwd.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(fwd_sigs); i++)
		sigaction(fwd_sigs[i], &fwd, &old[i]);
	sigemptyset(&wch.sa_mask);
	sigaction(SIGWINCH, &wch, &old[4]);
	sigaction(SIGPIPE, &ign, &pipe_old);
	/* C's pidfd becomes readable when C has ended: that ends the relay */
	if (req.pty) {
		master = vs_recv_fd(sv[0]);
		if (master >= 0) {
			vs_relay_pty(master, cpidfd, &winch);
			/* the guest's pty hangs up: a process the command left
			 * behind reads EIO, not the admin's next input */
			close(master);
		}
	} else if (rl.host[0] >= 0 || rl.host[1] >= 0 || rl.host[2] >= 0) {
		vs_relay_pipes(&rl, cpidfd);
	}
	if (req.timeout_ms >= 0 && vs_pidfd_wait(cpidfd, req.timeout_ms) == -ETIMEDOUT) {
		vs_notice(g->ctx, "%s: command still running after %d ms; killing it",
			  g->cfg->name, req.timeout_ms);
		kill(c, SIGTERM);
		if (vs_pidfd_wait(cpidfd, 200) == -ETIMEDOUT)
			kill(c, SIGKILL);
	}
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < ARRAY_SIZE(fwd_sigs); i++)
		sigaction(fwd_sigs[i], &old[i], NULL);
	sigaction(SIGWINCH, &old[4], NULL);
	sigaction(SIGPIPE, &pipe_old, NULL);
	fwd_pidfd = -1;
	alarm(0);
	sigaction(SIGALRM, &alrm_old, NULL);
	if (alarm_old)
		alarm(alarm_old);
	switch (read(errp[0], &e, sizeof(e))) {
	case sizeof(e.ce):
		e.ce.msg[sizeof(e.ce.msg) - 1] = '\0';
		r = vs_err(g->ctx, e.ce.err, "%s: %s", g->cfg->name, e.ce.msg);
		goto out;
	case sizeof(e.exec_errno):
		/* from the trampoline: only a number crosses from the guest */
		r = vs_err(g->ctx, e.exec_errno > 0 && e.exec_errno < 4096 ? -e.exec_errno : -EIO,
			   "%s: cannot execute %s in the guest: %s", g->cfg->name,
			   req.argv ? req.argv[0] : "the login shell", strerror(e.exec_errno));
		goto out;
	default:
		break;
	}
	*status = st;
out:
	vs_relay_close(&rl);
	if (helper >= 0)
		close(helper);
	if (cpidfd >= 0)
		close(cpidfd);
	for (int i = 0; i < 2; i++) {
		if (errp[i] >= 0)
			close(errp[i]);
		if (sv[i] >= 0)
			close(sv[i]);
	}
	return r;
}

/* Finds the running guest and holds it (pidfd, cgroup fd) without keeping
 * its lock for the duration of the command. */
static int attach(struct vs_guest *g, struct vs_runstate *rs, int *pidfd, int *cgfd,
		  bool locked)
{
	struct vs_lock *lock = NULL;
	_cleanup_close_ int rundfd = -1;
	int state, r;

	*pidfd = *cgfd = -1;
	if (!locked && (r = vs_lock_guest(g->ctx, g->cfg->name, 0, &lock)) < 0)
		return r;
	rundfd = vs_rundir_open(g->ctx);
	if (rundfd < 0) {
		r = rundfd;
		goto out;
	}
	state = vs_guest_lookup_state(g, rundfd, rs);
	if (state < 0) {
		r = state;
		goto out;
	}
	if (state != VS_ST_RUNNING) {
		vs_runstate_clear(rs);
		r = vs_err(g->ctx, -ESRCH, "guest '%s' is not running", g->cfg->name);
		goto out;
	}
	*pidfd = vs_guest_pidfd(rs);
	if (*pidfd < 0) {
		vs_runstate_clear(rs);
		r = vs_err(g->ctx, -ESRCH, "guest '%s' is not running", g->cfg->name);
		goto out;
	}
	if (rs->cgroup[0]) {
		/* the guest's leaf (cgroup.c); a guest started before there
		 * were leaves has its processes in the cgroup itself */
		char leaf[PATH_MAX];
		if (vs_cgroup_leaf(rs->cgroup, leaf, sizeof(leaf)) == 0)
			*cgfd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*cgfd < 0)
			*cgfd = open(rs->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	r = 0;
out:
	vs_lock_release(lock);
	return r;
}

int vs_guest_exec(struct vs_guest *g, const struct vs_exec_opts *o, int *status)
{
	struct exec_req req = {
		.argv = o->argv, .pty = o->pty, .cwd = o->cwd, .term = o->term,
		.timeout_ms = -1,
	};
	struct vs_runstate rs;
	int pidfd, cgfd, r;

	if (o->argv && (!o->argv[0] || !o->argv[0][0]))
		return vs_err(g->ctx, -EINVAL, "no command given");
	if (o->cwd && o->cwd[0] != '/')
		return vs_err(g->ctx, -EINVAL, "working directory '%s' must be absolute", o->cwd);
	r = vs_guest_reload(g);
	if (r < 0)
		return r;
	r = attach(g, &rs, &pidfd, &cgfd, false);
	if (r < 0)
		return r;
	r = run(g, &rs, pidfd, cgfd, &req, status);
	close(pidfd);
	if (cgfd >= 0)
		close(cgfd);
	vs_runstate_clear(&rs);
	return r;
}

/* cmd.stop of a guest that runs its own init; called with the lock held. */
int vs_guest_stop_cmd(struct vs_guest *g, const struct vs_runstate *rs_in, int timeout_ms)
{
	struct exec_req req = { .argv = g->cfg->cmd_stop, .null_stdio = true,
				.timeout_ms = timeout_ms };
	struct vs_runstate rs;
	int pidfd, cgfd, status = 0, r;

	(void)rs_in;
	r = attach(g, &rs, &pidfd, &cgfd, true);
	if (r < 0)
		return r;
	r = run(g, &rs, pidfd, cgfd, &req, &status);
	close(pidfd);
	if (cgfd >= 0)
		close(cgfd);
	vs_runstate_clear(&rs);
	if (r < 0)
		vs_warn(g->ctx, "%s: stop command: %s", g->cfg->name, g->ctx->errmsg);
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		vs_warn(g->ctx, "%s: stop command %s failed (status %d)", g->cfg->name,
			g->cfg->cmd_stop[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return r;
}
