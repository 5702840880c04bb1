/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ARBITER_PVT_H
#define ARBITER_PVT_H

/*
 * Arbiter internals shared by arbiter.c (configuration and lifecycle),
 * arbiter_round.c (the arbiter's round) and arbiter_output.c (output and
 * dispatcher); not installed. What runs per packet or per round in more
 * than one of them is here, static inline, so that splitting the files
 * added no call to the fast path.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include <pathkit/pk_arbiter.h>
#include <pathkit/pk_registry.h>
#include <pathkit/pk_stage_driver.h>

#include "sched_run_pvt.h"

#define ARB_OUT_BURST 32
/* the drain asks for mailboxes' lines this many clients ahead */
#define ARB_MB_PREFETCH 4
#define ARB_MAX_BURST (PK_ARBITER_DEFAULT_BURST * 8)
/* rounds read the clock this often when the scheduler needs no time */
#define ARB_CLOCK_ROUNDS 64

/* Packets held for the output, sent from off; retried while refused. */
struct arb_txq {
	struct rte_mbuf *m[ARB_OUT_BURST];
	uint16_t n;
	uint16_t off;
	uint32_t fails;          /* attempts in a row that left packets */
	/*
	 * The held packets' clients, run by run (a run's qid is its client):
	 * runs[r0..nr) tell m[off..n), and runs[r0].bytes are those of its
	 * packets not sent yet. Both the release and the transmitter count
	 * per run, not per packet. Noted by the scheduler at release for the
	 * arbiter's own with per-client queues (the queue is the client), so
	 * that the arbiter's thread never reads a released mbuf; else read
	 * from the mbufs when they are taken (arb_txq_runs_read()).
	 */
	bool noted;
	uint16_t r0;
	uint16_t nr;
	struct sched_run runs[ARB_OUT_BURST];
};

/*
 * Arbiter-thread state of a client. The arbiter alone writes it; the stats
 * getters read scheduled, released, nwait and dropped (relaxed) to count
 * what the client has inside: its backlog in the scheduler is scheduled -
 * released, and what the output has not taken yet is released - sent -
 * dropped by the transmitter (struct arb_client_cnt).
 */
struct arb_client {
	uint64_t scheduled;      /* its packets the scheduler took */
	uint64_t released;       /* its packets the scheduler released */
	uint16_t nwait;          /* refused by a full flow queue, pushed first */
	struct rte_mbuf **wait;  /* burst slots (with a classifier) */
	uint64_t dropped;        /* freed by the arbiter: no queue */
	/* dropped by the scheduler itself (a queue manager's), not released */
	uint64_t sched_dropped;
};

/* Set how many wait, where the stats getters may read it. Arbiter thread. */
static inline void
arb_nwait_set(struct arb_client *cl, uint16_t n)
{
	__atomic_store_n(&cl->nwait, n, __ATOMIC_RELAXED);
}

/*
 * What the drain looks at for a client every round, 16 bytes apart (the
 * arbiter thread's alone). Its mailbox's ring's producer index when that is
 * a queue_ring (the default kind; else a word of the arbiter's own, 0,
 * with cons 1, never advanced: such a mailbox never looks empty, and the
 * ARB_MB_PREFETCH entries past the last client point there too, so that
 * a look needs no test of the pointer) and the ring's consumer index: the
 * arbiter is its only consumer, so that is what it took so far, and the
 * mailbox is empty when the producer's index is still that; one line of
 * the ring (the producer's, shared with the client) per empty mailbox,
 * instead of the stage and both of the ring's. With per-client queues, the
 * client's backlog in the scheduler (its scheduled - released, kept here
 * too so that the scan reads one array).
 */
struct arb_poll {
	/* its ring's producer index (&r->prod.tail), or &a->no_ring */
	const volatile uint32_t *tail;
	uint32_t cons;           /* r->cons.tail: advanced by each pull */
	uint32_t backlog;        /* per-client queues: in the scheduler */
};

/* Written by the transmitting thread only (arbiter or dispatcher). */
struct arb_client_cnt {
	uint64_t sent;
	uint64_t dropped;
	uint64_t bytes;
} __rte_cache_aligned;

struct pk_arbiter {
	/* arbiter loop: its thread only */
	struct pk_stage **mb;    /* client mailboxes */
	/* per client, and ARB_MB_PREFETCH more (r NULL) */
	struct arb_poll *poll;
	/* per-client queues: bit c set while client c's scheduler queue has
	 * room (backlog < qroom), so that a drain skips backlogged clients
	 * 64 at a time */
	uint64_t *room;
	struct pk_stage *sched;
	struct pk_stage *ring;   /* to the dispatcher, or NULL */
	struct pk_stage *out;
	struct arb_client *cl;
	uint32_t nb;
	uint32_t qroom;          /* packets a scheduler queue holds */
	uint16_t burst;
	uint32_t client_off;     /* mbuf offset of the client id */
	pk_sched_classify_t classify; /* per-flow queues, or NULL */
	void *classify_arg;
	uint32_t nq;             /* scheduler queues */
	uint64_t inside;         /* packets in the scheduler */
	/* per-flow queues: clients with packets waiting, longest first */
	uint32_t *waiters;
	uint32_t *served;        /* scratch: waiters that got some in */
	uint32_t nwaiters;
	uint32_t quit;           /* atomic: loops return */
	uint32_t no_ring;        /* 0: the tail of arb_poll's non-rings */
	uint32_t clock_rounds;   /* rounds, for arb_clock_due() */
	struct arb_txq atx;      /* arbiter's held output */
	struct pk_arbiter_stats st; /* arbiter writes, anyone reads */
	/* dispatcher: its thread only */
	struct arb_txq dtx __rte_cache_aligned;
	/* both transmitters write disjoint phases: see arb_txq_push() */
	struct arb_client_cnt *cnt;
	/* control */
	struct pk_registry_node live; /* on live_arbiters, for telemetry */
	struct pk_arbiter_conf conf;
	bool launched;
	bool built;              /* everything allocated: destroy flushes */
	char name[PK_STAGE_NAMESIZE];
	/*
	 * a policy switch the control thread prepared, for the arbiter's
	 * thread to commit at the start of its next round (then NULL again,
	 * its result in sw_rc): arbiter_switch.c
	 */
	struct sched_switch *sw;
	int sw_rc;
};

/*
 * The two ids the arbiter keeps in a packet it holds (pk_arbiter.h says
 * which field carries what). The scheduler queue id: rte_sched's field,
 * which the scheduler reads by default (and pk_sched_push_queue() writes,
 * per-client queues); ARB_MBUF_QUEUE_OFF is the one place in the arbiter
 * that names it. The client id: at a->client_off, which is that same field
 * with per-client queues (queue id = client id) and the dynamic field
 * "pk_arbiter_client" with a classifier (arb_client_field()).
 */
#define ARB_MBUF_QUEUE_OFF offsetof(struct rte_mbuf, hash.sched.queue_id)

static inline uint32_t
arb_mbuf_queue_get(const struct rte_mbuf *m)
{
	return *RTE_MBUF_DYNFIELD(m, ARB_MBUF_QUEUE_OFF, const uint32_t *);
}

static inline void
arb_mbuf_queue_set(struct rte_mbuf *m, uint32_t q)
{
	*RTE_MBUF_DYNFIELD(m, ARB_MBUF_QUEUE_OFF, uint32_t *) = q;
}

static inline uint32_t
arb_mbuf_client_get(const struct pk_arbiter *a, const struct rte_mbuf *m)
{
	return *RTE_MBUF_DYNFIELD(m, a->client_off, const uint32_t *);
}

static inline void
arb_mbuf_client_set(const struct pk_arbiter *a, struct rte_mbuf *m,
		    uint32_t c)
{
	*RTE_MBUF_DYNFIELD(m, a->client_off, uint32_t *) = c;
}

static inline bool
arb_has_dispatcher_lcore(const struct pk_arbiter *a)
{
	return a->ring != NULL &&
	       a->conf.dispatcher_lcore != PK_ARBITER_LCORE_NONE;
}

/* Free what q still holds, counting each as dropped for its client. */
void pk_arbiter_txq_drop(struct pk_arbiter *a, struct arb_txq *q, bool count);

/*
 * Note q's runs from its mbufs m[0..n), which are ours: the client of
 * each and its pkt_len.
 */
static inline void
arb_txq_runs_read(const struct pk_arbiter *a, struct arb_txq *q)
{
	struct sched_run *r = q->runs;
	uint16_t i, nr = 0;
	uint32_t c;

	for (i = 0; i < q->n; i++) {
		c = arb_mbuf_client_get(a, q->m[i]);
		if (nr == 0 || c != r[nr - 1].qid) {
			r[nr].qid = c;
			r[nr++].bytes = 0;
		}
		r[nr - 1].bytes += q->m[i]->pkt_len;
		r[nr - 1].end = i + 1;
	}
	q->r0 = 0;
	q->nr = nr;
}

/*
 * The output took k of q's packets from off: count them sent per client,
 * a run at a time. A run it took in part is counted in part: the bytes of
 * its packets it refused are read from them (still ours) and kept as the
 * run's.
 */
static inline void
arb_txq_count_sent(struct pk_arbiter *a, struct arb_txq *q, uint16_t k)
{
	uint16_t start = q->off, end = q->off + k, r, i;
	struct sched_run *run;
	uint64_t left = 0;

	for (r = q->r0; r < q->nr && q->runs[r].end <= end; r++) {
		run = &q->runs[r];
		pk_counter_add(&a->cnt[run->qid].sent, run->end - start);
		pk_counter_add(&a->cnt[run->qid].bytes, run->bytes);
		start = run->end;
	}
	q->r0 = r;
	if (likely(start == end))
		return;
	run = &q->runs[r]; /* m[start..end) went, m[end..run->end) did not */
	for (i = end; i < run->end; i++)
		left += q->m[i]->pkt_len;
	pk_counter_add(&a->cnt[run->qid].sent, end - start);
	pk_counter_add(&a->cnt[run->qid].bytes, run->bytes - left);
	run->bytes = left;
}

/*
 * Push what q holds into out. count: this is the last hop, count sent per
 * client (q's runs). retries: attempts in a row before dropping (0: never).
 */
static inline uint16_t
arb_txq_push(struct pk_arbiter *a, struct arb_txq *q, struct pk_stage *out,
	     bool count, uint32_t retries)
{
	uint16_t n = q->n - q->off, k;

	if (n == 0)
		return 0;
	k = pk_stage_push(out, &q->m[q->off], n);
	if (count)
		arb_txq_count_sent(a, q, k);
	q->off += k;
	if (q->off == q->n) {
		q->n = q->off = 0;
		q->r0 = q->nr = 0;
		q->fails = 0;
	} else if (++q->fails >= retries && retries != 0) {
		pk_arbiter_txq_drop(a, q, count); /* cold */
	} else if (q == &a->atx) {
		pk_counter_add(&a->st.tx_retries, 1);
	}
	return k;
}

/* One dispatcher pass: ring -> held -> output. Returns what out took. */
static inline uint16_t
arb_dispatch_pass(struct pk_arbiter *a)
{
	struct arb_txq *q = &a->dtx;

	if (q->n == 0) {
		q->n = pk_stage_pull(a->ring, q->m, ARB_OUT_BURST);
		arb_txq_runs_read(a, q); /* before the handover */
	}
	return arb_txq_push(a, q, a->out, true, a->conf.tx_retries);
}

/* Commit the policy switch a->sw, on the arbiter's thread. */
void pk_arbiter_switch_run(struct pk_arbiter *a);

/* Count what the scheduler drops by itself per client (the drop hook). */
void pk_arbiter_sched_dropped(void *arg, struct rte_mbuf *m, uint32_t qid,
			      enum pk_drop_reason r);

/* The arbiter lcore's loop (arbiter_round.c): rounds until quit. */
int pk_arbiter_main(void *arg);

/* The dispatcher lcore's loop (arbiter_output.c): passes until quit. */
int pk_arbiter_dispatcher_main(void *arg);

/*
 * Send everything still held, unshaped (arbiter_round.c). The loops must
 * have stopped.
 */
void pk_arbiter_flush(struct pk_arbiter *a);

#endif /* ARBITER_PVT_H */
