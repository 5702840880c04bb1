/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RCU_CHURN_H
#define RCU_CHURN_H

/*
 * test_rcu's stages: generators whose pull makes numbered UDP packets of
 * their flows (flow f: destination port BASE_PORT + f, the seq after the
 * UDP header), a target per flow that checks each packet is its flow's and
 * in order, then counts and frees it, and a miss stage that does the same
 * for every flow. Header-only, static; include after <cmocka.h> and
 * "pk_test.h", with a pool the generators allocate from.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_stage_driver.h>

#define NB_GENS 4             /* runner x2, thread_lcore, entry */
#define FLOWS_PER_GEN 8
#define NB_FLOWS (NB_GENS * FLOWS_PER_GEN)
#define BASE_PORT 5000
#define FRAME_LEN 64
#define OFF_DPORT (14 + 20 + 2)
#define OFF_SEQ (14 + 20 + 8)

static struct rte_mempool *pool;

/* ---- a generator: pull makes numbered packets of its flows ---- */

struct gen {
	struct pk_stage s;
	uint32_t first_flow;
	uint32_t next;
	uint32_t seq[FLOWS_PER_GEN];
	uint64_t made;  /* atomic */
};

static uint32_t gen_stop; /* atomic: generators make nothing more */

static void
frame_write(struct rte_mbuf *m, uint16_t dport, uint32_t seq)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, FRAME_LEN);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(p, 0, FRAME_LEN);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(FRAME_LEN - sizeof(*eh));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001u);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002u);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(1024);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(FRAME_LEN - 34);
	memcpy(p + OFF_SEQ, &seq, sizeof(seq));
}

static void
frame_read(const struct rte_mbuf *m, uint32_t *flow, uint32_t *seq)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	*flow = (uint32_t)((p[OFF_DPORT] << 8 | p[OFF_DPORT + 1]) - BASE_PORT);
	memcpy(seq, p + OFF_SEQ, sizeof(*seq));
}

static uint16_t
gen_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct gen *g = (struct gen *)s;
	uint16_t n = max, i;
	uint32_t f;

	if (__atomic_load_n(&gen_stop, __ATOMIC_ACQUIRE) ||
	    rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		f = g->next++ % FLOWS_PER_GEN;
		frame_write(pkts[i], (uint16_t)(BASE_PORT + g->first_flow + f),
			    ++g->seq[f]);
	}
	__atomic_store_n(&g->made, g->made + n, __ATOMIC_RELEASE);
	return n;
}

static const struct pk_stage_ops gen_ops = {
	.kind = "test_gen", .pull = gen_pull, .caps = PK_STAGE_CAP_PULL,
};

/* ---- a flow's target: checks and counts, then frees ---- */

/* In libc memory, freed with its target: ASan sees a late push. */
struct sink_rec {
	uint32_t flow;
	uint32_t last;    /* last seq seen here */
	uint64_t got;
};

struct sink {
	struct pk_stage s;
	struct sink_rec *rec;
};

static uint64_t wrong;       /* atomic: packets at another flow's target */
static uint64_t unordered;   /* atomic: seq not above the last one */
static uint64_t retired_got; /* packets counted by destroyed targets */
static uint32_t miss_last[NB_FLOWS]; /* one writer per flow: its pusher */
static uint64_t miss_got[NB_FLOWS];

static uint16_t
sink_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct sink_rec *r = ((struct sink *)s)->rec;
	uint32_t flow, seq;
	uint16_t i;

	for (i = 0; i < n; i++) {
		frame_read(pkts[i], &flow, &seq);
		if (flow != r->flow)
			__atomic_fetch_add(&wrong, 1, __ATOMIC_RELAXED);
		else if (seq <= r->last)
			__atomic_fetch_add(&unordered, 1, __ATOMIC_RELAXED);
		else
			r->last = seq;
		r->got++;
	}
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

static void
sink_destroy(struct pk_stage *s)
{
	struct sink *k = (struct sink *)s;

	retired_got += k->rec->got;
	free(k->rec);
	pk_stage_free(s);
}

static const struct pk_stage_ops sink_ops = {
	.kind = "test_sink", .push = sink_push, .destroy = sink_destroy,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH,
};

static uint16_t
miss_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t flow, seq;
	uint16_t i;

	RTE_SET_USED(s);
	for (i = 0; i < n; i++) {
		frame_read(pkts[i], &flow, &seq);
		if (flow >= NB_FLOWS) {
			__atomic_fetch_add(&wrong, 1, __ATOMIC_RELAXED);
			continue; /* freed below, never counted */
		}
		if (seq <= miss_last[flow])
			__atomic_fetch_add(&unordered, 1, __ATOMIC_RELAXED);
		miss_last[flow] = seq;
		miss_got[flow]++;
	}
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

static const struct pk_stage_ops miss_ops = {
	.kind = "test_miss", .push = miss_push,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH,
};

static struct pk_stage *
sink_new(uint32_t flow)
{
	char name[32];
	struct pk_stage *s;

	snprintf(name, sizeof(name), "sink%u", flow);
	s = pk_stage_alloc(sizeof(struct sink), &sink_ops, name, 0,
			   SOCKET_ID_ANY);
	assert_non_null(s);
	((struct sink *)s)->rec = calloc(1, sizeof(struct sink_rec));
	assert_non_null(((struct sink *)s)->rec);
	((struct sink *)s)->rec->flow = flow;
	return s;
}

static void
flow_key(uint32_t flow, struct pk_flow_key *k)
{
	pk_flow_key_ipv4(k, IPPROTO_UDP, rte_cpu_to_be_32(0x0a000002u),
			 rte_cpu_to_be_16((uint16_t)(BASE_PORT + flow)), 0, 0);
}

#endif /* RCU_CHURN_H */
