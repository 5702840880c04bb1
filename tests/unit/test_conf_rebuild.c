/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Build, start, run, stop, destroy, build again (issue 18): one
 * configuration that uses every statement that runs without root (include,
 * define, owner, port on net_ring/net_null vdevs, runner, queues, a
 * scheduler with its inputs' parameters, a demux with named outputs and
 * passive and active keys, paths with owners, a thread_lcore beside the
 * runner's continuation threads) goes round 100 times in one
 * process with traffic through it each time. After each round no name is
 * left taken (no -EEXIST next round, no owner or runner left), and after the
 * rounds the memzones (rte_memzone_walk), DPDK's heap
 * (rte_malloc_get_socket_stats) and every pool are where they were after
 * the first round (which may set up what lives as long as the process:
 * telemetry commands, the owner table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_udp.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

#define ROUNDS 100

static struct rte_mempool *pool;
static uint16_t ring_port, null_port;
static char inc_path[64];

/* what the include brings: a definition and the owners */
static const char inc_text[] = "define QS = 64\nowner alice, bob\n";

static const char conf_text[] =
	"include \"%s\"\n"
	"port net_ring0 (rxq=1, txq=1, rxd=256, txd=256)\n"
	"runner r0 (lcore=1)\n"
	"rx :: port_rx(port=net_ring0) -> t0 :: thread_continuation("
	"runner=r0, burst=32) -> d :: demux_flow(capacity=16)\n"
	"d[a] -> pa\n"
	"d -> pb\n"
	"path pa (owner=alice, acct=udp, bytes=1) {\n"
	"\tqa :: queue_ring(size=$QS)\n"
	"}\n"
	"path pb (owner=bob, tail=return) { qb :: queue_ring(size=$QS) }\n"
	"pa -> s :: pktsched(policy=drr)[quantum=1500]\n"
	"pb -> s[quantum=3000]\n"
	"s -> t1 :: thread_continuation(runner=r0, shares=2) -> "
	"ttl :: proc_ttl -> tx :: port_tx(port=net_null0)\n"
	"key d[a] udp 10.0.0.2:9\n"
	"key d udp 10.0.0.2:10 <- 10.0.0.1:1000 -> pb\n"
	"d[c] -> pc\n"
	"path pc (owner=bob) {\n"
	"\tqc :: queue_ring(size=$QS) -> tl :: thread_lcore(lcore=2) ->\n"
	"\t\tnc :: port_tx(port=net_null0, queue=1)\n"
	"}\n"
	"key d[c] udp 10.0.0.2:11\n";

static void
mz_count_one(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

static unsigned int
mz_count(void)
{
	unsigned int n = 0;

	rte_memzone_walk(mz_count_one, &n);
	return n;
}

static uint64_t
tx_sent(struct pk_conf *c)
{
	struct pk_stage_stats st;

	assert_int_equal(pk_stage_stats_get(pk_conf_stage(c, "tx"), &st), 0);
	return st.in_pkts;
}

/* One round: build, start, 16 packets through, stop, destroy. */
static void
round_trip(const char *text, unsigned int round)
{
	struct pk_conf_params p = { .mp = pool, .socket_id = SOCKET_ID_ANY };
	struct rte_mbuf *m[16];
	struct pk_conf *c;
	uint64_t end;

	c = pk_conf_load_string(text, "rebuild.conf", &p);
	if (c == NULL)
		fail_msg("round %u: %s", round, rte_strerror(rte_errno));
	assert_int_equal(pk_conf_start(c), 0);
	pk_test_burst(pool, m, 16, 0); /* to 10.0.0.2:9: path pa */
	assert_int_equal(rte_eth_tx_burst(ring_port, 0, m, 16), 16);
	end = rte_get_tsc_cycles() + 5 * rte_get_tsc_hz();
	while (tx_sent(c) < 16 && rte_get_tsc_cycles() < end)
		rte_delay_us(100);
	assert_int_equal(tx_sent(c), 16);
	assert_int_equal(pk_conf_stop(c), 0);
	pk_conf_destroy(c);
	/* every name is free again */
	assert_int_equal(pk_owner_lookup("alice"), -ENOENT);
	assert_int_equal(pk_owner_lookup("bob"), -ENOENT);
	assert_null(pk_runner_find("r0"));
}

static void
test_build_destroy_100_times(void **state)
{
	struct rte_malloc_socket_stats h0, h1;
	unsigned int mz0, i;
	char text[2048];
	FILE *f;

	(void)state;
	snprintf(inc_path, sizeof(inc_path), "/tmp/pk_rebuild_%d.conf",
		 (int)getpid());
	f = fopen(inc_path, "w");
	assert_non_null(f);
	fputs(inc_text, f);
	fclose(f);
	snprintf(text, sizeof(text), conf_text, inc_path);
	round_trip(text, 0); /* what lives as long as the process */
	mz0 = mz_count();
	assert_int_equal(rte_malloc_get_socket_stats(0, &h0), 0);
	for (i = 1; i <= ROUNDS; i++)
		round_trip(text, i);
	assert_int_equal(rte_malloc_get_socket_stats(0, &h1), 0);
	unlink(inc_path);
	assert_int_equal(mz_count(), mz0);
	if (h1.heap_allocsz_bytes != h0.heap_allocsz_bytes ||
	    h1.alloc_count != h0.alloc_count)
		fail_msg("heap: %zu bytes in %u blocks, then %zu in %u",
			 h0.heap_allocsz_bytes, h0.alloc_count,
			 h1.heap_allocsz_bytes, h1.alloc_count);
	pk_test_assert_pools_full();
}

static int
setup_ports(void **state)
{
	struct pk_port_conf pc = { .mp = pool, .nb_txq = 2 };

	(void)state;
	assert_int_equal(pk_port_lookup("net_ring0", &ring_port), 0);
	assert_int_equal(pk_port_lookup("net_null0", &null_port), 0);
	return pk_port_setup(null_port, &pc); /* the conf sets the ring up */
}

static int
close_ports(void **state)
{
	(void)state;
	pk_port_close(null_port);
	rte_eth_dev_close(ring_port);
	return 0;
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", "net_null0", NULL };
	static const char *const extra[] = { "--lcores", "0,1,2@1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_build_destroy_100_times,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_conf_rebuild", vdevs, extra);
	pool = pk_test_pool("test_conf_rebuild", 2047);
	rc = cmocka_run_group_tests(tests, setup_ports, close_ports);
	pk_test_eal_cleanup();
	return rc;
}
