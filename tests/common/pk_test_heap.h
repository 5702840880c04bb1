/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TEST_HEAP_H
#define PK_TEST_HEAP_H

/*
 * What DPDK's heap holds, for the tests (through pk_test.h) and the
 * benchmarks (through bench_common.h) that measure what something costs in
 * memory: the difference of two readings. Header only: the benchmarks do
 * not link the test fixture.
 */

#include <stdint.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

/* Heap bytes allocated now, over every NUMA socket. */
static inline uint64_t
pk_test_heap_used(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t used = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
						&st) == 0)
			used += st.heap_allocsz_bytes;
	return used;
}

#endif /* PK_TEST_HEAP_H */
