/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow's target slots and entry indexes (drivers/demux/demux_flow_pvt.h,
 * white box): the slots start at DEMUX_SLOTS_MIN and double when a new
 * target finds none free, while another lcore pushes (no packet lost, each
 * to its own target, old slots and new) and the add that grows them waits
 * for the demux's readers before it frees the old targets[]; a grow that
 * finds no memory leaves the demux as it was; a key's entry index is its
 * hash position; a key deleted and added again counts from 0, exactly.
 * EAL: -l 0,1 (the test's lcore adds targets, lcore 1 pushes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_hash.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "demux_frames.h"
#include "demux_flow_pvt.h"

#define LOCAL RTE_IPV4(10, 0, 0, 2)
#define PEER RTE_IPV4(100, 64, 1, 7)
#define BASE_PORT 1000
#define BURST 32
/* past three doublings of DEMUX_SLOTS_MIN (64 -> 128 -> 256 -> 512) */
#define NB_GROW_TARGETS 300

static struct rte_mempool *pool;

static struct pk_stage *
demux_new(uint32_t capacity)
{
	struct pk_demux_conf conf = { .name = "slots", .capacity = capacity,
				      .socket_id = SOCKET_ID_ANY };
	struct pk_stage *d = pk_demux_flow_create(&conf);

	assert_non_null(d);
	return d;
}

/* A datagram PEER:9 -> LOCAL:port. */
static struct rte_mbuf *
datagram(uint16_t port)
{
	struct frame_spec fs = frame_udp4(PEER, 9, LOCAL, port);

	return frame_new(pool, &fs);
}

/* The destination port of a datagram() (no VLAN, 20-byte IPv4 header). */
static uint16_t
port_of(const struct rte_mbuf *m)
{
	return rte_be_to_cpu_16(*rte_pktmbuf_mtod_offset(m, const uint16_t *,
							 14 + 20 + 2));
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
push_to(struct pk_stage *d, struct pk_stage *q, uint16_t port, unsigned int n)
{
	struct rte_mbuf *m[BURST];
	unsigned int i;

	for (i = 0; i < n; i++) {
		m[i] = datagram(port);
		assert_non_null(m[i]);
	}
	assert_int_equal(pk_stage_push(d, m, n), n);
	pk_test_drain_free(q, n);
}

/* ---- growing while an lcore pushes ---- */

struct grow_run {
	struct pk_stage *d;
	struct pk_stage *q[NB_GROW_TARGETS];
	unsigned int ready;  /* keys installed: ports BASE_PORT.. (release) */
	unsigned int stop;
	uint64_t bursts;     /* the pusher's, read by the control lcore */
	uint64_t sent, got, back, wrong;
};

/* Pull what q[t] holds: each packet must be for port BASE_PORT + t. */
static void
grow_drain(struct grow_run *r, unsigned int t)
{
	struct rte_mbuf *m[BURST];
	unsigned int i, k;

	while ((k = pk_stage_pull(r->q[t], m, BURST)) > 0) {
		for (i = 0; i < k; i++)
			r->wrong += port_of(m[i]) != BASE_PORT + t;
		r->got += k;
		rte_pktmbuf_free_bulk(m, k);
	}
}

/* Bursts to the installed keys in turn (so to old slots and new), each
 * target drained after the burst; a quiescent state after each. */
static int
grow_pusher(void *arg)
{
	struct grow_run *r = arg;
	struct rte_mbuf *m[BURST];
	unsigned int i, n, next = 0, id = rte_lcore_id();
	uint16_t k;
	bool last = false;

	if (pk_demux_flow_reader_register(r->d, id) != 0)
		return -1;
	while (!last) {
		last = __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) != 0;
		n = __atomic_load_n(&r->ready, __ATOMIC_ACQUIRE);
		for (i = 0; i < BURST; i++)
			m[i] = datagram(BASE_PORT + (next + i) % n);
		k = pk_stage_push(r->d, m, BURST);
		r->sent += BURST;
		r->back += BURST - k;
		rte_pktmbuf_free_bulk(&m[k], BURST - k);
		for (i = 0; i < RTE_MIN(n, (unsigned int)BURST); i++)
			grow_drain(r, (next + i) % n);
		next = (next + BURST) % n;
		pk_demux_flow_quiescent(r->d, id);
		__atomic_store_n(&r->bursts, r->bursts + 1, __ATOMIC_RELEASE);
	}
	pk_demux_flow_reader_unregister(r->d, id);
	return 0;
}

/* Wait (bounded) until the pusher did two more bursts. */
static void
grow_wait_bursts(struct grow_run *r)
{
	uint64_t b = __atomic_load_n(&r->bursts, __ATOMIC_ACQUIRE);

	WAIT_FOR(__atomic_load_n(&r->bursts, __ATOMIC_ACQUIRE) >= b + 2);
	assert_true(__atomic_load_n(&r->bursts, __ATOMIC_ACQUIRE) >= b + 2);
}

static void
test_grow_while_an_lcore_pushes(void **state)
{
	static struct grow_run r;
	struct pk_flow_key k;
	unsigned int t, worker = rte_get_next_lcore(-1, 1, 0);
	char name[PK_STAGE_NAMESIZE];
	uint64_t hits = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.d = demux_new(1024);
	assert_int_equal(demux_of(r.d)->sl.nb_slots, DEMUX_SLOTS_MIN);
	for (t = 0; t < NB_GROW_TARGETS; t++) {
		snprintf(name, sizeof(name), "g%u", t);
		r.q[t] = pk_test_ring(name, 256);
	}
	k = frame_key_udp4(LOCAL, BASE_PORT);
	assert_int_equal(pk_demux_flow_add(r.d, &k, r.q[0]), 0);
	__atomic_store_n(&r.ready, 1, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_remote_launch(grow_pusher, &r, worker), 0);
	for (t = 1; t < NB_GROW_TARGETS; t++) {
		grow_wait_bursts(&r); /* the adds interleave with pushes */
		k = frame_key_udp4(LOCAL, BASE_PORT + t);
		assert_int_equal(pk_demux_flow_add(r.d, &k, r.q[t]), 0);
		__atomic_store_n(&r.ready, t + 1, __ATOMIC_RELEASE);
	}
	grow_wait_bursts(&r);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_wait_lcore(worker), 0);
	/* 300 targets and the miss slot: three doublings */
	assert_int_equal(demux_of(r.d)->sl.nb_slots, 8 * DEMUX_SLOTS_MIN);
	printf("grow: sent=%" PRIu64 " got=%" PRIu64 " bursts=%" PRIu64 "\n",
	       r.sent, r.got, r.bursts);
	assert_true(r.sent >= 2 * NB_GROW_TARGETS * BURST);
	assert_int_equal(r.back, 0);
	assert_int_equal(r.wrong, 0);
	assert_int_equal(r.got, r.sent);
	for (t = 0; t < NB_GROW_TARGETS; t++) {
		hits += hits_of(r.d, BASE_PORT + t);
		k = frame_key_udp4(LOCAL, BASE_PORT + t);
		assert_ptr_equal(pk_demux_flow_resolve(r.d, &k), r.q[t]);
	}
	assert_int_equal(hits, r.sent); /* no packet counted to the spare */
	pk_stage_destroy(r.d);
	for (t = 0; t < NB_GROW_TARGETS; t++)
		pk_stage_destroy(r.q[t]);
}

/* ---- the old targets[] outlives its readers ---- */

struct grow_add {
	struct pk_stage *d, *q;
	struct pk_flow_key k;
	int rc;
	unsigned int done;
};

static void *
grow_add_main(void *arg)
{
	struct grow_add *a = arg;

	a->rc = pk_demux_flow_add(a->d, &a->k, a->q);
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The add that grows the slots returns only after every reader of the
 * demux passed a quiescent state: a reader that loaded targets[] before
 * may still read it, so it is freed only then. Here a registered reader
 * (this lcore) holds off; the add (another thread) must still be waiting
 * 50 ms later, and returns once the reader reports.
 */
static void
test_grow_waits_for_readers(void **state)
{
	enum { N = DEMUX_SLOTS_MIN - 1 };
	struct pk_stage *q[N + 1], *d = demux_new(1024);
	unsigned int t, id = rte_lcore_id();
	char name[PK_STAGE_NAMESIZE];
	struct grow_add a = { .d = d };
	pthread_t ctl;

	(void)state;
	for (t = 0; t <= N; t++) {
		snprintf(name, sizeof(name), "w%u", t);
		q[t] = pk_test_ring(name, 64);
	}
	for (t = 0; t < N; t++) {
		a.k = frame_key_udp4(LOCAL, BASE_PORT + t);
		assert_int_equal(pk_demux_flow_add(d, &a.k, q[t]), 0);
	}
	assert_int_equal(pk_demux_flow_reader_register(d, id), 0);
	a.k = frame_key_udp4(LOCAL, BASE_PORT + N);
	a.q = q[N];
	assert_int_equal(pthread_create(&ctl, NULL, grow_add_main, &a), 0);
	usleep(50 * 1000);
	assert_int_equal(__atomic_load_n(&a.done, __ATOMIC_ACQUIRE), 0);
	pk_demux_flow_quiescent(d, id);
	WAIT_FOR(__atomic_load_n(&a.done, __ATOMIC_ACQUIRE) != 0);
	pthread_join(ctl, NULL);
	assert_int_equal(a.rc, 0);
	assert_int_equal(demux_of(d)->sl.nb_slots, 2 * DEMUX_SLOTS_MIN);
	assert_int_equal(pk_demux_flow_reader_unregister(d, id), 0);
	push_to(d, q[N], BASE_PORT + N, 3);
	pk_stage_destroy(d);
	for (t = 0; t <= N; t++)
		pk_stage_destroy(q[t]);
}

/* ---- a grow that finds no memory ---- */

/* Take every block of the malloc heap down to 64 bytes: a list through
 * the blocks themselves. */
static void *
heap_fill(void)
{
	void *list = NULL, *p;
	size_t sz;

	for (sz = (size_t)1 << 26; sz >= 64; sz /= 2)
		while ((p = rte_malloc(NULL, sz, 0)) != NULL) {
			*(void **)p = list;
			list = p;
		}
	return list;
}

static void
heap_release(void *list)
{
	void *next;

	for (; list != NULL; list = next) {
		next = *(void **)list;
		rte_free(list);
	}
}

/*
 * DEMUX_SLOTS_MIN - 1 targets fill the first slots; the next target's add
 * must grow them, with the heap full: -ENOMEM, and the demux as it was
 * (keys, targets, slots, pushes); with the heap back, the same add works.
 */
static void
test_failed_grow_leaves_the_demux_as_it_was(void **state)
{
	enum { N = DEMUX_SLOTS_MIN - 1 };
	struct pk_stage *q[N + 1], *d = demux_new(1024);
	struct demux_flow *df = demux_of(d);
	struct pk_stage **targets = df->targets;
	char name[PK_STAGE_NAMESIZE];
	struct pk_flow_key k;
	unsigned int t;
	void *fill;
	int rc;

	(void)state;
	for (t = 0; t <= N; t++) {
		snprintf(name, sizeof(name), "f%u", t);
		q[t] = pk_test_ring(name, 64);
	}
	for (t = 0; t < N; t++) {
		k = frame_key_udp4(LOCAL, BASE_PORT + t);
		assert_int_equal(pk_demux_flow_add(d, &k, q[t]), 0);
	}
	assert_int_equal(df->sl.nb_free, 0);
	fill = heap_fill();
	assert_non_null(fill);
	k = frame_key_udp4(LOCAL, BASE_PORT + N);
	rc = pk_demux_flow_add(d, &k, q[N]);
	heap_release(fill);
	assert_int_equal(rc, -ENOMEM);
	assert_int_equal(pk_demux_flow_count(d), N);
	assert_null(pk_demux_flow_resolve(d, &k));
	assert_ptr_equal(df->targets, targets);
	assert_int_equal(df->sl.nb_slots, DEMUX_SLOTS_MIN);
	assert_int_equal(df->sl.nb_free, 0);
	for (t = 0; t < N; t++) {
		k = frame_key_udp4(LOCAL, BASE_PORT + t);
		assert_ptr_equal(pk_demux_flow_resolve(d, &k), q[t]);
		push_to(d, q[t], BASE_PORT + t, 2);
		assert_true(hits_of(d, BASE_PORT + t) == 2);
	}
	k = frame_key_udp4(LOCAL, BASE_PORT + N);
	assert_int_equal(pk_demux_flow_add(d, &k, q[N]), 0);
	assert_int_equal(df->sl.nb_slots, 2 * DEMUX_SLOTS_MIN);
	push_to(d, q[N], BASE_PORT + N, 3);
	assert_true(hits_of(d, BASE_PORT + N) == 3);
	/* remove_target still finds each target's keys after the grow */
	for (t = 0; t <= N; t++)
		assert_int_equal(pk_demux_flow_remove_target(d, q[t]), 1);
	assert_int_equal(pk_demux_flow_count(d), 0);
	pk_stage_destroy(d);
	for (t = 0; t <= N; t++)
		pk_stage_destroy(q[t]);
}

/* ---- entry indexes ---- */

/* Every key's entry index is its position in the hash, and unique. */
static void
test_entry_index_is_the_hash_position(void **state)
{
	enum { N = 100 };
	struct pk_stage *q = pk_test_ring("q", 64), *d = demux_new(N);
	struct demux_flow *df = demux_of(d);
	bool seen[N] = { false };
	struct pk_flow_key k;
	unsigned int i;
	int32_t pos;
	void *data;

	(void)state;
	for (i = 0; i < N; i++) {
		k = frame_key_udp4(LOCAL, BASE_PORT + i);
		assert_int_equal(pk_demux_flow_add(d, &k, q), 0);
	}
	for (i = 0; i < N; i++) {
		k = frame_key_udp4(LOCAL, BASE_PORT + i);
		pos = rte_hash_lookup_data(df->h, &k, &data);
		assert_true(pos >= 0 && pos < (int32_t)df->entries);
		assert_int_equal(demux_data_idx(data), pos);
		assert_false(seen[pos]);
		seen[pos] = true;
	}
	pk_stage_destroy(d);
	pk_stage_destroy(q);
}

/*
 * A key deleted and added again counts from 0: at once (its old position
 * still in its grace period, a new one) and after a synchronize (its old
 * position free again).
 */
static void
test_hits_exact_after_delete_and_readd(void **state)
{
	struct pk_stage *q = pk_test_ring("q", 64), *d = demux_new(16);
	struct pk_flow_key k = frame_key_udp4(LOCAL, BASE_PORT);
	unsigned int round;

	(void)state;
	assert_int_equal(pk_demux_flow_add(d, &k, q), 0);
	for (round = 0; round < 2 * demux_of(d)->entries; round++) {
		push_to(d, q, BASE_PORT, 5 + round % 7);
		assert_true(hits_of(d, BASE_PORT) == 5 + round % 7);
		assert_int_equal(pk_demux_flow_del(d, &k), 0);
		if (round % 2)
			assert_int_equal(pk_demux_flow_synchronize(d), 0);
		assert_int_equal(pk_demux_flow_add(d, &k, q), 0);
		assert_true(hits_of(d, BASE_PORT) == 0);
	}
	pk_stage_destroy(d);
	pk_stage_destroy(q);
}

int
main(void)
{
	static const char *const extra[] = { "-l", "0,1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_grow_while_an_lcore_pushes,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_grow_waits_for_readers,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(
			test_failed_grow_leaves_the_demux_as_it_was,
			pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_entry_index_is_the_hash_position,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_hits_exact_after_delete_and_readd,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_require_cores("test_demux_slots", 2);
	pk_test_eal_init("test_demux_slots", NULL, extra);
	pool = pk_test_pool("test_demux_slots", 2048);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
