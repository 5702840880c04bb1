/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SCHED_POLICY_H
#define PK_SCHED_POLICY_H

/**
 * @file
 * PktSched policies: what a policy author needs and an application does not
 * (applications use pk_sched.h). A policy decides which backlogged queue
 * sends next: wfq, wf2q, drr, prio, rr and fifo are drivers/sched/pktsched_*.c.
 * It is an ops table (struct pk_sched_policy) with private bytes per
 * scheduler and per queue, registered by name with PK_SCHED_POLICY_REGISTER()
 * on the last line of its driver; pk_sched_create() finds it by that name.
 *
 * Life of a queue: queue_add (idle) -> enqueue (its head slot filled) ->
 * dequeue picks it -> update (the head was sent: q->head is the next packet,
 * or NULL if the queue went idle) -> ... -> deactivate (a backlogged queue
 * leaves, head kept: detach or a parameter change) -> queue_remove (idle).
 * A parameter change is deactivate (if backlogged), param_set on the idle
 * queue, then enqueue again.
 *
 * Queue managers (flag PK_SCHED_POL_AQM: fq_codel, fq_pie) see more: each
 * packet's arrival (arrive: lengths, limits), the time its queue's head
 * arrived (pk_sched_q_head_ts(), stored only for them), a verdict on each
 * head before it goes (judge: send, drop or ECN mark; the core frees and
 * counts the drop, then tells the policy through dropped), and on overflow
 * a victim queue (victim) whose head the core drops, a batch at a time.
 * With it, the life of a queue gains: arrive (every packet, after enqueue
 * if it was the first) -> ... -> dequeue picks q -> judge(q) -> drop: the
 * head is freed, q->head is the next, dropped(q) -> dequeue again ...
 * Such a queue may be idle (q->head NULL) while the policy still lists it.
 *
 * Threads: every op of one scheduler is called on one thread at a time, the
 * scheduler's (see pk_sched.h): a policy needs no locks or atomics.
 *
 * Ownership: the core owns the packets (head slots, internal FIFOs) and the
 * queue records. A policy reads only a record's head, len and param (and
 * pk_sched_q_prefetch() the rest), and writes only its own areas: the
 * per-scheduler one it was given and each queue's pk_sched_q_priv(). It
 * never frees, sends or keeps a packet.
 */

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <pathkit/pk_registry.h>
#include <pathkit/pk_sched.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A queue as policies see it: the core's record (32 bytes), followed by the
 * policy's per-queue private area (pk_sched_q_priv()); records are a power
 * of two apart, so a policy area of up to 32 bytes keeps a queue in one
 * cache line. The core owns every field; policies read head, len, param.
 * The record is the queue's hot part: only what push, pull and the policy's
 * enqueue, dequeue and update touch belongs in it (or in the policy's
 * area). What is read rarely (configuration, statistics, stage queues'
 * bookkeeping) the core keeps per queue id in a cold array apart, so that
 * thousands of queues cost one cache line each on the fast path.
 */
struct pk_sched_q {
	struct rte_mbuf *head;     /**< lookahead packet; NULL when idle */
	uint32_t len;              /**< head's pkt_len, clamped to mtu; 0 idle */
	uint32_t param;            /**< weight, quantum or priority */
	union {
		struct pk_stage *stage;  /**< stage queue, pulled */
		uint64_t *fifo;          /**< internal FIFO: length << 48 | mbuf */
	};
	union {
		struct {
			uint16_t fhead;  /**< internal FIFO: next to read */
			uint16_t ftail;  /**< internal FIFO: next to write */
		};
		/** both, stored at once when the core resets them */
		uint32_t fpos;
	};
	uint32_t flags;            /**< core's own flags */
	uint64_t priv[];           /**< the policy's per-queue area */
};

/* The size promised above: policies count their cache lines on it. */
static_assert(sizeof(struct pk_sched_q) == 32,
	      "struct pk_sched_q is the 32-byte record policies are sized for");

/** What the core tells a policy at init. */
struct pk_sched_policy_conf {
	uint32_t max_queues;       /**< queues the scheduler can hold */
	uint32_t mtu;              /**< largest length a queue's len can have */
	int socket_id;             /**< where to allocate, if the policy must */
	/** the application's queue-management parameters (0: defaults) */
	const struct pk_sched_aqm_conf *aqm;
	/**
	 * The ops table being set up: a composite (a two-level policy, see
	 * pk_sched_policy_lookup()) finds its parts through it.
	 */
	const struct pk_sched_policy *pol;
	/**
	 * The scheduler's queue records, 1 << qshift bytes apart: a composite
	 * tells a queue's id (and so its class) by the record's address.
	 */
	const uint8_t *qbase;
	uint32_t qshift;           /**< see qbase */
	/** a composite: its classes, and each class's outer parameter */
	uint32_t nb_classes;
	const uint32_t *class_params; /**< NULL: the outer policy's default */
};

/**
 * pk_sched_policy flag: a queue manager. The core stamps each packet with
 * its arrival time and calls arrive, judge, dropped and victim (all then
 * required); its per-queue area must begin with struct pk_sched_aqm_q.
 */
#define PK_SCHED_POL_AQM (1u << 0)

/** A queue manager's word on the head dequeue picked (judge). */
enum pk_sched_verdict {
	PK_SCHED_SEND = 0,         /**< send it */
	PK_SCHED_DROP,             /**< drop it ("aqm") */
	/** set CE if it is an ECN-capable IP packet, else drop it */
	PK_SCHED_MARK,
};

/**
 * The start of a queue manager's per-queue area, written by the core: the
 * time the queue's head arrived (nanoseconds of the scheduler's clock, as
 * judge's now). Valid while q->head is not NULL.
 */
struct pk_sched_aqm_q {
	uint64_t head_ts; /**< arrival of q->head, ns */
};

/**
 * A scheduling policy: an ops table with private per-instance and per-queue
 * sizes, as dummynet's dn_sched.h. Its ops are called on the scheduler's
 * one thread, in the order of a queue's life (top of this file); none may
 * fail on the fast path (enqueue, dequeue, update).
 */
struct pk_sched_policy {
	const char *name;          /**< "wfq", ... */
	const char *help;          /**< one line */
	size_t sched_size;         /**< private bytes per scheduler */
	size_t queue_size;         /**< private bytes per queue */
	uint32_t param_min;        /**< smallest parameter accepted */
	uint32_t param_max;        /**< largest parameter accepted */
	uint32_t param_default;    /**< parameter when none is given */
	/** Set up the zeroed private area. @return 0 or a negative errno. */
	int (*init)(void *sp, const struct pk_sched_policy_conf *c);
	/** Optional: free what init allocated. */
	void (*fini)(void *sp);
	/** Optional: q (idle, param set) joins. @return 0 or -ENOSPC. */
	int (*queue_add)(void *sp, struct pk_sched_q *q);
	/** Optional: q (idle) leaves. */
	void (*queue_remove)(void *sp, struct pk_sched_q *q);
	/**
	 * Optional: apply a new parameter to idle q (q->param is still the old
	 * one; the core stores the new one on success). @return 0 or -ENOSPC.
	 */
	int (*param_set)(void *sp, struct pk_sched_q *q, uint32_t param);
	/** q's head slot was just filled (q->head, q->len): q is backlogged. */
	void (*enqueue)(void *sp, struct pk_sched_q *q);
	/** @return the queue whose head goes next, or NULL if none is backlogged. */
	struct pk_sched_q *(*dequeue)(void *sp);
	/**
	 * The head of q, as returned by dequeue, was sent (len bytes, clamped
	 * to mtu); q->head is now the next packet, or NULL (q is idle).
	 */
	void (*update)(void *sp, struct pk_sched_q *q, uint32_t len);
	/**
	 * Optional, for speed: update(q, len) then dequeue(), in one call.
	 * Between the packets of a burst the core calls it instead of the two
	 * (one indirect call per packet, and the policy can return the queue
	 * it just served without looking again when nothing else changed).
	 * It must choose exactly as update() then dequeue() would.
	 * @return as dequeue().
	 */
	struct pk_sched_q *(*update_dequeue)(void *sp, struct pk_sched_q *q,
					     uint32_t len);
	/** A backlogged q leaves the active set; its head slot stays full. */
	void (*deactivate)(void *sp, struct pk_sched_q *q);
	uint32_t flags;            /**< PK_SCHED_POL_* */
	/**
	 * Optional: the classifier the scheduler uses when the application
	 * gives none (its arg is the scheduler's max_queues, cast).
	 */
	pk_sched_classify_t classify;
	/**
	 * AQM: a packet of len bytes was stored in q (after enqueue if it
	 * became q's head). @return true if the policy's limit is passed: the
	 * core then asks victim for queues to drop from until it is not.
	 */
	bool (*arrive)(void *sp, struct pk_sched_q *q, uint32_t len);
	/**
	 * AQM: the verdict on q's head, which dequeue just picked, at time now
	 * (ns). Drop and mark do not charge q's share: dequeue is asked again.
	 */
	enum pk_sched_verdict (*judge)(void *sp, struct pk_sched_q *q,
				       uint64_t now);
	/**
	 * AQM: q's head (len bytes) was dropped, by judge's verdict or as a
	 * victim; q->head is the next packet or NULL. q stays where it was in
	 * the policy's lists. @return as arrive: still over the limit.
	 */
	bool (*dropped)(void *sp, struct pk_sched_q *q, uint32_t len);
	/**
	 * AQM: choose the queue to drop from when over the limit.
	 * @return how many packets to drop from *q's head (a batch), or 0 if
	 *   nothing can be dropped.
	 */
	uint32_t (*victim)(void *sp, struct pk_sched_q **q);
	struct pk_registry_node reg; /**< registry link, set by register */
};

/** pk_sched_q flag: the queue is a stage (else an internal FIFO). */
#define PK_SCHED_Q_STAGE (1u << 1)

/** @return a queue's policy-private area. */
static inline void *
pk_sched_q_priv(struct pk_sched_q *q)
{
	return q->priv;
}

/**
 * Ask for what serving q will read, for a policy that knows early which
 * queue comes next: its internal FIFO entry that will become its head (the
 * record itself should be in cache already).
 */
static inline void
pk_sched_q_prefetch(const struct pk_sched_q *q)
{
	if (!(q->flags & PK_SCHED_Q_STAGE))
		rte_prefetch0(&q->fifo[q->fhead]);
}

/** @return the arrival time of q's head (a queue manager's queue). */
static inline uint64_t
pk_sched_q_head_ts(struct pk_sched_q *q)
{
	return ((const struct pk_sched_aqm_q *)pk_sched_q_priv(q))->head_ts;
}

/**
 * Set ECN's CE codepoint in an ECN-capable (ECT(0), ECT(1)) IPv4 or IPv6
 * packet behind Ethernet and up to two VLAN tags, fixing the IPv4 header
 * checksum. A packet already CE is left as it is.
 * @return true if m is now CE; false if it is not IP, not ECN-capable, cut
 *   short, or its data is shared (indirect or refcnt > 1): left unchanged.
 */
bool pk_sched_ecn_mark(struct rte_mbuf *m);

/** Add a policy to the registry (PK_SCHED_POLICY_REGISTER); a second policy
 * of a taken name is refused with a log line. */
void pk_sched_policy_register(struct pk_sched_policy *p);

/** Register a policy when the program loads. Last line of its driver. */
#define PK_SCHED_POLICY_REGISTER(p)                                            \
	RTE_INIT(pk_sched_policy_register_##p) { pk_sched_policy_register(&(p)); }

/** @return the registered policy of that name, or NULL. */
const struct pk_sched_policy *pk_sched_policy_find(const char *name);

/**
 * Split a policy string: a registered policy's name ("wfq"), or two levels,
 * "owners:OUTER,flows:INNER" ('/' may stand for the ',' where a comma
 * separates arguments: "owners:wfq/flows:fq_codel"; the labels may be left
 * out: "wfq,fq_codel"). Names are 1..15 characters of [A-Za-z0-9_-]. Only
 * the syntax is checked (no registry look-up): no EAL needed. Any thread.
 * @param s the string
 * @param outer receives the (outer) policy name, PK_SCHED_POLICY_PARTSIZE
 * @param inner receives the inner name ("" for one level), same size
 * @param err if not NULL, receives a one-line reason on error ("" on success)
 * @param esize err's size
 * @return 0 (one level), 1 (two levels), or -EINVAL (s NULL, empty, too
 *   long, a bad label or character, more than two levels).
 */
int pk_sched_policy_split(const char *s, char *outer, char *inner, char *err,
			  size_t esize);

/**
 * Resolve a policy string (pk_sched_policy_split()) to registered
 * policies. A two-level one's outer policy schedules classes (owners) and
 * must not be a queue manager (PK_SCHED_POL_AQM) nor take stage queues
 * only; its inner one schedules each class's queues (flows). Any thread
 * once the program has loaded (the registry is filled by constructors).
 * @param s the string
 * @param outer receives the policy (one level) or the outer one
 * @param inner receives the inner one, or NULL for one level
 * @param err, esize as pk_sched_policy_split()
 * @return 0, -EINVAL (syntax, or a queue manager as the outer policy),
 *   -ENOENT (a name that is not registered).
 */
int pk_sched_policy_lookup(const char *s, const struct pk_sched_policy **outer,
			   const struct pk_sched_policy **inner, char *err,
			   size_t esize);

#ifdef __cplusplus
}
#endif

#endif /* PK_SCHED_POLICY_H */
