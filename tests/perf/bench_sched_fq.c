/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_sched, its second half (the card of bench_sched.c says what each
 * line measures): the queue managers against drr and the two-level
 * scheduler against flat fq_codel, in alternating chunks of the same loop;
 * the sparse flow's sojourn under fq_codel and fifo on the fake clock.
 * main() in bench_sched.c decides which run (bench_wanted()).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"
#include "bench_sched.h"

/* Two schedulers loaded alike, in alternating chunks: Mpps medians. */
static void
sb_alternate(struct pk_stage *a, struct pk_stage *b, double *va, double *vb)
{
	double v_a[SB_ROUNDS], v_b[SB_ROUNDS], hz = rte_get_tsc_hz();
	struct rte_mbuf *m[SB_BURST];
	uint64_t c_a, c_b, n_a, n_b;
	unsigned int r, c;

	sb_pk_chunk(a, m, SB_CHUNK_PKTS, &n_a); /* warm up */
	sb_pk_chunk(b, m, SB_CHUNK_PKTS, &n_b);
	for (r = 0; r < SB_ROUNDS; r++) {
		c_a = c_b = n_a = n_b = 0;
		for (c = 0; c < 8; c++) {
			c_b += sb_pk_chunk(b, m, SB_CHUNK_PKTS / 8, &n_b);
			c_a += sb_pk_chunk(a, m, SB_CHUNK_PKTS / 8, &n_a);
		}
		v_a[r] = n_a * hz / c_a / 1e6;
		v_b[r] = n_b * hz / c_b / 1e6;
	}
	*va = bench_median(v_a, SB_ROUNDS);
	*vb = bench_median(v_b, SB_ROUNDS);
	fprintf(stderr, "bench_sched: %s %.2f..%.2f Mpps, %s %.2f..%.2f "
		"Mpps\n", pk_sched_policy_name(a), v_a[0], v_a[SB_ROUNDS - 1],
		pk_sched_policy_name(b), v_b[0], v_b[SB_ROUNDS - 1]);
}

/* A queue manager against drr, both over nq queues: Mpps medians. */
int
sb_run_fq(struct rte_mempool *mp, const char *policy, uint32_t nq,
	  double *pk, double *drr)
{
	struct pk_stage *s = sb_pk_sched(policy, nq);
	struct pk_stage *d = sb_pk_sched("drr", nq);
	struct pk_stage_stats st;
	int rc = -ENOMEM;

	if (s == NULL || d == NULL || sb_fill(mp, NULL, s, nq, true) != 0 ||
	    sb_fill(mp, NULL, d, nq, false) != 0)
		goto out;
	sb_alternate(s, d, pk, drr);
	pk_stage_stats_get(s, &st);
	fprintf(stderr, "bench_sched: %s %u flows: %" PRIu64 " aqm drops\n",
		policy, nq, st.drops[PK_DROP_AQM]);
	rc = 0;
out:
	pk_stage_destroy(s);
	pk_stage_destroy(d);
	return rc;
}

/*
 * sched.hier.owners4_flows1k: owners:wfq,flows:fq_codel, 4 owners of
 * weights 1:2:3:4 with 256 flow queues each, against flat fq_codel over
 * the same 1024 queues; both read the queue id from the mbuf (no hashing,
 * so that the line is the hierarchy's cost alone).
 */
int
sb_run_hier(struct rte_mempool *mp, double *pk, double *flat)
{
	static const uint32_t w[4] = { 1, 2, 3, 4 };
	struct pk_sched_conf c = {
		.policy = "owners:wfq,flows:fq_codel", .max_queues = 1024,
		.qsize = SB_QSIZE, .socket_id = (int)rte_socket_id(),
		.nb_classes = 4, .class_params = w,
	};
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct pk_stage *s = pk_sched_create("hier", &c);
	struct pk_stage *f = sb_pk_sched("fq_codel", 1024);
	int rc = -ENOMEM;
	uint32_t i;

	for (i = 0; s != NULL && i < 1024; i++)
		if (pk_sched_queue_attach(s, &qc) != (int)i)
			goto out;
	if (s == NULL || f == NULL || pk_sched_set_classifier(s, NULL, NULL) ||
	    pk_sched_set_classifier(f, NULL, NULL) ||
	    sb_fill(mp, NULL, s, 1024, false) != 0 ||
	    sb_fill(mp, NULL, f, 1024, false) != 0)
		goto out;
	sb_alternate(s, f, pk, flat);
	rc = 0;
out:
	pk_stage_destroy(s);
	pk_stage_destroy(f);
	return rc;
}

/* ---- sojourn of a sparse flow beside bulk flows, on the fake clock ---- */

#define SJ_BULK 64
#define SJ_DEPTH 60
#define SJ_TX_NS 120000ULL /* 1500 bytes at 100 Mbit/s */
#define SJ_NS (20ULL * 1000000000)
#define SJ_TS_OFF 64       /* push time in the frame's data */

static uint64_t sj_now;

static uint64_t
sj_clock(void *arg)
{
	return *(uint64_t *)arg;
}

/* fifo: one queue for all flows */
static uint32_t
sj_one_queue(const struct rte_mbuf *m, void *arg)
{
	RTE_SET_USED(m);
	RTE_SET_USED(arg);
	return 0;
}

static bool
sj_push(struct rte_mempool *mp, struct pk_stage *s, uint32_t flow,
	uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	if (m == NULL || (p = rte_pktmbuf_append(m, len)) == NULL) {
		rte_pktmbuf_free(m);
		return false;
	}
	memset(p, 0, SJ_TS_OFF);
	memcpy(p + SJ_TS_OFF, &sj_now, sizeof(sj_now));
	sb_rss(m, flow, SJ_BULK + 1);
	if (pk_stage_push(s, &m, 1) == 1)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

static int
sj_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The sparse flow's sojourn p50 and p99 (ms) under policy. */
static int
sj_run(struct rte_mempool *mp, const char *policy, double *p50, double *p99)
{
	bool one = strcmp(policy, "fifo") == 0;
	struct pk_sched_conf c = {
		.policy = policy, .max_queues = one ? 1 : SJ_BULK + 1,
		.qsize = one ? 4096 : 64, .socket_id = (int)rte_socket_id(),
		.classify = one ? sj_one_queue : NULL,
	};
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	static double soj[SJ_NS / 10000000 + 1];
	struct pk_stage *s = pk_sched_create(policy, &c);
	uint64_t t, next = 0, ts;
	unsigned int n = 0, f, len, i;
	struct rte_mbuf *m;

	for (i = 0; s != NULL && i < c.max_queues; i++)
		if (pk_sched_queue_attach(s, &qc) < 0)
			return -1;
	if (s == NULL || pk_sched_set_clock(s, sj_clock, &sj_now,
					    1000000000) != 0)
		return -1;
	for (t = 0; t < SJ_NS; t += SJ_TX_NS) {
		sj_now = 1 + t;
		for (f = 0; f < SJ_BULK; f++) {
			pk_sched_queue_info(s, one ? 0 : f, NULL, &len);
			while (len++ < (one ? SJ_BULK * SJ_DEPTH : SJ_DEPTH) &&
			       sj_push(mp, s, f, 1500))
				;
		}
		if (t >= next) {
			sj_push(mp, s, SJ_BULK, 200);
			next = t + 10000000;
		}
		m = pk_stage_pull_one(s);
		if (m == NULL)
			continue;
		memcpy(&ts, rte_pktmbuf_mtod_offset(m, char *, SJ_TS_OFF),
		       sizeof(ts));
		if (m->pkt_len == 200 && t >= SJ_NS / 10 && n < RTE_DIM(soj))
			soj[n++] = (sj_now - ts) / 1e6; /* past the start */
		rte_pktmbuf_free(m);
	}
	pk_stage_destroy(s);
	if (n == 0)
		return -1;
	qsort(soj, n, sizeof(*soj), sj_cmp);
	*p50 = soj[n / 2];
	*p99 = soj[n * 99 / 100];
	return 0;
}

void
sj_report(void)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("bench_sched_sj",
		SJ_BULK * SJ_DEPTH + 1023, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
		(int)rte_socket_id());
	double f50, f99, b50, b99;

	if (mp == NULL || sj_run(mp, "fq_codel", &f50, &f99) != 0 ||
	    sj_run(mp, "fifo", &b50, &b99) != 0) {
		fprintf(stderr, "bench_sched: sched.fq_codel.sojourn failed\n");
		rte_mempool_free(mp);
		return;
	}
	fprintf(stderr, "bench_sched: sparse flow sojourn p50 %.3f ms, p99 "
		"%.3f ms (fifo: %.3f, %.3f)\n", f50, f99, b50, b99);
	bench_report("sched.fq_codel.sojourn", f99, "ms", b99, true);
	rte_mempool_free(mp);
}
