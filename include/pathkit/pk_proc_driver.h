/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PROC_DRIVER_H
#define PK_PROC_DRIVER_H

/**
 * @file
 * For authors of processing kinds (drivers/proc/): a processing stage with
 * private state and the generic push/pull that run its burst function.
 * Ownership and threads as pk_proc.h.
 */

#include <rte_ether.h>

#include <pathkit/pk_proc.h>
#include <pathkit/pk_stage_driver.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Create a processing stage with private state of priv_size bytes (zeroed)
 * passed to fn as arg; for built-in kinds.
 * @return the stage, or NULL with rte_errno set as pk_proc_create().
 */
struct pk_stage *pk_proc_create_priv(const struct pk_stage_ops *ops,
				     const char *name, pk_proc_fn fn,
				     size_t priv_size, uint32_t sflags,
				     int socket_id);

/** @return the private state of a stage made by pk_proc_create_priv(). */
void *pk_proc_priv(struct pk_stage *s);

/** What a processing stage can do: pushed or pulled through. */
#define PK_PROC_CAPS                                                           \
	(PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL | PK_STAGE_CAP_FWD_PUSH |        \
	 PK_STAGE_CAP_FWD_PULL)

/** The stage flags with which a processing stage counts out (pk_proc.h). */
#define PK_PROC_F_OUT (PK_STAGE_F_BYTES | PK_STAGE_F_COUNT_OUT)

/** Processing stage ops for built-in kinds: push, pull, destroy filled in. */
#define PK_PROC_OPS(kind_name)                                                 \
	{                                                                      \
		.kind = (kind_name), .push = pk_proc_push,                     \
		.pull = pk_proc_pull, .destroy = pk_stage_free,                \
		.caps = PK_PROC_CAPS,                                          \
	}

/**
 * The Ethernet header of m, for a burst function; or NULL when m is shorter
 * than one, after freeing it and counting it "malformed" on side c.
 */
static inline struct rte_ether_hdr *
pk_proc_ether_hdr(struct pk_stage_counters *c, struct rte_mbuf *m)
{
	if (unlikely(m->data_len < sizeof(struct rte_ether_hdr))) {
		pk_stage_drop(c, PK_DROP_MALFORMED, m);
		return NULL;
	}
	return rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
}

/**
 * The burst function and argument of a processing stage whose push is the
 * generic one (pk_proc_push()), for a caller that runs the function itself
 * and counts as pk_proc_push() would (a thread's fused run): in always,
 * out only with PK_STAGE_F_BYTES or PK_STAGE_F_COUNT_OUT (PK_PROC_F_OUT;
 * without, the statistics derive out from in, drops and held, and
 * out.pkts is not read).
 * Control thread; both are fixed at create.
 * @return 0 with *fn and *arg set, or -EINVAL (NULL argument, or s's push
 *   is not pk_proc_push()).
 */
int pk_proc_fn_get(const struct pk_stage *s, pk_proc_fn *fn, void **arg);

/** Generic processing push: fn on the burst, then push to next. */
uint16_t pk_proc_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n);
/** Generic processing pull: pull from prev, then fn on the burst. */
uint16_t pk_proc_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max);

#ifdef __cplusplus
}
#endif

#endif /* PK_PROC_DRIVER_H */
