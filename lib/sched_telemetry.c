/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of schedulers. A scheduler is a stage: it is on stage.c's live
 * list from pk_sched_create() until its destroy, which takes it off first.
 * Answers
 *   /pathkit/scheds          the names of the live schedulers
 *   /pathkit/sched,<name>    its policy, the shaper (rate_bps, 0 unshaped;
 *                            overhead, burst), mtu, queues attached and of
 *                            how many, ecn_marked (fq_codel, fq_pie), its
 *                            counters (in, out, drops and
 *                            refusals by reason, held), then one dict per
 *                            queue, "q<id>": the stage it pulls ("" for an
 *                            internal FIFO), its parameter under the
 *                            policy's word (weight, quantum, priority) and
 *                            its backlog (the head slot, plus the FIFO or
 *                            what the stage holds); the first
 *                            TEL_SCHED_QUEUES queues by id ("listed")
 * The scheduler's fields are single-writer (its thread): read from here
 * they are a recent snapshot, as pk_sched_held() reads them. A stage queue
 * is named only if it is still a live stage when the reply is made
 * (telemetry_pvt.h). Parameters: as telemetry_pvt.h; else null.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include "pk_internal.h"
#include "sched_pvt.h"
#include "telemetry_pvt.h"

/* Queues described in one reply: 64 dicts of ~70 bytes fit in 16 KiB. */
#define TEL_SCHED_QUEUES 64

struct tel_sched_q {
	uint32_t id;
	uint32_t param;
	uint64_t backlog;
	const struct pk_stage *stage;   /* compared, not followed; or NULL */
	char name[PK_STAGE_NAMESIZE];
};

/* A scheduler as read under the live list's lock; the reply after. */
struct tel_sched {
	char name[PK_STAGE_NAMESIZE];
	char policy[PK_SCHED_POLICY_NAMESIZE];
	uint64_t rate_bps;
	uint32_t overhead, burst, mtu, max_queues, nb_queues;
	uint64_t ecn_marked;         /* queue managers' CE marks */
	struct pk_stage_stats st;
	unsigned int nq;
	struct tel_sched_q q[TEL_SCHED_QUEUES];
};

static bool
tel_is_sched(const struct pk_stage *s)
{
	return pk_sched_is_sched(s);
}

static int
tel_sched_read(const struct pk_stage *s, void *arg)
{
	const struct pk_sched *sc = (const struct pk_sched *)s;
	struct tel_sched *ts = arg;
	const struct pk_sched_q *q;
	uint32_t id, end = __atomic_load_n(&sc->next_id, __ATOMIC_RELAXED);
	uint32_t shift;
	const uint8_t *base = sched_records_read(sc, &shift);

	strlcpy(ts->name, s->name, sizeof(ts->name));
	strlcpy(ts->policy, sc->policy, sizeof(ts->policy));
	ts->rate_bps = sc->rate_bps;
	ts->overhead = sc->overhead;
	ts->burst = sc->burst;
	ts->mtu = sc->mtu;
	ts->max_queues = sc->max_queues;
	ts->nb_queues = sc->nb_queues;
	ts->ecn_marked = pk_sched_ecn_marked(s);
	pk_stage_stats_get(s, &ts->st);
	ts->nq = 0;
	for (id = 0; id < end && ts->nq < TEL_SCHED_QUEUES; id++) {
		struct tel_sched_q *tq = &ts->q[ts->nq];

		q = sched_record_at(base, shift, id);
		if (!(q->flags & SCHED_Q_ATTACHED))
			continue;
		tq->id = id;
		tq->param = q->param;
		tq->backlog = q->head != NULL ? 1 : 0;
		tq->stage = NULL;
		tq->name[0] = '\0';
		if (q->flags & SCHED_Q_STAGE)
			tq->stage = q->stage;
		else
			tq->backlog += (q->ftail - q->fhead) & sc->qmask;
		ts->nq++;
	}
	return 0;
}

/* Each live stage that is one of the queues: its name, and what it holds. */
static int
tel_sched_stage(const struct pk_stage *s, void *arg)
{
	struct tel_sched *ts = arg;
	struct pk_stage_stats st;
	unsigned int i;

	for (i = 0; i < ts->nq; i++)
		if (ts->q[i].stage == s && ts->q[i].name[0] == '\0') {
			strlcpy(ts->q[i].name, s->name, sizeof(ts->q[i].name));
			if (pk_stage_stats_get(s, &st) == 0)
				ts->q[i].backlog += st.held;
		}
	return 0;
}

/* The word a policy gives a queue's parameter (pk_sched.h). */
static const char *
tel_sched_param(const char *policy)
{
	const char *in = strstr(policy, ",flows:");

	if (in != NULL) /* two levels: a queue's parameter is INNER's */
		policy = in + strlen(",flows:");
	if (strcmp(policy, "wfq") == 0 || strcmp(policy, "wf2q") == 0)
		return "weight";
	if (strcmp(policy, "drr") == 0 || strcmp(policy, "fq_codel") == 0 ||
	    strcmp(policy, "fq_pie") == 0)
		return "quantum";
	if (strcmp(policy, "prio") == 0)
		return "priority";
	return "param";
}

static int
tel_sched_queue(struct rte_tel_data *d, const struct tel_sched_q *tq,
		const char *param)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	char key[16];

	if (c == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_u64(c, "id", tq->id);
	rte_tel_data_add_dict_string(c, "stage", tq->name);
	rte_tel_data_add_dict_u64(c, param, tq->param);
	rte_tel_data_add_dict_u64(c, "backlog", tq->backlog);
	snprintf(key, sizeof(key), "q%u", tq->id);
	if (rte_tel_data_add_dict_container(d, key, c, 0) != 0) {
		rte_tel_data_free(c);
		return -ENOSPC;
	}
	return 0;
}

/* /pathkit/sched,<name>: the first live scheduler of that name. */
static int
tel_sched(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_sched *ts;
	const char *param;
	unsigned int i;
	int rc;

	RTE_SET_USED(cmd);
	if (pk_tel_name_check(params) != 0)
		return -EINVAL;
	ts = malloc(sizeof(*ts)); /* 4 KiB: not on the telemetry stack */
	if (ts == NULL)
		return -ENOMEM;
	rc = pk_tel_live_apply(params, tel_is_sched, tel_sched_read, ts);
	if (rc != 0)
		goto out;
	/* the stage queues, found again on the live list */
	pk_stage_live_foreach(tel_sched_stage, ts);
	param = tel_sched_param(ts->policy);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", ts->name);
	rte_tel_data_add_dict_string(d, "policy", ts->policy);
	rte_tel_data_add_dict_string(d, "param", param);
	rte_tel_data_add_dict_u64(d, "rate_bps", ts->rate_bps);
	rte_tel_data_add_dict_u64(d, "overhead", ts->overhead);
	rte_tel_data_add_dict_u64(d, "burst", ts->burst);
	rte_tel_data_add_dict_u64(d, "mtu", ts->mtu);
	rte_tel_data_add_dict_u64(d, "max_queues", ts->max_queues);
	rte_tel_data_add_dict_u64(d, "queues", ts->nb_queues);
	rte_tel_data_add_dict_u64(d, "ecn_marked", ts->ecn_marked);
	rte_tel_data_add_dict_u64(d, "listed", ts->nq);
	pk_tel_stage_counters(d, &ts->st);
	for (i = 0; i < ts->nq && rc == 0; i++)
		rc = tel_sched_queue(d, &ts->q[i], param);
out:
	free(ts);
	return rc;
}

/* /pathkit/scheds: an array of names (at most the array's capacity). */
static int
tel_scheds(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	if (params != NULL)
		return -EINVAL;
	return pk_tel_live_names(d, tel_is_sched);
}

RTE_INIT(pk_sched_telemetry_register)
{
	rte_telemetry_register_cmd("/pathkit/scheds", tel_scheds,
		"Returns the names of PathKit's live schedulers. Takes no "
		"parameters");
	rte_telemetry_register_cmd("/pathkit/sched", tel_sched,
		"Returns a scheduler's policy, link rate, counters and queues "
		"(weight or parameter, backlog). Parameters: its name");
}
