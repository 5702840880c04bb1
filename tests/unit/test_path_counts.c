/* SPDX-License-Identifier: BSD-3-Clause */
/* Path counters: a path whose head takes several pushers counts atomically
 * and exactly; a path that counts no bytes (in read from its head, out
 * derived) reads as its fully counting twin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "twin_fixture.h"

static struct rte_mempool *pool;

#include "path_fixture.h"

#define MT_BURSTS 20000u

static int
mt_push_bursts(void *arg)
{
	struct pk_stage *ps = arg;
	struct rte_mbuf *m[4];
	unsigned int i;

	for (i = 0; i < MT_BURSTS; i++) {
		while (rte_pktmbuf_alloc_bulk(pool, m, 4) != 0)
			rte_pause(); /* the drain gives them back */
		pk_stage_push(ps, m, 4); /* tail drop: takes all */
	}
	return 0;
}

/* A path whose head is an MP queue takes pushes from several lcores; its
 * own counters are then atomic and exact. One that ends in a single-
 * producer stage does not claim that. */
static void
test_mt_push_into_path(void **state)
{
	struct pk_stage *q = mk("queue_ring", "qmp", "size=256,mp=1");
	struct pk_stage *st[1] = { q };
	struct pk_path *p = mk_path("mt", PK_PATH_TAIL_DROP, st, 1);
	struct pk_stage *st2[2] = { mk("proc_noop", "n", NULL),
				    mk("queue_ring", "q2", "mp=1") };
	struct pk_path *p2 = mk_path("st", PK_PATH_TAIL_DROP, st2, 2);
	struct pk_stage_stats ps, qs;
	struct rte_mbuf *m[32];
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	int done = 0;

	(void)state;
	assert_true(pk_path_stage(p)->caps & PK_STAGE_CAP_MT_PUSH);
	assert_false(pk_path_stage(p2)->caps & PK_STAGE_CAP_MT_PUSH);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		pk_path_destroy(p);
		pk_path_destroy(p2);
		skip();
	}
	assert_int_equal(rte_eal_remote_launch(mt_push_bursts,
					       pk_path_stage(p), worker), 0);
	while (!done) {
		done = rte_eal_get_lcore_state(worker) != RUNNING;
		/* the main lcore pushes too, and drains */
		if (rte_pktmbuf_alloc_bulk(pool, m, 4) == 0)
			pk_stage_push(pk_path_stage(p), m, 4);
		rte_pktmbuf_free_bulk(m, pk_stage_pull(q, m, 32));
	}
	rte_eal_wait_lcore(worker);
	rte_pktmbuf_free_bulk(m, pk_stage_pull(q, m, 32));
	pk_stage_stats_get(pk_path_stage(p), &ps);
	pk_stage_stats_get(q, &qs);
	assert_int_equal(ps.in_pkts, qs.in_pkts + qs.refused[PK_DROP_FULL]);
	assert_int_equal(ps.drops[PK_DROP_FULL], qs.refused[PK_DROP_FULL]);
	assert_true(ps.in_pkts >= 4 * MT_BURSTS);
	pk_path_destroy(p);
	pk_path_destroy(p2);
}

/* A path and processing stages that count no bytes keep fewer counters (in
 * read from the head, out derived): each figure must be the one the fully
 * counting twin reads, through drops, refusals, pulls, a reset; both tails. */
static struct pk_stage *
mk_twin(const char *kind, char tag, unsigned int tail, unsigned int t)
{
	char name[16];

	snprintf(name, sizeof(name), "%c%u.%u", tag, tail, t);
	return mk(kind, name, kind[0] == 'q' ? "size=8" : t ? "bytes=1" : NULL);
}

static void
test_uncounted_path_reads_as_counted(void **state)
{
	struct pk_path_conf conf = { .name = "u", .socket_id = SOCKET_ID_ANY };
	struct pk_stage *st[2][3], *ps[2];
	struct rte_mbuf *m[8], *out[8];
	struct pk_stage_stats z;
	struct pk_path *p[2];
	unsigned int tail, t, i, k, round;

	(void)state;
	for (tail = PK_PATH_TAIL_RETURN; tail <= PK_PATH_TAIL_DROP; tail++) {
		for (t = 0; t < 2; t++) { /* 0: uncounted, 1: counted twin */
			st[t][0] = mk_twin("proc_ttl", 't', tail, t);
			st[t][1] = mk_twin("proc_noop", 'n', tail, t);
			st[t][2] = mk_twin("queue_ring", 'q', tail, t);
			conf.tail = tail;
			conf.flags = t ? PK_STAGE_F_BYTES : 0;
			p[t] = pk_path_create(&conf, st[t], 3);
			assert_non_null(p[t]);
			ps[t] = pk_path_stage(p[t]);
		}
		for (round = 0; round < 3; round++) {
			for (t = 0; t < 2; t++) {
				for (i = 0; i < 8; i++) /* 1 and 4 expire */
					m[i] = pk_test_udp4(pool, 64,
						(i == 1 || i == 4) ? 1 : 9, i);
				k = pk_stage_push(ps[t], m, 8);
				rte_pktmbuf_free_bulk(&m[k], 8 - k);
				if (round == 1) /* the queue has room again */
					rte_pktmbuf_free_bulk(out,
						pk_stage_pull(ps[t], out, 5));
			}
			twin_assert_equal(ps[0], ps[1], 0);
			for (i = 0; i < 3; i++)
				twin_assert_equal(st[0][i], st[1][i], 0);
		}
		pk_stage_stats_reset(ps[0]);
		pk_stage_stats_reset(ps[1]);
		assert_int_equal(pk_stage_stats_get(ps[0], &z), 0);
		assert_int_equal(z.in_pkts + z.refused[PK_DROP_FULL], 0);
		twin_assert_equal(ps[0], ps[1], 0);
		twin_assert_equal(st[0][0], st[1][0], 0);
		pk_path_destroy(p[0]);
		pk_path_destroy(p[1]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mt_push_into_path,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_uncounted_path_reads_as_counted,
					  pk_test_teardown_pools_full),
	};
	int rc;

	static const char *const eal[] = { "-l", "0,1", NULL };

	pk_test_eal_init("test_path_counts", NULL, eal);
	pool = pk_test_pool("test_path_counts", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
