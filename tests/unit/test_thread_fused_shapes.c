/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fused run's shapes: pk_thread_start() gives a thread whose plan goes
 * from an SC queue_ring to an SP queue_ring through 0, 1 or 2 processing
 * stages a run compiled for that shape, and any other plan (3 stages, a
 * source that is not a ring) the general one. Covered, for each shape, with
 * processing stages that count out (PK_STAGE_F_COUNT_OUT) and that do not:
 * the thread is fused; every counter of every stage, what each run returns and
 * the packets' order come out as a twin run by the default start function
 * leaves them, with drops in processing and refusals by a full sink (whose
 * packets the processing stages had kept). Edges switched while a fused
 * thread runs: test_capture_edge, test_thread_fused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_thread_driver.h>

#include "pk_test.h"
#include "twin_fixture.h"

#define SHAPE_MAX_PROCS 3

static struct rte_mempool *pool;

/* Keeps every packet. */
static uint16_t
keep_all(struct pk_stage *s, struct pk_stage_counters *c,
	 struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	RTE_SET_USED(s);
	RTE_SET_USED(c);
	RTE_SET_USED(pkts);
	RTE_SET_USED(arg);
	return n;
}

/*
 * in -> thread -> np processing stages (twin_drop_thirds first, then keep_all)
 * -> out. Bit i of out_mask: stage i counts out (PK_STAGE_F_COUNT_OUT;
 * the others' out is derived from in and drops). With mc_in, the source is
 * an MC queue_ring: not dequeued by the plan, pulled through its stage.
 */
struct shape {
	struct pk_stage *st[SHAPE_MAX_PROCS + 3];
	unsigned int nb;
	struct pk_thread *t;
};

static void
shape_build(struct shape *p, const char *tag, pk_thread_fn fn,
	    unsigned int np, uint32_t out_mask, bool mc_in)
{
	struct pk_thread_conf tc = {
		.burst = 8, .budget = 24, .socket_id = SOCKET_ID_ANY,
		.name = tag, .fn = fn,
	};
	char name[32];
	unsigned int i;

	p->nb = np + 3;
	p->t = pk_thread_entry_create(&tc);
	assert_non_null(p->t);
	snprintf(name, sizeof(name), "%s_in", tag);
	p->st[0] = pk_queue_ring_create(name, 64, mc_in ? PK_QUEUE_F_MC : 0,
					0, SOCKET_ID_ANY);
	p->st[1] = pk_thread_stage(p->t);
	for (i = 0; i < np; i++) {
		snprintf(name, sizeof(name), "%s_p%u", tag, i);
		p->st[2 + i] = pk_proc_create(name,
			i == 0 ? twin_drop_thirds : keep_all, NULL,
			out_mask & (1u << i) ? PK_STAGE_F_COUNT_OUT : 0,
			SOCKET_ID_ANY);
	}
	snprintf(name, sizeof(name), "%s_out", tag);
	p->st[p->nb - 1] = pk_queue_ring_create(name, 16, 0, 0, SOCKET_ID_ANY);
	for (i = 0; i < p->nb; i++)
		assert_non_null(p->st[i]);
	for (i = 0; i + 1 < p->nb; i++)
		assert_int_equal(pk_stage_link(p->st[i], p->st[i + 1]), 0);
	assert_int_equal(pk_thread_start(p->t), 0);
}

static void
shape_destroy(struct shape *p)
{
	unsigned int i;

	pk_thread_destroy(p->t);
	for (i = 0; i < p->nb; i++)
		if (i != 1)
			pk_stage_destroy(p->st[i]);
}

/* One shape: fused a against default b, packet for packet, count for count. */
static void
shape_check(unsigned int np, uint32_t out_mask, bool mc_in)
{
	struct shape a, b;
	struct pk_stage_stats s;
	struct pk_thread_stats tsa, tsb;
	uint32_t seq = 1, last = UINT32_MAX;
	unsigned int i, j, pulled = 0;
	int na, nb;

	shape_build(&a, "sa", NULL, np, out_mask, mc_in);
	shape_build(&b, "sb", twin_run_unfused, np, out_mask, mc_in);
	assert_true(pk_thread_is_fused(a.t));
	assert_false(pk_thread_is_fused(b.t));
	for (i = 0; i < 300; i++) {
		uint16_t n = (uint16_t)(1 + (i * 7) % 40);

		twin_push_some(pool, a.st[0], seq, n);
		twin_push_some(pool, b.st[0], seq, n);
		seq += n;
		for (j = 0; j < i % 3; j++) {
			na = pk_thread_entry_run(a.t);
			nb = pk_thread_entry_run(b.t);
			assert_int_equal(na, nb);
		}
		pulled += twin_pull_same(a.st[a.nb - 1], b.st[b.nb - 1],
				    i % 3 ? 3 : 64, np != 0, &last);
	}
	for (i = 0; i < a.nb; i++)
		twin_assert_equal(a.st[i], b.st[i], TWIN_BALANCE);
	pk_thread_stats_get(a.t, &tsa);
	pk_thread_stats_get(b.t, &tsb);
	assert_int_equal(tsa.runs, tsb.runs);
	assert_int_equal(tsa.idle_runs, tsb.idle_runs);
	assert_int_equal(tsa.pkts, tsb.pkts);
	/* the cases were exercised: sink refusals, drops in processing */
	pk_stage_stats_get(a.st[a.nb - 1], &s);
	assert_true(s.refused[PK_DROP_FULL] > 0);
	pk_stage_stats_get(a.st[1], &s);
	assert_true(s.drops[PK_DROP_FULL] > 0);
	if (np != 0) {
		pk_stage_stats_get(a.st[2], &s);
		assert_true(s.drops[PK_DROP_POLICY] > 0);
		assert_true(s.refused[PK_DROP_FULL] > 0);
	}
	shape_destroy(&a);
	shape_destroy(&b);
	assert_true(pulled > 1000);
}

static void
test_fused_rings_0(void **state)
{
	(void)state;
	shape_check(0, 0, false);
}

static void
test_fused_rings_1(void **state)
{
	(void)state;
	shape_check(1, 0, false);
}

static void
test_fused_rings_1_out(void **state)
{
	(void)state;
	shape_check(1, 1, false);
}

static void
test_fused_rings_2(void **state)
{
	(void)state;
	shape_check(2, 2, false);
}

static void
test_fused_general_3(void **state)
{
	(void)state;
	shape_check(3, 5, false);
}

static void
test_fused_general_mc_source(void **state)
{
	(void)state;
	shape_check(1, 1, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fused_rings_0,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_rings_1,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_rings_1_out,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_rings_2,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_general_3,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_general_mc_source,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_thread_fused_shapes", NULL, NULL);
	pool = pk_test_pool("test_thread_fused_shapes", 4096);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
