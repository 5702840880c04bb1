/* SPDX-License-Identifier: BSD-3-Clause */
/* PktSched queue managers (fq_codel, fq_pie) on the fake clock: a 100
 * Mbit/s link emulated by pulling one 1500-byte frame per 120 us. Covered:
 * a standing queue above target is drained to target within a few
 * intervals (a sender that halves its window on a drop or a mark, as TCP);
 * a sparse flow keeps a low delay beside bulk flows; ECN-capable packets
 * are marked (checksum fixed), not dropped; the memory bound (packets and
 * bytes) holds under a flood of new flows; in = out + drops + held in
 * every test; the ECN marker alone; arguments from the stage kind; stage
 * queues refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_sched_policy.h>

#include "pk_test.h"
#include "sched_fixture.h"

#define FRAME 1500
#define TX_NS 120000ULL          /* 1500 bytes at 100 Mbit/s */
#define MS 1000000ULL
#define FLOW_SEQ 100000          /* seq / FLOW_SEQ is the flow (queue) */

/* The flow's queue; with a non-NULL arg, queue 0 for all (one FIFO). */
static uint32_t
by_flow(const struct rte_mbuf *m, void *arg)
{
	return arg != NULL ? 0 : pk_test_seq(m) / FLOW_SEQ;
}

static struct pk_stage *
aqm_new(const char *policy, uint32_t nq, uint32_t qsize,
	const struct pk_sched_aqm_conf *a)
{
	struct pk_sched_conf c = {
		.policy = policy, .max_queues = nq, .qsize = qsize,
		.classify = by_flow, .socket_id = SOCKET_ID_ANY,
	};

	if (nq == 1)
		c.classify_arg = &c; /* all flows in one queue */
	if (a != NULL)
		c.aqm = *a;
	return sched_fake_new("aqm", &c);
}

/* Push a frame of flow f, stamped with the fake time, ECN bits ecn. */
static bool
push_flow(struct pk_stage *s, uint32_t f, uint32_t n, uint8_t ecn,
	  uint16_t len)
{
	struct rte_mbuf *m = pk_test_udp4(pool, len, 64, f * FLOW_SEQ +
					  n % FLOW_SEQ);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));

	if (ecn != 0) {
		ip->type_of_service = ecn;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	stamp_now(m);
	if (pk_stage_push(s, &m, 1) == 1)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

/* What the link saw of one frame. */
struct sent {
	uint32_t flow;
	uint64_t sojourn;
	bool ce;
};

/* The link sends one frame (if any) at the fake time; checks its header. */
static bool
link_send(struct pk_stage *s, struct sent *o)
{
	struct rte_mbuf *m = pk_stage_pull_one(s);
	struct rte_ipv4_hdr *ip, h;

	if (m == NULL)
		return false;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     sizeof(struct rte_ether_hdr));
	h = *ip;
	h.hdr_checksum = 0;
	assert_int_equal(rte_ipv4_cksum(&h), ip->hdr_checksum);
	o->flow = pk_test_seq(m) / FLOW_SEQ;
	o->sojourn = sojourn_of(m);
	o->ce = (ip->type_of_service & 3) == 3;
	rte_pktmbuf_free(m);
	return true;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * One flow, a sender that keeps its window queued and halves it on a
 * congestion signal (a drop, or a CE the link saw) at most once per 100
 * ms, else grows it by one frame per 10 ms: a standing queue from 240
 * frames (29 ms). @return the median sojourn in the last second of 3 s;
 * *first_p50 the median from 50 to 100 ms, *marks the CE frames.
 */
static uint64_t
standing_queue(struct pk_stage *s, uint8_t ecn, uint64_t *first_p50,
	       uint64_t *marks)
{
	static uint64_t last[8334];
	uint64_t t, cut = 0, grow = 0, drops = 0, d, n_last = 0, first[512];
	unsigned int window = 240, n_first = 0, n = 0, held;
	struct sent o;

	*marks = 0;
	for (t = 0; t < 3000 * MS; t += TX_NS) {
		fake_now = 1 + t;
		held = pk_stage_len(s);
		while (held < window && push_flow(s, 0, n++, ecn, FRAME))
			held++;
		if (!link_send(s, &o))
			continue;
		*marks += o.ce;
		d = drops_of(s, PK_DROP_AQM);
		if ((d != drops || o.ce) && t >= cut) {
			window = RTE_MAX(window / 2, 2u);
			cut = t + 100 * MS;
		}
		drops = d;
		if (t >= grow) {
			window++;
			grow = t + 10 * MS;
		}
		if (t >= 50 * MS && t < 100 * MS) /* before the first signal */
			first[n_first++] = o.sojourn;
		if (t >= 2000 * MS && n_last < RTE_DIM(last))
			last[n_last++] = o.sojourn;
		assert_conserved(s);
	}
	qsort(first, n_first, sizeof(*first), cmp_u64);
	qsort(last, n_last, sizeof(*last), cmp_u64);
	*first_p50 = first[n_first / 2];
	return last[n_last / 2];
}

static void
run_standing(const char *policy, uint64_t target, uint8_t ecn)
{
	struct pk_sched_aqm_conf a = {
		.ecn = ecn ? PK_SCHED_ECN_ON : PK_SCHED_ECN_OFF,
	};
	struct pk_stage *s = aqm_new(policy, 4, 1024, &a);
	uint64_t p50, early, marks;

	p50 = standing_queue(s, ecn, &early, &marks);
	print_message("%s ecn=%u: sojourn p50 %.2f ms at first, %.2f ms in "
		      "the last second; %" PRIu64 " aqm drops, %" PRIu64
		      " marks\n", policy, ecn, early / 1e6, p50 / 1e6,
		      drops_of(s, PK_DROP_AQM), marks);
	assert_true(early > 20 * MS);             /* it was standing */
	assert_true(p50 <= target + target / 2);  /* drained to target */
	if (ecn) {
		assert_int_equal(drops_of(s, PK_DROP_AQM), 0);
		assert_true(marks > 0);
		assert_int_equal(pk_sched_ecn_marked(s), marks);
	} else {
		assert_true(drops_of(s, PK_DROP_AQM) > 0);
	}
	assert_conserved(s);
	pk_stage_destroy(s);
}

static void
test_codel_drains_standing_queue(void **state)
{
	RTE_SET_USED(state);
	run_standing("fq_codel", 5 * MS, 0);
}

static void
test_codel_marks_ecn_capable(void **state)
{
	RTE_SET_USED(state);
	run_standing("fq_codel", 5 * MS, 2); /* ECT(0) */
}

static void
test_pie_drains_standing_queue(void **state)
{
	RTE_SET_USED(state);
	run_standing("fq_pie", 15 * MS, 0);
}

static void
test_pie_marks_ecn_capable(void **state)
{
	RTE_SET_USED(state);
	run_standing("fq_pie", 15 * MS, 1); /* ECT(1) */
}

/*
 * 8 bulk flows keep 60 frames each queued; flow 8 sends one frame every
 * 10 ms. Its frames wait at most about one bulk frame (the one on the
 * wire): new flows go first. Baseline: one FIFO for all (policy fifo with
 * one queue of 8 x 60), where they wait behind the bulk.
 */
static uint64_t
sparse_max_sojourn(const char *policy)
{
	bool one = strcmp(policy, "fifo") == 0;
	struct pk_stage *s = aqm_new(policy, one ? 1 : 9, one ? 1024 : 64,
				     NULL);
	uint64_t t, worst = 0, next = 0;
	unsigned int f, n = 0;
	unsigned int len;
	struct sent o;

	for (t = 0; t < 1000 * MS; t += TX_NS) {
		fake_now = 1 + t;
		for (f = 0; f < 8; f++) {
			assert_int_equal(pk_sched_queue_info(s, one ? 0 : f,
							     NULL, &len), 0);
			while (len++ < (one ? 480u : 60u) &&
			       push_flow(s, f, n++, 0, FRAME))
				;
		}
		if (t >= next) {
			assert_true(push_flow(s, 8, n++, 0, 200));
			next = t + 10 * MS;
		}
		/* after the start, when all flows were new together */
		if (link_send(s, &o) && o.flow == 8 && t >= 100 * MS)
			worst = RTE_MAX(worst, o.sojourn);
	}
	assert_conserved(s);
	pk_stage_destroy(s);
	return worst;
}

static void
test_sparse_flow_low_delay(void **state)
{
	uint64_t codel = sparse_max_sojourn("fq_codel");
	uint64_t pie = sparse_max_sojourn("fq_pie");
	uint64_t fifo = sparse_max_sojourn("fifo");

	RTE_SET_USED(state);
	print_message("sparse flow's worst sojourn: fq_codel %.3f ms, fq_pie "
		      "%.3f ms, fifo %.3f ms\n", codel / 1e6, pie / 1e6,
		      fifo / 1e6);
	assert_true(codel <= 2 * TX_NS);
	assert_true(pie <= 2 * TX_NS);
	assert_true(fifo > 10 * codel);
}

/* Every packet of a new flow: the total never passes the bound. */
static void
flood(const char *policy, uint32_t limit, uint32_t limit_bytes)
{
	struct pk_sched_aqm_conf a = { .limit = limit,
				       .limit_bytes = limit_bytes };
	struct pk_stage *s = aqm_new(policy, 1024, 64, &a);
	struct pk_stage_stats st;
	unsigned int i, round, k;
	struct rte_mbuf *m[32];

	for (round = 0; round < 3; round++) {
		/* a few fat flows first, then one packet per new flow */
		for (i = 0; i < 200; i++)
			assert_true(push_flow(s, i % 4, i, 0, 1000));
		for (i = 0; i < 2000; i++) {
			assert_true(push_flow(s, 4 + i % 1020, i, 0, 1000));
			assert_int_equal(pk_stage_stats_get(s, &st), 0);
			assert_true(st.held <= limit);
			assert_true(st.held * 1000 <= limit_bytes);
			assert_int_equal(pk_stage_len(s), st.held);
		}
		assert_conserved(s);
		while ((k = pk_stage_pull(s, m, RTE_DIM(m))) > 0)
			rte_pktmbuf_free_bulk(m, k);
	}
	assert_true(drops_of(s, PK_DROP_FULL) > 0);
	assert_conserved(s);
	pk_stage_destroy(s);
}

static void
test_memory_bound_under_flood(void **state)
{
	RTE_SET_USED(state);
	flood("fq_codel", 300, UINT32_MAX);     /* packets bind */
	flood("fq_codel", 10000, 150 * 1000);   /* bytes bind */
	flood("fq_pie", 300, UINT32_MAX);
}

static void
test_ecn_marker(void **state)
{
	struct rte_mbuf *m = pk_test_udp4(pool, 100, 64, 1);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct rte_ipv4_hdr h;
	unsigned int ecn;

	RTE_SET_USED(state);
	assert_false(pk_sched_ecn_mark(m)); /* not ECN-capable: untouched */
	assert_int_equal(ip->type_of_service, 0);
	for (ecn = 1; ecn <= 3; ecn++) {
		ip->type_of_service = 0xb8 | ecn; /* DSCP kept */
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		assert_true(pk_sched_ecn_mark(m));
		assert_int_equal(ip->type_of_service, 0xbb);
		h = *ip;
		h.hdr_checksum = 0;
		assert_int_equal(rte_ipv4_cksum(&h), ip->hdr_checksum);
	}
	rte_mbuf_refcnt_update(m, 1); /* shared data: never written */
	ip->type_of_service = 2;
	assert_false(pk_sched_ecn_mark(m));
	assert_int_equal(ip->type_of_service, 2);
	rte_mbuf_refcnt_update(m, -1);
	rte_pktmbuf_trim(m, 100 - 20); /* cut inside the IP header */
	assert_false(pk_sched_ecn_mark(m));
	rte_pktmbuf_free(m);
}

static void
test_args_and_refusals(void **state)
{
	struct pk_stage *s, *ring = pk_test_ring("aqm_ring", 64);
	struct pk_sched_queue_conf qc = { .stage = ring,
					  .param = PK_SCHED_PARAM_DEFAULT };

	RTE_SET_USED(state);
	s = pk_stage_create("pktsched", "aqm_kind", "policy=fq_codel,queues=16,"
			    "target=2ms,interval=50ms,limit=100,ecn=0",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	assert_int_equal(pk_sched_nb_queues(s), 16); /* nq defaults to all */
	assert_int_equal(pk_sched_queue_attach(s, &qc), -EINVAL);
	pk_stage_destroy(s);
	s = pk_stage_create("pktsched", "aqm_kind", "policy=fq_pie,"
			    "tupdate=30ms,alpha=200,beta=2000,"
			    "burst_allowance=0.1", SOCKET_ID_ANY);
	assert_non_null(s);
	pk_stage_destroy(s);
	assert_null(pk_stage_create("pktsched", "aqm_kind", "policy=fq_codel,"
				    "target=5 parsecs", SOCKET_ID_ANY));
	assert_null(pk_stage_create("pktsched", "aqm_kind", "policy=fq_codel,"
				    "ecn=2", SOCKET_ID_ANY));
	pk_stage_destroy(ring);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_codel_drains_standing_queue,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_codel_marks_ecn_capable,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_pie_drains_standing_queue,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_pie_marks_ecn_capable,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sparse_flow_low_delay,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_memory_bound_under_flood,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_ecn_marker,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_args_and_refusals,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched_aqm", NULL, NULL);
	pool = pk_test_pool("test_sched_aqm", 4096);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
