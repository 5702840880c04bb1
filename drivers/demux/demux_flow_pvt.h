/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DEMUX_FLOW_PVT_H
#define DEMUX_FLOW_PVT_H

/*
 * demux_flow internals shared by its three files; not installed.
 *   demux_flow.c        the kind: card, create, destroy, registration
 *   demux_flow_push.c   the fast path: parse, look up, group, push, count
 *   demux_flow_table.c  the key table: rte_hash, target slots, hit counters,
 *                       RCU reclaim, and the pk_demux_flow_*() key API
 * Only the struct and the encoding of a key's data are shared: the push
 * path's helpers are all inline in demux_flow_push.c.
 */

#include <assert.h>
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
 * A key's data in the hash is (entry index << 12 | target slot): the target
 * comes from a small, cache-resident table and the per-key state is one hit
 * counter, so a lookup touches no per-key memory beyond the hash's own.
 */
#define DEMUX_SLOT_BITS 12
#define DEMUX_TARGETS_MAX (1u << DEMUX_SLOT_BITS)
static_assert(DEMUX_TARGETS_MAX == PK_DEMUX_MAX_TARGETS, "slot bits");
#define DEMUX_SLOT_MASK (DEMUX_TARGETS_MAX - 1)
/* Slots past the targets, for packets that match no installed key. */
#define DEMUX_SLOT_MISS DEMUX_TARGETS_MAX /* targets[] entry: miss stage */
#define DEMUX_SLOT_BACK (DEMUX_SLOT_MISS + 1) /* back to the caller */
#define DEMUX_SLOT_DROP (DEMUX_SLOT_MISS + 2) /* freed as malformed */

/* Key kinds, in lookup order; a pass runs only if keys of its kind exist. */
enum demux_kind { DEMUX_ACTIVE, DEMUX_PASSIVE, DEMUX_WILD, DEMUX_KINDS };

struct demux_flow {
	struct pk_stage stage;
	/* fast path */
	struct rte_hash *h;
	struct pk_stage **targets; /* by slot; [DEMUX_SLOT_MISS] = miss */
	uint64_t *hits;            /* by entry index */
	uint16_t miss_slot;        /* DEMUX_SLOT_MISS, or _BACK if no miss */
	uint32_t nb_kind[DEMUX_KINDS]; /* keys of each kind, read relaxed */
	/* slow path: control thread only */
	uint32_t *slot_refs; /* keys (installed or in grace) per slot */
	uint32_t slot_hw;    /* slots ever used */
	uint32_t *free_idx;  /* stack of free entry indexes */
	uint32_t nb_free;
	uint32_t capacity;
	uint32_t count;
	struct rte_rcu_qsbr *qsbr;
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
static inline uint16_t
demux_data_slot(const void *data)
{
	return (uintptr_t)data & DEMUX_SLOT_MASK;
}

/* Its entry index: an index into hits[] (and free_idx[] once deleted). */
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

/*
 * demux_flow_table.c: build d's key table for capacity keys (hash, target
 * slots, hit counters, RCU variable and defer queue). 0 or -ENOMEM; on
 * failure what was built stays for demux_flow_table_free().
 */
DEMUX_FLOW_INTERNAL int
demux_flow_table_init(struct demux_flow *d, uint32_t capacity, int socket_id);

/* Free d's key table, after a last grace period; safe on a half-built one. */
DEMUX_FLOW_INTERNAL void demux_flow_table_free(struct demux_flow *d);

#endif /* DEMUX_FLOW_PVT_H */
