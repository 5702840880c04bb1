/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_THREAD_FIXTURE_H
#define PK_THREAD_FIXTURE_H

/*
 * What the thread tests share (test_thread.c, test_thread_entry.c): the
 * pool, the worker lcore, a hang guard, pushes of a numbered sequence and
 * a drain that checks it. Include after pk_test.h.
 */

#include <stdint.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

static struct rte_mempool *pool;
static unsigned int worker;

static inline void
push_all(struct pk_stage *s, uint32_t first, unsigned int n)
{
	struct rte_mbuf *m[32];
	unsigned int done = 0;
	uint16_t k;

	while (done < n) {
		k = RTE_MIN(32u, n - done);
		pk_test_burst(pool, m, k, first + done);
		assert_int_equal(pk_stage_push(s, m, k), k);
		done += k;
	}
}

/* Pull everything from s, check the sequence, free it. */
static inline unsigned int
drain_in_order(struct pk_stage *s, uint32_t first)
{
	struct rte_mbuf *m[32];
	unsigned int got = 0;
	uint16_t k, i;

	while ((k = pk_stage_pull(s, m, 32)) > 0) {
		for (i = 0; i < k; i++)
			assert_int_equal(pk_test_seq(m[i]), first + got + i);
		rte_pktmbuf_free_bulk(m, k);
		got += k;
	}
	return got;
}

#endif /* PK_THREAD_FIXTURE_H */
