/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_tee's sink changed while another lcore pushes through the tee:
 * attached, swapped for another and detached, 200 times, each at a random
 * point of the pusher's loop. Once pk_tee_set_sink() returned, the old sink
 * is never pushed into again (its counters are read then and at the end);
 * the tee's copies add up to what the sinks took, its out to what was
 * pushed. Pools full at the end. (Without the wait in pk_tee_set_sink(),
 * this test fails: a burst in flight pushes into the old sink.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool, *cpool;

#define SWAPS 200

struct pusher {
	struct pk_stage *tee, *out;
	uint64_t pushed;  /* atomic */
	uint32_t stop;    /* atomic */
};

static int
pusher_main(void *arg)
{
	struct pusher *p = arg;
	struct rte_mbuf *m[32];
	uint16_t k;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		pk_test_burst(pool, m, 32, 0);
		k = pk_stage_push(p->tee, m, 32);
		rte_pktmbuf_free_bulk(&m[k], 32 - k);
		__atomic_fetch_add(&p->pushed, k, __ATOMIC_RELEASE);
		while ((k = pk_stage_pull(p->out, m, 32)) != 0)
			rte_pktmbuf_free_bulk(m, k);
	}
	return 0;
}

/* The sink changes under a pusher; no old sink is pushed into after. */
static void
test_swap_while_pushing(void **state)
{
	static struct pk_stage *old[SWAPS];
	struct pusher p = { .stop = 0 };
	struct pk_stage *cur = NULL, *next;
	uint64_t seen = 0, target, deadline;
	struct pk_stage_stats st;
	struct pk_tee_stats ts;
	uint64_t taken[SWAPS];
	unsigned int worker, i, nold = 0;

	(void)state;
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		skip();
	}
	p.out = pk_test_ring("out", 64);
	p.tee = pk_tee_create("tee", NULL, cpool, 0, 0, SOCKET_ID_ANY);
	assert_non_null(p.tee);
	assert_int_equal(pk_stage_link(p.tee, p.out), 0);
	assert_int_equal(rte_eal_remote_launch(pusher_main, &p, worker), 0);
	for (i = 0; i < SWAPS; i++) {
		next = i % 4 == 3 ? NULL : pk_test_ring("sniff", 256);
		/* let a few bursts through with the current sink */
		target = __atomic_load_n(&p.pushed, __ATOMIC_ACQUIRE) + 64;
		deadline = rte_get_timer_cycles() + rte_get_timer_hz();
		while (__atomic_load_n(&p.pushed, __ATOMIC_ACQUIRE) < target &&
		       rte_get_timer_cycles() < deadline)
			rte_pause();
		rte_delay_us_block(i % 16); /* land anywhere in its loop */
		assert_int_equal(pk_tee_set_sink(p.tee, next), 0);
		if (cur != NULL) { /* ours now: nobody pushes into it again */
			assert_int_equal(pk_stage_stats_get(cur, &st), 0);
			taken[nold] = st.in_pkts + st.refused[PK_DROP_FULL];
			seen += st.in_pkts;
			pk_test_drain_free(cur, st.in_pkts);
			old[nold++] = cur; /* kept to the end, to look at */
		}
		cur = next;
	}
	assert_null(cur); /* the last swap detached */
	rte_delay_ms(20); /* the pusher goes on without a sink */
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);
	for (i = 0; i < nold; i++) {
		assert_int_equal(pk_stage_stats_get(old[i], &st), 0);
		assert_int_equal(st.in_pkts + st.refused[PK_DROP_FULL],
				 taken[i]);
		pk_test_drain_free(old[i], 0);
		pk_stage_destroy(old[i]);
	}
	assert_int_equal(pk_tee_stats_get(p.tee, &ts), 0);
	assert_int_equal(ts.copied, seen);
	assert_int_equal(ts.lost_nomem, 0);
	assert_int_equal(pk_stage_stats_get(p.tee, &st), 0);
	assert_int_equal(st.out_pkts, p.pushed);
	assert_true(ts.copied + ts.lost_full <= st.out_pkts);
	print_message("%" PRIu64 " pushed, %" PRIu64 " copied, %" PRIu64
		      " lost (full)\n", st.out_pkts, ts.copied, ts.lost_full);
	pk_test_drain_free(p.out, 0);
	pk_stage_destroy(p.tee);
	pk_stage_destroy(p.out);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_swap_while_pushing,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_tee_swap", NULL, eal);
	pool = pk_test_pool("test_tee_swap", 1024);
	cpool = pk_test_pool("test_tee_swap_copy", 1024);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
