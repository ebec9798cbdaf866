/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the host hands over to a guest when a process enters it: the
 * helper executable (init, exec trampoline), the seccomp filter, the
 * relay of the standard streams.  Never installed. */
#ifndef VS_HELPER_H
#define VS_HELPER_H

#include "internal.h"

#include <signal.h>

/* An fd of the static helper vserver-init to execveat(fd, "", ...,
 * AT_EMPTY_PATH) from inside a guest: a detached read-only, nodev, nosuid
 * bind mount of the host's file (open_tree + mount_setattr), or — on a
 * kernel without those — a sealed memfd copy.  Either way the process's
 * /proc/PID/exe names a file nobody can write to. */
VS_HIDDEN int vs_helper_open(struct vs_ctx *ctx, int *out);

/* The per-process seccomp filter of every guest process (syslog(2) fails
 * with EPERM).  Must run with CAP_SYS_ADMIN still effective: it does not
 * set no_new_privs, which would break set-uid programs in the guest. */
VS_HIDDEN int vs_guest_seccomp(char *err, size_t errlen);
/* false: the kernel has no seccomp (vs_guest_seccomp then says -ENOSYS) */
VS_HIDDEN bool vs_seccomp_available(void);

/* Standard streams of a non-interactive exec: which caller fds are relayed
 * through pipes (the guest never gets a host file) and which become the
 * guest's /dev/null. */
struct vs_relay {
	int guest[3];		/* pipe ends for the guest's fd 0-2, -1: /dev/null */
	int host[3];		/* A's ends: write for 0, read for 1 and 2 */
};
VS_HIDDEN int vs_relay_prepare(struct vs_relay *rl, bool all_null);
VS_HIDDEN void vs_relay_close_guest(struct vs_relay *rl);
VS_HIDDEN void vs_relay_close(struct vs_relay *rl);
/* Copies until `done` becomes readable (the command's status), then drains
 * what the command left in the pipes and returns. */
VS_HIDDEN void vs_relay_pipes(struct vs_relay *rl, int done);
/* A pty from the guest's own devpts (called inside the guest), and passing
 * its master to the host over a unix socket. */
VS_HIDDEN int vs_pty_open_guest(int *master, int *slave, char *err, size_t errlen);
VS_HIDDEN int vs_send_fd(int sock, int fd);
VS_HIDDEN int vs_recv_fd(int sock);
/* The same for a pty master (enter, exec --pty). */
VS_HIDDEN void vs_relay_pty(int master, int done, volatile sig_atomic_t *winch);

#endif
