/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched fast path, pull side: pull (policy dequeue, head refill, policy
 * update) and the shaped pull, in one file so that the per-packet helpers
 * inline into the entry points. Push is sched_push.c; the queue-record
 * helpers both share with control are in sched_pvt.h.
 */
#include <rte_prefetch.h>

#include "sched_run_pvt.h"

/*
 * Stage queues are pushed by others: look at a window of the idle ones, so
 * that a pull costs at most PK_SCHED_POLL_BUDGET peeks however many idle.
 */
static void
sched_poll_idle(struct pk_sched *sc)
{
	unsigned int k = RTE_MIN(sc->nb_idle, (uint32_t)PK_SCHED_POLL_BUDGET);
	struct pk_sched_q *q;

	while (k-- > 0) {
		if (sc->poll_cursor >= sc->nb_idle)
			sc->poll_cursor = 0;
		q = sched_q(sc, sc->idle[sc->poll_cursor]);
		if (sched_q_pull_head(sc, q)) {
			sched_idle_remove(sc, q); /* the last moved in here */
			sc->pol->enqueue(sc->sp, q);
		} else {
			sc->poll_cursor++;
		}
	}
}

/* After the head of q was taken: put the queue's next packet in the slot. */
static inline void
sched_q_refill(struct pk_sched *sc, struct pk_sched_q *q)
{
	if (q->flags & SCHED_Q_STAGE) {
		if (!sched_q_pull_head(sc, q)) {
			q->head = NULL;
			q->len = 0;
			sched_idle_add(sc, q);
		}
	} else if (q->fhead != q->ftail) {
		sched_q_fifo_pop(sc, q);
	} else {
		q->head = NULL;
		q->len = 0;
	}
}

/*
 * The next packet by policy, or NULL; its length, as pkt_len, in *plen;
 * noted in runs as packet n.
 */
static inline struct rte_mbuf *
sched_next(struct pk_sched *sc, uint32_t *plen, struct sched_runs_acc *runs,
	   uint16_t n)
{
	struct pk_sched_q *q = sc->pol->dequeue(sc->sp);
	struct rte_mbuf *m;
	uint32_t len;

	if (q == NULL)
		return NULL;
	m = q->head;
	len = q->len;
	*plen = sched_pkt_len(sc, m, len);
	sched_runs_add_len(sc, runs, q, *plen, n);
	sched_q_refill(sc, q);
	sc->pol->update(sc->sp, q, len);
	return m;
}

/* The policy's update of q, then its next queue: one call if it can. */
static inline struct pk_sched_q *
sched_update_dequeue(struct pk_sched *sc, struct pk_sched_q *q, uint32_t len)
{
	if (likely(sc->update_dequeue != NULL))
		return sc->update_dequeue(sc->sp, q, len);
	sc->pol->update(sc->sp, q, len);
	return sc->pol->dequeue(sc->sp);
}

/*
 * As sched_next() in a loop, but between two packets the policy updates
 * and picks in one call; the last queue served is updated alone, so that
 * the policy is not asked for a packet that will not go.
 */
static __rte_always_inline uint16_t
sched_pull_burst(struct pk_sched *sc, struct rte_mbuf **pkts, uint16_t max,
		 struct sched_run *r, uint16_t *nruns)
{
	struct sched_runs_acc runs;
	struct pk_sched_q *q;
	uint16_t n = 0;
	uint32_t len;

	sched_runs_init(sc, &runs, r);
	if (sc->nb_idle != 0)
		sched_poll_idle(sc);
	if (unlikely(max == 0) || (q = sc->pol->dequeue(sc->sp)) == NULL) {
		sched_runs_end(sc, &runs, 0, nruns);
		return 0;
	}
	for (;;) {
		len = q->len;
		sched_runs_add(sc, &runs, q, q->head, len, n);
		pkts[n++] = q->head;
		sched_q_refill(sc, q);
		if (n == max) {
			sc->pol->update(sc->sp, q, len);
			break;
		}
		q = sched_update_dequeue(sc, q, len);
		if (q == NULL)
			break;
	}
	sched_runs_end(sc, &runs, n, nruns);
	pk_stage_count(&sc->stage, &sc->stage.out, pkts, n);
	return n;
}

uint16_t
pk_sched_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	return sched_pull_burst(sched_of(s), pkts, max, NULL, NULL);
}

/*
 * A frame may start while the bucket is not in debt, as a link starts the
 * next frame once the last one is out: the long-run rate is exactly R. The
 * policy is asked only for a frame that will go, so its order is kept.
 */
static __rte_always_inline uint16_t
sched_pull_shaped(struct pk_sched *sc, struct rte_mbuf **pkts, uint16_t max,
		  uint64_t now, struct sched_run *r, uint16_t *nruns)
{
	struct sched_runs_acc runs;
	struct rte_mbuf *m;
	uint16_t n = 0;
	uint32_t len;

	sched_runs_init(sc, &runs, r);
	if (sc->nb_idle != 0)
		sched_poll_idle(sc);
	sched_tokens_refill(sc, now);
	while (n < max && sc->tokens >= 0 &&
	       (m = sched_next(sc, &len, &runs, n)) != NULL) {
		sc->tokens -= (__int128)(len + sc->overhead) * sc->hz8;
		pkts[n++] = m;
	}
	sched_runs_end(sc, &runs, n, nruns);
	pk_stage_count(&sc->stage, &sc->stage.out, pkts, n);
	return n;
}

uint16_t
pk_sched_pull_shaped(struct pk_stage *s, struct rte_mbuf **pkts,
		     uint16_t max)
{
	struct pk_sched *sc = sched_of(s);

	return sched_pull_shaped(sc, pkts, max, sc->clock(sc->clock_arg),
				 NULL, NULL);
}

uint16_t
pk_sched_pull_at(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max,
		 uint64_t tsc, struct sched_run *runs, uint16_t *nruns)
{
	struct pk_sched *sc = sched_of(s);

	if (unlikely(sc->aqm))
		return pk_sched_aqm_pull_at(sc, pkts, max, tsc, runs, nruns);
	if (sc->rate_bps != 0)
		return sched_pull_shaped(sc, pkts, max, sc->clock ==
					 pk_sched_tsc ? tsc :
					 sc->clock(sc->clock_arg), runs, nruns);
	/* runs NULL or not at each call: each loop compiled without the test */
	if (runs == NULL)
		return sched_pull_burst(sc, pkts, max, NULL, NULL);
	return sched_pull_burst(sc, pkts, max, runs, nruns);
}
