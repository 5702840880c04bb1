/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_DEMUX_FIXTURE_H
#define PK_DEMUX_FIXTURE_H

/*
 * What the demux_flow tests on three queues share (test_demux.c,
 * test_demux_frag.c): the addresses, the pool, a demux "dmx" of 16 keys
 * with queues q0..q2 and a miss queue per test (setup, teardown: all
 * destroyed, then the pools full), UDP frames numbered by seq, IPv4 keys,
 * and a queue's seqs checked. Include after pk_test.h and demux_frames.h.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>

#include <pathkit/pathkit.h>

#define LOCAL RTE_IPV4(10, 0, 0, 2)
#define LOCAL2 RTE_IPV4(10, 0, 0, 3)
#define PEER RTE_IPV4(100, 64, 1, 7)
#define SEQ_OFF (14 + 20 + 8) /* pk_test_seq() reads here */

static struct rte_mempool *pool;

struct fixture {
	struct pk_stage *d;
	struct pk_stage *q[3];
	struct pk_stage *miss;
};

static inline int
setup(void **state)
{
	static struct fixture f;
	struct pk_demux_conf conf = { .name = "dmx", .capacity = 16,
				      .socket_id = SOCKET_ID_ANY };
	char name[8];
	unsigned int i;

	for (i = 0; i < RTE_DIM(f.q); i++) {
		snprintf(name, sizeof(name), "q%u", i);
		f.q[i] = pk_queue_ring_create(name, 64, 0, 0, SOCKET_ID_ANY);
		assert_non_null(f.q[i]);
	}
	f.miss = pk_queue_ring_create("miss", 64, 0, 0, SOCKET_ID_ANY);
	assert_non_null(f.miss);
	f.d = pk_demux_flow_create(&conf);
	assert_non_null(f.d);
	*state = &f;
	return 0;
}

static inline int
teardown(void **state)
{
	struct fixture *f = *state;
	unsigned int i;

	pk_stage_destroy(f->d);
	for (i = 0; i < RTE_DIM(f->q); i++)
		pk_stage_destroy(f->q[i]); /* drains */
	pk_stage_destroy(f->miss);
	return pk_test_teardown_pools_full(state);
}

static inline struct rte_mbuf *
udp4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
     uint32_t seq)
{
	struct frame_spec fs = frame_udp4(src, sport, dst, dport);
	struct rte_mbuf *m = frame_new(pool, &fs);
	rte_be32_t s = rte_cpu_to_be_32(seq);

	assert_non_null(m);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, SEQ_OFF), &s, 4);
	return m;
}

static inline struct pk_flow_key
key4(uint8_t proto, uint32_t l, uint16_t lp, uint32_t r, uint16_t rp)
{
	struct pk_flow_key k;

	pk_flow_key_ipv4(&k, proto, rte_cpu_to_be_32(l), rte_cpu_to_be_16(lp),
			 rte_cpu_to_be_32(r), rte_cpu_to_be_16(rp));
	return k;
}

/* Pull everything from q; check the seqs, in order; free. */
static inline void
expect_queue(struct pk_stage *q, const uint32_t *seqs, unsigned int n)
{
	struct rte_mbuf *m[64];
	unsigned int i, k;

	k = pk_stage_pull(q, m, RTE_DIM(m));
	assert_int_equal(k, n);
	for (i = 0; i < k; i++)
		if (seqs != NULL)
			assert_int_equal(pk_test_seq(m[i]), seqs[i]);
	rte_pktmbuf_free_bulk(m, k);
}

#endif /* PK_DEMUX_FIXTURE_H */
