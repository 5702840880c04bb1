/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A two-level policy through the arbiter (pk_test_arbiter.h's test
 * arbiter, run in the test's thread on the fake clock at 1 Gbit/s): each
 * client is an owner, "owners:wfq,flows:fq_codel" with client weights 1:3,
 * client 0 sending one flow and client 1 two, each client's flows hashed
 * into its own 2 queues. Backlogged: the clients get 1:3 of the link's
 * bytes (within 2%), client 1's two flows share its part equally; every
 * client's flows come out in order, counters balance at stop (admitted =
 * sent + dropped: short flow queues keep CoDel below target, so the
 * scheduler drops nothing). Also drr over the owners (quanta 1:3 frames).
 * The scheduler alone: test_sched_hier.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_arbiter.h"

#define PER 2 /* queues per client */

static struct rte_mempool *pool;

/* Client 0: one flow (queue 0); client 1: two (queues 2 and 3). */
static uint32_t
owner_flow(uint32_t c, uint32_t seq)
{
	return c * PER + (c == 0 ? 0 : seq % 2);
}

static void
assert_share(uint64_t got, uint64_t total, double share)
{
	double s = (double)got / (double)total;

	print_message("share %.4f (expected %.4f)\n", s, share);
	if (s < share * 0.98 || s > share * 1.02)
		fail_msg("share %.4f, expected %.4f +- 2%%", s, share);
}

/* Both clients backlogged for 550 ms, 20 us per round. */
static void
owners_through_arbiter(const char *policy, const uint32_t *w)
{
	const struct ta_conf tc = { .nb = 2, .w = w, .rate = 1000000000ULL,
				    .out_size = 4096, .mb_size = 512,
				    .flow = owner_flow, .nq = 2 * PER,
				    .qsize = 32, .policy = policy,
				    .classes = 2 };
	uint64_t base[TA_MAXC] = { 0 }, fbase[TA_MAXF] = { 0 };
	struct pk_stage_stats st;
	struct ta t;
	uint32_t c;

	ta_create(&t, pool, &tc);
	assert_string_equal(pk_sched_policy_name(pk_arbiter_sched(t.a)),
			    policy);
	for (t.now_ns = 0; t.now_ns <= 550000000ULL; t.now_ns += 20000) {
		for (c = 0; c < 2; c++)
			ta_feed(&t, c, 32);
		pk_arbiter_run(t.a, 1);
		ta_consume(&t);
		if (t.now_ns == 50000000) {
			memcpy(base, t.bytes, sizeof(base));
			memcpy(fbase, t.fbytes, sizeof(fbase));
		}
	}
	assert_share(t.bytes[1] - base[1], t.bytes[0] - base[0] +
		     t.bytes[1] - base[1], 0.75);
	assert_share(t.fbytes[2] - fbase[2], t.fbytes[2] - fbase[2] +
		     t.fbytes[3] - fbase[3], 0.5);
	assert_int_equal(t.disorder, 0);
	assert_int_equal(t.mistagged, 0);
	assert_int_equal(pk_stage_stats_get(pk_arbiter_sched(t.a), &st), 0);
	assert_int_equal(st.drops[PK_DROP_AQM] + st.drops[PK_DROP_FULL], 0);
	ta_finish(&t);
}

static void
test_owners_1_3_through_arbiter(void **state)
{
	static const uint32_t w[2] = { 1, 3 };
	static const uint32_t quanta[2] = { 1514, 3 * 1514 };

	(void)state;
	owners_through_arbiter("owners:wfq,flows:fq_codel", w);
	owners_through_arbiter("owners:drr,flows:fq_codel", quanta);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_owners_1_3_through_arbiter,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched_hier_arbiter", NULL, NULL);
	pool = pk_test_pool("test_sched_hier_arbiter", 8192);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
