/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fq_codel: FlowQueue-CoDel (RFC 8290). Each queue is a flow: the
 * scheduler hashes packets to its queues (pktsched_fq.h: the RSS hash, or
 * CRC32-C of the 5-tuple), DRR serves them from a new-flows list before an
 * old-flows list, and CoDel (RFC 8289) keeps each flow's standing delay
 * near target: once a flow's head has waited more than target for a whole
 * interval, its heads are dropped (or CE-marked, if ECN-capable and ecn is
 * on) at intervals shrinking as interval / sqrt(count), until a head waits
 * less than target (or at most an MTU is left behind it).
 * A hard bound on what all flows hold (limit packets, limit_bytes bytes):
 * an arrival past it drops up to half of the fattest flow's packets (at
 * most batch, 64) from its head, as Linux does, so a flood of new flows
 * cannot push the total past the bound; each flow is also capped by the
 * scheduler's qsize (arrivals beyond are refused "full").
 * param: quantum in bytes, 1..2^24, default 1514.
 * args (pk_sched_aqm_conf): target 5 ms, interval 100 ms, limit 10240,
 *   limit_bytes 32 MiB, batch 64, ecn on.
 * times: the scheduler's clock in ns; each packet stamped when pushed.
 * cost: O(1) per packet; the fattest flow is found by a scan of all flows,
 *   once per overflow batch. memory: 128 bytes per queue record.
 * Learnt from Linux's sch_fq_codel.c and codel_impl.h; the control law's
 * square root is an integer one (no libm).
 */
#include <rte_common.h>

#include <pathkit/pk_sched_policy.h>

#include "pktsched_fq.h"

#define CODEL_TARGET_NS (5 * 1000 * 1000ULL)
#define CODEL_INTERVAL_NS (100 * 1000 * 1000ULL)

struct codel_q {
	struct fq_flow f;            /* first: the flow, head_ts first in it */
	uint64_t first_above;        /* when sojourn > target becomes bad; 0 */
	uint64_t drop_next;          /* next drop while dropping */
	uint32_t count;              /* drops in this dropping state */
	uint32_t lastcount;          /* count when the last state ended */
	bool dropping;
};

struct codel_sched {
	struct fq_sched fs;          /* first */
	uint64_t target;
	uint64_t interval;
};

static inline struct codel_q *
codel_q_of(struct pk_sched_q *q)
{
	return pk_sched_q_priv(q);
}

/* floor(sqrt(x)), bit by bit: only on a drop. */
static uint64_t
codel_isqrt(uint64_t x)
{
	uint64_t r = 0, b = 1ULL << 62;

	while (b > x)
		b >>= 2;
	while (b != 0) {
		if (x >= r + b) {
			x -= r + b;
			r = (r >> 1) + b;
		} else {
			r >>= 1;
		}
		b >>= 2;
	}
	return r;
}

/* t + interval / sqrt(count), with 16 fractional bits in the root. */
static uint64_t
codel_control_law(const struct codel_sched *cs, uint64_t t, uint32_t count)
{
	uint64_t root = codel_isqrt((uint64_t)count << 32); /* sqrt << 16 */

	return t + (uint64_t)(((unsigned __int128)cs->interval << 16) / root);
}

static int
codel_init(void *sp, const struct pk_sched_policy_conf *c)
{
	struct codel_sched *cs = sp;

	cs->target = c->aqm->target_ns != 0 ? c->aqm->target_ns :
					      CODEL_TARGET_NS;
	cs->interval = c->aqm->interval_ns != 0 ? c->aqm->interval_ns :
						  CODEL_INTERVAL_NS;
	return fq_init(&cs->fs, c);
}

static void
codel_fini(void *sp)
{
	fq_fini(sp);
}

static int
codel_queue_add(void *sp, struct pk_sched_q *q)
{
	return fq_queue_add(sp, q);
}

static void
codel_queue_remove(void *sp, struct pk_sched_q *q)
{
	fq_queue_remove(sp, q);
}

static void
codel_enqueue(void *sp, struct pk_sched_q *q)
{
	fq_enqueue(sp, q);
}

/* A flow found empty: its dropping state ends (RFC 8289's empty queue). */
static void
codel_emptied(struct pk_sched_q *q)
{
	codel_q_of(q)->dropping = false;
}

static struct pk_sched_q *
codel_dequeue(void *sp)
{
	return fq_dequeue(sp, codel_emptied);
}

static void
codel_update(void *sp, struct pk_sched_q *q, uint32_t len)
{
	fq_update(sp, q, len);
}

static void
codel_deactivate(void *sp, struct pk_sched_q *q)
{
	fq_list_remove(sp, q);
}

static bool
codel_arrive(void *sp, struct pk_sched_q *q, uint32_t len)
{
	return fq_arrive(sp, q, len);
}

static bool
codel_dropped(void *sp, struct pk_sched_q *q, uint32_t len)
{
	return fq_left(sp, q, len);
}

static uint32_t
codel_victim(void *sp, struct pk_sched_q **q)
{
	return fq_victim(sp, q);
}

/*
 * Has q's head waited too long? Above target for a whole interval, with
 * more than an MTU behind it (a queue of one big packet is no queue).
 */
static bool
codel_should_drop(struct codel_sched *cs, struct pk_sched_q *q, uint64_t now)
{
	struct codel_q *c = codel_q_of(q);
	uint64_t sojourn = now > c->f.aqm.head_ts ? now - c->f.aqm.head_ts : 0;

	if (sojourn < cs->target || c->f.bytes - q->len <= cs->fs.mtu) {
		c->first_above = 0;
		return false;
	}
	if (c->first_above == 0) {
		c->first_above = now + cs->interval;
		return false;
	}
	return now >= c->first_above;
}

static enum pk_sched_verdict
codel_judge(void *sp, struct pk_sched_q *q, uint64_t now)
{
	const enum pk_sched_verdict v = ((struct codel_sched *)sp)->fs.ecn ?
					PK_SCHED_MARK : PK_SCHED_DROP;
	struct codel_sched *cs = sp;
	struct codel_q *c = codel_q_of(q);
	bool bad = codel_should_drop(cs, q, now);
	uint32_t delta;

	if (c->dropping) {
		if (!bad) {
			c->dropping = false;
			return PK_SCHED_SEND;
		}
		if ((int64_t)(now - c->drop_next) < 0)
			return PK_SCHED_SEND;
		c->count++;
		c->drop_next = codel_control_law(cs, c->drop_next, c->count);
		return v;
	}
	if (!bad)
		return PK_SCHED_SEND;
	/*
	 * Enter the dropping state. Back soon after the last one: resume
	 * near its drop rate rather than at 1, as RFC 8289 advises.
	 */
	c->dropping = true;
	delta = c->count - c->lastcount;
	c->count = delta > 1 && (int64_t)(now - c->drop_next) <
		   (int64_t)(16 * cs->interval) ? delta : 1;
	c->lastcount = c->count;
	c->drop_next = codel_control_law(cs, now, c->count);
	return v;
}

static struct pk_sched_policy codel_policy = {
	.name = "fq_codel",
	.help = "FlowQueue-CoDel (RFC 8290): DRR over hashed flows, CoDel on "
		"each, a hard memory bound; quantum in bytes",
	.sched_size = sizeof(struct codel_sched),
	.queue_size = sizeof(struct codel_q),
	.param_min = 1,
	.param_max = FQ_MAX_QUANTUM,
	.param_default = FQ_QUANTUM,
	.init = codel_init,
	.fini = codel_fini,
	.queue_add = codel_queue_add,
	.queue_remove = codel_queue_remove,
	.enqueue = codel_enqueue,
	.dequeue = codel_dequeue,
	.update = codel_update,
	.deactivate = codel_deactivate,
	.flags = PK_SCHED_POL_AQM,
	.classify = fq_classify,
	.arrive = codel_arrive,
	.judge = codel_judge,
	.dropped = codel_dropped,
	.victim = codel_victim,
};
PK_SCHED_POLICY_REGISTER(codel_policy);
