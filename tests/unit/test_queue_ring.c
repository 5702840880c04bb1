/* SPDX-License-Identifier: BSD-3-Clause */
/* queue_ring: refuses when full leaving the caller the tail in order, FIFO
 * pull, length, byte counting, the inline SP push of one packet
 * (pk_queue_worker.h), MP/MC from two lcores, destroy drains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_queue_worker.h>

#include "pk_test.h"

static struct rte_mempool *pool;

static void
test_refuses_when_full_tail_in_order(void **state)
{
	struct rte_mbuf *m[8], *copy[8], *out[8];
	struct pk_stage_stats st;
	struct pk_stage *q;
	unsigned int i;

	(void)state;
	q = pk_queue_ring_create("q", 4, 0, 0, SOCKET_ID_ANY); /* holds 3 */
	assert_non_null(q);
	pk_test_burst(pool, m, 8, 100);
	memcpy(copy, m, sizeof(m));

	assert_int_equal(pk_stage_push(q, m, 8), 3);
	for (i = 3; i < 8; i++) /* the caller's tail, untouched, in order */
		assert_ptr_equal(m[i], copy[i]);
	assert_int_equal(pk_stage_len(q), 3);
	assert_int_equal(pk_stage_push(q, &m[3], 5), 0);

	assert_int_equal(pk_stage_pull(q, out, 8), 3);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(out[i], copy[i]);
	assert_int_equal(pk_stage_pull(q, out + 3, 8), 0);
	assert_int_equal(pk_stage_len(q), 0);

	assert_int_equal(pk_stage_stats_get(q, &st), 0);
	assert_int_equal(st.in_pkts, 3);
	assert_int_equal(st.out_pkts, 3);
	assert_int_equal(st.refused[PK_DROP_FULL], 10);
	assert_int_equal(st.in_bytes, 0); /* bytes not asked for */

	rte_pktmbuf_free_bulk(out, 3);
	rte_pktmbuf_free_bulk(&m[3], 5);
	pk_stage_destroy(q);
}

static void
test_single_packet_wrappers(void **state)
{
	struct rte_mbuf *m = pk_test_udp4(pool, 100, 64, 7), *back;
	struct pk_stage *q;

	(void)state;
	q = pk_queue_ring_create("q1", 2, 0, 0, SOCKET_ID_ANY); /* holds 1 */
	assert_non_null(q);
	assert_null(pk_stage_pull_one(q));
	assert_true(pk_stage_push_one(q, m));
	assert_false(pk_stage_push_one(q, m)); /* full: still ours... */
	back = pk_stage_pull_one(q);            /* ...but it is the same mbuf */
	assert_ptr_equal(back, m);
	rte_pktmbuf_free(back);
	pk_stage_destroy(q);
}

static void
test_bytes_counted_when_asked(void **state)
{
	struct rte_mbuf *m[3], *out[3];
	struct pk_stage_stats st;
	struct pk_stage *q;

	(void)state;
	q = pk_queue_ring_create("qb", 4, 0, PK_STAGE_F_BYTES, SOCKET_ID_ANY);
	assert_non_null(q);
	m[0] = pk_test_udp4(pool, 64, 64, 0);
	m[1] = pk_test_udp4(pool, 100, 64, 1);
	m[2] = pk_test_udp4(pool, 1514, 64, 2);
	assert_int_equal(pk_stage_push(q, m, 3), 3);
	assert_int_equal(pk_stage_pull(q, out, 3), 3);
	pk_stage_stats_get(q, &st);
	assert_int_equal(st.in_bytes, 64 + 100 + 1514);
	assert_int_equal(st.out_bytes, 64 + 100 + 1514);
	rte_pktmbuf_free_bulk(out, 3);
	pk_stage_destroy(q);
}

struct one_waiter {
	struct pk_stage *q;
	int rc;
};

static void *
one_waiter_main(void *arg)
{
	struct one_waiter *w = arg;

	w->rc = pk_queue_wait(w->q, NULL, 10 * 1000 * 1000);
	return NULL;
}

/* The inline push of one packet counts as pk_stage_push() does, refuses
 * when full, and wakes a sleeping puller. */
static void
test_push_one_sp_inline(void **state)
{
	struct rte_mbuf *m[4], *out[4];
	struct one_waiter w = { 0 };
	struct pk_stage_stats st;
	struct pk_stage *q, *mp;
	unsigned int i;
	pthread_t pt;

	(void)state;
	q = pk_queue_ring_create("q1sp", 4, 0, PK_STAGE_F_BYTES,
				 SOCKET_ID_ANY); /* holds 3 */
	mp = pk_queue_ring_create("q1mp", 4, PK_QUEUE_F_MP, 0, SOCKET_ID_ANY);
	assert_non_null(q);
	assert_non_null(mp);
	assert_true(pk_queue_ring_is_sp(q));
	assert_false(pk_queue_ring_is_sp(mp));
	for (i = 0; i < 4; i++)
		m[i] = pk_test_udp4(pool, 64 + i, 64, i);
	for (i = 0; i < 3; i++)
		assert_true(pk_queue_ring_push_one_sp(q, m[i]));
	assert_false(pk_queue_ring_push_one_sp(q, m[3])); /* still ours */
	assert_int_equal(pk_stage_pull(q, out, 4), 3);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(out[i], m[i]);
	pk_stage_stats_get(q, &st);
	assert_int_equal(st.in_pkts, 3);
	assert_int_equal(st.in_bytes, 64 + 65 + 66);
	assert_int_equal(st.refused[PK_DROP_FULL], 1);
	assert_int_equal(st.out_pkts, 3);
	rte_pktmbuf_free_bulk(out, 3);

	/* a waiter that would sleep 10 s is woken by the inline push */
	w.q = q;
	assert_int_equal(pthread_create(&pt, NULL, one_waiter_main, &w), 0);
	while (__atomic_load_n(&q->waiters, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	assert_true(pk_queue_ring_push_one_sp(q, m[3]));
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(q->waiters, 0);
	pk_stage_destroy(q); /* frees m[3] */
	pk_stage_destroy(mp);
}

static void
test_destroy_frees_held_packets(void **state)
{
	struct rte_mbuf *m[32];
	struct pk_stage *q;

	(void)state;
	q = pk_stage_create("queue_ring", "qd", "size=64", SOCKET_ID_ANY);
	assert_non_null(q);
	pk_test_burst(pool, m, 32, 0);
	assert_int_equal(pk_stage_push(q, m, 32), 32);
	assert_int_equal(pk_stage_len(q), 32);
	pk_stage_destroy(q); /* teardown checks the pool is full */
}

static void
test_bad_sizes_and_flags(void **state)
{
	static const unsigned int bad[] = { 0, 1, 3, 100, 1u << 31 };
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		rte_errno = 0;
		assert_null(pk_queue_ring_create("bad", bad[i], 0, 0,
						 SOCKET_ID_ANY));
		assert_int_equal(rte_errno, EINVAL);
	}
	rte_errno = 0;
	assert_null(pk_queue_ring_create("bad", 8, 0x80, 0, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_queue_ring_create(NULL, 8, 0, 0, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
}

#define MT_PER_LCORE 20000u

struct mt_arg {
	struct pk_stage *q;
	uint32_t first;
};

static int
mt_pusher(void *arg)
{
	struct mt_arg *a = arg;
	struct rte_mbuf *m[16];
	uint32_t sent = 0;
	uint16_t k, n;

	while (sent < MT_PER_LCORE) {
		n = (uint16_t)RTE_MIN(16u, MT_PER_LCORE - sent);
		if (rte_pktmbuf_alloc_bulk(pool, m, n) != 0)
			continue; /* the puller will give some back */
		for (k = 0; k < n; k++)
			*rte_pktmbuf_mtod(m[k], uint32_t *) = a->first + sent + k;
		k = 0;
		while (k < n) /* a queue changes nothing it refuses: retry */
			k += pk_stage_push(a->q, &m[k], n - k);
		sent += n;
	}
	return 0;
}

static void
test_mp_mc_two_lcores(void **state)
{
	struct mt_arg a = { .first = 0 }, b = { .first = MT_PER_LCORE };
	struct rte_mbuf *m[32], *x = NULL;
	struct pk_stage_stats st;
	unsigned int worker, got = 0, k, i;
	uint64_t sum = 0, expect = 0;

	(void)state;
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		print_message("needs 2 lcores; skipped\n");
		skip();
	}
	a.q = b.q = pk_queue_ring_create("qmp", 256,
					  PK_QUEUE_F_MP | PK_QUEUE_F_MC, 0,
					  SOCKET_ID_ANY);
	assert_non_null(a.q);
	assert_int_equal(rte_eal_remote_launch(mt_pusher, &a, worker), 0);
	/* the main lcore both pushes its share and drains; when the queue
	 * is full it keeps its packet and drains first */
	while (got < 2 * MT_PER_LCORE) {
		if (x == NULL && b.first < 2 * MT_PER_LCORE &&
		    rte_pktmbuf_alloc_bulk(pool, &x, 1) == 0)
			*rte_pktmbuf_mtod(x, uint32_t *) = b.first++;
		if (x != NULL && pk_stage_push_one(b.q, x))
			x = NULL;
		k = pk_stage_pull(a.q, m, 32);
		for (i = 0; i < k; i++)
			sum += *rte_pktmbuf_mtod(m[i], uint32_t *);
		rte_pktmbuf_free_bulk(m, k);
		got += k;
	}
	rte_eal_wait_lcore(worker);
	for (i = 0; i < 2 * MT_PER_LCORE; i++)
		expect += i;
	assert_int_equal(sum, expect); /* every packet once */
	pk_stage_stats_get(a.q, &st);
	assert_int_equal(st.in_pkts, 2 * MT_PER_LCORE);
	assert_int_equal(st.out_pkts, 2 * MT_PER_LCORE);
	pk_stage_destroy(a.q);
}

int
main(void)
{
	static const char *const eal[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_refuses_when_full_tail_in_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_single_packet_wrappers,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bytes_counted_when_asked,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_push_one_sp_inline,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_destroy_frees_held_packets,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_bad_sizes_and_flags,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_mp_mc_two_lcores,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_queue_ring", NULL, eal);
	pool = pk_test_pool("test_queue_ring", 1024);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
