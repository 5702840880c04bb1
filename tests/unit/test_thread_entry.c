/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threads' entry points: a path's work run lazily from a non-EAL pthread,
 * one caller at a time (a second gets -EBUSY), and the owner bias. The
 * rest of threads: test_thread.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "thread_fixture.h"

/* Lazy receiver processing: a plain pthread runs the path's work. */
struct entry_ctx {
	struct pk_thread *t;
	pthread_t self;
	int registered;
	unsigned int lcore;
	unsigned int pkts;
};

static pthread_t proc_ran_on;
static unsigned int proc_calls;

static uint16_t
record_thread(struct pk_stage *s, struct pk_stage_counters *c,
	      struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	RTE_SET_USED(s);
	RTE_SET_USED(c);
	RTE_SET_USED(pkts);
	RTE_SET_USED(arg);
	proc_ran_on = pthread_self();
	proc_calls++;
	return n;
}

static void *
entry_main(void *arg)
{
	struct entry_ctx *e = arg;
	int n;

	e->self = pthread_self();
	e->registered = rte_thread_register();
	e->lcore = rte_lcore_id();
	while ((n = pk_thread_entry_run(e->t)) > 0)
		e->pkts += n;
	rte_thread_unregister();
	return NULL;
}

static void
test_entry_from_pthread(void **state)
{
	struct pk_path_conf pc = { .name = "ep", .socket_id = SOCKET_ID_ANY };
	struct pk_thread_conf tc = { .name = "et", .socket_id = SOCKET_ID_ANY };
	struct entry_ctx e = { 0 };
	struct pk_thread_stats ts;
	struct pk_stage *st[4];
	struct pk_path *p;
	pthread_t pt;

	(void)state;
	st[0] = pk_queue_ring_create("ein", 1024, 0, 0, SOCKET_ID_ANY);
	e.t = pk_thread_entry_create(&tc);
	st[1] = pk_thread_stage(e.t);
	st[2] = pk_proc_create("erec", record_thread, NULL, 0, SOCKET_ID_ANY);
	st[3] = pk_queue_ring_create("eout", 1024, 0, 0, SOCKET_ID_ANY);
	p = pk_path_create(&pc, st, 4);
	assert_non_null(p);
	push_all(pk_path_stage(p), 0, 600);
	assert_int_equal(pk_thread_start(e.t), 0);
	proc_calls = 0;
	assert_int_equal(pthread_create(&pt, NULL, entry_main, &e), 0);
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(e.registered, 0);
	assert_int_not_equal(e.lcore, LCORE_ID_ANY);
	assert_int_equal(e.pkts, 600);
	assert_true(proc_calls > 0);
	assert_true(pthread_equal(proc_ran_on, e.self));
	assert_false(pthread_equal(proc_ran_on, pthread_self()));
	pk_thread_stats_get(e.t, &ts);
	assert_int_equal(ts.pkts, 600);
	assert_true(ts.busy_cycles > 0);
	assert_int_equal(ts.idle_runs, 1); /* the last, empty run */
	assert_int_equal(pk_thread_entry_run(pk_thread_from_stage(st[0])),
			 -EINVAL);
	assert_int_equal(drain_in_order(pk_path_stage(p), 0), 600);
	pk_path_destroy(p);
}

/* One caller at a time: a second one gets -EBUSY. */
static volatile int hold_release;
static volatile int hold_entered;

static int
hold_run(struct pk_thread *t, void *arg)
{
	RTE_SET_USED(t);
	RTE_SET_USED(arg);
	hold_entered = 1;
	while (!hold_release)
		rte_pause();
	return 1;
}

static void *
hold_main(void *arg)
{
	return (void *)(intptr_t)pk_thread_entry_run(arg);
}

static void
test_entry_one_caller_at_a_time(void **state)
{
	struct pk_thread_conf tc = { .name = "eb", .fn = hold_run };
	struct pk_thread *t;
	pthread_t pt;
	void *ret;

	(void)state;
	t = pk_thread_entry_create(&tc);
	assert_int_equal(pk_thread_start(t), 0);
	hold_release = 0;
	hold_entered = 0;
	assert_int_equal(pthread_create(&pt, NULL, hold_main, t), 0);
	WAIT_FOR(hold_entered);
	assert_true(hold_entered);
	assert_int_equal(pk_thread_entry_run(t), -EBUSY);
	hold_release = 1;
	assert_int_equal(pthread_join(pt, &ret), 0);
	assert_int_equal((intptr_t)ret, 1);
	pk_thread_destroy(t);
}

/*
 * The first caller owns an entry thread (its runs take no atomic
 * read-modify-write); another caller takes the bias away, for good, and
 * gets -EBUSY while the owner is inside a run; a stop waits for the
 * owner's run, and the owner's next run is refused.
 */
static volatile int bias_block;
static volatile int bias_inside;

static int
bias_run(struct pk_thread *t, void *arg)
{
	RTE_SET_USED(t);
	RTE_SET_USED(arg);
	bias_inside = 1;
	while (bias_block)
		rte_pause();
	bias_inside = 0;
	return 1;
}

/* A pthread of its own runs t three times, each when told to. */
static volatile int bias_go;
static volatile int bias_done;
static intptr_t bias_ret[3];

static void *
bias_owner_main(void *arg)
{
	int i;

	for (i = 0; i < 3; i++) {
		while (bias_go <= i)
			rte_pause();
		bias_ret[i] = pk_thread_entry_run(arg);
		bias_done = i + 1;
	}
	return NULL;
}

static void *
bias_once_main(void *arg)
{
	return (void *)(intptr_t)pk_thread_entry_run(arg);
}

static void *
bias_stop_main(void *arg)
{
	return (void *)(intptr_t)pk_thread_stop(arg);
}

/* A started entry thread and its owner pthread, which ran it once. */
static struct pk_thread *
bias_owned(const char *name, pthread_t *pt)
{
	struct pk_thread_conf tc = { .name = name, .fn = bias_run };
	struct pk_thread *t = pk_thread_entry_create(&tc);

	assert_non_null(t);
	assert_int_equal(pk_thread_start(t), 0);
	bias_block = 0;
	bias_inside = 0;
	bias_done = 0;
	bias_go = 1;
	assert_int_equal(pthread_create(pt, NULL, bias_owner_main, t), 0);
	WAIT_FOR(bias_done == 1);
	assert_int_equal(bias_ret[0], 1);
	return t;
}

static void
test_entry_owner_bias(void **state)
{
	struct pk_thread_stats st;
	struct pk_thread *t;
	pthread_t pt, ps;
	void *ret;

	(void)state;
	/* a pthread owns it; main's run takes the bias away, all still run */
	t = bias_owned("eo1", &pt);
	bias_go = 3;
	WAIT_FOR(bias_done == 3);
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(bias_ret[1], 1);
	assert_int_equal(bias_ret[2], 1);
	assert_int_equal(pk_thread_entry_run(t), 1);
	assert_int_equal(pthread_create(&pt, NULL, bias_once_main, t), 0);
	assert_int_equal(pthread_join(pt, &ret), 0);
	assert_int_equal((intptr_t)ret, 1);
	assert_int_equal(pk_thread_stats_get(t, &st), 0);
	assert_int_equal(st.runs, 5);
	assert_int_equal(st.pkts, 5);
	assert_true(st.busy_cycles > 0); /* the first run is timed */
	pk_thread_destroy(t);

	/* the owner inside a run (no CAS taken): another caller gets -EBUSY */
	t = bias_owned("eo2", &pt);
	bias_block = 1;
	bias_go = 2;
	WAIT_FOR(bias_inside);
	assert_true(bias_inside);
	assert_int_equal(pk_thread_entry_run(t), -EBUSY); /* the bias goes */
	bias_block = 0;
	WAIT_FOR(bias_done == 2);
	assert_int_equal(bias_ret[1], 1);
	bias_go = 3; /* the former owner runs it as anyone now does */
	WAIT_FOR(bias_done == 3);
	assert_int_equal(bias_ret[2], 1);
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(pk_thread_entry_run(t), 1);
	pk_thread_destroy(t);

	/* a stop waits for the owner's run; the owner's next run is refused */
	t = bias_owned("eo3", &pt);
	bias_block = 1;
	bias_go = 2;
	WAIT_FOR(bias_inside);
	assert_int_equal(pthread_create(&ps, NULL, bias_stop_main, t), 0);
	usleep(20 * 1000);
	assert_int_equal(pk_thread_state(t), PK_THREAD_RUNNING);
	bias_block = 0;
	assert_int_equal(pthread_join(ps, &ret), 0);
	assert_int_equal((intptr_t)ret, 0);
	assert_int_equal(pk_thread_state(t), PK_THREAD_STOPPED);
	WAIT_FOR(bias_done == 2);
	assert_int_equal(bias_ret[1], 1);
	bias_go = 3;
	WAIT_FOR(bias_done == 3);
	assert_int_equal(bias_ret[2], -EAGAIN);
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(pk_thread_start(t), 0); /* the bias stays: runs again */
	assert_int_equal(pk_thread_entry_run(t), 1);
	pk_thread_destroy(t);
}


int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_entry_from_pthread,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_entry_one_caller_at_a_time,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_entry_owner_bias,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_require_cores("test_thread_entry", 2);
	pk_test_eal_init("test_thread_entry", NULL, eal);
	worker = rte_get_next_lcore(-1, 1, 0);
	pool = pk_test_pool("test_thread_entry", 4096);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
