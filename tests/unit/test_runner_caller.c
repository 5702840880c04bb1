/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runner on a fake clock, in the caller's context (pk_runner_run()), so
 * its figures are exact: shares and work per packet on always-busy loops;
 * cheap runs batched, their shares exact; a run that returns < 0 stops
 * only its thread. On an lcore, on wall time: test_runner.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "runner_fixture.h"

/* With a fake clock the runner is exact: shares and work per packet. */
static void
test_fake_clock_exact(void **state)
{
	static const uint32_t sh[NB_LOOPS] = { 1, 2, 4 };
	uint64_t c[NB_LOOPS], total = 0;
	struct pk_thread_stats a, b;
	struct pk_runner *r;
	struct loop l[NB_LOOPS];
	unsigned int i;

	(void)state;
	r = pk_runner_create("fake", worker, SOCKET_ID_ANY);
	assert_non_null(r);
	assert_int_equal(pk_runner_clock_set(r, fake_clock, NULL), 0);
	fake = true;
	for (i = 0; i < NB_LOOPS; i++) {
		loop_build(&l[i], 30 + i, r, sh[i], 1000);
		assert_int_equal(pk_thread_start(l[i].t), 0);
	}
	assert_int_equal(pk_runner_run(r, 70000), 70000);
	charged(l, NB_LOOPS, c);
	for (i = 0; i < NB_LOOPS; i++)
		total += c[i];
	for (i = 0; i < NB_LOOPS; i++)
		assert_true(fabs((double)c[i] / total - sh[i] / 7.0) <
			    0.01 * sh[i] / 7.0);
	for (i = 0; i < NB_LOOPS; i++)
		loop_destroy(&l[i]);

	/* twice the work per packet, equal shares: half the packets */
	loop_build(&l[0], 40, r, 1, 1000);
	loop_build(&l[1], 41, r, 1, 2000);
	assert_int_equal(pk_thread_start(l[0].t), 0);
	assert_int_equal(pk_thread_start(l[1].t), 0);
	assert_int_equal(pk_runner_run(r, 50000), 50000);
	pk_thread_stats_get(l[0].t, &a);
	pk_thread_stats_get(l[1].t, &b);
	printf("  fake clock: packets 1x work %" PRIu64 ", 2x work %" PRIu64
	       "\n", a.pkts, b.pkts);
	assert_true(fabs((double)a.pkts / b.pkts - 2.0) < 0.02);
	fake = false;
	loop_destroy(&l[0]);
	loop_destroy(&l[1]);
	pk_runner_destroy(r);
}

/* A start function that always ends on its budget (1), at cost fake cycles. */
struct cheap {
	uint64_t cost;
	uint64_t calls;
	int ret;
};

static int
cheap_run(struct pk_thread *t, void *arg)
{
	struct cheap *c = arg;

	RTE_SET_USED(t);
	fake_now += c->cost;
	c->calls++;
	return c->ret;
}

static struct pk_thread *
cheap_thread(struct pk_runner *r, const char *name, struct cheap *c,
	     uint32_t shares, uint32_t budget)
{
	struct pk_thread_conf tc = {
		.name = name, .fn = cheap_run, .arg = c, .shares = shares,
		.budget = budget,
	};
	struct pk_thread *t = pk_thread_continuation_create(&tc, r);

	assert_non_null(t);
	assert_int_equal(pk_thread_start(t), 0);
	return t;
}

/*
 * Runs far cheaper than a pick that end on their budget: several per pick,
 * each pick charged what all its runs took, so the split still follows the
 * shares exactly. Runs that end under their budget: one per pick.
 */
static void
test_cheap_runs_batched_shares_exact(void **state)
{
	static const uint32_t sh[NB_LOOPS] = { 1, 2, 4 };
	struct cheap c[NB_LOOPS] = { { 0 } };
	struct pk_thread *t[NB_LOOPS];
	struct pk_thread_stats st[NB_LOOPS];
	struct pk_runner_stats rs;
	uint64_t total = 0, calls = 0;
	struct pk_runner *r;
	unsigned int i;
	char name[32];

	(void)state;
	r = pk_runner_create("cheap", worker, SOCKET_ID_ANY);
	assert_non_null(r);
	assert_int_equal(pk_runner_clock_set(r, fake_clock, NULL), 0);
	for (i = 0; i < NB_LOOPS; i++) {
		c[i] = (struct cheap){ .cost = 4, .ret = 1 };
		snprintf(name, sizeof(name), "ch%u", i);
		t[i] = cheap_thread(r, name, &c[i], sh[i], 1);
	}
	assert_int_equal(pk_runner_run(r, 700000), 700000);
	pk_runner_stats_get(r, &rs);
	printf("  cheap full runs: %" PRIu64 " runs in %" PRIu64 " picks\n",
	       rs.decisions, rs.picks);
	assert_int_equal(rs.decisions, 700000);
	assert_true(rs.picks * 16 < rs.decisions);
	for (i = 0; i < NB_LOOPS; i++) {
		assert_int_equal(pk_thread_stats_get(t[i], &st[i]), 0);
		assert_int_equal(st[i].runs, c[i].calls);
		assert_int_equal(st[i].pkts, c[i].calls);
		assert_int_equal(st[i].busy_cycles, c[i].cost * c[i].calls);
		total += st[i].busy_cycles;
		calls += c[i].calls;
	}
	assert_int_equal(calls, 700000);
	for (i = 0; i < NB_LOOPS; i++)
		assert_true(fabs((double)st[i].busy_cycles / total -
				 sh[i] / 7.0) < 0.01 * sh[i] / 7.0);
	for (i = 0; i < NB_LOOPS; i++)
		pk_thread_destroy(t[i]);
	pk_runner_destroy(r);

	/* the same runs under a budget of 256: every run is its own pick */
	r = pk_runner_create("cheap2", worker, SOCKET_ID_ANY);
	assert_non_null(r);
	assert_int_equal(pk_runner_clock_set(r, fake_clock, NULL), 0);
	c[0] = (struct cheap){ .cost = 4, .ret = 1 };
	t[0] = cheap_thread(r, "ch_partial", &c[0], 1, 256);
	assert_int_equal(pk_runner_run(r, 1000), 1000);
	pk_runner_stats_get(r, &rs);
	assert_int_equal(rs.picks, 1000);
	pk_thread_destroy(t[0]);
	pk_runner_destroy(r);
}

/* In the caller's context: a run that returns < 0 stops only that thread. */
static int
stop_after_three(struct pk_thread *t, void *arg)
{
	unsigned int *calls = arg;

	RTE_SET_USED(t);
	return ++*calls >= 3 ? -1 : 1;
}

static void
test_run_in_caller_and_self_stop(void **state)
{
	unsigned int calls = 0;
	struct pk_thread_conf tc = {
		.name = "selfstop", .fn = stop_after_three, .arg = &calls,
	};
	struct pk_runner *r;
	struct pk_thread *t;

	(void)state;
	r = pk_runner_create("caller", worker, SOCKET_ID_ANY);
	assert_non_null(r);
	assert_null(pk_runner_create("caller", worker, SOCKET_ID_ANY));
	t = pk_thread_continuation_create(&tc, r);
	assert_non_null(t);
	assert_int_equal(pk_runner_run(r, 10), 0); /* not started: no runs */
	assert_int_equal(pk_thread_start(t), 0);
	assert_int_equal(pk_runner_run(r, 10), 3);
	assert_int_equal(calls, 3);
	assert_int_equal(pk_thread_state(t), PK_THREAD_STOPPED);
	assert_int_equal(pk_thread_start(t), 0); /* restart after self-stop */
	calls = 0;
	assert_int_equal(pk_runner_run(r, 10), 3);
	assert_int_equal(pk_thread_stop(t), 0);
	pk_thread_destroy(t);
	/* runs that end on their budget of 1: a stop inside a pick of several */
	tc.budget = 1;
	t = pk_thread_continuation_create(&tc, r);
	assert_non_null(t);
	assert_int_equal(pk_thread_start(t), 0);
	calls = 0;
	assert_int_equal(pk_runner_run(r, 10), 3);
	assert_int_equal(calls, 3);
	assert_int_equal(pk_thread_state(t), PK_THREAD_STOPPED);
	assert_int_equal(pk_thread_shares_set(t, 0), -EINVAL);
	assert_int_equal(pk_thread_shares_set(t, PK_THREAD_MAX_SHARES + 1),
			 -EINVAL);
	/* destroying the runner stops and detaches its threads */
	pk_runner_destroy(r);
	assert_int_equal(pk_thread_start(t), -EINVAL);
	pk_thread_destroy(t);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_run_in_caller_and_self_stop,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fake_clock_exact,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_cheap_runs_batched_shares_exact,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_require_cores("test_runner_caller", 2);
	pk_test_eal_init("test_runner_caller", NULL, eal);
	worker = rte_get_next_lcore(-1, 1, 0);
	pool = pk_test_pool("test_runner_caller", 2048);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
