/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of threads. A thread is a stage: it is on stage.c's live list
 * from its create until its destroy, which takes it off first. Answers
 *   /pathkit/threads          the names of the live threads
 *   /pathkit/thread,<name>    its kind, state, where it runs (lcore; the
 *                             runner and its lcore for a continuation; -1
 *                             for an entry thread: its callers' context),
 *                             shares, burst, budget, the path it belongs to,
 *                             its run statistics (runs, idle_runs, pkts,
 *                             busy and idle TSC cycles at hz per second,
 *                             sleeps, wakeups) and its stage counters (in,
 *                             out, "full" drops of what downstream refused)
 * A continuation's runner is named only if it is still a runner when the
 * reply is made (telemetry_pvt.h); else its runner is "". Statistics are
 * read as pk_thread_stats_get() reads them, safe from any thread.
 * Parameters: as telemetry_pvt.h; anything else answers null.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include <pathkit/pk_thread_driver.h>

#include "telemetry_pvt.h"

static bool
tel_is_thread(const struct pk_stage *s)
{
	return pk_thread_from_stage((struct pk_stage *)(uintptr_t)s) != NULL;
}

/* /pathkit/threads: an array of names (at most the array's capacity). */
static int
tel_threads(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	return pk_tel_live_names(d, tel_is_thread);
}

/* A thread as read under the live list's lock; the reply is made after. */
struct tel_thread {
	char name[PK_STAGE_NAMESIZE];
	char path[PK_STAGE_NAMESIZE];
	const char *kind;               /* a driver's constant */
	const struct pk_runner *runner; /* compared, not followed */
	unsigned int lcore_id;
	bool running;
	uint32_t shares, burst, budget;
	struct pk_thread_stats ts;
	struct pk_stage_stats st;
};

static int
tel_thread_read(const struct pk_stage *s, void *arg)
{
	const struct pk_thread *t = (const struct pk_thread *)s;
	const struct pk_stage *parent = s->parent;
	struct tel_thread *tt = arg;

	strlcpy(tt->name, s->name, sizeof(tt->name));
	/* a member's path is freed only after the member left the list */
	strlcpy(tt->path, parent != NULL ? parent->name : "", sizeof(tt->path));
	tt->kind = pk_stage_kind_name(s);
	tt->runner = __atomic_load_n(&t->runner, __ATOMIC_RELAXED);
	tt->lcore_id = t->lcore_id;
	tt->running = pk_thread_state(t) == PK_THREAD_RUNNING;
	tt->shares = pk_thread_shares_get(t);
	tt->burst = t->burst;
	tt->budget = t->budget;
	pk_thread_stats_get(t, &tt->ts);
	pk_stage_stats_get(s, &tt->st);
	return 0;
}

/* Where it runs: its lcore, its runner's, or -1 (an entry thread's). */
static int
tel_thread_lcore(const struct tel_thread *tt, char *runner, size_t size)
{
	unsigned int lcore;

	runner[0] = '\0';
	if (strcmp(tt->kind, "thread_lcore") == 0)
		return (int)tt->lcore_id;
	/* found again on the runners' own list: it may be gone by now */
	if (tt->runner != NULL &&
	    pk_tel_runner_name(tt->runner, runner, size, &lcore) == 0)
		return (int)lcore;
	return -1;
}

/* /pathkit/thread,<name>: the first live thread of that name. */
static int
tel_thread(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char runner[PK_STAGE_NAMESIZE];
	struct tel_thread tt;
	const struct pk_thread_stats *ts = &tt.ts;
	int rc, lcore;

	RTE_SET_USED(cmd);
	if (pk_tel_name_check(params) != 0)
		return -EINVAL;
	rc = pk_tel_live_apply(params, tel_is_thread, tel_thread_read, &tt);
	if (rc != 0)
		return rc;
	lcore = tel_thread_lcore(&tt, runner, sizeof(runner));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", tt.name);
	rte_tel_data_add_dict_string(d, "kind", tt.kind);
	rte_tel_data_add_dict_string(d, "state",
				     tt.running ? "running" : "stopped");
	rte_tel_data_add_dict_int(d, "lcore", lcore);
	rte_tel_data_add_dict_string(d, "runner", runner);
	rte_tel_data_add_dict_string(d, "path", tt.path);
	rte_tel_data_add_dict_u64(d, "shares", tt.shares);
	rte_tel_data_add_dict_u64(d, "burst", tt.burst);
	rte_tel_data_add_dict_u64(d, "budget", tt.budget);
	rte_tel_data_add_dict_u64(d, "hz", rte_get_tsc_hz());
	rte_tel_data_add_dict_u64(d, "runs", ts->runs);
	rte_tel_data_add_dict_u64(d, "idle_runs", ts->idle_runs);
	rte_tel_data_add_dict_u64(d, "pkts", ts->pkts);
	rte_tel_data_add_dict_u64(d, "busy_cycles", ts->busy_cycles);
	rte_tel_data_add_dict_u64(d, "idle_cycles", ts->idle_cycles);
	rte_tel_data_add_dict_u64(d, "sleeps", ts->sleeps);
	rte_tel_data_add_dict_u64(d, "wakeups", ts->wakeups);
	pk_tel_stage_counters(d, &tt.st);
	return 0;
}

RTE_INIT(pk_thread_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/threads", tel_threads,
		"Returns the names of PathKit's live threads. Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/thread", tel_thread,
		"Returns a thread's kind, lcore or runner, shares, busy and idle "
		"cycles, runs and counters. Parameters: the thread's name");
}
