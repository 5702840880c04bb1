/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What in_pkts means, kind by kind: the packets a stage took. A push that
 * is refused in part counts in only what was kept (the rest is counted as
 * a "full" refusal and given back); a pull counts what it brought in. So
 * pushed = in_pkts + refused for every push stage, and a packet retried
 * after a refusal is counted in once. The balance after mixed traffic:
 * test_counters_balance.c.
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

static void
test_queue_kinds_count_what_they_keep(void **state)
{
	static const char *const kinds[][2] = {
		{ "queue_ring", "size=8" },
		{ "queue_ring", "size=8,mp=1,mc=1" },
		{ "mailbox", "size=16" },
	};
	static const uint16_t holds[] = { 7, 7, 8 };
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(kinds); i++) {
		struct pk_stage *q = mk(kinds[i][0], "q", kinds[i][1]);

		push_and_check(q, holds[i], BURST - holds[i]);
		/* a retry after the refusal: counted in once, when taken */
		push_and_check(q, 0, BURST);
		pk_stage_destroy(q);
	}
}

static void
test_proc_counts_what_its_next_kept(void **state)
{
	struct pk_stage *p = mk("proc_noop", "p", NULL);
	struct pk_stage *q = mk("queue_ring", "q", "size=8");

	(void)state;
	assert_int_equal(pk_stage_link(p, q), 0);
	push_and_check(p, 7, BURST - 7);
	assert_int_equal(stats(p).out_pkts, 7);
	pk_stage_destroy(p);
	pk_stage_destroy(q);
}

static void
test_path_counts_by_tail_policy(void **state)
{
	enum pk_path_tail tails[] = { PK_PATH_TAIL_RETURN, PK_PATH_TAIL_DROP };
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(tails); i++) {
		struct pk_stage *st[2] = { mk("proc_noop", "p", NULL),
					   mk("queue_ring", "q", "size=8") };
		struct pk_path_conf conf = { .name = "path", .tail = tails[i],
					     .socket_id = SOCKET_ID_ANY };
		struct pk_path *path = pk_path_create(&conf, st, 2);

		assert_non_null(path);
		/* "drop" takes everything: its refusals are drops of its own */
		push_and_check(pk_path_stage(path),
			       tails[i] == PK_PATH_TAIL_DROP ? BURST : 7,
			       BURST - 7);
		pk_path_destroy(path);
	}
}

static void
test_demux_counts_what_its_targets_kept(void **state)
{
	struct pk_stage *miss = mk("queue_ring", "miss", "size=8");
	struct pk_demux_conf conf = { .name = "dm", .capacity = 8,
				      .socket_id = SOCKET_ID_ANY,
				      .miss = miss };
	struct pk_stage *d = pk_demux_flow_create(&conf);

	(void)state;
	assert_non_null(d);
	push_and_check(d, 7, BURST - 7); /* unmatched: to miss */
	pk_stage_destroy(d);
	pk_stage_destroy(miss);
}

static void
test_sched_counts_what_it_queued(void **state)
{
	struct pk_stage *s = mk("pktsched", "sc", "nq=1,qsize=8");
	struct rte_mbuf *out[BURST];
	uint16_t k;

	(void)state;
	/* queue 0 for all: the mbuf's own field, as rte_sched's */
	k = 8; /* the head slot and 7 in the FIFO */
	push_and_check(s, k, BURST - k);
	assert_int_equal(pk_stage_pull(s, out, BURST), k);
	assert_int_equal(stats(s).out_pkts, k);
	rte_pktmbuf_free_bulk(out, k);
	pk_stage_destroy(s);
}

static uint32_t
queue0(const struct rte_mbuf *m, void *arg)
{
	(void)m;
	(void)arg;
	return 0;
}

/* A scheduler pulling a stage queue that others push: counted in as pulled;
 * pushed through the scheduler: counted once, at the push. */
static void
test_sched_counts_stage_queues_once(void **state)
{
	struct pk_stage *s = mk("pktsched", "sc", "policy=rr");
	struct pk_stage *q = mk("queue_ring", "q", "size=64");
	struct pk_sched_queue_conf qc = { .stage = q,
					  .param = PK_SCHED_PARAM_DEFAULT };
	struct rte_mbuf *m[BURST];

	(void)state;
	assert_int_equal(pk_sched_queue_attach(s, &qc), 0);
	assert_int_equal(pk_sched_set_classifier(s, queue0, NULL), 0);
	pk_test_burst(pool, m, BURST, 0);
	assert_int_equal(pk_stage_push(q, m, BURST), BURST); /* not via s */
	assert_int_equal(stats(s).in_pkts, 0);
	assert_int_equal(pk_stage_pull(s, m, BURST), BURST);
	assert_int_equal(stats(s).in_pkts, BURST);
	rte_pktmbuf_free_bulk(m, BURST);
	push_and_check(s, BURST, 0); /* via s into q */
	assert_int_equal(pk_stage_pull(s, m, BURST), BURST);
	assert_int_equal(stats(s).in_pkts, 2 * BURST);
	assert_int_equal(stats(s).out_pkts, 2 * BURST);
	rte_pktmbuf_free_bulk(m, BURST);
	pk_stage_destroy(s);
	pk_stage_destroy(q);
}

static int
setup_port(void **state)
{
	struct pk_port_conf conf = { .mp = pool, .nb_rxd = 512,
				     .nb_txd = 512 };
	uint16_t port;

	(void)state;
	assert_int_equal(pk_port_lookup("net_null0", &port), 0);
	assert_int_equal(pk_port_setup(port, &conf), 0);
	return 0;
}

static int
close_port(void **state)
{
	uint16_t port;

	(void)state;
	assert_int_equal(pk_port_lookup("net_null0", &port), 0);
	assert_int_equal(pk_port_close(port), 0);
	pk_test_assert_pools_full();
	return 0;
}

static void
test_port_tx_and_rx(void **state)
{
	struct pk_stage *tx = mk("port_tx", "tx", "port=net_null0");
	struct pk_stage *rx = mk("port_rx", "rx", "port=net_null0");
	struct rte_mbuf *m[BURST];
	uint16_t k;

	(void)state;
	push_and_check(tx, BURST, 0); /* net_null takes all */
	k = pk_stage_pull(rx, m, BURST);
	assert_int_equal(stats(rx).in_pkts, k); /* pulled in */
	rte_pktmbuf_free_bulk(m, k);
	pk_stage_destroy(tx);
	pk_stage_destroy(rx);
}

static void
test_thread_counts_what_it_pulled(void **state)
{
	struct pk_stage *src = mk("queue_ring", "src", "size=64");
	struct pk_stage *t = mk("thread_entry", "t", NULL);
	struct pk_stage *dst = mk("queue_ring", "dst", "size=8");
	struct pk_thread *th = pk_thread_from_stage(t);
	struct rte_mbuf *m[BURST];

	(void)state;
	assert_int_equal(pk_stage_link(src, t), 0);
	assert_int_equal(pk_stage_link(t, dst), 0);
	pk_test_burst(pool, m, BURST, 0);
	assert_int_equal(pk_stage_push(src, m, BURST), BURST);
	assert_int_equal(pk_thread_start(th), 0);
	assert_int_equal(pk_thread_entry_run(th), BURST);
	/* in: pulled; out: what dst kept; the rest freed as "full" drops */
	assert_int_equal(stats(t).in_pkts, BURST);
	assert_int_equal(stats(t).out_pkts, 7);
	assert_int_equal(stats(t).drops[PK_DROP_FULL], BURST - 7);
	assert_int_equal(pk_thread_stop(th), 0);
	pk_thread_destroy(th);
	pk_stage_destroy(src);
	pk_stage_destroy(dst);
}

int
main(void)
{
	static const char *const vdevs[] = { "net_null0", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_queue_kinds_count_what_they_keep,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_proc_counts_what_its_next_kept,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_path_counts_by_tail_policy,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_demux_counts_what_its_targets_kept,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sched_counts_what_it_queued,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_sched_counts_stage_queues_once,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_port_tx_and_rx,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_thread_counts_what_it_pulled,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_counters", vdevs, NULL);
	pool = pk_test_pool("test_counters", 1024);
	rc = cmocka_run_group_tests(tests, setup_port, close_port);
	pk_test_eal_cleanup();
	return rc;
}
