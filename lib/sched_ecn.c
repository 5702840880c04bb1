/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECN marking for the queue managers (RFC 3168 section 5): set CE in the
 * IP header of an ECN-capable packet instead of dropping it. Apart from
 * the scheduler so that tests/fuzz can build it with lib/flow.c alone.
 * Reads only the first segment: an IP header that does not fit in it is
 * not marked (the caller drops the packet, as for one not ECN-capable).
 */
#include <stdbool.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_sched_policy.h>

#define ECN_MASK 3u   /* the two low bits of TOS / traffic class */
#define ECN_CE 3u

/*
 * CE into an IPv4 header, the checksum updated for the changed 16-bit word
 * (version/IHL, TOS) by RFC 1624's HC' = ~(~HC + ~m + m').
 */
static bool
ecn_mark_ipv4(struct rte_ipv4_hdr *ip)
{
	uint32_t old, new, sum;

	if ((ip->version_ihl >> 4) != 4 || (ip->type_of_service & ECN_MASK) == 0)
		return false;
	if ((ip->type_of_service & ECN_MASK) == ECN_CE)
		return true;
	old = (uint32_t)ip->version_ihl << 8 | ip->type_of_service;
	new = old | ECN_CE;
	sum = (~rte_be_to_cpu_16(ip->hdr_checksum) & 0xffff) +
	      (~old & 0xffff) + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
	ip->type_of_service |= ECN_CE;
	return true;
}

/* CE into an IPv6 header: traffic class is bits 20..27, no checksum. */
static bool
ecn_mark_ipv6(struct rte_ipv6_hdr *ip)
{
	uint32_t vtc = rte_be_to_cpu_32(ip->vtc_flow);

	if ((vtc >> 28) != 6 || ((vtc >> 20) & ECN_MASK) == 0)
		return false;
	ip->vtc_flow = rte_cpu_to_be_32(vtc | ECN_CE << 20);
	return true;
}

bool
pk_sched_ecn_mark(struct rte_mbuf *m)
{
	uint32_t room = RTE_MIN((uint32_t)m->data_len, m->pkt_len);
	rte_be16_t type;
	int off;

	/* the data may be another packet's too: writing it would mark both */
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
		return false;
	off = pk_flow_l3_offset(m, &type);
	if (off < 0)
		return false;
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
	    room >= (uint32_t)off + sizeof(struct rte_ipv4_hdr))
		return ecn_mark_ipv4(rte_pktmbuf_mtod_offset(m,
				     struct rte_ipv4_hdr *, off));
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6) &&
	    room >= (uint32_t)off + sizeof(struct rte_ipv6_hdr))
		return ecn_mark_ipv6(rte_pktmbuf_mtod_offset(m,
				     struct rte_ipv6_hdr *, off));
	return false;
}
