/* SPDX-License-Identifier: BSD-3-Clause */
/* Exact-length external-buffer mbufs for parser tests (see pk_test_exact.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pk_test.h"
#include "pk_test_exact.h"
#include "pk_test_extbuf.h"

const char *const pk_test_form_names[PK_TEST_FORM_MAX] = {
	[PK_TEST_FORM_POOL] = "pool",
	[PK_TEST_FORM_EXACT] = "exact",
	[PK_TEST_FORM_SPLIT] = "split",
};

static unsigned int exact_live; /* buffers not yet released */

/* Last reference to an exact buffer gone: free it and its shared info. */
static void
exact_free(void *addr, void *opaque)
{
	free(addr);
	free(opaque);
	__atomic_fetch_sub(&exact_live, 1, __ATOMIC_RELAXED);
}

struct rte_mbuf *
pk_test_exact_mbuf(struct rte_mempool *mp, const void *data, size_t len)
{
	struct rte_mbuf *m = pk_test_extbuf_mbuf(mp, data, len, exact_free);

	if (m != NULL)
		__atomic_fetch_add(&exact_live, 1, __ATOMIC_RELAXED);
	return m;
}

/* One segment of a pool mbuf holding len bytes of data. */
static struct rte_mbuf *
pool_mbuf(struct rte_mempool *mp, const void *data, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	if (m == NULL || len == 0)
		return m;
	p = len <= UINT16_MAX ? rte_pktmbuf_append(m, (uint16_t)len) : NULL;
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, data, len);
	return m;
}

struct rte_mbuf *
pk_test_form_mbuf(struct rte_mempool *mp, enum pk_test_form form,
		  const void *data, size_t len)
{
	struct rte_mbuf *a, *b;
	size_t cut = len / 2;

	switch (form) {
	case PK_TEST_FORM_POOL:
		return pool_mbuf(mp, data, len);
	case PK_TEST_FORM_EXACT:
		return pk_test_exact_mbuf(mp, data, len);
	case PK_TEST_FORM_SPLIT:
		a = pk_test_exact_mbuf(mp, data, cut);
		b = pk_test_exact_mbuf(mp, (const uint8_t *)data + cut,
				       len - cut);
		if (a == NULL || b == NULL || rte_pktmbuf_chain(a, b) != 0) {
			rte_pktmbuf_free(a);
			rte_pktmbuf_free(b);
			return NULL;
		}
		return a;
	default:
		return NULL;
	}
}

unsigned int
pk_test_exact_outstanding(void)
{
	return __atomic_load_n(&exact_live, __ATOMIC_RELAXED);
}

int
pk_test_teardown_exact(void **state)
{
	pk_test_teardown_pools_full(state);
	assert_int_equal(pk_test_exact_outstanding(), 0);
	return 0;
}

enum pk_flow_result
pk_test_flow_parse_forms(struct rte_mempool *mp, const void *frame,
			 size_t len, uint32_t ptype, struct pk_flow_key *key)
{
	enum pk_flow_result r, r0 = PK_FLOW_MALFORMED;
	struct pk_flow_key k;
	struct rte_mbuf *m;
	rte_be16_t t, t0 = 0;
	int off, off0 = 0;
	unsigned int f;

	for (f = 0; f < PK_TEST_FORM_MAX; f++) {
		m = pk_test_form_mbuf(mp, f, frame, len);
		assert_non_null(m);
		m->packet_type = ptype;
		r = pk_flow_parse(m, &k);
		t = 0;
		off = m->nb_segs == 1 ? pk_flow_l3_offset(m, &t) : 0;
		rte_pktmbuf_free(m);
		if (f == PK_TEST_FORM_POOL) {
			r0 = r;
			*key = k;
			off0 = off;
			t0 = t;
			continue;
		}
		if (f == PK_TEST_FORM_SPLIT && len > PK_FLOW_HDR_MAX)
			continue;
		if (r != r0 || memcmp(&k, key, sizeof(k)) != 0)
			fail_msg("%zu-byte frame: form %s gives %d, pool %d%s",
				 len, pk_test_form_names[f], r, r0,
				 r == r0 ? " with another key" : "");
		if (f != PK_TEST_FORM_SPLIT && (off != off0 || t != t0))
			fail_msg("%zu-byte frame: form %s: l3 offset %d, "
				 "pool %d", len, pk_test_form_names[f], off,
				 off0);
	}
	return r0;
}
