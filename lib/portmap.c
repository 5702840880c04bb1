/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port map (pk_portmap.h): the map's life, its list of live maps, its
 * reservations and the ephemeral range. Bindings and ephemeral picks are
 * in portmap_bind.c, addresses and reservation specs in portmap_spec.c,
 * telemetry in portmap_telemetry.c; what they share in portmap_pvt.h.
 *
 * Reservations are few (PK_PORTMAP_MAX_RESV) and changed rarely: an array
 * in the order they were made, searched linearly, plus a count per port
 * (nresv) so that a bind or an ephemeral pick only searches the array for
 * a port some reservation covers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include <pathkit/pk_log.h>
#include <pathkit/pk_parse.h>

#include "pk_internal.h"
#include "portmap_pvt.h"
#include "registry_pvt.h"

/* Every map from create until destroy: lookup and telemetry read it. */
static struct pk_registry live_maps = PK_REGISTRY_INITIALIZER(live_maps);

struct pk_portmap *
pk_portmap_create(const char *name)
{
	struct pk_portmap *pm;
	int rc;

	if (name == NULL || name[0] == '\0' ||
	    strnlen(name, PM_NAMESIZE) == PM_NAMESIZE) {
		PK_LOG(ERR, "portmap: a name is 1..%d characters",
		       PM_NAMESIZE - 1);
		rte_errno = EINVAL;
		return NULL;
	}
	pm = calloc(1, sizeof(*pm));
	if (pm == NULL)
		goto nomem;
	strlcpy(pm->name, name, sizeof(pm->name));
	pthread_mutex_init(&pm->lock, NULL);
	pm->eph_lo = PK_PORTMAP_EPHEMERAL_LO;
	pm->eph_hi = PK_PORTMAP_EPHEMERAL_HI;
	pm->cursor[0] = pm->cursor[1] = pm->eph_lo;
	pm->resv = calloc(PK_PORTMAP_MAX_RESV, sizeof(*pm->resv));
	pm->nbound = calloc(PM_PROTOS, sizeof(*pm->nbound));
	pm->nresv = calloc(PM_PROTOS, sizeof(*pm->nresv));
	if (pm->resv == NULL || pm->nbound == NULL || pm->nresv == NULL ||
	    pm_bind_init(pm) != 0)
		goto nomem;
	rc = pk_registry_add(&live_maps, &pm->reg, pm->name, true);
	if (rc != 0) {
		PK_LOG(ERR, "portmap %s: the name is taken", name);
		pk_portmap_destroy(pm);
		rte_errno = EEXIST;
		return NULL;
	}
	return pm;
nomem:
	PK_LOG(ERR, "portmap %s: no memory", name);
	pk_portmap_destroy(pm);
	rte_errno = ENOMEM;
	return NULL;
}

void
pk_portmap_destroy(struct pk_portmap *pm)
{
	if (pm == NULL)
		return;
	/* off the list first: telemetry reads a map under the list's lock */
	pk_registry_del(&live_maps, &pm->reg);
	pm_bind_fini(pm);
	free(pm->nresv);
	free(pm->nbound);
	free(pm->resv);
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

struct pk_portmap *
pk_portmap_lookup(const char *name)
{
	struct pk_registry_node *n = pk_registry_find(&live_maps, name);

	return n != NULL ? container_of(n, struct pk_portmap, reg) : NULL;
}

/* Adapts a registry walk to the caller's function on maps. */
struct pm_walk {
	int (*fn)(struct pk_portmap *pm, void *arg);
	void *arg;
};

static int
pm_walk_one(struct pk_registry_node *n, void *arg)
{
	struct pm_walk *w = arg;

	return w->fn(container_of(n, struct pk_portmap, reg), w->arg);
}

int
pm_live_foreach(int (*fn)(struct pk_portmap *pm, void *arg), void *arg)
{
	struct pm_walk w = { .fn = fn, .arg = arg };

	return pk_registry_foreach(&live_maps, pm_walk_one, &w);
}

int
pm_live_apply(const char *name, int (*fn)(struct pk_portmap *pm, void *arg),
	      void *arg)
{
	struct pm_walk w = { .fn = fn, .arg = arg };

	return pk_registry_apply(&live_maps, name, pm_walk_one, &w);
}

int
pk_portmap_ephemeral_set(struct pk_portmap *pm, uint16_t lo, uint16_t hi)
{
	if (pm == NULL || lo == 0 || lo > hi)
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	pm->eph_lo = lo;
	pm->eph_hi = hi;
	pm->cursor[0] = pm->cursor[1] = lo;
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

const struct pm_resv *
pm_resv_find(const struct pk_portmap *pm, uint8_t proto,
	     const struct pm_addr *a, uint16_t port)
{
	const struct pm_resv *r;
	unsigned int i;

	if (pm->nresv[pm_proto_index(proto)][port] == 0)
		return NULL;
	for (i = 0; i < pm->nb_resv; i++) {
		r = &pm->resv[i];
		if (r->proto == proto && port >= r->lo && port <= r->hi &&
		    pm_addr_overlap(&r->addr, a))
			return r;
	}
	return NULL;
}

static void
pm_resv_count(struct pk_portmap *pm, const struct pm_resv *r, int delta)
{
	uint16_t *n = pm->nresv[pm_proto_index(r->proto)];
	uint32_t p;

	for (p = r->lo; p <= r->hi; p++)
		n[p] += delta;
}

/*
 * Check arguments shared by reserve and release.
 * @return the protocol's index, or -EINVAL.
 */
static int
pm_resv_args(struct pk_portmap *pm, uint8_t proto, uint16_t lo, uint16_t hi,
	     const struct sockaddr *addr, struct pm_addr *a)
{
	int pi = pm_proto_index(proto);

	if (pm == NULL || pi < 0 || lo == 0 || lo > hi ||
	    pm_addr_from(a, addr) != 0)
		return -EINVAL;
	return pi;
}

/* Under pm->lock. conflict: the reservation overlapped, if -EEXIST. */
static int
pm_reserve_locked(struct pk_portmap *pm, const struct pm_resv *n,
		  struct pm_resv *conflict)
{
	const struct pm_resv *r;
	unsigned int i;

	for (i = 0; i < pm->nb_resv; i++) {
		r = &pm->resv[i];
		if (r->proto == n->proto && r->lo <= n->hi && n->lo <= r->hi &&
		    pm_addr_overlap(&r->addr, &n->addr)) {
			if (conflict != NULL)
				*conflict = *r;
			return -EEXIST;
		}
	}
	if (pm_bound_in_range(pm, pm_proto_index(n->proto), &n->addr, n->lo,
			      n->hi, n->owner))
		return -EADDRINUSE;
	if (pm->nb_resv == PK_PORTMAP_MAX_RESV)
		return -ENOSPC;
	pm->resv[pm->nb_resv++] = *n;
	pm_resv_count(pm, n, 1);
	return 0;
}

static int
pm_reserve(struct pk_portmap *pm, uint32_t owner, uint8_t proto, uint16_t lo,
	   uint16_t hi, const struct sockaddr *addr, struct pm_resv *conflict)
{
	struct pm_resv n = { .owner = owner, .proto = proto, .lo = lo,
			     .hi = hi };
	int rc = pm_resv_args(pm, proto, lo, hi, addr, &n.addr);

	if (rc < 0)
		return rc;
	if (pk_owner_name(owner) == NULL)
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	rc = pm_reserve_locked(pm, &n, conflict);
	pthread_mutex_unlock(&pm->lock);
	return rc;
}

int
pk_portmap_reserve(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		   uint16_t lo, uint16_t hi, const struct sockaddr *addr)
{
	return pm_reserve(pm, owner, proto, lo, hi, addr, NULL);
}

int
pk_portmap_release(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		   uint16_t lo, uint16_t hi, const struct sockaddr *addr)
{
	struct pm_addr a;
	struct pm_resv *r;
	unsigned int i;
	int rc = pm_resv_args(pm, proto, lo, hi, addr, &a);

	if (rc < 0)
		return rc;
	rc = -ENOENT;
	pthread_mutex_lock(&pm->lock);
	for (i = 0; i < pm->nb_resv; i++) {
		r = &pm->resv[i];
		if (r->owner != owner || r->proto != proto || r->lo != lo ||
		    r->hi != hi || !pm_addr_equal(&r->addr, &a))
			continue;
		pm_resv_count(pm, r, -1);
		/* keep the others in the order they were made */
		memmove(r, r + 1, (pm->nb_resv - i - 1) * sizeof(*r));
		pm->nb_resv--;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&pm->lock);
	return rc;
}

int
pk_portmap_list(struct pk_portmap *pm, struct pk_portmap_resv *out,
		unsigned int max)
{
	const struct pm_resv *r;
	unsigned int i;
	int n;

	if (pm == NULL || (out == NULL && max != 0))
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	for (i = 0; i < pm->nb_resv && i < max; i++) {
		r = &pm->resv[i];
		out[i].owner = r->owner;
		out[i].proto = r->proto;
		out[i].lo = r->lo;
		out[i].hi = r->hi;
		pm_addr_to(&r->addr, &out[i].addr);
	}
	n = (int)pm->nb_resv;
	pthread_mutex_unlock(&pm->lock);
	return n;
}

/* Why a reservation was refused, in words, for reserve_str's err. */
static void
pm_explain(char *err, size_t errlen, const char *spec, int rc,
	   const struct pm_resv *conflict)
{
	char q[4 * PK_PARSE_QUOTE_MAX + 4], other[160];
	struct sockaddr_storage ss;
	const char *who;

	pk_parse_quote(q, sizeof(q), spec);
	if (rc == -EEXIST) {
		who = pk_owner_name(conflict->owner);
		pm_addr_to(&conflict->addr, &ss);
		pm_spec_format(other, sizeof(other), who != NULL ? who : "?",
			       conflict->proto, conflict->lo, conflict->hi,
			       (const struct sockaddr *)&ss);
		snprintf(err, errlen, "'%s': overlaps the reservation %s", q,
			 other);
	} else if (rc == -EADDRINUSE) {
		snprintf(err, errlen, "'%s': a port in the range is bound by "
			 "another owner", q);
	} else if (rc == -ENOSPC) {
		snprintf(err, errlen, "'%s': the map holds %d reservations "
			 "already", q, PK_PORTMAP_MAX_RESV);
	} else {
		snprintf(err, errlen, "'%s': %s", q, strerror(-rc));
	}
}

int
pk_portmap_reserve_str(struct pk_portmap *pm, const char *spec, char *err,
		       size_t errlen)
{
	struct pm_resv conflict;
	struct pm_spec s;
	char dummy[1];
	int id, rc;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (pm_spec_parse(spec, &s, err, errlen) != 0)
		return -EINVAL;
	if (pm == NULL) /* only its syntax: before there is a map */
		return 0;
	id = pk_owner_get(s.owner);
	if (id < 0) {
		snprintf(err, errlen, "owner %s: %s", s.owner,
			 id == -ENOSPC ? "too many owners" : strerror(-id));
		return id;
	}
	rc = pm_reserve(pm, (uint32_t)id, s.proto, s.lo, s.hi,
			(const struct sockaddr *)&s.addr, &conflict);
	if (rc != 0)
		pm_explain(err, errlen, spec, rc, &conflict);
	return rc;
}
