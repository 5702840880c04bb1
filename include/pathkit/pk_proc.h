/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PROC_H
#define PK_PROC_H

/**
 * @file
 * Processing: a stage that works on each burst that passes through it, pushed
 * (then pushed on to its next stage) or pulled (from its prev stage).
 *
 * Ownership: as pk_stage.h. A processing stage that drops a packet frees it
 * and counts it by reason. Packets its next stage refuses come back to the
 * pusher already processed (see pk_stage.h, "returned packets may have been
 * changed").
 *
 * Threads: one thread pushes or pulls a processing stage at a time (its
 * counters have one writer per side); a callback runs in that thread.
 *
 * Counters: a processing stage that counts no bytes writes only its in
 * side; its out_pkts is derived when read (in - drops - held), so a
 * callback that frees or hands on a packet must count it as a drop. One
 * whose callback holds packets or makes one of several (reassembly) is
 * created with PK_STAGE_F_COUNT_OUT in sflags and counts out as it goes.
 *
 * Built-in kinds: proc_noop, proc_macswap, proc_ether (src=, dst=),
 * proc_ttl (IPv4 TTL / IPv6 hop limit decrement, expired packets dropped as
 * "expired", truncated ones as "malformed"), proc_counter (counts bytes),
 * proc_reassembly (IPv4/IPv6 reassembly on rte_ip_frag; flows=, timeout_ms=).
 * proc_udp (UDP checks and header strip, see pk_udp.h; csum=).
 * proc_tee (passes packets on, copies each to a sniffer's sink; pk_tee.h).
 * A new processing kind is built with pk_proc_driver.h.
 */

#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Work on a burst in place. Keep the survivors compacted at the front of
 * pkts, in order, and return how many there are. A packet not kept must be
 * freed (or handed elsewhere) by the callback and counted with
 * pk_stage_drop() or pk_stage_count_drop() on the side c given.
 *
 * @param s the processing stage (for counting drops)
 * @param c the side to count drops on (&s->in when pushed, &s->out when pulled)
 * @param pkts the burst
 * @param n its length
 * @param arg the argument given at create
 * @return packets kept, pkts[0..ret)
 */
typedef uint16_t (*pk_proc_fn)(struct pk_stage *s, struct pk_stage_counters *c,
			       struct rte_mbuf **pkts, uint16_t n, void *arg);

/**
 * Create a processing stage that applies fn to each burst.
 * @param name stage name
 * @param fn the work (called once per burst)
 * @param arg passed to fn
 * @param sflags enum pk_stage_flag bits
 * @param socket_id NUMA socket, or SOCKET_ID_ANY
 * @return the stage, or NULL with rte_errno EINVAL (NULL fn, bad name) or ENOMEM.
 */
struct pk_stage *pk_proc_create(const char *name, pk_proc_fn fn, void *arg,
				uint32_t sflags, int socket_id);

struct rte_ether_addr;

/**
 * Create a proc_ether stage: rewrites source and/or destination MAC.
 * @param name stage name
 * @param src new source address, or NULL to keep it
 * @param dst new destination address, or NULL to keep it
 * @param sflags enum pk_stage_flag bits
 * @param socket_id NUMA socket, or SOCKET_ID_ANY
 * @return the stage, or NULL with rte_errno EINVAL (both NULL) or ENOMEM.
 */
struct pk_stage *pk_proc_ether_create(const char *name,
				      const struct rte_ether_addr *src,
				      const struct rte_ether_addr *dst,
				      uint32_t sflags, int socket_id);

#ifdef __cplusplus
}
#endif

#endif /* PK_PROC_H */
