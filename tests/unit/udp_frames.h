/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_UDP_FRAMES_H
#define PK_UDP_FRAMES_H

/*
 * For the UDP tests: frames from demux_frames.h with their UDP checksum
 * filled in, and checksums computed here, in plain one's-complement
 * arithmetic on big-endian words, apart from DPDK's helpers that lib/udp.c
 * uses, so that each checks the other; then a proc_udp stage pushing into
 * a queue, and checks of what comes out of it. Header-only, static.
 */

#include <stdint.h>
#include <string.h>

#include "demux_frames.h"

/* Where the headers of a frame built by frame_write() are. */
struct uf_off {
	size_t l3, l4; /* IP and UDP header offsets */
	int family;    /* 4 or 6 */
};

static inline uint32_t
uf_sum(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t
uf_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint16_t
uf_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Walk the link layer and the IP header (extension headers of 8 bytes). */
static inline struct uf_off
uf_offsets(const uint8_t *b)
{
	struct uf_off o = { .l3 = 12 };
	uint8_t nh;

	while (uf_get16(b + o.l3) == RTE_ETHER_TYPE_VLAN ||
	       uf_get16(b + o.l3) == RTE_ETHER_TYPE_QINQ)
		o.l3 += 4;
	o.family = uf_get16(b + o.l3) == RTE_ETHER_TYPE_IPV4 ? 4 : 6;
	o.l3 += 2;
	if (o.family == 4) {
		o.l4 = o.l3 + (b[o.l3] & 0xf) * 4u;
		return o;
	}
	o.l4 = o.l3 + 40;
	for (nh = b[o.l3 + 6]; nh != IPPROTO_UDP && nh != IPPROTO_TCP &&
			       nh != IPPROTO_AH && o.l4 < FRAME_MAX - 8;
	     o.l4 += 8)
		nh = b[o.l4];
	return o;
}

/* The pseudo-header sum (not complemented) for a UDP length. */
static inline uint16_t
uf_phdr(const uint8_t *b, const struct uf_off *o, uint16_t ulen)
{
	uint32_t s = IPPROTO_UDP + ulen;

	if (o->family == 4)
		return uf_fold(uf_sum(b + o->l3 + 12, 8, s));
	return uf_fold(uf_sum(b + o->l3 + 8, 32, s));
}

/* The UDP checksum the header at o->l4 should carry (its length field's). */
static inline uint16_t
uf_udp_csum(const uint8_t *b, const struct uf_off *o)
{
	uint16_t ulen = uf_get16(b + o->l4 + 4);
	uint32_t s = uf_phdr(b, o, ulen);
	uint16_t c;

	s = uf_sum(b + o->l4, 6, s); /* ports and length, not the checksum */
	s = uf_sum(b + o->l4 + 8, ulen - 8u, s);
	c = (uint16_t)~uf_fold(s);
	return c == 0 ? 0xffff : c;
}

static inline void
uf_set_ip_csum(uint8_t *b, const struct uf_off *o)
{
	if (o->family != 4)
		return;
	frame_put16(b + o->l3 + 10, 0);
	frame_put16(b + o->l3 + 10,
		    (uint16_t)~uf_fold(uf_sum(b + o->l3, o->l4 - o->l3, 0)));
}

static inline void
uf_set_udp_csum(uint8_t *b, const struct uf_off *o)
{
	frame_put16(b + o->l4 + 6, uf_udp_csum(b, o));
}

/* frame_write(), a payload that differs byte by byte and a right UDP
 * checksum (UDP frames only); returns the length. */
static inline size_t
uf_write(uint8_t *b, const struct frame_spec *f)
{
	size_t len = frame_write(b, f), i;
	struct uf_off o = uf_offsets(b);

	if (f->proto != IPPROTO_UDP || f->no_l4)
		return len;
	for (i = 0; i < f->payload; i++)
		b[o.l4 + 8 + i] = (uint8_t)(i * 7 + 1);
	uf_set_udp_csum(b, &o);
	return len;
}

/*
 * The proc_udp rig and its checks, with cmocka asserts: include after
 * <cmocka.h>, <pathkit/pathkit.h>, "pk_test.h" and "pk_test_exact.h".
 */

#define A_LOCAL 0x0a000002u  /* 10.0.0.2 */
#define A_REMOTE 0x64400107u /* 100.64.1.7 */

static struct rte_mempool *pool; /* the test sets it up in main() */
static const uint8_t v6_local[16] __rte_unused = { 0x20, 0x01, 0x0d, 0xb8,
						   [15] = 2 };
static const uint8_t v6_remote[16] __rte_unused = { 0x20, 0x01, 0x0d, 0xb8,
						    [15] = 7 };
static const uint8_t ext3[] __rte_unused = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
					     IPPROTO_DSTOPTS };
static const uint8_t ext9[9] __rte_unused = {
	IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS,
	IPPROTO_DSTOPTS, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS,
	IPPROTO_DSTOPTS,
};

/* proc_udp pushing into a queue we pull the survivors from. */
struct rig {
	struct pk_stage *u, *q;
};

static inline struct rig
rig_open(const char *args)
{
	struct rig r;

	r.u = pk_stage_create("proc_udp", "udp", args, SOCKET_ID_ANY);
	r.q = pk_queue_ring_create("udp_sink", 256, 0, 0, SOCKET_ID_ANY);
	assert_non_null(r.u);
	assert_non_null(r.q);
	assert_int_equal(pk_stage_link(r.u, r.q), 0);
	return r;
}

static inline void
rig_close(struct rig *r)
{
	pk_stage_unlink(r->u);
	pk_stage_destroy(r->u);
	pk_stage_destroy(r->q);
}

/* Push m[0..n) through; the survivors in out, their number returned. */
static inline uint16_t
rig_run(struct rig *r, struct rte_mbuf **m, uint16_t n, struct rte_mbuf **out)
{
	assert_int_equal(pk_stage_push(r->u, m, n), n);
	return pk_stage_pull(r->q, out, 256);
}

static inline void
expect_drops(const struct rig *r, uint64_t malformed, uint64_t fragment)
{
	struct pk_stage_stats st;
	uint64_t other = 0;
	int i;

	assert_int_equal(pk_stage_stats_get(r->u, &st), 0);
	for (i = 0; i < PK_DROP_MAX; i++)
		if (i != PK_DROP_MALFORMED && i != PK_DROP_FRAGMENT)
			other += st.drops[i] + st.refused[i];
	assert_int_equal(st.drops[PK_DROP_MALFORMED], malformed);
	assert_int_equal(st.drops[PK_DROP_FRAGMENT], fragment);
	assert_int_equal(other, 0);
	assert_int_equal(st.in_pkts, st.out_pkts + malformed + fragment);
}

static inline struct frame_spec
spec4(int vlans)
{
	struct frame_spec f = frame_udp4(A_REMOTE, 5000, A_LOCAL, 53);

	f.vlans = vlans;
	f.payload = 100;
	return f;
}

static inline struct frame_spec
spec6(int vlans, const uint8_t *ext, unsigned int ext_n)
{
	struct frame_spec f = { .family = 6, .proto = IPPROTO_UDP,
				.sport = 4000, .dport = 443, .payload = 100,
				.vlans = vlans, .ext = ext, .ext_n = ext_n };

	memcpy(f.src6, v6_remote, 16);
	memcpy(f.dst6, v6_local, 16);
	return f;
}

static inline void
expect_peer(const struct rte_mbuf *m, const struct frame_spec *f)
{
	struct sockaddr_storage r, l;
	const struct sockaddr_in *r4 = (const void *)&r, *l4 = (const void *)&l;
	const struct sockaddr_in6 *r6 = (const void *)&r,
				  *l6 = (const void *)&l;

	assert_int_equal(pk_udp_peer(m, &r, &l), 0);
	if (f->family == 4) {
		assert_int_equal(r4->sin_family, AF_INET);
		assert_int_equal(l4->sin_family, AF_INET);
		assert_int_equal(r4->sin_addr.s_addr, htonl(f->src4));
		assert_int_equal(l4->sin_addr.s_addr, htonl(f->dst4));
		assert_int_equal(r4->sin_port, htons(f->sport));
		assert_int_equal(l4->sin_port, htons(f->dport));
		return;
	}
	assert_int_equal(r6->sin6_family, AF_INET6);
	assert_int_equal(l6->sin6_family, AF_INET6);
	assert_memory_equal(&r6->sin6_addr, f->src6, 16);
	assert_memory_equal(&l6->sin6_addr, f->dst6, 16);
	assert_int_equal(r6->sin6_port, htons(f->sport));
	assert_int_equal(l6->sin6_port, htons(f->dport));
}

/* m is b's datagram, stripped: payload, lengths, addresses. */
static inline void
expect_stripped(const struct rte_mbuf *m, const uint8_t *b,
		const struct frame_spec *f)
{
	struct uf_off o = uf_offsets(b);
	uint16_t plen = uf_get16(b + o.l4 + 4) - 8;
	uint8_t buf[FRAME_MAX];

	assert_int_equal(m->pkt_len, plen);
	assert_int_equal(pk_udp_copyout(m, buf, sizeof(buf)), plen);
	assert_memory_equal(buf, b + o.l4 + 8, plen);
	assert_int_equal(m->l2_len, o.l3);
	assert_int_equal(m->l3_len, o.l4 - o.l3);
	assert_int_equal(m->l4_len, 8);
	expect_peer(m, f);
}

/*
 * Push len bytes of b in the first nforms forms; expect it kept (good: its
 * spec) or dropped as why.
 */
static inline void
run_forms_n(struct rig *r, const uint8_t *b, size_t len, uint64_t ol,
	    const struct frame_spec *good, enum pk_drop_reason why, int nforms)
{
	struct rte_mbuf *m, *out[256];
	struct pk_stage_stats st0, st1;
	int form;

	for (form = 0; form < nforms; form++) {
		m = pk_test_form_mbuf(pool, form, b, len);
		assert_non_null(m);
		m->ol_flags |= ol;
		pk_stage_stats_get(r->u, &st0);
		if (rig_run(r, &m, 1, out) == 1) {
			if (good == NULL)
				fail_msg("form %s: kept",
					 pk_test_form_names[form]);
			expect_stripped(out[0], b, good);
			rte_pktmbuf_free(out[0]);
			continue;
		}
		if (good != NULL)
			fail_msg("form %s: dropped", pk_test_form_names[form]);
		pk_stage_stats_get(r->u, &st1);
		assert_int_equal(st1.drops[why] - st0.drops[why], 1);
	}
}

static inline void
run_forms(struct rig *r, const uint8_t *b, size_t len, uint64_t ol,
	  const struct frame_spec *good, enum pk_drop_reason why)
{
	run_forms_n(r, b, len, ol, good, why, PK_TEST_FORM_MAX);
}

#endif /* PK_UDP_FRAMES_H */
