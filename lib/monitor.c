/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host-side monitor, kept only for guests that ask for one
 * (apps/init/monitor): it relays the init's console into RUNDIR/NAME.log
 * (bounded), records how the init ended there, and tidies up at once when
 * the guest halts itself.  Without it the init's console is /dev/null and
 * the next command that looks at the guest tidies up (guest.c). */
#include "launch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CONSOLE_LOG_MAX (1 << 20)

static void console_copy(int from, int to, size_t *written)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0) {
		if (*written < CONSOLE_LOG_MAX) {
			size_t w = (size_t)n;
			if (*written + w > CONSOLE_LOG_MAX)
				w = CONSOLE_LOG_MAX - *written;
			if (write(to, buf, w) < 0)
				return;
			*written += w;
			if (*written >= CONSOLE_LOG_MAX) {
				static const char m[] = "\n[vserver: console log truncated]\n";
				if (write(to, m, sizeof(m) - 1) < 0)
					return;
			}
		}
	}
}

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

static void log_exit(int fd, int status)
{
	char m[96];
	int n;

	if (WIFEXITED(status))
		n = snprintf(m, sizeof(m), "[vserver: the guest's init exited with status %d]\n",
			     WEXITSTATUS(status));
	else
		n = snprintf(m, sizeof(m), "[vserver: the guest's init was killed by signal %d]\n",
			     WTERMSIG(status));
	if (n > 0 && write(fd, m, (size_t)n) < 0)
		return;
}

_Noreturn void vs_monitor(struct launch *L)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	size_t written = 0;
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
			       L->helperfd, L->cgfd };
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
	for (;;) {
		struct pollfd p[2] = { { .fd = L->logr, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & POLLIN)
			console_copy(L->logr, L->logfile, &written);
		else if (p[0].revents & (POLLHUP | POLLERR))
			L->logr = -1;
		if (p[1].revents & POLLIN)
			break;
		if (pidfd < 0 && L->logr < 0)
			break;
	}
	while (waitpid(g, &status, 0) < 0 && errno == EINTR)
		;
	if (L->logr >= 0) {
		fcntl(L->logr, F_SETFL, O_NONBLOCK);
		console_copy(L->logr, L->logfile, &written);
	}
	log_exit(L->logfile, status);
	monitor_cleanup(L, g);
	_exit(0);
}
