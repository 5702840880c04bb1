/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arbiter's output and its dispatcher. Released packets wait in a held
 * output (struct arb_txq) until the output takes them: the arbiter's own
 * (atx), pushed into the output directly or into the ring to the
 * dispatcher, and the dispatcher's (dtx), filled from that ring. The
 * transmitting thread counts sent and dropped per client; a held burst the
 * output refuses tx_retries times in a row is freed and counted here. The
 * statistics readers are here too: they read what the transmitters and the
 * arbiter count, from any thread, and add up from those counts what each
 * client has inside (held) without touching the loops' held bursts.
 */
#include <errno.h>

#include <rte_pause.h>

#include "arbiter_pvt.h"

/* Cold: the output refused the held packets tx_retries times in a row. */
void
pk_arbiter_txq_drop(struct pk_arbiter *a, struct arb_txq *q, bool count)
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
	q->r0 = q->nr = 0;
	q->fails = 0;
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

int
pk_arbiter_dispatcher_main(void *arg)
{
	struct pk_arbiter *a = arg;

	while (!__atomic_load_n(&a->quit, __ATOMIC_ACQUIRE))
		if (arb_dispatch_pass(a) == 0)
			rte_pause();
	return 0;
}

/* a - b, or 0 when a reader saw b move before a (a loop is running). */
static inline uint64_t
arb_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Where client i's packets are held now, in the four parts of the stats. */
struct arb_held {
	uint64_t mailbox, sched, wait, output;
};

/*
 * Read client i's counts and what it has inside, from the end of the line
 * back (sent and dropped first, what its mailbox took last), so that no
 * part comes out negative: released - sent - dropped is what the output
 * has not taken yet, scheduled - released the scheduler's backlog. Exact
 * when nothing moves; otherwise off by the packets that moved meanwhile.
 */
static void
arb_client_read(const struct pk_arbiter *a, uint32_t i,
		struct pk_arbiter_client_stats *st, struct arb_held *h)
{
	const struct arb_client *cl = &a->cl[i];
	uint64_t odrop, rel, sdrop;
	struct pk_stage_stats ms;

	st->sent = pk_counter_load(&a->cnt[i].sent);
	st->bytes = pk_counter_load(&a->cnt[i].bytes);
	odrop = pk_counter_load(&a->cnt[i].dropped);
	rel = pk_counter_load(&cl->released);
	/* what the scheduler dropped left it, as what it released did */
	sdrop = pk_counter_load(&cl->sched_dropped);
	st->dropped = odrop + pk_counter_load(&cl->dropped) + sdrop;
	h->output = arb_sub(rel, st->sent + odrop);
	h->sched = arb_sub(pk_counter_load(&cl->scheduled), rel + sdrop);
	h->wait = __atomic_load_n(&cl->nwait, __ATOMIC_RELAXED);
	pk_stage_stats_get(a->mb[i], &ms);
	h->mailbox = ms.held;
	st->admitted = ms.in_pkts;
	st->rejected = ms.refused[PK_DROP_FULL];
	st->held = h->mailbox + h->sched + h->wait + h->output;
}

int
pk_arbiter_client_stats_get(const struct pk_arbiter *a, uint32_t i,
			    struct pk_arbiter_client_stats *st)
{
	struct arb_held h;

	if (a == NULL || st == NULL || i >= a->nb)
		return -EINVAL;
	arb_client_read(a, i, st, &h);
	return 0;
}

int
pk_arbiter_stats_get(const struct pk_arbiter *a, struct pk_arbiter_stats *st)
{
	struct pk_arbiter_client_stats cs;
	struct arb_held h;
	uint32_t i;

	if (a == NULL || st == NULL)
		return -EINVAL;
	st->rounds = pk_counter_load(&a->st.rounds);
	st->empty_rounds = pk_counter_load(&a->st.empty_rounds);
	st->drained = pk_counter_load(&a->st.drained);
	st->released = pk_counter_load(&a->st.released);
	st->loop_cycles = pk_counter_load(&a->st.loop_cycles);
	st->tx_retries = pk_counter_load(&a->st.tx_retries);
	st->queue_full = pk_counter_load(&a->st.queue_full);
	st->dropped_aqm = pk_counter_load(&a->st.dropped_aqm);
	st->dropped_full = pk_counter_load(&a->st.dropped_full);
	st->held = st->held_mailboxes = st->held_sched = 0;
	st->held_wait = st->held_output = 0;
	for (i = 0; i < a->nb; i++) { /* the sums of the clients' parts */
		arb_client_read(a, i, &cs, &h);
		st->held += cs.held;
		st->held_mailboxes += h.mailbox;
		st->held_sched += h.sched;
		st->held_wait += h.wait;
		st->held_output += h.output;
	}
	return 0;
}
