/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pktsched: the packet scheduler (lib/sched.c) as a stage kind, built from
 * key=value arguments through pk_sched.h alone.
 * push: classifies each packet to a queue (m->hash.sched.queue_id) and
 *   stores it; refuses "no-match" (no such queue) and "full" (caller keeps
 *   them).  pull: by policy, shaped if rate= is set.  destroy: frees what
 *   the internal queues hold; attached stage queues stay their owners'.
 * threads: push, pull and control on one thread at a time (pk_sched.h).
 * args: policy=<wfq|wf2q|drr|prio|rr|fifo|fq_codel|fq_pie, or two levels
 *   owners:OUTER/flows:INNER (pk_sched.h, Hierarchy); wfq>
 *   classes=<two levels: classes, dividing queues; 1>
 *   class_params=<P1:P2:..:Pn, one per class or one for all; OUTER's default>
 *   queues=<1.., 1024> qsize=<pow2, 64> mtu=<64..65535, 2048>
 *   rate=<bit/s, 0: unshaped> overhead=<bytes per frame, 24> burst=<bytes,
 *   0: auto> nq=<internal queues attached at create, ids 0..nq-1, 0; a
 *   queue manager's: queues> bytes=<0|1>
 *   queue managers (fq_codel, fq_pie; struct pk_sched_aqm_conf, 0 or
 *   absent: the policy's default): target=<duration> interval=<duration>
 *   (fq_pie: its tupdate, also tupdate=) burst_allowance=<duration>
 *   limit=<packets> limit_bytes=<bytes> ecn=<0|1> alpha=<1/1000>
 *   beta=<1/1000>; durations with s, ms, us (pk_parse_duration())
 * stats: in, out, no-match, full (refused; dropped past a queue manager's
 *   limit), policy (freed by detach or destroy), aqm (dropped by CoDel/PIE)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_kvargs.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_parse.h>
#include <pathkit/pk_sched.h>
#include <pathkit/pk_sched_policy.h>
#include <pathkit/pk_stage_driver.h>

/* A duration argument, if given: ns into *v. @return 0 or -EINVAL. */
static int
pktsched_kv_duration(const struct rte_kvargs *kv, const char *key,
		     uint64_t *v)
{
	const char *val = rte_kvargs_get(kv, key);

	if (rte_kvargs_count(kv, key) > 1 || (val != NULL &&
	    pk_parse_duration(val, 1, 3600ULL * 1000000000, v) != 0)) {
		PK_LOG(ERR, "pktsched: %s=%s: expected one duration from 1 ns "
		       "to 1 h (5ms, 100us)", key, val != NULL ? val : "");
		return -EINVAL;
	}
	return 0;
}

/* The queue managers' arguments (other policies ignore them). */
static int
pktsched_kv_aqm(const struct rte_kvargs *kv, struct pk_sched_aqm_conf *a)
{
	uint64_t limit = 0, limit_bytes = 0, alpha = 0, beta = 0, ecn = 1;

	if (pktsched_kv_duration(kv, "target", &a->target_ns) ||
	    pktsched_kv_duration(kv, "interval", &a->interval_ns) ||
	    pktsched_kv_duration(kv, "tupdate", &a->interval_ns) ||
	    pktsched_kv_duration(kv, "burst_allowance", &a->burst_ns) ||
	    pk_stage_arg_u64(kv, "limit", 1, UINT32_MAX, &limit) ||
	    pk_stage_arg_u64(kv, "limit_bytes", 1, UINT32_MAX, &limit_bytes) ||
	    pk_stage_arg_u64(kv, "alpha", 1, 1000000, &alpha) ||
	    pk_stage_arg_u64(kv, "beta", 1, 1000000, &beta) ||
	    pk_stage_arg_u64(kv, "ecn", 0, 1, &ecn))
		return -EINVAL;
	a->limit = (uint32_t)limit;
	a->limit_bytes = (uint32_t)limit_bytes;
	a->alpha = (uint32_t)alpha;
	a->beta = (uint32_t)beta;
	a->ecn = ecn ? PK_SCHED_ECN_ON : PK_SCHED_ECN_OFF;
	return 0;
}

/*
 * classes= and class_params= of a two-level policy: the parameters, one
 * per class or one for all, into a buffer the caller frees (NULL if none).
 */
static int
pktsched_kv_classes(const struct rte_kvargs *kv,
		    const struct pk_sched_policy *outer, struct pk_sched_conf *c,
		    uint32_t **params)
{
	const char *v = rte_kvargs_get(kv, "class_params");
	uint64_t classes = 1, *w;
	char *text, *p;
	int n, i;

	*params = NULL;
	if (pk_stage_arg_u64(kv, "classes", 1, PK_SCHED_MAX_QUEUES, &classes) ||
	    rte_kvargs_count(kv, "class_params") > 1)
		return -EINVAL;
	c->nb_classes = (uint32_t)classes;
	if (v == NULL)
		return 0;
	text = strdup(v);
	w = calloc(classes, sizeof(*w));
	*params = calloc(classes, sizeof(**params));
	if (text == NULL || w == NULL || *params == NULL) {
		n = -ENOMEM;
		goto out;
	}
	for (p = text; *p != '\0'; p++)
		if (*p == ':')
			*p = ',';
	n = pk_parse_u64_list(text, outer->param_min, outer->param_max, w,
			      (int)classes);
	if (n < 0 || (n != 1 && (uint64_t)n != classes)) {
		PK_LOG(ERR, "pktsched: class_params=%s: expected one or %u "
		       "numbers in %u..%u separated by ':'", v,
		       (unsigned int)classes, outer->param_min,
		       outer->param_max);
		n = -EINVAL;
		goto out;
	}
	for (i = 0; i < (int)classes; i++)
		(*params)[i] = (uint32_t)w[n == 1 ? 0 : i];
	c->class_params = *params;
	n = 0;
out:
	free(text);
	free(w);
	if (n != 0) {
		free(*params);
		*params = NULL;
	}
	return n;
}

static int
pktsched_kv_conf(const struct rte_kvargs *kv, struct pk_sched_conf *c,
		 uint64_t *nq, uint32_t **params)
{
	uint64_t queues = PK_SCHED_DEFAULT_QUEUES, qsize = PK_SCHED_DEFAULT_QSIZE;
	uint64_t mtu = PK_SCHED_DEFAULT_MTU, rate = 0;
	uint64_t ovh = PK_SCHED_DEFAULT_OVERHEAD, burst = 0;
	const struct pk_sched_policy *pol = NULL, *inner = NULL;
	char err[128]; /* unused: pk_sched_create() logs the reason */

	if (rte_kvargs_count(kv, "policy") > 1 ||
	    pk_stage_arg_u64(kv, "queues", 1, PK_SCHED_MAX_QUEUES, &queues) ||
	    pk_stage_arg_u64(kv, "qsize", 2, PK_SCHED_MAX_QSIZE, &qsize) ||
	    pk_stage_arg_u64(kv, "mtu", 64, UINT16_MAX, &mtu) ||
	    pk_stage_arg_u64(kv, "rate", 0, PK_SCHED_MAX_RATE, &rate) ||
	    pk_stage_arg_u64(kv, "overhead", 0, 1024, &ovh) ||
	    pk_stage_arg_u64(kv, "burst", 0, UINT32_MAX, &burst) ||
	    pk_stage_arg_u64(kv, "nq", 0, queues, nq) ||
	    pk_stage_args_flags(kv, &c->sflags) ||
	    pktsched_kv_aqm(kv, &c->aqm))
		return -EINVAL;
	c->policy = rte_kvargs_get(kv, "policy");
	/* a bad policy: pk_sched_create() says so (EINVAL, ENOENT) */
	if (pk_sched_policy_lookup(c->policy != NULL ? c->policy : "wfq", &pol,
				   &inner, err, sizeof(err)) != 0)
		return 0;
	if (inner == NULL && (rte_kvargs_get(kv, "classes") != NULL ||
			      rte_kvargs_get(kv, "class_params") != NULL)) {
		PK_LOG(ERR, "pktsched: classes= and class_params= need a "
		       "two-level policy (owners:OUTER/flows:INNER)");
		return -EINVAL;
	}
	if (inner != NULL && pktsched_kv_classes(kv, pol, c, params) != 0)
		return -EINVAL;
	/* a queue manager hashes flows onto all its queues: attach them */
	if (inner != NULL)
		pol = inner;
	if ((pol->flags & PK_SCHED_POL_AQM) &&
	    rte_kvargs_get(kv, "nq") == NULL)
		*nq = queues;
	c->max_queues = queues;
	c->qsize = qsize;
	c->mtu = mtu;
	c->rate_bps = rate;
	c->overhead = ovh;
	c->burst = burst;
	return 0;
}

static struct pk_stage *
pktsched_create(const char *name, const struct rte_kvargs *kv, int socket_id)
{
	struct pk_sched_queue_conf qc = { .param = PK_SCHED_PARAM_DEFAULT };
	struct pk_sched_conf c = { .socket_id = socket_id };
	struct pk_stage *s;
	uint32_t *params = NULL;
	uint64_t nq = 0, i;
	int rc;

	if (pktsched_kv_conf(kv, &c, &nq, &params) != 0) {
		PK_LOG(ERR, "%s: bad pktsched arguments", name);
		rte_errno = EINVAL;
		return NULL;
	}
	s = pk_sched_create(name, &c);
	free(params); /* the scheduler keeps a copy */
	if (s == NULL)
		return NULL;
	/* pk_sched_create() took overhead 0 for the default; here it means 0 */
	if (c.overhead == 0)
		pk_sched_set_shaper(s, c.rate_bps, 0, c.burst);
	for (i = 0; i < nq; i++) {
		rc = pk_sched_queue_attach(s, &qc);
		if (rc < 0) {
			pk_stage_destroy(s);
			rte_errno = -rc;
			return NULL;
		}
	}
	return s;
}

static const char *const pktsched_args[] = {
	"policy", "queues", "qsize", "mtu", "rate", "overhead", "burst", "nq",
	"target", "interval", "tupdate", "burst_allowance", "limit",
	"limit_bytes", "ecn", "alpha", "beta", "classes", "class_params", NULL
};
static struct pk_stage_kind pktsched_kind = {
	.name = "pktsched",
	.help = "packet scheduler: wfq (QFQ), wf2q, drr, prio, rr, fifo, "
		"fq_codel, fq_pie, two levels owners:OUTER/flows:INNER; "
		"optional link-rate shaper",
	.args = pktsched_args,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
	.create = pktsched_create,
};
PK_STAGE_KIND_REGISTER(pktsched_kind);
