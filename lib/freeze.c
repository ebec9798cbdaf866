/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freezing a running guest for as long as a consistent copy of its root
 * takes (build -m clone of a running guest).
 *
 * The freezer is the cgroup v2 one (cgroup.freeze, Linux >= 5.2) of the
 * guest's cgroup: every process of the guest lives there and only there,
 * on both backends.  The v1 freezer of a hybrid host is not used: the
 * guest's processes are not in any v1 freezer group, and moving them into
 * one races with their forks (a child created during the move escapes).
 *
 * A frozen guest must never stay frozen because the copy went wrong or the
 * caller was interrupted or killed (even by SIGKILL, which no handler
 * sees).  So before the guest is frozen a small guard process is forked
 * that holds the read end of a pipe whose write end only the caller has:
 * when the caller ends in any way, the pipe reaches EOF and the guard
 * thaws the guest.  On the normal path the caller thaws it itself and
 * tells the guard so ('t') before closing the pipe.  The guard ignores the
 * terminal's signals: ^C reaches the whole foreground process group, and
 * the guard must outlive the caller it interrupts. */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

/* a guest whose processes cannot all stop within this time (stuck in the
 * kernel, e.g. on a dead NFS server) is thawed and the clone refused */
#define FREEZE_TIMEOUT_MS 10000

struct vs_freeze {
	int freezefd;	/* NAME/cgroup.freeze */
	int guardw;	/* write end of the guard's pipe */
	pid_t guard;
};

static int write_freeze(int fd, bool on)
{
	if (pwrite(fd, on ? "1" : "0", 1, 0) != 1)
		return -errno;
	return 0;
}

/* 1 when cgroup.events says "frozen 1", 0 when not, or -errno */
static int is_frozen(int eventsfd)
{
	char buf[512];
	ssize_t n = pread(eventsfd, buf, sizeof(buf) - 1, 0);
	const char *p;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, "frozen ", 7))
			return p[7] == '1';
	return -ENOENT;
}

static _Noreturn void guard(int readfd, int freezefd)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	char c = 0;
	ssize_t n;

	for (int s = 1; s < NSIG; s++)
		if (s == SIGHUP || s == SIGINT || s == SIGQUIT || s == SIGTERM || s == SIGPIPE ||
		    s == SIGTSTP || s == SIGTTIN || s == SIGTTOU)
			sigaction(s, &ign, NULL);
	/* the guard keeps nothing else of the caller (its locks least of all) */
	if (readfd != 3 && dup2(readfd, 3) < 0)
		_exit(1);
	if (freezefd != 4 && dup2(freezefd, 4) < 0)
		_exit(1);
	syscall(SYS_close_range, 5, ~0U, 0);
	do
		n = read(3, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1 || c != 't')
		write_freeze(4, false);
	_exit(0);
}

int vs_freeze_cgroup(struct vs_ctx *ctx, const char *name, const char *cgpath,
		     struct vs_freeze **out)
{
	char path[PATH_MAX];
	struct vs_freeze *f;
	_cleanup_close_ int eventsfd = -1;
	int p[2], r, frozen;
	uint64_t deadline;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->guardw = -1;
	snprintf(path, sizeof(path), "%s/cgroup.freeze", cgpath);
	f->freezefd = open(path, O_RDWR | O_CLOEXEC);
	if (f->freezefd < 0) {
		r = errno == ENOENT ?
			vs_err(ctx, -EOPNOTSUPP, "%s: this kernel has no cgroup v2 freezer (%s, "
			       "Linux 5.2 or later), so the running guest cannot be frozen for a "
			       "consistent copy; stop it first, or pass --no-freeze to copy it "
			       "while it runs (the copy may be inconsistent)", name, path) :
			vs_err(ctx, -errno, "%s: %m", path);
		free(f);
		return r;
	}
	snprintf(path, sizeof(path), "%s/cgroup.events", cgpath);
	eventsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (eventsfd < 0) {
		r = vs_err(ctx, -errno, "%s: %m", path);
		goto fail;
	}
	if ((frozen = is_frozen(eventsfd)) < 0) {
		r = vs_err(ctx, frozen, "%s: no frozen state", path);
		goto fail;
	}
	if (frozen) {
		/* frozen by the admin: it stays as it is, before and after */
		r = vs_err(ctx, -EBUSY, "%s is frozen already (cgroup.freeze of %s); thaw it "
			   "first, so that the clone does not thaw it behind your back", name,
			   cgpath);
		goto fail;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = vs_err(ctx, -errno, "pipe: %m");
		goto fail;
	}
	f->guard = fork();
	if (f->guard < 0) {
		r = vs_err(ctx, -errno, "fork: %m");
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (f->guard == 0) {
		close(p[1]);
		guard(p[0], f->freezefd);
	}
	close(p[0]);
	f->guardw = p[1];
	if ((r = write_freeze(f->freezefd, true)) < 0) {
		r = vs_err(ctx, r, "%s: cannot freeze the guest: %s", name, strerror(-r));
		goto thaw;
	}
	/* the kernel says "frozen 1" once every process has stopped; each
	 * change of cgroup.events is a POLLPRI event */
	deadline = vs_now_ms(CLOCK_MONOTONIC) + FREEZE_TIMEOUT_MS;
	while ((frozen = is_frozen(eventsfd)) == 0) {
		struct pollfd pf = { .fd = eventsfd, .events = POLLPRI };
		int64_t left = (int64_t)(deadline - vs_now_ms(CLOCK_MONOTONIC));
		if (left <= 0)
			break;
		if (poll(&pf, 1, left > 200 ? 200 : (int)left) < 0 && errno != EINTR) {
			frozen = -errno;
			break;
		}
	}
	if (frozen != 1) {
		r = frozen < 0 ? vs_err(ctx, frozen, "%s: cgroup.events: %s", name,
					strerror(-frozen)) :
			vs_err(ctx, -ETIMEDOUT, "%s: the guest's processes did not all stop within "
			       "%d s (one may be stuck in the kernel); the guest was thawed and "
			       "nothing was copied", name, FREEZE_TIMEOUT_MS / 1000);
		goto thaw;
	}
	*out = f;
	return 0;
thaw:
	vs_thaw_cgroup(f);
	return r;
fail:
	close(f->freezefd);
	free(f);
	return r;
}

int vs_thaw_cgroup(struct vs_freeze *f)
{
	int r;

	if (!f)
		return 0;
	r = write_freeze(f->freezefd, false);
	if (f->guardw >= 0) {
		/* thawed: the guard need not; if our write failed, the guard
		 * tries again (EOF without 't') */
		if (r == 0 && write(f->guardw, "t", 1) != 1)
			r = -errno;
		close(f->guardw);
		while (waitpid(f->guard, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close(f->freezefd);
	free(f);
	return r;
}

int vs_freeze_guest(struct vs_guest *g, struct vs_freeze **f)
{
	struct vs_runstate rs;
	_cleanup_close_ int rundfd = vs_rundir_open(g->ctx);
	int r;

	*f = NULL;
	if (rundfd < 0)
		return rundfd;
	r = vs_guest_lookup_state(g, rundfd, &rs);
	if (r < 0)
		return r;
	if (r != VS_ST_RUNNING || !rs.cgroup[0])
		r = vs_err(g->ctx, -EBUSY, "the guest '%s' changed state; try again", g->cfg->name);
	else
		r = vs_freeze_cgroup(g->ctx, g->cfg->name, rs.cgroup, f);
	vs_runstate_clear(&rs);
	return r;
}
