/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How a runner picks its next thread (runner_pvt.h), on the runner's own
 * context: two structures over one array of slots, chosen by the shares.
 *
 * Every pick is charged alike: the slot's pass grows by the cycles the
 * pick used times the thread's stride (PK_THREAD_STRIDE1 / shares). What
 * differs is who is picked next.
 *
 * - The ring (PK_RUNNER_PICK_RING), while every thread's shares are within
 *   RUNNER_RING_SPREAD times the smallest: deficit round robin on the same
 *   passes. The current slot keeps the turn while its pass is below zero;
 *   a turn starts by taking r->grant off the next slot's pass, the grant
 *   being a slice (RUNNER_BATCH_US) times the smallest shares' stride, so
 *   a thread's turn is its shares / the smallest shares slices of cycles.
 *   A pick costs a compare; a turn, one step along the array. A thread that
 *   used more than its turn (a long run, an idle pick's 10 us) waits as
 *   many turns as it overdrew: over any run of turns each thread's charged
 *   cycles follow the shares to within one turn and one pick, as the heap
 *   does to within one pick. Slots other than the current one never hold
 *   a pass below zero.
 * - The heap (PK_RUNNER_PICK_HEAP), when the shares are further apart: a
 *   turn of the widest share would keep the others waiting that many
 *   slices, so the runner picks the lowest pass every time, a binary
 *   min-heap of slots (stride scheduling), as it always did: the sift costs
 *   7-11 instructions a level.
 *
 * pk_runner_pick_review() chooses, after every command drain and when a
 * thread's shares change (RUNNER_ATTN_SHARES): the switch keeps each
 * thread's lag (ring -> heap: the pass is the base plus the thread's
 * balance; heap -> ring: the balance is the pass less the lowest pass).
 */
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "runner_pvt.h"

#define RUNNER_PASS_FAR (1ull << 62) /* the sentinel's lead (heap_down()) */

static inline bool
pass_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0; /* wrap-safe */
}

static void
heap_up(struct pk_runner *r, unsigned int i)
{
	struct runner_slot x = r->heap[i];

	while (i > 0 && pass_before(x.pass, r->heap[(i - 1) / 2].pass)) {
		r->heap[i] = r->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->heap[i] = x;
}

/*
 * Out of line: inlined, it crowds the loop's registers onto the stack. The
 * slot after the last holds a pass far after every other (passes in the
 * heap lie within one charge of each other, at most 2^51 apart), so every
 * node compares two children without asking whether the second is there.
 */
void __rte_noinline
pk_runner_heap_down(struct pk_runner *r, size_t i)
{
	char *h = (char *)r->heap; /* byte offsets: no scaling per level */
	const size_t sz = sizeof(struct runner_slot);
	struct runner_slot x = r->heap[i];
	size_t o = i * sz, c, end = r->nb * sz;

	r->heap[r->nb].pass = x.pass + RUNNER_PASS_FAR;
	while ((c = 2 * o + sz) < end) {
		const struct runner_slot *kid = (const void *)(h + c);

		/* no branch on which child: it would mispredict half the time */
		c += sz * pass_before(kid[1].pass, kid[0].pass);
		kid = (const void *)(h + c);
		if (!pass_before(kid->pass, x.pass))
			break;
		*(struct runner_slot *)(void *)(h + o) = *kid;
		o = c;
	}
	*(struct runner_slot *)(void *)(h + o) = x;
}

/*
 * Every slot has a pass of at least zero after a whole lap of grants: take
 * as many more laps at once as the least indebted slot still needs, less
 * one (after an idle pick of a thread with few shares, or a switch from the
 * heap, this can be thousands of laps).
 */
static void
ring_laps(struct pk_runner *r)
{
	uint64_t least = UINT64_MAX, laps;
	unsigned int i;

	for (i = 0; i < r->nb; i++)
		least = RTE_MIN(least, r->heap[i].pass);
	laps = least / r->grant;
	for (i = 0; i < r->nb; i++)
		r->heap[i].pass -= laps * r->grant;
}

void __rte_noinline
pk_runner_ring_next(struct pk_runner *r)
{
	struct runner_slot *s = r->heap;
	const uint64_t g = r->grant;
	unsigned int i = r->cur, left = r->nb;

	for (;;) {
		if (++i >= r->nb)
			i = 0;
		s[i].pass -= g;
		if ((int64_t)s[i].pass < 0)
			break;
		if (--left == 0) {
			ring_laps(r);
			left = r->nb;
		}
	}
	r->cur = i;
	r->top = &s[i];
}

void
pk_runner_pick_insert(struct pk_runner *r, struct pk_thread *t)
{
	/*
	 * Heap: start at the current virtual time. Ring: a balance of zero,
	 * its turn comes with its grant. No credit for time not here.
	 */
	if (r->ring)
		r->heap[r->nb].pass = 0;
	else
		r->heap[r->nb].pass = r->nb > 0 ? r->heap[0].pass : r->vtime;
	r->heap[r->nb].t = t;
	t->run_avg = 0;
	t->batch = 1;
	r->nb++;
	if (!r->ring)
		heap_up(r, r->nb - 1);
	__atomic_store_n(&t->on_runner, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->st.nb_threads, r->nb, __ATOMIC_RELAXED);
}

/* The ring keeps its order: a removal closes the gap. */
static void
ring_remove_at(struct pk_runner *r, unsigned int i)
{
	memmove(&r->heap[i], &r->heap[i + 1], (r->nb - i) * sizeof(r->heap[0]));
	if (r->nb == 0) {
		r->cur = 0;
	} else if (i < r->cur) {
		r->cur--;
	} else if (i == r->cur) {
		/*
		 * The turn passes on to the next slot at the next review:
		 * the one before becomes current, its balance not below zero.
		 */
		r->cur = (i == 0 ? r->nb : i) - 1;
		if ((int64_t)r->heap[r->cur].pass < 0)
			r->heap[r->cur].pass = 0;
	}
}

void
pk_runner_pick_remove(struct pk_runner *r, struct pk_thread *t)
{
	unsigned int i;

	if (!__atomic_load_n(&t->on_runner, __ATOMIC_RELAXED))
		return;
	/* a linear search: removals are rare, picks must not touch threads */
	for (i = 0; i < r->nb && r->heap[i].t != t; i++)
		;
	if (i == r->nb)
		return;
	if (r->nb == 1 && !r->ring)
		r->vtime = r->heap[0].pass; /* where the next one starts */
	r->nb--;
	if (r->ring) {
		ring_remove_at(r, i);
	} else if (i != r->nb) {
		/* the last leaf fills the hole, then finds its place */
		r->heap[i] = r->heap[r->nb];
		if (i > 0 && pass_before(r->heap[i].pass,
					 r->heap[(i - 1) / 2].pass))
			heap_up(r, i);
		else
			pk_runner_heap_down(r, i);
	}
	__atomic_store_n(&r->st.nb_threads, r->nb, __ATOMIC_RELAXED);
	/* the acknowledgement pk_runner_remove() waits for */
	__atomic_store_n(&t->on_runner, 0, __ATOMIC_RELEASE);
}

/* Heap -> ring: balances from the lowest pass; the lowest goes first. */
static void
to_ring(struct pk_runner *r)
{
	uint64_t base = r->heap[0].pass;
	unsigned int i;

	for (i = 0; i < r->nb; i++)
		r->heap[i].pass -= base;
	r->vtime = base;
	r->cur = r->nb - 1; /* the next turn is slot 0's */
}

/* Ring -> heap: passes from the balances, then heapify. */
static void
to_heap(struct pk_runner *r)
{
	unsigned int i;

	for (i = 0; i < r->nb; i++)
		r->heap[i].pass += r->vtime;
	for (i = r->nb / 2; i-- > 0;)
		pk_runner_heap_down(r, i);
	r->cur = 0;
}

void
pk_runner_pick_review(struct pk_runner *r)
{
	uint32_t lo = UINT32_MAX, hi = 0, sh;
	unsigned int i;
	bool ring;

	if (r->nb == 0) {
		r->top = &r->heap[r->cur];
		return;
	}
	for (i = 0; i < r->nb; i++) {
		sh = __atomic_load_n(&r->heap[i].t->shares, __ATOMIC_RELAXED);
		lo = RTE_MIN(lo, sh);
		hi = RTE_MAX(hi, sh);
	}
	ring = (uint64_t)hi <= (uint64_t)lo * RUNNER_RING_SPREAD;
	r->grant = r->batch_cycles * (PK_THREAD_STRIDE1 / lo);
	if (ring != r->ring) {
		if (ring)
			to_ring(r);
		else
			to_heap(r);
		r->ring = ring;
		__atomic_store_n(&r->st.pick, ring ? PK_RUNNER_PICK_RING :
				 PK_RUNNER_PICK_HEAP, __ATOMIC_RELAXED);
		pk_counter_add(&r->st.pick_switches, 1);
	}
	r->top = &r->heap[r->cur];
	if (r->ring && (int64_t)r->top->pass >= 0)
		pk_runner_ring_next(r);
}
