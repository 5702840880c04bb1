/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Safe raw sends (pk_raw.h): the ICMP and ICMPv6 messages a raw socket bound
 * to a port may send. An echo belongs to the port whose number is its
 * identifier. An error belongs to the port when it concerns a packet this
 * node received on it: the quoted packet is of the bound protocol, went to
 * the node's address and the bound port, and came from the host the error
 * now goes to. So an owner can report on its own flows only, to their peers
 * only, never on another owner's port or about traffic to a third party.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include <rte_ip.h>

#include <pathkit/pk_flow.h>

#include "raw_pvt.h"

#define RAW_IP4_OFFSET 0x1fff    /* IPv4 fragment offset, host order */
#define RAW_FRAG6_OFFSET 0xfff8  /* IPv6 fragment header offset field */

/* Walk the quoted IPv6 headers the node would have walked to the ports. */
static enum pk_raw_verdict
raw_quote6(struct raw_view *v, uint32_t q, uint32_t qn, uint32_t *hl,
	   uint8_t *nh, bool *later)
{
	uint32_t o = sizeof(struct rte_ipv6_hdr), i;
	uint8_t t = v->h[q + 6];

	for (i = 0; t == IPPROTO_HOPOPTS || t == IPPROTO_DSTOPTS ||
		    t == IPPROTO_FRAGMENT;
	     i++) {
		if (i == PK_FLOW_IPV6_EXT_MAX || o + 8 > qn ||
		    !raw_need(v, q + o + 8))
			return PK_RAW_QUOTE_MALFORMED;
		if (t == IPPROTO_FRAGMENT) {
			if (raw_get16(v, q + o + 2) & RAW_FRAG6_OFFSET)
				*later = true;
			t = v->h[q + o];
			o += 8;
		} else {
			t = v->h[q + o];
			o += ((uint32_t)v->h[q + o + 1] + 1) * 8;
		}
		if (o > PK_RAW_L3_MAX)
			return PK_RAW_QUOTE_MALFORMED;
	}
	*hl = o;
	*nh = t;
	return PK_RAW_OK;
}

/* The error's quoted packet, from byte q = l3 + 8 to the end. */
static enum pk_raw_verdict
raw_quote(struct raw_view *v, const struct pk_raw_policy *p)
{
	uint32_t q = v->l3 + 8, qn = v->l4len - 8, hl, dst, alen;
	const void *self;
	bool later = false;
	enum pk_raw_verdict r;
	uint8_t nh;

	if (v->v4) {
		if (qn < sizeof(struct rte_ipv4_hdr) ||
		    !raw_need(v, q + sizeof(struct rte_ipv4_hdr)) ||
		    (v->h[q] >> 4) != 4)
			return PK_RAW_QUOTE_MALFORMED;
		hl = (uint32_t)(v->h[q] & RTE_IPV4_HDR_IHL_MASK) * 4;
		if (hl < sizeof(struct rte_ipv4_hdr) || hl > qn)
			return PK_RAW_QUOTE_MALFORMED;
		nh = v->h[q + 9];
		later = (raw_get16(v, q + 6) & RAW_IP4_OFFSET) != 0;
		dst = 16; /* addresses: source at 12, destination at 16 */
		alen = 4;
		self = &p->addr4;
	} else {
		if (qn < sizeof(struct rte_ipv6_hdr) ||
		    !raw_need(v, q + sizeof(struct rte_ipv6_hdr)) ||
		    (v->h[q] >> 4) != 6)
			return PK_RAW_QUOTE_MALFORMED;
		r = raw_quote6(v, q, qn, &hl, &nh, &later);
		if (r != PK_RAW_OK)
			return r;
		dst = 24; /* source at 8, destination at 24 */
		alen = 16;
		self = &p->addr6;
	}
	if (nh != p->proto)
		return PK_RAW_QUOTE_PROTO;
	if (memcmp(v->h + q + dst, self, alen) != 0)
		return PK_RAW_QUOTE_ADDR;
	if (later)
		return PK_RAW_QUOTE_PORT; /* no ports in it */
	/* UDP and TCP both have the ports first: 8 bytes are enough */
	if (hl + 8 > qn || !raw_need(v, q + hl + 8))
		return PK_RAW_QUOTE_MALFORMED;
	if (raw_get16(v, q + hl + 2) != p->port)
		return PK_RAW_QUOTE_PORT;
	/* the quoted source is the error's destination */
	if (memcmp(v->h + q + dst - alen, v->h + dst, alen) != 0)
		return PK_RAW_QUOTE_PEER;
	return PK_RAW_OK;
}

enum pk_raw_verdict
raw_icmp_check(struct raw_view *v, const struct pk_raw_policy *p)
{
	uint8_t t = v->h[v->l3];
	bool echo, error;

	if (v->v4) {
		echo = t == ICMP_ECHO || t == ICMP_ECHOREPLY;
		error = t == ICMP_DEST_UNREACH || t == ICMP_TIME_EXCEEDED ||
			t == ICMP_PARAMETERPROB;
	} else {
		echo = t == ICMP6_ECHO_REQUEST || t == ICMP6_ECHO_REPLY;
		error = t == ICMP6_DST_UNREACH || t == ICMP6_PACKET_TOO_BIG ||
			t == ICMP6_TIME_EXCEEDED || t == ICMP6_PARAM_PROB;
	}
	if (echo) /* identifier at 4, after type, code and checksum */
		return raw_get16(v, v->l3 + 4) == p->port ? PK_RAW_OK :
							    PK_RAW_ICMP_ID;
	return error ? raw_quote(v, p) : PK_RAW_ICMP_TYPE;
}
