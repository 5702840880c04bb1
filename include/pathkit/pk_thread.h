/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_THREAD_H
#define PK_THREAD_H

/**
 * @file
 * Thread: where a path's work runs, and who is charged for it. A thread is a
 * stage (caps FWD_PULL | FWD_PUSH): it pulls from its prev and pushes into its
 * next, so `queue -> thread -> processing... -> queue` links as a pk_path.
 * It accepts no push and gives no pull.
 *
 * A thread repeatedly calls its start function; one call is one "run". The
 * default start function (pk_thread_run_default()) pulls bursts from prev and
 * pushes them into next, up to a budget of packets per run. Kinds:
 * - thread_lcore: owns an EAL worker lcore and runs there; may block on an
 *   empty queue (short adaptive spin, then a sleep in pk_queue_wait()) unless
 *   non-blocking.
 * - thread_continuation: many share one lcore, scheduled by a runner
 *   (pk_runner.h) in proportion to their shares and charged the TSC cycles
 *   each run used. Never blocks; keeps no stack state between runs.
 * - thread_entry: the application's own thread (an EAL lcore, or a pthread
 *   registered with rte_thread_register()) runs the thread in its own context
 *   with pk_thread_entry_run(), and is charged for it (lazy receiver
 *   processing). The first caller's runs take no atomic read-modify-write
 *   and one run in 16 is timed (see the kind's card).
 *
 * Ownership: as pk_stage.h. A run owns the packets it pulled until it pushes
 * them; packets downstream refuses (the downstream of a thread is a chain, so
 * they may have been changed) are freed by the thread and counted as "full"
 * drops on it. A thread holds no packet between runs.
 *
 * Threads: create, start, stop, destroy, pk_thread_shares_set() run on the
 * control thread. pk_thread_stats_get() and pk_thread_shares_get() are safe
 * from any thread. The start function runs on the thread's own context, one
 * run at a time. Starting a thread checks the wiring once: two started
 * threads may not push into the same single-producer queue, nor pull from the
 * same single-consumer one (-EINVAL).
 *
 * RCU (pk_rcu.h): every kind's runs happen in one of the library's RCU
 * readers, so that demux keys deleted and graphs replaced at run time are
 * reclaimed only after they end: a thread_lcore reports a quiescent state
 * after each run and is offline while it sleeps or yields, a runner before
 * each pick, and pk_thread_entry_run() puts its caller online for the run
 * (a store and a fence) unless the caller is online already.
 *
 * Telemetry (dpdk-telemetry.py): /pathkit/threads lists the live threads,
 * /pathkit/thread,NAME gives its kind, state, lcore (its runner's for a
 * continuation, -1 for an entry thread), runner, path, shares, burst,
 * budget, the statistics below with the TSC's hz, and its stage counters.
 *
 * Arguments (pk_stage_create()): thread_lcore: lcore=ID (a worker lcore)
 * burst=1..512 (32) budget=packets per run (256) nonblock=0|1;
 * thread_continuation: runner=NAME shares=1..65536 (1) burst= budget=;
 * thread_entry: burst= budget=. All: bytes=0|1 (count bytes too).
 */

#include <stdbool.h>
#include <stdint.h>

#include <pathkit/pk_runner.h>
#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pk_thread;

/**
 * A thread's start function: one run. Runs on the thread's own context.
 * A continuation's run must not block and must keep no state on its stack
 * between runs.
 * @param t the thread (pk_thread_stage(t)->prev / ->next are its ends)
 * @param arg the argument given at create
 * @return packets handled (0: found no work, the thread may idle or sleep),
 *   or a negative value to stop the thread by itself. Returning the
 *   thread's budget or more says the run stopped on its budget with work
 *   left: a continuation's runner may then run it again in the same pick.
 */
typedef int (*pk_thread_fn)(struct pk_thread *t, void *arg);

/** Thread flags. */
enum pk_thread_flag {
	PK_THREAD_F_NONBLOCK = 1u << 0, /**< never sleep on an empty queue */
};

/** Default burst of the default start function. */
#define PK_THREAD_DEFAULT_BURST 32
/** Default budget, in packets, of one run of the default start function. */
#define PK_THREAD_DEFAULT_BUDGET 256
/** Largest burst. */
#define PK_THREAD_MAX_BURST 512
/** Largest number of shares of one thread. */
#define PK_THREAD_MAX_SHARES 65536

/** How to create a thread. Zero fields take the defaults. */
struct pk_thread_conf {
	const char *name;      /**< stage name */
	pk_thread_fn fn;       /**< start function (NULL: the default) */
	void *arg;             /**< its argument */
	uint32_t flags;        /**< enum pk_thread_flag */
	uint32_t sflags;       /**< enum pk_stage_flag (PK_STAGE_F_BYTES) */
	uint32_t shares;       /**< 1..PK_THREAD_MAX_SHARES (1) */
	uint16_t burst;        /**< 1..PK_THREAD_MAX_BURST (32) */
	uint32_t budget;       /**< packets per run (256) */
	int socket_id;         /**< NUMA socket, or SOCKET_ID_ANY */
};

/** A snapshot of a thread's statistics. */
struct pk_thread_stats {
	uint64_t runs;         /**< calls of the start function */
	uint64_t idle_runs;    /**< runs that found no work */
	uint64_t pkts;         /**< packets handled (what runs returned) */
	uint64_t busy_cycles;  /**< TSC cycles of runs that found work (for a
				    continuation: what the runner charged;
				    for an entry thread: estimated from one
				    run in 16, picked at random) */
	uint64_t idle_cycles;  /**< TSC cycles of idle runs, spins, sleeps
				    (an entry thread's: estimated so too) */
	uint64_t sleeps;       /**< times it slept on an empty queue */
	uint64_t wakeups;      /**< sleeps ended by a push or a stop */
};

/** Thread lifecycle. */
enum pk_thread_state {
	PK_THREAD_STOPPED = 0, /**< created or stopped */
	PK_THREAD_RUNNING,     /**< started */
};

/**
 * Create a thread_lcore: it will run on EAL worker lcore lcore_id.
 * "Bad conf" here and below: conf NULL, a field out of range (shares, burst,
 * flags, sflags), or a name NULL, empty or too long for a stage.
 * @return the thread, or NULL with rte_errno EINVAL (bad conf, lcore_id not
 *   an enabled worker lcore) or ENOMEM.
 */
struct pk_thread *pk_thread_lcore_create(const struct pk_thread_conf *conf,
					 unsigned int lcore_id);

/**
 * Create a thread_continuation scheduled by runner r (never blocks: the
 * NONBLOCK flag is implied).
 * @return the thread, or NULL with rte_errno EINVAL (bad conf, NULL r),
 *   ENOSPC (r has PK_RUNNER_MAX_THREADS threads) or ENOMEM.
 */
struct pk_thread *
pk_thread_continuation_create(const struct pk_thread_conf *conf,
			      struct pk_runner *r);

/**
 * Create a thread_entry: run by whoever calls pk_thread_entry_run().
 * @return the thread, or NULL with rte_errno EINVAL (bad conf) or ENOMEM.
 */
struct pk_thread *pk_thread_entry_create(const struct pk_thread_conf *conf);

/**
 * Start a thread: check its wiring, then launch it (lcore), hand it to its
 * runner (continuation) or let callers run it (entry). A thread that stopped
 * by itself may be started again. Control thread.
 * @return 0, or -EINVAL (NULL t; wiring: a single-producer/consumer queue
 *   shared with another started thread; a continuation whose runner was
 *   destroyed), -EALREADY (running), -EBUSY (lcore: its lcore is running
 *   something else, such as a runner or another thread), -EPIPE (lcore: EAL
 *   could not reach its lcore).
 */
int pk_thread_start(struct pk_thread *t);

/**
 * Stop a thread and wait until it has stopped: its current run finishes, a
 * sleeping thread is woken. Nothing is left in flight inside the thread.
 * Control thread. Stopping a stopped thread is a no-op.
 * @return 0, or -EINVAL (NULL t).
 */
int pk_thread_stop(struct pk_thread *t);

/**
 * Run a thread_entry once in the calling thread's context: one run of its
 * start function, charged to this thread. One caller at a time. It never
 * sleeps: to wait for packets, sleep on the source with pk_queue_wait().
 * The caller is one of the library's RCU readers (pk_rcu.h) for the run:
 * the run goes online and offline around itself (a full fence), unless the
 * caller is online already. A loop that runs entry threads often goes
 * online once (pk_rcu_online()), reports pk_rcu_quiescent() once per
 * iteration and pk_rcu_offline() before it sleeps or ends: each run then
 * costs a thread-local load for it.
 * @return what the start function returned (packets handled), or -EINVAL
 *   (NULL t, not an entry thread), -EAGAIN (not started, or being stopped),
 *   -EBUSY (another thread is running it now).
 */
int pk_thread_entry_run(struct pk_thread *t);

/**
 * The default start function: pull bursts from prev, push them into next,
 * until prev is empty or the budget is spent. Refused packets are freed and
 * counted "full" on the thread. Custom start functions may call it.
 * @return packets pulled.
 */
int pk_thread_run_default(struct pk_thread *t, void *arg);

/** @return the thread as a stage (to link it, put it in a path). */
struct pk_stage *pk_thread_stage(struct pk_thread *t);

/** @return the thread a stage is, or NULL if it is not a thread. */
struct pk_thread *pk_thread_from_stage(struct pk_stage *s);

/** Destroy a stopped thread (stops it first). Accepts NULL. */
void pk_thread_destroy(struct pk_thread *t);

/** @return the thread's state (PK_THREAD_STOPPED for NULL). Any thread. */
enum pk_thread_state pk_thread_state(const struct pk_thread *t);

/** @return true once stop was asked: a long custom run should return. */
bool pk_thread_should_stop(const struct pk_thread *t);

/**
 * Set a thread's shares; takes effect at its next run, also while running.
 * @return 0, or -EINVAL (NULL t, shares out of 1..PK_THREAD_MAX_SHARES).
 */
int pk_thread_shares_set(struct pk_thread *t, uint32_t shares);

/** @return the thread's shares. Any thread. */
uint32_t pk_thread_shares_get(const struct pk_thread *t);

/**
 * Read a thread's statistics. Any thread, while it runs.
 * @return 0, or -EINVAL (NULL argument).
 */
int pk_thread_stats_get(const struct pk_thread *t, struct pk_thread_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* PK_THREAD_H */
