/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host-side monitor, kept only for guests that ask for one
 * (apps/init/monitor): it keeps the init's console (console.c: a pty, its
 * bounded log RUNDIR/NAME.log, "vserver NAME console"), records how the
 * init ended in the log, and tidies up at once when the guest halts
 * itself.  Without it the init's console is /dev/null and the next command
 * that looks at the guest tidies up (guest.c). */
#include "launch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* After the guest ended by itself, tidy up — unless somebody holds the
 * lock, in which case they are stopping it and will. */
static void monitor_cleanup(struct launch *L, pid_t g)
{
	struct vs_lock *lock = NULL;
	struct vs_runstate rs;
	int rundfd;

	if (vs_lock_guest(L->g->ctx, L->g->cfg->name, VS_LOCK_NOWAIT, &lock) < 0)
		return;
	rundfd = vs_rundir_open(L->g->ctx);
	if (rundfd >= 0 && vs_runstate_read(L->g->ctx, rundfd, L->g->cfg->name, &rs) == 0) {
		if (rs.init_pid == g && vs_guest_lookup_state(L->g, rundfd, &rs) != VS_ST_RUNNING)
			vs_guest_cleanup(L->g, rundfd, &rs);
		vs_runstate_clear(&rs);
	}
	if (rundfd >= 0)
		close(rundfd);
	vs_lock_release(lock);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Closes every descriptor above 2 except those listed. */
static void close_all_but(int *keep, size_t n)
{
	int from = 3;

	qsort(keep, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from)
			syscall(SYS_close_range, from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
}

static void log_exit(struct launch *L, int status)
{
	char m[96];
	int n;

	if (WIFEXITED(status))
		n = snprintf(m, sizeof(m), "[vserver: the guest's init exited with status %d]\n",
			     WEXITSTATUS(status));
	else
		n = snprintf(m, sizeof(m), "[vserver: the guest's init was killed by signal %d]\n",
			     WTERMSIG(status));
	if (n > 0)
		vs_console_log(L, m, (size_t)n);
}

_Noreturn void vs_monitor(struct launch *L)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	int null, pidfd, status = 0;
	int32_t msg;
	pid_t g;

	setsid();
	prctl(PR_SET_NAME, "vserver-monitor", 0, 0, 0);
	for (int s = 1; s < NSIG; s++)
		if (s == SIGHUP || s == SIGINT || s == SIGQUIT || s == SIGTERM || s == SIGPIPE ||
		    s == SIGTSTP || s == SIGTTIN || s == SIGTTOU)
			sigaction(s, &ign, NULL);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	{
		/* the monitor outlives the caller: it keeps nothing of it (the
		 * guest's lock least of all) */
		int keep[] = { L->errw, L->pidw, L->readyw, L->logr, L->logw, L->logfile,
			       L->helperfd, L->cgfd, L->rundfd, L->consock };
		close_all_but(keep, ARRAY_SIZE(keep));
	}
	g = vs_launch_init(L);
	msg = (int32_t)g;
	if (write(L->pidw, &msg, sizeof(msg)) != sizeof(msg) || g < 0)
		_exit(1);
	close(L->pidw);
	close(L->errw);
	close(L->logw);
	if (L->readyw >= 0)
		close(L->readyw);
	if (L->helperfd >= 0)
		close(L->helperfd);
	if (L->cgfd >= 0)
		close(L->cgfd);
	pidfd = vs_pidfd_open(g);
	vs_console_relay(L, pidfd);
	while (waitpid(g, &status, 0) < 0 && errno == EINTR)
		;
	vs_console_close(L);
	log_exit(L, status);
	monitor_cleanup(L, g);
	_exit(0);
}
