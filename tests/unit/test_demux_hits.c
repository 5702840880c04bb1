/* SPDX-License-Identifier: BSD-3-Clause */
/* demux_flow's hit counters across a fold (16 bits a key in a lane, moved
 * into a high half when they reach 2^15): a key's hits stay exact through
 * the fold with one pusher, counted while grouping (a small demux) and
 * after the pushes (a large one), and in an mt demux's per-lcore lane; a
 * deleted key's entry, reused, starts from 0 again, high half included.
 * White box, so that the high half is past what pushes reach in a test: a
 * test sets a lane's counter just below the fold
 * (drivers/demux/demux_flow_pvt.h); one more pushes through two folds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "demux_frames.h"
#include "demux_flow_pvt.h"

#define LOCAL RTE_IPV4(10, 0, 0, 2)
#define PEER RTE_IPV4(100, 64, 1, 7)
#define BURST 32
/* past DEMUX_HITS_NEAR_BYTES of 16-bit counters: added after the pushes */
#define FAR_CAPACITY (1u << 19)

static struct rte_mempool *pool;

/* A demux of capacity keys (mt or not) with key port -> a queue. */
static struct pk_stage *
demux_of_one(uint32_t capacity, bool mt, struct pk_stage *q, uint16_t port)
{
	struct pk_demux_conf conf = { .name = "hits", .capacity = capacity,
				      .socket_id = SOCKET_ID_ANY,
				      .flags = mt ? PK_DEMUX_F_MT : 0 };
	struct pk_flow_key k = frame_key_udp4(LOCAL, port);
	struct pk_stage *d = pk_demux_flow_create(&conf);

	assert_non_null(d);
	assert_int_equal(pk_demux_flow_add(d, &k, q), 0);
	return d;
}

/* The entry index of key port in d. */
static uint32_t
entry_of(struct pk_stage *d, uint16_t port)
{
	struct pk_flow_key k = frame_key_udp4(LOCAL, port);
	void *data;

	assert_true(rte_hash_lookup_data(demux_of(d)->h, &k, &data) >= 0);
	return demux_data_idx(data);
}

static uint64_t
hits_of(struct pk_stage *d, uint16_t port)
{
	struct pk_flow_key k = frame_key_udp4(LOCAL, port);
	uint64_t hits;

	assert_int_equal(pk_demux_flow_hits(d, &k, &hits), 0);
	return hits;
}

/* Push n datagrams to key port (n <= BURST), then free what q got. */
static void
push_to(struct pk_stage *d, struct pk_stage *q, uint16_t port,
	unsigned int n)
{
	struct frame_spec fs = frame_udp4(PEER, 9, LOCAL, port);
	struct rte_mbuf *m[BURST];
	unsigned int i;

	for (i = 0; i < n; i++) {
		m[i] = frame_new(pool, &fs);
		assert_non_null(m[i]);
	}
	assert_int_equal(pk_stage_push(d, m, n), n);
	pk_test_drain_free(q, n);
}

/*
 * Set lane's count of key port to 5 folds and lo just below the fold
 * (other: the key's hits counted elsewhere); push past it in two bursts;
 * the count is exact before, across and after, and the fold moved 2^15
 * into hi.
 */
static void
check_fold(struct pk_stage *d, struct pk_stage *q, struct demux_lane *lane,
	   uint16_t port, uint64_t other)
{
	uint32_t idx = entry_of(d, port);
	uint64_t base = 5 * (uint64_t)DEMUX_FOLD + DEMUX_FOLD - 3 + other;

	lane->hi[idx] = 5;
	lane->lo[idx] = DEMUX_FOLD - 3;
	assert_true(hits_of(d, port) == base);
	push_to(d, q, port, 2); /* one below the fold */
	assert_true(hits_of(d, port) == base + 2);
	assert_int_equal(lane->hi[idx], 5);
	push_to(d, q, port, BURST); /* folds on the first packet */
	assert_true(hits_of(d, port) == base + 2 + BURST);
	assert_int_equal(lane->hi[idx], 6);
	assert_int_equal(lane->lo[idx], BURST - 1);
	assert_int_equal(lane->seq % 2, 0);
	push_to(d, q, port, BURST);
	assert_true(hits_of(d, port) == base + 2 + 2 * BURST);
}

static void
test_fold_exact_near_and_far(void **state)
{
	struct pk_stage *q = pk_test_ring("q", 64), *d;
	unsigned int far;

	(void)state;
	for (far = 0; far < 2; far++) {
		d = demux_of_one(far ? FAR_CAPACITY : 16, false, q, 7);
		assert_int_equal(demux_of(d)->hits_near, !far);
		check_fold(d, q, &demux_of(d)->own, 7, 0);
		pk_stage_destroy(d);
	}
	pk_stage_destroy(q);
}

/* Two folds' worth of real pushes, near and far: hi counts 2, lo the rest. */
static void
test_folds_by_pushing(void **state)
{
	const unsigned int n = 2 * DEMUX_FOLD + 5;
	struct pk_stage *q = pk_test_ring("q", 64), *d;
	struct demux_lane *lane;
	unsigned int far, done, k;
	uint32_t idx;

	(void)state;
	for (far = 0; far < 2; far++) {
		d = demux_of_one(far ? FAR_CAPACITY : 16, false, q, 7);
		lane = &demux_of(d)->own;
		idx = entry_of(d, 7);
		for (done = 0; done < n; done += k) {
			k = RTE_MIN(n - done, (unsigned int)BURST);
			push_to(d, q, 7, k);
		}
		assert_true(hits_of(d, 7) == n);
		assert_true(lane->hi[idx] == 2);
		assert_int_equal(lane->lo[idx], 5);
		pk_stage_destroy(d);
	}
	pk_stage_destroy(q);
}

static void
test_fold_exact_in_an_lcore_lane(void **state)
{
	/* an mt demux's targets take concurrent pushes */
	struct pk_stage *q = pk_queue_ring_create("q", 64, PK_QUEUE_F_MP, 0,
						  SOCKET_ID_ANY);
	struct pk_stage *d = demux_of_one(16, true, q, 7);
	unsigned int lc = rte_lcore_id();
	struct demux_lane *lane;

	(void)state;
	push_to(d, q, 7, 3); /* no lane yet: the shared counters, atomics */
	assert_int_equal(pk_demux_flow_reader_register(d, lc), 0);
	lane = demux_of(d)->lanes[lc];
	assert_non_null(lane);
	check_fold(d, q, lane, 7, 3);
	assert_int_equal(pk_demux_flow_reader_unregister(d, lc), 0);
	pk_stage_destroy(d);
	pk_stage_destroy(q);
}

static void
test_reused_entry_starts_at_zero(void **state)
{
	struct pk_stage *q = pk_test_ring("q", 64);
	/* capacity 1: the hash's 8 entries (its minimum), an entry being a
	 * key's position, handed out again in turn */
	struct pk_stage *d = demux_of_one(1, false, q, 7);
	struct pk_flow_key k = frame_key_udp4(LOCAL, 7);
	struct pk_flow_key k2 = frame_key_udp4(LOCAL, 8);
	uint32_t idx = entry_of(d, 7);
	unsigned int round;

	(void)state;
	check_fold(d, q, &demux_of(d)->own, 7, 0);
	assert_int_equal(pk_demux_flow_del(d, &k), 0);
	assert_int_equal(pk_demux_flow_synchronize(d), 0);
	for (round = 0; round < demux_of(d)->entries; round++) {
		assert_int_equal(pk_demux_flow_add(d, &k2, q), 0);
		assert_true(hits_of(d, 8) == 0);
		if (entry_of(d, 8) == idx)
			break;
		assert_int_equal(pk_demux_flow_del(d, &k2), 0);
		assert_int_equal(pk_demux_flow_synchronize(d), 0);
	}
	assert_int_equal(entry_of(d, 8), idx); /* key 7's, folded twice */
	assert_true(hits_of(d, 8) == 0);
	push_to(d, q, 8, 4);
	assert_true(hits_of(d, 8) == 4);
	pk_stage_destroy(d);
	pk_stage_destroy(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fold_exact_near_and_far,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_folds_by_pushing,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_fold_exact_in_an_lcore_lane,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_reused_entry_starts_at_zero,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_demux_hits", NULL, NULL);
	pool = pk_test_pool("test_demux_hits", 1024);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
