/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runner's two picks (enum pk_runner_pick), on a fake clock in the
 * caller's context (pk_runner_run()), so every figure is exact:
 * - ring (shares within 8x): cycles follow the shares whatever runs cost;
 *   a turn is shares / smallest shares x ~1 us of cycles; an idle pick's
 *   10 us comes off the next turns, also when every thread is idle;
 * - heap (shares further apart): cycles follow the shares;
 * - switching on new shares, a start, a stop (also a thread stopping by
 *   itself mid-turn), each phase split by the shares; random starts,
 *   stops and shares keep the rule and every run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define MAX_T 64

static uint64_t fake_now;

static uint64_t
fake_clock(void *arg)
{
	RTE_SET_USED(arg);
	return fake_now;
}

/* A thread that costs cost fake cycles a run and returns ret. */
struct job {
	unsigned int id;
	uint64_t cost;
	int ret;
	unsigned int stop_at;   /* return -1 at this call (0: never) */
	uint64_t calls;
};

/* Who ran last, and the longest streak of runs of each job in a row. */
static struct {
	int last;
	unsigned int streak;
	unsigned int longest[MAX_T];
} trace;

static int
job_run(struct pk_thread *t, void *arg)
{
	struct job *j = arg;

	RTE_SET_USED(t);
	fake_now += j->cost;
	j->calls++;
	if (trace.last == (int)j->id) {
		trace.streak++;
	} else {
		trace.last = (int)j->id;
		trace.streak = 1;
	}
	if (trace.streak > trace.longest[j->id])
		trace.longest[j->id] = trace.streak;
	if (j->stop_at != 0 && j->calls == j->stop_at)
		return -1;
	return j->ret;
}

struct fix {
	struct pk_runner *r;
	struct job job[MAX_T];
	struct pk_thread *t[MAX_T];
	unsigned int n;
};

/* A runner on the fake clock. */
static void
fix_init(struct fix *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	memset(&trace, 0, sizeof(trace));
	trace.last = -1;
	f->r = pk_runner_create(name, 0, SOCKET_ID_ANY);
	assert_non_null(f->r);
	assert_int_equal(pk_runner_clock_set(f->r, fake_clock, NULL), 0);
}

/* A started thread: budget 256, so a run returning 1 is a pick of its own. */
static unsigned int
fix_add(struct fix *f, uint32_t shares, uint64_t cost, int ret)
{
	unsigned int i = f->n++;
	char name[32];
	struct pk_thread_conf tc = {
		.name = name, .fn = job_run, .arg = &f->job[i],
		.shares = shares, .budget = 256,
	};

	f->job[i] = (struct job){ .id = i, .cost = cost, .ret = ret };
	snprintf(name, sizeof(name), "pick%u", i);
	f->t[i] = pk_thread_continuation_create(&tc, f->r);
	assert_non_null(f->t[i]);
	assert_int_equal(pk_thread_start(f->t[i]), 0);
	return i;
}

static void
fix_fini(struct fix *f)
{
	unsigned int i;

	pk_runner_destroy(f->r);
	for (i = 0; i < f->n; i++)
		pk_thread_destroy(f->t[i]);
}

static enum pk_runner_pick
pick_of(const struct fix *f, uint64_t *switches)
{
	struct pk_runner_stats rs;

	assert_int_equal(pk_runner_stats_get(f->r, &rs), 0);
	if (switches != NULL)
		*switches = rs.pick_switches;
	return rs.pick;
}

static void
busy_cycles(const struct fix *f, uint64_t *c)
{
	struct pk_thread_stats st;
	unsigned int i;

	for (i = 0; i < f->n; i++) {
		assert_int_equal(pk_thread_stats_get(f->t[i], &st), 0);
		c[i] = st.busy_cycles;
	}
}

/*
 * Run decisions runs; the busy cycles charged meanwhile to the threads
 * with want[i] != 0 split as want[] says, within tol (relative).
 */
static void
run_split(struct fix *f, uint64_t decisions, const uint32_t *want, double tol)
{
	uint64_t a[MAX_T], b[MAX_T], total = 0, sum = 0;
	unsigned int i;

	busy_cycles(f, a);
	assert_int_equal(pk_runner_run(f->r, decisions), (int64_t)decisions);
	busy_cycles(f, b);
	for (i = 0; i < f->n; i++) {
		if (want[i] == 0)
			continue;
		total += b[i] - a[i];
		sum += want[i];
	}
	assert_true(total > 0);
	for (i = 0; i < f->n; i++) {
		double w = (double)want[i] / (double)sum;
		double got = (double)(b[i] - a[i]) / (double)total;

		if (want[i] == 0)
			continue;
		if (fabs(got - w) > tol * w)
			printf("  thread %u: %.4f of cycles, want %.4f\n", i,
			       got, w);
		assert_true(fabs(got - w) <= tol * w);
	}
}

/* Equal shares, runs of four costs: equal cycles, not equal runs. */
static void
test_ring_equal_shares_split_cycles(void **state)
{
	static const uint32_t want[4] = { 1, 1, 1, 1 };
	struct fix f;
	unsigned int i;

	(void)state;
	fix_init(&f, "ring_eq");
	for (i = 0; i < 4; i++)
		fix_add(&f, 1, 10u << i, 1);
	assert_int_equal(pick_of(&f, NULL), PK_RUNNER_PICK_RING);
	run_split(&f, 200000, want, 0.01);
	/* 8 times the cost: an eighth of the runs */
	assert_true(fabs((double)f.job[0].calls / f.job[3].calls - 8.0) < 0.2);
	fix_fini(&f);
}

/* Shares 1, 3, 8: a turn is shares times about 1 us of cycles, no more. */
static void
test_ring_turns_follow_shares(void **state)
{
	static const uint32_t sh[3] = { 1, 3, 8 };
	uint64_t slice = rte_get_tsc_hz() / 1000000 + 1; /* RUNNER_BATCH_US */
	uint64_t switches;
	struct fix f;
	unsigned int i;

	(void)state;
	fix_init(&f, "ring_turns");
	for (i = 0; i < 3; i++)
		fix_add(&f, sh[i], 100, 1);
	assert_int_equal(pick_of(&f, &switches), PK_RUNNER_PICK_RING);
	assert_int_equal(switches, 0);
	run_split(&f, 300000, sh, 0.01);
	for (i = 0; i < 3; i++) {
		unsigned int turn = (unsigned int)(sh[i] * slice / 100);

		printf("  shares %u: longest turn %u runs (%u expected)\n",
		       sh[i], trace.longest[i], turn);
		assert_true(trace.longest[i] >= turn);
		assert_true(trace.longest[i] <= turn + 1);
	}
	fix_fini(&f);
}

/*
 * Idle picks are charged 10 us: an idle thread runs about once per 10 us
 * of a busy one's cycles, as with the heap; with every thread idle, the
 * ring still turns (many laps at once) and each gets its pick.
 */
static void
test_ring_idle_charge_taken_off_turns(void **state)
{
	uint64_t idle = rte_get_tsc_hz() / 100000 + 1; /* the idle charge */
	struct pk_thread_stats busy, lazy, b1, l1;
	struct fix f;
	double ratio;

	(void)state;
	fix_init(&f, "ring_idle");
	fix_add(&f, 1, 100, 1);
	fix_add(&f, 1, 0, 0);
	assert_int_equal(pick_of(&f, NULL), PK_RUNNER_PICK_RING);
	assert_int_equal(pk_runner_run(f.r, 200000), 200000);
	pk_thread_stats_get(f.t[0], &busy);
	pk_thread_stats_get(f.t[1], &lazy);
	ratio = (double)busy.busy_cycles / (double)(lazy.idle_runs * idle);
	printf("  busy cycles %" PRIu64 ", idle picks %" PRIu64 " (%.3f)\n",
	       busy.busy_cycles, lazy.idle_runs, ratio);
	assert_true(lazy.idle_runs > 10);
	assert_true(fabs(ratio - 1.0) < 0.05);
	/* now both idle: they take turns, one pick each */
	f.job[0].ret = 0;
	f.job[0].cost = 0;
	pk_thread_stats_get(f.t[0], &busy);
	pk_thread_stats_get(f.t[1], &lazy);
	assert_int_equal(pk_runner_run(f.r, 1000), 1000);
	pk_thread_stats_get(f.t[0], &b1);
	pk_thread_stats_get(f.t[1], &l1);
	assert_true(b1.idle_runs - busy.idle_runs >= 490);
	assert_true(l1.idle_runs - lazy.idle_runs >= 490);
	fix_fini(&f);
}

/* Shares 1 and 100: the heap, and the split still follows the shares. */
static void
test_heap_wide_shares_split_cycles(void **state)
{
	static const uint32_t sh[3] = { 1, 100, 20 };
	struct fix f;
	unsigned int i;

	(void)state;
	fix_init(&f, "heap_wide");
	for (i = 0; i < 3; i++)
		fix_add(&f, sh[i], 50 + 30 * i, 1);
	assert_int_equal(pick_of(&f, NULL), PK_RUNNER_PICK_HEAP);
	run_split(&f, 300000, sh, 0.01);
	/* the heap interleaves: the small share never runs twice in a row */
	assert_int_equal(trace.longest[0], 1);
	fix_fini(&f);
}

/* New shares move the runner to the heap and back; each phase is exact. */
static void
test_switch_on_shares_change(void **state)
{
	static const uint32_t eq[3] = { 1, 1, 1 }, wide[3] = { 64, 1, 1 };
	static const uint32_t close[3] = { 2, 1, 1 }, now[3] = { 1, 8, 1 };
	uint64_t switches;
	struct fix f;
	unsigned int i;

	(void)state;
	fix_init(&f, "sw_shares");
	for (i = 0; i < 3; i++)
		fix_add(&f, 1, 40 + 20 * i, 1);
	run_split(&f, 100000, eq, 0.01);
	assert_int_equal(pick_of(&f, &switches), PK_RUNNER_PICK_RING);
	assert_int_equal(switches, 0);
	assert_int_equal(pk_thread_shares_set(f.t[0], 64), 0);
	assert_int_equal(pick_of(&f, &switches), PK_RUNNER_PICK_HEAP);
	assert_int_equal(switches, 1);
	run_split(&f, 1000000, wide, 0.01);
	assert_int_equal(pk_thread_shares_set(f.t[0], 2), 0);
	assert_int_equal(pick_of(&f, &switches), PK_RUNNER_PICK_RING);
	assert_int_equal(switches, 2);
	run_split(&f, 200000, close, 0.01);
	/* within the ring, new shares take effect too */
	assert_int_equal(pk_thread_shares_set(f.t[1], 8), 0);
	assert_int_equal(pk_thread_shares_set(f.t[0], 1), 0);
	assert_int_equal(pick_of(&f, &switches), PK_RUNNER_PICK_RING);
	assert_int_equal(switches, 2);
	run_split(&f, 300000, now, 0.01);
	fix_fini(&f);
}

/*
 * A thread with wide shares started, then stopped: heap, then ring again;
 * a thread that stops by itself in the middle of its turn hands the turn
 * on, and the others' split stays exact.
 */
static void
test_switch_on_start_stop(void **state)
{
	static const uint32_t two[4] = { 1, 1, 0, 0 };
	static const uint32_t three[4] = { 1, 1, 50, 0 };
	static const uint32_t rest[4] = { 0, 1, 0, 4 };
	uint64_t switches;
	unsigned int big, quitter;
	struct fix f;

	(void)state;
	fix_init(&f, "sw_start");
	fix_add(&f, 1, 30, 1);
	fix_add(&f, 1, 70, 1);
	run_split(&f, 100000, two, 0.01);
	big = fix_add(&f, 50, 50, 1);
	assert_int_equal(pick_of(&f, &switches), PK_RUNNER_PICK_HEAP);
	assert_int_equal(switches, 1);
	run_split(&f, 1000000, three, 0.01);
	assert_int_equal(pk_thread_stop(f.t[big]), 0);
	assert_int_equal(pick_of(&f, &switches), PK_RUNNER_PICK_RING);
	assert_int_equal(switches, 2);
	run_split(&f, 100000, two, 0.01);
	/* thread 0 stops by itself at its 5th call from now, mid-turn */
	quitter = 0;
	f.job[quitter].stop_at = (unsigned int)f.job[quitter].calls + 5;
	quitter = fix_add(&f, 4, 20, 1);
	assert_int_equal(pick_of(&f, NULL), PK_RUNNER_PICK_RING);
	run_split(&f, 300000, rest, 0.01);
	assert_int_equal(pk_thread_state(f.t[0]), PK_THREAD_STOPPED);
	assert_int_equal(f.job[0].calls, f.job[0].stop_at);
	fix_fini(&f);
}

/*
 * Random starts, stops and shares (a fixed seed): after each change the
 * runner schedules exactly the started threads, picks by the rule (ring
 * while the started threads' shares are within 8x), and runs what it is
 * asked; every run is counted once.
 */
static void
test_random_changes_keep_the_rule(void **state)
{
	static const uint32_t choice[] = { 1, 2, 3, 4, 8, 9, 64, 1000 };
	bool on[8] = { false };
	uint64_t runs = 0, calls = 0, seed = 12345;
	struct pk_runner_stats rs;
	struct fix f;
	unsigned int i, k, n, started;

	(void)state;
	fix_init(&f, "random");
	for (i = 0; i < 8; i++) {
		fix_add(&f, 1, 10 + 10 * i, 1);
		on[i] = true;
	}
	for (k = 0; k < 3000; k++) {
		uint32_t lo = UINT32_MAX, hi = 0, sh;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		i = (unsigned int)(seed >> 33) % 8;
		if ((seed >> 40) % 3 == 0) {
			if (on[i])
				assert_int_equal(pk_thread_stop(f.t[i]), 0);
			else
				assert_int_equal(pk_thread_start(f.t[i]), 0);
			on[i] = !on[i];
		} else {
			sh = choice[(seed >> 45) % RTE_DIM(choice)];
			assert_int_equal(pk_thread_shares_set(f.t[i], sh), 0);
		}
		for (started = 0, n = 0; n < 8; n++) {
			if (!on[n])
				continue;
			started++;
			sh = pk_thread_shares_get(f.t[n]);
			lo = RTE_MIN(lo, sh);
			hi = RTE_MAX(hi, sh);
		}
		assert_int_equal(pk_runner_run(f.r, 50), started > 0 ? 50 : 0);
		runs += started > 0 ? 50 : 0;
		pk_runner_stats_get(f.r, &rs);
		assert_int_equal(rs.nb_threads, started);
		if (started > 0)
			assert_int_equal(rs.pick, hi <= 8 * lo ?
					 PK_RUNNER_PICK_RING :
					 PK_RUNNER_PICK_HEAP);
	}
	for (i = 0; i < 8; i++)
		calls += f.job[i].calls;
	assert_int_equal(calls, runs);
	printf("  %" PRIu64 " runs, %" PRIu64 " switches\n", runs,
	       rs.pick_switches);
	assert_true(rs.pick_switches > 10);
	fix_fini(&f);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ring_equal_shares_split_cycles,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_ring_turns_follow_shares,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_ring_idle_charge_taken_off_turns,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_heap_wide_shares_split_cycles,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_switch_on_shares_change,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_switch_on_start_stop,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_random_changes_keep_the_rule,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_runner_pick", NULL, eal);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
