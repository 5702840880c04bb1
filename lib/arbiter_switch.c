/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arbiter's runtime policy switch, and what its scheduler drops. The
 * scheduler is the arbiter thread's alone: the control thread prepares a
 * switch (allocations, checks: pk_sched_switch_prepare()), posts it in
 * a->sw and waits; the arbiter thread commits it at the start of a round
 * (one load per round while none is posted) and clears a->sw; the control
 * thread then lets the old policy go. An arbiter that is not launched runs
 * its rounds on the control thread (pk_arbiter_run()): the switch is made
 * there at once.
 *
 * Drops: a queue manager (fq_codel, fq_pie) drops packets inside the
 * scheduler, which the arbiter never releases. The scheduler tells the
 * arbiter of each (pk_sched_set_drop_hook()), on the arbiter's thread,
 * before freeing it: counted as the client's dropped (with the reason in
 * the arbiter's dropped_aqm or dropped_full), and with per-client queues
 * taken off the client's backlog, so that its mailbox is drained again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_pause.h>

#include <pathkit/pk_log.h>

#include "arbiter_pvt.h"
#include "pk_internal.h"

void
pk_arbiter_sched_dropped(void *arg, struct rte_mbuf *m, uint32_t qid,
			 enum pk_drop_reason r)
{
	struct pk_arbiter *a = arg;
	uint32_t c = a->classify != NULL ? arb_mbuf_client_get(a, m) : qid;

	pk_counter_add(&a->cl[c].sched_dropped, 1);
	pk_counter_add(r == PK_DROP_AQM ? &a->st.dropped_aqm :
		       &a->st.dropped_full, 1);
	a->inside--;
	if (a->classify == NULL) { /* the queue is the client's */
		a->poll[c].backlog--;
		a->room[c / 64] |= RTE_BIT64(c % 64);
	}
}

void
pk_arbiter_switch_run(struct pk_arbiter *a)
{
	a->sw_rc = pk_sched_switch_commit(sched_of(a->sched), a->sw);
	__atomic_store_n(&a->sw, NULL, __ATOMIC_RELEASE);
}

/* Wait for the arbiter's thread to take the posted switch. */
static void
arb_switch_wait(struct pk_arbiter *a)
{
	const struct timespec ts = { .tv_nsec = 20000 };
	unsigned int spins = 0;

	while (__atomic_load_n(&a->sw, __ATOMIC_ACQUIRE) != NULL) {
		if (++spins < 1000)
			rte_pause();
		else
			nanosleep(&ts, NULL); /* a busy machine: let it run */
	}
}

int
pk_arbiter_policy_switch(struct pk_arbiter *a,
			 const struct pk_sched_switch_conf *c, char *err,
			 size_t errlen)
{
	struct pk_sched *sc;
	struct sched_switch *w;
	int rc;

	if (a == NULL)
		return -EINVAL;
	sc = sched_of(a->sched);
	rc = pk_sched_switch_prepare(sc, c, &w, err, errlen);
	if (rc != 0)
		return rc;
	if (a->launched) {
		__atomic_store_n(&a->sw, w, __ATOMIC_RELEASE);
		arb_switch_wait(a);
		rc = a->sw_rc;
	} else {
		rc = pk_sched_switch_commit(sc, w);
	}
	if (rc != 0 && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s refuses the queues of %s: %s",
			 c->policy, a->name, strerror(-rc));
	pk_sched_switch_finish(sc, w);
	return rc;
}

int
pk_arbiter_policy_set(struct pk_arbiter *a,
		      const struct pk_sched_switch_conf *c)
{
	char err[256] = "";
	int rc = pk_arbiter_policy_switch(a, c, err, sizeof(err));

	if (rc != 0 && a != NULL)
		PK_LOG(ERR, "%s: policy not switched: %s", a->name, err);
	return rc;
}
