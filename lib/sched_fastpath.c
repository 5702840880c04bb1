/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched fast path: push (classify, store in a queue), pull (policy
 * dequeue, head refill, policy update) and the shaped pull. All in one file
 * so that the per-packet helpers inline into the three entry points; the
 * queue-record helpers they share with control are in sched_pvt.h.
 */
#include <string.h>

#include <rte_prefetch.h>

#include "sched_pvt.h"

/* push: mbufs prefetched this far ahead of the one classified */
#define SCHED_PREFETCH 8

/*
 * Fill an idle stage queue's head slot from its stage (the lookahead). A
 * packet that others (a path) pushed into the stage queue enters the
 * scheduler here and is counted in here; one pk_sched_push() stored there
 * was counted in by the push.
 */
static inline bool
sched_q_pull_head(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint32_t *pushed = &sched_q_cold(sc, q)->pushed;
	struct rte_mbuf *m;

	if (pk_stage_pull(q->stage, &m, 1) == 0)
		return false;
	sched_q_set_head(sc, q, m);
	if (*pushed != 0) {
		(*pushed)--;
	} else {
		pk_counter_add(&sc->stage.in.pkts, 1);
		if (unlikely(sc->stage.flags & PK_STAGE_F_BYTES))
			pk_counter_add(&sc->stage.in.bytes, m->pkt_len);
	}
	return true;
}

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
 * Note what the arbiter learns of a packet it pulls (its queue, its length)
 * without reading the mbuf, long cold by then: the length the FIFO entry
 * carried is pkt_len unless clamped.
 */
static __rte_always_inline void
sched_note(const struct pk_sched *sc, struct sched_pulled *info,
	   const struct pk_sched_q *q, const struct rte_mbuf *m, uint32_t len)
{
	if (info == NULL)
		return;
	info->qid = sched_q_id(sc, q);
	info->len = sched_pkt_len(sc, m, len);
}

/* The next packet by policy, or NULL; its length, as pkt_len, in *plen. */
static inline struct rte_mbuf *
sched_next(struct pk_sched *sc, uint32_t *plen, struct sched_pulled *info)
{
	struct pk_sched_q *q = sc->pol->dequeue(sc->sp);
	struct rte_mbuf *m;
	uint32_t len;

	if (q == NULL)
		return NULL;
	m = q->head;
	len = q->len;
	*plen = sched_pkt_len(sc, m, len);
	if (info != NULL) {
		info->qid = sched_q_id(sc, q);
		info->len = *plen;
	}
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
		 struct sched_pulled *info)
{
	struct pk_sched_q *q;
	uint16_t n = 0;
	uint32_t len;

	if (sc->nb_idle != 0)
		sched_poll_idle(sc);
	if (unlikely(max == 0) || (q = sc->pol->dequeue(sc->sp)) == NULL)
		return 0;
	for (;;) {
		len = q->len;
		sched_note(sc, info == NULL ? NULL : &info[n], q, q->head, len);
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
	pk_stage_count(&sc->stage, &sc->stage.out, pkts, n);
	return n;
}

uint16_t
pk_sched_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	return sched_pull_burst(sched_of(s), pkts, max, NULL);
}

/*
 * Credit the bucket with the link time since the last pull, now being the
 * clock's. A time before the last (a caller's clock read before a shaper
 * reset) credits nothing.
 */
static inline void
sched_tokens_refill(struct pk_sched *sc, uint64_t now)
{
	if ((int64_t)(now - sc->last) <= 0)
		return;
	sc->tokens += (__int128)(now - sc->last) * sc->rate_bps;
	sc->last = now;
	if (sc->tokens > sc->tokens_max)
		sc->tokens = sc->tokens_max;
}

/*
 * A frame may start while the bucket is not in debt, as a link starts the
 * next frame once the last one is out: the long-run rate is exactly R. The
 * policy is asked only for a frame that will go, so its order is kept.
 */
static __rte_always_inline uint16_t
sched_pull_shaped(struct pk_sched *sc, struct rte_mbuf **pkts, uint16_t max,
		  uint64_t now, struct sched_pulled *info)
{
	struct rte_mbuf *m;
	uint16_t n = 0;
	uint32_t len;

	if (sc->nb_idle != 0)
		sched_poll_idle(sc);
	sched_tokens_refill(sc, now);
	while (n < max && sc->tokens >= 0 &&
	       (m = sched_next(sc, &len, info == NULL ? NULL : &info[n])) !=
	       NULL) {
		sc->tokens -= (__int128)(len + sc->overhead) * sc->hz8;
		pkts[n++] = m;
	}
	pk_stage_count(&sc->stage, &sc->stage.out, pkts, n);
	return n;
}

uint16_t
pk_sched_pull_shaped(struct pk_stage *s, struct rte_mbuf **pkts,
		     uint16_t max)
{
	struct pk_sched *sc = sched_of(s);

	return sched_pull_shaped(sc, pkts, max, sc->clock(sc->clock_arg),
				 NULL);
}

uint16_t
pk_sched_pull_at(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max,
		 uint64_t tsc, struct sched_pulled *info)
{
	struct pk_sched *sc = sched_of(s);

	if (sc->rate_bps != 0)
		return sched_pull_shaped(sc, pkts, max, sc->clock ==
					 pk_sched_tsc ? tsc :
					 sc->clock(sc->clock_arg), info);
	/* info NULL or not at each call: each loop compiled without the test */
	if (info == NULL)
		return sched_pull_burst(sc, pkts, max, NULL);
	return sched_pull_burst(sc, pkts, max, info);
}

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
 * Internal FIFO q: the packets of a burst in order, as sched_q_store() one
 * by one would, with one room check. @return packets taken.
 */
static inline uint16_t
sched_q_fifo_store_burst(struct pk_sched *sc, struct pk_sched_q *q,
			 struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = 0, i, room;

	if (q->head == NULL) {
		sched_q_set_head(sc, q, pkts[0]);
		sc->pol->enqueue(sc->sp, q);
		k = 1;
	}
	/* one slot stays free: with the head slot, qsize packets in all */
	room = (uint16_t)(sc->qmask - ((q->ftail - q->fhead) & sc->qmask));
	n = RTE_MIN(n, (uint16_t)(k + room));
	for (i = k; i < n; i++)
		q->fifo[(q->ftail + i - k) & sc->qmask] =
			sched_fifo_entry(sc, pkts[i]);
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
	/* before they are stored: a stage queue may pass them on */
	bytes = pk_stage_push_bytes(s, pkts, n);
	if (likely(!(q->flags & SCHED_Q_STAGE)))
		k = sched_q_fifo_store_burst(sc, q, pkts, n);
	else
		while (k < n && sched_q_store(sc, q, pkts[k]))
			k++;
	pk_counter_add(&s->in.pkts, k);
	if (unlikely(k != n)) {
		bytes -= pk_stage_push_bytes(s, &pkts[k], n - k);
		pk_stage_count_refused(&s->in, PK_DROP_FULL, n - k);
	}
	if (bytes != 0)
		pk_counter_add(&s->in.bytes, bytes);
	return k;
}
