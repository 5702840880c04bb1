/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_thread: thread.lcore_pipe, .nonblock (see the card of
 * bench_thread.c): queue -> thread_lcore -> proc_noop -> queue across two
 * lcores against the same transfer with raw rte_rings.
 */
#define _GNU_SOURCE /* sched_getaffinity() */
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include <pathkit/pathkit.h>

#include "bench_thread.h"

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
	med_r = tb_median(r, n); /* sorts r */
	printf("bench: %s value=%.3f unit=%s baseline=%.3f ratio=%.3f\n", id,
	       tb_median(v, n), unit, tb_median(base, n), med_r);
	fflush(stdout);
	fprintf(stderr, "%s: ratio per round: median %.3f, quartiles "
		"%.3f-%.3f, range %.3f-%.3f over %u rounds\n", id, med_r,
		r[n / 4], r[(3 * n) / 4], r[0], r[n - 1], n);
}

void
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
	bool want_nb = tb_wanted("thread.lcore_pipe.nonblock");
	unsigned int i, j, v;

	if (!tb_wanted("thread.lcore_pipe") && !want_nb)
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
	if (tb_wanted("thread.lcore_pipe"))
		tb_report_paired("thread.lcore_pipe", mpps[1], mpps[0],
				 TB_PIPE_ROUNDS, "Mpps");
	if (want_nb)
		tb_report_paired("thread.lcore_pipe.nonblock", mpps[2],
				 mpps[0], TB_PIPE_ROUNDS, "Mpps");
}
