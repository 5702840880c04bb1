/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched shaper on a fake clock (deterministic): released rate over one
 * second within 0.1% of R at 10 Mbit/s .. 100 Gbit/s (and 69 Gbit/s, where
 * another framework released 280 Mbit/s), mixed sizes, bounded burst after
 * idle, and shaping on and off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

/* no libm: the build links none for tests */
static inline double
dabs(double a)
{
	return a < 0 ? -a : a;
}

#define HZ 1000000000ULL /* the fake clock counts nanoseconds */
#define OVERHEAD 24
#define NB_PKTS 64

static struct rte_mempool *pool;
static uint64_t now_ns;

static uint64_t
fake_clock(void *arg)
{
	RTE_SET_USED(arg);
	return now_ns;
}

static uint32_t
queue0(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(m);
	RTE_SET_USED(arg);
	return 0;
}

static struct pk_stage *
shaped_fifo(uint64_t rate, uint32_t burst)
{
	struct pk_sched_conf c = {
		.policy = "fifo", .max_queues = 1, .qsize = NB_PKTS,
		.rate_bps = rate, .overhead = OVERHEAD, .burst = burst,
		.classify = queue0, .socket_id = SOCKET_ID_ANY,
	};
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct pk_stage *s = pk_sched_create("shaper", &c);

	assert_non_null(s);
	assert_int_equal(pk_sched_queue_attach(s, &qc), 0);
	now_ns = 0;
	assert_int_equal(pk_sched_set_clock(s, fake_clock, NULL, HZ), 0);
	return s;
}

static uint16_t
frame_size(uint16_t fixed, uint32_t i)
{
	return fixed != 0 ? fixed : 64 + (i * 7919) % (1518 - 64 + 1);
}

/*
 * Keep the queue backlogged from 0 to `ns` of fake time included, pulling
 * every `step` ns and putting the released frames back at the tail.
 * @return the bits (with overhead) released.
 */
static uint64_t
shape_for(struct pk_stage *s, uint64_t ns, uint64_t step, uint16_t fixed)
{
	struct rte_mbuf *m[32];
	uint64_t bits = 0;
	uint16_t n, i;

	for (i = 0; i < NB_PKTS; i++) {
		m[0] = pk_test_udp4(pool, frame_size(fixed, i), 64, i);
		assert_int_equal(pk_stage_push(s, m, 1), 1);
	}
	for (; now_ns <= ns; now_ns += step) {
		n = pk_stage_pull(s, m, RTE_DIM(m));
		for (i = 0; i < n; i++)
			bits += (uint64_t)(m[i]->pkt_len + OVERHEAD) * 8;
		assert_int_equal(pk_stage_push(s, m, n), n);
	}
	return bits;
}

/* One second at rate R: within 0.1%, and within a burst of frames. */
static void
check_rate(uint64_t rate, uint16_t fixed)
{
	double frame_bits = (double)((fixed ? fixed : 1518) + OVERHEAD) * 8;
	struct pk_stage *s = shaped_fifo(rate, 64 * (1518 + OVERHEAD));
	uint64_t step = 1, bits;
	double err;

	/* pull about every 16 frames, at times that divide the second */
	while (step * 10 <= 16 * frame_bits * HZ / rate)
		step *= 10;
	bits = shape_for(s, HZ, step, fixed);
	err = (double)bits - (double)rate;

	print_message("rate %" PRIu64 " bit/s, %u B frames: released %" PRIu64
		      " bit/s (%+.4f%%)\n", rate, fixed, bits,
		      100.0 * err / rate);
	assert_true(dabs(err) <= rate / 1000.0);
	/* exact: frames start while the link has credit, so by the pull at
	 * t = 1 s it sent R bits and at most part of one more frame */
	assert_true(err >= 0 && err < (1518 + OVERHEAD) * 8);
	pk_stage_destroy(s);
}

static void
test_rate_10m(void **state)
{
	(void)state;
	check_rate(10000000ULL, 64);
}

static void
test_rate_100m(void **state)
{
	(void)state;
	check_rate(100000000ULL, 64);
}

static void
test_rate_1g(void **state)
{
	(void)state;
	check_rate(1000000000ULL, 64);
	check_rate(1000000000ULL, 0); /* mixed 64..1518 */
}

static void
test_rate_10g(void **state)
{
	(void)state;
	check_rate(10000000000ULL, 1518);
}

static void
test_rate_69g_100g(void **state)
{
	(void)state;
	check_rate(69000000000ULL, 1518);
	check_rate(100000000000ULL, 1518);
}

/*
 * After a long idle the bucket holds burst bytes: 10000 B at 1 Gbit/s lets
 * ten 1000-byte frames (1024 B on the wire) go at once, the tenth on debt;
 * then one frame per 8.192 us, to the nanosecond.
 */
static void
test_burst_after_idle(void **state)
{
	struct rte_mbuf *m[32];
	struct pk_stage *s;
	uint16_t i;

	(void)state;
	s = shaped_fifo(1000000000ULL, 10000);
	now_ns = HZ; /* a second with nothing to send */
	assert_int_equal(pk_stage_pull(s, m, 32), 0);
	for (i = 0; i < 20; i++) {
		m[0] = pk_test_udp4(pool, 1000, 64, i);
		assert_int_equal(pk_stage_push(s, m, 1), 1);
	}
	assert_int_equal(pk_stage_pull(s, m, 32), 10);
	rte_pktmbuf_free_bulk(m, 10);
	/* in debt by 10240 - 10000 bytes: 1920 ns of link */
	assert_int_equal(pk_stage_pull(s, m, 32), 0);
	now_ns += 1919;
	assert_int_equal(pk_stage_pull(s, m, 32), 0);
	now_ns += 1;
	assert_int_equal(pk_stage_pull(s, m, 32), 1);
	rte_pktmbuf_free(m[0]);
	now_ns += 8191;
	assert_int_equal(pk_stage_pull(s, m, 32), 0);
	now_ns += 1;
	assert_int_equal(pk_stage_pull(s, m, 32), 1);
	rte_pktmbuf_free(m[0]);
	/* shaping off: everything at once, in order */
	assert_int_equal(pk_sched_set_shaper(s, 0, 0, 0), 0);
	assert_int_equal(pk_stage_pull(s, m, 32), 8);
	assert_int_equal(pk_test_seq(m[0]), 12);
	assert_int_equal(pk_test_seq(m[7]), 19);
	rte_pktmbuf_free_bulk(m, 8);
	pk_stage_destroy(s);
}

/* A frame waits for the link; the policy's order is kept meanwhile. */
static void
test_shaper_keeps_order(void **state)
{
	struct rte_mbuf *m[4];
	struct pk_stage *s;
	uint32_t i, got = 0;

	(void)state;
	s = shaped_fifo(10000000ULL, 1); /* 1 frame at a time */
	for (i = 0; i < 4; i++) {
		m[0] = pk_test_udp4(pool, 1226, 64, i); /* 1250 B: 1 ms */
		assert_int_equal(pk_stage_push(s, m, 1), 1);
	}
	while (got < 4) {
		i = pk_stage_pull(s, m, 4);
		assert_true(i <= 1);
		if (i == 1) {
			assert_int_equal(pk_test_seq(m[0]), got);
			assert_int_equal(now_ns, got * 1000000ULL);
			rte_pktmbuf_free(m[0]);
			got++;
		}
		now_ns += 1000;
	}
	pk_stage_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rate_10m,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_rate_100m,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_rate_1g,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_rate_10g,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_rate_69g_100g,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_burst_after_idle,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_shaper_keeps_order,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_sched_shaper", NULL, NULL);
	pool = pk_test_pool("test_sched_shaper", 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
