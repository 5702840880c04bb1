/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime change of a scheduler's policy (pk_ctl_sched_policy()): the
 * arguments read first (a refusal changes nothing), then the scheduler
 * found by name. An arbiter's scheduler (named by the scheduler's stage
 * name or by the arbiter's) is switched by the arbiter's own thread
 * (pk_arbiter_policy_switch()); any other as the other scheduler changes
 * are made (ctl_sched.c): with the threads that run it stopped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include <pathkit/pk_arbiter.h>
#include <pathkit/pk_parse.h>

#include "ctl_pvt.h"
#include "pk_internal.h"
#include "sched_pvt.h"

#define POL_ARGS 256 /* longest argument text */
#define POL_MAX_NS (3600ULL * 1000000000)

/* The new policy and what the arguments change. */
struct pol_op {
	char policy[PK_SCHED_POLICY_NAMESIZE];
	struct ctl_pol_args a;
	char *err;
	size_t errlen;
};

/* key, kind, range, where in struct pk_sched_aqm_conf (0: param) */
static const struct {
	const char *key;
	enum pk_parse_kind kind;
	uint64_t min, max;
	size_t off;
	bool u64;
} pol_keys[] = {
	{ "param", PK_PARSE_INT, 0, UINT32_MAX - 1, 0, false },
	{ "target", PK_PARSE_DURATION, 1, POL_MAX_NS,
	  offsetof(struct pk_sched_aqm_conf, target_ns), true },
	{ "interval", PK_PARSE_DURATION, 1, POL_MAX_NS,
	  offsetof(struct pk_sched_aqm_conf, interval_ns), true },
	{ "tupdate", PK_PARSE_DURATION, 1, POL_MAX_NS,
	  offsetof(struct pk_sched_aqm_conf, interval_ns), true },
	{ "burst_allowance", PK_PARSE_DURATION, 1, POL_MAX_NS,
	  offsetof(struct pk_sched_aqm_conf, burst_ns), true },
	{ "limit", PK_PARSE_INT, 1, UINT32_MAX,
	  offsetof(struct pk_sched_aqm_conf, limit), false },
	{ "limit_bytes", PK_PARSE_INT, 1, UINT32_MAX,
	  offsetof(struct pk_sched_aqm_conf, limit_bytes), false },
	{ "batch", PK_PARSE_INT, 1, UINT32_MAX,
	  offsetof(struct pk_sched_aqm_conf, batch), false },
	{ "alpha", PK_PARSE_INT, 1, UINT32_MAX,
	  offsetof(struct pk_sched_aqm_conf, alpha), false },
	{ "beta", PK_PARSE_INT, 1, UINT32_MAX,
	  offsetof(struct pk_sched_aqm_conf, beta), false },
	{ "ecn", PK_PARSE_INT, 0, 1,
	  offsetof(struct pk_sched_aqm_conf, ecn), false },
};

/* One key=value; the reason of a refusal in err. */
static int
pol_arg(struct ctl_pol_args *o, char *kv, char *err, size_t errlen)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4], *val = strchr(kv, '=');
	uint64_t v;
	unsigned int i;

	if (val != NULL)
		*val++ = '\0';
	for (i = 0; i < RTE_DIM(pol_keys); i++)
		if (strcmp(kv, pol_keys[i].key) == 0)
			break;
	if (i == RTE_DIM(pol_keys) || val == NULL) {
		pk_parse_quote(q, sizeof(q), kv);
		return ctl_err(-EINVAL, err, errlen, "found '%s', "
			       "expected KEY=VALUE (param target interval "
			       "tupdate burst_allowance limit limit_bytes batch "
			       "alpha beta ecn)", q);
	}
	if (i == 0 && strcmp(val, "default") == 0) {
		v = PK_SCHED_PARAM_DEFAULT;
	} else if (ctl_number(val, pol_keys[i].kind, pol_keys[i].min,
			      pol_keys[i].max, pol_keys[i].key, &v, err,
			      errlen) != 0) {
		return -EINVAL;
	}
	if (i == 0) {
		o->has_param = true;
		o->param = (uint32_t)v;
	} else if (i == RTE_DIM(pol_keys) - 1) {
		o->aqm.ecn = v != 0 ? PK_SCHED_ECN_ON : PK_SCHED_ECN_OFF;
	} else if (pol_keys[i].u64) {
		*(uint64_t *)((char *)&o->aqm + pol_keys[i].off) = v;
	} else {
		*(uint32_t *)((char *)&o->aqm + pol_keys[i].off) = (uint32_t)v;
	}
	o->mask |= 1u << i;
	return 0;
}

int
ctl_pol_args_parse(const char *args, struct ctl_pol_args *pa, char *err,
		   size_t errlen)
{
	char buf[POL_ARGS], *save = NULL, *t;
	int rc;

	memset(pa, 0, sizeof(*pa));
	if (args == NULL)
		return 0;
	if (strnlen(args, sizeof(buf)) == sizeof(buf))
		return ctl_err(-EINVAL, err, errlen, "arguments longer than "
			       "%zu bytes", sizeof(buf) - 1);
	strlcpy(buf, args, sizeof(buf));
	for (t = strtok_r(buf, " ", &save); t != NULL;
	     t = strtok_r(NULL, " ", &save))
		if ((rc = pol_arg(pa, t, err, errlen)) != 0)
			return rc;
	return 0;
}

/* The switch's configuration for sc: its AQM conf with the changes. */
static int
pol_conf(const struct pk_sched *sc, const struct pol_op *po,
	 struct pk_sched_switch_conf *c, struct pk_sched_aqm_conf *a,
	 uint32_t **params)
{
	const struct ctl_pol_args *o = &po->a;
	unsigned int i;

	*a = sc->aqm_conf;
	for (i = 1; i < RTE_DIM(pol_keys); i++) {
		if (!(o->mask & (1u << i)))
			continue;
		if (i == RTE_DIM(pol_keys) - 1)
			a->ecn = o->aqm.ecn;
		else if (pol_keys[i].u64)
			*(uint64_t *)((char *)a + pol_keys[i].off) =
				*(uint64_t *)((char *)&o->aqm + pol_keys[i].off);
		else
			*(uint32_t *)((char *)a + pol_keys[i].off) =
				*(uint32_t *)((char *)&o->aqm + pol_keys[i].off);
	}
	memset(c, 0, sizeof(*c));
	c->policy = po->policy;
	c->aqm = a;
	*params = NULL;
	if (!o->has_param)
		return 0;
	*params = malloc(sizeof(**params) * sc->max_queues);
	if (*params == NULL)
		return ctl_err(-ENOMEM, po->err, po->errlen, "no memory");
	for (i = 0; i < sc->max_queues; i++)
		(*params)[i] = o->param;
	c->params = *params;
	c->nb_params = sc->max_queues;
	return 0;
}

/* A ctl_sc fn: the switch, with what runs the scheduler stopped. */
static int
pol_sched(struct pk_sched *sc, void *arg)
{
	struct pol_op *o = arg;
	struct pk_sched_switch_conf c;
	struct pk_sched_aqm_conf a;
	struct sched_switch *w;
	uint32_t *params;
	int rc;

	rc = pol_conf(sc, o, &c, &a, &params);
	if (rc == 0)
		rc = pk_sched_switch_prepare(sc, &c, &w, o->err, o->errlen);
	if (rc == 0) {
		rc = pk_sched_switch_commit(sc, w);
		if (rc != 0)
			ctl_err(rc, o->err, o->errlen, "%s refuses the queues "
				"of %s: %s", o->policy, sc->stage.name,
				strerror(-rc));
		pk_sched_switch_finish(sc, w);
	}
	free(params);
	return rc;
}

struct pol_arb {
	const char *name;
	struct pol_op *o;
	int rc;
};

/* An arbiter named so, or whose scheduler is: its thread switches. */
static int
pol_arbiter(const struct pk_arbiter *ca, void *arg)
{
	struct pk_arbiter *a = (struct pk_arbiter *)(uintptr_t)ca;
	struct pk_stage *s = pk_arbiter_sched(a);
	struct pk_sched_switch_conf c;
	struct pk_sched_aqm_conf aq;
	struct pol_arb *p = arg;
	uint32_t *params;

	if (strcmp(pk_arbiter_name(a), p->name) != 0 &&
	    strcmp(s->name, p->name) != 0)
		return 0;
	p->rc = pol_conf(sched_of(s), p->o, &c, &aq, &params);
	if (p->rc == 0)
		p->rc = pk_arbiter_policy_switch(a, &c, p->o->err,
						 p->o->errlen);
	free(params);
	return 1;
}

int
pk_ctl_sched_policy(const char *sched, const char *policy, const char *args,
		    char *err, size_t errlen)
{
	struct pol_op o = { .err = err, .errlen = errlen };
	struct pol_arb p = { .name = sched, .o = &o };
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rc = ctl_name_check(sched, "a scheduler's name", err, errlen);
	if (rc != 0)
		return rc;
	if (policy == NULL || policy[0] == '\0' ||
	    strnlen(policy, sizeof(o.policy)) == sizeof(o.policy) ||
	    pk_sched_policy_find(policy) == NULL) {
		pk_parse_quote(q, sizeof(q), policy);
		return ctl_err(policy != NULL && policy[0] != '\0' ? -ENOENT :
			       -EINVAL, err, errlen, "found '%s', expected a "
			       "scheduling policy (wfq wf2q drr prio rr fifo "
			       "fq_codel fq_pie)", q);
	}
	strlcpy(o.policy, policy, sizeof(o.policy));
	rc = ctl_pol_args_parse(args, &o.a, err, errlen);
	if (rc != 0)
		return rc;
	pk_ctl_lock();
	rc = pk_arbiter_live_foreach(pol_arbiter, &p);
	pk_ctl_unlock();
	if (rc != 0)
		return p.rc;
	return ctl_sched_run(sched, pol_sched, &o, err, errlen);
}
