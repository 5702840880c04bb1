/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime changes on DPDK's telemetry socket (dpdk-telemetry.py), each a
 * call of pk_ctl.h, so that the prompt and the socket make one change the
 * same way:
 *   /pathkit/key_add,D PROTO LOCAL [<- REMOTE] -> TARGET
 *   /pathkit/key_del,D PROTO LOCAL [<- REMOTE] [-> TARGET]
 *   /pathkit/sched_weight,SCHED,QUEUE,VALUE   (a weight, quantum or priority)
 *   /pathkit/sched_rate,SCHED,RATE            (RATE: 10M, 1.5G, 0 = off)
 *   /pathkit/sched_policy,SCHED,POLICY[,ARGS] (ARGS: KEY=VALUE words)
 *   /pathkit/owner_rate,OWNER,RATE            (its own scheduler's rate)
 *   /pathkit/thread_shares,THREAD,SHARES
 * Port map reservations are /pathkit/portmap_reserve and _release
 * (portmap_telemetry.c, through the same ctl code).
 * Every command answers {"ok": 1}, or {"ok": 0, "errno": N, "error":
 * "why"} when it is refused, parameters of the wrong shape included: the
 * reason is in the answer, not in a log. Whoever reaches the socket (root,
 * as for the rest of DPDK's telemetry) can change the node: that is what
 * the commands are for. DPDK refuses a command whose help is 128 bytes or
 * more: keep them short.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include "ctl_pvt.h"

#define TEL_FIELDS 3
#define TEL_PARAMS 256 /* longer parameters are refused */

static int
tel_answer(struct rte_tel_data *d, int rc, const char *err)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", rc == 0);
	if (rc != 0) {
		rte_tel_data_add_dict_int(d, "errno", -rc);
		rte_tel_data_add_dict_string(d, "error", err[0] != '\0' ? err :
					     strerror(-rc));
	}
	return 0;
}

static int
tel_key(const char *params, struct rte_tel_data *d, bool add)
{
	char err[PK_CTL_ERR_MAX] = "";
	int rc;

	rc = add ? pk_ctl_key_add(params, err, sizeof(err)) :
		   pk_ctl_key_del(params, err, sizeof(err));
	return tel_answer(d, rc, err);
}

static int
tel_key_add(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_key(params, d, true);
}

static int
tel_key_del(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_key(params, d, false);
}

/* Commands of two or three comma-separated fields. */
enum tel_op { TEL_WEIGHT, TEL_RATE, TEL_OWNER_RATE, TEL_SHARES };

static const struct {
	unsigned int n;
	const char *form;
} tel_forms[] = {
	[TEL_WEIGHT] = { 3, "SCHED,QUEUE,VALUE" },
	[TEL_RATE] = { 2, "SCHED,RATE" },
	[TEL_OWNER_RATE] = { 2, "OWNER,RATE" },
	[TEL_SHARES] = { 2, "THREAD,SHARES" },
};

static int
tel_change(const char *params, struct rte_tel_data *d, enum tel_op op)
{
	char err[PK_CTL_ERR_MAX] = "", buf[TEL_PARAMS], *f[TEL_FIELDS];
	int rc;

	rc = ctl_fields(params, buf, sizeof(buf), f, tel_forms[op].n,
			tel_forms[op].form, err, sizeof(err));
	if (rc != 0)
		return tel_answer(d, rc, err);
	switch (op) {
	case TEL_WEIGHT:
		rc = pk_ctl_sched_param(f[0], f[1], f[2], err, sizeof(err));
		break;
	case TEL_RATE:
		rc = pk_ctl_sched_rate(f[0], f[1], err, sizeof(err));
		break;
	case TEL_OWNER_RATE:
		rc = pk_ctl_owner_rate(f[0], f[1], err, sizeof(err));
		break;
	case TEL_SHARES:
		rc = pk_ctl_thread_shares(f[0], f[1], err, sizeof(err));
		break;
	}
	return tel_answer(d, rc, err);
}

static int
tel_sched_weight(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_change(params, d, TEL_WEIGHT);
}

static int
tel_sched_rate(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_change(params, d, TEL_RATE);
}

static int
tel_owner_rate(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_change(params, d, TEL_OWNER_RATE);
}

static int
tel_thread_shares(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return tel_change(params, d, TEL_SHARES);
}

/* SCHED,POLICY[,ARGS]: ARGS, the rest, has no comma of its own. */
static int
tel_sched_policy(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char err[PK_CTL_ERR_MAX] = "", buf[TEL_PARAMS], *f[TEL_FIELDS];
	int rc;

	RTE_SET_USED(cmd);
	rc = ctl_fields(params, buf, sizeof(buf), f, 3,
			"SCHED,POLICY[,ARGS]", err, sizeof(err));
	if (rc != 0) {
		err[0] = '\0';
		rc = ctl_fields(params, buf, sizeof(buf), f, 2,
				"SCHED,POLICY[,ARGS]", err, sizeof(err));
		f[2] = NULL;
	}
	if (rc == 0)
		rc = pk_ctl_sched_policy(f[0], f[1], f[2], err, sizeof(err));
	return tel_answer(d, rc, err);
}

RTE_INIT(pk_ctl_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/key_add", tel_key_add,
		"Adds a demux key. Parameters: D PROTO LOCAL [<- REMOTE] -> "
		"TARGET");
	rte_telemetry_register_cmd("/pathkit/key_del", tel_key_del,
		"Deletes a demux key. Parameters: D PROTO LOCAL [<- REMOTE]");
	rte_telemetry_register_cmd("/pathkit/sched_weight", tel_sched_weight,
		"Sets a scheduler queue's weight, quantum or priority. "
		"Parameters: SCHED,QUEUE,VALUE");
	rte_telemetry_register_cmd("/pathkit/sched_rate", tel_sched_rate,
		"Sets a scheduler's rate in bit/s (0: unshaped). Parameters: "
		"SCHED,RATE");
	rte_telemetry_register_cmd("/pathkit/sched_policy", tel_sched_policy,
		"Switches a scheduler's policy, backlog kept. Parameters: "
		"SCHED,POLICY[,KEY=VALUE ...]");
	rte_telemetry_register_cmd("/pathkit/owner_rate", tel_owner_rate,
		"Sets the rate of the scheduler serving an owner alone. "
		"Parameters: OWNER,RATE");
	rte_telemetry_register_cmd("/pathkit/thread_shares", tel_thread_shares,
		"Sets a thread's shares. Parameters: THREAD,SHARES");
}
