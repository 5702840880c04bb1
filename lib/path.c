/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path: a compound stage over a chain. The wiring is checked and linked once
 * in pk_path_create(); push and pull then go straight to the head and tail.
 * What a snapshot of its counters adds up, and its printout: path_stats.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_thread.h>
#include <pathkit/pk_stage_driver.h>

#include "pk_internal.h"
#include "path_pvt.h"

static inline struct pk_path *
path_of(struct pk_stage *s)
{
	return (struct pk_path *)s;
}

/* Add to a path counter: atomically when several threads use that side. */
static inline void
path_add(uint64_t *c, uint64_t v, bool mt)
{
	if (mt)
		pk_counter_add_mt(c, v);
	else
		pk_counter_add(c, v);
}

/*
 * Push into the head and count what the path took. What the chain refused
 * (pkts[taken..n), still ours) goes back to the caller under tail policy
 * "return", or is freed and counted under "drop", which takes everything.
 */
static __rte_always_inline uint16_t
path_push_head(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n,
	       bool drop)
{
	bool mt = s->caps & PK_STAGE_CAP_MT_PUSH;
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	/* the head as ctx: on the line the caller's push already read, so a
	 * path per flow costs no line of its own per packet */
	uint16_t taken = pk_stage_push((struct pk_stage *)s->ctx, pkts, n);
	uint16_t back = n - taken;

	if (unlikely(back != 0)) {
		if (drop) {
			path_add(&s->in.drops[PK_DROP_FULL], back, mt);
			pk_stage_drop_free_bulk(&s->in, PK_DROP_FULL,
						&pkts[taken], back);
			taken = n;
		} else {
			bytes -= pk_stage_push_bytes(s, &pkts[taken], back);
			path_add(&s->in.refused[PK_DROP_FULL], back, mt);
		}
	}
	path_add(&s->in.pkts, taken, mt);
	if (bytes != 0)
		path_add(&s->in.bytes, bytes, mt);
	return taken;
}

static uint16_t
path_push_return(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return path_push_head(s, pkts, n, false);
}

static uint16_t
path_push_drop(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return path_push_head(s, pkts, n, true);
}

/*
 * A path that counts no bytes and whose head is a processing stage
 * (pk_proc_push(): one pusher, it counts in what it took and refused what
 * came back) keeps no in counter of its own: its in and refused are the
 * head's, read when a snapshot is taken (path_stats_adjust()). Its push is
 * the head's push: a path per flow writes no line of its own per burst.
 */
static uint16_t
path_push_fwd(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return pk_stage_push((struct pk_stage *)s->ctx, pkts, n);
}

/* As path_push_fwd(), tail policy drop: what the head refused is dropped. */
static uint16_t
path_push_fwd_drop(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t taken = pk_stage_push((struct pk_stage *)s->ctx, pkts, n);

	if (unlikely(taken != n)) {
		pk_stage_count_drop(&s->in, PK_DROP_FULL, n - taken);
		pk_stage_drop_free_bulk(&s->in, PK_DROP_FULL, &pkts[taken],
					n - taken);
	}
	return n;
}

static uint16_t
path_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	bool mt = s->caps & PK_STAGE_CAP_MT_PULL;
	uint16_t n = pk_stage_pull(path_of(s)->tail, pkts, max);
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);

	path_add(&s->out.pkts, n, mt);
	if (bytes != 0)
		path_add(&s->out.bytes, bytes, mt);
	return n;
}

static void
path_set_next(struct pk_stage *s, struct pk_stage *next)
{
	s->next = next;
	pk_stage_set_next(path_of(s)->tail, next);
}

static void
path_set_prev(struct pk_stage *s, struct pk_stage *prev)
{
	s->prev = prev;
	pk_stage_set_prev(path_of(s)->head, prev);
}

static unsigned int
path_len(const struct pk_stage *s)
{
	const struct pk_path *p = (const struct pk_path *)s;
	unsigned int i, c = 0;

	for (i = 0; i < p->nb_stages; i++)
		c += pk_stage_len(p->stages[i]);
	return c;
}

static void
path_destroy(struct pk_stage *s)
{
	struct pk_path *p = path_of(s);
	struct pk_stage_stats st;
	unsigned int i;

	/* threads first: none may run on (or count itself out of) a queue
	 * destroyed before it */
	for (i = 0; i < p->nb_stages; i++)
		pk_thread_stop(pk_thread_from_stage(p->stages[i]));
	/* the owner keeps what the path counted; read before its stages go
	 * (pk_stage_destroy took it off the live list that accounts read) */
	if (p->acct != PK_ACCT_NONE && pk_stage_stats_get(s, &st) == 0) {
		/* what it still holds is freed with it: dropped, for the
		 * owner (the reason does not reach an account) */
		st.drops[PK_DROP_FULL] += st.held;
		pk_owner_fold_path(p->owner, p->acct, &st);
	}
	for (i = 0; i < p->nb_stages; i++) {
		p->stages[i]->parent = NULL;
		pk_stage_destroy(p->stages[i]);
	}
	pk_stage_free(s);
}

/* One ops table per tail policy: the variant is chosen at create. */
#define PATH_OPS(name, push_fn)                                                \
	static const struct pk_stage_ops name = {                              \
		.kind = "path",                                                \
		.push = push_fn,                                               \
		.pull = path_pull,                                             \
		.destroy = path_destroy,                                       \
		.set_next = path_set_next,                                     \
		.set_prev = path_set_prev,                                     \
		.len = path_len,                                               \
		.stats_adjust = path_stats_adjust,                             \
	}

PATH_OPS(path_return_ops, path_push_return);
PATH_OPS(path_drop_ops, path_push_drop);

static int
path_check_stages(const char *name, struct pk_stage *const *stages,
		  unsigned int n)
{
	unsigned int i, j;

	if (stages == NULL || n == 0 || n > PK_PATH_MAX_STAGES) {
		PK_LOG(ERR, "%s: a path has 1..%d stages, not %u", name,
		       PK_PATH_MAX_STAGES, n);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (stages[i] == NULL || stages[i] == pk_stage_unwired()) {
			PK_LOG(ERR, "%s: stage %u is NULL", name, i);
			return -EINVAL;
		}
		if (stages[i]->parent != NULL) {
			PK_LOG(ERR, "%s: stage %s already belongs to %s", name,
			       stages[i]->name, stages[i]->parent->name);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (stages[j] == stages[i]) {
				PK_LOG(ERR, "%s: stage %s appears twice", name,
				       stages[i]->name);
				return -EINVAL;
			}
	}
	return 0;
}

/* Link the chain; on failure restore every stage's links as they were. */
static int
path_link_chain(struct pk_stage *const *stages, unsigned int n)
{
	struct pk_stage *old_next[PK_PATH_MAX_STAGES];
	struct pk_stage *old_prev[PK_PATH_MAX_STAGES];
	unsigned int i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		old_next[i] = stages[i]->next;
		old_prev[i] = stages[i]->prev;
	}
	for (i = 0; i + 1 < n && rc == 0; i++)
		rc = pk_stage_link(stages[i], stages[i + 1]);
	if (rc != 0)
		for (i = 0; i < n; i++) {
			pk_stage_set_next(stages[i], old_next[i]);
			pk_stage_set_prev(stages[i], old_prev[i]);
		}
	return rc;
}

static uint32_t
path_caps(const struct pk_stage *head, const struct pk_stage *tail)
{
	/* several threads may push into the path if its head takes that,
	 * pull from it if its tail does: the path's counters follow suit */
	return (head->caps & (PK_STAGE_CAP_PUSH | PK_STAGE_CAP_FWD_PULL |
			      PK_STAGE_CAP_MT_PUSH)) |
	       (tail->caps & (PK_STAGE_CAP_PULL | PK_STAGE_CAP_FWD_PUSH |
			      PK_STAGE_CAP_MT_PULL));
}

struct pk_path *
pk_path_create(const struct pk_path_conf *conf, struct pk_stage *const *stages,
	       unsigned int n)
{
	const struct pk_stage_ops *ops;
	struct pk_stage *s;
	struct pk_path *p;
	unsigned int i;
	int rc;

	if (conf == NULL || conf->tail > PK_PATH_TAIL_DROP ||
	    conf->acct >= PK_ACCT_ROWS) {
		PK_LOG(ERR, "path: missing or bad configuration");
		rte_errno = EINVAL;
		return NULL;
	}
	rc = path_check_stages(conf->name, stages, n);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	ops = conf->tail == PK_PATH_TAIL_DROP ? &path_drop_ops :
						&path_return_ops;
	s = pk_stage_alloc(sizeof(*p) + n * sizeof(p->stages[0]), ops,
			   conf->name, conf->flags | PK_STAGE_F_UNLISTED,
			   conf->socket_id);
	if (s == NULL)
		return NULL;
	rc = path_link_chain(stages, n);
	if (rc != 0) {
		pk_stage_free(s);
		rte_errno = -rc;
		return NULL;
	}
	p = path_of(s);
	p->head = stages[0];
	s->ctx = p->head;
	p->tail = stages[n - 1];
	p->owner = conf->owner;
	p->acct = conf->acct;
	p->tail_policy = conf->tail;
	p->nb_stages = n;
	s->caps = path_caps(p->head, p->tail);
	if (!(p->head->caps & PK_STAGE_CAP_PUSH)) {
		s->push = pk_stage_unwired()->push;
	} else if (p->head->push == pk_proc_push &&
		   !(s->flags & PK_STAGE_F_BYTES)) {
		p->head_counts = true;
		s->caps |= PK_STAGE_CAP_PUSH_CTX; /* a demux prefetches the head */
		s->push = conf->tail == PK_PATH_TAIL_DROP ? path_push_fwd_drop :
							    path_push_fwd;
	}
	if (!(p->tail->caps & PK_STAGE_CAP_PULL))
		s->pull = pk_stage_unwired()->pull;
	for (i = 0; i < n; i++) {
		p->stages[i] = stages[i];
		stages[i]->parent = s;
	}
	/* the chain's open ends are the path's ends */
	s->next = p->tail->next;
	s->prev = p->head->prev;
	pk_stage_publish(s); /* built: telemetry and accounts may read it */
	return p;
}

struct pk_stage *
pk_path_stage(struct pk_path *p)
{
	return p != NULL ? &p->stage : NULL;
}

struct pk_path *
pk_path_from_stage(struct pk_stage *s)
{
	if (s == NULL ||
	    (s->ops != &path_return_ops && s->ops != &path_drop_ops))
		return NULL;
	return path_of(s);
}

void
pk_path_destroy(struct pk_path *p)
{
	if (p != NULL)
		pk_stage_destroy(&p->stage);
}

uint32_t
pk_path_owner(const struct pk_path *p)
{
	return p != NULL ? p->owner : 0;
}

uint32_t
pk_path_acct(const struct pk_path *p)
{
	return p != NULL ? p->acct : PK_ACCT_NONE;
}

unsigned int
pk_path_nb_stages(const struct pk_path *p)
{
	return p != NULL ? p->nb_stages : 0;
}

struct pk_stage *
pk_path_stage_at(const struct pk_path *p, unsigned int i)
{
	return p != NULL && i < p->nb_stages ? p->stages[i] : NULL;
}
