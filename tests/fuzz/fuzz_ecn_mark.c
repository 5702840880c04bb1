/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the queue managers' ECN marker (lib/sched_ecn.c,
 * pk_sched_ecn_mark()), which writes into packets off the wire.
 *
 * Input: byte 0 cuts the frame into a first segment of that many bytes
 * (0: all of it) and a second with the rest; the rest of the input is the
 * frame. Each segment's data lives in a heap buffer of exactly its length,
 * so AddressSanitizer reports any access past it. Checked: a refusal
 * leaves every byte as it was; a mark changes at most the IP header's
 * first word and checksum (IPv4) or its first word (IPv6), keeps a correct
 * IPv4 checksum correct, and marking again changes nothing.
 *
 *   ./fuzz_ecn_mark -max_total_time=600 <new corpus dir> tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <pathkit/pk_flow.h>
#include <pathkit/pk_sched_policy.h>

struct seg {
	struct rte_mbuf m;
	uint8_t *buf;
	size_t len;
};

static void
seg_init(struct seg *s, const uint8_t *data, size_t len, struct seg *next)
{
	s->len = len;
	s->buf = malloc(len ? len : 1);
	memcpy(s->buf, data, len);
	memset(&s->m, 0, sizeof(s->m));
	s->m.buf_addr = s->buf;
	s->m.buf_len = (uint16_t)(len ? len : 1);
	s->m.data_len = (uint16_t)len;
	s->m.nb_segs = 1;
	rte_mbuf_refcnt_set(&s->m, 1);
	s->m.next = next != NULL ? &next->m : NULL;
}

/* Is the IPv4 header at off, whole in buf, of a correct checksum? */
static int
ipv4_ok(const uint8_t *buf, size_t len, int off)
{
	size_t hl;

	if (off < 0 || (size_t)off + sizeof(struct rte_ipv4_hdr) > len ||
	    (buf[off] >> 4) != 4)
		return 0;
	hl = (size_t)(buf[off] & 0xf) * 4;
	if (hl < sizeof(struct rte_ipv4_hdr) || (size_t)off + hl > len)
		return 0;
	return rte_raw_cksum(buf + off, hl) == 0xffff; /* all ones if right */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seg s[2];
	size_t len, cut, i;
	uint8_t *before;
	rte_be16_t et;
	int off, was_ok;
	bool r;

	if (size < 1 || size > UINT16_MAX)
		return 0;
	len = size - 1;
	cut = data[0] != 0 && data[0] < len ? data[0] : len;
	seg_init(&s[1], data + 1 + cut, len - cut, NULL);
	seg_init(&s[0], data + 1, cut, cut < len ? &s[1] : NULL);
	s[0].m.pkt_len = (uint32_t)len;
	s[0].m.nb_segs = cut < len ? 2 : 1;
	before = malloc(cut ? cut : 1);
	memcpy(before, s[0].buf, cut);
	off = pk_flow_l3_offset(&s[0].m, &et);
	was_ok = ipv4_ok(s[0].buf, cut, off);
	r = pk_sched_ecn_mark(&s[0].m);
	if (memcmp(s[1].buf, data + 1 + cut, len - cut) != 0)
		abort(); /* the second segment is never written */
	for (i = 0; i < cut; i++) {
		if (s[0].buf[i] == before[i])
			continue;
		/* only the first word (TOS, traffic class) and the checksum */
		if (!r || off < 0 || i < (size_t)off ||
		    (i > (size_t)off + 3 && i != (size_t)off + 10 &&
		     i != (size_t)off + 11))
			abort();
	}
	if (r && was_ok && !ipv4_ok(s[0].buf, cut, off) &&
	    et == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		abort(); /* a right checksum made wrong */
	memcpy(before, s[0].buf, cut);
	if (r && (!pk_sched_ecn_mark(&s[0].m) ||
		  memcmp(before, s[0].buf, cut) != 0))
		abort(); /* CE stays CE, nothing moves */
	free(before);
	free(s[0].buf);
	free(s[1].buf);
	return 0;
}
