/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SILK node without a kernel side (exception=drop), on a net_ring
 * loopback uplink (what TX sends, RX receives): configuration checks and
 * defaults; addresses and neighbours without a TAP; start and stop; the
 * statistics table; /pathkit/nodes and /pathkit/node,NAME on the telemetry
 * socket; every mbuf back in its pool. Packets in and out (the ingress
 * shim's counts, the egress queue, reassembly): test_node_ingress.c. The
 * TAP, ping through the kernel, neighbour resolution and the kernel's sends
 * charged to a socket's owner: tests/integration/test_node_netns.c (root).
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

static void
test_node_conf_refused(void **state)
{
	struct fx *f = *state;
	struct pk_node_conf c[9];
	unsigned int i;

	for (i = 0; i < RTE_DIM(c); i++)
		c[i] = conf_of("bad");
	c[0].name = NULL;
	c[1].name = "";
	c[2].name = "sixteen-chars-xx";
	c[3].mp = NULL;
	c[4].addr4.s_addr = 0;
	c[5].egress_queue = 1000; /* not a power of two */
	c[6].uplink = RTE_MAX_ETHPORTS - 1;
	c[7].tap_name = "an-interface-name";
	c[8].plen4 = 33;
	for (i = 0; i < RTE_DIM(c); i++) {
		rte_errno = 0;
		assert_null(pk_node_create(&c[i]));
		assert_int_equal(rte_errno, EINVAL);
	}
	assert_null(pk_node_create(NULL));
	assert_int_equal(rte_errno, EINVAL);
	c[0] = conf_of("n0"); /* the fixture's name */
	assert_null(pk_node_create(&c[0]));
	assert_int_equal(rte_errno, EEXIST);
	assert_non_null(f->n);
}

static void
test_node_defaults_and_accessors(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pk_node_tap_port(f->n), UINT16_MAX);
	assert_non_null(pk_node_demux(f->n));
	assert_non_null(pk_node_portmap(f->n));
	assert_int_equal(f->n->plen4, 24);
	assert_int_equal(f->n->plen6, 64);
	assert_int_equal(f->n->socket_queue, 256);
	assert_string_equal(f->n->tap_name, "pk-n0");
	assert_null(f->n->exc);
	assert_int_equal(pk_node_run(NULL), -EINVAL);
	assert_int_equal(pk_node_stats_get(f->n, NULL), -EINVAL);
	pk_node_destroy(NULL);
}

static void
test_node_addresses(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_storage ss;

	inet_pton(AF_INET, LOCAL_IP, &sin.sin_addr);
	assert_int_equal(node_addr_is_local(f->n, (struct sockaddr *)&sin), 1);
	sin.sin_addr.s_addr = 0;
	assert_int_equal(node_addr_is_local(f->n, (struct sockaddr *)&sin), 1);
	inet_pton(AF_INET, "10.0.0.3", &sin.sin_addr);
	assert_int_equal(node_addr_is_local(f->n, (struct sockaddr *)&sin), 0);
	assert_int_equal(node_addr_is_local(f->n, (struct sockaddr *)&sin6),
			 1); /* ::, the IPv6 wildcard */
	inet_pton(AF_INET6, "fd00::2", &sin6.sin6_addr);
	assert_int_equal(node_addr_is_local(f->n, (struct sockaddr *)&sin6),
			 0);
	assert_int_equal(node_local_addr(f->n, AF_INET, &ss), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_addr.s_addr,
			 inet_addr(LOCAL_IP));
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_port, 0);
	assert_int_equal(node_local_addr(f->n, AF_INET6, &ss), -EADDRNOTAVAIL);
	assert_int_equal(node_local_addr(f->n, AF_UNIX, &ss), -EADDRNOTAVAIL);
}

static void
expect_mac(struct pk_node *n, int family, const char *ip, const char *mac)
{
	struct sockaddr_storage ss = { .ss_family = family };
	struct rte_ether_addr got;
	char s[RTE_ETHER_ADDR_FMT_SIZE];

	inet_pton(family, ip, family == AF_INET ?
		  (void *)&((struct sockaddr_in *)&ss)->sin_addr :
		  (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr);
	assert_int_equal(node_neigh_resolve(n, (struct sockaddr *)&ss, &got,
					    0), 0);
	rte_ether_format_addr(s, sizeof(s), &got);
	assert_string_equal(s, mac);
}

/* No TAP, no kernel to ask: only what needs no asking resolves. */
static void
test_node_neigh_without_tap(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct rte_ether_addr mac;

	inet_pton(AF_INET, "10.0.0.1", &sin.sin_addr);
	assert_int_equal(node_neigh_resolve(f->n, (struct sockaddr *)&sin,
					    &mac, 1000), -EHOSTUNREACH);
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr); /* off prefix */
	assert_int_equal(node_neigh_resolve(f->n, (struct sockaddr *)&sin,
					    &mac, 0), -EHOSTUNREACH);
	assert_int_equal(node_neigh_resolve(f->n, (struct sockaddr *)&sun,
					    &mac, 0), -EAFNOSUPPORT);
	expect_mac(f->n, AF_INET, "10.0.0.255", "FF:FF:FF:FF:FF:FF");
	expect_mac(f->n, AF_INET, "255.255.255.255", "FF:FF:FF:FF:FF:FF");
	expect_mac(f->n, AF_INET, "224.0.0.251", "01:00:5E:00:00:FB");
	expect_mac(f->n, AF_INET6, "ff02::1:ff00:2", "33:33:FF:00:00:02");
}

static void
test_node_start_stop(void **state)
{
	struct fx *f = *state;
	unsigned int w = rte_get_next_lcore(-1, 1, 0);
	struct pk_node_stats st;
	struct rte_mbuf *m[4];
	unsigned int i;

	assert_int_equal(pk_node_stop(f->n), -EINVAL);
	assert_int_equal(pk_node_start(f->n, rte_get_main_lcore()), -EINVAL);
	assert_int_equal(pk_node_start(NULL, 1), -EINVAL);
	if (w >= RTE_MAX_LCORE) {
		printf("test_node_start_stop: no worker lcore, rest not run\n");
		return;
	}
	assert_int_equal(pk_node_start(f->n, w), 0);
	assert_int_equal(pk_node_start(f->n, w), -EALREADY);
	assert_int_equal(pk_node_run(f->n), -EBUSY);
	for (i = 0; i < RTE_DIM(m); i++)
		m[i] = udp_to(3000 + i);
	inject(m, 4);
	for (i = 0; i < 2000; i++) {
		pk_node_stats_get(f->n, &st);
		if (st.rx == 4)
			break;
		usleep(1000);
	}
	assert_int_equal(pk_node_stop(f->n), 0);
	assert_int_equal(pk_node_stop(f->n), -EINVAL);
	assert_int_equal(pk_node_stats_get(f->n, &st), 0);
	assert_int_equal(st.rx, 4);
	assert_int_equal(st.exception, 4);
	assert_int_equal(pk_node_run(f->n), 0); /* rounds here again */
}

static void
test_node_stats_print(void **state)
{
	struct fx *f = *state;
	struct rte_mbuf *m = udp_to(4000);
	char *buf = NULL;
	size_t len = 0;
	FILE *mf;

	inject(&m, 1);
	assert_int_equal(pk_node_run(f->n), 1);
	mf = open_memstream(&buf, &len);
	assert_non_null(mf);
	assert_int_equal(pk_node_stats_print(mf, f->n), 0);
	fclose(mf);
	printf("%s", buf);
	assert_non_null(strstr(buf, "  unknown "));
	assert_non_null(strstr(buf, " misc     sent 0/0 received 0/0 dropped "));
	assert_non_null(strstr(buf, "node n0: rx 1 stolen 0 full 0 "
				    "exception 1 malformed 0"));
	free(buf);
	assert_int_equal(pk_node_stats_print(NULL, f->n), -EIO);
	assert_int_equal(pk_node_stats_print(stdout, NULL), -EIO);
}

static int tel_sock = -1;

/* One telemetry command; its JSON reply in buf. */
static const char *
tel(const char *cmd, char *buf, size_t size)
{
	return pk_test_tel(tel_sock, cmd, buf, size);
}

static void
test_node_telemetry(void **state)
{
	struct fx *f = *state;
	struct rte_mbuf *m = udp_to(4000);
	char buf[4096];

	tel_sock = pk_test_tel_connect();
	assert_true(tel_sock >= 0);
	inject(&m, 1);
	assert_int_equal(pk_node_run(f->n), 1);
	assert_string_equal(tel("/pathkit/nodes", buf, sizeof(buf)),
			    "{\"/pathkit/nodes\":[\"n0\"]}");
	tel("/pathkit/node,n0", buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"name\":\"n0\""));
	assert_non_null(strstr(buf, "\"addr4\":\"10.0.0.2/24\""));
	assert_non_null(strstr(buf, "\"rx\":1,"));
	assert_non_null(strstr(buf, "\"exception\":1,"));
	assert_null(strstr(buf, "tap_port"));
	assert_string_equal(tel("/pathkit/node,n", buf, sizeof(buf)),
			    "{\"/pathkit/node\":null}");
	assert_string_equal(tel("/pathkit/node,n00", buf, sizeof(buf)),
			    "{\"/pathkit/node\":null}");
	assert_string_equal(tel("/pathkit/node", buf, sizeof(buf)),
			    "{\"/pathkit/node\":null}");
	close(tel_sock);
}

int
main(void)
{
	static const char *const vdevs[] = { "net_ring0", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_node_conf_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_node_defaults_and_accessors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_addresses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_neigh_without_tap,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_start_stop, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_stats_print, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_telemetry, setup,
						teardown),
	};
	static const char *const eal[] = { "--telemetry", NULL };
	struct pk_port_conf pc = { 0 };
	int rc;

	pk_test_eal_init("test_node", vdevs, eal);
	pool = pk_test_pool("node", 1024);
	pc.mp = pool;
	if (pk_port_lookup("net_ring0", &ring_port) != 0 ||
	    pk_port_setup(ring_port, &pc) != 0) {
		fprintf(stderr, "test_node: cannot set net_ring0 up\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pk_port_close(ring_port);
	pk_test_eal_cleanup();
	return rc;
}
