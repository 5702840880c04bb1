/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SCHED_H
#define PK_SCHED_H

/**
 * @file
 * PktSched: a compound stage that decides whose packet goes next. Pulling it
 * picks a queue by policy and returns that queue's head; an optional shaper
 * releases only what an emulated link of R bit/s could have sent by now.
 *
 * Queues: each attached queue is either an ordinary stage (a queue_ring,
 * which may also belong to a path: paths push into it, the scheduler pulls
 * from it) or an internal FIFO of the scheduler (cheapest; what a standalone
 * scheduler with a classifier uses). Each queue has one parameter, read by
 * the policy: a weight (wfq, wf2q), a quantum in bytes (drr) or a priority
 * (prio, 0 is the highest). Policies: wfq (QFQ, O(1)), wf2q (exact WF2Q+,
 * O(log N)), drr, prio, rr, fifo, and two that manage queue delay:
 * fq_codel (RFC 8290) and fq_pie (RFC 8033 per flow).
 *
 * Queue management (fq_codel, fq_pie): each queue is a flow's, and the
 * scheduler hashes flows to queues itself unless given a classifier (see
 * the policy's card). Push stamps each packet with the clock (read once per
 * burst); at pull the policy may drop the head it would send (counted as
 * "aqm") or, for an ECN-capable IPv4/IPv6 packet, mark it CE instead
 * (pk_sched_ecn_marked()). The packets held in all queues stay within
 * aqm.limit and aqm.limit_bytes: an arrival past either drops a batch from
 * the head of the fattest queue (counted as "full"). Internal queues only:
 * a stage queue cannot be attached to them (-EINVAL).
 *
 * Hierarchy (two-level policies): policy "owners:OUTER,flows:INNER" (say
 * "owners:wfq,flows:fq_codel"; '/' for the ',' inside key=value
 * arguments) makes nb_classes classes (owners), weighted against each other
 * by OUTER with class_params, and gives each class its own INNER instance
 * over its max_queues / nb_classes queues: queue id q is queue q % per of
 * class q / per (per = max_queues / nb_classes). A queue's parameter is
 * INNER's (a quantum for fq_codel). With no classifier given, push reads
 * the class from m->hash.sched.queue_id and hashes the 5-tuple
 * (pk_flow_parse(), CRC32-C; non-IP frames: the class's first queue) onto
 * the class's queues; a class out of range is "no-match". A queue-managing
 * INNER (fq_codel, fq_pie) keeps its semantics (judge, ECN, drops) per
 * class, and its memory bound (aqm.limit, aqm.limit_bytes) is per class:
 * a class over it drops from its own fattest flow, never another class's,
 * so the scheduler holds at most nb_classes x limit packets. OUTER cannot
 * be a queue manager. The outer policy charges a class the length of the
 * packet its INNER would send next, read when the class is stamped; an
 * arrival that changes that pick in between (a new flow) is charged at the
 * length read, once (drivers/sched/ and doc/architecture.md).
 *
 * This header is the application's API. Writing a policy: see
 * pk_sched_policy.h (the queue record, the ops table, registration).
 *
 * Lookahead: fair queueing needs the length of each queue's head before it
 * is sent, and a ring cannot be peeked. So the scheduler pulls one packet
 * from a stage queue as soon as it sees the queue backlogged and keeps it
 * in that queue's head slot; the policy reads its length. A stage queue that
 * runs empty is polled again at each pull (a rotating window of at most
 * PK_SCHED_POLL_BUDGET idle queues per pull) and rejoins when it has a packet.
 *
 * Ownership: as pk_stage.h. push classifies each packet and stores it in its
 * queue (stage queues: pushed into that stage); packets whose queue does not
 * exist or is full are refused ("no-match", "full") and returned to the
 * caller in order, unchanged. Packets in head slots and in internal FIFOs
 * belong to the scheduler: pull never loses them, destroy frees them, detach
 * hands a stage queue's head back to the caller.
 * The scheduler never destroys an attached stage queue: it stays the
 * caller's (or its path's).
 *
 * Threads: push, pull and every control function of one scheduler run on
 * one thread at a time (the arbiter's), never concurrently. Attached stage
 * queues may be pushed by other threads as their own kind allows (mp=1).
 * pk_stage_stats_get() is safe from any thread; pk_stage_len() walks every
 * queue: call it from the scheduler's thread.
 *
 * Telemetry (dpdk-telemetry.py): /pathkit/scheds lists the live schedulers,
 * /pathkit/sched,NAME gives its policy, shaper (rate_bps, overhead, burst),
 * queue counts, ecn_marked, stage counters, and for each of its first 64
 * queues a dict "q<ID>": the stage it pulls ("" internal), its parameter under the
 * policy's word ("weight", "quantum", "priority", else "param") and its
 * backlog. Read from the telemetry thread while the scheduler runs, they
 * are a recent snapshot. Detach a stage queue before destroying it (as
 * always): the reply names only queues that are live stages.
 *
 * Arguments (kind "pktsched"): policy=<wfq|wf2q|drr|prio|rr|fifo|fq_codel|
 * fq_pie|owners:OUTER/flows:INNER, wfq> classes=<two levels: classes, 1>
 * class_params=<P1:P2:..:PN, or one for all; the outer policy's default>
 * queues=<max queues, 1024> qsize=<packets an internal queue holds, pow2, 64>
 * nq=<internal queues to attach at create, 0> rate=<bit/s, 0: unshaped>
 * overhead=<bytes per frame, 24> burst=<bytes, see pk_sched_set_shaper()>
 * mtu=<largest frame, 2048> bytes=<0|1>. Internal queues attached by nq= get
 * the policy's default parameter and ids 0..nq-1; with no classifier set,
 * push reads the queue id from m->hash.sched.queue_id (rte_sched's field).
 * fq_codel and fq_pie also take target=, interval= (pie: tupdate=),
 * burst_allowance=, limit=, limit_bytes=, ecn=<0|1>, alpha=, beta= (see
 * struct pk_sched_aqm_conf; durations with s, ms or us), and nq defaults to
 * queues for them.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Default most queues a scheduler holds. */
#define PK_SCHED_DEFAULT_QUEUES 1024
/** Most queues a scheduler can be created for. */
#define PK_SCHED_MAX_QUEUES (1u << 20)
/** Default size of an internal queue (packets, its head slot included). */
#define PK_SCHED_DEFAULT_QSIZE 64
/** Largest internal queue. */
#define PK_SCHED_MAX_QSIZE 32768
/** Default per-frame overhead of the shaper: preamble, SFD, IFG, FCS. */
#define PK_SCHED_DEFAULT_OVERHEAD 24
/** Default largest frame the policies are tuned for (bytes). */
#define PK_SCHED_DEFAULT_MTU 2048
/** Fastest shaper rate, bit/s (10 Tbit/s: rate x 8 x hz stays exact). */
#define PK_SCHED_MAX_RATE 10000000000000ULL
/** Idle stage queues polled for new packets per pull, at most. */
#define PK_SCHED_POLL_BUDGET 32
/** A queue parameter meaning "the policy's default". */
#define PK_SCHED_PARAM_DEFAULT UINT32_MAX
/** Longest policy name, including the NUL. */
#define PK_SCHED_POLICY_NAMESIZE 48
/** Longest name of one registered policy, including the NUL. */
#define PK_SCHED_POLICY_PARTSIZE 16

/**
 * Map a pushed packet to a queue id.
 * @return the queue id (as returned by pk_sched_queue_attach()); an id with
 *   no queue makes push refuse the packet as "no-match".
 */
typedef uint32_t (*pk_sched_classify_t)(const struct rte_mbuf *m, void *arg);

/** Read a clock: ticks since any fixed origin, hz ticks per second. */
typedef uint64_t (*pk_sched_clock_t)(void *arg);

/** ECN for the queue-managing policies: mark CE instead of dropping. */
enum pk_sched_ecn {
	PK_SCHED_ECN_DEFAULT = 0,  /**< the policy's default (on) */
	PK_SCHED_ECN_ON,           /**< mark ECN-capable packets */
	PK_SCHED_ECN_OFF,          /**< always drop */
};

/**
 * Parameters of the queue-managing policies (fq_codel, fq_pie); a zero
 * field takes the policy's default, shown as codel / pie. Other policies
 * ignore them.
 */
struct pk_sched_aqm_conf {
	uint64_t target_ns;   /**< delay target: 5 ms / 15 ms */
	/** codel: interval, 100 ms; pie: probability update period, 15 ms */
	uint64_t interval_ns;
	uint64_t burst_ns;    /**< pie: burst allowance, 150 ms */
	uint32_t limit;       /**< packets held in all queues, 10240 */
	uint32_t limit_bytes; /**< bytes held in all queues, 32 MiB */
	uint32_t batch;       /**< most drops from the fattest at once, 64 */
	uint32_t alpha;       /**< pie: alpha in 1/1000 Hz, 125 */
	uint32_t beta;        /**< pie: beta in 1/1000 Hz, 1250 */
	enum pk_sched_ecn ecn; /**< mark rather than drop ECN-capable packets */
};

/** How to create a scheduler. Zero fields take the defaults shown. */
struct pk_sched_conf {
	const char *policy;        /**< policy name ("wfq") */
	uint32_t max_queues;       /**< queues it can hold (1024) */
	uint32_t qsize;            /**< internal queue size, power of two (64) */
	/** largest frame, bytes (2048); policies charge longer ones as mtu */
	uint32_t mtu;
	uint64_t rate_bps;         /**< shaper rate, bit/s (0: unshaped) */
	uint32_t overhead;         /**< shaper bytes per frame (24) */
	uint32_t burst;            /**< shaper bucket, bytes (0: default) */
	pk_sched_classify_t classify; /**< push classifier (NULL: mbuf field) */
	void *classify_arg;        /**< passed to classify */
	uint32_t sflags;           /**< enum pk_stage_flag bits */
	int socket_id;             /**< NUMA socket, or SOCKET_ID_ANY */
	struct pk_sched_aqm_conf aqm; /**< fq_codel, fq_pie parameters */
	/**
	 * Two-level policies: the classes (owners), 1..max_queues, dividing
	 * max_queues (0: 1). Queue id q belongs to class q / (max_queues /
	 * nb_classes). One-level policies take 0 or 1.
	 */
	uint32_t nb_classes;
	/** each class's parameter under the outer policy (NULL: its default) */
	const uint32_t *class_params;
};

/** One queue to attach. */
struct pk_sched_queue_conf {
	struct pk_stage *stage;    /**< queue stage to pull from; NULL: internal */
	/** weight, quantum or priority, or PK_SCHED_PARAM_DEFAULT */
	uint32_t param;
};

/**
 * Create a scheduler (a stage of kind "pktsched").
 * @param name stage name
 * @param conf its configuration
 * @return the stage, or NULL with rte_errno: EINVAL (bad name or conf; a
 *   bad policy string, a queue manager as outer policy, nb_classes not
 *   dividing max_queues or given to a one-level policy, a class parameter
 *   out of the outer policy's range), ENOENT (unknown policy), ENOSPC (the
 *   class parameters pass the outer policy's weight sum), ENOMEM.
 */
struct pk_stage *pk_sched_create(const char *name,
				 const struct pk_sched_conf *conf);

/** @return true if s is a scheduler made by pk_sched_create(). */
bool pk_sched_is_sched(const struct pk_stage *s);

/**
 * Attach a queue. Control thread (see Threads above); allowed while packets flow.
 * A stage queue is polled from the next pull on.
 * @param s the scheduler
 * @param qc the queue: a pull-capable stage (another scheduler works too: a
 *   hierarchy) or NULL for an internal FIFO, and its parameter
 * @return the queue id (>= 0), or -EINVAL (bad scheduler or stage, parameter
 *   out of the policy's range), -EEXIST (stage already attached here),
 *   -ENOSPC (max_queues reached, or the policy's weight sum would pass its
 *   maximum), -ENOMEM.
 */
int pk_sched_queue_attach(struct pk_stage *s,
			  const struct pk_sched_queue_conf *qc);

/**
 * Detach a queue. Its id may be reused by a later attach. Control thread.
 * @param s the scheduler
 * @param qid the queue id
 * @param head for a stage queue: receives the packet the scheduler had
 *   already taken from the queue's front (it precedes what is still in the
 *   queue), or NULL; it is the caller's now. If head is NULL that packet is
 *   freed and counted as a "policy" drop. An internal queue's packets are
 *   always freed and counted so; *head is then NULL.
 * @return 0, or -EINVAL (bad scheduler), -ENOENT (no such queue).
 */
int pk_sched_queue_detach(struct pk_stage *s, uint32_t qid,
			  struct rte_mbuf **head);

/**
 * Change a queue's weight, quantum or priority (or PK_SCHED_PARAM_DEFAULT).
 * No packet is lost or
 * reordered within the queue; a backlogged queue rejoins the policy at once
 * with its virtual time carried over (no credit gained). Control thread.
 * @return 0, or -EINVAL (bad scheduler, parameter out of range), -ENOENT
 *   (no such queue), -ENOSPC (weight sum would pass the policy's maximum).
 */
int pk_sched_queue_set_param(struct pk_stage *s, uint32_t qid, uint32_t param);

/**
 * Read a queue's parameter and packets held (head slot plus internal FIFO,
 * or head slot plus the stage's own length).
 * @return 0, or -EINVAL, -ENOENT.
 */
int pk_sched_queue_info(const struct pk_stage *s, uint32_t qid,
			uint32_t *param, unsigned int *len);

/**
 * Make the input that pulls stage old pull stage new instead (a capture
 * whose prev is old: pk_capture_edge_on()), with one pointer store while
 * the scheduler's puller runs; the queue keeps its id, parameter and head
 * packet. Swap back with old and new exchanged. While swapped the input
 * is known by new (pk_sched_queue_attach() of old is not refused), and a
 * push classified to it goes to new. Control thread.
 * @return the queue id (>= 0), or -EINVAL (not a scheduler, NULL, new
 *   cannot be pulled or is the scheduler), -ENOENT (no input pulls old),
 *   -EEXIST (an input pulls new already).
 */
int pk_sched_queue_swap_stage(struct pk_stage *s, struct pk_stage *old,
			      struct pk_stage *new);

/** @return the number of queues attached, or 0 if s is not a scheduler. */
unsigned int pk_sched_nb_queues(const struct pk_stage *s);

/**
 * Set the push classifier (NULL: read m->hash.sched.queue_id). Control thread.
 * @return 0, or -EINVAL if s is not a scheduler.
 */
int pk_sched_set_classifier(struct pk_stage *s, pk_sched_classify_t fn,
			    void *arg);

/**
 * Shape the scheduler's output to an emulated link: pull releases a frame
 * only while the link's token bucket is not in debt, and each frame costs
 * (pkt_len + overhead) * 8 bits. Tokens are counted exactly (integer bit x
 * tick units): the released rate does not drift at any rate. The bucket holds
 * at most burst bytes; one frame may overdraw it. Control thread.
 * @param s the scheduler
 * @param rate_bps link rate in bit/s (0 turns shaping off)
 * @param overhead bytes added to each frame (preamble, SFD, IFG, FCS: 24)
 * @param burst bucket size in bytes; 0 picks max(2 frames of mtu, 100 us of
 *   rate)
 * @return 0, or -EINVAL (s not a scheduler, rate over PK_SCHED_MAX_RATE).
 */
int pk_sched_set_shaper(struct pk_stage *s, uint64_t rate_bps,
			uint32_t overhead, uint32_t burst);

/**
 * Set the shaper's clock (NULL: rte_rdtsc() at rte_get_tsc_hz()). Tests give
 * a fake clock to be deterministic. The bucket restarts empty. Control thread.
 * @return 0, or -EINVAL (s not a scheduler, hz is 0).
 */
int pk_sched_set_clock(struct pk_stage *s, pk_sched_clock_t fn, void *arg,
		       uint64_t hz);

/**
 * @return the packets a queue-managing policy (fq_codel, fq_pie) marked CE
 *   instead of dropping, or 0 (s not a scheduler, other policies). Read on
 *   the scheduler's thread, or as a recent value from another.
 */
uint64_t pk_sched_ecn_marked(const struct pk_stage *s);

/**
 * @return the scheduler's policy name (a two-level one written
 *   "owners:OUTER,flows:INNER"), or NULL if s is not a scheduler.
 */
const char *pk_sched_policy_name(const struct pk_stage *s);

/**
 * How to switch a scheduler's policy (pk_sched_policy_set()). Zero fields
 * keep what the scheduler has.
 */
struct pk_sched_switch_conf {
	const char *policy;        /**< the new policy's name; required */
	/**
	 * queue managers' parameters (fq_codel, fq_pie), or NULL: those the
	 * scheduler was given at create or at its last switch
	 */
	const struct pk_sched_aqm_conf *aqm;
	/**
	 * params[qid] is queue qid's parameter under the new policy, for
	 * qid < nb_params (PK_SCHED_PARAM_DEFAULT: the new policy's default).
	 * Other queues, or all when NULL: a queue keeps its parameter if the
	 * new policy accepts it, else takes the new policy's default.
	 */
	const uint32_t *params;
	uint32_t nb_params;        /**< entries at params */
};

/**
 * Replace the policy of a scheduler that may be holding packets, as
 * dummynet reconfigures a scheduler in place: the queues stay (ids, FIFOs,
 * stage queues, statistics, shaper, classifier), the old policy lets them
 * go and is finalised, the new one takes every queue (its parameter as
 * conf->params says) and each backlogged queue again with its head. No
 * packet is dropped, duplicated or reordered within its queue by the
 * switch itself. To a queue manager (fq_codel, fq_pie), packets already
 * held count as arriving now (their arrival time is the switch's: their
 * sojourn starts then); it sees them arrive one by one, and if they pass
 * its limit it drops from the fattest queue as on any arrival ("full").
 * Between two queue managers, arrival times are kept. Leaving a queue
 * manager drops nothing. The classifier stays, unless it was the old
 * policy's own default (fq_codel's flow hash): then it is the new policy's
 * default if it has one, else stays. So an application's classifier sends
 * each flow to the same queue before and after: order per flow is kept.
 * Everything the new policy needs is allocated and checked before
 * anything changes: a refused switch changes nothing.
 * Threads: as every control function (Threads above): on the scheduler's
 * thread, or with the threads that pull from it or push into it stopped
 * (pk_ctl_sched_policy() stops them; pk_arbiter_policy_set() asks an
 * arbiter's thread to make it).
 * @param s the scheduler
 * @param conf the new policy and its parameters
 * @return 0, or -EINVAL (s not a scheduler, conf or its policy NULL, a
 *   parameter out of the new policy's range, a queue manager's missing op,
 *   a stage queue attached while the new policy is a queue manager, which
 *   takes internal queues only), -ENOENT (unknown policy), -ENOSPC (the
 *   new policy refuses the queues: qfq's sum of weights), -ENOTSUP (a
 *   two-level policy, "owners:...,flows:...", on either side), -ENOMEM,
 *   or the new policy's init error. The reason is logged.
 */
int pk_sched_policy_set(struct pk_stage *s,
			const struct pk_sched_switch_conf *conf);

#ifdef __cplusplus
}
#endif

#endif /* PK_SCHED_H */
