/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node's kernel side: a net_tap port "net_tap_<node>" whose kernel
 * interface (conf tap_name, "pk-<node>") carries the uplink's MAC and the
 * node's addresses, so that the kernel answers ARP, neighbour discovery,
 * ping and whatever no socket claims, and its own TCP sockets live there.
 * The IPv6 address is added with IFA_F_NODAD: usable at once, no duplicate
 * detection wait. The node sets no route: the kernel's connected routes for
 * the prefixes are there; a default route via gateway4 is left to the user
 * (ip route add default via GW dev TAP), since the host's own routing is
 * theirs.
 *
 * Queues (node_pvt.h): the TAP has NODE_TAP_QUEUES queue pairs. TX queue 0
 * is the node thread's: the root demux's miss stage (a port_tx counting
 * bytes) pushes into it. TX queue 1 is for TCP sockets that reinject into
 * the kernel from their own threads, under the node's reinject_lock. The
 * kernel spreads its packets over the RX queues; the round reads all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_dev.h>
#include <rte_ethdev.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_port.h>

#include "node_pvt.h"

#define NODE_TAP_DESC 512

static void
node_tap_devname(const struct pk_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "net_tap_%s", n->name);
}

/* net_tap sets its interface up when started; make sure it stayed so. */
static int
node_tap_up(const char *ifname)
{
	struct ifreq ifr;
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			rc = -errno;
	}
	close(fd);
	return rc;
}

/*
 * No duplicate address detection on the TAP: its MAC is the uplink's, its
 * addresses the node's. Without this its link-local address stays
 * tentative for a second or two after it comes up, and the kernel sends no
 * neighbour solicitation (NTF_USE) until it is not. Before the port starts,
 * so that the link-local address comes up usable. Without IPv6, nothing.
 */
static void
node_tap_no_dad(const char *ifname)
{
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_dad",
		 ifname);
	f = fopen(path, "we");
	if (f == NULL)
		return;
	fputs("0\n", f);
	fclose(f);
}

/* The kernel interface: found, addressed, up. */
static int
node_tap_kernel(struct pk_node *n)
{
	static const struct in6_addr none = IN6ADDR_ANY_INIT;
	int rc;

	n->tap_ifindex = (int)if_nametoindex(n->tap_name);
	if (n->tap_ifindex == 0) {
		rc = -errno;
		PK_LOG(ERR, "%s: no kernel interface %s: %s", n->name,
		       n->tap_name, strerror(-rc));
		return rc;
	}
	rc = node_nl_addr_add(n->tap_ifindex, AF_INET, &n->addr4, n->plen4);
	if (rc == 0 && memcmp(&n->addr6, &none, sizeof(none)) != 0)
		rc = node_nl_addr_add(n->tap_ifindex, AF_INET6, &n->addr6,
				      n->plen6);
	if (rc != 0) {
		PK_LOG(ERR, "%s: address on %s: %s", n->name, n->tap_name,
		       strerror(-rc));
		return rc;
	}
	rc = node_tap_up(n->tap_name);
	if (rc != 0)
		PK_LOG(ERR, "%s: %s up: %s", n->name, n->tap_name,
		       strerror(-rc));
	return rc;
}

int
node_tap_open(struct pk_node *n, const struct pk_node_conf *conf)
{
	struct pk_port_conf pc = {
		.nb_rxq = NODE_TAP_QUEUES, .nb_txq = NODE_TAP_QUEUES,
		.nb_rxd = NODE_TAP_DESC, .nb_txd = NODE_TAP_DESC,
		.mp = conf->mp,
	};
	char dev[RTE_DEV_NAME_MAX_LEN], args[96];
	char mac[RTE_ETHER_ADDR_FMT_SIZE], sname[PK_STAGE_NAMESIZE];
	uint16_t port;
	int rc;

	node_tap_devname(n, dev, sizeof(dev));
	rte_ether_format_addr(mac, sizeof(mac), &n->mac);
	snprintf(args, sizeof(args), "iface=%s,mac=%s", n->tap_name, mac);
	rc = rte_eal_hotplug_add("vdev", dev, args); /* rte_vdev_init() */
	if (rc != 0) {
		PK_LOG(ERR, "%s: cannot make %s (%s): %s", n->name, dev, args,
		       rte_strerror(-rc));
		return rc == -EEXIST ? -EEXIST : -ENODEV;
	}
	if (rte_eth_dev_get_port_by_name(dev, &port) != 0) {
		PK_LOG(ERR, "%s: %s made, but no port", n->name, dev);
		rte_eal_hotplug_remove("vdev", dev);
		return -ENODEV;
	}
	n->tap = port;
	node_tap_no_dad(n->tap_name);
	rc = pk_port_setup(port, &pc);
	if (rc != 0)
		return rc;
	rc = node_tap_kernel(n);
	if (rc != 0)
		return rc;
	snprintf(sname, sizeof(sname), "%s-exc", n->name);
	n->exc = pk_port_tx_create(sname, port, 0, PK_STAGE_F_BYTES);
	if (n->exc == NULL)
		return -rte_errno;
	return 0;
}

void
node_tap_close(struct pk_node *n)
{
	char dev[RTE_DEV_NAME_MAX_LEN];
	int rc;

	pk_stage_destroy(n->exc);
	n->exc = NULL;
	if (n->tap == UINT16_MAX)
		return;
	/* what the kernel sent and no round read is still the kernel's; the
	 * RX queues' own mbufs go back to the pool when the port closes */
	rc = pk_port_close(n->tap);
	if (rc != 0)
		PK_LOG(WARNING, "%s: closing the TAP port: %s", n->name,
		       rte_strerror(-rc));
	node_tap_devname(n, dev, sizeof(dev));
	rte_eal_hotplug_remove("vdev", dev);
	n->tap = UINT16_MAX;
	n->tap_ifindex = 0;
}
