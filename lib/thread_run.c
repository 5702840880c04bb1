/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Thread runs: the default start function (pull a burst from prev, push it
 * into next, within a budget), its variant for threads that count bytes,
 * and the fused run that pk_thread_start() picks instead of the default
 * when the wiring allows (struct pk_thread_fused): the same work without a
 * stage call between the source (a ring or an ethdev RX queue) and the
 * sink (a ring or an ethdev TX queue), and every counter the stages would
 * show, written once per run (a processing stage's drops as they happen,
 * by its own function; a port's counters per burst, as the port's own
 * pull and push write them). A plan from ring to ring or from port to
 * port through 0, 1 or 2 processing stages gets a run compiled for that
 * shape; thread_plan.c makes the plan and picks the run.
 */
#include <rte_ethdev.h>
#include <rte_ring.h>

#include <pathkit/pk_proc_driver.h>
#include <pathkit/pk_queue_worker.h>
#include <pathkit/pk_thread_driver.h>

#include "thread_pvt.h"

/* What one run of a thread counting bytes moved, counted once per run. */
struct thread_run_count {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t refused;
	uint64_t refused_bytes;
};

static inline void
thread_count_run(struct pk_stage *s, const struct thread_run_count *c)
{
	pk_counter_add(&s->in.pkts, c->pkts);
	pk_counter_add(&s->out.pkts, c->pkts - c->refused);
	pk_counter_add(&s->in.bytes, c->bytes);
	pk_counter_add(&s->out.bytes, c->bytes - c->refused_bytes);
	if (unlikely(c->refused != 0))
		pk_stage_count_drop(&s->out, PK_DROP_FULL, c->refused);
}

/* The default run of a thread that counts bytes too (out of line). */
static int __rte_noinline
thread_run_bytes(struct pk_thread *t)
{
	struct rte_mbuf *pkts[PK_THREAD_MAX_BURST];
	struct thread_run_count c = { 0 };
	struct pk_stage *s = &t->stage;
	uint16_t n, k;

	do {
		n = pk_stage_pull(s->prev, pkts, t->burst);
		if (n == 0)
			break;
		/* bytes before handing over: pkts[0..k) are not ours after */
		c.bytes += pk_burst_bytes(pkts, n);
		k = pk_stage_push(s->next, pkts, n);
		if (unlikely(k != n)) {
			/* a chain refused them, maybe changed: free them */
			c.refused_bytes += pk_burst_bytes(&pkts[k], n - k);
			c.refused += n - k;
			pk_stage_drop_free_bulk(&s->out, PK_DROP_FULL, &pkts[k],
						n - k);
		}
		c.pkts += n;
	} while (c.pkts < t->budget && n == t->burst);
	if (c.pkts != 0)
		thread_count_run(s, &c);
	return (int)c.pkts;
}

int
pk_thread_run_default(struct pk_thread *t, void *arg)
{
	struct rte_mbuf *pkts[PK_THREAD_MAX_BURST];
	struct pk_stage *s = &t->stage;
	/* fixed while the thread runs: loaded once, not after every call */
	struct pk_stage *prev = s->prev, *next = s->next;
	const uint16_t burst = t->burst;
	const uint32_t budget = t->budget;
	uint64_t done = 0, refused = 0;
	uint16_t n, k;

	RTE_SET_USED(arg);
	if (unlikely(s->flags & PK_STAGE_F_BYTES))
		return thread_run_bytes(t);
	do {
		n = pk_stage_pull(prev, pkts, burst);
		if (n == 0)
			break;
		k = pk_stage_push(next, pkts, n);
		if (unlikely(k != n)) {
			/* a chain refused them, maybe changed: free them */
			pk_stage_drop_free_bulk(&s->out, PK_DROP_FULL, &pkts[k],
						n - k);
			refused += n - k;
		}
		done += n;
	} while (done < budget && n == burst);
	if (done != 0) {
		pk_counter_add(&s->in.pkts, done);
		pk_counter_add(&s->out.pkts, done - refused);
		if (unlikely(refused != 0))
			pk_stage_count_drop(&s->out, PK_DROP_FULL, refused);
	}
	return (int)done;
}

/* ---- the fused run ---- */

/*
 * What a fused run counted for the rings and the thread, written at its
 * end. Nothing takes its address: with the plan's shape known when the run
 * is compiled (thread_fused_body()), it lives in registers.
 */
struct thread_fused_count {
	uint64_t pkts;    /* pulled: the source's out, the thread's in */
	uint64_t sunk;    /* taken by the sink */
	uint64_t refused; /* refused by the sink: freed, "full" on the thread */
	uint64_t unsunk;  /* of which handed to the plan (in fused, kept[]) */
	uint64_t fused;   /* pulled and handed to the plan's first stage */
	/* kept by each processing stage: its out, the next one's in */
	uint64_t kept[PK_THREAD_FUSE_MAX_PROCS];
};

/*
 * The sink refused pkts[k..k+r): count as the push chain would have (each
 * processing stage gives them back, so never took them: "full" refusals on
 * its in side, as on the sink's if we enqueued; the caller takes r off the
 * run's in and out counts of each), then free them as the thread does.
 */
static void __rte_noinline
thread_fused_refused(struct pk_stage *ts, const struct pk_thread_fused *f,
		     uint32_t np, struct rte_mbuf **pkts, uint16_t k,
		     uint16_t r, bool enqueued)
{
	uint32_t i;

	for (i = 0; i < np; i++)
		pk_stage_count_refused(&f->procs[i].s->in, PK_DROP_FULL, r);
	if (enqueued)
		pk_stage_count_refused(&f->sink->in, PK_DROP_FULL, r);
	pk_stage_drop_free_bulk(&ts->out, PK_DROP_FULL, &pkts[k], r);
}

/*
 * The run's counts into the processing stages, the rings and the thread;
 * the thread's last. A processing stage's in is what the one before kept
 * (the first: what the plan pulled), its out what it kept; packets the
 * sink refused were neither.
 */
static __rte_always_inline void
thread_fused_count_run(struct pk_thread *t, const struct thread_fused_count *c,
		       uint32_t np, bool src_ring, bool sink_ring)
{
	const struct pk_thread_fused *f = &t->fused;
	struct pk_stage *s = &t->stage;
	uint64_t in = c->fused - c->unsunk;
	uint32_t i;

	for (i = 0; i < np; i++) {
		struct pk_stage *ps = f->procs[i].s;

		pk_counter_add(&ps->in.pkts, in);
		in = c->kept[i] - c->unsunk;
		if (f->out_mask & (1u << i)) /* else derived (pk_proc.h) */
			pk_counter_add(&ps->out.pkts, in);
	}
	/* port ends are counted per burst (thread_fused_body()) */
	if (src_ring)
		pk_counter_add(&f->src->out.pkts, c->pkts);
	if (sink_ring)
		pk_counter_add(&f->sink->in.pkts, c->sunk);
	pk_counter_add(&s->in.pkts, c->pkts);
	pk_counter_add(&s->out.pkts, c->pkts - c->refused);
	if (unlikely(c->refused != 0))
		pk_stage_count_drop(&s->out, PK_DROP_FULL, c->refused);
}

/*
 * Whether the wiring is still what the plan was made of. An edge switched
 * while the thread runs (a capture put on a stage's next or the thread's
 * prev, pk_capture.h) changes one pointer the plan skips: the thread's prev
 * is checked before each pull, the pushers' nexts after it (so that what a
 * pull takes after a switch goes the new way), and the run then takes the
 * default path, through the pointers, until the edge is back.
 */
static inline bool
thread_fused_src_wired(const struct pk_thread *t,
		       const struct pk_thread_fused *f)
{
	return t->stage.prev == f->src;
}

static __rte_always_inline bool
thread_fused_next_wired(const struct pk_thread *t,
			const struct pk_thread_fused *f, uint32_t np)
{
	const struct pk_stage *s = &t->stage;
	uint32_t i;

	for (i = 0; i < np; i++) {
		if (s->next != f->procs[i].s)
			return false;
		s = f->procs[i].s;
	}
	return s->next == f->sink;
}

/*
 * The default run's work: pull (or dequeue), each processing stage's
 * burst function in turn on what the one before kept, counted as
 * pk_proc_push() counts, then push (or enqueue and wake a sleeper), in
 * one frame. Its shape is a constant where the run is compiled for one:
 * np, the plan's number of processing stages (THREAD_FUSED_ANY: read from
 * the plan), and ends: both rings, both ports, or any (read from the plan;
 * checked once, at start).
 */
#define THREAD_FUSED_ANY UINT32_MAX

enum thread_fused_ends {
	THREAD_ENDS_ANY,
	THREAD_ENDS_RINGS,  /* dequeue from a ring, enqueue into a ring */
	THREAD_ENDS_PORTS,  /* receive from an RX queue, send to a TX queue */
};

static __rte_always_inline int
thread_fused_body(struct pk_thread *t, void *arg, const uint32_t np_k,
		  const enum thread_fused_ends ends)
{
	struct rte_mbuf *pkts[PK_THREAD_MAX_BURST];
	const struct pk_thread_fused *f = &t->fused;
	const uint16_t burst = t->burst;
	const uint32_t budget = t->budget;
	const uint32_t np = np_k == THREAD_FUSED_ANY ? f->nb_procs : np_k;
	const bool any = ends == THREAD_ENDS_ANY;
	const bool src_ring = ends == THREAD_ENDS_RINGS ||
			      (any && f->src_ring != NULL);
	const bool sink_ring = ends == THREAD_ENDS_RINGS ||
			       (any && f->sink_ring != NULL);
	const bool src_port = ends == THREAD_ENDS_PORTS || (any && f->src_port);
	const bool sink_port = ends == THREAD_ENDS_PORTS ||
			       (any && f->sink_port);
	struct thread_fused_count c = { 0 };
	uint16_t n, m, k;
	bool enq;
	uint32_t i;

	do {
		if (unlikely(!thread_fused_src_wired(t, f)))
			break; /* an edge was switched: the default run */
		if (src_ring)
			n = (uint16_t)pk_queue_ring_dequeue_sc(f->src_ring,
							       pkts, burst);
		else if (src_port)
			n = rte_eth_rx_burst(f->src_port_id, f->src_queue_id,
					     pkts, burst);
		else
			n = pk_stage_pull(f->src, pkts, burst);
		if (n == 0)
			break;
		/*
		 * A port's counters per burst, as its pull and push count: a
		 * PMD may block in a burst call (pcap reading a FIFO), and
		 * what went through before must show meanwhile.
		 */
		if (src_port) /* its out is its in (port_ethdev.c) */
			pk_counter_add(&f->src->in.pkts, n);
		if (unlikely(!thread_fused_next_wired(t, f, np))) {
			/* switched (before or while pulling): by the pointers */
			k = pk_stage_push(t->stage.next, pkts, n);
			if (unlikely(k != n)) {
				pk_stage_drop_free_bulk(&t->stage.out,
							PK_DROP_FULL, &pkts[k],
							n - k);
				c.refused += n - k;
			}
			c.pkts += n;
			break;
		}
		m = n;
		c.fused += n;
		for (i = 0; i < np; i++) {
			struct pk_stage *ps = f->procs[i].s;

			m = f->procs[i].fn(ps, &ps->in, pkts, m,
					   f->procs[i].arg);
			c.kept[i] += m;
		}
		/*
		 * The sink's push is read again (its first line, which the
		 * notify reads anyway): a queue whose push was taken over
		 * since the start (a dropper, say) is pushed through it.
		 */
		enq = sink_ring && pk_queue_ring_is_sp(f->sink);
		if (likely(enq)) {
			k = (uint16_t)pk_queue_ring_enqueue_sp(f->sink_ring,
							       pkts, m);
			pk_stage_notify(f->sink);
			c.sunk += k;
		} else if (sink_port && f->sink->push == f->sink_push) {
			/* refused ones stay ours, unchanged, as its push's */
			k = rte_eth_tx_burst(f->sink_port_id, f->sink_queue_id,
					     pkts, m);
			pk_counter_add(&f->sink->in.pkts, k);
			enq = true;
		} else {
			k = pk_stage_push(f->sink, pkts, m);
		}
		if (unlikely(k != m)) {
			thread_fused_refused(&t->stage, f, np, pkts, k, m - k,
					     enq);
			c.unsunk += m - k;
			c.refused += m - k;
		}
		c.pkts += n;
	} while (c.pkts < budget && n == burst);
	if (c.pkts != 0)
		thread_fused_count_run(t, &c, np, src_ring, sink_ring);
	if (unlikely(!thread_fused_src_wired(t, f) ||
		     !thread_fused_next_wired(t, f, np)))
		return (int)c.pkts + pk_thread_run_default(t, arg);
	return (int)c.pkts;
}

/* Any plan. */
int
pk_thread_run_fused(struct pk_thread *t, void *arg)
{
	return thread_fused_body(t, arg, THREAD_FUSED_ANY, THREAD_ENDS_ANY);
}

/*
 * Ring to ring (a socket's path, a pipe's hop) or port to port (a
 * forwarder) through 0, 1 or 2 processing stages: the same run with the
 * plan's shape as constants, so that its loops unroll, its counts stay in
 * registers and no branch asks what the ends are.
 */
#define THREAD_FUSED_SHAPE(name, np, ends)                                    \
	static int name(struct pk_thread *t, void *arg)                       \
	{                                                                     \
		return thread_fused_body(t, arg, np, ends);                   \
	}

THREAD_FUSED_SHAPE(thread_run_fused_rings0, 0, THREAD_ENDS_RINGS)
THREAD_FUSED_SHAPE(thread_run_fused_rings1, 1, THREAD_ENDS_RINGS)
THREAD_FUSED_SHAPE(thread_run_fused_rings2, 2, THREAD_ENDS_RINGS)
THREAD_FUSED_SHAPE(thread_run_fused_ports0, 0, THREAD_ENDS_PORTS)
THREAD_FUSED_SHAPE(thread_run_fused_ports1, 1, THREAD_ENDS_PORTS)
THREAD_FUSED_SHAPE(thread_run_fused_ports2, 2, THREAD_ENDS_PORTS)

const pk_thread_fn pk_thread_run_fused_rings[PK_THREAD_FUSED_SHAPES] = {
	thread_run_fused_rings0,
	thread_run_fused_rings1,
	thread_run_fused_rings2,
};

const pk_thread_fn pk_thread_run_fused_ports[PK_THREAD_FUSED_SHAPES] = {
	thread_run_fused_ports0,
	thread_run_fused_ports1,
	thread_run_fused_ports2,
};
