/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: every live stage is on one list (pk_stage_alloc() puts it
 * there; pk_stage_destroy() and pk_stage_free() take it off before anything
 * is freed), which the telemetry thread walks under a mutex to answer
 *   /pathkit/stages         the names of the live stages
 *   /pathkit/stage,<name>   one stage's kind, owner and statistics
 * for DPDK's dpdk-telemetry.py. Only control functions take the mutex: the
 * fast path never sees it. Statistics are read as pk_stage_stats_get() reads
 * them, safe from any thread.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include <pathkit/pk_stage.h>

#include "pk_internal.h"

static TAILQ_HEAD(, pk_stage) live_stages = TAILQ_HEAD_INITIALIZER(live_stages);
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;

void
pk_stage_registry_add(struct pk_stage *s)
{
	pthread_mutex_lock(&live_lock);
	TAILQ_INSERT_TAIL(&live_stages, s, live);
	s->listed = true;
	pthread_mutex_unlock(&live_lock);
}

void
pk_stage_registry_del(struct pk_stage *s)
{
	pthread_mutex_lock(&live_lock);
	if (s->listed) {
		TAILQ_REMOVE(&live_stages, s, live);
		s->listed = false;
	}
	pthread_mutex_unlock(&live_lock);
}

/* /pathkit/stages: an array of names (at most the array's capacity). */
static int
tel_stages(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct pk_stage *s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&live_lock);
	TAILQ_FOREACH(s, &live_stages, live)
		if (rte_tel_data_add_array_string(d, s->name) != 0)
			break; /* full: the first RTE_TEL_MAX_ARRAY_ENTRIES */
	pthread_mutex_unlock(&live_lock);
	return 0;
}

/* "drop_<reason>", with the '-' of "no-match" made '_' for JSON tools. */
static void
tel_drop_key(char *buf, size_t size, enum pk_drop_reason r)
{
	char *p;

	snprintf(buf, size, "drop_%s", pk_drop_reason_name(r));
	for (p = buf; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p))
			*p = '_';
}

static void
tel_stage_dict(struct rte_tel_data *d, const struct pk_stage *s)
{
	struct pk_stage_stats st;
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int r;

	pk_stage_stats_get(s, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", s->name);
	rte_tel_data_add_dict_string(d, "kind", s->ops->kind);
	rte_tel_data_add_dict_string(d, "parent",
				     s->parent != NULL ? s->parent->name : "");
	rte_tel_data_add_dict_u64(d, "in_pkts", st.in_pkts);
	rte_tel_data_add_dict_u64(d, "in_bytes", st.in_bytes);
	rte_tel_data_add_dict_u64(d, "out_pkts", st.out_pkts);
	rte_tel_data_add_dict_u64(d, "out_bytes", st.out_bytes);
	for (r = 0; r < PK_DROP_MAX; r++) {
		tel_drop_key(key, sizeof(key), r);
		rte_tel_data_add_dict_u64(d, key, st.drops[r]);
	}
}

/* /pathkit/stage,<name>: the first live stage of that name. */
static int
tel_stage(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct pk_stage *s;
	int rc = -ENOENT;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	pthread_mutex_lock(&live_lock);
	TAILQ_FOREACH(s, &live_stages, live)
		if (strcmp(s->name, params) == 0) {
			tel_stage_dict(d, s);
			rc = 0;
			break;
		}
	pthread_mutex_unlock(&live_lock);
	return rc;
}

RTE_INIT(pk_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/stages", tel_stages,
		"Returns the names of PathKit's live stages. Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/stage", tel_stage,
		"Returns a PathKit stage's kind, owner and statistics. "
		"Parameters: the stage's name");
}
