/* SPDX-License-Identifier: BSD-3-Clause */
/* Processing: built-in kinds (macswap, ether, ttl, counter), user callbacks
 * that drop, push and pull modes, drops counted by reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool;

static struct pk_stage *
mk(const char *kind, const char *args)
{
	struct pk_stage *s = pk_stage_create(kind, kind, args, SOCKET_ID_ANY);

	assert_non_null(s);
	return s;
}

static struct rte_ipv4_hdr *
ip4(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				       sizeof(struct rte_ether_hdr));
}

/* Push through s into a queue, pull everything back. */
static uint16_t
run_push(struct pk_stage *s, struct rte_mbuf **m, uint16_t n,
	 struct rte_mbuf **out)
{
	struct pk_stage *q = pk_queue_ring_create("sink", 64, 0, 0,
						  SOCKET_ID_ANY);
	uint16_t k;

	assert_non_null(q);
	assert_int_equal(pk_stage_link(s, q), 0);
	assert_int_equal(pk_stage_push(s, m, n), n);
	k = pk_stage_pull(q, out, 64);
	pk_stage_unlink(s);
	pk_stage_destroy(q);
	return k;
}

static void
test_macswap_and_ether(void **state)
{
	struct rte_ether_addr a = { .addr_bytes = { 2, 0, 0, 0, 0, 1 } };
	struct rte_ether_addr b = { .addr_bytes = { 2, 0, 0, 0, 0, 2 } };
	struct rte_ether_addr c = { .addr_bytes = { 2, 0, 0, 0, 0, 0xcc } };
	struct pk_stage *sw = mk("proc_macswap", NULL);
	struct pk_stage *et = mk("proc_ether", "src=02:00:00:00:00:cc");
	struct pk_stage *both;
	struct rte_mbuf *m[2], *out[64];
	struct rte_ether_hdr *eh;

	(void)state;
	pk_test_burst(pool, m, 2, 0);
	assert_int_equal(run_push(sw, m, 2, out), 2);
	eh = rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *);
	assert_true(rte_is_same_ether_addr(&eh->src_addr, &b));
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &a));

	assert_int_equal(run_push(et, out, 2, m), 2);
	eh = rte_pktmbuf_mtod(m[1], struct rte_ether_hdr *);
	assert_true(rte_is_same_ether_addr(&eh->src_addr, &c));
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &a));

	both = pk_proc_ether_create("both", &a, &b, 0, SOCKET_ID_ANY);
	assert_non_null(both);
	assert_int_equal(run_push(both, m, 2, out), 2);
	eh = rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *);
	assert_true(rte_is_same_ether_addr(&eh->src_addr, &a));
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &b));
	rte_errno = 0;
	assert_null(pk_proc_ether_create("none", NULL, NULL, 0, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);

	rte_pktmbuf_free_bulk(out, 2);
	pk_stage_destroy(sw);
	pk_stage_destroy(et);
	pk_stage_destroy(both);
}

static bool
ipv4_header_valid(struct rte_ipv4_hdr *ip)
{
	/* the one's-complement sum over a valid header is all ones */
	return rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff;
}

/* RFC 1624's update must match a full recompute for every TTL and for
 * checksums around the 0x0000 / 0xffff corner. */
static void
test_ttl_checksum_every_value(void **state)
{
	struct pk_stage *t = mk("proc_ttl", NULL);
	struct rte_mbuf *m[1], *out[64];
	unsigned int ttl, id;
	struct rte_ipv4_hdr *ip;

	(void)state;
	for (ttl = 2; ttl <= 255; ttl++)
		for (id = 0; id < 0x10000; id += 0x3ff) {
			m[0] = pk_test_udp4(pool, 64, ttl, 0);
			ip = ip4(m[0]);
			ip->packet_id = rte_cpu_to_be_16(id);
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			assert_int_equal(run_push(t, m, 1, out), 1);
			ip = ip4(out[0]);
			assert_int_equal(ip->time_to_live, ttl - 1);
			if (!ipv4_header_valid(ip))
				fail_msg("ttl %u id 0x%x: bad checksum 0x%x",
					 ttl, id, ip->hdr_checksum);
			rte_pktmbuf_free(out[0]);
		}
	pk_stage_destroy(t);
}

static struct rte_mbuf *
frame(const void *hdr, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, len), hdr, len);
	return m;
}

static void
test_ttl_ipv6_vlan_expired_malformed(void **state)
{
	uint8_t v6[14 + 40] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60,
				[14 + 7] = 9 };
	uint8_t v6_expired[14 + 40] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60,
					[14 + 7] = 1 };
	uint8_t arp[60] = { [12] = 0x08, [13] = 0x06 };
	uint8_t short_ip[14 + 10] = { [12] = 0x08, [13] = 0x00, [14] = 0x45 };
	uint8_t bad_ihl[14 + 20] = { [12] = 0x08, [13] = 0x00, [14] = 0x43,
				     [22] = 9 };
	uint8_t qinq[14 + 8 + 20] = { [12] = 0x88, [13] = 0xa8, [16] = 0x81,
				      [17] = 0x00, [20] = 0x08, [21] = 0x00,
				      [22] = 0x45, [30] = 7 };
	struct pk_stage *t = mk("proc_ttl", NULL);
	struct rte_mbuf *m[7], *out[64];
	struct pk_stage_stats st;

	(void)state;
	m[0] = frame(v6, sizeof(v6));
	m[1] = frame(v6_expired, sizeof(v6_expired));
	m[2] = frame(arp, sizeof(arp));
	m[3] = frame(short_ip, sizeof(short_ip));
	m[4] = frame(bad_ihl, sizeof(bad_ihl));
	m[5] = frame(qinq, sizeof(qinq));
	m[6] = frame(arp, 10); /* not even an Ethernet header */
	assert_int_equal(run_push(t, m, 7, out), 3);
	/* survivors, in order: v6 (hop limit 8), arp (unchanged), qinq */
	assert_int_equal(rte_pktmbuf_mtod(out[0], uint8_t *)[14 + 7], 8);
	assert_memory_equal(rte_pktmbuf_mtod(out[1], uint8_t *), arp,
			    sizeof(arp));
	assert_int_equal(rte_pktmbuf_mtod(out[2], uint8_t *)[30], 6);
	pk_stage_stats_get(t, &st);
	assert_int_equal(st.drops[PK_DROP_EXPIRED], 1);
	assert_int_equal(st.drops[PK_DROP_MALFORMED], 3);
	assert_int_equal(st.in_pkts, 7);
	assert_int_equal(st.out_pkts, 3);
	rte_pktmbuf_free_bulk(out, 3);
	pk_stage_destroy(t);
}

/* A user callback that drops every odd packet for policy reasons. */
static uint16_t
drop_odd(struct pk_stage *s, struct pk_stage_counters *c,
	 struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	uint16_t i, kept = 0;

	(void)s;
	(*(unsigned int *)arg)++;
	for (i = 0; i < n; i++) {
		if (pk_test_seq(pkts[i]) % 2)
			pk_stage_drop(c, PK_DROP_POLICY, pkts[i]);
		else
			pkts[kept++] = pkts[i];
	}
	return kept;
}

static void
test_callback_push_and_pull(void **state)
{
	struct rte_mbuf *m[8], *out[64];
	struct pk_stage_stats st;
	struct pk_stage *cb, *q;
	unsigned int calls = 0, i;

	(void)state;
	cb = pk_proc_create("odd", drop_odd, &calls, PK_STAGE_F_BYTES,
			    SOCKET_ID_ANY);
	assert_non_null(cb);
	assert_string_equal(pk_stage_kind_name(cb), "proc");
	pk_test_burst(pool, m, 8, 0);
	assert_int_equal(run_push(cb, m, 8, out), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(pk_test_seq(out[i]), 2 * i);
	rte_pktmbuf_free_bulk(out, 4);

	/* pull mode: queue -> callback */
	q = pk_queue_ring_create("src", 16, 0, 0, SOCKET_ID_ANY);
	assert_non_null(q);
	assert_int_equal(pk_stage_link(q, cb), 0);
	pk_test_burst(pool, m, 6, 10);
	assert_int_equal(pk_stage_push(q, m, 6), 6);
	assert_int_equal(pk_stage_pull(cb, out, 64), 3);
	assert_int_equal(pk_test_seq(out[2]), 14);
	assert_int_equal(pk_stage_pull(cb, out + 3, 64), 0);
	rte_pktmbuf_free_bulk(out, 3);

	assert_int_equal(calls, 2);
	pk_stage_stats_get(cb, &st);
	assert_int_equal(st.in_pkts, 14);
	assert_int_equal(st.out_pkts, 7);
	assert_int_equal(st.in_bytes, 14 * 64);
	assert_int_equal(st.out_bytes, 7 * 64);
	assert_int_equal(st.drops[PK_DROP_POLICY], 7);
	assert_int_equal(pk_stage_stats_print(stderr, cb) > 0, 1);
	pk_stage_stats_reset(cb);
	pk_stage_stats_get(cb, &st);
	assert_int_equal(st.in_pkts, 0);
	pk_stage_destroy(q);
	pk_stage_destroy(cb);

	rte_errno = 0;
	assert_null(pk_proc_create("nofn", NULL, NULL, 0, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
}

/* Refused by the next stage after a drop made room: the refused survivors
 * sit at the caller's tail, in order. */
static void
test_refusal_after_drops_compacts_tail(void **state)
{
	struct rte_mbuf *m[8], *copy[8], *out[64];
	unsigned int calls = 0;
	struct pk_stage *cb, *q;

	(void)state;
	cb = pk_proc_create("odd2", drop_odd, &calls, 0, SOCKET_ID_ANY);
	q = pk_queue_ring_create("small", 4, 0, 0, SOCKET_ID_ANY);
	assert_non_null(cb);
	assert_non_null(q);
	assert_int_equal(pk_stage_link(cb, q), 0);
	pk_test_burst(pool, m, 8, 0);
	memcpy(copy, m, sizeof(m));
	/* evens 0,2,4,6 survive; the queue takes 0,2,4; 6 comes back last */
	assert_int_equal(pk_stage_push(cb, m, 8), 7);
	assert_ptr_equal(m[7], copy[6]);
	rte_pktmbuf_free(m[7]);
	assert_int_equal(pk_stage_pull(q, out, 64), 3);
	rte_pktmbuf_free_bulk(out, 3);
	pk_stage_destroy(q);
	pk_stage_destroy(cb);
}

static void
test_counter_counts_bytes(void **state)
{
	struct pk_stage *c = mk("proc_counter", "bytes=0");
	struct rte_mbuf *m[2], *out[64];
	struct pk_stage_stats st;

	(void)state;
	m[0] = pk_test_udp4(pool, 60, 9, 0);
	m[1] = pk_test_udp4(pool, 1514, 9, 1);
	assert_int_equal(run_push(c, m, 2, out), 2);
	pk_stage_stats_get(c, &st);
	assert_int_equal(st.in_bytes, 1574); /* counts bytes whatever asked */
	assert_int_equal(st.out_pkts, 2);
	rte_pktmbuf_free_bulk(out, 2);
	pk_stage_destroy(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_macswap_and_ether,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_ttl_checksum_every_value,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_ttl_ipv6_vlan_expired_malformed,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_callback_push_and_pull,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_refusal_after_drops_compacts_tail,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_counter_counts_bytes,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_proc", NULL, NULL);
	pool = pk_test_pool("test_proc", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
