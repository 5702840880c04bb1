/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_ARBITER_H
#define PK_ARBITER_H

/**
 * @file
 * PSPAT arbiter: packet scheduling moved out of the sending threads. Each
 * client hands packets to its own single-producer single-consumer mailbox
 * (a push stage); one arbiter thread drains every mailbox in rounds (a
 * bounded burst each), enqueues into a PktSched (pk_sched.h), releases what
 * the emulated link allows by now and hands it to the output: a TX stage
 * directly, or through an SPSC ring to a dispatcher thread that transmits.
 *
 * Ownership: as pk_stage.h. A client's push returns k: pkts[0..k) are the
 * arbiter's from that moment (the client may overwrite or free its array
 * slots, never the packets); pkts[k..n) stay the client's when the mailbox
 * is full, and the client retries or frees them. The arbiter never frees a
 * packet it did not take. The output refusing a packet keeps it with the
 * arbiter (or dispatcher), which retries; after conf.tx_retries failed
 * attempts in a row it frees the held packets and counts them as dropped.
 * Stop sends everything still held (unshaped) and frees, counting, what the
 * output refuses: after stop nothing is held, nothing freed twice.
 *
 * Counters: every packet a client's push stage takes is admitted, and
 * from then on it is held by the arbiter until it is sent (the output took
 * it) or dropped (freed, counted), never both. So for each client
 *
 *     admitted == sent + dropped + held
 *
 * and, summed over the clients, for the arbiter as a whole (its held is
 * the clients' held summed, split by where the packets are). This is exact
 * whenever the arbiter is quiescent: no round, dispatcher pass or push
 * running (between pk_arbiter_run() calls, or after pk_arbiter_stop(),
 * when held is 0). While the loops run, the getters read each counter on
 * its own, without a lock: the identity holds within the packets that
 * moved during the read, and no part is ever negative. Refused packets
 * (rejected) were never admitted and are not in it. A client's mailbox is
 * a stage of its own, named "<arbiter name>.mb<i>" (the name cut to 16
 * characters), with the statistics of a queue (pk_stage_stats_get(),
 * /pathkit/stage): its in_pkts is the client's admitted, its refused
 * "full" rejected, its out_pkts what the arbiter drained from it, its held
 * the part of the client's held still in the mailbox; in == out + held.
 *
 * Threads: a client's push stage takes one pusher (any EAL lcore or
 * registered thread; clients never share a mailbox). Only the arbiter's
 * thread touches the scheduler and the per-client backlog; only the
 * transmitting thread (arbiter or dispatcher) counts sent and dropped.
 * Control functions (create, start, stop, destroy) run on one control
 * thread. Statistics are readable from any thread while it runs, also on
 * DPDK's telemetry socket: /pathkit/arbiters, /pathkit/arbiter,NAME (loop
 * statistics, sums over the clients, held and its parts),
 * /pathkit/arbiter_client,NAME,I (with its mailbox stage's name).
 *
 * Mailbox: a client's queue, queue_ring or the PSPAT mailbox (kind
 * "mailbox", pk_queue.h). Measured against rte_ring SP/SC in bench_arbiter:
 * with bursts of 32 per push rte_ring moved more packets per second here
 * (0.75x for the mailbox), so SP/SC queue_ring is the default; with one
 * packet per push the mailbox moved 2-4x more (rte_ring then moves its
 * shared index line once per packet). Clients that push packet by packet,
 * as PSPAT's do, should pick PK_ARBITER_MB_PSPAT (doc/performance.md).
 * A ring mailbox holds mailbox_size - 1 packets, a PSPAT one size - 8.
 *
 * Queues: by default the scheduler has one queue per client (the client's
 * weight is its queue's parameter) and the arbiter drains from a mailbox
 * only what that queue can hold, so a busy client just sees short pushes.
 * With a classifier (conf.classify) the scheduler has conf.nb_queues queues
 * instead, per flow or per anything the classifier reads, with one
 * parameter each. The arbiter then tags each packet with its client for
 * the per-client statistics and calls the classifier in its own thread. A
 * packet whose queue is full waits with the arbiter, which drains nothing
 * more from that client until it fits (per-client back-pressure as above,
 * flow order kept); one whose id is not a queue is freed and counted as
 * the client's drop.
 *
 * Mbuf fields: from the moment the arbiter takes a packet until the output
 * takes it, m->hash.sched.queue_id (rte_sched's field, over m->hash.rss)
 * carries the packet's scheduler queue id. Without a classifier that id is
 * the client index, so the field carries both. With a classifier the client
 * index is in the mbuf dynamic field "pk_arbiter_client" (written before the
 * classifier runs, read with pk_arbiter_mbuf_client()) and the queue id is
 * written after the classifier has run. Packets reach the output with these
 * fields as the arbiter left them: m->hash.rss is not restored.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>

#include <pathkit/pk_queue.h>
#include <pathkit/pk_sched.h>
#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most clients of one arbiter. */
#define PK_ARBITER_MAX_CLIENTS 4096
/** Default packets drained from one mailbox per round. */
#define PK_ARBITER_DEFAULT_BURST 32
/** Default output attempts in a row before held packets are dropped. */
#define PK_ARBITER_DEFAULT_TX_RETRIES 100000
/** lcore value: no lcore, the caller runs the loop (pk_arbiter_run()). */
#define PK_ARBITER_LCORE_NONE UINT32_MAX

/** Where released packets go. */
enum pk_arbiter_dispatch {
	PK_ARBITER_DISPATCH_DIRECT = 0, /**< the arbiter pushes into out */
	PK_ARBITER_DISPATCH_THREAD,     /**< a dispatcher lcore does */
};

/** Mailbox implementation of the clients. */
enum pk_arbiter_mailbox {
	/** the faster for pushes of bursts: rte_ring SP/SC */
	PK_ARBITER_MB_DEFAULT = 0,
	PK_ARBITER_MB_PSPAT,        /**< kind "mailbox": for one-packet pushes */
	PK_ARBITER_MB_RING,         /**< kind "queue_ring", SP/SC */
};

/** How to create an arbiter. Zero fields take the defaults shown. */
struct pk_arbiter_conf {
	uint32_t nb_clients;       /**< 1..PK_ARBITER_MAX_CLIENTS */
	uint32_t mailbox_size;     /**< slots, power of two (512) */
	enum pk_arbiter_mailbox mailbox; /**< implementation (default) */
	const char *policy;        /**< any PktSched policy ("wfq") */
	/**
	 * weight, quantum or priority of each scheduler queue: one per client,
	 * or one per queue with a classifier (NULL: the policy's default)
	 */
	const uint32_t *params;
	/** each scheduler queue, a power of two, 2..PK_SCHED_MAX_QSIZE (256) */
	uint32_t qsize;
	/**
	 * per-flow queues: maps a packet to a queue id 0..nb_queues-1, in the
	 * arbiter's thread (NULL: one queue per client, id = client)
	 */
	pk_sched_classify_t classify;
	void *classify_arg;        /**< passed to classify */
	uint32_t nb_queues;        /**< queues with classify, 1..2^20 */
	uint64_t rate_bps;         /**< emulated link, bit/s (0: unlimited) */
	uint32_t overhead;         /**< link bytes per frame (24) */
	/** drained per mailbox per round, 1..8 * PK_ARBITER_DEFAULT_BURST (32) */
	uint16_t burst;
	enum pk_arbiter_dispatch dispatch; /**< direct or dispatcher */
	/** where released packets go (a port_tx, any push stage); required */
	struct pk_stage *out;
	uint32_t ring_size;        /**< arbiter -> dispatcher ring, pow2 (1024) */
	uint32_t tx_retries;       /**< see \@file (PK_ARBITER_DEFAULT_TX_RETRIES) */
	/** arbiter worker lcore for pk_arbiter_start(), or PK_ARBITER_LCORE_NONE */
	uint32_t lcore_id;
	/**
	 * dispatcher worker lcore, or PK_ARBITER_LCORE_NONE (then call
	 * pk_arbiter_dispatch())
	 */
	uint32_t dispatcher_lcore;
	pk_sched_clock_t clock;    /**< link clock (NULL: the TSC) */
	void *clock_arg;           /**< passed to clock */
	uint64_t clock_hz;         /**< clock ticks per second, with clock */
	int socket_id;             /**< NUMA socket, or SOCKET_ID_ANY */
	/**
	 * A two-level policy ("owners:wfq,flows:fq_codel"): its classes, which
	 * divide the scheduler's queues evenly (0: 1; see pk_sched.h,
	 * Hierarchy). With classes = clients and a classifier that returns
	 * client * (nb_queues / nb_clients) + the packet's flow, each client
	 * is an owner weighted by class_params and its flows share its part.
	 */
	uint32_t nb_classes;
	/** each class's parameter under the outer policy (NULL: default) */
	const uint32_t *class_params;
};

/** Per-client statistics. */
struct pk_arbiter_client_stats {
	uint64_t admitted;   /**< packets its mailbox took */
	/**
	 * packets refused, mailbox full (they stay the client's); every
	 * refusal counts, so a packet pushed again and refused again twice
	 */
	uint64_t rejected;
	uint64_t sent;       /**< packets the output took */
	/** packets freed: output stuck, at stop, or classified to no queue */
	uint64_t dropped;
	uint64_t bytes;      /**< bytes of the sent packets */
	/**
	 * packets admitted and not yet sent nor dropped: in its mailbox, in
	 * the scheduler, waiting for a full flow queue, or released and not
	 * yet taken by the output. admitted == sent + dropped + held: see
	 * "Counters" in \@file
	 */
	uint64_t held;
};

/** Arbiter statistics. */
struct pk_arbiter_stats {
	uint64_t rounds;       /**< loop iterations */
	uint64_t empty_rounds; /**< rounds that drained and released nothing */
	uint64_t drained;      /**< packets taken from mailboxes */
	uint64_t released;     /**< packets the scheduler released */
	uint64_t loop_cycles;  /**< TSC cycles spent in rounds */
	uint64_t tx_retries;   /**< output attempts that left packets held */
	/** classified packets that found their queue full and waited */
	uint64_t queue_full;
	/**
	 * packets the arbiter holds now, the clients' held summed:
	 * held_mailboxes + held_sched + held_wait + held_output
	 */
	uint64_t held;
	uint64_t held_mailboxes; /**< in the clients' mailboxes */
	uint64_t held_sched;     /**< in the scheduler's queues */
	uint64_t held_wait;      /**< in wait slots, their flow queue full */
	/**
	 * released and not yet taken by the output: the arbiter's held burst,
	 * the dispatcher ring and the dispatcher's held burst
	 */
	uint64_t held_output;
	/**
	 * packets the scheduler's queue manager (fq_codel, fq_pie) dropped by
	 * its verdict (reason "aqm"); counted in each client's dropped
	 */
	uint64_t dropped_aqm;
	/** packets it dropped past its limit (reason "full"); also there */
	uint64_t dropped_full;
};

struct pk_arbiter;

/**
 * Offset of the mbuf dynamic field "pk_arbiter_client" (a uint32_t), or -1
 * before the first arbiter with a classifier is created.
 */
extern int pk_arbiter_client_dynfield;

/**
 * The client that pushed m, for a classifier (conf.classify) to read: the
 * arbiter sets it before calling the classifier. Arbiters with a classifier
 * only: without one the client index is m->hash.sched.queue_id and this
 * field is not written (see "Mbuf fields" in \@file).
 * @param m a packet the arbiter holds
 * @return the client index
 */
static inline uint32_t
pk_arbiter_mbuf_client(const struct rte_mbuf *m)
{
	return *RTE_MBUF_DYNFIELD(m, pk_arbiter_client_dynfield,
				  const uint32_t *);
}

/**
 * Create an arbiter, its client mailboxes and its scheduler: one internal
 * queue per client (queue id = client index, parameter conf->params[i]), or
 * with conf->classify, conf->nb_queues queues (parameter conf->params[q]).
 * Names need not be unique; telemetry finds the first of a name. Control
 * thread.
 * @param name name, cut to PK_STAGE_NAMESIZE - 1 characters (its stages
 *   are named after it)
 * @param conf its configuration
 * @return the arbiter, or NULL with rte_errno:
 *   - EINVAL: name NULL or empty, conf NULL, a field out of the range shown
 *     in struct pk_arbiter_conf (no out, a classifier without nb_queues or
 *     nb_queues without one, clock without clock_hz ...), a size that is not
 *     a power of two, a parameter outside the policy's range;
 *     nb_classes not dividing the queues, a class parameter out of range;
 *   - ENOENT: unknown policy; or, with a classifier, no room left in the
 *     mbuf for the client field;
 *   - ENOSPC: the parameters pass the policy's sum of weights (qfq);
 *   - ENOMEM;
 *   - with a classifier, what rte_mbuf_dynfield_register() sets otherwise
 *     (EEXIST: "pk_arbiter_client" registered with another size; EPERM:
 *     a secondary process).
 */
struct pk_arbiter *pk_arbiter_create(const char *name,
				     const struct pk_arbiter_conf *conf);

/**
 * @return client i's push stage (its mailbox), or NULL if i is out of range
 *   or a is NULL. One thread pushes into it; see \@file for ownership.
 */
struct pk_stage *pk_arbiter_client(struct pk_arbiter *a, uint32_t i);

/**
 * Launch the arbiter on conf.lcore_id and, in dispatcher mode, the
 * dispatcher on conf.dispatcher_lcore (when not PK_ARBITER_LCORE_NONE).
 * Control thread.
 * @return 0, or -EINVAL (a NULL; conf.lcore_id, or in dispatcher mode a
 *   dispatcher_lcore other than PK_ARBITER_LCORE_NONE, not a worker lcore
 *   of the EAL), -EALREADY (launched), -EBUSY (an lcore is running
 *   something else, or both are the same lcore), or another negative value
 *   rte_eal_remote_launch() returned. On failure nothing stays launched.
 */
int pk_arbiter_start(struct pk_arbiter *a);

/**
 * Stop the loops, wait for them, then send everything held in mailboxes,
 * scheduler and dispatcher ring to the output, unshaped; what the output
 * refuses is freed and counted as dropped. Clients must have stopped
 * pushing. Control thread. Stopping a stopped arbiter only flushes.
 * @return 0, or -EINVAL (a NULL).
 */
int pk_arbiter_stop(struct pk_arbiter *a);

/**
 * Run rounds arbiter rounds in the calling thread (tests, benchmarks, or
 * an application that gives the arbiter its own loop). Not while launched.
 * @return packets released, or -EBUSY (launched), -EINVAL (a NULL).
 */
int64_t pk_arbiter_run(struct pk_arbiter *a, uint64_t rounds);

/**
 * One dispatcher pass in the calling thread (dispatcher mode without a
 * dispatcher lcore): move what the arbiter released to the output.
 * @return packets the output took, or -EINVAL (a NULL, or not in
 *   dispatcher mode), -EBUSY (a dispatcher lcore is running).
 */
int pk_arbiter_dispatch(struct pk_arbiter *a);

/**
 * Read a client's statistics. Any thread (see "Counters" in \@file for
 * what is exact when).
 * @return 0, or -EINVAL (a or st NULL, i not a client).
 */
int pk_arbiter_client_stats_get(const struct pk_arbiter *a, uint32_t i,
				struct pk_arbiter_client_stats *st);

/**
 * Read the arbiter's statistics: its loop counters, and held, which reads
 * every client's (as pk_arbiter_client_stats_get() does). Any thread.
 * @return 0, or -EINVAL (a or st NULL).
 */
int pk_arbiter_stats_get(const struct pk_arbiter *a,
			 struct pk_arbiter_stats *st);

/**
 * @return the arbiter's scheduler (read-only use: stats, queue info), or
 *   NULL for a NULL arbiter.
 */
struct pk_stage *pk_arbiter_sched(struct pk_arbiter *a);

/** @return the arbiter's name, or NULL for a NULL arbiter. */
const char *pk_arbiter_name(const struct pk_arbiter *a);

/** @return the arbiter's number of clients (0 for a NULL arbiter). */
uint32_t pk_arbiter_nb_clients(const struct pk_arbiter *a);

/**
 * Switch the policy of the arbiter's scheduler while it runs, as
 * pk_sched_policy_set() says (queues, backlog and order per queue kept;
 * nothing dropped by the switch itself; a queue manager's later drops are
 * counted per client as dropped, in dropped_aqm and dropped_full). The
 * new policy's state is allocated and checked on the calling thread; the
 * switch itself is made by the arbiter's thread at the start of its next
 * round, while this call waits (a launched arbiter), or here (one that is
 * not: pk_arbiter_run() runs on this thread). conf->params: one per
 * scheduler queue (per client, or per flow queue with a classifier).
 * Control thread: not concurrently with start, stop or destroy (the
 * examples hold pk_ctl_lock() around those, as pk_ctl_sched_policy() does
 * around this).
 * @param a the arbiter
 * @param conf the new policy and its parameters
 * @return 0, or -EINVAL (a NULL), or pk_sched_policy_set()'s errors; a
 *   refused switch changes nothing.
 */
int pk_arbiter_policy_set(struct pk_arbiter *a,
			  const struct pk_sched_switch_conf *conf);

/**
 * Stop, flush and free the arbiter, its mailboxes, scheduler and
 * dispatcher ring; the output stays the caller's. Accepts NULL. Control
 * thread.
 */
void pk_arbiter_destroy(struct pk_arbiter *a);

#ifdef __cplusplus
}
#endif

#endif /* PK_ARBITER_H */
