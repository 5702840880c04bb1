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

int
pk_queue_wait_any(struct pk_stage *const *qs, unsigned int n,
		  const uint32_t *cancel, uint32_t timeout_us)
{
	unsigned int i;

	if (qs == NULL || n == 0 || n > PK_QUEUE_WAIT_ANY_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (qs[i] == NULL)
			return -EINVAL;
		/* one kind: its wait_any knows the layout of all of them */
		if (qs[i]->ops->wait_any == NULL ||
		    qs[i]->ops->wait_any != qs[0]->ops->wait_any)
			return -ENOTSUP;
	}
	return qs[0]->ops->wait_any(qs, n, cancel, timeout_us);
}
