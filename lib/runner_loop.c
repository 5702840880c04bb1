/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runner's loop: what runs on its lcore (pk_runner_main()) or in
 * pk_runner_run()'s caller, one scheduling decision after another. Control
 * lives in runner.c.
 *
 * Stride scheduling charged by cycles: each thread has a pass (virtual time);
 * the runner always runs the thread with the lowest pass (a binary min-heap),
 * then advances its pass by the TSC cycles the run used times
 * PK_THREAD_STRIDE1 / shares. A thread that does expensive work per packet
 * thus gets fewer packets, not more CPU. Shares are read at each charge, so
 * changing them takes effect at once.
 *
 * Two corrections keep it fair on a shared machine: a run that found no work
 * is charged at least 10 us (an idle thread must not poll away the share busy
 * threads could use), and a run is charged at most 4 times the thread's
 * average run (at least 10 us, at most 1 ms): a run that much longer than
 * usual was most likely preempted by the OS. Capping by the thread's own
 * average keeps what preemption adds in proportion to each thread's cost, so
 * the split of packets still follows the work per packet.
 *
 * Threads join and leave the heap through the command ring (runner_pvt.h),
 * drained before every run.
 */
#include <errno.h>
#include <sched.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "runner_pvt.h"

#define RUNNER_PAUSES 64            /* idle rounds backed off with pause */
#define RUNNER_PAUSE_BURST 32       /* rte_pause() calls per back-off */

static inline bool
pass_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0; /* wrap-safe */
}

static void
heap_up(struct pk_runner *r, unsigned int i)
{
	struct runner_slot x = r->heap[i];

	while (i > 0 && pass_before(x.pass, r->heap[(i - 1) / 2].pass)) {
		r->heap[i] = r->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->heap[i] = x;
}

static void
heap_down(struct pk_runner *r, unsigned int i)
{
	struct runner_slot x = r->heap[i];
	unsigned int c;

	while ((c = 2 * i + 1) < r->nb) {
		/* no branch on which child: it would mispredict half the time */
		c += (c + 1 < r->nb) &
		     pass_before(r->heap[c + 1].pass, r->heap[c].pass);
		if (!pass_before(r->heap[c].pass, x.pass))
			break;
		r->heap[i] = r->heap[c];
		i = c;
	}
	r->heap[i] = x;
}

static void
runner_heap_insert(struct pk_runner *r, struct pk_thread *t)
{
	/* start at the current virtual time: no credit for time not here */
	r->heap[r->nb].pass = r->nb > 0 ? r->heap[0].pass : r->vtime;
	r->heap[r->nb].t = t;
	t->run_avg = 0;
	heap_up(r, r->nb++);
	__atomic_store_n(&t->on_runner, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->st.nb_threads, r->nb, __ATOMIC_RELAXED);
}

static void
runner_heap_remove(struct pk_runner *r, struct pk_thread *t)
{
	unsigned int i;

	if (!__atomic_load_n(&t->on_runner, __ATOMIC_RELAXED))
		return;
	/* a linear search: removals are rare, sifts must not touch threads */
	for (i = 0; i < r->nb && r->heap[i].t != t; i++)
		;
	if (i == r->nb)
		return;
	if (i != --r->nb) {
		/* the last leaf fills the hole, then finds its place */
		r->heap[i] = r->heap[r->nb];
		if (i > 0 && pass_before(r->heap[i].pass,
					 r->heap[(i - 1) / 2].pass))
			heap_up(r, i);
		else
			heap_down(r, i);
	}
	__atomic_store_n(&r->st.nb_threads, r->nb, __ATOMIC_RELAXED);
	/* the acknowledgement pk_runner_remove() waits for */
	__atomic_store_n(&t->on_runner, 0, __ATOMIC_RELEASE);
}

void
pk_runner_cmds_apply(struct pk_runner *r)
{
	void *cmd;

	__atomic_store_n(&r->cmd_pending, 0, __ATOMIC_SEQ_CST);
	while (rte_ring_sc_dequeue(r->cmds, &cmd) == 0) {
		uintptr_t v = (uintptr_t)cmd;
		struct pk_thread *t;

		t = (struct pk_thread *)(v & ~RUNNER_CMD_REMOVE);

		if (v & RUNNER_CMD_REMOVE)
			runner_heap_remove(r, t);
		else if (!__atomic_load_n(&t->on_runner, __ATOMIC_RELAXED))
			runner_heap_insert(r, t);
	}
}

/* All threads found no work: pause a while, then give the core away. */
static void
runner_backoff(struct pk_runner *r)
{
	unsigned int i;

	pk_counter_add(&r->st.idle_rounds, 1);
	if (r->backoff < RUNNER_PAUSES) {
		r->backoff++;
		for (i = 0; i < RUNNER_PAUSE_BURST; i++)
			rte_pause();
		pk_counter_add(&r->st.pauses, 1);
	} else {
		sched_yield();
		pk_counter_add(&r->st.yields, 1);
	}
}

/* Most a busy run of t is charged (see the top of the file). */
static inline uint64_t
runner_cap(const struct pk_runner *r, const struct pk_thread *t)
{
	if (unlikely(t->run_avg == 0))
		return r->max_charge; /* its first run */
	return RTE_MIN(r->max_charge, RTE_MAX(4 * t->run_avg, r->idle_charge));
}

/* Charge a run to the top thread, advance its pass; the caller sifts. */
static inline void
runner_charge(struct pk_runner *r, struct pk_thread *t, int n, uint64_t used)
{
	/* no division here: shares_set keeps the stride */
	uint64_t stride = __atomic_load_n(&t->stride, __ATOMIC_RELAXED);
	uint64_t charged;

	if (likely(n > 0)) {
		charged = RTE_MIN(used, runner_cap(r, t));
		/* average over about 8 runs; the first run starts it */
		t->run_avg = likely(t->run_avg != 0) ?
			t->run_avg - (t->run_avg >> 3) + (charged >> 3) :
			charged;
		pk_counter_add(&r->st.busy_cycles, used);
		r->idle_streak = 0;
		r->backoff = 0;
	} else {
		charged = RTE_MAX(used, r->idle_charge);
		pk_counter_add(&r->st.idle_cycles, used);
		r->idle_streak++;
	}
	/* stats: what was charged for work, what was spent idle */
	pk_thread_charge(t, n, n > 0 ? charged : used);
	r->vtime = r->heap[0].pass;
	r->heap[0].pass += charged * stride;
}

static inline uint64_t
runner_now(const struct pk_runner *r)
{
	return likely(r->clock == NULL) ? rte_rdtsc() : r->clock(r->clock_arg);
}

/* Up to max runs; with no thread at all, back off (on_lcore) or return. */
static int64_t
runner_loop(struct pk_runner *r, uint64_t max, bool on_lcore)
{
	uint64_t done = 0, now = runner_now(r), end;
	struct pk_thread *t;
	int n;

	while (done < max) {
		if (unlikely(__atomic_load_n(&r->cmd_pending, __ATOMIC_ACQUIRE)))
			pk_runner_cmds_apply(r);
		if (unlikely(__atomic_load_n(&r->stop_req, __ATOMIC_RELAXED)))
			break;
		if (unlikely(r->idle_streak >= r->nb)) {
			r->idle_streak = 0;
			runner_backoff(r);
			end = runner_now(r);
			pk_counter_add(&r->st.idle_cycles, end - now);
			now = end;
			if (r->nb == 0) {
				if (!on_lcore)
					break;
				continue;
			}
		}
		t = r->heap[0].t;
		n = t->fn(t, t->arg);
		end = runner_now(r);
		runner_charge(r, t, n, end - now);
		now = end;
		done++;
		if (likely(n >= 0)) {
			heap_down(r, 0);
			continue;
		}
		/* it stopped by itself: pk_thread_stop() still cleans up */
		runner_heap_remove(r, t);
		pk_thread_set_stopped(t);
	}
	pk_counter_add(&r->st.decisions, done);
	return (int64_t)done;
}

int
pk_runner_main(void *arg)
{
	struct pk_runner *r = arg;

	while (!__atomic_load_n(&r->stop_req, __ATOMIC_ACQUIRE))
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
	__atomic_store_n(&r->stop_req, 0, __ATOMIC_RELAXED);
	return runner_loop(r, decisions, false);
}
