/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fq_pie: PIE (RFC 8033) on each flow of fq_codel's flow structure
 * (pktsched_fq.h: hashed flows, DRR over new and old lists, the hard
 * memory bound with batch drops from the fattest flow). Each flow has a
 * drop probability, moved every tupdate by alpha x (delay - target) +
 * beta x (delay - last delay), with RFC 8033's auto-tuning steps (smaller
 * moves while the probability is small, at most +2% once above 10%) and
 * its decay when the delay is gone; heads go at random with it, spread by
 * the derandomisation of RFC 8033 section 5.1 (an accumulated probability
 * below 0.85: keep; from 8.5: drop), none during the burst allowance nor
 * while the flow is short (delay under target/2 at probability under 20%,
 * or at most two MTUs queued). ECN-capable heads are marked rather than
 * dropped while the probability is at most 10%.
 * Where it differs from RFC 8033, and why DPDK's rte_pie is not used:
 *  - the delay is each head's measured sojourn (the core stamps packets),
 *    where rte_pie estimates it from the queue length and a departure rate;
 *  - the verdict is at dequeue (the policy interface's one verdict point,
 *    as for CoDel): the same probability falls on the oldest packet;
 *  - the probability is updated lazily when the flow is judged, once per
 *    tupdate elapsed (at most 16 at a time), not by a timer over all flows;
 *  - rte_pie counts time in TSC cycles at rte_get_tsc_hz() (the scheduler's
 *    clock is settable: fake in tests), its 88 bytes of state per queue do
 *    not fit beside the flow in a 128-byte record with ours, and its
 *    functions are experimental statics. We keep its (RFC 8033's) constants.
 * param: quantum in bytes, 1..2^24, default 1514.
 * args (pk_sched_aqm_conf): target 15 ms, interval = tupdate 15 ms,
 *   burst_ns 150 ms, alpha 0.125 and beta 1.25 (in 1/1000: 125, 1250),
 *   limit 10240, limit_bytes 32 MiB, batch 64, ecn on.
 * cost: O(1) per packet. memory: 128 bytes per queue record.
 */
#include <rte_common.h>
#include <rte_random.h>

#include <pathkit/pk_sched_policy.h>

#include "pktsched_fq.h"

#define PIE_TARGET_NS (15 * 1000 * 1000ULL)
#define PIE_TUPDATE_NS (15 * 1000 * 1000ULL)
#define PIE_BURST_NS (150 * 1000 * 1000ULL)
#define PIE_ALPHA 125  /* 1/1000 Hz */
#define PIE_BETA 1250
#define PIE_CATCH_UP 16 /* most updates made at once after a long wait */

struct pie_q {
	struct fq_flow f;            /* first: the flow, head_ts first in it */
	double prob;                 /* drop probability */
	double accu;                 /* accumulated, for derandomisation */
	uint64_t qdelay_old;         /* delay at the last update, ns */
	uint64_t last_update;        /* ns; 0: never judged */
	uint64_t burst_left;         /* burst allowance left, ns */
};

struct pie_sched {
	struct fq_sched fs;          /* first */
	uint64_t target;
	uint64_t tupdate;
	uint64_t burst;
	double alpha;                /* per ns */
	double beta;
};

static inline struct pie_q *
pie_q_of(struct pk_sched_q *q)
{
	return pk_sched_q_priv(q);
}

static int
pie_init(void *sp, const struct pk_sched_policy_conf *c)
{
	const struct pk_sched_aqm_conf *a = c->aqm;
	struct pie_sched *ps = sp;

	ps->target = a->target_ns != 0 ? a->target_ns : PIE_TARGET_NS;
	ps->tupdate = a->interval_ns != 0 ? a->interval_ns : PIE_TUPDATE_NS;
	ps->burst = a->burst_ns != 0 ? a->burst_ns : PIE_BURST_NS;
	ps->alpha = (a->alpha != 0 ? a->alpha : PIE_ALPHA) / 1e3 / 1e9;
	ps->beta = (a->beta != 0 ? a->beta : PIE_BETA) / 1e3 / 1e9;
	return fq_init(&ps->fs, c);
}

static void
pie_fini(void *sp)
{
	fq_fini(sp);
}

static int
pie_queue_add(void *sp, struct pk_sched_q *q)
{
	return fq_queue_add(sp, q);
}

static void
pie_queue_remove(void *sp, struct pk_sched_q *q)
{
	fq_queue_remove(sp, q);
}

static void
pie_enqueue(void *sp, struct pk_sched_q *q)
{
	fq_enqueue(sp, q);
}

/* A flow found empty keeps its probability: it decays at the next update. */
static void
pie_emptied(struct pk_sched_q *q)
{
	RTE_SET_USED(q);
}

static struct pk_sched_q *
pie_dequeue(void *sp)
{
	return fq_dequeue(sp, pie_emptied);
}

static void
pie_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	fq_update(sp, q, len);
}

static void
pie_deactivate(void *sp, struct pk_sched_q *q)
{
	fq_list_remove(sp, q);
}

static bool
pie_arrive(void *sp, struct pk_sched_q *q, uint32_t len)
{
	return fq_arrive(sp, q, len);
}

static bool
pie_dropped(void *sp, struct pk_sched_q *q, uint32_t len)
{
	return fq_left(sp, q, len);
}

static uint32_t
pie_victim(void *sp, struct pk_sched_q **q)
{
	return fq_victim(sp, q);
}

/* One tupdate's step of the probability, qdelay the delay now (RFC 8033 4.2). */
static void
pie_step(const struct pie_sched *ps, struct pie_q *p, uint64_t qdelay)
{
	double d = ps->alpha * ((double)qdelay - (double)ps->target) +
		   ps->beta * ((double)qdelay - (double)p->qdelay_old);

	/* auto-tuning: small probabilities move in small steps */
	if (p->prob < 0.000001)
		d /= 2048;
	else if (p->prob < 0.00001)
		d /= 512;
	else if (p->prob < 0.0001)
		d /= 128;
	else if (p->prob < 0.001)
		d /= 32;
	else if (p->prob < 0.01)
		d /= 8;
	else if (p->prob < 0.1)
		d /= 2;
	else if (d > 0.02)
		d = 0.02;
	p->prob = RTE_MIN(RTE_MAX(p->prob + d, 0.0), 1.0);
	if (qdelay == 0 && p->qdelay_old == 0)
		p->prob *= 0.98; /* the queue is gone: decay */
	p->burst_left = p->burst_left > ps->tupdate ?
			p->burst_left - ps->tupdate : 0;
	if (p->prob == 0 && qdelay < ps->target / 2 &&
	    p->qdelay_old < ps->target / 2)
		p->burst_left = ps->burst; /* calm again: a new allowance */
	p->qdelay_old = qdelay;
}

static enum pk_sched_verdict
pie_judge(void *sp, struct pk_sched_q *q, uint64_t now)
{
	struct pie_sched *ps = sp;
	struct pie_q *p = pie_q_of(q);
	uint64_t qdelay = now > p->f.aqm.head_ts ? now - p->f.aqm.head_ts : 0;
	uint64_t n;

	if (p->last_update == 0) {
		p->last_update = now;
		p->burst_left = ps->burst;
	}
	n = (now - p->last_update) / ps->tupdate;
	if (n != 0) {
		p->last_update += n * ps->tupdate;
		for (n = RTE_MIN(n, (uint64_t)PIE_CATCH_UP); n > 0; n--)
			pie_step(ps, p, qdelay);
	}
	if (p->burst_left != 0 ||
	    (p->qdelay_old < ps->target / 2 && p->prob < 0.2) ||
	    p->f.bytes - q->len <= 2 * ps->fs.mtu)
		return PK_SCHED_SEND;
	if (p->prob == 0)
		p->accu = 0;
	p->accu += p->prob;
	if (p->accu < 0.85)
		return PK_SCHED_SEND;
	if (p->accu < 8.5 && (rte_rand() >> 11) * 0x1.0p-53 >= p->prob)
		return PK_SCHED_SEND;
	p->accu = 0;
	return ps->fs.ecn && p->prob <= 0.1 ? PK_SCHED_MARK : PK_SCHED_DROP;
}

static struct pk_sched_policy pie_policy = {
	.name = "fq_pie",
	.help = "PIE (RFC 8033) on each of fq_codel's flows, a hard memory "
		"bound; quantum in bytes",
	.sched_size = sizeof(struct pie_sched),
	.queue_size = sizeof(struct pie_q),
	.param_min = 1,
	.param_max = FQ_MAX_QUANTUM,
	.param_default = FQ_QUANTUM,
	.init = pie_init,
	.fini = pie_fini,
	.queue_add = pie_queue_add,
	.queue_remove = pie_queue_remove,
	.enqueue = pie_enqueue,
	.dequeue = pie_dequeue,
	.update = pie_update,
	.deactivate = pie_deactivate,
	.flags = PK_SCHED_POL_AQM,
	.classify = fq_classify,
	.arrive = pie_arrive,
	.judge = pie_judge,
	.dropped = pie_dropped,
	.victim = pie_victim,
};
PK_SCHED_POLICY_REGISTER(pie_policy);
