/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DEMUX_FLOW_EMIT_H
#define DEMUX_FLOW_EMIT_H

/*
 * demux_flow_emit.h: the last step of demux_flow's fast path, inline, for
 * demux_flow_push.c only: push each group of a grouped chunk (struct
 * demux_chunk) to its target as one burst, prefetching what later pushes
 * touch, and mark what the targets refused.
 */
#include <stdbool.h>

#include <rte_prefetch.h>

#include <pathkit/pk_queue_worker.h>
#include <pathkit/pk_stage_driver.h>

#include "demux_flow_pvt.h"
#include "demux_flow_route.h"

/*
 * What a target's push touches, fetched in two steps: its first line
 * (push, ctx, waiters) DEMUX_AHEAD_STAGE pushes ahead, then, once that line
 * is in, DEMUX_AHEAD_RING ahead, what it leads to: the in counters of the
 * stage that counts the push and, for a queue_ring, its ring. A path whose
 * push is its head's (PK_STAGE_CAP_PUSH_CTX: a processing head that counts
 * for it) writes no line of its own: its head's first line and in instead.
 */
static __rte_always_inline void
demux_flow_prefetch_near(const struct pk_stage *t)
{
	const struct pk_stage *head = t->ctx;

	if (t->caps & PK_STAGE_CAP_PUSH_CTX) {
		rte_prefetch0(head);
		rte_prefetch0_write(&head->in);
		return;
	}
	rte_prefetch0_write(&t->in);
	pk_queue_ring_prefetch(t);
}

/* Before the pushes of a chunk: the first groups' targets, both steps. */
static __rte_always_inline void
demux_flow_prefetch_first(struct demux_chunk *c)
{
	unsigned int g, ng = c->ng;

	for (g = ng; g < ng + DEMUX_AHEAD_STAGE; g++)
		c->tg[g] = c->tg[ng - 1];
	for (g = 0; g < ng && g < DEMUX_AHEAD_STAGE; g++)
		rte_prefetch0(c->tg[g]);
	for (g = 0; g < ng && g < DEMUX_AHEAD_RING; g++)
		demux_flow_prefetch_near(c->tg[g]);
}

/* Before the push of group g: the later groups' steps. */
static __rte_always_inline void
demux_flow_prefetch(struct pk_stage *const *tg, unsigned int g)
{
	rte_prefetch0(tg[g + DEMUX_AHEAD_STAGE]);
	demux_flow_prefetch_near(tg[g + DEMUX_AHEAD_RING]);
}

/*
 * Push the one packet of a group, pkts[i], from where it is. Most groups are
 * such when every socket has a queue: a queue_ring's SP push is then done
 * inline (pk_queue_worker.h), the same enqueue, counts and wake-up without
 * the call.
 */
static __rte_always_inline void
demux_flow_emit_one(struct pk_stage *target, struct rte_mbuf **pkts,
		    unsigned int i, struct demux_chunk *c,
		    struct demux_tally *t)
{
	bool taken;

	if (pk_queue_ring_is_sp(target))
		taken = pk_queue_ring_push_one_sp(target, pkts[i]);
	else
		taken = pk_stage_push(target, &pkts[i], 1) == 1;
	if (unlikely(!taken)) {
		c->refused |= 1ULL << i;
		demux_tally_odd(t)->refused[PK_DROP_FULL]++;
	}
}

/*
 * Push the packets of mask m (more than one) as one burst; mark what the
 * target refused (the last ones).
 */
static __rte_always_inline void
demux_flow_emit(struct pk_stage *target, struct rte_mbuf **pkts, uint64_t m,
		struct demux_chunk *c, struct demux_tally *t)
{
	struct rte_mbuf *grp[DEMUX_CHUNK], **o = grp;
	unsigned int len, taken;
	uint64_t b;

	/* pkts in one register (not the caller's base plus the chunk's
	 * start) and the bit's place unsigned (rte_bsf64() is an int): 6
	 * instructions a packet gathered rather than 9 */
	__asm__("" : "+r"(pkts));
	for (b = m; b != 0; b &= b - 1)
		*o++ = pkts[(unsigned int)__builtin_ctzll(b)];
	len = o - grp;
	taken = pk_stage_push(target, grp, len);
	if (likely(taken == len))
		return;
	demux_tally_odd(t)->refused[PK_DROP_FULL] += len - taken;
	for (b = m; taken != 0; taken--)
		b &= b - 1;
	c->refused |= b;
}

/*
 * Push each group as one burst with no branch on its size (direct map,
 * every packet found: c->gof[] holds each packet's group): the packets are
 * laid out group after group in one pass, then each group is pushed from
 * its place. Choosing per group between a lone packet and a gathered
 * burst, and gathering over a group's mask, went either way at random.
 */
static __rte_always_inline void
demux_flow_push_laid_out(struct rte_mbuf **pkts, unsigned int n,
			 struct demux_chunk *c, struct demux_tally *t, bool pf)
{
	struct rte_mbuf *out[DEMUX_CHUNK];
	uint8_t start[DEMUX_CHUNK], at[DEMUX_CHUNK];
	unsigned int g, i, k, len, taken, pos = 0, ng = c->ng;

	for (g = 0; g < ng; g++) {
		start[g] = (uint8_t)pos;
		pos += (unsigned int)__builtin_popcountll(c->gmask[g]);
	}
	for (i = 0; i < n; i++) {
		k = start[c->gof[i]]++;
		out[k] = pkts[i];
		at[k] = (uint8_t)i;
	}
	for (g = 0, pos = 0; g < ng; g++, pos += len) {
		if (pf)
			demux_flow_prefetch(c->tg, g);
		len = (unsigned int)__builtin_popcountll(c->gmask[g]);
		taken = pk_stage_push(c->tg[g], &out[pos], len);
		if (likely(taken == len))
			continue;
		demux_tally_odd(t)->refused[PK_DROP_FULL] += len - taken;
		for (k = pos + taken; k < pos + len; k++)
			c->refused |= 1ULL << at[k];
	}
}

/*
 * Push each group as one burst, groups in first-seen order, packets in
 * their order: a lone packet from where it is, a larger group gathered.
 */
static __rte_always_inline void
demux_flow_push_groups(struct demux_flow *d, struct rte_mbuf **pkts,
		       struct demux_chunk *c, struct demux_tally *t)
{
	unsigned int g, ng = c->ng;
	bool pf = __atomic_load_n(&d->pf_stage, __ATOMIC_RELAXED);
	uint64_t m;

	if (ng == 0)
		return;
	if (pf)
		demux_flow_prefetch_first(c);
	if (c->multi && c->direct) {
		demux_flow_push_laid_out(pkts, c->n, c, t, pf);
		return;
	}
	if (!c->multi) { /* a packet per target: the loop without a test */
		for (g = 0; g < ng; g++) {
			if (pf)
				demux_flow_prefetch(c->tg, g);
			demux_flow_emit_one(c->tg[g], pkts,
					    rte_bsf64(c->gmask[g]), c, t);
		}
		return;
	}
	for (g = 0; g < ng; g++) {
		if (pf)
			demux_flow_prefetch(c->tg, g);
		m = c->gmask[g];
		if ((m & (m - 1)) == 0)
			demux_flow_emit_one(c->tg[g], pkts, rte_bsf64(m), c, t);
		else
			demux_flow_emit(c->tg[g], pkts, m, c, t);
	}
}

#endif /* DEMUX_FLOW_EMIT_H */
