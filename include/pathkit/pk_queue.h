/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_QUEUE_H
#define PK_QUEUE_H

/**
 * @file
 * Queue: a stage that stores packets, on rte_ring (kind "queue_ring"). The
 * ring lives in the stage's own rte_malloc memory (rte_ring_init()), not in
 * a memzone, so the EAL's memzone limit does not cap how many queues there
 * are; it is not in rte_ring_lookup()'s list.
 *
 * push enqueues up to n packets and refuses the rest when full (counted as
 * "full"; the caller keeps them, unchanged, and may retry). pull dequeues up
 * to max; an empty queue gives 0. destroy frees every packet still queued.
 * Ownership as in pk_stage.h: taken packets are the queue's, pulled ones the
 * caller's.
 *
 * Threads: one pusher and one puller at a time, unless created with
 * PK_QUEUE_F_MP (several pushers) or PK_QUEUE_F_MC (several pullers).
 * pk_stage_len() is safe from any thread.
 *
 * Blocking: a thread that allows blocking sleeps on an empty queue with
 * pk_queue_wait(); a push wakes it (see pk_thread.h). Any queue kind that
 * implements the wait and wake ops (pk_stage_driver.h) can be slept on;
 * queue_ring does.
 *
 * Arguments: size=<power of two, default 1024; holds size-1 packets>
 * mp=<0|1> mc=<0|1> bytes=<0|1>
 *
 * Droppers: any queue kind with a length (queue_ring, queue_local, mailbox)
 * carries a RED or PIE dropper (pk_queue_set_dropper(), pk_dropper.h);
 * queue_ring and queue_local take it as an argument,
 * red=min:max:maxp_inv[:wq_log2[:pkt_ns]] or
 * pie=qdelay_ms[:interval_ms[:burst_ms[:tailq_th]]].
 *
 * Mailbox (kind "mailbox", drivers/queue/mailbox_pspat.c): a single-producer
 * single-consumer queue in PSPAT's layout, what an arbiter's client may push
 * into (pk_arbiter.h): no shared index, empty slots are NULL, the consumer
 * hands cache lines back in batches. Faster than queue_ring when producers
 * push one packet at a time, slower with bursts. One pusher, one puller.
 * Arguments: size=(power of two >= 16, 512; holds size-8 packets) bytes=0|1
 */

#include <pathkit/pk_dropper.h>
#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Queue flags. */
enum pk_queue_flag {
	PK_QUEUE_F_MP = 1u << 0, /**< several threads may push at once */
	PK_QUEUE_F_MC = 1u << 1, /**< several threads may pull at once */
};

/** Default ring size of a queue. */
#define PK_QUEUE_DEFAULT_SIZE 1024

/**
 * Create a queue on rte_ring.
 * @param name stage name
 * @param size ring size, a power of two >= 2; the queue holds size-1 packets
 * @param qflags enum pk_queue_flag bits
 * @param sflags enum pk_stage_flag bits (PK_STAGE_F_BYTES)
 * @param socket_id NUMA socket, or SOCKET_ID_ANY
 * @return the stage, or NULL with rte_errno EINVAL (size not a power of two,
 *   bad name or flags) or ENOMEM.
 */
struct pk_stage *pk_queue_ring_create(const char *name, unsigned int size,
				      uint32_t qflags, uint32_t sflags,
				      int socket_id);

/**
 * Create a local queue (kind "queue_local"): a FIFO of up to size packets in
 * a plain array, for one thread that both pushes and pulls, as a path's tail
 * that its caller drains right after running it (a socket's recv). No ring,
 * no atomics; a full queue refuses the rest ("full"). pk_stage_len() is safe
 * from any thread. Arguments: size=(1..512, 32) bytes=0|1
 * @param name stage name
 * @param size packets it holds, 1..512
 * @param sflags enum pk_stage_flag bits
 * @param socket_id NUMA socket, or SOCKET_ID_ANY
 * @return the stage, or NULL with rte_errno EINVAL or ENOMEM.
 */
struct pk_stage *pk_queue_local_create(const char *name, unsigned int size,
				       uint32_t sflags, int socket_id);

/** Default mailbox size (slots). */
#define PK_MAILBOX_DEFAULT_SIZE 512
/** Largest mailbox. */
#define PK_MAILBOX_MAX_SIZE (1u << 24)

/**
 * Create a PSPAT mailbox (kind "mailbox"): see the \@file above.
 * @param name stage name
 * @param size slots, a power of two >= 16; it holds size - 8 packets
 * @param sflags enum pk_stage_flag bits
 * @param socket_id NUMA socket, or SOCKET_ID_ANY
 * @return the stage, or NULL with rte_errno EINVAL or ENOMEM.
 */
struct pk_stage *pk_mailbox_create(const char *name, unsigned int size,
				   uint32_t sflags, int socket_id);

/**
 * Sleep until queue q holds packets, pk_queue_wake() is called, *cancel
 * becomes non-zero, or timeout_us passes: for a thread that allows blocking
 * and found q empty. Any number of threads may wait. On a queue_ring, a
 * push that finds a waiter wakes every waiter; a push that finds none pays
 * one load and one predictable branch (the waiter fences with membarrier(2)).
 * @param q a stage whose kind can be slept on (pk_queue_can_wait())
 * @param cancel checked after the waiter is registered (a stop flag), or NULL
 * @param timeout_us longest sleep, in microseconds
 * @return 0 (packets may be there, or woken), -ETIMEDOUT, -ECANCELED,
 *   -ENOTSUP (q's kind cannot be slept on, or q is NULL).
 */
int pk_queue_wait(struct pk_stage *q, const uint32_t *cancel,
		  uint32_t timeout_us);

/** Most queues one pk_queue_wait_any() sleeps on (the kernel's futex_waitv). */
#define PK_QUEUE_WAIT_ANY_MAX 128

/**
 * Sleep until one of several queues holds packets, one of them is woken,
 * *cancel becomes non-zero, or timeout_us passes: pk_queue_wait() over a
 * set, for a thread that reads many queues (a poll over sockets). One
 * sleep in the kernel (futex_waitv(2)); a push into any of them wakes it.
 * On a kernel without futex_waitv it sleeps at most 1 ms per call.
 * @param qs the queues, all of one kind that can be slept on
 * @param n how many, 1..PK_QUEUE_WAIT_ANY_MAX
 * @param cancel checked after the waiter is registered, or NULL
 * @param timeout_us longest sleep, in microseconds
 * @return 0 (packets may be there, or woken), -ETIMEDOUT, -ECANCELED,
 *   -EINVAL (n out of range, a NULL queue), -ENOTSUP (a kind that cannot
 *   be slept on over a set, or queues of different kinds).
 */
int pk_queue_wait_any(struct pk_stage *const *qs, unsigned int n,
		      const uint32_t *cancel, uint32_t timeout_us);

/**
 * Wake every thread sleeping in pk_queue_wait() on q (to stop it).
 * Any thread. Does nothing if q's kind cannot be slept on.
 */
void pk_queue_wake(struct pk_stage *q);

/**
 * Give queue q a dropper (pk_dropper.h), change it, or remove it. The
 * dropper takes over q's push (pk_stage.push): q's kind, ops and other
 * fields stay as they are, and a queue that never carries one pays
 * nothing. A removed dropper's memory stays with q until q is destroyed.
 * Control thread, while no thread pushes into q.
 * @param q a stage that can be pushed and pulled and has a length
 * @param c the configuration (copied); NULL or kind PK_DROPPER_NONE
 *   removes q's dropper
 * @return 0; -EINVAL (q NULL, a parameter out of range: RED's as
 *   rte_red_config_init() checks them, PIE's zero or a burst allowance
 *   past 2^32 TSC cycles, unknown kind); -ENOTSUP (q cannot be pushed,
 *   pulled or measured); -ENOMEM.
 */
int pk_queue_set_dropper(struct pk_stage *q, const struct pk_dropper_conf *c);

/** @return true if q's kind implements waiting (pk_queue_wait()). */
bool pk_queue_can_wait(const struct pk_stage *q);

#ifdef __cplusplus
}
#endif

#endif /* PK_QUEUE_H */
