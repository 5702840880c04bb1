/* SPDX-License-Identifier: BSD-3-Clause */
/* Ports: setup helper, lookup, RX pull and TX push stages on net_ring (a
 * loopback: what TX sends, RX receives) and net_null; TX refusal leaves the
 * unsent tail with the caller, unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include <pathkit/pathkit.h>

#include "pk_test.h"

static struct rte_mempool *pool;
static uint16_t ring_port, null_port;

static void
test_lookup_and_bad_setup(void **state)
{
	static const char *const hostile[] = {
		"+1", " 1", "1 ", "\t1", "1\n", "-1", "-0", "+0", "1x", "0x1",
		"0X1", "1.0", "1.", "1e0", "-18446744073709551615", "65537",
		"4294967297", "18446744073709551617", "99999999999999999999",
		"net_ring0 ", " net_ring0", "NET_RING0", "net_ring",
		"net_ring00", "net_ring0,", "net_null",
	};
	struct pk_port_conf conf = { .mp = NULL };
	uint16_t id = 0xffff;
	unsigned int i;

	(void)state;
	assert_int_equal(pk_port_lookup("net_ring0", &id), 0);
	assert_int_equal(id, ring_port);
	assert_int_equal(pk_port_lookup("1", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(pk_port_lookup("net_nothing", &id), -ENODEV);
	assert_int_equal(pk_port_lookup("77", &id), -ENODEV);
	assert_int_equal(pk_port_lookup("", &id), -ENODEV);
	assert_int_equal(pk_port_lookup(NULL, &id), -ENODEV);
	assert_int_equal(pk_port_lookup("01", &id), 0); /* decimal */
	assert_int_equal(id, 1);
	/* an id is digits only: no sign, space, base or wrap to port 1 */
	for (i = 0; i < RTE_DIM(hostile); i++) {
		id = 0xffff;
		if (pk_port_lookup(hostile[i], &id) != -ENODEV)
			fail_msg("port '%s' found: %u", hostile[i], id);
	}

	assert_int_equal(pk_port_setup(ring_port, NULL), -EINVAL);
	assert_int_equal(pk_port_setup(ring_port, &conf), -EINVAL);
	conf.mp = pool;
	assert_int_equal(pk_port_setup(99, &conf), -EINVAL);
	assert_int_equal(pk_port_close(99), -EINVAL);

	rte_errno = 0;
	assert_null(pk_port_rx_create("rx", ring_port, 3, 0));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(pk_port_tx_create("tx", 99, 0, 0));
	assert_null(pk_stage_create("port_tx", "tx", "port=net_ring0,queue=9",
				    SOCKET_ID_ANY));
}

static void
test_ring_loopback_in_order(void **state)
{
	struct pk_stage *tx, *rx;
	struct rte_mbuf *m[16], *out[32];
	struct pk_stage_stats st;
	unsigned int i;

	(void)state;
	tx = pk_stage_create("port_tx", "tx", "port=net_ring0,bytes=1",
			     SOCKET_ID_ANY);
	rx = pk_stage_create("port_rx", "rx", "port=0", SOCKET_ID_ANY);
	assert_non_null(tx);
	assert_non_null(rx);
	pk_test_burst(pool, m, 16, 500);
	assert_int_equal(pk_stage_push(tx, m, 16), 16);
	assert_int_equal(pk_stage_pull(rx, out, 32), 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(pk_test_seq(out[i]), 500 + i);
	rte_pktmbuf_free_bulk(out, 16);
	pk_stage_stats_get(tx, &st);
	assert_int_equal(st.in_pkts, 16);
	assert_int_equal(st.in_bytes, 16 * 64);
	pk_stage_stats_get(rx, &st);
	assert_int_equal(st.in_pkts, 16);
	assert_int_equal(st.out_pkts, 16);
	assert_int_equal(st.in_bytes, 0); /* not asked for */
	pk_stage_destroy(tx);
	pk_stage_destroy(rx);
}

/* Fill the loopback until TX refuses: the refused tail is the caller's,
 * unchanged and in order, and counted as "full". */
static void
test_tx_refusal_leaves_tail(void **state)
{
	struct pk_stage *tx = pk_port_tx_create("tx", ring_port, 0, 0);
	struct pk_stage *rx = pk_port_rx_create("rx", ring_port, 0, 0);
	struct rte_mbuf *m[32], *copy[32], *out[32];
	struct pk_stage_stats st;
	uint64_t sent = 0, got = 0;
	uint16_t k = 32, i, n;

	(void)state;
	assert_non_null(tx);
	assert_non_null(rx);
	while (k == 32) {
		pk_test_burst(pool, m, 32, (uint32_t)sent);
		memcpy(copy, m, sizeof(m));
		k = pk_stage_push(tx, m, 32);
		sent += k;
	}
	for (i = k; i < 32; i++)
		assert_ptr_equal(m[i], copy[i]);
	assert_int_equal(pk_test_seq(m[k]), sent); /* next one, untouched */
	rte_pktmbuf_free_bulk(&m[k], 32 - k);
	pk_stage_stats_get(tx, &st);
	assert_int_equal(st.in_pkts, sent);
	assert_int_equal(st.refused[PK_DROP_FULL], 32 - k);
	while ((n = pk_stage_pull(rx, out, 32)) > 0) {
		for (i = 0; i < n; i++)
			assert_int_equal(pk_test_seq(out[i]), got + i);
		got += n;
		rte_pktmbuf_free_bulk(out, n);
	}
	assert_int_equal(got, sent);
	pk_stage_destroy(tx);
	pk_stage_destroy(rx);
}

static void
test_null_port_path(void **state)
{
	struct pk_stage *rx = pk_port_rx_create("nrx", null_port, 0, 0);
	struct pk_stage *st[2] = {
		pk_stage_create("proc_macswap", "swap", NULL, SOCKET_ID_ANY),
		pk_port_tx_create("ntx", null_port, 0, 0),
	};
	struct pk_path_conf conf = { .name = "null", .tail = PK_PATH_TAIL_DROP,
				     .socket_id = SOCKET_ID_ANY };
	struct rte_mbuf *m[32];
	struct pk_stage_stats ps;
	struct pk_path *p;
	unsigned int round;
	uint64_t n_in;
	uint16_t n;

	(void)state;
	assert_non_null(rx);
	p = pk_path_create(&conf, st, 2);
	assert_non_null(p);
	for (round = 0; round < 100; round++) {
		n = pk_stage_pull(rx, m, 32);
		assert_int_equal(pk_stage_push(pk_path_stage(p), m, n), n);
	}
	pk_stage_stats_get(pk_path_stage(p), &ps);
	assert_true(ps.in_pkts > 0);
	n_in = ps.in_pkts; /* the snapshot's: the path may keep no counter */
	pk_stage_stats_get(st[1], &ps);
	assert_int_equal(ps.in_pkts + ps.refused[PK_DROP_FULL], n_in);
	/* the path ends in a sink: what it took is what left the path */
	{
		struct pk_stage_stats pth;

		pk_stage_stats_get(pk_path_stage(p), &pth);
		assert_int_equal(pth.out_pkts, ps.in_pkts);
		assert_true(pth.out_pkts > 0);
	}
	pk_path_destroy(p);
	pk_stage_destroy(rx);
}

static int
setup_ports(void **state)
{
	struct pk_port_conf conf = { .mp = pool, .nb_rxd = 512,
				     .nb_txd = 512, .promiscuous = true };

	(void)state;
	assert_int_equal(pk_port_lookup("net_ring0", &ring_port), 0);
	assert_int_equal(pk_port_lookup("net_null0", &null_port), 0);
	assert_int_equal(pk_port_setup(ring_port, &conf), 0);
	assert_int_equal(pk_port_setup(null_port, &conf), 0);
	return 0;
}

static int
close_ports(void **state)
{
	(void)state;
	assert_int_equal(pk_port_close(ring_port), 0);
	assert_int_equal(pk_port_close(null_port), 0);
	pk_test_assert_pools_full();
	return 0;
}

/* A path whose head is a source: what the head produced entered the path. */
static void
test_source_headed_path_accounting(void **state)
{
	struct pk_stage *st[2] = {
		pk_port_rx_create("srx", null_port, 0, 0),
		pk_stage_create("proc_noop", "n", NULL, SOCKET_ID_ANY),
	};
	struct pk_path_conf conf = { .name = "src", .socket_id = SOCKET_ID_ANY };
	struct pk_stage_stats ps, rs;
	struct rte_mbuf *m[32];
	struct pk_path *p;
	uint16_t n;

	(void)state;
	p = pk_path_create(&conf, st, 2);
	assert_non_null(p);
	assert_int_equal(pk_stage_push(pk_path_stage(p), m, 0), 0);
	n = pk_stage_pull(pk_path_stage(p), m, 32); /* net_null always has some */
	assert_true(n > 0);
	rte_pktmbuf_free_bulk(m, n);
	pk_stage_stats_get(pk_path_stage(p), &ps);
	pk_stage_stats_get(st[0], &rs);
	assert_int_equal(ps.in_pkts, rs.out_pkts);
	assert_int_equal(ps.out_pkts, n);
	pk_path_destroy(p);
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", "net_null0", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_lookup_and_bad_setup,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_ring_loopback_in_order,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_tx_refusal_leaves_tail,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_null_port_path,
					  pk_test_teardown_pools_full),
		cmocka_unit_test_teardown(test_source_headed_path_accounting,
					  pk_test_teardown_pools_full),
	};
	int rc;

	pk_test_eal_init("test_port", vdevs, NULL);
	pool = pk_test_pool("test_port", 8192);
	rc = cmocka_run_group_tests(tests, setup_ports, close_ports);
	pk_test_eal_cleanup();
	return rc;
}
