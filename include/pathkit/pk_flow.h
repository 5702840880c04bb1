/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_FLOW_H
#define PK_FLOW_H

/**
 * @file
 * Flow keys: what a packet's headers say about the socket it belongs to,
 * seen from this host ("local" is the packet's destination on ingress).
 *
 * One fixed-size key, zeroed padding included, serves every lookup kind:
 * an active key has all fields; a passive key has the remote address and
 * port zero; a passive wildcard key has the local address zero as well (like
 * binding to 0.0.0.0 or ::). Keys are compared as bytes, so build them only
 * with the helpers below or pk_flow_parse(), which zero what they leave out.
 *
 * Parsing covers Ethernet with up to two VLAN tags (802.1Q, QinQ), IPv4 with
 * options, IPv6 with up to PK_FLOW_IPV6_EXT_MAX extension headers, TCP, UDP,
 * ICMP and ICMPv6. The first fragment of a datagram carries its ports and
 * parses as usual; later fragments give PK_FLOW_FRAGMENT. ICMP echo request
 * and reply use the identifier as the port of the side that sent the request
 * (remote port of an incoming request, local port of an incoming reply).
 * ICMP errors (unreachable, packet too big, time exceeded, parameter problem,
 * source quench, redirect) give the key of the packet they quote, turned
 * round: the quoted packet was sent from here, so its source is local, and
 * marked with PK_FLOW_F_ICMP_ERR in its pad field. The mark keeps errors
 * apart from the traffic of the flow they are about: a demux finds them only
 * under a key that carries the mark too (an ICMP-error socket's, pk_sock.h),
 * never under the flow's own key; helpers below keep the mark as they turn a
 * key passive or wildcard.
 *
 * The mbuf's packet type is used when the PMD set it: an untagged Ethernet
 * frame classified as IPv4 or IPv6 skips the link-layer walk. The
 * parser never reads past the data: headers that span segments of a chained
 * mbuf are read through a copy of the first PK_FLOW_HDR_MAX bytes; headers
 * beyond those give PK_FLOW_MALFORMED.
 *
 * Ownership: the parser only reads the mbuf; the caller keeps it.
 * Threads: every function is reentrant and safe from any thread.
 */

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Address families in a key (the IP version number). */
enum pk_flow_family {
	PK_FLOW_IPV4 = 4, /**< IPv4: addresses in the first 4 bytes */
	PK_FLOW_IPV6 = 6, /**< IPv6 */
};

/** Most IPv6 extension headers skipped before giving up (malformed). */
#define PK_FLOW_IPV6_EXT_MAX 8

/** Bytes copied to parse headers that span the segments of a chained mbuf. */
#define PK_FLOW_HDR_MAX 256

/**
 * A flow key, 40 bytes. Ports are in network order, addresses as on the wire
 * (IPv4 in laddr[0..3] and raddr[0..3], the rest zero).
 */
struct pk_flow_key {
	uint8_t family;      /**< enum pk_flow_family */
	uint8_t proto;       /**< IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, ... */
	rte_be16_t lport;    /**< local port (ICMP: echo identifier, or 0) */
	rte_be16_t rport;    /**< remote port; 0 in a passive key */
	uint16_t pad;        /**< 0, or PK_FLOW_F_ICMP_ERR on the key of an
				  ICMP error; PK_FLOW_F_SNIFF_* on a
				  sniffer's key (nothing else) */
	uint8_t laddr[16];   /**< local address; 0 in a wildcard key */
	uint8_t raddr[16];   /**< remote address; 0 in a passive key */
} __rte_aligned(8);

/**
 * Mark in pk_flow_key.pad: the key is that of an ICMP or ICMPv6 error (the
 * quoted packet's key, turned round), not of the quoted flow itself.
 */
#define PK_FLOW_F_ICMP_ERR 0x0080

/**
 * Marks in pk_flow_key.pad of a sniffer's keys (pk_sock.h): the key
 * (passive wildcard: protocol and local port) names the sniffer of the
 * port's outgoing or incoming packets. pk_flow_parse() never sets them, so
 * no packet is ever demultiplexed to a sniffer by its own key.
 */
#define PK_FLOW_F_SNIFF_OUT 0x0100
/** Mark of a sniffer's key for incoming packets (see PK_FLOW_F_SNIFF_OUT). */
#define PK_FLOW_F_SNIFF_IN 0x0200

/** What pk_flow_parse() found. */
enum pk_flow_result {
	PK_FLOW_OK = 0,    /**< key filled in */
	PK_FLOW_NOT_IP,    /**< not IPv4 or IPv6 (ARP, LLDP, ...): no key */
	PK_FLOW_FRAGMENT,  /**< a non-first fragment: key filled, ports 0 */
	PK_FLOW_MALFORMED, /**< cut short, or a header that makes no sense */
};

/**
 * Parse a packet's headers into its flow key.
 * @param m the packet (Ethernet first); only read
 * @param key filled in on PK_FLOW_OK and PK_FLOW_FRAGMENT (zeroed first);
 *   pad is PK_FLOW_F_ICMP_ERR for an ICMP error, 0 otherwise
 * @return enum pk_flow_result
 */
enum pk_flow_result pk_flow_parse(const struct rte_mbuf *m,
				  struct pk_flow_key *key);

/**
 * Find the network header behind the Ethernet header and up to two VLAN tags.
 * @param m the packet; only read, first segment only
 * @param ether_type set to the network protocol, network order
 * @return the offset of the network header, or -EINVAL if the frame is too
 *   short to hold the link-layer headers.
 */
int pk_flow_l3_offset(const struct rte_mbuf *m, rte_be16_t *ether_type);

/**
 * Build an IPv4 key. Zero raddr and rport for a passive key, laddr too for a
 * passive wildcard key.
 * @param key the key to fill (zeroed first)
 * @param proto IP protocol
 * @param laddr local address, network order
 * @param lport local port, network order
 * @param raddr remote address, network order
 * @param rport remote port, network order
 */
void pk_flow_key_ipv4(struct pk_flow_key *key, uint8_t proto, rte_be32_t laddr,
		      rte_be16_t lport, rte_be32_t raddr, rte_be16_t rport);

/**
 * Build an IPv6 key; NULL addresses mean zero (passive or wildcard).
 * @param key the key to fill (zeroed first)
 * @param proto IP protocol
 * @param laddr local address (16 bytes), or NULL
 * @param lport local port, network order
 * @param raddr remote address (16 bytes), or NULL
 * @param rport remote port, network order
 */
void pk_flow_key_ipv6(struct pk_flow_key *key, uint8_t proto,
		      const uint8_t *laddr, rte_be16_t lport,
		      const uint8_t *raddr, rte_be16_t rport);

/**
 * Turn a key into its passive form in place: remote address and port zero.
 * @param key the key
 */
static inline void
pk_flow_key_passive(struct pk_flow_key *key)
{
	key->rport = 0;
	memset(key->raddr, 0, sizeof(key->raddr));
}

/**
 * Turn a key into its passive wildcard form: local address zero as well.
 * @param key the key
 */
static inline void
pk_flow_key_wildcard(struct pk_flow_key *key)
{
	pk_flow_key_passive(key);
	memset(key->laddr, 0, sizeof(key->laddr));
}

/**
 * Print a key as "udp4 10.0.0.2:9 <- 10.0.0.1:1024" (for logs and tests),
 * followed by " icmp-err" for a key marked PK_FLOW_F_ICMP_ERR, " sniff-out"
 * or " sniff-in" for a sniffer's key.
 * @param key the key
 * @param buf where to write, NUL-terminated
 * @param size its size
 * @return what snprintf returned
 */
int pk_flow_key_format(const struct pk_flow_key *key, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* PK_FLOW_H */
