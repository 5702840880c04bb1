/* SPDX-License-Identifier: BSD-3-Clause */
/* demux_flow into many paths (more targets than it keeps in the cache, so
 * its pushes prefetch each target's lines): a path whose processing head
 * counts for it says so (PK_STAGE_CAP_PUSH_CTX), one that counts bytes
 * does not; every path gets the packets of its two keys, in order; every
 * key's hits are exact when a burst's groups mix keys (both keys of a path
 * in one group) and when they do not, in a small demux (counters added
 * while grouping) and a large one (after the pushes); what the paths count
 * is what they got; everything freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "demux_frames.h"

#define NPATH 200 /* > DEMUX_PF_TARGETS (64): the demux prefetches */
#define NKEY (2 * NPATH) /* key k goes to path k / 2 */
/* past DEMUX_HITS_NEAR_BYTES (1 MiB of 32-bit counters): added after the
 * pushes */
#define FAR_CAPACITY (1u << 18)
#define ROUNDS 3
#define LOCAL RTE_IPV4(10, 0, 0, 2)
#define PEER RTE_IPV4(100, 64, 1, 7)
#define SEQ_OFF (14 + 20 + 8) /* pk_test_seq() reads here */

static struct rte_mempool *pool;

static struct pk_flow_key
key_of(uint32_t k)
{
	struct pk_flow_key key;

	pk_flow_key_ipv4(&key, IPPROTO_UDP, rte_cpu_to_be_32(LOCAL),
			 rte_cpu_to_be_16(1024 + k), 0, 0);
	return key;
}

/* A datagram for key k carrying seq (pk_test_seq()). */
static struct rte_mbuf *
to_key(uint32_t k, uint32_t seq)
{
	struct frame_spec fs = frame_udp4(PEER, 9, LOCAL, 1024 + k);
	rte_be32_t s = rte_cpu_to_be_32(seq);
	struct rte_mbuf *m = frame_new(pool, &fs);

	assert_non_null(m);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, SEQ_OFF), &s, 4);
	return m;
}

/* Path i: proc_noop -> queue_ring; flags 0 (its head counts for it) or
 * PK_STAGE_F_BYTES (it counts its own). */
static struct pk_path *
mk_path(uint32_t i, uint32_t flags, struct pk_stage **q)
{
	char n[3][24];
	struct pk_path_conf conf = { .name = n[0], .owner = 1,
				     .flags = flags,
				     .socket_id = SOCKET_ID_ANY };
	struct pk_stage *st[2];
	struct pk_path *p;

	snprintf(n[0], sizeof(n[0]), "p%u", i);
	snprintf(n[1], sizeof(n[1]), "h%u", i);
	snprintf(n[2], sizeof(n[2]), "q%u", i);
	st[0] = pk_stage_create("proc_noop", n[1], NULL, SOCKET_ID_ANY);
	st[1] = *q = pk_queue_ring_create(n[2], 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(st[0]);
	assert_non_null(st[1]);
	p = pk_path_create(&conf, st, 2);
	assert_non_null(p);
	return p;
}

/*
 * ROUNDS rounds, each one packet per key in bursts of 32: in order (both
 * keys of a path side by side: groups mix keys), then scattered (a key's
 * packet alone in its group, mostly). Every path's queue then holds its
 * keys' packets in the order sent, and every key ROUNDS hits.
 */
static void
send_and_check(struct pk_stage *d, struct pk_path **p, struct pk_stage **q)
{
	struct rte_mbuf *m[NKEY];
	struct pk_stage_stats st;
	struct pk_flow_key key;
	uint32_t r, j, k, seq, last[NPATH];
	uint64_t hits;

	for (r = 0; r < ROUNDS; r++) {
		for (j = 0; j < NKEY; j++) { /* 7 and NKEY are coprime */
			k = r == 0 ? j : j * 7 % NKEY;
			/* seq: when it was sent, then its key */
			m[j] = to_key(k, (r * NKEY + j) * NKEY + k);
		}
		for (j = 0; j < NKEY; j += 32)
			assert_int_equal(pk_stage_push(d, &m[j],
						       RTE_MIN(32u, NKEY - j)),
					 RTE_MIN(32u, NKEY - j));
	}
	memset(last, 0, sizeof(last));
	for (j = 0; j < NPATH; j++) {
		assert_int_equal(pk_stage_len(q[j]), 2 * ROUNDS);
		for (r = 0; r < 2 * ROUNDS; r++) {
			assert_int_equal(pk_stage_pull(q[j], m, 1), 1);
			seq = pk_test_seq(m[0]);
			assert_int_equal(seq % NKEY / 2, j);
			assert_true(r == 0 || seq > last[j]); /* sent order */
			last[j] = seq;
			rte_pktmbuf_free(m[0]);
		}
		assert_int_equal(pk_stage_stats_get(pk_path_stage(p[j]), &st),
				 0);
		assert_int_equal(st.in_pkts, 2 * ROUNDS);
	}
	for (k = 0; k < NKEY; k++) {
		key = key_of(k);
		assert_int_equal(pk_demux_flow_hits(d, &key, &hits), 0);
		assert_int_equal(hits, ROUNDS);
	}
}

static void
test_paths_get_their_packets_and_exact_hits(void **state)
{
	struct pk_demux_conf conf = { .name = "paths",
				      .socket_id = SOCKET_ID_ANY };
	static struct pk_path *p[NPATH];
	static struct pk_stage *q[NPATH];
	struct pk_flow_key key;
	struct pk_stage *d;
	uint32_t i, v, flags;

	(void)state;
	for (v = 0; v < 4; v++) {
		flags = v & 1 ? PK_STAGE_F_BYTES : 0;
		/* hit counters near (added while grouping) or far (after) */
		conf.capacity = v & 2 ? FAR_CAPACITY : NKEY;
		d = pk_demux_flow_create(&conf);
		assert_non_null(d);
		for (i = 0; i < NPATH; i++) {
			p[i] = mk_path(i, flags, &q[i]);
			/* a path with its own counters is pushed itself */
			assert_int_equal(pk_path_stage(p[i])->caps &
						 PK_STAGE_CAP_PUSH_CTX,
					 flags ? 0 : PK_STAGE_CAP_PUSH_CTX);
			key = key_of(2 * i);
			assert_int_equal(pk_demux_flow_add(d, &key,
							   pk_path_stage(p[i])),
					 0);
			key = key_of(2 * i + 1);
			assert_int_equal(pk_demux_flow_add(d, &key,
							   pk_path_stage(p[i])),
					 0);
		}
		send_and_check(d, p, q);
		pk_stage_destroy(d);
		for (i = 0; i < NPATH; i++)
			pk_path_destroy(p[i]);
		pk_test_assert_pools_full();
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_get_their_packets_and_exact_hits),
	};
	int rc;

	pk_test_eal_init("test_demux_paths", NULL, NULL);
	pool = pk_test_pool("test_demux_paths", 2 * ROUNDS * NKEY);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
