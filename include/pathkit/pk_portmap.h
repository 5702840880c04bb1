/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_PORTMAP_H
#define PK_PORTMAP_H

/**
 * @file
 * Port map: who may bind which port (SILK's per-slice port reservations).
 * A reservation gives an owner (pk_owner.h) a range of ports of one protocol
 * (UDP or TCP), on every local address or on one. Binding checks the map:
 * a port reserved for another owner gives -EACCES, one already bound (on the
 * same or a conflicting address) -EADDRINUSE. Binding port 0 picks an
 * ephemeral port from the map's ephemeral range: never a reserved one (not
 * even the binder's own: reserved ports are bound by number), never one in
 * use. Ports reserved in a map are the map's to hand out, never the
 * kernel's.
 *
 * Addresses are struct sockaddr_in or sockaddr_in6 (the port field is
 * ignored where a port is given apart). 0.0.0.0 means every local IPv4
 * address, :: every IPv6 one; NULL (or a sockaddr of family AF_UNSPEC)
 * means every address of both. An IPv4 wildcard and an IPv6 wildcard are
 * different addresses (like a socket with IPV6_V6ONLY): a port bound on
 * 0.0.0.0 is still free on :: and on fd00::1. Two addresses conflict when
 * one is NULL, or they are of one family and one is its wildcard or both
 * are the same address.
 *
 * Threads: every function may be called from any thread, several at once
 * (one mutex per map), except that nothing may use a map being destroyed.
 * The map is a control-path structure: sockets consult it on bind, connect
 * and close, never per packet. It holds 100k bindings and more (a table
 * that doubles at half full: 56 to 112 bytes per binding); a map costs
 * some 1.4 MiB besides (counts per port, protocol and family).
 *
 * Telemetry (DPDK's socket): /pathkit/portmaps (names), /pathkit/portmap,NAME
 * (ephemeral range, reservations, bound ports, the demux it guards for a
 * configuration: pk_conf.h); /pathkit/portmap_reserve,
 * NAME,SPEC and /pathkit/portmap_release,NAME,SPEC change reservations, SPEC
 * as pk_portmap_reserve_str() reads it.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pk_portmap;

/** Default first ephemeral port, as Linux's ip_local_port_range. */
#define PK_PORTMAP_EPHEMERAL_LO 32768
/** Default last ephemeral port. */
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
 * Create a port map, with no reservation, no binding and the default
 * ephemeral range.
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
 * Set the range ephemeral ports are picked from. Ports bound already stay.
 * @return 0, or -EINVAL (NULL map, lo 0, lo > hi).
 */
int pk_portmap_ephemeral_set(struct pk_portmap *pm, uint16_t lo, uint16_t hi);

/**
 * Reserve ports lo..hi of proto for owner, on addr (NULL: every address).
 * From then on only owner may bind them (there), and no ephemeral pick
 * gives them out. Ports owner has bound in the range stay bound.
 * @return 0, -EINVAL (NULL map, proto neither IPPROTO_UDP nor
 *   IPPROTO_TCP, lo 0, lo > hi, an address family that is neither AF_INET
 *   nor AF_INET6, an owner that does not exist), -EEXIST (overlaps a
 *   reservation, of any owner, on a conflicting address), -EADDRINUSE (a
 *   port in the range is bound by another owner on a conflicting address),
 *   -ENOSPC (PK_PORTMAP_MAX_RESV).
 */
int pk_portmap_reserve(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		       uint16_t lo, uint16_t hi, const struct sockaddr *addr);

/**
 * Release a reservation made with exactly these arguments (addr as given:
 * NULL and AF_UNSPEC are one, 0.0.0.0 is another). Ports bound in it stay
 * bound.
 * @return 0, -EINVAL (as pk_portmap_reserve(), the owner unchecked) or
 *   -ENOENT (no such reservation).
 */
int pk_portmap_release(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		       uint16_t lo, uint16_t hi, const struct sockaddr *addr);

/**
 * Reserve ports from a spec a user wrote: "OWNER:PROTO:LO[-HI][@ADDR]",
 * for example "alice:udp:5000-5099", "bob:tcp:8080@10.0.0.1",
 * "carol:udp:53@fd00::1". OWNER is an owner's name, created if there is
 * none (pk_owner_get(); it stays if the reservation then fails); PROTO is
 * udp or tcp; LO and HI are ports 1..65535 in pk_parse_u64()'s strict
 * grammar, HI >= LO (LO alone: one port); ADDR an IPv4 or IPv6 literal
 * (none: every address). At most 127 characters.
 * @param pm the map, or NULL to check only the spec's syntax (an
 *   application does so before its EAL, and so its maps, exist)
 * @param spec the spec, NUL-terminated
 * @param err receives one line saying why on failure, naming the part at
 *   fault and quoting the spec as pk_parse_quote() does; the empty string
 *   on success. May be NULL.
 * @param errlen bytes at err
 * @return 0, or -EINVAL (NULL spec, a spec not of that form), the
 *   errors of pk_owner_get(), or those of pk_portmap_reserve().
 */
int pk_portmap_reserve_str(struct pk_portmap *pm, const char *spec,
			   char *err, size_t errlen);

/**
 * List reservations.
 * @param pm the map
 * @param out filled with up to max of them, in the order they were made
 * @param max room at out (0: only count them; out may then be NULL)
 * @return how many there are (may exceed max), or -EINVAL (NULL map, NULL
 *   out with max > 0).
 */
int pk_portmap_list(struct pk_portmap *pm, struct pk_portmap_resv *out,
		    unsigned int max);

/**
 * Bind a port for owner: check the map and mark the port in use. An
 * ephemeral pick starts after the port picked last and skips every port a
 * reservation covers (of any owner) and every port bound on a conflicting
 * address; the same port may be picked for two different specific
 * addresses.
 * @param pm the map
 * @param owner who binds (any id: the owner table is not consulted)
 * @param proto IPPROTO_UDP or IPPROTO_TCP
 * @param addr local address (NULL: every address)
 * @param port in: the port (host order), or 0 for an ephemeral one;
 *   out: the port bound
 * @return 0, -EINVAL (NULL map or port, bad proto, bad address family),
 *   -EACCES (reserved for another owner on a conflicting address),
 *   -EADDRINUSE (bound already on a conflicting address: the same, a
 *   wildcard one, or any one for a wildcard bind), -EADDRNOTAVAIL (port 0
 *   and no ephemeral port free), -ENOMEM (the table cannot grow).
 */
int pk_portmap_bind(struct pk_portmap *pm, uint32_t owner, uint8_t proto,
		    const struct sockaddr *addr, uint16_t *port);

/**
 * Undo pk_portmap_bind(): the same proto, address and port (the port bound,
 * never 0).
 * @return 0, -EINVAL (NULL map, bad proto or address family, port 0) or
 *   -ENOENT (not bound so).
 */
int pk_portmap_unbind(struct pk_portmap *pm, uint8_t proto,
		      const struct sockaddr *addr, uint16_t port);

/**
 * Who holds a port, as a bind there would find it.
 * @param pm the map
 * @param proto IPPROTO_UDP or IPPROTO_TCP
 * @param addr the address (NULL: every address)
 * @param port the port, 1..65535
 * @param bound_owner set to the owner of a binding on a conflicting address
 *   if there is one, else untouched; may be NULL
 * @param resv_owner set to the owner of a reservation covering the port on
 *   a conflicting address if there is one, else untouched; may be NULL
 * @return bit 0 set if bound, bit 1 set if reserved; -EINVAL (NULL map,
 *   bad proto or address family, port 0).
 */
int pk_portmap_query(struct pk_portmap *pm, uint8_t proto,
		     const struct sockaddr *addr, uint16_t port,
		     uint32_t *bound_owner, uint32_t *resv_owner);

#ifdef __cplusplus
}
#endif

#endif /* PK_PORTMAP_H */
