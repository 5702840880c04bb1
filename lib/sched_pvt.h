/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_SCHED_PVT_H
#define PK_SCHED_PVT_H

/*
 * PktSched internals shared by the core's files; not installed.
 *   sched.c           the scheduler: policies, create, free, ops, classifier
 *   sched_queue.c     queues: attach, detach, parameter, length, purge
 *   sched_fastpath.c  push, pull and shaped pull (all inlined in one file)
 *   sched_shaper.c    the shaper's control: rate, burst, clock
 *   sched_run_pvt.h   the runs pk_sched_pull_at() notes for the arbiter
 * The queue-record helpers here are static inline: push and pull call them
 * per packet.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <pathkit/pk_sched.h>
#include <pathkit/pk_sched_policy.h>
#include <pathkit/pk_stage_driver.h>

/* queue record flags */
#define SCHED_Q_ATTACHED (1u << 0)
#define SCHED_Q_STAGE PK_SCHED_Q_STAGE /* pulls from q->stage */
#define SCHED_Q_POLLED (1u << 2)    /* on the idle poll list */

/* internal FIFOs are allocated for this many queue ids at a time */
#define SCHED_SLAB_QUEUES 64

/*
 * A queue's cold part, one per queue id in an array of its own: what the
 * fast path of an internal queue never reads. The hot record (struct
 * pk_sched_q and the policy's area, one cache line with wfq) holds only
 * what enqueue and dequeue touch, so that thousands of queues cost one
 * line each; per-queue configuration and statistics read rarely go here.
 */
struct sched_q_cold {
	/*
	 * stage queue: packets push stored in it and counted in then, not
	 * yet pulled back (pulling them counts nothing again)
	 */
	uint32_t pushed;
	uint32_t idle_pos;           /* stage queue: poll list position */
};

/* record arrays a switch may outgrow: one per size, sizes only grow */
#define SCHED_QRETIRED 8

/*
 * Told of a packet the scheduler drops by itself (a queue manager's
 * verdict, reason "aqm", or overflow, "full"), before it is freed: m is
 * still valid, qid its queue. On the scheduler's thread.
 */
typedef void (*pk_sched_drop_hook_t)(void *arg, struct rte_mbuf *m,
				     uint32_t qid, enum pk_drop_reason r);

struct pk_sched {
	struct pk_stage stage;       /* must be first */
	/* fast path */
	const struct pk_sched_policy *pol;
	void *sp;                    /* policy private area */
	uint8_t *qbase;              /* queue records, 1 << qshift apart */
	uint32_t qshift;
	uint32_t max_queues;
	uint32_t qmask;              /* internal FIFO size - 1 */
	uint32_t mtu;
	uint32_t nb_idle;            /* stage queues on the poll list */
	uint32_t *idle;              /* their ids */
	struct sched_q_cold *cold;   /* per queue id */
	uint32_t poll_cursor;
	/* update then dequeue: the policy's update_dequeue, or NULL */
	struct pk_sched_q *(*update_dequeue)(void *sp, struct pk_sched_q *q,
					     uint32_t len);
	pk_sched_classify_t classify; /* NULL: m->hash.sched.queue_id */
	void *classify_arg;
	/* a queue manager's: FIFO slots are followed by their arrival times */
	bool aqm;
	uint64_t ns_mult;            /* ns = ticks * ns_mult >> 32 */
	uint64_t ecn_marked;
	/* shaper, in bit x tick units so that nothing is rounded */
	__int128 tokens;
	__int128 tokens_max;
	uint64_t hz8;                /* 8 * clock hz: one byte's cost */
	uint64_t rate_bps;
	uint64_t last;
	uint32_t overhead;
	uint32_t burst;
	pk_sched_clock_t clock;
	void *clock_arg;
	uint64_t hz;
	/* slow path */
	uint32_t nb_queues;
	uint32_t nb_stage_queues;
	uint32_t next_id;            /* ids below were used at least once */
	uint32_t nb_free;
	uint32_t *free_ids;          /* detached ids, reused first */
	uint64_t **slabs;            /* internal FIFO slots per 64 ids */
	int socket_id;
	char policy[PK_SCHED_POLICY_NAMESIZE];
	struct pk_sched_aqm_conf aqm_conf; /* what the policy was given */
	/* a two-level policy: pol is this composite, owned (sched_hier.c) */
	const struct pk_sched_policy *hier;
	uint32_t nb_classes;
	uint32_t *class_params;      /* a copy, or NULL */
	/* policy switch (sched_switch.c) */
	bool fifo_ts;                /* slabs hold arrival times: 2x slots */
	size_t qbase_size;           /* bytes at qbase */
	uint8_t *qspare;             /* records before the last switch */
	size_t qspare_size;
	/* records outgrown by a switch, kept for readers until destroy */
	uint8_t *qretired[SCHED_QRETIRED];
	uint32_t nb_qretired;
	/* told of each packet the scheduler drops itself (AQM), or NULL */
	pk_sched_drop_hook_t drop_hook;
	void *drop_hook_arg;
};

/*
 * Functions one file defines and another calls (pk_ names: the library
 * exports them, though no header declares them for applications).
 */

/* sched_fastpath.c: the ops' push and pull, or stage.pull when shaped */
uint16_t pk_sched_push(struct pk_stage *s, struct rte_mbuf **pkts,
		       uint16_t n);
uint16_t pk_sched_pull(struct pk_stage *s, struct rte_mbuf **pkts,
		       uint16_t max);
uint16_t pk_sched_pull_shaped(struct pk_stage *s, struct rte_mbuf **pkts,
			      uint16_t max);
/* What pk_sched_pull_at() tells of a run of packets: sched_run_pvt.h. */
struct sched_run;

/*
 * For the arbiter (arbiter_round.c), which owns its scheduler and reads the
 * TSC once per round. pk_sched_pull_at() is stage.pull, but a shaper on the
 * default clock takes tsc as the time instead of reading it again, and if
 * runs is not NULL, runs[0..*nruns) tell the packets' queues and lengths,
 * read from the queue records rather than from the mbufs (cold by then):
 * one entry per run, not per packet, so that a caller counting per queue
 * adds once per run. runs has room for max entries.
 * pk_sched_push_queue() is stage.push of n packets that all go to queue
 * qid, stored without classifying each: it writes qid into the field push
 * classifies by (m->hash.sched.queue_id) of each packet it takes, as it
 * stores it, so that they read as if push had stored them (refused ones
 * may carry it too). What it takes and refuses ("full", or "no-match" if
 * qid has no queue) is counted as push does; refused ones are pkts[k..n).
 */
uint16_t pk_sched_pull_at(struct pk_stage *s, struct rte_mbuf **pkts,
			  uint16_t max, uint64_t tsc,
			  struct sched_run *runs, uint16_t *nruns);
uint16_t pk_sched_push_queue(struct pk_stage *s, uint32_t qid,
			     struct rte_mbuf **pkts, uint16_t n);

/* sched_queue.c: the ops' len (walks every queue) */
/* Packets counted in and held (the statistics' held); any thread. */
uint64_t pk_sched_held(const struct pk_stage *s);
unsigned int pk_sched_len(const struct pk_stage *s);
/* Free an internal queue's packets; count them on the puller's side. */
void pk_sched_q_purge(struct pk_sched *sc, struct pk_sched_q *q);

/*
 * sched_aqm.c: push and pull for a queue manager (PK_SCHED_POL_AQM),
 * chosen at create (stage.push, and stage.pull by the shaper's reset);
 * pk_sched_pull_at() and pk_sched_push_queue() call the _at and _queue
 * ones. Their packets' arrival times sit in the FIFO's second half.
 */
uint16_t pk_sched_aqm_push(struct pk_stage *s, struct rte_mbuf **pkts,
			   uint16_t n);
uint16_t pk_sched_aqm_push_queue(struct pk_sched *sc, struct pk_sched_q *q,
				 struct rte_mbuf **pkts, uint16_t n);
uint16_t pk_sched_aqm_pull(struct pk_stage *s, struct rte_mbuf **pkts,
			   uint16_t max);
uint16_t pk_sched_aqm_pull_at(struct pk_sched *sc, struct rte_mbuf **pkts,
			      uint16_t max, uint64_t tsc,
			      struct sched_run *runs, uint16_t *nruns);

/*
 * sched_hier.c: a two-level policy's ops table, built per scheduler from
 * its parts (pk_sched_policy_lookup()); freed by pk_sched_hier_free().
 */
const struct pk_sched_policy *pk_sched_hier_new(
	const struct pk_sched_policy *outer,
	const struct pk_sched_policy *inner, int socket_id);
void pk_sched_hier_free(const struct pk_sched_policy *p);
bool pk_sched_is_hier(const struct pk_sched_policy *p);

/* Over a queue manager's limit: drop from its victims (sched_aqm.c). */
void pk_sched_aqm_overflow(struct pk_sched *sc);

/*
 * sched_switch.c: a policy switch in three steps, for callers whose
 * scheduler runs on another thread (the arbiter). prepare, on the control
 * thread: check and allocate everything (the new policy initialised, the
 * new records, FIFO slabs with arrival times); on error nothing is kept
 * and err says why. commit, on the scheduler's thread: the switch itself,
 * no allocation; it fails only if the new policy refuses a queue (-ENOSPC),
 * and then changes nothing. finish, on the control thread after commit
 * (whatever it returned): the old policy (or the refused new one) let go,
 * finalised and freed.
 */
struct sched_switch;
int pk_sched_switch_prepare(struct pk_sched *sc,
			    const struct pk_sched_switch_conf *c,
			    struct sched_switch **wp, char *err,
			    size_t errlen);
int pk_sched_switch_commit(struct pk_sched *sc, struct sched_switch *w);
void pk_sched_switch_finish(struct pk_sched *sc, struct sched_switch *w);
/* Set the drop hook (the arbiter's). Control thread. */
void pk_sched_set_drop_hook(struct pk_stage *s, pk_sched_drop_hook_t fn,
			    void *arg);
/* The records and their shift as a switch publishes them; see below. */
static inline const uint8_t *
sched_records_read(const struct pk_sched *sc, uint32_t *qshift)
{
	/*
	 * A switch stores qbase, then qshift (release); record arrays only
	 * grow and are never freed before destroy: reading the shift first
	 * keeps every record this pair names inside a live array. For
	 * readers on other threads (statistics, telemetry).
	 */
	*qshift = __atomic_load_n(&sc->qshift, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&sc->qbase, __ATOMIC_ACQUIRE);
}

static inline const struct pk_sched_q *
sched_record_at(const uint8_t *qbase, uint32_t qshift, uint32_t qid)
{
	return (const struct pk_sched_q *)(qbase + ((size_t)qid << qshift));
}

/* sched_shaper.c: the default clock, rte_rdtsc() */
uint64_t pk_sched_tsc(void *arg);

/*
 * Whether pk_sched_pull_at() uses its tsc now: a shaper or a queue manager
 * on the default clock (another clock is read by the pull itself).
 * Scheduler's thread.
 */
static inline bool
pk_sched_pull_at_wants_tsc(const struct pk_stage *s)
{
	const struct pk_sched *sc = (const struct pk_sched *)s;

	return (sc->rate_bps != 0 || sc->aqm) && sc->clock == pk_sched_tsc;
}

static inline struct pk_sched *
sched_of(struct pk_stage *s)
{
	return (struct pk_sched *)s;
}

/* s as a scheduler, or NULL if it is not one (control functions). */
static inline struct pk_sched *
sched_check(const struct pk_stage *s)
{
	return pk_sched_is_sched(s) ? (struct pk_sched *)(uintptr_t)s : NULL;
}

static inline void *
sched_zalloc(const struct pk_sched *sc, size_t size)
{
	return rte_zmalloc_socket(sc->stage.name, size, RTE_CACHE_LINE_SIZE,
				  sc->socket_id);
}

static inline struct pk_sched_q *
sched_q(const struct pk_sched *sc, uint32_t qid)
{
	return (struct pk_sched_q *)(sc->qbase + ((size_t)qid << sc->qshift));
}

static inline uint32_t
sched_q_id(const struct pk_sched *sc, const struct pk_sched_q *q)
{
	return (uint32_t)(((const uint8_t *)q - sc->qbase) >> sc->qshift);
}

/* The attached queue qid, or NULL. */
static inline struct pk_sched_q *
sched_q_find(const struct pk_sched *sc, uint32_t qid)
{
	struct pk_sched_q *q;

	if (unlikely(qid >= sc->next_id))
		return NULL;
	q = sched_q(sc, qid);
	return likely(q->flags & SCHED_Q_ATTACHED) ? q : NULL;
}

/*
 * m's length as policies see it: policies size their timestamps for mtu,
 * so longer is mtu, and 0 would read as idle, so 0 is 1. One test for the
 * usual 1..mtu.
 */
static inline uint32_t
sched_len(const struct pk_sched *sc, const struct rte_mbuf *m)
{
	uint32_t len = m->pkt_len;

	if (unlikely(len - 1 >= sc->mtu))
		len = len == 0 ? 1 : sc->mtu;
	return len;
}

/*
 * m's pkt_len, given len = sched_len() of it: len itself unless clamped
 * (so that the mbuf is read only then).
 */
static inline uint32_t
sched_pkt_len(const struct pk_sched *sc, const struct rte_mbuf *m,
	      uint32_t len)
{
	return likely(len - 2 < sc->mtu - 2) ? len : m->pkt_len;
}

static inline void
sched_q_set_head(const struct pk_sched *sc, struct pk_sched_q *q,
		 struct rte_mbuf *m)
{
	q->head = m;
	q->len = sched_len(sc, m);
}

/* Packets in q's internal FIFO; both indices read at once: any thread. */
static inline uint32_t
sched_q_fifo_len(const struct pk_sched *sc, const struct pk_sched_q *q)
{
	struct pk_sched_q p;

	p.fpos = __atomic_load_n(&q->fpos, __ATOMIC_RELAXED);
	return (uint32_t)(p.ftail - p.fhead) & sc->qmask;
}

static inline struct sched_q_cold *
sched_q_cold(const struct pk_sched *sc, const struct pk_sched_q *q)
{
	return &sc->cold[sched_q_id(sc, q)];
}

static inline void
sched_idle_add(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint32_t id = sched_q_id(sc, q);

	sc->cold[id].idle_pos = sc->nb_idle;
	sc->idle[sc->nb_idle++] = id;
	q->flags |= SCHED_Q_POLLED;
}

static inline void
sched_idle_remove(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint32_t last = sc->idle[--sc->nb_idle];
	uint32_t pos = sched_q_cold(sc, q)->idle_pos;

	sc->idle[pos] = last;
	sc->cold[last].idle_pos = pos;
	q->flags &= ~SCHED_Q_POLLED;
}

/*
 * Internal FIFO entries carry the length with the pointer (user-space
 * pointers fit in 48 bits): the pull never touches the mbuf, whose line is
 * long cold when its turn comes among thousands of queues. A pointer that
 * does not fit is stored alone, length 0: read from the mbuf then.
 */
static inline uint64_t
sched_fifo_entry(const struct pk_sched *sc, struct rte_mbuf *m)
{
	uint64_t p = (uintptr_t)m;

	if (unlikely(p >> 48 != 0))
		return p;
	return p | (uint64_t)sched_len(sc, m) << 48;
}

static inline void
sched_q_fifo_pop(const struct pk_sched *sc, struct pk_sched_q *q)
{
	uint64_t e = q->fifo[q->fhead];
	uint16_t next = (q->fhead + 1) & sc->qmask;

	/*
	 * Emptied: start again at slot 0, so that a queue that holds a few
	 * packets at a time (the usual case among many) stays on the first
	 * cache line of its FIFO rather than walking through all of them.
	 * Both indices in one store: a reader of the length on another thread
	 * (sched_q_fifo_len()) sees the FIFO before or after, never between.
	 */
	if (next == q->ftail)
		__atomic_store_n(&q->fpos, 0, __ATOMIC_RELAXED);
	else
		q->fhead = next;

	if (unlikely(e >> 48 == 0)) {
		sched_q_set_head(sc, q, (struct rte_mbuf *)(uintptr_t)e);
		return;
	}
	q->head = (struct rte_mbuf *)(uintptr_t)(e & ((1ULL << 48) - 1));
	q->len = (uint32_t)(e >> 48);
}

/*
 * Fill an idle stage queue's head slot from its stage (the lookahead). A
 * packet that others (a path) pushed into the stage queue enters the
 * scheduler here and is counted in here; one pk_sched_push() stored there
 * was counted in by the push.
 */
static inline bool
sched_q_pull_head(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint32_t *pushed = &sched_q_cold(sc, q)->pushed;
	struct rte_mbuf *m;

	if (pk_stage_pull(q->stage, &m, 1) == 0)
		return false;
	sched_q_set_head(sc, q, m);
	if (*pushed != 0) {
		(*pushed)--;
	} else {
		pk_counter_add(&sc->stage.in.pkts, 1);
		if (unlikely(sc->stage.flags & PK_STAGE_F_BYTES))
			pk_counter_add(&sc->stage.in.bytes, m->pkt_len);
	}
	return true;
}

/*
 * Credit the shaper's bucket with the link time since the last pull, now
 * being the clock's. A time before the last (a caller's clock read before
 * a shaper reset) credits nothing.
 */
static inline void
sched_tokens_refill(struct pk_sched *sc, uint64_t now)
{
	if ((int64_t)(now - sc->last) <= 0)
		return;
	sc->tokens += (__int128)(now - sc->last) * sc->rate_bps;
	sc->last = now;
	if (sc->tokens > sc->tokens_max)
		sc->tokens = sc->tokens_max;
}

#endif /* PK_SCHED_PVT_H */
