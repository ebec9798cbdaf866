/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities of guest processes.  Every process that enters a guest (its
 * init and every exec/enter) passes through here right before exec, so that
 * whatever it runs can never hold a capability outside the guest's
 * bounding set — not even through the inheritable set, which survives
 * exec for root independently of the bounding set. */
#include "internal.h"

#include <sys/capability.h>
#include <sys/prctl.h>

int vs_caps_bound(uint64_t keep, char *err, size_t errlen)
{
	cap_t caps;
	int last = (int)cap_max_bits();

	if (last <= 0 || last > 64)
		last = 64;
	for (int cap = 0; cap < last; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			snprintf(err, errlen, "cannot drop capability %d from the bounding set: %s",
				 cap, strerror(errno));
			return -errno;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s", strerror(errno));
		return -errno;
	}
	caps = cap_get_proc();
	if (!caps) {
		snprintf(err, errlen, "cannot read capabilities: %s", strerror(errno));
		return -errno;
	}
	if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 || cap_set_proc(caps) < 0) {
		int e = errno;
		cap_free(caps);
		snprintf(err, errlen, "cannot clear inheritable capabilities: %s", strerror(e));
		return -e;
	}
	cap_free(caps);
	return 0;
}
