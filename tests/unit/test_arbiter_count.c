/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arbiter's per-client counts, which it keeps run by run (a run: the
 * packets of one client released in a row): an output of 7 slots takes
 * part of every released burst, so runs are cut at any packet, with
 * frames of lengths that differ packet by packet (some of the scheduler's
 * mtu, whose length it does not keep in its queue), and sent and bytes
 * must still be each client's exactly as the output saw them (ta_finish()),
 * the counters balance at every round (ta_balance()), nothing is dropped
 * and each client's order is kept. Per-client queues (runs noted by the
 * scheduler) and per-flow queues (runs read from the mbufs), direct output
 * and through the dispatcher (its own runs, read from the ring), wfq and
 * drr (whose quantum releases several packets of a client in a row).
 * And loop_cycles, counted by every pk_arbiter_run() call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_arbiter.h"

static struct rte_mempool *pool;

/* 64..1500 bytes, a different length for almost every packet; 1 in 16 of
 * the scheduler's mtu (PK_SCHED_DEFAULT_MTU, the pool's data room). */
static uint16_t
len_varied(uint32_t c, uint32_t seq)
{
	if (seq % 16 == 5)
		return PK_SCHED_DEFAULT_MTU;
	return (uint16_t)(64 + (seq * 131 + c * 17) % 1437);
}

/* Flow = the parity of the seq: every client sends into both queues. */
static uint32_t
flow_by_parity(uint32_t c, uint32_t seq)
{
	(void)c;
	return seq & 1;
}

/* Three clients fed every round into an output of 7 slots, drained. */
static void
cut_runs(const struct ta_conf *tc)
{
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	uint64_t seen = 0;
	struct ta t;
	uint32_t c;
	int r;

	ta_create(&t, pool, tc);
	for (r = 0; r < 400; r++) {
		for (c = 0; c < t.nb; c++)
			ta_feed(&t, c, 16);
		pk_arbiter_run(t.a, 1);
		if (tc->d == PK_ARBITER_DISPATCH_THREAD)
			pk_arbiter_dispatch(t.a);
		ta_balance(&t, &as);
		ta_consume(&t);
	}
	/* bursts were cut: the arbiter's (or the dispatcher's) held some */
	assert_true(as.tx_retries > 0 || tc->d == PK_ARBITER_DISPATCH_THREAD);
	for (c = 0; c < t.nb; c++) {
		assert_int_equal(pk_arbiter_client_stats_get(t.a, c, &st), 0);
		assert_int_equal(st.dropped, 0);
		assert_true(t.seen[c] > 100); /* every client got out */
		seen += t.seen[c];
	}
	assert_true(seen > 400 * 6); /* most rounds sent 7 */
	ta_finish(&t); /* sent and bytes per client exact */
}

static void
test_per_client_queues_direct(void **state)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	/* drr's quanta in bytes: runs of about 5, 10, 20 packets */
	static const uint32_t quanta[3] = { 4000, 8000, 16000 };
	struct ta_conf tc = { .nb = 3, .w = w, .out_size = 8, .mb_size = 128,
			      .len = len_varied };

	(void)state;
	cut_runs(&tc);
	tc.policy = "drr";
	tc.w = quanta;
	cut_runs(&tc);
}

static void
test_per_client_queues_dispatcher(void **state)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	struct ta_conf tc = { .nb = 3, .w = w, .out_size = 8, .mb_size = 128,
			      .d = PK_ARBITER_DISPATCH_THREAD,
			      .len = len_varied };

	(void)state;
	cut_runs(&tc);
}

static void
test_per_flow_queues(void **state)
{
	struct ta_conf tc = { .nb = 3, .out_size = 8, .mb_size = 128,
			      .flow = flow_by_parity, .nq = 2,
			      .len = len_varied };

	(void)state;
	cut_runs(&tc); /* direct */
	tc.d = PK_ARBITER_DISPATCH_THREAD;
	cut_runs(&tc);
}

/*
 * loop_cycles: with no shaper the rounds read the clock only every so
 * often, yet every pk_arbiter_run() call counts its rounds' cycles, a call
 * of one round as one of many, and rounds count each round.
 */
static void
test_loop_cycles_every_call(void **state)
{
	struct ta_conf tc = { .nb = 3, .out_size = 64, .mb_size = 128,
			      .len = len_varied };
	struct pk_arbiter_stats as;
	uint64_t last = 0, rounds = 0;
	struct ta t;
	int r;

	(void)state;
	ta_create(&t, pool, &tc);
	for (r = 0; r < 5; r++) {
		ta_feed(&t, (uint32_t)r % t.nb, 4);
		pk_arbiter_run(t.a, r == 4 ? 300 : 1);
		rounds += r == 4 ? 300 : 1;
		ta_balance(&t, &as);
		ta_consume(&t);
		assert_true(as.loop_cycles > last);
		assert_int_equal(as.rounds, rounds);
		last = as.loop_cycles;
	}
	ta_finish(&t);
}

#define TC_TEST(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)

int
main(void)
{
	static const char *const eal[] = { "-l", "0", NULL };
	const struct CMUnitTest tests[] = {
		TC_TEST(test_per_client_queues_direct),
		TC_TEST(test_per_client_queues_dispatcher),
		TC_TEST(test_per_flow_queues),
		TC_TEST(test_loop_cycles_every_call),
	};
	int rc;

	pk_test_eal_init("test_arbiter_count", NULL, eal);
	pool = pk_test_pool("test_arbiter_count", 8192);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
