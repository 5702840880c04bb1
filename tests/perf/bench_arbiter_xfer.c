/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_arbiter: arbiter.mailbox.xfer, .xfer1 (two-lcore transfers through
 * mailbox stages against rte_ring) and the throughput ids arbiter.c<N>.*
 * against the raw relay; see bench_arbiter.c's card.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "bench_arbiter.h"
#include "bench_common.h"

/* Main: n clients' worth of pushes into a, drain b; Mpps through. */
static double
ba_raw_relay_round(unsigned int ms)
{
	struct ba_relay r = { .quit = 0 };
	uint64_t got = 0, t0, end;
	unsigned int k, n;

	r.a = rte_ring_create("ba_a", 4096, rte_socket_id(),
			      RING_F_SP_ENQ | RING_F_SC_DEQ);
	r.b = rte_ring_create("ba_b", 4096, rte_socket_id(),
			      RING_F_SP_ENQ | RING_F_SC_DEQ);
	ba_take_all(BA_INFLIGHT);
	rte_eal_remote_launch(ba_relay_main, &r, ba_worker);
	t0 = rte_rdtsc();
	end = t0 + ba_ms(ms);
	while (rte_rdtsc() < end) {
		n = RTE_MIN(ba_nfree, BA_BURST);
		ba_took(n, rte_ring_sp_enqueue_burst(r.a,
			(void **)&ba_free[ba_nfree - n], n, NULL));
		k = rte_ring_sc_dequeue_burst(r.b, (void **)&ba_free[ba_nfree],
					      64, NULL);
		ba_nfree += k;
		got += k;
	}
	t0 = rte_rdtsc() - t0;
	r.quit = 1;
	rte_eal_wait_lcore(ba_worker);
	while ((k = rte_ring_dequeue_burst(r.a, (void **)&ba_free[ba_nfree],
					   64, NULL)) > 0)
		ba_nfree += k;
	while ((k = rte_ring_dequeue_burst(r.b, (void **)&ba_free[ba_nfree],
					   64, NULL)) > 0)
		ba_nfree += k;
	ba_give_back();
	rte_ring_free(r.a);
	rte_ring_free(r.b);
	return got / ((double)t0 / rte_get_tsc_hz()) / 1e6;
}

/* ---- mailbox vs rte_ring, stage to stage ---- */

struct ba_xfer {
	struct pk_stage *a, *b;
	volatile int quit;
};

static int
ba_xfer_main(void *arg)
{
	struct ba_xfer *x = arg;
	struct rte_mbuf *m[BA_BURST];
	uint16_t k, s;

	while (!x->quit) {
		k = pk_stage_pull(x->a, m, BA_BURST);
		if (k == 0) {
			rte_pause();
			continue;
		}
		for (s = 0; s < k;)
			s += pk_stage_push(x->b, m + s, k - s);
	}
	return 0;
}

static double
ba_xfer_round(const char *kind, unsigned int ms, unsigned int burst)
{
	struct ba_xfer x = { .quit = 0 };
	uint64_t got = 0, t0, end;
	struct rte_mbuf *m[64];
	uint16_t k;

	x.a = pk_stage_create(kind, "ba_xa", "size=1024", SOCKET_ID_ANY);
	x.b = pk_stage_create(kind, "ba_xb", "size=1024", SOCKET_ID_ANY);
	if (x.a == NULL || x.b == NULL)
		rte_exit(EXIT_FAILURE, "%s: %s\n", kind, rte_strerror(rte_errno));
	ba_take_all(BA_INFLIGHT);
	rte_eal_remote_launch(ba_xfer_main, &x, ba_worker);
	t0 = rte_rdtsc();
	end = t0 + ba_ms(ms);
	while (rte_rdtsc() < end) {
		for (k = 0; k < BA_BURST; k += burst)
			ba_push_free_n(x.a, burst);
		k = pk_stage_pull(x.b, &ba_free[ba_nfree], 64);
		ba_nfree += k;
		got += k;
	}
	t0 = rte_rdtsc() - t0;
	x.quit = 1;
	rte_eal_wait_lcore(ba_worker);
	while ((k = pk_stage_pull(x.a, m, 64)) > 0)
		rte_pktmbuf_free_bulk(m, k);
	pk_stage_destroy(x.a);
	pk_stage_destroy(x.b); /* frees what it holds */
	ba_give_back();
	return got / ((double)t0 / rte_get_tsc_hz()) / 1e6;
}



static double
ba_arb_round(uint32_t nb, enum pk_arbiter_dispatch d,
	     enum pk_arbiter_mailbox mb, unsigned int ms)
{
	struct pk_stage *out = pk_queue_ring_create("ba_out", 4096, 0, 0,
						    SOCKET_ID_ANY);
	struct pk_arbiter *a = ba_arbiter(nb, d, mb, out, 0, ba_worker);
	uint64_t got = 0, t0, end;
	uint32_t c = 0;
	uint16_t k;

	ba_take_all(BA_INFLIGHT);
	if (pk_arbiter_start(a) != 0)
		rte_exit(EXIT_FAILURE, "arbiter start\n");
	t0 = rte_rdtsc();
	end = t0 + ba_ms(ms);
	while (rte_rdtsc() < end) {
		ba_push_free_n(pk_arbiter_client(a, c), BA_BURST);
		c = c + 1 == nb ? 0 : c + 1;
		if (d == PK_ARBITER_DISPATCH_THREAD)
			pk_arbiter_dispatch(a);
		k = pk_stage_pull(out, &ba_free[ba_nfree], 64);
		ba_nfree += k;
		got += k;
	}
	t0 = rte_rdtsc() - t0;
	pk_arbiter_stop(a); /* flushes into out */
	while ((k = pk_stage_pull(out, &ba_free[ba_nfree], 64)) > 0)
		ba_nfree += k;
	pk_arbiter_destroy(a);
	pk_stage_destroy(out);
	ba_give_back();
	return got / ((double)t0 / rte_get_tsc_hz()) / 1e6;
}

void
ba_throughput(const char *id, uint32_t nb, enum pk_arbiter_dispatch d,
	      enum pk_arbiter_mailbox mb)
{
	double pk[BA_ROUNDS], raw[BA_ROUNDS];
	unsigned int i;

	for (i = 0; i < BA_ROUNDS; i++) {
		pk[i] = ba_arb_round(nb, d, mb, BA_MS);
		raw[i] = ba_raw_relay_round(BA_MS);
	}
	bench_report(id, bench_median(pk, BA_ROUNDS), "Mpps",
		     bench_median(raw, BA_ROUNDS), false);
}

void
ba_mailbox_xfer(const char *id, unsigned int burst)
{
	double mb[BA_ROUNDS], ring[BA_ROUNDS];
	unsigned int i;

	for (i = 0; i < BA_ROUNDS; i++) {
		mb[i] = ba_xfer_round("mailbox", BA_MS, burst);
		ring[i] = ba_xfer_round("queue_ring", BA_MS, burst);
	}
	bench_report(id, bench_median(mb, BA_ROUNDS), "Mpps",
		     bench_median(ring, BA_ROUNDS), false);
}

