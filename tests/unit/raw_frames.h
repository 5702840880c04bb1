/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_RAW_FRAMES_H
#define PK_RAW_FRAMES_H

/*
 * For the raw send tests: datagrams (IP header first) built from a short
 * spec, held whole or cut into exact-length segments anywhere, and a check
 * of what pk_raw_check() let through done apart from lib/raw*.c: plain
 * one's-complement sums on big-endian words, the headers found from the
 * spec, not from the datagram. Header-only, static; include after cmocka.h,
 * pk_test.h and pk_test_exact.h.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_mbuf.h>

#include <pathkit/pk_raw.h>

#define RF_MAX 1600
#define RF_PORT 5353       /* the bound port */
#define RF_PEER_PORT 40000 /* the other end's */

static const uint8_t rf_self4[4] = { 10, 0, 0, 1 };   /* the node */
static const uint8_t rf_peer4[4] = { 192, 0, 2, 7 };  /* the other end */
static const uint8_t rf_forge4[4] = { 6, 6, 6, 6 };   /* what callers lie */
static const uint8_t rf_self6[16] = { 0xfd, [15] = 1 };
static const uint8_t rf_peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
static const uint8_t rf_forge6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 6 };

/* One byte written last, at off; {0, 0} ends the list. */
struct rf_patch {
	uint16_t off;
	uint8_t val;
};

/*
 * A datagram. Outbound (what a caller sends): from rf_forge to rf_peer,
 * sport -> dport. Inbound (a quoted packet): from rf_peer to rf_self,
 * RF_PEER_PORT -> RF_PORT unless sport/dport say otherwise.
 */
struct rf_spec {
	int fam;          /* 4 or 6 */
	uint8_t proto;    /* transport: UDP, TCP, ICMP, ICMPV6 or any */
	uint8_t type;     /* ICMP type (0: echo reply) */
	uint16_t sport;   /* UDP/TCP source, echo identifier; 0: default */
	uint16_t dport;   /* 0: default */
	bool ttl0;        /* TTL / hop limit 0, else 33 */
	uint8_t nh;       /* IPv6 with ext: the IP header's next header */
	const uint8_t *ext; /* IPv4 options or IPv6 extension headers */
	uint8_t elen;
	uint8_t tcp_opts; /* TCP option bytes (NOPs), a multiple of 4 */
	uint16_t payload; /* bytes after the transport header */
	const struct rf_spec *quote; /* ICMP error: the packet quoted */
	uint16_t qcut;    /* bytes of it quoted; 0: all */
	int16_t grow;     /* bytes added at the end (< 0: cut), lengths kept */
	struct rf_patch patch[3];
	uint8_t bound;    /* the socket's protocol; 0: UDP */
	int sock;         /* the socket's family (4, 6); 0: fam */
};

static inline void
rf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t
rf_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rf_sum(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t
rf_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline size_t rf_build(const struct rf_spec *s, bool in, uint8_t *b);

/* The transport header and payload at b; returns their length. */
static inline size_t
rf_l4(const struct rf_spec *s, bool in, uint8_t *b)
{
	uint16_t sp = s->sport ? s->sport : in ? RF_PEER_PORT : RF_PORT;
	uint16_t dp = s->dport ? s->dport : in ? RF_PORT : RF_PEER_PORT;
	uint8_t q[RF_MAX];
	size_t h = 0, qn, i;

	switch (s->proto) {
	case IPPROTO_UDP:
		h = 8;
		rf_put16(b + 4, (uint16_t)(h + s->payload));
		rf_put16(b + 6, 0xdead); /* wrong: the check writes it */
		break;
	case IPPROTO_TCP:
		h = 20 + s->tcp_opts;
		memset(b + 4, 0, h - 4);
		b[12] = (uint8_t)(h / 4 << 4);
		b[13] = 0x18; /* PSH ACK */
		rf_put16(b + 16, 0xdead);
		memset(b + 20, 1, s->tcp_opts);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		b[0] = s->type;
		b[1] = 0;
		rf_put16(b + 2, 0xdead);
		rf_put16(b + 6, 1); /* echo: sequence; error: unused */
		if (s->quote == NULL) {
			rf_put16(b + 4, sp);
			h = 8;
			break;
		}
		rf_put16(b + 4, 0);
		qn = rf_build(s->quote, true, q);
		qn = s->qcut != 0 && s->qcut < qn ? s->qcut : qn;
		memcpy(b + 8, q, qn);
		h = 8 + qn;
		break;
	}
	if (s->proto == IPPROTO_UDP || s->proto == IPPROTO_TCP) {
		rf_put16(b, sp);
		rf_put16(b + 2, dp);
	}
	for (i = 0; i < s->payload; i++)
		b[h + i] = (uint8_t)(i * 7 + 3);
	return h + s->payload;
}

/* The datagram s into b; returns its length. */
static inline size_t
rf_build(const struct rf_spec *s, bool in, uint8_t *b)
{
	const uint8_t *src, *dst;
	size_t l3, len, i;

	if (s->fam == 4) {
		l3 = 20 + s->elen;
		src = in ? rf_peer4 : rf_forge4;
		dst = in ? rf_self4 : rf_peer4;
		len = l3 + rf_l4(s, in, b + l3);
		b[0] = (uint8_t)(0x40 | l3 / 4);
		b[1] = 0;
		rf_put16(b + 2, (uint16_t)len);
		rf_put16(b + 4, 0x1234);
		rf_put16(b + 6, 0x4000); /* DF */
		b[8] = s->ttl0 ? 0 : 33;
		b[9] = s->proto;
		rf_put16(b + 10, 0xbeef); /* wrong: the check writes it */
		memcpy(b + 12, src, 4);
		memcpy(b + 16, dst, 4);
		if (s->elen != 0)
			memcpy(b + 20, s->ext, s->elen);
	} else {
		l3 = 40 + s->elen;
		src = in ? rf_peer6 : rf_forge6;
		dst = in ? rf_self6 : rf_peer6;
		len = l3 + rf_l4(s, in, b + l3);
		memset(b, 0, 8);
		b[0] = 0x60;
		rf_put16(b + 4, (uint16_t)(len - 40));
		b[6] = s->elen ? s->nh : s->proto;
		b[7] = s->ttl0 ? 0 : 33;
		memcpy(b + 8, src, 16);
		memcpy(b + 24, dst, 16);
		if (s->elen != 0)
			memcpy(b + 40, s->ext, s->elen);
	}
	for (i = 0; s->grow > 0 && i < (size_t)s->grow; i++)
		b[len + i] = 0xee;
	len = (size_t)((long)len + s->grow);
	for (i = 0; i < RTE_DIM(s->patch); i++)
		if (s->patch[i].off != 0 || s->patch[i].val != 0)
			b[s->patch[i].off] = s->patch[i].val;
	return len;
}

/* len bytes of b, in exact segments cut at cuts[0..n) (ascending). */
static inline struct rte_mbuf *
rf_chain(struct rte_mempool *mp, const uint8_t *b, size_t len,
	 const size_t *cuts, unsigned int n)
{
	struct rte_mbuf *head = NULL, *s;
	size_t at = 0, to;
	unsigned int i;

	for (i = 0; i <= n; i++, at = to) {
		to = i < n ? RTE_MIN(cuts[i], len) : len;
		s = pk_test_exact_mbuf(mp, b + at, to - at);
		assert_non_null(s);
		if (head == NULL)
			head = s;
		else
			assert_int_equal(rte_pktmbuf_chain(head, s), 0);
	}
	return head;
}

/* The policy of a socket bound to RF_PORT of proto, on the node. */
static inline struct pk_raw_policy
rf_policy(int fam, uint8_t proto)
{
	struct pk_raw_policy p = { .family = fam == 4 ? AF_INET : AF_INET6,
				   .proto = proto, .port = RF_PORT };

	memcpy(&p.addr4, rf_self4, 4);
	memcpy(&p.addr6, rf_self6, 16);
	return p;
}

/* The transport checksum of b's segment [l3, len), verified: 0xffff. */
static inline uint16_t
rf_l4_sum(const uint8_t *b, size_t len, size_t l3, int fam, uint8_t proto)
{
	uint32_t s = 0;

	if (proto != IPPROTO_ICMP) {
		s = fam == 4 ? rf_sum(b + 12, 8, 0) : rf_sum(b + 8, 32, 0);
		s += proto + (uint32_t)(len - l3);
	}
	return rf_fold(rf_sum(b + l3, len - l3, s));
}

/*
 * What pk_raw_check() let through, read back as b (len bytes), against the
 * datagram orig it was given: the node's source, the TTL, right checksums,
 * lengths, and every other byte as the caller wrote it.
 */
static inline void
rf_expect_rewritten(const uint8_t *b, const uint8_t *orig, size_t len,
		    const struct rf_spec *s)
{
	size_t l3 = (s->fam == 4 ? 20 : 40) + s->elen, i, k, at[5];
	uint8_t proto = s->proto;

	at[0] = s->fam == 4 ? 8 : 7; /* TTL, hop limit */
	at[1] = s->fam == 4 ? 10 : 7; /* IPv4 checksum */
	at[2] = at[1] + (s->fam == 4);
	at[3] = l3 + (proto == IPPROTO_UDP ? 6 : proto == IPPROTO_TCP ? 16 : 2);
	at[4] = at[3] + 1;
	if (s->fam == 4) {
		assert_memory_equal(b + 12, rf_self4, 4);
		assert_int_equal(rf_get16(b + 2), len);
		assert_int_equal(rf_fold(rf_sum(b, l3, 0)), 0xffff);
	} else {
		assert_memory_equal(b + 8, rf_self6, 16);
		assert_int_equal(rf_get16(b + 4) + 40, len);
	}
	assert_int_equal(b[at[0]], s->ttl0 ? PK_RAW_TTL_DEFAULT : 33);
	assert_int_equal(rf_l4_sum(b, len, l3, s->fam, proto), 0xffff);
	if (proto == IPPROTO_UDP)
		assert_int_not_equal(rf_get16(b + at[3]), 0);
	for (i = 0; i < len; i++) {
		bool may = s->fam == 4 ? i >= 12 && i < 16 : i >= 8 && i < 24;

		for (k = 0; k < RTE_DIM(at); k++)
			may |= i == at[k];
		if (!may && b[i] != orig[i])
			fail_msg("byte %zu changed: %#x was %#x", i, b[i],
				 orig[i]);
	}
}

/* pk_raw_check() on m: the verdict, then m rewritten or left as it was. */
static inline void
rf_run_one(struct rte_mbuf *m, const uint8_t *b, size_t len,
	   const struct rf_spec *s, const struct pk_raw_policy *p,
	   enum pk_raw_verdict want, const char *form)
{
	static uint8_t got[RF_MAX];
	enum pk_raw_verdict why = PK_RAW_VERDICT_MAX;
	uint16_t nseg = m->nb_segs;
	const uint8_t *g;
	int rc;

	m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_RX_L4_CKSUM_BAD;
	rc = pk_raw_check(m, p, &why);
	if (why != want || rc != -pk_raw_verdict_errno(want))
		fail_msg("%s: %s (%d), not %s", form, pk_raw_verdict_name(why),
			 rc, pk_raw_verdict_name(want));
	assert_int_equal(m->pkt_len, len);
	assert_int_equal(m->nb_segs, nseg);
	g = rte_pktmbuf_read(m, 0, (uint32_t)len, got);
	assert_true(len == 0 || g != NULL);
	if (want != PK_RAW_OK) {
		assert_memory_equal(g, b, len);
		assert_int_not_equal(m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM, 0);
		return;
	}
	rf_expect_rewritten(g, b, len, s);
	assert_int_equal(m->l2_len, 0);
	assert_int_equal(m->l3_len, (s->fam == 4 ? 20 : 40) + s->elen);
	assert_int_equal(m->l4_len, s->proto == IPPROTO_TCP ?
					    20 + s->tcp_opts : 8);
	assert_int_equal(m->packet_type & RTE_PTYPE_L4_MASK,
			 s->proto == IPPROTO_UDP   ? RTE_PTYPE_L4_UDP :
			 s->proto == IPPROTO_TCP ? RTE_PTYPE_L4_TCP :
						   RTE_PTYPE_L4_ICMP);
	assert_int_equal(m->ol_flags & (RTE_MBUF_F_TX_OFFLOAD_MASK |
					RTE_MBUF_F_RX_L4_CKSUM_MASK), 0);
}

/*
 * Build s and check it against the policy s asks for, held in every
 * form: a pool mbuf, one exact segment, two exact segments cut at every
 * offset (empty ones at both ends included), three cut at odd offsets. The
 * same verdict each time.
 */
static inline void
rf_run(struct rte_mempool *mp, const char *what, const struct rf_spec *s,
       enum pk_raw_verdict want)
{
	struct pk_raw_policy p = rf_policy(s->sock ? s->sock : s->fam,
					   s->bound ? s->bound : IPPROTO_UDP);
	uint8_t b[RF_MAX];
	size_t len = rf_build(s, false, b), cuts[2], c;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char form[128];

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), b, len);
	snprintf(form, sizeof(form), "%s, pool", what);
	rf_run_one(m, b, len, s, &p, want, form);
	rte_pktmbuf_free(m);
	m = rf_chain(mp, b, len, NULL, 0);
	snprintf(form, sizeof(form), "%s, exact", what);
	rf_run_one(m, b, len, s, &p, want, form);
	rte_pktmbuf_free(m);
	for (c = 0; c <= len; c++) {
		cuts[0] = c;
		m = rf_chain(mp, b, len, cuts, 1);
		snprintf(form, sizeof(form), "%s, cut at %zu of %zu", what,
			 c, len);
		rf_run_one(m, b, len, s, &p, want, form);
		rte_pktmbuf_free(m);
	}
	for (c = 1; c + 6 <= len; c += 4) {
		cuts[0] = c;
		cuts[1] = c + 5;
		m = rf_chain(mp, b, len, cuts, 2);
		snprintf(form, sizeof(form), "%s, cut at %zu, %zu of %zu",
			 what, c, c + 5, len);
		rf_run_one(m, b, len, s, &p, want, form);
		rte_pktmbuf_free(m);
	}
}

#endif /* PK_RAW_FRAMES_H */
