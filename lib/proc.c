/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Processing stage machinery: a burst function applied on push (then pushed
 * on to next) or on pull (after pulling from prev). Built-in kinds in
 * drivers/proc/proc_*.c supply only their burst function.
 */
#include <errno.h>
#include <stdbool.h>

#include <rte_errno.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_stage_driver.h>

#include "pk_internal.h"

/*
 * The burst function and its argument are the stage's hot_fn and ctx, on the
 * line every push reads: a processing stage per flow (a path per socket)
 * touches no line of its own for them.
 */
struct pk_proc {
	struct pk_stage stage;
	uint8_t priv[] __rte_cache_aligned;
};

static inline struct pk_proc *
proc_of(struct pk_stage *s)
{
	return (struct pk_proc *)s;
}

static inline pk_proc_fn
proc_fn(const struct pk_stage *s)
{
	return (pk_proc_fn)s->hot_fn;
}

/*
 * Out is counted only with bytes (or where the burst holds or merges
 * packets): otherwise the snapshot derives it (in - drops - held,
 * pk_proc_stats_out()), and a push writes one counter line less (with a
 * stage per flow, one cache miss less per packet).
 */
uint16_t
pk_proc_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	bool count_out = unlikely(s->flags & PK_PROC_F_OUT);
	uint16_t kept, taken;

	pk_stage_count(s, &s->in, pkts, n);
	kept = proc_fn(s)(s, &s->in, pkts, n, s->ctx);
	/* count out before handing over: pkts[0..taken) are not ours after */
	if (count_out)
		pk_stage_count(s, &s->out, pkts, kept);
	taken = pk_stage_push(s->next, pkts, kept);
	if (unlikely(taken != kept)) {
		/* refused downstream, back to the caller: never ours to count */
		if (count_out)
			pk_stage_uncount(s, &s->out, &pkts[taken],
					 kept - taken);
		pk_stage_uncount(s, &s->in, &pkts[taken], kept - taken);
		pk_stage_count_refused(&s->in, PK_DROP_FULL, kept - taken);
	}
	return pk_burst_return_tail(pkts, n, kept, taken);
}

uint16_t
pk_proc_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	uint16_t n, kept;

	n = pk_stage_pull(s->prev, pkts, max);
	if (n == 0)
		return 0;
	pk_stage_count(s, &s->in, pkts, n);
	kept = proc_fn(s)(s, &s->out, pkts, n, s->ctx);
	if (unlikely(s->flags & PK_PROC_F_OUT))
		pk_stage_count(s, &s->out, pkts, kept);
	return kept;
}

void
pk_proc_stats_out(const struct pk_stage *s, struct pk_stage_stats *st)
{
	/* in loaded again, after the drops and held: never fewer than they */
	uint64_t in = pk_counter_load(&s->in.pkts), gone = st->held;
	unsigned int r;

	for (r = 0; r < PK_DROP_MAX; r++)
		gone += st->drops[r];
	st->in_pkts = in;
	st->out_pkts = in > gone ? in - gone : 0;
}

static const struct pk_stage_ops proc_callback_ops = PK_PROC_OPS("proc");

struct pk_stage *
pk_proc_create_priv(const struct pk_stage_ops *ops, const char *name,
		    pk_proc_fn fn, size_t priv_size, uint32_t sflags,
		    int socket_id)
{
	struct pk_stage *s;
	struct pk_proc *p;

	if (fn == NULL || ops == NULL) {
		PK_LOG(ERR, "%s: processing stage needs a function",
		       name != NULL ? name : "(null)");
		rte_errno = EINVAL;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(*p) + priv_size, ops, name, sflags,
			   socket_id);
	if (s == NULL)
		return NULL;
	p = proc_of(s);
	s->hot_fn = (void (*)(void))fn;
	s->ctx = p->priv;
	return s;
}

struct pk_stage *
pk_proc_create(const char *name, pk_proc_fn fn, void *arg, uint32_t sflags,
	       int socket_id)
{
	struct pk_stage *s;

	s = pk_proc_create_priv(&proc_callback_ops, name, fn, 0, sflags,
				socket_id);
	if (s != NULL)
		s->ctx = arg;
	return s;
}

int
pk_proc_fn_get(const struct pk_stage *s, pk_proc_fn *fn, void **arg)
{
	/* pk_proc_push() reads hot_fn and ctx as its own: so may we */
	if (s == NULL || fn == NULL || arg == NULL || s->push != pk_proc_push)
		return -EINVAL;
	*fn = proc_fn(s);
	*arg = s->ctx;
	return 0;
}

void *
pk_proc_priv(struct pk_stage *s)
{
	return proc_of(s)->priv;
}
