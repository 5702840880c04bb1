/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Thread core: what every thread kind shares. Allocation and arguments,
 * start (the wiring check, the choice of run: thread_run.c) and stop, shares
 * and statistics. The kinds (drivers/thread/) only say how and where runs
 * happen.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_errno.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_thread_driver.h>

#include "pk_internal.h"
#include "runner_pvt.h"
#include "thread_pvt.h"

/* Starting and stopping threads, for the wiring check: control threads. */
static pthread_mutex_t started_lock = PTHREAD_MUTEX_INITIALIZER;

/* Longest chain followed when looking for a thread's source or sink. */
#define THREAD_WALK_MAX (PK_PATH_MAX_STAGES * 4)

void
pk_thread_stage_destroy(struct pk_stage *s)
{
	struct pk_thread *t = (struct pk_thread *)s;

	pk_thread_stop(t);
	if (t->kops->detach != NULL)
		t->kops->detach(t);
	pk_stage_free(s);
}

struct pk_thread *
pk_thread_from_stage(struct pk_stage *s)
{
	if (s == NULL || s->ops->destroy != pk_thread_stage_destroy)
		return NULL;
	return (struct pk_thread *)s;
}

struct pk_stage *
pk_thread_stage(struct pk_thread *t)
{
	return t != NULL ? &t->stage : NULL;
}

void
pk_thread_destroy(struct pk_thread *t)
{
	if (t != NULL)
		pk_stage_destroy(&t->stage);
}

static int
thread_conf_check(const struct pk_thread_conf *c)
{
	if (c == NULL) {
		PK_LOG(ERR, "thread: no configuration");
		return -EINVAL;
	}
	if (c->shares > PK_THREAD_MAX_SHARES || c->burst > PK_THREAD_MAX_BURST ||
	    (c->flags & ~(uint32_t)PK_THREAD_F_NONBLOCK) != 0 ||
	    (c->sflags & ~(uint32_t)PK_STAGE_F_BYTES) != 0) {
		PK_LOG(ERR, "%s: thread shares %u (max %u), burst %u (max %u) "
		       "or flags 0x%x out of range",
		       c->name != NULL ? c->name : "(null)", c->shares,
		       PK_THREAD_MAX_SHARES, c->burst, PK_THREAD_MAX_BURST,
		       c->flags);
		return -EINVAL;
	}
	return 0;
}

struct pk_thread *
pk_thread_alloc(const struct pk_thread_conf *conf,
		const struct pk_stage_ops *ops,
		const struct pk_thread_kind_ops *kops)
{
	struct pk_stage *s;
	struct pk_thread *t;
	int rc;

	rc = thread_conf_check(conf);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(*t), ops, conf->name, conf->sflags,
			   conf->socket_id);
	if (s == NULL)
		return NULL;
	t = (struct pk_thread *)s;
	t->fn = conf->fn != NULL ? conf->fn : pk_thread_run_default;
	t->arg = conf->arg;
	t->burst = conf->burst != 0 ? conf->burst : PK_THREAD_DEFAULT_BURST;
	t->budget = conf->budget != 0 ? conf->budget : PK_THREAD_DEFAULT_BUDGET;
	t->tflags = conf->flags;
	t->shares = conf->shares != 0 ? conf->shares : 1;
	t->stride = PK_THREAD_STRIDE1 / t->shares;
	t->kops = kops;
	t->state = PK_THREAD_STOPPED;
	return t;
}

int
pk_thread_args(const struct rte_kvargs *kv, struct pk_thread_conf *c)
{
	uint64_t burst = PK_THREAD_DEFAULT_BURST;
	uint64_t budget = PK_THREAD_DEFAULT_BUDGET;
	uint64_t nonblock = 0, shares = 1;

	if (pk_stage_arg_u64(kv, "burst", 1, PK_THREAD_MAX_BURST, &burst) != 0 ||
	    pk_stage_arg_u64(kv, "budget", 1, UINT32_MAX, &budget) != 0 ||
	    pk_stage_arg_u64(kv, "nonblock", 0, 1, &nonblock) != 0 ||
	    pk_stage_arg_u64(kv, "shares", 1, PK_THREAD_MAX_SHARES,
			     &shares) != 0 ||
	    pk_stage_args_flags(kv, &c->sflags) != 0)
		return -EINVAL;
	c->burst = (uint16_t)burst;
	c->budget = (uint32_t)budget;
	c->flags = nonblock ? PK_THREAD_F_NONBLOCK : 0;
	c->shares = (uint32_t)shares;
	return 0;
}

/* Where the thread's pushes end up: through processing, into a path's head. */
static struct pk_stage *
thread_sink(struct pk_stage *s)
{
	struct pk_stage *unwired = pk_stage_unwired();
	unsigned int i;

	for (i = 0; i < THREAD_WALK_MAX && s != unwired; i++) {
		struct pk_path *p = pk_path_from_stage(s);

		if (p != NULL)
			s = pk_path_stage_at(p, 0);
		else if ((s->caps & PK_STAGE_CAP_FWD_PUSH) && s->next != unwired)
			s = s->next;
		else
			break;
	}
	return s;
}

/* Where the thread's pulls come from: through processing, a path's tail. */
static struct pk_stage *
thread_source(struct pk_stage *s)
{
	struct pk_stage *unwired = pk_stage_unwired();
	unsigned int i;

	for (i = 0; i < THREAD_WALK_MAX && s != unwired; i++) {
		struct pk_path *p = pk_path_from_stage(s);

		if (p != NULL)
			s = pk_path_stage_at(p, pk_path_nb_stages(p) - 1);
		else if ((s->caps & PK_STAGE_CAP_FWD_PULL) && s->prev != unwired)
			s = s->prev;
		else
			break;
	}
	return s;
}

/*
 * Two threads may share a queue only if it takes several pushers (or
 * pullers) at once, or if they are of one domain (continuations of one
 * runner): those never run at the same time. The stage keeps the count and
 * domain of the started threads using each of its ends, so the check is one
 * look whatever the number of threads (a node has one per socket).
 */
static bool
thread_end_taken(const struct pk_thread *t, struct pk_stage *end,
		 enum pk_stage_use_side side, uint32_t mt_cap)
{
	const struct pk_stage_use *u;

	if (end == pk_stage_unwired() || (end->caps & mt_cap))
		return false;
	u = pk_stage_use(end, side);
	return u->count > 0 && (t->domain == NULL || u->domain != t->domain);
}

static int
thread_wiring_check(struct pk_thread *t)
{
	if (thread_end_taken(t, t->sink, PK_STAGE_USE_PUSH,
			     PK_STAGE_CAP_MT_PUSH)) {
		PK_LOG(ERR, "%s: %s takes one pusher and another thread "
		       "already pushes into it", t->stage.name, t->sink->name);
		return -EINVAL;
	}
	if (thread_end_taken(t, t->src, PK_STAGE_USE_PULL,
			     PK_STAGE_CAP_MT_PULL)) {
		PK_LOG(ERR, "%s: %s takes one puller and another thread "
		       "already pulls from it", t->stage.name, t->src->name);
		return -EINVAL;
	}
	return 0;
}

/* Count t in (delta 1) or out (delta -1) of the ends it uses. */
static void
thread_wiring_note(struct pk_thread *t, int delta)
{
	struct pk_stage *ends[PK_STAGE_USE_SIDES] = { t->sink, t->src };
	unsigned int side;

	for (side = 0; side < PK_STAGE_USE_SIDES; side++) {
		struct pk_stage_use *u;

		if (ends[side] == pk_stage_unwired())
			continue;
		u = pk_stage_use(ends[side], side);
		u->count += delta;
		u->domain = t->domain;
	}
}

int
pk_thread_start(struct pk_thread *t)
{
	int rc;

	if (t == NULL)
		return -EINVAL;
	if (t->started) {
		if (pk_thread_state(t) == PK_THREAD_RUNNING)
			return -EALREADY;
		pk_thread_stop(t); /* it stopped by itself: clean up first */
	}
	t->sink = thread_sink(t->stage.next);
	t->src = thread_source(t->stage.prev);
	pthread_mutex_lock(&started_lock);
	rc = thread_wiring_check(t);
	if (rc == 0) {
		/* before runs may start: they read fn once stop_req is clear */
		pk_thread_run_choose(t);
		__atomic_store_n(&t->stop_req, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&t->state, PK_THREAD_RUNNING,
				 __ATOMIC_RELEASE);
		rc = t->kops->start(t);
		if (rc == 0) {
			thread_wiring_note(t, 1);
			t->started = true;
		} else {
			__atomic_store_n(&t->state, PK_THREAD_STOPPED,
					 __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&started_lock);
	if (rc != 0)
		PK_LOG(ERR, "%s: cannot start: %s", t->stage.name,
		       strerror(-rc));
	return rc;
}

int
pk_thread_stop(struct pk_thread *t)
{
	if (t == NULL)
		return -EINVAL;
	if (!t->started)
		return 0;
	__atomic_store_n(&t->stop_req, 1, __ATOMIC_SEQ_CST);
	t->kops->stop(t);
	__atomic_store_n(&t->state, PK_THREAD_STOPPED, __ATOMIC_RELEASE);
	pthread_mutex_lock(&started_lock);
	thread_wiring_note(t, -1);
	t->started = false;
	pthread_mutex_unlock(&started_lock);
	return 0;
}

enum pk_thread_state
pk_thread_state(const struct pk_thread *t)
{
	if (t == NULL)
		return PK_THREAD_STOPPED;
	return (enum pk_thread_state)__atomic_load_n(&t->state,
						     __ATOMIC_ACQUIRE);
}

bool
pk_thread_should_stop(const struct pk_thread *t)
{
	return pk_thread_stop_asked(t);
}

int
pk_thread_shares_set(struct pk_thread *t, uint32_t shares)
{
	if (t == NULL || shares == 0 || shares > PK_THREAD_MAX_SHARES)
		return -EINVAL;
	__atomic_store_n(&t->shares, shares, __ATOMIC_RELAXED);
	__atomic_store_n(&t->stride, PK_THREAD_STRIDE1 / shares,
			 __ATOMIC_RELAXED);
	if (t->runner != NULL) /* its ring or heap may change */
		pk_runner_shares_changed(t->runner);
	return 0;
}

uint32_t
pk_thread_shares_get(const struct pk_thread *t)
{
	return __atomic_load_n(&t->shares, __ATOMIC_RELAXED);
}

int
pk_thread_stats_get(const struct pk_thread *t, struct pk_thread_stats *st)
{
	if (t == NULL || st == NULL)
		return -EINVAL;
	st->runs = pk_counter_load(&t->st.runs);
	st->idle_runs = pk_counter_load(&t->st.idle_runs);
	st->pkts = pk_counter_load(&t->st.pkts);
	st->busy_cycles = pk_counter_load(&t->st.busy_cycles);
	st->idle_cycles = pk_counter_load(&t->st.idle_cycles);
	st->sleeps = pk_counter_load(&t->st.sleeps);
	st->wakeups = pk_counter_load(&t->st.wakeups);
	return 0;
}
