/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node's few rtnetlink requests to the kernel, on its TAP interface:
 * add an address (RTM_NEWADDR), read one neighbour entry (RTM_GETNEIGH with
 * NDA_DST, Linux 4.20 and later) and ask the kernel to resolve one
 * (RTM_NEWNEIGH with NTF_USE: the kernel creates the entry if needed and
 * sends an ARP request or a neighbour solicitation, as a send would).
 * One short-lived socket per request: these run at node creation and on a
 * neighbour cache miss, never per packet. Control path, any thread.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "node_pvt.h"

#define NL_BUF 4096

struct nl_req {
	struct nlmsghdr h;
	union {
		struct ifaddrmsg ifa;
		struct ndmsg nd;
	};
	char attrs[64];
};

static void
nl_attr_add(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static size_t
nl_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/*
 * Send r, read the answer into buf. Returns the answer's length, or a
 * negative errno: the socket's, or the kernel's from an NLMSG_ERROR.
 */
static int
nl_talk(struct nl_req *r, char *buf, size_t size)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h;
	struct nlmsgerr *e;
	ssize_t len;
	int fd, rc;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	r->h.nlmsg_seq = 1;
	/* EINTR: net_tap's SIGIO, among others */
	while (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel,
		      sizeof(kernel)) < 0) {
		if (errno == EINTR)
			continue;
		rc = -errno;
		goto out;
	}
	while ((len = recv(fd, buf, size, 0)) < 0 && errno == EINTR)
		;
	if (len < 0) {
		rc = -errno;
		goto out;
	}
	h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, (size_t)len)) {
		rc = -EIO;
		goto out;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		e = NLMSG_DATA(h);
		rc = e->error; /* 0 for an acknowledgement */
		goto out;
	}
	rc = (int)len;
out:
	close(fd);
	return rc;
}

int
node_nl_addr_add(int ifindex, int family, const void *addr, uint8_t plen)
{
	struct nl_req r;
	char buf[NL_BUF];
	uint32_t flags = IFA_F_NODAD; /* usable at once: no DAD wait */

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifa));
	r.h.nlmsg_type = RTM_NEWADDR;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			  NLM_F_REPLACE;
	r.ifa.ifa_family = family;
	r.ifa.ifa_prefixlen = plen;
	r.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r.ifa.ifa_index = ifindex;
	nl_attr_add(&r, IFA_LOCAL, addr, nl_alen(family));
	nl_attr_add(&r, IFA_ADDRESS, addr, nl_alen(family));
	if (family == AF_INET6)
		nl_attr_add(&r, IFA_FLAGS, &flags, sizeof(flags));
	return nl_talk(&r, buf, sizeof(buf));
}

/* The link-layer address in an RTM_NEWNEIGH answer, if its state has one. */
static int
nl_neigh_parse(const char *buf, int len, struct rte_ether_addr *mac,
	       uint16_t *state)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct ndmsg *nd;
	const struct rtattr *a;
	int alen;

	if (!NLMSG_OK(h, (unsigned int)len) || h->nlmsg_type != RTM_NEWNEIGH)
		return -EIO;
	nd = NLMSG_DATA(h);
	*state = nd->ndm_state;
	alen = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	for (a = (const struct rtattr *)((const char *)nd +
					  NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == NDA_LLADDR &&
		    RTA_PAYLOAD(a) == RTE_ETHER_ADDR_LEN) {
			memcpy(mac, RTA_DATA(a), RTE_ETHER_ADDR_LEN);
			return 0;
		}
	}
	return -ENOENT;
}

int
node_nl_neigh_get(int ifindex, int family, const void *addr,
		  struct rte_ether_addr *mac, uint16_t *state)
{
	struct nl_req r;
	char buf[NL_BUF];
	int rc;

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(r.nd));
	r.h.nlmsg_type = RTM_GETNEIGH;
	r.h.nlmsg_flags = NLM_F_REQUEST;
	r.nd.ndm_family = family;
	r.nd.ndm_ifindex = ifindex;
	nl_attr_add(&r, NDA_DST, addr, nl_alen(family));
	rc = nl_talk(&r, buf, sizeof(buf));
	if (rc <= 0)
		return rc == 0 ? -EIO : rc;
	return nl_neigh_parse(buf, rc, mac, state);
}

int
node_nl_neigh_use(int ifindex, int family, const void *addr)
{
	struct nl_req r;
	char buf[NL_BUF];

	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(r.nd));
	r.h.nlmsg_type = RTM_NEWNEIGH;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	r.nd.ndm_family = family;
	r.nd.ndm_ifindex = ifindex;
	r.nd.ndm_flags = NTF_USE;
	r.nd.ndm_state = NUD_NONE;
	nl_attr_add(&r, NDA_DST, addr, nl_alen(family));
	return nl_talk(&r, buf, sizeof(buf));
}
