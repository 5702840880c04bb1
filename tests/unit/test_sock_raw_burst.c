/* SPDX-License-Identifier: BSD-3-Clause */
/* Raw sends in bursts (pk_sock_send_burst() on a raw socket), on the
 * sockets' node (sock_fixture.h: its uplink a net_ring loop): every
 * datagram is checked as pk_sock_send() checks it; a burst stops before the
 * first one refused, which the next call refuses (and counts, once); a full
 * egress queue takes fewer and gives the rest back as the datagrams they
 * were; an address is refused (each datagram names its own). Accounting by
 * row as for single sends. The replies to a raw socket's echo requests
 * reach it. Every test ends with full pools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include "pk_test.h"
#include "sock_fixture.h"
#include "raw_sock_fixture.h"

#define QSIZE 64
#define EGRESS 64 /* the node's egress queue (its default): 63 frames */

/* An mbuf holding a datagram of dgram(). */
static struct rte_mbuf *
dgram_mbuf(const char *src, uint16_t sport, uint8_t proto)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fix.pool);
	uint8_t b[64];
	size_t len = dgram(b, src, sport, FIX_PEER_IP, PEER_PORT, proto);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), b, len);
	return m;
}

/* The next n frames on the wire, all of proto and len bytes of IP; one
 * round puts them there (the next would take them in as misses). */
static void
expect_frames(unsigned int n, uint8_t proto, size_t len)
{
	static struct rte_mbuf *held[8];
	static unsigned int nb_held, next;
	unsigned int i;

	if (next == nb_held) {
		pk_node_run(fix.node);
		nb_held = rte_eth_rx_burst(fix.uplink, 0, held, 8);
		next = 0;
	}
	assert_true(nb_held - next >= n);
	for (i = 0; i < n; i++)
		check_left(held[next++], proto, len);
}

static void
test_burst_stops_before_refused(void **state)
{
	struct pk_owner_stats before = acct(fix.alice);
	struct sockaddr_in peer = fix_sin4(FIX_PEER_IP, 9);
	struct rte_mbuf *pkts[6];
	struct pk_sock_stats st;
	struct pk_sock *s;
	size_t len;
	unsigned int i;

	(void)state;
	s = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 5103, 0);
	hello(s, 5103, IPPROTO_UDP);
	for (i = 0; i < 3; i++)
		pkts[i] = dgram_mbuf(FORGED, 5103, IPPROTO_UDP);
	pkts[3] = dgram_mbuf(FIX_NODE_IP, 5999, IPPROTO_UDP); /* not its port */
	pkts[4] = dgram_mbuf(FORGED, 5103, IPPROTO_ICMP);    /* echo, id 5103 */
	pkts[5] = dgram_mbuf(FORGED, 5103, IPPROTO_UDP);
	len = pkts[0]->pkt_len;
	assert_int_equal(pk_sock_send_burst(s, pkts, 6, (void *)&peer,
					    sizeof(peer)), -EINVAL);
	assert_int_equal(pk_sock_send_burst(s, pkts, 6, NULL, 0), 3);
	expect_frames(3, IPPROTO_UDP, len);
	assert_int_equal(pk_sock_raw_refused(s, PK_RAW_SPORT), 0);
	/* the refused one is the answer now: counted once, left unchanged */
	assert_int_equal(pk_sock_send_burst(s, pkts + 3, 3, NULL, 0), -EPERM);
	assert_int_equal(pk_sock_raw_refused(s, PK_RAW_SPORT), 1);
	assert_int_equal(rte_pktmbuf_mtod_offset(pkts[3], uint8_t *, 9)[0],
			 IPPROTO_UDP);
	rte_pktmbuf_free(pkts[3]);
	assert_int_equal(pk_sock_send_burst(s, pkts + 4, 2, NULL, 0), 2);
	expect_frames(1, IPPROTO_ICMP, 20 + 8 + 4);
	expect_frames(1, IPPROTO_UDP, len);
	assert_null(wire());
	assert_int_equal(pk_sock_stats_get(s, &st), 0);
	assert_int_equal(st.tx_pkts, 5);
	assert_int_equal(st.tx_bytes, 4 * len + 20 + 8 + 4);
	assert_int_equal(st.tx_dropped, 1);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_UDP,
				    PK_ACCT_SENT), 4);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_ICMP,
				    PK_ACCT_SENT), 1);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_UDP,
				    PK_ACCT_DROPPED), 1);
	pk_sock_close(s);
}

/* More than the egress queue holds: it takes what fits, the rest come back
 * as datagrams (Ethernet header off), counted dropped as a full queue's
 * are, and a later burst sends them as they are. */
static void
test_burst_full_queue(void **state)
{
	struct pk_owner_stats before = acct(fix.alice);
	struct rte_mbuf *pkts[2 * EGRESS], *wire_pkts[32];
	struct pk_sock_stats st;
	struct pk_sock *s;
	unsigned int i, taken, rounds;
	uint64_t on_wire = 0;
	uint16_t nw;
	size_t len;
	int k;

	(void)state;
	s = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 5104, 0);
	hello(s, 5104, IPPROTO_UDP);
	for (i = 0; i < 2 * EGRESS; i++)
		pkts[i] = dgram_mbuf(FORGED, 5104, IPPROTO_UDP);
	len = pkts[0]->pkt_len;
	k = pk_sock_send_burst(s, pkts, 2 * EGRESS, NULL, 0);
	assert_int_equal(k, EGRESS - 1);
	for (i = (unsigned int)k; i < 2 * EGRESS; i++) /* whole, checked */
		assert_int_equal(pkts[i]->pkt_len, len);
	assert_int_equal(pk_sock_stats_get(s, &st), 0);
	assert_int_equal(st.tx_pkts, EGRESS - 1);
	assert_int_equal(st.tx_dropped, 1); /* its chunk's one refused */
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_UDP,
				    PK_ACCT_DROPPED), 1);
	taken = (unsigned int)k;
	for (rounds = 0; rounds < 100 &&
	     (taken < 2 * EGRESS || on_wire < 2 * EGRESS); rounds++) {
		pk_node_run(fix.node);
		while ((nw = rte_eth_rx_burst(fix.uplink, 0, wire_pkts, 32)) >
		       0) {
			on_wire += nw;
			rte_pktmbuf_free_bulk(wire_pkts, nw);
		}
		if (taken == 2 * EGRESS)
			continue;
		k = pk_sock_send_burst(s, pkts + taken,
				       (uint16_t)(2 * EGRESS - taken), NULL, 0);
		assert_true(k >= 0);
		taken += (unsigned int)k;
	}
	assert_int_equal(on_wire, 2 * EGRESS);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_UDP,
				    PK_ACCT_SENT), 2 * EGRESS);
	assert_int_equal(taken, 2 * EGRESS);
	pk_sock_close(s);
}

/* An echo reply whose identifier is the raw socket's port reaches it,
 * whole; one for another identifier does not. */
static void
test_echo_reply_reaches_raw(void **state)
{
	struct rte_mbuf *m;
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct pk_sock *s;
	uint8_t b[64], got[64];
	unsigned int i;
	size_t len;

	(void)state;
	s = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 5105, 0);
	for (i = 0; i < 2; i++) {
		len = dgram(b, FIX_PEER_IP, i == 0 ? 5105 : 5106, FIX_NODE_IP,
			    0, IPPROTO_ICMP);
		b[20] = 0; /* echo reply */
		ip = (struct rte_ipv4_hdr *)b;
		ip->time_to_live = 64;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		m = rte_pktmbuf_alloc(fix.pool);
		assert_non_null(m);
		eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			(uint16_t)(sizeof(*eh) + len));
		rte_eth_macaddr_get(fix.uplink, &eh->dst_addr);
		eh->src_addr = fix_peer_mac;
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		memcpy(eh + 1, b, len);
		/* the other identifier is nobody's: a miss, dropped */
		assert_int_equal(fix_ingress(&m, 1), 1 - i);
	}
	assert_int_equal(pk_sock_recv(s, got, sizeof(got), 0), 20 + 8 + 4);
	assert_int_equal(got[9], IPPROTO_ICMP);
	assert_int_equal(got[20], 0);
	assert_int_equal(pk_sock_recv(s, got, sizeof(got), 0), -EAGAIN);
	pk_sock_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_burst_stops_before_refused,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_burst_full_queue,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_echo_reply_reaches_raw,
					  pk_test_teardown_pools_full),
	};
	int rc;

	fix_egress_queue = EGRESS;
	fix_setup("test_sock_raw_burst", QSIZE);
	assert_int_equal(pk_portmap_reserve(pk_node_portmap(fix.node),
					    fix.alice, IPPROTO_UDP, 7000, 7009,
					    NULL), 0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fix_teardown();
	return rc;
}
