/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_QUEUE_WORKER_H
#define PK_QUEUE_WORKER_H

/**
 * @file
 * A queue_ring's single-producer push, inline: for a stage that hands
 * packets one at a time to many different queues (a demux with a queue per
 * socket), where the indirect call and the burst enqueue for any n cost
 * more than the enqueue itself. pk_queue_ring_push_one_sp(q, m) has the
 * effect of pk_stage_push(q, &m, 1) on such a queue: the same counters
 * (in, in bytes, refused "full") and the same wake-up of a sleeping puller.
 * Tell such a queue by its push: pk_queue_ring_is_sp(); a queue unwired
 * from a path, or created with PK_QUEUE_F_MP, is not one. With many cold
 * queues, pk_queue_ring_prefetch() a few pushes ahead fetches what the push
 * reads. A thread's fused run (pk_thread_driver.h) tells a queue_ring it may
 * dequeue from or enqueue into itself by pk_queue_ring_is_sc() and
 * pk_queue_ring_is_sp(), and reaches the ring with pk_queue_ring_of().
 *
 * Ownership as in pk_stage.h: a taken packet is the queue's, a refused one
 * still the caller's. Threads: the queue's one pusher.
 */

#include <stdbool.h>

#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include <pathkit/pk_stage_driver.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The push of a queue_ring without PK_QUEUE_F_MP (its ops->push): enqueue
 * up to n, refuse the rest as "full". Public so that a pusher can compare
 * a stage's push with it; call it through pk_stage_push().
 * @return packets taken, as pk_stage_push().
 */
uint16_t pk_queue_ring_push_sp(struct pk_stage *q, struct rte_mbuf **pkts,
			       uint16_t n);

/**
 * The pull of a queue_ring without PK_QUEUE_F_MC (its ops->pull): dequeue
 * up to max, counted out. Public so that a puller can compare a stage's
 * pull with it; call it through pk_stage_pull().
 * @return packets pulled, as pk_stage_pull().
 */
uint16_t pk_queue_ring_pull_sc(struct pk_stage *q, struct rte_mbuf **pkts,
			       uint16_t max);

/** @return true if q's push is a queue_ring's single-producer push. */
static inline bool
pk_queue_ring_is_sp(const struct pk_stage *q)
{
	return q->push == pk_queue_ring_push_sp;
}

/** @return true if q's pull is a queue_ring's single-consumer pull. */
static inline bool
pk_queue_ring_is_sc(const struct pk_stage *q)
{
	return q->pull == pk_queue_ring_pull_sc;
}

/**
 * The ring of a queue for which pk_queue_ring_is_sp() or
 * pk_queue_ring_is_sc() holds. Whoever enqueues into it counts as the
 * queue's push does (in, refused "full", bytes if it counts them) and
 * wakes sleepers (pk_stage_notify()); whoever dequeues counts out.
 */
static inline struct rte_ring *
pk_queue_ring_of(const struct pk_stage *q)
{
	return (struct rte_ring *)q->ctx;
}

/**
 * Prefetch what pk_queue_ring_push_one_sp() reads of q's ring (its first
 * line, the producer's and the consumer's), if pk_queue_ring_is_sp(q); q's
 * own first line (push, ctx) is read, so it should be cached or on its way.
 */
static inline void
pk_queue_ring_prefetch(const struct pk_stage *q)
{
	const struct rte_ring *r = (const struct rte_ring *)q->ctx;

	if (!pk_queue_ring_is_sp(q))
		return;
	rte_prefetch0(r);
	rte_prefetch0(&r->prod);
	rte_prefetch0(&r->cons);
}

/**
 * Copy n packet pointers between a burst and a ring's slots (which never
 * overlap), 64 bytes a step where rte_ring's own copy moves 8: a burst of
 * 32 costs 4 vector moves instead of 32 scalar ones.
 */
static __rte_always_inline void
pk_queue_ring_copy(void **dst, void *const *src, unsigned int n)
{
	void **const end = dst + (n & ~7u);

	for (; dst != end; dst += 8, src += 8)
		rte_mov64((uint8_t *)dst, (const uint8_t *)src);
	if (n & 4) {
		rte_mov32((uint8_t *)dst, (const uint8_t *)src);
		dst += 4;
		src += 4;
	}
	if (n & 2) {
		rte_mov16((uint8_t *)dst, (const uint8_t *)src);
		dst += 2;
		src += 2;
	}
	if (n & 1)
		*dst = *src;
}

/**
 * @return the slots of r, a queue_ring's ring of pointers: right after its
 *   header, where rte_ring keeps them (for pk_queue_ring_enqueue_sp() and
 *   pk_queue_ring_dequeue_sc()).
 */
static __rte_always_inline void **
pk_queue_ring_slots(const struct rte_ring *r)
{
	return (void **)(uintptr_t)&r[1];
}

/**
 * Enqueue up to n packets into r, the ring of a queue for which
 * pk_queue_ring_is_sp() holds (pk_queue_ring_of()), as
 * rte_ring_sp_enqueue_burst() would: the same indices, orders and effect
 * (the single-producer case of rte_ring's head/tail protocol, written out:
 * no dispatch on the ring's sync type, no zero-copy descriptor, the tail
 * stored once), with pk_queue_ring_copy(). Counts nothing and wakes
 * nobody: the caller counts as the queue's push does and calls
 * pk_stage_notify().
 * @return packets enqueued: pkts[0..ret) are the queue's now.
 */
static __rte_always_inline unsigned int
pk_queue_ring_enqueue_sp(struct rte_ring *r, struct rte_mbuf *const *pkts,
			 unsigned int n)
{
	const uint32_t head = r->prod.head; /* == tail: one producer */
	/* acquire: the consumer has read the slots it gave back */
	const uint32_t free = r->capacity + __atomic_load_n(&r->cons.tail,
							    __ATOMIC_ACQUIRE) -
			      head;
	void **const slots = pk_queue_ring_slots(r);
	const uint32_t idx = head & r->mask;
	uint32_t first;

	if (unlikely(n > free))
		n = free;
	if (unlikely(n == 0))
		return 0;
	first = r->size - idx;
	if (likely(n <= first)) {
		pk_queue_ring_copy(&slots[idx], (void *const *)pkts, n);
	} else { /* the slots wrap around the ring's end */
		pk_queue_ring_copy(&slots[idx], (void *const *)pkts, first);
		pk_queue_ring_copy(slots, (void *const *)&pkts[first],
				   n - first);
	}
	r->prod.head = head + n;
	/* release: the slots before the tail that publishes them */
	__atomic_store_n(&r->prod.tail, head + n, __ATOMIC_RELEASE);
	return n;
}

/**
 * Dequeue up to max packets from r, the ring of a queue for which
 * pk_queue_ring_is_sc() holds, as rte_ring_sc_dequeue_burst() would (the
 * single-consumer case of rte_ring's protocol, written out as in
 * pk_queue_ring_enqueue_sp()), with pk_queue_ring_copy(). Counts nothing:
 * the caller counts the queue's out.
 * @return packets written to pkts; they are the caller's.
 */
static __rte_always_inline unsigned int
pk_queue_ring_dequeue_sc(struct rte_ring *r, struct rte_mbuf **pkts,
			 unsigned int max)
{
	const uint32_t head = r->cons.head; /* == tail: one consumer */
	/* acquire: the producer's slots before its tail */
	const uint32_t avail = __atomic_load_n(&r->prod.tail,
					       __ATOMIC_ACQUIRE) - head;
	void *const *const slots = pk_queue_ring_slots(r);
	const uint32_t idx = head & r->mask;
	uint32_t first;
	unsigned int n = max;

	if (n > avail)
		n = avail;
	if (n == 0)
		return 0;
	first = r->size - idx;
	if (likely(n <= first)) {
		pk_queue_ring_copy((void **)pkts, &slots[idx], n);
	} else {
		pk_queue_ring_copy((void **)pkts, &slots[idx], first);
		pk_queue_ring_copy((void **)&pkts[first], slots, n - first);
	}
	r->cons.head = head + n;
	/* release: our reads of the slots before the producer may reuse them */
	__atomic_store_n(&r->cons.tail, head + n, __ATOMIC_RELEASE);
	return n;
}

/**
 * Push one packet into q, for which pk_queue_ring_is_sp() holds, inline.
 * @return true if q took m; false if q was full (m is still the caller's;
 *   counted as refused "full" on q).
 */
static inline bool
pk_queue_ring_push_one_sp(struct pk_stage *q, struct rte_mbuf *m)
{
	/* bytes before the enqueue: a puller may free m right after */
	uint64_t bytes = pk_stage_push_bytes(q, &m, 1);

	if (unlikely(rte_ring_sp_enqueue_elem((struct rte_ring *)q->ctx, &m,
					      sizeof(m)) != 0)) {
		pk_stage_count_refused(&q->in, PK_DROP_FULL, 1);
		return false;
	}
	pk_counter_add(&q->in.pkts, 1);
	if (bytes != 0)
		pk_counter_add(&q->in.bytes, bytes);
	pk_stage_notify(q);
	return true;
}

#ifdef __cplusplus
}
#endif

#endif /* PK_QUEUE_WORKER_H */
