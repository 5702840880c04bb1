/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Safe raw sends (pk_raw.h): IP and UDP/TCP checks, then the rewrites. ICMP
 * echo and errors: raw_icmp.c. Every check runs before the first write, so a
 * refused datagram is left as it was. Lengths are compared with pkt_len
 * before any header is read, and headers are read through the view
 * (raw_pvt.h), never past the data.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_raw.h>

#include "raw_pvt.h"
#include "udp_pvt.h"

#define RAW_IPOPT_EOL 0
#define RAW_IPOPT_NOP 1
#define RAW_IPOPT_LSRR 0x83
#define RAW_IPOPT_SSRR 0x89

static const char *const raw_names[] = {
#define _(sym, str, err) [PK_RAW_##sym] = str,
	PK_RAW_VERDICTS(_)
#undef _
};

static const int raw_errnos[] = {
#define _(sym, str, err) [PK_RAW_##sym] = err,
	PK_RAW_VERDICTS(_)
#undef _
};

const char *
pk_raw_verdict_name(enum pk_raw_verdict v)
{
	return (unsigned int)v < PK_RAW_VERDICT_MAX ? raw_names[v] : "unknown";
}

int
pk_raw_verdict_errno(enum pk_raw_verdict v)
{
	return (unsigned int)v < PK_RAW_VERDICT_MAX ? raw_errnos[v] : EINVAL;
}

static bool
raw_policy_ok(const struct pk_raw_policy *p)
{
	static const struct in6_addr any6;

	if (p->port == 0 ||
	    (p->proto != IPPROTO_UDP && p->proto != IPPROTO_TCP))
		return false;
	if (p->family == AF_INET)
		return p->addr4.s_addr != 0;
	return p->family == AF_INET6 &&
	       memcmp(&p->addr6, &any6, sizeof(any6)) != 0;
}

/* Segments and their lengths agree with pkt_len: reads cannot run off. */
static bool
raw_chain_ok(const struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint32_t sum = 0;
	uint16_t n = 0;

	for (s = m; s != NULL; s = s->next) {
		sum += s->data_len;
		if (++n > m->nb_segs)
			return false; /* a loop, or nb_segs lies */
	}
	return sum == m->pkt_len && n == m->nb_segs;
}

/* IPv4 options in bytes [20, hlen) of the view. */
static enum pk_raw_verdict
raw_ipv4_opts(const struct raw_view *v, uint32_t hlen)
{
	uint32_t i = sizeof(struct rte_ipv4_hdr);
	uint8_t t;

	while (i < hlen) {
		t = v->h[i];
		if (t == RAW_IPOPT_EOL)
			break;
		if (t == RAW_IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || v->h[i + 1] < 2 || i + v->h[i + 1] > hlen)
			return PK_RAW_IP_OPTS;
		if (t == RAW_IPOPT_LSRR || t == RAW_IPOPT_SSRR)
			return PK_RAW_SRC_ROUTE;
		i += v->h[i + 1];
	}
	return PK_RAW_OK;
}

static enum pk_raw_verdict
raw_ipv4(struct raw_view *v)
{
	uint32_t hlen;
	enum pk_raw_verdict r;

	if (v->len < sizeof(struct rte_ipv4_hdr))
		return PK_RAW_SHORT;
	if (!raw_need(v, sizeof(struct rte_ipv4_hdr)))
		return PK_RAW_SHORT; /* not reached: len >= 20 */
	hlen = (uint32_t)(v->h[0] & RTE_IPV4_HDR_IHL_MASK) *
	       RTE_IPV4_IHL_MULTIPLIER;
	if (hlen < sizeof(struct rte_ipv4_hdr) || !raw_need(v, hlen))
		return PK_RAW_IHL;
	if (raw_get16(v, 2) != v->len)
		return PK_RAW_LENGTH;
	r = raw_ipv4_opts(v, hlen);
	if (r != PK_RAW_OK)
		return r;
	if (raw_get16(v, 6) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return PK_RAW_FRAGMENT;
	v->l3 = hlen;
	v->proto = v->h[9];
	return PK_RAW_OK;
}

static enum pk_raw_verdict
raw_ipv6(struct raw_view *v)
{
	uint32_t o = sizeof(struct rte_ipv6_hdr), i;
	uint8_t nh;

	if (v->len < sizeof(struct rte_ipv6_hdr))
		return PK_RAW_SHORT;
	if (!raw_need(v, sizeof(struct rte_ipv6_hdr)))
		return PK_RAW_SHORT; /* not reached */
	/* no jumbograms: a payload length of 0 says 0 */
	if (sizeof(struct rte_ipv6_hdr) + raw_get16(v, 4) != v->len)
		return PK_RAW_LENGTH;
	nh = v->h[6];
	for (i = 0;; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
			if (i == PK_FLOW_IPV6_EXT_MAX || !raw_need(v, o + 8))
				return PK_RAW_EXT_LEN;
			nh = v->h[o];
			o += ((uint32_t)v->h[o + 1] + 1) * 8;
			if (o > v->len || o > PK_RAW_L3_MAX)
				return PK_RAW_EXT_LEN;
			continue;
		case IPPROTO_ROUTING:
			return PK_RAW_SRC_ROUTE;
		case IPPROTO_FRAGMENT:
			return PK_RAW_FRAGMENT;
		case IPPROTO_AH:
		case IPPROTO_ESP:
		case IPPROTO_MH:
		case 139: /* HIP */
		case 140: /* shim6 */
		case 253: /* experiments, RFC 3692 */
		case 254:
			return PK_RAW_EXT_HDR;
		}
		break;
	}
	v->l3 = o;
	v->proto = nh;
	return PK_RAW_OK;
}

/* The bound protocol's header: lengths, then the source port. */
static enum pk_raw_verdict
raw_l4(struct raw_view *v, const struct pk_raw_policy *p)
{
	uint32_t min = p->proto == IPPROTO_UDP ? 8 : 20, doff;

	if (v->l4len < min)
		return PK_RAW_L4_SHORT;
	if (!raw_need(v, v->l3 + min))
		return PK_RAW_L4_SHORT; /* not reached */
	if (p->proto == IPPROTO_UDP) {
		if (raw_get16(v, v->l3 + 4) != v->l4len)
			return PK_RAW_L4_LEN;
		v->l4hdr = 8;
	} else {
		doff = (uint32_t)(v->h[v->l3 + 12] >> 4) * 4;
		if (doff < 20 || doff > v->l4len)
			return PK_RAW_L4_LEN;
		v->l4hdr = doff;
	}
	return raw_get16(v, v->l3) == p->port ? PK_RAW_OK : PK_RAW_SPORT;
}

static enum pk_raw_verdict
raw_classify(struct raw_view *v, const struct pk_raw_policy *p)
{
	enum pk_raw_verdict r;

	if (!raw_need(v, 1) || (v->h[0] >> 4) != (v->v4 ? 4 : 6))
		return PK_RAW_VERSION;
	r = v->v4 ? raw_ipv4(v) : raw_ipv6(v);
	if (r != PK_RAW_OK)
		return r;
	v->l4len = v->len - v->l3;
	if (v->proto == p->proto)
		return raw_l4(v, p);
	if (v->proto != (v->v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return PK_RAW_PROTO;
	if (v->l4len < 8 || !raw_need(v, v->l3 + 8))
		return PK_RAW_L4_SHORT;
	v->l4hdr = 8;
	return raw_icmp_check(v, p);
}

/* Write len bytes at offset off of the chain (off + len <= pkt_len). */
static void
raw_put_chain(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	uint32_t k;

	while (off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	for (; len > 0; m = m->next, off = 0) {
		k = RTE_MIN((uint32_t)m->data_len - off, len);
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), s, k);
		s += k;
		len -= k;
	}
}

/* As raw_put_chain(); the headers are nearly always in the first segment. */
static inline void
raw_put(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len)
{
	if (likely(off + len <= m->data_len))
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), src, len);
	else
		raw_put_chain(m, off, src, len);
}

/*
 * The transport checksum, over the segment as it now is in m (its checksum
 * field zeroed first) and, but for ICMP, the pseudo-header: addresses from
 * the rewritten IP header ip, upper-layer length l4len (RFC 768, 793, 8200
 * 8.1, 4443 2.3).
 */
static void
raw_l4_csum(struct raw_view *v, const uint8_t *ip)
{
	static const uint16_t zero;
	uint32_t at, sum = 0;
	uint16_t c;

	switch (v->proto) {
	case IPPROTO_UDP:
		at = 6;
		break;
	case IPPROTO_TCP:
		at = 16;
		break;
	default: /* ICMP, ICMPv6 */
		at = 2;
	}
	raw_put(v->m, v->l3 + at, &zero, 2);
	if (v->proto != IPPROTO_ICMP) {
		/* IPv4 addresses at 12 in the header, IPv6 at 8 */
		sum = pk_cksum_add(ip + (v->v4 ? 12 : 8), v->v4 ? 8 : 32, 0);
		sum += rte_cpu_to_be_16(v->proto) +
		       rte_cpu_to_be_16((uint16_t)v->l4len);
	}
	sum += udp_sum_mbuf(v->m, v->l3, v->l4len);
	c = (uint16_t)~__rte_raw_cksum_reduce(sum);
	if (c == 0 && v->proto == IPPROTO_UDP)
		c = 0xffff; /* 0 would say "no checksum" */
	raw_put(v->m, v->l3 + at, &c, 2);
}

static void
raw_rewrite(struct raw_view *v, const struct pk_raw_policy *p)
{
	uint8_t ip[15 * RTE_IPV4_IHL_MULTIPLIER] __rte_aligned(8); /* IHL 15 */
	struct rte_ipv4_hdr *h4 = (struct rte_ipv4_hdr *)ip;
	struct rte_ipv6_hdr *h6 = (struct rte_ipv6_hdr *)ip;
	uint32_t hlen = v->v4 ? v->l3 : sizeof(*h6);

	/* a copy: v->h may be the mbuf's own bytes, or a copy of them */
	memcpy(ip, v->h, hlen);
	if (v->v4) {
		h4->src_addr = p->addr4.s_addr;
		if (h4->time_to_live == 0)
			h4->time_to_live = PK_RAW_TTL_DEFAULT;
		h4->hdr_checksum = 0;
		h4->hdr_checksum = pk_cksum_ipv4_hdr(h4, hlen); /* options too */
	} else {
		memcpy(h6->src_addr, &p->addr6, sizeof(h6->src_addr));
		if (h6->hop_limits == 0)
			h6->hop_limits = PK_RAW_TTL_DEFAULT;
	}
	raw_put(v->m, 0, ip, hlen);
	raw_l4_csum(v, ip);
}

static uint32_t
raw_ptype(const struct raw_view *v)
{
	uint32_t t;

	if (v->v4)
		t = v->l3 > 20 ? RTE_PTYPE_L3_IPV4_EXT : RTE_PTYPE_L3_IPV4;
	else
		t = v->l3 > 40 ? RTE_PTYPE_L3_IPV6_EXT : RTE_PTYPE_L3_IPV6;
	switch (v->proto) {
	case IPPROTO_UDP:
		return t | RTE_PTYPE_L4_UDP;
	case IPPROTO_TCP:
		return t | RTE_PTYPE_L4_TCP;
	default:
		return t | RTE_PTYPE_L4_ICMP;
	}
}

int
pk_raw_check(struct rte_mbuf *m, const struct pk_raw_policy *p,
	     enum pk_raw_verdict *why)
{
	enum pk_raw_verdict r = PK_RAW_BAD_POLICY, dummy;
	struct raw_view v;

	if (why == NULL)
		why = &dummy;
	if (m == NULL || p == NULL || !raw_policy_ok(p))
		goto out;
	r = PK_RAW_CHAIN;
	if (!raw_chain_ok(m))
		goto out;
	v.m = m;
	v.h = rte_pktmbuf_mtod(m, const uint8_t *);
	v.n = m->data_len;
	v.len = m->pkt_len;
	v.v4 = p->family == AF_INET;
	r = raw_classify(&v, p);
	if (r != PK_RAW_OK)
		goto out;
	raw_rewrite(&v, p);
	m->l2_len = 0;
	m->l3_len = v.l3;
	m->l4_len = v.l4hdr;
	m->packet_type = raw_ptype(&v);
	/* a datagram of the caller's: what a NIC said of an old one is void */
	m->ol_flags &= ~(RTE_MBUF_F_TX_OFFLOAD_MASK |
			 RTE_MBUF_F_RX_IP_CKSUM_MASK |
			 RTE_MBUF_F_RX_L4_CKSUM_MASK);
out:
	*why = r;
	return -raw_errnos[r];
}
