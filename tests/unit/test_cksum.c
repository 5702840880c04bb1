/* SPDX-License-Identifier: BSD-3-Clause */
/* The fast checksum sum (lib/cksum_pvt.h) against DPDK's own: for random
 * bytes of every length from 0 to 300 at every alignment of 0 to 7, with
 * a random starting sum, pk_cksum_add() folds to what __rte_raw_cksum()
 * folds to; all-zero and all-0xff buffers too (the two zeros of one's
 * complement; DPDK's own 32-bit sum loses carries near 2^32, so starting
 * sums stay small); every sum at most 17 bits (its callers add to it in 32
 * bits: the fuzzer found that out); and the IPv4 header checksum equals rte_ipv4_cksum()'s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>

#include "cksum_pvt.h"

static uint8_t buf[512 + 8];

static void
assert_same(const uint8_t *p, size_t len, uint32_t start)
{
	/* small, so that callers may add to it in 32 bits */
	assert_true(pk_cksum_add(p, len, start) <= 0x1fffe);
	assert_int_equal(__rte_raw_cksum_reduce(pk_cksum_add(p, len, start)),
			 __rte_raw_cksum_reduce(__rte_raw_cksum(p, len, start)));
}

static void
test_random_bytes(void **state)
{
	unsigned int len, off, round;

	(void)state;
	srand(15);
	for (round = 0; round < 20; round++) {
		for (len = 0; len < sizeof(buf); len++)
			buf[len] = (uint8_t)rand();
		for (len = 0; len <= 300; len++)
			for (off = 0; off < 8; off++)
				assert_same(buf + off, len,
					    round == 0 ? 0 : (uint32_t)rand());
	}
}

static void
test_extremes(void **state)
{
	unsigned int len;

	(void)state;
	memset(buf, 0, sizeof(buf));
	for (len = 0; len <= 512; len++)
		assert_same(buf, len, 0);
	memset(buf, 0xff, sizeof(buf));
	for (len = 0; len <= 512; len++) {
		assert_same(buf, len, 0);
		assert_same(buf, len, 0xffff);
	}
}

static void
test_ipv4_header(void **state)
{
	struct rte_ipv4_hdr ip;
	unsigned int i, k;

	(void)state;
	for (i = 0; i < 1000; i++) {
		for (k = 0; k < sizeof(ip); k++)
			((uint8_t *)&ip)[k] = (uint8_t)rand();
		ip.version_ihl = RTE_IPV4_VHL_DEF;
		ip.hdr_checksum = 0;
		assert_int_equal(pk_cksum_ipv4_hdr(&ip, sizeof(ip)),
				 rte_ipv4_cksum(&ip));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_ipv4_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
