/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RUNNER_PVT_H
#define PK_RUNNER_PVT_H

/*
 * The runner, shared by runner.c (control: create, start, stop, the list of
 * attached threads, posting commands), runner_loop.c (the runner's own
 * context: the picks and their charge, the command drain, the loop) and
 * runner_pick.c (who is picked next: a ring or a heap of passes, chosen by
 * the shares); not installed.
 *
 * Commands: the control thread starts and stops threads while the runner
 * runs by posting them to a single-producer/single-consumer ring (a thread
 * pointer, its low bit set for a removal) and raising RUNNER_ATTN_CMDS; the
 * runner drains the ring before its next pick. A removal is acknowledged by
 * the count of commands applied (cmds_done) reaching the removal's place
 * in the order of posting: not by the thread's on_runner flag alone, which
 * is also clear while the thread's own insertion still waits in the ring
 * (a thread started and at once stopped, then freed, as a reload does,
 * must not be inserted after its stop returned). While the runner is not
 * launched, control drains the ring itself.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_ring.h>

#include <pathkit/pk_registry.h>
#include <pathkit/pk_thread_driver.h>

#define RUNNER_CMDS 8192            /* > 2 * PK_RUNNER_MAX_THREADS */
#define RUNNER_CMD_REMOVE 1ul       /* low bit of a command pointer */
#define RUNNER_BATCH_US 1           /* a pick's slice (runner_loop.c) */
#define RUNNER_ATTN_CMDS 1u         /* attn: commands were posted */
#define RUNNER_ATTN_STOP 2u         /* attn: return from the loop */
#define RUNNER_ATTN_SHARES 4u       /* attn: a thread's shares changed */
#define RUNNER_RING_SPREAD 8u       /* ring: largest shares / smallest */

struct pk_runner_counters {
	uint64_t decisions;          /* runs */
	uint64_t picks;
	uint64_t idle_rounds;
	uint64_t pauses;
	uint64_t yields;
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint64_t pick_switches;
	uint32_t nb_threads;
	uint32_t pick;               /* enum pk_runner_pick */
} __rte_cache_aligned;

/*
 * A slot keeps the pass next to the pointer: picks read no thread. Heap:
 * the stride scheduling virtual time. Ring: the balance of the thread's
 * turn (as int64_t: below zero, cycles times stride still to use).
 */
struct runner_slot {
	uint64_t pass;
	struct pk_thread *t;
};

struct pk_runner {
	/* scheduler: the running context only */
	struct runner_slot *heap;    /* nb slots and a sentinel */
	unsigned int nb;
	unsigned int cur;            /* ring: the slot whose turn it is */
	struct runner_slot *top;     /* &heap[cur]: the next pick's slot */
	bool ring;                   /* pick: ring (true) or heap */
	uint64_t grant;              /* ring: a turn, in passes */
	unsigned int idle_streak;    /* consecutive runs that found nothing */
	unsigned int backoff;        /* consecutive idle rounds */
	uint64_t vtime;              /* pass of the last thread to leave */
	uint64_t idle_charge;        /* cycles */
	uint64_t max_charge;         /* cycles */
	uint64_t batch_cycles;       /* a pick's slice: batches grow under */
	pk_runner_clock_t clock;     /* NULL: the TSC */
	void *clock_arg;
	uint32_t attn;               /* atomic: RUNNER_ATTN_* from control */
	uint64_t cmds_done;          /* atomic: commands applied so far */
	/* control */
	struct rte_ring *cmds;
	uint64_t cmds_posted;        /* commands posted so far */
	unsigned int lcore_id;
	bool launched;
	unsigned int nb_attached;
	TAILQ_HEAD(, pk_thread) attached;
	struct pk_registry_node reg;  /* on runners, by name */
	char name[PK_STAGE_NAMESIZE];
	struct pk_runner_counters st;
};

/*
 * Apply the posted commands: on the runner's context, or on control while
 * the runner is not launched.
 */
void pk_runner_cmds_apply(struct pk_runner *r);

/*
 * Post t's removal without waiting for it (a reload stops many threads of
 * one runner: the runner takes them all off in one drain, and the
 * pk_thread_stop() that follows finds its wait already over). Control.
 */
void pk_runner_remove_post(struct pk_runner *r, struct pk_thread *t);

/*
 * The picks (runner_pick.c), on the runner's context. Insert and remove
 * keep the current structure; review then chooses the structure by the
 * shares (switching if need be) and gives the ring's turn on if the
 * current slot's is over. Call review after every insert or remove.
 */
void pk_runner_pick_insert(struct pk_runner *r, struct pk_thread *t);
void pk_runner_pick_remove(struct pk_runner *r, struct pk_thread *t);
void pk_runner_pick_review(struct pk_runner *r);
/* hidden: called per pick, directly, not through the PLT */
__attribute__((visibility("hidden")))
void pk_runner_heap_down(struct pk_runner *r, size_t i);
__attribute__((visibility("hidden")))
void pk_runner_ring_next(struct pk_runner *r);

/* The thread whose pick comes next. */
static inline struct pk_thread *
runner_pick_top(const struct pk_runner *r)
{
	return r->top->t; /* heap: the root */
}

/* After the top's pass was charged: the next pick's thread on top. */
static inline void
runner_pick_next(struct pk_runner *r)
{
	if (likely(r->ring)) {
		if ((int64_t)r->top->pass >= 0) /* its turn is over */
			pk_runner_ring_next(r);
	} else {
		pk_runner_heap_down(r, 0);
	}
}

/* t's shares changed (thread.c): the runner reviews its pick. Control. */
void pk_runner_shares_changed(struct pk_runner *r);

/* The runner's lcore: loops until RUNNER_ATTN_STOP (remote launched). */
int pk_runner_main(void *arg);

/* The runners by name (runner.c), read by runner_telemetry.c. */
extern struct pk_registry *const pk_runner_live;

#endif /* PK_RUNNER_PVT_H */
