/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vs-writecost [--mntns PID] FILE... — for bench/unify: the cost of the
 * first write to a file that shares its data (an overlay's lower layer, a
 * reflinked extent) against a second write to it, once it is private.
 *
 * Each FILE's first 4 KiB are read and written back unchanged (the file's
 * content stays what it was), then fsync; twice.  Prints per file
 * "FIRST_NS SECOND_NS".  --mntns enters a running guest's mount namespace
 * first, so that paths are the guest's (an overlay exists only there). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The time to open for writing, rewrite 4 KiB in place and fsync. */
static long long rewrite(const char *path)
{
	char buf[4096];
	long long t0 = now_ns(), t;
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, sizeof(buf), 0);
	if (n <= 0 || pwrite(fd, buf, (size_t)n, 0) != n || fsync(fd) < 0) {
		close(fd);
		return -EIO;
	}
	close(fd);
	t = now_ns() - t0;
	return t;
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--mntns")) {
		char p[64];
		int fd;
		snprintf(p, sizeof(p), "/proc/%s/ns/mnt", argv[2]);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNS) < 0) {
			fprintf(stderr, "vs-writecost: %s: %s\n", p, strerror(errno));
			return 1;
		}
		close(fd);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: vs-writecost [--mntns PID] FILE...\n");
		return 2;
	}
	for (; i < argc; i++) {
		long long a = rewrite(argv[i]), b = a < 0 ? a : rewrite(argv[i]);
		if (a < 0 || b < 0) {
			fprintf(stderr, "vs-writecost: %s: %s\n", argv[i], strerror((int)-(a < 0 ? a : b)));
			return 1;
		}
		printf("%lld %lld\n", a, b);
	}
	return 0;
}
