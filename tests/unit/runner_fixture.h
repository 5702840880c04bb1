/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RUNNER_FIXTURE_H
#define PK_RUNNER_FIXTURE_H

/*
 * What the runner tests share (test_runner.c, test_runner_caller.c): the
 * pool, the worker lcore, a fake clock that work can advance, always-busy
 * loops (queue -> thread -> work -> same queue) built and destroyed, their
 * runs and charged cycles, the runner's threads and yields, a hang guard,
 * and the split of charged cycles checked against the shares. Include
 * after pk_test.h.
 */

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include <pathkit/pathkit.h>

#define NB_LOOPS 3
#define LOOP_PKTS 128

static struct rte_mempool *pool;
static unsigned int worker;
static uint64_t fake_now;       /* the fake clock, when a runner uses it */
static bool fake;               /* work advances it instead of spinning */

static inline uint64_t
fake_clock(void *arg)
{
	RTE_SET_USED(arg);
	return fake_now;
}

/* One always-busy continuation: q -> t -> w -> q. */
struct loop {
	struct pk_stage *q;
	struct pk_stage *w;
	struct pk_thread *t;
	uint64_t work;          /* TSC cycles per packet */
};

/* Work per packet as TSC time, so preemption does not change how much. */
static inline uint16_t
work_burst(struct pk_stage *s, struct pk_stage_counters *c,
	   struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	const struct loop *l = arg;
	uint64_t end = rte_rdtsc() + l->work * n;

	RTE_SET_USED(s);
	RTE_SET_USED(c);
	RTE_SET_USED(pkts);
	if (fake) {
		fake_now += l->work * n;
		return n;
	}
	while (rte_rdtsc() < end)
		rte_pause();
	return n;
}

static inline uint64_t
runs_of(const struct loop *l)
{
	struct pk_thread_stats st;

	pk_thread_stats_get(l->t, &st);
	return st.runs;
}

static inline unsigned int
nb_threads(const struct pk_runner *r)
{
	struct pk_runner_stats rs;

	pk_runner_stats_get(r, &rs);
	return rs.nb_threads;
}

static inline uint64_t
yields(const struct pk_runner *r)
{
	struct pk_runner_stats rs;

	pk_runner_stats_get(r, &rs);
	return rs.yields;
}

static inline void
loop_build(struct loop *l, unsigned int i, struct pk_runner *r,
	   uint32_t shares, uint64_t work)
{
	struct pk_thread_conf tc = {
		.shares = shares, .burst = 16, .budget = 32,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_mbuf *m[LOOP_PKTS];
	char name[32];

	l->work = work;
	snprintf(name, sizeof(name), "lq%u", i);
	l->q = pk_queue_ring_create(name, 256, 0, 0, SOCKET_ID_ANY);
	assert_non_null(l->q);
	snprintf(name, sizeof(name), "lw%u", i);
	l->w = pk_proc_create(name, work_burst, l, 0, SOCKET_ID_ANY);
	assert_non_null(l->w);
	snprintf(name, sizeof(name), "lt%u", i);
	tc.name = name;
	l->t = pk_thread_continuation_create(&tc, r);
	assert_non_null(l->t);
	assert_int_equal(pk_stage_link(l->q, pk_thread_stage(l->t)), 0);
	assert_int_equal(pk_stage_link(pk_thread_stage(l->t), l->w), 0);
	assert_int_equal(pk_stage_link(l->w, l->q), 0);
	pk_test_burst(pool, m, LOOP_PKTS, 0);
	assert_int_equal(pk_stage_push(l->q, m, LOOP_PKTS), LOOP_PKTS);
}

static inline void
loop_destroy(struct loop *l)
{
	pk_thread_destroy(l->t);
	pk_stage_destroy(l->w);
	pk_stage_destroy(l->q);     /* frees the circulating packets */
}

static inline void
charged(struct loop *l, unsigned int n, uint64_t *c)
{
	struct pk_thread_stats st;
	unsigned int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(pk_thread_stats_get(l[i].t, &st), 0);
		c[i] = st.busy_cycles;
	}
}

/* Split of charged cycles over ms milliseconds, vs the shares given. */
static inline void
assert_split(struct loop *l, const uint32_t *shares, unsigned int ms)
{
	uint64_t a[NB_LOOPS], b[NB_LOOPS], total = 0, sum_sh = 0;
	unsigned int i;

	charged(l, NB_LOOPS, a);
	usleep(ms * 1000);
	charged(l, NB_LOOPS, b);
	for (i = 0; i < NB_LOOPS; i++) {
		total += b[i] - a[i];
		sum_sh += shares[i];
	}
	assert_true(total > 0);
	for (i = 0; i < NB_LOOPS; i++) {
		double want = (double)shares[i] / sum_sh;
		double got = (double)(b[i] - a[i]) / total;

		printf("  thread %u shares %u: %.4f of cycles (want %.4f)\n",
		       i, shares[i], got, want);
		assert_true(fabs(got - want) <= 0.05 * want);
	}
}

#endif /* PK_RUNNER_FIXTURE_H */
