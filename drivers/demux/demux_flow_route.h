/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DEMUX_FLOW_ROUTE_H
#define DEMUX_FLOW_ROUTE_H

/*
 * demux_flow_route.h: the first half of demux_flow's fast path, inline,
 * for demux_flow_push.c only: route each packet of a chunk (parse its key,
 * look the keys up in bulk, one pass per key kind) and tally what goes
 * nowhere. demux_flow_push.c then groups, pushes and counts.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_prefetch.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"

#define DEMUX_CHUNK RTE_HASH_LOOKUP_BULK_MAX /* 64: fits the masks */
/*
 * Prefetch distances, in pushes: a target's first line (push, ctx,
 * waiters), then what that line leads to (demux_flow_prefetch_near(): the
 * in counters, a queue's ring, a path's head), read through ctx on the
 * line fetched by then. With 100K queue_ring targets
 * (silk.ingress100k), every stage fetched while grouping and only the
 * ring's first line two pushes ahead left the pushes waiting on memory.
 * A demux of few targets (d->pf_stage off) has them in L1 and skips this.
 */
#define DEMUX_AHEAD_STAGE 16
#define DEMUX_AHEAD_RING 8

/*
 * Counts of one burst, added to the stage's counters once. What it handed
 * on is not counted as it goes: every packet taken and not freed went to a
 * target (or the miss stage), so out is taken minus drops, at the end.
 */
struct demux_tally {
	bool odd;  /* a drop or a refusal below; until then the rest is junk */
	uint64_t drops[PK_DROP_MAX];   /* freed */
	uint64_t drop_bytes;           /* their bytes */
	uint64_t refused[PK_DROP_MAX]; /* given back to the caller */
};

/*
 * A chunk on its way: each packet's route (its key's hash data, or the miss
 * slot or a pseudo-slot) and, once grouped, the groups in the
 * order first seen, each with its target, slot, and its packets: bit i of
 * gmask[g] for packet i.
 */
struct demux_chunk {
	void *rt[DEMUX_CHUNK];
	uint64_t found;   /* bit i: packet i found a key */
	uint64_t gmask[DEMUX_CHUNK];
	uint32_t gslot[DEMUX_CHUNK];
	uint8_t gof[DEMUX_CHUNK]; /* direct map: packet i's group */
	/* past the last group, the last target again: prefetched, not pushed */
	struct pk_stage *tg[DEMUX_CHUNK + DEMUX_AHEAD_STAGE];
	unsigned int ng;
	bool multi;       /* a group has more than one packet */
	bool direct;      /* grouped by the direct map: gof[] is set */
	unsigned int n;   /* packets in the chunk */
	uint64_t refused; /* bit i: packet i comes back to the caller */
};

/* t, marked odd: its counts zeroed the first time. */
static inline struct demux_tally *
demux_tally_odd(struct demux_tally *t)
{
	if (!t->odd) {
		memset(t, 0, sizeof(*t));
		t->odd = true;
	}
	return t;
}

/* Add v to a counter: atomic only when several threads may write it. */
static inline void
demux_flow_add(uint64_t *c, uint64_t v, bool atomic)
{
	if (atomic)
		pk_counter_add_mt(c, v);
	else
		pk_counter_add(c, v);
}

/* The same, for a v that is often 0: a counter line left alone. */
static inline void
demux_flow_cnt(uint64_t *c, uint64_t v, bool atomic)
{
	if (v != 0)
		demux_flow_add(c, v, atomic);
}

static inline uint64_t
demux_mask(unsigned int n) /* bits 0..n-1, 1 <= n <= 64 */
{
	return UINT64_MAX >> (64 - n);
}

/*
 * The route of a packet that goes to the miss slot (or back). It has no
 * key: it counts into the spare hit counter past the keys', never read.
 */
static inline void *
demux_flow_miss_route(const struct demux_flow *d)
{
	return demux_data(d->entries, d->miss_slot);
}

/*
 * The route of a packet that did not parse: bound for d->miss_slot (the miss
 * stage, or back to the caller, refused for its reason), or freed here if
 * malformed.
 */
static __rte_noinline void *
demux_flow_unparsed(const struct demux_flow *d, struct rte_mbuf *m,
		    enum pk_flow_result r, struct demux_tally *t)
{
	enum pk_drop_reason why = r == PK_FLOW_FRAGMENT ? PK_DROP_FRAGMENT :
							  PK_DROP_NO_MATCH;

	demux_tally_odd(t);
	if (r == PK_FLOW_MALFORMED) {
		t->drop_bytes += m->pkt_len;
		pk_stage_drop_free(&d->stage.in, PK_DROP_MALFORMED, m);
		t->drops[PK_DROP_MALFORMED]++;
		return demux_data(0, DEMUX_SLOT_DROP);
	}
	if (d->miss_slot == DEMUX_SLOT_BACK)
		t->refused[why]++;
	return demux_flow_miss_route(d);
}

/*
 * One bulk lookup of the packets of todo, their keys first made keys of
 * kind k; sets their routes, returns those found. All of a chunk (the usual
 * first pass) are looked up in place, a subset through a compact copy.
 */
static __rte_always_inline uint64_t
demux_flow_pass(struct demux_flow *d, struct pk_flow_key *keys,
		const void **kp, unsigned int n, uint64_t todo,
		enum demux_kind k, struct demux_chunk *c)
{
	const void *ck[DEMUX_CHUNK];
	void *cd[DEMUX_CHUNK];
	uint8_t pos[DEMUX_CHUNK];
	uint64_t b, h = 0, hit = 0;
	unsigned int m = 0, i;

	for (b = todo; k != DEMUX_ACTIVE && b != 0; b &= b - 1) {
		i = rte_bsf64(b);
		if (k == DEMUX_PASSIVE)
			pk_flow_key_passive(&keys[i]);
		else
			pk_flow_key_wildcard(&keys[i]);
	}
	if (todo == demux_mask(n)) {
		rte_hash_lookup_bulk_data(d->h, kp, n, &hit, c->rt);
		return hit;
	}
	for (b = todo; b != 0; b &= b - 1) {
		i = rte_bsf64(b);
		ck[m] = &keys[i];
		pos[m++] = i;
	}
	rte_hash_lookup_bulk_data(d->h, ck, m, &h, cd);
	for (; h != 0; h &= h - 1) {
		i = rte_bsf64(h);
		c->rt[pos[i]] = cd[i];
		hit |= 1ULL << pos[i];
	}
	return hit;
}

/* The pass for keys of kind k, if some are installed; returns those left. */
static __rte_always_inline uint64_t
demux_flow_pass_if(struct demux_flow *d, struct pk_flow_key *keys,
		   const void **kp, unsigned int n, uint64_t todo,
		   enum demux_kind k, struct demux_chunk *c)
{
	if (todo == 0 || __atomic_load_n(&d->nb_kind[k], __ATOMIC_RELAXED) == 0)
		return todo;
	return todo & ~demux_flow_pass(d, keys, kp, n, todo, k, c);
}

/*
 * Route every packet of a chunk: parse, then look up active keys, passive,
 * wildcard. A pass runs only for packets still unmatched, and only if keys
 * of its kind exist: most demuxes hold one kind, and skip two lookups.
 */
static __rte_always_inline void
demux_flow_route(struct demux_flow *d, struct rte_mbuf **pkts, unsigned int n,
		 struct demux_chunk *c, struct demux_tally *t)
{
	struct pk_flow_key keys[DEMUX_CHUNK];
	const void *kp[DEMUX_CHUNK];
	uint64_t bad = 0, todo, b;
	enum pk_flow_result r;
	unsigned int i;

	for (i = 0; i < n; i++) {
		r = pk_flow_parse(pkts[i], &keys[i]);
		kp[i] = &keys[i];
		if (unlikely(r != PK_FLOW_OK)) {
			bad |= 1ULL << i;
			c->rt[i] = demux_flow_unparsed(d, pkts[i], r, t);
		}
	}
	todo = demux_mask(n) & ~bad;
	/* the active pass too: unconnected sockets have passive keys only */
	todo = demux_flow_pass_if(d, keys, kp, n, todo, DEMUX_ACTIVE, c);
	todo = demux_flow_pass_if(d, keys, kp, n, todo, DEMUX_PASSIVE, c);
	todo = demux_flow_pass_if(d, keys, kp, n, todo, DEMUX_WILD, c);
	if (unlikely(todo != 0)) { /* no key matched them */
		if (d->miss_slot == DEMUX_SLOT_BACK)
			demux_tally_odd(t)->refused[PK_DROP_NO_MATCH] +=
				__builtin_popcountll(todo);
		for (b = todo; b != 0; b &= b - 1)
			c->rt[rte_bsf64(b)] = demux_flow_miss_route(d);
	}
	c->found = demux_mask(n) & ~bad & ~todo;
}


#endif /* DEMUX_FLOW_ROUTE_H */
