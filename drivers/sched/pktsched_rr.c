/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rr: packet round robin. Backlogged queues wait in one list; pull serves
 * the head queue's packet, then moves that queue to the tail.
 * param: ignored.  cost: O(1) per packet.  memory: 8 bytes per queue.
 */
#include <rte_common.h>
#include <rte_prefetch.h>

#include <pathkit/pk_sched_policy.h>

#include "pktsched_list.h"

static int
rr_init(void *sp, const struct pk_sched_policy_conf *c)
{
	RTE_SET_USED(sp);
	RTE_SET_USED(c);
	return 0;
}

static void
rr_enqueue(void *sp, struct pk_sched_q *q)
{
	pktsched_list_append(sp, q);
}

static struct pk_sched_q *
rr_dequeue(void *sp)
{
	struct pk_sched_q *q = ((struct pktsched_list *)sp)->head;
	struct pk_sched_q *nx;

	/* among many queues the next ones are cold: as drr_prefetch() */
	if (q != NULL && (nx = pktsched_link_of(q)->next) != NULL) {
		rte_prefetch0(pktsched_link_of(nx)->next);
		pk_sched_q_prefetch(nx);
	}
	return q;
}

static void
rr_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	RTE_SET_USED(len);
	pktsched_list_pop(sp);
	if (q->head != NULL)
		pktsched_list_append(sp, q);
}

static void
rr_deactivate(void *sp, struct pk_sched_q *q)
{
	pktsched_list_remove(sp, q);
}

static struct pk_sched_policy rr_policy = {
	.name = "rr",
	.help = "packet round robin",
	.sched_size = sizeof(struct pktsched_list),
	.queue_size = sizeof(struct pktsched_link),
	.param_min = 0,
	.param_max = UINT32_MAX - 1, /* UINT32_MAX: the default */
	.param_default = 0,
	.init = rr_init,
	.enqueue = rr_enqueue,
	.dequeue = rr_dequeue,
	.update = rr_update,
	.deactivate = rr_deactivate,
};
PK_SCHED_POLICY_REGISTER(rr_policy);
