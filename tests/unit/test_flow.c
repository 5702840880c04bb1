/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow key parsing: every header kind, key orientation, ICMP echo and
 * errors, fragments, VLAN/QinQ, packet types, chained mbufs, every prefix of
 * valid frames. Each frame is parsed from a pool mbuf and from exact-length
 * heap buffers (pk_test_exact.h), so ASan sees a read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_exact.h"
#include "demux_frames.h"

#define A_LOCAL RTE_IPV4(10, 0, 0, 2)
#define A_REMOTE RTE_IPV4(100, 64, 1, 7)
#define V6_LOCAL { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }
#define V6_REMOTE { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 7 }

static struct rte_mempool *pool;
static const uint8_t v6_local[16] = V6_LOCAL;
static const uint8_t v6_remote[16] = V6_REMOTE;

/* Parse spec's frame in every form, check the result, return the key. */
static struct pk_flow_key
parse_spec(const struct frame_spec *f, enum pk_flow_result want)
{
	uint8_t b[FRAME_MAX];
	struct pk_flow_key k;
	size_t len = frame_write(b, f);

	assert_int_equal(pk_test_flow_parse_forms(pool, b, len, 0, &k), want);
	return k;
}

static void
expect_v4(const struct pk_flow_key *k, uint8_t proto, uint32_t laddr,
	  uint16_t lport, uint32_t raddr, uint16_t rport)
{
	struct pk_flow_key want;

	pk_flow_key_ipv4(&want, proto, rte_cpu_to_be_32(laddr),
			 rte_cpu_to_be_16(lport), rte_cpu_to_be_32(raddr),
			 rte_cpu_to_be_16(rport));
	assert_memory_equal(k, &want, sizeof(want));
}

static void
expect_v6(const struct pk_flow_key *k, uint8_t proto, const uint8_t *laddr,
	  uint16_t lport, const uint8_t *raddr, uint16_t rport)
{
	struct pk_flow_key want;

	pk_flow_key_ipv6(&want, proto, laddr, rte_cpu_to_be_16(lport), raddr,
			 rte_cpu_to_be_16(rport));
	assert_memory_equal(k, &want, sizeof(want));
}

static struct frame_spec
spec6(uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct frame_spec f = { .family = 6, .proto = proto, .sport = sport,
				.dport = dport, .payload = 10 };

	memcpy(f.src6, v6_remote, 16);
	memcpy(f.dst6, v6_local, 16);
	return f;
}

static void
test_ipv4_udp_tcp_key_is_receivers_view(void **state)
{
	struct frame_spec f = frame_udp4(A_REMOTE, 5000, A_LOCAL, 53);
	struct pk_flow_key k;

	(void)state;
	assert_int_equal(sizeof(struct pk_flow_key), 40);
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v4(&k, IPPROTO_UDP, A_LOCAL, 53, A_REMOTE, 5000);
	f.proto = IPPROTO_TCP;
	f.ip_opts = 12; /* options move the transport header */
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v4(&k, IPPROTO_TCP, A_LOCAL, 53, A_REMOTE, 5000);
	f.proto = IPPROTO_GRE; /* no ports, still a key */
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v4(&k, IPPROTO_GRE, A_LOCAL, 0, A_REMOTE, 0);
}

static void
test_vlan_and_qinq(void **state)
{
	struct frame_spec f = frame_udp4(A_REMOTE, 1, A_LOCAL, 2);
	struct pk_flow_key k;
	int tags;

	(void)state;
	for (tags = 0; tags <= 2; tags++) {
		f.vlans = tags;
		k = parse_spec(&f, PK_FLOW_OK);
		expect_v4(&k, IPPROTO_UDP, A_LOCAL, 2, A_REMOTE, 1);
	}
	f = spec6(IPPROTO_TCP, 7, 8);
	f.vlans = 2;
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v6(&k, IPPROTO_TCP, v6_local, 8, v6_remote, 7);
}

static void
test_ipv6_extension_headers_skipped(void **state)
{
	static const uint8_t ext[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS,
				       IPPROTO_ROUTING, IPPROTO_DSTOPTS };
	struct frame_spec f = spec6(IPPROTO_UDP, 4000, 443);
	struct pk_flow_key k;

	(void)state;
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v6(&k, IPPROTO_UDP, v6_local, 443, v6_remote, 4000);
	f.ext = ext;
	f.ext_n = RTE_DIM(ext);
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v6(&k, IPPROTO_UDP, v6_local, 443, v6_remote, 4000);
	f.frag_hdr = true; /* an atomic fragment: offset 0, no MF */
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v6(&k, IPPROTO_UDP, v6_local, 443, v6_remote, 4000);
}

static void
test_ipv6_extension_chain_bounded(void **state)
{
	uint8_t ext[PK_FLOW_IPV6_EXT_MAX + 1];
	struct frame_spec f = spec6(IPPROTO_UDP, 1, 2);

	(void)state;
	memset(ext, IPPROTO_DSTOPTS, sizeof(ext));
	f.ext = ext;
	f.ext_n = PK_FLOW_IPV6_EXT_MAX;
	parse_spec(&f, PK_FLOW_OK);
	f.ext_n = PK_FLOW_IPV6_EXT_MAX + 1;
	parse_spec(&f, PK_FLOW_MALFORMED);
}

static void
test_fragments_first_has_ports(void **state)
{
	struct frame_spec f = frame_udp4(A_REMOTE, 5000, A_LOCAL, 53);
	struct pk_flow_key k;

	(void)state;
	f.mf = true;
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v4(&k, IPPROTO_UDP, A_LOCAL, 53, A_REMOTE, 5000);
	f.frag_off = 3;
	k = parse_spec(&f, PK_FLOW_FRAGMENT);
	expect_v4(&k, IPPROTO_UDP, A_LOCAL, 0, A_REMOTE, 0);
	f.mf = false; /* the last fragment */
	parse_spec(&f, PK_FLOW_FRAGMENT);

	f = spec6(IPPROTO_TCP, 9, 10);
	f.frag_hdr = true;
	f.mf = true;
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v6(&k, IPPROTO_TCP, v6_local, 10, v6_remote, 9);
	f.frag_off = 100;
	k = parse_spec(&f, PK_FLOW_FRAGMENT);
	expect_v6(&k, IPPROTO_TCP, v6_local, 0, v6_remote, 0);
}

static void
test_icmp_echo_identifier(void **state)
{
	struct frame_spec f = { .family = 4, .proto = IPPROTO_ICMP,
				.src4 = A_REMOTE, .dst4 = A_LOCAL,
				.icmp_id = 0x1234, .payload = 56 };
	struct pk_flow_key k;

	(void)state;
	f.icmp_type = 0; /* a reply to our request: the id is ours */
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v4(&k, IPPROTO_ICMP, A_LOCAL, 0x1234, A_REMOTE, 0);
	f.icmp_type = 8; /* their request: the id is theirs */
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v4(&k, IPPROTO_ICMP, A_LOCAL, 0, A_REMOTE, 0x1234);
	f.icmp_type = 13; /* timestamp: no port */
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v4(&k, IPPROTO_ICMP, A_LOCAL, 0, A_REMOTE, 0);

	f = spec6(IPPROTO_ICMPV6, 0, 0);
	f.icmp_id = 77;
	f.icmp_type = 129;
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v6(&k, IPPROTO_ICMPV6, v6_local, 77, v6_remote, 0);
	f.icmp_type = 128;
	k = parse_spec(&f, PK_FLOW_OK);
	expect_v6(&k, IPPROTO_ICMPV6, v6_local, 0, v6_remote, 77);
}

/* The key of an ICMP error quoting that flow: marked PK_FLOW_F_ICMP_ERR. */
static void
expect_err_v4(const struct pk_flow_key *k, uint8_t proto, uint32_t laddr,
	      uint16_t lport, uint32_t raddr, uint16_t rport)
{
	struct pk_flow_key want = *k;

	assert_int_equal(want.pad, PK_FLOW_F_ICMP_ERR);
	want.pad = 0;
	expect_v4(&want, proto, laddr, lport, raddr, rport);
}

static void
expect_err_v6(const struct pk_flow_key *k, uint8_t proto, const uint8_t *laddr,
	      uint16_t lport, const uint8_t *raddr, uint16_t rport)
{
	struct pk_flow_key want = *k;

	assert_int_equal(want.pad, PK_FLOW_F_ICMP_ERR);
	want.pad = 0;
	expect_v6(&want, proto, laddr, lport, raddr, rport);
}

static void
test_icmp_errors_quote_the_sender(void **state)
{
	/* we sent UDP 10.0.0.2:4444 -> 8.8.8.8:53; a router says no */
	struct frame_spec inner = frame_udp4(A_LOCAL, 4444,
					     RTE_IPV4(8, 8, 8, 8), 53);
	struct frame_spec f = { .family = 4, .proto = IPPROTO_ICMP,
				.src4 = RTE_IPV4(100, 70, 0, 1),
				.dst4 = A_LOCAL, .inner = &inner };
	struct frame_spec inner6, f6;
	static const uint8_t types4[] = { 3, 4, 5, 11, 12 };
	static const uint8_t types6[] = { 1, 2, 3, 4 };
	struct pk_flow_key k;
	unsigned int i;

	(void)state;
	inner.payload = 0;
	for (i = 0; i < RTE_DIM(types4); i++) {
		f.icmp_type = types4[i];
		k = parse_spec(&f, PK_FLOW_OK);
		expect_err_v4(&k, IPPROTO_UDP, A_LOCAL, 4444,
			  RTE_IPV4(8, 8, 8, 8), 53);
	}
	/* a quoted TCP header is only 8 bytes long */
	inner.proto = IPPROTO_TCP;
	f.icmp_type = 11;
	k = parse_spec(&f, PK_FLOW_OK);
	assert_int_equal(k.proto, IPPROTO_TCP);
	assert_int_equal(k.pad, PK_FLOW_F_ICMP_ERR);
	assert_int_equal(rte_be_to_cpu_16(k.lport), 4444);
	/* a quoted echo request of ours: its id is our port */
	inner.proto = IPPROTO_ICMP;
	inner.icmp_type = 8;
	inner.icmp_id = 99;
	k = parse_spec(&f, PK_FLOW_OK);
	expect_err_v4(&k, IPPROTO_ICMP, A_LOCAL, 99, RTE_IPV4(8, 8, 8, 8), 0);

	inner6 = spec6(IPPROTO_UDP, 0, 0);
	memcpy(inner6.src6, v6_local, 16); /* ours, going out */
	memcpy(inner6.dst6, v6_remote, 16);
	inner6.sport = 1111;
	inner6.dport = 2222;
	inner6.payload = 0;
	f6 = spec6(IPPROTO_ICMPV6, 0, 0);
	f6.inner = &inner6;
	f6.payload = 0;
	for (i = 0; i < RTE_DIM(types6); i++) {
		f6.icmp_type = types6[i];
		k = parse_spec(&f6, PK_FLOW_OK);
		expect_err_v6(&k, IPPROTO_UDP, v6_local, 1111, v6_remote, 2222);
	}
}

static void
test_not_ip_and_packet_type(void **state)
{
	struct frame_spec f = frame_udp4(A_REMOTE, 1, A_LOCAL, 2);
	uint8_t b[FRAME_MAX];
	struct pk_flow_key k;
	size_t len;

	(void)state;
	len = frame_write(b, &f);
	b[12] = 0x08; /* ARP */
	b[13] = 0x06;
	assert_int_equal(pk_test_flow_parse_forms(pool, b, len, 0, &k),
			 PK_FLOW_NOT_IP);
	/* a PMD that classified the frame is believed for L2/L3 */
	assert_int_equal(pk_test_flow_parse_forms(pool, b, len,
						  RTE_PTYPE_L2_ETHER |
							  RTE_PTYPE_L3_IPV4,
						  &k),
			 PK_FLOW_OK);
	expect_v4(&k, IPPROTO_UDP, A_LOCAL, 2, A_REMOTE, 1);
	/* ...but never past the data: an IPv6 ptype on IPv4 bytes */
	assert_int_equal(pk_test_flow_parse_forms(pool, b, len,
						  RTE_PTYPE_L2_ETHER |
							  RTE_PTYPE_L3_IPV6,
						  &k),
			 PK_FLOW_MALFORMED);
	/* 14 and 13 bytes said to be IPv4: no IP header, or not even L2 */
	assert_int_equal(pk_test_flow_parse_forms(pool, b, 14,
						  RTE_PTYPE_L2_ETHER |
							  RTE_PTYPE_L3_IPV4,
						  &k),
			 PK_FLOW_MALFORMED);
	assert_int_equal(pk_test_flow_parse_forms(pool, b, 13,
						  RTE_PTYPE_L2_ETHER |
							  RTE_PTYPE_L3_IPV4,
						  &k),
			 PK_FLOW_MALFORMED);
}

/* Every split of a frame over two segments, pool mbufs or exact-length
 * buffers, parses like the whole. */
static void
test_chained_mbufs(void **state)
{
	struct frame_spec f = spec6(IPPROTO_TCP, 1234, 80);
	struct pk_flow_key whole, k;
	struct rte_mbuf *a, *b2;
	uint8_t b[FRAME_MAX];
	size_t len, cut;
	int exact;

	(void)state;
	f.vlans = 1;
	len = frame_write(b, &f);
	whole = parse_spec(&f, PK_FLOW_OK);
	for (exact = 0; exact <= 1; exact++) {
		for (cut = 1; cut < len; cut++) {
			a = exact ? pk_test_exact_mbuf(pool, b, cut) :
				    frame_mbuf(pool, b, cut);
			b2 = exact ? pk_test_exact_mbuf(pool, b + cut,
							len - cut) :
				     frame_mbuf(pool, b + cut, len - cut);
			assert_non_null(a);
			assert_non_null(b2);
			assert_int_equal(rte_pktmbuf_chain(a, b2), 0);
			assert_int_equal(pk_flow_parse(a, &k), PK_FLOW_OK);
			assert_memory_equal(&k, &whole, sizeof(k));
			rte_pktmbuf_free(a);
		}
	}
}

/* A valid frame to cut up, and the bytes its key needs. */
struct sweep_frame {
	const char *name;
	struct frame_spec f;
	size_t need; /* the end of the last header byte the key needs */
};

#define IN4 .family = 4, .src4 = A_REMOTE, .dst4 = A_LOCAL
#define IN6 .family = 6, .src6 = V6_REMOTE, .dst6 = V6_LOCAL

/* Packets sent from here, as ICMP errors quote them back. */
static const struct frame_spec quoted_udp4 = {
	.family = 4, .proto = IPPROTO_UDP, .src4 = A_LOCAL,
	.dst4 = A_REMOTE, .sport = 4444, .dport = 53,
};
static const struct frame_spec quoted_tcp4 = {
	.family = 4, .proto = IPPROTO_TCP, .src4 = A_LOCAL,
	.dst4 = A_REMOTE, .sport = 4444, .dport = 80, /* 8 bytes needed */
};
static const struct frame_spec quoted_udp6 = {
	.family = 6, .proto = IPPROTO_UDP, .src6 = V6_LOCAL,
	.dst6 = V6_REMOTE, .sport = 1111, .dport = 2222,
};
static const uint8_t hop_rt[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING };

static const struct sweep_frame sweep_frames[] = {
	{ "udp4", { IN4, .proto = IPPROTO_UDP, .sport = 1, .dport = 2,
		    .payload = 18 }, 14 + 20 + 8 },
	{ "tcp4 options vlan", { IN4, .proto = IPPROTO_TCP, .ip_opts = 8,
				 .vlans = 1, .sport = 1, .dport = 2,
				 .payload = 10 }, 18 + 28 + 20 },
	{ "tcp4 qinq", { IN4, .proto = IPPROTO_TCP, .vlans = 2, .sport = 1,
			 .dport = 2, .payload = 6 }, 22 + 20 + 20 },
	{ "icmp4 echo", { IN4, .proto = IPPROTO_ICMP, .icmp_type = 8,
			  .icmp_id = 7, .payload = 56 }, 14 + 20 + 8 },
	{ "icmp4 unreachable quoting udp", { IN4, .proto = IPPROTO_ICMP,
					     .icmp_type = 3,
					     .inner = &quoted_udp4 },
	  14 + 20 + 8 + 20 + 8 },
	{ "icmp4 time exceeded quoting tcp, vlan",
	  { IN4, .proto = IPPROTO_ICMP, .icmp_type = 11, .vlans = 1,
	    .inner = &quoted_tcp4 }, 18 + 20 + 8 + 20 + 8 },
	{ "udp6 qinq", { IN6, .proto = IPPROTO_UDP, .vlans = 2, .sport = 1,
			 .dport = 2, .payload = 10 }, 22 + 40 + 8 },
	{ "tcp6 extension headers, vlan",
	  { IN6, .proto = IPPROTO_TCP, .vlans = 1, .ext = hop_rt,
	    .ext_n = RTE_DIM(hop_rt), .sport = 1, .dport = 2, .payload = 6 },
	  18 + 40 + 16 + 20 },
	{ "udp6 first fragment", { IN6, .proto = IPPROTO_UDP, .frag_hdr = true,
				   .mf = true, .sport = 1, .dport = 2,
				   .payload = 10 }, 14 + 40 + 8 + 8 },
	{ "icmp6 echo reply", { IN6, .proto = IPPROTO_ICMPV6,
				.icmp_type = 129, .icmp_id = 9,
				.payload = 20 }, 14 + 40 + 8 },
	{ "icmp6 unreachable quoting udp", { IN6, .proto = IPPROTO_ICMPV6,
					     .icmp_type = 1,
					     .inner = &quoted_udp6 },
	  14 + 40 + 8 + 40 + 8 },
};

/*
 * Make the IP header of b say the datagram ends at cut, when the length
 * field is there: then only the parser's header checks stand between it and
 * the bytes past the end.
 */
static void
sweep_fit(uint8_t *b, const struct frame_spec *f, size_t cut)
{
	size_t l3 = 14 + 4 * (size_t)f->vlans;

	if (f->family == 4 && cut >= l3 + 4)
		frame_put16(b + l3 + 2, (uint16_t)(cut - l3));
	else if (f->family == 6 && cut >= l3 + 40)
		frame_put16(b + l3 + 4, (uint16_t)(cut - l3 - 40));
}

/* Every prefix of one frame, told ptype; kw is the whole frame's key. */
static void
sweep_one(const struct sweep_frame *sf, const uint8_t *whole, size_t len,
	  uint32_t ptype, const struct pk_flow_key *kw)
{
	enum pk_flow_result want;
	uint8_t b[FRAME_MAX];
	struct pk_flow_key k;
	size_t cut;

	for (cut = 0; cut <= len; cut++) {
		want = cut == len ? PK_FLOW_OK : PK_FLOW_MALFORMED;
		if (pk_test_flow_parse_forms(pool, whole, cut, ptype, &k) !=
		    want)
			fail_msg("%s: %zu of %zu bytes", sf->name, cut, len);
		memcpy(b, whole, len);
		sweep_fit(b, &sf->f, cut);
		want = cut >= sf->need ? PK_FLOW_OK : PK_FLOW_MALFORMED;
		if (pk_test_flow_parse_forms(pool, b, cut, ptype, &k) != want)
			fail_msg("%s: %zu of %zu bytes, IP length fitted",
				 sf->name, cut, len);
		if (want == PK_FLOW_OK && memcmp(&k, kw, sizeof(k)) != 0)
			fail_msg("%s: %zu of %zu bytes, IP length fitted: "
				 "another key", sf->name, cut, len);
	}
}

/*
 * Every prefix 0..len of valid frames (IPv4/IPv6 x TCP/UDP/ICMP echo/ICMP
 * error quoting a header, options, extension headers, VLAN/QinQ), in every
 * form. Cut as received (the IP length now too long), every prefix short of
 * the whole frame is malformed. With the IP length fitted to the cut, every
 * prefix short of the last header byte the key needs is malformed, and every
 * longer one gives the whole frame's key. Untagged frames go once more with
 * the packet type a PMD would give (the link-layer walk skipped).
 */
static void
test_every_prefix(void **state)
{
	const struct sweep_frame *sf;
	uint8_t whole[FRAME_MAX];
	struct pk_flow_key kw;
	uint32_t ptype;
	size_t len;
	int pt;

	(void)state;
	for (sf = sweep_frames; sf < sweep_frames + RTE_DIM(sweep_frames);
	     sf++) {
		len = frame_write(whole, &sf->f);
		assert_true(sf->need <= len);
		for (pt = 0; pt <= (sf->f.vlans == 0); pt++) {
			ptype = pt == 0 ? 0 :
			       RTE_PTYPE_L2_ETHER |
				       (sf->f.family == 4 ? RTE_PTYPE_L3_IPV4 :
							    RTE_PTYPE_L3_IPV6);
			assert_int_equal(pk_test_flow_parse_forms(pool, whole,
								  len, ptype,
								  &kw),
					 PK_FLOW_OK);
			sweep_one(sf, whole, len, ptype, &kw);
		}
	}
}

static void
test_key_helpers(void **state)
{
	struct pk_flow_key k;
	char buf[128];
	rte_be16_t type;
	struct frame_spec f = frame_udp4(A_REMOTE, 1, A_LOCAL, 2);
	uint8_t b[FRAME_MAX];
	struct rte_mbuf *m;
	size_t len, cut;

	(void)state;
	pk_flow_key_ipv4(&k, IPPROTO_UDP, rte_cpu_to_be_32(A_LOCAL),
			 rte_cpu_to_be_16(9), rte_cpu_to_be_32(A_REMOTE),
			 rte_cpu_to_be_16(1024));
	pk_flow_key_format(&k, buf, sizeof(buf));
	assert_string_equal(buf, "udp4/17 10.0.0.2:9 <- 100.64.1.7:1024");
	pk_flow_key_passive(&k);
	assert_int_equal(k.rport, 0);
	assert_int_equal(k.raddr[0], 0);
	assert_int_equal(k.laddr[0], 10);
	pk_flow_key_wildcard(&k);
	assert_int_equal(k.laddr[0], 0);
	assert_int_equal(rte_be_to_cpu_16(k.lport), 9);

	f.vlans = 2;
	m = frame_new(pool, &f);
	assert_int_equal(pk_flow_l3_offset(m, &type), 22);
	assert_int_equal(type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	rte_pktmbuf_trim(m, m->data_len - 15);
	assert_int_equal(pk_flow_l3_offset(m, &type), -EINVAL);
	rte_pktmbuf_free(m);
	/* every prefix of the QinQ headers, in exactly as many bytes */
	len = frame_write(b, &f);
	for (cut = 0; cut <= 22; cut++) {
		m = pk_test_exact_mbuf(pool, b, cut);
		assert_non_null(m);
		assert_int_equal(pk_flow_l3_offset(m, &type),
				 cut < 22 ? -EINVAL : 22);
		rte_pktmbuf_free(m);
	}
	assert_true(len > 22);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ipv4_udp_tcp_key_is_receivers_view,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_vlan_and_qinq,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_ipv6_extension_headers_skipped,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_ipv6_extension_chain_bounded,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_fragments_first_has_ports,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_icmp_echo_identifier,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_icmp_errors_quote_the_sender,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_not_ip_and_packet_type,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_chained_mbufs,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_every_prefix,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_key_helpers,
					  pk_test_teardown_exact),
	};
	int rc;

	pk_test_eal_init("test_flow", NULL, NULL);
	pool = pk_test_pool("test_flow", 512);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
