/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow_hits.c: the hit counters of demux_flow (card in demux_flow.c).
 * A key's hits are counted by entry index in a lane (struct demux_lane:
 * 16 bits a key, folded into a high half every 2^15 hits), written by one
 * pusher: d->own, the one pusher's of an mt=0 demux. With mt=1, an lcore
 * that registers as a reader gets a lane of its own, which only it writes:
 * its pushes count without atomics on lines other lcores write. Pushers
 * with no lane (unregistered, or with no lcore id) count into the 64-bit
 * hits[] with atomics. A key's hits are its counter in hits[] plus its
 * count in every lane, summed when read: exact once the pushes are done,
 * and never a half-done fold (each lane's seq).
 */
#include <errno.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"

/*
 * The lanes made so far: a reader appends its lane (reserve a place, then
 * store), so a place may still read NULL, a lane that counted nothing.
 */
static inline uint32_t
demux_flow_nb_lanes(const struct demux_flow *d)
{
	return d->lanes != NULL ?
		       __atomic_load_n(&d->nb_lanes, __ATOMIC_ACQUIRE) : 0;
}

static inline struct demux_lane *
demux_flow_lane_at(const struct demux_flow *d, uint32_t i)
{
	return __atomic_load_n(&d->lane_list[i], __ATOMIC_ACQUIRE);
}

/* lane's lo[] and hi[] for d's keys and its spare, in one block (lo
 * first, dense: the pusher's lines). 0 or -ENOMEM. */
static int
demux_flow_lane_arrays(const struct demux_flow *d, struct demux_lane *lane,
		       int socket_id)
{
	size_t n = (size_t)d->entries + 1;
	size_t half = RTE_ALIGN_CEIL(n * sizeof(*lane->lo),
				     RTE_CACHE_LINE_SIZE);

	lane->lo = rte_zmalloc_socket("pk_demux", half + n * sizeof(*lane->hi),
				      RTE_CACHE_LINE_SIZE, socket_id);
	if (lane->lo == NULL)
		return -ENOMEM;
	lane->hi = (uint64_t *)(void *)((char *)lane->lo + half);
	return 0;
}

int
demux_flow_lanes_init(struct demux_flow *d, bool mt, int socket_id)
{
	if (!mt)
		return demux_flow_lane_arrays(d, &d->own, socket_id);
	/* one spare past the keys': what goes to the miss stage counts there */
	d->hits = rte_zmalloc_socket("pk_demux", sizeof(*d->hits) *
				     ((size_t)d->entries + 1),
				     RTE_CACHE_LINE_SIZE, socket_id);
	d->lanes = rte_zmalloc_socket("pk_demux", sizeof(*d->lanes) *
				      RTE_MAX_LCORE, RTE_CACHE_LINE_SIZE,
				      socket_id);
	d->lane_list = rte_zmalloc_socket("pk_demux", sizeof(*d->lane_list) *
					  RTE_MAX_LCORE, 0, socket_id);
	return d->hits != NULL && d->lanes != NULL && d->lane_list != NULL ?
		       0 : -ENOMEM;
}

void
demux_flow_lanes_free(struct demux_flow *d)
{
	struct demux_lane *lane;
	uint32_t i;

	for (i = 0; i < demux_flow_nb_lanes(d); i++) {
		lane = d->lane_list[i];
		if (lane != NULL)
			rte_free(lane->lo);
		rte_free(lane);
	}
	rte_free(d->own.lo);
	rte_free(d->hits);
	rte_free(d->lanes);
	rte_free(d->lane_list);
}

/*
 * The calling lcore's lane, made once. Only this lcore makes or writes it,
 * so the check needs no lock; it is kept until destroy, as a reader of the
 * counters may be summing it at any time.
 */
int
demux_flow_lane_make(struct demux_flow *d)
{
	unsigned int lc = rte_lcore_id();
	struct demux_lane *lane;
	uint32_t i;

	if (d->lanes == NULL || lc >= RTE_MAX_LCORE || d->lanes[lc] != NULL)
		return 0; /* mt=0, no lcore id (atomics), or made already */
	/* seq on a line of its own: readers poll it, the pusher rarely writes */
	lane = rte_zmalloc_socket("pk_demux", sizeof(*lane),
				  RTE_CACHE_LINE_SIZE, rte_socket_id());
	if (lane == NULL ||
	    demux_flow_lane_arrays(d, lane, rte_socket_id()) != 0) {
		rte_free(lane);
		return -ENOMEM;
	}
	i = __atomic_fetch_add(&d->nb_lanes, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&d->lane_list[i], lane, __ATOMIC_RELEASE);
	__atomic_store_n(&d->lanes[lc], lane, __ATOMIC_RELEASE);
	return 0;
}

/* No pusher counts entry idx now (its key is not installed). */
static void
demux_flow_lane_reset(struct demux_lane *lane, uint32_t idx)
{
	__atomic_store_n(&lane->lo[idx], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&lane->hi[idx], 0, __ATOMIC_RELAXED);
}

void
demux_flow_hits_reset(struct demux_flow *d, uint32_t idx)
{
	uint32_t i, nb = demux_flow_nb_lanes(d);
	struct demux_lane *lane;

	if (d->own.lo != NULL)
		demux_flow_lane_reset(&d->own, idx);
	if (d->hits != NULL)
		__atomic_store_n(&d->hits[idx], 0, __ATOMIC_RELAXED);
	for (i = 0; i < nb; i++)
		if ((lane = demux_flow_lane_at(d, i)) != NULL)
			demux_flow_lane_reset(lane, idx);
}

/*
 * Called rarely (once in 2^15 hits of a key), so out of line. A seqlock
 * write: seq odd, then the move, then seq even again, each visible in
 * that order (release).
 */
void
demux_flow_lane_fold(struct demux_lane *lane, uint32_t idx)
{
	uint32_t s = lane->seq;

	__atomic_store_n(&lane->seq, s + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&lane->hi[idx], lane->hi[idx] + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&lane->lo[idx],
			 (uint16_t)(lane->lo[idx] - DEMUX_FOLD),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&lane->seq, s + 2, __ATOMIC_RELEASE);
}

/* Entry idx's count in lane: hi and lo read between two equal, even
 * values of seq (the seqlock read). */
static uint64_t
demux_flow_lane_read(const struct demux_lane *lane, uint32_t idx)
{
	uint64_t hi;
	uint32_t s, lo;

	for (;;) {
		s = __atomic_load_n(&lane->seq, __ATOMIC_ACQUIRE);
		if (unlikely(s & 1)) {
			rte_pause(); /* a fold under way: a few stores */
			continue;
		}
		hi = __atomic_load_n(&lane->hi[idx], __ATOMIC_RELAXED);
		lo = __atomic_load_n(&lane->lo[idx], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&lane->seq, __ATOMIC_RELAXED) == s)
			return hi * DEMUX_FOLD + lo;
	}
}

uint64_t
demux_flow_hits_sum(const struct demux_flow *d, uint32_t idx)
{
	uint32_t i, nb = demux_flow_nb_lanes(d);
	const struct demux_lane *lane;
	uint64_t sum = 0;

	if (d->own.lo != NULL)
		sum += demux_flow_lane_read(&d->own, idx);
	if (d->hits != NULL)
		sum += __atomic_load_n(&d->hits[idx], __ATOMIC_RELAXED);
	for (i = 0; i < nb; i++)
		if ((lane = demux_flow_lane_at(d, i)) != NULL)
			sum += demux_flow_lane_read(lane, idx);
	return sum;
}
