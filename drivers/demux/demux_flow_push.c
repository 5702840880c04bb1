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
#include <pathkit/pk_queue_worker.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"

#define DEMUX_CHUNK RTE_HASH_LOOKUP_BULK_MAX /* 64: fits the hit mask */
/* Per-chunk slot -> group map, power of two; half full at most. */
#define DEMUX_MAP 128
#define DEMUX_MAP_EMPTY UINT32_MAX /* no slot or pseudo-slot has it */
/*
 * Prefetch distances, in pushes: a target's stage lines (push, ctx,
 * waiters; the in counters), then what its queue's push reads of the ring
 * (through ctx, on the stage line by then). With 100K queue_ring targets
 * (silk.ingress100k), every stage fetched while grouping and only the
 * ring's first line two pushes ahead left the pushes waiting on memory.
 */
#define DEMUX_AHEAD_STAGE 16
#define DEMUX_AHEAD_RING 8

/*
 * Counts of one burst, added to the stage's counters once. What it handed
 * on is not counted as it goes: every packet taken and not freed went to a
 * target (or the miss stage), so out is taken minus drops, at the end.
 */
struct demux_tally {
	uint64_t drops[PK_DROP_MAX];   /* freed */
	uint64_t drop_bytes;           /* their bytes */
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
 * Parse the keys of a chunk. Packets that do not parse are bound for
 * d->miss_slot (the miss stage, or back to the caller), malformed ones are
 * freed here. idx[0..m) lists the parsed ones; returns m.
 */
static __rte_always_inline unsigned int
demux_flow_parse(struct demux_flow *d, struct rte_mbuf **pkts, uint16_t n,
		 struct pk_flow_key *keys, uint8_t *idx, uint32_t *slot,
		 struct demux_tally *t)
{
	unsigned int i, m = 0;
	enum pk_flow_result r;

	for (i = 0; i < n; i++) {
		r = pk_flow_parse(pkts[i], &keys[i]);
		if (likely(r == PK_FLOW_OK)) {
			idx[m++] = i;
			continue;
		}
		slot[i] = d->miss_slot;
		switch (r) {
		case PK_FLOW_MALFORMED:
			t->drop_bytes += pkts[i]->pkt_len;
			rte_pktmbuf_free(pkts[i]);
			t->drops[PK_DROP_MALFORMED]++;
			slot[i] = DEMUX_SLOT_DROP;
			break;
		case PK_FLOW_FRAGMENT:
			demux_flow_miss(d, t, PK_DROP_FRAGMENT, 1);
			break;
		default: /* PK_FLOW_NOT_IP */
			demux_flow_miss(d, t, PK_DROP_NO_MATCH, 1);
			break;
		}
	}
	return m;
}

/*
 * One bulk lookup of the still-unmatched idx[0..m), their keys first made
 * keys of kind k; returns those left, moved to the front of idx. A hit's
 * targets[] entry is prefetched for the grouping, and its counter for after
 * the pushes (hidx[] keeps its entry index): bumped now, it stalled them.
 */
static __rte_always_inline unsigned int
demux_flow_pass(struct demux_flow *d, struct pk_flow_key *keys, uint8_t *idx,
		unsigned int m, enum demux_kind k, uint32_t *slot,
		uint32_t *hidx, unsigned int *nhp)
{
	const void *kp[DEMUX_CHUNK];
	void *data[DEMUX_CHUNK];
	unsigned int j, left = 0, nh = *nhp;
	uint64_t hit = 0;
	uintptr_t e;

	for (j = 0; j < m; j++) {
		if (k == DEMUX_PASSIVE)
			pk_flow_key_passive(&keys[idx[j]]);
		else if (k == DEMUX_WILD)
			pk_flow_key_wildcard(&keys[idx[j]]);
		kp[j] = &keys[idx[j]];
	}
	rte_hash_lookup_bulk_data(d->h, kp, m, &hit, data);
	for (j = 0; j < m; j++) {
		if (hit & (1ULL << j)) {
			slot[idx[j]] = demux_data_slot(data[j]);
			e = demux_data_idx(data[j]);
			rte_prefetch0(&d->targets[slot[idx[j]]]);
			hidx[nh++] = e;
			rte_prefetch0_write(&d->hits[e]);
		} else {
			idx[left++] = idx[j];
		}
	}
	*nhp = nh;
	return left;
}

/* The pass for keys of kind k, if some are installed; returns those left. */
static __rte_always_inline unsigned int
demux_flow_pass_if(struct demux_flow *d, struct pk_flow_key *keys,
		   uint8_t *idx, unsigned int m, enum demux_kind k,
		   uint32_t *slot, uint32_t *hidx, unsigned int *nh)
{
	if (m == 0 || __atomic_load_n(&d->nb_kind[k], __ATOMIC_RELAXED) == 0)
		return m;
	return demux_flow_pass(d, keys, idx, m, k, slot, hidx, nh);
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
	m = demux_flow_pass_if(d, keys, idx, m, DEMUX_ACTIVE, slot, hidx, nh);
	m = demux_flow_pass_if(d, keys, idx, m, DEMUX_PASSIVE, slot, hidx, nh);
	m = demux_flow_pass_if(d, keys, idx, m, DEMUX_WILD, slot, hidx, nh);
	for (i = 0; i < m; i++) /* no key matched them */
		slot[idx[i]] = d->miss_slot;
	demux_flow_miss(d, t, PK_DROP_NO_MATCH, m);
}

/*
 * Push a group of len > 1 packets, gathered from its chain (first..last
 * through nxt[]), as one burst; mark what its target refused.
 */
static __rte_always_inline void
demux_flow_emit(struct pk_stage *target, struct rte_mbuf **pkts,
		unsigned int first, unsigned int last, const uint8_t *nxt,
		uint64_t *refused, struct demux_tally *t)
{
	struct rte_mbuf *grp[DEMUX_CHUNK];
	uint8_t orig[DEMUX_CHUNK];
	unsigned int i, k, len = 0, taken;

	for (i = first;; i = nxt[i]) {
		orig[len] = i;
		grp[len++] = pkts[i];
		if (i == last)
			break;
	}
	taken = pk_stage_push(target, grp, len);
	if (unlikely(taken != len)) {
		for (k = taken; k < len; k++)
			*refused |= 1ULL << orig[k];
		t->refused[PK_DROP_FULL] += len - taken;
	}
}

/*
 * Push the one packet of a group, pkts[i], from where it is. Most groups are
 * such when every socket has a queue: a queue_ring's SP push is then done
 * inline (pk_queue_worker.h), the same enqueue, counts and wake-up without
 * the call.
 */
static __rte_always_inline void
demux_flow_emit_one(struct pk_stage *target, struct rte_mbuf **pkts,
		    unsigned int i, uint64_t *refused, struct demux_tally *t)
{
	bool taken;

	if (pk_queue_ring_is_sp(target))
		taken = pk_queue_ring_push_one_sp(target, pkts[i]);
	else
		taken = pk_stage_push(target, &pkts[i], 1) == 1;
	if (unlikely(!taken)) {
		*refused |= 1ULL << i;
		t->refused[PK_DROP_FULL]++;
	}
}

/* Before the push of group g: prefetch later ones' stage and ring. With
 * few targets these are in L1, and a prefetch costs an instruction. */
static __rte_always_inline void
demux_flow_prefetch(struct pk_stage *const *tg, unsigned int g)
{
	rte_prefetch0(tg[g + DEMUX_AHEAD_STAGE]);
	rte_prefetch0_write(&tg[g + DEMUX_AHEAD_STAGE]->in);
	pk_queue_ring_prefetch(tg[g + DEMUX_AHEAD_RING]);
}

/*
 * Group a resolved chunk by target and push each group as one burst, groups
 * in first-seen order, packets in their order. One pass numbers the groups
 * and chains each group's packets (first[], last[], nxt[]); a second pushes
 * each group: a lone packet from where it is, a larger group gathered into
 * a burst. A packet with no miss stage to go to is marked refused here, to
 * come back to the caller like one a target refused; it and freed ones join
 * no group.
 */
static __rte_always_inline void
demux_flow_group(struct demux_flow *d, struct rte_mbuf **pkts, uint16_t n,
		 const uint32_t *slot, uint64_t *refused,
		 struct demux_tally *t)
{
	uint32_t mkey[DEMUX_MAP];
	uint8_t mval[DEMUX_MAP], first[DEMUX_CHUNK], last[DEMUX_CHUNK];
	uint8_t nxt[DEMUX_CHUNK];
	/* past the last group, the last target again: prefetched, not pushed */
	struct pk_stage *tg[DEMUX_CHUNK + DEMUX_AHEAD_STAGE];
	uint64_t multi = 0; /* bit g: group g has more than one packet */
	unsigned int i, g, ng = 0, h;
	uint32_t s;

	memset(mkey, 0xff, sizeof(mkey));
	for (i = 0; i < n; i++) {
		s = slot[i];
		if (unlikely(s >= DEMUX_SLOT_BACK)) {
			if (s == DEMUX_SLOT_BACK)
				*refused |= 1ULL << i;
			continue;
		}
		h = s & (DEMUX_MAP - 1);
		while (mkey[h] != s && mkey[h] != DEMUX_MAP_EMPTY)
			h = (h + 1) & (DEMUX_MAP - 1);
		if (mkey[h] != DEMUX_MAP_EMPTY) { /* one more for group g */
			g = mval[h];
			nxt[last[g]] = i;
			last[g] = i;
			multi |= 1ULL << g;
			continue;
		}
		mkey[h] = s; /* a new group */
		mval[h] = ng;
		first[ng] = last[ng] = i;
		tg[ng++] = d->targets[s];
	}
	if (ng == 0)
		return;
	for (g = ng; g < ng + DEMUX_AHEAD_STAGE; g++)
		tg[g] = tg[ng - 1];
	for (g = 0; g < ng && g < DEMUX_AHEAD_STAGE; g++) {
		rte_prefetch0(tg[g]);
		rte_prefetch0_write(&tg[g]->in);
	}
	if (multi == 0) { /* a packet per target: the loop without a test */
		for (g = 0; g < ng; g++) {
			demux_flow_prefetch(tg, g);
			demux_flow_emit_one(tg[g], pkts, first[g], refused, t);
		}
		return;
	}
	for (g = 0; g < ng; g++) {
		demux_flow_prefetch(tg, g);
		if (!(multi & (1ULL << g)))
			demux_flow_emit_one(tg[g], pkts, first[g], refused, t);
		else
			demux_flow_emit(tg[g], pkts, first[g], last[g], nxt,
					refused, t);
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
	uint64_t refused = 0; /* bit i: pkts[start + i] comes back */
	unsigned int nh = 0, i;

	demux_flow_resolve_chunk(d, &pkts[start], len, slot, hidx, &nh, t);
	demux_flow_group(d, &pkts[start], len, slot, &refused, t);
	/* hit counters last: their prefetches had the pushes' time */
	for (i = 0; i < nh; i++)
		demux_flow_cnt(&d->hits[hidx[i]], 1, mt);
	for (; refused != 0; refused &= refused - 1)
		pkts[nref++] = pkts[start + rte_bsf64(refused)];
	return nref;
}

/* Add a burst's tally to the stage's counters: n taken, bytes of those. */
static __rte_always_inline void
demux_flow_count(struct pk_stage *s, uint16_t n, uint64_t bytes,
		 const struct demux_tally *t, bool mt)
{
	uint64_t dropped = 0;
	unsigned int r;

	for (r = 0; r < PK_DROP_MAX; r++)
		dropped += t->drops[r];
	demux_flow_cnt(&s->out.pkts, n - dropped, mt);
	if (bytes != 0) {
		demux_flow_cnt(&s->in.bytes, bytes, mt);
		demux_flow_cnt(&s->out.bytes, bytes - t->drop_bytes, mt);
	}
	demux_flow_cnt(&s->in.pkts, n, mt);
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
