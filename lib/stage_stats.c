/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage statistics: the snapshot any thread may take while the stage runs
 * (relaxed loads of counters each side's one writer stores), reset, and the
 * one-line print. The counters balance: in == out + drops + held whenever
 * no thread is inside the stage (pk_stage.h). And where drops go: freed,
 * or handed to a drop sink with a note of why (pk_stage_set_drop_sink()).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf_dyn.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_path.h>
#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_stage_driver.h>

#include "pk_internal.h"

static const char *const drop_reason_names[PK_DROP_MAX] = {
#define PK_DROP_NAME_(sym, str) [PK_DROP_##sym] = str,
	PK_DROP_REASONS(PK_DROP_NAME_)
#undef PK_DROP_NAME_
};

int
pk_stage_stats_get(const struct pk_stage *s, struct pk_stage_stats *st)
{
	unsigned int r;

	if (s == NULL || st == NULL)
		return -EINVAL;
	st->in_pkts = pk_counter_load(&s->in.pkts);
	st->in_bytes = pk_counter_load(&s->in.bytes);
	st->out_pkts = pk_counter_load(&s->out.pkts);
	st->out_bytes = pk_counter_load(&s->out.bytes);
	for (r = 0; r < PK_DROP_MAX; r++) {
		st->drops[r] = pk_counter_load(&s->in.drops[r]) +
			       pk_counter_load(&s->out.drops[r]);
		st->refused[r] = pk_counter_load(&s->in.refused[r]) +
				 pk_counter_load(&s->out.refused[r]);
	}
	if (s->ops->held != NULL)
		st->held = s->ops->held(s);
	else
		st->held = s->ops->len != NULL ? s->ops->len(s) : 0;
	/* a processing stage that counts no bytes keeps no out (lib/proc.c) */
	if (s->push == pk_proc_push && !(s->flags & PK_PROC_F_OUT))
		pk_proc_stats_out(s, st);
	if (s->ops->stats_adjust != NULL)
		s->ops->stats_adjust(s, st);
	return 0;
}

void
pk_stage_stats_reset(struct pk_stage *s)
{
	struct pk_path *p = pk_path_from_stage(s);
	unsigned int i;

	if (s == NULL)
		return;
	/* counters only: the drop sinks stay */
	memset(&s->in, 0, offsetof(struct pk_stage_counters, drop_sink));
	memset(&s->out, 0, offsetof(struct pk_stage_counters, drop_sink));
	/* a path's snapshot reads its stages' counters (drops, held, and
	 * in from a head that counts for it): theirs go too */
	for (i = 0; p != NULL && i < pk_path_nb_stages(p); i++)
		pk_stage_stats_reset(pk_path_stage_at(p, i));
}

const char *
pk_drop_reason_name(enum pk_drop_reason r)
{
	return (unsigned int)r < PK_DROP_MAX ? drop_reason_names[r] : "?";
}

int
pk_stage_stats_print(FILE *f, const struct pk_stage *s)
{
	struct pk_stage_stats st;
	char drops[512] = "";
	size_t len = 0;
	unsigned int r;

	if (f == NULL || pk_stage_stats_get(s, &st) != 0)
		return -EINVAL;
	for (r = 0; r < PK_DROP_MAX && len < sizeof(drops); r++)
		if (st.drops[r] != 0)
			len += snprintf(drops + len, sizeof(drops) - len,
					" %s=%" PRIu64, drop_reason_names[r],
					st.drops[r]);
	for (r = 0; r < PK_DROP_MAX && len < sizeof(drops); r++)
		if (st.refused[r] != 0)
			len += snprintf(drops + len, sizeof(drops) - len,
					" refused-%s=%" PRIu64,
					drop_reason_names[r], st.refused[r]);
	if (st.held != 0 && len < sizeof(drops))
		snprintf(drops + len, sizeof(drops) - len, " held=%" PRIu64,
			 st.held);
	if (s->flags & PK_STAGE_F_BYTES)
		return fprintf(f, "%-16s %-14s in=%" PRIu64 " (%" PRIu64
			       " B) out=%" PRIu64 " (%" PRIu64 " B)%s\n",
			       s->name, s->ops->kind, st.in_pkts, st.in_bytes,
			       st.out_pkts, st.out_bytes, drops);
	return fprintf(f, "%-16s %-14s in=%" PRIu64 " out=%" PRIu64 "%s\n",
		       s->name, s->ops->kind, st.in_pkts, st.out_pkts, drops);
}

/* ---- drops to a sink ---- */

/* What a drop sink finds in PK_DROP_NOTE_DYNFIELD. */
struct stage_drop_note {
	const struct pk_stage *from;
	uint32_t reason;
};

static int stage_drop_note_off = -1; /* once registered */

void
pk_stage_drop_to_sink(const struct pk_stage_counters *c,
		      enum pk_drop_reason r, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_stage *sink = __atomic_load_n(&c->drop_sink,
						__ATOMIC_ACQUIRE);
	/* stored before any sink was (release), so seen once a sink is */
	int off = __atomic_load_n(&stage_drop_note_off, __ATOMIC_RELAXED);
	struct stage_drop_note *note;
	uint16_t i, k;

	if (sink == NULL) { /* cleared since the caller looked */
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	for (i = 0; i < n; i++) {
		note = RTE_MBUF_DYNFIELD(pkts[i], off, struct stage_drop_note *);
		note->from = c->drop_from;
		note->reason = r;
	}
	k = pk_stage_push(sink, pkts, n);
	if (k != n)
		rte_pktmbuf_free_bulk(&pkts[k], n - k);
}

static void
stage_set_drop_sink(struct pk_stage *s, struct pk_stage *sink)
{
	struct pk_path *p = pk_path_from_stage(s);
	unsigned int i;

	s->in.drop_from = s;
	s->out.drop_from = s;
	__atomic_store_n(&s->in.drop_sink, sink, __ATOMIC_RELEASE);
	__atomic_store_n(&s->out.drop_sink, sink, __ATOMIC_RELEASE);
	for (i = 0; p != NULL && i < pk_path_nb_stages(p); i++)
		stage_set_drop_sink(pk_path_stage_at(p, i), sink);
}

int
pk_stage_set_drop_sink(struct pk_stage *stage, struct pk_stage *sink)
{
	static const struct rte_mbuf_dynfield note = {
		.name = PK_DROP_NOTE_DYNFIELD,
		.size = sizeof(struct stage_drop_note),
		.align = __alignof__(struct stage_drop_note),
	};
	int off;

	if (stage == NULL || stage == sink || stage == pk_stage_unwired() ||
	    (sink != NULL && !(sink->caps & PK_STAGE_CAP_PUSH))) {
		PK_LOG(ERR, "%s: no stage, or a drop sink that takes no pushes",
		       stage != NULL ? stage->name : "(null)");
		return -EINVAL;
	}
	if (sink != NULL) {
		/* the same offset every time: registering again finds it */
		off = rte_mbuf_dynfield_register(&note);
		if (off < 0)
			return rte_errno == ENOENT ? -ENOSPC : -rte_errno;
		__atomic_store_n(&stage_drop_note_off, off, __ATOMIC_RELEASE);
	}
	stage_set_drop_sink(stage, sink);
	return 0;
}

int
pk_stage_drop_note(const struct rte_mbuf *m, enum pk_drop_reason *reason,
		   const struct pk_stage **from)
{
	int off = __atomic_load_n(&stage_drop_note_off, __ATOMIC_ACQUIRE);
	const struct stage_drop_note *note;

	if (off < 0)
		return -ENOENT;
	note = RTE_MBUF_DYNFIELD(m, off, const struct stage_drop_note *);
	*reason = note->reason < PK_DROP_MAX ? note->reason : PK_DROP_POLICY;
	*from = note->from;
	return 0;
}
