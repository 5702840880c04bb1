/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched shaper, control side: rate, per-frame overhead, bucket size and
 * clock. Each change rebuilds the token bucket empty and picks the pull:
 * pk_sched_pull_shaped() when a rate is set, else pk_sched_pull() (both in
 * sched_fastpath.c, which refills and spends the bucket).
 */
#include <errno.h>

#include <rte_cycles.h>

#include "sched_pvt.h"

/* clock limit: keep rate * 8 * hz products exact in 128 bits */
#define SCHED_MAX_HZ (1ULL << 40)

uint64_t
pk_sched_tsc(void *arg)
{
	RTE_SET_USED(arg);
	return rte_rdtsc();
}

/* Rebuild the bucket after a change of rate, burst or clock: empty. */
static void
sched_shaper_reset(struct pk_sched *sc)
{
	uint64_t burst = sc->burst;

	if (burst == 0) /* 100 us of the link, and at least two frames */
		burst = RTE_MAX(sc->rate_bps / 80000,
				2ULL * (sc->mtu + sc->overhead));
	sc->hz8 = 8 * sc->hz;
	sc->tokens_max = (__int128)burst * sc->hz8;
	sc->tokens = 0;
	sc->last = sc->clock(sc->clock_arg);
	/* queue managers' time in ns: 2^32 * 10^9 / hz fits for hz >= 1 */
	sc->ns_mult = (uint64_t)(((unsigned __int128)1000000000 << 32) / sc->hz);
	if (sc->aqm)
		sc->stage.pull = pk_sched_aqm_pull; /* shapes if rate is set */
	else
		sc->stage.pull = sc->rate_bps != 0 ? pk_sched_pull_shaped :
						      pk_sched_pull;
}

int
pk_sched_set_shaper(struct pk_stage *s, uint64_t rate_bps, uint32_t overhead,
		    uint32_t burst)
{
	struct pk_sched *sc = sched_check(s);

	if (sc == NULL || rate_bps > PK_SCHED_MAX_RATE)
		return -EINVAL;
	sc->rate_bps = rate_bps;
	sc->overhead = overhead;
	sc->burst = burst;
	sched_shaper_reset(sc);
	return 0;
}

int
pk_sched_set_clock(struct pk_stage *s, pk_sched_clock_t fn, void *arg,
		   uint64_t hz)
{
	struct pk_sched *sc = sched_check(s);

	if (sc == NULL || (fn != NULL && (hz == 0 || hz > SCHED_MAX_HZ)))
		return -EINVAL;
	sc->clock = fn != NULL ? fn : pk_sched_tsc;
	sc->clock_arg = fn != NULL ? arg : NULL;
	sc->hz = fn != NULL ? hz : rte_get_tsc_hz();
	sched_shaper_reset(sc);
	return 0;
}
