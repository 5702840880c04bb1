/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DEMUX_FLOW_PVT_H
#define DEMUX_FLOW_PVT_H

/*
 * demux_flow internals shared by its files; not installed.
 *   demux_flow.c        the kind: card, create, destroy, registration
 *   demux_flow_route.h  the fast path's first half, inline: parse, look up
 *   demux_flow_push.c   the fast path: route, group, push, count
 *   demux_flow_table.c  the key table: rte_hash, RCU reclaim, and the
 *                       pk_demux_flow_*() key API
 *   demux_flow_slots.c  the target slots: targets by slot, which slot a
 *                       target has, free slots, the keys of each slot
 *   demux_flow_hits.c   the hit counters: shared, and per lcore with mt=1
 * Only the struct, the encoding of a key's data and the calls below are
 * shared: the push path's helpers are all inline (demux_flow_route.h is
 * demux_flow_push.c's alone).
 */

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_stage_driver.h>

struct rte_hash;
struct rte_rcu_qsbr;
struct rte_rcu_qsbr_dq;

/* Symbols one file defines for another: hidden, so that libpathkit keeps
 * exporting pk_* names only. */
#define DEMUX_FLOW_INTERNAL __attribute__((visibility("hidden")))

/*
 * A key's data in the hash is (entry index << 32 | target slot): the target
 * comes from targets[], a table of one pointer per slot, and the per-key
 * state is one hit counter, so a lookup touches no per-key memory beyond the
 * hash's own. The entry index is the key's position in the hash (what
 * rte_hash_lookup() returns), so per-key arrays need no allocator of their
 * own: they are sized by the hash's entries, d->entries. A pointer-sized data word holds both halves on 64-bit targets
 * only (DPDK's hash data is a void *).
 */
static_assert(sizeof(void *) == sizeof(uint64_t), "64-bit hash data");
#define DEMUX_SLOT_BITS 32
/*
 * Slots: 0 is the miss stage's (NULL without one), 1..capacity the keys'
 * targets: distinct targets never outnumber keys, so capacity bounds the
 * slots. targets[] is sized by the targets in use, though: it starts at
 * DEMUX_SLOTS_MIN slots and doubles when a target finds none free
 * (demux_flow_slots.c), so a demux of a million keys to 16 targets keeps a
 * small, cache-resident table and no per-key slot state. Two pseudo-slots,
 * never in targets[], mark packets that do not go to a target.
 */
#define DEMUX_SLOTS_MIN 64u
#define DEMUX_SLOT_MISS 0u                /* targets[0]: the miss stage */
#define DEMUX_SLOT_BACK (UINT32_MAX - 2)  /* back to the caller */
#define DEMUX_SLOT_DROP (UINT32_MAX - 1)  /* freed as malformed */
static_assert(PK_DEMUX_MAX_TARGETS < DEMUX_SLOT_BACK, "pseudo-slots apart");
#define DEMUX_NONE UINT32_MAX /* no entry index, no slot: list ends */

/* Up to this many targets stay in the cache: pushes prefetch none. */
#define DEMUX_PF_TARGETS 64
/*
 * Hit counters a pusher adds to (a lane's lo[]: 2 bytes a key) up to this
 * size stay in the caches (64K keys: 128 KiB, L2): a push adds to them
 * while grouping, the out-of-order window covering a miss. Beyond, it
 * prefetches each key's counter while grouping and adds after the pushes,
 * so that a miss to memory (1M keys) is not waited for.
 */
#define DEMUX_HITS_NEAR_BYTES (1024 * 1024)

/*
 * One pusher's hit counters (a lane), by entry index: a key's count there
 * is hi * DEMUX_FOLD + lo. The pusher adds to lo, 16 bits, so that a
 * packet's counter line holds 32 keys and the array is a quarter the size
 * of 64-bit counters (fewer misses: at 1M keys, 2 MiB; 32 bits cost 2% of
 * demux.flows1m, 8 bits folded too often at 1k keys); when lo reaches
 * DEMUX_FOLD (2^15: no wrap, the count is still exact) it moves DEMUX_FOLD
 * into hi, a fold, once in 2^15 hits of a key, with seq odd meanwhile so
 * that a reader never adds up a half-done move. hi counts folds: exact up
 * to 2^64 hits a key.
 */
#define DEMUX_FOLD (UINT32_C(1) << 15)
struct demux_lane {
	uint16_t *lo; /* by entry: hits since the last fold */
	uint64_t *hi; /* by entry: folds (lo and hi are one allocation) */
	uint32_t seq; /* odd while a fold is under way */
};

/* Key kinds, in lookup order; a pass runs only if keys of its kind exist. */
enum demux_kind { DEMUX_ACTIVE, DEMUX_PASSIVE, DEMUX_WILD, DEMUX_KINDS };

/*
 * Control-thread state of the target slots (demux_flow_slots.c). A slot is
 * in use while keys point to it, installed or deleted and in their grace
 * period (refs); installed keys of a slot form a list through their entry
 * indexes (hash positions), so that remove_target() finds them without a
 * walk of the hash. The by-slot arrays have nb_slots places (slot 0, the
 * miss stage's, included), the by-entry ones d->entries.
 */
struct demux_slots {
	uint32_t *refs;   /* by slot: keys (installed or in grace) */
	uint32_t *head;   /* by slot: first installed key's entry, or NONE */
	uint32_t *free;   /* stack of free slots */
	uint32_t nb_free;
	uint32_t nb_slots; /* places in targets[] and the by-slot arrays */
	int socket_id;     /* where they are allocated when they grow */
	uint32_t *index;  /* target -> slot, open addressing; 0: empty */
	uint32_t index_mask;
	uint32_t *next;   /* by entry: next installed key of its slot */
	uint32_t *prev;   /* by entry: previous one, or NONE */
};

/* Slots whose targets[] holds a tap (pk_demux_flow_tap()): the slot and
 * the target its keys were given, which the index is keyed by. */
#define DEMUX_TAPS 8
struct demux_tap {
	uint32_t slot;
	struct pk_stage *target;
};

struct demux_flow {
	struct pk_stage stage;
	/* fast path */
	struct rte_hash *h;
	/* by slot; [DEMUX_SLOT_MISS] = miss. Replaced by a larger copy when
	 * the slots grow (release store): pushers load it once per chunk,
	 * after their lookups, and an old one is freed after a grace period */
	struct pk_stage **targets;
	/* mt=0: the one pusher's hit counters; [entries]: misses */
	struct demux_lane own;
	/* mt=1: 64-bit counters by entry index for pushers with no lane
	 * (atomic adds); [entries]: misses. NULL with mt=0 */
	uint64_t *hits;
	/* mt=1: by lcore, that lcore's own lane, or NULL; a key's hits are
	 * its hits[] plus its count in every lane */
	struct demux_lane **lanes;
	struct demux_lane **lane_list; /* the lanes made so far, nb_lanes */
	uint32_t nb_lanes;
	bool hits_near;            /* DEMUX_HITS_NEAR_BYTES: set at create */
	uint32_t miss_slot;        /* DEMUX_SLOT_MISS, or _BACK if no miss */
	uint32_t nb_kind[DEMUX_KINDS]; /* keys of each kind, read relaxed */
	/* prefetch targets' stages: more than DEMUX_PF_TARGETS slots in use
	 * (control thread writes, pushers read relaxed) */
	bool pf_stage;
	/* past the highest slot ever given out: below the group map's size,
	 * slots index it directly (control thread raises it before the key
	 * that uses the slot is published; pushers read it after a lookup) */
	uint32_t slot_top;
	/* slow path: control thread only */
	struct demux_slots sl;
	struct demux_tap taps[DEMUX_TAPS];
	uint32_t nb_taps;
	uint32_t capacity;
	/* the hash's entries, RTE_MAX(capacity, 8): positions, entry indexes,
	 * are below it; entry index `entries` is the spare hit counter that
	 * packets without a key (or added but not yet given their index)
	 * count into, never read */
	uint32_t entries;
	uint32_t count;
	uint32_t nb_retired; /* deleted keys in their grace period */
	/* a deleted key waits for the library's readers (pk_rcu.h) in gdq,
	 * then for the demux's own readers (qsbr) in dq, then is reused */
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *gdq;
	struct rte_rcu_qsbr_dq *dq;
};

static inline struct demux_flow *
demux_of(struct pk_stage *s)
{
	return (struct demux_flow *)s;
}

/* The hash data of a key with entry index idx and target slot slot. */
static inline void *
demux_data(uint32_t idx, uint32_t slot)
{
	return (void *)(uintptr_t)((uint64_t)idx << DEMUX_SLOT_BITS | slot);
}

/* Its target slot: an index into targets[]. */
static inline uint32_t
demux_data_slot(const void *data)
{
	return (uint32_t)(uintptr_t)data;
}

/* Its entry index: its hash position, an index into the hit counters and
 * the slot lists. */
static inline uintptr_t
demux_data_idx(const void *data)
{
	return (uintptr_t)data >> DEMUX_SLOT_BITS;
}

/* demux_flow.c: the two variants, chosen at create (mt=0 / mt=1). */
DEMUX_FLOW_INTERNAL extern const struct pk_stage_ops demux_flow_st_ops;
DEMUX_FLOW_INTERNAL extern const struct pk_stage_ops demux_flow_mt_ops;

/* demux_flow_push.c: their push. */
DEMUX_FLOW_INTERNAL uint16_t
demux_flow_push_st(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n);
DEMUX_FLOW_INTERNAL uint16_t
demux_flow_push_mt(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n);

/* demux_flow_table.c: wait for every reader of both kinds (the library's,
 * then d's own), then reclaim every deleted key. Control thread. */
DEMUX_FLOW_INTERNAL void demux_flow_sync_reclaim(struct demux_flow *d);

/*
 * demux_flow_table.c: build d's key table for capacity keys (hash, target
 * slots, hit counters, RCU variable and defer queues; with mt, the table of
 * per-lcore hit counters, made by readers). 0 or -ENOMEM; on
 * failure what was built stays for demux_flow_table_free().
 */
DEMUX_FLOW_INTERNAL int
demux_flow_table_init(struct demux_flow *d, uint32_t capacity, bool mt,
		      int socket_id);

/* Free d's key table, after a last grace period; safe on a half-built one. */
DEMUX_FLOW_INTERNAL void demux_flow_table_free(struct demux_flow *d);

/*
 * demux_flow_slots.c: the target slots of d (targets[], struct
 * demux_slots), for d->capacity keys at d->entries positions. 0 or
 * -ENOMEM; on failure what was built stays for demux_flow_slots_free(),
 * which is safe on a half-built one.
 */
DEMUX_FLOW_INTERNAL int demux_flow_slots_init(struct demux_flow *d,
					      int socket_id);
DEMUX_FLOW_INTERNAL void demux_flow_slots_free(struct demux_flow *d);

/* target's slot, with one more reference: the one it has or a free one,
 * after the slots grow if none is free (which may wait for a grace period
 * of d's readers); -ENOMEM if they cannot grow (d unchanged), -ENOSPC if
 * capacity slots are in use, which capacity keys never reach. O(1)
 * amortized. */
DEMUX_FLOW_INTERNAL int demux_flow_slot_get(struct demux_flow *d,
					    struct pk_stage *target);

/* Drop a reference to slot; the last one frees it (after the grace period
 * of the key that held it: readers may still have seen it). O(1). */
DEMUX_FLOW_INTERNAL void demux_flow_slot_put(struct demux_flow *d,
					     uint32_t slot);

/* target's slot, or DEMUX_SLOT_MISS if it has none. O(1). */
DEMUX_FLOW_INTERNAL uint32_t demux_flow_slot_find(struct demux_flow *d,
						  const struct pk_stage *target);

/* Add the installed key of entry idx (its hash position) to slot's list,
 * or take it off when it is deleted. O(1). */
DEMUX_FLOW_INTERNAL void demux_flow_slot_link(struct demux_flow *d,
					      uint32_t slot, uint32_t idx);
DEMUX_FLOW_INTERNAL void demux_flow_slot_unlink(struct demux_flow *d,
						uint32_t slot, uint32_t idx);

/*
 * demux_flow_hits.c: the hit counters. lanes_init makes d->own (mt=0) or,
 * with mt, the shared 64-bit counters and the table of per-lcore lanes
 * (0 or -ENOMEM); lane_make the calling lcore's lane on its first reader
 * registration (0 or -ENOMEM); lanes_free is safe on a half-built demux.
 * hits_reset zeroes entry idx's counters before a new key takes it
 * (control thread); hits_sum reads them (any thread). lane_fold moves
 * DEMUX_FOLD hits of entry idx from lo to hi (the lane's pusher only, when
 * lo reached DEMUX_FOLD).
 */
DEMUX_FLOW_INTERNAL int demux_flow_lanes_init(struct demux_flow *d, bool mt,
					      int socket_id);
DEMUX_FLOW_INTERNAL void demux_flow_lanes_free(struct demux_flow *d);
DEMUX_FLOW_INTERNAL int demux_flow_lane_make(struct demux_flow *d);
DEMUX_FLOW_INTERNAL void demux_flow_hits_reset(struct demux_flow *d,
					       uint32_t idx);
DEMUX_FLOW_INTERNAL uint64_t demux_flow_hits_sum(const struct demux_flow *d,
						 uint32_t idx);
DEMUX_FLOW_INTERNAL void demux_flow_lane_fold(struct demux_lane *lane,
					      uint32_t idx);

#endif /* DEMUX_FLOW_PVT_H */
