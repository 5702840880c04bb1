/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_arbiter: arbiter.latency.p50 and .p99, push to sink at 50% load of
 * an emulated 1 Gbit/s link, against the raw relay; see bench_arbiter.c's
 * card.
 */
#include <stdint.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "bench_arbiter.h"
#include "bench_common.h"

#define BA_LAT_SAMPLES 100000

/* ---- latency at 50% load ---- */

static int
ba_cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Stamp, push, sink: returns p50 and p99 in us through push/pull. */
static void
ba_latency_run(struct pk_stage *const *in, unsigned int nin,
	       struct rte_ring *rin, struct pk_stage *out, struct rte_ring *rout,
	       double *p50, double *p99)
{
	static uint64_t lat[BA_LAT_SAMPLES];
	/* 50% of 1 Gbit/s with 64 + 24 bytes per frame on the link */
	uint64_t gap = rte_get_tsc_hz() * (64 + 24) * 8 / 500000000ULL;
	uint64_t next = rte_rdtsc(), now;
	unsigned int nlat = 0, c = 0;
	struct rte_mbuf *m[64];
	uint16_t k, i;

	ba_take_all(4096);
	while (nlat < BA_LAT_SAMPLES) {
		now = rte_rdtsc();
		if (now >= next && ba_nfree > 0) {
			struct rte_mbuf *x = ba_free[--ba_nfree];

			*rte_pktmbuf_mtod(x, uint64_t *) = now;
			if (in != NULL) {
				if (pk_stage_push(in[c], &x, 1) == 0)
					ba_free[ba_nfree++] = x;
				c = c + 1 == nin ? 0 : c + 1;
			} else if (rte_ring_sp_enqueue(rin, x) != 0) {
				ba_free[ba_nfree++] = x;
			}
			next += gap;
			/* descheduled (shared machine)? skip the missed slots
			 * rather than send them as one burst over the rate */
			if (now - next < (uint64_t)INT64_MAX &&
			    now - next > 16 * gap)
				next = now + gap;
		}
		k = out != NULL ? pk_stage_pull(out, m, 64) :
			rte_ring_sc_dequeue_burst(rout, (void **)m, 64, NULL);
		now = rte_rdtsc();
		for (i = 0; i < k; i++) {
			if (nlat < BA_LAT_SAMPLES)
				lat[nlat++] = now -
					*rte_pktmbuf_mtod(m[i], uint64_t *);
			ba_free[ba_nfree++] = m[i];
		}
	}
	qsort(lat, nlat, sizeof(lat[0]), ba_cmp_u64);
	*p50 = lat[nlat / 2] * 1e6 / rte_get_tsc_hz();
	*p99 = lat[nlat * 99 / 100] * 1e6 / rte_get_tsc_hz();
}

void
ba_latency(void)
{
	double a50[3], a99[3], r50[3], r99[3];
	struct pk_stage *out, *in[2];
	struct ba_relay r = { .quit = 0 };
	struct pk_arbiter *a;
	unsigned int i, k;

	for (i = 0; i < 3; i++) {
		out = pk_queue_ring_create("ba_out", 4096, 0, 0, SOCKET_ID_ANY);
		a = ba_arbiter(2, PK_ARBITER_DISPATCH_DIRECT,
			       PK_ARBITER_MB_DEFAULT, out, 1000000000ULL,
			       ba_worker);
		in[0] = pk_arbiter_client(a, 0);
		in[1] = pk_arbiter_client(a, 1);
		pk_arbiter_start(a);
		ba_latency_run(in, 2, NULL, out, NULL, &a50[i], &a99[i]);
		pk_arbiter_stop(a);
		while ((k = pk_stage_pull(out, &ba_free[ba_nfree], 64)) > 0)
			ba_nfree += k;
		pk_arbiter_destroy(a);
		pk_stage_destroy(out);
		ba_give_back();

		r.quit = 0;
		r.a = rte_ring_create("ba_a", 4096, rte_socket_id(),
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
		r.b = rte_ring_create("ba_b", 4096, rte_socket_id(),
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
		rte_eal_remote_launch(ba_relay_main, &r, ba_worker);
		ba_latency_run(NULL, 0, r.a, NULL, r.b, &r50[i], &r99[i]);
		r.quit = 1;
		rte_eal_wait_lcore(ba_worker);
		while ((k = rte_ring_dequeue_burst(r.a,
				(void **)&ba_free[ba_nfree], 64, NULL)) > 0)
			ba_nfree += k;
		while ((k = rte_ring_dequeue_burst(r.b,
				(void **)&ba_free[ba_nfree], 64, NULL)) > 0)
			ba_nfree += k;
		ba_give_back();
		rte_ring_free(r.a);
		rte_ring_free(r.b);
	}
	bench_report("arbiter.latency.p50", bench_median(a50, 3), "us",
		     bench_median(r50, 3), true);
	bench_report("arbiter.latency.p99", bench_median(a99, 3), "us",
		     bench_median(r99, 3), true);
}

