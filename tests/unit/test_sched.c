/* SPDX-License-Identifier: BSD-3-Clause */
/* PktSched: creation, bad configuration, stage queues with lookahead (no
 * packet lost), classifier push, detach and destroy, queue and scheduler in
 * a path. The policies' order: test_sched_order.c. */
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

static uint64_t fake_now;

static uint64_t
fake_clock(void *arg)
{
	return *(uint64_t *)arg;
}

static void
test_policies_registered(void **state)
{
	static const char *const names[] = {
		"wfq", "wf2q", "drr", "prio", "rr", "fifo",
	};
	const struct pk_stage_kind *k;
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(names); i++) {
		assert_non_null(pk_sched_policy_find(names[i]));
		assert_string_equal(pk_sched_policy_find(names[i])->name,
				    names[i]);
	}
	assert_null(pk_sched_policy_find("cbq"));
	assert_null(pk_sched_policy_find(NULL));
	k = pk_stage_kind_find("pktsched");
	assert_non_null(k);
	assert_non_null(k->help);
}

static void
test_create_by_kind(void **state)
{
	struct pk_stage *s;

	(void)state;
	s = pk_stage_create("pktsched", "s0",
			    "policy=drr,nq=3,rate=1000000,burst=3000,bytes=1",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	assert_true(pk_sched_is_sched(s));
	assert_string_equal(pk_stage_kind_name(s), "pktsched");
	assert_string_equal(pk_sched_policy_name(s), "drr");
	assert_int_equal(pk_sched_nb_queues(s), 3);
	pk_stage_destroy(s);

	s = pk_stage_create("pktsched", "s1", NULL, SOCKET_ID_ANY);
	assert_non_null(s);
	assert_string_equal(pk_sched_policy_name(s), "wfq");
	assert_int_equal(pk_sched_nb_queues(s), 0);
	pk_stage_destroy(s);
}

static void
expect_kind_fails(const char *args, int err)
{
	rte_errno = 0;
	assert_null(pk_stage_create("pktsched", "bad", args, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, err);
}

static void
test_create_bad_arguments(void **state)
{
	(void)state;
	expect_kind_fails("policy=cbq", ENOENT);
	expect_kind_fails("policy=wfq,policy=drr", EINVAL);
	expect_kind_fails("qsize=100", EINVAL);
	expect_kind_fails("queues=0", EINVAL);
	expect_kind_fails("queues=4,nq=5", EINVAL);
	expect_kind_fails("mtu=10", EINVAL);
	expect_kind_fails("rate=-1", EINVAL);
	expect_kind_fails("weight=3", EINVAL);
	assert_null(pk_sched_create(NULL, NULL));
	assert_int_equal(rte_errno, EINVAL);
}

static void
test_bad_queue_config(void **state)
{
	struct pk_sched_queue_conf qc = { 0 };
	struct pk_stage *s, *q;
	int i;

	(void)state;
	s = sched_new("wfq", 18);
	assert_int_equal(attach_internal(s, 0), -EINVAL);       /* zero weight */
	assert_int_equal(attach_internal(s, 65537), -EINVAL);   /* over max */
	assert_int_equal(pk_sched_queue_attach(s, NULL), -EINVAL);
	assert_int_equal(pk_sched_queue_attach(NULL, &qc), -EINVAL);
	/* 16 x 65536 is QFQ's whole weight budget: the 17th does not fit */
	for (i = 0; i < 16; i++)
		assert_int_equal(attach_internal(s, 65536), i);
	assert_int_equal(attach_internal(s, 1), -ENOSPC);
	assert_int_equal(pk_sched_queue_set_param(s, 0, 1), 0);
	assert_int_equal(pk_sched_queue_set_param(s, 1, 65536), 0);
	assert_int_equal(pk_sched_queue_set_param(s, 0, 65536), 0);
	assert_int_equal(pk_sched_queue_set_param(s, 0, 0), -EINVAL);
	assert_int_equal(pk_sched_queue_set_param(s, 99, 1), -ENOENT);
	assert_int_equal(pk_sched_queue_detach(s, 99, NULL), -ENOENT);
	assert_int_equal(pk_sched_queue_detach(s, 3, NULL), 0);
	assert_int_equal(pk_sched_queue_detach(s, 3, NULL), -ENOENT);
	assert_int_equal(pk_sched_nb_queues(s), 15);

	/* a stage queue twice; the scheduler itself; not a scheduler */
	q = pk_queue_ring_create("q", 8, 0, 0, SOCKET_ID_ANY);
	assert_non_null(q);
	qc.stage = q;
	qc.param = 1;
	assert_int_equal(pk_sched_queue_attach(s, &qc), 3); /* id reused */
	assert_int_equal(pk_sched_queue_attach(s, &qc), -EEXIST);
	qc.stage = s;
	assert_int_equal(pk_sched_queue_attach(s, &qc), -EINVAL);
	assert_int_equal(pk_sched_queue_attach(q, &qc), -EINVAL);
	/* too many queues */
	qc.stage = NULL;
	assert_int_equal(pk_sched_queue_attach(s, &qc), 16);
	assert_int_equal(pk_sched_queue_attach(s, &qc), 17);
	assert_int_equal(pk_sched_queue_attach(s, &qc), -ENOSPC);
	pk_stage_destroy(s);
	pk_stage_destroy(q);

	s = sched_new("prio", 4);
	assert_int_equal(attach_internal(s, 16), -EINVAL);
	assert_int_equal(attach_internal(s, 0), 0);
	assert_int_equal(attach_internal(s, PK_SCHED_PARAM_DEFAULT), 1);
	pk_stage_destroy(s);
	s = sched_new("drr", 4);
	assert_int_equal(attach_internal(s, 0), -EINVAL);      /* zero quantum */
	assert_int_equal(attach_internal(s, (1u << 24) + 1), -EINVAL);
	assert_int_equal(pk_sched_set_shaper(s, 20000000000000ULL, 24, 0),
			 -EINVAL);
	assert_int_equal(pk_sched_set_clock(s, fake_clock, &fake_now, 0),
			 -EINVAL);
	assert_int_equal(pk_sched_set_clock(s, NULL, NULL, 0), 0);
	pk_stage_destroy(s);
	assert_int_equal(pk_sched_set_shaper(NULL, 1, 0, 0), -EINVAL);
	assert_int_equal(pk_sched_set_classifier(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(pk_sched_queue_info(NULL, 0, NULL, NULL), -EINVAL);
	assert_false(pk_sched_is_sched(NULL));
}

/*
 * A queue_ring pushed by someone else (a path): the scheduler finds it
 * backlogged by polling, keeps its head in the lookahead slot, and never
 * loses a packet, also when the queue runs dry and comes back.
 */
static void
test_stage_queue_lookahead(void **state)
{
	struct pk_sched_queue_conf qc = { .param = 1 };
	struct rte_mbuf *m[8], *head;
	struct pk_stage *s, *q[2];
	unsigned int len;
	int i;

	(void)state;
	s = sched_new("wf2q", 8);
	for (i = 0; i < 2; i++) {
		q[i] = pk_queue_ring_create(i ? "q1" : "q0", 16, 0, 0,
					    SOCKET_ID_ANY);
		assert_non_null(q[i]);
		qc.stage = q[i];
		assert_int_equal(pk_sched_queue_attach(s, &qc), i);
	}
	assert_int_equal(pk_stage_pull(s, m, 8), 0);
	pk_test_burst(pool, m, 3, 0);
	assert_int_equal(pk_stage_push(q[0], m, 3), 3);
	pk_test_burst(pool, m, 3, 1000);
	assert_int_equal(pk_stage_push(q[1], m, 3), 3);
	/* equal weights, equal sizes: they alternate */
	assert_int_equal(pk_stage_pull(s, m, 2), 2);
	assert_int_equal(pk_test_seq(m[0]) / 1000 + pk_test_seq(m[1]) / 1000, 1);
	rte_pktmbuf_free_bulk(m, 2);
	/* one head in the slot, one still in the ring, per queue */
	assert_int_equal(pk_sched_queue_info(s, 0, NULL, &len), 0);
	assert_int_equal(len, 2);
	assert_int_equal(pk_stage_len(q[0]), 1);
	assert_int_equal(pk_stage_len(s), 4);
	assert_int_equal(pk_stage_pull(s, m, 8), 4);
	rte_pktmbuf_free_bulk(m, 4);
	assert_int_equal(pk_stage_pull(s, m, 8), 0);
	/* it comes back: polled again */
	pk_test_burst(pool, m, 2, 7);
	assert_int_equal(pk_stage_push(q[0], m, 2), 2);
	assert_int_equal(pk_stage_pull(s, m, 8), 2);
	assert_int_equal(pk_test_seq(m[0]), 7);
	assert_int_equal(pk_test_seq(m[1]), 8);
	rte_pktmbuf_free_bulk(m, 2);

	/* detach hands back the head: it precedes what is in the ring */
	pk_test_burst(pool, m, 3, 20);
	assert_int_equal(pk_stage_push(q[1], m, 3), 3);
	m[0] = pk_stage_pull_one(s);
	assert_int_equal(pk_test_seq(m[0]), 20);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(pk_sched_queue_detach(s, 1, &head), 0);
	assert_non_null(head);
	assert_int_equal(pk_test_seq(head), 21);
	rte_pktmbuf_free(head);
	assert_int_equal(pk_stage_len(q[1]), 1);
	assert_int_equal(pk_stage_pull(s, m, 8), 0); /* q1 is not ours now */
	pk_stage_destroy(q[1]);                       /* frees seq 22 */

	/* destroy frees the held head, not the queue */
	pk_test_burst(pool, m, 2, 30);
	assert_int_equal(pk_stage_push(q[0], m, 2), 2);
	assert_int_equal(pk_stage_pull(s, m, 0), 0); /* polls: takes a head */
	assert_int_equal(pk_stage_len(q[0]), 1);
	pk_stage_destroy(s);
	assert_int_equal(pk_stage_len(q[0]), 1);
	pk_stage_destroy(q[0]);
}

/* The classifier pushes into stage queues and internal FIFOs alike. */
static void
test_classifier_push(void **state)
{
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct pk_stage_stats st;
	struct rte_mbuf *m[40];
	struct pk_stage *s, *q;
	unsigned int i;

	(void)state;
	s = sched_new("rr", 4);
	assert_int_equal(pk_sched_set_classifier(s, by_seq, NULL), 0);
	q = pk_queue_ring_create("q", 4, 0, 0, SOCKET_ID_ANY); /* holds 3 */
	qc.stage = q;
	assert_int_equal(pk_sched_queue_attach(s, &qc), 0);
	assert_int_equal(attach_internal(s, PK_SCHED_PARAM_DEFAULT), 1);
	/* q0: 3 in the ring + 1 head; q1: 16 (qsize) with its head */
	for (i = 0; i < 6; i++)
		m[i] = pk_test_udp4(pool, 64, 64, i);
	for (i = 0; i < 19; i++)
		m[6 + i] = pk_test_udp4(pool, 64, 64, 1000 + i);
	m[25] = pk_test_udp4(pool, 64, 64, 5000); /* no queue 5 */
	assert_int_equal(pk_stage_push(s, m, 26), 20);
	/* refused, in order, at the tail */
	assert_int_equal(pk_test_seq(m[20]), 4);
	assert_int_equal(pk_test_seq(m[21]), 5);
	assert_int_equal(pk_test_seq(m[22]), 1016);
	assert_int_equal(pk_test_seq(m[23]), 1017);
	assert_int_equal(pk_test_seq(m[24]), 1018);
	assert_int_equal(pk_test_seq(m[25]), 5000);
	rte_pktmbuf_free_bulk(&m[20], 6);
	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	assert_int_equal(st.in_pkts, 20);
	assert_int_equal(st.refused[PK_DROP_FULL], 5);
	assert_int_equal(st.refused[PK_DROP_NO_MATCH], 1);
	assert_int_equal(pk_stage_len(s), 20);
	/* round robin: 0 1000 1 1001 2 1002 3 1003 1004 ... */
	assert_int_equal(pk_stage_pull(s, m, 40), 20);
	for (i = 0; i < 8; i++)
		assert_int_equal(pk_test_seq(m[i]), (i % 2) * 1000 + i / 2);
	for (i = 8; i < 20; i++)
		assert_int_equal(pk_test_seq(m[i]), 1000 + i - 4);
	rte_pktmbuf_free_bulk(m, 20);
	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	assert_int_equal(st.out_pkts, 20);
	/* internal queue packets are freed (counted) on detach and destroy */
	for (i = 0; i < 3; i++)
		push_one(s, 1000 + i, 64);
	assert_int_equal(pk_sched_queue_detach(s, 1, NULL), 0);
	assert_int_equal(pk_stage_stats_get(s, &st), 0);
	assert_int_equal(st.drops[PK_DROP_POLICY], 3);
	assert_int_equal(attach_internal(s, PK_SCHED_PARAM_DEFAULT), 1);
	for (i = 0; i < 3; i++)
		push_one(s, 1000 + i, 64);
	pk_stage_destroy(s);
	pk_stage_destroy(q);
}

/* A queue that belongs to a path: the path pushes into it, we pull it. */
static void
test_queue_in_path(void **state)
{
	static const uint32_t want[] = { 0, 1, 2 };
	struct pk_path_conf pc = { .name = "p", .socket_id = SOCKET_ID_ANY };
	struct pk_sched_queue_conf qc = { .param = 1 };
	struct pk_stage *st[2], *s;
	struct rte_mbuf *m[3];
	struct pk_path *p;

	(void)state;
	st[0] = pk_stage_create("proc_noop", "n", NULL, SOCKET_ID_ANY);
	st[1] = pk_queue_ring_create("q", 16, 0, 0, SOCKET_ID_ANY);
	p = pk_path_create(&pc, st, 2);
	assert_non_null(p);
	s = sched_new("wfq", 4);
	qc.stage = st[1];
	assert_int_equal(pk_sched_queue_attach(s, &qc), 0);
	pk_test_burst(pool, m, 3, 0);
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 3), 3);
	expect_order(s, want, RTE_DIM(want));
	pk_test_burst(pool, m, 3, 0);
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 3), 3);
	assert_non_null(m[0] = pk_stage_pull_one(s));
	rte_pktmbuf_free(m[0]);
	pk_stage_destroy(s);     /* frees the head it held */
	pk_path_destroy(p);      /* and the path the one left in its queue */
}

/* A scheduler stands alone in a path: processing pushes into it. */
static void
test_sched_in_path(void **state)
{
	static const uint32_t want[] = { 1000, 1001, 0, 1 };
	struct pk_path_conf pc = { .name = "p", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *st[2], *s;
	struct pk_path *p;
	struct rte_mbuf *m[4];

	(void)state;
	st[0] = pk_stage_create("proc_noop", "n", NULL, SOCKET_ID_ANY);
	st[1] = s = sched_new("prio", 4);
	assert_int_equal(attach_internal(s, 1), 0);
	assert_int_equal(attach_internal(s, 0), 1);
	p = pk_path_create(&pc, st, 2);
	assert_non_null(p);
	m[0] = pk_test_udp4(pool, 64, 64, 0);
	m[1] = pk_test_udp4(pool, 64, 64, 1);
	m[2] = pk_test_udp4(pool, 64, 64, 1000);
	m[3] = pk_test_udp4(pool, 64, 64, 1001);
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 4), 4);
	expect_order(pk_path_stage(p), want, RTE_DIM(want));
	pk_path_destroy(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_policies_registered,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_create_by_kind,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_create_bad_arguments,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bad_queue_config,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_stage_queue_lookahead,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_classifier_push,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_queue_in_path,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sched_in_path,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched", NULL, NULL);
	pool = pk_test_pool("test_sched", 512);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
