/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Process information from /proc and pidfd helpers.  A pid alone is never
 * trusted to name the same process twice: we pair it with its start time or
 * hold a pidfd. */
#include "internal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>

int vs_proc_stat_parse(const char *buf, struct vs_procstat *st)
{
	/* The command name (field 2) may contain anything, including ") ";
	 * the fields after the last ')' are fixed. */
	const char *p = strrchr(buf, ')');
	unsigned long long f[50];
	int n = 0;
	char *end;

	if (!p || p[1] != ' ' || !p[2])
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->state = p[2];
	p += 3;
	/* fields 4.. ; f[0] is field 4 (ppid) */
	while (*p && n < 50) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		if (*p == '-') {
			/* signed fields (priority, nice) are not needed; keep as 0 */
			p++;
		}
		errno = 0;
		f[n] = strtoull(p, &end, 10);
		if (end == p || errno)
			return -EINVAL;
		p = end;
		n++;
	}
	if (n < 21)
		return -EINVAL;
	st->ppid = (pid_t)f[0];
	st->utime = f[10];	/* field 14 */
	st->stime = f[11];	/* field 15 */
	st->starttime = f[18];	/* field 22 */
	st->vsize = f[19];	/* field 23 */
	st->rss = (long long)f[20];	/* field 24 */
	return 0;
}

int vs_proc_stat(pid_t pid, struct vs_procstat *st)
{
	char path[64];
	_cleanup_free_ char *buf = NULL;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = vs_read_file(path, 4096, &buf);
	if (r < 0)
		return r;
	return vs_proc_stat_parse(buf, st);
}

int vs_proc_ns_ino(pid_t pid, const char *ns, unsigned long long *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	if (stat(path, &st) < 0)
		return -errno;
	*ino = (unsigned long long)st.st_ino;
	return 0;
}

bool vs_proc_alive(pid_t pid, unsigned long long start)
{
	struct vs_procstat st;

	if (pid <= 0 || vs_proc_stat(pid, &st) < 0)
		return false;
	if (st.state == 'Z' || st.state == 'X' || st.state == 'x')
		return false;
	return st.starttime == start;
}

uint64_t vs_now_ms(int clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int vs_pidfd_open(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	return fd < 0 ? -errno : fd;
}

int vs_pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	uint64_t deadline = timeout_ms >= 0 ? vs_now_ms(CLOCK_MONOTONIC) + (uint64_t)timeout_ms : 0;

	for (;;) {
		int left = -1, r;
		if (timeout_ms >= 0) {
			uint64_t now = vs_now_ms(CLOCK_MONOTONIC);
			left = now >= deadline ? 0 : (int)(deadline - now);
		}
		r = poll(&p, 1, left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

int vs_pidfd_signal(int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return -errno;
	return 0;
}
