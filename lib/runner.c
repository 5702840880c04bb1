/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runner: proportional-share scheduling of continuation threads on one lcore.
 *
 * Stride scheduling charged by cycles: each thread has a pass (virtual time);
 * the runner always runs the thread with the lowest pass (a binary min-heap),
 * then advances its pass by the TSC cycles the run used times
 * PK_THREAD_STRIDE1 / shares. A thread that does expensive work per packet
 * thus gets fewer packets, not more CPU. Shares are read at each charge, so
 * changing them takes effect at once.
 *
 * Two corrections keep it fair on a shared machine: a run that found no work
 * is charged at least 10 us (an idle thread must not poll away the share busy
 * threads could use), and a run is charged at most 4 times the thread's
 * average run (at least 10 us, at most 1 ms): a run that much longer than
 * usual was most likely preempted by the OS. Capping by the thread's own
 * average keeps what preemption adds in proportion to each thread's cost, so
 * the split of packets still follows the work per packet.
 *
 * Threads are added and removed while the runner runs through a command ring
 * the control thread fills and the runner drains; a removal is acknowledged
 * by clearing the thread's on_runner flag.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_string_fns.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_thread_driver.h>

#include "registry_pvt.h"

#define RUNNER_CMDS 8192            /* > 2 * PK_RUNNER_MAX_THREADS */
#define RUNNER_CMD_REMOVE 1ul       /* low bit of a command pointer */
#define RUNNER_PAUSES 64            /* idle rounds backed off with pause */
#define RUNNER_PAUSE_BURST 32       /* rte_pause() calls per back-off */

struct pk_runner_counters {
	uint64_t decisions;
	uint64_t idle_rounds;
	uint64_t pauses;
	uint64_t yields;
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint32_t nb_threads;
} __rte_cache_aligned;

/* A heap slot keeps the pass next to the pointer: sifting reads no thread. */
struct runner_slot {
	uint64_t pass;               /* stride scheduling virtual time */
	struct pk_thread *t;
};

struct pk_runner {
	/* scheduler: the running context only */
	struct runner_slot *heap;
	unsigned int nb;
	unsigned int idle_streak;    /* consecutive runs that found nothing */
	unsigned int backoff;        /* consecutive idle rounds */
	uint64_t vtime;              /* pass of the last run */
	uint64_t idle_charge;        /* cycles */
	uint64_t max_charge;         /* cycles */
	pk_runner_clock_t clock;     /* NULL: the TSC */
	void *clock_arg;
	uint32_t cmd_pending;        /* atomic: control posted commands */
	uint32_t stop_req;           /* atomic */
	/* control */
	struct rte_ring *cmds;
	unsigned int lcore_id;
	bool launched;
	unsigned int nb_attached;
	TAILQ_HEAD(, pk_thread) attached;
	struct pk_registry_node reg;  /* on runners, by name */
	char name[PK_STAGE_NAMESIZE];
	struct pk_runner_counters st;
};

/* Runners by name, for pk_runner_find() (thread_continuation's runner=). */
static struct pk_registry runners = PK_REGISTRY_INITIALIZER(runners);

static inline bool
pass_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0; /* wrap-safe */
}

static void
heap_up(struct pk_runner *r, unsigned int i)
{
	struct runner_slot x = r->heap[i];

	while (i > 0 && pass_before(x.pass, r->heap[(i - 1) / 2].pass)) {
		r->heap[i] = r->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->heap[i] = x;
}

static void
heap_down(struct pk_runner *r, unsigned int i)
{
	struct runner_slot x = r->heap[i];
	unsigned int c;

	while ((c = 2 * i + 1) < r->nb) {
		/* no branch on which child: it would mispredict half the time */
		c += (c + 1 < r->nb) &
		     pass_before(r->heap[c + 1].pass, r->heap[c].pass);
		if (!pass_before(r->heap[c].pass, x.pass))
			break;
		r->heap[i] = r->heap[c];
		i = c;
	}
	r->heap[i] = x;
}

static void
runner_heap_insert(struct pk_runner *r, struct pk_thread *t)
{
	/* start at the current virtual time: no credit for time not here */
	r->heap[r->nb].pass = r->nb > 0 ? r->heap[0].pass : r->vtime;
	r->heap[r->nb].t = t;
	t->run_avg = 0;
	heap_up(r, r->nb++);
	__atomic_store_n(&t->on_runner, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->st.nb_threads, r->nb, __ATOMIC_RELAXED);
}

static void
runner_heap_remove(struct pk_runner *r, struct pk_thread *t)
{
	unsigned int i;

	if (!__atomic_load_n(&t->on_runner, __ATOMIC_RELAXED))
		return;
	/* a linear search: removals are rare, sifts must not touch threads */
	for (i = 0; i < r->nb && r->heap[i].t != t; i++)
		;
	if (i == r->nb)
		return;
	if (i != --r->nb) {
		/* the last leaf fills the hole, then finds its place */
		r->heap[i] = r->heap[r->nb];
		if (i > 0 && pass_before(r->heap[i].pass,
					 r->heap[(i - 1) / 2].pass))
			heap_up(r, i);
		else
			heap_down(r, i);
	}
	__atomic_store_n(&r->st.nb_threads, r->nb, __ATOMIC_RELAXED);
	/* the acknowledgement pk_runner_remove() waits for */
	__atomic_store_n(&t->on_runner, 0, __ATOMIC_RELEASE);
}

static void
runner_apply_cmds(struct pk_runner *r)
{
	void *cmd;

	__atomic_store_n(&r->cmd_pending, 0, __ATOMIC_SEQ_CST);
	while (rte_ring_sc_dequeue(r->cmds, &cmd) == 0) {
		uintptr_t v = (uintptr_t)cmd;
		struct pk_thread *t;

		t = (struct pk_thread *)(v & ~RUNNER_CMD_REMOVE);

		if (v & RUNNER_CMD_REMOVE)
			runner_heap_remove(r, t);
		else if (!__atomic_load_n(&t->on_runner, __ATOMIC_RELAXED))
			runner_heap_insert(r, t);
	}
}

/* All threads found no work: pause a while, then give the core away. */
static void
runner_backoff(struct pk_runner *r)
{
	unsigned int i;

	pk_counter_add(&r->st.idle_rounds, 1);
	if (r->backoff < RUNNER_PAUSES) {
		r->backoff++;
		for (i = 0; i < RUNNER_PAUSE_BURST; i++)
			rte_pause();
		pk_counter_add(&r->st.pauses, 1);
	} else {
		sched_yield();
		pk_counter_add(&r->st.yields, 1);
	}
}

/* Most a busy run of t is charged (see the top of the file). */
static inline uint64_t
runner_cap(const struct pk_runner *r, const struct pk_thread *t)
{
	if (unlikely(t->run_avg == 0))
		return r->max_charge; /* its first run */
	return RTE_MIN(r->max_charge, RTE_MAX(4 * t->run_avg, r->idle_charge));
}

/* Charge a run to the top thread, advance its pass; the caller sifts. */
static inline void
runner_charge(struct pk_runner *r, struct pk_thread *t, int n, uint64_t used)
{
	/* no division here: shares_set keeps the stride */
	uint64_t stride = __atomic_load_n(&t->stride, __ATOMIC_RELAXED);
	uint64_t charged;

	if (likely(n > 0)) {
		charged = RTE_MIN(used, runner_cap(r, t));
		/* average over about 8 runs; the first run starts it */
		t->run_avg = likely(t->run_avg != 0) ?
			t->run_avg - (t->run_avg >> 3) + (charged >> 3) :
			charged;
		pk_counter_add(&r->st.busy_cycles, used);
		r->idle_streak = 0;
		r->backoff = 0;
	} else {
		charged = RTE_MAX(used, r->idle_charge);
		pk_counter_add(&r->st.idle_cycles, used);
		r->idle_streak++;
	}
	/* stats: what was charged for work, what was spent idle */
	pk_thread_charge(t, n, n > 0 ? charged : used);
	r->vtime = r->heap[0].pass;
	r->heap[0].pass += charged * stride;
}

static inline uint64_t
runner_now(const struct pk_runner *r)
{
	return likely(r->clock == NULL) ? rte_rdtsc() : r->clock(r->clock_arg);
}

/* Up to max runs; with no thread at all, back off (on_lcore) or return. */
static int64_t
runner_loop(struct pk_runner *r, uint64_t max, bool on_lcore)
{
	uint64_t done = 0, now = runner_now(r), end;
	struct pk_thread *t;
	int n;

	while (done < max) {
		if (unlikely(__atomic_load_n(&r->cmd_pending, __ATOMIC_ACQUIRE)))
			runner_apply_cmds(r);
		if (unlikely(__atomic_load_n(&r->stop_req, __ATOMIC_RELAXED)))
			break;
		if (unlikely(r->idle_streak >= r->nb)) {
			r->idle_streak = 0;
			runner_backoff(r);
			end = runner_now(r);
			pk_counter_add(&r->st.idle_cycles, end - now);
			now = end;
			if (r->nb == 0) {
				if (!on_lcore)
					break;
				continue;
			}
		}
		t = r->heap[0].t;
		n = t->fn(t, t->arg);
		end = runner_now(r);
		runner_charge(r, t, n, end - now);
		now = end;
		done++;
		if (likely(n >= 0)) {
			heap_down(r, 0);
			continue;
		}
		/* it stopped by itself: pk_thread_stop() still cleans up */
		runner_heap_remove(r, t);
		pk_thread_set_stopped(t);
	}
	pk_counter_add(&r->st.decisions, done);
	return (int64_t)done;
}

static int
runner_main(void *arg)
{
	struct pk_runner *r = arg;

	while (!__atomic_load_n(&r->stop_req, __ATOMIC_ACQUIRE))
		runner_loop(r, 1u << 16, true);
	return 0;
}

/* Free a runner, whole or half built. Accepts NULL. */
static void
runner_free(struct pk_runner *r)
{
	if (r == NULL)
		return;
	rte_ring_free(r->cmds);
	rte_free(r->heap);
	rte_free(r);
}

struct pk_runner *
pk_runner_create(const char *name, unsigned int lcore_id, int socket_id)
{
	char ring_name[RTE_RING_NAMESIZE];
	static uint32_t seq;
	struct pk_runner *r;
	int rc;

	if (name == NULL || name[0] == '\0' ||
	    strnlen(name, PK_STAGE_NAMESIZE) >= PK_STAGE_NAMESIZE) {
		PK_LOG(ERR, "runner: name must be 1..%d characters",
		       PK_STAGE_NAMESIZE - 1);
		rte_errno = EINVAL;
		return NULL;
	}
	r = rte_zmalloc_socket(name, sizeof(*r), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (r != NULL)
		r->heap = rte_zmalloc_socket(name, PK_RUNNER_MAX_THREADS *
					     sizeof(r->heap[0]), 0, socket_id);
	snprintf(ring_name, sizeof(ring_name), "pkrun_%u",
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	if (r != NULL && r->heap != NULL)
		r->cmds = rte_ring_create(ring_name, RUNNER_CMDS, socket_id,
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL || r->heap == NULL || r->cmds == NULL) {
		PK_LOG(ERR, "%s: no memory for a runner", name);
		rc = -ENOMEM;
		goto fail;
	}
	strlcpy(r->name, name, sizeof(r->name));
	r->lcore_id = lcore_id;
	r->idle_charge = rte_get_tsc_hz() / 100000 + 1;      /* 10 us */
	r->max_charge = rte_get_tsc_hz() / 1000 + 1;         /* 1 ms */
	TAILQ_INIT(&r->attached);
	rc = pk_registry_add(&runners, &r->reg, r->name, true);
	if (rc != 0) {
		PK_LOG(ERR, "%s: a runner with that name exists", name);
		goto fail;
	}
	return r;
fail:
	runner_free(r);
	rte_errno = -rc;
	return NULL;
}

struct pk_runner *
pk_runner_find(const char *name)
{
	struct pk_registry_node *n = pk_registry_find(&runners, name);

	return n != NULL ? container_of(n, struct pk_runner, reg) : NULL;
}

int
pk_runner_start(struct pk_runner *r)
{
	int rc;

	if (r == NULL)
		return -EINVAL;
	if (r->launched)
		return -EALREADY;
	if (r->lcore_id >= RTE_MAX_LCORE || !rte_lcore_is_enabled(r->lcore_id) ||
	    r->lcore_id == rte_get_main_lcore()) {
		PK_LOG(ERR, "%s: lcore %u is not an enabled worker", r->name,
		       r->lcore_id);
		return -EINVAL;
	}
	__atomic_store_n(&r->stop_req, 0, __ATOMIC_RELEASE);
	rc = rte_eal_remote_launch(runner_main, r, r->lcore_id);
	if (rc != 0) {
		PK_LOG(ERR, "%s: cannot launch on lcore %u: %s", r->name,
		       r->lcore_id, strerror(-rc));
		return rc;
	}
	r->launched = true;
	return 0;
}

int
pk_runner_stop(struct pk_runner *r)
{
	if (r == NULL)
		return -EINVAL;
	if (!r->launched)
		return 0;
	__atomic_store_n(&r->stop_req, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(r->lcore_id);
	r->launched = false;
	runner_apply_cmds(r); /* what was posted while it stopped */
	return 0;
}

int64_t
pk_runner_run(struct pk_runner *r, uint64_t decisions)
{
	if (r == NULL)
		return -EINVAL;
	if (r->launched)
		return -EBUSY;
	__atomic_store_n(&r->stop_req, 0, __ATOMIC_RELAXED);
	return runner_loop(r, decisions, false);
}

int
pk_runner_clock_set(struct pk_runner *r, pk_runner_clock_t clock, void *arg)
{
	if (r == NULL)
		return -EINVAL;
	if (r->launched)
		return -EBUSY;
	r->clock = clock;
	r->clock_arg = arg;
	return 0;
}

void
pk_runner_destroy(struct pk_runner *r)
{
	struct pk_thread *t;

	if (r == NULL)
		return;
	pk_runner_stop(r);
	while ((t = TAILQ_FIRST(&r->attached)) != NULL) {
		pk_thread_stop(t);
		pk_runner_detach(r, t);
	}
	pk_registry_del(&runners, &r->reg);
	runner_free(r);
}

int
pk_runner_stats_get(const struct pk_runner *r, struct pk_runner_stats *st)
{
	if (r == NULL || st == NULL)
		return -EINVAL;
	st->decisions = pk_counter_load(&r->st.decisions);
	st->idle_rounds = pk_counter_load(&r->st.idle_rounds);
	st->pauses = pk_counter_load(&r->st.pauses);
	st->yields = pk_counter_load(&r->st.yields);
	st->busy_cycles = pk_counter_load(&r->st.busy_cycles);
	st->idle_cycles = pk_counter_load(&r->st.idle_cycles);
	st->nb_threads = __atomic_load_n(&r->st.nb_threads, __ATOMIC_RELAXED);
	return 0;
}

/* ---- for thread_continuation ---- */

int
pk_runner_attach(struct pk_runner *r, struct pk_thread *t)
{
	if (r->nb_attached >= PK_RUNNER_MAX_THREADS)
		return -ENOSPC;
	r->nb_attached++;
	t->runner = r;
	TAILQ_INSERT_TAIL(&r->attached, t, runner_next);
	return 0;
}

void
pk_runner_detach(struct pk_runner *r, struct pk_thread *t)
{
	if (r == NULL || t->runner != r)
		return;
	TAILQ_REMOVE(&r->attached, t, runner_next);
	r->nb_attached--;
	t->runner = NULL;
	t->domain = NULL; /* shares a CPU with nobody now */
}

static void
runner_post(struct pk_runner *r, struct pk_thread *t, uintptr_t op)
{
	/* cannot fail: the ring holds more than every thread's two commands */
	while (rte_ring_sp_enqueue(r->cmds, (void *)((uintptr_t)t | op)) != 0)
		rte_pause();
	__atomic_store_n(&r->cmd_pending, 1, __ATOMIC_SEQ_CST);
	if (!r->launched)
		runner_apply_cmds(r);
}

int
pk_runner_add(struct pk_runner *r, struct pk_thread *t)
{
	if (r == NULL)
		return -EINVAL;
	runner_post(r, t, 0);
	return 0;
}

void
pk_runner_remove(struct pk_runner *r, struct pk_thread *t)
{
	unsigned int spins = 0;

	if (r == NULL)
		return;
	runner_post(r, t, RUNNER_CMD_REMOVE);
	/* the runner drains commands before every run: this is short */
	while (__atomic_load_n(&t->on_runner, __ATOMIC_ACQUIRE)) {
		if (!r->launched)
			runner_apply_cmds(r);
		else if (++spins < 1024)
			rte_pause();
		else
			sched_yield(); /* its lcore may be preempted */
	}
}
