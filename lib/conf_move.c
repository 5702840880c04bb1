/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A reload's drain (conf_reload.c): the packets a stopped generation holds
 * go to the next generation's stages of the same names, in order. Queues
 * (queue_ring, queue_local, mailboxes) hold them, and schedulers: in the
 * head slot each keeps of a backlogged input (taken off the input's queue
 * before the rest, so it goes first: pk_sched_queue_detach() hands it
 * back) and in their internal queues. Threads, demuxes and processing
 * stages hold none between runs. Both generations' threads are stopped,
 * so this runs alone on every stage it touches.
 */
#include <stdlib.h>

#include <rte_mbuf.h>

#include <pathkit/pk_sched.h>
#include <pathkit/pk_stage_worker.h>

#include "conf_reload_pvt.h"

#define MOVE_BURST 32

/* to's stage called name, if it has the role: where packets go. */
static struct pk_stage *
move_dest(const struct pk_conf *to, const char *name, enum conf_role role)
{
	const struct conf_name *n = conf_name_find(to, name);
	const struct conf_stage *st;

	if (n == NULL || n->type != NAME_STAGE)
		return NULL;
	st = &to->stages.v[n->idx];
	return st->role == role ? st->s : NULL;
}

/* Push m[0..n) into d (NULL: nowhere); free and count what stays. */
static unsigned int
move_burst(struct pk_stage *d, struct rte_mbuf **m, uint16_t n,
	   struct pk_conf_reload_stats *st)
{
	uint16_t k = d != NULL ? pk_stage_push(d, m, n) : 0;

	st->moved += k;
	if (k == n)
		return 0;
	rte_pktmbuf_free_bulk(m + k, n - k);
	if (d != NULL)
		st->dropped_full += n - k;
	else
		st->dropped_gone += n - k;
	return n - k;
}

/* Everything s gives, then into d. @return packets dropped. */
static unsigned int
move_all(struct pk_stage *s, struct pk_stage *d,
	 struct pk_conf_reload_stats *st)
{
	struct rte_mbuf *m[MOVE_BURST];
	unsigned int lost = 0;
	uint16_t n;

	while ((n = pk_stage_pull(s, m, MOVE_BURST)) > 0)
		lost += move_burst(d, m, n, st);
	return lost;
}

void
conf_move_packets(struct pk_conf *from, struct pk_conf *to,
		  struct pk_conf_reload_stats *st, int only_path)
{
	struct rte_mbuf **head = calloc(from->stages.n + 1, sizeof(*head));
	const struct conf_stage *q;
	struct conf_edge *e;
	struct pk_stage *d;
	unsigned int i, lost;

	/* the heads first: detaching hands each back (NULL: freed) */
	for (i = 0; i < from->edges.n; i++) {
		e = &from->edges.v[i];
		if (e->mode != MODE_ATTACH || e->qid < 0 ||
		    (only_path >= 0 &&
		     from->stages.v[e->a.st].path != only_path))
			continue;
		pk_sched_queue_detach(from->stages.v[e->b.st].s,
				      (uint32_t)e->qid,
				      head != NULL ? &head[e->a.st] : NULL);
		e->qid = -1;
	}
	for (i = 0; i < from->stages.n; i++) {
		q = &from->stages.v[i];
		if (q->s == NULL ||
		    (q->role != ROLE_QUEUE && q->role != ROLE_SCHED) ||
		    (only_path >= 0 && q->path != only_path))
			continue;
		d = move_dest(to, q->name, q->role);
		lost = 0;
		if (head != NULL && head[i] != NULL)
			lost += move_burst(d, &head[i], 1, st);
		/* a scheduler's own queues, as its policy releases them */
		lost += move_all(q->s, d, st);
		if (lost != 0)
			fprintf(to->err, "reload: %s %s: %u packets dropped "
				"(%s)\n", q->name, d == NULL ? "is gone" :
				"is full", lost, d == NULL ? "no queue of that "
				"name in the new configuration" : "full");
	}
	free(head);
}

void
conf_attach_again(struct pk_conf *c)
{
	struct pk_sched_queue_conf qc;
	struct conf_edge *e;
	unsigned int i;

	for (i = 0; i < c->edges.n; i++) {
		e = &c->edges.v[i];
		if (e->mode != MODE_ATTACH || e->qid >= 0)
			continue;
		qc.stage = e->a.path >= 0 ?
			   pk_path_stage(c->paths.v[e->a.path].p) :
			   c->stages.v[e->a.st].s;
		qc.param = e->has_param ? e->param : PK_SCHED_PARAM_DEFAULT;
		e->qid = pk_sched_queue_attach(c->stages.v[e->b.st].s, &qc);
	}
}
