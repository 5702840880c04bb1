/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_capture: what a capture costs the path it watches, and what a drop
 * costs with and without a drop sink (issue 18).
 *
 * Capture cases: a path-like chain [X, queue_ring] of 64-byte packets; one
 * lcore pushes a burst of 32 into X and pulls it back from the queue (the
 * same mbufs go round), in timed chunks of 8 bursts, 256 chunks per round,
 * 9 rounds, cases back to back with the baseline's; each line gives the
 * median Mpps.
 *   capture.none: X = proc_noop (the baseline);
 *   capture.closed: X = a proc_capture whose file is closed (what keeping
 *     one in the path costs: it only passes packets on);
 *   capture.on: X = a proc_capture writing every packet (rte_pcapng_copy
 *     into its pool, onto its ring); its writer (polled) writes to
 *     /dev/null after each chunk, untimed, so nothing is lost.
 * Drop cases: a burst of 32 allocated, given a 64-byte IPv4 frame with TTL
 * 1, and pushed into a proc_ttl stage, which drops them all (expired);
 *   drop.free: the same bursts freed without the stage (the baseline);
 *   drop.ttl: dropped and freed on the spot (no drop sink): the cost the
 *     drop sink's check adds shows in instructions (callgrind --filter);
 *   drop.ttl.sink: dropped into a capture (drops=1) as drop sink.
 * The drop cases need nothing but pk_stage.h, so that this file also builds
 * against a tree without captures, for a before/after count.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"

#define BC_BURST 32
#define BC_FRAME 64
#define BC_CHUNK 8
#define BC_CHUNKS 256
#define BC_ROUNDS 9
#define BC_CASES 3

struct bc_case {
	const char *id;
	int kind;               /* 0: none/free, 1: closed/ttl, 2: on/sink */
	struct pk_stage *x, *q; /* capture cases: X, the queue */
	struct pk_stage *sink;  /* drop cases: the drop sink, or NULL */
	uint64_t cycles;
};

static struct rte_mempool *bc_pool;
static uint8_t bc_frame[BC_FRAME];

/* One timed chunk of a capture case. */
static __rte_noinline uint64_t
bc_chunk(struct bc_case *c, struct rte_mbuf **pkts)
{
	uint64_t start = rte_rdtsc_precise();
	uint16_t k;
	int i;

	for (i = 0; i < BC_CHUNK; i++) {
		k = pk_stage_push(c->x, pkts, BC_BURST);
		pk_stage_pull(c->q, pkts, k);
	}
	return rte_rdtsc_precise() - start;
}

/* One timed chunk of a drop case. */
static __rte_noinline uint64_t
bc_drop_chunk(struct bc_case *c)
{
	struct rte_mbuf *m[BC_BURST];
	uint64_t start = rte_rdtsc_precise();
	int i, j;

	for (i = 0; i < BC_CHUNK; i++) {
		if (rte_pktmbuf_alloc_bulk(bc_pool, m, BC_BURST) != 0)
			return 0;
		for (j = 0; j < BC_BURST; j++) {
			memcpy(rte_pktmbuf_mtod(m[j], void *), bc_frame,
			       BC_FRAME);
			m[j]->data_len = m[j]->pkt_len = BC_FRAME;
		}
		if (c->x != NULL)
			pk_stage_push(c->x, m, BC_BURST);
		else
			rte_pktmbuf_free_bulk(m, BC_BURST);
	}
	return rte_rdtsc_precise() - start;
}

static void
bc_run(struct bc_case *cases, unsigned int n, struct rte_mbuf **pkts,
       bool drops)
{
	double mpps[BC_CASES][BC_ROUNDS], med[BC_CASES];
	uint64_t hz = rte_get_tsc_hz();
	unsigned int r, i, ch;

	for (r = 0; r < BC_ROUNDS; r++) {
		for (i = 0; i < n; i++)
			cases[i].cycles = 0;
		for (ch = 0; ch < BC_CHUNKS; ch++)
			for (i = 0; i < n; i++) {
				cases[i].cycles += drops ?
					bc_drop_chunk(&cases[i]) :
					bc_chunk(&cases[i], pkts);
#ifdef PK_CAPTURE_H
				if (cases[i].kind == 2)
					pk_capture_poll(drops ? cases[i].sink :
							cases[i].x, UINT32_MAX);
#endif
			}
		for (i = 0; i < n; i++)
			mpps[i][r] = (double)BC_CHUNKS * BC_CHUNK * BC_BURST *
				     hz / (cases[i].cycles + 1) / 1e6;
	}
	for (i = 0; i < n; i++) {
		med[i] = bench_median(mpps[i], BC_ROUNDS);
		if (i > 0)
			bench_report(cases[i].id, med[i], "Mpps", med[0],
				     false);
	}
}

static int
bc_build(struct bc_case *c, unsigned int i, bool drops)
{
	char name[32];

	snprintf(name, sizeof(name), "bc_x%u%s", i, drops ? "d" : "");
	if (drops) {
		if (c->kind == 0)
			return 0;
		c->x = pk_stage_create("proc_ttl", name, NULL, SOCKET_ID_ANY);
#ifdef PK_CAPTURE_H
		if (c->kind == 2)
			c->sink = pk_stage_create("proc_capture", "bc_sink",
				"file=/dev/null,polled=1,drops=1",
				SOCKET_ID_ANY);
		if (c->sink != NULL)
			pk_stage_set_drop_sink(c->x, c->sink);
#endif
		return c->x != NULL ? 0 : -1;
	}
	c->x = c->kind == 0 ?
	       pk_stage_create("proc_noop", name, NULL, SOCKET_ID_ANY) :
	       pk_stage_create("proc_capture", name,
			       "file=/dev/null,polled=1", SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "bc_q%u", i);
	c->q = pk_queue_ring_create(name, 1024, 0, 0, SOCKET_ID_ANY);
	if (c->x == NULL || c->q == NULL || pk_stage_link(c->x, c->q) != 0)
		return -1;
#ifdef PK_CAPTURE_H
	if (c->kind == 1)
		pk_capture_close(c->x);
#endif
	return 0;
}

static int
bc_bench(struct rte_mbuf **pkts, bool drops)
{
	static const struct bc_case all[2][BC_CASES] = {
		{ { .id = "capture.none" }, { .id = "capture.closed", .kind = 1 },
		  { .id = "capture.on", .kind = 2 } },
		{ { .id = "drop.free" }, { .id = "drop.ttl", .kind = 1 },
		  { .id = "drop.ttl.sink", .kind = 2 } },
	};
	struct bc_case cases[BC_CASES];
	unsigned int i, n = 1;
	int rc = 0;

	cases[0] = all[drops][0];
	for (i = 1; i < BC_CASES; i++) {
#ifndef PK_CAPTURE_H
		if (!drops || all[drops][i].kind == 2)
			continue;
#endif
		if (bench_wanted(all[drops][i].id))
			cases[n++] = all[drops][i];
	}
	if (n == 1)
		return 0;
	for (i = 0; i < n && rc == 0; i++)
		rc = bc_build(&cases[i], i, drops);
	if (rc == 0)
		bc_run(cases, n, pkts, drops);
	while (i-- > 0) {
		pk_stage_destroy(cases[i].x);
		pk_stage_destroy(cases[i].q);
		pk_stage_destroy(cases[i].sink);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *pkts[BC_BURST];
	unsigned int i;
	int ret, rc;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench_capture: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	if (bench_parse_args(argc - ret, argv + ret) != 0) {
		fprintf(stderr,
			"usage: bench_capture <EAL args> -- [--filter=RE]\n");
		return 1;
	}
	/* Ethernet, IPv4 (TTL 1: proc_ttl drops it), UDP */
	bc_frame[12] = 0x08;
	bc_frame[14] = 0x45;
	bc_frame[17] = BC_FRAME - 14;
	bc_frame[22] = 1;
	bc_frame[23] = 17;
	bc_pool = bench_pool_create("bc_pool", 1023, 256, SOCKET_ID_ANY,
				    false);
	if (bc_pool == NULL ||
	    rte_pktmbuf_alloc_bulk(bc_pool, pkts, BC_BURST) != 0) {
		fprintf(stderr, "bench_capture: no mbufs\n");
		return 1;
	}
	for (i = 0; i < BC_BURST; i++)
		memcpy(rte_pktmbuf_append(pkts[i], BC_FRAME), bc_frame,
		       BC_FRAME);
	rc = bc_bench(pkts, false) == 0 && bc_bench(pkts, true) == 0 ? 0 : 1;
	rte_pktmbuf_free_bulk(pkts, BC_BURST);
	rte_mempool_free(bc_pool);
	rte_eal_cleanup();
	return rc;
}
