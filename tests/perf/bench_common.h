/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_BENCH_COMMON_H
#define PK_BENCH_COMMON_H

/*
 * Benchmark helpers. Every bench binary is run by devtools/bench.sh as
 *   bench_<component> <EAL args> -- [--filter=REGEX]
 * and prints one line per result:
 *   bench: <id> value=<v> unit=<u> baseline=<b> ratio=<r>
 * where ratio > 1 means PathKit beats the baseline measured in the same run
 * (for costs: baseline/value). Nothing here asserts on timings.
 */

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_mempool.h>

#include "../common/pk_test_heap.h"

static regex_t bench_filter_re;
static bool bench_filter_set;

/* Parse the options after "--": --filter=REGEX. Returns 0, or -1 on error. */
static inline int
bench_parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--filter=", 9) == 0) {
			if (regcomp(&bench_filter_re, argv[i] + 9,
				    REG_EXTENDED | REG_NOSUB) != 0) {
				fprintf(stderr, "bad --filter regex: %s\n",
					argv[i] + 9);
				return -1;
			}
			bench_filter_set = true;
		} else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

/* Should the benchmark with this id run? */
static inline bool
bench_wanted(const char *id)
{
	return !bench_filter_set ||
	       regexec(&bench_filter_re, id, 0, NULL, 0) == 0;
}

/* Print one result line. is_cost: lower is better (ratio = base / v). */
static inline void
bench_report(const char *id, double v, const char *unit, double base,
	     bool is_cost)
{
	double ratio = is_cost ? (v > 0 ? base / v : 0) :
				 (base > 0 ? v / base : 0);

	printf("bench: %s value=%.3f unit=%s baseline=%.3f ratio=%.3f\n", id,
	       v, unit, base, ratio);
	fflush(stdout);
}

/* Median of n doubles (sorts them in place). */
static inline double
bench_median(double *v, unsigned int n)
{
	unsigned int i, j;
	double t;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n == 0 ? 0 : (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

/*
 * A pool of n mbufs of the default size. packed: laid out back to back
 * with no IOVA-contiguity asked (objects may cross pages), as with
 * hugepages, instead of one per 4 KB page as --no-huge gives otherwise;
 * fine for vdevs that do no DMA.
 */
static inline struct rte_mempool *
bench_pool_create(const char *name, unsigned int n, unsigned int cache,
		  int socket, bool packed)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
	};
	struct rte_mempool *mp;

	if (!packed)
		return rte_pktmbuf_pool_create(name, n, cache, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE,
					       socket);
	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) +
				      RTE_MBUF_DEFAULT_BUF_SIZE, cache,
				      sizeof(priv), socket,
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(),
				       NULL) != 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_pktmbuf_pool_init(mp, &priv);
	if (rte_mempool_populate_default(mp) < 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

#endif /* PK_BENCH_COMMON_H */
