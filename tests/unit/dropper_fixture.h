/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_DROPPER_FIXTURE_H
#define PK_DROPPER_FIXTURE_H

/*
 * What the dropper tests share (test_dropper.c, test_dropper_conf.c): the
 * pool, a tally of what a test pushed and pulled, a fake clock, pushes of
 * fresh packets, pulls that free, the drop counters, the conservation
 * check, a RED configuration and a standing queue. Include after pk_test.h.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

static struct rte_mempool *pool;

/* What the test pushed, refused included, and pulled. */
struct tally {
	uint64_t pushed;
	uint64_t pulled;
};

static inline uint64_t
fake_clock(void *arg)
{
	return *(const uint64_t *)arg;
}

/* Push one fresh packet; returns 1 if the queue took it (kept or dropped). */
static inline unsigned int
push_one(struct pk_stage *q, struct tally *t)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	t->pushed++;
	if (pk_stage_push(q, &m, 1) == 1)
		return 1;
	rte_pktmbuf_free(m);
	return 0;
}

/* Push n fresh packets in one burst; frees what the queue gives back. */
static inline uint16_t
push_burst(struct pk_stage *q, uint16_t n, struct tally *t)
{
	struct rte_mbuf *m[64];
	uint16_t k;

	assert_true(n <= RTE_DIM(m));
	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, m, n), 0);
	t->pushed += n;
	k = pk_stage_push(q, m, n);
	if (k < n)
		rte_pktmbuf_free_bulk(&m[k], n - k);
	return k;
}

/* Pull up to n packets and free them. */
static inline unsigned int
pull_free(struct pk_stage *q, unsigned int n, struct tally *t)
{
	struct rte_mbuf *m[64];
	unsigned int got = 0, k;

	while (got < n) {
		k = pk_stage_pull(q, m, RTE_MIN(n - got, RTE_DIM(m)));
		if (k == 0)
			break;
		rte_pktmbuf_free_bulk(m, k);
		got += k;
	}
	t->pulled += got;
	return got;
}

static inline uint64_t
drops(const struct pk_stage *q, enum pk_drop_reason r)
{
	struct pk_stage_stats st;

	assert_int_equal(pk_stage_stats_get(q, &st), 0);
	return st.drops[r];
}

/* pushed = taken + refused; taken = pulled + dropped (every reason) +
 * held; and nothing else was dropped than the dropper's reason. */
static inline void
assert_conserved(const struct pk_stage *q, const struct tally *t,
		 enum pk_drop_reason why)
{
	struct pk_stage_stats st;
	uint64_t d = 0, ref = 0;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(q, &st), 0);
	for (r = 0; r < PK_DROP_MAX; r++) {
		d += st.drops[r];
		ref += st.refused[r];
		if (r != why)
			assert_int_equal(st.drops[r], 0);
	}
	assert_int_equal(st.in_pkts + ref, t->pushed);
	assert_int_equal(st.out_pkts, t->pulled);
	assert_int_equal(st.in_pkts, st.out_pkts + d + st.held);
	assert_int_equal(st.held, pk_stage_len(q));
}

static inline struct pk_dropper_conf
red_conf(uint16_t min_th, uint16_t max_th, uint16_t maxp_inv, uint16_t wq_log2)
{
	struct pk_dropper_conf c = { .kind = PK_DROPPER_RED };

	c.red.min_th = min_th;
	c.red.max_th = max_th;
	c.red.maxp_inv = maxp_inv;
	c.red.wq_log2 = wq_log2;
	c.seed = 12345;
	return c;
}

/* Hold q at len packets: push one, pull one whenever it is over len. */
static inline void
standing(struct pk_stage *q, unsigned int len, unsigned int pushes,
	 struct tally *t)
{
	unsigned int i;

	for (i = 0; i < pushes; i++) {
		push_one(q, t);
		if (pk_stage_len(q) > len)
			pull_free(q, pk_stage_len(q) - len, t);
	}
}

#endif /* PK_DROPPER_FIXTURE_H */
