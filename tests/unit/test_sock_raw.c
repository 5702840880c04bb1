/* SPDX-License-Identifier: BSD-3-Clause */
/* Raw and ICMP-error sockets on the sockets' node (sock_fixture.h: its
 * uplink a net_ring loop, misses dropped): bind rules (another owner's
 * reserved port, a raw socket is its port's one consumer, one ICMP-error
 * socket per port and only for the port's owner); raw receive gives the
 * IP datagram whole; a raw send with a forged source leaves with the
 * node's address and valid checksums; a wrong source port, protocol or
 * length is refused, counted by verdict and on the owner, and never
 * reaches the wire; an ICMP port-unreachable quoting a datagram a port
 * sent reaches the port's ICMP-error socket and not the port's socket,
 * and none while another owner holds the port; the raw_udp, raw_tcp and
 * raw_icmp rows fill in. Every test ends with full pools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "pk_test.h"
#include "sock_fixture.h"
#include "raw_sock_fixture.h"

#define QSIZE 64

static void
test_bind_rules(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5000);
	struct pk_sock *udp, *raw, *tcp, *b, *e1, *e2, *e3;

	(void)state;
	/* another owner's reserved port, for either kind */
	pk_sock_close(open_raw(fix.bob, PK_SOCK_RAW, IPPROTO_UDP, 7005,
			       -EACCES));
	pk_sock_close(open_raw(fix.bob, PK_SOCK_ICMPERR, IPPROTO_UDP, 7005,
			       -EACCES));
	/* one consumer per port: UDP then raw, raw then UDP */
	udp = open_udp(fix.alice, 5000);
	pk_sock_close(open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 5000,
			       -EADDRINUSE));
	raw = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 7001, 0);
	b = pk_sock_open(fix.node, fix.alice, AF_INET, PK_SOCK_UDP, 0);
	a.sin_port = htons(7001);
	assert_int_equal(pk_sock_bind(b, (void *)&a, sizeof(a)), -EADDRINUSE);
	pk_sock_close(b);
	tcp = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_TCP, 7001, 0);
	/* what a raw socket does not do */
	assert_int_equal(pk_sock_connect(raw, (void *)&a, sizeof(a)),
			 -EOPNOTSUPP);
	assert_int_equal(pk_sock_bind(raw, (void *)&a, sizeof(a)),
			 -EOPNOTSUPP);
	assert_int_equal(pk_sock_bind_raw(udp, IPPROTO_UDP, (void *)&a,
					  sizeof(a)), -EOPNOTSUPP);
	b = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_ICMP, 7002,
		     -EPROTONOSUPPORT);
	assert_int_equal(pk_sock_send(b, "x", 1, 0), -EINVAL); /* unbound */
	pk_sock_close(b);
	/* ICMP-error sockets: the port's owner only, one per port */
	pk_sock_close(open_raw(fix.bob, PK_SOCK_ICMPERR, IPPROTO_UDP, 5000,
			       -EACCES));
	e1 = open_raw(fix.alice, PK_SOCK_ICMPERR, IPPROTO_UDP, 5000, 0);
	e2 = open_raw(fix.alice, PK_SOCK_ICMPERR, IPPROTO_UDP, 5000,
		      -EADDRINUSE);
	e3 = open_raw(fix.alice, PK_SOCK_ICMPERR, IPPROTO_UDP, 0, -EINVAL);
	assert_int_equal(pk_sock_send(e1, "x", 1, 0), -EOPNOTSUPP);
	pk_sock_close(e3);
	pk_sock_close(e2);
	pk_sock_close(e1);
	pk_sock_close(tcp);
	pk_sock_close(raw);
	pk_sock_close(udp);
	/* all given back */
	raw = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 5000, 0);
	pk_sock_close(raw);
}

static void
test_raw_receive_whole_datagram(void **state)
{
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, PEER_PORT);
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5002), from;
	struct pk_owner_stats before = acct(fix.alice);
	struct pk_sock *s;
	struct rte_mbuf *m;
	socklen_t len = sizeof(from);
	uint8_t buf[128];

	(void)state;
	s = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 5002, 0);
	assert_int_equal(pk_sock_recv(s, buf, sizeof(buf), 0), -EAGAIN);
	m = fix_frame(&p, &a, sizeof(p), "hello", false);
	assert_int_equal(fix_ingress(&m, 1), 1);
	assert_int_equal(pk_sock_recvfrom(s, buf, sizeof(buf), 0,
					  (void *)&from, &len), 20 + 8 + 5);
	assert_int_equal(buf[0], 0x45);
	assert_int_equal(buf[9], IPPROTO_UDP);
	assert_memory_equal(buf + 12, &p.sin_addr, 4);
	assert_memory_equal(buf + 20 + 2, &a.sin_port, 2);
	assert_memory_equal(buf + 28, "hello", 5);
	assert_int_equal(from.sin_addr.s_addr, p.sin_addr.s_addr);
	/* and without a copy */
	m = fix_frame(&p, &a, sizeof(p), "again", false);
	assert_int_equal(fix_ingress(&m, 1), 1);
	assert_int_equal(pk_sock_recv_burst(s, &m, 1, 0), 1);
	assert_int_equal(m->pkt_len, 20 + 8 + 5);
	assert_int_equal(*rte_pktmbuf_mtod(m, uint8_t *), 0x45);
	rte_pktmbuf_free(m);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_UDP,
				    PK_ACCT_RECEIVED), 2);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_UDP,
				    PK_ACCT_RECEIVED), 0);
	pk_sock_close(s);
}

static void
test_raw_send_checked(void **state)
{
	struct pk_owner_stats before = acct(fix.alice);
	struct sockaddr_in peer = fix_sin4(FIX_PEER_IP, 9);
	struct sockaddr_in other = fix_sin4("10.0.0.3", 9);
	struct pk_sock_stats st;
	struct pk_sock *s, *t;
	uint8_t b[64];
	size_t len;

	(void)state;
	s = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 5003, 0);
	hello(s, 5003, IPPROTO_UDP); /* the peer's MAC, as a reply learns it */
	/* a forged source leaves as the node's */
	len = dgram(b, FORGED, 5003, FIX_PEER_IP, PEER_PORT, IPPROTO_UDP);
	assert_int_equal(pk_sock_send(s, b, len, 0), (ssize_t)len);
	expect_on_wire(IPPROTO_UDP, len);
	/* sendto: the address must be the datagram's (its port ignored) */
	assert_int_equal(pk_sock_sendto(s, b, len, 0, (void *)&other,
					sizeof(other)), -EINVAL);
	assert_int_equal(pk_sock_sendto(s, b, len, 0, (void *)&peer,
					sizeof(peer)), (ssize_t)len);
	expect_on_wire(IPPROTO_UDP, len);
	/* an echo request whose id is the port: raw_icmp */
	len = dgram(b, FORGED, 5003, FIX_PEER_IP, 0, IPPROTO_ICMP);
	assert_int_equal(pk_sock_send(s, b, len, 0), (ssize_t)len);
	expect_on_wire(IPPROTO_ICMP, len);
	/* refused: another port, another protocol, a lying length */
	len = dgram(b, FIX_NODE_IP, 5999, FIX_PEER_IP, PEER_PORT,
		    IPPROTO_UDP);
	assert_int_equal(pk_sock_send(s, b, len, 0), -EPERM);
	len = dgram(b, FIX_NODE_IP, 5003, FIX_PEER_IP, PEER_PORT,
		    IPPROTO_TCP);
	assert_int_equal(pk_sock_send(s, b, len, 0), -EPERM);
	len = dgram(b, FIX_NODE_IP, 5003, FIX_PEER_IP, PEER_PORT,
		    IPPROTO_UDP);
	assert_int_equal(pk_sock_send(s, b, len - 1, 0), -EINVAL);
	assert_null(wire()); /* none of them left */
	assert_int_equal(pk_sock_raw_refused(s, PK_RAW_SPORT), 1);
	assert_int_equal(pk_sock_raw_refused(s, PK_RAW_PROTO), 1);
	assert_int_equal(pk_sock_raw_refused(s, PK_RAW_LENGTH), 1);
	assert_int_equal(pk_sock_raw_refused(s, PK_RAW_OK), 0);
	assert_int_equal(pk_sock_stats_get(s, &st), 0);
	assert_int_equal(st.tx_pkts, 3);
	assert_int_equal(st.tx_dropped, 4); /* the address too */
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_UDP,
				    PK_ACCT_SENT), 2);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_ICMP,
				    PK_ACCT_SENT), 1);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_UDP,
				    PK_ACCT_DROPPED), 4);
	/* a TCP raw socket: raw_tcp */
	t = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_TCP, 5003, 0);
	hello(t, 5003, IPPROTO_TCP);
	len = dgram(b, FORGED, 5003, FIX_PEER_IP, PEER_PORT, IPPROTO_TCP);
	assert_int_equal(pk_sock_send(t, b, len, 0), (ssize_t)len);
	expect_on_wire(IPPROTO_TCP, len);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_TCP,
				    PK_ACCT_SENT), 1);
	pk_sock_close(t);
	pk_sock_close(s);
}

/* A datagram as big as the uplink's MTU leaves; one byte more is
 * -EMSGSIZE, counted dropped, and never reaches the wire (the uplink would
 * lose it after it was counted sent). */
static void
test_raw_send_mtu(void **state)
{
	struct pk_owner_stats before = acct(fix.alice);
	static uint8_t b[RTE_ETHER_MAX_JUMBO_FRAME_LEN];
	struct rte_ipv4_hdr *ip = (void *)b;
	struct pk_sock_stats st;
	struct pk_sock *s;
	uint16_t mtu;
	size_t len;

	(void)state;
	assert_int_equal(rte_eth_dev_get_mtu(fix.uplink, &mtu), 0);
	s = open_raw(fix.alice, PK_SOCK_RAW, IPPROTO_UDP, 5005, 0);
	hello(s, 5005, IPPROTO_UDP);
	for (len = mtu; len <= (size_t)mtu + 1; len++) {
		dgram(b, FIX_NODE_IP, 5005, FIX_PEER_IP, PEER_PORT,
		      IPPROTO_UDP);
		memset(b + 32, 'm', len - 32); /* past dgram()'s 32 bytes */
		ip->total_length = rte_cpu_to_be_16((uint16_t)len);
		rte_memcpy(b + 24, &(rte_be16_t){
			rte_cpu_to_be_16((uint16_t)(len - 20)) }, 2);
		if (len == mtu) {
			assert_int_equal(pk_sock_send(s, b, len, 0),
					 (ssize_t)len);
			expect_on_wire(IPPROTO_UDP, len);
		} else {
			assert_int_equal(pk_sock_send(s, b, len, 0),
					 -EMSGSIZE);
			assert_null(wire());
		}
	}
	assert_int_equal(pk_sock_stats_get(s, &st), 0);
	assert_int_equal(st.tx_pkts, 1);
	assert_int_equal(st.tx_dropped, 1);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_UDP,
				    PK_ACCT_DROPPED), 1);
	pk_sock_close(s);
}

/* An ICMP port-unreachable from the peer quoting frame q (as it left). */
static struct rte_mbuf *
unreachable(const struct rte_mbuf *q)
{
	const struct rte_ether_hdr *qe =
		rte_pktmbuf_mtod(q, const struct rte_ether_hdr *);
	struct rte_mbuf *m = rte_pktmbuf_alloc(fix.pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint8_t *icmp;

	assert_non_null(m);
	eh = (void *)rte_pktmbuf_append(m, 14 + 20 + 8 + 28);
	eh->dst_addr = qe->src_addr;
	eh->src_addr = fix_peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (void *)(eh + 1);
	memset(ip, 0, 20 + 8);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(20 + 8 + 28);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	inet_pton(AF_INET, FIX_PEER_IP, &ip->src_addr);
	inet_pton(AF_INET, FIX_NODE_IP, &ip->dst_addr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp = (uint8_t *)(ip + 1);
	icmp[0] = 3; /* destination unreachable */
	icmp[1] = 3; /* port */
	memcpy(icmp + 8, qe + 1, 28); /* its IP header and 8 bytes */
	icmp[2] = 0;
	icmp[3] = 0;
	rte_memcpy(icmp + 2, &(uint16_t){ (uint16_t)~rte_raw_cksum(icmp, 36) },
		   2);
	return m;
}

static void
test_icmp_error_reaches_port_socket(void **state)
{
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, PEER_PORT);
	struct pk_owner_stats before = acct(fix.alice);
	struct pk_sock *u, *e, *e2, *v;
	struct rte_mbuf *sent, *m;
	uint8_t buf[128];

	(void)state;
	u = open_udp(fix.alice, 5004);
	hello(u, 5004, IPPROTO_UDP);
	assert_int_equal(pk_sock_sendto(u, "ping", 4, 0, (void *)&p,
					sizeof(p)), 4);
	sent = wire();
	assert_non_null(sent);
	/* nobody claims the error: not the port's socket, which would take
	 * it for a malformed datagram; it misses (dropped, no kernel here) */
	m = unreachable(sent);
	assert_int_equal(fix_ingress(&m, 1), 0);
	assert_int_equal(pk_sock_recv(u, buf, sizeof(buf), 0), -EAGAIN);
	/* the port's ICMP-error socket gets it whole */
	e = open_raw(fix.alice, PK_SOCK_ICMPERR, IPPROTO_UDP, 5004, 0);
	m = unreachable(sent);
	assert_int_equal(fix_ingress(&m, 1), 1);
	assert_int_equal(pk_sock_recv(e, buf, sizeof(buf), 0), 20 + 8 + 28);
	assert_int_equal(buf[9], IPPROTO_ICMP);
	assert_int_equal(buf[20], 3);
	assert_memory_equal(buf + 28, rte_pktmbuf_mtod_offset(sent, void *,
							       14), 28);
	assert_int_equal(pk_sock_recv(u, buf, sizeof(buf), 0), -EAGAIN);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_ICMP,
				    PK_ACCT_RECEIVED), 1);
	/* the port changes hands: bob's errors never reach alice */
	pk_sock_close(u);
	v = open_udp(fix.bob, 5004);
	m = unreachable(sent);
	assert_int_equal(fix_ingress(&m, 1), 1); /* taken, then dropped */
	assert_int_equal(pk_sock_recv(e, buf, sizeof(buf), 0), -EAGAIN);
	assert_int_equal(acct_delta(fix.alice, &before, PK_ACCT_RAW_ICMP,
				    PK_ACCT_DROPPED), 1);
	e2 = open_raw(fix.bob, PK_SOCK_ICMPERR, IPPROTO_UDP, 5004,
		      -EADDRINUSE);
	pk_sock_close(e2);
	rte_pktmbuf_free(sent);
	pk_sock_close(v);
	pk_sock_close(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bind_rules,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_raw_receive_whole_datagram,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_raw_send_checked,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_raw_send_mtu,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_icmp_error_reaches_port_socket,
					  pk_test_teardown_pools_full),
	};
	int rc;

	fix_setup("test_sock_raw", QSIZE);
	assert_int_equal(pk_portmap_reserve(pk_node_portmap(fix.node),
					    fix.alice, IPPROTO_UDP, 7000, 7009,
					    NULL), 0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fix_teardown();
	return rc;
}
