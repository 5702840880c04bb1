/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checking a parsed configuration, before anything is built: each stage's
 * kind and arguments against the registry (pk_stage_kind_find(), its args
 * and caps), runners, ports and paths' arguments, the names chains use,
 * each path's stages as one chain, and the edges of the graph, with their
 * ends moved onto a path where they reach into one. The graph's own checks
 * (what moves packets over each edge) are conf_graph.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_sched_policy.h>
#include <pathkit/pk_stage_driver.h>

#include "conf_pvt.h"

#define CONF_KINDS_MAX 256

/* Kinds whose API the builder calls besides pk_stage_create(). */
static const struct {
	const char *kind;
	enum conf_role role;
} conf_api_kinds[] = {
	{ "demux_flow", ROLE_DEMUX },
	{ "pktsched", ROLE_SCHED },
};

/* Policies a pktsched may have, and what its inputs' parameter is called. */
static const struct {
	const char *policy;
	const char *param; /* NULL: none */
} conf_policies[] = {
	{ "wfq", "weight" }, { "wf2q", "weight" }, { "drr", "quantum" },
	{ "prio", "prio" }, { "rr", NULL }, { "fifo", NULL },
	{ "fq_codel", "quantum" }, { "fq_pie", "quantum" },
};

static enum conf_role
conf_role_of(const struct pk_stage_kind *k)
{
	const uint32_t dir = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL |
			     PK_STAGE_CAP_FWD_PUSH | PK_STAGE_CAP_FWD_PULL;
	unsigned int i;

	for (i = 0; i < RTE_DIM(conf_api_kinds); i++)
		if (strcmp(k->name, conf_api_kinds[i].kind) == 0)
			return conf_api_kinds[i].role;
	switch (k->caps & dir) {
	case PK_STAGE_CAP_FWD_PULL | PK_STAGE_CAP_FWD_PUSH:
		return ROLE_THREAD;
	case PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL | PK_STAGE_CAP_FWD_PUSH |
		PK_STAGE_CAP_FWD_PULL:
		return ROLE_PROC;
	case PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL:
		return ROLE_QUEUE;
	case PK_STAGE_CAP_PULL:
		return ROLE_SOURCE;
	case PK_STAGE_CAP_PUSH:
		return ROLE_SINK;
	default:
		return ROLE_UNKNOWN;
	}
}

struct conf_kinds {
	const char *name[CONF_KINDS_MAX];
	unsigned int n;
};

static int
conf_kinds_add(const struct pk_stage_kind *k, void *arg)
{
	struct conf_kinds *ks = arg;

	if (ks->n < CONF_KINDS_MAX)
		ks->name[ks->n++] = k->name;
	return 0;
}

static int
conf_unknown_kind(struct pk_conf *c, const struct conf_stage *st)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4], list[2048];
	struct conf_kinds ks = { .n = 0 };
	const char *near;
	size_t len = 0;
	unsigned int i;

	pk_stage_kind_foreach(conf_kinds_add, &ks);
	near = conf_nearest(st->kind, ks.name, ks.n);
	if (near != NULL)
		return conf_err(c, &st->kpos, "found kind '%s', expected a "
				"registered kind: did you mean '%s'?",
				conf_quote(st->kind, q, sizeof(q)), near);
	list[0] = '\0';
	for (i = 0; i < ks.n && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
				i == 0 ? "" : " ", ks.name[i]);
	return conf_err(c, &st->kpos, "found kind '%s', expected one of: %s",
			conf_quote(st->kind, q, sizeof(q)), list);
}

/* A name that must be of a runner: a stage's runner= argument. */
static int
conf_check_runner_arg(struct pk_conf *c, struct conf_stage *st)
{
	const char *v = conf_arg(&st->args, "runner");
	const struct conf_name *n;

	if (v == NULL)
		return 0;
	n = conf_name_find(c, v);
	if (n == NULL || n->type != NAME_RUNNER)
		return conf_err(c, conf_arg_pos(&st->args, "runner", &st->pos),
				"found runner=%s, expected the name of a runner "
				"(runner %s (lcore=N))", v, v);
	st->runner = n->idx;
	c->runners.v[n->idx].threads++;
	return 0;
}

static int
conf_check_policy(struct pk_conf *c, struct conf_stage *st)
{
	const char *cands[RTE_DIM(conf_policies)], *near;
	const char *v = conf_arg(&st->args, "policy");
	unsigned int i, n = 0;

	const struct pk_sched_policy *outer, *inner;
	char err[128];

	st->policy = v != NULL ? v : "wfq";
	if (v == NULL || pk_sched_policy_find(v) != NULL)
		return 0;
	/* two levels, owners:OUTER/flows:INNER: the lookup says what is wrong */
	if (strpbrk(v, ":,/") != NULL) {
		if (pk_sched_policy_lookup(v, &outer, &inner, err,
					   sizeof(err)) == 0 && inner != NULL)
			return 0;
		return conf_err(c, conf_arg_pos(&st->args, "policy", &st->pos),
				"found policy=%s, expected owners:OUTER/flows:"
				"INNER (%s)", v, err[0] != '\0' ? err :
				"a policy name");
	}
	for (i = 0; i < RTE_DIM(conf_policies); i++)
		if (pk_sched_policy_find(conf_policies[i].policy) != NULL)
			cands[n++] = conf_policies[i].policy;
	near = conf_nearest(v, cands, n);
	return conf_err(c, conf_arg_pos(&st->args, "policy", &st->pos),
			"found policy=%s, expected a policy (wfq wf2q drr prio "
			"rr fifo)%s%s%s", v, near != NULL ? ": did you mean " :
			"", near != NULL ? near : "", near != NULL ? "?" : "");
}

static int
conf_check_stage(struct pk_conf *c, struct conf_stage *st)
{
	const char *keys[64];
	unsigned int n = 0;
	uint64_t lcore;
	int rc;

	st->k = pk_stage_kind_find(st->kind);
	if (st->k == NULL)
		return conf_unknown_kind(c, st);
	while (st->k->args != NULL && st->k->args[n] != NULL && n < 62) {
		keys[n] = st->k->args[n];
		n++;
	}
	keys[n++] = PK_STAGE_COMMON_ARGS;
	keys[n] = NULL;
	rc = conf_args_only(c, &st->args, st->kind, keys);
	st->caps = st->k->caps;
	st->role = conf_role_of(st->k);
	if (conf_arg(&st->args, "lcore") != NULL) {
		if (conf_arg_u64(c, &st->args, "lcore", 0, RTE_MAX_LCORE - 1, 0,
				 &lcore) != 0)
			return -EINVAL;
		st->lcore = (int)lcore;
	}
	if (st->role == ROLE_SCHED && conf_check_policy(c, st) != 0)
		rc = -EINVAL;
	return conf_check_runner_arg(c, st) != 0 ? -EINVAL : rc;
}

static int
conf_check_runner(struct pk_conf *c, struct conf_runner *r)
{
	static const char *const keys[] = { "lcore", NULL };
	uint64_t lcore;

	if (conf_args_only(c, &r->args, "runner", keys) != 0)
		return -EINVAL;
	if (conf_arg(&r->args, "lcore") == NULL)
		return conf_err(c, &r->pos, "found runner %s without lcore, "
				"expected runner %s (lcore=N)", r->name,
				r->name);
	if (conf_arg_u64(c, &r->args, "lcore", 0, RTE_MAX_LCORE - 1, 0,
			 &lcore) != 0)
		return -EINVAL;
	r->lcore = (int)lcore;
	return 0;
}

static int
conf_check_port(struct pk_conf *c, struct conf_port *p)
{
	static const char *const keys[] = { "rxq", "txq", "rxd", "txd",
					    "promisc", NULL };
	uint64_t rxq, txq, rxd, txd, promisc;

	if (conf_args_only(c, &p->args, "port", keys) != 0 ||
	    conf_arg_u64(c, &p->args, "rxq", 1, 1024, 1, &rxq) != 0 ||
	    conf_arg_u64(c, &p->args, "txq", 1, 1024, 1, &txq) != 0 ||
	    conf_arg_u64(c, &p->args, "rxd", 1, UINT16_MAX, 1024, &rxd) != 0 ||
	    conf_arg_u64(c, &p->args, "txd", 1, UINT16_MAX, 1024, &txd) != 0 ||
	    conf_arg_u64(c, &p->args, "promisc", 0, 1, 1, &promisc) != 0)
		return -EINVAL;
	p->rxq = (uint16_t)rxq;
	p->txq = (uint16_t)txq;
	p->rxd = (uint16_t)rxd;
	p->txd = (uint16_t)txd;
	p->promisc = promisc != 0;
	return 0;
}

/* One of words (NULL-terminated) as key's value: its index, or -1. */
static int
conf_arg_word(struct pk_conf *c, const struct conf_args *a, const char *key,
	      const char *const *words, const char *expected)
{
	const char *v = conf_arg(a, key);
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	int i;

	if (v == NULL)
		return 0;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(v, words[i]) == 0)
			return i;
	conf_err(c, conf_arg_pos(a, key, NULL), "found %s=%s, expected %s=%s",
		 key, conf_quote(v, q, sizeof(q)), key, expected);
	return -1;
}

static int
conf_check_path_args(struct pk_conf *c, struct conf_path *p)
{
	static const char *const keys[] = { "owner", "tail", "acct", "bytes",
					    NULL };
	static const char *const tails[] = { "return", "drop", NULL };
	static const char *const accts[] = { "none", "tcp", "udp", "raw_tcp",
		"raw_udp", "raw_icmp", "misc", NULL };
	const char *owner = conf_arg(&p->args, "owner");
	int tail, acct, rc = 0;
	uint64_t bytes = 0;
	unsigned int i;

	if (conf_args_only(c, &p->args, "path", keys) != 0)
		return -EINVAL;
	tail = conf_arg_word(c, &p->args, "tail", tails, "return or drop");
	acct = conf_arg_word(c, &p->args, "acct", accts, "none, tcp, udp, "
			     "raw_tcp, raw_udp, raw_icmp or misc");
	if (tail < 0 || acct < 0 ||
	    conf_arg_u64(c, &p->args, "bytes", 0, 1, 0, &bytes) != 0)
		rc = -EINVAL;
	p->tail = tail < 0 ? 0 : (uint32_t)tail;
	p->acct = acct < 0 ? 0 : (uint32_t)acct;
	p->flags = bytes ? PK_STAGE_F_BYTES : 0;
	if (owner == NULL || strcmp(owner, PK_OWNER_UNKNOWN_NAME) == 0)
		return rc;
	for (i = 0; i < c->owners.n; i++)
		if (strcmp(c->owners.v[i].name, owner) == 0) {
			p->owner = (int)i;
			return rc;
		}
	return conf_err(c, conf_arg_pos(&p->args, "owner", &p->pos), "found "
			"owner=%s, expected an owner declared with: owner %s",
			owner, owner);
}

struct conf_edge *
conf_edge_add(struct pk_conf *c, struct conf_end a, struct conf_end b,
	      const struct conf_pos *pos)
{
	struct conf_edge *e = CONF_ADD(c, c->edges);

	if (e != NULL) {
		e->a = a;
		e->b = b;
		e->pos = *pos;
	}
	return e;
}

const char *
conf_end_name(const struct pk_conf *c, struct conf_end e)
{
	return e.path >= 0 ? c->paths.v[e.path].name : c->stages.v[e.st].name;
}

int
conf_check(struct pk_conf *c)
{
	unsigned int i;

	for (i = 0; i < c->runners.n && !conf_enough(c); i++)
		conf_check_runner(c, &c->runners.v[i]);
	for (i = 0; i < c->stages.n && !conf_enough(c); i++)
		conf_check_stage(c, &c->stages.v[i]);
	for (i = 0; i < c->ports.n && !conf_enough(c); i++)
		conf_check_port(c, &c->ports.v[i]);
	for (i = 0; i < c->paths.n && !conf_enough(c); i++)
		conf_check_path_args(c, &c->paths.v[i]);
	conf_portmap_check(c);
	if (c->nerr != 0)
		return -EINVAL; /* the graph needs every kind */
	if (conf_check_chains(c) != 0 || conf_check_keys(c) != 0 ||
	    conf_check_drops(c) != 0 || c->nerr != 0)
		return -EINVAL;
	return conf_check_graph(c);
}

/* Runners that run nothing; lcores that two runners or threads claim. */
int
conf_check_lcores(struct pk_conf *c)
{
	unsigned int i, j, nr = c->runners.n, n = nr + c->stages.n;
	const struct conf_pos *pi, *pj;
	char where[64];
	int li, lj, rc = 0;

	for (i = 0; i < nr; i++)
		if (c->runners.v[i].threads == 0)
			rc = conf_err(c, &c->runners.v[i].pos, "found runner "
				      "%s with no thread, expected "
				      "thread_continuation(runner=%s) stages",
				      c->runners.v[i].name,
				      c->runners.v[i].name);
	for (i = 0; i < n && !conf_enough(c); i++) {
		li = i < nr ? c->runners.v[i].lcore :
			      c->stages.v[i - nr].lcore;
		for (j = 0; li >= 0 && j < i; j++) {
			lj = j < nr ? c->runners.v[j].lcore :
				      c->stages.v[j - nr].lcore;
			if (li != lj)
				continue;
			pi = i < nr ? conf_arg_pos(&c->runners.v[i].args,
						   "lcore", NULL) :
				      conf_arg_pos(&c->stages.v[i - nr].args,
						   "lcore", NULL);
			pj = j < nr ? conf_arg_pos(&c->runners.v[j].args,
						   "lcore", NULL) :
				      conf_arg_pos(&c->stages.v[j - nr].args,
						   "lcore", NULL);
			rc = conf_err(c, pi, "found lcore %d for %s, expected "
				      "an lcore of its own: %s has it (at %s)",
				      li, i < nr ? c->runners.v[i].name :
				      c->stages.v[i - nr].name, j < nr ?
				      c->runners.v[j].name :
				      c->stages.v[j - nr].name,
				      conf_where(c, pj, where, sizeof(where)));
			break;
		}
	}
	return rc;
}

/* The parameter name of policy's inputs (NULL: none). */
const char *
conf_policy_param(const char *policy)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(conf_policies); i++)
		if (strcmp(policy, conf_policies[i].policy) == 0)
			return conf_policies[i].param;
	return NULL;
}
