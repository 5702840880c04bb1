/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proc_tee: passes every packet on unchanged and gives a copy of each to a
 * sink stage, typically the queue a sniffer reads (pk_tee.h).
 * push: copy, push to next, give the sink the copies of what next took.
 * pull: from prev, then a copy of each to the sink.
 * copies: rte_pktmbuf_copy, cut to snaplen (clone=1: rte_pktmbuf_clone). A
 *   copy the pool cannot give or the sink refuses is freed and counted,
 *   never retried or waited for. No sink: one load per burst, then pass.
 * threads: one pusher or puller at a time; pk_tee_set_sink() meanwhile.
 * args: pool=<mempool name> snaplen=<0: whole> clone=<0|1> bytes=<0|1>
 * stats: in, out, refused full (real packets); copied, lost_nomem,
 *   lost_full (pk_tee_stats_get())
 */
#include <errno.h>
#include <sched.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_stage_driver.h>
#include <pathkit/pk_tee.h>

#define PROC_TEE_STEP 64 /* a longer burst goes to next in steps this long */

struct proc_tee {
	struct pk_stage stage;
	struct pk_stage *sink;     /* atomic: pk_tee_set_sink() swaps it */
	struct rte_mempool *pool;  /* where copies come from */
	uint32_t snaplen;          /* UINT32_MAX: whole packets */
	int wire_off;              /* PK_TEE_DYNFIELD_NAME's offset */
	bool fence;                /* no membarrier(2): the pusher fences */
	/* the pusher's line: written on each burst that copies */
	uint64_t busy __rte_cache_aligned; /* odd while a burst may use sink */
	struct pk_tee_stats st;
};

static int proc_tee_wire_off = -1; /* PK_TEE_DYNFIELD_NAME, once known */
static bool proc_tee_membarrier_ok;

/* Cut a clone longer than snaplen: keep the segments that hold snaplen. */
static void
proc_tee_cut(struct rte_mbuf *c, uint32_t snaplen)
{
	struct rte_mbuf *seg = c, *rest;
	uint32_t left = snaplen;
	uint16_t nb = 1;

	while (left > seg->data_len && seg->next != NULL) {
		left -= seg->data_len;
		seg = seg->next;
		nb++;
	}
	seg->data_len = (uint16_t)left; /* <= data_len: pkt_len > snaplen */
	rest = seg->next;
	seg->next = NULL;
	c->nb_segs = nb;
	c->pkt_len = snaplen;
	rte_pktmbuf_free(rest); /* indirect: drops its references only */
}

static __rte_always_inline struct rte_mbuf *
proc_tee_copy(const struct proc_tee *t, struct rte_mbuf *m, const bool clone)
{
	struct rte_mbuf *c;

	if (clone) {
		c = rte_pktmbuf_clone(m, t->pool);
		if (c != NULL && c->pkt_len > t->snaplen)
			proc_tee_cut(c, t->snaplen);
	} else if (likely(m->pkt_len != 0)) {
		c = rte_pktmbuf_copy(m, t->pool, 0, t->snaplen);
	} else {
		/* rte_pktmbuf_copy() refuses offset 0 of an empty packet */
		c = rte_pktmbuf_alloc(t->pool);
	}
	if (likely(c != NULL))
		*RTE_MBUF_DYNFIELD(c, t->wire_off, uint32_t *) = m->pkt_len;
	return c;
}

/* Push pkts[0..n) to next and count what it took, as the real packets. */
static inline uint16_t
proc_tee_forward(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	uint16_t k = pk_stage_push(s->next, pkts, n);

	pk_counter_add(&s->in.pkts, k);
	pk_counter_add(&s->out.pkts, k);
	if (unlikely(k != n)) {
		/* refused downstream, back to the caller: never ours */
		pk_stage_count_refused(&s->in, PK_DROP_FULL, n - k);
		if (bytes != 0)
			bytes -= pk_burst_bytes(&pkts[k], n - k);
	}
	if (unlikely(bytes != 0)) {
		pk_counter_add(&s->in.bytes, bytes);
		pk_counter_add(&s->out.bytes, bytes);
	}
	return k;
}

/* Give the sink the copies cp[0..taken) of what went on (NULL: the pool
 * gave none), free cp[taken..n). Compacted in place: k <= i. */
static void
proc_tee_deliver(struct proc_tee *t, struct pk_stage *sink,
		 struct rte_mbuf **cp, uint16_t n, uint16_t taken)
{
	uint16_t i, k = 0, got;

	for (i = 0; i < taken; i++)
		if (likely(cp[i] != NULL))
			cp[k++] = cp[i];
	for (i = taken; i < n; i++)
		rte_pktmbuf_free(cp[i]); /* accepts NULL */
	got = k != 0 ? pk_stage_push(sink, cp, k) : 0;
	pk_counter_add(&t->st.copied, got);
	if (unlikely(got != k)) {
		rte_pktmbuf_free_bulk(&cp[got], k - got);
		pk_counter_add(&t->st.lost_full, k - got);
	}
	if (unlikely(k != taken))
		pk_counter_add(&t->st.lost_nomem, taken - k);
}

/*
 * The pusher's half of the sink hand-over (the setter's: proc_tee_wait()).
 * Mark the burst busy (odd), then read the sink. The setter swaps the sink,
 * runs membarrier(2) (a full fence on this thread too, wherever it is), and
 * only then reads busy: either this burst reads the new sink, or the setter
 * sees busy odd and waits for the store that ends the burst. Without
 * membarrier the fence is ours, once per burst that copies.
 */
static inline struct pk_stage *
proc_tee_enter(struct proc_tee *t)
{
	__atomic_store_n(&t->busy, t->busy + 1, __ATOMIC_RELAXED); /* ours */
	if (unlikely(t->fence))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST); /* program order */
	return __atomic_load_n(&t->sink, __ATOMIC_ACQUIRE);
}

static inline void
proc_tee_leave(struct proc_tee *t)
{
	__atomic_store_n(&t->busy, t->busy + 1, __ATOMIC_RELEASE);
}

static __rte_always_inline uint16_t
proc_tee_push_(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n,
	       const bool clone)
{
	struct proc_tee *t = (struct proc_tee *)s;
	struct rte_mbuf *cp[PROC_TEE_STEP];
	uint16_t done = 0, step, i, k;
	struct pk_stage *sink;

	if (likely(__atomic_load_n(&t->sink, __ATOMIC_RELAXED) == NULL))
		return proc_tee_forward(s, pkts, n);
	sink = proc_tee_enter(t);
	if (unlikely(sink == NULL)) { /* detached since the first look */
		proc_tee_leave(t);
		return proc_tee_forward(s, pkts, n);
	}
	do {
		step = RTE_MIN(n - done, PROC_TEE_STEP);
		/* copy first: next may rewrite or free them at once */
		for (i = 0; i < step; i++)
			cp[i] = proc_tee_copy(t, pkts[done + i], clone);
		k = proc_tee_forward(s, &pkts[done], step);
		proc_tee_deliver(t, sink, cp, step, k);
		done += k;
	} while (k == step && done < n);
	proc_tee_leave(t);
	return done;
}

static __rte_always_inline uint16_t
proc_tee_pull_(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max,
	       const bool clone)
{
	struct proc_tee *t = (struct proc_tee *)s;
	struct rte_mbuf *cp[PROC_TEE_STEP];
	struct pk_stage *sink = NULL;
	uint16_t i, n;

	if (unlikely(__atomic_load_n(&t->sink, __ATOMIC_RELAXED) != NULL)) {
		sink = proc_tee_enter(t);
		if (sink == NULL) /* detached since the first look */
			proc_tee_leave(t);
		max = RTE_MIN(max, PROC_TEE_STEP); /* a pull may give fewer */
	}
	n = pk_stage_pull(s->prev, pkts, max);
	if (sink != NULL) {
		for (i = 0; i < n; i++)
			cp[i] = proc_tee_copy(t, pkts[i], clone);
		proc_tee_deliver(t, sink, cp, n, n);
		proc_tee_leave(t);
	}
	pk_stage_count(s, &s->in, pkts, n);
	pk_stage_count(s, &s->out, pkts, n);
	return n;
}

/* The variant is chosen at create: no per-packet test of the mode. */
#define PROC_TEE_VARIANT(mode, clone)                                          \
	static uint16_t proc_tee_push_##mode(struct pk_stage *s,               \
					     struct rte_mbuf **pkts, uint16_t n) \
	{ return proc_tee_push_(s, pkts, n, clone); }                          \
	static uint16_t proc_tee_pull_##mode(struct pk_stage *s,               \
					     struct rte_mbuf **pkts, uint16_t n) \
	{ return proc_tee_pull_(s, pkts, n, clone); }
PROC_TEE_VARIANT(copy, false)
PROC_TEE_VARIANT(clone, true)

#define PROC_TEE_OPS(push_fn, pull_fn)                                         \
	{                                                                      \
		.kind = "proc_tee", .push = (push_fn), .pull = (pull_fn),      \
		.destroy = pk_stage_free,                                      \
		.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL |                \
			PK_STAGE_CAP_FWD_PUSH | PK_STAGE_CAP_FWD_PULL,         \
	}
static const struct pk_stage_ops proc_tee_copy_ops =
	PROC_TEE_OPS(proc_tee_push_copy, proc_tee_pull_copy);
static const struct pk_stage_ops proc_tee_clone_ops =
	PROC_TEE_OPS(proc_tee_push_clone, proc_tee_pull_clone);

static struct proc_tee *
proc_tee_check(const struct pk_stage *s)
{
	if (s == NULL ||
	    (s->ops != &proc_tee_copy_ops && s->ops != &proc_tee_clone_ops))
		return NULL;
	return (struct proc_tee *)(uintptr_t)s;
}

/* The setter's half of the hand-over: see proc_tee_enter(). */
static void
proc_tee_wait(struct proc_tee *t)
{
	unsigned int spins = 0;
	uint64_t b;

	if (!t->fence)
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	b = __atomic_load_n(&t->busy, __ATOMIC_SEQ_CST);
	if ((b & 1) == 0)
		return; /* idle, or its bursts already read the new sink */
	while (__atomic_load_n(&t->busy, __ATOMIC_ACQUIRE) == b)
		if (++spins % 1024 == 0)
			sched_yield(); /* the pusher may share our CPU */
		else
			rte_pause();
}

int
pk_tee_set_sink(struct pk_stage *tee, struct pk_stage *sink)
{
	struct proc_tee *t = proc_tee_check(tee);
	struct pk_stage *old;

	if (t == NULL || sink == tee ||
	    (sink != NULL && !(sink->caps & PK_STAGE_CAP_PUSH))) {
		PK_LOG(ERR, "%s: not a tee, or a sink that takes no pushes",
		       tee != NULL ? tee->name : "(null)");
		return -EINVAL;
	}
	old = __atomic_exchange_n(&t->sink, sink, __ATOMIC_SEQ_CST);
	if (old != NULL && old != sink)
		proc_tee_wait(t);
	return 0;
}

int
pk_tee_stats_get(const struct pk_stage *tee, struct pk_tee_stats *st)
{
	struct proc_tee *t = proc_tee_check(tee);

	if (t == NULL || st == NULL)
		return -EINVAL;
	st->copied = pk_counter_load(&t->st.copied);
	st->lost_nomem = pk_counter_load(&t->st.lost_nomem);
	st->lost_full = pk_counter_load(&t->st.lost_full);
	return 0;
}

uint32_t
pk_tee_wire_len(const struct rte_mbuf *copy)
{
	int off = __atomic_load_n(&proc_tee_wire_off, __ATOMIC_ACQUIRE);

	return off < 0 ? copy->pkt_len :
			 *RTE_MBUF_DYNFIELD(copy, off, const uint32_t *);
}

/* Each create: both calls give the same answer every time. */
static int
proc_tee_global_init(void)
{
	static const struct rte_mbuf_dynfield wire = {
		.name = PK_TEE_DYNFIELD_NAME, .size = sizeof(uint32_t),
		.align = __alignof__(uint32_t),
	};
	int off = rte_mbuf_dynfield_register(&wire);

	if (off < 0)
		return rte_errno == ENOENT ? -ENOSPC : -rte_errno;
	__atomic_store_n(&proc_tee_wire_off, off, __ATOMIC_RELEASE);
	__atomic_store_n(&proc_tee_membarrier_ok, syscall(SYS_membarrier,
			 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0,
			 __ATOMIC_RELAXED);
	return 0;
}

struct pk_stage *
pk_tee_create(const char *name, struct pk_stage *sink,
	      struct rte_mempool *copy_pool, uint32_t snaplen, uint32_t flags,
	      int socket_id)
{
	bool clone = flags & PK_TEE_F_CLONE;
	struct proc_tee *t;
	struct pk_stage *s;
	int rc;

	if (name == NULL || (flags & ~(PK_TEE_F_CLONE | PK_STAGE_F_BYTES)) ||
	    (sink != NULL && !(sink->caps & PK_STAGE_CAP_PUSH)) ||
	    copy_pool == NULL || copy_pool->private_data_size <
	    sizeof(struct rte_pktmbuf_pool_private) || (!clone &&
	    rte_pktmbuf_data_room_size(copy_pool) <= RTE_PKTMBUF_HEADROOM)) {
		PK_LOG(ERR, "%s: bad flags, a sink that takes no pushes, or a "
		       "copy pool that is no pktmbuf pool or has no data room",
		       name != NULL ? name : "(null)");
		rte_errno = EINVAL;
		return NULL;
	}
	rc = proc_tee_global_init();
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(*t), clone ? &proc_tee_clone_ops :
			   &proc_tee_copy_ops, name, flags & PK_STAGE_F_BYTES,
			   socket_id);
	if (s == NULL)
		return NULL;
	t = (struct proc_tee *)s;
	t->pool = copy_pool;
	t->snaplen = snaplen != 0 ? snaplen : UINT32_MAX;
	t->wire_off = proc_tee_wire_off;
	t->fence = !proc_tee_membarrier_ok;
	__atomic_store_n(&t->sink, sink, __ATOMIC_RELEASE);
	return s;
}

static struct pk_stage *
proc_tee_create(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	uint64_t snaplen = 0, clone = 0;
	struct rte_mempool *mp;
	uint32_t sflags = 0;
	const char *pool;

	if (rte_kvargs_count(kv, "pool") != 1 ||
	    pk_stage_arg_u64(kv, "snaplen", 0, UINT32_MAX, &snaplen) != 0 ||
	    pk_stage_arg_u64(kv, "clone", 0, 1, &clone) != 0 ||
	    pk_stage_args_flags(kv, &sflags) != 0) {
		PK_LOG(ERR, "%s: proc_tee takes pool=NAME (once), snaplen=, "
		       "clone=0|1", name);
		rte_errno = EINVAL;
		return NULL;
	}
	pool = rte_kvargs_get(kv, "pool");
	mp = rte_mempool_lookup(pool);
	if (mp == NULL) {
		PK_LOG(ERR, "%s: no mempool named '%s'", name, pool);
		rte_errno = ENOENT;
		return NULL;
	}
	return pk_tee_create(name, NULL, mp, (uint32_t)snaplen,
			     sflags | (clone ? PK_TEE_F_CLONE : 0), socket_id);
}

static const char *const proc_tee_args[] = { "pool", "snaplen", "clone", NULL };
static struct pk_stage_kind proc_tee_kind = {
	.name = "proc_tee",
	.help = "passes packets on, copies each to a sink (a sniffer)",
	.args = proc_tee_args,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL | PK_STAGE_CAP_FWD_PUSH |
		PK_STAGE_CAP_FWD_PULL,
	.create = proc_tee_create,
};
PK_STAGE_KIND_REGISTER(proc_tee_kind);
