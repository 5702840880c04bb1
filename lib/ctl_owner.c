/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An owner's rate (pk_ctl.h): the rate of the one scheduler that serves
 * the owner alone, changed as ctl_sched.c changes any scheduler (with the
 * threads that run it stopped). A scheduler serves an owner through its
 * queues (stages of the owner's paths, or paths of the owner), through
 * the path it is a member of, or through the path its pulling thread
 * pushes into (a shaper in front of the owner's path, as owners.conf's
 * pace). One that serves several owners is not the owner's to change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_parse.h>

#include "ctl_pvt.h"
#include "pk_internal.h"
#include "sched_pvt.h"

/* Does scheduler s serve owner c->owner alone (see pk_ctl_owner_rate())? */
static bool
owner_alone(const struct ctl_sc *c, const struct pk_sched *sc)
{
	uint32_t id, o, seen = UINT32_MAX, shift;
	const uint8_t *base = sched_records_read(sc, &shift);
	const struct pk_sched_q *q;
	unsigned int i;

	for (id = 0; id <= sc->next_id; id++) {
		o = UINT32_MAX;
		if (id == sc->next_id) {
			o = ctl_path_owner(&sc->stage); /* its own path */
		} else {
			q = sched_record_at(base, shift, id);
			if ((q->flags & SCHED_Q_ATTACHED) &&
			    (q->flags & SCHED_Q_STAGE))
				o = ctl_path_owner(q->stage);
		}
		if (o != UINT32_MAX && seen != UINT32_MAX && o != seen)
			return false;
		if (o != UINT32_MAX)
			seen = o;
	}
	for (i = 0; i < c->nthr; i++) /* its pullers push into a path */
		if (c->thr[i].running && c->thr[i].src == &sc->stage &&
		    c->thr[i].sink_owner != UINT32_MAX) {
			o = c->thr[i].sink_owner;
			if (seen != UINT32_MAX && o != seen)
				return false;
			seen = o;
		}
	return seen == c->owner;
}

static int
owner_find(const struct pk_stage *s, void *arg)
{
	struct ctl_sc *c = arg;

	if (pk_sched_is_sched(s) &&
	    owner_alone(c, (const struct pk_sched *)s)) {
		if (c->nown++ == 0) {
			c->s = (struct pk_stage *)(uintptr_t)s;
			strlcpy(c->first, s->name, sizeof(c->first));
		}
	}
	return 0;
}

int
pk_ctl_owner_rate(const char *owner, const char *rate, char *err,
		  size_t errlen)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4];
	struct ctl_sc c = { 0 };
	uint64_t v;
	int id, rc;

	if (owner == NULL)
		return ctl_err(-EINVAL, err, errlen, "no owner given");
	id = pk_owner_lookup(owner);
	if (id < 0) {
		pk_parse_quote(q, sizeof(q), owner); /* the user's text */
		return ctl_err(-ENOENT, err, errlen, "no owner named %s", q);
	}
	if (ctl_number(rate, PK_PARSE_RATE, 0, PK_SCHED_MAX_RATE, "rate", &v,
		       err, errlen) != 0)
		return -EINVAL;
	c.owner = (uint32_t)id;
	pk_ctl_lock();
	pk_stage_live_foreach(ctl_collect, &c);
	rc = c.rc;
	if (rc == 0)
		pk_stage_live_foreach(owner_find, &c);
	if (rc == 0 && c.nown == 0)
		rc = ctl_err(-ENOENT, err, errlen, "no scheduler serves %s "
			     "alone: set a scheduler's rate by its name",
			     owner);
	else if (rc == 0 && c.nown > 1)
		rc = ctl_err(-EEXIST, err, errlen, "%u schedulers serve %s "
			     "alone (%s, ...): set one's rate by its name",
			     c.nown, owner, c.first);
	if (rc == 0) {
		c.fn = ctl_rate_set;
		c.arg = &v;
		rc = ctl_sched_change(&c, err, errlen);
	}
	pk_ctl_unlock();
	free(c.thr);
	return rc;
}
