/* SPDX-License-Identifier: BSD-3-Clause */
/* Bad input for the flow parser and the demux: every truncation of valid
 * frames, bogus IHL and lengths, IPv6 extension chains that loop or run off
 * the end, ICMP errors with a cut inner header, zero-length and chained
 * mbufs, mutated frames. Each is "malformed", none crashes, none leaks.
 * Every frame goes to the parser and through a demux both from a pool mbuf
 * and from exact-length heap buffers (pk_test_exact.h): under ASan, a read
 * past the end of a frame fails the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_exact.h"
#include "demux_frames.h"

#define LOCAL RTE_IPV4(10, 0, 0, 2)
#define PEER RTE_IPV4(100, 64, 1, 7)

static struct rte_mempool *pool;
static struct pk_stage *dmx; /* no keys, no miss stage */
static const uint8_t ext_hop[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING };

/* The valid frames every test cuts up. */
static size_t
valid_frame(unsigned int i, uint8_t *b)
{
	static struct frame_spec inner4, inner6;
	struct frame_spec f = frame_udp4(PEER, 5000, LOCAL, 53);

	inner4 = frame_udp4(LOCAL, 4444, PEER, 53);
	inner4.payload = 0;
	switch (i) {
	case 0:
		break;
	case 1:
		f.proto = IPPROTO_TCP;
		f.ip_opts = 8;
		f.vlans = 2;
		break;
	case 2:
		f.family = 6;
		f.proto = IPPROTO_TCP;
		f.ext = ext_hop;
		f.ext_n = RTE_DIM(ext_hop);
		f.vlans = 1;
		break;
	case 3:
		f.proto = IPPROTO_ICMP;
		f.icmp_type = 3;
		f.inner = &inner4;
		f.payload = 0;
		break;
	case 4:
		inner6 = inner4;
		inner6.family = 6;
		f.family = 6;
		f.proto = IPPROTO_ICMPV6;
		f.icmp_type = 1;
		f.inner = &inner6;
		f.payload = 0;
		break;
	default:
		f.proto = IPPROTO_ICMP;
		f.icmp_type = 0;
		f.payload = 0;
		break;
	}
	return frame_write(b, &f);
}

#define NB_VALID 6

/* The demux counter a packet the parser found r lands in. */
static enum pk_drop_reason
demux_reason(enum pk_flow_result r)
{
	switch (r) {
	case PK_FLOW_MALFORMED:
		return PK_DROP_MALFORMED;
	case PK_FLOW_FRAGMENT:
		return PK_DROP_FRAGMENT;
	default:
		return PK_DROP_NO_MATCH; /* no key installed */
	}
}

/*
 * Push len bytes of b through dmx in every form: a malformed one is taken
 * (and freed: a drop), any other comes back (no key, no miss stage: a
 * refusal); one count moves.
 */
static void
demux_bytes(const uint8_t *b, size_t len, enum pk_flow_result r)
{
	enum pk_drop_reason why = demux_reason(r);
	struct pk_stage_stats st0, st;
	struct rte_mbuf *m;
	unsigned int f;

	for (f = 0; f < PK_TEST_FORM_MAX; f++) {
		m = pk_test_form_mbuf(pool, f, b, len);
		assert_non_null(m);
		pk_stage_stats_get(dmx, &st0);
		assert_int_equal(pk_stage_push(dmx, &m, 1),
				 r == PK_FLOW_MALFORMED ? 1 : 0);
		if (r != PK_FLOW_MALFORMED)
			rte_pktmbuf_free(m);
		pk_stage_stats_get(dmx, &st);
		if (r == PK_FLOW_MALFORMED) /* freed */
			assert_int_equal(st.drops[why], st0.drops[why] + 1);
		else /* given back */
			assert_int_equal(st.refused[why],
					 st0.refused[why] + 1);
	}
}

/* What the parser makes of len bytes of b, the same in every form; the
 * demux must agree. */
static enum pk_flow_result
parse_bytes(const uint8_t *b, size_t len)
{
	struct pk_flow_key k;
	enum pk_flow_result r;

	r = pk_test_flow_parse_forms(pool, b, len, 0, &k);
	demux_bytes(b, len, r);
	return r;
}

static void
test_every_truncation_is_malformed(void **state)
{
	struct pk_demux_conf conf = { .name = "dmx", .capacity = 8,
				      .socket_id = SOCKET_ID_ANY };
	struct pk_stage *d = pk_demux_flow_create(&conf);
	struct rte_mbuf *burst[PK_TEST_FORM_MAX];
	uint8_t b[FRAME_MAX];
	struct pk_stage_stats st;
	uint64_t frames = 0;
	unsigned int i, f;
	size_t len, cut;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < NB_VALID; i++) {
		len = valid_frame(i, b);
		assert_int_equal(parse_bytes(b, len), PK_FLOW_OK);
		for (cut = 0; cut < len; cut++) {
			assert_int_equal(parse_bytes(b, cut), PK_FLOW_MALFORMED);
			/* a burst of every form: the demux takes them all */
			for (f = 0; f < PK_TEST_FORM_MAX; f++) {
				burst[f] = pk_test_form_mbuf(pool, f, b, cut);
				assert_non_null(burst[f]);
			}
			assert_int_equal(pk_stage_push(d, burst,
						       PK_TEST_FORM_MAX),
					 PK_TEST_FORM_MAX);
			frames += PK_TEST_FORM_MAX;
		}
	}
	pk_stage_stats_get(d, &st);
	assert_int_equal(st.drops[PK_DROP_MALFORMED], frames);
	assert_int_equal(st.out_pkts, 0);
	pk_stage_destroy(d);
}

static void
test_bogus_ihl_and_total_length(void **state)
{
	uint8_t b[FRAME_MAX];
	size_t len;
	unsigned int ihl, l3 = 14;
	uint16_t tot;

	(void)state;
	len = valid_frame(0, b);
	/* 46-byte datagram: an IHL of 10 or more leaves no room for UDP */
	for (ihl = 0; ihl < 16; ihl++) {
		b[l3] = 0x40 | ihl;
		assert_int_equal(parse_bytes(b, len),
				 ihl >= 5 && ihl <= 9 ? PK_FLOW_OK :
							PK_FLOW_MALFORMED);
	}
	b[l3] = 0x45;
	tot = (b[l3 + 2] << 8) | b[l3 + 3];
	b[l3 + 3] = 19 & 0xff; /* shorter than its header */
	b[l3 + 2] = 0;
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
	b[l3 + 2] = (tot + 1) >> 8; /* longer than the frame */
	b[l3 + 3] = (tot + 1) & 0xff;
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
	b[l3 + 2] = 0; /* 20 + 4: the UDP header cut by the IP length */
	b[l3 + 3] = 24;
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
	b[l3] = 0x55; /* version 5 */
	b[l3 + 2] = tot >> 8;
	b[l3 + 3] = tot & 0xff;
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
	/* IPv6 payload length beyond the frame */
	len = valid_frame(2, b);
	b[18 + 4] = 0xff;
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
}

static void
test_ipv6_chains_loop_or_run_off(void **state)
{
	static const uint8_t one[] = { IPPROTO_DSTOPTS };
	struct frame_spec f = { .family = 6, .proto = IPPROTO_UDP,
				.sport = 1, .dport = 2, .ext = one,
				.ext_n = 1 };
	uint8_t b[FRAME_MAX];
	size_t len;

	(void)state;
	len = frame_write(b, &f);
	assert_int_equal(parse_bytes(b, len), PK_FLOW_OK);
	/* the option header names itself as next: a loop, forever */
	b[14 + 40] = IPPROTO_DSTOPTS;
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
	/* its length runs past the payload */
	b[14 + 40] = IPPROTO_UDP;
	b[14 + 40 + 1] = 200;
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
	b[14 + 40 + 1] = 1; /* 16 bytes: the UDP header is cut */
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
	/* a fragment header as the last thing in the packet */
	b[14 + 40 + 1] = 0;
	b[14 + 6] = IPPROTO_FRAGMENT;
	b[14 + 4] = 0;
	b[14 + 5] = 4;
	assert_int_equal(parse_bytes(b, 14 + 44), PK_FLOW_MALFORMED);
}

static void
test_icmp_error_with_cut_inner_header(void **state)
{
	uint8_t b[FRAME_MAX];
	size_t len, icmp = 14 + 20, inner = icmp + 8;
	unsigned int ihl;

	(void)state;
	len = valid_frame(3, b);
	assert_int_equal(parse_bytes(b, len), PK_FLOW_OK);
	for (ihl = 0; ihl < 16; ihl++) {
		b[inner] = 0x40 | ihl;
		assert_int_equal(parse_bytes(b, len),
				 ihl == 5 ? PK_FLOW_OK : PK_FLOW_MALFORMED);
	}
	b[inner] = 0x60; /* IPv6 inside ICMPv4 */
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
	/* the outer IP length says the quote is shorter than it is */
	b[inner] = 0x45;
	b[14 + 3] = 20 + 8 + 20 + 4;
	assert_int_equal(parse_bytes(b, len), PK_FLOW_MALFORMED);
}

static void
test_zero_length_and_chained(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *m2;
	uint8_t b[FRAME_MAX];
	struct pk_flow_key k;
	rte_be16_t t;
	size_t len;

	(void)state;
	assert_non_null(m);
	assert_int_equal(pk_flow_parse(m, &k), PK_FLOW_MALFORMED);
	assert_int_equal(pk_flow_l3_offset(m, &t), -EINVAL);
	/* an empty first segment, the frame in the second */
	len = valid_frame(1, b);
	m2 = frame_mbuf(pool, b, len);
	assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	assert_int_equal(pk_flow_parse(m, &k), PK_FLOW_OK);
	rte_pktmbuf_free(m);
	/* the same with exact buffers: an empty one (no byte to read at all),
	 * then an empty first segment of a chain */
	m = pk_test_exact_mbuf(pool, NULL, 0);
	assert_non_null(m);
	assert_int_equal(pk_flow_parse(m, &k), PK_FLOW_MALFORMED);
	assert_int_equal(pk_flow_l3_offset(m, &t), -EINVAL);
	m2 = pk_test_exact_mbuf(pool, b, len);
	assert_non_null(m2);
	assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	assert_int_equal(pk_flow_parse(m, &k), PK_FLOW_OK);
	assert_int_equal(pk_flow_l3_offset(m, &t), -EINVAL);
	rte_pktmbuf_free(m);
}

/* Mutated frames: any answer will do, but no crash and no bad read (ASan). */
static void
test_mutated_frames_do_not_crash(void **state)
{
	uint8_t b[FRAME_MAX];
	unsigned int i, j, counts[4] = { 0 };
	size_t len;

	(void)state;
	srand(42);
	for (i = 0; i < 20000; i++) {
		len = valid_frame(i % NB_VALID, b);
		for (j = 0; j < 1 + (unsigned int)rand() % 4; j++)
			b[rand() % len] = rand();
		len -= rand() % 8;
		counts[parse_bytes(b, len)]++;
	}
	assert_true(counts[PK_FLOW_MALFORMED] > 0);
	assert_true(counts[PK_FLOW_OK] > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_every_truncation_is_malformed,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_bogus_ihl_and_total_length,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_ipv6_chains_loop_or_run_off,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_icmp_error_with_cut_inner_header,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_zero_length_and_chained,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_mutated_frames_do_not_crash,
					  pk_test_teardown_exact),
	};
	int rc;

	pk_test_eal_init("test_demux_malformed", NULL, NULL);
	pool = pk_test_pool("test_demux_malformed", 512);
	dmx = pk_demux_flow_create(&(struct pk_demux_conf){
		.name = "dmx_forms", .capacity = 8,
		.socket_id = SOCKET_ID_ANY });
	if (dmx == NULL) {
		fprintf(stderr, "test_demux_malformed: no demux\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_stage_destroy(dmx);
	pk_test_eal_cleanup();
	return rc;
}
