/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Blocking queues: a thread that allows blocking sleeps on an empty queue
 * (about 0% CPU, read from /proc), a push wakes it, a stop unblocks it.
 * pk_queue_wait() is checked directly with timeouts long enough that a lost
 * wake-up fails the test instead of passing late.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define LONG_WAIT_US (10u * 1000 * 1000)   /* a lost wake-up shows as this */

static struct rte_mempool *pool;
static unsigned int worker;
static pid_t thread_tid;

static int
run_and_record_tid(struct pk_thread *t, void *arg)
{
	if (__atomic_load_n(&thread_tid, __ATOMIC_RELAXED) == 0)
		__atomic_store_n(&thread_tid, (pid_t)syscall(SYS_gettid),
				 __ATOMIC_RELEASE);
	return pk_thread_run_default(t, arg);
}

/* CPU time (user + system clock ticks) a thread of this process used. */
static unsigned long
thread_cpu_ticks(pid_t tid)
{
	unsigned long utime = 0, stime = 0;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces */
	assert_non_null(p);
	/* after ')': state is field 3, utime 14, stime 15 */
	assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
				"%*u %*u %lu %lu", &utime, &stime), 2);
	return utime + stime;
}

struct fixture {
	struct pk_stage *in;
	struct pk_stage *out;
	struct pk_thread *t;
};

static void
fixture_build(struct fixture *f, uint32_t flags)
{
	struct pk_thread_conf tc = {
		.name = "bt", .fn = run_and_record_tid, .flags = flags,
		.socket_id = SOCKET_ID_ANY,
	};

	thread_tid = 0;
	f->in = pk_queue_ring_create("bin", 64, 0, 0, SOCKET_ID_ANY);
	f->out = pk_queue_ring_create("bout", 64, 0, 0, SOCKET_ID_ANY);
	f->t = pk_thread_lcore_create(&tc, worker);
	assert_non_null(f->t);
	assert_int_equal(pk_stage_link(f->in, pk_thread_stage(f->t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(f->t), f->out), 0);
	assert_int_equal(pk_thread_start(f->t), 0);
}

static void
fixture_destroy(struct fixture *f)
{
	pk_thread_destroy(f->t);
	pk_stage_destroy(f->in);
	pk_stage_destroy(f->out);
}

static uint64_t
sleeps(struct pk_thread *t)
{
	struct pk_thread_stats st;

	pk_thread_stats_get(t, &st);
	return st.sleeps;
}

static uint64_t
wakeups(struct pk_thread *t)
{
	struct pk_thread_stats st;

	pk_thread_stats_get(t, &st);
	return st.wakeups;
}

static void
test_idle_blocked_thread_uses_no_cpu(void **state)
{
	unsigned long before, after;
	long hz = sysconf(_SC_CLK_TCK);
	struct fixture f;

	(void)state;
	fixture_build(&f, 0);
	WAIT_FOR(sleeps(f.t) > 0 && thread_tid != 0);
	assert_true(sleeps(f.t) > 0);
	before = thread_cpu_ticks(thread_tid);
	usleep(1000 * 1000);
	after = thread_cpu_ticks(thread_tid);
	printf("  idle blocked thread: %lu ticks of %ld in 1 s\n",
	       after - before, hz);
	assert_true((after - before) * 100 <= (unsigned long)hz * 2);
	fixture_destroy(&f);
}

static void
test_push_wakes_and_stop_unblocks(void **state)
{
	struct rte_mbuf *m;
	struct fixture f;
	uint64_t w;

	(void)state;
	fixture_build(&f, 0);
	WAIT_FOR(sleeps(f.t) > 0);
	assert_true(sleeps(f.t) > 0);
	w = wakeups(f.t);
	m = pk_test_udp4(pool, 64, 64, 7);
	assert_true(pk_stage_push_one(f.in, m));
	WAIT_FOR(pk_stage_len(f.out) == 1);
	assert_int_equal(pk_stage_len(f.out), 1);
	assert_true(wakeups(f.t) > w);
	m = pk_stage_pull_one(f.out);
	assert_int_equal(pk_test_seq(m), 7);
	rte_pktmbuf_free(m);
	/* asleep again, then stopped: the stop wakes it */
	WAIT_FOR(sleeps(f.t) > 1);
	w = wakeups(f.t);
	assert_int_equal(pk_thread_stop(f.t), 0);
	assert_int_equal(pk_thread_state(f.t), PK_THREAD_STOPPED);
	assert_true(wakeups(f.t) > w);
	fixture_destroy(&f);
}

static void
test_nonblock_thread_never_sleeps(void **state)
{
	struct fixture f;

	(void)state;
	fixture_build(&f, PK_THREAD_F_NONBLOCK);
	usleep(50 * 1000);
	assert_int_equal(pk_thread_stop(f.t), 0);
	assert_int_equal(sleeps(f.t), 0);
	fixture_destroy(&f);
}

struct waiter {
	struct pk_stage *q;
	uint32_t cancel;
	volatile int waiting;
	int rc;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->waiting = 1;
	w->rc = pk_queue_wait(w->q, &w->cancel, LONG_WAIT_US);
	return NULL;
}

static void
test_queue_wait_wake_cancel(void **state)
{
	struct waiter w = { 0 };
	struct pk_stage *proc;
	struct rte_mbuf *m;
	pthread_t pt;

	(void)state;
	w.q = pk_queue_ring_create("wq", 64, 0, 0, SOCKET_ID_ANY);
	proc = pk_stage_create("proc_noop", "wp", NULL, SOCKET_ID_ANY);
	assert_false(pk_queue_can_wait(proc));
	assert_true(pk_queue_can_wait(w.q));
	assert_int_equal(pk_queue_wait(proc, NULL, 1000), -ENOTSUP);
	assert_int_equal(pk_queue_wait(w.q, NULL, 1000), -ETIMEDOUT);

	/* a push wakes a waiter that would otherwise sleep 10 s */
	assert_int_equal(pthread_create(&pt, NULL, waiter_main, &w), 0);
	WAIT_FOR(w.waiting);
	usleep(20 * 1000);
	m = pk_test_udp4(pool, 64, 64, 1);
	assert_true(pk_stage_push_one(w.q, m));
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(w.rc, 0);
	/* not empty: returns at once */
	assert_int_equal(pk_queue_wait(w.q, NULL, LONG_WAIT_US), 0);

	/* a stop: set the flag, wake */
	rte_pktmbuf_free(pk_stage_pull_one(w.q));
	w.waiting = 0;
	assert_int_equal(pthread_create(&pt, NULL, waiter_main, &w), 0);
	WAIT_FOR(w.waiting);
	usleep(20 * 1000);
	__atomic_store_n(&w.cancel, 1, __ATOMIC_SEQ_CST);
	pk_queue_wake(w.q);
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(w.rc, -ECANCELED);
	pk_stage_destroy(proc);
	pk_stage_destroy(w.q);
}

struct any_waiter {
	struct pk_stage *qs[3];
	uint32_t cancel;
	volatile int waiting;
	int rc;
};

static void *
any_waiter_main(void *arg)
{
	struct any_waiter *w = arg;

	w->waiting = 1;
	w->rc = pk_queue_wait_any(w->qs, 3, &w->cancel, LONG_WAIT_US);
	return NULL;
}

/* One sleep on several queues: a push into any of them ends it. */
static void
test_queue_wait_any(void **state)
{
	struct any_waiter w = { 0 };
	struct pk_stage *local, *mixed[2];
	struct rte_mbuf *m;
	pthread_t pt;
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "wa%u", i);
		w.qs[i] = pk_queue_ring_create(name, 64, 0, 0, SOCKET_ID_ANY);
		assert_non_null(w.qs[i]);
	}
	local = pk_queue_local_create("wl", 8, 0, SOCKET_ID_ANY);
	mixed[0] = w.qs[0];
	mixed[1] = local;
	assert_int_equal(pk_queue_wait_any(w.qs, 0, NULL, 1000), -EINVAL);
	assert_int_equal(pk_queue_wait_any(w.qs, PK_QUEUE_WAIT_ANY_MAX + 1,
					   NULL, 1000), -EINVAL);
	assert_int_equal(pk_queue_wait_any(mixed, 2, NULL, 1000), -ENOTSUP);
	assert_int_equal(pk_queue_wait_any(w.qs, 3, NULL, 1000), -ETIMEDOUT);

	/* the third queue's push wakes a sleeper that would sleep 10 s */
	assert_int_equal(pthread_create(&pt, NULL, any_waiter_main, &w), 0);
	WAIT_FOR(w.waiting);
	usleep(20 * 1000);
	m = pk_test_udp4(pool, 64, 64, 1);
	assert_true(pk_stage_push_one(w.qs[2], m));
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(w.rc, 0);
	/* one not empty: returns at once */
	assert_int_equal(pk_queue_wait_any(w.qs, 3, NULL, LONG_WAIT_US), 0);
	rte_pktmbuf_free(pk_stage_pull_one(w.qs[2]));

	/* a stop: the flag, then a wake of any one of them */
	w.waiting = 0;
	assert_int_equal(pthread_create(&pt, NULL, any_waiter_main, &w), 0);
	WAIT_FOR(w.waiting);
	usleep(20 * 1000);
	__atomic_store_n(&w.cancel, 1, __ATOMIC_SEQ_CST);
	pk_queue_wake(w.qs[1]);
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(w.rc, -ECANCELED);
	for (i = 0; i < 3; i++)
		pk_stage_destroy(w.qs[i]);
	pk_stage_destroy(local);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_queue_wait_wake_cancel,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_queue_wait_any,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_idle_blocked_thread_uses_no_cpu,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_push_wakes_and_stop_unblocks,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_nonblock_thread_never_sleeps,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_require_cores("test_thread_blocking", 2);
	pk_test_eal_init("test_thread_blocking", NULL, eal);
	worker = rte_get_next_lcore(-1, 1, 0);
	pool = pk_test_pool("test_thread_blocking", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
