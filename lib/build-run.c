/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The programs a build runs (debootstrap), so that nothing they start or
 * mount outlives the build.
 *
 * What they mount: debootstrap mounts proc, sysfs (and devpts) inside the
 * guest root.  The program runs in a private mount namespace whose mounts
 * do not propagate to the host's (/ made MS_SLAVE: the host's mounts still
 * appear inside), so its mounts exist only in that namespace and end with
 * its last process, whatever way the build ends.  Nothing a build does is
 * ever mounted in the host's namespace; a mount that `delete` finds under a
 * guest root there was made by someone else, and delete refuses to cross it.
 *
 * What they start: a supervisor child leads a process group of its own
 * (so the terminal's ^C reaches only the CLI, which then ends the build)
 * and runs the program in it.  The supervisor gets PR_SET_PDEATHSIG: when
 * the CLI dies, even of SIGKILL, it kills the whole group at once.
 * SIGINT/SIGTERM/SIGHUP to the CLI kill the group and fail the build (which
 * then removes what it made).  The record RUNDIR/.build.NAME (pgid and the
 * supervisor's start time) lets the next `build --force`, `delete` or
 * `start` kill and wait for anything of a build that is still there. */
#include "internal.h"

#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t interrupted;
static volatile pid_t group;

static void on_signal(int sig)
{
	interrupted = sig;
	if (group > 0)
		kill(-group, SIGKILL);
}

/* the supervisor: the parent died */
static void on_parent_death(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
}

static void record_name(char *buf, size_t len, const char *name)
{
	/* a dot: no guest name can start with one */
	snprintf(buf, len, ".build.%s", name);
}

/* Are processes of group pgid alive? */
static bool group_alive(pid_t pgid)
{
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

/* Kills group pgid and waits up to timeout_ms for it to be gone. */
static int group_end(pid_t pgid, int timeout_ms)
{
	uint64_t end = vs_now_ms(CLOCK_MONOTONIC) + (uint64_t)timeout_ms;

	while (group_alive(pgid)) {
		kill(-pgid, SIGKILL);
		if (vs_now_ms(CLOCK_MONOTONIC) > end)
			return -ETIMEDOUT;
		usleep(20000);
	}
	return 0;
}

int vs_build_leftovers(struct vs_ctx *ctx, const char *name)
{
	_cleanup_close_ int rundfd = vs_rundir_open(ctx);
	_cleanup_free_ char *s = NULL;
	char file[VS_NAME_MAX + 16];
	long long pgid = 0;
	unsigned long long start = 0;
	int r;

	if (rundfd < 0)
		return rundfd;
	record_name(file, sizeof(file), name);
	r = vs_read_file_at(rundfd, file, 4096, &s);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return vs_err(ctx, r, "%s/%s: %s", ctx->rundir, file, strerror(-r));
	if (sscanf(s, "pgid=%lld start=%llu", &pgid, &start) != 2 || pgid <= 1)
		vs_warn(ctx, "%s/%s is garbled; ignoring it", ctx->rundir, file);
	else {
		struct vs_procstat st;
		/* The id names our group while its leader lives with the
		 * recorded start time; after the leader's end no new group can
		 * get that id while members of the old one live (the kernel
		 * keeps the pid in use), so live members are the build's. */
		bool ours = vs_proc_stat((pid_t)pgid, &st) < 0 || st.starttime == start;
		if (ours && group_alive((pid_t)pgid)) {
			vs_notice(ctx, "%s: ending what is left of an interrupted build (process "
				  "group %lld)", name, pgid);
			if (group_end((pid_t)pgid, 10000) < 0)
				return vs_err(ctx, -EBUSY, "%s: processes of an interrupted build "
					      "(group %lld) do not end; try again", name, pgid);
		}
	}
	if (unlinkat(rundfd, file, 0) < 0 && errno != ENOENT)
		return vs_err(ctx, -errno, "%s/%s: %m", ctx->rundir, file);
	return 0;
}

static _Noreturn void supervise(char *const argv[], pid_t parent)
{
	struct sigaction dflt = { .sa_handler = SIG_DFL };
	struct sigaction pd = { .sa_handler = on_parent_death };
	int status;
	pid_t pid;

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dflt, NULL);
	sigaction(SIGUSR1, &pd, NULL);
	if (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGUSR1) < 0)
		_exit(126);
	if (getppid() != parent)
		kill(0, SIGKILL);	/* the CLI died before the line above */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		fprintf(stderr, "cannot make a private mount namespace for the build: %s\n",
			strerror(errno));
		_exit(126);
	}
	pid = fork();
	if (pid < 0)
		_exit(126);
	if (pid == 0) {
		sigaction(SIGUSR1, &dflt, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* progress goes straight to the caller's terminal */
		execvp(argv[0], argv);
		fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(126);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	_exit(128 + WTERMSIG(status));
}

int vs_build_run(struct vs_ctx *ctx, const char *name, char *const argv[])
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal }, old[ARRAY_SIZE(sigs)];
	_cleanup_close_ int rundfd = vs_rundir_open(ctx);
	char file[VS_NAME_MAX + 16], rec[96];
	struct vs_procstat st;
	pid_t parent = getpid(), pid;
	int status = 0, r = 0, sig;

	if (rundfd < 0)
		return rundfd;
	record_name(file, sizeof(file), name);
	interrupted = 0;
	group = 0;
	/* no SA_RESTART: waitpid must return to look at the flag */
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	pid = fork();
	if (pid < 0) {
		r = vs_err(ctx, -errno, "fork: %m");
		goto out;
	}
	if (pid == 0)
		supervise(argv, parent);
	setpgid(pid, pid);	/* both sides: no window where the group is not its own */
	group = pid;
	/* Recorded before we wait: if this process is killed, the next
	 * command finds the group. */
	if (vs_proc_stat(pid, &st) < 0)
		st.starttime = 0;
	snprintf(rec, sizeof(rec), "pgid=%d start=%llu\nmounts=private-namespace\n", (int)pid,
		 st.starttime);
	if ((r = vs_write_at_sync(ctx, rundfd, file, rec, strlen(rec), 0600, false)) < 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			r = vs_err(ctx, -errno, "waitpid: %m");
			kill(-pid, SIGKILL);
			break;
		}
	/* the group may outlive its leader (a daemon a maintainer script
	 * started); the build is not over until it is gone */
	if (group_end(pid, 10000) < 0) {
		/* the record stays: the next command tries again */
		r = vs_err(ctx, -EBUSY, "%s: processes of the build (group %d) do not end", name,
			   (int)pid);
		goto out;
	}
	group = 0;
	unlinkat(rundfd, file, 0);
	if (r < 0)
		goto out;
	sig = interrupted;
	if (sig)
		r = vs_err(ctx, -EINTR, "%s: the build was interrupted (%s); its processes have "
			   "ended", name, strsignal(sig));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = vs_err(ctx, -EIO, "%s failed (%s %d)", argv[0],
			   WIFEXITED(status) && WEXITSTATUS(status) < 128 ? "exit status" : "signal",
			   WIFEXITED(status) ? (WEXITSTATUS(status) < 128 ? WEXITSTATUS(status) :
						WEXITSTATUS(status) - 128) : WTERMSIG(status));
out:
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	return r;
}
