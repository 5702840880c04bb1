/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of arbiters: arbiter.c keeps the list of live arbiters (from
 * pk_arbiter_create() until destroy, taken off first); this file only reads
 * it, under the list's lock, to answer
 *   /pathkit/arbiters                    the names of the live arbiters
 *   /pathkit/arbiter,<name>              its loop statistics, the sums
 *                                        over its clients, held by part
 *   /pathkit/arbiter_client,<name>,<i>   client i's statistics and the
 *                                        name of its mailbox stage
 * Statistics are read as pk_arbiter_stats_get() and
 * pk_arbiter_client_stats_get() read them, safe from any thread.
 * Parameters come from whoever can reach the socket: a name matches one
 * byte for byte, the index is read by pk_parse_u64() in 0..clients-1, the
 * lists take none; anything else answers null (-EINVAL), never another
 * object's data.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include <pathkit/pk_arbiter.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_stage.h>

#include "pk_internal.h"

/* /pathkit/arbiters: an array of names (at most the array's capacity). */
static int
tel_arbiter_name(const struct pk_arbiter *a, void *arg)
{
	/* non-zero when full: the first RTE_TEL_MAX_ARRAY_ENTRIES */
	return rte_tel_data_add_array_string(arg, pk_arbiter_name(a));
}

static int
tel_arbiters(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pk_arbiter_live_foreach(tel_arbiter_name, d);
	return 0;
}

/* The per-client counters, under the names of the struct's fields. */
static void
tel_client_counters(struct rte_tel_data *d,
		    const struct pk_arbiter_client_stats *st)
{
	rte_tel_data_add_dict_u64(d, "admitted", st->admitted);
	rte_tel_data_add_dict_u64(d, "rejected", st->rejected);
	rte_tel_data_add_dict_u64(d, "sent", st->sent);
	rte_tel_data_add_dict_u64(d, "dropped", st->dropped);
	rte_tel_data_add_dict_u64(d, "bytes", st->bytes);
	rte_tel_data_add_dict_u64(d, "held", st->held);
}

/* held: the arbiter's, read with its parts (the same sum, read once) */
static void
tel_client_sums(struct rte_tel_data *d, const struct pk_arbiter *a,
		uint64_t held)
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
	sum.held = held;
	rte_tel_data_add_dict_u64(d, "clients", n);
	tel_client_counters(d, &sum);
}

static int
tel_arbiter_dict(const struct pk_arbiter *a, void *arg)
{
	struct rte_tel_data *d = arg;
	struct pk_arbiter_stats st;

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
	/* "held" is with the sums: the clients' held summed */
	rte_tel_data_add_dict_u64(d, "held_mailboxes", st.held_mailboxes);
	rte_tel_data_add_dict_u64(d, "held_sched", st.held_sched);
	rte_tel_data_add_dict_u64(d, "held_wait", st.held_wait);
	rte_tel_data_add_dict_u64(d, "held_output", st.held_output);
	tel_client_sums(d, a, st.held);
	return 0;
}

/*
 * /pathkit/arbiter,<name>: the first live arbiter of that name. Names are
 * cut to PK_STAGE_NAMESIZE - 1 at create: a longer one names none.
 */
static int
tel_arbiter(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0' ||
	    strnlen(params, PK_STAGE_NAMESIZE) == PK_STAGE_NAMESIZE)
		return -EINVAL;
	return pk_arbiter_live_apply(params, tel_arbiter_dict, d);
}

/*
 * params "<name>,<client>": the name copied out (exactly as given: one byte
 * too many is no name at all), the index left as text, read once the
 * arbiter is found, against its own number of clients.
 */
static int
tel_client_params(const char *params, char *name, size_t size,
		  const char **index)
{
	const char *comma;

	if (params == NULL || (comma = strrchr(params, ',')) == NULL ||
	    comma == params || (size_t)(comma - params) >= size)
		return -EINVAL;
	strlcpy(name, params, comma - params + 1);
	*index = comma + 1;
	return 0;
}

/* Client i's statistics and mailbox, read while the arbiter is listed. */
struct tel_client {
	const char *index;
	uint64_t i;
	struct pk_arbiter_client_stats st;
	char mailbox[PK_STAGE_NAMESIZE];
};

static int
tel_client_read(const struct pk_arbiter *a, void *arg)
{
	/* only the mailbox's name is read: its statistics, /pathkit/stage */
	struct pk_arbiter *rw = (struct pk_arbiter *)(uintptr_t)a;
	struct tel_client *tc = arg;
	uint32_t n = pk_arbiter_nb_clients(a);
	int rc;

	/* digits only, 0..n-1: no sign, space, base, exponent or wrap */
	if (n == 0 || pk_parse_u64(tc->index, 0, n - 1, &tc->i) != 0)
		return -EINVAL;
	rc = pk_arbiter_client_stats_get(a, (uint32_t)tc->i, &tc->st);
	if (rc == 0)
		strlcpy(tc->mailbox,
			pk_stage_name(pk_arbiter_client(rw, (uint32_t)tc->i)),
			sizeof(tc->mailbox));
	return rc;
}

static int
tel_arbiter_client(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char name[PK_STAGE_NAMESIZE];
	struct tel_client tc;
	int rc;

	RTE_SET_USED(cmd);
	rc = tel_client_params(params, name, sizeof(name), &tc.index);
	if (rc != 0)
		return rc;
	rc = pk_arbiter_live_apply(name, tel_client_read, &tc);
	if (rc != 0)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "arbiter", name);
	rte_tel_data_add_dict_u64(d, "client", tc.i);
	rte_tel_data_add_dict_string(d, "mailbox", tc.mailbox);
	tel_client_counters(d, &tc.st);
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
		"client index (decimal, 0..clients-1)");
}
