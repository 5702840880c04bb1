/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TEE_H
#define PK_TEE_H

/**
 * @file
 * Tee (kind "proc_tee"): a processing stage that passes every packet on
 * unchanged and gives a copy of each to a sink stage, typically a queue a
 * sniffer reads. The copies belong to the sink; the real packets never wait
 * for it.
 *
 * Copies: deep copies (rte_pktmbuf_copy) into the copy pool given at create,
 * cut to the snap length: later stages that rewrite the packet in place (a
 * TTL decrement, an encapsulation) never show in a copy, and freeing a copy
 * never touches the original. With PK_TEE_F_CLONE they are clones instead
 * (rte_pktmbuf_clone: an indirect mbuf per segment, sharing the data), which
 * is cheaper for larger packets but sound only when nothing after the tee
 * and nothing in the sniffer writes packet data, and only if the port does
 * not free with RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE (it assumes a reference
 * count of 1). A clone also keeps the original's buffer out of its pool
 * until the sniffer frees it: size that pool for what the sink holds.
 * Give the tee a pool of its own: copies taken from the port's pool would
 * let a slow sniffer starve the real path. A copy keeps the original's
 * metadata (ol_flags, dynamic fields) but not its headroom: put the tee
 * before stages that strip headers into the headroom (proc_udp).
 *
 * What a sniffer sees: a push copies its burst before handing it to the
 * next stage and gives the sink the copies of the packets the next stage
 * took, in order; copies of packets it refused are freed (the packets go
 * back to the caller, and a retry copies them again). A pull gives the sink
 * a copy of every packet it returns. A copy that the copy pool cannot give,
 * or that the sink refuses, is lost: freed and counted (pk_tee_stats_get()),
 * never retried and never waited for. With no sink the tee only passes.
 * With a sink, a push hands a burst longer than 64 to the next stage in
 * steps of 64 (stopping at the first refusal) and a pull returns at most 64.
 *
 * Cost (bench_tee, one core of a loaded 2-vCPU VM, sniffer drained apart):
 * a [proc_noop, queue_ring] path of 64-byte packets takes about 5 cycles a
 * packet; with a tee about 85 (copies) or 90 (clones), so about 30 Mpps;
 * with a tee and no sink about 5.5. At 1514 bytes copies cost 200-260
 * cycles and clones 75-90: a snap length or clones pay off for big packets.
 *
 * Ownership: as pk_stage.h for the real packets. The tee holds no packet;
 * it does not own its sink (destroying the tee leaves the sink alone) nor
 * its copy pool.
 *
 * Threads: one thread pushes or pulls a tee at a time, as any processing
 * stage. If several tees (or other pushers) feed one sink, the sink must
 * take concurrent pushes (a queue_ring with mp=1). pk_tee_set_sink() may
 * run on a control thread while the tee is pushed: see there.
 *
 * Statistics: the stage's own counters are those of the real packets
 * (in, out, refused "full" when its next refuses), and balance as every
 * stage's do: in == out + drops + held, drops and held always 0. Copies are
 * counted apart, in struct pk_tee_stats, so that a lost copy is never
 * mistaken for a lost packet and the tee's refused "full" keeps meaning one
 * thing. The sink's own statistics show the copies it took (in) and
 * refused (refused "full").
 *
 * By name (pk_stage_create("proc_tee", ...)): pool=<mempool name, required>
 * snaplen=<0..2^32-1, 0: whole> clone=<0|1, 0> bytes=<0|1>; the sink is
 * then set with pk_tee_set_sink(). An unknown pool name is ENOENT.
 */

#include <stdint.h>

#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Tee flags, beside enum pk_stage_flag bits (which stay below bit 16). */
enum pk_tee_flag {
	/** clones instead of copies (see \@file: when it is sound) */
	PK_TEE_F_CLONE = 1u << 16,
};

/** Copy counters of a tee; each packet passed on while a sink was set is
 *  counted once in one of them. */
struct pk_tee_stats {
	uint64_t copied;     /**< copies the sink took */
	uint64_t lost_nomem; /**< copies the copy pool could not give */
	uint64_t lost_full;  /**< copies the sink refused (freed) */
};

/** Name of the mbuf dynamic field holding a copy's original length. */
#define PK_TEE_DYNFIELD_NAME "pk_tee_wire_len"

/**
 * Create a tee.
 * @param name stage name
 * @param sink stage that gets the copies, or NULL (set it later)
 * @param copy_pool pktmbuf pool the copies (or clones) come from; for
 *   copies its data room must exceed RTE_PKTMBUF_HEADROOM
 * @param snaplen bytes kept of each packet, from its start; 0 keeps all
 * @param flags enum pk_tee_flag and enum pk_stage_flag bits
 * @param socket_id NUMA socket of the stage, or SOCKET_ID_ANY
 * @return the stage, or NULL with rte_errno: EINVAL (bad name, NULL or
 *   non-pktmbuf pool, a copy pool with no data room, unknown flags, a sink
 *   that takes no pushes), ENOMEM, ENOSPC (no room for the mbuf dynamic
 *   field PK_TEE_DYNFIELD_NAME).
 */
struct pk_stage *pk_tee_create(const char *name, struct pk_stage *sink,
			       struct rte_mempool *copy_pool, uint32_t snaplen,
			       uint32_t flags, int socket_id);

/**
 * Attach, change or detach (sink NULL) a tee's sink while another thread
 * may be pushing or pulling the tee. On return no push or pull of the tee
 * uses the old sink any more: the caller may destroy it (after reading
 * what it holds). To make that so, the call waits for a burst in progress
 * to finish (none when the tee is idle) and forces a
 * memory barrier on the process's running threads (membarrier(2)), so a
 * burst that copies pays two stores for it and no fence (a kernel without
 * membarrier: one fence). Control thread; never from inside a push or pull
 * of this tee (it would wait for itself).
 * @param tee a proc_tee stage
 * @param sink the new sink (takes pushes; not the tee itself), or NULL
 * @return 0, or -EINVAL (tee NULL or not a tee, sink is the tee or takes
 *   no pushes).
 */
int pk_tee_set_sink(struct pk_stage *tee, struct pk_stage *sink);

/**
 * Read a tee's copy counters. Any thread, while the tee runs. They count
 * from create: pk_stage_stats_reset() does not clear them.
 * @return 0, or -EINVAL (NULL, or not a tee).
 */
int pk_tee_stats_get(const struct pk_stage *tee, struct pk_tee_stats *st);

/**
 * The length of the packet a copy was made from, before the snap length
 * cut it (what a pcap record calls the original length).
 * @param copy an mbuf a tee gave its sink
 * @return that length; copy's pkt_len if no tee was ever created.
 */
uint32_t pk_tee_wire_len(const struct rte_mbuf *copy);

#ifdef __cplusplus
}
#endif

#endif /* PK_TEE_H */
