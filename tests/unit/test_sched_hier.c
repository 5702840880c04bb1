/* SPDX-License-Identifier: BSD-3-Clause */
/* PktSched two-level policies ("owners:wfq,flows:fq_codel") on the fake
 * clock: a 100 Mbit/s link emulated by pulling one frame per 120 us.
 * Covered: two owners of weights 1:3, one with 1 flow and one with 50,
 * all backlogged, get 1:3 of the link's bytes, and the second's 50 flows
 * share its part equally (frames of mixed sizes); the same with drr over
 * the owners; a sparse flow inside an owner keeps a low delay beside that
 * owner's bulk flows (fq_codel inside; drr inside as the baseline); the
 * memory bound is per owner: a flood of new flows in one owner stays
 * within its limit and never drops another owner's packets; the default
 * classifier (owner in m->hash.sched.queue_id, flows hashed). Policy
 * strings and arguments: test_sched_hier_args.c.
 * Conservation (in = out + counted drops + held) in every test. Through
 * the arbiter: test_arbiter.c (test_hier_owners_through_arbiter). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_sched_policy.h>

#include "pk_test.h"
#include "sched_fixture.h"

#define TX_NS 120000ULL          /* a 1500-byte frame at 100 Mbit/s */
#define MS 1000000ULL
#define QSEQ 100000              /* seq / QSEQ is the queue id */
#define PER 64                   /* queues per owner */

/* The test's classifier: the queue id is in the frame's seq. */
static uint32_t
by_seq(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(arg);
	return pk_test_seq(m) / QSEQ;
}

/* A scheduler of 2 owners x PER queues, all attached, on the fake clock. */
static struct pk_stage *
hier_new(const char *policy, const uint32_t *w, uint32_t limit,
	 pk_sched_classify_t classify)
{
	struct pk_sched_conf c = {
		.policy = policy, .max_queues = 2 * PER, .qsize = 128,
		.classify = classify, .socket_id = SOCKET_ID_ANY,
		.nb_classes = 2, .class_params = w,
		.aqm = { .limit = limit },
	};

	return sched_fake_new("hier", &c);
}

/* Conserved, and what it holds is its length. */
static void
assert_conserved_len(const struct pk_stage *s)
{
	assert_int_equal(pk_stage_len(s), assert_conserved(s));
}

/* A frame for queue q, stamped with the fake time. */
static bool
push_q(struct pk_stage *s, uint32_t q, uint32_t n, uint16_t len)
{
	struct rte_mbuf *m = pk_test_udp4(pool, len, 64, q * QSEQ +
					  n % QSEQ);

	stamp_now(m);
	if (pk_stage_push(s, &m, 1) == 1)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

static unsigned int
q_len(const struct pk_stage *s, uint32_t q)
{
	unsigned int len;

	assert_int_equal(pk_sched_queue_info(s, q, NULL, &len), 0);
	return len;
}

/* What the link sent of one frame. */
struct sent {
	uint32_t q;
	uint32_t len;
	uint64_t sojourn;
};

/* The link sends one frame (if any) at the fake time. */
static bool
link_send(struct pk_stage *s, struct sent *o)
{
	struct rte_mbuf *m = pk_stage_pull_one(s);

	if (m == NULL)
		return false;
	o->q = pk_test_seq(m) / QSEQ;
	o->len = m->pkt_len;
	o->sojourn = sojourn_of(m);
	rte_pktmbuf_free(m);
	return true;
}

static void
assert_near(double got, double want, double tol, const char *what)
{
	print_message("%s: %.4f (expected %.4f +- %.0f%%)\n", what, got, want,
		      tol * 100);
	if (got < want * (1 - tol) || got > want * (1 + tol))
		fail_msg("%s: %.4f, expected %.4f +- %.0f%%", what, got, want,
			 tol * 100);
}

/*
 * Owner 0: one flow of 1500-byte frames; owner 1: 50 flows of 200..1499
 * bytes; all topped up to 6 frames at every frame time, 2 s of link. The
 * bytes after the first 200 ms: owner 1 gets 3/4, its flows 1/50 each.
 */
static void
owners_1_3(const char *policy, const uint32_t *w)
{
	struct pk_stage *s = hier_new(policy, w, 0, by_seq);
	uint64_t t, own[2] = { 0 }, flow[50] = { 0 }, min = UINT64_MAX, max = 0;
	unsigned int f, n = 0;
	struct sent o;
	char what[64];

	for (t = 0; t < 2000 * MS; t += TX_NS) {
		fake_now = 1 + t;
		while (q_len(s, 0) < 6 && push_q(s, 0, n++, 1500))
			;
		for (f = 0; f < 50; f++)
			while (q_len(s, PER + f) < 6 &&
			       push_q(s, PER + f, n++, 200 + f * 26))
				;
		if (!link_send(s, &o) || t < 200 * MS)
			continue;
		own[o.q / PER] += o.len;
		if (o.q >= PER)
			flow[o.q - PER] += o.len;
	}
	snprintf(what, sizeof(what), "%s: owner 1's share", policy);
	assert_near((double)own[1] / (own[0] + own[1]), 0.75, 0.01, what);
	for (f = 0; f < 50; f++) {
		min = RTE_MIN(min, flow[f]);
		max = RTE_MAX(max, flow[f]);
	}
	snprintf(what, sizeof(what), "%s: owner 1's flows, min/max", policy);
	assert_near((double)min / max, 1.0, 0.03, what);
	assert_conserved_len(s);
	pk_stage_destroy(s);
}

static void
test_owners_1_3_flows_equal(void **state)
{
	static const uint32_t w[2] = { 1, 3 };
	static const uint32_t quanta[2] = { 1514, 3 * 1514 };

	RTE_SET_USED(state);
	owners_1_3("owners:wfq,flows:fq_codel", w);
	owners_1_3("owners:wf2q,flows:fq_pie", w);
	owners_1_3("owners:drr,flows:fq_codel", quanta);
}

/*
 * Owner 1: 8 bulk flows kept at 40 frames, and flow 8 sending a 200-byte
 * frame every 10 ms; owner 0: one bulk flow. @return the sparse flow's
 * worst sojourn after the first 100 ms.
 */
static uint64_t
sparse_in_owner(const char *policy)
{
	static const uint32_t w[2] = { 1, 3 };
	static const uint32_t q[2] = { 1514, 3 * 1514 };
	struct pk_stage *s = hier_new(policy, strstr(policy, "drr,") != NULL ?
				      q : w, 0, by_seq);
	uint64_t t, worst = 0, next = 0;
	unsigned int f, n = 0;
	struct sent o;

	for (t = 0; t < 1000 * MS; t += TX_NS) {
		fake_now = 1 + t;
		while (q_len(s, 0) < 40 && push_q(s, 0, n++, 1500))
			;
		for (f = 0; f < 8; f++)
			while (q_len(s, PER + f) < 40 &&
			       push_q(s, PER + f, n++, 1500))
				;
		if (t >= next) {
			assert_true(push_q(s, PER + 8, n++, 200));
			next = t + 10 * MS;
		}
		if (link_send(s, &o) && o.q == PER + 8 && t >= 100 * MS)
			worst = RTE_MAX(worst, o.sojourn);
	}
	assert_conserved_len(s);
	pk_stage_destroy(s);
	return worst;
}

static void
test_sparse_flow_low_delay_in_owner(void **state)
{
	uint64_t codel = sparse_in_owner("owners:wfq,flows:fq_codel");
	uint64_t codel_drr = sparse_in_owner("owners:drr,flows:fq_codel");
	uint64_t drr = sparse_in_owner("owners:wfq,flows:drr");

	RTE_SET_USED(state);
	print_message("sparse flow's worst sojourn: wfq/fq_codel %.3f ms, "
		      "drr/fq_codel %.3f ms, wfq/drr %.3f ms\n", codel / 1e6,
		      codel_drr / 1e6, drr / 1e6);
	/* the frame on the wire, owner 0's turn, then it */
	assert_true(codel <= 3 * TX_NS);
	assert_true(codel_drr <= 3 * TX_NS);
	assert_true(drr > 3 * codel); /* a round of 8 bulk flows */
}

/*
 * Owner 0 floods: one frame per new flow, its 64 queues over and over,
 * 1000-byte frames; owner 1 keeps 20 frames in one flow and never sends.
 * Each owner's packets stay within limit (300); owner 1 loses none.
 */
static void
test_memory_bound_per_owner(void **state)
{
	static const uint32_t w[2] = { 1, 1 };
	struct pk_stage *s = hier_new("owners:wfq,flows:fq_codel", w, 300,
				      by_seq);
	unsigned int i, f, held0;
	struct pk_stage_stats st;

	RTE_SET_USED(state);
	for (i = 0; i < 20; i++)
		assert_true(push_q(s, PER, i, 1000));
	for (i = 0; i < 3000; i++) {
		assert_true(push_q(s, i % PER, i, 1000));
		if (i % 50 != 0)
			continue;
		for (held0 = 0, f = 0; f < PER; f++)
			held0 += q_len(s, f);
		assert_true(held0 <= 300);
		assert_int_equal(q_len(s, PER), 20);
		assert_int_equal(pk_stage_stats_get(s, &st), 0);
		assert_true(st.held <= 320);
	}
	assert_true(drops_of(s, PK_DROP_FULL) >= 3000 - 300);
	assert_conserved_len(s);
	pk_stage_destroy(s); /* frees what it holds, counted */
}

/*
 * No classifier: the owner from m->hash.sched.queue_id, the flow hashed
 * onto the owner's queues; an owner out of range is refused "no-match".
 */
static void
test_default_classifier(void **state)
{
	static const uint32_t w[2] = { 1, 1 };
	struct pk_stage *s = hier_new("owners:wfq,flows:fq_codel", w, 0, NULL);
	struct rte_mbuf *m[64];
	unsigned int i, q, used[2] = { 0 }, len;

	RTE_SET_USED(state);
	pk_test_burst(pool, m, 64, 1); /* seq in the payload: one flow each? */
	for (i = 0; i < 64; i++) {
		struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m[i],
			struct rte_udp_hdr *, sizeof(struct rte_ether_hdr) +
			sizeof(struct rte_ipv4_hdr));

		u->src_port = rte_cpu_to_be_16(1000 + i); /* 64 flows */
		m[i]->hash.sched.queue_id = i % 2;
	}
	assert_int_equal(pk_stage_push(s, m, 64), 64);
	for (q = 0; q < 2 * PER; q++) {
		len = q_len(s, q);
		used[q / PER] += len != 0;
	}
	/* 32 flows hashed onto each owner's 64 queues: most apart */
	assert_true(used[0] > 16 && used[1] > 16);
	m[0] = pk_test_udp4(pool, 100, 64, 1);
	m[0]->hash.sched.queue_id = 2;
	assert_int_equal(pk_stage_push(s, m, 1), 0); /* no owner 2 */
	rte_pktmbuf_free(m[0]);
	assert_conserved_len(s);
	pk_stage_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_owners_1_3_flows_equal,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sparse_flow_low_delay_in_owner,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_memory_bound_per_owner,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_default_classifier,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched_hier", NULL, NULL);
	pool = pk_test_pool("test_sched_hier", 8192);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
