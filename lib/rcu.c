/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's QSBR variable (pk_rcu.h): made once, in libc memory (it
 * must exist before any rte_malloc heap a test or an application makes,
 * and outlive them all), for RTE_MAX_LCORE readers by lcore id. A reader's
 * nesting depth is thread-local: the library's loops (runner, thread_lcore,
 * entry runs) nest inside each other when an application runs one from
 * another, and only the outermost reports or changes state.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_rcu.h>

#define RCU_SPINS 256 /* pauses before a synchronize yields its CPU */

static struct rte_rcu_qsbr *rcu_v;
static pthread_once_t rcu_once = PTHREAD_ONCE_INIT;

/*
 * Per thread: online depth (pk_rcu_depth_, read and bumped inline by
 * pk_rcu.h when nested), and the id it registered (id + 1, or 0). The
 * id is kept rather than asked of the EAL at every outermost online (an
 * entry run's: rte_lcore_id() is a call into another library's thread-local
 * storage); a non-EAL thread that gives its lcore id back
 * (rte_thread_unregister()) forgets it first (rcu_lcore_gone()).
 */
__thread uint32_t pk_rcu_depth_ __attribute__((tls_model("initial-exec")));
static __thread uint32_t rcu_reg_id __attribute__((tls_model("initial-exec")));

/* An lcore id released: if it is this thread's, offline and forget it. */
static void
rcu_lcore_gone(unsigned int lcore_id, void *arg)
{
	RTE_SET_USED(arg);
	if (rcu_reg_id != lcore_id + 1)
		return; /* not ours (callbacks run in the releasing thread) */
	rte_rcu_qsbr_thread_offline(rcu_v, lcore_id);
	rcu_reg_id = 0;
	pk_rcu_depth_ = 0;
}

static void
rcu_make(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	struct rte_rcu_qsbr *v;

	sz = RTE_ALIGN_CEIL(sz, RTE_CACHE_LINE_SIZE);
	v = aligned_alloc(RTE_CACHE_LINE_SIZE, sz);
	if (v == NULL)
		return;
	if (rte_rcu_qsbr_init(v, RTE_MAX_LCORE) != 0) {
		free(v);
		return;
	}
	__atomic_store_n(&rcu_v, v, __ATOMIC_RELEASE);
	if (rte_lcore_callback_register("pk_rcu", NULL, rcu_lcore_gone,
					NULL) == NULL)
		PK_LOG(WARNING, "rcu: no lcore callback: a non-EAL thread must "
		       "not come back with another lcore id once a reader");
}

struct rte_rcu_qsbr *
pk_rcu_qsbr(void)
{
	struct rte_rcu_qsbr *v = __atomic_load_n(&rcu_v, __ATOMIC_ACQUIRE);

	if (likely(v != NULL))
		return v;
	pthread_once(&rcu_once, rcu_make);
	v = __atomic_load_n(&rcu_v, __ATOMIC_ACQUIRE);
	if (v == NULL) {
		PK_LOG(ERR, "rcu: no memory for the library's QSBR variable");
		rte_errno = ENOMEM;
	}
	return v;
}

/* A thread's first outermost online: register its lcore id. 0 or -1. */
static int __rte_noinline
rcu_register(void)
{
	unsigned int lc = rte_lcore_id();
	struct rte_rcu_qsbr *v;

	if (lc >= RTE_MAX_LCORE)
		return -1; /* no id: cannot be a reader */
	v = pk_rcu_qsbr();
	/* ids stay registered: offline, a reader costs writers nothing */
	if (v == NULL || rte_rcu_qsbr_thread_register(v, lc) != 0)
		return -1;
	rcu_reg_id = lc + 1;
	return 0;
}

/* pk_rcu_online() at depth 0 (the inline nested case is in pk_rcu.h). */
struct rte_rcu_qsbr *
pk_rcu_online_outer(unsigned int *id)
{
	unsigned int lc;

	if (unlikely(pk_rcu_depth_++ != 0))
		return NULL; /* called directly while nested */
	if (unlikely(rcu_reg_id == 0) && rcu_register() != 0) {
		pk_rcu_depth_--; /* not a reader: nothing to nest in */
		return NULL;
	}
	lc = rcu_reg_id - 1;
	rte_rcu_qsbr_thread_online(rcu_v, lc);
	*id = lc;
	return rcu_v;
}

/* pk_rcu_offline() of the outermost context (v from pk_rcu_online()). */
void
pk_rcu_offline_outer(struct rte_rcu_qsbr *v, unsigned int id)
{
	if (v == NULL) {
		if (pk_rcu_depth_ != 0)
			pk_rcu_depth_--;
		return;
	}
	rte_rcu_qsbr_thread_offline(v, id);
	pk_rcu_depth_ = 0;
}

/*
 * As rte_rcu_qsbr_synchronize(), but a wait that lasts gives the CPU away:
 * on a machine with fewer CPUs than busy threads the readers waited for may
 * need the waiter's CPU to reach their quiescent state.
 */
void
pk_rcu_synchronize(void)
{
	struct rte_rcu_qsbr *v = __atomic_load_n(&rcu_v, __ATOMIC_ACQUIRE);
	unsigned int spins = 0;
	uint64_t token;

	if (v == NULL)
		return; /* never made: no reader ever went online */
	token = rte_rcu_qsbr_start(v);
	/* an online caller is one of the readers: it reports for itself */
	if (pk_rcu_depth_ != 0 && rcu_reg_id != 0)
		rte_rcu_qsbr_quiescent(v, rcu_reg_id - 1);
	while (rte_rcu_qsbr_check(v, token, false) == 0) {
		if (++spins < RCU_SPINS)
			rte_pause();
		else
			sched_yield();
	}
}
