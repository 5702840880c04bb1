/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PKTSCHED_QFQ_H
#define PKTSCHED_QFQ_H

/*
 * QFQ's data structures for pktsched_qfq.c: the per-queue stamps, the
 * groups with their bucket lists of slots, the four group bitmaps, and the
 * helpers that touch only those (bitmap masks, group states, one group's
 * slots), and the prefetches ahead of the pull (qfq_prefetch_next(), the
 * scout). The rest of the algorithm (queue stamps, V, the ops) is in
 * pktsched_qfq.c.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include <pathkit/pk_sched_policy.h>

#define QFQ_FRAC_BITS 30                 /* fixed point of 1/weight */
#define QFQ_ONE_FP (1ULL << QFQ_FRAC_BITS)
#define QFQ_MAX_WEIGHT (1u << 16)
#define QFQ_MAX_WSUM (1u << 20)
#define QFQ_MAX_INDEX 19
#define QFQ_NB_GROUPS (QFQ_MAX_INDEX + 1)
#define QFQ_NB_SLOTS 32                  /* bits in full_slots */

/* Eligible or Ineligible, Ready or Blocked: bit 0 is I, bit 1 is B. */
enum qfq_state { QFQ_ER, QFQ_IR, QFQ_EB, QFQ_IB, QFQ_NB_STATES };

struct qfq_q {
	uint64_t S;
	uint64_t F;
	struct pk_sched_q *next;  /* in its slot's list */
	uint32_t inv_w;           /* QFQ_ONE_FP / weight */
	uint32_t grp;             /* group index */
};

struct qfq_group {
	uint64_t S;               /* rounded start of the front slot */
	uint64_t F;               /* S + 2 slots */
	uint32_t slot_shift;
	uint32_t index;
	uint32_t front;           /* slot holding S */
	uint32_t full_slots;      /* bit i: slot front+i is not empty */
	struct pk_sched_q *slots[QFQ_NB_SLOTS];
};

struct qfq {
	uint64_t V;
	uint32_t bitmaps[QFQ_NB_STATES];
	uint32_t wsum;
	uint32_t iwsum;           /* QFQ_ONE_FP / wsum */
	uint32_t lmax;
	uint32_t min_slot_shift;
	struct qfq_group groups[QFQ_NB_GROUPS];
	/* after the groups, so that their layout is what it was */
	uint32_t nq;              /* queues attached */
	uint32_t scout_left;      /* qfq_scout(): steps before it restarts */
	struct pk_sched_q *scout; /* qfq_scout(): the last queue it read */
};

/*
 * From this many queues on, qfq_scout() walks ahead: below, records, FIFO
 * lines and head mbufs (~4 lines a queue) fit in a 1 MiB L2 anyway.
 */
#define QFQ_SCOUT_QUEUES 4096
/* qfq_scout() restarts after this many steps: ~3 lines each, 12 KiB */
#define QFQ_SCOUT_STEPS 64

static inline struct qfq_q *
qfq_q_of(struct pk_sched_q *q)
{
	return pk_sched_q_priv(q);
}

/* a > b, wrap-safe */
static inline bool
qfq_gt(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) > 0;
}

static inline uint64_t
qfq_round_down(uint64_t ts, uint32_t shift)
{
	return ts & ~((1ULL << shift) - 1);
}

static inline struct qfq_group *
qfq_first(struct qfq *sc, uint32_t bitmap)
{
	return &sc->groups[__builtin_ctz(bitmap)];
}

/* the bits of bitmap at index from and above */
static inline uint32_t
qfq_mask_from(uint32_t bitmap, uint32_t from)
{
	return from >= 32 ? 0 : bitmap & ~((1u << from) - 1);
}

static inline void
qfq_move_groups(struct qfq *sc, uint32_t mask, int src, int dst)
{
	sc->bitmaps[dst] |= sc->bitmaps[src] & mask;
	sc->bitmaps[src] &= ~mask;
}

static inline void
qfq_clear_group(struct qfq *sc, const struct qfq_group *g)
{
	unsigned int i;

	for (i = 0; i < QFQ_NB_STATES; i++)
		sc->bitmaps[i] &= ~(1u << g->index);
}

/* Eligible (S <= V) or not; blocked if an eligible higher group ends first. */
static inline int
qfq_calc_state(struct qfq *sc, const struct qfq_group *g)
{
	int state = qfq_gt(g->S, sc->V) ? QFQ_IR : QFQ_ER;
	uint32_t mask = qfq_mask_from(sc->bitmaps[QFQ_ER], g->index);

	if (mask != 0 && qfq_gt(g->F, qfq_first(sc, mask)->F))
		state |= QFQ_EB;
	return state;
}

/* Group index left ER with finish old_F: lower groups it blocked are free. */
static inline void
qfq_unblock_groups(struct qfq *sc, uint32_t index, uint64_t old_F)
{
	uint32_t mask = qfq_mask_from(sc->bitmaps[QFQ_ER], index + 1);

	if (mask != 0 && !qfq_gt(qfq_first(sc, mask)->F, old_F))
		return;
	mask = (1u << index) - 1;
	qfq_move_groups(sc, mask, QFQ_EB, QFQ_ER);
	qfq_move_groups(sc, mask, QFQ_IB, QFQ_IR);
}

/* V crossed slot boundaries: groups of that size and smaller are eligible. */
static inline void
qfq_make_eligible(struct qfq *sc, uint64_t old_V)
{
	uint64_t x = (sc->V >> sc->min_slot_shift) ^
		     (old_V >> sc->min_slot_shift);
	uint32_t top, mask;

	if (x == 0)
		return;
	top = 63 - __builtin_clzll(x);
	mask = top >= 31 ? UINT32_MAX : (2u << top) - 1;
	qfq_move_groups(sc, mask, QFQ_IR, QFQ_ER);
	qfq_move_groups(sc, mask, QFQ_IB, QFQ_EB);
}

/* Keep the scheduler work-conserving: if nothing is eligible, jump V. */
static inline void
qfq_update_eligible(struct qfq *sc, uint64_t old_V)
{
	uint32_t ineligible = sc->bitmaps[QFQ_IR] | sc->bitmaps[QFQ_IB];
	struct qfq_group *g;

	if (ineligible == 0)
		return;
	if (sc->bitmaps[QFQ_ER] == 0) {
		g = qfq_first(sc, ineligible);
		if (qfq_gt(g->S, sc->V))
			sc->V = g->S;
	}
	qfq_make_eligible(sc, old_V);
}

/* Start g's front slot at roundedS and file g under its state. */
static inline void
qfq_group_start(struct qfq *sc, struct qfq_group *g, uint64_t roundedS)
{
	g->S = roundedS;
	g->F = roundedS + (2ULL << g->slot_shift);
	sc->bitmaps[qfq_calc_state(sc, g)] |= 1u << g->index;
}

/* Put q first in g's slot front + slot (slot < QFQ_NB_SLOTS). */
static inline void
qfq_slot_push(struct qfq_group *g, struct pk_sched_q *q, uint32_t slot)
{
	uint32_t i = (g->front + slot) % QFQ_NB_SLOTS;

	qfq_q_of(q)->next = g->slots[i];
	g->slots[i] = q;
	g->full_slots |= 1u << slot;
}

static inline void
qfq_slot_insert(struct qfq_group *g, struct pk_sched_q *q, uint64_t roundedS)
{
	uint64_t slot = (roundedS - g->S) >> g->slot_shift;
	struct qfq_q *c = qfq_q_of(q);
	uint64_t back;

	/*
	 * With fixed weights S stays within a few slots of the group's. After
	 * a weight change it might not: pull the queue's stamps back into the
	 * last slots rather than wrap the bucket list.
	 */
	if (unlikely(slot >= QFQ_NB_SLOTS - 1)) {
		back = (slot - (QFQ_NB_SLOTS - 2)) << g->slot_shift;
		c->S -= back;
		c->F -= back;
		slot = QFQ_NB_SLOTS - 2;
	}
	qfq_slot_push(g, q, (uint32_t)slot);
}

static inline void
qfq_front_slot_remove(struct qfq_group *g)
{
	struct pk_sched_q *q = g->slots[g->front];

	g->slots[g->front] = qfq_q_of(q)->next;
	if (g->slots[g->front] == NULL)
		g->full_slots &= ~1u;
}

/* Move front to the first full slot. @return its first queue, or NULL. */
static inline struct pk_sched_q *
qfq_slot_scan(struct qfq_group *g)
{
	uint32_t i;

	if (g->full_slots == 0)
		return NULL;
	i = __builtin_ctz(g->full_slots);
	if (i > 0) {
		g->front = (g->front + i) % QFQ_NB_SLOTS;
		g->full_slots >>= i;
	}
	return g->slots[g->front];
}

/*
 * Make room for an earlier start than the group's: shift the slots.
 * @return false if the busy slots would not fit in 32 (then the caller
 * starts the queue at the group's start instead).
 */
static inline bool
qfq_slot_rotate(struct qfq_group *g, uint64_t roundedS)
{
	uint64_t i = (g->S - roundedS) >> g->slot_shift;

	if (i + 32 - __builtin_clz(g->full_slots) > QFQ_NB_SLOTS)
		return false;
	g->full_slots <<= i;
	g->front = (g->front - (uint32_t)i) % QFQ_NB_SLOTS;
	return true;
}

/* Remove q from whichever slot it is in (control path: walks the list). */
static inline void
qfq_slot_remove(struct qfq_group *g, struct pk_sched_q *q)
{
	uint64_t roundedS = qfq_round_down(qfq_q_of(q)->S, g->slot_shift);
	uint32_t off = (uint32_t)((roundedS - g->S) >> g->slot_shift);
	uint32_t i = (g->front + off) % QFQ_NB_SLOTS;
	struct pk_sched_q **pp = &g->slots[i];

	while (*pp != q)
		pp = &qfq_q_of(*pp)->next;
	*pp = qfq_q_of(q)->next;
	if (g->slots[i] == NULL)
		g->full_slots &= ~(1u << off);
}

/* After q's head went: S is its old F, F that of its next head (if any). */
static inline void
qfq_restamp(struct pk_sched_q *q)
{
	struct qfq_q *c = qfq_q_of(q);

	c->S = c->F;
	if (q->head != NULL)
		c->F = c->S + (uint64_t)q->len * c->inv_w;
}

/*
 * A new queue q comes to the front: among thousands the queues after it in
 * its slot are cold. A two-step pipeline, as drr_prefetch(): ask for the
 * record of the one after next, and for what serving the next one reads
 * (its record was asked for at the previous step): its FIFO entry, and its
 * head mbuf, which whoever pulls it reads.
 */
static inline void
qfq_prefetch_next(struct pk_sched_q *q)
{
	struct pk_sched_q *nx = qfq_q_of(q)->next;

	if (nx == NULL)
		return;
	rte_prefetch0(qfq_q_of(nx)->next);
	rte_prefetch0(nx->head);
	pk_sched_q_prefetch(nx);
}

/*
 * Among thousands of queues, a slot's list is a chain of cold records that
 * qfq_prefetch_next() can ask for only one queue ahead (the next address is
 * in the record it waits for). The scout walks the front slot's list one
 * queue per call, twice per pull burst (its first dequeue and its last
 * update), while the queues being served are warm: it reads the record it
 * asked for at its last call (arrived by now), asks for that queue's FIFO
 * line and head mbuf, and for the record after it; and reads the FIFO line
 * it asked for at its last call, for the mbuf behind the head (that the
 * puller's consumer reads too; push would ask for it only 8 packets
 * ahead). It starts again at the
 * front (restart true: only at the end of a pull, when the queues served
 * and emptied have left the list, so that it does not walk among those,
 * which the push that follows relinks) after QFQ_SCOUT_STEPS, so as to run
 * at most that far ahead, or at the end of the list. Prefetches only: a
 * stale scout (its queue moved to another slot, or detached) costs
 * useless prefetches, as records stay allocated.
 */
static inline void
qfq_scout(struct qfq *sc, bool restart)
{
	struct pk_sched_q *q = sc->scout;
	struct qfq_group *g;

	if (sc->nq < QFQ_SCOUT_QUEUES)
		return;
	/* a detached record is zeroed: fhead == ftail, nothing read */
	if (q != NULL && !(q->flags & PK_SCHED_Q_STAGE) && q->fhead != q->ftail)
		rte_prefetch0((void *)(uintptr_t)(q->fifo[q->fhead] &
						  ((1ULL << 48) - 1)));
	if (q == NULL || sc->scout_left == 0) {
		if (!restart || sc->bitmaps[QFQ_ER] == 0)
			return;
		g = qfq_first(sc, sc->bitmaps[QFQ_ER]);
		q = g->slots[g->front];
		if (q == NULL)
			return;
		sc->scout_left = QFQ_SCOUT_STEPS;
	}
	q = qfq_q_of(q)->next; /* its record was asked for at the last call */
	sc->scout = q;
	sc->scout_left--;
	if (q == NULL)
		return;
	rte_prefetch0(q->head);
	pk_sched_q_prefetch(q);
	rte_prefetch0(qfq_q_of(q)->next);
}

#endif /* PKTSCHED_QFQ_H */
