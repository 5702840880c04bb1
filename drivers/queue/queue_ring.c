/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * queue_ring: Queue stage on rte_ring.
 * push: enqueues up to n, refuses the rest (counted "full"; caller keeps them).
 * pull: dequeues up to max.  destroy: frees held mbufs, then the ring.
 * threads: one pusher, one puller unless mp=1 / mc=1 (then that side's
 *   counters are atomic).
 * args: size=<pow2 >= 2, 1024; holds size-1> mp=<0|1> mc=<0|1> bytes=<0|1>
 *   red=<min:max:maxp_inv[:wq_log2[:pkt_ns]]> or
 *   pie=<qdelay_ms[:interval_ms[:burst_ms[:tailq_th]]]> (pk_dropper.h)
 * stats: in, out, full; red or pie (a dropper's drops)
 * blocking: implements the wait/wake ops (pk_queue_wait()): a waiter sleeps
 *   on a futex; a push that finds a waiter wakes it (one load and branch
 *   otherwise, see queue_ring_notify()).
 * inline: the SP push of one packet, pk_queue_ring_push_one_sp()
 *   (pk_queue_worker.h), for pushers with many queues (the demux); it
 *   counts and wakes as the push here does. A thread's fused run
 *   (lib/thread_run.c) dequeues from an SC ring and enqueues into an SP one
 *   itself, counting as the pull and push here do.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_queue.h>
#include <pathkit/pk_queue_worker.h>
#include <pathkit/pk_stage_driver.h>

/* ctx is the ring, QUEUE_RING_OFF bytes in (see pk_queue_ring_create()) */
struct queue_ring {
	struct pk_stage stage;
	uint32_t wake_seq;       /* futex word: bumped by each wake */
};

static inline struct rte_ring *
queue_ring_of(struct pk_stage *s)
{
	return s->ctx; /* the ring, on the stage's first cache line */
}

static void __rte_noinline
queue_ring_wake_all(struct queue_ring *q)
{
	__atomic_fetch_add(&q->wake_seq, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &q->wake_seq, FUTEX_WAKE_PRIVATE, INT_MAX, NULL,
		NULL, 0);
}

/* Out of line and returning k: the push needs no stack frame for it. */
static uint16_t __rte_noinline
queue_ring_wake_ret(struct queue_ring *q, uint16_t k)
{
	queue_ring_wake_all(q);
	return k;
}

/*
 * After an enqueue: wake sleepers, if any; returns k. No fence here: the
 * waiter's membarrier() orders our tail store before this load, or makes
 * the waiter see the packets, so the fast path costs one load (of the
 * stage's first line, which the push read already) and a predictable
 * branch. pk_stage_notify() does the same for an inline push.
 */
static inline uint16_t
queue_ring_notify(struct pk_stage *s, uint16_t k)
{
	/* volatile: kept after the ring's (volatile) tail store */
	if (unlikely(*(volatile uint32_t *)&s->waiters != 0))
		return queue_ring_wake_ret((struct queue_ring *)s, k);
	return k;
}

/* Public (pk_queue_worker.h): a pusher may recognise it and push inline. */
uint16_t
pk_queue_ring_push_sp(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	/* bytes before the enqueue: a puller may free them right after */
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	uint16_t k;

	k = pk_queue_ring_enqueue_sp(queue_ring_of(s), pkts, n);
	pk_stage_count_push(s, pkts, n, k, bytes);
	return queue_ring_notify(s, k);
}

static uint16_t
queue_ring_push_mp(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	/* bytes before the enqueue: a puller may free them right after */
	uint64_t bytes = pk_stage_push_bytes(s, pkts, n);
	uint16_t k;

	k = rte_ring_mp_enqueue_burst(queue_ring_of(s), (void **)pkts, n, NULL);
	pk_stage_count_push_mt(s, pkts, n, k, bytes);
	return queue_ring_notify(s, k);
}

/* Public (pk_queue_worker.h): a puller may recognise it and pull inline. */
uint16_t
pk_queue_ring_pull_sc(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	uint16_t k = pk_queue_ring_dequeue_sc(queue_ring_of(s), pkts, max);

	pk_stage_count(s, &s->out, pkts, k);
	return k;
}

static uint16_t
queue_ring_pull_mc(struct pk_stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	uint16_t k = rte_ring_mc_dequeue_burst(queue_ring_of(s), (void **)pkts,
					       max, NULL);

	pk_stage_count_mt(s, &s->out, pkts, k);
	return k;
}

static unsigned int
queue_ring_len(const struct pk_stage *s)
{
	return rte_ring_count(s->ctx);
}

static void
queue_ring_destroy(struct pk_stage *s)
{
	struct rte_ring *r = queue_ring_of(s);
	struct rte_mbuf *m[64];
	unsigned int k;

	while ((k = rte_ring_dequeue_burst(r, (void **)m, RTE_DIM(m), NULL)) > 0)
		rte_pktmbuf_free_bulk(m, k);
	pk_stage_free(s); /* and the ring with it */
}

static bool queue_ring_membarrier_ok;

static void
queue_ring_membarrier_init(void)
{
	queue_ring_membarrier_ok = syscall(SYS_membarrier,
		MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
	if (!queue_ring_membarrier_ok)
		PK_LOG(WARNING, "queue_ring: no membarrier(2): blocked threads "
		       "poll every millisecond");
}

/* A full fence on every running thread of the process: see notify. */
static void
queue_ring_heavy_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (queue_ring_membarrier_ok)
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

static int
queue_ring_wait(struct pk_stage *s, const uint32_t *cancel,
		uint32_t timeout_us)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct queue_ring *q = (struct queue_ring *)s;
	struct timespec ts;
	uint32_t seq;
	int rc = 0;

	pthread_once(&once, queue_ring_membarrier_init);
	if (!queue_ring_membarrier_ok && timeout_us > 1000)
		timeout_us = 1000; /* a lost wake-up then costs 1 ms at most */
	/* read seq first: a wake after this makes the futex return at once */
	seq = __atomic_load_n(&q->wake_seq, __ATOMIC_ACQUIRE);
	__atomic_fetch_add(&s->waiters, 1, __ATOMIC_SEQ_CST);
	queue_ring_heavy_fence();
	if (cancel != NULL && __atomic_load_n(cancel, __ATOMIC_ACQUIRE) != 0)
		rc = -ECANCELED;
	else if (rte_ring_count(queue_ring_of(s)) == 0) {
		ts.tv_sec = timeout_us / 1000000;
		ts.tv_nsec = (long)(timeout_us % 1000000) * 1000;
		if (syscall(SYS_futex, &q->wake_seq, FUTEX_WAIT_PRIVATE, seq,
			    &ts, NULL, 0) != 0 && errno == ETIMEDOUT)
			rc = -ETIMEDOUT;
		if (cancel != NULL &&
		    __atomic_load_n(cancel, __ATOMIC_ACQUIRE) != 0)
			rc = -ECANCELED;
	}
	__atomic_fetch_sub(&s->waiters, 1, __ATOMIC_RELEASE);
	return rc;
}

/*
 * The same protocol over a set: register on every queue, one fence, look
 * at every queue, then one futex_waitv(2) on all their words. Without
 * futex_waitv (ENOSYS) the sleep is a 1 ms nap: a set still works, slower.
 */
static int
queue_ring_wait_any(struct pk_stage *const *qs, unsigned int n,
		    const uint32_t *cancel, uint32_t timeout_us)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct futex_waitv w[PK_QUEUE_WAIT_ANY_MAX];
	struct timespec end;
	unsigned int i, ready = 0;
	int rc = 0;

	pthread_once(&once, queue_ring_membarrier_init);
	if (!queue_ring_membarrier_ok && timeout_us > 1000)
		timeout_us = 1000;
	for (i = 0; i < n; i++) {
		struct queue_ring *q = (struct queue_ring *)qs[i];

		w[i] = (struct futex_waitv){
			.val = __atomic_load_n(&q->wake_seq, __ATOMIC_ACQUIRE),
			.uaddr = (uintptr_t)&q->wake_seq,
			.flags = FUTEX_32 | FUTEX_PRIVATE_FLAG,
		};
		__atomic_fetch_add(&qs[i]->waiters, 1, __ATOMIC_SEQ_CST);
	}
	queue_ring_heavy_fence();
	for (i = 0; i < n; i++)
		ready += rte_ring_count(queue_ring_of(qs[i])) > 0;
	if (cancel != NULL && __atomic_load_n(cancel, __ATOMIC_ACQUIRE) != 0)
		rc = -ECANCELED;
	else if (ready == 0) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += timeout_us / 1000000;
		end.tv_nsec += (long)(timeout_us % 1000000) * 1000;
		if (end.tv_nsec >= 1000000000) {
			end.tv_sec++;
			end.tv_nsec -= 1000000000;
		}
		if (syscall(SYS_futex_waitv, w, n, 0, &end,
			    CLOCK_MONOTONIC) < 0) {
			if (errno == ETIMEDOUT)
				rc = -ETIMEDOUT;
			else if (errno == ENOSYS)
				usleep(RTE_MIN(timeout_us, 1000u));
		}
		if (cancel != NULL &&
		    __atomic_load_n(cancel, __ATOMIC_ACQUIRE) != 0)
			rc = -ECANCELED;
	}
	for (i = 0; i < n; i++)
		__atomic_fetch_sub(&qs[i]->waiters, 1, __ATOMIC_RELEASE);
	return rc;
}

static void
queue_ring_wake(struct pk_stage *s)
{
	queue_ring_wake_all((struct queue_ring *)s);
}

#define QUEUE_RING_OPS(sfx, push_fn, pull_fn, mt)                              \
	static const struct pk_stage_ops queue_ring_##sfx##_ops = {            \
		.kind = "queue_ring",                                          \
		.push = push_fn,                                               \
		.pull = pull_fn,                                               \
		.destroy = queue_ring_destroy,                                 \
		.len = queue_ring_len,                                         \
		.wait = queue_ring_wait,                                       \
		.wake = queue_ring_wake,                                       \
		.wait_any = queue_ring_wait_any,                               \
		.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL | (mt),          \
	}

QUEUE_RING_OPS(spsc, pk_queue_ring_push_sp, pk_queue_ring_pull_sc, 0);
QUEUE_RING_OPS(mpsc, queue_ring_push_mp, pk_queue_ring_pull_sc,
	       PK_STAGE_CAP_MT_PUSH);
QUEUE_RING_OPS(spmc, pk_queue_ring_push_sp, queue_ring_pull_mc,
	       PK_STAGE_CAP_MT_PULL);
QUEUE_RING_OPS(mpmc, queue_ring_push_mp, queue_ring_pull_mc,
	       PK_STAGE_CAP_MT_PUSH | PK_STAGE_CAP_MT_PULL);

static const struct pk_stage_ops *const queue_ring_variants[4] = {
	[0] = &queue_ring_spsc_ops,
	[PK_QUEUE_F_MP] = &queue_ring_mpsc_ops,
	[PK_QUEUE_F_MC] = &queue_ring_spmc_ops,
	[PK_QUEUE_F_MP | PK_QUEUE_F_MC] = &queue_ring_mpmc_ops,
};

/*
 * The ring lives in the stage's own allocation, after struct queue_ring
 * (rte_ring_init(), not rte_ring_create()): no memzone per queue (Debian's
 * DPDK has 2560 in all, and an arbiter's client mailboxes, a scheduler's
 * stage queues or a node's sockets number thousands), one allocation, and
 * a pusher into many cold queues (a demux with a queue per socket) finds
 * the stage and its ring on the same pages. Such a ring is not in the
 * global ring list (rte_ring_lookup()).
 */
#define QUEUE_RING_OFF RTE_ALIGN_CEIL(sizeof(struct queue_ring), \
				      RTE_CACHE_LINE_SIZE)

struct pk_stage *
pk_queue_ring_create(const char *name, unsigned int size, uint32_t qflags,
		     uint32_t sflags, int socket_id)
{
	static uint32_t ring_seq;
	char ring_name[RTE_RING_NAMESIZE];
	unsigned int rflags = 0;
	struct pk_stage *s;
	struct rte_ring *r;
	ssize_t rbytes;
	int rc;

	if (size < 2 || size > RTE_RING_SZ_MASK || !rte_is_power_of_2(size) ||
	    (qflags & ~(uint32_t)(PK_QUEUE_F_MP | PK_QUEUE_F_MC)) != 0) {
		PK_LOG(ERR, "%s: queue size %u must be a power of two in 2..%u"
		       " (flags 0x%x)", name != NULL ? name : "(null)", size,
		       RTE_RING_SZ_MASK, qflags);
		rte_errno = EINVAL;
		return NULL;
	}
	rbytes = rte_ring_get_memsize(size);
	if (rbytes < 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	s = pk_stage_alloc(QUEUE_RING_OFF + rbytes, queue_ring_variants[qflags],
			   name, sflags | PK_STAGE_F_UNLISTED, socket_id);
	if (s == NULL)
		return NULL;
	r = (struct rte_ring *)((char *)s + QUEUE_RING_OFF);
	if (!(qflags & PK_QUEUE_F_MP))
		rflags |= RING_F_SP_ENQ;
	if (!(qflags & PK_QUEUE_F_MC))
		rflags |= RING_F_SC_DEQ;
	/* ring names are short: make one up, the stage keeps its own name */
	snprintf(ring_name, sizeof(ring_name), "pkq_%u",
		 __atomic_fetch_add(&ring_seq, 1, __ATOMIC_RELAXED));
	rc = rte_ring_init(r, ring_name, size, rflags);
	if (rc != 0) {
		PK_LOG(ERR, "%s: ring of %u: %s", name, size, rte_strerror(-rc));
		pk_stage_free(s);
		rte_errno = -rc;
		return NULL;
	}
	s->ctx = r;
	pk_stage_publish(s); /* its len reads the ring: listed once set */
	return s;
}

static struct pk_stage *
queue_ring_create_kv(const char *name, const struct rte_kvargs *kv,
		     int socket_id)
{
	uint64_t size = PK_QUEUE_DEFAULT_SIZE, mp = 0, mc = 0;
	struct pk_dropper_conf dc;
	uint32_t sflags = 0;

	if (pk_stage_arg_u64(kv, "size", 2, RTE_RING_SZ_MASK, &size) != 0 ||
	    pk_stage_arg_u64(kv, "mp", 0, 1, &mp) != 0 ||
	    pk_stage_arg_u64(kv, "mc", 0, 1, &mc) != 0 ||
	    pk_stage_args_flags(kv, &sflags) != 0 ||
	    pk_dropper_args(kv, name, size - 1, &dc) != 0) {
		PK_LOG(ERR, "%s: bad queue_ring arguments", name);
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_dropper_attach(pk_queue_ring_create(name, size,
				    (mp ? PK_QUEUE_F_MP : 0) |
					    (mc ? PK_QUEUE_F_MC : 0),
				    sflags, socket_id), &dc);
}

static const char *const queue_ring_args[] = { "size", "mp", "mc",
					       PK_DROPPER_ARGS, NULL };
static struct pk_stage_kind queue_ring_kind = {
	.name = "queue_ring",
	.help = "packet queue on rte_ring",
	.args = queue_ring_args,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
	.create = queue_ring_create_kv,
};
PK_STAGE_KIND_REGISTER(queue_ring_kind);
