/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TWIN_FIXTURE_H
#define PK_TWIN_FIXTURE_H

/*
 * What the twin tests share (test_thread_fused*.c, test_path_counts.c): a
 * fast variant (a fused run, a path that reads its head's counters) runs
 * beside a twin that takes the plain way, and both must show the same
 * packets and the same counts. Include after pk_test.h.
 */

#include <stdbool.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_thread_driver.h>

/* A custom start function doing the default run: never fused. */
static inline int
twin_run_unfused(struct pk_thread *t, void *arg)
{
	return pk_thread_run_default(t, arg);
}

/* Drops the packets whose seq is a multiple of 3 ("policy"), keeps order. */
static inline uint16_t
twin_drop_thirds(struct pk_stage *s, struct pk_stage_counters *c,
		 struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	uint16_t i, kept = 0;

	RTE_SET_USED(s);
	RTE_SET_USED(arg);
	for (i = 0; i < n; i++) {
		if (pk_test_seq(pkts[i]) % 3 == 0)
			pk_stage_drop(c, PK_DROP_POLICY, pkts[i]);
		else
			pkts[kept++] = pkts[i];
	}
	return kept;
}

/* What twin_assert_equal() compares besides packets, held and drops. */
#define TWIN_BYTES	(1u << 0) /* in and out bytes */
#define TWIN_BALANCE	(1u << 1) /* and a's in == out + drops + held */

/* a and b read the same counts. */
static inline void
twin_assert_equal(struct pk_stage *a, struct pk_stage *b, unsigned int what)
{
	struct pk_stage_stats sa, sb;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(a, &sa), 0);
	assert_int_equal(pk_stage_stats_get(b, &sb), 0);
	assert_int_equal(sa.in_pkts, sb.in_pkts);
	assert_int_equal(sa.out_pkts, sb.out_pkts);
	if (what & TWIN_BYTES) {
		assert_int_equal(sa.in_bytes, sb.in_bytes);
		assert_int_equal(sa.out_bytes, sb.out_bytes);
	}
	assert_int_equal(sa.held, sb.held);
	for (r = 0; r < PK_DROP_MAX; r++) {
		assert_int_equal(sa.drops[r], sb.drops[r]);
		assert_int_equal(sa.refused[r], sb.refused[r]);
		sa.out_pkts += sa.drops[r];
	}
	if (what & TWIN_BALANCE)
		assert_int_equal(sa.in_pkts, sa.out_pkts + sa.held);
}

/* Push n fresh packets of mp (seq from first) into q; free what it refuses. */
static inline void
twin_push_some(struct rte_mempool *mp, struct pk_stage *q, uint32_t first,
	       uint16_t n)
{
	struct rte_mbuf *m[64];
	uint16_t k;

	pk_test_burst(mp, m, n, first);
	k = pk_stage_push(q, m, n);
	rte_pktmbuf_free_bulk(&m[k], n - k);
}

/*
 * Pull up to max from a and from b: the same packets, in order (after
 * *last, which becomes the last seq; UINT32_MAX at first), none a multiple
 * of 3 when thirds.
 */
static inline unsigned int
twin_pull_same(struct pk_stage *a, struct pk_stage *b, uint16_t max,
	       bool thirds, uint32_t *last)
{
	struct rte_mbuf *ma[64], *mb[64];
	uint16_t ka, kb, i;

	ka = pk_stage_pull(a, ma, max);
	kb = pk_stage_pull(b, mb, max);
	assert_int_equal(ka, kb);
	for (i = 0; i < ka; i++) {
		uint32_t s = pk_test_seq(ma[i]);

		assert_int_equal(s, pk_test_seq(mb[i]));
		assert_true(!thirds || s % 3 != 0);
		assert_true(*last == UINT32_MAX || s > *last); /* in order */
		*last = s;
	}
	rte_pktmbuf_free_bulk(ma, ka);
	rte_pktmbuf_free_bulk(mb, kb);
	return ka;
}

#endif /* PK_TWIN_FIXTURE_H */
