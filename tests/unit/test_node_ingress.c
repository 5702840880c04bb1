/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SILK node's packets, without a kernel side (exception=drop), on a
 * net_ring loopback uplink (what TX sends, RX receives): the ingress shim's
 * counts and charges (stolen, full, exception, malformed); the egress queue
 * to the uplink; reassembly before the demux; every mbuf back in its pool.
 * Configuration, addresses, start and stop, statistics and telemetry:
 * test_node.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_memcpy.h>

#include <pathkit/pathkit.h>

#include "node_pvt.h"
#include "pk_test.h"
#include "node_fixture.h"

/*
 * One burst: 1 datagram to the socket, 2 more it refuses (its queue holds
 * one), 2 for no socket, 1 malformed, 1 not IP. The shim says where each
 * went and charges alice's udp row and unknown's misc row.
 */
static void
test_node_ingress_counts_and_charges(void **state)
{
	struct fx *f = *state;
	struct pk_path_conf pc = { .name = "alice-sock", .acct = PK_ACCT_UDP };
	struct pk_stage *q = pk_queue_ring_create("alice-q", 2, 0, 0,
						  SOCKET_ID_ANY);
	struct pk_acct a0, a1, u0, u1;
	struct pk_flow_key key;
	struct pk_node_stats st;
	struct rte_mbuf *m[7];
	int alice = pk_owner_get("alice");

	assert_true(alice > 0);
	pc.owner = alice;
	f->p = pk_path_create(&pc, &q, 1);
	assert_non_null(f->p);
	pk_flow_key_ipv4(&key, IPPROTO_UDP, inet_addr(LOCAL_IP),
			 rte_cpu_to_be_16(9), 0, 0);
	assert_int_equal(pk_demux_flow_add(pk_node_demux(f->n), &key,
					   pk_path_stage(f->p)), 0);
	a0 = pk_test_owner_row(alice, PK_ACCT_UDP);
	u0 = pk_test_owner_row(PK_OWNER_UNKNOWN, PK_ACCT_MISC);
	m[0] = udp_to(9);
	m[1] = udp_to(9);
	m[2] = udp_to(9);
	m[3] = udp_to(10);
	m[4] = udp_to(11);
	m[5] = udp_to(12); /* IHL 4: malformed */
	rte_pktmbuf_mtod_offset(m[5], struct rte_ipv4_hdr *,
				sizeof(struct rte_ether_hdr))->version_ihl = 0x44;
	m[6] = udp_to(13); /* LLDP */
	rte_pktmbuf_mtod(m[6], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(0x88cc);
	inject(m, 7);
	assert_int_equal(pk_node_run(f->n), 7);
	assert_int_equal(pk_node_stats_get(f->n, &st), 0);
	assert_int_equal(st.rx, 7);
	assert_int_equal(st.stolen, 1);
	assert_int_equal(st.full, 2);
	assert_int_equal(st.exception, 3);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.tx + st.tap_rx + st.egress, 0);
	assert_int_equal(pk_stage_len(q), 1);
	a1 = pk_test_owner_row(alice, PK_ACCT_UDP);
	u1 = pk_test_owner_row(PK_OWNER_UNKNOWN, PK_ACCT_MISC);
	assert_int_equal(a1.pkts[PK_ACCT_DROPPED] - a0.pkts[PK_ACCT_DROPPED],
			 2);
	assert_int_equal(a1.bytes[PK_ACCT_DROPPED] -
			 a0.bytes[PK_ACCT_DROPPED], 2 * FRAME);
	assert_int_equal(u1.pkts[PK_ACCT_DROPPED] - u0.pkts[PK_ACCT_DROPPED],
			 4);
	assert_int_equal(u1.bytes[PK_ACCT_DROPPED] -
			 u0.bytes[PK_ACCT_DROPPED], 4 * FRAME);
	assert_int_equal(u1.pkts[PK_ACCT_RECEIVED], u0.pkts[PK_ACCT_RECEIVED]);
}

/* Sends go out on the uplink; on the loopback they come back as misses. */
static void
test_node_egress_queue_to_uplink(void **state)
{
	struct fx *f = *state;
	struct pk_node_stats st;
	struct rte_mbuf *m[5];
	unsigned int i;

	for (i = 0; i < RTE_DIM(m); i++)
		m[i] = udp_to(2000 + i);
	assert_int_equal(node_egress_push(f->n, m, 5), 5);
	assert_int_equal(pk_node_run(f->n), 5);
	assert_int_equal(pk_node_stats_get(f->n, &st), 0);
	assert_int_equal(st.egress, 5);
	assert_int_equal(st.tx, 5);
	assert_int_equal(st.rx, 0);
	assert_int_equal(pk_node_run(f->n), 5);
	assert_int_equal(pk_node_stats_get(f->n, &st), 0);
	assert_int_equal(st.rx, 5);
	assert_int_equal(st.exception, 5);
	assert_int_equal(pk_node_run(f->n), 0);
}

/* Two fragments in, one datagram stolen by the key's path. */
static void
test_node_reassembly(void **state)
{
	struct pk_node_conf c = conf_of("n1");
	struct pk_path_conf pc = { .name = "reasm-sock",
				   .owner = PK_OWNER_UNKNOWN };
	struct pk_stage *q = pk_queue_ring_create("reasm-q", 8, 0, 0,
						  SOCKET_ID_ANY);
	struct rte_mbuf *d = pk_test_udp4(pool, 14 + 20 + 8 + 64, 64, 9);
	struct rte_mbuf *m[2], *got;
	struct pk_flow_key key;
	struct pk_node_stats st;
	struct pk_path *p;
	struct pk_node *n;

	(void)state;
	c.reassembly = 1;
	n = pk_node_create(&c);
	assert_non_null(n);
	p = pk_path_create(&pc, &q, 1);
	assert_non_null(p);
	pk_flow_key_ipv4(&key, IPPROTO_UDP, inet_addr(LOCAL_IP),
			 rte_cpu_to_be_16(9), 0, 0);
	assert_int_equal(pk_demux_flow_add(pk_node_demux(n), &key,
					   pk_path_stage(p)), 0);
	m[0] = fragment(d, 0, 32, true);
	m[1] = fragment(d, 32, 40, false);
	rte_pktmbuf_free(d);
	inject(m, 2);
	assert_int_equal(pk_node_run(n), 2);
	assert_int_equal(pk_node_stats_get(n, &st), 0);
	assert_int_equal(st.rx, 2);
	assert_int_equal(st.stolen, 1);
	assert_int_equal(st.exception + st.full + st.malformed, 0);
	got = pk_stage_pull_one(pk_path_stage(p));
	assert_non_null(got);
	assert_int_equal(got->pkt_len, 14 + 20 + 8 + 64);
	rte_pktmbuf_free(got);
	pk_demux_flow_remove_target(pk_node_demux(n), pk_path_stage(p));
	pk_path_destroy(p);
	pk_node_destroy(n);
}


int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_node_ingress_counts_and_charges, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_node_egress_queue_to_uplink, setup, teardown),
		cmocka_unit_test_teardown(test_node_reassembly,
					  pk_test_teardown_pools_full),
	};
	struct pk_port_conf pc = { 0 };
	int rc;

	pk_test_eal_init("test_node_ingress", vdevs, NULL);
	pool = pk_test_pool("node", 1024);
	pc.mp = pool;
	if (pk_port_lookup("net_ring0", &ring_port) != 0 ||
	    pk_port_setup(ring_port, &pc) != 0) {
		fprintf(stderr, "test_node_ingress: cannot set net_ring0 up\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_port_close(ring_port);
	pk_test_eal_cleanup();
	return rc;
}
