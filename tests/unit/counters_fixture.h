/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_COUNTERS_FIXTURE_H
#define PK_COUNTERS_FIXTURE_H

/*
 * What the counter tests share (test_counters.c, test_counters_balance.c):
 * the pool, a stage made by kind, its stats read, and a burst pushed with
 * what was taken and refused checked. Include after pk_test.h.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#define BURST 16

static struct rte_mempool *pool;

static inline struct pk_stage *
mk(const char *kind, const char *name, const char *args)
{
	struct pk_stage *s = pk_stage_create(kind, name, args, SOCKET_ID_ANY);

	assert_non_null(s);
	return s;
}

static inline struct pk_stage_stats
stats(const struct pk_stage *s)
{
	struct pk_stage_stats st;

	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	return st;
}

/*
 * Push a burst into s; what comes back is freed. Asserts that s took
 * taken packets, that in_pkts grew by as many, and that "full" grew by
 * full (what it gave back, or what a path with tail policy "drop" freed).
 */
static inline void
push_and_check(struct pk_stage *s, uint16_t taken, uint16_t full)
{
	struct pk_stage_stats a = stats(s), b;
	struct rte_mbuf *m[BURST];
	uint16_t k;

	pk_test_burst(pool, m, BURST, 0);
	k = pk_stage_push(s, m, BURST);
	rte_pktmbuf_free_bulk(&m[k], BURST - k);
	assert_int_equal(k, taken);
	b = stats(s);
	assert_int_equal(b.in_pkts - a.in_pkts, k);
	assert_int_equal(b.refused[PK_DROP_FULL] - a.refused[PK_DROP_FULL] +
			 b.drops[PK_DROP_FULL] - a.drops[PK_DROP_FULL], full);
}

#endif /* PK_COUNTERS_FIXTURE_H */
