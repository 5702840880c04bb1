/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arbiter telemetry: every live arbiter is on a list (pk_arbiter_create()
 * puts it there, pk_arbiter_destroy() takes it off first), which the
 * telemetry thread walks under a mutex to answer
 *   /pathkit/arbiters                    the names of the live arbiters
 *   /pathkit/arbiter,<name>              its loop statistics and the sums
 *                                        over its clients
 *   /pathkit/arbiter_client,<name>,<i>   client i's statistics
 * Statistics are read as pk_arbiter_stats_get() and
 * pk_arbiter_client_stats_get() read them, safe from any thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include <pathkit/pk_arbiter.h>
#include <pathkit/pk_stage.h>

#include "pk_internal.h"

struct arb_entry {
	TAILQ_ENTRY(arb_entry) next;
	struct pk_arbiter *a;
};

static TAILQ_HEAD(, arb_entry) live_arbiters =
	TAILQ_HEAD_INITIALIZER(live_arbiters);
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;

int
pk_arbiter_registry_add(struct pk_arbiter *a)
{
	struct arb_entry *e = malloc(sizeof(*e));

	if (e == NULL)
		return -ENOMEM;
	e->a = a;
	pthread_mutex_lock(&live_lock);
	TAILQ_INSERT_TAIL(&live_arbiters, e, next);
	pthread_mutex_unlock(&live_lock);
	return 0;
}

void
pk_arbiter_registry_del(struct pk_arbiter *a)
{
	struct arb_entry *e;

	pthread_mutex_lock(&live_lock);
	TAILQ_FOREACH(e, &live_arbiters, next)
		if (e->a == a)
			break;
	if (e != NULL)
		TAILQ_REMOVE(&live_arbiters, e, next);
	pthread_mutex_unlock(&live_lock);
	free(e);
}

/* The live arbiter of that name; call with live_lock held. */
static struct pk_arbiter *
arb_find(const char *name)
{
	struct arb_entry *e;

	TAILQ_FOREACH(e, &live_arbiters, next)
		if (strcmp(pk_arbiter_name(e->a), name) == 0)
			return e->a;
	return NULL;
}

static int
tel_arbiters(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct arb_entry *e;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&live_lock);
	TAILQ_FOREACH(e, &live_arbiters, next)
		if (rte_tel_data_add_array_string(d, pk_arbiter_name(e->a)))
			break;
	pthread_mutex_unlock(&live_lock);
	return 0;
}

/* The five per-client counters, under the names of the struct's fields. */
static void
tel_client_counters(struct rte_tel_data *d,
		    const struct pk_arbiter_client_stats *st)
{
	rte_tel_data_add_dict_u64(d, "admitted", st->admitted);
	rte_tel_data_add_dict_u64(d, "rejected", st->rejected);
	rte_tel_data_add_dict_u64(d, "sent", st->sent);
	rte_tel_data_add_dict_u64(d, "dropped", st->dropped);
	rte_tel_data_add_dict_u64(d, "bytes", st->bytes);
}

static void
tel_client_sums(struct rte_tel_data *d, const struct pk_arbiter *a)
{
	struct pk_arbiter_client_stats st, sum = { 0 };
	uint32_t i, n = pk_arbiter_nb_clients(a);

	for (i = 0; i < n; i++) {
		pk_arbiter_client_stats_get(a, i, &st);
		sum.admitted += st.admitted;
		sum.rejected += st.rejected;
		sum.sent += st.sent;
		sum.dropped += st.dropped;
		sum.bytes += st.bytes;
	}
	rte_tel_data_add_dict_u64(d, "clients", n);
	tel_client_counters(d, &sum);
}

static int
tel_arbiter(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct pk_arbiter_stats st;
	struct pk_arbiter *a;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	pthread_mutex_lock(&live_lock);
	a = arb_find(params);
	if (a != NULL) {
		pk_arbiter_stats_get(a, &st);
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "name", pk_arbiter_name(a));
		rte_tel_data_add_dict_u64(d, "rounds", st.rounds);
		rte_tel_data_add_dict_u64(d, "empty_rounds", st.empty_rounds);
		rte_tel_data_add_dict_u64(d, "drained", st.drained);
		rte_tel_data_add_dict_u64(d, "released", st.released);
		rte_tel_data_add_dict_u64(d, "loop_cycles", st.loop_cycles);
		rte_tel_data_add_dict_u64(d, "tx_retries", st.tx_retries);
		rte_tel_data_add_dict_u64(d, "queue_full", st.queue_full);
		tel_client_sums(d, a);
	}
	pthread_mutex_unlock(&live_lock);
	return a != NULL ? 0 : -ENOENT;
}

/* params "<name>,<client>": the name copied out, the index parsed. */
static int
tel_client_params(const char *params, char *name, size_t size, uint32_t *i)
{
	const char *comma;
	char *end;
	unsigned long v;

	if (params == NULL || (comma = strrchr(params, ',')) == NULL ||
	    comma == params || (size_t)(comma - params) >= size)
		return -EINVAL;
	v = strtoul(comma + 1, &end, 10);
	if (comma[1] == '\0' || *end != '\0' || v > UINT32_MAX)
		return -EINVAL;
	strlcpy(name, params, comma - params + 1);
	*i = (uint32_t)v;
	return 0;
}

static int
tel_arbiter_client(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char name[PK_STAGE_NAMESIZE];
	struct pk_arbiter_client_stats st;
	struct pk_arbiter *a;
	uint32_t i;
	int rc;

	RTE_SET_USED(cmd);
	rc = tel_client_params(params, name, sizeof(name), &i);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&live_lock);
	a = arb_find(name);
	rc = a != NULL ? pk_arbiter_client_stats_get(a, i, &st) : -ENOENT;
	pthread_mutex_unlock(&live_lock);
	if (rc != 0)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "arbiter", name);
	rte_tel_data_add_dict_u64(d, "client", i);
	tel_client_counters(d, &st);
	return 0;
}

RTE_INIT(pk_arbiter_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/arbiters", tel_arbiters,
		"Returns the names of PathKit's live arbiters. Takes no parameters");
	rte_telemetry_register_cmd("/pathkit/arbiter", tel_arbiter,
		"Returns an arbiter's loop statistics and its clients' sums. "
		"Parameters: the arbiter's name");
	rte_telemetry_register_cmd("/pathkit/arbiter_client", tel_arbiter_client,
		"Returns one client's statistics. Parameters: arbiter name, "
		"client index");
}
