/* SPDX-License-Identifier: BSD-3-Clause */
/* pk_raw_check(): every verdict from a datagram crafted for it, IPv4 and
 * IPv6, and every accepted kind (UDP, TCP, ICMP echo, ICMP errors quoting
 * the bound port) rewritten: the node's source over a forged one, TTL 0
 * raised, checksums verified apart from the library (raw_frames.h), no
 * other byte changed; each datagram held as a pool mbuf, one exact segment,
 * two exact segments cut at every offset and three cut at odd ones, with
 * the same verdict; a refused datagram is left as it was. Also: verdict
 * names and errno values, bad calls and policies, chains whose lengths lie,
 * the largest datagrams over many odd-length segments. Pools full and
 * exact buffers released after each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"
#include "pk_test_exact.h"
#include "raw_frames.h"

#define U IPPROTO_UDP
#define T IPPROTO_TCP
#define I4 IPPROTO_ICMP
#define I6 IPPROTO_ICMPV6
#define NONE 255 /* a protocol nobody binds: the IP header alone */
#define DST6 60, 0, 1, 4, 0, 0, 0, 0 /* destination options, PadN */

static struct rte_mempool *pool;

/* IPv4 options */
static const uint8_t o_nop[] = { 1, 1, 1, 0 };
static const uint8_t o_rr[] = { 7, 7, 4, 0, 0, 0, 0, 0 };
static const uint8_t o_lsrr[] = { 0x83, 7, 4, 1, 2, 3, 4, 0 };
static const uint8_t o_ssrr[] = { 0x89, 7, 4, 1, 2, 3, 4, 0 };
static const uint8_t o_long[] = { 7, 9, 4, 0, 0, 0, 0, 0 };
static const uint8_t o_len1[] = { 1, 1, 0x44, 1 };
static const uint8_t o_cut[] = { 1, 1, 1, 0x44 };
/* IPv6 extension headers, after a next header of 0 (hop-by-hop), 43, 44 or
 * 60 (destination options) in the IP header */
static const uint8_t x_hbh_dst_udp[] = { DST6, 17, 0, 1, 4, 0, 0, 0, 0 };
static const uint8_t x_dst_tcp[] = { 6, 0, 1, 4, 0, 0, 0, 0 };
static const uint8_t x_hbh_icmp[] = { 58, 0, 1, 4, 0, 0, 0, 0 };
static const uint8_t x_hbh_udp[] = { 17, 0, 1, 4, 0, 0, 0, 0 };
static const uint8_t x_rt[] = { 17, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t x_frag[] = { 17, 0, 0, 0, 0, 0, 0, 1 };      /* atomic */
static const uint8_t x_frag_first[] = { 17, 0, 0, 1, 0, 0, 0, 9 }; /* M */
static const uint8_t x_frag_later[] = { 17, 0, 0, 8, 0, 0, 0, 9 }; /* 8 */
static const uint8_t x_hbh_long[] = { 17, 2, 1, 4, 0, 0, 0, 0 }; /* 24 */
static const uint8_t x_hbh_huge[] = { 17, 63, 1, 4, 0, 0, 0, 0 }; /* 512 */
static const uint8_t x_hbh_cut[] = { 17, 0, 1, 4 };
static const uint8_t x_dst9[] = { DST6, DST6, DST6, DST6, DST6, DST6, DST6,
				  DST6, 17, 0, 1, 4, 0, 0, 0, 0 };

#define EXT(a) .ext = a, .elen = sizeof(a)
#define Q(f, p, ...) { .fam = f, .proto = p, __VA_ARGS__ }

/* Packets the node received, as ICMP errors quote them. */
static const struct rf_spec q4u = Q(4, U, .payload = 4);
static const struct rf_spec q4t = Q(4, T);
static const struct rf_spec q4u_opts = Q(4, U, EXT(o_nop));
static const struct rf_spec q4u_mf = Q(4, U, .patch = { { 6, 0x60 } });
static const struct rf_spec q4u_later = Q(4, U, .patch = { { 7, 1 } });
static const struct rf_spec q4u_v6 = Q(4, U, .patch = { { 0, 0x65 } });
static const struct rf_spec q4u_ihl4 = Q(4, U, .patch = { { 0, 0x44 } });
static const struct rf_spec q4u_ihl15 = Q(4, U, .patch = { { 0, 0x4f } });
static const struct rf_spec q4u_far = Q(4, U, .patch = { { 19, 9 } });
static const struct rf_spec q4u_dport = Q(4, U, .dport = RF_PORT + 1);
static const struct rf_spec q4u_ours =
	Q(4, U, .sport = RF_PORT, .dport = RF_PEER_PORT); /* from us */
static const struct rf_spec q4_echo = Q(4, I4, .type = 8);
static const struct rf_spec q6u = Q(6, U, .payload = 4);
static const struct rf_spec q6t = Q(6, T);
static const struct rf_spec q6u_hbh = Q(6, U, .nh = 0, EXT(x_hbh_udp));
static const struct rf_spec q6u_frag0 = Q(6, U, .nh = 44, EXT(x_frag_first));
static const struct rf_spec q6u_frag8 = Q(6, U, .nh = 44, EXT(x_frag_later));
static const struct rf_spec q6u_huge = Q(6, U, .nh = 0, EXT(x_hbh_huge));
static const struct rf_spec q6u_v4 = Q(6, U, .patch = { { 0, 0x45 } });
static const struct rf_spec q6u_far = Q(6, U, .patch = { { 39, 9 } });
static const struct rf_spec q6u_dport = Q(6, U, .dport = 1);
static const struct rf_spec q6_echo = Q(6, I6, .type = 128);

struct vcase {
	enum pk_raw_verdict want;
	struct rf_spec s;
};

/* A case: the verdict wanted, then the datagram's spec. */
#define R(w, f, p, ...)                                                     \
	{ .want = PK_RAW_##w, .s = { .fam = f, .proto = p, __VA_ARGS__ } }

static const struct vcase cases[] = {
	/* accepted */
	R(OK, 4, U, .payload = 61),
	R(OK, 4, U),
	R(OK, 4, U, .ttl0 = true, .payload = 3),
	R(OK, 4, U, EXT(o_nop), .payload = 5),
	R(OK, 4, U, EXT(o_rr), .payload = 1),
	R(OK, 4, T, .payload = 10, .bound = T),
	R(OK, 4, T, .tcp_opts = 12, .payload = 5, .ttl0 = true, .bound = T),
	R(OK, 4, I4, .type = 8, .payload = 56),
	R(OK, 4, I4, .type = 0, .payload = 1, .bound = T),
	R(OK, 4, I4, .type = 3, .quote = &q4u, .qcut = 28),
	R(OK, 4, I4, .type = 11, .quote = &q4u, .ttl0 = true),
	R(OK, 4, I4, .type = 12, .quote = &q4u_opts),
	R(OK, 4, I4, .type = 3, .quote = &q4u_mf),
	R(OK, 4, I4, .type = 3, .quote = &q4t, .qcut = 28, .bound = T),
	R(OK, 6, U, .payload = 61),
	R(OK, 6, U, .ttl0 = true),
	R(OK, 6, U, .nh = 0, EXT(x_hbh_dst_udp), .payload = 9),
	R(OK, 6, T, .nh = 60, EXT(x_dst_tcp), .tcp_opts = 4, .bound = T),
	R(OK, 6, I6, .type = 128, .payload = 33),
	R(OK, 6, I6, .type = 129, .nh = 0, EXT(x_hbh_icmp), .bound = T),
	R(OK, 6, I6, .type = 1, .quote = &q6u),
	R(OK, 6, I6, .type = 2, .quote = &q6u_hbh, .payload = 0),
	R(OK, 6, I6, .type = 3, .quote = &q6u_frag0, .ttl0 = true),
	R(OK, 6, I6, .type = 4, .quote = &q6t, .qcut = 48, .bound = T),
	/* the IP header */
	R(VERSION, 6, U, .sock = 4),
	R(VERSION, 4, U, .sock = 6),
	R(VERSION, 4, U, .patch = { { 0, 0x55 } }),
	R(VERSION, 6, U, .patch = { { 0, 0x70 } }),
	R(SHORT, 4, NONE, .grow = -1),
	R(SHORT, 6, NONE, .grow = -1),
	R(IHL, 4, U, .patch = { { 0, 0x44 } }),
	R(IHL, 4, NONE, .patch = { { 0, 0x46 } }),
	R(LENGTH, 4, U, .grow = 1),
	R(LENGTH, 4, U, .payload = 4, .grow = -1),
	R(LENGTH, 4, U, .patch = { { 2, 0 }, { 3, 0 } }),
	R(LENGTH, 6, U, .grow = 1),
	R(LENGTH, 6, U, .payload = 4, .grow = -1),
	R(IP_OPTS, 4, U, EXT(o_long)),
	R(IP_OPTS, 4, U, EXT(o_len1)),
	R(IP_OPTS, 4, U, EXT(o_cut)),
	R(SRC_ROUTE, 4, U, EXT(o_lsrr)),
	R(SRC_ROUTE, 4, U, EXT(o_ssrr)),
	R(SRC_ROUTE, 6, U, .nh = 43, EXT(x_rt)),
	R(FRAGMENT, 4, U, .patch = { { 6, 0x60 } }),
	R(FRAGMENT, 4, U, .patch = { { 7, 1 } }),
	R(FRAGMENT, 6, U, .nh = 44, EXT(x_frag)),
	R(EXT_LEN, 6, U, .nh = 0, EXT(x_hbh_long)),
	R(EXT_LEN, 6, U, .nh = 0, EXT(x_hbh_huge), .payload = 600),
	R(EXT_LEN, 6, NONE, .nh = 0, EXT(x_hbh_cut)),
	R(EXT_LEN, 6, U, .nh = 60, EXT(x_dst9)),
	R(EXT_HDR, 6, IPPROTO_AH, .payload = 16),
	R(EXT_HDR, 6, IPPROTO_ESP, .payload = 16),
	R(EXT_HDR, 6, IPPROTO_MH, .payload = 16),
	/* the transport header */
	R(PROTO, 4, T),
	R(PROTO, 4, U, .bound = T),
	R(PROTO, 4, I6, .type = 128),
	R(PROTO, 4, IPPROTO_IGMP, .payload = 8),
	R(PROTO, 6, I4, .type = 8),
	R(PROTO, 6, IPPROTO_NONE),
	R(L4_SHORT, 4, U, .grow = -1, .patch = { { 3, 27 } }),
	R(L4_SHORT, 4, T, .grow = -1, .patch = { { 3, 39 } }, .bound = T),
	R(L4_SHORT, 4, I4, .type = 8, .grow = -1, .patch = { { 3, 27 } }),
	R(L4_SHORT, 6, U, .grow = -1, .patch = { { 5, 7 } }),
	R(L4_SHORT, 6, I6, .type = 128, .grow = -8, .patch = { { 5, 0 } }),
	R(L4_LEN, 4, U, .payload = 4, .patch = { { 25, 13 } }),
	R(L4_LEN, 4, U, .payload = 4, .patch = { { 25, 11 } }),
	R(L4_LEN, 4, U, .patch = { { 25, 7 } }),
	R(L4_LEN, 6, U, .payload = 4, .patch = { { 45, 13 } }),
	R(L4_LEN, 4, T, .patch = { { 32, 0x40 } }, .bound = T),
	R(L4_LEN, 4, T, .patch = { { 32, 0x60 } }, .bound = T),
	R(L4_LEN, 6, T, .payload = 3, .patch = { { 52, 0xf0 } }, .bound = T),
	R(SPORT, 4, U, .sport = RF_PORT + 1),
	R(SPORT, 4, T, .sport = 80, .bound = T),
	R(SPORT, 6, U, .sport = 1),
	R(SPORT, 6, T, .sport = RF_PEER_PORT, .bound = T),
	/* ICMP */
	R(ICMP_TYPE, 4, I4, .type = 5),
	R(ICMP_TYPE, 4, I4, .type = 4),
	R(ICMP_TYPE, 4, I4, .type = 13),
	R(ICMP_TYPE, 6, I6, .type = 133),
	R(ICMP_TYPE, 6, I6, .type = 137),
	R(ICMP_TYPE, 6, I6, .type = 130),
	R(ICMP_ID, 4, I4, .type = 8, .sport = 1),
	R(ICMP_ID, 4, I4, .type = 0, .sport = RF_PORT + 1),
	R(ICMP_ID, 6, I6, .type = 128, .sport = 2),
	R(ICMP_ID, 6, I6, .type = 129, .sport = RF_PEER_PORT),
	R(QUOTE_MALFORMED, 4, I4, .type = 3, .quote = &q4u, .qcut = 19),
	R(QUOTE_MALFORMED, 4, I4, .type = 3, .quote = &q4u, .qcut = 27),
	R(QUOTE_MALFORMED, 4, I4, .type = 3, .quote = &q4u_v6),
	R(QUOTE_MALFORMED, 4, I4, .type = 3, .quote = &q4u_ihl4),
	R(QUOTE_MALFORMED, 4, I4, .type = 3, .quote = &q4u_ihl15, .qcut = 40),
	R(QUOTE_MALFORMED, 6, I6, .type = 1, .quote = &q6u, .qcut = 39),
	R(QUOTE_MALFORMED, 6, I6, .type = 1, .quote = &q6u, .qcut = 47),
	R(QUOTE_MALFORMED, 6, I6, .type = 1, .quote = &q6u_v4),
	R(QUOTE_MALFORMED, 6, I6, .type = 1, .quote = &q6u_hbh, .qcut = 44),
	R(QUOTE_MALFORMED, 6, I6, .type = 1, .quote = &q6u_huge, .qcut = 48),
	R(QUOTE_PROTO, 4, I4, .type = 3, .quote = &q4t),
	R(QUOTE_PROTO, 4, I4, .type = 3, .quote = &q4u, .bound = T),
	R(QUOTE_PROTO, 4, I4, .type = 3, .quote = &q4_echo),
	R(QUOTE_PROTO, 6, I6, .type = 1, .quote = &q6_echo),
	R(QUOTE_PROTO, 6, I6, .type = 1, .quote = &q6t),
	R(QUOTE_ADDR, 4, I4, .type = 3, .quote = &q4u_far),
	R(QUOTE_ADDR, 6, I6, .type = 1, .quote = &q6u_far),
	R(QUOTE_PORT, 4, I4, .type = 3, .quote = &q4u_dport),
	R(QUOTE_PORT, 4, I4, .type = 3, .quote = &q4u_ours),
	R(QUOTE_PORT, 4, I4, .type = 3, .quote = &q4u_later),
	R(QUOTE_PORT, 6, I6, .type = 1, .quote = &q6u_dport),
	R(QUOTE_PORT, 6, I6, .type = 1, .quote = &q6u_frag8),
	R(QUOTE_PEER, 4, I4, .type = 3, .quote = &q4u, .patch = { { 19, 8 } }),
	R(QUOTE_PEER, 6, I6, .type = 3, .quote = &q6u, .patch = { { 39, 8 } }),
};

static void
test_every_verdict(void **state)
{
	bool seen[PK_RAW_VERDICT_MAX] = { false };
	const struct vcase *c;
	unsigned int i;
	char what[32];

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		c = &cases[i];
		snprintf(what, sizeof(what), "case %u", i);
		rf_run(pool, what, &c->s, c->want);
		seen[c->want] = true;
	}
	/* the call and the chain have tests of their own */
	seen[PK_RAW_BAD_POLICY] = seen[PK_RAW_CHAIN] = true;
	for (i = 0; i < PK_RAW_VERDICT_MAX; i++)
		if (!seen[i])
			fail_msg("no case gives %s", pk_raw_verdict_name(i));
}

static void
test_verdict_names(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < PK_RAW_VERDICT_MAX; i++) {
		int e = pk_raw_verdict_errno(i);

		assert_true(i == PK_RAW_OK ? e == 0 :
					     e == EINVAL || e == EPERM);
		for (j = 0; j < i; j++)
			assert_string_not_equal(pk_raw_verdict_name(i),
						pk_raw_verdict_name(j));
	}
	assert_string_equal(pk_raw_verdict_name(PK_RAW_OK), "ok");
	assert_string_equal(pk_raw_verdict_name(PK_RAW_VERDICT_MAX),
			    "unknown");
	assert_string_equal(pk_raw_verdict_name((enum pk_raw_verdict)-1),
			    "unknown");
	assert_int_equal(pk_raw_verdict_errno(PK_RAW_VERDICT_MAX), EINVAL);
	assert_int_equal(pk_raw_verdict_errno(PK_RAW_SPORT), EPERM);
	assert_int_equal(pk_raw_verdict_errno(PK_RAW_LENGTH), EINVAL);
}

/* NULL arguments and policies that are none: -EINVAL, m untouched. */
static void
test_bad_calls(void **state)
{
	const struct rf_spec s = { .fam = 4, .proto = U, .payload = 4 };
	struct pk_raw_policy p = rf_policy(4, U), bad;
	enum pk_raw_verdict why = PK_RAW_OK;
	uint8_t b[RF_MAX];
	size_t len = rf_build(&s, false, b);
	struct rte_mbuf *m = rf_chain(pool, b, len, NULL, 0);
	unsigned int i;

	(void)state;
	assert_int_equal(pk_raw_check(NULL, &p, &why), -EINVAL);
	assert_int_equal(why, PK_RAW_BAD_POLICY);
	why = PK_RAW_OK;
	assert_int_equal(pk_raw_check(m, NULL, &why), -EINVAL);
	assert_int_equal(why, PK_RAW_BAD_POLICY);
	for (i = 0; i < 6; i++) {
		bad = rf_policy(i < 5 ? 4 : 6, U);
		switch (i) {
		case 0: bad.family = AF_UNIX; break;
		case 1: bad.proto = IPPROTO_ICMP; break;
		case 2: bad.proto = IPPROTO_SCTP; break;
		case 3: bad.port = 0; break;
		case 4: bad.addr4.s_addr = 0; break;
		default: memset(&bad.addr6, 0, 16);
		}
		why = PK_RAW_OK;
		assert_int_equal(pk_raw_check(m, &bad, &why), -EINVAL);
		assert_int_equal(why, PK_RAW_BAD_POLICY);
	}
	assert_memory_equal(rte_pktmbuf_mtod(m, void *), b, len);
	/* why may be NULL */
	assert_int_equal(pk_raw_check(m, &bad, NULL), -EINVAL);
	assert_int_equal(pk_raw_check(m, &p, NULL), 0);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *) + 12, rf_self4, 4);
	rte_pktmbuf_free(m);
}

/* A chain whose lengths lie is refused before a byte is read. */
static void
test_bad_chain(void **state)
{
	const struct rf_spec s = { .fam = 6, .proto = U, .payload = 30 };
	struct pk_raw_policy p = rf_policy(6, U);
	enum pk_raw_verdict why;
	const size_t cuts[] = { 30, 31 };
	uint8_t b[RF_MAX];
	size_t len = rf_build(&s, false, b);
	struct rte_mbuf *m = rf_chain(pool, b, len, cuts, 2);

	(void)state;
	m->pkt_len++; /* one byte more than the segments hold */
	assert_int_equal(pk_raw_check(m, &p, &why), -EINVAL);
	assert_int_equal(why, PK_RAW_CHAIN);
	m->pkt_len -= 2; /* one byte less */
	assert_int_equal(pk_raw_check(m, &p, &why), -EINVAL);
	assert_int_equal(why, PK_RAW_CHAIN);
	m->pkt_len++;
	m->nb_segs = 2; /* three are chained */
	assert_int_equal(pk_raw_check(m, &p, &why), -EINVAL);
	assert_int_equal(why, PK_RAW_CHAIN);
	m->nb_segs = 4;
	assert_int_equal(pk_raw_check(m, &p, &why), -EINVAL);
	assert_int_equal(why, PK_RAW_CHAIN);
	m->nb_segs = 3;
	assert_int_equal(pk_raw_check(m, &p, &why), 0);
	rte_pktmbuf_free(m);
	/* nothing at all: no version to read */
	m = rf_chain(pool, b, 0, NULL, 0);
	assert_int_equal(pk_raw_check(m, &p, &why), -EINVAL);
	assert_int_equal(why, PK_RAW_VERSION);
	rte_pktmbuf_free(m);
}

/* The largest datagrams, in pool mbufs of 1999 bytes: odd-length segments
 * all the way, the checksum summed over 33 of them. */
static void
test_largest(void **state)
{
	static uint8_t b[65575], g[65575];
	struct rf_spec s = { .fam = 4, .proto = U, .payload = 65535 - 28 };
	struct pk_raw_policy p;
	enum pk_raw_verdict why;
	struct rte_mbuf *m, *t;
	size_t len, at, k;
	int fam;

	(void)state;
	for (fam = 4; fam <= 6; fam += 2) {
		s.fam = fam;
		s.payload = fam == 4 ? 65535 - 28 : 65535 - 8;
		p = rf_policy(fam, U);
		len = rf_build(&s, false, b);
		m = NULL;
		for (at = 0; at < len; at += k) {
			k = RTE_MIN(len - at, (size_t)1999);
			t = rte_pktmbuf_alloc(pool);
			assert_non_null(t);
			memcpy(rte_pktmbuf_append(t, (uint16_t)k), b + at, k);
			if (m == NULL)
				m = t;
			else
				assert_int_equal(rte_pktmbuf_chain(m, t), 0);
		}
		assert_int_equal(pk_raw_check(m, &p, &why), 0);
		assert_non_null(rte_pktmbuf_read(m, 0, (uint32_t)len, g));
		rf_expect_rewritten(g, b, len, &s);
		rte_pktmbuf_free(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_every_verdict,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_verdict_names,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_bad_calls,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_bad_chain,
					  pk_test_teardown_exact),
		cmocka_unit_test_teardown(test_largest,
					  pk_test_teardown_exact),
	};
	int rc;

	pk_test_eal_init("test_raw", NULL, NULL);
	pool = pk_test_pool("test_raw", 128);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_test_eal_cleanup();
	return rc;
}
