/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of owners' accounts (owner.c keeps them), for DPDK's
 * dpdk-telemetry.py:
 *   /pathkit/owners         every owner by name: its id, name and totals
 *                           over the rows (sent_pkts, sent_bytes,
 *                           received_pkts, ..., opened, closed); telemetry
 *                           keys are [A-Za-z0-9_/], so "a.b" (id 3) is
 *                           keyed "a_b/3"
 *   /pathkit/owner,<name>   one owner: its id, then one dict per row
 *                           ("tcp", "udp", ...) of the same counters, and
 *                           "paths": the sums over its live paths (paths,
 *                           in_pkts, out_pkts, dropped, held), whether or
 *                           not they account to a row (a path charged to
 *                           an id that names no owner is "unknown"'s)
 * Accounts are read as pk_owner_stats_get() reads them. Telemetry's reply
 * holds 16 KiB: /pathkit/owners lists the first owners that fit (eighty
 * with 19-digit counters), /pathkit/owner,<name> always fits. Parameters come
 * from whoever can reach the socket: a name matches byte for byte (one
 * longer than a name can be names none), the list takes none; anything
 * else answers null (-EINVAL, -ENOENT).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>

#include "pk_internal.h"

/* The eight counters of one row (or of a sum of rows) into dict d. */
static void
tel_acct_dict(struct rte_tel_data *d, const struct pk_acct *a)
{
	char key[32];
	unsigned int c;

	for (c = 0; c < PK_ACCT_COLS; c++) {
		snprintf(key, sizeof(key), "%s_pkts", pk_acct_col_name(c));
		rte_tel_data_add_dict_u64(d, key, a->pkts[c]);
		snprintf(key, sizeof(key), "%s_bytes", pk_acct_col_name(c));
		rte_tel_data_add_dict_u64(d, key, a->bytes[c]);
	}
	rte_tel_data_add_dict_u64(d, "opened", a->opened);
	rte_tel_data_add_dict_u64(d, "closed", a->closed);
}

/* A fresh dict of a's counters, added to d under key (d frees it). */
static int
tel_acct_add(struct rte_tel_data *d, const char *key, uint32_t id,
	     const char *name, const struct pk_acct *a)
{
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(c);
	if (name != NULL) {
		rte_tel_data_add_dict_u64(c, "id", id);
		rte_tel_data_add_dict_string(c, "name", name);
	}
	tel_acct_dict(c, a);
	if (rte_tel_data_add_dict_container(d, key, c, 0) != 0) {
		rte_tel_data_free(c);
		return -ENOSPC;
	}
	return 0;
}

/*
 * Telemetry takes keys of [A-Za-z0-9_/] only: a name with '.' or '-' is
 * keyed with those made '_' and "/<id>" after, which no owner name can be.
 */
static void
tel_owner_key(char *key, size_t size, uint32_t id, const char *name)
{
	size_t i;
	bool cut = false;

	for (i = 0; name[i] != '\0' && i + 1 < size; i++) {
		key[i] = name[i];
		if (name[i] == '.' || name[i] == '-') {
			key[i] = '_';
			cut = true;
		}
	}
	key[i] = '\0';
	if (cut)
		snprintf(key + i, size - i, "/%u", id);
}

static int
tel_owner_total(uint32_t id, const char *name, void *arg)
{
	char key[PK_OWNER_NAMESIZE + 16];
	struct pk_owner_stats st;
	struct pk_acct sum = { 0 };
	unsigned int r, c;

	if (pk_owner_stats_get(id, &st) != 0)
		return 0; /* destroyed meanwhile */
	for (r = PK_ACCT_NONE + 1; r < PK_ACCT_ROWS; r++) {
		for (c = 0; c < PK_ACCT_COLS; c++) {
			sum.pkts[c] += st.row[r].pkts[c];
			sum.bytes[c] += st.row[r].bytes[c];
		}
		sum.opened += st.row[r].opened;
		sum.closed += st.row[r].closed;
	}
	tel_owner_key(key, sizeof(key), id, name);
	/* stop when the dict is full (PK_OWNER_MAX fits, but be sure) */
	return tel_acct_add(arg, key, id, name, &sum) == -ENOSPC;
}

static int
tel_owners(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	pk_owner_foreach(tel_owner_total, d);
	return 0;
}

/* The sums over an owner's live paths, read under the live list's lock. */
struct tel_owner_paths {
	uint32_t id;
	uint64_t paths, in, out, dropped, held;
};

static int
tel_owner_path(const struct pk_stage *s, void *arg)
{
	struct pk_path *p = pk_path_from_stage((struct pk_stage *)(uintptr_t)s);
	struct tel_owner_paths *w = arg;
	struct pk_stage_stats st;
	uint32_t owner;
	unsigned int r;

	if (p == NULL)
		return 0;
	owner = pk_path_owner(p);
	if (pk_owner_name(owner) == NULL)
		owner = PK_OWNER_UNKNOWN; /* as pk_owner_charge() charges it */
	if (owner != w->id || pk_stage_stats_get(s, &st) != 0)
		return 0;
	w->paths++;
	w->in += st.in_pkts;
	w->out += st.out_pkts;
	w->held += st.held;
	for (r = 0; r < PK_DROP_MAX; r++)
		w->dropped += st.drops[r];
	return 0;
}

static int
tel_owner_paths(struct rte_tel_data *d, uint32_t id)
{
	struct tel_owner_paths w = { .id = id };
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c == NULL)
		return -ENOMEM;
	pk_stage_live_foreach(tel_owner_path, &w);
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_u64(c, "paths", w.paths);
	rte_tel_data_add_dict_u64(c, "in_pkts", w.in);
	rte_tel_data_add_dict_u64(c, "out_pkts", w.out);
	rte_tel_data_add_dict_u64(c, "dropped", w.dropped);
	rte_tel_data_add_dict_u64(c, "held", w.held);
	if (rte_tel_data_add_dict_container(d, "paths", c, 0) != 0) {
		rte_tel_data_free(c);
		return -ENOMEM;
	}
	return 0;
}

/* /pathkit/owner,<name>: the owner's rows, and its paths' sums. */
static int
tel_owner(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct pk_owner_stats st;
	unsigned int r;
	int id;

	RTE_SET_USED(cmd);
	if (params == NULL ||
	    strnlen(params, PK_OWNER_NAMESIZE) == PK_OWNER_NAMESIZE)
		return -EINVAL;
	id = pk_owner_lookup(params);
	if (id < 0 || pk_owner_stats_get(id, &st) != 0)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", params);
	rte_tel_data_add_dict_u64(d, "id", (uint64_t)id);
	for (r = PK_ACCT_NONE + 1; r < PK_ACCT_ROWS; r++)
		if (tel_acct_add(d, pk_acct_row_name(r), 0, NULL,
				 &st.row[r]) != 0)
			return -ENOMEM;
	return tel_owner_paths(d, (uint32_t)id);
}

RTE_INIT(pk_owner_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/owners", tel_owners,
		"Returns every PathKit owner's account, summed over its rows. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/owner", tel_owner,
		"Returns a PathKit owner's account row by row (tcp, udp, raw_*, "
		"misc) and its paths' sums. Parameters: the owner's name");
}
