/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_BENCH_SCHED_H
#define PK_BENCH_SCHED_H

/*
 * What bench_sched's files share (one executable; the card of
 * bench_sched.c says what it measures). bench_sched.c: the flat policies
 * against rte_sched, the load and main(), which alone asks bench_wanted()
 * (bench_common.h's --filter state is one copy per file, and only
 * bench_sched.c's is parsed). bench_sched_fq.c: the queue managers and the
 * two-level scheduler in the same loop, and the sojourn run on the fake
 * clock. All on the main lcore.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_sched.h>

#include <pathkit/pathkit.h>

#define SB_BURST 32
#define SB_QSIZE 16
#define SB_ROUNDS 7
#define SB_CHUNK_PKTS (1u << 20)
#define SB_RATE 12500000000ULL /* bytes/s: 100 Gbit/s, never the limit */

/* The burst of a chunk (volatile: not folded into the loop). */
extern volatile uint16_t sb_burst;

/* A policy's scheduler of nq queues of SB_QSIZE, each attached. */
struct pk_stage *sb_pk_sched(const char *policy, uint32_t nq);
/* Pull a burst, push it back, until pkts: the cycles it took. */
uint64_t sb_pk_chunk(struct pk_stage *s, struct rte_mbuf **m, uint64_t pkts,
		     uint64_t *done);
/* Give m the RSS hash that the queue managers' classifier maps to q. */
void sb_rss(struct rte_mbuf *m, uint32_t q, uint32_t nq);
/* Backlog every queue of port (rte_sched) or s, tagged (rss: hashed). */
int sb_fill(struct rte_mempool *mp, struct rte_sched_port *port,
	    struct pk_stage *s, uint32_t nq, bool rss);

/* bench_sched_fq.c: a queue manager against drr, Mpps medians. */
int sb_run_fq(struct rte_mempool *mp, const char *policy, uint32_t nq,
	      double *pk, double *drr);
/* bench_sched_fq.c: two levels against flat fq_codel, Mpps medians. */
int sb_run_hier(struct rte_mempool *mp, double *pk, double *flat);
/* bench_sched_fq.c: runs and reports sched.fq_codel.sojourn. */
void sj_report(void);

#endif /* PK_BENCH_SCHED_H */
