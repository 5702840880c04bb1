/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fused run with ethdev ends (struct pk_thread_fused): a thread whose
 * source is a port_rx and whose sink is a port_tx receives and sends on the
 * queues itself. Covered, on net_ring loopbacks (what a port's TX sends,
 * its RX receives): every counter of every stage and the packets' order
 * come out as a twin run by the default run leaves them, through bursts of
 * every size, TX refusals (the sink's ring full: "full" on the port_tx's in,
 * freed and "full" on the thread's out), with and without a processing
 * stage between; the port_tx's push taken over after the start is pushed
 * through; pk_port_queue_of() tells port stages by direction and refuses
 * byte-counting ones and other kinds (the plan then pulls or pushes them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_thread_driver.h>

#include "pk_test.h"
#include "twin_fixture.h"

#define NB_PORTS 4

static struct rte_mempool *pool;
static uint16_t port[NB_PORTS]; /* net_ring0..3 */

/* port_rx(in) -> thread [-> proc_noop] -> port_tx(out), linked by hand. */
struct pipe {
	struct pk_stage *rx, *noop, *tx;
	struct pk_thread *t;
	uint16_t in, out;
};

static void
pipe_build(struct pipe *p, const char *tag, bool fused, bool noop,
	   uint16_t in, uint16_t out)
{
	struct pk_thread_conf tc = { .burst = 8, .budget = 24,
				     .socket_id = SOCKET_ID_ANY };
	char name[32];

	p->in = in;
	p->out = out;
	tc.name = tag;
	tc.fn = fused ? NULL : twin_run_unfused;
	p->t = pk_thread_entry_create(&tc);
	snprintf(name, sizeof(name), "%s_rx", tag);
	p->rx = pk_port_rx_create(name, port[in], 0, 0);
	snprintf(name, sizeof(name), "%s_tx", tag);
	p->tx = pk_port_tx_create(name, port[out], 0, 0);
	assert_non_null(p->t);
	assert_non_null(p->rx);
	assert_non_null(p->tx);
	p->noop = NULL;
	assert_int_equal(pk_stage_link(p->rx, pk_thread_stage(p->t)), 0);
	if (noop) {
		snprintf(name, sizeof(name), "%s_noop", tag);
		p->noop = pk_stage_create("proc_noop", name, NULL,
					  SOCKET_ID_ANY);
		assert_non_null(p->noop);
		assert_int_equal(pk_stage_link(pk_thread_stage(p->t), p->noop),
				 0);
		assert_int_equal(pk_stage_link(p->noop, p->tx), 0);
	} else {
		assert_int_equal(pk_stage_link(pk_thread_stage(p->t), p->tx),
				 0);
	}
	assert_int_equal(pk_thread_start(p->t), 0);
	assert_int_equal(pk_thread_is_fused(p->t), fused);
}

static void
pipe_destroy(struct pipe *p)
{
	pk_thread_destroy(p->t);
	pk_stage_destroy(p->rx);
	pk_stage_destroy(p->tx);
	pk_stage_destroy(p->noop);
}

/* Send n fresh packets (seq from first) on port p's TX: its RX gets them. */
static void
feed(uint16_t p, uint32_t first, uint16_t n)
{
	struct rte_mbuf *m[64];
	uint16_t k;

	pk_test_burst(pool, m, n, first);
	k = rte_eth_tx_burst(port[p], 0, m, n);
	rte_pktmbuf_free_bulk(&m[k], n - k);
}

/* Receive everything on a's and b's out ports: the same packets, in order. */
static uint64_t
drain_same(const struct pipe *a, const struct pipe *b)
{
	struct rte_mbuf *ma[32], *mb[32];
	uint64_t got = 0;
	uint16_t ka, kb, i;

	do {
		ka = rte_eth_rx_burst(port[a->out], 0, ma, 32);
		kb = rte_eth_rx_burst(port[b->out], 0, mb, 32);
		assert_int_equal(ka, kb);
		for (i = 0; i < ka; i++)
			assert_int_equal(pk_test_seq(ma[i]),
					 pk_test_seq(mb[i]));
		rte_pktmbuf_free_bulk(ma, ka);
		rte_pktmbuf_free_bulk(mb, kb);
		got += ka;
	} while (ka != 0);
	return got;
}

/* a fused and b by the default run, fed alike: everything comes out alike. */
static void
run_twins(bool noop)
{
	struct pk_thread_stats tsa, tsb;
	struct pk_stage_stats s;
	struct pipe a, b;
	uint32_t seq = 1;
	uint64_t got = 0;
	unsigned int i, j;
	int na, nb;

	pipe_build(&a, noop ? "pa" : "da", true, noop, 0, 1);
	pipe_build(&b, noop ? "pb" : "db", false, noop, 2, 3);
	for (i = 0; i < 600; i++) {
		/* 1..40 at a time: bursts of every tail size */
		uint16_t n = (uint16_t)(1 + (i * 7) % 40);

		feed(a.in, seq, n);
		feed(b.in, seq, n);
		seq += n;
		for (j = 0; j < 1 + i % 3; j++) {
			na = pk_thread_entry_run(a.t);
			nb = pk_thread_entry_run(b.t);
			assert_int_equal(na, nb);
		}
		/* drained now and then: the out rings fill, TX refuses */
		if (i % 150 == 149)
			got += drain_same(&a, &b);
	}
	do {
		na = pk_thread_entry_run(a.t);
		nb = pk_thread_entry_run(b.t);
		assert_int_equal(na, nb);
	} while (na > 0);
	got += drain_same(&a, &b);
	assert_true(got > 0);

	twin_assert_equal(a.rx, b.rx, TWIN_BYTES);
	twin_assert_equal(a.tx, b.tx, TWIN_BYTES);
	twin_assert_equal(pk_thread_stage(a.t), pk_thread_stage(b.t),
			  TWIN_BYTES);
	if (noop)
		twin_assert_equal(a.noop, b.noop, TWIN_BYTES);
	pk_stage_stats_get(a.tx, &s);
	assert_int_equal(s.in_pkts, got);
	assert_true(s.refused[PK_DROP_FULL] > 0); /* the refusals were run */
	pk_stage_stats_get(pk_thread_stage(a.t), &s);
	assert_true(s.drops[PK_DROP_FULL] > 0);
	assert_int_equal(s.in_pkts, got + s.drops[PK_DROP_FULL]);
	assert_int_equal(pk_thread_stats_get(a.t, &tsa), 0);
	assert_int_equal(pk_thread_stats_get(b.t, &tsb), 0);
	assert_int_equal(tsa.pkts, tsb.pkts);
	assert_int_equal(tsa.runs, tsb.runs);
	pipe_destroy(&a);
	pipe_destroy(&b);
}

static void
test_fused_ports_as_default(void **state)
{
	(void)state;
	run_twins(false);
}

static void
test_fused_ports_proc_as_default(void **state)
{
	(void)state;
	run_twins(true);
}

static int taken_over_calls;

/* Refuses everything, as a push that replaced the port_tx's might. */
static uint16_t
taken_over_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	(void)s;
	(void)pkts;
	(void)n;
	taken_over_calls++;
	return 0;
}

static void
test_fused_port_sink_taken_over(void **state)
{
	struct pk_stage_stats s;
	pk_stage_push_t push;
	struct pipe a;

	(void)state;
	pipe_build(&a, "to", true, false, 0, 1);
	push = a.tx->push;
	feed(0, 1, 20);
	assert_int_equal(pk_thread_entry_run(a.t), 20);
	a.tx->push = taken_over_push;
	feed(0, 21, 13);
	assert_int_equal(pk_thread_entry_run(a.t), 13);
	assert_int_equal(taken_over_calls, 2); /* bursts of 8: 8 and 5 */
	a.tx->push = push;
	pk_stage_stats_get(a.tx, &s);
	assert_int_equal(s.in_pkts, 20); /* the other push counted nothing */
	pk_stage_stats_get(pk_thread_stage(a.t), &s);
	assert_int_equal(s.in_pkts, 33);
	assert_int_equal(s.drops[PK_DROP_FULL], 13);
	pk_stage_stats_get(a.rx, &s);
	assert_int_equal(s.in_pkts, 33);
	assert_int_equal(s.out_pkts, 33);
	pipe_destroy(&a);
	{
		struct rte_mbuf *m[32];
		uint16_t n = rte_eth_rx_burst(port[1], 0, m, 32);

		assert_int_equal(n, 20);
		rte_pktmbuf_free_bulk(m, n);
	}
}

static void
test_port_queue_of(void **state)
{
	struct pk_stage *rx = pk_port_rx_create("qo_rx", port[1], 0, 0);
	struct pk_stage *tx = pk_port_tx_create("qo_tx", port[2], 0, 0);
	struct pk_stage *rxb = pk_port_rx_create("qo_rxb", port[1], 0,
						 PK_STAGE_F_BYTES);
	struct pk_stage *q = pk_queue_ring_create("qo_q", 64, 0, 0,
						  SOCKET_ID_ANY);
	uint16_t p = 0xffff, qid = 0xffff;

	(void)state;
	assert_true(pk_port_queue_of(rx, true, &p, &qid));
	assert_int_equal(p, port[1]);
	assert_int_equal(qid, 0);
	assert_false(pk_port_queue_of(rx, false, &p, &qid));
	assert_true(pk_port_queue_of(tx, false, &p, &qid));
	assert_int_equal(p, port[2]);
	assert_false(pk_port_queue_of(tx, true, &p, &qid));
	assert_false(pk_port_queue_of(rxb, true, &p, &qid));
	assert_false(pk_port_queue_of(q, true, &p, &qid));
	assert_false(pk_port_queue_of(q, false, &p, &qid));
	assert_false(pk_port_queue_of(NULL, true, &p, &qid));
	pk_stage_destroy(rx);
	pk_stage_destroy(tx);
	pk_stage_destroy(rxb);
	pk_stage_destroy(q);
}

static int
setup_ports(void **state)
{
	struct pk_port_conf conf = { .mp = pool, .nb_rxd = 512,
				     .nb_txd = 512 };
	char name[16];
	unsigned int i;

	(void)state;
	for (i = 0; i < NB_PORTS; i++) {
		snprintf(name, sizeof(name), "net_ring%u", i);
		assert_int_equal(pk_port_lookup(name, &port[i]), 0);
		assert_int_equal(pk_port_setup(port[i], &conf), 0);
	}
	return 0;
}

static int
close_ports(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < NB_PORTS; i++)
		assert_int_equal(pk_port_close(port[i]), 0);
	pk_test_assert_pools_full();
	return 0;
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", "net_ring1",
					     "net_ring2", "net_ring3", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fused_ports_as_default,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_ports_proc_as_default,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fused_port_sink_taken_over,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_port_queue_of,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_thread_fused_port", vdevs, NULL);
	pool = pk_test_pool("test_thread_fused_port", 8192);
	rc = cmocka_run_group_tests(tests, setup_ports, close_ports);
	pk_test_eal_cleanup();
	return rc;
}
