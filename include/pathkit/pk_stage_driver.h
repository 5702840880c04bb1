/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_STAGE_DRIVER_H
#define PK_STAGE_DRIVER_H

/**
 * @file
 * What a stage kind's author needs and an application does not: the ops
 * table, registration, allocation, argument helpers and the counting
 * helpers of the fast path. A kind is one file in drivers/CLASS/: a card
 * comment, its ops (variants chosen at create), a create function taking
 * rte_kvargs, and PK_STAGE_KIND_REGISTER() as its last line.
 *
 * Ownership (pk_stage.h): push returns k; pkts[0..k) are the stage's,
 * pkts[k..n) the caller's, in order. A kind counts what it took on its
 * "in" side before it hands packets on (the next owner may free them at
 * once), and what it handed on on its "out" side.
 *
 * Counters (struct pk_stage_stats): in counts packets a stage took (pushed
 * into it and kept, or pulled in from its prev); packets a push gives back
 * are counted in refused[reason] on the in side (pk_stage_count_refused()),
 * never in in; out counts packets handed on; drops[reason] packets the
 * stage freed. A kind that holds packets implements len (or held, when what
 * it counted in differs from what it can see) so that in == out + drops +
 * held balances.
 *
 * Threads: ops run as the kind's card says; counting helpers without _mt
 * assume one writer per side.
 */

#include <pathkit/pk_stage.h>
#include <pathkit/pk_stage_worker.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What a stage kind implements. push or pull may be NULL when the kind does
 * not support it: the stage then refuses pushes (returns 0) or pulls nothing.
 */
struct pk_stage_ops {
	const char *kind;            /**< kind name, "queue_ring", ... */
	pk_stage_push_t push;        /**< take a burst */
	pk_stage_pull_t pull;        /**< give a burst */
	/** Free the stage's state and every packet it holds; s itself too. */
	void (*destroy)(struct pk_stage *s);
	/** Optional: set downstream stage (compound stages link their tail). */
	void (*set_next)(struct pk_stage *s, struct pk_stage *next);
	/** Optional: set upstream stage (compound stages link their head). */
	void (*set_prev)(struct pk_stage *s, struct pk_stage *prev);
	/** Optional: packets the stage holds now (queues). */
	unsigned int (*len)(const struct pk_stage *s);
	/**
	 * Optional: taken packets the stage holds now, for the statistics'
	 * held (default: len). Called from any thread: relaxed reads only.
	 */
	uint64_t (*held)(const struct pk_stage *s);
	/** Optional: adjust a stats snapshot (compound stages derive theirs). */
	void (*stats_adjust)(const struct pk_stage *s, struct pk_stage_stats *st);
	/**
	 * Optional: sleep until the stage has packets to pull, wake() is
	 * called, *cancel becomes non-zero or timeout_us passes (see
	 * pk_queue_wait()). A kind that has it lets a blocking thread sleep
	 * on it. @return 0, -ETIMEDOUT or -ECANCELED.
	 */
	int (*wait)(struct pk_stage *s, const uint32_t *cancel,
		    uint32_t timeout_us);
	/** Optional (with wait): wake every thread sleeping in wait. Any thread. */
	void (*wake)(struct pk_stage *s);
	/**
	 * Optional (with wait): sleep until one of qs[0..n) (all of this
	 * kind, n <= PK_QUEUE_WAIT_ANY_MAX) has packets to pull, one is woken,
	 * *cancel becomes non-zero or timeout_us passes (pk_queue_wait_any()).
	 * @return 0, -ETIMEDOUT or -ECANCELED.
	 */
	int (*wait_any)(struct pk_stage *const *qs, unsigned int n,
			const uint32_t *cancel, uint32_t timeout_us);
	uint32_t caps;               /**< enum pk_stage_cap bits */
};

/** Add a kind to the registry (called by PK_STAGE_KIND_REGISTER at load). */
void pk_stage_kind_register(struct pk_stage_kind *kind);

/**
 * Register a stage kind when the program loads. Last line of a driver. A
 * second kind of the same name is refused with a log line.
 */
#define PK_STAGE_KIND_REGISTER(k)                                              \
	RTE_INIT(pk_stage_kind_register_##k) { pk_stage_kind_register(&(k)); }

/**
 * pk_stage_alloc() flag: list the stage for telemetry only once its kind
 * calls pk_stage_publish(). For a kind whose len, held or stats_adjust read
 * state set after the allocation: telemetry reads a listed stage from its
 * own thread at any time (never stored in the stage's flags).
 */
#define PK_STAGE_F_UNLISTED (1u << 31)

/**
 * Allocate and initialise a stage of size bytes (>= sizeof(struct pk_stage);
 * the kind's state follows), zeroed and cache aligned, and list it among
 * the live stages that telemetry reads (unless PK_STAGE_F_UNLISTED).
 * @return the stage, or NULL with rte_errno EINVAL (bad name) or ENOMEM.
 */
struct pk_stage *pk_stage_alloc(size_t size, const struct pk_stage_ops *ops,
				const char *name, uint32_t flags, int socket_id);

/**
 * List a stage allocated with PK_STAGE_F_UNLISTED, now that it is built (the
 * last step of its create). Control thread.
 */
void pk_stage_publish(struct pk_stage *s);

/** Free memory from pk_stage_alloc() (for a kind's destroy). Accepts NULL. */
void pk_stage_free(struct pk_stage *s);

/**
 * Parse the common flag arguments every kind accepts ("bytes=0|1").
 * @return 0 and flags in *flags, or -EINVAL.
 */
int pk_stage_args_flags(const struct rte_kvargs *kv, uint32_t *flags);

/**
 * Read an unsigned integer argument: decimal as pk_parse_u64() reads it
 * (digits only: no sign, space, point, exponent or trailing byte, no
 * wrap-around; a leading 0 is decimal, not octal), or hex as pk_parse_x64()
 * reads it after "0x" or "0X". A refusal is logged in one line that names
 * the key, quotes the value and gives [min, max].
 * @param kv the arguments; NULL means none given
 * @param key the argument's name
 * @param min smallest value accepted
 * @param max largest value accepted
 * @param v receives the value
 * @return 0 with *v set (left unchanged when key is absent), or -EINVAL
 *   when the value is not such a number within [min, max], is missing (the
 *   key without '='), or the key is given twice.
 */
int pk_stage_arg_u64(const struct rte_kvargs *kv, const char *key,
		     uint64_t min, uint64_t max, uint64_t *v);

/** Keys every kind accepts on top of its own ("bytes"). */
#define PK_STAGE_COMMON_ARGS "bytes"

/* ---- counting, on the fast path ---- */

/** Count k packets given back to the pusher for a reason (single writer). */
static inline void
pk_stage_count_refused(struct pk_stage_counters *c, enum pk_drop_reason r,
		       uint64_t k)
{
	pk_counter_add(&c->refused[r], k);
}

/** Add v to a counter several threads write. */
static inline void
pk_counter_add_mt(uint64_t *c, uint64_t v)
{
	__atomic_fetch_add(c, v, __ATOMIC_RELAXED);
}

/** @return the sum of pkt_len over a burst. */
static inline uint64_t
pk_burst_bytes(struct rte_mbuf *const *pkts, uint16_t n)
{
	uint64_t b = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		b += pkts[i]->pkt_len;
	return b;
}

/**
 * Count n packets on one side (s->in or s->out) of a single-writer stage;
 * bytes too when the stage counts them. Call before handing packets over.
 */
static inline void
pk_stage_count(struct pk_stage *s, struct pk_stage_counters *c,
	       struct rte_mbuf *const *pkts, uint16_t n)
{
	pk_counter_add(&c->pkts, n);
	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		pk_counter_add(&c->bytes, pk_burst_bytes(pkts, n));
}

/** As pk_stage_count(), for a side that several threads write. */
static inline void
pk_stage_count_mt(struct pk_stage *s, struct pk_stage_counters *c,
		  struct rte_mbuf *const *pkts, uint16_t n)
{
	pk_counter_add_mt(&c->pkts, n);
	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		pk_counter_add_mt(&c->bytes, pk_burst_bytes(pkts, n));
}

/**
 * Take back the count of pkts[0..n) from side c: for packets counted before
 * a push that the next stage then refused (they are still ours to read).
 */
static inline void
pk_stage_uncount(struct pk_stage *s, struct pk_stage_counters *c,
		 struct rte_mbuf *const *pkts, uint16_t n)
{
	pk_counter_add(&c->pkts, -(uint64_t)n);
	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		pk_counter_add(&c->bytes, -pk_burst_bytes(pkts, n));
}

/**
 * The bytes of a burst about to be handed over, if s counts bytes (else 0):
 * read them before the handover, as the taker may free the packets at once.
 */
static inline uint64_t
pk_stage_push_bytes(const struct pk_stage *s, struct rte_mbuf *const *pkts,
		    uint16_t n)
{
	return unlikely(s->flags & PK_STAGE_F_BYTES) ? pk_burst_bytes(pkts, n) : 0;
}

/**
 * Count a push that took pkts[0..k) of n on s's in side (single writer):
 * k in, n - k given back as "full", and the bytes of what was taken, given
 * bytes from pk_stage_push_bytes() (pkts[k..n) are still ours to read).
 */
static inline void
pk_stage_count_push(struct pk_stage *s, struct rte_mbuf *const *pkts,
		    uint16_t n, uint16_t k, uint64_t bytes)
{
	pk_counter_add(&s->in.pkts, k);
	if (unlikely(k != n)) {
		pk_stage_count_refused(&s->in, PK_DROP_FULL, n - k);
		if (bytes != 0)
			bytes -= pk_burst_bytes(&pkts[k], n - k);
	}
	if (bytes != 0)
		pk_counter_add(&s->in.bytes, bytes);
}

/** As pk_stage_count_push(), for an in side that several threads write. */
static inline void
pk_stage_count_push_mt(struct pk_stage *s, struct rte_mbuf *const *pkts,
		       uint16_t n, uint16_t k, uint64_t bytes)
{
	pk_counter_add_mt(&s->in.pkts, k);
	if (unlikely(k != n)) {
		pk_counter_add_mt(&s->in.refused[PK_DROP_FULL], n - k);
		if (bytes != 0)
			bytes -= pk_burst_bytes(&pkts[k], n - k);
	}
	if (bytes != 0)
		pk_counter_add_mt(&s->in.bytes, bytes);
}

/**
 * After a push stored packets on s: wake the threads asleep in s's wait op,
 * if any. A kind with wait counts its sleepers in s->waiters and makes them
 * fence (membarrier(2)) after they register and before they look for
 * packets, so that the pusher pays one load and a predictable branch here,
 * no fence: the load is volatile so that the compiler keeps it after the
 * store that published the packets.
 */
static inline void
pk_stage_notify(struct pk_stage *s)
{
	if (unlikely(*(volatile uint32_t *)&s->waiters != 0))
		s->ops->wake(s);
}

/**
 * After a stage worked on pkts[0..n), kept pkts[0..kept) and the next stage
 * took pkts[0..taken): move the refused pkts[taken..kept) to the tail of the
 * caller's array, in order, as the contract requires.
 * @return what the stage reports as taken: n minus the refused.
 */
static inline uint16_t
pk_burst_return_tail(struct rte_mbuf **pkts, uint16_t n, uint16_t kept,
		     uint16_t taken)
{
	uint16_t refused = kept - taken;
	uint16_t i;

	if (likely(refused == 0))
		return n;
	if (kept != n) /* drops made room: slide the refused to the end */
		for (i = refused; i > 0; i--)
			pkts[n - refused + i - 1] = pkts[taken + i - 1];
	return n - refused;
}

#ifdef __cplusplus
}
#endif

#endif /* PK_STAGE_DRIVER_H */
