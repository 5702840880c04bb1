/* SPDX-License-Identifier: BSD-3-Clause */
/* UDP sockets on a node whose uplink is a net_ring loop (no TAP, no root):
 * sends bigger than the uplink's MTU (1500) leave as IP fragments (IPv4 and
 * IPv6, sendto and bursts) that reassemble into the datagram, in order, all
 * or none of them when the egress queue is short. The rest of UDP sockets:
 * test_sock.c. The test thread pushes frames into the root demux as the
 * node's thread would. */
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

/* ---- sends bigger than the uplink's MTU (1500): IP fragments ---- */

/* Every frame the node put on port (a net_ring loop), at most max. */
static unsigned int
wire_all(struct pk_node *n, uint16_t port, struct rte_mbuf **m,
	 unsigned int max)
{
	unsigned int got = 0, i;

	for (i = 0; i < 4; i++) {
		pk_node_run(n);
		got += rte_eth_rx_burst(port, 0, m + got, max - got);
	}
	return got;
}

/* A bound socket of owner on n that has heard from peer (so it knows its
 * MAC); the peer's address in *from. */
static struct pk_sock *
frag_sock(struct pk_node *n, int owner, const void *self, const void *peer,
	  size_t alen, struct sockaddr_storage *from)
{
	int af = ((const struct sockaddr *)self)->sa_family;
	struct pk_sock *s = pk_sock_open(n, owner, af, PK_SOCK_UDP, 0);
	struct rte_mbuf *m = fix_frame(peer, self, alen, "hi", false);
	socklen_t len = sizeof(*from);
	char buf[4];

	assert_non_null(s);
	assert_int_equal(pk_sock_bind(s, self, alen), 0);
	assert_int_equal(pk_stage_push(pk_node_demux(n), &m, 1), 1);
	assert_int_equal(pk_sock_recvfrom(s, buf, sizeof(buf), 0,
					  (void *)from, &len), 2);
	return s;
}

/*
 * Check fragments f[0..n) of one datagram as a receiver would: IP at most
 * 1500 bytes each, offsets contiguous from 0, MF on all but the last, one
 * identification, IPv4 header checksums right and no DF. Their IP payloads
 * go to dgram; returns its length (UDP header and payload).
 */
static uint32_t
check_frags(struct rte_mbuf **f, unsigned int n, bool v4, uint8_t *dgram)
{
	uint32_t off = 0, id = 0, hl = v4 ? 20 : 48, plen, fo, i;
	const void *q;
	uint8_t *ip;
	bool mf;

	for (i = 0; i < n; i++) {
		ip = rte_pktmbuf_mtod_offset(f[i], uint8_t *, 14);
		assert_true(f[i]->data_len >= 14 + hl);
		if (v4) {
			struct rte_ipv4_hdr *h = (void *)ip;

			assert_int_equal(rte_raw_cksum(h, 20), 0xffff);
			plen = rte_be_to_cpu_16(h->total_length) - hl;
			fo = rte_be_to_cpu_16(h->fragment_offset);
			assert_false(fo & RTE_IPV4_HDR_DF_FLAG);
			mf = fo & RTE_IPV4_HDR_MF_FLAG;
			fo = (fo & RTE_IPV4_HDR_OFFSET_MASK) * 8;
			if (i == 0)
				id = h->packet_id;
			assert_int_equal(h->packet_id, id);
		} else {
			struct rte_ipv6_hdr *h = (void *)ip;
			struct rte_ipv6_fragment_ext *fh = (void *)(h + 1);

			assert_int_equal(h->proto, IPPROTO_FRAGMENT);
			assert_int_equal(fh->next_header, IPPROTO_UDP);
			plen = rte_be_to_cpu_16(h->payload_len) - 8;
			fo = RTE_IPV6_GET_FO(rte_be_to_cpu_16(fh->frag_data)) * 8;
			mf = RTE_IPV6_GET_MF(rte_be_to_cpu_16(fh->frag_data));
			if (i == 0)
				id = fh->id;
			assert_int_equal(fh->id, id);
		}
		assert_int_equal(f[i]->pkt_len, 14 + hl + plen);
		assert_true(hl + plen <= 1500);
		assert_int_equal(fo, off);
		assert_int_equal(mf, i + 1 < n);
		q = rte_pktmbuf_read(f[i], 14 + hl, plen, dgram + off);
		assert_non_null(q);
		if (q != dgram + off) /* contiguous: not copied */
			memcpy(dgram + off, q, plen);
		off += plen;
	}
	return off;
}

/* Fragments f[0..n) (freed) through proc_reassembly, then pk_udp_input():
 * the datagram is whole, its UDP checksum right, its payload want. Each
 * fragment is copied into one segment first, as a receiver's NIC has it. */
static void
reassemble(struct rte_mbuf **f, unsigned int n, const uint8_t *want,
	   uint32_t len)
{
	static uint8_t got[8192];
	struct pk_stage *r = pk_stage_create("proc_reassembly", "t_reasm",
					     NULL, SOCKET_ID_ANY);
	struct pk_stage *q = pk_queue_local_create("t_reasm_q", 4, 0,
						   SOCKET_ID_ANY);
	struct rte_mbuf *m;
	unsigned int i;

	assert_non_null(r);
	assert_non_null(q);
	assert_int_equal(pk_stage_link(r, q), 0);
	for (i = n; i > 0; i--) { /* last first: the order must not matter */
		m = rte_pktmbuf_copy(f[i - 1], fix.pool, 0, UINT32_MAX);
		assert_non_null(m);
		assert_int_equal(m->nb_segs, 1);
		rte_pktmbuf_free(f[i - 1]);
		assert_int_equal(pk_stage_push(r, &m, 1), 1);
	}
	assert_int_equal(pk_stage_pull(q, &m, 1), 1);
	assert_int_equal(pk_udp_input(m, 0), PK_UDP_OK);
	assert_int_equal(m->pkt_len, len);
	assert_int_equal(pk_udp_copyout(m, got, sizeof(got)), (int)len);
	assert_memory_equal(got, want, len);
	rte_pktmbuf_free(m);
	pk_stage_unlink(r);
	pk_stage_destroy(r);
	pk_stage_destroy(q);
}

static void
send_big(const void *self, const void *peer, size_t alen, bool v4)
{
	static uint8_t data[4000], dgram[8192];
	struct pk_owner_stats before = acct(fix.alice), after;
	struct sockaddr_storage from;
	struct rte_mbuf *f[8];
	struct pk_sock_stats ss;
	uint64_t bytes = 0;
	struct pk_sock *s;
	unsigned int n, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	s = frag_sock(fix.node, fix.alice, self, peer, alen, &from);
	assert_int_equal(pk_sock_sendto(s, data, sizeof(data), 0,
					 (void *)&from, alen), sizeof(data));
	n = wire_all(fix.node, fix.uplink, f, RTE_DIM(f));
	assert_int_equal(n, 3); /* 4008 bytes of UDP in 1480 or 1448 */
	/* the uplink was not configured for chains: one mbuf each */
	for (i = 0; i < n; i++)
		assert_int_equal(f[i]->nb_segs, 1);
	assert_int_equal(check_frags(f, n, v4, dgram), 8 + sizeof(data));
	assert_memory_equal(dgram + 8, data, sizeof(data));
	for (i = 0; i < n; i++)
		bytes += f[i]->pkt_len;
	/* owner: three frames sent; socket: one datagram of 4000 bytes */
	after = acct(fix.alice);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT], 3);
	assert_int_equal(after.row[PK_ACCT_UDP].bytes[PK_ACCT_SENT] -
			 before.row[PK_ACCT_UDP].bytes[PK_ACCT_SENT], bytes);
	assert_int_equal(pk_sock_stats_get(s, &ss), 0);
	assert_int_equal(ss.tx_pkts, 1);
	assert_int_equal(ss.tx_bytes, sizeof(data));
	reassemble(f, n, data, sizeof(data));
	pk_sock_close(s);
}

static void
test_send_fragments(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5010);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, 4010);
	struct sockaddr_in6 a6 = sin6("fd00::1", 5011);
	struct sockaddr_in6 p6 = sin6(PEER6_IP, 4011);

	(void)state;
	send_big(&a, &p, sizeof(a), true);
	send_big(&a6, &p6, sizeof(a6), false);
}

/* Burst: a small datagram, a 3000-byte chained one, a small one: in order,
 * the big one in three fragments. */
static void
test_send_burst_fragments(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5012);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, 4012);
	static uint8_t dgram[8192], want[3000];
	struct sockaddr_storage from;
	struct rte_mbuf *m[3], *f[8], *tail;
	struct pk_sock *s;
	unsigned int i;

	(void)state;
	s = frag_sock(fix.node, fix.bob, &a, &p, sizeof(a), &from);
	for (i = 0; i < 3; i++) {
		m[i] = rte_pktmbuf_alloc(fix.pool);
		assert_non_null(m[i]);
	}
	for (i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(i ^ 0x5a);
	memcpy(rte_pktmbuf_append(m[0], 1), "a", 1);
	memcpy(rte_pktmbuf_append(m[1], 2000), want, 2000);
	tail = rte_pktmbuf_alloc(fix.pool);
	assert_non_null(tail);
	memcpy(rte_pktmbuf_append(tail, 1000), want + 2000, 1000);
	assert_int_equal(rte_pktmbuf_chain(m[1], tail), 0);
	memcpy(rte_pktmbuf_append(m[2], 1), "c", 1);
	assert_int_equal(pk_sock_send_burst(s, m, 3, (void *)&from,
					    sizeof(a)), 3);
	assert_int_equal(wire_all(fix.node, fix.uplink, f, RTE_DIM(f)), 5);
	assert_int_equal(f[0]->pkt_len, 14 + 20 + 8 + 1);
	assert_int_equal(check_frags(&f[1], 3, true, dgram), 8 + 3000);
	assert_memory_equal(dgram + 8, want, 3000);
	assert_int_equal(f[4]->pkt_len, 14 + 20 + 8 + 1);
	assert_int_equal(*rte_pktmbuf_mtod_offset(f[4], char *, 42), 'c');
	rte_pktmbuf_free(f[0]);
	rte_pktmbuf_free(f[4]);
	reassemble(&f[1], 3, want, sizeof(want));
	pk_sock_close(s);
}

/* A node whose egress queue holds 7 frames: two datagrams of three
 * fragments go, the third finds room for one and is refused whole. */
static void
test_fragments_all_or_nothing(void **state)
{
	struct sockaddr_in a = fix_sin4(FIX_NODE_IP, 5013);
	struct sockaddr_in p = fix_sin4(FIX_PEER_IP, 4013);
	struct pk_owner_stats before, after;
	struct pk_node_conf nc = { 0 };
	struct pk_port_conf pc = { .mp = fix.pool };
	struct sockaddr_storage from;
	static char data[4000];
	struct rte_mbuf *f[16];
	struct pk_sock_stats ss;
	struct pk_node *n;
	struct pk_sock *s;
	unsigned int got;
	uint16_t port;

	(void)state;
	assert_int_equal(pk_port_lookup("net_ring1", &port), 0);
	assert_int_equal(pk_port_setup(port, &pc), 0);
	nc.name = "n1";
	nc.uplink = port;
	nc.mp = fix.pool;
	inet_pton(AF_INET, FIX_NODE_IP, &nc.addr4);
	nc.exception = PK_NODE_EXC_DROP;
	nc.egress_queue = 8;
	n = pk_node_create(&nc);
	assert_non_null(n);
	s = frag_sock(n, fix.alice, &a, &p, sizeof(a), &from);
	before = acct(fix.alice);
	assert_int_equal(pk_sock_sendto(s, data, sizeof(data), 0,
					 (void *)&from, sizeof(a)), 4000);
	assert_int_equal(pk_sock_sendto(s, data, sizeof(data), 0,
					 (void *)&from, sizeof(a)), 4000);
	assert_int_equal(pk_sock_sendto(s, data, sizeof(data), 0,
					 (void *)&from, sizeof(a)), -ENOBUFS);
	after = acct(fix.alice);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_SENT], 6);
	assert_int_equal(after.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED] -
			 before.row[PK_ACCT_UDP].pkts[PK_ACCT_DROPPED], 3);
	assert_int_equal(pk_sock_stats_get(s, &ss), 0);
	assert_int_equal(ss.tx_pkts, 2);
	assert_int_equal(ss.tx_dropped, 1);
	got = wire_all(n, port, f, RTE_DIM(f));
	assert_int_equal(got, 6); /* two whole datagrams, nothing of the third */
	rte_pktmbuf_free_bulk(f, got);
	/* and with room again, it goes */
	assert_int_equal(pk_sock_sendto(s, data, sizeof(data), 0,
					 (void *)&from, sizeof(a)), 4000);
	pk_sock_close(s);
	pk_node_destroy(n); /* frees the queued fragments and their pool */
	pk_port_close(port);
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", "net_ring1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_send_fragments,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_send_burst_fragments,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fragments_all_or_nothing,
					  pk_test_teardown_pools_full),
	};
	int rc;

	fix_setup_vdevs("test_sock_frag", vdevs, QSIZE);
	assert_int_equal(pk_portmap_reserve(pk_node_portmap(fix.node),
					    fix.alice, IPPROTO_UDP, 7000, 7009,
					    NULL), 0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	fix_teardown();
	return rc;
}
