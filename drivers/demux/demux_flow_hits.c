/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow_hits.c: the hit counters of demux_flow (card in demux_flow.c).
 * A key's hits are counted by entry index in hits[], written by the one
 * pusher of an mt=0 demux. With mt=1, an lcore that registers as a reader
 * gets a lane of its own, counters by entry index that only it writes: its
 * pushes count without atomics on lines other lcores write. Pushers with
 * no lane (unregistered, or with no lcore id) count into hits[] with
 * atomics. A key's hits are its counter in hits[] plus its counter in
 * every lane, summed when read: exact once the pushes are done.
 */
#include <errno.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

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

static inline uint64_t *
demux_flow_lane_at(const struct demux_flow *d, uint32_t i)
{
	return __atomic_load_n(&d->lane_list[i], __ATOMIC_ACQUIRE);
}

int
demux_flow_lanes_init(struct demux_flow *d, int socket_id)
{
	d->lanes = rte_zmalloc_socket("pk_demux", sizeof(*d->lanes) *
				      RTE_MAX_LCORE, RTE_CACHE_LINE_SIZE,
				      socket_id);
	d->lane_list = rte_zmalloc_socket("pk_demux", sizeof(*d->lane_list) *
					  RTE_MAX_LCORE, 0, socket_id);
	return d->lanes != NULL && d->lane_list != NULL ? 0 : -ENOMEM;
}

void
demux_flow_lanes_free(struct demux_flow *d)
{
	uint32_t i;

	for (i = 0; i < demux_flow_nb_lanes(d); i++)
		rte_free(d->lane_list[i]);
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
	uint64_t *lane;
	uint32_t i;

	if (d->lanes == NULL || lc >= RTE_MAX_LCORE || d->lanes[lc] != NULL)
		return 0; /* mt=0, no lcore id (atomics), or made already */
	lane = rte_zmalloc_socket("pk_demux", sizeof(*lane) *
				  ((size_t)d->capacity + 1),
				  RTE_CACHE_LINE_SIZE, rte_socket_id());
	if (lane == NULL)
		return -ENOMEM;
	i = __atomic_fetch_add(&d->nb_lanes, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&d->lane_list[i], lane, __ATOMIC_RELEASE);
	__atomic_store_n(&d->lanes[lc], lane, __ATOMIC_RELEASE);
	return 0;
}

void
demux_flow_hits_reset(struct demux_flow *d, uint32_t idx)
{
	uint32_t i, nb = demux_flow_nb_lanes(d);
	uint64_t *lane;

	d->hits[idx] = 0;
	for (i = 0; i < nb; i++)
		if ((lane = demux_flow_lane_at(d, i)) != NULL)
			__atomic_store_n(&lane[idx], 0, __ATOMIC_RELAXED);
}

uint64_t
demux_flow_hits_sum(const struct demux_flow *d, uint32_t idx)
{
	uint64_t sum = __atomic_load_n(&d->hits[idx], __ATOMIC_RELAXED);
	uint32_t i, nb = demux_flow_nb_lanes(d);
	const uint64_t *lane;

	for (i = 0; i < nb; i++)
		if ((lane = demux_flow_lane_at(d, i)) != NULL)
			sum += __atomic_load_n(&lane[idx], __ATOMIC_RELAXED);
	return sum;
}
