/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the flow key parser (lib/flow.c).
 *
 * Input: byte 0 picks how the frame is cut into mbuf segments, byte 1 the
 * packet type a (possibly lying) PMD claims; the rest is the frame. Each
 * segment's data lives in its own heap buffer of exactly its length, so
 * AddressSanitizer reports any read past the data (inside a mempool it could
 * not). The parser must return a result for every input, never crash.
 *
 *   ./fuzz_flow_parse -max_total_time=600 <new corpus dir> tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mbuf_ptype.h>

#include <pathkit/pk_flow.h>

#define MAX_SEGS 3

/* Packet types the parser may be told; the last entries are nonsense. */
static const uint32_t claimed_ptypes[] = {
	0,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4_EXT_UNKNOWN,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6_EXT_UNKNOWN,
	RTE_PTYPE_L2_ETHER_VLAN | RTE_PTYPE_L3_IPV4,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_FRAG,
	RTE_PTYPE_L2_ETHER_ARP,
	0xffffffff,
};

struct seg {
	struct rte_mbuf m;
	uint8_t *buf;
};

/* Build a chain of up to MAX_SEGS mbufs over exactly-sized buffers. */
static unsigned int
build_chain(struct seg *segs, const uint8_t *data, size_t len, uint8_t cut,
	    uint32_t ptype)
{
	size_t bounds[MAX_SEGS + 1] = { 0 };
	unsigned int nsegs = 1 + (cut % MAX_SEGS), i;

	/* cut points from the selector: short first segments are the
	 * interesting case (headers spanning segments) */
	for (i = 1; i < nsegs; i++) {
		size_t at = (size_t)((cut >> (2 + 3 * (i - 1))) & 7) * 7 + i;

		bounds[i] = RTE_MIN(RTE_MAX(at, bounds[i - 1]), len);
	}
	bounds[nsegs] = len;
	for (i = 0; i < nsegs; i++) {
		size_t sl = bounds[i + 1] - bounds[i];
		struct rte_mbuf *m = &segs[i].m;

		segs[i].buf = malloc(sl ? sl : 1);
		memcpy(segs[i].buf, data + bounds[i], sl);
		memset(m, 0, sizeof(*m));
		m->buf_addr = segs[i].buf;
		m->buf_len = (uint16_t)(sl ? sl : 1);
		m->data_off = 0;
		m->data_len = (uint16_t)sl;
		m->next = i + 1 < nsegs ? &segs[i + 1].m : NULL;
	}
	segs[0].m.nb_segs = (uint16_t)nsegs;
	segs[0].m.pkt_len = (uint32_t)len;
	segs[0].m.packet_type = ptype;
	return nsegs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seg segs[MAX_SEGS];
	struct pk_flow_key key;
	rte_be16_t et;
	unsigned int n, i;
	int r;

	if (size < 2 || size > UINT16_MAX)
		return 0;
	n = build_chain(segs, data + 2, size - 2, data[0],
			claimed_ptypes[data[1] % RTE_DIM(claimed_ptypes)]);
	r = pk_flow_parse(&segs[0].m, &key);
	if (r < PK_FLOW_OK || r > PK_FLOW_MALFORMED)
		abort();
	if (r == PK_FLOW_OK &&
	    key.family != PK_FLOW_IPV4 && key.family != PK_FLOW_IPV6)
		abort(); /* a key must say what it is */
	(void)pk_flow_l3_offset(&segs[0].m, &et);
	for (i = 0; i < n; i++)
		free(segs[i].buf);
	return 0;
}
