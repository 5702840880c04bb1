/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_STAGE_WORKER_H
#define PK_STAGE_WORKER_H

/**
 * @file
 * Stage fast path: inline push/pull dispatch, the source's one-message
 * Push(Stage, Msg) / Pull(Stage, Msg), and counting helpers for kinds.
 *
 * Ownership (see pk_stage.h): push returns k; pkts[0..k) belong to the stage,
 * pkts[k..n) stay with the caller in order. Pulled packets belong to the caller.
 *
 * Threads: as the stage kind's card says. Nothing here locks or allocates;
 * the wiring was checked when the stages were linked, so nothing is checked here.
 */

#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Push a burst into a stage.
 * @return packets taken: pkts[0..ret) are the stage's, pkts[ret..n) the caller's.
 */
static inline uint16_t
pk_stage_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return s->push(s, pkts, n);
}

/**
 * Pull up to max packets from a stage.
 * @return packets written to pkts; they belong to the caller.
 */
static inline uint16_t
pk_stage_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	return s->pull(s, pkts, max);
}

/**
 * Push one packet (the source's Push(Stage, Msg)).
 * @return true if the stage took m; false if m is still the caller's.
 */
static inline bool
pk_stage_push_one(struct pk_stage *s, struct rte_mbuf *m)
{
	return s->push(s, &m, 1) == 1;
}

/**
 * Pull one packet (the source's Pull(Stage, Msg)).
 * @return the packet (now the caller's), or NULL if none was ready.
 */
static inline struct rte_mbuf *
pk_stage_pull_one(struct pk_stage *s)
{
	struct rte_mbuf *m;

	return s->pull(s, &m, 1) == 1 ? m : NULL;
}

/* ---- counting, for stage kinds ---- */

/** Add v to a counter this thread alone writes (plain code, relaxed store). */
static inline void
pk_counter_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/** Add v to a counter several threads write. */
static inline void
pk_counter_add_mt(uint64_t *c, uint64_t v)
{
	__atomic_fetch_add(c, v, __ATOMIC_RELAXED);
}

/** @return the sum of pkt_len over a burst. */
static inline uint64_t
pk_burst_bytes(struct rte_mbuf *const *pkts, uint16_t n)
{
	uint64_t b = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		b += pkts[i]->pkt_len;
	return b;
}

/**
 * Count n packets on one side (s->in or s->out) of a single-writer stage;
 * bytes too when the stage counts them. Call before handing packets over.
 */
static inline void
pk_stage_count(struct pk_stage *s, struct pk_stage_counters *c,
	       struct rte_mbuf *const *pkts, uint16_t n)
{
	pk_counter_add(&c->pkts, n);
	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		pk_counter_add(&c->bytes, pk_burst_bytes(pkts, n));
}

/** As pk_stage_count(), for a side that several threads write. */
static inline void
pk_stage_count_mt(struct pk_stage *s, struct pk_stage_counters *c,
		  struct rte_mbuf *const *pkts, uint16_t n)
{
	pk_counter_add_mt(&c->pkts, n);
	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		pk_counter_add_mt(&c->bytes, pk_burst_bytes(pkts, n));
}

/**
 * Take back the count of pkts[0..n) from side c: for packets counted before
 * a push that the next stage then refused (they are still ours to read).
 */
static inline void
pk_stage_uncount(struct pk_stage *s, struct pk_stage_counters *c,
		 struct rte_mbuf *const *pkts, uint16_t n)
{
	pk_counter_add(&c->pkts, -(uint64_t)n);
	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		pk_counter_add(&c->bytes, -pk_burst_bytes(pkts, n));
}

/** Count k drops or refusals for a reason on one side (single writer). */
static inline void
pk_stage_count_drop(struct pk_stage_counters *c, enum pk_drop_reason r,
		    uint64_t k)
{
	pk_counter_add(&c->drops[r], k);
}

/** Free a packet this stage owns and count it as dropped on side c. */
static inline void
pk_stage_drop(struct pk_stage_counters *c, enum pk_drop_reason r,
	      struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
	pk_counter_add(&c->drops[r], 1);
}

/**
 * After a stage worked on pkts[0..n), kept pkts[0..kept) and the next stage
 * took pkts[0..taken): move the refused pkts[taken..kept) to the tail of the
 * caller's array, in order, as the contract requires.
 * @return what the stage reports as taken: n minus the refused.
 */
static inline uint16_t
pk_burst_return_tail(struct rte_mbuf **pkts, uint16_t n, uint16_t kept,
		     uint16_t taken)
{
	uint16_t refused = kept - taken;
	uint16_t i;

	if (likely(refused == 0))
		return n;
	if (kept != n) /* drops made room: slide the refused to the end */
		for (i = refused; i > 0; i--)
			pkts[n - refused + i - 1] = pkts[taken + i - 1];
	return n - refused;
}

#ifdef __cplusplus
}
#endif

#endif /* PK_STAGE_WORKER_H */
