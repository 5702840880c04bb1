/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_scale: the multi-lcore variants, on whatever lcores the EAL was
 * given (-l 0,1 here, -l 0-16 on a bigger machine: the same binary). K runs
 * from 1 to the lcores a variant can use; each line's baseline is K times
 * its own K = 1 figure from the same run, so ratio = scaling efficiency
 * (1.0: linear). The main lcore sleeps and reads counters, except where a
 * variant has no other lcore for a role (see scale.arbiter). Each variant
 * says on stderr how many lcores and CPUs it had.
 *
 * The variants, one file each (its card says what the lines measure):
 *   scale.fwd.kK, scale.fwd.raw.kK: bench_scale_fwd.c (pk-fwd io, RSS);
 *   scale.demux.kK, scale.demux.raw.kK: bench_scale_demux.c (one mt
 *     demux_flow, K pushing lcores);
 *   scale.arbiter.cN.kK: bench_scale_arbiter.c (N clients on K client
 *     lcores, one arbiter lcore).
 * This file: main(), the options, the K loop and the report; what they
 * share is in bench_scale.h.
 *
 * Oversubscribed lcores (--lcores='(0-4)@(0,1)' or 0@0,1@1,2@1,...) run:
 * the code paths work, but lcores that share a CPU take turns in OS time
 * slices, so their sum cannot exceed the CPUs' and the lines measure the
 * OS scheduler, not scaling; stderr says so (doc/performance.md, "Scaling
 * to N cores").
 *
 * K: 1, 2, 4, ... and the largest (--every-k: every K from 1).
 * Options after "--": --filter=RE, --ms=M (window, 300), --rounds=R (3).
 * Each figure: per round, a warm-up of M/2 ms and 3 windows of M ms, the
 * median window; the line gives the median over rounds, which alternate
 * K = 1..max (and raw with PathKit).
 */
#define _GNU_SOURCE /* rte_lcore_cpuset(), CPU_COUNT() */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "bench_common.h"
#include "bench_scale.h"

#define BS_WINDOWS 3
#define BS_MAX_ROUNDS 15

unsigned int bs_workers[RTE_MAX_LCORE], bs_nb_workers;
static unsigned int bs_ms = 300, bs_rounds = 3;
static bool bs_every_k;  /* --every-k: 1..max, not powers of two and max */
volatile int bs_stop;
struct bs_count bs_cnt[RTE_MAX_LCORE];

void
bs_sleep(void *ctx, unsigned int ms)
{
	RTE_SET_USED(ctx);
	rte_delay_us_sleep(ms * 1000);
}

uint64_t
bs_cnt_sum(void)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++)
		sum += __atomic_load_n(&bs_cnt[i].pkts, __ATOMIC_RELAXED);
	return sum;
}

/* Mpps of v at k lcores: warm-up, then the median of BS_WINDOWS windows. */
static double
bs_measure(const struct bs_variant *v, unsigned int k)
{
	double win[BS_WINDOWS];
	uint64_t p0, p1, t0, t1;
	unsigned int w;

	bs_stop = 0;
	if (v->start(v->ctx, k) != 0)
		rte_exit(EXIT_FAILURE, "%s: cannot start %u lcores\n", v->name,
			 k);
	v->wait(v->ctx, bs_ms / 2);
	for (w = 0; w < BS_WINDOWS; w++) {
		p0 = v->count(v->ctx);
		t0 = rte_rdtsc();
		v->wait(v->ctx, bs_ms);
		p1 = v->count(v->ctx);
		t1 = rte_rdtsc();
		win[w] = (double)(p1 - p0) * rte_get_tsc_hz() /
			 (double)(t1 - t0) / 1e6;
	}
	bs_stop = 1;
	v->stop(v->ctx, k);
	return bench_median(win, BS_WINDOWS);
}

/* CPUs the n given lcores run on, each counted once. */
static unsigned int
bs_cpus(const unsigned int *lcores, unsigned int n)
{
	rte_cpuset_t all, one;
	unsigned int i;

	CPU_ZERO(&all);
	for (i = 0; i < n; i++) {
		one = rte_lcore_cpuset(lcores[i]);
		CPU_OR(&all, &all, &one);
	}
	return CPU_COUNT(&all);
}

/* Say what a variant runs on: busy[0..nbusy) at its largest K. */
void
bs_say_lcores(const char *what, unsigned int kmax, const unsigned int *busy,
	      unsigned int nbusy)
{
	unsigned int cpus = bs_cpus(busy, nbusy);

	fprintf(stderr, "%s: K = 1..%u; at K = %u, %u busy lcore(s) on %u "
		"CPU(s)%s\n", what, kmax, kmax, nbusy, cpus,
		cpus < nbusy ? ": OVERSUBSCRIBED, the lines measure time "
			       "slicing, not scaling" : "");
}

/* The K after k up to kmax: 1, 2, 4, ..., kmax (or every one). */
static unsigned int
bs_next_k(unsigned int k, unsigned int kmax)
{
	if (bs_every_k || k == kmax)
		return k + 1;
	return RTE_MIN(2 * k, kmax);
}

/* Is any of "<id>.k1" .. "<id>.k<kmax>" wanted? */
bool
bs_wanted(const char *id, unsigned int kmax)
{
	char name[64];
	unsigned int k;

	for (k = 1; k <= kmax; k = bs_next_k(k, kmax)) {
		snprintf(name, sizeof(name), "%s.k%u", id, k);
		if (bench_wanted(name))
			return true;
	}
	return false;
}

/*
 * Run the variants pk (and raw, if not NULL) for k = 1..kmax, rounds
 * alternating; print "<id>.k<K>" lines against K x the k = 1 figure.
 */
void
bs_run(const char *id, const struct bs_variant *pk, const char *raw_id,
       const struct bs_variant *raw, unsigned int kmax)
{
	static double v[2][RTE_MAX_LCORE + 1][BS_MAX_ROUNDS];
	const struct bs_variant *var[2] = { pk, raw };
	const char *ids[2] = { id, raw_id };
	double med[2][RTE_MAX_LCORE + 1];
	unsigned int r, k, s;
	char name[64];

	for (r = 0; r < bs_rounds; r++)
		for (k = 1; k <= kmax; k = bs_next_k(k, kmax))
			for (s = 0; s < 2; s++)
				if (var[s] != NULL)
					v[s][k][r] = bs_measure(var[s], k);
	for (s = 0; s < 2; s++) {
		if (var[s] == NULL)
			continue;
		for (k = 1; k <= kmax; k = bs_next_k(k, kmax)) {
			med[s][k] = bench_median(v[s][k], bs_rounds);
			fprintf(stderr, "%s.k%u Mpps: min %.3f median %.3f "
				"max %.3f (%u rounds)\n", ids[s], k,
				v[s][k][0], med[s][k],
				v[s][k][bs_rounds - 1], bs_rounds);
		}
		for (k = 1; k <= kmax; k = bs_next_k(k, kmax)) {
			snprintf(name, sizeof(name), "%s.k%u", ids[s], k);
			if (bench_wanted(name))
				bench_report(name, med[s][k], "Mpps",
					     k * med[s][1], false);
		}
	}
}

unsigned int
bs_worker_index(void)
{
	unsigned int lc = rte_lcore_id(), q;

	for (q = 0; q < bs_nb_workers && bs_workers[q] != lc; q++)
		;
	return q;
}

int
bs_launch(lcore_function_t *fn, void *ctx, unsigned int k)
{
	unsigned int j;

	for (j = 0; j < k; j++)
		if (rte_eal_remote_launch(fn, ctx, bs_workers[j]) != 0)
			return -1;
	return 0;
}

/* Say if a pool did not get all its mbufs back: a leak in what ran. */
void
bs_pool_free(struct rte_mempool *mp)
{
	if (mp != NULL && !rte_mempool_full(mp))
		fprintf(stderr, "bench_scale: %s: %u mbufs not returned\n",
			mp->name, mp->size - rte_mempool_avail_count(mp));
	rte_mempool_free(mp);
}

void
bs_wait_workers(void *ctx, unsigned int k)
{
	unsigned int j;

	RTE_SET_USED(ctx);
	for (j = 0; j < k; j++)
		rte_eal_wait_lcore(bs_workers[j]);
}

/* Take our options; leave the rest for bench_parse_args(). */
static int
bs_parse_args(int *argc, char **argv)
{
	int i, j = 1;

	for (i = 1; i < *argc; i++) {
		if (strncmp(argv[i], "--ms=", 5) == 0) {
			bs_ms = strtoul(argv[i] + 5, NULL, 10);
			if (bs_ms < 10 || bs_ms > 60000)
				return -1;
		} else if (strcmp(argv[i], "--every-k") == 0) {
			bs_every_k = true;
		} else if (strncmp(argv[i], "--rounds=", 9) == 0) {
			bs_rounds = strtoul(argv[i] + 9, NULL, 10);
			if (bs_rounds < 1 || bs_rounds > BS_MAX_ROUNDS)
				return -1;
		} else {
			argv[j++] = argv[i];
		}
	}
	*argc = j;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int lc;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	if (bs_parse_args(&argc, argv) != 0 ||
	    bench_parse_args(argc, argv) != 0) {
		fprintf(stderr, "usage: bench_scale <EAL args> -- "
			"[--filter=RE] [--ms=10..60000] [--rounds=1..%u] "
			"[--every-k]\n",
			BS_MAX_ROUNDS);
		return 1;
	}
	RTE_LCORE_FOREACH_WORKER(lc)
		bs_workers[bs_nb_workers++] = lc;
	if (bs_nb_workers == 0) {
		fprintf(stderr, "bench_scale: needs a worker lcore (-l 0,1)\n");
		rte_eal_cleanup();
		return 77;
	}
	bs_fwd();
	bs_demux();
	bs_arbiter();
	rte_eal_cleanup();
	return 0;
}
