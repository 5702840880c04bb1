/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_tee: copies equal the originals byte for byte at the tee and stay so
 * when a later stage (proc_ttl) rewrites the originals; clones share the
 * data; snap lengths (also across segments of chained packets, copied and
 * cloned) and the wire length; a pull tee; a next that refuses (the sniffer
 * sees only what went on); a full sink and a dry copy pool lose copies,
 * counted apart, while every original passes and the tee's counters
 * balance; arguments refused. Every test ends with full pools. The sink
 * changed under a pusher on another lcore: test_tee_swap.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define TTL_OFF (sizeof(struct rte_ether_hdr) + 8)
#define MAXLEN 1600 /* longest frame here */

static struct rte_mempool *pool, *cpool;

/* A UDP frame of len bytes whose payload after the seq is a pattern. */
static struct rte_mbuf *
frame(uint16_t len, uint32_t seq)
{
	struct rte_mbuf *m = pk_test_udp4(pool, len, 64, seq);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t i;

	for (i = 46; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seq);
	return m;
}

/* frame() of lens[0], then segments of lens[1..n) chained to it. */
static struct rte_mbuf *
chain(const uint16_t *lens, unsigned int n, uint32_t seq)
{
	struct rte_mbuf *m = frame(lens[0], seq), *seg;
	struct rte_ipv4_hdr *ip;
	unsigned int i, j;
	uint8_t *p;

	for (i = 1; i < n; i++) {
		seg = rte_pktmbuf_alloc(pool);
		assert_non_null(seg);
		p = (uint8_t *)rte_pktmbuf_append(seg, lens[i]);
		for (j = 0; j < lens[i]; j++)
			p[j] = (uint8_t)(j * 13 + i);
		assert_int_equal(rte_pktmbuf_chain(m, seg), 0);
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	ip->total_length = rte_cpu_to_be_16(m->pkt_len - 14);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

/* c holds exactly ref[0..len). */
static void
assert_bytes(const struct rte_mbuf *c, const uint8_t *ref, uint32_t len)
{
	uint8_t buf[MAXLEN];
	const uint8_t *p;

	assert_int_equal(c->pkt_len, len);
	p = rte_pktmbuf_read(c, 0, len, buf);
	assert_non_null(p);
	assert_memory_equal(p, ref, len);
}

static void
snap(const struct rte_mbuf *m, uint8_t *ref)
{
	/* one segment: the read points into m (memmove takes p == ref) */
	memmove(ref, rte_pktmbuf_read(m, 0, m->pkt_len, ref), m->pkt_len);
}

/* The tee's real-packet counters balance; its copies add up to out. */
static void
assert_tee_balances(struct pk_stage *tee, uint64_t copied, uint64_t nomem,
		    uint64_t full)
{
	struct pk_stage_stats st;
	struct pk_tee_stats ts;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(tee, &st), 0);
	for (r = 0; r < PK_DROP_MAX; r++)
		assert_int_equal(st.drops[r], 0);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.in_pkts, st.out_pkts);
	assert_int_equal(pk_tee_stats_get(tee, &ts), 0);
	assert_int_equal(ts.copied, copied);
	assert_int_equal(ts.lost_nomem, nomem);
	assert_int_equal(ts.lost_full, full);
}

/* Destroy the stages listed, up to NULL. */
static void
destroy(struct pk_stage *s, ...)
{
	va_list ap;

	va_start(ap, s);
	for (; s != NULL; s = va_arg(ap, struct pk_stage *))
		pk_stage_destroy(s);
	va_end(ap);
}

static void
test_copies_survive_ttl_rewrite(void **state)
{
	static const uint16_t lens[8] = { 60, 64, 128, 256, 512, 1000, 1400,
					  1514 };
	static uint8_t ref[8][MAXLEN];
	struct pk_stage *sn = pk_test_ring("sniff", 64);
	struct pk_stage *out = pk_test_ring("out", 64), *ttl;
	struct rte_mbuf *m[8], *got[8];
	struct pk_stage *tee = pk_tee_create("tee", sn, cpool, 0, 0,
					     SOCKET_ID_ANY);
	unsigned int i;

	(void)state;
	ttl = pk_stage_create("proc_ttl", "ttl", NULL, SOCKET_ID_ANY);
	assert_non_null(tee);
	assert_int_equal(pk_stage_link(tee, ttl), 0);
	assert_int_equal(pk_stage_link(ttl, out), 0);
	for (i = 0; i < 8; i++) {
		m[i] = frame(lens[i], i);
		snap(m[i], ref[i]);
	}
	assert_int_equal(pk_stage_push(tee, m, 8), 8);
	assert_int_equal(pk_stage_pull(out, got, 8), 8);
	for (i = 0; i < 8; i++) /* the real path was rewritten */
		assert_int_equal(*rte_pktmbuf_mtod_offset(got[i], uint8_t *,
							  TTL_OFF), 63);
	rte_pktmbuf_free_bulk(got, 8);
	assert_int_equal(pk_stage_pull(sn, got, 8), 8);
	for (i = 0; i < 8; i++) { /* the copies were not */
		assert_ptr_equal(got[i]->pool, cpool);
		assert_bytes(got[i], ref[i], lens[i]);
		assert_int_equal(pk_tee_wire_len(got[i]), lens[i]);
	}
	rte_pktmbuf_free_bulk(got, 8);
	assert_tee_balances(tee, 8, 0, 0);
	destroy(tee, ttl, out, sn, NULL);
}

/* Clones share the data; freeing the original first leaves them valid. */
static void
test_clone_shares_data(void **state)
{
	static uint8_t ref[4][MAXLEN];
	struct pk_stage *sn = pk_test_ring("sniff", 64);
	struct pk_stage *out = pk_test_ring("out", 64);
	struct pk_stage *tee = pk_tee_create("tee", sn, cpool, 0,
					     PK_TEE_F_CLONE, SOCKET_ID_ANY);
	struct rte_mbuf *m[4], *got[4];
	unsigned int i;

	(void)state;
	assert_non_null(tee);
	assert_int_equal(pk_stage_link(tee, out), 0);
	for (i = 0; i < 4; i++) {
		m[i] = frame(100 + 300 * i, i);
		snap(m[i], ref[i]);
	}
	assert_int_equal(pk_stage_push(tee, m, 4), 4);
	assert_int_equal(pk_stage_pull(out, got, 4), 4);
	rte_pktmbuf_free_bulk(got, 4); /* as a TX would, before the sniffer */
	assert_int_equal(pk_stage_pull(sn, got, 4), 4);
	for (i = 0; i < 4; i++) {
		assert_true(RTE_MBUF_CLONED(got[i]));
		assert_bytes(got[i], ref[i], 100 + 300 * i);
	}
	rte_pktmbuf_free_bulk(got, 4);
	assert_tee_balances(tee, 4, 0, 0);
	destroy(tee, out, sn, NULL);
}

/* snaplen cuts copies and clones, across segments too; wire length kept. */
static void
test_snaplen_and_chains(void **state)
{
	static const uint16_t seg[3] = { 100, 200, 300 };
	static const uint32_t snaps[4] = { 20, 150, 300, 0 };
	static uint8_t ref[MAXLEN];
	struct pk_stage *sn = pk_test_ring("sniff", 64);
	struct pk_stage *out = pk_test_ring("out", 64), *tee;
	struct rte_mbuf *m[3], *got[3];
	unsigned int c, i;
	uint32_t want;

	(void)state;
	for (c = 0; c < 8; c++) { /* 4 snap lengths, copy then clone */
		tee = pk_tee_create("tee", sn, cpool, snaps[c % 4],
				    c < 4 ? 0 : PK_TEE_F_CLONE, SOCKET_ID_ANY);
		assert_non_null(tee);
		assert_int_equal(pk_stage_link(tee, out), 0);
		m[0] = frame(64, 0);
		m[1] = frame(1514, 1);
		m[2] = chain(seg, 3, 2);
		snap(m[2], ref);
		assert_int_equal(pk_stage_push(tee, m, 3), 3);
		assert_int_equal(pk_stage_pull(sn, got, 3), 3);
		for (i = 0; i < 3; i++) {
			want = snaps[c % 4] == 0 ? m[i]->pkt_len :
			       RTE_MIN(m[i]->pkt_len, snaps[c % 4]);
			assert_int_equal(got[i]->pkt_len, want);
			assert_int_equal(pk_tee_wire_len(got[i]),
					 m[i]->pkt_len);
		}
		assert_bytes(got[2], ref, got[2]->pkt_len);
		if (c >= 4) /* a clone keeps the segments that hold the snap */
			assert_int_equal(got[2]->nb_segs,
					 snaps[c % 4] == 20 ? 1 :
					 snaps[c % 4] == 0 ? 3 : 2);
		rte_pktmbuf_free_bulk(got, 3);
		pk_test_drain_free(out, 3);
		assert_tee_balances(tee, 3, 0, 0);
		pk_stage_destroy(tee);
	}
	destroy(out, sn, NULL);
}

/* A pulled tee copies what it gives; a refusing next: copies of what went. */
static void
test_pull_and_refusing_next(void **state)
{
	struct pk_stage *sn = pk_test_ring("sniff", 64);
	struct pk_stage *in = pk_test_ring("in", 64);
	struct pk_stage *small = pk_test_ring("small", 4); /* holds 3 */
	struct pk_stage *tee = pk_tee_create("tee", sn, cpool, 0, 0,
					     SOCKET_ID_ANY);
	struct pk_stage_stats st;
	struct rte_mbuf *m[8], *got[8];
	unsigned int i;

	(void)state;
	assert_int_equal(pk_stage_link(in, tee), 0);
	pk_test_burst(pool, m, 5, 0);
	assert_int_equal(pk_stage_push(in, m, 5), 5);
	assert_int_equal(pk_stage_pull(tee, got, 8), 5);
	rte_pktmbuf_free_bulk(got, 5);
	assert_int_equal(pk_stage_pull(sn, got, 8), 5);
	rte_pktmbuf_free_bulk(got, 5);

	pk_stage_unlink(in);
	assert_int_equal(pk_stage_link(tee, small), 0);
	pk_test_burst(pool, m, 8, 100);
	assert_int_equal(pk_stage_push(tee, m, 8), 3);
	assert_int_equal(pk_test_seq(m[3]), 103); /* ours again, in order */
	rte_pktmbuf_free_bulk(&m[3], 5);
	assert_int_equal(pk_stage_pull(sn, got, 8), 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(pk_test_seq(got[i]), 100 + i);
	rte_pktmbuf_free_bulk(got, 3);
	assert_int_equal(pk_stage_stats_get(tee, &st), 0);
	assert_int_equal(st.refused[PK_DROP_FULL], 5);
	assert_tee_balances(tee, 8, 0, 0); /* 5 pulled, 3 pushed on */
	pk_test_drain_free(small, 3);
	destroy(tee, small, in, sn, NULL);
}

/* A full sink and a dry pool lose copies, counted; originals all pass. */
static void
test_full_sink_and_dry_pool(void **state)
{
	struct rte_mempool *tiny = pk_test_pool("tee_tiny", 8);
	struct pk_stage *sn = pk_test_ring("sniff", 8);
	struct pk_stage *out = pk_test_ring("out", 64);
	struct pk_stage *sn2 = pk_test_ring("sniff2", 64);
	struct pk_stage *tee = pk_tee_create("tee", sn, cpool, 0, 0,
					     SOCKET_ID_ANY);
	struct pk_stage *dry = pk_tee_create("dry", NULL, tiny, 0, 0,
					     SOCKET_ID_ANY);
	struct pk_stage_stats st;
	struct rte_mbuf *m[32];

	(void)state;
	assert_int_equal(pk_stage_link(tee, out), 0);
	pk_test_burst(pool, m, 32, 0);
	assert_int_equal(pk_stage_push(tee, m, 32), 32);
	assert_tee_balances(tee, 7, 0, 25);
	assert_int_equal(pk_stage_stats_get(sn, &st), 0);
	assert_int_equal(st.refused[PK_DROP_FULL], 25); /* the sink says so */
	pk_test_drain_free(out, 32);
	pk_test_drain_free(sn, 7);

	assert_int_equal(pk_stage_link(dry, out), 0);
	pk_test_burst(pool, m, 32, 0);
	assert_int_equal(pk_stage_push(dry, m, 32), 32); /* no sink yet */
	assert_tee_balances(dry, 0, 0, 0);
	assert_int_equal(pk_tee_set_sink(dry, sn2), 0);
	pk_test_burst(pool, m, 6, 0);
	assert_int_equal(pk_stage_push(dry, m, 6), 6);
	pk_test_burst(pool, m, 6, 6);
	assert_int_equal(pk_stage_push(dry, m, 6), 6); /* the pool has 2 */
	assert_tee_balances(dry, 8, 4, 0);
	pk_test_drain_free(out, 44);
	pk_test_drain_free(sn2, 8);
	destroy(dry, sn2, tee, out, sn, NULL);
	pk_test_assert_pools_full();
	rte_mempool_free(tiny);
}

static void
test_bad_arguments(void **state)
{
	struct rte_mempool *bare = rte_pktmbuf_pool_create("tee_bare", 8, 0, 0,
							   0, SOCKET_ID_ANY);
	static const char *const bad[] = {
		NULL, "", "snaplen=10", "pool=test_tee_copy,pool=tee_bare",
		"pool=test_tee_copy,snaplen=-1", "pool=test_tee_copy,clone=2",
		"pool=test_tee_copy,snaplen=4294967296", "pool=tee_bare",
		"pool=test_tee_copy,sink=x",
	};
	struct pk_stage *q = pk_test_ring("q", 8), *t;
	struct pk_tee_stats ts;
	unsigned int i;

	(void)state;
	assert_non_null(bare);
	for (i = 0; i < RTE_DIM(bad); i++) {
		rte_errno = 0;
		assert_null(pk_stage_create("proc_tee", "t", bad[i], 0));
		assert_int_equal(rte_errno, EINVAL);
	}
	assert_null(pk_stage_create("proc_tee", "t", "pool=nothere", 0));
	assert_int_equal(rte_errno, ENOENT);
	assert_null(pk_tee_create("t", NULL, NULL, 0, 0, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_tee_create("t", NULL, cpool, 0, 1u << 30, 0));
	assert_int_equal(rte_errno, EINVAL);
	t = pk_stage_create("proc_tee", "t", "pool=tee_bare,clone=1", 0);
	assert_non_null(t); /* clones need no data room */
	assert_int_equal(pk_tee_set_sink(t, t), -EINVAL);
	assert_int_equal(pk_tee_set_sink(q, NULL), -EINVAL);
	assert_int_equal(pk_tee_set_sink(NULL, q), -EINVAL);
	assert_int_equal(pk_tee_stats_get(q, &ts), -EINVAL);
	assert_int_equal(pk_tee_stats_get(t, NULL), -EINVAL);
	assert_int_equal(pk_tee_set_sink(t, q), 0);
	assert_int_equal(pk_tee_set_sink(t, NULL), 0);
	destroy(t, q, NULL);
	rte_mempool_free(bare);
}

#define TEE_TEST(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEE_TEST(test_copies_survive_ttl_rewrite),
		TEE_TEST(test_clone_shares_data),
		TEE_TEST(test_snaplen_and_chains),
		TEE_TEST(test_pull_and_refusing_next),
		TEE_TEST(test_full_sink_and_dry_pool),
		TEE_TEST(test_bad_arguments),
	};
	int rc;

	pk_test_eal_init("test_tee", NULL, NULL);
	pool = pk_test_pool("test_tee", 1024);
	cpool = pk_test_pool("test_tee_copy", 1024);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
