/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow key parsing. Every read is checked against a limit: the bytes we can
 * see (first segment or a copy) and the end of the datagram its header
 * claims, whichever comes first. Header fields from the wire are never
 * trusted to move the cursor without a check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf_ptype.h>

#include <pathkit/pk_flow.h>

/* The bytes the parser may read: the first segment, or a copy of them. */
struct flow_view {
	const uint8_t *p;
	uint32_t len;     /* readable bytes at p */
	uint32_t pkt_len; /* bytes in the whole packet */
};

#define FLOW_MIPV6 135 /* mobility header: skipped like the others */

static enum pk_flow_result flow_ipv4(const struct flow_view *v, uint32_t off,
				     uint32_t lim, bool inner,
				     struct pk_flow_key *k);
static enum pk_flow_result flow_ipv6(const struct flow_view *v, uint32_t off,
				     uint32_t lim, bool inner,
				     struct pk_flow_key *k);

static inline uint16_t
flow_rd16(const uint8_t *p)
{
	uint16_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

static bool
flow_icmp_is_error(uint8_t family, uint8_t type)
{
	if (family == PK_FLOW_IPV4)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		       type == 12;
	return type >= 1 && type <= 4;
}

/*
 * ICMP: an echo id acts as the port of the side that sent the request; an
 * error quotes a packet that went out from here, so the key becomes that
 * packet's key, turned round (*quoted is then set and the key complete).
 */
static enum pk_flow_result
flow_icmp(const struct flow_view *v, uint32_t o, uint32_t lim, bool inner,
	  struct pk_flow_key *k, rte_be16_t *sport, rte_be16_t *dport,
	  bool *quoted)
{
	uint8_t fam = k->family, type;
	uint8_t echo_req = fam == PK_FLOW_IPV4 ? 8 : 128;
	uint8_t echo_rep = fam == PK_FLOW_IPV4 ? 0 : 129;

	if (o + 8 > lim)
		return PK_FLOW_MALFORMED;
	type = v->p[o];
	if (type == echo_req)
		*sport = flow_rd16(v->p + o + 4);
	else if (type == echo_rep)
		*dport = flow_rd16(v->p + o + 4);
	else if (!inner && flow_icmp_is_error(fam, type)) {
		*quoted = true;
		memset(k, 0, sizeof(*k));
		return fam == PK_FLOW_IPV4 ? flow_ipv4(v, o + 8, lim, true, k) :
					     flow_ipv6(v, o + 8, lim, true, k);
	}
	return PK_FLOW_OK;
}

/* Ports of the transport header at o; outer keys see them from the receiver. */
static enum pk_flow_result
flow_l4(const struct flow_view *v, uint32_t o, uint32_t lim, bool inner,
	struct pk_flow_key *k)
{
	rte_be16_t sport = 0, dport = 0;
	enum pk_flow_result r;
	bool quoted = false;
	uint32_t need;

	switch (k->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		/* a quoted header carries only its first 8 bytes */
		need = k->proto == IPPROTO_TCP && !inner ? 20 : 8;
		if (o + need > lim)
			return PK_FLOW_MALFORMED;
		sport = flow_rd16(v->p + o);
		dport = flow_rd16(v->p + o + 2);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if ((k->proto == IPPROTO_ICMP) != (k->family == PK_FLOW_IPV4))
			break; /* ICMP of the other family: no ports */
		r = flow_icmp(v, o, lim, inner, k, &sport, &dport, &quoted);
		if (quoted) /* the key of an error, not of the flow itself */
			k->pad = PK_FLOW_F_ICMP_ERR;
		if (r != PK_FLOW_OK || quoted)
			return r;
		break;
	default:
		break;
	}
	k->lport = inner ? sport : dport;
	k->rport = inner ? dport : sport;
	return PK_FLOW_OK;
}

static void
flow_addrs(struct pk_flow_key *k, const void *src, const void *dst,
	   size_t len, bool inner)
{
	memcpy(k->laddr, inner ? src : dst, len);
	memcpy(k->raddr, inner ? dst : src, len);
}

static enum pk_flow_result
flow_ipv4(const struct flow_view *v, uint32_t off, uint32_t lim, bool inner,
	  struct pk_flow_key *k)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t hlen, tot;

	if (off + sizeof(*ip) > lim)
		return PK_FLOW_MALFORMED;
	ip = (const struct rte_ipv4_hdr *)(v->p + off);
	hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
	       RTE_IPV4_IHL_MULTIPLIER;
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) ||
	    off + hlen > lim)
		return PK_FLOW_MALFORMED;
	tot = rte_be_to_cpu_16(ip->total_length);
	/* a quoted datagram is cut short by design; a received one may not be */
	if (tot < hlen || (!inner && off + tot > v->pkt_len))
		return PK_FLOW_MALFORMED;
	lim = RTE_MIN(lim, off + tot);
	k->family = PK_FLOW_IPV4;
	k->proto = ip->next_proto_id;
	flow_addrs(k, &ip->src_addr, &ip->dst_addr, 4, inner);
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		return PK_FLOW_FRAGMENT;
	return flow_l4(v, off + hlen, lim, inner, k);
}

/* Extension headers we skip; ESP and the rest end the chain. */
static bool
flow_ipv6_is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS || nh == FLOW_MIPV6 || nh == IPPROTO_AH ||
	       nh == IPPROTO_FRAGMENT;
}

/* Length of the extension header h of type nh (h has 8 readable bytes). */
static uint32_t
flow_ipv6_ext_len(uint8_t nh, const uint8_t *h)
{
	if (nh == IPPROTO_FRAGMENT)
		return 8;
	if (nh == IPPROTO_AH)
		return ((uint32_t)h[1] + 2) * 4;
	return ((uint32_t)h[1] + 1) * 8;
}

static enum pk_flow_result
flow_ipv6(const struct flow_view *v, uint32_t off, uint32_t lim, bool inner,
	  struct pk_flow_key *k)
{
	const struct rte_ipv6_hdr *ip6;
	uint32_t o, elen, i;
	uint8_t nh;

	if (off + sizeof(*ip6) > lim)
		return PK_FLOW_MALFORMED;
	ip6 = (const struct rte_ipv6_hdr *)(v->p + off);
	o = off + sizeof(*ip6);
	if ((v->p[off] >> 4) != 6 ||
	    (!inner && o + rte_be_to_cpu_16(ip6->payload_len) > v->pkt_len))
		return PK_FLOW_MALFORMED;
	lim = RTE_MIN(lim, o + rte_be_to_cpu_16(ip6->payload_len));
	k->family = PK_FLOW_IPV6;
	flow_addrs(k, ip6->src_addr, ip6->dst_addr, 16, inner);
	nh = ip6->proto;
	for (i = 0; flow_ipv6_is_ext(nh); i++) {
		/* bounded: a chain that never ends is not a packet */
		if (i == PK_FLOW_IPV6_EXT_MAX || o + 8 > lim)
			return PK_FLOW_MALFORMED;
		elen = flow_ipv6_ext_len(nh, v->p + o);
		if (nh == IPPROTO_FRAGMENT &&
		    (flow_rd16(v->p + o + 2) & RTE_BE16(0xfff8)) != 0) {
			k->proto = v->p[o];
			return PK_FLOW_FRAGMENT;
		}
		nh = v->p[o];
		o += elen;
	}
	k->proto = nh;
	return flow_l4(v, o, lim, inner, k);
}

/* Offset and ethertype of the network header; the PMD's ptype first. */
static int
flow_l2(const struct flow_view *v, uint32_t ptype, uint32_t *off,
	rte_be16_t *type)
{
	uint32_t o = sizeof(struct rte_ether_hdr);
	rte_be16_t t;
	int tags;

	if (v->len < o)
		return -EINVAL;
	if ((ptype & RTE_PTYPE_L2_MASK) == RTE_PTYPE_L2_ETHER &&
	    (RTE_ETH_IS_IPV4_HDR(ptype) || RTE_ETH_IS_IPV6_HDR(ptype))) {
		*off = o;
		*type = RTE_ETH_IS_IPV4_HDR(ptype) ?
				RTE_BE16(RTE_ETHER_TYPE_IPV4) :
				RTE_BE16(RTE_ETHER_TYPE_IPV6);
		return 0;
	}
	t = ((const struct rte_ether_hdr *)v->p)->ether_type;
	for (tags = 0; tags < 2 && (t == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
				    t == RTE_BE16(RTE_ETHER_TYPE_QINQ));
	     tags++) {
		if (v->len < o + sizeof(struct rte_vlan_hdr))
			return -EINVAL;
		t = ((const struct rte_vlan_hdr *)(v->p + o))->eth_proto;
		o += sizeof(struct rte_vlan_hdr);
	}
	*off = o;
	*type = t;
	return 0;
}

int
pk_flow_l3_offset(const struct rte_mbuf *m, rte_be16_t *ether_type)
{
	struct flow_view v = {
		.p = rte_pktmbuf_mtod(m, const uint8_t *),
		.len = RTE_MIN(m->data_len, m->pkt_len),
		.pkt_len = m->pkt_len,
	};
	uint32_t off;

	if (flow_l2(&v, 0, &off, ether_type) != 0)
		return -EINVAL;
	return (int)off;
}

/* Headers that span segments are read through buf; beyond it is malformed. */
static int
flow_view_init(const struct rte_mbuf *m, uint8_t *buf, struct flow_view *v)
{
	uint32_t dl = m->data_len, pl = m->pkt_len;

	v->pkt_len = pl;
	if (likely(dl >= pl || dl >= PK_FLOW_HDR_MAX)) {
		v->p = rte_pktmbuf_mtod(m, const uint8_t *);
		v->len = RTE_MIN(dl, pl);
		return 0;
	}
	v->len = RTE_MIN(pl, (uint32_t)PK_FLOW_HDR_MAX);
	v->p = rte_pktmbuf_read(m, 0, v->len, buf);
	return v->p != NULL ? 0 : -EINVAL;
}

enum pk_flow_result
pk_flow_parse(const struct rte_mbuf *m, struct pk_flow_key *key)
{
	uint8_t buf[PK_FLOW_HDR_MAX];
	struct flow_view v;
	rte_be16_t type;
	uint32_t off;

	memset(key, 0, sizeof(*key));
	if (flow_view_init(m, buf, &v) != 0 ||
	    flow_l2(&v, m->packet_type, &off, &type) != 0)
		return PK_FLOW_MALFORMED;
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return flow_ipv4(&v, off, v.len, false, key);
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return flow_ipv6(&v, off, v.len, false, key);
	return PK_FLOW_NOT_IP;
}

void
pk_flow_key_ipv4(struct pk_flow_key *key, uint8_t proto, rte_be32_t laddr,
		 rte_be16_t lport, rte_be32_t raddr, rte_be16_t rport)
{
	memset(key, 0, sizeof(*key));
	key->family = PK_FLOW_IPV4;
	key->proto = proto;
	key->lport = lport;
	key->rport = rport;
	memcpy(key->laddr, &laddr, sizeof(laddr));
	memcpy(key->raddr, &raddr, sizeof(raddr));
}

void
pk_flow_key_ipv6(struct pk_flow_key *key, uint8_t proto, const uint8_t *laddr,
		 rte_be16_t lport, const uint8_t *raddr, rte_be16_t rport)
{
	memset(key, 0, sizeof(*key));
	key->family = PK_FLOW_IPV6;
	key->proto = proto;
	key->lport = lport;
	key->rport = rport;
	if (laddr != NULL)
		memcpy(key->laddr, laddr, sizeof(key->laddr));
	if (raddr != NULL)
		memcpy(key->raddr, raddr, sizeof(key->raddr));
}

static const char *
flow_pad_name(uint16_t pad)
{
	switch (pad) {
	case PK_FLOW_F_ICMP_ERR: return " icmp-err";
	case PK_FLOW_F_SNIFF_OUT: return " sniff-out";
	case PK_FLOW_F_SNIFF_IN: return " sniff-in";
	}
	return "";
}

int
pk_flow_key_format(const struct pk_flow_key *key, char *buf, size_t size)
{
	char la[INET6_ADDRSTRLEN] = "?", ra[INET6_ADDRSTRLEN] = "?";
	int af = key->family == PK_FLOW_IPV4 ? AF_INET : AF_INET6;
	const char *pn;

	switch (key->proto) {
	case IPPROTO_TCP: pn = "tcp"; break;
	case IPPROTO_UDP: pn = "udp"; break;
	case IPPROTO_ICMP: pn = "icmp"; break;
	case IPPROTO_ICMPV6: pn = "icmp"; break;
	default: pn = "ip"; break;
	}
	inet_ntop(af, key->laddr, la, sizeof(la));
	inet_ntop(af, key->raddr, ra, sizeof(ra));
	return snprintf(buf, size, "%s%u/%u %s:%u <- %s:%u%s", pn, key->family,
			key->proto, la, rte_be_to_cpu_16(key->lport), ra,
			rte_be_to_cpu_16(key->rport),
			flow_pad_name(key->pad));
}
