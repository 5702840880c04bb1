/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_DROPPER_PVT_H
#define PK_DROPPER_PVT_H

/*
 * A dropper as a queue carries it (lib/dropper*.c). The queue's ops are
 * copied into it with push replaced, and the queue's ops pointer moved to
 * the copy: the dropper's push finds its state from the stage's first
 * cache line (s->ops, next to s->push), and every other op, the kind's
 * name and whatever compares push pointers (pk_queue_ring_is_sp()) see a
 * queue whose push is not its kind's own. destroy is the dropper's too: it
 * frees the dropper, then calls the kind's.
 */

#include <stdbool.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_pie.h>
#include <rte_red.h>
#include <rte_spinlock.h>

#include <pathkit/pk_dropper.h>
#include <pathkit/pk_stage_driver.h>

struct pk_dropper {
	struct pk_stage_ops ops;          /* s->ops points here */
	/* read on every burst */
	pk_stage_push_t push;             /* the queue's own push */
	unsigned int (*len)(const struct pk_stage *s); /* the queue's len */
	uint64_t (*clock)(void *arg);     /* NULL: the TSC */
	void *clock_arg;
	bool mt;                          /* several pushers: lock */
	rte_spinlock_t lock;
	union {
		struct {
			struct rte_red_config cfg;
			struct rte_red rt;
			uint32_t rand_seed; /* rte_fast_rand()'s, ours */
			uint32_t rand_val;  /* __rte_red_drop()'s, ours */
			uint32_t q_max;     /* longest length fed (no wrap) */
			uint64_t pkt_cycles; /* idle rule: time per packet */
			uint64_t last;      /* clock at the previous push */
		} red;
		struct {
			struct rte_pie_config cfg;
			struct rte_pie rt;
			uint64_t out0;      /* departures when measuring began */
			double hz;          /* TSC cycles per second */
		} pie;
	};
	/* slow path */
	const struct pk_stage_ops *orig;  /* the kind's ops */
	struct pk_dropper_conf conf;      /* as set */
};

static inline struct pk_dropper *
pk_dropper_of(const struct pk_stage *s)
{
	return container_of(s->ops, struct pk_dropper, ops);
}

static inline uint64_t
pk_dropper_now(const struct pk_dropper *d)
{
	return d->clock == NULL ? rte_get_tsc_cycles() : d->clock(d->clock_arg);
}

/*
 * After the decisions: pkts[0..kept) go to the queue's own push, nd packets
 * were dropped (freed already; bytes their length) for reason r. Counts
 * the dropped as taken and dropped, and gives the refused back at the
 * tail of the burst in order (pk_burst_return_tail()).
 */
static inline uint16_t
pk_dropper_finish(struct pk_stage *s, struct pk_dropper *d,
		  struct rte_mbuf **pkts, uint16_t n, uint16_t kept,
		  uint16_t nd, uint64_t bytes, enum pk_drop_reason r)
{
	uint16_t k = kept != 0 ? d->push(s, pkts, kept) : 0;

	if (nd != 0) {
		if (d->mt) {
			pk_counter_add_mt(&s->in.pkts, nd);
			pk_counter_add_mt(&s->in.drops[r], nd);
			if (bytes != 0)
				pk_counter_add_mt(&s->in.bytes, bytes);
		} else {
			pk_counter_add(&s->in.pkts, nd);
			pk_stage_count_drop(&s->in, r, nd);
			if (bytes != 0)
				pk_counter_add(&s->in.bytes, bytes);
		}
	}
	return pk_burst_return_tail(pkts, n, kept, k);
}

/* Free a dropped packet; add its length to *bytes if s counts bytes. Out
 * of line (dropper.c): the decision loops keep their state in registers. */
void pk_dropper_drop(const struct pk_stage *s, struct rte_mbuf *m,
		     uint64_t *bytes);

/* The kinds (dropper_red.c, dropper_pie.c): check and set up c into d,
 * which is not yet in use (-EINVAL); the push; the state for info. */
int pk_dropper_red_init(struct pk_dropper *d, const struct pk_dropper_red *c,
			uint32_t seed);
uint16_t pk_dropper_red_push(struct pk_stage *s, struct rte_mbuf **pkts,
			     uint16_t n);
void pk_dropper_red_info(const struct pk_dropper *d,
			 struct pk_dropper_info *info);
int pk_dropper_pie_init(struct pk_dropper *d, const struct pk_dropper_pie *c);
uint16_t pk_dropper_pie_push(struct pk_stage *s, struct rte_mbuf **pkts,
			     uint16_t n);
void pk_dropper_pie_info(const struct pk_dropper *d,
			 struct pk_dropper_info *info);

#endif /* PK_DROPPER_PVT_H */
