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
 * start/stop: allow runs / refuse new ones and wait for the one in progress.
 * threads: control thread for start and stop; counters written by whoever
 *   runs it (one at a time).
 * args: burst=<1..512, 32> budget=<256>
 * stats: runs, pkts, busy/idle cycles; in, out, full
 */
#include <errno.h>
#include <sched.h>

#include <rte_errno.h>
#include <rte_pause.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_thread_driver.h>

static const struct pk_stage_ops thread_entry_ops;

int
pk_thread_entry_run(struct pk_thread *t)
{
	uint32_t idle = 0;
	int n;

	if (t == NULL || t->stage.ops != &thread_entry_ops)
		return -EINVAL;
	if (!__atomic_compare_exchange_n(&t->entry_busy, &idle, 1, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return -EBUSY;
	/* after taking entry_busy: a stop either sees us busy or we see it */
	if (pk_thread_stop_asked(t) ||
	    __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != PK_THREAD_RUNNING)
		n = -EAGAIN;
	else
		n = pk_thread_run_once(t);
	__atomic_store_n(&t->entry_busy, 0, __ATOMIC_RELEASE);
	return n;
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

	/* stop_req is set (seq_cst): wait out the run in progress, if any */
	while (__atomic_load_n(&t->entry_busy, __ATOMIC_SEQ_CST) != 0) {
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
	return pk_thread_alloc(conf, &thread_entry_ops, &thread_entry_kops);
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
