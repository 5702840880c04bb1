/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_thread: threads against the raw parts they wrap.
 *
 * thread.runner.t2, .t64, .t1024: cost of one run scheduled by a runner
 *   with 2, 64, 1024 continuation threads (shares 1..4) whose start function
 *   does nothing and returns 1 with a budget of 1 (every run ends on its
 *   budget, as a saturated thread's), run in the main lcore with
 *   pk_runner_run(): TSC cycles per run, everything included (pick, call,
 *   TSC charge, heap); the runner may run a thread several times per pick.
 *   Baseline: a plain loop calling the same functions with the same
 *   arguments round robin from a table of {function, thread, argument}, as
 *   a user's bare round robin would (no fairness, no accounting, no clock).
 *   Median of 9 rounds; runs per pick go to stderr.
 * thread.runner.t2.partial, .t64.partial, .t1024.partial: the same with a
 *   budget of 256: a run that returns 1 ended under its budget, so every
 *   run is a pick of its own (the cost of one scheduling decision).
 *   With TB_TSC_SHIFT=S in the environment the runners charge by the TSC
 *   shifted right by S (pk_runner_clock_set()): for instruction counts under
 *   valgrind, whose slowdown (some 2^6) would otherwise stretch every pick
 *   past the runner's slice and stop it from batching runs as it does at
 *   full speed. Costs one indirect call per pick; not for timings.
 * thread.wakeup.p50, .p99: a thread_lcore on the worker lcore sleeps on an
 *   empty queue_ring; the main lcore pushes one packet; latency from just
 *   before the push to the start function seeing it, in microseconds, over
 *   400 wake-ups. Baseline: a raw futex wait/wake between the same lcores.
 * thread.lcore_pipe: queue -> thread_lcore -> proc_noop -> queue, the
 *   thread on the worker lcore, the main lcore recycling packets from the
 *   out queue back into the in queue (1024 in flight): Mpps through the
 *   thread. Baseline: the same transfer with raw rte_rings and a plain
 *   dequeue/enqueue loop on the worker (rte_pause() when its ring is empty,
 *   as the thread's idle spin does). 15 rounds of 0.2 s per variant; in
 *   each round the variants (raw, pk, nonblock) run back to back, in an
 *   order that goes through all their permutations, so that load drifting
 *   on a shared machine falls on each alike. value and baseline are the
 *   medians; ratio is the median of each round's pk / raw, its quartiles
 *   and range go to stderr. The two lcores must be pinned to one CPU each
 *   (EAL's -l does it; stderr says), and stderr gives, per variant, the
 *   share of the wall time each lcore's thread ran and waited on a run
 *   queue (/proc schedstat): a variant that lost its CPU shows there.
 * thread.lcore_pipe.nonblock: the same with a non-blocking thread (it never
 *   sleeps, as the raw worker), same raw baseline, same rounds.
 * thread.entry.b32: the same stages on one lcore, no cross-core effects:
 *   push 32 packets into the in queue, one pk_thread_entry_run() (pull,
 *   proc_noop, push into the out queue, until a pull gives less than a
 *   burst), pull the 32 from the out queue; TSC cycles per packet. The
 *   loop is an RCU reader itself (pk_rcu_online() before it, a quiescent
 *   state per burst, as a DPDK loop using rte_rcu_qsbr), so the entry runs
 *   only nest in it. Baseline: the same ring operations, raw (with no
 *   reclamation safety: nothing to report), the receiver's side draining
 *   the in ring as a receiver that does not know how much is queued must
 *   (and as the thread's run does): bursts until one comes short, here a
 *   second, empty dequeue. Median of 9 rounds of 1M bursts (TB_HOPS=<n>
 *   in the environment: n bursts a round, for instruction counts under
 *   valgrind). The queue_ring stages and the thread's fused run copy a
 *   burst's pointers 64 bytes a step (pk_queue_ring_enqueue_sp() and
 *   pk_queue_ring_dequeue_sc(), rte_ring's SP/SC protocol written out) where
 *   rte_ring's burst functions copy 8: stderr gives the raw loop with those
 *   copies too, the same run's third figure, so that what the framework
 *   itself costs shows apart from the copy.
 *
 * Files: this one (the card, options, main); bench_thread_runner.c,
 * bench_thread_wakeup.c, bench_thread_pipe.c, bench_thread_entry.c (one
 * group of benches each); bench_thread.h (what they share).
 */
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <pathkit/pathkit.h>

#include "bench_common.h"
#include "bench_thread.h"

struct rte_mempool *tb_pool;
unsigned int tb_worker;
unsigned int tb_tsc_shift;
unsigned int tb_hops = TB_HOPS;

bool
tb_wanted(const char *id)
{
	return bench_wanted(id);
}

void
tb_report(const char *id, double v, const char *unit, double base,
	  bool is_cost)
{
	bench_report(id, v, unit, base, is_cost);
}

double
tb_median(double *v, unsigned int n)
{
	return bench_median(v, n);
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
	if (getenv("TB_TSC_SHIFT") != NULL)
		tb_tsc_shift = (unsigned int)atoi(getenv("TB_TSC_SHIFT")) & 31;
	if (getenv("TB_HOPS") != NULL && atoi(getenv("TB_HOPS")) > 0)
		tb_hops = (unsigned int)atoi(getenv("TB_HOPS"));
	tb_worker = rte_get_next_lcore(-1, 1, 0);
	if (tb_worker >= RTE_MAX_LCORE)
		rte_exit(EXIT_FAILURE, "bench_thread needs -l 0,1\n");
	tb_pool = rte_pktmbuf_pool_create("tb_pool", 4095, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	if (tb_pool == NULL)
		rte_exit(EXIT_FAILURE, "pool: %s\n", rte_strerror(rte_errno));
	tb_runner(2, 1);
	tb_runner(64, 1);
	tb_runner(1024, 1);
	tb_runner(2, PK_THREAD_DEFAULT_BUDGET);
	tb_runner(64, PK_THREAD_DEFAULT_BUDGET);
	tb_runner(1024, PK_THREAD_DEFAULT_BUDGET);
	tb_wakeup();
	tb_pipe();
	tb_entry();
	rte_mempool_free(tb_pool);
	rte_eal_cleanup();
	return 0;
}
