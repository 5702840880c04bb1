/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_tee: what a sniffer costs the port it watches (issue 15).
 *
 * A port-like path [proc_noop, queue_ring] of 64-byte packets: one lcore
 * pushes a burst of 32 into the path and pulls it back from its queue (so
 * the same mbufs go round), as bench_path does. With a sniffer, a proc_tee
 * heads the path and copies every packet into the sniffer's queue (an MP
 * queue_ring of 4096, as a port's in and out tees would share one). The
 * sniffer queue is drained and its copies freed after each timed chunk of
 * 8 bursts, outside the timing: what is measured is what the real path
 * pays. 256 copies per chunk, as many as the copy pool's lcore cache holds,
 * so the copies' mbufs stay in cache as when a sniffer on another core
 * keeps up (chunks of 2048 copies cost about 110 cycles a packet instead,
 * the pool's memory then being cold). Chunks of each case run back to back
 * with the baseline's, 256 per round, 9 rounds; each line gives the median
 * over rounds of the Mpps the path moved; the timing (rte_rdtsc_precise
 * per chunk of 256 packets) adds about 0.15 cycles a packet to each.
 *
 * tee.sniffer: with a tee making deep copies (rte_pktmbuf_copy into a pool
 *   of its own, cache 256); baseline: the same path without a tee, in the
 *   same run; ratio = value / baseline (< 1: the sniffer's cost).
 * tee.sniffer.clone: the same with clones (rte_pktmbuf_clone).
 * tee.sniffer.detached: a tee with no sink: what keeping one in the path
 *   for a sniffer that may attach costs.
 * Nothing is asserted on timings; a lost copy fails the run (the numbers
 * would flatter the tee). (A node's real sniffer, PK_SOCK_SNIFF, is
 * silk.sniffer, bench_silk_sniff.c.)
 */
#include <inttypes.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"

#define BT_BURST 32
#define BT_FRAME 64
#define BT_RING 1024
#define BT_SNIFF 4096
#define BT_CHUNK 8    /* bursts per timed chunk: 256 copies, one pool cache */
#define BT_CHUNKS 256 /* chunks per round, per case */
#define BT_ROUNDS 9
#define BT_CASES 4    /* [0]: the baseline, no tee */

struct bt_case {
	const char *id;
	bool tee, sink;
	uint32_t flags;         /* PK_TEE_F_CLONE */
	struct pk_path *path;
	struct pk_stage *tail;  /* the path's queue, pulled directly */
	struct pk_stage *teest; /* the tee, inside the path */
	uint64_t cycles;        /* of this round */
};

/* One timed chunk: push into the path, pull back. Cycles taken. */
static __rte_noinline uint64_t
bt_chunk(struct bt_case *c, struct rte_mbuf **pkts, uint64_t *lost)
{
	struct pk_stage *in = pk_path_stage(c->path);
	uint64_t start, cycles;
	uint16_t k;
	int i;

	start = rte_rdtsc_precise();
	for (i = 0; i < BT_CHUNK; i++) {
		k = pk_stage_push(in, pkts, BT_BURST);
		k = pk_stage_pull(c->tail, pkts, k);
		*lost += BT_BURST - k;
	}
	cycles = rte_rdtsc_precise() - start;
	return cycles;
}

/* The sniffer's side, untimed: read and free every copy. */
static void
bt_drain(struct pk_stage *sniff)
{
	struct rte_mbuf *m[64];
	uint16_t k;

	while ((k = pk_stage_pull(sniff, m, RTE_DIM(m))) != 0)
		rte_pktmbuf_free_bulk(m, k);
}

static int
bt_build(struct bt_case *c, struct pk_stage *sniff, struct rte_mempool *cp)
{
	struct pk_path_conf conf = {
		.name = c->id, .tail = PK_PATH_TAIL_RETURN,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_stage *st[3] = { NULL };
	char name[PK_STAGE_NAMESIZE];
	unsigned int n = 0, i;

	if (c->tee) {
		snprintf(name, sizeof(name), "%s.tee", c->id);
		c->teest = st[n++] = pk_tee_create(name, c->sink ? sniff : NULL,
						   cp, 0, c->flags,
						   SOCKET_ID_ANY);
	}
	snprintf(name, sizeof(name), "%s.n", c->id);
	st[n++] = pk_stage_create("proc_noop", name, NULL, SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "%s.q", c->id);
	c->tail = st[n++] = pk_queue_ring_create(name, BT_RING, 0, 0,
						 SOCKET_ID_ANY);
	for (i = 0; i < n && st[i] != NULL; i++)
		;
	if (i == n)
		c->path = pk_path_create(&conf, st, n);
	if (c->path != NULL)
		return 0;
	fprintf(stderr, "%s: cannot build the path: %s\n", c->id,
		rte_strerror(rte_errno));
	for (i = 0; i < n; i++)
		pk_stage_destroy(st[i]); /* still ours */
	return -1;
}

static double
bt_mpps(uint64_t cycles)
{
	double pkts = (double)BT_CHUNKS * BT_CHUNK * BT_BURST;

	return cycles ? pkts / ((double)cycles / rte_get_tsc_hz()) / 1e6 : 0;
}

static int
bt_run(struct bt_case *cases, unsigned int nc, struct pk_stage *sniff,
       struct rte_mbuf **pkts)
{
	double mpps[BT_CASES][BT_ROUNDS], med[BT_CASES];
	struct pk_tee_stats ts;
	uint64_t lost = 0;
	unsigned int r, ch, i;

	for (i = 0; i < nc; i++) { /* warm up */
		bt_chunk(&cases[i], pkts, &lost);
		bt_drain(sniff);
	}
	for (r = 0; r < BT_ROUNDS; r++) {
		for (i = 0; i < nc; i++)
			cases[i].cycles = 0;
		for (ch = 0; ch < BT_CHUNKS; ch++)
			for (i = 0; i < nc; i++) {
				cases[i].cycles += bt_chunk(&cases[i], pkts,
							    &lost);
				bt_drain(sniff);
			}
		for (i = 0; i < nc; i++)
			mpps[i][r] = bt_mpps(cases[i].cycles);
	}
	for (i = 0; i < nc; i++) {
		if (cases[i].teest != NULL &&
		    (pk_tee_stats_get(cases[i].teest, &ts) != 0 ||
		     ts.lost_full + ts.lost_nomem != 0))
			lost++;
	}
	if (lost != 0) {
		fprintf(stderr, "bench_tee: %" PRIu64 " refused or lost\n",
			lost);
		return -1;
	}
	for (i = 0; i < nc; i++) {
		med[i] = bench_median(mpps[i], BT_ROUNDS); /* sorts */
		fprintf(stderr, "%s Mpps: min %.2f median %.2f max %.2f "
			"(%.1f cycles/pkt)\n", cases[i].id, mpps[i][0], med[i],
			mpps[i][BT_ROUNDS - 1],
			rte_get_tsc_hz() / (med[i] * 1e6));
	}
	for (i = 1; i < nc; i++)
		bench_report(cases[i].id, med[i], "Mpps", med[0], false);
	return 0;
}

static int
bt_bench(struct rte_mbuf **pkts)
{
	struct bt_case all[BT_CASES] = {
		{ .id = "tee.sniffer.none" },
		{ .id = "tee.sniffer", .tee = true, .sink = true },
		{ .id = "tee.sniffer.clone", .tee = true, .sink = true,
		  .flags = PK_TEE_F_CLONE },
		{ .id = "tee.sniffer.detached", .tee = true },
	};
	struct bt_case cases[BT_CASES];
	struct rte_mempool *cp;
	struct pk_stage *sniff;
	unsigned int i, n = 1;
	int rc = -1;

	cases[0] = all[0];
	for (i = 1; i < BT_CASES; i++)
		if (bench_wanted(all[i].id))
			cases[n++] = all[i];
	if (n == 1)
		return 0;
	cp = bench_pool_create("bt_copies", 8191, 256, SOCKET_ID_ANY, true);
	sniff = pk_queue_ring_create("bt_sniff", BT_SNIFF, PK_QUEUE_F_MP, 0,
				     SOCKET_ID_ANY);
	for (i = 0; cp != NULL && sniff != NULL && i < n; i++)
		if (bt_build(&cases[i], sniff, cp) != 0)
			break;
	if (cp != NULL && sniff != NULL && i == n)
		rc = bt_run(cases, n, sniff, pkts);
	while (i-- > 0)
		pk_path_destroy(cases[i].path);
	pk_stage_destroy(sniff);
	rte_mempool_free(cp);
	return rc;
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *pkts[BT_BURST];
	struct rte_mempool *mp;
	unsigned int i;
	int ret, rc;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench_tee: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (bench_parse_args(argc, argv) != 0) {
		fprintf(stderr,
			"usage: bench_tee <EAL args> -- [--filter=RE]\n");
		return 1;
	}
	mp = bench_pool_create("bt_pool", 2 * BT_BURST, 0, SOCKET_ID_ANY,
			       false);
	if (mp == NULL || rte_pktmbuf_alloc_bulk(mp, pkts, BT_BURST) != 0) {
		fprintf(stderr, "bench_tee: no mbufs\n");
		return 1;
	}
	for (i = 0; i < BT_BURST; i++) /* 64-byte frames */
		memset(rte_pktmbuf_append(pkts[i], BT_FRAME), (int)i, BT_FRAME);
	rc = bt_bench(pkts) == 0 ? 0 : 1;
	rte_pktmbuf_free_bulk(pkts, BT_BURST);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return rc;
}
