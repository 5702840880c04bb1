/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TEST_EXACT_H
#define PK_TEST_EXACT_H

/*
 * Exact-length frames for parser tests. DPDK's mempools are not known to
 * ASan: a parser that reads past the end of a frame held in a pool mbuf reads
 * the mbuf's tailroom, and nothing notices. An "exact" mbuf carries its frame
 * in a malloc'd buffer of exactly the frame's length, attached as an external
 * buffer (no headroom, no tailroom; its shared info is a separate block), so
 * under ASan the first byte past the frame is a heap-buffer-overflow.
 *
 * Every parser test runs each frame in every form below and expects the same
 * answer from each: for (form = 0; form < PK_TEST_FORM_MAX; form++).
 * The mbuf header itself comes from a pool, so the fixture's "every pool
 * full" check still holds; rte_pktmbuf_free() releases the buffer too, and
 * pk_test_teardown_exact() checks that no buffer outlived its test.
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <pathkit/pk_flow.h>

/* How a test frame is held. */
enum pk_test_form {
	PK_TEST_FORM_POOL,  /* one segment of a pool mbuf, as a PMD gives */
	PK_TEST_FORM_EXACT, /* one segment, exactly len bytes of heap */
	PK_TEST_FORM_SPLIT, /* two exact segments, cut at len / 2 */
	PK_TEST_FORM_MAX,
};

/* Names of the forms, for failure messages. */
extern const char *const pk_test_form_names[PK_TEST_FORM_MAX];

/*
 * An mbuf from mp whose data is a copy of len bytes of data in a heap buffer
 * of exactly len bytes: data_off 0, data_len = pkt_len = len. len may be 0.
 * Returns NULL if mp is empty, len > UINT16_MAX or malloc fails.
 */
struct rte_mbuf *pk_test_exact_mbuf(struct rte_mempool *mp, const void *data,
				    size_t len);

/* len bytes of data held as form says; NULL as pk_test_exact_mbuf(). */
struct rte_mbuf *pk_test_form_mbuf(struct rte_mempool *mp,
				   enum pk_test_form form, const void *data,
				   size_t len);

/* Exact buffers made and not yet released. */
unsigned int pk_test_exact_outstanding(void);

/* cmocka teardown: every mempool full and every exact buffer released. */
int pk_test_teardown_exact(void **state);

/*
 * Parse len bytes of frame with pk_flow_parse() in every form, the head
 * mbuf's packet_type set to ptype, and assert that every form gives the
 * same result and key (SPLIT only if len <= PK_FLOW_HDR_MAX: past that the
 * parser sees only a copy of the first bytes), and that pk_flow_l3_offset()
 * agrees on the single-segment forms. Returns the result; the key in *key.
 */
enum pk_flow_result pk_test_flow_parse_forms(struct rte_mempool *mp,
					     const void *frame, size_t len,
					     uint32_t ptype,
					     struct pk_flow_key *key);

#endif /* PK_TEST_EXACT_H */
