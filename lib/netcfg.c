/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What starting and stopping a guest does to the host's network.
 *
 * Modes (decided from the configuration and the backend, see
 * docs/userland.md):
 *  - host stack (ns without spaces/net) and network context (vx): each
 *    address with a device goes on that host device before the guest runs;
 *  - veth (spaces/net and interfaces): a private network namespace, kept in
 *    RUNDIR/NAME.netns, joined by the guest's init, with a veth pair whose
 *    host end "vs<nid>" routes the guest's addresses and whose guest end
 *    carries them and the default routes;
 *  - private namespace with loopback only (spaces/net without interfaces).
 *
 * Every change is recorded in the run state before it is made ("net="
 * records and, for owned host addresses, "addr="), so one cleanup path
 * (vs_netcfg_cleanup) undoes whatever a start did, also a crashed one.
 * An address the host already has is used but not owned: it stays at
 * stop.  An address that another running guest has refuses the start. */
#include "internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/vserver.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>

static const char *const mode_names[] = {
	[VS_NET_HOST] = "host", [VS_NET_NX] = "nx", [VS_NET_NETNS] = "netns",
	[VS_NET_VETH] = "veth",
};

const char *vs_net_mode_name(int mode)
{
	if (mode <= 0 || (size_t)mode >= ARRAY_SIZE(mode_names))
		return "unknown";
	return mode_names[mode];
}

static bool has_addresses(const struct vs_config *c)
{
	return c->n_ifaces > 0;
}

static int net_mode(const struct vs_config *c, int backend)
{
	if (c->netns)
		return has_addresses(c) ? VS_NET_VETH : VS_NET_NETNS;
	if (backend == VS_BACKEND_VX && vs_nx_supported() > 0)
		return VS_NET_NX;
	return VS_NET_HOST;
}

static void veth_names(const struct vs_config *c, char host[IFNAMSIZ], char guest[IFNAMSIZ])
{
	const char *n = c->n_ifaces ? c->ifaces[0].name : "";
	bool numeric = true;

	snprintf(host, IFNAMSIZ, "vs%u", c->nid ? c->nid : c->xid);
	for (const char *p = n; *p; p++)
		numeric &= *p >= '0' && *p <= '9';
	/* a label (interfaces/N/name) names the guest's end; an index does not */
	if (*n && !numeric && strlen(n) < IFNAMSIZ)
		snprintf(guest, IFNAMSIZ, "%s", n);
	else
		snprintf(guest, IFNAMSIZ, "eth0");
}

static void addr_text(const struct vs_iface *ifc, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(ifc->family, ifc->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, ifc->prefix);
}

static const char *rec_value(const char *rec, const char *kind)
{
	size_t n = strlen(kind);
	return !strncmp(rec, kind, n) && rec[n] == ' ' ? rec + n + 1 : NULL;
}

static int record(struct vs_guest *g, int rundfd, struct vs_runstate *rs, const char *kind,
		  const char *value)
{
	char rec[256];
	int r;

	snprintf(rec, sizeof(rec), "%s %s", kind, value);
	if ((r = vs_strv_push(&rs->net, rec)) < 0)
		return r;
	return vs_runstate_write(g->ctx, rundfd, g->cfg->name, rs);
}

/* Same address (ignoring the prefix)? "a/p" against an interface. */
static bool same_addr(const char *text, const struct vs_iface *ifc)
{
	unsigned char b[16] = { 0 };
	char ip[INET6_ADDRSTRLEN + 8], *slash;

	snprintf(ip, sizeof(ip), "%s", text);
	slash = strchr(ip, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(ifc->family, ip, b) != 1)
		return false;
	return !memcmp(b, ifc->addr, ifc->family == AF_INET ? 4 : 16);
}

/* Name of another guest that runs (or is starting) with this address. */
static int address_owner(struct vs_guest *g, int rundfd, const struct vs_iface *ifc,
			 char *owner, size_t len)
{
	int dfd = dup(rundfd);
	DIR *d;
	struct dirent *de;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		char name[VS_NAME_MAX + 1];
		size_t n = strlen(de->d_name);
		struct vs_runstate o;
		bool live, hit = false;

		if (n <= 6 || strcmp(de->d_name + n - 6, ".state") || n - 6 > VS_NAME_MAX)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 6), de->d_name);
		if (!strcmp(name, g->cfg->name) || vs_name_check(name) < 0)
			continue;
		if (vs_runstate_read(g->ctx, rundfd, name, &o) < 0)
			continue;
		if (o.complete) {
			live = vs_proc_alive(o.init_pid, o.init_start);
		} else {
			/* a start in progress holds the guest's lock and counts;
			 * the leftovers of a crashed one do not */
			struct vs_lock *l = NULL;
			live = vs_lock_guest(g->ctx, name, VS_LOCK_NOWAIT, &l) < 0;
			vs_lock_release(l);
		}
		for (size_t i = 0; live && i < vs_strv_len(o.net); i++) {
			const char *v = rec_value(o.net[i], "guest");
			if (v && same_addr(v, ifc))
				hit = true;
		}
		vs_runstate_clear(&o);
		if (hit) {
			snprintf(owner, len, "%s", name);
			closedir(d);
			return 1;
		}
	}
	closedir(d);
	return 0;
}

/* Serialises the address checks of guests starting at the same time.  Its
 * name starts with a dot, as no guest name can: a guest called "network"
 * has its own network.lock. */
static int net_lock(struct vs_ctx *ctx, int rundfd)
{
	return vs_lock_global(ctx, rundfd, ".network.lock");
}

static int host_addresses(struct vs_guest *g, int rundfd, struct vs_runstate *rs)
{
	const struct vs_config *c = g->cfg;

	for (size_t i = 0; i < c->n_ifaces; i++) {
		const struct vs_iface *ifc = &c->ifaces[i];
		char rec[160], a[64], err[256], dev[IF_NAMESIZE] = "";
		int r, idx = 0;

		if (!ifc->dev[0])
			continue;	/* nodev: only the network context has it */
		addr_text(ifc, a, sizeof(a));
		snprintf(rec, sizeof(rec), "%s %s", ifc->dev, a);
		r = vs_net_addr_find(ifc->family, ifc->addr, &idx);
		if (r < 0)
			return vs_err(g->ctx, r, "%s: listing the host's addresses: %s", c->name,
				      strerror(-r));
		if (r > 0) {
			if_indextoname((unsigned)idx, dev);
			vs_notice(g->ctx, "%s: %s is already on %s; the guest uses it and "
				  "leaves it there at stop", c->name, a, dev[0] ? dev : "?");
			if ((r = record(g, rundfd, rs, "use", rec)) < 0)
				return r;
			continue;
		}
		/* record first, so a kill right after the add cannot leak it */
		if ((r = vs_strv_push(&rs->addrs, rec)) < 0 ||
		    (r = vs_runstate_write(g->ctx, rundfd, c->name, rs)) < 0)
			return r;
		r = vs_net_addr(true, ifc->dev, ifc, err, sizeof(err));
		if (r < 0) {
			size_t n = vs_strv_len(rs->addrs);
			free(rs->addrs[n - 1]);
			rs->addrs[n - 1] = NULL;
			vs_runstate_write(g->ctx, rundfd, c->name, rs);
			return vs_err(g->ctx, r, "%s: %s", c->name, err);
		}
	}
	return 0;
}

/* ---- veth ------------------------------------------------------------------ */

static int netns_path(struct vs_ctx *ctx, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.netns", ctx->rundir, name);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

/* Runs fn in a child that joined the network namespace nsfd. */
static int in_netns(int nsfd, int (*fn)(const struct vs_config *, char *, size_t),
		    const struct vs_config *c, char *err, size_t errlen)
{
	struct vs_childerr ce = { 0 };
	int p[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[0]);
		if (setns(nsfd, CLONE_NEWNET) < 0)
			vs_child_fail(p[1], -errno, "setns: %s", strerror(errno));
		else if ((ce.err = fn(c, ce.msg, sizeof(ce.msg))) < 0)
			vs_child_fail(p[1], ce.err, "%s", ce.msg);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], &ce, sizeof(ce));
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(ce)) {
		ce.msg[sizeof(ce.msg) - 1] = '\0';
		snprintf(err, errlen, "%s", ce.msg);
		return ce.err < 0 ? ce.err : -EIO;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "network namespace helper failed");
		return -EIO;
	}
	return 0;
}

static const unsigned char host_ll6[16] = { 0xfe, 0x80, [15] = 1 };

/* Inside the guest's namespace: loopback, the guest end with the
 * addresses, default routes through the host end. */
static int guest_side(const struct vs_config *c, char *err, size_t errlen)
{
	char host[IFNAMSIZ], guest[IFNAMSIZ];
	bool v4 = false, v6 = false;
	int r;

	veth_names(c, host, guest);
	if ((r = vs_net_link_up("lo", err, errlen)) < 0)
		return r;
	for (size_t i = 0; i < c->n_ifaces; i++) {
		if ((r = vs_net_addr(true, guest, &c->ifaces[i], err, errlen)) < 0)
			return r;
		v4 |= c->ifaces[i].family == AF_INET;
		v6 |= c->ifaces[i].family == AF_INET6;
	}
	if ((r = vs_net_link_up(guest, err, errlen)) < 0)
		return r;
	/* IPv4: everything is on the link, the host end answers (proxy ARP);
	 * IPv6: through the host end's fixed link-local address */
	if (v4 && (r = vs_net_route(true, AF_INET, NULL, 0, guest, NULL, err, errlen)) < 0)
		return r;
	if (v6 && (r = vs_net_route(true, AF_INET6, NULL, 0, guest, host_ll6, err, errlen)) < 0)
		return r;
	return 0;
}

static int make_netns(const char *path, char *err, size_t errlen)
{
	int fd, status;
	pid_t pid;

	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	close(fd);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 ||
		    mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
			_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "cannot create a network namespace at %s", path);
		return -EIO;
	}
	return 0;
}

static int veth_setup(struct vs_guest *g, int rundfd, struct vs_runstate *rs)
{
	const struct vs_config *c = g->cfg;
	char path[4096], host[IFNAMSIZ], guest[IFNAMSIZ], err[512], file[128];
	struct vs_iface ll = { .family = AF_INET6, .prefix = 64 };
	_cleanup_close_ int nsfd = -1;
	int r;

	veth_names(c, host, guest);
	if ((r = netns_path(g->ctx, c->name, path, sizeof(path))) < 0)
		return vs_err(g->ctx, r, "%s: run directory path too long", c->name);
	if (if_nametoindex(host))
		return vs_err(g->ctx, -EEXIST, "%s: the host already has a device %s (another "
			      "guest with network context %u?)", c->name, host, c->nid);
	for (size_t i = 0; i < c->n_ifaces; i++) {
		char a[64], dev[IF_NAMESIZE] = "?";
		int idx = 0;
		r = vs_net_addr_find(c->ifaces[i].family, c->ifaces[i].addr, &idx);
		if (r < 0)
			return vs_err(g->ctx, r, "%s: listing the host's addresses: %s", c->name,
				      strerror(-r));
		if (r > 0) {
			/* the host would keep the traffic for itself */
			addr_text(&c->ifaces[i], a, sizeof(a));
			if_indextoname((unsigned)idx, dev);
			return vs_err(g->ctx, -EADDRINUSE, "%s: %s is an address of the host (on %s); "
				      "a guest with its own network namespace cannot share it",
				      c->name, a, dev);
		}
	}
	if ((r = record(g, rundfd, rs, "netns", path)) < 0)
		return r;
	if ((r = make_netns(path, err, sizeof(err))) < 0)
		return vs_err(g->ctx, r, "%s: %s", c->name, err);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return vs_err(g->ctx, -errno, "%s: %s: %m", c->name, path);
	if ((r = record(g, rundfd, rs, "veth", host)) < 0)
		return r;
	if ((r = vs_net_veth_create(host, guest, nsfd, err, sizeof(err))) < 0)
		return vs_err(g->ctx, r, "%s: %s", c->name, err);
	/* host end: the guest's addresses are behind it */
	memcpy(ll.addr, host_ll6, 16);
	if ((r = vs_net_link_up(host, err, sizeof(err))) < 0)
		return vs_err(g->ctx, r, "%s: %s", c->name, err);
	snprintf(file, sizeof(file), "/proc/sys/net/ipv4/conf/%s/proxy_arp", host);
	if ((r = vs_write_file(file, "1")) < 0)
		return vs_err(g->ctx, r, "%s: %s: %s", c->name, file, strerror(-r));
	for (size_t i = 0; i < c->n_ifaces; i++) {
		const struct vs_iface *ifc = &c->ifaces[i];
		if (ifc->family == AF_INET6 && ll.family) {
			if ((r = vs_net_addr(true, host, &ll, err, sizeof(err))) < 0)
				return vs_err(g->ctx, r, "%s: %s", c->name, err);
			ll.family = 0;
		}
		r = vs_net_route(true, ifc->family, ifc->addr, ifc->family == AF_INET ? 32 : 128,
				 host, NULL, err, sizeof(err));
		if (r < 0)
			return vs_err(g->ctx, r, "%s: %s%s", c->name, err,
				      r == -EEXIST ? " (the host routes this address elsewhere)" : "");
	}
	if ((r = in_netns(nsfd, guest_side, c, err, sizeof(err))) < 0)
		return vs_err(g->ctx, r, "%s: in the guest's network namespace: %s", c->name, err);
	return 0;
}

/* ---- start and cleanup ---------------------------------------------------------- */

int vs_netcfg_start(struct vs_guest *g, int rundfd, struct vs_runstate *rs)
{
	const struct vs_config *c = g->cfg;
	_cleanup_close_ int lockfd = -1;
	int mode = net_mode(c, g->backend), r;
	char a[64], owner[VS_NAME_MAX + 1];

	lockfd = net_lock(g->ctx, rundfd);
	if (lockfd < 0)
		return lockfd;
	for (size_t i = 0; i < c->n_ifaces; i++) {
		r = address_owner(g, rundfd, &c->ifaces[i], owner, sizeof(owner));
		if (r < 0)
			return vs_err(g->ctx, r, "%s: reading the run directory: %s", c->name,
				      strerror(-r));
		addr_text(&c->ifaces[i], a, sizeof(a));
		if (r > 0)
			return vs_err(g->ctx, -EADDRINUSE, "%s: address %s belongs to the running "
				      "guest %s", c->name, a, owner);
	}
	if ((r = record(g, rundfd, rs, "mode", vs_net_mode_name(mode))) < 0)
		return r;
	for (size_t i = 0; i < c->n_ifaces; i++) {
		addr_text(&c->ifaces[i], a, sizeof(a));
		if ((r = record(g, rundfd, rs, "guest", a)) < 0)
			return r;
	}
	switch (mode) {
	case VS_NET_VETH:
		return veth_setup(g, rundfd, rs);
	case VS_NET_NETNS:
		return 0;
	default:
		return host_addresses(g, rundfd, rs);
	}
}

static void remove_owned(struct vs_guest *g, struct vs_runstate *rs)
{
	size_t n = vs_strv_len(rs->addrs);

	for (size_t i = 0; i < n; i++) {
		struct vs_iface ifc;
		char spec[128], err[256];
		char *sp;
		int r;

		snprintf(spec, sizeof(spec), "%s", rs->addrs[i]);
		sp = strchr(spec, ' ');
		if (!sp)
			continue;
		*sp = ':';
		if (vs_iface_parse(spec, &ifc, err, sizeof(err)) < 0)
			continue;
		r = vs_net_addr(false, ifc.dev, &ifc, err, sizeof(err));
		/* gone already (a crashed start never added it) is fine */
		if (r < 0 && r != -EADDRNOTAVAIL && r != -ENODEV && r != -ESRCH)
			vs_warn(g->ctx, "%s", err);
	}
}

void vs_netcfg_cleanup(struct vs_guest *g, struct vs_runstate *rs)
{
	size_t n = vs_strv_len(rs->net);

	remove_owned(g, rs);
	for (size_t i = 0; i < n; i++) {
		const char *v;
		char err[256];
		int r;

		if ((v = rec_value(rs->net[i], "veth"))) {
			if (!if_nametoindex(v))
				continue;
			r = vs_net_link_del(v, err, sizeof(err));
			if (r < 0 && r != -ENODEV)
				vs_warn(g->ctx, "%s", err);
		} else if ((v = rec_value(rs->net[i], "netns"))) {
			/* only the file this start made, in our run directory */
			char path[4096];
			if (netns_path(g->ctx, g->cfg->name, path, sizeof(path)) < 0 ||
			    strcmp(path, v))
				continue;
			if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
				vs_warn(g->ctx, "umount %s: %m", path);
			if (unlink(path) < 0 && errno != ENOENT)
				vs_warn(g->ctx, "%s: %m", path);
		}
	}
}

int vs_netcfg_child(struct vs_ctx *ctx, const struct vs_config *c, char *err, size_t errlen)
{
	char path[4096];
	int fd, r;

	if (!c->netns || !has_addresses(c))
		return 0;
	if ((r = netns_path(ctx, c->name, path, sizeof(path))) < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "the guest's network namespace %s: %s", path, strerror(errno));
		return -errno;
	}
	r = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		snprintf(err, errlen, "joining the network namespace %s: %s", path, strerror(-r));
	return r;
}

/* ---- information --------------------------------------------------------------- */

void vs_net_info_clear(struct vs_net_info *ni)
{
	vs_strv_free(ni->addrs);
	memset(ni, 0, sizeof(*ni));
}

int vs_guest_net_info(struct vs_guest *g, struct vs_net_info *ni)
{
	_cleanup_close_ int rundfd = -1;
	struct vs_runstate rs;
	int state, r = 0;

	memset(ni, 0, sizeof(*ni));
	rundfd = vs_rundir_open(g->ctx);
	if (rundfd < 0)
		return rundfd;
	state = vs_guest_lookup_state(g, rundfd, &rs);
	if (state < 0)
		return state;
	if (state != VS_ST_RUNNING) {
		vs_runstate_clear(&rs);
		return -ESRCH;
	}
	ni->mode = rs.host_network ? VS_NET_HOST : VS_NET_NETNS;
	for (size_t i = 0; i < vs_strv_len(rs.net); i++) {
		const char *v;
		if ((v = rec_value(rs.net[i], "mode"))) {
			for (size_t m = 1; m < ARRAY_SIZE(mode_names); m++)
				if (!strcmp(v, mode_names[m]))
					ni->mode = (int)m;
		} else if ((v = rec_value(rs.net[i], "guest"))) {
			if ((r = vs_strv_push(&ni->addrs, v)) < 0)
				break;
		} else if ((v = rec_value(rs.net[i], "veth"))) {
			snprintf(ni->veth, sizeof(ni->veth), "%s", v);
		}
	}
	if (ni->mode == VS_NET_NX) {
		unsigned char lb[4];
		uint64_t mask;
		ni->nid = g->cfg->nid;
		if (vs_vx_get_nflags(ni->nid, &ni->nflags, &mask) < 0)
			ni->nflags = 0;
		vs_nx_lback(g->cfg, lb);
		snprintf(ni->lback, sizeof(ni->lback), "%u.%u.%u.%u", lb[0], lb[1], lb[2], lb[3]);
	}
	vs_runstate_clear(&rs);
	if (r < 0)
		vs_net_info_clear(ni);
	return r;
}

int vs_guest_addresses(struct vs_guest *g, char ***addrs)
{
	char buf[INET6_ADDRSTRLEN + 8];
	int r;

	*addrs = NULL;
	for (size_t i = 0; i < g->cfg->n_ifaces; i++) {
		addr_text(&g->cfg->ifaces[i], buf, sizeof(buf));
		if ((r = vs_strv_push(addrs, buf)) < 0) {
			vs_strv_free(*addrs);
			*addrs = NULL;
			return r;
		}
	}
	return 0;
}
