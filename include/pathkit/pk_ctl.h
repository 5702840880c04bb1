/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CTL_H
#define PK_CTL_H

/**
 * @file
 * Runtime changes of a running node, by name, refused with the reason in
 * words: what DPDK's telemetry commands and the examples' prompt
 * (examples/common/pk_prompt.h) both call, so that the two cannot drift.
 * Telemetry: /pathkit/key_add,TEXT /pathkit/key_del,TEXT
 * /pathkit/sched_weight,SCHED,QUEUE,VALUE /pathkit/sched_rate,SCHED,RATE
 * /pathkit/sched_policy,SCHED,POLICY[,ARGS]
 * /pathkit/owner_rate,OWNER,RATE /pathkit/thread_shares,THREAD,SHARES
 * /pathkit/portmap_reserve,MAP,SPEC /pathkit/portmap_release,MAP,SPEC,
 * each answering {"ok": 1} or {"ok": 0, "errno": N, "error": "why"}. Each change is validated before anything is touched; a refusal
 * changes nothing.
 *
 * Objects are found by name on the library's lists of live objects
 * (stages, threads, schedulers, port maps, owners), and each change is made
 * while the object is on its list, under the list's lock: an object being
 * destroyed at that moment is either changed first or not found.
 *
 * How each change is made safe while traffic flows:
 * - demux keys: pk_demux_flow_add()/del() are safe while readers push (RCU).
 * - thread shares: pk_thread_shares_set() stores atomically; the runner
 *   reads them at its next pick.
 * - scheduler queue weights and rates: a scheduler is single-threaded
 *   (pk_sched.h): the threads that pull from it or push into it (or into
 *   a scheduler above it) are stopped (pk_thread_stop(): nothing stays in
 *   flight in a thread, no packet is lost), the change is made, and they
 *   are started again. The pause is a round trip to each thread's runner
 *   or lcore. A scheduler run by an arbiter is refused (-EBUSY), but
 *   for its policy: the arbiter's thread switches it between two rounds
 *   (pk_arbiter_policy_set()).
 * - port map reservations: the map takes its own mutex.
 *
 * Threads: any thread. Changes are made one at a time, under one mutex
 * (pk_ctl_lock()). Thread start and stop and a runner's commands assume
 * one control thread: an application whose control thread starts, stops
 * or destroys threads while these changes may come (from telemetry) holds
 * pk_ctl_lock() around those calls (pk-run and pk-fwd do).
 *
 * Errors: -errno; err receives one line saying why ("found ..., expected
 * ..." for text that does not parse), user text quoted as pk_parse_quote()
 * quotes it. err may be NULL.
 */

#include <stddef.h>
#include <stdio.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Room for any reason a change writes, NUL included. */
#define PK_CTL_ERR_MAX 256

/** Longest key text pk_ctl_key_parse() reads. */
#define PK_CTL_KEY_MAX 255

/** Take the changes' mutex (around an application's own control calls). */
void pk_ctl_lock(void);

/** Release it. */
void pk_ctl_unlock(void);

/** A demux key as written: "D PROTO LOCAL [<- REMOTE] [-> TARGET]". */
struct pk_ctl_key {
	char demux[PK_STAGE_NAMESIZE];  /**< the demux_flow stage */
	char target[PK_STAGE_NAMESIZE]; /**< "" when not written */
	struct pk_flow_key key;         /**< as pk_demux_flow_add() takes it */
	char text[128];                 /**< canonical: "udp4 10.0.0.1:53" */
};

/**
 * Read a key in the configuration language's form (pk_conf.h):
 * "D PROTO LOCAL [<- REMOTE] [-> TARGET]", PROTO tcp, udp or icmp (with 4
 * or 6 when no address says), LOCAL ADDR:PORT, [IPV6]:PORT or *:PORT,
 * tokens apart by spaces. No EAL needed.
 * @param text the key
 * @param k filled in on success
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, or -EINVAL (NULL argument, text that is not of that form,
 *   longer than PK_CTL_KEY_MAX) with the reason in err.
 */
int pk_ctl_key_parse(const char *text, struct pk_ctl_key *k, char *err,
		     size_t errlen);

/**
 * Add a demux key: "D PROTO LOCAL [<- REMOTE] -> TARGET". TARGET is a
 * stage, or a path (pushed as a whole, as the configuration language
 * links keys: its "in" counts what the key brings).
 * @param text the key and its target
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL (text, a target that takes no pushes), -ENOENT (no
 *   such demux or target), -EEXIST (key installed), -ENOSPC (demux full).
 */
int pk_ctl_key_add(const char *text, char *err, size_t errlen);

/**
 * Delete a demux key: "D PROTO LOCAL [<- REMOTE] [-> TARGET]" (a TARGET
 * given must be where the key goes).
 * @param text the key
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL, -ENOENT (no such demux or key, another target).
 */
int pk_ctl_key_del(const char *text, char *err, size_t errlen);

/**
 * Set a scheduler queue's parameter (weight, quantum or priority, as its
 * policy reads it; "default" for the policy's default).
 * @param sched the scheduler's name
 * @param queue the queue's id, or the name of the stage it pulls
 * @param value the parameter, decimal
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL (a bad number, out of the policy's range), -ENOENT
 *   (no such scheduler or queue), -ENOSPC (the weight sum would pass the
 *   policy's maximum), -EBUSY (an arbiter runs it), or a thread's restart
 *   error.
 */
int pk_ctl_sched_param(const char *sched, const char *queue,
		       const char *value, char *err, size_t errlen);

/**
 * Set a scheduler's shaper rate (pk_sched_set_shaper(); its overhead and
 * bucket stay). rate as pk_parse_rate() reads it ("10M", "1.5G", "0": off).
 * @param sched the scheduler's name
 * @param rate the new rate
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL (bad rate, over PK_SCHED_MAX_RATE), -ENOENT, -EBUSY.
 */
int pk_ctl_sched_rate(const char *sched, const char *rate, char *err,
		      size_t errlen);

/**
 * Switch a scheduler's policy while it runs (pk_sched_policy_set(): the
 * queues and their backlog stay, order per queue kept, nothing dropped by
 * the switch; packets held count as arriving now for a queue manager).
 * @param sched the scheduler's name, or an arbiter's (its scheduler)
 * @param policy the new policy's name (wfq, wf2q, drr, prio, rr, fifo,
 *   fq_codel, fq_pie, or any registered one)
 * @param args NULL or KEY=VALUE words apart by spaces: param=N|default
 *   (every queue's parameter; without it each keeps its own if the new
 *   policy accepts it, else takes the new default), and the queue
 *   managers' target=, interval= (or tupdate=), burst_allowance= (with s,
 *   ms, us), limit=, limit_bytes=, batch=, alpha=, beta=, ecn=0|1 (struct
 *   pk_sched_aqm_conf); what is not given stays as the scheduler has it
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL (bad name, argument, parameter out of the new
 *   policy's range, stage queues for a queue manager), -ENOENT (no such
 *   scheduler, unknown policy), -ENOSPC (the new policy refuses the
 *   queues), -ENOTSUP (a two-level policy on either side), -ENOMEM, or a
 *   thread's restart error. A refusal changes nothing.
 */
int pk_ctl_sched_policy(const char *sched, const char *policy,
			const char *args, char *err, size_t errlen);

/**
 * Set an owner's rate: the rate of the one scheduler that serves this
 * owner alone, that is a scheduler whose every queue is a stage of the
 * owner's paths, or whose pulling thread pushes into one of the owner's
 * paths (a shaper in front of them). A scheduler shared with other owners
 * is refused: set its rate by name.
 * @param owner the owner's name
 * @param rate the new rate
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL (bad rate), -ENOENT (no such owner, no scheduler of
 *   its own), -EEXIST (several: name one), -EBUSY.
 */
int pk_ctl_owner_rate(const char *owner, const char *rate, char *err,
		      size_t errlen);

/**
 * Set a thread's shares (1..PK_THREAD_MAX_SHARES, decimal).
 * @param thread the thread's name
 * @param shares the new shares
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL (bad number), -ENOENT (no such thread).
 */
int pk_ctl_thread_shares(const char *thread, const char *shares, char *err,
			 size_t errlen);

/**
 * Reserve ports in a port map: spec as pk_portmap_reserve_str() reads it,
 * "OWNER:PROTO:LO[-HI][@ADDR]".
 * @param map the port map's name
 * @param spec the reservation
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -ENOENT (no such map), or pk_portmap_reserve_str()'s errors.
 */
int pk_ctl_reserve(const char *map, const char *spec, char *err,
		   size_t errlen);

/**
 * Release a reservation made with exactly this spec.
 * @param map the port map's name
 * @param spec the reservation
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL (spec), -ENOENT (no such map, owner or reservation).
 */
int pk_ctl_release(const char *map, const char *spec, char *err,
		   size_t errlen);

/**
 * Print the live paths: one line each, name, owner, members head first,
 * in, out, dropped, held.
 * @param f where to print
 * @return paths printed, or -EINVAL (f NULL).
 */
int pk_ctl_show_paths(FILE *f);

/**
 * Print every owner: name, id, its totals over the rows (sent, received,
 * dropped; packets and bytes).
 * @param f where to print
 * @return owners printed, or -EINVAL, -ENOMEM.
 */
int pk_ctl_show_owners(FILE *f);

/**
 * Print a scheduler: policy, rate, counters, and one line per queue (id,
 * stage, parameter, backlog).
 * @param name the scheduler's name
 * @param f where to print
 * @param err receives the reason of a refusal (may be NULL)
 * @param errlen bytes at err (PK_CTL_ERR_MAX hold any)
 * @return 0, -EINVAL (f NULL), -ENOENT (no such scheduler, reason in err).
 */
int pk_ctl_show_sched(const char *name, FILE *f, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* PK_CTL_H */
