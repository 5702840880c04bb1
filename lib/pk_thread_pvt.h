/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_THREAD_PVT_H
#define PK_THREAD_PVT_H

/*
 * Thread internals shared by lib/thread.c, lib/runner.c and the thread kinds
 * in drivers/thread/; not installed.
 */

#include <sys/queue.h>

#include <rte_cycles.h>

#include <pathkit/pk_stage_driver.h>
#include <pathkit/pk_thread.h>

/* What a thread kind does on start and stop (control thread). */
struct pk_thread_kind_ops {
	int (*start)(struct pk_thread *t);
	/* ask to stop, wake it if it sleeps, wait until it has stopped */
	void (*stop)(struct pk_thread *t);
	/* undo the kind's create-time attachments (may be NULL) */
	void (*detach)(struct pk_thread *t);
};

/* Counters written by the thread's own context only. */
struct pk_thread_counters {
	uint64_t runs;
	uint64_t idle_runs;
	uint64_t pkts;
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint64_t sleeps;
	uint64_t wakeups;
} __rte_cache_aligned;

struct pk_thread {
	struct pk_stage stage;          /* must be first */
	/* fast path: read by every run */
	pk_thread_fn fn;
	void *arg;
	uint32_t budget;
	uint16_t burst;
	uint16_t tflags;                /* enum pk_thread_flag */
	uint32_t stop_req;              /* atomic: stop asked */
	uint32_t shares;                /* atomic: changed by control */
	uint32_t stride;                /* atomic: PK_RUNNER_STRIDE1 / shares */
	/* runner state: written by the runner's context only */
	struct pk_runner *runner;
	uint64_t run_avg;               /* runner: average charged busy run */
	uint32_t on_runner;             /* atomic: in the runner's heap */
	/* control */
	const struct pk_thread_kind_ops *kops;
	uint32_t state;                 /* atomic: enum pk_thread_state */
	uint32_t entry_busy;            /* atomic: an entry run in progress */
	unsigned int lcore_id;
	bool started;                   /* in the started list (control) */
	struct pk_stage *src;           /* where pulls end up (at start) */
	struct pk_stage *sink;          /* where pushes end up (at start) */
	TAILQ_ENTRY(pk_thread) started_next;
	TAILQ_ENTRY(pk_thread) runner_next;
	struct pk_thread_counters st;
};

/* Allocate a thread stage of a kind from conf (defaults filled in). */
struct pk_thread *pk_thread_alloc(const struct pk_thread_conf *conf,
				  const struct pk_stage_ops *ops,
				  const struct pk_thread_kind_ops *kops);

/* Parse the arguments every kind takes: burst, budget, nonblock, shares. */
int pk_thread_args(const struct rte_kvargs *kv, struct pk_thread_conf *c);

/* The destroy every thread kind's stage ops use (marks a stage a thread). */
void pk_thread_stage_destroy(struct pk_stage *s);

/* Stride of one share: a thread's pass grows by cycles * this / shares. */
#define PK_RUNNER_STRIDE1 (1u << 20)

/* Stage caps of every thread kind. */
#define PK_THREAD_CAPS (PK_STAGE_CAP_FWD_PULL | PK_STAGE_CAP_FWD_PUSH)

/* Charge one run to the thread's statistics (its own context). */
static inline void
pk_thread_charge(struct pk_thread *t, int n, uint64_t cycles)
{
	pk_counter_add(&t->st.runs, 1);
	if (n > 0) {
		pk_counter_add(&t->st.pkts, (uint64_t)n);
		pk_counter_add(&t->st.busy_cycles, cycles);
	} else {
		pk_counter_add(&t->st.idle_runs, 1);
		pk_counter_add(&t->st.idle_cycles, cycles);
	}
}

/* One run of the start function, timed and charged (lcore and entry). */
static inline int
pk_thread_run_once(struct pk_thread *t)
{
	uint64_t t0 = rte_rdtsc();
	int n = t->fn(t, t->arg);

	pk_thread_charge(t, n, rte_rdtsc() - t0);
	return n;
}

static inline bool
pk_thread_stop_asked(const struct pk_thread *t)
{
	return __atomic_load_n(&t->stop_req, __ATOMIC_ACQUIRE) != 0;
}

/* Runner side of continuation threads (lib/runner.c). */
int pk_runner_attach(struct pk_runner *r, struct pk_thread *t);
void pk_runner_detach(struct pk_runner *r, struct pk_thread *t);
int pk_runner_add(struct pk_runner *r, struct pk_thread *t);
void pk_runner_remove(struct pk_runner *r, struct pk_thread *t);
bool pk_runner_same(const struct pk_thread *a, const struct pk_thread *b);

#endif /* PK_THREAD_PVT_H */
