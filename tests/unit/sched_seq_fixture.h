/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SCHED_SEQ_FIXTURE_H
#define PK_SCHED_SEQ_FIXTURE_H

/*
 * What the scheduler tests that read order off the seq share (test_sched.c,
 * test_sched_order.c): the pool, a classifier by seq / 1000, a "sched"
 * stage of a policy, internal queues, one frame pushed, and the pull order
 * checked. Include after pk_test.h.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

static struct rte_mempool *pool;

/* packets carry their queue id in seq / 1000: queue q sends q*1000 + i */
static inline uint32_t
by_seq(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	return pk_test_seq(m) / 1000;
}

static inline struct pk_stage *
sched_new(const char *policy, uint32_t max_queues)
{
	struct pk_sched_conf c = {
		.policy = policy,
		.max_queues = max_queues,
		.qsize = 16,
		.classify = by_seq,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_stage *s = pk_sched_create("sched", &c);

	assert_non_null(s);
	return s;
}

static inline int
attach_internal(struct pk_stage *s, uint32_t param)
{
	struct pk_sched_queue_conf qc = { .stage = NULL, .param = param };

	return pk_sched_queue_attach(s, &qc);
}

/* Push one frame of len bytes with seq into the scheduler. */
static inline void
push_one(struct pk_stage *s, uint32_t seq, uint16_t len)
{
	struct rte_mbuf *m = pk_test_udp4(pool, len, 64, seq);

	assert_int_equal(pk_stage_push(s, &m, 1), 1);
}

/* Pull everything; check the seqs come out as expected, free them. */
static inline void
expect_order(struct pk_stage *s, const uint32_t *seq, unsigned int n)
{
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m = pk_stage_pull_one(s);
		assert_non_null(m);
		if (pk_test_seq(m) != seq[i])
			fail_msg("packet %u: seq %u, expected %u", i,
				 pk_test_seq(m), seq[i]);
		rte_pktmbuf_free(m);
	}
	assert_null(pk_stage_pull_one(s));
}

#endif /* PK_SCHED_SEQ_FIXTURE_H */
