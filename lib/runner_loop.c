/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runner's loop: what runs on its lcore (pk_runner_main()) or in
 * pk_runner_run()'s caller, one pick after another. Control lives in
 * runner.c.
 *
 * Stride scheduling charged by cycles: each thread has a pass (virtual time);
 * the runner picks the thread furthest behind (runner_pick.c: a ring of
 * turns while the shares are close, else the lowest pass of a heap), runs
 * it, then advances its pass by the TSC cycles the pick used times
 * PK_THREAD_STRIDE1 / shares. A thread that does expensive work per
 * packet thus gets fewer packets, not more CPU. Shares are read at each
 * charge, so changing them takes effect at once.
 *
 * A pick is one run, or several in a row: while a run ends on its budget
 * (it stopped with work left) the runner runs the thread again, up to the
 * thread's batch of runs, which doubles while a pick takes under half of
 * RUNNER_BATCH_US and halves when it takes more than that (1 .. 64 runs).
 * One TSC read ends a pick and starts the next, and the next pick is found
 * once per pick: a thread whose runs are cheaper than the pick itself (a
 * TSC read is some 25 cycles, a heap's sift 7-11 per level) pays it over many
 * runs, and the charge stays exact, since one thread used all the cycles.
 * A run that ends under its budget, as a thread that emptied its queue
 * does, ends the pick: such threads are picked once per run, as before.
 *
 * Two corrections keep it fair on a shared machine: a pick that found no
 * work is charged at least 10 us (an idle thread must not poll away the
 * share busy threads could use), and a pick is charged at most 4 times the
 * thread's average pick (at least 10 us, at most 1 ms): a pick that much
 * longer than usual was most likely preempted by the OS. Capping by the
 * thread's own average keeps what preemption adds in proportion to each
 * thread's cost, so the split of packets still follows the work per packet.
 *
 * Threads join and leave the runner through the command ring (runner_pvt.h),
 * drained before every pick.
 *
 * RCU: the loop's context is one of the library's readers (pk_rcu.h), online
 * while it loops, reporting a quiescent state before every pick (between
 * two picks it holds nothing a thread found in a stage: one load and one
 * store), offline while it yields the CPU. A demux key deleted at run time
 * is reused only once every runner has passed such a point.
 */
#include <errno.h>
#include <sched.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include <pathkit/pk_rcu.h>

#include "runner_pvt.h"

#define RUNNER_PAUSES 64            /* idle rounds backed off with pause */
#define RUNNER_PAUSE_BURST 32       /* rte_pause() calls per back-off */
#define RUNNER_BATCH_MAX 64         /* most runs of one pick */

void
pk_runner_cmds_apply(struct pk_runner *r)
{
	void *cmd;

	__atomic_fetch_and(&r->attn, ~(RUNNER_ATTN_CMDS | RUNNER_ATTN_SHARES),
			   __ATOMIC_SEQ_CST);
	for (; rte_ring_sc_dequeue(r->cmds, &cmd) == 0;
	     __atomic_store_n(&r->cmds_done, r->cmds_done + 1,
			      __ATOMIC_RELEASE)) {
		uintptr_t v = (uintptr_t)cmd;
		struct pk_thread *t;

		t = (struct pk_thread *)(v & ~RUNNER_CMD_REMOVE);

		if (v & RUNNER_CMD_REMOVE)
			pk_runner_pick_remove(r, t);
		else if (!__atomic_load_n(&t->on_runner, __ATOMIC_RELAXED))
			pk_runner_pick_insert(r, t);
	}
	pk_runner_pick_review(r); /* and after a change of shares */
}

/* All threads found no work: pause a while, then give the core away. */
static void
runner_backoff(struct pk_runner *r, struct rte_rcu_qsbr *rcu, unsigned int rid)
{
	unsigned int i;

	pk_counter_add(&r->st.idle_rounds, 1);
	if (r->backoff < RUNNER_PAUSES) {
		r->backoff++;
		for (i = 0; i < RUNNER_PAUSE_BURST; i++)
			rte_pause();
		pk_counter_add(&r->st.pauses, 1);
	} else {
		if (rcu != NULL) /* writers need not wait while we are away */
			rte_rcu_qsbr_thread_offline(rcu, rid);
		sched_yield();
		if (rcu != NULL)
			rte_rcu_qsbr_thread_online(rcu, rid);
		pk_counter_add(&r->st.yields, 1);
	}
}

/* Most a busy pick of t is charged (see the top of the file). */
static inline uint64_t
runner_cap(const struct pk_runner *r, const struct pk_thread *t)
{
	if (unlikely(t->run_avg == 0))
		return r->max_charge; /* its first pick */
	return RTE_MIN(r->max_charge, RTE_MAX(4 * t->run_avg, r->idle_charge));
}

/*
 * The rest of a pick whose first run ended on its budget (first: what it
 * returned): more runs while each ends on its budget, up to t->batch runs
 * in all and lim. @return the last run's value; *runs and *pkts count the
 * whole pick.
 */
static int
runner_pick_more(struct pk_thread *t, int first, uint64_t lim,
		 unsigned int *runs, int64_t *pkts)
{
	pk_thread_fn fn = t->fn;
	void *arg = t->arg;
	int64_t budget = t->budget; /* fixed at create, unlike shares */
	unsigned int k = (unsigned int)RTE_MIN((uint64_t)t->batch, lim);
	unsigned int left = k - 1;
	int64_t p = first;
	int n = first;

	while (left != 0) {
		n = fn(t, arg);
		left--;
		if (n < budget) { /* under its budget, or nothing, or a stop */
			if (n > 0)
				p += n;
			break;
		}
		p += n;
	}
	*runs = k - left;
	*pkts = p;
	return n;
}

/* A pick's runs in t's statistics (its counters' one writer). */
static inline void
runner_count(struct pk_thread *t, unsigned int runs, int64_t pkts, int last,
	     uint64_t cycles)
{
	pk_counter_add(&t->st.runs, runs);
	if (likely(pkts > 0)) {
		pk_counter_add(&t->st.pkts, (uint64_t)pkts);
		pk_counter_add(&t->st.busy_cycles, cycles);
		if (unlikely(last <= 0)) /* it ended on an empty run */
			pk_counter_add(&t->st.idle_runs, 1);
	} else {
		pk_counter_add(&t->st.idle_runs, 1);
		pk_counter_add(&t->st.idle_cycles, cycles);
	}
}

/*
 * After a pick that went on past its first run: twice the runs next time
 * if it ran its whole batch, the last run still ending on its budget, in
 * under half the slice; half the runs if it took more than the slice.
 */
static void
runner_batch_adapt(const struct pk_runner *r, struct pk_thread *t,
		   unsigned int runs, int last, uint64_t charged)
{
	if (charged < r->batch_cycles / 2) {
		if (runs == t->batch && t->batch < RUNNER_BATCH_MAX &&
		    last > 0 && (uint32_t)last >= t->budget)
			t->batch *= 2;
	} else if (charged > r->batch_cycles && t->batch > 1) {
		t->batch /= 2;
	}
}

/*
 * Charge a pick to the top thread, advance its pass; the caller picks next.
 * more: the pick went on past its first run.
 */
static inline void
runner_charge(struct pk_runner *r, struct pk_thread *t, unsigned int runs,
	      int64_t pkts, int last, bool more, uint64_t used)
{
	/* no division here: shares_set keeps the stride */
	uint64_t stride = __atomic_load_n(&t->stride, __ATOMIC_RELAXED);
	uint64_t charged;

	if (likely(pkts > 0)) {
		/* the cap is never under idle_charge: shorter picks skip it */
		charged = likely(used <= r->idle_charge) ? used :
			  RTE_MIN(used, runner_cap(r, t));
		/* average over about 8 picks; the first pick starts it */
		t->run_avg = likely(t->run_avg != 0) ?
			t->run_avg - (t->run_avg >> 3) + (charged >> 3) :
			charged;
		if (unlikely(more))
			runner_batch_adapt(r, t, runs, last, charged);
		pk_counter_add(&r->st.busy_cycles, used);
		r->idle_streak = 0;
		r->backoff = 0;
	} else {
		charged = RTE_MAX(used, r->idle_charge);
		pk_counter_add(&r->st.idle_cycles, used);
		r->idle_streak++;
	}
	/* stats: what was charged for work, what was spent idle */
	runner_count(t, runs, pkts, last, pkts > 0 ? charged : used);
	r->top->pass += charged * stride;
}

static inline uint64_t
runner_now(const struct pk_runner *r)
{
	return likely(r->clock == NULL) ? rte_rdtsc() : r->clock(r->clock_arg);
}

/*
 * The decisions and picks of a loop call not counted yet (done runs, extra
 * of them a pick's further runs) into the runner's statistics: at its end,
 * and when it backs off, so that a reader sees an idle runner's count
 * current, not only every 65536 decisions.
 */
static void
runner_count_decisions(struct pk_runner *r, uint64_t done, uint64_t extra,
		       uint64_t *counted, uint64_t *counted_extra)
{
	pk_counter_add(&r->st.decisions, done - *counted);
	pk_counter_add(&r->st.picks,
		       (done - extra) - (*counted - *counted_extra));
	*counted = done;
	*counted_extra = extra;
}

/* Up to max runs; with no thread at all, back off (on_lcore) or return. */
static int64_t
runner_loop(struct pk_runner *r, uint64_t max, bool on_lcore)
{
	uint64_t done = 0, extra = 0, now = runner_now(r), end;
	uint64_t counted = 0, counted_extra = 0;
	struct rte_rcu_qsbr *rcu;
	struct pk_thread *t;
	unsigned int runs, rid = 0;
	int64_t pkts;
	bool more;
	int n;

	/* NULL: an outer context of this thread reports, or it has no id */
	rcu = pk_rcu_online(&rid);
	while (done < max) {
		pk_rcu_quiescent(rcu, rid); /* between picks: holds nothing */
		if (unlikely(__atomic_load_n(&r->attn, __ATOMIC_ACQUIRE))) {
			if (r->attn & RUNNER_ATTN_STOP)
				break;
			pk_runner_cmds_apply(r);
		}
		if (unlikely(r->idle_streak >= r->nb)) {
			r->idle_streak = 0;
			runner_count_decisions(r, done, extra, &counted,
					       &counted_extra);
			runner_backoff(r, rcu, rid);
			end = runner_now(r);
			pk_counter_add(&r->st.idle_cycles, end - now);
			now = end;
			if (r->nb == 0) {
				if (!on_lcore)
					break;
				continue;
			}
		}
		t = runner_pick_top(r);
		n = t->fn(t, t->arg);
		runs = 1;
		pkts = n;
		more = n > 0 && (uint32_t)n >= t->budget && max - done > 1;
		if (unlikely(more)) {
			n = runner_pick_more(t, n, max - done, &runs, &pkts);
			extra += runs - 1;
		}
		end = runner_now(r);
		runner_charge(r, t, runs, pkts, n, more, end - now);
		now = end;
		done += runs;
		if (likely(n >= 0)) {
			runner_pick_next(r);
			continue;
		}
		/* it stopped by itself: pk_thread_stop() still cleans up */
		pk_runner_pick_remove(r, t);
		pk_runner_pick_review(r);
		pk_thread_set_stopped(t);
	}
	pk_rcu_offline(rcu, rid);
	runner_count_decisions(r, done, extra, &counted, &counted_extra);
	return (int64_t)done;
}

int
pk_runner_main(void *arg)
{
	struct pk_runner *r = arg;

	while (!(__atomic_load_n(&r->attn, __ATOMIC_ACQUIRE) &
		 RUNNER_ATTN_STOP))
		runner_loop(r, 1u << 16, true);
	return 0;
}

int64_t
pk_runner_run(struct pk_runner *r, uint64_t decisions)
{
	if (r == NULL)
		return -EINVAL;
	if (r->launched)
		return -EBUSY;
	__atomic_fetch_and(&r->attn, ~RUNNER_ATTN_STOP, __ATOMIC_RELAXED);
	return runner_loop(r, decisions, false);
}
