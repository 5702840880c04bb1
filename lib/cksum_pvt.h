/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CKSUM_PVT_H
#define PK_CKSUM_PVT_H

/*
 * The Internet checksum's sum (RFC 1071) for the fast paths that compute it
 * in software (UDP receive and send, raw sends); not installed.
 *
 * pk_cksum_add() returns what __rte_raw_cksum() returns, up to its
 * reduction (both fold to the same 16 bits with __rte_raw_cksum_reduce()),
 * 8 bytes a step into a 64-bit sum with an end-around carry, where 22.11's
 * adds 2 bytes a step: 2^16 = 1 modulo 2^16 - 1, so a 64-bit word adds as
 * its four 16-bit words do. Byte order independent, as RFC 1071 says.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_ip.h>

/* sum plus the one's-complement sum of len bytes at buf, partly reduced:
 * at most 0x1fffe, 0 only when both are 0. */
static inline uint32_t
pk_cksum_add(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum, w;
	uint32_t w32;
	uint16_t w16 = 0;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		acc += w;
		acc += acc < w; /* end-around carry */
	}
	acc = (acc & UINT32_MAX) + (acc >> 32); /* room for the tail's adds */
	if (len >= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		len -= 2;
	}
	if (len == 1) { /* the first byte of a word padded with zero */
		w16 = 0;
		memcpy(&w16, p, 1);
		acc += w16;
	}
	/* down to 17 bits, as small as DPDK's sums of headers: callers add
	 * more to it in 32 bits */
	acc = (acc & UINT32_MAX) + (acc >> 32);
	acc = (acc & UINT32_MAX) + (acc >> 32);
	acc = (acc & UINT16_MAX) + (acc >> 16);
	return (uint32_t)((acc & UINT16_MAX) + (acc >> 16));
}

/* The checksum of an IPv4 header of hlen bytes whose checksum field is 0,
 * as rte_ipv4_cksum() gives it. */
static inline uint16_t
pk_cksum_ipv4_hdr(const void *ip, uint32_t hlen)
{
	return (uint16_t)~__rte_raw_cksum_reduce(pk_cksum_add(ip, hlen, 0));
}

#endif /* PK_CKSUM_PVT_H */
