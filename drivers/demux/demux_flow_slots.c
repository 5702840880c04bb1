/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow_slots.c: the target slots of demux_flow (card in demux_flow.c).
 * A key's hash data names its target by slot, an index into targets[]; this
 * file decides which slot a target gets and when a slot is free again.
 * Every call is O(1), so a demux of a million keys, each to its own target
 * (a socket each), adds, deletes and removes targets as fast as one of ten:
 *   - a target's slot is found through an open-addressing index of slot
 *     numbers (the pointers are in targets[] already), at most half full;
 *   - free slots wait on a stack, not for a scan;
 *   - the installed keys of a slot form a doubly linked list through their
 *     entry indexes (hash positions), so remove_target() deletes a target's
 *     keys without a walk of the whole hash.
 * The by-slot state (targets[], refs, heads, the free stack, the index)
 * starts at DEMUX_SLOTS_MIN slots and doubles, up to capacity + 1, when a
 * new target finds no free slot: memory follows the targets in use, not the
 * keys. Only that growth allocates (and waits for a grace period before it
 * frees the old targets[]). Control thread only.
 */
#include <string.h>

#include <errno.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"

/* Home of target in the index: stages are cache aligned, skip those bits. */
static inline uint32_t
demux_flow_slot_home(const struct demux_slots *sl,
		     const struct pk_stage *target)
{
	uint64_t x = (uintptr_t)target >> 6;

	return (uint32_t)((x * 0x9e3779b97f4a7c15ull) >> 32) & sl->index_mask;
}

/* The target slot s's keys were given: targets[s], unless it is tapped. */
static struct pk_stage *
demux_flow_slot_target(const struct demux_flow *d, uint32_t s)
{
	uint32_t i;

	for (i = 0; i < d->nb_taps; i++)
		if (d->taps[i].slot == s)
			return d->taps[i].target;
	return d->targets[s];
}

/* Where target is in the index, or the empty cell that ends its probe. */
static uint32_t
demux_flow_slot_cell(const struct demux_flow *d, const struct pk_stage *target)
{
	const struct demux_slots *sl = &d->sl;
	uint32_t h = demux_flow_slot_home(sl, target);

	while (sl->index[h] != 0 &&
	       demux_flow_slot_target(d, sl->index[h]) != target)
		h = (h + 1) & sl->index_mask;
	return h;
}

/* Whether pushes prefetch their targets' stages: only when there are many. */
static void
demux_flow_slots_pf(struct demux_flow *d)
{
	bool many = d->sl.nb_slots - 1 - d->sl.nb_free > DEMUX_PF_TARGETS;

	if (many != d->pf_stage)
		__atomic_store_n(&d->pf_stage, many, __ATOMIC_RELAXED);
}

uint32_t
demux_flow_slot_find(struct demux_flow *d, const struct pk_stage *target)
{
	return d->sl.index[demux_flow_slot_cell(d, target)];
}

/* Put every slot in use into sl's index (empty, at its new size). */
static void
demux_flow_slots_reindex(struct demux_flow *d)
{
	struct demux_slots *sl = &d->sl;
	uint32_t s, h;

	for (s = 1; s < sl->nb_slots; s++) {
		if (sl->refs[s] == 0)
			continue;
		h = demux_flow_slot_home(sl, demux_flow_slot_target(d, s));
		while (sl->index[h] != 0)
			h = (h + 1) & sl->index_mask;
		sl->index[h] = s;
	}
}

/*
 * Double the slots, up to capacity + 1: everything is allocated before
 * anything changes, so a failure leaves d as it was (-ENOMEM). The new
 * targets[] is published with a release store; a pusher that loaded the
 * old one (once per chunk) may still read it, so it is freed only after a
 * grace period of both kinds of readers. That wait is the one the control
 * path already makes (demux_flow_sync_reclaim(), as add and remove_target
 * do), and the cheapest correct choice: a grow happens at most
 * log2(capacity / DEMUX_SLOTS_MIN) times in a demux's life, while sending
 * the old array through the defer queues would add a second kind of
 * element to them (and a full queue waits just the same).
 */
static int
demux_flow_slots_grow(struct demux_flow *d)
{
	struct demux_slots *sl = &d->sl;
	uint32_t old = sl->nb_slots, n, cells, s;
	struct pk_stage **targets, **old_targets = d->targets;
	uint32_t *refs, *head, *fr, *index;

	n = (uint32_t)RTE_MIN(2 * (uint64_t)old, (uint64_t)d->capacity + 1);
	if (n == old)
		return -ENOSPC; /* capacity targets: keys never need more */
	cells = rte_align32pow2(2 * (n - 1)); /* half full: see _init */
	targets = rte_zmalloc_socket("pk_demux", sizeof(*targets) * n,
				     RTE_CACHE_LINE_SIZE, sl->socket_id);
	refs = rte_zmalloc_socket("pk_demux", sizeof(*refs) * n, 0,
				  sl->socket_id);
	head = rte_malloc_socket("pk_demux", sizeof(*head) * n, 0,
				 sl->socket_id);
	fr = rte_malloc_socket("pk_demux", sizeof(*fr) * (n - 1), 0,
			       sl->socket_id);
	index = rte_zmalloc_socket("pk_demux", sizeof(*index) * cells, 0,
				   sl->socket_id);
	if (targets == NULL || refs == NULL || head == NULL || fr == NULL ||
	    index == NULL) {
		rte_free(targets);
		rte_free(refs);
		rte_free(head);
		rte_free(fr);
		rte_free(index);
		return -ENOMEM;
	}
	memcpy(targets, old_targets, sizeof(*targets) * old);
	memcpy(refs, sl->refs, sizeof(*refs) * old);
	memcpy(head, sl->head, sizeof(*head) * old);
	memcpy(fr, sl->free, sizeof(*fr) * sl->nb_free);
	for (s = n - 1; s >= old; s--) /* pop order: slot old first */
		fr[sl->nb_free++] = s;
	rte_free(sl->refs);
	rte_free(sl->head);
	rte_free(sl->free);
	rte_free(sl->index);
	sl->refs = refs;
	sl->head = head;
	sl->free = fr;
	sl->index = index;
	sl->index_mask = cells - 1;
	sl->nb_slots = n;
	demux_flow_slots_reindex(d);
	/* a key of a new slot is published after this: a pusher that finds
	 * it (an acquire load of its data) then loads the new targets[] */
	__atomic_store_n(&d->targets, targets, __ATOMIC_RELEASE);
	/* no pusher holds the old array after this (the reclaim it also runs
	 * may put slots: the new arrays are in place) */
	demux_flow_sync_reclaim(d);
	rte_free(old_targets);
	return 0;
}

int
demux_flow_slot_get(struct demux_flow *d, struct pk_stage *target)
{
	struct demux_slots *sl = &d->sl;
	uint32_t h = demux_flow_slot_cell(d, target), s = sl->index[h];
	int rc;

	if (s != 0) {
		sl->refs[s]++;
		return s;
	}
	if (sl->nb_free == 0) {
		rc = demux_flow_slots_grow(d);
		if (rc != 0)
			return rc;
		h = demux_flow_slot_cell(d, target); /* the index is new */
	}
	s = sl->free[--sl->nb_free];
	/* readers reach it only through a key added after this */
	d->targets[s] = target;
	if (s >= d->slot_top)
		__atomic_store_n(&d->slot_top, s + 1, __ATOMIC_RELAXED);
	sl->refs[s] = 1;
	sl->head[s] = DEMUX_NONE;
	sl->index[h] = s;
	demux_flow_slots_pf(d);
	return s;
}

/*
 * Take slot s out of the index: empty its cell, then move back any later
 * entry of the probe run whose home is not between the hole and itself
 * (Knuth's deletion for linear probing: no tombstones, probes stay short).
 */
static void
demux_flow_slot_unindex(struct demux_flow *d, uint32_t s)
{
	struct demux_slots *sl = &d->sl;
	uint32_t hole = demux_flow_slot_cell(d, demux_flow_slot_target(d, s));
	uint32_t j = hole, home;

	for (;;) {
		j = (j + 1) & sl->index_mask;
		if (sl->index[j] == 0)
			break;
		home = demux_flow_slot_home(sl, demux_flow_slot_target(d,
							sl->index[j]));
		/* stays if home lies cyclically in (hole, j] */
		if (hole <= j ? (hole < home && home <= j) :
				(hole < home || home <= j))
			continue;
		sl->index[hole] = sl->index[j];
		hole = j;
	}
	sl->index[hole] = 0;
}

void
demux_flow_slot_put(struct demux_flow *d, uint32_t s)
{
	struct demux_slots *sl = &d->sl;

	uint32_t i;

	if (--sl->refs[s] != 0)
		return;
	demux_flow_slot_unindex(d, s);
	for (i = 0; i < d->nb_taps; i++) /* its tap goes with it */
		if (d->taps[i].slot == s)
			d->taps[i] = d->taps[--d->nb_taps];
	d->targets[s] = NULL;
	sl->free[sl->nb_free++] = s;
	demux_flow_slots_pf(d);
}

void
demux_flow_slot_link(struct demux_flow *d, uint32_t s, uint32_t idx)
{
	struct demux_slots *sl = &d->sl;

	sl->prev[idx] = DEMUX_NONE;
	sl->next[idx] = sl->head[s];
	if (sl->head[s] != DEMUX_NONE)
		sl->prev[sl->head[s]] = idx;
	sl->head[s] = idx;
}

void
demux_flow_slot_unlink(struct demux_flow *d, uint32_t s, uint32_t idx)
{
	struct demux_slots *sl = &d->sl;

	if (sl->prev[idx] != DEMUX_NONE)
		sl->next[sl->prev[idx]] = sl->next[idx];
	else
		sl->head[s] = sl->next[idx];
	if (sl->next[idx] != DEMUX_NONE)
		sl->prev[sl->next[idx]] = sl->prev[idx];
}

/* The tap on target's slot (index in d->taps), or -1. */
static int
demux_flow_tap_find(const struct demux_flow *d, const struct pk_stage *target)
{
	uint32_t i;

	for (i = 0; i < d->nb_taps; i++)
		if (d->taps[i].target == target)
			return (int)i;
	return -1;
}

/*
 * Taps swap targets[] only: the index stays keyed by the target the keys
 * were given (demux_flow_slot_target()), so adds, deletes and
 * remove_target() go on finding the slot.
 */
int
pk_demux_flow_tap(struct pk_stage *s, struct pk_stage *target,
		  struct pk_stage *tap)
{
	struct demux_flow *d;
	uint32_t need, slot;
	int t;

	if (s == NULL || target == NULL ||
	    (s->ops != &demux_flow_st_ops && s->ops != &demux_flow_mt_ops))
		return -EINVAL;
	d = demux_of(s);
	need = s->ops->caps & (PK_STAGE_CAP_PUSH | PK_STAGE_CAP_MT_PUSH);
	t = demux_flow_tap_find(d, target);
	if (tap == NULL) {
		if (t < 0)
			return -ENOENT;
		__atomic_store_n(&d->targets[d->taps[t].slot], target,
				 __ATOMIC_RELEASE);
		d->taps[t] = d->taps[--d->nb_taps];
		return 0;
	}
	if (tap == s || tap == target || (tap->caps & need) != need)
		return -EINVAL;
	if (t >= 0)
		return -EBUSY;
	if (d->miss_slot == DEMUX_SLOT_MISS &&
	    d->targets[DEMUX_SLOT_MISS] == target)
		slot = DEMUX_SLOT_MISS;
	else
		slot = demux_flow_slot_find(d, target);
	if (slot == DEMUX_SLOT_MISS && d->targets[DEMUX_SLOT_MISS] != target)
		return -ENOENT;
	if (d->nb_taps == DEMUX_TAPS)
		return -ENOSPC;
	d->taps[d->nb_taps].slot = slot;
	d->taps[d->nb_taps++].target = target;
	/* pushers read targets[] relaxed, per burst: one burst goes to the
	 * tap or to target, whole */
	__atomic_store_n(&d->targets[slot], tap, __ATOMIC_RELEASE);
	return 0;
}

/* DEMUX_SLOTS_MIN slots (fewer for a small capacity), the miss stage's
 * first; d->entries places in the key lists. */
int
demux_flow_slots_init(struct demux_flow *d, int socket_id)
{
	struct demux_slots *sl = &d->sl;
	uint32_t n = (uint32_t)RTE_MIN((uint64_t)DEMUX_SLOTS_MIN,
				       (uint64_t)d->capacity + 1);
	/* at most half full: n - 1 targets (slot 0 is never in the index)
	 * in 2^k >= 2 * (n - 1) cells */
	uint32_t cells = rte_align32pow2(2 * (n - 1)), s;

	sl->socket_id = socket_id;
	d->targets = rte_zmalloc_socket("pk_demux", sizeof(*d->targets) * n,
					RTE_CACHE_LINE_SIZE, socket_id);
	sl->refs = rte_zmalloc_socket("pk_demux", sizeof(uint32_t) * n, 0,
				      socket_id);
	sl->head = rte_malloc_socket("pk_demux", sizeof(uint32_t) * n, 0,
				     socket_id);
	sl->free = rte_malloc_socket("pk_demux", sizeof(uint32_t) * (n - 1),
				     0, socket_id);
	sl->index = rte_zmalloc_socket("pk_demux", sizeof(uint32_t) * cells,
				       0, socket_id);
	sl->next = rte_malloc_socket("pk_demux", sizeof(uint32_t) *
				     d->entries, 0, socket_id);
	sl->prev = rte_malloc_socket("pk_demux", sizeof(uint32_t) *
				     d->entries, 0, socket_id);
	if (d->targets == NULL || sl->refs == NULL || sl->head == NULL ||
	    sl->free == NULL || sl->index == NULL || sl->next == NULL ||
	    sl->prev == NULL)
		return -ENOMEM;
	sl->nb_slots = n;
	sl->index_mask = cells - 1;
	for (s = 0; s < n - 1; s++) /* pop order: slot 1 first */
		sl->free[s] = n - 1 - s;
	sl->nb_free = n - 1;
	return 0;
}

void
demux_flow_slots_free(struct demux_flow *d)
{
	struct demux_slots *sl = &d->sl;

	rte_free(d->targets);
	rte_free(sl->refs);
	rte_free(sl->head);
	rte_free(sl->free);
	rte_free(sl->index);
	rte_free(sl->next);
	rte_free(sl->prev);
}
