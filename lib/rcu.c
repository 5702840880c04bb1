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

/* Per thread: online depth, and whether this thread registered its id. */
static __thread uint32_t rcu_nest __attribute__((tls_model("initial-exec")));
static __thread uint32_t rcu_reg_id
	__attribute__((tls_model("initial-exec"))); /* id + 1, or 0 */

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

/* The outermost online: register the thread's id once, then go online. */
static struct rte_rcu_qsbr * __rte_noinline
rcu_go_online(unsigned int *id)
{
	unsigned int lc = rte_lcore_id();
	struct rte_rcu_qsbr *v;

	if (lc >= RTE_MAX_LCORE)
		return NULL; /* no id: cannot be a reader */
	v = pk_rcu_qsbr();
	if (v == NULL)
		return NULL;
	if (rcu_reg_id != lc + 1) {
		/* ids stay registered: offline, a reader costs writers nothing */
		if (rte_rcu_qsbr_thread_register(v, lc) != 0)
			return NULL;
		rcu_reg_id = lc + 1;
	}
	rte_rcu_qsbr_thread_online(v, lc);
	*id = lc;
	return v;
}

struct rte_rcu_qsbr *
pk_rcu_online(unsigned int *id)
{
	struct rte_rcu_qsbr *v;

	if (likely(rcu_nest++ != 0))
		return NULL; /* an outer context is online and reports */
	v = rcu_go_online(id);
	if (unlikely(v == NULL))
		rcu_nest--; /* not a reader: nothing to nest in */
	return v;
}

void
pk_rcu_offline(struct rte_rcu_qsbr *v, unsigned int id)
{
	if (v == NULL) {
		if (rcu_nest != 0)
			rcu_nest--;
		return;
	}
	rte_rcu_qsbr_thread_offline(v, id);
	rcu_nest = 0;
}

bool
pk_rcu_is_online(void)
{
	return rcu_nest != 0;
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
	unsigned int lc = rte_lcore_id(), spins = 0;
	uint64_t token;

	if (v == NULL)
		return; /* never made: no reader ever went online */
	/* an online caller is one of the readers: it reports for itself */
	if (rcu_nest != 0 && lc < RTE_MAX_LCORE)
		rte_rcu_qsbr_quiescent(v, lc);
	token = rte_rcu_qsbr_start(v);
	if (rcu_nest != 0 && lc < RTE_MAX_LCORE)
		rte_rcu_qsbr_quiescent(v, lc);
	while (rte_rcu_qsbr_check(v, token, false) == 0) {
		if (++spins < RCU_SPINS)
			rte_pause();
		else
			sched_yield();
	}
}
