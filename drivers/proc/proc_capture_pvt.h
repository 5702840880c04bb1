/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PROC_CAPTURE_PVT_H
#define PROC_CAPTURE_PVT_H

/*
 * What proc_capture's two files share: the kind (proc_capture.c: card,
 * create, close, counters) and its fast path (proc_capture_push.c). Not
 * installed.
 */

#include <stdbool.h>
#include <stdint.h>

#include <pathkit/pk_capture.h>
#include <pathkit/pk_stage_driver.h>

#define PROC_CAPTURE_STEP 64 /* a longer burst is copied in steps this long */

struct proc_capture {
	struct pk_stage stage;
	struct pk_capture_tap *tap; /* atomic: NULL once closed */
	bool sink;                  /* no next: free what was taken */
	bool fence;                 /* no membarrier(2): the pusher fences */
	bool mt;
	/* the pusher's line (several pushers: atomic adds) */
	uint64_t busy __rte_cache_aligned; /* odd while a burst may use tap */
	uint64_t captured, lost_nomem, lost_full;
	struct pk_capture_stats wst; /* the writer's counters: it writes them */
};

/* The fast path's entries (proc_capture_push.c): one pusher or puller;
 * several pushers. */
uint16_t proc_capture_push(struct pk_stage *s, struct rte_mbuf **pkts,
			   uint16_t n);
uint16_t proc_capture_push_mt(struct pk_stage *s, struct rte_mbuf **pkts,
			      uint16_t n);
uint16_t proc_capture_pull(struct pk_stage *s, struct rte_mbuf **pkts,
			   uint16_t max);

#endif /* PROC_CAPTURE_PVT_H */
