/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_FUZZ_COMMON_H
#define PK_FUZZ_COMMON_H

/*
 * What the harnesses that need mbufs share: an EAL started once, without
 * hugepages, PCI, shared configuration or telemetry; a pool of
 * FUZZ_POOL_SIZE mbufs; segments whose data is a heap buffer of exactly
 * their length (pk_test_extbuf.h), so that AddressSanitizer reports a read
 * or write past the data. Failures abort: libFuzzer reports them.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "../common/pk_test_extbuf.h"

#define FUZZ_POOL_SIZE 63

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *fuzz_pool;

/*
 * Start the EAL (file prefix name_PID: two runs at once keep apart) and make
 * the pool (named name).
 */
static inline void
fuzz_eal_init(const char *name)
{
	static char prefix[64];
	char *eal[] = { (char *)(uintptr_t)name, "--no-huge", "--no-pci",
			"--no-shconf", "--no-telemetry", "-m", "64", prefix,
			"--log-level=lib.eal:crit" };

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%ld", name,
		 (long)getpid());
	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		abort();
	fuzz_pool = rte_pktmbuf_pool_create(name, FUZZ_POOL_SIZE, 0, 0, 0,
					    SOCKET_ID_ANY);
	if (fuzz_pool == NULL)
		abort();
}

static inline void
fuzz_seg_free(void *addr, void *opaque)
{
	free(addr);
	free(opaque);
}

/* A pool mbuf over a heap copy of exactly len bytes of data. */
static inline struct rte_mbuf *
fuzz_seg(const uint8_t *data, size_t len)
{
	struct rte_mbuf *m = pk_test_extbuf_mbuf(fuzz_pool, data, len,
						 fuzz_seg_free);

	if (m == NULL)
		abort();
	return m;
}

/* Is every mbuf back in the pool? */
static inline bool
fuzz_pool_full(void)
{
	return rte_mempool_avail_count(fuzz_pool) == FUZZ_POOL_SIZE;
}

#endif /* PK_FUZZ_COMMON_H */
