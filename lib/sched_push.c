/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched fast path, push side: classify each packet and store it in its
 * queue (internal FIFO or stage queue), or a burst tagged for one queue
 * (the arbiter's). Pull is sched_fastpath.c.
 */
#include <string.h>

#include <rte_prefetch.h>

#include "sched_pvt.h"

/* push: mbufs prefetched this far ahead of the one classified */
#define SCHED_PREFETCH 8

/*
 * Store m in stage queue q. A packet stored in a stage queue is counted in
 * now, as one stored in a FIFO: the cold part's pushed remembers not to
 * count it again when it is pulled back. Out of line: push's loop keeps its
 * registers for internal queues.
 */
static __rte_noinline bool
sched_q_store_stage(struct pk_sched *sc, struct pk_sched_q *q,
		    struct rte_mbuf *m)
{
	if (!pk_stage_push_one(q->stage, m))
		return false;
	sched_q_cold(sc, q)->pushed++;
	/* we are its puller: take the head now rather than poll */
	if (q->head == NULL && sched_q_pull_head(sc, q)) {
		sched_idle_remove(sc, q);
		sc->pol->enqueue(sc->sp, q);
	}
	return true;
}

/* Store m in q. @return false if q is full (m is still the caller's). */
static inline bool
sched_q_store(struct pk_sched *sc, struct pk_sched_q *q, struct rte_mbuf *m)
{
	if (unlikely(q->flags & SCHED_Q_STAGE))
		return sched_q_store_stage(sc, q, m);
	if (q->head == NULL) {
		sched_q_set_head(sc, q, m);
		sc->pol->enqueue(sc->sp, q);
		return true;
	}
	/* one slot stays free: with the head slot, qsize packets in all */
	if (((q->ftail + 1) & sc->qmask) == q->fhead)
		return false;
	q->fifo[q->ftail] = sched_fifo_entry(sc, m);
	q->ftail = (q->ftail + 1) & sc->qmask;
	return true;
}

/*
 * Push, for the default classifier (by_field: the queue id is the mbuf's
 * rte_sched field, read inline) or the scheduler's own; constant at each
 * call site, so each is compiled without the other's test.
 */
static __rte_always_inline uint16_t
sched_push_burst(struct pk_sched *sc, struct rte_mbuf **pkts, uint16_t n,
		 const bool by_field)
{
	struct pk_stage *s = &sc->stage;
	uint16_t i, nr = 0, nomatch = 0;
	uint64_t bytes = 0;
	struct pk_sched_q *q;
	struct rte_mbuf *m;

	/* the classifier reads each mbuf, cold among many queues: ask ahead */
	for (i = 0; i < RTE_MIN(n, (uint16_t)SCHED_PREFETCH); i++)
		rte_prefetch0(pkts[i]);
	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (i + SCHED_PREFETCH < n)
			rte_prefetch0(pkts[i + SCHED_PREFETCH]);
		q = sched_q_find(sc, by_field ? m->hash.sched.queue_id :
				 sc->classify(m, sc->classify_arg));
		if (unlikely(q == NULL)) {
			nomatch++;
			pkts[nr++] = m; /* refused ones gather at the front */
			continue;
		}
		bytes += m->pkt_len; /* before it is stored: a stage may pass it on */
		if (unlikely(!sched_q_store(sc, q, m))) {
			bytes -= m->pkt_len;
			pkts[nr++] = m;
		}
	}
	pk_counter_add(&s->in.pkts, n - nr);
	if (s->flags & PK_STAGE_F_BYTES)
		pk_counter_add(&s->in.bytes, bytes);
	if (unlikely(nr != 0)) {
		pk_stage_count_refused(&s->in, PK_DROP_NO_MATCH, nomatch);
		pk_stage_count_refused(&s->in, PK_DROP_FULL, nr - nomatch);
		memmove(&pkts[n - nr], pkts, nr * sizeof(*pkts));
	}
	return n - nr;
}

uint16_t
pk_sched_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_sched *sc = sched_of(s);

	if (sc->classify == NULL)
		return sched_push_burst(sc, pkts, n, true);
	return sched_push_burst(sc, pkts, n, false);
}

/*
 * Internal FIFO q (id qid): the packets of a burst in order, as
 * sched_q_store() one by one would, with one room check, each tagged with
 * qid as it is stored (its line is read for its length there anyway).
 * @return packets taken.
 */
static inline uint16_t
sched_q_fifo_store_burst(struct pk_sched *sc, struct pk_sched_q *q,
			 uint32_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = 0, i, room;

	if (q->head == NULL) {
		pkts[0]->hash.sched.queue_id = qid;
		sched_q_set_head(sc, q, pkts[0]);
		sc->pol->enqueue(sc->sp, q);
		k = 1;
	}
	/* one slot stays free: with the head slot, qsize packets in all */
	room = (uint16_t)(sc->qmask - ((q->ftail - q->fhead) & sc->qmask));
	n = RTE_MIN(n, (uint16_t)(k + room));
	for (i = k; i < n; i++) {
		pkts[i]->hash.sched.queue_id = qid;
		q->fifo[(q->ftail + i - k) & sc->qmask] =
			sched_fifo_entry(sc, pkts[i]);
	}
	q->ftail = (q->ftail + n - k) & sc->qmask;
	return n;
}

uint16_t
pk_sched_push_queue(struct pk_stage *s, uint32_t qid, struct rte_mbuf **pkts,
		    uint16_t n)
{
	struct pk_sched *sc = sched_of(s);
	struct pk_sched_q *q = sched_q_find(sc, qid);
	uint64_t bytes;
	uint16_t k = 0;

	if (unlikely(q == NULL || n == 0)) {
		pk_stage_count_refused(&s->in, PK_DROP_NO_MATCH, n);
		return 0;
	}
	if (unlikely(sc->aqm))
		return pk_sched_aqm_push_queue(sc, q, pkts, n);
	/* before they are stored: a stage queue may pass them on */
	bytes = pk_stage_push_bytes(s, pkts, n);
	if (likely(!(q->flags & SCHED_Q_STAGE))) {
		k = sched_q_fifo_store_burst(sc, q, qid, pkts, n);
	} else {
		for (; k < n; k++) {
			pkts[k]->hash.sched.queue_id = qid;
			if (!sched_q_store(sc, q, pkts[k]))
				break;
		}
	}
	pk_counter_add(&s->in.pkts, k);
	if (unlikely(k != n)) {
		bytes -= pk_stage_push_bytes(s, &pkts[k], n - k);
		pk_stage_count_refused(&s->in, PK_DROP_FULL, n - k);
	}
	if (bytes != 0)
		pk_counter_add(&s->in.bytes, bytes);
	return k;
}
