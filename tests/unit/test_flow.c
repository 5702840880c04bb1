/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow key parsing: every header kind, key orientation, ICMP echo and
 * errors, fragments, VLAN/QinQ, packet types, chained mbufs, the key
 * helpers. Every prefix of valid frames: test_flow_prefix.c. Each frame is
 * parsed from a pool mbuf and from exact-length heap buffers
 * (pk_test_exact.h), so ASan sees a read past its end. */
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
#include "flow_fixture.h"

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
