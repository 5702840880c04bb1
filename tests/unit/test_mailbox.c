/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox (PSPAT-style SPSC queue): capacity and refusal with the tail kept
 * in order, empty slots NULL and lines handed back in batches, wrap-around,
 * destroy frees held packets, bad sizes, create by kind name, and a
 * two-lcore transfer with every packet once and in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define LINE 8 /* mbuf pointers per cache line */

static struct rte_mempool *pool;

static void
test_capacity_and_refusal(void **state)
{
	struct rte_mbuf *m[24], *copy[24], *out[24];
	struct pk_stage_stats st;
	struct pk_stage *q;
	unsigned int i;

	(void)state;
	q = pk_mailbox_create("mb", 16, 0, SOCKET_ID_ANY);
	assert_non_null(q);
	pk_test_burst(pool, m, 24, 0);
	memcpy(copy, m, sizeof(m));
	/* 16 slots: one line always stays empty, so 8 fit */
	assert_int_equal(pk_stage_push(q, m, 24), 16 - LINE);
	for (i = 16 - LINE; i < 24; i++) /* the caller's tail, untouched */
		assert_ptr_equal(m[i], copy[i]);
	assert_int_equal(pk_stage_len(q), 8);
	assert_int_equal(pk_stage_pull(q, out, 3), 3);
	/* the line is not fully read: not handed back, still full */
	assert_int_equal(pk_stage_push(q, &m[8], 16), 0);
	assert_int_equal(pk_stage_pull(q, out + 3, 24), 5);
	for (i = 0; i < 8; i++)
		assert_ptr_equal(out[i], copy[i]);
	/* the line came back: the next 8 fit (wrapping round the ring) */
	assert_int_equal(pk_stage_push(q, &m[8], 16), 8);
	assert_int_equal(pk_stage_pull(q, out, 24), 8);
	for (i = 0; i < 8; i++)
		assert_ptr_equal(out[i], copy[8 + i]);
	assert_int_equal(pk_stage_pull(q, out + 8, 24), 0);
	assert_int_equal(pk_stage_stats_get(q, &st), 0);
	assert_int_equal(st.in_pkts, 16);
	assert_int_equal(st.out_pkts, 16);
	assert_int_equal(st.refused[PK_DROP_FULL], 16 + 16 + 8);
	rte_pktmbuf_free_bulk(copy, 24);
	pk_stage_destroy(q);
}

static void
test_many_wraps_in_order(void **state)
{
	struct rte_mbuf *m[32], *out[32];
	uint32_t next_in = 0, next_out = 0;
	struct pk_stage *q;
	uint16_t k, i, n;

	(void)state;
	q = pk_stage_create("mailbox", "mbw", "size=64,bytes=1", SOCKET_ID_ANY);
	assert_non_null(q);
	while (next_out < 5000) {
		n = (uint16_t)(1 + next_in % 31); /* bursts of odd sizes */
		pk_test_burst(pool, m, n, next_in);
		k = pk_stage_push(q, m, n);
		rte_pktmbuf_free_bulk(&m[k], n - k);
		next_in += k;
		k = pk_stage_pull(q, out, (uint16_t)(1 + next_out % 29));
		for (i = 0; i < k; i++)
			assert_int_equal(pk_test_seq(out[i]), next_out + i);
		next_out += k;
		rte_pktmbuf_free_bulk(out, k);
		/* the next burst's seq must follow on */
		if (next_in != next_out + pk_stage_len(q))
			fail_msg("len %u in %u out %u", pk_stage_len(q),
				 next_in, next_out);
	}
	pk_stage_destroy(q);
}

static void
test_destroy_frees_held(void **state)
{
	struct rte_mbuf *m[40];
	struct pk_stage *q;

	(void)state;
	q = pk_mailbox_create("mbd", 64, 0, SOCKET_ID_ANY);
	assert_non_null(q);
	pk_test_burst(pool, m, 40, 0);
	assert_int_equal(pk_stage_push(q, m, 40), 40);
	pk_stage_destroy(q); /* teardown checks the pool is full */
}

static void
test_bad_sizes(void **state)
{
	(void)state;
	assert_null(pk_mailbox_create("b", 8, 0, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_mailbox_create("b", 100, 0, SOCKET_ID_ANY));
	assert_null(pk_stage_create("mailbox", "b", "size=48", SOCKET_ID_ANY));
	assert_null(pk_stage_create("mailbox", "b", "mp=1", SOCKET_ID_ANY));
}

#define XFER 200000u

struct xfer {
	struct pk_stage *q;
	uint32_t fails;
};

static int
xfer_producer(void *arg)
{
	struct xfer *x = arg;
	struct rte_mbuf *m[16];
	uint32_t sent = 0;
	uint16_t k, n, i;

	while (sent < XFER) {
		n = (uint16_t)RTE_MIN(16u, XFER - sent);
		if (rte_pktmbuf_alloc_bulk(pool, m, n) != 0)
			continue;
		for (i = 0; i < n; i++)
			*rte_pktmbuf_mtod(m[i], uint32_t *) = sent + i;
		k = 0;
		while (k < n) /* a mailbox changes nothing it refuses: retry */
			k += pk_stage_push(x->q, &m[k], n - k);
		sent += n;
	}
	return 0;
}

static void
test_two_lcores_in_order(void **state)
{
	struct xfer x = { .fails = 0 };
	struct rte_mbuf *m[32];
	unsigned int worker;
	uint32_t got = 0, v;
	uint16_t k, i;

	(void)state;
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		skip();
	}
	x.q = pk_mailbox_create("mbx", 128, 0, SOCKET_ID_ANY);
	assert_non_null(x.q);
	assert_int_equal(rte_eal_remote_launch(xfer_producer, &x, worker), 0);
	while (got < XFER) {
		k = pk_stage_pull(x.q, m, 32);
		for (i = 0; i < k; i++) {
			v = *rte_pktmbuf_mtod(m[i], uint32_t *);
			if (v != got + i)
				x.fails++;
		}
		rte_pktmbuf_free_bulk(m, k);
		got += k;
	}
	rte_eal_wait_lcore(worker);
	assert_int_equal(x.fails, 0);
	assert_int_equal(pk_stage_pull(x.q, m, 32), 0);
	pk_stage_destroy(x.q);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_capacity_and_refusal,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_many_wraps_in_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_destroy_frees_held,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bad_sizes,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_two_lcores_in_order,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_mailbox", NULL, eal);
	pool = pk_test_pool("test_mailbox", 1024);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
