/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage statistics: the snapshot any thread may take while the stage runs
 * (relaxed loads of counters each side's one writer stores), reset, and the
 * one-line print. The counters balance: in == out + drops + held whenever
 * no thread is inside the stage (pk_stage.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <pathkit/pk_stage_driver.h>

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
	if (s->ops->stats_adjust != NULL)
		s->ops->stats_adjust(s, st);
	return 0;
}

void
pk_stage_stats_reset(struct pk_stage *s)
{
	if (s == NULL)
		return;
	memset(&s->in, 0, sizeof(s->in));
	memset(&s->out, 0, sizeof(s->out));
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
