/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port map guarding a demux (the configuration language's `portmap NAME
 * (demux=D)`): the demux's keys are its sockets. A passive key binds its
 * local port in the map for the owner of the key's target, as a socket's
 * bind would (refused where the port is reserved for another owner, or
 * bound); deleting the key unbinds it. An active key (a connection)
 * shares its listener's port: it only has to respect the reservations.
 * UDP and TCP keys only; ICMP has no ports in a map.
 *
 * Control path only (key installs, never per packet): a walk of the live
 * maps under the list's lock, each map under its own mutex.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_string_fns.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_owner.h>

#include "portmap_pvt.h"

int
pm_guard_set(struct pk_portmap *pm, const char *demux)
{
	if (pm == NULL || demux == NULL || strnlen(demux, PM_NAMESIZE) ==
	    PM_NAMESIZE)
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	strlcpy(pm->guard, demux, sizeof(pm->guard));
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

/* The key's local end as a sockaddr: a zero address is the family's
 * wildcard. @return the port (host order), or 0 for a key without one. */
static uint16_t
guard_addr(const struct pk_flow_key *k, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	if ((k->proto != IPPROTO_UDP && k->proto != IPPROTO_TCP) ||
	    k->lport == 0)
		return 0;
	memset(ss, 0, sizeof(*ss));
	if (k->family == PK_FLOW_IPV4) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, k->laddr, 4);
	} else {
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, k->laddr, 16);
	}
	return rte_be_to_cpu_16(k->lport);
}

static bool
guard_active(const struct pk_flow_key *k)
{
	static const uint8_t zero[16];

	return k->rport != 0 || memcmp(k->raddr, zero, sizeof(zero)) != 0;
}

struct guard_op {
	const char *demux;
	const struct pk_flow_key *k;
	uint32_t owner;
	bool bind;
	char *err;
	size_t errlen;
};

static int
guard_err(struct guard_op *o, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
guard_err(struct guard_op *o, int rc, const char *fmt, ...)
{
	va_list ap;

	if (o->err != NULL && o->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(o->err, o->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int
guard_one(struct pk_portmap *pm, void *arg)
{
	struct guard_op *o = arg;
	const char *proto = o->k->proto == IPPROTO_UDP ? "udp" : "tcp";
	struct sockaddr_storage ss;
	uint32_t bound = 0, resv = 0;
	uint16_t port;
	int rc, q;
	bool ours;

	pthread_mutex_lock(&pm->lock);
	ours = strcmp(pm->guard, o->demux) == 0;
	pthread_mutex_unlock(&pm->lock);
	port = guard_addr(o->k, &ss);
	if (!ours || port == 0)
		return 0;
	if (!o->bind) { /* only passive keys were bound */
		if (!guard_active(o->k))
			pk_portmap_unbind(pm, o->k->proto,
					  (const struct sockaddr *)&ss, port);
		return 0;
	}
	q = pk_portmap_query(pm, o->k->proto, (const struct sockaddr *)&ss,
			     port, &bound, &resv);
	if (q >= 0 && (q & 2) != 0 && resv != o->owner)
		return guard_err(o, -EACCES, "%s port %u is reserved for %s in "
				 "port map %s (the key's target is %s's)",
				 proto, port, pk_owner_name(resv), pm->name,
				 pk_owner_name(o->owner));
	if (guard_active(o->k))
		return 0;
	rc = pk_portmap_bind(pm, o->owner, o->k->proto,
			     (const struct sockaddr *)&ss, &port);
	if (rc == -EADDRINUSE)
		return guard_err(o, rc, "%s port %u is bound in port map %s "
				 "already (by a key of %s's)", proto, port,
				 pm->name, pk_owner_name(bound));
	if (rc != 0)
		return guard_err(o, rc, "port map %s: %s", pm->name,
				 strerror(-rc));
	return 0;
}

int
pm_key_bind(const char *demux, const struct pk_flow_key *k, uint32_t owner,
	    char *err, size_t errlen)
{
	struct guard_op o = { demux, k, owner, true, err, errlen };

	return pm_live_foreach(guard_one, &o);
}

void
pm_key_unbind(const char *demux, const struct pk_flow_key *k)
{
	struct guard_op o = { .demux = demux, .k = k };

	pm_live_foreach(guard_one, &o);
}
