/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef UDP_PVT_H
#define UDP_PVT_H

/*
 * UDP internals shared by udp.c (receive) and udp_tx.c (send); not
 * installed. The checksum sums are static inline: both run per packet.
 */

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "cksum_pvt.h"

#define UDP_HLEN 8

/** The mark of a stripped datagram in ol_flags; 0 before pk_udp_init(). */
uint64_t pk_udp_mark(void);

/*
 * The one's-complement sum of bytes [off, off + len) of a chained mbuf, not
 * reduced. Not rte_raw_cksum_mbuf(): in 22.11 (and later) it swaps the bytes
 * of a segment's sum truncated to 16 bits after a segment of odd length,
 * losing its carries, so chains cut at odd offsets get wrong sums.
 */
static inline uint32_t
udp_sum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, done = 0, k;
	uint16_t t;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	for (; m != NULL && done < len; m = m->next, off = 0) {
		k = RTE_MIN((uint32_t)m->data_len - off, len - done);
		t = __rte_raw_cksum_reduce(pk_cksum_add(
			rte_pktmbuf_mtod_offset(m, const uint8_t *, off), k,
			0));
		/* a piece at an odd offset: its words are the other way */
		sum += done & 1 ? rte_bswap16(t) : t;
		done += k;
	}
	return sum;
}

/*
 * Pseudo-header (addresses, protocol, UDP length) plus datagram, folded:
 * 0xffff over a right checksum. The pseudo-header takes the UDP length, not
 * the IP payload length that rte_ipv4_phdr_cksum() and its IPv6 twin take:
 * they differ when the IP payload holds more than the datagram, or IPv6
 * extension headers. addrs: source then destination, alen bytes each.
 */
static inline uint16_t
udp_sum(const struct rte_mbuf *m, const void *addrs, uint32_t alen,
	uint32_t l4_off, uint16_t ulen)
{
	uint32_t sum = pk_cksum_add(addrs, 2 * alen, 0);

	sum += rte_cpu_to_be_16(IPPROTO_UDP) + rte_cpu_to_be_16(ulen);
	sum += udp_sum_mbuf(m, l4_off, ulen);
	return __rte_raw_cksum_reduce(sum);
}

#endif /* UDP_PVT_H */
