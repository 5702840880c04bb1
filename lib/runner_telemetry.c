/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of runners: runner.c keeps them on a registry by name (from
 * pk_runner_create() until destroy, taken off before it is freed); this
 * file only reads it, under its lock, to answer
 *   /pathkit/runners          the names of the runners
 *   /pathkit/runner,<name>    its lcore, whether it is launched, the threads
 *                             attached to it and those it schedules now,
 *                             decisions, idle rounds, back-offs (pauses,
 *                             yields), busy and idle TSC cycles at hz
 * and to name a thread's runner for thread_telemetry.c. Statistics are read
 * as pk_runner_stats_get() reads them, safe from any thread. Parameters: as
 * telemetry_pvt.h; anything else answers null.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include "registry_pvt.h"
#include "runner_pvt.h"
#include "telemetry_pvt.h"

static struct pk_runner *
tel_runner_of(struct pk_registry_node *n)
{
	return container_of(n, struct pk_runner, reg);
}

/* /pathkit/runners: an array of names (at most the array's capacity). */
static int
tel_runner_name(struct pk_registry_node *n, void *arg)
{
	/* non-zero when full: the first RTE_TEL_MAX_ARRAY_ENTRIES */
	return rte_tel_data_add_array_string(arg, tel_runner_of(n)->name);
}

static int
tel_runners(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pk_registry_foreach(pk_runner_live, tel_runner_name, d);
	return 0;
}

static int
tel_runner_dict(struct pk_registry_node *n, void *arg)
{
	const struct pk_runner *r = tel_runner_of(n);
	struct rte_tel_data *d = arg;
	struct pk_runner_stats st;

	pk_runner_stats_get(r, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", r->name);
	rte_tel_data_add_dict_u64(d, "lcore", r->lcore_id);
	/* control's own fields, written by start, stop and thread create */
	rte_tel_data_add_dict_string(d, "state",
		__atomic_load_n(&r->launched, __ATOMIC_RELAXED) ?
		"running" : "stopped");
	rte_tel_data_add_dict_u64(d, "attached",
		__atomic_load_n(&r->nb_attached, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "threads", st.nb_threads);
	rte_tel_data_add_dict_u64(d, "hz", rte_get_tsc_hz());
	rte_tel_data_add_dict_u64(d, "decisions", st.decisions);
	rte_tel_data_add_dict_u64(d, "idle_rounds", st.idle_rounds);
	rte_tel_data_add_dict_u64(d, "pauses", st.pauses);
	rte_tel_data_add_dict_u64(d, "yields", st.yields);
	rte_tel_data_add_dict_u64(d, "busy_cycles", st.busy_cycles);
	rte_tel_data_add_dict_u64(d, "idle_cycles", st.idle_cycles);
	rte_tel_data_add_dict_string(d, "pick",
		st.pick == PK_RUNNER_PICK_RING ? "ring" : "heap");
	rte_tel_data_add_dict_u64(d, "pick_switches", st.pick_switches);
	return 0;
}

/* /pathkit/runner,<name>: runner names are unique. */
static int
tel_runner(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (pk_tel_name_check(params) != 0)
		return -EINVAL;
	return pk_registry_apply(pk_runner_live, params, tel_runner_dict, d);
}

/* A runner looked for by address, its name and lcore copied if found. */
struct tel_runner_find {
	const struct pk_runner *r;
	char *name;
	size_t size;
	unsigned int *lcore;
};

static int
tel_runner_match(struct pk_registry_node *n, void *arg)
{
	struct tel_runner_find *f = arg;
	const struct pk_runner *r = tel_runner_of(n);

	if (r != f->r)
		return 0;
	strlcpy(f->name, r->name, f->size);
	*f->lcore = r->lcore_id;
	return 1;
}

int
pk_tel_runner_name(const struct pk_runner *r, char *name, size_t size,
		   unsigned int *lcore)
{
	struct tel_runner_find f = { r, name, size, lcore };

	return pk_registry_foreach(pk_runner_live, tel_runner_match, &f) == 1 ?
	       0 : -ENOENT;
}

RTE_INIT(pk_runner_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/runners", tel_runners,
		"Returns the names of PathKit's runners. Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/runner", tel_runner,
		"Returns a runner's lcore, threads, decisions, busy and idle "
		"cycles. Parameters: the runner's name");
}
