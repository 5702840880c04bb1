/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched core: the compound stage around a policy. This file holds the
 * scheduler itself: the policy registry and policy strings' look-up,
 * create (records, idle list, FIFO slabs, policy area; a two-level
 * policy's composite from sched_hier.c), free, the ops table, the
 * classifier and the name.
 * The other parts: sched_queue.c (attach, detach, parameters),
 * sched_fastpath.c (push, pull) and sched_shaper.c; shared state and the
 * queue-record helpers in sched_pvt.h. Policies (drivers/sched/pktsched_*.c)
 * see only struct pk_sched_q; the "pktsched" stage kind is
 * drivers/sched/pktsched.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <pathkit/pk_log.h>

#include "registry_pvt.h"
#include "sched_pvt.h"

static struct pk_registry sched_policies =
	PK_REGISTRY_INITIALIZER(sched_policies);

void
pk_sched_policy_register(struct pk_sched_policy *p)
{
	if (pk_registry_add(&sched_policies, &p->reg, p->name, true) != 0)
		PK_LOG(ERR, "scheduling policy %s registered twice: the second "
		       "is ignored", p->name);
}

const struct pk_sched_policy *
pk_sched_policy_find(const char *name)
{
	struct pk_registry_node *n = pk_registry_find(&sched_policies, name);

	return n != NULL ? container_of(n, struct pk_sched_policy, reg) : NULL;
}

/* A policy string's names, resolved (pk_sched_policy_split() syntax). */
int
pk_sched_policy_lookup(const char *s, const struct pk_sched_policy **outer,
		       const struct pk_sched_policy **inner, char *err,
		       size_t esize)
{
	char o[PK_SCHED_POLICY_PARTSIZE], in[PK_SCHED_POLICY_PARTSIZE];
	int lv = pk_sched_policy_split(s, o, in, err, esize);

	if (lv < 0)
		return lv;
	*outer = pk_sched_policy_find(o);
	*inner = lv == 1 ? pk_sched_policy_find(in) : NULL;
	if (*outer == NULL || (lv == 1 && *inner == NULL)) {
		if (err != NULL && esize > 0)
			snprintf(err, esize, "policy: unknown policy '%s'",
				 *outer == NULL ? o : in);
		return -ENOENT;
	}
	if (lv == 1 && ((*outer)->flags & PK_SCHED_POL_AQM)) {
		if (err != NULL && esize > 0)
			snprintf(err, esize, "policy: %s manages flows: it "
				 "goes under flows:, not owners:", o);
		return -EINVAL;
	}
	return 0;
}

static void
sched_free(struct pk_sched *sc)
{
	uint32_t id, i;

	if (sc->qbase != NULL)
		for (id = 0; id < sc->next_id; id++) {
			struct pk_sched_q *q = sched_q(sc, id);

			if (!(q->flags & SCHED_Q_ATTACHED))
				continue;
			if (q->flags & SCHED_Q_STAGE)
				rte_pktmbuf_free(q->head);
			else
				pk_sched_q_purge(sc, q);
		}
	if (sc->sp != NULL && sc->pol->fini != NULL)
		sc->pol->fini(sc->sp);
	if (sc->slabs != NULL)
		for (i = 0; i < sc->max_queues / SCHED_SLAB_QUEUES + 1; i++)
			rte_free(sc->slabs[i]);
	rte_free(sc->slabs);
	rte_free(sc->idle);
	rte_free(sc->free_ids);
	rte_free(sc->cold);
	rte_free(sc->qbase);
	rte_free(sc->qspare);
	for (i = 0; i < sc->nb_qretired; i++)
		rte_free(sc->qretired[i]);
	rte_free(sc->sp);
	rte_free(sc->class_params);
	pk_sched_hier_free(sc->hier);
	pk_stage_free(&sc->stage);
}

static void
sched_destroy(struct pk_stage *s)
{
	sched_free(sched_of(s));
}

static const struct pk_stage_ops sched_ops = {
	.kind = "pktsched",
	.push = pk_sched_push,
	.pull = pk_sched_pull,
	.destroy = sched_destroy,
	.len = pk_sched_len,
	.held = pk_sched_held,
	.caps = PK_STAGE_CAP_PUSH | PK_STAGE_CAP_PULL,
};

bool
pk_sched_is_sched(const struct pk_stage *s)
{
	return s != NULL && s->ops == &sched_ops;
}

/* The classes of a two-level policy: they divide the queues evenly. */
static int
sched_conf_classes(const char *name, const struct pk_sched_conf *c,
		   bool hier)
{
	uint32_t nq = c->max_queues ? c->max_queues : PK_SCHED_DEFAULT_QUEUES;

	if (!hier && c->nb_classes > 1) {
		PK_LOG(ERR, "%s: %u classes need a two-level policy "
		       "(owners:OUTER,flows:INNER)", name, c->nb_classes);
		return -EINVAL;
	}
	if (hier && (c->nb_classes > nq || (c->nb_classes != 0 &&
					    nq % c->nb_classes != 0))) {
		PK_LOG(ERR, "%s: %u classes do not divide %u queues evenly",
		       name, c->nb_classes, nq);
		return -EINVAL;
	}
	return 0;
}

static int
sched_conf_check(const char *name, const struct pk_sched_conf *c,
		 const struct pk_sched_policy **pol,
		 const struct pk_sched_policy **inner)
{
	const char *pname = c->policy != NULL ? c->policy : "wfq";
	const struct pk_sched_policy *leaf;
	char err[128];
	int rc;

	rc = pk_sched_policy_lookup(pname, pol, inner, err, sizeof(err));
	if (rc != 0) {
		PK_LOG(ERR, "%s: %s", name, err);
		return rc;
	}
	if (sched_conf_classes(name, c, *inner != NULL) != 0)
		return -EINVAL;
	leaf = *inner != NULL ? *inner : *pol; /* the one over the queues */
	if ((leaf->flags & PK_SCHED_POL_AQM) &&
	    (leaf->arrive == NULL || leaf->judge == NULL ||
	     leaf->dropped == NULL || leaf->victim == NULL)) {
		PK_LOG(ERR, "%s: queue manager %s lacks an op", name,
		       leaf->name);
		return -EINVAL;
	}
	if (c->max_queues > PK_SCHED_MAX_QUEUES ||
	    (c->qsize != 0 && (!rte_is_power_of_2(c->qsize) ||
			       c->qsize > PK_SCHED_MAX_QSIZE)) ||
	    c->mtu > UINT16_MAX || (c->mtu != 0 && c->mtu < 64)) {
		PK_LOG(ERR, "%s: queues <= %u, qsize a power of two <= %u, "
		       "mtu 64..65535", name, PK_SCHED_MAX_QUEUES,
		       PK_SCHED_MAX_QSIZE);
		return -EINVAL;
	}
	return 0;
}

static int
sched_alloc_parts(struct pk_sched *sc)
{
	struct pk_sched_policy_conf pc = {
		.max_queues = sc->max_queues,
		.mtu = sc->mtu,
		.socket_id = sc->socket_id,
		.aqm = &sc->aqm_conf,
		.pol = sc->pol,
		.nb_classes = sc->nb_classes,
		.class_params = sc->class_params,
	};
	uint32_t nq = sc->max_queues;

	sc->qshift = rte_log2_u64(sizeof(struct pk_sched_q) +
				  sc->pol->queue_size);
	sc->qbase_size = (size_t)nq << sc->qshift;
	sc->qbase = sched_zalloc(sc, sc->qbase_size);
	sc->idle = sched_zalloc(sc, sizeof(*sc->idle) * nq);
	sc->free_ids = sched_zalloc(sc, sizeof(*sc->free_ids) * nq);
	sc->cold = sched_zalloc(sc, sizeof(*sc->cold) * nq);
	sc->slabs = sched_zalloc(sc, sizeof(*sc->slabs) *
				 (nq / SCHED_SLAB_QUEUES + 1));
	sc->sp = sched_zalloc(sc, RTE_MAX(sc->pol->sched_size, (size_t)1));
	if (sc->qbase == NULL || sc->idle == NULL || sc->free_ids == NULL ||
	    sc->cold == NULL || sc->slabs == NULL || sc->sp == NULL)
		return -ENOMEM;
	pc.qbase = sc->qbase;
	pc.qshift = sc->qshift;
	return sc->pol->init(sc->sp, &pc);
}

/* A two-level policy: its ops table for this scheduler, its classes. */
static int
sched_hier_setup(struct pk_sched *sc, const struct pk_sched_conf *c,
		 const struct pk_sched_policy *outer,
		 const struct pk_sched_policy *inner)
{
	sc->nb_classes = RTE_MAX(c->nb_classes, 1u);
	sc->hier = pk_sched_hier_new(outer, inner, c->socket_id);
	if (sc->hier == NULL)
		return -ENOMEM;
	if (c->class_params == NULL)
		return 0;
	sc->class_params = rte_malloc_socket("hier", sizeof(uint32_t) *
					     sc->nb_classes, 0, c->socket_id);
	if (sc->class_params == NULL)
		return -ENOMEM;
	memcpy(sc->class_params, c->class_params,
	       sizeof(uint32_t) * sc->nb_classes);
	return 0;
}

struct pk_stage *
pk_sched_create(const char *name, const struct pk_sched_conf *conf)
{
	const struct pk_sched_policy *pol, *inner;
	struct pk_sched_conf c = { 0 };
	struct pk_stage *s;
	struct pk_sched *sc;
	int rc;

	if (conf != NULL)
		c = *conf;
	rc = sched_conf_check(name != NULL ? name : "(null)", &c, &pol,
			      &inner);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	s = pk_stage_alloc(sizeof(*sc), &sched_ops, name, c.sflags,
			   c.socket_id);
	if (s == NULL)
		return NULL;
	sc = sched_of(s);
	if (inner != NULL) {
		rc = sched_hier_setup(sc, &c, pol, inner);
		if (rc != 0) {
			sched_free(sc);
			rte_errno = -rc;
			return NULL;
		}
		pol = sc->hier;
	}
	sc->pol = pol;
	snprintf(sc->policy, sizeof(sc->policy), "%s", pol->name);
	sc->socket_id = c.socket_id;
	sc->max_queues = c.max_queues ? c.max_queues : PK_SCHED_DEFAULT_QUEUES;
	sc->qmask = (c.qsize ? c.qsize : PK_SCHED_DEFAULT_QSIZE) - 1;
	sc->mtu = c.mtu ? c.mtu : PK_SCHED_DEFAULT_MTU;
	sc->update_dequeue = pol->update_dequeue;
	sc->classify = c.classify; /* NULL: push reads the mbuf field inline */
	sc->classify_arg = c.classify_arg;
	if (c.classify == NULL && pol->classify != NULL) {
		sc->classify = pol->classify;
		sc->classify_arg = (void *)(uintptr_t)sc->max_queues;
	}
	/* before the shaper's reset, which picks the pull by it */
	sc->aqm = (pol->flags & PK_SCHED_POL_AQM) != 0;
	sc->aqm_conf = c.aqm;
	sc->fifo_ts = sc->aqm;
	if (sc->aqm)
		s->push = pk_sched_aqm_push;
	sc->clock = pk_sched_tsc;
	sc->hz = rte_get_tsc_hz();
	rc = sched_alloc_parts(sc);
	/* a composite's classifier reads its classes: its state */
	if (rc == 0 && sc->hier != NULL && c.classify == NULL)
		sc->classify_arg = sc->sp;
	if (rc == 0)
		rc = pk_sched_set_shaper(s, c.rate_bps, c.overhead ? c.overhead :
					 PK_SCHED_DEFAULT_OVERHEAD, c.burst);
	if (rc != 0) {
		PK_LOG(ERR, "%s: cannot set up a %s scheduler of %u queues: %s",
		       name, pol->name, sc->max_queues, strerror(-rc));
		sched_free(sc);
		rte_errno = -rc;
		return NULL;
	}
	return s;
}

int
pk_sched_set_classifier(struct pk_stage *s, pk_sched_classify_t fn, void *arg)
{
	struct pk_sched *sc = sched_check(s);

	if (sc == NULL)
		return -EINVAL;
	sc->classify = fn;
	sc->classify_arg = arg;
	return 0;
}

const char *
pk_sched_policy_name(const struct pk_stage *s)
{
	const struct pk_sched *sc = sched_check(s);

	return sc != NULL ? sc->policy : NULL;
}
