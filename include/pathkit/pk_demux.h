/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_DEMUX_H
#define PK_DEMUX_H

/**
 * @file
 * Demux: a stage that finds, for each packet, the stage responsible for its
 * flow and pushes it there (kind "demux_flow", on rte_hash).
 *
 * Keys (pk_flow.h): active keys name both ends, passive keys only the local
 * end, passive wildcard keys only the protocol and local port. A packet's key
 * is looked up in that order, like a kernel's established-then-listening
 * socket lookup. Non-first fragments carry no ports: they are counted as
 * "fragment" and go to the miss stage (put a proc_reassembly stage in front
 * to have them reach their path whole). ICMP errors have the key of the
 * packet they quote, marked PK_FLOW_F_ICMP_ERR (pk_flow.h): they are looked
 * up the same way, and match only keys installed with the mark (an
 * ICMP-error socket's); unclaimed, they miss like any packet and go to the
 * miss stage (a node's kernel side, which knows its own TCP sockets). The
 * lookup is the same for every packet: the mark costs no test per packet.
 *
 * Ownership: as pk_stage.h. push groups the burst by target (packets of one
 * target keep their order) and hands each group to its target as one burst.
 * Past the lookup, its cost is per group rather than per packet where it
 * can be: one push and, for a group of packets of one key, one add to that
 * key's hit counter.
 * Packets a target refuses come back to the caller at the tail, in their
 * original order, counted "full". Packets that match no key (and non-IP
 * frames) are counted "no-match", non-first fragments "fragment"; both go to
 * the miss stage, or come back like refused ones when there is none.
 * Malformed packets are freed and counted "malformed". The demux itself
 * changes no packet; one a target refused may have been changed by that
 * target (see pk_stage.h). A demux does not own its targets or its miss
 * stage: destroying it leaves them alone.
 *
 * Threads: control functions (create, add, del, remove_target, synchronize,
 * destroy) run on one control thread at a time. push takes no lock and may
 * run while the control thread adds and deletes keys (rte_hash lock-free
 * read-write concurrency). One thread pushes at a time, or several when the
 * demux was created with PK_DEMUX_F_MT; then every target must take
 * concurrent pushes (PK_STAGE_CAP_MT_PUSH, e.g. a queue_ring with mp=1; paths
 * do not declare it). Every thread that pushes while keys may change is an
 * RCU reader, of one of two kinds:
 *   - the library's readers (pk_rcu.h): runner lcores, thread_lcore loops
 *     and entry runs are, by themselves; an application loop becomes one
 *     with pk_rcu_online(), pk_rcu_quiescent() per iteration and
 *     pk_rcu_offline(). This covers every demux it reaches at once.
 *   - the demux's own, with a thread id of its choice below RTE_MAX_LCORE:
 *     1. pk_demux_flow_reader_register(d, id) once, before its first push;
 *     2. pk_demux_flow_quiescent(d, id) after each burst (or each loop),
 *        when it holds no target pointer and is between pushes;
 *     3. pk_demux_flow_reader_unregister(d, id) before it stops pushing.
 * Deleted keys' slots are reused, and pk_demux_flow_remove_target() and
 * pk_demux_flow_synchronize() return, only once every reader of both kinds
 * has reported a quiescent state (rte_rcu_qsbr; deletes never wait: a
 * deleted key waits in defer queues), so a target removed that way may then
 * be destroyed.
 * With PK_DEMUX_F_MT, the first registration from an lcore also gives that
 * lcore hit counters of its own (8 bytes per key of capacity, kept until
 * destroy): its pushes count hits without atomics on lines that other
 * lcores write. Pushes from a thread without (not registered, or with no
 * lcore id) count with atomic adds; pk_demux_flow_hits() sums them all.
 *
 * Size: every key may have a target of its own (a socket each), up to the
 * capacity. All memory is taken at create, by capacity: installing keys
 * takes none, and no call allocates after (but for the per-lcore hit
 * counters of an mt demux, at reader registration). Add, delete and
 * remove_target cost O(1) per key, however many keys and targets there
 * are. Measured with 100,000 keys (test_demux_many, rte_malloc heap
 * bytes): 136 bytes per key of capacity, of which rte_hash takes 80 (its
 * key store, buckets and free-slot ring) and the demux 56 (hit counter,
 * entry and slot tables, target index). One UDP socket's receive side, a
 * key and a queue_ring of 64, costs about 1.7 KB and no memzone: the queue
 * 1,536 bytes in one allocation (stage 448 and its 64-byte header, ring
 * 896: a 384-byte header and 64 slots, the rest an rte_malloc header).
 * Creating the queue took 2.4-4 us and adding its key 0.4-0.65 us on a
 * shared 2-vCPU VM (first touch of --no-huge memory included).
 */

#include <pathkit/pk_flow.h>
#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_rcu_qsbr;

/** Demux flags. */
enum pk_demux_flag {
	PK_DEMUX_F_MT = 1u << 0, /**< several threads may push at once */
};

/**
 * Most distinct target stages one demux points to at once: as many as its
 * largest capacity, so every key may have a target of its own (a socket
 * each). A demux's target table is sized by its capacity, not by this.
 */
#define PK_DEMUX_MAX_TARGETS (1u << 30)

/** Default key capacity of a demux made by kind name. */
#define PK_DEMUX_DEFAULT_CAPACITY 1024

/** How to build a demux. */
struct pk_demux_conf {
	const char *name;       /**< stage name */
	uint32_t capacity;      /**< most keys installed at once, >= 1 */
	int socket_id;          /**< NUMA socket, or SOCKET_ID_ANY */
	struct pk_stage *miss;  /**< where unmatched packets go, or NULL */
	uint32_t flags;         /**< enum pk_demux_flag bits */
	uint32_t sflags;        /**< enum pk_stage_flag bits */
};

/**
 * Create a demux.
 * @param conf name, capacity, socket, miss stage, flags
 * @return the stage, or NULL with rte_errno: EINVAL (NULL conf, bad name,
 *   capacity 0 or above 2^30, unknown flags, a miss stage that does not take
 *   pushes or, with PK_DEMUX_F_MT, concurrent pushes), ENOMEM.
 */
struct pk_stage *pk_demux_flow_create(const struct pk_demux_conf *conf);

/**
 * Install a key. Control thread; safe while other threads push.
 * @param d a demux_flow stage
 * @param key the key (pk_flow.h); its pad must be zero or PK_FLOW_F_ICMP_ERR
 * @param target where its packets go; must take pushes (and concurrent
 *   pushes if d was made with PK_DEMUX_F_MT)
 * @return 0, -EINVAL (not a demux, NULL or bad key, bad target),
 *   -EEXIST (key already installed), -ENOSPC (capacity keys installed),
 *   -ENOMEM (a new target, and no memory to grow the table of targets:
 *   d is unchanged).
 *   When every entry is held by a deleted key in its grace period, waits
 *   for the readers first (as pk_demux_flow_synchronize()); so does the
 *   add of a new target that doubles the table of targets (it starts at
 *   64 and grows with the targets in use, a few times in d's life).
 */
int pk_demux_flow_add(struct pk_stage *d, const struct pk_flow_key *key,
		      struct pk_stage *target);

/**
 * Remove a key. Control thread; safe while other threads push: a reader
 * that found the key before may still push to its target until its next
 * quiescent state.
 * @return 0, -EINVAL (not a demux, NULL key), -ENOENT (no such key).
 */
int pk_demux_flow_del(struct pk_stage *d, const struct pk_flow_key *key);

/**
 * Remove every key that points to target, then wait until every reader
 * (see \@file) has passed a quiescent state: on return no pusher of d holds
 * target, and the caller may destroy it. Blocks while readers are busy.
 * Costs O(target's keys), not O(keys installed): closing one of a million
 * sockets is as cheap as closing one of ten.
 * @return keys removed (>= 0), or -EINVAL (not a demux, NULL target).
 */
int pk_demux_flow_remove_target(struct pk_stage *d, struct pk_stage *target);

/**
 * Where a packet with this key would go, in lookup order (active, passive
 * exact, passive wildcard). Control thread or a registered reader.
 * @return the target, or NULL if no key matches (or d is not a demux).
 */
struct pk_stage *pk_demux_flow_resolve(struct pk_stage *d,
				       const struct pk_flow_key *key);

/**
 * Read the hit counter of an installed key (packets sent to its target,
 * including any the target refused). Safe from any thread; exact once the
 * pushes that counted are done (with PK_DEMUX_F_MT, the sum of the shared
 * counter and every lcore's own).
 * @return 0 with *hits set, -EINVAL, or -ENOENT (no such key).
 */
int pk_demux_flow_hits(struct pk_stage *d, const struct pk_flow_key *key,
		       uint64_t *hits);

/** @return keys installed now, or 0 if d is not a demux. */
unsigned int pk_demux_flow_count(struct pk_stage *d);

/**
 * Wait until every reader (the demux's registered ones and the library's,
 * pk_rcu.h) has passed a quiescent state, then reuse the slots of deleted
 * keys. Control thread.
 * @return 0, or -EINVAL if d is not a demux.
 */
int pk_demux_flow_synchronize(struct pk_stage *d);

/**
 * Make the calling thread a reader of d: register it with d's RCU variable
 * and mark it online. Call from the reader before its first push. With
 * PK_DEMUX_F_MT, the calling lcore (rte_lcore_id(), if it has one) gets its
 * own hit counters the first time (see \@file).
 * @param d a demux_flow stage
 * @param thread_id unique among d's readers, < RTE_MAX_LCORE
 * @return 0, -EINVAL (not a demux, id out of range), or -ENOMEM (no memory
 *   for the lcore's hit counters).
 */
int pk_demux_flow_reader_register(struct pk_stage *d, unsigned int thread_id);

/**
 * Mark a reader offline and unregister it; call when it stops pushing.
 * @return 0, or -EINVAL.
 */
int pk_demux_flow_reader_unregister(struct pk_stage *d,
				    unsigned int thread_id);

/**
 * Report a quiescent state: the reader holds nothing it found in d. Call
 * after each burst (cost: one store, about 8 cycles).
 * @param d a demux_flow stage the thread registered with
 * @param thread_id the reader's id
 */
void pk_demux_flow_quiescent(struct pk_stage *d, unsigned int thread_id);

/** @return d's RCU variable (for rte_rcu_qsbr calls), or NULL. */
struct rte_rcu_qsbr *pk_demux_flow_qsbr(struct pk_stage *d);

/**
 * Put a tap on an output: the packets bound for target (its keys', or the
 * misses if target is the miss stage) go to tap instead, which hands them
 * on (a capture whose next is target: pk_capture_edge_on()); tap NULL
 * takes the tap off. One pointer store, while threads push: a burst sees
 * the old output or the new one, whole. No cost per packet either way.
 * While tapped, keys added for target join the tap, and
 * pk_demux_flow_remove_target(target) removes them (and the tap);
 * pk_demux_flow_resolve() returns the tap. A pusher may still hold the
 * old output after the call until its next quiescent state
 * (pk_demux_flow_synchronize() waits for that). Control thread.
 * @param d a demux_flow stage
 * @param target an output of d (a key's target, or the miss stage)
 * @param tap a stage that takes pushes (concurrent ones if d is mt), or
 *   NULL
 * @return 0, or -EINVAL (not a demux, NULL target, a tap that takes no
 *   such pushes), -ENOENT (target is no output of d; tap NULL: no tap on
 *   it), -EBUSY (target is tapped already), -ENOSPC (8 outputs of d are
 *   tapped already).
 */
int pk_demux_flow_tap(struct pk_stage *d, struct pk_stage *target,
		      struct pk_stage *tap);

#ifdef __cplusplus
}
#endif

#endif /* PK_DEMUX_H */
