/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PORTMAP_H
#define PK_PORTMAP_H

/**
 * @file
 * Port map: who may bind which port (SILK's per-slice port reservations).
 * A reservation gives an owner (pk_owner.h) a range of ports of one protocol
 * (UDP or TCP), on every local address or on one. Binding checks the map:
 * a port reserved for another owner gives -EACCES, one already bound (on the
 * same or a wildcard address) -EADDRINUSE. Binding port 0 picks an ephemeral
 * port from the map's ephemeral range: never one reserved for another owner,
 * never one in use. Ports reserved in a map are the map's to hand out, never
 * the kernel's.
 *
 * Addresses are struct sockaddr_in or sockaddr_in6 (the port field is
 * ignored where a port is given apart); NULL, 0.0.0.0 and :: mean every
 * local address. An IPv4 wildcard and an IPv6 wildcard are different
 * addresses (like a socket with IPV6_V6ONLY).
 *
 * Threads: every function may be called from any thread, several at once
 * (one mutex per map). The map is a control-path structure: sockets consult
 * it on bind, connect and close, never per packet. Reservations are listed
 * on DPDK's telemetry socket: /pathkit/portmaps (names), /pathkit/portmap,NAME
 * (reservations and bound ports); /pathkit/portmap_reserve,NAME,OWNER,PROTO,LO-HI
 * and /pathkit/portmap_release,... change them.
 */

#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pk_portmap;

/** First port of the default ephemeral range (Linux's ip_local_port_range). */
#define PK_PORTMAP_EPHEMERAL_LO 32768
/** Last port of the default ephemeral range. */
#define PK_PORTMAP_EPHEMERAL_HI 60999

/** Most reservations in one map. */
#define PK_PORTMAP_MAX_RESV 4096

/** One reservation, as listed. */
struct pk_portmap_resv {
	uint32_t owner;              /**< pk_owner.h id */
	uint8_t proto;               /**< IPPROTO_UDP or IPPROTO_TCP */
	uint16_t lo;                 /**< first port, host order */
	uint16_t hi;                 /**< last port, host order, >= lo */
	struct sockaddr_storage addr; /**< AF_UNSPEC: every address */
};

/**
 * Create a port map.
 * @param name unique name, 1..31 characters
 * @return the map, or NULL with rte_errno EINVAL (bad name), EEXIST, ENOMEM.
 */
struct pk_portmap *pk_portmap_create(const char *name);

/**
 * Destroy a map with its reservations and bindings. Nothing may use it any
 * more. NULL does nothing.
 */
void pk_portmap_destroy(struct pk_portmap *pm);

/** @return the map called name, or NULL. */
struct pk_portmap *pk_portmap_lookup(const char *name);

/**
 * Set the range ephemeral ports are picked from.
 * @return 0, or -EINVAL (lo 0, lo > hi).
 */
int pk_portmap_ephemeral_set(struct pk_portmap *pm, uint16_t lo, uint16_t hi);

/**
 * Reserve ports lo..hi of proto for owner, on addr (NULL: every address).
 * @return 0, -EINVAL (bad proto, range, address family, NULL map, owner
 *   that does not exist), -EEXIST (overlaps a reservation of another owner
 *   on an overlapping address, or the same one), -EADDRINUSE (a port in the
 *   range is bound by another owner), -ENOSPC (PK_PORTMAP_MAX_RESV).
 */
int pk_portmap_reserve(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		       uint16_t lo, uint16_t hi, const struct sockaddr *addr);

/**
 * Release a reservation made with exactly these arguments. Ports bound in
 * it stay bound.
 * @return 0, -EINVAL or -ENOENT.
 */
int pk_portmap_release(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		       uint16_t lo, uint16_t hi, const struct sockaddr *addr);

/**
 * List reservations.
 * @param pm the map
 * @param out filled with up to max of them, in the order they were made
 * @param max room in out
 * @return how many there are (may exceed max), or -EINVAL.
 */
int pk_portmap_list(struct pk_portmap *pm, struct pk_portmap_resv *out,
		    unsigned int max);

/**
 * Bind a port for owner: check the map and mark the port in use.
 * @param pm the map
 * @param owner who binds
 * @param proto IPPROTO_UDP or IPPROTO_TCP
 * @param addr local address (NULL: every address)
 * @param port in: the port (host order), or 0 for an ephemeral one;
 *   out: the port bound
 * @return 0, -EINVAL (bad argument), -EACCES (reserved for another owner),
 *   -EADDRINUSE (bound already, on this address or a wildcard one),
 *   -EADDRNOTAVAIL (port 0 and no ephemeral port free).
 */
int pk_portmap_bind(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		    const struct sockaddr *addr, uint16_t *port);

/**
 * Undo pk_portmap_bind().
 * @return 0, -EINVAL or -ENOENT (not bound so).
 */
int pk_portmap_unbind(struct pk_portmap *pm, uint8_t proto,
		      const struct sockaddr *addr, uint16_t port);

/**
 * Who holds a port.
 * @param pm the map
 * @param proto IPPROTO_UDP or IPPROTO_TCP
 * @param addr local address (NULL: the wildcard)
 * @param port the port, host order
 * @param bound_owner set to the binding owner if bound, else untouched
 * @param resv_owner set to the reserving owner if reserved, else untouched
 * @return bit 0 set if bound, bit 1 set if reserved; -EINVAL.
 */
int pk_portmap_query(struct pk_portmap *pm, uint8_t proto,
		     const struct sockaddr *addr, uint16_t port,
		     uint32_t *bound_owner, uint32_t *resv_owner);

#ifdef __cplusplus
}
#endif

#endif /* PK_PORTMAP_H */
