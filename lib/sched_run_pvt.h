/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SCHED_RUN_PVT_H
#define PK_SCHED_RUN_PVT_H

/*
 * The runs pk_sched_pull_at() notes for the arbiter (sched_pvt.h says what
 * it tells): the struct the arbiter reads, and the helpers the pulls
 * (sched_fastpath.c, sched_aqm.c) note them with; not installed.
 */

#include <stdint.h>

#include "sched_pvt.h"

/*
 * What pk_sched_pull_at() tells of the packets it pulls, run by run: a run
 * is packets pulled in a row from one queue, pkts[end of the run before
 * (0 for the first) .. end).
 */
struct sched_run {
	uint32_t qid;                /* the queue they left */
	uint16_t end;                /* index past the run's last packet */
	uint64_t bytes;              /* their pkt_len, summed */
};

/*
 * The runs a pull notes (struct sched_run), the open one in locals: the
 * pulls keep this struct on their stack and call these always inline, so
 * that a packet of the open run costs a compare and an add or two.
 */
struct sched_runs_acc {
	struct sched_run *r;         /* NULL: noting nothing */
	uint16_t nr;
	uint32_t lim;                /* sc->mtu - 2: see sched_pkt_len() */
	const struct pk_sched_q *q;  /* the open run's queue, or NULL */
	uint64_t bytes;
};

static __rte_always_inline void
sched_runs_init(const struct pk_sched *sc, struct sched_runs_acc *a,
		struct sched_run *r)
{
	a->r = r;
	a->nr = 0;
	a->lim = sc->mtu - 2;
	a->q = NULL;
	a->bytes = 0;
}

/* Packet n of the pull left q, plen its pkt_len. */
static __rte_always_inline void
sched_runs_add_len(const struct pk_sched *sc, struct sched_runs_acc *a,
		   const struct pk_sched_q *q, uint32_t plen, uint16_t n)
{
	if (a->r == NULL)
		return;
	if (q != a->q) {
		if (a->q != NULL) {
			a->r[a->nr].qid = sched_q_id(sc, a->q);
			a->r[a->nr].end = n;
			a->r[a->nr].bytes = a->bytes;
			a->nr++;
		}
		a->q = q;
		a->bytes = 0;
	}
	a->bytes += plen;
}

/*
 * Packet n of the pull, m, left q, len its length as policies see it: its
 * pkt_len unless clamped (sched_pkt_len(), with the limit read once).
 */
static __rte_always_inline void
sched_runs_add(const struct pk_sched *sc, struct sched_runs_acc *a,
	       const struct pk_sched_q *q, const struct rte_mbuf *m,
	       uint32_t len, uint16_t n)
{
	if (a->r == NULL)
		return;
	sched_runs_add_len(sc, a, q, len, n);
	if (unlikely(len - 2 >= a->lim)) /* clamped: the mbuf's own */
		a->bytes += (uint64_t)m->pkt_len - len;
}

/* The pull ends with n packets: close the open run, say how many. */
static __rte_always_inline void
sched_runs_end(const struct pk_sched *sc, struct sched_runs_acc *a,
	       uint16_t n, uint16_t *nruns)
{
	if (a->r == NULL)
		return;
	if (a->q != NULL)
		sched_runs_add_len(sc, a, NULL, 0, n);
	*nruns = a->nr;
}

#endif /* PK_SCHED_RUN_PVT_H */
