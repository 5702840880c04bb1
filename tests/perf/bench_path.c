/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_path: what a path and its processing stages cost per packet.
 *
 * One lcore pushes a burst of 32 mbufs into a path that ends in an SP/SC
 * queue_ring and pulls them back from that queue, and, in the same round,
 * pushes them into and pulls them from a bare queue_ring of the same size.
 * The difference is what the path adds. Each of 9 rounds runs 32 short
 * chunks of the bare queue and each path back to back, so every difference
 * is taken under the same load from the machine's other users, and keeps the
 * median chunk difference; the line gives the median over the rounds.
 *
 * path.noop4: path [proc_noop x4, queue_ring]; (path - queue) / 4, in TSC
 *   cycles per packet per stage. The path's own accounting (it always counts
 *   bytes) is shared among the 4 stages. Target <= 3 (the baseline; there is
 *   no raw DPDK part to compare with), ratio = 3 / value.
 * path.noop1: path [proc_noop, queue_ring]; (path - queue) / 1, the same.
 * path.self: path [queue_ring]; path - queue: the path's own cost.
 *
 * Option after "--": --packed takes the mbufs from a pool laid out back to
 * back, as with hugepages. By default they come from rte_pktmbuf_pool_create()
 * which, without hugepages, puts each mbuf in its own 4 KB page: all mbuf
 * headers then share one L1 set, and the path's byte count over a burst
 * misses (see doc/performance.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"

#define PB_RING_SIZE 1024
#define PB_BURST 32
#define PB_ROUNDS 9
#define PB_PKTS_PER_ROUND (4u << 20)
#define PB_CHUNKS 32 /* per round: each case's chunks next to the queue's */
#define PB_MAX_CASES 3
#define PB_TARGET 3.0 /* cycles/pkt/stage, from the issue */

/* Read once per run: n stays a run-time value, as an application's nb_rx. */
static volatile uint16_t pb_burst = PB_BURST;

/* One case: a path of nb_noop proc_noop stages and a queue_ring. */
struct pb_case {
	const char *id;
	unsigned int nb_noop;
	struct pk_path *path;
	struct pk_stage *tail;  /* the path's queue, pulled directly */
};

/* Push into in, pull from out, iters times: cycles taken. */
static __rte_noinline uint64_t
pb_loop(struct pk_stage *in, struct pk_stage *out, struct rte_mbuf **pkts,
	 uint16_t n, uint64_t iters, uint64_t *lost)
{
	uint64_t i, start, cycles, refused = 0;
	uint16_t k;

	start = rte_rdtsc_precise();
	for (i = 0; i < iters; i++) {
		k = pk_stage_push(in, pkts, n);
		k = pk_stage_pull(out, pkts, k);
		refused += n - k;
	}
	cycles = rte_rdtsc_precise() - start;
	*lost += refused;
	return cycles;
}

static struct pk_path *
pb_path_create(const char *id, unsigned int nb_noop, struct pk_stage **tail)
{
	struct pk_path_conf conf = {
		.name = id, .tail = PK_PATH_TAIL_RETURN,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_stage *st[8] = { NULL };
	struct pk_path *p = NULL;
	char name[PK_STAGE_NAMESIZE];
	unsigned int i;

	for (i = 0; i < nb_noop; i++) {
		snprintf(name, sizeof(name), "%s.n%u", id, i);
		st[i] = pk_stage_create("proc_noop", name, NULL, SOCKET_ID_ANY);
	}
	snprintf(name, sizeof(name), "%s.q", id);
	st[nb_noop] = pk_queue_ring_create(name, PB_RING_SIZE, 0, 0,
					   SOCKET_ID_ANY);
	for (i = 0; i <= nb_noop && st[i] != NULL; i++)
		;
	if (i > nb_noop)
		p = pk_path_create(&conf, st, nb_noop + 1);
	if (p == NULL) {
		fprintf(stderr, "%s: cannot build the path: %s\n", id,
			rte_strerror(rte_errno));
		for (i = 0; i <= nb_noop; i++)
			pk_stage_destroy(st[i]); /* still ours */
		return NULL;
	}
	*tail = st[nb_noop];
	return p;
}

static void
pb_report(const struct pb_case *c, double *d, unsigned int n)
{
	const char *unit = c->nb_noop ? "cycles/pkt/stage" : "cycles/pkt";
	double med = bench_median(d, n); /* sorts d */

	fprintf(stderr, "%s %s: min %.3f median %.3f max %.3f\n", c->id, unit,
		d[0], med, d[n - 1]);
	bench_report(c->id, med, unit, PB_TARGET, true);
}

/* Push into and pull from case i's path (-1: the bare queue) for a chunk. */
static double
pb_chunk(const struct pb_case *cases, int i, struct pk_stage *q,
	 struct rte_mbuf **pkts, uint16_t n, uint64_t iters, uint64_t *lost)
{
	struct pk_stage *in = i < 0 ? q : pk_path_stage(cases[i].path);
	struct pk_stage *out = i < 0 ? q : cases[i].tail;

	return pb_loop(in, out, pkts, n, iters, lost) / ((double)iters * n);
}

/*
 * One round: short chunks of the bare queue and of each path, back to back,
 * so that each difference is taken under the same load; the median chunk
 * difference of each case goes to d[case][r].
 */
static void
pb_one_round(const struct pb_case *cases, unsigned int nb_cases,
	     struct pk_stage *q, struct rte_mbuf **pkts, uint16_t n,
	     double d[][PB_ROUNDS], unsigned int r, uint64_t *lost)
{
	double cd[PB_MAX_CASES][PB_CHUNKS], base;
	uint64_t iters = PB_PKTS_PER_ROUND / PB_CHUNKS / n;
	unsigned int c, i, div;

	for (c = 0; c < PB_CHUNKS; c++) {
		base = pb_chunk(cases, -1, q, pkts, n, iters, lost);
		for (i = 0; i < nb_cases; i++) {
			div = cases[i].nb_noop ? cases[i].nb_noop : 1;
			cd[i][c] = (pb_chunk(cases, i, q, pkts, n, iters,
					     lost) - base) / div;
		}
	}
	for (i = 0; i < nb_cases; i++)
		d[i][r] = bench_median(cd[i], PB_CHUNKS);
}

static int
pb_run(const struct pb_case *cases, unsigned int nb_cases, struct pk_stage *q,
       struct rte_mbuf **pkts)
{
	double d[PB_MAX_CASES][PB_ROUNDS];
	uint16_t n = pb_burst;
	uint64_t warm = PB_PKTS_PER_ROUND / 8 / n, lost = 0;
	unsigned int r;
	int i;

	for (i = -1; i < (int)nb_cases; i++)
		pb_chunk(cases, i, q, pkts, n, warm, &lost);
	for (r = 0; r < PB_ROUNDS; r++)
		pb_one_round(cases, nb_cases, q, pkts, n, d, r, &lost);
	if (lost != 0) {
		fprintf(stderr, "bench_path: %" PRIu64 " packets refused\n",
			lost);
		return -1;
	}
	for (i = 0; i < (int)nb_cases; i++)
		pb_report(&cases[i], d[i], PB_ROUNDS);
	return 0;
}

static int
pb_bench(struct rte_mbuf **pkts)
{
	struct pb_case all[PB_MAX_CASES] = {
		{ .id = "path.noop4", .nb_noop = 4 },
		{ .id = "path.noop1", .nb_noop = 1 },
		{ .id = "path.self", .nb_noop = 0 },
	};
	struct pb_case cases[PB_MAX_CASES];
	struct pk_stage *q;
	unsigned int i, n = 0;
	int rc = -1;

	for (i = 0; i < RTE_DIM(all); i++)
		if (bench_wanted(all[i].id))
			cases[n++] = all[i];
	if (n == 0)
		return 0;
	q = pk_queue_ring_create("pb_queue", PB_RING_SIZE, 0, 0,
				 SOCKET_ID_ANY);
	for (i = 0; i < n; i++) {
		cases[i].path = pb_path_create(cases[i].id, cases[i].nb_noop,
					       &cases[i].tail);
		if (cases[i].path == NULL)
			break;
	}
	if (q != NULL && i == n)
		rc = pb_run(cases, n, q, pkts);
	while (i-- > 0)
		pk_path_destroy(cases[i].path);
	pk_stage_destroy(q);
	return rc;
}

/* A pool of n mbufs; packed: back to back, not one per 4 KB page. */
static struct rte_mempool *
pb_pool_create(unsigned int n, bool packed)
{
	return bench_pool_create("pb_pool", n, 0, SOCKET_ID_ANY, packed);
}

/* Take --packed; leave the rest for bench_parse_args(). */
static int
pb_parse_args(int *argc, char **argv, bool *packed)
{
	int i, j = 1;

	for (i = 1; i < *argc; i++)
		if (strcmp(argv[i], "--packed") == 0)
			*packed = true;
		else
			argv[j++] = argv[i];
	*argc = j;
	return bench_parse_args(*argc, argv);
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *pkts[PB_BURST];
	struct rte_mempool *mp;
	bool packed = false;
	unsigned int i;
	int ret, rc;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench_path: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (pb_parse_args(&argc, argv, &packed) != 0) {
		fprintf(stderr, "usage: bench_path <EAL args> -- [--filter=RE]"
			" [--packed]\n");
		return 1;
	}
	mp = pb_pool_create(2 * PB_BURST, packed);
	if (mp == NULL || rte_pktmbuf_alloc_bulk(mp, pkts, PB_BURST) != 0) {
		fprintf(stderr, "bench_path: no mbufs\n");
		return 1;
	}
	/* 64-byte frames: the path counts bytes */
	for (i = 0; i < PB_BURST; i++)
		rte_pktmbuf_append(pkts[i], 64);
	rc = pb_bench(pkts) == 0 ? 0 : 1;
	rte_pktmbuf_free_bulk(pkts, PB_BURST);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return rc;
}
