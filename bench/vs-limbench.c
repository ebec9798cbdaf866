/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vs-limbench — the cost of the operations that per-context limits account:
 * fork/exit, open/close and socket/close, in a loop, in whatever context it
 * runs in (bench/vs-limbench-run runs it on the host and inside guests).
 *
 *   vs-limbench [ITERATIONS [ROUNDS]]
 *
 * For each operation: ROUNDS rounds of ITERATIONS operations; prints
 * "OP MEDIAN_NS MIN_NS MAX_NS" per operation (nanoseconds per operation,
 * over the rounds).  Static, so it runs in any guest.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int op_fork(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	if (p < 0)
		return -1;
	return waitpid(p, NULL, 0) == p ? 0 : -1;
}

static int op_open(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return close(fd);
}

static int op_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	return close(fd);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(void); int div; } ops[] = {
		{ "fork/exit", op_fork, 10 }, { "open/close", op_open, 1 },
		{ "socket/close", op_socket, 1 },
	};
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;

	if (iters < 10 || iters > 10000000 || rounds < 1 || rounds > 101) {
		fprintf(stderr, "usage: vs-limbench [ITERATIONS 10..1e7 [ROUNDS 1..101]]\n");
		return 2;
	}
	for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		double *t = calloc((size_t)rounds, sizeof(double));
		/* fork is ~100x dearer than a descriptor: fewer of them */
		long n = iters / ops[o].div;
		if (!t)
			return 1;
		for (int r = 0; r < rounds; r++) {
			double a = now_ns();
			for (long i = 0; i < n; i++)
				if (ops[o].fn() < 0) {
					perror(ops[o].name);
					return 1;
				}
			t[r] = (now_ns() - a) / (double)n;
		}
		qsort(t, (size_t)rounds, sizeof(double), cmp);
		printf("%s %.0f %.0f %.0f\n", ops[o].name, t[rounds / 2], t[0], t[rounds - 1]);
		free(t);
	}
	return 0;
}
