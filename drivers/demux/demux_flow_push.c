/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demux_flow_push.c: the fast path of demux_flow (card in demux_flow.c).
 * A burst is handled in chunks of 64 packets: parse each packet's key, look
 * the keys up in bulk, group the packets by target, push each group as one
 * burst, and count once per burst. Apart from the key table so that this file
 * reads as one data path. Every step is __rte_always_inline, so each push
 * variant is still one function: the split added no call per burst.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_prefetch.h>

#include <pathkit/pk_demux.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"

#define DEMUX_CHUNK RTE_HASH_LOOKUP_BULK_MAX /* 64: fits the hit mask */
/* Per-chunk slot -> group map, power of two; half full at most. */
#define DEMUX_MAP 128
#define DEMUX_MAP_EMPTY UINT32_MAX /* no slot or pseudo-slot has it */

/* Counts of one burst, added to the stage's counters once. */
struct demux_tally {
	uint64_t out;
	uint64_t out_bytes;
	uint64_t drops[PK_DROP_MAX];   /* freed */
	uint64_t refused[PK_DROP_MAX]; /* given back to the caller */
};

/* Add v to a stage counter: atomic only when several threads push. */
static inline void
demux_flow_cnt(uint64_t *c, uint64_t v, bool mt)
{
	if (v == 0)
		return;
	if (mt)
		pk_counter_add_mt(c, v);
	else
		pk_counter_add(c, v);
}

/*
 * k packets go to the miss slot for a reason: with no miss stage they come
 * back to the caller, refused for that reason; a miss stage's push counts
 * what it takes as out (and what it refuses as "full").
 */
static __rte_always_inline void
demux_flow_miss(const struct demux_flow *d, struct demux_tally *t,
		enum pk_drop_reason r, unsigned int k)
{
	if (d->miss_slot == DEMUX_SLOT_BACK)
		t->refused[r] += k;
}

/*
 * Parse the keys of a chunk. Every packet starts out bound for d->miss_slot
 * (the miss stage, or back to the caller); malformed ones are freed here.
 * idx[0..m) lists the parsed ones; returns m.
 */
static __rte_always_inline unsigned int
demux_flow_parse(struct demux_flow *d, struct rte_mbuf **pkts, uint16_t n,
		 struct pk_flow_key *keys, uint8_t *idx, uint32_t *slot,
		 struct demux_tally *t)
{
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		slot[i] = d->miss_slot;
		switch (pk_flow_parse(pkts[i], &keys[i])) {
		case PK_FLOW_OK:
			idx[m++] = i;
			break;
		case PK_FLOW_MALFORMED:
			rte_pktmbuf_free(pkts[i]);
			t->drops[PK_DROP_MALFORMED]++;
			slot[i] = DEMUX_SLOT_DROP;
			break;
		case PK_FLOW_FRAGMENT:
			demux_flow_miss(d, t, PK_DROP_FRAGMENT, 1);
			break;
		case PK_FLOW_NOT_IP:
			demux_flow_miss(d, t, PK_DROP_NO_MATCH, 1);
			break;
		}
	}
	return m;
}

/*
 * One bulk lookup of the still-unmatched idx[0..m); returns those left, moved
 * to the front of idx. A hit's counter is prefetched now and bumped after the
 * pushes (hidx[] keeps its entry index); so is its targets[] entry.
 */
static __rte_always_inline unsigned int
demux_flow_pass(struct demux_flow *d, struct pk_flow_key *keys, uint8_t *idx,
		unsigned int m, uint32_t *slot, uint32_t *hidx, unsigned int *nhp)
{
	const void *kp[DEMUX_CHUNK];
	void *data[DEMUX_CHUNK];
	unsigned int j, left = 0, nh = *nhp;
	uint64_t hit = 0;
	uintptr_t e;

	for (j = 0; j < m; j++)
		kp[j] = &keys[idx[j]];
	rte_hash_lookup_bulk_data(d->h, kp, m, &hit, data);
	for (j = 0; j < m; j++) {
		if (hit & (1ULL << j)) {
			slot[idx[j]] = demux_data_slot(data[j]);
			e = demux_data_idx(data[j]);
			hidx[nh++] = e;
			rte_prefetch0_write(&d->hits[e]);
			rte_prefetch0(&d->targets[slot[idx[j]]]);
		} else {
			idx[left++] = idx[j];
		}
	}
	*nhp = nh;
	return left;
}

/*
 * Resolve slot[i] for every packet of a chunk: active keys, then passive,
 * then wildcard. A pass runs only for packets still unmatched, and only if
 * keys of its kind exist: most demuxes hold one kind, and skip two lookups.
 */
static __rte_always_inline void
demux_flow_resolve_chunk(struct demux_flow *d, struct rte_mbuf **pkts,
			 uint16_t n, uint32_t *slot, uint32_t *hidx,
			 unsigned int *nh, struct demux_tally *t)
{
	struct pk_flow_key keys[DEMUX_CHUNK];
	uint8_t idx[DEMUX_CHUNK];
	unsigned int i, m;

	m = demux_flow_parse(d, pkts, n, keys, idx, slot, t);
	/* the active pass too: unconnected sockets have passive keys only */
	if (m > 0 && __atomic_load_n(&d->nb_kind[DEMUX_ACTIVE],
				     __ATOMIC_RELAXED) > 0)
		m = demux_flow_pass(d, keys, idx, m, slot, hidx, nh);
	if (m > 0 && __atomic_load_n(&d->nb_kind[DEMUX_PASSIVE],
				     __ATOMIC_RELAXED) > 0) {
		for (i = 0; i < m; i++)
			pk_flow_key_passive(&keys[idx[i]]);
		m = demux_flow_pass(d, keys, idx, m, slot, hidx, nh);
	}
	if (m > 0 && __atomic_load_n(&d->nb_kind[DEMUX_WILD],
				     __ATOMIC_RELAXED) > 0) {
		for (i = 0; i < m; i++)
			pk_flow_key_wildcard(&keys[idx[i]]);
		m = demux_flow_pass(d, keys, idx, m, slot, hidx, nh);
	}
	demux_flow_miss(d, t, PK_DROP_NO_MATCH, m); /* they keep the miss slot */
}

/* Group number of slot s in this chunk (open addressing; new if unseen). */
static __rte_always_inline unsigned int
demux_flow_group_of(uint32_t *mkey, uint8_t *mval, uint32_t s,
		    unsigned int *ng)
{
	unsigned int h = s & (DEMUX_MAP - 1);

	while (mkey[h] != s && mkey[h] != DEMUX_MAP_EMPTY)
		h = (h + 1) & (DEMUX_MAP - 1);
	if (mkey[h] == DEMUX_MAP_EMPTY) {
		mkey[h] = s;
		mval[h] = (*ng)++;
	}
	return mval[h];
}

/* Push one group; mark what its target refused. */
static __rte_always_inline void
demux_flow_emit(struct demux_flow *d, struct pk_stage *target,
		struct rte_mbuf **grp, const uint8_t *orig, unsigned int len,
		uint8_t *refused, struct demux_tally *t)
{
	uint64_t bytes = 0;
	unsigned int k, taken;

	if (unlikely(d->stage.flags & PK_STAGE_F_BYTES))
		bytes = pk_burst_bytes(grp, len);
	taken = pk_stage_push(target, grp, len);
	if (unlikely(taken != len)) {
		if (bytes != 0)
			bytes -= pk_burst_bytes(&grp[taken], len - taken);
		for (k = taken; k < len; k++)
			refused[orig[k]] = 1;
		t->refused[PK_DROP_FULL] += len - taken;
	}
	t->out += taken;
	t->out_bytes += bytes;
}

/*
 * Group a resolved chunk by target and push each group as one burst, groups
 * in first-seen order, packets in their order. Three passes over at most 64
 * packets: number each packet's group (and size the groups), lay the groups
 * out back to back in grp[] (orig[] keeps each one's place in the chunk, to
 * mark refusals), push. A packet with no miss stage to go to is marked
 * refused here, to come back to the caller like one a target refused; it and
 * freed ones join no group.
 */
static __rte_always_inline void
demux_flow_group(struct demux_flow *d, struct rte_mbuf **pkts, uint16_t n,
		 const uint32_t *slot, uint8_t *refused,
		 struct demux_tally *t)
{
	uint32_t mkey[DEMUX_MAP], gslot[DEMUX_CHUNK];
	uint8_t mval[DEMUX_MAP], gof[DEMUX_CHUNK], orig[DEMUX_CHUNK];
	uint8_t glen[DEMUX_CHUNK], gstart[DEMUX_CHUNK];
	struct rte_mbuf *grp[DEMUX_CHUNK];
	struct pk_stage *tg[DEMUX_CHUNK];
	unsigned int i, g, ng = 0, pos;

	memset(mkey, 0xff, sizeof(mkey));
	for (i = 0; i < n; i++) {
		refused[i] = slot[i] == DEMUX_SLOT_BACK;
		if (slot[i] >= DEMUX_SLOT_BACK)
			continue;
		pos = ng;
		g = demux_flow_group_of(mkey, mval, slot[i], &ng);
		if (ng != pos) { /* a new group */
			gslot[g] = slot[i];
			glen[g] = 0;
		}
		gof[i] = g;
		glen[g]++;
	}
	/*
	 * A socket per target means a cold target per packet: fetch what its
	 * push touches (first line: push, ctx; the in counters; the kind's own
	 * first line, e.g. queue_ring's waiter count) while the groups are laid
	 * out, and ctx's first line (the ring) two pushes ahead. With few
	 * targets these lines are in L1 and the prefetches cost an
	 * instruction each.
	 */
	for (pos = 0, g = 0; g < ng; g++) {
		tg[g] = d->targets[gslot[g]];
		rte_prefetch0(tg[g]);
		rte_prefetch0_write(&tg[g]->in);
		rte_prefetch0(tg[g] + 1);
		gstart[g] = pos;
		pos += glen[g];
		glen[g] = 0; /* counts again as the group fills */
	}
	for (i = 0; i < n; i++) {
		if (slot[i] >= DEMUX_SLOT_BACK)
			continue;
		g = gof[i];
		grp[gstart[g] + glen[g]] = pkts[i];
		orig[gstart[g] + glen[g]++] = i;
	}
	for (g = 0; g < ng; g++) {
		if (g + 2 < ng)
			rte_prefetch0(tg[g + 2]->ctx);
		demux_flow_emit(d, tg[g], &grp[gstart[g]],
				&orig[gstart[g]], glen[g], refused, t);
	}
}

/*
 * Push pkts[start..start+len), len <= DEMUX_CHUNK. What comes back to the
 * caller is moved to pkts[nref..), in order: nref <= start, so the front of
 * pkts is free. Returns the new nref.
 */
static __rte_always_inline uint16_t
demux_flow_push_chunk(struct demux_flow *d, struct rte_mbuf **pkts,
		      uint16_t start, uint16_t len, uint16_t nref, bool mt,
		      struct demux_tally *t)
{
	uint32_t slot[DEMUX_CHUNK];
	uint32_t hidx[DEMUX_CHUNK];
	uint8_t refused[DEMUX_CHUNK];
	unsigned int nh = 0;
	uint16_t i;

	demux_flow_resolve_chunk(d, &pkts[start], len, slot, hidx, &nh, t);
	demux_flow_group(d, &pkts[start], len, slot, refused, t);
	/* hit counters last: their prefetches had the pushes' time */
	for (i = 0; i < nh; i++)
		demux_flow_cnt(&d->hits[hidx[i]], 1, mt);
	for (i = 0; i < len; i++)
		if (refused[i])
			pkts[nref++] = pkts[start + i];
	return nref;
}

/* Add a burst's tally to the stage's counters. */
static __rte_always_inline void
demux_flow_count(struct pk_stage *s, uint16_t n, const struct demux_tally *t,
		 bool mt)
{
	unsigned int r;

	demux_flow_cnt(&s->in.pkts, n, mt);
	demux_flow_cnt(&s->out.pkts, t->out, mt);
	demux_flow_cnt(&s->out.bytes, t->out_bytes, mt);
	for (r = 0; r < PK_DROP_MAX; r++) {
		demux_flow_cnt(&s->in.drops[r], t->drops[r], mt);
		demux_flow_cnt(&s->in.refused[r], t->refused[r], mt);
	}
}

static __rte_always_inline uint16_t
demux_flow_push_common(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n,
		       bool mt)
{
	struct demux_flow *d = demux_of(s);
	/* bytes before the pushes: a target may free its packets at once */
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	struct demux_tally t = { 0 };
	uint16_t start, len, nref = 0;

	for (start = 0; start < n; start += len) {
		len = RTE_MIN(n - start, DEMUX_CHUNK);
		nref = demux_flow_push_chunk(d, pkts, start, len, nref, mt, &t);
	}
	/* the caller's packets go to the tail, as pk_stage.h says */
	if (nref != 0 && nref != n)
		memmove(&pkts[n - nref], pkts, nref * sizeof(*pkts));
	/* in counts what was taken: what came back is still ours to read */
	if (unlikely(nref != 0 && bytes != 0))
		bytes -= pk_burst_bytes(&pkts[n - nref], nref);
	if (bytes != 0)
		demux_flow_cnt(&s->in.bytes, bytes, mt);
	demux_flow_count(s, n - nref, &t, mt);
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
