/* SPDX-License-Identifier: BSD-3-Clause */
/* UDP sockets on a node whose uplink is a net_ring loop and whose misses are
 * dropped (no TAP, no root): bind and the port map, lazy receiver processing
 * (the protocol work runs in recv, in the reader's thread), eager mode,
 * early discard of a full socket, malformed datagrams, sends and what they
 * put on the wire, zero-copy bursts, poll, close with packets in flight,
 * owner accounting. Sends bigger than the MTU: test_sock_frag.c. The test
 * thread pushes frames into the root demux as the node's thread would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_udp.h>

#include "pk_test.h"
#include "sock_fixture.h"
#include "sock_udp_fixture.h"

static void
test_bind_rules(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5000);
	struct sockaddr_in other = fix_sin4("10.9.9.9", 1);
	struct sockaddr_in wild = fix_sin4("0.0.0.0", 5000);
	struct pk_sock *s1, *s2, *s3;

	(void)state;
	assert_null(pk_sock_open(fix.node, 999, AF_INET, PK_SOCK_UDP, 0));
	s1 = pk_sock_open(fix.node, fix.alice, AF_INET, PK_SOCK_UDP, 0);
	s2 = pk_sock_open(fix.node, fix.bob, AF_INET, PK_SOCK_UDP, 0);
	s3 = pk_sock_open(fix.node, fix.bob, AF_INET, PK_SOCK_UDP, 0);
	assert_non_null(s1);
	assert_non_null(s2);
	assert_non_null(s3);
	assert_int_equal(pk_sock_bind(s1, (void *)&other, sizeof(other)),
			 -EADDRNOTAVAIL);
	assert_int_equal(pk_sock_bind(s1, (void *)&a, sizeof(a)), 0);
	assert_int_equal(pk_sock_bind(s1, (void *)&a, sizeof(a)), -EINVAL);
	assert_int_equal(pk_sock_bind(s2, (void *)&a, sizeof(a)), -EADDRINUSE);
	assert_int_equal(pk_sock_bind(s2, (void *)&wild, sizeof(wild)),
			 -EADDRINUSE);
	/* 7000..7009 are alice's */
	a.sin_port = htons(7005);
	assert_int_equal(pk_sock_bind(s2, (void *)&a, sizeof(a)), -EACCES);
	a.sin_port = 0; /* ephemeral: never alice's, never in use */
	assert_int_equal(pk_sock_bind(s2, (void *)&a, sizeof(a)), 0);
	assert_int_equal(pk_sock_close(s1), 0);
	a.sin_port = htons(5000); /* free again */
	assert_int_equal(pk_sock_bind(s3, (void *)&a, sizeof(a)), 0);
	pk_sock_close(s2);
	pk_sock_close(s3);
}

struct reader {
	struct pk_sock *s;
	unsigned int lcore;
	ssize_t got;
	char buf[64];
	struct sockaddr_in from;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	socklen_t len = sizeof(r->from);

	assert_int_equal(rte_thread_register(), 0);
	r->lcore = rte_lcore_id();
	r->got = pk_sock_recvfrom(r->s, r->buf, sizeof(r->buf), 0,
				  (void *)&r->from, &len);
	rte_thread_unregister();
	return NULL;
}

static void
test_lazy_receive(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5001);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, 4000);
	struct pk_owner_stats before = acct(fix.alice), after;
	struct reader r = { 0 };
	pthread_t th;
	struct pk_sock *s;

	(void)state;
	s = pk_sock_open(fix.node, fix.alice, AF_INET, PK_SOCK_UDP, 0);
	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, (void *)&a, sizeof(a)), 0);
	ingress1(fix_frame(&p, &a, sizeof(p), "bad", true));
	ingress1(fix_frame(&p, &a, sizeof(p), "hello", false));
	/* nothing looked at the datagrams yet: the bad one is not found out */
	after = acct(fix.alice);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_RECEIVED], 2);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED], 0);
	assert_int_equal(pk_sock_last_lcore(s), LCORE_ID_ANY);
	r.s = s;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	pthread_join(th, NULL);
	assert_int_equal(r.got, 5);
	assert_memory_equal(r.buf, "hello", 5);
	assert_int_equal(r.from.sin_port, p.sin_port);
	assert_int_equal(r.from.sin_addr.s_addr, p.sin_addr.s_addr);
	/* the reader's thread did the work, and found the bad one */
	assert_int_equal(pk_sock_last_lcore(s), r.lcore);
	after = acct(fix.alice);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED], 1);
	assert_int_equal(pk_sock_recv(s, r.buf, 1, PK_MSG_DONTWAIT), -EAGAIN);
	pk_sock_close(s);
}

static void
test_eager_receive(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5002);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, 4000);
	struct pk_owner_stats before = acct(fix.alice), after;
	char buf[16];
	struct pk_sock *s;

	(void)state;
	s = pk_sock_open(fix.node, fix.alice, AF_INET, PK_SOCK_UDP,
			 PK_SOCK_F_EAGER);
	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, (void *)&a, sizeof(a)), 0);
	ingress1(fix_frame(&p, &a, sizeof(p), "bad", true));
	ingress1(fix_frame(&p, &a, sizeof(p), "eager", false));
	/* processed on arrival: the bad one is already counted */
	after = acct(fix.alice);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED], 1);
	assert_int_equal(pk_sock_recv(s, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "eager", 5);
	pk_sock_close(s);
}

static void
test_full_socket_drops_early(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5003);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, 4000);
	struct pk_owner_stats before = acct(fix.alice), after;
	struct pk_sock_stats ss;
	struct rte_mbuf *m[2 * QSIZE];
	unsigned int i, got = 0;
	char buf[8];
	struct pk_sock *s;

	(void)state;
	s = pk_sock_open(fix.node, fix.alice, AF_INET, PK_SOCK_UDP,
			 PK_SOCK_F_NONBLOCK);
	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, (void *)&a, sizeof(a)), 0);
	for (i = 0; i < RTE_DIM(m); i++)
		m[i] = fix_frame(&p, &a, sizeof(p), "x", false);
	assert_int_equal(fix_ingress(m, 32), 32);      /* the path takes all */
	assert_int_equal(fix_ingress(m + 32, 96), 96); /* drops the excess */
	after = acct(fix.alice);
	/* the queue holds QSIZE - 1: the rest was dropped at the demux */
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED],
			 RTE_DIM(m) - (QSIZE - 1));
	while (pk_sock_recv(s, buf, sizeof(buf), 0) == 1)
		got++;
	assert_int_equal(got, QSIZE - 1);
	assert_int_equal(pk_sock_stats_get(s, &ss), 0);
	assert_int_equal(ss.rx_pkts, QSIZE - 1);
	assert_int_equal(ss.rx_dropped, RTE_DIM(m) - (QSIZE - 1));
	pk_sock_close(s);
}

/* The frame the node put on the uplink (a net_ring loop), or NULL. */
static struct rte_mbuf *
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

static void
test_send_reply(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5004);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, 4001);
	struct pk_owner_stats before = acct(fix.alice), after;
	struct sockaddr_storage from, to;
	struct rte_ether_hdr *eh;
	struct pk_flow_key key;
	struct rte_mbuf *m;
	socklen_t len = sizeof(from);
	char buf[16];
	struct pk_sock *s;

	(void)state;
	s = pk_sock_open(fix.node, fix.alice, AF_INET, PK_SOCK_UDP, 0);
	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, (void *)&a, sizeof(a)), 0);
	ingress1(fix_frame(&p, &a, sizeof(p), "ping", false));
	assert_int_equal(pk_sock_recvfrom(s, buf, sizeof(buf), 0,
					  (void *)&from, &len), 4);
	/* the reply goes back to the sender's MAC, learnt from its datagram */
	assert_int_equal(pk_sock_sendto(s, "pong!", 5, 0, (void *)&from, len),
			 5);
	m = wire();
	assert_non_null(m);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &fix_peer_mac));
	/* what left is a datagram from the node's port to the peer's (the
	 * parser takes the destination as local) */
	assert_int_equal(pk_flow_parse(m, &key), PK_FLOW_OK);
	assert_int_equal(key.proto, IPPROTO_UDP);
	assert_int_equal(key.lport, p.sin_port);
	assert_int_equal(key.rport, a.sin_port);
	assert_memory_equal(key.laddr, &p.sin_addr, 4);
	assert_memory_equal(key.raddr, &a.sin_addr, 4);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 8 + 5);
	rte_pktmbuf_free(m);
	after = acct(fix.alice);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT], 1);
	/* an unknown next hop without a TAP to resolve it */
	to = from;
	((struct sockaddr_in *)&to)->sin_addr.s_addr = inet_addr("10.0.0.77");
	assert_true(pk_sock_sendto(s, "x", 1, PK_MSG_DONTWAIT, (void *)&to,
				   len) < 0);
	assert_int_equal(pk_sock_sendto(s, buf, 70000, 0, (void *)&from, len),
			 -EMSGSIZE);
	assert_int_equal(pk_sock_send(s, "x", 1, 0), -EDESTADDRREQ);
	pk_sock_close(s);
}

static void
test_bursts_and_poll(void **state)
{
	struct sockaddr_in a1 = fix_sin4(FIX_NODE_IP, 5005);
	struct sockaddr_in a2 = fix_sin4(FIX_NODE_IP, 5006);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, 4002);
	struct pk_sock_pollfd fds[2];
	struct rte_mbuf *m[4];
	struct sockaddr_storage from;
	struct pk_sock *s1, *s2;
	int k;

	(void)state;
	s1 = pk_sock_open(fix.node, fix.alice, AF_INET, PK_SOCK_UDP, 0);
	s2 = pk_sock_open(fix.node, fix.bob, AF_INET, PK_SOCK_UDP, 0);
	assert_int_equal(pk_sock_bind(s1, (void *)&a1, sizeof(a1)), 0);
	assert_int_equal(pk_sock_bind(s2, (void *)&a2, sizeof(a2)), 0);
	fds[0] = (struct pk_sock_pollfd){ s1, POLLIN, 0 };
	fds[1] = (struct pk_sock_pollfd){ s2, POLLIN, 0 };
	assert_int_equal(pk_sock_poll(fds, 2, 1000), 0);
	ingress1(fix_frame(&p, &a2, sizeof(p), "one", false));
	ingress1(fix_frame(&p, &a2, sizeof(p), "two", false));
	assert_int_equal(pk_sock_poll(fds, 2, 1000), 1);
	assert_int_equal(fds[0].revents, 0);
	assert_int_equal(fds[1].revents, POLLIN);
	k = pk_sock_recv_burst(s2, m, 4, 0);
	assert_int_equal(k, 2);
	assert_int_equal(rte_pktmbuf_pkt_len(m[0]), 3);
	assert_memory_equal(rte_pktmbuf_mtod(m[1], char *), "two", 3);
	assert_int_equal(pk_udp_peer(m[0], &from, NULL), 0);
	assert_int_equal(((struct sockaddr_in *)&from)->sin_port, p.sin_port);
	/* send them back as they are: the headers go in front */
	assert_int_equal(pk_sock_send_burst(s2, m, 2, (void *)&from,
					    sizeof(struct sockaddr_in)), 2);
	rte_pktmbuf_free(wire());
	rte_pktmbuf_free(wire());
	pk_sock_close(s1);
	pk_sock_close(s2);
}

static void
test_ipv6_and_close_with_backlog(void **state)
{
	struct sockaddr_in6 a = sin6("::", 5007), p = sin6(PEER6_IP, 4003);
	struct sockaddr_in6 dst = sin6("fd00::1", 5007);
	struct pk_owner_stats before = acct(fix.bob), after;
	char buf[8];
	struct pk_sock *s;
	unsigned int i;

	(void)state;
	s = pk_sock_open(fix.node, fix.bob, AF_INET6, PK_SOCK_UDP, 0);
	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, (void *)&a, sizeof(a)), 0);
	for (i = 0; i < 5; i++)
		ingress1(fix_frame(&p, &dst, sizeof(p), "six", false));
	assert_int_equal(pk_sock_recv(s, buf, sizeof(buf), 0), 3);
	/* four left queued: close frees and counts them */
	pk_sock_close(s);
	after = acct(fix.bob);
	assert_int_equal(after.row[PK_ACCT_UDP].opened -
			 before.row[PK_ACCT_UDP].opened, 1);
	assert_int_equal(after.row[PK_ACCT_UDP].closed -
			 before.row[PK_ACCT_UDP].closed, 1);
	pk_test_assert_pools_full();
}

static void
test_many_sockets(void **state)
{
	enum { N = 2000 };
	static struct pk_sock *s[N];
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 0);
	unsigned int i;

	(void)state;
	for (i = 0; i < N; i++) {
		s[i] = pk_sock_open(fix.node, fix.bob, AF_INET, PK_SOCK_UDP, 0);
		assert_non_null(s[i]);
		a.sin_port = htons(20000 + i);
		assert_int_equal(pk_sock_bind(s[i], (void *)&a, sizeof(a)), 0);
	}
	assert_int_equal(pk_demux_flow_count(pk_node_demux(fix.node)), N);
	for (i = 0; i < N; i++)
		pk_sock_close(s[i]);
	assert_int_equal(pk_demux_flow_count(pk_node_demux(fix.node)), 0);
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", "net_ring1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bind_rules,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_lazy_receive,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_eager_receive,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_full_socket_drops_early,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_send_reply,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bursts_and_poll,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_ipv6_and_close_with_backlog,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_many_sockets,
					  pk_test_teardown_pools_full),
	};
	int rc;

	fix_setup_vdevs("test_sock", vdevs, QSIZE);
	assert_int_equal(pk_portmap_reserve(pk_node_portmap(fix.node),
					    fix.alice, IPPROTO_UDP, 7000, 7009,
					    NULL), 0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fix_teardown();
	return rc;
}
