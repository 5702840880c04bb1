/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_UDP_H
#define PK_UDP_H

/**
 * @file
 * UDP: the processing on a UDP socket's receive path, and the headers its
 * sends need (SILK's PathLinuxNetStack, in user space).
 *
 * Receive: the "proc_udp" processing kind runs pk_udp_input() on each packet
 * of a burst. A datagram that passes is stripped: what leaves the stage is
 * its payload alone (a chained mbuf stays chained). The stripped headers stay
 * in the headroom right before the data, their lengths in m->l2_len (Ethernet
 * and VLAN tags), m->l3_len (IP, with options or extension headers) and
 * m->l4_len (8), and the mbuf carries the dynamic flag PK_UDP_DYNFLAG_NAME in
 * ol_flags: pk_udp_peer() reads the addresses back from there. Datagrams that
 * fail a check are freed and counted "malformed", fragments "fragment" (put
 * proc_reassembly in front of proc_udp to receive them whole).
 *   proc_udp args: csum=<0|1, 1> (0: checksums are not looked at, neither
 *   the NIC's verdict nor the bytes) bytes=<0|1>
 *   proc_udp stats: in, out, malformed, fragment
 *
 * Send: pk_udp_encap() puts Ethernet (with an optional VLAN tag), IPv4 or IPv6
 * and UDP headers in front of a payload, checksums in software or left to
 * the port's TX offloads.
 *
 * Ownership: no function here keeps an mbuf; pk_udp_input() frees trailing
 * segments that held only Ethernet padding, never the packet itself.
 * Threads: pk_udp_init() is control path (after rte_eal_init()); the others
 * are reentrant and may run in any thread on mbufs the caller owns.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Name of the mbuf dynamic flag set on datagrams pk_udp_input() stripped. */
#define PK_UDP_DYNFLAG_NAME "pk_udp_stripped"

/** Largest UDP payload over IPv4: 65535 - 20 (IPv4) - 8 (UDP). */
#define PK_UDP_MAX_PAYLOAD4 65507
/** Largest UDP payload over IPv6 without a jumbogram: 65535 - 8 (UDP). */
#define PK_UDP_MAX_PAYLOAD6 65527
/** TTL / hop limit pk_udp_encap() uses when pk_udp_tx.ttl is 0. */
#define PK_UDP_TTL_DEFAULT 64

/**
 * Register the dynamic flag that marks stripped datagrams (idempotent).
 * proc_udp's create calls it; call it yourself before using pk_udp_input()
 * without a proc_udp stage. Until it succeeds, pk_udp_input() marks nothing
 * and pk_udp_peer() refuses every mbuf.
 * @return 0, or -ENOMEM / -ENOSPC (no room for a dynamic flag) / -EEXIST (the
 *   name is taken with other parameters), from rte_mbuf_dynflag_register().
 */
int pk_udp_init(void);

/**
 * pk_udp_input() flag: checksums are not looked at, neither the NIC's flags
 * nor the bytes (a zero UDP checksum over IPv6 is still malformed).
 */
#define PK_UDP_IN_NO_CSUM (1u << 0)

/** What pk_udp_input() found. */
enum pk_udp_result {
	PK_UDP_OK = 0,    /**< a good datagram: stripped and marked */
	PK_UDP_MALFORMED, /**< failed a check below; the mbuf is unchanged */
	PK_UDP_FRAGMENT,  /**< an IPv4 or IPv6 fragment; mbuf unchanged */
};

/**
 * The work proc_udp does on one packet. The packet must be Ethernet with up
 * to two VLAN tags, then IPv4 or IPv6, then UDP, with every header in the
 * first segment. Checked, in order:
 * - IPv4: version 4, IHL >= 5, total length >= header + 8 and within the
 *   packet, header checksum (unless the NIC flagged it good; flagged bad
 *   fails), not a fragment (MF set or offset non-zero: PK_UDP_FRAGMENT),
 *   protocol UDP.
 * - IPv6: version 6, payload length within the packet; hop-by-hop, routing
 *   and destination options headers skipped (at most PK_FLOW_IPV6_EXT_MAX,
 *   511 bytes of IP headers in all), an atomic fragment header skipped, any
 *   other fragment header PK_UDP_FRAGMENT; next header UDP.
 * - UDP: length >= 8 and within the IP payload; checksum (IPv4: 0 means none;
 *   IPv6: 0 is malformed) unless the NIC flagged it good (flagged bad fails).
 * Bytes beyond the UDP length (Ethernet padding) are trimmed, the headers
 * stripped as the file comment says. A packet that carries the mark passes
 * unchanged: it was stripped already (packets proc_udp's next stage refuses
 * go back to the pusher stripped, and may be pushed again).
 * @param m the packet; changed only on PK_UDP_OK
 * @param flags PK_UDP_IN_NO_CSUM or 0
 * @return enum pk_udp_result
 */
enum pk_udp_result pk_udp_input(struct rte_mbuf *m, uint32_t flags);

/**
 * The addresses of a datagram pk_udp_input() stripped, read from the headers
 * it left in the headroom: valid as long as the data start is not moved.
 * @param m the datagram
 * @param remote filled with its source (sockaddr_in or sockaddr_in6, port in
 *   network order), or NULL
 * @param local filled with its destination likewise, or NULL
 * @return 0, or -EINVAL when m is NULL or does not carry the mark of a
 *   stripped datagram (or its header lengths make no sense).
 */
int pk_udp_peer(const struct rte_mbuf *m, struct sockaddr_storage *remote,
		struct sockaddr_storage *local);

/** How pk_udp_encap() builds the headers of a datagram to send. */
struct pk_udp_tx {
	struct rte_ether_addr src_mac; /**< Ethernet source */
	struct rte_ether_addr dst_mac; /**< Ethernet destination */
	/** Source address and port: sockaddr_in or sockaddr_in6. */
	struct sockaddr_storage local;
	/** Destination address and port, of the same family as local. */
	struct sockaddr_storage remote;
	uint16_t vlan;   /**< 802.1Q TCI (id and priority); 0: no tag */
	uint16_t ip_id;  /**< IPv4 identification (DF is always set) */
	uint8_t ttl;     /**< TTL / hop limit; 0: PK_UDP_TTL_DEFAULT */
	/**
	 * The port's TX offloads to use: RTE_ETH_TX_OFFLOAD_IPV4_CKSUM and
	 * RTE_ETH_TX_OFFLOAD_UDP_CKSUM (other bits are ignored); a checksum
	 * not offloaded is computed in software.
	 */
	uint64_t offload;
};

/**
 * Put Ethernet, IP and UDP headers in front of the payload m holds (any
 * number of segments), in the first segment's headroom. Sets l2_len, l3_len
 * and l4_len; clears the TX offload flags, the RX checksum flags and the
 * stripped mark, then, for each checksum offloaded, sets the flags DPDK asks
 * for (RTE_MBUF_F_TX_IPV4 or _IPV6, _IP_CKSUM, _UDP_CKSUM) and leaves the
 * field as the PMD expects it (IPv4 header checksum 0; UDP checksum the
 * pseudo-header sum of rte_ipv4_phdr_cksum() / rte_ipv6_phdr_cksum()).
 * @param m the payload; must not be shared (its headroom is written)
 * @param tx the headers
 * @return 0, or -EINVAL (m or tx NULL, an address family other than AF_INET
 *   or AF_INET6, families that differ), -EMSGSIZE (payload longer than
 *   PK_UDP_MAX_PAYLOAD4 / PK_UDP_MAX_PAYLOAD6), -ENOSPC (headroom shorter
 *   than the headers); m is unchanged on error.
 */
int pk_udp_encap(struct rte_mbuf *m, const struct pk_udp_tx *tx);

/**
 * Copy a datagram's data (all segments) into a buffer, as recv(2) does: at
 * most len bytes; the rest is cut off (m->pkt_len says how long it was).
 * @param m the datagram
 * @param buf where to copy
 * @param len its size
 * @return bytes copied, or -EINVAL (m NULL, buf NULL with len > 0).
 */
int pk_udp_copyout(const struct rte_mbuf *m, void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PK_UDP_H */
