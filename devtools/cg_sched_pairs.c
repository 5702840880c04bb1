/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cg_sched_pairs: bench_sched's wfq loop (pull 32, push them back, 64-byte
 * packets, sb_depth() per queue) cut down for callgrind: one scheduler of
 * nq queues, a warm-up of W pairs, then P pairs in cg_measure(), the one
 * function to collect. Not built by meson (perf tools are timed; this one
 * is simulated):
 *   cc -O2 -o cg devtools/cg_sched_pairs.c -Iinclude -Ibuild/include -Lbuild -lpathkit \
 *     -Wl,-rpath,$PWD/build $(pkg-config --cflags --libs libdpdk) \
 *     -DALLOW_EXPERIMENTAL_API
 *   valgrind --tool=callgrind --cache-sim=yes --D1=49152,12,64 \
 *     --LL=1048576,8,64 --toggle-collect=cg_measure ./cg --no-huge \
 *     --no-shconf --no-pci --file-prefix=cg -m 1024 -l 0 -- 32768 1000000
 * Per pair: the totals / P.
 */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#define CG_BURST 32
#define CG_QSIZE 16

/* bench_sched's loop: pull a burst, push it back. @return pairs done. */
static __attribute__((noinline)) uint64_t
cg_loop(struct pk_stage *s, struct rte_mbuf **m, uint64_t pairs)
{
	uint64_t n = 0;
	uint16_t k;

	while (n < pairs) {
		k = pk_stage_pull(s, m, CG_BURST);
		n += k;
		if (k > 0 && pk_stage_push(s, m, k) != k)
			abort();
	}
	return n;
}

/* the measured pairs: a function of its own for --toggle-collect */
__attribute__((noinline)) uint64_t
cg_measure(struct pk_stage *s, struct rte_mbuf **m, uint64_t pairs)
{
	return cg_loop(s, m, pairs);
}

int
main(int argc, char **argv)
{
	struct pk_sched_conf c = { .policy = "wfq", .qsize = CG_QSIZE };
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct rte_mbuf *m[CG_BURST], *x;
	struct rte_mempool *mp;
	struct pk_stage *s;
	uint32_t nq, d, i, q;
	struct timespec t0, t1;
	uint64_t pairs;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0 || argc - n < 3)
		return 1;
	nq = (uint32_t)atoi(argv[n + 1]);
	pairs = strtoull(argv[n + 2], NULL, 0);
	d = RTE_MAX(2u, RTE_MIN((uint32_t)CG_QSIZE - 2, 2 * CG_BURST / nq + 2));
	mp = rte_pktmbuf_pool_create("cg", 2 * 32768 * 2 + 2048, 256, 0,
				     RTE_PKTMBUF_HEADROOM + 128, 0);
	c.max_queues = nq;
	s = pk_sched_create("cg", &c);
	if (mp == NULL || s == NULL)
		return 1;
	for (i = 0; i < nq; i++)
		if (pk_sched_queue_attach(s, &qc) != (int)i)
			return 1;
	for (i = 0; i < d; i++)
		for (q = 0; q < nq; q++) {
			x = rte_pktmbuf_alloc(mp);
			if (x == NULL || rte_pktmbuf_append(x, 64) == NULL)
				return 1;
			x->hash.sched.queue_id = q;
			if (!pk_stage_push_one(s, x))
				return 1;
		}
	cg_loop(s, m, 4 * (uint64_t)nq * d); /* every queue served 4 times */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pairs = cg_measure(s, m, pairs);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* a hint only: not for conclusions on a shared machine */
	printf("pairs %lu ns/pair %.2f\n", (unsigned long)pairs,
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) /
	       pairs);
	pk_stage_destroy(s);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
