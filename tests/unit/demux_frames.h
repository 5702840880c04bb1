/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_DEMUX_FRAMES_H
#define PK_DEMUX_FRAMES_H

/*
 * Frame builder for the flow and demux tests: Ethernet, VLAN/QinQ tags,
 * IPv4 (options, fragments) or IPv6 (extension headers, fragment header),
 * TCP, UDP, ICMP/ICMPv6 (echo, or an error quoting an inner packet).
 * Header-only, static: each test binary gets its own copy.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <pathkit/pk_flow.h>

#define FRAME_MAX 1600

struct frame_spec {
	int vlans;            /* 0, 1 or 2 tags (QinQ) */
	int family;           /* 4 or 6 */
	uint8_t proto;        /* IPPROTO_* */
	uint32_t src4, dst4;  /* host order */
	uint8_t src6[16], dst6[16];
	uint16_t sport, dport; /* host order */
	unsigned int ip_opts; /* IPv4 option bytes, multiple of 4 */
	uint16_t frag_off;    /* fragment offset in 8-byte units */
	bool mf;              /* more fragments */
	bool frag_hdr;        /* IPv6: add a fragment header */
	const uint8_t *ext;   /* IPv6: extension header types, 0-terminated
			       * list except that ext_n gives its length */
	unsigned int ext_n;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;
	const struct frame_spec *inner; /* ICMP error: the quoted packet */
	unsigned int payload; /* bytes after the L4 header */
	bool no_l4;           /* payload only: a later fragment */
};

static inline void
frame_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static size_t frame_l3(uint8_t *b, const struct frame_spec *f);

/* Transport header and payload; returns bytes written. */
static inline size_t
frame_l4(uint8_t *b, const struct frame_spec *f)
{
	size_t n = 0;

	switch (f->no_l4 ? 0 : f->proto) {
	case IPPROTO_TCP:
		memset(b, 0, 20);
		frame_put16(b, f->sport);
		frame_put16(b + 2, f->dport);
		b[12] = 5 << 4;
		n = 20;
		break;
	case IPPROTO_UDP:
		memset(b, 0, 8);
		frame_put16(b, f->sport);
		frame_put16(b + 2, f->dport);
		frame_put16(b + 4, 8 + f->payload);
		n = 8;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		memset(b, 0, 8);
		b[0] = f->icmp_type;
		b[1] = f->icmp_code;
		frame_put16(b + 4, f->icmp_id);
		n = 8;
		if (f->inner != NULL) /* quote the inner IP header + 8 bytes */
			n += frame_l3(b + 8, f->inner);
		break;
	default:
		break;
	}
	memset(b + n, 0xab, f->payload);
	return n + f->payload;
}

static size_t
frame_l3(uint8_t *b, const struct frame_spec *f)
{
	size_t hl, n, i;

	if (f->family == 4) {
		hl = 20 + f->ip_opts;
		memset(b, 0, hl);
		b[0] = 0x40 | (uint8_t)(hl / 4);
		b[8] = 64;
		b[9] = f->proto;
		frame_put16(b + 6, (f->mf ? 0x2000 : 0) | f->frag_off);
		frame_put16(b + 12, f->src4 >> 16);
		frame_put16(b + 14, f->src4 & 0xffff);
		frame_put16(b + 16, f->dst4 >> 16);
		frame_put16(b + 18, f->dst4 & 0xffff);
		for (i = 20; i < hl; i++)
			b[i] = 1; /* NOP options */
		n = hl + frame_l4(b + hl, f);
		frame_put16(b + 2, n);
		((struct rte_ipv4_hdr *)b)->hdr_checksum =
			rte_ipv4_cksum((struct rte_ipv4_hdr *)b);
		return n;
	}
	memset(b, 0, 40);
	b[0] = 0x60;
	b[7] = 64;
	memcpy(b + 8, f->src6, 16);
	memcpy(b + 24, f->dst6, 16);
	hl = 40;
	{
		uint8_t *nh = b + 6;

		for (i = 0; i < f->ext_n; i++) {
			*nh = f->ext[i];
			memset(b + hl, 0, 8);
			nh = b + hl;
			hl += 8;
		}
		if (f->frag_hdr) {
			*nh = IPPROTO_FRAGMENT;
			memset(b + hl, 0, 8);
			frame_put16(b + hl + 2,
				    (uint16_t)(f->frag_off << 3) | (f->mf ? 1 : 0));
			b[hl + 7] = 0x42; /* identification */
			nh = b + hl;
			hl += 8;
		}
		*nh = f->proto;
	}
	n = hl + frame_l4(b + hl, f);
	frame_put16(b + 4, n - 40);
	return n;
}

/* A whole frame: Ethernet, tags, L3 and beyond. Returns its length. */
static inline size_t
frame_write(uint8_t *b, const struct frame_spec *f)
{
	size_t o = 12;
	int i;

	memset(b, 0, 12);
	b[0] = 0x02;
	b[6] = 0x02;
	b[11] = 1;
	for (i = 0; i < f->vlans; i++) {
		frame_put16(b + o, i == 0 && f->vlans == 2 ?
					   RTE_ETHER_TYPE_QINQ :
					   RTE_ETHER_TYPE_VLAN);
		frame_put16(b + o + 2, 100 + i);
		o += 4;
	}
	frame_put16(b + o, f->family == 4 ? RTE_ETHER_TYPE_IPV4 :
					    RTE_ETHER_TYPE_IPV6);
	o += 2;
	return o + frame_l3(b + o, f);
}

/* An mbuf holding len bytes of b (one segment). */
static inline struct rte_mbuf *
frame_mbuf(struct rte_mempool *mp, const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL && len > 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (len > 0)
		memcpy(p, b, len);
	return m;
}

/* Build spec into a fresh mbuf. */
static inline struct rte_mbuf *
frame_new(struct rte_mempool *mp, const struct frame_spec *f)
{
	uint8_t b[FRAME_MAX];

	return frame_mbuf(mp, b, frame_write(b, f));
}

/* A UDP/IPv4 spec from src:sport to dst:dport. */
static inline struct frame_spec
frame_udp4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	struct frame_spec f = {
		.family = 4, .proto = IPPROTO_UDP, .src4 = src, .dst4 = dst,
		.sport = sport, .dport = dport, .payload = 18,
	};
	return f;
}

/* The key of UDP to local:port from any peer (local in host order): what
 * frame_udp4(peer, sport, local, port) matches. */
static inline struct pk_flow_key
frame_key_udp4(uint32_t local, uint16_t port)
{
	struct pk_flow_key key;

	pk_flow_key_ipv4(&key, IPPROTO_UDP, rte_cpu_to_be_32(local),
			 rte_cpu_to_be_16(port), 0, 0);
	return key;
}

#endif /* PK_DEMUX_FRAMES_H */
