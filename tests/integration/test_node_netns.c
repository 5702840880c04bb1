/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SILK node with its kernel side, against a real kernel client: two
 * network namespaces, "node" and "client", joined by a veth pair. The
 * node's uplink is net_af_packet on the node end; this process enters the
 * node namespace before the EAL starts, so the node's TAP and its 10.78.0.2
 * and fd00:78::2 live there. The node end's own kernel stays out of the way
 * (no IPv6, arp_ignore=8, strict rp_filter): the node's kernel is the TAP.
 * Covered: ping and ping -6 from the client work through the exception path
 * and the egress shim, charged to unknown/misc both ways; the node learns
 * the client's MAC and resolves hosts it never spoke to (the kernel sends
 * the ARP request or solicitation through the node), gives up on one that
 * is not there, refuses off-prefix ones; what a kernel socket sends for a
 * key's flow is charged to that key's path's owner and reaches the client;
 * the client's datagrams for the key are stolen into its path. Every test
 * creates and destroys its node: the pool is full after each.
 * Needs root, ip and ping (devtools/install-deps.sh): exits 77 otherwise.
 * The namespaces (and with them the veths) are removed on every exit.
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

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <pathkit/pathkit.h>

#include "netns_env.h"
#include "node_pvt.h"
#include "pk_test.h"

#define NODE_IP "10.78.0.2"
#define NODE_IP6 "fd00:78::2"
#define CLIENT_IP "10.78.0.1"
#define CLIENT_IP_2 "10.78.0.3"  /* never spoken to before a test asks */
#define CLIENT_IP6 "fd00:78::1"
#define CLIENT_MAC "02:00:00:78:00:01"
#define CLIENT_PORT 5555
#define KEY_PORT 7777

static struct rte_mempool *pool;
static uint16_t uplink;
static unsigned int worker;
static int client_udp = -1; /* bound to CLIENT_IP:CLIENT_PORT in the client */

/* Both namespaces, the veth, the client's addresses and its socket; the
 * namespaces go at exit (ne_setup()). */
static int
netns_setup(void)
{
	static const char *const addrs[] = { CLIENT_IP "/24", CLIENT_IP_2 "/24",
					     CLIENT_IP6 "/64", NULL };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(CLIENT_PORT) };
	struct timeval tv = { .tv_sec = 2 };

	if (ne_setup("pkn", CLIENT_MAC, addrs) != 0 ||
	    ne_enter(ne_ns_client) != 0)
		return -1;
	client_udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, CLIENT_IP, &sin.sin_addr);
	if (client_udp < 0 ||
	    bind(client_udp, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    setsockopt(client_udp, SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)) != 0)
		return -1;
	return ne_enter(ne_ns_node);
}

static int
setup(void **state)
{
	struct pk_node_conf c = {
		.name = "nn0", .uplink = uplink, .mp = pool,
		.socket_id = SOCKET_ID_ANY,
	};
	struct pk_node *n;

	inet_pton(AF_INET, NODE_IP, &c.addr4);
	inet_pton(AF_INET6, NODE_IP6, &c.addr6);
	n = pk_node_create(&c);
	assert_non_null(n);
	assert_int_not_equal(pk_node_tap_port(n), UINT16_MAX);
	assert_int_equal(pk_node_start(n, worker), 0);
	*state = n;
	return 0;
}

static int
teardown(void **state)
{
	struct pk_node *n = *state;

	pk_node_stop(n);
	pk_node_stats_print(stdout, n);
	pk_node_destroy(n);
	assert_int_equal(ne_sh("ip link show pk-nn0 >/dev/null 2>&1"), 1);
	pk_test_assert_pools_full();
	return 0;
}

static void
test_ping_through_the_kernel(void **state)
{
	struct pk_node *n = *state;
	struct pk_acct u0, u1;
	struct pk_node_stats st;

	u0 = pk_test_owner_row(PK_OWNER_UNKNOWN, PK_ACCT_MISC);
	assert_int_equal(ne_sh("ip netns exec %s ping -c 3 -i 0.2 -W 2 %s",
			       ne_ns_client, NODE_IP), 0);
	assert_int_equal(ne_sh("ip netns exec %s ping -6 -c 3 -i 0.2 -W 2 %s",
			       ne_ns_client, NODE_IP6), 0);
	pk_node_stop(n);
	assert_int_equal(pk_node_stats_get(n, &st), 0);
	assert_true(st.exception >= 6 && st.tap_rx >= 6 && st.tx >= 6);
	assert_int_equal(st.stolen + st.full + st.malformed, 0);
	assert_int_equal(st.rx, st.exception);
	assert_int_equal(st.tx + st.tx_dropped, st.tap_rx);
	u1 = pk_test_owner_row(PK_OWNER_UNKNOWN, PK_ACCT_MISC);
	assert_true(u1.pkts[PK_ACCT_RECEIVED] - u0.pkts[PK_ACCT_RECEIVED] >=
		    6);
	assert_true(u1.pkts[PK_ACCT_SENT] - u0.pkts[PK_ACCT_SENT] >= 6);
	assert_true(u1.bytes[PK_ACCT_SENT] - u0.bytes[PK_ACCT_SENT] >= 6 * 98);
}

static int
resolve(struct pk_node *n, int family, const char *ip, uint32_t wait_us,
	char *mac)
{
	struct sockaddr_storage ss = { .ss_family = family };
	struct rte_ether_addr ea;
	int rc;

	inet_pton(family, ip, family == AF_INET ?
		  (void *)&((struct sockaddr_in *)&ss)->sin_addr :
		  (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr);
	rc = node_neigh_resolve(n, (struct sockaddr *)&ss, &ea, wait_us);
	rte_ether_format_addr(mac, RTE_ETHER_ADDR_FMT_SIZE, &ea);
	return rc;
}

static void
test_neighbours_through_the_kernel(void **state)
{
	struct pk_node *n = *state;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct pk_node_stats s0, s1;

	/* the client's ARP request taught the kernel its MAC */
	assert_int_equal(ne_sh("ip netns exec %s ping -c 1 -W 2 %s >/dev/null",
			       ne_ns_client, NODE_IP), 0);
	assert_int_equal(resolve(n, AF_INET, CLIENT_IP, 0, mac), 0);
	assert_string_equal(mac, CLIENT_MAC);
	/* never spoken to: the kernel asks through the node */
	assert_int_equal(resolve(n, AF_INET, CLIENT_IP_2, 2000000, mac), 0);
	assert_string_equal(mac, CLIENT_MAC);
	assert_int_equal(resolve(n, AF_INET, CLIENT_IP_2, 0, mac), 0);
	assert_int_equal(resolve(n, AF_INET6, CLIENT_IP6, 2000000, mac), 0);
	assert_string_equal(mac, CLIENT_MAC);
	/* nobody there: asked (ARP requests went out), not answered */
	pk_node_stats_get(n, &s0);
	assert_int_equal(resolve(n, AF_INET, "10.78.0.99", 300000, mac),
			 -EAGAIN);
	pk_node_stats_get(n, &s1);
	assert_true(s1.tap_rx > s0.tap_rx && s1.tx > s0.tx);
	assert_int_equal(resolve(n, AF_INET, "192.0.2.1", 0, mac),
			 -EHOSTUNREACH);
	assert_int_equal(resolve(n, AF_INET6, "2001:db8::1", 0, mac),
			 -EHOSTUNREACH);
}

/* A kernel UDP socket in the node's namespace, bound to NODE_IP:port. */
static int
kernel_udp(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, NODE_IP, &sin.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void
udp_send(int fd, const char *ip, uint16_t port, const char *msg)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &to.sin_addr);
	assert_int_equal(sendto(fd, msg, strlen(msg), 0,
				(struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)strlen(msg));
}

/* net_tap's SIGIO cuts a receive with a timeout short (EINTR) */
static ssize_t
recv_retry(int fd, char *buf, size_t size)
{
	ssize_t r;

	while ((r = recv(fd, buf, size, 0)) < 0 && errno == EINTR)
		;
	return r;
}

static void
test_kernel_sends_charged_to_the_key_owner(void **state)
{
	struct pk_node *n = *state;
	struct pk_path_conf pc = { .name = "bob-sock", .acct = PK_ACCT_UDP };
	struct pk_stage *q = pk_queue_ring_create("bob-q", 64, 0, 0,
						  SOCKET_ID_ANY);
	int bob = pk_owner_get("bob"), fd, i;
	struct pk_flow_key key;
	struct pk_node_stats st;
	struct pk_acct b0, b1;
	struct pk_path *p;
	char buf[64];

	assert_true(bob > 0);
	pc.owner = bob;
	p = pk_path_create(&pc, &q, 1);
	assert_non_null(p);
	pk_flow_key_ipv4(&key, IPPROTO_UDP, inet_addr(NODE_IP),
			 htons(KEY_PORT), 0, 0);
	assert_int_equal(pk_demux_flow_add(pk_node_demux(n), &key,
					   pk_path_stage(p)), 0);
	b0 = pk_test_owner_row(bob, PK_ACCT_UDP);
	fd = kernel_udp(KEY_PORT);
	for (i = 0; i < 3; i++)
		udp_send(fd, CLIENT_IP, CLIENT_PORT, "from the kernel");
	for (i = 0; i < 3; i++) /* through the TAP and the uplink */
		assert_int_equal(recv_retry(client_udp, buf, sizeof(buf)), 15);
	for (i = 0; i < 2; i++)
		udp_send(client_udp, NODE_IP, KEY_PORT, "to bob");
	for (i = 0; i < 2000 && pk_stage_len(q) < 2; i++)
		usleep(1000);
	assert_int_equal(pk_stage_len(q), 2);
	b1 = pk_test_owner_row(bob, PK_ACCT_UDP);
	assert_int_equal(b1.pkts[PK_ACCT_SENT] - b0.pkts[PK_ACCT_SENT], 3);
	assert_int_equal(b1.bytes[PK_ACCT_SENT] - b0.bytes[PK_ACCT_SENT],
			 3 * (14 + 20 + 8 + 15));
	close(fd);
	pk_node_stop(n);
	assert_int_equal(pk_node_stats_get(n, &st), 0);
	assert_int_equal(st.stolen, 2);
	assert_int_equal(st.rx, st.stolen + st.exception);
	/* as a socket's close: keys off (the node's round is over), path */
	assert_int_equal(pk_demux_flow_remove_target(pk_node_demux(n),
						     pk_path_stage(p)), 1);
	pk_path_destroy(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ping_through_the_kernel,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_neighbours_through_the_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_kernel_sends_charged_to_the_key_owner, setup,
			teardown),
	};
	int rc;

	ne_require("test_node_netns", "ip ping");
	if (netns_setup() != 0) {
		fprintf(stderr, "test_node_netns: cannot set the namespaces "
			"up\n");
		return 1;
	}
	worker = ne_eal_start("test_node_netns", 4096, &pool, &uplink);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_port_close(uplink);
	pk_test_eal_cleanup();
	return rc;
}
