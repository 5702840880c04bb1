/* SPDX-License-Identifier: BSD-3-Clause */
/* demux_flow with many targets (issue 14): 100,000 sockets, each a
 * queue_ring of 64 with one UDP key of its own; every socket's packet
 * reaches its queue and no other; remove_target and del + re-add churn
 * reuse slots and entries (the demux stays at its capacity, the heap at its
 * size); a small demux's slots against a model through random churn over
 * many targets; what one socket costs, printed, and no memzone per socket;
 * everything freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "demux_frames.h"

#define NSOCK 100000
#define QSIZE 64
#define BLOCK 1024 /* sockets sent to at once: one packet each */
#define LOCAL RTE_IPV4(10, 0, 0, 2)
#define PEER RTE_IPV4(100, 64, 1, 7)
#define PORTS 50000 /* local ports per address: 1024 + i % PORTS */
#define SEQ_OFF (14 + 20 + 8) /* pk_test_seq() reads here */

static struct rte_mempool *pool;

/* NSOCK sockets: q[i] takes the key of socket i, sock_key(i). */
struct fixture {
	struct pk_stage *d;
	struct pk_stage *q[NSOCK];
	uint64_t heap_at_start;
};

static void
count_mz(const struct rte_memzone *mz, void *arg)
{
	RTE_SET_USED(mz);
	(*(unsigned int *)arg)++;
}

/* Memzones in use: Debian's DPDK has 2560 in all, so none per socket. */
static unsigned int
memzones(void)
{
	unsigned int n = 0;

	rte_memzone_walk(count_mz, &n);
	return n;
}

/* Heap bytes of a bare rte_hash made as the demux makes its own. */
static uint64_t
bare_hash_bytes(uint32_t entries)
{
	struct rte_hash_parameters hp = {
		.name = "bare", .entries = entries,
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_hash_crc, .socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	uint64_t before = pk_test_heap_used(), bytes;
	struct rte_hash *h = rte_hash_create(&hp);

	assert_non_null(h);
	bytes = pk_test_heap_used() - before;
	rte_hash_free(h);
	return bytes;
}

/* Socket i's local address and port: 50,000 ports on each address. */
static void
sock_addr(uint32_t i, uint32_t *laddr, uint16_t *lport)
{
	*laddr = (uint32_t)LOCAL + i / PORTS;
	*lport = 1024 + i % PORTS;
}

static struct pk_flow_key
sock_key(uint32_t i)
{
	struct pk_flow_key k;
	uint32_t laddr;
	uint16_t lport;

	sock_addr(i, &laddr, &lport);
	pk_flow_key_ipv4(&k, IPPROTO_UDP, rte_cpu_to_be_32(laddr),
			 rte_cpu_to_be_16(lport), 0, 0);
	return k;
}

static struct pk_stage *
sock_queue(uint32_t i)
{
	char name[16];
	struct pk_stage *q;

	snprintf(name, sizeof(name), "s%u", i);
	q = pk_queue_ring_create(name, QSIZE, 0, 0, SOCKET_ID_ANY);
	assert_non_null(q);
	return q;
}

/* A datagram to socket i carrying seq i. */
static struct rte_mbuf *
to_sock(uint32_t i)
{
	struct frame_spec fs;
	struct rte_mbuf *m;
	rte_be32_t s = rte_cpu_to_be_32(i);
	uint32_t laddr;
	uint16_t lport;

	sock_addr(i, &laddr, &lport);
	fs = frame_udp4(PEER, 9, laddr, lport);
	m = frame_new(pool, &fs);
	assert_non_null(m);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, SEQ_OFF), &s, 4);
	return m;
}

/*
 * One datagram to every socket, BLOCK sockets at a time in a scattered
 * order, bursts of 32; then socket i's packet must be alone in q[i ^ flip]
 * (flip 1: the keys of each pair 2k, 2k+1 were swapped).
 */
static void
send_to_all(struct fixture *f, uint32_t flip)
{
	struct rte_mbuf *m[BLOCK];
	uint32_t b, j, i, n;

	for (b = 0; b < NSOCK; b += BLOCK) {
		n = RTE_MIN((uint32_t)BLOCK, NSOCK - b);
		for (j = 0; j < n; j++) /* 389 and 1024 are coprime */
			m[j] = to_sock(b + (n == BLOCK ? j * 389 % BLOCK : j));
		for (j = 0; j < n; j += 32)
			assert_int_equal(pk_stage_push(f->d, &m[j],
						       RTE_MIN(32u, n - j)),
					 RTE_MIN(32u, n - j));
		for (i = b; i < b + n; i++) {
			assert_int_equal(pk_stage_pull(f->q[i ^ flip], m, 2),
					 1);
			assert_int_equal(pk_test_seq(m[0]), i);
			rte_pktmbuf_free(m[0]);
		}
	}
}

static int
group_setup(void **state)
{
	static struct fixture f;
	struct pk_demux_conf conf = { .name = "many", .capacity = NSOCK,
				      .socket_id = SOCKET_ID_ANY };
	uint64_t h0, h1, h2, h3, t0, t1, t2;
	struct pk_flow_key k;
	double hz = rte_get_tsc_hz();
	uint32_t i, mz;

	h0 = pk_test_heap_used();
	f.heap_at_start = h0;
	f.d = pk_demux_flow_create(&conf);
	assert_non_null(f.d);
	h1 = pk_test_heap_used();
	mz = memzones();
	t0 = rte_get_tsc_cycles();
	for (i = 0; i < NSOCK; i++)
		f.q[i] = sock_queue(i);
	t1 = rte_get_tsc_cycles();
	h2 = pk_test_heap_used();
	assert_int_equal(memzones(), mz); /* rte_ring_init() on the heap */
	for (i = 0; i < NSOCK; i++) {
		k = sock_key(i);
		assert_int_equal(pk_demux_flow_add(f.d, &k, f.q[i]), 0);
	}
	t2 = rte_get_tsc_cycles();
	h3 = pk_test_heap_used();
	assert_int_equal(pk_demux_flow_count(f.d), NSOCK);
	/* what one socket's demux side costs (rte_malloc heap bytes) */
	fprintf(stderr, "test_demux_many: %u sockets: demux %.0f B/key "
		"(rte_hash %.0f; %.0f more once keys are in), queue_ring of "
		"%u %.0f B; per socket %.2f us queue + %.2f us key\n", NSOCK,
		(double)(h1 - h0) / NSOCK,
		(double)bare_hash_bytes(NSOCK) / NSOCK,
		(double)(h3 - h2) / NSOCK, QSIZE,
		(double)(h2 - h1) / NSOCK, (t1 - t0) / hz * 1e6 / NSOCK,
		(t2 - t1) / hz * 1e6 / NSOCK);
	*state = &f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;
	uint32_t i;

	pk_stage_destroy(f->d);
	for (i = 0; i < NSOCK; i++)
		pk_stage_destroy(f->q[i]);
	pk_test_assert_pools_full();
	assert_int_equal(pk_test_heap_used(), f->heap_at_start);
	return 0;
}

static void
test_every_socket_gets_its_own_packets(void **state)
{
	struct fixture *f = *state;
	struct pk_flow_key k;
	uint64_t hits;
	uint32_t i;

	send_to_all(f, 0);
	for (i = 0; i < NSOCK; i += 997) {
		k = sock_key(i);
		assert_ptr_equal(pk_demux_flow_resolve(f->d, &k), f->q[i]);
		assert_int_equal(pk_demux_flow_hits(f->d, &k, &hits), 0);
		assert_int_equal(hits, 1);
	}
	/* full: a new socket's key finds no room */
	k = sock_key(NSOCK);
	assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[0]), -ENOSPC);
	pk_test_assert_pools_full();
}

static void
test_close_and_reopen_reuse_slots(void **state)
{
	struct fixture *f = *state;
	uint64_t heap = pk_test_heap_used();
	struct pk_flow_key k, k2;
	uint32_t i;

	/* close every 5th socket (remove_target, then destroy), reopen it */
	for (i = 0; i < NSOCK; i += 5) {
		assert_int_equal(pk_demux_flow_remove_target(f->d, f->q[i]), 1);
		pk_stage_destroy(f->q[i]);
		f->q[i] = sock_queue(i);
	}
	assert_int_equal(pk_demux_flow_count(f->d), NSOCK - NSOCK / 5);
	for (i = 0; i < NSOCK; i += 5) {
		k = sock_key(i);
		assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[i]), 0);
	}
	send_to_all(f, 0);
	/* swap the keys of each pair: deleted keys wait out their grace
	 * while the demux is full, so adds must reclaim them first */
	for (i = 0; i < NSOCK; i += 2) {
		k = sock_key(i);
		k2 = sock_key(i + 1);
		assert_int_equal(pk_demux_flow_del(f->d, &k), 0);
		assert_int_equal(pk_demux_flow_del(f->d, &k2), 0);
		assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[i + 1]), 0);
		assert_int_equal(pk_demux_flow_add(f->d, &k2, f->q[i]), 0);
	}
	send_to_all(f, 1);
	for (i = 0; i < NSOCK; i += 2) { /* and back, by remove_target */
		assert_int_equal(pk_demux_flow_remove_target(f->d, f->q[i]), 1);
		assert_int_equal(pk_demux_flow_remove_target(f->d,
							     f->q[i + 1]), 1);
		k = sock_key(i);
		k2 = sock_key(i + 1);
		assert_int_equal(pk_demux_flow_add(f->d, &k, f->q[i]), 0);
		assert_int_equal(pk_demux_flow_add(f->d, &k2, f->q[i + 1]), 0);
	}
	send_to_all(f, 0);
	assert_int_equal(pk_demux_flow_synchronize(f->d), 0);
	assert_int_equal(pk_demux_flow_count(f->d), NSOCK);
	/* same sockets, same keys: not a byte more */
	assert_int_equal(pk_test_heap_used(), heap);
	pk_test_assert_pools_full();
}

#define MODEL_KEYS 8

/* The packet for model key k: back to us, or in the queue it names. */
static void
model_check_packet(struct pk_stage *d, struct pk_stage *want, uint32_t sock)
{
	struct rte_mbuf *m = to_sock(sock);

	if (want == NULL) {
		assert_int_equal(pk_stage_push(d, &m, 1), 0);
		rte_pktmbuf_free(m);
		return;
	}
	assert_int_equal(pk_stage_push(d, &m, 1), 1);
	assert_int_equal(pk_stage_pull(want, &m, 2), 1);
	assert_int_equal(pk_test_seq(m), sock);
	rte_pktmbuf_free(m);
}

static void
test_small_demux_slots_follow_a_model(void **state)
{
	struct fixture *f = *state;
	struct pk_demux_conf conf = { .name = "model",
				      .capacity = MODEL_KEYS,
				      .socket_id = SOCKET_ID_ANY };
	struct pk_stage *d = pk_demux_flow_create(&conf);
	struct pk_stage *model[MODEL_KEYS] = { NULL }, *t;
	const uint32_t base = NSOCK + 1000; /* keys no socket has */
	uint64_t r = 42;
	uint32_t i, k, n, want;
	struct pk_flow_key key;

	/* 8 keys over 300 targets: the target index (16 cells) collides
	 * all the time, and slots come and go in every order */
	assert_non_null(d);
	for (i = 0; i < 20000; i++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		k = (r >> 33) % MODEL_KEYS;
		t = f->q[(r >> 40) % 300];
		key = sock_key(base + k);
		switch ((r >> 20) % 8) {
		case 0: /* close a socket */
			for (want = 0, n = 0; n < MODEL_KEYS; n++)
				if (model[n] == t) {
					model[n] = NULL;
					want++;
				}
			assert_int_equal(pk_demux_flow_remove_target(d, t),
					 want);
			break;
		case 1:
			assert_int_equal(pk_demux_flow_synchronize(d), 0);
			/* fall through */
		case 2:
			assert_int_equal(pk_demux_flow_del(d, &key),
					 model[k] != NULL ? 0 : -ENOENT);
			model[k] = NULL;
			break;
		default: /* (re)bind key k to t */
			if (model[k] != NULL)
				assert_int_equal(pk_demux_flow_del(d, &key), 0);
			assert_int_equal(pk_demux_flow_add(d, &key, t), 0);
			model[k] = t;
		}
		for (want = 0, n = 0; n < MODEL_KEYS; n++) {
			key = sock_key(base + n);
			assert_ptr_equal(pk_demux_flow_resolve(d, &key),
					 model[n]);
			want += model[n] != NULL;
		}
		assert_int_equal(pk_demux_flow_count(d), want);
		model_check_packet(d, model[k], base + k);
	}
	pk_stage_destroy(d);
	pk_test_assert_pools_full();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_socket_gets_its_own_packets),
		cmocka_unit_test(test_close_and_reopen_reuse_slots),
		cmocka_unit_test(test_small_demux_slots_follow_a_model),
	};
	int rc;

	pk_test_eal_init("test_demux_many", NULL, NULL);
	pool = pk_test_pool("test_demux_many", 2 * BLOCK);
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	pk_test_eal_cleanup();
	return rc;
}
