/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fused run (struct pk_thread_fused): a thread with the default start
 * function whose source is an SC queue_ring, followed by generic processing
 * stages and an SP queue_ring, runs them in one frame. Covered: every
 * counter of every stage and the packets' order come out as the default
 * run leaves them (a twin pipeline run by the default run, burst sizes
 * that wrap the rings, drops in processing, refusals by a full sink);
 * bursts of up to 512 wrapping rings of 1024; the
 * lcore and continuation kinds; the fallback to the default run for a
 * custom start function, a thread counting bytes, and a wiring with nothing
 * to fuse, also after a rewiring while stopped; a partial plan (a byte
 * counting stage ends it and is pushed as before); a sink whose push is
 * taken over after the start (as a dropper does) is pushed through it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_lcore.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_queue_worker.h>
#include <pathkit/pk_thread_driver.h>

#include "pk_test.h"
#include "twin_fixture.h"

static struct rte_mempool *pool;
static unsigned int worker;

/* in -> thread -> proc_noop -> twin_drop_thirds -> out, linked by hand. */
struct pipe {
	struct pk_stage *st[5];
	struct pk_thread *t;
};

static void
pipe_build(struct pipe *p, const char *tag, struct pk_thread *t,
	   unsigned int out_size)
{
	char name[32];
	unsigned int i;

	p->t = t;
	snprintf(name, sizeof(name), "%s_in", tag);
	p->st[0] = pk_queue_ring_create(name, 64, 0, 0, SOCKET_ID_ANY);
	p->st[1] = pk_thread_stage(t);
	snprintf(name, sizeof(name), "%s_noop", tag);
	p->st[2] = pk_stage_create("proc_noop", name, NULL, SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "%s_drop", tag);
	p->st[3] = pk_proc_create(name, twin_drop_thirds, NULL, 0,
				  SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "%s_out", tag);
	p->st[4] = pk_queue_ring_create(name, out_size, 0, 0, SOCKET_ID_ANY);
	for (i = 0; i < 5; i++)
		assert_non_null(p->st[i]);
	for (i = 0; i < 4; i++)
		assert_int_equal(pk_stage_link(p->st[i], p->st[i + 1]), 0);
}

static void
pipe_destroy(struct pipe *p)
{
	unsigned int i;

	pk_thread_destroy(p->t);
	for (i = 0; i < 5; i++)
		if (i != 1)
			pk_stage_destroy(p->st[i]);
}

static void
test_fused_counts_and_order_as_default(void **state)
{
	struct pk_thread_conf tc = {
		.burst = 8, .budget = 24, .socket_id = SOCKET_ID_ANY,
	};
	struct pk_thread_stats tsa, tsb;
	struct pipe a, b;
	uint32_t seq = 1, last = UINT32_MAX;
	unsigned int i, j, pulled = 0;
	int na, nb;

	(void)state;
	tc.name = "fa";
	pipe_build(&a, "fa", pk_thread_entry_create(&tc), 32);
	tc.name = "fb";
	tc.fn = twin_run_unfused;
	pipe_build(&b, "fb", pk_thread_entry_create(&tc), 32);
	assert_int_equal(pk_thread_start(a.t), 0);
	assert_int_equal(pk_thread_start(b.t), 0);
	assert_true(pk_thread_is_fused(a.t));
	assert_false(pk_thread_is_fused(b.t));
	for (i = 0; i < 400; i++) {
		/* 1..40 at a time: bursts of every tail size, rings wrapping */
		uint16_t n = (uint16_t)(1 + (i * 7) % 40);

		twin_push_some(pool, a.st[0], seq, n);
		twin_push_some(pool, b.st[0], seq, n);
		seq += n;
		for (j = 0; j < i % 3; j++) { /* 0 to 2 runs: in fills */
			na = pk_thread_entry_run(a.t);
			nb = pk_thread_entry_run(b.t);
			assert_int_equal(na, nb);
		}
		/* the out queue (31 slots) fills at times: refusals */
		pulled += twin_pull_same(a.st[4], b.st[4], i % 3 ? 5 : 64,
					 true, &last);
	}
	for (i = 0; i < 5; i++)
		if (i != 1)
			twin_assert_equal(a.st[i], b.st[i],
					  TWIN_BYTES | TWIN_BALANCE);
	twin_assert_equal(a.st[1], b.st[1], TWIN_BYTES | TWIN_BALANCE);
	pk_thread_stats_get(a.t, &tsa);
	pk_thread_stats_get(b.t, &tsb);
	assert_int_equal(tsa.runs, tsb.runs);
	assert_int_equal(tsa.idle_runs, tsb.idle_runs);
	assert_int_equal(tsa.pkts, tsb.pkts);
	/* the case was exercised: drops, sink refusals, input refusals */
	{
		struct pk_stage_stats s;

		pk_stage_stats_get(a.st[3], &s);
		assert_true(s.drops[PK_DROP_POLICY] > 0);
		assert_true(s.refused[PK_DROP_FULL] > 0);
		pk_stage_stats_get(a.st[1], &s);
		assert_true(s.drops[PK_DROP_FULL] > 0);
		pk_stage_stats_get(a.st[0], &s);
		assert_true(s.refused[PK_DROP_FULL] > 0);
	}
	do { /* drain both */
		na = pk_thread_entry_run(a.t);
		nb = pk_thread_entry_run(b.t);
		assert_int_equal(na, nb);
		pulled += twin_pull_same(a.st[4], b.st[4], 64, true, &last);
	} while (na > 0);
	assert_true(pulled > 1000);
	for (i = 0; i < 5; i++)
		if (i != 1)
			twin_assert_equal(a.st[i], b.st[i],
					  TWIN_BYTES | TWIN_BALANCE);
	pipe_destroy(&a);
	pipe_destroy(&b);
}

/* Bursts of up to 512 through rings of 1024: every copy size, wrapping. */
static void
test_fused_big_bursts_wrap(void **state)
{
	struct pk_thread_conf tc = {
		.name = "fw", .burst = 512, .budget = 4096,
		.socket_id = SOCKET_ID_ANY,
	};
	static struct rte_mbuf *m[512];
	struct pk_stage *in, *out;
	struct pk_thread *t;
	uint32_t seq = 0, want = 0;
	unsigned int i, j;
	uint16_t n, k;

	(void)state;
	in = pk_queue_ring_create("fw_in", 1024, 0, 0, SOCKET_ID_ANY);
	out = pk_queue_ring_create("fw_out", 1024, 0, 0, SOCKET_ID_ANY);
	t = pk_thread_entry_create(&tc);
	assert_int_equal(pk_stage_link(in, pk_thread_stage(t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t), out), 0);
	assert_int_equal(pk_thread_start(t), 0);
	assert_true(pk_thread_is_fused(t));
	for (i = 0; i < 24; i++) {
		n = (uint16_t)(497 + i % 16); /* 497..512 */
		pk_test_burst(pool, m, n, seq);
		assert_int_equal(pk_stage_push(in, m, n), n);
		seq += n;
		assert_int_equal(pk_thread_entry_run(t), n);
		/* pull in two uneven parts: the out ring's slots wrap too */
		for (j = 0; j < 2; j++) {
			uint16_t want_k = j == 0 ? n / 3 : n - n / 3;

			k = pk_stage_pull(out, m, want_k);
			assert_int_equal(k, want_k);
			while (k > 0) {
				k--;
				assert_int_equal(pk_test_seq(m[k]), want + k);
			}
			rte_pktmbuf_free_bulk(m, want_k);
			want += want_k;
		}
	}
	assert_int_equal(pk_stage_len(out), 0);
	pk_thread_destroy(t);
	pk_stage_destroy(in);
	pk_stage_destroy(out);
}

/* Run lcore and continuation kinds fused; every packet through, counted. */
static void
run_kind_fused(struct pk_thread *t, struct pk_runner *r)
{
	struct pk_stage_stats s;
	struct pipe p;
	unsigned int i, got = 0;
	uint32_t last = UINT32_MAX;
	struct rte_mbuf *m[64];
	uint16_t k;

	pipe_build(&p, pk_stage_name(pk_thread_stage(t)), t, 1024);
	assert_int_equal(pk_thread_start(t), 0);
	assert_true(pk_thread_is_fused(t));
	for (i = 0; i < 30; i++) {
		pk_test_burst(pool, m, 30, 1 + i * 30);
		assert_int_equal(pk_stage_push(p.st[0], m, 30), 30);
		if (r != NULL)
			pk_runner_run(r, 8);
		else
			WAIT_FOR(pk_stage_len(p.st[0]) == 0);
	}
	if (r != NULL)
		pk_runner_run(r, 8);
	WAIT_FOR(pk_stage_len(p.st[4]) == 600);
	assert_int_equal(pk_thread_stop(t), 0);
	while ((k = pk_stage_pull(p.st[4], m, 64)) > 0) {
		for (i = 0; i < k; i++) {
			assert_true(last == UINT32_MAX ||
				    pk_test_seq(m[i]) > last);
			last = pk_test_seq(m[i]);
		}
		rte_pktmbuf_free_bulk(m, k);
		got += k;
	}
	assert_int_equal(got, 600); /* 900 less the multiples of 3 */
	pk_stage_stats_get(p.st[0], &s);
	assert_int_equal(s.out_pkts, 900);
	pk_stage_stats_get(p.st[1], &s);
	assert_int_equal(s.in_pkts, 900);
	assert_int_equal(s.out_pkts, 900);
	pk_stage_stats_get(p.st[2], &s);
	assert_int_equal(s.in_pkts, 900);
	assert_int_equal(s.out_pkts, 900);
	pk_stage_stats_get(p.st[3], &s);
	assert_int_equal(s.in_pkts, 900);
	assert_int_equal(s.out_pkts, 600);
	assert_int_equal(s.drops[PK_DROP_POLICY], 300);
	pk_stage_stats_get(p.st[4], &s);
	assert_int_equal(s.in_pkts, 600);
	assert_int_equal(s.out_pkts, 600);
	pipe_destroy(&p);
}

static void
test_fused_lcore_and_continuation(void **state)
{
	struct pk_thread_conf tc = { .name = "fl", .socket_id = SOCKET_ID_ANY };
	struct pk_runner *r;

	(void)state;
	run_kind_fused(pk_thread_lcore_create(&tc, worker), NULL);
	r = pk_runner_create("fr", worker, SOCKET_ID_ANY);
	assert_non_null(r);
	tc.name = "fc";
	run_kind_fused(pk_thread_continuation_create(&tc, r), r);
	pk_runner_destroy(r);
}

/* A push that takes a queue's over after the start, as a dropper does. */
static unsigned int taken_over_calls;

static uint16_t
taken_over_push(struct pk_stage *q, struct rte_mbuf **pkts, uint16_t n)
{
	taken_over_calls++;
	return pk_queue_ring_push_sp(q, pkts, n);
}

/* Move n packets from in through an entry thread; check out got them. */
static void
entry_moves(struct pk_thread *t, struct pk_stage *in, struct pk_stage *out,
	    uint16_t n)
{
	twin_push_some(pool, in, 1, n);
	assert_int_equal(pk_thread_entry_run(t), n);
	pk_test_drain_free(out, n);
}

static void
test_fused_falls_back(void **state)
{
	struct pk_thread_conf tc = { .name = "fb1", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *sc, *sp, *mc, *mp, *noop, *cnt;
	struct pk_stage_stats s;
	struct pk_thread *t;

	(void)state;
	sc = pk_queue_ring_create("fb_sc", 64, 0, 0, SOCKET_ID_ANY);
	sp = pk_queue_ring_create("fb_sp", 64, 0, 0, SOCKET_ID_ANY);
	mc = pk_queue_ring_create("fb_mc", 64, PK_QUEUE_F_MC, 0,
				  SOCKET_ID_ANY);
	mp = pk_queue_ring_create("fb_mp", 64, PK_QUEUE_F_MP, 0,
				  SOCKET_ID_ANY);
	noop = pk_stage_create("proc_noop", "fb_noop", NULL, SOCKET_ID_ANY);
	cnt = pk_stage_create("proc_counter", "fb_cnt", NULL, SOCKET_ID_ANY);

	/* a thread counting bytes: the default run */
	tc.sflags = PK_STAGE_F_BYTES;
	t = pk_thread_entry_create(&tc);
	assert_int_equal(pk_stage_link(sc, pk_thread_stage(t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t), sp), 0);
	assert_int_equal(pk_thread_start(t), 0);
	assert_false(pk_thread_is_fused(t));
	entry_moves(t, sc, sp, 20);
	pk_stage_stats_get(pk_thread_stage(t), &s);
	assert_int_equal(s.out_bytes, 20 * 64);
	pk_thread_destroy(t);

	/* SC -> SP: fused; rewired while stopped to MC -> MP: nothing to fuse */
	tc.sflags = 0;
	tc.name = "fb2";
	t = pk_thread_entry_create(&tc);
	assert_int_equal(pk_stage_link(sc, pk_thread_stage(t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t), sp), 0);
	assert_int_equal(pk_thread_start(t), 0);
	assert_true(pk_thread_is_fused(t));
	entry_moves(t, sc, sp, 20);
	/* the sink's push taken over while started: the run goes through it */
	sp->push = taken_over_push;
	entry_moves(t, sc, sp, 13);
	assert_int_equal(taken_over_calls, 1);
	sp->push = pk_queue_ring_push_sp;
	assert_int_equal(pk_thread_stop(t), 0);
	assert_int_equal(pk_stage_link(mc, pk_thread_stage(t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t), mp), 0);
	assert_int_equal(pk_thread_start(t), 0);
	assert_false(pk_thread_is_fused(t));
	entry_moves(t, mc, mp, 17);
	pk_stage_stats_get(mc, &s);
	assert_int_equal(s.out_pkts, 17);
	pk_stage_stats_get(mp, &s);
	assert_int_equal(s.in_pkts, 17);

	/* MC -> noop -> proc_counter (bytes) -> SP: the noop fused alone */
	assert_int_equal(pk_thread_stop(t), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(t), noop), 0);
	assert_int_equal(pk_stage_link(noop, cnt), 0);
	assert_int_equal(pk_stage_link(cnt, sp), 0);
	assert_int_equal(pk_thread_start(t), 0);
	assert_true(pk_thread_is_fused(t));
	entry_moves(t, mc, sp, 40);
	pk_stage_stats_get(noop, &s);
	assert_int_equal(s.in_pkts, 40);
	assert_int_equal(s.out_pkts, 40);
	pk_stage_stats_get(cnt, &s);
	assert_int_equal(s.in_pkts, 40);
	assert_int_equal(s.out_bytes, 40 * 64);
	pk_stage_stats_get(sp, &s);
	assert_int_equal(s.in_pkts, 20 + 33 + 40);
	pk_stage_stats_get(pk_thread_stage(t), &s);
	assert_int_equal(s.in_pkts, 33 + 17 + 40);
	assert_int_equal(s.out_pkts, 33 + 17 + 40);
	pk_thread_destroy(t);
	pk_stage_destroy(sc);
	pk_stage_destroy(sp);
	pk_stage_destroy(mc);
	pk_stage_destroy(mp);
	pk_stage_destroy(noop);
	pk_stage_destroy(cnt);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fused_counts_and_order_as_default,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_big_bursts_wrap,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_lcore_and_continuation,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_falls_back,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_require_cores("test_thread_fused", 2);
	pk_test_eal_init("test_thread_fused", NULL, eal);
	worker = rte_get_next_lcore(-1, 1, 0);
	pool = pk_test_pool("test_thread_fused", 4096);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
