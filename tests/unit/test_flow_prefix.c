/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow key parsing of every prefix of valid frames (IPv4/IPv6 x TCP/UDP/
 * ICMP echo/ICMP error quoting a header, options, extension headers,
 * VLAN/QinQ): malformed short of the bytes the key needs, the whole
 * frame's key after. The other cases: test_flow.c. Each frame is parsed
 * from a pool mbuf and from exact-length heap buffers (pk_test_exact.h),
 * so ASan sees a read past its end. */
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


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_every_prefix,
					  pk_test_teardown_exact),
	};
	int rc;

	pk_test_eal_init("test_flow_prefix", NULL, NULL);
	pool = pk_test_pool("test_flow_prefix", 512);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
