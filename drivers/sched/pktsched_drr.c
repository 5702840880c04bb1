/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drr: deficit round robin (Shreedhar-Varghese). Each backlogged queue
 * waits in a round; at its turn it may send while its deficit covers its
 * head, and gains its quantum (bytes) each time it is passed over. A queue
 * joining starts with one quantum, and an emptied queue loses its deficit:
 * no credit is hoarded while idle.
 * param: quantum in bytes, 1..2^24, default 1514 (one Ethernet MTU frame;
 *   smaller quanta cost len/quantum passes per packet).
 * cost: O(1) per packet when quantum >= mtu.  memory: 16 bytes per queue.
 */
#include <rte_common.h>
#include <rte_prefetch.h>

#include <pathkit/pk_sched_policy.h>

#include "pktsched_list.h"

#define DRR_MAX_QUANTUM (1u << 24)
#define DRR_DEFAULT_QUANTUM 1514

struct drr_q {
	struct pktsched_link link; /* first: the list's link */
	uint32_t deficit;
};

static inline struct drr_q *
drr_q_of(struct pk_sched_q *q)
{
	return pk_sched_q_priv(q);
}

/*
 * Among thousands of queues the next ones are cold. A two-step pipeline:
 * the record after next now, and the next one's FIFO entry (its record was
 * asked for one step ago).
 */
static inline void
drr_prefetch(struct pk_sched_q *q)
{
	struct pk_sched_q *nx = drr_q_of(q)->link.next;

	if (nx == NULL)
		return;
	rte_prefetch0(drr_q_of(nx)->link.next);
	pk_sched_q_prefetch(nx);
}

static int
drr_init(void *sp, const struct pk_sched_policy_conf *c)
{
	RTE_SET_USED(sp);
	RTE_SET_USED(c);
	return 0;
}

static void
drr_enqueue(void *sp, struct pk_sched_q *q)
{
	drr_q_of(q)->deficit = q->param;
	pktsched_list_append(sp, q);
}

static struct pk_sched_q *
drr_dequeue(void *sp)
{
	struct pktsched_list *l = sp;
	struct pk_sched_q *q;

	while ((q = l->head) != NULL) {
		if (q->len <= drr_q_of(q)->deficit) {
			drr_prefetch(q);
			return q;
		}
		/* its turn is over: next round, one quantum richer */
		drr_q_of(q)->deficit += q->param;
		pktsched_list_pop(l);
		pktsched_list_append(l, q);
	}
	return NULL;
}

static void
drr_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	drr_q_of(q)->deficit -= len;
	if (q->head == NULL) {
		drr_q_of(q)->deficit = 0;
		pktsched_list_pop(sp);
	}
}

static void
drr_deactivate(void *sp, struct pk_sched_q *q)
{
	pktsched_list_remove(sp, q);
}

static struct pk_sched_policy drr_policy = {
	.name = "drr",
	.help = "deficit round robin, quantum in bytes per queue",
	.sched_size = sizeof(struct pktsched_list),
	.queue_size = sizeof(struct drr_q),
	.param_min = 1,
	.param_max = DRR_MAX_QUANTUM,
	.param_default = DRR_DEFAULT_QUANTUM,
	.init = drr_init,
	.enqueue = drr_enqueue,
	.dequeue = drr_dequeue,
	.update = drr_update,
	.deactivate = drr_deactivate,
};
PK_SCHED_POLICY_REGISTER(drr_policy);
