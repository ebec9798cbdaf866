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
 * handful of instructions, loaded once per entering process.  It does not
 * set no_new_privs (set-uid programs in the guest keep working); loading it
 * without needs CAP_SYS_ADMIN, which the entering process still has. */
#include "helper.h"

#include <seccomp.h>
#include <sys/prctl.h>

bool vs_seccomp_available(void)
{
	/* EINVAL: a kernel built without CONFIG_SECCOMP */
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
}

int vs_guest_seccomp(char *err, size_t errlen)
{
	static const uint32_t extra[] = {
#if defined(__x86_64__)
		SCMP_ARCH_X86, SCMP_ARCH_X32,
#elif defined(__aarch64__)
		SCMP_ARCH_ARM,
#endif
	};
	scmp_filter_ctx f;
	int r;

	if (!vs_seccomp_available())
		return -ENOSYS;
	f = seccomp_init(SCMP_ACT_ALLOW);
	if (!f) {
		snprintf(err, errlen, "seccomp_init failed");
		return -ENOMEM;
	}
	/* 32-bit processes enter the kernel with other syscall numbers: the
	 * filter covers them too (an architecture it does not list is killed
	 * by libseccomp's default; the kernel cannot run those anyway). */
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
		r = seccomp_arch_add(f, extra[i]);
		if (r < 0 && r != -EEXIST)
			goto fail;
	}
	if ((r = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (r = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(syslog), 0)) < 0 ||
	    (r = seccomp_load(f)) < 0)
		goto fail;
	seccomp_release(f);
	return 0;
fail:
	seccomp_release(f);
	snprintf(err, errlen, "cannot install the guest's seccomp filter: %s", strerror(-r));
	return r;
}
