/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_FLOW_FIXTURE_H
#define PK_FLOW_FIXTURE_H

/*
 * What the flow key tests share (test_flow.c, test_flow_prefix.c): the
 * local and remote addresses, the pool, a frame parsed in every form (pool
 * mbuf, exact-length heap buffers), the IPv4 and IPv6 keys expected, an
 * IPv6 frame. Include after pk_test_exact.h and demux_frames.h.
 */

#include <stdint.h>
#include <string.h>

#include <pathkit/pathkit.h>

#define A_LOCAL RTE_IPV4(10, 0, 0, 2)
#define A_REMOTE RTE_IPV4(100, 64, 1, 7)
#define V6_LOCAL { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }
#define V6_REMOTE { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 7 }

static struct rte_mempool *pool;
static const uint8_t v6_local[16] = V6_LOCAL;
static const uint8_t v6_remote[16] = V6_REMOTE;

/* Parse spec's frame in every form, check the result, return the key. */
static inline struct pk_flow_key
parse_spec(const struct frame_spec *f, enum pk_flow_result want)
{
	uint8_t b[FRAME_MAX];
	struct pk_flow_key k;
	size_t len = frame_write(b, f);

	assert_int_equal(pk_test_flow_parse_forms(pool, b, len, 0, &k), want);
	return k;
}

static inline void
expect_v4(const struct pk_flow_key *k, uint8_t proto, uint32_t laddr,
	  uint16_t lport, uint32_t raddr, uint16_t rport)
{
	struct pk_flow_key want;

	pk_flow_key_ipv4(&want, proto, rte_cpu_to_be_32(laddr),
			 rte_cpu_to_be_16(lport), rte_cpu_to_be_32(raddr),
			 rte_cpu_to_be_16(rport));
	assert_memory_equal(k, &want, sizeof(want));
}

static inline void
expect_v6(const struct pk_flow_key *k, uint8_t proto, const uint8_t *laddr,
	  uint16_t lport, const uint8_t *raddr, uint16_t rport)
{
	struct pk_flow_key want;

	pk_flow_key_ipv6(&want, proto, laddr, rte_cpu_to_be_16(lport), raddr,
			 rte_cpu_to_be_16(rport));
	assert_memory_equal(k, &want, sizeof(want));
}

static inline struct frame_spec
spec6(uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct frame_spec f = { .family = 6, .proto = proto, .sport = sport,
				.dport = dport, .payload = 10 };

	memcpy(f.src6, v6_remote, 16);
	memcpy(f.dst6, v6_local, 16);
	return f;
}

#endif /* PK_FLOW_FIXTURE_H */
