/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_BENCH_THREAD_H
#define PK_BENCH_THREAD_H

/*
 * What bench_thread's files share (one executable; the card of
 * bench_thread.c says what each bench measures): the pool, the worker
 * lcore and the options main() sets, the constants, and each group's entry
 * point, called once by main() on the main lcore (bench_thread_runner.c,
 * bench_thread_wakeup.c, bench_thread_pipe.c, bench_thread_entry.c).
 *
 * The group files do not include bench_common.h: its --filter state is
 * static, one copy per file, and only bench_thread.c's is parsed. They
 * call tb_wanted(), tb_report() and tb_median() instead.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#define TB_ROUNDS 9
#define TB_DECISIONS (1u << 21)
#define TB_WAKEUPS 400
#define TB_PIPE_ROUNDS 15
#define TB_PIPE_MS 200
#define TB_INFLIGHT 1024
#define TB_BURST 32
#define TB_MAIN_BURST 256     /* main's side: cheap, never the bottleneck */
#define TB_HOPS (1u << 20)

/* Set by main() before any group runs. */
extern struct rte_mempool *tb_pool;
extern unsigned int tb_worker;
extern unsigned int tb_tsc_shift; /* TB_TSC_SHIFT=<s>: runners' clock */
extern unsigned int tb_hops;      /* TB_HOPS=<n>: entry bursts a round */

/* bench_common.h's bench_wanted(), bench_report(), bench_median(). */
bool tb_wanted(const char *id);
void tb_report(const char *id, double v, const char *unit, double base,
	       bool is_cost);
double tb_median(double *v, unsigned int n);

/* The groups, in the order main() runs them. */
void tb_runner(unsigned int n, uint32_t budget);
void tb_wakeup(void);
void tb_pipe(void);
void tb_entry(void);

#endif /* PK_BENCH_THREAD_H */
