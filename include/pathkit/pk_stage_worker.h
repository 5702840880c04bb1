/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_STAGE_WORKER_H
#define PK_STAGE_WORKER_H

/**
 * @file
 * Stage fast path: inline push/pull dispatch, the source's one-message
 * Push(Stage, Msg) / Pull(Stage, Msg), and the drop counters a processing
 * callback (pk_proc.h) uses. What a kind author needs besides is in
 * pk_stage_driver.h.
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

/* ---- counting drops, for processing callbacks and kinds ---- */

/** Add v to a counter this thread alone writes (plain code, relaxed store). */
static inline void
pk_counter_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/** Read a counter another thread may be writing (relaxed load): any thread. */
static inline uint64_t
pk_counter_load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/** Count k taken packets freed for a reason on one side (single writer). */
static inline void
pk_stage_count_drop(struct pk_stage_counters *c, enum pk_drop_reason r,
		    uint64_t k)
{
	pk_counter_add(&c->drops[r], k);
}

/**
 * Hand pkts[0..n), dropped for reason r on side c, to c's drop sink with
 * their drop notes (out of line: pk_stage_drop_free_bulk() calls it only
 * when a sink is set); what the sink refuses is freed.
 */
void pk_stage_drop_to_sink(const struct pk_stage_counters *c,
			   enum pk_drop_reason r, struct rte_mbuf **pkts,
			   uint16_t n);

/**
 * Dispose of n packets this stage owns and drops for reason r on side c:
 * freed, or given to the side's drop sink (pk_stage_set_drop_sink()). Does
 * not count them (pk_stage_count_drop()). No sink: one load (from the
 * side's second line, beside refused) and a predictable branch.
 */
static inline void
pk_stage_drop_free_bulk(const struct pk_stage_counters *c,
			enum pk_drop_reason r, struct rte_mbuf **pkts,
			uint16_t n)
{
	if (likely(__atomic_load_n(&c->drop_sink, __ATOMIC_RELAXED) == NULL))
		rte_pktmbuf_free_bulk(pkts, n);
	else
		pk_stage_drop_to_sink(c, r, pkts, n);
}

/** As pk_stage_drop_free_bulk(), for one packet. */
static inline void
pk_stage_drop_free(const struct pk_stage_counters *c, enum pk_drop_reason r,
		   struct rte_mbuf *m)
{
	if (likely(__atomic_load_n(&c->drop_sink, __ATOMIC_RELAXED) == NULL))
		rte_pktmbuf_free(m);
	else
		pk_stage_drop_to_sink(c, r, &m, 1);
}

/**
 * Drop a packet this stage owns and count it on side c: freed, or given to
 * the side's drop sink.
 */
static inline void
pk_stage_drop(struct pk_stage_counters *c, enum pk_drop_reason r,
	      struct rte_mbuf *m)
{
	pk_stage_drop_free(c, r, m);
	pk_counter_add(&c->drops[r], 1);
}

#ifdef __cplusplus
}
#endif

#endif /* PK_STAGE_WORKER_H */
