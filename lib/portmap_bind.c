/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port map bindings (pk_portmap.h; the table is described in
 * portmap_pvt.h): bind, unbind, query and the ephemeral pick, each under
 * the map's mutex, so binds from several threads at once see one another.
 *
 * Ephemeral pick: from a cursor that moves on past each port handed out,
 * so that a port just unbound is not given again at once; skip every port
 * a reservation covers (of any owner: a reserved port is bound by number,
 * by its owner) and every port bound on an overlapping address. A full
 * range is a walk of at most 65535 counts and, for a specific address,
 * three lookups per bound port: control path only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_jhash.h>

#include "portmap_pvt.h"

#define PM_BIND_INIT 1024u        /* first table size, a power of two */
#define PM_BIND_MAX (1u << 26)   /* largest: 32M bindings, 2 GiB */

int
pm_bind_init(struct pk_portmap *pm)
{
	pm->bind = calloc(PM_BIND_INIT, sizeof(*pm->bind));
	if (pm->bind == NULL)
		return -ENOMEM;
	pm->bind_mask = PM_BIND_INIT - 1;
	pm->nb_bind = 0;
	return 0;
}

void
pm_bind_fini(struct pk_portmap *pm)
{
	free(pm->bind);
	pm->bind = NULL;
}

static uint32_t
pm_hash(int pi, const struct pm_addr *a, uint16_t port)
{
	uint32_t k[5];

	memcpy(k, a->bytes, 16);
	k[4] = (uint32_t)port | (uint32_t)a->family << 16 |
	       (uint32_t)pi << 24;
	return rte_jhash_32b(k, RTE_DIM(k), 0x5eed);
}

static bool
pm_bind_is(const struct pm_bind *b, int pi, const struct pm_addr *a,
	   uint16_t port)
{
	return b->proto == pi + 1 && b->port == port &&
	       pm_addr_equal(&b->addr, a);
}

/* The slot holding the key, or the free slot where it would go. */
static uint32_t
pm_bind_slot(const struct pk_portmap *pm, int pi, const struct pm_addr *a,
	     uint16_t port)
{
	uint32_t i = pm_hash(pi, a, port) & pm->bind_mask;

	while (pm->bind[i].proto != 0 && !pm_bind_is(&pm->bind[i], pi, a, port))
		i = (i + 1) & pm->bind_mask;
	return i;
}

static bool
pm_bind_has(const struct pk_portmap *pm, int pi, const struct pm_addr *a,
	    uint16_t port, uint32_t *who)
{
	const struct pm_bind *b = &pm->bind[pm_bind_slot(pm, pi, a, port)];

	if (b->proto == 0)
		return false;
	if (who != NULL)
		*who = b->owner;
	return true;
}

/* Double the table (at half full, so probes stay short). */
static int
pm_bind_grow(struct pk_portmap *pm)
{
	struct pm_bind *old = pm->bind, *b;
	uint32_t n = pm->bind_mask + 1, i;

	if (n >= PM_BIND_MAX)
		return -ENOMEM;
	pm->bind = calloc(2 * (size_t)n, sizeof(*pm->bind));
	if (pm->bind == NULL) {
		pm->bind = old;
		return -ENOMEM;
	}
	pm->bind_mask = 2 * n - 1;
	for (i = 0; i < n; i++) {
		b = &old[i];
		if (b->proto != 0)
			pm->bind[pm_bind_slot(pm, b->proto - 1, &b->addr,
					      b->port)] = *b;
	}
	free(old);
	return 0;
}

/* Add delta to the counts of the port on the address's families. */
static void
pm_bound_count(struct pk_portmap *pm, int pi, const struct pm_addr *a,
	       uint16_t port, int delta)
{
	if (a->family != AF_INET6)
		pm->nbound[pi][0][port] += delta;
	if (a->family != AF_INET)
		pm->nbound[pi][1][port] += delta;
}

/* Bindings of the port on any address of the families a covers. */
static uint32_t
pm_bound_count_of(const struct pk_portmap *pm, int pi, const struct pm_addr *a,
		  uint16_t port)
{
	uint32_t n = 0;

	if (a->family != AF_INET6)
		n += pm->nbound[pi][0][port];
	if (a->family != AF_INET)
		n += pm->nbound[pi][1][port];
	return n;
}

static int
pm_bind_add(struct pk_portmap *pm, int pi, const struct pm_addr *a,
	    uint16_t port, uint32_t owner)
{
	struct pm_bind *b;

	if (2 * (pm->nb_bind + 1) > pm->bind_mask + 1 && pm_bind_grow(pm) != 0)
		return -ENOMEM;
	b = &pm->bind[pm_bind_slot(pm, pi, a, port)];
	memset(b, 0, sizeof(*b));
	b->addr = *a;
	b->port = port;
	b->proto = pi + 1;
	b->owner = owner;
	pm->nb_bind++;
	pm_bound_count(pm, pi, a, port, 1);
	return 0;
}

/* Free slot i and shift back the entries after it that probed past it. */
static void
pm_bind_del(struct pk_portmap *pm, uint32_t i)
{
	const struct pm_bind *b = &pm->bind[i];
	uint32_t j = i, home;

	pm_bound_count(pm, b->proto - 1, &b->addr, b->port, -1);
	pm->nb_bind--;
	for (;;) {
		pm->bind[i].proto = 0;
		do {
			j = (j + 1) & pm->bind_mask;
			if (pm->bind[j].proto == 0)
				return;
			b = &pm->bind[j];
			home = pm_hash(b->proto - 1, &b->addr, b->port) &
			       pm->bind_mask;
			/* stays if its home lies cyclically in (i, j] */
		} while (i <= j ? (i < home && home <= j) :
				  (i < home || home <= j));
		pm->bind[i] = pm->bind[j];
		i = j;
	}
}

bool
pm_bound_find(const struct pk_portmap *pm, int pi, const struct pm_addr *a,
	      uint16_t port, uint32_t *who)
{
	struct pm_addr any = { .family = AF_UNSPEC, .wild = true };
	struct pm_addr fam = { .family = a->family, .wild = true };
	const struct pm_bind *b;
	uint32_t i;

	if (pm_bound_count_of(pm, pi, a, port) == 0)
		return false;
	if (!a->wild) /* itself, its family's wildcard, every address */
		return pm_bind_has(pm, pi, a, port, who) ||
		       pm_bind_has(pm, pi, &fam, port, who) ||
		       pm_bind_has(pm, pi, &any, port, who);
	if (who == NULL)
		return true; /* some address of the family: the count says so */
	for (i = 0; i <= pm->bind_mask; i++) {
		b = &pm->bind[i];
		if (b->proto == pi + 1 && b->port == port &&
		    pm_addr_overlap(&b->addr, a)) {
			*who = b->owner;
			return true;
		}
	}
	return false;
}

bool
pm_bound_in_range(const struct pk_portmap *pm, int pi,
		  const struct pm_addr *a, uint16_t lo, uint16_t hi,
		  uint32_t owner)
{
	const struct pm_bind *b;
	uint32_t p, i;

	for (p = lo; p <= hi; p++)
		if (pm_bound_count_of(pm, pi, a, p) != 0)
			break;
	if (p > hi)
		return false;
	for (i = 0; i <= pm->bind_mask; i++) {
		b = &pm->bind[i];
		if (b->proto == pi + 1 && b->port >= lo && b->port <= hi &&
		    b->owner != owner && pm_addr_overlap(&b->addr, a))
			return true;
	}
	return false;
}

int
pm_bind_foreach(const struct pk_portmap *pm,
		int (*fn)(const struct pm_bind *b, void *arg), void *arg)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i <= pm->bind_mask && rc == 0; i++)
		if (pm->bind[i].proto != 0)
			rc = fn(&pm->bind[i], arg);
	return rc;
}

/* Under pm->lock: a free ephemeral port for a, or 0. */
static uint16_t
pm_ephemeral(struct pk_portmap *pm, int pi, const struct pm_addr *a)
{
	uint32_t n = (uint32_t)pm->eph_hi - pm->eph_lo + 1, i;
	uint16_t p = pm->cursor[pi];

	if (p < pm->eph_lo || p > pm->eph_hi)
		p = pm->eph_lo;
	for (i = 0; i < n; i++) {
		if (pm->nresv[pi][p] == 0 && !pm_bound_find(pm, pi, a, p, NULL)) {
			pm->cursor[pi] = p == pm->eph_hi ? pm->eph_lo : p + 1;
			return p;
		}
		p = p == pm->eph_hi ? pm->eph_lo : p + 1;
	}
	return 0;
}

int
pk_portmap_bind(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		const struct sockaddr *addr, uint16_t *port)
{
	const struct pm_resv *r;
	int pi = pm_proto_index(proto);
	struct pm_addr a;
	uint16_t p;
	int rc;

	if (pm == NULL || port == NULL || pi < 0 || pm_addr_from(&a, addr) != 0)
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	p = *port;
	if (p == 0) {
		p = pm_ephemeral(pm, pi, &a);
		rc = p == 0 ? -EADDRNOTAVAIL : 0;
	} else {
		r = pm_resv_find(pm, proto, &a, p);
		rc = r != NULL && r->owner != owner ? -EACCES :
		     pm_bound_find(pm, pi, &a, p, NULL) ? -EADDRINUSE : 0;
	}
	if (rc == 0)
		rc = pm_bind_add(pm, pi, &a, p, owner);
	pthread_mutex_unlock(&pm->lock);
	if (rc == 0)
		*port = p;
	return rc;
}

int
pk_portmap_unbind(struct pk_portmap *pm, uint8_t proto,
		  const struct sockaddr *addr, uint16_t port)
{
	int pi = pm_proto_index(proto);
	struct pm_addr a;
	uint32_t i;
	int rc = -ENOENT;

	if (pm == NULL || pi < 0 || port == 0 || pm_addr_from(&a, addr) != 0)
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	i = pm_bind_slot(pm, pi, &a, port);
	if (pm->bind[i].proto != 0) {
		pm_bind_del(pm, i);
		rc = 0;
	}
	pthread_mutex_unlock(&pm->lock);
	return rc;
}

int
pk_portmap_query(struct pk_portmap *pm, uint8_t proto,
		 const struct sockaddr *addr, uint16_t port,
		 uint32_t *bound_owner, uint32_t *resv_owner)
{
	const struct pm_resv *r;
	int pi = pm_proto_index(proto);
	struct pm_addr a;
	uint32_t who;
	int rc = 0;

	if (pm == NULL || pi < 0 || port == 0 || pm_addr_from(&a, addr) != 0)
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	if (pm_bound_find(pm, pi, &a, port, &who)) {
		rc |= 1;
		if (bound_owner != NULL)
			*bound_owner = who;
	}
	r = pm_resv_find(pm, proto, &a, port);
	if (r != NULL) {
		rc |= 2;
		if (resv_owner != NULL)
			*resv_owner = r->owner;
	}
	pthread_mutex_unlock(&pm->lock);
	return rc;
}
