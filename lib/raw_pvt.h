/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RAW_PVT_H
#define RAW_PVT_H

/*
 * Raw send checks shared by raw.c (IP, UDP, TCP, rewrites) and raw_icmp.c
 * (ICMP echo and errors); not installed.
 *
 * The checks read the datagram through a view: a pointer to its first bytes,
 * contiguous. At first the view is the first segment; a check that needs
 * more calls raw_need(), which copies up to RAW_HDR_MAX bytes of a chain
 * into the view's buffer once. Every header a check reads lies within
 * RAW_HDR_MAX bytes of the start: IP headers <= PK_RAW_L3_MAX (511), the
 * ICMP header 8, the quoted IP headers <= PK_RAW_L3_MAX and 8 bytes of the
 * quoted transport header: 1038 in all.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include <pathkit/pk_raw.h>

/* Bytes of a datagram the checks may read: the IPv6 minimum MTU. */
#define RAW_HDR_MAX 1280

struct raw_view {
	struct rte_mbuf *m;
	const uint8_t *h; /* the datagram's first n bytes */
	uint32_t n;
	uint32_t len;   /* m->pkt_len */
	uint32_t l3;    /* IP header bytes, options and extensions included */
	uint32_t l4len; /* bytes after them: the transport segment */
	uint32_t l4hdr; /* its header bytes, for m->l4_len */
	uint8_t proto;  /* the transport protocol */
	bool v4;
	uint8_t buf[RAW_HDR_MAX]; /* h when the first segment is too short */
};

/*
 * Make bytes [0, end) of the datagram readable at v->h (end <= RAW_HDR_MAX).
 * Returns false when the datagram is shorter than end. v->h may move: keep
 * offsets, not pointers, across calls.
 */
static inline bool
raw_need(struct raw_view *v, uint32_t end)
{
	if (likely(end <= v->n))
		return true;
	if (end > v->len || end > RAW_HDR_MAX)
		return false;
	v->n = RTE_MIN(v->len, (uint32_t)RAW_HDR_MAX);
	/* cannot fail: the chain was checked against pkt_len */
	v->h = rte_pktmbuf_read(v->m, 0, v->n, v->buf);
	return true;
}

static inline uint16_t
raw_get16(const struct raw_view *v, uint32_t off)
{
	return (uint16_t)(v->h[off] << 8 | v->h[off + 1]);
}

/*
 * The checks of an ICMP (v->v4) or ICMPv6 message whose 8-byte header is
 * readable: echo identifier, or the quoted packet of an error (raw_icmp.c).
 */
enum pk_raw_verdict raw_icmp_check(struct raw_view *v,
				   const struct pk_raw_policy *p);

#endif /* RAW_PVT_H */
