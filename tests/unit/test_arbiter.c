/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSPAT arbiter, run in the test's own thread (pk_arbiter_run()) on the
 * scheduler's fake clock: weights 1:2:4 at an emulated 1 Gbit/s (shares
 * within 2%), one client idle, a full mailbox, stop with packets in every
 * stage, an output that refuses for a while (retried) and then for too long
 * (dropped, counted), a dispatcher slower than the arbiter, and a client
 * that overwrites (and under ASan poisons) its array right after each push.
 * A mailbox the drain saw empty is drained the round after its client
 * pushes (each mailbox kind, per-client and per-flow queues).
 * Every test checks conservation per client at stop (nothing held), and
 * the output carries each client's sequence numbers once, in increasing
 * order (per flow, with a classifier): the test arbiter of
 * pk_test_arbiter.h, which each test describes in a struct ta_conf of its
 * own. Per-flow queues and counters while held: test_arbiter_flow.c;
 * limits and configuration: test_arbiter_conf.c. The arbiter and its
 * clients on worker lcores: tests/integration/test_arbiter_lcores.c.
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

#if defined(__SANITIZE_ADDRESS__)
#define TA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TA_ASAN 1
#endif
#endif
#ifdef TA_ASAN
#include <sanitizer/asan_interface.h>
#define TA_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define TA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define TA_POISON(p, n) ((void)(p), (void)(n))
#define TA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static void
test_weights_1_2_4_at_1g(void **state)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	const struct ta_conf tc = { .nb = 3, .w = w, .rate = 1000000000ULL,
				    .out_size = 4096, .mb_size = 512 };
	uint64_t got[TA_MAXC], total;
	double link_bits;
	struct ta t;

	(void)state;
	ta_create(&t, pool, &tc);
	ta_backlogged(&t, 0x7, 1050000000ULL, got);
	total = got[0] + got[1] + got[2];
	assert_share(got[0], total, 1.0 / 7);
	assert_share(got[1], total, 2.0 / 7);
	assert_share(got[2], total, 4.0 / 7);
	/* and the link ran at its rate: 1 s of 1 Gbit/s, overhead included */
	link_bits = (double)total * 8 * (TA_FRAME + TA_OVERHEAD) / TA_FRAME;
	assert_true(link_bits > 0.99e9 && link_bits < 1.01e9);
	ta_finish(&t);
}

static void
test_idle_client_shared_by_weight(void **state)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	const struct ta_conf tc = { .nb = 3, .w = w, .rate = 1000000000ULL,
				    .out_size = 4096, .mb_size = 512 };
	uint64_t got[TA_MAXC], total;
	struct ta t;

	(void)state;
	ta_create(&t, pool, &tc);
	ta_backlogged(&t, 0x6, 550000000ULL, got); /* client 0 idle */
	assert_int_equal(got[0], 0);
	total = got[1] + got[2];
	assert_share(got[1], total, 1.0 / 3);
	assert_share(got[2], total, 2.0 / 3);
	ta_finish(&t);
}

static void
test_full_mailbox(void **state)
{
	const struct ta_conf tc = { .nb = 1, .out_size = 4096, .mb_size = 16,
				    .mb = PK_ARBITER_MB_PSPAT };
	struct pk_arbiter_client_stats st;
	struct ta t;

	(void)state;
	ta_create(&t, pool, &tc);
	/* 16 slots hold 8: the client keeps (here frees) the other 12 */
	assert_int_equal(ta_feed(&t, 0, 20), 8);
	assert_int_equal(ta_feed(&t, 0, 5), 0);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_int_equal(st.admitted, 8);
	assert_int_equal(st.rejected, 17);
	assert_int_equal(pk_arbiter_run(t.a, 1), 8);
	assert_int_equal(ta_feed(&t, 0, 5), 5); /* room again */
	pk_arbiter_run(t.a, 1);
	ta_consume(&t);
	assert_int_equal(t.seen[0], 13);
	ta_finish(&t);
}

/*
 * Packets in mailboxes, scheduler queues, the arbiter's held output, the
 * dispatcher ring and the dispatcher's held output; the output (64 slots)
 * takes only part, so stop must send some and drop the rest, counted.
 */
static void
test_stop_with_packets_everywhere(void **state)
{
	static const uint32_t w[4] = { 1, 1, 2, 3 };
	const struct ta_conf tc = { .nb = 4, .w = w, .rate = 1000000000ULL,
				    .d = PK_ARBITER_DISPATCH_THREAD,
				    .out_size = 64, .mb_size = 64 };
	struct pk_arbiter_client_stats st;
	uint64_t dropped = 0;
	struct ta t;
	uint32_t c;
	int r;

	(void)state;
	ta_create(&t, pool, &tc);
	for (r = 0; r < 40; r++) {
		for (c = 0; c < 4; c++)
			ta_feed(&t, c, 16);
		t.now_ns += 100000;
		pk_arbiter_run(t.a, 1);
		if (r % 4 == 0)
			pk_arbiter_dispatch(t.a);
	}
	for (c = 0; c < 4; c++) { /* mailboxes hold packets too */
		assert_int_not_equal(pk_stage_len(pk_arbiter_client(t.a, c)), 0);
		ta_feed(&t, c, 8);
	}
	assert_int_not_equal(pk_stage_len(pk_arbiter_sched(t.a)), 0);
	assert_int_equal(pk_arbiter_stop(t.a), 0);
	for (c = 0; c < 4; c++) {
		pk_arbiter_client_stats_get(t.a, c, &st);
		dropped += st.dropped;
		assert_int_equal(pk_stage_len(pk_arbiter_client(t.a, c)), 0);
	}
	assert_true(dropped > 0); /* the output was stuck */
	assert_int_equal(pk_stage_len(pk_arbiter_sched(t.a)), 0);
	ta_finish(&t);
}

/* Flow = the parity of the seq: every client sends into both queues. */
static uint32_t
flow_by_parity(uint32_t c, uint32_t seq)
{
	(void)c;
	return seq & 1;
}

/*
 * The output (63 slots) refuses for fewer rounds in a row than tx_retries
 * (50): the held packets are retried and sent, none lost. Then it refuses
 * for longer: the held burst is dropped and counted, the rest goes on.
 */
static void
test_output_stuck(void **state)
{
	const struct ta_conf tc = { .nb = 1, .out_size = 64, .mb_size = 256 };
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	struct ta t;
	int r;

	(void)state;
	ta_create(&t, pool, &tc);
	for (r = 0; r < 40; r++) { /* full after 2 rounds, 38 refusals */
		ta_feed(&t, 0, 32);
		pk_arbiter_run(t.a, 1);
	}
	ta_consume(&t); /* the 63 the output took */
	pk_arbiter_run(t.a, 2); /* the 1 held, then a new burst of 32 */
	ta_consume(&t);
	assert_int_equal(pk_arbiter_stats_get(t.a, &as), 0);
	assert_true(as.tx_retries >= 38);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(t.seen[0], 63 + 1 + 32);
	for (r = 0; r < 60; r++) /* now stuck past tx_retries */
		pk_arbiter_run(t.a, 1);
	assert_int_equal(pk_arbiter_client_stats_get(t.a, 0, &st), 0);
	assert_in_range(st.dropped, 1, 32); /* what was held, no more */
	ta_finish(&t); /* the rest still goes out, in order */
}

/* A dispatcher pass per 8 arbiter rounds: back-pressure, nothing lost. */
static void
slow_dispatcher(const struct ta_conf *tc)
{
	struct pk_arbiter_client_stats st;
	struct pk_arbiter_stats as;
	struct ta t;
	uint32_t c;
	int r;

	ta_create(&t, pool, tc);
	for (r = 0; r < 4000; r++) {
		for (c = 0; c < 2; c++)
			ta_feed(&t, c, 32);
		pk_arbiter_run(t.a, 1);
		if (r % 8 == 0) /* one pass per 8 arbiter rounds */
			pk_arbiter_dispatch(t.a);
		ta_consume(&t);
	}
	pk_arbiter_stats_get(t.a, &as);
	assert_true(as.tx_retries > 0); /* the ring was full, the arbiter waited */
	for (c = 0; c < 2; c++) {
		pk_arbiter_client_stats_get(t.a, c, &st);
		assert_true(st.rejected > 0); /* back-pressure reached clients */
		assert_int_equal(st.dropped, 0); /* nothing lost on the way */
	}
	ta_finish(&t);
}

static void
test_slow_dispatcher(void **state)
{
	static const uint32_t w[2] = { 1, 3 };
	struct ta_conf tc = { .nb = 2, .w = w, .d = PK_ARBITER_DISPATCH_THREAD,
			      .out_size = 4096, .mb_size = 128 };

	(void)state;
	slow_dispatcher(&tc);
	tc.flow = flow_by_parity; /* the dispatcher reads the dynamic field */
	tc.nq = 2;
	slow_dispatcher(&tc);
}

/* The client reuses its array at once: slots overwritten, then poisoned. */
static void
client_overwrites_array(const struct ta_conf *tc)
{
	struct rte_mbuf **arr;
	struct ta t;
	uint16_t k, i;
	int r;

	arr = malloc(32 * sizeof(*arr));
	assert_non_null(arr);
	ta_create(&t, pool, tc);
	for (r = 0; r < 500; r++) {
		TA_UNPOISON(arr, 32 * sizeof(*arr));
		for (i = 0; i < 32; i++)
			arr[i] = pk_test_udp4(pool, 64, 64,
					      (uint32_t)(r & 1) << 24 |
						      (t.next_in[r & 1] + i));
		k = pk_stage_push(pk_arbiter_client(t.a, r & 1), arr, 32);
		t.next_in[r & 1] += k;
		rte_pktmbuf_free_bulk(&arr[k], 32 - k);
		memset(arr, 0xa5, 32 * sizeof(*arr)); /* garbage pointers */
		TA_POISON(arr, 32 * sizeof(*arr));    /* ASan: no reads */
		pk_arbiter_run(t.a, 2);
		ta_consume(&t);
	}
	TA_UNPOISON(arr, 32 * sizeof(*arr));
	free(arr);
	assert_true(t.seen[0] + t.seen[1] > 0);
	ta_finish(&t);
}

static void
test_client_overwrites_array(void **state)
{
	struct ta_conf tc = { .nb = 2, .out_size = 4096, .mb_size = 128,
			      .mb = PK_ARBITER_MB_RING };

	(void)state;
	client_overwrites_array(&tc);
	tc.mb = PK_ARBITER_MB_PSPAT;
	client_overwrites_array(&tc);
	tc.mb = PK_ARBITER_MB_DEFAULT; /* and through a classifier */
	tc.flow = flow_by_parity;
	tc.nq = 2;
	client_overwrites_array(&tc);
}

/*
 * The drain skips a mailbox it sees empty without pulling (a queue_ring's,
 * by its producer index): one a client pushes into after that is drained
 * in the very next round, for both mailbox kinds, per-client and per-flow
 * queues, while the mailboxes' rings wrap many times.
 */
static void
seen_empty_then_fed(const struct ta_conf *tc)
{
	uint64_t fed = 0;
	struct ta t;
	uint32_t r;

	ta_create(&t, pool, tc);
	for (r = 0; r < 400; r++) {
		if (r % 3 != 2) /* some rounds find every mailbox empty */
			fed += ta_feed(&t, r % 2, 1 + r % 5);
		pk_arbiter_run(t.a, 1);
		ta_consume(&t);
		assert_int_equal(t.seen[0] + t.seen[1], fed);
	}
	ta_finish(&t);
}

static void
test_mailbox_seen_empty_then_fed(void **state)
{
	struct ta_conf tc = { .nb = 2, .out_size = 256, .mb_size = 16 };

	(void)state;
	seen_empty_then_fed(&tc);
	tc.mb = PK_ARBITER_MB_PSPAT;
	seen_empty_then_fed(&tc);
	tc.flow = flow_by_parity;
	tc.nq = 2;
	seen_empty_then_fed(&tc);
	tc.mb = PK_ARBITER_MB_DEFAULT;
	seen_empty_then_fed(&tc);
}

#define TA_TEST(f) cmocka_unit_test_teardown(f, pk_test_teardown_pools_full)

int
main(void)
{
	/* one lcore: the tests on worker lcores are integration tests */
	static const char *const eal[] = { "-l", "0", NULL };
	const struct CMUnitTest tests[] = {
		TA_TEST(test_weights_1_2_4_at_1g),
		TA_TEST(test_idle_client_shared_by_weight),
		TA_TEST(test_full_mailbox),
		TA_TEST(test_stop_with_packets_everywhere),
		TA_TEST(test_output_stuck),
		TA_TEST(test_slow_dispatcher),
		TA_TEST(test_client_overwrites_array),
		TA_TEST(test_mailbox_seen_empty_then_fed),
	};
	int rc;

	pk_test_eal_init("test_arbiter", NULL, eal);
	pool = pk_test_pool("test_arbiter", 8192);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
