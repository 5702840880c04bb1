/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wfq's one-call update_dequeue (and its cheap paths) serves exactly the
 * order of update then dequeue, under random arrivals, pulls, weight
 * changes, detaches and attaches: two schedulers fed the same packets give
 * the same packets back in the same order; the same with 4096 idle queues
 * attached first, so that the scout (qfq_scout(), from 4096 queues) walks
 * the lists as queues come, go and change weight (prefetches only: the
 * order must not change, and under ASan and UBSan nothing it reads may be
 * out of bounds). Fairness against GPS: test_sched_fairness.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_sched_policy.h>

#include "pk_test.h"

static struct rte_mempool *pool;

/*
 * A packet's queue: the top byte of its seq (diff_push numbers them so),
 * after the idle queues (arg, their number).
 */
static uint32_t
flow_of(const struct rte_mbuf *m, void *arg)
{
	return (pk_test_seq(m) >> 24) + (uint32_t)(uintptr_t)arg;
}

#define DIFF_QUEUES 16
#define DIFF_STEPS 30000
#define DIFF_IDLE 4096 /* QFQ_SCOUT_QUEUES: the scout is on */

static uint32_t
diff_rand(uint32_t *st)
{
	*st = *st * 1103515245u + 12345u;
	return *st >> 8;
}

/* The same packet (flow q, sequence seq, len bytes) into both, or neither. */
static void
diff_push(struct pk_stage *const s[2], uint32_t q, uint16_t len,
	  uint32_t seq)
{
	struct rte_mbuf *m;
	bool took[2];
	int k;

	for (k = 0; k < 2; k++) {
		m = pk_test_udp4(pool, len, 64, q << 24 | seq);
		took[k] = pk_stage_push_one(s[k], m);
		if (!took[k])
			rte_pktmbuf_free(m);
	}
	assert_int_equal(took[0], took[1]);
}

/* Pull up to max from both: the same packets in the same order. */
static unsigned int
diff_pull(struct pk_stage *const s[2], uint16_t max)
{
	struct rte_mbuf *m[2][32];
	uint16_t n[2], i;
	int k;

	for (k = 0; k < 2; k++)
		n[k] = pk_stage_pull(s[k], m[k], max);
	assert_int_equal(n[0], n[1]);
	for (i = 0; i < n[0]; i++)
		assert_int_equal(pk_test_seq(m[0][i]), pk_test_seq(m[1][i]));
	for (k = 0; k < 2; k++)
		rte_pktmbuf_free_bulk(m[k], n[k]);
	return n[0];
}

/* wfq without its one-call path (the core calls update, dequeue), once */
static void
diff_ref_register(void)
{
	static struct pk_sched_policy ref;

	if (ref.name != NULL)
		return;
	ref = *pk_sched_policy_find("wfq");
	assert_non_null(ref.update_dequeue);
	ref.name = "wfq_ref";
	ref.update_dequeue = NULL;
	memset(&ref.reg, 0, sizeof(ref.reg));
	pk_sched_policy_register(&ref);
}

/* The random run, after nidle idle queues of weight 1 (ids 0..nidle). */
static void
diff_run(uint32_t nidle)
{
	static const uint32_t weights[] = { 1, 2, 7, 64, 1000, 30000 };
	struct pk_sched_conf c = { .max_queues = DIFF_QUEUES + nidle,
				   .qsize = 64, .classify = flow_of,
				   .classify_arg = (void *)(uintptr_t)nidle };
	struct pk_sched_queue_conf qc = { .stage = NULL };
	bool on[DIFF_QUEUES] = { false };
	uint32_t st = 12345, seq = 0, step, r, q, i, nb = 0;
	struct pk_stage *s[2];
	int k, id[2];

	diff_ref_register();
	for (k = 0; k < 2; k++) {
		c.policy = k == 0 ? "wfq" : "wfq_ref";
		s[k] = pk_sched_create(c.policy, &c);
		assert_non_null(s[k]);
		qc.param = 1;
		for (i = 0; i < nidle; i++)
			assert_int_equal(pk_sched_queue_attach(s[k], &qc),
					 (int)i);
	}
	for (step = 0; step < DIFF_STEPS; step++) {
		r = diff_rand(&st) % 100;
		q = diff_rand(&st) % DIFF_QUEUES;
		if (!on[q] && (r >= 98 || nb < 2)) { /* attach */
			qc.param = weights[diff_rand(&st) % RTE_DIM(weights)];
			for (k = 0; k < 2; k++)
				id[k] = pk_sched_queue_attach(s[k], &qc);
			assert_int_equal(id[0], id[1]);
			id[0] -= (int)nidle;
			assert_true(id[0] >= 0 && id[0] < DIFF_QUEUES);
			on[id[0]] = true;
			nb++;
		} else if (r < 50 && on[q]) {
			for (i = diff_rand(&st) % 8 + 1; i > 0; i--)
				diff_push(s, q, 64 + diff_rand(&st) % 1455, seq++);
		} else if (r < 90) {
			diff_pull(s, diff_rand(&st) % 32 + 1);
		} else if (r < 95 && on[q]) {
			qc.param = weights[diff_rand(&st) % RTE_DIM(weights)];
			for (k = 0; k < 2; k++)
				assert_int_equal(pk_sched_queue_set_param(s[k],
							 q + nidle, qc.param), 0);
		} else if (r < 98 && on[q] && nb > 1) {
			for (k = 0; k < 2; k++)
				assert_int_equal(pk_sched_queue_detach(s[k],
							 q + nidle, NULL), 0);
			on[q] = false;
			nb--;
		}
	}
	while (diff_pull(s, 32) != 0)
		;
	for (k = 0; k < 2; k++)
		pk_stage_destroy(s[k]);
}

static void
test_wfq_update_dequeue_same_order(void **state)
{
	RTE_SET_USED(state);
	diff_run(0);
}

static void
test_wfq_same_order_with_scout(void **state)
{
	RTE_SET_USED(state);
	diff_run(DIFF_IDLE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_wfq_update_dequeue_same_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_wfq_same_order_with_scout,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched_wfq_diff", NULL, NULL);
	pool = pk_test_pool("test_sched_wfq_diff", 4 * 4096 + 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
