/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSPAT arbiter with per-flow queues through a classifier, run in the
 * test's own thread on the scheduler's fake clock: flow weights across
 * clients, a full flow queue holding back only its client, packets
 * classified to no queue; and counters that balance while packets are held
 * (admitted = sent + dropped + held, per client and in all, with refusals,
 * drops, a stalled link and a stuck output). Conservation and order are
 * checked at stop by the test arbiter of pk_test_arbiter.h. The rest of
 * the arbiter: test_arbiter.c, test_arbiter_conf.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_arbiter.h"
#include "arbiter_fixture.h"

/* Client 1 sends flows 1 and 2 in turn; clients 0 and 2 share flow 0. */
static uint32_t
flow_shared(uint32_t c, uint32_t seq)
{
	return c == 1 ? 1 + (seq & 1) : 0;
}

/*
 * Per-flow queues, weights 1:2:2: the flows get 1/5, 2/5, 2/5 of the link
 * whichever clients send them, so client 1 (two flows) gets 4/5.
 */
static void
test_flow_queues_share_by_flow(void **state)
{
	static const uint32_t w[3] = { 1, 2, 2 };
	const struct ta_conf tc = { .nb = 3, .w = w, .rate = 1000000000ULL,
				    .out_size = 4096, .mb_size = 512,
				    .flow = flow_shared, .nq = 3 };
	uint64_t got[TA_MAXC], total;
	struct ta t;

	(void)state;
	ta_create(&t, pool, &tc);
	ta_backlogged(&t, 0x7, 550000000ULL, got);
	total = got[0] + got[1] + got[2];
	assert_share(t.fbytes[0], t.fbytes[0] + t.fbytes[1] + t.fbytes[2],
		     1.0 / 5);
	assert_share(t.fbytes[1], t.fbytes[0] + t.fbytes[1] + t.fbytes[2],
		     2.0 / 5);
	assert_share(got[1], total, 4.0 / 5);
	/* flow 0 serves both its clients, neither always last */
	assert_share(got[0], got[0] + got[2], 0.5);
	ta_finish(&t);
}

/* Each client into its own flow queue (client 0 into 0, client 1 into 1). */
static uint32_t
flow_of_client(uint32_t c, uint32_t seq)
{
	(void)seq;
	return c;
}

/*
 * A flow queue of 16 fills while the link is stalled (the fake clock
 * stands still): its client's packets wait with the arbiter, its mailbox
 * fills and its pushes come back short, while the other client's packets
 * still reach their queue. When the clock moves everything goes out, in
 * order, nothing dropped.
 */
static void
test_flow_queue_full(void **state)
{
	const struct ta_conf tc = { .nb = 2, .rate = 1000000000ULL,
				    .out_size = 4096, .mb_size = 64,
				    .flow = flow_of_client, .nq = 2,
				    .qsize = 16 };
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	struct ta t;
	int r;

	(void)state;
	ta_create(&t, pool, &tc);
	for (r = 0; r < 8; r++) {
		ta_feed(&t, 0, 32);
		pk_arbiter_run(t.a, 1);
	}
	assert_int_equal(pk_arbiter_stats_get(t.a, &as), 0);
	assert_true(as.queue_full > 0);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_true(st.rejected > 0); /* back-pressure reached client 0 */
	assert_int_equal(ta_feed(&t, 1, 8), 8);
	pk_arbiter_run(t.a, 1);
	/* client 1 was not held behind client 0's waiting packets */
	assert_int_equal(pk_stage_len(pk_arbiter_client(t.a, 1)), 0);
	for (r = 0; r < 400; r++) {
		t.now_ns += 20000;
		ta_feed(&t, 0, 32);
		pk_arbiter_run(t.a, 1);
		ta_consume(&t);
	}
	assert_int_equal(t.seen[1], 8);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_int_equal(st.dropped, 0);
	ta_finish(&t); /* stops with packets waiting: they go out too */
}

/* Every fourth packet of a client maps to queue 7, which does not exist. */
static uint32_t
flow_some_missing(uint32_t c, uint32_t seq)
{
	(void)c;
	return seq % 4 == 3 ? 7 : seq & 1;
}

static void
test_flow_no_queue_dropped(void **state)
{
	const struct ta_conf tc = { .nb = 1, .out_size = 4096, .mb_size = 128,
				    .flow = flow_some_missing, .nq = 2 };
	struct pk_arbiter_client_stats st;
	struct ta t;
	int r;

	(void)state;
	ta_create(&t, pool, &tc);
	for (r = 0; r < 25; r++) {
		assert_int_equal(ta_feed(&t, 0, 4), 4);
		pk_arbiter_run(t.a, 1);
		ta_consume(&t);
	}
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_int_equal(st.dropped, 25);
	assert_int_equal(t.seen[0], 75);
	ta_finish(&t);
}

/* Every fourth packet to queue 7, which does not exist; the rest to c's. */
static uint32_t
flow_own_or_none(uint32_t c, uint32_t seq)
{
	return seq % 4 == 3 ? 7 : c;
}

/*
 * Counters that balance while the arbiter holds packets: ta_balance() at
 * every quiescent point, between pk_arbiter_run() calls. First the link
 * stalls (the fake clock stands still): mailboxes, scheduler queues (16)
 * and, with a classifier, wait slots fill, clients see refusals, packets
 * classified to no queue are dropped. Then the link runs into an output
 * (63 slots) nobody drains: held bursts, retried, then dropped past
 * tx_retries. Then the output is drained until nothing is held; then stop.
 */
static void
balance_mixed(const struct ta_conf *tc)
{
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	bool output_held = false;
	uint64_t dropped = 0;
	struct ta t;
	uint32_t c;
	int r;

	ta_create(&t, pool, tc);
	for (r = 0; r < 8; r++) { /* the link stalled */
		for (c = 0; c < t.nb; c++)
			ta_feed(&t, c, 32);
		pk_arbiter_run(t.a, 1);
		ta_balance(&t, &as);
	}
	assert_true(as.held_mailboxes > 0);
	assert_true(as.held_sched > 0);
	assert_true(tc->flow == NULL || as.held_wait > 0);
	for (c = 0; c < t.nb; c++) {
		assert_int_equal(pk_arbiter_client_stats_get(t.a, c, &st), 0);
		assert_true(st.rejected > 0); /* full mailbox */
		assert_true(st.held > 0);
		assert_true(tc->flow == NULL || st.dropped > 0); /* no queue */
	}
	for (r = 0; r < 200; r++) { /* the link runs, the output is stuck */
		t.now_ns += 1000000;
		for (c = 0; c < t.nb; c++)
			ta_feed(&t, c, 8);
		pk_arbiter_run(t.a, 1);
		if (tc->d == PK_ARBITER_DISPATCH_THREAD)
			pk_arbiter_dispatch(t.a);
		ta_balance(&t, &as);
		output_held |= as.held_output > 0;
	}
	assert_true(output_held);
	for (c = 0; c < t.nb; c++) {
		assert_int_equal(pk_arbiter_client_stats_get(t.a, c, &st), 0);
		dropped += st.dropped;
	}
	assert_true(dropped > 0);
	for (r = 0; r < 1000 && as.held != 0; r++) { /* released, all sent */
		t.now_ns += 1000000;
		pk_arbiter_run(t.a, 1);
		if (tc->d == PK_ARBITER_DISPATCH_THREAD)
			pk_arbiter_dispatch(t.a);
		ta_consume(&t);
		ta_balance(&t, &as);
	}
	assert_int_equal(as.held, 0);
	ta_finish(&t); /* and after stop */
}

static void
test_counters_balance_while_held(void **state)
{
	static const uint32_t w[4] = { 1, 2, 4, 1 };
	struct ta_conf tc = { .nb = 3, .w = w, .rate = 1000000000ULL,
			      .out_size = 64, .mb_size = 64, .qsize = 16 };

	(void)state;
	balance_mixed(&tc); /* per-client queues, direct, ring mailboxes */
	tc.d = PK_ARBITER_DISPATCH_THREAD;
	tc.mb = PK_ARBITER_MB_PSPAT;
	balance_mixed(&tc);
	tc.w = NULL; /* per-flow queues: waits and drops to no queue */
	tc.flow = flow_own_or_none;
	tc.nq = 4;
	balance_mixed(&tc);
	tc.d = PK_ARBITER_DISPATCH_DIRECT;
	tc.mb = PK_ARBITER_MB_RING;
	balance_mixed(&tc);
}

#define TA_TEST(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)

int
main(void)
{
	/* one lcore: the tests on worker lcores are integration tests */
	static const char *const eal[] = { "-l", "0", NULL };
	const struct CMUnitTest tests[] = {
		TA_TEST(test_flow_queues_share_by_flow),
		TA_TEST(test_flow_queue_full),
		TA_TEST(test_flow_no_queue_dropped),
		TA_TEST(test_counters_balance_while_held),
	};
	int rc;

	pk_test_eal_init("test_arbiter_flow", NULL, eal);
	pool = pk_test_pool("test_arbiter_flow", 8192);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
