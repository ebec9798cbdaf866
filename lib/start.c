/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting a guest.
 *
 * The caller (under the guest's lock) prepares the cgroup, host addresses
 * and the run state, then forks a short-lived process that clones the
 * guest's init G straight into the guest's cgroup and its new namespaces
 * and exits at once: G is nobody's child on the host side (its reaper is
 * the host's init), and no host process stays per guest.  The kernel's
 * bookkeeping (cgroup, pid namespace, context), a pidfd and the run state
 * are what stop and status use.  Only a guest that asks for one
 * (apps/init/monitor) gets a monitor (monitor.c) that logs its console.
 * G builds the guest's root, confines itself and execs the guest's init
 * (plain) or the init helper (sysv, minit).  The caller learns G's pid
 * through a pipe, G's setup errors from a close-on-exec pipe (EOF = exec
 * succeeded) and, for the helper styles, the result of the start command.
 *
 * Every step first records what it is about to create in the run state, so
 * that a start killed at any point leaves something "stop" (or the next
 * "start") can find and remove. */
#include "launch.h"
#include "helper.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <linux/vserver.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>


static int push_num(char ***v, long n)
{
	char b[24];
	snprintf(b, sizeof(b), "%ld", n);
	return vs_strv_push(v, b);
}

static int helper_argv(const struct vs_config *c, char ***out)
{
	static char *const sysv_start[] = { "/etc/init.d/rc", "3", NULL };
	static char *const sysv_stop[] = { "/etc/init.d/rc", "0", NULL };
	char *const *start = c->cmd_start, *const *stop = c->cmd_stop;
	char **v = NULL;
	int r;

	if (c->initstyle == VS_INIT_SYSV) {
		if (!start)
			start = sysv_start;
		if (!stop)
			stop = sysv_stop;
	}
	if ((r = vs_strv_push(&v, "vserver-init")) < 0 || (r = vs_strv_push(&v, "--ready-fd")) < 0 ||
	    (r = push_num(&v, G_READY)) < 0 || (r = vs_strv_push(&v, "--grace")) < 0 ||
	    (r = push_num(&v, (long)c->stop_timeout_ms)) < 0 ||
	    (r = vs_strv_push(&v, "--style")) < 0 ||
	    (r = vs_strv_push(&v, vs_initstyle_name(c->initstyle))) < 0 ||
	    (r = vs_strv_push(&v, "--start")) < 0 || (r = push_num(&v, (long)vs_strv_len(start))) < 0)
		goto fail;
	for (size_t i = 0; start && start[i]; i++)
		if ((r = vs_strv_push(&v, start[i])) < 0)
			goto fail;
	if ((r = vs_strv_push(&v, "--stop")) < 0 || (r = push_num(&v, (long)vs_strv_len(stop))) < 0)
		goto fail;
	for (size_t i = 0; stop && stop[i]; i++)
		if ((r = vs_strv_push(&v, stop[i])) < 0)
			goto fail;
	*out = v;
	return 0;
fail:
	vs_strv_free(v);
	return r;
}

static pid_t clone_guest(unsigned long flags, int cgfd)
{
	struct clone_args args = {
		.flags = flags | (cgfd >= 0 ? CLONE_INTO_CGROUP : 0),
		.exit_signal = SIGCHLD,
		.cgroup = cgfd >= 0 ? (uint64_t)cgfd : 0,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
		pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
		if (pid == 0 && cgfd >= 0) {
			int p = openat(cgfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
			if (p < 0 || write(p, "0", 1) != 1)
				_exit(126);
			close(p);
		}
	}
	return (pid_t)pid;
}

static void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

#define FAIL(r, ...) do { vs_child_fail(G_ERR, (r), __VA_ARGS__); _exit(127); } while (0)

/* G: the guest's init, until it execs.  Runs in the new namespaces. */
static _Noreturn void init_child(struct launch *L)
{
	const struct vs_config *c = L->g->cfg;
	struct vs_ctx *ctx = L->g->ctx;
	char err[400] = "";
	const char *host;
	int fd, r;

	/* With a monitor, G must not outlive it during the setup; without
	 * one, G's parent exits right away and nothing is to be watched. */
	if (L->logw >= 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* never the caller's session: its terminal's signals (^C, hangup)
	 * are not the guest's */
	setsid();
	/* Only what the guest is meant to get survives: console pipe,
	 * readiness pipe (helper), error pipe and helper (close-on-exec). */
	{
		int e = fcntl(L->errw, F_DUPFD_CLOEXEC, 100);
		int rd = L->readyw >= 0 ? fcntl(L->readyw, F_DUPFD_CLOEXEC, 100) : -1;
		int h = L->helperfd >= 0 ? fcntl(L->helperfd, F_DUPFD_CLOEXEC, 100) : -1;
		int lg = L->logw >= 0 ? fcntl(L->logw, F_DUPFD_CLOEXEC, 100) : -1;
		if (e < 0 || (L->logw >= 0 && lg < 0) || dup3(e, G_ERR, O_CLOEXEC) < 0)
			_exit(127);
		if (rd >= 0 ? dup2(rd, G_READY) < 0 : dup3(G_ERR, G_READY, O_CLOEXEC) < 0)
			FAIL(-errno, "dup: %s", strerror(errno));
		if (dup3(h >= 0 ? h : G_ERR, G_HELPER, O_CLOEXEC) < 0 ||
		    (lg >= 0 && (dup2(lg, 1) < 0 || dup2(lg, 2) < 0)))
			FAIL(-errno, "dup: %s", strerror(errno));
		syscall(SYS_close_range, G_HELPER + 1, ~0U, 0);
	}
	if (unshare(CLONE_NEWCGROUP) < 0)
		FAIL(-errno, "cannot create a cgroup namespace: %s", strerror(errno));
	host = c->uts[VHIN_NODENAME] ? c->uts[VHIN_NODENAME] : c->name;
	if (sethostname(host, strlen(host)) < 0)
		FAIL(-errno, "sethostname: %s", strerror(errno));
	if (c->uts[VHIN_DOMAINNAME] &&
	    setdomainname(c->uts[VHIN_DOMAINNAME], strlen(c->uts[VHIN_DOMAINNAME])) < 0)
		FAIL(-errno, "setdomainname: %s", strerror(errno));
	if ((r = vs_netcfg_child(ctx, c, err, sizeof(err))) < 0)
		FAIL(r, "%s", err);
	if (c->netns && (r = vs_net_link_up("lo", err, sizeof(err))) < 0)
		FAIL(r, "%s", err);
	r = vs_mount_guest_root(c, err, sizeof(err));
	if (r < 0)
		FAIL(r, "%s", err);
	/* stdin, stdout and stderr are the guest's /dev/null, or with a
	 * monitor the console's pty (until here they are the caller's, and
	 * nothing above writes to them) */
	fd = open("/dev/null", O_RDWR | O_NOCTTY);
	if (fd < 0 || dup2(L->logw >= 0 ? 1 : fd, 0) < 0 ||
	    (L->logw < 0 && (dup2(fd, 1) < 0 || dup2(fd, 2) < 0)))
		FAIL(-errno, "cannot open /dev/null in the guest: %s", strerror(errno));
	if (fd > 2)
		close(fd);
	r = vs_guest_confine(c, L->g->backend, err, sizeof(err));
	if (r < 0)
		FAIL(r, "%s", err);
	/* The context (vx) is made once the file system is final: its space
	 * slot then records the guest's root, and nothing of the setup above
	 * depends on what the kernel allows processes inside a context. */
	r = L->ops->child_setup(ctx, c, err, sizeof(err));
	if (r < 0)
		FAIL(r, "%s", err);
	r = L->ops->child_finish(ctx, c, err, sizeof(err));
	if (r < 0)
		FAIL(r, "%s", err);
	if (L->logw >= 0)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	reset_signals();
	/* Always the helper, never the guest's program directly: we are
	 * still the host's executable, and a /sbin/init that links to
	 * /proc/self/exe would make the guest's PID 1 a host binary.  The
	 * plain style goes through its exec trampoline, which reports a
	 * failed exec of /sbin/init on G_ERR (kept open until then). */
	if (!L->helper_init && fcntl(G_ERR, F_SETFD, 0) < 0)
		FAIL(-errno, "fcntl: %s", strerror(errno));
	syscall(SYS_execveat, G_HELPER, "", L->argv, L->env, AT_EMPTY_PATH);
	FAIL(-errno, "cannot execute the guest helper: %s", strerror(errno));
}

pid_t vs_launch_init(struct launch *L)
{
	pid_t g = clone_guest(L->ops->clone_flags(L->g->cfg), L->cgfd);

	if (g == 0)
		init_child(L);
	return g < 0 ? -errno : g;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)got;
		got += (size_t)n;
	}
	return (int)got;
}

/* One line (the helper's report); stops at the newline, so a process that
 * inherited the pipe cannot keep us waiting for its end. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf[got] == '\n')
			break;
		got++;
	}
	buf[got] = '\0';
	return (int)got;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

static int launch(struct vs_guest *g, int rundfd, struct vs_runstate *rs, unsigned flags)
{
	struct vs_ctx *ctx = g->ctx;
	const struct vs_config *c = g->cfg;
	struct launch L = { .g = g, .ops = vs_backend_ops(g->backend), .helperfd = -1,
			    .cgfd = -1, .logfile = -1, .readyw = -1, .logr = -1, .logw = -1,
			    .rundfd = -1, .consock = -1 };
	int errp[2] = { -1, -1 }, pidp[2] = { -1, -1 }, readyp[2] = { -1, -1 };
	struct vs_childerr ce;
	char cgleaf[PATH_MAX], console[VS_NAME_MAX + 4200];
	int32_t gpid = 0;
	pid_t x;
	int r, got;
	bool helper = c->initstyle != VS_INIT_PLAIN;

	L.helper_init = helper;
	if ((r = vs_helper_open(ctx, &L.helperfd)) < 0)
		goto out;
	if (helper) {
		if ((r = helper_argv(c, &L.argv)) < 0)
			goto out;
	} else {
		if ((r = vs_strv_push(&L.argv, "vserver-init")) < 0 ||
		    (r = vs_strv_push(&L.argv, "--exec")) < 0 || (r = push_num(&L.argv, G_ERR)) < 0 ||
		    (r = vs_strv_push(&L.argv, "/sbin/init")) < 0 ||
		    (r = vs_strv_push(&L.argv, "/sbin/init")) < 0)
			goto out;
	}
	L.env = vs_guest_env(NULL);
	if (!L.env) {
		r = -ENOMEM;
		goto out;
	}
	if (c->monitor) {
		/* the console's pty, log and socket (console.c) */
		if ((r = vs_console_prepare(ctx, rundfd, c->name, &L)) < 0)
			goto out;
		snprintf(console, sizeof(console), "console: vserver %s log", c->name);
	} else {
		/* a log left by an earlier start with a monitor is not this one's */
		vs_console_remove(rundfd, c->name, true);
		snprintf(console, sizeof(console), "the console is not kept; "
			 "apps/init/monitor keeps it");
	}
	/* the init is cloned into the leaf, and roots its cgroup namespace
	 * there: the limits on the parent stay out of the guest's reach */
	if ((r = vs_cgroup_leaf(rs->cgroup, cgleaf, sizeof(cgleaf))) < 0) {
		r = vs_err(ctx, r, "cgroup path too long");
		goto out;
	}
	L.cgfd = open(cgleaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (L.cgfd < 0) {
		r = vs_err(ctx, -errno, "%s: %m", cgleaf);
		goto out;
	}
	if (pipe2(errp, O_CLOEXEC) < 0 || pipe2(pidp, O_CLOEXEC) < 0 ||
	    (helper && pipe2(readyp, O_CLOEXEC) < 0)) {
		r = vs_err(ctx, -errno, "pipe: %m");
		goto out;
	}
	L.errw = errp[1];
	L.pidw = pidp[1];
	L.readyw = readyp[1];
	x = fork();
	if (x < 0) {
		r = vs_err(ctx, -errno, "fork: %m");
		goto out;
	}
	if (x == 0) {
		/* G (and the monitor) must not be the caller's children: this
		 * process exits as soon as it has created them */
		int32_t msg;

		close(errp[0]);
		close(pidp[0]);
		if (readyp[0] >= 0)
			close(readyp[0]);
		if (c->monitor) {
			if (fork() == 0)
				vs_monitor(&L);
			_exit(0);
		}
		msg = (int32_t)vs_launch_init(&L);
		_exit(write(L.pidw, &msg, sizeof(msg)) == sizeof(msg) ? 0 : 1);
	}
	while (waitpid(x, NULL, 0) < 0 && errno == EINTR)
		;
	close(errp[1]);
	close(pidp[1]);
	errp[1] = pidp[1] = -1;
	if (readyp[1] >= 0) {
		close(readyp[1]);
		readyp[1] = -1;
	}
	if (read_full(pidp[0], &gpid, sizeof(gpid)) != sizeof(gpid) || gpid <= 0) {
		r = vs_err(ctx, gpid < 0 ? gpid : -ECHILD, "%s: cannot create the guest's init: %s",
			   c->name, gpid < 0 ? strerror(-gpid) : "its parent died");
		goto fail;
	}
	rs->init_pid = gpid;
	{
		struct vs_procstat ps;
		if (vs_proc_stat(gpid, &ps) == 0) {
			rs->init_start = ps.starttime;
			if (c->monitor)
				rs->monitor_pid = ps.ppid;
		}
	}
	if ((r = vs_runstate_write(ctx, rundfd, c->name, rs)) < 0)
		goto fail;
	got = read_full(errp[0], &ce, sizeof(ce));
	if (got == sizeof(ce)) {
		ce.msg[sizeof(ce.msg) - 1] = '\0';
		r = vs_err(ctx, ce.err, "%s: %s", c->name, ce.msg);
		goto fail;
	}
	if (got == sizeof(int)) {
		/* the trampoline could not execute /sbin/init: its errno */
		int e;
		memcpy(&e, &ce, sizeof(e));
		r = vs_err(ctx, e > 0 && e < 4096 ? -e : -EIO, "%s: cannot execute /sbin/init in "
			   "the guest: %s", c->name, strerror(e));
		goto fail;
	}
	if (helper && !(flags & VS_START_NOWAIT)) {
		char ready[64] = "";
		int code = -1;

		read_line(readyp[0], ready, sizeof(ready));
		if (sscanf(ready, "ok %d", &code) != 1 || code != 0) {
			if (!strncmp(ready, "exec ", 5))
				r = vs_err(ctx, -ENOENT, "%s: cannot execute the start command %s: %s",
					   c->name, c->cmd_start ? c->cmd_start[0] : "/etc/init.d/rc",
					   strerror(atoi(ready + 5)));
			else if (code > 0)
				r = vs_err(ctx, -EIO, "%s: the start command failed (exit status %d); "
					   "the guest was stopped (%s)", c->name, code, console);
			else
				r = vs_err(ctx, -EIO, "%s: the init helper died during the start "
					   "(%s)", c->name, console);
			goto fail;
		}
	}
	rs->complete = true;
	if ((r = vs_runstate_write(ctx, rundfd, c->name, rs)) < 0)
		goto fail;
	if (!vs_proc_alive(rs->init_pid, rs->init_start)) {
		r = vs_err(ctx, -ECHILD, "%s: the guest's init exited right after it started "
			   "(%s)", c->name, console);
		goto fail;
	}
	r = 0;
	/* on failure the caller removes what was started, with everything else */
fail:
out:
	close_pair(errp);
	close_pair(pidp);
	close_pair(readyp);
	if (L.logfile >= 0)
		close(L.logfile);
	if (L.logr >= 0)
		close(L.logr);
	if (L.logw >= 0)
		close(L.logw);
	if (L.consock >= 0)
		close(L.consock);
	if (L.rundfd >= 0)
		close(L.rundfd);
	if (L.cgfd >= 0)
		close(L.cgfd);
	if (L.helperfd >= 0)
		close(L.helperfd);
	vs_strv_free(L.argv);
	vs_strv_free(L.env);
	return r;
}

static const char *cg_names(unsigned m, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", m & VS_CG_MEMORY ? "memory" : "",
		 (m & VS_CG_MEMORY) && (m & (VS_CG_PIDS | VS_CG_CPU)) ? ", " : "",
		 m & VS_CG_PIDS ? "pids" : "", (m & VS_CG_PIDS) && (m & VS_CG_CPU) ? ", " : "",
		 m & VS_CG_CPU ? "cpu" : "");
	return buf;
}

int vs_guest_start(struct vs_guest *g, unsigned flags)
{
	struct vs_ctx *ctx = g->ctx;
	struct vs_lock *lock = NULL;
	struct vs_runstate rs = { 0 };
	const struct vs_backend_ops *ops;
	_cleanup_close_ int rundfd = -1;
	struct stat st;
	char cgpath[4096], names[64];
	unsigned required;
	int state, r;

	r = vs_lock_guest(ctx, g->cfg->name, 0, &lock);
	if (r < 0)
		return r;
	/* an interrupted build's processes end here too, so that an
	 * incomplete guest stops changing under the admin's eyes */
	r = vs_build_leftovers(ctx, g->cfg->name);
	if (r < 0)
		goto out;
	r = vs_guest_reload(g);
	if (r < 0)
		goto out;
	if (g->cfg->incomplete) {
		r = vs_err(ctx, -EAGAIN, "guest '%s' is incomplete (its build or deletion was "
			   "interrupted); build it again with --force, or delete it", g->cfg->name);
		goto out;
	}
	if (stat(g->cfg->vdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = vs_err(ctx, -ENOENT, "%s: the guest root %s is missing or not a directory",
			   g->cfg->name, g->cfg->vdir);
		goto out;
	}
	rundfd = vs_rundir_open(ctx);
	if (rundfd < 0) {
		r = rundfd;
		goto out;
	}
	state = vs_guest_lookup_state(g, rundfd, &rs);
	if (state < 0) {
		r = state;
		goto out;
	}
	if (state == VS_ST_RUNNING) {
		r = 1;
		goto out;
	}
	if (state == VS_ST_LEFTOVER) {
		vs_notice(ctx, "%s: removing what an earlier run left behind", g->cfg->name);
		if ((r = vs_guest_cleanup(g, rundfd, &rs)) < 0)
			goto out;
	}
	vs_runstate_clear(&rs);
	ops = vs_backend_ops(g->backend);
	if ((r = ops->available(ctx)) < 0 || (r = ops->check_config(ctx, g->cfg)) < 0)
		goto out;
	if ((r = vs_cgroup_path(ctx, g->cfg->name, cgpath, sizeof(cgpath))) < 0)
		goto out;
	rs.backend = g->backend;
	rs.xid = g->cfg->xid;
	rs.initstyle = g->cfg->initstyle;
	rs.host_network = !g->cfg->netns;
	rs.started_ms = vs_now_ms(CLOCK_REALTIME);
	snprintf(rs.cgroup, sizeof(rs.cgroup), "%s", cgpath);
	if ((r = vs_runstate_write(ctx, rundfd, g->cfg->name, &rs)) < 0)
		goto out;
	if ((r = vs_cgroup_create(ctx, cgpath, &rs.missing_cg)) < 0)
		goto fail;
	required = g->cfg->cg_required | (g->cfg->rlim[6].set ? VS_CG_PIDS : 0) |
		   (g->cfg->rlim[5].set ? VS_CG_MEMORY : 0);
	if (required & rs.missing_cg) {
		r = vs_err(ctx, -EOPNOTSUPP, "%s: the configuration limits %s, but the host does "
			   "not delegate that cgroup controller to %s", g->cfg->name,
			   cg_names(required & rs.missing_cg, names, sizeof(names)), cgpath);
		goto fail;
	}
	if (rs.missing_cg)
		vs_warn(ctx, "%s: cgroup controller(s) not available from the host: %s; memory, "
			"process and CPU limits cannot be enforced", g->cfg->name,
			cg_names(rs.missing_cg, names, sizeof(names)));
	if (g->backend == VS_BACKEND_NS && !vs_seccomp_available())
		vs_warn(ctx, "%s: this kernel has no seccomp: the guest can read the host's kernel "
			"log unless kernel.dmesg_restrict=1 and it lacks CAP_SYSLOG", g->cfg->name);
	if (rs.host_network && g->backend == VS_BACKEND_NS)
		vs_notice(ctx, "%s: the guest shares the host's network stack (no network "
			  "isolation; add spaces/net for a private one)", g->cfg->name);
	if ((r = vs_cgroup_apply(ctx, cgpath, g->cfg, rs.missing_cg)) < 0 ||
	    (r = vs_cgroup_create_leaf(ctx, cgpath)) < 0)
		goto fail;
	if ((r = vs_runstate_write(ctx, rundfd, g->cfg->name, &rs)) < 0)
		goto fail;
	if ((r = vs_netcfg_start(g, rundfd, &rs)) < 0)
		goto fail;
	if ((r = launch(g, rundfd, &rs, flags)) < 0)
		goto fail;
	goto out;
fail:
	{
		/* nothing of a failed start stays: processes, addresses,
		 * cgroup, state — and the explanation is the first error */
		VS_KEEP_ERRMSG(ctx);

		if (vs_guest_cleanup(g, rundfd, &rs) < 0)
			vs_warn(ctx, "%s", ctx->errmsg);
	}
out:
	vs_runstate_clear(&rs);
	vs_lock_release(lock);
	return r;
}
