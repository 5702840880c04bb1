/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow_push.c: the fast path of demux_flow (card in demux_flow.c).
 * A burst is handled in chunks of 64 packets: parse each packet's key, look
 * the keys up in bulk (demux_flow_route.h), number the targets the chunk
 * reaches (its groups), push each group as one burst (demux_flow_emit.h),
 * then count the stage's counters once per burst. What is paid per packet
 * is the parse, the lookup, one probe of a small map and one add to the
 * key's hit counter (while grouping); the rest is paid per group.
 * Every step is __rte_always_inline, so each push variant is still one
 * function: the split added no call per burst.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_queue_worker.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"
#include "demux_flow_route.h"
#include "demux_flow_emit.h"

/*
 * Count a hit of entry idx: into the pusher's lane (atomic off), its lo
 * folded into hi when it reaches DEMUX_FOLD (the sum's top bit: a test
 * and a branch never taken), or, for a pusher with no lane, into the
 * shared 64-bit counters with an atomic add.
 */
static __rte_always_inline void
demux_flow_hit(struct demux_flow *d, struct demux_lane *lane, uint16_t *lo,
	       uintptr_t idx, bool atomic)
{
	uint32_t v;

	if (atomic) {
		pk_counter_add_mt(&d->hits[idx], 1);
		return;
	}
	v = lo[idx] + 1;
	__atomic_store_n(&lo[idx], (uint16_t)v, __ATOMIC_RELAXED);
	if (unlikely(v >= DEMUX_FOLD))
		demux_flow_lane_fold(lane, idx);
}

/* lane's lo[], read once per loop (an atomic store to it, which the
 * compiler does not see past, would have it read again per packet). */
static __rte_always_inline uint16_t *
demux_flow_lo(struct demux_lane *lane, bool atomic)
{
	return atomic ? NULL : lane->lo;
}

/* Where demux_flow_hit() will add for entry idx, fetched for writing. */
static __rte_always_inline void
demux_flow_hit_prefetch(struct demux_flow *d, uint16_t *lo, uintptr_t idx,
			bool atomic)
{
	if (atomic)
		rte_prefetch0_write(&d->hits[idx]);
	else
		rte_prefetch0_write(&lo[idx]);
}

/* Per-chunk slot -> group map, power of two; half full at most. */
#define DEMUX_MAP 128
#define DEMUX_NOGRP 0xff /* an empty map cell */

/*
 * Number the groups of a routed chunk, in first-seen order, and note each
 * group's packets as a bit mask of their places in the chunk: one probe per
 * packet of a 128-cell map of group numbers, checked against the group's
 * slot (so only the map is cleared: 128 bytes). Packets with no miss stage
 * to go to are marked refused, to come back to the caller like those a
 * target refuses; they and freed ones join no group (all_found: there are
 * none, a test less per packet). Hits: with counters that stay in the
 * cache (near), each packet that goes to a target counts its hit here,
 * while its key's entry is in a register, one add to the counter array
 * (dense by entry index, 16 keys a line), nothing kept for later; a packet
 * to the miss stage counts into the spare counter past the keys' (entry
 * d->entries, never read), no test for it. Otherwise each key's counter
 * is prefetched here for its add after the pushes (demux_flow_hits_after()).
 */
static __rte_always_inline void
demux_flow_group_loop(struct demux_flow *d, unsigned int n,
		      struct demux_lane *lane, bool atomic,
		      struct demux_chunk *c, bool all_found, bool near,
		      bool direct)
{
	/* once per chunk, after its lookups: their acquire loads of the keys'
	 * data order this load, so targets[] has every slot they found (a
	 * larger copy replaces it when the slots grow; the old one outlives
	 * this chunk, freed after a grace period) */
	struct pk_stage *const *targets = __atomic_load_n(&d->targets,
							  __ATOMIC_RELAXED);
	uint16_t *lo = demux_flow_lo(lane, atomic);
	uint8_t map[DEMUX_MAP];
	uint64_t back = 0, skip = 0, bit = 1;
	uint32_t s;
	unsigned int i, h, g, ng = 0, fresh;
	uintptr_t v;

	memset(map, DEMUX_NOGRP, sizeof(map));
	for (i = 0; i < n; i++, bit <<= 1) {
		v = (uintptr_t)c->rt[i];
		s = demux_data_slot((void *)v);
		if (!all_found && unlikely(s >= DEMUX_SLOT_BACK)) {
			if (s == DEMUX_SLOT_BACK)
				back |= bit;
			skip |= bit;
			continue;
		}
		if (near)
			demux_flow_hit(d, lane, lo, demux_data_idx((void *)v),
				       atomic);
		else
			demux_flow_hit_prefetch(d, lo,
						demux_data_idx((void *)v),
						atomic);
		if (direct) { /* s < DEMUX_MAP: its own cell */
			h = s;
			g = map[h];
		} else {
			h = s & (DEMUX_MAP - 1);
			while ((g = map[h]) != DEMUX_NOGRP && c->gslot[g] != s)
				h = (h + 1) & (DEMUX_MAP - 1);
		}
		if (direct) {
			/*
			 * A new group or one more packet for group g, without
			 * a branch: with a chunk over a few dozen targets it
			 * goes either way about half the time, at random (a
			 * mispredict every other packet). A new group's mask
			 * starts from nothing (its old bits masked off).
			 */
			fresh = g == DEMUX_NOGRP;
			g = fresh ? ng : g;
			map[h] = (uint8_t)g;
			c->gmask[g] = (c->gmask[g] & ((uint64_t)fresh - 1)) |
				      bit;
			c->tg[g] = targets[s];
			c->gof[i] = (uint8_t)g;
			ng += fresh;
			continue;
		}
		/* many targets: almost every packet a new group, predicted */
		if (g == DEMUX_NOGRP) {
			map[h] = ng;
			c->gslot[ng] = s;
			c->gmask[ng] = bit;
			c->tg[ng++] = targets[s];
			continue;
		}
		c->gmask[g] |= bit; /* one more for group g */
	}
	c->ng = ng;
	c->n = n;
	c->direct = direct;
	/* fewer groups than packets in them: a group has several */
	c->multi = ng + (unsigned int)__builtin_popcountll(skip) < n;
	c->refused = back;
}

/*
 * The loop's variants: every packet found a key or not; and, in the usual
 * case (every packet found), whether every slot the chunk can hold is
 * below DEMUX_MAP (a demux that never had more targets): then a slot is
 * its own map cell, no probe and no slot compare. slot_top is read after
 * the lookups, so it covers every key they found.
 */
static __rte_always_inline void
demux_flow_group(struct demux_flow *d, unsigned int n,
		 struct demux_lane *lane, bool atomic, struct demux_chunk *c,
		 bool near)
{
	if (unlikely(c->found != demux_mask(n)))
		demux_flow_group_loop(d, n, lane, atomic, c, false, near,
				      false);
	else if (__atomic_load_n(&d->slot_top, __ATOMIC_RELAXED) <= DEMUX_MAP)
		demux_flow_group_loop(d, n, lane, atomic, c, true, near, true);
	else
		demux_flow_group_loop(d, n, lane, atomic, c, true, near,
				      false);
}

/* Far hit counters: each packet that found a key adds one to its own. */
static __rte_always_inline void
demux_flow_hits_after(struct demux_flow *d, const struct demux_chunk *c,
		      struct demux_lane *lane, bool atomic)
{
	uint16_t *lo = demux_flow_lo(lane, atomic);
	uint64_t b;

	for (b = c->found; b != 0; b &= b - 1)
		demux_flow_hit(d, lane, lo,
			       demux_data_idx(c->rt[rte_bsf64(b)]), atomic);
}

/*
 * Push pkts[start..start+len), len <= DEMUX_CHUNK. What comes back to the
 * caller is moved to pkts[nref..), in order: nref <= start, so the front of
 * pkts is free. Returns the new nref.
 */
static __rte_always_inline uint16_t
demux_flow_push_chunk(struct demux_flow *d, struct rte_mbuf **pkts,
		      uint16_t start, uint16_t len, uint16_t nref,
		      struct demux_lane *lane, bool atomic,
		      struct demux_tally *t)
{
	struct demux_chunk c;
	uint64_t refused;

	demux_flow_route(d, &pkts[start], len, &c, t);
	if (likely(d->hits_near))
		demux_flow_group(d, len, lane, atomic, &c, true);
	else
		demux_flow_group(d, len, lane, atomic, &c, false);
	demux_flow_push_groups(d, &pkts[start], &c, t);
	if (unlikely(!d->hits_near))
		demux_flow_hits_after(d, &c, lane, atomic);
	for (refused = c.refused; refused != 0; refused &= refused - 1)
		pkts[nref++] = pkts[start + rte_bsf64(refused)];
	return nref;
}

/* Add a burst's tally to the stage's counters: n taken, bytes of those. */
static __rte_always_inline void
demux_flow_count(struct pk_stage *s, uint16_t n, uint64_t bytes,
		 const struct demux_tally *t, bool mt)
{
	uint64_t dropped = 0, drop_bytes = 0;
	unsigned int r;

	if (unlikely(t->odd)) {
		drop_bytes = t->drop_bytes;
		for (r = 0; r < PK_DROP_MAX; r++) {
			dropped += t->drops[r];
			demux_flow_cnt(&s->in.drops[r], t->drops[r], mt);
			demux_flow_cnt(&s->in.refused[r], t->refused[r], mt);
		}
	}
	demux_flow_cnt(&s->out.pkts, n - dropped, mt);
	if (bytes != 0) {
		demux_flow_cnt(&s->in.bytes, bytes, mt);
		demux_flow_cnt(&s->out.bytes, bytes - drop_bytes, mt);
	}
	demux_flow_cnt(&s->in.pkts, n, mt);
}

/*
 * Where this thread counts hits: the one pusher's lane (d->own); with
 * several pushers, its lcore's own lane (see
 * pk_demux_flow_reader_register()), else none: the shared 64-bit counters
 * with atomics.
 */
static __rte_always_inline struct demux_lane *
demux_flow_lane(struct demux_flow *d, bool mt, bool *atomic)
{
	struct demux_lane *lane;
	unsigned int lc;

	*atomic = false;
	if (!mt)
		return &d->own;
	lc = rte_lcore_id();
	lane = lc < RTE_MAX_LCORE ?
		       __atomic_load_n(&d->lanes[lc], __ATOMIC_RELAXED) : NULL;
	*atomic = lane == NULL;
	return lane;
}

static __rte_always_inline uint16_t
demux_flow_push_common(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n,
		       bool mt)
{
	struct demux_flow *d = demux_of(s);
	/* bytes before the pushes: a target may free its packets at once */
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	struct demux_tally t;
	uint16_t start, len, nref = 0;
	bool atomic;
	struct demux_lane *lane = demux_flow_lane(d, mt, &atomic);

	t.odd = false; /* the rest is zeroed when needed */
	for (start = 0; start < n; start += len) {
		len = RTE_MIN(n - start, DEMUX_CHUNK);
		nref = demux_flow_push_chunk(d, pkts, start, len, nref, lane,
					     atomic, &t);
	}
	/* the caller's packets go to the tail, as pk_stage.h says */
	if (nref != 0 && nref != n)
		memmove(&pkts[n - nref], pkts, nref * sizeof(*pkts));
	/* in counts what was taken: what came back is still ours to read */
	if (unlikely(nref != 0 && bytes != 0))
		bytes -= pk_burst_bytes(&pkts[n - nref], nref);
	demux_flow_count(s, n - nref, bytes, &t, mt);
	return n - nref;
}

uint16_t
demux_flow_push_st(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return demux_flow_push_common(s, pkts, n, false);
}

uint16_t
demux_flow_push_mt(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return demux_flow_push_common(s, pkts, n, true);
}
