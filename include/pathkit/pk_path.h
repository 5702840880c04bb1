/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PATH_H
#define PK_PATH_H

/**
 * @file
 * Path: a compound stage, a chain of stages with an owner who is charged for
 * it. Pushing into the path pushes into its first stage; pulling from it pulls
 * from its last. The wiring is checked once, when the path is built: each
 * stage must push into the next one, or the next one must pull from it.
 *
 * Ownership: as pk_stage.h. The path owns its stages: destroying the path
 * destroys them and frees every packet they hold. Tail policy: with
 * PK_PATH_TAIL_RETURN (default) packets the chain refused come back to the
 * caller (already processed: free them, do not retry); with PK_PATH_TAIL_DROP
 * the path frees them, counts them as "full", and push always takes all.
 *
 * Accounting (pk_stage_stats_get() on pk_path_stage()), charged to its
 * owner: "in" counts what entered the path (pushed into its head, or, when
 * its head is a source such as an RX port or a queue its own thread pulls,
 * what that head produced), "out" what left it (pulled from its tail, or,
 * when its tail is a sink such as a TX port, what that sink took), "full"
 * what its chain refused at a push. Packets always; bytes too with
 * PK_STAGE_F_BYTES in the conf's flags (a read of each mbuf; for a source
 * head or sink tail, bytes are those the end stage counts). A path that
 * counts no bytes and whose head is a processing stage reads its in and
 * refused from that head when a snapshot is taken (a push then writes no
 * counter of the path's own: a path per flow costs no line for them): push
 * into such a path, not into its head, which is the path's alone.
 *
 * Threads: as its ends allow: several threads may push into a path whose
 * head accepts that (an MP queue, say) and pull from one whose tail does;
 * the path's counters on that side are then atomic. Otherwise one pusher and
 * one puller at a time.
 *
 * Telemetry (dpdk-telemetry.py): /pathkit/paths lists the live paths,
 * /pathkit/path,NAME gives its owner, accounting row, members (head first)
 * and the counters above (in_pkts, out_pkts, drop_REASON, dropped, held,
 * refused_REASON). /pathkit/owner,NAME sums its owner's live paths.
 */

#include <pathkit/pk_stage.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a path does with packets its chain refused. */
enum pk_path_tail {
	PK_PATH_TAIL_RETURN = 0, /**< give them back, like rte_eth_tx_burst */
	PK_PATH_TAIL_DROP,       /**< free them and count them as "full" */
};

/** Most stages in one path. */
#define PK_PATH_MAX_STAGES 64

/** How to build a path. */
struct pk_path_conf {
	const char *name;         /**< path name */
	uint32_t owner;           /**< who is charged for its work */
	enum pk_path_tail tail;   /**< tail policy */
	uint32_t flags;           /**< enum pk_stage_flag bits:
				       PK_STAGE_F_BYTES to charge bytes too */
	int socket_id;            /**< NUMA socket, or SOCKET_ID_ANY */
	uint32_t acct;            /**< enum pk_acct_row (pk_owner.h): the
				       owner's row its in/drops count as
				       received/dropped; 0 (PK_ACCT_NONE)
				       for none */
};

struct pk_path;

/**
 * Build a path from a chain of stages and check its wiring. On success the
 * path owns the stages; on failure the caller still owns them, unchanged.
 * @param conf name, owner, tail policy
 * @param stages the chain, upstream first; none may belong to another path
 * @param n its length, 1..PK_PATH_MAX_STAGES
 * @return the path, or NULL with rte_errno: EINVAL (a link that neither
 *   pushes nor pulls, a stage twice or already owned, bad conf: a tail
 *   policy or an accounting row out of range), ENOMEM.
 */
struct pk_path *pk_path_create(const struct pk_path_conf *conf,
			       struct pk_stage *const *stages, unsigned int n);

/** @return the path as a stage (push into it, pull from it, link it), or
 *  NULL if p is NULL. */
struct pk_stage *pk_path_stage(struct pk_path *p);

/** @return the path a stage is (made by pk_path_create), or NULL. */
struct pk_path *pk_path_from_stage(struct pk_stage *s);

/** Destroy the path, its stages, and every packet they hold. Accepts NULL. */
void pk_path_destroy(struct pk_path *p);

/** @return the owner charged for this path, or 0 if p is NULL. */
uint32_t pk_path_owner(const struct pk_path *p);

/**
 * @return the owner's accounting row the path counts in (enum pk_acct_row,
 *   pk_owner.h), or 0 (PK_ACCT_NONE) for none or if p is NULL.
 */
uint32_t pk_path_acct(const struct pk_path *p);

/** @return the number of stages in the path, or 0 if p is NULL. */
unsigned int pk_path_nb_stages(const struct pk_path *p);

/** @return stage i of the path (0 is the head), or NULL past the end or if
 *  p is NULL. */
struct pk_stage *pk_path_stage_at(const struct pk_path *p, unsigned int i);

/**
 * Print the path's accounting and each stage's statistics, one line each.
 * @return 0, -EINVAL (f or p NULL), or a negative errno if writing failed.
 */
int pk_path_stats_print(FILE *f, const struct pk_path *p);

#ifdef __cplusplus
}
#endif

#endif /* PK_PATH_H */
