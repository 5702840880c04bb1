/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PktSched policy switch, first half (sched_switch.c has the top-level
 * story): everything checked and allocated on the control thread before
 * anything changes, so that a refusal (unknown policy, a parameter out of
 * the new policy's range, a queue manager over stage queues, no memory,
 * the new policy's init) changes nothing and says why.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "ctl_pvt.h" /* ctl_err(): a switch is a runtime change */
#include "sched_switch_pvt.h"

void
sched_switch_free_slabs(const struct pk_sched *sc, uint64_t **slabs)
{
	uint32_t i;

	if (slabs == NULL)
		return;
	for (i = 0; i < sc->max_queues / SCHED_SLAB_QUEUES + 1; i++)
		rte_free(slabs[i]);
	rte_free(slabs);
}

void
sched_switch_free(struct pk_sched *sc, struct sched_switch *w)
{
	if (w->sp != NULL && w->pol->fini != NULL && !w->committed)
		w->pol->fini(w->sp);
	if (!w->committed)
		rte_free(w->sp);
	sched_switch_free_slabs(sc, w->slabs);
	rte_free(w->params);
	rte_free(w);
}

/* Every parameter the caller gave, in the new policy's range. */
static int
sw_params(struct pk_sched *sc, struct sched_switch *w,
	  const struct pk_sched_switch_conf *c, char *err, size_t errlen)
{
	const struct pk_sched_policy *p = w->pol;
	uint32_t i, v;

	if (c->params == NULL || c->nb_params == 0)
		return 0;
	w->nb_params = RTE_MIN(c->nb_params, sc->max_queues);
	w->params = sched_zalloc(sc, sizeof(*w->params) * w->nb_params);
	if (w->params == NULL)
		return ctl_err(-ENOMEM, err, errlen, "no memory");
	for (i = 0; i < w->nb_params; i++) {
		v = c->params[i] == PK_SCHED_PARAM_DEFAULT ? p->param_default :
							      c->params[i];
		if (v < p->param_min || v > p->param_max)
			return ctl_err(-EINVAL, err, errlen, "queue %u: %s "
				       "parameter %u not in %u..%u", i, p->name,
				       v, p->param_min, p->param_max);
		w->params[i] = v;
	}
	return 0;
}

/*
 * The new records: the spare if it is big enough, else a new array as big
 * as any before (arrays only grow: see the top of the file).
 */
static int
sw_records(struct pk_sched *sc, struct sched_switch *w)
{
	size_t need;

	w->qshift = rte_log2_u64(sizeof(struct pk_sched_q) +
				 w->pol->queue_size);
	need = RTE_MAX((size_t)sc->max_queues << w->qshift, sc->qbase_size);
	if (sc->qspare != NULL && sc->qspare_size >= need) {
		w->qbase = sc->qspare;
		w->qsize = sc->qspare_size;
		return 0;
	}
	if (sc->qspare != NULL && sc->nb_qretired == SCHED_QRETIRED)
		return -ENOMEM; /* cannot happen: sizes are powers of two */
	w->qbase = sched_zalloc(sc, need);
	if (w->qbase == NULL)
		return -ENOMEM;
	w->qsize = need;
	w->retire = sc->qspare;
	return 0;
}

/* Slabs twice the size, for a queue manager's arrival times. */
static int
sw_slabs(struct pk_sched *sc, struct sched_switch *w)
{
	uint32_t i, n = sc->max_queues / SCHED_SLAB_QUEUES + 1;
	size_t bytes = (size_t)SCHED_SLAB_QUEUES * (sc->qmask + 1) *
		       sizeof(uint64_t) * 2;

	if (!(w->pol->flags & PK_SCHED_POL_AQM) || sc->fifo_ts)
		return 0;
	w->slabs = sched_zalloc(sc, sizeof(*w->slabs) * n);
	if (w->slabs == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (sc->slabs[i] == NULL)
			continue;
		w->slabs[i] = sched_zalloc(sc, bytes);
		if (w->slabs[i] == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int
sw_check(struct pk_sched *sc, const struct pk_sched_switch_conf *c,
	 const struct pk_sched_policy **pp, char *err, size_t errlen)
{
	const struct pk_sched_policy *p;

	if (c == NULL || c->policy == NULL)
		return ctl_err(-EINVAL, err, errlen, "no policy named");
	/* a composite's classes are not queues a flat policy could adopt */
	if (sc->hier != NULL || strchr(c->policy, ':') != NULL)
		return ctl_err(-ENOTSUP, err, errlen, "a two-level policy "
			       "cannot be switched to or from at run time");
	p = pk_sched_policy_find(c->policy);
	if (p == NULL)
		return ctl_err(-ENOENT, err, errlen, "unknown scheduling "
			       "policy '%.*s'", PK_SCHED_POLICY_NAMESIZE,
			       c->policy);
	if ((p->flags & PK_SCHED_POL_AQM) &&
	    (p->arrive == NULL || p->judge == NULL || p->dropped == NULL ||
	     p->victim == NULL))
		return ctl_err(-EINVAL, err, errlen, "queue manager %s lacks "
			       "an op", p->name);
	if ((p->flags & PK_SCHED_POL_AQM) && sc->nb_stage_queues != 0)
		return ctl_err(-EINVAL, err, errlen, "%s takes internal queues "
			       "only: %u stage queues are attached", p->name,
			       sc->nb_stage_queues);
	*pp = p;
	return 0;
}

int
pk_sched_switch_prepare(struct pk_sched *sc,
			const struct pk_sched_switch_conf *c,
			struct sched_switch **wp, char *err, size_t errlen)
{
	struct pk_sched_policy_conf pc = {
		.max_queues = sc->max_queues,
		.mtu = sc->mtu,
		.socket_id = sc->socket_id,
	};
	const struct pk_sched_policy *p = NULL;
	struct sched_switch *w;
	int rc;

	*wp = NULL;
	rc = sw_check(sc, c, &p, err, errlen);
	if (rc != 0)
		return rc;
	w = sched_zalloc(sc, sizeof(*w));
	if (w == NULL)
		return ctl_err(-ENOMEM, err, errlen, "no memory");
	w->pol = p;
	w->aqm = c->aqm != NULL ? *c->aqm : sc->aqm_conf;
	pc.aqm = &w->aqm;
	rc = sw_params(sc, w, c, err, errlen);
	if (rc != 0)
		goto fail;
	w->sp = sched_zalloc(sc, RTE_MAX(p->sched_size, (size_t)1));
	if (w->sp == NULL || sw_records(sc, w) != 0 || sw_slabs(sc, w) != 0) {
		rc = ctl_err(-ENOMEM, err, errlen, "no memory for %s's state",
			     p->name);
		goto fail;
	}
	rc = p->init(w->sp, &pc);
	if (rc != 0) {
		rte_free(w->sp); /* init failed: nothing to finalise */
		w->sp = NULL;
		rc = ctl_err(rc, err, errlen, "%s refuses its parameters: %s",
			     p->name, strerror(-rc));
		goto fail;
	}
	*wp = w;
	return 0;
fail:
	if (w->qbase != sc->qspare)
		rte_free(w->qbase);
	sched_switch_free(sc, w);
	return rc;
}
