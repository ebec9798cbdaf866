/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every container process gets before it execs (init and exec):
 * limits, identity, capabilities, no_new_privs, seccomp, AppArmor, and for
 * process.terminal a pty whose master goes to the engine.
 *
 * Privilege changes hands here, in this order, and the order matters:
 *  1. rlimits, umask, oom score: need no privilege to lower, root to raise.
 *  2. seccomp without no_new_privs: the kernel allows loading a filter
 *     then only with CAP_SYS_ADMIN, which we hold until step 4; the filter
 *     then also judges steps 3-5 (engines' profiles allow them).
 *  3. the bounding set: capabilities outside it are gone for good,
 *     for us and every descendant, before any uid change.
 *  4. groups, gid, uid: with PR_SET_KEEPCAPS, so that a non-root user
 *     keeps the permitted set the spec grants (cleared otherwise).
 *  5. effective/permitted/inheritable, then ambient (needs them).
 *  6. no_new_privs, then (the caller, right before exec) seccomp with it:
 *     from here on nothing can regain a privilege. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "oci.h"

static int apply_caps(const struct oci_process *p, char *err, size_t errlen)
{
	cap_t c = cap_init();
	int r = 0;

	if (!c) {
		snprintf(err, errlen, "process.capabilities: out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i <= CAP_LAST_CAP; i++) {
		cap_value_t v = i;
		if (p->cap_effective & (1ULL << i))
			cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET);
		if (p->cap_permitted & (1ULL << i))
			cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET);
		if (p->cap_inheritable & (1ULL << i))
			cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	if (cap_set_proc(c) < 0) {
		r = -errno;
		snprintf(err, errlen, "process.capabilities: cannot set the effective, permitted "
			 "and inheritable sets: %s", strerror(errno));
	}
	cap_free(c);
	if (r < 0)
		return r;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int i = 0; i <= CAP_LAST_CAP; i++)
		if ((p->cap_ambient & (1ULL << i)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0) {
			snprintf(err, errlen, "process.capabilities.ambient: cannot raise %s "
				 "(it must also be permitted and inheritable): %s", cap_to_name(i),
				 strerror(errno));
			return -errno;
		}
	return 0;
}

/* setgroups() needs CAP_SETGID even when nothing changes, which a context's
 * bounding set may not allow an exec into it: skip it then. */
static bool same_groups(const struct oci_process *p)
{
	gid_t cur[64];
	int n = getgroups(64, cur);

	if (n < 0 || (size_t)n != p->n_gids)
		return false;
	for (size_t i = 0; i < p->n_gids; i++) {
		bool found = false;

		for (int k = 0; k < n && !found; k++)
			found = cur[k] == p->gids[i];
		if (!found)
			return false;
	}
	return true;
}

int oci_apply_process(const struct oci_process *p, const struct oci_seccomp *sc, bool *late,
		      char *err, size_t errlen)
{
	int r;

	*late = false;
	if (p->has_umask)
		umask(p->umask);
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { p->rlimits[i].soft, p->rlimits[i].hard };
		if (setrlimit(p->rlimits[i].resource, &rl) < 0) {
			snprintf(err, errlen, "process.rlimits[%zu] (soft %llu, hard %llu): %s%s", i,
				 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
				 strerror(errno), errno == EPERM ? " (raising a hard limit needs "
				 "CAP_SYS_RESOURCE; RLIMIT_NOFILE at most fs.nr_open)" : "");
			return -errno;
		}
	}
	if (p->has_oom) {
		char v[16];
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		snprintf(v, sizeof(v), "%d", p->oom_score_adj);
		if (fd < 0 || write(fd, v, strlen(v)) < 0) {
			snprintf(err, errlen, "process.oomScoreAdj: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return -EPERM;
		}
		close(fd);
	}
	if (sc && !p->nnp && (r = oci_seccomp_load(sc, err, errlen)) < 0)
		return r;
	/* Only what is still there is dropped: an exec into a vx container
	 * arrives with the context's bounding set applied, perhaps without
	 * CAP_SETPCAP, and has nothing left to drop. */
	if (p->caps_given)
		for (int i = 0; i <= CAP_LAST_CAP; i++)
			if (!(p->cap_bounding & (1ULL << i)) &&
			    prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1 &&
			    prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL) {
				snprintf(err, errlen, "process.capabilities.bounding: cannot drop "
					 "%s: %s", cap_to_name(i), strerror(errno));
				return -errno;
			}
	if (!same_groups(p) && setgroups(p->n_gids, p->gids) < 0) {
		snprintf(err, errlen, "process.user.additionalGids: %s", strerror(errno));
		return -errno;
	}
	if (setresgid(p->gid, p->gid, p->gid) < 0) {
		snprintf(err, errlen, "process.user.gid %u: %s", p->gid, strerror(errno));
		return -errno;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresuid(p->uid, p->uid, p->uid) < 0) {
		snprintf(err, errlen, "process.user.uid %u: %s", p->uid, strerror(errno));
		return -errno;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (p->caps_given && (r = apply_caps(p, err, errlen)) < 0)
		return r;
	if (p->apparmor) {
		char v[512];
		int fd = open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			fd = open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
		snprintf(v, sizeof(v), "exec %s", p->apparmor);
		if (fd < 0 || write(fd, v, strlen(v)) < 0) {
			snprintf(err, errlen, "process.apparmorProfile \"%s\": cannot be applied "
				 "(is AppArmor enabled and the profile loaded?): %s", p->apparmor,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return -EOPNOTSUPP;
		}
		close(fd);
	}
	if (p->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "process.noNewPrivileges: %s", strerror(errno));
		return -errno;
	}
	*late = sc && p->nnp;
	return 0;
}

static int send_fd(int sock, int fd)
{
	char dummy = 'x';
	struct iovec iov = { &dummy, 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) < 0 ? -errno : 0;
}

/* The pty comes from the container's own devpts (/dev/ptmx inside, after
 * the pivot): the engine gets its master over the console socket, the
 * process the slave as controlling terminal and fds 0-2.  No terminal of
 * the host is ever handed in. */
int oci_console_setup(int sock, const struct oci_process *p, char *err, size_t errlen)
{
	int m, s, r;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0) {
		snprintf(err, errlen, "process.terminal: cannot open /dev/ptmx in the container: "
			 "%s (mount devpts on /dev/pts)", strerror(errno));
		return -errno;
	}
	if (unlockpt(m) < 0 || (s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0) {
		snprintf(err, errlen, "process.terminal: cannot open the pty: %s", strerror(errno));
		close(m);
		return -errno;
	}
	if (p->cons_h && p->cons_w) {
		struct winsize ws = { .ws_row = (unsigned short)p->cons_h,
				      .ws_col = (unsigned short)p->cons_w };
		ioctl(s, TIOCSWINSZ, &ws);
	}
	if ((r = send_fd(sock, m)) < 0) {
		snprintf(err, errlen, "--console-socket: cannot send the pty: %s", strerror(-r));
		close(m);
		close(s);
		return r;
	}
	close(m);
	if (ioctl(s, TIOCSCTTY, 0) < 0 || dup2(s, 0) < 0 || dup2(s, 1) < 0 || dup2(s, 2) < 0) {
		snprintf(err, errlen, "process.terminal: cannot attach the pty: %s", strerror(errno));
		return -errno;
	}
	if (s > 2)
		close(s);
	return 0;
}

/* execvpe's search, but with the container's PATH from env (not ours) */
int oci_exec_path(const char *file, char **env, char *out, size_t len)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char buf[4096];
	struct stat st;

	if (strchr(file, '/')) {
		snprintf(out, len, "%s", file);
		return stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0 ?
			0 : -ENOENT;
	}
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], "PATH=", 5))
			path = env[i] + 5;
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *sp, *d = strtok_r(buf, ":", &sp); d; d = strtok_r(NULL, ":", &sp)) {
		snprintf(out, len, "%s/%s", *d ? d : ".", file);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

int oci_helper_open(int *fd)
{
	struct vs_ctx *ctx;
	int r = vs_ctx_new(&ctx);

	if (r < 0)
		return oci_err(r, "libvserver: %s", strerror(-r));
	if ((r = vs_ctx_load_env(ctx)) < 0 || (r = vs_helper_fd(ctx, fd)) < 0)
		oci_err(r, "%s", vs_ctx_errmsg(ctx));
	vs_ctx_unref(ctx);
	return r;
}

/* Not execve(file): the host's vserver-init (read-only, see
 * vs_helper_fd) execs it.  Until then we are the host's vserver-oci, and a
 * process.args[0] that links to /proc/self/exe would otherwise run — and
 * could then overwrite — the runtime's own binary (CVE-2019-5736).
 * errfd < 0: nobody listens for an exec failure (the init after start);
 * the trampoline then just exits 127/126, and we say why on stderr. */
int oci_exec_trampoline(int helperfd, int errfd, const char *file, char **args, char **env)
{
	size_t n = 0;
	char **tv, num[16];

	while (args[n])
		n++;
	tv = calloc(n + 5, sizeof(char *));
	if (!tv)
		return -ENOMEM;
	if (errfd < 0) {
		errfd = 1023;
		close(errfd);
	} else if (fcntl(errfd, F_SETFD, 0) < 0) {
		free(tv);
		return -errno;
	}
	snprintf(num, sizeof(num), "%d", errfd);
	tv[0] = "vserver-init";
	tv[1] = "--exec";
	tv[2] = num;
	tv[3] = (char *)file;
	for (size_t i = 0; i < n; i++)
		tv[4 + i] = args[i];
	syscall(SYS_execveat, helperfd, "", tv, env ? env : (char *[]){ NULL }, AT_EMPTY_PATH);
	free(tv);
	return -errno;
}
