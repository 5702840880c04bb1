/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_capture_push.c: the fast path of proc_capture (card in
 * proc_capture.c). A burst is copied first (the next stage may rewrite or
 * free the packets at once), handed on, and the copies of what was taken
 * go on the writer's ring; a copy with no room is freed and counted. While
 * a tap is attached the burst runs between enter and leave, the pusher's
 * half of pk_capture_close()'s hand-over.
 */
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_ring.h>

#include "proc_capture_pvt.h"

static inline void
proc_capture_add(uint64_t *c, uint64_t v, const bool mt)
{
	if (mt)
		pk_counter_add_mt(c, v);
	else
		pk_counter_add(c, v);
}

/* Hand pkts[0..n) on (or free them, as a sink) and count them. */
static inline uint16_t
proc_capture_pass(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n,
		  const bool mt)
{
	struct proc_capture *c = (struct proc_capture *)s;
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	uint16_t k;

	if (c->sink) {
		rte_pktmbuf_free_bulk(pkts, n);
		k = n;
	} else {
		k = pk_stage_push(s->next, pkts, n);
	}
	proc_capture_add(&s->in.pkts, k, mt);
	proc_capture_add(&s->out.pkts, k, mt);
	if (unlikely(k != n)) {
		/* refused downstream, back to the caller: never ours */
		proc_capture_add(&s->in.refused[PK_DROP_FULL], n - k, mt);
		if (bytes != 0)
			bytes -= pk_burst_bytes(&pkts[k], n - k);
	}
	if (unlikely(bytes != 0)) {
		proc_capture_add(&s->in.bytes, bytes, mt);
		proc_capture_add(&s->out.bytes, bytes, mt);
	}
	return k;
}

static inline void
proc_capture_copy(const struct pk_capture_tap *tap, struct rte_mbuf **pkts,
		  struct rte_mbuf **cp, uint16_t n, uint64_t tsc)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		cp[i] = rte_pcapng_copy(pkts[i]->port, 0, pkts[i], tap->pool,
					tap->snaplen, tsc,
					RTE_PCAPNG_DIRECTION_UNKNOWN);
}

/* Enqueue the copies cp[0..taken) (NULL: the pool gave none), free
 * cp[taken..n) (their packets went back to the caller). */
static void
proc_capture_deliver(struct proc_capture *c, const struct pk_capture_tap *tap,
		     struct rte_mbuf **cp, uint16_t n, uint16_t taken,
		     const bool mt)
{
	uint16_t i, k = 0, got;

	for (i = 0; i < taken; i++)
		if (likely(cp[i] != NULL))
			cp[k++] = cp[i];
	for (i = taken; i < n; i++)
		rte_pktmbuf_free(cp[i]); /* accepts NULL */
	got = k == 0 ? 0 : mt ?
	      rte_ring_mp_enqueue_burst(tap->ring, (void **)cp, k, NULL) :
	      rte_ring_sp_enqueue_burst(tap->ring, (void **)cp, k, NULL);
	proc_capture_add(&c->captured, got, mt);
	if (unlikely(got != k)) {
		rte_pktmbuf_free_bulk(&cp[got], k - got);
		proc_capture_add(&c->lost_full, k - got, mt);
	}
	if (unlikely(k != taken))
		proc_capture_add(&c->lost_nomem, taken - k, mt);
}

/*
 * The pusher's half of pk_capture_close()'s hand-over, as proc_tee's:
 * busy is odd while a burst may use the tap; the closer swaps the tap
 * out, forces a barrier on our thread (membarrier(2)), then waits for an
 * odd busy to move. So the fence is the closer's, not ours.
 */
static inline const struct pk_capture_tap *
proc_capture_enter(struct proc_capture *c)
{
	__atomic_store_n(&c->busy, c->busy + 1, __ATOMIC_RELAXED);
	if (unlikely(c->fence))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&c->tap, __ATOMIC_ACQUIRE);
}

static inline void
proc_capture_leave(struct proc_capture *c)
{
	__atomic_store_n(&c->busy, c->busy + 1, __ATOMIC_RELEASE);
}

static __rte_always_inline uint16_t
proc_capture_push_(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n,
		   const bool mt)
{
	struct proc_capture *c = (struct proc_capture *)s;
	struct rte_mbuf *cp[PROC_CAPTURE_STEP];
	const struct pk_capture_tap *tap;
	uint16_t done = 0, step, k;
	uint64_t tsc;

	if (unlikely(__atomic_load_n(&c->tap, __ATOMIC_RELAXED) == NULL))
		return proc_capture_pass(s, pkts, n, mt);
	/* several pushers: closed only once they stop (pk_capture.h) */
	tap = mt ? __atomic_load_n(&c->tap, __ATOMIC_ACQUIRE) :
		   proc_capture_enter(c);
	if (unlikely(tap == NULL)) { /* closed since the first look */
		if (!mt)
			proc_capture_leave(c);
		return proc_capture_pass(s, pkts, n, mt);
	}
	tsc = rte_get_tsc_cycles(); /* once per burst: rdtsc is not cheap */
	do {
		step = RTE_MIN(n - done, PROC_CAPTURE_STEP);
		/* copy first: next may rewrite or free them at once */
		proc_capture_copy(tap, &pkts[done], cp, step, tsc);
		k = proc_capture_pass(s, &pkts[done], step, mt);
		proc_capture_deliver(c, tap, cp, step, k, mt);
		done += k;
	} while (k == step && done < n);
	if (!mt)
		proc_capture_leave(c);
	return done;
}

uint16_t
proc_capture_push(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return proc_capture_push_(s, pkts, n, false);
}

uint16_t
proc_capture_push_mt(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return proc_capture_push_(s, pkts, n, true);
}

uint16_t
proc_capture_pull(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct proc_capture *c = (struct proc_capture *)s;
	struct rte_mbuf *cp[PROC_CAPTURE_STEP];
	const struct pk_capture_tap *tap = NULL;
	uint16_t n;

	if (unlikely(__atomic_load_n(&c->tap, __ATOMIC_RELAXED) != NULL)) {
		tap = proc_capture_enter(c);
		if (tap == NULL)
			proc_capture_leave(c);
		max = RTE_MIN(max, PROC_CAPTURE_STEP); /* a pull may give less */
	}
	n = pk_stage_pull(s->prev, pkts, max);
	if (tap != NULL) {
		proc_capture_copy(tap, pkts, cp, n, rte_get_tsc_cycles());
		proc_capture_deliver(c, tap, cp, n, n, false);
		proc_capture_leave(c);
	}
	pk_stage_count(s, &s->in, pkts, n);
	pk_stage_count(s, &s->out, pkts, n);
	return n;
}
