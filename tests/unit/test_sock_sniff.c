/* SPDX-License-Identifier: BSD-3-Clause */
/* Sniffers on the sockets' node (sock_fixture.h: its uplink a net_ring
 * loop, misses dropped): bind rules (another owner's reserved port, one
 * sniffer per port and family, flags only for sniffers, nothing sent);
 * a sniffer gets a copy of every datagram its port sends, byte for byte
 * what left without the Ethernet header, and of what arrives only when
 * asked, while the socket still gets the originals intact; it never sees
 * another owner's traffic (a port that is not its owner's: copies dropped
 * as policy, also when read after the port changed hands); a sniffer that
 * is not read loses copies, counted, and every datagram still leaves;
 * closing one stops the copies. Copies count in no owner's row. Every
 * test ends with full pools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>

#include "pk_test.h"
#include "sock_fixture.h"

#define QSIZE 64
#define PEER_PORT 4001
#define PEER6_IP "fd00::2"

static struct sockaddr_in6
fix_sin6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

static struct pk_sock *
open_sniffer(int owner, int domain, uint8_t proto, uint16_t port,
	     uint32_t flags, int want)
{
	struct sockaddr_in a4 = fix_sin4(FIX_NODE_IP, port);
	struct sockaddr_in6 a6 = fix_sin6("::", port);
	struct pk_sock *s = pk_sock_open(fix.node, owner, domain,
					 PK_SOCK_SNIFF,
					 PK_SOCK_F_NONBLOCK | flags);

	assert_non_null(s);
	if (domain == AF_INET6)
		assert_int_equal(pk_sock_bind_raw(s, proto, (void *)&a6,
						  sizeof(a6)), want);
	else
		assert_int_equal(pk_sock_bind_raw(s, proto, (void *)&a4,
						  sizeof(a4)), want);
	return s;
}

/* A UDP socket of owner on port that has heard from the peer (the node
 * has no TAP to resolve it: a reply goes the way a datagram came). */
static struct pk_sock *
open_udp(int owner, uint16_t port)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, port);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, PEER_PORT);
	struct pk_sock *s = pk_sock_open(fix.node, owner, AF_INET, PK_SOCK_UDP,
					 PK_SOCK_F_NONBLOCK);
	struct rte_mbuf *m = fix_frame(&p, &a, sizeof(p), "hello", false);
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	char buf[8];

	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, (void *)&a, sizeof(a)), 0);
	assert_int_equal(rte_eth_tx_burst(fix.uplink, 0, &m, 1), 1);
	pk_node_run(fix.node);
	assert_int_equal(pk_sock_recvfrom(s, buf, sizeof(buf), 0,
					  (void *)&from, &flen), 5);
	return s;
}

/* Send n datagrams from s to the peer. */
static void
send_n(struct pk_sock *s, unsigned int n)
{
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, PEER_PORT);
	char msg[32];
	unsigned int i;
	int len;

	for (i = 0; i < n; i++) {
		len = snprintf(msg, sizeof(msg), "datagram %u", i);
		assert_int_equal(pk_sock_sendto(s, msg, (size_t)len, 0,
						(void *)&p, sizeof(p)), len);
	}
}

/* Run a round (egress -> copies, uplink) and take what reached the wire
 * (the net_ring loop) into wire[0..ret). */
static uint16_t
round_and_wire(struct rte_mbuf **wire, uint16_t max)
{
	pk_node_run(fix.node);
	return rte_eth_rx_burst(fix.uplink, 0, wire, max);
}

/* Everything s holds now, into pkts[0..ret). */
static int
drain(struct pk_sock *s, struct rte_mbuf **pkts, uint16_t max)
{
	int k, got = 0;

	while (got < max) {
		k = pk_sock_recv_burst(s, pkts + got, (uint16_t)(max - got), 0);
		if (k <= 0)
			break;
		got += k;
	}
	return got;
}

/* Whether copy c is frame f without its 14-byte Ethernet header. */
static void
assert_copy_of(const struct rte_mbuf *c, const struct rte_mbuf *f)
{
	assert_int_equal(c->pkt_len, f->pkt_len - 14);
	assert_memory_equal(rte_pktmbuf_mtod(c, const void *),
			    rte_pktmbuf_mtod_offset(f, const void *, 14),
			    c->pkt_len);
}

static uint64_t
node_stat_sniffed(void)
{
	struct pk_node_stats st;

	assert_int_equal(pk_node_stats_get(fix.node, &st), 0);
	assert_int_equal(st.sniff_lost, 0);
	return st.sniffed;
}

static void
test_bind_rules(void **state)
{
	struct pk_sock *a, *a6, *t, *dup, *b;
	struct sockaddr_in sa = fix_sin4(FIX_NODE_IP, 7000);
	struct pk_sock_pollfd pfd;
	char buf[8] = "x";

	(void)state;
	/* only a sniffer takes PK_SOCK_F_SNIFF_IN */
	assert_null(pk_sock_open(fix.node, fix.alice, AF_INET, PK_SOCK_UDP,
				 PK_SOCK_F_SNIFF_IN));
	assert_int_equal(rte_errno, EINVAL);
	b = open_sniffer(fix.bob, AF_INET, IPPROTO_UDP, 7000, 0, -EACCES);
	pk_sock_close(b);
	b = open_sniffer(fix.bob, AF_INET, IPPROTO_UDP, 0, 0, -EINVAL);
	pk_sock_close(b);
	b = open_sniffer(fix.bob, AF_INET, IPPROTO_ICMP, 7000, 0,
			 -EPROTONOSUPPORT);
	pk_sock_close(b);
	a = open_sniffer(fix.alice, AF_INET, IPPROTO_UDP, 7000, 0, 0);
	dup = open_sniffer(fix.alice, AF_INET, IPPROTO_UDP, 7000,
			   PK_SOCK_F_SNIFF_IN, -EADDRINUSE);
	pk_sock_close(dup);
	/* another family, another protocol: other sniffers */
	a6 = open_sniffer(fix.alice, AF_INET6, IPPROTO_UDP, 7000, 0, 0);
	t = open_sniffer(fix.bob, AF_INET, IPPROTO_TCP, 7000, 0, 0);
	/* a sniffer names a protocol, sends nothing, is never writable */
	assert_int_equal(pk_sock_bind(a, (void *)&sa, sizeof(sa)),
			 -EOPNOTSUPP);
	assert_int_equal(pk_sock_send(a, buf, 1, 0), -EOPNOTSUPP);
	pfd = (struct pk_sock_pollfd){ .sock = a, .events = POLLIN | POLLOUT };
	assert_int_equal(pk_sock_poll(&pfd, 1, 0), 0);
	assert_int_equal(pk_sock_recv(a, buf, sizeof(buf), 0), -EAGAIN);
	pk_sock_close(t);
	pk_sock_close(a6);
	pk_sock_close(a);
	/* the port is free for a sniffer again */
	a = open_sniffer(fix.alice, AF_INET, IPPROTO_UDP, 7000, 0, 0);
	pk_sock_close(a);
}

/* Out only: every datagram sent, copied as it left; incoming not. */
static void
test_outgoing_copies(void **state)
{
	struct pk_sock *u = open_udp(fix.alice, 7001);
	struct pk_sock *sn = open_sniffer(fix.alice, AF_INET, IPPROTO_UDP,
					  7001, 0, 0);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, PEER_PORT);
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 7001);
	struct rte_mbuf *wire[8], *copies[8], *in[3];
	struct pk_owner_stats before, after;
	uint64_t sniffed = node_stat_sniffed();
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	uint16_t nw, i;
	char buf[64];

	(void)state;
	assert_int_equal(pk_owner_stats_get(fix.alice, &before), 0);
	send_n(u, 5);
	nw = round_and_wire(wire, 8);
	assert_int_equal(nw, 5);
	assert_int_equal(drain(sn, copies, 8), 5);
	for (i = 0; i < 5; i++)
		assert_copy_of(copies[i], wire[i]);
	assert_int_equal(node_stat_sniffed() - sniffed, 5);
	rte_pktmbuf_free_bulk(copies, 5);
	rte_pktmbuf_free_bulk(wire, nw);
	/* recvfrom: the IP source, the datagram whole */
	send_n(u, 1);
	rte_pktmbuf_free_bulk(wire, round_and_wire(wire, 8));
	assert_int_equal(pk_sock_recvfrom(sn, buf, sizeof(buf), 0,
					  (void *)&from, &flen), 20 + 8 + 10);
	assert_int_equal(from.sin_addr.s_addr, a.sin_addr.s_addr);
	assert_int_equal(buf[0], 0x45);
	/* incoming datagrams reach the socket, not this sniffer */
	for (i = 0; i < 3; i++)
		in[i] = fix_frame(&p, &a, sizeof(p), "hello", false);
	assert_int_equal(rte_eth_tx_burst(fix.uplink, 0, in, 3), 3);
	pk_node_run(fix.node);
	assert_int_equal(pk_sock_recv(u, buf, sizeof(buf), 0), 5);
	assert_int_equal(drain(u, in, 3), 2);
	rte_pktmbuf_free_bulk(in, 2);
	assert_int_equal(drain(sn, copies, 8), 0);
	/* copies are not traffic: alice's rows moved by her sends only */
	assert_int_equal(pk_owner_stats_get(fix.alice, &after), 0);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT], 6);
	assert_int_equal(after.row[PK_ACCT_MISC].pkts[PK_ACCT_RECEIVED],
			 before.row[PK_ACCT_MISC].pkts[PK_ACCT_RECEIVED]);
	pk_sock_close(sn);
	pk_sock_close(u);
}

/* In and out: copies of the arrivals, the socket's datagrams intact; over
 * IPv6 as well (the reply goes to the peer the socket learned). */
static void
test_incoming_copies(void **state)
{
	struct sockaddr_in6 p6 = fix_sin6(PEER6_IP, PEER_PORT);
	struct sockaddr_in6 a6 = fix_sin6("fd00::1", 7002);
	struct pk_sock *u = pk_sock_open(fix.node, fix.alice, AF_INET6,
					 PK_SOCK_UDP, PK_SOCK_F_NONBLOCK);
	struct pk_sock *sn = open_sniffer(fix.alice, AF_INET6, IPPROTO_UDP,
					  7002, PK_SOCK_F_SNIFF_IN, 0);
	struct rte_mbuf *in[4], *sent[4], *copies[8], *wire[8];
	struct sockaddr_in6 from;
	socklen_t flen;
	char buf[64];
	uint16_t i;
	int len;

	(void)state;
	assert_int_equal(pk_sock_bind(u, (void *)&a6, sizeof(a6)), 0);
	for (i = 0; i < 4; i++) {
		in[i] = fix_frame(&p6, &a6, sizeof(p6), "question", false);
		sent[i] = rte_pktmbuf_copy(in[i], fix.pool, 0, UINT32_MAX);
		assert_non_null(sent[i]);
	}
	assert_int_equal(rte_eth_tx_burst(fix.uplink, 0, in, 4), 4);
	pk_node_run(fix.node);
	assert_int_equal(drain(sn, copies, 8), 4);
	for (i = 0; i < 4; i++) {
		assert_copy_of(copies[i], sent[i]);
		flen = sizeof(from);
		len = (int)pk_sock_recvfrom(u, buf, sizeof(buf), 0,
					    (void *)&from, &flen);
		assert_int_equal(len, 8);
		assert_memory_equal(buf, "question", 8);
		assert_int_equal(pk_sock_sendto(u, "answer", 6, 0,
						(void *)&from, flen), 6);
	}
	rte_pktmbuf_free_bulk(copies, 4);
	rte_pktmbuf_free_bulk(sent, 4);
	assert_int_equal(round_and_wire(wire, 8), 4);
	assert_int_equal(drain(sn, copies, 8), 4);
	for (i = 0; i < 4; i++)
		assert_copy_of(copies[i], wire[i]);
	rte_pktmbuf_free_bulk(copies, 4);
	rte_pktmbuf_free_bulk(wire, 4);
	pk_sock_close(sn);
	pk_sock_close(u);
}

/* A port not its owner's: every copy dropped (policy) before it is read;
 * another owner's port: no copy at all. */
static void
test_owner_scoped(void **state)
{
	/* 8000 is free: bob may sniff it, then alice binds it */
	struct pk_sock *bsn = open_sniffer(fix.bob, AF_INET, IPPROTO_UDP, 8000,
					   PK_SOCK_F_SNIFF_IN, 0);
	struct pk_sock *asn = open_sniffer(fix.alice, AF_INET, IPPROTO_UDP,
					   7003, PK_SOCK_F_SNIFF_IN, 0);
	struct pk_sock *au = open_udp(fix.alice, 8000);
	struct pk_sock *bu = open_udp(fix.bob, 8001);
	struct rte_mbuf *wire[8], *copies[8];
	struct pk_sock_stats st;

	(void)state;
	send_n(au, 3);
	send_n(bu, 2);
	rte_pktmbuf_free_bulk(wire, round_and_wire(wire, 8));
	assert_int_equal(drain(bsn, copies, 8), 0);
	assert_int_equal(pk_sock_stats_get(bsn, &st), 0);
	/* policy: alice's port now (her hello in, her datagrams out) */
	assert_int_equal(st.rx_dropped, 1 + 3);
	assert_int_equal(drain(asn, copies, 8), 0);
	assert_int_equal(pk_sock_stats_get(asn, &st), 0);
	assert_int_equal(st.rx_dropped, 0); /* never saw bob's */
	pk_sock_close(au);
	pk_sock_close(bu);
	pk_sock_close(asn);
	pk_sock_close(bsn);
}

/* Alice's copies stay foreign to bob's sniffer when he reads them after
 * she has gone and he holds the port himself: whose a packet is, is asked
 * when it goes by. His own after that are his. */
static void
test_owner_scoped_when_copied(void **state)
{
	struct pk_sock *bsn = open_sniffer(fix.bob, AF_INET, IPPROTO_UDP, 8002,
					   PK_SOCK_F_SNIFF_IN, 0);
	struct pk_sock *au = open_udp(fix.alice, 8002), *bu;
	struct rte_mbuf *wire[8], *copies[8];
	struct pk_sock_stats st;
	int got;

	(void)state;
	send_n(au, 3);
	rte_pktmbuf_free_bulk(wire, round_and_wire(wire, 8));
	pk_sock_close(au);
	bu = open_udp(fix.bob, 8002); /* his hello in: a copy of his */
	got = drain(bsn, copies, 8);
	assert_int_equal(pk_sock_stats_get(bsn, &st), 0);
	assert_int_equal(st.rx_dropped, 1 + 3); /* her hello, her datagrams */
	assert_int_equal(got, 1);
	assert_int_equal(st.rx_pkts, 1);
	rte_pktmbuf_free_bulk(copies, (unsigned int)got);
	pk_sock_close(bu);
	pk_sock_close(bsn);
}

/* Nobody reads the sniffer: it loses copies, counted; the port's traffic
 * all leaves; after close, no copies are made. */
static void
test_slow_sniffer(void **state)
{
	struct pk_sock *u = open_udp(fix.alice, 7004);
	struct pk_sock *sn = open_sniffer(fix.alice, AF_INET, IPPROTO_UDP,
					  7004, 0, 0);
	struct rte_mbuf *wire[32], *copies[QSIZE];
	uint64_t sniffed = node_stat_sniffed(), left = 0;
	struct pk_sock_stats st;
	unsigned int r;
	int read;

	(void)state;
	for (r = 0; r < 10; r++) {
		send_n(u, 20);
		left += round_and_wire(wire, 32);
		rte_pktmbuf_free_bulk(wire, 20);
	}
	assert_int_equal(left, 200);
	assert_int_equal(node_stat_sniffed() - sniffed, 200);
	read = drain(sn, copies, QSIZE);
	assert_int_equal(pk_sock_stats_get(sn, &st), 0);
	assert_true(read > 0 && read < 200);
	assert_int_equal((uint64_t)read + st.rx_dropped, 200);
	rte_pktmbuf_free_bulk(copies, (unsigned int)read);
	send_n(u, 5); /* copies waiting at close are freed with it */
	rte_pktmbuf_free_bulk(wire, round_and_wire(wire, 32));
	pk_sock_close(sn);
	sniffed = node_stat_sniffed();
	send_n(u, 5);
	assert_int_equal(round_and_wire(wire, 32), 5);
	rte_pktmbuf_free_bulk(wire, 5);
	assert_int_equal(node_stat_sniffed(), sniffed);
	pk_sock_close(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bind_rules,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_outgoing_copies,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_incoming_copies,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_owner_scoped,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_owner_scoped_when_copied,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_slow_sniffer,
					  pk_test_teardown_pools_full),
	};
	int rc;

	fix_setup("test_sock_sniff", QSIZE);
	assert_int_equal(pk_portmap_reserve(pk_node_portmap(fix.node),
					    fix.alice, IPPROTO_UDP, 7000, 7009,
					    NULL), 0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fix_teardown();
	return rc;
}
