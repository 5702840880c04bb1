/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched fast path for queue managers (policies with PK_SCHED_POL_AQM:
 * fq_codel, fq_pie). Apart from sched_push.c and sched_fastpath.c so that
 * the other policies pay nothing for it: the choice is made at create
 * (stage.push, stage.pull), or once per burst in the arbiter's entries.
 *
 * What it adds: the clock is read once per push burst and each packet's
 * arrival time kept beside its FIFO entry (slot i's time at fifo[qsize +
 * i]; the head's in the policy area, struct pk_sched_aqm_q); each stored
 * packet is told to the policy (arrive), and past its limit the core drops
 * from the heads of the victims it names; at pull the policy judges each
 * head before it goes (send, drop, or mark CE), and the core frees and
 * counts what it drops ("aqm" by verdict, "full" past the limit). Internal
 * queues only (attach refuses stage queues).
 */
#include <string.h>

#include <rte_prefetch.h>

#include "sched_run_pvt.h"

/* The clock, in nanoseconds: the policies' unit whatever the clock's hz. */
static inline uint64_t
sched_aqm_ns(const struct pk_sched *sc, uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * sc->ns_mult) >> 32);
}

static inline void
sched_aqm_set_ts(struct pk_sched_q *q, uint64_t ts)
{
	((struct pk_sched_aqm_q *)pk_sched_q_priv(q))->head_ts = ts;
}

/* The FIFO's next packet (and its arrival time) into q's head slot, or
 * the slot empties. */
static inline void
sched_aqm_refill(struct pk_sched *sc, struct pk_sched_q *q)
{
	if (q->fhead == q->ftail) {
		q->head = NULL;
		q->len = 0;
		return;
	}
	sched_aqm_set_ts(q, q->fifo[sc->qmask + 1 + q->fhead]);
	sched_q_fifo_pop(sc, q);
}

/*
 * Free q's head (len bytes, counted as reason r) and move the next one up.
 * @return the policy's dropped(): still over its limit.
 */
static bool
sched_aqm_drop_head(struct pk_sched *sc, struct pk_sched_q *q, uint32_t len,
		    enum pk_drop_reason r)
{
	struct rte_mbuf *m = q->head;

	sched_aqm_refill(sc, q);
	if (sc->drop_hook != NULL) /* the arbiter: whose packet it was */
		sc->drop_hook(sc->drop_hook_arg, m, sched_q_id(sc, q), r);
	pk_stage_drop(&sc->stage.out, r, m);
	return sc->pol->dropped(sc->sp, q, len);
}

/*
 * Over the limit: drop from the heads of the queues the policy names, a
 * batch at a time (a flood of new flows is paid for by the fattest one,
 * and the scan for it is made once per batch), until under it again.
 */
__rte_noinline void
pk_sched_aqm_overflow(struct pk_sched *sc)
{
	struct pk_sched_q *v;
	bool over = true;
	uint32_t k;

	while (over) {
		k = sc->pol->victim(sc->sp, &v);
		if (k == 0 || v == NULL || v->head == NULL)
			return;
		while (k-- > 0 && v->head != NULL)
			over = sched_aqm_drop_head(sc, v, v->len, PK_DROP_FULL);
	}
}

/*
 * Store m, arrived at now, in internal queue q and tell the policy.
 * @return false if q's FIFO is full (m is still the caller's).
 */
static inline bool
sched_aqm_store(struct pk_sched *sc, struct pk_sched_q *q, struct rte_mbuf *m,
		uint64_t now)
{
	uint32_t len;

	if (q->head == NULL) {
		sched_q_set_head(sc, q, m);
		sched_aqm_set_ts(q, now);
		sc->pol->enqueue(sc->sp, q);
		len = q->len;
	} else {
		/* one slot stays free: with the head slot, qsize in all */
		if (((q->ftail + 1) & sc->qmask) == q->fhead)
			return false;
		q->fifo[q->ftail] = sched_fifo_entry(sc, m);
		q->fifo[sc->qmask + 1 + q->ftail] = now;
		q->ftail = (q->ftail + 1) & sc->qmask;
		len = sched_len(sc, m);
	}
	if (unlikely(sc->pol->arrive(sc->sp, q, len)))
		pk_sched_aqm_overflow(sc);
	return true;
}

uint16_t
pk_sched_aqm_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_sched *sc = sched_of(s);
	uint64_t now = sched_aqm_ns(sc, sc->clock(sc->clock_arg));
	uint16_t i, nr = 0, nomatch = 0;
	uint64_t bytes = 0;
	struct pk_sched_q *q;
	struct rte_mbuf *m;

	for (i = 0; i < n; i++) {
		m = pkts[i];
		q = sched_q_find(sc, sc->classify != NULL ?
				 sc->classify(m, sc->classify_arg) :
				 m->hash.sched.queue_id);
		if (unlikely(q == NULL)) {
			nomatch++;
			pkts[nr++] = m; /* refused ones gather at the front */
			continue;
		}
		/* before it is stored: an overflow may free it at once */
		bytes += m->pkt_len;
		if (unlikely(!sched_aqm_store(sc, q, m, now))) {
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
pk_sched_aqm_push_queue(struct pk_sched *sc, struct pk_sched_q *q,
			struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_stage *s = &sc->stage;
	uint64_t now = sched_aqm_ns(sc, sc->clock(sc->clock_arg));
	uint32_t qid = sched_q_id(sc, q);
	uint64_t bytes = 0;
	uint16_t k;

	for (k = 0; k < n; k++) {
		uint32_t len = pkts[k]->pkt_len;

		pkts[k]->hash.sched.queue_id = qid; /* before: it may be freed */
		if (!sched_aqm_store(sc, q, pkts[k], now))
			break;
		bytes += len;
	}
	pk_counter_add(&s->in.pkts, k);
	if (unlikely(k != n))
		pk_stage_count_refused(&s->in, PK_DROP_FULL, n - k);
	if (s->flags & PK_STAGE_F_BYTES)
		pk_counter_add(&s->in.bytes, bytes);
	return k;
}

/*
 * The next packet to send at time now, or NULL: the policy's pick, once it
 * judged the head good to go. A mark that cannot be made (not ECN-capable)
 * is a drop, as RFC 3168 asks. *plen is the packet's pkt_len.
 */
static inline struct rte_mbuf *
sched_aqm_next(struct pk_sched *sc, uint64_t now, uint32_t *plen,
	       struct sched_runs_acc *runs, uint16_t n)
{
	struct pk_sched_q *q;
	enum pk_sched_verdict v;
	struct rte_mbuf *m;
	uint32_t len;

	for (;;) {
		q = sc->pol->dequeue(sc->sp);
		if (q == NULL)
			return NULL;
		v = sc->pol->judge(sc->sp, q, now);
		if (likely(v == PK_SCHED_SEND))
			break;
		if (v == PK_SCHED_MARK && pk_sched_ecn_mark(q->head)) {
			sc->ecn_marked++;
			break;
		}
		sched_aqm_drop_head(sc, q, q->len, PK_DROP_AQM);
	}
	m = q->head;
	len = q->len;
	*plen = sched_pkt_len(sc, m, len);
	sched_runs_add_len(sc, runs, q, *plen, n);
	sched_aqm_refill(sc, q);
	sc->pol->update(sc->sp, q, len);
	return m;
}

/* Pull at time ticks: shaped as sched_pull_shaped() if a rate is set. */
static uint16_t
sched_aqm_pull(struct pk_sched *sc, struct rte_mbuf **pkts, uint16_t max,
	       uint64_t ticks, struct sched_run *r, uint16_t *nruns)
{
	struct sched_runs_acc runs;
	uint64_t now = sched_aqm_ns(sc, ticks);
	bool shaped = sc->rate_bps != 0;
	struct rte_mbuf *m;
	uint16_t n = 0;
	uint32_t len;

	sched_runs_init(sc, &runs, r);
	if (shaped)
		sched_tokens_refill(sc, ticks);
	while (n < max && (!shaped || sc->tokens >= 0)) {
		m = sched_aqm_next(sc, now, &len, &runs, n);
		if (m == NULL)
			break;
		if (shaped)
			sc->tokens -= (__int128)(len + sc->overhead) * sc->hz8;
		pkts[n++] = m;
	}
	sched_runs_end(sc, &runs, n, nruns);
	pk_stage_count(&sc->stage, &sc->stage.out, pkts, n);
	return n;
}

uint16_t
pk_sched_aqm_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct pk_sched *sc = sched_of(s);

	return sched_aqm_pull(sc, pkts, max, sc->clock(sc->clock_arg), NULL,
			      NULL);
}

uint16_t
pk_sched_aqm_pull_at(struct pk_sched *sc, struct rte_mbuf **pkts,
		     uint16_t max, uint64_t tsc, struct sched_run *runs,
		     uint16_t *nruns)
{
	return sched_aqm_pull(sc, pkts, max, sc->clock == pk_sched_tsc ? tsc :
			      sc->clock(sc->clock_arg), runs, nruns);
}

uint64_t
pk_sched_ecn_marked(const struct pk_stage *s)
{
	const struct pk_sched *sc = sched_check(s);

	return sc != NULL ? __atomic_load_n(&sc->ecn_marked, __ATOMIC_RELAXED) :
			    0;
}
