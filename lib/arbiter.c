/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSPAT arbiter: client mailboxes -> one arbiter loop -> PktSched at the
 * emulated link rate -> output (TX stage, or a ring to a dispatcher).
 *
 * Per-client queues (the default): the scheduler has one internal queue per
 * client (queue id = client). The arbiter writes that id as the packet's
 * scheduler queue (arb_mbuf_queue_set()) once it owns the packet, and keeps
 * a private backlog count per client so that it never drains more than the
 * client's scheduler queue can take: a backlogged client fills its mailbox
 * and sees short pushes, nothing is dropped inside. The client of a packet
 * is that same field.
 *
 * Per-flow queues (a classifier): the client goes into an mbuf dynamic
 * field, the classifier's queue id into the scheduler queue field. A queue's
 * room cannot be known per client, so the arbiter pushes and keeps what a
 * full queue refuses in the client's wait slots; it drains nothing more
 * from that client until they fit, which keeps each flow's order and turns
 * a full flow queue into back-pressure on its client. Clients that wait
 * push before any new packet, longest waiting first (arb_push_waiters()).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include <pathkit/pk_arbiter.h>
#include <pathkit/pk_log.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_stage_driver.h>

#include "pk_internal.h"
#include "registry_pvt.h"

#define ARB_OUT_BURST 32
#define ARB_MAX_BURST (PK_ARBITER_DEFAULT_BURST * 8)
#define ARB_DEFAULT_QSIZE 256
#define ARB_DEFAULT_RING 1024

/* Packets held for the output, sent from off; retried while refused. */
struct arb_txq {
	struct rte_mbuf *m[ARB_OUT_BURST];
	uint16_t n;
	uint16_t off;
	uint32_t fails;          /* attempts in a row that left packets */
};

/* Arbiter-thread state of a client; dropped is read by stats getters. */
struct arb_client {
	uint32_t backlog;        /* its packets in the scheduler (per client) */
	uint16_t nwait;          /* refused by a full flow queue, pushed first */
	struct rte_mbuf **wait;  /* burst slots (with a classifier) */
	uint64_t dropped;        /* freed by the arbiter: no queue */
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
};

int pk_arbiter_client_dynfield = -1;

/* Every arbiter from create until destroy; telemetry reads it. */
static struct pk_registry live_arbiters =
	PK_REGISTRY_INITIALIZER(live_arbiters);

/*
 * The two ids the arbiter keeps in a packet it holds (pk_arbiter.h says
 * which field carries what). The scheduler queue id: rte_sched's field,
 * which the scheduler reads by default; ARB_MBUF_QUEUE_OFF is the one place
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

/* Free what q still holds, counting each as dropped for its client. */
static void
arb_txq_drop(struct pk_arbiter *a, struct arb_txq *q, bool count)
{
	struct rte_mbuf *m;
	uint16_t i;

	for (i = q->off; i < q->n; i++) {
		m = q->m[i];
		if (count)
			pk_counter_add(&a->cnt[arb_mbuf_client_get(a, m)].dropped,
				       1);
		rte_pktmbuf_free(m);
	}
	q->n = q->off = 0;
	q->fails = 0;
}

/*
 * Push what q holds into out. count: this is the last hop, count sent per
 * client (ids and lengths read before the handover: after it the packets
 * are not ours). retries: attempts in a row before dropping (0: never).
 */
static uint16_t
arb_txq_push(struct pk_arbiter *a, struct arb_txq *q, struct pk_stage *out,
	     bool count, uint32_t retries)
{
	uint32_t cl[ARB_OUT_BURST], len[ARB_OUT_BURST];
	uint16_t n = q->n - q->off, k, i;

	if (n == 0)
		return 0;
	if (count)
		for (i = 0; i < n; i++) {
			cl[i] = arb_mbuf_client_get(a, q->m[q->off + i]);
			len[i] = q->m[q->off + i]->pkt_len;
		}
	k = pk_stage_push(out, &q->m[q->off], n);
	if (count)
		for (i = 0; i < k; i++) {
			pk_counter_add(&a->cnt[cl[i]].sent, 1);
			pk_counter_add(&a->cnt[cl[i]].bytes, len[i]);
		}
	q->off += k;
	if (q->off == q->n) {
		q->n = q->off = 0;
		q->fails = 0;
	} else if (++q->fails >= retries && retries != 0) {
		arb_txq_drop(a, q, count);
	} else if (q == &a->atx) {
		pk_counter_add(&a->st.tx_retries, 1);
	}
	return k;
}

/*
 * Ask for the mbufs of a burst just taken from a mailbox at once: they are
 * cold (the client wrote them last, on another core), and the loop that
 * tags them would otherwise wait for each in turn.
 */
static inline void
arb_prefetch(struct rte_mbuf *const *m, uint16_t k)
{
	uint16_t i;

	for (i = 0; i < k; i++)
		rte_prefetch0(m[i]);
}

/*
 * Per-client queues: take from every mailbox a bounded burst, no more than
 * its client's scheduler queue has room for.
 */
static uint32_t
arb_drain_clients(struct pk_arbiter *a)
{
	struct rte_mbuf *m[ARB_MAX_BURST];
	uint32_t c, total = 0, room;
	uint16_t k, i, took;

	for (c = 0; c < a->nb; c++) {
		room = a->qroom - a->cl[c].backlog;
		if (room == 0) /* backlogged: leave its mailbox alone */
			continue;
		k = pk_stage_pull(a->mb[c], m, RTE_MIN(room, a->burst));
		if (k == 0)
			continue;
		arb_prefetch(m, k);
		for (i = 0; i < k; i++) /* queue id = client id: its tag */
			arb_mbuf_queue_set(m[i], c);
		took = pk_stage_push(a->sched, m, k);
		if (unlikely(took != k)) { /* cannot happen: room was checked */
			pk_counter_add(&a->cl[c].dropped, k - took);
			rte_pktmbuf_free_bulk(&m[took], k - took);
		}
		a->cl[c].backlog += took;
		a->inside += took;
		total += k;
	}
	return total;
}

/*
 * Push n packets of client cl; keep, in order, what a full queue refused.
 * @return packets the scheduler took
 */
static uint16_t
arb_push_or_wait(struct pk_arbiter *a, struct arb_client *cl,
		 struct rte_mbuf **m, uint16_t n)
{
	uint16_t took = pk_stage_push(a->sched, m, n);

	a->inside += took;
	cl->nwait = n - took;
	if (unlikely(cl->nwait != 0)) { /* refused ones are m[took..n) */
		memmove(cl->wait, &m[took], cl->nwait * sizeof(*m));
		pk_counter_add(&a->st.queue_full, cl->nwait);
	}
	return took;
}

/* Tag k packets of client c and classify them; drop those with no queue. */
static uint16_t
arb_classify(struct pk_arbiter *a, uint32_t c, struct rte_mbuf **m,
	     uint16_t k)
{
	uint16_t i, n = 0;
	uint32_t q;

	arb_prefetch(m, k);
	for (i = 0; i < k; i++) {
		arb_mbuf_client_set(a, m[i], c);
		q = a->classify(m[i], a->classify_arg);
		if (unlikely(q >= a->nq)) {
			pk_counter_add(&a->cl[c].dropped, 1);
			rte_pktmbuf_free(m[i]);
			continue;
		}
		arb_mbuf_queue_set(m[i], q);
		m[n++] = m[i];
	}
	return n;
}

/*
 * Per-flow queues, first the waiters: clients may share a queue, and the
 * first to push takes the room it has. So waiters push before any new
 * packet, longest waiting first, and one that got some in goes to the back
 * of the line (as iSLIP's pointer moves past the input it granted); one
 * that got everything in leaves it and drains its mailbox again.
 */
static void
arb_push_waiters(struct pk_arbiter *a)
{
	uint32_t i, c, kept = 0, nserved = 0;
	struct arb_client *cl;
	uint16_t took;

	for (i = 0; i < a->nwaiters; i++) {
		c = a->waiters[i];
		cl = &a->cl[c];
		took = arb_push_or_wait(a, cl, cl->wait, cl->nwait);
		if (cl->nwait == 0)
			continue;
		if (took != 0)
			a->served[nserved++] = c;
		else
			a->waiters[kept++] = c;
	}
	memcpy(&a->waiters[kept], a->served, nserved * sizeof(*a->served));
	a->nwaiters = kept + nserved;
}

/*
 * Per-flow queues: a bounded burst from the mailbox of every client with
 * nothing waiting; one whose packets a full queue refused joins the line.
 */
static uint32_t
arb_drain_flows(struct pk_arbiter *a)
{
	struct rte_mbuf *m[ARB_MAX_BURST];
	uint32_t c, total = 0;
	struct arb_client *cl;
	uint16_t k;

	if (unlikely(a->nwaiters != 0))
		arb_push_waiters(a);
	for (c = 0; c < a->nb; c++) {
		cl = &a->cl[c];
		if (unlikely(cl->nwait != 0))
			continue;
		k = pk_stage_pull(a->mb[c], m, a->burst);
		if (k == 0)
			continue;
		total += k;
		k = arb_classify(a, c, m, k);
		arb_push_or_wait(a, cl, m, k);
		if (unlikely(cl->nwait != 0))
			a->waiters[a->nwaiters++] = c;
	}
	return total;
}

/* Release what the link allows now into the arbiter's held output. */
static uint16_t
arb_release(struct pk_arbiter *a)
{
	uint16_t n, i;

	if (a->atx.n != 0)
		return 0; /* the output is behind: the link waits for it */
	n = pk_stage_pull(a->sched, a->atx.m, ARB_OUT_BURST);
	a->inside -= n;
	if (a->classify == NULL)
		for (i = 0; i < n; i++) /* queue id = client id */
			a->cl[arb_mbuf_queue_get(a->atx.m[i])].backlog--;
	a->atx.n = n;
	return n;
}

/* One round: drain, schedule, release, hand over. Returns released. */
static uint16_t
arb_round(struct pk_arbiter *a)
{
	uint64_t t0 = rte_rdtsc();
	uint32_t drained = a->classify != NULL ? arb_drain_flows(a) :
						 arb_drain_clients(a);
	uint16_t rel = arb_release(a);

	if (a->ring != NULL) /* the dispatcher's ring: wait, never drop */
		arb_txq_push(a, &a->atx, a->ring, false, 0);
	else
		arb_txq_push(a, &a->atx, a->out, true, a->conf.tx_retries);
	pk_counter_add(&a->st.rounds, 1);
	if (drained == 0 && rel == 0)
		pk_counter_add(&a->st.empty_rounds, 1);
	pk_counter_add(&a->st.drained, drained);
	pk_counter_add(&a->st.released, rel);
	pk_counter_add(&a->st.loop_cycles, rte_rdtsc() - t0);
	return rel;
}

int64_t
pk_arbiter_run(struct pk_arbiter *a, uint64_t rounds)
{
	int64_t rel = 0;
	uint64_t i;

	if (a == NULL)
		return -EINVAL;
	if (a->launched)
		return -EBUSY;
	for (i = 0; i < rounds; i++)
		rel += arb_round(a);
	return rel;
}

static bool
arb_has_dispatcher_lcore(const struct pk_arbiter *a)
{
	return a->ring != NULL &&
	       a->conf.dispatcher_lcore != PK_ARBITER_LCORE_NONE;
}

/* One dispatcher pass: ring -> held -> output. Returns what out took. */
static uint16_t
arb_dispatch_pass(struct pk_arbiter *a)
{
	struct arb_txq *q = &a->dtx;

	if (q->n == 0)
		q->n = pk_stage_pull(a->ring, q->m, ARB_OUT_BURST);
	return arb_txq_push(a, q, a->out, true, a->conf.tx_retries);
}

int
pk_arbiter_dispatch(struct pk_arbiter *a)
{
	if (a == NULL || a->ring == NULL)
		return -EINVAL;
	if (a->launched && arb_has_dispatcher_lcore(a))
		return -EBUSY; /* its lcore is the one dispatcher */
	return arb_dispatch_pass(a);
}

static int
arb_main(void *arg)
{
	struct pk_arbiter *a = arg;

	while (!__atomic_load_n(&a->quit, __ATOMIC_ACQUIRE))
		arb_round(a);
	return 0;
}

static int
arb_dispatcher_main(void *arg)
{
	struct pk_arbiter *a = arg;

	while (!__atomic_load_n(&a->quit, __ATOMIC_ACQUIRE))
		if (arb_dispatch_pass(a) == 0)
			rte_pause();
	return 0;
}

int
pk_arbiter_start(struct pk_arbiter *a)
{
	int rc;

	if (a == NULL || a->conf.lcore_id == PK_ARBITER_LCORE_NONE)
		return -EINVAL;
	if (a->launched)
		return -EALREADY;
	__atomic_store_n(&a->quit, 0, __ATOMIC_RELEASE);
	if (arb_has_dispatcher_lcore(a)) {
		rc = rte_eal_remote_launch(arb_dispatcher_main, a,
					   a->conf.dispatcher_lcore);
		if (rc != 0) {
			PK_LOG(ERR, "%s: dispatcher lcore %u: %d", a->name,
			       a->conf.dispatcher_lcore, rc);
			return rc;
		}
	}
	rc = rte_eal_remote_launch(arb_main, a, a->conf.lcore_id);
	if (rc != 0) {
		PK_LOG(ERR, "%s: arbiter lcore %u: %d", a->name,
		       a->conf.lcore_id, rc);
		if (arb_has_dispatcher_lcore(a)) {
			__atomic_store_n(&a->quit, 1, __ATOMIC_RELEASE);
			rte_eal_wait_lcore(a->conf.dispatcher_lcore);
		}
		return rc;
	}
	a->launched = true;
	return 0;
}

/* Packets anywhere inside the arbiter (exact once the loops are stopped). */
static uint64_t
arb_held(struct pk_arbiter *a)
{
	uint64_t held = a->atx.n - a->atx.off + a->dtx.n - a->dtx.off;
	uint32_t c;

	held += a->inside;
	for (c = 0; c < a->nb; c++)
		held += pk_stage_len(a->mb[c]) + a->cl[c].nwait;
	if (a->ring != NULL)
		held += pk_stage_len(a->ring);
	return held;
}

/* Send everything still held, unshaped; stuck output drops (counted). */
static void
arb_flush(struct pk_arbiter *a)
{
	const struct pk_arbiter_conf *c = &a->conf;

	pk_sched_set_shaper(a->sched, 0, 0, 0);
	while (arb_held(a) != 0) {
		arb_round(a);
		if (a->ring != NULL)
			arb_dispatch_pass(a); /* the loops have stopped */
	}
	if (c->rate_bps != 0)
		pk_sched_set_shaper(a->sched, c->rate_bps, c->overhead, 0);
	if (c->clock != NULL)
		pk_sched_set_clock(a->sched, c->clock, c->clock_arg,
				   c->clock_hz);
}

int
pk_arbiter_stop(struct pk_arbiter *a)
{
	if (a == NULL)
		return -EINVAL;
	if (a->launched) {
		__atomic_store_n(&a->quit, 1, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(a->conf.lcore_id);
		if (arb_has_dispatcher_lcore(a))
			rte_eal_wait_lcore(a->conf.dispatcher_lcore);
		a->launched = false;
	}
	arb_flush(a);
	return 0;
}

struct pk_stage *
pk_arbiter_client(struct pk_arbiter *a, uint32_t i)
{
	return a != NULL && i < a->nb ? a->mb[i] : NULL;
}

struct pk_stage *
pk_arbiter_sched(struct pk_arbiter *a)
{
	return a != NULL ? a->sched : NULL;
}

const char *
pk_arbiter_name(const struct pk_arbiter *a)
{
	return a != NULL ? a->name : NULL;
}

uint32_t
pk_arbiter_nb_clients(const struct pk_arbiter *a)
{
	return a != NULL ? a->nb : 0;
}

/* Adapts a registry walk to the caller's function on arbiters. */
struct arb_walk {
	int (*fn)(const struct pk_arbiter *a, void *arg);
	void *arg;
};

static int
arb_walk_live(struct pk_registry_node *n, void *arg)
{
	struct arb_walk *w = arg;

	return w->fn(container_of(n, struct pk_arbiter, live), w->arg);
}

int
pk_arbiter_live_foreach(int (*fn)(const struct pk_arbiter *a, void *arg),
			void *arg)
{
	struct arb_walk w = { .fn = fn, .arg = arg };

	return pk_registry_foreach(&live_arbiters, arb_walk_live, &w);
}

int
pk_arbiter_live_apply(const char *name,
		      int (*fn)(const struct pk_arbiter *a, void *arg),
		      void *arg)
{
	struct arb_walk w = { .fn = fn, .arg = arg };

	return pk_registry_apply(&live_arbiters, name, arb_walk_live, &w);
}

int
pk_arbiter_client_stats_get(const struct pk_arbiter *a, uint32_t i,
			    struct pk_arbiter_client_stats *st)
{
	struct pk_stage_stats ms;

	if (a == NULL || st == NULL || i >= a->nb)
		return -EINVAL;
	pk_stage_stats_get(a->mb[i], &ms);
	st->admitted = ms.in_pkts;
	st->rejected = ms.drops[PK_DROP_FULL];
	st->sent = pk_counter_load(&a->cnt[i].sent);
	st->dropped = pk_counter_load(&a->cnt[i].dropped) +
		      pk_counter_load(&a->cl[i].dropped);
	st->bytes = pk_counter_load(&a->cnt[i].bytes);
	return 0;
}

int
pk_arbiter_stats_get(const struct pk_arbiter *a, struct pk_arbiter_stats *st)
{
	if (a == NULL || st == NULL)
		return -EINVAL;
	st->rounds = pk_counter_load(&a->st.rounds);
	st->empty_rounds = pk_counter_load(&a->st.empty_rounds);
	st->drained = pk_counter_load(&a->st.drained);
	st->released = pk_counter_load(&a->st.released);
	st->loop_cycles = pk_counter_load(&a->st.loop_cycles);
	st->tx_retries = pk_counter_load(&a->st.tx_retries);
	st->queue_full = pk_counter_load(&a->st.queue_full);
	return 0;
}

void
pk_arbiter_destroy(struct pk_arbiter *a)
{
	uint32_t c;

	if (a == NULL)
		return;
	/* off the list first: telemetry reads it no more */
	pk_registry_del(&live_arbiters, &a->live);
	if (a->built)
		pk_arbiter_stop(a); /* flush to the output */
	for (c = 0; a->mb != NULL && c < a->nb; c++)
		pk_stage_destroy(a->mb[c]);
	pk_stage_destroy(a->ring);
	pk_stage_destroy(a->sched);
	for (c = 0; a->cl != NULL && c < a->nb; c++)
		rte_free(a->cl[c].wait);
	rte_free(a->mb);
	rte_free(a->cl);
	rte_free(a->waiters);
	rte_free(a->served);
	rte_free(a->cnt);
	rte_free(a);
}

static int
arb_conf_check(const char *name, struct pk_arbiter_conf *c)
{
	if (c->mailbox_size == 0)
		c->mailbox_size = PK_MAILBOX_DEFAULT_SIZE;
	if (c->qsize == 0)
		c->qsize = ARB_DEFAULT_QSIZE;
	if (c->ring_size == 0)
		c->ring_size = ARB_DEFAULT_RING;
	if (c->burst == 0)
		c->burst = PK_ARBITER_DEFAULT_BURST;
	if (c->tx_retries == 0)
		c->tx_retries = PK_ARBITER_DEFAULT_TX_RETRIES;
	if (c->overhead == 0)
		c->overhead = PK_SCHED_DEFAULT_OVERHEAD;
	if (c->policy == NULL)
		c->policy = "wfq";
	if (c->nb_clients == 0 || c->nb_clients > PK_ARBITER_MAX_CLIENTS ||
	    c->out == NULL || c->burst > ARB_MAX_BURST ||
	    c->qsize < 2 || c->dispatch > PK_ARBITER_DISPATCH_THREAD ||
	    c->mailbox > PK_ARBITER_MB_RING ||
	    (c->clock != NULL && c->clock_hz == 0)) {
		PK_LOG(ERR, "%s: bad arbiter configuration (clients 1..%u, an "
		       "output stage, burst 1..%u)", name, PK_ARBITER_MAX_CLIENTS,
		       ARB_MAX_BURST);
		return -EINVAL;
	}
	if ((c->classify != NULL) != (c->nb_queues != 0) ||
	    c->nb_queues > PK_SCHED_MAX_QUEUES) {
		PK_LOG(ERR, "%s: a classifier takes nb_queues 1..%u, and "
		       "nb_queues a classifier", name, PK_SCHED_MAX_QUEUES);
		return -EINVAL;
	}
	return 0;
}

/* Where the client id of a packet goes: see the top comment. */
static int
arb_client_field(struct pk_arbiter *a)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "pk_arbiter_client",
		.size = sizeof(uint32_t),
		.align = __alignof__(uint32_t),
	};
	int off;

	if (a->classify == NULL) {
		a->client_off = ARB_MBUF_QUEUE_OFF;
		return 0;
	}
	off = rte_mbuf_dynfield_register(&desc); /* same offset every time */
	if (off < 0)
		return -rte_errno;
	pk_arbiter_client_dynfield = off;
	a->client_off = off;
	return 0;
}

/* A client's mailbox, by kind name: lib/ builds no driver's stage itself. */
static struct pk_stage *
arb_mailbox(const struct pk_arbiter *a, const char *name, uint32_t size,
	    enum pk_arbiter_mailbox kind)
{
	char args[32];

	snprintf(args, sizeof(args), "size=%" PRIu32, size);
	/* the default is rte_ring SP/SC: it measured faster (bench_arbiter) */
	return pk_stage_create(kind == PK_ARBITER_MB_PSPAT ? "mailbox" :
			       "queue_ring", name, args, a->conf.socket_id);
}

static int
arb_build_sched(struct pk_arbiter *a)
{
	const struct pk_arbiter_conf *c = &a->conf;
	struct pk_sched_conf sc = {
		.policy = c->policy, .max_queues = a->nq,
		.qsize = c->qsize, .rate_bps = c->rate_bps,
		.overhead = c->overhead, .socket_id = c->socket_id,
	};
	struct pk_sched_queue_conf qc = { .stage = NULL };
	char sname[PK_STAGE_NAMESIZE];
	uint32_t i;
	int rc;

	snprintf(sname, sizeof(sname), "%.20s.sched", a->name);
	a->sched = pk_sched_create(sname, &sc);
	if (a->sched == NULL)
		return -rte_errno;
	for (i = 0; i < a->nq; i++) { /* ids are 0..nq-1, in order */
		qc.param = c->params != NULL ? c->params[i] :
					      PK_SCHED_PARAM_DEFAULT;
		rc = pk_sched_queue_attach(a->sched, &qc);
		if (rc < 0)
			return rc;
	}
	/* an internal queue keeps one packet in its head slot too */
	a->qroom = c->qsize;
	if (c->clock != NULL)
		return pk_sched_set_clock(a->sched, c->clock, c->clock_arg,
					  c->clock_hz);
	return 0;
}

static int
arb_build(struct pk_arbiter *a)
{
	const struct pk_arbiter_conf *c = &a->conf;
	char sname[PK_STAGE_NAMESIZE];
	uint32_t i;
	int rc;

	a->classify = c->classify;
	a->classify_arg = c->classify_arg;
	a->nq = c->classify != NULL ? c->nb_queues : c->nb_clients;
	rc = arb_client_field(a);
	if (rc != 0)
		return rc;
	a->mb = rte_zmalloc_socket(a->name, c->nb_clients * sizeof(*a->mb), 0,
				   c->socket_id);
	a->cl = rte_zmalloc_socket(a->name, c->nb_clients * sizeof(*a->cl), 0,
				   c->socket_id);
	a->cnt = rte_zmalloc_socket(a->name, c->nb_clients * sizeof(*a->cnt),
				    RTE_CACHE_LINE_SIZE, c->socket_id);
	if (a->mb == NULL || a->cl == NULL || a->cnt == NULL)
		return -ENOMEM;
	for (i = 0; i < c->nb_clients; i++) {
		snprintf(sname, sizeof(sname), "%.16s.mb%u", a->name, i);
		a->mb[i] = arb_mailbox(a, sname, c->mailbox_size, c->mailbox);
		if (a->mb[i] == NULL)
			return -rte_errno;
		a->nb = i + 1;
		if (a->classify == NULL)
			continue;
		a->cl[i].wait = rte_malloc_socket(a->name, c->burst *
						  sizeof(*a->cl[i].wait), 0,
						  c->socket_id);
		if (a->cl[i].wait == NULL)
			return -ENOMEM;
	}
	if (a->classify != NULL) {
		a->waiters = rte_malloc_socket(a->name, c->nb_clients *
					       sizeof(*a->waiters), 0,
					       c->socket_id);
		a->served = rte_malloc_socket(a->name, c->nb_clients *
					      sizeof(*a->served), 0,
					      c->socket_id);
		if (a->waiters == NULL || a->served == NULL)
			return -ENOMEM;
	}
	if (c->dispatch == PK_ARBITER_DISPATCH_THREAD) {
		snprintf(sname, sizeof(sname), "%.20s.disp", a->name);
		a->ring = arb_mailbox(a, sname, c->ring_size, c->mailbox);
		if (a->ring == NULL)
			return -rte_errno;
	}
	rc = arb_build_sched(a);
	if (rc != 0)
		return rc;
	a->out = c->out;
	a->burst = c->burst;
	a->built = true;
	return 0;
}

struct pk_arbiter *
pk_arbiter_create(const char *name, const struct pk_arbiter_conf *conf)
{
	struct pk_arbiter *a;
	int rc;

	if (name == NULL || name[0] == '\0' || conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	a = rte_zmalloc_socket(name, sizeof(*a), RTE_CACHE_LINE_SIZE,
			       conf->socket_id);
	if (a == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	strlcpy(a->name, name, sizeof(a->name));
	a->conf = *conf;
	rc = arb_conf_check(name, &a->conf);
	if (rc == 0)
		rc = arb_build(a);
	if (rc != 0) {
		PK_LOG(ERR, "%s: cannot create the arbiter: %s", name,
		       rte_strerror(-rc));
		pk_arbiter_destroy(a);
		rte_errno = -rc;
		return NULL;
	}
	/* names need not be unique: telemetry shows the first of a name */
	pk_registry_add(&live_arbiters, &a->live, a->name, false);
	return a;
}
