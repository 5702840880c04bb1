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
 *   burst), pull the 32 from the out queue; TSC cycles per packet.
 *   Baseline: the same ring operations, raw, the receiver's side draining
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
 */
#define _GNU_SOURCE /* sched_getaffinity() */
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include <pathkit/pathkit.h>
#include <pathkit/pk_queue_worker.h>

#include "bench_common.h"

#define TB_ROUNDS 9
#define TB_DECISIONS (1u << 21)
#define TB_WAKEUPS 400
#define TB_PIPE_ROUNDS 15
#define TB_PIPE_MS 200
#define TB_INFLIGHT 1024
#define TB_BURST 32
#define TB_MAIN_BURST 256     /* main's side: cheap, never the bottleneck */

static struct rte_mempool *tb_pool;
static unsigned int tb_worker;

/* ---- runner ---- */

static int
tb_nothing(struct pk_thread *t, void *arg)
{
	RTE_SET_USED(t);
	RTE_SET_USED(arg);
	return 1;
}

/* A bare round robin's table: what to call, with what. */
struct tb_task {
	pk_thread_fn fn;
	struct pk_thread *t;
	void *arg;
};

static double __rte_noinline
tb_raw_calls(const struct tb_task *task, unsigned int n)
{
	uint64_t t0, i;
	unsigned int j = 0;

	t0 = rte_rdtsc();
	for (i = 0; i < TB_DECISIONS; i++) {
		task[j].fn(task[j].t, task[j].arg);
		if (++j == n)
			j = 0;
	}
	return (double)(rte_rdtsc() - t0) / TB_DECISIONS;
}

static unsigned int tb_tsc_shift;

static uint64_t
tb_slow_tsc(void *arg)
{
	RTE_SET_USED(arg);
	return rte_rdtsc() >> tb_tsc_shift;
}

static double __rte_noinline
tb_runner_runs(struct pk_runner *r)
{
	uint64_t t0 = rte_rdtsc();

	pk_runner_run(r, TB_DECISIONS);
	return (double)(rte_rdtsc() - t0) / TB_DECISIONS;
}

static void
tb_runner(unsigned int n, uint32_t budget)
{
	double pk[TB_ROUNDS], raw[TB_ROUNDS];
	struct pk_thread_conf tc = { .fn = tb_nothing, .budget = budget };
	struct pk_runner_stats rs0, rs1;
	struct pk_thread **t;
	struct tb_task *task;
	struct pk_runner *r;
	char id[48], name[32];
	unsigned int i;

	snprintf(id, sizeof(id), "thread.runner.t%u%s", n,
		 budget == 1 ? "" : ".partial");
	if (!bench_wanted(id))
		return;
	snprintf(name, sizeof(name), "tbr%u", n);
	r = pk_runner_create(name, tb_worker, SOCKET_ID_ANY);
	t = calloc(n, sizeof(*t));
	task = calloc(n, sizeof(*task));
	if (r == NULL || t == NULL || task == NULL)
		rte_exit(EXIT_FAILURE, "runner: %s\n", rte_strerror(rte_errno));
	if (tb_tsc_shift != 0)
		pk_runner_clock_set(r, tb_slow_tsc, NULL);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "tbt%u", i);
		tc.name = name;
		tc.shares = 1 + i % 4;
		t[i] = pk_thread_continuation_create(&tc, r);
		if (t[i] == NULL || pk_thread_start(t[i]) != 0)
			rte_exit(EXIT_FAILURE, "thread %u\n", i);
		task[i] = (struct tb_task){ .fn = tc.fn, .t = t[i], .arg = NULL };
	}
	pk_runner_run(r, TB_DECISIONS); /* warm up */
	pk_runner_stats_get(r, &rs0);
	for (i = 0; i < TB_ROUNDS; i++) {
		raw[i] = tb_raw_calls(task, n);
		pk[i] = tb_runner_runs(r);
	}
	pk_runner_stats_get(r, &rs1);
	fprintf(stderr, "%s: %.2f runs per pick\n", id,
		(double)(rs1.decisions - rs0.decisions) /
			(double)(rs1.picks - rs0.picks));
	bench_report(id, bench_median(pk, TB_ROUNDS), "cycles/run",
		     bench_median(raw, TB_ROUNDS), true);
	pk_runner_destroy(r);
	for (i = 0; i < n; i++)
		pk_thread_destroy(t[i]);
	free(task);
	free(t);
}

/* ---- wake-up latency ---- */

static volatile uint64_t tb_push_tsc;
static volatile uint64_t tb_seen_tsc;
static volatile unsigned int tb_seen;

static int
tb_wake_run(struct pk_thread *t, void *arg)
{
	struct rte_mbuf *m[4];
	uint16_t n;

	RTE_SET_USED(arg);
	n = pk_stage_pull(pk_thread_stage(t)->prev, m, 4);
	if (n == 0)
		return 0;
	tb_seen_tsc = rte_rdtsc();
	rte_pktmbuf_free_bulk(m, n);
	__atomic_fetch_add(&tb_seen, n, __ATOMIC_RELEASE);
	return n;
}

static uint64_t
tb_sleeps(struct pk_thread *t)
{
	struct pk_thread_stats st;

	pk_thread_stats_get(t, &st);
	return st.sleeps;
}

static double
tb_us(uint64_t cycles)
{
	return (double)cycles * 1e6 / (double)rte_get_tsc_hz();
}

static void
tb_percentiles(double *v, unsigned int n, double *p50, double *p99)
{
	bench_median(v, n); /* sorts */
	*p50 = v[n / 2];
	*p99 = v[(n * 99) / 100];
}

static void
tb_wakeup_pk(double *lat)
{
	struct pk_thread_conf tc = { .name = "tbw", .fn = tb_wake_run };
	struct pk_stage *q;
	struct pk_thread *t;
	struct rte_mbuf *m;
	unsigned int i;
	uint64_t s;

	q = pk_queue_ring_create("tbwq", 64, 0, 0, SOCKET_ID_ANY);
	t = pk_thread_lcore_create(&tc, tb_worker);
	if (q == NULL || t == NULL ||
	    pk_stage_link(q, pk_thread_stage(t)) != 0 || pk_thread_start(t))
		rte_exit(EXIT_FAILURE, "wakeup setup\n");
	tb_seen = 0;
	for (i = 0; i < TB_WAKEUPS; i++) {
		s = tb_sleeps(t);
		while (tb_sleeps(t) == s)
			rte_pause();
		usleep(200); /* past the sleep count: inside the futex */
		m = rte_pktmbuf_alloc(tb_pool);
		tb_push_tsc = rte_rdtsc();
		if (m == NULL || !pk_stage_push_one(q, m))
			rte_exit(EXIT_FAILURE, "wakeup push\n");
		while (__atomic_load_n(&tb_seen, __ATOMIC_ACQUIRE) <= i)
			rte_pause();
		lat[i] = tb_us(tb_seen_tsc - tb_push_tsc);
	}
	pk_thread_destroy(t);
	pk_stage_destroy(q);
}

static uint32_t tb_futex_word;
static volatile int tb_futex_stop;

static int
tb_futex_waiter(void *arg)
{
	uint32_t seen = 0;

	RTE_SET_USED(arg);
	while (!tb_futex_stop) {
		__atomic_store_n(&tb_seen, seen, __ATOMIC_RELEASE);
		syscall(SYS_futex, &tb_futex_word, FUTEX_WAIT_PRIVATE, seen,
			NULL, NULL, 0);
		tb_seen_tsc = rte_rdtsc();
		seen = __atomic_load_n(&tb_futex_word, __ATOMIC_ACQUIRE);
	}
	return 0;
}

static void
tb_wakeup_raw(double *lat)
{
	unsigned int i;

	tb_futex_word = 0;
	tb_futex_stop = 0;
	tb_seen = UINT_MAX;
	rte_eal_remote_launch(tb_futex_waiter, NULL, tb_worker);
	for (i = 0; i < TB_WAKEUPS; i++) {
		while (__atomic_load_n(&tb_seen, __ATOMIC_ACQUIRE) != i)
			rte_pause();
		usleep(200);
		tb_push_tsc = rte_rdtsc();
		__atomic_store_n(&tb_futex_word, i + 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &tb_futex_word, FUTEX_WAKE_PRIVATE, INT_MAX,
			NULL, NULL, 0);
		while (__atomic_load_n(&tb_seen, __ATOMIC_ACQUIRE) != i + 1)
			rte_pause();
		lat[i] = tb_us(tb_seen_tsc - tb_push_tsc);
	}
	tb_futex_stop = 1;
	__atomic_store_n(&tb_futex_word, UINT32_MAX, __ATOMIC_RELEASE);
	syscall(SYS_futex, &tb_futex_word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL,
		NULL, 0);
	rte_eal_wait_lcore(tb_worker);
}

static void
tb_wakeup(void)
{
	static double pk[TB_WAKEUPS], raw[TB_WAKEUPS];
	double pk50, pk99, raw50, raw99;

	if (!bench_wanted("thread.wakeup.p50") &&
	    !bench_wanted("thread.wakeup.p99"))
		return;
	tb_wakeup_raw(raw);
	tb_wakeup_pk(pk);
	tb_percentiles(pk, TB_WAKEUPS, &pk50, &pk99);
	tb_percentiles(raw, TB_WAKEUPS, &raw50, &raw99);
	if (bench_wanted("thread.wakeup.p50"))
		bench_report("thread.wakeup.p50", pk50, "us", raw50, true);
	if (bench_wanted("thread.wakeup.p99"))
		bench_report("thread.wakeup.p99", pk99, "us", raw99, true);
}

/* ---- lcore pipe ---- */

/* Static and aligned: on the main lcore's stack it would share lines with
 * the main loop's locals and bounce between the cores. */
struct tb_raw_pipe {
	struct rte_ring *in;
	struct rte_ring *out;
	volatile int stop;
} __rte_cache_aligned;

static struct tb_raw_pipe tb_raw;

static int
tb_raw_worker(void *arg)
{
	struct tb_raw_pipe *p = arg;
	struct rte_ring *in = p->in, *out = p->out;
	void *m[TB_BURST];
	unsigned int n, k;

	while (!p->stop) {
		n = rte_ring_sc_dequeue_burst(in, m, TB_BURST, NULL);
		if (n == 0) {
			rte_pause(); /* as the thread does when idle */
			continue;
		}
		k = rte_ring_sp_enqueue_burst(out, m, n, NULL);
		if (unlikely(k != n))
			rte_pktmbuf_free_bulk((struct rte_mbuf **)&m[k], n - k);
	}
	return 0;
}

/* Main lcore: out -> in for ms milliseconds; returns packets moved. */
static uint64_t
tb_recycle_raw(struct rte_ring *in, struct rte_ring *out, unsigned int ms)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 1000 * ms, moved = 0;
	void *m[TB_MAIN_BURST];
	unsigned int n;

	while (rte_rdtsc() < end) {
		n = rte_ring_sc_dequeue_burst(out, m, TB_MAIN_BURST, NULL);
		if (n == 0) {
			rte_pause(); /* polling harder only slows the worker */
			continue;
		}
		rte_ring_sp_enqueue_burst(in, m, n, NULL); /* room for all */
		moved += n;
	}
	return moved;
}

static uint64_t
tb_recycle_pk(struct pk_stage *in, struct pk_stage *out, unsigned int ms)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 1000 * ms, moved = 0;
	struct rte_mbuf *m[TB_MAIN_BURST];
	uint16_t n, k;

	while (rte_rdtsc() < end) {
		n = pk_stage_pull(out, m, TB_MAIN_BURST);
		if (n == 0) {
			rte_pause();
			continue;
		}
		k = pk_stage_push(in, m, n);
		if (unlikely(k != n))
			rte_pktmbuf_free_bulk(&m[k], n - k);
		moved += n;
	}
	return moved;
}

static void
tb_seed(void **objs)
{
	if (rte_pktmbuf_alloc_bulk(tb_pool, (struct rte_mbuf **)objs,
				   TB_INFLIGHT) != 0)
		rte_exit(EXIT_FAILURE, "pipe: no mbufs\n");
}

static double
tb_pipe_raw(void)
{
	struct tb_raw_pipe *p = &tb_raw;
	void *objs[TB_INFLIGHT];
	uint64_t moved;

	p->stop = 0;
	p->in = rte_ring_create("tbp_in", 2048, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	p->out = rte_ring_create("tbp_out", 2048, SOCKET_ID_ANY,
				 RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (p->in == NULL || p->out == NULL)
		rte_exit(EXIT_FAILURE, "pipe rings\n");
	tb_seed(objs);
	rte_ring_sp_enqueue_bulk(p->in, objs, TB_INFLIGHT, NULL);
	rte_eal_remote_launch(tb_raw_worker, p, tb_worker);
	moved = tb_recycle_raw(p->in, p->out, TB_PIPE_MS);
	p->stop = 1;
	rte_eal_wait_lcore(tb_worker);
	while (rte_ring_sc_dequeue(p->in, objs) == 0)
		rte_pktmbuf_free(objs[0]);
	while (rte_ring_sc_dequeue(p->out, objs) == 0)
		rte_pktmbuf_free(objs[0]);
	rte_ring_free(p->in);
	rte_ring_free(p->out);
	fprintf(stderr, "thread.lcore_pipe: raw %" PRIu64 " packets\n", moved);
	return (double)moved / (TB_PIPE_MS * 1000.0);
}

static double
tb_pipe_pk(uint32_t flags)
{
	struct pk_path_conf pc = {
		.name = "tbpipe", .socket_id = SOCKET_ID_ANY,
	};
	struct pk_thread_conf tc = {
		.name = "tbpt", .burst = TB_BURST, .flags = flags,
	};
	struct rte_mbuf *objs[TB_INFLIGHT];
	struct pk_thread_stats ts;
	struct pk_stage *st[4];
	struct pk_thread *t;
	struct pk_path *p;
	uint64_t moved;

	st[0] = pk_queue_ring_create("tbpin", 2048, 0, 0, SOCKET_ID_ANY);
	t = pk_thread_lcore_create(&tc, tb_worker);
	st[1] = pk_thread_stage(t);
	st[2] = pk_stage_create("proc_noop", "tbpn", NULL, SOCKET_ID_ANY);
	st[3] = pk_queue_ring_create("tbpout", 2048, 0, 0, SOCKET_ID_ANY);
	p = pk_path_create(&pc, st, 4);
	if (p == NULL)
		rte_exit(EXIT_FAILURE, "pipe path\n");
	tb_seed((void **)objs);
	if (pk_stage_push(pk_path_stage(p), objs, TB_INFLIGHT) != TB_INFLIGHT)
		rte_exit(EXIT_FAILURE, "pipe seed\n");
	if (pk_thread_start(t) != 0)
		rte_exit(EXIT_FAILURE, "pipe thread\n");
	/* the ends themselves: the path's own byte count is not the thread's */
	moved = tb_recycle_pk(st[0], st[3], TB_PIPE_MS);
	pk_thread_stop(t);
	pk_thread_stats_get(t, &ts);
	fprintf(stderr, "thread.lcore_pipe: %" PRIu64 " runs, %" PRIu64
		" idle, %" PRIu64 " sleeps, %" PRIu64 " packets\n", ts.runs,
		ts.idle_runs, ts.sleeps, ts.pkts);
	pk_path_destroy(p);
	return (double)moved / (TB_PIPE_MS * 1000.0);
}

/* What the pipe's two lcores are: their thread ids, their CPUs. */
struct tb_lcore_info {
	pid_t tid;
	int cpu;            /* its only CPU, or -1 if not pinned to one */
};

static struct tb_lcore_info tb_main_info, tb_worker_info;

static void
tb_lcore_info_get(struct tb_lcore_info *li)
{
	cpu_set_t set;
	int c;

	li->tid = (pid_t)syscall(SYS_gettid);
	li->cpu = -1;
	if (sched_getaffinity(0, sizeof(set), &set) != 0 ||
	    CPU_COUNT(&set) != 1)
		return;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			li->cpu = c;
}

static int
tb_lcore_info_remote(void *arg)
{
	tb_lcore_info_get(arg);
	return 0;
}

/* Nanoseconds a thread ran and waited to run (/proc/.../schedstat). */
struct tb_cpu {
	uint64_t run_ns;
	uint64_t wait_ns;
	uint64_t wall_ns;
};

static void
tb_cpu_read(pid_t tid, struct tb_cpu *c)
{
	unsigned long long run = 0, wait = 0;
	struct timespec ts;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%llu %llu", &run, &wait) != 2)
			run = wait = 0;
		fclose(f);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->run_ns = run;
	c->wait_ns = wait;
	c->wall_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Per variant: what the main and the worker lcore's threads got. */
struct tb_pipe_cpu {
	uint64_t run_ns[2];
	uint64_t wait_ns[2];
	uint64_t wall_ns;
};

/* One round of one variant (0 raw, 1 pk, 2 pk non-blocking): Mpps. */
static double
tb_pipe_variant(unsigned int v, struct tb_pipe_cpu *cpu)
{
	struct tb_cpu m0, w0, m1, w1;
	double mpps;

	tb_cpu_read(tb_main_info.tid, &m0);
	tb_cpu_read(tb_worker_info.tid, &w0);
	mpps = v == 0 ? tb_pipe_raw() :
			tb_pipe_pk(v == 2 ? PK_THREAD_F_NONBLOCK : 0);
	tb_cpu_read(tb_main_info.tid, &m1);
	tb_cpu_read(tb_worker_info.tid, &w1);
	cpu->run_ns[0] += m1.run_ns - m0.run_ns;
	cpu->run_ns[1] += w1.run_ns - w0.run_ns;
	cpu->wait_ns[0] += m1.wait_ns - m0.wait_ns;
	cpu->wait_ns[1] += w1.wait_ns - w0.wait_ns;
	cpu->wall_ns += m1.wall_ns - m0.wall_ns;
	return mpps;
}

/* The bench line (ratio: the median of the rounds' ratios), its spread. */
static void
tb_report_paired(const char *id, double *v, double *base, unsigned int n,
		 const char *unit)
{
	double r[TB_PIPE_ROUNDS], med_r;
	unsigned int i;

	for (i = 0; i < n; i++)
		r[i] = base[i] > 0 ? v[i] / base[i] : 0;
	med_r = bench_median(r, n); /* sorts r */
	printf("bench: %s value=%.3f unit=%s baseline=%.3f ratio=%.3f\n", id,
	       bench_median(v, n), unit, bench_median(base, n), med_r);
	fflush(stdout);
	fprintf(stderr, "%s: ratio per round: median %.3f, quartiles "
		"%.3f-%.3f, range %.3f-%.3f over %u rounds\n", id, med_r,
		r[n / 4], r[(3 * n) / 4], r[0], r[n - 1], n);
}

static void
tb_pipe(void)
{
	/* every order of the three variants, in turn */
	static const uint8_t order[6][3] = {
		{ 0, 1, 2 }, { 2, 1, 0 }, { 1, 0, 2 },
		{ 2, 0, 1 }, { 0, 2, 1 }, { 1, 2, 0 },
	};
	static const char *const vname[3] = { "raw", "pk", "nonblock" };
	double mpps[3][TB_PIPE_ROUNDS];
	struct tb_pipe_cpu cpu[3];
	bool want_nb = bench_wanted("thread.lcore_pipe.nonblock");
	unsigned int i, j, v;

	if (!bench_wanted("thread.lcore_pipe") && !want_nb)
		return;
	memset(cpu, 0, sizeof(cpu));
	tb_lcore_info_get(&tb_main_info);
	rte_eal_remote_launch(tb_lcore_info_remote, &tb_worker_info, tb_worker);
	rte_eal_wait_lcore(tb_worker);
	fprintf(stderr, "thread.lcore_pipe: main lcore on cpu %d, worker lcore "
		"%u on cpu %d%s\n", tb_main_info.cpu, tb_worker,
		tb_worker_info.cpu,
		tb_main_info.cpu < 0 || tb_worker_info.cpu < 0 ||
		tb_main_info.cpu == tb_worker_info.cpu ?
		" (NOT pinned to one CPU each: expect a wider spread)" : "");
	for (i = 0; i < TB_PIPE_ROUNDS; i++) {
		for (j = 0; j < 3; j++) {
			v = order[i % 6][j];
			mpps[v][i] = v == 2 && !want_nb ? 0 :
				     tb_pipe_variant(v, &cpu[v]);
		}
		fprintf(stderr, "thread.lcore_pipe round %u: pk %.2f nonblock "
			"%.2f raw %.2f Mpps\n", i, mpps[1][i], mpps[2][i],
			mpps[0][i]);
	}
	for (v = 0; v < 3; v++) {
		double wall = (double)RTE_MAX(cpu[v].wall_ns, 1u);

		if (v == 2 && !want_nb)
			continue;
		fprintf(stderr, "thread.lcore_pipe %s: main ran %.0f%% waited "
			"%.0f%%, worker ran %.0f%% waited %.0f%% of the wall "
			"time\n", vname[v], 100.0 * cpu[v].run_ns[0] / wall,
			100.0 * cpu[v].wait_ns[0] / wall,
			100.0 * cpu[v].run_ns[1] / wall,
			100.0 * cpu[v].wait_ns[1] / wall);
	}
	if (bench_wanted("thread.lcore_pipe"))
		tb_report_paired("thread.lcore_pipe", mpps[1], mpps[0],
				 TB_PIPE_ROUNDS, "Mpps");
	if (want_nb)
		tb_report_paired("thread.lcore_pipe.nonblock", mpps[2],
				 mpps[0], TB_PIPE_ROUNDS, "Mpps");
}

/* ---- one-lcore hop through an entry thread ---- */

#define TB_HOPS (1u << 20)

/* Bursts per round (TB_HOPS=<n> in the environment: fewer under valgrind). */
static unsigned int tb_hops = TB_HOPS;

static double __rte_noinline
tb_entry_raw(struct rte_ring *in, struct rte_ring *out, struct rte_mbuf **m)
{
	uint64_t t0 = rte_rdtsc();
	unsigned int i, n, got;

	for (i = 0; i < tb_hops; i++) {
		rte_ring_sp_enqueue_burst(in, (void **)m, TB_BURST, NULL);
		/* the receiver: bursts until a short one, within its budget */
		got = 0;
		do {
			n = rte_ring_sc_dequeue_burst(in, (void **)m, TB_BURST,
						      NULL);
			if (n == 0)
				break;
			rte_ring_sp_enqueue_burst(out, (void **)m, n, NULL);
			got += n;
		} while (n == TB_BURST && got < PK_THREAD_DEFAULT_BUDGET);
		rte_ring_sc_dequeue_burst(out, (void **)m, TB_BURST, NULL);
	}
	return (double)(rte_rdtsc() - t0) / ((double)tb_hops * TB_BURST);
}

/* tb_entry_raw with PathKit's copies: the framework's cost apart. */
static double __rte_noinline
tb_entry_raw_copy(struct rte_ring *in, struct rte_ring *out,
		  struct rte_mbuf **m)
{
	uint64_t t0 = rte_rdtsc();
	unsigned int i, n, got;

	for (i = 0; i < tb_hops; i++) {
		pk_queue_ring_enqueue_sp(in, m, TB_BURST);
		got = 0;
		do {
			n = pk_queue_ring_dequeue_sc(in, m, TB_BURST);
			if (n == 0)
				break;
			pk_queue_ring_enqueue_sp(out, m, n);
			got += n;
		} while (n == TB_BURST && got < PK_THREAD_DEFAULT_BUDGET);
		pk_queue_ring_dequeue_sc(out, m, TB_BURST);
	}
	return (double)(rte_rdtsc() - t0) / ((double)tb_hops * TB_BURST);
}

static double __rte_noinline
tb_entry_pk(struct pk_stage *in, struct pk_thread *t, struct pk_stage *out,
	    struct rte_mbuf **m)
{
	uint64_t t0 = rte_rdtsc();
	unsigned int i;

	for (i = 0; i < tb_hops; i++) {
		pk_stage_push(in, m, TB_BURST);
		pk_thread_entry_run(t);
		pk_stage_pull(out, m, TB_BURST);
	}
	return (double)(rte_rdtsc() - t0) / ((double)tb_hops * TB_BURST);
}

static void
tb_entry(void)
{
	struct pk_path_conf pc = { .name = "tbe", .socket_id = SOCKET_ID_ANY };
	struct pk_thread_conf tc = { .name = "tbet", .burst = TB_BURST };
	double pk[TB_ROUNDS], raw[TB_ROUNDS], raw_copy[TB_ROUNDS];
	struct rte_ring *rin, *rout;
	struct rte_mbuf *m[TB_BURST];
	struct pk_stage *st[4];
	struct pk_path *p;
	unsigned int i;

	if (!bench_wanted("thread.entry.b32"))
		return;
	rin = rte_ring_create("tbe_in", 1024, SOCKET_ID_ANY,
			      RING_F_SP_ENQ | RING_F_SC_DEQ);
	rout = rte_ring_create("tbe_out", 1024, SOCKET_ID_ANY,
			       RING_F_SP_ENQ | RING_F_SC_DEQ);
	st[0] = pk_queue_ring_create("tbein", 1024, 0, 0, SOCKET_ID_ANY);
	st[1] = pk_thread_stage(pk_thread_entry_create(&tc));
	st[2] = pk_stage_create("proc_noop", "tben", NULL, SOCKET_ID_ANY);
	st[3] = pk_queue_ring_create("tbeout", 1024, 0, 0, SOCKET_ID_ANY);
	p = pk_path_create(&pc, st, 4);
	if (rin == NULL || rout == NULL || p == NULL ||
	    pk_thread_start(pk_thread_from_stage(st[1])) != 0 ||
	    rte_pktmbuf_alloc_bulk(tb_pool, m, TB_BURST) != 0)
		rte_exit(EXIT_FAILURE, "entry setup\n");
	for (i = 0; i < TB_ROUNDS; i++) {
		raw[i] = tb_entry_raw(rin, rout, m);
		pk[i] = tb_entry_pk(st[0], pk_thread_from_stage(st[1]), st[3],
				    m);
		raw_copy[i] = tb_entry_raw_copy(rin, rout, m);
	}
	fprintf(stderr, "thread.entry.b32: raw with PathKit's 64-byte copies "
		"%.3f cycles/pkt\n", bench_median(raw_copy, TB_ROUNDS));
	bench_report("thread.entry.b32", bench_median(pk, TB_ROUNDS),
		     "cycles/pkt", bench_median(raw, TB_ROUNDS), true);
	rte_pktmbuf_free_bulk(m, TB_BURST);
	pk_path_destroy(p);
	rte_ring_free(rin);
	rte_ring_free(rout);
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
