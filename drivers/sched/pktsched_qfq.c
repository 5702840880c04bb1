/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wfq: Quick Fair Queueing (Checconi, Rizzo, Valente, IEEE/ACM ToN 2013),
 * O(1) per packet whatever the number of queues.
 *
 * Each queue has virtual start/finish times S, F = S + len/weight as in
 * WF2Q+, but queues are grouped by slot size, lmax/weight rounded up to a
 * power of two: at most QFQ_NB_GROUPS groups. Within a group the queues sit
 * in a bucket list of 32 slots indexed by their rounded S, so a group's
 * first queue is found with one find-first-set. Groups are kept in four
 * bitmaps by state: eligible (S <= V) or not, and ready or blocked (a group
 * of higher index that is eligible finishes earlier). Pull serves the first
 * queue of the lowest-index eligible-ready group. Published guarantee, for a
 * queue of weight share phi_k and largest packet sigma_k, L the largest
 * packet: B-WFI_k <= 3 sigma_k + 2 phi_k L (checked by test_sched_fairness).
 *
 * A queue that empties leaves its group; on return its S is max(F, V) within
 * the group's slot limits, so idling earns no credit. Packets longer than
 * mtu are charged as mtu (the groups are sized for it).
 * param: weight 1..65536, default 1; the weights of all queues add up to
 *   at most 2^20 (attach or a weight change past it: -ENOSPC).
 * cost: O(1) per packet.  memory: 32 bytes per queue.
 * structures (queue stamps, groups, slots, bitmaps): pktsched_qfq.h.
 */
#include <errno.h>

#include <rte_common.h>

#include <pathkit/pk_sched_policy.h>

#include "pktsched_qfq.h"

/* The group index whose slot fits a packet of lmax at this weight. */
static uint32_t
qfq_calc_index(const struct qfq *sc, uint32_t inv_w)
{
	uint64_t slot_size = (uint64_t)sc->lmax * inv_w;
	uint64_t size_map = slot_size >> sc->min_slot_shift;
	int index;

	if (size_map == 0)
		return 0;
	index = 64 - __builtin_clzll(size_map); /* one above the top bit */
	/* an exact power of two fits the group below */
	if (slot_size == 1ULL << (index + sc->min_slot_shift - 1))
		index--;
	return RTE_MIN((uint32_t)index, (uint32_t)QFQ_MAX_INDEX);
}

/* S of a queue that becomes backlogged: no earlier than V, nor its old F. */
static void
qfq_update_start(struct qfq *sc, struct pk_sched_q *q)
{
	struct qfq_q *c = qfq_q_of(q);
	uint32_t shift = sc->groups[c->grp].slot_shift;
	uint64_t roundedF = qfq_round_down(c->F, shift);
	uint64_t limit = qfq_round_down(sc->V, shift) + (1ULL << shift);
	struct qfq_group *next;
	uint32_t mask;

	if (qfq_gt(c->F, sc->V) && !qfq_gt(roundedF, limit)) {
		c->S = c->F;
		return;
	}
	/* stale F: start at V, unless that would pass a ready group's end */
	mask = qfq_mask_from(sc->bitmaps[QFQ_ER], c->grp);
	if (mask != 0) {
		next = qfq_first(sc, mask);
		if (qfq_gt(roundedF, next->F)) {
			c->S = qfq_gt(limit, next->F) ? next->F : limit;
			return;
		}
	}
	c->S = sc->V;
}

/*
 * Queue c (stamped, its slot start roundedS) joins g, which holds queues
 * already. @return the start of the slot c goes in.
 */
static inline uint64_t
qfq_join_busy_group(struct qfq *sc, struct qfq_group *g, struct qfq_q *c,
		    uint64_t roundedS)
{
	if (!qfq_gt(g->S, c->S))
		return roundedS;
	if (unlikely(!qfq_slot_rotate(g, roundedS))) {
		/* no room for an earlier slot: start c at the group's start */
		c->F += g->S - c->S;
		c->S = g->S;
		return g->S;
	}
	/* earlier than the group's start: the group was not eligible */
	sc->bitmaps[QFQ_IR] &= ~(1u << g->index);
	sc->bitmaps[QFQ_IB] &= ~(1u << g->index);
	qfq_group_start(sc, g, roundedS);
	return roundedS;
}

static __rte_noinline void
qfq_enqueue_slow(struct qfq *sc, struct pk_sched_q *q)
{
	struct qfq_q *c = qfq_q_of(q);
	struct qfq_group *g = &sc->groups[c->grp];
	uint64_t roundedS;

	qfq_update_start(sc, q);
	c->F = c->S + (uint64_t)q->len * c->inv_w;
	roundedS = qfq_round_down(c->S, g->slot_shift);
	if (g->full_slots != 0) {
		roundedS = qfq_join_busy_group(sc, g, c, roundedS);
	} else {
		if (sc->bitmaps[QFQ_ER] == 0 && qfq_gt(roundedS, sc->V))
			sc->V = roundedS; /* idle system: start now */
		qfq_group_start(sc, g, roundedS);
	}
	qfq_slot_insert(g, q, roundedS);
}

/*
 * The cheap path, the usual return of a queue that emptied a moment ago:
 * its F is still ahead of V by less than a slot (so S = F), its group is
 * busy, and S falls in the group's slots from its start on (an S before the
 * start wraps the slot index past them). Otherwise, or for a queue's first
 * packet, qfq_enqueue_slow().
 */
static void
qfq_enqueue(void *sp, struct pk_sched_q *q)
{
	struct qfq *sc = sp;
	struct qfq_q *c = qfq_q_of(q);
	struct qfq_group *g = &sc->groups[c->grp];
	uint32_t shift = g->slot_shift;
	uint64_t roundedF = qfq_round_down(c->F, shift), slot;

	if (g->full_slots != 0 && qfq_gt(c->F, sc->V) &&
	    !qfq_gt(roundedF, qfq_round_down(sc->V, shift) + (1ULL << shift))) {
		slot = (roundedF - g->S) >> shift;
		if (likely(slot < QFQ_NB_SLOTS - 1)) {
			c->S = c->F;
			c->F = c->S + (uint64_t)q->len * c->inv_w;
			qfq_slot_push(g, q, (uint32_t)slot);
			return;
		}
	}
	qfq_enqueue_slow(sc, q);
}

/* The front queue of the first eligible-ready group, or NULL. */
static inline struct pk_sched_q *
qfq_front(struct qfq *sc)
{
	struct qfq_group *g;

	if (unlikely(sc->bitmaps[QFQ_ER] == 0)) {
		/* not expected after update(): never leave backlog unserved */
		qfq_update_eligible(sc, sc->V);
		qfq_move_groups(sc, UINT32_MAX, QFQ_EB, QFQ_ER);
		if (sc->bitmaps[QFQ_ER] == 0)
			return NULL;
	}
	g = qfq_first(sc, sc->bitmaps[QFQ_ER]);
	return g->slots[g->front];
}

/* A pull's first pick (or each of a shaped pull's): the scout walks too. */
static struct pk_sched_q *
qfq_dequeue(void *sp)
{
	qfq_scout(sp, false);
	return qfq_front(sp);
}

/*
 * After q's head went and q was restamped (qfq_restamp()): move q in g's
 * slots. @return true if the group's front moved.
 */
static inline bool
qfq_reslot(struct qfq_group *g, struct pk_sched_q *q)
{
	uint64_t roundedS;

	if (q->head == NULL) {
		qfq_front_slot_remove(g);
		return true;
	}
	roundedS = qfq_round_down(qfq_q_of(q)->S, g->slot_shift);
	if (roundedS == g->S)
		return false;
	qfq_front_slot_remove(g);
	qfq_slot_insert(g, q, roundedS);
	return true;
}

/*
 * The served group g's front moved: restart it at its first busy slot, or
 * take it off ER if it emptied; the groups it blocked may be free then.
 */
static inline void
qfq_group_advance(struct qfq *sc, struct qfq_group *g)
{
	uint64_t old_F = g->F, roundedS;
	struct pk_sched_q *first = qfq_slot_scan(g);

	if (first == NULL) {
		sc->bitmaps[QFQ_ER] &= ~(1u << g->index);
	} else {
		roundedS = qfq_round_down(qfq_q_of(first)->S, g->slot_shift);
		if (g->S == roundedS)
			return; /* the same slot: g keeps its state */
		sc->bitmaps[QFQ_ER] &= ~(1u << g->index);
		qfq_group_start(sc, g, roundedS);
	}
	qfq_unblock_groups(sc, g->index, old_F);
}

/* After restamping q (and V from old_V): the rest of update(). */
static void
qfq_update_rest(struct qfq *sc, struct pk_sched_q *q, uint64_t old_V)
{
	struct qfq_group *g = &sc->groups[qfq_q_of(q)->grp];

	if (qfq_reslot(g, q))
		qfq_group_advance(sc, g);
	qfq_update_eligible(sc, old_V);
}

static void
qfq_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct qfq *sc = sp;
	uint64_t old_V = sc->V;

	sc->V += (uint64_t)len * sc->iwsum;
	qfq_restamp(q);
	qfq_update_rest(sc, q, old_V);
	qfq_scout(sc, true); /* the end of a pull */
}

/* update_dequeue() when q may not go on: update, pick, prefetch. */
static __rte_noinline struct pk_sched_q *
qfq_update_dequeue_slow(struct qfq *sc, struct pk_sched_q *q, uint64_t old_V)
{
	struct pk_sched_q *next;

	qfq_update_rest(sc, q, old_V);
	next = qfq_front(sc);
	if (next != NULL && next != q)
		qfq_prefetch_next(next);
	return next;
}

/*
 * update() then dequeue(), with two cheap paths, the usual ones when few
 * queues are backlogged or all have like weights. When no group waits to
 * become eligible, the pick can change only where q is: if q stays in its
 * slot, it is still the front of the first eligible-ready group and goes
 * on; if q emptied and the next queue of its slot is in the same slot, that
 * one takes the front (the group keeps its start and state). Both are small
 * and call nothing, so they save no registers either.
 */
static struct pk_sched_q *
qfq_update_dequeue(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct qfq *sc = sp;
	struct qfq_q *c = qfq_q_of(q);
	struct qfq_group *g = &sc->groups[c->grp];
	uint64_t old_V = sc->V;
	struct pk_sched_q *next;

	sc->V += (uint64_t)len * sc->iwsum;
	qfq_restamp(q);
	if (unlikely((sc->bitmaps[QFQ_IR] | sc->bitmaps[QFQ_IB]) != 0))
		return qfq_update_dequeue_slow(sc, q, old_V);
	if (likely(q->head != NULL)) {
		if (qfq_round_down(c->S, g->slot_shift) == g->S)
			return q;
	} else if ((next = c->next) != NULL &&
		   qfq_round_down(qfq_q_of(next)->S, g->slot_shift) == g->S) {
		g->slots[g->front] = next; /* qfq_front_slot_remove() */
		qfq_prefetch_next(next);
		return next;
	}
	return qfq_update_dequeue_slow(sc, q, old_V);
}

static void
qfq_deactivate(void *sp, struct pk_sched_q *q)
{
	struct qfq *sc = sp;
	struct qfq_q *c = qfq_q_of(q);
	struct qfq_group *g = &sc->groups[c->grp];
	struct pk_sched_q *first;
	uint64_t roundedS;
	bool was_ready = sc->bitmaps[QFQ_ER] & (1u << g->index);

	qfq_slot_remove(g, q);
	c->F = c->S; /* its head was not served */
	if (g->full_slots == 0) {
		qfq_clear_group(sc, g);
		if (was_ready)
			qfq_unblock_groups(sc, g->index, g->F);
	} else if (g->slots[g->front] == NULL) {
		first = qfq_slot_scan(g);
		roundedS = qfq_round_down(qfq_q_of(first)->S, g->slot_shift);
		if (g->S != roundedS) {
			qfq_clear_group(sc, g);
			qfq_group_start(sc, g, roundedS);
		}
	}
	qfq_update_eligible(sc, sc->V);
}

static void
qfq_set_weight(struct qfq *sc, struct pk_sched_q *q, uint32_t w)
{
	struct qfq_q *c = qfq_q_of(q);

	c->inv_w = (uint32_t)(QFQ_ONE_FP / w);
	c->grp = qfq_calc_index(sc, c->inv_w);
}

static int
qfq_wsum_set(struct qfq *sc, uint64_t wsum)
{
	if (wsum > QFQ_MAX_WSUM)
		return -ENOSPC;
	sc->wsum = (uint32_t)wsum;
	sc->iwsum = (uint32_t)(QFQ_ONE_FP / RTE_MAX(wsum, (uint64_t)1));
	return 0;
}

static int
qfq_queue_add(void *sp, struct pk_sched_q *q)
{
	struct qfq *sc = sp;
	struct qfq_q *c = qfq_q_of(q);

	if (qfq_wsum_set(sc, (uint64_t)sc->wsum + q->param) != 0)
		return -ENOSPC;
	qfq_set_weight(sc, q, q->param);
	sc->nq++;
	c->S = sc->V;
	c->F = sc->V; /* not "in the future" whatever V is */
	return 0;
}

static void
qfq_queue_remove(void *sp, struct pk_sched_q *q)
{
	struct qfq *sc = sp;

	qfq_wsum_set(sc, sc->wsum - q->param);
	sc->nq--;
}

static int
qfq_param_set(void *sp, struct pk_sched_q *q, uint32_t param)
{
	struct qfq *sc = sp;

	if (qfq_wsum_set(sc, (uint64_t)sc->wsum - q->param + param) != 0)
		return -ENOSPC;
	qfq_set_weight(sc, q, param);
	return 0;
}

static int
qfq_init(void *sp, const struct pk_sched_policy_conf *c)
{
	struct qfq *sc = sp;
	uint32_t mtu_shift = 32 - __builtin_clz(c->mtu - 1), i;

	sc->lmax = c->mtu;
	/* the largest slot (weight 1, lmax) is the top group's */
	sc->min_slot_shift = QFQ_FRAC_BITS + mtu_shift - QFQ_MAX_INDEX;
	for (i = 0; i < QFQ_NB_GROUPS; i++) {
		sc->groups[i].index = i;
		sc->groups[i].slot_shift = sc->min_slot_shift + i;
	}
	return qfq_wsum_set(sc, 0);
}

static struct pk_sched_policy qfq_policy = {
	.name = "wfq",
	.help = "weighted fair queueing: QFQ, O(1), weight per queue",
	.sched_size = sizeof(struct qfq),
	.queue_size = sizeof(struct qfq_q),
	.param_min = 1,
	.param_max = QFQ_MAX_WEIGHT,
	.param_default = 1,
	.init = qfq_init,
	.queue_add = qfq_queue_add,
	.queue_remove = qfq_queue_remove,
	.param_set = qfq_param_set,
	.enqueue = qfq_enqueue,
	.dequeue = qfq_dequeue,
	.update = qfq_update,
	.update_dequeue = qfq_update_dequeue,
	.deactivate = qfq_deactivate,
};
PK_SCHED_POLICY_REGISTER(qfq_policy);
