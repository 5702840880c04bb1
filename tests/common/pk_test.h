/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_TEST_H
#define PK_TEST_H

/*
 * Test fixture shared by every cmocka test: one EAL per binary
 * (--no-huge --no-shconf --no-pci, a unique --file-prefix, the vdevs a test
 * asks for), mempools the fixture tracks, and a check that every one of them
 * is full again at the end of each test: no leaked mbuf.
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <pathkit/pk_owner.h>
#include <pathkit/pk_stage.h>

#include "pk_test_heap.h"

/* Exit code that makes meson count a test as skipped. */
#define PK_TEST_SKIP 77
/* Seconds the EAL cleanup may take before the test binary is ended. */
#define PK_TEST_CLEANUP_SECONDS 30

/*
 * Poll cond until true or about 5 s passed (a hang guard, not a timing).
 * It calls usleep(): the includer has <unistd.h> (not included here: it
 * declares acct(), a name the socket tests use).
 */
#define WAIT_FOR(cond)                                                         \
	do {                                                                   \
		unsigned int w_;                                               \
		for (w_ = 0; w_ < 5000 && !(cond); w_++)                       \
			usleep(1000);                                          \
	} while (0)

/*
 * Start the EAL once for this binary. vdevs: NULL-terminated list of
 * --vdev values (or NULL). extra: more EAL arguments (or NULL); telemetry
 * is off unless extra holds "--telemetry". Exits the process with a message
 * if the EAL cannot start.
 */
void pk_test_eal_init(const char *test_name, const char *const *vdevs,
		      const char *const *extra);

/* Exit with PK_TEST_SKIP and a message if the machine has fewer than n
 * online cores (call first in main(), before pk_test_eal_init()). */
void pk_test_require_cores(const char *test_name, unsigned int n);

/* Stop the EAL at the end of main() and remove its runtime directory. */
void pk_test_eal_cleanup(void);

/*
 * Remove the runtime directory another DPDK process left for file prefix
 * prefix (an example the test ran), where the EAL puts it for this user.
 */
void pk_test_rm_runtime_dir(const char *prefix);

/* A pktmbuf pool of n mbufs the fixture will check; asserts on failure. */
struct rte_mempool *pk_test_pool(const char *name, unsigned int n);

/* Assert every mempool in the process is full (cmocka assertion). */
void pk_test_assert_pools_full(void);

/* cmocka teardown: every mempool full again. */
int pk_test_teardown_pools_full(void **state);

/*
 * Build an Ethernet/IPv4/UDP frame of frame_len bytes (>= 42) in a fresh
 * mbuf from mp, with the given TTL and a valid IPv4 header checksum; the
 * payload starts with seq (4 bytes, network order). Asserts on failure.
 */
struct rte_mbuf *pk_test_udp4(struct rte_mempool *mp, uint16_t frame_len,
			      uint8_t ttl, uint32_t seq);

/* Read back the seq written by pk_test_udp4(). */
uint32_t pk_test_seq(const struct rte_mbuf *m);

/* Allocate n test frames with seq = first..first+n-1. */
void pk_test_burst(struct rte_mempool *mp, struct rte_mbuf **pkts, uint16_t n,
		   uint32_t first);

/* A queue_ring stage (one pusher, one puller) of size slots; asserts. */
struct pk_stage *pk_test_ring(const char *name, unsigned int size);

/* Pull everything q holds and free it; assert that it was expect mbufs. */
void pk_test_drain_free(struct pk_stage *q, unsigned int expect);

/*
 * Connect to this process's DPDK telemetry socket (<runtime dir>/
 * dpdk_telemetry.v2; the EAL needs "--telemetry") as dpdk-telemetry.py
 * does, and read its greeting. Returns the socket, or -1.
 */
int pk_test_tel_connect(void);

/*
 * Send telemetry command cmd on socket fd and read the reply (JSON) into
 * buf (size bytes, terminated); print both. Returns buf; asserts that the
 * command goes and a reply comes.
 */
const char *pk_test_tel(int fd, const char *cmd, char *buf, size_t size);

/* Row row of owner's statistics (pk_owner_stats_get()); asserts the
 * owner has them. */
struct pk_acct pk_test_owner_row(uint32_t owner, enum pk_acct_row row);

#endif /* PK_TEST_H */
