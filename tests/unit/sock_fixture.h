/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SOCK_FIXTURE_H
#define PK_SOCK_FIXTURE_H

/*
 * The socket tests' node: its uplink a net_ring loop (what the node sends
 * comes back on its RX), misses dropped (no TAP, no root), owners alice and
 * bob, and frames from a peer built with pk_udp_encap(). The test thread
 * pushes frames into the root demux as the node's thread would. Include
 * after pk_test.h.
 */

#include <arpa/inet.h>
#include <string.h>

#include <rte_ethdev.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_udp.h>

#define FIX_NODE_IP "10.0.0.1"
#define FIX_PEER_IP "10.0.0.2"

struct sock_fixture {
	struct rte_mempool *pool;
	uint16_t uplink;
	struct pk_node *node;
	int alice, bob;
};

static struct sock_fixture fix;
/* The node's egress queue size, 0 for its default: set before setup. */
static uint32_t fix_egress_queue;
static const struct rte_ether_addr fix_peer_mac = {
	{ 0x02, 0, 0, 0, 0, 0x02 } };

static inline struct sockaddr_in
fix_sin4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/* A datagram from the peer (src) to the node (dst), as the uplink gets it;
 * bad_csum flips a payload byte so that its UDP checksum fails. */
static inline struct rte_mbuf *
fix_frame(const void *src, const void *dst, size_t salen, const char *payload,
	  bool bad_csum)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fix.pool);
	struct pk_udp_tx tx = { 0 };
	size_t len = strlen(payload);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, len), payload, len);
	rte_eth_macaddr_get(fix.uplink, &tx.dst_mac);
	tx.src_mac = fix_peer_mac;
	memcpy(&tx.local, src, salen);
	memcpy(&tx.remote, dst, salen);
	assert_int_equal(pk_udp_encap(m, &tx), 0);
	if (bad_csum)
		*rte_pktmbuf_mtod_offset(m, uint8_t *, m->pkt_len - 1) ^= 0xff;
	return m;
}

/* Push into the root demux as the node's thread; free what comes back. */
static inline unsigned int
fix_ingress(struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = pk_stage_push(pk_node_demux(fix.node), pkts, n);

	rte_pktmbuf_free_bulk(pkts + k, n - k);
	return k;
}

/* Start the EAL with vdevs (NULL-terminated, "net_ring0" first: the
 * uplink) and build the node; socket_queue: each socket's queue. */
static inline void
fix_setup_vdevs(const char *test_name, const char *const *vdevs,
		uint32_t socket_queue)
{
	static const char *const extra[] = { "-m", "512", NULL };
	struct pk_port_conf pc = { 0 };
	struct pk_node_conf nc = { 0 };

	pk_test_eal_init(test_name, vdevs, extra);
	fix.pool = pk_test_pool("sock_pool", 4096);
	assert_int_equal(pk_port_lookup("net_ring0", &fix.uplink), 0);
	pc.mp = fix.pool;
	assert_int_equal(pk_port_setup(fix.uplink, &pc), 0);
	fix.alice = pk_owner_create("alice");
	fix.bob = pk_owner_create("bob");
	assert_true(fix.alice > 0 && fix.bob > 0);
	nc.name = "n0";
	nc.uplink = fix.uplink;
	nc.mp = fix.pool;
	inet_pton(AF_INET, FIX_NODE_IP, &nc.addr4);
	nc.plen4 = 24;
	inet_pton(AF_INET6, "fd00::1", &nc.addr6);
	nc.plen6 = 64;
	nc.exception = PK_NODE_EXC_DROP;
	nc.socket_queue = socket_queue;
	nc.egress_queue = fix_egress_queue;
	fix.node = pk_node_create(&nc);
	assert_non_null(fix.node);
}

/* Start the EAL and build the node; socket_queue: each socket's queue. */
static inline void
fix_setup(const char *test_name, uint32_t socket_queue)
{
	static const char *const vdevs[] = { "net_ring0", NULL };

	fix_setup_vdevs(test_name, vdevs, socket_queue);
}

static inline void
fix_teardown(void)
{
	pk_node_destroy(fix.node);
	pk_port_close(fix.uplink);
	pk_test_eal_cleanup();
}

#endif /* PK_SOCK_FIXTURE_H */
