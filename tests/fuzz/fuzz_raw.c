/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the checks of a safe raw send (pk_raw_check() in
 * lib/raw.c, lib/raw_icmp.c): random datagrams must never make it read
 * outside the data, and nothing it lets through may leave with a foreign
 * source address or port.
 *
 * Input: byte 0 picks the socket (bit 0: IPv4 or IPv6, bit 1: UDP or TCP)
 * and the number of segments (bits 2-3: 1 to 4); bytes 1-2 are the bound
 * port (network order; 0 is a bad policy); bytes 3-4 the lengths of the
 * first two segments when there are more; the rest is the datagram, IP
 * header first. Each segment's data lives in a heap buffer of exactly its
 * length, attached as an external buffer, so AddressSanitizer reports a
 * read or write past the data.
 *
 * Checked on every datagram let through, by a parse of its own: the IP
 * version and length are the socket's and the buffer's; the source is the
 * node's address; TTL is not 0; the IPv4 header checksum and the transport
 * checksum are right; l3_len/l4_len/packet_type describe it; UDP/TCP: the
 * bound protocol from the bound port (UDP length = IP payload); else ICMP
 * of the family: an echo whose identifier is the bound port, or an error
 * quoting a packet of the bound protocol to the node's address and bound
 * port from the error's destination. A refused datagram is left byte for
 * byte, with -errno matching its verdict. No mbuf or buffer leaks.
 *
 *   ./fuzz_raw -max_total_time=600 <new corpus dir> tests/fuzz/corpus_raw
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_mbuf.h>

#include <pathkit/pk_raw.h>

#include "fuzz_common.h"

#define HDR 5 /* selector bytes before the datagram */
#define MAX_SEGS 4
#define MAX_LEN 65575 /* 40 + 65535 */

static const uint8_t self4[4] = { 10, 0, 0, 1 };
static const uint8_t self6[16] = { 0xfd, [15] = 1 };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_eal_init("fuzz_raw");
	return 0;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static void
must(bool ok)
{
	if (!ok)
		abort();
}

/* IPv6 headers up to the transport one, as the policy allows them. */
static size_t
walk6(const uint8_t *b, size_t len, uint8_t *nh)
{
	size_t o = 40;

	*nh = b[6];
	while (*nh == IPPROTO_HOPOPTS || *nh == IPPROTO_DSTOPTS) {
		must(o + 8 <= len);
		*nh = b[o];
		o += ((size_t)b[o + 1] + 1) * 8;
	}
	return o;
}

/* The packet an error quotes, at q (qn bytes): one of ours, to us. */
static void
check_quote(const uint8_t *b, size_t q, size_t qn, bool v4,
	    const struct pk_raw_policy *p)
{
	size_t alen = v4 ? 4 : 16, dst = v4 ? 16 : 24, hl;
	uint8_t nh;

	must(qn >= (v4 ? 20u : 40u) && b[q] >> 4 == (v4 ? 4 : 6));
	if (v4) {
		hl = (size_t)(b[q] & 0xf) * 4;
		nh = b[q + 9];
		must(hl >= 20);
		must((get16(b + q + 6) & 0x1fff) == 0);
	} else {
		hl = 40;
		nh = b[q + 6];
		while (nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS ||
		       nh == IPPROTO_FRAGMENT) {
			must(hl + 8 <= qn);
			bool frag = nh == IPPROTO_FRAGMENT;

			/* a later fragment has no ports to quote */
			must(!frag || (get16(b + q + hl + 2) & 0xfff8) == 0);
			nh = b[q + hl];
			hl += frag ? 8 : ((size_t)b[q + hl + 1] + 1) * 8;
		}
	}
	must(nh == p->proto && hl + 8 <= qn);
	must(memcmp(b + q + dst, v4 ? self4 : self6, alen) == 0);
	must(get16(b + q + hl + 2) == p->port);
	must(memcmp(b + q + dst - alen, b + dst, alen) == 0);
}

static void
check_accepted(const struct rte_mbuf *m, const uint8_t *b, size_t len,
	       const struct pk_raw_policy *p)
{
	bool v4 = p->family == AF_INET;
	size_t l3, l4len;
	uint32_t s = 0;
	uint8_t proto, t;

	must(len >= (v4 ? 20u : 40u) && b[0] >> 4 == (v4 ? 4 : 6));
	if (v4) {
		l3 = (size_t)(b[0] & 0xf) * 4;
		proto = b[9];
		must(get16(b + 2) == len && l3 >= 20 && b[8] != 0);
		must(memcmp(b + 12, self4, 4) == 0);
		must(sum16(b, l3, 0) == 0xffff);
		must((get16(b + 6) & 0x3fff) == 0); /* no MF, no offset */
	} else {
		must(get16(b + 4) + 40u == len && b[7] != 0);
		must(memcmp(b + 8, self6, 16) == 0);
		l3 = walk6(b, len, &proto);
	}
	must(m->l2_len == 0 && m->l3_len == l3 && l3 <= len);
	l4len = len - l3;
	if (proto != IPPROTO_ICMP) /* pseudo-header */
		s = sum16(b + (v4 ? 12 : 8), v4 ? 8 : 32, proto + l4len);
	must(sum16(b + l3, l4len, s) == 0xffff);
	if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		must(proto == p->proto && l4len >= 8u);
		must(get16(b + l3) == p->port);
		if (proto == IPPROTO_UDP)
			must(get16(b + l3 + 4) == l4len && m->l4_len == 8 &&
			     get16(b + l3 + 6) != 0);
		else
			must(m->l4_len == (b[l3 + 12] >> 4) * 4u &&
			     m->l4_len <= l4len);
		must((m->packet_type & RTE_PTYPE_L4_MASK) ==
		     (proto == IPPROTO_UDP ? RTE_PTYPE_L4_UDP :
					     RTE_PTYPE_L4_TCP));
		return;
	}
	must(proto == (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) && l4len >= 8);
	must((m->packet_type & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_ICMP);
	t = b[l3];
	if (v4 ? t == 8 || t == 0 : t == 128 || t == 129) {
		must(get16(b + l3 + 4) == p->port);
		return;
	}
	must(v4 ? t == 3 || t == 11 || t == 12 : t >= 1 && t <= 4);
	check_quote(b, l3 + 8, l4len - 8, v4, p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t got[MAX_LEN];
	struct pk_raw_policy p = { .proto = IPPROTO_UDP };
	size_t len = size - HDR, at = 0, k;
	enum pk_raw_verdict why = PK_RAW_VERDICT_MAX;
	const uint8_t *dg = data + HDR, *g;
	struct rte_mbuf *m = NULL, *s;
	unsigned int nsegs, i;
	int rc;

	if (size < HDR || len > MAX_LEN)
		return 0;
	p.family = data[0] & 1 ? AF_INET6 : AF_INET;
	p.proto = data[0] & 2 ? IPPROTO_TCP : IPPROTO_UDP;
	p.port = get16(data + 1);
	memcpy(&p.addr4, self4, 4);
	memcpy(&p.addr6, self6, 16);
	nsegs = 1 + ((data[0] >> 2) & 3);
	for (i = 0; i < nsegs; i++, at += k) {
		k = i + 1 == nsegs ? len - at : RTE_MIN((size_t)data[3 + i % 2],
							len - at);
		s = fuzz_seg(dg + at, k);
		if (m == NULL)
			m = s;
		else if (rte_pktmbuf_chain(m, s) != 0)
			abort();
	}
	rc = pk_raw_check(m, &p, &why);
	must(why < PK_RAW_VERDICT_MAX && rc == -pk_raw_verdict_errno(why));
	must(m->pkt_len == len && m->nb_segs == nsegs);
	g = rte_pktmbuf_read(m, 0, (uint32_t)len, got);
	must(g != NULL || len == 0);
	if (rc == 0)
		check_accepted(m, g, len, &p);
	else
		must(len == 0 || memcmp(g, dg, len) == 0);
	rte_pktmbuf_free(m);
	must(fuzz_pool_full());
	return 0;
}
