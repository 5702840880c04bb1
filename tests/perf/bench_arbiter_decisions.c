/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_arbiter: arbiter.decisions, .decisions.flows1k (the arbiter alone,
 * in the main lcore) and arbiter.vs_sched (its decisions against the bare
 * scheduler's push+pull pairs); see bench_arbiter.c's card.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_random.h>

#include "bench_arbiter.h"
#include "bench_common.h"

#define BA_VS_BURST 32
/* vs_sched: rounds of one run of each side, odd for a median */
#define BA_VS_ROUNDS 11

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
	/*
	 * A round releases at most BA_VS_BURST: ask for the rounds that the
	 * rest needs at least, so that the arbiter runs its rounds in one
	 * loop as on its lcore (pk_arbiter_main()), not one call (and one
	 * clock reading) per round; never a round after the last packet.
	 */
	while (sent < fill)
		sent += pk_arbiter_run(a, (fill - sent + BA_VS_BURST - 1) /
					  BA_VS_BURST);
	t0 = rte_rdtsc() - t0;
	while ((k = pk_stage_pull(out, &ba_free[ba_nfree], 64)) > 0)
		ba_nfree += k;
	pk_arbiter_destroy(a);
	pk_stage_destroy(out);
	ba_give_back();
	return (double)t0 / sent;
}

void
ba_decisions(const char *id, bool flows)
{
	double v[BA_ROUNDS];
	unsigned int i;

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

/* Print "<id> <unit>: min median max" on stderr (sorts v); the median. */
static double
ba_spread(const char *what, double *v, unsigned int n)
{
	double med = bench_median(v, n);

	fprintf(stderr, "%s: min %.3f median %.3f max %.3f (%u rounds)\n",
		what, v[0], med, v[n - 1], n);
	return med;
}

/*
 * BA_VS_ROUNDS rounds, each one decisions run and one run of as many
 * pairs, the order swapped every round (so that neither side always runs
 * on the caches the other left); the medians are reported, and on stderr
 * each side's spread and that of the rounds' own ratios.
 */
void
ba_vs_sched(void)
{
	double v[BA_VS_ROUNDS], b[BA_VS_ROUNDS], r[BA_VS_ROUNDS], mv, mb;
	unsigned int i;

	ba_decisions_run(false); /* warm up: pages, caches */
	ba_sched_pairs_run();
	for (i = 0; i < BA_VS_ROUNDS; i++) {
		if (i % 2 == 0) {
			v[i] = ba_decisions_run(false);
			b[i] = ba_sched_pairs_run();
		} else {
			b[i] = ba_sched_pairs_run();
			v[i] = ba_decisions_run(false);
		}
		r[i] = b[i] / v[i];
	}
	mv = ba_spread("arbiter.vs_sched arbiter cycles/decision", v,
		       BA_VS_ROUNDS);
	mb = ba_spread("arbiter.vs_sched scheduler cycles/pair", b,
		       BA_VS_ROUNDS);
	ba_spread("arbiter.vs_sched ratio per round", r, BA_VS_ROUNDS);
	bench_report("arbiter.vs_sched", mv, "cycles/decision", mb, true);
}
