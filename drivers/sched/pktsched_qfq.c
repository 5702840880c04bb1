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
 */
#include <errno.h>

#include <rte_common.h>

#include <pathkit/pk_sched_policy.h>

#define QFQ_FRAC_BITS 30                 /* fixed point of 1/weight */
#define QFQ_ONE_FP (1ULL << QFQ_FRAC_BITS)
#define QFQ_MAX_WEIGHT (1u << 16)
#define QFQ_MAX_WSUM (1u << 20)
#define QFQ_MAX_INDEX 19
#define QFQ_NB_GROUPS (QFQ_MAX_INDEX + 1)
#define QFQ_NB_SLOTS 32                  /* bits in full_slots */

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
};

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

/* Eligible (S <= V) or not; blocked if an eligible higher group ends first. */
static int
qfq_calc_state(struct qfq *sc, const struct qfq_group *g)
{
	int state = qfq_gt(g->S, sc->V) ? QFQ_IR : QFQ_ER;
	uint32_t mask = qfq_mask_from(sc->bitmaps[QFQ_ER], g->index);

	if (mask != 0 && qfq_gt(g->F, qfq_first(sc, mask)->F))
		state |= QFQ_EB;
	return state;
}

/* Group index left ER with finish old_F: lower groups it blocked are free. */
static void
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
static void
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
static void
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

static void
qfq_slot_insert(struct qfq_group *g, struct pk_sched_q *q, uint64_t roundedS)
{
	uint64_t slot = (roundedS - g->S) >> g->slot_shift;
	struct qfq_q *c = qfq_q_of(q);
	uint64_t back;
	uint32_t i;

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
	i = (g->front + (uint32_t)slot) % QFQ_NB_SLOTS;
	c->next = g->slots[i];
	g->slots[i] = q;
	g->full_slots |= 1u << slot;
}

static void
qfq_front_slot_remove(struct qfq_group *g)
{
	struct pk_sched_q *q = g->slots[g->front];

	g->slots[g->front] = qfq_q_of(q)->next;
	if (g->slots[g->front] == NULL)
		g->full_slots &= ~1u;
}

/* Move front to the first full slot. @return its first queue, or NULL. */
static struct pk_sched_q *
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
static bool
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
static void
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

static void
qfq_enqueue(void *sp, struct pk_sched_q *q)
{
	struct qfq *sc = sp;
	struct qfq_q *c = qfq_q_of(q);
	struct qfq_group *g = &sc->groups[c->grp];
	uint64_t roundedS;

	qfq_update_start(sc, q);
	c->F = c->S + (uint64_t)q->len * c->inv_w;
	roundedS = qfq_round_down(c->S, g->slot_shift);
	if (g->full_slots != 0) {
		if (!qfq_gt(g->S, c->S))
			goto insert;
		if (unlikely(!qfq_slot_rotate(g, roundedS))) {
			c->F += g->S - c->S;
			c->S = g->S;
			roundedS = g->S;
			goto insert;
		}
		/* earlier than the group's start: the group was not eligible */
		sc->bitmaps[QFQ_IR] &= ~(1u << g->index);
		sc->bitmaps[QFQ_IB] &= ~(1u << g->index);
	} else if (sc->bitmaps[QFQ_ER] == 0 && qfq_gt(roundedS, sc->V)) {
		sc->V = roundedS; /* idle system: start now */
	}
	g->S = roundedS;
	g->F = roundedS + (2ULL << g->slot_shift);
	sc->bitmaps[qfq_calc_state(sc, g)] |= 1u << g->index;
insert:
	qfq_slot_insert(g, q, roundedS);
}

static struct pk_sched_q *
qfq_dequeue(void *sp)
{
	struct qfq *sc = sp;
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

/* After q's head went: restamp q. @return true if the group's front moved. */
static bool
qfq_update_queue(struct qfq_group *g, struct pk_sched_q *q)
{
	struct qfq_q *c = qfq_q_of(q);
	uint64_t roundedS;

	c->S = c->F;
	if (q->head == NULL) {
		qfq_front_slot_remove(g);
		return true;
	}
	c->F = c->S + (uint64_t)q->len * c->inv_w;
	roundedS = qfq_round_down(c->S, g->slot_shift);
	if (roundedS == g->S)
		return false;
	qfq_front_slot_remove(g);
	qfq_slot_insert(g, q, roundedS);
	return true;
}

static void
qfq_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct qfq *sc = sp;
	struct qfq_group *g = &sc->groups[qfq_q_of(q)->grp];
	uint64_t old_V = sc->V, old_F, roundedS;
	struct pk_sched_q *first;

	sc->V += (uint64_t)len * sc->iwsum;
	if (qfq_update_queue(g, q)) {
		old_F = g->F;
		first = qfq_slot_scan(g);
		if (first == NULL) {
			sc->bitmaps[QFQ_ER] &= ~(1u << g->index);
		} else {
			roundedS = qfq_round_down(qfq_q_of(first)->S,
						  g->slot_shift);
			if (g->S == roundedS)
				goto eligible;
			g->S = roundedS;
			g->F = roundedS + (2ULL << g->slot_shift);
			sc->bitmaps[QFQ_ER] &= ~(1u << g->index);
			sc->bitmaps[qfq_calc_state(sc, g)] |= 1u << g->index;
		}
		qfq_unblock_groups(sc, g->index, old_F);
	}
eligible:
	qfq_update_eligible(sc, old_V);
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
			g->S = roundedS;
			g->F = roundedS + (2ULL << g->slot_shift);
			sc->bitmaps[qfq_calc_state(sc, g)] |= 1u << g->index;
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
	c->S = sc->V;
	c->F = sc->V; /* not "in the future" whatever V is */
	return 0;
}

static void
qfq_queue_remove(void *sp, struct pk_sched_q *q)
{
	struct qfq *sc = sp;

	qfq_wsum_set(sc, sc->wsum - q->param);
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
	.deactivate = qfq_deactivate,
};
PK_SCHED_POLICY_REGISTER(qfq_policy);
