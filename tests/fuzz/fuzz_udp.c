/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for proc_udp's work on a packet (pk_udp_input() in
 * lib/udp.c), pk_udp_peer() on what survives, and pk_udp_encap().
 *
 * Input: byte 0 picks how the frame is cut into mbuf segments, byte 1 the
 * NIC's checksum flags and whether checksums are looked at; the rest is the
 * frame. Each segment's data lives in a heap buffer of exactly its length,
 * attached as an external buffer, so AddressSanitizer reports a read past
 * the data. Checked on every input: a dropped packet is left as it was; a
 * kept one has its payload where the frame had it, its addresses, and the
 * mark; headers built again in its headroom by pk_udp_encap() (checksum in
 * software) pass pk_udp_input() again with the same payload; no mbuf or
 * buffer leaks. The EAL starts once, without hugepages (mbufs need a pool).
 *
 *   ./fuzz_udp -max_total_time=600 <new corpus dir> tests/fuzz/corpus_udp
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include <pathkit/pk_udp.h>

#include "fuzz_common.h"

#define MAX_SEGS 3

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_eal_init("fuzz_udp");
	if (pk_udp_init() != 0)
		abort();
	return 0;
}

/* Cut points from the selector: short first segments are the hard case. */
static struct rte_mbuf *
chain_new(const uint8_t *data, size_t len, uint8_t cut)
{
	size_t bounds[MAX_SEGS + 1] = { 0 };
	unsigned int nsegs = 1 + (cut % MAX_SEGS), i;
	struct rte_mbuf *head = NULL, *s;

	for (i = 1; i < nsegs; i++) {
		size_t at = (size_t)((cut >> (2 + 3 * (i - 1))) & 7) * 13 + i;

		bounds[i] = RTE_MIN(RTE_MAX(at, bounds[i - 1]), len);
	}
	bounds[nsegs] = len;
	for (i = 0; i < nsegs; i++) {
		s = fuzz_seg(data + bounds[i], bounds[i + 1] - bounds[i]);
		if (head == NULL)
			head = s;
		else if (rte_pktmbuf_chain(head, s) != 0)
			abort();
	}
	return head;
}

/* The payload is what the frame held behind the headers stripped first. */
static void
check_payload(const struct rte_mbuf *m, const uint8_t *frame, size_t len,
	      uint32_t hdrs)
{
	static uint8_t got[UINT16_MAX];
	const struct rte_mbuf *s;
	uint32_t sum = 0;

	for (s = m; s != NULL; s = s->next)
		sum += s->data_len;
	if (sum != m->pkt_len || hdrs + m->pkt_len > len ||
	    pk_udp_copyout(m, got, sizeof(got)) != (int)m->pkt_len ||
	    memcmp(got, frame + hdrs, m->pkt_len) != 0)
		abort();
}

/* Headers again, from the addresses read back: must pass again. */
static void
check_round_trip(struct rte_mbuf *m)
{
	struct sockaddr_storage rem, loc, rem2, loc2;
	struct pk_udp_tx tx = { .ttl = 1 };
	uint32_t plen = m->pkt_len;

	if (pk_udp_peer(m, &rem, &loc) != 0 || rem.ss_family != loc.ss_family)
		abort();
	tx.local = rem; /* the same source and destination as before */
	tx.remote = loc;
	if (pk_udp_encap(m, &tx) != 0 || pk_udp_peer(m, &rem2, NULL) == 0)
		abort(); /* the old headers made room enough */
	if (pk_udp_input(m, 0) != PK_UDP_OK || m->pkt_len != plen ||
	    pk_udp_peer(m, &rem2, &loc2) != 0 ||
	    memcmp(&rem, &rem2, sizeof(rem)) != 0 ||
	    memcmp(&loc, &loc2, sizeof(loc)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t nic[4] = {
		0, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_L4_CKSUM_BAD, RTE_MBUF_F_RX_IP_CKSUM_BAD,
	};
	const uint8_t *frame = data + 2;
	size_t len = size - 2;
	struct rte_mbuf *m;
	uint16_t off;
	uint32_t plen, hdrs;
	int r;

	if (size < 2 || len > UINT16_MAX)
		return 0;
	m = chain_new(frame, len, data[0]);
	m->ol_flags |= nic[data[1] & 3];
	off = m->data_off;
	plen = m->pkt_len;
	r = pk_udp_input(m, data[1] & 4 ? PK_UDP_IN_NO_CSUM : 0);
	if (r == PK_UDP_OK) {
		hdrs = m->l2_len + m->l3_len + m->l4_len;
		check_payload(m, frame, len, hdrs);
		check_round_trip(m);
		check_payload(m, frame, len, hdrs);
	} else if (r != PK_UDP_MALFORMED && r != PK_UDP_FRAGMENT) {
		abort();
	} else if (m->data_off != off || m->pkt_len != plen ||
		   pk_udp_peer(m, NULL, NULL) == 0) {
		abort(); /* a dropped packet is left as it was */
	}
	rte_pktmbuf_free(m);
	if (!fuzz_pool_full())
		abort();
	return 0;
}
