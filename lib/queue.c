/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue class: what every queue kind shares. A blocking thread sleeps on
 * any stage whose kind implements the wait/wake ops (pk_stage_driver.h);
 * the kinds themselves live in drivers/queue/.
 */
#include <errno.h>

#include <pathkit/pk_queue.h>
#include <pathkit/pk_stage_driver.h>

bool
pk_queue_can_wait(const struct pk_stage *q)
{
	return q != NULL && q->ops->wait != NULL && q->ops->wake != NULL;
}

int
pk_queue_wait(struct pk_stage *q, const uint32_t *cancel, uint32_t timeout_us)
{
	if (!pk_queue_can_wait(q))
		return -ENOTSUP;
	return q->ops->wait(q, cancel, timeout_us);
}

void
pk_queue_wake(struct pk_stage *q)
{
	if (pk_queue_can_wait(q))
		q->ops->wake(q);
}
