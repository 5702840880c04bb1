/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PORTMAP_PVT_H
#define PK_PORTMAP_PVT_H

/*
 * What portmap.c (the map, reservations), portmap_bind.c (bindings,
 * ephemeral ports), portmap_spec.c (reservation specs) and
 * portmap_telemetry.c share. Not installed.
 *
 * Addresses are kept normalized (struct pm_addr): a family (AF_UNSPEC for
 * "every address of both families", AF_INET, AF_INET6), the address bytes
 * and whether they are the family's wildcard. Two addresses overlap when
 * either is AF_UNSPEC, or they are of one family and either is its
 * wildcard or both are equal.
 *
 * Bindings live in an open-addressing table keyed by (proto, address,
 * port), linear probing, grown at half full, deleted by backward shift (no
 * tombstones), so 100k bindings cost about 8 MiB and one lookup a probe or
 * two. Per protocol and family, nbound[port] counts the bindings of a port
 * on any address of that family (an AF_UNSPEC binding counts in both): a
 * wildcard bind is checked by one read, and ephemeral search skips busy
 * ports without a lookup. Per protocol, nresv[port] counts reservations
 * covering the port on any address.
 */

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_portmap.h>
#include <pathkit/pk_registry.h>

#define PM_NAMESIZE 32
#define PM_PROTOS 2    /* UDP, TCP */
#define PM_FAMILIES 2  /* IPv4, IPv6 */
#define PM_PORTS 65536

/* A normalized local address. */
struct pm_addr {
	uint8_t family;    /* AF_UNSPEC, AF_INET or AF_INET6 */
	bool wild;         /* every address of the family (always for UNSPEC) */
	uint8_t bytes[16]; /* IPv4 in the first 4; zero for a wildcard */
};

/* A binding: the table's slot. */
struct pm_bind {
	struct pm_addr addr;
	uint16_t port;
	uint8_t proto;     /* pm_proto_index() + 1; 0: the slot is free */
	uint32_t owner;
};

struct pm_resv {
	struct pm_addr addr;
	uint32_t owner;
	uint8_t proto;     /* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t lo, hi;
};

struct pk_portmap {
	struct pk_registry_node reg;  /* on the list of live maps */
	char name[PM_NAMESIZE];
	pthread_mutex_t lock;         /* everything below */
	uint16_t eph_lo, eph_hi;
	uint16_t cursor[PM_PROTOS];   /* next ephemeral port to try */
	unsigned int nb_resv;
	struct pm_resv *resv;         /* PK_PORTMAP_MAX_RESV, in order made */
	uint32_t bind_mask;           /* table size - 1 (a power of two) */
	uint32_t nb_bind;
	struct pm_bind *bind;
	uint32_t (*nbound)[PM_FAMILIES][PM_PORTS];   /* [PM_PROTOS] */
	uint16_t (*nresv)[PM_PORTS];                 /* [PM_PROTOS] */
	char guard[PM_NAMESIZE];      /* the demux whose keys bind here, or "" */
};

/* IPPROTO_UDP -> 0, IPPROTO_TCP -> 1, anything else -> -1. */
static inline int
pm_proto_index(uint8_t proto)
{
	return proto == IPPROTO_UDP ? 0 : proto == IPPROTO_TCP ? 1 : -1;
}

/* @return 0, or -EINVAL (a family that is neither IPv4 nor IPv6). */
int pm_addr_from(struct pm_addr *a, const struct sockaddr *sa);

/* Back into a sockaddr_storage (AF_UNSPEC: all zero but the family). */
void pm_addr_to(const struct pm_addr *a, struct sockaddr_storage *ss);

bool pm_addr_overlap(const struct pm_addr *a, const struct pm_addr *b);

bool pm_addr_equal(const struct pm_addr *a, const struct pm_addr *b);

/* portmap_bind.c: the binding table, under pm->lock. */
int pm_bind_init(struct pk_portmap *pm);
void pm_bind_fini(struct pk_portmap *pm);

/*
 * Is port of protocol index pi bound on an address overlapping a? Under
 * pm->lock. A specific a costs three lookups, a wildcard one a count; who
 * (if not NULL) receives one such binding's owner, which for a wildcard a
 * costs a walk of the table.
 */
bool pm_bound_find(const struct pk_portmap *pm, int pi,
		   const struct pm_addr *a, uint16_t port, uint32_t *who);

/*
 * Is a port lo..hi of protocol index pi bound on an address overlapping a
 * by an owner other than owner? Under pm->lock; walks the table unless no
 * port of the range is bound at all.
 */
bool pm_bound_in_range(const struct pk_portmap *pm, int pi,
		       const struct pm_addr *a, uint16_t lo, uint16_t hi,
		       uint32_t owner);

/*
 * The reservation covering port of proto on an address overlapping a, or
 * NULL. Under pm->lock.
 */
const struct pm_resv *pm_resv_find(const struct pk_portmap *pm, uint8_t proto,
				   const struct pm_addr *a, uint16_t port);

/* Call fn on each binding in table order until it returns non-zero.
 * Under pm->lock. @return what the last call returned, or 0. */
int pm_bind_foreach(const struct pk_portmap *pm,
		    int (*fn)(const struct pm_bind *b, void *arg), void *arg);

/*
 * Call fn on each live map, under the list's lock (a map is taken off
 * before it is freed), until fn returns non-zero.
 * @return 0, or the first non-zero value fn returned.
 */
int pm_live_foreach(int (*fn)(struct pk_portmap *pm, void *arg), void *arg);

/* Call fn on the live map named name, under the list's lock.
 * @return what fn returned, or -ENOENT. */
int pm_live_apply(const char *name,
		  int (*fn)(struct pk_portmap *pm, void *arg), void *arg);

/* portmap_spec.c: "OWNER:PROTO:LO[-HI][@ADDR]", pure (the fuzzer links it
 * alone with parse.c). */
struct pm_spec {
	char owner[PK_OWNER_NAMESIZE];
	uint8_t proto;                 /* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t lo, hi;
	struct sockaddr_storage addr;  /* AF_UNSPEC: none given */
};

/*
 * Parse a reservation spec.
 * @param err receives a one-line reason on error (may be NULL)
 * @return 0, or -EINVAL (not of that form: the reason says which part),
 *   -ERANGE (a port outside 1..65535, HI below LO).
 */
int pm_spec_parse(const char *spec, struct pm_spec *out, char *err,
		  size_t errlen);

/*
 * Write a reservation as a spec that pm_spec_parse() reads back.
 * @return as snprintf().
 */
int pm_spec_format(char *buf, size_t size, const char *owner, uint8_t proto,
		   uint16_t lo, uint16_t hi, const struct sockaddr *addr);

/* portmap_guard.c: a map guarding a demux's keys (conf_portmap.c sets it,
 * the configuration's keys and pk_ctl_key_add() bind through it). */
struct pk_flow_key;

/* Guard the keys of the demux named demux. @return 0, -EINVAL. */
int pm_guard_set(struct pk_portmap *pm, const char *demux);

/*
 * A key about to go on demux, to a target of owner: in the map guarding
 * demux (if any), a passive UDP or TCP key binds its local port for owner,
 * an active one only has to respect the reservations. Not under another
 * list's lock.
 * @return 0, -EACCES (reserved for another owner), -EADDRINUSE (bound),
 *   or pk_portmap_bind()'s errors, with the reason in err.
 */
int pm_key_bind(const char *demux, const struct pk_flow_key *k,
		uint32_t owner, char *err, size_t errlen);

/* Undo pm_key_bind() for a key gone from demux. */
void pm_key_unbind(const char *demux, const struct pk_flow_key *k);

#endif /* PK_PORTMAP_PVT_H */
