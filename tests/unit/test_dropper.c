/* SPDX-License-Identifier: BSD-3-Clause */
/* Droppers (pk_dropper.h) deciding: RED decides packet for packet as
 * rte_red_enqueue() with the same seed, and between the thresholds drops
 * the fraction its formula gives; above max_th it drops every packet,
 * below min_th none; an idle queue's average decays as rte_red's tables
 * say; PIE on a fake clock raises its drop probability under a standing
 * delay and lowers it when the delay falls; a full queue gives back the
 * tail in order beside the dropped. Other queue kinds, setting and
 * arguments: test_dropper_conf.c.
 * Every test checks conservation (pushed = queued + dropped by reason +
 * refused + pulled) and that the pools are full at the end. No timing:
 * every clock is fake and every random number seeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_random.h>
#include <rte_red.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_queue_worker.h>

#include "pk_test.h"
#include "dropper_fixture.h"

#define RED_SEED 12345
#define RED_PKTS 20000
#define RED_L 64

/*
 * A standing queue of 64 between min_th 32 and max_th 96, maxp 1/10: each
 * decision is rte_red_enqueue()'s on the same lengths with its global
 * random number seeded as the dropper's, and once the average has settled
 * the fraction dropped is near pb / (1 + pb / 2), pb = (64 - 32) / 64 /
 * 10 (rte_red spreads drops evenly over 2 / pb packets).
 */
static void
test_red_between_thresholds_as_rte_red(void **state)
{
	struct pk_dropper_conf c = red_conf(32, 96, 10, 9);
	struct rte_red_config ref_cfg;
	struct rte_red ref = { 0 };
	struct tally t = { 0 };
	unsigned int i, q, late = 0, late_n = 0;
	double pb = (RED_L - 32) / 64.0 / 10, expect;
	struct pk_stage *s;
	int mine, theirs;

	(void)state;
	s = pk_queue_ring_create("red_mid", 1024, 0, 0, SOCKET_ID_ANY);
	assert_non_null(s);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	assert_false(pk_queue_ring_is_sp(s)); /* no inline push past it */
	assert_int_equal(rte_red_config_init(&ref_cfg, 9, 32, 96, 10), 0);
	rte_red_rand_seed = RED_SEED; /* as the dropper seeds its own */
	rte_red_rand_val = rte_fast_rand();
	for (i = 0; i < RED_PKTS; i++) {
		q = pk_stage_len(s);
		assert_int_equal(push_one(s, &t), 1);
		mine = pk_stage_len(s) == q; /* taken and dropped */
		if (q == 0) /* the empty rule: never drops */
			ref.count++;
		theirs = q == 0 ? 0 : rte_red_enqueue(&ref_cfg, &ref, q, 0);
		assert_int_equal(mine, theirs != 0);
		if (i >= RED_PKTS / 2) {
			late += mine;
			late_n++;
		}
		if (pk_stage_len(s) > RED_L)
			pull_free(s, 1, &t);
	}
	expect = pb / (1 + pb / 2) * late_n;
	print_message("red: %u of %u dropped, formula %.0f\n", late, late_n,
		      expect);
	assert_true(late > expect * 0.85 && late < expect * 1.15);
	assert_conserved(s, &t, PK_DROP_RED);
	pk_stage_destroy(s); /* frees the standing 64 and the dropper */
}

/* Held above max_th, every packet is dropped once the average is there. */
static void
test_red_above_max_drops_all(void **state)
{
	struct pk_dropper_conf c = red_conf(8, 16, 10, 1);
	struct pk_dropper_info info;
	struct tally t = { 0 };
	struct pk_stage *s;
	unsigned int len;
	uint64_t before;
	int i;

	(void)state;
	s = pk_queue_ring_create("red_max", 256, 0, 0, SOCKET_ID_ANY);
	assert_non_null(s);
	for (i = 0; i < 32; i++)
		push_one(s, &t);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	push_burst(s, 32, &t); /* the average climbs (weight 1/2) */
	assert_int_equal(pk_dropper_info_get(s, &info), 0);
	assert_int_equal(info.kind, PK_DROPPER_RED);
	assert_true(info.red_avg > 16);
	len = pk_stage_len(s);
	for (i = 0; i < 10; i++) {
		before = drops(s, PK_DROP_RED);
		assert_int_equal(push_burst(s, 32, &t), 32); /* all taken */
		assert_int_equal(drops(s, PK_DROP_RED) - before, 32);
		assert_int_equal(pk_stage_len(s), len);
	}
	assert_conserved(s, &t, PK_DROP_RED);
	pk_stage_destroy(s);
}

/* Held below min_th, nothing is dropped, whatever the bursts. */
static void
test_red_below_min_drops_none(void **state)
{
	struct pk_dropper_conf c = red_conf(64, 128, 1, 4);
	struct tally t = { 0 };
	struct pk_stage *s;
	int i;

	(void)state;
	s = pk_queue_ring_create("red_min", 256, 0, 0, SOCKET_ID_ANY);
	assert_non_null(s);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	for (i = 0; i < 500; i++) { /* between 16 and 48 held */
		assert_int_equal(push_burst(s, 32, &t), 32);
		pull_free(s, pk_stage_len(s) - 16, &t);
	}
	assert_int_equal(drops(s, PK_DROP_RED), 0);
	assert_conserved(s, &t, PK_DROP_RED);
	pk_stage_destroy(s);
}

/*
 * A push into an empty queue decays the average by (1 - wq)^m, m the
 * packet times (pkt_ns) since the previous push, from rte_red's tables;
 * no time, no decay; 2^16 packet times or more, none left.
 */
static void
test_red_idle_decay(void **state)
{
	struct pk_dropper_conf c = red_conf(200, 400, 10, 4);
	uint64_t now = 1000, pkt = rte_get_tsc_hz() / 1000000; /* 1 us */
	struct pk_dropper_info a, b;
	struct tally t = { 0 };
	struct pk_stage *s;

	(void)state;
	c.red.pkt_ns = 1000;
	c.clock = fake_clock;
	c.clock_arg = &now;
	s = pk_queue_ring_create("red_idle", 256, 0, 0, SOCKET_ID_ANY);
	assert_non_null(s);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	standing(s, 40, 400, &t);
	pk_dropper_info_get(s, &a);
	assert_true(fabs(a.red_avg - 40) < 1);

	pull_free(s, 40, &t); /* empty; no time passes */
	push_one(s, &t);
	pk_dropper_info_get(s, &b);
	assert_true(fabs(b.red_avg - a.red_avg) < 0.1);

	pull_free(s, 1, &t);
	now += 16 * pkt + pkt / 2; /* 16 packet times */
	push_one(s, &t);
	pk_dropper_info_get(s, &a);
	print_message("red idle: %.3f -> %.3f (exact %.3f)\n", b.red_avg,
		      a.red_avg, b.red_avg * pow(15.0 / 16, 16));
	assert_true(fabs(a.red_avg / b.red_avg - pow(15.0 / 16, 16)) < 0.02);

	pull_free(s, 1, &t);
	now += 70000 * pkt;
	push_one(s, &t);
	pk_dropper_info_get(s, &a);
	assert_true(a.red_avg == 0);
	assert_conserved(s, &t, PK_DROP_RED);
	pull_free(s, 1, &t);
	pk_stage_destroy(s);
}

#define PIE_TICKS 3000
#define PIE_TICKS_MAX 6000

/*
 * PIE on a fake clock: a link of 20 packets per ms (pulls), 1 ms ticks.
 * Offered 30 per ms, the queue and its delay grow past the 15 ms target
 * (the queue stops at tailq_th, PIE's tail drop) and the drop probability
 * rises in RFC 8033's steps (a decade every few intervals while small)
 * until its drops exceed the excess and the queue comes down. Then,
 * offered 20 per ms with 120 packets standing (6 ms, under half the
 * target), it falls to nothing in 3 s. PIE's delay is the queue length
 * times the time per departure it measured from the pulls: the link's.
 */
static void
test_pie_rises_and_falls(void **state)
{
	uint64_t now = 1, ms = rte_get_tsc_hz() / 1000;
	struct pk_dropper_conf c = { .kind = PK_DROPPER_PIE };
	struct pk_dropper_info info;
	struct tally t = { 0 };
	bool was_full = false;
	struct pk_stage *s;
	unsigned int i, len;

	(void)state;
	rte_srand(7); /* rte_pie's rte_drand() */
	c.pie.qdelay_ms = 15;
	c.pie.interval_ms = 15;
	c.pie.burst_ms = 30;
	c.pie.tailq_th = 1000; /* active from 100 */
	c.clock = fake_clock;
	c.clock_arg = &now;
	s = pk_queue_ring_create("pie", 2048, 0, 0, SOCKET_ID_ANY);
	assert_non_null(s);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	for (i = 0; i < PIE_TICKS_MAX; i++) {
		now += ms;
		push_burst(s, 30, &t);
		pull_free(s, 20, &t);
		len = pk_stage_len(s);
		was_full |= len >= 900;
		if (was_full && len < 600)
			break;
	}
	pk_dropper_info_get(s, &info);
	print_message("pie: at %u ms %u standing, delay %.1f ms, %.1f us/pkt,"
		      " p %.3f, %" PRIu64 " drops\n", i, len,
		      info.pie_qdelay_ms, info.pie_pkt_ns / 1000,
		      info.pie_drop_prob, drops(s, PK_DROP_PIE));
	assert_true(i < PIE_TICKS_MAX); /* PIE brought it down */
	assert_true(info.pie_active);
	assert_true(info.pie_drop_prob > 0.3);
	assert_true(fabs(info.pie_pkt_ns - 50000) < 2500); /* 20 per ms */
	assert_true(fabs(info.pie_qdelay_ms - len * 0.05) < 5);
	assert_conserved(s, &t, PK_DROP_PIE);

	pull_free(s, len - 120, &t); /* a delay of 6 ms */
	for (i = 0; i < PIE_TICKS; i++) {
		now += ms;
		push_burst(s, 20, &t);
		pull_free(s, 20, &t);
		if (pk_stage_len(s) < 120) /* keep it standing: refill */
			push_burst(s, 120 - pk_stage_len(s), &t);
	}
	pk_dropper_info_get(s, &info);
	print_message("pie: after %u ms at %.1f ms delay p %.4f\n", PIE_TICKS,
		      info.pie_qdelay_ms, info.pie_drop_prob);
	assert_true(info.pie_active);
	assert_true(info.pie_qdelay_ms < 7.5);
	assert_true(info.pie_drop_prob < 0.01);
	assert_conserved(s, &t, PK_DROP_PIE);
	pk_stage_destroy(s);
}

/* A queue too full for the survivors: they come back at the tail, in
 * order, after the dropped; the push returns n minus those. */
static void
test_full_queue_tail_in_order(void **state)
{
	struct pk_dropper_conf c = red_conf(4, 6, 1, 4);
	struct rte_mbuf *m[32];
	struct tally t = { 0 };
	struct pk_stage *s;
	uint16_t k, i;

	(void)state;
	s = pk_queue_ring_create("red_full", 8, 0, 0, SOCKET_ID_ANY); /* 7 */
	assert_non_null(s);
	for (i = 0; i < 7; i++)
		push_one(s, &t); /* full before the dropper */
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	pk_test_burst(pool, m, 32, 0);
	t.pushed += 32;
	/* the average starts at 0: the first packets pass RED and the ring
	 * refuses them; once it is past max_th RED drops the rest */
	k = pk_stage_push(s, m, 32);
	assert_true(k > 0 && k < 32);
	assert_int_equal(pk_test_seq(m[k]), 0); /* the first is refused */
	for (i = k + 1; i < 32; i++) /* refused: the caller's, in order */
		assert_true(pk_test_seq(m[i]) > pk_test_seq(m[i - 1]));
	assert_int_equal(drops(s, PK_DROP_RED), k);
	rte_pktmbuf_free_bulk(&m[k], 32 - k);
	assert_conserved(s, &t, PK_DROP_RED);
	pk_stage_destroy(s);
}


int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_red_between_thresholds_as_rte_red,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_red_above_max_drops_all,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_red_below_min_drops_none,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_red_idle_decay,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_pie_rises_and_falls,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_full_queue_tail_in_order,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_dropper", NULL, eal);
	pool = pk_test_pool("test_dropper", 4096);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
