/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest's console, kept by the monitor (apps/init/monitor) only.
 *
 * Without a monitor no host process stays per guest (docs/performance.md)
 * and the init's console is /dev/null: nothing could bound a log file the
 * guest writes to directly (a chatty guest would fill /run), and nothing
 * would hold the other end of a terminal.  With a monitor, the init's
 * stdin, stdout and stderr are the slave of a pseudo-terminal whose master
 * the monitor keeps (the lxc-console model):
 *
 *  - everything the guest writes there goes to RUNDIR/NAME.log, rotated
 *    at 512 KiB into NAME.log.1 (one older half kept): at most 1 MiB per
 *    guest, and the most recent output is always there;
 *  - RUNDIR/NAME.console, a unix socket (root only), lets "vserver NAME
 *    console" attach: what the guest writes is sent to every attached
 *    client, what a client sends is the guest's input.  A client that
 *    does not keep up is dropped, so an attached admin never blocks the
 *    guest; input the guest does not read is dropped, not queued.
 *
 * The slave is not the init's controlling terminal: ^C or a hangup on the
 * console must not signal the guest's init.  Its output post-processing is
 * off, so the log holds the guest's bytes unchanged (the client's terminal
 * turns \n into \r\n). */
#include "launch.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#define LOG_HALF	(512 << 10)
#define MAX_CLIENTS	8

static void file_name(char *buf, size_t len, const char *name, const char *suffix)
{
	snprintf(buf, len, "%s.%s", name, suffix);
}

void vs_console_remove(int rundfd, const char *name, bool logs)
{
	char f[VS_NAME_MAX + 16];

	file_name(f, sizeof(f), name, "console");
	unlinkat(rundfd, f, 0);
	if (!logs)
		return;
	file_name(f, sizeof(f), name, "log");
	unlinkat(rundfd, f, 0);
	file_name(f, sizeof(f), name, "log.1");
	unlinkat(rundfd, f, 0);
}

static int open_log(int rundfd, const char *name)
{
	char f[VS_NAME_MAX + 16];

	file_name(f, sizeof(f), name, "log");
	return openat(rundfd, f, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		      0600);
}

int vs_console_prepare(struct vs_ctx *ctx, int rundfd, const char *name, struct launch *L)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct termios t;
	struct stat st;
	char f[VS_NAME_MAX + 16];
	int unlock = 0;

	/* a new start, a new log: the older one of the last run goes */
	vs_console_remove(rundfd, name, true);
	L->logfile = open_log(rundfd, name);
	if (L->logfile < 0)
		return vs_err(ctx, -errno, "%s/%s.log: %m", ctx->rundir, name);
	L->logr = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (L->logr < 0)
		return vs_err(ctx, -errno, "%s: cannot allocate the console's terminal: %m", name);
	if (ioctl(L->logr, TIOCSPTLCK, &unlock) < 0 ||
	    (L->logw = ioctl(L->logr, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return vs_err(ctx, -errno, "%s: cannot open the console's terminal: %m", name);
	if (tcgetattr(L->logw, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(L->logw, TCSANOW, &t);
	}
	/* the monitor reads and writes the master without ever waiting */
	if (fcntl(L->logr, F_SETFL, O_NONBLOCK) < 0)
		return vs_err(ctx, -errno, "fcntl: %m");
	L->consock = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (L->consock < 0)
		return vs_err(ctx, -errno, "socket: %m");
	/* through the directory's descriptor: RUNDIR may be longer than a
	 * socket address can be */
	file_name(f, sizeof(f), name, "console");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", rundfd, f);
	if (bind(L->consock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    fchmodat(rundfd, f, 0600, 0) < 0 || listen(L->consock, MAX_CLIENTS) < 0 ||
	    fstatat(rundfd, f, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return vs_err(ctx, -errno, "%s/%s: %m", ctx->rundir, f);
	L->consock_ino = st.st_ino;
	L->rundfd = fcntl(rundfd, F_DUPFD_CLOEXEC, 3);
	if (L->rundfd < 0)
		return vs_err(ctx, -errno, "dup: %m");
	return 0;
}

/* ---- the monitor's side ---- */

/* A monitor can outlive its guest by a moment (stop does not wait for it),
 * and the next start makes new files under the same names: the monitor
 * renames or removes only the files it made. */
static bool still_ours(struct launch *L, const char *f, ino_t ino)
{
	struct stat st;

	return fstatat(L->rundfd, f, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino == ino;
}

void vs_console_log(struct launch *L, const void *buf, size_t n)
{
	if (L->logfile < 0)
		return;
	if (L->logged + n > LOG_HALF) {
		char f[VS_NAME_MAX + 16], old[VS_NAME_MAX + 16];
		const char *name = L->g->cfg->name;
		struct stat st;
		int fd;

		file_name(f, sizeof(f), name, "log");
		file_name(old, sizeof(old), name, "log.1");
		if (fstat(L->logfile, &st) == 0 && still_ours(L, f, st.st_ino) &&
		    renameat(L->rundfd, f, L->rundfd, old) == 0 &&
		    (fd = open_log(L->rundfd, name)) >= 0) {
			close(L->logfile);
			L->logfile = fd;
		} else {
			/* cannot rotate: stop logging rather than grow */
			close(L->logfile);
			L->logfile = -1;
			return;
		}
		L->logged = 0;
	}
	if (write(L->logfile, buf, n) == (ssize_t)n)
		L->logged += n;
}

static void drop_client(struct launch *L, size_t i)
{
	close(L->clients[i]);
	L->clients[i] = L->clients[--L->n_clients];
}

/* Reads what the guest wrote, until there is nothing more for now.
 * Returns false once the console has no writer left. */
static bool from_guest(struct launch *L)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(L->logr, buf, sizeof(buf))) > 0) {
		vs_console_log(L, buf, (size_t)n);
		for (size_t i = 0; i < L->n_clients;)
			if (send(L->clients[i], buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
				drop_client(L, i);
			else
				i++;
	}
	return n < 0 && (errno == EAGAIN || errno == EINTR);
}

static void new_client(struct launch *L)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int fd = accept4(L->consock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* the run directory is root's alone; this is the second lock */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.uid != 0 ||
	    L->n_clients >= MAX_CLIENTS) {
		close(fd);
		return;
	}
	L->clients[L->n_clients++] = fd;
}

int vs_console_relay(struct launch *L, int pidfd)
{
	bool open = true;

	for (;;) {
		struct pollfd p[3 + MAX_CLIENTS] = {
			{ .fd = open ? L->logr : -1, .events = POLLIN },
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = L->consock, .events = POLLIN },
		};
		size_t n = L->n_clients;

		for (size_t i = 0; i < n; i++)
			p[3 + i] = (struct pollfd){ .fd = L->clients[i], .events = POLLIN };
		if (poll(p, 3 + n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN)
			open = from_guest(L);
		else if (p[0].revents & (POLLHUP | POLLERR))
			open = false;
		if (!open && pidfd < 0)
			break;
		/* input: written to the master as far as it takes it now */
		for (size_t i = n; i-- > 0;) {
			char buf[1024];
			ssize_t got;

			if (!p[3 + i].revents)
				continue;
			got = read(p[3 + i].fd, buf, sizeof(buf));
			if (got <= 0) {
				if (got == 0 || errno != EAGAIN)
					drop_client(L, i);
				continue;
			}
			if (open && write(L->logr, buf, (size_t)got) < 0 && errno != EAGAIN)
				open = false;
		}
		if (p[2].revents & POLLIN)
			new_client(L);
	}
	return 0;
}

void vs_console_close(struct launch *L)
{
	/* what the guest wrote last, then the clients see the end */
	if (L->logr >= 0)
		from_guest(L);
	while (L->n_clients)
		drop_client(L, L->n_clients - 1);
	if (L->consock >= 0) {
		char f[VS_NAME_MAX + 16];

		file_name(f, sizeof(f), L->g->cfg->name, "console");
		if (still_ours(L, f, L->consock_ino))
			unlinkat(L->rundfd, f, 0);
	}
}

/* ---- the callers' side ---- */

int vs_guest_console(struct vs_guest *g)
{
	struct vs_ctx *ctx = g->ctx;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vs_status st;
	char f[VS_NAME_MAX + 16];
	_cleanup_close_ int rundfd = -1;
	int fd, r;

	if ((r = vs_guest_status(g, &st)) < 0)
		return r;
	if (!st.running)
		return vs_err(ctx, -ESRCH, "%s is not running", g->cfg->name);
	rundfd = vs_rundir_open(ctx);
	if (rundfd < 0)
		return rundfd;
	file_name(f, sizeof(f), g->cfg->name, "console");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", rundfd, f);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vs_err(ctx, -errno, "socket: %m");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	r = -errno;
	close(fd);
	if (r != -ENOENT && r != -ECONNREFUSED)
		return vs_err(ctx, r, "%s/%s: %s", ctx->rundir, f, strerror(-r));
	if (!g->cfg->monitor)
		return vs_err(ctx, -EOPNOTSUPP, "%s has no console to attach to: no host process "
			      "keeps one per guest unless apps/init/monitor is set (without it "
			      "the init's console is /dev/null); create %s/%s/apps/init/monitor "
			      "and restart the guest", g->cfg->name, ctx->confdir, g->cfg->name);
	return vs_err(ctx, -EOPNOTSUPP, "%s was started without a monitor (apps/init/monitor "
		      "was set later); restart it to get a console", g->cfg->name);
}

int vs_guest_log_open(struct vs_guest *g, unsigned generation)
{
	struct vs_ctx *ctx = g->ctx;
	char f[VS_NAME_MAX + 16];
	_cleanup_close_ int rundfd = vs_rundir_open(ctx);
	int fd;

	if (rundfd < 0)
		return rundfd;
	if (generation > 1)
		return vs_err(ctx, -EINVAL, "only two generations of the log are kept");
	file_name(f, sizeof(f), g->cfg->name, generation ? "log.1" : "log");
	fd = openat(rundfd, f, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT || generation)
		return vs_err(ctx, -errno, "%s/%s: %m", ctx->rundir, f);
	if (!g->cfg->monitor)
		return vs_err(ctx, -ENOENT, "%s keeps no console log: no host process keeps one "
			      "per guest unless apps/init/monitor is set (without it the init's "
			      "console is /dev/null); create %s/%s/apps/init/monitor and restart "
			      "the guest", g->cfg->name, ctx->confdir, g->cfg->name);
	return vs_err(ctx, -ENOENT, "%s has no console log yet (it has not run with "
		      "apps/init/monitor since it was built)", g->cfg->name);
}
