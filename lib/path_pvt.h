/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PATH_PVT_H
#define PATH_PVT_H

/*
 * What the two files of a path share: path.c builds a path and moves its
 * packets, path_stats.c reads its counters (the snapshot's adjustment and
 * the printout). Not installed.
 */

#include <stdbool.h>

#include <pathkit/pk_path.h>
#include <pathkit/pk_stage_driver.h>

struct pk_path {
	struct pk_stage stage;       /* must be first */
	struct pk_stage *head;
	struct pk_stage *tail;
	uint32_t owner;
	uint32_t acct;               /* enum pk_acct_row, or PK_ACCT_NONE */
	enum pk_path_tail tail_policy;
	/* the head counts for the path (path_push_fwd*()): its in is the
	 * path's in, its refused the path's refused */
	bool head_counts;
	unsigned int nb_stages;
	struct pk_stage *stages[];
};

/* The stats_adjust op of every path (path_stats.c). */
void path_stats_adjust(const struct pk_stage *s, struct pk_stage_stats *st);

#endif /* PATH_PVT_H */
