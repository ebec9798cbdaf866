/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vs-bomb — bounded resource attacks, run inside a guest by
 * t-limits-attack.sh (and bench/).  Each attack stops by itself after
 * SECONDS and never makes more than MAX objects, so a missing limit cannot
 * take the test machine down; everything it made is released at the end.
 *
 *   vs-bomb fork SECONDS MAX     processes forking processes
 *   vs-bomb mem  SECONDS MAX     touches MAX MiB (in a child, which the OOM
 *                                killer may kill)
 *   vs-bomb fd   SECONDS MAX [P] P processes opening /dev/null
 *   vs-bomb sock SECONDS MAX [P] P processes creating sockets
 *   vs-bomb shm  SECONDS MAX     SysV shared memory segments of 64 KiB
 *   vs-bomb sem  SECONDS MAX     SysV semaphore arrays of 8 semaphores
 *   vs-bomb msg  SECONDS MAX     SysV message queues (each reserves msgmnb bytes)
 *   vs-bomb mq   SECONDS MAX     POSIX message queues of 8 KiB (RLIMIT_MSGQUEUE)
 *   vs-bomb cpu  SECONDS N       N processes spinning
 *
 * Prints "started", then "reached" as soon as the first refusal happens (for cpu: when
 * the spinners run), keeps retrying until SECONDS are over (each retry is
 * another hit), then one line:
 *   RESULT kind=K made=N errno=NAME failures=F [killed=SIG] [cpus=X.XX]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
	atomic_long made, failures;
	atomic_int err;
	atomic_int reached;
	atomic_int stop;	/* set by the leader: no more attempts */
};

static struct shared *sh;
static double deadline, start;
static long made_final = -1;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void reached(int err)
{
	atomic_fetch_add(&sh->failures, 1);
	if (!atomic_exchange(&sh->reached, 1)) {
		atomic_store(&sh->err, err);
		printf("reached\n");
		fflush(stdout);
	}
}

static void nap(void)
{
	usleep(10000);
}

static const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "none";
	return n ? n : "?";
}

/* ---- fork ----------------------------------------------------------------- */

static void forker(long max)
{
	while (now() < deadline && !atomic_load(&sh->stop)) {
		pid_t p;
		/* reserve first: MAX is a hard bound even with many forkers */
		if (atomic_fetch_add(&sh->made, 1) >= max) {
			atomic_fetch_sub(&sh->made, 1);
			nap();
			continue;
		}
		p = fork();
		if (p == 0)
			continue;	/* the child forks too */
		if (p < 0) {
			int e = errno;
			atomic_fetch_sub(&sh->made, 1);
			reached(e);
			nap();
		}
	}
	pause();	/* until the leader kills the group */
}

/* ---- descriptors ------------------------------------------------------------- */

static void opener(long max, int sock)
{
	for (;;) {
		int fd;
		if (now() >= deadline || atomic_load(&sh->stop))
			break;
		if (atomic_fetch_add(&sh->made, 1) >= max) {
			atomic_fetch_sub(&sh->made, 1);
			nap();
			continue;
		}
		fd = sock ? socket(AF_UNIX, SOCK_DGRAM, 0) : open("/dev/null", O_RDONLY);
		if (fd < 0) {
			int e = errno;
			atomic_fetch_sub(&sh->made, 1);
			reached(e);
			nap();
			continue;
		}
	}
	_exit(0);
}

/* ---- SysV / POSIX IPC ----------------------------------------------------------- */

static void ipc(const char *kind, long max)
{
	int *ids = calloc((size_t)max, sizeof(int));
	long n = 0;

	if (!ids)
		exit(1);
	while (now() < deadline) {
		int id = -1;
		if (n >= max) {
			nap();
			continue;
		}
		if (!strcmp(kind, "shm")) {
			id = shmget(IPC_PRIVATE, 64 * 1024, IPC_CREAT | 0600);
			/* touch it: some accounting happens on use */
			if (id >= 0) {
				void *p = shmat(id, NULL, 0);
				if (p != (void *)-1) {
					memset(p, 1, 64 * 1024);
					shmdt(p);
				}
			}
		} else if (!strcmp(kind, "sem")) {
			id = semget(IPC_PRIVATE, 8, IPC_CREAT | 0600);
		} else if (!strcmp(kind, "msg")) {
			id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		} else {
			char name[32];
			struct mq_attr a = { .mq_maxmsg = 8, .mq_msgsize = 1024 };
			snprintf(name, sizeof(name), "/vs-bomb-%ld", n);
			mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, &a);
			id = q == (mqd_t)-1 ? -1 : (int)q;
		}
		if (id < 0) {
			reached(errno);
			nap();
			continue;
		}
		ids[n++] = id;
		atomic_fetch_add(&sh->made, 1);
	}
	for (long i = 0; i < n; i++) {
		if (!strcmp(kind, "shm"))
			shmctl(ids[i], IPC_RMID, NULL);
		else if (!strcmp(kind, "sem"))
			semctl(ids[i], 0, IPC_RMID);
		else if (!strcmp(kind, "msg"))
			msgctl(ids[i], IPC_RMID, NULL);
		else {
			char name[32];
			snprintf(name, sizeof(name), "/vs-bomb-%ld", i);
			mq_close((mqd_t)ids[i]);
			mq_unlink(name);
		}
	}
	free(ids);
}

/* ---- memory ------------------------------------------------------------------------ */

static void mem(long max, int *killed)
{
	int p[2];
	pid_t c;
	int st;

	if (pipe(p) < 0)
		exit(1);
	c = fork();
	if (c == 0) {
		close(p[0]);
		/* faulting pages in is slow under emulation: allocate until
		 * MAX (or the kernel's answer) even past SECONDS, within 3x */
		for (long i = 0; i < max && now() < deadline + 2 * (deadline - start); i++) {
			char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
			if (m == MAP_FAILED) {
				char e = (char)errno;
				if (write(p[1], &e, 1) < 0)
					_exit(1);
				break;
			}
			memset(m, (int)i, 1 << 20);	/* populated, or not: touch */
			if (write(p[1], "+", 1) < 0)
				_exit(1);
		}
		/* hold what we have until the end */
		while (now() < deadline)
			nap();
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		char b;
		ssize_t r = read(p[0], &b, 1);
		if (r <= 0)
			break;
		if (b == '+')
			atomic_fetch_add(&sh->made, 1);
		else
			reached(b);
	}
	waitpid(c, &st, 0);
	*killed = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	if (*killed)
		reached(0);	/* the OOM killer stopped it */
}

/* ---- cpu ------------------------------------------------------------------------- */

static double cpu(int n, double secs)
{
	pid_t *pids = calloc((size_t)n, sizeof(pid_t));
	struct rusage ru;
	double t0 = now(), used;

	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			for (;;)
				;
		if (pids[i] > 0)
			atomic_fetch_add(&sh->made, 1);
	}
	printf("reached\n");
	fflush(stdout);
	while (now() < t0 + secs)
		usleep(100000);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	used = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	free(pids);
	return used / (now() - t0);
}

int main(int argc, char **argv)
{
	const char *kind;
	double secs;
	long max;
	int killed = 0, procs;
	double cpus = -1;

	if (argc < 4) {
		fprintf(stderr, "usage: vs-bomb fork|mem|fd|sock|shm|sem|msg|mq|cpu SECONDS MAX [P]\n");
		return 2;
	}
	kind = argv[1];
	secs = atof(argv[2]);
	max = atol(argv[3]);
	procs = argc > 4 ? atoi(argv[4]) : 4;
	if (secs <= 0 || secs > 600 || max <= 0 || max > 1000000 || procs < 1 || procs > 64) {
		fprintf(stderr, "vs-bomb: SECONDS 0..600, MAX 1..1000000, P 1..64\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	start = now();
	deadline = start + secs;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("started\n");
	if (!strcmp(kind, "fork") || !strcmp(kind, "fd") || !strcmp(kind, "sock")) {
		int n = !strcmp(kind, "fork") ? 1 : procs;
		pid_t grp = 0;
		double stop;
		/* orphans come to us, so that we can reap them */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
		/* the attackers get a process group of their own (the first
		 * one's pid), which we kill until it is empty */
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				setpgid(0, grp);
				if (!strcmp(kind, "fork"))
					forker(max);
				opener(max, !strcmp(kind, "sock"));
			}
			if (p > 0) {
				setpgid(p, grp ? grp : p);
				if (!grp)
					grp = p;
			}
		}
		while (now() < deadline)
			usleep(50000);
		/* the count is taken once the attackers stopped and before any
		 * is killed: killing frees room that late forks could take */
		atomic_store(&sh->stop, 1);
		/* a forker between its reservation and a failed fork still
		 * counts one too many; under emulation it can be off the CPU
		 * for a while: wait until the count holds still (2 s at most) */
		for (int i = 0; i < 10; i++) {
			long before = atomic_load(&sh->made);
			usleep(200000);
			made_final = atomic_load(&sh->made);
			if (made_final == before)
				break;
		}
		stop = now() + 20;
		while (grp > 0 && kill(-grp, SIGKILL) == 0 && now() < stop) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			usleep(10000);
		}
		while (wait(NULL) > 0 || errno == EINTR)
			;
	} else if (!strcmp(kind, "mem")) {
		mem(max, &killed);
	} else if (!strcmp(kind, "shm") || !strcmp(kind, "sem") || !strcmp(kind, "msg") ||
		   !strcmp(kind, "mq")) {
		ipc(kind, max);
	} else if (!strcmp(kind, "cpu")) {
		cpus = cpu((int)max, secs);
	} else {
		fprintf(stderr, "vs-bomb: unknown attack '%s'\n", kind);
		return 2;
	}
	printf("RESULT kind=%s made=%ld errno=%s failures=%ld", kind,
	       made_final >= 0 ? made_final : atomic_load(&sh->made),
	       errname(atomic_load(&sh->err)), atomic_load(&sh->failures));
	if (killed)
		printf(" killed=%d", killed);
	if (cpus >= 0)
		printf(" cpus=%.2f", cpus);
	printf("\n");
	return 0;
}
