/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_NODE_FIXTURE_H
#define PK_NODE_FIXTURE_H

/*
 * What the tests of the SILK node on a net_ring loopback share
 * (test_node.c, test_node_ingress.c): the pool, the ring port, a node
 * made per test (setup, teardown: the socket's path, the node, what the
 * loop still holds, then the pools full), frames to a UDP port sent in
 * through the loop, and IPv4 fragments of a frame. Include after
 * node_pvt.h and pk_test.h.
 */

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_memcpy.h>

#include <pathkit/pathkit.h>

#define LOCAL_IP "10.0.0.2" /* pk_test_udp4()'s destination */
#define FRAME 64

static struct rte_mempool *pool;
static uint16_t ring_port;

struct fx {
	struct pk_node *n;
	struct pk_path *p; /* a "socket": one queue, owner alice */
};

static inline struct pk_node_conf
conf_of(const char *name)
{
	struct pk_node_conf c = {
		.name = name, .uplink = ring_port, .mp = pool,
		.exception = PK_NODE_EXC_DROP, .socket_id = SOCKET_ID_ANY,
	};

	inet_pton(AF_INET, LOCAL_IP, &c.addr4);
	return c;
}

static inline int
setup(void **state)
{
	struct pk_node_conf c = conf_of("n0");
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->n = pk_node_create(&c);
	assert_non_null(f->n);
	*state = f;
	return 0;
}

static inline int
teardown(void **state)
{
	struct fx *f = *state;
	struct rte_mbuf *m[32];
	uint16_t k;

	if (f->p != NULL) { /* as a socket's close: keys off, then the path */
		pk_demux_flow_remove_target(pk_node_demux(f->n),
					    pk_path_stage(f->p));
		pk_path_destroy(f->p);
	}
	pk_node_destroy(f->n);
	while ((k = rte_eth_rx_burst(ring_port, 0, m, 32)) > 0)
		rte_pktmbuf_free_bulk(m, k);
	free(f);
	pk_test_assert_pools_full();
	return 0;
}

/* A frame 10.0.0.1:1024 -> 10.0.0.2:dport. */
static inline struct rte_mbuf *
udp_to(uint16_t dport)
{
	struct rte_mbuf *m = pk_test_udp4(pool, FRAME, 64, dport);
	struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m,
		struct rte_udp_hdr *, sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_ipv4_hdr));

	u->dst_port = rte_cpu_to_be_16(dport);
	return m;
}

static inline void
inject(struct rte_mbuf **m, uint16_t k)
{
	assert_int_equal(rte_eth_tx_burst(ring_port, 0, m, k), k);
}

/* One fragment of a datagram frame d (Ethernet, 20-byte IPv4 header):
 * its IP payload bytes [off, off + len), more fragments follow if mf. */
static inline struct rte_mbuf *
fragment(const struct rte_mbuf *d, uint16_t off, uint16_t len, bool mf)
{
	const uint16_t hl = sizeof(struct rte_ether_hdr) +
			    sizeof(struct rte_ipv4_hdr);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ipv4_hdr *ip;
	const char *src;
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, hl + len);
	assert_non_null(p);
	src = rte_pktmbuf_mtod(d, const char *);
	rte_memcpy(p, src, hl); /* memcpy: a false -Warray-bounds */
	rte_memcpy(p + hl, src + hl + off, len);
	ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + len);
	ip->fragment_offset = rte_cpu_to_be_16((off / 8) |
					       (mf ? RTE_IPV4_HDR_MF_FLAG : 0));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

#endif /* PK_NODE_FIXTURE_H */
