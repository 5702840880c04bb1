/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RAW_H
#define PK_RAW_H

/**
 * @file
 * Safe raw sends: the checks and rewrites a raw socket applies to every
 * datagram it sends (SILK's safe raw sockets, PlanetLab's anti-spoofing).
 *
 * A raw socket is bound to one local TCP or UDP port of its owner, described
 * by a struct pk_raw_policy. pk_raw_check() takes a whole IP datagram (IP
 * header first, no link-layer header) and lets it go only if it is:
 * - the bound protocol, from the bound port; or
 * - an ICMP (IPv4) or ICMPv6 (IPv6) echo request or reply whose identifier
 *   is the bound port; or
 * - an ICMP or ICMPv6 error (destination unreachable, time exceeded,
 *   parameter problem, packet too big) about a packet this node received on
 *   the bound port: the quoted packet is of the bound protocol, to the
 *   node's address and the bound port, from the error's destination.
 * Then it rewrites what the caller may not choose: the IP source becomes the
 * node's address whatever was written there, a TTL or hop limit of 0 becomes
 * PK_RAW_TTL_DEFAULT, and the IPv4 header checksum and the transport checksum
 * (UDP, TCP, ICMP, ICMPv6) are computed in software over the whole datagram.
 *
 * Lengths: the IP length (IPv4 total length, IPv6 40 + payload length) must
 * equal m->pkt_len, and a UDP length the IP payload: bytes beyond the IP
 * length are refused, not trimmed, so what leaves is what the caller's
 * headers describe, no more and no less. Fragments are refused (a raw socket
 * sends whole datagrams; an IPv6 fragment header is refused even when
 * atomic, RFC 8021). Source routes are refused (IPv4 LSRR and SSRR options,
 * IPv6 routing headers): they change the destination the transport checksum
 * covers. IPv6 hop-by-hop and destination options are walked (at most
 * PK_FLOW_IPV6_EXT_MAX headers, PK_RAW_L3_MAX bytes of IP headers); other
 * extension headers (AH, ESP, mobility, HIP, shim6, experimental) are
 * refused. ICMP codes, the destination address, IPv4 flags other than MF
 * and the payload are not looked at.
 *
 * Ownership: pk_raw_check() neither keeps nor frees the mbuf. It writes into
 * its data, so the data must not be shared (no clone of a packet someone
 * else still reads). On a refusal the mbuf is left exactly as it was.
 * Threads: every function is reentrant and safe from any thread, on mbufs
 * the caller owns.
 */

#include <stdint.h>
#include <netinet/in.h>

#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/** TTL / hop limit written over a 0 in the caller's datagram. */
#define PK_RAW_TTL_DEFAULT 64

/** Most bytes of IP headers (IPv4 options, IPv6 extensions) accepted. */
#define PK_RAW_L3_MAX 511

/** What a raw socket may send: set by its bind. */
struct pk_raw_policy {
	int family;            /**< AF_INET or AF_INET6 */
	uint8_t proto;         /**< IPPROTO_UDP or IPPROTO_TCP: the bound one */
	uint16_t port;         /**< the bound local port, host order, not 0 */
	struct in_addr addr4;  /**< the node's IPv4 address (AF_INET) */
	struct in6_addr addr6; /**< the node's IPv6 address (AF_INET6) */
};

/**
 * Why pk_raw_check() refused a datagram: symbol, name, errno returned. The
 * first check that fails, in the order of this list, gives the verdict.
 * - BAD_POLICY: m or p NULL, or p is not a policy (family, protocol, port 0,
 *   the address of its family all zero).
 * - CHAIN: the segments' lengths do not add up to m->pkt_len, or nb_segs
 *   is not the number of segments.
 * - VERSION: empty, or the IP version is not the policy's family.
 * - SHORT: shorter than the fixed IP header (20 or 40 bytes).
 * - IHL: IPv4 IHL below 5 or beyond the buffer.
 * - LENGTH: IPv4 total length or 40 + IPv6 payload length is not
 *   m->pkt_len (longer, or shorter: trailing bytes).
 * - IP_OPTS: IPv4 options that run past the header.
 * - SRC_ROUTE: an IPv4 LSRR or SSRR option, an IPv6 routing header.
 * - FRAGMENT: IPv4 MF or a fragment offset, any IPv6 fragment header.
 * - EXT_LEN: IPv6 extension headers past the datagram, or more than
 *   PK_RAW_L3_MAX bytes or PK_FLOW_IPV6_EXT_MAX headers.
 * - EXT_HDR: AH, ESP, mobility, HIP, shim6, experimental (253, 254).
 * - PROTO: neither the bound protocol nor the family's ICMP.
 * - L4_SHORT: IP payload shorter than UDP 8, TCP 20, ICMP 8 bytes.
 * - L4_LEN: UDP length is not the IP payload's; TCP data offset below 5
 *   or past the end.
 * - SPORT: UDP or TCP source port is not the bound port.
 * - ICMP_TYPE: neither echo request or reply nor one of the errors.
 * - ICMP_ID: echo identifier is not the bound port.
 * - QUOTE_MALFORMED: the quoted packet is not of the family, or its IP
 *   headers or the first 8 bytes of its transport header are cut off.
 * - QUOTE_PROTO: the quoted packet is not of the bound protocol.
 * - QUOTE_ADDR: its destination is not the node's address.
 * - QUOTE_PORT: its destination port is not the bound port, or it is a
 *   later fragment (no port).
 * - QUOTE_PEER: the error does not go to the quoted packet's source.
 */
#define PK_RAW_VERDICTS(_)                                                    \
	_(OK, "ok", 0)                                                        \
	_(BAD_POLICY, "bad policy", EINVAL)                                   \
	_(CHAIN, "bad mbuf chain", EINVAL)                                    \
	_(VERSION, "wrong IP version", EINVAL)                                \
	_(SHORT, "shorter than IP header", EINVAL)                            \
	_(IHL, "bad IPv4 header length", EINVAL)                              \
	_(LENGTH, "IP length is not the buffer's", EINVAL)                    \
	_(IP_OPTS, "malformed IPv4 options", EINVAL)                          \
	_(SRC_ROUTE, "source route", EPERM)                                   \
	_(FRAGMENT, "fragment", EPERM)                                        \
	_(EXT_LEN, "extension headers too long", EINVAL)                      \
	_(EXT_HDR, "extension header not walked", EPERM)                      \
	_(PROTO, "wrong protocol", EPERM)                                     \
	_(L4_SHORT, "transport header too short", EINVAL)                     \
	_(L4_LEN, "bad transport length", EINVAL)                             \
	_(SPORT, "wrong source port", EPERM)                                  \
	_(ICMP_TYPE, "ICMP type not allowed", EPERM)                          \
	_(ICMP_ID, "wrong ICMP identifier", EPERM)                            \
	_(QUOTE_MALFORMED, "malformed quoted packet", EINVAL)                 \
	_(QUOTE_PROTO, "quoted protocol", EPERM)                              \
	_(QUOTE_ADDR, "quoted destination address", EPERM)                    \
	_(QUOTE_PORT, "quoted destination port", EPERM)                       \
	_(QUOTE_PEER, "error not to the quoted source", EPERM)

/** Verdicts of pk_raw_check(): PK_RAW_OK, PK_RAW_BAD_POLICY, ... */
enum pk_raw_verdict {
/** One verdict's enum symbol (the list's first column). */
#define PK_RAW_ENUM_(sym, str, err) PK_RAW_##sym,
	PK_RAW_VERDICTS(PK_RAW_ENUM_)
#undef PK_RAW_ENUM_
	PK_RAW_VERDICT_MAX /**< number of verdicts */
};

/**
 * A verdict's name, for logs and statistics.
 * @param v the verdict
 * @return a static string; "unknown" for a value out of the enum.
 */
const char *pk_raw_verdict_name(enum pk_raw_verdict v);

/**
 * The errno pk_raw_check() returns, negated, with a verdict.
 * @param v the verdict
 * @return 0 for PK_RAW_OK, EINVAL (malformed) or EPERM (policy); EINVAL for
 *   a value out of the enum.
 */
int pk_raw_verdict_errno(enum pk_raw_verdict v);

/**
 * Check a datagram a raw socket is about to send, and rewrite it as the file
 * comment says. m may be chained, cut anywhere, even inside a header.
 *
 * On success the datagram is ready for a link-layer header: m->l2_len is 0,
 * m->l3_len the IP header bytes (options, extension headers), m->l4_len the
 * transport header bytes (UDP 8, TCP its data offset, ICMP 8),
 * m->packet_type RTE_PTYPE_L3_IPV4, _IPV4_EXT, _IPV6 or _IPV6_EXT with
 * RTE_PTYPE_L4_UDP, _TCP or _ICMP (the raw_udp, raw_tcp or raw_icmp row),
 * and the TX offload and RX checksum flags are cleared from m->ol_flags.
 * Never reads or writes outside the segments' data.
 * @param m the datagram; written on success, unchanged on error
 * @param p the socket's policy
 * @param why the verdict (PK_RAW_OK on success), or NULL
 * @return 0; -EINVAL (malformed datagram, bad mbuf chain, NULL m or p, bad
 *   policy) or -EPERM (well formed but not allowed), *why saying which.
 */
int pk_raw_check(struct rte_mbuf *m, const struct pk_raw_policy *p,
		 enum pk_raw_verdict *why);

#ifdef __cplusplus
}
#endif

#endif /* PK_RAW_H */
