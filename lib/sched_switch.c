/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched policy switch (pk_sched_policy_set()), as dummynet reconfigures
 * a running scheduler: the queues stay, the policy is replaced.
 *
 * The new policy gets records of its own: a second record array, the core's
 * 32 bytes of each queue copied into it and the policy's area zeroed, so
 * that the new policy takes every queue (queue_add) before the old one lets
 * any go. If the new one refuses a queue, its records are dropped and the
 * old policy never noticed: nothing changed. Otherwise the scheduler moves
 * to the new records in a few stores, the backlogged queues are enqueued
 * with their heads (and, for a queue manager, each held packet arrives),
 * and the old policy lets go of the old records, which nothing else reads
 * any more, and is finalised.
 *
 * Readers on other threads (statistics, telemetry) read records while a
 * switch runs: record arrays are never freed before destroy (the old one
 * is kept as the next switch's spare, one outgrown is retired), they only
 * grow, and qbase is stored before qshift, so that a reader that takes the
 * shift first (sched_records_read()) stays inside a live array.
 *
 * A queue manager keeps each FIFO slot's arrival time after the slots: the
 * first switch to one gives every internal queue a slab twice the size
 * (allocated by prepare, filled by commit); they stay (fifo_ts) when the
 * scheduler leaves it.
 *
 * The checks and allocations (pk_sched_switch_prepare()) are in
 * sched_switch_prep.c; the struct both halves share in sched_switch_pvt.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include <pathkit/pk_log.h>

#include "sched_switch_pvt.h"

static inline struct pk_sched_q *
sw_q(uint8_t *base, uint32_t shift, uint32_t id)
{
	return (struct pk_sched_q *)(base + ((size_t)id << shift));
}

/* Queue q's parameter under the new policy. */
static uint32_t
sw_param(const struct sched_switch *w, uint32_t id, uint32_t old)
{
	if (id < w->nb_params)
		return w->params[id];
	if (old >= w->pol->param_min && old <= w->pol->param_max)
		return old;
	return w->pol->param_default;
}

/*
 * Queue q's FIFO into the new slabs, with its slots' arrival times: now,
 * or those it had (a queue manager's, kept).
 */
static void
sw_fifo_move(const struct pk_sched *sc, const struct sched_switch *w,
	     uint32_t id, struct pk_sched_q *q, uint64_t now, bool keep_ts)
{
	uint32_t qsize = sc->qmask + 1, i;
	uint64_t *f = q->fifo;

	if (w->slabs != NULL)
		f = w->slabs[id / SCHED_SLAB_QUEUES] +
		    (size_t)(id % SCHED_SLAB_QUEUES) * qsize * 2;
	for (i = q->fhead; i != q->ftail; i = (i + 1) & sc->qmask) {
		f[i] = q->fifo[i];
		if (!keep_ts)
			f[qsize + i] = now;
	}
	q->fifo = f;
}

/* Roll back the first n queue_adds of the new policy. */
static void
sw_unadd(struct pk_sched *sc, struct sched_switch *w, uint32_t n)
{
	uint32_t id;
	struct pk_sched_q *q;

	for (id = 0; id < n; id++) {
		q = sw_q(w->qbase, w->qshift, id);
		if ((q->flags & SCHED_Q_ATTACHED) && w->pol->queue_remove)
			w->pol->queue_remove(w->sp, q);
	}
	RTE_SET_USED(sc);
}

/* The new policy takes every queue; -ENOSPC etc. if it refuses one. */
static int
sw_adopt(struct pk_sched *sc, struct sched_switch *w, uint64_t now)
{
	const bool to_aqm = (w->pol->flags & PK_SCHED_POL_AQM) != 0;
	const size_t priv = ((size_t)1 << w->qshift) - sizeof(struct pk_sched_q);
	struct pk_sched_q *o, *q;
	uint32_t id;
	int rc;

	for (id = 0; id < sc->next_id; id++) {
		o = sched_q(sc, id);
		q = sw_q(w->qbase, w->qshift, id);
		memcpy(q, o, sizeof(*q));
		memset(q->priv, 0, priv);
		if (!(q->flags & SCHED_Q_ATTACHED))
			continue;
		q->param = sw_param(w, id, o->param);
		if (to_aqm) {
			if (!(q->flags & SCHED_Q_STAGE))
				sw_fifo_move(sc, w, id, q, now, sc->aqm);
			((struct pk_sched_aqm_q *)q->priv)->head_ts = sc->aqm ?
				pk_sched_q_head_ts(o) : now;
		}
		if (w->pol->queue_add != NULL &&
		    (rc = w->pol->queue_add(w->sp, q)) != 0) {
			sw_unadd(sc, w, id);
			return rc;
		}
	}
	return 0;
}

/* The length of FIFO slot i's packet, as the policies see it. */
static inline uint32_t
sw_slot_len(const struct pk_sched *sc, uint64_t e)
{
	if (e >> 48 == 0)
		return sched_len(sc, (const struct rte_mbuf *)(uintptr_t)e);
	return (uint32_t)(e >> 48);
}

/* Each backlogged queue joins the new policy; a queue manager sees each
 * held packet arrive. */
static void
sw_enqueue_all(struct pk_sched *sc)
{
	bool over = false;
	struct pk_sched_q *q;
	uint32_t id, i;

	for (id = 0; id < sc->next_id; id++) {
		q = sched_q(sc, id);
		if (!(q->flags & SCHED_Q_ATTACHED) || q->head == NULL)
			continue;
		sc->pol->enqueue(sc->sp, q);
		if (!sc->aqm)
			continue;
		over |= sc->pol->arrive(sc->sp, q, q->len);
		for (i = q->fhead; i != q->ftail; i = (i + 1) & sc->qmask)
			over |= sc->pol->arrive(sc->sp, q,
						sw_slot_len(sc, q->fifo[i]));
	}
	if (over)
		pk_sched_aqm_overflow(sc);
}

int
pk_sched_switch_commit(struct pk_sched *sc, struct sched_switch *w)
{
	const bool to_aqm = (w->pol->flags & PK_SCHED_POL_AQM) != 0;
	uint64_t now = 0;
	int rc;

	if (to_aqm)
		now = (uint64_t)(((unsigned __int128)sc->clock(sc->clock_arg) *
				  sc->ns_mult) >> 32);
	rc = sw_adopt(sc, w, now);
	if (rc != 0)
		return rc;
	w->committed = true;
	w->old_pol = sc->pol;
	w->old_sp = sc->sp;
	w->old_qbase = sc->qbase;
	w->old_qshift = sc->qshift;
	/* the classifier follows the policy only if it was the policy's */
	if (sc->classify != NULL && sc->classify == sc->pol->classify &&
	    sc->classify_arg == (void *)(uintptr_t)sc->max_queues &&
	    w->pol->classify != NULL)
		sc->classify = w->pol->classify;
	sc->pol = w->pol;
	sc->sp = w->sp;
	sc->update_dequeue = w->pol->update_dequeue;
	sc->aqm = to_aqm;
	sc->aqm_conf = w->aqm;
	snprintf(sc->policy, sizeof(sc->policy), "%s", w->pol->name);
	if (w->slabs != NULL) {
		w->old_slabs = sc->slabs;
		sc->slabs = w->slabs;
		w->slabs = NULL;
		sc->fifo_ts = true;
	}
	/* readers: qbase first, then its shift (sched_records_read()) */
	__atomic_store_n(&sc->qbase, w->qbase, __ATOMIC_RELEASE);
	__atomic_store_n(&sc->qshift, w->qshift, __ATOMIC_RELEASE);
	sc->qspare = w->old_qbase;
	sc->qspare_size = sc->qbase_size;
	sc->qbase_size = w->qsize;
	if (w->retire != NULL)
		sc->qretired[sc->nb_qretired++] = w->retire;
	sc->stage.push = to_aqm ? pk_sched_aqm_push : pk_sched_push;
	if (to_aqm)
		sc->stage.pull = pk_sched_aqm_pull; /* shapes if rate is set */
	else
		sc->stage.pull = sc->rate_bps != 0 ? pk_sched_pull_shaped :
						      pk_sched_pull;
	sw_enqueue_all(sc);
	return 0;
}

void
pk_sched_switch_finish(struct pk_sched *sc, struct sched_switch *w)
{
	struct pk_sched_q *q;
	uint32_t id;

	if (w == NULL)
		return;
	if (!w->committed) {
		/* refused: the new policy and the records it had */
		if (w->qbase != sc->qspare)
			rte_free(w->qbase);
		sched_switch_free(sc, w);
		return;
	}
	/* the old policy lets go of its records, now nobody else's */
	for (id = 0; id < sc->next_id; id++) {
		q = sw_q(w->old_qbase, w->old_qshift, id);
		if (!(q->flags & SCHED_Q_ATTACHED))
			continue;
		if (q->head != NULL)
			w->old_pol->deactivate(w->old_sp, q);
		if (w->old_pol->queue_remove != NULL)
			w->old_pol->queue_remove(w->old_sp, q);
	}
	if (w->old_pol->fini != NULL)
		w->old_pol->fini(w->old_sp);
	rte_free(w->old_sp);
	sched_switch_free_slabs(sc, w->old_slabs);
	sched_switch_free(sc, w);
}

void
pk_sched_set_drop_hook(struct pk_stage *s, pk_sched_drop_hook_t fn, void *arg)
{
	struct pk_sched *sc = sched_check(s);

	if (sc == NULL)
		return;
	sc->drop_hook = fn;
	sc->drop_hook_arg = arg;
}

int
pk_sched_policy_set(struct pk_stage *s, const struct pk_sched_switch_conf *c)
{
	struct pk_sched *sc = sched_check(s);
	char err[256] = "";
	struct sched_switch *w;
	int rc;

	if (sc == NULL)
		return -EINVAL;
	rc = pk_sched_switch_prepare(sc, c, &w, err, sizeof(err));
	if (rc == 0) {
		rc = pk_sched_switch_commit(sc, w);
		if (rc != 0)
			snprintf(err, sizeof(err), "%s refuses the queues: %s",
				 w->pol->name, strerror(-rc));
		pk_sched_switch_finish(sc, w);
	}
	if (rc != 0)
		PK_LOG(ERR, "%s: policy not switched: %s", s->name, err);
	return rc;
}
