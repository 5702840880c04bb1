/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched queues: attach (a stage queue, or an internal FIFO from a slab of
 * 64), detach, parameter changes, lengths, and freeing an internal queue's
 * packets. Control path: the scheduler's thread, between bursts.
 */
#include <errno.h>
#include <string.h>

#include <pathkit/pk_log.h>

#include "sched_pvt.h"

static unsigned int
sched_q_len(const struct pk_sched *sc, const struct pk_sched_q *q)
{
	unsigned int len = q->head != NULL ? 1 : 0;

	if (q->flags & SCHED_Q_STAGE)
		return len + pk_stage_len(q->stage);
	return len + sched_q_fifo_len(sc, q);
}

unsigned int
pk_sched_len(const struct pk_stage *s)
{
	const struct pk_sched *sc = (const struct pk_sched *)s;
	unsigned int id, len = 0;
	struct pk_sched_q *q;

	for (id = 0; id < sc->next_id; id++) {
		q = sched_q(sc, id);
		if (q->flags & SCHED_Q_ATTACHED)
			len += sched_q_len(sc, q);
	}
	return len;
}

/*
 * Packets the scheduler counted in and holds: head slots, internal FIFOs,
 * and what its push stored in stage queues not yet pulled back. Exact when
 * the scheduler is quiescent; from another thread while it runs, a recent
 * approximation (plain reads of single-writer fields, no lock).
 */
uint64_t
pk_sched_held(const struct pk_stage *s)
{
	const struct pk_sched *sc = (const struct pk_sched *)s;
	const struct pk_sched_q *q;
	uint64_t held = 0;
	uint32_t id, shift;
	const uint8_t *base = sched_records_read(sc, &shift);

	for (id = 0; id < sc->next_id; id++) {
		q = sched_record_at(base, shift, id);
		if (!(q->flags & SCHED_Q_ATTACHED))
			continue;
		held += q->head != NULL ? 1 : 0;
		if (q->flags & SCHED_Q_STAGE)
			held += sc->cold[id].pushed;
		else
			held += sched_q_fifo_len(sc, q);
	}
	return held;
}

void
pk_sched_q_purge(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint64_t k = 0;

	if (q->head != NULL) {
		rte_pktmbuf_free(q->head);
		k++;
	}
	while (q->fhead != q->ftail) {
		sched_q_fifo_pop(sc, q);
		rte_pktmbuf_free(q->head);
		k++;
	}
	q->head = NULL;
	q->len = 0;
	pk_stage_count_drop(&sc->stage.out, PK_DROP_POLICY, k);
}

static bool
sched_param_ok(const struct pk_sched *sc, uint32_t param)
{
	return param >= sc->pol->param_min && param <= sc->pol->param_max;
}

/* An internal FIFO's slots: from the slab of its 64 ids. */
static int
sched_q_fifo(struct pk_sched *sc, struct pk_sched_q *q)
{
	uint32_t id = sched_q_id(sc, q), qsize = sc->qmask + 1;
	uint32_t slab = id / SCHED_SLAB_QUEUES;

	if (sc->slabs[slab] == NULL) {
		/* a queue manager's: each slot's arrival time after them */
		sc->slabs[slab] = sched_zalloc(sc, (size_t)SCHED_SLAB_QUEUES *
					       qsize * sizeof(uint64_t) *
					       (sc->fifo_ts ? 2 : 1));
		if (sc->slabs[slab] == NULL)
			return -ENOMEM;
	}
	/* fifo_ts, not aqm: a switch away from a queue manager keeps them */
	q->fifo = sc->slabs[slab] + (size_t)(id % SCHED_SLAB_QUEUES) * qsize *
		  (sc->fifo_ts ? 2 : 1);
	q->fpos = 0;
	return 0;
}

static int
sched_stage_attached(const struct pk_sched *sc, const struct pk_stage *st)
{
	uint32_t id;

	for (id = 0; id < sc->next_id; id++) {
		const struct pk_sched_q *q = sched_q(sc, id);

		if ((q->flags & SCHED_Q_STAGE) && q->stage == st)
			return -EEXIST;
	}
	return 0;
}

static int
sched_attach_check(const struct pk_sched *sc,
		   const struct pk_sched_queue_conf *qc, uint32_t param)
{
	const struct pk_stage *st = qc->stage;

	if (!sched_param_ok(sc, param)) {
		PK_LOG(ERR, "%s: %s queue parameter %u not in %u..%u",
		       sc->stage.name, sc->policy, param, sc->pol->param_min,
		       sc->pol->param_max);
		return -EINVAL;
	}
	if (st != NULL && (st == &sc->stage || !(st->caps & PK_STAGE_CAP_PULL))) {
		PK_LOG(ERR, "%s: cannot pull from %s", sc->stage.name, st->name);
		return -EINVAL;
	}
	if (st != NULL && sc->aqm) {
		PK_LOG(ERR, "%s: %s takes internal queues only", sc->stage.name,
		       sc->policy);
		return -EINVAL;
	}
	if (sc->nb_free == 0 && sc->next_id == sc->max_queues) {
		PK_LOG(ERR, "%s: all %u queues in use", sc->stage.name,
		       sc->max_queues);
		return -ENOSPC;
	}
	return st != NULL ? sched_stage_attached(sc, st) : 0;
}

int
pk_sched_queue_attach(struct pk_stage *s, const struct pk_sched_queue_conf *qc)
{
	struct pk_sched *sc = sched_check(s);
	struct pk_sched_q *q;
	uint32_t param, id;
	int rc;

	if (sc == NULL || qc == NULL)
		return -EINVAL;
	param = qc->param == PK_SCHED_PARAM_DEFAULT ?
		sc->pol->param_default : qc->param;
	rc = sched_attach_check(sc, qc, param);
	if (rc != 0)
		return rc;
	id = sc->nb_free > 0 ? sc->free_ids[sc->nb_free - 1] : sc->next_id;
	q = sched_q(sc, id);
	memset(q, 0, (size_t)1 << sc->qshift);
	q->param = param;
	if (qc->stage != NULL) {
		q->stage = qc->stage;
		q->flags = SCHED_Q_STAGE;
		sc->cold[id].pushed = 0;
	} else if ((rc = sched_q_fifo(sc, q)) != 0) {
		return rc;
	}
	if (sc->pol->queue_add != NULL &&
	    (rc = sc->pol->queue_add(sc->sp, q)) != 0) {
		PK_LOG(ERR, "%s: %s refuses a queue of parameter %u: %s",
		       s->name, sc->policy, param, strerror(-rc));
		return rc;
	}
	q->flags |= SCHED_Q_ATTACHED;
	if (sc->nb_free > 0)
		sc->nb_free--;
	else
		sc->next_id++;
	sc->nb_queues++;
	if (qc->stage != NULL) {
		sc->nb_stage_queues++;
		sched_idle_add(sc, q); /* polled from the next pull */
	}
	return (int)id;
}

/*
 * Find attached queue qid of sc and take it out of the policy's active set
 * if it is backlogged (its head slot stays full).
 * @return 0 with *qp set, -EINVAL (sc NULL), -ENOENT (no such queue).
 */
static int
sched_q_leave(struct pk_sched *sc, uint32_t qid, struct pk_sched_q **qp)
{
	struct pk_sched_q *q;

	if (sc == NULL)
		return -EINVAL;
	q = sched_q_find(sc, qid);
	if (q == NULL)
		return -ENOENT;
	if (q->head != NULL)
		sc->pol->deactivate(sc->sp, q);
	*qp = q;
	return 0;
}

int
pk_sched_queue_detach(struct pk_stage *s, uint32_t qid, struct rte_mbuf **head)
{
	struct pk_sched *sc = sched_check(s);
	struct pk_sched_q *q;
	int rc;

	if (head != NULL)
		*head = NULL;
	rc = sched_q_leave(sc, qid, &q);
	if (rc != 0)
		return rc;
	if (sc->pol->queue_remove != NULL)
		sc->pol->queue_remove(sc->sp, q);
	if (!(q->flags & SCHED_Q_STAGE)) {
		pk_sched_q_purge(sc, q);
	} else {
		if (q->flags & SCHED_Q_POLLED)
			sched_idle_remove(sc, q);
		/* the head and what push stored leave with the queue: out */
		if (head != NULL && q->head != NULL) {
			*head = q->head;
			pk_counter_add(&s->out.pkts, 1);
		} else if (q->head != NULL) {
			pk_stage_drop(&s->out, PK_DROP_POLICY, q->head);
		}
		pk_counter_add(&s->out.pkts, sc->cold[qid].pushed);
		sc->cold[qid].pushed = 0;
		sc->nb_stage_queues--;
	}
	q->flags = 0;
	q->head = NULL;
	sc->free_ids[sc->nb_free++] = qid;
	sc->nb_queues--;
	return 0;
}

int
pk_sched_queue_set_param(struct pk_stage *s, uint32_t qid, uint32_t param)
{
	struct pk_sched *sc = sched_check(s);
	struct pk_sched_q *q;
	int rc;

	if (sc != NULL && param == PK_SCHED_PARAM_DEFAULT)
		param = sc->pol->param_default;
	if (sc != NULL && !sched_param_ok(sc, param))
		return -EINVAL;
	/* the policy sees the change on an idle queue, then it rejoins */
	rc = sched_q_leave(sc, qid, &q);
	if (rc != 0)
		return rc;
	if (sc->pol->param_set != NULL)
		rc = sc->pol->param_set(sc->sp, q, param);
	if (rc == 0)
		q->param = param;
	if (q->head != NULL)
		sc->pol->enqueue(sc->sp, q);
	return rc;
}

int
pk_sched_queue_info(const struct pk_stage *s, uint32_t qid, uint32_t *param,
		    unsigned int *len)
{
	const struct pk_sched *sc = sched_check(s);
	const struct pk_sched_q *q;

	if (sc == NULL)
		return -EINVAL;
	q = sched_q_find(sc, qid);
	if (q == NULL)
		return -ENOENT;
	if (param != NULL)
		*param = q->param;
	if (len != NULL)
		*len = sched_q_len(sc, q);
	return 0;
}

unsigned int
pk_sched_nb_queues(const struct pk_stage *s)
{
	const struct pk_sched *sc = sched_check(s);

	return sc != NULL ? sc->nb_queues : 0;
}

int
pk_sched_queue_swap_stage(struct pk_stage *s, struct pk_stage *old,
			  struct pk_stage *new)
{
	struct pk_sched *sc = sched_check(s);
	struct pk_sched_q *q;
	uint32_t id;

	if (sc == NULL || old == NULL || new == NULL || new == s ||
	    !(new->caps & PK_STAGE_CAP_PULL))
		return -EINVAL;
	if (sched_stage_attached(sc, new) != 0)
		return -EEXIST;
	for (id = 0; id < sc->next_id; id++) {
		q = sched_q(sc, id);
		if ((q->flags & SCHED_Q_ATTACHED) &&
		    (q->flags & SCHED_Q_STAGE) && q->stage == old) {
			/* the puller reads q->stage at each pull */
			__atomic_store_n(&q->stage, new, __ATOMIC_RELEASE);
			return (int)id;
		}
	}
	return -ENOENT;
}
