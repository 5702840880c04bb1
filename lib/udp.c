/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP receive checks and header strip (proc_udp's work), the peer addresses
 * of a stripped datagram, and header building for sends. As in flow.c, no
 * field from the wire moves the cursor without a check against what the
 * first segment holds and what the packet holds.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf_dyn.h>
#include <rte_udp.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_udp.h>

#define UDP_HLEN 8
#define UDP_L3_LEN_MAX ((1u << RTE_MBUF_L3_LEN_BITS) - 1) /* fits l3_len */

/* The mark of a stripped datagram, 0 until pk_udp_init(). */
static uint64_t udp_stripped;

/* What the IP layer says about the datagram it carries. */
struct udp_l3 {
	uint32_t hlen; /* IP header bytes, options and extensions included */
	uint32_t plen; /* bytes after them that the IP length covers */
};

int
pk_udp_init(void)
{
	static const struct rte_mbuf_dynflag desc = {
		.name = PK_UDP_DYNFLAG_NAME,
	};
	int bit = rte_mbuf_dynflag_register(&desc);

	if (bit < 0)
		return -rte_errno;
	__atomic_store_n(&udp_stripped, 1ULL << bit, __ATOMIC_RELEASE);
	return 0;
}

static inline uint64_t
udp_mark(void)
{
	return __atomic_load_n(&udp_stripped, __ATOMIC_ACQUIRE);
}

/* Checksum flag from the NIC: 1 trusted good, -1 bad, 0 not checked. */
static inline int
udp_nic_says(uint64_t ol, uint64_t mask, uint64_t good, uint64_t bad)
{
	ol &= mask;
	if (ol == bad)
		return -1;
	/* NONE (both bits): the bytes are wrong but the data was verified */
	return ol == good || ol == mask ? 1 : 0;
}

/* room: bytes at p in the first segment; avail: in the whole packet */
static enum pk_udp_result
udp_in_ipv4(uint64_t ol_flags, const uint8_t *p, uint32_t room,
	    uint32_t avail, bool csum, struct udp_l3 *l3)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)p;
	uint32_t hlen, tot;
	int nic;

	if (room < sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return PK_UDP_MALFORMED;
	hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
	       RTE_IPV4_IHL_MULTIPLIER;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (hlen < sizeof(*ip) || hlen > room || tot < hlen + UDP_HLEN ||
	    tot > avail)
		return PK_UDP_MALFORMED;
	if (csum) {
		nic = udp_nic_says(ol_flags, RTE_MBUF_F_RX_IP_CKSUM_MASK,
				   RTE_MBUF_F_RX_IP_CKSUM_GOOD,
				   RTE_MBUF_F_RX_IP_CKSUM_BAD);
		if (nic < 0 || (nic == 0 && rte_raw_cksum(ip, hlen) != 0xffff))
			return PK_UDP_MALFORMED;
	}
	if (ip->fragment_offset &
	    RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return PK_UDP_FRAGMENT;
	if (ip->next_proto_id != IPPROTO_UDP)
		return PK_UDP_MALFORMED;
	l3->hlen = hlen;
	l3->plen = tot - hlen;
	return PK_UDP_OK;
}

static enum pk_udp_result
udp_in_ipv6(const uint8_t *p, uint32_t room, uint32_t avail,
	    struct udp_l3 *l3)
{
	const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)p;
	uint32_t o = sizeof(*ip6), end, i;
	uint8_t nh;

	if (room < sizeof(*ip6) || (p[0] >> 4) != 6)
		return PK_UDP_MALFORMED;
	end = o + rte_be_to_cpu_16(ip6->payload_len); /* from p */
	if (end > avail)
		return PK_UDP_MALFORMED;
	room = RTE_MIN(room, end); /* extension headers: first segment only */
	nh = ip6->proto;
	for (i = 0; nh != IPPROTO_UDP; i++) {
		/* bounded: a chain that never ends is not a packet */
		if (i == PK_FLOW_IPV6_EXT_MAX || o + 8 > room)
			return PK_UDP_MALFORMED;
		if (nh == IPPROTO_FRAGMENT) {
			const struct rte_ipv6_fragment_ext *f =
				(const struct rte_ipv6_fragment_ext *)(p + o);

			/* offset 0 and no MF: an atomic fragment, whole */
			if (f->frag_data & RTE_BE16(RTE_IPV6_FRAG_USED_MASK))
				return PK_UDP_FRAGMENT;
			nh = f->next_header;
			o += sizeof(*f);
			continue;
		}
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS)
			return PK_UDP_MALFORMED; /* not UDP, or AH, ESP, ... */
		nh = p[o];
		o += ((uint32_t)p[o + 1] + 1) * 8;
	}
	if (o > end || o > UDP_L3_LEN_MAX)
		return PK_UDP_MALFORMED;
	l3->hlen = o;
	l3->plen = end - o;
	return PK_UDP_OK;
}

/*
 * The UDP checksum over a pseudo-header of the UDP length, not of the IP
 * payload length that DPDK's helpers take (they differ when the IP payload
 * holds more than the datagram, or IPv6 extension headers): a copy of the
 * IP header with that length makes the helpers right.
 */
static bool
udp_cksum_ok(const struct rte_mbuf *m, const uint8_t *l3p, bool v4,
	     uint16_t l4_off, uint16_t ulen)
{
	if (v4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3p;
		struct rte_ipv4_hdr h = {
			.version_ihl = RTE_IPV4_VHL_DEF,
			.total_length = rte_cpu_to_be_16(sizeof(h) + ulen),
			.next_proto_id = IPPROTO_UDP,
			.src_addr = ip->src_addr,
			.dst_addr = ip->dst_addr,
		};

		return rte_ipv4_udptcp_cksum_mbuf_verify(m, &h, l4_off) == 0;
	}
	struct rte_ipv6_hdr h6 = {
		.payload_len = rte_cpu_to_be_16(ulen),
		.proto = IPPROTO_UDP,
	};

	memcpy(h6.src_addr, l3p + 8, 32); /* source, then destination */
	return rte_ipv6_udptcp_cksum_mbuf_verify(m, &h6, l4_off) == 0;
}

/* Keep the first keep bytes; the padding may reach over several segments. */
static void
udp_trim(struct rte_mbuf *m, uint32_t keep)
{
	struct rte_mbuf *s = m;
	uint32_t left = keep;
	uint16_t nseg = 1;

	if (likely(rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - keep)) == 0))
		return;
	while (left > s->data_len && s->next != NULL) {
		left -= s->data_len;
		s = s->next;
		nseg++;
	}
	s->data_len = (uint16_t)RTE_MIN(left, (uint32_t)s->data_len);
	rte_pktmbuf_free(s->next);
	s->next = NULL;
	m->nb_segs = nseg;
	m->pkt_len = keep;
}

enum pk_udp_result
pk_udp_input(struct rte_mbuf *m, uint32_t flags)
{
	bool csum = !(flags & PK_UDP_IN_NO_CSUM), v4;
	uint32_t seg = RTE_MIN(m->data_len, m->pkt_len), l4, ulen;
	const struct rte_udp_hdr *uh;
	enum pk_udp_result r;
	struct udp_l3 l3;
	rte_be16_t type;
	uint8_t *p;
	int off;

	off = pk_flow_l3_offset(m, &type);
	if (off < 0)
		return PK_UDP_MALFORMED;
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	v4 = type == RTE_BE16(RTE_ETHER_TYPE_IPV4);
	if (v4)
		r = udp_in_ipv4(m->ol_flags, p, seg - (uint32_t)off,
				m->pkt_len - (uint32_t)off, csum, &l3);
	else if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		r = udp_in_ipv6(p, seg - (uint32_t)off,
				m->pkt_len - (uint32_t)off, &l3);
	else
		r = PK_UDP_MALFORMED;
	if (r != PK_UDP_OK)
		return r;
	l4 = (uint32_t)off + l3.hlen;
	if (l4 + UDP_HLEN > seg)
		return PK_UDP_MALFORMED; /* the UDP header is not in segment 1 */
	uh = (const struct rte_udp_hdr *)(p + l3.hlen);
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (ulen < UDP_HLEN || ulen > l3.plen)
		return PK_UDP_MALFORMED;
	if (uh->dgram_cksum == 0) {
		if (!v4)
			return PK_UDP_MALFORMED; /* RFC 8200 8.1: not optional */
	} else if (csum) {
		int nic = udp_nic_says(m->ol_flags, RTE_MBUF_F_RX_L4_CKSUM_MASK,
				       RTE_MBUF_F_RX_L4_CKSUM_GOOD,
				       RTE_MBUF_F_RX_L4_CKSUM_BAD);

		if (nic < 0 ||
		    (nic == 0 && !udp_cksum_ok(m, p, v4, (uint16_t)l4,
					       (uint16_t)ulen)))
			return PK_UDP_MALFORMED;
	}
	if (m->pkt_len > l4 + ulen)
		udp_trim(m, l4 + ulen);
	m->l2_len = (uint64_t)off;
	m->l3_len = l3.hlen;
	m->l4_len = UDP_HLEN;
	rte_pktmbuf_adj(m, (uint16_t)(l4 + UDP_HLEN));
	m->ol_flags |= udp_mark();
	return PK_UDP_OK;
}

static void
udp_sockaddr(struct sockaddr_storage *ss, bool v4, const uint8_t *addr,
	     rte_be16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (v4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = port;
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
}

int
pk_udp_peer(const struct rte_mbuf *m, struct sockaddr_storage *remote,
	    struct sockaddr_storage *local)
{
	uint64_t mark = udp_mark();
	const struct rte_udp_hdr *uh;
	const uint8_t *ip;
	bool v4;

	if (m == NULL || mark == 0 || !(m->ol_flags & mark) ||
	    m->l4_len != UDP_HLEN ||
	    m->data_off < m->l2_len + m->l3_len + m->l4_len)
		return -EINVAL;
	uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
				     -(int)UDP_HLEN);
	ip = (const uint8_t *)uh - m->l3_len;
	v4 = (ip[0] >> 4) == 4;
	if (!v4 && ((ip[0] >> 4) != 6 || m->l3_len < sizeof(struct rte_ipv6_hdr)))
		return -EINVAL;
	if (v4 && m->l3_len < sizeof(struct rte_ipv4_hdr))
		return -EINVAL;
	/* IPv4: source at 12, destination at 16; IPv6: at 8 and 24 */
	if (remote != NULL)
		udp_sockaddr(remote, v4, ip + (v4 ? 12 : 8), uh->src_port);
	if (local != NULL)
		udp_sockaddr(local, v4, ip + (v4 ? 16 : 24), uh->dst_port);
	return 0;
}

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
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return tx->offload & RTE_ETH_TX_OFFLOAD_UDP_CKSUM ? RTE_MBUF_F_TX_IPV4 : 0;
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
	return tx->offload & RTE_ETH_TX_OFFLOAD_UDP_CKSUM ? RTE_MBUF_F_TX_IPV6 : 0;
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
	m->ol_flags &= ~(RTE_MBUF_F_TX_OFFLOAD_MASK | udp_mark());
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
		uh->dgram_cksum =
			v4 ? rte_ipv4_udptcp_cksum_mbuf(m, (const void *)(p + l2),
							(uint16_t)(l2 + l3)) :
			     rte_ipv6_udptcp_cksum_mbuf(m, (const void *)(p + l2),
							(uint16_t)(l2 + l3));
	}
	m->ol_flags |= ol;
	return 0;
}

int
pk_udp_copyout(const struct rte_mbuf *m, void *buf, size_t len)
{
	const struct rte_mbuf *s;
	size_t done = 0, k;

	if (m == NULL || (buf == NULL && len != 0))
		return -EINVAL;
	len = RTE_MIN(RTE_MIN(len, (size_t)m->pkt_len), (size_t)INT_MAX);
	for (s = m; s != NULL && done < len; s = s->next) {
		k = RTE_MIN((size_t)s->data_len, len - done);
		memcpy((uint8_t *)buf + done, rte_pktmbuf_mtod(s, const void *), k);
		done += k;
	}
	return (int)done;
}
