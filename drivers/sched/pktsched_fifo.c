/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fifo: first come, first served. Normally one queue; with several, queues
 * are served in the order they became backlogged, each until it is empty.
 * param: ignored.  cost: O(1) per packet.  memory: 8 bytes per queue.
 */
#include <rte_common.h>

#include <pathkit/pk_sched_policy.h>

#include "pktsched_list.h"

static int
fifo_init(void *sp, const struct pk_sched_policy_conf *c)
{
	RTE_SET_USED(sp);
	RTE_SET_USED(c);
	return 0;
}

static void
fifo_enqueue(void *sp, struct pk_sched_q *q)
{
	pktsched_list_append(sp, q);
}

static struct pk_sched_q *
fifo_dequeue(void *sp)
{
	return ((struct pktsched_list *)sp)->head;
}

static void
fifo_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	RTE_SET_USED(len);
	if (q->head == NULL) /* drained: the next queue in arrival order */
		pktsched_list_pop(sp);
}

static void
fifo_deactivate(void *sp, struct pk_sched_q *q)
{
	pktsched_list_remove(sp, q);
}

static struct pk_sched_policy fifo_policy = {
	.name = "fifo",
	.help = "first come, first served",
	.sched_size = sizeof(struct pktsched_list),
	.queue_size = sizeof(struct pktsched_link),
	.param_min = 0,
	.param_max = UINT32_MAX - 1, /* UINT32_MAX: the default */
	.param_default = 0,
	.init = fifo_init,
	.enqueue = fifo_enqueue,
	.dequeue = fifo_dequeue,
	.update = fifo_update,
	.deactivate = fifo_deactivate,
};
PK_SCHED_POLICY_REGISTER(fifo_policy);
