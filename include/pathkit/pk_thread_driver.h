/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_THREAD_DRIVER_H
#define PK_THREAD_DRIVER_H

/**
 * @file
 * What a thread kind's author needs and an application does not. A thread
 * kind (drivers/thread/) is a stage kind (pk_stage_driver.h) that says only
 * how and where runs happen: its pk_thread_kind_ops start and stop them, its
 * stage ops use pk_thread_stage_destroy() and PK_THREAD_CAPS, and its create
 * function calls pk_thread_alloc(). The library does the rest: the default
 * start function, the wiring check at start, stop, shares and statistics.
 *
 * The library picks a thread's run at start: a thread with the default
 * start function whose wiring allows it gets a fused run (struct
 * pk_thread_fused), the same work and the same counters as the default
 * run's, without the stage calls in between.
 *
 * A kind sets struct pk_thread's domain at create: the wiring check lets
 * threads of one domain (continuations of one runner: they never run at
 * the same time) share a single-producer or single-consumer queue.
 *
 * Threads: pk_thread_kind_ops and the runner calls below run on the control
 * thread; pk_thread_charge() and pk_thread_run_once() on the thread's own
 * context, its counters' one writer.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_cycles.h>

#include <pathkit/pk_proc.h>
#include <pathkit/pk_runner.h>
#include <pathkit/pk_stage_driver.h>
#include <pathkit/pk_thread.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a thread kind does on start and stop. Control thread. */
struct pk_thread_kind_ops {
	/**
	 * Make runs happen (launch, hand to a runner, allow callers).
	 * @return 0 or -errno, which pk_thread_start() returns.
	 */
	int (*start)(struct pk_thread *t);
	/** Stop was asked: wake t if it sleeps, return once no run is left. */
	void (*stop)(struct pk_thread *t);
	/** Optional: undo the kind's create-time attachments (at destroy). */
	void (*detach)(struct pk_thread *t);
};

/** Counters written by the thread's own context only (pk_thread_stats). */
struct pk_thread_counters {
	uint64_t runs;          /**< calls of the start function */
	uint64_t idle_runs;     /**< runs that returned 0 or less */
	uint64_t pkts;          /**< what runs returned */
	uint64_t busy_cycles;   /**< cycles of runs that found work */
	uint64_t idle_cycles;   /**< cycles of idle runs, spins, sleeps */
	uint64_t sleeps;        /**< sleeps on an empty source */
	uint64_t wakeups;       /**< sleeps ended by a push or a stop */
} __rte_cache_aligned;

/**
 * Stride of one share: a runner advances a thread's pass by the cycles it
 * charged times PK_THREAD_STRIDE1 / shares.
 */
#define PK_THREAD_STRIDE1 (1u << 20)

/** Most processing stages a fused run calls itself; more: the rest by push. */
#define PK_THREAD_FUSE_MAX_PROCS 4

struct rte_ring;

/**
 * A fused run's plan, made at start (lib/thread_run.c) for a thread with
 * the default start function: dequeue from the source's ring inline when
 * the source (the thread's prev) is a single-consumer queue_ring, call the
 * burst functions of the generic processing stages that follow the thread
 * directly, and enqueue into the sink's ring inline when the sink (the
 * stage after them) is a single-producer queue_ring. Either end may be
 * another stage: it is then pulled or pushed as in the default run, except
 * a port_rx source and a port_tx sink (pk_port_queue_of()), whose queues
 * the run receives from and sends to itself. Each stage's counters come out
 * as the default run leaves them. Stages that count bytes are not fused
 * (they end the plan). A sink whose push changes after the start (a
 * dropper taking it over) is pushed through its push.
 */
struct pk_thread_fused {
	struct rte_ring *src_ring;  /**< src's ring, or NULL: pk_stage_pull() */
	struct rte_ring *sink_ring; /**< sink's ring, or NULL: pk_stage_push() */
	bool src_port;              /**< src is a port_rx: rte_eth_rx_burst */
	bool sink_port;             /**< sink is a port_tx: rte_eth_tx_burst */
	uint16_t src_port_id;       /**< src's port, with src_port */
	uint16_t src_queue_id;      /**< src's RX queue, with src_port */
	uint16_t sink_port_id;      /**< sink's port, with sink_port */
	uint16_t sink_queue_id;     /**< sink's TX queue, with sink_port */
	/** sink's push at the plan: a port sink is sent to directly while
	 *  its push is still this one */
	pk_stage_push_t sink_push;
	struct pk_stage *src;       /**< the thread's prev */
	struct pk_stage *sink;      /**< what follows the fused processing */
	uint32_t nb_procs;          /**< processing stages called directly */
	/**
	 * bit i: procs[i] keeps an out counter (PK_STAGE_F_COUNT_OUT); the
	 * others' out is derived from in and drops (pk_proc_driver.h), so
	 * the run writes only their in
	 */
	uint32_t out_mask;
	/** those stages, in order, with their burst functions */
	struct {
		pk_proc_fn fn;
		void *arg;
		struct pk_stage *s;
	} procs[PK_THREAD_FUSE_MAX_PROCS];
};

/** Stage caps of every thread kind. */
#define PK_THREAD_CAPS (PK_STAGE_CAP_FWD_PULL | PK_STAGE_CAP_FWD_PUSH)

/**
 * A thread: a stage and what its runs need. Fields marked "lib" belong to
 * lib/thread.c and lib/runner.c; a kind reads the others and writes only
 * its own (lcore_id, entry_*, domain at create, counters while it runs).
 */
struct pk_thread {
	struct pk_stage stage;          /**< must be first */
	/* fast path: read by every run */
	pk_thread_fn fn;                /**< start function */
	void *arg;                      /**< its argument */
	uint32_t budget;                /**< packets per run (default fn) */
	uint16_t burst;                 /**< burst of the default fn */
	uint16_t tflags;                /**< enum pk_thread_flag */
	uint32_t stop_req;              /**< atomic: stop asked */
	uint32_t shares;                /**< lib, atomic: changed by control */
	uint32_t stride;                /**< lib, atomic: STRIDE1 / shares */
	/* runner state: written by the runner's context only */
	struct pk_runner *runner;       /**< lib: a continuation's runner */
	uint64_t run_avg;               /**< lib: average charged busy pick */
	uint32_t on_runner;             /**< lib, atomic: in the runner's heap */
	uint32_t batch;                 /**< lib: most runs of one pick */
	/* control */
	const struct pk_thread_kind_ops *kops; /**< the kind's ops */
	/**
	 * What t shares a CPU with, set by the kind at create; compared,
	 * never dereferenced. Threads of one non-NULL domain never run at the
	 * same time. NULL: t runs on its own (lcore, entry).
	 */
	const void *domain;
	uint32_t state;                 /**< atomic: enum pk_thread_state */
	uint32_t entry_busy;            /**< atomic: an entry run in progress */
	/* thread_entry: the caller its runs are biased to, and sampling */
	uintptr_t entry_owner;          /**< atomic: 0, 1 (no bias) or owner */
	uint32_t entry_owner_busy;      /**< atomic: the owner runs it now */
	uint32_t entry_left;            /**< runs to the next timed run */
	uint32_t entry_gap;             /**< runs the next timed run stands for */
	uint32_t entry_rng;             /**< xorshift state for the gaps */
	unsigned int lcore_id;          /**< thread_lcore's lcore */
	bool started;                   /**< lib: in the started list */
	struct pk_stage *src;           /**< where pulls end up (at start) */
	struct pk_stage *sink;          /**< where pushes end up (at start) */
	TAILQ_ENTRY(pk_thread) runner_next;  /**< lib: the runner's list */
	/** lib: the fused run's plan (fn is the fused run), made at start */
	struct pk_thread_fused fused;
	struct pk_thread_counters st;   /**< statistics */
};

/**
 * Allocate a thread stage of a kind from conf, defaults filled in, stopped.
 * @return the thread, or NULL with rte_errno EINVAL (NULL conf, a field out
 *   of range, a bad name) or ENOMEM.
 */
struct pk_thread *pk_thread_alloc(const struct pk_thread_conf *conf,
				  const struct pk_stage_ops *ops,
				  const struct pk_thread_kind_ops *kops);

/**
 * Parse the arguments every kind takes: burst, budget, nonblock, shares,
 * bytes (for a kind's create from rte_kvargs).
 * @return 0 with c filled in, or -EINVAL.
 */
int pk_thread_args(const struct rte_kvargs *kv, struct pk_thread_conf *c);

/**
 * @return true if t's runs are fused (see struct pk_thread_fused): it was
 *   started with the default start function and a wiring that allows it.
 *   Any thread; meaningful while t is started.
 */
bool pk_thread_is_fused(const struct pk_thread *t);

/** The destroy every thread kind's stage ops use (marks a stage a thread). */
void pk_thread_stage_destroy(struct pk_stage *s);

/** Charge one run to the thread's statistics (its own context). */
static inline void
pk_thread_charge(struct pk_thread *t, int n, uint64_t cycles)
{
	pk_counter_add(&t->st.runs, 1);
	if (n > 0) {
		pk_counter_add(&t->st.pkts, (uint64_t)n);
		pk_counter_add(&t->st.busy_cycles, cycles);
	} else {
		pk_counter_add(&t->st.idle_runs, 1);
		pk_counter_add(&t->st.idle_cycles, cycles);
	}
}

/** One run of the start function, timed and charged (its own context). */
static inline int
pk_thread_run_once(struct pk_thread *t)
{
	uint64_t t0 = rte_rdtsc();
	int n = t->fn(t, t->arg);

	pk_thread_charge(t, n, rte_rdtsc() - t0);
	return n;
}

/** @return true once pk_thread_stop() was asked (its own context). */
static inline bool
pk_thread_stop_asked(const struct pk_thread *t)
{
	return __atomic_load_n(&t->stop_req, __ATOMIC_ACQUIRE) != 0;
}

/**
 * Mark t stopped from its own context once its runs have ended (stop was
 * asked, or a run returned a negative value: it stops by itself).
 * pk_thread_stop() or a new pk_thread_start() still cleans up.
 */
static inline void
pk_thread_set_stopped(struct pk_thread *t)
{
	__atomic_store_n(&t->state, PK_THREAD_STOPPED, __ATOMIC_RELEASE);
}

/* ---- the runner, for thread_continuation (lib/runner.c) ---- */

/**
 * Make t one of r's threads (at create): sets t->runner.
 * @return 0, or -ENOSPC (r has PK_RUNNER_MAX_THREADS threads).
 */
int pk_runner_attach(struct pk_runner *r, struct pk_thread *t);

/**
 * Undo pk_runner_attach(): t has no runner nor domain after it. Does
 * nothing if t is not r's (r destroyed first, or NULL).
 */
void pk_runner_detach(struct pk_runner *r, struct pk_thread *t);

/**
 * Have r schedule t (start), from its next decision; works while r runs.
 * @return 0, or -EINVAL (NULL r).
 */
int pk_runner_add(struct pk_runner *r, struct pk_thread *t);

/**
 * Take t off r's schedule (stop); returns once no run of t is in progress.
 * Accepts a NULL r.
 */
void pk_runner_remove(struct pk_runner *r, struct pk_thread *t);

#ifdef __cplusplus
}
#endif

#endif /* PK_THREAD_DRIVER_H */
