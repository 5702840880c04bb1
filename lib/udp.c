/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP receive: checks and header strip (proc_udp's work), the peer addresses
 * of a stripped datagram, the copy to a user buffer. As in flow.c, no field
 * from the wire moves the cursor without a check against what the first
 * segment holds and what the packet holds. Sends: udp_tx.c.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf_dyn.h>
#include <rte_udp.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_udp.h>

#include "udp_pvt.h"

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

uint64_t
pk_udp_mark(void)
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
		if (nic < 0 || (nic == 0 && __rte_raw_cksum_reduce(
				pk_cksum_add(ip, hlen, 0)) != 0xffff))
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

/* Keep the first keep bytes; the padding may reach over several segments. */
static void
udp_trim(struct rte_mbuf *m, uint32_t keep)
{
	struct rte_mbuf *s = m;
	uint32_t left = keep;
	uint16_t nseg = 1;

	if (likely(m->pkt_len - keep <= UINT16_MAX &&
		   rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - keep)) == 0))
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

	/* stripped already: a burst proc_udp's next refused, pushed again */
	if (m->ol_flags & pk_udp_mark())
		return PK_UDP_OK;
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
	if (l4 + UDP_HLEN > seg) /* the UDP header is not in segment 1 */
		return PK_UDP_MALFORMED;
	uh = (const struct rte_udp_hdr *)(p + l3.hlen);
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (ulen < UDP_HLEN || ulen > l3.plen)
		return PK_UDP_MALFORMED;
	if (uh->dgram_cksum == 0) {
		if (!v4) /* RFC 8200 8.1: not optional over IPv6 */
			return PK_UDP_MALFORMED;
	} else if (csum) {
		int nic = udp_nic_says(m->ol_flags, RTE_MBUF_F_RX_L4_CKSUM_MASK,
				       RTE_MBUF_F_RX_L4_CKSUM_GOOD,
				       RTE_MBUF_F_RX_L4_CKSUM_BAD);

		/* IPv4 addresses at 12 in the header, IPv6 at 8 */
		if (nic < 0 ||
		    (nic == 0 && udp_sum(m, p + (v4 ? 12 : 8), v4 ? 4 : 16, l4,
					 (uint16_t)ulen) != 0xffff))
			return PK_UDP_MALFORMED;
	}
	if (m->pkt_len > l4 + ulen)
		udp_trim(m, l4 + ulen);
	m->l2_len = (uint64_t)off;
	m->l3_len = l3.hlen;
	m->l4_len = UDP_HLEN;
	rte_pktmbuf_adj(m, (uint16_t)(l4 + UDP_HLEN));
	m->ol_flags |= pk_udp_mark();
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
	uint64_t mark = pk_udp_mark();
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
	if (v4 ? m->l3_len < sizeof(struct rte_ipv4_hdr) :
		 (ip[0] >> 4) != 6 || m->l3_len < sizeof(struct rte_ipv6_hdr))
		return -EINVAL;
	/* IPv4: source at 12, destination at 16; IPv6: at 8 and 24 */
	if (remote != NULL)
		udp_sockaddr(remote, v4, ip + (v4 ? 12 : 8), uh->src_port);
	if (local != NULL)
		udp_sockaddr(local, v4, ip + (v4 ? 16 : 24), uh->dst_port);
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
		memcpy((uint8_t *)buf + done, rte_pktmbuf_mtod(s, const void *),
		       k);
		done += k;
	}
	return (int)done;
}
