/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runner control (pk_runner.h): create, find by name, launch on its lcore,
 * stop, destroy, statistics; and for thread_continuation (pk_thread_driver.h)
 * the list of a runner's threads and the commands that start and stop them
 * while it runs. The scheduling itself, and pk_runner_run(), are in
 * runner_loop.c.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_string_fns.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_runner.h>

#include "registry_pvt.h"
#include "runner_pvt.h"

/* Runners by name, for pk_runner_find() (thread_continuation's runner=). */
static struct pk_registry runners = PK_REGISTRY_INITIALIZER(runners);
struct pk_registry *const pk_runner_live = &runners; /* runner_telemetry.c */

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
		r->heap = rte_zmalloc_socket(name, (PK_RUNNER_MAX_THREADS + 1) *
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
	r->batch_cycles = rte_get_tsc_hz() / 1000000 * RUNNER_BATCH_US + 1;
	r->ring = true; /* no thread: all shares alike */
	r->top = r->heap;
	r->st.pick = PK_RUNNER_PICK_RING;
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
	__atomic_fetch_and(&r->attn, ~RUNNER_ATTN_STOP, __ATOMIC_RELEASE);
	rc = rte_eal_remote_launch(pk_runner_main, r, r->lcore_id);
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
	__atomic_fetch_or(&r->attn, RUNNER_ATTN_STOP, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(r->lcore_id);
	r->launched = false;
	pk_runner_cmds_apply(r); /* what was posted while it stopped */
	return 0;
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
	st->picks = pk_counter_load(&r->st.picks);
	st->idle_rounds = pk_counter_load(&r->st.idle_rounds);
	st->pauses = pk_counter_load(&r->st.pauses);
	st->yields = pk_counter_load(&r->st.yields);
	st->busy_cycles = pk_counter_load(&r->st.busy_cycles);
	st->idle_cycles = pk_counter_load(&r->st.idle_cycles);
	st->nb_threads = __atomic_load_n(&r->st.nb_threads, __ATOMIC_RELAXED);
	st->pick = (enum pk_runner_pick)__atomic_load_n(&r->st.pick,
							__ATOMIC_RELAXED);
	st->pick_switches = pk_counter_load(&r->st.pick_switches);
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

void
pk_runner_shares_changed(struct pk_runner *r)
{
	/* the shares were stored before: the runner reads them after this */
	__atomic_fetch_or(&r->attn, RUNNER_ATTN_SHARES, __ATOMIC_SEQ_CST);
	if (!r->launched)
		pk_runner_cmds_apply(r);
}

/* @return the command's place in the order of posting (from 1). */
static uint64_t
runner_post(struct pk_runner *r, struct pk_thread *t, uintptr_t op)
{
	uint64_t seq = ++r->cmds_posted;

	/* cannot fail: the ring holds more than every thread's two commands */
	while (rte_ring_sp_enqueue(r->cmds, (void *)((uintptr_t)t | op)) != 0)
		rte_pause();
	__atomic_fetch_or(&r->attn, RUNNER_ATTN_CMDS, __ATOMIC_SEQ_CST);
	if (!r->launched)
		pk_runner_cmds_apply(r);
	return seq;
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
pk_runner_remove_post(struct pk_runner *r, struct pk_thread *t)
{
	if (r != NULL && __atomic_load_n(&t->on_runner, __ATOMIC_ACQUIRE))
		runner_post(r, t, RUNNER_CMD_REMOVE);
}

void
pk_runner_remove(struct pk_runner *r, struct pk_thread *t)
{
	unsigned int spins = 0;
	uint64_t seq;

	if (r == NULL)
		return;
	seq = runner_post(r, t, RUNNER_CMD_REMOVE);
	/* the runner drains commands before every run: this is short; every
	 * command before this one is applied too (an insertion of t) */
	while (__atomic_load_n(&r->cmds_done, __ATOMIC_ACQUIRE) < seq) {
		if (!r->launched)
			pk_runner_cmds_apply(r);
		else if (++spins < 1024)
			rte_pause();
		else
			sched_yield(); /* its lcore may be preempted */
	}
}
