/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sniffers (PK_SOCK_SNIFF) on the wire: a SILK node (uplink net_af_packet
 * on the node namespace's veth end, TAP exception path, 10.89.0.1/24 and
 * fd89::1/64), socat echoes in the client namespace, and a libpcap capture
 * on the client's eth0 (wire_capture.h) that sees what really went by.
 * IPv4 and IPv6, from application threads at once:
 * - alice's sniffer (incoming too) on her UDP port, while her UDP socket
 *   talks to an echo: its copies are the frames the capture saw for the
 *   port, without their Ethernet header, byte for byte, in order each way;
 *   the outgoing ones carry valid checksums, as the wire does;
 * - her TCP sniffer on the port of her TCP socket (a kernel socket through
 *   the TAP) talking to a TCP echo: the handshake, the data and the FIN
 *   both ways, the capture's frames again;
 * - bob, on his own port at the same time, sends and receives: alice's
 *   sniffer sees none of it; he cannot sniff her reserved port (-EACCES);
 *   his sniffer on a free port that she then binds sees none of her
 *   packets (dropped as policy, in its rx_dropped), also when he reads
 *   them after she has gone and he holds the port himself;
 * - the client's port unreachable about her UDP port shows in her
 *   sniffer's incoming copies (an error counts as its quoted port's).
 * After every test the node lost no copy, no demux key is left and, the
 * node gone, the pool is full. Needs root, ip, ss and socat: exits 77
 * otherwise. The namespaces and the servers go on every exit. The tests
 * are in sniff_netns_udp.c and sniff_netns_tcp.c; the copies are compared
 * with the wire in sniff_netns_wire.c; the node is silk_wire_env.h's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include <rte_common.h>

#include "sniff_netns.h"

/* ---- sockets ---- */

struct pk_sock *
sniff_open(struct pk_node *n, int owner, int domain, uint8_t proto,
	   uint16_t port, uint32_t flags, int *rc)
{
	struct pk_sock *s = pk_sock_open(n, owner, domain, PK_SOCK_SNIFF,
					 flags);
	struct sockaddr_storage a;
	socklen_t len = sw_sa(domain, sw_node_ip(domain), port, &a);

	*rc = -ENOMEM;
	if (s == NULL)
		return NULL;
	pk_sock_set_timeout(s, QUIET_US);
	*rc = pk_sock_bind_raw(s, proto, (struct sockaddr *)&a, len);
	return s;
}

/* ---- fixture ---- */

static int
setup(void **state)
{
	const struct sw_resv resv[] = {
		{ alice, IPPROTO_UDP, RESV_LO, RESV_HI },
		{ bob, IPPROTO_UDP, BOB_LO, BOB_HI },
		{ alice, IPPROTO_TCP, RESV_LO, RESV_HI },
		{ bob, IPPROTO_TCP, BOB_LO, BOB_HI },
	};
	struct sw_fixture *f = sw_node_up("sf0", resv, RTE_DIM(resv));

	assert_int_not_equal(pk_node_tap_port(f->n), UINT16_MAX);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	sw_node_down(*state, true);
	return 0;
}

/* ---- the servers, main ---- */

int
main(void)
{
	static const struct sw_server srv[] = {
		{ "exec socat TCP4-LISTEN:7001,fork,reuseaddr PIPE", 't',
		  TCP_ECHO },
		{ "exec socat TCP6-LISTEN:7001,fork,reuseaddr,ipv6only=1 PIPE",
		  't', TCP_ECHO },
		{ "exec socat UDP4-RECVFROM:7101,fork PIPE", 'u', ALICE_ECHO },
		{ "exec socat UDP6-RECVFROM:7101,fork,ipv6only=1 PIPE", 'u',
		  ALICE_ECHO },
		{ "exec socat UDP4-RECVFROM:7102,fork PIPE", 'u', BOB_ECHO },
		{ "exec socat UDP6-RECVFROM:7102,fork,ipv6only=1 PIPE", 'u',
		  BOB_ECHO },
		{ "exec socat UDP4-RECVFROM:7103,fork PIPE", 'u', FREE_ECHO },
		{ "exec socat UDP6-RECVFROM:7103,fork,ipv6only=1 PIPE", 'u',
		  FREE_ECHO },
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udp_copies_are_the_wire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_copies_are_the_wire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_scoped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_foreign_copies_stay_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_error_is_the_ports,
						setup, teardown),
	};
	int rc;

	sw_start("test_sniff_netns", "pksn", srv, RTE_DIM(srv));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	sw_stop();
	return rc;
}
