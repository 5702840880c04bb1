/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_STAGE_H
#define PK_STAGE_H

/**
 * @file
 * Stage: one step of a path. push() takes a burst of packets, pull() gives one.
 *
 * Ownership: push returns k; pkts[0..k) now belong to the stage (the stage may
 * also overwrite those array slots), pkts[k..n) stay with the caller, in their
 * original order, exactly as with rte_eth_tx_burst(). Packets returned by pull
 * belong to the caller. destroy frees the stage and every packet it still holds.
 * Nobody frees a packet they do not own, nobody touches one after handing it over.
 *
 * Returned packets may have been changed: in a push chain (processing ->
 * processing -> queue) the stages before a refusal already did their work on
 * the packets that come back. The caller of a chain therefore frees what comes
 * back (and counts a drop); only the caller of a single stage that changes
 * nothing before it refuses (a queue, a TX port) may retry. Paths apply a tail
 * policy so that most callers need not care (see pk_path.h).
 *
 * Threads: control functions (create, link, destroy) run on one control thread
 * at a time and never concurrently with the fast path of the same stage.
 * Fast-path functions (pk_stage_worker.h) are safe as the stage kind's card
 * says: most kinds take one pusher and one puller at a time.
 *
 * Statistics: each stage counts packets (and optionally bytes) in and out, and
 * drops by reason. Counters are written by one thread per side (the pusher
 * side and the puller side have separate cache lines), read with relaxed
 * atomic loads from any thread (pk_stage_stats_get()).
 *
 * Telemetry: every live stage answers DPDK's telemetry socket
 * (dpdk-telemetry.py): /pathkit/stages lists the names, /pathkit/stage,NAME
 * gives the first stage of that name's kind, owner ("parent") and
 * statistics (in_pkts, in_bytes, out_pkts, out_bytes, held, drop_REASON,
 * refused_REASON). A stage
 * is listed from creation until destroy; the list's mutex is taken by
 * control functions only.
 *
 * Writing a stage kind: pk_stage_driver.h (ops, registration, allocation,
 * counting helpers). Applications need only this header and
 * pk_stage_worker.h.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_mbuf.h>

#include <pathkit/pk_registry.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest stage name, including the terminating NUL. */
#define PK_STAGE_NAMESIZE 32

/** Drop and refusal reasons: symbol and the name statistics print. */
#define PK_DROP_REASONS(_)                                                     \
	_(FULL, "full")                                                        \
	_(NO_MATCH, "no-match")                                                \
	_(MALFORMED, "malformed")                                              \
	_(POLICY, "policy")                                                    \
	_(EXPIRED, "expired")                                                  \
	_(FRAGMENT, "fragment")                                                \
	_(RED, "red")                                                          \
	_(PIE, "pie")                                                          \
	_(AQM, "aqm") /* a queue manager's drop: CoDel, PIE */

/** Why a stage dropped or refused a packet. */
enum pk_drop_reason {
#define PK_DROP_ENUM_(sym, str) PK_DROP_##sym,
	PK_DROP_REASONS(PK_DROP_ENUM_)
#undef PK_DROP_ENUM_
	PK_DROP_MAX /**< number of reasons */
};

struct pk_stage;
struct pk_stage_ops;
struct pk_stage_stats;

/** Push a burst: returns how many packets the stage took (see \@file). */
typedef uint16_t (*pk_stage_push_t)(struct pk_stage *s, struct rte_mbuf **pkts,
				    uint16_t n);
/** Pull up to max packets: returns how many were written to pkts. */
typedef uint16_t (*pk_stage_pull_t)(struct pk_stage *s, struct rte_mbuf **pkts,
				    uint16_t max);

/** Capabilities a stage declares, used to check wiring when a path is built. */
enum pk_stage_cap {
	PK_STAGE_CAP_PUSH = 1u << 0,    /**< accepts push */
	PK_STAGE_CAP_PULL = 1u << 1,    /**< can be pulled */
	PK_STAGE_CAP_FWD_PUSH = 1u << 2, /**< pushes what it takes to its next */
	PK_STAGE_CAP_FWD_PULL = 1u << 3, /**< pull pulls from its prev */
	PK_STAGE_CAP_MT_PUSH = 1u << 4, /**< several threads may push at once */
	PK_STAGE_CAP_MT_PULL = 1u << 5, /**< several threads may pull at once */
	/** push is the push of ctx (a stage) and writes no line of the
	 *  stage's own: a pusher that prefetches what a push touches (a demux
	 *  of many targets) fetches ctx's lines instead. Set by the library
	 *  (a path whose head counts for it), never by a kind. */
	PK_STAGE_CAP_PUSH_CTX = 1u << 6,
};

/** Flags chosen when a stage is created. */
enum pk_stage_flag {
	PK_STAGE_F_BYTES = 1u << 0, /**< count bytes as well as packets */
	/** a processing stage counts out even without bytes, as its burst
	 *  holds packets or makes one of several (pk_proc.h, "Counters") */
	PK_STAGE_F_COUNT_OUT = 1u << 1,
};

/** One side's counters: written by one thread, read by any. */
struct pk_stage_counters {
	uint64_t pkts;               /**< packets */
	uint64_t bytes;              /**< bytes, if the stage counts them */
	uint64_t drops[PK_DROP_MAX]; /**< packets the stage freed, by reason */
	/** packets given back to the pusher, never taken, by reason; on a
	 *  second line, touched only when a push is refused or a packet
	 *  dropped (drop_sink) */
	uint64_t refused[PK_DROP_MAX];
	/** where this side's drops go (pk_stage_set_drop_sink()), NULL:
	 *  freed on the spot; read only when a packet is dropped */
	struct pk_stage *drop_sink;
	/** the stage these counters belong to: the drop note's "from" */
	const struct pk_stage *drop_from;
} __rte_cache_aligned;

/**
 * A stage. Kinds embed it as the first member of their own state. Fields
 * are read by the inline fast path; change them only through the API.
 */
struct pk_stage {
	/* fast path: read on every burst */
	pk_stage_push_t push;        /**< ops->push, or a refuse-all */
	pk_stage_pull_t pull;        /**< ops->pull, or a pull-nothing */
	struct pk_stage *next;       /**< downstream (for FWD_PUSH kinds) */
	struct pk_stage *prev;       /**< upstream (for FWD_PULL kinds) */
	uint32_t flags;              /**< enum pk_stage_flag */
	uint32_t caps;               /**< enum pk_stage_cap */
	void *ctx;                   /**< the kind's hot pointer (its ring, a
					  path's head, a processing stage's
					  argument), on the first cache line */
	/** threads asleep in the kind's wait op (pk_queue_wait()): a push
	 *  that stored packets reads it (pk_stage_notify()), so it shares
	 *  the line the push already reads */
	uint32_t waiters;
	/** the kind's hot function, on the first line too (a processing
	 *  stage's burst function, cast back to its type before a call):
	 *  a stage per flow then costs no line of its own for it */
	void (*hot_fn)(void);
	/* slow path */
	const struct pk_stage_ops *ops; /**< what the kind implements */
	char name[PK_STAGE_NAMESIZE]; /**< stage name, NUL-terminated */
	struct pk_stage *parent;     /**< compound stage that owns this one */
	/* statistics: pusher side and puller side on their own lines */
	struct pk_stage_counters in; /**< written by the pushing thread */
	struct pk_stage_counters out; /**< written by the pulling thread */
} __rte_cache_aligned;

/**
 * A snapshot of a stage's statistics. in_pkts counts the packets the stage
 * took, every kind alike: pushed into it and kept, or pulled in from its
 * prev or its queues. A packet refused and given back to the pusher is not
 * counted in, only in refused[reason] ("full", "no-match"), so a retried
 * packet is counted in once, when it is finally taken. Every taken packet
 * is handed on (out_pkts), freed (drops[reason]) or still held (held), so
 * whenever no thread is inside the stage:
 *
 *     in_pkts == out_pkts + sum(drops) + held
 *
 * A path's snapshot adds its stages' drops and held to its own.
 */
struct pk_stage_stats {
	uint64_t in_pkts;    /**< packets taken (pushed and kept, or pulled in) */
	uint64_t in_bytes;   /**< bytes of those, if the stage counts bytes */
	uint64_t out_pkts;   /**< packets handed on (downstream or to a puller) */
	uint64_t out_bytes;  /**< bytes of those, if the stage counts bytes */
	uint64_t drops[PK_DROP_MAX];   /**< taken packets freed, by reason */
	uint64_t refused[PK_DROP_MAX]; /**< given back, never taken, by reason */
	uint64_t held;       /**< taken packets the stage holds now */
};

/**
 * A stage kind: created by name with key=value arguments. Kinds register
 * with PK_STAGE_KIND_REGISTER() (pk_stage_driver.h); applications read
 * name, help and args to list them.
 */
struct pk_stage_kind {
	const char *name;              /**< "queue_ring", ... */
	const char *help;              /**< one line: what it does */
	const char *const *args;       /**< accepted keys, NULL-terminated */
	/**
	 * What its stages can do (enum pk_stage_cap: PUSH, PULL, FWD_PUSH,
	 * FWD_PULL), so that a configuration (pk_conf.h) is checked before
	 * anything is built. 0: not declared; a configuration then checks
	 * the kind's links only when it builds them.
	 */
	uint32_t caps;
	/**
	 * Build a stage. kv holds only keys from args (may be empty).
	 * @return the stage, or NULL with rte_errno set.
	 */
	struct pk_stage *(*create)(const char *name, const struct rte_kvargs *kv,
				   int socket_id);
	struct pk_registry_node reg; /**< registry link, set by register */
};

/**
 * Find a registered kind.
 * @return the kind, or NULL if none has that name.
 */
const struct pk_stage_kind *pk_stage_kind_find(const char *name);

/**
 * Call fn for each registered kind, in order of registration.
 * @return 0, or the first non-zero value fn returned.
 */
int pk_stage_kind_foreach(int (*fn)(const struct pk_stage_kind *k, void *arg),
			  void *arg);

/**
 * Create a stage by kind name.
 * @param kind registered kind name
 * @param name stage name (1..PK_STAGE_NAMESIZE-1 characters)
 * @param args "key=value,key=value" (NULL or "" for defaults)
 * @param socket_id NUMA socket for its memory, or SOCKET_ID_ANY
 * @return the stage, or NULL with rte_errno: EINVAL (bad name or argument),
 *   ENOENT (unknown kind), ENOMEM, or the kind's own error.
 */
struct pk_stage *pk_stage_create(const char *kind, const char *name,
				 const char *args, int socket_id);

/**
 * Free a stage and every packet it holds. Accepts NULL. A stage that belongs
 * to a path is destroyed with its path: destroying it alone is refused
 * with a log line.
 */
void pk_stage_destroy(struct pk_stage *s);

/**
 * Connect a -> b: a pushes into b (if a forwards pushes), b pulls from a
 * (if b forwards pulls).
 * @return 0, or -EINVAL if a or b is NULL, a is b, or neither direction
 *   works (see enum pk_stage_cap).
 */
int pk_stage_link(struct pk_stage *a, struct pk_stage *b);

/** Disconnect s from its next and prev (they become unwired). */
void pk_stage_unlink(struct pk_stage *s);

/** @return the stage's name. */
static inline const char *
pk_stage_name(const struct pk_stage *s)
{
	return s->name;
}

/** @return the stage's kind name. */
const char *pk_stage_kind_name(const struct pk_stage *s);

/** @return packets the stage holds now, or 0 if it holds none by nature. */
unsigned int pk_stage_len(const struct pk_stage *s);

/**
 * Read a stage's statistics. Safe from any thread while the stage runs.
 * @return 0, or -EINVAL if s or st is NULL.
 */
int pk_stage_stats_get(const struct pk_stage *s, struct pk_stage_stats *st);

/**
 * Zero a stage's statistics; a path's, its stages' too (its snapshot is
 * made of theirs). Control thread, while no fast path runs.
 */
void pk_stage_stats_reset(struct pk_stage *s);

/**
 * Send a stage's drops to a sink stage instead of freeing them: every packet
 * the stage drops (each reason; both sides) is pushed into sink with a drop
 * note (pk_stage_drop_note(): the reason and the dropping stage) in an mbuf
 * dynamic field; what the sink refuses is freed. The drops are still
 * counted where they happen, as before. For a path, its stages too.
 * Typically the sink is a capture (pk_capture.h, drops=1), which writes the
 * reason on each record. Control thread: set it before the stage's threads
 * start, or keep an old sink alive until they have stopped (a drop in
 * flight may still reach it). The sink must take pushes from every thread
 * that drops into it (a capture with mt=1 when several do).
 * @param stage the stage whose drops go there
 * @param sink a stage that takes pushes, or NULL: drops are freed again
 * @return 0, or -EINVAL (stage NULL, sink is stage or takes no pushes),
 *   -ENOSPC (no room for the mbuf dynamic field PK_DROP_NOTE_DYNFIELD).
 */
int pk_stage_set_drop_sink(struct pk_stage *stage, struct pk_stage *sink);

/** Name of the mbuf dynamic field holding a dropped packet's drop note. */
#define PK_DROP_NOTE_DYNFIELD "pk_drop_note"

/**
 * Read the drop note of a packet a drop sink was given (or a copy of one:
 * copies keep dynamic fields). Meaningful only for such packets: any other
 * mbuf holds whatever its last use left there.
 * @param m the packet
 * @param reason receives why it was dropped
 * @param from receives the stage that dropped it: a pointer to compare,
 *   not to follow once that stage may have been destroyed
 * @return 0, or -ENOENT (no drop sink was ever set: no field).
 */
int pk_stage_drop_note(const struct rte_mbuf *m, enum pk_drop_reason *reason,
		       const struct pk_stage **from);

/** @return the printable name of a drop reason ("full", ...). */
const char *pk_drop_reason_name(enum pk_drop_reason r);

/**
 * Print a stage's statistics as one line: "name kind in=.. out=.." then the
 * non-zero drops ("expired=.."), refusals ("refused-full=..") and held.
 * @return what fprintf returned, or -EINVAL (f or s NULL).
 */
int pk_stage_stats_print(FILE *f, const struct pk_stage *s);

#ifdef __cplusplus
}
#endif

#endif /* PK_STAGE_H */
