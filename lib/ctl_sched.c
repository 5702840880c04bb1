/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime changes of schedulers (pk_ctl.h): a queue's parameter, the
 * rate (an owner's rate in ctl_owner.c, made the same way). A scheduler is single-threaded: its queues,
 * policy state and bucket belong to whichever thread pulls it (or pushes
 * into it) now. So a change is made by the control side while those
 * threads are stopped: one walk collects the live threads and where they
 * pull from and push to; the scheduler and every scheduler above it
 * (pulling it as a queue, directly or through a path) are the targets;
 * each running thread whose source or sink is a target is stopped (its
 * current run ends, it holds no packet after), the change is made, and
 * those threads are started again. Each walk finds its objects again by
 * pointer under the live list's lock (ctl.c), so a stage destroyed
 * meanwhile is not touched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include <pathkit/pk_arbiter.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_thread_driver.h>

#include "ctl_pvt.h"
#include "pk_internal.h"
#include "sched_pvt.h"

/* --- schedulers: find, stop what runs them, change, restart */

uint32_t
ctl_path_owner(const struct pk_stage *s)
{
	const struct pk_path *p = pk_path_from_stage((struct pk_stage *)
						     (uintptr_t)s);

	if (p == NULL && s->parent != NULL)
		p = pk_path_from_stage(s->parent);
	return p != NULL ? pk_path_owner(p) : UINT32_MAX;
}

int
ctl_collect(const struct pk_stage *cs, void *arg)
{
	struct pk_stage *s = (struct pk_stage *)(uintptr_t)cs;
	struct pk_thread *t = pk_thread_from_stage(s);
	struct ctl_sc *c = arg;
	struct ctl_thr *n;

	if (t == NULL)
		return 0;
	if (c->nthr == c->cap) {
		n = realloc(c->thr, (c->cap * 2 + 16) * sizeof(*n));
		if (n == NULL) {
			c->rc = -ENOMEM;
			return 1;
		}
		c->thr = n;
		c->cap = c->cap * 2 + 16;
	}
	n = &c->thr[c->nthr++];
	memset(n, 0, sizeof(*n));
	n->t = t;
	n->running = pk_thread_state(t) == PK_THREAD_RUNNING && t->started;
	if (n->running) { /* ends of a started thread stay while it runs */
		n->src = t->src;
		n->sink = t->sink;
		n->sink_owner = ctl_path_owner(t->sink);
	}
	return 0;
}

static bool
ctl_is_target(const struct ctl_sc *c, const struct pk_stage *s)
{
	unsigned int i;

	for (i = 0; i < c->nt; i++)
		if (c->tg[i] == s)
			return true;
	return false;
}

/* Does scheduler p pull from a target (directly, or a path ending in one)? */
static bool
ctl_pulls_target(const struct ctl_sc *c, const struct pk_sched *p)
{
	uint32_t id, end = p->next_id, shift;
	const uint8_t *base = sched_records_read(p, &shift);
	const struct pk_sched_q *q;
	struct pk_path *path;

	for (id = 0; id < end; id++) {
		q = sched_record_at(base, shift, id);
		if (!(q->flags & SCHED_Q_ATTACHED) ||
		    !(q->flags & SCHED_Q_STAGE))
			continue;
		if (ctl_is_target(c, q->stage))
			return true;
		path = pk_path_from_stage(q->stage);
		if (path != NULL && ctl_is_target(c, pk_path_stage_at(path,
				  pk_path_nb_stages(path) - 1)))
			return true;
	}
	return false;
}

static int
ctl_above(const struct pk_stage *cs, void *arg)
{
	struct ctl_sc *c = arg;

	if (pk_sched_is_sched(cs) && !ctl_is_target(c, cs) &&
	    c->nt < CTL_TARGETS &&
	    ctl_pulls_target(c, (const struct pk_sched *)cs))
		c->tg[c->nt++] = (struct pk_stage *)(uintptr_t)cs;
	return 0;
}

static int
ctl_arbiter_has(const struct pk_arbiter *a, void *arg)
{
	return ctl_is_target(arg, pk_arbiter_sched((struct pk_arbiter *)
						   (uintptr_t)a));
}

static struct ctl_thr *
ctl_thr_of(struct ctl_sc *c, const struct pk_stage *s)
{
	unsigned int i;

	for (i = 0; i < c->nthr; i++)
		if (&c->thr[i].t->stage == s)
			return &c->thr[i];
	return NULL;
}

static int
ctl_stop(const struct pk_stage *s, void *arg)
{
	struct ctl_sc *c = arg;
	struct ctl_thr *r = ctl_thr_of(c, s);

	if (r != NULL && r->running && pk_thread_state(r->t) ==
	    PK_THREAD_RUNNING && (ctl_is_target(c, r->src) ||
				  ctl_is_target(c, r->sink))) {
		pk_thread_stop(r->t); /* waits: nothing left in flight */
		r->stopped = true;
	}
	return 0;
}

static int
ctl_apply(const struct pk_stage *s, void *arg)
{
	struct ctl_sc *c = arg;

	if (s != c->s)
		return 0;
	c->rc = c->fn((struct pk_sched *)(uintptr_t)s, c->arg);
	c->applied = true;
	return 1;
}

static int
ctl_restart(const struct pk_stage *s, void *arg)
{
	struct ctl_sc *c = arg;
	struct ctl_thr *r = ctl_thr_of(c, s);
	int rc;

	if (r != NULL && r->stopped) {
		rc = pk_thread_start(r->t);
		if (rc != 0 && c->rc == 0)
			c->rc = rc;
		r->stopped = false;
	}
	return 0;
}

/* Make c->fn's change on c->s with what runs it stopped. ctl lock held. */
int
ctl_sched_change(struct ctl_sc *c, char *err, size_t errlen)
{
	unsigned int nt = 0;

	c->tg[0] = c->s;
	c->nt = 1;
	while (c->nt != nt && c->nt < CTL_TARGETS) { /* the ones above, up */
		nt = c->nt;
		pk_stage_live_foreach(ctl_above, c);
	}
	if (pk_arbiter_live_foreach(ctl_arbiter_has, c) != 0)
		return ctl_err(-EBUSY, err, errlen, "%s is run by an arbiter: "
			       "its thread alone changes it", c->s->name);
	pk_stage_live_foreach(ctl_stop, c);
	pk_stage_live_foreach(ctl_apply, c);
	if (!c->applied)
		c->rc = ctl_err(-ENOENT, err, errlen, "the scheduler went "
				"away");
	pk_stage_live_foreach(ctl_restart, c);
	return c->rc;
}

/* Collect the threads and the scheduler called name. ctl lock held. */
static int
ctl_find_sched(const struct pk_stage *s, void *arg)
{
	struct ctl_sc *c = arg;

	if (pk_sched_is_sched(s) && strcmp(s->name, (const char *)c->arg) == 0)
		c->s = (struct pk_stage *)(uintptr_t)s;
	return c->s != NULL;
}

int
ctl_sched_run(const char *sched, int (*fn)(struct pk_sched *, void *),
	      void *arg, char *err, size_t errlen)
{
	struct ctl_sc c = { .arg = (void *)(uintptr_t)sched };
	int rc;

	rc = ctl_name_check(sched, "a scheduler's name", err, errlen);
	if (rc != 0)
		return rc;
	pk_ctl_lock();
	pk_stage_live_foreach(ctl_find_sched, &c);
	if (c.s == NULL) {
		rc = ctl_err(-ENOENT, err, errlen, "no scheduler named %s",
			     sched);
		goto out;
	}
	pk_stage_live_foreach(ctl_collect, &c);
	rc = c.rc;
	c.fn = fn;
	c.arg = arg;
	if (rc == 0)
		rc = ctl_sched_change(&c, err, errlen);
out:
	pk_ctl_unlock();
	free(c.thr);
	return rc;
}

/* A queue parameter: the queue by id or by the stage it pulls. */
struct param_op {
	const char *queue;
	uint32_t value;
	char *err;
	size_t errlen;
};

static int
param_set(struct pk_sched *sc, void *arg)
{
	struct param_op *o = arg;
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	const struct pk_sched_q *sq;
	uint64_t id = UINT64_MAX;
	uint32_t i;
	int rc;

	if (pk_parse_u64(o->queue, 0, UINT32_MAX, &id) != 0)
		for (i = 0; i < sc->next_id && id == UINT64_MAX; i++) {
			sq = sched_q(sc, i);
			if ((sq->flags & SCHED_Q_ATTACHED) &&
			    (sq->flags & SCHED_Q_STAGE) &&
			    strcmp(sq->stage->name, o->queue) == 0)
				id = i;
		}
	rc = id == UINT64_MAX ? -ENOENT :
	     pk_sched_queue_set_param(&sc->stage, (uint32_t)id, o->value);
	if (rc == -ENOENT) {
		pk_parse_quote(q, sizeof(q), o->queue); /* the user's text */
		return ctl_err(rc, o->err, o->errlen, "%s has no queue %s",
			       sc->stage.name, q);
	}
	if (rc == -EINVAL)
		return ctl_err(rc, o->err, o->errlen, "%s: %u is not a %s "
			       "parameter in %u..%u", sc->stage.name, o->value,
			       sc->policy, sc->pol->param_min,
			       sc->pol->param_max);
	if (rc == -ENOSPC)
		return ctl_err(rc, o->err, o->errlen, "%s: the weights would "
			       "sum past %s's maximum", sc->stage.name,
			       sc->policy);
	return rc;
}

int
pk_ctl_sched_param(const char *sched, const char *queue, const char *value,
		   char *err, size_t errlen)
{
	struct param_op o = { .queue = queue, .err = err, .errlen = errlen };
	uint64_t v = PK_SCHED_PARAM_DEFAULT;
	char q[4 * PK_PARSE_QUOTE_MAX + 4];

	if (queue == NULL || queue[0] == '\0' ||
	    strnlen(queue, PK_STAGE_NAMESIZE) == PK_STAGE_NAMESIZE) {
		pk_parse_quote(q, sizeof(q), queue);
		return ctl_err(-EINVAL, err, errlen, "found '%s', expected a "
			       "queue's id or stage name", q);
	}
	if ((value == NULL || strcmp(value, "default") != 0) &&
	    ctl_number(value, PK_PARSE_INT, 0, UINT32_MAX - 1, "parameter",
		       &v, err, errlen) != 0)
		return -EINVAL;
	o.value = (uint32_t)v;
	return ctl_sched_run(sched, param_set, &o, err, errlen);
}

/* A rate: overhead and bucket as they were (a bucket of 0 follows it). */
int
ctl_rate_set(struct pk_sched *sc, void *arg)
{
	return pk_sched_set_shaper(&sc->stage, *(uint64_t *)arg, sc->overhead,
				   sc->burst);
}

int
pk_ctl_sched_rate(const char *sched, const char *rate, char *err,
		  size_t errlen)
{
	uint64_t v;

	if (ctl_number(rate, PK_PARSE_RATE, 0, PK_SCHED_MAX_RATE, "rate", &v,
		       err, errlen) != 0)
		return -EINVAL;
	return ctl_sched_run(sched, ctl_rate_set, &v, err, errlen);
}
