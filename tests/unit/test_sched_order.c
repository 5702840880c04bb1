/* SPDX-License-Identifier: BSD-3-Clause */
/* PktSched order: DRR (and no hoarding), prio, rr and fifo on hand-computed
 * cases; every policy with parameters and queues changing mid-run, and
 * 20000 random steps: nothing lost, duplicated or reordered within a queue,
 * pull work-conserving. Creation and paths: test_sched.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "sched_seq_fixture.h"

/*
 * DRR, hand-computed. A: quantum 500, packets 300 300 300; B: quantum 1000,
 * packets 600 600. A goes first (deficit 500): A1 (200 left), A2 does not
 * fit: +500 = 700, to the tail. B (1000): B1 (400 left), B2 does not fit:
 * +1000 = 1400. A: A2 (400), A3 (100), empty. B: B2.
 */
static void
test_drr_order(void **state)
{
	static const uint32_t want[] = { 0, 1000, 1, 2, 1001 };
	struct pk_stage *s;

	(void)state;
	s = sched_new("drr", 4);
	assert_int_equal(attach_internal(s, 500), 0);
	assert_int_equal(attach_internal(s, 1000), 1);
	push_one(s, 0, 300);
	push_one(s, 1, 300);
	push_one(s, 2, 300);
	push_one(s, 1000, 600);
	push_one(s, 1001, 600);
	expect_order(s, want, RTE_DIM(want));
	pk_stage_destroy(s);
}

/*
 * DRR: a queue that went idle comes back with one quantum, not its savings.
 * A (quantum 1000) sends 100 bytes and idles; then A has 3 x 500, B
 * (quantum 1000) 5 x 500. Had A kept its 900, it would send all 3 at once.
 */
static void
test_drr_no_hoarding(void **state)
{
	static const uint32_t first[] = { 0 };
	static const uint32_t want[] = { 10, 11, 1000, 1001, 12, 1002, 1003,
					 1004 };
	struct pk_stage *s;
	uint32_t i;

	(void)state;
	s = sched_new("drr", 4);
	assert_int_equal(attach_internal(s, 1000), 0);
	assert_int_equal(attach_internal(s, 1000), 1);
	push_one(s, 0, 100);
	expect_order(s, first, 1);
	for (i = 0; i < 3; i++)
		push_one(s, 10 + i, 500);
	for (i = 0; i < 5; i++)
		push_one(s, 1000 + i, 500);
	expect_order(s, want, RTE_DIM(want));
	pk_stage_destroy(s);
}

/*
 * Strict priority: level 0 first; within a level, heads in the order they
 * became visible. q0 prio 2 (a0 a1), q1 prio 0 (b0), q2 prio 1 (c0), q3
 * prio 0 (d0 d1): b0 d0 d1 c0 a0 a1. A level-0 packet arriving later goes
 * before anything lower still waiting.
 */
static void
test_prio_order(void **state)
{
	static const uint32_t want[] = { 1000, 3000, 3001, 2000, 0, 1 };
	static const uint32_t rest[] = { 1000, 1 };
	struct rte_mbuf *m;
	struct pk_stage *s;

	(void)state;
	s = sched_new("prio", 4);
	assert_int_equal(attach_internal(s, 2), 0);
	assert_int_equal(attach_internal(s, 0), 1);
	assert_int_equal(attach_internal(s, 1), 2);
	assert_int_equal(attach_internal(s, 0), 3);
	push_one(s, 0, 64);
	push_one(s, 1, 64);
	push_one(s, 1000, 64);
	push_one(s, 2000, 64);
	push_one(s, 3000, 64);
	push_one(s, 3001, 64);
	expect_order(s, want, RTE_DIM(want));
	push_one(s, 0, 64);
	push_one(s, 1, 64);
	m = pk_stage_pull_one(s);
	assert_int_equal(pk_test_seq(m), 0);
	rte_pktmbuf_free(m);
	push_one(s, 1000, 64);
	expect_order(s, rest, RTE_DIM(rest));
	pk_stage_destroy(s);
}

/* Round robin: q0 3 packets, q1 1, q2 2: 0 1000 2000 1 2001 2. */
static void
test_rr_order(void **state)
{
	static const uint32_t want[] = { 0, 1000, 2000, 1, 2001, 2 };
	struct pk_stage *s;
	int i;

	(void)state;
	s = sched_new("rr", 4);
	for (i = 0; i < 3; i++)
		assert_int_equal(attach_internal(s, PK_SCHED_PARAM_DEFAULT), i);
	push_one(s, 0, 64);
	push_one(s, 1, 1500);
	push_one(s, 2, 64);
	push_one(s, 1000, 64);
	push_one(s, 2000, 64);
	push_one(s, 2001, 64);
	expect_order(s, want, RTE_DIM(want));
	pk_stage_destroy(s);
}

/* fifo: queues drain whole, in the order they became backlogged. */
static void
test_fifo_order(void **state)
{
	static const uint32_t want[] = { 1000, 1001, 0, 1, 2, 1002 };
	struct pk_stage *s;

	(void)state;
	s = sched_new("fifo", 4);
	assert_int_equal(attach_internal(s, PK_SCHED_PARAM_DEFAULT), 0);
	assert_int_equal(attach_internal(s, PK_SCHED_PARAM_DEFAULT), 1);
	push_one(s, 1000, 64);
	push_one(s, 0, 64);
	push_one(s, 1001, 64);
	push_one(s, 1, 64);
	push_one(s, 2, 64);
	expect_order(s, want, 5);
	push_one(s, 1002, 64);
	expect_order(s, &want[5], 1);
	pk_stage_destroy(s);
}

/*
 * Every policy: parameters change and queues come and go mid-run; no packet
 * is lost or duplicated and each queue keeps its own order.
 */
static void
test_changes_mid_run(void **state)
{
	static const char *const policies[] = {
		"wfq", "wf2q", "drr", "prio", "rr", "fifo",
	};
	static const uint32_t params[][3] = {
		{ 1, 4, 9 }, { 1, 4, 9 }, { 300, 1514, 4000 },
		{ 0, 1, 2 }, { 0, 0, 0 }, { 0, 0, 0 },
	};
	uint32_t next_out[4], pushed[4], got = 0, total = 0;
	struct rte_mbuf *m[16];
	struct pk_stage *s;
	unsigned int p, round, i, k, qid;

	(void)state;
	for (p = 0; p < RTE_DIM(policies); p++) {
		s = sched_new(policies[p], 4);
		for (i = 0; i < 3; i++)
			assert_int_equal(attach_internal(s, params[p][i]), i);
		memset(next_out, 0, sizeof(next_out));
		memset(pushed, 0, sizeof(pushed));
		got = total = 0;
		for (round = 0; round < 60; round++) {
			for (qid = 0; qid < 3; qid++)
				while (pushed[qid] - next_out[qid] < 6) {
					push_one(s, qid * 1000 + pushed[qid],
						 64 + (pushed[qid] * 97) % 1400);
					pushed[qid]++;
					total++;
				}
			if (round % 7 == 3)
				assert_int_equal(pk_sched_queue_set_param(s,
					round % 3, params[p][(round / 7) % 3]),
					0);
			k = pk_stage_pull(s, m, 5);
			for (i = 0; i < k; i++) {
				qid = pk_test_seq(m[i]) / 1000;
				assert_int_equal(pk_test_seq(m[i]) % 1000,
						 next_out[qid]);
				next_out[qid]++;
			}
			got += k;
			rte_pktmbuf_free_bulk(m, k);
		}
		/* drain */
		while ((k = pk_stage_pull(s, m, 16)) > 0) {
			for (i = 0; i < k; i++) {
				qid = pk_test_seq(m[i]) / 1000;
				assert_int_equal(pk_test_seq(m[i]) % 1000,
						 next_out[qid]);
				next_out[qid]++;
			}
			got += k;
			rte_pktmbuf_free_bulk(m, k);
		}
		assert_int_equal(got, total);
		pk_stage_destroy(s);
	}
}

/* One random step for test_random_ops: state of a queue. */
struct rq {
	int qid;                /* -1: detached */
	struct pk_stage *ring;  /* a stage queue, or NULL: internal */
	uint32_t pushed, next;  /* seq pushed, next seq expected out */
};

static uint32_t
rnd(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

static void
rq_check_out(struct rq *rq, struct rte_mbuf **m, uint16_t k)
{
	uint16_t i;
	uint32_t q;

	for (i = 0; i < k; i++) {
		q = pk_test_seq(m[i]) / 1000;
		assert_true(q < 6 && rq[q].qid >= 0);
		assert_int_equal(pk_test_seq(m[i]) % 1000, rq[q].next % 1000);
		rq[q].next++;
	}
	rte_pktmbuf_free_bulk(m, k);
}

/* Push into a queue: through the classifier, or into its ring directly. */
static void
rq_push(struct pk_stage *s, struct rq *r, uint32_t q, uint32_t *x)
{
	struct rte_mbuf *m = pk_test_udp4(pool, 64 + rnd(x) % 1455, 64,
					  q * 1000 + r->pushed % 1000);
	struct pk_stage *to = r->ring != NULL && rnd(x) % 2 ? r->ring : s;

	if (pk_stage_push(to, &m, 1) == 1)
		r->pushed++;
	else
		rte_pktmbuf_free(m); /* full: never taken */
}

/*
 * Every policy, 20000 random steps: pushes (classifier or straight into a
 * ring), pulls, parameter changes, detach and re-attach, with internal and
 * stage queues mixed. Nothing is lost or reordered within a queue, and pull
 * is work-conserving: whenever the scheduler holds a packet, it gives one.
 */
static void
test_random_ops(void **state)
{
	static const char *const policies[] = {
		"wfq", "wf2q", "drr", "prio", "rr", "fifo",
	};
	struct pk_sched_queue_conf qc;
	struct rte_mbuf *m[8], *head;
	struct rq rq[6];
	struct pk_stage *s;
	uint32_t x = 7, q, op, step, p, param;
	const struct pk_sched_policy *pol;
	char name[8];

	(void)state;
	for (p = 0; p < RTE_DIM(policies); p++) {
		pol = pk_sched_policy_find(policies[p]);
		s = sched_new(policies[p], 8);
		for (q = 0; q < 6; q++) {
			snprintf(name, sizeof(name), "r%u", q);
			rq[q].ring = q >= 4 ? pk_queue_ring_create(name, 8, 0, 0,
							SOCKET_ID_ANY) : NULL;
			qc.stage = rq[q].ring;
			qc.param = PK_SCHED_PARAM_DEFAULT;
			rq[q].qid = pk_sched_queue_attach(s, &qc);
			assert_int_equal(rq[q].qid, (int)q);
			rq[q].pushed = rq[q].next = 0;
		}
		for (step = 0; step < 20000; step++) {
			q = rnd(&x) % 6;
			op = rnd(&x) % 100;
			param = pol->param_min + rnd(&x) %
				RTE_MIN(pol->param_max - pol->param_min + 1,
					70000u);
			if (rq[q].qid < 0) {
				if (op >= 5)
					continue;
				/* back; ids are reused last freed first */
				qc.stage = rq[q].ring;
				qc.param = param;
				rq[q].qid = pk_sched_queue_attach(s, &qc);
				assert_true(rq[q].qid >= 0);
				if (rq[q].qid != (int)q) { /* not its id: again */
					assert_int_equal(pk_sched_queue_detach(s,
						rq[q].qid, NULL), 0);
					rq[q].qid = -1;
				}
				continue;
			}
			if (op < 50) {
				rq_push(s, &rq[q], q, &x);
			} else if (op < 90) {
				uint16_t k = pk_stage_pull(s, m, 1 + rnd(&x) % 8);

				assert_true(k > 0 || pk_stage_len(s) == 0);
				rq_check_out(rq, m, k);
			} else if (op < 97) {
				if (pk_sched_queue_set_param(s, rq[q].qid,
							     param) == 0)
					assert_int_equal(pk_sched_queue_info(s,
						rq[q].qid, &param, NULL), 0);
			} else if (rq[q].qid == (int)q) {
				/* leave: what it held is handed back or freed */
				assert_int_equal(pk_sched_queue_detach(s,
						 rq[q].qid, &head), 0);
				if (head != NULL) {
					rq_check_out(rq, &head, 1);
				}
				if (rq[q].ring != NULL) {
					while ((op = pk_stage_pull(rq[q].ring,
								   m, 8)) > 0)
						rq_check_out(rq, m, op);
				}
				rq[q].qid = -1;
				rq[q].next = rq[q].pushed;
			}
		}
		pk_stage_destroy(s);
		for (q = 0; q < 6; q++)
			pk_stage_destroy(rq[q].ring);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_drr_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_drr_no_hoarding,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_prio_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_rr_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fifo_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_changes_mid_run,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_random_ops,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched_order", NULL, NULL);
	pool = pk_test_pool("test_sched_order", 512);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
