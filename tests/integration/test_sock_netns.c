/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of the socket API end to end: a SILK node (uplink
 * net_af_packet on the node namespace's veth end, TAP exception path,
 * 10.89.0.1/24 and fd89::1/64) and socat servers in the client namespace
 * (TCP and UDP echoes, IPv4 and IPv6). Every socket call runs in
 * application threads registered with rte_thread_register() while the node
 * runs on a worker lcore. TCP (sock_netns_tcp.c): blocking and non-blocking
 * connect, 1 MB through the echo and back, IPv4 and IPv6 at once, charged
 * to the owner's tcp row; a receive timeout; a refused connect; ephemeral
 * ports never reserved for another owner nor held by the kernel. UDP
 * (sock_netns_udp.c): through the echoes; sends to a host of the prefix
 * that is not there never hang. Here: closing with data in flight; after
 * every test no demux key is left and, the node gone, the pool is full.
 * Needs root, ip, ss and socat: exits 77 otherwise. The namespaces and the
 * servers go on every exit.
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
#include <arpa/inet.h>

#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "netns_env.h"
#include "pk_test.h"
#include "sock_netns.h"

static struct rte_mempool *pool;
static uint16_t uplink;
static unsigned int worker;
int alice;

/* The client's (or absent host's) address ip:port of domain. */
socklen_t
peer(int domain, const char *ip, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = domain;
	if (domain == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &a->sin6_addr);
		return sizeof(*a);
	}
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	inet_pton(AF_INET, ip, &((struct sockaddr_in *)ss)->sin_addr);
	return sizeof(struct sockaddr_in);
}

socklen_t
client(int domain, uint16_t port, struct sockaddr_storage *ss)
{
	return peer(domain, domain == AF_INET6 ? CLIENT_IP6 : CLIENT_IP, port,
		    ss);
}

uint16_t
port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ?
		     ((const struct sockaddr_in6 *)ss)->sin6_port :
		     ((const struct sockaddr_in *)ss)->sin_port);
}

static int
setup(void **state)
{
	struct pk_node_conf c = {
		.name = "sn0", .uplink = uplink, .mp = pool,
		.socket_id = SOCKET_ID_ANY,
	};
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	inet_pton(AF_INET, NODE_IP, &c.addr4);
	inet_pton(AF_INET6, NODE_IP6, &c.addr6);
	f->n = pk_node_create(&c);
	assert_non_null(f->n);
	assert_int_not_equal(pk_node_tap_port(f->n), UINT16_MAX);
	f->flows = pk_demux_flow_count(pk_node_demux(f->n));
	assert_int_equal(pk_node_start(f->n, worker), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	unsigned int flows = pk_demux_flow_count(pk_node_demux(f->n));
	unsigned int flows0 = f->flows;

	pk_node_stop(f->n);
	pk_node_stats_print(stdout, f->n);
	pk_node_destroy(f->n);
	free(f);
	assert_int_equal(flows, flows0); /* every socket closed: keys gone */
	pk_test_assert_pools_full(); /* nothing any socket held leaked */
	return 0;
}

/* Run one body, or two at once, in application threads. */
void
app(ne_body_t fn, void *arg)
{
	assert_int_equal(ne_app_run(1, &fn, &arg), 0);
}

void
app2(ne_body_t fn, void *a0, void *a1)
{
	const ne_body_t fns[2] = { fn, fn };
	void *const args[2] = { a0, a1 };

	assert_int_equal(ne_app_run(2, fns, args), 0);
}

/* ---- close with data in flight ---- */

static int
close_body(void *arg)
{
	struct pk_node *n = arg;
	struct sockaddr_storage to;
	struct pk_node_stats s0, s1;
	static uint8_t buf[65536];
	struct pk_sock *t, *u;
	size_t sent = 0;
	socklen_t len;
	ssize_t r;
	int i;

	pk_node_stats_get(n, &s0);
	/* TCP: the echo's answers wait in the path, never reinjected */
	t = pk_sock_open(n, alice, AF_INET, PK_SOCK_TCP, PK_SOCK_F_NONBLOCK);
	NE_CHECK(t != NULL);
	NE_CHECK_EQ(tcp_connect(t, AF_INET, TCP_ECHO, 1), 0);
	for (i = 0; i < 64 && sent < 256 * 1024; i++) {
		r = pk_sock_send(t, buf, sizeof(buf), 0);
		NE_CHECK(r > 0 || r == -EAGAIN);
		if (r > 0)
			sent += (size_t)r;
		else
			usleep(1000);
	}
	NE_CHECK(sent > 0);
	/* UDP: datagrams the echo sent back wait in the input queue */
	u = pk_sock_open(n, alice, AF_INET, PK_SOCK_UDP, 0);
	NE_CHECK(u != NULL);
	len = client(AF_INET, UDP_ECHO, &to);
	NE_CHECK_EQ(pk_sock_set_timeout(u, 2000000), 0);
	NE_CHECK_EQ(pk_sock_connect(u, (struct sockaddr *)&to, len), 0);
	for (i = 0; i < 64; i++)
		NE_CHECK_EQ(pk_sock_send(u, buf, 512, 0), 512);
	usleep(300000);
	pk_node_stats_get(n, &s1);
	NE_CHECK(s1.stolen - s0.stolen > 64);
	NE_CHECK_EQ(pk_sock_close(t), 0);
	NE_CHECK_EQ(pk_sock_close(u), 0);
	return 0;
}

static void
test_close_in_flight(void **state)
{
	struct fixture *f = *state;

	app(close_body, f->n);
	/* teardown: no key left, the pool full once the node is gone */
}

/* ---- the namespaces, the servers, the EAL ---- */

static int
start_servers(void)
{
	static const struct {
		const char *cmd;
		char proto;
		uint16_t port;
	} srv[] = {
		{ "exec socat TCP4-LISTEN:7001,fork,reuseaddr PIPE", 't',
		  TCP_ECHO },
		{ "exec socat TCP6-LISTEN:7001,fork,reuseaddr,ipv6only=1 PIPE",
		  't', TCP_ECHO },
		{ "exec socat UDP4-RECVFROM:7101,fork PIPE", 'u', UDP_ECHO },
		{ "exec socat UDP6-RECVFROM:7101,fork,ipv6only=1 PIPE", 'u',
		  UDP_ECHO },
		{ "exec socat UDP4-RECVFROM:7102,fork PIPE", 'u', UDP_ECHO_2 },
		{ "exec socat UDP6-RECVFROM:7102,fork,ipv6only=1 PIPE", 'u',
		  UDP_ECHO_2 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(srv); i++)
		if (ne_server(srv[i].cmd, srv[i].proto, srv[i].port) != 0) {
			fprintf(stderr, "test_sock_netns: cannot start '%s'\n",
				srv[i].cmd);
			return -1;
		}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_echo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_ephemeral_ports,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_echo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_udp_absent_host, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_in_flight, setup,
						teardown),
	};
	static const char *const addrs[] = { CLIENT_IP "/24",
					     CLIENT_IP6 "/64", NULL };
	int rc;

	ne_require("test_sock_netns", "ip ss socat");
	if (ne_setup("pksk", CLIENT_MAC, addrs) != 0 ||
	    ne_enter(ne_ns_client) != 0 || start_servers() != 0 ||
	    ne_enter(ne_ns_node) != 0) {
		fprintf(stderr, "test_sock_netns: cannot set the namespaces "
			"up\n");
		return 1;
	}
	worker = ne_eal_start("test_sock_netns", 8192, &pool, &uplink);
	alice = pk_owner_get("alice");
	if (alice <= 0) {
		fprintf(stderr, "test_sock_netns: no owner alice\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_port_close(uplink);
	pk_test_eal_cleanup();
	return rc;
}