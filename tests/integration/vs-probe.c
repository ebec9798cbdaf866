/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vs-probe — a small static program the integration tests copy into guests
 * to observe, from inside, what the guest was handed.
 *
 *   vs-probe fds            open descriptors, one per line
 *   vs-probe session        "sid=S pgid=G self=P tty_nr=T ctty=yes|no"
 *   vs-probe tiocsti        pushes a byte into fd 0's input queue; prints
 *                           "accepted" or "refused ERRNO"
 *   vs-probe caps           the capability sets from /proc/self/status
 *   vs-probe scan SECONDS PATTERN CANARY
 *                           watches /proc for processes whose comm contains
 *                           PATTERN; for each, looks for CANARY in its
 *                           environ and follows its descriptors above 2; prints
 *                           "seen N leaked M"
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int self;

	if (!d) {
		perror("/proc/self/fd");
		return 1;
	}
	self = dirfd(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != self)
			printf("%s\n", de->d_name);
	closedir(d);
	return 0;
}

static int session(void)
{
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "r");
	int pid, ppid, pgid, sid, tty;
	char state;
	int fd;

	if (!f || !fgets(buf, sizeof(buf), f))
		return 1;
	fclose(f);
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c %d %d %d %d", &state, &ppid, &pgid, &sid, &tty) != 5)
		return 1;
	pid = getpid();
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	printf("sid=%d pgid=%d self=%d tty_nr=%d ctty=%s\n", sid, pgid, pid, tty,
	       fd >= 0 ? "yes" : "no");
	return 0;
}

static int tiocsti(void)
{
	char c = '\n';

	if (ioctl(0, TIOCSTI, &c) == 0) {
		printf("accepted\n");
		return 0;
	}
	printf("refused %d %s\n", errno, strerror(errno));
	return 0;
}

static int caps(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10))
			fputs(line, stdout);
	fclose(f);
	return 0;
}

/* A process caught before its exec holds a copy of the host caller's memory
 * (its environment includes CANARY) and the caller's descriptors (3 and up):
 * either one readable from here is a leak.  After its exec the process is
 * an ordinary guest process with the clean environment and fds 0-2. */
static int scan(int seconds, const char *pattern, const char *canary)
{
	time_t end = time(NULL) + seconds;
	int seen = 0, leaked = 0, me = getpid();
	static char env[65536];

	while (time(NULL) < end) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		if (!d)
			return 1;
		while ((de = readdir(d))) {
			char path[64], comm[64] = "";
			int pid = atoi(de->d_name), fd;
			ssize_t n;
			DIR *fdd;
			if (pid <= 1 || pid == me)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			n = read(fd, comm, sizeof(comm) - 1);
			close(fd);
			if (n <= 0 || !strstr(comm, pattern))
				continue;
			seen++;
			snprintf(path, sizeof(path), "/proc/%d/environ", pid);
			fd = open(path, O_RDONLY);
			if (fd >= 0) {
				n = read(fd, env, sizeof(env) - 1);
				close(fd);
				for (ssize_t i = 0; i < n; i++)
					if (!env[i])
						env[i] = '\n';
				if (n > 0) {
					env[n] = '\0';
					if (strstr(env, canary))
						leaked++;
				}
			}
			snprintf(path, sizeof(path), "/proc/%d/fd", pid);
			fdd = opendir(path);
			if (fdd) {
				struct dirent *f;
				/* the numbers are listed to root anyway; following
				 * one must be refused */
				while ((f = readdir(fdd))) {
					char link[96], target[256];
					if (f->d_name[0] == '.' || atoi(f->d_name) < 3)
						continue;
					snprintf(link, sizeof(link), "/proc/%d/fd/%s", pid, f->d_name);
					if (readlink(link, target, sizeof(target)) > 0)
						leaked++;
				}
				closedir(fdd);
			}
		}
		closedir(d);
	}
	printf("seen %d leaked %d\n", seen, leaked);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "fds"))
		return fds();
	if (argc >= 2 && !strcmp(argv[1], "session"))
		return session();
	if (argc >= 2 && !strcmp(argv[1], "tiocsti"))
		return tiocsti();
	if (argc >= 2 && !strcmp(argv[1], "caps"))
		return caps();
	if (argc >= 5 && !strcmp(argv[1], "scan"))
		return scan(atoi(argv[2]), argv[3], argv[4]);
	fprintf(stderr, "usage: vs-probe fds|session|tiocsti|caps|scan SECONDS PATTERN CANARY\n");
	return 2;
}
