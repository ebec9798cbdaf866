/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vserver-init — PID 1 of a guest with the "sysv" or "minit" init style.
 *
 *   vserver-init [--ready-fd FD] [--grace MS] [--style sysv|minit]
 *                --start N ARG1..ARGN --stop M ARG1..ARGM
 *
 * It reaps every orphan of the guest, runs the start command (sysv: until it
 * finishes; minit: as the guest's main service, whose HUP/USR1/USR2 it
 * forwards), reports the result on FD ("ok STATUS" or "exec ERRNO") and, on
 * SIGTERM, SIGINT or SIGPWR, runs the stop command, then terminates and
 * finally kills every remaining process of the guest and exits.
 *
 *   vserver-init --exec ERRFD FILE ARGV0 [ARG...]
 *
 * is the exec trampoline of `vserver exec`/`enter` and of the plain init
 * style (see trampoline() below).
 *
 * It is linked statically: it runs inside guests that need not have (or
 * may have tampered with) a C library.  It is started from a read-only
 * mount of its file (lib/helper.c), so the guest cannot modify the host's
 * binary through /proc/PID/exe.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *progname = "vserver-init";
static char *guest_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root", "USER=root", "LOGNAME=root", NULL,
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(void)
{
	fprintf(stderr, "usage: %s [--ready-fd FD] [--grace MS] [--style sysv|minit] "
		"--start N ARG... --stop M ARG...\n", progname);
	exit(2);
}

static long number(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > max)
		usage();
	return v;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Executes FILE (searched in PATH when it has no slash) with argv. */
static void exec_file(const char *file, char **argv, char **env)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char buf[4096];
	int saved = ENOENT;

	if (strchr(file, '/')) {
		execve(file, argv, env);
		return;
	}
	while (*path) {
		const char *e = strchr(path, ':');
		size_t n = e ? (size_t)(e - path) : strlen(path);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, file);
		execve(buf, argv, env);
		if (errno != ENOENT && errno != ENOTDIR)
			saved = errno;
		path += n + (e ? 1 : 0);
	}
	errno = saved;
}

static void exec_cmd(char **argv)
{
	exec_file(argv[0], argv, guest_env);
}

/* Starts argv; returns its pid, or -errno when it could not be executed
 * (learned through a close-on-exec pipe). */
static pid_t spawn(char **argv, const sigset_t *orig)
{
	int p[2];
	pid_t pid;
	int err = 0;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = SIG_DFL };
		for (int s = 1; s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				sigaction(s, &sa, NULL);
		sigprocmask(SIG_SETMASK, orig, NULL);
		close(p[0]);
		exec_cmd(argv);
		err = errno;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(p[1]);
	do
		n = read(p[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == (ssize_t)sizeof(err)) {
		waitpid(pid, NULL, 0);
		return -err;
	}
	return pid;
}

/* Tells the starter how the start went: "ok STATUS" or "exec ERRNO". */
static void report(int *fd, bool exec_failed, int v)
{
	char buf[32];
	int n;

	if (*fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%s %d\n", exec_failed ? "exec" : "ok", v);
	if (write(*fd, buf, (size_t)n) < 0)
		say("cannot report readiness: %s", strerror(errno));
	close(*fd);
	*fd = -1;
}

/* Reaps children; returns true (and the status) when `watch` was among them. */
static bool reap(pid_t watch, int *status)
{
	bool hit = false;
	pid_t p;
	int st;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == watch) {
			hit = true;
			*status = st;
		}
	return hit;
}

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* Waits for signals up to deadline (ms, monotonic) while reaping; returns
 * true when `watch` ended (or no child is left when watch <= 0). */
static bool wait_children(const sigset_t *set, pid_t watch, long long deadline)
{
	for (;;) {
		siginfo_t si;
		struct timespec ts;
		long long left = deadline - now_ms();
		int st;

		if (watch > 0 ? reap(watch, &st) : (reap(0, &st), waitpid(-1, NULL, WNOHANG) < 0 &&
							errno == ECHILD))
			return true;
		if (left <= 0)
			return false;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		sigtimedwait(set, &si, &ts);
	}
}

/* Exec trampoline: `vserver-init --exec ERRFD FILE ARGV0 [ARG...]`.
 *
 * A process entering a guest (vserver exec/enter) execs this helper — from
 * a read-only mount the guest cannot write to — and only then the guest's
 * command, so its /proc/PID/exe never names a host file, not even when the
 * command is a link to /proc/self/exe (which then names this helper
 * again).  FILE without a slash is searched in the guest's PATH.  When the
 * command cannot be executed, its errno goes to ERRFD (an int) and the
 * status is 127 (not found) or 126. */
static int trampoline(int argc, char **argv)
{
	char **args;
	int errfd, err;

	/* The caller execs us with a real uid that differs from the effective
	 * one, which keeps us non-dumpable through the exec: our pipe to the
	 * caller is nobody else's business.  The command runs as root
	 * (setresuid below, and its exec makes it dumpable as usual). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (argc < 5)
		usage();
	if (getuid() != geteuid() && setresuid(geteuid(), geteuid(), geteuid()) < 0) {
		say("setresuid: %s", strerror(errno));
		_exit(126);
	}
	errfd = (int)number(argv[2], 1024);
	/* the command must not inherit the starter's pipe */
	if (fcntl(errfd, F_SETFD, FD_CLOEXEC) < 0)
		errfd = -1;
	args = &argv[4];
	/* the caller's small clean environment (exec.c) is passed on */
	exec_file(argv[3], args, environ);
	err = errno;
	if (errfd >= 0 && write(errfd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(err == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
	char **start = NULL, **stop = NULL;
	int ready = -1, nstart = -1, nstop = 0;
	long grace = 10000;
	bool minit = false;
	sigset_t set, orig;
	pid_t main_pid = -1;
	int st = 0;

	if (argc > 1 && !strcmp(argv[1], "--exec"))
		return trampoline(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("vserver-init %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ready-fd") && i + 1 < argc) {
			ready = (int)number(argv[++i], 1024);
		} else if (!strcmp(argv[i], "--grace") && i + 1 < argc) {
			grace = number(argv[++i], 86400000);
		} else if (!strcmp(argv[i], "--style") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "minit"))
				minit = true;
			else if (strcmp(argv[i], "sysv"))
				usage();
		} else if (!strcmp(argv[i], "--start") && i + 1 < argc) {
			nstart = (int)number(argv[++i], argc);
			if (i + nstart >= argc)
				usage();
			start = &argv[i + 1];
			i += nstart;
		} else if (!strcmp(argv[i], "--stop") && i + 1 < argc) {
			nstop = (int)number(argv[++i], argc);
			if (i + nstop >= argc)
				usage();
			stop = &argv[i + 1];
			i += nstop;
		} else if (!strcmp(argv[i], "--help")) {
			printf("usage: %s [--ready-fd FD] [--grace MS] [--style sysv|minit] "
			       "--start N ARG... --stop M ARG...\n", progname);
			return 0;
		} else {
			usage();
		}
	}
	if (nstart < 0)
		usage();
	/* the argument vectors end where the next option starts: terminate */
	if (start && nstart)
		start = memcpy(calloc((size_t)nstart + 1, sizeof(char *)), start,
			       (size_t)nstart * sizeof(char *));
	else
		start = NULL;
	if (stop && nstop)
		stop = memcpy(calloc((size_t)nstop + 1, sizeof(char *)), stop,
			      (size_t)nstop * sizeof(char *));
	else
		stop = NULL;
	if (getpid() != 1)
		say("warning: not running as PID 1; orphans will not be reaped here");
	/* the commands we start must not inherit the starter's pipe */
	if (ready >= 0 && fcntl(ready, F_SETFD, FD_CLOEXEC) < 0)
		ready = -1;

	/* Everything arrives through sigtimedwait(); blocked signals still
	 * reach a namespace's init from the host. */
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, &orig);
	chdir("/");

	if (start) {
		main_pid = spawn(start, &orig);
		if (main_pid < 0) {
			say("cannot execute %s: %s", start[0], strerror((int)-main_pid));
			report(&ready, true, (int)-main_pid);
			main_pid = -1;
		} else if (minit) {
			report(&ready, false, 0);
		}
	} else {
		report(&ready, false, 0);
	}

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			/* reap every child — orphans of the guest land here too */
			if (reap(main_pid, &st) && main_pid > 0) {
				if (!minit || ready >= 0)
					report(&ready, false, exit_code(st));
				else if (exit_code(st))
					say("%s exited with status %d", start[0], exit_code(st));
				main_pid = -1;
			}
			continue;
		}
		if (sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2) {
			if (minit && main_pid > 0)
				kill(main_pid, sig);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT || sig == SIGPWR)
			break;
	}

	/* Shutdown: the stop command, then everybody else, politely first. */
	if (stop) {
		long long deadline = now_ms() + grace;
		pid_t p = spawn(stop, &orig);
		if (p < 0)
			say("cannot execute %s: %s", stop[0], strerror((int)-p));
		else if (!wait_children(&set, p, deadline))
			say("%s did not finish within %ld ms", stop[0], grace);
	}
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
	if (!wait_children(&set, 0, now_ms() + (grace < 3000 ? grace : 3000)))
		kill(-1, SIGKILL);
	wait_children(&set, 0, now_ms() + 5000);
	report(&ready, false, 0);
	return 0;
}
