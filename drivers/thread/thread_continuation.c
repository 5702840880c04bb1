/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * thread_continuation: one of many threads multiplexed on one lcore by a
 * pk_runner (SILK's ThreadContinuation).
 * run: its start function, once per pick of the runner, which picks threads
 *   by shares and charges each the TSC cycles its pick used (stride
 *   scheduling, pk_runner.h); a pick runs it again while its runs end on
 *   their budget and are short (up to 64 runs, about 1 us). A run never
 *   blocks (an empty queue gives nothing) and keeps no stack state: the
 *   next run starts afresh.
 * start/stop: hand the thread to its runner / take it back; stop returns once
 *   the runner has dropped it, so no run of it is in progress. Both work while
 *   the runner runs.
 * threads: control thread for start, stop, shares; counters written by the
 *   runner's lcore.
 * args: runner=<runner name> shares=<1..65536, 1> burst=<1..512, 32>
 *   budget=<256>
 * stats: runs, pkts, busy cycles (as charged), idle cycles; in, out, full
 */
#include <errno.h>

#include <rte_errno.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_thread_driver.h>

static int
thread_continuation_start(struct pk_thread *t)
{
	if (t->runner == NULL) {
		PK_LOG(ERR, "%s: its runner was destroyed", t->stage.name);
		return -EINVAL;
	}
	return pk_runner_add(t->runner, t);
}

static void
thread_continuation_stop(struct pk_thread *t)
{
	pk_runner_remove(t->runner, t);
}

static void
thread_continuation_detach(struct pk_thread *t)
{
	pk_runner_detach(t->runner, t);
}

static const struct pk_thread_kind_ops thread_continuation_kops = {
	.start = thread_continuation_start,
	.stop = thread_continuation_stop,
	.detach = thread_continuation_detach,
};

static const struct pk_stage_ops thread_continuation_ops = {
	.kind = "thread_continuation",
	.destroy = pk_thread_stage_destroy,
	.caps = PK_THREAD_CAPS,
};

struct pk_thread *
pk_thread_continuation_create(const struct pk_thread_conf *conf,
			      struct pk_runner *r)
{
	struct pk_thread_conf c;
	struct pk_thread *t;
	int rc;

	if (conf == NULL || r == NULL) {
		PK_LOG(ERR, "%s: a continuation needs a runner",
		       conf != NULL && conf->name != NULL ? conf->name : "?");
		rte_errno = EINVAL;
		return NULL;
	}
	c = *conf;
	c.flags |= PK_THREAD_F_NONBLOCK; /* a continuation never blocks */
	t = pk_thread_alloc(&c, &thread_continuation_ops,
			    &thread_continuation_kops);
	if (t == NULL)
		return NULL;
	rc = pk_runner_attach(r, t);
	if (rc != 0) {
		PK_LOG(ERR, "%s: runner has %d threads already", c.name,
		       PK_RUNNER_MAX_THREADS);
		pk_stage_free(&t->stage);
		rte_errno = -rc;
		return NULL;
	}
	t->domain = r; /* a runner runs one of its threads at a time */
	return t;
}

static struct pk_stage *
thread_continuation_create_kv(const char *name, const struct rte_kvargs *kv,
			      int socket_id)
{
	struct pk_thread_conf c = { .name = name, .socket_id = socket_id };
	const char *rname = kv != NULL ? rte_kvargs_get(kv, "runner") : NULL;
	struct pk_runner *r = pk_runner_find(rname);

	if (pk_thread_args(kv, &c) != 0 || r == NULL) {
		PK_LOG(ERR, "%s: thread_continuation needs runner=<name of a "
		       "runner> (got %s)", name, rname != NULL ? rname : "none");
		rte_errno = EINVAL;
		return NULL;
	}
	return pk_thread_stage(pk_thread_continuation_create(&c, r));
}

static const char *const thread_continuation_args[] = {
	"runner", "shares", "burst", "budget", "nonblock", NULL };
static struct pk_stage_kind thread_continuation_kind = {
	.name = "thread_continuation",
	.help = "thread multiplexed on a runner's lcore by shares",
	.args = thread_continuation_args,
	.caps = PK_THREAD_CAPS,
	.create = thread_continuation_create_kv,
};
PK_STAGE_KIND_REGISTER(thread_continuation_kind);
