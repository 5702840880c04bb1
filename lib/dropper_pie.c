/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PIE dropper (pk_dropper.h): rte_pie's configuration, run-time data and
 * enqueue decision, fed from the pusher's side, with the drop probability
 * updated here.
 *
 * DPDK 22.11's _calc_drop_probability() subtracts its delays as uint64_t
 * cycles: a delay below the target wraps to ~2^64, and any difference is
 * millions of cycles where RFC 8033's alpha and beta want seconds, so the
 * first update sets the probability to 1 whatever the delay. It also
 * counts the burst allowance down in unsigned arithmetic, so once at 0 it
 * wraps back to ~2^32 cycles. pie_update() is that function with signed
 * delays in seconds and an allowance that stops at 0; run at the start of
 * a burst when an interval has passed, it leaves rte_pie_enqueue() nothing
 * to update (last_measurement is now), and everything else is rte_pie's:
 * activation, tail drop, the bypass and the de-randomised drop.
 *
 * rte_pie counts the queue itself (qlen++ at each enqueue, the caller's
 * qlen-- at each departure) and learns the departure rate from
 * rte_pie_dequeue(), both of which need the puller. Here its qlen is set
 * to the queue's length at each push burst, a packet counts 1 (so that
 * its delay qlen * (avg_dq_time >> 14) is packets times time per packet),
 * and pie_measure() does rte_pie_dequeue()'s measurement from the queue's
 * departure counter: at least PK_DROPPER_PIE_DQ_PKTS departures timed
 * while the queue held that many, folded in with rte_pie's weight.
 */
#include <errno.h>
#include <inttypes.h>

#include <rte_errno.h>

#include <pathkit/pk_log.h>

#include "dropper_pvt.h"

/* 2^14: rte_pie's delay reads avg_dq_time as the time of 2^14 units */
#define PIE_DQ_SHIFT 14

static void
pie_measure(struct pk_stage *s, struct pk_dropper *d, uint32_t q, uint64_t now)
{
	struct rte_pie *pie = &d->pie.rt;
	uint64_t out, dep, dq;

	if (!pie->in_measurement && q < PK_DROPPER_PIE_DQ_PKTS)
		return;
	out = pk_counter_load(&s->out.pkts); /* the puller's line: only here */
	if (pie->in_measurement) {
		dep = out - d->pie.out0;
		if (dep < PK_DROPPER_PIE_DQ_PKTS)
			return;
		dq = ((now - pie->start_measurement) << PIE_DQ_SHIFT) / dep;
		if (pie->avg_dq_time == 0) /* as rte_pie_dequeue() */
			pie->avg_dq_time = dq;
		else
			pie->avg_dq_time = dq * RTE_DQ_WEIGHT +
					   pie->avg_dq_time * (1 - RTE_DQ_WEIGHT);
		pie->in_measurement = 0;
	}
	if (q >= PK_DROPPER_PIE_DQ_PKTS) {
		pie->in_measurement = 1;
		pie->start_measurement = now;
		pie->departed_bytes_count = 0;
		d->pie.out0 = out;
	}
}

/* RFC 8033's update: _calc_drop_probability() with the units right. */
static void
pie_update(struct pk_dropper *d, uint64_t now)
{
	const struct rte_pie_config *cfg = &d->pie.cfg;
	struct rte_pie *pie = &d->pie.rt;
	uint64_t qdelay = pie->qlen * (pie->avg_dq_time >> PIE_DQ_SHIFT);
	double ref = (double)cfg->qdelay_ref, prob = pie->drop_prob, p;

	p = (RTE_ALPHA * ((double)qdelay - ref) +
	     RTE_BETA * ((double)qdelay - (double)pie->qdelay_old)) /
	    d->pie.hz;
	/* small probabilities move in small steps (RFC 8033 4.2) */
	if (prob < 0.000001)
		p /= 2048;
	else if (prob < 0.00001)
		p /= 512;
	else if (prob < 0.0001)
		p /= 128;
	else if (prob < 0.001)
		p /= 32;
	else if (prob < 0.01)
		p /= 8;
	else if (prob < 0.1)
		p /= 2;
	if (prob >= 0.1 && p > 0.02)
		p = 0.02;
	prob += p;
	if ((double)qdelay < ref / 2 && (double)pie->qdelay_old < ref / 2)
		prob *= 0.98; /* decay while the queue is well below target */
	pie->drop_prob = RTE_MIN(RTE_MAX(prob, 0.0), 1.0);
	pie->qdelay_old = qdelay;
	pie->last_measurement = now;
	pie->burst_allowance = pie->burst_allowance > cfg->dp_update_interval ?
		pie->burst_allowance - (uint32_t)cfg->dp_update_interval : 0;
}

uint16_t
pk_dropper_pie_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_dropper *d = pk_dropper_of(s);
	struct rte_pie *pie = &d->pie.rt;
	uint16_t i, kept = 0, nd = 0;
	uint64_t bytes = 0, now;
	uint32_t q;

	if (d->mt)
		rte_spinlock_lock(&d->lock);
	q = d->len(s);
	now = pk_dropper_now(d);
	pie_measure(s, d, q, now);
	pie->qlen = q;
	pie->qlen_bytes = q;
	if (pie->active && now - pie->last_measurement >=
			   d->pie.cfg.dp_update_interval)
		pie_update(d, now);
	for (i = 0; i < n; i++) {
		uint16_t was_active = pie->active;

		if (rte_pie_enqueue(&d->pie.cfg, pie, q, 1, now) != 0) {
			pk_dropper_drop(s, pkts[i], &bytes);
			nd++;
			continue;
		}
		pkts[kept++] = pkts[i];
		q++;
		/* activated: rte_pie began measuring now, count from here */
		if (unlikely(!was_active && pie->active))
			d->pie.out0 = pk_counter_load(&s->out.pkts);
	}
	if (d->mt)
		rte_spinlock_unlock(&d->lock);
	return pk_dropper_finish(s, d, pkts, n, kept, nd, bytes, PK_DROP_PIE);
}

int
pk_dropper_pie_init(struct pk_dropper *d, const struct pk_dropper_pie *c)
{
	struct rte_pie_config *cfg = &d->pie.cfg;

	if (c->qdelay_ms == 0 || c->interval_ms == 0 || c->burst_ms == 0 ||
	    c->tailq_th == 0 ||
	    rte_pie_config_init(cfg, c->qdelay_ms, c->interval_ms, c->burst_ms,
				c->tailq_th) != 0) {
		PK_LOG(ERR, "PIE qdelay %u ms interval %u ms burst %u ms "
		       "tailq_th %u: each must be at least 1", c->qdelay_ms,
		       c->interval_ms, c->burst_ms, c->tailq_th);
		return -EINVAL;
	}
	if (cfg->max_burst > UINT32_MAX) { /* rte_pie's burst_allowance */
		PK_LOG(ERR, "PIE burst %u ms: %" PRIu64 " TSC cycles, past "
		       "rte_pie's 32 bits", c->burst_ms, cfg->max_burst);
		return -EINVAL;
	}
	rte_pie_rt_data_init(&d->pie.rt);
	d->pie.out0 = 0;
	d->pie.hz = (double)rte_get_tsc_hz();
	return 0;
}

void
pk_dropper_pie_info(const struct pk_dropper *d, struct pk_dropper_info *info)
{
	const struct rte_pie *pie = &d->pie.rt;
	double hz = (double)rte_get_tsc_hz();
	uint64_t qd, dq;
	double p;

	__atomic_load(&pie->drop_prob, &p, __ATOMIC_RELAXED);
	qd = __atomic_load_n(&pie->qdelay_old, __ATOMIC_RELAXED);
	dq = __atomic_load_n(&pie->avg_dq_time, __ATOMIC_RELAXED);
	info->pie_drop_prob = p;
	info->pie_qdelay_ms = (double)qd * 1e3 / hz;
	info->pie_pkt_ns = (double)(dq >> PIE_DQ_SHIFT) * 1e9 / hz;
	info->pie_active = __atomic_load_n(&pie->active, __ATOMIC_RELAXED);
}
