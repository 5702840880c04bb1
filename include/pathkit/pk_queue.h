/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_QUEUE_H
#define PK_QUEUE_H

/**
 * @file
 * Queue: a stage that stores packets, on rte_ring (kind "queue_ring").
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
 * Arguments: size=<power of two, default 1024; holds size-1 packets>
 * mp=<0|1> mc=<0|1> bytes=<0|1>
 */

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

#ifdef __cplusplus
}
#endif

#endif /* PK_QUEUE_H */
