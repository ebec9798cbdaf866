/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vs-netbench-helper — the measuring half of bench/vs-netbench.  Static, so
 * that it runs unchanged inside a guest.
 *
 *   vs-netbench-helper server ADDR PORT
 *       serves connections one after the other until killed: a connection
 *       starting with 'B' is drained until EOF and answered with the byte
 *       count (8 bytes); one starting with 'P' gets every byte echoed.
 *   vs-netbench-helper bulk ADDR PORT MB
 *       sends MB MiB; prints "mbps X" (MB/s = 10^6 bytes/s, time until the
 *       server confirmed the last byte).
 *   vs-netbench-helper ping ADDR PORT N
 *       N round trips of one byte (TCP_NODELAY); prints "median_us X
 *       p99_us Y".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static socklen_t mkaddr(const char *addr, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(port));
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(port));
		return sizeof(*s6);
	}
	fprintf(stderr, "bad address %s\n", addr);
	exit(2);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int full_write(int fd, const void *b, size_t n)
{
	const char *p = b;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int full_read(int fd, void *b, size_t n)
{
	char *p = b;
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int server(const char *addr, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(addr, port, &ss);
	static char buf[1 << 16];
	int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;

	signal(SIGPIPE, SIG_IGN);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 8) < 0) {
		perror("server");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		char mode;
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (full_read(c, &mode, 1) == 0 && mode == 'B') {
			uint64_t total = 0;
			ssize_t n;
			while ((n = read(c, buf, sizeof(buf))) > 0)
				total += (uint64_t)n;
			full_write(c, &total, sizeof(total));
		} else if (mode == 'P') {
			char b;
			while (full_read(c, &b, 1) == 0 && full_write(c, &b, 1) == 0)
				;
		}
		close(c);
	}
}

static int connect_to(const char *addr, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		fprintf(stderr, "connect %s:%s: %s\n", addr, port, strerror(errno));
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int bulk(const char *addr, const char *port, long mb)
{
	static char buf[1 << 16];
	uint64_t want = (uint64_t)mb << 20, sent = 0, got = 0;
	int fd = connect_to(addr, port);
	double t0;

	memset(buf, 'x', sizeof(buf));
	t0 = now();
	if (full_write(fd, "B", 1) < 0)
		return 1;
	while (sent < want) {
		size_t n = want - sent < sizeof(buf) ? (size_t)(want - sent) : sizeof(buf);
		if (full_write(fd, buf, n) < 0) {
			perror("write");
			return 1;
		}
		sent += n;
	}
	shutdown(fd, SHUT_WR);
	if (full_read(fd, &got, sizeof(got)) < 0 || got != want) {
		fprintf(stderr, "the server confirmed %llu of %llu bytes\n",
			(unsigned long long)got, (unsigned long long)want);
		return 1;
	}
	printf("mbps %.1f\n", (double)want / 1e6 / (now() - t0));
	close(fd);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int ping(const char *addr, const char *port, long n)
{
	double *rtt = calloc((size_t)n, sizeof(double));
	int fd = connect_to(addr, port);
	char b = 'p';

	if (!rtt || full_write(fd, "P", 1) < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		double t = now();
		if (full_write(fd, &b, 1) < 0 || full_read(fd, &b, 1) < 0) {
			perror("ping");
			return 1;
		}
		rtt[i] = (now() - t) * 1e6;
	}
	qsort(rtt, (size_t)n, sizeof(double), cmp_double);
	printf("median_us %.1f p99_us %.1f\n", rtt[n / 2], rtt[(size_t)((double)n * 0.99)]);
	close(fd);
	free(rtt);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "server"))
		return server(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "bulk") && atol(argv[4]) > 0)
		return bulk(argv[2], argv[3], atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "ping") && atol(argv[4]) > 0)
		return ping(argv[2], argv[3], atol(argv[4]));
	fprintf(stderr, "usage: vs-netbench-helper server ADDR PORT | bulk ADDR PORT MB | "
		"ping ADDR PORT N\n");
	return 2;
}
