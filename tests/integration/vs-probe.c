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
 *   vs-probe nid            the caller's network context (vserver task_nid)
 *   vs-probe addrs          getifaddrs: "IFNAME ADDRESS" per address
 *   vs-probe bind tcp|udp ADDR PORT
 *                           binds; prints "bound LOCAL" or "error ERRNO-NAME"
 *   vs-probe serve ADDR PORT SECONDS TAG
 *                           TCP server: answers every connection with TAG
 *                           and the client's address, for SECONDS
 *   vs-probe connect ADDR PORT
 *                           TCP client: prints what the server sent and the
 *                           local address, or "error ERRNO-NAME"
 *   vs-probe raw            raw ICMP, raw IP and packet sockets: "KIND ok" or
 *                           "KIND error ERRNO-NAME" each
 *   vs-probe ping ADDR      one ICMP echo over a raw socket: "reply" or error
 *   vs-probe devprogs CGDIR the ids of the device (eBPF) programs attached
 *                           to the cgroup directory, one per line
 *   vs-probe progid ID      "loaded" while the eBPF program ID exists, else
 *                           "gone"
 *   vs-probe barrier DIR [set|clear]
 *                           sets or clears the chroot barrier mark of DIR
 *                           (vserver fset_iattr), then prints it: "barrier"
 *                           or "none" (fget_iattr), or "error ERRNO-NAME"
 *   vs-probe nobpf ERRNO CMD...
 *                           runs CMD with bpf() failing with ERRNO (a
 *                           number): a kernel or a caller without eBPF
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static int nid(void)
{
	long r = syscall(236, 0x2E020000U, 0, NULL);

	if (r < 0) {
		printf("error %s\n", ename(errno));
		return 1;
	}
	printf("%ld\n", r);
	return 0;
}

static int addrs(void)
{
	struct ifaddrs *all, *i;

	if (getifaddrs(&all) < 0) {
		printf("error %s\n", ename(errno));
		return 1;
	}
	for (i = all; i; i = i->ifa_next) {
		char a[INET6_ADDRSTRLEN];
		int f = i->ifa_addr ? i->ifa_addr->sa_family : 0;
		if (f == AF_INET)
			inet_ntop(f, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, a, sizeof(a));
		else if (f == AF_INET6)
			inet_ntop(f, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, a, sizeof(a));
		else
			continue;
		printf("%s %s\n", i->ifa_name, a);
	}
	freeifaddrs(all);
	return 0;
}

/* ADDR PORT → sockaddr; returns its length or 0 */
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
	return 0;
}

static const char *fmt(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
	}
	snprintf(buf, len, "%s", a);
	return buf;
}

static int do_bind(const char *proto, const char *addr, const char *port)
{
	struct sockaddr_storage ss, me;
	socklen_t len = mkaddr(addr, port, &ss), ml = sizeof(me);
	int fd;
	char b[INET6_ADDRSTRLEN];

	if (!len)
		return 2;
	fd = socket(ss.ss_family, strcmp(proto, "udp") ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0) {
		printf("error %s\n", ename(errno));
		return 0;
	}
	getsockname(fd, (struct sockaddr *)&me, &ml);
	printf("bound %s\n", fmt(&me, b, sizeof(b)));
	close(fd);
	return 0;
}

static int serve(const char *addr, const char *port, int seconds, const char *tag)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(addr, port, &ss);
	int fd, one = 1;
	time_t end = time(NULL) + seconds;

	if (!len)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		printf("error %s\n", ename(errno));
		fflush(stdout);
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		char msg[128], b[INET6_ADDRSTRLEN];
		int c;
		if (poll(&p, 1, 200) <= 0)
			continue;
		c = accept(fd, (struct sockaddr *)&peer, &pl);
		if (c < 0)
			continue;
		snprintf(msg, sizeof(msg), "%s from %s\n", tag, fmt(&peer, b, sizeof(b)));
		if (write(c, msg, strlen(msg)) < 0)
			perror("write");
		close(c);
	}
	return 0;
}

static int do_connect(const char *addr, const char *port)
{
	struct sockaddr_storage ss, me;
	socklen_t len = mkaddr(addr, port, &ss), ml = sizeof(me);
	char buf[256], b[INET6_ADDRSTRLEN];
	ssize_t n;
	int fd;

	if (!len)
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		printf("error %s\n", ename(errno));
		return 0;
	}
	getsockname(fd, (struct sockaddr *)&me, &ml);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	printf("got '%s' local %s\n", buf, fmt(&me, b, sizeof(b)));
	close(fd);
	return 0;
}

static void try_socket(const char *kind, int dom, int type, int proto)
{
	int fd = socket(dom, type, proto);

	if (fd < 0) {
		printf("%s error %s\n", kind, ename(errno));
	} else {
		printf("%s ok\n", kind);
		close(fd);
	}
}

static int raw(void)
{
	try_socket("raw-icmp", AF_INET, SOCK_RAW, IPPROTO_ICMP);
	try_socket("raw-tcp", AF_INET, SOCK_RAW, IPPROTO_TCP);
	try_socket("raw-ip", AF_INET, SOCK_RAW, IPPROTO_RAW);
	try_socket("raw6-icmp", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	try_socket("raw6-udp", AF_INET6, SOCK_RAW, IPPROTO_UDP);
	try_socket("packet", AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	try_socket("packet-dgram", AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	return 0;
}

static unsigned short csum(const void *p, size_t n)
{
	const unsigned short *w = p;
	unsigned long s = 0;

	for (; n > 1; n -= 2)
		s += *w++;
	if (n)
		s += *(const unsigned char *)w;
	s = (s >> 16) + (s & 0xffff);
	s += s >> 16;
	return (unsigned short)~s;
}

static int ping(const char *addr)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct icmphdr h = { .type = ICMP_ECHO, .un.echo.id = htons(0x7673),
			     .un.echo.sequence = htons(1) };
	char buf[512];
	int fd;
	time_t end = time(NULL) + 3;

	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0) {
		printf("error %s\n", ename(errno));
		return 0;
	}
	h.checksum = csum(&h, sizeof(h));
	if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		printf("error %s\n", ename(errno));
		return 0;
	}
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		if (poll(&p, 1, 500) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n >= 28 && (unsigned char)buf[20] == ICMP_ECHOREPLY) {
			printf("reply\n");
			return 0;
		}
	}
	printf("timeout\n");
	return 0;
}

static int devprogs(const char *dir)
{
	uint32_t ids[64];
	union bpf_attr a;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		perror(dir);
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uintptr_t)ids;
	a.query.prog_cnt = 64;
	if (syscall(__NR_bpf, BPF_PROG_QUERY, &a, sizeof(a)) < 0) {
		perror("bpf(BPF_PROG_QUERY)");
		return 1;
	}
	for (uint32_t i = 0; i < a.query.prog_cnt; i++)
		printf("%u\n", ids[i]);
	return 0;
}

static int progid(const char *id)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_id = (uint32_t)strtoul(id, NULL, 10);
	fd = (int)syscall(__NR_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
	if (fd < 0 && errno != ENOENT) {
		perror("bpf(BPF_PROG_GET_FD_BY_ID)");
		return 1;
	}
	printf("%s\n", fd < 0 ? "gone" : "loaded");
	return 0;
}

static int nobpf(int err, char **cmd)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p) < 0) {
		perror("seccomp");
		return 1;
	}
	execvp(cmd[0], cmd);
	perror(cmd[0]);
	return 127;
}

/* f[gs]et_iattr: VC_CMD(VC_CAT_INODE 38, 3|4, 0), the descriptor as the id */
static int barrier(const char *dir, const char *op)
{
	struct { uint32_t tag, flags, mask; } d = { 0 };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && op) {
		struct { uint32_t tag, flags, mask; } w = {
			0, strcmp(op, "set") ? 0 : 0x00010000, 0x00010000 };
		if (syscall(236, (38U << 24) | (4U << 16), (unsigned)fd, &w) < 0) {
			printf("error %s\n", ename(errno));
			return 1;
		}
	}
	if (fd < 0 || syscall(236, (38U << 24) | (3U << 16), (unsigned)fd, &d) < 0) {
		printf("error %s\n", ename(errno));
		return 1;
	}
	printf("%s\n", d.flags & 0x00010000 /* IATTR_BARRIER */ ? "barrier" : "none");
	close(fd);
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
	if (argc >= 2 && !strcmp(argv[1], "nid"))
		return nid();
	if (argc >= 2 && !strcmp(argv[1], "addrs"))
		return addrs();
	if (argc >= 5 && !strcmp(argv[1], "bind"))
		return do_bind(argv[2], argv[3], argv[4]);
	if (argc >= 6 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argv[3], atoi(argv[4]), argv[5]);
	if (argc >= 4 && !strcmp(argv[1], "connect"))
		return do_connect(argv[2], argv[3]);
	if (argc >= 2 && !strcmp(argv[1], "raw"))
		return raw();
	if (argc >= 3 && !strcmp(argv[1], "ping"))
		return ping(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "devprogs"))
		return devprogs(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "progid"))
		return progid(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "barrier"))
		return barrier(argv[2], argc >= 4 ? argv[3] : NULL);
	if (argc >= 4 && !strcmp(argv[1], "nobpf"))
		return nobpf(atoi(argv[2]), argv + 3);
	fprintf(stderr, "usage: vs-probe fds|session|tiocsti|caps|scan|nid|addrs|bind|serve|"
		"connect|raw|ping|devprogs|progid|barrier|nobpf ...\n");
	return 2;
}
