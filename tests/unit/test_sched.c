/* SPDX-License-Identifier: BSD-3-Clause */
/* PktSched: creation, bad configuration, stage queues with lookahead (no
 * packet lost), classifier push, detach and destroy, DRR / prio / rr / fifo
 * order on hand-computed cases, parameter changes mid-run, scheduler in a
 * path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool;
static uint64_t fake_now;

static uint64_t
fake_clock(void *arg)
{
	return *(uint64_t *)arg;
}

/* packets carry their queue id in seq / 1000: queue q sends q*1000 + i */
static uint32_t
by_seq(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	return pk_test_seq(m) / 1000;
}

static struct pk_stage *
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

static int
attach_internal(struct pk_stage *s, uint32_t param)
{
	struct pk_sched_queue_conf qc = { .stage = NULL, .param = param };

	return pk_sched_queue_attach(s, &qc);
}

/* Push one frame of len bytes with seq into the scheduler. */
static void
push_one(struct pk_stage *s, uint32_t seq, uint16_t len)
{
	struct rte_mbuf *m = pk_test_udp4(pool, len, 64, seq);

	assert_int_equal(pk_stage_push(s, &m, 1), 1);
}

/* Pull everything; check the seqs come out as expected, free them. */
static void
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
