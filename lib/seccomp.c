/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp filter every guest process runs under.
 *
 * On a stock kernel syslog(2) is not namespaced: with
 * kernel.dmesg_restrict=0 (or CAP_SYSLOG granted) a guest would read, and
 * with CAP_SYSLOG clear, the host's kernel log.  The filter makes it fail
 * with EPERM whatever the host's sysctl; /dev/kmsg is never created in a
 * guest's /dev and /proc/kmsg is hidden (mounts.c).  On vx the kernel
 * refuses syslog(2) to contexts itself; the filter is then redundant and
 * harmless.  A kernel without seccomp gets no filter: vx still refuses
 * syslog(2) itself, and an ns start says the kernel log is readable.
 *
 * It is installed by the guest's init before it execs (inherited by every
 * process it forks) and by every process that enters the guest through
 * exec/enter, which does not descend from the init.  It is a filter of a
 * handful of instructions, loaded once per entering process: libseccomp
 * compiles it at build time (seccomp-gen.c, seccomp-bpf.h), not at every
 * start and exec.  It does not set no_new_privs (set-uid programs in the
 * guest keep working); loading it without needs CAP_SYS_ADMIN, which the
 * entering process still has. */
#include "helper.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "seccomp-bpf.h"

bool vs_seccomp_available(void)
{
	/* EINVAL: a kernel built without CONFIG_SECCOMP */
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
}

int vs_guest_seccomp(char *err, size_t errlen)
{
	struct sock_fprog prog = {
		.len = ARRAY_SIZE(vs_guest_filter),
		.filter = (struct sock_filter *)vs_guest_filter,
	};

	if (!vs_seccomp_available())
		return -ENOSYS;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		int r = -errno;
		snprintf(err, errlen, "cannot install the guest's seccomp filter: %s", strerror(-r));
		return r;
	}
	return 0;
}
