/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_queue_ring: the queue_ring stage against the raw rte_ring it wraps.
 *
 * queue_ring.burst32: one lcore pushes a burst of 32 mbuf pointers and pulls
 *   them back, through pk_stage_push()/pk_stage_pull() on an SP/SC queue_ring
 *   and through rte_ring_sp_enqueue_burst()/rte_ring_sc_dequeue_burst() on an
 *   SP/SC ring of the same size, with the same 32 mbufs. Each of 9 rounds
 *   (8M packets a side) alternates raw and PathKit in 32 short chunks, so
 *   both sides see the same load from the machine's other users, and keeps
 *   the median chunk of each side; the line gives the medians over the
 *   rounds, in TSC cycles per packet (one push and one pull of it),
 *   ratio = raw / pk (target >= 0.95).
 * queue_ring.burst32.mpmc: the same on MP/MC rings, uncontended.
 * queue_ring.red: the same push and pull of 32 through an SP/SC queue_ring
 *   carrying a RED dropper (pk_dropper.h) and through one without, chunks
 *   alternating as above; 32 packets stand in both, so a burst finds 32
 *   to 63 and RED, with min_th 96, decides every packet (its average, a
 *   TSC read and the queue's length per burst) and drops none. Mpps of
 *   push-and-pull pairs, baseline the queue without a dropper, ratio =
 *   red / plain.
 *
 * The burst size is read at run time, as an application's nb_rx is, so the
 * compiler cannot specialise the raw loop for n == 32 when the stage, behind
 * its function pointer, cannot be. Spread (min/median/max) goes to stderr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"

#define QB_RING_SIZE 1024
#define QB_BURST 32
#define QB_ROUNDS 9
#define QB_PKTS_PER_ROUND (8u << 20)
#define QB_CHUNKS 32 /* per round, alternating: both sides see the same load */
#define QB_STANDING 32 /* queue_ring.red: packets left in each queue */

/* Read once per round: keeps n a run-time value in both loops. */
static volatile uint16_t qb_burst = QB_BURST;

/* One case: a raw ring and the stage that wraps the same kind of ring. */
struct qb_case {
	const char *id;
	bool mt;                  /* MP/MC rather than SP/SC */
	struct rte_ring *ring;
	struct pk_stage *q;
};

/* Raw loop; mt is a constant at each call site, so each variant inlines. */
static __rte_always_inline uint64_t
qb_raw_loop(struct rte_ring *r, struct rte_mbuf **pkts, uint16_t n,
	    uint64_t iters, bool mt, uint64_t *lost)
{
	void **objs = (void **)pkts;
	uint64_t i, start, cycles, refused = 0;
	unsigned int k;

	start = rte_rdtsc_precise();
	for (i = 0; i < iters; i++) {
		if (mt) {
			k = rte_ring_mp_enqueue_burst(r, objs, n, NULL);
			k = rte_ring_mc_dequeue_burst(r, objs, k, NULL);
		} else {
			k = rte_ring_sp_enqueue_burst(r, objs, n, NULL);
			k = rte_ring_sc_dequeue_burst(r, objs, k, NULL);
		}
		refused += n - k;
	}
	cycles = rte_rdtsc_precise() - start;
	*lost += refused;
	return cycles;
}

static __rte_noinline uint64_t
qb_raw_chunk(const struct qb_case *c, struct rte_mbuf **pkts, uint16_t n,
	     uint64_t iters, uint64_t *lost)
{
	if (c->mt)
		return qb_raw_loop(c->ring, pkts, n, iters, true, lost);
	return qb_raw_loop(c->ring, pkts, n, iters, false, lost);
}

static __rte_noinline uint64_t
qb_pk_chunk(const struct qb_case *c, struct rte_mbuf **pkts, uint16_t n,
	    uint64_t iters, uint64_t *lost)
{
	uint64_t i, start, cycles, refused = 0;
	uint16_t k;

	start = rte_rdtsc_precise();
	for (i = 0; i < iters; i++) {
		k = pk_stage_push(c->q, pkts, n);
		k = pk_stage_pull(c->q, pkts, k);
		refused += n - k;
	}
	cycles = rte_rdtsc_precise() - start;
	*lost += refused;
	return cycles;
}

static void
qb_spread(const char *id, const char *side, double *v, unsigned int n)
{
	double med = bench_median(v, n); /* sorts v */

	fprintf(stderr, "%s %s cycles/pkt: min %.3f median %.3f max %.3f\n",
		id, side, v[0], med, v[n - 1]);
}

/* One round: chunks alternate raw and PathKit; the median chunk of each. */
static void
qb_round(const struct qb_case *c, struct rte_mbuf **pkts, uint16_t n,
	 double *raw, double *pk, uint64_t *lost)
{
	double craw[QB_CHUNKS], cpk[QB_CHUNKS];
	uint64_t iters = QB_PKTS_PER_ROUND / QB_CHUNKS / n;
	double per = (double)iters * n;
	unsigned int i;

	for (i = 0; i < QB_CHUNKS; i++) {
		if (i % 2 == 0) {
			craw[i] = qb_raw_chunk(c, pkts, n, iters, lost) / per;
			cpk[i] = qb_pk_chunk(c, pkts, n, iters, lost) / per;
		} else {
			cpk[i] = qb_pk_chunk(c, pkts, n, iters, lost) / per;
			craw[i] = qb_raw_chunk(c, pkts, n, iters, lost) / per;
		}
	}
	*raw = bench_median(craw, QB_CHUNKS);
	*pk = bench_median(cpk, QB_CHUNKS);
}

static int
qb_run(const struct qb_case *c, struct rte_mbuf **pkts)
{
	double raw[QB_ROUNDS], pk[QB_ROUNDS];
	uint16_t n = qb_burst;
	uint64_t lost = 0;
	unsigned int r;

	qb_raw_chunk(c, pkts, n, QB_PKTS_PER_ROUND / 8 / n, &lost); /* warm */
	qb_pk_chunk(c, pkts, n, QB_PKTS_PER_ROUND / 8 / n, &lost);
	for (r = 0; r < QB_ROUNDS; r++)
		qb_round(c, pkts, n, &raw[r], &pk[r], &lost);
	if (lost != 0) {
		/* a ring of 1024 never refuses 32: the measurement is wrong */
		fprintf(stderr, "%s: %" PRIu64 " packets refused\n", c->id,
			lost);
		return -1;
	}
	qb_spread(c->id, "raw", raw, QB_ROUNDS);
	qb_spread(c->id, "pk", pk, QB_ROUNDS);
	bench_report(c->id, bench_median(pk, QB_ROUNDS), "cycles/pkt",
		     bench_median(raw, QB_ROUNDS), true);
	return 0;
}

static int
qb_case_init(struct qb_case *c, const char *id, bool mt)
{
	unsigned int rflags = mt ? 0 : RING_F_SP_ENQ | RING_F_SC_DEQ;
	uint32_t qflags = mt ? PK_QUEUE_F_MP | PK_QUEUE_F_MC : 0;

	c->id = id;
	c->mt = mt;
	c->ring = rte_ring_create(mt ? "qb_raw_mt" : "qb_raw", QB_RING_SIZE,
				  SOCKET_ID_ANY, rflags);
	c->q = pk_queue_ring_create(mt ? "qb_pk_mt" : "qb_pk", QB_RING_SIZE,
				    qflags, 0, SOCKET_ID_ANY);
	if (c->ring == NULL || c->q == NULL) {
		fprintf(stderr, "%s: cannot create rings: %s\n", id,
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void
qb_case_fini(struct qb_case *c)
{
	rte_ring_free(c->ring);
	pk_stage_destroy(c->q);
}

static int
qb_bench(const char *id, bool mt, struct rte_mbuf **pkts)
{
	struct qb_case c = { 0 };
	int rc = -1;

	if (!bench_wanted(id))
		return 0;
	if (qb_case_init(&c, id, mt) == 0)
		rc = qb_run(&c, pkts);
	qb_case_fini(&c);
	return rc;
}

/* One round of queue_ring.red: chunks alternate plain and RED. */
static void
qb_red_round(const struct qb_case *plain, const struct qb_case *red,
	     struct rte_mbuf **pkts, uint16_t n, double *vp, double *vr,
	     uint64_t *lost)
{
	double cp[QB_CHUNKS], cr[QB_CHUNKS];
	uint64_t iters = QB_PKTS_PER_ROUND / QB_CHUNKS / n;
	double per = (double)iters * n;
	unsigned int i;

	for (i = 0; i < QB_CHUNKS; i++) {
		if (i % 2 == 0) {
			cp[i] = qb_pk_chunk(plain, pkts, n, iters, lost) / per;
			cr[i] = qb_pk_chunk(red, pkts, n, iters, lost) / per;
		} else {
			cr[i] = qb_pk_chunk(red, pkts, n, iters, lost) / per;
			cp[i] = qb_pk_chunk(plain, pkts, n, iters, lost) / per;
		}
	}
	*vp = bench_median(cp, QB_CHUNKS);
	*vr = bench_median(cr, QB_CHUNKS);
}

static int
qb_red_bench(struct rte_mbuf **pkts, struct rte_mempool *mp)
{
	struct pk_dropper_conf dc = { .kind = PK_DROPPER_RED };
	struct qb_case c[2] = { { .id = "queue_ring.red" },
				{ .id = "queue_ring.red" } };
	double vp[QB_ROUNDS], vr[QB_ROUNDS], hz = rte_get_tsc_hz() / 1e6;
	struct rte_mbuf *stand[QB_STANDING];
	struct pk_stage_stats st;
	uint16_t n = qb_burst;
	uint64_t lost = 0;
	unsigned int i;
	int rc = -1;

	if (!bench_wanted("queue_ring.red"))
		return 0;
	dc.red = (struct pk_dropper_red){ .min_th = 96, .max_th = 192,
					  .maxp_inv = 10, .wq_log2 = 9 };
	c[0].q = pk_queue_ring_create("qb_plain", QB_RING_SIZE, 0, 0,
				      SOCKET_ID_ANY);
	c[1].q = pk_queue_ring_create("qb_red", QB_RING_SIZE, 0, 0,
				      SOCKET_ID_ANY);
	if (c[0].q == NULL || c[1].q == NULL ||
	    pk_queue_set_dropper(c[1].q, &dc) != 0)
		goto out;
	for (i = 0; i < 2; i++)
		if (rte_pktmbuf_alloc_bulk(mp, stand, QB_STANDING) != 0 ||
		    pk_stage_push(c[i].q, stand, QB_STANDING) != QB_STANDING)
			goto out;
	qb_pk_chunk(&c[0], pkts, n, QB_PKTS_PER_ROUND / 8 / n, &lost);
	qb_pk_chunk(&c[1], pkts, n, QB_PKTS_PER_ROUND / 8 / n, &lost);
	for (i = 0; i < QB_ROUNDS; i++)
		qb_red_round(&c[0], &c[1], pkts, n, &vp[i], &vr[i], &lost);
	pk_stage_stats_get(c[1].q, &st);
	if (lost != 0 || st.drops[PK_DROP_RED] != 0) {
		fprintf(stderr, "queue_ring.red: %" PRIu64 " refused, %" PRIu64
			" dropped\n", lost, st.drops[PK_DROP_RED]);
		goto out;
	}
	qb_spread("queue_ring.red", "plain", vp, QB_ROUNDS);
	qb_spread("queue_ring.red", "red", vr, QB_ROUNDS);
	bench_report("queue_ring.red", hz / bench_median(vr, QB_ROUNDS),
		     "Mpps", hz / bench_median(vp, QB_ROUNDS), false);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "queue_ring.red: setup failed\n");
	pk_stage_destroy(c[0].q); /* with the packets standing in them */
	pk_stage_destroy(c[1].q);
	return rc;
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *pkts[QB_BURST];
	struct rte_mempool *mp;
	int ret, rc = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench_queue_ring: EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	if (bench_parse_args(argc - ret, argv + ret) != 0)
		return 1;
	mp = rte_pktmbuf_pool_create("qb_pool", 2 * QB_BURST + 2 * QB_STANDING,
				     0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (mp == NULL || rte_pktmbuf_alloc_bulk(mp, pkts, QB_BURST) != 0) {
		fprintf(stderr, "bench_queue_ring: no mbufs\n");
		return 1;
	}
	if (qb_bench("queue_ring.burst32", false, pkts) != 0 ||
	    qb_bench("queue_ring.burst32.mpmc", true, pkts) != 0 ||
	    qb_red_bench(pkts, mp) != 0)
		rc = 1;
	rte_pktmbuf_free_bulk(pkts, QB_BURST);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return rc;
}
