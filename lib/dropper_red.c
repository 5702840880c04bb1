/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RED dropper (pk_dropper.h): rte_red's configuration, run-time data and
 * idle rule; its drop decision with a random generator per dropper.
 *
 * rte_red_enqueue_nonempty() draws from librte_sched's one global
 * rte_red_rand_val, which every thread with a RED queue would write
 * unguarded; the push here is that function with the draw moved into the
 * dropper, the same arithmetic in the same order, so that a test can check
 * it against rte_red_enqueue() packet for packet.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_random.h>

#include <pathkit/pk_log.h>

#include "dropper_pvt.h"

/* rte_fast_rand() on the dropper's seed. */
static inline uint32_t
red_fast_rand(struct pk_dropper *d)
{
	d->red.rand_seed = 214013 * d->red.rand_seed + 2531011;
	return d->red.rand_seed >> 10;
}

/*
 * __rte_red_drop() with the dropper's random number, for avg between the
 * thresholds after count packets kept: 1 drop, 0 keep.
 */
static inline int
red_drop(struct pk_dropper *d, uint32_t avg, uint32_t count)
{
	const struct rte_red_config *c = &d->red.cfg;
	uint32_t pa_num = (avg - c->min_th) >> c->wq_log2;
	uint32_t pa_num_count = count * pa_num;

	if (c->pa_const <= pa_num_count)
		return 1;
	if (unlikely(d->red.rand_val % (c->pa_const - pa_num_count) <
		     pa_num)) {
		d->red.rand_val = red_fast_rand(d); /* for the next drop */
		return 1;
	}
	return 0;
}

/*
 * The queue was empty at this push: decay the average by (1 - wq)^m for
 * the m packets the link could have sent since the previous push, as
 * rte_red_enqueue_empty() does from its tables (the time since the queue
 * emptied is not known here, see pk_dropper.h). Its factor shifts by n - 1
 * for n == 0 (undefined behaviour; x86 then gives the table's value, as
 * here), so the factor is computed here rather than through it.
 */
static inline void
red_idle(struct pk_dropper *d, uint64_t now)
{
	struct rte_red *red = &d->red.rt;
	uint64_t m = (now - d->red.last) / d->red.pkt_cycles;
	uint32_t n, f, factor;

	red->count++;
	if (m >= RTE_RED_2POW16) {
		red->avg = 0;
		return;
	}
	n = (uint32_t)m * rte_red_log2_1_minus_Wq[d->red.cfg.wq_log2 -
						  RTE_RED_WQ_LOG2_MIN];
	f = (n >> 6) & 0xf;
	n >>= 10;
	if (n == 0)
		factor = rte_red_pow2_frac_inv[f];
	else if (n < RTE_RED_SCALING)
		factor = (rte_red_pow2_frac_inv[f] + (1u << (n - 1))) >> n;
	else
		factor = 0;
	red->avg = (red->avg >> RTE_RED_SCALING) * (uint16_t)factor;
}

/*
 * rte_red_enqueue_nonempty() per packet, its average and count in locals
 * (registers) for the burst: below min_th the packet stays (count + 1),
 * from max_th on it drops (count 0), between them red_drop() decides.
 */
uint16_t
pk_dropper_red_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct pk_dropper *d = pk_dropper_of(s);
	const uint32_t min_th = d->red.cfg.min_th, max_th = d->red.cfg.max_th;
	const uint8_t wq = d->red.cfg.wq_log2;
	unsigned int i = 0, kept = 0, nd = 0;
	uint32_t q0, q_max, avg, count;
	uint64_t bytes = 0, now;

	if (d->mt)
		rte_spinlock_lock(&d->lock);
	q0 = d->len(s);
	now = pk_dropper_now(d);
	if (q0 == 0 && n != 0) { /* never drops: rte_red_enqueue_empty() */
		red_idle(d, now);
		kept = 1;
		i = 1;
	}
	d->red.last = now;
	avg = d->red.rt.avg;
	count = d->red.rt.count;
	/* the length each packet finds is q0 + kept, at most q_max */
	q_max = d->red.q_max > q0 ? d->red.q_max - q0 : 0;
	for (; i < n; i++) {
		avg += (RTE_MIN(kept, q_max) + q0) * (1u << RTE_RED_SCALING) -
		       (avg >> wq);
		if (likely(avg < min_th)) {
			count++;
		} else if (avg >= max_th || red_drop(d, avg, count)) {
			count = 0;
			pk_dropper_drop(s, pkts[i], &bytes);
			nd++;
			continue;
		} else {
			count++;
		}
		if (nd != 0) /* close the gap the drops left */
			pkts[kept] = pkts[i];
		kept++;
	}
	d->red.rt.avg = avg;
	d->red.rt.count = count;
	if (d->mt)
		rte_spinlock_unlock(&d->lock);
	return pk_dropper_finish(s, d, pkts, n, kept, nd, bytes, PK_DROP_RED);
}

int
pk_dropper_red_init(struct pk_dropper *d, const struct pk_dropper_red *c,
		    uint32_t seed)
{
	uint64_t pkt_ns = c->pkt_ns != 0 ? c->pkt_ns : PK_DROPPER_RED_PKT_NS;
	int rc;

	rc = rte_red_config_init(&d->red.cfg, c->wq_log2, c->min_th, c->max_th,
				 c->maxp_inv);
	if (rc != 0) {
		PK_LOG(ERR, "RED min_th %u max_th %u maxp_inv %u wq_log2 %u: "
		       "want min_th < max_th, max_th in 1..%u, maxp_inv in "
		       "1..%u, wq_log2 in %u..%u", c->min_th, c->max_th,
		       c->maxp_inv, c->wq_log2, RTE_RED_MAX_TH_MAX,
		       RTE_RED_MAXP_INV_MAX, RTE_RED_WQ_LOG2_MIN,
		       RTE_RED_WQ_LOG2_MAX);
		return -EINVAL;
	}
	rte_red_rt_data_init(&d->red.rt);
	/* as rte_red_config_init() seeds its global: a seed, then a number */
	d->red.rand_seed = seed != 0 ? seed : (uint32_t)rte_rand();
	d->red.rand_val = red_fast_rand(d);
	/* avg is q << (10 + wq_log2) at most: keep it within 32 bits */
	d->red.q_max = (1u << (32 - RTE_RED_SCALING - c->wq_log2)) - 1;
	d->red.pkt_cycles = RTE_MAX(pkt_ns * rte_get_tsc_hz() / 1000000000,
				    (uint64_t)1);
	d->red.last = pk_dropper_now(d);
	return 0;
}

void
pk_dropper_red_info(const struct pk_dropper *d, struct pk_dropper_info *info)
{
	uint32_t avg = __atomic_load_n(&d->red.rt.avg, __ATOMIC_RELAXED);

	info->red_avg = (double)avg /
			(double)(1u << (RTE_RED_SCALING + d->red.cfg.wq_log2));
}
