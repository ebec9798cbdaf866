/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink through libmnl: host addresses of guests that share the host's
 * network stack, and the loopback device of a private network namespace. */
#include "internal.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <time.h>

static int talk(struct nlmsghdr *nlh, char *err, size_t errlen, const char *what)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seq, portid;
	ssize_t n;
	int r;

	if (!nl) {
		snprintf(err, errlen, "%s: netlink: %s", what, strerror(errno));
		return -errno;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: netlink bind: %s", what, strerror(errno));
		mnl_socket_close(nl);
		return r;
	}
	portid = mnl_socket_get_portid(nl);
	seq = nlh->nlmsg_seq = (unsigned)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: netlink send: %s", what, strerror(errno));
		mnl_socket_close(nl);
		return r;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	r = 0;
	if (n < 0)
		r = -errno;
	else if (mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL) < 0)
		r = -errno;
	if (r < 0)
		snprintf(err, errlen, "%s: %s", what, strerror(-r));
	mnl_socket_close(nl);
	return r;
}

int vs_net_addr(bool add, const char *dev, const struct vs_iface *ifc, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[128], a[INET6_ADDRSTRLEN] = "?";
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	unsigned idx = if_nametoindex(dev);
	int r;

	inet_ntop(ifc->family, ifc->addr, a, sizeof(a));
	snprintf(what, sizeof(what), "%s address %s/%u %s %s", add ? "add" : "remove", a,
		 ifc->prefix, add ? "to" : "from", dev);
	if (!idx) {
		snprintf(err, errlen, "%s: no such network device", what);
		return -ENODEV;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)ifc->family;
	ifa->ifa_prefixlen = (unsigned char)ifc->prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = idx;
	if (ifc->family == AF_INET) {
		mnl_attr_put(nlh, IFA_LOCAL, 4, ifc->addr);
		mnl_attr_put(nlh, IFA_ADDRESS, 4, ifc->addr);
	} else {
		mnl_attr_put(nlh, IFA_ADDRESS, 16, ifc->addr);
		/* no duplicate address detection delay for a guest's address */
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	r = talk(nlh, err, errlen, what);
	return r;
}

int vs_net_link_up(const char *dev, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[64];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	unsigned idx = if_nametoindex(dev);

	snprintf(what, sizeof(what), "bring up %s", dev);
	if (!idx) {
		snprintf(err, errlen, "%s: no such network device", what);
		return -ENODEV;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)idx;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return talk(nlh, err, errlen, what);
}
