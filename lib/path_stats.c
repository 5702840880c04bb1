/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A path's counters: what a snapshot of a path adds up from its members
 * (its stats_adjust op, run by pk_stage_stats_get()), and the printout of
 * a path and its members. Read-side only: any thread, as
 * pk_stage_stats_get() says.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <pathkit/pk_path.h>
#include <pathkit/pk_stage_driver.h>

#include "pk_internal.h"
#include "path_pvt.h"

/*
 * A path that nobody pushes into (its head is a source, an RX port or a
 * queue its own thread pulls) took what its head produced; one that nobody
 * pulls from (its tail is a sink, a TX port) gave out what its tail took.
 */
void
path_stats_adjust(const struct pk_stage *s, struct pk_stage_stats *st)
{
	const struct pk_path *p = (const struct pk_path *)s;
	struct pk_stage_stats end, m;
	uint64_t own_full = st->drops[PK_DROP_FULL]; /* tail policy drop */
	unsigned int i, r;

	/* what its stages freed or hold, the path took: it balances whole */
	st->held = 0;
	for (i = 0; i < p->nb_stages; i++) {
		if (pk_stage_stats_get(p->stages[i], &m) != 0)
			continue;
		for (r = 0; r < PK_DROP_MAX; r++)
			st->drops[r] += m.drops[r];
		st->held += m.held;
		if (i != 0 || !p->head_counts)
			continue;
		/* the head counted for the path: what it took, and what it
		 * refused came back (return) or was dropped here (drop) */
		st->in_pkts = m.in_pkts + own_full;
		if (p->tail_policy == PK_PATH_TAIL_RETURN)
			for (r = 0; r < PK_DROP_MAX; r++)
				st->refused[r] = m.refused[r];
	}
	if (!(p->head->caps & PK_STAGE_CAP_PUSH) &&
	    pk_stage_stats_get(p->head, &end) == 0) {
		st->in_pkts = end.out_pkts;
		st->in_bytes = end.out_bytes;
	}
	if (!(p->tail->caps & PK_STAGE_CAP_PULL) &&
	    pk_stage_stats_get(p->tail, &end) == 0) {
		/* what the sink took and neither freed nor holds left the
		 * path (a TX port counts no out; a demux tail frees some) */
		st->out_pkts = end.in_pkts - end.held;
		for (r = 0; r < PK_DROP_MAX; r++)
			st->out_pkts -= end.drops[r];
		st->out_bytes = end.out_pkts != 0 ? end.out_bytes :
						   end.in_bytes;
	}
}

int
pk_path_stats_print(FILE *f, const struct pk_path *p)
{
	struct pk_stage_stats st;
	uint64_t dropped = 0;
	unsigned int i, r;

	if (f == NULL || p == NULL)
		return -EINVAL;
	pk_stage_stats_get(&p->stage, &st);
	for (r = 0; r < PK_DROP_MAX; r++)
		dropped += st.drops[r];
	if (fprintf(f, "path %s owner=%" PRIu32 " in=%" PRIu64 " (%" PRIu64
		    " B) out=%" PRIu64 " (%" PRIu64 " B) refused=%" PRIu64
		    " dropped=%" PRIu64 " held=%" PRIu64 " tail=%s\n",
		    p->stage.name, p->owner, st.in_pkts, st.in_bytes,
		    st.out_pkts, st.out_bytes, st.refused[PK_DROP_FULL],
		    dropped, st.held,
		    p->tail_policy == PK_PATH_TAIL_DROP ? "drop" : "return") < 0)
		return -EIO;
	for (i = 0; i < p->nb_stages; i++)
		if (fprintf(f, "  ") < 0 ||
		    pk_stage_stats_print(f, p->stages[i]) < 0)
			return -EIO;
	return 0;
}
