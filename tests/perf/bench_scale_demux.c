/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_scale's scale.demux variants (the K loop: bench_scale.c).
 *
 * scale.demux.kK: K workers push into one demux_flow with mt=1 (1024 keys
 *   to 16 sink targets that take everything and do nothing), each a
 *   registered reader reporting a quiescent state after each burst, each
 *   with its own 4096 packets (64-byte UDP) uniform over all 1024 flows:
 *   every key is hit from every lcore. Mpps summed over the workers.
 * scale.demux.raw.kK: the same packets, pk_flow_parse() and
 *   rte_hash_lookup_bulk_data() on a bare rte_hash (the demux's
 *   parameters), runs handed to their sinks, a quiescent state per burst.
 */
#include <assert.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_stage_driver.h>

#include "bench_demux_raw.h"
#include "bench_scale.h"

static_assert(BS_BURST <= BENCH_RAW_BURST, "the raw baseline's bursts");

#define BS_FLOWS 1024
#define BS_TARGETS 16
#define BS_DEMUX_PKTS 4096   /* per pushing lcore */

struct bs_demux {
	struct pk_stage *d;
	struct rte_hash *h;          /* the raw side's bare table */
	struct rte_rcu_qsbr *qsbr;   /* and its RCU variable */
	struct pk_stage *sinks[BS_TARGETS];
	struct rte_mempool *mp;
	struct rte_mbuf **pkts[RTE_MAX_LCORE]; /* by worker index */
};

/* A target that takes every packet and does nothing: they stay ours. */
static uint16_t
bs_sink_keep(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(s);
	RTE_SET_USED(pkts);
	return n;
}

static const struct pk_stage_ops bs_keep_ops = {
	.kind = "bench_keep", .push = bs_sink_keep,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH,
};

static void
bs_flow_key(uint32_t f, struct pk_flow_key *k)
{
	pk_flow_key_ipv4(k, IPPROTO_UDP, RTE_BE32(RTE_IPV4(10, 0, 0, 2)),
			 RTE_BE16(9),
			 rte_cpu_to_be_32(RTE_IPV4(10, 128, 0, 0) + f),
			 rte_cpu_to_be_16(1024 + f));
}

/* Packet m as flow f: 64 bytes, Ethernet/IPv4/UDP (bench_demux's). */
static void
bs_make_udp4(struct rte_mbuf *m, uint32_t f)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	rte_pktmbuf_reset(m);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 64);
	memset(eh, 0, 64);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = RTE_BE16(50);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 128, 0, 0) + f);
	ip->dst_addr = RTE_BE32(RTE_IPV4(10, 0, 0, 2));
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(1024 + f);
	udp->dst_port = RTE_BE16(9);
	udp->dgram_len = RTE_BE16(30);
}

static int
bs_demux_main(void *arg)
{
	struct bs_demux *x = arg;
	unsigned int lc = rte_lcore_id(), i;
	struct rte_mbuf **pkts = x->pkts[bs_worker_index()];
	uint64_t *cnt = &bs_cnt[lc].pkts;

	if (pk_demux_flow_reader_register(x->d, lc) != 0) {
		fprintf(stderr, "scale.demux: lcore %u cannot register\n", lc);
		return -1;
	}
	while (!bs_stop)
		for (i = 0; i < BS_DEMUX_PKTS; i += BS_BURST) {
			bs_cnt_add(cnt, pk_stage_push(x->d, &pkts[i],
						      BS_BURST));
			pk_demux_flow_quiescent(x->d, lc);
		}
	pk_demux_flow_reader_unregister(x->d, lc);
	return 0;
}

static int
bs_demux_raw_main(void *arg)
{
	struct bs_demux *x = arg;
	unsigned int lc = rte_lcore_id(), i;
	struct rte_mbuf **pkts = x->pkts[bs_worker_index()];
	uint64_t *cnt = &bs_cnt[lc].pkts;

	rte_rcu_qsbr_thread_register(x->qsbr, lc);
	rte_rcu_qsbr_thread_online(x->qsbr, lc);
	while (!bs_stop)
		for (i = 0; i < BS_DEMUX_PKTS; i += BS_BURST) {
			bs_cnt_add(cnt, bench_raw_demux_burst(x->h, &pkts[i],
						     BS_BURST));
			rte_rcu_qsbr_quiescent(x->qsbr, lc);
		}
	rte_rcu_qsbr_thread_offline(x->qsbr, lc);
	rte_rcu_qsbr_thread_unregister(x->qsbr, lc);
	return 0;
}

static int
bs_demux_start(void *ctx, unsigned int k)
{
	return bs_launch(bs_demux_main, ctx, k);
}

static int
bs_demux_raw_start(void *ctx, unsigned int k)
{
	return bs_launch(bs_demux_raw_main, ctx, k);
}

static uint64_t
bs_count_lcores(void *ctx)
{
	RTE_SET_USED(ctx);
	return bs_cnt_sum();
}

static int
bs_demux_setup(struct bs_demux *x)
{
	struct pk_demux_conf dc = { .name = "bs_demux", .capacity = BS_FLOWS,
				    .socket_id = SOCKET_ID_ANY,
				    .flags = PK_DEMUX_F_MT };
	struct rte_hash_parameters hp = {
		.name = "bs_bare", .entries = BS_FLOWS,
		.key_len = sizeof(struct pk_flow_key),
		.hash_func = rte_hash_crc, .socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct pk_flow_key key;
	char name[PK_STAGE_NAMESIZE];
	unsigned int i, k;

	for (i = 0; i < BS_TARGETS; i++) {
		snprintf(name, sizeof(name), "bs_keep%u", i);
		x->sinks[i] = pk_stage_alloc(sizeof(struct pk_stage),
					     &bs_keep_ops, name, 0,
					     SOCKET_ID_ANY);
		if (x->sinks[i] == NULL)
			return -1;
	}
	x->d = pk_demux_flow_create(&dc);
	x->h = rte_hash_create(&hp);
	x->qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE),
			      RTE_CACHE_LINE_SIZE);
	if (x->d == NULL || x->h == NULL || x->qsbr == NULL ||
	    rte_rcu_qsbr_init(x->qsbr, RTE_MAX_LCORE) != 0)
		return -1;
	for (i = 0; i < BS_FLOWS; i++) {
		bs_flow_key(i, &key);
		if (pk_demux_flow_add(x->d, &key, x->sinks[i % BS_TARGETS]) ||
		    rte_hash_add_key_data(x->h, &key,
					  x->sinks[i % BS_TARGETS]) != 0)
			return -1;
	}
	x->mp = rte_pktmbuf_pool_create("bs_demux", bs_nb_workers *
					BS_DEMUX_PKTS + 1023, 256, 0, 256,
					rte_socket_id());
	if (x->mp == NULL)
		return -1;
	for (k = 0; k < bs_nb_workers; k++) {
		x->pkts[k] = rte_malloc(NULL, BS_DEMUX_PKTS * sizeof(void *),
					RTE_CACHE_LINE_SIZE);
		if (x->pkts[k] == NULL ||
		    rte_pktmbuf_alloc_bulk(x->mp, x->pkts[k],
					   BS_DEMUX_PKTS) != 0) {
			rte_free(x->pkts[k]);
			x->pkts[k] = NULL;
			return -1;
		}
		for (i = 0; i < BS_DEMUX_PKTS; i++)
			bs_make_udp4(x->pkts[k][i], rte_rand() % BS_FLOWS);
	}
	return 0;
}

static void
bs_demux_teardown(struct bs_demux *x)
{
	unsigned int i;

	for (i = 0; i < bs_nb_workers; i++)
		if (x->pkts[i] != NULL) {
			rte_pktmbuf_free_bulk(x->pkts[i], BS_DEMUX_PKTS);
			rte_free(x->pkts[i]);
		}
	pk_stage_destroy(x->d);
	rte_hash_free(x->h);
	rte_free(x->qsbr);
	for (i = 0; i < BS_TARGETS; i++)
		pk_stage_destroy(x->sinks[i]);
	bs_pool_free(x->mp);
}

void
bs_demux(void)
{
	static struct bs_demux x;
	struct bs_variant pk = { "scale.demux", bs_demux_start,
				 bs_count_lcores, bs_wait_workers, bs_sleep,
				 &x };
	struct bs_variant raw = { "scale.demux.raw", bs_demux_raw_start,
				  bs_count_lcores, bs_wait_workers, bs_sleep,
				  &x };
	bool want_pk = bs_wanted("scale.demux", bs_nb_workers);
	bool want_raw = bs_wanted("scale.demux.raw", bs_nb_workers);

	if (!want_pk && !want_raw)
		return;
	if (bs_demux_setup(&x) != 0) {
		fprintf(stderr, "scale.demux: setup failed: %s\n",
			rte_strerror(rte_errno));
	} else {
		bs_say_lcores("scale.demux", bs_nb_workers, bs_workers,
			      bs_nb_workers);
		bs_run("scale.demux", want_pk ? &pk : NULL, "scale.demux.raw",
		       want_raw ? &raw : NULL, bs_nb_workers);
	}
	bs_demux_teardown(&x);
}
