/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * thread_lcore: a thread that owns an EAL worker lcore (SILK's ThreadKernel).
 * run: its start function, in a loop on that lcore, until stopped or until
 *   the function returns a negative value.
 * idle: a run that found no work is retried for a short adaptive spin
 *   (THREAD_LCORE_SPIN_MIN_US..MAX_US: doubled when work came during the
 *   spin, halved when it had to sleep); then, if blocking is allowed and its
 *   source is a queue whose kind can be slept on (pk_queue_can_wait()), it
 *   sleeps on it (pk_queue_wait()) until a push or a stop wakes it.
 *   Non-blocking, or a source that cannot be slept on: rte_pause(), then
 *   sched_yield().
 * rcu: the lcore is one of the library's RCU readers (pk_rcu.h) while it
 *   runs t: a quiescent state after every run, offline while it sleeps or
 *   yields.
 * threads: start, stop from the control thread; counters written by the lcore.
 * args: lcore=<worker lcore id> burst=<1..512, 32> budget=<256> nonblock=<0|1>
 * stats: runs, pkts, busy/idle cycles, sleeps, wakeups; in, out, full
 */
#include <errno.h>
#include <sched.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_rcu.h>
#include <pathkit/pk_thread_driver.h>

#define THREAD_LCORE_SPIN_MIN_US 2
#define THREAD_LCORE_SPIN_MAX_US 64
#define THREAD_LCORE_SLEEP_US 100000   /* a safety net: a push wakes it */
#define THREAD_LCORE_YIELD_US 1000     /* non-blocking: pause this long */

struct thread_lcore_idle {
	uint64_t since;    /* TSC when the current idle spell began, or 0 */
	uint64_t spin;     /* cycles to spin before sleeping */
	uint64_t spin_min;
	uint64_t spin_max;
	uint64_t yield_after;
	bool can_sleep;
	struct rte_rcu_qsbr *rcu; /* the library's RCU variable, or NULL */
	unsigned int rid;         /* our reader id on it */
};

static void
thread_lcore_idle_init(struct pk_thread *t, struct thread_lcore_idle *w)
{
	uint64_t us = rte_get_tsc_hz() / 1000000;

	w->since = 0;
	w->spin_min = THREAD_LCORE_SPIN_MIN_US * us;
	w->spin_max = THREAD_LCORE_SPIN_MAX_US * us;
	w->spin = w->spin_min;
	w->yield_after = THREAD_LCORE_YIELD_US * us;
	w->can_sleep = !(t->tflags & PK_THREAD_F_NONBLOCK) &&
		       pk_queue_can_wait(t->src);
	w->rcu = NULL;
	w->rid = 0;
}

/* Work came: if it came while spinning, spinning pays, so spin longer. */
static inline void
thread_lcore_busy(struct thread_lcore_idle *w)
{
	if (unlikely(w->since != 0)) {
		if (rte_rdtsc() - w->since < w->spin)
			w->spin = RTE_MIN(w->spin * 2, w->spin_max);
		w->since = 0;
	}
}

static void
thread_lcore_sleep(struct pk_thread *t, struct thread_lcore_idle *w,
		   uint64_t now)
{
	int rc;

	w->spin = RTE_MAX(w->spin / 2, w->spin_min);
	pk_counter_add(&t->st.sleeps, 1);
	if (w->rcu != NULL) /* asleep, it holds nothing: writers go on */
		rte_rcu_qsbr_thread_offline(w->rcu, w->rid);
	rc = pk_queue_wait(t->src, &t->stop_req, THREAD_LCORE_SLEEP_US);
	if (w->rcu != NULL)
		rte_rcu_qsbr_thread_online(w->rcu, w->rid);
	if (rc == 0 || rc == -ECANCELED)
		pk_counter_add(&t->st.wakeups, 1);
	pk_counter_add(&t->st.idle_cycles, rte_rdtsc() - now);
	w->since = 0; /* a fresh spin after each sleep */
}

/*
 * A run found nothing (it ended at now): spin, sleep or yield.
 * @return true if it slept.
 */
static bool
thread_lcore_idle(struct pk_thread *t, struct thread_lcore_idle *w,
		  uint64_t now)
{
	if (w->since == 0)
		w->since = now;
	if (w->can_sleep && now - w->since >= w->spin) {
		thread_lcore_sleep(t, w, now);
		return true;
	}
	if (!w->can_sleep && now - w->since >= w->yield_after) {
		if (w->rcu != NULL)
			rte_rcu_qsbr_thread_offline(w->rcu, w->rid);
		sched_yield();
		if (w->rcu != NULL)
			rte_rcu_qsbr_thread_online(w->rcu, w->rid);
	} else {
		rte_pause();
	}
	return false;
}

static int
thread_lcore_main(void *arg)
{
	struct pk_thread *t = arg;
	struct thread_lcore_idle w;
	uint64_t now, end;
	int n;

	thread_lcore_idle_init(t, &w);
	w.rcu = pk_rcu_online(&w.rid);
	/* one TSC read per run: the end of one run is the start of the next */
	now = rte_rdtsc();
	while (!pk_thread_stop_asked(t)) {
		n = t->fn(t, t->arg);
		pk_rcu_quiescent(w.rcu, w.rid); /* between runs: holds nothing */
		end = rte_rdtsc();
		pk_thread_charge(t, n, end - now);
		now = end;
		if (likely(n > 0)) {
			thread_lcore_busy(&w);
		} else if (n == 0) {
			if (thread_lcore_idle(t, &w, end))
				now = rte_rdtsc(); /* the sleep counted itself */
		} else {
			break; /* it stopped by itself */
		}
	}
	pk_rcu_offline(w.rcu, w.rid);
	pk_thread_set_stopped(t);
	return 0;
}

static int
thread_lcore_start(struct pk_thread *t)
{
	if (rte_eal_get_lcore_state(t->lcore_id) != WAIT)
		return -EBUSY;
	return rte_eal_remote_launch(thread_lcore_main, t, t->lcore_id);
}

static void
thread_lcore_stop(struct pk_thread *t)
{
	pk_queue_wake(t->src); /* stop_req is set: a sleeper sees it */
	rte_eal_wait_lcore(t->lcore_id);
}

static const struct pk_thread_kind_ops thread_lcore_kops = {
	.start = thread_lcore_start,
	.stop = thread_lcore_stop,
};

static const struct pk_stage_ops thread_lcore_ops = {
	.kind = "thread_lcore",
	.destroy = pk_thread_stage_destroy,
	.caps = PK_THREAD_CAPS,
};

struct pk_thread *
pk_thread_lcore_create(const struct pk_thread_conf *conf,
		       unsigned int lcore_id)
{
	struct pk_thread *t;

	if (lcore_id >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore_id) ||
	    lcore_id == rte_get_main_lcore()) {
		PK_LOG(ERR, "%s: lcore %u is not an enabled worker lcore",
		       conf != NULL && conf->name != NULL ? conf->name : "?",
		       lcore_id);
		rte_errno = EINVAL;
		return NULL;
	}
	t = pk_thread_alloc(conf, &thread_lcore_ops, &thread_lcore_kops);
	if (t != NULL)
		t->lcore_id = lcore_id;
	return t;
}

static struct pk_stage *
thread_lcore_create_kv(const char *name, const struct rte_kvargs *kv,
		       int socket_id)
{
	struct pk_thread_conf c = { .name = name, .socket_id = socket_id };
	uint64_t lcore = RTE_MAX_LCORE;

	if (pk_thread_args(kv, &c) != 0 ||
	    pk_stage_arg_u64(kv, "lcore", 0, RTE_MAX_LCORE - 1, &lcore) != 0 ||
	    lcore == RTE_MAX_LCORE) {
		PK_LOG(ERR, "%s: thread_lcore needs lcore=<worker lcore>", name);
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_thread_stage(pk_thread_lcore_create(&c, (unsigned int)lcore));
}

static const char *const thread_lcore_args[] = {
	"lcore", "burst", "budget", "nonblock", "shares", NULL };
static struct pk_stage_kind thread_lcore_kind = {
	.name = "thread_lcore",
	.help = "thread that owns a worker lcore and may block",
	.args = thread_lcore_args,
	.caps = PK_THREAD_CAPS,
	.create = thread_lcore_create_kv,
};
PK_STAGE_KIND_REGISTER(thread_lcore_kind);
