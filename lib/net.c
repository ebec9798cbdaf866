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

/* ---- dumps, links, routes ------------------------------------------------ */

struct find_addr {
	int family;
	const unsigned char *addr;
	int ifindex;
};

static int find_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int find_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct find_addr *f = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct nlattr *a;
	size_t len = f->family == AF_INET ? 4 : 16;

	if (ifa->ifa_family != f->family)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), find_attr_cb, tb);
	/* IFA_LOCAL is the address of the interface (IFA_ADDRESS the peer on
	 * point-to-point links); IPv6 has only IFA_ADDRESS */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (a && mnl_attr_get_payload_len(a) >= len &&
	    !memcmp(mnl_attr_get_payload(a), f->addr, len) && !f->ifindex)
		f->ifindex = (int)ifa->ifa_index;
	return MNL_CB_OK;
}

int vs_net_addr_find(int family, const unsigned char *addr, int *ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct find_addr f = { .family = family, .addr = addr };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtgenmsg *rt;
	unsigned seq, portid;
	ssize_t n;
	int r = 0;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq = (unsigned)time(NULL);
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = (unsigned char)family;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		r = mnl_cb_run(buf, (size_t)n, seq, portid, find_addr_cb, &f);
		if (r <= MNL_CB_STOP)
			break;
	}
	r = (n < 0 || r < 0) ? -errno : 0;
out:
	mnl_socket_close(nl);
	if (r < 0)
		return r;
	*ifindex = f.ifindex;
	return f.ifindex ? 1 : 0;
}

int vs_net_veth_create(const char *host, const char *peer, int peer_nsfd,
		       char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[96];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi, *pifi;
	struct nlattr *linkinfo, *data, *peerinfo;

	snprintf(what, sizeof(what), "create veth pair %s/%s", host, peer);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peerinfo = mnl_attr_nest_start(nlh, 1 /* VETH_INFO_PEER */);
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	mnl_attr_nest_end(nlh, peerinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return talk(nlh, err, errlen, what);
}

int vs_net_link_del(const char *dev, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[64];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	snprintf(what, sizeof(what), "delete link %s", dev);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, dev);
	return talk(nlh, err, errlen, what);
}

int vs_net_route(bool add, int family, const unsigned char *dst, unsigned prefix,
		 const char *dev, const unsigned char *gw, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[160], a[INET6_ADDRSTRLEN] = "default";
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	unsigned idx = if_nametoindex(dev);
	size_t len = family == AF_INET ? 4 : 16;

	if (dst && prefix)
		inet_ntop(family, dst, a, sizeof(a));
	snprintf(what, sizeof(what), "%s route %s/%u dev %s", add ? "add" : "remove", a, prefix,
		 dev);
	if (!idx) {
		snprintf(err, errlen, "%s: no such network device", what);
		return -ENODEV;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = (unsigned char)prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (prefix)
		mnl_attr_put(nlh, RTA_DST, len, dst);
	mnl_attr_put_u32(nlh, RTA_OIF, idx);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, len, gw);
	return talk(nlh, err, errlen, what);
}
