/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prio: strict priority. The highest level (0) with a backlogged queue
 * always goes first. Within a level, heads go in the order they became
 * visible to the scheduler (first come, first served), so queues of one
 * level that stay backlogged take turns packet by packet.
 * param: priority 0 (highest, the default) .. PRIO_LEVELS-1.
 * cost: O(1) per packet (a find-first-set over the levels).
 * memory: 8 bytes per queue.
 */
#include <rte_common.h>

#include <pathkit/pk_sched_policy.h>

#include "pktsched_list.h"

#define PRIO_LEVELS 16

struct prio {
	uint32_t busy;                        /* bit i: level i backlogged */
	struct pktsched_list level[PRIO_LEVELS];
};

static int
prio_init(void *sp, const struct pk_sched_policy_conf *c)
{
	RTE_SET_USED(sp);
	RTE_SET_USED(c);
	return 0;
}

static void
prio_enqueue(void *sp, struct pk_sched_q *q)
{
	struct prio *p = sp;

	pktsched_list_append(&p->level[q->param], q);
	p->busy |= 1u << q->param;
}

static struct pk_sched_q *
prio_dequeue(void *sp)
{
	struct prio *p = sp;

	if (p->busy == 0)
		return NULL;
	return p->level[__builtin_ctz(p->busy)].head;
}

static void
prio_level_check(struct prio *p, uint32_t lvl)
{
	if (p->level[lvl].head == NULL)
		p->busy &= ~(1u << lvl);
}

static void
prio_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	struct prio *p = sp;

	RTE_SET_USED(len);
	pktsched_list_pop(&p->level[q->param]);
	if (q->head != NULL) /* its next head is the newest of this level */
		pktsched_list_append(&p->level[q->param], q);
	prio_level_check(p, q->param);
}

static void
prio_deactivate(void *sp, struct pk_sched_q *q)
{
	struct prio *p = sp;

	pktsched_list_remove(&p->level[q->param], q);
	prio_level_check(p, q->param);
}

static struct pk_sched_policy prio_policy = {
	.name = "prio",
	.help = "strict priority, 0 highest, first come first served per level",
	.sched_size = sizeof(struct prio),
	.queue_size = sizeof(struct pktsched_link),
	.param_min = 0,
	.param_max = PRIO_LEVELS - 1,
	.param_default = 0,
	.init = prio_init,
	.enqueue = prio_enqueue,
	.dequeue = prio_dequeue,
	.update = prio_update,
	.deactivate = prio_deactivate,
};
PK_SCHED_POLICY_REGISTER(prio_policy);
