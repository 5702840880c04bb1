/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TEST_EXTBUF_H
#define PK_TEST_EXTBUF_H

/*
 * An mbuf over a heap buffer of exactly its data's length, attached as an
 * external buffer: what pk_test_exact_mbuf() (pk_test_exact.h) gives the
 * parser tests, header only for the fuzz harnesses (tests/fuzz/
 * fuzz_common.h), which link neither cmocka nor the test fixture.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

/*
 * An mbuf from mp whose data is a copy of len bytes of data in a heap
 * buffer of exactly len bytes: data_off 0, data_len = pkt_len = len. len
 * may be 0. free_cb(buffer, shared info) runs when the last reference goes
 * and must free() both. Returns NULL if mp is empty, len > UINT16_MAX or
 * malloc fails.
 */
static inline struct rte_mbuf *
pk_test_extbuf_mbuf(struct rte_mempool *mp, const void *data, size_t len,
		    rte_mbuf_extbuf_free_callback_t free_cb)
{
	struct rte_mbuf_ext_shared_info *shinfo = NULL;
	struct rte_mbuf *m = NULL;
	uint8_t *buf = NULL;

	if (len > UINT16_MAX)
		return NULL;
	/*
	 * Not rte_pktmbuf_ext_shinfo_init_helper(): it puts the shared info
	 * at the end of the buffer, readable bytes right after the frame.
	 * malloc(0) gives a block with no usable byte (or NULL): what we want.
	 */
	shinfo = malloc(sizeof(*shinfo));
	buf = malloc(len);
	m = rte_pktmbuf_alloc(mp);
	if (shinfo == NULL || (buf == NULL && len != 0) || m == NULL) {
		free(shinfo);
		free(buf);
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (len != 0)
		memcpy(buf, data, len);
	shinfo->free_cb = free_cb;
	shinfo->fcb_opaque = shinfo;
	rte_mbuf_ext_refcnt_set(shinfo, 1);
	/* no device reads it: no IOVA */
	rte_pktmbuf_attach_extbuf(m, buf, RTE_BAD_IOVA, (uint16_t)len, shinfo);
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	return m;
}

#endif /* PK_TEST_EXTBUF_H */
