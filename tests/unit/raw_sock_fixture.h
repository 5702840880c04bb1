/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RAW_SOCK_FIXTURE_H
#define PK_RAW_SOCK_FIXTURE_H

/*
 * What the raw socket tests share, on the sockets' node (sock_fixture.h,
 * included before): owners' accounts, raw sockets bound, IPv4 datagrams
 * with every checksum wrong, the frames the node put on its net_ring
 * uplink, and a check of what left.
 */

#include <rte_ip.h>
#include <rte_tcp.h>

#define PEER_PORT 4001
#define FORGED "6.6.6.6"

static inline struct pk_owner_stats
acct(int owner)
{
	struct pk_owner_stats st;

	assert_int_equal(pk_owner_stats_get(owner, &st), 0);
	return st;
}

/* Packets in row/col of owner's account since before. */
static inline uint64_t
acct_delta(int owner, const struct pk_owner_stats *before,
	   enum pk_acct_row row, enum pk_acct_col col)
{
	struct pk_owner_stats now = acct(owner);

	return now.row[row].pkts[col] - before->row[row].pkts[col];
}

static inline struct pk_sock *
open_raw(int owner, enum pk_sock_type type, uint8_t proto, uint16_t port,
	 int want)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, port);
	struct pk_sock *s = pk_sock_open(fix.node, owner, AF_INET, type,
					 PK_SOCK_F_NONBLOCK);

	assert_non_null(s);
	assert_int_equal(pk_sock_bind_raw(s, proto, (void *)&a, sizeof(a)),
			 want);
	return s;
}

static inline struct pk_sock *
open_udp(int owner, uint16_t port)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, port);
	struct pk_sock *s = pk_sock_open(fix.node, owner, AF_INET, PK_SOCK_UDP,
					 PK_SOCK_F_NONBLOCK);

	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, (void *)&a, sizeof(a)), 0);
	return s;
}

/* An IPv4 datagram src:sport -> dst:dport of proto (UDP, TCP, or ICMP echo
 * request with id sport), payload "raw!", every checksum wrong. */
static inline size_t
dgram(uint8_t *b, const char *src, uint16_t sport, const char *dst,
      uint16_t dport, uint8_t proto)
{
	struct rte_ipv4_hdr *ip = (void *)b;
	size_t l4 = proto == IPPROTO_TCP ? 20 : 8, len = 20 + l4 + 4;
	uint8_t *t = b + 20;

	memset(b, 0, len);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)len);
	ip->time_to_live = 0; /* the check writes its default */
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0xbeef;
	inet_pton(AF_INET, src, &ip->src_addr);
	inet_pton(AF_INET, dst, &ip->dst_addr);
	if (proto == IPPROTO_ICMP) {
		t[0] = 8; /* echo request, id at 4 */
		rte_memcpy(t + 4, &(rte_be16_t){ rte_cpu_to_be_16(sport) }, 2);
	} else {
		rte_memcpy(t, &(rte_be16_t){ rte_cpu_to_be_16(sport) }, 2);
		rte_memcpy(t + 2, &(rte_be16_t){ rte_cpu_to_be_16(dport) }, 2);
		if (proto == IPPROTO_UDP)
			rte_memcpy(t + 4, &(rte_be16_t){
				rte_cpu_to_be_16((uint16_t)(l4 + 4)) }, 2);
		else
			t[12] = 5 << 4; /* data offset */
	}
	t[proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2] = 0x55;
	memcpy(b + 20 + l4, "raw!", 4);
	return len;
}

/* The frame the node put on the uplink (a net_ring loop), or NULL. */
static inline struct rte_mbuf *
wire(void)
{
	struct rte_mbuf *m = NULL;
	unsigned int i;

	for (i = 0; i < 3 && m == NULL; i++) {
		pk_node_run(fix.node); /* egress queue -> uplink TX */
		if (rte_eth_rx_burst(fix.uplink, 0, &m, 1) == 0)
			m = NULL;
	}
	return m;
}

/* A datagram from the peer to s's port, received: s learns the peer. TCP:
 * the same bytes called TCP (a raw socket does not look at them). */
static inline void
hello(struct pk_sock *s, uint16_t port, uint8_t proto)
{
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, PEER_PORT);
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, port);
	struct rte_mbuf *m = fix_frame(&p, &a, sizeof(p), "hello, tcp port",
				       false);
	struct rte_ipv4_hdr *ip;
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	uint8_t buf[128];

	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	assert_int_equal(fix_ingress(&m, 1), 1);
	assert_true(pk_sock_recvfrom(s, buf, sizeof(buf), 0, (void *)&from,
				     &len) > 0);
}

/* Check frame m that left (and free it): the node's MAC and address,
 * proto, len bytes of IP, checksums valid. */
static inline void
check_left(struct rte_mbuf *m, uint8_t proto, size_t len)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct in_addr self;

	assert_non_null(m);
	assert_int_equal(m->pkt_len, 14 + len);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &fix_peer_mac));
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	inet_pton(AF_INET, FIX_NODE_IP, &self);
	assert_int_equal(ip->src_addr, self.s_addr);
	assert_int_equal(ip->next_proto_id, proto);
	assert_int_equal(ip->time_to_live, PK_RAW_TTL_DEFAULT);
	assert_int_equal(rte_ipv4_cksum(ip), 0); /* 0xffff folds to 0 */
	if (proto == IPPROTO_ICMP)
		assert_int_equal(rte_raw_cksum(ip + 1, len - 20), 0xffff);
	else
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	rte_pktmbuf_free(m);
}

/* Check the next frame the node puts on the wire. */
static inline void
expect_on_wire(uint8_t proto, size_t len)
{
	check_left(wire(), proto, len);
}

#endif /* PK_RAW_SOCK_FIXTURE_H */
