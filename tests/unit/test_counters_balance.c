/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The balance: after mixed traffic (drops, refusals, packets still held),
 * in == out + drops + held for paths under both tail policies, a path to a
 * sink, a demux, a scheduler, queues, the mailbox and a thread. What
 * in_pkts means kind by kind: test_counters.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>

#include <rte_ethdev.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "counters_fixture.h"

/* in == out + drops + held, whenever no thread is inside s. */
static void
assert_balanced(const struct pk_stage *s)
{
	struct pk_stage_stats st = stats(s);
	uint64_t dropped = 0;
	unsigned int r;

	for (r = 0; r < PK_DROP_MAX; r++)
		dropped += st.drops[r];
	if (st.in_pkts != st.out_pkts + dropped + st.held)
		fail_msg("%s (%s): in %" PRIu64 " != out %" PRIu64 " + drops %"
			 PRIu64 " + held %" PRIu64, pk_stage_name(s),
			 pk_stage_kind_name(s), st.in_pkts, st.out_pkts,
			 dropped, st.held);
}

/* A burst in which every third packet expires (TTL 1), every fifth is cut
 * short (malformed) and the rest are whole. */
static void
mixed_burst(struct rte_mbuf **m, uint16_t n, uint32_t first)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		m[i] = pk_test_udp4(pool, 64, i % 3 == 0 ? 1 : 64, first + i);
		assert_non_null(m[i]);
		if (i % 5 == 0) /* Ethernet and half an IPv4 header */
			assert_int_equal(rte_pktmbuf_trim(m[i], 64 - 24), 0);
	}
}

/* Push a mixed burst into s, free what comes back, pull up to pull. */
static void
mixed_push_pull(struct pk_stage *s, struct pk_stage *puller, uint16_t pull,
		uint32_t first)
{
	struct rte_mbuf *m[BURST];
	uint16_t k;

	mixed_burst(m, BURST, first);
	k = pk_stage_push(s, m, BURST);
	rte_pktmbuf_free_bulk(&m[k], BURST - k);
	if (puller != NULL && pull > 0)
		rte_pktmbuf_free_bulk(m, pk_stage_pull(puller, m, pull));
}

/* Paths of ttl -> queue under both tail policies: drops inside, refusals
 * at the tail, packets held; every stage and the path balance. */
static void
test_balance_paths(void **state)
{
	enum pk_path_tail tails[] = { PK_PATH_TAIL_RETURN, PK_PATH_TAIL_DROP };
	unsigned int i, round;

	(void)state;
	for (i = 0; i < RTE_DIM(tails); i++) {
		struct pk_stage *st[2] = { mk("proc_ttl", "ttl", NULL),
					   mk("queue_ring", "q", "size=16") };
		struct pk_path_conf conf = { .name = "bal", .tail = tails[i],
					     .socket_id = SOCKET_ID_ANY };
		struct pk_path *path = pk_path_create(&conf, st, 2);

		assert_non_null(path);
		for (round = 0; round < 5; round++) {
			mixed_push_pull(pk_path_stage(path),
					pk_path_stage(path), 3, round * BURST);
			assert_balanced(st[0]);
			assert_balanced(st[1]);
			assert_balanced(pk_path_stage(path));
		}
		assert_true(stats(pk_path_stage(path)).held > 0);
		pk_path_destroy(path);
	}
}

/* A path whose tail is a sink that frees some (a demux: malformed frames)
 * balances too: what left it is what the sink neither freed nor holds. */
static void
test_balance_path_to_a_sink(void **state)
{
	struct pk_stage *miss = mk("queue_ring", "smiss", "size=64");
	struct pk_demux_conf conf = { .name = "sdm", .capacity = 8,
				      .socket_id = SOCKET_ID_ANY,
				      .miss = miss };
	struct pk_stage *st[2] = { mk("proc_noop", "sn", NULL),
				   pk_demux_flow_create(&conf) };
	struct pk_path_conf pc = { .name = "tosink",
				   .tail = PK_PATH_TAIL_DROP,
				   .socket_id = SOCKET_ID_ANY };
	struct pk_path *path;

	(void)state;
	assert_non_null(st[1]);
	path = pk_path_create(&pc, st, 2);
	assert_non_null(path);
	mixed_push_pull(pk_path_stage(path), miss, BURST, 0);
	assert_true(stats(st[1]).drops[PK_DROP_MALFORMED] > 0);
	assert_balanced(pk_path_stage(path));
	assert_int_equal(stats(pk_path_stage(path)).out_pkts,
			 stats(st[1]).out_pkts);
	pk_path_destroy(path);
	pk_stage_destroy(miss);
}

/* A demux that frees malformed frames, hands some to a small target and
 * gives back what neither the target nor a key takes. */
static void
test_balance_demux(void **state)
{
	struct pk_stage *miss = mk("queue_ring", "miss", "size=8");
	struct pk_demux_conf conf = { .name = "dmb", .capacity = 8,
				      .socket_id = SOCKET_ID_ANY };
	struct pk_stage *d[2];
	unsigned int i, round;

	(void)state;
	d[0] = pk_demux_flow_create(&conf);
	conf.name = "dmb2";
	conf.miss = miss;
	d[1] = pk_demux_flow_create(&conf);
	for (i = 0; i < 2; i++) {
		assert_non_null(d[i]);
		for (round = 0; round < 3; round++) {
			mixed_push_pull(d[i], miss, 2, round * BURST);
			assert_balanced(d[i]);
			assert_balanced(miss);
		}
		assert_true(stats(d[i]).drops[PK_DROP_MALFORMED] > 0);
		pk_stage_destroy(d[i]);
	}
	pk_stage_destroy(miss);
}

/* A scheduler with an internal FIFO and a stage queue: refusals, no-match,
 * packets held, and a detach that drops or hands back what it held. */
static void
test_balance_sched(void **state)
{
	struct pk_stage *s = mk("pktsched", "scb", "policy=rr,qsize=8");
	struct pk_stage *q = mk("queue_ring", "sq", "size=8");
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct rte_mbuf *m[BURST], *head;
	unsigned int round;
	int internal, staged;
	uint16_t i, k;

	(void)state;
	internal = pk_sched_queue_attach(s, &qc);
	qc.stage = q;
	staged = pk_sched_queue_attach(s, &qc);
	assert_true(internal >= 0 && staged >= 0);
	for (round = 0; round < 4; round++) {
		pk_test_burst(pool, m, BURST, round * BURST);
		for (i = 0; i < BURST; i++) /* 0, 1, and 7 (no such queue) */
			m[i]->hash.sched.queue_id = i % 4 == 3 ? 7 : i % 2;
		k = pk_stage_push(s, m, BURST);
		rte_pktmbuf_free_bulk(&m[k], BURST - k);
		pk_test_burst(pool, m, 4, 1000 + round); /* into q, not via s */
		k = pk_stage_push(q, m, 4);
		rte_pktmbuf_free_bulk(&m[k], 4 - k);
		rte_pktmbuf_free_bulk(m, pk_stage_pull(s, m, 5));
		assert_balanced(s);
	}
	assert_true(stats(s).held > 0);
	assert_int_equal(pk_sched_queue_detach(s, staged, &head), 0);
	rte_pktmbuf_free(head);
	assert_balanced(s);
	assert_int_equal(pk_sched_queue_detach(s, internal, NULL), 0);
	assert_balanced(s);
	assert_int_equal(stats(s).held, 0);
	pk_stage_destroy(s);
	pk_stage_destroy(q);
}

/* Queues, the mailbox, a thread whose next refuses: each balances. */
static void
test_balance_queues_and_thread(void **state)
{
	struct pk_stage *src = mk("queue_ring", "bsrc", "size=64,mp=1");
	struct pk_stage *mb = mk("mailbox", "bmb", "size=16");
	struct pk_stage *t = mk("thread_entry", "bt", NULL);
	struct pk_stage *dst = mk("queue_ring", "bdst", "size=8");
	struct pk_thread *th = pk_thread_from_stage(t);
	unsigned int round;

	(void)state;
	assert_int_equal(pk_stage_link(src, t), 0);
	assert_int_equal(pk_stage_link(t, dst), 0);
	assert_int_equal(pk_thread_start(th), 0);
	for (round = 0; round < 4; round++) {
		mixed_push_pull(src, NULL, 0, round * BURST);
		mixed_push_pull(mb, mb, 5, round * BURST);
		assert_true(pk_thread_entry_run(th) >= 0);
		mixed_push_pull(dst, dst, 3, round * BURST);
		assert_balanced(src);
		assert_balanced(mb);
		assert_balanced(t);
		assert_balanced(dst);
	}
	assert_int_equal(pk_thread_stop(th), 0);
	pk_thread_destroy(th);
	pk_stage_destroy(src);
	pk_stage_destroy(mb);
	pk_stage_destroy(dst);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_balance_paths,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_balance_path_to_a_sink,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_balance_demux,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_balance_sched,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_balance_queues_and_thread,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_counters_balance", NULL, NULL);
	pool = pk_test_pool("test_counters_balance", 1024);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
