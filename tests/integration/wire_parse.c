/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frame parser of wire_capture.h: Ethernet and VLAN tags, IPv4 with
 * options and IPv6 with its extension headers, then UDP, TCP, ICMP or
 * ICMPv6, each bound checked against the captured length, and the IPv4
 * header and transport checksums verified. The capture itself:
 * wire_capture.c.
 */
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "wire_capture.h"

static uint16_t
wc_get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

bool
wc_ipv4_csum_ok(const void *ip, uint32_t hlen)
{
	return rte_raw_cksum(ip, hlen) == 0xffff;
}

bool
wc_l4_csum_ok(int family, const void *src, const void *dst, uint8_t proto,
	      const void *l4, uint32_t l4_len)
{
	uint32_t alen = family == AF_INET6 ? 16 : 4, sum = 0;
	uint32_t csum_at = proto == IPPROTO_UDP ? 6 :
			   proto == IPPROTO_TCP ? 16 : 2;

	if (l4_len < csum_at + 2)
		return false;
	if (proto == IPPROTO_UDP &&
	    wc_get16((const uint8_t *)l4 + csum_at) == 0)
		return false; /* "none": never what a checked send leaves */
	if (proto != IPPROTO_ICMP) { /* the pseudo-header */
		sum = __rte_raw_cksum(src, alen, 0);
		sum = __rte_raw_cksum(dst, alen, sum);
		sum += rte_cpu_to_be_16(proto);
		if (family == AF_INET6)
			sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
		sum += rte_cpu_to_be_16((uint16_t)l4_len);
	}
	sum = __rte_raw_cksum(l4, l4_len, sum);
	return __rte_raw_cksum_reduce(sum) == 0xffff;
}

/* IPv4 header at f + o; sets l3_len, proto, l4 bounds. */
static int
wc_parse4(const uint8_t *f, uint32_t len, uint32_t o, struct wc_pkt *p,
	  uint32_t *end, bool *whole)
{
	const uint8_t *ip = f + o;
	uint32_t hlen, tot;
	uint16_t frag;

	if (len - o < 20 || (ip[0] >> 4) != 4)
		return -1;
	hlen = (uint32_t)(ip[0] & 0xf) * 4;
	tot = wc_get16(ip + 2);
	if (hlen < 20 || len - o < hlen)
		return -1;
	p->family = AF_INET;
	memcpy(&p->src4, ip + 12, 4);
	memcpy(&p->dst4, ip + 16, 4);
	p->l3_len = hlen;
	p->proto = ip[9];
	p->ip_csum_ok = wc_ipv4_csum_ok(ip, hlen);
	frag = wc_get16(ip + 6);
	*end = tot >= hlen ? o + tot : o + hlen;
	*whole = (frag & 0x3fff) == 0; /* neither MF nor an offset */
	return (frag & 0x1fff) == 0 ? 0 : 1; /* 1: a later fragment */
}

/* IPv6 header at f + o, then its extension headers. */
static int
wc_parse6(const uint8_t *f, uint32_t len, uint32_t o, struct wc_pkt *p,
	  uint32_t *end, bool *whole)
{
	const uint8_t *ip = f + o;
	uint32_t h = 40;
	uint8_t nh;

	if (len - o < 40 || (ip[0] >> 4) != 6)
		return -1;
	p->family = AF_INET6;
	memcpy(&p->src6, ip + 8, 16);
	memcpy(&p->dst6, ip + 24, 16);
	p->ip_csum_ok = true;
	*end = o + 40 + wc_get16(ip + 4);
	*whole = true;
	nh = ip[6];
	for (;;) {
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_DSTOPTS &&
		    nh != IPPROTO_ROUTING && nh != IPPROTO_FRAGMENT)
			break;
		if (len - o < h + 8)
			return -1;
		if (nh == IPPROTO_ROUTING)
			*whole = false; /* the pseudo-header's destination
					   is not the header's: not checked */
		if (nh == IPPROTO_FRAGMENT) {
			*whole = false;
			if (wc_get16(ip + h + 2) & 0xfff8) {
				p->l3_len = h + 8;
				p->proto = ip[h];
				return 1; /* a later fragment */
			}
			nh = ip[h];
			h += 8;
			continue;
		}
		nh = ip[h];
		h += ((uint32_t)ip[h + 1] + 1) * 8;
	}
	p->l3_len = h;
	p->proto = nh;
	return 0;
}

int
wc_parse(const uint8_t *f, uint32_t len, struct wc_pkt *p)
{
	uint32_t o = sizeof(struct rte_ether_hdr), end, hdr;
	bool whole;
	uint16_t type;
	int rc;

	memset(p, 0, sizeof(*p));
	if (len < o)
		return -1;
	type = wc_get16(f + 12);
	while ((type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) &&
	       len >= o + 4) {
		type = wc_get16(f + o + 2);
		o += 4;
	}
	if (type == RTE_ETHER_TYPE_IPV4)
		rc = wc_parse4(f, len, o, p, &end, &whole);
	else if (type == RTE_ETHER_TYPE_IPV6)
		rc = wc_parse6(f, len, o, p, &end, &whole);
	else
		rc = -1;
	if (rc < 0) {
		memset(p, 0, sizeof(*p));
		return -1;
	}
	p->l3 = o;
	if (rc > 0 || end < o + p->l3_len + 4 || end > len)
		return 0; /* a later fragment, or cut off: no transport */
	p->l4 = o + p->l3_len;
	p->l4_len = end - p->l4;
	switch (p->proto) {
	case IPPROTO_UDP:
		hdr = 8;
		break;
	case IPPROTO_TCP:
		hdr = p->l4_len >= 20 ? (uint32_t)(f[p->l4 + 12] >> 4) * 4 : 20;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hdr = 8;
		break;
	default:
		return 0;
	}
	if (p->proto == IPPROTO_UDP || p->proto == IPPROTO_TCP) {
		p->sport = wc_get16(f + p->l4);
		p->dport = wc_get16(f + p->l4 + 2);
	} else {
		p->sport = f[p->l4];
		p->dport = f[p->l4 + 1];
	}
	if (hdr <= p->l4_len) {
		p->data = p->l4 + hdr;
		p->data_len = p->l4_len - hdr;
	}
	if (whole)
		p->l4_csum_ok = wc_l4_csum_ok(p->family,
			p->family == AF_INET6 ? (const void *)&p->src6 :
						(const void *)&p->src4,
			p->family == AF_INET6 ? (const void *)&p->dst6 :
						(const void *)&p->dst4,
			p->proto, f + p->l4, p->l4_len);
	return 0;
}
