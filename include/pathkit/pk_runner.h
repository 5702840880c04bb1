/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RUNNER_H
#define PK_RUNNER_H

/**
 * @file
 * Runner: a proportional-share scheduler of continuation threads on one
 * lcore. Again and again it picks a thread behind its share (stride
 * scheduling; enum pk_runner_pick: in turns of about a microsecond per
 * share while the shares are close, else the lowest pass first), runs it
 * and charges it the TSC cycles the pick used, divided by its shares: a
 * thread that does costly work per packet gets fewer packets, not more
 * CPU. A run that ends on its budget (the thread has more work) may be
 * followed at once by another run of the same thread, in the same pick,
 * while the pick stays under about a microsecond (at most 64 runs):
 * threads with short runs pay one clock read and one choice per pick,
 * not per run; the charge stays exact. A pick
 * that found no work is charged at least 10 us; a pick far longer than the
 * thread's usual one is charged less (the OS most likely preempted it).
 *
 * Threads: thread_continuation threads (pk_thread.h) join a runner when
 * they are created and are scheduled while they are started; they may be
 * started, stopped and given new shares while the runner runs. The runner
 * runs on its worker lcore (pk_runner_start()), or in the caller's context
 * with pk_runner_run() (tests, benchmarks, an application's own loop).
 * Either way its context is one of the library's RCU readers (pk_rcu.h)
 * while it runs: a quiescent state before every pick, offline while it
 * yields the CPU (pk_runner_run()'s caller: online for the call, unless it
 * is online already, and then it reports itself).
 *
 * Ownership: the application owns the runner and its threads. Destroying a
 * runner stops its threads and detaches them (they cannot start again); the
 * application still destroys them. A runner holds no packet.
 *
 * Control functions run on the control thread; pk_runner_stats_get() is safe
 * from any thread.
 *
 * Telemetry (dpdk-telemetry.py): /pathkit/runners lists the runners,
 * /pathkit/runner,NAME gives its lcore, state, threads attached and
 * scheduled, and its statistics (below) with the TSC's hz.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pk_runner;

/**
 * How a runner picks its next thread; it chooses by the shares of the
 * threads it schedules, whenever a thread starts, stops or gets new shares.
 */
enum pk_runner_pick {
	/**
	 * Deficit round robin on the stride passes, while the largest shares
	 * are at most 8 times the smallest: each thread in turn runs for its
	 * shares / the smallest shares times about 1 us of charged cycles
	 * (what it overdrew is taken off its next turns). A pick costs a
	 * compare, whatever the number of threads.
	 */
	PK_RUNNER_PICK_RING = 0,
	/**
	 * Stride scheduling on a binary heap: every pick takes the lowest
	 * pass; a pick costs a sift of log2(threads) levels. For shares
	 * further apart, whose turns would be long.
	 */
	PK_RUNNER_PICK_HEAP = 1,
};

/** A snapshot of a runner's statistics. */
struct pk_runner_stats {
	uint64_t decisions;    /**< runs scheduled */
	uint64_t picks;        /**< choices of a thread: each runs it once, or
				    a few times in a row while its runs end
				    on their budget and are short */
	uint64_t idle_rounds;  /**< times every thread found no work */
	uint64_t pauses;       /**< idle back-offs with rte_pause() */
	uint64_t yields;       /**< idle back-offs with sched_yield() */
	uint64_t busy_cycles;  /**< cycles runs that found work took (before
				    the preemption cap; threads' own stats
				    hold what was charged) */
	uint64_t idle_cycles;  /**< cycles of idle runs and back-offs */
	unsigned int nb_threads; /**< threads it schedules now */
	enum pk_runner_pick pick; /**< how it picks now */
	uint64_t pick_switches;  /**< changes of pick so far */
};

/** Most threads one runner schedules. */
#define PK_RUNNER_MAX_THREADS 4096

/**
 * Create a runner that will schedule continuation threads on lcore_id
 * (a worker lcore), or in the caller's context with pk_runner_run().
 * @param name name, for logs and lookups by thread_continuation's runner=
 * @param lcore_id worker lcore for pk_runner_start() (checked there)
 * @param socket_id NUMA socket, or SOCKET_ID_ANY
 * @return the runner, or NULL with rte_errno EINVAL (name NULL, empty or
 *   too long), EEXIST (a runner has that name) or ENOMEM.
 */
struct pk_runner *pk_runner_create(const char *name, unsigned int lcore_id,
				   int socket_id);

/** @return the runner with that name, or NULL. Control thread. */
struct pk_runner *pk_runner_find(const char *name);

/**
 * Launch the runner on its lcore. Threads may be started and stopped on it
 * while it runs. Control thread.
 * @return 0, or -EINVAL (NULL r, lcore not an enabled worker), -EALREADY
 *   (launched), -EBUSY (lcore in use) or -EPIPE (EAL could not reach it).
 */
int pk_runner_start(struct pk_runner *r);

/**
 * Stop the runner and wait for its lcore to return. Its threads stay
 * started and resume when it starts again. Stopping a stopped runner is a
 * no-op. Control thread.
 * @return 0, or -EINVAL (NULL r).
 */
int pk_runner_stop(struct pk_runner *r);

/**
 * Run the scheduler in the calling thread for up to decisions runs (for
 * benchmarks and tests); the runner must not be launched. Returns early
 * when it has no started thread. Control thread.
 * @return runs made, or -EINVAL (NULL r), -EBUSY (the runner is launched).
 */
int64_t pk_runner_run(struct pk_runner *r, uint64_t decisions);

/** A clock for the runner to charge by: cycles since any fixed point. */
typedef uint64_t (*pk_runner_clock_t)(void *arg);

/**
 * Charge runs by another clock than the TSC (a fake clock for tests and
 * simulations). Control thread, while the runner is not launched.
 * @param r the runner
 * @param clock the clock, or NULL for the TSC again
 * @param arg passed to clock
 * @return 0, or -EBUSY if the runner is launched, -EINVAL if r is NULL.
 */
int pk_runner_clock_set(struct pk_runner *r, pk_runner_clock_t clock,
			void *arg);

/** Stop the runner, stop and detach its threads, free it. Accepts NULL. */
void pk_runner_destroy(struct pk_runner *r);

/**
 * Read a runner's statistics. Any thread.
 * @return 0, or -EINVAL (NULL argument).
 */
int pk_runner_stats_get(const struct pk_runner *r, struct pk_runner_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* PK_RUNNER_H */
