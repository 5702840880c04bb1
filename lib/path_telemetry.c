/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of paths. A path is a stage: it is on stage.c's live list from
 * pk_path_create() until its destroy, which takes it off before its members
 * go, so a path read under the list's lock has all its members. Answers
 *   /pathkit/paths          the names of the live paths
 *   /pathkit/path,<name>    its owner (name and id), accounting row, its
 *                           members in order (head first) and counters:
 *                           in, out, drops by reason (its members'), held
 *                           (what its members hold), refusals at its head
 * When nothing moves, in_pkts = out_pkts + the drops + held (pk_path.h).
 * Counters are read as pk_stage_stats_get() reads them, safe from any
 * thread. Parameters: as telemetry_pvt.h; anything else answers null.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>

#include "telemetry_pvt.h"

static bool
tel_is_path(const struct pk_stage *s)
{
	return pk_path_from_stage((struct pk_stage *)(uintptr_t)s) != NULL;
}

/* /pathkit/paths: an array of names (at most the array's capacity). */
static int
tel_paths(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	return pk_tel_live_names(d, tel_is_path);
}

/* The members' names, head first, as an array d keeps. */
static int
tel_path_members(struct rte_tel_data *d, const struct pk_path *p)
{
	struct rte_tel_data *m = rte_tel_data_alloc();
	unsigned int i, n = pk_path_nb_stages(p);

	if (m == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(m, RTE_TEL_STRING_VAL);
	for (i = 0; i < n; i++)
		rte_tel_data_add_array_string(m, pk_path_stage_at(p, i)->name);
	if (rte_tel_data_add_dict_container(d, "members", m, 0) != 0) {
		rte_tel_data_free(m);
		return -ENOMEM;
	}
	return 0;
}

static int
tel_path_dict(const struct pk_stage *s, void *arg)
{
	const struct pk_path *p = pk_path_from_stage((struct pk_stage *)(uintptr_t)s);
	char owner[PK_OWNER_NAMESIZE];
	struct rte_tel_data *d = arg;
	struct pk_stage_stats st;
	uint64_t dropped = 0;
	const char *oname;
	unsigned int r;

	/* an owner's name lives in a table: copied, it cannot move */
	oname = pk_owner_name(pk_path_owner(p));
	strlcpy(owner, oname != NULL ? oname : PK_OWNER_UNKNOWN_NAME,
		sizeof(owner));
	pk_stage_stats_get(s, &st);
	for (r = 0; r < PK_DROP_MAX; r++)
		dropped += st.drops[r];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", s->name);
	rte_tel_data_add_dict_string(d, "owner", owner);
	rte_tel_data_add_dict_u64(d, "owner_id", pk_path_owner(p));
	rte_tel_data_add_dict_string(d, "acct",
				     pk_acct_row_name(pk_path_acct(p)));
	rte_tel_data_add_dict_u64(d, "stages", pk_path_nb_stages(p));
	if (tel_path_members(d, p) != 0)
		return -ENOMEM;
	rte_tel_data_add_dict_u64(d, "dropped", dropped);
	pk_tel_stage_counters(d, &st);
	return 0;
}

/* /pathkit/path,<name>: the first live path of that name. */
static int
tel_path(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (pk_tel_name_check(params) != 0)
		return -EINVAL;
	return pk_tel_live_apply(params, tel_is_path, tel_path_dict, d);
}

RTE_INIT(pk_path_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/paths", tel_paths,
		"Returns the names of PathKit's live paths. Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/path", tel_path,
		"Returns a path's owner, members (head first) and counters: in, "
		"out, drops by reason, held. Parameters: the path's name");
}
