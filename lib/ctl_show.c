/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The prompt's listings (pk_ctl.h): paths, owners, one scheduler, one line
 * an object, "key=value" after the name as pk_conf_stats_print() writes
 * them. What the live lists hold is written into memory under the list's
 * lock, and to the caller's file after it: a slow terminal never holds
 * the lock. Counters are read as telemetry reads them (pk_stage_stats_get(),
 * safe from any thread); a scheduler's fields are a recent snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_path.h>

#include "ctl_pvt.h"
#include "pk_internal.h"
#include "sched_pvt.h"

#define SHOW_QUEUES 64 /* queues of a scheduler listed */

static uint64_t
show_dropped(const struct pk_stage_stats *st)
{
	uint64_t n = 0;
	unsigned int r;

	for (r = 0; r < PK_DROP_MAX; r++)
		n += st->drops[r];
	return n;
}

struct show_buf {
	FILE *m;
	int n;
};

static int
show_path(const struct pk_stage *s, void *arg)
{
	struct pk_path *p = pk_path_from_stage((struct pk_stage *)(uintptr_t)s);
	struct show_buf *b = arg;
	struct pk_stage_stats st;
	const char *owner;
	unsigned int i;

	if (p == NULL)
		return 0;
	owner = pk_owner_name(pk_path_owner(p));
	pk_stage_stats_get(s, &st);
	fprintf(b->m, "path %s owner=%s members=", s->name,
		owner != NULL ? owner : PK_OWNER_UNKNOWN_NAME);
	for (i = 0; i < pk_path_nb_stages(p); i++)
		fprintf(b->m, "%s%s", i > 0 ? "," : "",
			pk_path_stage_at(p, i)->name);
	fprintf(b->m, " in=%" PRIu64 " out=%" PRIu64 " dropped=%" PRIu64
		" held=%" PRIu64 "\n", st.in_pkts, st.out_pkts,
		show_dropped(&st), st.held);
	b->n++;
	return 0;
}

/* Run walk into memory, then copy it to f. */
static int
show_list(FILE *f, int (*walk)(const struct pk_stage *s, void *arg))
{
	struct show_buf b = { 0 };
	char *text = NULL;
	size_t len = 0;

	if (f == NULL)
		return -EINVAL;
	b.m = open_memstream(&text, &len);
	if (b.m == NULL)
		return -ENOMEM;
	pk_stage_live_foreach(walk, &b);
	fclose(b.m);
	fwrite(text, 1, len, f);
	free(text);
	return b.n;
}

int
pk_ctl_show_paths(FILE *f)
{
	int n = show_list(f, show_path);

	if (n == 0)
		fprintf(f, "no paths\n");
	return n;
}

static int
show_owner(uint32_t id, const char *name, void *arg)
{
	struct pk_owner_stats st;
	struct pk_acct t = { 0 };
	struct show_buf *b = arg;
	unsigned int r, c;

	if (pk_owner_stats_get(id, &st) != 0)
		return 0; /* destroyed since the copy was taken */
	for (r = 0; r < PK_ACCT_ROWS; r++)
		for (c = 0; c < PK_ACCT_COLS; c++) {
			t.pkts[c] += st.row[r].pkts[c];
			t.bytes[c] += st.row[r].bytes[c];
		}
	fprintf(b->m, "owner %s id=%u", name, id);
	for (c = 0; c < PK_ACCT_COLS; c++)
		fprintf(b->m, " %s=%" PRIu64 " %s_bytes=%" PRIu64,
			pk_acct_col_name(c), t.pkts[c], pk_acct_col_name(c),
			t.bytes[c]);
	fprintf(b->m, "\n");
	b->n++;
	return 0;
}

int
pk_ctl_show_owners(FILE *f)
{
	struct show_buf b = { .m = f };
	int rc;

	if (f == NULL)
		return -EINVAL;
	rc = pk_owner_foreach(show_owner, &b); /* on a copy: no lock held */
	return rc < 0 ? rc : b.n;
}

/* A scheduler as read under the live list's lock. */
struct show_sched {
	const char *name;
	bool found;
	char policy[PK_SCHED_POLICY_NAMESIZE];
	uint64_t rate_bps;
	uint32_t overhead, burst, nb_queues;
	struct pk_stage_stats st;
	unsigned int nq;
	struct {
		uint32_t id, param;
		uint64_t backlog;
		const struct pk_stage *stage; /* compared, then named */
		char sname[PK_STAGE_NAMESIZE];
	} q[SHOW_QUEUES];
};

static int
show_sched_read(const struct pk_stage *s, void *arg)
{
	const struct pk_sched *sc = (const struct pk_sched *)s;
	struct show_sched *ss = arg;
	const struct pk_sched_q *q;
	uint32_t id, shift;
	const uint8_t *base;

	if (!pk_sched_is_sched(s) || strcmp(s->name, ss->name) != 0)
		return 0;
	ss->found = true;
	strlcpy(ss->policy, sc->policy, sizeof(ss->policy));
	ss->rate_bps = sc->rate_bps;
	ss->overhead = sc->overhead;
	ss->burst = sc->burst;
	ss->nb_queues = sc->nb_queues;
	pk_stage_stats_get(s, &ss->st);
	base = sched_records_read(sc, &shift);
	for (id = 0; id < sc->next_id && ss->nq < SHOW_QUEUES; id++) {
		q = sched_record_at(base, shift, id);
		if (!(q->flags & SCHED_Q_ATTACHED))
			continue;
		ss->q[ss->nq].id = id;
		ss->q[ss->nq].param = q->param;
		ss->q[ss->nq].backlog = q->head != NULL ? 1 : 0;
		ss->q[ss->nq].stage = NULL;
		ss->q[ss->nq].sname[0] = '\0';
		if (q->flags & SCHED_Q_STAGE)
			ss->q[ss->nq].stage = q->stage;
		else
			ss->q[ss->nq].backlog +=
				(q->ftail - q->fhead) & sc->qmask;
		ss->nq++;
	}
	return 1;
}

/* A stage queue is named only while it is a live stage. */
static int
show_sched_stage(const struct pk_stage *s, void *arg)
{
	struct show_sched *ss = arg;
	struct pk_stage_stats st;
	unsigned int i;

	for (i = 0; i < ss->nq; i++)
		if (ss->q[i].stage == s && ss->q[i].sname[0] == '\0') {
			strlcpy(ss->q[i].sname, s->name,
				sizeof(ss->q[i].sname));
			if (pk_stage_stats_get(s, &st) == 0)
				ss->q[i].backlog += st.held;
		}
	return 0;
}

/* The word a policy gives a queue's parameter (pk_sched.h). */
static const char *
show_param(const char *policy)
{
	const char *in = strstr(policy, ",flows:");

	if (in != NULL) /* two levels: a queue's parameter is INNER's */
		policy = in + strlen(",flows:");
	if (strcmp(policy, "wfq") == 0 || strcmp(policy, "wf2q") == 0)
		return "weight";
	if (strcmp(policy, "drr") == 0)
		return "quantum";
	if (strcmp(policy, "prio") == 0)
		return "priority";
	return "param";
}

int
pk_ctl_show_sched(const char *name, FILE *f, char *err, size_t errlen)
{
	struct show_sched *ss;
	unsigned int i;
	int rc;

	if (f == NULL)
		return -EINVAL;
	rc = ctl_name_check(name, "a scheduler's name", err, errlen);
	if (rc != 0)
		return rc;
	ss = calloc(1, sizeof(*ss));
	if (ss == NULL)
		return -ENOMEM;
	ss->name = name;
	pk_stage_live_foreach(show_sched_read, ss);
	if (!ss->found) {
		free(ss);
		return ctl_err(-ENOENT, err, errlen, "no scheduler named %s",
			       name);
	}
	pk_stage_live_foreach(show_sched_stage, ss);
	fprintf(f, "sched %s policy=%s rate_bps=%" PRIu64 " overhead=%u "
		"burst=%u queues=%u in=%" PRIu64 " out=%" PRIu64
		" dropped=%" PRIu64 " held=%" PRIu64 "\n", name, ss->policy,
		ss->rate_bps, ss->overhead, ss->burst, ss->nb_queues,
		ss->st.in_pkts, ss->st.out_pkts, show_dropped(&ss->st),
		ss->st.held);
	for (i = 0; i < ss->nq; i++)
		fprintf(f, "  q%u stage=%s %s=%u backlog=%" PRIu64 "\n",
			ss->q[i].id, ss->q[i].stage != NULL ?
			ss->q[i].sname : "(internal)", show_param(ss->policy),
			ss->q[i].param, ss->q[i].backlog);
	free(ss);
	return 0;
}
