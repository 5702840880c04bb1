/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_thread: thread.runner.* (see the card of bench_thread.c): a runner
 * of continuation threads against a bare round robin of the same calls.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "bench_thread.h"

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

void
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
	if (!tb_wanted(id))
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
	tb_report(id, tb_median(pk, TB_ROUNDS), "cycles/run",
		     tb_median(raw, TB_ROUNDS), true);
	pk_runner_destroy(r);
	for (i = 0; i < n; i++)
		pk_thread_destroy(t[i]);
	free(task);
	free(t);
}
