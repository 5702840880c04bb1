/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CAPTURE_FILE_FIXTURE_H
#define PK_CAPTURE_FILE_FIXTURE_H

/*
 * What the tests of proc_capture's files share (test_capture.c,
 * test_capture_drops.c): the pool, a directory for the files, a file name
 * in it, the pcapng blocks parsed (records' bytes, lengths, comments), a
 * file read with libpcap, a capture made, frames pushed. Include after
 * pk_test.h.
 */

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>

#include <pathkit/pathkit.h>

#define MAXREC 512

static struct rte_mempool *pool;
static char dir[64];

/* What a file holds: each record's bytes, lengths and comment. */
struct rec {
	uint32_t caplen, origlen;
	uint8_t data[256];
	char comment[256];
};

static inline char *
fname(const char *name)
{
	static char buf[4][128];
	static unsigned int i;
	char *b = buf[i++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
	return b;
}

/* Parse a pcapng file's blocks. @return EPB records read into r. */
static inline unsigned int
read_blocks(const char *file, struct rec *r, unsigned int max)
{
	FILE *f = fopen(file, "rb");
	uint8_t *d;
	long size;
	uint32_t off = 0, type, len, ol, oc, n = 0, o;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc(size);
	assert_int_equal(fread(d, 1, size, f), (size_t)size);
	fclose(f);
	memcpy(&type, d, 4);
	assert_int_equal(type, 0x0a0d0d0a); /* a section header first */
	while (off + 12 <= size) {
		memcpy(&type, d + off, 4);
		memcpy(&len, d + off + 4, 4);
		assert_true(len >= 12 && len % 4 == 0 && off + len <= size);
		assert_memory_equal(d + off + len - 4, &len, 4); /* trailer */
		if (type == 6 && n < max) {
			memcpy(&r[n].caplen, d + off + 20, 4);
			memcpy(&r[n].origlen, d + off + 24, 4);
			memcpy(r[n].data, d + off + 28,
			       RTE_MIN(r[n].caplen, sizeof(r[n].data)));
			r[n].comment[0] = '\0';
			o = off + 28 + RTE_ALIGN(r[n].caplen, 4);
			while (o + 4 <= off + len - 4) {
				oc = *(uint16_t *)(d + o);
				ol = *(uint16_t *)(d + o + 2);
				if (oc == 0)
					break;
				if (oc == 1)
					snprintf(r[n].comment,
						 sizeof(r[n].comment), "%.*s",
						 (int)ol, d + o + 4);
				o += 4 + RTE_ALIGN(ol, 4);
			}
			n++;
		}
		off += len;
	}
	assert_int_equal(off, size);
	free(d);
	return n;
}

/* Read a file with libpcap. @return packets; their seqs into seq. */
static inline unsigned int
read_pcap(const char *file, uint32_t *seq, unsigned int max)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned int n = 0;
	pcap_t *p = pcap_open_offline(file, err);
	uint32_t s;

	if (p == NULL)
		fail_msg("libpcap: %s", err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while (pcap_next_ex(p, &h, &data) == 1) {
		assert_true(h->caplen >= 46);
		memcpy(&s, data + 42, 4);
		if (n < max)
			seq[n] = rte_be_to_cpu_32(s);
		n++;
	}
	pcap_close(p);
	return n;
}

static inline struct pk_stage *
capture(const char *name, const char *args)
{
	struct pk_stage *c = pk_stage_create("proc_capture", name, args,
					     SOCKET_ID_ANY);

	if (c == NULL)
		fail_msg("%s(%s): %s", name, args, rte_strerror(rte_errno));
	return c;
}

/* Push n frames (seq first..) of len bytes into s; assert all taken. */
static inline void
push(struct pk_stage *s, unsigned int n, uint32_t first, uint16_t len,
     uint8_t ttl)
{
	struct rte_mbuf *m[32];
	unsigned int i, k, done = 0;

	while (done < n) {
		k = RTE_MIN(n - done, 32u);
		for (i = 0; i < k; i++)
			m[i] = pk_test_udp4(pool, len, ttl, first + done + i);
		assert_int_equal(pk_stage_push(s, m, k), k);
		done += k;
	}
}

#endif /* PK_CAPTURE_FILE_FIXTURE_H */
