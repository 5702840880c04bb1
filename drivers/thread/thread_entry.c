/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * thread_entry: a thread the application's own threads run (SILK's
 * ThreadEntryPoint), for lazy receiver processing: the receiving thread does
 * the protocol work in its own context and is charged for it.
 * run: pk_thread_entry_run() calls the start function once in the caller's
 *   context: any EAL lcore, or a pthread registered with
 *   rte_thread_register() (so that mempool caches work). One caller at a
 *   time; a second gets -EBUSY. A run never sleeps, whatever the flags: a
 *   caller that wants to wait for packets sleeps on the source queue itself
 *   (pk_queue_wait()) between runs, as a blocking recv() would.
 * owner: the first caller owns the thread: its runs take no atomic
 *   read-modify-write, only a flag that a stop or another caller sees
 *   through membarrier(2). The first run by another caller takes the bias
 *   away for good (one membarrier); runs are then claimed with a
 *   compare-and-swap, as without membarrier(2).
 * cycles: one run in 16 on average, at random, is timed with two TSC reads
 *   and its cycles stand for the runs since the last timed one (the first
 *   run is timed): busy and idle cycles are estimates, runs, idle runs and
 *   packets exact.
 * rcu: a run makes its caller one of the library's RCU readers (pk_rcu.h)
 *   for its length (online before, offline after: a store and a full fence
 *   per run), unless the caller is online already: a loop that runs entry
 *   threads often goes online itself (pk_rcu_online()) and reports once per
 *   iteration (pk_rcu_quiescent()), and each run then costs a thread-local
 *   load. Between runs such a caller must go offline (pk_rcu_offline())
 *   before it sleeps or blocks; one that is not online is offline anyway.
 * start/stop: allow runs / refuse new ones and wait for the one in progress.
 * threads: control thread for start and stop; counters written by whoever
 *   runs it (one at a time).
 * args: burst=<1..512, 32> budget=<256>
 * stats: runs, pkts, busy/idle cycles (sampled); in, out, full
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_pause.h>
#include <rte_random.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_rcu.h>
#include <pathkit/pk_thread_driver.h>

#define ENTRY_NO_BIAS ((uintptr_t)1) /* entry_owner: claimed with a CAS */
#define ENTRY_GAP_MAX 31             /* runs between timed runs: 1..31 */

static const struct pk_stage_ops thread_entry_ops;

/* Who calls: any value no other live thread has (never 0 nor 1). */
static inline uintptr_t
entry_self(void)
{
#if defined(__has_builtin) && __has_builtin(__builtin_thread_pointer)
	return (uintptr_t)__builtin_thread_pointer(); /* no call into libc */
#else
	return (uintptr_t)pthread_self();
#endif
}

static bool entry_membarrier_ok;
static pthread_once_t entry_once = PTHREAD_ONCE_INIT;

static void
entry_membarrier_init(void)
{
	entry_membarrier_ok = syscall(SYS_membarrier,
		MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

/* A full fence on every running thread of the process (an owner's too). */
static void
entry_heavy_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

/* A timed run: its cycles stand for the runs since the last timed one. */
static int __rte_noinline
entry_run_timed(struct pk_thread *t)
{
	uint32_t x = t->entry_rng, gap = t->entry_gap;
	uint64_t t0 = rte_rdtsc();
	int n = t->fn(t, t->arg);

	pk_thread_charge(t, n, (rte_rdtsc() - t0) * gap);
	/* xorshift32: where the next timed run falls */
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	t->entry_rng = x;
	t->entry_gap = 1 + x % ENTRY_GAP_MAX;
	t->entry_left = t->entry_gap;
	return n;
}

/* One run, by whoever holds the thread now. */
static __rte_always_inline int
entry_run_body(struct pk_thread *t)
{
	int n;

	if (unlikely(--t->entry_left == 0))
		return entry_run_timed(t);
	n = t->fn(t, t->arg);
	pk_counter_add(&t->st.runs, 1);
	if (likely(n > 0))
		pk_counter_add(&t->st.pkts, (uint64_t)n);
	else
		pk_counter_add(&t->st.idle_runs, 1);
	return n;
}

/* A run by a caller that is not an RCU reader: one for the run's length. */
static int __rte_noinline
entry_run_reader(struct pk_thread *t)
{
	struct rte_rcu_qsbr *rcu;
	unsigned int rid = 0;
	int n;

	rcu = pk_rcu_online(&rid);
	n = entry_run_body(t);
	pk_rcu_offline(rcu, rid);
	return n;
}

/*
 * One run, an RCU reader meanwhile: a caller online already (its loop
 * reports quiescent states, pk_rcu.h) is one for the whole run, and the
 * run nests in it without a bracket of its own (what the run calls may
 * still bracket itself: those pairs balance inside it).
 */
static inline int
entry_run(struct pk_thread *t)
{
	if (likely(pk_rcu_is_online()))
		return entry_run_body(t);
	return entry_run_reader(t);
}

static inline bool
entry_may_run(const struct pk_thread *t)
{
	return !pk_thread_stop_asked(t) &&
	       __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == PK_THREAD_RUNNING;
}

/*
 * May the owner run? Its stop_req alone says: an owner exists only after a
 * run of a started thread, and from a stop to the next start stop_req is
 * set (a start clears it just before it marks the thread running).
 */
static inline bool
entry_owner_may_run(const struct pk_thread *t, uintptr_t self)
{
	return __atomic_load_n(&t->entry_owner, __ATOMIC_RELAXED) == self &&
	       !pk_thread_stop_asked(t);
}

/* Not the owner (or a stop is on its way): claim the run with a CAS. */
static int __rte_noinline
entry_run_shared(struct pk_thread *t, uintptr_t self)
{
	uint32_t idle = 0;
	uintptr_t owner;
	int n;

	if (!__atomic_compare_exchange_n(&t->entry_busy, &idle, 1, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return -EBUSY;
	/* after taking entry_busy: a stop either sees us busy or we see it */
	if (!entry_may_run(t)) {
		n = -EAGAIN;
		goto out;
	}
	owner = __atomic_load_n(&t->entry_owner, __ATOMIC_RELAXED);
	if (owner == 0) {
		/* the first caller: bias the runs to it, if it can be undone */
		pthread_once(&entry_once, entry_membarrier_init);
		__atomic_store_n(&t->entry_owner,
				 entry_membarrier_ok ? self : ENTRY_NO_BIAS,
				 __ATOMIC_RELAXED);
	} else if (owner != ENTRY_NO_BIAS && owner != self) {
		/* another caller: the owner's runs see this, or show as busy */
		__atomic_store_n(&t->entry_owner, ENTRY_NO_BIAS,
				 __ATOMIC_SEQ_CST);
		entry_heavy_fence();
	}
	/* a run the owner began before the bias went is still its own */
	if (__atomic_load_n(&t->entry_owner_busy, __ATOMIC_ACQUIRE) != 0) {
		n = -EBUSY;
		goto out;
	}
	n = entry_run(t);
out:
	__atomic_store_n(&t->entry_busy, 0, __ATOMIC_RELEASE);
	return n;
}

int
pk_thread_entry_run(struct pk_thread *t)
{
	uintptr_t self;
	int n;

	if (unlikely(t == NULL))
		return -EINVAL;
	self = entry_self();
	/* an owner is set on entry threads only: no need to look at the kind */
	if (likely(__atomic_load_n(&t->entry_owner, __ATOMIC_RELAXED) ==
		   self)) {
		__atomic_store_n(&t->entry_owner_busy, 1, __ATOMIC_RELAXED);
		/*
		 * No fence: whoever must see the store before our loads (a
		 * stop, a caller taking the bias away) fences for us with
		 * membarrier(2). Only the compiler must keep the order.
		 */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (likely(entry_owner_may_run(t, self))) {
			n = entry_run(t);
			__atomic_store_n(&t->entry_owner_busy, 0,
					 __ATOMIC_RELEASE);
			return n;
		}
		__atomic_store_n(&t->entry_owner_busy, 0, __ATOMIC_RELEASE);
	}
	if (unlikely(t->stage.ops != &thread_entry_ops))
		return -EINVAL;
	return entry_run_shared(t, self);
}

static int
thread_entry_start(struct pk_thread *t)
{
	RTE_SET_USED(t);
	return 0; /* runs happen when callers come */
}

static void
thread_entry_stop(struct pk_thread *t)
{
	unsigned int spins = 0;

	/* stop_req is set (seq_cst): an owner's run sees it or shows as busy */
	pthread_once(&entry_once, entry_membarrier_init);
	if (entry_membarrier_ok)
		entry_heavy_fence();
	/* wait out the run in progress, if any */
	while (__atomic_load_n(&t->entry_busy, __ATOMIC_SEQ_CST) != 0 ||
	       __atomic_load_n(&t->entry_owner_busy, __ATOMIC_SEQ_CST) != 0) {
		if (++spins < 1024)
			rte_pause();
		else
			sched_yield();
	}
}

static const struct pk_thread_kind_ops thread_entry_kops = {
	.start = thread_entry_start,
	.stop = thread_entry_stop,
};

static const struct pk_stage_ops thread_entry_ops = {
	.kind = "thread_entry",
	.destroy = pk_thread_stage_destroy,
	.caps = PK_THREAD_CAPS,
};

struct pk_thread *
pk_thread_entry_create(const struct pk_thread_conf *conf)
{
	struct pk_thread *t;

	t = pk_thread_alloc(conf, &thread_entry_ops, &thread_entry_kops);
	if (t == NULL)
		return NULL;
	t->entry_left = 1; /* the first run is timed */
	t->entry_gap = 1;
	t->entry_rng = (uint32_t)rte_rand() | 1; /* xorshift: never 0 */
	return t;
}

static struct pk_stage *
thread_entry_create_kv(const char *name, const struct rte_kvargs *kv,
		       int socket_id)
{
	struct pk_thread_conf c = { .name = name, .socket_id = socket_id };

	if (pk_thread_args(kv, &c) != 0) {
		PK_LOG(ERR, "%s: bad thread_entry arguments", name);
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_thread_stage(pk_thread_entry_create(&c));
}

static const char *const thread_entry_args[] = {
	"burst", "budget", "nonblock", "shares", NULL };
static struct pk_stage_kind thread_entry_kind = {
	.name = "thread_entry",
	.help = "thread run by the caller's own thread (lazy receiver "
		"processing)",
	.args = thread_entry_args,
	.caps = PK_THREAD_CAPS,
	.create = thread_entry_create_kv,
};
PK_STAGE_KIND_REGISTER(thread_entry_kind);
