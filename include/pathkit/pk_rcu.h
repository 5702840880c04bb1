/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RCU_H
#define PK_RCU_H

/**
 * @file
 * The library's readers: one process-wide rte_rcu_qsbr variable that every
 * context running PathKit stages reports to, so that what a control thread
 * unpublishes (a demux key deleted at run time, a reloaded configuration's
 * old graph) is reused or freed only after every such context has passed a
 * quiescent state.
 *
 * Who reports: the library's own loops do it by themselves: a runner's
 * lcore once per pick, a thread_lcore once per run (both offline while they
 * sleep or yield), and pk_thread_entry_run() brackets its run (online at the
 * start, offline at the end) unless its caller is online already. An
 * application loop that pushes into stages itself (an RX loop feeding a
 * demux) does the same: pk_rcu_online() before the loop,
 * pk_rcu_quiescent() once per iteration when it holds nothing it found in a
 * stage, pk_rcu_offline() before it sleeps or ends.
 *
 * Why one variable and not one per demux: a thread then registers once,
 * with its lcore id, whatever stages it pushes into, and pays one store per
 * loop iteration however many demuxes its paths cross (per-demux
 * registration would make every loop know every demux downstream of it,
 * which keys added at run time change). Writers wait for every reader of
 * the process, most of which never touch their object: a grace period is as
 * long as the slowest loop iteration of the process, a few microseconds,
 * and deferred reclamation (rte_rcu_qsbr_dq) keeps that wait off the common
 * path. The demux's own variable (pk_demux_flow_reader_register()) stays
 * for readers with ids of their own choice; a demux waits for both.
 *
 * Reader ids are lcore ids (rte_lcore_id()): EAL lcores and non-EAL threads
 * registered with rte_thread_register(). A thread without one cannot be a
 * reader: it must not push into a stage whose keys or graph change while
 * it runs. Online and offline nest: only the outermost pair changes the
 * reader's state, and only the outermost context reports quiescent states.
 *
 * Threads: pk_rcu_online(), pk_rcu_offline(), pk_rcu_quiescent() on the
 * reader itself; pk_rcu_synchronize() on any thread that holds nothing it
 * found in a stage (a reader reports its own quiescent state first).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The library's QSBR variable, made at the first call (RTE_MAX_LCORE
 * readers, libc memory, kept for the life of the process).
 * @return it, or NULL with rte_errno ENOMEM. Any thread.
 */
struct rte_rcu_qsbr *pk_rcu_qsbr(void);

/**
 * Not for callers: the calling thread's online depth, how many
 * pk_rcu_online() calls it has not yet undone (0: offline). Thread-local,
 * static TLS (as EAL's per-lcore variables); read and written by the
 * inlines below only.
 */
#ifdef __DOXYGEN__
extern uint32_t pk_rcu_depth_;
#else
extern __thread uint32_t pk_rcu_depth_
	__attribute__((tls_model("initial-exec")));
#endif

/**
 * Not for callers (pk_rcu_online() calls it when the thread goes online):
 * register the thread the first time, then put it online (a full fence).
 * @param id set to the reader id when the call returns non-NULL
 * @return as pk_rcu_online()
 */
struct rte_rcu_qsbr *pk_rcu_online_outer(unsigned int *id);

/**
 * Not for callers (pk_rcu_offline() calls it for the outermost context):
 * put the thread offline.
 * @param v what pk_rcu_online() returned
 * @param id the id it set
 */
void pk_rcu_offline_outer(struct rte_rcu_qsbr *v, unsigned int id);

/**
 * Make the calling thread an online reader, registering it the first time
 * (by its lcore id). Nests: only the outermost call changes its state.
 * Costs a store and a full fence when it goes online (out of line), a
 * thread-local increment when nested (inline: a loop that stays online
 * makes the library's own brackets inside it, an entry run's say, cost a
 * few instructions and no call).
 * @param id set to the reader id (the lcore id) when the call returns
 *   non-NULL
 * @return the variable if this call put the thread online: report
 *   quiescent states on it with *id and give it back to pk_rcu_offline();
 *   NULL if the thread was online already (an outer context reports) or
 *   cannot be a reader (no lcore id, or no memory: rte_errno says).
 */
static inline struct rte_rcu_qsbr *
pk_rcu_online(unsigned int *id)
{
	if (__builtin_expect(pk_rcu_depth_ != 0, 1)) {
		pk_rcu_depth_++;
		return NULL; /* an outer context is online and reports */
	}
	return pk_rcu_online_outer(id);
}

/**
 * Undo one pk_rcu_online(); the outermost (v not NULL) puts the thread
 * offline: writers stop waiting for it. Inline when nested (v NULL).
 * @param v what the matching pk_rcu_online() returned (NULL accepted)
 * @param id the id it set
 */
static inline void
pk_rcu_offline(struct rte_rcu_qsbr *v, unsigned int id)
{
	if (__builtin_expect(v == NULL, 1)) {
		if (pk_rcu_depth_ != 0)
			pk_rcu_depth_--;
		return;
	}
	pk_rcu_offline_outer(v, id);
}

/**
 * Report a quiescent state: the reader holds nothing it found in a stage.
 * Once per loop iteration (a load and a store, about 8 cycles).
 * @param v from pk_rcu_online(); NULL: nothing to do (nested, not a reader)
 * @param id the id it set
 */
static inline void
pk_rcu_quiescent(struct rte_rcu_qsbr *v, unsigned int id)
{
	if (v != NULL)
		rte_rcu_qsbr_quiescent(v, id);
}

/**
 * @return true if the calling thread is an online reader of the variable
 *   (some context of it called pk_rcu_online() and not yet undone it).
 *   Inline: a thread-local load.
 */
static inline bool
pk_rcu_is_online(void)
{
	return pk_rcu_depth_ != 0;
}

/**
 * Wait until every online reader has passed a quiescent state after the
 * call: on return no reader holds what the caller unpublished before it.
 * Blocks while readers are busy (not while they sleep: they are offline).
 * A caller that is itself an online reader reports its own quiescent state
 * (it must hold nothing it found in a stage). Any thread.
 */
void pk_rcu_synchronize(void);

#ifdef __cplusplus
}
#endif

#endif /* PK_RCU_H */
