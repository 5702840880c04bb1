/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_BENCH_SCALE_H
#define PK_BENCH_SCALE_H

/*
 * What bench_scale's files share (one executable; see the card of
 * bench_scale.c): the workers and options main() sets, the per-lcore
 * progress counters, and the K loop a variant hands its struct bs_variant
 * to. bench_scale.c defines all of it; bench_scale_fwd.c,
 * bench_scale_demux.c and bench_scale_arbiter.c each define a variant's
 * entry point, called once by main() on the main lcore.
 *
 * The variant files do not include bench_common.h: its --filter state is
 * static, one copy per file, and only bench_scale.c's is parsed. They ask
 * bs_wanted() instead, and bs_run() reports.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#define BS_BURST 32

/* Set by main() before any variant runs: the worker lcores, in order. */
extern unsigned int bs_workers[RTE_MAX_LCORE], bs_nb_workers;
/* Set by the K loop when a measurement ends: lcore loops return. */
extern volatile int bs_stop;

/* Progress of each lcore: written by it alone, per burst; read by main. */
struct bs_count {
	uint64_t pkts;
} __rte_cache_aligned;
extern struct bs_count bs_cnt[RTE_MAX_LCORE];

/* Add to the calling lcore's own counter (one writer: a plain sum). */
static inline void
bs_cnt_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/* A variant at K lcores: start, what it moved so far, stop. */
struct bs_variant {
	const char *name;
	int (*start)(void *ctx, unsigned int k);
	uint64_t (*count)(void *ctx);
	void (*stop)(void *ctx, unsigned int k);
	/* the main lcore's time while it runs: sleep, or work (arbiter) */
	void (*wait)(void *ctx, unsigned int ms);
	void *ctx;
};

/* A wait that sleeps ms: the main lcore only reads counters. */
void bs_sleep(void *ctx, unsigned int ms);

/* The sum of every lcore's bs_cnt. */
uint64_t bs_cnt_sum(void);

/* Say what a variant runs on: busy[0..nbusy) at its largest K. */
void bs_say_lcores(const char *what, unsigned int kmax,
		   const unsigned int *busy, unsigned int nbusy);

/* Is any of "<id>.k1" .. "<id>.k<kmax>" wanted (--filter)? */
bool bs_wanted(const char *id, unsigned int kmax);

/*
 * Run the variants pk (and raw, if not NULL) for k = 1..kmax, rounds
 * alternating; print "<id>.k<K>" lines against K x the k = 1 figure.
 */
void bs_run(const char *id, const struct bs_variant *pk, const char *raw_id,
	    const struct bs_variant *raw, unsigned int kmax);

/* The calling lcore's index in bs_workers (bs_nb_workers if none). */
unsigned int bs_worker_index(void);

/* Launch fn(ctx) on the first k workers: 0, or -1 if one would not. */
int bs_launch(lcore_function_t *fn, void *ctx, unsigned int k);

/* A stop that waits for the first k workers' loops to return. */
void bs_wait_workers(void *ctx, unsigned int k);

/* Free a pool, saying if it did not get all its mbufs back. */
void bs_pool_free(struct rte_mempool *mp);

/* The variants, each skipped if --filter wants none of its lines. */
void bs_fwd(void);      /* bench_scale_fwd.c */
void bs_demux(void);    /* bench_scale_demux.c */
void bs_arbiter(void);  /* bench_scale_arbiter.c */

#endif /* PK_BENCH_SCALE_H */
