/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP send: the Ethernet, IP and UDP headers in front of a payload, with
 * checksums in software or left to the port (the receive side is udp.c).
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <pathkit/pk_udp.h>

#include "udp_pvt.h"

/* IPv4 header, checksum per offload; returns the TX flags it needs. */
static uint64_t
udp_put_ipv4(struct rte_ipv4_hdr *ip, const struct pk_udp_tx *tx,
	     uint16_t ulen)
{
	const struct sockaddr_in *l = (const struct sockaddr_in *)&tx->local;
	const struct sockaddr_in *r = (const struct sockaddr_in *)&tx->remote;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + ulen);
	ip->packet_id = rte_cpu_to_be_16(tx->ip_id);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = tx->ttl != 0 ? tx->ttl : PK_UDP_TTL_DEFAULT;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = l->sin_addr.s_addr;
	ip->dst_addr = r->sin_addr.s_addr;
	if (tx->offload & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
		return RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	ip->hdr_checksum = pk_cksum_ipv4_hdr(ip, sizeof(*ip));
	return tx->offload & RTE_ETH_TX_OFFLOAD_UDP_CKSUM ? RTE_MBUF_F_TX_IPV4 :
							     0;
}

static uint64_t
udp_put_ipv6(struct rte_ipv6_hdr *ip6, const struct pk_udp_tx *tx,
	     uint16_t ulen)
{
	const struct sockaddr_in6 *l = (const struct sockaddr_in6 *)&tx->local;
	const struct sockaddr_in6 *r = (const struct sockaddr_in6 *)&tx->remote;

	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(ulen);
	ip6->proto = IPPROTO_UDP;
	ip6->hop_limits = tx->ttl != 0 ? tx->ttl : PK_UDP_TTL_DEFAULT;
	memcpy(ip6->src_addr, &l->sin6_addr, 16);
	memcpy(ip6->dst_addr, &r->sin6_addr, 16);
	return tx->offload & RTE_ETH_TX_OFFLOAD_UDP_CKSUM ? RTE_MBUF_F_TX_IPV6 :
							     0;
}

int
pk_udp_encap(struct rte_mbuf *m, const struct pk_udp_tx *tx)
{
	uint32_t l2, l3, max;
	struct rte_ether_hdr *eh;
	struct rte_udp_hdr *uh;
	uint16_t ulen;
	uint64_t ol;
	bool v4;
	char *p;

	if (m == NULL || tx == NULL ||
	    tx->local.ss_family != tx->remote.ss_family ||
	    (tx->local.ss_family != AF_INET && tx->local.ss_family != AF_INET6))
		return -EINVAL;
	v4 = tx->local.ss_family == AF_INET;
	l2 = sizeof(*eh) + (tx->vlan != 0 ? sizeof(struct rte_vlan_hdr) : 0);
	l3 = v4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	max = v4 ? PK_UDP_MAX_PAYLOAD4 : PK_UDP_MAX_PAYLOAD6;
	if (m->pkt_len > max)
		return -EMSGSIZE;
	ulen = (uint16_t)(m->pkt_len + UDP_HLEN);
	p = rte_pktmbuf_prepend(m, (uint16_t)(l2 + l3 + UDP_HLEN));
	if (p == NULL)
		return -ENOSPC;
	eh = (struct rte_ether_hdr *)p;
	rte_ether_addr_copy(&tx->dst_mac, &eh->dst_addr);
	rte_ether_addr_copy(&tx->src_mac, &eh->src_addr);
	if (tx->vlan != 0) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(tx->vlan);
		vh->eth_proto = v4 ? RTE_BE16(RTE_ETHER_TYPE_IPV4) :
				     RTE_BE16(RTE_ETHER_TYPE_IPV6);
	} else {
		eh->ether_type = v4 ? RTE_BE16(RTE_ETHER_TYPE_IPV4) :
				      RTE_BE16(RTE_ETHER_TYPE_IPV6);
	}
	ol = v4 ? udp_put_ipv4((struct rte_ipv4_hdr *)(p + l2), tx, ulen) :
		  udp_put_ipv6((struct rte_ipv6_hdr *)(p + l2), tx, ulen);
	uh = (struct rte_udp_hdr *)(p + l2 + l3);
	uh->src_port = ((const struct sockaddr_in *)&tx->local)->sin_port;
	uh->dst_port = ((const struct sockaddr_in *)&tx->remote)->sin_port;
	uh->dgram_len = rte_cpu_to_be_16(ulen);
	uh->dgram_cksum = 0;
	/* a new frame: what the NIC said about the old one no longer holds */
	m->ol_flags &= ~(RTE_MBUF_F_TX_OFFLOAD_MASK | pk_udp_mark() |
			 RTE_MBUF_F_RX_IP_CKSUM_MASK |
			 RTE_MBUF_F_RX_L4_CKSUM_MASK);
	m->l2_len = l2;
	m->l3_len = l3;
	m->l4_len = UDP_HLEN;
	if (tx->offload & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		/* the PMD completes it from the pseudo-header sum */
		ol |= RTE_MBUF_F_TX_UDP_CKSUM;
		uh->dgram_cksum =
			v4 ? rte_ipv4_phdr_cksum((const void *)(p + l2), ol) :
			     rte_ipv6_phdr_cksum((const void *)(p + l2), ol);
	} else {
		uint16_t c = ~udp_sum(m, p + l2 + (v4 ? 12 : 8), v4 ? 4 : 16,
				      l2 + l3, ulen);

		uh->dgram_cksum = c != 0 ? c : 0xffff; /* 0 would mean none */
	}
	m->ol_flags |= ol;
	return 0;
}
