/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vx backend of the runtime: on the patched kernel a container is also
 * a context (and, given addresses, a network context on the host's stack).
 *
 * Which backend: the annotation org.vserver.backend, else --backend, else
 * auto (vx where the kernel has the vserver system call).  The namespaces
 * and cgroups of the spec are made on both; vx adds what only the kernel's
 * contexts give: the context's own limits with hit counters, the bounding
 * set the kernel enforces on every later exec and capability check, the
 * guest's view of /proc and of the host's addresses.
 *
 * Privilege changes hands in three places:
 *  - the init creates the context in STATE_SETUP while it still holds
 *    every capability, and ends STATE_INIT itself (the kernel makes the
 *    caller of that the context's init and reaper);
 *  - it then takes the process settings (process.c) still in SETUP, where
 *    the kernel does not yet mask capability checks by the bounding set;
 *  - create, on the host, ends SETUP from outside once the init is ready:
 *    from then on the bounding set masks every capability check of the
 *    context and every exec in it (the init's own sets are already within
 *    process.capabilities, which the bounding set contains). */
#include "config.h"

#include <errno.h>
#include <linux/vserver.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oci.h"

int oci_backend = OCI_BACKEND_AUTO;

/* Ids the runtime picks from when org.vserver.xid is not given: below the
 * historic dynamic range (49152...), above what admins number by hand. */
#define XID_AUTO_FIRST	40000u
#define XID_AUTO_COUNT	9152u

int oci_backend_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return OCI_BACKEND_AUTO;
	if (!strcmp(s, "ns"))
		return OCI_BACKEND_NS;
	if (!strcmp(s, "vx"))
		return OCI_BACKEND_VX;
	return -EINVAL;
}

static bool kernel_has_vx(void)
{
	return vs_vx_get_version() >= 0x00020300;
}

const char *oci_vx_backend_name(void)
{
	if (oci_backend == OCI_BACKEND_NS || (oci_backend == OCI_BACKEND_AUTO && !kernel_has_vx()))
		return "ns";
	return "vx";
}

static int parse_ips(const char *val, struct oci_vx *v)
{
	char *copy = strdup(val), *save = NULL, *tok;
	char err[256];
	int r = 0;

	if (!copy)
		return oci_err(-ENOMEM, "out of memory");
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		struct vs_nx_addr *a = realloc(v->addrs, (v->n_addrs + 1) * sizeof(*a));

		if (!a) {
			r = oci_err(-ENOMEM, "out of memory");
			break;
		}
		v->addrs = a;
		if (v->n_addrs >= 16) {
			r = oci_err(-E2BIG, "annotations.org.vserver.ip: at most 16 addresses");
			break;
		}
		if (vs_nx_addr_parse(VS_NX_IP, tok, &a[v->n_addrs], err, sizeof(err)) < 0) {
			r = oci_err(-EINVAL, "annotations.org.vserver.ip: %s", err);
			break;
		}
		v->n_addrs++;
	}
	if (!r && !v->n_addrs)
		r = oci_err(-EINVAL, "annotations.org.vserver.ip: no address given");
	free(copy);
	return r;
}

int oci_vx_annotation(const char *key, const char *val, struct oci_vx *v)
{
	if (!strcmp(key, "org.vserver.backend")) {
		int b = oci_backend_parse(val);

		if (b < 0)
			return oci_err(-EINVAL, "annotations.%s: \"%s\" is not auto, ns or vx",
				       key, val);
		v->asked = b;
		return 0;
	}
	if (!strcmp(key, "org.vserver.xid")) {
		if (vs_parse_xid(val, &v->xid) < 0 || v->xid < 2 || v->xid > 65535)
			return oci_err(-EINVAL, "annotations.%s: \"%s\" is not a context id "
				       "(2-65535)", key, val);
		return 0;
	}
	if (!strcmp(key, "org.vserver.ip"))
		return parse_ips(val, v);
	return oci_err(-EOPNOTSUPP, "annotations.%s: unknown vserver annotation (known: "
		       "org.vserver.backend, org.vserver.xid, org.vserver.ip)", key);
}

int oci_vx_resolve(struct oci_spec *s, const char *id)
{
	struct oci_vx *v = &s->vx;
	int want = v->asked != OCI_BACKEND_AUTO ? v->asked : oci_backend;
	const char *who = v->asked != OCI_BACKEND_AUTO ? "annotations.org.vserver.backend" :
			  "--backend";

	if (want == OCI_BACKEND_AUTO)
		want = kernel_has_vx() ? OCI_BACKEND_VX : OCI_BACKEND_NS;
	else if (want == OCI_BACKEND_VX && !kernel_has_vx())
		return oci_err(-EOPNOTSUPP, "%s vx: this kernel has no vserver system call "
			       "(interface 0x00020300 or later)", who);
	v->on = want == OCI_BACKEND_VX;
	if (!v->on && v->xid)
		return oci_err(-EINVAL, "annotations.org.vserver.xid: only with the vx backend "
			       "(this container uses ns)");
	if (!v->on && v->n_addrs)
		return oci_err(-EINVAL, "annotations.org.vserver.ip: only with the vx backend "
			       "(this container uses ns)");
	if (!v->on)
		return 0;
	if (v->n_addrs) {
		/* a network context filters the host's stack: a namespace of
		 * its own would leave it nothing to filter */
		for (size_t i = 0; i < s->n_ns; i++)
			if (s->ns[i].type == CLONE_NEWNET)
				return oci_err(-EINVAL, "annotations.org.vserver.ip: a network "
					       "context is on the host's network stack; remove the "
					       "network entry of linux.namespaces (podman: "
					       "--network host)");
		if (vs_vx_nx_info(1) == -ENOSYS)
			return oci_err(-EOPNOTSUPP, "annotations.org.vserver.ip: this kernel has "
				       "no network contexts");
	}
	free(v->name);
	/* the kernel keeps VHILEN - 1 (64) bytes: podman's and containerd's
	 * ids are 64 hex digits, so the name keeps the first 60 of them (ids
	 * that long differ long before their end) */
	if (asprintf(&v->name, "oci:%.*s", VHILEN - 1 - 4, id) < 0) {
		v->name = NULL;
		return oci_err(-ENOMEM, "out of memory");
	}
	return 0;
}

void oci_vx_free(struct oci_vx *v)
{
	free(v->addrs);
	free(v->name);
	memset(v, 0, sizeof(*v));
}

/* The network context: addresses, then the loopback address the kernel
 * remaps 127.0.0.1 to (127.<nid>.1, as the guests of the tools get). */
static int nx_make(const struct oci_vx *v, uint32_t nid, char *err, size_t errlen)
{
	uint64_t flags = NXF_LBACK_REMAP | NXF_HIDE_NETIF | NXF_STATE_ADMIN;
	struct vs_nx_addr lb = { .family = AF_INET, .type = NXA_TYPE_ADDR | NXA_MOD_LBACK,
				 .prefix = 32 };
	size_t v4 = 0;
	char s[64];
	int r;

	for (size_t i = 0; i < v->n_addrs; i++)
		v4 += v->addrs[i].family == AF_INET;
	if (v4 == 1)
		flags |= NXF_SINGLE_IP;
	r = vs_vx_net_create_flags(nid, flags);
	if (r < 0)
		return r;	/* EEXIST: the caller tries another id */
	for (size_t i = 0; i < v->n_addrs; i++) {
		r = vs_vx_net_addr(nid, true, &v->addrs[i]);
		if (r < 0 && r != -EEXIST) {
			vs_nx_addr_format(&v->addrs[i], s, sizeof(s));
			snprintf(err, errlen, "annotations.org.vserver.ip: %s: %s", s, strerror(-r));
			return r;
		}
	}
	lb.ip[0] = 127;
	lb.ip[1] = (unsigned char)(nid >> 8);
	lb.ip[2] = (unsigned char)nid;
	lb.ip[3] = 1;
	memset(lb.mask, 0xff, 4);
	r = vs_vx_net_addr(nid, true, &lb);
	if (r < 0) {
		snprintf(err, errlen, "network context %u: the loopback address: %s", nid,
			 strerror(-r));
		return r == -EEXIST ? -EIO : r;
	}
	return 0;
}

/* Makes the calling init a new context (and network context); an id given
 * by annotation must be free, else the first free one from the range,
 * starting at a place that depends on the container id. */
static int ctx_make(const struct oci_vx *v, const char *id, char *err, size_t errlen)
{
	uint32_t start = 0, xid;
	int r = -EEXIST;

	for (const char *c = id; *c; c++)
		start = start * 31u + (unsigned char)*c;
	for (uint32_t i = 0; i < (v->xid ? 1 : XID_AUTO_COUNT) && r == -EEXIST; i++) {
		xid = v->xid ? v->xid : XID_AUTO_FIRST + (start + i) % XID_AUTO_COUNT;
		if (!v->xid && (vs_vx_info(xid, NULL) != -ESRCH ||
				(v->n_addrs && vs_vx_nx_info(xid) != -ESRCH)))
			continue;
		if (v->n_addrs) {
			r = nx_make(v, xid, err, errlen);
			if (r == -EEXIST || r == -EBUSY) {
				r = -EEXIST;
				continue;
			}
			if (r < 0) {
				if (!err[0])
					snprintf(err, errlen, "net_create %u: %s", xid,
						 strerror(-r));
				return r;
			}
		}
		r = vs_vx_ctx_create(xid, VXF_STATE_SETUP | VXF_STATE_INIT | VXF_STATE_ADMIN);
		if ((r == -EEXIST || r == -EBUSY) && (v->xid || v->n_addrs)) {
			/* already inside the network context made for this id:
			 * no other id can be tried from here */
			snprintf(err, errlen, "%scontext %u already exists", v->xid ?
				 "annotations.org.vserver.xid: " : "", xid);
			return -EEXIST;
		}
		if (r == -EBUSY)
			r = -EEXIST;
	}
	if (r == -EEXIST && v->xid)
		snprintf(err, errlen, "annotations.org.vserver.xid: network context %u already "
			 "exists", v->xid);
	else if (r == -EEXIST)
		snprintf(err, errlen, "no free context id in %u-%u", XID_AUTO_FIRST,
			 XID_AUTO_FIRST + XID_AUTO_COUNT - 1);
	else if (r < 0)
		snprintf(err, errlen, "ctx_create: %s", strerror(-r));
	return r;
}

int oci_vx_setup(const struct oci_spec *s, const char *id, char *err, size_t errlen)
{
	const struct oci_vx *v = &s->vx;
	unsigned long spaces = s->clone_flags & (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
						 CLONE_NEWNET);
	uint32_t kmin = 0, ksoft = 0, kmax = 0;
	int r;

	if (!v->on)
		return 0;
	err[0] = '\0';
	if ((r = ctx_make(v, id, err, errlen)) < 0)
		return r;
	r = vs_vx_set_vhi_name(VX_ID_SELF, VHIN_CONTEXT, v->name);
	/* the namespaces, so that vserver's tools enter the container too */
	if (r == 0)
		r = vs_vx_set_space(VX_ID_SELF, CLONE_NEWNS | CLONE_FS, 0);
	if (r == 0 && spaces)
		r = vs_vx_set_space(VX_ID_SELF, spaces, 0);
	if (r < 0) {
		snprintf(err, errlen, "setting up the context: %s", strerror(-r));
		return r;
	}
	/* linux.resources also as the context's limits: the same ceiling,
	 * plus the kernel's hit counters (vlimit, vserver-stat) */
	vs_vx_get_rlimit_mask(&kmin, &ksoft, &kmax);
	if (s->has_pids && s->pids_limit > 0 && (kmax & (1u << RLIMIT_NPROC)) &&
	    (r = vs_vx_set_rlimit(VX_ID_SELF, RLIMIT_NPROC, (uint64_t)s->pids_limit,
				  (uint64_t)s->pids_limit)) < 0) {
		snprintf(err, errlen, "linux.resources.pids.limit: the context refuses it: %s",
			 strerror(-r));
		return r;
	}
	if (s->has_mem && s->mem_limit > 0 && (kmax & (1u << RLIMIT_RSS))) {
		uint64_t pages = (uint64_t)s->mem_limit / (uint64_t)sysconf(_SC_PAGESIZE);

		r = vs_vx_set_rlimit(VX_ID_SELF, RLIMIT_RSS, pages, pages);
		if (r < 0) {
			snprintf(err, errlen, "linux.resources.memory.limit: the context refuses "
				 "it: %s", strerror(-r));
			return r;
		}
	}
	if (s->proc.caps_given &&
	    (r = vs_vx_set_bcaps(VX_ID_SELF, s->proc.cap_bounding, ~0ULL)) < 0) {
		snprintf(err, errlen, "process.capabilities.bounding: the context refuses it: %s",
			 strerror(-r));
		return r;
	}
	r = vs_vx_set_cflags(VX_ID_SELF, VXF_VIRT_UPTIME, VXF_VIRT_UPTIME);
	/* we exec process.args: the context's init and reaper */
	if (r == 0)
		r = vs_vx_set_cflags(VX_ID_SELF, 0, VXF_STATE_INIT);
	if (r < 0) {
		snprintf(err, errlen, "setting the context's flags: %s", strerror(-r));
		return r;
	}
	return 0;
}

int oci_vx_end_setup(pid_t init)
{
	uint32_t xid = 0;
	int r = vs_vx_task_xid(init, &xid);

	if (r == -ENOSYS || (r == 0 && xid < 2))
		return 0;
	if (r == 0)
		r = vs_vx_set_cflags(xid, 0, VXF_STATE_SETUP);
	if (r < 0)
		return oci_err(r, "ending the setup of the container's context: %s",
			       strerror(-r));
	return 0;
}

int oci_vx_join(pid_t init, char *err, size_t errlen)
{
	uint32_t xid = 0, nid = 0;
	int r = vs_vx_task_xid(init, &xid);

	if (r == -ENOSYS || (r == 0 && xid < 2))
		return 0;	/* an ns container */
	if (r == 0)
		r = vs_vx_task_nid(init, &nid);
	if (r < 0) {
		snprintf(err, errlen, "cannot find the container's context: %s", strerror(-r));
		return r;
	}
	/* the network context first, as at the start (ABI §9.2) */
	if (nid >= 2 && (r = vs_vx_net_migrate(nid)) < 0) {
		snprintf(err, errlen, "cannot enter network context %u: %s", nid, strerror(-r));
		return r;
	}
	r = vs_vx_ctx_migrate(xid, 0);
	if (r < 0) {
		snprintf(err, errlen, "cannot enter context %u: %s", xid, strerror(-r));
		return r;
	}
	return 0;
}

/* update: the limits create gave the context follow the cgroup's; those
 * the kernel's mask lacks were not set by create either (the cgroup
 * enforces them alone).  The present values are read first, to put back. */
int oci_vx_update_check(pid_t init, const struct oci_update *u, struct oci_vx_saved *sv)
{
	uint32_t kmin = 0, ksoft = 0, kmax = 0;
	int r;

	memset(sv, 0, sizeof(*sv));
	r = vs_vx_task_xid(init, &sv->xid);
	if (r == -ENOSYS || (r == 0 && sv->xid < 2)) {
		sv->xid = 0;
		return 0;
	}
	if (r < 0)
		return oci_err(r, "cannot find the container's context: %s", strerror(-r));
	vs_vx_get_rlimit_mask(&kmin, &ksoft, &kmax);
	sv->nproc = u->has_pids && (kmax & (1u << RLIMIT_NPROC));
	sv->rss = u->has_mem && (kmax & (1u << RLIMIT_RSS));
	if (sv->nproc && (r = vs_vx_get_rlimit(sv->xid, RLIMIT_NPROC, &sv->nproc_soft,
						&sv->nproc_hard)) < 0)
		return oci_err(r, "pids.limit: context %u: %s", sv->xid, strerror(-r));
	if (sv->rss && (r = vs_vx_get_rlimit(sv->xid, RLIMIT_RSS, &sv->rss_soft,
					      &sv->rss_hard)) < 0)
		return oci_err(r, "memory.limit: context %u: %s", sv->xid, strerror(-r));
	return 0;
}

int oci_vx_update(int64_t mem, int64_t pids, const struct oci_vx_saved *sv)
{
	uint64_t v;
	int r;

	if (sv->nproc) {
		v = pids < 0 ? VS_LIMIT_INF : (uint64_t)pids;
		if ((r = vs_vx_set_rlimit(sv->xid, RLIMIT_NPROC, v, v)) < 0)
			return oci_err(r, "pids.limit: context %u refuses %llu: %s", sv->xid,
				       (unsigned long long)v, strerror(-r));
	}
	if (sv->rss) {
		v = mem < 0 ? VS_LIMIT_INF : (uint64_t)mem / (uint64_t)sysconf(_SC_PAGESIZE);
		if ((r = vs_vx_set_rlimit(sv->xid, RLIMIT_RSS, v, v)) < 0) {
			r = oci_err(r, "memory.limit: context %u refuses %llu pages: %s", sv->xid,
				    (unsigned long long)v, strerror(-r));
			if (sv->nproc)
				vs_vx_set_rlimit(sv->xid, RLIMIT_NPROC, sv->nproc_soft,
						 sv->nproc_hard);
			return r;
		}
	}
	return 0;
}

void oci_vx_update_undo(const struct oci_vx_saved *sv)
{
	if (sv->nproc)
		vs_vx_set_rlimit(sv->xid, RLIMIT_NPROC, sv->nproc_soft, sv->nproc_hard);
	if (sv->rss)
		vs_vx_set_rlimit(sv->xid, RLIMIT_RSS, sv->rss_soft, sv->rss_hard);
}
