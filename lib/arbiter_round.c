/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arbiter's round: drain the client mailboxes, classify, enqueue into
 * the scheduler, release what the emulated link allows, hand it over to
 * the output (arbiter_pvt.h: arb_txq_push()). One thread runs rounds: the
 * arbiter lcore (pk_arbiter_main()), or the caller (pk_arbiter_run()).
 *
 * Per-client queues (the default): the scheduler has one internal queue per
 * client (queue id = client). The scheduler writes that id as the packet's
 * scheduler queue as it stores it (pk_sched_push_queue()), and the arbiter
 * keeps a private backlog count per client so that it never drains more
 * than the client's scheduler queue can take: a backlogged client fills
 * its mailbox and sees short pushes, nothing is dropped inside. The client
 * of a packet is that same field.
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
#include <string.h>

#include <rte_cycles.h>
#include <rte_prefetch.h>

#include <pathkit/pk_sched.h>

#include "arbiter_pvt.h"

/*
 * Ask for the mbufs of a burst just taken from a mailbox at once: they are
 * cold (the client wrote them last, on another core), and the loop that
 * tags them would otherwise wait for each in turn.
 */
static inline void
arb_prefetch(struct rte_mbuf *const *m, uint16_t k)
{
	uint16_t i;

	for (i = 0; i + 4 <= k; i += 4) { /* a test per four, as the scan's */
		rte_prefetch0(m[i]);
		rte_prefetch0(m[i + 1]);
		rte_prefetch0(m[i + 2]);
		rte_prefetch0(m[i + 3]);
	}
	for (; i < k; i++)
		rte_prefetch0(m[i]);
}

/*
 * Every round looks at every mailbox, most of them empty or cold when
 * clients are many: the drain tells an empty queue_ring mailbox by one
 * index of its ring (struct arb_poll), without a pull, and asks for that
 * line a few clients ahead.
 */
static inline void
arb_mailbox_prefetch(const struct arb_poll *poll, uint32_t c)
{
	rte_prefetch0((const void *)(uintptr_t)poll[c + ARB_MB_PREFETCH].tail);
}

static inline bool
arb_mailbox_empty(const struct arb_poll *p)
{
	return __atomic_load_n(p->tail, __ATOMIC_RELAXED) == p->cons;
}

/* Pull from client c's mailbox, keeping its ring's consumer index. */
static inline uint16_t
arb_mailbox_pull(struct pk_arbiter *a, uint32_t c, struct rte_mbuf **m,
		 uint16_t max)
{
	struct arb_poll *p = &a->poll[c];
	uint16_t k = pk_stage_pull(a->mb[c], m, max);

	if (likely(p->tail != &a->no_ring)) /* else cons stays: never empty */
		p->cons += k;
	return k;
}

/*
 * Of the clients whose bits are set in bits (word w of a->room), those
 * whose mailbox is not empty. Most looks find an empty mailbox when
 * clients are many or idle: this loop calls nothing and tests no
 * pointer, so that each look is a few instructions on values kept in
 * registers (the pulls, with their calls, come after, on the bits it
 * returns).
 */
static inline uint64_t
arb_mailboxes_ready(const struct arb_poll *poll, uint32_t w, uint64_t bits)
{
	const struct arb_poll *p = &poll[w * 64];
	uint64_t ready = 0, b;
	uint32_t c;

	/*
	 * Every client of the word has room (all 64 exist then): the usual
	 * case once the scheduler drains faster than clients fill, when most
	 * looks find an empty mailbox. In order, without a bit search.
	 */
	if (bits == UINT64_MAX) {
		/* four looks per test of c: the loop's own cost was a third */
		for (c = 0; c < 64; c += 4) {
			arb_mailbox_prefetch(p, c);
			arb_mailbox_prefetch(p, c + 1);
			arb_mailbox_prefetch(p, c + 2);
			arb_mailbox_prefetch(p, c + 3);
			if (!arb_mailbox_empty(&p[c])) /* the rarer */
				ready |= RTE_BIT64(c);
			if (!arb_mailbox_empty(&p[c + 1]))
				ready |= RTE_BIT64(c + 1);
			if (!arb_mailbox_empty(&p[c + 2]))
				ready |= RTE_BIT64(c + 2);
			if (!arb_mailbox_empty(&p[c + 3]))
				ready |= RTE_BIT64(c + 3);
		}
		return ready;
	}
	for (; bits != 0; bits &= bits - 1) {
		b = bits & -bits;
		c = w * 64 + rte_bsf64(bits);
		arb_mailbox_prefetch(poll, c);
		if (!arb_mailbox_empty(&poll[c]))
			ready |= b;
	}
	return ready;
}

/*
 * Per-client queues: take from every mailbox a bounded burst, no more than
 * its client's scheduler queue has room for, and store it in that queue
 * whole (the tag is the queue: no classifying packet by packet).
 */
static uint32_t
arb_drain_clients(struct pk_arbiter *a)
{
	const uint32_t words = (a->nb + 63) / 64, qroom = a->qroom;
	struct arb_poll *poll = a->poll;
	struct rte_mbuf *m[ARB_MAX_BURST];
	uint32_t w, c, total = 0;
	uint16_t k, took;
	uint64_t bits;

	for (w = 0; w < words; w++) {
		/* backlogged clients' bits are clear: their mailboxes wait */
		bits = arb_mailboxes_ready(poll, w, a->room[w]);
		for (; bits != 0; bits &= bits - 1) {
			c = w * 64 + rte_bsf64(bits);
			k = arb_mailbox_pull(a, c, m, RTE_MIN(
				qroom - poll[c].backlog, a->burst));
			if (k == 0)
				continue;
			arb_prefetch(m, k);
			/* queue id = client: the push tags each with it */
			took = pk_sched_push_queue(a->sched, c, m, k);
			if (unlikely(took != k)) { /* room was checked */
				pk_counter_add(&a->cl[c].dropped, k - took);
				rte_pktmbuf_free_bulk(&m[took], k - took);
			}
			pk_counter_add(&a->cl[c].scheduled, took);
			poll[c].backlog += took;
			if (poll[c].backlog == qroom)
				a->room[w] &= ~RTE_BIT64(c % 64);
			a->inside += took;
			total += k;
		}
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

	pk_counter_add(&cl->scheduled, took);
	a->inside += took;
	if (unlikely(n != took)) { /* refused ones are m[took..n) */
		memmove(cl->wait, &m[took], (n - took) * sizeof(*m));
		pk_counter_add(&a->st.queue_full, n - took);
	}
	arb_nwait_set(cl, n - took);
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
		arb_mailbox_prefetch(a->poll, c);
		cl = &a->cl[c];
		if (unlikely(cl->nwait != 0) || arb_mailbox_empty(&a->poll[c]))
			continue;
		k = arb_mailbox_pull(a, c, m, a->burst);
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

/*
 * Release what the link allows now into the arbiter's held output, and
 * count it per client: with per-client queues that is the backlog that
 * limits what arb_drain_clients() takes, and for every arbiter what the
 * client has inside (pk_arbiter_client_stats_get()).
 */
static uint16_t
arb_release(struct pk_arbiter *a, uint64_t now)
{
	struct arb_txq *q = &a->atx;
	const struct sched_run *run;
	uint16_t n, r, start;
	uint32_t c;

	if (q->n != 0)
		return 0; /* the output is behind: the link waits for it */
	n = pk_sched_pull_at(a->sched, q->m, ARB_OUT_BURST, now,
			     q->noted ? q->runs : NULL, &q->nr);
	q->n = n;
	q->r0 = 0;
	if (!q->noted)
		arb_txq_runs_read(a, q);
	a->inside -= n;
	/* the release and the transmitter count the same runs */
	for (r = 0, start = 0; r < q->nr; start = run->end, r++) {
		run = &q->runs[r];
		c = run->qid;
		pk_counter_add(&a->cl[c].released, run->end - start);
		if (!q->noted)
			continue;
		a->poll[c].backlog -= run->end - start; /* per-client queues */
		a->room[c / 64] |= RTE_BIT64(c % 64);
	}
	return n;
}

/*
 * One round: drain, schedule, release, hand over. now is the TSC of the
 * last reading (arb_clock()), the shaper's time. @return packets released
 */
static uint16_t
arb_round(struct pk_arbiter *a, uint64_t now)
{
	uint32_t drained;
	uint16_t rel;

	/* a policy switch the control thread asks for: between rounds */
	if (unlikely(__atomic_load_n(&a->sw, __ATOMIC_ACQUIRE) != NULL))
		pk_arbiter_switch_run(a);
	drained = a->classify != NULL ? arb_drain_flows(a) :
					arb_drain_clients(a);

	rel = arb_release(a, now);
	if (a->ring != NULL) /* the dispatcher's ring: wait, never drop */
		arb_txq_push(a, &a->atx, a->ring, false, 0);
	else
		arb_txq_push(a, &a->atx, a->out, true, a->conf.tx_retries);
	pk_counter_add(&a->st.rounds, 1);
	if (drained == 0 && rel == 0)
		pk_counter_add(&a->st.empty_rounds, 1);
	pk_counter_add(&a->st.drained, drained);
	pk_counter_add(&a->st.released, rel);
	return rel;
}

/*
 * After a round: whether to read the clock. Every round when the scheduler
 * takes the round's time (a shaper or a queue manager on the TSC, checked
 * each round: ctl may set a rate at any time); else only for loop_cycles,
 * every ARB_CLOCK_ROUNDS rounds, since rte_rdtsc() costs 26-68 cycles on a
 * VM and a round of 32 decisions about 2000. A shaper set meanwhile gets a
 * time before its reset once, which credits nothing (sched_tokens_refill()).
 */
static inline bool
arb_clock_due(struct pk_arbiter *a)
{
	return pk_sched_pull_at_wants_tsc(a->sched) ||
	       (++a->clock_rounds & (ARB_CLOCK_ROUNDS - 1)) == 0;
}

/* Read the TSC; the rounds since t, the last reading, spent it. */
static inline uint64_t
arb_clock(struct pk_arbiter *a, uint64_t t)
{
	uint64_t t1 = rte_rdtsc();

	pk_counter_add(&a->st.loop_cycles, t1 - t);
	return t1;
}

int64_t
pk_arbiter_run(struct pk_arbiter *a, uint64_t rounds)
{
	bool read = true;
	int64_t rel = 0;
	uint64_t i, t;

	if (a == NULL)
		return -EINVAL;
	if (a->launched)
		return -EBUSY;
	t = rte_rdtsc();
	for (i = 0; i < rounds; i++) {
		rel += arb_round(a, t);
		read = arb_clock_due(a);
		if (read)
			t = arb_clock(a, t);
	}
	if (!read) /* the rounds since the last reading */
		arb_clock(a, t);
	return rel;
}

int
pk_arbiter_main(void *arg)
{
	struct pk_arbiter *a = arg;
	uint64_t t = rte_rdtsc();

	while (!__atomic_load_n(&a->quit, __ATOMIC_ACQUIRE)) {
		arb_round(a, t);
		if (arb_clock_due(a))
			t = arb_clock(a, t);
	}
	arb_clock(a, t);
	return 0;
}

/* Packets anywhere inside the arbiter (exact once the loops are stopped). */
static uint64_t
arb_held(struct pk_arbiter *a)
{
	uint64_t held = a->atx.n - a->atx.off + a->dtx.n - a->dtx.off;
	uint32_t c;

	/* the scheduler's own count: a queue manager drops inside it */
	held += pk_stage_len(a->sched);
	for (c = 0; c < a->nb; c++)
		held += pk_stage_len(a->mb[c]) + a->cl[c].nwait;
	if (a->ring != NULL)
		held += pk_stage_len(a->ring);
	return held;
}

/* Send everything still held, unshaped; stuck output drops (counted). */
void
pk_arbiter_flush(struct pk_arbiter *a)
{
	const struct pk_arbiter_conf *c = &a->conf;
	uint64_t t;

	pk_sched_set_shaper(a->sched, 0, 0, 0);
	t = rte_rdtsc(); /* no shaper now: for loop_cycles, and AQM's time */
	while (arb_held(a) != 0) {
		arb_round(a, t);
		t = arb_clock(a, t);
		if (a->ring != NULL)
			arb_dispatch_pass(a); /* the loops have stopped */
	}
	if (c->rate_bps != 0)
		pk_sched_set_shaper(a->sched, c->rate_bps, c->overhead, 0);
	if (c->clock != NULL)
		pk_sched_set_clock(a->sched, c->clock, c->clock_arg,
				   c->clock_hz);
}
