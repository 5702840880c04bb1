/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_arbiter: the PSPAT arbiter against plain SPSC rings, same run.
 * Needs -l 0,1: the worker lcore runs the arbiter (or the raw relay), the
 * main lcore is every client and the sink (it recycles mbuf pointers from
 * the output back into the mailboxes; packets are 64-byte frames).
 *
 * arbiter.mailbox.xfer: Mpps of a two-lcore SPSC transfer (main pushes
 *   bursts of 32, worker pulls bursts of 32 and frees nothing, pointers go
 *   back over a second queue of the same kind) through "mailbox" stages.
 *   Baseline: the same through raw rte_ring SP/SC. Decides the default.
 * arbiter.mailbox.xfer1: the same with the producer pushing one packet at
 *   a time (a client that sends packet by packet, as PSPAT's do).
 * arbiter.c1.direct, .c2.direct, .c4.direct: arbiter throughput (Mpps the
 *   output took) with 1, 2, 4 clients, wfq, unlimited rate, the arbiter
 *   transmitting into an SPSC queue that main drains. Baseline: a raw relay
 *   (worker: rte_ring SC dequeue -> rte_ring SP enqueue) of the same
 *   packets between the same lcores.
 * arbiter.c1.dispatcher, ...: the same in dispatcher mode; with 2 cores the
 *   dispatcher passes run on the main lcore (pk_arbiter_dispatch()).
 * arbiter.c4.direct.pspatmb: c4.direct with PSPAT mailboxes (the default
 *   is rte_ring SP/SC, which arbiter.mailbox.xfer measured faster).
 * arbiter.latency.p50, .p99: microseconds from a client's push to the sink
 *   at 50% load of an emulated 1 Gbit/s link (64-byte frames, one every
 *   1.41 us, two clients; slots missed while descheduled are skipped, not
 *   sent late in a burst). Baseline: the same pacing through the raw relay.
 * arbiter.decisions: scheduling decisions per second of the arbiter alone,
 *   in the main lcore (pk_arbiter_run()): 64 clients' mailboxes pre-filled,
 *   wfq, unlimited rate. Value in M/s; baseline PSPAT's published 28 M/s.
 * arbiter.decisions.flows1k: the same through a classifier into 1024 flow
 *   queues (each packet's queue is its RSS hash modulo 1024, as a NIC would
 *   have set it; random here): the cost of per-flow queues.
 * arbiter.vs_sched: TSC cycles per decision of arbiter.decisions against
 *   those of one push+pull pair of the bare scheduler the arbiter uses (wfq,
 *   64 internal queues of 256, each kept about 240 deep, as the arbiter's
 *   are; pull 32, push them back), the same number of pairs as decisions,
 *   rounds alternating the two. ratio = scheduler / arbiter: the share of a
 *   decision that is the scheduler's own work.
 * Rounds are interleaved (arbiter, then raw), medians of BA_ROUNDS.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_random.h>
#include <rte_ring.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"

#define BA_ROUNDS 5
#define BA_MS 300
#define BA_INFLIGHT 2048
#define BA_BURST 32u
#define BA_DEC_CLIENTS 64
#define BA_LAT_SAMPLES 100000
#define BA_VS_BURST 32

static struct rte_mempool *ba_pool;
static unsigned int ba_worker;
static struct rte_mbuf *ba_free[1 << 16];
static unsigned int ba_nfree;

static uint64_t
ba_ms(unsigned int ms)
{
	return rte_get_tsc_hz() * ms / 1000;
}

static void
ba_take_all(unsigned int n)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(ba_pool, ba_free, n) != 0)
		rte_exit(EXIT_FAILURE, "no mbufs\n");
	for (i = 0; i < n; i++)
		rte_pktmbuf_append(ba_free[i], 64);
	ba_nfree = n;
}

static void
ba_give_back(void)
{
	rte_pktmbuf_free_bulk(ba_free, ba_nfree);
	ba_nfree = 0;
}

/*
 * The pointers pushed are the top n of the free stack; what was taken
 * leaves it, what was refused slides down to stay on it.
 */
static void
ba_took(unsigned int n, unsigned int k)
{
	unsigned int base = ba_nfree - n;

	memmove(&ba_free[base], &ba_free[base + k],
		(n - k) * sizeof(ba_free[0]));
	ba_nfree -= k;
}

/* Push up to burst pointers from the free stack into s. */
static void
ba_push_free_n(struct pk_stage *s, unsigned int burst)
{
	unsigned int n = RTE_MIN(ba_nfree, burst);

	ba_took(n, pk_stage_push(s, &ba_free[ba_nfree - n], n));
}

static void
ba_push_free(struct pk_stage *s)
{
	ba_push_free_n(s, BA_BURST);
}

/* ---- raw relay: worker moves ring a -> ring b ---- */

struct ba_relay {
	struct rte_ring *a, *b;
	volatile int quit;
};

static int
ba_relay_main(void *arg)
{
	struct ba_relay *r = arg;
	void *m[BA_BURST];
	unsigned int k, s;

	while (!r->quit) {
		k = rte_ring_sc_dequeue_burst(r->a, m, BA_BURST, NULL);
		if (k == 0) {
			rte_pause();
			continue;
		}
		for (s = 0; s < k;)
			s += rte_ring_sp_enqueue_burst(r->b, m + s, k - s, NULL);
	}
	return 0;
}

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

/* ---- arbiter throughput ---- */

static struct pk_arbiter *
ba_arbiter(uint32_t nb, enum pk_arbiter_dispatch d,
	   enum pk_arbiter_mailbox mb, struct pk_stage *out, uint64_t rate,
	   uint32_t lcore)
{
	struct pk_arbiter_conf c = {
		.nb_clients = nb, .mailbox = mb, .rate_bps = rate,
		.dispatch = d, .out = out, .lcore_id = lcore,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_arbiter *a = pk_arbiter_create("ba", &c);

	if (a == NULL)
		rte_exit(EXIT_FAILURE, "arbiter: %s\n", rte_strerror(rte_errno));
	return a;
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
		ba_push_free(pk_arbiter_client(a, c));
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

static void
ba_throughput(const char *id, uint32_t nb, enum pk_arbiter_dispatch d,
	      enum pk_arbiter_mailbox mb)
{
	double pk[BA_ROUNDS], raw[BA_ROUNDS];
	unsigned int i;

	if (!bench_wanted(id))
		return;
	for (i = 0; i < BA_ROUNDS; i++) {
		pk[i] = ba_arb_round(nb, d, mb, BA_MS);
		raw[i] = ba_raw_relay_round(BA_MS);
	}
	bench_report(id, bench_median(pk, BA_ROUNDS), "Mpps",
		     bench_median(raw, BA_ROUNDS), false);
}

static void
ba_mailbox_xfer(const char *id, unsigned int burst)
{
	double mb[BA_ROUNDS], ring[BA_ROUNDS];
	unsigned int i;

	if (!bench_wanted(id))
		return;
	for (i = 0; i < BA_ROUNDS; i++) {
		mb[i] = ba_xfer_round("mailbox", BA_MS, burst);
		ring[i] = ba_xfer_round("queue_ring", BA_MS, burst);
	}
	bench_report(id, bench_median(mb, BA_ROUNDS), "Mpps",
		     bench_median(ring, BA_ROUNDS), false);
}

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

static void
ba_latency(void)
{
	double a50[3], a99[3], r50[3], r99[3];
	struct pk_stage *out, *in[2];
	struct ba_relay r = { .quit = 0 };
	struct pk_arbiter *a;
	unsigned int i, k;

	if (!bench_wanted("arbiter.latency"))
		return;
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

/* ---- decisions per second, arbiter alone ---- */

#define BA_FLOW_QUEUES 1024

/* Per-flow queues: the RSS hash a NIC would have set picks the queue. */
static uint32_t
ba_classify_rss(const struct rte_mbuf *m, void *arg)
{
	(void)arg;
	return m->hash.rss % BA_FLOW_QUEUES;
}

static struct pk_arbiter *
ba_decisions_arbiter(struct pk_stage *out, bool flows)
{
	struct pk_arbiter_conf c = {
		.nb_clients = BA_DEC_CLIENTS, .out = out,
		.lcore_id = PK_ARBITER_LCORE_NONE,
		.dispatcher_lcore = PK_ARBITER_LCORE_NONE,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_arbiter *a;
	unsigned int i;

	if (flows) {
		c.classify = ba_classify_rss;
		c.nb_queues = BA_FLOW_QUEUES;
		for (i = 0; i < ba_nfree; i++)
			ba_free[i]->hash.rss = (uint32_t)rte_rand();
	}
	a = pk_arbiter_create("ba", &c);
	if (a == NULL)
		rte_exit(EXIT_FAILURE, "arbiter: %s\n", rte_strerror(rte_errno));
	return a;
}

/* One decisions run: pre-filled mailboxes until all are out. @return TSC
 * cycles per decision. */
static double
ba_decisions_run(bool flows)
{
	struct pk_stage *out;
	struct pk_arbiter *a;
	unsigned int c, k, fill;
	uint64_t t0, sent;

	out = pk_queue_ring_create("ba_out", 1 << 16, 0, 0, SOCKET_ID_ANY);
	ba_take_all(BA_DEC_CLIENTS * 504);
	a = ba_decisions_arbiter(out, flows);
	fill = ba_nfree;
	for (c = 0; c < BA_DEC_CLIENTS; c++)
		ba_took(504, pk_stage_push(pk_arbiter_client(a, c),
					   &ba_free[ba_nfree - 504], 504));
	fill -= ba_nfree;
	t0 = rte_rdtsc();
	sent = 0;
	while (sent < fill)
		sent += pk_arbiter_run(a, 1);
	t0 = rte_rdtsc() - t0;
	while ((k = pk_stage_pull(out, &ba_free[ba_nfree], 64)) > 0)
		ba_nfree += k;
	pk_arbiter_destroy(a);
	pk_stage_destroy(out);
	ba_give_back();
	return (double)t0 / sent;
}

static void
ba_decisions(const char *id, bool flows)
{
	double v[BA_ROUNDS];
	unsigned int i;

	if (!bench_wanted(id))
		return;
	for (i = 0; i < BA_ROUNDS; i++)
		v[i] = rte_get_tsc_hz() / ba_decisions_run(flows) / 1e6;
	bench_report(id, bench_median(v, BA_ROUNDS), "M/s", 28.0, false);
}

#define BA_VS_DEPTH 240

/* Fill each queue BA_VS_DEPTH deep; apart, so that profiles tell it apart. */
static __rte_noinline void
ba_sched_fill(struct pk_stage *s)
{
	unsigned int q, i;

	ba_take_all(BA_DEC_CLIENTS * BA_VS_DEPTH);
	for (q = 0; q < BA_DEC_CLIENTS; q++)
		for (i = 0; i < BA_VS_DEPTH; i++)
			ba_free[q * BA_VS_DEPTH + i]->hash.sched.queue_id = q;
	if (pk_stage_push(s, ba_free, ba_nfree) != ba_nfree)
		rte_exit(EXIT_FAILURE, "sched: refused\n");
	ba_nfree = 0; /* the scheduler's now: its destroy frees them */
}

/*
 * The bare scheduler of the arbiter (wfq, one internal queue of 256 per
 * client), each queue BA_VS_DEPTH deep: as many push+pull pairs as a
 * decisions run makes. @return TSC cycles per pair.
 */
static double
ba_sched_pairs_run(void)
{
	struct pk_sched_conf sc = { .policy = "wfq",
				    .max_queues = BA_DEC_CLIENTS,
				    .qsize = 256, .socket_id = SOCKET_ID_ANY };
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct rte_mbuf *m[BA_VS_BURST];
	uint64_t t0, n = 0, want = BA_DEC_CLIENTS * 504;
	struct pk_stage *s = pk_sched_create("ba_vs", &sc);
	unsigned int q;
	uint16_t k;

	if (s == NULL)
		rte_exit(EXIT_FAILURE, "sched: %s\n", rte_strerror(rte_errno));
	for (q = 0; q < BA_DEC_CLIENTS; q++)
		if (pk_sched_queue_attach(s, &qc) != (int)q)
			rte_exit(EXIT_FAILURE, "sched: attach\n");
	ba_sched_fill(s);
	t0 = rte_rdtsc();
	while (n < want) {
		k = pk_stage_pull(s, m, BA_VS_BURST);
		n += k;
		if (pk_stage_push(s, m, k) != k)
			rte_exit(EXIT_FAILURE, "sched: refused\n");
	}
	t0 = rte_rdtsc() - t0;
	pk_stage_destroy(s); /* frees what its queues hold */
	return (double)t0 / n;
}

static void
ba_vs_sched(void)
{
	double v[BA_ROUNDS], b[BA_ROUNDS];
	unsigned int i;

	if (!bench_wanted("arbiter.vs_sched"))
		return;
	ba_decisions_run(false); /* warm up: pages, caches */
	ba_sched_pairs_run();
	for (i = 0; i < BA_ROUNDS; i++) {
		v[i] = ba_decisions_run(false);
		b[i] = ba_sched_pairs_run();
	}
	bench_report("arbiter.vs_sched", bench_median(v, BA_ROUNDS),
		     "cycles/decision", bench_median(b, BA_ROUNDS), true);
	/* the spread: sorted by bench_median() */
	fprintf(stderr, "bench_arbiter: vs_sched over %u rounds: arbiter "
		"%.1f..%.1f, scheduler %.1f..%.1f cycles\n", BA_ROUNDS, v[0],
		v[BA_ROUNDS - 1], b[0], b[BA_ROUNDS - 1]);
}

int
main(int argc, char **argv)
{
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL: %s\n", rte_strerror(rte_errno));
	if (bench_parse_args(argc - ret, argv + ret) != 0)
		return 1;
	ba_worker = rte_get_next_lcore(-1, 1, 0);
	if (ba_worker >= RTE_MAX_LCORE)
		rte_exit(EXIT_FAILURE, "bench_arbiter needs -l 0,1\n");
	ba_pool = rte_pktmbuf_pool_create("ba_pool", 65535, 256, 0,
					  RTE_PKTMBUF_HEADROOM + 256,
					  rte_socket_id());
	if (ba_pool == NULL)
		rte_exit(EXIT_FAILURE, "pool: %s\n", rte_strerror(rte_errno));
	ba_mailbox_xfer("arbiter.mailbox.xfer", BA_BURST);
	ba_mailbox_xfer("arbiter.mailbox.xfer1", 1);
	ba_throughput("arbiter.c1.direct", 1, PK_ARBITER_DISPATCH_DIRECT,
		      PK_ARBITER_MB_DEFAULT);
	ba_throughput("arbiter.c2.direct", 2, PK_ARBITER_DISPATCH_DIRECT,
		      PK_ARBITER_MB_DEFAULT);
	ba_throughput("arbiter.c4.direct", 4, PK_ARBITER_DISPATCH_DIRECT,
		      PK_ARBITER_MB_DEFAULT);
	ba_throughput("arbiter.c4.direct.pspatmb", 4,
		      PK_ARBITER_DISPATCH_DIRECT, PK_ARBITER_MB_PSPAT);
	ba_throughput("arbiter.c1.dispatcher", 1, PK_ARBITER_DISPATCH_THREAD,
		      PK_ARBITER_MB_DEFAULT);
	ba_throughput("arbiter.c2.dispatcher", 2, PK_ARBITER_DISPATCH_THREAD,
		      PK_ARBITER_MB_DEFAULT);
	ba_throughput("arbiter.c4.dispatcher", 4, PK_ARBITER_DISPATCH_THREAD,
		      PK_ARBITER_MB_DEFAULT);
	ba_latency();
	ba_decisions("arbiter.decisions", false);
	ba_decisions("arbiter.decisions.flows1k", true);
	ba_vs_sched();
	rte_mempool_free(ba_pool);
	rte_eal_cleanup();
	return 0;
}
