/* SPDX-License-Identifier: BSD-3-Clause */
/* Droppers (pk_dropper.h) on queues: RED decides packet for packet as
 * rte_red_enqueue() with the same seed, and between the thresholds drops
 * the fraction its formula gives; above max_th it drops every packet,
 * below min_th none; an idle queue's average decays as rte_red's tables
 * say; PIE on a fake clock raises its drop probability under a standing
 * delay and lowers it when the delay falls; a full queue gives back the
 * tail in order beside the dropped; queue_local and mailbox carry one too,
 * and an MP queue_ring pushed from two lcores;
 * setting, removing and bad configurations; the red= and pie= arguments,
 * and through the configuration language.
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

static struct rte_mempool *pool;

/* What the test pushed, refused included, and pulled. */
struct tally {
	uint64_t pushed;
	uint64_t pulled;
};

static uint64_t
fake_clock(void *arg)
{
	return *(const uint64_t *)arg;
}

/* Push one fresh packet; returns 1 if the queue took it (kept or dropped). */
static unsigned int
push_one(struct pk_stage *q, struct tally *t)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	t->pushed++;
	if (pk_stage_push(q, &m, 1) == 1)
		return 1;
	rte_pktmbuf_free(m);
	return 0;
}

/* Push n fresh packets in one burst; frees what the queue gives back. */
static uint16_t
push_burst(struct pk_stage *q, uint16_t n, struct tally *t)
{
	struct rte_mbuf *m[64];
	uint16_t k;

	assert_true(n <= RTE_DIM(m));
	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, m, n), 0);
	t->pushed += n;
	k = pk_stage_push(q, m, n);
	if (k < n)
		rte_pktmbuf_free_bulk(&m[k], n - k);
	return k;
}

/* Pull up to n packets and free them. */
static unsigned int
pull_free(struct pk_stage *q, unsigned int n, struct tally *t)
{
	struct rte_mbuf *m[64];
	unsigned int got = 0, k;

	while (got < n) {
		k = pk_stage_pull(q, m, RTE_MIN(n - got, RTE_DIM(m)));
		if (k == 0)
			break;
		rte_pktmbuf_free_bulk(m, k);
		got += k;
	}
	t->pulled += got;
	return got;
}

static uint64_t
drops(const struct pk_stage *q, enum pk_drop_reason r)
{
	struct pk_stage_stats st;

	assert_int_equal(pk_stage_stats_get(q, &st), 0);
	return st.drops[r];
}

/* pushed = taken + refused; taken = pulled + dropped (every reason) +
 * held; and nothing else was dropped than the dropper's reason. */
static void
assert_conserved(const struct pk_stage *q, const struct tally *t,
		 enum pk_drop_reason why)
{
	struct pk_stage_stats st;
	uint64_t d = 0, ref = 0;
	unsigned int r;

	assert_int_equal(pk_stage_stats_get(q, &st), 0);
	for (r = 0; r < PK_DROP_MAX; r++) {
		d += st.drops[r];
		ref += st.refused[r];
		if (r != why)
			assert_int_equal(st.drops[r], 0);
	}
	assert_int_equal(st.in_pkts + ref, t->pushed);
	assert_int_equal(st.out_pkts, t->pulled);
	assert_int_equal(st.in_pkts, st.out_pkts + d + st.held);
	assert_int_equal(st.held, pk_stage_len(q));
}

static struct pk_dropper_conf
red_conf(uint16_t min_th, uint16_t max_th, uint16_t maxp_inv, uint16_t wq_log2)
{
	struct pk_dropper_conf c = { .kind = PK_DROPPER_RED };

	c.red.min_th = min_th;
	c.red.max_th = max_th;
	c.red.maxp_inv = maxp_inv;
	c.red.wq_log2 = wq_log2;
	c.seed = 12345;
	return c;
}

/* Hold q at len packets: push one, pull one whenever it is over len. */
static void
standing(struct pk_stage *q, unsigned int len, unsigned int pushes,
	 struct tally *t)
{
	unsigned int i;

	for (i = 0; i < pushes; i++) {
		push_one(q, t);
		if (pk_stage_len(q) > len)
			pull_free(q, pk_stage_len(q) - len, t);
	}
}

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

/* queue_local and mailbox carry droppers through the same setter; an MP
 * queue_ring too (its pushers lock). */
static void
test_other_queue_kinds(void **state)
{
	struct pk_dropper_conf c = red_conf(2, 4, 10, 1);
	struct pk_stage *s[3];
	struct tally t[3] = { { 0 } };
	unsigned int i;
	int j;

	(void)state;
	s[0] = pk_queue_local_create("ql", 64, 0, SOCKET_ID_ANY);
	s[1] = pk_mailbox_create("mb", 64, 0, SOCKET_ID_ANY);
	s[2] = pk_queue_ring_create("qmp", 64, PK_QUEUE_F_MP, 0,
				    SOCKET_ID_ANY);
	for (i = 0; i < RTE_DIM(s); i++) {
		assert_non_null(s[i]);
		assert_int_equal(pk_queue_set_dropper(s[i], &c), 0);
		for (j = 0; j < 20; j++)
			push_burst(s[i], 8, &t[i]);
		assert_true(pk_stage_len(s[i]) < 12);
		assert_true(drops(s[i], PK_DROP_RED) > 100);
		assert_conserved(s[i], &t[i], PK_DROP_RED);
		pk_stage_destroy(s[i]);
	}
}

#define MT_BURSTS 20000

/* The worker's pushes into an MP queue with RED: 8 at a time, refused ones
 * freed (counted by the queue as refused). */
static int
mt_red_pusher(void *arg)
{
	struct pk_stage *q = arg;
	struct rte_mbuf *m[8];
	unsigned int b;
	uint16_t k;

	for (b = 0; b < MT_BURSTS; b++) {
		while (rte_pktmbuf_alloc_bulk(pool, m, 8) != 0)
			;
		k = pk_stage_push(q, m, 8);
		if (k < 8)
			rte_pktmbuf_free_bulk(&m[k], 8 - k);
	}
	return 0;
}

/* Two lcores push into an MP queue_ring carrying RED (its pushers take
 * the dropper's lock) while the main one also drains: every packet is
 * pulled, dropped "red" or refused, none twice, none lost. */
static void
test_red_mp_two_lcores(void **state)
{
	struct pk_dropper_conf c = red_conf(16, 48, 4, 3);
	struct tally t = { 0 };
	struct pk_stage_stats st;
	unsigned int worker, b;
	struct pk_stage *s;

	(void)state;
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		skip();
	}
	s = pk_queue_ring_create("red_mp", 64, PK_QUEUE_F_MP, 0,
				 SOCKET_ID_ANY);
	assert_non_null(s);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	assert_int_equal(rte_eal_remote_launch(mt_red_pusher, s, worker), 0);
	for (b = 0; b < MT_BURSTS; b++) {
		push_burst(s, 8, &t);
		pull_free(s, 7, &t);
	}
	rte_eal_wait_lcore(worker);
	t.pushed += MT_BURSTS * 8; /* the worker's */
	pk_stage_stats_get(s, &st);
	print_message("red mp: in %" PRIu64 " out %" PRIu64 " red %" PRIu64
		      " full %" PRIu64 "\n", st.in_pkts, st.out_pkts,
		      st.drops[PK_DROP_RED], st.refused[PK_DROP_FULL]);
	assert_true(st.drops[PK_DROP_RED] > 0);
	assert_conserved(s, &t, PK_DROP_RED);
	pk_stage_destroy(s);
}

/* Setting, changing and removing; the errors. */
static void
test_set_change_remove(void **state)
{
	struct pk_dropper_conf c = red_conf(8, 16, 10, 9), bad;
	struct pk_dropper_info info;
	struct pk_stage *s, *p;
	struct tally t = { 0 };

	(void)state;
	s = pk_queue_ring_create("set", 64, 0, 0, SOCKET_ID_ANY);
	p = pk_stage_create("proc_noop", "noop", NULL, SOCKET_ID_ANY);
	assert_non_null(s);
	assert_non_null(p);
	assert_int_equal(pk_queue_set_dropper(NULL, &c), -EINVAL);
	assert_int_equal(pk_queue_set_dropper(p, &c), -ENOTSUP);
	bad = c;
	bad.red.min_th = 16; /* not below max_th */
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	bad = c;
	bad.red.max_th = 1024;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	bad = c;
	bad.red.wq_log2 = 13;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	bad = c;
	bad.red.maxp_inv = 0;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	bad = (struct pk_dropper_conf){ .kind = PK_DROPPER_PIE };
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL); /* zeros */
	bad.kind = 9;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	assert_true(pk_queue_ring_is_sp(s)); /* all refused: untouched */
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_NONE);

	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	assert_string_equal(pk_stage_kind_name(s), "queue_ring");
	assert_true(pk_queue_can_wait(s));
	bad = c;
	bad.red.max_th = 0;
	assert_int_equal(pk_queue_set_dropper(s, &bad), -EINVAL);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_RED); /* the old one stays */
	c.kind = PK_DROPPER_PIE;
	c.pie = (struct pk_dropper_pie){ 15, 15, 150, 63 };
	assert_int_equal(pk_queue_set_dropper(s, &c), 0);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_PIE);
	assert_int_equal(pk_queue_set_dropper(s, NULL), 0);
	assert_true(pk_queue_ring_is_sp(s)); /* its own push again */
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_NONE);
	assert_int_equal(push_burst(s, 63, &t), 63);
	assert_int_equal(push_burst(s, 1, &t), 0); /* full, refused */
	assert_conserved(s, &t, PK_DROP_MAX);
	assert_int_equal(pk_queue_set_dropper(s, &c), 0); /* again */
	pk_stage_destroy(s);
	pk_stage_destroy(p);
}

/* The red= and pie= arguments of queue_ring and queue_local, and their
 * refusals. */
static void
test_queue_arguments(void **state)
{
	static const char *const bad[] = {
		"red=32:96", "red=96:32:10", "red=32:32:10", "red=32:300:10", "red=32:96:0",
		"red=32:96:10:13", "red=32:96:10:9:0", "red=32:96:10:9:1:1",
		"red=a:b:c", "red=32::10", "red=32:96:10:", "red=-1:96:10",
		"red", "pie=0", "pie=15:0", "pie=15:15:150:300", "pie=",
		"pie=15:15:15:15:15", "red=32:96:10,pie=15",
		"red=1:2:3,red=1:2:3", "pie=15:15:65535",
	};
	struct pk_dropper_info info;
	struct pk_stage *s;
	unsigned int i;

	(void)state;
	s = pk_stage_create("queue_ring", "qa",
			    "size=256,red=32:96:10", SOCKET_ID_ANY);
	assert_non_null(s);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_RED);
	pk_stage_destroy(s);
	s = pk_stage_create("queue_ring", "qp", "size=256,pie=20:10",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_PIE);
	pk_stage_destroy(s);
	s = pk_stage_create("queue_local", "ql", "size=64,red=4:8:10",
			    SOCKET_ID_ANY);
	assert_non_null(s);
	pk_dropper_info_get(s, &info);
	assert_int_equal(info.kind, PK_DROPPER_RED);
	pk_stage_destroy(s);
	assert_null(pk_stage_create("queue_local", "ql", "size=64,pie=15:15:"
				    "150:65", SOCKET_ID_ANY)); /* > 64 */
	for (i = 0; i < RTE_DIM(bad); i++) {
		char args[64];

		snprintf(args, sizeof(args), "size=256,%s", bad[i]);
		s = pk_stage_create("queue_ring", "qb", args, SOCKET_ID_ANY);
		if (s != NULL)
			fail_msg("accepted %s", args);
		assert_int_equal(rte_errno, EINVAL);
	}
}

/* The language passes the arguments through: a configuration's queues get
 * their droppers; a bad one fails the build. */
static void
test_conf_language(void **state)
{
	static const char good[] =
		"a :: queue_ring(size=256, red=32:96:10:9) -> t :: thread_entry"
		" -> b :: queue_ring(size=256, pie=15:15:150)\n";
	struct pk_dropper_info info;
	struct pk_conf *c;

	(void)state;
	c = pk_conf_load_string(good, "t.conf", NULL);
	assert_non_null(c);
	pk_dropper_info_get(pk_conf_stage(c, "a"), &info);
	assert_int_equal(info.kind, PK_DROPPER_RED);
	pk_dropper_info_get(pk_conf_stage(c, "b"), &info);
	assert_int_equal(info.kind, PK_DROPPER_PIE);
	pk_conf_destroy(c);
	assert_null(pk_conf_load_string("a :: queue_ring(size=64, red=32:96:"
					"10) -> t :: thread_entry -> b :: "
					"queue_ring\n", "t.conf", NULL));
}

/* pk_dropper_parse(): the defaults, and what a refusal says. */
static void
test_parse_defaults_and_errors(void **state)
{
	struct pk_dropper_conf c, keep;
	char err[PK_DROPPER_ERR_MAX];

	(void)state;
	assert_int_equal(pk_dropper_parse("red", "1:2:3", 255, &c, err,
					  sizeof(err)), 0);
	assert_int_equal(c.kind, PK_DROPPER_RED);
	assert_int_equal(c.red.wq_log2, PK_DROPPER_RED_WQ_LOG2);
	assert_int_equal(c.red.pkt_ns, PK_DROPPER_RED_PKT_NS);
	assert_int_equal(pk_dropper_parse("pie", "20", 255, &c, err,
					  sizeof(err)), 0);
	assert_int_equal(c.pie.qdelay_ms, 20);
	assert_int_equal(c.pie.interval_ms, PK_DROPPER_PIE_INTERVAL_MS);
	assert_int_equal(c.pie.burst_ms, PK_DROPPER_PIE_BURST_MS);
	assert_int_equal(c.pie.tailq_th, 255);

	keep = c;
	assert_int_equal(pk_dropper_parse("red", "5:3:1", 255, &c, err,
					  sizeof(err)), -EINVAL);
	assert_string_equal(err, "red: min_th 5 not below max_th 3");
	assert_memory_equal(&c, &keep, sizeof(c)); /* untouched */
	assert_int_equal(pk_dropper_parse("red", "1:2:x", 255, &c, err,
					  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "red maxp_inv"));
	assert_int_equal(pk_dropper_parse("red", "1:2", 255, &c, err,
					  sizeof(err)), -EINVAL);
	assert_string_equal(err, "red: '1:2' is not "
			    "min_th:max_th:maxp_inv[:wq_log2[:pkt_ns]]");
	assert_int_equal(pk_dropper_parse("pie", "1:1:1:300", 255, &c, err,
					  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "capacity 255"));
	assert_int_equal(pk_dropper_parse("codel", "1", 255, &c, NULL, 0),
			 -EINVAL);
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
		cmocka_unit_test_teardown(test_other_queue_kinds,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_red_mp_two_lcores,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_set_change_remove,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_queue_arguments,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_conf_language,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_parse_defaults_and_errors,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_dropper", NULL, eal);
	pool = pk_test_pool("test_dropper", 4096);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
