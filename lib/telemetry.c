/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of stages: stage.c keeps the list of live stages (from
 * pk_stage_alloc(), or pk_stage_publish() for a kind that lists its stages
 * once built, until destroy, taken off before anything is freed);
 * this file only reads it, under the list's lock, to answer
 *   /pathkit/stages         the names of the live stages
 *   /pathkit/stage,<name>   one stage's kind, owner ("parent") and
 *                           statistics, held and refusals included
 * for DPDK's dpdk-telemetry.py, and holds the helpers the other telemetry
 * files share (telemetry_pvt.h). Only control functions take the lock: the
 * fast path never sees it. Statistics are read as pk_stage_stats_get() reads
 * them, safe from any thread. Parameters come from whoever can reach the
 * socket: a name matches byte for byte (one longer than a stage name can be
 * names none), the list takes none; anything else answers null (-EINVAL).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include <pathkit/pk_stage.h>

#include "pk_internal.h"
#include "telemetry_pvt.h"

int
pk_tel_name_check(const char *params)
{
	if (params == NULL || params[0] == '\0' ||
	    strnlen(params, PK_STAGE_NAMESIZE) == PK_STAGE_NAMESIZE)
		return -EINVAL;
	return 0;
}

/* "<prefix>_<reason>", '-' of "no-match" made '_' for JSON tools. */
static void
tel_drop_key(char *buf, size_t size, const char *prefix, enum pk_drop_reason r)
{
	char *p;

	snprintf(buf, size, "%s_%s", prefix, pk_drop_reason_name(r));
	for (p = buf; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p))
			*p = '_';
}

void
pk_tel_stage_counters(struct rte_tel_data *d, const struct pk_stage_stats *st)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int r;

	rte_tel_data_add_dict_u64(d, "in_pkts", st->in_pkts);
	rte_tel_data_add_dict_u64(d, "in_bytes", st->in_bytes);
	rte_tel_data_add_dict_u64(d, "out_pkts", st->out_pkts);
	rte_tel_data_add_dict_u64(d, "out_bytes", st->out_bytes);
	rte_tel_data_add_dict_u64(d, "held", st->held);
	for (r = 0; r < PK_DROP_MAX; r++) {
		tel_drop_key(key, sizeof(key), "drop", r);
		rte_tel_data_add_dict_u64(d, key, st->drops[r]);
		tel_drop_key(key, sizeof(key), "refused", r);
		rte_tel_data_add_dict_u64(d, key, st->refused[r]);
	}
}

/* A walk of the live list for one name, or for the names of one class. */
struct tel_walk {
	const char *name;                              /* NULL: every stage */
	bool (*is)(const struct pk_stage *s);          /* NULL: any class */
	int (*fn)(const struct pk_stage *s, void *arg);
	void *arg;
	bool found;
	int rc;                                        /* fn's, for a name */
};

static int
tel_walk_one(const struct pk_stage *s, void *arg)
{
	struct tel_walk *w = arg;

	if ((w->name != NULL && strcmp(s->name, w->name) != 0) ||
	    (w->is != NULL && !w->is(s)))
		return 0;
	if (w->name == NULL)
		return w->fn(s, w->arg);
	w->found = true;
	w->rc = w->fn(s, w->arg);
	return 1; /* the first of that name only */
}

int
pk_tel_live_apply(const char *name, bool (*is)(const struct pk_stage *s),
		  int (*fn)(const struct pk_stage *s, void *arg), void *arg)
{
	struct tel_walk w = { .name = name, .is = is, .fn = fn, .arg = arg };

	pk_stage_live_foreach(tel_walk_one, &w);
	return w.found ? w.rc : -ENOENT;
}

static int
tel_stage_name(const struct pk_stage *s, void *arg)
{
	/* non-zero when full: the first RTE_TEL_MAX_ARRAY_ENTRIES */
	return rte_tel_data_add_array_string(arg, s->name);
}

int
pk_tel_live_names(struct rte_tel_data *d, bool (*is)(const struct pk_stage *s))
{
	struct tel_walk w = { .is = is, .fn = tel_stage_name, .arg = d };

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pk_stage_live_foreach(tel_walk_one, &w);
	return 0;
}

/* /pathkit/stages: an array of names (at most the array's capacity). */
static int
tel_stages(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	return pk_tel_live_names(d, NULL);
}

static int
tel_stage_dict(const struct pk_stage *s, void *arg)
{
	struct rte_tel_data *d = arg;
	struct pk_stage_stats st;

	pk_stage_stats_get(s, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", s->name);
	rte_tel_data_add_dict_string(d, "kind", pk_stage_kind_name(s));
	rte_tel_data_add_dict_string(d, "parent",
				     s->parent != NULL ? s->parent->name : "");
	pk_tel_stage_counters(d, &st);
	return 0;
}

/* /pathkit/stage,<name>: the first live stage of that name. */
static int
tel_stage(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (pk_tel_name_check(params) != 0)
		return -EINVAL;
	return pk_stage_live_apply(params, tel_stage_dict, d);
}

RTE_INIT(pk_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/stages", tel_stages,
		"Returns the names of PathKit's live stages. Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/stage", tel_stage,
		"Returns a PathKit stage's kind, owner and statistics. "
		"Parameters: the stage's name");
}
