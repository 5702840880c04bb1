/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pk-silk's raw services (--raw=OWNER:udp|tcp:PORT): safe raw sockets
 * (PK_SOCK_RAW, pk_sock_bind_raw()) of an owner on one port, IPv4 and, when
 * the node has an IPv6 address, IPv6, answered by an application thread as
 * an echo is (echo.c). Each socket gets the datagrams addressed to its port
 * whole, IP header first, and answers each with a datagram it crafts itself:
 * - udp: the same payload back to the sender, ports swapped;
 * - tcp: what a closed port answers (RFC 793, "If the state is CLOSED"): to
 *   a segment without ACK, RST|ACK with SEQ=0 and ACK=SEG.SEQ+SEG.LEN (SYN
 *   and FIN count one each); to one with ACK, RST with SEQ=SEG.ACK; to a
 *   RST, nothing. A connect to the port is refused at once.
 * The replies are deliberately wrong where the library must not trust the
 * caller: the IP source is 0.0.0.0 or ::, the TTL or hop limit 0, and every
 * checksum 0. pk_raw_check() (pk_raw.h) writes the node's address, a TTL and
 * the checksums, so what leaves is valid only because of it. The sender's
 * MAC is learnt by pk_sock_recvfrom(), so the reply needs no resolution.
 * Datagrams a reply cannot be made for (bad lengths, IPv6 extension
 * headers, a RST) are counted ignored; failed sends, errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "silk.h"

#define RAW_WAIT_US 100000
/* Largest IP datagram (IPv6: 40 + 65535), a whole one fits. */
#define RAW_BUF (40 + 65535)
/* Datagrams one socket answers before the others get a look. */
#define RAW_ROUND 32

/* The bound protocol's segment in a received datagram. */
struct rawsvc_seg {
	const uint8_t *l4; /* its first byte */
	uint32_t len;      /* to the IP length's end (no link padding) */
	const uint8_t *src; /* the sender's address, 4 or 16 bytes */
};

/* Find d's (n bytes, IP header first) segment of protocol proto: 0 or -1. */
static int
rawsvc_parse(const uint8_t *d, size_t n, int af, uint8_t proto,
	     struct rawsvc_seg *g)
{
	const struct rte_ipv4_hdr *h4 = (const void *)d;
	const struct rte_ipv6_hdr *h6 = (const void *)d;
	uint32_t hl, tot;

	if (af == AF_INET) {
		if (n < sizeof(*h4) || (d[0] >> 4) != 4)
			return -1;
		hl = (uint32_t)(d[0] & RTE_IPV4_HDR_IHL_MASK) *
		     RTE_IPV4_IHL_MULTIPLIER;
		tot = rte_be_to_cpu_16(h4->total_length);
		if (hl < sizeof(*h4) || tot < hl || tot > n ||
		    h4->next_proto_id != proto)
			return -1;
		g->src = (const uint8_t *)&h4->src_addr;
	} else {
		if (n < sizeof(*h6) || (d[0] >> 4) != 6)
			return -1;
		hl = sizeof(*h6);
		tot = hl + rte_be_to_cpu_16(h6->payload_len);
		/* extension headers are not walked: such a datagram is ignored */
		if (tot > n || h6->proto != proto)
			return -1;
		g->src = h6->src_addr;
	}
	g->l4 = d + hl;
	g->len = tot - hl;
	return 0;
}

/* An IP header of family af to dst, source unset, for l4len bytes of proto
 * at out: its length. */
static size_t
rawsvc_ip(uint8_t *out, int af, uint8_t proto, const uint8_t *dst,
	  uint32_t l4len)
{
	struct rte_ipv4_hdr *h4 = (void *)out;
	struct rte_ipv6_hdr *h6 = (void *)out;

	if (af == AF_INET) {
		memset(h4, 0, sizeof(*h4)); /* source 0.0.0.0, TTL 0, sum 0 */
		h4->version_ihl = RTE_IPV4_VHL_DEF;
		h4->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*h4) +
							       l4len));
		h4->next_proto_id = proto;
		memcpy(&h4->dst_addr, dst, 4);
		return sizeof(*h4);
	}
	memset(h6, 0, sizeof(*h6)); /* source ::, hop limit 0 */
	h6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	h6->payload_len = rte_cpu_to_be_16((uint16_t)l4len);
	h6->proto = proto;
	memcpy(h6->dst_addr, dst, 16);
	return sizeof(*h6);
}

/* The UDP reply to g at out: its length, or 0 (no reply). */
static size_t
rawsvc_udp(uint8_t *out, int af, const struct rawsvc_seg *g)
{
	const struct rte_udp_hdr *u = (const void *)g->l4;
	struct rte_udp_hdr *r;
	uint32_t ulen;
	size_t hl;

	if (g->len < sizeof(*u))
		return 0;
	ulen = rte_be_to_cpu_16(u->dgram_len);
	if (ulen < sizeof(*u) || ulen > g->len)
		return 0;
	hl = rawsvc_ip(out, af, IPPROTO_UDP, g->src, ulen);
	r = (struct rte_udp_hdr *)(out + hl);
	r->src_port = u->dst_port;
	r->dst_port = u->src_port;
	r->dgram_len = u->dgram_len;
	r->dgram_cksum = 0;
	memcpy(r + 1, u + 1, ulen - sizeof(*u));
	return hl + ulen;
}

/* The RST a closed port sends for segment g at out: its length, or 0. */
static size_t
rawsvc_tcp(uint8_t *out, int af, const struct rawsvc_seg *g)
{
	const struct rte_tcp_hdr *t = (const void *)g->l4;
	struct rte_tcp_hdr *r;
	uint32_t doff, seglen;
	size_t hl;

	if (g->len < sizeof(*t))
		return 0;
	doff = (uint32_t)(t->data_off >> 4) * 4;
	if (doff < sizeof(*t) || doff > g->len ||
	    (t->tcp_flags & RTE_TCP_RST_FLAG))
		return 0;
	hl = rawsvc_ip(out, af, IPPROTO_TCP, g->src, sizeof(*r));
	r = (struct rte_tcp_hdr *)(out + hl);
	memset(r, 0, sizeof(*r)); /* window 0, checksum 0 */
	r->src_port = t->dst_port;
	r->dst_port = t->src_port;
	r->data_off = (sizeof(*r) / 4) << 4;
	if (t->tcp_flags & RTE_TCP_ACK_FLAG) {
		r->sent_seq = t->recv_ack;
		r->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		seglen = g->len - doff +
			 !!(t->tcp_flags & RTE_TCP_SYN_FLAG) +
			 !!(t->tcp_flags & RTE_TCP_FIN_FLAG);
		r->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(t->sent_seq) +
					       seglen);
		r->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	return hl + sizeof(*r);
}

/* A raw thread's service and buffers: a received datagram, the reply. */
struct rawsvc_buf {
	struct raw_svc *r;
	uint8_t in[RAW_BUF];
	uint8_t out[RAW_BUF];
};

/* Answer what s (socket k) holds now, up to RAW_ROUND datagrams. */
static void
rawsvc_drain(void *arg, struct pk_sock *s, unsigned int k)
{
	struct rawsvc_buf *b = arg;
	struct raw_svc *r = b->r;
	int af = silk_socks_af(&r->socks, k);
	uint8_t *in = b->in, *out = b->out;
	struct sockaddr_storage from;
	struct rawsvc_seg g;
	unsigned int i;
	socklen_t alen;
	size_t len;
	ssize_t n;

	for (i = 0; i < RAW_ROUND; i++) {
		alen = sizeof(from); /* with the address: the MAC is learnt */
		n = pk_sock_recvfrom(s, in, RAW_BUF, PK_MSG_DONTWAIT,
				     (struct sockaddr *)&from, &alen);
		if (n < 0)
			return; /* -EAGAIN: nothing more */
		len = 0;
		if (rawsvc_parse(in, (size_t)n, af, r->proto, &g) == 0)
			len = r->proto == IPPROTO_UDP ? rawsvc_udp(out, af, &g) :
							rawsvc_tcp(out, af, &g);
		if (len == 0)
			r->ignored++;
		else if (pk_sock_send(s, out, len, 0) < 0)
			r->errors++;
		else
			r->answered++;
	}
}

static void *
rawsvc_main(void *arg)
{
	struct raw_svc *r = arg;
	struct pk_sock_pollfd fds[ECHO_FAMILIES];
	struct rawsvc_buf *b = malloc(sizeof(*b));
	unsigned int nfd;

	if (b == NULL || rte_thread_register() != 0) {
		fprintf(stderr, "pk-silk: --raw=%s:%s:%u: %s\n",
			r->owner_name, r->proto == IPPROTO_UDP ? "udp" : "tcp",
			r->port, b == NULL ? "no memory" :
			"cannot register with the EAL");
		r->errors++;
		free(b);
		return NULL;
	}
	b->r = r;
	nfd = silk_socks_pollfds(&r->socks, fds);
	while (!*r->quit)
		silk_socks_poll(fds, nfd, RAW_WAIT_US, rawsvc_drain, b);
	rte_thread_unregister();
	free(b);
	return NULL;
}

/* Socket s's refused sends, by verdict, into r's: read before it closes. */
static void
rawsvc_count(void *arg, struct pk_sock *s)
{
	struct raw_svc *r = arg;
	unsigned int v;

	for (v = 0; v < PK_RAW_VERDICT_MAX; v++)
		r->refused[v] += pk_sock_raw_refused(s, v);
}

int
rawsvc_open(struct raw_svc *r, struct pk_node *n, bool v6)
{
	const struct silk_sock_kind k = {
		.type = PK_SOCK_RAW, .proto = r->proto,
		.wait_us = RAW_WAIT_US, /* bounds a send's wait too */
	};
	unsigned int failed;

	return silk_socks_open(&r->socks, n, r->owner_name, r->port, &k, 1, v6,
			       &failed);
}

int
rawsvc_start(struct raw_svc *r)
{
	return silk_socks_start(&r->socks, rawsvc_main, r);
}

void
rawsvc_stop(struct raw_svc *r)
{
	silk_socks_stop(&r->socks, rawsvc_count, r);
}

void
rawsvc_print(FILE *f, const struct raw_svc *r)
{
	unsigned int v;

	fprintf(f, "raw %s:%s:%u: answered %" PRIu64 " ignored %" PRIu64
		" errors %" PRIu64, r->owner_name,
		r->proto == IPPROTO_UDP ? "udp" : "tcp", r->port, r->answered,
		r->ignored, r->errors);
	for (v = 0; v < PK_RAW_VERDICT_MAX; v++)
		if (r->refused[v] != 0)
			fprintf(f, " refused(%s) %" PRIu64,
				pk_raw_verdict_name(v), r->refused[v]);
	fprintf(f, "\n");
}
