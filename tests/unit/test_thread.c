/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threads: kinds by name, threads inside paths with the default start
 * function, refused packets, the wiring check, clean shutdown with packets
 * in flight. Entry points: test_thread_entry.c.
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

static void
test_kinds_by_name(void **state)
{
	struct pk_stage *t, *t2, *q;
	struct pk_runner *r;
	char args[32];

	(void)state;
	snprintf(args, sizeof(args), "lcore=%u,burst=16", worker);
	t = pk_stage_create("thread_lcore", "tl", args, SOCKET_ID_ANY);
	assert_non_null(t);
	assert_string_equal(pk_stage_kind_name(t), "thread_lcore");
	assert_non_null(pk_thread_from_stage(t));
	assert_int_equal(t->caps, PK_STAGE_CAP_FWD_PULL | PK_STAGE_CAP_FWD_PUSH);
	/* a thread accepts no push and gives no pull */
	assert_int_equal(pk_stage_push(t, NULL, 0), 0);
	assert_null(pk_stage_pull_one(t));
	t2 = pk_stage_create("thread_entry", "te", NULL, SOCKET_ID_ANY);
	assert_non_null(t2);
	assert_int_equal(pk_stage_link(t, t2), -EINVAL);
	q = pk_queue_ring_create("kq", 64, 0, 0, SOCKET_ID_ANY);
	assert_null(pk_thread_from_stage(q));
	assert_int_equal(pk_stage_link(q, t), 0);
	assert_int_equal(pk_stage_link(t, q), 0);
	pk_stage_destroy(t);
	pk_stage_destroy(t2);
	pk_stage_destroy(q);

	rte_errno = 0;
	assert_null(pk_stage_create("thread_lcore", "x", NULL, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	snprintf(args, sizeof(args), "lcore=%u", rte_get_main_lcore());
	assert_null(pk_stage_create("thread_lcore", "x", args, SOCKET_ID_ANY));
	assert_null(pk_stage_create("thread_entry", "x", "burst=0",
				    SOCKET_ID_ANY));
	assert_null(pk_stage_create("thread_continuation", "x", "runner=none",
				    SOCKET_ID_ANY));
	r = pk_runner_create("kr", worker, SOCKET_ID_ANY);
	assert_non_null(r);
	t = pk_stage_create("thread_continuation", "tc",
			    "runner=kr,shares=7,bytes=1", SOCKET_ID_ANY);
	assert_non_null(t);
	assert_true(t->flags & PK_STAGE_F_BYTES);
	assert_int_equal(pk_thread_shares_get(pk_thread_from_stage(t)), 7);
	pk_stage_destroy(t);
	pk_runner_destroy(r);
}

/* queue -> thread_lcore -> proc_counter -> queue, as one path. */
static void
test_path_with_lcore_thread(void **state)
{
	struct pk_path_conf pc = { .name = "lp", .socket_id = SOCKET_ID_ANY };
	struct pk_thread_conf tc = { .name = "lt", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *st[4];
	struct pk_stage_stats ss;
	struct pk_thread_stats ts;
	struct pk_thread *t;
	struct pk_path *p;

	(void)state;
	st[0] = pk_queue_ring_create("lin", 2048, 0, 0, SOCKET_ID_ANY);
	t = pk_thread_lcore_create(&tc, worker);
	assert_non_null(t);
	st[1] = pk_thread_stage(t);
	st[2] = pk_stage_create("proc_counter", "lc", NULL, SOCKET_ID_ANY);
	st[3] = pk_queue_ring_create("lout", 2048, 0, 0, SOCKET_ID_ANY);
	p = pk_path_create(&pc, st, 4);
	assert_non_null(p);
	push_all(pk_path_stage(p), 0, 1000);
	assert_int_equal(pk_thread_start(t), 0);
	assert_int_equal(pk_thread_state(t), PK_THREAD_RUNNING);
	WAIT_FOR(pk_stage_len(st[3]) == 1000);
	assert_int_equal(pk_thread_stop(t), 0);
	assert_int_equal(pk_thread_state(t), PK_THREAD_STOPPED);
	assert_int_equal(pk_stage_len(st[3]), 1000);
	pk_stage_stats_get(st[1], &ss);
	assert_int_equal(ss.in_pkts, 1000);
	assert_int_equal(ss.out_pkts, 1000);
	pk_thread_stats_get(t, &ts);
	assert_int_equal(ts.pkts, 1000);
	assert_true(ts.runs >= 1000 / PK_THREAD_DEFAULT_BUDGET);
	assert_true(ts.busy_cycles > 0);
	pk_stage_stats_get(st[2], &ss);
	assert_int_equal(ss.in_bytes, 1000 * 64);
	assert_int_equal(drain_in_order(pk_path_stage(p), 0), 1000);
	pk_path_destroy(p);
}

/* Downstream refuses: the thread frees them and counts "full". */
static void
test_refused_freed_counted_full(void **state)
{
	struct pk_thread_conf tc = {
		.name = "rt", .sflags = PK_STAGE_F_BYTES,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_stage *in, *out;
	struct pk_stage_stats ss;
	struct pk_thread *t;

	(void)state;
	in = pk_queue_ring_create("rin", 64, 0, 0, SOCKET_ID_ANY);
	out = pk_queue_ring_create("rout", 8, 0, 0, SOCKET_ID_ANY);
	t = pk_thread_entry_create(&tc);
	assert_non_null(t);
	assert_int_equal(pk_stage_link(in, pk_thread_stage(t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t), out), 0);
	push_all(in, 0, 32);
	assert_int_equal(pk_thread_entry_run(t), -EAGAIN); /* not started */
	assert_int_equal(pk_thread_start(t), 0);
	assert_int_equal(pk_thread_entry_run(t), 32);
	assert_int_equal(pk_thread_entry_run(t), 0);
	assert_int_equal(pk_stage_len(out), 7);
	pk_stage_stats_get(pk_thread_stage(t), &ss);
	assert_int_equal(ss.in_pkts, 32);
	assert_int_equal(ss.out_pkts, 7);
	assert_int_equal(ss.drops[PK_DROP_FULL], 25);
	assert_int_equal(ss.in_bytes, 32 * 64);
	assert_int_equal(ss.out_bytes, 7 * 64);
	pk_thread_destroy(t);
	pk_stage_destroy(in);
	pk_stage_destroy(out);
}

static void
test_wiring_checked_at_start(void **state)
{
	struct pk_thread_conf tc = { .socket_id = SOCKET_ID_ANY };
	struct pk_stage *in1, *in2, *sp, *mp, *proc;
	struct pk_thread *t1, *t2, *c1, *c2;
	struct pk_runner *r;

	(void)state;
	in1 = pk_queue_ring_create("win1", 64, 0, 0, SOCKET_ID_ANY);
	in2 = pk_queue_ring_create("win2", 64, 0, 0, SOCKET_ID_ANY);
	sp = pk_queue_ring_create("wsp", 64, 0, 0, SOCKET_ID_ANY);
	mp = pk_queue_ring_create("wmp", 64, PK_QUEUE_F_MP, 0, SOCKET_ID_ANY);
	proc = pk_stage_create("proc_noop", "wproc", NULL, SOCKET_ID_ANY);
	tc.name = "wt1";
	t1 = pk_thread_entry_create(&tc);
	tc.name = "wt2";
	t2 = pk_thread_entry_create(&tc);
	assert_int_equal(pk_stage_link(in1, pk_thread_stage(t1)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t1), sp), 0);
	/* t2 reaches the same single-producer queue through processing */
	assert_int_equal(pk_stage_link(in2, pk_thread_stage(t2)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t2), proc), 0);
	assert_int_equal(pk_stage_link(proc, sp), 0);
	assert_int_equal(pk_thread_start(t1), 0);
	assert_int_equal(pk_thread_start(t2), -EINVAL);
	assert_int_equal(pk_thread_state(t2), PK_THREAD_STOPPED);
	/* a multi-producer queue takes both */
	assert_int_equal(pk_stage_link(pk_thread_stage(t1), mp), 0);
	assert_int_equal(pk_stage_link(proc, mp), 0);
	assert_int_equal(pk_thread_stop(t1), 0);
	assert_int_equal(pk_thread_start(t1), 0);
	assert_int_equal(pk_thread_start(t2), 0);
	pk_thread_stop(t2);
	/* two pullers of one single-consumer queue */
	assert_int_equal(pk_stage_link(in1, pk_thread_stage(t2)), 0);
	assert_int_equal(pk_thread_start(t2), -EINVAL);
	pk_thread_stop(t1);
	/* continuations of one runner never run at once: allowed */
	r = pk_runner_create("wr", worker, SOCKET_ID_ANY);
	tc.name = "wc1";
	c1 = pk_thread_continuation_create(&tc, r);
	tc.name = "wc2";
	c2 = pk_thread_continuation_create(&tc, r);
	assert_int_equal(pk_stage_link(in1, pk_thread_stage(c1)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(c1), sp), 0);
	assert_int_equal(pk_stage_link(in2, pk_thread_stage(c2)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(c2), sp), 0);
	assert_int_equal(pk_thread_start(c1), 0);
	assert_int_equal(pk_thread_start(c2), 0);
	pk_runner_destroy(r);
	pk_thread_destroy(c1);
	pk_thread_destroy(c2);
	pk_thread_destroy(t1);
	pk_thread_destroy(t2);
	pk_stage_destroy(in1);
	pk_stage_destroy(in2);
	pk_stage_destroy(sp);
	pk_stage_destroy(mp);
	pk_stage_destroy(proc);
}

/* Stop with packets in flight: threads stop, destroy drains, no leak. */
static void
test_clean_shutdown_in_flight(void **state)
{
	struct pk_path_conf pc = { .name = "sp", .socket_id = SOCKET_ID_ANY };
	struct pk_thread_conf tc = { .name = "st", .burst = 8, .budget = 8 };
	struct pk_stage *st[4];
	struct rte_mbuf *m[32];
	struct pk_thread *t;
	struct pk_path *p;
	unsigned int i;
	uint16_t k;

	(void)state;
	st[0] = pk_queue_ring_create("sin", 512, 0, 0, SOCKET_ID_ANY);
	t = pk_thread_lcore_create(&tc, worker);
	st[1] = pk_thread_stage(t);
	st[2] = pk_stage_create("proc_ttl", "sttl", NULL, SOCKET_ID_ANY);
	st[3] = pk_queue_ring_create("sout", 512, 0, 0, SOCKET_ID_ANY);
	p = pk_path_create(&pc, st, 4);
	assert_non_null(p);
	assert_int_equal(pk_thread_start(t), 0);
	for (i = 0; i < 2000; i++) {
		pk_test_burst(pool, m, 32, i * 32);
		k = pk_stage_push(pk_path_stage(p), m, 32);
		rte_pktmbuf_free_bulk(&m[k], 32 - k);
		k = pk_stage_pull(pk_path_stage(p), m, 16); /* leave some */
		rte_pktmbuf_free_bulk(m, k);
	}
	assert_int_equal(pk_thread_stop(t), 0);
	assert_int_equal(pk_thread_state(t), PK_THREAD_STOPPED);
	assert_true(pk_stage_len(st[0]) + pk_stage_len(st[3]) > 0);
	pk_path_destroy(p); /* frees what is still queued */
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kinds_by_name,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_path_with_lcore_thread,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_refused_freed_counted_full,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_wiring_checked_at_start,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_clean_shutdown_in_flight,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_require_cores("test_thread", 2);
	pk_test_eal_init("test_thread", NULL, eal);
	worker = rte_get_next_lcore(-1, 1, 0);
	pool = pk_test_pool("test_thread", 4096);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
