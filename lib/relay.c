/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Relaying the standard streams of `vserver exec`/`enter` on the host.
 *
 * A guest process must never hold a file of the host: with the caller's
 * own descriptors it could fchmod/fchown the file the admin redirected
 * output to (make it set-uid, say), read the admin's terminal after the
 * command ended, or change its settings.  So the host process (A in
 * exec.c) keeps the caller's descriptors and copies: a non-interactive
 * command gets pipes (or the guest's own /dev/null where the caller's fd
 * is /dev/null or closed), an interactive one a fresh pty of the guest's
 * devpts.  The relay ends when the command has exited: a process it left
 * behind in the guest does not keep reading the admin's input; what the
 * command wrote before it exited is still delivered. */
#include "helper.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>

#ifndef DEVPTS_SUPER_MAGIC
#define DEVPTS_SUPER_MAGIC 0x1cd1
#endif
#ifndef KCMP_FILE
#define KCMP_FILE 0
#endif

/* What a background process may still push through after the command
 * ended: bounded, so one that writes forever cannot keep us here. */
#define DRAIN_MAX (1 << 20)
/* How long a command on a pty gets to end by itself after our input ended. */
#define EOF_GRACE_MS 1000

static bool is_dev_null(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

/* Do fds a and b share their open file (2>&1)?  kcmp knows; a kernel
 * without it (CONFIG_KCMP) gets the next best answer: the same file. */
static bool same_file(int a, int b)
{
	pid_t self = getpid();
	struct stat sa, sb;
	long r = syscall(SYS_kcmp, self, self, KCMP_FILE, a, b);

	if (r >= 0 || errno != ENOSYS)
		return r == 0;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino && sa.st_rdev == sb.st_rdev;
}

int vs_relay_prepare(struct vs_relay *rl, bool all_null)
{
	for (int i = 0; i < 3; i++)
		rl->guest[i] = rl->host[i] = -1;
	for (int i = 0; i < 3; i++) {
		int p[2];
		if (all_null || fcntl(i, F_GETFD) < 0 || is_dev_null(i))
			continue;	/* -1: the guest's /dev/null */
		if (i == 2 && rl->host[1] >= 0 && same_file(1, 2)) {
			/* one pipe keeps the order of output and errors (2>&1) */
			rl->guest[2] = -2;
			continue;
		}
		if (pipe2(p, O_CLOEXEC) < 0) {
			int e = -errno;
			vs_relay_close(rl);
			return e;
		}
		rl->guest[i] = i == 0 ? p[0] : p[1];
		rl->host[i] = i == 0 ? p[1] : p[0];
	}
	return 0;
}

void vs_relay_close_guest(struct vs_relay *rl)
{
	for (int i = 0; i < 3; i++) {
		if (rl->guest[i] >= 0)
			close(rl->guest[i]);
		rl->guest[i] = -1;
	}
}

void vs_relay_close(struct vs_relay *rl)
{
	vs_relay_close_guest(rl);
	for (int i = 0; i < 3; i++) {
		if (rl->host[i] >= 0)
			close(rl->host[i]);
		rl->host[i] = -1;
	}
}

static bool write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

/* Copies one chunk from a guest pipe to the caller's fd; false at the end
 * of that stream (EOF, or the caller's side is gone). */
static bool copy_out(int from, int to, size_t *budget)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0 || !write_all(to, buf, (size_t)n))
		return false;
	if (budget)
		*budget = *budget > (size_t)n ? *budget - (size_t)n : 0;
	return true;
}

static void drain(int *fd, int to)
{
	size_t budget = DRAIN_MAX;

	if (*fd < 0)
		return;
	fcntl(*fd, F_SETFL, O_NONBLOCK);
	/* pipe writes are complete when write(2) returns: what the command
	 * wrote is all there now */
	while (budget && copy_out(*fd, to, &budget)) {
		struct pollfd p = { .fd = *fd, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
			break;
	}
	close(*fd);
	*fd = -1;
}

void vs_relay_pipes(struct vs_relay *rl, int done)
{
	char in[8192];
	size_t inlen = 0, inoff = 0;
	bool in_open = rl->host[0] >= 0;

	if (in_open)
		fcntl(rl->host[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p[5] = {
			{ .fd = in_open && !inlen ? 0 : -1, .events = POLLIN },
			{ .fd = in_open && inlen ? rl->host[0] : -1, .events = POLLOUT },
			{ .fd = rl->host[1], .events = POLLIN },
			{ .fd = rl->host[2], .events = POLLIN },
			{ .fd = done, .events = POLLIN },
		};
		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			ssize_t n = read(0, in, sizeof(in));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				in_open = false;	/* end of input: EOF for the guest */
			else
				inlen = (size_t)n, inoff = 0;
		}
		if (p[1].revents) {
			ssize_t w = write(rl->host[0], in + inoff, inlen - inoff);
			if (w < 0 && errno != EINTR && errno != EAGAIN)
				in_open = false;	/* the command closed its stdin */
			else if (w > 0 && (inoff += (size_t)w) == inlen)
				inlen = 0;
		}
		if (!in_open && rl->host[0] >= 0) {
			close(rl->host[0]);
			rl->host[0] = -1;
		}
		for (int i = 1; i <= 2; i++)
			if (p[i + 1].revents && !copy_out(rl->host[i], i, NULL)) {
				close(rl->host[i]);
				rl->host[i] = -1;
			}
		if (p[4].revents)
			break;	/* the command has exited */
	}
	/* From here on nothing of the caller's input goes to the guest. */
	drain(&rl->host[1], 1);
	drain(&rl->host[2], 2);
	vs_relay_close(rl);
}

int vs_pty_open_guest(int *master, int *slave, char *err, size_t errlen)
{
	struct stat st;
	struct statfs sfs;
	int unlock = 0, m, s;

	/* The guest controls its /dev; accept only its devpts' ptmx. */
	m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (m < 0) {
		snprintf(err, errlen, "cannot open /dev/pts/ptmx in the guest: %s", strerror(errno));
		return -errno;
	}
	if (fstat(m, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 ||
	    minor(st.st_rdev) != 2 || fstatfs(m, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC) {
		close(m);
		snprintf(err, errlen, "the guest's /dev/pts/ptmx is not a pty multiplexer");
		return -EPERM;
	}
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0 ||
	    (s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		int e = errno;
		close(m);
		snprintf(err, errlen, "cannot allocate a pty in the guest: %s", strerror(e));
		return -e;
	}
	fcntl(m, F_SETFL, fcntl(m, F_GETFL) & ~O_NONBLOCK);
	*master = m;
	*slave = s;
	return 0;
}

int vs_send_fd(int sock, int fd)
{
	char dummy = 'p';
	struct iovec iov = { .iov_base = &dummy, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

int vs_recv_fd(int sock)
{
	char dummy;
	struct iovec iov = { .iov_base = &dummy, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd = -1;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -EPIPE;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void set_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void vs_relay_pty(int master, int done, volatile sig_atomic_t *winch)
{
	struct termios saved, raw;
	bool tty = isatty(0) && tcgetattr(0, &saved) == 0;
	bool in_open = true, ended = false, hung_up = false;
	long long quiet_until = 0, give_up = 0, eof_at = 0;
	char buf[8192];

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		set_winsize(0, master);
	}
	for (;;) {
		struct pollfd p[3] = { { .fd = master, .events = POLLIN },
				       { .fd = in_open && !ended ? 0 : -1, .events = POLLIN },
				       { .fd = ended ? -1 : done, .events = POLLIN } };
		int timeout = -1;
		ssize_t n;

		if (ended) {
			/* A pty hands output to the master asynchronously: wait
			 * until it has been quiet for a moment (or every slave is
			 * closed), but not for a process that writes forever. */
			long long now = now_ms(), until = quiet_until < give_up ? quiet_until : give_up;
			if (now >= until)
				break;
			timeout = (int)(until - now);
		}
		if (eof_at && !ended && !hung_up) {
			/* A shell with line editing need not take ^D as the end
			 * (and may never read again): input that ended is the
			 * end of the session, as a hangup is.  SIGHUP to
			 * ourselves takes exec.c's path: forwarded to the
			 * command, which is killed if it is still there after
			 * a grace period. */
			long long now = now_ms();
			if (now >= eof_at + EOF_GRACE_MS) {
				hung_up = true;
				kill(getpid(), SIGHUP);
			} else {
				timeout = (int)(eof_at + EOF_GRACE_MS - now);
			}
		}
		if (*winch && tty) {
			*winch = 0;
			set_winsize(0, master);
		}
		n = poll(p, 3, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n == 0)
			continue;	/* re-checks the deadlines */
		if (p[2].revents) {
			/* the command has exited: no more input for the guest */
			ended = true;
			quiet_until = now_ms() + 200;
			give_up = now_ms() + 2000;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				break;	/* EIO: every holder of the slave is gone */
			}
			if (!write_all(1, buf, (size_t)n))
				break;
			if (ended)
				quiet_until = now_ms() + 200;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				/* end of input: tell the guest's line discipline */
				char eof = 4;
				in_open = false;
				eof_at = now_ms();
				if (write(master, &eof, 1) < 0)
					break;
				continue;
			}
			if (!write_all(master, buf, (size_t)n))
				break;
		}
	}
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
}
